//! The Markdown / plain-text reader on the real report and on crafted drafts.

mod support;

use bpfpress::ingest::markdown::read_markdown;
use bpfpress::ingest::{Limits, read_path};
use bpfpress::model::{Block, Document, Inline, List, Location, NoteKind};
use std::sync::LazyLock;

const REPORT: &str = "fixtures/report/bpf-on-bpfs-2020.md";

static REPORT_DOC: LazyLock<Document> =
    LazyLock::new(|| read_path(&support::root().join(REPORT), &Limits::default()).unwrap());

fn md(text: &str) -> Document {
    read_markdown(text.as_bytes(), "test.md", &Limits::default()).unwrap()
}

/// (level, label, text, line) of every heading.
fn heads(d: &Document) -> Vec<(u8, Option<String>, String, Location)> {
    d.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading {
                level,
                label,
                text,
                loc,
            } => Some((*level, label.clone(), text.clone(), *loc)),
            _ => None,
        })
        .collect()
}

fn all_inlines(d: &Document) -> Vec<&Inline> {
    d.blocks.iter().flat_map(|b| b.inlines()).collect()
}

// ------------------------------------------------------------ real report

#[test]
fn report_chapters_a_to_f_in_order_with_labels_then_annexes() {
    let h = heads(&REPORT_DOC);
    let top: Vec<(Option<&str>, &str)> = h
        .iter()
        .filter(|x| x.0 == 1)
        .map(|x| (x.1.as_deref(), x.2.as_str()))
        .collect();
    assert_eq!(
        top,
        [
            (None, "Acknowledgements"),
            (Some("A."), "Introduction"),
            (
                Some("B."),
                "IGF BPFs 2014-2019 - Documenting experiences of 26 Best Practice Forums"
            ),
            (
                Some("C."),
                "Organising and leading BPFs: observations, challenges and way forward"
            ),
            (
                Some("D."),
                "Towards a mechanism supporting the selection of BPF topics"
            ),
            (Some("E."), "BPF Modalities"),
            (Some("F."), "Concluding remarks"),
            (None, "Annexes"),
        ]
    );
    // Locations are source lines (the TOC copy at line 47 is not a heading).
    let a = h.iter().find(|x| x.1.as_deref() == Some("A.")).unwrap();
    assert_eq!(a.3, Location::Line(81));
    assert!(
        REPORT_DOC
            .warnings
            .iter()
            .any(|w| w.contains("headings were inferred")),
        "{:?}",
        REPORT_DOC.warnings
    );
}

#[test]
fn report_sections_a_to_g_under_c_and_roman_under_e() {
    let h = heads(&REPORT_DOC);
    let c = h.iter().position(|x| x.1.as_deref() == Some("C.")).unwrap();
    let d = h.iter().position(|x| x.1.as_deref() == Some("D.")).unwrap();
    let secs: Vec<(&str, &str)> = h[c..d]
        .iter()
        .filter(|x| x.0 == 2)
        .map(|x| (x.1.as_deref().unwrap(), x.2.as_str()))
        .collect();
    assert_eq!(
        secs,
        [
            ("a.", "BPF Definition and purpose"),
            (
                "b.",
                "BPF modalities and selection of topics, MAG as steward of the intersessional programme"
            ),
            ("c.", "BPF cycle versus BPF 'active' period"),
            (
                "d.",
                "Participation, outreach, and raising the profile of BPF work"
            ),
            (
                "e.",
                "Setting expectations and keeping BPFs focused on a realistic goal"
            ),
            (
                "f.",
                "Cooperation with other IGF activities and workstreams"
            ),
            (
                "g.",
                "Sharing and disseminating BPF outputs / increasing BPF impact"
            ),
        ]
    );
    // Every chapter restarts its sections at a.
    let b = h.iter().position(|x| x.1.as_deref() == Some("B.")).unwrap();
    assert_eq!(h[b + 1].1.as_deref(), Some("a."));
    assert_eq!(h[b + 1].0, 2);
    // Standalone short lines sit one level below: "Observations" under C.a.
    assert_eq!((h[c + 2].0, h[c + 2].2.as_str()), (3, "Observations"));

    let e = h.iter().position(|x| x.1.as_deref() == Some("E.")).unwrap();
    let f = h.iter().position(|x| x.1.as_deref() == Some("F.")).unwrap();
    let roman: Vec<(u8, &str)> = h[e..f]
        .iter()
        .filter(|x| {
            x.1.as_deref()
                .is_some_and(|l| l.ends_with("I.") || l == "IV.")
        })
        .map(|x| (x.0, x.1.as_deref().unwrap()))
        .collect();
    assert_eq!(roman, [(3, "I."), (3, "II."), (3, "III."), (3, "IV.")]);
    // Annexes: the keyword headings sit under the plural part name.
    let annexe1 = h
        .iter()
        .find(|x| x.1.as_deref() == Some("Annexe 1"))
        .unwrap();
    assert_eq!(annexe1.0, 2);
    assert_eq!(
        annexe1.2,
        "IGF Best Practice Forums - overview BPF topics 2014-2019"
    );
}

