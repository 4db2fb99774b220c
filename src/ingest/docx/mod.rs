//! DOCX reader: the bytes of a `.docx` in, a [`Document`] out.
//!
//! docx-rs 0.4.22 parses the body; this module guards it and fills in what
//! it does not read. The steps:
//! 1. [`package`]: open the zip (entry count) and read the parts used:
//!    the main document and its relationships, styles, numbering,
//!    comments, notes and core properties; each with per-part and total
//!    decompressed-size caps read through `take()`, compression ratio, CRC,
//!    well-formed XML without DOCTYPE, nesting depth, and at most
//!    [`package::MAX_HEAVY_ELEMENTS`] paragraphs, runs, styles and table
//!    parts for docx-rs, whose structs cost several KiB each. Nothing
//!    unvalidated reaches docx-rs, which `unwrap()`s CRC errors and overflows
//!    its stack on deeply nested tables.
//! 2. [`prepass`]: one quick-xml pass over the main document that marks
//!    footnote/endnote references, paragraph indices, images (with their
//!    alt text) and `r:id`+`w:anchor` links as marker text, and notes header
//!    rows, TOC content and the boundaries between top-level blocks.
//! 3. docx-rs parses a rebuilt package: a stored zip holding only the parts
//!    it is to read (main document, styles, numbering, comments) and
//!    relationships naming only those, image previews off. A main document
//!    over [`SPLIT_MIN`] is cut at a block boundary into two documents that
//!    parse on two threads; their bodies are joined in order (see
//!    `docs/ingest-speed.md`).
//! 4. [`body`] walks docx-rs's tree into blocks; [`parts`] reads footnotes,
//!    endnotes, core properties and relationship targets with quick-xml.
//!
//! Conventions of the model produced here:
//! - **Location**: `Location::Paragraph(n)`, `n` = 1-based index over the
//!   `w:p` elements of the main document in document order, paragraphs in
//!   tables and in the table of contents included; paragraphs inside
//!   drawings and text boxes are not counted. A table's location is its
//!   first paragraph; a list's is its first item.
//! - **Headings** come from paragraph styles: `Heading 1-9` (also by style
//!   id, and localised names such as `Überschrift 1`), any style with an
//!   outline level, and styles based on those (`w:basedOn` is followed).
//!   Levels above 6 are clamped. The numbering label (`C.`, `a.`, `2.1`,
//!   `IV.`) is taken from Word numbering when the heading is numbered,
//!   otherwise split off the start of the text.
//! - **Title page**: paragraphs styled Title, Subtitle, Author and Date (as
//!   pandoc writes them) become metadata, not blocks. Table-of-contents
//!   content (TOC SDTs, TOC fields, TOC styles) is skipped.
//! - **Metadata**: title from a Title paragraph, else `dc:title`; authors
//!   from Author paragraphs, else `dc:creator` split on `;`; keywords from
//!   `cp:keywords` (split on `,` or `;`) plus `dc:subject`; language from
//!   `dc:language`. **Date**: a Date paragraph, else a short paragraph before
//!   the first heading that reads as a date, else `dcterms:created`;
//!   normalised by [`normalise_date`](super::dates::normalise_date) (`September 2020` → `2020-09`, full
//!   dates → `YYYY-MM-DD`; text that is no recognisable date is kept as is).
//! - **Notes**: footnote ids as in `word/footnotes.xml`; endnote ids are
//!   prefixed `e` (`e3`) so both kinds share one id space.
//! - **Revisions**: blocks hold the text with revisions accepted (`w:ins`
//!   and `w:moveTo` kept, `w:del` and `w:moveFrom` dropped); each one is in
//!   [`Document::revisions`] with author, date, text and paragraph. A
//!   tracked paragraph mark is a revision with text `¶`; a deleted one joins
//!   its paragraph to the next (with a space if words would run together).
//! - **Comments**: from `comments.xml` (author, date, text); the anchor is
//!   the accepted text between `commentRangeStart` and `commentRangeEnd`
//!   (paragraph breaks as newlines, at most [`body::MAX_ANCHOR`] bytes).
//! - **Tables**: header rows from `w:tblHeader`, else an all-bold first row
//!   (`w:tblLook` first-row styling is not taken as a header); `gridSpan` →
//!   colspan; nested tables are flattened to text (`cell | cell`, rows on
//!   new lines) inside their cell.
//! - **Images**: `w:drawing`, `w:pict`, `w:object` → `Block::Image` after
//!   the paragraph's text; alt text from `wp:docPr` `descr`, else `title`.
//! - **Links**: relationship targets exactly as written (empty stays
//!   empty); internal anchors become `#anchor`; pandoc's anchor for a bare
//!   `#` link (`X` + SHA-1 of the empty string) becomes `#`.

