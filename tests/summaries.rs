//! `bpfpress summaries`: the year's compilation of several reports, through
//! the binary, read back with poppler (pdftotext, pdfinfo), qpdf, zbarimg
//! and the PyPI checkers pdfua and outloud.

mod support;

use bpfpress::summaries::{Pages, Report, select};
use std::path::{Path, PathBuf};
use support::*;

/// The three fixture reports, one per format, in publication order.
fn three() -> [PathBuf; 3] {
    [
        fixture("summaries/cybersecurity-2026.md"),
        fixture("summaries/gender-2026.docx"),
        fixture("summaries/local-content-2026.pdf"),
    ]
}

const CYBER_URL: &str = "https://www.intgovforum.org/en/content/bpf-cybersecurity-2026";
const GENDER_URL: &str = "https://www.intgovforum.org/en/content/bpf-gender-and-digital-rights";

/// A URLs file for the cyber and gender reports (not the local content one).
fn urls_file(dir: &Path) -> PathBuf {
    let p = dir.join("urls.csv");
    std::fs::write(
        &p,
        format!(
            "report,url,notes\ncybersecurity-2026.md,{CYBER_URL},by file name\n\
             gender-2026.docx,{GENDER_URL},\n"
        ),
    )
    .unwrap();
    p
}

/// `bpfpress summaries` on `reports` into `dir/out`, with `extra` arguments.
fn summaries(dir: &Path, out: &str, reports: &[PathBuf], extra: &[&str]) -> (PathBuf, Run) {
    let pdf = dir.join(out);
    let mut args: Vec<std::ffi::OsString> = vec!["summaries".into()];
    args.extend(reports.iter().map(|p| p.clone().into_os_string()));
    args.push("-o".into());
    args.push(pdf.clone().into_os_string());
    args.extend(extra.iter().map(|a| (*a).into()));
    (pdf.clone(), run(args))
}

/// Each page's text (`pdftotext -layout`), first page first.
fn pages(pdf: &Path) -> Vec<String> {
    (1..=pdf_pages(pdf))
        .map(|n| {
            let n = n.to_string();
            let out = tool_output(
                "pdftotext",
                &[
                    "-layout".as_ref(),
                    "-enc".as_ref(),
                    "UTF-8".as_ref(),
                    "-f".as_ref(),
                    n.as_ref(),
                    "-l".as_ref(),
                    n.as_ref(),
                    pdf.as_os_str(),
                    "-".as_ref(),
                ],
            );
            String::from_utf8(out.stdout).unwrap()
        })
        .collect()
}

/// Letters and digits only, lower case: compares text across line breaks,
/// hyphenation and typographic quotes.
fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The 0-based page on which each report's section starts (its masthead
/// "Report k of n"), and each section's length in pages, read back.
fn sections(pages: &[String], n: usize) -> Vec<(usize, usize)> {
    let starts: Vec<usize> = (1..=n)
        .map(|k| {
            let mark = format!("Report {k} of {n}");
            pages
                .iter()
                .position(|p| p.contains(&mark))
                .unwrap_or_else(|| panic!("no page says {mark}"))
        })
        .collect();
    assert!(starts.windows(2).all(|w| w[0] < w[1]), "{starts:?}");
    starts
        .iter()
        .enumerate()
        .map(|(k, &s)| {
            let end = starts.get(k + 1).copied().unwrap_or(pages.len());
            (s, end - s)
        })
        .collect()
}

/// A fixture read and checked by the library, as the command reads it.
fn report(path: &Path) -> Report {
    let doc = bpfpress::ingest::read_path(path, &bpfpress::ingest::Limits::default()).unwrap();
    let check = check_doc(&doc);
    Report {
        shown: path.display().to_string(),
        doc,
        check,
        url: None,
        bpf: None,
        takeaways_file: None,
        pages: Pages::Unknown,
    }
}

