//! `bpfpress init`: scaffold a project folder (bpf.toml, a sample
//! recipients file, a copy of the templates to customise).

use super::EXIT_INPUT;
use bpfpress::mail::{Language, MailText};
use bpfpress::render::world::BUILTIN_TEMPLATES;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Create a project folder for `bpfpress build`: a commented bpf.toml, a
/// sample recipients.csv and templates/ (a copy of the bundled templates to
/// customise, with the mail texts mail.en|fr|es.txt). Existing files are left alone unless --force.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    bpfpress init my-bpf --report ../drafts/bpf-cybersecurity-2025.docx\n  \
    bpfpress init . --force       # rewrite the scaffold files in the current folder\n\n\
    Then edit my-bpf/bpf.toml and my-bpf/recipients.csv, and run `bpfpress build my-bpf`.")]
pub struct Args {
    /// Folder to create (or fill).
    #[arg(value_name = "DIR")]
    dir: PathBuf,
    /// The report, as written into bpf.toml (relative to DIR). Default: report.docx.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Overwrite files that already exist.
    #[arg(long)]
    force: bool,
}

const SAMPLE_RECIPIENTS: &str = "\
organisation,contact_name,contact_title,email,address1,address2,address3,country,language,salutation,notes
Example Ministry of Digital Affairs,Jane Doe,Ms,jane.doe@ministry.example.org,1 Example Street,1000 Example City,,Exampleland,en,,Replace these rows with the institutions to receive the report
Exemple d'institution,Jean Dupont,Monsieur le Directeur,j.dupont@institution.example.org,2 rue de l'Exemple,75000 Paris,,France,fr,,Language: en fr or es
";

fn project_toml(report: &Path) -> String {
    let report = report
        .to_string_lossy()
        .replace('\\', "/")
        .replace('"', "\\\"");
    format!(
        r#"# bpfpress project file: `bpfpress build` reads it.
# Paths are relative to this file's folder.

[bpf]
name = "BPF on Example Topic"       # the Best Practice Forum's name
year = 2025                         # the IGF year

[report]
path = "{report}"                   # the final report: DOCX, PDF or Markdown
url = "https://www.intgovforum.org/" # where the report is published (letters, QR code)
meeting_date = "2025-06-23"         # IGF annual meeting: drafts are due six weeks before
# editors = ["First Editor", "Second Editor"]   # overrides the draft's own
# takeaways = "takeaways.md"        # when the report has no takeaways section

[signatory]                         # signs the cover letters on behalf of the BPF
name = "Your Name"
role = "BPF coordinator"

[recipients]
file = "recipients.csv"             # CSV, TOML or JSON; see the sample

[output]
dir = "dist"                        # every output goes here
standard = "pdf-ua-1"               # none | pdf-ua-1 | pdf-a-2b
paper = "a4"                        # a4 | letter
templates = "templates"             # remove to use the bundled templates

[smtp]                              # the sender of the .eml mailings; delivery only with --send
host = "smtp.example.org"
port = 587
tls = "starttls"                    # none | starttls | tls
user = "bpf@example.org"
password_env = "BPFPRESS_SMTP_PASSWORD"   # never put the password itself in this file
from = "IGF Secretariat <igf@example.org>"
"#
    )
}

pub fn run(args: Args) -> ExitCode {
    let report = args
        .report
        .clone()
        .unwrap_or_else(|| PathBuf::from("report.docx"));
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (
            PathBuf::from(bpfpress::project::PROJECT_FILE),
            project_toml(&report).into_bytes(),
        ),
        (
            PathBuf::from("recipients.csv"),
            SAMPLE_RECIPIENTS.as_bytes().to_vec(),
        ),
    ];
    for (path, text) in BUILTIN_TEMPLATES {
        files.push((
            Path::new("templates").join(path.trim_start_matches('/')),
            text.as_bytes().to_vec(),
        ));
    }
    // The mail texts, in the form `MailText::load_dir` reads back.
    for lang in [Language::En, Language::Fr, Language::Es] {
        let t = MailText::default_for(lang);
        files.push((
            Path::new("templates").join(format!("mail.{}.txt", lang.code())),
            format!("Subject: {}\n\n{}", t.subject, t.body).into_bytes(),
        ));
    }
    let existing: Vec<String> = files
        .iter()
        .map(|(p, _)| args.dir.join(p))
        .filter(|p| p.exists())
        .map(|p| p.display().to_string())
        .collect();
    if !existing.is_empty() && !args.force {
        eprintln!(
            "error: {} file(s) already exist; nothing was written (use --force to overwrite):\n  {}",
            existing.len(),
            existing.join("\n  ")
        );
        return ExitCode::from(EXIT_INPUT);
    }
    for (rel, bytes) in &files {
        let p = args.dir.join(rel);
        let written = match p.parent() {
            Some(parent) => std::fs::create_dir_all(parent),
            None => Ok(()),
        }
        .and_then(|_| bpfpress::fsutil::write_atomic(&p, bytes));
        if let Err(e) = written {
            eprintln!("error: {}: {e}", p.display());
            return ExitCode::from(EXIT_INPUT);
        }
    }
    eprintln!(
        "created {} ({} files): edit bpf.toml and recipients.csv, then run `bpfpress build {}`",
        args.dir.display(),
        files.len(),
        args.dir.display()
    );
    let report_abs = args.dir.join(&report);
    if !report_abs.exists() {
        eprintln!(
            "note: the report {} does not exist yet; put it there or change [report] path",
            report_abs.display()
        );
    }
    ExitCode::SUCCESS
}
