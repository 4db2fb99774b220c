//! Settings: what `bpf.toml` and the command line say, resolved once.
//!
//! Every command builds its [`Flags`] from its arguments and calls
//! [`Settings::resolve`] with the project (if any) and the run's
//! [`Clock`]. The rule is the same for every setting and every command: a
//! flag beats the project file, the project file beats the default. The
//! stages then take typed values from [`Settings`] (paper, standard,
//! dates, sender, SMTP server, …), never the project file's raw sections.

use crate::check::CheckOptions;
use crate::dates::{Clock, Date};
use crate::error::UnknownValue;
use crate::mail::{Mailbox, SmtpSettings, TlsMode};
use crate::model::Document;
use crate::project::{Project, SmtpSection, SummaryReport};
use crate::render::{Paper, ReportOptions, Standard};
use crate::summaries::SummariesOptions;
use crate::takeaways::SheetOptions;
use std::path::{Path, PathBuf};

/// What a command line may say. `None` (or empty) means "not given": the
/// project file or the default decides.
#[derive(Debug, Clone, Default)]
pub struct Flags {
    /// The flags this command offers, as written (`--report-url`): an error
    /// about a missing setting suggests only flags that exist.
    pub offered: &'static [&'static str],
    /// Date of the letters and messages (`--date`).
    pub date: Option<Date>,
    /// Date of the IGF annual meeting (`--meeting-date`).
    pub meeting_date: Option<Date>,
    /// Report title instead of the draft's (`--report-title`).
    pub title: Option<String>,
    pub bpf_name: Option<String>,
    pub report_url: Option<String>,
    pub signatory_name: Option<String>,
    pub signatory_role: Option<String>,
    /// The takeaways sheet's contact line (`--contact`).
    pub contact: Option<String>,
    /// Sender of the mailings (`--from`).
    pub from: Option<Mailbox>,
    /// SMTP server `HOST[:PORT]` (`--smtp`), its security and login.
    pub smtp: Option<String>,
    pub smtp_tls: Option<TlsMode>,
    pub smtp_user: Option<String>,
    pub paper: Option<Paper>,
    pub standard: Option<Standard>,
    pub template_dir: Option<PathBuf>,
    /// More font folders (`--font-dir`), added to the bundled fonts.
    pub font_dirs: Vec<PathBuf>,
    pub recipients: Option<PathBuf>,
    /// Output folder (`-o`).
    pub output: Option<PathBuf>,
    /// A takeaways file (Markdown bullets) for a report without a
    /// takeaways section (`takeaways --from`).
    pub takeaways: Option<PathBuf>,
    /// Takeaway bullets for the letters, one per line (`letters --takeaways`).
    pub letter_takeaways: Option<PathBuf>,
    /// The reports of the year's compilation (`summaries FILE|DIR…`);
    /// given, they replace `summaries.reports`.
    pub reports: Vec<PathBuf>,
    /// The compilation's IGF year (`summaries --year`).
    pub year: Option<u16>,
    /// The compilation's title (`summaries --title`).
    pub summaries_title: Option<String>,
    /// Where the reports are published (`summaries --urls`).
    pub urls: Option<PathBuf>,
    /// The compilation's PDF (`summaries -o`).
    pub summaries_output: Option<PathBuf>,
}

/// Who signs the letters on behalf of the BPF.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signatory {
    pub name: String,
    pub role: Option<String>,
}

