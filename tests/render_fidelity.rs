//! Report fidelity (issue 13): what the draft has, the published PDF has.
//! A draft of this project's own text (`fixtures/fidelity/`, made by pandoc
//! as DOCX and Markdown) with four figures, a numbered list that continues
//! after a paragraph, nested lists, and footnotes with links and emphasis.
//! The model is asserted directly; the PDFs are read back with tools no one
//! here wrote: `pdfimages -list` (figures), `pdftotext` (numbers), pypdf
//! (link annotations), `pdfinfo` (title), and the PyPI checkers `pdfua`
//! and `outloud`.

mod support;

use bpfpress::ingest::{Limits, read_path};
use bpfpress::model::{Block, ImageFormat, Inline, List, NumberStyle};
use std::path::{Path, PathBuf};
use support::*;

fn docx() -> PathBuf {
    fixture("fidelity/draft.docx")
}
fn md() -> PathBuf {
    fixture("fidelity/draft.md")
}

fn lists(blocks: &[Block]) -> Vec<&List> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::List { list, .. } => Some(list),
            _ => None,
        })
        .collect()
}

fn images(blocks: &[Block]) -> Vec<&Block> {
    blocks
        .iter()
        .filter(|b| matches!(b, Block::Image { .. }))
        .collect()
}

/// Items of a list as text.
fn items(l: &List) -> Vec<String> {
    l.items
        .iter()
        .map(|i| bpfpress::model::inlines_text(&i.inlines))
        .collect()
}

/// The links of a run of inlines: (target, text).
fn links(inlines: &[Inline]) -> Vec<(String, String)> {
    inlines
        .iter()
        .filter_map(|i| match i {
            Inline::Link { target, text } => Some((target.clone(), text.clone())),
            _ => None,
        })
        .collect()
}

#[test]
fn word_list_numbers_continue_and_keep_their_formats() {
    let d = read_path(&docx(), &Limits::default()).unwrap();
    let ls = lists(&d.blocks);
    // 1-3, a paragraph, then 4-6: the second list starts at 4.
    assert!(ls[0].ordered && ls[0].start.is_none(), "{:?}", ls[0]);
    assert_eq!(items(ls[0]).len(), 3);
    assert_eq!(ls[1].start, Some(4), "{:?}", ls[1]);
    assert_eq!(items(ls[1])[0], "Regional specificities.");
    // The steps: decimal, with lettered and roman sub-lists.
    let steps = ls[2];
    assert_eq!(
        items(steps),
        ["Map the area.", "Plan the links.", "Build the network."]
    );
    let a = &steps.items[0].children[0];
    assert_eq!(
        a.numbering.as_ref().map(|n| n.style),
        Some(NumberStyle::LowerAlpha)
    );
    assert_eq!(items(a), ["Walk the streets.", "Note the rooftops."]);
    let i = &steps.items[1].children[0];
    assert_eq!(
        i.numbering.as_ref().map(|n| n.style),
        Some(NumberStyle::LowerRoman)
    );
    assert_eq!(i.start, None);
    // A numbered list nested in a bullet.
    assert!(!ls[3].ordered);
    assert!(ls[3].items[0].children[0].ordered);
}

#[test]
fn markdown_list_starts_are_kept() {
    let d = read_path(&md(), &Limits::default()).unwrap();
    let ls = lists(&d.blocks);
    assert_eq!(ls[0].start, None);
    assert_eq!(ls[1].start, Some(4), "{:?}", ls[1]);
    assert_eq!(
        items(&ls[2].items[0].children[0]),
        ["Walk the streets.", "Note the rooftops."]
    );
}

