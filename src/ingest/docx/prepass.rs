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
//!   and is not counted as paragraphs.
//!
//! `mc:AlternateContent` is unwrapped to its `mc:Choice`; `mc:Fallback` is
//! dropped. It also records which paragraphs sit in table header rows
//! (`w:tblHeader`) and in table-of-contents SDTs (`w:docPartGallery`
//! "Table of Contents").
//!
//! Every `w:p` start tag is rewritten to `<w:p w14:paraId="P<n>">`, `n` its
//! 1-based paragraph index, so each block knows its location exactly
//! (docx-rs keeps `paraId` as the paragraph's id; the walk uses no other
//! paragraph attribute). Markup the walk never reads is left out and
//! needlessly split runs are merged ([`super::tidy`]). Everything else is
//! copied byte for byte.

use super::package::{DOCTYPE_REASON, check_ref, place, too_deep, xml_error};
use super::tidy::{Action, Tidy};
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
    /// Alt text of each image marker `I<k>`.
    pub images: Vec<Option<String>>,
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
    /// Where [`Prepass::xml`] may be cut into parts that parse alone.
    pub cuts: Cuts,
    /// With tidying: each paragraph's own style, outline level and
    /// numbering, taken out of its `w:pPr` (index: paragraph index - 1;
    /// missing entries have none). `None` without tidying: docx-rs has them.
    pub props: Option<Vec<ParaProps>>,
}

/// What a paragraph's `w:pPr` says of its style, outline level and
/// numbering, read as docx-rs reads them (see [`super::tidy`]).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ParaProps {
    /// `w:pStyle`: the first attribute's value, escaped as docx-rs's
    /// `ParagraphStyle` escapes it.
    pub style: Option<String>,
    /// `w:outlineLvl` `w:val`.
    pub outline: Option<usize>,
    /// `w:numPr`: `w:numId` and `w:ilvl` (each its first attribute). A
    /// value that is not a number voids that `w:numPr`, as in docx-rs.
    pub num: Option<NumPr>,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct NumPr {
    pub id: Option<usize>,
    pub level: Option<usize>,
}

impl Prepass {
    fn props_mut(&mut self, n: u32) -> Option<&mut ParaProps> {
        let props = self.props.as_mut()?;
        let i = (n as usize).checked_sub(1)?;
        if props.len() <= i {
            props.resize(i + 1, ParaProps::default());
        }
        props.get_mut(i)
    }
}

/// The places where the rewritten document can be cut between two
/// top-level blocks of `w:body`, so that its pieces parse in parallel
/// (see [`Cuts::pieces`]).
#[derive(Debug, Default)]
pub struct Cuts {
    /// Qualified names of the root element and of the body (`w:document`,
    /// `w:body`), to close every piece but the last.
    root: String,
    body: String,
    /// Offset just after the body's start tag: the head every piece but the
    /// first starts with (XML declaration, root and body start tags).
    body_start: usize,
    /// Offsets of the start tags of the body's paragraphs, tables and SDTs.
    blocks: Vec<usize>,
}

impl Cuts {
    /// Cut `xml` into at most `n` documents of about equal size, at the
    /// block boundaries nearest to the even cut points. Every piece but the
    /// last is closed with the body and root end tags; every piece but the
    /// first starts with the document's head (XML declaration, root and
    /// body start tags). One piece (the whole text) when there is no
    /// boundary to cut at. The pieces are read from `xml` in place.
    pub fn pieces(&self, xml: String, n: usize) -> Pieces {
        let usable = !self.root.is_empty() && !self.body.is_empty();
        let mut cuts: Vec<usize> = Vec::new();
        for k in 1..n.max(1) {
            if !usable {
                break;
            }
            let at = xml.len() * k / n;
            let i = self.blocks.partition_point(|&b| b < at);
            let nearest = [i.checked_sub(1), Some(i)]
                .into_iter()
                .flatten()
                .filter_map(|j| self.blocks.get(j).copied())
                .filter(|&b| b > self.body_start && b < xml.len() && xml.is_char_boundary(b))
                .min_by_key(|&b| b.abs_diff(at));
            if let Some(c) = nearest
                && cuts.last().is_none_or(|&last| c > last)
            {
                cuts.push(c);
            }
        }
        let mut ranges = Vec::with_capacity(cuts.len() + 1);
        let mut from = 0;
        for c in cuts.into_iter().chain([xml.len()]) {
            ranges.push(from..c);
            from = c;
        }
        Pieces {
            head: self.body_start.min(xml.len()),
            close: format!("</{}></{}>", self.body, self.root),
            xml,
            ranges,
        }
    }
}

