//! Ingest benchmark (not a timed test): bpfpress against the stock tools on
//! the same fixtures, each figure the median of N runs.
//!
//! - in process: `bpfpress::ingest::read_path` called in this process;
//! - process to process: the release `bpfpress ingest --json FILE` binary
//!   against `pandoc -f docx -t json` (DOCX), `pdftotext FILE -` (PDF) and,
//!   for reference, `pandoc -f markdown -t json` (Markdown), all with output
//!   to /dev/null;
//! - batch: 50 copies of a file in one `bpfpress ingest` process (and 50
//!   `read_path` calls in this process) against 50 sequential runs of the
//!   stock tool.
//!
//! A stock tool that is not installed is skipped; a reader that fails
//! (e.g. not written yet) shows its error in the table. Prints Markdown.
//!
//!   cargo bench --bench ingest            # N = 7
//!   BENCH_RUNS=15 cargo bench --bench ingest
//!   BENCH_ONLY=docx BENCH_RUNS=31 cargo bench --bench ingest  # one format

use bpfpress::ingest::{Limits, read_path};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BATCH: usize = 50;

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> String {
    let m = d.as_secs_f64() * 1e3;
    if m < 10.0 {
        format!("{m:.2} ms")
    } else {
        format!("{m:.0} ms")
    }
}

/// Median wall time of `f` over `runs` runs after one warm-up run; `Err`
/// if any run fails.
fn time<F: FnMut() -> Result<(), String>>(runs: usize, mut f: F) -> Result<Duration, String> {
    f()?;
    let mut v = Vec::with_capacity(runs);
    for _ in 0..runs {
        let t = Instant::now();
        f()?;
        v.push(t.elapsed());
    }
    Ok(median(v))
}

/// Median and minimum wall times of `f` and `g`, measured interleaved
/// (f, g, g, f, f, g, ...) after one warm-up each, so that both see the
/// same machine: on a shared VM, load and clock drift over seconds would
/// otherwise land on one tool's runs only. `Err` if any run fails.
type Timed = Result<(Duration, Duration), String>;
fn time_pair<F, G>(runs: usize, mut f: F, mut g: G) -> (Timed, Timed)
where
    F: FnMut() -> Result<(), String>,
    G: FnMut() -> Result<(), String>,
{
    fn once(h: &mut dyn FnMut() -> Result<(), String>, v: &mut Result<Vec<Duration>, String>) {
        if let Ok(times) = v {
            let t = Instant::now();
            match h() {
                Ok(()) => times.push(t.elapsed()),
                Err(e) => *v = Err(e),
            }
        }
    }
    let mut a: Result<Vec<Duration>, String> = f().map(|_| Vec::new());
    let mut b: Result<Vec<Duration>, String> = g().map(|_| Vec::new());
    for i in 0..runs {
        if i % 2 == 0 {
            once(&mut f, &mut a);
            once(&mut g, &mut b);
        } else {
            once(&mut g, &mut b);
            once(&mut f, &mut a);
        }
    }
    let stats = |v: Result<Vec<Duration>, String>| {
        v.map(|mut t| {
            t.sort();
            (t[t.len() / 2], t[0])
        })
    };
    (stats(a), stats(b))
}

/// Run a command with output discarded; `Err` on spawn failure or non-zero exit.
fn run(cmd: &str, args: &[&str]) -> Result<(), String> {
    let st = Command::new(cmd)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("{cmd}: {e}"))?;
    if st.success() {
        Ok(())
    } else {
        let name = Path::new(cmd)
            .file_name()
            .map_or(cmd.into(), |n| n.to_string_lossy());
        Err(format!("{name} exited with {st}"))
    }
}

fn installed(tool: &str) -> bool {
    Command::new(tool)
        .arg("-v")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

fn version(tool: &str, arg: &str) -> String {
    Command::new(tool)
        .arg(arg)
        .output()
        .ok()
        .map(|o| {
            let s = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&s)
                .lines()
                .next()
                .unwrap_or("")
                .to_string()
        })
        .unwrap_or_else(|| "not installed".into())
}

/// The stock tool for a fixture, as (tool, args before the file, args after).
fn stock(path: &Path) -> Option<(&'static str, Vec<&'static str>, Vec<&'static str>)> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".docx") {
        Some(("pandoc", vec!["-f", "docx", "-t", "json"], vec![]))
    } else if name.ends_with(".pdf") {
        Some(("pdftotext", vec![], vec!["-"]))
    } else if name.ends_with(".md") {
        Some(("pandoc", vec!["-f", "markdown", "-t", "json"], vec![]))
    } else {
        None
    }
}