#[test]
fn figures_are_read_with_their_bytes_alt_text_and_captions() {
    for (path, first_src) in [(docx(), "word/media/"), (md(), "chart.png")] {
        let d = read_path(&path, &Limits::default()).unwrap();
        let imgs = images(&d.blocks);
        assert_eq!(imgs.len(), 4, "{}: {imgs:?}", path.display());
        let mut formats = Vec::new();
        for b in &imgs {
            let Block::Image {
                alt, src, caption, ..
            } = b
            else {
                unreachable!()
            };
            let src = src.as_deref().expect("every figure has its file");
            let media = d.media.get(src).expect("its bytes are read");
            formats.push(media.format);
            assert!(alt.is_some(), "{b:?}");
            assert_eq!(caption, alt, "pandoc's figure caption is its description");
        }
        assert_eq!(
            formats,
            [
                ImageFormat::Png,
                ImageFormat::Jpeg,
                ImageFormat::Gif,
                ImageFormat::Svg
            ],
            "{}",
            path.display()
        );
        let Block::Image { src, caption, .. } = imgs[0] else {
            unreachable!()
        };
        assert!(src.as_deref().unwrap().starts_with(first_src), "{src:?}");
        assert_eq!(
            caption.as_deref(),
            Some("Participation by region in 2026, as a bar chart")
        );
        // The caption paragraph is not body text as well.
        assert!(
            !d.blocks.iter().any(|b| matches!(b, Block::Paragraph { .. })
                && b.plain_text() == "Participation by region in 2026, as a bar chart"),
            "{}",
            path.display()
        );
    }
}

#[test]
fn footnotes_keep_links_and_emphasis() {
    for path in [docx(), md()] {
        let d = read_path(&path, &Limits::default()).unwrap();
        let n1 = &d.notes[0];
        let l = links(&n1.inlines);
        assert_eq!(
            l.iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(),
            [
                "https://www.intgovforum.org/en/content/community-networks",
                "https://www.intgovforum.org/en/content/bpf-local-content"
            ],
            "{}: {:?}",
            path.display(),
            n1.inlines
        );
        assert_eq!(l[1].1, "BPF on Local Content");
        assert!(
            n1.inlines.iter().any(|i| matches!(i, Inline::Text { text, emph: true, .. } if text == "Community Networks")),
            "{:?}",
            n1.inlines
        );
        // The plain text stays for the check stage.
        assert!(
            n1.text.starts_with("See the Community Networks page at"),
            "{}",
            n1.text
        );
        let n2 = &d.notes[1];
        assert!(
            n2.inlines.iter().any(
                |i| matches!(i, Inline::Text { text, strong: true, .. } if text == "test suite")
            ),
            "{:?}",
            n2.inlines
        );
    }
}

/// Render `draft` with `args` into `dir`; the run and the PDF's path.
fn render(dir: &Path, draft: &Path, name: &str, args: &[&str]) -> (Run, PathBuf) {
    let out = dir.join(name);
    let mut a: Vec<&std::ffi::OsStr> = vec!["render".as_ref(), draft.as_os_str()];
    a.extend(["-o".as_ref(), out.as_os_str()]);
    a.extend(args.iter().map(std::ffi::OsStr::new));
    let r = Run::of(bpfpress(a).env("SOURCE_DATE_EPOCH", "1789000000"));
    (r, out)
}

/// `pdfimages -list`: the image rows (type, width, height).
fn pdf_images(pdf: &Path) -> Vec<(String, u32, u32)> {
    let o = tool_output("pdfimages", &["-list".as_ref(), pdf.as_os_str()]);
    assert!(o.status.success());
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .skip(2)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some((
                f.get(2)?.to_string(),
                f.get(3)?.parse().ok()?,
                f.get(4)?.parse().ok()?,
            ))
        })
        .filter(|(kind, _, _)| kind == "image")
        .collect()
}

