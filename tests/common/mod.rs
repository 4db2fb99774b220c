//! Shared helpers of the mail tests: the fixture campaign and letter maker.
#![allow(dead_code)]

use bpfpress::mail::recipients::{self, LoadOptions, Recipients};
use bpfpress::mail::{Attachment, Campaign, CampaignInfo, LetterError, Mailbox, Recipient, Role};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(p: &str) -> PathBuf {
    root().join("fixtures").join(p)
}

pub const REPORT: &str = "report/bpf-on-bpfs-2020.lo.pdf";
pub const TAKEAWAYS: &str = "mail/test-takeaways.pdf";
pub const LETTER: &str = "mail/test-letter.pdf";

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

/// The test letter maker: real PDF bytes from a committed fixture (the
/// render engine supplies the real letters).
pub fn fixture_letter() -> impl Fn(&Recipient) -> Result<Vec<u8>, LetterError> + Sync {
    let pdf = std::fs::read(fixture(LETTER)).unwrap();
    move |_r: &Recipient| Ok(pdf.clone())
}

/// `python3`, failing loudly (not skipping) when CI is set and a module is missing.
pub fn python_with(module: &str) -> Option<&'static str> {
    let ok = std::process::Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if ok {
        return Some("python3");
    }
    let msg = format!(
        "python3 with the `{module}` module is needed for this test \
         (pip install {module}; .ci/run installs it)"
    );
    if std::env::var_os("CI").is_some() {
        panic!("{msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

pub fn list_dir(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}