/// The verdict words of the matrix row whose label starts with `label`.
fn matrix_row(page: &str, label: &str) -> Vec<String> {
    let lines: Vec<&str> = page.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().starts_with(label))
        .unwrap_or_else(|| panic!("no matrix row {label:?} in\n{page}"));
    lines[at..at + 3]
        .iter()
        .map(|l| {
            l.split_whitespace()
                .filter(|w| matches!(*w, "present" | "weak" | "missing"))
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .find(|words| words.len() == 10)
        .unwrap_or_else(|| panic!("no ten verdicts after {label:?} in\n{page}"))
}

#[test]
fn three_formats_make_one_publication_in_order_with_limits_held() {
    if !tools(&["pdftotext", "pdfinfo", "qpdf"]) {
        return;
    }
    let dir = scratch("summaries-three");
    let urls = urls_file(&dir);
    let (pdf, r) = summaries(
        &dir,
        "summaries.pdf",
        &three(),
        &["--urls", urls.to_str().unwrap(), "--year", "2026"],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    // The one report without an address is named.
    let err = r.stderr();
    assert!(
        err.lines().any(
            |l| l.starts_with("warning: 1 report(s) without a published address")
                && l.contains("local-content-2026.pdf")
        ),
        "{err}"
    );
    qpdf_check(&pdf);
    let pages = pages(&pdf);
    let secs = sections(&pages, 3);

    // Front matter first: cover, contents, overview, matrix.
    assert!(
        pages[0].contains("IGF 2026 Best Practice Forums"),
        "{}",
        pages[0]
    );
    assert!(pages[0].contains("3 output reports"));
    let front = pages[..secs[0].0].join("\n");
    for heading in [
        "Contents",
        "The output reports at a glance",
        "What each report covers: the ten output elements",
    ] {
        assert!(front.contains(heading), "{heading} not before the sections");
    }
    let matrix = pages[..secs[0].0]
        .iter()
        .find(|p| p.contains("Shaded columns: the key elements"))
        .unwrap();

    let stdout = r.stdout();
    let fixtures = three();
    for (k, path) in fixtures.iter().enumerate() {
        let rep = report(path);
        let (first, len) = secs[k];
        // The page limit, read back, and what the command says about it.
        assert!((1..=2).contains(&len), "report {k}: {len} pages");
        let line = stdout.lines().nth(k).unwrap();
        assert!(
            line.contains(&format!(
                "{len} page{} from p. {}",
                if len == 1 { "" } else { "s" },
                first + 1
            )),
            "{line}"
        );
        let text = norm(&pages[first..first + len].join("\n"));
        let title = rep.doc.meta.title.clone().unwrap();
        assert!(text.contains(&norm(&title)), "{title}");
        // Its takeaways and next steps, in order, under its own title, each
        // quoted from the report (never invented).
        let chosen = select(&rep);
        let source = norm(
            &rep.doc
                .blocks
                .iter()
                .map(|b| b.plain_text())
                .collect::<Vec<_>>()
                .join(" "),
        );
        let mut at = 0;
        let items: Vec<_> = chosen
            .takeaways
            .iter()
            .chain(&chosen.recommendations)
            .collect();
        assert!(items.len() >= 4, "{}: {items:?}", path.display());
        for item in items {
            let t = norm(&item.text);
            let pos = text[at..].find(&t).unwrap_or_else(|| {
                panic!(
                    "{}: not in its section, in order: {}",
                    path.display(),
                    item.text
                )
            });
            at += pos + t.len();
            assert!(
                source.contains(&t),
                "not quoted from the report: {}",
                item.text
            );
        }
        // No other report's title in this section.
        for (j, other) in fixtures.iter().enumerate() {
            if j != k {
                let t = report(other).doc.meta.title.unwrap();
                assert!(!text.contains(&norm(&t)), "{t} in section {k}");
            }
        }
        // The matrix row: the check's verdicts, in element order.
        let want: Vec<String> = rep
            .check
            .elements
            .iter()
            .map(|e| e.verdict.as_str().to_string())
            .collect();
        let label = format!("{}. ", k + 1);
        assert_eq!(matrix_row(matrix, &label), want, "{}", path.display());
    }
    // Independent of the library: the fixtures' own words.
    let cyber = norm(&pages[secs[0].0]);
    assert!(cyber.contains(&norm("Operators of critical infrastructure know the eleven UN cyber norms mostly by their effects")));
    assert!(cyber.contains(&norm(
        "Publish a plain-language guide that maps each of the eleven norms"
    )));
    assert!(cyber.contains(&norm(CYBER_URL)));
    let gender = norm(&pages[secs[1].0]);
    assert!(gender.contains(&norm(
        "Survivor-centred helplines were the response contributors valued most"
    )));
    assert!(gender.contains(&norm("Best Practice Forum on Gender and Digital Rights")));
    let local = norm(&pages[secs[2].0..].join(" "));
    assert!(local.contains(&norm("selected automatically by bpfpress")));
    assert!(local.contains(&norm("Published on the IGF website")));
}

#[test]
fn pdf_ua_output_passes_the_checkers_and_the_qr_code_decodes() {
    if !tools(&["pdftoppm", "pdfinfo", "zbarimg", "pdfua", "outloud"]) {
        return;
    }
    let dir = scratch("summaries-ua");
    let urls = urls_file(&dir);
    let (pdf, r) = summaries(
        &dir,
        "ua.pdf",
        &three(),
        &[
            "--urls",
            urls.to_str().unwrap(),
            "--standard",
            "pdf-ua-1",
            "--paper",
            "letter",
        ],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let info = pdfinfo(&pdf);
    assert!(info.contains("Tagged:          yes"), "{info}");
    assert!(info.contains("612 x 792 pts (letter)"), "{info}");
    assert!(
        info.contains("Title:           IGF 2026 Best Practice Forums: Summaries"),
        "{info}"
    );
    pdf_ua_clean(&pdf, "warning");
    // The first report's section carries its address as a QR code.
    let first = sections(&pages(&pdf), 3)[0].0 + 1;
    let png = dir.join("qr");
    let n = first.to_string();
    let o = tool_output(
        "pdftoppm",
        &[
            "-png".as_ref(),
            "-r".as_ref(),
            "150".as_ref(),
            "-f".as_ref(),
            n.as_ref(),
            "-l".as_ref(),
            n.as_ref(),
            "-singlefile".as_ref(),
            pdf.as_os_str(),
            png.as_os_str(),
        ],
    );
    assert!(o.status.success());
    let z = tool_output("zbarimg", &["-q".as_ref(), dir.join("qr.png").as_os_str()]);
    assert_eq!(
        String::from_utf8_lossy(&z.stdout).trim(),
        format!("QR-Code:{CYBER_URL}")
    );
}

#[test]
fn unreadable_reports_are_named_and_the_others_compiled() {
    if !tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let dir = scratch("summaries-bad");
    let empty = dir.join("empty-folder");
    std::fs::create_dir_all(&empty).unwrap();
    let [cyber, gender, local] = three();
    let reports = [
        cyber,
        fixture("bad/pdf-needs-password.pdf"),
        gender,
        dir.join("missing.docx"),
        empty.clone(),
        local,
    ];
    let (pdf, r) = summaries(&dir, "partial.pdf", &reports, &[]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    let err = r.stderr();
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error: ")).collect();
    assert_eq!(errors.len(), 3, "{err}");
    assert!(
        errors
            .iter()
            .any(|l| l.contains("pdf-needs-password.pdf") && l.contains("password")),
        "{err}"
    );
    assert!(
        errors
            .iter()
            .any(|l| l.contains("missing.docx") && l.contains("cannot read file")),
        "{err}"
    );
    assert!(
        errors
            .iter()
            .any(|l| l.contains("empty-folder") && l.contains("holds no reports")),
        "{err}"
    );
    // The other three are compiled, in order.
    let pages = pages(&pdf);
    let secs = sections(&pages, 3);
    assert!(pages[secs[2].0].contains("Local languages in the age of generative AI"));
    assert_eq!(r.stdout().lines().count(), 3);

    // Nothing readable at all: no file, exit 2.
    let (none, r) = summaries(&dir, "none.pdf", &[dir.join("missing.docx")], &[]);
    assert_eq!(r.code(), 2);
    assert!(
        r.stderr()
            .contains("no report could be read; nothing was written"),
        "{}",
        r.stderr()
    );
    assert!(!none.exists());
}

#[test]
fn the_same_reports_give_the_same_bytes_written_atomically() {
    let dir = scratch("summaries-determinism");
    let _ = std::fs::remove_dir_all(dir.join("out"));
    std::fs::create_dir_all(dir.join("out")).unwrap();
    let (a, r1) = summaries(&dir, "out/a.pdf", &three(), &[]);
    let (b, r2) = summaries(&dir, "out/b.pdf", &three(), &[]);
    assert!(r1.success() && r2.success(), "{}", r1.stderr());
    assert_eq!(
        sha256(&std::fs::read(&a).unwrap()),
        sha256(&std::fs::read(&b).unwrap())
    );
    // A fixed SOURCE_DATE_EPOCH: another date, the same bytes twice.
    let pdf = dir.join("out/c.pdf");
    let mut args: Vec<std::ffi::OsString> = vec!["summaries".into()];
    args.extend(three().iter().map(|p| p.clone().into_os_string()));
    args.extend(["-o".into(), pdf.clone().into_os_string()]);
    let c1 = Run::of(bpfpress(&args).env("SOURCE_DATE_EPOCH", "1796083200"));
    let first = std::fs::read(&pdf).unwrap();
    let c2 = Run::of(bpfpress(&args).env("SOURCE_DATE_EPOCH", "1796083200"));
    assert!(c1.success() && c2.success(), "{}", c1.stderr());
    assert_eq!(first, std::fs::read(&pdf).unwrap());
    assert_ne!(first, std::fs::read(&a).unwrap());
    if tools(&["pdftotext"]) {
        // 1796083200 is 2026-12-01.
        assert!(pdftotext(&pdf).contains("3 output reports · 1 December 2026"));
    }
    // Only the outputs: no temporary left behind.
    assert_eq!(list_dir(&dir.join("out")), ["a.pdf", "b.pdf", "c.pdf"]);
}

/// A report whose takeaways and next steps cannot fit on two pages.
fn long_report(dir: &Path) -> PathBuf {
    let sentence = "The forum heard from operators, regulators, researchers and civil society \
                    organisations in many regions that this point matters for the years ahead";
    let mut md = String::from(
        "---\ntitle: \"A very long output report of a Best Practice Forum\"\ndate: 2026-11-30\n---\n\n\
         # Key takeaways\n\n",
    );
    for i in 1..=10 {
        md.push_str(&format!(
            "- Takeaway number {i} says something at length. {}.\n",
            [sentence; 8].join(", and ")
        ));
    }
    md.push_str("\n## Next steps\n\n");
    for i in 1..=6 {
        md.push_str(&format!(
            "- Next step number {i} proposes work at length. {}.\n",
            [sentence; 6].join(", and ")
        ));
    }
    md.push_str(
        "\n# Methodology\n\nThe BPF held open virtual meetings, ran a survey and published a call \
         for contributions, which received many submissions from all stakeholder groups.\n",
    );
    let p = dir.join("long-2026.md");
    std::fs::write(&p, md).unwrap();
    p
}

#[test]
fn a_section_too_long_is_trimmed_to_two_pages_naming_what_was_cut() {
    if !tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let dir = scratch("summaries-trim");
    let long = long_report(&dir);
    let [cyber, ..] = three();
    let (pdf, r) = summaries(&dir, "trim.pdf", &[cyber, long], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let err = r.stderr();
    let cut: Vec<&str> = err
        .lines()
        .filter(|l| {
            l.contains("long-2026.md: left out ")
                && l.ends_with("the summary would run over two pages")
        })
        .collect();
    assert!(!cut.is_empty(), "{err}");
    // The least important first, from the longer list: the last takeaway.
    assert!(
        cut[0].contains("left out takeaway #10 “Takeaway number 10 says"),
        "{}",
        cut[0]
    );
    let pages = pages(&pdf);
    let secs = sections(&pages, 2);
    assert_eq!(secs[1].1, 2, "the long report's section is two pages");
    let text = norm(&pages[secs[1].0..].join(" "));
    // Exactly what the warnings name is missing; everything else is there.
    for (list, n, start, verb) in [
        ("takeaway", 10, "Takeaway number", "says"),
        ("recommendation", 6, "Next step number", "proposes"),
    ] {
        for i in 1..=n {
            let named = cut
                .iter()
                .any(|l| l.contains(&format!("left out {list} #{i} ")));
            let shown = text.contains(&norm(&format!("{start} {i} {verb}")));
            assert_ne!(
                named, shown,
                "{list} #{i}: named as cut {named}, shown {shown}"
            );
        }
    }
    let line = r.stdout().lines().nth(1).unwrap().to_string();
    assert!(
        line.contains("2 pages") && line.contains("at 8.5 pt"),
        "{line}"
    );
}

#[test]
fn folders_and_bpf_projects_give_their_reports_addresses_and_names() {
    if !tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let dir = scratch("summaries-folders");
    let _ = std::fs::remove_dir_all(dir.join("year"));
    let year = dir.join("year");
    let project = year.join("bpf-cyber");
    std::fs::create_dir_all(project.join("dist")).unwrap();
    let [cyber, gender, _] = three();
    std::fs::copy(&cyber, project.join("report.md")).unwrap();
    std::fs::write(project.join("dist/report.pdf"), b"not a report").unwrap();
    std::fs::write(
        project.join("bpf.toml"),
        format!(
            "[bpf]\nname = \"BPF Cybersecurity\"\nyear = 2026\n[report]\npath = \"report.md\"\n\
             url = \"{CYBER_URL}\"\n"
        ),
    )
    .unwrap();
    std::fs::copy(&gender, year.join("gender-2026.docx")).unwrap();
    std::fs::write(year.join("notes.odt"), b"ignored").unwrap();
    let (pdf, r) = summaries(&dir, "year.pdf", &[year], &[]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = r.stdout();
    // Sorted by path: the project's report, then the loose file.
    assert!(
        out.lines().next().unwrap().contains("bpf-cyber/report.md"),
        "{out}"
    );
    assert!(
        out.lines().nth(1).unwrap().contains("gender-2026.docx"),
        "{out}"
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    let text = pdftotext(&pdf);
    assert!(
        text.contains("BPF CYBERSECURITY"),
        "the project's name as the kicker"
    );
    assert!(squash(&text).contains(CYBER_URL));
}

#[test]
fn a_template_without_the_section_markers_is_refused_by_name() {
    let dir = scratch("summaries-template");
    let templates = dir.join("templates");
    let _ = std::fs::remove_dir_all(&templates);
    for (vpath, text) in bpfpress::render::world::BUILTIN_TEMPLATES {
        let p = templates.join(vpath.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let text = if *vpath == "/summaries.typ" {
            text.replace("<bpfpress-summary-end>", "<somewhere-else>")
        } else {
            text.to_string()
        };
        std::fs::write(p, text).unwrap();
    }
    let (pdf, r) = summaries(
        &dir,
        "t.pdf",
        &three()[..1],
        &["--template-dir", templates.to_str().unwrap()],
    );
    r.assert_one_error("summaries.typ", "<bpfpress-summary-end>");
    assert!(!pdf.exists());
}

#[test]
fn build_makes_the_yearly_compilation_of_a_project_and_redoes_it_only_when_needed() {
    let dir = scratch("summaries-build");
    let proj = dir.join("secretariat");
    let _ = std::fs::remove_dir_all(&proj);
    std::fs::create_dir_all(proj.join("reports")).unwrap();
    for f in three() {
        std::fs::copy(&f, proj.join("reports").join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        proj.join("urls.csv"),
        format!("report,url\nreports/cybersecurity-2026.md,{CYBER_URL}\n"),
    )
    .unwrap();
    let toml = |extra: &str| {
        format!(
            "[summaries]\nyear = 2026\ntitle = \"Best Practice Forums 2026: the year's outputs\"\n\
             urls = \"urls.csv\"\nreports = [\n  \"reports/cybersecurity-2026.md\",\n  \
             {{ path = \"reports/gender-2026.docx\", url = \"{GENDER_URL}\", bpf = \"BPF Gender and Digital Rights\" }},\n  \
             \"reports/local-content-2026.pdf\",\n{extra}]\n\n[output]\nstandard = \"pdf-ua-1\"\n"
        )
    };
    std::fs::write(proj.join("bpf.toml"), toml("")).unwrap();
    let build = || run(["build".as_ref(), proj.as_os_str()]);

    let r = build();
    assert_eq!(r.code(), 0, "{}", r.stderr());
    assert!(r.stderr().contains("built summaries"), "{}", r.stderr());
    assert_eq!(
        list_dir(&proj.join("dist")),
        ["manifest.json", "summaries.pdf"]
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(proj.join("dist/manifest.json")).unwrap()).unwrap();
    assert!(manifest.get("check").is_none(), "no [report], no check");
    let roles: Vec<&str> = manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["role"].as_str().unwrap())
        .collect();
    assert_eq!(
        roles.iter().filter(|r| **r == "summaries-report").count(),
        3,
        "{roles:?}"
    );
    assert!(roles.contains(&"summaries-urls"));
    assert_eq!(manifest["outputs"][0]["group"], "summaries");
    if tools(&["pdftotext"]) {
        let text = pdftotext(&proj.join("dist/summaries.pdf"));
        assert!(
            text.contains("Best Practice Forums 2026: the year’s outputs")
                || text.contains("Best Practice Forums 2026: the year's outputs"),
            "{text}"
        );
        assert!(text.contains("BPF GENDER AND DIGITAL RIGHTS"));
        assert!(squash(&text).contains(CYBER_URL) && squash(&text).contains(GENDER_URL));
    }

    // Unchanged: nothing to do. A changed URLs file: the compilation again.
    let r = build();
    assert!(
        r.stderr().contains("up to date: nothing to do"),
        "{}",
        r.stderr()
    );
    std::fs::write(proj.join("urls.csv"), "report,url\n").unwrap();
    let r = build();
    assert!(r.stderr().contains("built summaries"), "{}", r.stderr());

    // A listed report that cannot be read: named, exit 2, the others
    // compiled; the next run tries again.
    std::fs::write(proj.join("bpf.toml"), toml("  \"reports/gone.docx\",\n")).unwrap();
    let r = build();
    assert_eq!(r.code(), 2, "{}", r.stderr());
    assert!(
        r.stderr().lines().any(|l| l.starts_with("error: ")
            && l.contains("gone.docx")
            && l.contains("cannot read file")),
        "{}",
        r.stderr()
    );
    assert!(proj.join("dist/summaries.pdf").exists());
    let r = build();
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("built summaries"), "{}", r.stderr());
}

#[test]
fn a_report_no_font_can_print_is_left_out_by_name_until_a_font_is_given() {
    let dir = scratch("summaries-glyphs");
    let amharic = dir.join("amharic-2026.md");
    std::fs::write(
        &amharic,
        "---\ntitle: \"Local content in Ethiopic script\"\n---\n\n# Key takeaways\n\n\
         - Content in Amharic (ሰላም) is still scarce online and hard to find in search.\n\
         - Community archives need long-term funding to digitise their collections.\n",
    )
    .unwrap();
    let [cyber, ..] = three();
    let (pdf, r) = summaries(&dir, "g.pdf", &[cyber.clone(), amharic.clone()], &[]);
    assert_eq!(r.code(), 2, "{}", r.stderr());
    let err = r.stderr();
    assert!(
        err.lines().any(|l| l.starts_with("error: ")
            && l.contains("amharic-2026.md")
            && l.contains("takeaways contains 'ሰ' (U+1230)")
            && l.ends_with("left out of the compilation")),
        "{err}"
    );
    assert_eq!(
        r.stdout().lines().count(),
        1,
        "the other report is compiled"
    );
    assert!(pdf.exists());

    // With a template folder that brings a font for the script, it prints.
    let templates = dir.join("templates");
    let _ = std::fs::remove_dir_all(&templates);
    for (vpath, text) in bpfpress::render::world::BUILTIN_TEMPLATES {
        let p = templates.join(vpath.trim_start_matches('/'));
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    std::fs::create_dir_all(templates.join("fonts")).unwrap();
    std::fs::copy(
        fixture("fonts/ethiopic/NotoSansEthiopic-Regular.ttf"),
        templates.join("fonts/NotoSansEthiopic-Regular.ttf"),
    )
    .unwrap();
    let (pdf, r) = summaries(
        &dir,
        "g2.pdf",
        &[cyber, amharic],
        &["--template-dir", templates.to_str().unwrap()],
    );
    assert_eq!(r.code(), 0, "{}", r.stderr());
    if tools(&["pdftotext"]) {
        assert!(pdftotext(&pdf).contains("ሰላም"));
    }
}
