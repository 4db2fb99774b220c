//! Draft-hygiene rules: each has a case that fires and one that must not.
//! `complete.md` is the clean draft every rule must stay silent on.

mod support;

use bpfpress::check::{CheckOptions, CheckReport, Checklist, Severity, check};
use bpfpress::dates::Date;
use bpfpress::model::{
    Block, Comment, Document, Format, Inline, Location, Note, NoteKind, Revision, RevisionKind,
};
use support::{check_doc, check_draft, para};

const ALL_RULES: [&str; 11] = [
    "tracked-changes",
    "comments",
    "placeholder",
    "empty-link",
    "undefined-footnote",
    "unreferenced-footnote",
    "missing-title",
    "missing-date",
    "missing-editors",
    "public-comment-deadline",
    "differing-views",
];

fn locs(r: &CheckReport, rule: &str) -> Vec<Location> {
    r.finding(rule)
        .unwrap_or_else(|| panic!("{rule} did not fire: {:#?}", r.findings))
        .items
        .iter()
        .filter_map(|i| i.loc)
        .collect()
}

fn with_meeting(doc: &Document, date: &str) -> CheckReport {
    let opts = CheckOptions {
        meeting_date: Some(Date::parse(date).unwrap()),
        ..CheckOptions::default()
    };
    check(doc, &Checklist::builtin(), &opts)
}

fn clean_doc() -> Document {
    let mut d = Document::new("t.docx", Format::Docx);
    d.meta.title = Some("IGF 2026 Best Practice Forum: a title".into());
    d.meta.date = Some("2026-09-01".into());
    d.meta.authors = vec!["Editor One".into()];
    d.blocks.push(Block::Paragraph {
        loc: Location::Paragraph(3),
        inlines: vec![Inline::text("Clean text.")],
    });
    d
}

#[test]
fn clean_draft_fires_no_rule() {
    let r = check_draft("complete.md");
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    let r = with_meeting(&support::load_draft("complete.md"), "2026-11-01");
    assert!(r.findings.is_empty(), "{:#?}", r.findings);
    for rule in ALL_RULES {
        assert!(r.finding(rule).is_none());
    }
}

#[test]
fn tracked_changes_fire_with_count_authors_and_locations() {
    let mut d = clean_doc();
    assert!(check_doc(&d).finding("tracked-changes").is_none());
    for (kind, author, p) in [
        (RevisionKind::Insert, "Ana", 5),
        (RevisionKind::Delete, "Ben", 9),
        (RevisionKind::Insert, "Ana", 12),
    ] {
        d.revisions.push(Revision {
            kind,
            author: author.into(),
            date: None,
            text: "some words".into(),
            loc: Location::Paragraph(p),
        });
    }
    let r = check_doc(&d);
    let f = r.finding("tracked-changes").unwrap();
    assert_eq!(f.severity, Severity::Error);
    assert_eq!(f.count, 3);
    assert_eq!(f.authors, ["Ana", "Ben"]);
    assert_eq!(
        locs(&r, "tracked-changes"),
        [5, 9, 12].map(Location::Paragraph)
    );
    assert!(
        f.message
            .starts_with("3 unresolved tracked changes by Ana, Ben")
    );
    assert!(!r.summary.passed);
}

#[test]
fn comments_fire_with_authors() {
    let mut d = clean_doc();
    assert!(check_doc(&d).finding("comments").is_none());
    d.comments.push(Comment {
        id: "0".into(),
        author: "Chenai".into(),
        date: Some("2026-08-01".into()),
        text: "Source for this figure?".into(),
        anchor: "40%".into(),
        loc: Some(Location::Paragraph(7)),
    });
    let r = check_doc(&d);
    let f = r.finding("comments").unwrap();
    assert_eq!((f.severity, f.count), (Severity::Error, 1));
    assert_eq!(f.authors, ["Chenai"]);
    assert_eq!(f.items[0].text, "Source for this figure?");
    assert_eq!(locs(&r, "comments"), [Location::Paragraph(7)]);
}

