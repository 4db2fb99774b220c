//! Printing check reports: a terminal table (optionally coloured), Markdown
//! for an email to the drafting team, and the versioned JSON envelope.
//! Takes [`CheckReport`]s; gives strings. Deciding *whether* to colour (tty,
//! `NO_COLOR`) is the caller's job.

use super::{
    CHECK_SCHEMA_VERSION, CheckReport, Checklist, ElementResult, Finding, Severity, Verdict,
};
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// Occurrences shown per finding in text and Markdown (JSON has them all, up to
/// [`super::hygiene::MAX_ITEMS`]).
const SHOWN_ITEMS: usize = 5;

/// A file that could not be checked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileError {
    pub path: String,
    pub error: String,
}

/// Which checklist a run used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChecklistInfo {
    pub name: String,
    pub version: u32,
    pub origin: String,
}

/// The top-level JSON object of `bpfpress check --format json`, the same
/// shape for one file or many. Documented in `docs/check.md`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JsonOutput {
    /// [`CHECK_SCHEMA_VERSION`].
    pub schema_version: u32,
    pub checklist: ChecklistInfo,
    pub reports: Vec<CheckReport>,
    /// Files that could not be read, with the reason.
    pub errors: Vec<FileError>,
    /// The process exit code (0, 1 or 2).
    pub exit_code: u8,
}

impl JsonOutput {
    pub fn new(
        checklist: &Checklist,
        reports: Vec<CheckReport>,
        errors: Vec<FileError>,
        exit_code: u8,
    ) -> Self {
        JsonOutput {
            schema_version: CHECK_SCHEMA_VERSION,
            checklist: ChecklistInfo {
                name: checklist.name.clone(),
                version: checklist.version,
                origin: checklist.origin.clone(),
            },
            reports,
            errors,
            exit_code,
        }
    }
}

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn verdict_color(v: Verdict) -> &'static str {
    match v {
        Verdict::Present => "32",
        Verdict::Weak => "33",
        Verdict::Missing => "31",
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "31",
        Severity::Warning => "33",
        Severity::Info => "36",
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn pad(s: &str, w: usize) -> String {
    let n = width(s);
    if n >= w {
        s.to_string()
    } else {
        format!("{s}{}", " ".repeat(w - n))
    }
}

fn clip(s: &str, max: usize) -> String {
    if width(s) <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

fn element_label(e: &ElementResult) -> String {
    if e.key {
        format!("{} (key)", e.short)
    } else {
        e.short.clone()
    }
}

fn header(r: &CheckReport) -> String {
    let title = r.title.as_deref().unwrap_or("(no title)");
    format!("{} — {} ({}, {} words)", r.source, title, r.format, r.words)
}

fn result_line(r: &CheckReport) -> String {
    let s = &r.summary;
    format!(
        "{}: {} present, {} weak, {} missing; {} error(s), {} warning(s), {} note(s)",
        if s.passed {
            "PASS"
        } else if !s.key_elements_present {
            "FAIL (a key element is not present)"
        } else {
            "FAIL (error findings)"
        },
        s.present,
        s.weak,
        s.missing,
        s.errors,
        s.warnings,
        s.infos
    )
}

/// The terminal table for one report.
pub fn text(r: &CheckReport, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", paint(color, "1", &header(r)));
    let _ = writeln!(out);
    let label_w = r
        .elements
        .iter()
        .map(|e| width(&element_label(e)))
        .max()
        .unwrap_or(7)
        .max(7);
    let _ = writeln!(
        out,
        "  {:>2}  {}  {:<9}  Where",
        "#",
        pad("Element", label_w),
        "Verdict"
    );
    for e in &r.elements {
        let v = format!("{} {}", e.verdict.symbol(), e.verdict.as_str());
        let where_ = if e.verdict == Verdict::Missing {
            String::new()
        } else {
            clip(&e.where_(), 90)
        };
        let _ = writeln!(
            out,
            "  {:>2}  {}  {}  {}",
            e.id,
            pad(&element_label(e), label_w),
            paint(color, verdict_color(e.verdict), &pad(&v, 9)),
            where_
        );
        let indent = " ".repeat(6 + label_w + 2 + 9 + 2);
        let _ = writeln!(out, "{indent}why: {}", clip(&e.reason, 160));
        if !e.advice.is_empty() {
            let _ = writeln!(out, "{indent}add: {}", clip(&e.advice, 160));
        }
    }
    let _ = writeln!(out);
    if r.findings.is_empty() {
        let _ = writeln!(out, "Hygiene: no findings");
    } else {
        let _ = writeln!(out, "Hygiene");
        let rule_w = r.findings.iter().map(|f| width(&f.rule)).max().unwrap_or(0);
        for f in &r.findings {
            let _ = writeln!(
                out,
                "  {}  {}  {}",
                paint(
                    color,
                    severity_color(f.severity),
                    &pad(f.severity.as_str(), 7)
                ),
                pad(&f.rule, rule_w),
                f.message
            );
            for it in f.items.iter().take(SHOWN_ITEMS) {
                let _ = writeln!(out, "      {}", item_line(it));
            }
            if f.count > SHOWN_ITEMS {
                let _ = writeln!(out, "      … and {} more", f.count - SHOWN_ITEMS);
            }
        }
    }
    if let Some(t) = &r.timing
        && t.on_time == Some(true)
    {
        let _ = writeln!(
            out,
            "  Public comment: draft dated {} is on time for the meeting on {} (deadline {}).",
            t.draft_date.as_deref().unwrap_or("?"),
            t.meeting_date,
            t.deadline
        );
    }
    let _ = writeln!(out);
    let line = result_line(r);
    let _ = writeln!(
        out,
        "{}",
        paint(color, if r.summary.passed { "32;1" } else { "31;1" }, &line)
    );
    out
}

fn item_line(it: &super::Item) -> String {
    let mut s = String::new();
    if let Some(l) = it.loc {
        let _ = write!(s, "{l}: ");
    }
    if let Some(a) = &it.author {
        let _ = write!(s, "[{a}] ");
    }
    s.push_str(&clip(&it.text, 110));
    s
}

fn md_escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => o.push_str("\\|"),
            '*' | '_' | '`' | '[' | ']' | '<' | '>' => {
                o.push('\\');
                o.push(c);
            }
            '\n' => o.push(' '),
            _ => o.push(c),
        }
    }
    o
}

