//! Render benchmark (harness = false): the real report, ingest included,
//! rendered in process, against
//! - the same engine started as a fresh process per document, and
//! - the stock typst CLI compiling the equivalent typst project (templates,
//!   bundled fonts, data.json), when a `typst` binary is found: `$TYPST_CLI`,
//!   `/tmp/typst-cli/bin/typst`, or `typst` on PATH.
//!
//! Also: many small documents in one process on a rayon pool (the letters
//! workload of later issues), with `comemo::evict` between documents.
//!
//! And peak memory on a long report: the real report's model repeated
//! [`LONG_COPIES`] times (about 350 pages, made here, never committed),
//! `bpfpress render` against the stock typst CLI on the equivalent project,
//! each a fresh process measured with GNU time (`/usr/bin/time -f %M`: max
//! RSS). `BENCH_RENDER_ONLY=memory` runs only that part.
//!
//!     cargo bench --bench render            # release profile
//!     cargo bench --bench render --profile dev   # quicker to build

use bpfpress::ingest::{Limits, read_path};
use bpfpress::model::{Block, Document, Format, Inline, Location};
use bpfpress::render::{Engine, ReportOptions, pool, render_report, write_typst_project};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const MODEL: &str = "fixtures/render/bpf-on-bpfs-2020.model.json";
const MARKDOWN: &str = "fixtures/report/bpf-on-bpfs-2020.md";
const DOCX: &str = "fixtures/report/bpf-on-bpfs-2020.pandoc.docx";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The input: the Markdown fixture through our reader when it is there and
/// yields headings, else the pandoc DOCX through the DOCX reader, else the
/// pandoc-made model JSON.
fn input() -> (PathBuf, &'static str) {
    for (file, how) in [(MARKDOWN, "markdown reader"), (DOCX, "DOCX reader")] {
        let p = root().join(file);
        if let Ok(d) = read_path(&p, &Limits::default())
            && d.headings().count() > 10
        {
            return (p, how);
        }
    }
    (root().join(MODEL), "model JSON")
}

fn ingest(path: &Path) -> Document {
    if path.extension().is_some_and(|e| e == "json") {
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    } else {
        read_path(path, &Limits::default()).unwrap()
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn typst_cli() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("TYPST_CLI").map(PathBuf::from),
        Some(PathBuf::from("/tmp/typst-cli/bin/typst")),
    ];
    for c in candidates.into_iter().flatten() {
        if c.is_file() {
            return Some(c);
        }
    }
    Command::new("typst")
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|_| PathBuf::from("typst"))
}

fn letter(i: usize) -> Document {
    let mut d = Document::new(format!("letter-{i}"), Format::Markdown);
    d.meta.title = Some(format!("Letter {i}"));
    d.meta.date = Some("2020-09-29".into());
    d.blocks = vec![Block::Paragraph {
        loc: Location::Line(1),
        inlines: vec![Inline::text(format!(
            "Dear colleague at institution {i}, we are pleased to share the report."
        ))],
    }];
    d
}

/// Copies of the real report in the long document.
const LONG_COPIES: usize = 15;

/// The real report's model, its blocks and notes repeated `copies` times
/// (note ids made unique per copy).
fn long_document(copies: usize) -> Document {
    let base: Document =
        serde_json::from_slice(&std::fs::read(root().join(MODEL)).unwrap()).unwrap();
    let mut d = base.clone();
    d.blocks.clear();
    d.notes.clear();
    for k in 0..copies {
        for b in &base.blocks {
            let mut b = b.clone();
            if let Block::Paragraph { inlines, .. } = &mut b {
                for i in inlines {
                    if let Inline::NoteRef { id } = i {
                        *id = format!("{id}-{k}");
                    }
                }
            }
            d.blocks.push(b);
        }
        for n in &base.notes {
            let mut n = n.clone();
            n.id = format!("{}-{k}", n.id);
            d.notes.push(n);
        }
    }
    d.finish();
    d
}

/// Peak RSS (MiB) and wall time of `cmd`, run under GNU time.
fn peak(cmd: &[&std::ffi::OsStr]) -> Option<(f64, Duration)> {
    let t = Instant::now();
    let out = Command::new("/usr/bin/time")
        .arg("-f")
        .arg("PEAK_KB %M")
        .args(cmd)
        .output()
        .ok()?;
    let wall = t.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let kb: f64 = err
        .lines()
        .find_map(|l| l.strip_prefix("PEAK_KB "))?
        .trim()
        .parse()
        .ok()?;
    Some((kb / 1024.0, wall))
}

