//! The pipeline layer: settings resolved once, then the stages as typed
//! functions from data to data (mdBook's preprocessor/renderer contract).
//! `bpfpress build` and every subcommand do only this: resolve
//! [`Settings`], call stages, print.
//!
//! | stage | takes | gives |
//! | --- | --- | --- |
//! | [`ingest`] | a draft (DOCX, PDF, Markdown) or a model JSON, [`Limits`] | [`Document`] |
//! | [`check`] | [`Document`], [`Checklist`], [`Settings`] (meeting date) | [`CheckReport`] |
//! | [`render`] | [`Document`], [`Settings`] (paper, standard, dates) | [`Rendered`] (report PDF) |
//! | [`takeaways()`] | [`Document`], [`CheckReport`], a takeaways file, [`Settings`] | [`SheetOutput`] (sheet PDF) |
//! | [`campaign::campaign`] | [`Document`], [`CheckReport`], recipients, attachments, [`Settings`] | [`campaign::Mailing`] (letters, `.eml`, manifest, delivery) |
//! | [`campaign::press_release`] | the [`campaign::Mailing`], recipients, [`Settings`] | press-release PDF |
//! | [`summaries::list_reports`] | [`Settings`] (the listing, the URLs file) | the reports to read, in order |
//! | [`summaries::read_reports`] | the listing, [`Settings`] | one [`crate::summaries::Report`] (or error) per report, in parallel |
//! | [`summaries::summaries`] | the reports, [`Settings`] | [`crate::summaries::Compilation`] (the year's summaries PDF) |
//! | [`build::build`] | a [`Project`](crate::project::Project), [`Settings`] | every output + `manifest.json` |
//!
//! Stages that can fail return this layer's [`Error`] (the stage's own
//! typed error with the file, place and hint around it); those that can
//! warn return [`Warned`]. The outside world is reached in few places:
//! files through [`ingest`] and [`crate::fsutil::OutputDir`], fonts and
//! templates through the render [`Engine`] (made once per run by
//! [`engine`]), the clock through [`crate::dates::Clock`] (made once by
//! the command line, carried in [`Settings`]), SMTP through the campaign
//! stage. `docs/architecture.md` has the picture.

pub mod build;
pub mod campaign;
mod error;
pub mod settings;
pub mod summaries;

pub use error::{EXIT_FINDINGS, EXIT_INPUT, Error, Warned, Warning};
pub use settings::{Flags, Needed, Settings, SettingsError, SummariesSettings};

use crate::check::{CheckReport, Checklist};
use crate::ingest::{Limits, read_path};
use crate::model::Document;
use crate::render::{Engine, Rendered, render_report, render_report_owned};
use crate::takeaways::sheet::Sheet;
use crate::takeaways::{self, Source};
use std::path::Path;

/// Ingest: a draft (DOCX, PDF, Markdown/text; the format is read from the
/// content) or a `.json` document model (`bpfpress ingest --json`) into a
/// [`Document`]. Errors name the file and, where there is one, the place.
pub fn ingest(path: &Path, limits: &Limits) -> Result<Document, Error> {
    let is_json = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"));
    if !is_json {
        return Ok(read_path(path, limits)?);
    }
    let bytes = std::fs::read(path).map_err(Error::io(path))?;
    serde_json::from_slice(&bytes).map_err(|e| {
        Error::Model {
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        }
        .with_path(path)
    })
}

/// Check: the ten elements and the hygiene rules (the meeting date from
/// the settings).
pub fn check(doc: &Document, checklist: &Checklist, settings: &Settings) -> CheckReport {
    crate::check::check(doc, checklist, &settings.check_options())
}

/// The render engine of a run: bundled fonts plus `--font-dir`s, bundled
/// templates or the settings' template folder. Make it once and share it.
pub fn engine(settings: &Settings) -> Result<Engine, Error> {
    Ok(Engine::with_fonts(
        settings.templates.as_deref(),
        &settings.font_dirs,
    )?)
}

/// Render: the report PDF of `doc` with the settings' paper, standard and
/// dates. Template warnings come back with it.
pub fn render(
    engine: &Engine,
    doc: &Document,
    settings: &Settings,
) -> Result<Warned<Rendered>, Error> {
    let r = render_report(engine, doc, &settings.report_options())?;
    Ok(with_warnings(r, reader_warnings(doc, settings)))
}

/// [`render`] for a caller done with the model: it is dropped before the
/// compile starts, so a long report's model is not alive at the compile's
/// peak (`bpfpress render`).
pub fn render_owned(
    engine: &Engine,
    doc: Document,
    settings: &Settings,
) -> Result<Warned<Rendered>, Error> {
    let warnings = reader_warnings(&doc, settings);
    let r = render_report_owned(engine, doc, &settings.report_options())?;
    Ok(with_warnings(r, warnings))
}

/// What the reader noticed shapes the report too (a title taken from the
/// first paragraphs, none found, figures left out): said with it.
fn reader_warnings(doc: &Document, settings: &Settings) -> Vec<Warning> {
    let titled = settings.title.is_some();
    doc.warnings
        .iter()
        .filter(|w| !(titled && w.starts_with(crate::ingest::front::NO_TITLE)))
        .map(Warning::new)
        .collect()
}

fn with_warnings(r: Rendered, mut warnings: Vec<Warning>) -> Warned<Rendered> {
    warnings.extend(r.warnings.iter().map(Warning::template));
    Warned::new(r, warnings)
}

/// A takeaways file (Markdown bullets) as read, with the name it is shown by.
#[derive(Debug, Clone)]
pub struct TakeawaysFile {
    pub doc: Document,
    pub shown: String,
}

/// Read a takeaways file: Markdown or text as bullets; any other draft
/// format through [`ingest`].
pub fn read_takeaways_file(path: &Path, shown: impl Into<String>) -> Result<TakeawaysFile, Error> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let doc = if matches!(ext.as_str(), "md" | "markdown" | "txt" | "") {
        takeaways::file::read(path)?
    } else {
        ingest(path, &Limits::default())?
    };
    Ok(TakeawaysFile {
        doc,
        shown: shown.into(),
    })
}

/// What the takeaways stage made: where the text came from, and the sheet.
#[derive(Debug)]
pub struct SheetOutput {
    pub source: Source,
    pub sheet: Sheet,
}

/// Takeaways: the two-page sheet. The text comes from the report's own
/// takeaways section, else `from`, else sentences of the sections the check
/// found for the elements (`report`; the draft is not checked again).
/// Items left out to fit and template warnings come back as warnings.
pub fn takeaways(
    engine: &Engine,
    doc: &Document,
    report: &CheckReport,
    from: Option<&TakeawaysFile>,
    settings: &Settings,
) -> Result<Warned<SheetOutput>, Error> {
    let elements = takeaways::sections::for_sheet(doc, Some(report));
    let chosen = takeaways::select(doc, from.map(|f| (&f.doc, f.shown.as_str())), &elements);
    let opts = settings.sheet_options();
    let sheet = takeaways::make_sheet(engine, doc, &chosen, &opts)?;
    let mut warnings: Vec<Warning> = sheet
        .dropped
        .iter()
        .map(|d| Warning::new(d.to_string()))
        .collect();
    warnings.extend(sheet.warnings.iter().map(Warning::template));
    if opts.report_url.is_none() {
        warnings.push(
            Warning::new("no report URL: the sheet has no link or QR code to the full report")
                .hint(settings.how_to_set(Needed::ReportUrl)),
        );
    }
    Ok(Warned::new(
        SheetOutput {
            source: chosen.source,
            sheet,
        },
        warnings,
    ))
}
