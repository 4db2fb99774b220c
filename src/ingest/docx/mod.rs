//! DOCX reader: the bytes of a `.docx` in, a [`Document`] out.
//!
//! docx-rs 0.4.22 parses the body; this module guards it and fills in what
//! it does not read. The steps:
//! 1. [`package`]: open the zip and validate it (entry count, per-part and
//!    total decompressed size read through `take()`, compression ratio, CRC of
//!    every entry, well-formed XML without DOCTYPE, nesting depth, and at
//!    most [`package::MAX_HEAVY_ELEMENTS`] paragraphs, runs, styles and
//!    table parts for docx-rs, whose structs cost several KiB each). Nothing
//!    unvalidated reaches docx-rs, which `unwrap()`s CRC errors and overflows
//!    its stack on deeply nested tables.
//! 2. [`prepass`]: one quick-xml pass over the main document that marks
//!    footnote/endnote references, paragraph indices, images (with their
//!    alt text) and `r:id`+`w:anchor` links as marker text, and notes header
//!    rows and TOC content.
//! 3. docx-rs parses a rebuilt package: a stored zip holding only the parts
//!    it reads (package root parts, the main document, its relationship
//!    targets), image previews off. Each part is held once at a time where
//!    possible, so peak memory stays a few times the XML size.
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
use std::collections::{HashMap, HashSet};

/// Read a DOCX draft from its bytes. `source` names it in the model.
pub fn read_docx(bytes: &[u8], source: &str, limits: &Limits) -> Result<Document, IngestErrorKind> {
    let mut pkg = package::Package::open(bytes, limits)?;

    let rels_root = pkg
        .part("_rels/.rels")
        .map(|t| parts::relationships("_rels/.rels", t, limits.max_xml_depth));
    let main = match rels_root {
        Some(Ok(_)) | None => main_document_path(&pkg),
        Some(Err(e)) => return Err(e),
    };
    let Some(main) = main else {
        return Err(IngestErrorKind::UnknownFormat(
            "a zip archive without word/document.xml, so not a Word (.docx) document".into(),
        ));
    };
    let rels_name = rels_path_for(&main);
    let rels = match pkg.part(&rels_name) {
        Some(t) => parts::relationships(&rels_name, t, limits.max_xml_depth)?,
        None => HashMap::new(),
    };
    let dir = main.rsplit_once('/').map_or("", |(d, _)| d).to_string();
    // Parts docx-rs will parse: the root parts, the main document, its
    // relationships and their targets (with their own relationships).
    let mut for_docx_rs: HashSet<String> = ["[Content_Types].xml", "_rels/.rels"]
        .into_iter()
        .map(String::from)
        .chain([main.clone(), rels_name.clone()])
        .collect();
    for target in rels.values() {
        let part = resolve_target(&dir, target);
        for_docx_rs.insert(rels_path_for(&part));
        for_docx_rs.insert(part);
    }
    // Parts read here with quick-xml.
    let note_parts = ["footnotes.xml", "endnotes.xml"].map(|f| join(&dir, f));
    let ours: HashSet<String> = note_parts
        .iter()
        .cloned()
        .chain(["docProps/core.xml".to_string()])
        .collect();
    for_docx_rs.retain(|p| !ours.contains(p));

    let mut heavy = 0;
    for (name, text) in &pkg.parts {
        if name != &main {
            let n = package::check_xml(name, text, limits.max_xml_depth)?;
            if for_docx_rs.contains(name) {
                heavy += n;
            }
        }
    }
    if heavy > package::MAX_HEAVY_ELEMENTS {
        return Err(package::too_many_elements(heavy));
    }
    pkg.parts
        .retain(|name, _| for_docx_rs.contains(name) || ours.contains(name));
    // Keep one copy of the main document at a time: the original goes once
    // the prepass has rewritten it, the rewrite once it is in the package.
    let main_text = pkg.parts.remove(&main).unwrap_or_default();
    let mut pre = prepass::run(&main, &main_text, limits.max_xml_depth, &rels)?;
    drop(main_text);
    if heavy + pre.heavy > package::MAX_HEAVY_ELEMENTS {
        return Err(package::too_many_elements(heavy + pre.heavy));
    }

    let rebuilt = pkg.rebuild((&main, &pre.xml), &for_docx_rs)?;
    pre.xml = String::new();
    pkg.parts.retain(|name, _| ours.contains(name));
    let docx = docx_rs::read_docx_with_options(
        &rebuilt,
        docx_rs::ReadDocxOptions::default().with_image_previews(false),
    )
    .map_err(|e| {
        IngestErrorKind::corrupt(main.clone(), format!("Word XML could not be parsed: {e}"))
    })?;
    drop(rebuilt);

    let ctx = body::Ctx::new(&docx, &rels, &pre);
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
    let core = match pkg.part("docProps/core.xml") {
        Some(t) => parts::core_props("docProps/core.xml", t, limits.max_xml_depth)?,
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
fn main_document_path(pkg: &package::Package) -> Option<String> {
    const DEFAULT: &str = "word/document.xml";
    if pkg.part(DEFAULT).is_some() {
        return Some(DEFAULT.into());
    }
    let rels = pkg.part("_rels/.rels")?;
    let map = parts::relationships("_rels/.rels", rels, 64).ok()?;
    let mut targets: Vec<_> = map.values().collect();
    targets.sort();
    targets
        .into_iter()
        .map(|t| t.trim_start_matches('/').to_string())
        .find(|t| t.ends_with(".xml") && t.starts_with("word/") && pkg.part(t).is_some())
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
