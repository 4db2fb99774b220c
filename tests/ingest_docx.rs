//! The DOCX reader on real files (the shared report converted by pandoc and
//! by LibreOffice, small fixtures with tracked changes, comments, notes,
//! lists and tables) and on hostile or broken packages.

mod support;

use bpfpress::ingest::{IngestErrorKind, Limits, read_path};
use bpfpress::model::{Block, Document, Inline, List, Location, NoteKind, RevisionKind};
use std::io::Write;
use std::path::{Path, PathBuf};
use support::{Run, bpfpress, fixture};

fn read(rel: &str) -> Document {
    read_path(&fixture(rel), &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn all_inlines(doc: &Document) -> Vec<&Inline> {
    doc.blocks.iter().flat_map(|b| b.inlines()).collect()
}

fn note_refs(doc: &Document) -> Vec<String> {
    all_inlines(doc)
        .into_iter()
        .filter_map(|i| match i {
            Inline::NoteRef { id } => Some(id.clone()),
            _ => None,
        })
        .collect()
}

const REPORTS: [&str; 2] = [
    "report/bpf-on-bpfs-2020.pandoc.docx",
    "report/bpf-on-bpfs-2020.lo.docx",
];

#[test]
fn report_chapters_a_to_f_in_order_with_labels_split() {
    for rel in REPORTS {
        let doc = read(rel);
        let chapters: Vec<(Option<&str>, &str)> = doc
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading {
                    level: 1,
                    label,
                    text,
                    ..
                } => Some((label.as_deref(), text.as_str())),
                _ => None,
            })
            .collect();
        assert_eq!(
            chapters,
            vec![
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
            ],
            "{rel}"
        );
        // Sections a.–g. of chapter C, level 2, in order.
        let c_sections: Vec<&str> = doc
            .blocks
            .iter()
            .skip_while(|b| !matches!(b, Block::Heading { label: Some(l), .. } if l == "C."))
            .skip(1)
            .take_while(|b| !matches!(b, Block::Heading { level: 1, .. }))
            .filter_map(|b| match b {
                Block::Heading {
                    level: 2,
                    label: Some(l),
                    ..
                } => Some(l.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            c_sections,
            ["a.", "b.", "c.", "d.", "e.", "f.", "g."],
            "{rel}"
        );
        // The TOC is skipped: no heading or paragraph repeats "Table of Contents".
        assert!(
            !doc.blocks
                .iter()
                .any(|b| b.plain_text().contains("Table of Contents")),
            "{rel}: TOC leaked into the body"
        );
        // Locations are paragraph indices, increasing through the body.
        let locs: Vec<u32> = doc
            .blocks
            .iter()
            .map(|b| match b.loc() {
                Location::Paragraph(n) => n,
                other => panic!("{rel}: unexpected location {other:?}"),
            })
            .collect();
        assert!(locs.windows(2).all(|w| w[0] <= w[1]), "{rel}: {locs:?}");
        assert!(locs[0] > 1, "{rel}: title-page paragraphs come first");
    }
}

/// pandoc writes one numId per list; LibreOffice one per bullet item (and a
/// restarting numId for each numbered list's first item). Both must give the
/// same lists.
#[test]
fn report_lists_agree_between_pandoc_and_libreoffice() {
    let shape = |rel: &str| -> Vec<(u32, bool, usize)> {
        read(rel)
            .blocks
            .iter()
            .filter_map(|b| match b {
                Block::List {
                    loc: Location::Paragraph(n),
                    list,
                } => Some((*n, list.ordered, list.items.len())),
                _ => None,
            })
            .collect()
    };
    let (p, l) = (shape(REPORTS[0]), shape(REPORTS[1]));
    assert_eq!(p, l);
    assert_eq!(p.len(), 60);
    // The contributors list under Acknowledgements: 17 names.
    assert_eq!(p[0].2, 17);
    assert!(p.iter().any(|(_, ordered, _)| *ordered));
}

#[test]
fn report_footnotes_links_and_metadata() {
    for rel in REPORTS {
        let doc = read(rel);
        let footnotes: Vec<_> = doc
            .notes
            .iter()
            .filter(|n| n.kind == NoteKind::Footnote)
            .collect();
        assert_eq!(footnotes.len(), 38, "{rel}");
        let refs = note_refs(&doc);
        assert_eq!(refs.len(), 38, "{rel}");
        for r in &refs {
            assert!(doc.note(r).is_some(), "{rel}: ref {r} has no note");
        }
        assert!(
            doc.notes[0]
                .text
                .starts_with("In the resolution adopted by the UN General Assembly"),
            "{rel}: {}",
            doc.notes[0].text
        );
        let links: Vec<&str> = all_inlines(&doc)
            .into_iter()
            .filter_map(|i| match i {
                Inline::Link { target, .. } => Some(target.as_str()),
                _ => None,
            })
            .collect();
        assert!(links.contains(&"#"), "{rel}: a `#` link must be kept");
        assert!(
            links.contains(&"https://www.intgovforum.org/multilingual/content/bpf-on-bpfs"),
            "{rel}: {links:?}"
        );
        let m = &doc.meta;
        assert_eq!(
            m.title.as_deref(),
            Some(
                "Reviewing past Best Practice Forums (BPF) to enhance future BPF work: a “BPF on BPFs”"
            ),
            "{rel}"
        );
        assert_eq!(
            m.subtitle.as_deref(),
            Some("IGF 2020 Best Practice Forum output report")
        );
        assert_eq!(m.authors, ["Markus Kummer", "Wim Degezelle"], "{rel}");
        assert_eq!(m.date.as_deref(), Some("2020-09"), "{rel}");
        assert_eq!(m.language.as_deref(), Some("en-GB"), "{rel}");
        assert!(m.words > 10_000, "{rel}: {} words", m.words);
        assert!(doc.comments.is_empty() && doc.revisions.is_empty());
        assert!(doc.warnings.is_empty(), "{rel}: {:?}", doc.warnings);
    }
}

#[test]
fn review_fixture_comment_revisions_and_accepted_text() {
    let doc = read("docx/review.docx");
    assert_eq!(doc.comments.len(), 1);
    let c = &doc.comments[0];
    assert_eq!(c.author, "Carol Commenter");
    assert_eq!(c.text, "Please check this figure");
    assert_eq!(c.anchor, "The budget is 10 000 EUR.");
    assert_eq!(c.date.as_deref(), Some("2021-03-03T12:00:00Z"));
    let anchored_para = doc
        .blocks
        .iter()
        .find(|b| b.plain_text().starts_with("The budget is"))
        .unwrap();
    assert_eq!(c.loc, Some(anchored_para.loc()));

    let ins: Vec<_> = doc
        .revisions
        .iter()
        .filter(|r| r.kind == RevisionKind::Insert)
        .collect();
    let del: Vec<_> = doc
        .revisions
        .iter()
        .filter(|r| r.kind == RevisionKind::Delete)
        .collect();
    assert_eq!((ins.len(), del.len()), (2, 1));
    assert!(ins.iter().all(|r| r.author == "Alice Reviewer"));
    assert_eq!(del[0].author, "Bob Editor");
    assert_eq!(del[0].text, "was deleted");
    assert_eq!(del[0].date.as_deref(), Some("2021-03-02T11:00:00Z"));
    assert_eq!(ins[0].text, "was inserted");

    // Accepted text: insertion kept, deletion gone, at the revision's paragraph.
    let para = doc
        .blocks
        .iter()
        .find(|b| b.plain_text().starts_with("The draft"))
        .unwrap();
    assert!(para.plain_text().contains("was inserted"));
    assert!(!para.plain_text().contains("was deleted"));
    assert_eq!(para.loc(), del[0].loc);

    // Footnotes, links, metadata from Title/Subtitle/Author/Date paragraphs.
    assert_eq!(doc.notes.len(), 2);
    let refs = note_refs(&doc);
    assert_eq!(refs.len(), 2);
    assert_eq!(
        doc.note(&refs[1]).unwrap().text,
        "The second footnote, with emphasis."
    );
    let links: Vec<(&str, &str)> = all_inlines(&doc)
        .into_iter()
        .filter_map(|i| match i {
            Inline::Link { target, text } => Some((target.as_str(), text.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        links,
        [
            ("https://example.org/x?a=1&b=2", "the example"),
            ("#", "nowhere")
        ]
    );
    assert_eq!(
        doc.meta.title.as_deref(),
        Some("Review fixture for the DOCX reader")
    );
    assert_eq!(doc.meta.authors, ["Ana Autor", "Bo Writer"]);
    assert_eq!(doc.meta.date.as_deref(), Some("2021-03-03"));
    assert_eq!(doc.meta.keywords, ["fixture", "review"]);
    assert!(
        !doc.blocks
            .iter()
            .any(|b| b.plain_text().contains("Review fixture for")),
        "title paragraph is metadata, not a block"
    );
}

#[test]
fn review_fixture_lists_tables_images() {
    let doc = read("docx/review.docx");
    let list: &List = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::List { list, .. } => Some(list),
            _ => None,
        })
        .unwrap();
    assert!(list.ordered);
    let texts = |l: &List| -> Vec<String> {
        l.items
            .iter()
            .map(|i| bpfpress::model::inlines_text(&i.inlines))
            .collect()
    };
    assert_eq!(texts(list), ["First ordered item", "Second ordered item"]);
    let level2 = &list.items[0].children[0];
    assert!(!level2.ordered);
    assert_eq!(texts(level2), ["Bullet under first", "Another bullet"]);
    let level3 = &level2.items[1].children[0];
    assert!(level3.ordered);
    assert_eq!(texts(level3), ["Deep ordered item"]);
    // The separate bullet list after it is its own unordered list.
    let lists: Vec<&List> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::List { list, .. } => Some(list),
            _ => None,
        })
        .collect();
    assert_eq!(lists.len(), 2);
    assert!(!lists[1].ordered);

    let rows = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Table { rows, .. } => Some(rows),
            _ => None,
        })
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert!(rows[0].header && !rows[1].header);
    let cell = |r: usize, c: usize| bpfpress::model::inlines_text(&rows[r].cells[c].inlines);
    assert_eq!((cell(0, 0), cell(0, 1)), ("Name".into(), "Value".into()));
    assert_eq!((cell(2, 0), cell(2, 1)), ("beta".into(), "2".into()));

    let alts: Vec<Option<&str>> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Image { alt, .. } => Some(alt.as_deref()),
            _ => None,
        })
        .collect();
    assert_eq!(alts, [Some("A red square chart"), None]);
}