#[test]
fn report_footnotes_resolved() {
    let d = &*REPORT_DOC;
    assert_eq!(d.notes.len(), 38);
    assert!(d.notes.iter().all(|n| n.kind == NoteKind::Footnote));
    assert_eq!(d.note("3").unwrap().text, "Par. 72, d.");
    assert_eq!(d.note("3").unwrap().loc, Some(Location::Line(97)));
    assert!(
        d.note("37")
            .unwrap()
            .text
            .starts_with("The assessment consider the full proposal")
    );
    // A definition continued by a bare URL on its own paragraph.
    assert!(
        d.note("14")
            .unwrap()
            .text
            .ends_with("https://www.cigionline.org/sites/default/files/gcig_no23web_0.pdf")
    );
    let mut refs: Vec<u32> = all_inlines(d)
        .into_iter()
        .filter_map(|i| match i {
            Inline::NoteRef { id } => Some(id.parse().unwrap()),
            _ => None,
        })
        .collect();
    refs.sort();
    refs.dedup();
    assert_eq!(refs, (1..=38).collect::<Vec<_>>());
    // `^{4, 5}` becomes two references right after the sentence.
    let p = d
        .blocks
        .iter()
        .find(|b| {
            b.plain_text()
                .starts_with("The BPFs were re-introduced in 2014")
        })
        .unwrap();
    let inl = p.inlines();
    let at = inl
        .iter()
        .position(|i| matches!(i, Inline::NoteRef { id } if id == "4"))
        .unwrap();
    assert!(matches!(inl[at + 1], Inline::NoteRef { id } if id == "5"));
    assert!(matches!(inl[at - 1], Inline::Text { text, .. } if text.ends_with("policy’.")));
    // No superscript numeral is left in the body text.
    let body: String = d.blocks.iter().map(|b| b.plain_text()).collect();
    assert!(
        !body.contains('¹') && !body.contains("^{"),
        "superscripts left"
    );
}

#[test]
fn report_hash_link_target_kept() {
    let links: Vec<(&str, &str)> = all_inlines(&REPORT_DOC)
        .into_iter()
        .filter_map(|i| match i {
            Inline::Link { target, text } => Some((target.as_str(), text.as_str())),
            _ => None,
        })
        .collect();
    assert!(links.contains(&("#", "Dynamic Coalitions")), "{links:?}");
    assert!(links.contains(&(
        "https://www.intgovforum.org/multilingual/content/bpfs-outputs",
        "https://www.intgovforum.org/multilingual/content/bpfs-outputs"
    )));
}

#[test]
fn report_title_page_into_metadata() {
    let m = &REPORT_DOC.meta;
    assert_eq!(
        m.title.as_deref(),
        Some(
            "Reviewing past Best Practice Forums (BPF) to enhance future BPF work : a “BPF on BPFs”"
        )
    );
    assert_eq!(m.date.as_deref(), Some("2020-09"));
    assert_eq!(m.authors, ["Markus Kummer", "Wim Degezelle"]);
    // The title page and the typed TOC are not body text.
    let first = REPORT_DOC.blocks.first().unwrap();
    assert_eq!(first.plain_text(), "Acknowledgements");
    assert!(
        REPORT_DOC
            .warnings
            .iter()
            .any(|w| w.contains("table of contents"))
    );
}

