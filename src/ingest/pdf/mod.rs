//! PDF reader: the bytes of a PDF in, a [`Document`] out (every block located
//! by `Location::Page`, 1-based).
//!
//! Stages:
//! 1. [`load`]: lopdf under the decompression cap, then the cases lopdf lets
//!    through as an "empty" document are turned into clear errors: a password
//!    is needed (lopdf already tried the empty user password), the page tree
//!    is cyclic or absurdly deep, no pages at all, too many pages.
//! 2. [`content`]: each page's content streams (and form XObjects) walked into
//!    positioned glyphs, grouped into lines with measured word gaps.
//! 3. [`layout`]: lines into blocks — page furniture dropped, footnotes
//!    split off, headings from the outline or from font statistics, lists,
//!    paragraphs with end-of-line hyphenation joined.
//! 4. [`meta`]: Info dictionary and XMP.
//!
//! A document whose pages draw images but no text is refused with a hint to
//! run OCR first.

mod content;
mod layout;
mod meta;

use super::{IngestErrorKind, Limits, human_bytes};
use crate::model::{Document, Format};
use lopdf::{LoadOptions, Object, ObjectId};
use std::collections::HashSet;

/// Read a PDF draft.
pub fn read_pdf(bytes: &[u8], source: &str, limits: &Limits) -> Result<Document, IngestErrorKind> {
    let pdf = load(bytes, limits)?;
    let mut warnings = Vec::new();
    let pages = pdf.get_pages();
    let mut walker = content::Walker::new(&pdf, limits.max_pdf_decompressed);
    let mut page_lines = Vec::with_capacity(pages.len());
    let mut heights = Vec::with_capacity(pages.len());
    let mut glyphs = 0usize;
    let mut images = 0usize;
    for (&n, &id) in &pages {
        let pt = walker.page(id);
        if walker.exhausted {
            return Err(IngestErrorKind::TooLarge {
                what: format!("decompressed page content (at page {n})"),
                limit: human_bytes(limits.max_pdf_decompressed as u64),
            });
        }
        glyphs += pt
            .glyphs
            .iter()
            .filter(|g| !g.text.trim().is_empty())
            .count();
        images += pt.images;
        heights.push((pt.bottom, pt.height));
        page_lines.push(content::lines(n, pt.glyphs));
    }
    if walker.damaged > 0 {
        warnings.push(format!(
            "{} content stream(s) could not be decompressed; their text is missing",
            walker.damaged
        ));
    }
    if glyphs == 0 {
        return Err(if images > 0 {
            IngestErrorKind::Unsupported(format!(
                "has no text layer: its {} page(s) hold only images (a scanned document?). \
                 Run OCR on it first (e.g. `ocrmypdf in.pdf out.pdf`) and ingest the result",
                pages.len()
            ))
        } else {
            IngestErrorKind::Unsupported(format!(
                "has no extractable text on any of its {} page(s)",
                pages.len()
            ))
        });
    }
    // lopdf follows /Next without cycle detection (a cyclic outline would
    // grow without end), so the outline is checked first.
    let outline_ok = match check_outline(&pdf) {
        Ok(()) => true,
        Err(why) => {
            warnings.push(format!("outline (bookmarks) ignored: {why}"));
            false
        }
    };
    let toc = outline_ok.then(|| pdf.get_toc().ok()).flatten().map(|t| {
        t.toc
            .into_iter()
            .map(|e| layout::TocEntry {
                level: e.level,
                title: e.title,
                page: e.page as u32,
            })
            .collect::<Vec<_>>()
    });
    let mut doc = Document::new(source, Format::Pdf);
    doc.warnings = warnings;
    doc.meta.pages = Some(pages.len() as u32);
    meta::read(&pdf, &mut doc.meta);
    // When the file was made is the draft's date only if its text gives none.
    let made = doc.meta.date.take();
    layout::build(page_lines, &heights, toc.as_deref(), &mut doc);
    if doc.meta.date.is_none() {
        doc.meta.date = made;
    }
    crate::ingest::front::warn_if_untitled(&mut doc);
    doc.finish();
    Ok(doc)
}

