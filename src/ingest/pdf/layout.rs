//! Lines into blocks: the page-level lines from [`super::content`] in, the
//! [`Document`]'s blocks and notes out.
//!
//! - **Page furniture**: lines in the top or bottom 9 % of a page that repeat
//!   (digits ignored) on at least three pages / half the pages, or that look
//!   like a page number ("3", "Page 3 of 35", "- 3 -", "iv"), are dropped.
//! - **Footnotes**: below the last body-size line of a page, small-font lines
//!   whose first one starts with a number (superscript or plain) become
//!   [`Note`]s; lines without a number continue the previous note. Superscript
//!   numbers in the body become [`Inline::NoteRef`]s when a note with that id
//!   exists ("45" after note 3 splits into 4 and 5).
//! - **Headings**: from the outline when there is one, each entry matched to
//!   its line(s) on its page (normalised text), so the heading sits where it
//!   is in the flow; else from font statistics: the body size is the most
//!   common size by characters, and short lines that are larger, or bold at
//!   body size, are headings, levels by style rank. Labels (`C.`, `a.`, `2.1`,
//!   `IV.`) are split off.
//! - **Lists**: lines starting with a bullet (•, ◦, ▪, –, -, …) and, at a
//!   paragraph start, `1.` / `a)` items; indented follow-on lines continue the
//!   item; deeper bullets nest.
//! - **Cover**: a "Month YYYY" line on page 1 is the draft's date; the
//!   larger line under the cover title is the subtitle (when the Info
//!   dictionary gives none); the largest first-page text is the title when
//!   the metadata has none.
//! - **Paragraphs**: a new one starts after a vertical gap larger than the
//!   usual line spacing, a first-line indent, a size change, or a line that
//!   ended with room for the next word. End-of-line hyphens are joined unless
//!   the hyphenated form occurs elsewhere in the document ("co-facilitator").

use super::content::{Line, Span};
use crate::model::{Block, Document, Inline, List, ListItem, Location, Note, NoteKind};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;
use unicode_normalization::UnicodeNormalization;

/// One outline entry, as lopdf's `get_toc` gives it.
#[derive(Debug, Clone)]
pub struct TocEntry {
    pub level: usize,
    pub title: String,
    pub page: u32,
}

#[derive(Debug, Clone, PartialEq)]
enum Role {
    Body,
    Furniture,
    Note,
    /// First line of a heading: level and full heading text.
    Heading(u8, String),
    /// Further lines of a heading.
    HeadingCont,
}

struct L {
    line: Line,
    role: Role,
}

static PAGE_NO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\s*(?:[-–—]\s*)?(?:(?:page|p\.|pg\.?|seite|página|pagina)\s*)?(?:\d{1,4}|[ivxlc]{1,7})(?:\s*(?:of|/|de|von|sur)\s*\d{1,4})?(?:\s*[-–—])?\s*$",
    )
    .expect("static regex")
});
static NOTE_START: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(\d{1,3})[.)]?\s+(\S.*)$").expect("static regex"));
static ORDERED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*(?:\d{1,2}|[a-z])[.)]\s+\S").expect("static regex"));

const BULLETS: &[char] = &[
    '•', '◦', '▪', '▫', '‣', '–', '-', '*', '·', '○', '■', '□', '➢', '►', '✓', '\u{F0B7}', '⁃',
    '∙', '●',
];

use crate::ingest::labels::split as split_label;

