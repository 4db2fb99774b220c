//! Structure for plain text that has no Markdown headings: drafts pasted
//! out of Word or a PDF, where headings are lines like `A. Introduction`,
//! `a. IGF Best Practice Forums`, `IV. BPF Outputs`, `Annexe 1 …` or short
//! standalone lines such as `Observations`.
//!
//! Takes the top-level [`Node`]s of a document with (almost) no `#`/setext
//! headings and the metadata; turns some paragraphs into headings and fills
//! title, date and editors. It runs only when the caller decides the
//! document needs it and always leaves a warning saying so.
//!
//! The rules, in order:
//!
//! 1. **Title page.** The leading run of short paragraphs (at most 8, each
//!    line ≤ 12 words) that ends in a line which is only a date
//!    (`September 2020`) is the title page: the date goes to `meta.date`,
//!    the other lines (minus a short kicker such as `IGF 2020`) to
//!    `meta.title`; the blocks are removed. A later verbatim repeat of two
//!    or more of its paragraphs (a second title page) is removed too.
//! 2. **Typed table of contents.** A paragraph of ≥ 3 lines, two thirds of
//!    which end in a tab, dot leaders or wide space and a page number, is a
//!    typed TOC and is removed, with a short `Contents` line just before it.
//! 3. **Candidates.** Only a top-level paragraph written on one source line
//!    (or a one-item ordered list, for `1. Introduction`) can be a heading.
//!    It must not end in `. , ; : ! ?`, hold a URL, start with a
//!    superscript numeral or look like a TOC entry. Kinds:
//!    - *labelled*: `A.`, `a.`, `I.`/`i.`, `2.1` followed by text that does
//!      not start in lower case, ≤ 20 words; `1.` (a one-item list) only
//!      with ≤ 10 words, no comma, and a later `2.` of the same kind;
//!    - *keyword*: `Annexe 1`, `Appendix B`, `Chapter 3`, `Part II`,
//!      `Section 4` (and `Annexe: …`);
//!    - *part name*: a whole line such as `Acknowledgements`, `Foreword`,
//!      `Executive summary`, `Annexes`, `References`;
//!    - *short line*: 1–12 words, ≤ 90 characters, starting with a capital,
//!      no `: ` inside, not ending in a function word (`of`, `the`, `and` …),
//!      not a date; or a paragraph of at most two lines set wholly in bold.
//! 4. **Sequence.** A labelled candidate is a heading only if its number
//!    continues its style's sequence (A after nothing or after a higher
//!    heading, B after A, …); `I.`/`C.` are read as roman or letter,
//!    whichever continues a sequence. Each label style gets one level, in
//!    the order the styles first appear (`A.` 1, `a.` 2, `I.` 3). Part names
//!    are level 1; keyword headings are level 2 under a plural part name
//!    (`Annexes`) and level 1 otherwise; a short line is one level below
//!    the last labelled, keyword or part-name heading (or below a bold
//!    paragraph heading under it).
//! 5. **Context.** A candidate is a heading only if the next block is body
//!    content (paragraph, list, table, image) or a deeper heading, and a
//!    short line only if it does not sit between two short one-line
//!    paragraphs; a line of one to three words right after a longer short
//!    line heading (a status line such as `Draft`) stays text. This is what keeps runs of short lines
//!    (schedules, signatures) and lettered enumerations out of the outline.
//! 6. **Editors.** A line `Editors` / `Authors` / `Edited by` followed by a
//!    paragraph whose every line looks like a name fills `meta.authors`.

use super::convert::{Node, collapse_ws};
use crate::dates::normalise_date;
use crate::ingest::labels::{self, Label, Style};
use crate::model::{Block, Inline, Location, Metadata};
use regex::Regex;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Whole-line names of document parts; always level 1.
const PART_NAMES: &[&str] = &[
    "acknowledgements",
    "acknowledgments",
    "foreword",
    "preface",
    "abstract",
    "executive summary",
    "introduction",
    "conclusion",
    "conclusions",
    "concluding remarks",
    "annex",
    "annexes",
    "appendix",
    "appendices",
    "references",
    "bibliography",
    "glossary",
    "acronyms",
    "abbreviations",
    "list of acronyms",
    "list of abbreviations",
    "table of contents",
    "contents",
];
const PLURAL_PARTS: &[&str] = &["annexes", "appendices"];

