//! The zip package: validated, and its XML parts read on demand, before
//! any XML parser sees them.
//!
//! Takes the raw bytes of a `.docx`; gives the XML parts the reader asks
//! for as UTF-8 strings, after these checks:
//! - the archive opens (truncated or damaged zips are rejected here);
//! - at most [`Limits::max_entries`] entries;
//! - each part read is read fully through `take()` (so the zip crate's CRC
//!   check runs on it), with per-part ([`Limits::max_part_bytes`]) and
//!   total ([`Limits::max_total_bytes`]) caps on the decompressed size and a
//!   cap on the compression ratio of parts over 1 MiB ([`Limits::max_ratio`]);
//! - the caller runs every part through [`check_xml`] (or a reader with the
//!   same checks): well-formed, no `DOCTYPE` (so no entity-expansion bombs
//!   and no external entities), nesting at most [`Limits::max_xml_depth`]
//!   deep.
//!
//! Parts nobody reads (images, themes, embedded objects) are never
//! decompressed. [`Package::rebuild`] writes the parts docx-rs needs into
//! a fresh, stored (uncompressed) zip, so docx-rs never meets a bad CRC (it
//! would `unwrap()` one) nor an oversized part. A byte-order mark before
//! the XML declaration is dropped (docx-rs's XML reader fails on it).

use super::super::{IngestErrorKind, Limits, human_bytes};
use quick_xml::events::Event;
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

/// A validated zip package and the XML parts read from it so far.
///
/// Parts are read on demand ([`Package::load`]): the reader needs the main
/// document, its relationships, styles, numbering, comments, notes and core
/// properties, and nothing else. Images, themes, fonts and embedded objects
/// are never decompressed, so a picture-heavy draft costs no more to read
/// than its text (and a corrupt image does not stop it).
pub struct Package<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    limits: Limits,
    /// Decompressed bytes read so far (capped by `max_total_bytes`).
    total: u64,
    pub parts: BTreeMap<String, String>,
}

const RATIO_FLOOR: u64 = 1 << 20;

