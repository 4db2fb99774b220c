//! Element detection on crafted drafts (`fixtures/drafts/*.md`) and on
//! hand-built documents, with exact verdicts and evidence locations.
//!
//! Elements: 1 issue and policy challenges, 2 methodology and activities,
//! 3 case studies / best practices (1-3 key); 4 regional specificities,
//! 5 policy measures and initiatives, 6 what worked well, 7 unintended
//! consequences, 8 unresolved issues, 9 insights, 10 next steps.

mod support;

use Verdict::{Missing, Present, Weak};
use bpfpress::check::{CheckOptions, Checklist, Verdict, Via, check};
use bpfpress::model::{Block, Document, Format, Inline, List, ListItem, Location};
use support::{check_doc, check_draft, heading, para};

/// Hand-built drafts are framed as BPF reports (else the check calls them
/// "not a BPF output report").
const BPF_TITLE: &str = "IGF 2026 Best Practice Forum: draft output";

fn verdicts(r: &bpfpress::check::CheckReport) -> Vec<Verdict> {
    r.elements.iter().map(|e| e.verdict).collect()
}

/// The first evidence of element `id`: (via, location, heading path).
fn first_evidence(r: &bpfpress::check::CheckReport, id: u32) -> (Via, Location, Vec<String>) {
    let e = r.element(id).unwrap();
    let ev = e
        .evidence
        .first()
        .unwrap_or_else(|| panic!("element {id} has no evidence"));
    (ev.via, ev.loc, ev.heading_path.clone())
}

fn heading_at(r: &bpfpress::check::CheckReport, id: u32, line: u32, path: &[&str]) {
    let (via, loc, p) = first_evidence(r, id);
    assert_eq!(via, Via::Heading, "element {id}");
    assert_eq!(loc, Location::Line(line), "element {id}");
    assert_eq!(p, path, "element {id}");
}

#[test]
fn complete_draft_has_all_ten_elements_under_their_headings() {
    let r = check_draft("complete.md");
    assert_eq!(verdicts(&r), vec![Present; 10]);
    for (id, line, h) in [
        (1, 9, "Introduction and policy challenges"),
        (2, 13, "Methodology and BPF activities"),
        (3, 17, "Case studies"),
        (4, 27, "Regional perspectives"),
        (
            5,
            31,
            "Existing policy measures and private sector initiatives",
        ),
        (6, 35, "What worked well"),
        (7, 39, "Unintended consequences"),
        (8, 43, "Unresolved issues"),
        (9, 47, "Lessons learned"),
        (10, 51, "Next steps"),
    ] {
        heading_at(&r, id, line, &[h]);
    }
    // The case-studies section includes its two subsections' words.
    let ev = &r.element(3).unwrap().evidence[0];
    assert!(ev.section_words.unwrap() >= 80, "{ev:?}");
    assert!(r.summary.passed && r.summary.key_elements_present);
    assert!(r.element(1).unwrap().confidence >= 0.9);
}

#[test]
fn draft_without_methodology_misses_key_element_2() {
    let r = check_draft("no-methodology.md");
    let mut want = vec![Present; 10];
    want[1] = Missing;
    assert_eq!(verdicts(&r), want);
    let e2 = r.element(2).unwrap();
    assert!(e2.evidence.is_empty());
    assert!(e2.confidence >= 0.8, "{}", e2.confidence);
    assert!(!e2.advice.is_empty(), "a missing element gets advice");
    assert!(!r.summary.key_elements_present && !r.summary.passed);
}

#[test]
fn thin_draft_gets_weak_and_missing_where_thinned() {
    let r = check_draft("thin.md");
    // 3: heading kept, section cut to one sentence → weak.
    // 4: section removed, one paragraph about Africa remains → weak via cue.
    // 7: section removed entirely → missing.
    assert_eq!(
        verdicts(&r),
        vec![
            Present, Present, Weak, Weak, Present, Present, Missing, Present, Present, Present
        ]
    );
    heading_at(&r, 3, 17, &["Case studies"]);
    assert_eq!(r.element(3).unwrap().evidence[0].section_words, Some(14));
    let (via, loc, path) = first_evidence(&r, 4);
    assert_eq!((via, loc), (Via::Cue, Location::Line(29)));
    assert_eq!(path, ["What worked well"]);
    assert_eq!(
        r.element(4).unwrap().evidence[0].matched,
        "Contributors from Africa"
    );
    assert!(r.element(7).unwrap().evidence.is_empty());
    assert!(!r.summary.passed, "a key element is only weak");
}

