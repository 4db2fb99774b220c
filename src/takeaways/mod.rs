//! Key takeaways: the text of the two-page sheet, chosen from the report and
//! never invented.
//!
//! Takes a [`Document`] (and optionally a user's takeaways file and the
//! sections the check stage found for the output elements); gives
//! [`Takeaways`]: where the text came from, a paragraph on what the BPF did,
//! the takeaway bullets and the recommendations / next steps, each ranked.
//!
//! Sources, in order of preference:
//! 1. **An explicit section** of the report whose heading matches one of
//!    [`SECTION_ALIASES`] ("Key takeaways", "Executive summary", …). Its list
//!    items become the bullets; without lists, its sentences do.
//! 2. **A takeaways file** (`--from takeaways.md`): Markdown bullets, grouped
//!    by optional headings "Takeaways" / "Recommendations" / "Next steps".
//! 3. **Extraction** from the sections found for elements 1, 6, 8, 9 and 10.
//!    Each sentence is scored (see [`score_sentence`]): recommendation and
//!    insight cue words, a preference for 12–45 words, a bonus for the first
//!    sentences of a section and for list items, and a penalty for sentences
//!    that lean on context ("This", "It", "However", "First," at the start) or carry
//!    footnote-like trailing numbers. Sentences are picked round-robin across
//!    elements by score so that no single section fills the sheet, and are
//!    quoted as written (whitespace trimmed, footnote markers dropped).
//!
//! Element sections come from the check stage once it is available; until
//! then [`sections::from_headings`] finds them from headings (documented
//! fallback). [`sheet`] lays the result out with the render engine and
//! enforces the two-page limit, dropping the lowest-ranked items first
//! ([`Item::rank`]). [`file`] reads a user's takeaways file.

pub mod file;
pub mod sections;
pub mod sheet;

pub use sheet::{SheetError, SheetOptions, make_sheet, make_sheet_to};

use crate::model::{Block, Document, Inline, List, Location};
use serde::Serialize;
use std::ops::Range;

/// Headings that mark an explicit takeaways section (compared case-insensitively,
/// after the numbering label).
pub const SECTION_ALIASES: &[&str] = &[
    "key takeaways",
    "takeaways",
    "key messages",
    "key findings",
    "executive summary",
    "summary of recommendations",
    "summary and recommendations",
    "conclusions and recommendations",
    "conclusions",
    "concluding remarks",
];

/// Where the sheet's text came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    /// An explicit section of the report.
    Section { heading: String, loc: Location },
    /// A user-supplied takeaways file.
    File { path: String },
    /// Sentences extracted from the element sections.
    Extracted,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Section { heading, loc } => {
                write!(f, "the report's section “{heading}” ({loc})")
            }
            Source::File { path } => write!(f, "the takeaways file {path}"),
            Source::Extracted => f.write_str(
                "sentences extracted from the report's element sections (no takeaways section found)",
            ),
        }
    }
}

/// One bullet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    pub text: String,
    /// 0 = most important. The two-page fit drops the highest ranks first.
    pub rank: usize,
    /// Where in the report it was found (absent for a takeaways file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
    /// Output element the sentence was extracted for (extraction only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<u8>,
    /// Sub-items: a list that completes a sentence ending in ":".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sub: Vec<String>,
}

/// The sheet's text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Takeaways {
    pub source: Source,
    /// One paragraph on what the BPF did (methodology, element 2), if found.
    pub activities: Option<String>,
    /// A longer account of what the BPF did (up to ~180 words, from the
    /// same section), for a two-page sheet whose second page has room.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub activities_more: Option<String>,
    pub takeaways: Vec<Item>,
    /// Recommendations and next steps (elements 8 and 10).
    pub recommendations: Vec<Item>,
}

/// Block ranges the check stage found for one output element.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementSections {
    pub element: u8,
    /// Half-open ranges of indices into [`Document::blocks`].
    pub blocks: Vec<Range<usize>>,
}

/// Most bullets on the sheet before fitting.
pub const MAX_TAKEAWAYS: usize = 10;
/// Most recommendation bullets before fitting.
pub const MAX_RECOMMENDATIONS: usize = 6;

