//! Render engine: draft text stays data, the template sandbox holds, typst
//! diagnostics surface with file and line, standards fail clearly.
//! Needs poppler-utils (pdftotext).

mod support;

use bpfpress::model::{Block, Document, Format, Inline, Location, Note, NoteKind};
use bpfpress::render::world::BUILTIN_TEMPLATES;
use bpfpress::render::{Engine, Paper, RenderError, ReportOptions, Standard, render_report};
use std::path::Path;
use support::{labelled, para, pdftotext_bytes, squash, tools};

fn small_doc() -> Document {
    let mut d = Document::new("draft.md", Format::Markdown);
    d.meta.title = Some("BPF on Test Drafts".into());
    d.meta.authors = vec!["Ada Editor".into()];
    d.meta.date = Some("2020-09".into());
    d.meta.language = Some("en".into());
    d.blocks = vec![
        labelled(1, 1, Some("A."), "Introduction"),
        para(2, "Plain text."),
    ];
    d
}

/// A copy of the built-in templates with `report.typ` replaced.
fn template_dir(report: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (vpath, text) in BUILTIN_TEMPLATES {
        let p = dir.path().join(vpath.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
    if let Some(r) = report {
        std::fs::write(dir.path().join("report.typ"), r).unwrap();
    }
    dir
}

const INJECTIONS: &[&str] = &[
    r#"#read("/etc/passwd")"#,
    r#"#import "x.typ""#,
    "$x$",
    "*not bold*",
    "_not emph_",
    "<label>",
    "@ref",
    "]",
    "// not a comment",
    r"back\slash",
    "#{panic()}",
];

#[test]
fn draft_text_with_typst_syntax_prints_literally() {
    if !tools(&["pdftotext"]) {
        return;
    }
    let mut d = small_doc();
    let all = INJECTIONS.join(" ");
    d.meta.title = Some(format!("Title {}", INJECTIONS[0]));
    d.meta.subtitle = Some("$x$ subtitle".into());
    d.blocks
        .push(labelled(1, 2, Some("a."), "Heading with *stars* and $x$"));
    d.blocks.push(Block::Paragraph {
        loc: Location::Line(3),
        inlines: vec![
            Inline::text(format!("Body: {all} end.")),
            Inline::NoteRef { id: "1".into() },
            Inline::Link {
                target: "https://example.org/]".into(),
                text: "link ] @ref".into(),
            },
        ],
    });
    d.notes.push(Note {
        id: "1".into(),
        kind: NoteKind::Footnote,
        inlines: Vec::new(),
        text: "Note: #read(\"/etc/passwd\") $y$".into(),
        loc: None,
    });
    let r = render_report(&Engine::builtin(), &d, &ReportOptions::default()).unwrap();
    let text = squash(&pdftotext_bytes(&r.pdf));
    for s in INJECTIONS {
        assert!(text.contains(s), "{s:?} not printed literally in:\n{text}");
    }
    assert!(text.contains("Heading with *stars* and $x$"));
    assert!(text.contains("Note: #read(\"/etc/passwd\") $y$"));
    assert!(text.contains("link ] @ref"));
    assert!(text.contains("$x$ subtitle"));
    assert!(!text.contains("root:x:0"), "a file was read");
}

#[test]
fn template_reading_outside_its_folder_fails_clearly() {
    let dir = template_dir(Some("#let p = read(\"/etc/passwd\")\n#p\n"));
    let engine = Engine::with_template_dir(dir.path()).unwrap();
    let err = render_report(&engine, &small_doc(), &ReportOptions::default()).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, RenderError::Compile { .. }), "{msg}");
    assert!(msg.contains("/report.typ:1:"), "no file:line in {msg}");
    assert!(msg.contains("/etc/passwd"), "{msg}");
    assert!(msg.contains("file not found"), "{msg}");
    assert!(!msg.contains("root:"), "{msg}");
    // Relative climbing is clamped to the template root as well.
    let dir = template_dir(Some("#read(\"../../../../../../etc/passwd\")\n"));
    let engine = Engine::with_template_dir(dir.path()).unwrap();
    let msg = render_report(&engine, &small_doc(), &ReportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("/report.typ:1:"), "{msg}");
    assert!(!msg.contains("root:"), "{msg}");
}

