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
//!    footnote/endnote references, images (with their alt text) and
//!    `r:id`+`w:anchor` links as marker text, gives every paragraph its
//!    index as id, notes header rows, TOC content and the boundaries between
//!    top-level blocks, and leaves out markup the walk does not read
//!    ([`tidy`]).
//! 3. docx-rs parses styles and comments from a rebuilt package (a stored
//!    zip holding only those parts and relationships naming only them,
//!    image previews off), and the rewritten body with
//!    `Document::from_xml`. A main document over [`TUNING`]`.split_min` is
//!    read on two threads, its body cut at block boundaries into [`Chunks`]
//!    that both parse; the walk takes them in order (see [`read`] and
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
//!   normalised by [`normalise_date`](crate::dates::normalise_date) (`September 2020` → `2020-09`, full
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
mod tidy;

use super::{IngestErrorKind, Limits};
use crate::dates::normalise_date;
use crate::model::{Comment, Document, Format, NoteKind};
use docx_rs::{CommentChild, ParagraphChild, RunChild};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, mpsc};

/// Relationship types (by their last path segment) of the parts docx-rs
/// parses for us: styles and comments. Everything else it would read
/// (numbering, themes, settings, fonts, headers, footers, images) the
/// model does not use or [`parts`] reads, so it is left out of the package
/// docx-rs gets.
const DOCX_RS_TYPES: [&str; 3] = ["/styles", "/comments", "/commentsExtended"];

/// How [`read`] divides the work; tests vary it to check that the model
/// does not depend on it.
#[derive(Debug, Clone, Copy)]
struct Tuning {
    /// Below this size (bytes of the main document) the document is read
    /// on one thread; above it, on two.
    split_min: usize,
    /// About how many bytes of rewritten main document go into one chunk
    /// for docx-rs (see [`Chunks`]); at most [`MAX_CHUNKS`] chunks.
    chunk_bytes: usize,
    /// Whether the prepass leaves out what the walk does not read
    /// ([`tidy`]).
    tidy: bool,
}

const TUNING: Tuning = Tuning {
    split_min: 48 << 10,
    chunk_bytes: 12 << 10,
    tidy: true,
};
const MAX_CHUNKS: usize = 32;

const CORE: &str = "docProps/core.xml";

/// Read a DOCX draft from its bytes. `source` names it in the model.
pub fn read_docx(bytes: &[u8], source: &str, limits: &Limits) -> Result<Document, IngestErrorKind> {
    read(bytes, source, limits, TUNING)
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
    /// The styles part (the first docx-rs reads), to be tidied when
    /// `tidy` ([`tidy::styles`]).
    styles: Option<String>,
    tidy: bool,
    numbering: Option<String>,
    notes: [String; 2],
}

/// The notes and core properties, read on the second thread while the
/// first rewrites the main document (see [`side`]); sent with the styles
/// ([`Styles`]), so that the model is made while the side thread is still
/// freeing what was walked and exiting.
struct Side {
    notes: Vec<crate::model::Note>,
    core: parts::CoreProps,
}

/// The body cut into documents ([`prepass::Cuts::pieces`]) that docx-rs
/// parses one at a time, on whichever thread is free: both threads take
/// the next unparsed chunk until none is left, so the work evens out
/// however long the side thread's own work took. The main thread walks the
/// results in order as they become ready, between chunks of its own.
///
/// A chunk is parsed with docx-rs's `Document::from_xml`, the call its
/// `read_docx` makes for the main document part: a chunk's package would
/// hold nothing else (no relationships, no comments), so building a zip
/// for it and having docx-rs unpack it again only cost time.
struct Chunks {
    pieces: prepass::Pieces,
    next: AtomicUsize,
    done: Mutex<Vec<Option<Parsed>>>,
    ready: Condvar,
}

type Parsed = Result<Vec<docx_rs::DocumentChild>, IngestErrorKind>;

