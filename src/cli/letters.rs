//! `bpfpress letters`: cover letters per institution, `.eml` mailings,
//! optional SMTP delivery and the press release.

use super::{EXIT_FINDINGS, EXIT_INPUT};
use bpfpress::letters::{self, Contact, Institution, LetterRenderer, LetterSetup};
use bpfpress::mail::recipients::{self, LoadOptions};
use bpfpress::mail::{
    Attachment, Campaign, CampaignDate, CampaignInfo, MailText, Mailbox, Role, RunOptions,
    SmtpSettings, Status, TlsMode,
};
use bpfpress::model::Document;
use bpfpress::project::Project;
use bpfpress::render::{Engine, Paper, ReportOptions, render_report};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

/// Make one cover letter (PDF) per institution of a recipients file, and
/// with --eml one message per recipient carrying the letter, the report
/// and the takeaways sheet. Nothing is sent without --send.
///
/// Recipients: CSV (or TOML/JSON) with the columns organisation,
/// contact_name, contact_title, family_name, email, address1..3, country,
/// language (ar, zh, en, fr, ru, es), salutation, notes. Letter texts are in the template
/// folder under letters/<language>.toml; mail texts in mail.<language>.txt.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
    bpfpress letters fixtures/report/bpf-on-bpfs-2020.md \\\n    \
    --recipients fixtures/recipients/institutions.csv -o dist --eml --press-release \\\n    \
    --report-url https://www.intgovforum.org/en/filedepot_download/bpf-on-bpfs-2020.pdf \\\n    \
    --signatory-name 'Wim Degezelle' --signatory-role 'BPF consultant' \\\n    \
    --from 'IGF Secretariat <igf@example.org>'\n\n\
    Writes DIR/letters/NNN-<organisation>.pdf, DIR/mail/NNN-<organisation>.eml,\n\
    DIR/mailing.csv and .json, DIR/press-release.pdf.\n\n\
    --send refuses, before contacting any server, when the check finds errors in\n\
    the report (placeholders, tracked changes, comments), when the signatory or\n\
    recipients are still `bpfpress init`'s samples, or when the report URL is a\n\
    generic address; each reason is named; --force sends anyway.\n\n\
    Exit codes: 0 done; 1 some letters or messages failed, or sending was\n\
    refused; 2 bad input (nothing produced).")]
pub struct Args {
    /// The report draft (DOCX, PDF, Markdown, or a model JSON from `ingest --json`).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Recipients file (CSV, TOML or JSON). Default: [recipients] file of --project.
    #[arg(long, value_name = "FILE")]
    recipients: Option<PathBuf>,
    /// Output folder (default: [output] dir of --project, else `dist`).
    #[arg(short, long, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Also write one `.eml` message per recipient.
    #[arg(long)]
    eml: bool,
    /// Deliver the messages over SMTP (server from --smtp or the project file).
    #[arg(long)]
    send: bool,
    /// Send again messages an interrupted run may or may not have delivered.
    #[arg(long)]
    resend_uncertain: bool,
    /// With --send: send even when the check found errors in the report or
    /// sample data is left (the reasons are printed).
    #[arg(long)]
    force: bool,
    /// Also write press-release.pdf.
    #[arg(long)]
    press_release: bool,
    /// Leave out invalid recipient rows (listed) instead of stopping.
    #[arg(long)]
    skip_invalid: bool,
    /// Customised template folder (letter.typ, letters/*.toml, mail.*.txt, fonts/).
    #[arg(long, value_name = "DIR")]
    template_dir: Option<PathBuf>,
    /// More fonts for names in other scripts (repeatable).
    #[arg(long, value_name = "DIR")]
    font_dir: Vec<PathBuf>,
    /// Where the report can be read online.
    #[arg(long, value_name = "URL")]
    report_url: Option<String>,
    /// Report title (default: the draft's title).
    #[arg(long, value_name = "TITLE")]
    report_title: Option<String>,
    /// The Forum's name, e.g. "IGF Best Practice Forum on Cybersecurity".
    #[arg(long, value_name = "NAME")]
    bpf_name: Option<String>,
    #[arg(long, value_name = "NAME")]
    signatory_name: Option<String>,
    #[arg(long, value_name = "ROLE")]
    signatory_role: Option<String>,
    /// Project file (bpf.toml or its folder) for defaults.
    #[arg(long, value_name = "FILE")]
    project: Option<PathBuf>,
    /// Attach this report PDF instead of rendering the draft.
    #[arg(long, value_name = "PDF")]
    report_pdf: Option<PathBuf>,
    /// Attach this takeaways sheet (from `bpfpress takeaways`).
    #[arg(long, value_name = "PDF")]
    takeaways_pdf: Option<PathBuf>,
    /// Takeaway bullets for the letters: a text file, one per line (`- ` allowed).
    /// Default: the draft's takeaways section, if it has one.
    #[arg(long, value_name = "FILE")]
    takeaways: Option<PathBuf>,
    /// Date of the letters and messages, YYYY-MM-DD (default: today, or SOURCE_DATE_EPOCH).
    #[arg(long, value_name = "DATE")]
    date: Option<CampaignDate>,
    /// Sender, e.g. 'IGF Secretariat <igf@example.org>' (default: [smtp] from).
    #[arg(long, value_name = "MAILBOX")]
    from: Option<Mailbox>,
    /// SMTP server HOST[:PORT] (default: [smtp] of the project file).
    #[arg(long, value_name = "HOST")]
    smtp: Option<String>,
    /// SMTP security: none, starttls (default) or tls.
    #[arg(long, value_name = "MODE", default_value = "starttls")]
    smtp_tls: TlsMode,
    /// SMTP login; the password is read from BPFPRESS_SMTP_PASSWORD.
    #[arg(long, value_name = "USER")]
    smtp_user: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Paper size: a4 (default) or letter.
    #[arg(long, default_value = "a4", value_name = "PAPER")]
    paper: Paper,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(EXIT_INPUT)
}