#[cfg(unix)]
#[test]
fn symlink_out_of_template_folder_is_refused_without_real_paths() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "TOP-SECRET").unwrap();
    let dir = template_dir(Some("#read(\"/lib/leak.txt\")\n"));
    std::os::unix::fs::symlink(
        outside.path().join("secret.txt"),
        dir.path().join("lib/leak.txt"),
    )
    .unwrap();
    let engine = Engine::with_template_dir(dir.path()).unwrap();
    let msg = render_report(&engine, &small_doc(), &ReportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("/lib/leak.txt"), "{msg}");
    assert!(msg.contains("outside the template folder"), "{msg}");
    assert!(!msg.contains("TOP-SECRET"), "{msg}");
    let real_out = outside.path().display().to_string();
    let real_in = dir.path().display().to_string();
    assert!(!msg.contains(&real_out) && !msg.contains(&real_in), "{msg}");

    // A linked folder is refused the same way.
    let dir = template_dir(Some("#import \"/inc/x.typ\": *\n"));
    std::fs::write(outside.path().join("x.typ"), "#let x = 1").unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("inc")).unwrap();
    let engine = Engine::with_template_dir(dir.path()).unwrap();
    let msg = render_report(&engine, &small_doc(), &ReportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("outside the template folder"), "{msg}");
}

#[test]
fn template_errors_show_file_line_and_message() {
    let dir = template_dir(Some("#let data = json(\"/data.json\")\n\n#data.doc.nope\n"));
    let engine = Engine::with_template_dir(dir.path()).unwrap();
    let err = render_report(&engine, &small_doc(), &ReportOptions::default()).unwrap_err();
    let RenderError::Compile { diagnostics } = &err else {
        panic!("{err}")
    };
    let d = &diagnostics[0];
    assert_eq!(d.file.as_deref(), Some("/report.typ"));
    assert_eq!(d.line, Some(3));
    assert!(d.message.contains("nope"), "{d}");
    assert!(err.to_string().contains("error: /report.typ:3:"), "{err}");
}

#[test]
fn unknown_font_family_is_an_error_not_a_silent_fallback() {
    let dir = template_dir(Some("#set text(font: \"Comic Sans Nowhere\")\nHello\n"));
    let engine = Engine::with_template_dir(dir.path()).unwrap();
    let msg = render_report(&engine, &small_doc(), &ReportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("unknown font family"), "{msg}");
    assert!(msg.contains("/report.typ:1:"), "{msg}");
}

#[test]
fn packages_are_refused() {
    let dir = template_dir(Some("#import \"@preview/cetz:0.3.0\": *\n"));
    let engine = Engine::with_template_dir(dir.path()).unwrap();
    let msg = render_report(&engine, &small_doc(), &ReportOptions::default())
        .unwrap_err()
        .to_string();
    assert!(msg.contains("/report.typ:1:"), "{msg}");
}

#[test]
fn missing_template_dir_is_a_clear_error() {
    let err = Engine::with_template_dir(Path::new("/nonexistent/templates")).err();
    let msg = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(
        msg.contains("template folder /nonexistent/templates"),
        "{msg}"
    );
}

#[test]
fn pdf_ua_without_title_fails_with_a_hint() {
    let mut d = small_doc();
    d.meta.title = None;
    let opts = ReportOptions {
        standard: Some(Standard::PdfUa1),
        ..Default::default()
    };
    let err = render_report(&Engine::builtin(), &d, &opts).unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, RenderError::Export { .. }), "{msg}");
    assert!(msg.contains("PDF/UA-1"), "{msg}");
    assert!(msg.to_lowercase().contains("title"), "{msg}");
    assert!(
        msg.contains("hint: PDF/UA-1 needs a document title"),
        "{msg}"
    );
    // Without a standard the same draft renders.
    render_report(&Engine::builtin(), &d, &ReportOptions::default()).unwrap();
}

#[test]
fn heading_jump_renders_under_pdf_ua() {
    if !tools(&["pdftotext"]) {
        return;
    }
    let mut d = small_doc();
    d.blocks = vec![
        labelled(1, 1, Some("E."), "Modalities"),
        labelled(1, 3, Some("I."), "Definition"),
        para(2, "Text."),
        labelled(1, 3, Some("II."), "Working modalities"),
        labelled(1, 2, None, "Back to two"),
        labelled(1, 6, Some("x"), "Very deep"),
    ];
    let opts = ReportOptions {
        standard: Some(Standard::PdfUa1),
        ..Default::default()
    };
    let r = render_report(&Engine::builtin(), &d, &opts).unwrap();
    let text = squash(&pdftotext_bytes(&r.pdf));
    for h in [
        "E. Modalities",
        "I. Definition",
        "II. Working modalities",
        "Very deep",
    ] {
        assert!(text.contains(h), "{h} missing");
    }
}

