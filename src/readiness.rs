//! Nothing unfinished goes out: the gate before a mailing is sent.
//!
//! Takes what a send would use — the check of the report, the signatory,
//! the recipients and the report URL ([`Outgoing`]) — and gives the
//! reasons not to send ([`readiness`] → `Vec<Refusal>`, empty when ready),
//! each a typed reason with a message that names it and says what to do.
//! A pure function: no file, no network; the campaign stage's gate
//! (`crate::pipeline::campaign`) decides what a refusal means: `build
//! --send` and `letters --send` refuse before contacting any server
//! unless `--force`; without `--send` the same reasons are warnings, so
//! they are seen before the day of sending.
//!
//! The reasons:
//!
//! * an **error finding of the check** on the report (placeholders such as
//!   TODO or `[insert …]`, unresolved tracked changes or comments, an
//!   undefined footnote, a missing title): the document is unfinished. The
//!   six-weeks public-comment rule (`public-comment-deadline`) is left
//!   out: it judges when a *draft* was published, which nothing at send
//!   time can change, and a final report is often mailed months after the
//!   meeting;
//! * the **signatory** is still `bpfpress init`'s sample ("Your Name");
//! * a **recipient** is still one of `init`'s sample rows (Jane Doe of the
//!   Example Ministry of Digital Affairs, Jean Dupont of "Exemple
//!   d'institution");
//! * the **report URL** is a generic address — a site's home page such as
//!   `init`'s default `https://www.intgovforum.org/` — not the published
//!   report.

use crate::check::{CheckReport, Severity};
use crate::mail::recipients::Recipient;

/// The signatory name `bpfpress init` writes.
pub const SAMPLE_SIGNATORY: &str = "Your Name";
/// The report URL `bpfpress init` writes.
pub const DEFAULT_REPORT_URL: &str = "https://www.intgovforum.org/";
/// What identifies `init`'s sample recipients: contact names, organisations
/// and email addresses of its `recipients.csv`.
pub const SAMPLE_CONTACTS: &[&str] = &["Jane Doe", "Jean Dupont"];
pub const SAMPLE_ORGANISATIONS: &[&str] = &[
    "Example Ministry of Digital Affairs",
    "Exemple d'institution",
];
pub const SAMPLE_EMAILS: &[&str] = &[
    "jane.doe@ministry.example.org",
    "j.dupont@institution.example.org",
];

/// Check rules that do not stop a mailing (see the module doc).
pub const NOT_BLOCKING: &[&str] = &["public-comment-deadline"];

/// What a send would use.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// The check of the report that is attached (None: not checked).
    pub check: Option<&'a CheckReport>,
    pub signatory_name: &'a str,
    pub recipients: &'a [Recipient],
    pub report_url: Option<&'a str>,
}

/// One reason not to send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// An error-severity finding of the check on the report.
    #[error("the report is unfinished: {message} (check rule `{rule}`)")]
    CheckError {
        rule: String,
        message: String,
        count: usize,
    },
    /// The signatory is `init`'s sample.
    #[error(
        "the letters would be signed by {name:?}, bpfpress init's sample signatory; \
         set [signatory] name (and role) in bpf.toml, or --signatory-name"
    )]
    SampleSignatory { name: String },
    /// Recipients still `init`'s samples.
    #[error(
        "the recipients file still holds bpfpress init's sample recipient(s): {}; \
         replace them with the institutions to receive the report",
        rows.iter().map(|(r, o)| format!("row {r} ({o})")).collect::<Vec<_>>().join(", ")
    )]
    SampleRecipients { rows: Vec<(usize, String)> },
    /// The report URL is a generic address, not the report.
    #[error(
        "the report URL {url:?} is a generic address, not the published report; \
         set [report] url in bpf.toml (or --report-url) to the report's own page or PDF"
    )]
    GenericReportUrl { url: String },
}

impl Refusal {
    /// A short name of the reason, for logs and tests.
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::CheckError { .. } => "check-error",
            Refusal::SampleSignatory { .. } => "sample-signatory",
            Refusal::SampleRecipients { .. } => "sample-recipients",
            Refusal::GenericReportUrl { .. } => "generic-report-url",
        }
    }
}

/// Every reason not to send what `o` describes; empty when ready.
pub fn readiness(o: &Outgoing<'_>) -> Vec<Refusal> {
    let mut out = Vec::new();
    if let Some(c) = o.check {
        for f in &c.findings {
            if f.severity == Severity::Error && !NOT_BLOCKING.contains(&f.rule.as_str()) {
                out.push(Refusal::CheckError {
                    rule: f.rule.clone(),
                    message: f.message.clone(),
                    count: f.count,
                });
            }
        }
    }
    if o.signatory_name
        .trim()
        .eq_ignore_ascii_case(SAMPLE_SIGNATORY)
    {
        out.push(Refusal::SampleSignatory {
            name: o.signatory_name.trim().to_owned(),
        });
    }
    let rows: Vec<(usize, String)> = o
        .recipients
        .iter()
        .filter(|r| is_sample(r))
        .map(|r| (r.index, r.organisation.clone()))
        .collect();
    if !rows.is_empty() {
        out.push(Refusal::SampleRecipients { rows });
    }
    if let Some(u) = o.report_url
        && is_generic_url(u)
    {
        out.push(Refusal::GenericReportUrl { url: u.to_owned() });
    }
    out
}

