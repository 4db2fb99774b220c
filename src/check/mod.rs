//! Check: an ingested [`Document`] and a [`Checklist`] in, a [`CheckReport`] out.
//!
//! The report says, for every checklist element, whether the draft has it
//! (*present*), touches on it thinly (*weak*) or lacks it (*missing*), with
//! evidence (heading path, location, excerpt) and a confidence; and it lists
//! draft-hygiene findings, each with a rule id and a severity. Knows the
//! model only; the CLI prints the report as a table, JSON or Markdown
//! ([`format`]).
//!
//! # Method
//!
//! The check reads sections and sentences, not keywords (`detect`): body
//! text is cut into units and sentences; placeholders, dates, contents
//! lines, enumerations of the elements, plans and prescriptions are not
//! substance; each element's lexicons (`headings` claim it, `cues` speak of
//! it, `hints` add substance where it is already the topic) find the
//! sentences that count for it; a heading is a claim its body must back
//! (bait is a heading over a body about something else). A sentence model
//! (`sentences`: one logistic regression per element, trained on annotated
//! sentences of the labelled corpus) recognises the same in the draft's
//! own words, in context, where no lexicon phrase does. Present = a
//! section, a paragraph of several sentences or a list of real items;
//! weak = one sentence or a passing mention; missing = nothing, or only
//! placeholders or bait. `genre` decides whether the draft is a BPF output
//! report at all. Every verdict carries its reason in words. The whole
//! method, its thresholds and its measured agreement with a careful reader
//! are in `docs/check.md` (figures in BENCHMARKS.md).

pub mod checklist;
mod detect;
pub mod format;
mod genre;
pub mod hygiene;
pub mod sentences;

pub use checklist::{Checklist, ChecklistError, DEFAULT_CHECKLIST, Element, Thresholds};

use crate::dates::Date;
use crate::model::{Document, Format, Location};
use serde::{Deserialize, Serialize};

/// Version of the JSON shape of [`CheckReport`] and of the `check --format
/// json` envelope. Bump when a field changes meaning or disappears.
pub const CHECK_SCHEMA_VERSION: u32 = 1;

/// Options of one check run.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// Date of the IGF annual meeting: enables the six-week public-comment rule.
    pub meeting_date: Option<Date>,
    /// Element id → heading text the consultant says serves it (`[check]`
    /// in bpf.toml; the draft's front matter adds to and overrides these).
    pub mapped: std::collections::BTreeMap<u32, String>,
}

/// Verdict for one element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Present,
    Weak,
    Missing,
}

impl Verdict {
    /// ✓, ~ or ✗.
    pub fn symbol(self) -> &'static str {
        match self {
            Verdict::Present => "✓",
            Verdict::Weak => "~",
            Verdict::Missing => "✗",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Present => "present",
            Verdict::Weak => "weak",
            Verdict::Missing => "missing",
        }
    }
}

/// How a piece of evidence was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Via {
    /// A heading matched one of the element's heading aliases.
    Heading,
    /// A body block matched one of the element's cues.
    Cue,
}

/// One piece of evidence for an element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub via: Via,
    /// Headings from the top of the document down to the matching heading
    /// (heading evidence) or to the section holding the block (cue evidence).
    pub heading_path: Vec<String>,
    pub loc: Location,
    /// A short excerpt: the heading text, or the cue sentence's neighbourhood.
    pub excerpt: String,
    /// The text the pattern matched.
    pub matched: String,
    /// Words in the section's body (heading evidence only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section_words: Option<usize>,
    /// Indices into [`Document::blocks`]: the heading and its whole section
    /// (heading evidence) or the one block (cue evidence). Later stages
    /// (takeaways) read the element's text from here.
    pub blocks: std::ops::Range<usize>,
}

/// The result for one checklist element.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ElementResult {
    pub id: u32,
    pub key: bool,
    pub short: String,
    pub wording: String,
    pub verdict: Verdict,
    /// Confidence in the verdict, 0-1 (see the method in the module doc).
    pub confidence: f32,
    /// Why, in words: which sections or sentences speak of the element, or
    /// why a heading that claims it does not count.
    pub reason: String,
    /// For a weak or missing element: what to add, in the modalities' words.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub advice: String,
    /// The consultant mapped the element to a heading (`[check]` in
    /// bpf.toml or the draft's front matter); still judged on substance.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub mapped: bool,
    /// Headings that claim the element (their words, or a mapping).
    pub heading_matches: usize,
    /// Paragraphs (or list items) holding sentences that count for it.
    pub cue_paragraphs: usize,
    /// Distinct sections those paragraphs fall in.
    pub cue_sections: usize,
    /// Best evidence first: the best heading match, other heading matches,
    /// then up to three cue paragraphs in document order.
    pub evidence: Vec<Evidence>,
}

impl ElementResult {
    /// Where the element is, for a table cell: the most specific heading
    /// path and location of the best evidence, and the first words there
    /// (Word shows no paragraph numbers; a person finds the words).
    pub fn where_(&self) -> String {
        match self.evidence.first() {
            None => String::new(),
            Some(e) => {
                let path = e.heading_path.join(" › ");
                let words = quote_short(&e.excerpt, 60);
                if path.is_empty() {
                    format!("{words} ({})", e.loc)
                } else {
                    format!("{path} ({}): {words}", e.loc)
                }
            }
        }
    }
}

