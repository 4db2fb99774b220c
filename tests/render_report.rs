//! The report PDF of the real report, checked by tools no one here wrote:
//! qpdf, pdfinfo, pdffonts, pdftotext (poppler-utils, qpdf).

mod support;

use bpfpress::model::{Block, Document};
use bpfpress::render::{Engine, Paper, ReportOptions, Standard, render_report};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::LazyLock;
use support::{fixture, scratch, squash, tool_output, tools};

/// The real report as a model made by pandoc (fixtures/make.sh).
fn model() -> Document {
    let bytes = std::fs::read(fixture("render/bpf-on-bpfs-2020.model.json")).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

struct Rendered {
    path: PathBuf,
    pages: usize,
}

/// Render into cargo's per-target scratch folder (kept for inspection).
fn render_to_file(doc: &Document, opts: &ReportOptions, name: &str) -> Rendered {
    let r = render_report(&Engine::builtin(), doc, opts).unwrap();
    let path = scratch("render_report").join(name);
    std::fs::write(&path, &r.pdf).unwrap();
    Rendered {
        path,
        pages: r.pages,
    }
}

static REPORT: LazyLock<Rendered> =
    LazyLock::new(|| render_to_file(&model(), &ReportOptions::default(), "report.pdf"));

/// Run `name ARGS PDF` (to stdout for pdftotext): success and all it said.
fn tool(name: &str, args: &[&str], pdf: &Path) -> (bool, String) {
    let mut all: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    all.push(pdf.as_os_str());
    if name == "pdftotext" {
        all.push("-".as_ref());
    }
    let out = tool_output(name, &all);
    let mut s = String::from_utf8_lossy(&out.stdout).into_owned();
    s.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.success(), s)
}

#[test]
fn qpdf_check_passes() {
    if !tools(&["qpdf"]) {
        return;
    }
    let (ok, out) = tool("qpdf", &["--check"], &REPORT.path);
    assert!(ok, "qpdf --check failed:\n{out}");
    assert!(out.contains("No syntax or stream encoding errors"), "{out}");
}

#[test]
fn pdfinfo_reads_title_pages_and_tagging() {
    if !tools(&["pdfinfo"]) {
        return;
    }
    let (ok, out) = tool("pdfinfo", &[], &REPORT.path);
    assert!(ok, "{out}");
    let field = |k: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(k).map(|v| v.trim().to_string()))
            .unwrap_or_default()
    };
    assert_eq!(
        field("Title:"),
        "Reviewing past Best Practice Forums (BPF) to enhance future BPF work: a “BPF on BPFs”"
    );
    assert_eq!(field("Author:"), "Markus Kummer, Wim Degezelle");
    assert!(field("Keywords:").contains("Best Practice Forums"));
    assert_eq!(field("Tagged:"), "yes");
    assert_eq!(field("Pages:"), REPORT.pages.to_string());
    assert!((20..=40).contains(&REPORT.pages), "{} pages", REPORT.pages);
    assert!(field("Page size:").contains("(A4)"), "{out}");
}

#[test]
fn pdffonts_shows_every_font_embedded() {
    if !tools(&["pdffonts"]) {
        return;
    }
    let (ok, out) = tool("pdffonts", &[], &REPORT.path);
    assert!(ok, "{out}");
    let rows: Vec<&str> = out
        .lines()
        .skip(2)
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(
        rows.len() >= 3,
        "expected serif, sans and bold faces:\n{out}"
    );
    for r in &rows {
        // columns: name type encoding emb sub uni object ID
        let cols: Vec<&str> = r.split_whitespace().collect();
        let n = cols.len();
        assert!(n >= 7, "{r}");
        assert_eq!(cols[n - 5], "yes", "font not embedded: {r}");
    }
    assert!(out.contains("NotoSans"), "sans font missing:\n{out}");
    assert!(
        out.contains("LibertinusSerif"),
        "serif font missing:\n{out}"
    );
}

#[test]
fn every_heading_of_the_source_appears_in_order() {
    if !tools(&["pdftotext"]) {
        return;
    }
    let doc = model();
    let (ok, text) = tool("pdftotext", &["-enc", "UTF-8"], &REPORT.path);
    assert!(ok);
    let text = squash(&text);
    // Skip the cover and the contents: find headings in the body in order.
    let mut pos = text
        .find("Acknowledgements This report")
        .expect("body start");
    let mut n = 0;
    for (_, b) in doc.headings() {
        let Block::Heading { label, text: h, .. } = b else {
            unreachable!()
        };
        let want = squash(&match label {
            Some(l) => format!("{l} {h}"),
            None => h.clone(),
        });
        let found = text[pos..]
            .find(&want)
            .unwrap_or_else(|| panic!("heading {want:?} not found after byte {pos}"));
        pos += found + want.len();
        n += 1;
    }
    assert!(n >= 30, "{n} headings");
    // The contents page lists them too.
    assert!(
        text.contains("Contents Acknowledgements . ."),
        "no contents page"
    );
}