/// Words a heading does not end with (a line ending in one is a sentence fragment).
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "of", "to", "and", "or", "for", "with", "in", "on", "at", "by", "from", "as",
    "that", "which", "is", "are", "was", "were", "be", "this", "these", "its", "their",
];

const EDITOR_WORDS: &[&str] = &[
    "editors",
    "editor",
    "edited by",
    "authors",
    "author",
    "written by",
    "prepared by",
];

static TOC_ENTRY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\t|\s{3,}|\.{3,}\s*|…\s*)\d{1,4}\s*$").expect("static regex"));

/// What the layer did, for the warning.
#[derive(Debug, Default)]
pub struct Report {
    pub headings: usize,
    pub title_page: Option<(u32, u32)>,
    pub toc: Option<(u32, u32)>,
}

/// Apply the rules to `nodes` and `meta`; returns what was done.
pub fn infer(nodes: &mut Vec<Node>, meta: &mut Metadata) -> Report {
    let mut report = Report::default();
    if meta.title.is_none() {
        title_page(nodes, meta, &mut report);
    }
    remove_toc(nodes, &mut report);
    report.headings = headings(nodes);
    editors(nodes, meta);
    report
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn first_alpha_is_upper(s: &str) -> bool {
    s.chars()
        .find(|c| c.is_alphanumeric())
        .is_some_and(|c| c.is_uppercase() || c.is_numeric())
}

// ---------------------------------------------------------------- title page

fn title_page(nodes: &mut Vec<Node>, meta: &mut Metadata, report: &mut Report) {
    let mut date_at = None;
    for (i, n) in nodes.iter().enumerate().take(8) {
        if !matches!(n.block, Block::Paragraph { .. }) || n.quoted {
            break;
        }
        let lines = n.lines();
        if lines.iter().any(|l| words(l) > 12) || lines.len() > 4 {
            break;
        }
        if lines.len() == 1 && normalise_date(&lines[0]).is_some() {
            date_at = Some(i);
            break;
        }
    }
    let Some(d) = date_at.filter(|&d| d >= 1) else {
        return;
    };
    let mut lines: Vec<String> = nodes[..d].iter().flat_map(Node::lines).collect();
    // A short kicker (`IGF 2020`) before the title is not part of it.
    if lines.len() > 1 && words(&lines[0]) <= 3 && lines[0].chars().any(|c| c.is_ascii_digit()) {
        lines.remove(0);
    }
    let title = collapse_ws(&lines.join(" "));
    if title.is_empty() {
        return;
    }
    let date_text = nodes[d].lines().concat();
    meta.title = Some(title);
    if meta.date.is_none() {
        meta.date = normalise_date(&date_text);
    }
    report.title_page = Some((nodes[0].first_line, nodes[d].last_line));
    let texts: HashSet<String> = nodes[..d]
        .iter()
        .map(|n| collapse_ws(&n.block.plain_text()))
        .collect();
    nodes.drain(..=d);
    // A second copy of the title page (e.g. after the contents).
    let is_copy = |n: &Node| {
        matches!(n.block, Block::Paragraph { .. })
            && texts.contains(&collapse_ws(&n.block.plain_text()))
    };
    let mut i = 0;
    while i < nodes.len() {
        let run = nodes[i..].iter().take_while(|n| is_copy(n)).count();
        if run >= 2 {
            nodes.drain(i..i + run);
            break;
        }
        i += 1;
    }
}

// ---------------------------------------------------------------------- TOC

fn is_toc_block(n: &Node) -> bool {
    if !matches!(n.block, Block::Paragraph { .. }) {
        return false;
    }
    let lines = n.lines();
    lines.len() >= 3
        && lines.iter().filter(|l| TOC_ENTRY.is_match(l)).count() * 3 >= lines.len() * 2
}

fn remove_toc(nodes: &mut Vec<Node>, report: &mut Report) {
    let Some(i) = nodes.iter().position(is_toc_block) else {
        return;
    };
    let mut from = i;
    if i > 0
        && nodes[i - 1].is_single_line_paragraph()
        && nodes[i - 1]
            .block
            .plain_text()
            .to_lowercase()
            .contains("contents")
        && words(&nodes[i - 1].block.plain_text()) <= 4
    {
        from = i - 1;
    }
    report.toc = Some((nodes[from].first_line, nodes[i].last_line));
    nodes.drain(from..=i);
}

// ----------------------------------------------------------------- headings

#[derive(Debug, Clone)]
enum Cand {
    Labelled(Label),
    Keyword(Label),
    Part(String),
    Short(String),
    /// A short paragraph wholly in bold: one level above the short lines after it.
    Bold(String),
}

fn candidate(n: &Node) -> Option<Cand> {
    if n.quoted {
        return None;
    }
    // `1. Introduction` arrives as a one-item ordered list.
    if let Block::List { list, .. } = &n.block {
        if !list.ordered
            || list.items.len() != 1
            || !list.items[0].children.is_empty()
            || n.first_line != n.last_line
        {
            return None;
        }
        let text = collapse_ws(&crate::model::inlines_text(&list.items[0].inlines));
        let line = format!("{}. {text}", list.start.unwrap_or(1));
        let l = labels::parse(&line, true)?;
        // Riskier than letters: short, no comma (not a sentence).
        return (plausible_line(&text)
            && words(&text) <= 10
            && !text.contains(',')
            && first_alpha_is_upper(&l.text))
        .then_some(Cand::Labelled(l));
    }
    // A short paragraph set wholly in bold (`**IGF 2020\nToRs …**`) reads
    // as a heading too; its lines are joined.
    if let Block::Paragraph { inlines, .. } = &n.block
        && !n.is_single_line_paragraph()
    {
        let all_strong = inlines.iter().all(|i| match i {
            Inline::Text { strong, text, .. } => *strong || text.trim().is_empty(),
            _ => false,
        });
        let text = collapse_ws(&n.block.plain_text());
        let short = all_strong
            && n.last_line - n.first_line < 2
            && (1..=12).contains(&words(&text))
            && plausible_line(&text)
            && first_alpha_is_upper(&text);
        return short.then_some(Cand::Bold(text));
    }
    if !n.is_single_line_paragraph() {
        return None;
    }
    let raw = n.block.plain_text();
    if TOC_ENTRY.is_match(&raw) {
        return None;
    }
    let text = collapse_ws(&raw);
    if !plausible_line(&text) {
        return None;
    }
    if let Some(l) = labels::parse(&text, false) {
        let ok = words(&l.text) <= 20 && (l.text.is_empty() || first_alpha_is_upper(&l.text));
        return match l.readings.first() {
            Some((Style::Keyword, _)) if ok => Some(Cand::Keyword(l)),
            _ if ok && !l.text.is_empty() => Some(Cand::Labelled(l)),
            _ => None,
        };
    }
    let lower = text.to_lowercase();
    if PART_NAMES.contains(&lower.as_str()) {
        return Some(Cand::Part(text));
    }
    let last_word = lower.split_whitespace().last().unwrap_or("");
    let short = (1..=12).contains(&words(&text))
        && text.chars().count() <= 90
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || "'‘“\"(".contains(c))
        && first_alpha_is_upper(&text)
        && !text.contains(": ")
        && !FUNCTION_WORDS.contains(&last_word)
        && normalise_date(&text).is_none()
        && text.chars().any(char::is_alphabetic);
    short.then_some(Cand::Short(text))
}