#[test]
fn pdf_a_2b_renders_with_a_date() {
    let opts = ReportOptions {
        standard: Some(Standard::PdfA2b),
        paper: Paper::Letter,
        ..Default::default()
    };
    let r = render_report(&Engine::builtin(), &small_doc(), &opts).unwrap();
    assert!(r.pdf.starts_with(b"%PDF-"));
    let s = String::from_utf8_lossy(&r.pdf);
    assert!(s.contains("pdfaid"), "no PDF/A identification in XMP");
}

#[test]
fn same_input_gives_byte_identical_pdf() {
    let d = small_doc();
    let engine = Engine::builtin();
    let a = render_report(&engine, &d, &ReportOptions::default()).unwrap();
    let b = render_report(&engine, &d, &ReportOptions::default()).unwrap();
    assert!(a.pdf == b.pdf, "two renders differ");
    // A fresh engine (new fonts, new caches) gives the same bytes too.
    let dir = template_dir(None);
    let c = render_report(
        &Engine::with_template_dir(dir.path()).unwrap(),
        &d,
        &ReportOptions::default(),
    )
    .unwrap();
    assert!(a.pdf == c.pdf, "built-in and on-disk copies differ");
    // And a different draft gives different bytes (the test can fail).
    let mut d2 = d.clone();
    d2.blocks.push(para(2, "One more sentence."));
    let e = render_report(&engine, &d2, &ReportOptions::default()).unwrap();
    assert!(a.pdf != e.pdf);
}

#[test]
fn degenerate_blocks_render_under_pdf_ua() {
    if !tools(&["pdftotext"]) {
        return;
    }
    use bpfpress::model::{List, ListItem, TableCell, TableRow};
    let mut d = small_doc();
    d.blocks.extend([
        labelled(1, 2, None, "  "),
        labelled(1, 2, Some("B."), ""),
        Block::List {
            loc: Location::Line(5),
            list: List {
                ordered: true,
                start: None,
                numbering: None,
                items: vec![],
            },
        },
        Block::List {
            loc: Location::Line(6),
            list: List {
                ordered: false,
                start: None,
                numbering: None,
                items: vec![ListItem {
                    inlines: vec![],
                    children: vec![],
                }],
            },
        },
        Block::Table {
            loc: Location::Line(7),
            rows: vec![],
        },
        Block::Table {
            loc: Location::Line(8),
            rows: vec![
                TableRow {
                    header: false,
                    cells: vec![],
                },
                TableRow {
                    header: false,
                    cells: vec![TableCell {
                        inlines: vec![Inline::text("wide")],
                        colspan: 9,
                    }],
                },
            ],
        },
        // A figure without its image file (a model read back from JSON);
        // PDF/UA refuses one without alt text (tests/render_fidelity.rs).
        Block::Image {
            loc: Location::Line(9),
            alt: Some("A chart".into()),
            src: None,
            caption: None,
            width: None,
        },
        Block::Paragraph {
            loc: Location::Line(10),
            inlines: vec![
                Inline::Link {
                    target: "".into(),
                    text: "".into(),
                },
                Inline::NoteRef {
                    id: "missing-note".into(),
                },
                Inline::NoteRef {
                    id: "missing-note".into(),
                },
                Inline::Break,
                Inline::text(""),
            ],
        },
        Block::Paragraph {
            loc: Location::Line(11),
            inlines: vec![],
        },
    ]);
    let opts = ReportOptions {
        standard: Some(Standard::PdfUa1),
        ..Default::default()
    };
    let r = render_report(&Engine::builtin(), &d, &opts).unwrap();
    let text = squash(&pdftotext_bytes(&r.pdf));
    assert!(
        text.contains("B."),
        "a bare heading number is its title: {text}"
    );
    assert!(text.contains("Image not shown — A chart"), "{text}");
    assert!(text.contains("missing-note"), "dangling note marker kept");
}

#[test]
fn batch_on_the_render_pool_is_deterministic() {
    use rayon::prelude::*;
    let engine = Engine::builtin();
    let pool = bpfpress::render::pool(2).unwrap();
    let docs: Vec<Document> = (0..24)
        .map(|i| {
            let mut d = small_doc();
            d.meta.title = Some(format!("Letter {}", i % 4));
            d
        })
        .collect();
    let pdfs: Vec<Vec<u8>> = pool.install(|| {
        docs.par_iter()
            .map(|d| {
                render_report(&engine, d, &ReportOptions::default())
                    .unwrap()
                    .pdf
            })
            .collect()
    });
    for (i, p) in pdfs.iter().enumerate() {
        assert!(p == &pdfs[i % 4], "document {i} differs from its twin");
    }
    assert!(pdfs[0] != pdfs[1]);
}
