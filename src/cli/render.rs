//! `bpfpress render`: read a draft and write the report PDF.

use bpfpress::fsutil::WriteError;
use bpfpress::ingest::Limits;
use bpfpress::pipeline::{self, Error, Flags, Settings};
use bpfpress::render::{Paper, RenderError, Standard};
use std::path::PathBuf;
use std::process::ExitCode;

/// Render a draft (DOCX, PDF, Markdown, or a model JSON from `ingest --json`)
/// as a laid-out, tagged report PDF.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress render fixtures/report/bpf-on-bpfs-2020.md -o report.pdf\n  \
    bpfpress render draft.docx --standard pdf-ua-1 --paper letter\n  \
    bpfpress render draft.docx --template-dir my-templates/\n  \
    bpfpress render draft.docx --title \"Output report on cybersecurity\"")]
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
    #[arg(long, value_name = "PAPER")]
    paper: Option<Paper>,
    /// The report's title, when the draft's is missing or wrong (the cover
    /// and the PDF's title metadata).
    #[arg(long, value_name = "TITLE")]
    title: Option<String>,
}

pub fn run(args: Args) -> ExitCode {
    let settings = match super::clock().and_then(|clock| {
        let flags = Flags {
            paper: args.paper,
            standard: args.standard,
            template_dir: args.template_dir.clone(),
            title: args.title.clone().filter(|t| !t.trim().is_empty()),
            ..Flags::default()
        };
        Ok(Settings::resolve(None, flags, &clock)?)
    }) {
        Ok(s) => s,
        Err(e) => return super::fail(&e),
    };
    // The draft is read while the engine loads its fonts and templates: the
    // two do not depend on each other, and a one-shot render pays for both.
    let (doc, engine) = std::thread::scope(|s| {
        let engine = s.spawn(|| pipeline::engine(&settings));
        let doc = pipeline::ingest(&args.file, &Limits::default());
        let engine = engine
            .join()
            .unwrap_or_else(|_| Err(RenderError::Panic("engine set-up panicked".into()).into()));
        (doc, engine)
    });
    let rendered = doc.and_then(|doc| {
        let engine = engine?;
        // The model is dropped once the report's data is taken from it.
        pipeline::render_owned(&engine, doc, &settings).map_err(|e| e.with_path(&args.file))
    });
    let rendered = match rendered {
        Ok(r) => r,
        Err(e) => return super::fail(&e),
    };
    let out = args.output.unwrap_or_else(|| {
        let stem = args
            .file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "report".into());
        PathBuf::from(format!("{stem}.pdf"))
    });
    if let Err(source) = bpfpress::fsutil::write_atomic(&out, &rendered.output.pdf) {
        return super::fail(&Error::from(WriteError { path: out, source }));
    }
    super::warn(&rendered.warnings);
    eprintln!("wrote {} ({} pages)", out.display(), rendered.output.pages);
    ExitCode::SUCCESS
}