/// Rules every heading line meets, whatever its kind.
fn plausible_line(text: &str) -> bool {
    !text.is_empty()
        && text.chars().count() <= 150
        && !text.ends_with(['.', ',', ';', ':', '!', '?'])
        && !text.contains("://")
        && !text.starts_with('<')
        && !text.starts_with(['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'])
}

#[derive(Default)]
struct State {
    /// Label styles in order of first appearance; index + 1 is the level.
    levels: Vec<Style>,
    /// Last ordinal seen per style in the current scope.
    last: HashMap<Style, u32>,
    /// Level of the last labelled / keyword / part-name heading (0: none yet).
    base: u8,
    /// Level of the last bold heading under `base` (0: none).
    bold: u8,
    /// The last level-1 heading was a plural part name (`Annexes`).
    in_plural_part: bool,
}

impl State {
    fn level_of(&self, s: Style) -> Option<u8> {
        self.levels
            .iter()
            .position(|&x| x == s)
            .map(|i| (i + 1).min(6) as u8)
    }

    /// The reading of a labelled candidate that continues a sequence, with its level.
    fn pick(&self, l: &Label) -> Option<(Style, u32, u8)> {
        let fits = |&(s, o): &(Style, u32)| match self.last.get(&s) {
            Some(&prev) => o == prev + 1,
            None => o == 1,
        };
        // Prefer a style with a live sequence, then one already known, then a new one.
        let r = l
            .readings
            .iter()
            .filter(|r| fits(r))
            .max_by_key(|(s, _)| (self.last.contains_key(s), self.level_of(*s).is_some()))?;
        let level = self
            .level_of(r.0)
            .unwrap_or_else(|| (self.levels.len() + 1).min(6) as u8);
        Some((r.0, r.1, level))
    }

