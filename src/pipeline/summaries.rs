//! The summaries stage: the year's compilation of several BPF output
//! reports, the same for `bpfpress summaries` and `bpfpress build` (a
//! project's `[summaries]` section).
//!
//! Three steps, each data in, data out:
//!
//! 1. [`list_reports`]: the listing of the settings (files, folders, BPF
//!    project folders) expanded into [`ReportInput`]s, the URLs file
//!    applied; listed paths that name no report come back as problems.
//! 2. [`read_reports`]: every report ingested, checked with the built-in
//!    checklist and its pages counted, in parallel on a render pool; each
//!    result on its own, so one unreadable report leaves the others.
//! 3. [`summaries`]: the publication ([`crate::summaries::make`]), with a
//!    warning for everything cut to fit, every report without a URL and
//!    every section with nothing to quote.

use super::{Error, Settings, Warned, Warning};
use crate::check::Checklist;
use crate::ingest::Limits;
use crate::render::{Engine, report_page_count};
use crate::summaries::inputs::{self, ReportInput};
use crate::summaries::{self, Compilation, Pages, Report};
use rayon::prelude::*;
use std::path::Path;

/// The reports of the compilation, before reading.
#[derive(Debug)]
pub struct Listing {
    /// In publication order.
    pub reports: Vec<ReportInput>,
    /// Listed paths that name no report (an empty folder, a BPF project
    /// without a report), each an error naming the path.
    pub problems: Vec<Error>,
}

/// The settings' listing expanded, with the URLs file applied. Errors: no
/// report listed at all, or a URLs file that cannot be used (nothing is
/// compiled with half the addresses).
pub fn list_reports(settings: &Settings) -> Result<Warned<Listing>, Error> {
    let s = &settings.summaries;
    if s.reports.is_empty() {
        return Err(Error::NothingListed);
    }
    let (mut reports, unlisted) = inputs::expand(&s.reports);
    let problems = unlisted
        .into_iter()
        .map(|u| Error::from(u.error).with_path(u.path))
        .collect();
    let mut warnings = Vec::new();
    if let Some(urls) = &s.urls {
        let rows = inputs::read_urls(urls).map_err(|e| Error::from(e).with_path(urls))?;
        let base = urls.parent().unwrap_or(Path::new("."));
        for row in inputs::apply_urls(&mut reports, &rows, base) {
            warnings.push(
                Warning::new(format!(
                    "line {}: `{}` is not one of the reports compiled; its row is not used",
                    row.line, row.report
                ))
                .about(urls.display().to_string()),
            );
        }
    }
    Ok(Warned::new(Listing { reports, problems }, warnings))
}

/// Read one report: ingest, check (built-in checklist), its pages (the
/// PDF's own, else laid out by the report template), its BPF's takeaways
/// file. Errors name the file.
pub fn read_report(
    engine: &Engine,
    input: &ReportInput,
    checklist: &Checklist,
    settings: &Settings,
) -> Result<Warned<Report>, Error> {
    let doc = super::ingest(&input.path, &Limits::default())?;
    let check = super::check(&doc, checklist, settings);
    let mut warnings = Vec::new();
    let pages = match doc.meta.pages {
        Some(n) => Pages::Pdf(n),
        None => match report_page_count(engine, &doc, &settings.report_options()) {
            Ok(n) => Pages::LaidOut(n),
            Err(e) => {
                warnings.push(
                    Warning::new(format!(
                        "its pages cannot be counted (the report does not lay out: {e}); \
                         the overview leaves them blank"
                    ))
                    .about(input.shown.clone()),
                );
                Pages::Unknown
            }
        },
    };
    let takeaways_file = match &input.takeaways {
        Some(p) => {
            let f = super::read_takeaways_file(p, p.display().to_string())?;
            Some((f.doc, f.shown))
        }
        None => None,
    };
    Ok(Warned::new(
        Report {
            shown: input.shown.clone(),
            doc,
            check,
            url: input.url().map(String::from),
            bpf: input.bpf().map(String::from),
            takeaways_file,
            pages,
        },
        warnings,
    ))
}

/// Read every report of `listing` in parallel (a rayon pool with stacks
/// large enough for typst), calling `done` with each report's name as it
/// finishes. Results are in listing order, each on its own.
pub fn read_reports(
    engine: &Engine,
    listing: &[ReportInput],
    settings: &Settings,
    done: &(dyn Fn(&str) + Sync),
) -> Result<Vec<Result<Warned<Report>, Error>>, Error> {
    let checklist = Checklist::builtin();
    let pool = crate::render::pool(0)?;
    Ok(pool.install(|| {
        listing
            .par_iter()
            .map(|input| {
                let r = read_report(engine, input, &checklist, settings);
                done(&input.shown);
                r
            })
            .collect()
    }))
}

/// The publication of `reports`, with a warning for every bullet cut to
/// fit, the reports without an address and the sections with nothing to
/// quote. Reports whose section cannot hold two pages are in
/// [`Compilation::left_out`] (errors for the caller to report).
pub fn summaries(
    engine: &Engine,
    reports: &[Report],
    settings: &Settings,
) -> Result<Warned<Compilation>, Error> {
    let c = summaries::make(engine, reports, &settings.summaries_options())?;
    let mut warnings = Vec::new();
    for s in &c.sections {
        warnings.extend(
            s.dropped
                .iter()
                .map(|d| Warning::new(d.to_string()).about(s.shown.clone())),
        );
        if s.bullets == 0 {
            warnings.push(
                Warning::new(
                    "nothing to quote as key takeaways or next steps: the report has no \
                     takeaways section and none of its sentences on the issue, what worked, \
                     insights, open issues or next steps qualifies; its section says so",
                )
                .about(s.shown.clone())
                .hint(
                    "add a \"Key takeaways\" section to the report, or list its BPF's project \
                     folder (its `report.takeaways` file is used)",
                ),
            );
        }
    }
    let no_url: Vec<&str> = reports
        .iter()
        .filter(|r| r.url.is_none() && c.sections.iter().any(|s| s.shown == r.shown))
        .map(|r| r.shown.as_str())
        .collect();
    if !no_url.is_empty() {
        warnings.push(
            Warning::new(format!(
                "{} report(s) without a published address, so their sections have no link \
                 or QR code: {}",
                no_url.len(),
                no_url.join(", ")
            ))
            .hint(
                "give the addresses in a URLs file (`report,url` rows; --urls or \
                 `summaries.urls`) or in `summaries.reports`",
            ),
        );
    }
    warnings.extend(c.warnings.iter().map(Warning::template));
    Ok(Warned::new(c, warnings))
}