/// Load with lopdf and turn its silent failures into errors.
fn load(bytes: &[u8], limits: &Limits) -> Result<lopdf::Document, IngestErrorKind> {
    let opts = LoadOptions {
        max_decompressed_size: Some(limits.max_pdf_decompressed),
        ..LoadOptions::default()
    };
    let pdf = lopdf::Document::load_mem_with_options(bytes, opts)
        .map_err(|e| load_error(e, bytes, limits))?;
    // lopdf tries the empty user password itself; a document still encrypted
    // without a decryption state needs a real password.
    if pdf.is_encrypted() && !pdf.was_encrypted() {
        return Err(IngestErrorKind::Encrypted(
            "this PDF needs a password to open. Remove the password (e.g. `qpdf --decrypt \
             --password=... in.pdf out.pdf`, or print to PDF from a viewer) and try again"
                .into(),
        ));
    }
    check_page_tree(&pdf, limits)?;
    let n = pdf.get_pages().len();
    if n == 0 {
        return Err(IngestErrorKind::corrupt(
            "page tree",
            "no pages could be read (the page tree is missing or damaged; the file may be truncated)",
        ));
    }
    Ok(pdf)
}

fn load_error(e: lopdf::Error, bytes: &[u8], limits: &Limits) -> IngestErrorKind {
    use lopdf::{DecompressError, Error, ParseError};
    let tail = bytes.len().saturating_sub(1024);
    let has_eof = bytes[tail..].windows(5).any(|w| w == b"%%EOF");
    let truncated = if has_eof {
        String::new()
    } else {
        format!(
            "; no %%EOF marker in the last 1 KiB of {} bytes: the file looks truncated",
            bytes.len()
        )
    };
    match e {
        Error::Decompress(DecompressError::MemoryLimitExceeded { .. }) => {
            IngestErrorKind::TooLarge {
                what: "a decompressed stream".into(),
                limit: human_bytes(limits.max_pdf_decompressed as u64),
            }
        }
        Error::InvalidPassword | Error::Decryption(_) => IngestErrorKind::Encrypted(format!(
            "this PDF is encrypted and could not be decrypted ({e}); remove the password and try again"
        )),
        Error::Parse(ParseError::InvalidFileHeader) => {
            IngestErrorKind::corrupt("file header", format!("not a valid PDF header{truncated}"))
        }
        Error::Parse(p) => IngestErrorKind::corrupt(
            "cross-reference table / trailer",
            format!("cannot be parsed ({p}){truncated}"),
        ),
        Error::Xref(x) => IngestErrorKind::corrupt(
            "cross-reference table",
            format!("cannot be read ({x}){truncated}"),
        ),
        Error::InvalidOffset(o) => IngestErrorKind::corrupt(
            format!("byte offset {o}"),
            format!("points outside the file{truncated}"),
        ),
        Error::ObjectNotFound((n, g)) => IngestErrorKind::corrupt(
            format!("object {n} {g} R"),
            format!("is referenced but missing{truncated}"),
        ),
        other => IngestErrorKind::Corrupt {
            place: None,
            reason: format!("lopdf cannot load it: {other}{truncated}"),
        },
    }
}

