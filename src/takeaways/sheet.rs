//! The takeaways sheet: [`Takeaways`] in, a laid-out PDF of one page, or
//! two well-filled pages, out, with the render engine's template
//! `/takeaways.typ`.
//!
//! Takes the report's [`Document`] (title, date, language), the chosen
//! [`Takeaways`] and [`SheetOptions`] (paper, standard, report URL, contact
//! line); gives a [`Sheet`]: the PDF bytes, its page count, the fit level
//! used and a warning for every item left out.
//!
//! # One page, or two well-filled pages; never three
//!
//! 1. At most [`MAX_TAKEAWAYS`] takeaways and [`MAX_RECOMMENDATIONS`]
//!    recommendations go in (the brief asks for 5–10 bullets); items past
//!    that are left out, highest rank first, each with a warning.
//! 2. The one-page layout ([`Layout::One`]) is compiled at fit level 0
//!    ([`FIT_LEVELS`]: body size and leading of the report) and its page
//!    count read from the compiled document. One page: done. Two pages
//!    whose second page holds little (the text up to the template's
//!    `<bpfpress-content-end>` marker fills at most [`ONE_PAGE_SPILL`] of
//!    it): levels down to [`ONE_PAGE_FLOOR`] (9.5 pt) are tried for one
//!    page.
//! 3. Otherwise the two-page layout ([`Layout::Two`]): page 2 closes with
//!    what the BPF did (the longer account when it fits) beside the full
//!    report, contact and QR code. A sparse page 2 (text ending above
//!    [`BALANCED`]) gets larger type ([`UP_LEVELS`]) while the sheet stays
//!    two pages: page 2 carries real content, never a few lines.
//! 4. Over two pages: the next fit levels down to the floor (8.5 pt body,
//!    0.5 em leading). A sheet so long that no level above the floor can
//!    bring it to two pages (text over `pages - 1` pages times the square
//!    of the size ratio) goes straight to the floor.
//! 5. Still over two pages at the floor: items are dropped one at a time,
//!    the highest-ranked (least important) of the longer list first
//!    (recommendations on a tie), each with a warning naming it. Dropping
//!    an item never lengthens the sheet, so the smallest number of drops
//!    that fits is found by bisection over that fixed order — the same
//!    result as dropping one by one, with a handful of compiles.
//! 6. If the sheet is over two pages even with no item left (an enormous
//!    title or paragraph), it is an error: bpfpress never writes a
//!    three-page "two-page sheet".
//!
//! The QR code is made here (crate `qrcode`, SVG, error correction M) and
//! handed to the template as a string in the data; the template loads it
//! with `image(bytes(…), format: "svg")`.

use super::{Item, MAX_RECOMMENDATIONS, MAX_TAKEAWAYS, Source, Takeaways};
use crate::dates::Date;
use crate::model::Document;
use crate::render::data;
use crate::render::{Diagnostic, Engine, Job, Paper, RenderError, Standard};
use serde_json::{Value, json};
use std::path::Path;

/// Virtual path of the sheet's template.
pub const TEMPLATE: &str = "/takeaways.typ";

/// Most pages a sheet may have.
pub const MAX_PAGES: usize = 2;

/// One step of the auto-fit: body size (pt) and line leading (em).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FitLevel {
    pub size_pt: f32,
    pub leading_em: f32,
}

/// The fit levels, tried in order; the last is the documented floor.
pub const FIT_LEVELS: &[FitLevel] = &[
    FitLevel {
        size_pt: 10.5,
        leading_em: 0.62,
    },
    FitLevel {
        size_pt: 10.0,
        leading_em: 0.58,
    },
    FitLevel {
        size_pt: 9.5,
        leading_em: 0.55,
    },
    FitLevel {
        size_pt: 9.0,
        leading_em: 0.52,
    },
    FitLevel {
        size_pt: 8.5,
        leading_em: 0.5,
    },
];

/// Smallest fit level (index into [`FIT_LEVELS`]) used to pull a sheet
/// that spills a little onto a second page back onto one page.
pub const ONE_PAGE_FLOOR: usize = 2;

