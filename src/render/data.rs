//! The data a template receives as `/data.json` (contract: `docs/templates.md`).
//!
//! Takes the model and the output options; gives a JSON value with the model
//! (headings with a normalised `depth`, the source's own table of contents
//! dropped) plus derived fields (display date, IGF year, language tag split
//! for typst). Draft text stays data: nothing here produces typst markup.

use serde_json::{Value, json};

use super::ReportOptions;
use crate::dates::{Date, PartialDate, normalise_date};
use crate::model::{Block, Document};

/// Version of the data contract. Bump when a field changes meaning.
pub const DATA_SCHEMA: u32 = 1;

/// The date `today()` and the PDF timestamp are fixed to: `source_date`
/// (the clock's `SOURCE_DATE_EPOCH` day) when set, else the document's
/// date, else none (templates calling `datetime.today()` then fail).
pub fn fixed_date(doc: &Document, source_date: Option<Date>) -> Option<PartialDate> {
    source_date
        .map(PartialDate::from)
        .or_else(|| doc.meta.date.as_deref().and_then(PartialDate::parse))
}

/// Heading depths with no skipped levels: a heading is one deeper than the
/// nearest preceding heading of a lower source level (1 → 3 → 3 → 2 gives
/// 1, 2, 2, 2). Indexed like `doc.blocks`; `None` for non-headings.
pub fn heading_depths(doc: &Document) -> Vec<Option<u8>> {
    let mut stack: Vec<u8> = Vec::new();
    doc.blocks
        .iter()
        .map(|b| match b {
            Block::Heading { level, .. } => {
                while stack.last().is_some_and(|&top| top >= *level) {
                    stack.pop();
                }
                stack.push(*level);
                Some(stack.len() as u8)
            }
            _ => None,
        })
        .collect()
}

