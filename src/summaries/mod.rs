//! Summaries: the year's compilation of several BPF output reports in one
//! publication (`bpfpress summaries`, `[summaries]` in `bpf.toml`), the
//! "BPF handbook" of the 2020 BPF on BPFs report, made from the reports
//! themselves.
//!
//! Takes [`Report`]s (each read and checked by the stages above: its
//! [`Document`], its [`CheckReport`], where it is published) and
//! [`SummariesOptions`]; gives a [`Compilation`]: one tagged PDF with a
//! cover, contents, an overview of the reports (pages, words, date), the
//! report × element matrix of the check's verdicts, and one section per
//! report of at most two pages (one is the aim), plus what was cut to fit.
//!
//! A report's section says what the takeaways sheet says, chosen the same
//! way ([`select`]: the report's own takeaways section first, else its
//! BPF's takeaways file, else sentences quoted from its element sections;
//! never invented text): the title and the Forum, what the BPF did (the
//! methodology element), key takeaways, recommendations and next steps,
//! and the report's address with a QR code when it is known. The Forum's
//! name is the one given ([`inputs`]), else quoted from the report's title
//! page ([`bpf_from_text`]).
//!
//! The fit ([`fit`]) compiles the whole publication, reads each section's
//! pages back from the markers the template places around it, and refits
//! the sections that need it, all in the same compiles.
//!
//! Parts: [`inputs`] (what is listed: files, folders, BPF projects, the
//! URLs file), [`fit`] (the two-page fit), this module (selection, the
//! data the template receives, the compile). Template:
//! `templates/summaries.typ`; the data: `docs/summaries.md`.

pub mod fit;
pub mod inputs;

use crate::check::{CheckReport, Verdict};
use crate::dates::{Date, PartialDate};
use crate::model::{Document, Format};
use crate::project::ProjectError;
use crate::render::{Compiled, Diagnostic, Engine, Job, Paper, RenderError, Standard, data};
use crate::takeaways::sheet::{Dropped, cap, drop_order, items_json, qr_svg, source_json};
use crate::takeaways::{self, Item, MAX_RECOMMENDATIONS, MAX_TAKEAWAYS, Source, Takeaways};
use fit::{Config, MAX_PAGES, Measure, Outcome};
use serde_json::{Map, Value, json};
use std::path::PathBuf;
use std::sync::LazyLock;

/// Virtual path of the publication's template.
pub const TEMPLATE: &str = "/summaries.typ";

/// Labels of the markers the template puts around each report's section.
const START: &str = "bpfpress-summary-start";
const CONTENT_END: &str = "bpfpress-summary-content-end";
const END: &str = "bpfpress-summary-end";

/// A problem of the summaries stage.
#[derive(Debug, thiserror::Error)]
pub enum SummariesError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("no report could be read; nothing was compiled")]
    NoReports,
    /// Every report was left out (its name and why, one line each).
    #[error(
        "no report could be compiled; nothing was written:{}",
        .0.iter().map(|(s, e)| format!("\n  {s}: {e}")).collect::<String>()
    )]
    AllLeftOut(Vec<(String, SummariesError)>),
    #[error(
        "folder holds no reports (files ending in .{})",
        inputs::REPORT_EXTENSIONS.join(", .")
    )]
    EmptyFolder,
    #[error("cannot list folder: {0}")]
    Folder(String),
    /// A BPF project folder whose `bpf.toml` cannot be used.
    #[error(transparent)]
    Project(ProjectError),
    #[error(
        "{}: a BPF project without a [report] section; list its report file instead",
        file.display()
    )]
    ProjectWithoutReport { file: PathBuf },
    #[error(
        "`url` and `bpf` describe one report, but this folder holds {reports}; give \
         them per file or in a URLs file"
    )]
    ListedFolder { reports: usize },
    /// A URLs file that cannot be used (the file is a layer around it).
    #[error("{}{reason}", line.map(|l| format!("line {l}: ")).unwrap_or_default())]
    Urls { line: Option<u64>, reason: String },
    #[error("report URL cannot be encoded as a QR code ({0}); give a shorter URL")]
    Qr(String),
    #[error(
        "its {field} contains {ch:?} (U+{code:04X}), which no loaded font can print; add a \
         font that covers it under fonts/ of a --template-dir",
        code = *ch as u32
    )]
    Glyph { field: &'static str, ch: char },
    #[error(
        "{TEMPLATE} marks {found} report section(s) for {expected} report(s): keep \
         `#metadata(i) <{START}>`, `<{CONTENT_END}>` and `<{END}>` around each report's \
         section (docs/summaries.md)"
    )]
    Markers { expected: usize, found: usize },
    #[error(
        "its summary is {pages} pages even at the smallest type with every bullet left \
         out (the most is {MAX_PAGES}); the title or the paragraph on the BPF's \
         activities is too long"
    )]
    TooLong { pages: usize },
}