/// The settings of one run, resolved from the flags, `bpf.toml` and the
/// defaults. See the module doc.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The project file, when there is one (named in messages).
    pub project_file: Option<PathBuf>,
    /// The Forum's name, e.g. "BPF on BPFs".
    pub bpf_name: Option<String>,
    /// The IGF year.
    pub year: Option<u16>,
    /// A report title that overrides the draft's.
    pub title: Option<String>,
    /// Editors that override the draft's own (`report.editors`).
    pub editors: Vec<String>,
    /// Where the final report is published.
    pub report_url: Option<String>,
    /// Date of the IGF annual meeting (the six-weeks rule).
    pub meeting_date: Option<Date>,
    /// `[check]`: element id → heading that serves it.
    pub check_map: std::collections::BTreeMap<u32, String>,
    /// Date printed on the letters and in the messages' `Date:` header.
    pub letter_date: Date,
    /// The run's clock: its `SOURCE_DATE_EPOCH` day stands in for the
    /// document's date in PDF timestamps; it times the send log.
    pub clock: Clock,
    pub signatory: Option<Signatory>,
    pub contact: Option<String>,
    /// Sender of the mailings.
    pub sender: Option<Mailbox>,
    /// The SMTP server (used only to send).
    pub smtp: Option<SmtpSettings>,
    pub paper: Paper,
    pub standard: Option<Standard>,
    /// A customised template folder.
    pub templates: Option<PathBuf>,
    pub font_dirs: Vec<PathBuf>,
    /// The report (the project's `report.path`).
    pub report: Option<PathBuf>,
    pub recipients: Option<PathBuf>,
    pub out_dir: PathBuf,
    /// A takeaways file (Markdown), used when the report has no takeaways section.
    pub takeaways_file: Option<PathBuf>,
    /// Takeaway bullets for the letters, one per line.
    pub letter_takeaways: Option<PathBuf>,
    /// The year's compilation (`bpfpress summaries`, `[summaries]`).
    pub summaries: SummariesSettings,
    offered: &'static [&'static str],
}

/// The year's compilation: which reports, and how to present them.
#[derive(Debug, Clone, Default)]
pub struct SummariesSettings {
    /// The reports as listed (paths resolved): files, folders, BPF
    /// project folders, with their URL and Forum name when given.
    pub reports: Vec<SummaryReport>,
    /// A CSV file of `report,url[,bpf]` rows.
    pub urls: Option<PathBuf>,
    /// The IGF year on the cover.
    pub year: Option<u16>,
    pub title: Option<String>,
    /// The PDF to write.
    pub output: PathBuf,
}

/// The compilation's file name when none is given.
pub const DEFAULT_SUMMARIES: &str = "summaries.pdf";

/// Signs the letters when no one is named.
pub const DEFAULT_SIGNATORY: &str = "IGF Secretariat";
/// The Forum's name when no one gives it.
pub const DEFAULT_BPF_NAME: &str = "IGF Best Practice Forum";

/// A setting that cannot be used, or one a stage needs that nobody gave.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// A value of the project file.
    #[error("{}: `{key}`: {reason}", file.display())]
    Invalid {
        file: PathBuf,
        key: &'static str,
        reason: String,
    },
    /// A value given on the command line.
    #[error("{flag} {value}: {reason}")]
    BadFlag {
        flag: &'static str,
        value: String,
        reason: String,
    },
    /// Something a stage needs that neither the flags nor the project give.
    #[error("{}", missing_message(.need, .key, *.flag, .file.as_deref()))]
    Missing {
        /// Why it is needed, e.g. "the letters need the address of the published report".
        need: &'static str,
        /// The project-file key that gives it.
        key: &'static str,
        /// The flag that gives it, when this command has one.
        flag: Option<&'static str>,
        /// The project file, when there is one.
        file: Option<PathBuf>,
    },
}

fn missing_message(need: &str, key: &str, flag: Option<&str>, file: Option<&Path>) -> String {
    match (file, flag) {
        (Some(f), Some(flag)) => format!(
            "{}: `{key}` is not set: {need}; set it there or give {flag}",
            f.display()
        ),
        (Some(f), None) => format!("{}: `{key}` is not set: {need}", f.display()),
        (None, Some(flag)) => format!("{need}: give {flag} (or `{key}` in bpf.toml)"),
        (None, None) => format!("{need}: set `{key}` in bpf.toml"),
    }
}

/// A setting a stage may need, with the key and the flag that give it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    ReportUrl,
    Recipients,
    Sender,
    SmtpServer,
}