/// The rewritten document cut into pieces that each parse as a document
/// ([`Cuts::pieces`]), read without copying the text.
#[derive(Debug)]
pub struct Pieces {
    xml: String,
    /// Length of the head (`xml[..head]`) that opens every piece but the
    /// first.
    head: usize,
    /// The end tags that close every piece but the last.
    close: String,
    ranges: Vec<std::ops::Range<usize>>,
}

impl Pieces {
    pub fn len(&self) -> usize {
        self.ranges.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ranges.is_empty()
    }

    /// Piece `i`'s parts in order: head, own text, end tags (empty where
    /// the piece does not have one).
    fn parts(&self, i: usize) -> Option<[&str; 3]> {
        let r = self.ranges.get(i)?;
        let head = if r.start == 0 {
            ""
        } else {
            &self.xml[..self.head]
        };
        let close = if r.end == self.xml.len() {
            ""
        } else {
            self.close.as_str()
        };
        Some([head, &self.xml[r.clone()], close])
    }

    /// Piece `i` as a reader.
    pub fn reader(&self, i: usize) -> Option<impl std::io::Read + '_> {
        use std::io::Read;
        let [head, text, close] = self.parts(i)?;
        Some(
            head.as_bytes()
                .chain(text.as_bytes())
                .chain(close.as_bytes()),
        )
    }

    /// Piece `i` as one string.
    #[cfg(test)]
    pub fn text(&self, i: usize) -> Option<String> {
        self.parts(i).map(|p| p.concat())
    }
}

#[derive(Clone, Copy, PartialEq)]
enum SkipKind {
    Image,
    Fallback,
    NoteRef,
    /// Left out by the tidying ([`super::tidy`]).
    Dropped,
    /// A paragraph's `w:numPr`, read into [`Prepass::props`].
    NumPr,
}

struct Skip {
    depth: usize,
    kind: SkipKind,
    descr: Option<String>,
    title: Option<String>,
    has_picture: bool,
    /// For [`SkipKind::NumPr`]: what it says so far, `None` once a value
    /// is not a number.
    num: Option<NumPr>,
}

impl Skip {
    fn new(depth: usize, kind: SkipKind) -> Skip {
        Skip {
            depth,
            kind,
            descr: None,
            title: None,
            has_picture: false,
            num: Some(NumPr::default()),
        }
    }
}