/// A report's page count, and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pages {
    /// The pages of the PDF as given.
    Pdf(u32),
    /// The pages of the report as bpfpress lays it out (Word and Markdown
    /// files have no pages of their own).
    LaidOut(usize),
    Unknown,
}

/// One report, read and checked: what its section is made from.
#[derive(Debug, Clone)]
pub struct Report {
    /// How messages name the file.
    pub shown: String,
    pub doc: Document,
    /// The check of the report (the matrix's verdicts; where its elements are).
    pub check: CheckReport,
    /// Where the report is published.
    pub url: Option<String>,
    /// The Forum's name when a source gives it (else quoted from the report).
    pub bpf: Option<String>,
    /// The BPF's takeaways file (read), used when the report has no
    /// takeaways section, as for the sheet: the document and its name.
    pub takeaways_file: Option<(Document, String)>,
    pub pages: Pages,
}

/// Options of the publication.
#[derive(Debug, Clone, Default)]
pub struct SummariesOptions {
    pub paper: Paper,
    pub standard: Option<Standard>,
    /// The IGF year; default: the year most reports name.
    pub year: Option<u16>,
    /// The title; default "IGF <year> Best Practice Forums".
    pub title: Option<String>,
    /// The day that stands in for the publication's date (the clock's
    /// `SOURCE_DATE_EPOCH` day); default: the latest report's date.
    pub source_date: Option<Date>,
}

/// One report's section as made.
#[derive(Debug, Clone)]
pub struct Section {
    pub shown: String,
    pub title: String,
    /// Where the takeaways came from.
    pub source: Source,
    /// First page of the section in the publication.
    pub first_page: usize,
    pub pages: usize,
    /// Index into [`crate::takeaways::sheet::FIT_LEVELS`].
    pub fit_level: usize,
    /// Bullets left out, in the order they were dropped.
    pub dropped: Vec<Dropped>,
    /// Bullets on the page.
    pub bullets: usize,
}

/// The publication.
#[derive(Debug)]
pub struct Compilation {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// The reports' sections, in publication order.
    pub sections: Vec<Section>,
    /// Reports whose section cannot hold two pages, left out: their name
    /// and why.
    pub left_out: Vec<(String, SummariesError)>,
    /// Compiles the fit needed.
    pub compiles: usize,
    /// Template warnings.
    pub warnings: Vec<Diagnostic>,
}

/// The text of a report's section: the takeaways sheet's selection.
pub fn select(r: &Report) -> Takeaways {
    let elements = takeaways::sections::for_sheet(&r.doc, Some(&r.check));
    let file = r.takeaways_file.as_ref().map(|(d, s)| (d, s.as_str()));
    takeaways::select(&r.doc, file, &elements)
}

/// "Best Practice Forum on …", "BPF on …" or "BPF …" as printed in the
/// report's title, subtitle or title page: the Forum's name, quoted.
pub fn bpf_from_text(doc: &Document) -> Option<String> {
    static RE: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
        let word = r"[\p{Lu}\d][\w’'\-]*";
        let join = r"(?:and|of|in|for|the|&)";
        regex::Regex::new(&format!(
            r"\b(?:(?:Best Practice Forum|BPF) (?:on|for) (?:the )?{word}(?: (?:{join} )*{word})*|BPF (?P<first>{word})(?: (?:{join} )*{word})*)"
        ))
        .ok()
    });
    /// Words after "BPF" that describe the document, not the Forum.
    const NOT_A_NAME: &[&str] = &[
        "Output", "Report", "Draft", "Final", "Session", "Annual", "Work", "Outputs",
    ];
    let re = RE.as_ref()?;
    let texts = data::title_page_texts(doc);
    texts.iter().find_map(|t| {
        let flat = t.split_whitespace().collect::<Vec<_>>().join(" ");
        re.captures_iter(&flat)
            .find(|c| {
                c.name("first")
                    .is_none_or(|f| !NOT_A_NAME.contains(&f.as_str()))
            })
            .map(|c| {
                // "BPF Cybersecurity 2026" names the Forum; the year is the
                // edition's.
                let name = c[0].to_string();
                match name.rsplit_once(' ') {
                    Some((head, year))
                        if year.len() == 4 && year.chars().all(|d| d.is_ascii_digit()) =>
                    {
                        head.to_string()
                    }
                    _ => name,
                }
            })
    })
}