impl<'a> Package<'a> {
    /// Open a package: the zip directory must be readable and hold at most
    /// [`Limits::max_entries`] entries.
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<Package<'a>, IngestErrorKind> {
        let zip =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| IngestErrorKind::Corrupt {
                place: Some("zip container".into()),
                reason: format!(
                    "not a readable zip archive ({e}); the file is truncated or damaged. \
                 Re-save or re-download it"
                ),
            })?;
        if zip.len() > limits.max_entries {
            return Err(IngestErrorKind::TooLarge {
                what: format!("the zip package has {} entries, which", zip.len()),
                limit: format!("{} entries", limits.max_entries),
            });
        }
        Ok(Package {
            zip,
            limits: limits.clone(),
            total: 0,
            parts: BTreeMap::new(),
        })
    }

    /// The names of the package's entries.
    pub fn names(&self) -> Vec<String> {
        self.zip
            .file_names()
            .flatten()
            .map(|n| n.into_owned())
            .collect()
    }

    /// Whether the package has an entry with this name.
    pub fn has(&self, name: &str) -> bool {
        self.parts.contains_key(name) || self.zip.index_for_name(name).is_some()
    }

    /// Read the XML part `name` (once) and return it; `None` when the
    /// package has no such entry. The entry is read through `take()` with
    /// the per-part and total caps, its CRC checked and its text required
    /// to be UTF-8 (a leading byte-order mark is dropped).
    pub fn load(&mut self, name: &str) -> Result<Option<&str>, IngestErrorKind> {
        if !self.parts.contains_key(name) {
            let Some(text) = self.read(name)? else {
                return Ok(None);
            };
            self.parts.insert(name.to_string(), text);
        }
        Ok(self.parts.get(name).map(String::as_str))
    }

    /// Read the binary part `name` (an image), through the same caps as
    /// [`Package::load`]; `None` when the package has no such entry.
    pub fn load_bytes(&mut self, name: &str) -> Result<Option<Vec<u8>>, IngestErrorKind> {
        self.read_raw(name)
    }

    fn read(&mut self, name: &str) -> Result<Option<String>, IngestErrorKind> {
        let Some(buf) = self.read_raw(name)? else {
            return Ok(None);
        };
        let mut text = String::from_utf8(buf).map_err(|e| IngestErrorKind::Corrupt {
            place: Some(name.to_string()),
            reason: format!(
                "is not UTF-8 text (invalid byte at offset {}); re-save the document in Word",
                e.utf8_error().valid_up_to()
            ),
        })?;
        // A byte-order mark is allowed before the XML declaration; docx-rs's
        // XML reader chokes on it, so drop it here.
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        Ok(Some(text))
    }

    fn read_raw(&mut self, name: &str) -> Result<Option<Vec<u8>>, IngestErrorKind> {
        let limits = &self.limits;
        let mut entry = match self.zip.by_name(name) {
            Ok(e) => e,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => {
                return Err(IngestErrorKind::Corrupt {
                    place: Some(name.to_string()),
                    reason: format!("cannot be opened ({e})"),
                });
            }
        };
        if entry.is_dir() {
            return Ok(None);
        }
        if entry.encrypted() {
            return Err(IngestErrorKind::Encrypted(format!(
                "zip entry {name} is encrypted; remove the password and save again"
            )));
        }
        let declared = entry.size();
        let packed = entry.compressed_size().max(1);
        if declared > limits.max_part_bytes {
            return Err(too_large(name, declared, limits.max_part_bytes));
        }
        if declared > RATIO_FLOOR && declared / packed > limits.max_ratio {
            return Err(IngestErrorKind::TooLarge {
                what: format!(
                    "{name}: compression ratio {}:1 (a zip bomb?)",
                    declared / packed
                ),
                limit: format!("{}:1", limits.max_ratio),
            });
        }
        let mut buf = Vec::with_capacity(declared.min(limits.max_part_bytes) as usize);
        let read = (&mut entry)
            .take(limits.max_part_bytes + 1)
            .read_to_end(&mut buf)
            .map_err(|e| IngestErrorKind::Corrupt {
                place: Some(name.to_string()),
                reason: format!("cannot be decompressed ({e}); the zip is damaged"),
            })? as u64;
        if read > limits.max_part_bytes {
            return Err(too_large(name, read, limits.max_part_bytes));
        }
        self.total += read;
        let total = self.total;
        if total > limits.max_total_bytes {
            return Err(IngestErrorKind::TooLarge {
                what: format!("the decompressed package (at least {})", human_bytes(total)),
                limit: human_bytes(limits.max_total_bytes),
            });
        }
        Ok(Some(buf))
    }

    /// The part with this name, if loaded.
    pub fn part(&self, name: &str) -> Option<&str> {
        self.parts.get(name).map(String::as_str)
    }

    /// A stored (uncompressed) zip for docx-rs holding `parts` (name and
    /// content). docx-rs refuses a package without `[Content_Types].xml`;
    /// Word always writes one, other tools sometimes do not, so an empty
    /// stand-in is added when it is missing.
    pub fn rebuild(parts: &[(&str, &str)]) -> Result<Vec<u8>, IngestErrorKind> {
        let internal = |e: &dyn std::fmt::Display| IngestErrorKind::Corrupt {
            place: None,
            reason: format!("internal error while preparing the package: {e}"),
        };
        let size: usize = parts.iter().map(|(n, t)| n.len() + t.len() + 128).sum();
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(size + 1024)));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(false);
        const CONTENT_TYPES: &str = "[Content_Types].xml";
        let stand_in = r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
        let missing = !parts.iter().any(|(n, _)| *n == CONTENT_TYPES);
        let extra = missing.then_some((CONTENT_TYPES, stand_in));
        for (name, data) in parts.iter().copied().chain(extra) {
            w.start_file(name, opts).map_err(|e| internal(&e))?;
            w.write_all(data.as_bytes()).map_err(|e| internal(&e))?;
        }
        let cur = w.finish().map_err(|e| internal(&e))?;
        Ok(cur.into_inner())
    }
}

/// Elements from which docx-rs builds large structs (a paragraph, run or
/// style costs it several KiB each). Their total over the parts docx-rs
/// parses is capped by [`MAX_HEAVY_ELEMENTS`].
pub fn is_heavy(local_name: &str) -> bool {
    matches!(
        local_name,
        "p" | "r"
            | "style"
            | "tbl"
            | "tr"
            | "tc"
            | "lvl"
            | "abstractNum"
            | "num"
            | "comment"
            | "hyperlink"
            | "ins"
            | "del"
            | "moveFrom"
            | "moveTo"
            | "sdt"
    )
}

