//! SMTP delivery with a persistent send log, so that a message is never
//! sent twice.
//!
//! Takes SMTP settings and `.eml` bytes with their envelope; gives a
//! [`Outcome`] per message and an append-only log (`send-log.jsonl`, one JSON
//! object a line, each line fsync'd) in the output folder.
//!
//! # Exactly once, and the window that remains
//!
//! The Message-ID is the idempotency key. The transaction is driven step by
//! step: `MAIL FROM`, `RCPT TO`, `DATA`; a refusal or a broken connection
//! there writes `failed` (the server holds nothing it could deliver, so a
//! later run may try again). Only once the server has said `354` and the
//! content is about to go is an `attempt` line written and synced; after the
//! server accepts the content (`250`) a `sent` line is written and synced; a
//! refusal of the content with a reply code (4xx/5xx) writes `failed`. A
//! re-run:
//!
//! * skips every message with a `sent` line;
//! * does **not** re-send a message whose last line is `attempt` (the run
//!   was killed between handing it over and recording the outcome) or
//!   `uncertain` (the connection broke after DATA began, without a reply):
//!   the server may have accepted it. It is reported as *uncertain*; check
//!   the mailbox or the server log, then pass `resend_uncertain` to send it
//!   again.
//!
//! One connection carries many messages; when the server has closed it
//! (idle timeout, a per-connection message cap) the next `MAIL` fails
//! without a reply and the message is tried once more on a fresh
//! connection — safe, since nothing was handed over. After
//! [`MAX_CONNECT_FAILURES`] failed connections in a row the remaining
//! messages are not attempted.
//!
//! So the only way to get a duplicate is to ask for it with
//! `resend_uncertain`; the price is that a crash in the window between the
//! server's 250 and the `sent` line (or a dropped connection) leaves a
//! message for a human to decide. The log is locked for the whole run
//! (`flock`), so two runs on one folder cannot interleave.

use crate::dates::Clock;
use crate::error::UnknownValue;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{SmtpConnection, TlsParameters};
use lettre::transport::smtp::commands::{Data, Mail, Rcpt, Rset};
use lettre::transport::smtp::extension::{ClientId, Extension, MailBodyParameter, MailParameter};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// File name of the send log inside the output folder.
pub const SEND_LOG: &str = "send-log.jsonl";

/// Environment variable holding the SMTP password unless
/// [`SmtpSettings::password_env`] names another. The password is never
/// taken from options or files.
pub const DEFAULT_PASSWORD_ENV: &str = "BPFPRESS_SMTP_PASSWORD";

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain text (only for a local relay or tests).
    None,
    /// Plain connection upgraded with STARTTLS, which is required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

impl TlsMode {
    /// The usual port: 25 plain, 587 STARTTLS, 465 TLS.
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 25,
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
        }
    }
}

impl std::str::FromStr for TlsMode {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Self, UnknownValue> {
        match s.to_ascii_lowercase().as_str() {
            "none" | "plain" => Ok(TlsMode::None),
            "starttls" => Ok(TlsMode::Starttls),
            "tls" | "ssl" | "smtps" => Ok(TlsMode::Tls),
            _ => Err(UnknownValue::new("TLS mode", s, "none, starttls, tls")),
        }
    }
}

/// SMTP server settings. The password comes only from the environment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub tls: TlsMode,
    /// Login; when set, the password is read from `password_env`.
    #[serde(default)]
    pub user: Option<String>,
    /// Name of the environment variable with the password.
    #[serde(default = "default_password_env")]
    pub password_env: String,
    /// Network timeout per command.
    #[serde(default = "default_timeout")]
    pub timeout_secs: u64,
}

fn default_password_env() -> String {
    DEFAULT_PASSWORD_ENV.into()
}
fn default_timeout() -> u64 {
    60
}

impl SmtpSettings {
    pub fn new(host: impl Into<String>, port: u16, tls: TlsMode) -> SmtpSettings {
        SmtpSettings {
            host: host.into(),
            port,
            tls,
            user: None,
            password_env: default_password_env(),
            timeout_secs: default_timeout(),
        }
    }