/// The report's date: printed on its title page, else its metadata.
fn report_date(doc: &Document) -> Option<PartialDate> {
    data::printed_date(doc).or_else(|| doc.meta.date.as_deref().and_then(PartialDate::parse))
}

fn date_json(d: Option<PartialDate>) -> Value {
    d.map(|d| json!({ "iso": d.iso(), "display": d.display(), "year": d.year }))
        .unwrap_or(Value::Null)
}

/// The report's title: its own, else its file name.
fn title_of(r: &Report) -> String {
    r.doc.meta.title.clone().unwrap_or_else(|| {
        std::path::Path::new(&r.shown)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| r.shown.clone())
    })
}

/// `12345` → `12,345`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// One report's section, prepared: the data that stays the same while
/// fitting, the bullets and the order in which they are left out.
struct Prepared {
    shown: String,
    title: String,
    source: Source,
    base: Map<String, Value>,
    take: Vec<Item>,
    recs: Vec<Item>,
    order: Vec<(bool, usize)>,
    capped: Vec<Dropped>,
}

impl Prepared {
    fn new(engine: &Engine, r: &Report, columns: &[u32]) -> Result<Prepared, SummariesError> {
        let t = select(r);
        printable(engine, r, &t)?;
        let mut capped = Vec::new();
        let take = cap(&t.takeaways, MAX_TAKEAWAYS, "takeaway", &mut capped);
        let recs = cap(
            &t.recommendations,
            MAX_RECOMMENDATIONS,
            "recommendation",
            &mut capped,
        );
        for d in &mut capped {
            d.reason = "more bullets than a summary takes (the takeaways sheet's limit)";
        }
        let order = drop_order(&take, &recs);
        let doc = &r.doc;
        let title = title_of(r);
        let (lang, region) = data::lang_region(doc.meta.language.as_deref());
        let qr = r
            .url
            .as_deref()
            .map(|u| qr_svg(u).map_err(|e| SummariesError::Qr(e.to_string())))
            .transpose()?;
        let (pages, pages_kind) = match r.pages {
            Pages::Pdf(n) => (json!(n), json!("pdf")),
            Pages::LaidOut(n) => (json!(n), json!("laid-out")),
            Pages::Unknown => (Value::Null, Value::Null),
        };
        let verdict = |id: u32| {
            r.check
                .element(id)
                .map(|e| e.verdict)
                .unwrap_or(Verdict::Missing)
        };
        let s = &r.check.summary;
        let base = json!({
            "file": r.shown,
            "title": title,
            "has_title": doc.meta.title.is_some(),
            "subtitle": doc.meta.subtitle.clone().or_else(|| data::printed_subtitle(doc)),
            "bpf": r.bpf.clone().or_else(|| bpf_from_text(doc)),
            "editors": doc.meta.authors,
            "lang": lang,
            "region": region,
            "format": match doc.meta.format {
                Format::Docx => "Word",
                Format::Pdf => "PDF",
                Format::Markdown => "Markdown",
            },
            "pages": pages,
            "pages_kind": pages_kind,
            "words": doc.meta.words,
            "words_display": thousands(doc.meta.words),
            "date": date_json(report_date(doc)),
            "igf_year": data::igf_year(doc),
            "verdicts": columns.iter().map(|&id| verdict(id).as_str()).collect::<Vec<_>>(),
            "counts": { "present": s.present, "weak": s.weak, "missing": s.missing },
            "key_elements_present": s.key_elements_present,
            "activities": t.activities,
            "source": source_json(&t.source),
            "url": r.url,
            "qr_svg": qr,
        });
        let Value::Object(base) = base else {
            unreachable!("json! of an object literal")
        };
        Ok(Prepared {
            shown: r.shown.clone(),
            title,
            source: t.source,
            base,
            take,
            recs,
            order,
            capped,
        })
    }

