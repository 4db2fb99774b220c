//! The server's machinery: sessions, their private folders and files,
//! the guard every request passes (host, token, session, headers), form
//! reading with limits, templates, background jobs with progress.

use super::{Options, ServeError, pages};
use axum::Router;
use axum::extract::{DefaultBodyLimit, Multipart, Path as UrlPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Serialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Cookie naming the session.
const SESSION_COOKIE: &str = "bpfpress_session";
/// Cookie carrying the access token (with `--token`).
const TOKEN_COOKIE: &str = "bpfpress_token";
/// A session unused this long is removed with its files.
const SESSION_IDLE: Duration = Duration::from_secs(4 * 3600);
/// At most this many sessions at once (the oldest idle one goes first).
const MAX_SESSIONS: usize = 200;

/// Lock a mutex; a poisoned one (a panicking handler) still holds data.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A random id: 128 bits from the system's generator, as hex.
pub(crate) fn random_id() -> String {
    let mut b = [0u8; 16];
    // The system generator does not fail on the platforms we build for; if
    // it ever did, a time-and-counter id is still unique, and the session
    // cookie is then no secret — refuse rather than serve with it.
    if getrandom::fill(&mut b).is_err() {
        panic!("the system's random number generator is not available");
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// Make a folder only this user can read (0700 on Unix).
fn private_dir(d: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(d)
}

/// Compare secrets without leaking where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// A file the session may download: where it is, the name it is offered
/// under, its type.
#[derive(Debug, Clone)]
pub(crate) struct Stored {
    pub path: PathBuf,
    pub name: String,
    pub mime: &'static str,
}

/// One browser's work: its private folder, CSRF token, files and jobs.
pub(crate) struct Session {
    pub csrf: String,
    pub dir: PathBuf,
    seen: Mutex<Instant>,
    next: AtomicU64,
    files: Mutex<HashMap<String, Stored>>,
    pub jobs: Mutex<HashMap<String, Arc<Job>>>,
    /// Prepared mailings (Mailing page), by id.
    pub mailings: Mutex<HashMap<String, pages::Prepared>>,
}

impl Session {
    /// A new folder in the session's folder, named by the server.
    pub fn new_dir(&self) -> std::io::Result<PathBuf> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let d = self.dir.join(format!("w{n}"));
        private_dir(&d)?;
        Ok(d)
    }

    /// Offer `path` for download as `name`; gives the download's address.
    pub fn offer(&self, path: PathBuf, name: String, mime: &'static str) -> String {
        let id = random_id();
        lock(&self.files).insert(id.clone(), Stored { path, name, mime });
        format!("/file/{id}")
    }

    fn file(&self, id: &str) -> Option<Stored> {
        lock(&self.files).get(id).cloned()
    }
}

/// A job that runs in the background (a build, a send): what it has done
/// so far, for the progress page.
#[derive(Default)]
pub(crate) struct Job {
    pub state: Mutex<JobState>,
}

#[derive(Default, Clone, Serialize)]
pub(crate) struct JobState {
    pub title: String,
    /// What happened, one line a step.
    pub log: Vec<String>,
    pub done: u64,
    pub total: u64,
    pub finished: bool,
    /// The outcome: an error message, or the lines of the summary.
    pub error: Option<String>,
    pub summary: Vec<String>,
    pub warnings: Vec<String>,
    /// Where to go next (e.g. back to the project page).
    pub back: String,
}

impl Job {
    pub fn update(&self, f: impl FnOnce(&mut JobState)) {
        f(&mut lock(&self.state));
    }
}

/// Run a job's work on a thread of its own. Should the work panic, the job
/// still ends, saying so, and the server goes on.
pub(crate) fn run_job(job: Arc<Job>, work: impl FnOnce() + Send + 'static) {
    std::thread::spawn(move || {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).is_err() {
            job.update(|j| {
                j.error = Some(
                    "the job stopped on an internal error; what was written before stays".into(),
                );
                j.finished = true;
            });
        }
    });
}

/// The server's state, shared by every request.
pub struct App {
    pub(crate) opts: Options,
    /// The server's private temporary folder (0700); removed on exit.
    root: tempfile::TempDir,
    sessions: Mutex<HashMap<String, (Arc<Session>, String)>>,
    env: minijinja::Environment<'static>,
    /// The project's running build, if any (one at a time).
    pub(crate) build: Mutex<Option<Arc<Job>>>,
    pub(crate) addr: SocketAddr,
}

/// The page templates, embedded in the binary.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("check.html", include_str!("templates/check.html")),
    ("publish.html", include_str!("templates/publish.html")),
    ("mailing.html", include_str!("templates/mailing.html")),
    ("project.html", include_str!("templates/project.html")),
    ("job.html", include_str!("templates/job.html")),
    ("error.html", include_str!("templates/error.html")),
];
const STYLE: &str = include_str!("templates/style.css");
const SCRIPT: &str = include_str!("templates/page.js");

