//! DOCX reader: the bytes of a `.docx` in, a [`Document`] out.
//!
//! docx-rs 0.4.22 parses the document; this module guards it and fills in
//! what it does not read. One thread, four steps:
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
//!    what docx-rs would lose (footnote/endnote references, images with
//!    their alt text, `r:id`+`w:anchor` links) as marker text, gives every
//!    paragraph its index as id, and notes header rows and TOC content.
//!    Everything else is copied as it is.
//! 3. docx-rs parses a rebuilt package: a stored zip holding the rewritten
//!    main document, styles and comments, with relationships naming only
//!    those (so it reads no themes, settings, fonts, headers, footers or
//!    images; image previews off). [`parts`] reads what docx-rs does not
//!    (footnotes, endnotes, core properties) or reads slowly (numbering)
//!    with quick-xml.
//! 4. [`body`] walks docx-rs's tree into blocks, comment anchors,
//!    revisions and title-page facts; [`read_docx`] makes the model.
//!
//! `docs/ingest-speed.md` says why it is this simple: the two-thread
//! reader it replaced bought milliseconds no one feels.
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
//! - **Metadata**: title from a Title paragraph, else as every reader finds
//!   a typed title ([`front`]: a lone top heading, or short
//!   bold, large or title-styled paragraphs before the first heading; the
//!   walk says which are prominent), else `dc:title`; authors from Author
//!   paragraphs, else `dc:creator` split on `;`; keywords from
//!   `cp:keywords` (split on `,` or `;`) plus `dc:subject`; language from
//!   `dc:language`. **Date**: a Date paragraph, else a date line before the
//!   first heading ([`front`]), else `dcterms:created`;
//!   normalised by [`normalise_date`] (`September 2020` → `2020-09`, full
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

use super::{IngestErrorKind, Limits, front};
use crate::dates::normalise_date;
use crate::model::{Comment, Document, Format, Media, NoteKind};
use docx_rs::{CommentChild, ParagraphChild, RunChild};
use std::collections::HashMap;

/// Relationship types (by their last path segment) of the parts docx-rs
/// parses for us: styles and comments. Everything else it would read
/// (numbering, themes, settings, fonts, headers, footers, images) the
/// model does not use or [`parts`] reads, so it is left out of the package
/// docx-rs gets.
const DOCX_RS_TYPES: [&str; 3] = ["/styles", "/comments", "/commentsExtended"];

const CORE: &str = "docProps/core.xml";

/// Read a DOCX draft from its bytes. `source` names it in the model.
pub fn read_docx(bytes: &[u8], source: &str, limits: &Limits) -> Result<Document, IngestErrorKind> {
    let depth = limits.max_xml_depth;
    let mut pkg = package::Package::open(bytes, limits)?;
    let (plan, rels) = plan(&mut pkg, depth)?;

    // The parts docx-rs reads besides the main document: checked first.
    let mut heavy = 0;
    for name in &plan.docx_rs_parts {
        if let Some(text) = pkg.load(name)? {
            heavy += package::check_xml(name, text, depth)?;
        }
    }
    if heavy > package::MAX_HEAVY_ELEMENTS {
        return Err(package::too_many_elements(heavy));
    }
    // What quick-xml reads.
    let numbering = match &plan.numbering {
        Some(name) => match pkg.load(name)? {
            Some(text) => parts::numbering(name, text, depth)?,
            None => parts::Numbering::default(),
        },
        None => parts::Numbering::default(),
    };
    let mut notes = Vec::new();
    for (name, kind) in plan
        .notes
        .iter()
        .zip([NoteKind::Footnote, NoteKind::Endnote])
    {
        let rels_name = rels_path_for(name);
        let note_rels = match pkg.load(&rels_name)? {
            Some(t) => parts::relationships(&rels_name, t, depth)?,
            None => HashMap::new(),
        };
        if let Some(text) = pkg.load(name)? {
            notes.extend(parts::notes(name, text, kind, depth, &note_rels)?);
        }
    }
    let core = match pkg.load(CORE)? {
        Some(text) => parts::core_props(CORE, text, depth)?,
        None => parts::CoreProps::default(),
    };

    // The main document, marked for docx-rs.
    let main_text = pkg.load(&plan.main)?.unwrap_or_default();
    let mut pre = prepass::run(&plan.main, main_text, depth, &rels)?;
    heavy += pre.heavy;
    let (media, media_warnings) = load_media(&mut pkg, &plan.main, &mut pre.images);
    if heavy > package::MAX_HEAVY_ELEMENTS {
        return Err(package::too_many_elements(heavy));
    }
    let mut list = vec![
        ("_rels/.rels", plan.root_rels.as_str()),
        (plan.main.as_str(), pre.xml.as_str()),
        (plan.rels_name.as_str(), plan.docx_rs_rels.as_str()),
    ];
    list.extend(
        plan.docx_rs_parts
            .iter()
            .filter_map(|name| pkg.part(name).map(|t| (name.as_str(), t))),
    );
    let docx = parse_docx(&package::Package::rebuild(&list)?, &plan.main)?;
    drop(list);
    drop(pkg);

    let ctx = body::Ctx::new(&docx, &numbering, &rels, &pre);
    let body = body::Walker::new(&ctx).walk(&docx.document.children);
    let mut doc = model(source, &plan.main, body, &docx, notes, core);
    doc.media = media;
    doc.warnings.extend(media_warnings);
    Ok(doc)
}