/// Indices of blocks that form the draft's own table of contents (a heading
/// "Contents" / "Table of contents" and what follows it up to the next
/// heading of the same or a higher level): the template makes its own.
pub fn source_toc_blocks(doc: &Document) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < doc.blocks.len() {
        if let Block::Heading { level, text, .. } = &doc.blocks[i] {
            let t = text.trim().trim_end_matches(':').to_lowercase();
            if matches!(
                t.as_str(),
                "contents" | "table of contents" | "table of content"
            ) {
                let lvl = *level;
                out.push(i);
                i += 1;
                while i < doc.blocks.len() {
                    if let Block::Heading { level, .. } = &doc.blocks[i]
                        && *level <= lvl
                    {
                        break;
                    }
                    out.push(i);
                    i += 1;
                }
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Lower-case words of `s`, punctuation dropped: "Work : a “BPF”" → "work a bpf".
fn norm(s: &str) -> String {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Indices of title-page paragraphs before the first heading that repeat
/// what the cover already shows: the title or part of it, the subtitle, an
/// author, a bare date ("September 2020"), "IGF 2020", "Table of contents".
/// Other text before the first heading is kept.
pub fn front_matter_blocks(doc: &Document) -> Vec<usize> {
    let title = doc.meta.title.as_deref().map(norm).unwrap_or_default();
    let subtitle = doc
        .meta
        .subtitle
        .clone()
        .or_else(|| printed_subtitle(doc))
        .map(|s| norm(&s))
        .unwrap_or_default();
    let authors: Vec<String> = doc.meta.authors.iter().map(|a| norm(a)).collect();
    let date = regex::Regex::new(
        r"^(?:\d{1,2} )?(?:january|february|march|april|may|june|july|august|september|october|november|december) \d{4}$",
    )
    .ok();
    let igf = regex::Regex::new(r"^igf (?:19|20)\d\d$").ok();
    let mut out = Vec::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        let Block::Paragraph { .. } = b else {
            if matches!(b, Block::Heading { .. }) {
                break;
            }
            continue;
        };
        let t = norm(&b.plain_text());
        if t.is_empty() {
            continue;
        }
        let part_of = |whole: &str| !whole.is_empty() && t.len() >= 8 && whole.contains(&t);
        let repeats = t == title
            || t == subtitle
            || part_of(&title)
            || part_of(&subtitle)
            || authors.contains(&t)
            || authors.len() > 1 && t == authors.join(" ")
            || date.as_ref().is_some_and(|r| r.is_match(&t))
            || igf.as_ref().is_some_and(|r| r.is_match(&t))
            || matches!(t.as_str(), "contents" | "table of contents");
        if repeats {
            out.push(i);
        }
    }
    out
}

/// Paragraphs before the first heading, as plain text.
fn front_texts(doc: &Document) -> impl Iterator<Item = String> + '_ {
    doc.blocks
        .iter()
        .take_while(|b| !matches!(b, Block::Heading { .. }))
        .filter(|b| matches!(b, Block::Paragraph { .. }))
        .map(|b| b.plain_text().trim().to_string())
}

/// A bare date ("September 2020", "15 September 2020", any form
/// [`normalise_date`] reads) printed before the first heading.
pub fn printed_date(doc: &Document) -> Option<PartialDate> {
    front_texts(doc).find_map(|t| normalise_date(&t).as_deref().and_then(PartialDate::parse))
}

/// A short line naming the IGF year before the first heading that is not
/// the title, e.g. "IGF 2020 Best Practice Forum output report".
pub fn printed_subtitle(doc: &Document) -> Option<String> {
    let re = regex::Regex::new(r"\bIGF\s+(?:19|20)\d\d\b").ok()?;
    let title = doc.meta.title.as_deref().map(norm).unwrap_or_default();
    front_texts(doc).find(|t| {
        let n = norm(t);
        re.is_match(t)
            && n != title
            && !title.contains(&n)
            && t.split_whitespace().count() > 2
            && t.split_whitespace().count() <= 14
    })
}

/// `en-GB` → (`en`, `GB`); anything typst would reject → (`en`, none).
pub fn lang_region(tag: Option<&str>) -> (String, Option<String>) {
    let Some(tag) = tag else {
        return ("en".into(), None);
    };
    let mut parts = tag.trim().split(['-', '_']);
    let lang = parts.next().unwrap_or_default().to_ascii_lowercase();
    if !(2..=3).contains(&lang.len()) || !lang.chars().all(|c| c.is_ascii_alphabetic()) {
        return ("en".into(), None);
    }
    let region = parts
        .find(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_alphabetic()))
        .map(|p| p.to_ascii_uppercase());
    (lang, region)
}

/// What a title page says: the title, the subtitle and the first 20
/// blocks before the first heading, as plain text.
pub fn title_page_texts(doc: &Document) -> Vec<String> {
    let mut texts: Vec<String> = doc.meta.title.iter().cloned().collect();
    texts.extend(doc.meta.subtitle.iter().cloned());
    texts.extend(
        doc.blocks
            .iter()
            .take_while(|b| !matches!(b, Block::Heading { .. }))
            .take(20)
            .map(Block::plain_text),
    );
    texts
}

/// The IGF year: "IGF 2020" in the title, subtitle or the text before the
/// first heading, else the year of the document date.
pub fn igf_year(doc: &Document) -> Option<String> {
    let from_date = || {
        doc.meta
            .date
            .as_deref()
            .and_then(PartialDate::parse)
            .map(|d| d.year.to_string())
    };
    let Ok(re) = regex::Regex::new(r"\bIGF\s+((?:19|20)\d\d)\b") else {
        return from_date();
    };
    title_page_texts(doc)
        .iter()
        .find_map(|t| re.captures(t).map(|c| c[1].to_string()))
        .or_else(from_date)
}

/// Where the figures' image files sit in the template's virtual file
/// system (they shadow a template file of the same path).
pub const FIGURES_DIR: &str = "/figures";

/// A figure of the draft as the report places it.
#[derive(Debug, Clone)]
pub struct Figure {
    /// Index of its block in `doc.blocks`.
    pub block: usize,
    /// `figure 2 (Regional split, ¶ 14)`: how messages name it.
    pub name: String,
    /// The virtual path of its image (`/figures/2.png`), when it is placed.
    pub file: Option<String>,
    pub alt: bool,
}

/// The figures of `doc`, in order, and what the report says about them: a
/// warning for each one without alt text, and for each whose image cannot
/// be placed (a Windows metafile, an image the model has no bytes of).
pub fn figures(doc: &Document) -> (Vec<Figure>, Vec<String>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    let mut n = 0;
    for (i, b) in doc.blocks.iter().enumerate() {
        let Block::Image {
            loc,
            alt,
            src,
            caption,
            ..
        } = b
        else {
            continue;
        };
        n += 1;
        let alt_text = alt.as_deref().map(str::trim).filter(|a| !a.is_empty());
        let what = alt_text
            .or(caption.as_deref())
            .or(src.as_deref())
            .map(|w| {
                let w: String = w.chars().take(60).collect();
                format!("{w}, ")
            })
            .unwrap_or_default();
        let name = format!("figure {n} ({what}{loc})");
        let media = src.as_ref().and_then(|s| doc.media.get(s));
        let file = match media {
            Some(m) if m.format.placeable() => {
                Some(format!("{FIGURES_DIR}/{n}.{}", m.format.extension()))
            }
            Some(m) => {
                warnings.push(format!(
                    "{name} is a Windows metafile ({}), which bpfpress cannot convert: it is \
                     shown as a placeholder. In Word, right-click the picture › Save as \
                     Picture › PNG or SVG, and insert that file instead",
                    m.format.extension().to_uppercase()
                ));
                None
            }
            None => None,
        };
        if alt_text.is_none() {
            warnings.push(format!(
                "{name} has no alt text: readers of screen readers learn nothing of it. Add \
                 a description (Word: right-click the picture › View Alt Text; Markdown: \
                 between the brackets, ![description](file.png))"
            ));
        }
        out.push(Figure {
            block: i,
            name,
            file,
            alt: alt_text.is_some(),
        });
    }
    (out, warnings)
}

/// The image files of the placed figures, by their virtual path.
pub fn figure_files(doc: &Document, figures: &[Figure]) -> Vec<(String, std::sync::Arc<[u8]>)> {
    figures
        .iter()
        .filter_map(|f| {
            let file = f.file.clone()?;
            let Block::Image { src: Some(src), .. } = doc.blocks.get(f.block)? else {
                return None;
            };
            Some((file, doc.media.get(src)?.bytes.clone()))
        })
        .collect()
}

/// Bare web addresses in text (`https://…`, `www.…`): what an autolink is.
fn url_regex() -> Option<&'static regex::Regex> {
    static RE: std::sync::LazyLock<Option<regex::Regex>> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)\b(?:https?://|www\.)[^\s<>\x22\u{201C}\u{201D}]+").ok()
    });
    RE.as_ref()
}

