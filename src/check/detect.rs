//! Element detection: heading matches and cue paragraphs → verdicts with
//! evidence. The method is described in the parent module's doc.

use super::checklist::{Checklist, Element};
use super::{ElementResult, Evidence, Verdict, Via};
use crate::model::{Block, Document, ListItem, inlines_text};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// The document's blocks with the derived data the elements and the
/// hygiene rules need, computed once per check.
pub(crate) struct Outline<'a> {
    doc: &'a Document,
    /// Plain text of each block.
    pub(crate) texts: Vec<String>,
    /// The same texts folded to ASCII with byte offsets kept ([`fold_ascii`]).
    pub(crate) folded: Vec<String>,
    /// For a heading: its parent heading. For a body block: its nearest heading.
    parent: Vec<Option<usize>>,
    /// Normalised heading text (empty for non-headings).
    norm: Vec<String>,
    /// `norm`, folded when `fold` is set: what heading patterns see.
    norm_match: Vec<String>,
    /// For a heading: words in its section body (subsections included).
    section_words: Vec<usize>,
    /// For a heading: index one past the end of its section.
    section_end: Vec<usize>,
    /// The units cue language is counted in: each paragraph, each table,
    /// and each top-level list item (with its nested items).
    units: Vec<Unit>,
}

struct Unit {
    block: usize,
    text: String,
    /// `text`, folded when patterns are ASCII: what cue patterns see.
    matchable: String,
    words: usize,
}

/// `s` with every non-ASCII character replaced by as many bytes of `x`
/// (letters and digits) or spaces (anything else) as it takes in UTF-8.
/// Byte offsets and char boundaries stay the same, so a match in the folded
/// text is a valid range of the original. Regexes with `\b` run on the fast
/// DFA engines only over ASCII text; folding keeps them there (a 10-15×
/// speed-up on real reports with curly quotes and dashes).
pub(crate) fn fold_ascii(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    // Runs of non-ASCII characters are rare (quotes, dashes, accented
    // letters); copy the ASCII stretches between them in one go.
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for m in NON_ASCII.find_iter(s) {
        out.push_str(&s[last..m.start()]);
        for c in m.as_str().chars() {
            let fill = if c.is_alphanumeric() { "x" } else { " " };
            out.push_str(&fill.repeat(c.len_utf8()));
        }
        last = m.end();
    }
    out.push_str(&s[last..]);
    out
}

/// Same count as [`crate::model::count_words`] (whitespace-separated words
/// with at least one letter or digit), but one regex scan instead of a
/// per-character loop: the check runs on every keystroke-sized edit, and
/// this is most of its time in unoptimised builds.
fn word_count(s: &str) -> usize {
    WORD.find_iter(s).count()
}

static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\S*[\p{Alphabetic}\p{N}]\S*").expect("static regex"));

static NON_ASCII: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\x00-\x7F]+").expect("static regex"));

fn list_item_text(item: &ListItem, out: &mut String) {
    out.push_str(&inlines_text(&item.inlines));
    for sub in &item.children {
        for it in &sub.items {
            out.push('\n');
            list_item_text(it, out);
        }
    }
}

static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    // A numbering label left in the heading text: "C.", "a)", "2.1", "IV.", "Annexe 1".
    Regex::new(r"^\s*(?:(?:[A-Za-z]|[IVXLCivxlc]+)[.):]|[0-9]+(?:\.[0-9]+)*[.):]?)\s+")
        .expect("static regex")
});

