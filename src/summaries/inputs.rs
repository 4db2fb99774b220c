//! The reports of a compilation, as listed: files, folders of reports and
//! BPF project folders, and what is known about each before it is read
//! (where it is published, the Forum's name).
//!
//! Takes the listing (`bpfpress summaries FILE|DIR…` or `summaries.reports`
//! of `bpf.toml`) and an optional URLs file; gives [`ReportInput`]s in
//! publication order, and one problem per listed path that names no report.
//!
//! - A **file** is one report (read later; a file that cannot be read is
//!   named then and left out).
//! - A **BPF project folder** (one holding `bpf.toml` with a `[report]`)
//!   is its report, with `report.url`, `bpf.name` and `report.takeaways`
//!   of that project: the report's own metadata in bpfpress terms.
//! - Any other **folder** gives the drafts in it (`.docx`, `.pdf`, `.md`,
//!   `.markdown`, `.txt`), recursively, sorted by path; a sub-folder that
//!   is a BPF project gives its report only (never its `dist/` outputs).
//!
//! Where a report is published and which Forum wrote it come, first found
//! first: the listing's own `url`/`bpf` (a table entry of
//! `summaries.reports`), the URLs file (`--urls`, `summaries.urls`), the
//! report's BPF project. The Forum's name may also be quoted from the
//! report itself (`super::bpf_from_text`).

use super::SummariesError;
use crate::project::{PROJECT_FILE, Project, SummaryReport, is_http_url};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// File name endings read as reports in a folder.
pub const REPORT_EXTENSIONS: [&str; 5] = ["docx", "pdf", "md", "markdown", "txt"];

/// Largest URLs file read.
pub const MAX_URLS_FILE: u64 = 1 << 20;

/// What one source says about a report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    pub url: Option<String>,
    pub bpf: Option<String>,
}

/// One report of the compilation, before it is read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportInput {
    /// The file to read.
    pub path: PathBuf,
    /// How messages name it (the path as listed or resolved).
    pub shown: String,
    /// From the listing itself (a `summaries.reports` table entry).
    pub listed: Known,
    /// From the URLs file.
    pub urls_file: Known,
    /// From the report's BPF project (`report.url`, `bpf.name`).
    pub project: Known,
    /// The BPF project's takeaways file (`report.takeaways`).
    pub takeaways: Option<PathBuf>,
}

impl ReportInput {
    /// A report file with nothing known about it yet.
    pub fn file(path: impl Into<PathBuf>) -> ReportInput {
        let path = path.into();
        ReportInput {
            shown: path.display().to_string(),
            path,
            listed: Known::default(),
            urls_file: Known::default(),
            project: Known::default(),
            takeaways: None,
        }
    }

    /// Where the report is published: the listing, the URLs file, its project.
    pub fn url(&self) -> Option<&str> {
        self.listed
            .url
            .as_deref()
            .or(self.urls_file.url.as_deref())
            .or(self.project.url.as_deref())
    }

    /// The Forum's name, when a source gives it.
    pub fn bpf(&self) -> Option<&str> {
        self.listed
            .bpf
            .as_deref()
            .or(self.urls_file.bpf.as_deref())
            .or(self.project.bpf.as_deref())
    }
}

/// A listed path that gives no report, and why.
#[derive(Debug)]
pub struct Unlisted {
    pub path: PathBuf,
    pub error: SummariesError,
}

/// The reports the listing names, in order, and the listed paths that name
/// none. A report listed twice (the same file) is kept once.
pub fn expand(listing: &[SummaryReport]) -> (Vec<ReportInput>, Vec<Unlisted>) {
    let mut out: Vec<ReportInput> = Vec::new();
    let mut problems = Vec::new();
    for entry in listing {
        let before = out.len();
        let found = if entry.path.is_dir() {
            folder(&entry.path, &mut out)
        } else {
            out.push(ReportInput::file(&entry.path));
            Ok(())
        };
        if let Err(error) = found {
            problems.push(Unlisted {
                path: entry.path.clone(),
                error,
            });
            continue;
        }
        let listed = Known {
            url: entry.url.clone(),
            bpf: entry.bpf.clone(),
        };
        if listed != Known::default() {
            let reports = out.len() - before;
            if reports != 1 {
                out.truncate(before);
                problems.push(Unlisted {
                    path: entry.path.clone(),
                    error: SummariesError::ListedFolder { reports },
                });
                continue;
            }
            if let Some(r) = out.last_mut() {
                r.listed = listed;
            }
        }
    }
    // The same file listed twice (directly and through its folder, say).
    let mut seen: Vec<PathBuf> = Vec::new();
    out.retain(|r| {
        let key = std::fs::canonicalize(&r.path).unwrap_or_else(|_| r.path.clone());
        if seen.contains(&key) {
            false
        } else {
            seen.push(key);
            true
        }
    });
    (out, problems)
}

/// The reports of a folder: its project's report, or the drafts in it.
fn folder(dir: &Path, out: &mut Vec<ReportInput>) -> Result<(), SummariesError> {
    if dir.join(PROJECT_FILE).is_file() {
        out.push(project_report(dir)?);
        return Ok(());
    }
    let before = out.len();
    walk(dir, out)?;
    out[before..].sort_by(|a, b| a.path.cmp(&b.path));
    if out.len() == before {
        return Err(SummariesError::EmptyFolder);
    }
    Ok(())
}

