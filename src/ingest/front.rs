//! The title page, read one way for every format.
//!
//! Takes a [`Document`] whose blocks a reader has made, with the title and
//! date its format declares (front matter, a Title or Date style, PDF
//! metadata) already in [`Document::meta`]; finds a title and a date that
//! the draft only typed, and says so in [`Document::warnings`]. Every
//! reader calls [`title_page`], so one draft gives the same title, date and
//! heading levels whatever format it came in. The rules, in order:
//!
//! 0. **A title page that repeats what is declared is not body text**: the
//!    leading paragraphs that are the declared title, subtitle or an author,
//!    or a date line, leave the blocks (a PDF shows the title page that a
//!    Word file holds in styled paragraphs).
//! 1. **A lone top heading is the title** (pandoc's and GitHub's practice):
//!    when the first heading is the only level-1 heading, deeper headings
//!    follow it, it has no numbering label, and nothing but a few short
//!    lines comes before it, it is the document's title, not a chapter spanning the whole draft. It
//!    leaves the blocks and the other headings move up one level. When the
//!    format already declares a different title, the heading stays.
//! 2. **Prominent first paragraphs are the title**: with no title yet, the
//!    leading paragraphs before the first heading (of a draft that has
//!    headings) that are short (at most [`MAX_TITLE_WORDS`] words, one
//!    line, three letters or more) and set apart (bold, large or a
//!    title-like style: what counts is the reader's [`Prominence`]) are the
//!    title; those set like the first are joined into it, a following less
//!    prominent one is the subtitle.
//! 3. **A date line is the date**: a paragraph before the first heading that
//!    is only a date, or `Date: 7 October 2026` (also `Dated`, `Draft`,
//!    `Version`, `As of` …), gives the date (when none is declared) and
//!    leaves the blocks.

use crate::dates::normalise_date;
use crate::model::{Block, Document, Inline, count_words, inlines_text};

/// Longest paragraph (in words) taken as (part of) a title.
pub const MAX_TITLE_WORDS: usize = 20;
/// Most paragraphs before the first heading that rule 1 tolerates (a
/// kicker such as `IGF 2026`, a status line).
const MAX_LINES_BEFORE_TITLE: usize = 3;
/// Words that may introduce a date line, lower case.
pub const DATE_WORDS: [&str; 10] = [
    "date", "dated", "draft", "version", "updated", "as of", "status", "fecha", "datum", "date de",
];

/// How prominent a reader found a block (by its index in
/// [`Document::blocks`]): `None` for ordinary text, else a rank (higher is
/// more prominent, equal ranks are set alike).
pub type Prominence<'a> = &'a dyn Fn(usize, &Block) -> Option<u32>;

/// The prominence every format can see in the model: a paragraph wholly in
/// bold (rank 1).
pub fn bold(_: usize, b: &Block) -> Option<u32> {
    match b {
        Block::Paragraph { inlines, .. } if all_bold(inlines) => Some(1),
        _ => None,
    }
}

/// Whether every piece of text in `inlines` is bold (and there is some).
pub fn all_bold(inlines: &[Inline]) -> bool {
    let mut any = false;
    for i in inlines {
        match i {
            Inline::Text { text, strong, .. } => {
                if !text.trim().is_empty() {
                    if !strong {
                        return false;
                    }
                    any = true;
                }
            }
            Inline::NoteRef { .. } => {}
            Inline::Link { .. } | Inline::Break => return false,
        }
    }
    any
}

/// Apply the three rules to `doc` (see the module doc), with `prominent`
/// saying which blocks are set apart.
pub fn title_page(doc: &mut Document, prominent: Prominence<'_>) {
    declared_repeats(doc);
    lone_top_heading(doc);
    if doc.meta.title.is_none() {
        leading_paragraphs(doc, prominent);
    }
    date_line(doc);
}

/// After the last fallback of a reader: the warning for a draft without a
/// title.
pub fn warn_if_untitled(doc: &mut Document) {
    if doc.meta.title.is_none() {
        doc.warnings.push(format!(
            "{NO_TITLE}: give the title Word's Title style, a `title:` line in the \
             Markdown front matter or a lone top `#` heading, or set the document title \
             in the PDF's properties (or give one with `render --title` or `[report] title` \
             in bpf.toml)"
        ));
    }
}

/// How the warning of [`warn_if_untitled`] starts.
pub const NO_TITLE: &str = "no title found";

/// Same text, ignoring case, spacing and punctuation.
fn same_text(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    norm(a) == norm(b)
}

fn short_line(b: &Block, max_words: usize) -> bool {
    match b {
        Block::Paragraph { inlines, .. } => {
            let t = inlines_text(inlines);
            !t.contains('\n') && (1..=max_words).contains(&count_words(&t))
        }
        _ => false,
    }
}

