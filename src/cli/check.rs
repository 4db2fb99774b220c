//! `bpfpress check`: check drafts against the output-element checklist and
//! the draft-hygiene rules.

use super::{EXIT_FINDINGS, EXIT_INPUT};
use bpfpress::check::format::{self, FileError, JsonOutput};
use bpfpress::check::{CheckReport, Checklist};
use bpfpress::dates::Date;
use bpfpress::ingest::Limits;
use bpfpress::pipeline::{self, Flags, Settings};
use rayon::prelude::*;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum OutFormat {
    /// A checklist table and hygiene findings for a terminal.
    Text,
    /// The versioned JSON document described in docs/check.md.
    Json,
    /// Markdown, ready to paste into an email to the drafting team.
    Markdown,
}

/// Check drafts for the ten BPF output elements and for draft hygiene.
///
/// Exit codes: 0 every key element present and no error finding (in every
/// file); 1 otherwise; 2 a file could not be read or the arguments are bad.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress check draft.docx\n  \
    bpfpress check drafts/ --format markdown > check.md\n  \
    bpfpress check draft.pdf --meeting-date 2020-11-02 --format json\n  \
    bpfpress check draft.docx --annotate draft-reviewed.docx\n  \
    bpfpress check drafts/ --annotate-dir reviewed/")]
pub struct Args {
    /// Draft files or folders (folders are searched for .docx, .pdf, .md,
    /// .markdown and .txt files, recursively).
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: OutFormat,
    /// Use this checklist file instead of the built-in one (format: docs/check.md).
    #[arg(long, value_name = "FILE")]
    checklist: Option<PathBuf>,
    /// Date of the IGF annual meeting (YYYY-MM-DD): check that the draft is
    /// dated at least six weeks (42 days) before it.
    #[arg(long, value_name = "YYYY-MM-DD")]
    meeting_date: Option<Date>,
    /// A project (bpf.toml, or its folder) whose `[check]` table maps
    /// elements to headings (`8 = "Loose ends"`) and whose
    /// `report.meeting_date` applies. A draft's front matter may map too.
    #[arg(long, value_name = "FILE|DIR")]
    project: Option<PathBuf>,
    /// Write the output to this file (atomically) instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Also write a reviewed copy of the draft (Word or Markdown) with the
    /// findings as comments by "bpfpress check"; nothing else in the copy
    /// changes and the draft itself is never written. Run on a reviewed
    /// copy, it replaces its earlier comments (docs/check.md).
    #[arg(long, value_name = "FILE", conflicts_with = "annotate_dir")]
    annotate: Option<PathBuf>,
    /// Write a reviewed copy of every Word and Markdown draft into this
    /// folder, under the same relative path (PDF drafts are checked, not
    /// annotated).
    #[arg(long, value_name = "DIR")]
    annotate_dir: Option<PathBuf>,
}

mod annotate;

const DRAFT_EXTENSIONS: [&str; 5] = ["docx", "pdf", "md", "markdown", "txt"];

/// Expand folders into the drafts they hold (sorted); files pass through.
fn expand(paths: &[PathBuf], errors: &mut Vec<FileError>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out, errors);
            out[before..].sort();
            if out.len() == before {
                errors.push(FileError {
                    path: p.display().to_string(),
                    error: format!(
                        "folder holds no drafts (files ending in .{})",
                        DRAFT_EXTENSIONS.join(", .")
                    ),
                });
            }
        } else {
            out.push(p.clone());
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, errors: &mut Vec<FileError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(FileError {
                path: dir.display().to_string(),
                error: format!("cannot list folder: {e}"),
            });
            return;
        }
    };
    for entry in entries.flatten() {
        let p = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            walk(&p, out, errors);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| DRAFT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(p);
        }
    }
}

pub fn run(args: Args) -> ExitCode {
    let settings = super::clock().and_then(|clock| {
        let flags = Flags {
            meeting_date: args.meeting_date,
            ..Flags::default()
        };
        let project = match &args.project {
            Some(p) => Some(bpfpress::project::Project::load(p)?),
            None => None,
        };
        Ok(Settings::resolve(project.as_ref(), flags, &clock)?)
    });
    let settings = match settings {
        Ok(s) => s,
        Err(e) => return super::fail(&e),
    };
    let checklist = match &args.checklist {
        None => Checklist::builtin(),
        Some(p) => match Checklist::load(p) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(EXIT_INPUT);
            }
        },
    };
    let mut errors = Vec::new();
    let mut files = expand(&args.paths, &mut errors);
    let annotating = match annotate::Plan::new(&args, &mut files, settings.clock.today()) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };
    let check_opts = settings.check_options();

    let bar = if files.len() > 1 && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(files.len() as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("checking {bar:30} {pos}/{len} {wide_msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let limits = Limits::default();
    let results: Vec<(Result<CheckReport, FileError>, Option<String>)> = files
        .par_iter()
        .map(|p| {
            bar.set_message(p.display().to_string());
            let r = match &annotating {
                Some(a) => a.run(p, &checklist, &check_opts),
                None => (
                    pipeline::ingest(p, &limits)
                        .map(|doc| pipeline::check(&doc, &checklist, &settings))
                        .map_err(|e| FileError {
                            path: p.display().to_string(),
                            error: e.without_path().to_string(),
                        }),
                    None,
                ),
            };
            bar.inc(1);
            r
        })
        .collect();
    bar.finish_and_clear();

    let mut reports = Vec::new();
    for (r, note) in results {
        if let Some(n) = note {
            eprintln!("{n}");
        }
        match r {
            Ok(rep) => reports.push(rep),
            Err(e) => errors.push(e),
        }
    }
    for e in &errors {
        eprintln!("error: {}: {}", e.path, e.error);
    }
    let code = bpfpress::check::exit_code(&reports, errors.len());
    debug_assert!([0, EXIT_FINDINGS, EXIT_INPUT].contains(&code));

    let color = args.output.is_none()
        && args.format == OutFormat::Text
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let batch = reports.len() + errors.len() > 1;
    let text = match args.format {
        OutFormat::Json => {
            let out = JsonOutput::new(&checklist, reports, errors, code);
            match serde_json::to_string_pretty(&out) {
                Ok(s) => s + "\n",
                Err(e) => {
                    eprintln!("error: cannot serialise the report: {e}");
                    return ExitCode::from(EXIT_INPUT);
                }
            }
        }
        OutFormat::Text => {
            let mut s = reports
                .iter()
                .map(|r| format::text(r, color))
                .collect::<Vec<_>>()
                .join("\n");
            if batch {
                s.push('\n');
                s.push_str(&format::matrix_text(&reports, &errors, color));
            }
            s
        }
        OutFormat::Markdown => format::markdown_batch(&reports, &errors),
    };
    let written = match &args.output {
        Some(p) => bpfpress::fsutil::write_atomic(p, text.as_bytes())
            .map_err(|e| format!("{}: cannot write output: {e}", p.display())),
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("writing output: {e}"))
                }
                _ => Ok(()),
            }
        }
    };
    if let Err(e) = written {
        eprintln!("error: {e}");
        return ExitCode::from(EXIT_INPUT);
    }
    ExitCode::from(code)
}