fn norm(s: &str) -> String {
    s.nfkc()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn round_half(x: f32) -> i32 {
    (x * 2.0).round() as i32
}

/// Build blocks and notes from the lines of every page.
pub fn build(
    pages: Vec<Vec<Line>>,
    heights: &[(f32, f32)],
    toc: Option<&[TocEntry]>,
    doc: &mut Document,
) {
    let npages = pages.len();
    let mut all: Vec<Vec<L>> = pages
        .into_iter()
        .map(|ls| {
            ls.into_iter()
                .map(|line| L {
                    line,
                    role: Role::Body,
                })
                .collect()
        })
        .collect();

    mark_furniture(&mut all, heights, npages);
    let body = body_size(&all);
    let notes = mark_notes(&mut all, body);
    let outline_used = match toc {
        Some(t) if !t.is_empty() => {
            let missed = mark_outline_headings(&mut all, t);
            for m in missed {
                doc.warnings.push(m);
            }
            true
        }
        _ => false,
    };
    if !outline_used {
        let n = mark_font_headings(&mut all, body);
        if n > 0 {
            doc.warnings.push(
                "no PDF outline (bookmarks): heading levels inferred from font size and weight"
                    .into(),
            );
        }
    }
    cover_subtitle(&all, body, &mut doc.meta);
    let note_ids: HashSet<String> = notes.iter().map(|n| n.id.clone()).collect();
    let (blocks, sizes) = flow(&all, body, &note_ids);
    doc.blocks = blocks;
    doc.notes = notes;
    // A title typed on the cover: paragraphs set in bold or larger than
    // body text, ranked by size.
    crate::ingest::front::title_page(doc, &|i, b| {
        let size = *sizes.get(&i)?;
        let bold = matches!(b, Block::Paragraph { inlines, .. } if crate::ingest::front::all_bold(inlines));
        (bold || size >= 1.25 * body).then(|| round_half(size).max(0) as u32 * 2 + u32::from(bold))
    });
}

fn zone(l: &Line, heights: &[(f32, f32)]) -> Option<bool> {
    let (bottom, h) = heights
        .get(l.page.saturating_sub(1) as usize)
        .copied()
        .unwrap_or((0.0, 792.0));
    let rel = (l.y - bottom) / h;
    if rel > 0.91 {
        Some(true)
    } else if rel < 0.09 {
        Some(false)
    } else {
        None
    }
}

fn furniture_key(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn mark_furniture(all: &mut [Vec<L>], heights: &[(f32, f32)], npages: usize) {
    let mut count: HashMap<(bool, String), HashSet<u32>> = HashMap::new();
    for page in all.iter() {
        for l in page {
            if let Some(top) = zone(&l.line, heights) {
                count
                    .entry((top, furniture_key(&l.line.text())))
                    .or_default()
                    .insert(l.line.page);
            }
        }
    }
    let need = 3.min(npages).max(2).max(npages.div_ceil(2).min(3));
    for page in all.iter_mut() {
        for l in page.iter_mut() {
            if let Some(top) = zone(&l.line, heights) {
                let t = l.line.text();
                let repeated = npages >= 2
                    && count
                        .get(&(top, furniture_key(&t)))
                        .is_some_and(|p| p.len() >= need);
                if repeated || PAGE_NO.is_match(&t) {
                    l.role = Role::Furniture;
                }
            }
        }
    }
}

/// The most common font size by characters (rounded to half points).
fn body_size(all: &[Vec<L>]) -> f32 {
    let mut hist: HashMap<i32, usize> = HashMap::new();
    for l in all.iter().flatten().filter(|l| l.role == Role::Body) {
        *hist.entry(round_half(l.line.size)).or_default() += l.line.main_text().chars().count();
    }
    hist.into_iter()
        .max_by_key(|&(k, n)| (n, -k))
        .map(|(k, _)| k as f32 / 2.0)
        .unwrap_or(10.0)
}

fn note_start(l: &Line) -> Option<(String, String)> {
    let first = l.spans.first()?;
    if first.sup {
        let id: String = first.text.trim().to_string();
        if !id.is_empty() && id.len() <= 3 && id.chars().all(|c| c.is_ascii_digit()) {
            let rest: String = l.spans[1..].iter().map(|s| s.text.as_str()).collect();
            return Some((id, rest.trim().to_string()));
        }
    }
    let t = l.text();
    NOTE_START
        .captures(&t)
        .map(|c| (c[1].to_string(), c[2].to_string()))
}

/// A note whose text stops mid-sentence continues on a later page.
fn unfinished(n: &Note) -> bool {
    n.text
        .trim_end()
        .chars()
        .last()
        .is_some_and(|c| c.is_alphabetic() || c == ',' || c == ';')
}

fn finished(l: &Line) -> bool {
    l.main_text()
        .trim_end()
        .ends_with(['.', '!', '?', ':', '”', '’', '"'])
}

/// End of the run of lines starting at `from` that are spaced like the lines
/// of one paragraph.
fn run_end(page: &[L], from: usize, spacing: f32) -> usize {
    let mut e = from + 1;
    while e < page.len()
        && page[e].role == Role::Body
        && page[e - 1].line.y - page[e].line.y > 0.0
        && page[e - 1].line.y - page[e].line.y <= 1.3 * spacing
    {
        e += 1;
    }
    e
}

fn mark_notes(all: &mut [Vec<L>], body: f32) -> Vec<Note> {
    let spacing = stats(all, body).spacing;
    let mut notes: Vec<Note> = Vec::new();
    let mut prev_body_finished = false;
    let starts_lower = |l: &Line| l.main_text().trim_start().starts_with(char::is_lowercase);
    let append = |n: &mut Note, page: &mut [L], from: usize, to: usize| {
        for l in &mut page[from..to] {
            join_text(&mut n.text, &l.line.text(), &HashSet::new());
            l.role = Role::Note;
        }
    };
    // The note still open (unfinished) after the previous page.
    let mut open: Option<usize> = None;
    for page in all.iter_mut() {
        let first_new = notes.len();
        let mut touched = open;
        // A note left unfinished may continue at the top of this page, before
        // body text that starts afresh (seen in LibreOffice output).
        if prev_body_finished
            && let Some(o) = open
            && let Some(f) = page.iter().position(|l| l.role == Role::Body)
            && starts_lower(&page[f].line)
            && page[f].line.size <= body * 1.05
        {
            let e = run_end(page, f, spacing);
            append(&mut notes[o], page, f, e);
        }
        // The footnote area starts at the first line that opens with a note
        // number: a superscript number at body size or smaller, or a plain
        // number in a smaller font.
        let starts = |l: &Line| {
            let sup_first = l.spans.first().is_some_and(|s| s.sup);
            l.size <= body * 1.05 && (sup_first || l.size < 0.92 * body) && note_start(l).is_some()
        };
        let k = page
            .iter()
            .position(|l| l.role == Role::Body && starts(&l.line));
        if let Some(k) = k
            && !page[k..]
                .iter()
                .any(|l| l.role == Role::Body && l.line.size > body * 1.1)
        {
            // A note continued from an earlier page sits just above the first
            // numbered note: one block of lines, starting mid-sentence.
            let mut j = k;
            while j > 0
                && page[j - 1].role == Role::Body
                && page[j - 1].line.size <= body * 1.05
                && (j == k || page[j - 1].line.y - page[j].line.y <= 1.3 * spacing)
            {
                j -= 1;
            }
            let above_finished = match j.checked_sub(1) {
                Some(a) => page[a].role != Role::Body || finished(&page[a].line),
                None => prev_body_finished,
            };
            if j < k
                && above_finished
                && let Some(o) = open
                && unfinished(&notes[o])
                && starts_lower(&page[j].line)
            {
                append(&mut notes[o], page, j, k);
            }
            for l in page[k..].iter_mut().filter(|l| l.role == Role::Body) {
                match note_start(&l.line) {
                    Some((id, text)) if starts(&l.line) => notes.push(Note {
                        id,
                        kind: NoteKind::Footnote,
                        inlines: Vec::new(),
                        text,
                        loc: Some(Location::Page(l.line.page)),
                    }),
                    _ => {
                        if let Some(n) = notes.last_mut() {
                            join_text(&mut n.text, &l.line.text(), &HashSet::new());
                        }
                    }
                }
                l.role = Role::Note;
            }
        }
        if notes.len() > first_new {
            touched = Some(notes.len() - 1);
        }
        // The note left open: the last unfinished one among those this page touched.
        open = (first_new..notes.len())
            .rev()
            .chain(open)
            .find(|&i| unfinished(&notes[i]))
            .or(touched.filter(|&i| unfinished(&notes[i])));
        if let Some(l) = page.iter().rev().find(|l| l.role == Role::Body) {
            prev_body_finished = finished(&l.line);
        }
    }
    notes
}

/// Append `next` to `acc` as the following line: a space, or nothing when an
/// end-of-line hyphen is joined.
fn join_text(acc: &mut String, next: &str, keep_hyphen: &HashSet<String>) {
    let next = next.trim_start();
    if acc.is_empty() {
        acc.push_str(next);
        return;
    }
    if let Some(join) = hyphen_join(acc, next, keep_hyphen) {
        if !join {
            acc.pop();
        }
        acc.push_str(next);
        return;
    }
    if !acc.ends_with(' ') {
        acc.push(' ');
    }
    acc.push_str(next);
}

/// `Some(true)`: keep the hyphen, no space; `Some(false)`: drop the hyphen,
/// no space; `None`: not a hyphenated line end.
fn hyphen_join(acc: &str, next: &str, keep_hyphen: &HashSet<String>) -> Option<bool> {
    let last = acc.rsplit(char::is_whitespace).next().unwrap_or("");
    let first = next.chars().next()?;
    // A URL broken at a line end: glue the pieces back together.
    if (last.starts_with("http") || last.starts_with("www."))
        && last.contains('/')
        && !first.is_whitespace()
    {
        let glue = last.ends_with(['/', '?', '=', '&', '_', '-', '.', '#', '%'])
            || next.starts_with(['/', '?', '=', '&', '_', '#', '%']);
        if glue {
            return Some(true);
        }
    }
    let before = acc.strip_suffix('-')?;
    let left: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric())
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    if left.is_empty() || !first.is_alphanumeric() {
        return None;
    }
    if !first.is_lowercase() || !left.chars().all(char::is_alphabetic) {
        // "2015-" + "2016", "Anglo-" + "Saxon": a real hyphen.
        return Some(true);
    }
    let right: String = next
        .chars()
        .take_while(|c| c.is_alphabetic() || *c == '-')
        .collect();
    let hyph = format!("{}-{}", left.to_lowercase(), right.to_lowercase());
    Some(keep_hyphen.contains(&hyph))
}

fn mark_outline_headings(all: &mut [Vec<L>], toc: &[TocEntry]) -> Vec<String> {
    let mut missed = Vec::new();
    // Cursor: (page index, line index) of the last match, so repeated titles match in order.
    let mut cursor = (0usize, 0usize);
    for e in toc {
        let want = norm(&e.title);
        if want.is_empty() {
            continue;
        }
        let p = e.page.saturating_sub(1) as usize;
        let level = e.level.clamp(1, 6) as u8;
        let mut found = None;
        // The entry's page first, then the next one (destinations may point just above).
        'pages: for pi in [p, p + 1] {
            let Some(page) = all.get(pi) else { continue };
            let start = if pi == cursor.0 { cursor.1 } else { 0 };
            for i in start..page.len() {
                if page[i].role != Role::Body {
                    continue;
                }
                // The line may carry a numbering label the outline title lacks ("1 Foo").
                let first = page[i].line.main_text();
                let (label, rest) = split_label(&first);
                let mut accs = vec![(String::new(), None)];
                if let Some(lb) = label {
                    accs.push((norm(&rest), Some(lb)));
                }
                for (k, l) in page[i..].iter().enumerate().take(4) {
                    if l.role != Role::Body {
                        break;
                    }
                    let t = norm(&l.line.main_text());
                    let mut alive = false;
                    for (idx, (acc, lb)) in accs.iter_mut().enumerate() {
                        if !(k == 0 && idx == 1) {
                            acc.push_str(&t);
                        }
                        if *acc == want {
                            found = Some((pi, i, k + 1, lb.clone()));
                            break 'pages;
                        }
                        alive |= want.starts_with(acc.as_str());
                    }
                    if !alive {
                        break;
                    }
                }
            }
        }
        match found {
            Some((pi, i, n, line_label)) => {
                let mut title = e.title.split_whitespace().collect::<Vec<_>>().join(" ");
                if let Some(lb) = line_label {
                    title = format!("{lb} {title}");
                }
                all[pi][i].role = Role::Heading(level, title);
                for l in &mut all[pi][i + 1..i + n] {
                    l.role = Role::HeadingCont;
                }
                cursor = (pi, i + n);
            }
            None => {
                // Not found as a line: place it before the first body line of its page.
                let Some(page) = all.get_mut(p) else { continue };
                if let Some(l) = page.iter_mut().find(|l| l.role == Role::Body) {
                    // Keep the line's own text as a paragraph: insert a zero-line heading
                    // by cloning the line as a heading marker in front.
                    let mut marker = l.line.clone();
                    marker.spans = vec![Span {
                        text: String::new(),
                        bold: false,
                        italic: false,
                        sup: false,
                    }];
                    let idx = page.iter().position(|x| x.role == Role::Body).unwrap_or(0);
                    page.insert(
                        idx,
                        L {
                            line: marker,
                            role: Role::Heading(level, e.title.trim().to_string()),
                        },
                    );
                }
                missed.push(format!(
                    "outline entry \"{}\" not found as text on page {}; placed at the top of that page",
                    e.title.trim(),
                    e.page
                ));
            }
        }
    }
    missed
}

