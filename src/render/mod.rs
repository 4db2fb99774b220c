//! Render: a [`Document`] (and per-output data) in, a PDF out, with typst
//! embedded.
//!
//! Takes the model and [`ReportOptions`]; gives PDF bytes or a
//! [`RenderError`] naming the template file, line and message. Knows the
//! model, nothing of the readers.
//!
//! The parts:
//! - [`world`]: the one typst `World` (bundled fonts loaded once, template
//!   folder sandbox, virtual `/data.json`, fixed `today()`);
//! - [`data`]: the JSON the templates receive (documented in
//!   `docs/templates.md`);
//! - [`Engine`]: compiles a template against data and exports PDF; one per
//!   run, shared by every document (fonts, library and template sources are
//!   loaded once; typst memoises across compiles; call
//!   [`Engine::after_document`] in long batches to bound memory);
//! - [`pool`]: a rayon pool with stacks large enough for typst's layout.

pub mod data;
pub mod diag;
pub mod world;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use typst::diag::{Severity, SourceDiagnostic, Warned};
use typst::foundations::{Bytes, Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::dates::Date;
pub use crate::error::UnknownValue;
use crate::model::Document;
pub use diag::Diagnostic;
pub use world::{Shared, Templates};

/// Scale of page previews: 1.5 px per pt, an A4 page 893 px wide.
pub const PREVIEW_PX_PER_PT: f64 = 1.5;

/// The virtual path of the data file every template receives.
pub const DATA_PATH: &str = "/data.json";

/// A failure of the render stage.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("template folder {path}: {reason}")]
    TemplateDir { path: String, reason: String },
    #[error("{}", diag::list("template failed to compile", diagnostics))]
    Compile { diagnostics: Vec<Diagnostic> },
    #[error("{}", diag::list(&format!("cannot export the PDF{}", standard.map(|s| format!(" as {s}")).unwrap_or_default()), diagnostics))]
    Export {
        standard: Option<Standard>,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("{0}")]
    Data(String),
    #[error("cannot write {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("typst failed internally ({0}); please report this with the draft")]
    Panic(String),
}

/// PDF standards the render stage can enforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standard {
    /// PDF/UA-1 (accessibility): needs a title, alt text, no skipped heading levels.
    PdfUa1,
    /// PDF/A-2b (archival): needs a document date.
    PdfA2b,
}

impl Standard {
    pub fn name(self) -> &'static str {
        match self {
            Standard::PdfUa1 => "pdf-ua-1",
            Standard::PdfA2b => "pdf-a-2b",
        }
    }
    fn typst(self) -> PdfStandard {
        match self {
            Standard::PdfUa1 => PdfStandard::Ua_1,
            Standard::PdfA2b => PdfStandard::A_2b,
        }
    }
}

impl std::fmt::Display for Standard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Standard::PdfUa1 => "PDF/UA-1",
            Standard::PdfA2b => "PDF/A-2b",
        })
    }
}

impl std::str::FromStr for Standard {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s.to_ascii_lowercase().as_str() {
            "pdf-ua-1" | "ua-1" | "pdfua1" => Ok(Standard::PdfUa1),
            "pdf-a-2b" | "a-2b" | "pdfa2b" => Ok(Standard::PdfA2b),
            _ => Err(UnknownValue::new("standard", s, "pdf-ua-1, pdf-a-2b")),
        }
    }
}

/// Paper size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    /// The typst paper name.
    pub fn typst_name(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "us-letter",
        }
    }
}

impl std::str::FromStr for Paper {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s.to_ascii_lowercase().as_str() {
            "a4" => Ok(Paper::A4),
            "letter" | "us-letter" => Ok(Paper::Letter),
            _ => Err(UnknownValue::new("paper", s, "a4, letter")),
        }
    }
}