fn environment() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    // A field the data lacks (an older or newer check report, an empty
    // form) renders as nothing, also when something is looked up in it.
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    for (name, src) in TEMPLATES {
        // The templates are ours and fixed: a syntax error is a bug that
        // the page tests catch.
        if let Err(e) = env.add_template(name, src) {
            panic!("template {name}: {e}");
        }
    }
    // A location of the model ({"page": 3}) as the CLI prints it.
    env.add_filter("loc", |v: minijinja::Value| -> String {
        serde_json::to_value(&v)
            .ok()
            .and_then(|j| serde_json::from_value::<crate::model::Location>(j).ok())
            .map(|l| l.to_string())
            .unwrap_or_default()
    });
    env.add_filter("bytes", |n: u64| crate::ingest::human_bytes(n));
    // Text cut to `n` characters, with an ellipsis.
    env.add_filter("clip", |s: String, n: usize| -> String {
        if s.chars().count() <= n {
            s
        } else {
            let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
            t.push('…');
            t
        }
    });
    env
}

impl App {
    /// Render `template` with `ctx` plus what every page has.
    pub(crate) fn page(
        &self,
        template: &str,
        session: &Session,
        ctx: minijinja::Value,
    ) -> Response {
        let common = minijinja::context! {
            csrf => session.csrf.clone(),
            version => env!("CARGO_PKG_VERSION"),
            project => self.opts.project.is_some(),
            max_upload => crate::ingest::human_bytes(self.opts.max_upload),
            max_upload_bytes => self.opts.max_upload,
        };
        let ctx = minijinja::context! { ..ctx, ..common };
        match self.env.get_template(template).and_then(|t| t.render(ctx)) {
            Ok(html) => Html(html).into_response(),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("bpfpress serve: page {template} could not be made: {e:#}"),
            )
                .into_response(),
        }
    }

    /// An error page: what went wrong, what to do.
    pub(crate) fn error(
        &self,
        session: &Session,
        status: StatusCode,
        title: &str,
        message: &str,
        back: &str,
    ) -> Response {
        let mut r = self.page(
            "error.html",
            session,
            minijinja::context! { title, message, back },
        );
        *r.status_mut() = status;
        r
    }

    /// The project, loaded again for each request (`bpf.toml` may change).
    pub(crate) fn project(
        &self,
    ) -> Result<Option<crate::project::Project>, crate::pipeline::Error> {
        match &self.opts.project {
            Some(p) => Ok(Some(crate::project::Project::load(p)?)),
            None => Ok(None),
        }
    }

    fn session(&self, id: Option<&str>) -> (Arc<Session>, bool) {
        let mut sessions = lock(&self.sessions);
        if let Some(id) = id
            && let Some((s, _)) = sessions.get(id)
        {
            *lock(&s.seen) = Instant::now();
            return (s.clone(), false);
        }
        // Forget idle sessions (and the oldest beyond the limit).
        let now = Instant::now();
        sessions.retain(|_, (s, _)| {
            let keep = now.duration_since(*lock(&s.seen)) < SESSION_IDLE;
            if !keep {
                let _ = std::fs::remove_dir_all(&s.dir);
            }
            keep
        });
        if sessions.len() >= MAX_SESSIONS
            && let Some(oldest) = sessions
                .iter()
                .min_by_key(|(_, (s, _))| *lock(&s.seen))
                .map(|(k, _)| k.clone())
            && let Some((s, _)) = sessions.remove(&oldest)
        {
            let _ = std::fs::remove_dir_all(&s.dir);
        }
        let id = random_id();
        let n = sessions.len();
        let dir = self.root.path().join(format!("s{}-{}", n, &id[..8]));
        let _ = private_dir(&dir);
        let s = Arc::new(Session {
            csrf: random_id(),
            dir,
            seen: Mutex::new(now),
            next: AtomicU64::new(0),
            files: Mutex::new(HashMap::new()),
            jobs: Mutex::new(HashMap::new()),
            mailings: Mutex::new(HashMap::new()),
        });
        sessions.insert(id.clone(), (s.clone(), id));
        (s, true)
    }

    fn session_id(&self, s: &Arc<Session>) -> Option<String> {
        lock(&self.sessions)
            .values()
            .find(|(x, _)| Arc::ptr_eq(x, s))
            .map(|(_, id)| id.clone())
    }
}

