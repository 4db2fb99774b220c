//! Profiling aid: read one DOCX many times in process (`perf record`,
//! `valgrind --tool=callgrind`); prints the median and minimum per read.
use bpfpress::ingest::{Limits, docx::read_docx};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: docx_loop FILE [N]");
        std::process::exit(2);
    };
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let limits = Limits::default();
    let mut times: Vec<Duration> = Vec::with_capacity(n);
    for _ in 0..n.max(1) {
        let t = Instant::now();
        match read_docx(&bytes, &path, &limits) {
            Ok(d) => drop(std::hint::black_box(d)),
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(2);
            }
        }
        times.push(t.elapsed());
    }
    times.sort();
    eprintln!(
        "median {:?}, min {:?} per read",
        times[times.len() / 2],
        times[0]
    );
}
