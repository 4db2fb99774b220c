//! What the [prepass](super::prepass) spares docx-rs: markup the walk never
//! reads, and runs split for no reason the model can see.
//!
//! docx-rs builds every element into a large struct (a paragraph is 2.4 KB,
//! a run 736 bytes, each with a full property struct) moved by value
//! through builder calls, and allocates every element and attribute name.
//! That is most of what a read costs, so every element docx-rs does not
//! see is time saved. The walk ([`super::body`]) reads few properties:
//!
//! - of a paragraph's `w:pPr`: `w:pStyle`, `w:numPr`, `w:outlineLvl`, and
//!   in the paragraph mark's `w:rPr` the tracked `w:ins` / `w:del`;
//! - of a run's `w:rPr`: `w:i`, `w:b` and `w:vanish`;
//! - of a `w:t`: its text (docx-rs ignores its attributes and reads the
//!   text verbatim, `xml:space` or not).
//!
//! So the prepass drops the other property elements (a property element
//! left empty goes too), takes a paragraph's style, numbering and outline
//! level out of its `w:pPr` into [`super::prepass::ParaProps`] (docx-rs's
//! paragraph-property reader was a fifth of its time; the values are read
//! as docx-rs reads them), drops `w:t` attributes, and elements that only record
//! where a spell checker, an edit session or the last layout was
//! ([`DROPPED`]). It then merges a *simple* run (an optional `w:rPr` and one
//! `w:t`) into the simple run just before it when only whitespace lies
//! between them and their remaining `w:rPr` are byte-identical: the second
//! run's text is moved into the first `w:t`. pandoc writes one run per
//! word and one per space; Word splits runs at every edit session. Anything
//! else between two runs (a comment range, a field character, a
//! `w:ins`/`w:del` boundary, the end of a paragraph) keeps them apart, so
//! comment anchors, fields and revisions see the same text.
//!
//! The styles part is tidied the same way ([`styles`]): docx-rs builds a
//! 4.3 KB struct per style, moved through a builder call per property.
//!
//! A change to what the walk reads must change the lists here; the test
//! `tidying_keeps_the_model` reads every DOCX fixture with and without
//! this and compares the models.

use std::ops::Range;

/// Elements dropped wherever they are: spelling and grammar marks, the
/// last layout's page breaks, bookmarks (links to them keep their anchor
/// name) and section properties.
const DROPPED: [&str; 5] = [
    "proofErr",
    "lastRenderedPageBreak",
    "bookmarkStart",
    "bookmarkEnd",
    "sectPr",
];

/// Children of a paragraph's `w:pPr` the walk reads: the mark's run
/// properties stay for docx-rs; style, numbering and outline level are
/// taken out by the prepass ([`Action::Take`]).
const PARAGRAPH_KEPT: [&str; 1] = ["rPr"];
const PARAGRAPH_TAKEN: [&str; 3] = ["pStyle", "numPr", "outlineLvl"];
/// Children of the paragraph mark's `w:rPr` the walk reads.
const MARK_KEPT: [&str; 4] = ["ins", "del", "moveFrom", "moveTo"];
/// Children of a run's `w:rPr` the walk reads.
const RUN_KEPT: [&str; 3] = ["i", "b", "vanish"];

/// What to do with an element.
#[derive(Debug, PartialEq, Eq)]
pub enum Action {
    /// Copy it (and its content) as usual.
    Copy,
    /// Copy its start tag without attributes (`w:t`).
    Bare,
    /// Leave it and its content out.
    Drop,
    /// Leave it out and read it into [`super::prepass::ParaProps`]
    /// (`w:pStyle`, `w:numPr`, `w:outlineLvl` of a paragraph).
    Take,
}

/// A property element being filtered: which children it keeps.
#[derive(Debug)]
struct Filter {
    /// Depth of the element (the reader's depth after its start tag).
    depth: usize,
    kept: &'static [&'static str],
    /// Children read by the prepass instead.
    taken: &'static [&'static str],
    /// Where its start tag begins and its content starts in the output.
    tag: usize,
    content: usize,
}

impl Filter {
    fn keeps(&self, name: &str) -> bool {
        self.kept.contains(&name)
    }
}

/// A run being copied.
#[derive(Debug)]
struct Run {
    depth: usize,
    /// Where its start tag begins in the output.
    start: usize,
    /// Its `w:rPr`'s kept content, once closed (empty if none).
    rpr: Range<usize>,
    rpr_seen: bool,
    /// The `w:t` content: start, and end once closed.
    text: Option<(usize, Option<usize>)>,
    /// Only an optional `w:rPr` and one `w:t` so far.
    simple: bool,
}