/// Largest share of the second page the text may fill for the one-page
/// pull-back to be tried (9.5 pt instead of 10.5 pt gains about a fifth of
/// a page; the share is measured from the top of page 2, header included).
pub const ONE_PAGE_SPILL: f64 = 0.25;

/// Type levels above the report's, tried on a two-page sheet whose second
/// page is sparse: the text grows until page 2 is well filled (never onto
/// a third page).
pub const UP_LEVELS: &[FitLevel] = &[
    FitLevel {
        size_pt: 11.0,
        leading_em: 0.64,
    },
    FitLevel {
        size_pt: 11.5,
        leading_em: 0.65,
    },
    FitLevel {
        size_pt: 12.0,
        leading_em: 0.66,
    },
];

/// Share of page 2 a two-page sheet fills (text to its end marker) from
/// which the type is not grown any more.
pub const BALANCED: f64 = 0.8;

/// How the sheet is laid out (`layout` in the data).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// One page: "What the BPF did" on top, the full-report block pinned
    /// to the foot.
    One,
    /// Two pages: the second closes with "About the BPF and its report"
    /// (what the BPF did, at more length when there is room; the full
    /// report, contact and QR code) in two columns.
    Two,
}

/// Label of the marker the template puts after the last bullet.
const CONTENT_END: &str = "bpfpress-content-end";

/// How much of its page the text fills on the last page (0–1), from the
/// position of the template's end-of-content marker; `None` without it.
pub fn last_page_fill(compiled: &crate::render::Compiled) -> Option<f64> {
    use typst::foundations::Label;
    use typst::utils::PicoStr;
    let intro = compiled.document.introspector();
    let label = Label::new(PicoStr::intern(CONTENT_END))?;
    let elem = intro.elements().query_label(label).ok()?;
    let pos = intro.position(elem.location()?)?;
    let page = compiled.document.pages().get(pos.page.get() - 1)?;
    let h = page.frame.height().to_pt();
    (h > 0.0).then(|| pos.point.y.to_pt() / h)
}

/// Whether a sheet of `pages` pages at `level` is sure to stay over two
/// pages at every level above the floor, so the levels in between need no
/// compile: the text covers more than `pages - 1` pages, and no level
/// shrinks it by more than the square of the size ratio to the floor.
fn cannot_fit_above_floor(pages: usize, level: FitLevel) -> bool {
    let floor = FIT_LEVELS[FIT_LEVELS.len() - 1];
    let shrink = f64::from(floor.size_pt / level.size_pt).powi(2);
    (pages.saturating_sub(1) as f64) * shrink > MAX_PAGES as f64
}

/// Options of one sheet.
#[derive(Debug, Clone, Default)]
pub struct SheetOptions {
    pub paper: Paper,
    pub standard: Option<Standard>,
    /// Where the full report is published (printed and encoded as QR code).
    pub report_url: Option<String>,
    /// The contact line; default: the report's editors.
    pub contact: Option<String>,
    /// The BPF's name (project file), printed above the title.
    pub bpf_name: Option<String>,
    /// The IGF year (project file); default: from the document.
    pub igf_year: Option<String>,
    /// The day that stands in for the document's date (the clock's
    /// `SOURCE_DATE_EPOCH` day, if set), as for the report.
    pub source_date: Option<Date>,
}

/// A failure to make the sheet.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("report URL cannot be encoded as a QR code ({0}); give a shorter --report-url")]
    Qr(String),
    #[error("report URL {0:?} is not an http(s) address")]
    BadUrl(String),
    #[error(
        "no takeaways: the report has no takeaways section and none of its sentences on \
         the issue, what worked, insights, open issues or next steps qualifies; \
         write the takeaways in a file and pass it with --from"
    )]
    Empty,
    #[error(
        "the sheet is {pages} pages even at the smallest type and with every bullet \
         left out: the title or the paragraph on the BPF's activities is too long"
    )]
    TooLong { pages: usize },
}

