//! Ingest: a draft file (DOCX, PDF, Markdown/text) in, a [`Document`] out.
//!
//! Takes a path; gives a [`Document`] or an [`IngestError`] that names the
//! file, the place (zip part, PDF object/page, text line) and the reason.
//! Knows nothing of the later stages.
//!
//! Every reader runs under [`Limits`]: input size, decompressed size,
//! nesting depth, page count and wall-clock time. Parsing happens on a
//! dedicated thread with a large stack under `catch_unwind`, so a parser
//! panic or a deep recursion in a third-party crate becomes an error for
//! that one file instead of killing a batch, and a hang becomes a timeout.
//! Inputs are opened read-only and never written.
//!
//! The format is told by content ([`detect`]); what is not a draft format
//! (a legacy `.doc`, RTF, XML, an image, a spreadsheet) is named for what
//! it is ([`foreign`]). One reader per format ([`docx`], [`pdf`],
//! [`markdown`]), and what they share so that one draft gives one model
//! whatever its format: heading labels ([`labels`]) and the title page
//! ([`front`]).

pub mod docx;
pub mod foreign;
pub mod front;
pub mod labels;
pub mod markdown;
pub mod pdf;

use crate::model::{Document, Format};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// Resource limits for hostile or broken input. The defaults fit real BPF
/// reports (tens of pages, a few MB) with a wide margin.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest input file accepted, in bytes.
    pub max_file_bytes: u64,
    /// Largest decompressed size of one zip part (DOCX).
    pub max_part_bytes: u64,
    /// Largest total decompressed size of all zip parts (DOCX).
    pub max_total_bytes: u64,
    /// Largest compression ratio (decompressed / compressed) of a zip part
    /// bigger than 1 MiB; zip bombs are far above it, real XML far below.
    pub max_ratio: u64,
    /// Most entries in a zip package.
    pub max_entries: usize,
    /// Deepest XML element nesting accepted (nested tables, bombs).
    pub max_xml_depth: usize,
    /// Most pages in a PDF.
    pub max_pages: u32,
    /// Largest decompressed size of PDF streams in total.
    pub max_pdf_decompressed: usize,
    /// Wall-clock time one file may take.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_part_bytes: 64 << 20,
            max_total_bytes: 256 << 20,
            max_ratio: 200,
            max_entries: 10_000,
            max_xml_depth: 256,
            max_pages: 5_000,
            max_pdf_decompressed: 256 << 20,
            timeout: Duration::from_secs(60),
        }
    }
}

/// An ingest failure for one file.
#[derive(Debug, thiserror::Error)]
#[error("{}: {kind}", path.display())]
pub struct IngestError {
    pub path: PathBuf,
    pub kind: IngestErrorKind,
}

/// Why a file could not be ingested. Messages are complete sentences a
/// consultant can act on; the path is added by [`IngestError`].
#[derive(Debug, thiserror::Error)]
pub enum IngestErrorKind {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("is a directory, not a file")]
    IsDirectory,
    #[error("is empty (0 bytes)")]
    Empty,
    #[error("is too large: {what} exceeds the limit of {limit}")]
    TooLarge { what: String, limit: String },
    #[error("unknown format: {0}")]
    UnknownFormat(String),
    /// A damaged file. `place` is a zip part, a PDF object or page, or a line.
    #[error("{}{reason}", place.as_ref().map(|p| format!("{p}: ")).unwrap_or_default())]
    Corrupt {
        place: Option<String>,
        reason: String,
    },
    #[error("is password-protected: {0}")]
    Encrypted(String),
    #[error("{0}")]
    Unsupported(String),
    #[error(
        "took longer than {0:?} to read; giving up (a real draft reads in well under a second: \
         the file is probably damaged or built to hang a reader)"
    )]
    Timeout(Duration),
    #[error("internal parser failure ({0}); the file is probably malformed")]
    Panic(String),
}

