//! The `bpfpress` command line: a thin layer over the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    bpfpress::ingest::quiet_parser_panics();
    cli::run()
}
