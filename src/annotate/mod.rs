//! Annotate: the check's findings written into a reviewed copy of the
//! draft, as comments where the drafting team works.
//!
//! Takes the draft's bytes, the [`Document`] read from exactly those bytes
//! and its [`CheckReport`]; gives the bytes of a copy that differs from the
//! draft only by comments from the author [`AUTHOR`]:
//! - a first comment on the title (or at the start) with the summary and
//!   the command that made it;
//! - each **weak** element on its section heading, or on its evidence
//!   paragraph, with what is thin and what to add;
//! - each **missing** element at the most fitting place (see
//!   [`compose`]), quoting the modalities' wording;
//! - each hygiene finding of error or warning severity at its place, with
//!   its hint; findings without a place go into the first comment.
//!
//! **Word drafts** ([`docx`]) are edited as a package, never re-serialised:
//! every zip entry but the few that must change is copied raw (its
//! compressed bytes, CRC and name as they were), and the parts that change
//! are edited by splicing text into the original XML at positions a
//! quick-xml scan found, so everything else in them, down to namespace
//! declarations and whitespace, stays byte for byte. The parts that change:
//! the main document (a comment range and a reference run inside each
//! annotated paragraph), the comments part (created or extended), and only
//! when the comments part is new the document's relationships and
//! `[Content_Types].xml`; when the draft has Word's extended comment parts
//! (`commentsExtended`, `commentsIds`, `commentsExtensible`: replies, done
//! state, durable ids), they get entries for the new comments too. Going
//! through docx-rs (or any object model) instead would rewrite every part
//! it understands and drop what it does not: styles, numbering, tracked
//! changes and the reviewers' own comments would not survive unchanged.
//!
//! **Markdown drafts** ([`markdown`]) get the same comments as
//! `<!-- bpfpress: … -->` HTML comments on their own lines before the
//! block they concern; nothing else in the text changes.
//!
//! Running it on an annotated copy first removes [`AUTHOR`]'s earlier
//! comments (ranges, reference runs, entries in every comment part), so a
//! re-run replaces them and never duplicates them; other reviewers'
//! comments and replies stay as they are (a reply to a removed comment
//! becomes a comment of its own). PDF drafts cannot be annotated.

pub mod compose;
pub mod docx;
pub mod markdown;
mod xml;

use crate::check::{CheckOptions, CheckReport, Checklist, check};
use crate::dates::Date;
use crate::ingest::{IngestError, IngestErrorKind, Limits, read_bytes};
use crate::model::{Document, Format};
use std::path::{Path, PathBuf};

/// The author of every comment the check writes; earlier comments by this
/// author are replaced on a re-run.
pub const AUTHOR: &str = "bpfpress check";
/// The author's initials (Word shows them in the comment marks).
pub const INITIALS: &str = "BP";

/// What a reviewed copy is made with, besides the draft and its report.
#[derive(Debug, Clone)]
pub struct Options {
    /// The check's date: every comment is dated with it (midnight UTC).
    pub date: Date,
    /// The command line that made the copy, quoted in the first comment.
    pub command: String,
    /// Size caps for reading the draft's package (those of the reader).
    pub limits: Limits,
}

/// A reviewed copy in memory.
#[derive(Debug, Clone)]
pub struct Annotated {
    pub bytes: Vec<u8>,
    /// Comments written.
    pub comments: usize,
    /// Earlier comments by [`AUTHOR`] that were replaced.
    pub replaced: usize,
}

/// Why a reviewed copy could not be made. Messages name the place and say
/// what to do; [`AnnotateError`] adds the file.
#[derive(Debug, thiserror::Error)]
pub enum AnnotateErrorKind {
    /// A PDF (or other format) that cannot carry comments.
    #[error(
        "is a {0} draft, which cannot carry comments; annotate the Word (.docx) or Markdown source instead"
    )]
    Unsupported(Format),
    /// A package part the copy must change is damaged.
    #[error("{place}: {reason}; re-save the draft in Word or LibreOffice and try again")]
    Corrupt { place: String, reason: String },
    /// A Markdown draft that is not UTF-8 (its copy would change encoding).
    #[error(
        "is not UTF-8 text (invalid byte at offset {0}), so its reviewed copy cannot keep the encoding; save the draft as UTF-8"
    )]
    NotUtf8(usize),
    /// A Word draft with no paragraph to anchor a comment on.
    #[error("{0} has no paragraph to attach a comment to (the document is empty)")]
    NoParagraph(String),
    /// The draft's package could not be read (caps, zip, encoding).
    #[error("{0}")]
    Package(IngestErrorKind),
    /// The output would overwrite the draft.
    #[error("the reviewed copy would overwrite the draft itself; give another output path")]
    SameFile,
    /// The output name does not fit the draft's format.
    #[error("is a {format} draft, so its reviewed copy is {format} too; name the output {hint}")]
    WrongExtension { format: Format, hint: String },
    #[error("cannot write the reviewed copy {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl AnnotateErrorKind {
    pub(crate) fn corrupt(place: impl Into<String>, reason: impl Into<String>) -> Self {
        AnnotateErrorKind::Corrupt {
            place: place.into(),
            reason: reason.into(),
        }
    }
}

