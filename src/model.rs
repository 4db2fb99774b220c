//! The document model: what every reader produces and every later stage reads.
//!
//! One model for DOCX, PDF and Markdown drafts. It is plain data (serde), so
//! `bpfpress ingest --json` prints it and the render stage hands it to typst
//! as JSON. The JSON shape is documented in `docs/model.md`; bump
//! [`SCHEMA_VERSION`] when a field changes meaning or disappears.
//!
//! Design rules:
//! - Blocks hold the text with tracked revisions *accepted* (insertions kept,
//!   deletions dropped); the revisions themselves are listed in
//!   [`Document::revisions`] so the check stage can report them.
//! - Every block carries a [`Location`] in the unit natural to its source:
//!   page (PDF), paragraph index (DOCX, 1-based over `w:p` elements of the
//!   body in document order), line (Markdown / text, 1-based).
//! - Heading numbering (`C.`, `a.`, `2.1`, `IV.`) is kept apart from the
//!   heading text in [`Block::Heading::label`].

use serde::{Deserialize, Serialize};
use std::fmt;

/// Version of the JSON shape of [`Document`].
pub const SCHEMA_VERSION: u32 = 1;

/// A whole ingested draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    /// Version of this JSON shape ([`SCHEMA_VERSION`]).
    pub schema: u32,
    pub meta: Metadata,
    /// Body content in reading order.
    pub blocks: Vec<Block>,
    /// Footnotes and endnotes, in the order they are defined.
    #[serde(default)]
    pub notes: Vec<Note>,
    /// Reviewer comments (unresolved ones; resolved comments are not exported by Word).
    #[serde(default)]
    pub comments: Vec<Comment>,
    /// Tracked changes still present in the draft.
    #[serde(default)]
    pub revisions: Vec<Revision>,
    /// Non-fatal things the reader noticed (e.g. "heading levels inferred from font size").
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The bytes of the draft's images, by the name [`Block::Image::src`]
    /// gives. Not part of the JSON (`ingest --json` would otherwise print
    /// megabytes of base64): a model read back from JSON has no image data,
    /// and its figures render as described placeholders.
    #[serde(skip)]
    pub media: std::collections::BTreeMap<String, Media>,
}

/// An image file of the draft, as read (never decoded by the readers).
#[derive(Debug, Clone, PartialEq)]
pub struct Media {
    pub format: ImageFormat,
    pub bytes: std::sync::Arc<[u8]>,
}

/// Image formats the render stage places. EMF and WMF (Windows metafiles,
/// common in Word drafts) are recognised so a warning can name them; no
/// maintained Rust crate converts them, so they are not placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ImageFormat {
    Png,
    Jpeg,
    Gif,
    Svg,
    Webp,
    Emf,
    Wmf,
}

impl ImageFormat {
    /// The format by content (magic bytes); SVG by its XML start.
    pub fn sniff(bytes: &[u8]) -> Option<ImageFormat> {
        let starts = |m: &[u8]| bytes.starts_with(m);
        if starts(b"\x89PNG\r\n\x1a\n") {
            Some(ImageFormat::Png)
        } else if starts(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageFormat::Jpeg)
        } else if starts(b"GIF87a") || starts(b"GIF89a") {
            Some(ImageFormat::Gif)
        } else if starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
            Some(ImageFormat::Webp)
        } else if starts(&[0x01, 0, 0, 0]) && bytes.get(40..44) == Some(b" EMF") {
            Some(ImageFormat::Emf)
        } else if starts(&[0xD7, 0xCD, 0xC6, 0x9A]) || starts(&[0x01, 0x00, 0x09, 0x00]) {
            Some(ImageFormat::Wmf)
        } else {
            // SVG: XML text whose first element is <svg (after a BOM,
            // declaration, comments or a doctype).
            let head = &bytes[..bytes.len().min(4096)];
            let text = String::from_utf8_lossy(head);
            let t = text.trim_start_matches('\u{feff}').trim_start();
            (t.starts_with("<?xml") || t.starts_with("<svg") || t.starts_with("<!--"))
                .then_some(())
                .and_then(|_| t.contains("<svg").then_some(ImageFormat::Svg))
        }
    }

    /// Whether the render stage can place it.
    pub fn placeable(self) -> bool {
        !matches!(self, ImageFormat::Emf | ImageFormat::Wmf)
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Gif => "gif",
            ImageFormat::Svg => "svg",
            ImageFormat::Webp => "webp",
            ImageFormat::Emf => "emf",
            ImageFormat::Wmf => "wmf",
        }
    }
}