#[test]
fn unusual_heading_wordings_are_recognised() {
    let r = check_draft("unusual-headings.md");
    // 6 and 7 are not in this draft at all. Known error, pinned (round 5,
    // the model's threshold for 6 lowered to 0.4): "the most useful
    // contributions came from people doing the work", a lesson about the
    // forum's own process under "Lessons learned", reads as one sentence on
    // what worked, so 6 is weak, never present.
    assert_eq!(
        verdicts(&r),
        vec![
            Present, Present, Present, Present, Present, Weak, Missing, Present, Present, Present
        ]
    );
    heading_at(&r, 1, 7, &["Background"]);
    heading_at(&r, 2, 11, &["Methodology & community input"]);
    heading_at(&r, 3, 15, &["Case studies"]);
    heading_at(&r, 4, 19, &["Regional perspectives"]);
    heading_at(&r, 5, 23, &["Policy options"]);
    heading_at(
        &r,
        8,
        27,
        &["Areas to develop further stakeholder conversation"],
    );
    heading_at(&r, 9, 31, &["Lessons learned"]);
    // One section serves two elements.
    heading_at(&r, 10, 35, &["Conclusions and recommendations"]);
    assert!(
        r.element(9)
            .unwrap()
            .evidence
            .iter()
            .any(|e| e.loc == Location::Line(35))
    );
}

#[test]
fn numbered_nested_headings_give_full_heading_paths() {
    let r = check_draft("numbered-headings.md");
    // Element 6: "Good practices from the field" judges its three practices
    // in its own words ("built confidence faster than classroom courses",
    // "showed that safety support makes women more willing to stay
    // online"): a paragraph of such judgements is what worked (the
    // conventions), which the sentence model reads and the lexicons did not.
    let want = [
        Present, Present, Present, Missing, Missing, Present, Missing, Missing, Missing, Present,
    ];
    assert_eq!(verdicts(&r), want);
    heading_at(&r, 1, 7, &["1. The issue at stake"]);
    heading_at(
        &r,
        2,
        13,
        &["2. How the forum worked", "2.1 Approach and methodology"],
    );
    heading_at(
        &r,
        3,
        17,
        &[
            "2. How the forum worked",
            "2.2 Good practices from the field",
        ],
    );
    heading_at(&r, 10, 21, &["3. Recommendations"]);
}

#[test]
fn key_headings_over_a_placeholder_or_one_thin_line() {
    // The conventions: an explicit heading over a placeholder-only section
    // is missing; over one thin sentence, weak. (This replaced the earlier
    // rule "a key element with its own heading is never missing".)
    let r = check_draft("key-headings-thin.md");
    let e1 = r.element(1).unwrap();
    assert_eq!(e1.verdict, Missing, "{}", e1.reason);
    assert!(e1.reason.contains("placeholders"), "{}", e1.reason);
    for id in 2..=3 {
        let e = r.element(id).unwrap();
        assert_eq!(e.verdict, Weak, "element {id}: {}", e.reason);
        assert!(
            e.reason.contains("without a paragraph of substance"),
            "{}",
            e.reason
        );
    }
    heading_at(&r, 1, 7, &["Policy challenges"]);
    heading_at(&r, 2, 11, &["Methodology"]);
    heading_at(&r, 3, 15, &["Case studies"]);
}