fn is_bullet_line(t: &str) -> bool {
    let t = t.trim_start();
    let mut cs = t.chars();
    match (cs.next(), cs.next()) {
        (Some(b), Some(n)) if BULLETS.contains(&b) => {
            n.is_whitespace() && cs.any(|c| c.is_alphanumeric())
        }
        _ => false,
    }
}

fn mark_font_headings(all: &mut [Vec<L>], body: f32) -> usize {
    let key = |l: &Line| (round_half(l.size), l.bold());
    let styled = |l: &Line| l.size >= body * 1.15 || (l.bold() && l.size >= body * 0.95);
    let first_ok = |l: &Line| {
        let t = l.main_text();
        let t = t.trim();
        let n = t.chars().count();
        if n == 0 || n > 120 || !t.chars().any(char::is_alphabetic) || is_bullet_line(t) {
            return false;
        }
        // A heading does not start in lower case unless it is labelled ("a. Scope").
        if t.starts_with(char::is_lowercase) && split_label(t).0.is_none() {
            return false;
        }
        styled(l)
    };
    // Candidate headings: runs of up to 3 lines of one style.
    let mut heads: Vec<(usize, usize, usize, (i32, bool))> = Vec::new(); // page, first, count, style
    for (pi, page) in all.iter().enumerate() {
        let mut i = 0;
        while i < page.len() {
            let l = &page[i];
            if l.role != Role::Body || !first_ok(&l.line) {
                i += 1;
                continue;
            }
            let k = key(&l.line);
            let mut n = 1;
            while i + n < page.len()
                && page[i + n].role == Role::Body
                && key(&page[i + n].line) == k
                && !is_bullet_line(&page[i + n].line.text())
                && page[i + n - 1].line.y - page[i + n].line.y < 1.8 * page[i + n].line.size
            {
                n += 1;
            }
            let text: String = page[i..i + n]
                .iter()
                .map(|l| l.line.main_text())
                .collect::<Vec<_>>()
                .join(" ");
            let larger = l.line.size >= body * 1.15;
            let plausible = n <= 3
                && text.chars().count() <= 200
                && (larger || n <= 2 && !text.trim_end().ends_with(['.', ',', ';']));
            if plausible {
                heads.push((pi, i, n, k));
            }
            i += n;
        }
    }
    // Cover text is not a heading: what stands on the first page above its
    // first line of body text, in a style not used further on (title,
    // subtitle). In a longer document (three pages or more), so is any style
    // seen only on the first page (a contents title).
    let in_head = |i: usize| {
        heads
            .iter()
            .any(|h| h.0 == 0 && (h.1..h.1 + h.2).contains(&i))
    };
    let first_body = all.first().and_then(|page| {
        (0..page.len()).find(|&i| {
            page[i].role == Role::Body && (page[i].line.size - body).abs() < 0.6 && !in_head(i)
        })
    });
    let on_cover =
        |h: &(usize, usize, usize, (i32, bool))| h.0 == 0 && first_body.is_none_or(|b| h.1 < b);
    let after_cover: HashSet<(i32, bool)> =
        heads.iter().filter(|h| !on_cover(h)).map(|h| h.3).collect();
    let later: HashSet<(i32, bool)> = heads.iter().filter(|h| h.0 > 0).map(|h| h.3).collect();
    let long = all.len() >= 3;
    heads.retain(|h| {
        let cover = on_cover(h) && !after_cover.contains(&h.3);
        let first_page_only = long && !later.contains(&h.3);
        !cover && !first_page_only
    });
    let mut styles: Vec<(i32, bool)> = heads.iter().map(|h| h.3).collect();
    styles.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    styles.dedup();
    for &(pi, i, n, k) in &heads {
        let rank = styles.iter().position(|s| *s == k).unwrap_or(0);
        let level = (rank + 1).min(6) as u8;
        let text = all[pi][i..i + n]
            .iter()
            .map(|l| l.line.main_text().trim().to_string())
            .collect::<Vec<_>>()
            .join(" ");
        all[pi][i].role = Role::Heading(level, text);
        for l in &mut all[pi][i + 1..i + n] {
            l.role = Role::HeadingCont;
        }
    }
    heads.len()
}