/// Read the bytes of the pictures the main document shows, by their
/// package part name; each picture's target becomes that part name (or
/// none, when there is nothing to read). A picture that cannot be read
/// (missing part, too large, damaged, not an image) is a warning naming
/// it, never a failure: the draft's text matters more than a figure.
fn load_media(
    pkg: &mut package::Package,
    main: &str,
    pictures: &mut [prepass::Picture],
) -> (std::collections::BTreeMap<String, Media>, Vec<String>) {
    let dir = main.rsplit_once('/').map_or("", |(d, _)| d);
    let mut media = std::collections::BTreeMap::new();
    let mut warnings = Vec::new();
    for (k, p) in pictures.iter_mut().enumerate() {
        let Some(target) = p.target.take() else {
            continue;
        };
        let name = format!("figure {} ({})", k + 1, p.alt.as_deref().unwrap_or(&target));
        if target.contains("://") {
            warnings.push(format!(
                "{name} is linked from {target}, not embedded: it is left out (insert the \
                 picture into the document instead of linking it)"
            ));
            continue;
        }
        let part = resolve_target(dir, &target);
        if !media.contains_key(&part) {
            match pkg.load_bytes(&part) {
                Ok(Some(bytes)) => match crate::model::ImageFormat::sniff(&bytes) {
                    Some(format) => {
                        media.insert(
                            part.clone(),
                            Media {
                                format,
                                bytes: bytes.into(),
                            },
                        );
                    }
                    None => {
                        warnings.push(format!(
                            "{name}: {part} is not an image format bpfpress knows (PNG, \
                             JPEG, GIF, SVG, WebP); it is left out"
                        ));
                        continue;
                    }
                },
                Ok(None) => {
                    warnings.push(format!(
                        "{name}: the picture {part} is missing from the package; it is left out"
                    ));
                    continue;
                }
                Err(e) => {
                    warnings.push(format!("{name}: {e}; it is left out"));
                    continue;
                }
            }
        }
        p.target = Some(part);
    }
    (media, warnings)
}

/// What the reader takes from the package's relationships before it reads
/// any other part.
struct Plan {
    /// The main document part and its relationships part.
    main: String,
    rels_name: String,
    /// Root relationships naming only the main document, for docx-rs.
    root_rels: String,
    /// The parts docx-rs reads (styles, comments) and a relationships part
    /// naming only them.
    docx_rs_parts: Vec<String>,
    docx_rs_rels: String,
    numbering: Option<String>,
    notes: [String; 2],
}

/// The model from the walked body, docx-rs's comments, the notes and the
/// core properties; `main` names the main document.
fn model(
    source: &str,
    main: &str,
    body: body::Body,
    docx: &docx_rs::Docx,
    notes: Vec<crate::model::Note>,
    core: parts::CoreProps,
) -> Document {
    let mut doc = Document::new(source, Format::Docx);
    doc.blocks = body.blocks;
    doc.revisions = body.revisions;
    doc.notes = notes;

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

    // Metadata: what the styles declare, then what the first paragraphs
    // say (front::title_page), then the core properties.
    let tp = body.title_page;
    let m = &mut doc.meta;
    m.title = tp.title;
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
    m.date = tp.date.map(|d| normalise_date(&d).unwrap_or(d));
    let prominent = tp.prominent;
    front::title_page(&mut doc, &|_, b| match b {
        crate::model::Block::Paragraph {
            loc: crate::model::Location::Paragraph(n),
            ..
        } => prominent.get(n).copied(),
        _ => None,
    });
    let m = &mut doc.meta;
    if m.title.is_none() {
        m.title = core.title;
    }
    if m.date.is_none() {
        m.date = core.created.as_deref().and_then(normalise_date);
    }
    front::warn_if_untitled(&mut doc);
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
            "{unresolved} note reference(s) point to notes that {main}'s notes part does not define",
        ));
    }
    doc.finish();
    doc
}

