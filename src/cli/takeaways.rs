//! `bpfpress takeaways`: read a draft and write the two-page key-takeaways sheet.

use bpfpress::check::Checklist;
use bpfpress::fsutil::WriteError;
use bpfpress::ingest::Limits;
use bpfpress::pipeline::{self, Error, Flags, Settings};
use bpfpress::project::{PROJECT_FILE, Project};
use bpfpress::render::{Paper, Standard};
use bpfpress::takeaways::{self, SheetError, sheet::FIT_LEVELS};
use std::path::PathBuf;
use std::process::ExitCode;

/// Make the key-takeaways sheet (at most two pages) of a draft report.
///
/// The text comes from the report's own takeaways section ("Key takeaways",
/// "Executive summary", "Conclusions", …), else from `--from`, else from
/// sentences extracted from the report; the command prints which.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress takeaways fixtures/report/bpf-on-bpfs-2020.md -o takeaways.pdf \\\n      \
    --report-url https://example.org/bpf-report.pdf\n  \
    bpfpress takeaways draft.docx --from takeaways.md --paper letter\n\n\
    A takeaways file is Markdown: one bullet per takeaway (\"- …\"), optionally\n\
    under headings \"Takeaways\" and \"Recommendations\" / \"Next steps\".")]
pub struct Args {
    /// The draft. A `.json` file is read as a document model (`ingest --json`).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Output PDF (default: takeaways.pdf in the current folder).
    #[arg(short, long, value_name = "PDF", default_value = "takeaways.pdf")]
    output: PathBuf,
    /// A takeaways file (Markdown bullets), used when the report has no
    /// takeaways section. Default: `report.takeaways` of the project file.
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
    /// Where the full report is published (printed and encoded as QR code).
    /// Default: `report.url` of the project file.
    #[arg(long, value_name = "URL")]
    report_url: Option<String>,
    /// The contact line (default: the project's signatory, else the report's editors).
    #[arg(long, value_name = "TEXT")]
    contact: Option<String>,
    /// Project file or folder (default: bpf.toml next to FILE, if there is one).
    #[arg(long, value_name = "PATH")]
    project: Option<PathBuf>,
    /// Paper size: a4 or letter (default: `output.paper` of the project file, else a4).
    #[arg(long, value_name = "PAPER")]
    paper: Option<Paper>,
    /// Use a customised copy of the templates folder (takeaways.typ, lib/, fonts/).
    #[arg(long, value_name = "DIR")]
    template_dir: Option<PathBuf>,
    /// Enforce a PDF standard: pdf-ua-1 (accessibility) or pdf-a-2b
    /// (archival). Default: `output.standard` of the project file, else none.
    #[arg(long, value_name = "STANDARD")]
    standard: Option<Standard>,
}

/// The project: `--project`, else `bpf.toml` beside the draft.
fn project(args: &Args) -> Result<Option<Project>, Error> {
    let path = match &args.project {
        Some(p) => p.clone(),
        None => {
            let beside = args
                .file
                .parent()
                .map(|d| d.join(PROJECT_FILE))
                .unwrap_or_else(|| PathBuf::from(PROJECT_FILE));
            if !beside.is_file() {
                return Ok(None);
            }
            beside
        }
    };
    Ok(Some(Project::load(&path)?))
}

pub fn run(args: Args) -> ExitCode {
    let made = super::clock().and_then(|clock| {
        let project = project(&args)?;
        let flags = Flags {
            offered: &["--report-url", "--contact", "--paper", "--standard"],
            report_url: args.report_url.clone(),
            contact: args.contact.clone(),
            paper: args.paper,
            standard: args.standard,
            template_dir: args.template_dir.clone(),
            takeaways: args.from.clone(),
            ..Flags::default()
        };
        let settings = Settings::resolve(project.as_ref(), flags, &clock)?;
        let mut doc = pipeline::ingest(&args.file, &Limits::default())?;
        settings.apply(&mut doc);
        let from = match &settings.takeaways_file {
            Some(p) => Some(pipeline::read_takeaways_file(p, p.display().to_string())?),
            None => None,
        };
        let engine = pipeline::engine(&settings)?;
        // Where the report covers elements 1, 2, 6, 8, 9, 10: the check
        // stage's findings, headings for what it did not find.
        let report = pipeline::check(&doc, &Checklist::builtin(), &settings);
        pipeline::takeaways(&engine, &doc, &report, from.as_ref(), &settings)
            .map_err(|e| e.with_path(&args.file))
    });
    let made = match made {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            // The job ran, but the draft has no takeaways to put on a sheet.
            return match e.cause() {
                Error::Sheet(SheetError::Empty) => ExitCode::from(pipeline::EXIT_FINDINGS),
                _ => ExitCode::from(e.exit_code()),
            };
        }
    };
    let source = &made.output.source;
    println!("takeaways from {source}");
    if args.from.is_some() && !matches!(source, takeaways::Source::File { .. }) {
        eprintln!(
            "note: the report has its own takeaways section, which is used instead of --from"
        );
    }
    let sheet = &made.output.sheet;
    if let Err(source) = bpfpress::fsutil::write_atomic(&args.output, &sheet.pdf) {
        return super::fail(&Error::from(WriteError {
            path: args.output.clone(),
            source,
        }));
    }
    super::warn(&made.warnings);
    let level = FIT_LEVELS[sheet.fit_level];
    eprintln!(
        "wrote {} ({} page{}, body {} pt)",
        args.output.display(),
        sheet.pages,
        if sheet.pages == 1 { "" } else { "s" },
        level.size_pt
    );
    ExitCode::SUCCESS
}