fn walk(dir: &Path, out: &mut Vec<ReportInput>) -> Result<(), SummariesError> {
    let entries = std::fs::read_dir(dir).map_err(|e| SummariesError::Folder(e.to_string()))?;
    for entry in entries.flatten() {
        let p = entry.path();
        let Ok(ft) = entry.file_type() else { continue };
        if ft.is_dir() {
            if p.join(PROJECT_FILE).is_file() {
                out.push(project_report(&p)?);
            } else {
                walk(&p, out)?;
            }
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| REPORT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            out.push(ReportInput::file(p));
        }
    }
    Ok(())
}

/// The report of a BPF project folder, with its URL, name and takeaways file.
fn project_report(dir: &Path) -> Result<ReportInput, SummariesError> {
    let project = Project::load(dir).map_err(SummariesError::Project)?;
    let (Some(path), Some(report)) = (project.report_path(), &project.config.report) else {
        return Err(SummariesError::ProjectWithoutReport {
            file: project.file.clone(),
        });
    };
    let mut input = ReportInput::file(path);
    input.project = Known {
        url: report.url.clone(),
        bpf: project.config.bpf.as_ref().map(|b| b.name.clone()),
    };
    input.takeaways = project.takeaways_path();
    Ok(input)
}

/// One row of a URLs file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRow {
    /// 1-based line in the file.
    pub line: u64,
    /// The report as the row names it: a path relative to the file's
    /// folder, or a file name.
    pub report: String,
    pub url: Option<String>,
    pub bpf: Option<String>,
}

/// Read a URLs file: CSV (UTF-8, comma-separated) with a header row naming
/// a `report` column (or `file`, `path`) and at least one of `url`, `bpf`;
/// other columns are ignored. Every URL must be `http(s)://`. Errors name
/// the line.
pub fn read_urls(path: &Path) -> Result<Vec<UrlRow>, SummariesError> {
    let io = |e: std::io::Error| SummariesError::Urls {
        line: None,
        reason: format!("cannot read: {e}"),
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.len() > MAX_URLS_FILE {
        return Err(SummariesError::Urls {
            line: None,
            reason: format!(
                "is {} bytes; a URLs file may have at most {MAX_URLS_FILE}",
                meta.len()
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    parse_urls(&bytes)
}

/// [`read_urls`] on bytes.
pub fn parse_urls(bytes: &[u8]) -> Result<Vec<UrlRow>, SummariesError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bad = |line: Option<u64>, reason: String| SummariesError::Urls { line, reason };
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = 1 + bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        return Err(bad(
            Some(line),
            "is not UTF-8 text; save the file as CSV UTF-8".into(),
        ));
    }
    let mut rd = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(bytes);
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| bad(Some(1), e.to_string()))?
        .iter()
        .map(|h| h.to_ascii_lowercase())
        .collect();
    let col = |names: &[&str]| header.iter().position(|h| names.contains(&h.as_str()));
    let report_col = col(&["report", "file", "path"]).ok_or_else(|| {
        bad(
            Some(1),
            format!(
                "the header row ({}) has no `report` column; write `report,url,bpf` on the first line",
                header.join(",")
            ),
        )
    })?;
    let url_col = col(&["url", "link"]);
    let bpf_col = col(&["bpf", "forum"]);
    if url_col.is_none() && bpf_col.is_none() {
        return Err(bad(
            Some(1),
            "the header row has neither a `url` nor a `bpf` column".into(),
        ));
    }
    let mut rows = Vec::new();
    let mut first_line: HashMap<String, u64> = HashMap::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| bad(e.position().map(|p| p.line()), e.to_string()))?;
        let line = rec.position().map(|p| p.line()).unwrap_or(0);
        let get = |c: Option<usize>| {
            c.and_then(|c| rec.get(c))
                .map(str::to_string)
                .filter(|s| !s.is_empty())
        };
        let Some(report) = get(Some(report_col)) else {
            if rec.iter().all(str::is_empty) {
                continue;
            }
            return Err(bad(Some(line), "names no report".into()));
        };
        let url = get(url_col);
        if let Some(u) = &url
            && !is_http_url(u)
        {
            return Err(bad(Some(line), format!("`{u}` is not an http(s) address")));
        }
        if let Some(prev) = first_line.insert(report.clone(), line) {
            return Err(bad(
                Some(line),
                format!("`{report}` is already listed on line {prev}"),
            ));
        }
        rows.push(UrlRow {
            line,
            report,
            url,
            bpf: get(bpf_col),
        });
    }
    Ok(rows)
}

