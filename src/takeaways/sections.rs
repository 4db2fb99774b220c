//! Element sections: where the report covers the output elements the sheet
//! draws on (1, 2, 6, 8, 9, 10).
//!
//! [`from_check`] reads them from the check stage's findings (a
//! [`CheckReport`]): every piece of evidence of an element judged present
//! or weak — its best heading's section, other matching sections, its cue
//! paragraphs — in the check's order (best first). [`for_sheet`] uses
//! those and, for an element the check found no evidence for, falls back to
//! [`from_headings`].
//!
//! [`from_headings`] is the stand-alone fallback: it takes a [`Document`]; gives, for elements 1, 2, 6, 8, 9 and 10, the block
//! ranges of every section whose heading matches one of the element's
//! heading patterns (the same patterns as the check stage's default
//! checklist, `templates/checklist.toml`, for these elements). A section
//! runs from the heading to the next heading of the same or a higher level,
//! subsections included. For element 2 (methodology and activities), when no
//! heading matches, the first paragraphs that mention at least two activity
//! cues (survey, interviews, virtual meetings, mailing list, …) count as its
//! section, because reports often describe what the BPF did in their
//! introduction rather than under a "Methodology" heading.
//!
//! Sections of the report's annexes (after a heading "Annex…") are left out:
//! the sheet summarises the report, not its appendices.

use super::{ElementSections, section_range};
use crate::check::{CheckOptions, CheckReport, Checklist, Verdict, check};
use crate::model::{Block, Document};
use regex::Regex;
use std::sync::LazyLock;

/// Heading patterns per element (lower-cased heading text, label removed).
const HEADINGS: &[(u8, &[&str])] = &[
    (
        1,
        &[
            r"\bintroduction\b",
            r"\bbackground\b",
            r"\bcontext\b",
            r"\bproblem statement\b",
            r"^(the )?issues?\b",
            r"\bpolicy (challenges|questions|goals?)\b",
            r"\bchallenges\b",
            r"\bscope\b",
        ],
    ),
    (
        2,
        &[
            r"\bmethod(ology|ologies|s)?\b",
            r"\bapproach\b",
            r"\bcommunity input\b",
            r"^(bpf |our )?activities\b",
            r"\bbpf activities\b",
            r"\bhow (we|the bpf) work",
            r"\bwork ?plan\b",
            r"\bdata collection\b",
        ],
    ),
    (
        6,
        &[
            r"\bwhat worked\b",
            r"\bworked well\b",
            r"\bsuccess(es)?\b",
            r"\bachievements?\b",
            r"\beffective practices\b",
            r"\bcommon practices\b",
        ],
    ),
    (
        8,
        &[
            r"\bunresolved\b",
            r"\bopen (issues|questions)\b",
            r"\bfurther (discussion|dialogue|cooperation|research)\b",
            r"\bchallenges\b",
            r"\bgaps\b",
            r"\boutstanding\b",
        ],
    ),
    (
        9,
        &[
            r"\blessons?( learned| learnt)?\b",
            r"\binsights?\b",
            r"\bfindings\b",
            r"\bobservations\b",
            r"\bconclu(sions?|ding)\b",
            r"\blearnings?\b",
        ],
    ),
    (
        10,
        &[
            r"\bnext steps\b",
            r"\bway forward\b",
            r"\brecommendations?\b",
            r"\bproposed (steps|actions)\b",
            r"\bfuture work\b",
            r"\bfollow[- ]up\b",
        ],
    ),
];

/// The elements the sheet draws on.
pub const SHEET_ELEMENTS: &[u8] = &[1, 2, 6, 8, 9, 10];

/// Element sections from the check stage's findings: the evidence block
/// ranges of each sheet element judged present or weak, best first.
pub fn from_check(report: &CheckReport, doc: &Document) -> Vec<ElementSections> {
    let n = doc.blocks.len();
    SHEET_ELEMENTS
        .iter()
        .filter_map(|&el| {
            let res = report.element(u32::from(el))?;
            if res.verdict == Verdict::Missing {
                return None;
            }
            let mut blocks: Vec<std::ops::Range<usize>> = Vec::new();
            for ev in &res.evidence {
                // A report made from another document cannot index this one.
                let r = ev.blocks.start.min(n)..ev.blocks.end.min(n);
                if !r.is_empty() && !blocks.contains(&r) {
                    blocks.push(r);
                }
            }
            (!blocks.is_empty()).then_some(ElementSections {
                element: el,
                blocks,
            })
        })
        .collect()
}

