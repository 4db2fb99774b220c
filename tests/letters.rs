//! Cover letters and the press release, rendered with the real engine:
//! the 21 fixture institutions (Latin with accents, Cyrillic, Arabic,
//! Chinese), checked with qpdf and pdftotext; `.eml` attachments
//! byte-identical (Python `email`); a name no font prints is an error;
//! the `letters` command end to end with its exit codes.

mod support;

use bpfpress::letters::{
    self, Contact, Dissemination, Institution, LetterRenderer, LetterSetup, LettersError,
};
use bpfpress::mail::{Language, MailText, RunOptions, Status};
use bpfpress::render::{Engine, Paper};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::mail::*;
use support::{
    SmtpSink, bin, fixture, list_dir, pdf_pages, pdftotext, python_with, qpdf_check, tools,
};

fn six_languages() -> bpfpress::mail::Recipients {
    bpfpress::mail::recipients::load(
        &fixture("recipients/six-languages.csv"),
        bpfpress::mail::LoadOptions {
            require_email: true,
            skip_invalid: false,
        },
    )
    .unwrap()
}

/// The bullets a build of the example takes from the real report: five
/// long ones, the last with sub-items.
fn real_takeaways() -> Vec<String> {
    let doc: bpfpress::model::Document = serde_json::from_slice(
        &std::fs::read(fixture("render/bpf-on-bpfs-2020.model.json")).unwrap(),
    )
    .unwrap();
    bpfpress::takeaways::select(&doc, None, &[])
        .takeaways
        .iter()
        .map(|i| letters::letter_bullet(&i.text, &i.sub))
        .collect()
}

fn setup() -> LetterSetup {
    let c = campaign();
    LetterSetup {
        bpf_name: c.info.bpf_name,
        report_title: c.info.report_title,
        report_url: c.info.report_url,
        year: Some("2020".into()),
        date: c.date,
        takeaways: vec![
            "BPFs work best with a clear scope agreed early and a realistic timeline.".into(),
            "Outreach beyond the usual IGF participants needs dedicated effort and resources."
                .into(),
            "Output reports gain reach when they come with a short summary of key takeaways."
                .into(),
            "Continuity between years helps BPFs build on earlier work.".into(),
        ],
        signatory_name: c.info.signatory_name,
        signatory_role: c.info.signatory_role,
        paper: Paper::A4,
        takeaways_sheet: true,
        standard: None,
    }
}