/// The text of page `n` (`pdftotext -f n -l n`).
fn page_text(pdf: &Path, n: usize) -> String {
    let n = n.to_string();
    let o = tool_output(
        "pdftotext",
        &[
            "-f".as_ref(),
            n.as_ref(),
            "-l".as_ref(),
            n.as_ref(),
            pdf.as_os_str(),
            "-".as_ref(),
        ],
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Link annotations' URIs, read with pypdf.
fn pdf_uris(pdf: &Path) -> Vec<String> {
    let script = r#"
import sys, pypdf
r = pypdf.PdfReader(sys.argv[1])
for p in r.pages:
    for a in p.get('/Annots') or []:
        a = a.get_object()
        act = a.get('/A')
        if a.get('/Subtype') == '/Link' and act is not None and '/URI' in act:
            print(act['/URI'])
"#;
    let o = tool_output(
        "python3",
        &["-c".as_ref(), script.as_ref(), pdf.as_os_str()],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(String::from)
        .collect()
}

#[test]
fn rendered_figures_numbers_and_links_read_back() {
    if !tools(&["pdfimages", "pdftotext", "pdfinfo"]) || !python_with("pypdf") {
        return;
    }
    let dir = scratch("fidelity-render");
    for (draft, name) in [(docx(), "docx.pdf"), (md(), "md.pdf")] {
        let (r, pdf) = render(&dir, &draft, name, &[]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        // Three raster figures (the SVG is drawn as vectors).
        let imgs = pdf_images(&pdf);
        assert_eq!(imgs.len(), 3, "{name}: {imgs:?}");
        assert!(imgs.iter().any(|i| (i.1, i.2) == (800, 400)), "{imgs:?}");
        assert!(imgs.iter().any(|i| (i.1, i.2) == (480, 320)), "{imgs:?}");
        assert!(imgs.iter().any(|i| (i.1, i.2) == (96, 96)), "{imgs:?}");
        let text = squash(&pdftotext(&pdf));
        assert!(!text.contains("Image —"), "{name}: a placeholder is left");
        assert!(
            text.contains("Participation by region in 2026, as a bar chart"),
            "{name}: caption"
        );
        // The list goes on at 4.
        for n in [
            "3. Collected case studies",
            "4. Regional specificities",
            "6. What worked well",
        ] {
            assert!(text.contains(n), "{name}: {n:?} in {text}");
        }
        let uris = pdf_uris(&pdf);
        for u in [
            "https://www.intgovforum.org/en/content/community-networks",
            "https://www.intgovforum.org/en/content/bpf-local-content",
            "https://example.org/photos/antenna-1",
        ] {
            assert!(
                uris.iter().any(|x| x == u),
                "{name}: {u} not live in {uris:?}"
            );
        }
        // Short draft, short report: the contents, the first chapter and
        // the start of the next share page 2 (no break before short chapters).
        let p2 = squash(&page_text(&pdf, 2));
        for t in ["Contents", "Introduction This short draft", "Figures"] {
            assert!(p2.contains(t), "{name}: {t:?} not on page 2: {p2}");
        }
    }
    // Word's lettered and roman sub-lists print as such.
    let text = squash(&pdftotext(&dir.join("docx.pdf")));
    for n in [
        "a. Walk the streets.",
        "b. Note the rooftops.",
        "i. Line of sight.",
        "ii. Distance.",
    ] {
        assert!(text.contains(n), "{n:?} in {text}");
    }
}

#[test]
fn fixture_reports_meet_pdf_ua() {
    if !tools(&["pdfua", "outloud"]) {
        return;
    }
    let dir = scratch("fidelity-ua");
    for (draft, name) in [(docx(), "docx-ua.pdf"), (md(), "md-ua.pdf")] {
        let (r, pdf) = render(&dir, &draft, name, &["--standard", "pdf-ua-1"]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        pdf_ua_clean(&pdf, "error");
    }
}

/// A Markdown draft in its own folder, with the fixture's chart next to it.
fn draft_dir(name: &str, body: &str) -> (PathBuf, PathBuf) {
    let dir = scratch(name);
    std::fs::copy(fixture("fidelity/chart.png"), dir.join("chart.png")).unwrap();
    let p = dir.join("draft.md");
    std::fs::write(
        &p,
        format!(
            "---\ntitle: Figures test\n---\n\n# One\n\nText before.\n\n{body}\n\nText after.\n"
        ),
    )
    .unwrap();
    (dir, p)
}

#[test]
fn a_figure_without_alt_text_is_named_flagged_and_refused_for_pdf_ua() {
    let (dir, p) = draft_dir("fidelity-no-alt", "![](chart.png)");
    let (r, pdf) = render(&dir, &p, "out.pdf", &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(pdf.exists());
    let err = r.stderr();
    assert!(
        err.contains("figure 1 (chart.png, line 9) has no alt text"),
        "{err}"
    );
    // The check's hygiene rule.
    let c = Run::of(&mut bpfpress([
        "check".as_ref(),
        p.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]));
    let v: serde_json::Value = serde_json::from_str(&c.stdout()).unwrap();
    let rules: Vec<&str> = v["reports"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .collect();
    assert!(rules.contains(&"figure-without-alt"), "{rules:?}");
    // PDF/UA: a clear error with a hint, exit 2, nothing written.
    let (r, pdf) = render(&dir, &p, "ua.pdf", &["--standard", "pdf-ua-1"]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    let err = r.stderr();
    assert!(
        err.contains("PDF/UA-1 needs a description of every figure"),
        "{err}"
    );
    assert!(err.contains("figure 1 (chart.png, line 9)"), "{err}");
    assert!(
        err.contains("hint:") && err.contains("View Alt Text"),
        "{err}"
    );
    assert!(!pdf.exists());
}

#[test]
fn images_outside_the_drafts_folder_are_not_read() {
    let outside = scratch("fidelity-outside-secret");
    std::fs::copy(fixture("fidelity/photo.jpg"), outside.join("secret.jpg")).unwrap();
    let body = format!(
        "![Climbing out](../fidelity-outside-secret/secret.jpg)\n\n![Absolute]({})\n\n![Remote](https://example.org/x.png)\n\n![Linked](link.jpg)",
        outside.join("secret.jpg").display()
    );
    let (dir, p) = draft_dir("fidelity-sandbox", &body);
    #[cfg(unix)]
    {
        let _ = std::fs::remove_file(dir.join("link.jpg"));
        std::os::unix::fs::symlink(outside.join("secret.jpg"), dir.join("link.jpg")).unwrap();
    }
    let d = read_path(&p, &Limits::default()).unwrap();
    assert!(
        d.media.is_empty(),
        "{:?}",
        d.media.keys().collect::<Vec<_>>()
    );
    let w = d.warnings.join("\n");
    assert!(
        w.contains("Climbing out") && w.contains("outside the draft's folder"),
        "{w}"
    );
    assert!(w.contains("downloads nothing"), "{w}");
    #[cfg(unix)]
    assert!(w.contains("link pointing outside"), "{w}");
    if tools(&["pdfimages"]) {
        let (r, pdf) = render(&dir, &p, "out.pdf", &[]);
        assert_eq!(r.code(), 0, "{}", r.stderr());
        assert!(pdf_images(&pdf).is_empty());
    }
}

#[test]
fn title_flag_and_project_title_set_the_cover_and_metadata() {
    if !tools(&["pdfinfo", "pdftotext"]) {
        return;
    }
    let dir = scratch("fidelity-title");
    let p = dir.join("untitled.md");
    std::fs::write(
        &p,
        "Some text without any title.\n\n## Part\n\nMore text.\n",
    )
    .unwrap();
    let (r, pdf) = render(&dir, &p, "plain.pdf", &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("no title found"), "{}", r.stderr());
    let (r, pdf2) = render(
        &dir,
        &p,
        "titled.pdf",
        &["--title", "Output report on fidelity"],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(!r.stderr().contains("no title found"), "{}", r.stderr());
    assert!(
        pdfinfo(&pdf2).contains("Title:           Output report on fidelity"),
        "{}",
        pdfinfo(&pdf2)
    );
    assert!(squash(&pdftotext(&pdf2)).contains("Output report on fidelity"));
    assert!(squash(&pdftotext(&pdf)).contains("Untitled report"));
}

#[test]
fn every_output_of_the_example_meets_pdf_ua() {
    if !tools(&["pdfua", "outloud", "pdfinfo"]) {
        return;
    }
    // The bundled example (standard = "pdf-ua-1"), one letter per UN language.
    let dir = scratch("fidelity-example-ua");
    let toml = std::fs::read_to_string(fixture("example/bpf.toml"))
        .unwrap()
        .replace("../report/", &format!("{}/", fixture("report").display()))
        .replace(
            "../recipients/institutions.csv",
            &fixture("recipients/six-languages.csv")
                .display()
                .to_string(),
        );
    std::fs::write(dir.join("bpf.toml"), toml).unwrap();
    let _ = std::fs::remove_dir_all(dir.join("dist"));
    let r = Run::of(
        bpfpress(["build".as_ref(), dir.as_os_str(), "--force".as_ref()])
            .env("SOURCE_DATE_EPOCH", "1789000000"),
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let dist = dir.join("dist");
    let mut pdfs = vec![
        dist.join("report.pdf"),
        dist.join("takeaways.pdf"),
        dist.join("press-release.pdf"),
    ];
    let mut letters: Vec<PathBuf> = std::fs::read_dir(dist.join("letters"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    letters.sort();
    assert_eq!(letters.len(), 6, "{letters:?}");
    pdfs.extend(letters);
    for pdf in &pdfs {
        let info = pdfinfo(pdf);
        assert!(
            info.contains("Tagged:          yes"),
            "{}: {info}",
            pdf.display()
        );
        pdf_ua_clean(pdf, "error");
    }
}

#[test]
fn pdf_drafts_say_their_figures_are_skipped() {
    let d = read_path(&fixture("fidelity/draft.lo.pdf"), &Limits::default()).unwrap();
    assert!(images(&d.blocks).is_empty());
    let w = d.warnings.join("\n");
    assert!(
        w.contains("the PDF draws 3 image(s)") && w.contains("Word or Markdown draft"),
        "{w}"
    );
}

/// A Windows metafile stands in for a picture of the Word draft: the
/// figure is named in a warning and shown as a placeholder.
#[test]
fn a_metafile_figure_is_named_in_a_warning() {
    use std::io::{Read, Write};
    let dir = scratch("fidelity-emf");
    let src = std::fs::read(docx()).unwrap();
    let mut zin = zip::ZipArchive::new(std::io::Cursor::new(src)).unwrap();
    let out = dir.join("emf.docx");
    let mut zout = zip::ZipWriter::new(std::fs::File::create(&out).unwrap());
    // The header of an EMF file (EMR_HEADER, " EMF" at byte 40).
    let mut emf = vec![1u8, 0, 0, 0, 108, 0, 0, 0];
    emf.resize(40, 0);
    emf.extend_from_slice(b" EMF");
    emf.resize(108, 0);
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut bytes = Vec::new();
        f.read_to_end(&mut bytes).unwrap();
        if name.ends_with(".gif") {
            bytes = emf.clone();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&bytes).unwrap();
    }
    zout.finish().unwrap();
    let d = read_path(&out, &Limits::default()).unwrap();
    let formats: Vec<ImageFormat> = d.media.values().map(|m| m.format).collect();
    assert!(formats.contains(&ImageFormat::Emf), "{formats:?}");
    let (r, pdf) = render(&dir, &out, "emf.pdf", &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let err = r.stderr();
    assert!(
        err.contains("figure 3 (Small animated icon of a signal, ¶")
            && err.contains("is a Windows metafile (EMF)"),
        "{err}"
    );
    if tools(&["pdftotext"]) {
        let text = squash(&pdftotext(&pdf));
        assert!(
            text.contains("Image not shown — Small animated icon of a signal"),
            "{text}"
        );
    }
}

#[test]
fn a_title_taken_from_the_first_paragraph_is_said() {
    let (r, _) = render(
        &scratch("fidelity-plain-title"),
        &fixture("formats/plain-title.docx"),
        "out.pdf",
        &[],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(
        r.stderr().contains("was taken from the first paragraph(s)"),
        "{}",
        r.stderr()
    );
}

/// Page economy on the real report: chapters still start on a new page
/// when they are long and the page before is well used, and no page
/// between the cover and the last is near-empty.
#[test]
fn the_real_report_has_no_near_empty_pages() {
    if !tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let dir = scratch("fidelity-economy");
    let (r, pdf) = render(
        &dir,
        &fixture("report/bpf-on-bpfs-2020.pandoc.docx"),
        "real.pdf",
        &[],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let n = pdf_pages(&pdf);
    let lines: Vec<usize> = (1..=n)
        .map(|p| {
            page_text(&pdf, p)
                .lines()
                .filter(|l| !l.trim().is_empty())
                .count()
        })
        .collect();
    let full = *lines.iter().max().unwrap();
    for (i, &l) in lines.iter().enumerate().take(n - 1).skip(1) {
        assert!(
            l * 3 >= full,
            "page {} holds {l} lines of a full page's {full}: {lines:?}",
            i + 1
        );
    }
    // A long chapter still starts at the top of a page (under the running
    // header's two lines).
    let starts_page = |p: usize| {
        page_text(&pdf, p)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .any(|l| l.trim() == "A. Introduction")
    };
    assert!((3..=n).any(starts_page), "{lines:?}");
}
