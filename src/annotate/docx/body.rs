//! The main document part: where each paragraph is, and where earlier
//! comments of ours are.
//!
//! Paragraphs are counted exactly as the DOCX reader counts them for
//! `Location::Paragraph(n)` (`crate::ingest::docx::prepass`): every element
//! with local name `p`, in document order, at any depth (tables, SDTs and
//! `mc:Choice` included), except inside `drawing`, `pict` and `object`
//! (text boxes, charts) and `mc:Fallback`. The test
//! `tests/annotate_docx.rs` anchors a comment on every block of every DOCX
//! fixture and reads the copy back with the reader to hold the two
//! counts together.

use super::super::AnnotateErrorKind;
use super::super::xml::{self, Edits};
use quick_xml::events::Event;
use std::collections::HashSet;
use std::ops::Range;

/// One counted paragraph.
#[derive(Debug, Clone)]
pub struct Para {
    /// Its start tag (the whole element when `empty`).
    pub tag: Range<usize>,
    /// Written as `<w:p …/>`.
    pub empty: bool,
    /// Where content starts: after `w:pPr` when that is the first child,
    /// else after the start tag.
    pub content: usize,
    /// Where its end tag starts (`tag.end` when `empty`).
    pub end: usize,
    /// Its text (`w:t`, outside `w:del` / `w:moveFrom`), for finding the
    /// title paragraph.
    pub text: String,
}

