//! `bpfpress summaries`: the year's compilation of several BPF output
//! reports in one PDF.

use bpfpress::fsutil::WriteError;
use bpfpress::pipeline::summaries::{list_reports, read_reports, summaries};
use bpfpress::pipeline::{self, EXIT_INPUT, Error, Flags, Settings};
use bpfpress::render::{Paper, Standard};
use bpfpress::takeaways::sheet::FIT_LEVELS;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

/// Compile the year's BPF output reports into one publication: a cover,
/// contents, the reports at a glance (pages, words, date), the report ×
/// element matrix of the check, and one summary of at most two pages per
/// report (what the BPF did, key takeaways, next steps, the report's
/// address with a QR code), quoted from the reports themselves.
///
/// A report that cannot be read is named and left out; the others are
/// compiled, and the exit code is 2.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress summaries reports/ -o summaries.pdf --year 2026\n  \
    bpfpress summaries cyber.docx gender.pdf local.md --urls urls.csv --standard pdf-ua-1\n  \
    bpfpress summaries ../bpf-cybersecurity ../bpf-gender    # BPF project folders\n\n\
    A URLs file is CSV with a header row: report,url[,bpf] — the report by file\n\
    name or by path relative to the URLs file. For a yearly `bpfpress build`, list\n\
    the reports in a [summaries] section of bpf.toml (docs/build.md).\n\n\
    Exit codes: 0 compiled; 2 a report could not be read (named; the others are\n\
    compiled), bad arguments, or nothing to compile.")]
pub struct Args {
    /// Reports: files (.docx, .pdf, .md, .markdown, .txt), folders of
    /// reports (searched recursively) or BPF project folders (their
    /// report, `report.url` and `bpf.name`), in publication order.
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// Output PDF, written atomically.
    #[arg(short, long, value_name = "PDF", default_value = "summaries.pdf")]
    output: PathBuf,
    /// The IGF year on the cover (default: the year most reports name).
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(u16).range(2006..=2100))]
    year: Option<u16>,
    /// The publication's title (default: "IGF <year> Best Practice Forums").
    #[arg(long, value_name = "TEXT", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    title: Option<String>,
    /// Where each report is published: CSV with `report,url[,bpf]` rows.
    #[arg(long, value_name = "FILE")]
    urls: Option<PathBuf>,
    /// Paper size: a4 or letter.
    #[arg(long, value_name = "PAPER")]
    paper: Option<Paper>,
    /// Enforce a PDF standard: pdf-ua-1 (accessibility) or pdf-a-2b (archival).
    #[arg(long, value_name = "STANDARD")]
    standard: Option<Standard>,
    /// Use a customised copy of the templates folder (summaries.typ, lib/, fonts/).
    #[arg(long, value_name = "DIR")]
    template_dir: Option<PathBuf>,
}

pub fn run(args: Args) -> ExitCode {
    let prepared = super::clock().and_then(|clock| {
        let flags = Flags {
            offered: &["--paper", "--standard", "--urls", "--year", "--title"],
            reports: args.paths.clone(),
            year: args.year,
            summaries_title: args.title.clone(),
            urls: args.urls.clone(),
            summaries_output: Some(args.output.clone()),
            paper: args.paper,
            standard: args.standard,
            template_dir: args.template_dir.clone(),
            ..Flags::default()
        };
        let settings = Settings::resolve(None, flags, &clock)?;
        let listing = list_reports(&settings)?;
        let engine = pipeline::engine(&settings)?;
        Ok((settings, listing, engine))
    });
    let (settings, listing, engine) = match prepared {
        Ok(p) => p,
        Err(e) => return super::fail(&e),
    };
    super::warn(&listing.warnings);
    let listing = listing.output;
    let mut errors: Vec<Error> = listing.problems;

    let n = listing.reports.len();
    let bar = if n > 1 && std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(n as u64);
        if let Ok(style) =
            indicatif::ProgressStyle::with_template("reading {bar:30} {pos}/{len} {wide_msg}")
        {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let read = read_reports(&engine, &listing.reports, &settings, &|name| {
        bar.set_message(name.to_string());
        bar.inc(1);
    });
    bar.finish_and_clear();
    let read = match read {
        Ok(r) => r,
        Err(e) => return super::fail(&e),
    };
    let mut warnings = Vec::new();
    let mut reports = Vec::new();
    for r in read {
        match r {
            Ok(w) => reports.push(w.into_output(&mut warnings)),
            Err(e) => errors.push(e),
        }
    }
    super::warn(&warnings);
    for e in &errors {
        eprintln!("error: {e}");
    }
    if reports.is_empty() {
        eprintln!("error: no report could be read; nothing was written");
        return ExitCode::from(EXIT_INPUT);
    }

    let made = match summaries(&engine, &reports, &settings) {
        Ok(m) => m,
        Err(e) => return super::fail(&e),
    };
    super::warn(&made.warnings);
    let c = made.output;
    for (shown, e) in &c.left_out {
        eprintln!("error: {shown}: {e}; left out of the compilation");
    }
    let out = &settings.summaries.output;
    if let Err(source) = bpfpress::fsutil::write_atomic(out, &c.pdf) {
        return super::fail(&Error::from(WriteError {
            path: out.clone(),
            source,
        }));
    }
    for (k, s) in c.sections.iter().enumerate() {
        println!(
            "{}. {}: {} page{} from p. {} at {} pt, {} bullet{}; takeaways from {}",
            k + 1,
            s.shown,
            s.pages,
            if s.pages == 1 { "" } else { "s" },
            s.first_page,
            FIT_LEVELS[s.fit_level].size_pt,
            s.bullets,
            if s.bullets == 1 { "" } else { "s" },
            s.source
        );
    }
    eprintln!(
        "wrote {} ({} pages, {} report{})",
        out.display(),
        c.pages,
        c.sections.len(),
        if c.sections.len() == 1 { "" } else { "s" }
    );
    if errors.is_empty() && c.left_out.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_INPUT)
    }
}
