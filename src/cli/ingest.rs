//! `bpfpress ingest`: read drafts and print their outline or the whole model.

use super::EXIT_INPUT;
use bpfpress::ingest::{Limits, read_path};
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Read drafts (DOCX, PDF, Markdown/text) and print what bpfpress sees.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress ingest fixtures/report/bpf-on-bpfs-2020.docx\n  \
    bpfpress ingest --json draft.pdf > model.json")]
pub struct Args {
    /// Draft files. The format is detected from the content.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Print the whole document model as JSON (one object per file; an array
    /// when several files are given).
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> ExitCode {
    let limits = Limits::default();
    // One file needs no thread pool: starting rayon's workers costs more than
    // reading a typical draft (see BENCHMARKS.md, ingest).
    let results: Vec<_> = if args.files.len() == 1 {
        args.files.iter().map(|p| read_path(p, &limits)).collect()
    } else {
        args.files
            .par_iter()
            .map(|p| read_path(p, &limits))
            .collect()
    };
    let mut failed = false;
    let mut docs = Vec::new();
    for r in results {
        match r {
            Ok(d) => docs.push(d),
            Err(e) => {
                eprintln!("error: {e}");
                failed = true;
            }
        }
    }
    // Stdout is line-buffered: unbuffered, pretty JSON costs one write(2)
    // per line (thousands for a report).
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let written = if args.json {
        let v = if args.files.len() == 1 {
            docs.first()
                .map(|d| serde_json::to_writer_pretty(&mut out, d))
        } else {
            Some(serde_json::to_writer_pretty(&mut out, &docs))
        };
        match v {
            Some(r) => r.map_err(std::io::Error::from).and_then(|_| writeln!(out)),
            None => Ok(()),
        }
    } else {
        docs.iter().enumerate().try_for_each(|(i, d)| {
            if i > 0 {
                writeln!(out)?;
            }
            write!(out, "{}", bpfpress::outline::outline(d))
        })
    }
    .and_then(|_| out.flush());
    if let Err(e) = written
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("error: writing output: {e}");
        return ExitCode::from(EXIT_INPUT);
    }
    if failed {
        ExitCode::from(EXIT_INPUT)
    } else {
        ExitCode::SUCCESS
    }
}