/// Collapse whitespace (pdftotext breaks lines where the PDF does) and
/// drop the bidi embedding marks pdftotext puts around right-to-left runs.
/// Within an Arabic word, pdftotext writes the two letters of a ligature
/// glyph (lam + alef maksura in "ليلى") in visual order, so Arabic words are
/// compared as sets of letters; word order is still compared.
fn squash(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            let w: String = w
                .chars()
                .filter(|c| !('\u{202A}'..='\u{202E}').contains(c))
                .collect();
            if w.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
                let mut v: Vec<char> = w.chars().collect();
                v.sort_unstable();
                v.into_iter().collect()
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// pdftotext's bidi marks removed.
fn strip_marks(s: &str) -> String {
    s.chars()
        .filter(|c| !('\u{202A}'..='\u{202E}').contains(c))
        .collect()
}

/// Brackets and Arabic commas removed: on a right-to-left page,
/// pdftotext moves the closing bracket of an English line ("… (ESCWA)")
/// and a line's final "،" to its start; the PDF itself shows them in place
/// (looked at as PNG).
fn no_brackets(s: &str) -> String {
    s.replace(['(', ')', '،'], "")
}

#[test]
fn letters_for_every_fixture_institution_print_every_name() {
    if !tools(&["qpdf", "pdftotext", "pdfinfo"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let renderer = LetterRenderer::new(Engine::builtin(), &setup()).unwrap();
    let rs = institutions();
    let mut o = RunOptions::new(dir.path());
    o.progress = false;
    o.threads = 2;
    let m = campaign().run(&rs, &renderer, &o).unwrap();
    assert_eq!(m.count(Status::Generated), 21, "{:#?}", m.entries);

    let letters_dir = dir.path().join("letters");
    let names = list_dir(&letters_dir);
    assert_eq!(names.len(), 21);
    // Stable, safe names: NNN-slug from the mail stage.
    assert_eq!(
        names[0],
        "001-unesco-communication-and-information-sector.pdf"
    );
    assert_eq!(names[10], "011-asia-pacific-telecommunity-apt.pdf");
    for (n, r) in names.iter().zip(&rs.list) {
        assert_eq!(n, &format!("{}.pdf", r.stem));
    }

    for r in &rs.list {
        let pdf = letters_dir.join(format!("{}.pdf", r.stem));
        qpdf_check(&pdf);
        assert_eq!(pdf_pages(&pdf), 1, "{} is not one page", r.stem);
        let raw = strip_marks(&pdftotext(&pdf));
        let text = no_brackets(&squash(&raw));
        let squash = |s: &str| no_brackets(&squash(s));
        assert!(
            text.contains(&squash(&r.salutation)),
            "{}: salutation {:?} not in\n{text}",
            r.stem,
            r.salutation
        );
        assert!(
            text.contains(&squash(&r.organisation)),
            "{}: organisation",
            r.stem
        );
        if let Some(n) = &r.contact_name {
            assert!(
                text.contains(&squash(n)),
                "{}: name {n:?} not in\n{text}",
                r.stem
            );
        }
        for a in &r.address {
            assert!(text.contains(&squash(a)), "{}: address {a:?}", r.stem);
        }
        assert!(
            text.contains("BPF on BPFs: Output Report 2020"),
            "{}",
            r.stem
        );
        assert!(text.contains("https://www.intgovforum.example.org/bpf-on-bpfs-2020.pdf"));
        assert!(text.contains("Zoë Ångström"), "{}: signatory", r.stem);
        assert!(text.contains("Outreach beyond the usual IGF participants"));
        let (date, closing) = match r.language {
            Language::En => ("1 December 2020", "Yours sincerely,"),
            Language::Fr => ("1er décembre 2020", "salutations distinguées"),
            Language::Es => ("1 de diciembre de 2020", "Atentamente,"),
            Language::Ru => ("1 декабря 2020 года", "С уважением,"),
            Language::Zh => ("2020年12月1日", "此致"),
            Language::Ar => ("كانون الأول/ديسمبر 2020", "والتقدير"),
        };
        // typst spaces Western digits from Chinese characters.
        assert!(
            raw.replace(' ', "").contains(&date.replace(' ', "")),
            "{}: date {date}",
            r.stem
        );
        assert!(raw.contains(closing), "{}: closing {closing}", r.stem);
    }
    // Names in each script, as extracted from the PDFs, in reading order.
    let by_row = |row: usize| squash(&pdftotext(&letters_dir.join(&names[row - 1])));
    let arabic = by_row(6);
    // An Arabic letter: title and family name, Arabic salutation.
    assert!(
        arabic.contains(&squash("الدكتورة حداد المحترمة،")),
        "{arabic}"
    );
    assert!(arabic.contains(&squash("الدكتورة ليلى حداد")), "{arabic}");
    // Not in visual (reversed) word order.
    assert!(!arabic.contains(&squash("حداد ليلى")), "{arabic}");
    assert!(by_row(18).contains(&squash("السيد العلي المحترم،")));
    let chinese = by_row(11);
    // Title with the family name, in every language.
    assert!(chinese.contains("Dear Mr 王,"), "{chinese}");
    assert!(by_row(17).contains("尊敬的李博士："), "{}", by_row(17));
    assert!(by_row(17).contains("李静博士"), "{}", by_row(17));
    let cyrillic = by_row(2);
    assert!(cyrillic.contains("Dear Dr Петров,"), "{cyrillic}");
    assert!(!cyrillic.contains("Dear Dr Олег Петров"), "{cyrillic}");
    assert!(cyrillic.contains("Dr Олег Петров"), "{cyrillic}");
    assert!(by_row(16).contains("Уважаемая госпожа Смирнова!"));
    let french = by_row(1);
    assert!(french.contains("Amélie Dubois-Lefèvre"), "{french}");
    assert!(french.contains("Madame la Directrice,"), "{french}");
    // A one-word honorific before the name, a longer form on its own line.
    assert!(by_row(20).contains("Monsieur Jean-Baptiste Koné"));
    assert!(
        french.contains("Amélie Dubois-Lefèvre Madame la Directrice UNESCO"),
        "{french}"
    );
    assert!(by_row(13).contains("Dear Mr Østergård,"));
    let spanish = by_row(19);
    assert!(spanish.contains("Lucía Peña Ibáñez"), "{spanish}");
    // A custom salutation keeps its words and gets its comma.
    assert!(by_row(12).contains("Dear Colleagues,"), "{}", by_row(12));

    // Same input, same bytes.
    let again = renderer.letter(&rs.list[5]).unwrap().pdf;
    assert_eq!(
        again,
        std::fs::read(letters_dir.join(format!("{}.pdf", rs.list[5].stem))).unwrap()
    );
}

#[test]
fn eml_attach_the_rendered_letter_byte_identical() {
    if !python_with("email") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let renderer = LetterRenderer::new(Engine::builtin(), &setup()).unwrap();
    let rs = institutions();
    // A few recipients, one per script, are enough here.
    let mut some = rs.clone();
    some.list = [0usize, 1, 4, 5, 10]
        .iter()
        .map(|&i| rs.list[i].clone())
        .collect();
    let mut o = RunOptions::new(dir.path());
    o.progress = false;
    o.threads = 2;
    let c = campaign();
    let m = c.run(&some, &renderer, &o).unwrap();
    assert_eq!(m.count(Status::Generated), 5);
    let mut spec = Vec::new();
    for (e, r) in m.entries.iter().zip(&some.list) {
        let (subject, _) = c.render_text(r);
        spec.push(json!({
            "eml": dir.path().join(e.eml.as_ref().unwrap()),
            "from": ["Secrétariat du FGI – IGF Secretariat", "igf-bpf@secretariat.example.org"],
            "to": [r.display_name(), r.email.as_ref().unwrap()],
            "subject": subject,
            "message_id": e.message_id.as_ref().unwrap(),
            "text_contains": [r.salutation.as_str()],
            "html_contains": [],
            "attachments": [
                [MailText::letter_filename(r.language), "application/pdf", dir.path().join(e.letter.as_ref().unwrap())],
                ["bpf-on-bpfs-2020-report.pdf", "application/pdf", fixture(REPORT)],
                ["key-takeaways.pdf", "application/pdf", fixture(TAKEAWAYS)],
            ],
        }));
    }
    assert_eq!(check_eml(&json!(spec), dir.path()), "ok 5");
}

#[test]
fn a_name_no_font_prints_is_an_error_naming_recipient_and_character() {
    let renderer = LetterRenderer::new(Engine::builtin(), &setup()).unwrap();
    let mut r = institutions().list[6].clone(); // UNECA, Addis Ababa
    r.contact_name = Some("አበበ ቢቂላ".into()); // Ethiopic: no bundled font covers it
    let err = renderer.letter(&r).unwrap_err();
    assert!(
        matches!(err, LettersError::MissingGlyph { ch: 'አ', .. }),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("row 7 (UN Economic Commission for Africa (UNECA))"),
        "{msg}"
    );
    assert!(msg.contains("contact_name"), "{msg}");
    assert!(msg.contains("U+12A0"), "{msg}");
    assert!(msg.contains("--font-dir"), "{msg}");
    // Shared text is checked too.
    let mut s = setup();
    s.signatory_name = "ⰀⰁ".into(); // Glagolitic
    assert!(matches!(
        LetterRenderer::new(Engine::builtin(), &s),
        Err(LettersError::MissingGlyph { .. })
    ));
}

#[test]
fn press_release_lists_the_institutions() {
    if !tools(&["qpdf", "pdftotext", "pdfinfo"]) {
        return;
    }
    let rs = institutions();
    let inst: Vec<Institution> = rs
        .list
        .iter()
        .map(|r| Institution {
            organisation: r.organisation.clone(),
            country: r.country.clone(),
        })
        .collect();
    let contact = Contact {
        name: "Zoë Ångström".into(),
        role: "BPF coordinator".into(),
        email: Some("igf-bpf@secretariat.example.org".into()),
    };
    // The example's five long takeaways and its 21 institutions: one page.
    let mut su = setup();
    su.takeaways = real_takeaways();
    let dir = tempfile::tempdir().unwrap();
    let make = |inst: &[Institution], how: Dissemination, name: &str| {
        let pdf = letters::press_release(&Engine::builtin(), &su, inst, how, &contact).unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, &pdf).unwrap();
        qpdf_check(&p);
        p
    };
    let p = make(&inst, Dissemination::Sent, "sent.pdf");
    assert_eq!(pdf_pages(&p), 1, "a typical list fits one page");
    let text = squash(&pdftotext(&p));
    assert!(text.contains("publishes its output report"), "{text}");
    assert!(
        text.contains("has sent the report, with a cover letter and a summary of its key takeaways, to the 21 institutions"),
        "{text}"
    );
    assert!(text.contains("Sent to"), "{text}");
    // Before sending: the institutions it is being sent to.
    let before = squash(&pdftotext(&make(
        &inst,
        Dissemination::Sending,
        "before.pdf",
    )));
    assert!(before.contains("is sending the report"), "{before}");
    assert!(before.contains("Being sent to"), "{before}");
    assert!(!before.contains("has sent"), "{before}");
    // Nobody: no mailing is mentioned, never "sent to 0 institutions".
    let none = squash(&pdftotext(&make(&[], Dissemination::Sent, "none.pdf")));
    assert!(!none.contains("institutions"), "{none}");
    assert!(!none.contains("Sent to"), "{none}");
    assert!(none.contains("publishes its output report"), "{none}");
    // One institution is one, not "1 institutions".
    let one = squash(&pdftotext(&make(
        &inst[..1],
        Dissemination::Sent,
        "one.pdf",
    )));
    assert!(one.contains("to the 1 institution listed below"), "{one}");
    // A long list continues on page 2 rather than being cut.
    let many: Vec<Institution> = (0..150)
        .map(|i| Institution {
            organisation: format!("National Regulatory Authority number {i}"),
            country: Some("Exampleland".into()),
        })
        .collect();
    let long = make(&many, Dissemination::Sent, "long.pdf");
    assert_eq!(pdf_pages(&long), 2);
    assert!(squash(&pdftotext(&long)).contains("National Regulatory Authority number 149"));
    assert!(text.contains("https://www.intgovforum.example.org/bpf-on-bpfs-2020.pdf"));
    assert!(
        text.contains("allowed to formulate concrete suggestions"),
        "{text}"
    );
    assert!(text.contains("igf-bpf@secretariat.example.org"));
    for r in &rs.list {
        assert!(
            text.contains(&squash(&r.organisation)),
            "press release misses {:?}",
            r.organisation
        );
    }
}

#[test]
fn letters_command_dry_run_and_exit_codes() {
    if !tools(&["qpdf", "pdftotext"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let takeaways = dir.path().join("takeaways.txt");
    std::fs::write(
        &takeaways,
        "- Scope agreed early makes a BPF work.\n- Outreach needs resources.\n- Short summaries travel further.\n",
    )
    .unwrap();
    let run = |extra: &[&str]| {
        Command::new(bin())
            .arg("letters")
            .arg(fixture("render/bpf-on-bpfs-2020.model.json"))
            .arg("--recipients")
            .arg(fixture("recipients/institutions.csv"))
            .arg("-o")
            .arg(&out_dir)
            .args(["--report-pdf"])
            .arg(fixture(REPORT))
            .args(["--takeaways-pdf"])
            .arg(fixture(TAKEAWAYS))
            .arg("--takeaways")
            .arg(&takeaways)
            .args([
                "--report-url",
                "https://example.org/r.pdf",
                "--date",
                "2020-12-01",
            ])
            .args([
                "--signatory-name",
                "Zoë Ångström",
                "--signatory-role",
                "BPF coordinator",
            ])
            .args([
                "--from",
                "IGF Secretariat <igf-bpf@secretariat.example.org>",
            ])
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&["--eml", "--press-release"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    assert_eq!(list_dir(&out_dir.join("letters")).len(), 21);
    assert_eq!(list_dir(&out_dir.join("mail")).len(), 21);
    assert!(out_dir.join("mailing.csv").exists());
    let pr = out_dir.join("press-release.pdf");
    qpdf_check(&pr);
    let text = squash(&pdftotext(&pr));
    assert!(text.contains("Outreach needs resources."), "{text}");
    assert!(text.contains("Asia-Pacific Telecommunity (APT)"), "{text}");
    let letter = squash(&pdftotext(
        &out_dir.join("letters/003-un-department-of-economic-and-social-affairs-un.pdf"),
    ));
    assert!(
        letter.contains("Short summaries travel further."),
        "{letter}"
    );
    assert!(letter.contains("https://example.org/r.pdf"), "{letter}");
    // The draft's title has “quotes” of its own: nested as ‘ ’ in English.
    assert!(letter.contains("a ‘BPF on BPFs’”."), "{letter}");
    assert!(
        letter.contains("Enclosures: output report; key takeaways"),
        "{letter}"
    );

    // A recipients file with a name no font prints: exit 2, nothing made.
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "organisation,contact_name,email\nAU,አበበ ቢቂላ,a@au.example.org\n",
    )
    .unwrap();
    let out2 = dir.path().join("out2");
    let o = Command::new(bin())
        .arg("letters")
        .arg(fixture("render/bpf-on-bpfs-2020.model.json"))
        .arg("--recipients")
        .arg(&bad)
        .arg("-o")
        .arg(&out2)
        .args(["--report-url", "https://example.org/r.pdf"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("row 1 (AU)") && err.contains("U+12A0"),
        "{err}"
    );
    assert!(!out2.join("letters").exists());

    // The same file with --font-dir holding a font for the script: the
    // name prints (Noto Sans Ethiopic, committed as a test fixture).
    let o = Command::new(bin())
        .arg("letters")
        .arg(fixture("render/bpf-on-bpfs-2020.model.json"))
        .arg("--recipients")
        .arg(&bad)
        .arg("-o")
        .arg(&out2)
        .args(["--report-url", "https://example.org/r.pdf"])
        .arg("--font-dir")
        .arg(fixture("fonts/ethiopic"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    let letter = pdftotext(&out2.join("letters/001-au.pdf"));
    assert!(letter.contains("አበበ ቢቂላ"), "{letter}");

    // A font folder with a file that is no font: a clear error.
    let fonts = dir.path().join("fonts");
    std::fs::create_dir_all(&fonts).unwrap();
    std::fs::write(fonts.join("broken.ttf"), b"not a font").unwrap();
    let o = Command::new(bin())
        .arg("letters")
        .arg(fixture("render/bpf-on-bpfs-2020.model.json"))
        .arg("--recipients")
        .arg(fixture("recipients/institutions.csv"))
        .arg("-o")
        .arg(dir.path().join("out3"))
        .args(["--report-url", "https://example.org/r.pdf"])
        .arg("--font-dir")
        .arg(&fonts)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("broken.ttf is not a readable font file"),
        "{err}"
    );

    // Invalid recipients (validation from the mail stage): exit 2.
    let o = Command::new(bin())
        .arg("letters")
        .arg(fixture("render/bpf-on-bpfs-2020.model.json"))
        .arg("--recipients")
        .arg(fixture("recipients/bad/problems.csv"))
        .arg("-o")
        .arg(&out2)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));

    // A missing report file: exit 2.
    let o = Command::new(bin())
        .args(["letters", "/nonexistent/report.md", "--recipients"])
        .arg(fixture("recipients/institutions.csv"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));

    // --help shows an example.
    let o = Command::new(bin())
        .args(["letters", "--help"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("Example"));
}

/// Not a check: writes every fixture letter and the press release into
/// $LETTERS_LOOK (default target/tmp/letters-look) to look at them, e.g.
/// `cargo test --test letters look -- --ignored` then `pdftoppm -png -r 60`.
#[test]
#[ignore]
fn look() {
    let d = std::env::var_os("LETTERS_LOOK")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("letters-look"));
    std::fs::create_dir_all(&d).unwrap();
    let mut s = setup();
    if std::env::var_os("LETTERS_LOOK_REAL").is_some() {
        s.takeaways = real_takeaways();
    }
    let renderer = LetterRenderer::new(Engine::builtin(), &s).unwrap();
    for r in institutions().list.iter().chain(&six_languages().list) {
        let l = renderer.letter(r).unwrap();
        eprintln!(
            "{}: fit step {}, {} takeaways, {} compile(s)",
            r.stem, l.fit_step, l.takeaways, l.compiles
        );
        std::fs::write(d.join(format!("{}.pdf", r.stem)), l.pdf).unwrap();
    }
    let inst: Vec<Institution> = institutions()
        .list
        .iter()
        .map(|r| Institution {
            organisation: r.organisation.clone(),
            country: r.country.clone(),
        })
        .collect();
    let contact = Contact {
        name: "Zoë Ångström".into(),
        role: "BPF coordinator".into(),
        email: Some("igf-bpf@secretariat.example.org".into()),
    };
    let pdf = letters::press_release(
        &Engine::builtin(),
        &s,
        &inst,
        letters::Dissemination::Sent,
        &contact,
    )
    .unwrap();
    std::fs::write(d.join("press-release.pdf"), pdf).unwrap();
}

/// `letters --send` against a real SMTP server (aiosmtpd on 127.0.0.1):
/// every recipient receives one message with the rendered letter; a second
/// run sends nothing; the press release lists the institutions sent to.
#[test]
fn letters_command_sends_once_and_the_press_release_lists_the_sent() {
    if !tools(&["pdftotext"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // One refused recipient: failed, exit 1, not in the press release.
    let Some(sink) = SmtpSink::start(
        &dir.path().join("sink"),
        &["--reject", "ict@arableague.example.org"],
    ) else {
        return;
    };
    let port = sink.port;
    let out_dir = dir.path().join("out");
    let run = || {
        Command::new(bin())
            .arg("letters")
            .arg(fixture("render/bpf-on-bpfs-2020.model.json"))
            .arg("--recipients")
            .arg(fixture("recipients/institutions.csv"))
            .arg("-o")
            .arg(&out_dir)
            .arg("--report-pdf")
            .arg(fixture(REPORT))
            .args([
                "--report-url",
                "https://example.org/r.pdf",
                "--date",
                "2020-12-01",
            ])
            .args([
                "--from",
                "IGF Secretariat <igf-bpf@secretariat.example.org>",
            ])
            .args(["--send", "--press-release", "--smtp-tls", "none", "--smtp"])
            .arg(format!("127.0.0.1:{port}"))
            .output()
            .unwrap()
    };
    let o = run();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("21 recipients: 20 sent, 1 failed"), "{err}");
    assert_eq!(sink.count(), 20);
    let pr = squash(&pdftotext(&out_dir.join("press-release.pdf")));
    assert!(pr.contains("has sent the report"), "{pr}");
    assert!(pr.contains("to the 20 institutions"), "{pr}");
    assert!(pr.contains("Asia-Pacific Telecommunity (APT)"));
    assert!(!pr.contains("League of Arab States"), "{pr}");
    // No takeaways sheet given: the letters do not announce one.
    let letter = squash(&pdftotext(
        &out_dir.join("letters/003-un-department-of-economic-and-social-affairs-un.pdf"),
    ));
    assert!(letter.contains("Enclosure: output report"), "{letter}");
    assert!(!letter.contains("Enclosures"), "{letter}");

    // Re-run: nothing is sent twice.
    let o = run();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("20 sent"), "{err}");
    assert_eq!(sink.count(), 20, "a re-run sent again");
}

/// Defaults from the project file: BPF name, report URL, signatory,
/// recipients, output folder and sender.
#[test]
fn letters_command_takes_defaults_from_the_project_file() {
    if !tools(&["pdftotext"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("recipients/institutions.csv"),
        dir.path().join("institutions.csv"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bpf.toml"),
        r#"[bpf]
name = "IGF Best Practice Forum on Best Practice Forums"
year = 2020

[report]
path = "report.json"
url = "https://www.intgovforum.example.org/final.pdf"

[signatory]
name = "Wim Degezelle"
role = "IGF consultant, BPF on BPFs"

[recipients]
file = "institutions.csv"

[smtp]
host = "smtp.example.org"
from = "IGF Secretariat <igf@example.org>"
"#,
    )
    .unwrap();
    let o = Command::new(bin())
        .arg("letters")
        .arg(fixture("render/bpf-on-bpfs-2020.model.json"))
        .arg("--project")
        .arg(dir.path().join("bpf.toml"))
        .args(["--eml", "--report-pdf"])
        .arg(fixture(REPORT))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    let out = dir.path().join("dist");
    assert_eq!(list_dir(&out.join("mail")).len(), 21);
    let letter = squash(&pdftotext(
        &out.join("letters/014-commonwealth-telecommunications-organisation.pdf"),
    ));
    assert!(letter.contains("Priya Raghunathan"), "{letter}");
    assert!(
        letter.contains("Wim Degezelle IGF consultant, BPF on BPFs"),
        "{letter}"
    );
    assert!(
        letter.contains("https://www.intgovforum.example.org/final.pdf"),
        "{letter}"
    );
    assert!(letter.contains("on behalf of the IGF Best Practice Forum on Best Practice Forums"));
    let eml = std::fs::read_to_string(
        out.join("mail/014-commonwealth-telecommunications-organisation.eml"),
    )
    .unwrap();
    assert!(
        eml.contains("From: \"IGF Secretariat\" <igf@example.org>"),
        "{}",
        &eml[..400]
    );
}

/// A long address grows the recipient block instead of running into the
/// date; the letter stays one page.
#[test]
fn a_long_address_pushes_the_body_down() {
    if !tools(&["pdftotext", "pdfinfo"]) {
        return;
    }
    let renderer = LetterRenderer::new(Engine::builtin(), &setup()).unwrap();
    let mut r = institutions().list[2].clone();
    r.organisation = "United Nations Economic and Social Commission for Asia and the Pacific – \
                      Information and Communications Technology and Disaster Risk Reduction Division"
        .into();
    r.address = vec![
        "United Nations Building, Rajadamnern Nok Avenue".into(),
        "Pra Nakorn, Bangkok 10200, through the ICT Section, third floor, room 3127".into(),
        "A third line of delivery notes".into(),
    ];
    r.country = Some("Thailand".into());
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("long.pdf");
    std::fs::write(&p, renderer.letter(&r).unwrap().pdf).unwrap();
    assert_eq!(pdf_pages(&p), 1);
    let text = squash(&pdftotext(&p));
    let country = text.find("THAILAND").unwrap();
    let date = text.find("1 December 2020").unwrap();
    assert!(country < date, "{text}");
}

/// The phrase of the opening paragraph that shows a letter is written in
/// its recipient's language, and the Forum's name as the UN writes it.
fn language_marks(lang: Language) -> (&'static str, &'static str) {
    match lang {
        Language::En => ("is pleased to send you", "INTERNET GOVERNANCE FORUM"),
        Language::Fr => (
            "a le plaisir de vous transmettre",
            "FORUM SUR LA GOUVERNANCE DE L’INTERNET",
        ),
        Language::Es => (
            "tiene el agrado de enviarle",
            "FORO PARA LA GOBERNANZA DE INTERNET",
        ),
        Language::Ru => (
            "имеет честь направить Вам",
            "ФОРУМ ПО ВОПРОСАМ УПРАВЛЕНИЯ ИНТЕРНЕТОМ",
        ),
        Language::Zh => ("谨代表", "互联网治理论坛"),
        Language::Ar => ("تجمع منتديات أفضل الممارسات خبرات الحكومات", "منتدى إدارة"),
    }
}

/// One page in each of the six UN languages, with long names,
/// organisations and three-line addresses in their own scripts, and the
/// five long takeaways (one with sub-items) a build of the example quotes;
/// the body, salutation, date and letterhead in the recipient's language.
#[test]
fn one_page_in_each_of_the_six_languages_with_long_names() {
    if !tools(&["pdftotext", "pdfinfo", "qpdf"]) {
        return;
    }
    let mut s = setup();
    s.takeaways = real_takeaways();
    assert!(s.takeaways.len() >= 4, "{:?}", s.takeaways);
    let renderer = LetterRenderer::new(Engine::builtin(), &s).unwrap();
    let rs = six_languages();
    let langs: Vec<Language> = rs.list.iter().map(|r| r.language).collect();
    assert_eq!(langs, Language::ALL.to_vec());
    let dir = tempfile::tempdir().unwrap();
    for r in &rs.list {
        let l = renderer.letter(r).unwrap();
        let p = dir.path().join(format!("{}.pdf", r.stem));
        std::fs::write(&p, &l.pdf).unwrap();
        qpdf_check(&p);
        assert_eq!(pdf_pages(&p), 1, "{} ({:?})", r.stem, r.language);
        let raw = strip_marks(&pdftotext(&p));
        let text = no_brackets(&squash(&raw));
        let (opening, forum) = language_marks(r.language);
        // Arabic lines come out of pdftotext in visual order; for them,
        // every word of the needle in the text is enough.
        let words = |s: &str| -> Vec<String> {
            // Digits apart from letters: pdftotext glues "1" to "الأول".
            let mut spaced = String::new();
            let mut prev_digit = None;
            for c in s.chars() {
                let d = c.is_ascii_digit();
                if prev_digit.is_some_and(|p| p != d) {
                    spaced.push(' ');
                }
                prev_digit = Some(d);
                spaced.push(if c == '/' { ' ' } else { c });
            }
            no_brackets(&squash(&spaced))
                .split([' ', '/'])
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let all_words = words(&raw);
        let glued: String = raw.split_whitespace().collect();
        let has = |needle: &str| {
            raw.contains(needle)
                || raw.replace(' ', "").contains(&needle.replace(' ', ""))
                || text.contains(&no_brackets(&squash(needle)))
                || (r.language == Language::Ar
                    && needle
                        .split([' ', '/', '،', '(', ')'])
                        .filter(|w| !w.is_empty())
                        .all(|w| {
                            glued.contains(w) || words(w).iter().all(|x| all_words.contains(x))
                        }))
        };
        assert!(
            has(opening),
            "{}: body not in {:?}:\n{raw}",
            r.stem,
            r.language
        );
        assert!(has(forum), "{}: letterhead {forum:?}:\n{raw}", r.stem);
        assert!(
            has(&r.salutation),
            "{}: salutation {:?}",
            r.stem,
            r.salutation
        );
        assert!(
            has(&letters::long_date(s.date, r.language)),
            "{}: date",
            r.stem
        );
        for a in &r.address {
            let missing: Vec<String> = words(a)
                .into_iter()
                .filter(|w| !all_words.contains(w))
                .collect();
            assert!(
                has(a),
                "{}: address line {a:?} ({missing:?}):\n{raw}",
                r.stem
            );
        }
        // No other language's opening slipped in.
        for other in Language::ALL.into_iter().filter(|&o| o != r.language) {
            assert!(
                !raw.contains(language_marks(other).0),
                "{}: {:?} text in a {:?} letter",
                r.stem,
                other,
                r.language
            );
        }
    }
    // The salutations of the fixture, language by language.
    let sal: Vec<&str> = rs.list.iter().map(|r| r.salutation.as_str()).collect();
    assert_eq!(
        sal,
        [
            "السيدة الحداد المحترمة،",
            "尊敬的欧阳博士：",
            "Dear Dr Okafor-Adeyemi,",
            "Madame la Directrice générale adjointe,",
            "Уважаемая госпожа Смирнова-Кузнецова!",
            "Estimada Sra. Fernández Núñez:",
        ]
    );
}

/// Lines of the letter as pdftotext lays them out: (yMin, yMax, text).
fn text_lines(pdf: &Path) -> Vec<(f64, f64, String)> {
    let out = Command::new("pdftotext")
        .args(["-bbox-layout", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let xml = String::from_utf8_lossy(&out.stdout).into_owned();
    let attr = |tag: &str, name: &str| -> f64 {
        let k = format!("{name}=\"");
        let i = tag.find(&k).unwrap() + k.len();
        tag[i..i + tag[i..].find('"').unwrap()].parse().unwrap()
    };
    let mut lines = Vec::new();
    for chunk in xml.split("<line ").skip(1) {
        let tag = &chunk[..chunk.find('>').unwrap()];
        let body = &chunk[..chunk.find("</line>").unwrap()];
        let words: Vec<&str> = body
            .split("<word ")
            .skip(1)
            .filter_map(|w| Some(w.split_once('>')?.1.split_once("</word>")?.0))
            .collect();
        lines.push((attr(tag, "yMin"), attr(tag, "yMax"), words.join(" ")));
    }
    lines
}

/// A multi-line Arabic address: every line below the one before it, none
/// overlapping (Arabic letters are taller than Latin ones).
#[test]
fn a_multi_line_arabic_address_does_not_overlap() {
    if !tools(&["pdftotext"]) {
        return;
    }
    let renderer = LetterRenderer::new(Engine::builtin(), &setup()).unwrap();
    let r = six_languages().list[0].clone();
    assert_eq!(r.language, Language::Ar);
    assert_eq!(r.address.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ar.pdf");
    std::fs::write(&p, renderer.letter(&r).unwrap().pdf).unwrap();
    let lines = text_lines(&p);
    // The recipient block: the lines from the name down to the country.
    // bbox output lists a line's words in visual order: compare the words
    // as a set.
    let words = |s: &str| {
        let mut w: Vec<String> = squash(&strip_marks(s))
            .split(' ')
            .map(str::to_owned)
            .collect();
        w.sort();
        w
    };
    let find = |needle: &str| {
        lines
            .iter()
            .position(|(_, _, t)| words(t) == words(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in {lines:#?}"))
    };
    let first = find("السيدة ليلى عبد الرحمن الحداد");
    let last = find("لبنان");
    assert!(last >= first + 3, "{lines:#?}");
    for w in lines[first..=last + 1].windows(2) {
        let ((_, bottom, a), (top, _, b)) = (&w[0], &w[1]);
        assert!(
            top >= bottom,
            "{a:?} (bottom {bottom}) overlaps {b:?} (top {top})"
        );
    }
}

/// A letter too long for one page is fitted: spacing, then type size,
/// then fewer quoted takeaways with a warning naming the letter; never a
/// second page.
#[test]
fn an_overlong_letter_is_fitted_and_names_what_it_left_out() {
    if !tools(&["pdfinfo"]) {
        return;
    }
    let mut s = setup();
    // Five takeaways of ~110 words each: too long for one page at any size.
    let long = "Outreach beyond the usual IGF participants needs dedicated effort, \
                resources and a plan agreed early with the MAG, the Secretariat and \
                the facilitators of every Best Practice Forum. "
        .repeat(4);
    s.takeaways = (1..=5).map(|i| format!("{i}. {long}")).collect();
    let renderer = LetterRenderer::new(Engine::builtin(), &s).unwrap();
    let r = six_languages().list[3].clone(); // French, long form of address
    let l = renderer.letter(&r).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("fr.pdf");
    std::fs::write(&p, &l.pdf).unwrap();
    assert_eq!(pdf_pages(&p), 1);
    assert_eq!(l.fit_step, letters::FIT_STEPS.len() - 1);
    assert!(l.takeaways < 5, "{}", l.takeaways);
    assert_eq!(l.warnings.len(), 1, "{:?}", l.warnings);
    let w = &l.warnings[0];
    assert!(w.contains(&format!("letters/{}.pdf", r.stem)), "{w}");
    assert!(
        w.contains(&format!("quotes {} of 5 takeaways", l.takeaways)),
        "{w}"
    );
    // The short fixture letters fit as designed, in one compile.
    let plain = renderer_for_short().letter(&r).unwrap();
    assert_eq!((plain.fit_step, plain.compiles), (0, 1));
    assert!(plain.warnings.is_empty());
}

fn renderer_for_short() -> LetterRenderer {
    LetterRenderer::new(Engine::builtin(), &setup()).unwrap()
}
