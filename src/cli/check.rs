//! `bpfpress check`: check drafts against the output-element checklist and
//! the draft-hygiene rules.

use super::{EXIT_FINDINGS, EXIT_INPUT};
use bpfpress::check::format::{self, FileError, JsonOutput};
use bpfpress::check::{CheckOptions, CheckReport, Checklist, Date, check, parse_date};
use bpfpress::ingest::{Limits, read_path};
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
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_meeting_date)]
    meeting_date: Option<Date>,
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

fn parse_meeting_date(s: &str) -> Result<Date, String> {
    parse_date(s)
}

/// `--annotate` / `--annotate-dir`: reviewed copies with the findings as
/// comments (`bpfpress::annotate`).
mod annotate {
    use super::Args;
    use bpfpress::annotate::{AnnotateError, Options, check_file};
    use bpfpress::check::format::FileError;
    use bpfpress::check::{CheckOptions, CheckReport, Checklist, Date};
    use std::path::{Path, PathBuf};

    pub struct Plan {
        /// One output file, or a folder.
        out: PathBuf,
        dir: bool,
        /// The folders given, to keep each draft's path below its folder.
        roots: Vec<PathBuf>,
        opts: Options,
    }

    /// The command line as typed, for the first comment of each copy.
    fn command() -> String {
        let quote = |a: String| {
            if !a.is_empty()
                && a.chars()
                    .all(|c| c.is_alphanumeric() || "-_./:=@,+%".contains(c))
            {
                a
            } else {
                format!("'{}'", a.replace('\'', "'\\''"))
            }
        };
        std::iter::once("bpfpress".to_string())
            .chain(
                std::env::args_os()
                    .skip(1)
                    .map(|a| quote(a.to_string_lossy().into_owned())),
            )
            .collect::<Vec<_>>()
            .join(" ")
    }

    impl Plan {
        /// What to annotate, or `None` without the options. Leaves out of
        /// `files` the reviewed copies of an earlier run (the output folder
        /// inside an input folder).
        pub fn new(args: &Args, files: &mut Vec<PathBuf>) -> Result<Option<Plan>, String> {
            let (out, dir) = match (&args.annotate, &args.annotate_dir) {
                (Some(f), _) => (f.clone(), false),
                (None, Some(d)) => (d.clone(), true),
                (None, None) => return Ok(None),
            };
            if dir {
                if let Ok(out) = out.canonicalize() {
                    files.retain(|f| f.canonicalize().map_or(true, |f| !f.starts_with(&out)));
                }
            } else if files.len() != 1 || args.paths.iter().any(|p| p.is_dir()) {
                return Err(
                    "--annotate writes the reviewed copy of one draft; for several drafts or a \
                     folder use --annotate-dir DIR"
                        .into(),
                );
            }
            // The check's date, from the one clock (SOURCE_DATE_EPOCH or today).
            let d = super::super::letters::default_date();
            let plan = Plan {
                out,
                dir,
                roots: args.paths.iter().filter(|p| p.is_dir()).cloned().collect(),
                opts: Options {
                    date: Date {
                        year: d.year,
                        month: d.month,
                        day: d.day,
                    },
                    command: command(),
                    limits: Default::default(),
                },
            };
            // Two drafts must not share a copy.
            let mut seen = std::collections::HashMap::new();
            for f in files.iter() {
                if let Some(other) = seen.insert(plan.output(f), f) {
                    return Err(format!(
                        "{} and {} would both be annotated into {}; annotate them separately",
                        other.display(),
                        f.display(),
                        plan.output(f).display()
                    ));
                }
            }
            Ok(Some(plan))
        }

        fn output(&self, input: &Path) -> PathBuf {
            if !self.dir {
                return self.out.clone();
            }
            let rel = self
                .roots
                .iter()
                .find_map(|r| input.strip_prefix(r).ok())
                .map(Path::to_path_buf)
                .or_else(|| input.file_name().map(PathBuf::from))
                .unwrap_or_else(|| input.to_path_buf());
            self.out.join(rel)
        }

        /// Check one draft and write its reviewed copy; the report, and a
        /// line for standard error.
        pub fn run(
            &self,
            input: &Path,
            checklist: &Checklist,
            opts: &CheckOptions,
        ) -> (Result<CheckReport, FileError>, Option<String>) {
            let out = self.output(input);
            let fail = |e: AnnotateError| FileError {
                path: input.display().to_string(),
                error: match e {
                    AnnotateError::Read(e) => e.kind.to_string(),
                    AnnotateError::Annotate { kind, .. } => kind.to_string(),
                },
            };
            if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty())
                && let Err(e) = std::fs::create_dir_all(parent)
            {
                let error = format!("cannot create the folder {}: {e}", parent.display());
                let path = input.display().to_string();
                return (Err(FileError { path, error }), None);
            }
            match check_file(input, &out, checklist, opts, &self.opts) {
                Err(e) => (Err(fail(e)), None),
                Ok(c) => match c.written {
                    Some(a) => {
                        let replaced = match a.replaced {
                            0 => String::new(),
                            n => format!(", replacing {n} earlier ones"),
                        };
                        let note =
                            format!("wrote {}: {} comments{replaced}", out.display(), a.comments);
                        (Ok(c.report), Some(note))
                    }
                    None if self.dir => {
                        let note = format!(
                            "note: {}: a {} draft cannot carry comments; checked, not annotated",
                            input.display(),
                            c.report.format
                        );
                        (Ok(c.report), Some(note))
                    }
                    None => {
                        let error =
                            bpfpress::annotate::AnnotateErrorKind::Unsupported(c.report.format)
                                .to_string();
                        let path = input.display().to_string();
                        (Err(FileError { path, error }), None)
                    }
                },
            }
        }
    }
}

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
    let opts = CheckOptions {
        meeting_date: args.meeting_date,
    };
    let mut errors = Vec::new();
    let mut files = expand(&args.paths, &mut errors);
    let annotating = match annotate::Plan::new(&args, &mut files) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(EXIT_INPUT);
        }
    };

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
            let r = match annotating.as_ref().map(|a| a.run(p, &checklist, &opts)) {
                Some(r) => r,
                None => (
                    read_path(p, &limits)
                        .map(|doc| check(&doc, &checklist, &opts))
                        .map_err(|e| FileError {
                            path: p.display().to_string(),
                            error: e.kind.to_string(),
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
        OutFormat::Markdown => {
            let mut s = reports
                .iter()
                .map(format::markdown)
                .collect::<Vec<_>>()
                .join("\n");
            if batch {
                s.push_str("\n## Summary\n\n");
                s.push_str(&format::matrix_markdown(&reports, &errors));
            }
            s
        }
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