impl Chunks {
    fn new(pieces: prepass::Pieces) -> Chunks {
        let n = pieces.len();
        Chunks {
            pieces,
            next: AtomicUsize::new(0),
            done: Mutex::new((0..n).map(|_| None).collect()),
            ready: Condvar::new(),
        }
    }

    fn len(&self) -> usize {
        self.pieces.len()
    }

    /// Parse chunks until none is left.
    fn work(&self, main: &str) {
        while self.work_one(main) {}
    }

    /// Parse the next unparsed chunk; false when none is left. A panic in
    /// docx-rs becomes the chunk's error (the other thread may be waiting
    /// for it).
    fn work_one(&self, main: &str) -> bool {
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        let Some(xml) = self.pieces.reader(i) else {
            return false;
        };
        let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            use docx_rs::FromXML;
            docx_rs::Document::from_xml(xml)
                .map(|d| d.children)
                .map_err(|e| parse_error(main, e))
        }))
        .unwrap_or_else(|p| Err(IngestErrorKind::Panic(super::panic_message(&*p))));
        let mut done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
        done[i] = Some(parsed);
        self.ready.notify_all();
        true
    }

    /// Chunk `i`'s result, waiting until a thread has parsed it.
    fn take(&self, i: usize) -> Parsed {
        let mut done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(parsed) = done.get_mut(i).and_then(Option::take) {
                return parsed;
            }
            done = self
                .ready
                .wait(done)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Chunk `i`'s result if it is parsed.
    fn try_take(&self, i: usize) -> Option<Parsed> {
        let mut done = self.done.lock().unwrap_or_else(PoisonError::into_inner);
        done.get_mut(i).and_then(Option::take)
    }
}

/// docx-rs's reading of styles and comments (with an empty body), the
/// numbering, and the notes and core properties: everything the walk and
/// the model need from the side thread, sent as one message.
type Styles = (docx_rs::Docx, parts::Numbering, Side);

/// A main document with an empty body: what docx-rs parses styles and
/// comments with.
const EMPTY_DOCUMENT: &str = r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body/></w:document>"#;

/// [`read_docx`], with two threads for main documents of at least
/// `tuning.split_min` bytes, their body cut into chunks of about
/// `tuning.chunk_bytes`.
///
/// This thread reads the main document and rewrites it ([`prepass`]);
/// meanwhile the other ([`side`]) reads numbering, notes and core
/// properties and has docx-rs parse styles and comments (sent over as soon
/// as they are ready). Then both parse the body's [`Chunks`], and this
/// thread walks them in order; the side thread frees the walked ones.
/// Small documents are read on this thread alone, the side work first.
/// See `docs/ingest-speed.md`.
fn read(
    bytes: &[u8],
    source: &str,
    limits: &Limits,
    tuning: Tuning,
) -> Result<Document, IngestErrorKind> {
    let depth = limits.max_xml_depth;
    let mut pkg = package::Package::open(bytes, limits)?;
    let (plan, rels) = plan(&mut pkg, depth, tuning.tidy)?;
    let (heavy_tx, heavy_rx) = mpsc::channel();
    let (chunks_tx, chunks_rx) = mpsc::channel();
    let (styles_tx, styles_rx) = mpsc::channel();
    let (trash_tx, trash_rx) = mpsc::channel();
    let big = pkg
        .size(&plan.main)
        .is_some_and(|n| n >= tuning.split_min as u64);
    let side_pkg = pkg.sibling();
    if big {
        std::thread::scope(|s| {
            let helper = std::thread::Builder::new()
                .name("bpfpress-ingest".into())
                .stack_size(super::PARSER_STACK)
                .spawn_scoped(s, || {
                    side(
                        side_pkg, depth, &plan, heavy_tx, styles_tx, chunks_rx, trash_rx,
                    )
                })
                .map_err(IngestErrorKind::Io)?;
            let main = main_part(&mut pkg, &plan, &rels, depth, tuning, heavy_rx, chunks_tx);
            let join = || {
                helper
                    .join()
                    .unwrap_or_else(|p| Err(IngestErrorKind::Panic(super::panic_message(&*p))))
            };
            let (body, docx, side) = assemble(&plan.main, main, styles_rx, &rels, trash_tx, join)?;
            // The side thread exits (and is joined) while the model is made.
            Ok::<_, IngestErrorKind>(model(source, &plan.main, body, docx, side))
        })
    } else {
        drop(chunks_tx);
        drop(trash_tx);
        let side = side(
            side_pkg, depth, &plan, heavy_tx, styles_tx, chunks_rx, trash_rx,
        );
        let (chunks_tx, _) = mpsc::channel();
        let (trash_tx, _) = mpsc::channel();
        let main = match side {
            Ok(_) => main_part(
                &mut pkg,
                &plan,
                &rels,
                depth,
                Tuning {
                    chunk_bytes: usize::MAX,
                    ..tuning
                },
                heavy_rx,
                chunks_tx,
            ),
            Err(_) => Err(side_failed()),
        };
        let (body, docx, side) = assemble(&plan.main, main, styles_rx, &rels, trash_tx, || side)?;
        Ok(model(source, &plan.main, body, docx, side))
    }
}