/// What the scan found.
#[derive(Debug, Default)]
pub struct Body {
    pub paras: Vec<Para>,
    /// The root element's start tag, for its namespace declarations.
    pub root: Option<Range<usize>>,
    /// Elements of earlier comments of ours to delete.
    pub own: Edits,
    /// Markers of our earlier comments removed.
    pub own_markers: usize,
    /// The largest numeric `w:id` of any element that is not one of our
    /// markers.
    pub max_id: u64,
    /// `w14:paraId` values in use.
    pub para_ids: HashSet<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Open {
    /// A counted paragraph: its index in [`Body::paras`], and whether a
    /// child element has been seen.
    P(usize, bool),
    /// The paragraph's first child `w:pPr`.
    PPr(usize),
    /// A run (the innermost of the run stack).
    R,
    /// Not counted, not read (drawings, fallbacks).
    Skip,
    /// Deleted content.
    Del,
    /// Text.
    T,
    /// A written-out marker of ours: where it starts, and whether it is a
    /// direct child of the innermost run.
    Own(usize, bool),
    Other,
}

/// A run being scanned, for removing our reference runs whole.
struct Run {
    start: usize,
    /// Our `w:commentReference` elements inside it.
    refs: Vec<Range<usize>>,
    /// Children other than `w:rPr` and our references.
    other: bool,
    /// The stack depth of its direct children.
    depth: usize,
}

/// Numeric value of an id attribute, if it is one.
fn numeric(v: &str) -> Option<u64> {
    v.trim().parse::<u64>().ok()
}

/// Hexadecimal `paraId` value.
pub fn hex_id(v: &str) -> Option<u32> {
    u32::from_str_radix(v.trim(), 16).ok()
}

/// Scan the main document part `text` (named `part`). `own` are the ids of
/// the comments of ours being replaced.
pub fn scan(
    part: &str,
    text: &str,
    max_depth: usize,
    own: &HashSet<String>,
) -> Result<Body, AnnotateErrorKind> {
    let mut body = Body::default();
    let mut r = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    // Open paragraph indices (innermost last) and runs.
    let mut paras: Vec<usize> = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let (mut skip, mut deleted, mut in_text) = (0usize, 0usize, 0usize);
    loop {
        let start = r.buffer_position() as usize;
        let ev = r
            .read_event()
            .map_err(|e| xml::error(part, text, &r, start, &e))?;
        let end = r.buffer_position() as usize;
        match ev {
            Event::Eof => break,
            Event::DocType(_) => {
                return Err(AnnotateErrorKind::corrupt(
                    xml::place(part, text, start),
                    "has a DOCTYPE declaration, which Word never writes",
                ));
            }
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_start = matches!(ev, Event::Start(_));
                if is_start && stack.len() >= max_depth {
                    return Err(AnnotateErrorKind::corrupt(
                        xml::place(part, text, start),
                        format!("elements nested more than {max_depth} deep"),
                    ));
                }
                if body.root.is_none() {
                    body.root = Some(start..end);
                }
                let local = e.local_name();
                let name = local.as_ref();
                let marker = matches!(
                    name,
                    "commentRangeStart" | "commentRangeEnd" | "commentReference"
                );
                // Ids and paraIds anywhere (text boxes included).
                let mut ours = false;
                for a in e.attributes().with_checks(false).flatten() {
                    match a.key.local_name().as_ref() {
                        "id" => {
                            let v = a.value.clone();
                            if marker && own.contains(v.trim()) {
                                ours = true;
                            } else if let Some(n) = numeric(&v) {
                                body.max_id = body.max_id.max(n);
                            }
                        }
                        "paraId" => {
                            if let Some(n) = hex_id(&a.value.clone()) {
                                body.para_ids.insert(n);
                            }
                        }
                        _ => {}
                    }
                }
                // The first child of a paragraph: is it its properties?
                let mut first_ppr = None;
                if let Some(Open::P(i, seen)) = stack.last_mut()
                    && !*seen
                {
                    *seen = true;
                    if name == "pPr" {
                        first_ppr = Some(*i);
                    }
                }
                // A direct child of the innermost run.
                let mut in_run = false;
                if let Some(run) = runs.last_mut()
                    && stack.len() == run.depth
                {
                    in_run = ours && name == "commentReference";
                    if !in_run && name != "rPr" {
                        run.other = true;
                    }
                }
                if ours {
                    body.own_markers += 1;
                    if is_start {
                        stack.push(Open::Own(start, in_run));
                    } else if in_run {
                        if let Some(run) = runs.last_mut() {
                            run.refs.push(start..end);
                        }
                    } else {
                        body.own.delete(start..end);
                    }
                    continue;
                }
                if let Some(i) = first_ppr
                    && !is_start
                {
                    body.paras[i].content = end;
                }
                if name == "p" && skip == 0 {
                    body.paras.push(Para {
                        tag: start..end,
                        empty: !is_start,
                        content: end,
                        end,
                        text: String::new(),
                    });
                }
                if !is_start {
                    continue;
                }
                let open = if skip > 0 {
                    Open::Skip
                } else if let Some(i) = first_ppr {
                    Open::PPr(i)
                } else {
                    match name {
                        "drawing" | "pict" | "object" | "Fallback" => Open::Skip,
                        "p" => Open::P(body.paras.len() - 1, false),
                        "r" => Open::R,
                        "del" | "moveFrom" => Open::Del,
                        "t" => Open::T,
                        _ => Open::Other,
                    }
                };
                match open {
                    Open::Skip => skip += 1,
                    Open::Del => deleted += 1,
                    Open::T => in_text += 1,
                    Open::P(i, _) => paras.push(i),
                    Open::R => runs.push(Run {
                        start,
                        refs: Vec::new(),
                        other: false,
                        depth: stack.len() + 1,
                    }),
                    _ => {}
                }
                stack.push(open);
            }
            Event::End(_) => {
                let Some(open) = stack.pop() else {
                    continue;
                };
                match open {
                    Open::Skip => skip -= 1,
                    Open::Del => deleted -= 1,
                    Open::T => in_text -= 1,
                    Open::P(i, _) => {
                        paras.pop();
                        body.paras[i].end = start;
                    }
                    Open::PPr(i) => body.paras[i].content = end,
                    Open::R => {
                        if let Some(run) = runs.pop() {
                            if !run.refs.is_empty() && !run.other {
                                body.own.delete(run.start..end);
                            } else {
                                for rf in run.refs {
                                    body.own.delete(rf);
                                }
                            }
                        }
                    }
                    Open::Own(s, true) => {
                        if let Some(run) = runs.last_mut() {
                            run.refs.push(s..end);
                        }
                    }
                    Open::Own(s, false) => body.own.delete(s..end),
                    Open::Other => {}
                }
            }
            Event::Text(ref t) if in_text > 0 && deleted == 0 && skip == 0 => {
                if let Some(&i) = paras.last() {
                    body.paras[i].text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(ref g) if in_text > 0 && deleted == 0 && skip == 0 => {
                let c = if g.is_char_ref() {
                    g.resolve_char_ref().ok().flatten()
                } else {
                    quick_xml::escape::resolve_predefined_entity(&g.xml10_content())
                        .and_then(|s| s.chars().next())
                };
                if let (Some(&i), Some(c)) = (paras.last(), c) {
                    body.paras[i].text.push(c);
                }
            }
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(AnnotateErrorKind::corrupt(
            xml::place(part, text, text.len()),
            "ends before all elements are closed (truncated XML)",
        ));
    }
    Ok(body)
}