/// Options of the report PDF.
#[derive(Debug, Clone, Default)]
pub struct ReportOptions {
    pub paper: Paper,
    pub standard: Option<Standard>,
    /// The day that stands in for the document's date in `today()` and the
    /// PDF timestamp: the clock's `SOURCE_DATE_EPOCH` day, if set
    /// ([`crate::dates::Clock::source_date`]).
    pub source_date: Option<Date>,
    /// A title that replaces the draft's (`--title`, `[report] title`).
    pub title: Option<String>,
}

/// Whether `c` prints (needs a glyph): not a space, a control, a bidi or
/// zero-width mark or a soft hyphen.
pub fn needs_glyph(c: char) -> bool {
    !(c.is_whitespace()
        || c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}'))
}

/// A day as typst's date.
pub fn typst_date(d: Date) -> Option<Datetime> {
    Datetime::from_ymd(
        d.year,
        u8::try_from(d.month).ok()?,
        u8::try_from(d.day).ok()?,
    )
}

/// A compiled document: typst's paged document plus its non-fatal warnings.
pub struct Compiled {
    pub document: PagedDocument,
    pub warnings: Vec<Diagnostic>,
    today: Option<Datetime>,
}

impl Compiled {
    pub fn page_count(&self) -> usize {
        self.document.pages().len()
    }
}

/// One compile job: a main template, the data it receives and the date.
pub struct Job<'a> {
    /// Virtual path of the main template, e.g. `/report.typ`.
    pub main: &'a str,
    /// The JSON handed in as [`DATA_PATH`] (shared with typst as is, not
    /// copied: a long report's is megabytes).
    pub data: Bytes,
    /// The fixed date for `today()` and the PDF metadata.
    pub today: Option<Datetime>,
}

/// The render engine: shared state for a run (fonts, library, templates).
#[derive(Clone)]
pub struct Engine {
    shared: Arc<Shared>,
    /// Pages to preview as PNG with every output ([`Engine::with_previews`]).
    previews: usize,
}

impl Engine {
    /// An engine with the built-in templates (process-wide, built once).
    pub fn builtin() -> Engine {
        Engine {
            shared: world::builtin_shared(),
            previews: 0,
        }
    }

    /// An engine over a customised template folder (`--template-dir`).
    pub fn with_template_dir(dir: &Path) -> Result<Engine, RenderError> {
        let err = |reason: String| RenderError::TemplateDir {
            path: dir.display().to_string(),
            reason,
        };
        let templates = Templates::dir(dir).map_err(|e| err(e.to_string()))?;
        let shared = Shared::new(templates).map_err(err)?;
        Ok(Engine {
            shared: Arc::new(shared),
            previews: 0,
        })
    }

    /// An engine for `--template-dir` if given, else the built-in one.
    pub fn new(template_dir: Option<&Path>) -> Result<Engine, RenderError> {
        match template_dir {
            Some(d) => Engine::with_template_dir(d),
            None => Ok(Engine::builtin()),
        }
    }

    /// An engine for `--template-dir` (if given) with the fonts of
    /// `font_dirs` (`--font-dir`) added to the bundled ones.
    pub fn with_fonts(
        template_dir: Option<&Path>,
        font_dirs: &[std::path::PathBuf],
    ) -> Result<Engine, RenderError> {
        if font_dirs.is_empty() {
            return Engine::new(template_dir);
        }
        let templates = match template_dir {
            Some(d) => Templates::dir(d).map_err(|e| RenderError::TemplateDir {
                path: d.display().to_string(),
                reason: e.to_string(),
            })?,
            None => Templates::Builtin,
        };
        // The message names the font folder or file itself.
        let shared = Shared::with_font_dirs(templates, font_dirs).map_err(RenderError::Data)?;
        Ok(Engine {
            shared: Arc::new(shared),
            previews: 0,
        })
    }

    /// The same engine, which also draws the first `pages` pages of every
    /// output it makes as PNG images (`previews` of [`Rendered`], the
    /// takeaways sheet and the letters), with typst's own renderer in
    /// process: the web page (`bpfpress serve`) shows them. 0: none.
    pub fn with_previews(mut self, pages: usize) -> Engine {
        self.previews = pages;
        self
    }