/// Markdown for one report, ready to paste into an email.
pub fn markdown(r: &CheckReport) -> String {
    let mut out = String::new();
    let title = r.title.as_deref().unwrap_or("(no title)");
    let _ = writeln!(out, "## Draft check: {}\n", md_escape(title));
    let _ = writeln!(
        out,
        "File `{}` ({}, {} words), checked against the {}.\n",
        r.source.replace('`', "'"),
        r.format,
        r.words,
        md_escape(&r.checklist)
    );
    let _ = writeln!(out, "**{}**\n", md_escape(&result_line(r)));
    let _ = writeln!(out, "| # | Element | Verdict | Where | Why | What to add |");
    let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
    for e in &r.elements {
        let where_ = if e.verdict == Verdict::Missing {
            String::new()
        } else {
            e.where_()
        };
        let _ = writeln!(
            out,
            "| {} | {}{} | {} {}{} | {} | {} | {} |",
            e.id,
            md_escape(&e.wording),
            if e.key { " *(key)*" } else { "" },
            e.verdict.symbol(),
            e.verdict.as_str(),
            if e.mapped { " (mapped)" } else { "" },
            md_escape(&where_),
            md_escape(&e.reason),
            md_escape(&e.advice)
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "### Draft hygiene\n");
    if r.findings.is_empty() {
        let _ = writeln!(out, "No findings.");
    }
    for f in &r.findings {
        md_finding(&mut out, f);
    }
    if let Some(t) = &r.timing {
        let _ = writeln!(
            out,
            "\nPublic comment: meeting {}, draft due by {}, draft dated {} — {}.",
            t.meeting_date,
            t.deadline,
            t.draft_date.as_deref().unwrap_or("(no date)"),
            match t.on_time {
                Some(true) => "on time",
                Some(false) => "late",
                None => "cannot tell",
            }
        );
    }
    out
}

fn md_finding(out: &mut String, f: &Finding) {
    let _ = writeln!(
        out,
        "- **{}** `{}`: {}",
        f.severity.as_str(),
        f.rule,
        md_escape(&f.message)
    );
    for it in f.items.iter().take(SHOWN_ITEMS) {
        let _ = writeln!(out, "  - {}", md_escape(&item_line(it)));
    }
    if f.count > SHOWN_ITEMS {
        let _ = writeln!(out, "  - … and {} more", f.count - SHOWN_ITEMS);
    }
}

/// One row of the summary matrix: source, verdict per element id, summary.
type MatrixRow<'a> = (String, Vec<Verdict>, &'a crate::check::Summary);

