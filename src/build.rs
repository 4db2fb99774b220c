//! The one-command pipeline behind `bpfpress build`.
//!
//! Takes a validated [`Project`] (`bpf.toml`) and [`BuildOptions`]; runs
//! ingest → check → render (report, takeaways sheet) → letters, `.eml`
//! mailings and press release into the output folder, and writes
//! `manifest.json` last. Gives a [`BuildOutcome`] (what was redone, what was
//! up to date) or a [`BuildError`] naming the file and the reason.
//!
//! Outputs come in four groups, each with a fingerprint of exactly the
//! inputs it depends on (tool version, project file, report, templates, and
//! for the letters group the recipients file and the letter date):
//!
//! | group | outputs |
//! | --- | --- |
//! | `check` | `check.json`, `check.md` |
//! | `report` | `report.pdf` |
//! | `takeaways` | `takeaways.pdf` |
//! | `letters` | `letters/*.pdf`, `mail/*.eml`, `mailing.csv`, `mailing.json`, `press-release.pdf` |
//!
//! A group is redone when its fingerprint differs from the manifest's, or
//! when one of its outputs is missing or no longer has the size and SHA-256
//! the manifest records. Every file is written atomically
//! ([`crate::fsutil::write_atomic`]) and the manifest only after all
//! outputs, so a build killed part-way leaves complete files only (stray
//! `*.part` temporaries are removed by the next run) and the next run redoes
//! whatever the manifest does not vouch for.

use crate::check::{self, CheckOptions, CheckReport, Checklist, Summary};
use crate::fsutil::write_atomic;
use crate::ingest::{Limits, read_path};
use crate::letters::{self, Contact, Institution, LetterRenderer, LetterSetup};
use crate::mail::recipients::report_file_name;
use crate::mail::recipients::{self, LoadOptions};
use crate::mail::{
    Attachment, Campaign, CampaignDate, CampaignInfo, MailText, Role, RunOptions, SmtpSettings,
    Status,
};
use crate::model::Document;
use crate::project::Project;
use crate::render::{Engine, Paper, ReportOptions, Standard, render_report};
use crate::takeaways::{self, SheetOptions, make_sheet};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Name of the build manifest in the output folder.
pub const MANIFEST: &str = "manifest.json";
/// Version of the manifest's JSON shape.
pub const MANIFEST_SCHEMA: u32 = 1;

/// The output groups, in build order.
pub const GROUPS: [&str; 4] = ["check", "report", "takeaways", "letters"];

/// A problem that stops the build.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{0}")]
    Project(#[from] crate::project::ProjectError),
    #[error("{}: {reason}", path.display())]
    Input { path: PathBuf, reason: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "key element(s) missing: {}; nothing was rendered (see {}; add the missing \
         sections, or build anyway with --force)",
        missing.join("; "),
        report.display()
    )]
    KeyElementsMissing {
        missing: Vec<String>,
        report: PathBuf,
    },
    #[error("{what}: {reason}")]
    Stage { what: String, reason: String },
    #[error(
        "not sending: {} reason(s); nothing was sent (fix them, or send anyway with --force):\n{}",
        refusals.len(),
        crate::readiness::describe(refusals)
    )]
    NotReady {
        refusals: Vec<crate::readiness::Refusal>,
    },
}

impl BuildError {
    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BuildError + '_ {
        move |source| BuildError::Io {
            path: path.to_path_buf(),
            source,
        }
    }
    fn stage(what: &str, reason: impl std::fmt::Display) -> BuildError {
        BuildError::Stage {
            what: what.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// How to build.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Render even when a key element is missing.
    pub force: bool,
    /// Deliver the mailings over SMTP (the `[smtp]` section).
    pub send: bool,
    /// Date of the letters and messages.
    pub date: CampaignDate,
    /// Worker threads for the letters (0: one per core).
    pub threads: usize,
}

/// One hashed file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    /// Path relative to the output folder (outputs) or as in the project (inputs).
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

/// One output of the build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputEntry {
    pub group: String,
    #[serde(flatten)]
    pub file: FileHash,
}

/// One input of the build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputEntry {
    /// `project`, `report`, `recipients`, `template` (one file of a
    /// customised folder) or `templates` (the bundled set, as one digest).
    pub role: String,
    #[serde(flatten)]
    pub file: FileHash,
}

