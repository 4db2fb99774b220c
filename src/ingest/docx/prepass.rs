//! One quick-xml pass over `word/document.xml` before docx-rs parses it.
//!
//! Takes the part's text; gives a rewritten copy plus side facts. The pass
//! validates (well-formed, no DOCTYPE or undefined entities, depth cap) and
//! marks what docx-rs 0.4.22 would lose, as private-use marker text
//! `U+F8F0 kind payload U+F8F1` inside `w:t` elements:
//! - `w:footnoteReference` / `w:endnoteReference` → `F<id>` / `E<id>`
//!   (docx-rs drops them);
//! - `w:drawing`, `w:pict` and `w:object` are replaced by `I<k>`, an index
//!   into [`Prepass::images`] holding the alt text (`wp:docPr` `descr`, else
//!   `title`; VML `alt`). Their content (text boxes, charts) is not body text
//!   and is not counted as paragraphs;
//! - a hyperlink with both `r:id` and `w:anchor` gets the anchor `L<k>`, an
//!   index into [`Prepass::links`] holding the whole target (docx-rs keeps
//!   only one of the two).
//!
//! `mc:AlternateContent` is unwrapped to its `mc:Choice`; `mc:Fallback` is
//! dropped. It also records which paragraphs sit in table header rows
//! (`w:tblHeader`) and in table-of-contents SDTs (`w:docPartGallery`
//! "Table of Contents").
//!
//! Every `w:p` start tag is rewritten to `<w:p w14:paraId="P<n>">`, `n` its
//! 1-based paragraph index, so each block knows its location exactly
//! (docx-rs keeps `paraId` as the paragraph's id; the walk uses no other
//! paragraph attribute). Everything else is copied byte for byte, so
//! docx-rs sees the document as Word wrote it (bookmarks, properties and
//! all): a new Word feature is read by the walk alone.

use super::package::{DOCTYPE_REASON, check_ref, place, too_deep, xml_error};
use crate::ingest::IngestErrorKind;
use quick_xml::events::{BytesStart, Event};
use std::collections::{HashMap, HashSet};
use std::fmt::Write;

pub const MARK_OPEN: char = '\u{F8F0}';
/// Prefix of the paragraph ids the pass writes (`w14:paraId="P7"`): Word's
/// own ids are hexadecimal, so they cannot be taken for ours.
pub const PARA_ID: char = 'P';
pub const MARK_CLOSE: char = '\u{F8F1}';

/// Result of the pass.
#[derive(Debug, Default)]
pub struct Prepass {
    /// The rewritten document.xml.
    pub xml: String,
    /// What each image marker `I<k>` stands for.
    pub images: Vec<Picture>,
    /// Paragraph indices inside `w:tblHeader` rows.
    pub header_paras: HashSet<u32>,
    /// Paragraph indices inside table-of-contents SDTs.
    pub toc_paras: HashSet<u32>,
    /// Number of body paragraphs.
    pub paragraphs: u32,
    /// Full targets of hyperlinks with both `r:id` and `w:anchor`; such a
    /// link's anchor is rewritten to the marker `L<k>`.
    pub links: Vec<String>,
    /// Heavy elements left for docx-rs (see [`super::package::is_heavy`]).
    pub heavy: usize,
}

/// An image in the main document, as the drawing describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Picture {
    /// Alt text: `wp:docPr` `descr`, else its `title`; VML `alt`.
    pub alt: Option<String>,
    /// The relationship target of the picture's bytes (`media/image1.png`):
    /// an `asvg:svgBlip` when present (Word's SVG next to its PNG preview),
    /// else `a:blip r:embed`, else VML `v:imagedata r:id`. Absent for
    /// charts and linked (external) pictures.
    pub target: Option<String>,
    /// Displayed width in EMU (`wp:extent cx`; 12 700 per point).
    pub width_emu: Option<u64>,
}

#[derive(Clone, Copy, PartialEq)]
enum SkipKind {
    Image,
    Fallback,
    NoteRef,
}