/// The last simple run written, to merge the next one into.
#[derive(Debug)]
struct Simple {
    rpr: Range<usize>,
    /// Where its text ends (its `w:t` end tag starts).
    text_end: usize,
    /// Where the run ends (after `</w:r>`).
    end: usize,
}

/// State of the tidying over one part.
#[derive(Debug, Default)]
pub struct Tidy {
    /// Off: copy everything (to compare models with and without).
    off: bool,
    /// Depths of the open paragraphs.
    paras: Vec<usize>,
    /// Open property elements being filtered, outermost first (at most a
    /// `w:pPr` and its `w:rPr`, or a run's `w:rPr`).
    filters: Vec<Filter>,
    run: Option<Run>,
    last: Option<Simple>,
}

impl Tidy {
    pub fn new(on: bool) -> Tidy {
        Tidy {
            off: !on,
            ..Tidy::default()
        }
    }

    /// An element start (`is_start`) or empty element named `name`, read at
    /// `depth` (the reader's depth after the tag), to be written at `at` in
    /// the output; with [`Action::Copy`] its tag is `tag_len` bytes long,
    /// with [`Action::Bare`] `bare_len`.
    pub fn element(
        &mut self,
        name: &str,
        is_start: bool,
        depth: usize,
        at: usize,
        tag_len: usize,
        bare_len: usize,
    ) -> Action {
        if self.off {
            return Action::Copy;
        }
        if DROPPED.contains(&name) {
            return Action::Drop;
        }
        let level = if is_start { depth } else { depth + 1 };
        if let Some(f) = self.filters.last() {
            if level == f.depth + 1 {
                if f.taken.contains(&name) {
                    return Action::Take;
                }
                if !f.keeps(name) {
                    return Action::Drop;
                }
                // The paragraph mark's properties, filtered in turn.
                if name == "rPr" && is_start {
                    self.filters.push(Filter {
                        depth,
                        kept: &MARK_KEPT,
                        taken: &[],
                        tag: at,
                        content: at + tag_len,
                    });
                }
            }
            return Action::Copy;
        }
        match name {
            "p" if is_start => self.paras.push(depth),
            "pPr" if is_start && self.paras.last() == Some(&(depth - 1)) => {
                self.filters.push(Filter {
                    depth,
                    kept: &PARAGRAPH_KEPT,
                    taken: &PARAGRAPH_TAKEN,
                    tag: at,
                    content: at + tag_len,
                });
                return Action::Copy;
            }
            "r" if is_start => {
                if let Some(r) = self.run.as_mut() {
                    r.simple = false;
                }
                self.run = Some(Run {
                    depth,
                    start: at,
                    rpr: at..at,
                    rpr_seen: false,
                    text: None,
                    simple: true,
                });
                return Action::Copy;
            }
            _ => {}
        }
        let Some(r) = self.run.as_mut() else {
            return Action::Copy;
        };
        if level != r.depth + 1 {
            // Inside the text, or deeper: not a plain run.
            r.simple = false;
            return Action::Copy;
        }
        match name {
            "rPr" if !r.rpr_seen && r.text.is_none() => {
                r.rpr_seen = true;
                if !is_start {
                    return Action::Drop;
                }
                self.filters.push(Filter {
                    depth,
                    kept: &RUN_KEPT,
                    taken: &[],
                    tag: at,
                    content: at + tag_len,
                });
                Action::Copy
            }
            "t" if is_start && r.text.is_none() => {
                r.text = Some((at + bare_len, None));
                Action::Bare
            }
            "t" if is_start => {
                r.simple = false;
                Action::Bare
            }
            _ => {
                r.simple = false;
                Action::Copy
            }
        }
    }

    /// An end tag named `name`, read at `depth` (the reader's depth before
    /// the tag), about to be written at the end of `xml`. Returns whether
    /// the tag is to be left out: the end of a property element that kept
    /// nothing, whose start tag is removed here.
    pub fn end(&mut self, name: &str, depth: usize, xml: &mut String) -> bool {
        if self.off {
            return false;
        }
        if let Some(f) = self.filters.pop_if(|f| f.depth == depth) {
            let empty = xml.len() == f.content;
            if empty {
                xml.truncate(f.tag);
            }
            if let Some(r) = self.run.as_mut().filter(|r| r.depth + 1 == depth) {
                r.rpr = if empty {
                    f.tag..f.tag
                } else {
                    f.content..xml.len()
                };
            }
            return empty;
        }
        if name == "p" {
            self.paras.pop_if(|d| *d == depth);
        }
        if let Some(r) = self.run.as_mut()
            && depth == r.depth + 1
            && name == "t"
            && let Some((_, end @ None)) = r.text.as_mut()
        {
            *end = Some(xml.len());
        }
        false
    }