/// Whether `r` is one of `init`'s sample recipients.
pub fn is_sample(r: &Recipient) -> bool {
    let eq = |a: &str, b: &&str| a.trim().eq_ignore_ascii_case(b);
    r.contact_name
        .as_deref()
        .is_some_and(|n| SAMPLE_CONTACTS.iter().any(|s| eq(n, s)))
        || SAMPLE_ORGANISATIONS.iter().any(|s| eq(&r.organisation, s))
        || r.email
            .as_deref()
            .is_some_and(|e| SAMPLE_EMAILS.iter().any(|s| eq(e, s)))
}

/// Whether `url` is a generic address rather than a published report: a
/// site's home page (no path, or only a language or section prefix such
/// as `/en/`), `init`'s default among them.
pub fn is_generic_url(url: &str) -> bool {
    let u = url.trim();
    if u.eq_ignore_ascii_case(DEFAULT_REPORT_URL) {
        return true;
    }
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(u);
    let (_, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.split(['?', '#']).next().unwrap_or("");
    path.split('/').filter(|s| !s.is_empty()).all(|s| {
        matches!(
            s.to_ascii_lowercase().as_str(),
            "en" | "fr" | "es" | "ar" | "zh" | "ru" | "multilingual" | "index.html" | "index.php"
        )
    })
}

/// The refusals as one message: one reason a line.
pub fn describe(refusals: &[Refusal]) -> String {
    refusals
        .iter()
        .map(|r| format!("  - {r}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckOptions, Checklist, check};
    use crate::mail::recipients::{LoadOptions, parse};
    use crate::model::{Block, Document, Format, Inline, Location};
    use std::path::Path;

    fn recipients(csv: &str) -> Vec<Recipient> {
        parse(
            Path::new("r.csv"),
            csv.as_bytes(),
            None,
            LoadOptions {
                require_email: true,
                skip_invalid: false,
            },
        )
        .unwrap()
        .list
    }

    fn real() -> Vec<Recipient> {
        recipients("organisation,contact_name,email\nUNESCO,Amélie Dubois,a.dubois@unesco.org\n")
    }

    fn doc(text: &str) -> Document {
        let mut d = Document::new("d.md", Format::Markdown);
        d.meta.title = Some("IGF 2026 Best Practice Forum report".into());
        d.blocks = vec![Block::Paragraph {
            loc: Location::Line(1),
            inlines: vec![Inline::text(text)],
        }];
        d
    }

    const URL: &str = "https://www.intgovforum.org/en/filedepot_download/123/456";

    #[test]
    fn ready_when_nothing_is_left() {
        let rs = real();
        let c = check(
            &doc("A finished paragraph."),
            &Checklist::builtin(),
            &CheckOptions::default(),
        );
        let o = Outgoing {
            check: Some(&c),
            signatory_name: "Wim Degezelle",
            recipients: &rs,
            report_url: Some(URL),
        };
        assert_eq!(readiness(&o), Vec::new());
    }

    #[test]
    fn each_reason_is_named() {
        let c = check(
            &doc("TODO: write the conclusions. [insert figure here]"),
            &Checklist::builtin(),
            &CheckOptions::default(),
        );
        let sample = recipients(
            "organisation,contact_name,email\n\
             Example Ministry of Digital Affairs,Jane Doe,jane.doe@ministry.example.org\n\
             UNESCO,Amélie Dubois,a.dubois@unesco.org\n\
             Exemple d'institution,Jean Dupont,j.dupont@institution.example.org\n",
        );
        let o = Outgoing {
            check: Some(&c),
            signatory_name: "Your Name",
            recipients: &sample,
            report_url: Some(DEFAULT_REPORT_URL),
        };
        let r = readiness(&o);
        let kinds: Vec<&str> = r.iter().map(Refusal::kind).collect();
        assert!(kinds.contains(&"check-error"), "{kinds:?}");
        assert!(kinds.ends_with(&[
            "sample-signatory",
            "sample-recipients",
            "generic-report-url"
        ]));
        let text = describe(&r);
        assert!(text.contains("placeholder"), "{text}");
        assert!(text.contains("\"Your Name\""), "{text}");
        assert!(
            text.contains(
                "row 1 (Example Ministry of Digital Affairs), row 3 (Exemple d'institution)"
            ),
            "{text}"
        );
        assert!(!text.contains("UNESCO"), "{text}");
        assert!(text.contains("https://www.intgovforum.org/"), "{text}");
        // every line says what to do
        for line in text.lines() {
            assert!(line.starts_with("  - the "), "{line}");
        }
    }

    #[test]
    fn tracked_changes_and_comments_refuse() {
        let mut d = doc("A finished paragraph.");
        d.comments.push(crate::model::Comment {
            id: "1".into(),
            author: "Reviewer".into(),
            date: None,
            text: "Please rephrase.".into(),
            anchor: "A finished paragraph".into(),
            loc: Some(Location::Line(1)),
        });
        let c = check(&d, &Checklist::builtin(), &CheckOptions::default());
        let rs = real();
        let r = readiness(&Outgoing {
            check: Some(&c),
            signatory_name: "Wim Degezelle",
            recipients: &rs,
            report_url: Some(URL),
        });
        assert!(
            r.iter()
                .any(|x| matches!(x, Refusal::CheckError { rule, .. } if rule == "comments")),
            "{r:?}"
        );
    }

    #[test]
    fn generic_urls() {
        for g in [
            "https://www.intgovforum.org/",
            "https://www.intgovforum.org",
            "http://intgovforum.org/en/",
            "https://www.intgovforum.org/multilingual",
            "https://example.org/?x=1",
        ] {
            assert!(is_generic_url(g), "{g}");
        }
        for r in [
            URL,
            "https://www.intgovforum.org/multilingual/content/bpf-on-bpfs",
            "https://example.org/r.pdf",
        ] {
            assert!(!is_generic_url(r), "{r}");
        }
    }
}