/// A bare address's end: closing punctuation after it is the sentence's,
/// not the address's (a `)` stays when the address opened one).
fn trim_url(u: &str) -> &str {
    let mut end = u.len();
    loop {
        let t = &u[..end];
        let Some(c) = t.chars().last() else { break };
        let drop = match c {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '\u{2019}' | ']' | '}' => true,
            ')' => t.matches('(').count() < t.matches(')').count(),
            _ => false,
        };
        if !drop {
            break;
        }
        end -= c.len_utf8();
    }
    &u[..end]
}

/// Text inlines with the bare web addresses in them made links (what
/// Word and LibreOffice do as one types, and every PDF reader expects).
/// A run of JSON inlines in, the same run with links split out.
fn autolink(inlines: &mut Vec<Value>) {
    let Some(re) = url_regex() else { return };
    if !inlines
        .iter()
        .any(|i| i["type"] == "text" && i["text"].as_str().is_some_and(|t| re.is_match(t)))
    {
        return;
    }
    let mut out = Vec::with_capacity(inlines.len() + 2);
    for i in inlines.drain(..) {
        let text = match (i["type"].as_str(), i["text"].as_str()) {
            (Some("text"), Some(t)) if re.is_match(t) => t.to_string(),
            _ => {
                out.push(i);
                continue;
            }
        };
        let piece = |s: &str| {
            let mut v = i.clone();
            v["text"] = json!(s);
            v
        };
        let mut last = 0;
        for m in re.find_iter(&text) {
            let url = trim_url(m.as_str());
            if url.len() < 8 {
                continue;
            }
            if m.start() > last {
                out.push(piece(&text[last..m.start()]));
            }
            let target = if url.to_ascii_lowercase().starts_with("www.") {
                format!("https://{url}")
            } else {
                url.to_string()
            };
            out.push(json!({"type": "link", "target": target, "text": url}));
            last = m.start() + url.len();
        }
        if last < text.len() {
            out.push(piece(&text[last..]));
        }
    }
    *inlines = out;
}

