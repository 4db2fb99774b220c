//! `bpfpress render`: read a draft and write the report PDF.

use super::EXIT_INPUT;
use bpfpress::ingest::{Limits, read_path};
use bpfpress::model::Document;
use bpfpress::render::{Engine, Paper, RenderError, ReportOptions, Standard, render_report_to};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Render a draft (DOCX, PDF, Markdown, or a model JSON from `ingest --json`)
/// as a laid-out, tagged report PDF.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress render fixtures/report/bpf-on-bpfs-2020.md -o report.pdf\n  \
    bpfpress render draft.docx --standard pdf-ua-1 --paper letter\n  \
    bpfpress render draft.docx --template-dir my-templates/")]
pub struct Args {
    /// The draft. A `.json` file is read as a document model (`ingest --json`).
    #[arg(value_name = "FILE")]
    file: PathBuf,
    /// Output PDF (default: the draft's name with `.pdf`, in the current folder).
    #[arg(short, long, value_name = "PDF")]
    output: Option<PathBuf>,
    /// Enforce a PDF standard: pdf-ua-1 (accessibility) or pdf-a-2b (archival).
    #[arg(long, value_name = "STANDARD")]
    standard: Option<Standard>,
    /// Use a customised copy of the templates folder (report.typ, lib/, fonts/).
    #[arg(long, value_name = "DIR")]
    template_dir: Option<PathBuf>,
    /// Paper size: a4 (default) or letter.
    #[arg(long, default_value = "a4", value_name = "PAPER")]
    paper: Paper,
}

pub(super) fn read_doc(path: &Path) -> Result<Document, String> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if is_json {
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        return serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "{}: not a bpfpress document model (line {}, column {}): {e}",
                path.display(),
                e.line(),
                e.column()
            )
        });
    }
    read_path(path, &Limits::default()).map_err(|e| e.to_string())
}

pub fn run(args: Args) -> ExitCode {
    // The draft is read while the engine loads its fonts and templates: the
    // two do not depend on each other, and a one-shot render pays for both.
    let (doc, engine) = std::thread::scope(|s| {
        let engine = s.spawn(|| Engine::new(args.template_dir.as_deref()));
        let doc = read_doc(&args.file);
        let engine = engine
            .join()
            .unwrap_or_else(|_| Err(RenderError::Panic("engine set-up panicked".into())));
        (doc, engine)
    });
    let doc = match doc {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let engine = match engine {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let out = args.output.unwrap_or_else(|| {
        let stem = args
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "report".into());
        PathBuf::from(format!("{stem}.pdf"))
    });
    let opts = ReportOptions {
        paper: args.paper,
        standard: args.standard,
    };
    match render_report_to(&engine, &doc, &opts, &out) {
        Ok(r) => {
            for w in &r.warnings {
                eprintln!("{w}");
            }
            eprintln!("wrote {} ({} pages)", out.display(), r.pages);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", args.file.display());
            ExitCode::from(EXIT_INPUT)
        }
    }
}
