//! pulldown-cmark events into model blocks with their source lines.
//!
//! Takes decoded Markdown text; gives [`Parsed`]: top-level [`Node`]s (a
//! [`Block`] plus the lines it spans and whether it sat in a block quote),
//! footnotes, and the raw YAML front matter. Soft line breaks are kept as
//! `\n` inside text runs so the plain-text layer can see the lines; they
//! become spaces in [`Node::finish`]. Never fails: malformed Markdown still
//! yields blocks (pulldown-cmark's guarantee). Nested lists deeper than the
//! depth limit are flattened into the deepest allowed level.

use crate::model::{
    Block, Inline, List, ListItem, Location, Note, NoteKind, TableCell, TableRow, inlines_text,
};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use std::ops::Range;

/// One top-level block with where it came from.
#[derive(Debug, Clone)]
pub struct Node {
    pub block: Block,
    /// 1-based first and last source line.
    pub first_line: u32,
    pub last_line: u32,
    /// Inside a block quote (never a heading candidate).
    pub quoted: bool,
}

impl Node {
    /// The block's lines of plain text (paragraphs: one per source line).
    pub fn lines(&self) -> Vec<String> {
        self.block
            .plain_text()
            .split('\n')
            .map(|l| l.trim().to_string())
            .collect()
    }

    /// A top-level paragraph written on one source line.
    pub fn is_single_line_paragraph(&self) -> bool {
        matches!(self.block, Block::Paragraph { .. })
            && self.first_line == self.last_line
            && !self.quoted
    }

    /// Soft line breaks become spaces; adjacent equal-style runs merge.
    pub fn finish(mut self) -> Block {
        match &mut self.block {
            Block::Paragraph { inlines, .. } => soften(inlines),
            Block::List { list, .. } => soften_list(list),
            Block::Table { rows, .. } => {
                for c in rows.iter_mut().flat_map(|r| r.cells.iter_mut()) {
                    soften(&mut c.inlines);
                }
            }
            Block::Heading { text, .. } => *text = collapse_ws(text),
            Block::Image { .. } => {}
        }
        self.block
    }
}

fn soften_list(list: &mut List) {
    for item in &mut list.items {
        soften(&mut item.inlines);
        for c in &mut item.children {
            soften_list(c);
        }
    }
}

/// Replace soft breaks (`\n` in text) with spaces and trim the run's ends.
pub fn soften(inlines: &mut Vec<Inline>) {
    for i in inlines.iter_mut() {
        match i {
            Inline::Text { text, .. } | Inline::Link { text, .. } if text.contains('\n') => {
                *text = text.replace('\n', " ");
            }
            _ => {}
        }
    }
    merge_text(inlines);
    if let Some(Inline::Text { text, .. }) = inlines.first_mut() {
        *text = text.trim_start().to_string();
    }
    if let Some(Inline::Text { text, .. }) = inlines.last_mut() {
        *text = text.trim_end().to_string();
    }
    inlines.retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
}

/// Merge adjacent text runs with the same emphasis.
pub fn merge_text(inlines: &mut Vec<Inline>) {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for i in inlines.drain(..) {
        if let (
            Some(Inline::Text {
                text: prev,
                emph: pe,
                strong: ps,
            }),
            Inline::Text { text, emph, strong },
        ) = (out.last_mut(), &i)
            && pe == emph
            && ps == strong
        {
            prev.push_str(text);
            continue;
        }
        out.push(i);
    }
    *inlines = out;
}

pub fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The result of the event pass.
#[derive(Debug, Default)]
pub struct Parsed {
    pub nodes: Vec<Node>,
    pub notes: Vec<Note>,
    pub front_matter: Option<String>,
    pub warnings: Vec<String>,
}

enum Frame {
    Para {
        inlines: Vec<Inline>,
        start: usize,
        end: usize,
    },
    Heading {
        inlines: Vec<Inline>,
        level: u8,
        start: usize,
    },
    List {
        list: List,
        start: usize,
        end: usize,
    },
    Item {
        item: ListItem,
    },
    Table {
        rows: Vec<TableRow>,
        start: usize,
        end: usize,
    },
    Row {
        row: TableRow,
    },
    Cell {
        inlines: Vec<Inline>,
    },
    Note {
        id: String,
        inlines: Vec<Inline>,
        start: usize,
    },
    Quote,
    Code {
        text: String,
        start: usize,
        end: usize,
    },
    Html,
    Meta {
        text: String,
    },
    Link {
        target: String,
        text: String,
    },
    Image {
        alt: String,
        src: String,
        title: String,
        start: usize,
    },
}

/// Maps byte offsets to 1-based line numbers.
pub struct LineIndex(Vec<usize>);

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex(starts)
    }
    pub fn line(&self, offset: usize) -> u32 {
        self.0.partition_point(|&s| s <= offset).max(1) as u32
    }
}

