//! The body: docx-rs's parsed document tree (with the prepass markers) in,
//! model blocks, comment anchors, revisions and title-page metadata out.

use super::parts::{NumLevel, Numbering};
use super::prepass::{Picture, Piece, Prepass, pieces};
use crate::model::{
    Block, Inline, List, ListItem, ListNumbering, Location, NumberStyle, Revision, RevisionKind,
    TableCell, TableRow, inlines_text,
};
use docx_rs::{
    DeleteChild, DocumentChild, Docx, FieldCharType, InsertChild, MoveFromChild, MoveToChild,
    Paragraph, ParagraphChild, Run, RunChild, StructuredDataTagChild, Table, TableCellContent,
    TableChild, TableRowChild,
};
use std::collections::HashMap;

/// What a paragraph style makes of a paragraph.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum StyleKind {
    Title,
    Subtitle,
    Author,
    Date,
    Heading(u8),
    Toc,
    /// A figure caption (Word's Caption, pandoc's Image Caption); a table
    /// caption stays body text.
    Caption,
    Body,
}

#[derive(Debug, Clone, Copy)]
struct StyleInfo {
    kind: StyleKind,
    /// (numId, level) from the style's numbering, if any.
    num: Option<(usize, usize)>,
    /// Font size in half-points and bold, from the style's run properties.
    size: Option<usize>,
    bold: bool,
    /// A title-like name (`Cover Title`, `Titel`), for a title typed in
    /// ordinary paragraphs.
    titleish: bool,
}

impl StyleInfo {
    const BODY: StyleInfo = StyleInfo {
        kind: StyleKind::Body,
        num: None,
        size: None,
        bold: false,
        titleish: false,
    };
}

/// Everything the walk looks up: styles, numbering, relationship targets
/// and the prepass facts.
pub struct Ctx<'a> {
    styles: HashMap<String, StyleInfo>,
    /// Font size of body text, in half-points.
    body_size: usize,
    numbering: &'a Numbering,
    rels: &'a HashMap<String, String>,
    pre: &'a Prepass,
}

/// Serialise a docx-rs value whose fields are private.
fn ser<T: serde::Serialize>(v: &T) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or(serde_json::Value::Null)
}

/// Heading style names (lower case) in the languages Word is used in for
/// BPF drafts: `Heading 1`, `Überschrift 2`, `Titre 3`, `Заголовок 1` ...
const HEADING_NAMES: [&str; 14] = [
    "heading",
    "überschrift",
    "titre",
    "título",
    "titolo",
    "kop",
    "rubrik",
    "overskrift",
    "otsikko",
    "nagłówek",
    "nadpis",
    "заголовок",
    "cabeçalho",
    "encabezado",
];
/// Heading style ids (lower case): Word derives them from the name with
/// non-ASCII letters dropped (`berschrift1`, `ttulo2`).
const HEADING_IDS: [&str; 8] = [
    "heading",
    "berschrift",
    "titre",
    "ttulo",
    "titolo",
    "kop",
    "rubrik",
    "overskrift",
];

/// The level of a heading style name or id `s` (lower case): one of
/// `words`, then (for names, after optional spaces) a digit 1-9.
fn heading_level(s: &str, words: &[&str], spaces: bool) -> Option<u8> {
    let digit = s.chars().last().filter(|c| ('1'..='9').contains(c))?;
    let word = &s[..s.len() - 1];
    let word = if spaces { word.trim_end() } else { word };
    words.contains(&word).then(|| digit as u8 - b'0')
}

/// The kind a style's own name, id and outline level give, if any.
fn own_kind(id: &str, name: &str, outline: Option<usize>) -> Option<StyleKind> {
    let n = name.trim().to_lowercase();
    let i = id.to_lowercase();
    let either = |s: &str| n == s || i == s;
    if either("title") {
        return Some(StyleKind::Title);
    }
    if either("subtitle") {
        return Some(StyleKind::Subtitle);
    }
    if either("author") {
        return Some(StyleKind::Author);
    }
    if either("date") {
        return Some(StyleKind::Date);
    }
    if ["toc", "contents", "inhaltsverzeichnis", "verzeichnis"]
        .iter()
        .any(|p| n.starts_with(p) || i.starts_with(p))
    {
        return Some(StyleKind::Toc);
    }
    if (n.contains("caption") || i.contains("caption")) && !n.contains("table") {
        return Some(StyleKind::Caption);
    }
    let level = heading_level(&n, &HEADING_NAMES, true)
        .or_else(|| heading_level(&i, &HEADING_IDS, false))
        .or_else(|| outline.filter(|v| *v < 9).map(|v| v as u8 + 1));
    level.map(|l| StyleKind::Heading(l.min(6)))
}

