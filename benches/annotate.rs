//! Benchmark (not a test) of `check --annotate`: the reviewed copy of the
//! shared real report (fixtures/report/bpf-on-bpfs-2020.lo.docx, 36 pages,
//! ~10 900 words; LibreOffice's OOXML; plus the pandoc fixture). Target:
//! annotating it < 100 ms.
//!
//! 1. `annotate()` alone, in process: the draft already read and checked
//!    (package opened, parts scanned and edited, zip written).
//! 2. `annotate::check_file`, in process: read, ingest, check, annotate and
//!    write atomically, what the command does per file.
//! 3. The binary, process to process: `bpfpress check DRAFT --annotate
//!    COPY` next to `bpfpress check DRAFT`, runs interleaved.
//!
//!   cargo bench --bench annotate                 # release profile
//!   BENCH_ANNOTATE_ITERS=200 cargo bench --bench annotate --profile dev

use bpfpress::annotate::{Options, annotate, check_file};
use bpfpress::check::{CheckOptions, Checklist, check};
use bpfpress::dates::Date;
use bpfpress::ingest::{Limits, read_path};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// (min, median, p95) in ms.
fn stats(mut v: Vec<Duration>) -> (f64, f64, f64) {
    v.sort();
    (
        ms(v[0]),
        ms(v[v.len() / 2]),
        ms(v[(v.len() * 95 / 100).min(v.len() - 1)]),
    )
}

fn main() {
    let iters: usize = std::env::var("BENCH_ANNOTATE_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let limits = Limits::default();
    let checklist = Checklist::builtin();
    let copts = CheckOptions::default();
    let opts = Options {
        date: Date::parse("2026-01-01").expect("date"),
        command: "bpfpress check draft.docx --annotate reviewed.docx".into(),
        limits: limits.clone(),
    };
    let dir = tempfile::tempdir().expect("temp dir");
    println!("iterations: {iters}");
    println!("| fixture | comments | work | min | median | p95 |");
    println!("| --- | ---: | --- | ---: | ---: | ---: |");
    for name in ["bpf-on-bpfs-2020.lo.docx", "bpf-on-bpfs-2020.pandoc.docx"] {
        let path = root().join("fixtures/report").join(name);
        let bytes = std::fs::read(&path).expect("fixture");
        let doc = read_path(&path, &limits).expect("read");
        let report = check(&doc, &checklist, &copts);
        let n = annotate(&bytes, &doc, &report, &opts)
            .expect("annotate")
            .comments;
        for _ in 0..3 {
            std::hint::black_box(annotate(&bytes, &doc, &report, &opts).ok());
        }
        let alone: Vec<Duration> = (0..iters)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(annotate(&bytes, &doc, &report, &opts).ok());
                t.elapsed()
            })
            .collect();
        let (min, med, p95) = stats(alone);
        println!("| {name} | {n} | `annotate()` | {min:.2} ms | {med:.2} ms | {p95:.2} ms |");
        let out = dir.path().join(format!("reviewed-{name}"));
        let whole: Vec<Duration> = (0..iters)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(
                    check_file(&path, &out, &checklist, &copts, &opts).expect("check_file"),
                );
                t.elapsed()
            })
            .collect();
        let (min, med, p95) = stats(whole);
        println!(
            "| {name} | {n} | read + check + annotate + write (`check_file`) | {min:.2} ms | {med:.2} ms | {p95:.2} ms |"
        );
    }

    let exe = std::env::var_os("CARGO_BIN_EXE_bpfpress")
        .map(PathBuf::from)
        .or_else(|| {
            let p = std::env::current_exe().ok()?;
            let p = p.parent()?.parent()?.join("bpfpress");
            p.exists().then_some(p)
        });
    if let Some(exe) = exe {
        binary(&exe, dir.path(), iters.min(41));
    }
}

/// The command with and without `--annotate`, interleaved.
fn binary(exe: &Path, dir: &Path, runs: usize) {
    let draft = root().join("fixtures/report/bpf-on-bpfs-2020.lo.docx");
    let copy = dir.join("reviewed.docx");
    let (mut with, mut without) = (Vec::new(), Vec::new());
    let time = |annotate: bool| {
        let mut c = std::process::Command::new(exe);
        c.arg("check")
            .arg(&draft)
            .env("SOURCE_DATE_EPOCH", "1767225600");
        if annotate {
            c.arg("--annotate").arg(&copy);
        }
        let t = Instant::now();
        let o = c.output().expect("run bpfpress");
        assert!(matches!(o.status.code(), Some(0 | 1)), "{o:?}");
        t.elapsed()
    };
    for i in 0..runs {
        if i % 2 == 0 {
            with.push(time(true));
            without.push(time(false));
        } else {
            without.push(time(false));
            with.push(time(true));
        }
    }
    let (wmin, wmed, _) = stats(with);
    let (omin, omed, _) = stats(without);
    println!(
        "\nbinary, {runs} interleaved runs on bpf-on-bpfs-2020.lo.docx: \
         `check --annotate` median {wmed:.1} ms (min {wmin:.1}), \
         `check` median {omed:.1} ms (min {omin:.1})"
    );
}
