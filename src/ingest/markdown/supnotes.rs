//! Footnotes typed as superscript numerals, as in text pasted from a PDF or
//! Word: references `¹`, `³⁷` (or `^{4, 5}`) in running text, and
//! definitions as top-level paragraphs that start with the numeral and a
//! space (`¹ Par. 72, d.`).
//!
//! Takes the nodes after the Markdown pass; moves each definition into
//! [`Document::notes`](crate::model::Document::notes) (a paragraph that only
//! holds a URL right after a definition is its continuation) and turns each
//! reference whose number is defined into [`Inline::NoteRef`]. Superscripts
//! with no definition (`m²`) stay text. Numbers already used by Markdown
//! `[^n]` footnotes are left alone.

use super::convert::{Node, collapse_ws, merge_text};
use crate::model::{Block, Inline, List, Note, NoteKind};
use regex::Regex;
use std::collections::HashSet;
use std::sync::LazyLock;

const SUP: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

fn sup_digit(c: char) -> Option<char> {
    SUP.iter()
        .position(|&s| s == c)
        .and_then(|i| char::from_digit(i as u32, 10))
}

/// The number of a leading superscript run followed by a space, and the rest.
fn definition_marker(text: &str) -> Option<(String, &str)> {
    let digits: String = text.chars().map_while(sup_digit).collect();
    if digits.is_empty() {
        return None;
    }
    let rest = &text[text.char_indices().nth(digits.chars().count())?.0..];
    let after = rest.strip_prefix([' ', '\u{a0}', '\t'])?;
    Some((digits.trim_start_matches('0').to_string(), after))
}

static CARET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\^\{\s*(\d{1,4}(?:\s*,\s*\d{1,4})*)\s*\}|[⁰¹²³⁴⁵⁶⁷⁸⁹]+").expect("static regex")
});
static UNIT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[\s\d])(?:m|cm|mm|km|ft)$").expect("static regex"));
static URL_ONLY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^<?https?://\S+>?\s*\.?$").expect("static regex"));

/// Convert superscript footnotes in `nodes`; returns the new notes.
pub fn apply(nodes: &mut Vec<Node>, existing: &[Note]) -> Vec<Note> {
    let taken: HashSet<&str> = existing.iter().map(|n| n.id.as_str()).collect();
    let mut notes: Vec<Note> = Vec::new();
    let mut keep: Vec<Node> = Vec::with_capacity(nodes.len());
    // Whether the previous node was a definition (or its continuation).
    let mut after_def = false;
    for node in nodes.drain(..) {
        if let Block::Paragraph { inlines, loc } = &node.block
            && !node.quoted
        {
            let text = crate::model::inlines_text(inlines);
            if let Some((id, rest)) = definition_marker(text.trim_start())
                && !id.is_empty()
                && !taken.contains(id.as_str())
                && !notes.iter().any(|n| n.id == id)
            {
                notes.push(Note {
                    id,
                    kind: NoteKind::Footnote,
                    inlines: Vec::new(),
                    text: collapse_ws(rest),
                    loc: Some(*loc),
                });
                after_def = true;
                continue;
            }
            // A bare URL right after a definition continues it.
            if after_def
                && URL_ONLY.is_match(text.trim())
                && let Some(last) = notes.last_mut()
            {
                last.text.push(' ');
                last.text.push_str(&collapse_ws(&text));
                continue;
            }
        }
        after_def = false;
        keep.push(node);
    }
    *nodes = keep;
    if notes.is_empty() {
        return notes;
    }
    let defined: HashSet<String> = notes.iter().map(|n| n.id.clone()).collect();
    for node in nodes.iter_mut() {
        match &mut node.block {
            Block::Paragraph { inlines, .. } => resolve(inlines, &defined),
            Block::List { list, .. } => resolve_list(list, &defined),
            Block::Table { rows, .. } => {
                for c in rows.iter_mut().flat_map(|r| r.cells.iter_mut()) {
                    resolve(&mut c.inlines, &defined);
                }
            }
            Block::Heading { .. } | Block::Image { .. } => {}
        }
    }
    notes
}

fn resolve_list(list: &mut List, defined: &HashSet<String>) {
    for item in &mut list.items {
        resolve(&mut item.inlines, defined);
        for c in &mut item.children {
            resolve_list(c, defined);
        }
    }
}

/// Split text runs at superscript references whose number is defined.
fn resolve(inlines: &mut Vec<Inline>, defined: &HashSet<String>) {
    merge_text(inlines);
    let mut out = Vec::with_capacity(inlines.len());
    for i in inlines.drain(..) {
        let Inline::Text { text, emph, strong } = &i else {
            out.push(i);
            continue;
        };
        let mut last = 0;
        let mut changed = false;
        for m in CARET.find_iter(text) {
            let s = m.as_str();
            let ids: Vec<String> = if let Some(inner) = s.strip_prefix("^{") {
                inner
                    .trim_end_matches('}')
                    .split(',')
                    .map(|n| n.trim().trim_start_matches('0').to_string())
                    .collect()
            } else {
                vec![
                    s.chars()
                        .filter_map(sup_digit)
                        .collect::<String>()
                        .trim_start_matches('0')
                        .to_string(),
                ]
            };
            if ids.is_empty() || !ids.iter().all(|id| defined.contains(id)) {
                continue;
            }
            // Units of area and volume (`10 m²`, `5 km³`) are not references.
            if (s == "²" || s == "³") && UNIT.is_match(&text[..m.start()]) {
                continue;
            }
            if m.start() > last {
                out.push(Inline::Text {
                    text: text[last..m.start()].to_string(),
                    emph: *emph,
                    strong: *strong,
                });
            }
            out.extend(ids.into_iter().map(|id| Inline::NoteRef { id }));
            last = m.end();
            changed = true;
        }
        if !changed {
            out.push(i);
        } else if last < text.len() {
            out.push(Inline::Text {
                text: text[last..].to_string(),
                emph: *emph,
                strong: *strong,
            });
        }
    }
    *inlines = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Location;

    fn para(line: u32, t: &str) -> Node {
        Node {
            block: Block::Paragraph {
                loc: Location::Line(line),
                inlines: vec![Inline::text(t)],
            },
            first_line: line,
            last_line: line,
            quoted: false,
        }
    }

    #[test]
    fn definitions_and_refs() {
        let mut nodes = vec![
            para(1, "The mandate¹ and agenda² of m² rooms.^{1, 2} Also³⁷."),
            para(3, "¹ First note."),
            para(5, "<https://example.org/x>"),
            para(7, "² Second."),
            para(9, "³⁷ Thirty-seven."),
            para(11, "https://not-a-continuation.example"),
        ];
        let notes = apply(&mut nodes, &[]);
        assert_eq!(notes.len(), 3);
        assert_eq!(notes[0].text, "First note. <https://example.org/x>");
        assert_eq!(notes[2].id, "37");
        assert!(notes[2].text.ends_with("not-a-continuation.example"));
        assert_eq!(nodes.len(), 1);
        let Block::Paragraph { inlines, .. } = &nodes[0].block else {
            panic!()
        };
        let refs: Vec<&str> = inlines
            .iter()
            .filter_map(|i| match i {
                Inline::NoteRef { id } => Some(id.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(refs, ["1", "2", "1", "2", "37"]);
        // Undefined numbers stay text.
        let mut n2 = vec![para(1, "area in m⁵ only"), para(2, "¹ Note.")];
        apply(&mut n2, &[]);
        assert_eq!(n2[0].block.plain_text(), "area in m⁵ only");
    }
}
