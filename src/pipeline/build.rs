//! The one-command pipeline behind `bpfpress build`.
//!
//! Takes a validated [`Project`] (`bpf.toml`), its resolved [`Settings`]
//! and [`BuildOptions`]; runs the stages — ingest → check → render (report,
//! takeaways sheet) → campaign (letters, `.eml` mailings) and press release
//! — into the output folder, and writes `manifest.json` last. Gives a
//! [`BuildOutcome`] (what was redone, what was up to date) with warnings, or
//! an [`Error`] naming the file, the place and the reason.
//!
//! Outputs come in five groups, each with a fingerprint of exactly the
//! inputs it depends on (tool version, project file, report, templates, the
//! `SOURCE_DATE_EPOCH` day if set, and for the letters group the recipients
//! file and the letter date):
//!
//! | group | outputs |
//! | --- | --- |
//! | `check` | `check.json`, `check.md` |
//! | `report` | `report.pdf` |
//! | `takeaways` | `takeaways.pdf` |
//! | `letters` | `letters/*.pdf`, `mail/*.eml`, `mailing.csv`, `mailing.json`, `press-release.pdf` |
//! | `summaries` | `summaries.pdf` (the year's compilation of `[summaries]`) |
//!
//! A project has the first four groups when it has `[report]`, the last
//! when it has `[summaries]`. The compilation's fingerprint also covers the
//! URLs file and every listed report (path, hash, address, Forum name);
//! reports it leaves out (unreadable) are named in
//! [`BuildOutcome::problems`] and mark the group incomplete, so the next
//! run tries again.
//!
//! A group is redone when its fingerprint differs from the manifest's, or
//! when one of its outputs is missing or no longer has the size and SHA-256
//! the manifest records. Every file is written atomically through one
//! [`OutputDir`], which records each file's size and hash from the bytes as
//! they are written, and the manifest only after all outputs, so a build
//! killed part-way leaves complete files only (stray `*.part` temporaries
//! are removed by the next run) and the next run redoes whatever the
//! manifest does not vouch for.

use super::campaign::{self, CampaignInput, CampaignOptions};
use super::{Error, Settings, TakeawaysFile, Warned, Warning};
use crate::check::{self, CheckReport, Checklist, Summary};
use crate::fsutil::{FileHash, OutputDir, hex, sha256_hex};
use crate::ingest::Limits;
use crate::model::Document;
use crate::project::Project;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Name of the build manifest in the output folder.
pub const MANIFEST: &str = "manifest.json";
/// Version of the manifest's JSON shape.
pub const MANIFEST_SCHEMA: u32 = 1;

/// The output groups, in build order.
pub const GROUPS: [&str; 5] = ["check", "report", "takeaways", "letters", "summaries"];

/// How to build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Render even when a key element is missing.
    pub force: bool,
    /// Deliver the mailings over SMTP (the `[smtp]` section).
    pub send: bool,
    /// Worker threads for the letters (0: one per core).
    pub threads: usize,
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
    /// customised folder), `templates` (the bundled set, as one digest),
    /// or for the year's compilation `summaries-report` (a report),
    /// `summaries-takeaways` (its BPF's takeaways file) and `summaries-urls`.
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
    /// The check of `[report]` (absent for a project with only `[summaries]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub check: Option<Summary>,
    /// Date on the letters and messages.
    pub letter_date: String,
    pub outputs: Vec<OutputEntry>,
}