/// The model from the walked body, docx-rs's comments and the side
/// thread's notes and core properties; `main` names the main document.
fn model(source: &str, main: &str, body: body::Body, docx: docx_rs::Docx, side: Side) -> Document {
    let mut doc = Document::new(source, Format::Docx);
    doc.blocks = body.blocks;
    doc.revisions = body.revisions;
    doc.notes = side.notes;

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
    let core = side.core;
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
    tidy: bool,
) -> Result<(Plan, HashMap<String, String>), IngestErrorKind> {
    let root_rels = match pkg.load("_rels/.rels")? {
        Some(t) => parts::relationship_list("_rels/.rels", t, depth)?,
        None => Vec::new(),
    };
    let Some(main) = main_document_path(pkg, &root_rels) else {
        return Err(IngestErrorKind::UnknownFormat(
            "a zip archive without word/document.xml, so not a Word (.docx) document".into(),
        ));
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
    let styles = for_docx_rs
        .iter()
        .find(|r| r.kind.ends_with("/styles"))
        .map(|r| resolve_target(&dir, &r.target));
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
        styles,
        tidy,
        numbering,
        main,
        rels_name,
    };
    Ok((plan, rels))
}

/// The side work: numbering, notes, core properties, and docx-rs's
/// reading of styles and comments; then chunks of the body if
/// [`main_part`] shares them, then freeing walked chunks (`trash`) until
/// the main thread closes it. Reports the number of heavy docx-rs elements
/// in styles and comments on `heavy` once they are checked (the main
/// thread caps the total before parsing).
fn side(
    mut pkg: package::Package,
    depth: usize,
    plan: &Plan,
    heavy: mpsc::Sender<usize>,
    styles: mpsc::Sender<Styles>,
    chunks: mpsc::Receiver<Arc<Chunks>>,
    trash: mpsc::Receiver<Vec<docx_rs::DocumentChild>>,
) -> Result<(), IngestErrorKind> {
    let mut n = 0;
    for name in &plan.docx_rs_parts {
        if let Some(text) = pkg.load(name)? {
            n += package::check_xml(name, text, depth)?;
        }
    }
    if n > package::MAX_HEAVY_ELEMENTS {
        return Err(package::too_many_elements(n));
    }
    // The main thread may have stopped on an error already.
    let _ = heavy.send(n);
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
        if let Some(text) = pkg.load(name)? {
            notes.extend(parts::notes(name, text, kind, depth)?);
        }
    }
    let core = match pkg.load(CORE)? {
        Some(text) => parts::core_props(CORE, text, depth)?,
        None => parts::CoreProps::default(),
    };
    let mut list = vec![
        ("_rels/.rels", plan.root_rels.as_str()),
        (plan.main.as_str(), EMPTY_DOCUMENT),
        (plan.rels_name.as_str(), plan.docx_rs_rels.as_str()),
    ];
    let tidied = match &plan.styles {
        Some(name) if plan.tidy => pkg.part(name).map(tidy::styles),
        _ => None,
    };
    list.extend(plan.docx_rs_parts.iter().filter_map(|name| {
        match &tidied {
            Some(t) if plan.styles.as_ref() == Some(name) => Some(t.as_str()),
            _ => pkg.part(name),
        }
        .map(|t| (name.as_str(), t))
    }));
    let docx = parse_docx(&package::Package::rebuild(&list)?, &plan.main)?;
    drop(list);
    drop(pkg);
    let _ = styles.send((docx, numbering, Side { notes, core }));
    if let Ok(chunks) = chunks.recv() {
        chunks.work(&plan.main);
    }
    // Free what the main thread has walked, while it finishes the model.
    for walked in trash {
        drop(walked);
    }
    Ok(())
}