/// The element sections the sheet uses: the check stage's findings, and
/// [`from_headings`] for elements the check found no evidence for.
pub fn for_sheet(doc: &Document, report: Option<&CheckReport>) -> Vec<ElementSections> {
    let mut out = report.map(|r| from_check(r, doc)).unwrap_or_default();
    for fb in from_headings(doc) {
        if !out.iter().any(|e| e.element == fb.element) {
            out.push(fb);
        }
    }
    out.sort_by_key(|e| e.element);
    out
}

/// Check `doc` with the built-in checklist and give its element sections
/// for the sheet ([`for_sheet`]).
pub fn checked(doc: &Document) -> Vec<ElementSections> {
    // Building the checklist compiles all its patterns: once per process.
    static BUILTIN: LazyLock<Checklist> = LazyLock::new(Checklist::builtin);
    let report = check(doc, &BUILTIN, &CheckOptions::default());
    for_sheet(doc, Some(&report))
}

/// Activity cues for element 2 without a heading.
const ACTIVITY_CUES: &[&str] = &[
    r"\bmethodolog",
    r"\bsurvey(s|ed)?\b",
    r"\binterview(s|ed)?\b",
    r"\bquestionnaires?\b",
    r"\bcall for (inputs?|contributions?)\b",
    r"\b(virtual|online|open) (meetings?|calls?)\b",
    r"\bmailing list\b",
    r"\bdesk research\b",
    r"\bwebinars?\b",
    r"\bconsultations?\b",
    r"\bdocumented\b",
    r"\bcollected\b",
    r"\breached out\b",
    r"\bterms of reference\b",
    r"\bkicked off\b",
    r"\bfeedback\b",
    r"\b(input|contributions) from\b",
];

/// The BPF speaking of itself.
const SELF_CUES: &[&str] = &[r"\b(this|the) (‘|')?bpf\b", r"\bwe\b", r"\bour\b"];

struct Compiled {
    headings: Vec<(u8, Vec<Regex>)>,
    cues: Vec<Regex>,
    selfs: Vec<Regex>,
}

static PATTERNS: LazyLock<Compiled> = LazyLock::new(|| {
    // The patterns are constants checked by the tests below; a bad one is a
    // programming error, so it is skipped rather than panicking at run time.
    let re = |p: &&str| Regex::new(p).ok();
    Compiled {
        headings: HEADINGS
            .iter()
            .map(|(el, ps)| (*el, ps.iter().filter_map(re).collect()))
            .collect(),
        cues: ACTIVITY_CUES.iter().filter_map(re).collect(),
        selfs: SELF_CUES.iter().filter_map(re).collect(),
    }
});

/// Lower case, `&` as "and", punctuation to spaces, whitespace collapsed.
fn normalise(text: &str) -> String {
    let lower = text.to_lowercase().replace('&', " and ");
    let cleaned: String = lower
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                ' '
            }
        })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Index of the first annex heading, if any (blocks from there on are skipped).
fn annex_start(doc: &Document) -> usize {
    doc.blocks
        .iter()
        .position(|b| {
            matches!(b, Block::Heading { text, label, .. }
                if normalise(text).starts_with("annex")
                    || label.as_deref().is_some_and(|l| l.to_lowercase().starts_with("annex")))
        })
        .unwrap_or(doc.blocks.len())
}