    fn level(&self, c: &Cand) -> Option<u8> {
        match c {
            Cand::Labelled(l) => self.pick(l).map(|p| p.2),
            Cand::Keyword(_) => Some(if self.in_plural_part { 2 } else { 1 }),
            Cand::Part(_) => Some(1),
            Cand::Short(_) => Some((self.base.max(self.bold) + 1).min(6)),
            Cand::Bold(_) => Some((self.base + 1).min(6)),
        }
    }

    fn accept(&mut self, c: &Cand, level: u8) {
        // Close deeper sequences.
        let levels = self.levels.clone();
        self.last.retain(|s, _| {
            levels
                .iter()
                .position(|x| x == s)
                .is_some_and(|i| (i as u8 + 1) <= level)
        });
        match c {
            Cand::Labelled(l) => {
                if let Some((s, o, _)) = self.pick(l) {
                    if self.level_of(s).is_none() {
                        self.levels.push(s);
                    }
                    self.last.insert(s, o);
                }
                self.base = level;
            }
            Cand::Keyword(_) => self.base = level,
            Cand::Part(t) => {
                self.base = 1;
                self.in_plural_part = PLURAL_PARTS.contains(&t.to_lowercase().as_str());
            }
            Cand::Short(_) => {}
            Cand::Bold(_) => self.bold = level,
        }
        if !matches!(c, Cand::Short(_) | Cand::Bold(_)) {
            self.bold = 0;
        }
        if level == 1 && !matches!(c, Cand::Part(_)) {
            self.in_plural_part = false;
        }
    }
}

fn is_content(n: &Node) -> bool {
    matches!(
        n.block,
        Block::Paragraph { .. } | Block::List { .. } | Block::Table { .. } | Block::Image { .. }
    )
}