/// The main document: read, rewritten by the [`prepass`] and cut into
/// [`Chunks`] of about `tuning.chunk_bytes`, shared with [`side`] on `share` when
/// there are several. Returns the prepass facts (without the rewritten
/// text) and the chunks, none parsed yet.
fn main_part(
    pkg: &mut package::Package,
    plan: &Plan,
    rels: &HashMap<String, String>,
    depth: usize,
    tuning: Tuning,
    side_heavy: mpsc::Receiver<usize>,
    share: mpsc::Sender<Arc<Chunks>>,
) -> Result<(prepass::Prepass, Arc<Chunks>), IngestErrorKind> {
    // Keep one copy of the main document at a time: the original goes once
    // the prepass has rewritten it.
    pkg.load(&plan.main)?;
    let text = pkg.parts.remove(&plan.main).unwrap_or_default();
    let mut pre = prepass::run(&plan.main, &text, depth, rels, tuning.tidy)?;
    drop(text);
    let heavy = side_heavy.recv().map_err(|_| side_failed())? + pre.heavy;
    if heavy > package::MAX_HEAVY_ELEMENTS {
        return Err(package::too_many_elements(heavy));
    }
    let n = (pre.xml.len() / tuning.chunk_bytes.max(1)).clamp(1, MAX_CHUNKS);
    let pieces = pre.cuts.pieces(std::mem::take(&mut pre.xml), n);
    let chunks = Arc::new(Chunks::new(pieces));
    if chunks.len() > 1 {
        // If the side thread has stopped on an error, it is reported.
        let _ = share.send(Arc::clone(&chunks));
    }
    drop(share);
    Ok((pre, chunks))
}

/// Parse the body's chunks (`part`'s) along with the side thread, and
/// walk them in order once the styles are there, handing each walked
/// chunk to the side thread to free (`trash`). On errors, the side's comes
/// first: its parts precede the main document in the order errors were
/// always reported in.
fn assemble(
    part: &str,
    main: Result<(prepass::Prepass, Arc<Chunks>), IngestErrorKind>,
    styles: mpsc::Receiver<Styles>,
    rels: &HashMap<String, String>,
    trash: mpsc::Sender<Vec<docx_rs::DocumentChild>>,
    join: impl FnOnce() -> Result<(), IngestErrorKind>,
) -> Result<(body::Body, docx_rs::Docx, Side), IngestErrorKind> {
    // The side thread ends only once `trash` is closed: drop it before
    // every join.
    let (pre, chunks) = match main {
        Ok(m) => m,
        Err(e) => {
            drop(trash);
            return Err(join().err().unwrap_or(e));
        }
    };
    // Parse chunks until the styles are there ...
    let styles = loop {
        match styles.try_recv() {
            Ok(s) => break Ok(s),
            Err(mpsc::TryRecvError::Empty) if chunks.work_one(part) => {}
            Err(mpsc::TryRecvError::Empty) => break styles.recv().map_err(|_| ()),
            Err(mpsc::TryRecvError::Disconnected) => break Err(()),
        }
    };
    let Ok((docx, numbering, side)) = styles else {
        drop(trash);
        return Err(join().err().unwrap_or_else(side_failed));
    };
    let ctx = body::Ctx::new(&docx, &numbering, rels, &pre);
    let mut walker = body::Walker::new(&ctx);
    // ... then walk the parsed ones in order between parsing more.
    for i in 0..chunks.len() {
        let parsed = loop {
            if let Some(p) = chunks.try_take(i) {
                break p;
            }
            if !chunks.work_one(part) {
                break chunks.take(i);
            }
        };
        match parsed {
            Ok(children) => {
                walker.feed(&children);
                // A closed channel hands the chunk back: it is freed here.
                let _ = trash.send(children);
            }
            Err(e) => {
                drop(trash);
                return Err(join().err().unwrap_or(e));
            }
        }
    }
    drop(trash);
    let body = walker.finish();
    Ok((body, docx, side))
}