/// Find the main document and the parts to read through the relationships.
/// Returns the plan and the main document's relationship targets by id.
fn plan(
    pkg: &mut package::Package,
    depth: usize,
) -> Result<(Plan, HashMap<String, String>), IngestErrorKind> {
    let root_rels = match pkg.load("_rels/.rels")? {
        Some(t) => parts::relationship_list("_rels/.rels", t, depth)?,
        None => Vec::new(),
    };
    let Some(main) = main_document_path(pkg, &root_rels) else {
        let names = pkg.names();
        let mimetype = pkg.load("mimetype").ok().flatten().map(String::from);
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        return Err(super::foreign::zip_kind(&names, mimetype.as_deref()));
    };
    let rels_name = rels_path_for(&main);
    let rel_list = match pkg.load(&rels_name)? {
        Some(t) => parts::relationship_list(&rels_name, t, depth)?,
        None => Vec::new(),
    };
    let rels = rel_list
        .iter()
        .map(|r| (r.id.clone(), r.target.clone()))
        .collect();
    let dir = main.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    let internal = |r: &&parts::Relationship| {
        !r.mode
            .as_deref()
            .is_some_and(|m| m.eq_ignore_ascii_case("external"))
    };
    let for_docx_rs: Vec<parts::Relationship> = rel_list
        .iter()
        .filter(|r| DOCX_RS_TYPES.iter().any(|t| r.kind.ends_with(t)))
        .filter(internal)
        .cloned()
        .collect();
    let mut docx_rs_parts: Vec<String> = for_docx_rs
        .iter()
        .map(|r| resolve_target(&dir, &r.target))
        .collect();
    docx_rs_parts.sort();
    docx_rs_parts.dedup();
    let numbering = rel_list
        .iter()
        .filter(internal)
        .find(|r| r.kind.ends_with("/numbering"))
        .map(|r| resolve_target(&dir, &r.target));
    let plan = Plan {
        root_rels: rels_xml(&[parts::Relationship {
            id: "rId1".into(),
            kind:
                "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
                    .into(),
            target: main.clone(),
            mode: None,
        }]),
        docx_rs_rels: rels_xml(&for_docx_rs),
        notes: ["footnotes.xml", "endnotes.xml"].map(|f| join(&dir, f)),
        docx_rs_parts,
        numbering,
        main,
        rels_name,
    };
    Ok((plan, rels))
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
    .map_err(|e| parse_error(main, e))
}

fn parse_error(main: &str, e: docx_rs::ReaderError) -> IngestErrorKind {
    IngestErrorKind::corrupt(main, format!("Word XML could not be parsed: {e}"))
}

fn rels_path_for(part: &str) -> String {
    match part.rsplit_once('/') {
        Some((dir, file)) => format!("{dir}/_rels/{file}.rels"),
        None => format!("_rels/{part}.rels"),
    }
}

/// `file` inside the package folder `dir` (`""` is the root).
pub(crate) fn join(dir: &str, file: &str) -> String {
    if dir.is_empty() {
        file.to_string()
    } else {
        format!("{dir}/{file}")
    }
}

/// The part name a relationship target points to, from the folder of the
/// part whose relationships these are (`/word/x.xml`, `x.xml`, `../x.xml`).
pub(crate) fn resolve_target(dir: &str, target: &str) -> String {
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

    /// A comment whose range spans many paragraphs keeps its whole anchor
    /// (paragraph breaks as newlines), and paragraph locations count every
    /// `w:p`.
    #[test]
    fn a_long_comment_keeps_its_anchor() {
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
        let d = read_docx(&bytes, "c.docx", &Limits::default()).unwrap();
        assert_eq!(d.comments.len(), 1);
        let anchor = &d.comments[0].anchor;
        assert!(
            anchor.starts_with("Para 5\nPara 6\n") && anchor.ends_with("Para 35"),
            "{anchor}"
        );
        assert_eq!(
            d.comments[0].loc,
            Some(crate::model::Location::Paragraph(5))
        );
        assert_eq!(d.blocks.len(), 40);
        assert_eq!(d.blocks[39].loc(), crate::model::Location::Paragraph(40));
    }
}