/// A cookie's value from the request's `Cookie` headers.
fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the `Host` header names this server: loopback names, or with a
/// token any name (the token guards it).
fn host_ok(app: &App, headers: &HeaderMap) -> bool {
    if app.opts.token.is_some() {
        return true;
    }
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let port = app.addr.port();
    ["127.0.0.1", "localhost", "[::1]"]
        .iter()
        .any(|h| host == format!("{h}:{port}") || (port == 80 && host == *h))
}

/// Every request passes here: the host, the token, the session (made on
/// first visit, passed to the handler), security headers.
async fn guard(State(app): State<Arc<App>>, mut req: Request, next: Next) -> Response {
    if !host_ok(&app, req.headers()) {
        return (
            StatusCode::MISDIRECTED_REQUEST,
            "bpfpress serve answers only to its own address (http://127.0.0.1:PORT/)",
        )
            .into_response();
    }
    let mut set_token = false;
    if let Some(token) = &app.opts.token {
        let query_token = req.uri().query().and_then(|q| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(k, _)| *k == "token")
                .map(|(_, v)| v.to_owned())
        });
        let cookie_ok = cookie(req.headers(), TOKEN_COOKIE).is_some_and(|c| same_secret(c, token));
        match query_token {
            Some(t) if same_secret(&t, token) => set_token = true,
            _ if cookie_ok => {}
            _ => {
                return (
                    StatusCode::UNAUTHORIZED,
                    Html(
                        "<!doctype html><html lang=\"en\"><title>Access token needed</title>\
                         <h1>Access token needed</h1><p>This bpfpress server was started with \
                         <code>--token</code>. Open the address it printed, which ends in \
                         <code>?token=…</code>.</p></html>",
                    ),
                )
                    .into_response();
            }
        }
    }
    if set_token {
        // Take the token out of the address bar (and of the history).
        let mut r = Redirect::to(req.uri().path()).into_response();
        if let Some(token) = &app.opts.token
            && let Ok(v) = HeaderValue::from_str(&format!(
                "{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"
            ))
        {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        return r;
    }
    let (session, new) = app.session(cookie(req.headers(), SESSION_COOKIE));
    if new && req.method() == axum::http::Method::POST {
        return app
            .error(
                &session,
                StatusCode::FORBIDDEN,
                "Your session has ended",
                "The page you sent the form from belongs to a session this server no longer \
             knows (it was restarted, or the session was idle for hours). Nothing was done.",
                "/",
            )
            .with_cookie(&app, &session);
    }
    req.extensions_mut().insert(session.clone());
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if new {
        r = r.with_cookie(&app, &session);
    }
    r
}

trait WithCookie {
    fn with_cookie(self, app: &App, s: &Arc<Session>) -> Response;
}

impl WithCookie for Response {
    fn with_cookie(mut self, app: &App, s: &Arc<Session>) -> Response {
        if let Some(id) = app.session_id(s)
            && let Ok(v) = HeaderValue::from_str(&format!(
                "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict"
            ))
        {
            self.headers_mut().append(header::SET_COOKIE, v);
        }
        self
    }
}

/// A file sent with a form: the name the browser gave (shown, never used
/// as a path) and the bytes.
pub(crate) struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A posted form: its text fields and its files, by field name.
#[derive(Default)]
pub(crate) struct Posted {
    pub fields: HashMap<String, String>,
    pub files: Vec<(String, Upload)>,
}

impl Posted {
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    }
    pub fn take_files(&mut self, name: &str) -> Vec<Upload> {
        let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut self.files)
            .into_iter()
            .partition(|(f, _)| f == name);
        self.files = rest;
        mine.into_iter().map(|(_, u)| u).collect()
    }
}

/// Why a form could not be read.
pub(crate) enum FormError {
    TooLarge,
    Bad(String),
    Csrf,
}

