//! Small quick-xml readers for the parts docx-rs 0.4.22 does not read:
//! footnotes, endnotes, core properties, and the relationship targets of
//! the main document (kept exactly as written, for hyperlinks); and for
//! numbering, of which the model needs three facts per list level where
//! docx-rs builds whole paragraph and run properties (LibreOffice writes
//! ~200 KB of numbering definitions for a report, which cost docx-rs more
//! than the document itself).
//!
//! Each takes the text of an already validated part ([`super::package`]);
//! nesting depth is capped again here because these readers keep a stack.

use super::package::{check_ref, place, too_deep, xml_error};
use crate::ingest::IngestErrorKind;
use crate::model::{Inline, Note, NoteKind, inlines_text};
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
    // Names of the open elements: `names[..depth]`, their strings reused
    // (numbering parts have thousands of elements).
    let mut names: Vec<String> = Vec::new();
    let mut depth = 0;
    loop {
        let pos = r.buffer_position() as usize;
        let ev = r
            .read_event()
            .map_err(|e| xml_error(part, text, &r, pos, &e))?;
        match &ev {
            Event::Eof => break,
            Event::Start(e) => {
                let name: &str = e.local_name().into_inner();
                match names.get_mut(depth) {
                    Some(s) => {
                        s.clear();
                        s.push_str(name);
                    }
                    None => names.push(name.to_string()),
                }
                depth += 1;
                if depth > max_depth {
                    return Err(too_deep(part, text, pos, max_depth));
                }
                f(&ev, &names[..depth]);
            }
            Event::End(_) => {
                f(&ev, &names[..depth]);
                depth = depth.saturating_sub(1);
            }
            Event::GeneralRef(g) => {
                check_ref(part, text, pos, g)?;
                f(&ev, &names[..depth]);
            }
            Event::DocType(_) => {
                return Err(IngestErrorKind::corrupt(
                    place(part, text, pos),
                    super::package::DOCTYPE_REASON,
                ));
            }
            _ => f(&ev, &names[..depth]),
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
    Ok(relationship_list(part, text, max_depth)?
        .into_iter()
        .map(|r| (r.id, r.target))
        .collect())
}

/// One `Relationship` of a `.rels` part, attributes as written.
#[derive(Debug, Clone, PartialEq)]
pub struct Relationship {
    pub id: String,
    /// The `Type` URI.
    pub kind: String,
    pub target: String,
    /// `TargetMode`, when given (`External` for web links).
    pub mode: Option<String>,
}

/// The relationships of a `.rels` part, in document order.
pub fn relationship_list(
    part: &str,
    text: &str,
    max_depth: usize,
) -> Result<Vec<Relationship>, IngestErrorKind> {
    let mut list = Vec::new();
    walk(part, text, max_depth, |ev, _| {
        if let Event::Start(e) | Event::Empty(e) = ev
            && e.local_name().as_ref() == "Relationship"
            && let Some(id) = attr(e, "Id")
        {
            list.push(Relationship {
                id,
                kind: attr(e, "Type").unwrap_or_default(),
                target: attr(e, "Target").unwrap_or_default(),
                mode: attr(e, "TargetMode"),
            });
        }
    })?;
    Ok(list)
}

/// Footnotes (`kind` Footnote, ids as in the source) or endnotes (ids
/// prefixed `e`), without Word's separator notes. Paragraphs of one note are
/// joined with a newline; deleted text (`w:delText`) is left out. Each
/// note keeps its links (`w:hyperlink` through `rels`, the notes part's
/// relationship targets; `HYPERLINK` fields, simple and complex) and its
/// bold and italic runs as inlines.
pub fn notes(
    part: &str,
    text: &str,
    kind: NoteKind,
    max_depth: usize,
    rels: &HashMap<String, String>,
) -> Result<Vec<Note>, IngestErrorKind> {
    let note_tag: &str = match kind {
        NoteKind::Footnote => "footnote",
        NoteKind::Endnote => "endnote",
    };
    let mut notes = Vec::new();
    let mut current: Option<NoteBuilder> = None;
    walk(part, text, max_depth, |ev, stack| {
        // The element an event sits in: a start event's parent is below
        // its own name on the stack; an empty element is not on it.
        let in_rpr = match ev {
            Event::Start(_) => stack.len() >= 2 && stack[stack.len() - 2] == "rPr",
            Event::Empty(_) => stack.last().is_some_and(|n| n == "rPr"),
            _ => false,
        };
        match ev {
            Event::Start(e) if e.local_name().as_ref() == note_tag && stack.len() == 2 => {
                let separator = attr(e, "type").is_some_and(|t| t != "normal");
                if !separator {
                    current = Some(NoteBuilder::new(attr(e, "id").unwrap_or_default()));
                }
            }
            Event::End(e) if e.local_name().as_ref() == note_tag && stack.len() == 2 => {
                if let Some(b) = current.take() {
                    let id = match kind {
                        NoteKind::Footnote => b.id.clone(),
                        NoteKind::Endnote => format!("e{}", b.id),
                    };
                    let (text, inlines) = b.finish();
                    notes.push(Note {
                        id,
                        kind,
                        text,
                        inlines,
                        loc: None,
                    });
                }
            }
            _ => {
                let Some(b) = current.as_mut() else { return };
                match ev {
                    Event::End(e) if e.local_name().as_ref() == "p" => b.paragraph_end(),
                    Event::Start(e) if e.local_name().as_ref() == "r" => {
                        (b.emph, b.strong) = (false, false);
                    }
                    Event::Start(e) | Event::Empty(e) if in_rpr => {
                        let on = attr(e, "val")
                            .is_none_or(|v| !matches!(v.as_str(), "0" | "false" | "off"));
                        match e.local_name().as_ref() {
                            "i" => b.emph = on,
                            "b" => b.strong = on,
                            _ => {}
                        }
                    }
                    Event::Start(e) if e.local_name().as_ref() == "hyperlink" => {
                        let target = match (attr(e, "id"), attr(e, "anchor")) {
                            (Some(id), anchor) => {
                                let base = rels.get(&id).cloned().unwrap_or_default();
                                match anchor {
                                    Some(a) => format!("{base}#{a}"),
                                    None => base,
                                }
                            }
                            (None, Some(a)) => format!("#{a}"),
                            (None, None) => String::new(),
                        };
                        b.open_link(target);
                    }
                    Event::End(e) if e.local_name().as_ref() == "hyperlink" => b.close_link(),
                    Event::Start(e) if e.local_name().as_ref() == "fldSimple" => {
                        match attr(e, "instr").and_then(|i| super::body::hyperlink_field_target(&i))
                        {
                            Some(t) => b.open_link(t),
                            None => b.fields.push(None),
                        }
                    }
                    Event::End(e) if e.local_name().as_ref() == "fldSimple" => b.end_field(),
                    Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "fldChar" => {
                        match attr(e, "fldCharType").as_deref() {
                            Some("begin") => b.complex.push((String::new(), false)),
                            Some("separate") => {
                                let target = b.complex.last_mut().and_then(|(i, separated)| {
                                    *separated = true;
                                    super::body::hyperlink_field_target(i)
                                });
                                match target {
                                    Some(t) => b.open_link(t),
                                    None => b.fields.push(None),
                                }
                            }
                            // A field with a result (`separate` seen) ends it.
                            Some("end") if b.complex.pop().is_some_and(|(_, s)| s) => {
                                b.end_field();
                            }
                            _ => {}
                        }
                    }
                    Event::Empty(e) if matches!(e.local_name().as_ref(), "tab" | "br") => {
                        b.text(" ");
                    }
                    _ => {
                        if let Some(t) = event_text(ev) {
                            match stack.last().map(String::as_str) {
                                Some("t") => b.text(&t),
                                Some("instrText") => {
                                    if let Some((i, _)) = b.complex.last_mut() {
                                        i.push_str(&t);
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
    })?;
    Ok(notes)
}

/// One note being read: its inlines, the run's emphasis, an open link.
struct NoteBuilder {
    id: String,
    inlines: Vec<Inline>,
    emph: bool,
    strong: bool,
    /// An open link: its target and text so far.
    link: Option<(String, String)>,
    /// Open simple fields and complex field results: does each hold the
    /// open link (`Some`) or not (`None`)?
    fields: Vec<Option<()>>,
    /// Instructions of the open complex fields, and whether each has
    /// reached its result (`separate`).
    complex: Vec<(String, bool)>,
}

impl NoteBuilder {
    fn new(id: String) -> Self {
        NoteBuilder {
            id,
            inlines: Vec::new(),
            emph: false,
            strong: false,
            link: None,
            fields: Vec::new(),
            complex: Vec::new(),
        }
    }

    fn text(&mut self, t: &str) {
        if let Some((_, text)) = self.link.as_mut() {
            text.push_str(t);
            return;
        }
        let (emph, strong) = (self.emph, self.strong);
        if let Some(Inline::Text {
            text,
            emph: e,
            strong: s,
        }) = self.inlines.last_mut()
            && *e == emph
            && *s == strong
        {
            text.push_str(t);
            return;
        }
        self.inlines.push(Inline::Text {
            text: t.to_string(),
            emph,
            strong,
        });
    }

    fn open_link(&mut self, target: String) {
        self.close_link();
        self.link = Some((target, String::new()));
        self.fields.push(Some(()));
    }

    fn close_link(&mut self) {
        if let Some((target, text)) = self.link.take()
            && (!text.trim().is_empty() || !target.is_empty())
        {
            self.inlines.push(Inline::Link {
                target,
                text: text.trim().to_string(),
            });
        }
    }

    fn end_field(&mut self) {
        if let Some(Some(())) = self.fields.pop() {
            self.close_link();
        }
    }

    fn paragraph_end(&mut self) {
        self.close_link();
        if !self.inlines.is_empty() && !matches!(self.inlines.last(), Some(Inline::Break)) {
            self.inlines.push(Inline::Break);
        }
    }

    /// The plain text (as before: lines trimmed, empty ones dropped) and
    /// the inlines (spaces collapsed, ends trimmed).
    fn finish(mut self) -> (String, Vec<Inline>) {
        self.close_link();
        let text = tidy(&inlines_text(&self.inlines));
        let mut out: Vec<Inline> = Vec::new();
        for i in self.inlines {
            match i {
                Inline::Text { text, emph, strong } => {
                    let t = collapse(&text);
                    if !t.is_empty() {
                        out.push(Inline::Text {
                            text: t,
                            emph,
                            strong,
                        });
                    }
                }
                other => out.push(other),
            }
        }
        while matches!(out.last(), Some(Inline::Break)) {
            out.pop();
        }
        if let Some(Inline::Text { text, .. }) = out.first_mut() {
            *text = text.trim_start().to_string();
        }
        if let Some(Inline::Text { text, .. }) = out.last_mut() {
            *text = text.trim_end().to_string();
        }
        out.retain(|i| !matches!(i, Inline::Text { text, .. } if text.is_empty()));
        // Plain notes keep only `text`: inlines are for notes with a link
        // or emphasis.
        let plain = out.iter().all(|i| {
            matches!(
                i,
                Inline::Text {
                    emph: false,
                    strong: false,
                    ..
                } | Inline::Break
            )
        });
        (text, if plain { Vec::new() } else { out })
    }
}

/// Runs of whitespace as one space (ends kept, so runs join as written).
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            if !space {
                out.push(' ');
            }
            space = true;
        } else {
            out.push(c);
            space = false;
        }
    }
    out
}

/// One list level of an abstract numbering definition.
#[derive(Debug, Clone, PartialEq)]
pub struct NumLevel {
    /// `w:numFmt` (`decimal`, `lowerLetter`, `bullet`, ...).
    pub format: String,
    /// `w:lvlText` (`%1.`).
    pub text: String,
    /// `w:start` (0 when absent, as in the schema).
    pub start: u32,
}

/// A `w:num`: its abstract numbering id and start overrides (level, start).
impl NumLevel {
    /// Numbers or letters, as opposed to bullets or nothing.
    pub fn ordered(&self) -> bool {
        !matches!(self.format.as_str(), "bullet" | "none" | "")
    }
}

pub type NumRef = (usize, Vec<(usize, u32)>);

/// What `word/numbering.xml` says about lists.
#[derive(Debug, Default, PartialEq)]
pub struct Numbering {
    /// `w:num` id → its abstract numbering id and start overrides
    /// (level, start). A later `w:num` with the same id replaces an earlier.
    pub nums: HashMap<usize, NumRef>,
    /// Abstract numbering id → level number → the level. The first
    /// definition of an abstract id counts; within it, a later `w:lvl` with
    /// the same `w:ilvl` replaces an earlier.
    pub levels: HashMap<usize, HashMap<usize, NumLevel>>,
}

/// Read a numbering part. Values that are not numbers make their element
/// count as absent instead of failing the document.
pub fn numbering(part: &str, text: &str, max_depth: usize) -> Result<Numbering, IngestErrorKind> {
    let mut r = NumberingReader::default();
    walk(part, text, max_depth, |ev, stack| match ev {
        Event::Start(e) => r.start(e, stack.len()),
        Event::Empty(e) => {
            r.start(e, stack.len() + 1);
            r.end(e.local_name().as_ref(), stack.len() + 1);
        }
        Event::End(e) => r.end(e.local_name().as_ref(), stack.len()),
        _ => {}
    })?;
    Ok(r.out)
}

#[derive(Default)]
struct NumberingReader {
    out: Numbering,
    /// Abstract ids seen: only the first definition of one counts.
    seen: std::collections::HashSet<usize>,
    /// The abstract numbering being read, if it counts.
    abs: Option<usize>,
    lvl: Option<(usize, NumLevel)>,
    /// The `w:num` being read: its id and what it says.
    num: Option<(usize, NumRef)>,
    override_level: Option<usize>,
}

fn number<T: std::str::FromStr>(e: &BytesStart<'_>, name: &str) -> Option<T> {
    // Numbers hardly ever hold a reference: parse them in place.
    let a = e
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)?;
    if a.value.contains('&') {
        attr(e, name).and_then(|v| v.trim().parse().ok())
    } else {
        a.value.trim().parse().ok()
    }
}

impl NumberingReader {
    /// An element starts at `depth` (the root is 1).
    fn start(&mut self, e: &BytesStart<'_>, depth: usize) {
        match (e.local_name().as_ref(), depth) {
            ("abstractNum", 2) => {
                self.abs = number(e, "abstractNumId").filter(|id| self.seen.insert(*id));
            }
            ("lvl", 3) if self.abs.is_some() => {
                let level = NumLevel {
                    format: "decimal".into(),
                    text: String::new(),
                    start: 0,
                };
                self.lvl = Some((number(e, "ilvl").unwrap_or(0), level));
            }
            ("start", 4) => {
                if let (Some((_, l)), Some(v)) = (self.lvl.as_mut(), number(e, "val")) {
                    l.start = v;
                }
            }
            ("numFmt", 4) => {
                if let (Some((_, l)), Some(v)) = (self.lvl.as_mut(), attr(e, "val")) {
                    l.format = v;
                }
            }
            ("lvlText", 4) => {
                if let (Some((_, l)), Some(v)) = (self.lvl.as_mut(), attr(e, "val")) {
                    l.text = v;
                }
            }
            ("num", 2) => self.num = number(e, "numId").map(|id| (id, (0, Vec::new()))),
            ("abstractNumId", 3) => {
                if let (Some((_, n)), Some(v)) = (self.num.as_mut(), number(e, "val")) {
                    n.0 = v;
                }
            }
            ("lvlOverride", 3) => self.override_level = number(e, "ilvl"),
            ("startOverride", 4) => {
                if let (Some((_, n)), Some(l), Some(v)) =
                    (self.num.as_mut(), self.override_level, number(e, "val"))
                {
                    n.1.push((l, v));
                }
            }
            _ => {}
        }
    }

    /// An element ends at `depth`.
    fn end(&mut self, local: &str, depth: usize) {
        match (local, depth) {
            ("lvl", 3) => {
                if let (Some(a), Some((l, level))) = (self.abs, self.lvl.take()) {
                    self.out.levels.entry(a).or_default().insert(l, level);
                }
            }
            ("abstractNum", 2) => self.abs = None,
            ("num", 2) => {
                if let Some((id, n)) = self.num.take() {
                    self.out.nums.insert(id, n);
                }
            }
            ("lvlOverride", 3) => self.override_level = None,
            _ => {}
        }
    }
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

    /// Links (a relationship, a simple field, a complex field) and
    /// emphasis in a note are kept as inlines.
    #[test]
    fn notes_keep_links_and_emphasis() {
        let fx = r#"<w:footnotes xmlns:w="x" xmlns:r="y"><w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> See </w:t></w:r><w:r><w:rPr><w:i/></w:rPr><w:t>Guide</w:t></w:r><w:r><w:t xml:space="preserve"> at </w:t></w:r><w:hyperlink r:id="rId5"><w:r><w:t>the site</w:t></w:r></w:hyperlink><w:r><w:t>, </w:t></w:r><w:fldSimple w:instr=" HYPERLINK &quot;https://b.org/&quot; "><w:r><w:t>b.org</w:t></w:r></w:fldSimple><w:r><w:t xml:space="preserve"> and </w:t></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> HYPERLINK "https://c.org/x" </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:rPr><w:b w:val="0"/></w:rPr><w:t>c</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>.</w:t></w:r></w:p></w:footnote></w:footnotes>"#;
        let rels = HashMap::from([("rId5".to_string(), "https://a.org/".to_string())]);
        let n = notes("word/footnotes.xml", fx, NoteKind::Footnote, 32, &rels).unwrap();
        assert_eq!(n[0].text, "See Guide at the site, b.org and c.");
        let link = |t: &str, x: &str| Inline::Link {
            target: t.into(),
            text: x.into(),
        };
        let text = |t: &str, emph, strong| Inline::Text {
            text: t.into(),
            emph,
            strong,
        };
        assert_eq!(
            n[0].inlines,
            [
                text("See ", false, false),
                text("Guide", true, false),
                text(" at ", false, false),
                link("https://a.org/", "the site"),
                text(", ", false, false),
                link("https://b.org/", "b.org"),
                text(" and ", false, false),
                link("https://c.org/x", "c"),
                text(".", false, true),
            ]
        );
    }

    #[test]
    fn reads_notes_core_and_rels() {
        let fx = r#"<w:footnotes xmlns:w="x"><w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="3"><w:p><w:r><w:t>See &amp; </w:t></w:r><w:r><w:delText>gone</w:delText></w:r><w:r><w:t>read</w:t></w:r></w:p></w:footnote></w:footnotes>"#;
        let none = HashMap::new();
        let n = notes("word/footnotes.xml", fx, NoteKind::Footnote, 32, &none).unwrap();
        assert_eq!(n.len(), 1);
        assert_eq!((n[0].id.as_str(), n[0].text.as_str()), ("3", "See & read"));
        assert!(n[0].inlines.is_empty(), "a plain note keeps only its text");
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

    #[test]
    fn numbering_levels_overrides_and_bad_values() {
        let xml = r#"<w:numbering xmlns:w="w">
  <w:abstractNum w:abstractNumId="3">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1."/>
      <w:pPr><w:ind w:left="720"/></w:pPr></w:lvl>
    <w:lvl w:ilvl="1"><w:numFmt w:val="lowerRoman"/><w:lvlText w:val="%2)"/></w:lvl>
    <w:lvl w:ilvl="2"/>
  </w:abstractNum>
  <w:abstractNum w:abstractNumId="3"><w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>
  <w:abstractNum w:abstractNumId="x"><w:lvl w:ilvl="0"/></w:abstractNum>
  <w:num w:numId="7"><w:abstractNumId w:val="3"/>
    <w:lvlOverride w:ilvl="1"><w:startOverride w:val="4"/></w:lvlOverride></w:num>
  <w:num w:numId="8"><w:abstractNumId w:val="bad"/></w:num>
</w:numbering>"#;
        let n = numbering("word/numbering.xml", xml, 64).unwrap();
        assert_eq!(n.nums[&7], (3, vec![(1, 4)]));
        // A bad abstract id reads as 0, as absent.
        assert_eq!(n.nums[&8], (0, vec![]));
        let abs = &n.levels[&3];
        // The first definition of abstract 3 counts, not the bullet one.
        assert_eq!(
            abs[&0],
            NumLevel {
                format: "upperLetter".into(),
                text: "%1.".into(),
                start: 1
            }
        );
        assert_eq!((abs[&1].format.as_str(), abs[&1].start), ("lowerRoman", 0));
        assert_eq!(abs[&2].format, "decimal");
        assert_eq!(n.levels.len(), 1);
    }
}