impl Document {
    /// An empty document for `source` in `format`.
    pub fn new(source: impl Into<String>, format: Format) -> Self {
        Document {
            schema: SCHEMA_VERSION,
            meta: Metadata {
                source: source.into(),
                format,
                ..Metadata::default()
            },
            blocks: Vec::new(),
            notes: Vec::new(),
            comments: Vec::new(),
            revisions: Vec::new(),
            warnings: Vec::new(),
            media: Default::default(),
        }
    }

    /// Recompute derived metadata (word count) after the blocks are final.
    /// Readers call this last.
    pub fn finish(&mut self) {
        let mut words = 0;
        for b in &self.blocks {
            words += count_words(&b.plain_text());
        }
        self.meta.words = words;
    }

    /// Headings in order, with their index in [`Document::blocks`].
    pub fn headings(&self) -> impl Iterator<Item = (usize, &Block)> {
        self.blocks
            .iter()
            .enumerate()
            .filter(|(_, b)| matches!(b, Block::Heading { .. }))
    }

    /// The note with this id, if defined.
    pub fn note(&self, id: &str) -> Option<&Note> {
        self.notes.iter().find(|n| n.id == id)
    }
}

/// Count whitespace-separated words that contain at least one letter or digit.
pub fn count_words(s: &str) -> usize {
    // One pass, no allocation: a word counts at its first letter or digit.
    // ASCII bytes are classified directly; other characters decoded.
    let (mut words, mut counted) = (0, false);
    let bytes = s.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (space, alnum, len) = if b.is_ascii() {
            // char::is_whitespace on ASCII: tab to carriage return, space.
            (
                matches!(b, b'\t'..=b'\r' | b' '),
                b.is_ascii_alphanumeric(),
                1,
            )
        } else {
            match s.get(i..).and_then(|rest| rest.chars().next()) {
                Some(c) => (c.is_whitespace(), c.is_alphanumeric(), c.len_utf8()),
                None => (false, false, 1),
            }
        };
        if space {
            counted = false;
        } else if !counted && alnum {
            words += 1;
            counted = true;
        }
        i += len;
    }
    words
}

/// Source format, detected from the content (magic bytes), not the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Docx,
    Pdf,
    #[default]
    Markdown,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Docx => "docx",
            Format::Pdf => "pdf",
            Format::Markdown => "markdown",
        })
    }
}

/// Document metadata. Every field but `source` and `format` may be absent in a draft.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Metadata {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    /// Authors or editors, in the order the source gives them.
    #[serde(default)]
    pub authors: Vec<String>,
    /// The draft's date as found. ISO `YYYY-MM-DD` when the day is known,
    /// `YYYY-MM` when only the month is (e.g. "September 2020").
    pub date: Option<String>,
    /// BCP 47 language tag (e.g. `en`, `en-GB`), when the source declares one.
    pub language: Option<String>,
    /// Keywords / subject, when the source declares them.
    #[serde(default)]
    pub keywords: Vec<String>,
    /// The path the draft was read from, as given.
    pub source: String,
    pub format: Format,
    /// Page count (PDF only).
    pub pages: Option<u32>,
    /// Words in the body blocks.
    pub words: usize,
    /// The draft's own element-to-heading map for the check (front matter
    /// `check:` with `8: "Loose ends"` lines, or `check-8: "Loose ends"`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub check_map: std::collections::BTreeMap<u32, String>,
}

/// Where a block or finding sits in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Location {
    /// 1-based page (PDF).
    Page(u32),
    /// 1-based paragraph index (DOCX body `w:p` elements, in order, tables included).
    Paragraph(u32),
    /// 1-based line (Markdown / text).
    Line(u32),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Page(n) => write!(f, "p. {n}"),
            Location::Paragraph(n) => write!(f, "¶ {n}"),
            Location::Line(n) => write!(f, "line {n}"),
        }
    }
}

