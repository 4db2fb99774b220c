//! The key-takeaways sheet, checked from the outside: page counts from
//! pdfinfo, text from pdftotext, positions from `pdftotext -bbox-layout`,
//! the QR code decoded by zbarimg (zbar-tools) from a pdftoppm render.

mod support;

use bpfpress::ingest::{Limits, read_path};
use bpfpress::model::{Block, Document, Format};
use bpfpress::render::{Engine, Paper, Standard};
use bpfpress::takeaways::sheet::{FIT_LEVELS, MAX_PAGES, Sheet};
use bpfpress::takeaways::{
    self, SheetError, SheetOptions, Source, Takeaways, make_sheet, sections,
};
use std::path::{Path, PathBuf};
use std::process::Command;
use support::{heading, para, pdf_pages, pdftotext, root, scratch, tool_output, tools};

const URL: &str = "https://www.intgovforum.org/en/content/bpf-on-bpfs-2020";

fn out_dir() -> PathBuf {
    scratch("takeaways_sheet")
}

/// The real report as a model made by pandoc (fixtures/make.sh).
fn real_model() -> Document {
    let bytes = std::fs::read(root().join("fixtures/render/bpf-on-bpfs-2020.model.json")).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

fn opts(url: Option<&str>) -> SheetOptions {
    SheetOptions {
        report_url: url.map(str::to_string),
        ..SheetOptions::default()
    }
}

/// Make the sheet and keep it under cargo's scratch folder for inspection.
fn make(doc: &Document, t: &Takeaways, o: &SheetOptions, name: &str) -> (Sheet, PathBuf) {
    let sheet = make_sheet(&Engine::builtin(), doc, t, o).unwrap();
    let path = out_dir().join(name);
    std::fs::write(&path, &sheet.pdf).unwrap();
    (sheet, path)
}

/// Run an outside tool (checked by `tools` first); its standard output.
fn run(tool: &str, args: &[&str]) -> String {
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    let out = tool_output(tool, &args);
    assert!(
        out.status.success(),
        "{tool} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Compare text across line breaks and hyphenation: letters and digits only.
fn key(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).collect()
}

/// A small crafted draft with no takeaways section.
fn crafted_draft() -> Document {
    let mut doc = Document::new("crafted.md", Format::Markdown);
    doc.meta.title = Some("Best Practice Forum on Local Content".into());
    doc.meta.date = Some("2021-11".into());
    doc.meta.authors = vec!["A. Editor".into()];
    doc.blocks = vec![
        heading(1, 1, "Introduction"),
        para(
            2,
            "The forum looked at how local content creators reach audiences online and which policy challenges stand in their way.",
        ),
        heading(3, 1, "Methodology"),
        para(
            4,
            "The BPF held six open virtual meetings, ran a survey with 140 respondents and interviewed ten creators from four regions.",
        ),
        heading(5, 1, "Lessons learned"),
        para(
            6,
            "An important lesson is that small publishers need predictable rules for hosting and payments across borders. \
             Participants found that regional cooperation worked well when it started from shared language communities.",
        ),
        heading(7, 1, "Next steps"),
        para(
            8,
            "The BPF recommends that the next cycle should map the payment barriers that local creators face in each region.",
        ),
    ];
    doc
}

#[test]
fn real_report_sheet_is_at_most_two_pages_with_its_text_and_url() {
    if !tools(&["pdfinfo", "pdftotext"]) {
        return;
    }
    let doc = real_model();
    let t = takeaways::select(&doc, None, &sections::checked(&doc));
    assert!(
        matches!(&t.source, Source::Section { heading, .. } if heading == "Concluding remarks"),
        "{:?}",
        t.source
    );
    assert!(
        (4..=10).contains(&t.takeaways.len()),
        "{}",
        t.takeaways.len()
    );
    let (sheet, pdf) = make(&doc, &t, &opts(Some(URL)), "real.pdf");
    assert!(sheet.pages <= MAX_PAGES);
    assert_eq!(pdf_pages(&pdf), sheet.pages);
    assert!(sheet.dropped.is_empty(), "{:?}", sheet.dropped);
    let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("Tagged:          yes"), "{info}");

    let text = pdftotext(&pdf);
    let k = key(&text);
    for i in t.takeaways.iter().chain(&t.recommendations) {
        assert!(
            k.contains(&key(&i.text)),
            "missing on the sheet: {}",
            i.text
        );
        for s in &i.sub {
            assert!(k.contains(&key(s)), "missing sub-item: {s}");
        }
    }
    let act = t.activities.as_deref().unwrap();
    assert!(act.contains("kicked off in April 2020"), "{act}");
    assert!(k.contains(&key(act)));
    assert!(text.contains(URL), "URL not printed");
    assert!(text.contains("IGF 2020"));
    assert!(k.contains(&key("Editors of the report: Markus Kummer, Wim Degezelle")));
    assert!(text.contains("Quoted from the report’s section “Concluding remarks”"));
    // the recommendations were extracted, and the sheet says so
    assert!(t.recommendations.iter().all(|i| i.element.is_some()));
    assert!(key(&text).contains(&key("selected automatically by bpfpress")));
}

#[test]
fn element_sections_come_from_the_check_stage_with_heading_fallback() {
    use bpfpress::check::{CheckOptions, Checklist, check};
    let doc = real_model();
    let report = check(&doc, &Checklist::builtin(), &CheckOptions::default());
    let from_check = sections::from_check(&report, &doc);
    let used = sections::checked(&doc);
    // Every sheet element the check found is used exactly as it found it.
    for e in &from_check {
        let u = used.iter().find(|u| u.element == e.element).unwrap();
        assert_eq!(u.blocks, e.blocks, "element {}", e.element);
        let ev: Vec<_> = report
            .element_blocks(u32::from(e.element))
            .into_iter()
            .filter(|r| !r.is_empty())
            .collect();
        assert_eq!(e.blocks.first(), ev.first(), "best evidence first");
    }
    // The concluding remarks serve insights (element 9).
    let nine = used.iter().find(|e| e.element == 9).unwrap();
    assert!(nine.blocks.iter().any(|r| matches!(&doc.blocks[r.start],
        Block::Heading { text, .. } if text == "Concluding remarks")));
    // Without a check report, the heading fallback alone.
    assert_eq!(sections::for_sheet(&doc, None), {
        let mut h = sections::from_headings(&doc);
        h.sort_by_key(|e| e.element);
        h
    });
}

#[test]
fn qr_code_decodes_to_the_report_url() {
    if !tools(&["pdftoppm", "zbarimg"]) {
        return;
    }
    let doc = crafted_draft();
    let t = takeaways::select(&doc, None, &sections::checked(&doc));
    let (sheet, pdf) = make(&doc, &t, &opts(Some(URL)), "qr.pdf");
    let png = out_dir().join("qr");
    let last = sheet.pages.to_string();
    run(
        "pdftoppm",
        &[
            "-png",
            "-r",
            "150",
            "-f",
            &last,
            "-l",
            &last,
            "-singlefile",
            pdf.to_str().unwrap(),
            png.to_str().unwrap(),
        ],
    );
    let png = png.with_extension("png");
    let decoded = run("zbarimg", &["--quiet", "--raw", png.to_str().unwrap()]);
    assert_eq!(decoded.trim(), URL);
}

#[test]
fn oversized_takeaways_file_is_fitted_to_two_pages_with_a_warning_per_dropped_item() {
    if !tools(&["pdfinfo", "pdftotext"]) {
        return;
    }
    // 40 takeaways and 20 recommendations of ~250 words each, every one
    // tagged with a unique word so that its presence can be checked.
    let filler = "multistakeholder cooperation on this theme needs sustained attention from \
                  governments, the technical community, civil society and the private sector, \
                  with clear timelines, shared metrics and regular reporting to the community";
    let mut md = String::from("# Takeaways\n\n");
    for n in 0..40 {
        md.push_str(&format!("- Takeaway marker{n}x: {filler}, {filler}, {filler}, {filler}, {filler}, {filler}, {filler}.\n"));
    }
    md.push_str("\n# Recommendations\n\n");
    for n in 0..20 {
        md.push_str(&format!(
            "- Recommendation marker{}x: {filler}, {filler}, {filler}, {filler}, {filler}, {filler}, {filler}.\n",
            100 + n
        ));
    }
    let file = takeaways::file::parse(md.as_bytes(), "big.md").unwrap();
    let doc = crafted_draft();
    let t = takeaways::select(&doc, Some((&file, "big.md")), &[]);
    assert_eq!((t.takeaways.len(), t.recommendations.len()), (40, 20));

    let (sheet, pdf) = make(&doc, &t, &opts(Some(URL)), "oversized.pdf");
    assert!(sheet.pages <= MAX_PAGES);
    assert_eq!(pdf_pages(&pdf), sheet.pages);
    assert_eq!(
        sheet.fit_level,
        FIT_LEVELS.len() - 1,
        "should reach the floor"
    );
    // 30 over the bullet limits, then more for the page limit
    let over_limit = sheet
        .dropped
        .iter()
        .filter(|d| d.reason.contains("more bullets"))
        .count();
    let over_pages = sheet
        .dropped
        .iter()
        .filter(|d| d.reason.contains("two pages"))
        .count();
    assert_eq!(over_limit, 30 + 14);
    assert!(over_pages >= 1, "{:?}", sheet.dropped);

    let text = pdftotext(&pdf);
    for d in &sheet.dropped {
        let marker = d
            .item
            .text
            .split(':')
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap();
        assert!(
            d.to_string().contains(marker),
            "warning must name the item: {d}"
        );
        assert!(
            !text.contains(marker),
            "dropped item still on the sheet: {marker}"
        );
    }
    // what is left is the best-ranked, and all of it is printed
    let kept = (0..40)
        .map(|n| format!("marker{n}x"))
        .chain((100..120).map(|n| format!("marker{n}x")))
        .filter(|m| text.contains(m.as_str()))
        .collect::<Vec<_>>();
    assert_eq!(kept.len(), 60 - sheet.dropped.len());
    assert!(
        text.contains("marker0x") && text.contains("marker100x"),
        "best items kept"
    );
    assert!(text.contains(URL));
}

#[test]
fn tiny_sheet_is_one_full_looking_page() {
    if !tools(&["pdfinfo", "pdftotext"]) {
        return;
    }
    let file = takeaways::file::parse(
        b"- Open calls worked.\n- Start outreach early.\n- Publish a modalities document.\n",
        "tiny.md",
    )
    .unwrap();
    let doc = crafted_draft();
    let t = takeaways::select(&doc, Some((&file, "tiny.md")), &[]);
    let (sheet, pdf) = make(&doc, &t, &opts(Some(URL)), "tiny.pdf");
    assert_eq!(sheet.pages, 1);
    assert_eq!(pdf_pages(&pdf), 1);
    assert_eq!(
        sheet.fit_level, 0,
        "a short sheet keeps the report's type size"
    );
    // The "full report" block sits at the foot of the page, not after the
    // bullets in the middle: the page reads as a designed whole.
    let bbox = run("pdftotext", &["-bbox-layout", pdf.to_str().unwrap(), "-"]);
    let page_h: f64 = attr(&bbox, "<page ", "height").unwrap();
    let url_y = bbox
        .lines()
        .find(|l| l.contains("<word") && l.contains("intgovforum.org"))
        .and_then(|l| attr(l, "<word", "yMin"))
        .unwrap();
    assert!(url_y > page_h * 0.8, "URL at {url_y} of {page_h}");
    let bullet_y = bbox
        .lines()
        .find(|l| l.contains("<word") && l.contains(">Publish<"))
        .and_then(|l| attr(l, "<word", "yMin"))
        .unwrap();
    assert!(bullet_y < page_h * 0.6, "bullets at {bullet_y} of {page_h}");
}

/// A numeric attribute of the first element starting with `tag` in `s`.
fn attr(s: &str, tag: &str, name: &str) -> Option<f64> {
    let at = s.find(tag)?;
    let rest = &s[at..];
    let p = rest.find(&format!("{name}=\""))? + name.len() + 2;
    rest[p..].split('"').next()?.parse().ok()
}

#[test]
fn extracted_sentences_are_quoted_and_labelled() {
    if !tools(&["pdftotext"]) {
        return;
    }
    let doc = crafted_draft();
    let t = takeaways::select(&doc, None, &sections::checked(&doc));
    assert_eq!(t.source, Source::Extracted);
    assert!(!t.takeaways.is_empty() && !t.recommendations.is_empty());
    let all: String = doc.blocks.iter().map(|b| b.plain_text() + " ").collect();
    for i in t.takeaways.iter().chain(&t.recommendations) {
        assert!(all.contains(&i.text), "not verbatim: {}", i.text);
    }
    assert!(
        t.activities
            .as_deref()
            .unwrap()
            .starts_with("The BPF held six open virtual meetings")
    );
    let (_, pdf) = make(&doc, &t, &opts(None), "extracted.pdf");
    let text = pdftotext(&pdf);
    assert!(key(&text).contains(&key(
        "Sentences quoted from the report, selected automatically"
    )));
    // no URL: no QR code, the IGF website named instead
    assert!(text.contains("intgovforum.org"));
    assert!(!text.contains("https://"));
}

#[test]
fn same_input_same_bytes_and_letter_paper_and_pdf_ua() {
    if !tools(&["pdfinfo"]) {
        return;
    }
    let doc = crafted_draft();
    let t = takeaways::select(&doc, None, &sections::checked(&doc));
    let a = make_sheet(&Engine::builtin(), &doc, &t, &opts(Some(URL))).unwrap();
    let b = make_sheet(&Engine::builtin(), &doc, &t, &opts(Some(URL))).unwrap();
    assert!(a.pdf == b.pdf, "sheet is not deterministic");

    let o = SheetOptions {
        paper: Paper::Letter,
        standard: Some(Standard::PdfUa1),
        ..opts(Some(URL))
    };
    let (_, pdf) = make(&doc, &t, &o, "letter-ua.pdf");
    let info = run("pdfinfo", &[pdf.to_str().unwrap()]);
    assert!(info.contains("612 x 792 pts (letter)"), "{info}");
    assert!(info.contains("Tagged:          yes"));
}

#[test]
fn a_skeleton_draft_gives_no_sheet_rather_than_invented_text() {
    let mut doc = Document::new("skeleton.md", Format::Markdown);
    doc.meta.title = Some("Skeleton".into());
    doc.blocks = vec![
        heading(1, 1, "Policy challenges"),
        para(2, "To be expanded."),
        heading(3, 1, "Methodology"),
        para(4, "Meetings were held."),
    ];
    let t = takeaways::select(&doc, None, &sections::checked(&doc));
    match make_sheet(&Engine::builtin(), &doc, &t, &opts(Some(URL))) {
        Err(e @ SheetError::Empty) => assert!(e.to_string().contains("--from")),
        other => panic!("expected Empty, got {other:?}"),
    }
    // The CLI says so and exits 1 (the job ran, the draft lacks takeaways).
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("skeleton.json");
    std::fs::write(&model, serde_json::to_vec(&doc).unwrap()).unwrap();
    let out = dir.path().join("t.pdf");
    let r = Command::new(support::bin())
        .arg("takeaways")
        .arg(&model)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&r.stderr).contains("skeleton.json: no takeaways"));
    assert!(!out.exists());
}