impl<'a> Ctx<'a> {
    pub fn new(
        docx: &Docx,
        numbering: &'a Numbering,
        rels: &'a HashMap<String, String>,
        pre: &'a Prepass,
    ) -> Self {
        struct Raw {
            own: Option<StyleKind>,
            based_on: Option<String>,
            num: Option<(usize, usize)>,
            size: Option<usize>,
            bold: Option<bool>,
            titleish: bool,
        }
        let mut raw = HashMap::new();
        for s in &docx.styles.styles {
            let name = ser(&s.name).as_str().unwrap_or_default().to_string();
            let based_on = s
                .based_on
                .as_ref()
                .and_then(|b| ser(b).as_str().map(String::from));
            let pp = &s.paragraph_property;
            let num = pp.numbering_property.as_ref().and_then(|np| {
                np.id
                    .as_ref()
                    .map(|i| (i.id, np.level.as_ref().map_or(0, |l| l.val)))
            });
            let own = own_kind(&s.style_id, &name, pp.outline_lvl.as_ref().map(|o| o.v));
            let rp = &s.run_property;
            let size = rp
                .sz
                .as_ref()
                .and_then(|z| ser(z).as_u64())
                .map(|v| v as usize);
            let bold = rp.bold.as_ref().map(|b| ser(b) == true);
            let lower = name.to_lowercase();
            let titleish = ["title", "titel", "titre", "título", "titolo", "cover"]
                .iter()
                .any(|w| lower.contains(w));
            raw.insert(
                s.style_id.clone(),
                Raw {
                    own,
                    based_on,
                    num,
                    size,
                    bold,
                    titleish,
                },
            );
        }
        let mut styles = HashMap::new();
        for id in raw.keys() {
            let (mut kind, mut num, mut size, mut bold) = (None, None, None, None);
            let mut titleish = false;
            let mut cur = Some(id.as_str());
            // Follow based_on, at most 16 steps (cycles are possible in bad files).
            for _ in 0..16 {
                let Some(r) = cur.and_then(|c| raw.get(c)) else {
                    break;
                };
                kind = kind.or(r.own);
                num = num.or(r.num);
                size = size.or(r.size);
                bold = bold.or(r.bold);
                titleish |= r.titleish;
                cur = r.based_on.as_deref();
            }
            styles.insert(
                id.clone(),
                StyleInfo {
                    kind: kind.unwrap_or(StyleKind::Body),
                    num,
                    size,
                    bold: bold.unwrap_or(false),
                    titleish,
                },
            );
        }
        // Body text size: the Normal style's, else the document default,
        // else Word's 11 pt.
        let body_size = styles
            .get("Normal")
            .and_then(|s: &StyleInfo| s.size)
            .or_else(|| {
                ser(&docx.styles.doc_defaults)["runPropertyDefault"]["runProperty"]["sz"]
                    .as_u64()
                    .map(|v| v as usize)
            })
            .unwrap_or(22);
        Ctx {
            body_size,
            styles,
            numbering,
            rels,
            pre,
        }
    }

    /// Level `level` of list `num` (a `w:numId`), through its abstract
    /// numbering.
    fn level(&self, num: usize, level: usize) -> Option<&'a NumLevel> {
        let numbering: &'a Numbering = self.numbering;
        let (abs, _) = numbering.nums.get(&num)?;
        numbering.levels.get(abs)?.get(&level)
    }

    fn style(&self, id: Option<&str>) -> StyleInfo {
        id.and_then(|i| self.styles.get(i))
            .copied()
            .or_else(|| {
                id.and_then(|i| own_kind(i, i, None)).map(|kind| StyleInfo {
                    kind,
                    ..StyleInfo::BODY
                })
            })
            .unwrap_or(StyleInfo::BODY)
    }
}

/// What a walk over one paragraph (or cell) gathers.
#[derive(Default)]
struct Collect {
    inlines: Vec<Inline>,
    images: Vec<Picture>,
    revs: Vec<(RevisionKind, String, String, String)>,
    /// Touched by a TOC field.
    toc: bool,
    /// Largest direct font size (half-points) of the accepted text runs.
    max_size: Option<usize>,
}

struct Field {
    instr: String,
    result: bool,
    /// Where the field's result starts: (paragraph serial, inline index).
    start: Option<(u64, usize)>,
}

/// Title-page facts found in styled paragraphs.
#[derive(Debug, Default)]
pub struct TitlePage {
    pub title: Option<String>,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    /// Text of a Date-styled paragraph.
    pub date: Option<String>,
    /// How prominent each body paragraph before the first heading is
    /// (paragraph index → rank, see [`crate::ingest::front::Prominence`]):
    /// bold, large (a quarter over body size) or in a title-like style.
    pub prominent: HashMap<u32, u32>,
}

/// The walk's output.
#[derive(Default)]
pub struct Body {
    pub blocks: Vec<Block>,
    pub revisions: Vec<Revision>,
    /// Comment id → (anchored text, paragraph where it starts).
    pub anchors: HashMap<usize, (String, Option<u32>)>,
    pub title_page: TitlePage,
}

struct PendingItem {
    level: usize,
    ordered: bool,
    /// The item's number (Word's counter value), for ordered items.
    value: u32,
    numbering: Option<ListNumbering>,
    inlines: Vec<Inline>,
    loc: u32,
}

pub struct Walker<'a> {
    ctx: &'a Ctx<'a>,
    out: Body,
    list: Vec<PendingItem>,
    open_comments: Vec<usize>,
    fields: Vec<Field>,
    counters: HashMap<usize, [Option<u32>; 9]>,
    seen_nums: std::collections::HashSet<usize>,
    seen_heading: bool,
    /// Index in the blocks of a caption paragraph not yet given to a figure.
    caption_block: Option<usize>,
    /// Counter value of the last numbered paragraph.
    last_count: u32,
    /// Number format of the last numbered paragraph (its level's style,
    /// and the text around its own number, other levels' numbers filled in).
    last_numbering: Option<ListNumbering>,
    /// Serial number of the paragraph being walked.
    serial: u64,
    /// Field begins not tracked because of MAX_FIELDS.
    field_overflow: usize,
    /// Inlines of a paragraph whose mark is deleted, waiting to be joined
    /// to the next paragraph, with its location.
    stash: Option<(Vec<Inline>, u32)>,
    /// Text is not merged into inlines below this index (a field result
    /// starts there).
    merge_floor: usize,
}

/// The paragraph's 1-based index, from the id the prepass gave it.
fn para_index(p: &Paragraph) -> Option<u32> {
    p.id.strip_prefix(super::prepass::PARA_ID)?.parse().ok()
}

