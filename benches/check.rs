//! Benchmark (not a test) of the check stage.
//!
//! 1. Check one already-ingested report: the shared real report (36 pages
//!    as PDF, ~10 900 words) read once from each fixture format, then
//!    `check()` timed alone over many iterations (target < 10 ms, issue 12).
//! 2. A folder of 30 drafts ingested and checked end to end, in parallel
//!    (rayon, as `bpfpress check DIR` does): copies of the real report in
//!    all formats plus the crafted drafts (target < 1 s on 2 cores). Also
//!    timed through the binary when it has been built.
//!
//!   cargo bench --bench check --profile dev   # quicker to build
//!   cargo bench --bench check                 # release profile
//!   BENCH_CHECK_ITERS=2000 cargo bench --bench check --profile dev
//!
//! A format whose reader is not available is reported and skipped.

use bpfpress::check::{CheckOptions, Checklist, check};
use bpfpress::dates::Date;
use bpfpress::ingest::{Limits, read_path};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    let med = ms(v[v.len() / 2]);
    let p95 = ms(v[(v.len() * 95 / 100).min(v.len() - 1)]);
    let min = ms(v[0]);
    (min, med, p95)
}

fn main() {
    let iters: usize = std::env::var("BENCH_CHECK_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let limits = Limits::default();
    let checklist = Checklist::builtin();
    let opts = CheckOptions {
        meeting_date: Date::parse("2020-11-02").ok(),
        ..CheckOptions::default()
    };
    println!(
        "threads: {} (rayon), iterations: {iters}",
        rayon::current_num_threads()
    );

    println!(
        "\n1. check() on the ingested real report (with the sentence model; `md, no model`: the lexicons alone)"
    );
    println!("| source | blocks | words | min | median | p95 |");
    println!("| --- | --- | --- | --- | --- | --- |");
    let mut lexicons_only = checklist.clone();
    lexicons_only.model = None;
    for ext in ["md", "md, no model", "pandoc.docx", "lo.docx", "lo.pdf"] {
        let (file_ext, checklist) = match ext {
            "md, no model" => ("md", &lexicons_only),
            e => (e, &checklist),
        };
        let p = root().join(format!("fixtures/report/bpf-on-bpfs-2020.{file_ext}"));
        let doc = match read_path(&p, &limits) {
            Ok(d) => d,
            Err(e) => {
                println!("| {ext} | skipped: {e} | | | | |");
                continue;
            }
        };
        // Warm up (lazy statics, allocator).
        for _ in 0..5 {
            std::hint::black_box(check(&doc, checklist, &opts));
        }
        let times: Vec<Duration> = (0..iters)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(check(std::hint::black_box(&doc), checklist, &opts));
                t.elapsed()
            })
            .collect();
        let (min, med, p95) = stats(times);
        println!(
            "| {ext} | {} | {} | {min:.2} ms | {med:.2} ms | {p95:.2} ms |",
            doc.blocks.len(),
            doc.meta.words
        );
    }

    println!("\n2. 30 drafts ingested and checked end to end");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sources: Vec<PathBuf> = Vec::new();
    for ext in ["md", "pandoc.docx", "lo.docx", "lo.pdf"] {
        sources.push(root().join(format!("fixtures/report/bpf-on-bpfs-2020.{ext}")));
    }
    let mut drafts: Vec<PathBuf> = std::fs::read_dir(root().join("fixtures/drafts"))
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    drafts.sort();
    sources.extend(drafts);
    let mut files = Vec::new();
    for i in 0..30 {
        let src = &sources[i % sources.len()];
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dst = dir.path().join(format!("{i:02}-{name}"));
        std::fs::copy(src, &dst).expect("copy fixture");
        files.push(dst);
    }
    let bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    println!("{} files, {:.1} MB", files.len(), bytes as f64 / 1e6);
    let mut runs = Vec::new();
    let mut unreadable = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let results: Vec<_> = files
            .par_iter()
            .map(|p| read_path(p, &limits).map(|d| check(&d, &checklist, &opts)))
            .collect();
        runs.push(t.elapsed());
        unreadable = results.iter().filter(|r| r.is_err()).count();
        if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
            println!("  (unreadable: {e})");
        }
    }
    let (min, med, _) = stats(runs);
    println!(
        "library, rayon: min {min:.0} ms, median {med:.0} ms over 5 runs ({} of 30 unreadable)",
        unreadable
    );

    // The binary, if built (cargo builds it for benches in the same profile).
    let exe = std::env::var_os("CARGO_BIN_EXE_bpfpress")
        .map(PathBuf::from)
        .or_else(|| {
            let p = std::env::current_exe().ok()?;
            let p = p.parent()?.parent()?.join("bpfpress");
            p.exists().then_some(p)
        });
    if let Some(exe) = exe {
        bin_runs(&exe, dir.path());
    }
}

fn bin_runs(exe: &Path, dir: &Path) {
    let mut runs = Vec::new();
    let mut code = None;
    for _ in 0..5 {
        let t = Instant::now();
        let out = std::process::Command::new(exe)
            .args(["check", "--format", "json"])
            .arg(dir)
            .output();
        runs.push(t.elapsed());
        code = out.ok().and_then(|o| o.status.code());
    }
    let (min, med, _) = stats(runs);
    println!(
        "binary `bpfpress check DIR --format json`: min {min:.0} ms, median {med:.0} ms over 5 runs (exit {code:?})"
    );
}
