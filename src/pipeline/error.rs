//! One error style for the whole pipeline: a stage's own typed error,
//! wrapped in the layers a person needs to act on it — the file, the place
//! in it, what to do — and warnings returned next to the output.
//!
//! The layers follow ripgrep's `ignore::Error` (`WithPath`,
//! `WithLineNumber`, `Partial`); [`Warned`] follows typst's
//! `Warned<T>`. Messages read, outermost layer first, `file: place: cause;
//! hint`, e.g. `proj/bpf.toml: `report.path`: …/draft.docx: cannot read
//! file: No such file or directory`.

use crate::check::ChecklistError;
use crate::dates::DateError;
use crate::fsutil::WriteError;
use crate::ingest::{IngestError, IngestErrorKind};
use crate::letters::LettersError;
use crate::mail::{CampaignError, MailTextError, RecipientsError};
use crate::project::ProjectError;
use crate::render::{Diagnostic, RenderError};
use crate::summaries::SummariesError;
use crate::takeaways::SheetError;
use crate::takeaways::file::FileError as TakeawaysFileError;
use std::path::{Path, PathBuf};

use super::settings::SettingsError;

/// Exit code: the job ran and found problems.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: input unreadable or bad arguments.
pub const EXIT_INPUT: u8 = 2;

/// A problem that stops a stage. Leaves are the stages' typed errors;
/// `With*` variants add context; `Partial` holds several problems of a
/// batch, each complete.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Several problems (a batch reports every bad file and goes on with
    /// the rest); one line each.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n"))]
    Partial(Vec<Error>),
    /// The file the problem concerns.
    #[error("{}: {err}", path.display())]
    WithPath { path: PathBuf, err: Box<Error> },
    /// Where in the file: a key of `bpf.toml`, a row, a line.
    #[error("{place}: {err}")]
    WithPlace { place: String, err: Box<Error> },
    /// What to do about it.
    #[error("{err}; {hint}")]
    WithHint { hint: String, err: Box<Error> },

    #[error(transparent)]
    Project(#[from] ProjectError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Date(#[from] DateError),
    /// A draft that could not be read (the path is a `WithPath` layer).
    #[error(transparent)]
    Ingest(IngestErrorKind),
    /// A file that is not a bpfpress document model (`ingest --json`).
    #[error("not a bpfpress document model (line {line}, column {column}): {message}")]
    Model {
        line: usize,
        column: usize,
        message: String,
    },
    #[error(transparent)]
    Checklist(#[from] ChecklistError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Sheet(#[from] SheetError),
    #[error(transparent)]
    Summaries(#[from] SummariesError),
    /// The compilation was asked for with no report listed.
    #[error(
        "no reports to compile: name report files or folders (`bpfpress summaries FILE|DIR…`) \
         or list them in `summaries.reports` of bpf.toml"
    )]
    NothingListed,
    #[error(transparent)]
    TakeawaysFile(#[from] TakeawaysFileError),
    #[error(transparent)]
    Recipients(#[from] RecipientsError),
    #[error(transparent)]
    Letters(#[from] LettersError),
    #[error(transparent)]
    MailText(#[from] MailTextError),
    #[error(transparent)]
    Campaign(#[from] CampaignError),
    /// Several recipients whose names no loaded font prints; one line each.
    #[error(
        "{} recipient(s) cannot be printed; nothing was produced:\n  {}",
        .0.len(),
        .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("\n  ")
    )]
    Glyphs(Vec<LettersError>),
    /// An attachment given as a PDF that is not one.
    #[error("not a PDF file")]
    NotPdf,
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A file that could not be read or listed (the path is a layer).
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The mailing may not go out (`crate::readiness`): every reason.
    #[error(
        "not sending: {} reason(s); nothing was sent (fix them, or send anyway with --force):\n{}",
        refusals.len(),
        crate::readiness::describe(refusals)
    )]
    NotReady {
        refusals: Vec<crate::readiness::Refusal>,
    },
    /// The check found key elements missing: nothing is rendered.
    #[error(
        "key element(s) missing: {}; nothing was rendered (see {}; add the missing \
         sections, or build anyway with --force)",
        missing.join("; "),
        report.display()
    )]
    KeyElementsMissing {
        missing: Vec<String>,
        report: PathBuf,
    },
    #[error("cannot serialise {what}: {source}")]
    Json {
        what: &'static str,
        source: serde_json::Error,
    },
}

impl From<IngestError> for Error {
    fn from(e: IngestError) -> Error {
        Error::Ingest(e.kind).with_path(e.path)
    }
}

impl Error {
    /// Name the file the problem concerns.
    pub fn with_path(self, path: impl Into<PathBuf>) -> Error {
        Error::WithPath {
            path: path.into(),
            err: Box::new(self),
        }
    }

