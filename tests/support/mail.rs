//! The fixture campaign of the mail tests: the fictional institutions, a
//! campaign with real PDF attachments, and a letter maker that gives a
//! committed letter PDF (the render engine makes the real ones).

use super::fixture;
use bpfpress::mail::recipients::{self, LoadOptions, Recipients};
use bpfpress::mail::{Attachment, Campaign, CampaignInfo, LetterError, Mailbox, Recipient, Role};
use std::sync::Arc;

pub const REPORT: &str = "report/bpf-on-bpfs-2020.lo.pdf";
pub const TAKEAWAYS: &str = "mail/test-takeaways.pdf";
pub const LETTER: &str = "mail/test-letter.pdf";

/// `fixtures/recipients/institutions.csv`, emails required.
pub fn institutions() -> Recipients {
    recipients::load(
        &fixture("recipients/institutions.csv"),
        LoadOptions {
            require_email: true,
            skip_invalid: false,
        },
    )
    .unwrap()
}

pub fn campaign() -> Campaign {
    let read = |p: &str| Arc::new(std::fs::read(fixture(p)).unwrap());
    Campaign {
        key: "bpf-on-bpfs-2020-report".into(),
        date: "2020-12-01".parse().unwrap(),
        from: Mailbox::new(
            Some("Secrétariat du FGI – IGF Secretariat".into()),
            "igf-bpf@secretariat.example.org".parse().unwrap(),
        ),
        reply_to: None,
        info: CampaignInfo {
            bpf_name: "IGF Best Practice Forum on Best Practice Forums".into(),
            report_title: "BPF on BPFs: Output Report 2020".into(),
            report_url: "https://www.intgovforum.example.org/bpf-on-bpfs-2020.pdf".into(),
            signatory_name: "Zoë Ångström".into(),
            signatory_role: "BPF coordinator".into(),
        },
        texts: Vec::new(),
        shared: vec![
            Attachment::pdf("bpf-on-bpfs-2020-report.pdf", read(REPORT)).with_role(Role::Report),
            Attachment::pdf("key-takeaways.pdf", read(TAKEAWAYS)).with_role(Role::Takeaways),
        ],
    }
}

/// The test letter maker: real PDF bytes from a committed fixture.
pub fn fixture_letter() -> impl Fn(&Recipient) -> Result<Vec<u8>, LetterError> + Sync {
    let pdf = std::fs::read(fixture(LETTER)).unwrap();
    move |_r: &Recipient| Ok(pdf.clone())
}

/// Check `.eml` files with an independent parser (Python's `email`,
/// `tests/check_eml.py`) against `spec` (one object per message: file,
/// headers, text and attachments expected). Gives the script's `ok N`.
pub fn check_eml(spec: &serde_json::Value, dir: &std::path::Path) -> String {
    let spec_path = dir.join("spec.json");
    std::fs::write(&spec_path, serde_json::to_vec(spec).unwrap()).unwrap();
    let out = std::process::Command::new("python3")
        .arg(super::root().join("tests/check_eml.py"))
        .arg(&spec_path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "python email check failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.trim().to_owned()
}