/// What was left out, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Dropped {
    /// "takeaway" or "recommendation".
    pub list: &'static str,
    pub item: Item,
    /// Why: over the bullet limit, or over two pages.
    pub reason: &'static str,
}

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let words: Vec<&str> = self.item.text.split_whitespace().collect();
        let mut head = words.iter().take(12).copied().collect::<Vec<_>>().join(" ");
        if words.len() > 12 {
            head.push('…');
        }
        write!(f, "left out {} #{} “{head}”", self.list, self.item.rank + 1)?;
        if let Some(loc) = self.item.loc {
            write!(f, " ({loc})")?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// A made sheet.
#[derive(Debug)]
pub struct Sheet {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Index into [`FIT_LEVELS`] used.
    pub fit_level: usize,
    /// Items left out, in the order they were dropped.
    pub dropped: Vec<Dropped>,
    /// Number of typst compiles the fit needed.
    pub compiles: usize,
    /// Template warnings (file and line in the template).
    pub warnings: Vec<Diagnostic>,
    pub layout: Layout,
    /// Body size used (pt): a fit level, or a larger one that balances a
    /// sparse second page ([`UP_LEVELS`]).
    pub size_pt: f32,
    /// How far down its page the text of the last page runs (0–1).
    pub last_page_fill: Option<f64>,
    /// PNG images of the first pages, when the engine was asked for them
    /// ([`Engine::with_previews`](crate::render::Engine::with_previews)).
    pub previews: Vec<Vec<u8>>,
}

const OVER_LIMIT: &str = "more bullets than the sheet takes";
const OVER_PAGES: &str = "the sheet would run over two pages";

/// The QR code for `url` as an SVG document (black on white, quiet zone).
pub fn qr_svg(url: &str) -> Result<String, SheetError> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| SheetError::Qr(e.to_string()))?;
    Ok(code
        .render::<svg::Color>()
        .min_dimensions(240, 240)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

/// The default contact line: the report's editors.
fn default_contact(doc: &Document) -> Option<String> {
    let a = &doc.meta.authors;
    match a.len() {
        0 => None,
        1 => Some(format!("Editor of the report: {}", a[0])),
        _ => Some(format!("Editors of the report: {}", a.join(", "))),
    }
}

/// Where the text came from, as template data (`source`).
pub fn source_json(source: &Source) -> Value {
    match source {
        Source::Section { heading, .. } => json!({
            "kind": "section",
            "note": format!("Quoted from the report’s section “{heading}”."),
        }),
        Source::File { .. } => json!({ "kind": "file", "note": Value::Null }),
        Source::Extracted => json!({
            "kind": "extracted",
            "note": "Sentences quoted from the report, selected automatically by bpfpress \
                     from the sections on the issue, what worked well, insights, unresolved \
                     issues and next steps.",
        }),
    }
}

/// Bullets as template data (`takeaways`, `recommendations`).
pub fn items_json(items: &[Item]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|i| {
                json!({
                    "text": i.text,
                    "rank": i.rank,
                    "sub": i.sub,
                    "extracted": i.element.is_some(),
                })
            })
            .collect(),
    )
}

/// Everything of the data that does not change while fitting.
struct Base {
    value: Value,
}

impl Base {
    fn new(doc: &Document, t: &Takeaways, opts: &SheetOptions) -> Result<Base, SheetError> {
        let (lang, region) = data::lang_region(doc.meta.language.as_deref());
        let date = data::fixed_date(doc, opts.source_date)
            .map(|d| json!({ "iso": d.iso(), "display": d.display(), "year": d.year }));
        let url = match opts.report_url.as_deref().map(str::trim) {
            Some(u) if !u.is_empty() => {
                let lower = u.to_ascii_lowercase();
                if !(lower.starts_with("https://") || lower.starts_with("http://"))
                    || u.contains(char::is_whitespace)
                {
                    return Err(SheetError::BadUrl(u.to_string()));
                }
                Some(u.to_string())
            }
            _ => None,
        };
        let qr = url.as_deref().map(qr_svg).transpose()?;
        let value = json!({
            "schema": data::DATA_SCHEMA,
            "kind": "takeaways",
            "generator": format!("bpfpress {}", env!("CARGO_PKG_VERSION")),
            "paper": opts.paper.typst_name(),
            "standard": opts.standard.map(Standard::name),
            "lang": lang,
            "region": region,
            "date": date,
            "igf_year": opts.igf_year.clone().or_else(|| data::igf_year(doc)),
            "bpf": opts.bpf_name,
            "title": doc.meta.title,
            "subtitle": doc.meta.subtitle,
            "source": source_json(&t.source),
            "activities": t.activities,
            "activities_more": t.activities_more,
            "report_url": url,
            "qr_svg": qr,
            "contact": opts.contact.clone().or_else(|| default_contact(doc)),
        });
        Ok(Base { value })
    }