    /// PNG images of the first pages of `compiled`, as many as
    /// [`Engine::with_previews`] asked for (none by default).
    pub fn previews(&self, compiled: &Compiled) -> Result<Vec<Vec<u8>>, RenderError> {
        let opts = typst_render::RenderOptions {
            pixel_per_pt: typst::utils::Scalar::new(PREVIEW_PX_PER_PT),
            render_bleed: false,
        };
        compiled
            .document
            .pages()
            .iter()
            .take(self.previews)
            .map(|page| {
                let pixmap = catch(|| typst_render::render(page, &opts))?;
                pixmap
                    .encode_png()
                    .map_err(|e| RenderError::Data(format!("cannot encode a page preview: {e}")))
            })
            .collect()
    }

    /// Whether a loaded font has a glyph for `c`.
    pub fn covers(&self, c: char) -> bool {
        self.shared.covers(c)
    }

    /// The first character of `text` that must print and that no loaded
    /// font has (typst would only warn and print an empty box).
    pub fn unprintable(&self, text: &str) -> Option<char> {
        text.chars().find(|&c| needs_glyph(c) && !self.covers(c))
    }

    /// Font families templates can use.
    pub fn font_families(&self) -> Vec<String> {
        self.shared.families()
    }

    /// Compile a job. Errors carry every diagnostic; font warnings
    /// (unknown family, missing glyphs) count as errors, because typst
    /// would otherwise fall back silently to another font.
    pub fn compile(&self, job: &Job<'_>) -> Result<Compiled, RenderError> {
        self.compile_with(job, &[])
    }

    /// Compile a job with more virtual files besides [`DATA_PATH`], e.g. a
    /// `/shared.json` that stays the same across a batch (so typst's
    /// memoisation reuses what is derived from it).
    pub fn compile_with(
        &self,
        job: &Job<'_>,
        extra: &[(&str, Bytes)],
    ) -> Result<Compiled, RenderError> {
        let main = world::file_id(job.main).map_err(RenderError::Data)?;
        let data_id = world::file_id(DATA_PATH).map_err(RenderError::Data)?;
        let mut files = HashMap::new();
        files.insert(data_id, job.data.clone());
        for (path, bytes) in extra {
            files.insert(
                world::file_id(path).map_err(RenderError::Data)?,
                bytes.clone(),
            );
        }
        let world = world::BpfWorld::new(&self.shared, main, files, job.today);
        big_stack_global_pool();
        let Warned { output, warnings } = catch(|| typst::compile::<PagedDocument>(&world))?;
        let (fatal, warnings): (Vec<_>, Vec<_>) =
            warnings.into_iter().partition(diag::is_font_warning);
        match output {
            Ok(document) if fatal.is_empty() => Ok(Compiled {
                document,
                warnings: diag::convert(&world, &warnings),
                today: job.today,
            }),
            Ok(_) => Err(RenderError::Compile {
                diagnostics: diag::convert(&world, &promote(fatal)),
            }),
            Err(errors) => {
                let mut all: Vec<SourceDiagnostic> = errors.into_iter().collect();
                all.extend(promote(fatal));
                all.extend(warnings);
                Err(RenderError::Compile {
                    diagnostics: diag::convert(&world, &all),
                })
            }
        }
    }