#[test]
fn footnotes_are_numbered_at_the_page_foot() {
    let doc = model();
    // Note 2 of the source is a URL alone; it sits at the foot of the page
    // that cites it (which page that is depends on the page economy).
    let n2 = doc.notes[1].text.trim().to_string();
    let pages: Vec<String> = (2..=8)
        .map(|p| {
            let p = p.to_string();
            tool(
                "pdftotext",
                &["-enc", "UTF-8", "-f", p.as_str(), "-l", p.as_str()],
                &REPORT.path,
            )
            .1
        })
        .collect();
    let numbered =
        |t: &String| t.contains(&n2) && t.lines().any(|l| l.trim() == "2" || l.starts_with("2 "));
    assert!(
        pages.iter().any(numbered),
        "note 2 ({n2}) with its number on none of pages 2-8"
    );
}

#[test]
fn pdf_ua_and_letter_paper_render_the_real_report() {
    if !tools(&["qpdf", "pdfinfo"]) {
        return;
    }
    let opts = ReportOptions {
        paper: Paper::Letter,
        standard: Some(Standard::PdfUa1),
        ..Default::default()
    };
    let r = render_to_file(&model(), &opts, "report-ua-letter.pdf");
    let (ok, out) = tool("pdfinfo", &[], &r.path);
    assert!(ok, "{out}");
    assert!(out.contains("(letter)"), "{out}");
    let (ok, out) = tool("qpdf", &["--check"], &r.path);
    assert!(ok, "{out}");
}

#[test]
fn live_links_and_dead_links() {
    if !tools(&["pdftotext"]) {
        return;
    }
    // Source links with `#` targets print as text; real ones are link annotations.
    let bytes = std::fs::read(&REPORT.path).unwrap();
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let mut uris = Vec::new();
    for (_, page) in doc.get_pages() {
        let Ok(annots) = doc.get_page_annotations(page) else {
            continue;
        };
        for a in annots {
            if let Ok(action) = a
                .get(b"A")
                .and_then(|o| doc.dereference(o).map(|(_, o)| o.clone()))
                && let Ok(dict) = action.as_dict()
                && let Ok(uri) = dict.get(b"URI").and_then(|u| u.as_str())
            {
                uris.push(String::from_utf8_lossy(uri).into_owned());
            }
        }
    }
    assert!(
        uris.iter()
            .any(|u| u.starts_with("https://www.intgovforum.org/")),
        "{uris:?}"
    );
    assert!(uris.iter().all(|u| !u.is_empty() && u != "#"), "{uris:?}");
    // The text of a `#` link is still there, as plain text.
    let (_, text) = tool("pdftotext", &["-enc", "UTF-8"], &REPORT.path);
    assert!(squash(&text).contains("Online Child Protection"));
}

#[test]
fn cli_writes_atomically_and_reports_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.pdf");
    std::fs::write(&out, b"old").unwrap();
    let bin = support::bin();
    let model = fixture("render/bpf-on-bpfs-2020.model.json");
    // A failing render (bad template dir) leaves the old output alone.
    let st = Command::new(&bin)
        .args(["render", "--template-dir", "/nonexistent", "-o"])
        .arg(&out)
        .arg(&model)
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&st.stderr).contains("template folder"));
    assert_eq!(std::fs::read(&out).unwrap(), b"old");
    // A good one replaces it, and leaves no temporary file behind.
    let st = Command::new(&bin)
        .env_remove("SOURCE_DATE_EPOCH")
        .args(["render", "-o"])
        .arg(&out)
        .arg(&model)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF-"));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // Same input through the CLI: byte-identical to the library's output.
    let lib = render_report(
        &Engine::builtin(),
        &self::model(),
        &ReportOptions::default(),
    )
    .unwrap()
    .pdf;
    assert!(
        std::fs::read(&out).unwrap() == lib,
        "CLI and library PDFs differ"
    );
}