/// Choose the takeaways: an explicit section, else `from` (already ingested
/// takeaways file and its path), else extraction from `elements`.
pub fn select(
    doc: &Document,
    from: Option<(&Document, &str)>,
    elements: &[ElementSections],
) -> Takeaways {
    let activities = activities_text(doc, elements, ACTIVITIES_WORDS, 1);
    let activities_more = activities_text(doc, elements, ACTIVITIES_MORE_WORDS, 3);
    if let Some((idx, range)) = explicit_section(doc) {
        let (heading, loc) = match &doc.blocks[idx] {
            Block::Heading { text, loc, .. } => (text.clone(), *loc),
            other => (String::new(), other.loc()),
        };
        let (takeaways, mut recommendations) = items_from_blocks(&doc.blocks[range]);
        if recommendations.is_empty() {
            let quoted: Vec<&str> = takeaways.iter().map(|i| i.text.as_str()).collect();
            recommendations = extract(doc, elements, &[8, 10], MAX_RECOMMENDATIONS, &quoted);
        }
        return Takeaways {
            source: Source::Section { heading, loc },
            activities,
            activities_more,
            takeaways,
            recommendations,
        };
    }
    if let Some((file, path)) = from {
        let (takeaways, recommendations) = items_from_blocks(&file.blocks);
        return Takeaways {
            source: Source::File {
                path: path.to_string(),
            },
            activities,
            activities_more,
            takeaways: strip_locs(takeaways),
            recommendations: strip_locs(recommendations),
        };
    }
    // Recommendations first; a sentence is never both.
    let recommendations = extract(doc, elements, &[8, 10], MAX_RECOMMENDATIONS, &[]);
    let quoted: Vec<&str> = recommendations.iter().map(|i| i.text.as_str()).collect();
    Takeaways {
        source: Source::Extracted,
        activities,
        activities_more,
        takeaways: extract(doc, elements, &[1, 6, 9], MAX_TAKEAWAYS, &quoted),
        recommendations,
    }
}

fn strip_locs(items: Vec<Item>) -> Vec<Item> {
    items.into_iter().map(|i| Item { loc: None, ..i }).collect()
}

fn normalise_heading(s: &str) -> String {
    s.trim()
        .trim_end_matches([':', '.'])
        .to_lowercase()
        .replace('&', "and")
}

/// The first heading matching [`SECTION_ALIASES`] and the block range of its section.
fn explicit_section(doc: &Document) -> Option<(usize, Range<usize>)> {
    // Prefer the most specific alias: earlier aliases win over "conclusions".
    let mut best: Option<(usize, usize)> = None; // (alias index, block index)
    for (i, b) in doc.blocks.iter().enumerate() {
        if let Block::Heading { text, .. } = b {
            let h = normalise_heading(text);
            if let Some(a) = SECTION_ALIASES.iter().position(|a| *a == h)
                && best.is_none_or(|(ba, _)| a < ba)
            {
                best = Some((a, i));
            }
        }
    }
    let (_, idx) = best?;
    let range = section_range(doc, idx);
    // A heading with nothing under it is no source.
    let has_text = doc.blocks[range.clone()]
        .iter()
        .any(|b| !b.plain_text().trim().is_empty());
    has_text.then_some((idx, range))
}

/// Blocks after heading `idx` up to the next heading of the same or a higher level.
pub fn section_range(doc: &Document, idx: usize) -> Range<usize> {
    let level = match &doc.blocks[idx] {
        Block::Heading { level, .. } => *level,
        _ => return idx..idx + 1,
    };
    let end = doc.blocks[idx + 1..]
        .iter()
        .position(|b| matches!(b, Block::Heading { level: l, .. } if *l <= level))
        .map(|p| idx + 1 + p)
        .unwrap_or(doc.blocks.len());
    idx + 1..end
}