/// Most paragraphs, runs, styles, table parts and the like that docx-rs is
/// asked to build. Its structs take 3-5 KiB each, so this keeps its tree
/// under about 300 MB; a 300-page report has well under 50 000.
pub const MAX_HEAVY_ELEMENTS: usize = 60_000;

pub fn too_many_elements(n: usize) -> IngestErrorKind {
    IngestErrorKind::TooLarge {
        what: format!("the count of paragraphs, runs, styles and table parts ({n})"),
        limit: format!("{MAX_HEAVY_ELEMENTS} (split the document)"),
    }
}

fn too_large(name: &str, size: u64, limit: u64) -> IngestErrorKind {
    IngestErrorKind::TooLarge {
        what: format!("{name} decompresses to {}, which", human_bytes(size)),
        limit: human_bytes(limit),
    }
}

/// `part line N` for a byte offset in an XML part.
pub fn place(part: &str, text: &str, offset: usize) -> String {
    let upto = &text.as_bytes()[..offset.min(text.len())];
    let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
    format!("{part} line {line}")
}

/// Why a DOCTYPE is refused (shared by every XML check).
pub const DOCTYPE_REASON: &str = "has a DOCTYPE declaration, which Word never writes; \
     refused because DOCTYPEs carry entity definitions (entity-expansion bombs, external entities)";

/// Check one XML part: well-formed, no DOCTYPE, no undefined entity,
/// nesting at most `max_depth` deep. Returns its number of
/// [heavy](is_heavy) elements.
pub fn check_xml(part: &str, text: &str, max_depth: usize) -> Result<usize, IngestErrorKind> {
    let mut r = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut heavy = 0usize;
    loop {
        let pos = r.buffer_position() as usize;
        let ev = r
            .read_event()
            .map_err(|e| xml_error(part, text, &r, pos, &e))?;
        match ev {
            Event::Start(e) => {
                depth += 1;
                if depth > max_depth {
                    return Err(too_deep(part, text, pos, max_depth));
                }
                heavy += usize::from(is_heavy(e.local_name().as_ref()));
            }
            Event::Empty(e) => heavy += usize::from(is_heavy(e.local_name().as_ref())),
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::DocType(_) => {
                return Err(IngestErrorKind::corrupt(
                    place(part, text, pos),
                    DOCTYPE_REASON,
                ));
            }
            Event::GeneralRef(g) => check_ref(part, text, pos, &g)?,
            Event::Eof => break,
            _ => {}
        }
    }
    if depth != 0 {
        return Err(IngestErrorKind::corrupt(
            place(part, text, text.len()),
            "ends before all elements are closed (truncated XML)",
        ));
    }
    Ok(heavy)
}

/// Reject entity references other than the five predefined ones and
/// character references.
pub fn check_ref(
    part: &str,
    text: &str,
    pos: usize,
    g: &quick_xml::events::BytesRef<'_>,
) -> Result<(), IngestErrorKind> {
    if g.is_char_ref() {
        return match g.resolve_char_ref() {
            Ok(Some(_)) => Ok(()),
            _ => Err(IngestErrorKind::corrupt(
                place(part, text, pos),
                "has an invalid character reference",
            )),
        };
    }
    let name = g.xml10_content();
    if quick_xml::escape::resolve_predefined_entity(&name).is_some() {
        Ok(())
    } else {
        Err(IngestErrorKind::corrupt(
            place(part, text, pos),
            format!("uses the undefined entity &{name}; (malformed XML)"),
        ))
    }
}

pub fn too_deep(part: &str, text: &str, pos: usize, max: usize) -> IngestErrorKind {
    IngestErrorKind::corrupt(
        place(part, text, pos),
        format!(
            "XML elements are nested more than {max} deep (e.g. tables inside tables); \
             refused to protect the parser; re-save the document in Word, which writes no such nesting"
        ),
    )
}

pub fn xml_error(
    part: &str,
    text: &str,
    r: &quick_xml::Reader<&[u8]>,
    pos: usize,
    e: &quick_xml::Error,
) -> IngestErrorKind {
    let at = (r.error_position() as usize).max(pos);
    IngestErrorKind::corrupt(place(part, text, at), format!("malformed XML: {e}"))
}