/// Every `inlines` array in `v` (paragraphs, list items at any depth,
/// table cells, notes) with its bare addresses made links.
fn autolink_all(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "inlines"
                    && let Value::Array(a) = child
                {
                    autolink(a);
                } else {
                    autolink_all(child);
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(autolink_all),
        _ => {}
    }
}

/// Words of each chapter (a depth-1 heading and what follows it up to the
/// next), by the heading's block index: the template breaks the page
/// before a chapter only when the chapter is long enough for it to pay.
pub fn chapter_words(doc: &Document, depths: &[Option<u8>]) -> Vec<(usize, usize)> {
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        if depths.get(i).copied().flatten() == Some(1) {
            out.push((i, 0));
        }
        if let Some(last) = out.last_mut() {
            last.1 += crate::model::count_words(&b.plain_text());
        }
    }
    out
}

/// The `/data.json` value for the report (see [`report_data_bytes`]).
pub fn report_data(doc: &Document, opts: &ReportOptions) -> Value {
    serde_json::to_value(ReportData::new(doc, opts)).unwrap_or(Value::Null)
}

/// The `/data.json` bytes for the report. Written straight from the model,
/// one block at a time: a long report's data never exists twice in memory
/// (as a JSON tree and as text), which kept tens of megabytes alive through
/// the compile of a 350-page report.
pub fn report_data_bytes(doc: &Document, opts: &ReportOptions) -> serde_json::Result<Vec<u8>> {
    serde_json::to_vec(&ReportData::new(doc, opts))
}

/// What the report's data is made of: the model and what is derived from
/// it, serialised on demand ([`serde::Serialize`]).
struct ReportData<'a> {
    doc: &'a Document,
    opts: &'a ReportOptions,
    /// Blocks left out (the source's contents, title-page repeats), sorted.
    drop: Vec<usize>,
    depths: Vec<Option<u8>>,
    chapters: Vec<(usize, usize)>,
    figures: Vec<Figure>,
    toc_title: String,
}

impl<'a> ReportData<'a> {
    fn new(doc: &'a Document, opts: &'a ReportOptions) -> Self {
        let depths = heading_depths(doc);
        let mut drop = source_toc_blocks(doc);
        drop.extend(front_matter_blocks(doc));
        drop.sort_unstable();
        drop.dedup();
        let toc_title = drop
            .first()
            .and_then(|&i| match &doc.blocks[i] {
                Block::Heading { text, .. } => Some(text.trim().to_string()),
                _ => None,
            })
            .unwrap_or_else(|| "Contents".into());
        let (figures, _) = figures(doc);
        let chapters = chapter_words(doc, &depths);
        ReportData {
            doc,
            opts,
            drop,
            depths,
            chapters,
            figures,
            toc_title,
        }
    }

