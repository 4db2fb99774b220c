//! `bpfpress completions`: shell completion scripts (clap_complete).

use clap::CommandFactory;
use clap_complete::Shell;
use std::process::ExitCode;

/// Print a shell completion script for bpfpress on standard output.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress completions bash > ~/.local/share/bash-completion/completions/bpfpress\n  \
    bpfpress completions zsh > ~/.zfunc/_bpfpress\n  \
    bpfpress completions fish > ~/.config/fish/completions/bpfpress.fish")]
pub struct Args {
    /// bash, zsh, fish, elvish or powershell.
    #[arg(value_name = "SHELL")]
    shell: Shell,
}

pub fn run(args: Args) -> ExitCode {
    let mut cmd = super::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "bpfpress", &mut std::io::stdout());
    ExitCode::SUCCESS
}