impl Needed {
    fn describe(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Needed::ReportUrl => (
                "the letters need the address of the published report",
                "report.url",
                "--report-url URL",
            ),
            Needed::Recipients => (
                "the letters need a recipients file",
                "recipients.file",
                "--recipients FILE",
            ),
            Needed::Sender => (
                "the mailings need a sender (the [smtp] section's `from`; the server is \
                 contacted only with --send)",
                "smtp.from",
                "--from 'Name <address>'",
            ),
            Needed::SmtpServer => (
                "--send needs an SMTP server",
                "smtp.host",
                "--smtp HOST[:PORT]",
            ),
        }
    }
}

impl Settings {
    /// Resolve the settings of a run: `flags` beat `project`, which beats
    /// the defaults; "today" comes from `clock`.
    pub fn resolve(
        project: Option<&Project>,
        flags: Flags,
        clock: &Clock,
    ) -> Result<Settings, SettingsError> {
        let cfg = project.map(|p| &p.config);
        let bpf = cfg.and_then(|c| c.bpf.as_ref());
        let report = cfg.and_then(|c| c.report.as_ref());
        let invalid = |key: &'static str, reason: String| SettingsError::Invalid {
            file: project.map(|p| p.file.clone()).unwrap_or_default(),
            key,
            reason,
        };
        let paper = match (flags.paper, cfg) {
            (Some(p), _) => p,
            (None, Some(c)) => c
                .output
                .paper
                .parse()
                .map_err(|e: UnknownValue| invalid("output.paper", e.to_string()))?,
            (None, None) => Paper::default(),
        };
        let standard = match (flags.standard, cfg) {
            (Some(s), _) => Some(s),
            (None, Some(c)) if c.output.standard == "none" => None,
            (None, Some(c)) => Some(
                c.output
                    .standard
                    .parse()
                    .map_err(|e: UnknownValue| invalid("output.standard", e.to_string()))?,
            ),
            (None, None) => None,
        };
        let meeting_date = match (
            flags.meeting_date,
            report.and_then(|r| r.meeting_date.as_deref()),
        ) {
            (Some(d), _) => Some(d),
            (None, Some(d)) => {
                Some(Date::parse(d).map_err(|e| invalid("report.meeting_date", e.to_string()))?)
            }
            (None, None) => None,
        };
        let mut check_map = std::collections::BTreeMap::new();
        for (k, v) in cfg.map(|c| &c.check).into_iter().flatten() {
            match k.trim().parse::<u32>() {
                Ok(id) if id > 0 && !v.trim().is_empty() => {
                    check_map.insert(id, v.trim().to_string());
                }
                _ => {
                    return Err(invalid(
                        "check",
                        format!(
                            "`{k} = {v:?}`: each line maps an element number (1-10) to a section heading, e.g. 8 = \"Loose ends\""
                        ),
                    ));
                }
            }
        }
        let project_signatory = cfg.and_then(|c| c.signatory.as_ref());
        let signatory = match (flags.signatory_name, project_signatory) {
            (Some(name), _) => Some(Signatory {
                name,
                role: flags
                    .signatory_role
                    .or_else(|| project_signatory.and_then(|s| s.role.clone())),
            }),
            (None, Some(s)) => Some(Signatory {
                name: s.name.clone(),
                role: flags.signatory_role.or_else(|| s.role.clone()),
            }),
            (None, None) => flags.signatory_role.map(|role| Signatory {
                name: DEFAULT_SIGNATORY.into(),
                role: Some(role),
            }),
        };
        let (project_smtp, project_from) = match cfg.and_then(|c| c.smtp.as_ref()) {
            Some(s) => {
                let (smtp, from) = smtp_from_section(s).map_err(|(key, e)| invalid(key, e))?;
                (Some(smtp), Some(from))
            }
            None => (None, None),
        };
        let smtp = match &flags.smtp {
            Some(hostport) => Some(smtp_from_flag(
                hostport,
                flags.smtp_tls.unwrap_or_default(),
                flags.smtp_user.clone(),
            )?),
            None => project_smtp,
        };
        Ok(Settings {
            project_file: project.map(|p| p.file.clone()),
            bpf_name: flags.bpf_name.or_else(|| bpf.map(|b| b.name.clone())),
            year: bpf.map(|b| b.year),
            title: flags.title.or_else(|| {
                report
                    .and_then(|r| r.title.clone())
                    .filter(|t| !t.trim().is_empty())
            }),
            editors: report.map(|r| r.editors.clone()).unwrap_or_default(),
            report_url: flags
                .report_url
                .or_else(|| report.and_then(|r| r.url.clone())),
            meeting_date,
            check_map,
            letter_date: flags.date.unwrap_or_else(|| clock.today()),
            clock: *clock,
            signatory,
            contact: flags.contact,
            sender: flags.from.or(project_from),
            smtp,
            paper,
            standard,
            templates: flags
                .template_dir
                .or_else(|| project.and_then(Project::template_dir)),
            font_dirs: flags.font_dirs,
            report: project.and_then(Project::report_path),
            recipients: flags
                .recipients
                .or_else(|| project.and_then(Project::recipients_path)),
            out_dir: flags
                .output
                .or_else(|| project.map(Project::output_dir))
                .unwrap_or_else(|| PathBuf::from("dist")),
            takeaways_file: flags
                .takeaways
                .or_else(|| project.and_then(Project::takeaways_path)),
            letter_takeaways: flags.letter_takeaways,
            summaries: summaries_settings(
                project,
                flags.reports,
                flags.urls,
                flags.year,
                flags.summaries_title,
                flags.summaries_output,
            ),
            offered: flags.offered,
        })
    }

    /// The error for a setting a stage needs and nobody gave: it names the
    /// project file and key, and the flag if this command has one.
    pub fn missing(&self, what: Needed) -> SettingsError {
        let (need, key, flag) = what.describe();
        let flag_name = flag.split(' ').next().unwrap_or(flag);
        SettingsError::Missing {
            need,
            key,
            flag: self.offers(flag_name).then_some(flag),
            file: self.project_file.clone(),
        }
    }

    /// Whether this command offers `flag` (for hints).
    pub fn offers(&self, flag: &str) -> bool {
        self.offered.contains(&flag)
    }

    /// How to give a setting, for a hint: "give --report-url URL or set
    /// `report.url` in bpf.toml" (the flag only if this command has it).
    pub fn how_to_set(&self, what: Needed) -> String {
        let (_, key, flag) = what.describe();
        let flag_name = flag.split(' ').next().unwrap_or(flag);
        if self.offers(flag_name) {
            format!("give {flag} or set `{key}` in bpf.toml")
        } else {
            format!("set `{key}` in bpf.toml")
        }
    }

    /// The name that signs the letters.
    pub fn signatory_name(&self) -> String {
        self.signatory
            .as_ref()
            .map(|s| s.name.clone())
            .unwrap_or_else(|| DEFAULT_SIGNATORY.into())
    }

    /// The signatory's role (may be empty).
    pub fn signatory_role(&self) -> String {
        self.signatory
            .as_ref()
            .and_then(|s| s.role.clone())
            .unwrap_or_default()
    }

    /// The Forum's name, or [`DEFAULT_BPF_NAME`].
    pub fn bpf_name_or_default(&self) -> String {
        self.bpf_name
            .clone()
            .unwrap_or_else(|| DEFAULT_BPF_NAME.into())
    }

    /// The report's title: the override, else the draft's, else "BPF name
    /// year" from the project, else the draft's file name.
    pub fn report_title(&self, doc: &Document, draft: &Path) -> String {
        self.title
            .clone()
            .or_else(|| doc.meta.title.clone())
            .or_else(|| match (&self.bpf_name, self.year) {
                (Some(n), Some(y)) => Some(format!("{n} {y}")),
                _ => None,
            })
            .unwrap_or_else(|| {
                draft
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| "report".into())
            })
    }

    /// What the settings change in a draft: the editors of `report.editors`
    /// replace the draft's own.
    pub fn apply(&self, doc: &mut Document) {
        if !self.editors.is_empty() {
            doc.meta.authors = self.editors.clone();
        }
    }

    /// Options of the year's compilation.
    pub fn summaries_options(&self) -> SummariesOptions {
        SummariesOptions {
            paper: self.paper,
            standard: self.standard,
            year: self.summaries.year,
            title: self.summaries.title.clone(),
            source_date: self.clock.source_date(),
        }
    }

    pub fn check_options(&self) -> CheckOptions {
        CheckOptions {
            meeting_date: self.meeting_date,
            mapped: self.check_map.clone(),
        }
    }

    pub fn report_options(&self) -> ReportOptions {
        ReportOptions {
            paper: self.paper,
            standard: self.standard,
            source_date: self.clock.source_date(),
            title: self.title.clone(),
        }
    }

    /// Options of the takeaways sheet. The contact line: `--contact`, else
    /// "Contact: signatory, role" (else the template uses the editors).
    pub fn sheet_options(&self) -> SheetOptions {
        SheetOptions {
            paper: self.paper,
            standard: self.standard,
            report_url: self.report_url.clone(),
            contact: self.contact.clone().or_else(|| {
                self.signatory.as_ref().map(|s| match &s.role {
                    Some(r) => format!("Contact: {}, {r}", s.name),
                    None => format!("Contact: {}", s.name),
                })
            }),
            bpf_name: self.bpf_name.clone(),
            igf_year: self.year.map(|y| y.to_string()),
            source_date: self.clock.source_date(),
        }
    }
}