    fn with(
        &self,
        level: FitLevel,
        layout: (Layout, bool),
        take: &[Item],
        recs: &[Item],
    ) -> Result<Vec<u8>, SheetError> {
        let mut v = self.value.clone();
        if let Some(o) = v.as_object_mut() {
            o.insert(
                "layout".into(),
                json!(match layout.0 {
                    Layout::One => "one",
                    Layout::Two => "two",
                }),
            );
            if !layout.1 {
                o.insert("activities_more".into(), Value::Null);
            }
            o.insert("takeaways".into(), items_json(take));
            o.insert("recommendations".into(), items_json(recs));
            o.insert(
                "fit".into(),
                json!({ "size": level.size_pt, "leading": level.leading_em }),
            );
        }
        serde_json::to_vec(&v).map_err(|e| SheetError::Render(RenderError::Data(e.to_string())))
    }
}

/// The order in which items are dropped to fit: from the longer list
/// (recommendations on a tie), highest rank first.
pub fn drop_order(take: &[Item], recs: &[Item]) -> Vec<(bool, usize)> {
    let mut t: Vec<usize> = (0..take.len()).collect();
    let mut r: Vec<usize> = (0..recs.len()).collect();
    t.sort_by_key(|&i| (take[i].rank, i));
    r.sort_by_key(|&i| (recs[i].rank, i));
    let mut order = Vec::new();
    while !t.is_empty() || !r.is_empty() {
        let from_take = t.len() > r.len();
        let (list, is_take) = if from_take {
            (&mut t, true)
        } else {
            (&mut r, false)
        };
        if let Some(i) = list.pop() {
            order.push((is_take, i));
        }
    }
    order
}

/// Cap a list at `max` items, lowest rank kept, order preserved.
pub fn cap(
    items: &[Item],
    max: usize,
    list: &'static str,
    dropped: &mut Vec<Dropped>,
) -> Vec<Item> {
    if items.len() <= max {
        return items.to_vec();
    }
    let mut by_rank: Vec<usize> = (0..items.len()).collect();
    by_rank.sort_by_key(|&i| (items[i].rank, i));
    let keep: std::collections::HashSet<usize> = by_rank[..max].iter().copied().collect();
    for &i in by_rank[max..].iter() {
        dropped.push(Dropped {
            list,
            item: items[i].clone(),
            reason: OVER_LIMIT,
        });
    }
    items
        .iter()
        .enumerate()
        .filter(|(i, _)| keep.contains(i))
        .map(|(_, it)| it.clone())
        .collect()
}

