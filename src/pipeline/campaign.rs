//! The campaign stage: recipients, one cover letter each, `.eml` mailings,
//! delivery on request, and the press release — the same for `bpfpress
//! build` and `bpfpress letters`.
//!
//! [`campaign`] runs, in order: the pre-send gate (`gate`, before anything is
//! produced or any server contacted), the letters' shared text, a glyph
//! check of every recipient (every name must print, or nothing is made),
//! the attachments, then the mail stage's [`Campaign::run`]. The campaign
//! key — what makes sending exactly-once across re-runs — comes from one
//! function, [`campaign_key`].

use super::{Error, Needed, Settings, TakeawaysFile, Warned, Warning};
use crate::check::CheckReport;
use crate::letters::{self, Contact, Institution, LetterRenderer, LetterSetup};
use crate::mail::recipients::{self, LoadOptions, Recipients};
use crate::mail::{
    Attachment, Campaign, CampaignInfo, MailText, Mailbox, Manifest, Role, RunOptions, Status,
};
use crate::model::Document;
use crate::render::Engine;
use std::path::Path;
use std::sync::Arc;

/// How to run a campaign.
#[derive(Debug, Clone, Default)]
pub struct CampaignOptions {
    /// Write one `.eml` per recipient (implied by `send`).
    pub eml: bool,
    /// Deliver over SMTP.
    pub send: bool,
    /// Send again what an interrupted run may have delivered.
    pub resend_uncertain: bool,
    /// Go on past what the gate may refuse for a person to override
    /// (`--force`).
    pub force: bool,
    /// Leave out invalid recipient rows (listed) instead of stopping.
    pub skip_invalid: bool,
    /// Worker threads (0: one per core).
    pub threads: usize,
    /// A progress bar on a terminal (off when the caller draws its own).
    pub progress: bool,
    /// Progress for a caller that draws its own (the web page).
    pub sink: Option<crate::mail::campaign::ProgressSink>,
}

impl CampaignOptions {
    /// Whether messages are made.
    pub fn mail(&self) -> bool {
        self.eml || self.send
    }
}

/// What the campaign is made from, besides the settings.
pub struct CampaignInput<'a> {
    /// The report.
    pub doc: &'a Document,
    /// Where the report was read from (its name is the last fallback title).
    pub draft: &'a Path,
    /// The check of the report: what the pre-send gate judges readiness by.
    pub check: &'a CheckReport,
    pub recipients: &'a Recipients,
    /// Takeaway bullets for the letters ([`letter_takeaways`]).
    pub takeaways: Vec<String>,
    /// The report PDF to attach; `None`: rendered here when mail is made.
    pub report_pdf: Option<Attachment>,
    /// The takeaways sheet to attach (the letters then mention it).
    pub takeaways_pdf: Option<Attachment>,
}

/// What a campaign made: the manifest (per-recipient status, files
/// written) and the letters' shared text, which the press release reuses.
#[derive(Debug)]
pub struct Mailing {
    pub manifest: Manifest,
    pub setup: LetterSetup,
}

impl Mailing {
    /// Recipients whose letter or message failed or may not have arrived.
    pub fn failures(&self) -> usize {
        self.manifest.count(Status::Failed) + self.manifest.count(Status::Uncertain)
    }
}

/// The campaign key: it names the mailing in every Message-ID, and the
/// send log knows a message by its Message-ID, so a re-run of the same
/// mailing (same report title and URL) never sends twice. Every command
/// that mails must compute it here.
pub fn campaign_key(report_title: &str, report_url: &str) -> String {
    format!(
        "{}-{}",
        recipients::slug(report_title),
        recipients::slug(report_url)
    )
}