    /// Credentials from the environment; an error names the variable.
    fn credentials(&self) -> Result<Option<Credentials>, SendError> {
        let Some(user) = &self.user else {
            return Ok(None);
        };
        match std::env::var(&self.password_env) {
            Ok(p) if !p.is_empty() => Ok(Some(Credentials::new(user.clone(), p))),
            _ => Err(SendError::NoPassword {
                user: user.clone(),
                var: self.password_env.clone(),
            }),
        }
    }
}

/// A failure that stops sending altogether (per-message refusals are
/// [`Outcome`]s, not errors).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error(
        "SMTP user {user:?} is set but the password variable {var} is empty or unset; \
         export {var}=... (passwords are only read from the environment)"
    )]
    NoPassword { user: String, var: String },
    #[error("send log {}: {source}", path.display())]
    Log {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("send log {}: line {line}: {message}; the log is append-only — fix or move it by hand", path.display())]
    LogCorrupt {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("send log {} is locked: another bpfpress run is sending from this folder", path.display())]
    Locked { path: PathBuf },
    #[error("TLS setup for {host}: {message}")]
    Tls { host: String, message: String },
}

/// One line of the send log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LogRecord {
    pub event: LogEvent,
    pub message_id: String,
    pub stem: String,
    pub to: String,
    /// RFC 3339 UTC.
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogEvent {
    Attempt,
    Sent,
    Failed,
    Uncertain,
}

/// What the log says about one Message-ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LogState {
    Sent {
        time: String,
    },
    /// An attempt without an outcome, or a broken connection mid-message.
    Uncertain {
        reason: String,
    },
    /// Refused by the server: safe to try again.
    Failed {
        reason: String,
    },
}

/// The append-only send log, locked for the life of the value.
pub struct SendLog {
    path: PathBuf,
    file: File,
    state: HashMap<String, LogState>,
}

impl SendLog {
    /// Open (or create) `dir/send-log.jsonl`, lock it and read its state.
    /// A torn last line (a crash mid-write) is ignored; any other bad line
    /// is an error.
    pub fn open(dir: &Path) -> Result<SendLog, SendError> {
        let path = dir.join(SEND_LOG);
        let err = |source| SendError::Log {
            path: path.clone(),
            source,
        };
        let existed = path.exists();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(SendError::Locked { path });
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(err(e)),
        }
        if !existed {
            // make the new directory entry durable too
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        let mut state = HashMap::new();
        let mut reader = BufReader::new(&file);
        let mut buf = String::new();
        let mut line_no = 0;
        loop {
            buf.clear();
            let n = reader.read_line(&mut buf).map_err(err)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            if !buf.ends_with('\n') {
                break; // torn final line: the write never completed
            }
            if buf.trim().is_empty() {
                continue;
            }
            let rec: LogRecord =
                serde_json::from_str(buf.trim_end()).map_err(|e| SendError::LogCorrupt {
                    path: path.clone(),
                    line: line_no,
                    message: e.to_string(),
                })?;
            let prev = state.get(&rec.message_id);
            let next = match (rec.event, prev) {
                (_, Some(LogState::Sent { .. })) => continue, // sent stays sent
                (LogEvent::Sent, _) => LogState::Sent { time: rec.time },
                (LogEvent::Failed, _) => LogState::Failed {
                    reason: rec.reason.unwrap_or_default(),
                },
                (LogEvent::Uncertain, _) => LogState::Uncertain {
                    reason: rec.reason.unwrap_or_default(),
                },
                (LogEvent::Attempt, _) => LogState::Uncertain {
                    reason: format!(
                        "a run was interrupted after handing this message to the server \
                         ({}) and before recording the outcome",
                        rec.time
                    ),
                },
            };
            state.insert(rec.message_id, next);
        }
        Ok(SendLog { path, file, state })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn state(&self, message_id: &str) -> Option<&LogState> {
        self.state.get(message_id)
    }

    /// Append one record and fsync it before returning.
    pub fn append(&mut self, rec: &LogRecord) -> Result<(), SendError> {
        let err = |source| SendError::Log {
            path: self.path.clone(),
            source,
        };
        let mut line = serde_json::to_string(rec).map_err(|e| err(std::io::Error::other(e)))?;
        line.push('\n');
        self.file.write_all(line.as_bytes()).map_err(err)?;
        self.file.sync_data().map_err(err)?;
        let st = match rec.event {
            LogEvent::Sent => LogState::Sent {
                time: rec.time.clone(),
            },
            LogEvent::Failed => LogState::Failed {
                reason: rec.reason.clone().unwrap_or_default(),
            },
            LogEvent::Attempt | LogEvent::Uncertain => LogState::Uncertain {
                reason: rec.reason.clone().unwrap_or_default(),
            },
        };
        self.state.insert(rec.message_id.clone(), st);
        Ok(())
    }
}

/// What happened to one message in this run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Accepted by the server now.
    Sent,
    /// Accepted in an earlier run (time from the log).
    AlreadySent(String),
    /// Refused by the server, or could not be handed over (reason).
    Failed(String),
    /// May or may not have been delivered; not re-sent (reason).
    Uncertain(String),
}