fn format_number(n: u32, format: &str) -> String {
    fn letters(mut n: u32, base: u8) -> String {
        // a..z, then aa, bb, ... as Word does.
        n = n.max(1);
        let c = (base + ((n - 1) % 26) as u8) as char;
        c.to_string().repeat(((n - 1) / 26 + 1) as usize)
    }
    // Absurd values (a hostile w:start) fall back to digits instead of
    // building huge labels.
    match format {
        "lowerLetter" if n <= 780 => letters(n, b'a'),
        "upperLetter" if n <= 780 => letters(n, b'A'),
        "lowerRoman" if n < 4000 => crate::ingest::labels::to_roman(n).to_lowercase(),
        "upperRoman" if n < 4000 => crate::ingest::labels::to_roman(n),
        "decimalZero" => format!("{n:02}"),
        _ => n.to_string(),
    }
}

/// Trim whitespace at both ends of a run of inlines, dropping empty text.
fn trim_inlines(mut v: Vec<Inline>) -> Vec<Inline> {
    while matches!(v.last(), Some(Inline::Break)) {
        v.pop();
    }
    while matches!(v.first(), Some(Inline::Break)) {
        v.remove(0);
    }
    if let Some(Inline::Text { text, .. }) = v.first_mut() {
        *text = text.trim_start().to_string();
    }
    if let Some(Inline::Text { text, .. }) = v.last_mut() {
        *text = text.trim_end().to_string();
    }
    v.retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
    v
}

fn has_content(v: &[Inline]) -> bool {
    v.iter().any(|i| match i {
        Inline::Text { text, .. } => !text.trim().is_empty(),
        Inline::Link { .. } | Inline::NoteRef { .. } => true,
        Inline::Break => false,
    })
}

impl<'a> Walker<'a> {
    pub fn new(ctx: &'a Ctx<'a>) -> Self {
        Walker {
            ctx,
            out: Body::default(),
            list: Vec::new(),
            open_comments: Vec::new(),
            fields: Vec::new(),
            counters: HashMap::new(),
            seen_nums: Default::default(),
            seen_heading: false,
            caption_block: None,
            last_count: 0,
            last_numbering: None,
            serial: 0,
            field_overflow: 0,
            stash: None,
            merge_floor: 0,
        }
    }

    /// Walk the body's children, in document order, into the result.
    pub fn walk(mut self, children: &[DocumentChild]) -> Body {
        for child in children {
            self.document_child(child);
        }
        self.flush_stash();
        self.flush_list();
        self.out
    }

    fn document_child(&mut self, child: &DocumentChild) {
        match child {
            DocumentChild::Paragraph(p) => self.paragraph(p),
            DocumentChild::Table(t) => self.table_block(t),
            DocumentChild::StructuredDataTag(sdt) => {
                for c in &sdt.children {
                    match c {
                        StructuredDataTagChild::Paragraph(p) => self.paragraph(p),
                        StructuredDataTagChild::Table(t) => self.table_block(t),
                        StructuredDataTagChild::StructuredDataTag(inner) => {
                            self.document_child(&DocumentChild::StructuredDataTag(inner.clone()))
                        }
                        StructuredDataTagChild::CommentStart(c) => self.comment_start(c.id, None),
                        StructuredDataTagChild::CommentEnd(e) => self.comment_end(e),
                        _ => {}
                    }
                }
            }
            DocumentChild::CommentStart(c) => self.comment_start(c.id, None),
            DocumentChild::CommentEnd(e) => self.comment_end(e),
            _ => {}
        }
    }

    fn comment_start(&mut self, id: usize, loc: Option<u32>) {
        // Hostile files can open thousands of overlapping ranges; anchors of
        // ranges beyond the first MAX_OPEN_COMMENTS stay empty.
        if !self.open_comments.contains(&id) && self.open_comments.len() < MAX_OPEN_COMMENTS {
            self.open_comments.push(id);
        }
        if self.out.anchors.len() >= MAX_COMMENTS && !self.out.anchors.contains_key(&id) {
            return;
        }
        let e = self.out.anchors.entry(id).or_default();
        if e.1.is_none() {
            e.1 = loc;
        }
    }

    fn comment_end(&mut self, e: &docx_rs::CommentRangeEnd) {
        if let Some(id) = ser(e)["id"].as_u64() {
            self.open_comments.retain(|c| *c as u64 != id);
        }
    }

    fn toc_field_open(&self) -> bool {
        self.fields
            .iter()
            .any(|f| f.instr.trim_start().to_ascii_uppercase().starts_with("TOC"))
    }

    /// Accepted text: into the inlines and every open comment's anchor.
    fn push_text(&mut self, c: &mut Collect, text: &str, emph: bool, strong: bool) {
        if text.is_empty() {
            return;
        }
        if self.toc_field_open() {
            c.toc = true;
            return;
        }
        for id in &self.open_comments {
            let a = &mut self.out.anchors.entry(*id).or_default().0;
            push_capped(a, text);
        }
        let can_merge = c.inlines.len() > self.merge_floor;
        if let Some(Inline::Text {
            text: last,
            emph: e,
            strong: s,
        }) = c.inlines.last_mut()
            && can_merge
            && *e == emph
            && *s == strong
        {
            last.push_str(text);
            return;
        }
        c.inlines.push(Inline::Text {
            text: text.to_string(),
            emph,
            strong,
        });
    }