/// Today (UTC) or the day of SOURCE_DATE_EPOCH.
pub(super) fn default_date() -> CampaignDate {
    let secs = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
    let z = secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
    CampaignDate { year, month, day }
}

/// Takeaway bullets from a text file: one per non-empty line, list markers
/// (`-`, `*`, `•`, `1.`) removed.
fn read_takeaways(path: &Path) -> Result<Vec<String>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
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

fn read_pdf(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{what} {}: {e}", path.display()))?;
    if !bytes.starts_with(b"%PDF-") {
        return Err(format!("{what} {}: not a PDF file", path.display()));
    }
    Ok(bytes)
}

fn file_name(path: &Path, default: &str) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| default.to_owned())
}

pub fn run(args: Args) -> ExitCode {
    let project = match args.project.as_deref().map(Project::load).transpose() {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let cfg = project.as_ref().map(|p| &p.config);
    let want_eml = args.eml || args.send;

    // 1. Recipients, validated before anything else.
    let Some(rpath) = args
        .recipients
        .clone()
        .or_else(|| project.as_ref().and_then(Project::recipients_path))
    else {
        return fail("no recipients: give --recipients FILE or [recipients] file in bpf.toml");
    };
    let rs = match recipients::load(
        &rpath,
        LoadOptions {
            require_email: want_eml,
            skip_invalid: args.skip_invalid,
        },
    ) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    for w in &rs.warnings {
        eprintln!("warning: {w}");
    }
    for s in &rs.skipped {
        eprintln!("skipped row {} ({}):", s.row, s.organisation);
        for p in &s.problems {
            eprintln!("  {p}");
        }
    }

    // 2. The report and what the letters say about it.
    let doc: Document = match super::render::read_doc(&args.file) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let template_dir = args
        .template_dir
        .clone()
        .or_else(|| project.as_ref().and_then(Project::template_dir));
    let engine = match Engine::with_fonts(template_dir.as_deref(), &args.font_dir) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };
    let Some(report_url) = args
        .report_url
        .clone()
        .or_else(|| cfg.and_then(|c| c.report.url.clone()))
    else {
        return fail("no report URL: give --report-url URL or [report] url in bpf.toml");
    };
    let report_title = args
        .report_title
        .clone()
        .or_else(|| doc.meta.title.clone())
        .unwrap_or_else(|| file_name(&args.file, "report"));
    let bpf_name = args
        .bpf_name
        .clone()
        .or_else(|| cfg.map(|c| c.bpf.name.clone()))
        .unwrap_or_else(|| "IGF Best Practice Forum".into());
    let signatory = cfg.and_then(|c| c.signatory.clone());
    let signatory_name = args
        .signatory_name
        .clone()
        .or_else(|| signatory.as_ref().map(|s| s.name.clone()))
        .unwrap_or_else(|| "IGF Secretariat".into());
    let signatory_role = args
        .signatory_role
        .clone()
        .or_else(|| signatory.and_then(|s| s.role))
        .unwrap_or_default();
    let takeaways = match &args.takeaways {
        Some(p) => match read_takeaways(p) {
            Ok(t) => t,
            Err(e) => return fail(e),
        },
        None => bpfpress::takeaways::select(&doc, None, &[])
            .takeaways
            .into_iter()
            .map(|i| letters::letter_bullet(&i.text, &i.sub))
            .collect(),
    };
    let takeaways: Vec<String> = takeaways
        .iter()
        .map(|t| letters::tidy_takeaway(t))
        .filter(|t| !t.is_empty())
        .collect();
    if takeaways.len() < letters::MIN_TAKEAWAYS {
        eprintln!(
            "warning: {} takeaway bullet(s) for the letters (3 to 5 read best); give --takeaways FILE",
            takeaways.len()
        );
    }
    let date = args.date.unwrap_or_else(default_date);
    let setup = LetterSetup {
        bpf_name: bpf_name.clone(),
        report_title: report_title.clone(),
        report_url: report_url.clone(),
        year: cfg.map(|c| c.bpf.year.to_string()),
        date,
        takeaways,
        signatory_name: signatory_name.clone(),
        signatory_role: signatory_role.clone(),
        paper: args.paper,
        // Letters made without mail are still meant to go with the report;
        // the takeaways sheet only when one is given.
        takeaways_sheet: args.takeaways_pdf.is_some(),
    };
    let renderer = match LetterRenderer::new(engine.clone(), &setup) {
        Ok(r) => r,
        Err(e) => return fail(e),
    };
    // Every name must print: check all recipients before producing anything.
    let glyph_errors: Vec<String> = rs
        .list
        .iter()
        .filter_map(|r| letters::check_recipient(&engine, r).err())
        .map(|e| e.to_string())
        .collect();
    if !glyph_errors.is_empty() {
        return fail(format!(
            "{}: {} recipient(s) cannot be printed; nothing was produced:\n  {}",
            rpath.display(),
            glyph_errors.len(),
            glyph_errors.join("\n  ")
        ));
    }

    // 3. Sender, server and shared attachments.
    let smtp_section = cfg.and_then(|c| c.smtp.clone());
    let (mut smtp, project_from) = match &smtp_section {
        Some(s) => match SmtpSettings::from_section(s) {
            Ok((settings, from)) => (Some(settings), Some(from)),
            Err(e) => return fail(e),
        },
        None => (None, None),
    };
    if let Some(hostport) = &args.smtp {
        let (host, port) = match hostport.rsplit_once(':') {
            Some((h, p)) => match p.parse::<u16>() {
                Ok(p) => (h.to_owned(), p),
                Err(_) => return fail(format!("--smtp {hostport}: bad port")),
            },
            None => (
                hostport.clone(),
                match args.smtp_tls {
                    TlsMode::None => 25,
                    TlsMode::Starttls => 587,
                    TlsMode::Tls => 465,
                },
            ),
        };
        let mut s = SmtpSettings::new(host, port, args.smtp_tls);
        s.user = args.smtp_user.clone();
        smtp = Some(s);
    }
    if args.send && smtp.is_none() {
        return fail("--send needs a server: --smtp HOST[:PORT] or [smtp] in bpf.toml");
    }
    let from_given = args.from.is_some() || project_from.is_some();
    let from = match args.from.clone().or(project_from) {
        Some(f) => f,
        None if want_eml => {
            return fail("mail needs a sender: --from 'Name <address>' or [smtp] from in bpf.toml");
        }
        // Letters only: the sender never appears anywhere.
        None => match "IGF Secretariat <secretariat@localhost>".parse() {
            Ok(m) => m,
            Err(e) => return fail(e),
        },
    };
    let out = args
        .output
        .clone()
        .or_else(|| project.as_ref().map(Project::output_dir))
        .unwrap_or_else(|| PathBuf::from("dist"));
    let mut shared = Vec::new();
    if want_eml {
        let report = match &args.report_pdf {
            Some(p) => match read_pdf(p, "report") {
                Ok(b) => (file_name(p, "report.pdf"), b),
                Err(e) => return fail(e),
            },
            None => {
                let opts = ReportOptions {
                    paper: args.paper,
                    standard: None,
                };
                match render_report(&engine, &doc, &opts) {
                    Ok(r) => (recipients::report_file_name(&report_title), r.pdf),
                    Err(e) => return fail(format!("{}: {e}", args.file.display())),
                }
            }
        };
        shared.push(Attachment::pdf(report.0, Arc::new(report.1)).with_role(Role::Report));
        match &args.takeaways_pdf {
            Some(p) => match read_pdf(p, "takeaways sheet") {
                Ok(b) => shared.push(
                    Attachment::pdf(file_name(p, "key-takeaways.pdf"), Arc::new(b))
                        .with_role(Role::Takeaways),
                ),
                Err(e) => return fail(e),
            },
            None => eprintln!(
                "note: no takeaways sheet attached; make one with `bpfpress takeaways` and pass --takeaways-pdf"
            ),
        }
    }
    let texts = match &template_dir {
        Some(d) => match MailText::load_dir(d) {
            Ok(t) => t,
            Err(e) => return fail(e),
        },
        None => Vec::new(),
    };
    let campaign = Campaign {
        key: format!(
            "{}-{}",
            recipients::slug(&report_title),
            recipients::slug(&report_url)
        ),
        date,
        from: from.clone(),
        reply_to: None,
        info: CampaignInfo {
            bpf_name: bpf_name.clone(),
            report_title,
            report_url,
            signatory_name: signatory_name.clone(),
            signatory_role: signatory_role.clone(),
        },
        texts,
        shared,
    };

    // Nothing unfinished goes out: with --send, refuse before contacting
    // any server; without, warn (src/readiness.rs).
    let check = bpfpress::check::check(
        &doc,
        &bpfpress::check::Checklist::builtin(),
        &bpfpress::check::CheckOptions::default(),
    );
    let refusals = bpfpress::readiness::readiness(&bpfpress::readiness::Outgoing {
        check: Some(&check),
        signatory_name: &signatory_name,
        recipients: &rs.list,
        report_url: Some(&campaign.info.report_url),
    });
    if !refusals.is_empty() {
        let list = bpfpress::readiness::describe(&refusals);
        if args.send && !args.force {
            eprintln!(
                "error: not sending: {} reason(s); nothing was sent (fix them, or send anyway with --force):\n{list}",
                refusals.len()
            );
            return ExitCode::from(EXIT_FINDINGS);
        }
        eprintln!(
            "warning: not ready to send{}:\n{list}",
            if args.send {
                " (sending anyway: --force)"
            } else {
                ""
            }
        );
    }

    // 4. Letters, messages, delivery.
    let mut opts = RunOptions::new(&out);
    opts.eml = want_eml;
    opts.send = if args.send { smtp } else { None };
    opts.resend_uncertain = args.resend_uncertain;
    opts.threads = args.threads;
    opts.stack_bytes = bpfpress::render::TYPST_STACK;
    let manifest = match campaign.run(&rs, &renderer, &opts) {
        Ok(m) => m,
        Err(e) => return fail(e),
    };
    for w in manifest.entries.iter().flat_map(|e| &e.warnings) {
        eprintln!("warning: {w}");
    }
    for e in manifest
        .entries
        .iter()
        .filter(|e| matches!(e.status, Status::Failed | Status::Uncertain))
    {
        eprintln!(
            "{} row {} ({}): {}",
            e.status.as_str(),
            e.row,
            e.organisation,
            e.reason.as_deref().unwrap_or("")
        );
    }

    // 5. Press release: the institutions it was sent to (a dry run lists
    // those it is addressed to).
    if args.press_release {
        let (institutions, dissemination) = Institution::sent_to(&manifest, &rs.list);
        let contact = Contact {
            name: signatory_name,
            role: signatory_role,
            email: from_given.then(|| from.email.to_string()),
        };
        let path = out.join("press-release.pdf");
        let written = bpfpress::render::pool(1)
            .map_err(|e| e.to_string())
            .and_then(|pool| {
                pool.install(|| {
                    letters::press_release(&engine, &setup, &institutions, dissemination, &contact)
                })
                .map_err(|e| e.to_string())
            })
            .and_then(|pdf| {
                bpfpress::fsutil::write_atomic(&path, &pdf)
                    .map_err(|e| format!("{}: {e}", path.display()))
            });
        match written {
            Ok(()) => eprintln!(
                "wrote {} ({} institutions, {})",
                path.display(),
                institutions.len(),
                match dissemination {
                    letters::Dissemination::Sent => "those the send log confirms",
                    letters::Dissemination::Sending => "those the report is being sent to",
                }
            ),
            Err(e) => return fail(format!("press release: {e}")),
        }
    }

    eprintln!("{}", manifest.summary());
    eprintln!("manifest: {}", out.join("mailing.csv").display());
    if manifest.count(Status::Failed) + manifest.count(Status::Uncertain) > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}