/// The element ids (columns, in first-seen order) and one row per report.
fn matrix_rows(reports: &[CheckReport]) -> (Vec<u32>, Vec<MatrixRow<'_>>) {
    let mut ids: Vec<u32> = Vec::new();
    for r in reports {
        for e in &r.elements {
            if !ids.contains(&e.id) {
                ids.push(e.id);
            }
        }
    }
    let rows = reports
        .iter()
        .map(|r| {
            let vs = ids
                .iter()
                .map(|id| {
                    r.element(*id)
                        .map(|e| e.verdict)
                        .unwrap_or(Verdict::Missing)
                })
                .collect();
            (r.source.clone(), vs, &r.summary)
        })
        .collect();
    (ids, rows)
}

/// The summary matrix (report × element) for a batch, terminal style.
pub fn matrix_text(reports: &[CheckReport], errors: &[FileError], color: bool) -> String {
    let mut out = String::new();
    let (ids, rows) = matrix_rows(reports);
    let name_w = rows
        .iter()
        .map(|r| width(&r.0))
        .chain(errors.iter().map(|e| width(&e.path)))
        .max()
        .unwrap_or(6)
        .max(6);
    let _ = write!(out, "{}", paint(color, "1", &pad("Report", name_w)));
    for id in &ids {
        let _ = write!(out, " {id:>2}");
    }
    let _ = writeln!(out, "  errors  result");
    for (name, vs, s) in &rows {
        let _ = write!(out, "{}", pad(name, name_w));
        for v in vs {
            let _ = write!(out, "  {}", paint(color, verdict_color(*v), v.symbol()));
        }
        let res = if s.passed { "pass" } else { "FAIL" };
        let _ = writeln!(
            out,
            "  {:>6}  {}",
            s.errors,
            paint(color, if s.passed { "32" } else { "31" }, res)
        );
    }
    for e in errors {
        let _ = writeln!(
            out,
            "{}  {}",
            pad(&e.path, name_w),
            paint(color, "31", "unreadable")
        );
    }
    let _ = writeln!(out, "\n✓ present  ~ weak  ✗ missing");
    out
}

/// The summary matrix as a Markdown table.
pub fn matrix_markdown(reports: &[CheckReport], errors: &[FileError]) -> String {
    let mut out = String::new();
    let (ids, rows) = matrix_rows(reports);
    let _ = write!(out, "| Report |");
    for id in &ids {
        let _ = write!(out, " {id} |");
    }
    let _ = writeln!(out, " Errors | Result |");
    let _ = write!(out, "| --- |");
    for _ in &ids {
        let _ = write!(out, " :-: |");
    }
    let _ = writeln!(out, " --: | --- |");
    for (name, vs, s) in &rows {
        let _ = write!(out, "| `{}` |", name.replace('`', "'"));
        for v in vs {
            let _ = write!(out, " {} |", v.symbol());
        }
        let _ = writeln!(
            out,
            " {} | {} |",
            s.errors,
            if s.passed { "pass" } else { "**fail**" }
        );
    }
    for e in errors {
        let _ = write!(out, "| `{}` |", e.path.replace('`', "'"));
        for _ in &ids {
            let _ = write!(out, "  |");
        }
        let _ = writeln!(out, " | unreadable: {} |", md_escape(&e.error));
    }
    let _ = writeln!(out, "\n✓ present · ~ weak · ✗ missing");
    out
}