    /// After a `w:r` end tag read at `depth` (before it) was written:
    /// merge the run into the previous one when both are simple.
    pub fn run_closed(&mut self, depth: usize, xml: &mut String) {
        if self.off {
            return;
        }
        let Some(r) = self.run.take_if(|r| r.depth == depth) else {
            return;
        };
        let (Some((text_start, Some(text_end))), true) = (r.text, r.simple) else {
            self.last = None;
            return;
        };
        if let Some(last) = self.last.as_mut()
            && xml
                .get(last.end..r.start)
                .is_some_and(|between| between.bytes().all(|b| b.is_ascii_whitespace()))
            && xml.get(last.rpr.clone()) == xml.get(r.rpr.clone())
        {
            // Remove from the end of the last text to the start of this
            // one: the last run's `</w:t></w:r>` and this run's head.
            xml.drain(last.text_end..text_start);
            last.text_end = text_end - (text_start - last.text_end);
            last.end = xml.len();
            return;
        }
        self.last = Some(Simple {
            rpr: r.rpr,
            text_end,
            end: xml.len(),
        });
    }
}

/// Children of a `w:style` the walk reads (through docx-rs): its name, the
/// style it is based on, and paragraph properties.
const STYLE_KEPT: [&str; 3] = ["name", "basedOn", "pPr"];
/// Of a style's `w:pPr`: list numbering and outline level.
const STYLE_PARAGRAPH_KEPT: [&str; 2] = ["numPr", "outlineLvl"];

/// The styles part with only what the walk reads of it: `w:style`
/// elements (attributes kept) holding [`STYLE_KEPT`], their `w:pPr`
/// holding [`STYLE_PARAGRAPH_KEPT`]. Document defaults, latent styles (a
/// few hundred elements in every Word file), run, table and conditional
/// properties go. `text` has passed [`super::package::check_xml`]; should
/// it not parse after all, it is returned as it is, for docx-rs to judge.
pub fn styles(text: &str) -> String {
    let mut out = String::with_capacity(text.len() / 2);
    let mut r = quick_xml::Reader::from_str(text);
    let mut depth = 0usize;
    // Depth at which a dropped element started.
    let mut dropped: Option<usize> = None;
    loop {
        let start = r.buffer_position() as usize;
        let Ok(ev) = r.read_event() else {
            return text.to_string();
        };
        let raw = text
            .get(start..r.buffer_position() as usize)
            .unwrap_or_default();
        use quick_xml::events::Event;
        match &ev {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) => {
                let is_start = matches!(ev, Event::Start(_));
                let level = depth + 1;
                if is_start {
                    depth += 1;
                }
                if dropped.is_some() {
                    continue;
                }
                let name = e.local_name();
                let name: &str = name.as_ref();
                let keep = match level {
                    2 => name == "style",
                    3 => STYLE_KEPT.contains(&name),
                    4 => STYLE_PARAGRAPH_KEPT.contains(&name),
                    _ => true,
                };
                if keep {
                    out.push_str(raw);
                } else if is_start {
                    dropped = Some(depth);
                }
            }
            Event::End(_) => {
                if dropped == Some(depth) {
                    dropped = None;
                } else if dropped.is_none() {
                    out.push_str(raw);
                }
                depth = depth.saturating_sub(1);
            }
            _ => {
                if dropped.is_none() {
                    out.push_str(raw);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn styles_keep_names_bases_numbering_and_outline_levels() {
        let text = r#"<?xml version="1.0"?><w:styles xmlns:w="w"><w:docDefaults><w:rPrDefault><w:rPr><w:sz w:val="22"/></w:rPr></w:rPrDefault></w:docDefaults><w:latentStyles w:count="2"><w:lsdException w:name="heading 1"/></w:latentStyles><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:uiPriority w:val="9"/><w:pPr><w:keepNext/><w:numPr><w:numId w:val="3"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="32"/></w:rPr></w:style><w:style w:type="table" w:styleId="Grid"><w:name w:val="Grid"/><w:tblPr><w:tblBorders/></w:tblPr></w:style></w:styles>"#;
        assert_eq!(
            styles(text),
            r#"<?xml version="1.0"?><w:styles xmlns:w="w"><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="3"/></w:numPr><w:outlineLvl w:val="0"/></w:pPr></w:style><w:style w:type="table" w:styleId="Grid"><w:name w:val="Grid"/></w:style></w:styles>"#
        );
        // Not XML after all: left as it is.
        assert_eq!(styles("<a><b></a>"), "<a><b></a>");
    }
}
