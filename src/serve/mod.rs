//! `bpfpress serve`: the same stages as the command line, on a local web
//! page for people who do not use a terminal (`docs/serve.md`).
//!
//! Takes [`Options`] (address, access token, project folder, upload limit);
//! serves until Ctrl-C or SIGTERM. Four pages — Check, Publish, Mailing,
//! Project — each a form whose handler resolves [`Settings`], calls the
//! stages of [`crate::pipeline`] on a blocking thread and renders what
//! they return with a template (`src/serve/templates/`). The page adds no
//! logic of its own: what a check finds, what a mailing refuses, what a
//! build redoes is decided by the stages, exactly as for the CLI.
//!
//! Safe by default:
//! - it listens on 127.0.0.1; any other address needs `--token`, and every
//!   request then carries it (once in the address, then as a cookie);
//! - the `Host` header must name this server (no DNS rebinding);
//! - each browser gets a session (a random cookie) with its own private
//!   folder (0700) under the server's temporary folder: uploads are written
//!   there under names the server makes (never the browser's), removed
//!   once read, and the session's outputs are reachable only through
//!   random ids that the session holds — two users never see each other's
//!   files; everything is removed when the server stops;
//! - every POST form carries the session's CSRF token;
//! - request bodies are limited (`--max-upload`); a bad upload shows the
//!   same message as the CLI and the server keeps serving.

mod pages;
mod web;

use crate::dates::Clock;
use crate::pipeline::{Error, Settings};
use crate::project::Project;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

/// Largest request body (all uploaded files of one form), by default.
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 64;

/// Shortest access token accepted for a non-loopback address.
pub const MIN_TOKEN_LEN: usize = 16;

/// How to serve.
#[derive(Debug, Clone)]
pub struct Options {
    pub bind: IpAddr,
    /// 0: a free port chosen by the system (printed).
    pub port: u16,
    /// Required to listen on an address other than loopback.
    pub token: Option<String>,
    /// A project folder (holding `bpf.toml`): the Project page, the
    /// project's report and recipients, and sending.
    pub project: Option<PathBuf>,
    /// Largest request body in bytes.
    pub max_upload: u64,
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "{addr} can be reached from other machines: give --token SECRET (at least \
         {MIN_TOKEN_LEN} characters; every visitor then needs it), or listen on 127.0.0.1"
    )]
    NeedToken { addr: IpAddr },
    #[error("--token: at least {MIN_TOKEN_LEN} characters, letters, digits, '-' or '_'")]
    BadToken,
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("cannot start the server: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Pipeline(#[from] Error),
}

impl Options {
    /// Refuse what is not safe: a reachable address without a token.
    pub fn validate(&self) -> Result<(), ServeError> {
        if let Some(t) = &self.token
            && (t.len() < MIN_TOKEN_LEN
                || !t
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        {
            return Err(ServeError::BadToken);
        }
        if !self.bind.is_loopback() && self.token.is_none() {
            return Err(ServeError::NeedToken { addr: self.bind });
        }
        Ok(())
    }
}

/// The settings of one request: the project's (if the server was started
/// in one), the form's flags on top, today's clock.
pub(crate) fn settings(
    project: Option<&Project>,
    flags: crate::pipeline::Flags,
) -> Result<Settings, Error> {
    let clock = Clock::from_env()?;
    Ok(Settings::resolve(project, flags, &clock)?)
}

/// Serve until Ctrl-C or SIGTERM. `ready` is called with the page's
/// address once the server listens.
pub fn run(opts: Options, ready: impl FnOnce(&str)) -> Result<(), ServeError> {
    opts.validate()?;
    if let Some(p) = &opts.project {
        Project::load(p).map_err(Error::from)?;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("bpfpress-serve")
        .build()?;
    rt.block_on(web::serve(opts, ready))
}
