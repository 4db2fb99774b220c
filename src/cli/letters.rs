//! `bpfpress letters`: cover letters per institution, `.eml` mailings,
//! optional SMTP delivery and the press release.

use bpfpress::dates::Date;
use bpfpress::mail::{Mailbox, TlsMode};
use bpfpress::pipeline::campaign::{self, CampaignInput, CampaignOptions};
use bpfpress::pipeline::{self, Error, Flags, Settings, Warning};
use bpfpress::project::Project;
use bpfpress::render::Paper;
use std::path::PathBuf;
use std::process::ExitCode;

/// Make one cover letter (PDF) per institution of a recipients file, and
/// with --eml one message per recipient carrying the letter, the report
/// and the takeaways sheet. Nothing is sent without --send.
///
/// Recipients: CSV (or TOML/JSON) with the columns organisation,
/// contact_name, contact_title, email, address1..3, country, language
/// (en, fr, es), salutation, notes. Letter texts are in the template
/// folder under letters/<language>.toml; mail texts in mail.<language>.txt.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
    bpfpress letters fixtures/report/bpf-on-bpfs-2020.md \\\n    \
    --recipients fixtures/recipients/institutions.csv -o dist --eml --press-release \\\n    \
    --report-url https://www.intgovforum.org/en/filedepot_download/bpf-on-bpfs-2020.pdf \\\n    \
    --signatory-name 'Wim Degezelle' --signatory-role 'BPF consultant' \\\n    \
    --from 'IGF Secretariat <igf@example.org>'\n\n\
    Writes DIR/letters/NNN-<organisation>.pdf, DIR/mail/NNN-<organisation>.eml,\n\
    DIR/mailing.csv and .json, DIR/press-release.pdf. Exit codes: 0 done; 1 some\n\
    letters or messages failed; 2 bad input (nothing produced).")]
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
    date: Option<Date>,
    /// Sender, e.g. 'IGF Secretariat <igf@example.org>' (default: [smtp] from).
    #[arg(long, value_name = "MAILBOX")]
    from: Option<Mailbox>,
    /// SMTP server HOST[:PORT] (default: [smtp] of the project file).
    #[arg(long, value_name = "HOST")]
    smtp: Option<String>,
    /// SMTP security with --smtp: none, starttls (default) or tls.
    #[arg(long, value_name = "MODE")]
    smtp_tls: Option<TlsMode>,
    /// SMTP login; the password is read from BPFPRESS_SMTP_PASSWORD.
    #[arg(long, value_name = "USER")]
    smtp_user: Option<String>,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Paper size: a4 or letter (default: `output.paper` of --project, else a4).
    #[arg(long, value_name = "PAPER")]
    paper: Option<Paper>,
}

/// The flags of this command that can stand in for a project setting.
const OFFERED: &[&str] = &[
    "--recipients",
    "--report-url",
    "--from",
    "--smtp",
    "--takeaways",
    "--takeaways-pdf",
];

pub fn run(args: Args) -> ExitCode {
    let mut warnings: Vec<Warning> = Vec::new();
    let done = letters(&args, &mut warnings);
    super::warn(&warnings);
    match done {
        Ok(failures) => super::findings(failures),
        Err(e) => super::fail(&e),
    }
}

/// Everything of the command but the exit code; gives the number of
/// recipients whose letter or message failed.
fn letters(args: &Args, warnings: &mut Vec<Warning>) -> Result<usize, Error> {
    let clock = super::clock()?;
    let project = args.project.as_deref().map(Project::load).transpose()?;
    let flags = Flags {
        offered: OFFERED,
        date: args.date,
        title: args.report_title.clone(),
        bpf_name: args.bpf_name.clone(),
        report_url: args.report_url.clone(),
        signatory_name: args.signatory_name.clone(),
        signatory_role: args.signatory_role.clone(),
        from: args.from.clone(),
        smtp: args.smtp.clone(),
        smtp_tls: args.smtp_tls,
        smtp_user: args.smtp_user.clone(),
        paper: args.paper,
        template_dir: args.template_dir.clone(),
        font_dirs: args.font_dir.clone(),
        recipients: args.recipients.clone(),
        output: args.output.clone(),
        letter_takeaways: args.takeaways.clone(),
        ..Flags::default()
    };
    let settings = Settings::resolve(project.as_ref(), flags, &clock)?;
    let opts = CampaignOptions {
        eml: args.eml,
        send: args.send,
        resend_uncertain: args.resend_uncertain,
        force: args.force,
        skip_invalid: args.skip_invalid,
        threads: args.threads,
        progress: true,
        sink: None,
    };

    // 1. Recipients, validated before anything else.
    let recipients = campaign::load_recipients(&settings, &opts)?.into_output(warnings);

    // 2. The report, its check (what the pre-send gate judges), and what
    // the letters say about it.
    let draft = campaign::mailing_draft(&args.file, &settings)?.into_output(warnings);
    let engine = pipeline::engine(&settings)?;
    let attach = |p: &Option<PathBuf>, name: &str| {
        p.as_deref()
            .map(|p| campaign::pdf_attachment(p, name))
            .transpose()
    };
    let input = CampaignInput {
        doc: &draft.doc,
        draft: &args.file,
        check: &draft.check,
        recipients: &recipients,
        takeaways: draft.takeaways,
        report_pdf: attach(&args.report_pdf, "report.pdf")?,
        takeaways_pdf: attach(&args.takeaways_pdf, "key-takeaways.pdf")?,
    };

    // 3. Letters, messages, delivery.
    let mailing = campaign::campaign(&engine, &input, &settings, &opts, &settings.out_dir)?
        .into_output(warnings);

    // 4. Press release: the institutions it was sent to (a dry run lists
    // those it is addressed to).
    if args.press_release {
        let pr = campaign::press_release(&engine, &mailing, &recipients, &settings)
            .map_err(|e| e.with_place("press release"))?;
        let path = settings.out_dir.join("press-release.pdf");
        bpfpress::fsutil::write_atomic(&path, &pr.pdf).map_err(Error::io(&path))?;
        eprintln!(
            "wrote {} ({} institutions)",
            path.display(),
            pr.institutions
        );
    }
    eprintln!("{}", mailing.manifest.summary());
    eprintln!(
        "manifest: {}",
        settings.out_dir.join("mailing.csv").display()
    );
    Ok(mailing.failures())
}
