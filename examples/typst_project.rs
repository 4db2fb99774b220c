//! Write the typst project equivalent to `bpfpress render FILE` (templates,
//! bundled fonts, data.json) into DIR, for comparing with the stock typst
//! CLI by hand (`hyperfine`); `benches/render.rs` does the same in-bench.
//!
//!     cargo run --release --example typst_project -- FILE DIR
use bpfpress::ingest::{Limits, read_path};
use bpfpress::render::{ReportOptions, write_typst_project};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(file), Some(dir)) = (args.next(), args.next()) else {
        return Err("usage: typst_project FILE DIR".into());
    };
    let doc = read_path(file.as_ref(), &Limits::default())?;
    write_typst_project(&doc, &ReportOptions::default(), dir.as_ref())?;
    Ok(())
}