impl IngestErrorKind {
    pub fn corrupt(place: impl Into<String>, reason: impl Into<String>) -> Self {
        IngestErrorKind::Corrupt {
            place: Some(place.into()),
            reason: reason.into(),
        }
    }
}

/// Human-readable byte size for messages.
pub fn human_bytes(n: u64) -> String {
    const MIB: u64 = 1 << 20;
    if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else if n >= 1024 {
        format!("{:.1} KiB", n as f64 / 1024.0)
    } else {
        format!("{n} bytes")
    }
}

/// What the first bytes say a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detected {
    Format(Format),
    /// An OLE2 compound file: an encrypted Office package, or a legacy
    /// `.doc`, `.xls`, `.ppt` or Outlook `.msg` ([`foreign::ole`] tells).
    Ole,
    /// Text that is markup, not Markdown: RTF, XML, an HTML page
    /// ([`foreign::markup`] tells).
    Markup,
    /// An image file ([`foreign::image`] tells).
    Image,
    /// A different binary format.
    Other,
}

/// Detect the format from content. Extension is used only to word errors.
pub fn detect(bytes: &[u8]) -> Detected {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Detected::Format(Format::Docx); // validated as a Word package by the reader
    }
    // "%PDF-" may be preceded by junk in the first 1 KiB (tolerated by viewers).
    if bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Detected::Format(Format::Pdf);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Detected::Ole;
    }
    if foreign::image(bytes).is_some() {
        return Detected::Image;
    }
    // UTF-16 text (with a byte-order mark) is full of NUL bytes; the
    // Markdown reader decodes it.
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        if foreign::markup(&utf16_head(bytes)).is_some() {
            return Detected::Markup;
        }
        return Detected::Format(Format::Markdown);
    }
    let head = &bytes[..bytes.len().min(4096)];
    let binary = head
        .iter()
        .filter(|&&b| b == 0 || (b < 0x09) || (0x0e..0x20).contains(&b) && b != 0x1b)
        .count();
    if binary != 0 {
        return Detected::Other;
    }
    if foreign::markup(&String::from_utf8_lossy(head)).is_some() {
        return Detected::Markup;
    }
    Detected::Format(Format::Markdown)
}

/// The first characters of UTF-16 text with a byte-order mark.
fn utf16_head(bytes: &[u8]) -> String {
    let be = bytes.starts_with(&[0xFE, 0xFF]);
    let units = bytes[2..bytes.len().min(2050)].chunks_exact(2).map(|c| {
        if be {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    char::decode_utf16(units).map_while(Result::ok).collect()
}

/// Read one draft from `path` under `limits`.
pub fn read_path(path: &Path, limits: &Limits) -> Result<Document, IngestError> {
    let wrap = |kind| IngestError {
        path: path.to_path_buf(),
        kind,
    };
    let bytes = load(path, limits).map_err(wrap)?;
    let source = path.display().to_string();
    let mut doc = read_bytes(bytes, &source, limits).map_err(wrap)?;
    if doc.meta.format == Format::Markdown {
        markdown::images::load(&mut doc, path);
    }
    Ok(doc)
}

/// Read one draft already in memory. `source` names it in the model.
pub fn read_bytes(
    bytes: Vec<u8>,
    source: &str,
    limits: &Limits,
) -> Result<Document, IngestErrorKind> {
    if bytes.is_empty() {
        return Err(IngestErrorKind::Empty);
    }
    let detected = detect(&bytes);
    let refused = match detected {
        Detected::Markup => {
            let head = if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
                utf16_head(&bytes)
            } else {
                String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned()
            };
            foreign::markup(&head)
        }
        Detected::Image => foreign::image(&bytes),
        Detected::Other => Some(IngestErrorKind::UnknownFormat(
            "not a DOCX, PDF, Markdown or plain-text file (binary content)".into(),
        )),
        Detected::Format(_) | Detected::Ole => None,
    };
    if let Some(e) = refused {
        return Err(e);
    }
    let source = source.to_string();
    let lim = limits.clone();
    bounded(limits.timeout, move || match detected {
        Detected::Format(Format::Docx) => docx::read_docx(&bytes, &source, &lim),
        Detected::Format(Format::Pdf) => pdf::read_pdf(&bytes, &source, &lim),
        Detected::Format(Format::Markdown) => markdown::read_markdown(&bytes, &source, &lim),
        // Read here, where a panic in the compound-file parser is caught.
        _ => Err(foreign::ole(&bytes)),
    })
}

fn load(path: &Path, limits: &Limits) -> Result<Vec<u8>, IngestErrorKind> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(IngestErrorKind::IsDirectory);
    }
    if meta.len() == 0 {
        return Err(IngestErrorKind::Empty);
    }
    if meta.len() > limits.max_file_bytes {
        return Err(IngestErrorKind::TooLarge {
            what: format!("file size {}", human_bytes(meta.len())),
            limit: human_bytes(limits.max_file_bytes),
        });
    }
    use std::io::Read;
    let mut buf = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?
        .take(limits.max_file_bytes + 1)
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > limits.max_file_bytes {
        return Err(IngestErrorKind::TooLarge {
            what: "file size".into(),
            limit: human_bytes(limits.max_file_bytes),
        });
    }
    Ok(buf)
}

