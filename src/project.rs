//! The project file `bpf.toml`: everything `bpfpress build` needs to know
//! about one BPF output, in one place.
//!
//! Takes the text of a `bpf.toml` (and the folder it sits in); gives a
//! validated [`Project`] with paths resolved against that folder, or a
//! [`ProjectError`] that names the file, the key and the reason.
//!
//! ```toml
//! [bpf]
//! name = "BPF on BPFs"               # required
//! year = 2020                        # required, the IGF year
//!
//! [report]
//! path = "report.docx"               # required: DOCX, PDF or Markdown
//! title = "…"                        # the report's title, when the draft's is missing or wrong
//! url = "https://www.intgovforum.org/…"   # where the final report is published
//! meeting_date = "2020-11-02"        # annual meeting (six-weeks rule)
//! editors = ["Markus Kummer", "Wim Degezelle"]  # overrides the draft's own
//! takeaways = "takeaways.md"         # used when the report has no takeaways section
//!
//! [signatory]                        # signs the cover letters on behalf of the BPF
//! name = "Wim Degezelle"
//! role = "IGF consultant, BPF on BPFs"
//!
//! [recipients]
//! file = "institutions.csv"
//!
//! [output]
//! dir = "dist"                       # default "dist"
//! standard = "pdf-ua-1"              # none | pdf-ua-1 | pdf-a-2b (default pdf-ua-1)
//! paper = "a4"                       # a4 | letter (default a4)
//! templates = "templates"            # a customised template folder (default: bundled)
//!
//! [summaries]                        # the year's compilation (`bpfpress summaries`)
//! year = 2020                        # the IGF year on the cover (default: the reports')
//! title = "…"                        # the publication's title (default: "IGF <year> Best Practice Forums")
//! output = "summaries.pdf"           # in the output folder (default summaries.pdf)
//! urls = "urls.csv"                  # report,url[,bpf] rows: where each report is published
//! reports = [                        # required: files, folders, BPF project folders
//!   "reports/cybersecurity.docx",
//!   { path = "reports/gender.pdf", url = "https://…", bpf = "BPF Gender and Digital Rights" },
//!   "../bpf-local-content",          # a BPF project folder: its report, report.url and bpf.name
//! ]
//!
//! [smtp]                             # used only with --send
//! host = "smtp.example.org"
//! port = 587
//! tls = "starttls"                   # none | starttls | tls
//! user = "bpf@example.org"
//! password_env = "BPFPRESS_SMTP_PASSWORD"   # the password is read from this variable
//! from = "IGF Secretariat <igf@example.org>"
//! ```
//!
//! A project has `[report]` (one BPF's output; `[bpf]` is then required),
//! `[summaries]` (the Secretariat's yearly compilation of several BPFs'
//! reports), or both. Unknown keys are errors (a typo must not be silently
//! ignored), and so is a `password` key anywhere: secrets never live in the
//! project file.

use crate::dates::Date;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Name of the project file in a project folder.
pub const PROJECT_FILE: &str = "bpf.toml";

/// A problem with a project file.
#[derive(Debug, thiserror::Error)]
pub enum ProjectError {
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("{}: `{key}`: {reason}", path.display())]
    Invalid {
        path: PathBuf,
        key: String,
        reason: String,
    },
}