/// The first attribute's value, as docx-rs reads `attributes[0].value`.
fn first_attr(e: &BytesStart<'_>) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .next()?
        .ok()?
        .normalized_value(quick_xml::XmlVersion::Implicit1_0)
        .ok()
        .map(|v| v.into_owned())
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

/// Run the pass over `text` (the part named `part`); `tidy`: leave out
/// what the walk does not read ([`super::tidy`]).
pub fn run(
    part: &str,
    text: &str,
    max_depth: usize,
    rels: &HashMap<String, String>,
    tidy: bool,
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
    let mut body_open = false;
    // Indices of the open paragraphs.
    let mut open_paras: Vec<u32> = Vec::new();
    out.props = tidy.then(Vec::new);
    let mut tidy = Tidy::new(tidy);
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
                        "pic" | "imagedata" | "chart" | "graphicData" => s.has_picture = true,
                        "ilvl" | "numId"
                            if s.kind == SkipKind::NumPr
                                && (if is_start { depth } else { depth + 1 }) == s.depth + 1 =>
                        {
                            // docx-rs: `usize::from_str(&attributes[0].value)?`.
                            let v = first_attr(e).and_then(|v| v.parse::<usize>().ok());
                            match (s.num.as_mut(), v) {
                                (Some(num), Some(v)) if name == "ilvl" => num.level = Some(v),
                                (Some(num), Some(v)) => num.id = Some(v),
                                _ => s.num = None,
                            }
                        }
                        _ => {}
                    }
                    continue;
                }
                out.heavy += usize::from(super::package::is_heavy(name));
                let before = out.xml.len();
                let qname = e.name();
                let qname: &str = qname.as_ref();
                match tidy.element(name, is_start, depth, before, raw.len(), qname.len() + 2) {
                    Action::Copy => {}
                    Action::Bare => {
                        out.xml.push('<');
                        out.xml.push_str(qname);
                        out.xml.push('>');
                        continue;
                    }
                    Action::Drop => {
                        if is_start {
                            skip = Some(Skip::new(depth, SkipKind::Dropped));
                        }
                        continue;
                    }
                    Action::Take => {
                        let n = open_paras.last().copied().unwrap_or(0);
                        match name {
                            "numPr" if is_start => {
                                skip = Some(Skip::new(depth, SkipKind::NumPr));
                            }
                            "numPr" => {
                                if let Some(pp) = out.props_mut(n) {
                                    pp.num = Some(NumPr::default());
                                }
                            }
                            "pStyle" => {
                                // Kept as docx-rs keeps it (escaped); no
                                // attribute at all makes docx-rs panic.
                                let v = first_attr(e);
                                if let (Some(pp), Some(v)) = (out.props_mut(n), v) {
                                    pp.style = Some(docx_rs::ParagraphStyle::new(Some(v)).val);
                                }
                                if is_start {
                                    skip = Some(Skip::new(depth, SkipKind::Dropped));
                                }
                            }
                            _ => {
                                let v = attr(e, "val").and_then(|v| v.parse::<usize>().ok());
                                if let (Some(pp), Some(v)) = (out.props_mut(n), v) {
                                    pp.outline = Some(v);
                                }
                                if is_start {
                                    skip = Some(Skip::new(depth, SkipKind::Dropped));
                                }
                            }
                        }
                        continue;
                    }
                }
                let top = body_open && (if is_start { depth == 3 } else { depth == 2 });
                if top && matches!(name, "p" | "tbl" | "sdt") {
                    out.cuts.blocks.push(before);
                }
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
                        if is_start {
                            open_paras.push(n);
                        }
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
                if is_start && depth == 1 {
                    out.cuts.root = e.name().as_ref().to_string();
                } else if is_start && depth == 2 && name == "body" && out.cuts.body.is_empty() {
                    out.cuts.body = e.name().as_ref().to_string();
                    out.cuts.body_start = out.xml.len();
                    body_open = true;
                }
            }
            Event::End(ref e) => {
                let local_name = e.local_name();
                let name: &str = local_name.as_ref();
                if let Some(s) = skip.as_ref() {
                    if depth == s.depth {
                        if let (SkipKind::NumPr, Some(num)) = (s.kind, s.num) {
                            let n = open_paras.last().copied().unwrap_or(0);
                            if let Some(pp) = out.props_mut(n) {
                                pp.num = Some(num);
                            }
                        }
                        if s.kind == SkipKind::Image && s.has_picture {
                            out.images.push(s.descr.clone().or_else(|| s.title.clone()));
                            let k = (out.images.len() - 1).to_string();
                            out.xml.push_str(&marker('I', &k));
                        }
                        skip = None;
                    }
                    depth = depth.saturating_sub(1);
                    continue;
                }
                if tidy.end(name, depth, &mut out.xml) {
                    depth = depth.saturating_sub(1);
                    continue;
                }
                depth = depth.saturating_sub(1);
                if depth == 1 && name == "body" {
                    body_open = false;
                }
                match name {
                    "AlternateContent" | "Choice" => {}
                    "p" => {
                        open_paras.pop();
                        out.xml.push_str(raw);
                    }
                    "tr" => {
                        rows.pop();
                        out.xml.push_str(raw);
                    }
                    "sdt" => {
                        sdts.pop();
                        out.xml.push_str(raw);
                    }
                    "r" => {
                        out.xml.push_str(raw);
                        tidy.run_closed(depth + 1, &mut out.xml);
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
        let p = run("word/document.xml", &xml, 64, &HashMap::new(), true).unwrap();
        assert_eq!(p.paragraphs, 3);
        assert_eq!(p.images, vec![Some("A chart".to_string())]);
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

    fn pass(inner: &str, tidy: bool) -> Prepass {
        let xml = format!("<w:document {NS}><w:body>{inner}</w:body></w:document>");
        run("word/document.xml", &xml, 64, &HashMap::new(), tidy).unwrap()
    }

    fn body(inner: &str, tidy: bool) -> String {
        let p = pass(inner, tidy);
        let start = p.xml.find("<w:body>").unwrap() + "<w:body>".len();
        let end = p.xml.rfind("</w:body>").unwrap();
        p.xml[start..end].to_string()
    }

    #[test]
    fn runs_of_the_same_emphasis_are_merged() {
        // pandoc: one run per word and per space.
        let words = r#"<w:p><w:r><w:t xml:space="preserve">Best</w:t></w:r><w:r><w:t xml:space="preserve"> </w:t></w:r><w:r><w:t>Practice</w:t></w:r></w:p>"#;
        assert_eq!(
            body(words, true),
            r#"<w:p w14:paraId="P1"><w:r><w:t>Best Practice</w:t></w:r></w:p>"#
        );
        // Word: runs split by edit sessions and spell marks, with fonts and
        // languages the walk does not read; italics stay apart.
        let word = r#"<w:p w:rsidR="00A1"><w:pPr><w:pStyle w:val="Heading1"/><w:spacing w:after="0"/><w:rPr><w:lang w:val="en-GB"/></w:rPr></w:pPr><w:r w:rsidR="00A1"><w:rPr><w:rFonts w:ascii="Arial"/><w:lang w:val="en-GB"/></w:rPr><w:t>Key</w:t></w:r><w:proofErr w:type="spellStart"/><w:r w:rsidR="00B2"><w:rPr><w:lang w:val="en-US"/></w:rPr><w:t xml:space="preserve"> findings </w:t></w:r><w:proofErr w:type="spellEnd"/><w:bookmarkStart w:id="0" w:name="_x"/><w:r><w:rPr><w:i/><w:iCs/><w:sz w:val="20"/></w:rPr><w:t>now</w:t></w:r><w:bookmarkEnd w:id="0"/></w:p>"#;
        assert_eq!(
            body(word, true),
            r#"<w:p w14:paraId="P1"><w:r w:rsidR="00A1"><w:t>Key findings </w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>now</w:t></w:r></w:p>"#
        );
        let props = pass(word, true).props.unwrap();
        assert_eq!(props[0].style.as_deref(), Some("Heading1"));
        // Off: only the paragraph id changes.
        assert_eq!(
            body(words, false),
            words.replace("<w:p>", r#"<w:p w14:paraId="P1">"#)
        );
    }

    #[test]
    fn runs_stay_apart_where_the_model_can_see_the_seam() {
        for inner in [
            // a comment range starts between them
            r#"<w:p><w:r><w:t>a</w:t></w:r><w:commentRangeStart w:id="1"/><w:r><w:t>b</w:t></w:r></w:p>"#,
            // one of them is inserted
            r#"<w:p><w:r><w:t>a</w:t></w:r><w:ins w:id="2" w:author="A"><w:r><w:t>b</w:t></w:r></w:ins></w:p>"#,
            // a field character, a tab, a footnote reference
            r#"<w:p><w:r><w:t>a</w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:t>b</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>a</w:t><w:tab/></w:r><w:r><w:t>b</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>a</w:t></w:r><w:r><w:footnoteReference w:id="3"/></w:r><w:r><w:t>b</w:t></w:r></w:p>"#,
            // bold against plain, hidden against plain
            r#"<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>a</w:t></w:r><w:r><w:t>b</w:t></w:r></w:p>"#,
            r#"<w:p><w:r><w:t>a</w:t></w:r><w:r><w:rPr><w:vanish/></w:rPr><w:t>b</w:t></w:r></w:p>"#,
            // two paragraphs
            r#"<w:p><w:r><w:t>a</w:t></w:r></w:p><w:p><w:r><w:t>b</w:t></w:r></w:p>"#,
        ] {
            let out = body(inner, true);
            assert!(
                out.contains("<w:t>a</w:t>") && out.contains("<w:t>b</w:t>"),
                "{inner}\n→ {out}"
            );
        }
    }

    #[test]
    fn paragraph_properties_are_taken_out_and_tracked_marks_kept() {
        let inner = r#"<w:p><w:pPr><w:pStyle w:val="A&amp;B"/><w:numPr><w:ilvl w:val="1"/><w:numId w:val="4"/></w:numPr><w:outlineLvl w:val="2"/><w:jc w:val="both"/><w:rPr><w:ins w:id="1" w:author="A" w:date="2020-01-01T00:00:00Z"/><w:sz w:val="22"/></w:rPr></w:pPr><w:r><w:rPr></w:rPr><w:t>x</w:t></w:r></w:p><w:p><w:pPr><w:numPr><w:ilvl w:val="x"/><w:numId w:val="5"/></w:numPr></w:pPr></w:p><w:p><w:pPr><w:numPr/><w:pStyle/></w:pPr></w:p>"#;
        let p = pass(inner, true);
        assert!(p.xml.contains(
            r#"<w:p w14:paraId="P1"><w:pPr><w:rPr><w:ins w:id="1" w:author="A" w:date="2020-01-01T00:00:00Z"/></w:rPr></w:pPr><w:r><w:t>x</w:t></w:r></w:p><w:p w14:paraId="P2"></w:p>"#
        ), "{}", p.xml);
        let props = p.props.unwrap();
        // As docx-rs reads them: the style id escaped, a numPr with a value
        // that is not a number void, an empty numPr with neither value.
        assert_eq!(
            props,
            vec![
                ParaProps {
                    style: Some("A&amp;B".into()),
                    outline: Some(2),
                    num: Some(NumPr {
                        id: Some(4),
                        level: Some(1)
                    }),
                },
                ParaProps::default(),
                ParaProps {
                    num: Some(NumPr::default()),
                    ..ParaProps::default()
                },
            ]
        );
        assert_eq!(pass(inner, false).props, None);
    }

    #[test]
    fn depth_and_doctype_are_refused() {
        let deep = format!(
            "<w:document {NS}>{}{}</w:document>",
            "<w:tbl>".repeat(40),
            "</w:tbl>".repeat(40)
        );
        let e = run("word/document.xml", &deep, 16, &HashMap::new(), true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("nested more than 16"), "{e}");
        let dt = "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>";
        let e = run("word/document.xml", dt, 16, &HashMap::new(), true)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("word/document.xml line 2") && e.contains("DOCTYPE"),
            "{e}"
        );
    }
}