/// The element sections of `doc` found from its headings (see the module doc).
pub fn from_headings(doc: &Document) -> Vec<ElementSections> {
    let end = annex_start(doc);
    let mut out: Vec<ElementSections> = Vec::new();
    for (el, patterns) in &PATTERNS.headings {
        let mut ranges = Vec::new();
        for (i, b) in doc.blocks[..end].iter().enumerate() {
            if let Block::Heading { text, .. } = b {
                let h = normalise(text);
                if patterns.iter().any(|p| p.is_match(&h)) {
                    let r = section_range(doc, i);
                    let r = r.start..r.end.min(end);
                    // A section nested in one already taken adds nothing.
                    if !ranges
                        .iter()
                        .any(|o: &std::ops::Range<usize>| o.start <= r.start && r.end <= o.end)
                        && !r.is_empty()
                    {
                        ranges.push(r);
                    }
                }
            }
        }
        if *el == 2 && ranges.is_empty() {
            ranges = activity_paragraphs(doc, end);
        }
        if !ranges.is_empty() {
            out.push(ElementSections {
                element: *el,
                blocks: ranges,
            });
        }
    }
    out
}

/// Score of a paragraph as a description of the BPF's activities.
fn activity_score(text: &str) -> i32 {
    let t = text.to_lowercase();
    let cues = PATTERNS.cues.iter().filter(|c| c.is_match(&t)).count() as i32;
    let own = i32::from(PATTERNS.selfs.iter().any(|c| c.is_match(&t)));
    let general = i32::from(t.starts_with("bpfs "));
    cues + own - general
}

/// The (at most three) paragraphs before `end` that best describe the
/// BPF's activities, best first; ties in document order.
fn activity_paragraphs(doc: &Document, end: usize) -> Vec<std::ops::Range<usize>> {
    let mut scored: Vec<(i32, usize)> = doc.blocks[..end]
        .iter()
        .enumerate()
        .filter(|(_, b)| matches!(b, Block::Paragraph { .. }))
        .map(|(i, b)| (activity_score(&b.plain_text()), i))
        .filter(|(s, _)| *s >= 2)
        .collect();
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(3).map(|(_, i)| i..i + 1).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Inline, Location};

    fn h(level: u8, text: &str) -> Block {
        Block::Heading {
            loc: Location::Line(1),
            level,
            label: None,
            text: text.into(),
        }
    }
    fn one(r: std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
        std::iter::once(r).collect()
    }
    fn p(text: &str) -> Block {
        Block::Paragraph {
            loc: Location::Line(1),
            inlines: vec![Inline::text(text)],
        }
    }

    #[test]
    fn every_pattern_compiles() {
        let n: usize = HEADINGS.iter().map(|(_, p)| p.len()).sum();
        let m: usize = PATTERNS.headings.iter().map(|(_, p)| p.len()).sum();
        assert_eq!(n, m);
        assert_eq!(PATTERNS.cues.len(), ACTIVITY_CUES.len());
    }

    #[test]
    fn sections_by_heading_with_subsections_and_no_annex() {
        let mut doc = Document::new("t.md", Format::Markdown);
        doc.blocks = vec![
            h(1, "Introduction"),               // 0
            p("Intro."),                        // 1
            h(1, "Lessons learned & insights"), // 2
            h(2, "Detail"),                     // 3
            p("A lesson."),                     // 4
            h(1, "Next steps"),                 // 5
            p("Do more."),                      // 6
            h(1, "Annex 1: recommendations"),   // 7
            p("Not this."),                     // 8
        ];
        let s = from_headings(&doc);
        let get = |el| s.iter().find(|e| e.element == el).map(|e| e.blocks.clone());
        assert_eq!(get(1), Some(one(1..2)));
        assert_eq!(get(9), Some(one(3..5)));
        assert_eq!(get(10), Some(one(6..7)));
        assert_eq!(get(6), None);
    }

    #[test]
    fn activities_from_cue_paragraphs_without_a_heading() {
        let mut doc = Document::new("t.md", Format::Markdown);
        doc.blocks = vec![
            h(1, "About"),
            p("BPFs in general hold virtual meetings and run a survey."),
            p("Only one cue: a survey."),
            p("The BPF met in open virtual meetings and ran a survey among past participants."),
        ];
        let s = from_headings(&doc);
        let act = s.iter().find(|e| e.element == 2).unwrap();
        // own work (3 points) before the general statement (1 point: left out)
        assert_eq!(act.blocks, one(3..4));
    }
}