#[test]
fn layout_fixture_custom_styles_spans_nested_tables_endnotes() {
    let doc = read("docx/layout.docx");
    let heads: Vec<(u8, Option<&str>, &str)> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading {
                level, label, text, ..
            } => Some((*level, label.as_deref(), text.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        heads,
        [(1, Some("C."), "Ergebnisse"), (2, Some("2.1"), "Tabellen")]
    );
    let tables: Vec<_> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Table { rows, .. } => Some(rows),
            _ => None,
        })
        .collect();
    assert_eq!(
        tables.len(),
        2,
        "the nested table is flattened, not a block"
    );
    let t = tables[0];
    assert!(t[0].header, "w:tblHeader row");
    assert_eq!(t[1].cells[0].colspan, 2);
    assert_eq!(
        bpfpress::model::inlines_text(&t[1].cells[1].inlines),
        "inner a | inner b"
    );
    assert!(tables[1][0].header, "all-bold first row");
    assert!(!tables[1][1].header);
    let refs = note_refs(&doc);
    assert_eq!(refs.len(), 1);
    let note = doc.note(&refs[0]).unwrap();
    assert_eq!(
        (note.kind, note.text.as_str()),
        (NoteKind::Endnote, "Die Endnote.")
    );
    assert_eq!(doc.meta.authors, ["Dana Drafter"]);
    assert_eq!(doc.meta.date.as_deref(), Some("2021-05-04"));
    assert_eq!(doc.meta.language.as_deref(), Some("de-DE"));
}