    /// Export a compiled document as PDF (tagged; deterministic: a fixed
    /// identifier `ident`, the job's date as timestamp, a fixed creator).
    pub fn pdf(
        &self,
        compiled: &Compiled,
        ident: &str,
        standard: Option<Standard>,
    ) -> Result<Vec<u8>, RenderError> {
        let standards = match standard {
            Some(s) => PdfStandards::new(&[s.typst()]).map_err(|e| RenderError::Export {
                standard,
                diagnostics: vec![Diagnostic::plain(e.message().to_string())],
            })?,
            None => PdfStandards::default(),
        };
        let options = PdfOptions {
            ident: Smart::Custom(ident.to_string()),
            creator: Smart::Custom(Some(format!(
                "bpfpress {} (typst 0.15)",
                env!("CARGO_PKG_VERSION")
            ))),
            timestamp: compiled.today.map(Timestamp::new_utc),
            page_ranges: None,
            standards,
            tagged: true,
            pretty: false,
        };
        let main = world::file_id("/report.typ").map_err(RenderError::Data)?;
        let world = world::BpfWorld::new(&self.shared, main, HashMap::new(), None);
        catch(|| typst_pdf::pdf(&compiled.document, &options))?.map_err(|errors| {
            RenderError::Export {
                standard,
                diagnostics: diag::convert(&world, &errors)
                    .into_iter()
                    .map(|d| diag::explain_export(d, standard))
                    .collect(),
            }
        })
    }

    /// Bound typst's memoisation cache between documents of a long batch
    /// (keeps entries used in the last 10 compiles).
    pub fn after_document(&self) {
        comemo::evict(10);
    }
}

fn promote(warnings: Vec<SourceDiagnostic>) -> Vec<SourceDiagnostic> {
    warnings
        .into_iter()
        .map(|mut d| {
            d.severity = Severity::Error;
            d.hint(
                "bpfpress treats font warnings as errors: use a family that is bundled \
                 (Noto Sans, Libertinus Serif, New Computer Modern, DejaVu Sans Mono) or put \
                 the font file under fonts/ in the template folder",
            );
            d
        })
        .collect()
}

/// Run typst with a panic turned into an error.
fn catch<T>(f: impl FnOnce() -> T) -> Result<T, RenderError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        RenderError::Panic(msg)
    })
}

/// Stack size for threads that run typst: its layout recursion overflows
/// rayon's default 2 MiB.
pub const TYPST_STACK: usize = 64 << 20;

/// Give rayon's global pool [`TYPST_STACK`]-sized stacks, once, before
/// typst first uses it. typst lays out runs of pages in parallel on
/// whatever pool it is called from; called from a plain thread (one-shot
/// `render`, `takeaways`), that is the global pool, whose default 2 MiB
/// stacks typst's layout recursion can overflow. If something built the
/// global pool earlier, it is left as it is (bpfpress itself does not).
fn big_stack_global_pool() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rayon::ThreadPoolBuilder::new()
            .stack_size(TYPST_STACK)
            .thread_name(|i| format!("bpfpress-typst-{i}"))
            .build_global();
    });
}

/// A rayon pool fit for typst compiles (`threads` 0 = rayon's default).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, RenderError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .stack_size(TYPST_STACK)
        .thread_name(|i| format!("bpfpress-render-{i}"))
        .build()
        .map_err(|e| RenderError::Panic(format!("cannot start render threads: {e}")))
}

/// A rendered PDF with what typst said about it.
#[derive(Debug)]
pub struct Rendered {
    pub pdf: Vec<u8>,
    pub pages: usize,
    /// Non-fatal template warnings (already formatted with file and line).
    pub warnings: Vec<Diagnostic>,
    /// PNG images of the first pages, when the engine was asked for them
    /// ([`Engine::with_previews`]).
    pub previews: Vec<Vec<u8>>,
}

/// The report PDF for `doc`, with `engine`'s templates (`/report.typ`).
pub fn render_report(
    engine: &Engine,
    doc: &Document,
    opts: &ReportOptions,
) -> Result<Rendered, RenderError> {
    // One thread reads the model, compiles and exports: what the compile
    // freed, the export reuses (the allocator gives threads their own
    // arenas; a compile on one thread and an export on another added their
    // peaks).
    run_big_stack(|| render_job_here(engine, ReportJob::new(doc, opts)?))
}

