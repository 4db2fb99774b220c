//! Argument parsing and dispatch. Each subcommand lives in its own file with
//! an `Args` struct and a `run` function returning the process exit code;
//! it turns its arguments into [`Flags`](bpfpress::pipeline::Flags),
//! resolves the settings, calls the library's stages
//! ([`bpfpress::pipeline`]) and prints. No subcommand calls another.
//!
//! Exit codes: 0 success; 1 the job ran but found problems (e.g. a key
//! element missing); 2 input unreadable or bad arguments.

mod build;
mod check;
mod completions;
mod ingest;
mod init;
mod letters;
mod render;
mod serve;
mod summaries;
mod takeaways;

use bpfpress::dates::Clock;
use bpfpress::malloc::Workload;
use bpfpress::pipeline::{EXIT_FINDINGS, EXIT_INPUT, Error, Warning};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "bpfpress",
    version,
    about = "Check, lay out and disseminate IGF Best Practice Forum output reports",
    long_about = "bpfpress turns draft output reports of IGF Best Practice Forums (DOCX, PDF or \
                  Markdown) into checked, published and disseminated documents.",
    after_help = "Examples:\n  bpfpress build fixtures/example\n  bpfpress init my-bpf --report draft.docx\n  bpfpress check fixtures/report/bpf-on-bpfs-2020.pandoc.docx"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Build(build::Args),
    Init(init::Args),
    Ingest(ingest::Args),
    Check(check::Args),
    Render(render::Args),
    Takeaways(takeaways::Args),
    Summaries(summaries::Args),
    Letters(Box<letters::Args>),
    Serve(serve::Args),
    Completions(completions::Args),
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
    // The allocator's settings depend on the work; no thread exists yet.
    bpfpress::malloc::tune(match cli.command {
        Command::Build(_)
        | Command::Render(_)
        | Command::Takeaways(_)
        | Command::Summaries(_)
        | Command::Serve(_) => Workload::Report,
        Command::Letters(_) => Workload::Mailing,
        Command::Init(_) | Command::Ingest(_) | Command::Check(_) | Command::Completions(_) => {
            Workload::Other
        }
    });
    match cli.command {
        Command::Build(a) => build::run(a),
        Command::Init(a) => init::run(a),
        Command::Ingest(a) => ingest::run(a),
        Command::Check(a) => check::run(a),
        Command::Render(a) => render::run(a),
        Command::Takeaways(a) => takeaways::run(a),
        Command::Summaries(a) => summaries::run(a),
        Command::Letters(a) => letters::run(*a),
        Command::Serve(a) => serve::run(a),
        Command::Completions(a) => completions::run(a),
    }
}

/// Print an error and give its exit code.
fn fail(e: &Error) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(e.exit_code())
}

/// Print warnings, one `warning:` line (and its continuation lines) each.
fn warn(warnings: &[Warning]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}

/// The run's clock (the one place commands learn "today").
fn clock() -> Result<Clock, Error> {
    Ok(Clock::from_env()?)
}

/// Exit code 1 when `n` things failed, else 0.
fn findings(n: usize) -> ExitCode {
    if n > 0 {
        ExitCode::from(EXIT_FINDINGS)
    } else {
        ExitCode::SUCCESS
    }
}