/// The compilation's settings: flags beat `[summaries]`. Given reports
/// replace the project's list; project paths resolve against its folder;
/// the PDF goes to `-o`, else `summaries.output` in the output folder.
fn summaries_settings(
    project: Option<&Project>,
    reports: Vec<PathBuf>,
    urls: Option<PathBuf>,
    year: Option<u16>,
    title: Option<String>,
    output: Option<PathBuf>,
) -> SummariesSettings {
    let section = project.and_then(|p| p.config.summaries.as_ref().map(|s| (p, s)));
    let reports = if reports.is_empty() {
        section
            .map(|(p, s)| {
                s.reports
                    .iter()
                    .map(|r| SummaryReport {
                        path: p.resolve(&r.path),
                        ..r.clone()
                    })
                    .collect()
            })
            .unwrap_or_default()
    } else {
        reports
            .into_iter()
            .map(|path| SummaryReport {
                path,
                ..SummaryReport::default()
            })
            .collect()
    };
    let output = output.unwrap_or_else(|| match (project, section) {
        (Some(p), Some((_, s))) => p.output_dir().join(
            s.output
                .clone()
                .unwrap_or_else(|| PathBuf::from(DEFAULT_SUMMARIES)),
        ),
        (Some(p), None) => p.output_dir().join(DEFAULT_SUMMARIES),
        (None, _) => PathBuf::from(DEFAULT_SUMMARIES),
    });
    SummariesSettings {
        reports,
        urls: urls.or_else(|| section.and_then(|(p, s)| s.urls.as_ref().map(|u| p.resolve(u)))),
        year: year.or_else(|| section.and_then(|(_, s)| s.year)),
        title: title.or_else(|| section.and_then(|(_, s)| s.title.clone())),
        output,
    }
}