/// One message to deliver.
pub struct Outgoing<'a> {
    pub message_id: &'a str,
    pub stem: &'a str,
    pub envelope: Envelope,
    pub bytes: &'a [u8],
}

/// An SMTP session that reconnects as needed.
pub struct Sender {
    settings: SmtpSettings,
    /// Timestamps of the log lines.
    clock: Clock,
    credentials: Option<Credentials>,
    tls: Option<TlsParameters>,
    conn: Option<SmtpConnection>,
    /// Connection failures in a row, and the last reason.
    connect_failures: u32,
    last_connect_error: String,
}

/// After this many connection failures in a row the remaining messages are
/// not attempted (an unreachable server would otherwise cost one timeout
/// per recipient).
pub const MAX_CONNECT_FAILURES: u32 = 3;

impl Sender {
    /// Check the settings (password variable, TLS parameters); connects
    /// lazily. Log lines are timed by `clock`.
    pub fn new(settings: SmtpSettings, clock: Clock) -> Result<Sender, SendError> {
        let credentials = settings.credentials()?;
        let tls = match settings.tls {
            TlsMode::None => None,
            TlsMode::Starttls | TlsMode::Tls => Some(
                TlsParameters::new(settings.host.clone()).map_err(|e| SendError::Tls {
                    host: settings.host.clone(),
                    message: e.to_string(),
                })?,
            ),
        };
        Ok(Sender {
            settings,
            clock,
            credentials,
            tls,
            conn: None,
            connect_failures: 0,
            last_connect_error: String::new(),
        })
    }

    fn connect(&mut self) -> Result<&mut SmtpConnection, lettre::transport::smtp::Error> {
        let conn = match self.conn.take() {
            Some(c) if !c.has_broken() => c,
            _ => {
                let s = &self.settings;
                let timeout = Some(Duration::from_secs(s.timeout_secs));
                let hello = ClientId::default();
                let wrapper = match s.tls {
                    TlsMode::Tls => self.tls.as_ref(),
                    _ => None,
                };
                let mut c = SmtpConnection::connect(
                    (s.host.as_str(), s.port),
                    timeout,
                    &hello,
                    wrapper,
                    None,
                )?;
                if let (TlsMode::Starttls, Some(p)) = (s.tls, &self.tls) {
                    c.starttls(p, &hello)?;
                }
                if let Some(cred) = &self.credentials {
                    c.auth(&[Mechanism::Plain, Mechanism::Login], cred)?;
                }
                c
            }
        };
        self.connect_failures = 0;
        Ok(self.conn.insert(conn))
    }