#[test]
fn cue_language_without_headings() {
    let r = check_draft("cues-only.md");
    let e1 = r.element(1).unwrap();
    assert_eq!((e1.verdict, e1.cue_paragraphs), (Weak, 1));
    let e2 = r.element(2).unwrap();
    assert_eq!(
        (e2.verdict, e2.cue_paragraphs, e2.cue_sections),
        (Present, 3, 2)
    );
    let locs: Vec<_> = e2.evidence.iter().map(|e| e.loc).collect();
    assert_eq!(
        locs,
        [Location::Line(11), Location::Line(13), Location::Line(23)]
    );
    assert!(e2.evidence.iter().all(|e| e.via == Via::Cue));
    assert_eq!(e2.evidence[2].heading_path, ["Part two"]);
    let e3 = r.element(3).unwrap();
    assert_eq!(
        (e3.verdict, e3.cue_paragraphs, e3.cue_sections),
        (Present, 3, 1)
    );
    assert!(
        e3.confidence < 0.9,
        "cue-only evidence is less certain than a heading"
    );
    assert!(e3.evidence[0].excerpt.starts_with("For example"));
}

#[test]
fn present_threshold_from_a_custom_checklist() {
    // Same draft, but the checklist asks for five supporting sentences.
    let text = bpfpress::check::DEFAULT_CHECKLIST
        .replace("present_paragraphs = 3", "present_paragraphs = 5");
    let cl = Checklist::from_toml(&text, "strict.toml").unwrap();
    let r = check(
        &support::load_draft("cues-only.md"),
        &cl,
        &CheckOptions::default(),
    );
    assert_eq!(r.element(3).unwrap().verdict, Weak, "3 sentences < 5");
    let r = check_draft("cues-only.md");
    assert_eq!(r.element(3).unwrap().verdict, Present, "3 sentences ≥ 3");
}