/// The line under the cover title that is larger than body text becomes the
/// subtitle when none is declared.
fn cover_subtitle(all: &[Vec<L>], body: f32, meta: &mut crate::model::Metadata) {
    let Some(page) = all.first() else { return };
    if meta.subtitle.is_some() {
        return;
    }
    let max = page.iter().map(|l| l.line.size).fold(0.0f32, f32::max);
    if max < 1.3 * body {
        return;
    }
    let Some(last_title) = page.iter().rposition(|l| (l.line.size - max).abs() < 0.25) else {
        return;
    };
    let sub: Vec<String> = page[last_title + 1..]
        .iter()
        .take_while(|l| {
            l.line.size >= 1.15 * body && l.line.size < max - 0.25 && l.role == Role::Body
        })
        .map(|l| l.line.main_text().trim().to_string())
        .collect();
    if !sub.is_empty() && sub.len() <= 3 {
        meta.subtitle = Some(sub.join(" "));
    }
}

/// Hyphenated words that occur inside lines (not split at a line end).
fn hyphenated_words(all: &[Vec<L>]) -> HashSet<String> {
    let mut set = HashSet::new();
    for l in all.iter().flatten() {
        let t = l.line.text();
        let words: Vec<&str> = t.split_whitespace().collect();
        let last = words.len().saturating_sub(1);
        for (i, w) in words.iter().enumerate() {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric());
            if w.contains('-') && !(i == last && t.trim_end().ends_with('-')) {
                set.insert(w.to_lowercase());
            }
        }
    }
    set
}