/// Markdown for a run: each report, then for several files the summary
/// matrix (what `bpfpress check --format markdown` prints, and the web
/// page's download).
pub fn markdown_batch(reports: &[CheckReport], errors: &[FileError]) -> String {
    let mut s = reports.iter().map(markdown).collect::<Vec<_>>().join("\n");
    if reports.len() + errors.len() > 1 {
        s.push_str("\n## Summary\n\n");
        s.push_str(&matrix_markdown(reports, errors));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{CheckOptions, check};
    use crate::model::{Block, Document, Format, Inline, Location};

    fn report() -> CheckReport {
        let mut d = Document::new("drafts/a|b.md", Format::Markdown);
        d.meta.title = Some("BPF | Draft".into());
        d.blocks.push(Block::Heading {
            loc: Location::Line(3),
            level: 1,
            label: None,
            text: "Case studies".into(),
        });
        d.blocks.push(Block::Paragraph {
            loc: Location::Line(5),
            inlines: vec![
                // One thin sentence (weak), then a placeholder: a body of
                // placeholders only would make the element missing.
                Inline::text("A case study came from a library in Kisumu. TODO add the cases. "),
                Inline::Link {
                    target: "#".into(),
                    text: "a link".into(),
                },
            ],
        });
        d.finish();
        check(&d, &Checklist::builtin(), &CheckOptions::default())
    }

    #[test]
    fn text_table_colours_only_when_asked() {
        let r = report();
        let plain = text(&r, false);
        assert!(!plain.contains('\x1b'));
        assert!(plain.contains("~ weak"), "{plain}");
        assert!(plain.contains("Case studies (line 3)"), "{plain}");
        assert!(
            plain.contains("placeholder") && plain.contains("line 5: \"TODO\""),
            "{plain}"
        );
        assert!(
            plain.contains("FAIL (a key element is not present)"),
            "{plain}"
        );
        let coloured = text(&r, true);
        assert!(coloured.contains("\x1b[33m~ weak"), "{coloured}");
    }

    #[test]
    fn markdown_escapes_table_cells() {
        let md = markdown(&report());
        assert!(md.starts_with("## Draft check: BPF \\| Draft\n"), "{md}");
        assert!(md.contains("| 3 | Compilation of collected case studies and/or best practices *(key)* | ~ weak |"), "{md}");
        assert!(md.contains("- **error** `placeholder`"), "{md}");
        assert!(md.contains("\\[a link\\](#)"), "{md}");
        // Every table row has the same number of unescaped cell separators.
        for line in md.lines().filter(|l| l.starts_with("| ")) {
            let cells = line.replace("\\|", "").matches('|').count();
            assert_eq!(cells, 7, "{line}");
        }
    }

    #[test]
    fn matrix_has_a_row_per_report_and_error() {
        let r = report();
        let errors = vec![FileError {
            path: "bad.docx".into(),
            error: "is empty (0 bytes)".into(),
        }];
        let m = matrix_text(std::slice::from_ref(&r), &errors, false);
        let lines: Vec<&str> = m.lines().collect();
        assert!(lines[0].starts_with("Report") && lines[0].contains(" 10"));
        assert!(lines[1].starts_with("drafts/a|b.md") && lines[1].contains("FAIL"));
        assert!(lines[2].starts_with("bad.docx") && lines[2].contains("unreadable"));
        let md = matrix_markdown(&[r], &errors);
        assert!(md.contains("| `bad.docx` |"));
        assert!(md.contains("unreadable: is empty (0 bytes)"));
    }
}