#[test]
fn numbered_fixture_labels_from_numbering_localised_style_and_toc_skipped() {
    let doc = read("docx/numbered.docx");
    let heads: Vec<(u8, Option<&str>, &str)> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading {
                level, label, text, ..
            } => Some((*level, label.as_deref(), text.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(
        heads,
        [
            (1, Some("A."), "Einleitung"),
            (2, Some("A.1"), "Umfang"),
            (1, Some("B."), "Methode"),
            (2, None, "Lokalisierte Überschrift"),
        ]
    );
    // The filled table of contents (three entries) is not body text.
    let paragraphs: Vec<String> = doc
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Paragraph { .. }))
        .map(|b| b.plain_text())
        .collect();
    assert_eq!(
        paragraphs,
        ["Erster Absatz.", "Zweiter Absatz.", "Dritter Absatz."]
    );
    // Four TOC paragraphs come first: the first heading is paragraph 5.
    assert_eq!(doc.blocks[0].loc(), Location::Paragraph(5));
}

// ---------------------------------------------------------------- bad input

const W_NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

/// A minimal package (stored entries) with this document.xml.
fn minimal_docx(document_xml: &str, with_document: bool) -> Vec<u8> {
    minimal_docx_with(document_xml, with_document, &[])
}

/// A minimal package with extra parts.
fn minimal_docx_with(document_xml: &str, with_document: bool, extra: &[(&str, &str)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut add = |name: &str, body: &str| {
        w.start_file(name, opts).unwrap();
        w.write_all(body.as_bytes()).unwrap();
    };
    add(
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"#,
    );
    add(
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>"#,
    );
    if with_document {
        add("word/document.xml", document_xml);
    } else {
        add("word/other.xml", document_xml);
    }
    for (name, body) in extra {
        add(name, body);
    }
    w.finish().unwrap().into_inner()
}

/// Relationships of a main document naming its styles and comments parts.
fn styles_and_comments_rels() -> String {
    let rel = |id: &str, kind: &str, target: &str| {
        format!(
            r#"<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}"/>"#
        )
    };
    format!(
        r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{}{}</Relationships>"#,
        rel("rId1", "styles", "styles.xml"),
        rel("rId2", "comments", "comments.xml")
    )
}

/// A package of these parts, deflated, in this order.
fn deflated_zip(parts: &[(&str, String)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in parts {
        w.start_file(*name, opts).unwrap();
        w.write_all(text.as_bytes()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn body(inner: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document {W_NS}><w:body>{inner}</w:body></w:document>"#
    )
}

struct Bad {
    dir: tempfile::TempDir,
}

impl Bad {
    fn new() -> Self {
        Bad {
            dir: tempfile::tempdir().unwrap(),
        }
    }
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

/// Read `path`, expect an error; check it names the file and return its text.
fn expect_error(path: &Path) -> (IngestErrorKind, String) {
    let err = read_path(path, &Limits::default()).expect_err("bad input must fail");
    let msg = err.to_string();
    assert!(msg.starts_with(&path.display().to_string()), "{msg}");
    assert!(!msg.contains('\n'), "one line: {msg}");
    assert!(
        !matches!(
            err.kind,
            IngestErrorKind::Panic(_) | IngestErrorKind::Timeout(_)
        ),
        "must be a clean error, got {msg}"
    );
    (err.kind, msg)
}

/// The binary: exit code 2 and one stderr line naming the file.
fn expect_cli_error(path: &Path, needle: &str) {
    Run::of(&mut bpfpress(["ingest".as_ref(), path.as_os_str()]))
        .assert_one_error(&path.display().to_string(), needle);
}

#[test]
fn link_targets_are_kept_exactly() {
    let bad = Bad::new();
    let rels = r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="" TargetMode="External"/><Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink" Target="https://example.org/page" TargetMode="External"/></Relationships>"#;
    let doc = body(concat!(
        r#"<w:p xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#,
        r#"<w:hyperlink r:id="rId7"><w:r><w:t>empty</w:t></w:r></w:hyperlink>"#,
        r#"<w:r><w:t xml:space="preserve"> </w:t></w:r>"#,
        r#"<w:hyperlink r:id="rId8" w:anchor="part2"><w:r><w:t>fragment</w:t></w:r></w:hyperlink>"#,
        r#"<w:r><w:t xml:space="preserve"> </w:t></w:r>"#,
        r#"<w:hyperlink w:anchor=""><w:r><w:t>hash</w:t></w:r></w:hyperlink>"#,
        r#"<w:r><w:t xml:space="preserve"> see </w:t></w:r>"#,
        r#"<w:r><w:fldChar w:fldCharType="begin"/></w:r>"#,
        r#"<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.org/field" </w:instrText></w:r>"#,
        r#"<w:r><w:fldChar w:fldCharType="separate"/></w:r>"#,
        r#"<w:r><w:t>field link</w:t></w:r>"#,
        r#"<w:r><w:fldChar w:fldCharType="end"/></w:r>"#,
        r#"<w:r><w:t>.</w:t></w:r></w:p>"#
    ));
    let p = bad.file(
        "links.docx",
        &minimal_docx_with(&doc, true, &[("word/_rels/document.xml.rels", rels)]),
    );
    let d = read_path(&p, &Limits::default()).unwrap();
    let links: Vec<(String, String)> = all_inlines(&d)
        .into_iter()
        .filter_map(|i| match i {
            Inline::Link { target, text } => Some((target.clone(), text.clone())),
            _ => None,
        })
        .collect();
    let want = [
        ("", "empty"),
        ("https://example.org/page#part2", "fragment"),
        ("#", "hash"),
        ("https://example.org/field", "field link"),
    ];
    assert_eq!(
        links,
        want.map(|(t, x)| (t.to_string(), x.to_string())).to_vec()
    );
    assert_eq!(
        d.blocks[0].plain_text(),
        "empty fragment hash see field link."
    );
}

#[test]
fn deleted_paragraph_mark_joins_paragraphs_when_accepted() {
    let bad = Bad::new();
    let doc = body(concat!(
        r#"<w:p><w:pPr><w:rPr><w:ins w:id="1" w:author="Ann" w:date="2021-01-01T00:00:00Z"/></w:rPr></w:pPr><w:r><w:t>This is a</w:t></w:r></w:p>"#,
        r#"<w:p><w:pPr><w:rPr><w:del w:id="2" w:author="Ben" w:date="2021-01-02T00:00:00Z"/></w:rPr></w:pPr><w:r><w:t>split</w:t></w:r></w:p>"#,
        r#"<w:p><w:r><w:t>paragraph.</w:t></w:r></w:p>"#
    ));
    let p = bad.file("marks.docx", &minimal_docx(&doc, true));
    let d = read_path(&p, &Limits::default()).unwrap();
    let texts: Vec<String> = d.blocks.iter().map(|b| b.plain_text()).collect();
    assert_eq!(texts, ["This is a", "split paragraph."]);
    assert_eq!(d.blocks[1].loc(), Location::Paragraph(2));
    let revs: Vec<(RevisionKind, &str, &str)> = d
        .revisions
        .iter()
        .map(|r| (r.kind, r.author.as_str(), r.text.as_str()))
        .collect();
    assert_eq!(
        revs,
        [
            (RevisionKind::Insert, "Ann", "¶"),
            (RevisionKind::Delete, "Ben", "¶")
        ]
    );
}

#[test]
fn too_many_paragraphs_for_the_body_parser() {
    let bad = Bad::new();
    let paras = "<w:p/>".repeat(bpfpress::ingest::docx::package::MAX_HEAVY_ELEMENTS + 1);
    let p = bad.file("huge.docx", &minimal_docx(&body(&paras), true));
    let (kind, msg) = expect_error(&p);
    assert!(matches!(kind, IngestErrorKind::TooLarge { .. }), "{msg}");
    assert!(msg.contains("paragraphs, runs"), "{msg}");
}

#[test]
fn overlapping_comment_ranges_stay_bounded() {
    let bad = Bad::new();
    let n = 2000;
    let starts: String = (0..n)
        .map(|i| format!(r#"<w:commentRangeStart w:id="{i}"/>"#))
        .collect();
    let text = "word ".repeat(20_000);
    let doc = body(&format!(
        r#"<w:p>{starts}<w:r><w:t>{text}</w:t></w:r></w:p>"#
    ));
    let comments: String = (0..n)
        .map(|i| format!(r#"<w:comment w:id="{i}" w:author="A{i}"><w:p><w:r><w:t>c{i}</w:t></w:r></w:p></w:comment>"#))
        .collect();
    let comments = format!("<w:comments {W_NS}>{comments}</w:comments>");
    let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/></Relationships>"#;
    let p = bad.file(
        "comments.docx",
        &minimal_docx_with(
            &doc,
            true,
            &[
                ("word/_rels/document.xml.rels", rels),
                ("word/comments.xml", &comments),
            ],
        ),
    );
    let d = read_path(&p, &Limits::default()).unwrap();
    assert_eq!(d.comments.len(), n);
    assert_eq!(
        (d.comments[5].author.as_str(), d.comments[5].text.as_str()),
        ("A5", "c5")
    );
    let max = bpfpress::ingest::docx::body::MAX_ANCHOR + '…'.len_utf8();
    assert!(d.comments.iter().all(|c| c.anchor.len() <= max));
    assert!(d.comments[0].anchor.ends_with('…'));
}

#[test]
fn truncated_and_corrupt_zips() {
    let bad = Bad::new();
    let good = std::fs::read(fixture("docx/review.docx")).unwrap();
    let p = bad.file("truncated.docx", &good[..good.len() / 2]);
    let (kind, msg) = expect_error(&p);
    assert!(matches!(kind, IngestErrorKind::Corrupt { .. }), "{msg}");
    assert!(msg.contains("zip"), "{msg}");
    expect_cli_error(&p, "truncated or damaged");

    let mut junk = b"PK\x03\x04".to_vec();
    junk.extend((0..5000u32).map(|i| (i * 7919 % 251) as u8));
    let p = bad.file("corrupt.docx", &junk);
    let (kind, msg) = expect_error(&p);
    assert!(matches!(kind, IngestErrorKind::Corrupt { .. }), "{msg}");
    expect_cli_error(&p, "zip");
}

#[test]
fn bad_crc_is_an_error_not_a_panic() {
    let bad = Bad::new();
    let mut bytes = minimal_docx(
        &body("<w:p><w:r><w:t>Hello checksum</w:t></w:r></w:p>"),
        true,
    );
    let at = bytes
        .windows(14)
        .position(|w| w == b"Hello checksum")
        .unwrap();
    bytes[at] = b'J';
    let p = bad.file("badcrc.docx", &bytes);
    let (_, msg) = expect_error(&p);
    assert!(
        msg.contains("word/document.xml") && msg.contains("damaged"),
        "{msg}"
    );
    expect_cli_error(&p, "word/document.xml");
}

#[test]
fn zip_without_document_xml() {
    let bad = Bad::new();
    let p = bad.file("nodoc.docx", &minimal_docx(&body(""), false));
    let (kind, msg) = expect_error(&p);
    assert!(matches!(kind, IngestErrorKind::UnknownFormat(_)), "{msg}");
    assert!(msg.contains("word/document.xml"), "{msg}");
    expect_cli_error(&p, "word/document.xml");
}

/// An OLE compound file holding the named streams.
fn compound_file(streams: &[&str]) -> Vec<u8> {
    use std::io::Write;
    let mut f = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).unwrap();
    for name in streams {
        let mut s = f.create_stream(format!("/{name}")).unwrap();
        s.write_all(&[7u8; 600]).unwrap();
    }
    f.flush().unwrap();
    f.into_inner().into_inner()
}

/// OLE compound files are told apart by their streams: a password-protected
/// Office file, a legacy Word, Excel or PowerPoint file, an Outlook
/// message; each error says what the file is and what to do.
#[test]
fn ole_files_name_their_real_kind() {
    let bad = Bad::new();
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "locked.docx",
            &["EncryptionInfo", "EncryptedPackage"],
            "password",
        ),
        (
            "old.doc",
            &["WordDocument", "1Table"],
            "Word 97–2003 document (.doc)",
        ),
        ("sheet.xls", &["Workbook"], "Excel 97–2003 workbook"),
        ("slides.ppt", &["PowerPoint Document"], "PowerPoint 97–2003"),
        (
            "mail.msg",
            &["__properties_version1.0", "__substg1.0_0037001F"],
            "Outlook message",
        ),
    ];
    for (name, streams, needle) in cases {
        let p = bad.file(name, &compound_file(streams));
        let (kind, msg) = expect_error(&p);
        assert!(msg.contains(needle), "{msg}");
        if name == "locked.docx" {
            assert!(matches!(kind, IngestErrorKind::Encrypted(_)), "{msg}");
        } else {
            assert!(!msg.contains("password"), "{msg}");
            assert!(msg.contains("bpfpress does not read"), "{msg}");
        }
        expect_cli_error(&p, needle);
    }
    assert!(
        expect_error(&bad.file("old.doc", &compound_file(&["WordDocument"])))
            .1
            .contains("save it as a Word document (.docx")
    );
    // Only the signature: a damaged container, said so.
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(4096, 0);
    let (kind, msg) = expect_error(&bad.file("broken.doc", &ole));
    assert!(matches!(kind, IngestErrorKind::Corrupt { .. }), "{msg}");
    assert!(msg.contains("damaged"), "{msg}");
}

#[test]
fn malformed_xml_names_part_and_line() {
    let bad = Bad::new();
    let xml = format!(
        "<?xml version=\"1.0\"?>\n<w:document {W_NS}>\n<w:body><w:p></w:body></w:document>"
    );
    let p = bad.file("malformed.docx", &minimal_docx(&xml, true));
    let (_, msg) = expect_error(&p);
    assert!(msg.contains("word/document.xml line 3"), "{msg}");
    assert!(msg.contains("malformed XML"), "{msg}");
    expect_cli_error(&p, "word/document.xml line 3");
}

#[test]
fn entity_bomb_and_external_entity_are_refused() {
    let bad = Bad::new();
    let mut dtd = String::from("<!DOCTYPE w:document [<!ENTITY a0 \"lol\">");
    for i in 1..10 {
        let prev = format!("&a{};", i - 1).repeat(10);
        dtd.push_str(&format!("<!ENTITY a{i} \"{prev}\">"));
    }
    dtd.push_str("]>");
    let bomb = format!(
        "<?xml version=\"1.0\"?>\n{dtd}<w:document {W_NS}><w:body><w:p><w:r><w:t>&a9;</w:t></w:r></w:p></w:body></w:document>"
    );
    let p = bad.file("bomb.docx", &minimal_docx(&bomb, true));
    let (_, msg) = expect_error(&p);
    assert!(
        msg.contains("DOCTYPE") && msg.contains("word/document.xml line 2"),
        "{msg}"
    );
    expect_cli_error(&p, "DOCTYPE");

    let xxe = format!(
        "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><w:document {W_NS}><w:body><w:p><w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>"
    );
    let p = bad.file("xxe.docx", &minimal_docx(&xxe, true));
    let (_, msg) = expect_error(&p);
    assert!(msg.contains("DOCTYPE"), "{msg}");
    assert!(!msg.contains("root:"), "{msg}");
    expect_cli_error(&p, "external entities");

    // An entity used without any declaration is malformed, not expanded.
    let undeclared = body("<w:p><w:r><w:t>&x;</w:t></w:r></w:p>");
    let p = bad.file("undeclared.docx", &minimal_docx(&undeclared, true));
    let (_, msg) = expect_error(&p);
    assert!(msg.contains("undefined entity &x;"), "{msg}");
}

#[test]
fn zip_bomb_is_refused_with_bounded_work() {
    let bad = Bad::new();
    let path = bad.dir.path().join("zipbomb.docx");
    {
        // 1 GiB of zeros as document.xml, deflated and streamed to disk.
        let f = std::fs::File::create(&path).unwrap();
        let mut w = zip::ZipWriter::new(f);
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        w.start_file("[Content_Types].xml", opts).unwrap();
        w.write_all(b"<Types/>").unwrap();
        w.start_file("word/document.xml", opts).unwrap();
        let chunk = vec![0u8; 1 << 20];
        for _ in 0..1024 {
            w.write_all(&chunk).unwrap();
        }
        w.finish().unwrap();
    }
    assert!(std::fs::metadata(&path).unwrap().len() < 8 << 20);
    let (kind, msg) = expect_error(&path);
    assert!(matches!(kind, IngestErrorKind::TooLarge { .. }), "{msg}");
    assert!(msg.contains("word/document.xml"), "{msg}");
    expect_cli_error(&path, "word/document.xml");
}

#[test]
fn zip_bomb_with_lying_sizes_stops_at_the_cap() {
    // Small declared size checks pass, so the cap on what is actually read
    // must stop it: parts the reader reads (styles, comments, notes, core
    // properties), each under the per-part cap, add up past the total cap.
    let bad = Bad::new();
    let limits = Limits {
        max_part_bytes: 1 << 20,
        max_total_bytes: 4 << 20,
        ..Limits::default()
    };
    // Text that does not compress past the ratio cap.
    let mut seed = 7u32;
    let noise: String = (0..(1 << 20) - 16)
        .map(|_| {
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            char::from(b'a' + (seed >> 16) as u8 % 26)
        })
        .collect();
    let big = format!("<x>{noise}</x>");
    let rels = styles_and_comments_rels();
    let parts = [
        ("word/document.xml", body("<w:p/>")),
        ("word/_rels/document.xml.rels", rels),
        ("word/styles.xml", big.clone()),
        ("word/comments.xml", big.clone()),
        ("word/footnotes.xml", big.clone()),
        ("word/endnotes.xml", big.clone()),
        ("docProps/core.xml", big),
    ];
    let bytes = deflated_zip(&parts);
    let p = bad.file("many.docx", &bytes);
    let err = read_path(&p, &limits).unwrap_err();
    assert!(
        matches!(err.kind, IngestErrorKind::TooLarge { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("decompressed package"), "{err}");
}

#[test]
fn the_total_cap_covers_the_parts_both_threads_read() {
    // A large main document is read on two threads, each reading its own
    // parts; the decompressed total is one cap for the whole package. Each
    // thread's share stays under the cap, the sum does not.
    let bad = Bad::new();
    let limits = Limits {
        max_part_bytes: 1 << 20,
        max_total_bytes: 3 << 20,
        ..Limits::default()
    };
    let part = (1 << 20) - 16;
    let text = "x".repeat(part - 200);
    let doc = body(&format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"));
    assert!(doc.len() <= part);
    let big = format!("<x>{}</x>", "x".repeat(part - 7));
    let rels = styles_and_comments_rels();
    let parts = [
        ("word/document.xml", doc),
        ("word/_rels/document.xml.rels", rels),
        ("word/styles.xml", big.clone()),
        ("word/comments.xml", big.clone()),
        ("word/footnotes.xml", big),
    ];
    let bytes = deflated_zip(&parts);
    let p = bad.file("shared-cap.docx", &bytes);
    let err = read_path(&p, &limits).unwrap_err();
    assert!(
        matches!(err.kind, IngestErrorKind::TooLarge { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("decompressed package"), "{err}");
}

#[test]
fn parts_the_reader_does_not_use_are_never_decompressed() {
    // 20 MiB of media (and a corrupt image) in a draft cost nothing: only
    // the parts the model needs are read, so the total cap is not reached.
    let bad = Bad::new();
    let limits = Limits {
        max_part_bytes: 2 << 20,
        max_total_bytes: 8 << 20,
        ..Limits::default()
    };
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    w.start_file("word/document.xml", opts).unwrap();
    w.write_all(body("<w:p><w:r><w:t>Still read</w:t></w:r></w:p>").as_bytes())
        .unwrap();
    for i in 0..20 {
        w.start_file(format!("word/media/blob{i}.bin"), opts)
            .unwrap();
        w.write_all(&vec![b'x'; 1 << 20]).unwrap();
    }
    let mut bytes = w.finish().unwrap().into_inner();
    // Damage the last blob's data: its CRC no longer matches.
    let at = bytes.len() / 2;
    bytes[at] ^= 0xff;
    let p = bad.file("media.docx", &bytes);
    let doc = read_path(&p, &limits).unwrap();
    assert_eq!(doc.blocks.len(), 1);
    assert_eq!(doc.blocks[0].plain_text(), "Still read");
}

#[test]
fn tables_nested_5000_deep_are_refused() {
    let bad = Bad::new();
    let depth = 5000;
    let mut inner = String::new();
    for _ in 0..depth {
        inner.push_str("<w:tbl><w:tr><w:tc>");
    }
    inner.push_str("<w:p><w:r><w:t>deep</w:t></w:r></w:p>");
    for _ in 0..depth {
        inner.push_str("</w:tc></w:tr></w:tbl>");
    }
    let p = bad.file("deep.docx", &minimal_docx(&body(&inner), true));
    let (_, msg) = expect_error(&p);
    assert!(msg.contains("nested more than"), "{msg}");
    expect_cli_error(&p, "nested more than");
}

#[test]
fn a_batch_continues_past_bad_files() {
    let bad = Bad::new();
    let broken = bad.file("broken.docx", b"PK\x03\x04broken");
    let good = fixture("docx/layout.docx");
    let out = bpfpress(["ingest".as_ref(), broken.as_os_str(), good.as_os_str()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Ergebnisse"), "{stdout}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
}
