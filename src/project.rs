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
//! [smtp]                             # used only with --send
//! host = "smtp.example.org"
//! port = 587
//! tls = "starttls"                   # none | starttls | tls
//! user = "bpf@example.org"
//! password_env = "BPFPRESS_SMTP_PASSWORD"   # the password is read from this variable
//! from = "IGF Secretariat <igf@example.org>"
//! ```
//!
//! Unknown keys are errors (a typo must not be silently ignored), and so is a
//! `password` key anywhere: secrets never live in the project file.

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
    pub bpf: BpfSection,
    pub report: ReportSection,
    #[serde(default)]
    pub signatory: Option<Signatory>,
    #[serde(default)]
    pub recipients: Option<RecipientsSection>,
    #[serde(default)]
    pub output: OutputSection,
    #[serde(default)]
    pub smtp: Option<SmtpSection>,
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

        if config.bpf.name.trim().is_empty() {
            return Err(invalid("bpf.name", "must not be empty".into()));
        }
        if !(2006..=2100).contains(&config.bpf.year) {
            return Err(invalid(
                "bpf.year",
                format!("{} is not an IGF year (2006 or later)", config.bpf.year),
            ));
        }
        if config.report.path.as_os_str().is_empty() {
            return Err(invalid("report.path", "must name the report file".into()));
        }
        if let Some(d) = &config.report.meeting_date
            && let Err(e) = Date::parse(d)
        {
            return Err(invalid("report.meeting_date", e.to_string()));
        }
        if let Some(u) = &config.report.url
            && !(u.starts_with("https://") || u.starts_with("http://"))
        {
            return Err(invalid(
                "report.url",
                format!("`{u}` is not an http(s) URL"),
            ));
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

    pub fn report_path(&self) -> PathBuf {
        self.resolve(&self.config.report.path)
    }

    pub fn takeaways_path(&self) -> Option<PathBuf> {
        self.config
            .report
            .takeaways
            .as_ref()
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
        assert_eq!(p.report_path(), Path::new("proj/r.md"));
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