    /// The bullets kept with `drops` of the drop order left out.
    fn kept(&self, drops: usize) -> (Vec<Item>, Vec<Item>) {
        let gone = &self.order[..drops.min(self.order.len())];
        let keep = |items: &[Item], take: bool| -> Vec<Item> {
            (0..items.len())
                .filter(|i| !gone.contains(&(take, *i)))
                .map(|i| items[i].clone())
                .collect()
        };
        (keep(&self.take, true), keep(&self.recs, false))
    }

    fn json(&self, c: Config) -> Value {
        let (take, recs) = self.kept(c.drops);
        let mut v = self.base.clone();
        let level = c.fit();
        v.insert("takeaways".into(), items_json(&take));
        v.insert("recommendations".into(), items_json(&recs));
        v.insert(
            "fit".into(),
            json!({ "size": level.size_pt, "leading": level.leading_em }),
        );
        Value::Object(v)
    }

    /// What was left out with `drops`, cap first, in drop order.
    fn dropped(&self, drops: usize) -> Vec<Dropped> {
        let mut out = self.capped.clone();
        for &(take, i) in &self.order[..drops.min(self.order.len())] {
            out.push(Dropped {
                list: if take { "takeaway" } else { "recommendation" },
                item: if take {
                    self.take[i].clone()
                } else {
                    self.recs[i].clone()
                },
                reason: "the summary would run over two pages",
            });
        }
        out
    }
}

/// Every character the section prints must have a glyph: a report whose
/// text no font covers is left out by name, not printed with empty boxes
/// (nor does it stop the other reports).
fn printable(engine: &Engine, r: &Report, t: &Takeaways) -> Result<(), SummariesError> {
    let meta = &r.doc.meta;
    let title = title_of(r);
    let mut fields: Vec<(&'static str, &str)> = vec![("title", &title)];
    fields.extend(meta.subtitle.as_deref().map(|t| ("subtitle", t)));
    fields.extend(meta.authors.iter().map(|a| ("editors", a.as_str())));
    fields.extend(r.bpf.as_deref().map(|b| ("Forum name", b)));
    fields.extend(
        t.activities
            .as_deref()
            .map(|a| ("paragraph on the BPF's activities", a)),
    );
    for i in t.takeaways.iter().chain(&t.recommendations) {
        fields.push(("takeaways", &i.text));
        fields.extend(i.sub.iter().map(|s| ("takeaways", s.as_str())));
    }
    for (field, text) in fields {
        if let Some(ch) = engine.unprintable(text) {
            return Err(SummariesError::Glyph { field, ch });
        }
    }
    Ok(())
}

/// The IGF year most reports name (the latest on a tie).
fn common_year(reports: &[&Report]) -> Option<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for r in reports {
        if let Some(y) = data::igf_year(&r.doc) {
            *counts.entry(y).or_default() += 1;
        }
    }
    counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)))
        .map(|(y, _)| y)
}

/// The publication's date: the source date, else the latest report date.
fn publication_date(reports: &[&Report], opts: &SummariesOptions) -> Option<PartialDate> {
    opts.source_date.map(PartialDate::from).or_else(|| {
        reports
            .iter()
            .filter_map(|r| report_date(&r.doc))
            .max_by_key(|d| (d.year, d.month.unwrap_or(0), d.day.unwrap_or(0)))
    })
}