/// Peak memory of a long report: bpfpress against the stock CLI.
fn memory() {
    let tmp = tempfile::tempdir().unwrap();
    let doc = long_document(LONG_COPIES);
    let model = tmp.path().join("long.json");
    std::fs::write(&model, serde_json::to_vec(&doc).unwrap()).unwrap();
    let project = tmp.path().join("project");
    write_typst_project(&doc, &ReportOptions::default(), &project).unwrap();
    let bin = std::ffi::OsString::from(env!("CARGO_BIN_EXE_bpfpress"));
    let ours_pdf = tmp.path().join("ours.pdf");
    let ours: Vec<&std::ffi::OsStr> = vec![
        &bin,
        "render".as_ref(),
        model.as_os_str(),
        "-o".as_ref(),
        ours_pdf.as_os_str(),
    ];
    let Some(cli) = typst_cli() else {
        println!("peak memory: stock typst CLI not found (set TYPST_CLI); skipped");
        return;
    };
    let theirs_pdf = tmp.path().join("theirs.pdf");
    let fonts = project.join("fonts");
    let main = project.join("report.typ");
    let theirs: Vec<&std::ffi::OsStr> = vec![
        cli.as_os_str(),
        "compile".as_ref(),
        "--root".as_ref(),
        project.as_os_str(),
        "--font-path".as_ref(),
        fonts.as_os_str(),
        "--ignore-system-fonts".as_ref(),
        main.as_os_str(),
        theirs_pdf.as_os_str(),
    ];
    let runs = 3;
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        let Some(o) = peak(&ours) else {
            println!("peak memory: /usr/bin/time (GNU time) not found; skipped");
            return;
        };
        a.push(o);
        b.extend(peak(&theirs));
    }
    let pages = |p: &Path| {
        lopdf::Document::load(p)
            .map(|d| d.get_pages().len())
            .unwrap_or(0)
    };
    let show = |v: &[(f64, Duration)]| {
        let mut m: Vec<f64> = v.iter().map(|x| x.0).collect();
        m.sort_by(f64::total_cmp);
        let mut t: Vec<Duration> = v.iter().map(|x| x.1).collect();
        t.sort();
        format!(
            "peak RSS median {:.0} MiB (min {:.0}, max {:.0}), wall median {}",
            m[m.len() / 2],
            m[0],
            m[m.len() - 1],
            ms(t[t.len() / 2])
        )
    };
    println!(
        "long report ({LONG_COPIES} copies of the real report, {} words): bpfpress render ({} pages): {}",
        doc.meta.words,
        pages(&ours_pdf),
        show(&a)
    );
    println!(
        "long report: stock typst compile, same project ({} pages): {}",
        pages(&theirs_pdf),
        show(&b)
    );
}

fn main() {
    if std::env::var("BENCH_RENDER_ONLY").as_deref() == Ok("memory") {
        memory();
        return;
    }
    let runs = 10;
    let (path, how) = input();
    let opts = ReportOptions::default();
    let engine = Engine::builtin();

    // 1. In process: ingest + render, first (fonts parsed, caches cold) and warm.
    let t = Instant::now();
    let first = render_report(&engine, &ingest(&path), &opts).unwrap();
    let cold = t.elapsed();
    let mut warm = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let r = render_report(&engine, &ingest(&path), &opts).unwrap();
        warm.push(t.elapsed());
        assert_eq!(r.pages, first.pages);
    }
    println!(
        "input: {} ({how}), {} pages",
        path.strip_prefix(root()).unwrap_or(&path).display(),
        first.pages
    );
    println!("in-process ingest+render, first in process: {}", ms(cold));
    println!(
        "in-process ingest+render, warm median of {runs}: {}",
        ms(median(warm))
    );

    // 2. The same engine as a fresh process per document, and 3. the stock
    //    typst CLI on the equivalent project (no ingest: it gets the
    //    data.json ready-made). Runs alternate between the two so that both
    //    see the same machine (a shared VM drifts over seconds).
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_bpfpress");
    let out = tmp.path().join("cli.pdf");
    let project = tmp.path().join("project");
    write_typst_project(&ingest(&path), &opts, &project).unwrap();
    // Wall time of one successful run of `cmd`.
    let timed = |cmd: &mut Command| {
        let t = Instant::now();
        let st = cmd.output().unwrap();
        assert!(
            st.status.success(),
            "{}",
            String::from_utf8_lossy(&st.stderr)
        );
        t.elapsed()
    };
    let ours = || {
        timed(
            Command::new(bin)
                .arg("render")
                .arg(&path)
                .arg("-o")
                .arg(&out),
        )
    };
    let cli = typst_cli();
    let stock = |cli: &Path| {
        timed(
            Command::new(cli)
                .arg("compile")
                .arg("--root")
                .arg(&project)
                .arg("--font-path")
                .arg(project.join("fonts"))
                .arg("--ignore-system-fonts")
                .arg(project.join("report.typ"))
                .arg(tmp.path().join("typst-cli.pdf")),
        )
    };
    let fresh_runs = 15;
    let (mut fresh, mut theirs) = (Vec::new(), Vec::new());
    ours();
    if let Some(c) = &cli {
        stock(c);
    }
    for i in 0..fresh_runs {
        if i % 2 == 0 {
            fresh.push(ours());
        }
        if let Some(c) = &cli {
            theirs.push(stock(c));
        }
        if i % 2 == 1 {
            fresh.push(ours());
        }
    }
    let min = |v: &[Duration]| v.iter().min().copied().unwrap_or_default();
    println!(
        "bpfpress render, fresh process, median / min of {fresh_runs}: {} / {}",
        ms(median(fresh.clone())),
        ms(min(&fresh))
    );
    match &cli {
        Some(c) => {
            let version = Command::new(c).arg("--version").output().unwrap();
            println!(
                "stock {} compile, fresh process, median / min of {fresh_runs} (interleaved): {} / {}",
                String::from_utf8_lossy(&version.stdout).trim(),
                ms(median(theirs.clone())),
                ms(min(&theirs))
            );
        }
        None => println!("stock typst CLI: not found (set TYPST_CLI); skipped"),
    }

    // 4. Many small documents in one process (letters workload), 2 threads.
    let pool = pool(2).unwrap();
    let n = 200;
    let t = Instant::now();
    pool.install(|| {
        (0..n).into_par_iter().for_each(|i| {
            let r = render_report(&engine, &letter(i), &opts).unwrap();
            assert!(r.pdf.starts_with(b"%PDF-"));
        })
    });
    let all = t.elapsed();
    println!(
        "{n} small reports (cover + contents + 1 page) on 2 threads: {} total, {} per document",
        ms(all),
        ms(all / n as u32)
    );

    // 5. Peak memory on a long report.
    memory();
}