/// The recipients file of the settings, validated (email addresses are
/// required when mail is made). Its warnings and any rows left out with
/// `skip_invalid` come back as warnings.
pub fn load_recipients(
    settings: &Settings,
    opts: &CampaignOptions,
) -> Result<Warned<Recipients>, Error> {
    let path = settings
        .recipients
        .as_deref()
        .ok_or_else(|| settings.missing(Needed::Recipients))?;
    let rs = recipients::load(
        path,
        LoadOptions {
            require_email: opts.mail(),
            skip_invalid: opts.skip_invalid,
        },
    )?;
    let mut warnings: Vec<Warning> = rs.warnings.iter().map(Warning::new).collect();
    for s in &rs.skipped {
        let problems: Vec<String> = s.problems.iter().map(|p| p.to_string()).collect();
        warnings.push(Warning::new(format!(
            "skipped row {} ({}):\n  {}",
            s.row,
            s.organisation,
            problems.join("\n  ")
        )));
    }
    Ok(Warned::new(rs, warnings))
}

/// The draft as a mailing sees it: read, with the settings applied; its
/// check (what the pre-send gate judges readiness by); the takeaways file,
/// if the settings name one; and the bullets the letters quote.
pub struct MailingDraft {
    pub doc: Document,
    pub check: CheckReport,
    pub from: Option<TakeawaysFile>,
    pub takeaways: Vec<String>,
}

/// Read the draft for a mailing ([`MailingDraft`]) — the one sequence
/// `bpfpress letters` and the web page's Mailing both run before
/// [`campaign`].
pub fn mailing_draft(draft: &Path, settings: &Settings) -> Result<Warned<MailingDraft>, Error> {
    let mut doc = super::ingest(draft, &crate::ingest::Limits::default())?;
    settings.apply(&mut doc);
    let check = super::check(&doc, &crate::check::Checklist::builtin(), settings);
    let from = match &settings.takeaways_file {
        Some(p) => Some(super::read_takeaways_file(p, p.display().to_string())?),
        None => None,
    };
    let mut warnings = Vec::new();
    let takeaways = letter_takeaways(&doc, from.as_ref(), settings)?.into_output(&mut warnings);
    Ok(Warned::new(
        MailingDraft {
            doc,
            check,
            from,
            takeaways,
        },
        warnings,
    ))
}

/// Takeaway bullets for the letters: the lines of the settings'
/// `letter_takeaways` file if given, else the report's takeaways (its
/// takeaways section, else `from`), tidied into sentences of their own.
/// Fewer than [`letters::MIN_TAKEAWAYS`] is a warning.
pub fn letter_takeaways(
    doc: &Document,
    from: Option<&TakeawaysFile>,
    settings: &Settings,
) -> Result<Warned<Vec<String>>, Error> {
    let raw: Vec<String> = match &settings.letter_takeaways {
        Some(p) => read_lines(p)?,
        None => crate::takeaways::select(doc, from.map(|f| (&f.doc, f.shown.as_str())), &[])
            .takeaways
            .into_iter()
            // A lead-in keeps the list it leads to.
            .map(|i| letters::letter_bullet(&i.text, &i.sub))
            .collect(),
    };
    let bullets: Vec<String> = raw
        .iter()
        .map(|t| letters::tidy_takeaway(t))
        .filter(|t| !t.is_empty())
        .collect();
    let mut warnings = Vec::new();
    if bullets.len() < letters::MIN_TAKEAWAYS {
        let hint = if settings.offers("--takeaways") {
            "give --takeaways FILE (one bullet a line)"
        } else {
            "give the report a \"Key takeaways\" section, or a takeaways file (`report.takeaways` in bpf.toml)"
        };
        warnings.push(
            Warning::new(format!(
                "{} takeaway bullet(s) for the letters (3 to 5 read best)",
                bullets.len()
            ))
            .about("letters")
            .hint(hint),
        );
    }
    Ok(Warned::new(bullets, warnings))
}

/// Takeaway bullets from a text file: one per non-empty line, list markers
/// (`-`, `*`, `•`, `1.`) removed.
fn read_lines(path: &Path) -> Result<Vec<String>, Error> {
    let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
    Ok(text
        .lines()
        .map(|l| {
            let l = l.trim().trim_start_matches('\u{feff}');
            let l = l.trim_start_matches(['-', '*', '•']).trim_start();
            let digits = l.chars().take_while(char::is_ascii_digit).count();
            if digits > 0 && l[digits..].starts_with(['.', ')']) {
                l[digits + 1..].trim_start().to_owned()
            } else {
                l.to_owned()
            }
        })
        .filter(|l| !l.is_empty())
        .collect())
}

