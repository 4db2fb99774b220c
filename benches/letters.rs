//! Benchmark (not a test): 500 recipients → 500 cover-letter PDFs (real
//! render engine, `templates/letter.typ`) + 500 `.eml` with the report and
//! takeaways attached; wall time and peak memory. Then how far typst's
//! memoisation of the shared part goes (one thread: first letter, steady
//! state, and steady state with the memo cache emptied after each letter),
//! and, if a stock typst CLI is found, N runs of it on the same letter
//! source (`--ignore-system-fonts`, bundled fonts via `--font-path`).
//!
//!   cargo bench --bench letters                 # release profile
//!   cargo bench --bench letters --profile dev   # quicker to build
//!   BENCH_LETTERS_N=500 BENCH_LETTERS_THREADS=2 TYPST=/path/to/typst \
//!   BENCH_LETTERS_CLI_N=500 cargo bench --bench letters

use bpfpress::letters::{LetterRenderer, LetterSetup};
use bpfpress::mail::recipients::{self, LoadOptions};
use bpfpress::mail::{Attachment, Campaign, CampaignInfo, Mailbox, Role, RunOptions, Status};
use bpfpress::render::{Engine, Paper};
mod common;

use common::{root, write_recipients};
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

/// Peak resident set (VmHWM) of this process, in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// CPU time (user + system) of the waited-for children (the typst CLI
/// runs), in seconds.
fn children_cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            let cu: f64 = f.get(13)?.parse().ok()?;
            let cs: f64 = f.get(14)?.parse().ok()?;
            Some((cu + cs) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

/// CPU time (user + system) of this process so far, in seconds: on the
/// loaded shared machine this says more than wall time.
fn cpu_secs() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let f: Vec<&str> = after.split_whitespace().collect();
            let ut: f64 = f.get(11)?.parse().ok()?;
            let st: f64 = f.get(12)?.parse().ok()?;
            Some((ut + st) / 100.0)
        })
        .unwrap_or(f64::NAN)
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn setup() -> LetterSetup {
    LetterSetup {
        bpf_name: "IGF Best Practice Forum on Best Practice Forums".into(),
        report_title: "BPF on BPFs: Output Report 2020".into(),
        report_url: "https://www.intgovforum.example.org/bpf-on-bpfs-2020.pdf".into(),
        year: Some("2020".into()),
        date: "2020-12-01".parse().unwrap(),
        takeaways: vec![
            "BPFs work best with a clear scope agreed early and a realistic timeline.".into(),
            "Outreach beyond the usual IGF participants needs dedicated effort and resources."
                .into(),
            "Output reports gain reach when they come with a short summary of key takeaways."
                .into(),
            "Continuity between years helps BPFs build on earlier work.".into(),
        ],
        signatory_name: "Zoë Ångström".into(),
        signatory_role: "BPF coordinator".into(),
        paper: Paper::A4,
        takeaways_sheet: true,
        standard: None,
    }
}

fn campaign() -> Campaign {
    let read = |p: &str| Arc::new(std::fs::read(root().join("fixtures").join(p)).unwrap());
    let s = setup();
    Campaign {
        key: "bench-letters-2020".into(),
        date: s.date,
        from: Mailbox::new(
            Some("IGF Secretariat".into()),
            "igf@secretariat.example.org".parse().unwrap(),
        ),
        reply_to: None,
        info: CampaignInfo {
            bpf_name: s.bpf_name,
            report_title: s.report_title,
            report_url: s.report_url,
            signatory_name: s.signatory_name,
            signatory_role: s.signatory_role,
        },
        texts: Vec::new(),
        shared: vec![
            Attachment::pdf("report.pdf", read("report/bpf-on-bpfs-2020.lo.pdf"))
                .with_role(Role::Report),
            Attachment::pdf("key-takeaways.pdf", read("mail/test-takeaways.pdf"))
                .with_role(Role::Takeaways),
        ],
    }
}

fn typst_cli() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TYPST") {
        return Some(PathBuf::from(p));
    }
    let p = PathBuf::from("/tmp/typst-cli/bin/typst");
    p.exists().then_some(p)
}