    /// Block `i` with its derived fields, its bare addresses made links.
    fn block(&self, i: usize) -> Value {
        let mut b = serde_json::to_value(&self.doc.blocks[i]).unwrap_or(Value::Null);
        if let Some(obj) = b.as_object_mut() {
            if let Some(d) = self.depths.get(i).copied().flatten() {
                obj.insert("depth".into(), json!(d));
            }
            if let Some(k) = self.chapters.iter().position(|c| c.0 == i) {
                obj.insert("chapter".into(), json!(k + 1));
                obj.insert("chapter_words".into(), json!(self.chapters[k].1));
            }
            if let Some(f) = self.figures.iter().find(|f| f.block == i)
                && let Some(file) = &f.file
            {
                obj.insert("file".into(), json!(file));
            }
        }
        autolink_all(&mut b);
        b
    }

    /// A note with inlines (a plain note: its text as one run), so the
    /// template reads one shape; its bare addresses made links.
    fn note(n: &crate::model::Note) -> Value {
        let mut v = serde_json::to_value(n).unwrap_or(Value::Null);
        if n.inlines.is_empty() {
            v["inlines"] = json!([{"type": "text", "text": n.text}]);
        }
        autolink_all(&mut v);
        v
    }

    /// The metadata, with the title override and a printed subtitle.
    fn meta(&self) -> Value {
        let doc = self.doc;
        let mut meta = serde_json::to_value(&doc.meta).unwrap_or(Value::Null);
        if let Some(m) = meta.as_object_mut() {
            if let Some(title) = self
                .opts
                .title
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
            {
                m.insert("title".into(), json!(title));
            }
            // A title-page line such as "IGF 2020 Best Practice Forum
            // output report" becomes the cover subtitle when the model has
            // none.
            if doc.meta.subtitle.is_none()
                && let Some(sub) = printed_subtitle(doc)
            {
                m.insert("subtitle".into(), json!(sub));
            }
        }
        meta
    }
}

/// The model as the template gets it (`doc`): its fields in the model's
/// order, blocks and notes made one at a time.
struct DocView<'a, 'b>(&'b ReportData<'a>);
/// The kept blocks, one at a time.
struct BlocksView<'a, 'b>(&'b ReportData<'a>);
/// The notes, one at a time.
struct NotesView<'a>(&'a [crate::model::Note]);

impl serde::Serialize for BlocksView<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = self.0;
        s.collect_seq(
            (0..d.doc.blocks.len())
                .filter(|i| d.drop.binary_search(i).is_err())
                .map(|i| d.block(i)),
        )
    }
}

impl serde::Serialize for NotesView<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(ReportData::note))
    }
}

impl serde::Serialize for DocView<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let doc = self.0.doc;
        let mut m = s.serialize_map(Some(7))?;
        m.serialize_entry("schema", &doc.schema)?;
        m.serialize_entry("meta", &self.0.meta())?;
        m.serialize_entry("blocks", &BlocksView(self.0))?;
        m.serialize_entry("notes", &NotesView(&doc.notes))?;
        m.serialize_entry("comments", &doc.comments)?;
        m.serialize_entry("revisions", &doc.revisions)?;
        m.serialize_entry("warnings", &doc.warnings)?;
        m.end()
    }
}