/// A PDF to attach, read from `path` (it must be one).
pub fn pdf_attachment(path: &Path, default_name: &str) -> Result<Attachment, Error> {
    let bytes = std::fs::read(path).map_err(Error::io(path))?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(Error::NotPdf.with_path(path));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| default_name.to_owned());
    Ok(Attachment::pdf(name, Arc::new(bytes)))
}

/// The report as an attachment, named after its title (cut on a word
/// boundary, [`recipients::report_file_name`]).
pub fn report_attachment(report_title: &str, pdf: Vec<u8>) -> Attachment {
    Attachment::pdf(recipients::report_file_name(report_title), Arc::new(pdf))
        .with_role(Role::Report)
}

/// The pre-send gate: the one place that decides whether a mailing may be
/// made and go out. [`campaign`] calls it first, before anything is
/// produced and before any server is contacted; it refuses with an error
/// that names the reason and the setting to fix. What readiness is judged
/// by is all at hand where it is called: the check of the report
/// ([`CampaignInput::check`]), the recipients, the resolved settings
/// (signatory, report URL, sender, server) and `opts.force` for what a
/// person may override.
fn gate(
    settings: &Settings,
    opts: &CampaignOptions,
    input: &CampaignInput<'_>,
) -> Result<Vec<Warning>, Error> {
    if opts.mail() && settings.sender.is_none() {
        return Err(settings.missing(Needed::Sender).into());
    }
    if opts.send && settings.smtp.is_none() {
        return Err(settings.missing(Needed::SmtpServer).into());
    }
    // Nothing unfinished goes out: with --send every reason refuses
    // (unless --force); without, each is a warning.
    let signatory = settings.signatory_name();
    let refusals = crate::readiness::readiness(&crate::readiness::Outgoing {
        check: Some(input.check),
        signatory_name: &signatory,
        recipients: &input.recipients.list,
        report_url: settings.report_url.as_deref(),
    });
    if refusals.is_empty() {
        return Ok(Vec::new());
    }
    if opts.send && !opts.force {
        return Err(Error::NotReady { refusals });
    }
    let note = if opts.send {
        "not ready to send (sending anyway: --force)"
    } else {
        "not ready to send"
    };
    Ok(refusals
        .iter()
        .map(|r| Warning::new(format!("{note}: {r}")).about("mail"))
        .collect())
}