impl FormError {
    pub fn page(&self, app: &App, s: &Session, back: &str) -> Response {
        match self {
            FormError::TooLarge => app.error(
                s,
                StatusCode::PAYLOAD_TOO_LARGE,
                "The upload is too large",
                &format!(
                    "The files sent with this form are larger than this server accepts \
                     ({} in all). Nothing was read. Send a smaller file, or start the server \
                     with a larger --max-upload.",
                    crate::ingest::human_bytes(app.opts.max_upload)
                ),
                back,
            ),
            FormError::Bad(m) => app.error(
                s,
                StatusCode::BAD_REQUEST,
                "The form could not be read",
                &format!("{m}. Nothing was done; send the form again."),
                back,
            ),
            FormError::Csrf => app.error(
                s,
                StatusCode::FORBIDDEN,
                "Form refused",
                "This form did not come from this page (its security token is missing or \
                 wrong). Nothing was done. Reload the page and send the form again.",
                back,
            ),
        }
    }
}

/// Read a multipart form, within the body limit, and check its CSRF token.
pub(crate) async fn read_form(mut mp: Multipart, s: &Session) -> Result<Posted, FormError> {
    let mut posted = Posted::default();
    let err = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            FormError::TooLarge
        } else {
            FormError::Bad(e.body_text())
        }
    };
    while let Some(field) = mp.next_field().await.map_err(err)? {
        let name = field.name().unwrap_or("").to_owned();
        match field.file_name().map(str::to_owned) {
            Some(file) => {
                let bytes = field.bytes().await.map_err(err)?;
                // An empty file input sends a part with no name and no bytes.
                if file.is_empty() && bytes.is_empty() {
                    continue;
                }
                posted.files.push((
                    name,
                    Upload {
                        name: file,
                        bytes: bytes.to_vec(),
                    },
                ));
            }
            None => {
                let text = field.text().await.map_err(err)?;
                posted.fields.insert(name, text);
            }
        }
    }
    check_csrf(s, posted.fields.get("csrf").map(String::as_str))?;
    Ok(posted)
}

/// The CSRF token of a form must be the session's.
pub(crate) fn check_csrf(s: &Session, token: Option<&str>) -> Result<(), FormError> {
    match token {
        Some(t) if same_secret(t, &s.csrf) => Ok(()),
        _ => Err(FormError::Csrf),
    }
}

/// GET /file/{id}: a file of this session.
async fn file(
    State(app): State<Arc<App>>,
    axum::Extension(s): axum::Extension<Arc<Session>>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let Some(f) = s.file(&id) else {
        return app.error(
            &s,
            StatusCode::NOT_FOUND,
            "No such file",
            "This file is not (or no longer) here: files belong to the browser session that \
             made them and go when the server stops.",
            "/",
        );
    };
    let path = f.path.clone();
    let read = tokio::task::spawn_blocking(move || std::fs::read(path)).await;
    let bytes = match read.map_err(std::io::Error::other).and_then(|r| r) {
        Ok(b) => b,
        Err(e) => {
            return app.error(
                &s,
                StatusCode::NOT_FOUND,
                "File gone",
                &format!("{}: {e}", f.name),
                "/",
            );
        }
    };
    let inline = f.mime.starts_with("image/");
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        f.name
    );
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(f.mime));
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// GET /job/{id}: a background job's progress (the page reloads itself
/// until the job is done).
async fn job(
    State(app): State<Arc<App>>,
    axum::Extension(s): axum::Extension<Arc<Session>>,
    UrlPath(id): UrlPath<String>,
) -> Response {
    let job = lock(&s.jobs).get(&id).cloned();
    let Some(job) = job else {
        return app.error(
            &s,
            StatusCode::NOT_FOUND,
            "No such job",
            "This job is not one of this browser session's.",
            "/",
        );
    };
    let state = lock(&job.state).clone();
    app.page(
        "job.html",
        &s,
        minijinja::context! { job => state, page => "job" },
    )
}

async fn style() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        STYLE,
    )
        .into_response()
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// The routes.
fn router(app: Arc<App>) -> Router {
    let limit = usize::try_from(app.opts.max_upload).unwrap_or(usize::MAX);
    Router::new()
        .route("/", get(pages::check_page))
        .route("/check", post(pages::check_post))
        .route(
            "/publish",
            get(pages::publish_page).post(pages::publish_post),
        )
        .route(
            "/mailing",
            get(pages::mailing_page).post(pages::mailing_post),
        )
        .route("/mailing/send", post(pages::mailing_send))
        .route("/project", get(pages::project_page))
        .route("/project/build", post(pages::project_build))
        .route("/file/{id}", get(file))
        .route("/job/{id}", get(job))
        .route("/static/style.css", get(style))
        .route("/static/page.js", get(script))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        // The multipart reader stops at the limit (413 page); the form's
        // fields count towards it.
        .layer(DefaultBodyLimit::max(limit.saturating_add(64 << 10)))
        .with_state(app)
}

