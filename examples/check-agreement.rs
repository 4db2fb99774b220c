//! How far `bpfpress check` agrees with a careful reader on the labelled
//! corpus (`fixtures/check-corpus/`):
//!
//!   cargo run -q --example check-agreement -- SPLIT|all [--why STEM] [--checklist FILE]
//!
//! SPLIT is a folder of `fixtures/check-corpus/` (dev, dev2, dev3, holdout, …
//! holdout6); `all` is every tuning split (all but holdout6).
//!
//! Prints agreement per element and per format, the confusion table
//! (labelled × checked), the hard-rule violations and per-document scores.
//! `--why STEM` also prints the check's reasons for that document's
//! disagreements (`*` for every document). `--checklist FILE` uses another
//! checklist than the built-in one (to try a lexicon change without
//! rebuilding).

#[path = "../tests/support/corpus.rs"]
mod corpus;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let split = args.first().map(String::as_str).unwrap_or("dev");
    let why = args
        .iter()
        .position(|a| a == "--why")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let checklist = match args.iter().position(|a| a == "--checklist") {
        Some(i) => match args
            .get(i + 1)
            .map(|p| bpfpress::check::Checklist::load(p.as_ref()))
        {
            Some(Ok(c)) => c,
            Some(Err(e)) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::from(2);
            }
            None => {
                eprintln!("error: --checklist needs a file");
                return std::process::ExitCode::from(2);
            }
        },
        None => bpfpress::check::Checklist::builtin(),
    };
    // The tuning splits; a held-out split is named on its own.
    const TUNING: [&str; 19] = [
        "dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11",
        "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "holdout7",
        "holdout8",
    ];
    let splits: Vec<&str> = match split {
        "all" => TUNING.to_vec(),
        other
            if !other.is_empty()
                && !other.contains(['/', '\\', '.'])
                && std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("fixtures/check-corpus")
                    .join(other)
                    .join("labels.toml")
                    .is_file() =>
        {
            vec![other]
        }
        other => {
            eprintln!(
                "error: unknown split {other:?}; use a folder of fixtures/check-corpus/ with a labels.toml ({}) or all",
                TUNING.join(", ")
            );
            return std::process::ExitCode::from(2);
        }
    };
    let mut all = Vec::new();
    for s in &splits {
        match corpus::run_with(s, &checklist) {
            Ok(c) => all.extend(c),
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    print!("{}", corpus::report(split, &all));
    if let Some(stem) = why {
        for c in all.iter().filter(|c| c.stem == stem || stem == "*") {
            let Ok(r) = &c.checked else { continue };
            println!("\n## {}", c.name());
            for (e, want) in r.elements.iter().zip(&c.labels) {
                if e.verdict != *want {
                    println!(
                        "- {} label {} got {}: {}",
                        e.id,
                        want.as_str(),
                        e.verdict.as_str(),
                        e.reason
                    );
                }
            }
            if let Some(f) = r.finding("not-a-report") {
                println!("- not-a-report: {}", f.message);
            }
        }
    }
    std::process::ExitCode::SUCCESS
}