struct Stats {
    left: f32,
    right: f32,
    spacing: f32,
}

fn stats(all: &[Vec<L>], body: f32) -> Stats {
    let mut xs: HashMap<i32, usize> = HashMap::new();
    let mut x1s: Vec<f32> = Vec::new();
    let mut gaps: HashMap<i32, usize> = HashMap::new();
    for page in all {
        let mut prev: Option<&Line> = None;
        for l in page.iter().filter(|l| l.role == Role::Body) {
            if (l.line.size - body).abs() < 0.6 {
                *xs.entry(l.line.x0.round() as i32).or_default() += 1;
                x1s.push(l.line.x1);
                if let Some(p) = prev {
                    let g = p.y - l.line.y;
                    if g > 0.0 {
                        *gaps.entry(round_half(g)).or_default() += 1;
                    }
                }
                prev = Some(&l.line);
            }
        }
    }
    x1s.sort_by(f32::total_cmp);
    let right = x1s.get(x1s.len() * 9 / 10).copied().unwrap_or(500.0);
    let left = xs
        .into_iter()
        .max_by_key(|&(x, n)| (n, -x))
        .map(|(x, _)| x as f32)
        .unwrap_or(72.0);
    let spacing = gaps
        .into_iter()
        .max_by_key(|&(g, n)| (n, -g))
        .map(|(g, _)| g as f32 / 2.0)
        .unwrap_or(body * 1.2)
        .max(body);
    Stats {
        left,
        right,
        spacing,
    }
}