/// Where each section starts, and how long it is: read from the markers.
fn measure(compiled: &Compiled, n: usize) -> Result<Vec<(usize, Measure)>, SummariesError> {
    use typst::foundations::{Label, Selector};
    use typst::utils::PicoStr;
    let intro = compiled.document.introspector();
    let marks = |name: &str| -> Vec<(usize, f64)> {
        let Some(label) = Label::new(PicoStr::intern(name)) else {
            return Vec::new();
        };
        intro
            .elements()
            .query(&Selector::Label(label))
            .iter()
            .filter_map(|e| {
                let pos = intro.position(e.location()?)?;
                let page = pos.page.get();
                let h = compiled
                    .document
                    .pages()
                    .get(page - 1)?
                    .frame
                    .height()
                    .to_pt();
                Some((
                    page,
                    if h > 0.0 {
                        pos.point.y.to_pt() / h
                    } else {
                        0.0
                    },
                ))
            })
            .collect()
    };
    let (starts, content_ends, ends) = (marks(START), marks(CONTENT_END), marks(END));
    let found = starts.len().min(content_ends.len()).min(ends.len());
    if starts.len() != n || content_ends.len() != n || ends.len() != n {
        return Err(SummariesError::Markers { expected: n, found });
    }
    Ok((0..n)
        .map(|i| {
            let (first, _) = starts[i];
            let (last, _) = ends[i];
            let (text_page, y) = content_ends[i];
            let spill = if text_page < last { 0.0 } else { y };
            (
                first,
                Measure {
                    pages: last.saturating_sub(first) + 1,
                    spill,
                },
            )
        })
        .collect())
}

