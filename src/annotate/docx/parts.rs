//! The package parts around the body: the comments part, Word's extended
//! comment parts, relationships and content types. Each is scanned once
//! with quick-xml for what the edit needs (its root, its entries and their
//! byte ranges); the edit splices into the original text.

use super::super::AnnotateErrorKind;
use super::super::xml;
use super::body::hex_id;
use quick_xml::events::{BytesStart, Event};
use std::collections::HashSet;
use std::ops::Range;

/// The root element of a part.
#[derive(Debug, Clone)]
pub struct Root {
    /// Its start tag (the whole element when `empty`).
    pub tag: Range<usize>,
    pub empty: bool,
    /// Where its end tag starts (`tag.end` when `empty`).
    pub end: usize,
}

impl Root {
    /// The start tag, parsed again (for its namespace declarations).
    pub fn start<'a>(&self, text: &'a str) -> BytesStart<'a> {
        let raw = &text[self.tag.clone()];
        let inner = raw
            .trim_start_matches('<')
            .trim_end_matches('>')
            .trim_end_matches('/')
            .trim_end();
        let name_len = inner
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(inner.len());
        BytesStart::from_content(inner, name_len)
    }

    /// Append `children` at the end of the root's content.
    pub fn append(&self, text: &str, children: &str, edits: &mut xml::Edits) {
        if children.is_empty() {
            return;
        }
        if self.empty {
            let open = text[self.tag.clone()].trim_end_matches('>');
            let open = open.trim_end().trim_end_matches('/');
            let start = self.start(text);
            let name = start.name();
            edits.replace(
                self.tag.clone(),
                format!("{open}>{children}</{}>", name.as_ref()),
            );
        } else {
            edits.insert(self.end, children.to_string());
        }
    }
}

/// A direct child of the root.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The whole element.
    pub range: Range<usize>,
    /// Its start tag.
    pub tag: Range<usize>,
    pub empty: bool,
    pub local: String,
    /// Attributes by local name: `id`, `author`, `paraId`, `paraIdParent`,
    /// `durableId`, `Id`, `Type`, `Target`, `PartName`, `Extension`.
    pub attrs: Vec<(String, String)>,
    /// `paraId` values of the `p` elements inside it (comments).
    pub para_ids: Vec<String>,
    /// The largest numeric `id` of it and the elements inside it.
    pub max_id: u64,
}

impl Entry {
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == local)
            .map(|(_, v)| v.as_str())
    }
}

/// A scanned part: its root and the root's children.
#[derive(Debug, Clone)]
pub struct Part {
    pub name: String,
    pub text: String,
    pub root: Root,
    pub entries: Vec<Entry>,
    /// Every `paraId` and `durableId` value in the part (hexadecimal).
    pub ids: HashSet<u32>,
}

const KEPT: [&str; 10] = [
    "id",
    "author",
    "paraId",
    "paraIdParent",
    "durableId",
    "Id",
    "Type",
    "Target",
    "PartName",
    "Extension",
];

/// Scan a part: well-formed, no DOCTYPE, at most `max_depth` deep.
pub fn scan(name: &str, text: String, max_depth: usize) -> Result<Part, AnnotateErrorKind> {
    let mut r = quick_xml::Reader::from_str(&text);
    let mut depth = 0usize;
    let mut root: Option<Root> = None;
    let mut entries: Vec<Entry> = Vec::new();
    let mut ids = HashSet::new();
    loop {
        let start = r.buffer_position() as usize;
        let ev = r
            .read_event()
            .map_err(|e| xml::error(name, &text, &r, start, &e))?;
        let end = r.buffer_position() as usize;
        match ev {
            Event::Eof => break,
            Event::DocType(_) => {
                return Err(AnnotateErrorKind::corrupt(
                    xml::place(name, &text, start),
                    "has a DOCTYPE declaration, which Word never writes",
                ));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(ev, Event::Start(_));
                let local = e.local_name().as_ref().to_string();
                for a in e.attributes().with_checks(false).flatten() {
                    let key = a.key.local_name();
                    let v = a.value.clone();
                    match key.as_ref() {
                        "paraId" | "durableId" => {
                            if let Some(n) = hex_id(&v) {
                                ids.insert(n);
                            }
                        }
                        "id" => {
                            if let (Ok(n), Some(entry)) = (
                                v.trim().parse::<u64>(),
                                entries.last_mut().filter(|_| depth >= 2),
                            ) {
                                entry.max_id = entry.max_id.max(n);
                            }
                        }
                        _ => {}
                    }
                }
                match depth {
                    0 => {
                        root = Some(Root {
                            tag: start..end,
                            empty: !is_start,
                            end,
                        })
                    }
                    1 => entries.push(Entry {
                        max_id: xml::attr(e, "id")
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0),
                        range: start..end,
                        tag: start..end,
                        empty: !is_start,
                        attrs: KEPT
                            .iter()
                            .filter_map(|k| xml::attr(e, k).map(|v| (k.to_string(), v)))
                            .collect(),
                        local,
                        para_ids: Vec::new(),
                    }),
                    _ if local == "p" => {
                        if let (Some(entry), Some(id)) =
                            (entries.last_mut(), xml::attr(e, "paraId"))
                        {
                            entry.para_ids.push(id);
                        }
                    }
                    _ => {}
                }
                if is_start {
                    depth += 1;
                    if depth > max_depth {
                        return Err(AnnotateErrorKind::corrupt(
                            xml::place(name, &text, start),
                            format!("elements nested more than {max_depth} deep"),
                        ));
                    }
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                match depth {
                    0 => {
                        if let Some(root) = root.as_mut() {
                            root.end = start;
                        }
                    }
                    1 => {
                        if let Some(entry) = entries.last_mut() {
                            entry.range.end = end;
                        }
                    }
                    _ => {}
                }
            }
            Event::GeneralRef(ref g) => {
                let ok = if g.is_char_ref() {
                    matches!(g.resolve_char_ref(), Ok(Some(_)))
                } else {
                    quick_xml::escape::resolve_predefined_entity(&g.xml10_content()).is_some()
                };
                if !ok {
                    return Err(AnnotateErrorKind::corrupt(
                        xml::place(name, &text, start),
                        "uses an undefined entity (malformed XML)",
                    ));
                }
            }
            _ => {}
        }
    }
    let Some(root) = root.filter(|_| depth == 0) else {
        return Err(AnnotateErrorKind::corrupt(
            xml::place(name, &text, text.len()),
            "has no root element or ends before it is closed (truncated XML)",
        ));
    };
    Ok(Part {
        name: name.to_string(),
        text,
        root,
        entries,
        ids,
    })
}

/// A fresh `paraId`/`durableId`: the smallest from a fixed start that is
/// not in `used` (so a re-run picks the same ones), below 0x7FFFFFFF as
/// Word requires.
pub fn fresh_id(used: &mut HashSet<u32>, next: &mut u32) -> String {
    while used.contains(next) {
        *next += 1;
    }
    let id = *next;
    used.insert(id);
    *next += 1;
    format!("{id:08X}")
}

/// Starting point of [`fresh_id`]: "BP" in the high bytes.
pub const FIRST_ID: u32 = 0x4250_0001;