/// [`render_report`] for a caller done with the model: it is dropped as
/// soon as the report's data is taken from it, before the compile starts,
/// so it is not alive at the compile's peak (`bpfpress render`).
pub fn render_report_owned(
    engine: &Engine,
    doc: Document,
    opts: &ReportOptions,
) -> Result<Rendered, RenderError> {
    run_big_stack(move || {
        let job = ReportJob::new(&doc, opts)?;
        drop(doc);
        render_job_here(engine, job)
    })
}

/// Everything the report's compile and export need from the model — the
/// `/data.json` bytes, the figures' images, the PDF identifier — taken out
/// of it, so that a caller that owns the model can drop it first.
struct ReportJob {
    job: Job<'static>,
    /// The figures' images as virtual files.
    files: Vec<(String, Bytes)>,
    figure_warnings: Vec<String>,
    ident: String,
    standard: Option<Standard>,
}

impl ReportJob {
    /// The report job of `doc`. Errors before any compile when PDF/UA-1 is
    /// asked for and a figure has no description.
    fn new(doc: &Document, opts: &ReportOptions) -> Result<ReportJob, RenderError> {
        let (figures, figure_warnings) = data::figures(doc);
        if opts.standard == Some(Standard::PdfUa1) {
            let bare: Vec<&str> = figures
                .iter()
                .filter(|f| !f.alt)
                .map(|f| f.name.as_str())
                .collect();
            if !bare.is_empty() {
                let mut d = Diagnostic::plain(format!(
                    "PDF/UA-1 needs a description of every figure; {} {} none: {}",
                    bare.len(),
                    if bare.len() == 1 { "has" } else { "have" },
                    bare.join("; ")
                ));
                d.hints.push(
                    "give each figure alt text (Word: right-click the picture › View Alt Text; \
                     Markdown: between the brackets, ![description](file.png)) or render \
                     without --standard"
                        .into(),
                );
                return Err(RenderError::Export {
                    standard: opts.standard,
                    diagnostics: vec![d],
                });
            }
        }
        // The PDF identifier depends on the title only (not on the path the
        // draft was read from), so the same draft gives the same bytes anywhere.
        let ident = format!(
            "bpfpress-report:{}",
            opts.title
                .as_deref()
                .or(doc.meta.title.as_deref())
                .unwrap_or("untitled")
        );
        Ok(ReportJob {
            job: report_job(doc, opts)?,
            files: figure_files(doc, &figures),
            figure_warnings,
            ident,
            standard: opts.standard,
        })
    }
}

/// Compile and export a prepared report, on the calling thread (which needs
/// [`TYPST_STACK`]).
fn render_job_here(engine: &Engine, job: ReportJob) -> Result<Rendered, RenderError> {
    let ReportJob {
        job,
        files,
        figure_warnings,
        ident,
        standard,
    } = job;
    let extra: Vec<(&str, Bytes)> = files.iter().map(|(p, b)| (p.as_str(), b.clone())).collect();
    let compiled = engine.compile_with(&job, &extra)?;
    drop(extra);
    drop((files, job));
    // The export needs the laid-out document only, not the compile's
    // memoised intermediate results (typst's cache): emptied here, the
    // export reuses their memory instead of adding its own on top — the
    // peak of a long report is at the end of the export (the stock CLI
    // keeps the cache; BENCHMARKS.md, "A long report's peak memory under
    // the CLI's").
    comemo::evict(0);
    let pdf = engine.pdf(&compiled, &ident, standard)?;
    let previews = engine.previews(&compiled)?;
    engine.after_document();
    let mut warnings: Vec<Diagnostic> = figure_warnings
        .into_iter()
        .map(|w| Diagnostic {
            error: false,
            ..Diagnostic::plain(w)
        })
        .collect();
    warnings.extend(compiled.warnings.iter().cloned());
    Ok(Rendered {
        pdf,
        pages: compiled.page_count(),
        warnings,
        previews,
    })
}

