//! Small quick-xml readers for the parts docx-rs 0.4.22 does not read:
//! footnotes, endnotes, core properties, and the relationship targets of
//! the main document (kept exactly as written, for hyperlinks).
//!
//! Each takes the text of an already validated part ([`super::package`]);
//! nesting depth is capped again here because these readers keep a stack.

use super::package::{check_ref, place, too_deep, xml_error};
use crate::ingest::IngestErrorKind;
use crate::model::{Note, NoteKind};
use quick_xml::events::{BytesStart, Event};
use std::collections::HashMap;

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

/// Walk `text`, calling `f(event, stack of local names)`, with the depth cap.
fn walk(
    part: &str,
    text: &str,
    max_depth: usize,
    mut f: impl FnMut(&Event<'_>, &[String]),
) -> Result<(), IngestErrorKind> {
    let mut r = quick_xml::Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    loop {
        let pos = r.buffer_position() as usize;
        let ev = r
            .read_event()
            .map_err(|e| xml_error(part, text, &r, pos, &e))?;
        match &ev {
            Event::Eof => break,
            Event::Start(e) => {
                stack.push(e.local_name().as_ref().to_string());
                if stack.len() > max_depth {
                    return Err(too_deep(part, text, pos, max_depth));
                }
                f(&ev, &stack);
            }
            Event::End(_) => {
                f(&ev, &stack);
                stack.pop();
            }
            Event::GeneralRef(g) => {
                check_ref(part, text, pos, g)?;
                f(&ev, &stack);
            }
            Event::DocType(_) => {
                return Err(IngestErrorKind::corrupt(
                    place(part, text, pos),
                    super::package::DOCTYPE_REASON,
                ));
            }
            _ => f(&ev, &stack),
        }
    }
    Ok(())
}

/// Text of a text or reference event.
fn event_text(ev: &Event<'_>) -> Option<String> {
    match ev {
        Event::Text(t) => Some(t.xml10_content().into_owned()),
        Event::CData(t) => Some(t.xml10_content().into_owned()),
        Event::GeneralRef(g) => {
            if g.is_char_ref() {
                g.resolve_char_ref().ok().flatten().map(String::from)
            } else {
                quick_xml::escape::resolve_predefined_entity(&g.xml10_content()).map(String::from)
            }
        }
        _ => None,
    }
}

/// Relationship id → target, exactly as written in a `.rels` part.
pub fn relationships(
    part: &str,
    text: &str,
    max_depth: usize,
) -> Result<HashMap<String, String>, IngestErrorKind> {
    let mut map = HashMap::new();
    walk(part, text, max_depth, |ev, _| {
        if let Event::Start(e) | Event::Empty(e) = ev
            && e.local_name().as_ref() == "Relationship"
            && let Some(id) = attr(e, "Id")
        {
            map.insert(id, attr(e, "Target").unwrap_or_default());
        }
    })?;
    Ok(map)
}

/// Footnotes (`kind` Footnote, ids as in the source) or endnotes (ids
/// prefixed `e`), without Word's separator notes. Paragraphs of one note are
/// joined with a newline; deleted text (`w:delText`) is left out.
pub fn notes(
    part: &str,
    text: &str,
    kind: NoteKind,
    max_depth: usize,
) -> Result<Vec<Note>, IngestErrorKind> {
    let note_tag: &str = match kind {
        NoteKind::Footnote => "footnote",
        NoteKind::Endnote => "endnote",
    };
    let mut notes = Vec::new();
    let mut current: Option<(String, String)> = None;
    walk(part, text, max_depth, |ev, stack| match ev {
        Event::Start(e) if e.local_name().as_ref() == note_tag && stack.len() == 2 => {
            let separator = attr(e, "type").is_some_and(|t| t != "normal");
            if !separator {
                current = Some((attr(e, "id").unwrap_or_default(), String::new()));
            }
        }
        Event::End(e) if e.local_name().as_ref() == note_tag && stack.len() == 2 => {
            if let Some((id, body)) = current.take() {
                let id = match kind {
                    NoteKind::Footnote => id,
                    NoteKind::Endnote => format!("e{id}"),
                };
                notes.push(Note {
                    id,
                    kind,
                    text: tidy(&body),
                    loc: None,
                });
            }
        }
        Event::End(e) if e.local_name().as_ref() == "p" => {
            if let Some((_, body)) = current.as_mut() {
                body.push('\n');
            }
        }
        Event::Empty(e) if matches!(e.local_name().as_ref(), "tab" | "br") => {
            if let Some((_, body)) = current.as_mut() {
                body.push(' ');
            }
        }
        _ => {
            if stack.last().is_some_and(|n| n == "t")
                && let (Some((_, body)), Some(t)) = (current.as_mut(), event_text(ev))
            {
                body.push_str(&t);
            }
        }
    })?;
    Ok(notes)
}

/// Trim each line and drop empty lines.
fn tidy(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Dublin Core properties from `docProps/core.xml`.
#[derive(Debug, Default, PartialEq)]
pub struct CoreProps {
    pub title: Option<String>,
    pub subject: Option<String>,
    pub creator: Option<String>,
    pub keywords: Option<String>,
    pub language: Option<String>,
    pub created: Option<String>,
    pub modified: Option<String>,
}

pub fn core_props(part: &str, text: &str, max_depth: usize) -> Result<CoreProps, IngestErrorKind> {
    let mut props = CoreProps::default();
    walk(part, text, max_depth, |ev, stack| {
        if stack.len() != 2 {
            return;
        }
        let Some(t) = event_text(ev) else { return };
        let slot = match stack[1].as_str() {
            "title" => &mut props.title,
            "subject" => &mut props.subject,
            "creator" => &mut props.creator,
            "keywords" => &mut props.keywords,
            "language" => &mut props.language,
            "created" => &mut props.created,
            "modified" => &mut props.modified,
            _ => return,
        };
        slot.get_or_insert_with(String::new).push_str(&t);
    })?;
    for v in [
        &mut props.title,
        &mut props.subject,
        &mut props.creator,
        &mut props.keywords,
        &mut props.language,
        &mut props.created,
        &mut props.modified,
    ] {
        *v = v
            .take()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty());
    }
    Ok(props)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_notes_core_and_rels() {
        let fx = r#"<w:footnotes xmlns:w="x"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="3"><w:p><w:r><w:t>See &amp; </w:t></w:r><w:r><w:delText>gone</w:delText></w:r><w:r><w:t>read</w:t></w:r></w:p></w:footnote></w:footnotes>"#;
        let n = notes("word/footnotes.xml", fx, NoteKind::Footnote, 32).unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!((n[0].id.as_str(), n[0].text.as_str()), ("3", "See & read"));
        let core = r#"<cp:coreProperties xmlns:cp="a" xmlns:dc="b"><dc:title>T &#8220;x&#8221;</dc:title><dc:creator>A; B</dc:creator><dc:subject></dc:subject></cp:coreProperties>"#;
        let c = core_props("docProps/core.xml", core, 32).unwrap();
        assert_eq!(c.title.as_deref(), Some("T “x”"));
        assert_eq!(c.creator.as_deref(), Some("A; B"));
        assert_eq!(c.subject, None);
        let rels = r#"<Relationships><Relationship Id="rId1" Type="h" Target="" TargetMode="External"/><Relationship Id="rId2" Type="h" Target="https://a.b/?x=1&amp;y=2"/></Relationships>"#;
        let r = relationships("word/_rels/document.xml.rels", rels, 32).unwrap();
        assert_eq!(r["rId1"], "");
        assert_eq!(r["rId2"], "https://a.b/?x=1&y=2");
    }
}