#[test]
fn placeholders_fire_with_locations() {
    let r = check_draft("hygiene-dirty.md");
    let f = r.finding("placeholder").unwrap();
    assert_eq!((f.severity, f.count), (Severity::Error, 4));
    assert_eq!(locs(&r, "placeholder"), [7, 13, 15, 17].map(Location::Line));
    let texts: Vec<&str> = f.items.iter().map(|i| i.text.as_str()).collect();
    assert!(texts[0].starts_with("\"TODO\""), "{texts:?}");
    assert!(
        texts[1].starts_with("\"[insert figure 3 here]\""),
        "{texts:?}"
    );
    assert!(texts[2].starts_with("\"??\""), "{texts:?}");
    assert!(texts[3].starts_with("\"Lorem ipsum\""), "{texts:?}");
    // Lower-case "todo" and a single question mark are ordinary text.
    let mut d = clean_doc();
    d.blocks.push(para(
        9,
        "Our todo list is short. Is it? Yes: the XX century.",
    ));
    assert!(check_doc(&d).finding("placeholder").is_none());
}

#[test]
fn empty_and_hash_links_fire() {
    let r = check_draft("hygiene-dirty.md");
    let f = r.finding("empty-link").unwrap();
    assert_eq!((f.severity, f.count), (Severity::Warning, 2));
    assert_eq!(f.items[0].text, "[the 2016 report](#)");
    assert_eq!(f.items[1].text, "[our wiki]()");
    assert_eq!(
        locs(&r, "empty-link"),
        [Location::Line(7), Location::Line(7)]
    );
    // A real target does not fire.
    let r = check_draft("no-front-matter.md");
    assert!(r.finding("empty-link").is_none());
}

#[test]
fn footnote_references_and_notes_must_match() {
    let r = check_draft("hygiene-dirty.md");
    let f = r.finding("undefined-footnote").unwrap();
    assert_eq!((f.severity, f.count), (Severity::Error, 1));
    assert_eq!(f.items[0].text, "reference to note 9");
    assert_eq!(locs(&r, "undefined-footnote"), [Location::Line(11)]);
    let f = r.finding("unreferenced-footnote").unwrap();
    assert_eq!((f.severity, f.count), (Severity::Warning, 1));
    assert!(f.items[0].text.starts_with("note 2:"));
    assert_eq!(locs(&r, "unreferenced-footnote"), [Location::Line(20)]);
    // A reference left as literal text (how Markdown readers keep `[^9]`
    // without a definition) fires too.
    let mut d = clean_doc();
    d.blocks.push(Block::Paragraph {
        loc: Location::Line(4),
        inlines: vec![Inline::text("A claim.[^7] Another.")],
    });
    let r = check_doc(&d);
    assert_eq!(
        r.finding("undefined-footnote").unwrap().items[0].text,
        "reference to note 7"
    );
    // A used note with its definition fires neither.
    let r = check_draft("no-front-matter.md");
    assert!(r.finding("undefined-footnote").is_none());
    assert!(r.finding("unreferenced-footnote").is_none());
    // Hand-built: a PDF-style note with no location is still matched by id.
    let mut d = clean_doc();
    d.blocks.push(Block::Paragraph {
        loc: Location::Page(2),
        inlines: vec![Inline::text("x"), Inline::NoteRef { id: "3".into() }],
    });
    d.notes.push(Note {
        id: "3".into(),
        kind: NoteKind::Endnote,
        inlines: Vec::new(),
        text: "An endnote.".into(),
        loc: None,
    });
    let r = check_doc(&d);
    assert!(r.finding("undefined-footnote").is_none());
    assert!(r.finding("unreferenced-footnote").is_none());
}

#[test]
fn missing_metadata_fires_per_field() {
    let r = check_draft("no-front-matter.md");
    assert_eq!(
        r.finding("missing-title").unwrap().severity,
        Severity::Error
    );
    assert_eq!(
        r.finding("missing-date").unwrap().severity,
        Severity::Warning
    );
    assert_eq!(
        r.finding("missing-editors").unwrap().severity,
        Severity::Warning
    );
    // The dirty draft has a title but no date or editors.
    let r = check_draft("hygiene-dirty.md");
    assert!(r.finding("missing-title").is_none());
    assert!(r.finding("missing-date").is_some());
    assert!(r.finding("missing-editors").is_some());
    // Blank strings count as missing.
    let mut d = clean_doc();
    d.meta.title = Some("  ".into());
    d.meta.authors = vec![" ".into()];
    let r = check_doc(&d);
    assert!(r.finding("missing-title").is_some() && r.finding("missing-editors").is_some());
    assert!(r.finding("missing-date").is_none());
}