/// Make the sheet (see the module doc for the fitting).
pub fn make_sheet(
    engine: &Engine,
    doc: &Document,
    t: &Takeaways,
    opts: &SheetOptions,
) -> Result<Sheet, SheetError> {
    if t.takeaways.is_empty() && t.recommendations.is_empty() {
        return Err(SheetError::Empty);
    }
    let base = Base::new(doc, t, opts)?;
    let mut dropped = Vec::new();
    let take = cap(&t.takeaways, MAX_TAKEAWAYS, "takeaway", &mut dropped);
    let recs = cap(
        &t.recommendations,
        MAX_RECOMMENDATIONS,
        "recommendation",
        &mut dropped,
    );
    let today = data::fixed_date(doc, opts.source_date)
        .and_then(|d| crate::render::typst_date(d.first_day()));
    let mut compiles = 0;
    let mut compile = |level: FitLevel, layout: (Layout, bool), take: &[Item], recs: &[Item]| {
        compiles += 1;
        let job = Job {
            main: TEMPLATE,
            data: typst::foundations::Bytes::new(base.with(level, layout, take, recs)?),
            today,
        };
        engine.compile(&job).map_err(SheetError::from)
    };
    const ONE: (Layout, bool) = (Layout::One, false);

    // Step 2a: one page, at the report's size or a little smaller when the
    // text spills only a few lines onto a second page.
    let mut fitted: Option<(usize, (Layout, bool), crate::render::Compiled)> = None;
    let first = compile(FIT_LEVELS[0], ONE, &take, &recs)?;
    if first.page_count() == 1 {
        fitted = Some((0, ONE, first));
    } else if first.page_count() == 2 && last_page_fill(&first).is_some_and(|f| f <= ONE_PAGE_SPILL)
    {
        for (lj, &level) in FIT_LEVELS
            .iter()
            .enumerate()
            .take(ONE_PAGE_FLOOR + 1)
            .skip(1)
        {
            let one = compile(level, ONE, &take, &recs)?;
            if one.page_count() == 1 {
                fitted = Some((lj, ONE, one));
                break;
            }
        }
    }
    // Step 2b: two pages whose second page carries the account of the
    // BPF's work and the full report; the longer account when it fits.
    let mut up_level = None;
    if fitted.is_none() {
        let options: Vec<(Layout, bool)> = if t.activities_more.is_some() {
            vec![(Layout::Two, true), (Layout::Two, false)]
        } else {
            vec![(Layout::Two, false)]
        };
        for &layout in &options {
            let c = compile(FIT_LEVELS[0], layout, &take, &recs)?;
            if c.page_count() == 2 {
                fitted = Some((0, layout, c));
                break;
            }
        }
        // A sparse second page: larger type until it is well filled (the
        // longer account of the BPF's work first, the short one if the
        // longer no longer fits).
        if let Some((_, layout, c)) = &fitted
            && last_page_fill(c).is_some_and(|f| f < BALANCED)
        {
            let tries: Vec<(Layout, bool)> = options
                .iter()
                .copied()
                .filter(|o| o.1 || !layout.1 || options.len() == 1)
                .collect();
            let mut best = None;
            'up: for (ui, &level) in UP_LEVELS.iter().enumerate() {
                for &l in &tries {
                    let up = compile(level, l, &take, &recs)?;
                    if up.page_count() == 2 {
                        let fill = last_page_fill(&up);
                        best = Some((ui, l, up));
                        if fill.is_some_and(|f| f >= BALANCED) {
                            break 'up;
                        }
                        continue 'up;
                    }
                }
                break;
            }
            if let Some((ui, l, up)) = best {
                up_level = Some(ui);
                fitted = Some((0, l, up));
            }
        }
    }
    // Step 2c: over two pages: type and leading down to the floor.
    let two_short = (Layout::Two, false);
    if fitted.is_none() {
        let floor = FIT_LEVELS.len() - 1;
        let mut li = 1;
        while li < FIT_LEVELS.len() {
            let c = compile(FIT_LEVELS[li], two_short, &take, &recs)?;
            if c.page_count() <= MAX_PAGES {
                fitted = Some((li, two_short, c));
                break;
            }
            li = if li + 1 < floor && cannot_fit_above_floor(c.page_count(), FIT_LEVELS[li]) {
                floor
            } else {
                li + 1
            };
        }
    }
    // Step 3: drop items at the floor, bisecting over the fixed drop order.
    let floor = FIT_LEVELS.len() - 1;
    let (fit_level, layout, compiled) = match fitted {
        Some(f) => f,
        None => {
            let level = FIT_LEVELS[floor];
            let order = drop_order(&take, &recs);
            let subset = |n: usize| {
                let gone = &order[..n];
                let keep_t: Vec<Item> = (0..take.len())
                    .filter(|i| !gone.contains(&(true, *i)))
                    .map(|i| take[i].clone())
                    .collect();
                let keep_r: Vec<Item> = (0..recs.len())
                    .filter(|i| !gone.contains(&(false, *i)))
                    .map(|i| recs[i].clone())
                    .collect();
                (keep_t, keep_r)
            };
            // Invariant: `lo` drops do not fit (0 did not), `hi` drops do (or hi = all).
            let (mut lo, mut hi) = (0, order.len());
            let (t_all, r_all) = subset(hi);
            let mut best = compile(level, two_short, &t_all, &r_all)?;
            if best.page_count() > MAX_PAGES {
                return Err(SheetError::TooLong {
                    pages: best.page_count(),
                });
            }
            while hi - lo > 1 {
                let mid = (lo + hi) / 2;
                let (tm, rm) = subset(mid);
                let c = compile(level, two_short, &tm, &rm)?;
                if c.page_count() <= MAX_PAGES {
                    hi = mid;
                    best = c;
                } else {
                    lo = mid;
                }
            }
            for &(is_take, i) in &order[..hi] {
                dropped.push(Dropped {
                    list: if is_take {
                        "takeaway"
                    } else {
                        "recommendation"
                    },
                    item: if is_take {
                        take[i].clone()
                    } else {
                        recs[i].clone()
                    },
                    reason: OVER_PAGES,
                });
            }
            (floor, two_short, best)
        }
    };
    let size_pt = match up_level {
        Some(ui) if fit_level == 0 => UP_LEVELS[ui].size_pt,
        _ => FIT_LEVELS[fit_level].size_pt,
    };
    let ident = format!(
        "bpfpress-takeaways:{}",
        doc.meta.title.as_deref().unwrap_or(&doc.meta.source)
    );
    let pdf = engine.pdf(&compiled, &ident, opts.standard)?;
    let previews = engine.previews(&compiled)?;
    engine.after_document();
    let fill = last_page_fill(&compiled);
    Ok(Sheet {
        previews,
        pdf,
        pages: compiled.page_count(),
        fit_level,
        dropped,
        compiles,
        warnings: compiled.warnings,
        layout: layout.0,
        last_page_fill: fill,
        size_pt,
    })
}