/// Rule 0.
fn declared_repeats(doc: &mut Document) {
    let m = &doc.meta;
    let declared: Vec<&str> = m
        .title
        .iter()
        .chain(m.subtitle.iter())
        .chain(m.authors.iter())
        .map(String::as_str)
        .collect();
    if declared.is_empty() {
        return;
    }
    let mut n = 0;
    let mut date = None;
    for b in &doc.blocks {
        let Block::Paragraph { inlines, .. } = b else {
            break;
        };
        let t = inlines_text(inlines);
        if declared.iter().any(|d| same_text(d, &t)) {
            n += 1;
        } else if count_words(&t) <= 8
            && let Some(d) = date_of(&t)
        {
            date.get_or_insert(d);
            n += 1;
        } else {
            break;
        }
    }
    // Only a title page that starts with the title itself.
    let starts_with_title = doc.blocks.first().is_some_and(|b| {
        m.title
            .as_deref()
            .is_some_and(|t| same_text(t, &b.plain_text()))
    });
    if n == 0 || !starts_with_title {
        return;
    }
    if doc.meta.date.is_none() {
        doc.meta.date = date;
    }
    doc.blocks.drain(..n);
}

/// Rule 1.
fn lone_top_heading(doc: &mut Document) {
    let mut headings = doc.headings();
    let Some((first, Block::Heading { level: 1, .. })) = headings.next() else {
        return;
    };
    let mut deeper = false;
    for (_, h) in headings {
        match h {
            Block::Heading { level: 1, .. } => return,
            _ => deeper = true,
        }
    }
    if !deeper
        || first > MAX_LINES_BEFORE_TITLE
        || !doc.blocks[..first].iter().all(|b| short_line(b, 12))
    {
        return;
    }
    // A numbered heading ("C. Findings") is a chapter, whatever follows.
    let Block::Heading {
        label: None, text, ..
    } = &doc.blocks[first]
    else {
        return;
    };
    let title = text.clone();
    match &doc.meta.title {
        Some(t) if !same_text(t, &title) => return,
        Some(_) => {}
        None => {
            doc.warnings.push(format!(
                "the only top-level heading, \"{title}\", is read as the document's title; \
                 its sections move up one level"
            ));
            doc.meta.title = Some(title);
        }
    }
    doc.blocks.remove(first);
    for b in &mut doc.blocks {
        if let Block::Heading { level, .. } = b {
            *level = level.saturating_sub(1).max(1);
        }
    }
}

/// Rule 2.
fn leading_paragraphs(doc: &mut Document, prominent: Prominence<'_>) {
    // Only a draft with headings has a title page before them.
    if doc.headings().next().is_none() {
        return;
    }
    let mut parts: Vec<(usize, u32, String)> = Vec::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        let Block::Paragraph { inlines, .. } = b else {
            break;
        };
        let text = inlines_text(inlines).trim().to_string();
        if !short_line(b, MAX_TITLE_WORDS)
            || text.chars().count() > 200
            || text.ends_with(['.', ':', ';', ','])
            || text.chars().filter(|c| c.is_alphabetic()).count() < 3
            || date_of(&text).is_some()
        {
            break;
        }
        let Some(rank) = prominent(i, b) else { break };
        if parts.len() == 3 || parts.last().is_some_and(|p| p.1 < rank) {
            break;
        }
        parts.push((i, rank, text));
    }
    let Some(&(_, top, _)) = parts.first() else {
        return;
    };
    let title: Vec<&str> = parts
        .iter()
        .take_while(|p| p.1 == top)
        .map(|p| p.2.as_str())
        .collect();
    let title = title.join(" ");
    let subtitle: Vec<&str> = parts
        .iter()
        .skip_while(|p| p.1 == top)
        .map(|p| p.2.as_str())
        .collect();
    if !subtitle.is_empty() && doc.meta.subtitle.is_none() {
        doc.meta.subtitle = Some(subtitle.join(" "));
    }
    doc.warnings.push(format!(
        "the title \"{title}\" was taken from the first paragraph(s), set apart (bold or large) \
         before the first heading; give it Word's Title style (or a `title:` line in Markdown \
         front matter) to be exact"
    ));
    doc.meta.title = Some(title);
    doc.blocks.drain(..parts.len());
}

/// The ISO date of a date line: a date alone, or after one of
/// [`DATE_WORDS`] (`Date: 7 October 2026`, `Draft, September 2026`).
pub fn date_of(line: &str) -> Option<String> {
    let t = line.trim();
    if let Some(d) = normalise_date(t) {
        return Some(d);
    }
    DATE_WORDS.iter().find_map(|w| {
        let head = t.get(..w.len())?;
        if !head.eq_ignore_ascii_case(w) {
            return None;
        }
        let after = &t[w.len()..];
        let rest = after.trim_start_matches([':', ',', ' ', '\u{a0}', '–', '-']);
        // A separator must follow the word ("Datebook 2026" is no date line).
        (rest.len() < after.len()).then_some(())?;
        normalise_date(rest)
    })
}

