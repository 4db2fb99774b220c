//! What the integration tests share, in one copy: fixture paths, a runner
//! for the real binary, guards for outside tools and readers of PDFs
//! through them, model block builders, the checks of crafted drafts, the
//! test SMTP server and (in [`mail`]) the fixture campaign.
//!
//! A test that needs an outside tool asks [`tools`] first: outside CI a
//! missing tool skips the test with a visible `SKIP` line (written past
//! the test harness's capture); with `CI` set in the environment it fails
//! the test, naming the package to install (`.ci/run` installs them all).

// Each test binary uses a part of this module.
#![allow(dead_code)]

pub mod corpus;
pub mod mail;

use bpfpress::check::{CheckOptions, CheckReport, Checklist, check};
use bpfpress::ingest::{Limits, read_path};
use bpfpress::model::{Block, Document, Inline, Location};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

// ------------------------------------------------------------------ paths

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/<rel>`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("fixtures").join(rel)
}

/// A crafted draft, `fixtures/drafts/<name>`.
pub fn draft(name: &str) -> PathBuf {
    fixture("drafts").join(name)
}

/// A folder under cargo's scratch space for this test target, kept after
/// the run so the outputs can be looked at.
pub fn scratch(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// File names in `dir`, sorted.
pub fn list_dir(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

pub fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every file under `dir`: relative path → SHA-256 of its bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, sha256(&std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

// ------------------------------------------------------------ the binary

/// The `bpfpress` binary under test.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bpfpress"))
}

/// `bpfpress ARGS`, ready to run. `SOURCE_DATE_EPOCH` is removed so a
/// value set around `cargo test` cannot change dates under a test; a test
/// that wants one sets it.
pub fn bpfpress<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut c = Command::new(bin());
    c.args(args).env_remove("SOURCE_DATE_EPOCH");
    c
}

/// The exit code of a finished run.
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited, not killed")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// What a run of the binary gave.
pub struct Run(pub Output);

impl Run {
    /// Run `cmd` to the end.
    pub fn of(cmd: &mut Command) -> Run {
        Run(cmd.output().expect("the bpfpress binary runs"))
    }
    pub fn code(&self) -> i32 {
        code(&self.0)
    }
    pub fn success(&self) -> bool {
        self.0.status.success()
    }
    pub fn stdout(&self) -> String {
        stdout(&self.0)
    }
    pub fn stderr(&self) -> String {
        stderr(&self.0)
    }
    /// Exactly one error line naming `file` and containing `reason`; exit 2.
    pub fn assert_one_error(&self, file: &str, reason: &str) {
        let err = self.stderr();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 1, "stderr: {err}");
        assert!(lines[0].starts_with("error: "), "{err}");
        assert!(lines[0].contains(file), "{err} should name {file}");
        assert!(lines[0].contains(reason), "{err} should say {reason}");
        assert_eq!(self.code(), 2, "{err}");
    }
}

/// `bpfpress ARGS` run to the end.
pub fn run<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    Run::of(&mut bpfpress(args))
}

// ---------------------------------------------------------- outside tools

/// What brings `tool`: its Debian package, or the pip command.
fn package(tool: &str) -> &'static str {
    match tool {
        "pdftotext" | "pdfinfo" | "pdffonts" | "pdftoppm" => "poppler-utils",
        "qpdf" => "qpdf",
        "zbarimg" => "zbar-tools",
        "pandoc" => "pandoc",
        "soffice" => "libreoffice-writer-nogui",
        "python3" => "python3",
        "chromium" => "chromium",
        "chromedriver" => "chromium-driver",
        "pdfua" => "pip install pdfua",
        "outloud" => "pip install outloud",
        _ => "its package",
    }
}

/// Say a test is skipped, where the harness's output capture cannot hide it.
fn skip(what: &str) {
    let test = std::thread::current().name().unwrap_or("a test").to_owned();
    let _ = writeln!(std::io::stderr(), "SKIP {test}: {what}");
}

/// A missing requirement: fails the test in CI, else says SKIP.
fn missing(what: String) -> bool {
    if std::env::var_os("CI").is_some() {
        panic!("{what} (CI is set: .ci/run must install it)");
    }
    skip(&what);
    false
}

/// Whether every tool in `names` can be run (see the module doc).
pub fn tools(names: &[&str]) -> bool {
    for name in names {
        if Command::new(name).arg("--version").output().is_err() {
            return missing(format!(
                "{name} is not installed (install: {})",
                package(name)
            ));
        }
    }
    true
}

/// Whether `python3` can import `module` (see the module doc).
pub fn python_with(module: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    ok || missing(format!(
        "python3 with the `{module}` module is needed (pip install {module})"
    ))
}

/// Run an outside tool that [`tools`] found; its standard output.
pub fn tool_output(name: &str, args: &[&std::ffi::OsStr]) -> Output {
    Command::new(name)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name} ({}): {e}", package(name)))
}

/// PyPI's PDF/UA checkers agree on `pdf`: `pdfua check` passes and
/// `outloud` finds nothing at or above `outloud_fail_on` ("error",
/// "warning").
pub fn pdf_ua_clean(pdf: &Path, outloud_fail_on: &str) {
    let ua = tool_output("pdfua", &["check".as_ref(), pdf.as_os_str()]);
    assert!(
        ua.status.success(),
        "pdfua {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&ua.stdout)
    );
    let ol = tool_output(
        "outloud",
        &[
            "--fail-on".as_ref(),
            outloud_fail_on.as_ref(),
            pdf.as_os_str(),
        ],
    );
    assert!(
        ol.status.success(),
        "outloud {}: {}",
        pdf.display(),
        String::from_utf8_lossy(&ol.stdout)
    );
}

/// The text of a PDF (`pdftotext -enc UTF-8`).
pub fn pdftotext(pdf: &Path) -> String {
    let out = tool_output(
        "pdftotext",
        &[
            "-enc".as_ref(),
            "UTF-8".as_ref(),
            pdf.as_os_str(),
            "-".as_ref(),
        ],
    );
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8(out.stdout).expect("pdftotext writes UTF-8")
}

/// The text of PDF bytes.
pub fn pdftotext_bytes(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.pdf");
    std::fs::write(&p, pdf).unwrap();
    pdftotext(&p)
}

/// What `pdfinfo` says.
pub fn pdfinfo(pdf: &Path) -> String {
    let out = tool_output("pdfinfo", &[pdf.as_os_str()]);
    assert!(out.status.success(), "pdfinfo {}", pdf.display());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The page count `pdfinfo` reads.
pub fn pdf_pages(pdf: &Path) -> usize {
    pdfinfo(pdf)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("pdfinfo gives no page count for {}", pdf.display()))
}

/// `qpdf --check` passes.
pub fn qpdf_check(pdf: &Path) {
    let out = tool_output("qpdf", &["--check".as_ref(), pdf.as_os_str()]);
    assert!(
        out.status.success(),
        "qpdf --check {}: {}{}",
        pdf.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whitespace-insensitive text: pdftotext may break lines anywhere.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ------------------------------------------------------------------ blocks

/// Inline text with `[text](target)` links and `[^id]` footnote references.
pub fn inlines(s: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    let flush = |text: &mut String, out: &mut Vec<Inline>| {
        if !text.is_empty() {
            out.push(Inline::text(std::mem::take(text)));
        }
    };
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("[^")
            && let Some(end) = r.find(']')
        {
            flush(&mut text, &mut out);
            out.push(Inline::NoteRef {
                id: r[..end].to_string(),
            });
            rest = &r[end + 1..];
        } else if let Some(r) = rest.strip_prefix('[')
            && let Some(end) = r.find("](")
            && let Some(close) = r[end + 2..].find(')')
        {
            flush(&mut text, &mut out);
            out.push(Inline::Link {
                text: r[..end].to_string(),
                target: r[end + 2..end + 2 + close].to_string(),
            });
            rest = &r[end + 2 + close + 1..];
        } else {
            text.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    flush(&mut text, &mut out);
    out
}

/// A paragraph at source line `line` (links and note refs as in [`inlines`]).
pub fn para(line: u32, text: &str) -> Block {
    Block::Paragraph {
        loc: Location::Line(line),
        inlines: inlines(text),
    }
}

/// A heading at source line `line`.
pub fn heading(line: u32, level: u8, text: &str) -> Block {
    labelled(line, level, None, text)
}

/// A heading with a numbering label (`A.`, `2.1`).
pub fn labelled(line: u32, level: u8, label: Option<&str>, text: &str) -> Block {
    Block::Heading {
        loc: Location::Line(line),
        level,
        label: label.map(String::from),
        text: text.into(),
    }
}

// ------------------------------------------------------------------ check

/// A crafted draft (`fixtures/drafts/<name>`) through the real reader.
pub fn load_draft(name: &str) -> Document {
    read_path(&draft(name), &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// A document checked against the built-in checklist.
pub fn check_doc(doc: &Document) -> CheckReport {
    check(doc, &Checklist::builtin(), &CheckOptions::default())
}

/// A crafted draft, read and checked.
pub fn check_draft(name: &str) -> CheckReport {
    check_doc(&load_draft(name))
}

// --------------------------------------------------------------- SMTP sink

/// A real SMTP server on 127.0.0.1 (`tests/smtp_sink.py`, Python aiosmtpd)
/// that saves every message it accepts into a folder. Killed on drop.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub dir: PathBuf,
}

impl SmtpSink {
    /// Start one saving into `dir` (made if needed); `args` go to the
    /// script (e.g. `--reject ADDRESS`). `None`, with a SKIP line, when
    /// Python's aiosmtpd is missing outside CI.
    pub fn start(dir: &Path, args: &[&str]) -> Option<SmtpSink> {
        if !python_with("aiosmtpd") {
            return None;
        }
        std::fs::create_dir_all(dir).unwrap();
        let mut child = Command::new("python3")
            .arg(root().join("tests/smtp_sink.py"))
            .arg(dir)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .unwrap_or_else(|| panic!("smtp sink did not start: {line:?}"))
            .parse()
            .unwrap();
        Some(SmtpSink {
            child,
            port,
            dir: dir.to_owned(),
        })
    }

    /// Plain-text settings for this server.
    pub fn settings(&self) -> bpfpress::mail::SmtpSettings {
        let mut s = bpfpress::mail::SmtpSettings::new(
            "127.0.0.1",
            self.port,
            bpfpress::mail::TlsMode::None,
        );
        s.timeout_secs = 20;
        s
    }

    /// Message-ID → (times received, envelope recipients).
    pub fn received(&self) -> std::collections::HashMap<String, (usize, String)> {
        let mut m = std::collections::HashMap::new();
        for f in list_dir(&self.dir) {
            if !f.ends_with(".eml") {
                continue;
            }
            let text = String::from_utf8(std::fs::read(self.dir.join(&f)).unwrap()).unwrap();
            let id = text
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID:"))
                .unwrap_or_else(|| panic!("{f}: no Message-ID"))
                .trim()
                .to_owned();
            let to = std::fs::read_to_string(self.dir.join(f.replace(".eml", ".rcpt"))).unwrap();
            m.entry(id).or_insert((0, to)).0 += 1;
        }
        m
    }

    /// Messages received so far.
    pub fn count(&self) -> usize {
        list_dir(&self.dir)
            .iter()
            .filter(|f| f.ends_with(".eml"))
            .count()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
