//! The readers over public corpora of broken and unusual files (pandoc's
//! DOCX tests, pdf.js's and PDFium's PDFs, Apache POI's Word files, pypdf's
//! PDFs): each file reads or fails with a clean error — no panic, no hang,
//! one line naming the file, no internal names. Ignored: the corpora are
//! not committed; `tests/corpus/run.sh` fetches them (`fetch.sh`) and runs
//! this with `BPFPRESS_CORPUS` set.

use bpfpress::ingest::{IngestErrorKind, Limits, read_path};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

const EXTENSIONS: [&str; 9] = [
    "pdf", "docx", "docm", "dotx", "doc", "xls", "ppt", "msg", "rtf",
];

/// Words that belong to the code, not to a message for a consultant.
const INTERNAL: [&str; 7] = [
    "Limits::",
    "lopdf",
    "docx-rs",
    "docx_rs",
    "quick_xml",
    "IngestErrorKind",
    "Some(",
];

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
            {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
#[ignore = "needs the public corpora: bash tests/corpus/run.sh"]
fn public_corpora_read_or_fail_cleanly() {
    let Ok(dir) = std::env::var("BPFPRESS_CORPUS") else {
        eprintln!("SKIP: BPFPRESS_CORPUS not set (bash tests/corpus/run.sh sets it)");
        return;
    };
    let limits = Limits {
        timeout: Duration::from_secs(30),
        ..Limits::default()
    };
    let dir = PathBuf::from(dir);
    let files = files(&dir);
    assert!(!files.is_empty(), "no corpus files under {}", dir.display());
    // corpus → (read, clean errors); error kind → count
    let mut per_corpus: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut kinds: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for f in &files {
        let corpus = f
            .strip_prefix(&dir)
            .ok()
            .and_then(|r| r.components().next())
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        let entry = per_corpus.entry(corpus).or_default();
        match read_path(f, &limits) {
            Ok(_) => entry.0 += 1,
            Err(e) => {
                entry.1 += 1;
                let msg = e.to_string();
                let kind = match &e.kind {
                    IngestErrorKind::Panic(_) | IngestErrorKind::Timeout(_) => {
                        failures.push(format!("not clean: {msg}"));
                        "panic or timeout"
                    }
                    IngestErrorKind::Encrypted(_) => "password",
                    IngestErrorKind::Corrupt { .. } => "damaged",
                    IngestErrorKind::TooLarge { .. } => "too large",
                    IngestErrorKind::Unsupported(_) => "not a draft format / no text",
                    IngestErrorKind::UnknownFormat(_) => "unknown format",
                    _ => "other",
                };
                *kinds.entry(kind).or_default() += 1;
                if msg.contains('\n') || !msg.starts_with(&f.display().to_string()) {
                    failures.push(format!("not one line naming the file: {msg}"));
                }
                if let Some(w) = INTERNAL.iter().find(|w| msg.contains(*w)) {
                    failures.push(format!("internal name {w:?}: {msg}"));
                }
            }
        }
    }
    for (c, (ok, err)) in &per_corpus {
        eprintln!("{c}: {ok} read, {err} clean errors");
    }
    eprintln!("errors by kind: {kinds:?}");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