#[test]
fn report_no_false_headings() {
    let h = heads(&REPORT_DOC);
    for (_, _, text, loc) in &h {
        // TOC lines (43-73) and the repeated title page are gone.
        assert!(!matches!(loc, Location::Line(43..=79)), "{text} at {loc}");
        assert!(!text.contains('\t'));
        assert!(text.split_whitespace().count() <= 20, "{text}");
        assert!(!text.ends_with('.'), "{text}");
    }
    assert_eq!(
        h.iter().filter(|x| x.2 == "Introduction").count(),
        1,
        "TOC entry must not repeat the heading"
    );
    // "1. On 26 October 2020, …" stays an ordered list.
    let l = REPORT_DOC
        .blocks
        .iter()
        .find(|b| b.plain_text().starts_with("On 26 October 2020"))
        .unwrap();
    assert!(matches!(l, Block::List { list, .. } if list.ordered));
    // A schedule of short lines is not a heading.
    assert!(!h.iter().any(|x| x.2.starts_with("Draft report by 1 June")));
    assert!(!h.iter().any(|x| x.2.starts_with("Final report by")));
}

// ---------------------------------------------------------- crafted draft

const DRAFT: &str = "---
title: \"BPF Cybersecurity: draft output\"
subtitle: IGF 2021
author:
  - Ann Example
  - name: Bo Sample
date: 2021-10-04
lang: en-GB
keywords: [cybersecurity, norms]
---

# C. Findings