fn filler(words: usize) -> String {
    // Neutral words that hit no cue of any element.
    let w = [
        "the", "forum", "wrote", "about", "this", "topic", "at", "length", "here",
    ];
    (0..words)
        .map(|i| w[i % w.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

fn doc_with_heading(h: &str) -> Document {
    let mut d = Document::new("t.md", Format::Markdown);
    d.meta.title = Some(BPF_TITLE.into());
    d.blocks.push(heading(1, 1, h));
    d.blocks.push(para(3, &filler(60)));
    d.finish();
    d
}

#[test]
fn real_report_heading_wordings_claim_their_elements() {
    // Wordings seen in real BPF reports (issue 3) → elements they claim.
    // A heading is a claim the body must back: over filler text that
    // speaks of nothing (a few words over and over: dummy text, which
    // holds a place like lorem ipsum) it gives "missing", with the heading
    // as the place.
    let cases: &[(&str, &[u32])] = &[
        ("Methodology & community input", &[2]),
        ("Approach and methodology", &[2]),
        ("Case studies", &[3]),
        ("Policy options", &[5]),
        ("Lessons learned", &[9]),
        ("Regional perspectives", &[4]),
        ("Areas to develop further stakeholder conversation", &[8]),
        ("Next steps", &[10]),
        ("Conclusions and recommendations", &[9, 10]),
        ("Recommendations", &[10]),
        ("IV. Unintended consequences of policy interventions", &[7]),
        ("What worked well", &[6]),
        ("Introduction", &[1]),
    ];
    for (h, ids) in cases {
        let r = check_doc(&doc_with_heading(h));
        let claimed: Vec<u32> = r
            .elements
            .iter()
            .filter(|e| e.heading_matches > 0)
            .map(|e| e.id)
            .collect();
        assert_eq!(&claimed, ids, "heading {h:?}");
        for id in *ids {
            let e = r.element(*id).unwrap();
            assert_eq!(e.verdict, Missing, "heading {h:?}: {}", e.reason);
            assert!(
                e.reason.contains("only placeholders"),
                "heading {h:?}: {}",
                e.reason
            );
            heading_at(&r, *id, 1, &[h]);
        }
    }
    // A heading that names no element claims nothing.
    let r = check_doc(&doc_with_heading("Annex 2: list of participants"));
    assert!(r.elements.iter().all(|e| e.heading_matches == 0));
}

#[test]
fn a_heading_backed_by_its_body_is_present() {
    let mut d = Document::new("t.md", Format::Markdown);
    d.meta.title = Some(BPF_TITLE.into());
    d.blocks.push(heading(1, 1, "How we worked"));
    d.blocks.push(para(
        3,
        "The forum held monthly virtual meetings from March to September. A call for contributions \
         brought thirty written inputs from twelve countries. The co-facilitators then interviewed \
         eight regulators to check the figures.",
    ));
    d.finish();
    let e = check_doc(&d).element(2).unwrap().clone();
    assert_eq!(e.verdict, Present, "{}", e.reason);
    assert!(e.reason.contains("How we worked"), "{}", e.reason);
    assert!(
        e.where_().contains("The forum held monthly"),
        "{}",
        e.where_()
    );
}

#[test]
fn best_practice_forum_in_a_heading_is_not_a_case_study() {
    let r = check_doc(&doc_with_heading("IGF Best Practice Forums"));
    assert_eq!(r.element(3).unwrap().verdict, Missing);
}

#[test]
fn a_quoted_list_of_the_elements_is_not_substance() {
    // Reports (like the 2020 BPF on BPFs) quote the list of ten elements;
    // that enumeration alone must not make elements weak or present.
    let mut d = Document::new("t.md", Format::Markdown);
    d.meta.title = Some(BPF_TITLE.into());
    d.blocks.push(heading(1, 1, "Modalities"));
    let items = [
        "Regional specificities observed (e.g. Internet industry development)",
        "Existing policy measures and private sector initiatives, impediments",
        "What worked well, identifying common effective practices",
        "Unintended consequences of policy interventions, good and bad",
        "Unresolved issues where further multistakeholder cooperation is needed",
        "Insights gained as a result of the experience",
    ];
    d.blocks.push(Block::List {
        loc: Location::Line(3),
        list: List {
            ordered: true,
            ..List::default()
        },
    });
    let Some(Block::List { list, .. }) = d.blocks.last_mut() else {
        unreachable!()
    };
    list.items = items
        .iter()
        .map(|t| ListItem {
            inlines: vec![Inline::text(*t)],
            children: vec![],
        })
        .collect();
    d.finish();
    let r = check_doc(&d);
    for id in 4..=9 {
        let e = r.element(id).unwrap();
        assert_eq!(e.verdict, Missing, "element {id}");
        assert_eq!(
            e.confidence, 0.7,
            "discounted mention lowers the confidence"
        );
        assert!(e.reason.contains("enumeration"), "{}", e.reason);
    }
}

#[test]
fn short_lines_do_not_count_as_cue_paragraphs() {
    let mut d = Document::new("t.md", Format::Markdown);
    d.meta.title = Some(BPF_TITLE.into());
    d.blocks.push(para(1, "Methodology 4"));
    d.blocks.push(para(2, "Survey results 7"));
    d.finish();
    assert_eq!(check_doc(&d).element(2).unwrap().verdict, Missing);
}

#[test]
fn pdf_pages_are_evidence_locations() {
    let mut d = Document::new("t.pdf", Format::Pdf);
    d.meta.title = Some(BPF_TITLE.into());
    d.blocks.push(Block::Heading {
        loc: Location::Page(4),
        level: 1,
        label: Some("C.".into()),
        text: "Case studies".into(),
    });
    d.blocks.push(Block::Paragraph {
        loc: Location::Page(4),
        inlines: vec![Inline::text(
            "One case study came from a library in Kisumu that lends tablets to older readers. \
             The library trained twenty volunteers in its first year. It now serves two hundred \
             people a month.",
        )],
    });
    d.finish();
    let r = check_doc(&d);
    let e = r.element(3).unwrap();
    assert_eq!(e.verdict, Present);
    assert_eq!(e.evidence[0].loc, Location::Page(4));
    assert_eq!(e.evidence[0].heading_path, ["C. Case studies"]);
    assert_eq!(
        e.where_(),
        "C. Case studies (p. 4): \u{201c}One case study came from a library in Kisumu that lends tabl…\u{201d}"
    );
}

#[test]
fn list_items_count_one_by_one() {
    let mut d = Document::new("t.md", Format::Markdown);
    d.meta.title = Some(BPF_TITLE.into());
    d.blocks.push(heading(1, 1, "Observations from the year"));
    let items = [
        "The forum ran a survey among network operators in twenty countries during the spring.",
        "Twelve interviews with regulators added detail that the written answers did not give.",
        "A call for contributions stayed open for ten weeks and brought in forty written inputs.",
    ];
    d.blocks.push(Block::List {
        loc: Location::Line(3),
        list: List::default(),
    });
    if let Some(Block::List { list, .. }) = d.blocks.last_mut() {
        list.items = items
            .iter()
            .map(|t| ListItem {
                inlines: vec![Inline::text(*t)],
                children: vec![],
            })
            .collect();
    }
    d.finish();
    let e = check_doc(&d).element(2).unwrap().clone();
    assert_eq!(
        (e.verdict, e.cue_paragraphs, e.cue_sections),
        (Present, 3, 1)
    );
    assert!(
        e.evidence
            .iter()
            .all(|ev| ev.loc == Location::Line(3) && ev.blocks == (1..2))
    );
    assert!(e.evidence[1].excerpt.starts_with("Twelve interviews"));
}

#[test]
fn non_ascii_checklist_and_text_are_matched_as_written() {
    // A French checklist: patterns with accents are matched on the text as
    // written (no ASCII folding).
    let cl = Checklist::from_toml(
        "name = 'Éléments'\n[[element]]\nid = 1\nkey = true\nwording = 'Méthodologie'\nheadings = ['^méthodologie$']\ncues = ['réglementation']\n",
        "fr.toml",
    )
    .unwrap();
    assert!(!cl.ascii_patterns);
    let mut d = Document::new("t.md", Format::Markdown);
    d.meta.title = Some(BPF_TITLE.into());
    d.blocks.push(heading(1, 1, "Méthodologie"));
    d.blocks.push(para(
        3,
        "La réglementation des marchés a été étudiée. La réglementation locale aussi. \
         Les entretiens ont porté sur la réglementation.",
    ));
    d.finish();
    let r = check(&d, &cl, &CheckOptions::default());
    assert_eq!(
        r.element(1).unwrap().verdict,
        Present,
        "{}",
        r.element(1).unwrap().reason
    );
    assert_eq!(r.element(1).unwrap().evidence[0].matched, "méthodologie");

    // Built-in (ASCII) patterns still find cues next to curly quotes and
    // accented words, and report the original text.
    let mut d = Document::new("t.md", Format::Markdown);
    d.meta.title = Some(BPF_TITLE.into());
    d.blocks.push(para(
        1,
        "The forum’s “methodology” combined a café-style survey with résumé interviews across many countries in the year.",
    ));
    d.finish();
    let e = check_doc(&d).element(2).unwrap().clone();
    assert_eq!(e.cue_paragraphs, 1);
    assert!(
        e.evidence[0].matched.ends_with("methodolog"),
        "{:?}",
        e.evidence[0].matched
    );
    assert!(e.evidence[0].excerpt.contains("The forum’s “methodology”"));
}

#[test]
fn empty_document_is_all_missing_without_panicking() {
    let d = Document::new("empty.md", Format::Markdown);
    let r = check_doc(&d);
    assert!(
        r.elements
            .iter()
            .all(|e| e.verdict == Missing && e.evidence.is_empty())
    );
    assert!(r.finding("missing-title").is_some());
    assert!(!r.summary.passed);
    let json = serde_json::to_string(&r).unwrap();
    let back: bpfpress::check::CheckReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r, "the JSON shape round-trips");
}

/// The consultant's map: front matter `check:` names the heading that
/// serves an element the lexicons cannot see. The section is still judged
/// on substance, and the report says it was mapped.
#[test]
fn front_matter_maps_an_element_to_a_heading() {
    let text = "---\ntitle: IGF 2026 Best Practice Forum on Rural Access\ncheck:\n  8: \"Knots\"\n  7: Nowhere\n---\n\n\
# Knots\n\n\
Spectrum sharing between operators and community networks divides the participants. \
Operators fear interference and regulators fear complaints. \
The forum heard both sides at every meeting without settling it.\n\n\
# Other\n\nThe forum thanks its contributors for their time.\n";
    let doc =
        bpfpress::ingest::markdown::read_str(text, "t.md", &bpfpress::ingest::Limits::default());
    assert_eq!(
        doc.meta.check_map.get(&8).map(String::as_str),
        Some("Knots")
    );
    let r = check_doc(&doc);
    let e8 = r.element(8).unwrap();
    assert_eq!(e8.verdict, Present, "{}", e8.reason);
    assert!(e8.mapped && e8.reason.contains("(mapped)"), "{}", e8.reason);
    heading_at(&r, 8, 8, &["Knots"]);
    // A mapping to a heading that is not there is said, not silently used.
    let e7 = r.element(7).unwrap();
    assert_eq!(e7.verdict, Missing);
    assert!(
        e7.reason.contains("\"Nowhere\" is not in the draft"),
        "{}",
        e7.reason
    );
    // Mapped over placeholders is still missing.
    let text =
        "---\ntitle: IGF 2026 BPF draft\ncheck-8: Knots\n---\n\n# Knots\n\n[to be completed]\n";
    let doc =
        bpfpress::ingest::markdown::read_str(text, "t.md", &bpfpress::ingest::Limits::default());
    let r = check_doc(&doc);
    assert_eq!(
        r.element(8).unwrap().verdict,
        Missing,
        "{}",
        r.element(8).unwrap().reason
    );
}

/// A draft with `early` paragraphs, then a paragraph of `questions`, then
/// `late` paragraphs of neutral prose; element 8's verdict.
fn open_questions_verdict(early: usize, questions: &str, late: usize) -> Verdict {
    let mut d = Document::new("t.md", Format::Markdown);
    d.meta.title = Some(BPF_TITLE.into());
    let mut line = 1;
    for _ in 0..early {
        d.blocks.push(para(line, &format!("{}.", filler(30))));
        line += 2;
    }
    d.blocks.push(para(line, questions));
    line += 2;
    for _ in 0..late {
        d.blocks.push(para(line, &format!("{}.", filler(30))));
        line += 2;
    }
    d.finish();
    check_doc(&d).element(8).unwrap().verdict
}

#[test]
fn questions_the_draft_leaves_open_are_unresolved_issues() {
    // Two direct questions in the second half of the draft, in words no
    // lexicon lists: open issues in the draft's own words.
    let two = "Should small utilities below the thresholds be brought within the law, at the risk of costs they cannot bear? Who should pay for the measures, customers through tariffs or municipal budgets?";
    assert_ne!(open_questions_verdict(4, two, 1), Missing);
    // The same questions in the first half pose what the report answers.
    assert_eq!(open_questions_verdict(1, two, 4), Missing);
    // One question alone is rhetorical.
    let one = "Who should pay for the measures, customers through tariffs or municipal budgets and the national treasury?";
    assert_eq!(open_questions_verdict(4, one, 1), Missing);
}

#[test]
fn the_list_of_elements_quoted_in_running_prose_is_not_substance() {
    // The modalities' list quoted inside a long sentence, with more prose
    // in the same paragraph: evidence of none of the elements it names.
    let mut d = Document::new("t.md", Format::Markdown);
    d.meta.title = Some(BPF_TITLE.into());
    d.blocks.push(heading(1, 2, "About this report"));
    d.blocks.push(para(
        3,
        "Outputs cover, where possible: regional specificities; existing policy measures and private sector initiatives; what worked well; unintended consequences of policy interventions; unresolved issues; insights gained; and proposed next steps. This first draft does not yet cover all of them. It gathers the material the forum has received so far on the topic at hand. It will be extended in the coming weeks by the editors. Contributions arrived from operators, regulators and researchers in many countries during the spring. The editors thank everyone who took the time to write to the forum and to comment on the outline.",
    ));
    d.finish();
    let r = check_doc(&d);
    for id in [4, 6, 7, 8, 9] {
        assert_eq!(r.element(id).unwrap().verdict, Missing, "element {id}");
    }
}

/// A draft whose front matter subtitle names the IGF and the BPF ("IGF
/// 2026 BPF on … — early draft") is framed as a BPF report even when its
/// body never repeats the names (the dev2 corpus has three such drafts).
#[test]
fn subtitle_naming_the_bpf_frames_a_report() {
    let dir = support::scratch("subtitle-framing");
    let body = "# Introduction\n\n\
        Cell broadcast reaches every phone in an area within seconds. Many countries still have no such system, and others rarely use it. This draft looks at how these systems are introduced and what decision-makers can take from the first years.\n\n\
        # What we did\n\n\
        Information was gathered through two webinars and twelve interviews with regulators and operators in five countries.\n";
    let framed = dir.join("framed.md");
    std::fs::write(
        &framed,
        format!("---\ntitle: \"Reaching every phone\"\nsubtitle: \"IGF 2026 BPF on Cybersecurity — early draft\"\n---\n\n{body}"),
    )
    .unwrap();
    let bare = dir.join("bare.md");
    std::fs::write(
        &bare,
        format!("---\ntitle: \"Reaching every phone\"\n---\n\n{body}"),
    )
    .unwrap();
    let read = |p: &std::path::Path| {
        support::check_doc(
            &bpfpress::ingest::read_path(p, &bpfpress::ingest::Limits::default()).unwrap(),
        )
    };
    assert!(read(&framed).finding("not-a-report").is_none());
    assert!(read(&bare).finding("not-a-report").is_some());
}

/// Round 5's rules, each on a small draft (docs/check.md): the forum
/// speaking as "this forum" frames a report; a bracketed instruction and a
/// paragraph wholly in parentheses are placeholders in every sentence they
/// hold; the forum's history is bait under "Next steps" even in words that
/// sound like proposals; a call for initiatives is not a report, the
/// results of a survey are.
#[test]
fn round5_forum_framing_placeholders_and_history() {
    let dir = support::scratch("round5-rules");
    let check = |name: &str, md: &str| {
        let p = dir.join(name);
        std::fs::write(&p, md).unwrap();
        support::check_doc(
            &bpfpress::ingest::read_path(&p, &bpfpress::ingest::Limits::default()).unwrap(),
        )
    };
    let issue = "Small newsrooms now reach most of their readers through platforms they do not control, and a ranking change can halve their traffic in a week. When local reporting disappears, fewer people vote in local elections and rumours fill the gap.";
    let subtitle = "subtitle: \"IGF 2026 Best Practice Forum on Local News\"";
    // (draft, is it a BPF output report?)
    let genre = [
        (
            format!(
                "# Local news in the feed\n\n{issue} The policy question this forum took up is how ranking should treat local journalism.\n"
            ),
            true,
        ),
        (
            format!(
                "# Local news in the feed\n\n{issue} The policy question is how ranking should treat local journalism.\n"
            ),
            false,
        ),
        (
            format!(
                "---\ntitle: \"Call for Initiatives\"\n{subtitle}\n---\n\n# Share your initiative\n\n{issue}\n"
            ),
            false,
        ),
        (
            format!(
                "---\ntitle: \"Survey of Local Newsrooms: Results\"\n{subtitle}\n---\n\n# About the survey\n\n{issue} We received 187 responses from 52 countries through the BPF mailing list.\n"
            ),
            true,
        ),
    ];
    for (i, (md, report)) in genre.iter().enumerate() {
        let r = check(&format!("genre-{i}.md"), md);
        assert_eq!(r.finding("not-a-report").is_none(), *report, "{md}");
    }
    // (a section, the element it claims; each must come out missing)
    let head = format!(
        "---\ntitle: \"IGF 2026 Best Practice Forum on Local News\"\n---\n\n# The issue\n\n{issue}\n\n"
    );
    let sections = [
        (
            "# Case studies\n\n[Insert 4-6 cases here. Candidates: a cooperative of eleven local papers in Nordhavn; a press council register in Elmira; one from Africa or Asia.]\n",
            3,
        ),
        (
            "# Case studies\n\n*(One box per case, max. 300 words each: who, where, what was done, results. Aim for 8-10 cases, balanced across regions.)*\n",
            3,
        ),
        (
            "# Next steps\n\nThe Best Practice Forum on Local News was first proposed in 2024 by a coalition of press councils. It first met at the IGF in Riyadh and was approved by the MAG for a second year in 2026.\n",
            10,
        ),
    ];
    for (i, (section, id)) in sections.iter().enumerate() {
        let r = check(&format!("section-{i}.md"), &format!("{head}{section}"));
        assert_eq!(
            r.element(*id).unwrap().verdict,
            Verdict::Missing,
            "{section}"
        );
    }
}