/// One block of body content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Block {
    Heading {
        loc: Location,
        /// 1-6 (deeper source levels are clamped to 6). Levels may skip
        /// (1 → 3) as in the source; the render stage normalises them.
        level: u8,
        /// Numbering label as written, without trailing space: `C.`, `a.`, `2.1`, `IV.`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        label: Option<String>,
        /// Heading text without the label.
        text: String,
    },
    Paragraph {
        loc: Location,
        inlines: Vec<Inline>,
    },
    List {
        loc: Location,
        #[serde(flatten)]
        list: List,
    },
    Table {
        loc: Location,
        rows: Vec<TableRow>,
    },
    /// A figure.
    Image {
        loc: Location,
        /// Alternative text, if the source gives one (absent = an accessibility problem).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        alt: Option<String>,
        /// The image file: a key of [`Document::media`] (DOCX: the package
        /// part, `word/media/image1.png`; Markdown: the path as written,
        /// relative to the draft). Absent when the source gives none (a
        /// chart, a PDF draft).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        src: Option<String>,
        /// The figure's caption (a Word Caption paragraph, a pandoc figure
        /// caption), as written, e.g. "Figure 2: Participation by region".
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
        /// Width the source gives the figure, in points (DOCX `wp:extent`);
        /// the render stage never makes it wider than the text block.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        width: Option<f64>,
    },
}

impl Block {
    pub fn loc(&self) -> Location {
        match self {
            Block::Heading { loc, .. }
            | Block::Paragraph { loc, .. }
            | Block::List { loc, .. }
            | Block::Table { loc, .. }
            | Block::Image { loc, .. } => *loc,
        }
    }

    /// The block's text without markup; list items and table cells are
    /// separated by newlines, footnote references are dropped.
    pub fn plain_text(&self) -> String {
        match self {
            Block::Heading { text, .. } => text.clone(),
            Block::Paragraph { inlines, .. } => inlines_text(inlines),
            Block::List { list, .. } => {
                let mut out = String::new();
                list.push_text(&mut out);
                out.trim_end().to_string()
            }
            Block::Table { rows, .. } => rows
                .iter()
                .flat_map(|r| r.cells.iter())
                .map(|c| inlines_text(&c.inlines))
                .collect::<Vec<_>>()
                .join("\n"),
            // What a reader of the page reads: the caption, else the
            // description.
            Block::Image { alt, caption, .. } => {
                caption.clone().or_else(|| alt.clone()).unwrap_or_default()
            }
        }
    }

    /// All inlines of the block (paragraph runs, list items, table cells), in order.
    pub fn inlines(&self) -> Vec<&Inline> {
        let mut out = Vec::new();
        match self {
            Block::Paragraph { inlines, .. } => out.extend(inlines.iter()),
            Block::List { list, .. } => list.collect_inlines(&mut out),
            Block::Table { rows, .. } => {
                for c in rows.iter().flat_map(|r| r.cells.iter()) {
                    out.extend(c.inlines.iter());
                }
            }
            Block::Heading { .. } | Block::Image { .. } => {}
        }
        out
    }
}

/// An ordered or unordered list; items may hold nested lists.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct List {
    pub ordered: bool,
    /// Number of the first item of an ordered list when it is not 1
    /// (Markdown `3.`, DOCX `w:start` or a list that continues after other
    /// paragraphs at 6); absent means 1 or unordered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<u64>,
    /// How an ordered list's numbers look, when the source says (DOCX
    /// `w:numFmt` and `w:lvlText` of the level); absent means `1.`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub numbering: Option<ListNumbering>,
    pub items: Vec<ListItem>,
}

/// An ordered list's number format: `prefix`, the number in `style`,
/// `suffix` — `a.`, `(iv)`, `3.2` (prefix `3.`, the parent's number).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListNumbering {
    pub style: NumberStyle,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub suffix: String,
}

/// How a list number is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumberStyle {
    /// 1, 2, 3
    Decimal,
    /// a, b, c
    LowerAlpha,
    /// A, B, C
    UpperAlpha,
    /// i, ii, iii
    LowerRoman,
    /// I, II, III
    UpperRoman,
}

impl List {
    fn push_text(&self, out: &mut String) {
        for item in &self.items {
            out.push_str(&inlines_text(&item.inlines));
            out.push('\n');
            for sub in &item.children {
                sub.push_text(out);
            }
        }
    }