    /// Name the place in the file (a key, a row, a line).
    pub fn with_place(self, place: impl Into<String>) -> Error {
        Error::WithPlace {
            place: place.into(),
            err: Box::new(self),
        }
    }

    /// Say what to do.
    pub fn with_hint(self, hint: impl Into<String>) -> Error {
        Error::WithHint {
            hint: hint.into(),
            err: Box::new(self),
        }
    }

    /// An I/O error on `path`.
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |e| Error::Io(e).with_path(path)
    }

    /// The error under its outermost file layer (for output that names
    /// the file in a column of its own).
    pub fn without_path(&self) -> &Error {
        match self {
            Error::WithPath { err, .. } => err,
            e => e,
        }
    }

    /// The innermost error, under every layer (the first of a `Partial`).
    pub fn cause(&self) -> &Error {
        match self {
            Error::WithPath { err, .. }
            | Error::WithPlace { err, .. }
            | Error::WithHint { err, .. } => err.cause(),
            Error::Partial(v) => v.first().map_or(self, Error::cause),
            e => e,
        }
    }

    /// The process exit code: 1 when the job ran and found the draft not
    /// ready (a key element missing), else 2 (input or arguments).
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Partial(v) => v.iter().map(Error::exit_code).max().unwrap_or(EXIT_INPUT),
            e => match e.cause() {
                Error::KeyElementsMissing { .. } | Error::NotReady { .. } => EXIT_FINDINGS,
                _ => EXIT_INPUT,
            },
        }
    }
}

/// A non-fatal problem: what it concerns, what happened, what to do.
/// Printed as `warning: about: message; hint`.
#[derive(Debug, Clone, PartialEq)]
pub struct Warning {
    /// The output or input it concerns (`takeaways.pdf`, a recipients
    /// file, `letters`), if any.
    pub about: Option<String>,
    pub message: String,
    pub hint: Option<String>,
}

impl Warning {
    pub fn new(message: impl Into<String>) -> Warning {
        Warning {
            about: None,
            message: message.into(),
            hint: None,
        }
    }

    /// A template's warning (its file and line are in the message).
    pub fn template(d: &Diagnostic) -> Warning {
        Warning::new(d.body())
    }

    /// Say what it concerns (kept if already said).
    pub fn about(mut self, about: impl Into<String>) -> Warning {
        self.about.get_or_insert_with(|| about.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Warning {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(a) = &self.about {
            write!(f, "{a}: ")?;
        }
        f.write_str(&self.message)?;
        if let Some(h) = &self.hint {
            write!(f, "; {h}")?;
        }
        Ok(())
    }
}

/// An output with the warnings made along the way (typst's `Warned<T>`).
#[derive(Debug)]
pub struct Warned<T> {
    pub output: T,
    pub warnings: Vec<Warning>,
}

impl<T> Warned<T> {
    pub fn new(output: T, warnings: Vec<Warning>) -> Warned<T> {
        Warned { output, warnings }
    }

    /// Move the warnings into `sink` and give the output.
    pub fn into_output(self, sink: &mut Vec<Warning>) -> T {
        sink.extend(self.warnings);
        self.output
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_read_outermost_first_and_keep_the_exit_code() {
        let e = Error::Io(std::io::Error::from(std::io::ErrorKind::NotFound))
            .with_path("drafts/x.docx")
            .with_place("`report.path`")
            .with_path("proj/bpf.toml");
        assert_eq!(
            e.to_string(),
            "proj/bpf.toml: `report.path`: drafts/x.docx: entity not found"
        );
        assert!(matches!(e.cause(), Error::Io(_)));
        assert_eq!(e.exit_code(), EXIT_INPUT);
        let k = Error::KeyElementsMissing {
            missing: vec!["2. Methodology".into()],
            report: "dist/check.md".into(),
        }
        .with_path("bpf.toml");
        assert_eq!(k.exit_code(), EXIT_FINDINGS);
        let both = Error::Partial(vec![k, e.with_hint("fix it")]);
        assert_eq!(both.exit_code(), EXIT_INPUT);
        assert!(
            both.to_string()
                .lines()
                .nth(1)
                .unwrap()
                .ends_with("; fix it")
        );
    }

    #[test]
    fn warnings_say_what_they_concern() {
        let w = Warning::new("no report URL")
            .about("takeaways.pdf")
            .hint("give one");
        assert_eq!(w.to_string(), "takeaways.pdf: no report URL; give one");
        assert_eq!(w.clone().about("other").about, Some("takeaways.pdf".into()));
        let mut sink = vec![];
        assert_eq!(Warned::new(3, vec![w]).into_output(&mut sink), 3);
        assert_eq!(sink.len(), 1);
    }
}
