//! Profiling aid: read one DOCX many times in process (`perf record`).
use bpfpress::ingest::{Limits, docx::read_docx};
fn main() {
    let path = std::env::args().nth(1).expect("usage: docx_loop FILE [N]");
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let bytes = std::fs::read(&path).expect("read");
    let limits = Limits::default();
    let t = std::time::Instant::now();
    for _ in 0..n {
        let d = read_docx(&bytes, &path, &limits).expect("docx");
        std::hint::black_box(d);
    }
    eprintln!("{:?} per read", t.elapsed() / n as u32);
}
