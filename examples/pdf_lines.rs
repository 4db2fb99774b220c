//! Prints the text lines the PDF reader sees on one page (baseline, extent,
//! size, styled spans), for tuning the layout heuristics:
//! `cargo run --example pdf_lines -- FILE PAGE`.
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let (Some(path), Some(page)) = (a.get(1), a.get(2).and_then(|p| p.parse().ok())) else {
        eprintln!("usage: pdf_lines FILE PAGE");
        std::process::exit(2);
    };
    match std::fs::read(path) {
        Ok(b) => {
            for l in bpfpress::ingest::pdf::debug_lines(&b, page) {
                println!("{l}");
            }
        }
        Err(e) => {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        }
    }
}