    /// Walk one run. Accepted runs go into `c`; deleted runs only return
    /// their text. Returns the run's plain text either way.
    fn run(&mut self, run: &Run, c: &mut Collect, deleted: bool) -> String {
        let rp = &run.run_property;
        if rp.vanish.is_some() {
            return String::new();
        }
        let emph = rp.italic.as_ref().is_some_and(|i| ser(i) == true);
        let strong = rp.bold.as_ref().is_some_and(|b| ser(b) == true);
        if !deleted
            && let Some(sz) = rp.sz.as_ref().and_then(|z| ser(z).as_u64())
            && run
                .children
                .iter()
                .any(|c| matches!(c, RunChild::Text(t) if !t.text.trim().is_empty()))
        {
            c.max_size = c.max_size.max(Some(sz as usize));
        }
        let mut plain = String::new();
        for child in &run.children {
            match child {
                RunChild::Text(t) => {
                    for piece in pieces(&t.text) {
                        match piece {
                            Piece::Text(s) => {
                                plain.push_str(s);
                                if !deleted {
                                    self.push_text(c, s, emph, strong);
                                }
                            }
                            Piece::Note(id) | Piece::Endnote(id) if !deleted => {
                                if self.toc_field_open() {
                                    continue;
                                }
                                let id = if matches!(piece, Piece::Endnote(_)) {
                                    format!("e{id}")
                                } else {
                                    id.to_string()
                                };
                                c.inlines.push(Inline::NoteRef { id });
                            }
                            Piece::Image(k) if !deleted => {
                                c.images
                                    .push(self.ctx.pre.images.get(k).cloned().unwrap_or_default());
                            }
                            _ => {}
                        }
                    }
                }
                RunChild::DeleteText(d) => {
                    if let Some(s) = ser(d)["text"].as_str() {
                        plain.push_str(s);
                    }
                }
                RunChild::Tab(_) | RunChild::PTab(_) => {
                    plain.push(' ');
                    if !deleted {
                        self.push_text(c, " ", emph, strong);
                    }
                }
                RunChild::Break(b) => {
                    let kind = ser(b).to_string().to_ascii_lowercase();
                    if !deleted && !kind.contains("page") && !kind.contains("column") {
                        c.inlines.push(Inline::Break);
                    }
                }
                RunChild::CarriageReturn(_) if !deleted => c.inlines.push(Inline::Break),
                RunChild::FieldChar(f) => match f.field_char_type {
                    // Nesting beyond MAX_FIELDS (only in hostile files) is
                    // counted, not tracked, to keep lookups cheap.
                    FieldCharType::Begin if self.fields.len() >= MAX_FIELDS => {
                        self.field_overflow += 1
                    }
                    FieldCharType::Begin => self.fields.push(Field {
                        instr: String::new(),
                        result: false,
                        start: None,
                    }),
                    FieldCharType::Separate => {
                        if let Some(f) = self.fields.last_mut() {
                            f.result = true;
                            f.start = Some((self.serial, c.inlines.len()));
                            self.merge_floor = c.inlines.len();
                        }
                    }
                    FieldCharType::End if self.field_overflow > 0 => self.field_overflow -= 1,
                    FieldCharType::End => {
                        if self.toc_field_open() {
                            c.toc = true;
                        }
                        if let Some(f) = self.fields.pop() {
                            self.end_field(f, c);
                        }
                    }
                    FieldCharType::Unsupported => {}
                },
                RunChild::InstrTextString(s) => {
                    if let Some(f) = self.fields.last_mut() {
                        f.instr.push_str(s);
                    }
                    if self.toc_field_open() {
                        c.toc = true;
                    }
                }
                RunChild::CommentStart(cs) => self.comment_start(cs.id, None),
                RunChild::CommentEnd(e) => self.comment_end(e),
                _ => {}
            }
        }
        plain
    }

    /// A HYPERLINK field's result becomes a link (Word writes some links
    /// as fields instead of `w:hyperlink`).
    fn end_field(&mut self, f: Field, c: &mut Collect) {
        let Some(target) = hyperlink_field_target(&f.instr) else {
            return;
        };
        let Some((serial, start)) = f.start else {
            return;
        };
        if serial != self.serial || start > c.inlines.len() {
            return;
        }
        let inner: Vec<Inline> = c.inlines.drain(start..).collect();
        let text = inlines_text(&inner);
        c.inlines.push(Inline::Link { target, text });
        c.inlines.extend(
            inner
                .into_iter()
                .filter(|i| matches!(i, Inline::NoteRef { .. })),
        );
        self.merge_floor = c.inlines.len();
    }

    /// A new paragraph: its inlines start afresh.
    fn next_paragraph(&mut self) {
        self.serial += 1;
        self.merge_floor = 0;
    }