/// Split blocks into takeaways and recommendations. Sub-headings named like
/// recommendations / next steps switch the target list.
///
/// A section written mostly as lists (at least as many words in list items
/// as in paragraphs) gives one bullet per top-level list item; its
/// paragraphs are introductions and are left out. A section written mostly
/// as prose gives one bullet per sentence; a list that follows a sentence
/// ending in ":" becomes that bullet's sub-items (quoted as written).
fn items_from_blocks(blocks: &[Block]) -> (Vec<Item>, Vec<Item>) {
    let words = |pred: fn(&Block) -> bool| -> usize {
        blocks
            .iter()
            .filter(|b| pred(b))
            .map(|b| crate::model::count_words(&b.plain_text()))
            .sum()
    };
    let list_words = words(|b| matches!(b, Block::List { .. }));
    let para_words = words(|b| matches!(b, Block::Paragraph { .. }));
    let list_centric = list_words > 0 && list_words >= para_words;
    let mut take: Vec<Item> = Vec::new();
    let mut recs: Vec<Item> = Vec::new();
    let mut into_recs = false;
    for b in blocks {
        let target = if into_recs { &mut recs } else { &mut take };
        match b {
            Block::Heading { text, .. } => {
                let h = normalise_heading(text);
                into_recs = h.contains("recommendation") || h.contains("next step");
            }
            Block::List { list, loc } if list_centric => flatten_list(list, *loc, target),
            Block::List { list, loc } => {
                let subs: Vec<String> = list
                    .items
                    .iter()
                    .map(|i| quote_text(&i.inlines))
                    .filter(|t| !t.is_empty())
                    .collect();
                match target.last_mut() {
                    Some(last) if last.text.ends_with(':') && last.sub.is_empty() => {
                        last.sub = subs;
                    }
                    _ => flatten_list(list, *loc, target),
                }
            }
            Block::Paragraph { inlines, loc } if !list_centric => {
                // A sentence leaning on the one before is one bullet with it
                // (the author's own section: nothing is left out).
                for s in groups(&quote_text(inlines)).into_iter().flatten() {
                    target.push(Item {
                        text: s,
                        rank: 0,
                        loc: Some(*loc),
                        element: None,
                        sub: Vec::new(),
                    });
                }
            }
            _ => {}
        }
    }
    for (i, it) in take.iter_mut().enumerate() {
        it.rank = i;
    }
    for (i, it) in recs.iter_mut().enumerate() {
        it.rank = i;
    }
    (take, recs)
}

fn flatten_list(list: &List, loc: Location, out: &mut Vec<Item>) {
    for item in &list.items {
        let text = quote_text(&item.inlines);
        if !text.is_empty() {
            out.push(Item {
                text,
                rank: 0,
                loc: Some(loc),
                element: None,
                // A bullet's own sub-items stay with it.
                sub: sub_items(item),
            });
        }
    }
}