/// Listen, print the address, serve until Ctrl-C or SIGTERM; the
/// temporary folder goes with the server.
pub(crate) async fn serve(opts: Options, ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    let addr = SocketAddr::new(opts.bind, opts.port);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let addr = listener.local_addr()?;
    let root = tempfile::Builder::new()
        .prefix("bpfpress-serve-")
        .tempdir()?;
    // tempfile makes the folder 0700 on Unix: only this user reads it.
    let url = match &opts.token {
        Some(t) => format!("http://{addr}/?token={t}"),
        None => format!("http://{addr}/"),
    };
    let app = Arc::new(App {
        opts,
        root,
        sessions: Mutex::new(HashMap::new()),
        env: environment(),
        build: Mutex::new(None),
        addr,
    });
    ready(&url);
    let shutdown = async {
        let ctrl_c = tokio::signal::ctrl_c();
        #[cfg(unix)]
        {
            let mut term =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = ctrl_c => {}
                _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = ctrl_c.await;
        }
    };
    axum::serve(listener, router(app.clone()))
        .with_graceful_shutdown(shutdown)
        .await?;
    // Sessions' folders go with the server's temporary folder.
    drop(app);
    Ok(())
}

/// The name a download is offered under: the browser's file stem cut to
/// safe characters, then `suffix`.
pub(crate) fn download_name(shown: &str, suffix: &str) -> String {
    let stem = Path::new(shown)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.' {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect();
    let safe = safe.trim_matches(['-', '.']);
    if safe.is_empty() {
        format!("draft{suffix}")
    } else {
        format!("{safe}{suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_plain_file_names() {
        assert_eq!(
            download_name("Draft report.docx", "-check.md"),
            "Draft-report-check.md"
        );
        assert_eq!(download_name("../../etc/passwd", ".pdf"), "passwd.pdf");
        assert_eq!(download_name("..", ".pdf"), "draft.pdf");
        assert_eq!(download_name("C:\\x\\é\"q.docx", ".pdf"), "C--x---q.pdf");
        assert_eq!(download_name("", ".json"), "draft.json");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
        assert!(!same_secret("", "a"));
        let (a, b) = (random_id(), random_id());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
    }

    #[test]
    fn cookies_are_found_by_name() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; bpfpress_session=xyz"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("bpfpress_token=t"));
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("xyz"));
        assert_eq!(cookie(&h, TOKEN_COOKIE), Some("t"));
        assert_eq!(cookie(&h, "bpfpress"), None);
    }

    #[test]
    fn every_template_renders_with_empty_data() {
        let env = environment();
        for (name, _) in TEMPLATES {
            let html = env
                .get_template(name)
                .and_then(|t| t.render(minijinja::context! { job => minijinja::context!{} }))
                .unwrap_or_else(|e| panic!("{name}: {e:#}"));
            assert!(html.contains("<html lang=\"en\">"), "{name}");
        }
    }

    /// The check page reads the report's serialised fields: one the check
    /// adds later is shown where the template names it (`advice`), others
    /// are ignored; none breaks the page.
    #[test]
    fn the_check_page_tolerates_fields_it_does_not_know() {
        let mut d = crate::model::Document::new("d.md", crate::model::Format::Markdown);
        d.meta.title = Some("A <b>draft</b>".into());
        d.finish();
        let report =
            crate::check::check(&d, &crate::check::Checklist::builtin(), &Default::default());
        let mut v = serde_json::to_value(&report).unwrap();
        v["elements"][0]["advice"] = "Add a section that defines the issue.".into();
        v["elements"][0]["mapping"] = serde_json::json!({"new": [1, 2]});
        v["novelty"] = 42.into();
        let html = environment()
            .get_template("check.html")
            .and_then(|t| {
                t.render(minijinja::context! {
                    reports => vec![minijinja::context! { report => v, md => "/file/a", json => "/file/b" }],
                })
            })
            .unwrap();
        assert!(
            html.contains("<p class=\"advice\">Add a section that defines the issue.</p>"),
            "{html}"
        );
        assert!(
            html.contains("A &lt;b&gt;draft&lt;&#x2f;b&gt;")
                || html.contains("A &lt;b&gt;draft&lt;/b&gt;"),
            "user text is escaped: {html}"
        );
        assert_eq!(html.matches("<tr class=\"v-").count(), 10);
    }
}