fn headings(nodes: &mut [Node]) -> usize {
    let mut cands: Vec<Option<Cand>> = nodes.iter().map(candidate).collect();
    // `1.` headings come in series: a `1.` with no later `2.` is a list item.
    let number = |c: &Option<Cand>, n: u32| matches!(c, Some(Cand::Labelled(l)) if l.readings == [(Style::Number, n)]);
    for i in 0..cands.len() {
        if number(&cands[i], 1) && !cands[i + 1..].iter().any(|c| number(c, 2)) {
            cands[i] = None;
        }
    }
    let mut st = State::default();
    let mut count = 0;
    let mut skip = None;
    for i in 0..nodes.len() {
        let Some(c) = &cands[i] else { continue };
        if skip == Some(i) {
            continue;
        }
        let Some(level) = st.level(c) else { continue };
        // A short line inside a run of short lines (a schedule, an
        // address) is not standalone.
        let short_line = |n: Option<&Node>| {
            n.is_some_and(|n| n.is_single_line_paragraph() && words(&n.block.plain_text()) <= 12)
        };
        if matches!(c, Cand::Short(_))
            && i > 0
            && short_line(nodes.get(i - 1))
            && short_line(nodes.get(i + 1))
        {
            continue;
        }
        // Context: what follows must be content or a deeper heading.
        let ok = match (nodes.get(i + 1), cands.get(i + 1).and_then(Option::as_ref)) {
            (None, _) => false,
            // A one- to three-word line after a longer short line is a
            // status line (`Draft`) under it, not a sibling heading.
            (Some(_), Some(Cand::Short(next)))
                if matches!(c, Cand::Short(t) if words(t) > words(next))
                    && words(next) <= 3
                    && nodes.get(i + 2).is_some_and(is_content) =>
            {
                skip = Some(i + 1);
                true
            }
            (Some(_), Some(next)) => {
                let mut probe = st.clone_for_probe();
                probe.accept(c, level);
                match probe.level(next) {
                    Some(nl) => nl > level,
                    None => true, // the next line will stay a paragraph
                }
            }
            (Some(n), None) => is_content(n),
        };
        if !ok {
            continue;
        }
        st.accept(c, level);
        let (label, text) = match c {
            Cand::Labelled(l) | Cand::Keyword(l) => (Some(l.label.clone()), l.text.clone()),
            Cand::Part(t) | Cand::Short(t) | Cand::Bold(t) => (None, t.clone()),
        };
        let line = nodes[i].first_line;
        nodes[i].block = Block::Heading {
            loc: Location::Line(line),
            level,
            label,
            text,
        };
        count += 1;
    }
    count
}

impl State {
    fn clone_for_probe(&self) -> State {
        State {
            levels: self.levels.clone(),
            last: self.last.clone(),
            base: self.base,
            bold: self.bold,
            in_plural_part: self.in_plural_part,
        }
    }
}

// ------------------------------------------------------------------ editors

fn name_like(line: &str) -> bool {
    const PARTICLES: &[&str] = &[
        "de", "van", "der", "den", "dos", "da", "von", "la", "le", "du", "al", "bin", "el", "di",
    ];
    let w: Vec<&str> = line.split_whitespace().collect();
    (2..=5).contains(&w.len())
        && !line.chars().any(|c| c.is_ascii_digit())
        && w.iter().all(|w| {
            PARTICLES.contains(&w.to_lowercase().as_str())
                || w.chars().next().is_some_and(char::is_uppercase)
        })
        && !line.ends_with(['.', ':', ';'])
}

fn editors(nodes: &[Node], meta: &mut Metadata) {
    if !meta.authors.is_empty() {
        return;
    }
    for w in nodes.windows(2) {
        let head = match &w[0].block {
            Block::Heading {
                text, label: None, ..
            } => text.clone(),
            Block::Paragraph { .. } if w[0].is_single_line_paragraph() => w[0].block.plain_text(),
            _ => continue,
        };
        let head = head.trim().trim_end_matches(':').to_lowercase();
        if !EDITOR_WORDS.contains(&head.as_str()) {
            continue;
        }
        let names: Vec<String> = match &w[1].block {
            Block::Paragraph { .. } => w[1].lines(),
            Block::List { list, .. } => list
                .items
                .iter()
                .map(|i| collapse_ws(&crate::model::inlines_text(&i.inlines)))
                .collect(),
            _ => continue,
        };
        if !names.is_empty() && names.iter().all(|n| name_like(n)) {
            meta.authors = names;
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(name_like("Markus Kummer"));
        assert!(name_like("Wout de Natris"));
        assert!(!name_like("This report was developed"));
        assert!(!name_like("September 2020"));
    }
}