/// `manifest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuildManifest {
    pub schema_version: u32,
    pub tool: String,
    pub tool_version: String,
    pub inputs: Vec<InputEntry>,
    /// Templates: `built-in` or the folder used.
    pub templates: String,
    /// Fingerprint of each group's inputs.
    pub fingerprints: BTreeMap<String, String>,
    pub check: Summary,
    /// Date on the letters and messages.
    pub letter_date: String,
    pub outputs: Vec<OutputEntry>,
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildOutcome {
    /// Groups redone in this run.
    pub rebuilt: Vec<String>,
    /// Groups found up to date.
    pub up_to_date: Vec<String>,
    pub manifest: BuildManifest,
    pub out_dir: PathBuf,
    /// Non-fatal problems (template warnings, letters that failed, ...).
    pub warnings: Vec<String>,
    /// Letters or messages that failed or may not have been delivered.
    pub mail_failures: usize,
}

impl BuildOutcome {
    pub fn is_noop(&self) -> bool {
        self.rebuilt.is_empty()
    }
}

/// Where progress goes: one line per step.
pub trait Progress {
    fn step(&self, msg: &str);
}

impl<F: Fn(&str)> Progress for F {
    fn step(&self, msg: &str) {
        self(msg)
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::mail::recipients::hex(&Sha256::digest(bytes))
}

fn hash_file(path: &Path, shown: String) -> Result<(FileHash, Vec<u8>), BuildError> {
    let bytes = std::fs::read(path).map_err(BuildError::io(path))?;
    Ok((
        FileHash {
            path: shown,
            sha256: sha256_hex(&bytes),
            size: bytes.len() as u64,
        },
        bytes,
    ))
}

/// An input problem restated as a problem with the project-file key that
/// names the input.
fn keyed(project: &Project, key: &str, e: BuildError) -> BuildError {
    BuildError::Input {
        path: project.file.clone(),
        reason: format!("`{key}`: {e}"),
    }
}

/// Every file under `dir`, relative, sorted.
fn walk_files(dir: &Path) -> Result<Vec<PathBuf>, BuildError> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let abs = dir.join(&rel);
        for entry in std::fs::read_dir(&abs).map_err(BuildError::io(&abs))? {
            let entry = entry.map_err(BuildError::io(&abs))?;
            let ft = entry.file_type().map_err(BuildError::io(&abs))?;
            let r = rel.join(entry.file_name());
            if ft.is_dir() {
                stack.push(r);
            } else if ft.is_file() {
                out.push(r);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn shown(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Remove temporaries (`.NAME.XXXX.part`) an interrupted run left behind.
fn remove_stray_temporaries(out: &Path) {
    for sub in [PathBuf::new(), "letters".into(), "mail".into()] {
        let Ok(rd) = std::fs::read_dir(out.join(&sub)) else {
            continue;
        };
        for e in rd.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') && name.ends_with(".part") {
                let _ = std::fs::remove_file(e.path());
            }
        }
    }
}

/// A path inside the output folder: relative, no `..`. A manifest that
/// names anything else (edited by hand, or not ours) never makes the build
/// delete a file outside the output folder.
fn is_plain_relative(rel: &str) -> bool {
    let p = Path::new(rel);
    !rel.is_empty()
        && p.components()
            .all(|c| matches!(c, std::path::Component::Normal(_)))
}

/// Whether `out/rel` still has the recorded size and hash.
fn output_matches(out: &Path, f: &FileHash) -> bool {
    match std::fs::metadata(out.join(&f.path)) {
        Ok(m) if m.len() == f.size => std::fs::read(out.join(&f.path))
            .map(|b| sha256_hex(&b) == f.sha256)
            .unwrap_or(false),
        _ => false,
    }
}

fn read_manifest(out: &Path) -> Option<BuildManifest> {
    let bytes = std::fs::read(out.join(MANIFEST)).ok()?;
    let m: BuildManifest = serde_json::from_slice(&bytes).ok()?;
    (m.schema_version == MANIFEST_SCHEMA).then_some(m)
}

fn paper(p: &Project) -> Paper {
    match p.config.output.paper.as_str() {
        "letter" => Paper::Letter,
        _ => Paper::A4,
    }
}

fn standard(p: &Project) -> Result<Option<Standard>, BuildError> {
    match p.config.output.standard.as_str() {
        "none" => Ok(None),
        s => s
            .parse::<Standard>()
            .map(Some)
            .map_err(|e| BuildError::Input {
                path: p.file.clone(),
                reason: format!("`output.standard`: {e}"),
            }),
    }
}

/// Run the whole pipeline for `project`.
pub fn build(
    project: &Project,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<BuildOutcome, BuildError> {
    let cfg = &project.config;
    let out = project.output_dir();

    // 1. Inputs and fingerprints (cheap: hashing only).
    let (project_hash, _) = hash_file(&project.file, PROJECT_NAME.into())?;
    let report_path = project.report_path();
    let (report_hash, _) = hash_file(&report_path, shown(&cfg.report.path))
        .map_err(|e| keyed(project, "report.path", e))?;
    let mut inputs = vec![
        InputEntry {
            role: "project".into(),
            file: project_hash.clone(),
        },
        InputEntry {
            role: "report".into(),
            file: report_hash.clone(),
        },
    ];
    let takeaways_path = project.takeaways_path();
    let mut takeaways_sha = "none".to_string();
    if let (Some(tp), Some(rel)) = (&takeaways_path, &cfg.report.takeaways) {
        let (h, _) =
            hash_file(tp, shown(rel)).map_err(|e| keyed(project, "report.takeaways", e))?;
        takeaways_sha = h.sha256.clone();
        inputs.push(InputEntry {
            role: "takeaways".into(),
            file: h,
        });
    }
    let recipients_path = project.recipients_path();
    let mut recipients_hash = None;
    if let (Some(rp), Some(r)) = (&recipients_path, &cfg.recipients) {
        let (h, _) =
            hash_file(rp, shown(&r.file)).map_err(|e| keyed(project, "recipients.file", e))?;
        inputs.push(InputEntry {
            role: "recipients".into(),
            file: h.clone(),
        });
        recipients_hash = Some(h);
    }
    let template_dir = project.template_dir();
    let mut templates_digest = Sha256::new();
    let templates_shown = match (&template_dir, &cfg.output.templates) {
        (Some(dir), Some(rel)) => {
            let files = walk_files(dir).map_err(|e| keyed(project, "output.templates", e))?;
            for f in files {
                let (h, _) = hash_file(&dir.join(&f), shown(&rel.join(&f)))?;
                templates_digest.update(h.path.as_bytes());
                templates_digest.update(h.sha256.as_bytes());
                inputs.push(InputEntry {
                    role: "template".into(),
                    file: h,
                });
            }
            shown(rel)
        }
        _ => {
            // The bundled templates: hashed too, so a changed template in
            // a new binary redoes what uses it even at the same version.
            let mut all = Sha256::new();
            let mut size = 0u64;
            for (path, text) in crate::render::world::BUILTIN_TEMPLATES {
                all.update(path.as_bytes());
                all.update([0]);
                all.update(text.as_bytes());
                size += text.len() as u64;
            }
            let hex = crate::mail::recipients::hex(&all.finalize());
            templates_digest.update(hex.as_bytes());
            inputs.push(InputEntry {
                role: "templates".into(),
                file: FileHash {
                    path: "(built-in)".into(),
                    sha256: hex,
                    size,
                },
            });
            "built-in".to_string()
        }
    };
    let templates_hex = crate::mail::recipients::hex(&templates_digest.finalize());
    let version = env!("CARGO_PKG_VERSION");
    let common = format!(
        "bpfpress {version}\nproject {}\nreport {}\ntakeaways {takeaways_sha}\ntemplates {templates_hex}\n",
        project_hash.sha256, report_hash.sha256
    );
    let letter_date = opts.date.to_string();
    let mut fingerprints = BTreeMap::new();
    for g in GROUPS {
        let mut text = format!("{common}group {g}\n");
        if g == "letters" {
            text.push_str(&format!(
                "recipients {}\ndate {letter_date}\n",
                recipients_hash
                    .as_ref()
                    .map(|h| h.sha256.as_str())
                    .unwrap_or("none")
            ));
        }
        fingerprints.insert(g.to_string(), sha256_hex(text.as_bytes()));
    }

    // 2. What is up to date?
    std::fs::create_dir_all(&out).map_err(BuildError::io(&out))?;
    remove_stray_temporaries(&out);
    let previous = read_manifest(&out);
    let fresh = |g: &str| -> bool {
        let Some(m) = &previous else { return false };
        if m.fingerprints.get(g) != fingerprints.get(g) {
            return false;
        }
        let mut outs = m.outputs.iter().filter(|o| o.group == g).peekable();
        // Every group but the letters (no recipients) has outputs.
        if outs.peek().is_none() && (g != "letters" || recipients_path.is_some()) {
            return false;
        }
        outs.all(|o| output_matches(&out, &o.file))
    };
    let mut dirty: Vec<&str> = GROUPS.iter().copied().filter(|g| !fresh(g)).collect();
    if opts.send && recipients_path.is_some() && !dirty.contains(&"letters") {
        // Sending is an action, not an output: run the campaign (its send
        // log keeps anything from going out twice).
        dirty.push("letters");
    }
    if dirty.is_empty()
        && let Some(m) = previous
    {
        return Ok(BuildOutcome {
            rebuilt: Vec::new(),
            up_to_date: GROUPS.iter().map(|s| s.to_string()).collect(),
            manifest: m,
            out_dir: out,
            warnings: Vec::new(),
            mail_failures: 0,
        });
    }
    let mut outputs: Vec<OutputEntry> = previous
        .as_ref()
        .map(|m| {
            m.outputs
                .iter()
                .filter(|o| !dirty.contains(&o.group.as_str()))
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let stale: Vec<String> = previous
        .as_ref()
        .map(|m| {
            m.outputs
                .iter()
                .filter(|o| dirty.contains(&o.group.as_str()))
                .map(|o| o.file.path.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut warnings = Vec::new();
    let record = |group: &str, rel: &str, bytes: &[u8], outputs: &mut Vec<OutputEntry>| {
        outputs.push(OutputEntry {
            group: group.into(),
            file: FileHash {
                path: rel.into(),
                sha256: sha256_hex(bytes),
                size: bytes.len() as u64,
            },
        })
    };
    let write = |rel: &str, bytes: &[u8]| -> Result<(), BuildError> {
        let p = out.join(rel);
        write_atomic(&p, bytes).map_err(BuildError::io(&p))
    };

    // 3. Ingest and check (always, when anything is to be done: the check
    // decides whether rendering may go on).
    progress.step(&format!("ingest {}", report_path.display()));
    let doc: Document =
        read_path(&report_path, &Limits::default()).map_err(|e| BuildError::Input {
            path: report_path.clone(),
            reason: e.kind.to_string(),
        })?;
    let from: Option<(Document, String)> = match (&takeaways_path, &cfg.report.takeaways) {
        (Some(tp), Some(rel)) => Some((
            takeaways::file::read(tp).map_err(|e| {
                keyed(
                    project,
                    "report.takeaways",
                    BuildError::stage("takeaways file", e),
                )
            })?,
            shown(rel),
        )),
        _ => None,
    };
    let from = from.as_ref().map(|(d, p)| (d, p.as_str()));
    progress.step("check");
    let checklist = Checklist::builtin();
    let meeting_date = match &cfg.report.meeting_date {
        Some(d) => Some(check::parse_date(d).map_err(|e| BuildError::Input {
            path: project.file.clone(),
            reason: format!("`report.meeting_date`: {e}"),
        })?),
        None => None,
    };
    let mut report: CheckReport = check::check(&doc, &checklist, &CheckOptions { meeting_date });
    report.source = shown(&cfg.report.path);
    let summary = report.summary;
    if dirty.contains(&"check") {
        let code = check::exit_code(std::slice::from_ref(&report), 0);
        let json = check::format::JsonOutput::new(&checklist, vec![report.clone()], vec![], code);
        let json = serde_json::to_vec_pretty(&json).map_err(|e| BuildError::stage("check", e))?;
        let md = check::format::markdown(&report);
        write("check.json", &json)?;
        write("check.md", md.as_bytes())?;
        record("check", "check.json", &json, &mut outputs);
        record("check", "check.md", md.as_bytes(), &mut outputs);
    }
    if !summary.key_elements_present {
        let missing: Vec<String> = report
            .elements
            .iter()
            .filter(|e| e.key && e.verdict == check::Verdict::Missing)
            .map(|e| format!("{}. {}", e.id, e.short))
            .collect();
        if !opts.force {
            return Err(BuildError::KeyElementsMissing {
                missing,
                report: out.join("check.md"),
            });
        }
        warnings.push(format!(
            "key element(s) missing: {} (built anyway: --force)",
            missing.join("; ")
        ));
    }

    // Nothing unfinished goes out (`readiness`): with --send, refuse
    // before anything is rendered or any server contacted; without, warn.
    if let Some(rp) = &recipients_path {
        let refusals = not_ready(project, &report, rp);
        if !refusals.is_empty() {
            if opts.send && !opts.force {
                return Err(BuildError::NotReady { refusals });
            }
            warnings.push(format!(
                "not ready to send{}:\n{}",
                if opts.send {
                    " (sending anyway: --force)"
                } else {
                    ""
                },
                crate::readiness::describe(&refusals)
            ));
        }
    }

    // 4. Rendering.
    let engine =
        Engine::new(template_dir.as_deref()).map_err(|e| BuildError::stage("templates", e))?;
    let paper = paper(project);
    let standard = standard(project)?;
    let contact_line = cfg.signatory.as_ref().map(|s| match &s.role {
        Some(r) => format!("Contact: {}, {r}", s.name),
        None => format!("Contact: {}", s.name),
    });
    if dirty.contains(&"report") {
        progress.step("report.pdf");
        let r = render_report(&engine, &doc, &ReportOptions { paper, standard })
            .map_err(|e| BuildError::stage(&format!("{}", report_path.display()), e))?;
        for w in &r.warnings {
            warnings.push(format!("report.pdf: {w}"));
        }
        write("report.pdf", &r.pdf)?;
        record("report", "report.pdf", &r.pdf, &mut outputs);
    }
    if dirty.contains(&"takeaways") {
        progress.step("takeaways.pdf");
        let elements = takeaways::sections::checked(&doc);
        let chosen = takeaways::select(&doc, from, &elements);
        let sheet_opts = SheetOptions {
            paper,
            standard,
            report_url: cfg.report.url.clone(),
            contact: contact_line.clone(),
            bpf_name: Some(cfg.bpf.name.clone()),
            igf_year: Some(cfg.bpf.year.to_string()),
        };
        match make_sheet(&engine, &doc, &chosen, &sheet_opts) {
            Ok(sheet) => {
                warnings.extend(sheet.dropped.iter().map(|d| format!("takeaways.pdf: {d}")));
                warnings.extend(sheet.warnings.iter().map(|w| format!("takeaways.pdf: {w}")));
                write("takeaways.pdf", &sheet.pdf)?;
                record("takeaways", "takeaways.pdf", &sheet.pdf, &mut outputs);
            }
            Err(e) => return Err(BuildError::stage("takeaways.pdf", e)),
        }
    }
    let mut mail_failures = 0;
    if dirty.contains(&"letters")
        && let Some(rp) = &recipients_path
    {
        mail_failures = build_letters(
            project,
            opts,
            &engine,
            &doc,
            from,
            rp,
            &out,
            paper,
            &mut outputs,
            &mut warnings,
            progress,
        )?;
    }

    // 5. Leftovers of the previous build that this one did not make again
    // (e.g. letters of recipients no longer listed).
    for rel in stale {
        if is_plain_relative(&rel) && !outputs.iter().any(|o| o.file.path == rel) {
            let _ = std::fs::remove_file(out.join(&rel));
        }
    }

    // 6. The manifest, last.
    progress.step(MANIFEST);
    outputs.sort_by(|a, b| {
        let ga = GROUPS.iter().position(|g| *g == a.group);
        let gb = GROUPS.iter().position(|g| *g == b.group);
        ga.cmp(&gb).then_with(|| a.file.path.cmp(&b.file.path))
    });
    if mail_failures > 0 {
        // Some letters or messages failed: the group is not done, so the
        // next run tries it again instead of calling it up to date.
        fingerprints.insert("letters".into(), "incomplete".into());
    }
    let manifest = BuildManifest {
        schema_version: MANIFEST_SCHEMA,
        tool: "bpfpress".into(),
        tool_version: version.into(),
        inputs,
        templates: templates_shown,
        fingerprints,
        check: summary,
        letter_date,
        outputs,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|e| BuildError::stage(MANIFEST, e))?;
    write(MANIFEST, &json)?;
    Ok(BuildOutcome {
        rebuilt: dirty.iter().map(|s| s.to_string()).collect(),
        up_to_date: GROUPS
            .iter()
            .filter(|g| !dirty.contains(g))
            .map(|s| s.to_string())
            .collect(),
        manifest,
        out_dir: out,
        warnings,
        mail_failures,
    })
}

const PROJECT_NAME: &str = crate::project::PROJECT_FILE;

/// The reasons not to send this project's mailing ([`crate::readiness`]).
/// A recipients file that cannot be read is left to the letters step,
/// which reports it.
fn not_ready(
    project: &Project,
    report: &CheckReport,
    rpath: &Path,
) -> Vec<crate::readiness::Refusal> {
    let cfg = &project.config;
    let list = recipients::load(
        rpath,
        LoadOptions {
            require_email: false,
            skip_invalid: true,
        },
    )
    .map(|r| r.list)
    .unwrap_or_default();
    crate::readiness::readiness(&crate::readiness::Outgoing {
        check: Some(report),
        signatory_name: cfg
            .signatory
            .as_ref()
            .map(|s| s.name.as_str())
            .unwrap_or("IGF Secretariat"),
        recipients: &list,
        report_url: cfg.report.url.as_deref(),
    })
}

/// Letters, `.eml` mailings (and delivery with `send`), press release.
/// Returns the number of recipients whose letter or message failed.
#[allow(clippy::too_many_arguments)]
fn build_letters(
    project: &Project,
    opts: &BuildOptions,
    engine: &Engine,
    doc: &Document,
    takeaways_from: Option<(&Document, &str)>,
    rpath: &Path,
    out: &Path,
    paper: Paper,
    outputs: &mut Vec<OutputEntry>,
    warnings: &mut Vec<String>,
    progress: &dyn Progress,
) -> Result<usize, BuildError> {
    let cfg = &project.config;
    progress.step(&format!("letters and mailings ({})", rpath.display()));
    let rs = recipients::load(
        rpath,
        LoadOptions {
            require_email: true,
            skip_invalid: false,
        },
    )
    .map_err(|e| BuildError::stage("recipients", e))?;
    warnings.extend(rs.warnings.iter().map(|w| w.to_string()));
    let Some(report_url) = cfg.report.url.clone() else {
        return Err(BuildError::Input {
            path: project.file.clone(),
            reason: "`report.url`: the letters need the address of the published report".into(),
        });
    };
    let Some(smtp) = &cfg.smtp else {
        return Err(BuildError::Input {
            path: project.file.clone(),
            reason: "`smtp.from`: the mailings need a sender; add an [smtp] section \
                     (host and from; it is used for delivery only with --send)"
                .into(),
        });
    };
    let (smtp_settings, from) =
        SmtpSettings::from_section(smtp).map_err(|e| BuildError::Input {
            path: project.file.clone(),
            reason: format!("[smtp]: {e}"),
        })?;
    let report_title = doc
        .meta
        .title
        .clone()
        .unwrap_or_else(|| format!("{} {}", cfg.bpf.name, cfg.bpf.year));
    let (signatory_name, signatory_role) = match &cfg.signatory {
        Some(s) => (s.name.clone(), s.role.clone().unwrap_or_default()),
        None => ("IGF Secretariat".to_string(), String::new()),
    };
    let bullets: Vec<String> = takeaways::select(doc, takeaways_from, &[])
        .takeaways
        .into_iter()
        .map(|i| letters::letter_bullet(&i.text, &i.sub))
        .filter(|t| !t.is_empty())
        .collect();
    if bullets.len() < letters::MIN_TAKEAWAYS {
        warnings.push(format!(
            "letters: {} takeaway bullet(s) found in the report (3 to 5 read best)",
            bullets.len()
        ));
    }
    let takeaways_pdf = std::fs::read(out.join("takeaways.pdf")).ok();
    let setup = LetterSetup {
        bpf_name: cfg.bpf.name.clone(),
        report_title: report_title.clone(),
        report_url: report_url.clone(),
        year: Some(cfg.bpf.year.to_string()),
        date: opts.date,
        takeaways: bullets,
        signatory_name: signatory_name.clone(),
        signatory_role: signatory_role.clone(),
        paper,
        takeaways_sheet: takeaways_pdf.is_some(),
    };
    let renderer =
        LetterRenderer::new(engine.clone(), &setup).map_err(|e| BuildError::stage("letters", e))?;
    let glyphs: Vec<String> = rs
        .list
        .iter()
        .filter_map(|r| letters::check_recipient(engine, r).err())
        .map(|e| e.to_string())
        .collect();
    if !glyphs.is_empty() {
        return Err(BuildError::Input {
            path: rpath.to_path_buf(),
            reason: format!(
                "{} recipient(s) cannot be printed with the fonts:\n  {}",
                glyphs.len(),
                glyphs.join("\n  ")
            ),
        });
    }
    let report_pdf_path = out.join("report.pdf");
    let report_pdf = std::fs::read(&report_pdf_path).map_err(BuildError::io(&report_pdf_path))?;
    let mut shared = vec![
        Attachment::pdf(report_file_name(&report_title), Arc::new(report_pdf))
            .with_role(Role::Report),
    ];
    if let Some(t) = takeaways_pdf {
        shared.push(Attachment::pdf("key-takeaways.pdf", Arc::new(t)).with_role(Role::Takeaways));
    }
    let texts = match project.template_dir() {
        Some(d) => MailText::load_dir(&d).map_err(|e| BuildError::stage("mail texts", e))?,
        None => Vec::new(),
    };
    let campaign = Campaign {
        key: format!(
            "{}-{}",
            recipients::slug(&report_title),
            recipients::slug(&report_url)
        ),
        date: opts.date,
        from: from.clone(),
        reply_to: None,
        info: CampaignInfo {
            bpf_name: cfg.bpf.name.clone(),
            report_title,
            report_url,
            signatory_name: signatory_name.clone(),
            signatory_role: signatory_role.clone(),
        },
        texts,
        shared,
    };
    let mut run = RunOptions::new(out);
    run.eml = true;
    run.send = opts.send.then_some(smtp_settings);
    run.threads = opts.threads;
    // The build's own spinner owns the terminal line.
    run.progress = false;
    run.stack_bytes = crate::render::TYPST_STACK;
    let manifest = campaign
        .run(&rs, &renderer, &run)
        .map_err(|e| BuildError::stage("mailings", e))?;
    let mut failures = 0;
    for e in &manifest.entries {
        warnings.extend(e.warnings.iter().cloned());
        if matches!(e.status, Status::Failed | Status::Uncertain) {
            failures += 1;
            warnings.push(format!(
                "{} row {} ({}): {}",
                e.status.as_str(),
                e.row,
                e.organisation,
                e.reason.as_deref().unwrap_or("")
            ));
        }
        for rel in [&e.letter, &e.eml].into_iter().flatten() {
            let p = out.join(rel);
            let (h, _) = hash_file(&p, rel.clone())?;
            outputs.push(OutputEntry {
                group: "letters".into(),
                file: h,
            });
        }
    }
    for rel in ["mailing.csv", "mailing.json"] {
        let (h, _) = hash_file(&out.join(rel), rel.into())?;
        outputs.push(OutputEntry {
            group: "letters".into(),
            file: h,
        });
    }

    progress.step("press-release.pdf");
    let (institutions, dissemination) = Institution::sent_to(&manifest, &rs.list);
    let contact = Contact {
        name: signatory_name,
        role: signatory_role,
        email: Some(from.email.to_string()),
    };
    let pool = crate::render::pool(1).map_err(|e| BuildError::stage("press release", e))?;
    let pdf = pool
        .install(|| letters::press_release(engine, &setup, &institutions, dissemination, &contact))
        .map_err(|e| BuildError::stage("press-release.pdf", e))?;
    let p = out.join("press-release.pdf");
    write_atomic(&p, &pdf).map_err(BuildError::io(&p))?;
    outputs.push(OutputEntry {
        group: "letters".into(),
        file: FileHash {
            path: "press-release.pdf".into(),
            sha256: sha256_hex(&pdf),
            size: pdf.len() as u64,
        },
    });
    Ok(failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_relative_paths_are_ever_removed() {
        assert!(is_plain_relative("letters/001-unesco.pdf"));
        assert!(is_plain_relative("report.pdf"));
        for bad in ["", "../bpf.toml", "letters/../../x", "/etc/passwd", "./x"] {
            assert!(!is_plain_relative(bad), "{bad}");
        }
    }

    #[test]
    fn stray_temporaries_go_and_outputs_stay() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        std::fs::create_dir(out.join("letters")).unwrap();
        std::fs::write(out.join("letters/.001-a.pdf.Xy12.part"), b"half").unwrap();
        std::fs::write(out.join(".report.pdf.Zz99.part"), b"half").unwrap();
        std::fs::write(out.join("letters/001-a.pdf"), b"whole").unwrap();
        std::fs::write(out.join("notes.part"), b"the user's").unwrap();
        remove_stray_temporaries(out);
        let mut left: Vec<String> = walk_files(out).unwrap().iter().map(|p| shown(p)).collect();
        left.sort();
        assert_eq!(left, ["letters/001-a.pdf", "notes.part"]);
    }
}