/// The compile job of the report of `doc`.
fn report_job(doc: &Document, opts: &ReportOptions) -> Result<Job<'static>, RenderError> {
    let today = data::fixed_date(doc, opts.source_date);
    let bytes = data::report_data_bytes(doc, opts).map_err(|e| RenderError::Data(e.to_string()))?;
    Ok(Job {
        main: "/report.typ",
        data: Bytes::new(bytes),
        today: today.and_then(|d| typst_date(d.first_day())),
    })
}

/// How many pages the report PDF of `doc` has (compiled, not exported):
/// the page count of a Word or Markdown draft as bpfpress lays it out.
/// Call it on a thread with [`TYPST_STACK`] (e.g. in [`pool`]).
pub fn report_page_count(
    engine: &Engine,
    doc: &Document,
    opts: &ReportOptions,
) -> Result<usize, RenderError> {
    let (figures, _) = data::figures(doc);
    let compiled = compile_report(engine, doc, opts, &figures)?;
    engine.after_document();
    Ok(compiled.page_count())
}

/// Compile the report with its figures (their images as virtual files).
fn compile_report(
    engine: &Engine,
    doc: &Document,
    opts: &ReportOptions,
    figures: &[data::Figure],
) -> Result<Compiled, RenderError> {
    let files = figure_files(doc, figures);
    let extra: Vec<(&str, Bytes)> = files.iter().map(|(p, b)| (p.as_str(), b.clone())).collect();
    engine.compile_with(&report_job(doc, opts)?, &extra)
}

/// The figures' images as virtual files.
fn figure_files(doc: &Document, figures: &[data::Figure]) -> Vec<(String, Bytes)> {
    data::figure_files(doc, figures)
        .into_iter()
        .map(|(path, bytes)| (path, Bytes::new(bytes)))
        .collect()
}

/// Run `f` on a thread with [`TYPST_STACK`] (callers may sit on a small stack).
pub fn run_big_stack<T: Send>(
    f: impl FnOnce() -> Result<T, RenderError> + Send,
) -> Result<T, RenderError> {
    std::thread::scope(|s| {
        let h = std::thread::Builder::new()
            .name("bpfpress-render".into())
            .stack_size(TYPST_STACK)
            .spawn_scoped(s, f)
            .map_err(|e| RenderError::Panic(format!("cannot start render thread: {e}")))?;
        h.join()
            .unwrap_or_else(|_| Err(RenderError::Panic("render thread panicked".into())))
    })
}

/// Write the report as a plain typst project into `dir` (built-in templates,
/// bundled fonts under `fonts/`, `data.json`): the equivalent source that
/// the stock typst CLI compiles with
/// `typst compile --root DIR --font-path DIR/fonts DIR/report.typ`.
/// Used by the benchmark; handy to debug a template.
pub fn write_typst_project(
    doc: &Document,
    opts: &ReportOptions,
    dir: &Path,
) -> std::io::Result<()> {
    for (vpath, text) in world::BUILTIN_TEMPLATES {
        let p = dir.join(vpath.trim_start_matches('/'));
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        crate::fsutil::write_atomic(&p, text.as_bytes())?;
    }
    for (path, bytes) in world::BUNDLED_FONTS {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        crate::fsutil::write_atomic(&p, bytes)?;
    }
    let (figures, _) = data::figures(doc);
    for (vpath, bytes) in data::figure_files(doc, &figures) {
        let p = dir.join(vpath.trim_start_matches('/'));
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        crate::fsutil::write_atomic(&p, &bytes)?;
    }
    let data = data::report_data_bytes(doc, opts).map_err(std::io::Error::other)?;
    crate::fsutil::write_atomic(&dir.join(DATA_PATH.trim_start_matches('/')), &data)
}

/// Render the report and write it atomically to `out`.
pub fn render_report_to(
    engine: &Engine,
    doc: &Document,
    opts: &ReportOptions,
    out: &Path,
) -> Result<Rendered, RenderError> {
    let r = render_report(engine, doc, opts)?;
    crate::fsutil::write_atomic(out, &r.pdf).map_err(|source| RenderError::Write {
        path: out.display().to_string(),
        source,
    })?;
    Ok(r)
}
