//! Benchmark (not a test): 500 recipients → 500 letters + 500 `.eml`
//! (with a fixed letter PDF, the real report and a takeaways sheet
//! attached), wall time and peak memory; then, if Python `aiosmtpd` is
//! present, delivery of all 500 to a local SMTP sink and a re-run that
//! must send nothing.
//!
//!   cargo bench --bench mail                  # release profile
//!   cargo bench --bench mail --profile dev    # quicker to build
//!   BENCH_MAIL_N=2000 BENCH_MAIL_SEND=0 cargo bench --bench mail

use bpfpress::mail::recipients::{self, LoadOptions};
use bpfpress::mail::{
    Attachment, Campaign, CampaignInfo, LetterError, Mailbox, Recipient, Role, RunOptions,
    SmtpSettings, Status, TlsMode,
};
use std::io::{BufRead, BufReader, Write};
mod common;

use common::{root, write_recipients};
use std::path::Path;
use std::process::{Command, Stdio};
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

fn campaign() -> Campaign {
    let read = |p: &str| Arc::new(std::fs::read(root().join("fixtures").join(p)).unwrap());
    Campaign {
        key: "bench-2020".into(),
        date: "2020-12-01".parse().unwrap(),
        from: Mailbox::new(
            Some("IGF Secretariat".into()),
            "igf@secretariat.example.org".parse().unwrap(),
        ),
        reply_to: None,
        info: CampaignInfo {
            bpf_name: "IGF Best Practice Forum on Best Practice Forums".into(),
            report_title: "BPF on BPFs: Output Report 2020".into(),
            report_url: "https://www.intgovforum.example.org/bpf-on-bpfs-2020.pdf".into(),
            signatory_name: "Zoë Ångström".into(),
            signatory_role: "BPF coordinator".into(),
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

fn dir_bytes(p: &Path) -> u64 {
    std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

fn main() {
    let n: usize = std::env::var("BENCH_MAIL_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let threads: usize = std::env::var("BENCH_MAIL_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2);
    let tmp = tempfile::tempdir().unwrap();
    let csv = write_recipients(tmp.path(), n);
    let letter = std::fs::read(root().join("fixtures/mail/test-letter.pdf")).unwrap();
    let maker = move |_r: &Recipient| -> Result<Vec<u8>, LetterError> { Ok(letter.clone()) };
    let c = campaign();

    let t = Instant::now();
    let rs = recipients::load(
        &csv,
        LoadOptions {
            require_email: true,
            skip_invalid: false,
        },
    )
    .unwrap();
    let load = t.elapsed();
    assert_eq!(rs.list.len(), n);

    let out = tmp.path().join("out");
    let mut o = RunOptions::new(&out);
    o.threads = threads;
    o.progress = false;
    let t = Instant::now();
    let m = c.run(&rs, &maker, &o).unwrap();
    let gen_time = t.elapsed();
    assert_eq!(m.count(Status::Generated), n);
    let eml_mb = dir_bytes(&out.join("mail")) as f64 / 1e6;
    println!("mail bench: {n} recipients, {threads} threads");
    println!(
        "  load + validate CSV        {:>8.1} ms",
        load.as_secs_f64() * 1e3
    );
    println!(
        "  {n} letters + {n} .eml      {:>8.1} ms  ({:.2} ms each; {eml_mb:.0} MB of .eml)",
        gen_time.as_secs_f64() * 1e3,
        gen_time.as_secs_f64() * 1e3 / n as f64
    );
    println!("  peak RSS after generation  {:>8.1} MiB", peak_mib());

    if std::env::var("BENCH_MAIL_SEND").as_deref() == Ok("0") {
        return;
    }
    let sink_dir = tmp.path().join("sink");
    std::fs::create_dir_all(&sink_dir).unwrap();
    let Ok(mut child) = Command::new("python3")
        .arg(root().join("tests/smtp_sink.py"))
        .arg(&sink_dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        println!("  (no python3: delivery not measured)");
        return;
    };
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let Some(port) = line
        .trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
    else {
        println!("  (aiosmtpd not available: delivery not measured)");
        let _ = child.kill();
        return;
    };
    o.send = Some(SmtpSettings::new("127.0.0.1", port, TlsMode::None));
    let t = Instant::now();
    let m = c.run(&rs, &maker, &o).unwrap();
    let send_time = t.elapsed();
    assert_eq!(m.count(Status::Sent), n);
    let t = Instant::now();
    let m = c.run(&rs, &maker, &o).unwrap();
    let rerun = t.elapsed();
    assert_eq!(m.count(Status::Sent), n);
    let received = std::fs::read_dir(&sink_dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "eml")
        })
        .count();
    assert_eq!(received, n, "exactly once");
    println!(
        "  generate + send {n} (local aiosmtpd, fsync'd log) {:>8.1} ms",
        send_time.as_secs_f64() * 1e3
    );
    println!(
        "  re-run: generate, nothing sent                  {:>8.1} ms",
        rerun.as_secs_f64() * 1e3
    );
    println!("  peak RSS overall           {:>8.1} MiB", peak_mib());
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.flush();
    }
    let _ = child.kill();
    let _ = child.wait();
}