/// Stack for parser threads: third-party parsers recurse on nesting.
pub(crate) const PARSER_STACK: usize = 256 << 20;

/// Run `f` on its own large-stack thread, turning a panic into
/// [`IngestErrorKind::Panic`] and an overrun of `timeout` into
/// [`IngestErrorKind::Timeout`]. A timed-out thread is detached; it holds
/// no locks and its result is dropped when it finishes.
pub fn bounded<F>(timeout: Duration, f: F) -> Result<Document, IngestErrorKind>
where
    F: FnOnce() -> Result<Document, IngestErrorKind> + Send + 'static,
{
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("bpfpress-ingest".into())
        .stack_size(PARSER_STACK)
        .spawn(move || {
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
            let _ = tx.send(r);
        });
    if let Err(e) = spawned {
        return Err(IngestErrorKind::Io(e));
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(r)) => r,
        Ok(Err(payload)) => Err(IngestErrorKind::Panic(panic_message(&*payload))),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(IngestErrorKind::Timeout(timeout)),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err(IngestErrorKind::Panic(
            "parser thread ended without a result".into(),
        )),
    }
}

/// The message a panic carried.
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// Keep third-party parser panics (which we catch) off stderr, while real
/// panics elsewhere still print. Call once from the binary.
pub fn quiet_parser_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some("bpfpress-ingest") {
            return;
        }
        default(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_content() {
        assert_eq!(detect(b"%PDF-1.7\n"), Detected::Format(Format::Pdf));
        assert_eq!(detect(b"PK\x03\x04rest"), Detected::Format(Format::Docx));
        assert_eq!(
            detect(b"# Title\n\ntext"),
            Detected::Format(Format::Markdown)
        );
        assert_eq!(
            detect(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, 0]),
            Detected::Ole
        );
        assert_eq!(
            detect(&[0xFF, 0xFE, b'#', 0, b' ', 0]),
            Detected::Format(Format::Markdown)
        );
        assert_eq!(
            detect(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0]),
            Detected::Other
        );
    }

    #[test]
    fn panics_and_hangs_become_errors() {
        let r = bounded(Duration::from_secs(5), || panic!("boom"));
        assert!(matches!(r, Err(IngestErrorKind::Panic(m)) if m == "boom"));
        let r = bounded(Duration::from_millis(50), || {
            std::thread::sleep(Duration::from_secs(2));
            Err(IngestErrorKind::Empty)
        });
        assert!(matches!(r, Err(IngestErrorKind::Timeout(_))));
    }
}