/// The SMTP server and the sender from the project file's `[smtp]` section.
/// The port defaults by TLS mode (25 none, 587 starttls, 465 tls). An
/// error gives the key and the reason.
fn smtp_from_section(s: &SmtpSection) -> Result<(SmtpSettings, Mailbox), (&'static str, String)> {
    let tls: TlsMode = match s.tls.as_deref() {
        Some(t) => t
            .parse()
            .map_err(|e: UnknownValue| ("smtp.tls", e.to_string()))?,
        None => TlsMode::default(),
    };
    let from: Mailbox = s.from.parse().map_err(|e| {
        (
            "smtp.from",
            format!("`{}` is not a valid mailbox: {e}", s.from),
        )
    })?;
    let mut out = SmtpSettings::new(s.host.clone(), s.port.unwrap_or(tls.default_port()), tls);
    out.user = s.user.clone();
    if let Some(v) = &s.password_env {
        out.password_env = v.clone();
    }
    Ok((out, from))
}

/// The SMTP server of `--smtp HOST[:PORT]`.
fn smtp_from_flag(
    hostport: &str,
    tls: TlsMode,
    user: Option<String>,
) -> Result<SmtpSettings, SettingsError> {
    let (host, port) = match hostport.rsplit_once(':') {
        Some((h, p)) => match p.parse::<u16>() {
            Ok(p) => (h.to_owned(), p),
            Err(_) => {
                return Err(SettingsError::BadFlag {
                    flag: "--smtp",
                    value: hostport.to_owned(),
                    reason: format!("{p:?} is not a port number (1-65535)"),
                });
            }
        },
        None => (hostport.to_owned(), tls.default_port()),
    };
    if host.trim().is_empty() {
        return Err(SettingsError::BadFlag {
            flag: "--smtp",
            value: hostport.to_owned(),
            reason: "no host name".into(),
        });
    }
    let mut s = SmtpSettings::new(host, port, tls);
    s.user = user;
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(extra: &str) -> Project {
        let text = format!(
            "[bpf]\nname = \"BPF on BPFs\"\nyear = 2020\n[report]\npath = \"r.md\"\n\
             url = \"https://example.org/r\"\nmeeting_date = \"2020-11-02\"\n{extra}"
        );
        Project::parse(&text, Path::new("p/bpf.toml"), Path::new("p")).unwrap()
    }

    fn clock() -> Clock {
        Clock::fixed(Date::parse("2020-12-01").unwrap())
    }

    #[test]
    fn flags_beat_the_project_which_beats_the_defaults() {
        let p = project(
            "[signatory]\nname = \"Wim\"\nrole = \"consultant\"\n[output]\npaper = \"letter\"\n\
             standard = \"none\"\n[smtp]\nhost = \"smtp.example.org\"\ntls = \"tls\"\n\
             from = \"IGF <igf@example.org>\"\n",
        );
        let s = Settings::resolve(Some(&p), Flags::default(), &clock()).unwrap();
        assert_eq!(s.paper, Paper::Letter);
        assert_eq!(s.standard, None);
        assert_eq!(s.letter_date.to_string(), "2020-12-01");
        assert_eq!(s.meeting_date.unwrap().to_string(), "2020-11-02");
        assert_eq!(s.signatory_name(), "Wim");
        assert_eq!(
            s.smtp.as_ref().map(|m| (m.port, m.tls)),
            Some((465, TlsMode::Tls))
        );
        assert_eq!(
            s.sender.as_ref().unwrap().email.to_string(),
            "igf@example.org"
        );
        assert_eq!(s.out_dir, Path::new("p/dist"));
        assert_eq!(
            s.sheet_options().contact.as_deref(),
            Some("Contact: Wim, consultant")
        );

        let flags = Flags {
            paper: Some(Paper::A4),
            standard: Some(Standard::PdfA2b),
            date: Some(Date::parse("2021-01-05").unwrap()),
            signatory_name: Some("Zoë".into()),
            smtp: Some("localhost:2525".into()),
            smtp_tls: Some(TlsMode::None),
            output: Some("out".into()),
            ..Flags::default()
        };
        let s = Settings::resolve(Some(&p), flags, &clock()).unwrap();
        assert_eq!((s.paper, s.standard), (Paper::A4, Some(Standard::PdfA2b)));
        assert_eq!(s.letter_date.to_string(), "2021-01-05");
        // A flag name keeps the project's role unless a role flag is given.
        assert_eq!(
            (s.signatory_name(), s.signatory_role()),
            ("Zoë".into(), "consultant".into())
        );
        let smtp = s.smtp.unwrap();
        assert_eq!((smtp.host.as_str(), smtp.port), ("localhost", 2525));
        assert_eq!(s.out_dir, Path::new("out"));
    }

    /// `[report] title` names the report; `--title` beats it; a blank one
    /// is no title.
    #[test]
    fn the_report_title_from_the_project_or_the_flag() {
        let p = project("title = \"Output report on fidelity\"\n");
        let s = Settings::resolve(Some(&p), Flags::default(), &clock()).unwrap();
        assert_eq!(
            s.report_options().title.as_deref(),
            Some("Output report on fidelity")
        );
        let flags = Flags {
            title: Some("From the flag".into()),
            ..Flags::default()
        };
        let s = Settings::resolve(Some(&p), flags, &clock()).unwrap();
        assert_eq!(s.report_options().title.as_deref(), Some("From the flag"));
        let blank = project("title = \"  \"\n");
        let s = Settings::resolve(Some(&blank), Flags::default(), &clock()).unwrap();
        assert_eq!(s.report_options().title, None);
    }

    #[test]
    fn without_a_project_the_defaults_hold() {
        let s = Settings::resolve(None, Flags::default(), &clock()).unwrap();
        assert_eq!((s.paper, s.standard), (Paper::A4, None));
        assert_eq!(s.signatory_name(), DEFAULT_SIGNATORY);
        assert_eq!(s.bpf_name_or_default(), DEFAULT_BPF_NAME);
        assert_eq!(s.report_options().source_date, clock().source_date());
        assert!(s.sender.is_none() && s.smtp.is_none() && s.report_url.is_none());
        let mut doc = Document::new("d.md", crate::model::Format::Markdown);
        assert_eq!(s.report_title(&doc, Path::new("drafts/d.md")), "d.md");
        doc.meta.title = Some("Output report".into());
        assert_eq!(
            s.report_title(&doc, Path::new("drafts/d.md")),
            "Output report"
        );
    }

    #[test]
    fn missing_settings_name_the_key_and_only_flags_that_exist() {
        let p = project("");
        let s = Settings::resolve(Some(&p), Flags::default(), &clock()).unwrap();
        let e = s.missing(Needed::Sender).to_string();
        assert!(e.starts_with("p/bpf.toml: `smtp.from` is not set"), "{e}");
        assert!(!e.contains("--from"), "{e}");
        let flags = Flags {
            offered: &["--from", "--report-url"],
            ..Flags::default()
        };
        let s = Settings::resolve(None, flags, &clock()).unwrap();
        let e = s.missing(Needed::ReportUrl).to_string();
        assert!(e.contains("give --report-url URL"), "{e}");
        let e = s.missing(Needed::Recipients).to_string();
        assert!(
            e.contains("`recipients.file`") && !e.contains("--recipients"),
            "{e}"
        );
    }

    #[test]
    fn bad_smtp_flag_and_editors_override() {
        let flags = Flags {
            smtp: Some("mail.example.org:smtp".into()),
            ..Flags::default()
        };
        let e = Settings::resolve(None, flags, &clock())
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("--smtp mail.example.org:smtp: \"smtp\" is not a port"),
            "{e}"
        );
        let p = project("");
        let mut p2 = p.clone();
        if let Some(r) = p2.config.report.as_mut() {
            r.editors = vec!["A. Editor".into()];
        }
        let s = Settings::resolve(Some(&p2), Flags::default(), &clock()).unwrap();
        let mut doc = Document::new("d.md", crate::model::Format::Markdown);
        doc.meta.authors = vec!["Someone".into()];
        s.apply(&mut doc);
        assert_eq!(doc.meta.authors, ["A. Editor"]);
        assert_eq!(
            s.report_title(
                &Document::new("d.md", crate::model::Format::Markdown),
                Path::new("d.md")
            ),
            "BPF on BPFs 2020"
        );
    }
}
