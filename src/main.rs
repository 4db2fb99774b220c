//! The `bpfpress` command line: a thin layer over the library.

mod cli;

use std::process::ExitCode;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    bpfpress::ingest::quiet_parser_panics();
    cli::run()
}