#[test]
fn source_date_epoch_fixes_the_pdf_date() {
    if !tools(&["pdfinfo"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let model = fixture("render/bpf-on-bpfs-2020.model.json");
    let render = |name: &str| {
        let out = dir.path().join(name);
        let st = Command::new(support::bin())
            .env("SOURCE_DATE_EPOCH", "1600128000") // 2020-09-15
            .args(["render", "-o"])
            .arg(&out)
            .arg(&model)
            .output()
            .unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        out
    };
    let a = render("a.pdf");
    let b = render("b.pdf");
    assert!(std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap());
    let (_, info) = tool("pdfinfo", &[], &a);
    let created = info
        .lines()
        .find(|l| l.starts_with("CreationDate:"))
        .unwrap_or_default();
    assert!(
        created.contains("Sep 15") && created.contains("2020"),
        "{info}"
    );
    // Without it, the document's own date (September 2020 → the 1st): the
    // library never reads the environment; the clock is passed in.
    let (_, info) = tool("pdfinfo", &[], &REPORT.path);
    assert!(info.contains("Sep  1 00:00:00 2020"), "{info}");
}

/// Every fixture format through our readers, rendered under PDF/UA-1 and
/// checked by qpdf. Any reader failure fails the test.
#[test]
fn every_fixture_format_renders_under_pdf_ua() {
    if !tools(&["qpdf", "pdftotext"]) {
        return;
    }
    use bpfpress::ingest::{Limits, read_path};
    let opts = ReportOptions {
        standard: Some(Standard::PdfUa1),
        ..Default::default()
    };
    let mut rendered = 0;
    for name in [
        "bpf-on-bpfs-2020.md",
        "bpf-on-bpfs-2020.pandoc.docx",
        "bpf-on-bpfs-2020.lo.docx",
        "bpf-on-bpfs-2020.lo.pdf",
    ] {
        let doc = read_path(&fixture(&format!("report/{name}")), &Limits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let r = render_to_file(&doc, &opts, &format!("{name}.pdf"));
        let (ok, out) = tool("qpdf", &["--check"], &r.path);
        assert!(ok, "{name}: {out}");
        let (_, text) = tool("pdftotext", &["-enc", "UTF-8"], &r.path);
        let text = squash(&text);
        for (_, b) in doc.headings() {
            let Block::Heading { text: h, .. } = b else {
                unreachable!()
            };
            if matches!(
                h.trim().to_lowercase().as_str(),
                "contents" | "table of contents"
            ) {
                continue; // replaced by the generated contents
            }
            assert!(text.contains(&squash(h)), "{name}: heading {h:?} missing");
        }
        rendered += 1;
    }
    assert_eq!(rendered, 4, "every fixture format must render");
}

/// Titles of the PDF outline (bookmarks), depth-first.
fn bookmarks(doc: &lopdf::Document) -> Vec<String> {
    fn walk(doc: &lopdf::Document, first: Option<lopdf::ObjectId>, out: &mut Vec<String>) {
        let mut cur = first;
        let mut guard = 0;
        while let Some(id) = cur {
            guard += 1;
            assert!(guard < 10_000, "outline loop");
            let item = doc.get_dictionary(id).unwrap();
            let title = item.get(b"Title").unwrap();
            let bytes = title.as_str().unwrap();
            let text = if bytes.starts_with(&[0xFE, 0xFF]) {
                let u: Vec<u16> = bytes[2..]
                    .chunks(2)
                    .map(|c| u16::from_be_bytes([c[0], c[1]]))
                    .collect();
                String::from_utf16_lossy(&u)
            } else {
                String::from_utf8_lossy(bytes).into_owned()
            };
            out.push(text);
            walk(
                doc,
                item.get(b"First").and_then(|o| o.as_reference()).ok(),
                out,
            );
            cur = item.get(b"Next").and_then(|o| o.as_reference()).ok();
        }
    }
    let catalog = doc.catalog().unwrap();
    let outlines = catalog.get(b"Outlines").unwrap().as_reference().unwrap();
    let root = doc.get_dictionary(outlines).unwrap();
    let mut out = Vec::new();
    walk(
        doc,
        root.get(b"First").and_then(|o| o.as_reference()).ok(),
        &mut out,
    );
    out
}

#[test]
fn pdf_outline_mirrors_the_headings() {
    let model = model();
    let pdf = lopdf::Document::load(&REPORT.path).unwrap();
    let marks = bookmarks(&pdf);
    let want: Vec<String> = model
        .headings()
        .map(|(_, b)| match b {
            Block::Heading {
                label: Some(l),
                text,
                ..
            } => format!("{l} {text}"),
            Block::Heading { text, .. } => text.clone(),
            _ => unreachable!(),
        })
        .collect();
    // The generated contents page has a bookmark of its own, first.
    let body: Vec<String> = marks
        .iter()
        .skip_while(|m| *m == "Contents")
        .cloned()
        .collect();
    assert_eq!(body.len(), want.len(), "{marks:#?}");
    for (m, w) in body.iter().zip(&want) {
        assert_eq!(squash(m), squash(w));
    }
}
