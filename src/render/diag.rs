//! typst diagnostics as bpfpress messages: severity, virtual file, line,
//! column, message, hints and the call trace. Never a machine path: files
//! are named by their path in the template folder (`/report.typ`).

use std::fmt;

use typst::World;
use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::syntax::{FileId, Span};

use super::Standard;

/// One diagnostic, resolved to a place in a template file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub error: bool,
    /// Virtual path of the file (`/report.typ`, `/data.json`), if known.
    pub file: Option<String>,
    /// 1-based line and column.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub hints: Vec<String>,
    /// Where the failing code was reached from, innermost first.
    pub trace: Vec<String>,
}

impl Diagnostic {
    /// A diagnostic with no place.
    pub fn plain(message: String) -> Diagnostic {
        Diagnostic {
            error: true,
            file: None,
            line: None,
            column: None,
            message,
            hints: Vec::new(),
            trace: Vec::new(),
        }
    }

    /// `file:line:col` or just the file, if known.
    pub fn place(&self) -> Option<String> {
        let file = self.file.as_ref()?;
        Some(match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
            (Some(l), None) => format!("{file}:{l}"),
            _ => file.clone(),
        })
    }
}

impl Diagnostic {
    /// Place, message, trace and hints, without the severity word.
    pub fn body(&self) -> String {
        let mut s = match self.place() {
            Some(p) => format!("{p}: {}", self.message),
            None => self.message.clone(),
        };
        for t in &self.trace {
            s.push_str("\n  ");
            s.push_str(t);
        }
        for h in &self.hints {
            s.push_str("\n  hint: ");
            s.push_str(h);
        }
        s
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = if self.error { "error" } else { "warning" };
        write!(f, "{severity}: {}", self.body())
    }
}

/// A heading line followed by the diagnostics, one per paragraph.
pub fn list(what: &str, diags: &[Diagnostic]) -> String {
    let mut s = format!("{what}:");
    for d in diags {
        s.push('\n');
        s.push_str(&d.to_string());
    }
    s
}

/// typst warnings that bpfpress treats as errors: font fallbacks.
pub fn is_font_warning(d: &SourceDiagnostic) -> bool {
    d.severity == Severity::Warning && {
        let m = d.message.to_lowercase();
        m.contains("font") || m.contains("glyph")
    }
}

/// Resolve typst diagnostics against `world`.
pub fn convert(world: &dyn World, diags: &[SourceDiagnostic]) -> Vec<Diagnostic> {
    diags
        .iter()
        .map(|d| {
            let (file, line, column) = locate(world, d.span.id(), world.range(d.span));
            let trace = d
                .trace
                .iter()
                .map(|t| {
                    let at = place_of(world, t.span)
                        .map(|p| format!(" at {p}"))
                        .unwrap_or_default();
                    format!("{}{at}", t.v)
                })
                .collect();
            let mut hints: Vec<String> = d.hints.iter().map(|h| h.v.to_string()).collect();
            if d.message.contains("file not found") {
                hints.push(
                    "templates can read only files inside the template folder and the \
                     virtual /data.json"
                        .into(),
                );
            }
            Diagnostic {
                error: d.severity == Severity::Error,
                file,
                line,
                column,
                message: d.message.to_string(),
                hints,
                trace,
            }
        })
        .collect()
}

fn place_of(world: &dyn World, span: Span) -> Option<String> {
    let (file, line, col) = locate(world, span.id(), world.range(span));
    let file = file?;
    Some(match (line, col) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        _ => file,
    })
}

type Place = (Option<String>, Option<usize>, Option<usize>);

fn locate(world: &dyn World, id: Option<FileId>, range: Option<std::ops::Range<usize>>) -> Place {
    let Some(id) = id else {
        return (None, None, None);
    };
    let file = Some(id.vpath().get_with_slash().to_string());
    let lc = range.and_then(|r| {
        let source = world.source(id).ok()?;
        source.lines().byte_to_line_column(r.start)
    });
    match lc {
        Some((l, c)) => (file, Some(l + 1), Some(c + 1)),
        None => (file, None, None),
    }
}

/// Add a bpfpress hint to an export error for a standard.
pub fn explain_export(mut d: Diagnostic, standard: Option<Standard>) -> Diagnostic {
    let m = d.message.to_lowercase();
    match standard {
        Some(Standard::PdfUa1) if m.contains("document title") => d.hints.push(
            "PDF/UA-1 needs a document title: the draft has none. Give the draft a title \
             (Word: File > Properties > Title, or a Title-styled first line; Markdown: a \
             first-level heading or YAML `title:`) or render without --standard"
                .into(),
        ),
        Some(Standard::PdfA2b) if m.contains("document date") => d.hints.push(
            "PDF/A-2b needs a document date: the draft has none. Add a date to the draft or \
             set SOURCE_DATE_EPOCH"
                .into(),
        ),
        _ => {}
    }
    d
}