    fn children(&mut self, children: &[ParagraphChild], c: &mut Collect, idx: Option<u32>) {
        for child in children {
            match child {
                ParagraphChild::Run(r) => {
                    self.run(r, c, false);
                }
                ParagraphChild::Insert(ins) => {
                    let mut text = String::new();
                    for ic in &ins.children {
                        match ic {
                            InsertChild::Run(r) => text.push_str(&self.run(r, c, false)),
                            InsertChild::Delete(d) => self.delete(d, c),
                            InsertChild::CommentStart(cs) => self.comment_start(cs.id, idx),
                            InsertChild::CommentEnd(e) => self.comment_end(e),
                        }
                    }
                    c.revs.push((
                        RevisionKind::Insert,
                        ins.author.clone(),
                        ins.date.clone(),
                        text,
                    ));
                }
                ParagraphChild::Delete(d) => self.delete(d, c),
                ParagraphChild::MoveTo(m) => {
                    let mut text = String::new();
                    for mc in &m.children {
                        match mc {
                            MoveToChild::Run(r) => text.push_str(&self.run(r, c, false)),
                            MoveToChild::Delete(d) => self.delete(d, c),
                            MoveToChild::CommentStart(cs) => self.comment_start(cs.id, idx),
                            MoveToChild::CommentEnd(e) => self.comment_end(e),
                        }
                    }
                    c.revs
                        .push((RevisionKind::Insert, m.author.clone(), m.date.clone(), text));
                }
                ParagraphChild::MoveFrom(m) => {
                    let mut text = String::new();
                    for mc in &m.children {
                        match mc {
                            MoveFromChild::Run(r) => text.push_str(&self.run(r, c, true)),
                            MoveFromChild::CommentStart(cs) => self.comment_start(cs.id, idx),
                            MoveFromChild::CommentEnd(e) => self.comment_end(e),
                        }
                    }
                    c.revs
                        .push((RevisionKind::Delete, m.author.clone(), m.date.clone(), text));
                }
                ParagraphChild::Hyperlink(h) => {
                    let mut sub = Collect::default();
                    self.children(&h.children, &mut sub, idx);
                    let target = match &h.link {
                        docx_rs::HyperlinkData::External { rid, .. } => {
                            self.ctx.rels.get(rid).cloned().unwrap_or_default()
                        }
                        docx_rs::HyperlinkData::Anchor { anchor } => {
                            match pieces(anchor).as_slice() {
                                [Piece::Link(k)] => {
                                    self.ctx.pre.links.get(*k).cloned().unwrap_or_default()
                                }
                                _ => anchor_target(anchor),
                            }
                        }
                    };
                    let text = inlines_text(&sub.inlines);
                    if sub.toc {
                        c.toc = true;
                    }
                    if !text.is_empty() || !target.is_empty() {
                        c.inlines.push(Inline::Link { target, text });
                    }
                    c.inlines.extend(
                        sub.inlines
                            .into_iter()
                            .filter(|i| matches!(i, Inline::NoteRef { .. })),
                    );
                    c.images.extend(sub.images);
                    c.revs.extend(sub.revs);
                }
                ParagraphChild::CommentStart(cs) => self.comment_start(cs.id, idx),
                ParagraphChild::CommentEnd(e) => self.comment_end(e),
                ParagraphChild::StructuredDataTag(sdt) => {
                    for sc in &sdt.children {
                        match sc {
                            StructuredDataTagChild::Run(r) => {
                                self.run(r, c, false);
                            }
                            StructuredDataTagChild::CommentStart(cs) => {
                                self.comment_start(cs.id, idx)
                            }
                            StructuredDataTagChild::CommentEnd(e) => self.comment_end(e),
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn delete(&mut self, d: &docx_rs::Delete, c: &mut Collect) {
        let mut text = String::new();
        for dc in &d.children {
            match dc {
                DeleteChild::Run(r) => text.push_str(&self.run(r, c, true)),
                DeleteChild::CommentStart(cs) => self.comment_start(cs.id, None),
                DeleteChild::CommentEnd(e) => self.comment_end(e),
            }
        }
        c.revs
            .push((RevisionKind::Delete, d.author.clone(), d.date.clone(), text));
    }

    /// Record a paragraph's revisions and end its text in open anchors.
    fn finish_collect(&mut self, c: &mut Collect, idx: Option<u32>) {
        for (kind, author, date, text) in c.revs.drain(..) {
            self.out.revisions.push(Revision {
                kind,
                author,
                date: Some(date).filter(|d| !d.is_empty()),
                text,
                loc: Location::Paragraph(idx.unwrap_or(0)),
            });
        }
        for id in &self.open_comments {
            let a = &mut self.out.anchors.entry(*id).or_default().0;
            if !a.is_empty() && !a.ends_with('\n') {
                push_capped(a, "\n");
            }
        }
    }

    /// Counter-based label of a numbered paragraph, e.g. `2.1` or `C.`.
    fn number_label(&mut self, num: usize, level: usize) -> Option<String> {
        let level = level.min(8);
        let ctx = self.ctx;
        let info = ctx.level(num, level)?;
        // Word counts per abstract numbering; a numId's startOverride
        // restarts a level the first time that numId is used.
        let (abs, overrides) = ctx
            .numbering
            .nums
            .get(&num)
            .map_or((num, &[][..]), |(abs, o)| (*abs, o.as_slice()));
        let first_use = self.seen_nums.insert(num);
        let counters = self.counters.entry(abs).or_insert([None; 9]);
        if first_use {
            // Only levels at or below the first use restart; a nested list
            // must not reset its parent's count.
            for &(l, start) in overrides {
                if (level..9).contains(&l) {
                    counters[l] = Some(start.saturating_sub(1));
                }
            }
        }
        let value = match counters[level] {
            None => info.start,
            Some(v) => v.saturating_add(1),
        };
        counters[level] = Some(value);
        self.last_count = value;
        for c in counters.iter_mut().skip(level + 1) {
            *c = None;
        }
        self.last_numbering = None;
        if !info.ordered() {
            return None;
        }
        let counters = *counters;
        let fill = |text: &str| {
            let mut text = text.to_string();
            for k in (0..=level).rev() {
                let lvl = ctx.level(num, k);
                let fmt = lvl.map_or("decimal", |l| l.format.as_str());
                let v = counters[k].unwrap_or_else(|| lvl.map_or(1, |l| l.start));
                text = text.replace(&format!("%{}", k + 1), &format_number(v, fmt));
            }
            text
        };
        if let Some((before, after)) = info.text.split_once(&format!("%{}", level + 1)) {
            self.last_numbering = Some(ListNumbering {
                style: number_style(&info.format),
                prefix: fill(before).trim_start().to_string(),
                suffix: fill(after).trim_end().to_string(),
            });
        }
        let label = fill(&info.text).trim().to_string();
        (!label.is_empty()).then_some(label)
    }

    fn paragraph(&mut self, p: &Paragraph) {
        self.next_paragraph();
        let idx = para_index(p);
        let prop = &p.property;
        let style_id = prop.style.as_ref().map(|s| s.val.as_str());
        let outline = prop.outline_lvl.as_ref().map(|o| o.v);
        let numbering = prop.numbering_property.as_ref().map(|np| {
            (
                np.id.as_ref().map(|i| i.id),
                np.level.as_ref().map(|l| l.val),
            )
        });
        let style = self.ctx.style(style_id);
        let mut kind = style.kind;
        if let Some(o) = outline
            && o < 9
            && matches!(kind, StyleKind::Body)
        {
            kind = StyleKind::Heading((o as u8 + 1).min(6));
        }
        let mut c = Collect::default();
        let toc_before = self.toc_field_open();
        self.children(&p.children, &mut c, idx);
        self.finish_collect(&mut c, idx);
        // A tracked paragraph mark (pPr/rPr ins/del) is a revision; a deleted
        // one joins this paragraph to the next once accepted.
        let mark = &p.property.run_property;
        for (kind, r) in [
            (
                RevisionKind::Insert,
                mark.ins.as_ref().map(|i| (&i.author, &i.date)),
            ),
            (
                RevisionKind::Delete,
                mark.del.as_ref().map(|d| (&d.author, &d.date)),
            ),
        ] {
            if let Some((author, date)) = r {
                self.out.revisions.push(Revision {
                    kind,
                    author: author.clone(),
                    date: Some(date.clone()).filter(|d| !d.is_empty()),
                    text: PARAGRAPH_MARK.to_string(),
                    loc: Location::Paragraph(idx.unwrap_or(0)),
                });
            }
        }
        let mark_deleted = mark.del.is_some();
        let in_toc = idx.is_some_and(|i| self.ctx.pre.toc_paras.contains(&i));
        if c.toc || toc_before || in_toc || kind == StyleKind::Toc {
            return;
        }
        let num = numbering
            .and_then(|(id, level)| id.map(|i| (i, level.unwrap_or(0))))
            .or(style.num)
            .filter(|(id, _)| *id != 0)
            .map(|(id, l)| (id, l.min(8)));
        let mut loc = idx.unwrap_or(0);
        let mut inlines = trim_inlines(std::mem::take(&mut c.inlines));
        let plain_body = matches!(kind, StyleKind::Body) && num.is_none();
        if plain_body {
            if let Some((prev, prev_loc)) = self.stash.take() {
                inlines = join_inlines(prev, inlines);
                loc = prev_loc;
            }
            if mark_deleted {
                self.stash = Some((inlines, loc));
                self.push_images(c.images, loc);
                return;
            }
        } else {
            self.flush_stash();
        }
        let text = inlines_text(&inlines).trim().to_string();
        match kind {
            StyleKind::Title | StyleKind::Subtitle | StyleKind::Author | StyleKind::Date => {
                let tp = &mut self.out.title_page;
                if !text.is_empty() {
                    match kind {
                        StyleKind::Title => {
                            tp.title.get_or_insert(text);
                        }
                        StyleKind::Subtitle => {
                            tp.subtitle.get_or_insert(text);
                        }
                        StyleKind::Author => tp.authors.push(text),
                        _ => {
                            tp.date.get_or_insert(text);
                        }
                    }
                }
            }
            StyleKind::Heading(level) => {
                self.flush_list();
                let numbered = num.and_then(|(n, l)| self.number_label(n, l));
                if text.is_empty() {
                    self.push_images(c.images, loc);
                    return;
                }
                let (label, text) = match numbered {
                    Some(l) => (Some(l), text),
                    None => crate::ingest::labels::split(&text),
                };
                self.seen_heading = true;
                self.out.blocks.push(Block::Heading {
                    loc: Location::Paragraph(loc),
                    level,
                    label,
                    text,
                });
            }
            StyleKind::Caption if has_content(&inlines) && c.images.is_empty() => {
                self.flush_list();
                self.caption(inlines, loc);
            }
            StyleKind::Body | StyleKind::Toc | StyleKind::Caption => {
                let ctx = self.ctx;
                let level_info = num.and_then(|(n, l)| ctx.level(n, l));
                if let (Some((n, l)), Some(info)) = (num, level_info) {
                    self.number_label(n, l);
                    if has_content(&inlines) {
                        // At the top level, a switch between bullets and
                        // numbers, or numbering that starts again at its
                        // first value, begins a new list. (LibreOffice gives
                        // each bullet item its own numId, so numIds alone
                        // do not separate lists.)
                        if let Some(first) = self.list.first()
                            && l <= first.level
                            && (first.ordered != info.ordered()
                                || (info.ordered() && self.last_count == info.start))
                        {
                            self.flush_list();
                        }
                        self.list.push(PendingItem {
                            level: l,
                            ordered: info.ordered(),
                            value: self.last_count,
                            numbering: self.last_numbering.take(),
                            inlines,
                            loc,
                        });
                    }
                } else if has_content(&inlines) {
                    self.flush_list();
                    if !self.seen_heading
                        && let Some(rank) = self.prominence(&style, &inlines, c.max_size)
                    {
                        self.out.title_page.prominent.insert(loc, rank);
                    }
                    self.out.blocks.push(Block::Paragraph {
                        loc: Location::Paragraph(loc),
                        inlines,
                    });
                }
            }
        }
        if !c.images.is_empty() {
            self.flush_list();
            self.push_images(c.images, loc);
        }
    }

    /// The rank of a paragraph set apart from body text (bold, large, or
    /// in a title-like style): its size in half-points, doubled, plus one
    /// when bold. `None` for ordinary text.
    fn prominence(
        &self,
        style: &StyleInfo,
        inlines: &[Inline],
        size: Option<usize>,
    ) -> Option<u32> {
        let bold = style.bold || crate::ingest::front::all_bold(inlines);
        let size = size.or(style.size).unwrap_or(self.ctx.body_size);
        let large = size * 4 >= self.ctx.body_size * 5;
        (bold || large || style.titleish).then(|| (size.min(1 << 20) as u32) * 2 + u32::from(bold))
    }

    /// Emit a paragraph whose deleted mark found no paragraph to join.
    fn flush_stash(&mut self) {
        if let Some((inlines, loc)) = self.stash.take()
            && has_content(&inlines)
        {
            self.flush_list();
            self.out.blocks.push(Block::Paragraph {
                loc: Location::Paragraph(loc),
                inlines,
            });
        }
    }

    /// Figures after the paragraph that held them. A caption paragraph
    /// just before the first one (a caption above its figure) becomes its
    /// caption.
    fn push_images(&mut self, images: Vec<Picture>, loc: u32) {
        let mut caption = None;
        if !images.is_empty()
            && let Some(i) = self.caption_block.take()
            && i + 1 == self.out.blocks.len()
            && let Some(Block::Paragraph { inlines, .. }) = self.out.blocks.last()
        {
            caption = Some(inlines_text(inlines).trim().to_string());
            self.out.blocks.pop();
        }
        for p in images {
            self.out.blocks.push(Block::Image {
                loc: Location::Paragraph(loc),
                alt: p.alt,
                src: p.target,
                caption: caption.take(),
                width: p.width_emu.map(|w| (w as f64 / 12_700.0).min(10_000.0)),
            });
        }
    }

    /// A caption paragraph: the caption of the figure just before it, else
    /// a paragraph that a figure right after it may take as its caption.
    fn caption(&mut self, inlines: Vec<Inline>, loc: u32) {
        let text = inlines_text(&inlines).trim().to_string();
        if let Some(Block::Image { caption, .. }) = self.out.blocks.last_mut()
            && caption.is_none()
        {
            *caption = Some(text);
            return;
        }
        self.out.blocks.push(Block::Paragraph {
            loc: Location::Paragraph(loc),
            inlines,
        });
        self.caption_block = Some(self.out.blocks.len() - 1);
    }

    fn flush_list(&mut self) {
        if self.list.is_empty() {
            return;
        }
        let items = std::mem::take(&mut self.list);
        let loc = items[0].loc;
        let base = items.iter().map(|i| i.level).min().unwrap_or(0);
        let mut i = 0;
        let mut lists = Vec::new();
        while i < items.len() {
            lists.push(build_list(&items, &mut i, base));
        }
        for list in lists {
            self.out.blocks.push(Block::List {
                loc: Location::Paragraph(loc),
                list,
            });
        }
    }

    fn table_block(&mut self, t: &Table) {
        self.flush_stash();
        self.flush_list();
        let mut images = Vec::new();
        let mut first = None;
        let rows = self.table_rows(t, &mut images, &mut first);
        let loc = first.unwrap_or(0);
        if !rows.is_empty() {
            self.out.blocks.push(Block::Table {
                loc: Location::Paragraph(loc),
                rows,
            });
        }
        self.push_images(images, loc);
    }

    fn table_rows(
        &mut self,
        t: &Table,
        images: &mut Vec<Picture>,
        first: &mut Option<u32>,
    ) -> Vec<TableRow> {
        let mut rows = Vec::new();
        for TableChild::TableRow(row) in &t.rows {
            let mut header = false;
            let mut cells = Vec::new();
            for TableRowChild::TableCell(cell) in &row.cells {
                let mut c = Collect::default();
                let mut paras = 0;
                for content in &cell.children {
                    let mut para = |w: &mut Self, p: &Paragraph, c: &mut Collect| {
                        w.next_paragraph();
                        let idx = para_index(p);
                        if first.is_none() {
                            *first = idx;
                        }
                        if idx.is_some_and(|i| w.ctx.pre.header_paras.contains(&i)) {
                            header = true;
                        }
                        if paras > 0 {
                            c.inlines.push(Inline::Break);
                        }
                        paras += 1;
                        w.children(&p.children, c, idx);
                        w.finish_collect(c, idx);
                    };
                    match content {
                        TableCellContent::Paragraph(p) => para(self, p, &mut c),
                        TableCellContent::StructuredDataTag(sdt) => {
                            for sc in &sdt.children {
                                if let StructuredDataTagChild::Paragraph(p) = sc {
                                    para(self, p, &mut c);
                                }
                            }
                        }
                        TableCellContent::Table(inner) => {
                            // Nested tables are flattened to text.
                            let inner_rows = self.table_rows(inner, images, first);
                            for r in inner_rows {
                                if paras > 0 {
                                    c.inlines.push(Inline::Break);
                                }
                                paras += 1;
                                let texts: Vec<String> =
                                    r.cells.iter().map(|x| inlines_text(&x.inlines)).collect();
                                c.inlines.push(Inline::text(texts.join(" | ")));
                            }
                        }
                        TableCellContent::TableOfContents(_) => {}
                    }
                }
                images.append(&mut c.images);
                let colspan = ser(&cell.property)["gridSpan"]
                    .as_u64()
                    .map_or(1, |v| v.clamp(1, 1000) as u32);
                cells.push(TableCell {
                    inlines: trim_inlines(c.inlines),
                    colspan,
                });
            }
            rows.push(TableRow { header, cells });
        }
        // An all-bold first row counts as a header row.
        if rows.len() > 1 && !rows.iter().any(|r| r.header) {
            let texts: Vec<&Inline> = rows[0]
                .cells
                .iter()
                .flat_map(|c| c.inlines.iter())
                .filter(|i| matches!(i, Inline::Text { text, .. } if !text.trim().is_empty()))
                .collect();
            if !texts.is_empty()
                && texts
                    .iter()
                    .all(|i| matches!(i, Inline::Text { strong: true, .. }))
            {
                rows[0].header = true;
            }
        }
        rows
    }
}

/// The target of a `HYPERLINK "url" \l "anchor"` field instruction.
pub(super) fn hyperlink_field_target(instr: &str) -> Option<String> {
    let mut tokens = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in instr.chars() {
        match ch {
            '"' => {
                if quoted {
                    tokens.push(std::mem::take(&mut cur));
                }
                quoted = !quoted;
            }
            c if c.is_whitespace() && !quoted => {
                if !cur.is_empty() {
                    tokens.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        tokens.push(cur);
    }
    let mut it = tokens.into_iter();
    if !it.next()?.eq_ignore_ascii_case("HYPERLINK") {
        return None;
    }
    let (mut url, mut anchor) = (None, None);
    while let Some(t) = it.next() {
        match t.as_str() {
            "\\l" => anchor = it.next(),
            "\\o" | "\\t" => {
                it.next();
            }
            s if s.starts_with('\\') => {}
            _ if url.is_none() => url = Some(t),
            _ => {}
        }
    }
    Some(match (url, anchor) {
        (Some(u), Some(a)) => format!("{u}#{a}"),
        (Some(u), None) => u,
        (None, Some(a)) => anchor_target(&a),
        (None, None) => String::new(),
    })
}

/// Revision text of an inserted or deleted paragraph mark.
pub const PARAGRAPH_MARK: &str = "¶";

/// Join two paragraphs' inlines (a deleted paragraph mark accepted), with a
/// space between words that would otherwise run together.
fn join_inlines(mut a: Vec<Inline>, b: Vec<Inline>) -> Vec<Inline> {
    let a_end = inlines_text(&a).chars().last();
    let b_start = inlines_text(&b).chars().next();
    let mut rest = Vec::with_capacity(b.len() + 1);
    if let (Some(x), Some(y)) = (a_end, b_start)
        && !x.is_whitespace()
        && !y.is_whitespace()
    {
        rest.push(Inline::text(" "));
    }
    rest.extend(b);
    // Merge neighbouring text of the same formatting.
    for i in rest {
        if let (
            Some(Inline::Text {
                text: last,
                emph: e1,
                strong: s1,
            }),
            Inline::Text {
                text,
                emph: e2,
                strong: s2,
            },
        ) = (a.last_mut(), &i)
            && e1 == e2
            && s1 == s2
        {
            last.push_str(text);
            continue;
        }
        a.push(i);
    }
    a
}

/// Longest comment anchor kept, in bytes; longer ones end in `…`.
pub const MAX_ANCHOR: usize = 4096;
const MAX_OPEN_COMMENTS: usize = 256;
const MAX_FIELDS: usize = 64;
const MAX_COMMENTS: usize = 100_000;

/// Append to a comment anchor without growing it past [`MAX_ANCHOR`].
fn push_capped(anchor: &mut String, text: &str) {
    if anchor.len() >= MAX_ANCHOR {
        return;
    }
    let room = MAX_ANCHOR - anchor.len();
    if text.len() <= room {
        anchor.push_str(text);
    } else {
        let mut cut = room;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        anchor.push_str(&text[..cut]);
        anchor.push('…');
    }
}

fn anchor_target(anchor: &str) -> String {
    // pandoc writes a link to `#` as an anchor named "X" + sha1(""),
    // a bookmark that never exists: give back the `#` it was.
    const PANDOC_EMPTY: &str = "Xa39a3ee5e6b4b0d3255bfef95601890afd80709";
    if anchor.is_empty() || anchor == PANDOC_EMPTY {
        "#".to_string()
    } else {
        format!("#{anchor}")
    }
}

/// The model's number style for a Word `w:numFmt`; formats the model has
/// no style for (ordinal words, CJK counting) are written as decimals.
fn number_style(format: &str) -> NumberStyle {
    match format {
        "lowerLetter" => NumberStyle::LowerAlpha,
        "upperLetter" => NumberStyle::UpperAlpha,
        "lowerRoman" => NumberStyle::LowerRoman,
        "upperRoman" => NumberStyle::UpperRoman,
        _ => NumberStyle::Decimal,
    }
}

/// The list of the items from `items[*i]` on at `level` (deeper items
/// nested under the item before them). An ordered list starts at its first
/// item's number, so a list that goes on after a paragraph goes on at 6,
/// and takes its first item's number format.
fn build_list(items: &[PendingItem], i: &mut usize, level: usize) -> List {
    let first = &items[*i];
    let ordered = first.ordered;
    let plain = ListNumbering {
        style: NumberStyle::Decimal,
        prefix: String::new(),
        suffix: ".".into(),
    };
    let mut list = List {
        ordered,
        start: (ordered && first.level == level && first.value != 1)
            .then_some(u64::from(first.value)),
        numbering: first
            .numbering
            .clone()
            .filter(|n| ordered && first.level == level && *n != plain),
        items: Vec::new(),
    };
    while *i < items.len() && items[*i].level >= level {
        let it = &items[*i];
        if it.level == level {
            list.items.push(ListItem {
                inlines: it.inlines.clone(),
                children: Vec::new(),
            });
            *i += 1;
        } else {
            let sub = build_list(items, i, it.level);
            if list.items.is_empty() {
                list.items.push(ListItem::default());
            }
            if let Some(last) = list.items.last_mut() {
                last.children.push(sub);
            }
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heading_styles_and_numbers_format() {
        assert_eq!(heading_level("heading 2", &HEADING_NAMES, true), Some(2));
        assert_eq!(heading_level("überschrift3", &HEADING_NAMES, true), Some(3));
        assert_eq!(heading_level("заголовок 1", &HEADING_NAMES, true), Some(1));
        assert_eq!(heading_level("berschrift2", &HEADING_IDS, false), Some(2));
        assert_eq!(heading_level("heading 2", &HEADING_IDS, false), None);
        assert_eq!(heading_level("heading 0", &HEADING_NAMES, true), None);
        assert_eq!(heading_level("subheading 1", &HEADING_NAMES, true), None);
        assert_eq!(format_number(3, "upperLetter"), "C");
        assert_eq!(format_number(4, "upperRoman"), "IV");
        assert_eq!(format_number(28, "lowerLetter"), "bb");
        assert_eq!(format_number(4_000_000_000, "lowerLetter"), "4000000000");
        assert_eq!(format_number(u32::MAX, "upperRoman"), u32::MAX.to_string());
        assert_eq!(
            own_kind("berschrift1", "Überschrift 1", None),
            Some(StyleKind::Heading(1))
        );
        assert_eq!(
            own_kind("MyHead", "My Head", Some(1)),
            Some(StyleKind::Heading(2))
        );
        assert_eq!(
            own_kind("TOCHeading", "TOC Heading", None),
            Some(StyleKind::Toc)
        );
    }
}