/// Inlines of a line's spans; superscript digits become note references.
fn line_inlines(l: &Line, note_ids: &HashSet<String>, last_ref: &mut u32, out: &mut Vec<Inline>) {
    for s in &l.spans {
        let digits = s.text.trim();
        if s.sup && !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit() || c == ',') {
            let ids = split_refs(digits, note_ids, last_ref);
            if !ids.is_empty() {
                if s.text.ends_with(' ') {
                    out.extend(ids.into_iter().map(|id| Inline::NoteRef { id }));
                    push_text(out, " ", s.italic, s.bold);
                } else {
                    out.extend(ids.into_iter().map(|id| Inline::NoteRef { id }));
                }
                continue;
            }
        }
        push_text(out, &s.text, s.italic, s.bold);
    }
}

/// "45" → ["4", "5"] when notes 4 and 5 exist (preferring the next expected number).
fn split_refs(s: &str, ids: &HashSet<String>, last: &mut u32) -> Vec<String> {
    let mut out = Vec::new();
    for part in s.split(',').filter(|p| !p.is_empty()) {
        let mut rest = part;
        while !rest.is_empty() {
            let expect = (*last + 1).to_string();
            let take = if rest.starts_with(&expect) && ids.contains(&expect) {
                expect.len()
            } else if ids.contains(rest) {
                rest.len()
            } else if let Some(k) = (1..rest.len()).rev().find(|&k| ids.contains(&rest[..k])) {
                k
            } else {
                return Vec::new();
            };
            let id = &rest[..take];
            *last = id.parse().unwrap_or(*last);
            out.push(id.to_string());
            rest = &rest[take..];
        }
    }
    out
}

fn push_text(out: &mut Vec<Inline>, text: &str, emph: bool, strong: bool) {
    if text.is_empty() {
        return;
    }
    if let Some(Inline::Text {
        text: t,
        emph: e,
        strong: s,
    }) = out.last_mut()
        && *e == emph
        && *s == strong
    {
        t.push_str(text);
        return;
    }
    out.push(Inline::Text {
        text: text.to_string(),
        emph,
        strong,
    });
}

/// Append a line's inlines to a paragraph's, joining with a space or an
/// end-of-line hyphen join.
fn append_line(
    acc: &mut Vec<Inline>,
    l: &Line,
    keep: &HashSet<String>,
    note_ids: &HashSet<String>,
    last_ref: &mut u32,
) {
    let mut next = Vec::new();
    line_inlines(l, note_ids, last_ref, &mut next);
    // Trim the line's leading space.
    if let Some(Inline::Text { text, .. }) = next.first_mut() {
        *text = text.trim_start().to_string();
    }
    if !acc.is_empty() {
        let first = next.iter().find_map(|i| match i {
            Inline::Text { text, .. } => Some(text.clone()),
            _ => None,
        });
        let mut joined = false;
        if let (Some(Inline::Text { text, .. }), Some(f)) = (acc.last_mut(), first.as_deref()) {
            let trimmed = text.trim_end().to_string();
            if let Some(keep_it) = hyphen_join(&trimmed, f, keep) {
                *text = trimmed;
                if !keep_it {
                    text.pop();
                }
                joined = true;
            }
        }
        if !joined {
            match acc.last_mut() {
                Some(Inline::Text { text, .. }) => {
                    let t = text.trim_end().to_string();
                    *text = t;
                    text.push(' ');
                }
                _ => acc.push(Inline::text(" ")),
            }
        }
    }
    for i in next {
        match i {
            Inline::Text { text, emph, strong } => push_text(acc, &text, emph, strong),
            other => acc.push(other),
        }
    }
}