#[test]
fn too_long_even_without_bullets_is_an_error_not_a_third_page() {
    let mut doc = crafted_draft();
    doc.meta.title = Some("A very long title ".repeat(700));
    let t = takeaways::select(&doc, None, &sections::checked(&doc));
    match make_sheet(&Engine::builtin(), &doc, &t, &opts(Some(URL))) {
        Err(SheetError::TooLong { pages }) => assert!(pages > MAX_PAGES),
        Err(e) => panic!("wrong error: {e}"),
        Ok(s) => panic!("made a sheet of {} pages", s.pages),
    }
}

#[test]
fn every_report_fixture_gives_a_sheet_of_at_most_two_pages() {
    let engine = Engine::builtin();
    let mut made = 0;
    // The real report in every format, and the check stage's crafted drafts.
    let mut paths: Vec<PathBuf> = ["fixtures/report", "fixtures/drafts"]
        .iter()
        .flat_map(|d| std::fs::read_dir(root().join(d)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    paths.push(root().join("fixtures/render/bpf-on-bpfs-2020.model.json"));
    paths.sort();
    for p in paths {
        let doc = if p.extension().is_some_and(|e| e == "json") {
            real_model()
        } else {
            read_path(&p, &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
        };
        let t = takeaways::select(&doc, None, &sections::checked(&doc));
        match make_sheet(&engine, &doc, &t, &opts(Some(URL))) {
            Ok(s) => {
                assert!(s.pages <= MAX_PAGES, "{}: {} pages", p.display(), s.pages);
                assert!(!t.takeaways.is_empty(), "{}: no takeaways", p.display());
                eprintln!("{}: {} page(s), from {}", p.display(), s.pages, t.source);
                made += 1;
            }
            // A skeleton draft: nothing to quote, and nothing is invented.
            Err(SheetError::Empty) => {
                assert!(t.takeaways.is_empty() && t.recommendations.is_empty());
                assert!(
                    doc.meta.words < 400 || doc.blocks.len() < 30,
                    "{}",
                    p.display()
                );
                eprintln!("{}: no takeaways to quote (error Empty)", p.display());
            }
            Err(e) => panic!("{}: {e}", p.display()),
        }
    }
    assert!(made >= 1);
}

#[test]
fn cli_prints_the_source_warns_per_dropped_item_and_writes_atomically() {
    if !tools(&["pdfinfo"]) {
        return;
    }
    let bin = support::bin();
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("draft.json");
    std::fs::write(&model, serde_json::to_vec(&crafted_draft()).unwrap()).unwrap();
    let long = "the community should keep working on this question together with all stakeholders in every region and report back".repeat(20);
    let mut md = String::from("# Takeaways\n\n");
    for n in 0..60 {
        md.push_str(&format!("- Point marker{n}x: {long}.\n"));
    }
    let from = dir.path().join("takeaways.md");
    std::fs::write(&from, md).unwrap();
    let out = dir.path().join("sheet.pdf");
    let r = Command::new(&bin)
        .args(["takeaways"])
        .arg(&model)
        .arg("--from")
        .arg(&from)
        .args(["--report-url", URL, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&r.stdout);
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(r.status.success(), "{stderr}");
    assert!(
        stdout.contains("takeaways from the takeaways file"),
        "{stdout}"
    );
    assert!(
        stderr.contains("warning: left out takeaway #60 “Point marker59x:"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the sheet would run over two pages"),
        "{stderr}"
    );
    assert!(pdf_pages(&out) <= 2);
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "temporary files left behind: {names:?}");

    // Bad inputs: a clear error naming the file, exit 2, nothing written.
    let bad = dir.path().join("empty.md");
    std::fs::write(&bad, "# Takeaways\n").unwrap();
    let out2 = dir.path().join("none.pdf");
    let r = Command::new(&bin)
        .arg("takeaways")
        .arg(&model)
        .arg("--from")
        .arg(&bad)
        .arg("-o")
        .arg(&out2)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&r.stderr);
    assert!(stderr.contains("empty.md: no bullets found"), "{stderr}");
    assert!(!out2.exists());
    let r = Command::new(&bin)
        .arg("takeaways")
        .arg(&model)
        .args(["--report-url", "ftp://x", "-o"])
        .arg(&out2)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("not an http(s) address"));
    assert!(!out2.exists());
}

#[test]
fn a_sheet_spilling_a_few_lines_is_pulled_back_onto_one_page() {
    // Ten bullets of growing length: somewhere the text at 10.5 pt spills
    // just past page 1, and the sheet must then come out as one page at a
    // smaller level rather than a page 2 with a few lines.
    let doc = crafted_draft();
    let mut pulled_back = None;
    for words in (20..=70).step_by(3) {
        let mut md = String::new();
        for n in 0..10 {
            md.push_str(&format!(
                "- Point {n}: {}.\n",
                ["word"; 70][..words].join(" ")
            ));
        }
        let file = takeaways::file::parse(md.as_bytes(), "k.md").unwrap();
        let t = takeaways::select(&doc, Some((&file, "k.md")), &[]);
        let s = make_sheet(&Engine::builtin(), &doc, &t, &opts(Some(URL))).unwrap();
        assert!(s.pages <= MAX_PAGES);
        if s.pages == 1 && s.fit_level > 0 {
            assert!(s.fit_level <= takeaways::sheet::ONE_PAGE_FLOOR);
            pulled_back = Some(words);
            break;
        }
        if s.pages == 2 {
            break; // past the point where a pull-back could help
        }
    }
    assert!(
        pulled_back.is_some(),
        "no bullet length gave a pulled-back one-page sheet"
    );
}

#[test]
fn cli_reads_url_name_and_contact_from_the_project_file_beside_the_draft() {
    if !tools(&["pdftotext"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("draft.json");
    std::fs::write(&model, serde_json::to_vec(&crafted_draft()).unwrap()).unwrap();
    std::fs::write(
        dir.path().join("bpf.toml"),
        format!(
            "[bpf]\nname = \"BPF on Local Content\"\nyear = 2021\n\n\
             [report]\npath = \"draft.json\"\nurl = \"{URL}\"\n\n\
             [signatory]\nname = \"Wim Degezelle\"\nrole = \"IGF consultant\"\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("t.pdf");
    let r = Command::new(support::bin())
        .arg("takeaways")
        .arg(&model)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let text = pdftotext(&out);
    assert!(text.contains(URL));
    assert!(text.contains("BPF ON LOCAL CONTENT"), "{text}"); // the kicker is upper case
    assert!(text.contains("Contact: Wim Degezelle, IGF consultant"));

    // A broken project file is an error naming the file and the key.
    std::fs::write(
        dir.path().join("bpf.toml"),
        "[bpf]\nname = \"\"\nyear = 2021\n",
    )
    .unwrap();
    let r = Command::new(support::bin())
        .arg("takeaways")
        .arg(&model)
        .arg("-o")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    let err = String::from_utf8_lossy(&r.stderr);
    assert!(err.contains("bpf.toml"), "{err}");
}

/// How far down page `page` (1-based) the text runs, as a share of the
/// page height: the lowest text line above the footer (pdftotext -bbox).
fn text_depth(pdf: &Path, page: usize) -> f64 {
    let bbox = run("pdftotext", &["-bbox-layout", pdf.to_str().unwrap(), "-"]);
    let p = bbox.split("<page ").nth(page).expect("page");
    let h: f64 = attr(p, "", "height").unwrap();
    let footer = h - 20.0 / 25.4 * 72.0; // the 20 mm bottom margin
    p.split("<line ")
        .skip(1)
        .filter_map(|l| attr(l, "", "yMax"))
        .filter(|&y| y < footer)
        .fold(0.0, f64::max)
        / h
}

/// The sheet is either one page, or two whose second page carries real
/// content: the rest of the bullets, what the BPF did and the full report
/// (its contact and QR code) in two columns, well down the page — never a
/// page 2 holding a few lines and a pinned block.
#[test]
fn page_two_is_never_mostly_empty() {
    let doc = real_model();
    let t = takeaways::select(&doc, None, &sections::checked(&doc));
    let (sheet, pdf) = make(&doc, &t, &opts(Some(URL)), "balance-real.pdf");
    assert_eq!(sheet.pages, 2);
    assert_eq!(sheet.layout, takeaways::sheet::Layout::Two);
    let depth = text_depth(&pdf, 2);
    assert!(
        depth >= 0.5,
        "page 2 of the real report's sheet ends at {depth:.2}"
    );
    let page2 = run(
        "pdftotext",
        &["-f", "2", "-l", "2", pdf.to_str().unwrap(), "-"],
    );
    for must in [
        "About the BPF and its report",
        "WHAT THE BPF DID",
        "READ THE FULL REPORT",
    ] {
        assert!(page2.contains(must), "page 2 lacks {must:?}:\n{page2}");
    }
    // The longer account of the BPF's work, quoted as written.
    let more = t.activities_more.as_deref().unwrap();
    assert!(more.len() > t.activities.as_deref().unwrap().len());
    assert!(key(&page2).contains(&key(more)), "{page2}");
    // Its first page is full too.
    assert!(text_depth(&pdf, 1) > 0.8);

    // A sheet that spills a few lines is pulled back onto one page; a
    // short one is one page: both with the full report at the foot.
    let mut cases = vec![(
        "tiny",
        "- Open calls worked.\n- Start outreach early.\n".to_string(),
    )];
    // Two pages' worth of mid-length bullets: balanced across both pages.
    let mut md = String::from("# Takeaways\n\n");
    for n in 0..9 {
        md.push_str(&format!(
            "- Takeaway {n}: regional and national IGF initiatives reported that early, \
             well-announced open calls with a clear agenda brought in participants from \
             governments, business and civil society who had not taken part before, and \
             that a short written summary after each call kept them involved.\n"
        ));
    }
    md.push_str("\n# Recommendations\n\n");
    for n in 0..4 {
        md.push_str(&format!(
            "- Recommendation {n}: the MAG should ask every BPF to publish its calendar of \
             calls at the start of the cycle and to report on participation.\n"
        ));
    }
    cases.push(("mid", md));
    for (name, md) in cases {
        let file = takeaways::file::parse(md.as_bytes(), "t.md").unwrap();
        let d = crafted_draft();
        let t = takeaways::select(&d, Some((&file, "t.md")), &sections::checked(&d));
        let (sheet, pdf) = make(&d, &t, &opts(Some(URL)), &format!("balance-{name}.pdf"));
        assert_eq!(pdf_pages(&pdf), sheet.pages);
        eprintln!(
            "{name}: {} pages, {} pt, fill {:?}, {} compiles",
            sheet.pages, sheet.size_pt, sheet.last_page_fill, sheet.compiles
        );
        if sheet.pages == 2 {
            // This draft's account of its work is one sentence: page 2
            // holds the last bullets, the recommendations, what the BPF
            // did, the full report and the QR code, at the largest type
            // that keeps two pages.
            let depth = text_depth(&pdf, 2);
            assert!(depth >= 0.4, "{name}: page 2 ends at {depth:.2}");
            assert!(
                sheet.size_pt > FIT_LEVELS[0].size_pt,
                "{name}: {}",
                sheet.size_pt
            );
        } else {
            assert_eq!(sheet.layout, takeaways::sheet::Layout::One, "{name}");
        }
    }
}