/// What a build did.
#[derive(Debug)]
pub struct BuildOutcome {
    /// Groups redone in this run.
    pub rebuilt: Vec<String>,
    /// Groups found up to date.
    pub up_to_date: Vec<String>,
    pub manifest: BuildManifest,
    pub out_dir: PathBuf,
    /// Letters or messages that failed or may not have been delivered.
    pub mail_failures: usize,
    /// Reports of the year's compilation that were left out (unreadable,
    /// or listed paths naming no report), each naming the file: the
    /// others were compiled.
    pub problems: Vec<Error>,
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

fn hash_file(path: &Path, shown: String) -> Result<FileHash, Error> {
    let bytes = std::fs::read(path).map_err(Error::io(path))?;
    Ok(FileHash::of(shown, &bytes))
}

/// An input problem restated as a problem with the project-file key that
/// names the input.
fn keyed(project: &Project, key: &str) -> impl FnOnce(Error) -> Error {
    let file = project.file.clone();
    let place = format!("`{key}`");
    move |e| e.with_place(place).with_path(file)
}

/// Every file under `dir`, relative, sorted.
fn walk_files(dir: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(rel) = stack.pop() {
        let abs = dir.join(&rel);
        for entry in std::fs::read_dir(&abs).map_err(Error::io(&abs))? {
            let entry = entry.map_err(Error::io(&abs))?;
            let ft = entry.file_type().map_err(Error::io(&abs))?;
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

/// Run the whole pipeline for `project` with its resolved `settings`.
pub fn build(
    project: &Project,
    settings: &Settings,
    opts: &BuildOptions,
    progress: &dyn Progress,
) -> Result<Warned<BuildOutcome>, Error> {
    let cfg = &project.config;
    let out_dir = settings.out_dir.clone();

    // 1. Inputs and fingerprints (cheap: hashing only).
    let project_hash = hash_file(&project.file, PROJECT_NAME.into())?;
    let mut inputs = vec![InputEntry {
        role: "project".into(),
        file: project_hash.clone(),
    }];
    let report_path = project.report_path();
    let mut report_sha = "none".to_string();
    if let (Some(path), Some(section)) = (&report_path, &cfg.report) {
        let h = hash_file(path, shown(&section.path)).map_err(keyed(project, "report.path"))?;
        report_sha = h.sha256.clone();
        inputs.push(InputEntry {
            role: "report".into(),
            file: h,
        });
    }
    let takeaways_path = project.takeaways_path();
    let takeaways_rel = cfg.report.as_ref().and_then(|r| r.takeaways.as_ref());
    let mut takeaways_sha = "none".to_string();
    if let (Some(tp), Some(rel)) = (&takeaways_path, takeaways_rel) {
        let h = hash_file(tp, shown(rel)).map_err(keyed(project, "report.takeaways"))?;
        takeaways_sha = h.sha256.clone();
        inputs.push(InputEntry {
            role: "takeaways".into(),
            file: h,
        });
    }
    let recipients_path = project.recipients_path();
    let mut recipients_hash = None;
    if let (Some(rp), Some(r)) = (&recipients_path, &cfg.recipients) {
        let h = hash_file(rp, shown(&r.file)).map_err(keyed(project, "recipients.file"))?;
        inputs.push(InputEntry {
            role: "recipients".into(),
            file: h.clone(),
        });
        recipients_hash = Some(h);
    }
    let mut warnings = Vec::new();
    // The year's compilation: its reports as listed, each hashed (a report
    // that cannot be read is named when the group is built).
    let mut listing = match &cfg.summaries {
        Some(_) => Some(
            super::summaries::list_reports(settings)
                .map_err(|e| e.with_path(&project.file))?
                .into_output(&mut warnings),
        ),
        None => None,
    };
    let summaries_text = match &listing {
        Some(l) => summaries_inputs(project, l, settings, &mut inputs),
        None => String::new(),
    };
    let template_dir = project.template_dir();
    let mut templates_digest = Sha256::new();
    let templates_shown = match (&template_dir, &cfg.output.templates) {
        (Some(dir), Some(rel)) => {
            let files = walk_files(dir).map_err(keyed(project, "output.templates"))?;
            for f in files {
                let h = hash_file(&dir.join(&f), shown(&rel.join(&f)))?;
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
            let digest = hex(&all.finalize());
            templates_digest.update(digest.as_bytes());
            inputs.push(InputEntry {
                role: "templates".into(),
                file: FileHash {
                    path: "(built-in)".into(),
                    sha256: digest,
                    size,
                },
            });
            "built-in".to_string()
        }
    };
    let templates_hex = hex(&templates_digest.finalize());
    let version = env!("CARGO_PKG_VERSION");
    let mut common = format!(
        "bpfpress {version}\nproject {}\nreport {report_sha}\ntakeaways {takeaways_sha}\ntemplates {templates_hex}\n",
        project_hash.sha256
    );
    // SOURCE_DATE_EPOCH fixes the PDFs' dates: another value, other bytes.
    if let Some(d) = settings.clock.source_date() {
        common.push_str(&format!("source-date {d}\n"));
    }
    let letter_date = settings.letter_date.to_string();
    // The groups this project has: those of one report, the compilation.
    let groups: Vec<&str> = GROUPS
        .iter()
        .copied()
        .filter(|g| match *g {
            "summaries" => cfg.summaries.is_some(),
            _ => cfg.report.is_some(),
        })
        .collect();
    let mut fingerprints = BTreeMap::new();
    for &g in &groups {
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
        if g == "summaries" {
            text.push_str(&summaries_text);
        }
        fingerprints.insert(g.to_string(), sha256_hex(text.as_bytes()));
    }

    // 2. What is up to date?
    std::fs::create_dir_all(&out_dir).map_err(Error::io(&out_dir))?;
    remove_stray_temporaries(&out_dir);
    let previous = read_manifest(&out_dir);
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
        outs.all(|o| output_matches(&out_dir, &o.file))
    };
    let mut dirty: Vec<&str> = groups.iter().copied().filter(|g| !fresh(g)).collect();
    if opts.send && cfg.report.is_some() && recipients_path.is_some() && !dirty.contains(&"letters")
    {
        // Sending is an action, not an output: run the campaign (its send
        // log keeps anything from going out twice).
        dirty.push("letters");
    }
    if dirty.is_empty()
        && let Some(m) = previous
    {
        return Ok(Warned::new(
            BuildOutcome {
                rebuilt: Vec::new(),
                up_to_date: groups.iter().map(|s| s.to_string()).collect(),
                manifest: m,
                out_dir,
                mail_failures: 0,
                problems: Vec::new(),
            },
            warnings,
        ));
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
    let out = OutputDir::new(&out_dir);
    // What `out` wrote since the last call, as outputs of `group`.
    let record = |group: &str, outputs: &mut Vec<OutputEntry>| {
        outputs.extend(out.take_written().into_iter().map(|file| OutputEntry {
            group: group.into(),
            file,
        }));
    };

    let engine = super::engine(settings)?;

    // 3. The year's compilation: read the reports in parallel, compile.
    let mut problems: Vec<Error> = Vec::new();
    if let Some(listing) = listing.as_mut()
        && dirty.contains(&"summaries")
    {
        let pdf = build_summaries(&engine, listing, settings, progress, &mut problems)?
            .into_output(&mut warnings);
        let rel = summaries_output(settings, &out_dir);
        out.write(&rel, &pdf)?;
        record("summaries", &mut outputs);
        if !problems.is_empty() {
            // Left-out reports: the group is not done; the next run retries.
            fingerprints.insert("summaries".into(), "incomplete".into());
        }
    }
    let mut check_summary = previous.as_ref().and_then(|m| m.check);
    let mut mail_failures = 0;
    if let (Some(report_path), Some(section)) = (report_path.as_deref(), &cfg.report)
        && dirty.iter().any(|g| *g != "summaries")
    {
        // 3. Ingest and check, once (always, when anything is to be done: the
        // check decides whether rendering may go on; later stages reuse it).
        progress.step(&format!("ingest {}", report_path.display()));
        let mut doc: Document = super::ingest(report_path, &Limits::default())?;
        settings.apply(&mut doc);
        let from: Option<TakeawaysFile> = match (&takeaways_path, takeaways_rel) {
            (Some(tp), Some(rel)) => Some(
                super::read_takeaways_file(tp, shown(rel))
                    .map_err(keyed(project, "report.takeaways"))?,
            ),
            _ => None,
        };
        progress.step("check");
        let checklist = Checklist::builtin();
        let mut report: CheckReport = super::check(&doc, &checklist, settings);
        report.source = shown(&section.path);
        let summary = report.summary;
        check_summary = Some(summary);
        if dirty.contains(&"check") {
            let code = check::exit_code(std::slice::from_ref(&report), 0);
            let json =
                check::format::JsonOutput::new(&checklist, vec![report.clone()], vec![], code);
            let json = serde_json::to_vec_pretty(&json).map_err(|source| Error::Json {
                what: "check.json",
                source,
            })?;
            out.write("check.json", &json)?;
            out.write("check.md", check::format::markdown(&report).as_bytes())?;
            record("check", &mut outputs);
        }
        if !summary.key_elements_present {
            let missing: Vec<String> = report
                .elements
                .iter()
                .filter(|e| e.key && e.verdict == check::Verdict::Missing)
                .map(|e| format!("{}. {}", e.id, e.short))
                .collect();
            if !opts.force {
                return Err(Error::KeyElementsMissing {
                    missing,
                    report: out.path("check.md"),
                }
                .with_path(&project.file));
            }
            warnings.push(Warning::new(format!(
                "key element(s) missing: {} (built anyway: --force)",
                missing.join("; ")
            )));
        }

        // 4. Rendering.
        let mut report_pdf = None;
        if dirty.contains(&"report") {
            progress.step("report.pdf");
            let r = super::render(&engine, &doc, settings).map_err(|e| e.with_path(report_path))?;
            warnings.extend(r.warnings.into_iter().map(|w| w.about("report.pdf")));
            out.write("report.pdf", &r.output.pdf)?;
            record("report", &mut outputs);
            report_pdf = Some(r.output.pdf);
        }
        let mut takeaways_pdf = None;
        if dirty.contains(&"takeaways") {
            progress.step("takeaways.pdf");
            let made = super::takeaways(&engine, &doc, &report, from.as_ref(), settings)
                .map_err(|e| e.with_place("takeaways.pdf"))?;
            warnings.extend(made.warnings.into_iter().map(|w| w.about("takeaways.pdf")));
            out.write("takeaways.pdf", &made.output.sheet.pdf)?;
            record("takeaways", &mut outputs);
            takeaways_pdf = Some(made.output.sheet.pdf);
        }
        if dirty.contains(&"letters") && recipients_path.is_some() {
            progress.step(&format!(
                "letters and mailings ({})",
                recipients_path
                    .as_deref()
                    .unwrap_or(Path::new(""))
                    .display()
            ));
            // The PDFs made in this run, else those of an earlier one.
            let report_pdf = match report_pdf {
                Some(pdf) => pdf,
                None => {
                    let p = out.path("report.pdf");
                    std::fs::read(&p).map_err(Error::io(&p))?
                }
            };
            let takeaways_pdf =
                takeaways_pdf.or_else(|| std::fs::read(out.path("takeaways.pdf")).ok());
            let copts = CampaignOptions {
                eml: true,
                send: opts.send,
                force: opts.force,
                threads: opts.threads,
                // The build's own spinner owns the terminal line.
                progress: false,
                ..CampaignOptions::default()
            };
            let recipients =
                campaign::load_recipients(settings, &copts)?.into_output(&mut warnings);
            let bullets = campaign::letter_takeaways(&doc, from.as_ref(), settings)?
                .into_output(&mut warnings);
            let title = settings.report_title(&doc, report_path);
            let input = CampaignInput {
                doc: &doc,
                draft: report_path,
                check: &report,
                recipients: &recipients,
                takeaways: bullets,
                report_pdf: Some(campaign::report_attachment(&title, report_pdf)),
                takeaways_pdf: takeaways_pdf
                    .map(|pdf| crate::mail::Attachment::pdf("key-takeaways.pdf", pdf)),
            };
            let mailing = campaign::campaign(&engine, &input, settings, &copts, &out_dir)?
                .into_output(&mut warnings);
            mail_failures = mailing.failures();
            outputs.extend(mailing.manifest.outputs.iter().map(|file| OutputEntry {
                group: "letters".into(),
                file: file.clone(),
            }));
            progress.step("press-release.pdf");
            let pr = campaign::press_release(&engine, &mailing, &recipients, settings)
                .map_err(|e| e.with_place("press-release.pdf"))?;
            out.write("press-release.pdf", &pr.pdf)?;
            record("letters", &mut outputs);
        }
    }

    // 5. Leftovers of the previous build that this one did not make again
    // (e.g. letters of recipients no longer listed).
    for rel in stale {
        if is_plain_relative(&rel) && !outputs.iter().any(|o| o.file.path == rel) {
            let _ = std::fs::remove_file(out.path(&rel));
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
        check: check_summary,
        letter_date,
        outputs,
    };
    let json = serde_json::to_vec_pretty(&manifest).map_err(|source| Error::Json {
        what: MANIFEST,
        source,
    })?;
    out.write(MANIFEST, &json)?;
    Ok(Warned::new(
        BuildOutcome {
            rebuilt: dirty.iter().map(|s| s.to_string()).collect(),
            up_to_date: groups
                .iter()
                .filter(|g| !dirty.contains(g))
                .map(|s| s.to_string())
                .collect(),
            manifest,
            out_dir,
            mail_failures,
            problems,
        },
        warnings,
    ))
}

const PROJECT_NAME: &str = crate::project::PROJECT_FILE;

/// A path as the manifest shows it: relative to the project folder when
/// it is inside it.
fn shown_in(project: &Project, p: &Path) -> String {
    shown(p.strip_prefix(&project.dir).unwrap_or(p))
}

/// The compilation's inputs: each report and takeaways file hashed into
/// `inputs`, and the text its fingerprint is made of (every report's
/// place, hash, address and Forum; the URLs file's hash).
fn summaries_inputs(
    project: &Project,
    listing: &super::summaries::Listing,
    settings: &Settings,
    inputs: &mut Vec<InputEntry>,
) -> String {
    let mut text = String::new();
    let mut add = |role: &str, path: &Path| -> String {
        match std::fs::read(path) {
            Ok(bytes) => {
                let h = FileHash::of(shown_in(project, path), &bytes);
                let sha = h.sha256.clone();
                inputs.push(InputEntry {
                    role: role.into(),
                    file: h,
                });
                sha
            }
            Err(_) => "unreadable".into(),
        }
    };
    if let Some(u) = &settings.summaries.urls {
        text.push_str(&format!("urls {}\n", add("summaries-urls", u)));
    }
    for r in &listing.reports {
        let sha = add("summaries-report", &r.path);
        text.push_str(&format!(
            "summary {} {sha} url {:?} bpf {:?}\n",
            r.shown,
            r.url(),
            r.bpf()
        ));
        if let Some(t) = &r.takeaways {
            text.push_str(&format!("takeaways {}\n", add("summaries-takeaways", t)));
        }
    }
    for p in &listing.problems {
        text.push_str(&format!("problem {p}\n"));
    }
    text
}

/// Where the compilation goes, relative to the output folder.
fn summaries_output(settings: &Settings, out_dir: &Path) -> String {
    let p = &settings.summaries.output;
    shown(p.strip_prefix(out_dir).unwrap_or(p))
}

/// The summaries group: read the listed reports in parallel, compile the
/// publication. Reports that cannot be read or fitted go into `problems`
/// (the others are compiled); none readable is an error.
fn build_summaries(
    engine: &crate::render::Engine,
    listing: &mut super::summaries::Listing,
    settings: &Settings,
    progress: &dyn Progress,
    problems: &mut Vec<Error>,
) -> Result<Warned<Vec<u8>>, Error> {
    let mut warnings = Vec::new();
    progress.step(&format!(
        "summaries: reading {} report(s)",
        listing.reports.len()
    ));
    problems.append(&mut listing.problems);
    let mut reports = Vec::new();
    for r in super::summaries::read_reports(engine, &listing.reports, settings, &|_| {})? {
        match r {
            Ok(w) => reports.push(w.into_output(&mut warnings)),
            Err(e) => problems.push(e),
        }
    }
    progress.step(&format!(
        "{} ({} report(s))",
        settings.summaries.output.display(),
        reports.len()
    ));
    let made = super::summaries::summaries(engine, &reports, settings)?.into_output(&mut warnings);
    for (shown, e) in made.left_out {
        problems.push(Error::from(e).with_path(shown));
    }
    Ok(Warned::new(made.pdf, warnings))
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