/// The raw file, as written. See the module doc for the format.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// Required with `[report]`.
    #[serde(default)]
    pub bpf: Option<BpfSection>,
    /// One BPF's output report (a project has this, `[summaries]`, or both).
    #[serde(default)]
    pub report: Option<ReportSection>,
    #[serde(default)]
    pub signatory: Option<Signatory>,
    #[serde(default)]
    pub recipients: Option<RecipientsSection>,
    #[serde(default)]
    pub output: OutputSection,
    #[serde(default)]
    pub smtp: Option<SmtpSection>,
    /// The year's compilation of several BPF output reports.
    #[serde(default)]
    pub summaries: Option<SummariesSection>,
    /// `[check]`: element number → the heading of the section that serves
    /// it (`8 = "Loose ends"`); the check still judges its substance.
    #[serde(default)]
    pub check: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BpfSection {
    pub name: String,
    pub year: u16,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportSection {
    pub path: PathBuf,
    /// The report's title, instead of the draft's (its cover, PDF
    /// metadata, letters and press release).
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub meeting_date: Option<String>,
    #[serde(default)]
    pub editors: Vec<String>,
    /// A takeaways file (Markdown or text), used when the report has no
    /// takeaways section of its own.
    #[serde(default)]
    pub takeaways: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Signatory {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RecipientsSection {
    pub file: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutputSection {
    #[serde(default = "default_dir")]
    pub dir: PathBuf,
    #[serde(default = "default_standard")]
    pub standard: String,
    #[serde(default = "default_paper")]
    pub paper: String,
    #[serde(default)]
    pub templates: Option<PathBuf>,
}

impl Default for OutputSection {
    fn default() -> Self {
        OutputSection {
            dir: default_dir(),
            standard: default_standard(),
            paper: default_paper(),
            templates: None,
        }
    }
}

fn default_dir() -> PathBuf {
    PathBuf::from("dist")
}
fn default_standard() -> String {
    "pdf-ua-1".into()
}
fn default_paper() -> String {
    "a4".into()
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmtpSection {
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub tls: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    /// Name of the environment variable holding the password.
    #[serde(default)]
    pub password_env: Option<String>,
    pub from: String,
}

/// `[summaries]`: the reports of the year's compilation and how to present
/// them.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SummariesSection {
    /// The IGF year on the cover.
    #[serde(default)]
    pub year: Option<u16>,
    /// The publication's title.
    #[serde(default)]
    pub title: Option<String>,
    /// The PDF, relative to the output folder (default `summaries.pdf`).
    #[serde(default)]
    pub output: Option<PathBuf>,
    /// A CSV file of `report,url[,bpf]` rows.
    #[serde(default)]
    pub urls: Option<PathBuf>,
    /// Report files, folders of reports, or BPF project folders, in the
    /// order they appear in the publication.
    pub reports: Vec<SummaryReport>,
}

/// One entry of `summaries.reports`: a path (`"r.docx"`) or a table
/// (`{ path = "r.docx", url = "https://…", bpf = "BPF …" }`).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct SummaryReport {
    pub path: PathBuf,
    pub url: Option<String>,
    pub bpf: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SummaryReportTable {
    path: PathBuf,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    bpf: Option<String>,
}

impl<'de> Deserialize<'de> for SummaryReport {
    /// A string or a table; a table's unknown keys are errors that name
    /// them (an untagged enum would only say that nothing matched).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = SummaryReport;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a path, or a table with `path` and optional `url` and `bpf`")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<SummaryReport, E> {
                Ok(SummaryReport {
                    path: PathBuf::from(s),
                    ..SummaryReport::default()
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<SummaryReport, A::Error> {
                let t = SummaryReportTable::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )?;
                Ok(SummaryReport {
                    path: t.path,
                    url: t.url,
                    bpf: t.bpf,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// A validated project: the file plus the folder its relative paths start from.
#[derive(Debug, Clone, PartialEq)]
pub struct Project {
    /// The folder holding `bpf.toml`.
    pub dir: PathBuf,
    /// Path of the project file itself.
    pub file: PathBuf,
    pub config: ProjectFile,
}

impl Project {
    /// Load `DIR/bpf.toml` (or the file itself when `path` is a file).
    pub fn load(path: &Path) -> Result<Project, ProjectError> {
        let file = if path.is_dir() {
            path.join(PROJECT_FILE)
        } else {
            path.to_path_buf()
        };
        let text = std::fs::read_to_string(&file).map_err(|source| ProjectError::Io {
            path: file.clone(),
            source,
        })?;
        let dir = file
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        Project::parse(&text, &file, &dir)
    }

    /// Parse and validate project-file text. `file` names it in errors;
    /// relative paths resolve against `dir`.
    pub fn parse(text: &str, file: &Path, dir: &Path) -> Result<Project, ProjectError> {
        let invalid = |key: &str, reason: String| ProjectError::Invalid {
            path: file.to_path_buf(),
            key: key.to_string(),
            reason,
        };
        // A password anywhere is refused before anything else, with its own message.
        let raw: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| ProjectError::Syntax {
                path: file.to_path_buf(),
                message: e.to_string().trim_end().to_string(),
            })?;
        if let Some(key) = find_password_key(&raw, "") {
            return Err(invalid(
                &key,
                "passwords never go in the project file; set `smtp.password_env` to the name \
                 of an environment variable that holds it"
                    .into(),
            ));
        }
        let config: ProjectFile = toml::from_str(text).map_err(|e| ProjectError::Syntax {
            path: file.to_path_buf(),
            message: e.to_string().trim_end().to_string(),
        })?;

        if config.report.is_none() && config.summaries.is_none() {
            return Err(invalid(
                "report",
                "the project needs a [report] section (one BPF's output report) or a \
                 [summaries] section (the year's compilation of several reports)"
                    .into(),
            ));
        }
        if let Some(bpf) = &config.bpf {
            if bpf.name.trim().is_empty() {
                return Err(invalid("bpf.name", "must not be empty".into()));
            }
            if !(2006..=2100).contains(&bpf.year) {
                return Err(invalid(
                    "bpf.year",
                    format!("{} is not an IGF year (2006 or later)", bpf.year),
                ));
            }
        }
        if let Some(report) = &config.report {
            if config.bpf.is_none() {
                return Err(invalid(
                    "bpf",
                    "a project with a [report] needs a [bpf] section with the Forum's `name` \
                     and `year`"
                        .into(),
                ));
            }
            if report.path.as_os_str().is_empty() {
                return Err(invalid("report.path", "must name the report file".into()));
            }
            if let Some(d) = &report.meeting_date
                && let Err(e) = Date::parse(d)
            {
                return Err(invalid("report.meeting_date", e.to_string()));
            }
            if let Some(u) = &report.url
                && !is_http_url(u)
            {
                return Err(invalid(
                    "report.url",
                    format!("`{u}` is not an http(s) URL"),
                ));
            }
        }
        if let Some(s) = &config.summaries {
            validate_summaries(s).map_err(|(key, reason)| invalid(&key, reason))?;
        }
        if !matches!(
            config.output.standard.as_str(),
            "none" | "pdf-ua-1" | "pdf-a-2b"
        ) {
            return Err(invalid(
                "output.standard",
                format!(
                    "`{}` is not one of none, pdf-ua-1, pdf-a-2b",
                    config.output.standard
                ),
            ));
        }
        if !matches!(config.output.paper.as_str(), "a4" | "letter") {
            return Err(invalid(
                "output.paper",
                format!("`{}` is not one of a4, letter", config.output.paper),
            ));
        }
        if let Some(s) = &config.smtp {
            if s.host.trim().is_empty() {
                return Err(invalid("smtp.host", "must not be empty".into()));
            }
            if let Some(t) = &s.tls
                && !matches!(t.as_str(), "none" | "starttls" | "tls")
            {
                return Err(invalid(
                    "smtp.tls",
                    format!("`{t}` is not one of none, starttls, tls"),
                ));
            }
            if s.from.parse::<lettre::message::Mailbox>().is_err() {
                return Err(invalid(
                    "smtp.from",
                    format!(
                        "`{}` is not a valid mailbox (e.g. `Name <a@b.org>`)",
                        s.from
                    ),
                ));
            }
        }
        Ok(Project {
            dir: dir.to_path_buf(),
            file: file.to_path_buf(),
            config,
        })
    }

    /// Resolve a project-relative path.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.dir.join(p)
        }
    }

    /// The report of `[report]`, if the project has one.
    pub fn report_path(&self) -> Option<PathBuf> {
        self.config.report.as_ref().map(|r| self.resolve(&r.path))
    }

    pub fn takeaways_path(&self) -> Option<PathBuf> {
        self.config
            .report
            .as_ref()
            .and_then(|r| r.takeaways.as_ref())
            .map(|t| self.resolve(t))
    }

    pub fn output_dir(&self) -> PathBuf {
        self.resolve(&self.config.output.dir)
    }

    pub fn recipients_path(&self) -> Option<PathBuf> {
        self.config
            .recipients
            .as_ref()
            .map(|r| self.resolve(&r.file))
    }

    pub fn template_dir(&self) -> Option<PathBuf> {
        self.config
            .output
            .templates
            .as_ref()
            .map(|t| self.resolve(t))
    }
}

/// An `http://` or `https://` address (any case) without spaces.
pub fn is_http_url(u: &str) -> bool {
    let lower = u.to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && u.len() > "http://".len()
        && !u.contains(char::is_whitespace)
}

/// `[summaries]`: the key and the reason of the first bad value.
fn validate_summaries(s: &SummariesSection) -> Result<(), (String, String)> {
    if let Some(y) = s.year
        && !(2006..=2100).contains(&y)
    {
        return Err((
            "summaries.year".into(),
            format!("{y} is not an IGF year (2006 or later)"),
        ));
    }
    if s.title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(("summaries.title".into(), "must not be empty".into()));
    }
    if let Some(o) = &s.output
        && !o
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
    {
        return Err((
            "summaries.output".into(),
            format!(
                "`{}` must be a file name inside the output folder (no `..`, not absolute)",
                o.display()
            ),
        ));
    }
    if s.reports.is_empty() {
        return Err((
            "summaries.reports".into(),
            "lists no reports; name the report files, folders or BPF project folders".into(),
        ));
    }
    for (i, r) in s.reports.iter().enumerate() {
        let key = |k: &str| format!("summaries.reports[{}].{k}", i + 1);
        if r.path.as_os_str().is_empty() {
            return Err((key("path"), "must name a report file or folder".into()));
        }
        if let Some(u) = &r.url
            && !is_http_url(u)
        {
            return Err((key("url"), format!("`{u}` is not an http(s) URL")));
        }
        if r.bpf.as_deref().is_some_and(|b| b.trim().is_empty()) {
            return Err((key("bpf"), "must not be empty".into()));
        }
    }
    Ok(())
}

fn find_password_key(table: &toml::Table, prefix: &str) -> Option<String> {
    for (k, v) in table {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if k.eq_ignore_ascii_case("password") || k.eq_ignore_ascii_case("pass") {
            return Some(path);
        }
        if let toml::Value::Table(t) = v
            && let Some(found) = find_password_key(t, &path)
        {
            return Some(found);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Project, ProjectError> {
        Project::parse(s, Path::new("proj/bpf.toml"), Path::new("proj"))
    }

    const MINIMAL: &str = "[bpf]\nname = \"BPF on BPFs\"\nyear = 2020\n[report]\npath = \"r.md\"\n";

    #[test]
    fn minimal_file_gets_defaults_and_resolves_paths() {
        let p = parse(MINIMAL).unwrap();
        assert_eq!(p.config.output.standard, "pdf-ua-1");
        assert_eq!(p.config.output.paper, "a4");
        assert_eq!(p.report_path().as_deref(), Some(Path::new("proj/r.md")));
        assert_eq!(p.output_dir(), Path::new("proj/dist"));
        assert!(p.recipients_path().is_none());
    }

    #[test]
    fn unknown_key_is_named_with_its_line() {
        let e = parse(&format!("{MINIMAL}[output]\nstandrad = \"pdf-ua-1\"\n"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("proj/bpf.toml"), "{e}");
        assert!(e.contains("standrad"), "{e}");
        assert!(e.contains("line 7"), "{e}");
    }

    #[test]
    fn a_summaries_project_needs_no_report_and_names_bad_entries() {
        let p = parse(
            "[summaries]\nyear = 2026\nurls = \"urls.csv\"\nreports = [\n  \"a.docx\",\n  \
             { path = \"b.pdf\", url = \"https://example.org/b\", bpf = \"BPF B\" },\n]\n",
        )
        .unwrap();
        assert!(p.config.report.is_none() && p.config.bpf.is_none());
        assert_eq!(p.report_path(), None);
        let s = p.config.summaries.unwrap();
        assert_eq!(s.year, Some(2026));
        assert_eq!(s.reports[0].path, Path::new("a.docx"));
        assert_eq!(s.reports[1].url.as_deref(), Some("https://example.org/b"));
        assert_eq!(s.reports[1].bpf.as_deref(), Some("BPF B"));

        for (text, key) in [
            ("[summaries]\nreports = []\n", "`summaries.reports`"),
            (
                "[summaries]\nyear = 1999\nreports = [\"a.md\"]\n",
                "`summaries.year`",
            ),
            (
                "[summaries]\nreports = [\"a.md\", { path = \"b.md\", url = \"www.x.org\" }]\n",
                "`summaries.reports[2].url`",
            ),
            (
                "[summaries]\ntitle = \" \"\nreports = [\"a.md\"]\n",
                "`summaries.title`",
            ),
            (
                "[summaries]\noutput = \"../x.pdf\"\nreports = [\"a.md\"]\n",
                "`summaries.output`",
            ),
            ("[bpf]\nname = \"B\"\nyear = 2026\n", "`report`"),
            ("[report]\npath = \"r.md\"\n", "`bpf`"),
        ] {
            let e = parse(text).unwrap_err().to_string();
            assert!(e.contains(key), "{key}: {e}");
        }
        // A table entry's unknown key is named with its line.
        let e = parse("[summaries]\nreports = [\n  { path = \"a.md\", ulr = \"x\" },\n]\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("ulr") && e.contains("line 3"), "{e}");
    }

    #[test]
    fn password_in_file_is_refused() {
        let e = parse(&format!(
            "{MINIMAL}[smtp]\nhost = \"h\"\nfrom = \"a@b.org\"\npassword = \"hunter2\"\n"
        ))
        .unwrap_err()
        .to_string();
        assert!(e.contains("`smtp.password`"), "{e}");
        assert!(e.contains("password_env"), "{e}");
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn bad_values_name_their_key() {
        for (extra, key) in [
            ("[output]\nstandard = \"pdf-x\"\n", "output.standard"),
            ("[output]\npaper = \"a5\"\n", "output.paper"),
            (
                "[smtp]\nhost = \"h\"\nfrom = \"not a mailbox\"\n",
                "smtp.from",
            ),
            (
                "[smtp]\nhost = \"h\"\nfrom = \"a@b.org\"\ntls = \"ssl3\"\n",
                "smtp.tls",
            ),
        ] {
            let e = parse(&format!("{MINIMAL}{extra}")).unwrap_err().to_string();
            assert!(e.contains(&format!("`{key}`")), "{key}: {e}");
        }
        let e = parse(&MINIMAL.replace("[report]", "[report]\nmeeting_date = \"2020-02-30\""))
            .unwrap_err()
            .to_string();
        assert!(e.contains("report.meeting_date"), "{e}");
        let e = parse(&MINIMAL.replace("2020", "1999"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("bpf.year"), "{e}");
    }
}