pub mod body;
pub mod package;
pub mod parts;
pub mod prepass;

use super::dates::normalise_date;
use super::{IngestErrorKind, Limits};
use crate::model::{Comment, Document, Format, NoteKind};
use docx_rs::{CommentChild, ParagraphChild, RunChild};
use std::collections::HashMap;

/// Relationship types (by their last path segment) of the parts docx-rs
/// parses for us: styles and comments. Everything else it would read
/// (numbering, themes, settings, fonts, headers, footers, images) the
/// model does not use or [`parts`] reads, so it is left out of the package
/// docx-rs gets.
const DOCX_RS_TYPES: [&str; 3] = ["/styles", "/comments", "/commentsExtended"];

/// Below this size (bytes of rewritten main document) the document is
/// parsed on one thread; above it, in two halves on two threads.
const SPLIT_MIN: usize = 48 << 10;

const CONTENT_TYPES: &str = "[Content_Types].xml";
const CORE: &str = "docProps/core.xml";

/// Read a DOCX draft from its bytes. `source` names it in the model.
pub fn read_docx(bytes: &[u8], source: &str, limits: &Limits) -> Result<Document, IngestErrorKind> {
    read(bytes, source, limits, SPLIT_MIN)
}

/// [`read_docx`], cutting main documents of at least `split_min` bytes.
fn read(
    bytes: &[u8],
    source: &str,
    limits: &Limits,
    split_min: usize,
) -> Result<Document, IngestErrorKind> {
    let depth = limits.max_xml_depth;
    let mut pkg = package::Package::open(bytes, limits)?;
    let root_rels = match pkg.load("_rels/.rels")? {
        Some(t) => parts::relationship_list("_rels/.rels", t, depth)?,
        None => Vec::new(),
    };
    let Some(main) = main_document_path(&pkg, &root_rels) else {
        return Err(IngestErrorKind::UnknownFormat(
            "a zip archive without word/document.xml, so not a Word (.docx) document".into(),
        ));
    };
    let rels_name = rels_path_for(&main);
    let rel_list = match pkg.load(&rels_name)? {
        Some(t) => parts::relationship_list(&rels_name, t, depth)?,
        None => Vec::new(),
    };
    let rels: HashMap<String, String> = rel_list
        .iter()
        .map(|r| (r.id.clone(), r.target.clone()))
        .collect();
    let dir = main.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let for_docx_rs: Vec<&parts::Relationship> = rel_list
        .iter()
        .filter(|r| DOCX_RS_TYPES.iter().any(|t| r.kind.ends_with(t)))
        .filter(|r| {
            !r.mode
                .as_deref()
                .is_some_and(|m| m.eq_ignore_ascii_case("external"))
        })
        .collect();
    let mut docx_rs_parts: Vec<String> = for_docx_rs
        .iter()
        .map(|r| resolve_target(&dir, &r.target))
        .collect();
    docx_rs_parts.sort();
    docx_rs_parts.dedup();
    let note_parts = ["footnotes.xml", "endnotes.xml"].map(|f| join(&dir, f));
    let numbering_part = rel_list
        .iter()
        .find(|r| r.kind.ends_with("/numbering"))
        .map(|r| resolve_target(&dir, &r.target));
    let numbering = match numbering_part {
        Some(name) => match pkg.load(&name)? {
            Some(text) => parts::numbering(&name, text, depth)?,
            None => parts::Numbering::default(),
        },
        None => parts::Numbering::default(),
    };

    // Read and check every part used; count docx-rs's heavy elements.
    let mut heavy = 0;
    let mut extra_bytes = 0;
    let wanted = docx_rs_parts
        .iter()
        .map(String::as_str)
        .chain(note_parts.iter().map(String::as_str))
        .chain([CORE, CONTENT_TYPES]);
    for name in wanted {
        if let Some(text) = pkg.load(name)? {
            let n = package::check_xml(name, text, depth)?;
            if docx_rs_parts.iter().any(|p| p == name) {
                heavy += n;
                extra_bytes += text.len();
            }
        }
    }
    if heavy > package::MAX_HEAVY_ELEMENTS {
        return Err(package::too_many_elements(heavy));
    }
    // Keep one copy of the main document at a time: the original goes once
    // the prepass has rewritten it.
    pkg.load(&main)?;
    let main_text = pkg.parts.remove(&main).unwrap_or_default();
    let mut pre = prepass::run(&main, &main_text, depth, &rels)?;
    drop(main_text);
    if heavy + pre.heavy > package::MAX_HEAVY_ELEMENTS {
        return Err(package::too_many_elements(heavy + pre.heavy));
    }

    // The package docx-rs gets: its parts, and relationships that name only
    // them (the root ones name only the main document).
    let root_rels_xml = rels_xml(&[parts::Relationship {
        id: "rId1".into(),
        kind: "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
            .into(),
        target: main.clone(),
        mode: None,
    }]);
    let owned: Vec<parts::Relationship> = for_docx_rs.into_iter().cloned().collect();
    let main_rels_xml = rels_xml(&owned);
    let empty_rels_xml = rels_xml(&[]);
    let mut common: Vec<(&str, &str)> = vec![("_rels/.rels", &root_rels_xml)];
    if let Some(ct) = pkg.part(CONTENT_TYPES) {
        common.push((CONTENT_TYPES, ct));
    }
    let docx = {
        // docx-rs also parses the parts above (styles, numbering), so the
        // first half of the body is shortened by their (weighted) size.
        let extra = extra_bytes * 5 / 4;
        let at = (pre.xml.len() + extra) / 2;
        let halves = (pre.xml.len() >= split_min && at >= extra + pre.xml.len() / 8)
            .then(|| pre.cuts.halves(&pre.xml, at - extra))
            .flatten();
        let with_parts = |doc: &str, rels: &str| -> Result<Vec<u8>, IngestErrorKind> {
            let mut list = common.clone();
            list.push((main.as_str(), doc));
            list.push((rels_name.as_str(), rels));
            list.extend(
                docx_rs_parts
                    .iter()
                    .filter_map(|n| pkg.part(n).map(|t| (n.as_str(), t))),
            );
            package::Package::rebuild(&list)
        };
        match halves {
            None => {
                let zip = with_parts(&pre.xml, &main_rels_xml)?;
                pre.xml = String::new();
                parse_docx(&zip, &main)?
            }
            Some((first, second)) => {
                pre.xml = String::new();
                let zip_a = with_parts(&first, &main_rels_xml)?;
                drop(first);
                let mut list = common.clone();
                list.push((main.as_str(), second.as_str()));
                list.push((rels_name.as_str(), empty_rels_xml.as_str()));
                let zip_b = package::Package::rebuild(&list)?;
                drop(second);
                parse_halves(&zip_a, &zip_b, &main)?
            }
        }
    };

    let ctx = body::Ctx::new(&docx, &numbering, &rels, &pre);
    let body = body::Walker::new(&ctx).walk(&docx.document.children);

    let mut doc = Document::new(source, Format::Docx);
    doc.blocks = body.blocks;
    doc.revisions = body.revisions;

    // Notes.
    for (name, kind) in note_parts
        .iter()
        .zip([NoteKind::Footnote, NoteKind::Endnote])
    {
        if let Some(t) = pkg.part(name) {
            doc.notes
                .extend(parts::notes(name, t, kind, limits.max_xml_depth)?);
        }
    }

    // Comments.
    for c in docx.comments.inner() {
        let (anchor, loc) = body.anchors.get(&c.id).cloned().unwrap_or_default();
        doc.comments.push(Comment {
            id: c.id.to_string(),
            author: c.author.clone(),
            date: Some(c.date.clone()).filter(|d| !d.is_empty()),
            text: comment_text(&c.children),
            anchor: anchor.trim().to_string(),
            loc: loc.map(crate::model::Location::Paragraph),
        });
    }

    // Metadata.
    let core = match pkg.part(CORE) {
        Some(t) => parts::core_props(CORE, t, depth)?,
        None => parts::CoreProps::default(),
    };
    let tp = body.title_page;
    let m = &mut doc.meta;
    m.title = tp.title.or(core.title);
    m.subtitle = tp.subtitle;
    m.authors = if tp.authors.is_empty() {
        core.creator
            .map(|c| split_list(&c, &[';']))
            .unwrap_or_default()
    } else {
        tp.authors
            .iter()
            .flat_map(|a| split_list(a, &[';']))
            .collect()
    };
    m.keywords = core
        .keywords
        .map(|k| split_list(&k, &[',', ';']))
        .unwrap_or_default();
    if let Some(s) = core.subject {
        m.keywords.push(s);
    }
    m.language = core.language;
    m.date = tp
        .date
        .map(|d| normalise_date(&d).unwrap_or(d))
        .or_else(|| tp.front.iter().find_map(|t| normalise_date(t)))
        .or_else(|| core.created.as_deref().and_then(normalise_date));
    let unresolved = doc
        .blocks
        .iter()
        .flat_map(|b| b.inlines())
        .filter_map(|i| match i {
            crate::model::Inline::NoteRef { id } => Some(id.clone()),
            _ => None,
        })
        .filter(|id| doc.notes.iter().all(|n| &n.id != id))
        .count();
    if unresolved > 0 {
        doc.warnings.push(format!(
            "{unresolved} note reference(s) point to notes that {main}'s notes part does not define"
        ));
    }
    doc.finish();
    Ok(doc)
}