fn cell(r: &Result<Duration, String>) -> String {
    match r {
        Ok(d) => ms(*d),
        Err(e) => format!("error: {}", e.chars().take(60).collect::<String>()),
    }
}

fn ratio(ours: &Result<Duration, String>, theirs: &Result<Duration, String>) -> String {
    match (ours, theirs) {
        (Ok(a), Ok(b)) if !a.is_zero() => format!("{:.1}×", b.as_secs_f64() / a.as_secs_f64()),
        _ => "—".into(),
    }
}

fn main() {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(7)
        .max(1);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let bin = env!("CARGO_BIN_EXE_bpfpress");
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(root.join("fixtures/report"))
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    fixtures.retain(|p| stock(p).is_some());
    // BENCH_ONLY=docx,pdf: only fixtures with these extensions.
    if let Ok(only) = std::env::var("BENCH_ONLY") {
        fixtures.retain(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| only.split(',').any(|o| o.trim() == e))
        });
    }
    fixtures.sort();
    let limits = Limits::default();

    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("## Ingest benchmark\n");
    println!(
        "Machine: {cpu}, {cores} cores; {}. {runs} runs after one warm-up; process-to-process runs of bpfpress and the stock tool interleaved; output to /dev/null.",
        version("uname", "-srm")
    );
    println!(
        "Tools: {}; {}.\n",
        version("pandoc", "--version"),
        version("pdftotext", "-v")
    );
    println!(
        "| fixture | bpfpress in process | bpfpress process, median / min | stock tool | stock process, median / min | process speed-up (medians) |"
    );
    println!("| --- | ---: | ---: | --- | ---: | ---: |");
    for f in &fixtures {
        let fs = f.to_string_lossy().to_string();
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let inproc = time(runs, || {
            read_path(f, &limits)
                .map(|_| ())
                .map_err(|e| e.kind.to_string())
        });
        let (tool, pre, post) = stock(f).unwrap_or(("", vec![], vec![]));
        let mut args: Vec<&str> = pre.clone();
        args.push(&fs);
        args.extend(post.iter().copied());
        let ours = || run(bin, &["ingest", "--json", &fs]);
        let (process, theirs) = if installed(tool) {
            time_pair(runs, ours, || run(tool, &args))
        } else {
            let skipped = Err(format!("{tool} not installed (skipped)"));
            (time_pair(runs, ours, || Ok(())).0, skipped)
        };
        let shown = format!(
            "`{tool} {}`",
            pre.iter()
                .chain(post.iter())
                .copied()
                .collect::<Vec<_>>()
                .join(" ")
        );
        let median = |r: &Timed| r.clone().map(|(m, _)| m);
        let min = |r: &Timed| r.clone().map(|(_, m)| m);
        println!(
            "| {name} | {} | {} / {} | {shown} | {} / {} | {} |",
            cell(&inproc),
            cell(&median(&process)),
            cell(&min(&process)),
            cell(&median(&theirs)),
            cell(&min(&theirs)),
            ratio(&median(&process), &median(&theirs))
        );
    }

    println!("\n### Batch of {BATCH} copies of one file\n");
    println!(
        "| fixture | {BATCH}× read_path in process | one `bpfpress ingest` process, {BATCH} files | {BATCH} stock runs | speed-up (process vs stock) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    for f in fixtures.iter().filter(|f| {
        let n = f.to_string_lossy();
        n.ends_with(".pdf") || n.ends_with(".md")
    }) {
        let fs = f.to_string_lossy().to_string();
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let batch_runs = runs.div_ceil(2).max(1);
        let inproc = time(batch_runs, || {
            (0..BATCH).try_for_each(|_| {
                read_path(f, &limits)
                    .map(|_| ())
                    .map_err(|e| e.kind.to_string())
            })
        });
        let mut args: Vec<&str> = vec!["ingest", "--json"];
        args.extend(std::iter::repeat_n(fs.as_str(), BATCH));
        let process = time(batch_runs, || run(bin, &args));
        let (tool, pre, post) = stock(f).unwrap_or(("", vec![], vec![]));
        let theirs = if installed(tool) {
            let mut a: Vec<&str> = pre.clone();
            a.push(&fs);
            a.extend(post.iter().copied());
            time(batch_runs, || (0..BATCH).try_for_each(|_| run(tool, &a)))
        } else {
            Err(format!("{tool} not installed (skipped)"))
        };
        println!(
            "| {name} | {} | {} | {} ({tool}) | {} |",
            cell(&inproc),
            cell(&process),
            cell(&theirs),
            ratio(&process, &theirs)
        );
    }
}
