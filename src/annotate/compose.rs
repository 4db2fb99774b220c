//! What the comments say and where they go, for any format.
//!
//! Takes the model and its check report; gives [`Note`]s: an anchor (the
//! title, a block's location, or the start of the body) and the comment's
//! paragraphs as plain text. The format writers ([`super::docx`],
//! [`super::markdown`]) only place them.
//!
//! Where a **missing** element goes: its nearest preceding element (in
//! checklist order) that the draft has under a heading of its own marks
//! where it would follow, so the comment sits on the heading that ends
//! that element's section ("add it before this section"), or on that
//! heading when its section runs to the end. When no later element is in
//! the draft either, the comment goes on the concluding chapter's heading
//! (a top-level heading such as "Conclusions" or "Concluding remarks") if
//! the draft has one: new closing elements belong before it. With no such
//! reference point it goes at the start of the body.

use super::{AUTHOR, Options};
use crate::check::{CheckReport, ElementResult, Finding, Severity, Verdict, Via};
use crate::model::{Block, Document, Location};
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// Where a comment is anchored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Anchor {
    /// The draft's title (its title paragraph, else the start).
    Title,
    /// The block (or the hygiene item) at this location.
    At(Location),
    /// The start of the body: the first block.
    Start,
}

/// One comment: where, and its paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub anchor: Anchor,
    pub paragraphs: Vec<String>,
}

/// The comments for a checked draft: the summary on the title first, then
/// the others in document order.
pub fn notes(doc: &Document, report: &CheckReport, opts: &Options) -> Vec<Note> {
    let mut out = Vec::new();
    let mut placeless: Vec<String> = Vec::new();
    for (i, e) in report.elements.iter().enumerate() {
        match e.verdict {
            Verdict::Present => {}
            Verdict::Weak => out.push(weak(e)),
            Verdict::Missing => out.push(missing(doc, report, i, e)),
        }
    }
    for f in &report.findings {
        hygiene(f, &mut out, &mut placeless);
    }
    // Document order (the start first); stable, so one place keeps the
    // elements before the hygiene findings.
    out.sort_by_key(|n| match n.anchor {
        Anchor::Start => None,
        a => Some(a),
    });
    out.insert(0, summary(report, &placeless, opts));
    out
}

/// What to add for a weak or missing element: the check's advice, in the
/// modalities' words.
fn what_to_add(e: &ElementResult) -> String {
    if !e.advice.is_empty() {
        return e.advice.clone();
    }
    match e.verdict {
        Verdict::Weak => format!(
            "give \u{201c}{}\u{201d} real substance here: what the BPF found, with examples, \
             not only a mention.",
            e.wording
        ),
        _ => format!(
            "a section on \u{201c}{}\u{201d}, under a heading that names it.",
            e.wording
        ),
    }
}

fn kind(e: &ElementResult) -> &'static str {
    if e.key {
        "key element"
    } else {
        "recommended element"
    }
}

fn weak(e: &ElementResult) -> Note {
    // The best evidence: the matching heading, else the cue paragraph.
    let anchor = e
        .evidence
        .first()
        .map(|ev| Anchor::At(ev.loc))
        .unwrap_or(Anchor::Start);
    Note {
        anchor,
        paragraphs: vec![
            format!("Weak: {} {} ({}).", e.id, e.short, kind(e)),
            format!("What is thin: {}.", e.reason),
            format!("What to add: {}", what_to_add(e)),
        ],
    }
}

/// A top-level heading that opens the concluding chapter.
static CONCLUDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bconclu(?:de|des|ding|sion|sions)\b|\b(?:closing|final) (?:remarks|thoughts|words)\b",
    )
    .expect("static regex")
});

