//! `bpfpress build`: the whole pipeline for a project folder (`bpf.toml`).

use bpfpress::dates::Date;
use bpfpress::pipeline::build::{BuildOptions, build};
use bpfpress::pipeline::{Error, Flags, Settings};
use bpfpress::project::Project;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Build every output of a project in one go: ingest the report, check it,
/// render report.pdf and takeaways.pdf, one cover letter and one .eml per
/// recipient, the press release, check.json/check.md and manifest.json.
///
/// Re-running with unchanged inputs does nothing; a changed recipients file
/// redoes only the letters, mailings and press release. Nothing is sent
/// without --send.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress build fixtures/example          # -> fixtures/example/dist/\n  \
    bpfpress build                           # the project in the current folder\n  \
    bpfpress build my-bpf --force            # render even if a key element is missing\n  \
    BPFPRESS_SMTP_PASSWORD=... bpfpress build my-bpf --send\n\n\
    Exit codes: 0 built (or up to date); 1 a key element is missing (nothing\n\
    rendered) or some letters/messages failed; 2 bad project file or input.")]
pub struct Args {
    /// Project folder holding bpf.toml (or the bpf.toml file itself).
    #[arg(value_name = "DIR", default_value = ".")]
    dir: PathBuf,
    /// Render even when a key element is missing.
    #[arg(long)]
    force: bool,
    /// Deliver the mailings over SMTP ([smtp] in bpf.toml; a send log keeps
    /// a re-run from sending twice).
    #[arg(long)]
    send: bool,
    /// Date of the letters and messages, YYYY-MM-DD (default: today, or SOURCE_DATE_EPOCH).
    #[arg(long, value_name = "DATE")]
    date: Option<Date>,
    /// Worker threads for the letters (default: one per core).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
}

pub fn run(args: Args) -> ExitCode {
    let prepared = super::clock().and_then(|clock| {
        let project = Project::load(&args.dir)?;
        let flags = Flags {
            date: args.date,
            ..Flags::default()
        };
        let settings = Settings::resolve(Some(&project), flags, &clock)?;
        Ok::<_, Error>((project, settings))
    });
    let (project, settings) = match prepared {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    let opts = BuildOptions {
        force: args.force,
        send: args.send,
        threads: args.threads,
    };
    let tty = std::io::stderr().is_terminal();
    let spinner = if tty {
        let s = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {elapsed} {wide_msg}")
        {
            s.set_style(style);
        }
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        s
    } else {
        indicatif::ProgressBar::hidden()
    };
    let log = |msg: &str| {
        if tty {
            spinner.set_message(msg.to_string());
        } else {
            eprintln!("build: {msg}");
        }
    };
    let result = build(&project, &settings, &opts, &log);
    spinner.finish_and_clear();
    let built = match result {
        Ok(b) => b,
        Err(e) => return super::fail(&e),
    };
    super::warn(&built.warnings);
    let outcome = built.output;
    let out = outcome.out_dir.display();
    if outcome.is_noop() {
        eprintln!("up to date: nothing to do ({out}/manifest.json matches the inputs)");
    } else {
        if !outcome.up_to_date.is_empty() {
            eprintln!("up to date: {}", outcome.up_to_date.join(", "));
        }
        eprintln!(
            "built {} → {out} ({} outputs, manifest.json)",
            outcome.rebuilt.join(", "),
            outcome.manifest.outputs.len()
        );
    }
    if let Some(s) = &outcome.manifest.check {
        eprintln!(
            "check: {} present, {} weak, {} missing; {} error(s), {} warning(s) (details: {out}/check.md)",
            s.present, s.weak, s.missing, s.errors, s.warnings
        );
    }
    // Reports of the compilation left out: named, the others compiled.
    for e in &outcome.problems {
        eprintln!("error: {e}");
    }
    if !outcome.problems.is_empty() {
        return ExitCode::from(bpfpress::pipeline::EXIT_INPUT);
    }
    super::findings(outcome.mail_failures)
}