fn main() {
    // The allocator settings of `bpfpress letters`, so the bench measures
    // what a user runs.
    bpfpress::malloc::tune(bpfpress::malloc::Workload::Mailing);
    let n = env_usize("BENCH_LETTERS_N", 500);
    let threads = env_usize("BENCH_LETTERS_THREADS", 2);
    let tmp = tempfile::tempdir().unwrap();
    let rpath = write_recipients(tmp.path(), n);
    let rs = recipients::load(
        &rpath,
        LoadOptions {
            require_email: true,
            skip_invalid: false,
        },
    )
    .unwrap();
    assert_eq!(rs.list.len(), n);

    // 1. The whole job: engine, letters, messages, manifest.
    let c0 = cpu_secs();
    let t = Instant::now();
    let renderer = LetterRenderer::new(Engine::builtin(), &setup()).unwrap();
    let mut o = RunOptions::new(tmp.path().join("out"));
    o.progress = false;
    o.threads = threads;
    o.stack_bytes = bpfpress::render::TYPST_STACK;
    let m = campaign().run(&rs, &renderer, &o).unwrap();
    let total = t.elapsed();
    assert_eq!(m.count(Status::Generated), n, "{:?}", m.entries.first());
    let c1 = cpu_secs();
    println!(
        "{n} letters + {n} .eml, {threads} threads: {:.2} s wall, {:.2} s CPU ({:.1} ms per recipient); peak RSS {:.0} MiB",
        total.as_secs_f64(),
        c1 - c0,
        total.as_secs_f64() * 1000.0 / n as f64,
        peak_mib()
    );

    // 1b. Letters only (no .eml), same threads: the render share of the job.
    let t = Instant::now();
    let mut o2 = RunOptions::new(tmp.path().join("out-letters"));
    o2.progress = false;
    o2.threads = threads;
    o2.eml = false;
    o2.stack_bytes = bpfpress::render::TYPST_STACK;
    let m2 = campaign().run(&rs, &renderer, &o2).unwrap();
    assert_eq!(m2.count(Status::Generated), n);
    let letters_only = t.elapsed();
    println!(
        "{n} letters only, {threads} threads: {:.2} s wall, {:.2} s CPU ({:.1} ms per letter)",
        letters_only.as_secs_f64(),
        cpu_secs() - c1,
        letters_only.as_secs_f64() * 1000.0 / n as f64,
    );

    // 2. Letters only, one thread: how far memoisation goes.
    let k = n.min(100);
    let pool = bpfpress::render::pool(1).unwrap();
    let measure = |renderer: &LetterRenderer, evict_all: bool| -> (f64, f64) {
        comemo::evict(0);
        pool.install(|| {
            let t0 = Instant::now();
            renderer.letter(&rs.list[0]).unwrap();
            let first = t0.elapsed().as_secs_f64() * 1000.0;
            let t1 = Instant::now();
            for r in &rs.list[1..k] {
                renderer.letter(r).unwrap();
                if evict_all {
                    comemo::evict(0);
                }
            }
            (first, t1.elapsed().as_secs_f64() * 1000.0 / (k - 1) as f64)
        })
    };
    let (first, warm) = measure(&renderer, false);
    let mut cold_renderer = LetterRenderer::new(Engine::builtin(), &setup()).unwrap();
    cold_renderer.evict = false;
    let (_, cold) = measure(&cold_renderer, true);
    println!(
        "one thread, letters only: first letter {first:.1} ms; then {warm:.1} ms per letter \
         with the memo kept (evict(10) after each); {cold:.1} ms per letter with the memo \
         emptied after each"
    );

    // 2b. The one-page fit: how many letters needed more than one compile
    // (the fixture rows in all six languages with the bench's takeaways).
    let fits: Vec<(usize, usize)> = pool.install(|| {
        rs.list
            .iter()
            .take(rs.list.len().min(42))
            .map(|r| {
                let l = renderer.letter(r).unwrap();
                (l.fit_step, l.compiles)
            })
            .collect()
    });
    let refit = fits.iter().filter(|(_, c)| *c > 1).count();
    println!(
        "one-page fit: {refit} of {} letters needed more than one compile ({} compiles in all)",
        fits.len(),
        fits.iter().map(|(_, c)| c).sum::<usize>()
    );

    // 3. The stock typst CLI on the same letter source.
    let Some(typst) = typst_cli() else {
        println!("stock typst CLI: not found (set TYPST=/path/to/typst)");
        return;
    };
    let runs = env_usize("BENCH_LETTERS_CLI_N", n).min(n);
    let proj = tmp.path().join("typst-project");
    renderer.write_project(&rs.list[0], &proj).unwrap();
    let t = Instant::now();
    let child0 = children_cpu_secs();
    for (i, r) in rs.list[..runs].iter().enumerate() {
        std::fs::write(proj.join("data.json"), LetterRenderer::recipient_json(r)).unwrap();
        let out = Command::new(&typst)
            .arg("compile")
            .arg("--ignore-system-fonts")
            .arg("--font-path")
            .arg(proj.join("fonts"))
            .arg("--root")
            .arg(&proj)
            .arg(proj.join("letter.typ"))
            .arg(tmp.path().join(format!("cli-{i}.pdf")))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "typst: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let cli = t.elapsed().as_secs_f64();
    let cli_cpu = children_cpu_secs() - child0;
    println!(
        "stock typst CLI CPU: {cli_cpu:.2} s for {runs} runs ({:.1} ms per letter); bpfpress \
         letters + .eml: {:.1} ms CPU per recipient: {:.1}x less CPU",
        cli_cpu * 1000.0 / runs as f64,
        (c1 - c0) * 1000.0 / n as f64,
        (cli_cpu / runs as f64) / ((c1 - c0) / n as f64)
    );
    println!(
        "stock typst CLI ({}), {runs} sequential runs: {cli:.2} s ({:.1} ms per letter); \
         in-process is {:.1}x faster per letter (letters + .eml vs letters only)",
        typst.display(),
        cli * 1000.0 / runs as f64,
        (cli / runs as f64) / (total.as_secs_f64() / n as f64)
    );
}