/// The main document part: `word/document.xml`, or what `_rels/.rels`
/// names as the office document when that part exists.
fn main_document_path(pkg: &package::Package, root_rels: &[parts::Relationship]) -> Option<String> {
    const DEFAULT: &str = "word/document.xml";
    if pkg.has(DEFAULT) {
        return Some(DEFAULT.into());
    }
    let mut targets: Vec<&str> = root_rels.iter().map(|r| r.target.as_str()).collect();
    targets.sort();
    targets
        .into_iter()
        .map(|t| t.trim_start_matches('/').to_string())
        .find(|t| t.ends_with(".xml") && t.starts_with("word/") && pkg.has(t))
}

/// A `.rels` part listing `rels`.
fn rels_xml(rels: &[parts::Relationship]) -> String {
    use quick_xml::escape::escape;
    let mut x = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for r in rels {
        x.push_str(&format!(
            r#"<Relationship Id="{}" Type="{}" Target="{}"/>"#,
            escape(r.id.as_str()),
            escape(r.kind.as_str()),
            escape(r.target.as_str())
        ));
    }
    x.push_str("</Relationships>");
    x
}

fn parse_docx(zip: &[u8], main: &str) -> Result<docx_rs::Docx, IngestErrorKind> {
    docx_rs::read_docx_with_options(
        zip,
        docx_rs::ReadDocxOptions::default().with_image_previews(false),
    )
    .map_err(|e| IngestErrorKind::corrupt(main, format!("Word XML could not be parsed: {e}")))
}