/// Give each report what its row of the URLs file says. A row matches a
/// report whose path is the row's path (relative to `base`, the URLs
/// file's folder), or whose file name or listed name is the row's text.
/// Rows that match no report come back (for a warning).
pub fn apply_urls<'a>(
    reports: &mut [ReportInput],
    rows: &'a [UrlRow],
    base: &Path,
) -> Vec<&'a UrlRow> {
    let canon = |p: &Path| std::fs::canonicalize(p).ok();
    let keys: Vec<Option<PathBuf>> = reports.iter().map(|r| canon(&r.path)).collect();
    let mut unmatched = Vec::new();
    for row in rows {
        let as_path = canon(&base.join(&row.report));
        let mut matched = false;
        for (r, key) in reports.iter_mut().zip(&keys) {
            let by_path = as_path.is_some() && &as_path == key;
            let by_name = !row.report.contains(['/', '\\'])
                && r.path.file_name().is_some_and(|n| n == row.report.as_str());
            if by_path || by_name || r.shown == row.report {
                r.urls_file = Known {
                    url: row.url.clone(),
                    bpf: row.bpf.clone(),
                };
                matched = true;
            }
        }
        if !matched {
            unmatched.push(row);
        }
    }
    unmatched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_file_rows_lines_and_errors() {
        let rows = parse_urls(
            b"\xEF\xBB\xBFReport,URL,BPF,notes\n\
              cyber.docx, https://example.org/cyber ,BPF Cybersecurity,x\n\
              \n\
              sub/gender.pdf,,BPF Gender,\n",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].url.as_deref(), Some("https://example.org/cyber"));
        assert_eq!(rows[1].url, None);
        assert_eq!(rows[1].bpf.as_deref(), Some("BPF Gender"));

        let e = parse_urls(b"report,url\na.pdf,ftp://x\n").unwrap_err();
        assert_eq!(e.to_string(), "line 2: `ftp://x` is not an http(s) address");
        let e = parse_urls(b"name,url\na.pdf,https://x.org\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("line 1: the header row (name,url) has no `report`"),
            "{e}"
        );
        let e = parse_urls(b"report,url\na.pdf,https://x.org\na.pdf,https://y.org\n").unwrap_err();
        assert_eq!(e.to_string(), "line 3: `a.pdf` is already listed on line 2");
        let e = parse_urls(b"report,url\na.pdf,https://x.org\n\xff\n").unwrap_err();
        assert!(e.to_string().starts_with("line 3: is not UTF-8"), "{e}");
    }

    #[test]
    fn rows_match_by_path_or_file_name_and_the_listing_wins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("a")).unwrap();
        std::fs::create_dir(dir.path().join("b")).unwrap();
        for f in ["a/r.md", "b/r.md", "c.pdf"] {
            std::fs::write(dir.path().join(f), "x").unwrap();
        }
        let mut reports = vec![
            ReportInput::file(dir.path().join("a/r.md")),
            ReportInput::file(dir.path().join("b/r.md")),
            ReportInput::file(dir.path().join("c.pdf")),
        ];
        reports[2].listed.url = Some("https://listed.org".into());
        let rows = parse_urls(
            b"report,url\nb/r.md,https://b.org\nc.pdf,https://file.org\nnone.docx,https://n.org\n",
        )
        .unwrap();
        let unmatched = apply_urls(&mut reports, &rows, dir.path());
        assert_eq!(reports[0].url(), None);
        assert_eq!(reports[1].url(), Some("https://b.org"));
        assert_eq!(reports[2].url(), Some("https://listed.org"));
        assert_eq!(unmatched.len(), 1);
        assert_eq!(unmatched[0].report, "none.docx");
    }

    #[test]
    fn folders_give_drafts_and_projects_give_their_report() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("year/bpf-x/dist")).unwrap();
        std::fs::write(d.join("year/b.docx"), "x").unwrap();
        std::fs::write(d.join("year/a.md"), "x").unwrap();
        std::fs::write(d.join("year/notes.odt"), "x").unwrap();
        std::fs::write(d.join("year/bpf-x/report.md"), "x").unwrap();
        std::fs::write(d.join("year/bpf-x/dist/report.pdf"), "x").unwrap();
        std::fs::write(
            d.join("year/bpf-x/bpf.toml"),
            "[bpf]\nname = \"BPF X\"\nyear = 2026\n[report]\npath = \"report.md\"\n\
             url = \"https://x.org/r\"\n",
        )
        .unwrap();
        std::fs::create_dir(d.join("empty")).unwrap();
        let listing = |p: &str| SummaryReport {
            path: d.join(p),
            ..SummaryReport::default()
        };
        let (reports, problems) = expand(&[
            listing("year"),
            listing("year/a.md"),
            listing("empty"),
            SummaryReport {
                url: Some("https://y.org".into()),
                ..listing("year")
            },
        ]);
        let names: Vec<String> = reports
            .iter()
            .map(|r| r.path.strip_prefix(d).unwrap().display().to_string())
            .collect();
        assert_eq!(names, ["year/a.md", "year/b.docx", "year/bpf-x/report.md"]);
        assert_eq!(reports[2].url(), Some("https://x.org/r"));
        assert_eq!(reports[2].bpf(), Some("BPF X"));
        assert_eq!(problems.len(), 2);
        assert!(matches!(problems[0].error, SummariesError::EmptyFolder));
        assert!(matches!(
            problems[1].error,
            SummariesError::ListedFolder { reports: 3 }
        ));
    }
}
