//! Times `read_pdf` in one process: `cargo run --example pdf_time -- FILE [N]`.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let Some(path) = a.get(1) else {
        eprintln!("usage: pdf_time FILE [N]");
        std::process::exit(2);
    };
    let n: u32 = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    };
    let limits = bpfpress::ingest::Limits::default();
    let t = std::time::Instant::now();
    for _ in 0..n {
        if let Err(e) = bpfpress::ingest::pdf::read_pdf(&bytes, path, &limits) {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    }
    let per = t.elapsed() / n;
    println!("{path}: {n} runs, {per:?} per file");
}