impl serde::Serialize for ReportData<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let doc = self.doc;
        let opts = self.opts;
        // The date printed on the draft's title page beats file metadata
        // (a PDF's creation date is often the export date).
        let date = printed_date(doc)
            .or_else(|| doc.meta.date.as_deref().and_then(PartialDate::parse))
            .map(|d| json!({"iso": d.iso(), "display": d.display(), "year": d.year}));
        let (lang, region) = lang_region(doc.meta.language.as_deref());
        let mut m = s.serialize_map(Some(13))?;
        m.serialize_entry("schema", &DATA_SCHEMA)?;
        m.serialize_entry("kind", "report")?;
        m.serialize_entry(
            "generator",
            &format!("bpfpress {}", env!("CARGO_PKG_VERSION")),
        )?;
        m.serialize_entry("paper", opts.paper.typst_name())?;
        m.serialize_entry("standard", &opts.standard.map(|s| s.name()))?;
        m.serialize_entry("lang", &lang)?;
        m.serialize_entry("region", &region)?;
        m.serialize_entry("date", &date)?;
        m.serialize_entry("igf_year", &igf_year(doc))?;
        m.serialize_entry("toc_title", &self.toc_title)?;
        m.serialize_entry("words", &doc.meta.words)?;
        m.serialize_entry("doc", &DocView(self))?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Format, Location};

    fn heading(level: u8, text: &str) -> Block {
        Block::Heading {
            loc: Location::Line(1),
            level,
            label: None,
            text: text.into(),
        }
    }

    #[test]
    fn depths_never_skip() {
        let mut d = Document::new("x.md", Format::Markdown);
        d.blocks = [2, 4, 4, 3, 1, 3, 6]
            .iter()
            .map(|&l| heading(l, "h"))
            .collect();
        let got: Vec<u8> = heading_depths(&d).into_iter().flatten().collect();
        assert_eq!(got, vec![1, 2, 2, 2, 1, 2, 3]);
    }

    #[test]
    fn the_source_date_stands_in_for_the_documents() {
        let mut d = Document::new("x.md", Format::Markdown);
        assert_eq!(fixed_date(&d, None), None);
        d.meta.date = Some("2020-09".into());
        assert_eq!(
            fixed_date(&d, None).map(|p| p.iso()).as_deref(),
            Some("2020-09")
        );
        let sde = Date::from_unix(1_600_128_000); // 2020-09-15
        assert_eq!(
            fixed_date(&d, Some(sde)).map(|p| p.iso()).as_deref(),
            Some("2020-09-15")
        );
    }

    #[test]
    fn language_tags() {
        assert_eq!(lang_region(Some("en-GB")), ("en".into(), Some("GB".into())));
        assert_eq!(lang_region(Some("fr")), ("fr".into(), None));
        assert_eq!(lang_region(Some("x#y")), ("en".into(), None));
        assert_eq!(lang_region(None), ("en".into(), None));
    }

    #[test]
    fn title_page_repeats_are_dropped_other_front_text_kept() {
        let mut d = Document::new("x.pdf", Format::Pdf);
        d.meta.title = Some("Reviewing past BPFs: a “BPF on BPFs”".into());
        d.meta.authors = vec!["Markus Kummer".into(), "Wim Degezelle".into()];
        d.meta.date = Some("2026-11-22".into());
        let p = |t: &str| Block::Paragraph {
            loc: Location::Page(1),
            inlines: vec![crate::model::Inline::text(t)],
        };
        d.blocks = vec![
            p("IGF 2020"),
            p("Reviewing past BPFs :"),
            p("a “BPF on BPFs”"),
            p("Markus Kummer"),
            p("September 2020"),
            p("A foreword that is real text."),
            p("Table of Contents"),
            heading(1, "Acknowledgements"),
            p("Markus Kummer"),
        ];
        assert_eq!(front_matter_blocks(&d), vec![0, 1, 2, 3, 4, 6]);
        assert_eq!(
            printed_date(&d).map(|d| d.display()).as_deref(),
            Some("September 2020")
        );
        assert_eq!(printed_subtitle(&d), None);
        d.blocks
            .insert(1, p("IGF 2020 Best Practice Forum output report"));
        assert_eq!(
            printed_subtitle(&d).as_deref(),
            Some("IGF 2020 Best Practice Forum output report")
        );
        // The year on the cover comes from the text, not the file's date.
        assert_eq!(igf_year(&d).as_deref(), Some("2020"));
    }

    #[test]
    fn source_toc_is_dropped() {
        let mut d = Document::new("x.md", Format::Markdown);
        d.blocks = vec![
            heading(1, "Acknowledgements"),
            heading(1, "Table of contents"),
            Block::Paragraph {
                loc: Location::Line(3),
                inlines: vec![crate::model::Inline::text("A. Introduction\t3")],
            },
            heading(1, "Introduction"),
        ];
        assert_eq!(source_toc_blocks(&d), vec![1, 2]);
    }
}