struct Conv<'t> {
    text: &'t str,
    lines: LineIndex,
    stack: Vec<Frame>,
    out: Parsed,
    emph: usize,
    strong: usize,
    list_depth: usize,
    flattened: usize,
    flattened_any: bool,
    max_list_depth: usize,
    pending_images: Vec<Node>,
    quote_depth: usize,
}

/// Parse `text` (already decoded) into nodes.
pub fn parse(text: &str, max_list_depth: usize) -> Parsed {
    let mut opts = Options::empty();
    opts.insert(Options::ENABLE_TABLES);
    opts.insert(Options::ENABLE_FOOTNOTES);
    opts.insert(Options::ENABLE_STRIKETHROUGH);
    opts.insert(Options::ENABLE_YAML_STYLE_METADATA_BLOCKS);
    opts.insert(Options::ENABLE_TASKLISTS);
    let mut c = Conv {
        text,
        lines: LineIndex::new(text),
        stack: Vec::new(),
        out: Parsed::default(),
        emph: 0,
        strong: 0,
        list_depth: 0,
        flattened: 0,
        flattened_any: false,
        max_list_depth: max_list_depth.max(1),
        pending_images: Vec::new(),
        quote_depth: 0,
    };
    for (ev, range) in Parser::new_ext(text, opts).into_offset_iter() {
        c.event(ev, range);
    }
    if c.flattened_any {
        c.out.warnings.push(format!(
            "lists nested deeper than {} levels were flattened",
            c.max_list_depth
        ));
    }
    c.out
}

