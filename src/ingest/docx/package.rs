//! The zip package: validated and read into memory before any XML parser
//! sees it.
//!
//! Takes the raw bytes of a `.docx`; gives the XML parts (`*.xml`, `*.rels`)
//! as UTF-8 strings, after these checks:
//! - the archive opens (truncated or damaged zips are rejected here);
//! - at most [`Limits::max_entries`] entries;
//! - every entry is read fully through `take()` (so the zip crate's CRC
//!   check runs on each one), with per-part ([`Limits::max_part_bytes`]) and
//!   total ([`Limits::max_total_bytes`]) caps on the decompressed size and a
//!   cap on the compression ratio of parts over 1 MiB ([`Limits::max_ratio`]);
//! - every XML part passes [`check_xml`]: well-formed, no `DOCTYPE` (so no
//!   entity-expansion bombs and no external entities), nesting at most
//!   [`Limits::max_xml_depth`] deep.
//!
//! Binary parts (images, embedded objects) are read and CRC-checked but not
//! kept. [`Package::rebuild`] writes the parts docx-rs needs into a fresh,
//! stored (uncompressed) zip, so docx-rs never meets a bad CRC (it would
//! `unwrap()` one) nor an oversized part. A byte-order mark before the XML
//! declaration is dropped (docx-rs's XML reader fails on it).

use super::super::{IngestErrorKind, Limits, human_bytes};
use quick_xml::events::Event;
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Write};

/// The XML parts of a validated package, by part name.
pub struct Package {
    pub parts: BTreeMap<String, String>,
}

const RATIO_FLOOR: u64 = 1 << 20;

impl Package {
    /// Open and validate a package.
    pub fn open(bytes: &[u8], limits: &Limits) -> Result<Package, IngestErrorKind> {
        let mut zip =
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
        let mut parts = BTreeMap::new();
        let mut total: u64 = 0;
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| IngestErrorKind::Corrupt {
                place: Some(format!("zip entry #{}", i + 1)),
                reason: format!("cannot be opened ({e})"),
            })?;
            let name = entry
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| format!("zip entry #{}", i + 1));
            if entry.is_dir() {
                continue;
            }
            if entry.encrypted() {
                return Err(IngestErrorKind::Encrypted(format!(
                    "zip entry {name} is encrypted; remove the password and save again"
                )));
            }
            let declared = entry.size();
            let packed = entry.compressed_size().max(1);
            if declared > limits.max_part_bytes {
                return Err(too_large(&name, declared, limits.max_part_bytes));
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
            let keep = is_xml_part(&name);
            let mut buf = Vec::new();
            let read = {
                let mut limited = (&mut entry).take(limits.max_part_bytes + 1);
                if keep {
                    limited.read_to_end(&mut buf).map(|n| n as u64)
                } else {
                    std::io::copy(&mut limited, &mut std::io::sink())
                }
            }
            .map_err(|e| IngestErrorKind::Corrupt {
                place: Some(name.clone()),
                reason: format!("cannot be decompressed ({e}); the zip is damaged"),
            })?;
            if read > limits.max_part_bytes {
                return Err(too_large(&name, read, limits.max_part_bytes));
            }
            total += read;
            if total > limits.max_total_bytes {
                return Err(IngestErrorKind::TooLarge {
                    what: format!("the decompressed package (at least {})", human_bytes(total)),
                    limit: human_bytes(limits.max_total_bytes),
                });
            }
            if keep {
                let text = String::from_utf8(buf).map_err(|e| IngestErrorKind::Corrupt {
                    place: Some(name.clone()),
                    reason: format!(
                        "is not UTF-8 text (invalid byte at offset {}); re-save the document in Word",
                        e.utf8_error().valid_up_to()
                    ),
                })?;
                // A byte-order mark is allowed before the XML declaration;
                // docx-rs's XML reader chokes on it, so drop it here.
                let text = match text.strip_prefix('\u{feff}') {
                    Some(rest) => rest.to_string(),
                    None => text,
                };
                parts.insert(name, text);
            }
        }
        Ok(Package { parts })
    }

    /// The part with this name, if present.
    pub fn part(&self, name: &str) -> Option<&str> {
        self.parts.get(name).map(String::as_str)
    }

    /// Write the parts named in `wanted`, plus `replace` (a part name and
    /// its new content), into a stored zip for docx-rs.
    pub fn rebuild(
        &self,
        replace: (&str, &str),
        wanted: &std::collections::HashSet<String>,
    ) -> Result<Vec<u8>, IngestErrorKind> {
        let internal = |e: &dyn std::fmt::Display| IngestErrorKind::Corrupt {
            place: None,
            reason: format!("internal error while preparing the package: {e}"),
        };
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(false);
        let parts = self
            .parts
            .iter()
            .filter(|(name, _)| name.as_str() != replace.0)
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .chain(std::iter::once(replace));
        for (name, data) in parts {
            if name != replace.0 && !wanted.contains(name) {
                continue;
            }
            w.start_file(name, opts).map_err(|e| internal(&e))?;
            w.write_all(data.as_bytes()).map_err(|e| internal(&e))?;
        }
        // docx-rs refuses a package without these; Word always writes them,
        // other tools sometimes do not. Empty stand-ins change nothing else.
        let main_rels = match replace.0.rsplit_once('/') {
            Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
            None => format!("_rels/{}.rels", replace.0),
        };
        let stand_ins = [
            (
                "[Content_Types].xml".to_string(),
                r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#.to_string(),
            ),
            (
                "_rels/.rels".to_string(),
                format!(
                    r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{}"/></Relationships>"#,
                    replace.0
                ),
            ),
            (
                main_rels,
                r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"#.to_string(),
            ),
        ];
        for (name, body) in stand_ins {
            if !self.parts.contains_key(&name) && name != replace.0 {
                w.start_file(name.as_str(), opts)
                    .map_err(|e| internal(&e))?;
                w.write_all(body.as_bytes()).map_err(|e| internal(&e))?;
            }
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

fn is_xml_part(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".rels")
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
             refused to protect the parser (limit: Limits::max_xml_depth)"
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
