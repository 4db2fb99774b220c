//! Summaries benchmark (harness = false). Target: six reports compiled
//! into one publication in < 2 s, `bpfpress summaries` as a fresh process
//! (release build, 2 cores).
//!
//! The six reports: the three summaries fixtures (Markdown, Word, PDF) and
//! the real 2020 report in three formats (Markdown, pandoc DOCX,
//! LibreOffice PDF), so four of them have their pages counted by laying
//! the report out.
//!
//! Measures:
//! 1. `bpfpress summaries` on the six, fresh process, interleaved with the
//!    nearest existing job — six `bpfpress takeaways` runs, one sheet per
//!    report (what making the year's summaries by hand starts from);
//! 2. in process: reading the six (ingest, check, page count; parallel)
//!    and compiling the publication (the fit's compiles counted), first in
//!    the process and warm.
//!
//! Run:
//!
//! ```sh
//! cargo bench --bench summaries                 # release profile
//! cargo bench --bench summaries --profile dev   # quicker to build
//! ```

use bpfpress::dates::{Clock, Date};
use bpfpress::pipeline::summaries::{list_reports, read_reports, summaries};
use bpfpress::pipeline::{Flags, Settings, engine};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

const REPORTS: [&str; 6] = [
    "fixtures/summaries/cybersecurity-2026.md",
    "fixtures/summaries/gender-2026.docx",
    "fixtures/summaries/local-content-2026.pdf",
    "fixtures/report/bpf-on-bpfs-2020.md",
    "fixtures/report/bpf-on-bpfs-2020.pandoc.docx",
    "fixtures/report/bpf-on-bpfs-2020.lo.pdf",
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn reports() -> Vec<PathBuf> {
    REPORTS.iter().map(|r| root().join(r)).collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn timed(mut cmd: Command) -> Duration {
    let t = Instant::now();
    let out = cmd.output().expect("bpfpress runs");
    let d = t.elapsed();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    d
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_bpfpress");
    let dir = tempfile::tempdir().unwrap();
    let runs = 9;

    // 1. Fresh processes, interleaved.
    let mut ours = Vec::new();
    let mut sheets = Vec::new();
    for _ in 0..runs {
        let mut c = Command::new(bin);
        c.arg("summaries")
            .args(reports())
            .arg("-o")
            .arg(dir.path().join("summaries.pdf"))
            .env_remove("SOURCE_DATE_EPOCH");
        ours.push(timed(c));
        let t = Instant::now();
        for (i, r) in reports().iter().enumerate() {
            let mut c = Command::new(bin);
            c.arg("takeaways")
                .arg(r)
                .arg("-o")
                .arg(dir.path().join(format!("sheet-{i}.pdf")))
                .env_remove("SOURCE_DATE_EPOCH");
            timed(c);
        }
        sheets.push(t.elapsed());
    }
    let pages = lopdf::Document::load(dir.path().join("summaries.pdf"))
        .map(|d| d.get_pages().len())
        .unwrap_or(0);
    println!(
        "bpfpress summaries, six reports -> {pages} pages, fresh process, median / min of {runs}: {} / {}",
        ms(median(ours.clone())),
        ms(*ours.iter().min().unwrap())
    );
    println!(
        "six `bpfpress takeaways` runs (one sheet per report), interleaved, median / min: {} / {}",
        ms(median(sheets.clone())),
        ms(*sheets.iter().min().unwrap())
    );

    // 2. In process: reading and compiling apart.
    let clock = Clock::fixed(Date::parse("2026-12-06").unwrap());
    let flags = Flags {
        reports: reports(),
        ..Flags::default()
    };
    let settings = Settings::resolve(None, flags, &clock).unwrap();
    let listing = list_reports(&settings).unwrap().output;
    let engine = engine(&settings).unwrap();
    for round in ["first in process", "warm"] {
        let t = Instant::now();
        let read: Vec<_> = read_reports(&engine, &listing.reports, &settings, &|_| {})
            .unwrap()
            .into_iter()
            .map(|r| r.unwrap().output)
            .collect();
        let reading = t.elapsed();
        let t = Instant::now();
        let made = summaries(&engine, &read, &settings).unwrap().output;
        let compiling = t.elapsed();
        println!(
            "in process, {round}: read six (ingest, check, pages) {}; compile {} ({} compile(s), {} pages)",
            ms(reading),
            ms(compiling),
            made.compiles,
            made.pages
        );
    }
}