/// An element being left out, with what is read from inside it.
struct Skip {
    depth: usize,
    kind: SkipKind,
    descr: Option<String>,
    title: Option<String>,
    has_picture: bool,
    blip: Option<String>,
    svg: Option<String>,
    width_emu: Option<u64>,
}

impl Skip {
    fn new(depth: usize, kind: SkipKind) -> Skip {
        Skip {
            depth,
            kind,
            descr: None,
            title: None,
            has_picture: false,
            blip: None,
            svg: None,
            width_emu: None,
        }
    }
}

fn attr(e: &BytesStart<'_>, local_name: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local_name)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

fn marker(kind: char, payload: &str) -> String {
    let safe: String = payload
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    format!("<w:t xml:space=\"preserve\">{MARK_OPEN}{kind}{safe}{MARK_CLOSE}</w:t>")
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

/// Run the pass over `text` (the part named `part`); `rels` are the main
/// document's relationship targets by id.
pub fn run(
    part: &str,
    text: &str,
    max_depth: usize,
    rels: &HashMap<String, String>,
) -> Result<Prepass, IngestErrorKind> {
    let mut out = Prepass {
        xml: String::with_capacity(text.len() + text.len() / 8),
        ..Prepass::default()
    };
    let mut r = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    let mut skip: Option<Skip> = None;
    // Open table rows: is it a header row?
    let mut rows: Vec<bool> = Vec::new();
    // Open SDTs: is it a table of contents?
    let mut sdts: Vec<bool> = Vec::new();
    loop {
        let start = r.buffer_position() as usize;
        let ev = r
            .read_event()
            .map_err(|e| xml_error(part, text, &r, start, &e))?;
        let end = r.buffer_position() as usize;
        let raw = &text[start..end];
        match ev {
            Event::Eof => break,
            Event::DocType(_) => {
                return Err(IngestErrorKind::corrupt(
                    place(part, text, start),
                    DOCTYPE_REASON,
                ));
            }
            Event::GeneralRef(ref g) => {
                check_ref(part, text, start, g)?;
                if skip.is_none() {
                    out.xml.push_str(raw);
                }
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(ev, Event::Start(_));
                if is_start {
                    depth += 1;
                    if depth > max_depth {
                        return Err(too_deep(part, text, start, max_depth));
                    }
                }
                let local_name = e.local_name();
                let name: &str = local_name.as_ref();
                if let Some(s) = skip.as_mut() {
                    match name {
                        "docPr" if s.descr.is_none() => {
                            s.descr = non_empty(attr(e, "descr"));
                            s.title = non_empty(attr(e, "title"));
                        }
                        "shape" if s.descr.is_none() => s.descr = non_empty(attr(e, "alt")),
                        "extent" if s.width_emu.is_none() => {
                            s.width_emu = attr(e, "cx").and_then(|v| v.parse().ok());
                        }
                        "blip" if s.blip.is_none() => {
                            s.blip = attr(e, "embed").and_then(|id| rels.get(&id).cloned());
                        }
                        "svgBlip" if s.svg.is_none() => {
                            s.svg = attr(e, "embed").and_then(|id| rels.get(&id).cloned());
                        }
                        "imagedata" => {
                            s.has_picture = true;
                            if s.blip.is_none() {
                                s.blip = attr(e, "id").and_then(|id| rels.get(&id).cloned());
                            }
                        }
                        "pic" | "chart" | "graphicData" => s.has_picture = true,
                        _ => {}
                    }
                    continue;
                }
                out.heavy += usize::from(super::package::is_heavy(name));
                match name {
                    "footnoteReference" | "endnoteReference" => {
                        let kind = if name == "footnoteReference" {
                            'F'
                        } else {
                            'E'
                        };
                        let id = attr(e, "id").unwrap_or_default();
                        out.xml.push_str(&marker(kind, &id));
                        if is_start {
                            skip = Some(Skip::new(depth, SkipKind::NoteRef));
                        }
                    }
                    "drawing" | "pict" | "object" => {
                        if is_start {
                            skip = Some(Skip {
                                has_picture: name == "drawing",
                                ..Skip::new(depth, SkipKind::Image)
                            });
                        }
                    }
                    "Fallback" => {
                        if is_start {
                            skip = Some(Skip::new(depth, SkipKind::Fallback));
                        }
                    }
                    "AlternateContent" | "Choice" => {}
                    "hyperlink" => {
                        let (rid, anchor) = (attr(e, "id"), attr(e, "anchor"));
                        match (rid, anchor) {
                            (Some(rid), Some(anchor)) => {
                                let base = rels.get(&rid).cloned().unwrap_or_default();
                                out.links.push(format!("{base}#{anchor}"));
                                let k = out.links.len() - 1;
                                let tag = e.name().as_ref().to_string();
                                out.xml.push_str(&format!(
                                    "<{tag} w:anchor=\"{MARK_OPEN}L{k}{MARK_CLOSE}\"{}>",
                                    if is_start { "" } else { "/" }
                                ));
                            }
                            _ => out.xml.push_str(raw),
                        }
                    }
                    "p" => {
                        out.paragraphs += 1;
                        let n = out.paragraphs;
                        if rows.last() == Some(&true) {
                            out.header_paras.insert(n);
                        }
                        if sdts.iter().any(|t| *t) {
                            out.toc_paras.insert(n);
                        }
                        let qname = e.name();
                        let qname: &str = qname.as_ref();
                        let close = if is_start { ">" } else { "/>" };
                        let _ = write!(out.xml, "<{qname} w14:paraId=\"{PARA_ID}{n}\"{close}");
                    }
                    "tr" => {
                        if is_start {
                            rows.push(false);
                        }
                        out.xml.push_str(raw);
                    }
                    "tblHeader" => {
                        let on = attr(e, "val")
                            .is_none_or(|v| !matches!(v.as_str(), "false" | "0" | "off"));
                        if let Some(top) = rows.last_mut() {
                            *top = on;
                        }
                        out.xml.push_str(raw);
                    }
                    "sdt" => {
                        if is_start {
                            sdts.push(false);
                        }
                        out.xml.push_str(raw);
                    }
                    "docPartGallery" => {
                        let toc = attr(e, "val").is_some_and(|v| {
                            let v = v.to_ascii_lowercase();
                            v.contains("table of contents") || v.contains("contents")
                        });
                        if toc && let Some(top) = sdts.last_mut() {
                            *top = true;
                        }
                        out.xml.push_str(raw);
                    }
                    _ => out.xml.push_str(raw),
                }
            }
            Event::End(ref e) => {
                let local_name = e.local_name();
                let name: &str = local_name.as_ref();
                if let Some(s) = skip.as_ref() {
                    if depth == s.depth {
                        if s.kind == SkipKind::Image && s.has_picture {
                            out.images.push(Picture {
                                alt: s.descr.clone().or_else(|| s.title.clone()),
                                target: s.svg.clone().or_else(|| s.blip.clone()),
                                width_emu: s.width_emu,
                            });
                            let k = (out.images.len() - 1).to_string();
                            out.xml.push_str(&marker('I', &k));
                        }
                        skip = None;
                    }
                    depth = depth.saturating_sub(1);
                    continue;
                }
                depth = depth.saturating_sub(1);
                match name {
                    "AlternateContent" | "Choice" => {}
                    "tr" => {
                        rows.pop();
                        out.xml.push_str(raw);
                    }
                    "sdt" => {
                        sdts.pop();
                        out.xml.push_str(raw);
                    }
                    _ => out.xml.push_str(raw),
                }
            }
            _ => {
                if skip.is_none() {
                    out.xml.push_str(raw);
                }
            }
        }
    }
    if depth != 0 {
        return Err(IngestErrorKind::corrupt(
            place(part, text, text.len()),
            "ends before all elements are closed (truncated XML)",
        ));
    }
    Ok(out)
}

/// A piece of run text: plain text or a marker.
#[derive(Debug, PartialEq)]
pub enum Piece<'a> {
    Text(&'a str),
    Note(&'a str),
    Endnote(&'a str),
    Image(usize),
    Link(usize),
}

/// Split run text into plain text and markers.
pub fn pieces(s: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find(MARK_OPEN) {
        if i > 0 {
            out.push(Piece::Text(&rest[..i]));
        }
        let after = &rest[i + MARK_OPEN.len_utf8()..];
        let Some(j) = after.find(MARK_CLOSE) else {
            rest = after;
            continue;
        };
        let body = &after[..j];
        let mut chars = body.chars();
        let kind = chars.next();
        let payload = chars.as_str();
        match kind {
            Some('F') => out.push(Piece::Note(payload)),
            Some('E') => out.push(Piece::Endnote(payload)),
            Some('I') => {
                if let Ok(k) = payload.parse() {
                    out.push(Piece::Image(k))
                }
            }
            Some('L') => {
                if let Ok(k) = payload.parse() {
                    out.push(Piece::Link(k))
                }
            }
            _ => {}
        }
        rest = &after[j + MARK_CLOSE.len_utf8()..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const NS: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;

    #[test]
    fn marks_notes_paragraphs_and_images() {
        let xml = format!(
            r#"<w:document {NS}><w:body><w:p><w:r><w:t>a</w:t></w:r><w:r><w:footnoteReference w:id="7"/></w:r></w:p><w:p/><w:p><w:r><w:drawing><wp:docPr id="1" name="x" descr="A chart"/><pic:pic/></w:drawing></w:r></w:p></w:body></w:document>"#
        );
        let p = run("word/document.xml", &xml, 64, &HashMap::new()).unwrap();
        assert_eq!(p.paragraphs, 3);
        assert_eq!(
            p.images,
            vec![Picture {
                alt: Some("A chart".to_string()),
                ..Picture::default()
            }]
        );
        assert!(p.xml.contains("\u{F8F0}F7\u{F8F1}"));
        assert!(p.xml.contains(r#"<w:p w14:paraId="P2"/>"#), "{}", p.xml);
        assert!(!p.xml.contains("docPr"));
        let ps = pieces("x\u{F8F0}F7\u{F8F1}y\u{F8F0}I3\u{F8F1}");
        assert_eq!(
            ps,
            vec![
                Piece::Text("x"),
                Piece::Note("7"),
                Piece::Text("y"),
                Piece::Image(3)
            ]
        );
    }

    /// What the walk may need later (bookmarks for `#anchor` links,
    /// properties) reaches docx-rs untouched.
    #[test]
    fn everything_else_is_copied() {
        let inner = r#"<w:p w:rsidR="00A1"><w:pPr><w:pStyle w:val="Heading1"/><w:spacing w:after="0"/></w:pPr><w:bookmarkStart w:id="0" w:name="_Toc1"/><w:r><w:rPr><w:i/><w:sz w:val="20"/></w:rPr><w:t xml:space="preserve">Key </w:t></w:r><w:bookmarkEnd w:id="0"/></w:p>"#;
        let xml = format!("<w:document {NS}><w:body>{inner}</w:body></w:document>");
        let p = run("word/document.xml", &xml, 64, &HashMap::new()).unwrap();
        let want = inner.replace(r#"<w:p w:rsidR="00A1">"#, r#"<w:p w14:paraId="P1">"#);
        assert!(p.xml.contains(&want), "{}", p.xml);
    }

    #[test]
    fn depth_and_doctype_are_refused() {
        let deep = format!(
            "<w:document {NS}>{}{}</w:document>",
            "<w:tbl>".repeat(40),
            "</w:tbl>".repeat(40)
        );
        let e = run("word/document.xml", &deep, 16, &HashMap::new())
            .unwrap_err()
            .to_string();
        assert!(e.contains("nested more than 16"), "{e}");
        let dt = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>";
        let e = run("word/document.xml", dt, 16, &HashMap::new())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("word/document.xml line 2") && e.contains("DOCTYPE"),
            "{e}"
        );
    }
}