    /// Deliver one message under the log's rules (see the module doc).
    pub fn deliver(
        &mut self,
        log: &mut SendLog,
        m: &Outgoing<'_>,
        resend_uncertain: bool,
    ) -> Result<Outcome, SendError> {
        match log.state(m.message_id) {
            Some(LogState::Sent { time }) => return Ok(Outcome::AlreadySent(time.clone())),
            Some(LogState::Uncertain { reason }) if !resend_uncertain => {
                return Ok(Outcome::Uncertain(format!(
                    "{reason}; not re-sent — check whether it arrived, then re-run with \
                     --resend-uncertain to send it again"
                )));
            }
            _ => {}
        }
        let to = m
            .envelope
            .to()
            .iter()
            .map(|a| a.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        let clock = self.clock;
        let record = |event, reason: Option<String>| LogRecord {
            event,
            message_id: m.message_id.to_owned(),
            stem: m.stem.to_owned(),
            to: to.clone(),
            time: clock.timestamp(),
            reason,
        };
        if self.connect_failures >= MAX_CONNECT_FAILURES {
            return Ok(Outcome::Failed(format!(
                "not attempted after {} failed connections: {}",
                self.connect_failures, self.last_connect_error
            )));
        }
        // MAIL, RCPT, DATA: a refusal or a broken connection here means the
        // server has nothing it could deliver, so a later run may retry. A
        // reused connection the server has meanwhile closed (idle timeout,
        // a per-connection message limit) gets one fresh try.
        for try_no in 0..2 {
            let reused = self.conn.is_some();
            // Connection problems happen before anything is handed over.
            let conn = match self.connect() {
                Ok(c) => c,
                Err(e) => {
                    self.conn = None;
                    let reason = format!(
                        "cannot connect to {}:{}: {}",
                        self.settings.host,
                        self.settings.port,
                        error_text(&e)
                    );
                    self.connect_failures += 1;
                    self.last_connect_error = reason.clone();
                    log.append(&record(LogEvent::Failed, Some(reason.clone())))?;
                    return Ok(Outcome::Failed(reason));
                }
            };
            if non_ascii(&m.envelope)
                && !conn.server_info().supports_feature(Extension::SmtpUtfEight)
            {
                let reason = "the address is not ASCII and the server does not support SMTPUTF8";
                log.append(&record(LogEvent::Failed, Some(reason.into())))?;
                return Ok(Outcome::Failed(reason.into()));
            }
            let Err(e) = envelope_phase(conn, &m.envelope, m.bytes) else {
                break;
            };
            if e.status().is_some() {
                // reset the transaction; a dead connection is dropped below
                let _ = conn.command(Rset);
            }
            if conn.has_broken() || e.status().is_none() {
                self.conn = None;
                if reused && try_no == 0 && e.status().is_none() {
                    continue;
                }
            }
            let reason = error_text(&e);
            log.append(&record(LogEvent::Failed, Some(reason.clone())))?;
            return Ok(Outcome::Failed(reason));
        }
        let Some(conn) = self.conn.as_mut() else {
            let reason = "connection lost before DATA".to_owned();
            log.append(&record(LogEvent::Failed, Some(reason.clone())))?;
            return Ok(Outcome::Failed(reason));
        };
        // From here on the server holds the content: record the attempt
        // first, so a crash leaves a trace.
        log.append(&record(LogEvent::Attempt, None))?;
        // lettre ends the data with CRLF "." CRLF itself; without this the
        // server would store one CRLF more than the .eml has.
        let content = m.bytes.strip_suffix(b"\r\n").unwrap_or(m.bytes);
        match conn.message(content) {
            Ok(_) => {
                log.append(&record(LogEvent::Sent, None))?;
                Ok(Outcome::Sent)
            }
            Err(e) if e.status().is_some() => {
                let reason = error_text(&e);
                if conn.has_broken() {
                    self.conn = None;
                }
                log.append(&record(LogEvent::Failed, Some(reason.clone())))?;
                Ok(Outcome::Failed(reason))
            }
            Err(e) => {
                self.conn = None;
                let reason = format!(
                    "connection failed after the message was handed over, without a reply: {}",
                    error_text(&e)
                );
                log.append(&record(LogEvent::Uncertain, Some(reason.clone())))?;
                Ok(Outcome::Uncertain(format!(
                    "{reason}; not re-sent — check whether it arrived, then re-run with \
                     --resend-uncertain"
                )))
            }
        }
    }

    /// Say goodbye to the server (best effort).
    pub fn close(&mut self) {
        if let Some(mut c) = self.conn.take() {
            let _ = c.quit();
        }
    }
}

fn non_ascii(e: &Envelope) -> bool {
    let ascii = |a: &lettre::Address| a.to_string().is_ascii();
    e.from().is_some_and(|a| !ascii(a)) || e.to().iter().any(|a| !ascii(a))
}

/// MAIL FROM, RCPT TO, DATA (up to the 354 go-ahead), with the SMTPUTF8
/// and 8BITMIME parameters when needed (as lettre's `send` does).
fn envelope_phase(
    conn: &mut SmtpConnection,
    envelope: &Envelope,
    bytes: &[u8],
) -> Result<(), lettre::transport::smtp::Error> {
    let mut params = Vec::new();
    let info = conn.server_info();
    if non_ascii(envelope) {
        params.push(MailParameter::SmtpUtfEight);
    }
    // lettre's builder writes 7-bit messages (RFC 2047 headers, QP/base64
    // bodies); should one carry 8-bit bytes, say so where the server can.
    if !bytes.is_ascii() && info.supports_feature(Extension::EightBitMime) {
        params.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), params))?;
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), vec![]))?;
    }
    conn.command(Data)?;
    Ok(())
}

