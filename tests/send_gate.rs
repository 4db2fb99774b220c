//! Nothing unfinished goes out (`src/readiness.rs`), end to end: `build
//! --send` and `letters --send` refuse before contacting any server — a
//! real SMTP server on 127.0.0.1 receives nothing and no send log is
//! written — when the check has error findings, the signatory or the
//! recipients are `init`'s samples, or the report URL is generic; each
//! reason is named; `--force` sends. `init` takes title and year from the
//! draft and invents no meeting date.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::mail::REPORT;
use support::{SmtpSink, fixture};

const BIN: &str = env!("CARGO_BIN_EXE_bpfpress");

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `bpfpress init` on a copy of the real draft; the project points its
/// [smtp] at the local server.
fn init_project(tmp: &Path, port: u16) -> PathBuf {
    let proj = tmp.join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    std::fs::copy(
        fixture("report/bpf-on-bpfs-2020.pandoc.docx"),
        proj.join("draft.docx"),
    )
    .unwrap();
    let o = Command::new(BIN)
        .args(["init"])
        .arg(&proj)
        .args(["--report", "draft.docx"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let toml = std::fs::read_to_string(proj.join("bpf.toml")).unwrap();
    let toml = toml
        .replace("host = \"smtp.example.org\"", "host = \"127.0.0.1\"")
        .replace("port = 587", &format!("port = {port}"))
        .replace("tls = \"starttls\"", "tls = \"none\"")
        .replace("user = \"bpf@example.org\"\n", "")
        .replace("templates = \"templates\"", "# templates = \"templates\"");
    std::fs::write(proj.join("bpf.toml"), toml).unwrap();
    proj
}

fn build(proj: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("build")
        .arg(proj)
        .args(["--date", "2020-12-01"])
        .args(args)
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .unwrap()
}

#[test]
fn init_takes_title_and_year_from_the_draft_and_invents_no_meeting_date() {
    let tmp = tempfile::tempdir().unwrap();
    let proj = init_project(tmp.path(), 25);
    let toml = std::fs::read_to_string(proj.join("bpf.toml")).unwrap();
    assert!(toml.contains("name = \"BPF on BPFs\""), "{toml}");
    assert!(toml.contains("year = 2020"), "{toml}");
    assert!(
        toml.contains("Reviewing past Best Practice Forums (BPF) to enhance future BPF work"),
        "{toml}"
    );
    assert!(
        !toml
            .lines()
            .any(|l| l.trim_start().starts_with("meeting_date")),
        "a meeting date was invented:\n{toml}"
    );
    // So the check does not call the draft late.
    let o = build(&proj, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    let check = std::fs::read_to_string(proj.join("dist/check.json")).unwrap();
    assert!(!check.contains("public-comment-deadline"), "{check}");
    assert!(!check.contains("days late"), "{check}");
    // Without --send: the reasons not to send are warnings.
    let err = stderr(&o);
    assert!(err.contains("not ready to send"), "{err}");
    assert!(err.contains("\"Your Name\""), "{err}");
}

#[test]
fn build_send_refuses_samples_and_generic_url_before_any_server_and_force_sends() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(sink) = SmtpSink::start(&tmp.path().join("sink"), &[]) else {
        return;
    };
    let proj = init_project(tmp.path(), sink.port);

    let o = build(&proj, &["--send"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(
        err.contains("not sending: 3 reason(s); nothing was sent"),
        "{err}"
    );
    assert!(
        err.contains("\"Your Name\", bpfpress init's sample signatory"),
        "{err}"
    );
    assert!(
        err.contains("row 1 (Example Ministry of Digital Affairs), row 2 (Exemple d'institution)"),
        "{err}"
    );
    assert!(
        err.contains("\"https://www.intgovforum.org/\" is a generic address"),
        "{err}"
    );
    assert!(err.contains("--force"), "{err}");
    assert_eq!(sink.count(), 0, "a server was contacted");
    assert!(!proj.join("dist/send-log.jsonl").exists());
    assert!(
        !proj.join("dist/mail").exists(),
        "nothing is made for a refused send"
    );

    // Fixed: real signatory, URL and recipients; the send goes out.
    let toml = std::fs::read_to_string(proj.join("bpf.toml"))
        .unwrap()
        .replace("name = \"Your Name\"", "name = \"Wim Degezelle\"")
        .replace(
            "url = \"https://www.intgovforum.org/\"",
            "url = \"https://www.intgovforum.org/multilingual/content/bpf-on-bpfs\"",
        );
    std::fs::write(proj.join("bpf.toml"), toml).unwrap();
    std::fs::write(
        proj.join("recipients.csv"),
        "organisation,contact_name,contact_title,email,language\n\
         UN DESA,Ngozi Okafor-Adeyemi,Ms,n.okafor@desa.example.org,en\n",
    )
    .unwrap();
    let o = build(&proj, &["--send"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(sink.count(), 1);

    // --force sends despite a reason (the sample signatory again).
    let toml = std::fs::read_to_string(proj.join("bpf.toml"))
        .unwrap()
        .replace("name = \"Wim Degezelle\"", "name = \"Your Name\"");
    std::fs::write(proj.join("bpf.toml"), toml).unwrap();
    std::fs::write(
        proj.join("recipients.csv"),
        "organisation,contact_name,contact_title,email,language\n\
         UN DESA,Ngozi Okafor-Adeyemi,Ms,n.okafor@desa.example.org,en\n\
         ITU,Олег Петров,Dr,o.petrov@itu.example.org,ru\n",
    )
    .unwrap();
    let o = build(&proj, &["--send"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(sink.count(), 1);
    let o = build(&proj, &["--send", "--force"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("sending anyway: --force"), "{err}");
    assert_eq!(sink.count(), 2, "only the new recipient; never twice");
}

/// A draft with a placeholder and a reviewer's comment: `letters --send`
/// names both and sends nothing; with --force it sends.
#[test]
fn letters_send_refuses_an_unfinished_draft() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(sink) = SmtpSink::start(&tmp.path().join("sink"), &[]) else {
        return;
    };
    let draft = tmp.path().join("draft.md");
    std::fs::write(
        &draft,
        "---\ntitle: Output report of the BPF on Testing\ndate: 2025-05-01\nauthor: A. Editor\n---\n\n\
         # Key takeaways\n\n\
         - Open calls worked well for participation across regions.\n\
         - Outreach should start early. TODO: add the survey figures.\n\
         - A short summary travels further than the report.\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let run = |extra: &[&str]| {
        Command::new(BIN)
            .arg("letters")
            .arg(&draft)
            .arg("--recipients")
            .arg(fixture("recipients/six-languages.csv"))
            .arg("-o")
            .arg(&out)
            .arg("--report-pdf")
            .arg(fixture(REPORT))
            .args(["--report-url", "https://example.org/bpf-testing-2025.pdf"])
            .args(["--signatory-name", "Zoë Ångström", "--date", "2020-12-01"])
            .args([
                "--from",
                "IGF Secretariat <igf-bpf@secretariat.example.org>",
            ])
            .args(["--send", "--smtp-tls", "none", "--smtp"])
            .arg(format!("127.0.0.1:{}", sink.port))
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&[]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("not sending: 1 reason(s)"), "{err}");
    assert!(err.contains("the report is unfinished"), "{err}");
    assert!(err.contains("`placeholder`"), "{err}");
    assert_eq!(sink.count(), 0, "a server was contacted");
    assert!(!out.join("send-log.jsonl").exists());

    let o = run(&["--force"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("sending anyway: --force"), "{err}");
    assert_eq!(sink.count(), 6);
}
