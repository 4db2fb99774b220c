//! Argument parsing and dispatch. Each subcommand lives in its own file with
//! an `Args` struct and a `run` function returning the process exit code.
//!
//! Exit codes: 0 success; 1 the job ran but found problems (e.g. a key
//! element missing); 2 input unreadable or bad arguments.

mod check;
mod ingest;
mod letters;
mod render;
mod takeaways;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit code: the job ran and found problems.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: input unreadable or bad arguments.
pub const EXIT_INPUT: u8 = 2;

#[derive(Parser)]
#[command(
    name = "bpfpress",
    version,
    about = "Check, lay out and disseminate IGF Best Practice Forum output reports",
    long_about = "bpfpress turns draft output reports of IGF Best Practice Forums (DOCX, PDF or \
                  Markdown) into checked, published and disseminated documents.",
    after_help = "Example:\n  bpfpress ingest fixtures/report/bpf-on-bpfs-2020.docx"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Ingest(ingest::Args),
    Check(check::Args),
    Render(render::Args),
    Takeaways(takeaways::Args),
    Letters(Box<letters::Args>),
}

pub fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitCode::from(EXIT_INPUT),
            };
        }
    };
    match cli.command {
        Command::Ingest(a) => ingest::run(a),
        Command::Check(a) => check::run(a),
        Command::Render(a) => render::run(a),
        Command::Takeaways(a) => takeaways::run(a),
        Command::Letters(a) => letters::run(*a),
    }
}
