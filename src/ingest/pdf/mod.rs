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
    let (pdf, repaired) = load(bytes, limits)?;
    let mut warnings = Vec::new();
    if repaired > 0 {
        warnings.push(format!(
            "{repaired} part(s) of this PDF did not state their length and were read up to \
             their end marker, as PDF viewers do; if text is missing, re-export the PDF or \
             repair it (e.g. `qpdf damaged.pdf repaired.pdf`)"
        ));
    }
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
    if walker.unmapped_fonts > 0 {
        warnings.push(format!(
            "{} font(s) of this PDF give no character map, so their text was read byte by \
             byte and may come out garbled; if it does, export the draft to PDF again (from \
             Word: File › Save As › PDF), or give bpfpress the Word file",
            walker.unmapped_fonts
        ));
    }
    if walker.damaged > 0 {
        warnings.push(format!(
            "{} content stream(s) could not be decompressed; their text is missing",
            walker.damaged
        ));
    }
    if glyphs > 0 && images > 0 {
        // Pictures in a PDF carry no alt text, caption or reading position
        // the reader could trust; they are left out, and said to be.
        warnings.push(format!(
            "the PDF draws {images} image(s); bpfpress does not take figures from PDF drafts, \
             so they are not in the report: give bpfpress the Word or Markdown draft to keep them"
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
                "has no extractable text on any of its {} page(s) ({}); export the draft to PDF \
                 again with its text, or give bpfpress the Word file",
                pages.len(),
                if walker.unmapped_fonts > 0 {
                    "its fonts give no character map"
                } else {
                    "its text may be drawn as outlines, or sit only in form fields"
                }
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

/// What to do with a damaged PDF (said with every such error).
const REPAIR: &str = "re-export the PDF from the program that made it, or repair it \
     (e.g. `qpdf damaged.pdf repaired.pdf`), and try again";

/// Load with lopdf, repair what viewers repair, and turn lopdf's silent
/// failures into errors. Returns the document and how many streams were
/// repaired.
fn load(bytes: &[u8], limits: &Limits) -> Result<(lopdf::Document, usize), IngestErrorKind> {
    let opts = LoadOptions {
        max_decompressed_size: Some(limits.max_pdf_decompressed),
        ..LoadOptions::default()
    };
    let mut pdf = lopdf::Document::load_mem_with_options(bytes, opts)
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
    let repaired = repair_lengths(&mut pdf, bytes);
    repair_to_unicode(&mut pdf, limits.max_pdf_decompressed);
    check_page_tree(&pdf, limits)?;
    let n = pdf.get_pages().len();
    if n == 0 {
        return Err(IngestErrorKind::corrupt(
            "page list",
            format!(
                "no pages could be read: the list of pages is missing or damaged, or the file is truncated; {REPAIR}"
            ),
        ));
    }
    Ok((pdf, repaired))
}

/// Streams whose length is missing or wrong (lopdf leaves them empty, with
/// where their data starts): their data runs to the `endstream` keyword,
/// as qpdf and viewers read them. Returns how many were repaired.
fn repair_lengths(pdf: &mut lopdf::Document, bytes: &[u8]) -> usize {
    let mut n = 0;
    let ids: Vec<ObjectId> = pdf
        .objects
        .iter()
        .filter_map(|(id, o)| match o {
            Object::Stream(s) if s.content.is_empty() && s.start_position.is_some() => Some(*id),
            _ => None,
        })
        .collect();
    for id in ids {
        let length_ok = pdf
            .objects
            .get(&id)
            .and_then(|o| o.as_stream().ok())
            .and_then(|s| s.dict.get(b"Length").ok())
            .and_then(|l| pdf.dereference(l).ok())
            .is_some_and(|(_, l)| l.as_i64().is_ok_and(|v| v == 0));
        let Some(Object::Stream(s)) = pdf.objects.get_mut(&id) else {
            continue;
        };
        let Some(start) = s.start_position.filter(|&p| p <= bytes.len()) else {
            continue;
        };
        if length_ok {
            continue;
        }
        let rest = &bytes[start..];
        let Some(end) = rest.windows(9).position(|w| w == b"endstream") else {
            continue;
        };
        let mut data = &rest[..end];
        for eol in [&b"\r\n"[..], b"\n", b"\r"] {
            if let Some(d) = data.strip_suffix(eol) {
                data = d;
                break;
            }
        }
        s.set_content(data.to_vec());
        n += 1;
    }
    n
}

/// ToUnicode maps that lopdf's CMap parser refuses although they are valid
/// (entries such as `/CMapName` with key, value and `def` on lines of their
/// own, as TeX writes them): rewritten to the plain form it reads, keeping every code range and mapping. Without this
/// the font's text is lost ("no extractable text") although pdftotext reads
/// it.
fn repair_to_unicode(pdf: &mut lopdf::Document, budget: usize) {
    let maps: HashSet<ObjectId> = pdf
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter_map(|d| d.get(b"ToUnicode").ok()?.as_reference().ok())
        .collect();
    let reads = |pdf: &lopdf::Document, id: ObjectId| {
        let probe = lopdf::dictionary! { "Type" => "Font", "ToUnicode" => id };
        matches!(
            probe.get_font_encoding_with_limit(pdf, budget),
            Ok(lopdf::Encoding::UnicodeMapEncoding(_))
        )
    };
    for id in maps {
        if reads(pdf, id) {
            continue;
        }
        let Some(text) = pdf
            .get_object(id)
            .and_then(Object::as_stream)
            .ok()
            .and_then(|s| s.get_plain_content_with_limit(budget).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
        else {
            continue;
        };
        let Some(plain) = plain_cmap(&text) else {
            continue;
        };
        if let Ok(s) = pdf.get_object_mut(id).and_then(Object::as_stream_mut) {
            s.dict.remove(b"Filter");
            s.dict.remove(b"DecodeParms");
            s.set_content(plain.into_bytes());
        }
    }
}

/// A CMap's code space ranges, `bfchar` and `bfrange` entries in the plain
/// form lopdf reads; `None` when it has no mappings.
fn plain_cmap(text: &str) -> Option<String> {
    // Comments run from `%` to the end of the line (CMaps hold no `%` in strings).
    let text: String = text
        .lines()
        .map(|l| l.split('%').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n/CMapName /Repaired def\n",
    );
    let mut mappings = 0;
    for (section, per_entry) in [("codespacerange", 2), ("bfchar", 2), ("bfrange", 3)] {
        let (open, close) = (format!("begin{section}"), format!("end{section}"));
        let mut rest = text.as_str();
        while let Some(i) = rest.find(&open) {
            let body = &rest[i + open.len()..];
            let Some(j) = body.find(&close) else { break };
            // Entries are hex strings, and (bfrange) arrays of them.
            let tokens: Vec<String> = cmap_tokens(&body[..j]);
            for chunk in tokens.chunks(per_entry).filter(|c| c.len() == per_entry) {
                out.push_str(&format!("1 {open} {} {close}\n", chunk.join(" ")));
                if section != "codespacerange" {
                    mappings += 1;
                }
            }
            rest = &body[j + close.len()..];
        }
    }
    out.push_str("endcmap CMapName currentdict /CMap defineresource pop end end\n");
    (mappings > 0).then_some(out)
}

/// The hex strings and `[...]` arrays of a CMap section, in order.
fn cmap_tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        let end = match c {
            '<' => s[i..].find('>').map(|e| i + e + 1),
            '[' => s[i..].find(']').map(|e| i + e + 1),
            _ => continue,
        };
        let Some(end) = end else { break };
        out.push(s[i..end].split_whitespace().collect::<Vec<_>>().join(" "));
        while chars.peek().is_some_and(|&(k, _)| k < end) {
            chars.next();
        }
    }
    out
}

fn load_error(e: lopdf::Error, bytes: &[u8], limits: &Limits) -> IngestErrorKind {
    use lopdf::{DecompressError, Error, ParseError};
    let tail = bytes.len().saturating_sub(1024);
    let has_eof = bytes[tail..].windows(5).any(|w| w == b"%%EOF");
    let truncated = if has_eof {
        String::new()
    } else {
        format!(
            "; it does not end as a PDF ends (no %%EOF in its last 1 KiB of {} bytes): the file looks truncated, so download or copy it again",
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
        Error::Parse(ParseError::InvalidFileHeader) => IngestErrorKind::corrupt(
            "file header",
            format!("does not start as a PDF does (%PDF-){truncated}; {REPAIR}"),
        ),
        Error::Parse(p) => IngestErrorKind::corrupt(
            "cross-reference table (the index of the PDF's objects)",
            format!("cannot be parsed ({p}){truncated}; {REPAIR}"),
        ),
        Error::Xref(x) => IngestErrorKind::corrupt(
            "cross-reference table (the index of the PDF's objects)",
            format!("cannot be read ({x}){truncated}; {REPAIR}"),
        ),
        Error::InvalidOffset(o) => IngestErrorKind::corrupt(
            format!("byte offset {o}"),
            format!("points outside the file{truncated}; {REPAIR}"),
        ),
        Error::ObjectNotFound((n, g)) => IngestErrorKind::corrupt(
            format!("object {n} {g}"),
            format!("is referred to but missing{truncated}; {REPAIR}"),
        ),
        other => IngestErrorKind::Corrupt {
            place: None,
            reason: format!("the PDF cannot be read ({other}){truncated}; {REPAIR}"),
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

/// Walk the page tree to say what is wrong with it (lopdf's page iterator
/// stops silently at loops and at depth 256) and enforce `max_pages`. A
/// node that is its own ancestor is a loop; a page listed twice is not
/// (viewers show it twice). Visits are bounded, so a tree that lists one
/// subtree many times over cannot blow up.
fn check_page_tree(pdf: &lopdf::Document, limits: &Limits) -> Result<(), IngestErrorKind> {
    struct Walk<'a> {
        pdf: &'a lopdf::Document,
        pages: u64,
        visits: u64,
        max_pages: u64,
        path: Vec<ObjectId>,
    }
    const MAX_DEPTH: usize = 64;
    impl Walk<'_> {
        fn node(&mut self, id: ObjectId) -> Result<(), IngestErrorKind> {
            let obj = |id: ObjectId| format!("page list, object {} {}", id.0, id.1);
            if self.path.contains(&id) {
                return Err(IngestErrorKind::corrupt(
                    obj(id),
                    format!(
                        "the list of pages loops back on itself (a part of it contains itself); {REPAIR}"
                    ),
                ));
            }
            if self.path.len() > MAX_DEPTH {
                return Err(IngestErrorKind::corrupt(
                    obj(id),
                    format!(
                        "the list of pages is nested more than {MAX_DEPTH} levels deep, far beyond any real PDF; {REPAIR}"
                    ),
                ));
            }
            self.visits += 1;
            if self.visits > 4 * self.max_pages + 10_000 {
                return Err(IngestErrorKind::TooLarge {
                    what: "the list of pages (it names the same parts over and over)".into(),
                    limit: format!("{} pages", self.max_pages),
                });
            }
            let Ok(d) = self.pdf.get_dictionary(id) else {
                return Ok(());
            };
            let is_page = d
                .get(b"Type")
                .and_then(Object::as_name)
                .is_ok_and(|t| t == b"Page");
            if is_page {
                self.pages += 1;
                if self.pages > self.max_pages {
                    return Err(IngestErrorKind::TooLarge {
                        what: "the page count".into(),
                        limit: format!("{} pages", self.max_pages),
                    });
                }
                return Ok(());
            }
            let kids: Vec<ObjectId> = d
                .get_deref(b"Kids", self.pdf)
                .and_then(Object::as_array)
                .map(|k| k.iter().filter_map(|k| k.as_reference().ok()).collect())
                .unwrap_or_default();
            self.path.push(id);
            for kid in kids {
                self.node(kid)?;
            }
            self.path.pop();
            Ok(())
        }
    }
    let root = pdf
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").ok())
        .and_then(|o| o.as_reference().ok())
        .ok_or_else(|| {
            IngestErrorKind::corrupt(
                "document catalog",
                format!("has no list of pages (no /Pages entry); {REPAIR}"),
            )
        })?;
    Walk {
        pdf,
        pages: 0,
        visits: 0,
        max_pages: u64::from(limits.max_pages),
        path: Vec::new(),
    }
    .node(root)
}