/// The campaign: one cover letter per recipient, with mail one `.eml` each
/// (report and takeaways sheet attached), delivered with `opts.send`,
/// `mailing.csv`/`.json` — all into `out`. Per-recipient failures are
/// statuses in the manifest and warnings here, not errors.
pub fn campaign(
    engine: &Engine,
    input: &CampaignInput<'_>,
    settings: &Settings,
    opts: &CampaignOptions,
    out: &Path,
) -> Result<Warned<Mailing>, Error> {
    let mut warnings = gate(settings, opts, input)?;
    let report_url = settings
        .report_url
        .clone()
        .ok_or_else(|| settings.missing(Needed::ReportUrl))?;
    let report_title = settings.report_title(input.doc, input.draft);
    let setup = LetterSetup {
        bpf_name: settings.bpf_name_or_default(),
        report_title: report_title.clone(),
        report_url: report_url.clone(),
        year: settings.year.map(|y| y.to_string()),
        date: settings.letter_date,
        takeaways: input.takeaways.clone(),
        signatory_name: settings.signatory_name(),
        signatory_role: settings.signatory_role(),
        paper: settings.paper,
        // Letters made without mail are still meant to go with the report;
        // the takeaways sheet only when there is one.
        takeaways_sheet: input.takeaways_pdf.is_some(),
        standard: settings.standard,
    };
    let renderer = LetterRenderer::new(engine.clone(), &setup)?;
    // Every name must print: check all recipients before producing anything.
    let glyphs: Vec<_> = input
        .recipients
        .list
        .iter()
        .filter_map(|r| letters::check_recipient(engine, r).err())
        .collect();
    if !glyphs.is_empty() {
        return Err(Error::Glyphs(glyphs).with_path(&input.recipients.source));
    }

    let mut shared = Vec::new();
    if opts.mail() {
        let report = match &input.report_pdf {
            Some(a) => a.clone(),
            None => {
                let r = super::render(engine, input.doc, settings)
                    .map_err(|e| e.with_path(input.draft))?
                    .into_output(&mut warnings);
                report_attachment(&report_title, r.pdf)
            }
        };
        // The mail names only what is attached: roles say what is.
        shared.push(report.with_role(Role::Report));
        match &input.takeaways_pdf {
            Some(t) => shared.push(t.clone().with_role(Role::Takeaways)),
            None => warnings.push(
                Warning::new("no takeaways sheet attached")
                    .about("mail")
                    .hint(if settings.offers("--takeaways-pdf") {
                        "make one with `bpfpress takeaways` and pass --takeaways-pdf"
                    } else {
                        "the takeaways sheet could not be made"
                    }),
            ),
        }
    }
    let texts = match &settings.templates {
        Some(d) => MailText::load_dir(d)?,
        None => Vec::new(),
    };
    let from = match &settings.sender {
        Some(f) => f.clone(),
        // Letters only: the sender never appears anywhere.
        None => Mailbox::new(
            Some("IGF Secretariat".into()),
            lettre::Address::new("secretariat", "localhost")
                .map_err(|_| settings.missing(Needed::Sender))?,
        ),
    };
    let mail = Campaign {
        key: campaign_key(&report_title, &report_url),
        date: settings.letter_date,
        from,
        reply_to: None,
        info: CampaignInfo {
            bpf_name: setup.bpf_name.clone(),
            report_title,
            report_url,
            signatory_name: setup.signatory_name.clone(),
            signatory_role: setup.signatory_role.clone(),
        },
        texts,
        shared,
    };
    let mut run = RunOptions::new(out);
    run.eml = opts.mail();
    run.send = if opts.send {
        settings.smtp.clone()
    } else {
        None
    };
    run.resend_uncertain = opts.resend_uncertain;
    run.threads = opts.threads;
    run.stack_bytes = crate::render::TYPST_STACK;
    run.progress = opts.progress;
    run.sink = opts.sink.clone();
    run.clock = settings.clock;
    let manifest = mail.run(input.recipients, &renderer, &run)?;
    for w in manifest.entries.iter().flat_map(|e| &e.warnings) {
        warnings.push(Warning::new(w.clone()).about("letters"));
    }
    for e in manifest
        .entries
        .iter()
        .filter(|e| matches!(e.status, Status::Failed | Status::Uncertain))
    {
        warnings.push(Warning::new(format!(
            "{} row {} ({}): {}",
            e.status.as_str(),
            e.row,
            e.organisation,
            e.reason.as_deref().unwrap_or("")
        )));
    }
    Ok(Warned::new(Mailing { manifest, setup }, warnings))
}

/// A press release and the number of institutions it names.
#[derive(Debug)]
pub struct PressRelease {
    pub pdf: Vec<u8>,
    pub institutions: usize,
}

/// The press release: the report is out, with its takeaways and the
/// institutions it was sent to (on a dry run, those it is addressed to).
/// The contact is the signatory, with the sender's address if there is one.
pub fn press_release(
    engine: &Engine,
    mailing: &Mailing,
    recipients: &Recipients,
    settings: &Settings,
) -> Result<PressRelease, Error> {
    let (institutions, dissemination) = Institution::sent_to(&mailing.manifest, &recipients.list);
    let contact = Contact {
        name: settings.signatory_name(),
        role: settings.signatory_role(),
        email: settings.sender.as_ref().map(|m| m.email.to_string()),
    };
    let pool = crate::render::pool(1)?;
    let pdf = pool.install(|| {
        letters::press_release(
            engine,
            &mailing.setup,
            &institutions,
            dissemination,
            &contact,
        )
    })?;
    Ok(PressRelease {
        pdf,
        institutions: institutions.len(),
    })
}