    fn collect_inlines<'a>(&'a self, out: &mut Vec<&'a Inline>) {
        for item in &self.items {
            out.extend(item.inlines.iter());
            for sub in &item.children {
                sub.collect_inlines(out);
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ListItem {
    pub inlines: Vec<Inline>,
    /// Nested lists under this item.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<List>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TableRow {
    /// A header row (DOCX `w:tblHeader`, Markdown table head, or the first row
    /// of a table whose first row is all bold).
    #[serde(default)]
    pub header: bool,
    pub cells: Vec<TableCell>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TableCell {
    pub inlines: Vec<Inline>,
    /// Columns spanned (1 for an ordinary cell).
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub colspan: u32,
}

fn one() -> u32 {
    1
}
fn is_one(n: &u32) -> bool {
    *n == 1
}

/// Inline content of a paragraph, list item or cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Inline {
    Text {
        text: String,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        emph: bool,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        strong: bool,
    },
    /// A hyperlink. `target` is kept exactly as the source has it, including
    /// empty and `#` targets (the check stage reports those).
    Link { target: String, text: String },
    /// A reference to [`Note`] `id`.
    NoteRef { id: String },
    /// A hard line break inside a paragraph.
    Break,
}

impl Inline {
    pub fn text(s: impl Into<String>) -> Inline {
        Inline::Text {
            text: s.into(),
            emph: false,
            strong: false,
        }
    }
}

/// Plain text of a run of inlines (links keep their text, note refs are dropped).
pub fn inlines_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    for i in inlines {
        match i {
            Inline::Text { text, .. } | Inline::Link { text, .. } => s.push_str(text),
            Inline::Break => s.push('\n'),
            Inline::NoteRef { .. } => {}
        }
    }
    s
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteKind {
    Footnote,
    Endnote,
}

/// A footnote or endnote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Identifier matching [`Inline::NoteRef::id`] (the source's id or number).
    pub id: String,
    pub kind: NoteKind,
    /// The note's plain text (what the check stage reads).
    pub text: String,
    /// The note's text with its links and emphasis, when the reader keeps
    /// them (DOCX, Markdown); absent means plain `text`. Paragraphs of a
    /// note are separated by [`Inline::Break`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inlines: Vec<Inline>,
    /// Where the note text is defined, if the source says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
}

/// A reviewer comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: String,
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The comment's own text.
    pub text: String,
    /// The draft text the comment is anchored to (may be empty for a point comment).
    pub anchor: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loc: Option<Location>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RevisionKind {
    Insert,
    Delete,
}

/// A tracked change still in the draft.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Revision {
    pub kind: RevisionKind,
    pub author: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// The inserted or deleted text.
    pub text: String,
    pub loc: Location,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn location_json_is_unit_keyed() {
        let j = serde_json::to_string(&Location::Page(3)).unwrap();
        assert_eq!(j, r#"{"page":3}"#);
        let b = Block::Heading {
            loc: Location::Line(4),
            level: 1,
            label: Some("A.".into()),
            text: "Introduction".into(),
        };
        let j = serde_json::to_value(&b).unwrap();
        assert_eq!(j["type"], "heading");
        assert_eq!(j["loc"]["line"], 4);
        let back: Block = serde_json::from_value(j).unwrap();
        assert_eq!(back, b);
    }

    #[test]
    fn plain_text_of_nested_list() {
        let list = List {
            ordered: false,
            start: None,
            numbering: None,
            items: vec![ListItem {
                inlines: vec![Inline::text("one")],
                children: vec![List {
                    ordered: true,
                    start: None,
                    numbering: None,
                    items: vec![ListItem {
                        inlines: vec![Inline::text("one.a")],
                        children: vec![],
                    }],
                }],
            }],
        };
        let b = Block::List {
            loc: Location::Line(1),
            list,
        };
        assert_eq!(b.plain_text(), "one\none.a");
        assert_eq!(count_words("a - b, 12 —"), 3);
    }

    /// The byte-wise count agrees with the plain definition over chars.
    #[test]
    fn word_count_matches_the_char_definition() {
        fn by_chars(s: &str) -> usize {
            let (mut words, mut counted) = (0, false);
            for c in s.chars() {
                if c.is_whitespace() {
                    counted = false;
                } else if !counted && c.is_alphanumeric() {
                    words += 1;
                    counted = true;
                }
            }
            words
        }
        for s in [
            "",
            "one",
            "  two  words ",
            "tab\tvt\u{0B}ff\u{0C}cr\rnl\n",
            "nbsp\u{A0}ideographic\u{3000}nel\u{85}end",
            "Überschrift 1 — 2.1 naïve café",
            "—– … ,, 42",
            "日本語 テキスト",
            "x\u{200B}y",
        ] {
            assert_eq!(count_words(s), by_chars(s), "{s:?}");
        }
    }
}