/// Make the publication of `reports` (in that order). Reports whose
/// section cannot be printed (a character no font has) or cannot hold two
/// pages are left out ([`Compilation::left_out`]); with none left,
/// [`SummariesError::AllLeftOut`].
pub fn make(
    engine: &Engine,
    reports: &[Report],
    opts: &SummariesOptions,
) -> Result<Compilation, SummariesError> {
    let columns: Vec<(u32, String, bool, String)> = reports
        .first()
        .ok_or(SummariesError::NoReports)?
        .check
        .elements
        .iter()
        .map(|e| (e.id, e.short.clone(), e.key, e.wording.clone()))
        .collect();
    let ids: Vec<u32> = columns.iter().map(|c| c.0).collect();
    // Reports left out: (index among all, name, why), sorted at the end.
    let mut left_out = Vec::new();
    let mut prepared: Vec<Prepared> = Vec::new();
    let mut kept: Vec<&Report> = Vec::new();
    let mut position: Vec<usize> = Vec::new();
    for (i, r) in reports.iter().enumerate() {
        match Prepared::new(engine, r, &ids) {
            Ok(p) => {
                prepared.push(p);
                kept.push(r);
                position.push(i);
            }
            Err(e) => left_out.push((i, r.shown.clone(), e)),
        }
    }
    let reports = kept;
    let mut included: Vec<usize> = (0..reports.len()).collect();
    let mut compiles = 0;
    loop {
        if included.is_empty() {
            left_out.sort_by_key(|(i, _, _)| *i);
            return Err(SummariesError::AllLeftOut(
                left_out.into_iter().map(|(_, s, e)| (s, e)).collect(),
            ));
        }
        let chosen: Vec<&Report> = included.iter().map(|&i| reports[i]).collect();
        let year = opts
            .year
            .map(|y| y.to_string())
            .or_else(|| common_year(&chosen));
        let date = publication_date(&chosen, opts);
        let title = opts.title.clone().unwrap_or_else(|| match &year {
            Some(y) => format!("IGF {y} Best Practice Forums"),
            None => "IGF Best Practice Forums".into(),
        });
        let base = json!({
            "schema": data::DATA_SCHEMA,
            "kind": "summaries",
            "generator": format!("bpfpress {}", env!("CARGO_PKG_VERSION")),
            "paper": opts.paper.typst_name(),
            "standard": opts.standard.map(Standard::name),
            "lang": "en",
            "region": Value::Null,
            "year": year,
            "title": title,
            "subtitle": "Summaries of the output reports",
            "date": date_json(date),
            "elements": columns
                .iter()
                .map(|(id, short, key, wording)| {
                    json!({ "id": id, "short": short, "key": key, "wording": wording })
                })
                .collect::<Vec<_>>(),
        });
        let today = date.and_then(|d| crate::render::typst_date(d.first_day()));
        let sections: Vec<&Prepared> = included.iter().map(|&i| &prepared[i]).collect();
        let compile = |configs: &[Config]| -> Result<Compiled, SummariesError> {
            let mut v = base.clone();
            v["reports"] = Value::Array(
                sections
                    .iter()
                    .zip(configs)
                    .map(|(p, c)| p.json(*c))
                    .collect(),
            );
            let job = Job {
                main: TEMPLATE,
                data: typst::foundations::Bytes::new(
                    serde_json::to_vec(&v).map_err(|e| RenderError::Data(e.to_string()))?,
                ),
                today,
            };
            Ok(crate::render::run_big_stack(|| engine.compile(&job))?)
        };
        let droppable: Vec<usize> = sections.iter().map(|p| p.order.len()).collect();
        let mut last: Option<Compiled> = None;
        let settled = fit::settle(&droppable, |configs| {
            let c = compile(configs)?;
            let m = measure(&c, configs.len())?;
            last = Some(c);
            Ok::<_, SummariesError>(m.into_iter().map(|(_, m)| m).collect())
        })?;
        compiles += settled.compiles;
        let too_long: Vec<usize> = settled
            .outcomes
            .iter()
            .enumerate()
            .filter_map(|(k, o)| matches!(o, Outcome::TooLong { .. }).then_some(k))
            .collect();
        if !too_long.is_empty() {
            for &k in too_long.iter().rev() {
                if let Outcome::TooLong { pages } = settled.outcomes[k] {
                    let i = included[k];
                    left_out.push((
                        position[i],
                        prepared[i].shown.clone(),
                        SummariesError::TooLong { pages },
                    ));
                }
                included.remove(k);
            }
            continue;
        }
        let configs: Vec<Config> = settled
            .outcomes
            .iter()
            .map(|o| match o {
                Outcome::Fits(c) => *c,
                Outcome::TooLong { .. } => Config::default(),
            })
            .collect();
        let compiled = match last {
            Some(c) if settled.last_is_final => c,
            _ => {
                compiles += 1;
                compile(&configs)?
            }
        };
        let measured = measure(&compiled, configs.len())?;
        let mut out = Vec::new();
        for ((p, c), (first, m)) in sections.iter().zip(&configs).zip(&measured) {
            if m.pages > MAX_PAGES {
                // Sections are independent: a measured config keeps its
                // length. Anything else is a bug, never a third page.
                return Err(SummariesError::TooLong { pages: m.pages });
            }
            let (take, recs) = p.kept(c.drops);
            out.push(Section {
                shown: p.shown.clone(),
                title: p.title.clone(),
                source: p.source.clone(),
                first_page: *first,
                pages: m.pages,
                fit_level: c.level,
                dropped: p.dropped(c.drops),
                bullets: take.len() + recs.len(),
            });
        }
        left_out.sort_by_key(|(i, _, _)| *i);
        let ident = format!(
            "bpfpress-summaries:{}:{}",
            base["title"].as_str().unwrap_or(""),
            out.iter()
                .map(|s| s.title.as_str())
                .collect::<Vec<_>>()
                .join("|")
        );
        let pdf = crate::render::run_big_stack(|| engine.pdf(&compiled, &ident, opts.standard))?;
        engine.after_document();
        return Ok(Compilation {
            pdf,
            pages: compiled.page_count(),
            sections: out,
            left_out: left_out.into_iter().map(|(_, s, e)| (s, e)).collect(),
            compiles,
            warnings: compiled.warnings,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, subtitle: Option<&str>) -> Document {
        let mut d = Document::new("x.md", Format::Markdown);
        d.meta.title = Some(title.into());
        d.meta.subtitle = subtitle.map(String::from);
        d
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(10905), "10,905");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn forum_names_are_quoted_from_the_title_page() {
        for (title, subtitle, want) in [
            (
                "Putting cyber norms into practice",
                Some("IGF 2026 Best Practice Forum on Cybersecurity — output report"),
                Some("Best Practice Forum on Cybersecurity"),
            ),
            (
                "Reviewing past Best Practice Forums (BPF) to enhance future BPF work: a “BPF on BPFs”",
                Some("IGF 2020 Best Practice Forum output report"),
                Some("BPF on BPFs"),
            ),
            (
                "BPF Community Networks 2026: Output report",
                None,
                Some("BPF Community Networks"),
            ),
            (
                "Gendered disinformation",
                Some("IGF 2026 Best Practice Forum on Gender and Digital Rights"),
                Some("Best Practice Forum on Gender and Digital Rights"),
            ),
            ("BPF Output Report 2026", None, None),
            ("A report on local content", None, None),
        ] {
            assert_eq!(
                bpf_from_text(&doc(title, subtitle)).as_deref(),
                want,
                "{title}"
            );
        }
    }
}
