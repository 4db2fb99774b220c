//! `bpfpress check --annotate` / `--annotate-dir`: reviewed copies with
//! the findings as comments (`bpfpress::annotate`).

use super::Args;
use bpfpress::annotate::{AnnotateError, Options, check_file};
use bpfpress::check::format::FileError;
use bpfpress::check::{CheckOptions, CheckReport, Checklist};
use bpfpress::dates::Date;
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
    /// `today` is the check's date (the run's one clock), for the comments.
    pub fn new(args: &Args, files: &mut Vec<PathBuf>, today: Date) -> Result<Option<Plan>, String> {
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
        let plan = Plan {
            out,
            dir,
            roots: args.paths.iter().filter(|p| p.is_dir()).cloned().collect(),
            opts: Options {
                date: today,
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
                    let error = bpfpress::annotate::AnnotateErrorKind::Unsupported(c.report.format)
                        .to_string();
                    let path = input.display().to_string();
                    (Err(FileError { path, error }), None)
                }
            },
        }
    }
}