/// Parse two halves of one document at once (the second on its own
/// thread, with the parser stack) and join their bodies. docx-rs spends
/// most of a DOCX read building its tree, one block after another; two
/// halves on two cores take a little over half the time.
fn parse_halves(first: &[u8], second: &[u8], main: &str) -> Result<docx_rs::Docx, IngestErrorKind> {
    std::thread::scope(|s| {
        let other = std::thread::Builder::new()
            .name("bpfpress-ingest".into())
            .stack_size(super::PARSER_STACK)
            .spawn_scoped(s, || parse_docx(second, main));
        let a = parse_docx(first, main);
        let b = match other {
            Ok(h) => h
                .join()
                .unwrap_or_else(|p| Err(IngestErrorKind::Panic(super::panic_message(&*p)))),
            // No thread to be had: parse it here.
            Err(_) => parse_docx(second, main),
        };
        let mut a = a?;
        a.document.children.extend(b?.document.children);
        Ok(a)
    })
}

fn rels_path_for(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// The part name a relationship target points to, from the folder of the
/// part whose relationships these are (`/word/x.xml`, `x.xml`, `../x.xml`).
fn resolve_target(dir: &str, target: &str) -> String {
    let mut segs: Vec<&str> = match target.strip_prefix('/') {
        Some(_) => Vec::new(),
        None => dir.split('/').filter(|s| !s.is_empty()).collect(),
    };
    for seg in target.trim_start_matches('/').split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    segs.join("/")
}

fn split_list(s: &str, seps: &[char]) -> Vec<String> {
    s.split(seps)
        .map(str::trim)
        .filter(|x| !x.is_empty())
        .map(String::from)
        .collect()
}

fn comment_text(children: &[CommentChild]) -> String {
    let mut paras = Vec::new();
    for c in children {
        if let CommentChild::Paragraph(p) = c {
            let mut s = String::new();
            for pc in &p.children {
                let runs: Vec<&docx_rs::Run> = match pc {
                    ParagraphChild::Run(r) => vec![r],
                    ParagraphChild::Insert(i) => i
                        .children
                        .iter()
                        .filter_map(|x| match x {
                            docx_rs::InsertChild::Run(r) => Some(&**r),
                            _ => None,
                        })
                        .collect(),
                    ParagraphChild::Hyperlink(h) => h
                        .children
                        .iter()
                        .filter_map(|x| match x {
                            ParagraphChild::Run(r) => Some(&**r),
                            _ => None,
                        })
                        .collect(),
                    _ => vec![],
                };
                for r in runs {
                    for rc in &r.children {
                        match rc {
                            RunChild::Text(t) => s.push_str(&t.text),
                            RunChild::Tab(_) => s.push(' '),
                            _ => {}
                        }
                    }
                }
            }
            let s = s.trim().to_string();
            if !s.is_empty() {
                paras.push(s);
            }
        }
    }
    paras.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The model is the same whether the body is parsed whole or in two
    /// halves on two threads, for the real-report fixtures.
    #[test]
    fn halves_give_the_same_model_as_one_parse() {
        let root = env!("CARGO_MANIFEST_DIR");
        for f in [
            "fixtures/report/bpf-on-bpfs-2020.pandoc.docx",
            "fixtures/report/bpf-on-bpfs-2020.lo.docx",
            "fixtures/docx/review.docx",
        ] {
            let bytes = std::fs::read(format!("{root}/{f}")).unwrap();
            let limits = Limits::default();
            let whole = read(&bytes, f, &limits, usize::MAX).unwrap();
            // A split minimum of 1 byte cuts every document, small ones too.
            let halves = read(&bytes, f, &limits, 1).unwrap();
            assert_eq!(
                serde_json::to_value(&whole).unwrap(),
                serde_json::to_value(&halves).unwrap(),
                "{f}"
            );
            assert!(!whole.blocks.is_empty(), "{f}");
        }
    }

    /// A comment whose range spans the cut keeps its whole anchor, and
    /// paragraph locations continue across it.
    #[test]
    fn a_comment_across_the_cut_keeps_its_anchor() {
        use std::io::Write;
        const W: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        let mut body = String::new();
        for i in 1..=40 {
            let start = if i == 5 {
                r#"<w:commentRangeStart w:id="0"/>"#
            } else {
                ""
            };
            let end = if i == 35 {
                r#"<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>"#
            } else {
                ""
            };
            body.push_str(&format!(
                "<w:p>{start}<w:r><w:t>Para {i}</w:t></w:r>{end}</w:p>"
            ));
        }
        let doc = format!(
            r#"<?xml version="1.0"?><w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>"#
        );
        let comments = format!(
            r#"<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="Ana" w:date="2020-09-01T00:00:00Z"><w:p><w:r><w:t>Check</w:t></w:r></w:p></w:comment></w:comments>"#
        );
        let rels = r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments" Target="comments.xml"/></Relationships>"#;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for (name, text) in [
            ("word/document.xml", doc.as_str()),
            ("word/comments.xml", comments.as_str()),
            ("word/_rels/document.xml.rels", rels),
        ] {
            w.start_file(name, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(text.as_bytes()).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        let limits = Limits::default();
        // The cut falls in the middle of the body, inside the comment.
        let pre = prepass::run("word/document.xml", &doc, 64, &HashMap::new()).unwrap();
        let (first, second) = pre.cuts.halves(&pre.xml, pre.xml.len() / 2).unwrap();
        assert!(first.contains(">Para 5<") && !first.contains(">Para 35<"));
        assert!(second.contains(">Para 35<") && !second.contains(">Para 5<"));
        assert!(first.ends_with("</w:body></w:document>"));
        assert!(second.starts_with(r#"<?xml version="1.0"?><w:document"#));
        let whole = read(&bytes, "c.docx", &limits, usize::MAX).unwrap();
        let halves = read(&bytes, "c.docx", &limits, 1).unwrap();
        assert_eq!(
            serde_json::to_value(&whole).unwrap(),
            serde_json::to_value(&halves).unwrap()
        );
        assert_eq!(halves.comments.len(), 1);
        let anchor = &halves.comments[0].anchor;
        assert!(
            anchor.starts_with("Para 5") && anchor.ends_with("Para 35"),
            "{anchor}"
        );
        assert_eq!(halves.blocks.len(), 40);
        assert_eq!(
            halves.blocks[39].loc(),
            crate::model::Location::Paragraph(40)
        );
    }
}