fn normalise_heading(text: &str) -> String {
    let stripped = LABEL.replace(text, "");
    let mut out = String::with_capacity(stripped.len());
    for c in stripped.chars() {
        if c == '&' {
            out.push_str(" and ");
        } else if c.is_alphanumeric() || c == '-' || c == '\'' {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl<'a> Outline<'a> {
    /// `fold`: match element patterns against ASCII-folded text (only
    /// correct when every pattern is ASCII; see [`Checklist::ascii_patterns`]).
    pub(crate) fn new(doc: &'a Document, fold: bool) -> Self {
        let n = doc.blocks.len();
        let mut texts = Vec::with_capacity(n);
        let mut words = Vec::with_capacity(n);
        let mut parent = Vec::with_capacity(n);
        let mut norm = Vec::with_capacity(n);
        let mut stack: Vec<(u8, usize)> = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            let text = b.plain_text();
            match b {
                Block::Heading { level, .. } => {
                    while stack.last().is_some_and(|&(l, _)| l >= *level) {
                        stack.pop();
                    }
                    parent.push(stack.last().map(|&(_, h)| h));
                    stack.push((*level, i));
                    norm.push(normalise_heading(&text));
                    words.push(0);
                }
                _ => {
                    parent.push(stack.last().map(|&(_, h)| h));
                    norm.push(String::new());
                    words.push(word_count(&text));
                }
            }
            texts.push(text);
        }
        let folded: Vec<String> = texts.iter().map(|t| fold_ascii(t)).collect();
        // Section extents: a heading's section ends at the next heading of the same or higher level.
        let mut section_end = vec![n; n];
        let mut section_words = vec![0; n];
        let mut open: Vec<(u8, usize)> = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            if let Block::Heading { level, .. } = b {
                while open.last().is_some_and(|&(l, _)| l >= *level) {
                    if let Some((_, h)) = open.pop() {
                        section_end[h] = i;
                    }
                }
                open.push((*level, i));
            } else {
                for &(_, h) in &open {
                    section_words[h] += words[i];
                }
            }
        }
        let mut units = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            match b {
                Block::Heading { .. } | Block::Image { .. } => {}
                Block::List { list, .. } => {
                    for item in &list.items {
                        let mut text = String::new();
                        list_item_text(item, &mut text);
                        let words = word_count(&text);
                        let matchable = if fold {
                            fold_ascii(&text)
                        } else {
                            text.clone()
                        };
                        units.push(Unit {
                            block: i,
                            text,
                            matchable,
                            words,
                        });
                    }
                }
                _ => units.push(Unit {
                    block: i,
                    text: texts[i].clone(),
                    matchable: if fold {
                        folded[i].clone()
                    } else {
                        texts[i].clone()
                    },
                    words: words[i],
                }),
            }
        }
        units.retain(|u| u.words > 0);
        let norm_match = norm
            .iter()
            .map(|h| if fold { fold_ascii(h) } else { h.clone() })
            .collect();
        Outline {
            doc,
            units,
            texts,
            folded,
            norm_match,
            parent,
            norm,
            section_words,
            section_end,
        }
    }

    /// Heading texts from the top down to `h` (inclusive) or, for a body
    /// block, to its nearest heading.
    fn path(&self, i: usize) -> Vec<String> {
        let mut idx = Vec::new();
        let mut cur = if matches!(self.doc.blocks[i], Block::Heading { .. }) {
            Some(i)
        } else {
            self.parent[i]
        };
        while let Some(h) = cur {
            idx.push(h);
            cur = self.parent[h];
        }
        idx.iter()
            .rev()
            .map(|&h| heading_display(&self.doc.blocks[h]))
            .collect()
    }
}

fn heading_display(b: &Block) -> String {
    match b {
        Block::Heading {
            label: Some(l),
            text,
            ..
        } => format!("{l} {text}"),
        other => other.plain_text(),
    }
}

/// A short excerpt of `text` around byte range `start..end`.
pub(crate) fn excerpt(text: &str, start: usize, end: usize) -> String {
    const BEFORE: usize = 60;
    const TOTAL: usize = 160;
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= TOTAL {
        return flat(text);
    }
    let mut a = start.saturating_sub(BEFORE);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    // Start at a word boundary.
    if a > 0
        && let Some(sp) = text[a..start].find(char::is_whitespace)
    {
        a += sp + 1;
    }
    let mut b = (a + TOTAL).max(end).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    if b < text.len()
        && let Some(sp) = text[a..b].rfind(char::is_whitespace)
        && a + sp > end
    {
        b = a + sp;
    }
    let mut s = String::new();
    if a > 0 {
        s.push('…');
    }
    s.push_str(&flat(&text[a..b]));
    if b < text.len() {
        s.push('…');
    }
    s
}