fn trim_inlines(mut v: Vec<Inline>) -> Vec<Inline> {
    if let Some(Inline::Text { text, .. }) = v.last_mut() {
        *text = text.trim_end().to_string();
    }
    if let Some(Inline::Text { text, .. }) = v.first_mut() {
        *text = text.trim_start().to_string();
    }
    v.retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
    v
}

/// An open list: stack of (indent, list) for nesting.
struct OpenList {
    loc: Location,
    stack: Vec<(f32, List)>,
    /// Indent of the current item's bullet.
    item_x: f32,
}

impl OpenList {
    fn add_item(&mut self, indent: f32, ordered: bool, inl: Vec<Inline>, tol: f32) {
        while self.stack.len() > 1 && indent < self.stack.last().map_or(0.0, |s| s.0) - tol {
            self.pop_level();
        }
        let top = self.stack.last().map_or(0.0, |s| s.0);
        if indent > top + tol && self.stack.last().is_some_and(|s| !s.1.items.is_empty()) {
            self.stack.push((
                indent,
                List {
                    ordered,
                    start: None,
                    numbering: None,
                    items: Vec::new(),
                },
            ));
        }
        if let Some((_, l)) = self.stack.last_mut() {
            l.items.push(ListItem {
                inlines: inl,
                children: Vec::new(),
            });
        }
        self.item_x = indent;
    }
    fn current(&mut self) -> Option<&mut ListItem> {
        self.stack.last_mut().and_then(|s| s.1.items.last_mut())
    }
    fn pop_level(&mut self) {
        if let Some((_, done)) = self.stack.pop()
            && let Some((_, parent)) = self.stack.last_mut()
            && let Some(item) = parent.items.last_mut()
        {
            item.children.push(done);
        }
    }
    fn finish(mut self) -> Block {
        while self.stack.len() > 1 {
            self.pop_level();
        }
        let list = self.stack.pop().map(|s| s.1).unwrap_or_default();
        let mut list = list;
        for it in &mut list.items {
            it.inlines = trim_inlines(std::mem::take(&mut it.inlines));
        }
        Block::List {
            loc: self.loc,
            list,
        }
    }
}

fn strip_marker(l: &Line) -> (Line, bool) {
    let mut l = l.clone();
    let t = l.text();
    let ordered = !is_bullet_line(&t);
    let marker_len = if ordered {
        t.trim_start().find(char::is_whitespace).unwrap_or(0)
    } else {
        t.trim_start().chars().next().map_or(0, char::len_utf8)
    };
    let mut skip = marker_len + (t.len() - t.trim_start().len());
    for s in &mut l.spans {
        let n = skip.min(s.text.len());
        if s.text.is_char_boundary(n) {
            s.text = s.text[n..].to_string();
        }
        skip -= n;
        if skip == 0 {
            break;
        }
    }
    if let Some(s) = l.spans.iter_mut().find(|s| !s.text.is_empty()) {
        s.text = s.text.trim_start().to_string();
    }
    (l, ordered)
}