/// Walk /Outlines (/First, /Next) with a visited set and bounds.
fn check_outline(pdf: &lopdf::Document) -> Result<(), String> {
    const MAX_NODES: usize = 20_000;
    const MAX_DEPTH: usize = 64;
    let Some(root) = pdf
        .catalog()
        .ok()
        .and_then(|c| c.get_deref(b"Outlines", pdf).ok())
        .and_then(|o| o.as_dict().ok())
    else {
        return Ok(());
    };
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut stack: Vec<(Option<ObjectId>, usize)> =
        vec![(root.get(b"First").and_then(Object::as_reference).ok(), 1)];
    while let Some((next, depth)) = stack.pop() {
        let mut cur = next;
        while let Some(id) = cur {
            if !seen.insert(id) {
                return Err(format!(
                    "object {} {} R is reached twice (a cycle)",
                    id.0, id.1
                ));
            }
            if seen.len() > MAX_NODES {
                return Err(format!("more than {MAX_NODES} entries"));
            }
            let Ok(d) = pdf.get_dictionary(id) else { break };
            if let Ok(first) = d.get(b"First").and_then(Object::as_reference) {
                if depth >= MAX_DEPTH {
                    return Err(format!("nested more than {MAX_DEPTH} levels deep"));
                }
                stack.push((Some(first), depth + 1));
            }
            cur = d.get(b"Next").and_then(Object::as_reference).ok();
        }
    }
    Ok(())
}

/// lopdf's page iterator stops silently at cycles and at depth 256; walk the
/// tree ourselves to say which, and enforce `max_pages`.
fn check_page_tree(pdf: &lopdf::Document, limits: &Limits) -> Result<(), IngestErrorKind> {
    const MAX_DEPTH: usize = 64;
    let root = pdf
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|o| o.as_reference().ok())
        .ok_or_else(|| {
            IngestErrorKind::corrupt("document catalog", "has no /Pages entry (no page tree)")
        })?;
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut pages: u64 = 0;
    // (node, depth)
    let mut stack: Vec<(ObjectId, usize)> = vec![(root, 0)];
    let obj = |id: ObjectId| format!("object {} {} R", id.0, id.1);
    while let Some((id, depth)) = stack.pop() {
        if !seen.insert(id) {
            return Err(IngestErrorKind::corrupt(
                format!("page tree, {}", obj(id)),
                "the page tree contains a cycle (a node is its own ancestor or appears twice)",
            ));
        }
        if depth > MAX_DEPTH {
            return Err(IngestErrorKind::corrupt(
                format!("page tree, {}", obj(id)),
                format!(
                    "the page tree is nested more than {MAX_DEPTH} levels deep; refusing it as malformed"
                ),
            ));
        }
        let Ok(d) = pdf.get_dictionary(id) else {
            continue;
        };
        let is_page = d
            .get(b"Type")
            .and_then(Object::as_name)
            .is_ok_and(|t| t == b"Page");
        if is_page {
            pages += 1;
            if pages > u64::from(limits.max_pages) {
                return Err(IngestErrorKind::TooLarge {
                    what: "the page count".into(),
                    limit: format!("{} pages (Limits::max_pages)", limits.max_pages),
                });
            }
            continue;
        }
        if let Ok(kids) = d.get_deref(b"Kids", pdf).and_then(Object::as_array) {
            for k in kids.iter().rev() {
                if let Ok(kid) = k.as_reference() {
                    stack.push((kid, depth + 1));
                }
            }
        }
    }
    Ok(())
}

/// The lines of one page as the layout stage sees them, one string each
/// (for `examples/pdf_lines.rs` when tuning heuristics; not a stable API).
/// Empty when the file does not load or has no such page.
#[doc(hidden)]
pub fn debug_lines(bytes: &[u8], page: u32) -> Vec<String> {
    let Ok(pdf) = load(bytes, &Limits::default()) else {
        return Vec::new();
    };
    let Some(&id) = pdf.get_pages().get(&page) else {
        return Vec::new();
    };
    let mut w = content::Walker::new(&pdf, Limits::default().max_pdf_decompressed);
    let pt = w.page(id);
    content::lines(page, pt.glyphs)
        .iter()
        .map(|l| {
            format!(
                "y={:.1} x0={:.1} x1={:.1} size={:.2} {:?}",
                l.y, l.x0, l.x1, l.size, l.spans
            )
        })
        .collect()
}
