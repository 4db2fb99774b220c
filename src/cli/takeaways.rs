//! `bpfpress takeaways`: read a draft and write the key-takeaways sheet
//! (one page, or two well-filled pages).

use super::render::read_doc;
use super::{EXIT_FINDINGS, EXIT_INPUT};
use bpfpress::project::{PROJECT_FILE, Project};
use bpfpress::render::{Engine, Paper, Standard};
use bpfpress::takeaways::{self, SheetOptions, make_sheet_to, sections};
use std::path::{Path, PathBuf};
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
    /// A takeaways file (Markdown bullets), used when the report has no takeaways section.
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
    /// Paper size: a4 (default) or letter.
    #[arg(long, default_value = "a4", value_name = "PAPER")]
    paper: Paper,
    /// Use a customised copy of the templates folder (takeaways.typ, lib/, fonts/).
    #[arg(long, value_name = "DIR")]
    template_dir: Option<PathBuf>,
    /// Enforce a PDF standard: pdf-ua-1 (accessibility) or pdf-a-2b (archival).
    #[arg(long, value_name = "STANDARD")]
    standard: Option<Standard>,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {msg}");
    ExitCode::from(EXIT_INPUT)
}

/// The project: `--project`, else `bpf.toml` beside the draft.
fn project(args: &Args) -> Result<Option<Project>, String> {
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
    Project::load(&path).map(Some).map_err(|e| e.to_string())
}

fn read_from(path: &Path) -> Result<bpfpress::model::Document, String> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if matches!(ext.as_str(), "md" | "markdown" | "txt" | "") {
        takeaways::file::read(path).map_err(|e| e.to_string())
    } else {
        read_doc(path)
    }
}

pub fn run(args: Args) -> ExitCode {
    let doc = match read_doc(&args.file) {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let project = match project(&args) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let from = match &args.from {
        Some(p) => match read_from(p) {
            Ok(d) => Some((d, p.display().to_string())),
            Err(e) => return fail(e),
        },
        None => None,
    };
    let template_dir = args
        .template_dir
        .clone()
        .or_else(|| project.as_ref().and_then(Project::template_dir));
    let engine = match Engine::new(template_dir.as_deref()) {
        Ok(e) => e,
        Err(e) => return fail(e),
    };

    // Where the report covers elements 1, 2, 6, 8, 9, 10: the check stage's
    // findings, headings for what it did not find.
    let elements = sections::checked(&doc);
    let chosen = takeaways::select(&doc, from.as_ref().map(|(d, p)| (d, p.as_str())), &elements);
    println!("takeaways from {}", chosen.source);
    if args.from.is_some() && !matches!(chosen.source, takeaways::Source::File { .. }) {
        eprintln!(
            "note: the report has its own takeaways section, which is used instead of --from"
        );
    }

    let cfg = project.as_ref().map(|p| &p.config);
    let opts = SheetOptions {
        paper: args.paper,
        standard: args.standard,
        report_url: args
            .report_url
            .clone()
            .or_else(|| cfg.and_then(|c| c.report.url.clone())),
        contact: args.contact.clone().or_else(|| {
            cfg.and_then(|c| c.signatory.as_ref())
                .map(|s| match &s.role {
                    Some(r) => format!("Contact: {}, {r}", s.name),
                    None => format!("Contact: {}", s.name),
                })
        }),
        bpf_name: cfg.map(|c| c.bpf.name.clone()),
        igf_year: cfg.map(|c| c.bpf.year.to_string()),
    };
    match make_sheet_to(&engine, &doc, &chosen, &opts, &args.output) {
        Ok(sheet) => {
            for d in &sheet.dropped {
                eprintln!("warning: {d}");
            }
            for w in &sheet.warnings {
                eprintln!("{w}");
            }
            eprintln!(
                "wrote {} ({} page{}, body {} pt)",
                args.output.display(),
                sheet.pages,
                if sheet.pages == 1 { "" } else { "s" },
                sheet.size_pt
            );
            ExitCode::SUCCESS
        }
        Err(e @ takeaways::SheetError::Empty) => {
            eprintln!("error: {}: {e}", args.file.display());
            ExitCode::from(EXIT_FINDINGS)
        }
        Err(e) => fail(format!("{}: {e}", args.file.display())),
    }
}