impl Conv<'_> {
    fn line(&self, off: usize) -> u32 {
        self.lines.line(off)
    }

    /// Last line of a range, ignoring trailing whitespace and newlines.
    fn last_line(&self, start: usize, end: usize) -> u32 {
        let end = end.min(self.text.len());
        let t = self.text.get(start..end).unwrap_or("");
        let trimmed = t.trim_end();
        self.line(start + trimmed.len().saturating_sub(1))
    }

    fn push_inline(&mut self, i: Inline) {
        for f in self.stack.iter_mut().rev() {
            match f {
                Frame::Link { text, .. } => {
                    if let Inline::Text { text: t, .. } = &i {
                        text.push_str(t);
                    }
                    return;
                }
                Frame::Image { alt, .. } => {
                    if let Inline::Text { text: t, .. } = &i {
                        alt.push_str(t);
                    }
                    return;
                }
                Frame::Para { inlines, .. }
                | Frame::Heading { inlines, .. }
                | Frame::Cell { inlines } => {
                    inlines.push(i);
                    return;
                }
                Frame::Item { item } => {
                    item.inlines.push(i);
                    return;
                }
                Frame::Code { text, .. } | Frame::Meta { text } => {
                    if let Inline::Text { text: t, .. } = &i {
                        text.push_str(t);
                    }
                    return;
                }
                Frame::Note { inlines, .. } => {
                    inlines.push(i);
                    return;
                }
                Frame::Html => return,
                Frame::List { .. } | Frame::Table { .. } | Frame::Row { .. } | Frame::Quote => {}
            }
        }
        // Loose inline content outside any block (should not happen).
    }

    fn text(&mut self, s: &str) {
        self.push_inline(Inline::Text {
            text: s.to_string(),
            emph: self.emph > 0,
            strong: self.strong > 0,
        });
    }

    /// Emit a finished top-level block (or hand it to the enclosing frame).
    fn emit(&mut self, block: Block, start: usize, end: usize) {
        // Inside a list item, footnote or table cell: fold into it.
        for f in self.stack.iter_mut().rev() {
            match f {
                Frame::Item { item } => {
                    match block {
                        Block::List { list, .. } => item.children.push(list),
                        other => {
                            let mut inl = block_inlines(other);
                            if !inl.is_empty() {
                                if !item.inlines.is_empty() {
                                    item.inlines.push(Inline::Break);
                                }
                                item.inlines.append(&mut inl);
                            }
                        }
                    }
                    return;
                }
                Frame::Note { inlines, .. } => {
                    let mut inl = block_inlines(block);
                    soften(&mut inl);
                    if inlines_text_nonempty(&inl) {
                        if !inlines.is_empty() {
                            inlines.push(Inline::Break);
                        }
                        inlines.append(&mut inl);
                    }
                    return;
                }
                Frame::Cell { inlines } => {
                    inlines.push(Inline::text(block.plain_text()));
                    return;
                }
                Frame::Quote => {}
                _ => {}
            }
        }
        let node = Node {
            first_line: self.line(start),
            last_line: self.last_line(start, end),
            quoted: self.quote_depth > 0,
            block,
        };
        self.out.nodes.push(node);
        let imgs = std::mem::take(&mut self.pending_images);
        self.out.nodes.extend(imgs);
    }

    fn event(&mut self, ev: Event<'_>, r: Range<usize>) {
        match ev {
            Event::Start(tag) => self.start(tag, r),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => self.text(&t),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t),
            Event::Html(_) | Event::InlineHtml(_) => {}
            Event::FootnoteReference(id) => {
                self.push_inline(Inline::NoteRef { id: id.to_string() })
            }
            Event::SoftBreak => self.text("\n"),
            Event::HardBreak => self.push_inline(Inline::Break),
            Event::Rule => {}
            Event::TaskListMarker(done) => self.text(if done { "[x] " } else { "[ ] " }),
        }
    }

    fn start(&mut self, tag: Tag<'_>, r: Range<usize>) {
        let frame = match tag {
            Tag::Paragraph => Frame::Para {
                inlines: Vec::new(),
                start: r.start,
                end: r.end,
            },
            Tag::Heading { level, .. } => Frame::Heading {
                inlines: Vec::new(),
                level: level as u8,
                start: r.start,
            },
            Tag::BlockQuote(_) => {
                self.quote_depth += 1;
                Frame::Quote
            }
            Tag::CodeBlock(_) => Frame::Code {
                text: String::new(),
                start: r.start,
                end: r.end,
            },
            Tag::HtmlBlock => Frame::Html,
            Tag::List(first) => {
                if self.list_depth >= self.max_list_depth {
                    self.flattened += 1;
                    self.flattened_any = true;
                    return;
                }
                self.list_depth += 1;
                Frame::List {
                    list: List {
                        ordered: first.is_some(),
                        start: first.filter(|&n| n != 1),
                        numbering: None,
                        items: Vec::new(),
                    },
                    start: r.start,
                    end: r.end,
                }
            }
            Tag::Item => Frame::Item {
                item: ListItem::default(),
            },
            Tag::FootnoteDefinition(id) => Frame::Note {
                id: id.to_string(),
                inlines: Vec::new(),
                start: r.start,
            },
            Tag::Table(_) => Frame::Table {
                rows: Vec::new(),
                start: r.start,
                end: r.end,
            },
            Tag::TableHead => Frame::Row {
                row: TableRow {
                    header: true,
                    cells: Vec::new(),
                },
            },
            Tag::TableRow => Frame::Row {
                row: TableRow::default(),
            },
            Tag::TableCell => Frame::Cell {
                inlines: Vec::new(),
            },
            Tag::Emphasis => {
                self.emph += 1;
                return;
            }
            Tag::Strong => {
                self.strong += 1;
                return;
            }
            Tag::Strikethrough | Tag::Superscript | Tag::Subscript => return,
            Tag::Link { dest_url, .. } => Frame::Link {
                target: dest_url.to_string(),
                text: String::new(),
            },
            Tag::Image {
                dest_url, title, ..
            } => Frame::Image {
                alt: String::new(),
                src: dest_url.to_string(),
                title: title.to_string(),
                start: r.start,
            },
            Tag::MetadataBlock(_) => Frame::Meta {
                text: String::new(),
            },
            Tag::DefinitionList | Tag::DefinitionListTitle | Tag::DefinitionListDefinition => {
                return;
            }
        };
        self.stack.push(frame);
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Emphasis => self.emph = self.emph.saturating_sub(1),
            TagEnd::Strong => self.strong = self.strong.saturating_sub(1),
            TagEnd::Strikethrough
            | TagEnd::Superscript
            | TagEnd::Subscript
            | TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition => {}
            TagEnd::List(_)
                if self.flattened > 0 && !matches!(self.stack.last(), Some(Frame::List { .. })) =>
            {
                self.flattened -= 1;
            }
            _ => {
                let Some(frame) = self.stack.pop() else {
                    return;
                };
                self.close(frame);
            }
        }
    }

    fn close(&mut self, frame: Frame) {
        match frame {
            Frame::Para {
                inlines,
                start,
                end,
            } => {
                if inlines_text_nonempty(&inlines) {
                    self.emit(
                        Block::Paragraph {
                            loc: Location::Line(self.line(start)),
                            inlines,
                        },
                        start,
                        end,
                    );
                } else if !self.pending_images.is_empty() && !self.in_container() {
                    let mut imgs = std::mem::take(&mut self.pending_images);
                    // An image alone in its paragraph is a figure, its
                    // description also its caption (pandoc's implicit
                    // figures: `![Caption](chart.png)`).
                    if let [
                        Node {
                            block: Block::Image { alt, caption, .. },
                            ..
                        },
                    ] = imgs.as_mut_slice()
                        && caption.is_none()
                    {
                        caption.clone_from(alt);
                    }
                    self.out.nodes.extend(imgs);
                }
            }
            Frame::Heading {
                inlines,
                level,
                start,
            } => {
                let text = collapse_ws(&crate::model::inlines_text(&inlines));
                let (label, text) = crate::ingest::labels::split(&text);
                self.emit(
                    Block::Heading {
                        loc: Location::Line(self.line(start)),
                        level: level.clamp(1, 6),
                        label,
                        text,
                    },
                    start,
                    start,
                );
            }
            Frame::List { list, start, end } => {
                self.list_depth = self.list_depth.saturating_sub(1);
                self.emit(
                    Block::List {
                        loc: Location::Line(self.line(start)),
                        list,
                    },
                    start,
                    end,
                );
            }
            Frame::Item { item } => {
                if let Some(Frame::List { list, .. }) = self
                    .stack
                    .iter_mut()
                    .rev()
                    .find(|f| matches!(f, Frame::List { .. }))
                {
                    list.items.push(item);
                }
            }
            Frame::Table { rows, start, end } => {
                self.emit(
                    Block::Table {
                        loc: Location::Line(self.line(start)),
                        rows,
                    },
                    start,
                    end,
                );
            }
            Frame::Row { row } => {
                if let Some(Frame::Table { rows, .. }) = self.stack.last_mut() {
                    rows.push(row);
                }
            }
            Frame::Cell { mut inlines } => {
                soften(&mut inlines);
                if let Some(Frame::Row { row }) = self.stack.last_mut() {
                    row.cells.push(TableCell {
                        inlines,
                        colspan: 1,
                    });
                }
            }
            Frame::Note {
                id,
                mut inlines,
                start,
            } => {
                let text = collapse_ws(&inlines_text(&inlines));
                // Notes with a link or emphasis keep their inlines; plain
                // ones only their text.
                let rich = inlines.iter().any(|i| {
                    matches!(
                        i,
                        Inline::Link { .. }
                            | Inline::Text { emph: true, .. }
                            | Inline::Text { strong: true, .. }
                    )
                });
                if rich {
                    merge_text(&mut inlines);
                } else {
                    inlines.clear();
                }
                self.out.notes.push(Note {
                    id,
                    kind: NoteKind::Footnote,
                    text,
                    inlines,
                    loc: Some(Location::Line(self.line(start))),
                });
            }
            Frame::Quote => self.quote_depth = self.quote_depth.saturating_sub(1),
            Frame::Code { text, start, end } => {
                let mut inlines = Vec::new();
                for (i, l) in text.trim_end_matches('\n').split('\n').enumerate() {
                    if i > 0 {
                        inlines.push(Inline::Break);
                    }
                    inlines.push(Inline::text(l));
                }
                if inlines_text_nonempty(&inlines) {
                    self.emit(
                        Block::Paragraph {
                            loc: Location::Line(self.line(start)),
                            inlines,
                        },
                        start,
                        end,
                    );
                }
            }
            Frame::Html => {}
            Frame::Meta { text } => self.out.front_matter = Some(text),
            Frame::Link { target, text } => self.push_inline(Inline::Link { target, text }),
            Frame::Image {
                alt,
                src,
                title,
                start,
            } => {
                let alt = collapse_ws(&alt);
                let title = collapse_ws(&title);
                let src = src.trim().to_string();
                let node = Node {
                    block: Block::Image {
                        loc: Location::Line(self.line(start)),
                        alt: (!alt.is_empty()).then_some(alt),
                        src: (!src.is_empty()).then_some(src),
                        // A title is the caption; an image alone in its
                        // paragraph (a pandoc figure) gets one below.
                        caption: (!title.is_empty()).then_some(title),
                        width: None,
                    },
                    first_line: self.line(start),
                    last_line: self.line(start),
                    quoted: self.quote_depth > 0,
                };
                self.pending_images.push(node);
            }
        }
    }

    fn in_container(&self) -> bool {
        self.stack.iter().any(|f| {
            matches!(
                f,
                Frame::Item { .. } | Frame::Note { .. } | Frame::Cell { .. }
            )
        })
    }
}

fn inlines_text_nonempty(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| match i {
        Inline::Text { text, .. } => !text.trim().is_empty(),
        Inline::Link { .. } | Inline::NoteRef { .. } => true,
        Inline::Break => false,
    })
}

fn block_inlines(b: Block) -> Vec<Inline> {
    match b {
        Block::Paragraph { inlines, .. } => inlines,
        other => {
            let t = other.plain_text();
            if t.is_empty() {
                Vec::new()
            } else {
                vec![Inline::text(t)]
            }
        }
    }
}