#[test]
fn six_week_rule_against_the_meeting_date() {
    let doc = support::load_draft("complete.md"); // dated 2026-09-15
    // Meeting 2026-10-27: deadline 2026-09-15, exactly 42 days → on time.
    let r = with_meeting(&doc, "2026-10-27");
    assert!(r.finding("public-comment-deadline").is_none());
    let t = r.timing.as_ref().unwrap();
    assert_eq!((t.deadline.as_str(), t.on_time), ("2026-09-15", Some(true)));
    // One day later and the draft is late.
    let r = with_meeting(&doc, "2026-10-26");
    let f = r.finding("public-comment-deadline").unwrap();
    assert_eq!(f.severity, Severity::Error);
    assert!(
        f.message.contains("1 day after 2026-09-14"),
        "{}",
        f.message
    );
    assert_eq!(r.timing.as_ref().unwrap().on_time, Some(false));
    assert!(!r.summary.passed);
    // Without --meeting-date the rule does not run.
    assert!(check_doc(&doc).timing.is_none());
}

#[test]
fn six_week_rule_with_month_only_or_no_date() {
    let mut d = clean_doc();
    d.meta.date = Some("2020-09".into());
    // Whole month before the deadline: on time.
    assert!(
        with_meeting(&d, "2020-11-15")
            .finding("public-comment-deadline")
            .is_none()
    );
    // Whole month after: late.
    let f = with_meeting(&d, "2020-10-01");
    assert_eq!(
        f.finding("public-comment-deadline").unwrap().severity,
        Severity::Error
    );
    // Deadline inside the month: cannot tell.
    let r = with_meeting(&d, "2020-11-02");
    let f = r.finding("public-comment-deadline").unwrap();
    assert_eq!(f.severity, Severity::Warning);
    assert!(f.message.contains("2020-09-21"), "{}", f.message);
    assert_eq!(r.timing.unwrap().on_time, None);
    // No date at all: warning, not a silent pass.
    d.meta.date = None;
    let r = with_meeting(&d, "2020-11-02");
    assert_eq!(
        r.finding("public-comment-deadline").unwrap().severity,
        Severity::Warning
    );
}

#[test]
fn differing_views_are_reported_as_information() {
    let r = check_draft("hygiene-dirty.md");
    let f = r.finding("differing-views").unwrap();
    assert_eq!(f.severity, Severity::Info);
    assert!(
        f.message
            .contains("presents no dissenting or minority view"),
        "{}",
        f.message
    );
    assert_eq!(locs(&r, "differing-views"), [Location::Line(11)]);
    // Info findings never fail a draft on their own.
    let mut d = clean_doc();
    d.blocks.push(para(
        4,
        "Views differed on mandatory reporting. Some participants argued for a legal duty, while others warned it would discourage honest reports.",
    ));
    let r = check_doc(&d);
    let f = r.finding("differing-views").unwrap();
    assert!(
        f.message.contains("and presents differing views (line 4)"),
        "{}",
        f.message
    );
    assert_eq!(r.summary.errors, 0);
    // Agreement does not fire.
    let mut d = clean_doc();
    d.blocks.push(para(
        4,
        "Participants agreed on every recommendation in this report.",
    ));
    assert!(check_doc(&d).finding("differing-views").is_none());
}

#[test]
fn findings_are_sorted_errors_first() {
    let r = check_draft("hygiene-dirty.md");
    let sev: Vec<Severity> = r.findings.iter().map(|f| f.severity).collect();
    let mut sorted = sev.clone();
    sorted.sort();
    assert_eq!(sev, sorted);
    assert_eq!(r.summary.errors, 2); // placeholder, undefined-footnote
    assert_eq!(r.summary.warnings, 4);
    assert_eq!(r.summary.infos, 1);
}