/// The concluding chapter's heading: the first heading of the top level
/// whose text reads as a conclusion.
fn concluding(doc: &Document) -> Option<Location> {
    let top = doc
        .headings()
        .filter_map(|(_, b)| match b {
            Block::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()?;
    doc.headings().find_map(|(_, b)| match b {
        Block::Heading {
            level, text, loc, ..
        } if *level == top && CONCLUDING.is_match(text) => Some(*loc),
        _ => None,
    })
}

fn found(e: &ElementResult) -> bool {
    e.verdict != Verdict::Missing
}

fn missing(doc: &Document, report: &CheckReport, i: usize, e: &ElementResult) -> Note {
    let prev = report.elements[..i].iter().rev().find_map(|p| {
        let ev = p.evidence.first()?;
        (found(p) && ev.via == Via::Heading).then_some((p, ev))
    });
    let later = report.elements[i + 1..].iter().any(found);
    let closing = concluding(doc).filter(|c| prev.is_none_or(|(_, ev)| *c > ev.loc));
    let (anchor, place) = match (prev, closing) {
        (_, Some(c)) if !later => (Anchor::At(c), "before this concluding chapter".to_string()),
        (Some((p, ev)), _) => match doc.blocks.get(ev.blocks.end) {
            Some(b) => (
                Anchor::At(b.loc()),
                format!("before this section, after the one on {} {}", p.id, p.short),
            ),
            None => (
                Anchor::At(ev.loc),
                format!("after this section on {} {}", p.id, p.short),
            ),
        },
        _ => (Anchor::Start, "near the start of the report".to_string()),
    };
    Note {
        anchor,
        paragraphs: vec![
            format!("Missing: {} {} ({}).", e.id, e.short, kind(e)),
            format!(
                "The BPF modalities ask for: \u{201c}{}\u{201d}. The check found {}.",
                e.wording, e.reason
            ),
            format!("What to add: {}", what_to_add(e)),
            format!("Suggested place: {place}."),
        ],
    }
}

/// A finding's name for a person.
fn label(rule: &str) -> String {
    match rule {
        "tracked-changes" => "Unresolved tracked change".into(),
        "comments" => "Unresolved comment".into(),
        "placeholder" => "Placeholder".into(),
        "empty-link" => "Link without a target".into(),
        "undefined-footnote" => "Footnote reference without a footnote".into(),
        "unreferenced-footnote" => "Footnote never referenced".into(),
        other => {
            let mut s = other.replace('-', " ");
            if let Some(c) = s.get(..1) {
                let up = c.to_uppercase();
                s.replace_range(..1, &up);
            }
            s
        }
    }
}

/// What to do about one place of a finding.
fn hint(f: &Finding) -> String {
    match f.rule.as_str() {
        "tracked-changes" => "Accept or reject the change before the draft goes out.".into(),
        "placeholder" => "Fill it in or remove it.".into(),
        "empty-link" => "Add the real address or remove the link.".into(),
        "undefined-footnote" => "Add the footnote text or remove the reference.".into(),
        "unreferenced-footnote" => "Reference the footnote in the text or delete it.".into(),
        _ => format!("{}.", f.message),
    }
}

/// Comments for one finding: one per place, listing what is there. Info
/// findings, findings about the whole draft and reviewers' comments (each
/// already at its place) are summed up in the first comment.
fn hygiene(f: &Finding, out: &mut Vec<Note>, placeless: &mut Vec<String>) {
    let whole = format!(
        "{} ({}): {}.",
        label(&f.rule),
        f.severity.as_str(),
        f.message
    );
    if f.severity == Severity::Info || f.rule == "comments" || f.items.is_empty() {
        placeless.push(whole);
        return;
    }
    let mut at: BTreeMap<Location, Vec<String>> = BTreeMap::new();
    let mut nowhere = Vec::new();
    for item in &f.items {
        let text = match &item.author {
            Some(a) if f.rule == "tracked-changes" => format!("{a} {}", item.text),
            _ => item.text.clone(),
        };
        match item.loc {
            Some(loc) => at.entry(loc).or_default().push(text),
            None => nowhere.push(text),
        }
    }
    if !nowhere.is_empty() {
        placeless.push(format!(
            "{} ({}), not in the body text: {}. {}",
            label(&f.rule),
            f.severity.as_str(),
            nowhere.join("; "),
            hint(f)
        ));
    }
    if f.count > f.items.len() {
        placeless.push(format!(
            "{} ({}): {} in all; comments mark the first {}.",
            label(&f.rule),
            f.severity.as_str(),
            f.count,
            f.items.len()
        ));
    }
    for (loc, texts) in at {
        let mut paragraphs = vec![format!(
            "{} ({}): {}",
            label(&f.rule),
            f.severity.as_str(),
            texts.join("; ")
        )];
        paragraphs.push(hint(f));
        out.push(Note {
            anchor: Anchor::At(loc),
            paragraphs,
        });
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn summary(report: &CheckReport, placeless: &[String], opts: &Options) -> Note {
    let s = &report.summary;
    let verdict = if s.passed {
        "PASS: every key element is present and no error was found"
    } else if !s.key_elements_present {
        "FAIL: a key element is not present"
    } else {
        "FAIL: error findings"
    };
    let mut p = vec![format!(
        "bpfpress check of this draft, {}. {verdict}.",
        opts.date
    )];
    let mut elements = format!(
        "Output elements: {} present, {} weak, {} missing (of {}).",
        s.present,
        s.weak,
        s.missing,
        report.elements.len()
    );
    let absent: Vec<String> = report
        .elements
        .iter()
        .filter(|e| e.key && e.verdict != Verdict::Present)
        .map(|e| format!("{} {} ({})", e.id, e.short, e.verdict.as_str()))
        .collect();
    if !absent.is_empty() {
        elements.push_str(&format!(
            " Key elements not present: {}.",
            absent.join(", ")
        ));
    }
    p.push(elements);
    p.push(format!(
        "Draft hygiene: {}, {}, {}.",
        plural(s.errors, "error", "errors"),
        plural(s.warnings, "warning", "warnings"),
        plural(s.infos, "note", "notes")
    ));
    p.extend(placeless.iter().cloned());
    p.push(format!(
        "Each weak or missing element and each hygiene finding has a comment by \u{201c}{AUTHOR}\u{201d} at its place. \
         Running the check again on this copy replaces these comments; delete them before the draft is published."
    ));
    p.push(format!(
        "Made by: {} (bpfpress {}, {}).",
        opts.command,
        env!("CARGO_PKG_VERSION"),
        report.checklist
    ));
    Note {
        anchor: Anchor::Title,
        paragraphs: p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckOptions, Checklist, check};
    use crate::model::{Format, Inline};

    fn para(line: u32, text: &str) -> Block {
        Block::Paragraph {
            loc: Location::Line(line),
            inlines: vec![Inline::text(text)],
        }
    }

    fn heading(line: u32, level: u8, text: &str) -> Block {
        Block::Heading {
            loc: Location::Line(line),
            level,
            label: None,
            text: text.into(),
        }
    }

    fn opts() -> Options {
        Options {
            date: crate::dates::Date::parse("2026-01-02").unwrap(),
            command: "bpfpress check d.md --annotate r.md".into(),
            limits: Default::default(),
        }
    }

    /// A section body that speaks of `topic`: the issue, cases, insights,
    /// or nothing in particular.
    fn body(topic: &str) -> String {
        match topic {
            "issue" => "The policy challenge is affordability for rural households. The issue is \
                        that prices stay too high where there is one provider. The lack of local \
                        content is another barrier to access for many users."
                .into(),
            "cases" => "A cooperative of farmers in a mountain valley built a wireless mesh of \
                        nineteen nodes. A small town partnered with a volunteer association to \
                        light unused municipal fibre. A library in the capital lends tablets to \
                        older readers every week."
                .into(),
            "insights" => "The forum learned that trust between operators matters more than \
                           equipment. A key lesson is that small networks last when members pay \
                           something. It became clear that maintenance skills must stay local."
                .into(),
            _ => "Thanks go to everyone who gave their time to this work during the year. \
                  The text was edited by the secretariat."
                .into(),
        }
    }

    #[test]
    fn missing_elements_go_after_their_predecessor_or_before_the_conclusions() {
        let mut doc = Document::new("d.md", Format::Markdown);
        doc.meta.title = Some("IGF 2026 Best Practice Forum: draft".into());
        doc.blocks = vec![
            heading(1, 1, "Introduction and policy challenges"),
            para(2, &body("issue")),
            heading(3, 1, "Case studies"),
            para(4, &body("cases")),
            heading(5, 1, "Closing remarks"),
            para(6, &body("")),
        ];
        let report = check(&doc, &Checklist::builtin(), &CheckOptions::default());
        let notes = notes(&doc, &report, &opts());
        assert_eq!(notes[0].anchor, Anchor::Title);
        let find = |start: &str| {
            notes
                .iter()
                .find(|n| n.paragraphs[0].starts_with(start))
                .unwrap_or_else(|| panic!("{start}: {notes:#?}"))
        };
        // Methodology (2) follows the introduction (1): before "Case studies".
        let m = find("Missing: 2 ");
        assert_eq!(m.anchor, Anchor::At(Location::Line(3)), "{m:?}");
        assert!(m.paragraphs[1].contains("Brief presentation of the used methodology"));
        assert!(m.paragraphs[3].contains("after the one on 1 "), "{m:?}");
        // Insights (9) and next steps (10): nothing after them is in the
        // draft → before the concluding chapter.
        for start in ["Missing: 9 ", "Missing: 10 "] {
            let n = find(start);
            assert_eq!(n.anchor, Anchor::At(Location::Line(5)), "{n:?}");
            assert!(n.paragraphs[3].contains("concluding chapter"), "{n:?}");
        }
        // Document order after the summary.
        let locs: Vec<_> = notes[1..].iter().map(|n| n.anchor).collect();
        let mut sorted = locs.clone();
        sorted.sort();
        assert_eq!(locs, sorted);
        assert!(notes[0].paragraphs[0].contains("2026-01-02"));
        assert!(
            notes[0]
                .paragraphs
                .last()
                .unwrap()
                .contains("--annotate r.md")
        );
    }

    #[test]
    fn a_missing_last_element_follows_the_conclusions_that_hold_the_one_before() {
        let mut doc = Document::new("d.md", Format::Markdown);
        doc.meta.title = Some("IGF 2026 Best Practice Forum: draft".into());
        doc.blocks = vec![
            heading(1, 1, "Introduction"),
            para(2, &body("issue")),
            heading(3, 1, "Conclusions"),
            para(4, &body("insights")),
        ];
        let report = check(&doc, &Checklist::builtin(), &CheckOptions::default());
        assert_eq!(report.element(9).unwrap().verdict, Verdict::Present);
        let notes = notes(&doc, &report, &opts());
        let n = notes
            .iter()
            .find(|n| n.paragraphs[0].starts_with("Missing: 10 "))
            .unwrap();
        assert_eq!(n.anchor, Anchor::At(Location::Line(3)), "{n:?}");
        assert!(
            n.paragraphs[3].contains("after this section on 9 "),
            "{n:?}"
        );
    }

    #[test]
    fn a_draft_without_headings_gets_missing_elements_at_the_start() {
        let mut doc = Document::new("d.md", Format::Markdown);
        doc.blocks = vec![para(3, "Just a sentence. TODO: write the report.")];
        let report = check(&doc, &Checklist::builtin(), &CheckOptions::default());
        let notes = notes(&doc, &report, &opts());
        let missing: Vec<_> = notes
            .iter()
            .filter(|n| n.paragraphs[0].starts_with("Missing"))
            .collect();
        assert_eq!(missing.len(), 10);
        assert!(missing.iter().all(|n| n.anchor == Anchor::Start));
        let todo = notes
            .iter()
            .find(|n| n.paragraphs[0].starts_with("Placeholder (error)"))
            .unwrap();
        assert_eq!(todo.anchor, Anchor::At(Location::Line(3)));
        assert!(todo.paragraphs[0].contains("TODO"));
        assert_eq!(todo.paragraphs[1], "Fill it in or remove it.");
        // Title, date and editors are missing: said in the first comment.
        let first = notes[0].paragraphs.join("\n");
        assert!(first.contains("Missing title (error)"), "{first}");
        assert!(first.contains("Missing editors (warning)"), "{first}");
    }
}