/// The error with its sources, one line.
fn error_text(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        let t = x.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = x.source();
    }
    s.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(event: LogEvent, id: &str) -> LogRecord {
        LogRecord {
            event,
            message_id: id.into(),
            stem: "001-x".into(),
            to: "a@example.org".into(),
            time: "2020-01-01T00:00:00Z".into(),
            reason: Some("r".into()),
        }
    }

    #[test]
    fn log_states_and_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        {
            let mut log = SendLog::open(dir.path()).unwrap();
            log.append(&rec(LogEvent::Attempt, "<a@x>")).unwrap();
            log.append(&rec(LogEvent::Sent, "<a@x>")).unwrap();
            log.append(&rec(LogEvent::Attempt, "<b@x>")).unwrap();
            log.append(&rec(LogEvent::Attempt, "<c@x>")).unwrap();
            log.append(&rec(LogEvent::Failed, "<c@x>")).unwrap();
            // a second run on the same folder is refused while this one holds the lock
            assert!(matches!(
                SendLog::open(dir.path()),
                Err(SendError::Locked { .. })
            ));
        }
        // simulate a crash mid-write of the last line
        let p = dir.path().join(SEND_LOG);
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(br#"{"event":"sent","message_id":"<b@x>","st"#)
            .unwrap();
        drop(f);
        let log = SendLog::open(dir.path()).unwrap();
        assert!(matches!(log.state("<a@x>"), Some(LogState::Sent { .. })));
        assert!(matches!(
            log.state("<b@x>"),
            Some(LogState::Uncertain { .. })
        ));
        assert!(matches!(log.state("<c@x>"), Some(LogState::Failed { .. })));
        assert_eq!(log.state("<d@x>"), None);
    }

    #[test]
    fn corrupt_line_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(SEND_LOG), "not json\n{}\n").unwrap();
        match SendLog::open(dir.path()) {
            Err(SendError::LogCorrupt { line, .. }) => assert_eq!(line, 1),
            Err(e) => panic!("{e}"),
            Ok(_) => panic!("accepted a corrupt log"),
        }
    }

    #[test]
    fn password_only_from_env() {
        let mut s = SmtpSettings::new("smtp.example.org", 587, TlsMode::Starttls);
        s.user = Some("bpf".into());
        s.password_env = "BPFPRESS_TEST_SURELY_UNSET_VAR".into();
        assert!(matches!(s.credentials(), Err(SendError::NoPassword { .. })));
        assert_eq!("STARTTLS".parse::<TlsMode>(), Ok(TlsMode::Starttls));
        assert!("ssl3".parse::<TlsMode>().is_err());
    }
}