/// The blocks, and the size of the first line of each paragraph (by block
/// index).
fn flow(
    all: &[Vec<L>],
    body: f32,
    note_ids: &HashSet<String>,
) -> (Vec<Block>, HashMap<usize, f32>) {
    let st = stats(all, body);
    let keep = hyphenated_words(all);
    let width = (st.right - st.left).max(1.0);
    let mut blocks = Vec::new();
    let mut para: Option<(Location, Vec<Inline>, f32)> = None;
    let mut sizes = HashMap::new();
    let mut list: Option<OpenList> = None;
    let mut prev: Option<&Line> = None;
    let mut last_ref = 0u32;
    let mut pending_bullet: Option<f32> = None;

    let flush_para = |para: &mut Option<(Location, Vec<Inline>, f32)>,
                      blocks: &mut Vec<Block>,
                      sizes: &mut HashMap<usize, f32>| {
        if let Some((loc, inl, size)) = para.take() {
            let inl = trim_inlines(inl);
            if !inl.is_empty() {
                sizes.insert(blocks.len(), size);
                blocks.push(Block::Paragraph { loc, inlines: inl });
            }
        }
    };

    for l in all.iter().flatten() {
        match &l.role {
            Role::Furniture | Role::Note | Role::HeadingCont => continue,
            Role::Heading(level, text) => {
                flush_para(&mut para, &mut blocks, &mut sizes);
                if let Some(ol) = list.take() {
                    blocks.push(ol.finish());
                }
                let (label, text) = split_label(text);
                blocks.push(Block::Heading {
                    loc: Location::Page(l.line.page),
                    level: *level,
                    label,
                    text,
                });
                prev = None;
                continue;
            }
            Role::Body => {}
        }
        let c = &l.line;
        let t = c.text();
        let size = c.size.max(1.0);
        // Does this line continue what came before?
        let breaks = match prev {
            None => true,
            Some(p) => {
                let first_word =
                    t.split_whitespace().next().map_or(0, |w| w.chars().count()) as f32;
                let room = st.right - p.x1;
                let short = room > (first_word + 1.5) * 0.5 * size && room > 0.08 * width;
                if p.page != c.page {
                    let pt = p.text();
                    let pt = pt.trim_end();
                    short
                        || pt.ends_with(['.', '!', '?', ':']) && !t.starts_with(char::is_lowercase)
                } else {
                    let gap = p.y - c.y;
                    gap < 0.0
                        || gap > 1.45 * st.spacing.max(size * 1.05)
                        || (c.size - p.size).abs() > 0.1 * size
                        || short
                        || (c.x0 > st.left + 0.8 * size
                            && p.x0 <= st.left + 0.8 * size
                            && list.is_none())
                }
            }
        };
        // A bullet drawn on its own baseline: the next line is the item.
        let tt = t.trim();
        if tt.chars().count() == 1 && tt.starts_with(BULLETS) {
            pending_bullet = Some(c.x0);
            continue;
        }
        let bullet = is_bullet_line(&t);
        let ordered = !bullet && breaks && ORDERED.is_match(&t) && c.x0 >= st.left - 1.0;
        if bullet || ordered || pending_bullet.is_some() {
            flush_para(&mut para, &mut blocks, &mut sizes);
            let (stripped, ord) = match pending_bullet {
                Some(_) => (c.clone(), false),
                None => strip_marker(c),
            };
            let indent = pending_bullet.take().unwrap_or(c.x0);
            let mut inl = Vec::new();
            line_inlines(&stripped, note_ids, &mut last_ref, &mut inl);
            let ol = list.get_or_insert_with(|| OpenList {
                loc: Location::Page(c.page),
                stack: vec![(
                    indent,
                    List {
                        ordered: ord,
                        start: None,
                        numbering: None,
                        items: Vec::new(),
                    },
                )],
                item_x: indent,
            });
            ol.add_item(indent, ord, inl, 0.5 * size);
            prev = Some(c);
            continue;
        }
        if let Some(ol) = list.as_mut() {
            let p = prev.map(|p| (p.y, p.page));
            let close = p.is_some_and(|(py, pp)| {
                pp != c.page || (py - c.y) > 0.0 && (py - c.y) < 1.45 * st.spacing.max(size * 1.05)
            });
            if c.x0 > ol.item_x + 0.4 * size && close {
                if let Some(item) = ol.current() {
                    append_line(&mut item.inlines, c, &keep, note_ids, &mut last_ref);
                }
                prev = Some(c);
                continue;
            }
            if let Some(ol) = list.take() {
                blocks.push(ol.finish());
            }
        }
        if breaks || para.is_none() {
            flush_para(&mut para, &mut blocks, &mut sizes);
            para = Some((Location::Page(c.page), Vec::new(), c.size));
        }
        if let Some((_, inl, _)) = para.as_mut() {
            append_line(inl, c, &keep, note_ids, &mut last_ref);
        }
        prev = Some(c);
    }
    flush_para(&mut para, &mut blocks, &mut sizes);
    if let Some(ol) = list.take() {
        blocks.push(ol.finish());
    }
    (blocks, sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_numbers() {
        for s in ["3", "Page 3 of 35", "- 12 -", "iv", "3 / 35"] {
            assert!(PAGE_NO.is_match(s), "{s}");
        }
        for s in ["2020 was a year", "Page three"] {
            assert!(!PAGE_NO.is_match(s), "{s}");
        }
    }

    #[test]
    fn hyphens() {
        let keep: HashSet<String> = ["co-facilitator".to_string()].into();
        let mut a = "the organi-".to_string();
        join_text(&mut a, "sation works", &keep);
        assert_eq!(a, "the organisation works");
        let mut a = "MAG Co-".to_string();
        join_text(&mut a, "facilitator BPF", &keep);
        assert_eq!(a, "MAG Co-facilitator BPF");
        let mut a = "(2015-".to_string();
        join_text(&mut a, "2016)", &keep);
        assert_eq!(a, "(2015-2016)");
    }

    #[test]
    fn refs_split() {
        let ids: HashSet<String> = ["3", "4", "5", "12"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let mut last = 3;
        assert_eq!(split_refs("45", &ids, &mut last), ["4", "5"]);
        assert_eq!(split_refs("12", &ids, &mut last), ["12"]);
        assert!(split_refs("99", &ids, &mut last).is_empty());
    }
}