/// A failure for one draft: the file and why.
#[derive(Debug, thiserror::Error)]
pub enum AnnotateError {
    /// The draft could not be read at all (no report).
    #[error(transparent)]
    Read(#[from] IngestError),
    #[error("{}: {kind}", path.display())]
    Annotate {
        path: PathBuf,
        kind: AnnotateErrorKind,
    },
}

/// Make the reviewed copy of a draft in memory. `bytes` are the draft's
/// bytes, `doc` the model read from them and `report` its check.
pub fn annotate(
    bytes: &[u8],
    doc: &Document,
    report: &CheckReport,
    opts: &Options,
) -> Result<Annotated, AnnotateErrorKind> {
    let notes = compose::notes(doc, report, opts);
    match doc.meta.format {
        Format::Docx => docx::annotate(bytes, doc, &notes, opts),
        Format::Markdown => markdown::annotate(bytes, doc, &notes),
        f @ Format::Pdf => Err(AnnotateErrorKind::Unsupported(f)),
    }
}

/// The outcome of [`check_file`].
#[derive(Debug)]
pub struct Checked {
    pub report: CheckReport,
    /// The copy written, or `None` when the draft's format cannot carry
    /// comments (PDF): the report is still there.
    pub written: Option<Annotated>,
}

/// Whether a draft of this format can be annotated.
pub fn can_annotate(format: Format) -> bool {
    matches!(format, Format::Docx | Format::Markdown)
}

/// Read, check and annotate one draft: the copy goes to `output`
/// (atomically; the draft is never written). The draft is read once, so
/// the copy is made from exactly the bytes that were checked. Earlier
/// comments by [`AUTHOR`] are left out of the check (they are its own
/// output, replaced in the copy).
pub fn check_file(
    input: &Path,
    output: &Path,
    checklist: &Checklist,
    check_opts: &CheckOptions,
    opts: &Options,
) -> Result<Checked, AnnotateError> {
    let fail = |kind| AnnotateError::Annotate {
        path: input.to_path_buf(),
        kind,
    };
    let read_err = |kind| {
        AnnotateError::Read(IngestError {
            path: input.to_path_buf(),
            kind,
        })
    };
    let bytes = read_draft(input, &opts.limits).map_err(read_err)?;
    let mut doc =
        read_bytes(bytes.clone(), &input.display().to_string(), &opts.limits).map_err(read_err)?;
    doc.comments.retain(|c| c.author != AUTHOR);
    let report = check(&doc, checklist, check_opts);
    if !can_annotate(doc.meta.format) {
        return Ok(Checked {
            report,
            written: None,
        });
    }
    check_output_name(doc.meta.format, output).map_err(fail)?;
    if same_file(input, output) {
        return Err(fail(AnnotateErrorKind::SameFile));
    }
    let annotated = annotate(&bytes, &doc, &report, opts).map_err(fail)?;
    crate::fsutil::write_atomic(output, &annotated.bytes).map_err(|source| {
        fail(AnnotateErrorKind::Write {
            path: output.to_path_buf(),
            source,
        })
    })?;
    Ok(Checked {
        report,
        written: Some(annotated),
    })
}

/// The draft's bytes, refused (as the reader refuses them) when the file
/// is a folder, empty or over [`Limits::max_file_bytes`].
fn read_draft(path: &Path, limits: &Limits) -> Result<Vec<u8>, IngestErrorKind> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(IngestErrorKind::IsDirectory);
    }
    let mut buf = Vec::new();
    file.take(limits.max_file_bytes + 1).read_to_end(&mut buf)?;
    if buf.is_empty() {
        return Err(IngestErrorKind::Empty);
    }
    if buf.len() as u64 > limits.max_file_bytes {
        return Err(IngestErrorKind::TooLarge {
            what: "file size".into(),
            limit: crate::ingest::human_bytes(limits.max_file_bytes),
        });
    }
    Ok(buf)
}

/// A Word draft's copy must end in `.docx` (Word refuses other names); a
/// Markdown draft's copy must not (Word would refuse that too).
fn check_output_name(format: Format, output: &Path) -> Result<(), AnnotateErrorKind> {
    let ext = output
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let wordish = matches!(ext.as_str(), "docx" | "docm" | "dotx" | "doc");
    match format {
        Format::Docx if !matches!(ext.as_str(), "docx" | "docm") => {
            Err(AnnotateErrorKind::WrongExtension {
                format,
                hint: "….docx".into(),
            })
        }
        Format::Markdown if wordish => Err(AnnotateErrorKind::WrongExtension {
            format,
            hint: "….md".into(),
        }),
        _ => Ok(()),
    }
}

/// Whether `output` names the same file as `input` (through links or `..`).
fn same_file(input: &Path, output: &Path) -> bool {
    let Ok(a) = input.canonicalize() else {
        return false;
    };
    if let Ok(b) = output.canonicalize() {
        return a == b;
    }
    // The output does not exist yet: compare its folder and name.
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    match (dir.canonicalize(), output.file_name()) {
        (Ok(d), Some(n)) => d.join(n) == a,
        _ => false,
    }
}