/// Make the sheet and write it atomically to `out`.
pub fn make_sheet_to(
    engine: &Engine,
    doc: &Document,
    t: &Takeaways,
    opts: &SheetOptions,
    out: &Path,
) -> Result<Sheet, SheetError> {
    let sheet = make_sheet(engine, doc, t, opts)?;
    crate::fsutil::write_atomic(out, &sheet.pdf).map_err(|source| RenderError::Write {
        path: out.display().to_string(),
        source,
    })?;
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(text: &str, rank: usize) -> Item {
        Item {
            text: text.into(),
            rank,
            loc: None,
            element: None,
            sub: Vec::new(),
        }
    }

    #[test]
    fn drop_order_takes_from_longer_list_highest_rank_first() {
        let t: Vec<Item> = (0..3).map(|r| item("t", r)).collect();
        let r: Vec<Item> = (0..2).map(|r| item("r", r)).collect();
        assert_eq!(
            drop_order(&t, &r),
            vec![(true, 2), (false, 1), (true, 1), (false, 0), (true, 0)]
        );
    }

    #[test]
    fn only_hopeless_lengths_skip_to_the_floor() {
        let top = FIT_LEVELS[0];
        assert!(!cannot_fit_above_floor(3, top));
        assert!(!cannot_fit_above_floor(4, top)); // 3+ pages * 0.66 may be < 2
        assert!(cannot_fit_above_floor(5, top));
        assert!(cannot_fit_above_floor(60, FIT_LEVELS[2]));
    }

    #[test]
    fn cap_keeps_best_ranked_in_document_order() {
        let items = vec![item("a", 2), item("b", 0), item("c", 1)];
        let mut d = Vec::new();
        let kept = cap(&items, 2, "takeaway", &mut d);
        assert_eq!(
            kept.iter().map(|i| i.text.as_str()).collect::<Vec<_>>(),
            ["b", "c"]
        );
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].item.text, "a");
        assert!(d[0].to_string().starts_with("left out takeaway #3 “a”"));
    }

    #[test]
    fn qr_svg_is_an_svg_and_long_urls_fail_cleanly() {
        let s = qr_svg("https://www.intgovforum.org/").unwrap();
        assert!(s.contains("<svg") && s.contains("#000000"));
        let long = format!("https://x.org/{}", "a".repeat(5000));
        assert!(matches!(qr_svg(&long), Err(SheetError::Qr(_))));
    }
}