Intro with *emphasis*, **strong** and a [link](https://example.org/a) and an [empty]() one.[^n1]

Setext section
--------------

3. third
4. fourth
   - nested *one*
   - nested two

| Name | Role |
|------|------|
| Ann  | Chair |

![A chart of answers](chart.png)

![](decor.png)

[^n1]: The note text, with a [link](https://example.org/n).
";

#[test]
fn crafted_draft_exact() {
    let d = md(DRAFT);
    let m = &d.meta;
    assert_eq!(m.title.as_deref(), Some("BPF Cybersecurity: draft output"));
    assert_eq!(m.subtitle.as_deref(), Some("IGF 2021"));
    assert_eq!(m.authors, ["Ann Example", "Bo Sample"]);
    assert_eq!(m.date.as_deref(), Some("2021-10-04"));
    assert_eq!(m.language.as_deref(), Some("en-GB"));
    assert_eq!(m.keywords, ["cybersecurity", "norms"]);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);

    assert_eq!(
        heads(&d),
        [
            (1, Some("C.".into()), "Findings".into(), Location::Line(12)),
            (2, None, "Setext section".into(), Location::Line(16)),
        ]
    );
    let Block::Paragraph { loc, inlines } = &d.blocks[1] else {
        panic!("{:?}", d.blocks[1])
    };
    assert_eq!(*loc, Location::Line(14));
    assert_eq!(
        inlines,
        &[
            Inline::text("Intro with "),
            Inline::Text {
                text: "emphasis".into(),
                emph: true,
                strong: false
            },
            Inline::text(", "),
            Inline::Text {
                text: "strong".into(),
                emph: false,
                strong: true
            },
            Inline::text(" and a "),
            Inline::Link {
                target: "https://example.org/a".into(),
                text: "link".into()
            },
            Inline::text(" and an "),
            Inline::Link {
                target: "".into(),
                text: "empty".into()
            },
            Inline::text(" one."),
            Inline::NoteRef { id: "n1".into() },
        ]
    );
    let Block::List { loc, list } = &d.blocks[3] else {
        panic!("{:?}", d.blocks[3])
    };
    assert_eq!(*loc, Location::Line(19));
    assert!(list.ordered);
    assert_eq!(list.start, Some(3));
    assert_eq!(list.items.len(), 2);
    assert_eq!(list.items[0].inlines, [Inline::text("third")]);
    let nested: &List = &list.items[1].children[0];
    assert!(!nested.ordered);
    assert_eq!(nested.items.len(), 2);
    assert_eq!(
        nested.items[0].inlines,
        [
            Inline::text("nested "),
            Inline::Text {
                text: "one".into(),
                emph: true,
                strong: false
            }
        ]
    );
    let Block::Table { loc, rows } = &d.blocks[4] else {
        panic!("{:?}", d.blocks[4])
    };
    assert_eq!(*loc, Location::Line(24));
    assert_eq!(rows.len(), 2);
    assert!(rows[0].header && !rows[1].header);
    assert_eq!(rows[1].cells[1].inlines, [Inline::text("Chair")]);
    assert_eq!(
        d.blocks[5],
        Block::Image {
            loc: Location::Line(28),
            alt: Some("A chart of answers".into()),
            src: Some("chart.png".into()),
            // Alone in its paragraph: a figure, its description its caption.
            caption: Some("A chart of answers".into()),
            width: None,
        }
    );
    assert_eq!(
        d.blocks[6],
        Block::Image {
            loc: Location::Line(30),
            alt: None,
            src: Some("decor.png".into()),
            caption: None,
            width: None,
        }
    );
    assert_eq!(d.blocks.len(), 7);
    assert_eq!(d.notes.len(), 1);
    assert_eq!(d.notes[0].id, "n1");
    assert_eq!(d.notes[0].text, "The note text, with a link.");
    assert_eq!(d.notes[0].loc, Some(Location::Line(32)));
    // heading 1, paragraph 11, setext heading 2, list 6, table 4, alt text 4
    assert_eq!(d.meta.words, 1 + 11 + 2 + 6 + 4 + 4);
}

// ------------------------------------------------- plain-text heuristics

#[test]
fn numbered_list_items_long_sentences_and_toc_lines_are_not_headings() {
    let d = md(
        "Some opening paragraph that is long enough to be body text, clearly.\n\n\
         1. On 26 October 2020, 13:00 UTC, the MAG held an extraordinary meeting\n\n\
         This sentence is much longer than any heading would be and has no final stop at all here\n\n\
         Contents\n\n\
         A. Introduction\t3\nB. Method\t5\nC. Results\t9\n\n\
         Some closing paragraph of body text, with a full stop.\n",
    );
    assert_eq!(heads(&d), []);
    assert!(d.warnings.iter().any(|w| w.contains("table of contents")));
    assert!(matches!(d.blocks[1], Block::List { .. }));
}

#[test]
fn lettered_enumerations_schedules_and_initials_are_not_headings() {
    let d = md("Intro paragraph of body text that says something.\n\n\
         a. First point\n\nb. Second point\n\nc. Third point\n\n\
         J. Smith Reporting\n\nBody text about the reporting, with a full stop.\n\n\
         Research and analysis: March - April\n\nDraft report by 1 June\n\nOpen process: June - July\n\n\
         Final text paragraph that ends properly.\n");
    assert_eq!(heads(&d), []);
}

#[test]
fn labelled_and_numbered_plain_text_gets_headings() {
    let d = md(
        "1. Introduction\n\nBody text of the introduction, long enough.\n\n\
         1.1 Scope\n\nWhat is covered here.\n\n\
         2. Method\n\nHow the work was done.\n\nKey findings\n\n- one\n- two\n",
    );
    let h: Vec<(u8, Option<String>, String)> =
        heads(&d).into_iter().map(|x| (x.0, x.1, x.2)).collect();
    assert_eq!(
        h,
        [
            (1, Some("1.".into()), "Introduction".into()),
            (2, Some("1.1".into()), "Scope".into()),
            (1, Some("2.".into()), "Method".into()),
            (2, None, "Key findings".into()),
        ]
    );
}

#[test]
fn markdown_headings_switch_the_heuristics_off() {
    let d = md("# Title\n\n## Part\n\nA. Introduction\n\nObservations\n\n- x\n");
    // The lone `#` heading is the title; its one section moves up a level.
    assert_eq!(d.meta.title.as_deref(), Some("Title"));
    let h: Vec<(u8, String)> = heads(&d).into_iter().map(|x| (x.0, x.2)).collect();
    assert_eq!(h, [(1, "Part".to_string())]);
    assert!(
        !d.warnings.iter().any(|w| w.contains("inferred")),
        "{:?}",
        d.warnings
    );
}

// ------------------------------------------------------------ encodings

#[test]
fn utf16_and_bom_decode_like_utf8() {
    let text = "# Überblick\n\nText mit Fußnote.\n";
    let plain = md(text);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(text.as_bytes());
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    for bytes in [bom, le, be] {
        let d = read_markdown(&bytes, "test.md", &Limits::default()).unwrap();
        assert_eq!(d.blocks, plain.blocks);
    }
    assert_eq!(heads(&plain)[0].2, "Überblick");
}

#[test]
fn latin1_is_a_clear_error_with_line_and_offset() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("draft.txt");
    std::fs::write(&p, b"Title\n\nCaf\xe9 culture\n").unwrap();
    let e = read_path(&p, &Limits::default()).unwrap_err().to_string();
    assert!(e.contains("draft.txt"), "{e}");
    assert!(e.contains("line 3, byte offset 10"), "{e}");
    assert!(e.contains("UTF-8"), "{e}");
}