struct CueHit {
    unit: usize,
    block: usize,
    start: usize,
    end: usize,
}

pub(crate) fn detect(o: &Outline, checklist: &Checklist) -> Vec<ElementResult> {
    let n_el = checklist.elements.len();

    // One pass over the cue units with all elements' cues at once.
    // counted[e]: units that count; discounted[e]: hits in short or enumeration units.
    let mut counted: Vec<Vec<usize>> = vec![Vec::new(); n_el];
    let mut discounted = vec![0usize; n_el];
    for (u, unit) in o.units.iter().enumerate() {
        let hits: Vec<usize> = checklist
            .cue_set
            .matches(&unit.matchable)
            .iter()
            .map(|k| checklist.cue_owner[k])
            .collect();
        for &e in &hits {
            let t = &checklist.elements[e].thresholds;
            if unit.words >= t.cue_min_words && hits.len() <= t.max_elements_per_block {
                counted[e].push(u);
            } else {
                discounted[e] += 1;
            }
        }
    }

    checklist
        .elements
        .iter()
        .enumerate()
        .map(|(e, el)| judge(o, el, &counted[e], discounted[e]))
        .collect()
}

fn judge(o: &Outline, el: &Element, cue_units: &[usize], discounted: usize) -> ElementResult {
    let t = el.thresholds;
    // Heading matches, best (most words) first; ties keep document order.
    // Each match with its coverage: the share of the heading's normalised
    // text that alias matches cover ("Next steps" 1.0, "Introduction and
    // policy challenges" 0.5 for the issue element).
    let mut heads: Vec<(usize, regex::Match, f32)> = Vec::new();
    if let Some(re) = &el.headings {
        for (i, _) in o.doc.headings() {
            if let Some(m) = re.find(&o.norm_match[i]) {
                let covered: usize = re.find_iter(&o.norm_match[i]).map(|m| m.len()).sum();
                let cover = covered as f32 / o.norm[i].len().max(1) as f32;
                heads.push((i, m, cover));
            }
        }
    }
    // Best first: sections with enough words before thin ones, then higher
    // coverage, then more words; ties keep document order (stable sort).
    heads.sort_by(|a, b| {
        let enough = |i: usize| o.section_words[i] >= t.min_words;
        enough(b.0)
            .cmp(&enough(a.0))
            .then(b.2.total_cmp(&a.2))
            .then(o.section_words[b.0].cmp(&o.section_words[a.0]))
    });

    let mut hits = Vec::new();
    if let Some(re) = &el.cues {
        for &u in cue_units {
            if let Some(m) = re.find(&o.units[u].matchable) {
                hits.push(CueHit {
                    unit: u,
                    block: o.units[u].block,
                    start: m.start(),
                    end: m.end(),
                });
            }
        }
    }
    let sections: BTreeSet<Option<usize>> = hits.iter().map(|h| o.parent[h.block]).collect();

    let best = heads.first().map(|&(i, _, _)| i);
    let best_words = best.map(|i| o.section_words[i]).unwrap_or(0);
    let in_best = |blk: usize| best.is_some_and(|h| blk > h && blk < o.section_end[h]);
    let n = hits.len();

    let (verdict, confidence, reason) = if let Some(h) = best.filter(|_| best_words >= t.min_words)
    {
        let inside = hits.iter().any(|c| in_best(c.block));
        (
            Verdict::Present,
            if inside { 1.0 } else { 0.9 },
            format!(
                "heading \"{}\" matches and its section has {} words (≥ {}){}",
                heading_display(&o.doc.blocks[h]),
                best_words,
                t.min_words,
                if inside {
                    "; cue language inside it"
                } else {
                    ""
                }
            ),
        )
    } else if n >= t.present_paragraphs && sections.len() >= t.present_sections {
        (
            Verdict::Present,
            (0.5 + 0.05 * n as f32).min(0.85),
            format!(
                "no sufficient heading, but cue language in {n} paragraphs across {} section(s) (≥ {} over ≥ {})",
                sections.len(),
                t.present_paragraphs,
                t.present_sections
            ),
        )
    } else if let Some(h) = best {
        (
            Verdict::Weak,
            0.6,
            format!(
                "heading \"{}\" matches but its section has only {} words (needs {}); cue language in {n} paragraph(s)",
                heading_display(&o.doc.blocks[h]),
                best_words,
                t.min_words
            ),
        )
    } else if n >= t.weak_paragraphs {
        (
            Verdict::Weak,
            (0.4 + 0.1 * n as f32).min(0.6),
            format!(
                "no matching heading; cue language in only {n} paragraph(s) across {} section(s) (present needs {} over {})",
                sections.len(),
                t.present_paragraphs,
                t.present_sections
            ),
        )
    } else if discounted > 0 {
        (
            Verdict::Missing,
            0.7,
            format!(
                "no matching heading and no substantive cue paragraph ({discounted} short or enumeration block(s) mention it)"
            ),
        )
    } else {
        (
            Verdict::Missing,
            0.9,
            "no matching heading and no cue language".to_string(),
        )
    };

    let mut evidence = Vec::new();
    for &(i, m, _) in heads.iter().take(3) {
        evidence.push(Evidence {
            via: Via::Heading,
            heading_path: o.path(i),
            loc: o.doc.blocks[i].loc(),
            excerpt: o.texts[i].clone(),
            matched: o.norm[i][m.start()..m.end()].to_string(),
            section_words: Some(o.section_words[i]),
            blocks: i..o.section_end[i],
        });
    }
    for c in hits.iter().take(3) {
        let text = &o.units[c.unit].text;
        evidence.push(Evidence {
            via: Via::Cue,
            heading_path: o.path(c.block),
            loc: o.doc.blocks[c.block].loc(),
            excerpt: excerpt(text, c.start, c.end),
            matched: text[c.start..c.end].to_string(),
            section_words: None,
            blocks: c.block..c.block + 1,
        });
    }

    ElementResult {
        id: el.id,
        key: el.key,
        short: el.short.clone(),
        wording: el.wording.clone(),
        verdict,
        confidence: (confidence * 100.0).round() / 100.0,
        reason,
        heading_matches: heads.len(),
        cue_paragraphs: n,
        cue_sections: sections.len(),
        evidence,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_normalised() {
        assert_eq!(
            normalise_heading("C. Methodology & community input"),
            "methodology and community input"
        );
        assert_eq!(normalise_heading("2.1 Next steps"), "next steps");
        assert_eq!(normalise_heading("IV. BPF Outputs"), "bpf outputs");
        assert_eq!(normalise_heading("Lessons learned:"), "lessons learned");
    }

    #[test]
    fn word_count_agrees_with_the_model() {
        for s in [
            "",
            "a - b, 12 —",
            "  The forum’s “methodology” — 3 surveys; naïve résumé   x\ty\u{a0}z ",
            "— – … ¶ ·",
            "e-mail co-operation 2020-2021 (sic) [^1]",
        ] {
            assert_eq!(word_count(s), crate::model::count_words(s), "{s:?}");
        }
    }

    #[test]
    fn folding_keeps_offsets_and_word_characters() {
        let s = "“Café” — naïve résumé’s";
        let f = fold_ascii(s);
        assert_eq!(f.len(), s.len());
        assert!(f.is_ascii());
        for (i, _) in s.char_indices() {
            assert!(f.is_char_boundary(i));
        }
        assert_eq!(&f[..8], "   Cafxx");
        let re = regex::Regex::new(r"\bna\w+ve\b").unwrap();
        let m = re.find(&f).unwrap();
        assert_eq!(&s[m.range()], "naïve");
        assert_eq!(fold_ascii("plain"), "plain");
    }

    #[test]
    fn excerpt_is_short_and_contains_the_match() {
        let text = "word ".repeat(100) + "methodology" + &" tail".repeat(100);
        let start = text.find("methodology").unwrap();
        let ex = excerpt(&text, start, start + 11);
        assert!(ex.contains("methodology"));
        assert!(ex.chars().count() <= 175, "{}", ex.chars().count());
        assert!(ex.starts_with('…') && ex.ends_with('…'));
        assert_eq!(excerpt("short text", 0, 5), "short text");
    }
}