/// The texts of a list item's nested items (one level, as quoted).
fn sub_items(item: &crate::model::ListItem) -> Vec<String> {
    item.children
        .iter()
        .flat_map(|l| &l.items)
        .map(|i| quote_text(&i.inlines))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Inline text quoted as written: note references dropped, whitespace collapsed.
pub fn quote_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    for i in inlines {
        match i {
            Inline::Text { text, .. } | Inline::Link { text, .. } => s.push_str(text),
            Inline::Break => s.push(' '),
            Inline::NoteRef { .. } => {}
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Split text into sentences at `.`, `!`, `?` followed by a space and an
/// upper-case letter, digit or quote; abbreviations such as "e.g." and
/// "para." do not end a sentence.
pub fn sentences(text: &str) -> Vec<String> {
    const ABBREV: &[&str] = &[
        "e.g.", "i.e.", "etc.", "par.", "para.", "art.", "no.", "vs.", "cf.", "mr.", "ms.", "dr.",
        "st.", "fig.", "p.", "pp.", "al.",
    ];
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut start = 0;
    for (k, &(i, c)) in chars.iter().enumerate() {
        if !matches!(c, '.' | '!' | '?') {
            continue;
        }
        let next = chars.get(k + 1).map(|&(_, c)| c);
        let after = chars.get(k + 2).map(|&(_, c)| c);
        let ends = match (next, after) {
            (None, _) => true,
            (Some(n), Some(a)) if n.is_whitespace() => {
                a.is_uppercase() || a.is_ascii_digit() || matches!(a, '‘' | '“' | '"' | '\'' | '(')
            }
            _ => false,
        };
        if !ends {
            continue;
        }
        let candidate = &text[start..i + c.len_utf8()];
        let last_word = candidate
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or("")
            .to_lowercase();
        if c == '.' && ABBREV.contains(&last_word.as_str()) {
            continue;
        }
        let s = candidate.trim();
        if !s.is_empty() {
            out.push(s.to_string());
        }
        start = i + c.len_utf8();
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

/// Score one sentence for extraction; higher is better. `position` is the
/// sentence's index within its section, `in_list` whether it is a list item.
pub fn score_sentence(s: &str, position: usize, in_list: bool) -> f32 {
    let lower = s.to_lowercase();
    let words = crate::model::count_words(s);
    let mut score = 0.0;
    const CUES: &[(&str, f32)] = &[
        ("recommend", 3.0),
        ("should", 2.0),
        ("need to", 2.0),
        ("needs to", 2.0),
        ("key ", 1.5),
        ("important", 1.5),
        ("lesson", 2.0),
        ("learned", 1.5),
        ("learnt", 1.5),
        ("worked well", 2.5),
        ("effective", 1.5),
        ("success", 1.0),
        ("challenge", 1.5),
        ("suggest", 2.0),
        ("propos", 1.5),
        ("next step", 2.5),
        ("further", 1.0),
        ("cooperation", 1.0),
        ("collaboration", 1.0),
        ("unresolved", 2.0),
        ("insight", 2.0),
        ("must", 1.5),
        ("encourage", 1.5),
    ];
    for (cue, w) in CUES {
        if lower.contains(cue) {
            score += w;
        }
    }
    score += match words {
        0..=7 => -6.0,
        8..=11 => -1.0,
        12..=45 => 1.5,
        46..=60 => -1.0,
        _ => -4.0,
    };
    if position < 2 {
        score += 1.0;
    }
    if in_list {
        score += 0.5;
    }
    let first = lower.split_whitespace().next().unwrap_or("");
    if matches!(
        first,
        "this"
            | "it"
            | "these"
            | "they"
            | "however,"
            | "however"
            | "moreover,"
            | "also"
            | "such"
            | "first,"
            | "firstly,"
            | "second,"
            | "secondly,"
            | "third,"
            | "thirdly,"
            | "finally,"
            | "lastly,"
    ) {
        score -= 2.0;
    }
    if s.ends_with(':') || s.contains("http") {
        score -= 4.0;
    }
    score
}

/// Words at the start of a sentence that make it lean on the one before:
/// an enumeration past its first step ("Second, …", "Finally, …"), a
/// connective ("However, …", "Moreover, …") or a pronoun standing for what
/// was just said ("This …", "They …").
const LEANING: &[&str] = &[
    "second",
    "secondly",
    "third",
    "thirdly",
    "fourth",
    "fourthly",
    "fifth",
    "finally",
    "lastly",
    "next",
    "then",
    "however",
    "moreover",
    "furthermore",
    "also",
    "additionally",
    "thus",
    "therefore",
    "hence",
    "consequently",
    "this",
    "these",
    "those",
    "that",
    "it",
    "its",
    "they",
    "their",
    "such",
    "both",
    "another",
    "similarly",
    "likewise",
    "nevertheless",
    "yet",
];

/// Whether a sentence leans on the sentence before it (see [`LEANING`];
/// also "In addition", "As a result", "On the other hand").
pub fn leans_on_previous(s: &str) -> bool {
    let lower = s.trim_start().to_lowercase();
    let first: String = lower
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '-')
        .collect();
    if LEANING.contains(&first.as_str()) {
        return true;
    }
    [
        "in addition",
        "as a result",
        "on the other hand",
        "at the same time",
        "in turn",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
}

/// Longest sentence group quoted as one item (a sentence with the ones it
/// leans on).
const MAX_GROUP_WORDS: usize = 90;

/// A paragraph cut into groups: each sentence that leans on the one
/// before joins it ("First, … Second, … Third, …" become one group). The
/// first group is `None` when the paragraph opens on a leaning sentence
/// (it leans on the paragraph before).
fn groups(text: &str) -> Vec<Option<String>> {
    let mut out: Vec<Option<String>> = Vec::new();
    let mut cur: Option<(String, bool)> = None;
    for s in sentences(text) {
        match cur.as_mut() {
            Some((c, _)) if leans_on_previous(&s) => {
                c.push(' ');
                c.push_str(&s);
            }
            _ => {
                if let Some((c, ok)) = cur.take() {
                    out.push(ok.then_some(c));
                }
                let ok = !(out.is_empty() && leans_on_previous(&s));
                cur = Some((s, ok));
            }
        }
    }
    if let Some((c, ok)) = cur {
        out.push(ok.then_some(c));
    }
    out
}

/// The quotable units of a paragraph for extraction: every sentence that
/// stands on its own, and every sentence that leans on the ones before it
/// together with them (up to the start of its group), at most
/// [`MAX_GROUP_WORDS`] words — so "Third, …" is quoted with its first and
/// second or not at all.
fn units(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut group: Vec<String> = Vec::new();
    let mut opened_leaning = false;
    for (i, s) in sentences(text).into_iter().enumerate() {
        if leans_on_previous(&s) {
            if i == 0 {
                opened_leaning = true;
            }
            group.push(s);
        } else {
            opened_leaning = false;
            group = vec![s];
        }
        if opened_leaning {
            continue;
        }
        let joined = group.join(" ");
        if crate::model::count_words(&joined) <= MAX_GROUP_WORDS {
            out.push(joined);
        }
    }
    out
}

struct Candidate {
    text: String,
    score: f32,
    loc: Location,
    element: u8,
    order: usize,
    sub: Vec<String>,
}

/// One quotable unit found in a section: its text, the list that completes
/// it (a lead-in ending in ":", or a list item's own sub-items), whether it
/// is a list item, where it is.
struct Unit {
    text: String,
    sub: Vec<String>,
    in_list: bool,
    loc: Location,
}

/// The quotable units of a run of blocks, in order (see [`units`]): a
/// sentence that leans on the one before is quoted with it or not at all,
/// and a lead-in ending in ":" keeps the list that follows it.
fn section_units(blocks: &[Block]) -> Vec<Unit> {
    let mut out: Vec<Unit> = Vec::new();
    let mut i = 0;
    while i < blocks.len() {
        let b = &blocks[i];
        match b {
            Block::Paragraph { inlines, loc } => {
                let us = units(&quote_text(inlines));
                let n = us.len();
                for (k, text) in us.into_iter().enumerate() {
                    let mut sub = Vec::new();
                    if k + 1 == n
                        && text.ends_with(':')
                        && let Some(Block::List { list, .. }) = blocks.get(i + 1)
                    {
                        sub = list
                            .items
                            .iter()
                            .map(|it| quote_text(&it.inlines))
                            .filter(|t| !t.is_empty())
                            .collect();
                    }
                    out.push(Unit {
                        text,
                        sub,
                        in_list: false,
                        loc: *loc,
                    });
                }
                // The list completing the lead-in went with it.
                if out
                    .last()
                    .is_some_and(|u| !u.sub.is_empty() && u.loc == *loc)
                {
                    i += 1;
                }
            }
            Block::List { list, loc } => {
                for item in &list.items {
                    let sub = sub_items(item);
                    let us = units(&quote_text(&item.inlines));
                    let n = us.len();
                    for (k, text) in us.into_iter().enumerate() {
                        out.push(Unit {
                            text,
                            // The item's sub-items stay with its last sentence.
                            sub: if k + 1 == n { sub.clone() } else { Vec::new() },
                            in_list: true,
                            loc: *loc,
                        });
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Extract up to `max` sentences from the sections of `wanted` elements,
/// leaving out sentences already quoted elsewhere on the sheet (`exclude`).
/// A sentence is quoted with the sentences it leans on, a lead-in with the
/// list it leads to ([`section_units`]).
fn extract(
    doc: &Document,
    elements: &[ElementSections],
    wanted: &[u8],
    max: usize,
    exclude: &[&str],
) -> Vec<Item> {
    let mut per_element: Vec<Vec<Candidate>> = Vec::new();
    let mut order = 0;
    for &el in wanted {
        let mut cands = Vec::new();
        for es in elements.iter().filter(|e| e.element == el) {
            for r in &es.blocks {
                let blocks = doc.blocks.get(r.clone()).unwrap_or(&[]);
                for (position, u) in section_units(blocks).into_iter().enumerate() {
                    let mut score = score_sentence(&u.text, position, u.in_list);
                    if !u.sub.is_empty() && u.text.ends_with(':') {
                        // A lead-in with its list is a whole takeaway.
                        score += 4.0;
                    }
                    order += 1;
                    cands.push(Candidate {
                        text: u.text,
                        score,
                        loc: u.loc,
                        element: el,
                        order,
                        sub: u.sub,
                    });
                }
            }
        }
        cands.retain(|c| c.score > 0.0);
        cands.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.order.cmp(&b.order)));
        per_element.push(cands);
    }
    // Round-robin by element so that every element contributes.
    let mut queues: Vec<_> = per_element.into_iter().map(Vec::into_iter).collect();
    let mut picked: Vec<Candidate> = Vec::new();
    while picked.len() < max {
        let mut any = false;
        for q in &mut queues {
            if picked.len() >= max {
                break;
            }
            if let Some(c) = q.next() {
                any = true;
                // A sentence and a group holding it are never both quoted.
                let overlaps = |t: &str| t.contains(c.text.as_str()) || c.text.contains(t);
                if !picked.iter().any(|p| overlaps(&p.text)) && !exclude.iter().any(|t| overlaps(t))
                {
                    picked.push(c);
                }
            }
        }
        if !any {
            break;
        }
    }
    picked
        .into_iter()
        .enumerate()
        .map(|(rank, c)| Item {
            text: c.text,
            rank,
            loc: Some(c.loc),
            element: Some(c.element),
            sub: c.sub,
        })
        .collect()
}

/// Words of the short account of what the BPF did.
pub const ACTIVITIES_WORDS: usize = 90;
/// Words of the longer account (page 2 of a two-page sheet).
pub const ACTIVITIES_MORE_WORDS: usize = 180;

/// What the BPF did: the paragraphs (≥ 12 words) of the methodology
/// section (element 2), at most `max_paras`, cut at a sentence boundary to
/// at most ~`max_words` words.
fn activities_text(
    doc: &Document,
    elements: &[ElementSections],
    max_words: usize,
    max_paras: usize,
) -> Option<String> {
    let es = elements.iter().find(|e| e.element == 2)?;
    let mut out = String::new();
    let mut paras = 0;
    // Evidence ranges may overlap: each paragraph once.
    let mut seen = std::collections::HashSet::new();
    'outer: for r in &es.blocks {
        for i in r.clone() {
            let Some(Block::Paragraph { inlines, .. }) = doc.blocks.get(i) else {
                continue;
            };
            if !seen.insert(i) {
                continue;
            }
            let text = quote_text(inlines);
            if crate::model::count_words(&text) < 12 {
                continue;
            }
            if paras == max_paras {
                break 'outer;
            }
            let mut added = false;
            for s in sentences(&text) {
                if !out.is_empty()
                    && crate::model::count_words(&out) + crate::model::count_words(&s) > max_words
                {
                    break 'outer;
                }
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&s);
                added = true;
            }
            if added {
                paras += 1;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, ListItem};

    fn heading(level: u8, text: &str, line: u32) -> Block {
        Block::Heading {
            loc: Location::Line(line),
            level,
            label: None,
            text: text.into(),
        }
    }
    fn para(text: &str, line: u32) -> Block {
        Block::Paragraph {
            loc: Location::Line(line),
            inlines: vec![Inline::text(text)],
        }
    }
    fn bullets(items: &[&str], line: u32) -> Block {
        Block::List {
            loc: Location::Line(line),
            list: List {
                items: items
                    .iter()
                    .map(|t| ListItem {
                        inlines: vec![Inline::text(*t)],
                        children: vec![],
                    })
                    .collect(),
                ..List::default()
            },
        }
    }

    #[test]
    fn sentence_split_respects_abbreviations() {
        let s = sentences("BPFs should, e.g. by mail, reach out. It is Para. 72 that counts! Done");
        assert_eq!(
            s,
            vec![
                "BPFs should, e.g. by mail, reach out.",
                "It is Para. 72 that counts!",
                "Done"
            ]
        );
    }

    #[test]
    fn explicit_section_wins_and_splits_recommendations() {
        let mut doc = Document::new("t.md", Format::Markdown);
        doc.blocks = vec![
            heading(1, "Introduction", 1),
            para("Intro text that is long enough to matter here.", 2),
            heading(1, "Key takeaways", 3),
            bullets(&["First takeaway.", "Second takeaway."], 4),
            heading(2, "Next steps", 6),
            bullets(&["Convene a follow-up meeting."], 7),
            heading(1, "Annex", 9),
            bullets(&["Not a takeaway."], 10),
        ];
        let t = select(&doc, None, &[]);
        assert_eq!(
            t.source,
            Source::Section {
                heading: "Key takeaways".into(),
                loc: Location::Line(3)
            }
        );
        let texts: Vec<_> = t.takeaways.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(texts, ["First takeaway.", "Second takeaway."]);
        assert_eq!(t.recommendations[0].text, "Convene a follow-up meeting.");
        assert_eq!(t.takeaways[1].rank, 1);
    }

    #[test]
    fn prose_section_gives_sentences_with_lead_in_lists_as_sub_items() {
        let mut doc = Document::new("t.md", Format::Markdown);
        doc.blocks = vec![
            heading(1, "Concluding remarks", 1),
            para(
                "The BPF reviewed twenty-six forums over six years of work. It recommends three documents to the MAG:",
                2,
            ),
            bullets(&["a modalities document;", "a proposal template."], 3),
            para(
                "Further work should track progress every year from now on.",
                4,
            ),
        ];
        let t = select(&doc, None, &[]);
        let texts: Vec<_> = t.takeaways.iter().map(|i| i.text.as_str()).collect();
        // "It recommends …" leans on the sentence before: one bullet.
        assert_eq!(
            texts,
            [
                "The BPF reviewed twenty-six forums over six years of work. It recommends three documents to the MAG:",
                "Further work should track progress every year from now on."
            ]
        );
        assert_eq!(
            t.takeaways[0].sub,
            ["a modalities document;", "a proposal template."]
        );
        assert!(t.takeaways[1].sub.is_empty());
        assert_eq!(t.takeaways[1].rank, 1);
    }

    #[test]
    fn extraction_never_quotes_a_sentence_twice() {
        let mut doc = Document::new("t.md", Format::Markdown);
        doc.blocks = vec![
            heading(1, "Challenges and the way forward", 1),
            para(
                "The BPF recommends that the MAG should publish a modalities document and track progress yearly. \
                 An important lesson is that outreach should start before the first virtual meeting of the cycle.",
                2,
            ),
        ];
        let same = |element| ElementSections {
            element,
            blocks: std::iter::once(1..2).collect(),
        };
        let t = select(&doc, None, &[same(1), same(9), same(8), same(10)]);
        assert_eq!(t.recommendations.len(), 2);
        assert!(t.takeaways.is_empty(), "{:?}", t.takeaways);
    }

    #[test]
    fn extracted_sentences_keep_their_context() {
        let text = "Participants raised three points about outreach to regulators in the regions. \
                    First, the BPF should reach out to regulators before its first meeting of the year. \
                    Second, it should publish its calls in several languages at the same time. \
                    Third, it should recommend a contact person for every regional initiative.";
        let us = units(text);
        // "Third, …" only with its first and second.
        for u in &us {
            if u.contains("Third,") {
                assert!(u.contains("First,") && u.contains("Second,"), "{u}");
            }
            if u.contains("Second,") {
                assert!(u.contains("First,"), "{u}");
            }
        }
        assert!(
            us.iter()
                .any(|u| u.starts_with("First,") && u.ends_with("regional initiative."))
        );
        // A paragraph opening on a leaning sentence gives nothing on its own.
        assert!(
            units("However, the BPF should reach out to regulators in every region of the world.")
                .is_empty()
        );
        assert_eq!(
            groups("Some context here. It follows. A new point."),
            [
                Some("Some context here. It follows.".to_string()),
                Some("A new point.".to_string())
            ]
        );
        assert!(leans_on_previous("Second, x") && leans_on_previous("In addition, y"));
        assert!(!leans_on_previous("The BPF") && !leans_on_previous("Thirty forums"));

        // Extraction: a lead-in keeps its list, an item keeps its sub-items.
        let mut doc = Document::new("t.md", Format::Markdown);
        let mut nested = bullets(
            &["The BPF should publish three documents for the MAG every year:"],
            3,
        );
        if let Block::List { list, .. } = &mut nested {
            list.items[0].children = vec![List {
                items: ["a modalities document;", "a proposal template."]
                    .iter()
                    .map(|t| ListItem {
                        inlines: vec![Inline::text(*t)],
                        children: vec![],
                    })
                    .collect(),
                ..List::default()
            }];
        }
        doc.blocks = vec![
            heading(1, "Next steps", 1),
            para(
                "The BPF recommends that the MAG should adopt the following steps next year:",
                2,
            ),
            bullets(&["publish a calendar;", "track progress."], 3),
            nested,
        ];
        let els = vec![ElementSections {
            element: 10,
            blocks: std::iter::once(1..4).collect(),
        }];
        let t = select(&doc, None, &els);
        let lead = t
            .recommendations
            .iter()
            .find(|i| i.text.ends_with("next year:"))
            .expect("lead-in quoted");
        assert_eq!(lead.sub, ["publish a calendar;", "track progress."]);
        let item = t
            .recommendations
            .iter()
            .find(|i| i.text.starts_with("The BPF should publish"))
            .expect("list item quoted");
        assert_eq!(item.sub, ["a modalities document;", "a proposal template."]);
        // The list completing the lead-in is not quoted item by item.
        assert!(
            t.recommendations
                .iter()
                .all(|i| i.text != "publish a calendar;")
        );
    }

    #[test]
    fn sentences_leaning_on_context_score_lower() {
        let body =
            "a session at the annual meeting should bring regulators and operators together.";
        let plain = score_sentence(&format!("A {body}"), 3, false);
        for lead in ["First, a", "This means a", "However, a"] {
            assert!(
                score_sentence(&format!("{lead} {body}"), 3, false) < plain,
                "{lead}"
            );
        }
    }

    #[test]
    fn file_used_when_no_section() {
        let mut doc = Document::new("t.md", Format::Markdown);
        doc.blocks = vec![heading(1, "Introduction", 1), para("Text.", 2)];
        let mut file = Document::new("k.md", Format::Markdown);
        file.blocks = vec![
            heading(1, "Takeaways", 1),
            bullets(&["A", "B"], 2),
            heading(1, "Recommendations", 4),
            bullets(&["C"], 5),
        ];
        let t = select(&doc, Some((&file, "k.md")), &[]);
        assert_eq!(
            t.source,
            Source::File {
                path: "k.md".into()
            }
        );
        assert_eq!(t.takeaways.len(), 2);
        assert_eq!(t.recommendations.len(), 1);
        assert!(t.takeaways[0].loc.is_none());
    }

    #[test]
    fn extraction_quotes_sentences_verbatim_and_spreads_elements() {
        let mut doc = Document::new("t.md", Format::Markdown);
        doc.blocks = vec![
            heading(1, "What worked", 1),
            para(
                "The BPF found that regular open calls with a clear agenda worked well for participation across regions. \
                 This was nice.",
                2,
            ),
            heading(1, "Insights", 3),
            para(
                "An important lesson is that outreach should start before the first virtual meeting of the cycle.",
                4,
            ),
            heading(1, "Next steps", 5),
            para(
                "The BPF recommends that the MAG should publish a modalities document and track progress yearly.",
                6,
            ),
        ];
        let els = vec![
            ElementSections {
                element: 6,
                blocks: std::iter::once(1..2).collect(),
            },
            ElementSections {
                element: 9,
                blocks: std::iter::once(3..4).collect(),
            },
            ElementSections {
                element: 10,
                blocks: std::iter::once(5..6).collect(),
            },
        ];
        let t = select(&doc, None, &els);
        assert_eq!(t.source, Source::Extracted);
        let texts: Vec<_> = t.takeaways.iter().map(|i| i.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "The BPF found that regular open calls with a clear agenda worked well for participation across regions.",
                "An important lesson is that outreach should start before the first virtual meeting of the cycle."
            ]
        );
        assert_eq!(t.takeaways[0].element, Some(6));
        assert_eq!(t.recommendations.len(), 1);
        assert_eq!(t.recommendations[0].loc, Some(Location::Line(6)));
        // every extracted sentence appears verbatim in the source
        let all: String = doc.blocks.iter().map(|b| b.plain_text()).collect();
        for i in t.takeaways.iter().chain(&t.recommendations) {
            assert!(all.contains(&i.text), "{}", i.text);
        }
    }
}
