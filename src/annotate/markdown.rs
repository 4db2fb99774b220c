//! Markdown drafts: the comments as HTML comments in a copy.
//!
//! Each note becomes `<!-- bpfpress: … -->` on lines of its own just
//! before the line its block starts on (Markdown locations are source
//! lines), one paragraph per line; the title note goes after the YAML
//! front matter or pandoc title block, else at the top. An HTML comment
//! is a block of its own in CommonMark and pandoc Markdown (it ends at the
//! line holding `-->`, which the text never contains), so it neither joins
//! nor splits the blocks around it, and renderers do not show it. Inside
//! block quotes the comment lines repeat the quoted line's `>` prefix. Lines of
//! earlier `bpfpress:` comments are removed first, so a re-run replaces
//! them. Nothing else changes: line endings (LF or CRLF) and a byte-order
//! mark stay as they are.

use super::compose::{Anchor, Note};
use super::{AnnotateErrorKind, Annotated};
use crate::model::{Document, Location};

/// What opens one of our comments.
const OPEN: &str = "<!-- bpfpress:";

/// The container prefix of a line: leading spaces and block-quote markers.
fn prefix(line: &str) -> &str {
    let end = line
        .find(|c: char| !(c == ' ' || c == '\t' || c == '>'))
        .unwrap_or(line.len());
    &line[..end]
}

/// The 0-based index of the line after the front matter or title block
/// (0 when there is none).
fn after_front_matter(lines: &[&str]) -> usize {
    let bare = |l: &str| l.trim_end_matches(['\r', '\n']).trim_end().to_string();
    if lines.first().map(|l| bare(l)) == Some("---".into()) {
        if let Some(end) = lines[1..]
            .iter()
            .position(|l| matches!(bare(l).as_str(), "---" | "..."))
        {
            return end + 2;
        }
        return 0;
    }
    lines
        .iter()
        .take(3)
        .take_while(|l| l.starts_with('%'))
        .count()
}

/// Make the reviewed copy of a Markdown draft.
pub fn annotate(
    bytes: &[u8],
    doc: &Document,
    notes: &[Note],
) -> Result<Annotated, AnnotateErrorKind> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| AnnotateErrorKind::NotUtf8(e.valid_up_to()))?;
    let (bom, text) = match text.strip_prefix('\u{feff}') {
        Some(rest) => ("\u{feff}", rest),
        None => ("", text),
    };
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();

    // Lines of our earlier comments.
    let mut drop = vec![false; lines.len()];
    let mut replaced = 0;
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        if l[prefix(l).len()..].starts_with(OPEN)
            && let Some(k) = lines[i..].iter().position(|l| l.contains("-->"))
        {
            drop[i..=i + k].iter_mut().for_each(|d| *d = true);
            replaced += 1;
            i += k + 1;
        } else {
            i += 1;
        }
    }

    let first_block = doc.blocks.iter().find_map(|b| match b.loc() {
        Location::Line(n) if n >= 1 => Some(n as usize - 1),
        _ => None,
    });
    let top = after_front_matter(&lines);
    let start = first_block.unwrap_or(top);
    let mut before: Vec<Vec<&Note>> = vec![Vec::new(); lines.len() + 1];
    for n in notes {
        let at = match n.anchor {
            Anchor::Title => top,
            Anchor::At(Location::Line(l)) if l >= 1 => (l as usize - 1).min(lines.len()),
            _ => start,
        };
        before[at].push(n);
    }

    let mut out = String::with_capacity(bytes.len() + notes.len() * 200);
    out.push_str(bom);
    for (k, at) in before.iter().enumerate() {
        let line = lines.get(k).copied().unwrap_or("");
        let pre = prefix(line);
        for n in at {
            if k == lines.len() && !out.is_empty() && !out.ends_with('\n') {
                out.push_str(eol);
            }
            out.push_str(&comment(n, pre, eol));
        }
        if let Some(l) = lines.get(k)
            && !drop[k]
        {
            out.push_str(l);
        }
    }
    Ok(Annotated {
        bytes: out.into_bytes(),
        comments: notes.len(),
        replaced,
    })
}

/// One note as an HTML comment, each paragraph on a line of its own.
fn comment(n: &Note, pre: &str, eol: &str) -> String {
    let mut s = String::new();
    for (k, p) in n.paragraphs.iter().enumerate() {
        let p = p.replace("-->", "-- >").replace(['\r', '\n'], " ");
        s.push_str(pre);
        if k == 0 {
            s.push_str(OPEN);
            s.push(' ');
        }
        s.push_str(&p);
        if k + 1 == n.paragraphs.len() {
            s.push_str(" -->");
        }
        s.push_str(eol);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Block, Format, Inline};

    fn note(anchor: Anchor, text: &[&str]) -> Note {
        Note {
            anchor,
            paragraphs: text.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn comments_go_before_their_lines_and_replace_earlier_ones() {
        let src = "---\r\ntitle: T\r\n---\r\n\r\n# Intro\r\n\r\n> quoted TODO\r\n";
        let mut doc = Document::new("d.md", Format::Markdown);
        doc.blocks = vec![
            Block::Heading {
                loc: Location::Line(5),
                level: 1,
                label: None,
                text: "Intro".into(),
            },
            Block::Paragraph {
                loc: Location::Line(7),
                inlines: vec![Inline::text("quoted TODO")],
            },
        ];
        let notes = vec![
            note(Anchor::Title, &["Summary", "Made by: x --annotate y"]),
            note(Anchor::At(Location::Line(7)), &["Placeholder --> here"]),
        ];
        let a = annotate(src.as_bytes(), &doc, &notes).unwrap();
        let out = String::from_utf8(a.bytes).unwrap();
        assert_eq!(
            out,
            "---\r\ntitle: T\r\n---\r\n<!-- bpfpress: Summary\r\nMade by: x --annotate y -->\r\n\r\n# Intro\r\n\r\n> <!-- bpfpress: Placeholder -- > here -->\r\n> quoted TODO\r\n"
        );
        // Again on the copy: the model's lines are the copy's; same result.
        let mut doc2 = doc.clone();
        doc2.blocks[0] = Block::Heading {
            loc: Location::Line(7),
            level: 1,
            label: None,
            text: "Intro".into(),
        };
        doc2.blocks[1] = Block::Paragraph {
            loc: Location::Line(10),
            inlines: vec![Inline::text("quoted TODO")],
        };
        let notes2 = vec![
            notes[0].clone(),
            note(Anchor::At(Location::Line(10)), &["Placeholder --> here"]),
        ];
        let b = annotate(out.as_bytes(), &doc2, &notes2).unwrap();
        assert_eq!(b.replaced, 2);
        assert_eq!(String::from_utf8(b.bytes).unwrap(), out);
    }

    #[test]
    fn not_utf8_is_refused() {
        let doc = Document::new("d.md", Format::Markdown);
        let e = annotate(b"caf\xe9\n", &doc, &[]).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
    }
}