#[test]
fn deep_nesting_is_bounded() {
    let mut s = String::new();
    for i in 0..2000 {
        s.push_str(&" ".repeat(i * 2));
        s.push_str("- x\n");
    }
    let lim = Limits {
        max_xml_depth: 50,
        ..Limits::default()
    };
    let d = read_markdown(s.as_bytes(), "deep.md", &lim).unwrap();
    assert!(d.warnings.iter().any(|w| w.contains("flattened")));
    let json = serde_json::to_string(&d).unwrap();
    assert!(json.contains("\"x\""));
}

// ------------------------------------------------------------ docs

/// Fenced blocks of `lang` in `docs/model.md`, in order.
fn fenced(doc: &str, lang: &str) -> Vec<String> {
    let open = format!("```{lang}\n");
    let mut out = Vec::new();
    let mut rest = doc;
    while let Some(i) = rest.find(&open) {
        let body = &rest[i + open.len()..];
        let end = body.find("```").unwrap();
        out.push(body[..end].to_string());
        rest = &body[end + 3..];
    }
    out
}

#[test]
fn docs_model_examples_are_real() {
    let doc = std::fs::read_to_string(support::root().join("docs/model.md")).unwrap();
    let md_src = &fenced(&doc, "markdown")[0];
    let json = fenced(&doc, "json");
    let shown: serde_json::Value = serde_json::from_str(&json[0]).unwrap();
    let real = read_markdown(md_src.as_bytes(), "ex.md", &Limits::default()).unwrap();
    assert_eq!(serde_json::to_value(&real).unwrap(), shown);
    use bpfpress::model::{Comment, Revision};
    let _: Block = serde_json::from_str(&json[1]).unwrap();
    let _: Block = serde_json::from_str(&json[2]).unwrap();
    let _: Vec<Inline> = serde_json::from_str(&json[3]).unwrap();
    let _: Comment = serde_json::from_str(&json[4]).unwrap();
    let _: Revision = serde_json::from_str(&json[5]).unwrap();
}

#[test]
fn crlf_line_endings_read_the_same() {
    let p = support::root().join(REPORT);
    let text = std::fs::read_to_string(p).unwrap();
    let crlf = text.replace('\n', "\r\n");
    let src = REPORT_DOC.meta.source.clone();
    let d = read_markdown(crlf.as_bytes(), &src, &Limits::default()).unwrap();
    assert_eq!(heads(&d), heads(&REPORT_DOC));
    assert_eq!(d.notes, REPORT_DOC.notes);
    assert_eq!(d.meta, REPORT_DOC.meta);
}
