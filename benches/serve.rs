//! Benchmark (not a test) of `bpfpress serve`: how fast the Check page
//! answers for the shared real report, and how much memory the server
//! holds (targets: < 300 ms; < 50 MB idle).
//!
//! Starts the real binary (`--port 0`), opens a session (GET /, its cookie
//! and CSRF token), then POSTs each format of `fixtures/report/` to /check
//! as a browser's form does (multipart) and times the whole round trip to
//! the last byte of the result page. The check page does what `bpfpress
//! check --annotate` does: read, check, the reviewed copy, the Markdown and
//! JSON downloads. Memory is the server's resident set (`VmRSS` of
//! /proc/PID/status) right after start, after the checks, and its peak
//! (`VmHWM`).
//!
//!   cargo bench --bench serve                 # release profile
//!   cargo bench --bench serve --profile dev   # quicker to build
//!   BENCH_SERVE_ITERS=50 cargo bench --bench serve

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One HTTP/1.1 exchange on a fresh connection; the whole response.
fn exchange(port: u16, head: &str, body: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.write_all(head.as_bytes()).expect("write head");
    s.write_all(body).expect("write body");
    let mut out = Vec::new();
    s.read_to_end(&mut out).expect("read");
    out
}

/// A resident-set figure of `pid` in MB (`VmRSS`, `VmHWM`).
fn mem(pid: u32, key: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

fn main() {
    let iters: usize = std::env::var("BENCH_SERVE_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let mut child = Command::new(env!("CARGO_BIN_EXE_bpfpress"))
        .args(["serve", "--port", "0"])
        .env_remove("SOURCE_DATE_EPOCH")
        .stdout(Stdio::piped())
        .spawn()
        .expect("bpfpress serve starts");
    let pid = child.id();
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("address line");
    let port: u16 = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|p| p.parse().ok())
        .expect("a port in the address line");
    std::thread::sleep(Duration::from_millis(300));
    let idle_start = mem(pid, "VmRSS:");

    // A session: the cookie and the form's CSRF token.
    let host = format!("127.0.0.1:{port}");
    let page = exchange(
        port,
        &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        b"",
    );
    let page = String::from_utf8_lossy(&page);
    let cookie = page
        .split("bpfpress_session=")
        .nth(1)
        .and_then(|r| r.split(';').next())
        .expect("session cookie")
        .to_owned();
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("csrf token")
        .to_owned();

    println!(
        "Check page round trip (POST /check, {iters} runs each; release build of the server unless --profile dev)"
    );
    println!("| draft | size | min | median | p95 |");
    println!("| --- | --- | --- | --- | --- |");
    for name in [
        "bpf-on-bpfs-2020.pandoc.docx",
        "bpf-on-bpfs-2020.lo.docx",
        "bpf-on-bpfs-2020.lo.pdf",
        "bpf-on-bpfs-2020.md",
    ] {
        let bytes = std::fs::read(root().join("fixtures/report").join(name)).expect("fixture");
        let boundary = "----bpfpressbench7d3f";
        let mut body = Vec::new();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"drafts\"; filename=\"{name}\"\r\n\
                 Content-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(&bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let head = format!(
            "POST /check HTTP/1.1\r\nHost: {host}\r\nCookie: bpfpress_session={cookie}\r\n\
             Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n",
            body.len()
        );
        let mut times = Vec::new();
        for i in 0..iters + 1 {
            let t = Instant::now();
            let resp = exchange(port, &head, &body);
            let d = t.elapsed();
            assert!(
                resp.starts_with(b"HTTP/1.1 200") && resp.windows(8).any(|w| w == b"verdicts"),
                "{name}: {}",
                String::from_utf8_lossy(&resp[..resp.len().min(300)])
            );
            // The first request warms the process (regex compilation, pages).
            if i > 0 {
                times.push(d);
            }
        }
        times.sort();
        println!(
            "| {name} | {} KiB | {:.0} ms | {:.0} ms | {:.0} ms |",
            bytes.len() / 1024,
            ms(times[0]),
            ms(times[times.len() / 2]),
            ms(times[(times.len() * 95 / 100).min(times.len() - 1)])
        );
    }
    let busy = mem(pid, "VmRSS:");
    // Idle: the allocator returns freed pages after a while.
    std::thread::sleep(Duration::from_secs(5));
    println!("\nServer memory (resident set)");
    println!("| when | MB |");
    println!("| --- | --- |");
    println!("| idle, just started | {idle_start:.1} |");
    println!("| right after {} checks | {busy:.1} |", 4 * (iters + 1));
    println!("| idle, 5 s later | {:.1} |", mem(pid, "VmRSS:"));
    println!("| peak | {:.1} |", mem(pid, "VmHWM:"));
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();
}