fn quote_short(s: &str, n: usize) -> String {
    let t: String = s.chars().take(n).collect();
    if t.len() < s.len() {
        format!("\u{201c}{}…\u{201d}", t.trim_end())
    } else {
        format!("\u{201c}{t}\u{201d}")
    }
}

/// Severity of a hygiene finding. Only `error` affects the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// One occurrence behind a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
    /// The offending text (placeholder, link text, note id, revision text, ...).
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
}

/// A draft-hygiene finding: one per rule that fired, with all its occurrences.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable rule id, e.g. `placeholder` (see `docs/check.md`).
    pub rule: String,
    pub severity: Severity,
    /// One sentence for a person: what, how many, what to do.
    pub message: String,
    pub count: usize,
    /// Distinct authors involved (tracked changes, comments).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    pub items: Vec<Item>,
}

/// The six-week public-comment timing, when `--meeting-date` was given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub meeting_date: String,
    /// Latest date a draft may carry: the meeting date minus 42 days.
    pub deadline: String,
    pub draft_date: Option<String>,
    /// `Some(true)` on time, `Some(false)` late, `None` cannot tell.
    pub on_time: Option<bool>,
}

/// Counts for a one-line summary and the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub present: usize,
    pub weak: usize,
    pub missing: usize,
    /// Every key element is present.
    pub key_elements_present: bool,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// `key_elements_present` and no error finding: exit code 0.
    pub passed: bool,
}

/// The outcome of checking one document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub source: String,
    pub format: Format,
    pub title: Option<String>,
    pub words: usize,
    pub checklist: String,
    pub summary: Summary,
    pub elements: Vec<ElementResult>,
    pub findings: Vec<Finding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
}

impl CheckReport {
    /// The result for element `id`.
    pub fn element(&self, id: u32) -> Option<&ElementResult> {
        self.elements.iter().find(|e| e.id == id)
    }
    /// Block ranges of all evidence for element `id` (empty if missing).
    pub fn element_blocks(&self, id: u32) -> Vec<std::ops::Range<usize>> {
        self.element(id)
            .map(|e| e.evidence.iter().map(|ev| ev.blocks.clone()).collect())
            .unwrap_or_default()
    }
    /// The finding of rule `rule`, if it fired.
    pub fn finding(&self, rule: &str) -> Option<&Finding> {
        self.findings.iter().find(|f| f.rule == rule)
    }
}

/// The process exit code for a batch: 2 if any file was unreadable, else 0
/// if every report passed (all key elements present, no error finding), else 1.
pub fn exit_code(reports: &[CheckReport], unreadable: usize) -> u8 {
    if unreadable > 0 {
        2
    } else if reports.iter().all(|r| r.summary.passed) {
        0
    } else {
        1
    }
}

/// Check one document against a checklist.
pub fn check(doc: &Document, checklist: &Checklist, opts: &CheckOptions) -> CheckReport {
    let outline = detect::Outline::new(doc, checklist.ascii_patterns);
    let mut mapped = opts.mapped.clone();
    mapped.extend(doc.meta.check_map.iter().map(|(k, v)| (*k, v.clone())));
    let mut elements = detect::detect(&outline, checklist, &mapped);
    let (mut findings, timing) = hygiene::run(doc, opts, &outline.texts, &outline.folded);
    if let Some(f) = genre::not_a_report(doc, &outline) {
        // Not a BPF output report: its "elements" are not the BPF's. The
        // check says so (an error finding: exit 1) and credits nothing.
        for e in &mut elements {
            if e.verdict != Verdict::Missing {
                e.reason = format!(
                    "not counted: the document is not a BPF output report (would be {}: {})",
                    e.verdict.as_str(),
                    e.reason
                );
                e.verdict = Verdict::Missing;
                e.confidence = 0.7;
            }
            if e.advice.is_empty() {
                e.advice = checklist
                    .element(e.id)
                    .map(|el| el.advice.clone())
                    .unwrap_or_default();
            }
        }
        findings.insert(0, f);
    }
    let count = |v| elements.iter().filter(|e| e.verdict == v).count();
    let sev = |s| findings.iter().filter(|f| f.severity == s).count();
    let key_elements_present = elements
        .iter()
        .filter(|e| e.key)
        .all(|e| e.verdict == Verdict::Present);
    let errors = sev(Severity::Error);
    let summary = Summary {
        present: count(Verdict::Present),
        weak: count(Verdict::Weak),
        missing: count(Verdict::Missing),
        key_elements_present,
        errors,
        warnings: sev(Severity::Warning),
        infos: sev(Severity::Info),
        passed: key_elements_present && errors == 0,
    };
    CheckReport {
        source: doc.meta.source.clone(),
        format: doc.meta.format,
        title: doc.meta.title.clone(),
        words: doc.meta.words,
        checklist: checklist.name.clone(),
        summary,
        elements,
        findings,
        timing,
    }
}