/// Stands for an error of the side thread, which is reported instead.
fn side_failed() -> IngestErrorKind {
    IngestErrorKind::Panic("the side reader stopped".into())
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
    use std::path::{Path, PathBuf};

    /// The whole body in one piece, on one thread.
    const ONE_PIECE: Tuning = Tuning {
        split_min: usize::MAX,
        chunk_bytes: usize::MAX,
        tidy: true,
    };

    fn docx_files(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        let mut dirs = vec![dir.to_path_buf()];
        while let Some(d) = dirs.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    dirs.push(p);
                } else if p.extension().is_some_and(|e| e == "docx") {
                    files.push(p);
                }
            }
        }
        files.sort();
        files
    }

    /// Read every file with and without the prepass's tidying; the models
    /// (or errors) must be the same. Returns how many files were read.
    fn same_model_tidied(files: &[PathBuf]) -> usize {
        let limits = Limits::default();
        let untidy = Tuning {
            tidy: false,
            ..ONE_PIECE
        };
        let mut read_ok = 0;
        for f in files {
            let bytes = std::fs::read(f).unwrap();
            let name = f.display().to_string();
            let tidied =
                read(&bytes, &name, &limits, ONE_PIECE).map(|d| serde_json::to_value(d).unwrap());
            let plain =
                read(&bytes, &name, &limits, untidy).map(|d| serde_json::to_value(d).unwrap());
            match (tidied, plain) {
                (Ok(a), Ok(b)) => {
                    assert_eq!(a, b, "{name}");
                    read_ok += 1;
                }
                (a, b) => assert_eq!(
                    a.map_err(|e| e.to_string()),
                    b.map_err(|e| e.to_string()),
                    "{name}"
                ),
            }
        }
        read_ok
    }

    /// Tidying (dropped properties, merged runs, bare `w:t`) changes
    /// nothing in the model of any DOCX fixture, and does shrink what
    /// docx-rs parses.
    #[test]
    fn tidying_keeps_the_model() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let files = docx_files(&root.join("fixtures"));
        assert!(files.len() >= 6, "{files:?}");
        assert_eq!(same_model_tidied(&files), files.len());
        let f = root.join("fixtures/report/bpf-on-bpfs-2020.pandoc.docx");
        let bytes = std::fs::read(f).unwrap();
        let mut pkg = package::Package::open(&bytes, &Limits::default()).unwrap();
        let text = pkg.load("word/document.xml").unwrap().unwrap().to_string();
        let rels = HashMap::new();
        let tidied = prepass::run("word/document.xml", &text, 64, &rels, true).unwrap();
        let plain = prepass::run("word/document.xml", &text, 64, &rels, false).unwrap();
        let runs = |x: &str| x.matches("<w:r>").count();
        assert!(
            runs(&tidied.xml) * 10 < runs(&plain.xml) * 9,
            "{} {}",
            runs(&tidied.xml),
            runs(&plain.xml)
        );
        assert!(tidied.xml.len() * 10 < plain.xml.len() * 9);
    }

    /// Every `.docx` of pandoc's test suite (not committed; point
    /// `BPFPRESS_PANDOC_DOCX` at its `test/docx`, or run
    /// `tests/corpus/docx.sh`): each reads or fails with a clean error (no
    /// panic, no timeout), and tidying changes no model.
    #[test]
    #[ignore = "needs pandoc's test/docx (see tests/corpus/docx.sh)"]
    fn pandoc_corpus() {
        let Ok(dir) = std::env::var("BPFPRESS_PANDOC_DOCX") else {
            eprintln!("BPFPRESS_PANDOC_DOCX not set; skipping");
            return;
        };
        let files = docx_files(Path::new(&dir));
        let (mut ok, mut clean) = (0, 0);
        for f in &files {
            match crate::ingest::read_path(f, &Limits::default()) {
                Ok(_) => ok += 1,
                Err(e) => {
                    assert!(
                        !matches!(
                            e.kind,
                            IngestErrorKind::Panic(_) | IngestErrorKind::Timeout(_)
                        ),
                        "{e}"
                    );
                    clean += 1;
                }
            }
        }
        let alike = same_model_tidied(&files);
        eprintln!(
            "{} files: {ok} read, {clean} clean errors; {alike} with the same model tidied or not",
            files.len()
        );
    }

    /// The model is the same whether the body is parsed whole on one
    /// thread or in chunks on two, for the real-report fixtures.
    #[test]
    fn chunks_give_the_same_model_as_one_parse() {
        let root = env!("CARGO_MANIFEST_DIR");
        for f in [
            "fixtures/report/bpf-on-bpfs-2020.pandoc.docx",
            "fixtures/report/bpf-on-bpfs-2020.lo.docx",
            "fixtures/docx/review.docx",
        ] {
            let bytes = std::fs::read(format!("{root}/{f}")).unwrap();
            let limits = Limits::default();
            let whole = read(&bytes, f, &limits, ONE_PIECE).unwrap();
            // Two threads for every document, small ones too, in chunks of
            // about 2 KB (dozens of cuts).
            let many = Tuning {
                split_min: 1,
                chunk_bytes: 2048,
                tidy: true,
            };
            let chunked = read(&bytes, f, &limits, many).unwrap();
            assert_eq!(
                serde_json::to_value(&whole).unwrap(),
                serde_json::to_value(&chunked).unwrap(),
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
        let pre = prepass::run("word/document.xml", &doc, 64, &HashMap::new(), true).unwrap();
        let pieces = pre.cuts.pieces(pre.xml.clone(), 2);
        let (Some(first), Some(second), 2) = (pieces.text(0), pieces.text(1), pieces.len()) else {
            panic!("{} pieces", pieces.len())
        };
        assert!(first.contains(">Para 5<") && !first.contains(">Para 35<"));
        assert!(second.contains(">Para 35<") && !second.contains(">Para 5<"));
        assert!(first.ends_with("</w:body></w:document>"));
        assert!(second.starts_with(r#"<?xml version="1.0"?><w:document"#));
        let whole = read(&bytes, "c.docx", &limits, ONE_PIECE).unwrap();
        let halves = Tuning {
            split_min: 1,
            chunk_bytes: pre.xml.len() / 2,
            tidy: true,
        };
        let chunked = read(&bytes, "c.docx", &limits, halves).unwrap();
        assert_eq!(
            serde_json::to_value(&whole).unwrap(),
            serde_json::to_value(&chunked).unwrap()
        );
        assert_eq!(chunked.comments.len(), 1);
        let anchor = &chunked.comments[0].anchor;
        assert!(
            anchor.starts_with("Para 5") && anchor.ends_with("Para 35"),
            "{anchor}"
        );
        assert_eq!(chunked.blocks.len(), 40);
        assert_eq!(
            chunked.blocks[39].loc(),
            crate::model::Location::Paragraph(40)
        );
    }
}
