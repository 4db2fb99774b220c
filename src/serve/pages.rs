//! The four pages. Each handler reads its form, resolves the settings,
//! calls the pipeline's stages on a blocking thread (typst work is CPU
//! bound) and renders what they return. Messages are the stages' own, with
//! the server's temporary paths replaced by the names the browser gave.

use super::web::{App, Job, Session, Upload, download_name, lock, random_id, read_form};
use crate::annotate;
use crate::check::format::{FileError, JsonOutput};
use crate::check::{CheckReport, Checklist};
use crate::dates::Date;
use crate::ingest::{Detected, Limits, detect};
use crate::mail::Language;
use crate::mail::campaign::ProgressSink;
use crate::model::Format;
use crate::pipeline::build::{BuildManifest, BuildOptions, MANIFEST};
use crate::pipeline::campaign::{self, CampaignInput, CampaignOptions};
use crate::pipeline::{self, Error, Flags};
use crate::render::{Paper, Standard};
use axum::Extension;
use axum::extract::{Form, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

type S = Extension<Arc<Session>>;

/// Extensions a draft upload keeps (the reader detects the format from the
/// content; the extension only tells Markdown from plain text).
const DRAFT_EXTENSIONS: [&str; 5] = ["docx", "pdf", "md", "markdown", "txt"];

/// Write an upload into a fresh folder of the session, under a name the
/// server makes (`draft.docx`, `recipients.csv`): the browser's name is
/// shown, never used as a path.
fn store(s: &Session, u: &Upload, stem: &str, allowed: &[&str]) -> std::io::Result<PathBuf> {
    let dir = s.new_dir()?;
    let ext = Path::new(&u.name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .filter(|e| allowed.contains(&e.as_str()));
    let path = match ext {
        Some(e) => dir.join(format!("{stem}.{e}")),
        None => dir.join(stem),
    };
    std::fs::write(&path, &u.bytes)?;
    Ok(path)
}

/// A message with the server's paths replaced by what the user knows them as.
fn shown(msg: &str, names: &[(&Path, &str)]) -> String {
    let mut m = msg.to_owned();
    for (p, n) in names {
        m = m.replace(&p.display().to_string(), n);
    }
    m
}

/// Run blocking stage work off the async threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("the work stopped unexpectedly: {e}"))
}

// ------------------------------------------------------------------ check

#[derive(Serialize)]
struct CheckedView {
    report: CheckReport,
    md: String,
    json: String,
    reviewed: Option<String>,
    reviewed_comments: Option<usize>,
    annotate_note: Option<String>,
}

#[derive(Serialize, Default)]
struct CheckPage {
    page: &'static str,
    reports: Vec<CheckedView>,
    errors: Vec<FileError>,
    /// Element ids for the summary matrix (several drafts).
    ids: Vec<u32>,
    batch_md: Option<String>,
    batch_json: Option<String>,
    meeting_date: String,
    message: Option<String>,
}

/// GET /: the Check page.
pub(crate) async fn check_page(State(app): State<Arc<App>>, Extension(s): S) -> Response {
    app.page(
        "check.html",
        &s,
        minijinja::Value::from_serialize(CheckPage {
            page: "check",
            ..CheckPage::default()
        }),
    )
}

/// POST /check: check the drafts sent, show the verdicts.
pub(crate) async fn check_post(
    State(app): State<Arc<App>>,
    Extension(s): S,
    mp: Multipart,
) -> Response {
    let mut posted = match read_form(mp, &s).await {
        Ok(p) => p,
        Err(e) => return e.page(&app, &s, "/"),
    };
    let mut page = CheckPage {
        page: "check",
        meeting_date: posted.field("meeting_date").unwrap_or("").to_owned(),
        ..CheckPage::default()
    };
    let meeting = match posted.field("meeting_date").map(Date::parse).transpose() {
        Ok(d) => d,
        Err(e) => {
            page.message = Some(format!("Date of the annual meeting: {e}"));
            return with_status(
                app.page("check.html", &s, to_value(&page)),
                StatusCode::BAD_REQUEST,
            );
        }
    };
    let uploads = posted.take_files("drafts");
    if uploads.is_empty() {
        page.message = Some("Choose at least one draft (.docx, .pdf or .md) to check.".into());
        return with_status(
            app.page("check.html", &s, to_value(&page)),
            StatusCode::BAD_REQUEST,
        );
    }
    let (app2, s2) = (app.clone(), s.clone());
    let done = blocking(move || check_uploads(&app2, &s2, uploads, meeting)).await;
    match done {
        Ok(Ok(p)) => {
            page.reports = p.reports;
            page.errors = p.errors;
            page.ids = p.ids;
            page.batch_md = p.batch_md;
            page.batch_json = p.batch_json;
            let status = if page.reports.is_empty() {
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::OK
            };
            with_status(app.page("check.html", &s, to_value(&page)), status)
        }
        Ok(Err(e)) | Err(e) => {
            page.message = Some(e);
            with_status(
                app.page("check.html", &s, to_value(&page)),
                StatusCode::INTERNAL_SERVER_ERROR,
            )
        }
    }
}

fn to_value<T: Serialize>(v: &T) -> minijinja::Value {
    minijinja::Value::from_serialize(v)
}

fn with_status(mut r: Response, status: StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

/// Check each upload as `bpfpress check --annotate` does: one read, the
/// report, and for Word and Markdown drafts the reviewed copy.
fn check_uploads(
    app: &App,
    s: &Session,
    uploads: Vec<Upload>,
    meeting: Option<Date>,
) -> Result<CheckPage, String> {
    let project = app.project().map_err(|e| e.to_string())?;
    let settings = super::settings(
        project.as_ref(),
        Flags {
            meeting_date: meeting,
            ..Flags::default()
        },
    )
    .map_err(|e| e.to_string())?;
    let checklist = Checklist::builtin();
    let check_opts = settings.check_options();
    let aopts = annotate::Options {
        date: settings.clock.today(),
        command: "bpfpress serve (the Check page)".into(),
        limits: Limits::default(),
    };
    let mut page = CheckPage::default();
    let mut reports = Vec::new();
    for u in &uploads {
        let path = store(s, u, "draft", &DRAFT_EXTENSIONS).map_err(|e| e.to_string())?;
        let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let copy_ext = match detect(&u.bytes) {
            Detected::Format(Format::Docx) => Some("docx"),
            Detected::Format(Format::Markdown) => Some("md"),
            _ => None,
        };
        let reviewed = dir.join(format!("reviewed.{}", copy_ext.unwrap_or("docx")));
        let result = annotate::check_file(&path, &reviewed, &checklist, &check_opts, &aopts);
        // The upload goes as soon as it is read.
        let _ = std::fs::remove_file(&path);
        let names = [(path.as_path(), u.name.as_str())];
        match result {
            Ok(checked) => {
                let mut report = checked.report;
                report.source = u.name.clone();
                let md = crate::check::format::markdown(&report);
                let md_path = dir.join("check.md");
                let json = JsonOutput::new(
                    &checklist,
                    vec![report.clone()],
                    Vec::new(),
                    crate::check::exit_code(std::slice::from_ref(&report), 0),
                );
                let json_path = dir.join("check.json");
                let json_text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
                std::fs::write(&md_path, &md).map_err(|e| e.to_string())?;
                std::fs::write(&json_path, json_text + "\n").map_err(|e| e.to_string())?;
                let (reviewed_url, comments) = match (&checked.written, copy_ext) {
                    (Some(a), Some(ext)) => (
                        Some(s.offer(
                            reviewed.clone(),
                            download_name(&u.name, &format!("-reviewed.{ext}")),
                            if ext == "docx" {
                                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                            } else {
                                "text/markdown; charset=utf-8"
                            },
                        )),
                        Some(a.comments),
                    ),
                    _ => (None, None),
                };
                reports.push(report.clone());
                let no_copy = reviewed_url.is_none();
                page.reports.push(CheckedView {
                    md: s.offer(
                        md_path,
                        download_name(&u.name, "-check.md"),
                        "text/markdown; charset=utf-8",
                    ),
                    json: s.offer(
                        json_path,
                        download_name(&u.name, "-check.json"),
                        "application/json",
                    ),
                    reviewed: reviewed_url,
                    reviewed_comments: comments,
                    annotate_note: no_copy.then(|| {
                        format!(
                            "No reviewed copy: a {} draft cannot carry comments; the reviewed \
                             copy is made from the Word (.docx) or Markdown source.",
                            report.format
                        )
                    }),
                    report,
                });
            }
            Err(e) => {
                // As the CLI prints it: the file, then the cause.
                let text = shown(&e.to_string(), &names);
                let text = text
                    .strip_prefix(&format!("{}: ", u.name))
                    .unwrap_or(&text)
                    .to_owned();
                page.errors.push(FileError {
                    path: u.name.clone(),
                    error: text,
                });
            }
        }
    }
    if uploads.len() > 1 {
        for r in &reports {
            for e in &r.elements {
                if !page.ids.contains(&e.id) {
                    page.ids.push(e.id);
                }
            }
        }
        let dir = s.new_dir().map_err(|e| e.to_string())?;
        let md = crate::check::format::markdown_batch(&reports, &page.errors);
        let code = crate::check::exit_code(&reports, page.errors.len());
        let json = JsonOutput::new(&checklist, reports, page.errors.clone(), code);
        let json_text = serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("check.md"), md).map_err(|e| e.to_string())?;
        std::fs::write(dir.join("check.json"), json_text + "\n").map_err(|e| e.to_string())?;
        page.batch_md = Some(s.offer(
            dir.join("check.md"),
            "check.md".into(),
            "text/markdown; charset=utf-8",
        ));
        page.batch_json = Some(s.offer(
            dir.join("check.json"),
            "check.json".into(),
            "application/json",
        ));
    }
    Ok(page)
}

// ---------------------------------------------------------------- publish

#[derive(Serialize, Default)]
struct Output {
    title: String,
    pdf: String,
    pages: usize,
    previews: Vec<String>,
    note: Option<String>,
}

#[derive(Serialize, Default)]
struct PublishPage {
    page: &'static str,
    name: Option<String>,
    outputs: Vec<Output>,
    warnings: Vec<String>,
    message: Option<String>,
    report_url: String,
    paper: String,
    standard: String,
}

pub(crate) async fn publish_page(State(app): State<Arc<App>>, Extension(s): S) -> Response {
    app.page(
        "publish.html",
        &s,
        to_value(&PublishPage {
            page: "publish",
            ..PublishPage::default()
        }),
    )
}

/// Pages shown as images for each output.
const PREVIEW_PAGES: usize = 2;

/// POST /publish: render the report and the takeaways sheet of a draft.
pub(crate) async fn publish_post(
    State(app): State<Arc<App>>,
    Extension(s): S,
    mp: Multipart,
) -> Response {
    let mut posted = match read_form(mp, &s).await {
        Ok(p) => p,
        Err(e) => return e.page(&app, &s, "/publish"),
    };
    let mut page = PublishPage {
        page: "publish",
        report_url: posted.field("report_url").unwrap_or("").to_owned(),
        paper: posted.field("paper").unwrap_or("").to_owned(),
        standard: posted.field("standard").unwrap_or("").to_owned(),
        ..PublishPage::default()
    };
    let mut flags = Flags {
        offered: &[],
        report_url: posted.field("report_url").map(str::to_owned),
        ..Flags::default()
    };
    let parsed = (|| -> Result<(), String> {
        if let Some(p) = posted.field("paper") {
            flags.paper = Some(p.parse::<Paper>().map_err(|e| format!("Paper: {e}"))?);
        }
        match posted.field("standard") {
            None | Some("none") => {}
            Some(st) => {
                flags.standard = Some(
                    st.parse::<Standard>()
                        .map_err(|e| format!("Standard: {e}"))?,
                )
            }
        }
        Ok(())
    })();
    let upload = posted.take_files("draft").into_iter().next();
    let (Ok(()), Some(upload)) = (parsed.clone(), upload) else {
        page.message = Some(
            parsed
                .err()
                .unwrap_or_else(|| "Choose the draft (.docx, .pdf or .md) to publish.".into()),
        );
        return with_status(
            app.page("publish.html", &s, to_value(&page)),
            StatusCode::BAD_REQUEST,
        );
    };
    page.name = Some(upload.name.clone());
    let (app2, s2) = (app.clone(), s.clone());
    let done = blocking(move || publish(&app2, &s2, &upload, flags)).await;
    let status = match done {
        Ok(Ok((outputs, warnings))) => {
            page.outputs = outputs;
            page.warnings = warnings;
            StatusCode::OK
        }
        Ok(Err(e)) | Err(e) => {
            page.message = Some(e);
            StatusCode::UNPROCESSABLE_ENTITY
        }
    };
    with_status(app.page("publish.html", &s, to_value(&page)), status)
}

/// Offer an output's PDF and previews in the session.
fn offer_output(
    s: &Session,
    dir: &Path,
    shown_name: &str,
    what: &str,
    pdf: &[u8],
    previews: &[Vec<u8>],
) -> std::io::Result<(String, Vec<String>)> {
    let pdf_path = dir.join(format!("{what}.pdf"));
    std::fs::write(&pdf_path, pdf)?;
    let url = s.offer(
        pdf_path,
        download_name(shown_name, &format!("-{what}.pdf")),
        "application/pdf",
    );
    let mut images = Vec::new();
    for (i, png) in previews.iter().enumerate() {
        let p = dir.join(format!("{what}-{}.png", i + 1));
        std::fs::write(&p, png)?;
        images.push(s.offer(p, format!("{what}-{}.png", i + 1), "image/png"));
    }
    Ok((url, images))
}

/// Ingest, check, render, takeaways: `bpfpress render` and `bpfpress
/// takeaways` on one draft.
fn publish(
    app: &App,
    s: &Session,
    u: &Upload,
    flags: Flags,
) -> Result<(Vec<Output>, Vec<String>), String> {
    let path = store(s, u, "draft", &DRAFT_EXTENSIONS).map_err(|e| e.to_string())?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let names = [(path.as_path(), u.name.as_str())];
    let msg = |e: Error| shown(&e.to_string(), &names);
    let project = app.project().map_err(msg)?;
    let settings = super::settings(project.as_ref(), flags).map_err(msg)?;
    let doc = pipeline::ingest(&path, &Limits::default());
    let _ = std::fs::remove_file(&path);
    let mut doc = doc.map_err(msg)?;
    settings.apply(&mut doc);
    let report = pipeline::check(&doc, &Checklist::builtin(), &settings);
    let engine = pipeline::engine(&settings)
        .map_err(msg)?
        .with_previews(PREVIEW_PAGES);
    let mut warnings = Vec::new();
    let mut outputs = Vec::new();
    let rendered = pipeline::render(&engine, &doc, &settings)
        .map_err(|e| msg(e.with_path(&path)))?
        .into_output(&mut warnings);
    let (pdf, previews) = offer_output(
        s,
        &dir,
        &u.name,
        "report",
        &rendered.pdf,
        &rendered.previews,
    )
    .map_err(|e| e.to_string())?;
    outputs.push(Output {
        title: "Report".into(),
        pdf,
        pages: rendered.pages,
        previews,
        note: None,
    });
    let from = match &settings.takeaways_file {
        Some(p) => Some(pipeline::read_takeaways_file(p, p.display().to_string()).map_err(msg)?),
        None => None,
    };
    match pipeline::takeaways(&engine, &doc, &report, from.as_ref(), &settings) {
        Ok(made) => {
            let made = made.into_output(&mut warnings);
            let (pdf, previews) = offer_output(
                s,
                &dir,
                &u.name,
                "takeaways",
                &made.sheet.pdf,
                &made.sheet.previews,
            )
            .map_err(|e| e.to_string())?;
            outputs.push(Output {
                title: "Key takeaways".into(),
                pdf,
                pages: made.sheet.pages,
                previews,
                note: Some(format!("Takeaways from {}", made.source)),
            });
        }
        // No takeaways sheet is a finding, not a failure of the report.
        Err(e) => warnings.push(crate::pipeline::Warning::new(format!(
            "no takeaways sheet: {}",
            msg(e)
        ))),
    }
    Ok((
        outputs,
        warnings
            .iter()
            .map(|w| shown(&w.to_string(), &names))
            .collect(),
    ))
}

// ---------------------------------------------------------------- mailing

/// A mailing prepared on the Mailing page, ready to send.
#[derive(Clone)]
pub(crate) struct Prepared {
    draft: PathBuf,
    draft_name: String,
    recipients: PathBuf,
    recipients_name: String,
    flags: Flags,
    count: usize,
}

#[derive(Serialize, Default)]
struct Letter {
    language: String,
    organisation: String,
    pdf: String,
    image: Option<String>,
}

#[derive(Serialize, Default)]
struct Row {
    row: usize,
    organisation: String,
    contact: String,
    email: String,
    language: String,
    status: String,
}

#[derive(Serialize, Default)]
struct MailingPage {
    page: &'static str,
    message: Option<String>,
    problems: Vec<crate::mail::recipients::Problem>,
    problems_file: Option<String>,
    rows: Vec<Row>,
    letters: Vec<Letter>,
    warnings: Vec<String>,
    refusals: Vec<String>,
    prepared: Option<String>,
    can_send: bool,
    send_note: Option<String>,
    summary: Option<String>,
    form: MailingForm,
    project_report: Option<String>,
    project_recipients: Option<String>,
}

#[derive(Serialize, Default, Clone)]
struct MailingForm {
    report_url: String,
    bpf_name: String,
    signatory_name: String,
    signatory_role: String,
}

fn mailing_defaults(app: &App) -> MailingPage {
    let project = app.project().ok().flatten();
    MailingPage {
        page: "mailing",
        project_report: project
            .as_ref()
            .and_then(|p| p.report_path())
            .map(|p| p.display().to_string()),
        project_recipients: project
            .as_ref()
            .and_then(|p| p.recipients_path())
            .map(|p| p.display().to_string()),
        ..MailingPage::default()
    }
}

pub(crate) async fn mailing_page(State(app): State<Arc<App>>, Extension(s): S) -> Response {
    app.page("mailing.html", &s, to_value(&mailing_defaults(&app)))
}

/// POST /mailing: read the recipients, make the letters (a dry run: nothing
/// is sent), show the problems, one letter per language and what stands in
/// the way of sending.
pub(crate) async fn mailing_post(
    State(app): State<Arc<App>>,
    Extension(s): S,
    mp: Multipart,
) -> Response {
    let mut posted = match read_form(mp, &s).await {
        Ok(p) => p,
        Err(e) => return e.page(&app, &s, "/mailing"),
    };
    let mut page = mailing_defaults(&app);
    page.form = MailingForm {
        report_url: posted.field("report_url").unwrap_or("").into(),
        bpf_name: posted.field("bpf_name").unwrap_or("").into(),
        signatory_name: posted.field("signatory_name").unwrap_or("").into(),
        signatory_role: posted.field("signatory_role").unwrap_or("").into(),
    };
    let flags = Flags {
        report_url: posted.field("report_url").map(str::to_owned),
        bpf_name: posted.field("bpf_name").map(str::to_owned),
        signatory_name: posted.field("signatory_name").map(str::to_owned),
        signatory_role: posted.field("signatory_role").map(str::to_owned),
        ..Flags::default()
    };
    let draft = posted.take_files("draft").into_iter().next();
    let recipients = posted.take_files("recipients").into_iter().next();
    let (app2, s2) = (app.clone(), s.clone());
    let done = blocking(move || prepare_mailing(&app2, &s2, draft, recipients, flags, page)).await;
    match done {
        Ok((page, status)) => with_status(app.page("mailing.html", &s, to_value(&page)), status),
        Err(e) => app.error(
            &s,
            StatusCode::INTERNAL_SERVER_ERROR,
            "Mailing",
            &e,
            "/mailing",
        ),
    }
}

fn prepare_mailing(
    app: &App,
    s: &Session,
    draft: Option<Upload>,
    recipients: Option<Upload>,
    mut flags: Flags,
    mut page: MailingPage,
) -> (MailingPage, StatusCode) {
    let project = match app.project() {
        Ok(p) => p,
        Err(e) => {
            page.message = Some(e.to_string());
            return (page, StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    // The draft and the recipients: uploaded, else the project's.
    let stored = |u: &Option<Upload>,
                  stem: &str,
                  allowed: &[&str]|
     -> Result<Option<(PathBuf, String)>, String> {
        match u {
            Some(u) => Ok(Some((
                store(s, u, stem, allowed).map_err(|e| e.to_string())?,
                u.name.clone(),
            ))),
            None => Ok(None),
        }
    };
    let draft = match stored(&draft, "draft", &DRAFT_EXTENSIONS) {
        Ok(Some(d)) => d,
        Ok(None) => match project.as_ref().and_then(|p| p.report_path()) {
            Some(p) => (p.clone(), p.display().to_string()),
            None => {
                page.message = Some("Choose the report draft the letters go with.".into());
                return (page, StatusCode::BAD_REQUEST);
            }
        },
        Err(e) => {
            page.message = Some(e);
            return (page, StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let recips = match stored(&recipients, "recipients", &["csv", "toml", "json"]) {
        Ok(Some(r)) => r,
        Ok(None) => match project.as_ref().and_then(|p| p.recipients_path()) {
            Some(p) => (p.clone(), p.display().to_string()),
            None => {
                page.message = Some(
                    "Choose the recipients file (CSV with columns organisation, contact_name, \
                     email, language, …)."
                        .into(),
                );
                return (page, StatusCode::BAD_REQUEST);
            }
        },
        Err(e) => {
            page.message = Some(e);
            return (page, StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let names = [
        (draft.0.as_path(), draft.1.as_str()),
        (recips.0.as_path(), recips.1.as_str()),
    ];
    flags.recipients = Some(recips.0.clone());
    let out = match s.new_dir() {
        Ok(d) => d,
        Err(e) => {
            page.message = Some(e.to_string());
            return (page, StatusCode::INTERNAL_SERVER_ERROR);
        }
    };
    let dry = Flags {
        output: Some(out.clone()),
        ..flags.clone()
    };
    let made = dry_run(project.as_ref(), dry, &draft.0, s, &out, &mut page);
    match made {
        Ok(count) => {
            let id = random_id();
            lock(&s.mailings).insert(
                id.clone(),
                Prepared {
                    draft: draft.0.clone(),
                    draft_name: draft.1.clone(),
                    recipients: recips.0.clone(),
                    recipients_name: recips.1.clone(),
                    flags,
                    count,
                },
            );
            page.prepared = Some(id);
            let settings = project
                .as_ref()
                .and_then(|p| super::settings(Some(p), Flags::default()).ok());
            match settings {
                None => {
                    page.send_note = Some(
                        "Sending needs a project folder: start the server with `bpfpress serve \
                         PROJECT_DIR`. Its bpf.toml names the SMTP server and the sender, and its \
                         output folder keeps the send log, so that a mailing never goes out twice."
                            .into(),
                    )
                }
                Some(st) if st.smtp.is_none() || st.sender.is_none() => {
                    page.send_note = Some(format!(
                        "Sending needs the SMTP server and the sender: set the [smtp] section \
                         (host, from) of {}.",
                        st.project_file
                            .map(|p| p.display().to_string())
                            .unwrap_or_else(|| "bpf.toml".into())
                    ))
                }
                Some(_) => page.can_send = true,
            }
            for w in &mut page.warnings {
                *w = shown(w, &names);
            }
            (page, StatusCode::OK)
        }
        Err(e) => {
            if let Error::Recipients(crate::mail::RecipientsError::Invalid { problems, .. }) =
                e.cause()
            {
                page.problems = problems.clone();
                page.problems_file = Some(recips.1.clone());
                // The table below says what the CLI lists line by line.
                page.message = Some(format!(
                    "{}: {} problem(s); nothing was made.",
                    recips.1,
                    problems.len()
                ));
            } else {
                page.message = Some(shown(&e.to_string(), &names));
            }
            (page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

/// The draft as the campaign stage takes it ([`campaign::mailing_draft`]),
/// the engine, and the takeaways sheet the messages attach.
fn mailing_draft(
    settings: &crate::pipeline::Settings,
    draft: &Path,
    warnings: &mut Vec<crate::pipeline::Warning>,
) -> Result<
    (
        crate::render::Engine,
        campaign::MailingDraft,
        Option<crate::mail::Attachment>,
    ),
    Error,
> {
    let d = campaign::mailing_draft(draft, settings)?.into_output(warnings);
    let engine = pipeline::engine(settings)?;
    let sheet = pipeline::takeaways(&engine, &d.doc, &d.check, d.from.as_ref(), settings)
        .ok()
        .map(|m| m.into_output(warnings).sheet.pdf)
        .map(|pdf| crate::mail::Attachment::pdf("key-takeaways.pdf", pdf));
    Ok((engine, d, sheet))
}

/// The campaign stage as a dry run into the session (letters, and the
/// messages when a sender is known), then one letter per language drawn
/// as an image. Gives the number of recipients.
fn dry_run(
    project: Option<&crate::project::Project>,
    flags: Flags,
    draft: &Path,
    s: &Session,
    out: &Path,
    page: &mut MailingPage,
) -> Result<usize, Error> {
    let settings = super::settings(project, flags)?;
    let mut warnings = Vec::new();
    let probe = CampaignOptions::default();
    let opts = CampaignOptions {
        eml: settings.sender.is_some(),
        progress: false,
        ..probe
    };
    let recipients = campaign::load_recipients(&settings, &opts)?.into_output(&mut warnings);
    let (engine, d, sheet) = mailing_draft(&settings, draft, &mut warnings)?;
    let input = CampaignInput {
        doc: &d.doc,
        draft,
        check: &d.check,
        recipients: &recipients,
        takeaways: d.takeaways,
        report_pdf: None,
        takeaways_pdf: sheet,
    };
    let mailing =
        campaign::campaign(&engine, &input, &settings, &opts, out)?.into_output(&mut warnings);
    page.summary = Some(mailing.manifest.summary());
    for e in &mailing.manifest.entries {
        page.rows.push(Row {
            row: e.row,
            organisation: e.organisation.clone(),
            contact: e.contact_name.clone().unwrap_or_default(),
            email: e.email.clone().unwrap_or_default(),
            language: e.language.map(|l| l.name().to_owned()).unwrap_or_default(),
            status: e.status.as_str().to_owned(),
        });
    }
    // The refusals a send would meet, apart from the other warnings.
    for w in warnings {
        let text = w.to_string();
        if text.starts_with("not ready to send") {
            page.refusals.push(text);
        } else {
            page.warnings.push(text);
        }
    }
    // One letter per language, drawn.
    let preview = engine.with_previews(1);
    let renderer = crate::letters::LetterRenderer::new(preview, &mailing.setup)?;
    let mut seen: Vec<Language> = Vec::new();
    for r in &recipients.list {
        if seen.contains(&r.language) {
            continue;
        }
        seen.push(r.language);
        let letter = renderer.letter(r)?;
        let dir = s.new_dir().map_err(Error::Io)?;
        let pdf = dir.join("letter.pdf");
        std::fs::write(&pdf, &letter.pdf).map_err(Error::Io)?;
        let image = match letter.previews.first() {
            Some(png) => {
                let p = dir.join("letter.png");
                std::fs::write(&p, png).map_err(Error::Io)?;
                Some(s.offer(p, "letter.png".into(), "image/png"))
            }
            None => None,
        };
        page.letters.push(Letter {
            language: r.language.name().to_owned(),
            organisation: r.organisation.clone(),
            pdf: s.offer(pdf, format!("{}.pdf", r.stem), "application/pdf"),
            image,
        });
    }
    Ok(recipients.list.len())
}

/// POST /mailing/send: send a prepared mailing, after explicit
/// confirmation, as `bpfpress letters --send` does (the gate refuses what
/// the CLI refuses; "send anyway" is `--force`).
pub(crate) async fn mailing_send(
    State(app): State<Arc<App>>,
    Extension(s): S,
    Form(form): Form<std::collections::HashMap<String, String>>,
) -> Response {
    if let Err(e) = super::web::check_csrf(&s, form.get("csrf").map(String::as_str)) {
        return e.page(&app, &s, "/mailing");
    }
    let prepared = form
        .get("prepared")
        .and_then(|id| lock(&s.mailings).get(id).cloned());
    let Some(prepared) = prepared else {
        return app.error(
            &s,
            StatusCode::NOT_FOUND,
            "No such mailing",
            "Prepare the mailing again (upload the draft and the recipients): nothing was sent.",
            "/mailing",
        );
    };
    let confirmed = form.get("confirm").is_some_and(|v| v == "yes");
    if !confirmed {
        return app.error(
            &s,
            StatusCode::BAD_REQUEST,
            "Not sent: please confirm",
            &format!(
                "Tick “Yes, send {} messages now” to send. Nothing was sent.",
                prepared.count
            ),
            "/mailing",
        );
    }
    let force = form.get("force").is_some_and(|v| v == "yes");
    let project = match app.project() {
        Ok(Some(p)) => p,
        _ => {
            return app.error(
                &s,
                StatusCode::BAD_REQUEST,
                "Not sent",
                "Sending needs a project folder (bpfpress serve PROJECT_DIR). Nothing was sent.",
                "/mailing",
            );
        }
    };
    let job = Arc::new(Job::default());
    job.update(|j| {
        j.title = format!("Sending {} messages", prepared.count);
        j.back = "/mailing".into();
    });
    let id = random_id();
    lock(&s.jobs).insert(id.clone(), job.clone());
    super::web::run_job(job.clone(), move || {
        let result = send(&project, &prepared, force, &job);
        job.update(|j| {
            match result {
                Ok((summary, warnings)) => {
                    j.summary = summary;
                    j.warnings = warnings;
                }
                Err(e) => {
                    let names = [
                        (prepared.draft.as_path(), prepared.draft_name.as_str()),
                        (
                            prepared.recipients.as_path(),
                            prepared.recipients_name.as_str(),
                        ),
                    ];
                    j.error = Some(shown(&e.to_string(), &names));
                }
            }
            j.finished = true;
        });
    });
    Redirect::to(&format!("/job/{id}")).into_response()
}

fn send(
    project: &crate::project::Project,
    p: &Prepared,
    force: bool,
    job: &Arc<Job>,
) -> Result<(Vec<String>, Vec<String>), Error> {
    let settings = super::settings(Some(project), p.flags.clone())?;
    let j = job.clone();
    let opts = CampaignOptions {
        eml: true,
        send: true,
        force,
        progress: false,
        sink: Some(ProgressSink(Arc::new(move |what, done, total| {
            j.update(|s| {
                s.done = done;
                s.total = total;
                let line = format!("{what}: {done} of {total}");
                match s.log.last_mut() {
                    Some(l) if l.starts_with(what) => *l = line,
                    _ => s.log.push(line),
                }
            })
        }))),
        ..CampaignOptions::default()
    };
    let mut warnings = Vec::new();
    let recipients = campaign::load_recipients(&settings, &opts)?.into_output(&mut warnings);
    let (engine, d, sheet) = mailing_draft(&settings, &p.draft, &mut warnings)?;
    let input = CampaignInput {
        doc: &d.doc,
        draft: &p.draft,
        check: &d.check,
        recipients: &recipients,
        takeaways: d.takeaways,
        report_pdf: None,
        takeaways_pdf: sheet,
    };
    let mailing = campaign::campaign(&engine, &input, &settings, &opts, &settings.out_dir)?
        .into_output(&mut warnings);
    let summary = vec![
        mailing.manifest.summary(),
        format!(
            "manifest: {}",
            settings.out_dir.join("mailing.csv").display()
        ),
    ];
    Ok((summary, warnings.iter().map(|w| w.to_string()).collect()))
}

// ---------------------------------------------------------------- project

#[derive(Serialize, Default)]
struct ProjectPage {
    page: &'static str,
    file: String,
    out_dir: String,
    manifest: Option<BuildManifest>,
    files: Vec<(String, String, u64, Option<String>)>,
    message: Option<String>,
    running: Option<String>,
}

/// GET /project: the last build (`manifest.json`) and the Build button.
pub(crate) async fn project_page(State(app): State<Arc<App>>, Extension(s): S) -> Response {
    let mut page = ProjectPage {
        page: "project",
        ..ProjectPage::default()
    };
    let project = match app.project() {
        Ok(Some(p)) => p,
        Ok(None) => {
            return app.error(
                &s,
                StatusCode::NOT_FOUND,
                "No project",
                "This server was started without a project folder. Start it in one (bpfpress \
                 serve PROJECT_DIR, the folder holding bpf.toml) to see its last build and build it.",
                "/",
            );
        }
        Err(e) => {
            page.message = Some(e.to_string());
            return with_status(
                app.page("project.html", &s, to_value(&page)),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    page.file = project.file.display().to_string();
    let out = project.output_dir();
    page.out_dir = out.display().to_string();
    match std::fs::read(out.join(MANIFEST)) {
        Ok(bytes) => match serde_json::from_slice::<BuildManifest>(&bytes) {
            Ok(m) => {
                for o in &m.outputs {
                    // Only what the manifest lists, inside the output folder.
                    let rel = Path::new(&o.file.path);
                    let safe = rel
                        .components()
                        .all(|c| matches!(c, std::path::Component::Normal(_)));
                    let url = safe.then(|| {
                        let mime = match rel.extension().and_then(|e| e.to_str()) {
                            Some("pdf") => "application/pdf",
                            Some("json") => "application/json",
                            Some("md") => "text/markdown; charset=utf-8",
                            Some("csv") => "text/csv; charset=utf-8",
                            Some("eml") => "message/rfc822",
                            _ => "application/octet-stream",
                        };
                        let name = rel
                            .file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        s.offer(
                            out.join(rel),
                            super::web::download_name(
                                &name,
                                &format!(
                                    ".{}",
                                    rel.extension().and_then(|e| e.to_str()).unwrap_or("bin")
                                ),
                            ),
                            mime,
                        )
                    });
                    page.files
                        .push((o.group.clone(), o.file.path.clone(), o.file.size, url));
                }
                page.manifest = Some(m);
            }
            Err(e) => {
                page.message = Some(format!(
                    "{}: not a build manifest: {e}",
                    out.join(MANIFEST).display()
                ))
            }
        },
        Err(_) => page.message = Some("Not built yet: press Build.".into()),
    }
    if let Some(j) = lock(&app.build).as_ref()
        && !lock(&j.state).finished
    {
        page.running = lock(&s.jobs)
            .iter()
            .find(|(_, x)| Arc::ptr_eq(x, j))
            .map(|(id, _)| format!("/job/{id}"))
            .or(Some(String::new()));
    }
    app.page("project.html", &s, to_value(&page))
}

#[derive(Deserialize)]
pub(crate) struct BuildForm {
    csrf: Option<String>,
    force: Option<String>,
}

/// POST /project/build: `bpfpress build` of the project, in the
/// background, its steps shown as they come.
pub(crate) async fn project_build(
    State(app): State<Arc<App>>,
    Extension(s): S,
    Form(form): Form<BuildForm>,
) -> Response {
    if let Err(e) = super::web::check_csrf(&s, form.csrf.as_deref()) {
        return e.page(&app, &s, "/project");
    }
    let project = match app.project() {
        Ok(Some(p)) => p,
        Ok(None) => return Redirect::to("/project").into_response(),
        Err(e) => {
            return app.error(
                &s,
                StatusCode::UNPROCESSABLE_ENTITY,
                "Cannot build",
                &e.to_string(),
                "/project",
            );
        }
    };
    let job = {
        let mut running = lock(&app.build);
        if running.as_ref().is_some_and(|j| !lock(&j.state).finished) {
            return app.error(
                &s,
                StatusCode::CONFLICT,
                "A build is running",
                "The project is being built (perhaps from another window). Wait for it to finish, \
                 then look at the Project page.",
                "/project",
            );
        }
        let job = Arc::new(Job::default());
        *running = Some(job.clone());
        job
    };
    job.update(|j| {
        j.title = "Building the project".into();
        j.back = "/project".into();
    });
    let id = random_id();
    lock(&s.jobs).insert(id.clone(), job.clone());
    let force = form.force.as_deref() == Some("yes");
    super::web::run_job(job.clone(), move || {
        let result = (|| -> Result<_, Error> {
            let settings = super::settings(Some(&project), Flags::default())?;
            let opts = BuildOptions {
                force,
                send: false,
                threads: 0,
            };
            let log = |msg: &str| job.update(|j| j.log.push(msg.to_owned()));
            crate::pipeline::build::build(&project, &settings, &opts, &log)
        })();
        job.update(|j| {
            match result {
                Ok(b) => {
                    j.warnings = b.warnings.iter().map(|w| w.to_string()).collect();
                    let o = b.output;
                    if o.is_noop() {
                        j.summary.push("Up to date: nothing to do.".into());
                    } else {
                        j.summary.push(format!(
                            "Built {} ({} outputs).",
                            o.rebuilt.join(", "),
                            o.manifest.outputs.len()
                        ));
                    }
                    if let Some(c) = &o.manifest.check {
                        j.summary.push(format!(
                            "Check: {} present, {} weak, {} missing; {} error(s), {} warning(s).",
                            c.present, c.weak, c.missing, c.errors, c.warnings
                        ));
                    }
                    for p in &o.problems {
                        j.warnings.push(p.to_string());
                    }
                }
                Err(e) => j.error = Some(e.to_string()),
            }
            j.finished = true;
        });
    });
    Redirect::to(&format!("/job/{id}")).into_response()
}
