//! Cover letters and the press release, rendered with the real engine:
//! the 21 fixture institutions (Latin with accents, Cyrillic, Arabic,
//! Chinese), checked with qpdf and pdftotext; `.eml` attachments
//! byte-identical (Python `email`); a name no font prints is an error;
//! the `letters` command end to end with its exit codes.

mod support;

use bpfpress::letters::{self, Contact, Institution, LetterRenderer, LetterSetup, LettersError};
use bpfpress::mail::{MailText, RunOptions, Status};
use bpfpress::render::{Engine, Paper};
use serde_json::json;
use std::path::PathBuf;
use std::process::Command;
use support::mail::*;
use support::{
    SmtpSink, bin, fixture, list_dir, pdf_pages, pdftotext, python_with, qpdf_check, tools,
};

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
        let text = squash(&pdftotext(&pdf));
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
            bpfpress::mail::Language::En => ("1 December 2020", "Yours sincerely,"),
            bpfpress::mail::Language::Fr => ("1er décembre 2020", "salutations distinguées"),
            bpfpress::mail::Language::Es => ("1 de diciembre de 2020", "Atentamente,"),
        };
        assert!(text.contains(date), "{}: date {date}", r.stem);
        assert!(text.contains(closing), "{}: closing {closing}", r.stem);
    }
    // Names in each script, as extracted from the PDFs, in reading order.
    let by_row = |row: usize| squash(&pdftotext(&letters_dir.join(&names[row - 1])));
    let arabic = by_row(6);
    assert!(arabic.contains(&squash("Dear Dr ليلى حداد,")), "{arabic}");
    // Not in visual (reversed) word order.
    assert!(!arabic.contains(&squash("حداد ليلى")), "{arabic}");
    assert!(by_row(18).contains(&squash("محمد العلي")));
    let chinese = by_row(11);
    assert!(chinese.contains("Dear Mr 王小明,"), "{chinese}");
    assert!(by_row(17).contains("李静"));
    let cyrillic = by_row(2);
    assert!(cyrillic.contains("Dr Олег Петров"), "{cyrillic}");
    assert!(by_row(16).contains("Анна Смирнова"));
    let french = by_row(1);
    assert!(french.contains("Amélie Dubois-Lefèvre"), "{french}");
    assert!(french.contains("Madame la Directrice,"), "{french}");
    // A one-word honorific before the name, a longer form on its own line.
    assert!(by_row(20).contains("Monsieur Jean-Baptiste Koné"));
    assert!(
        french.contains("Amélie Dubois-Lefèvre Madame la Directrice UNESCO"),
        "{french}"
    );
    assert!(by_row(13).contains("Søren Østergård"));
    let spanish = by_row(19);
    assert!(spanish.contains("Lucía Peña Ibáñez"), "{spanish}");

    // Same input, same bytes.
    let again = renderer.letter(&rs.list[5]).unwrap();
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
    let pdf = letters::press_release(&Engine::builtin(), &setup(), &inst, &contact).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("press-release.pdf");
    std::fs::write(&p, &pdf).unwrap();
    qpdf_check(&p);
    let n = pdf_pages(&p);
    assert!((1..=2).contains(&n), "{n} pages");
    let text = squash(&pdftotext(&p));
    assert!(text.contains("publishes its output report"), "{text}");
    assert!(text.contains("to 21 institutions"), "{text}");
    assert!(text.contains("https://www.intgovforum.example.org/bpf-on-bpfs-2020.pdf"));
    assert!(text.contains("Outreach beyond the usual IGF participants"));
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
        &out_dir.join("letters/006-un-economic-and-social-commission-for-western.pdf"),
    ));
    assert!(
        letter.contains("Short summaries travel further."),
        "{letter}"
    );
    assert!(letter.contains("https://example.org/r.pdf"), "{letter}");
    // The draft's title has “quotes” of its own: nested as ‘ ’ in English.
    assert!(letter.contains("a ‘BPF on BPFs’”."), "{letter}");
    assert!(
        letter.contains("Enclosures: output report; key takeaways (two pages)"),
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
    let renderer = LetterRenderer::new(Engine::builtin(), &setup()).unwrap();
    for r in &institutions().list {
        std::fs::write(
            d.join(format!("{}.pdf", r.stem)),
            renderer.letter(r).unwrap(),
        )
        .unwrap();
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
    let pdf = letters::press_release(&Engine::builtin(), &setup(), &inst, &contact).unwrap();
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
    assert!(pr.contains("to 20 institutions"), "{pr}");
    assert!(pr.contains("Asia-Pacific Telecommunity (APT)"));
    assert!(!pr.contains("League of Arab States"), "{pr}");
    // No takeaways sheet given: the letters do not announce one.
    let letter = squash(&pdftotext(
        &out_dir.join("letters/003-un-department-of-economic-and-social-affairs-un.pdf"),
    ));
    assert!(letter.contains("Enclosure: output report"), "{letter}");
    assert!(!letter.contains("two pages"), "{letter}");

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
    std::fs::write(&p, renderer.letter(&r).unwrap()).unwrap();
    assert_eq!(pdf_pages(&p), 1);
    let text = squash(&pdftotext(&p));
    let country = text.find("THAILAND").unwrap();
    let date = text.find("1 December 2020").unwrap();
    assert!(country < date, "{text}");
}