/// Rule 3.
fn date_line(doc: &mut Document) {
    let end = doc
        .blocks
        .iter()
        .position(|b| matches!(b, Block::Heading { .. }))
        .unwrap_or(doc.blocks.len())
        .min(6);
    let found = doc.blocks[..end].iter().position(|b| match b {
        Block::Paragraph { inlines, .. } => {
            let t = inlines_text(inlines);
            !t.contains('\n') && count_words(&t) <= 8 && date_of(&t).is_some()
        }
        _ => false,
    });
    let Some(i) = found else { return };
    let date = date_of(&doc.blocks[i].plain_text());
    if doc.meta.date.is_none() {
        doc.meta.date = date;
    }
    doc.blocks.remove(i);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Location};

    fn heading(level: u8, text: &str) -> Block {
        Block::Heading {
            loc: Location::Line(1),
            level,
            label: None,
            text: text.into(),
        }
    }

    fn para(text: &str, strong: bool) -> Block {
        Block::Paragraph {
            loc: Location::Line(1),
            inlines: vec![Inline::Text {
                text: text.into(),
                emph: false,
                strong,
            }],
        }
    }

    fn doc(blocks: Vec<Block>) -> Document {
        let mut d = Document::new("x", Format::Markdown);
        d.blocks = blocks;
        d
    }

    fn levels(d: &Document) -> Vec<u8> {
        d.headings()
            .map(|(_, h)| match h {
                Block::Heading { level, .. } => *level,
                _ => 0,
            })
            .collect()
    }

    #[test]
    fn a_lone_top_heading_is_the_title_and_its_date_line_the_date() {
        let mut d = doc(vec![
            heading(1, "BPF Gender 2026: Draft"),
            para("Date: 7 October 2026", false),
            heading(2, "Introduction"),
            para("Text.", false),
            heading(3, "Scope"),
            heading(2, "Next steps"),
        ]);
        title_page(&mut d, &bold);
        assert_eq!(d.meta.title.as_deref(), Some("BPF Gender 2026: Draft"));
        assert_eq!(d.meta.date.as_deref(), Some("2026-10-07"));
        assert_eq!(levels(&d), [1, 2, 1]);
        assert_eq!(d.blocks.len(), 4);
        assert!(
            d.warnings[0].contains("only top-level heading"),
            "{:?}",
            d.warnings
        );
    }

    #[test]
    fn chapters_and_a_different_declared_title_stay() {
        // Two level-1 headings: chapters.
        let mut d = doc(vec![heading(1, "A"), heading(2, "a"), heading(1, "B")]);
        title_page(&mut d, &bold);
        assert_eq!((d.meta.title.clone(), levels(&d).len()), (None, 3));
        // One level-1 heading and nothing under it: a chapter too.
        let mut d = doc(vec![heading(1, "Introduction"), para("Text.", false)]);
        title_page(&mut d, &bold);
        assert_eq!(d.meta.title, None);
        // A declared title that differs keeps the heading; the same one drops it.
        let mut d = doc(vec![heading(1, "Overview"), heading(2, "a")]);
        d.meta.title = Some("BPF 2026".into());
        title_page(&mut d, &bold);
        assert_eq!(levels(&d), [1, 2]);
        let mut d = doc(vec![heading(1, "BPF  2026"), heading(2, "a")]);
        d.meta.title = Some("BPF 2026".into());
        title_page(&mut d, &bold);
        assert_eq!((levels(&d), d.warnings.len()), (vec![1], 0));
    }

    #[test]
    fn bold_first_paragraphs_are_title_and_subtitle() {
        let mut d = doc(vec![
            para("BPF Data 2026", true),
            para("Draft output report", true),
            para("September 2026", false),
            heading(1, "Introduction"),
        ]);
        title_page(&mut d, &|i, b| {
            bold(i, b).map(|_| if i == 0 { 2 } else { 1 })
        });
        assert_eq!(d.meta.title.as_deref(), Some("BPF Data 2026"));
        assert_eq!(d.meta.subtitle.as_deref(), Some("Draft output report"));
        assert_eq!(d.meta.date.as_deref(), Some("2026-09"));
        assert_eq!(d.blocks.len(), 1);
        // Set alike: one title.
        let mut d = doc(vec![
            para("BPF Data 2026", true),
            para("Draft output report", true),
            heading(1, "Introduction"),
        ]);
        title_page(&mut d, &bold);
        assert_eq!(
            d.meta.title.as_deref(),
            Some("BPF Data 2026 Draft output report")
        );
        // Plain or long first paragraphs are not a title.
        for first in [
            para("BPF Data 2026", false),
            para("This draft describes how the rules apply.", true),
        ] {
            let mut d = doc(vec![first, heading(1, "Introduction")]);
            title_page(&mut d, &bold);
            assert_eq!(d.meta.title, None);
            warn_if_untitled(&mut d);
            assert!(d.warnings[0].starts_with("no title found"));
        }
    }

    #[test]
    fn date_lines() {
        assert_eq!(
            date_of("Date: 7 October 2026").as_deref(),
            Some("2026-10-07")
        );
        assert_eq!(date_of("Draft, September 2026").as_deref(), Some("2026-09"));
        assert_eq!(date_of("2026-09-30").as_deref(), Some("2026-09-30"));
        assert_eq!(date_of("Dated 1 May 2026").as_deref(), Some("2026-05-01"));
        assert_eq!(date_of("Datebook 2026"), None);
        assert_eq!(date_of("Draft report of the forum"), None);
    }
}
