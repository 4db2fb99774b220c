//! `bpfpress init`: scaffold a project folder (bpf.toml, a sample
//! recipients file, a copy of the templates to customise).

use super::EXIT_INPUT;
use bpfpress::mail::{Language, MailText};
use bpfpress::render::world::BUILTIN_TEMPLATES;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Create a project folder for `bpfpress build`: a commented bpf.toml, a
/// sample recipients.csv and templates/ (a copy of the bundled templates to
/// customise, with the mail texts mail.<language>.txt for the six UN
/// languages). With --report, the BPF name, IGF year and report title are
/// taken from the draft; no meeting date is invented. Existing files are
/// left alone unless --force.
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
Exemple d'institution,Jean Dupont,Monsieur le Directeur,j.dupont@institution.example.org,2 rue de l'Exemple,75000 Paris,,France,fr,,Language: ar zh en fr ru or es
";

/// What `init` learns from the draft for bpf.toml.
#[derive(Debug, Default)]
struct FromDraft {
    /// The BPF's name, when the title names it ("BPF on Cybersecurity").
    bpf_name: Option<String>,
    title: Option<String>,
    date: Option<String>,
    year: Option<u16>,
}

/// Title, date and IGF year of the draft at `path`, if it can be read.
fn from_draft(path: &Path) -> Option<FromDraft> {
    let doc = bpfpress::ingest::read_path(path, &bpfpress::ingest::Limits::default()).ok()?;
    let title = doc.meta.title.clone().filter(|t| !t.trim().is_empty());
    let year = bpfpress::render::data::igf_year(&doc).and_then(|y| y.parse().ok());
    Some(FromDraft {
        bpf_name: title.as_deref().and_then(bpf_name_in),
        title,
        date: doc.meta.date.clone(),
        year,
    })
}

/// "BPF on X" / "Best Practice Forum on X" named in a title.
fn bpf_name_in(title: &str) -> Option<String> {
    let re = regex::Regex::new(
        r"(?i)\b(BPF|Best Practice Forum) on ([^:;,.()“”\x22«»]+?)\s*(?:$|[:;,.()“”\x22«»]| - | – )",
    )
    .ok()?;
    let c = re.captures(title)?;
    let topic = c.get(2)?.as_str().trim();
    let kind = c.get(1)?.as_str();
    (!topic.is_empty()).then(|| format!("{kind} on {topic}"))
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn project_toml(report: &Path, draft: Option<&FromDraft>, this_year: i32) -> String {
    let report = toml_str(&report.to_string_lossy().replace('\\', "/"));
    let (name, name_note) = match draft {
        Some(FromDraft {
            bpf_name: Some(n), ..
        }) => (toml_str(n), "# from the draft's title"),
        Some(FromDraft { title: Some(t), .. }) => (
            toml_str(t),
            "# the draft's title: shorten it to the BPF's name",
        ),
        _ => (
            toml_str("BPF on Example Topic"),
            "# the Best Practice Forum's name",
        ),
    };
    let (year, year_note) = match draft.and_then(|d| d.year) {
        Some(y) => (y.to_string(), "# the IGF year, from the draft"),
        None => (this_year.to_string(), "# the IGF year"),
    };
    let mut about = String::new();
    if let Some(d) = draft {
        about.push_str(&format!(
            "# Read from the draft: title {}, date {}.\n",
            d.title
                .as_deref()
                .map(toml_str)
                .unwrap_or_else(|| "(none)".into()),
            d.date.as_deref().unwrap_or("(none)")
        ));
    }
    format!(
        r#"# bpfpress project file: `bpfpress build` reads it.
# Paths are relative to this file's folder.
{about}
[bpf]
name = {name}       {name_note}
year = {year}                         {year_note}

[report]
path = {report}                   # the final report: DOCX, PDF or Markdown
url = "https://www.intgovforum.org/" # CHANGE: where the report is published (letters, QR code); `build --send` refuses this generic address
# meeting_date = "YYYY-MM-DD"       # the IGF annual meeting: the check then tells whether the draft was published six weeks before
# editors = ["First Editor", "Second Editor"]   # overrides the draft's own
# takeaways = "takeaways.md"        # when the report has no takeaways section

[signatory]                         # signs the cover letters on behalf of the BPF
name = "Your Name"                  # CHANGE: `build --send` refuses this sample
role = "BPF coordinator"

[recipients]
file = "recipients.csv"             # CSV, TOML or JSON; CHANGE the two sample rows

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
    // Title, date and year come from the draft when it is there; no
    // meeting date is invented (a made-up one makes the check call a draft
    // months late).
    let report_abs = args.dir.join(&report);
    let draft = if report_abs.is_file() {
        from_draft(&report_abs)
    } else {
        None
    };
    let this_year = super::clock().map(|c| c.today().year).unwrap_or(2025);
    let mut files: Vec<(PathBuf, Vec<u8>)> = vec![
        (
            PathBuf::from(bpfpress::project::PROJECT_FILE),
            project_toml(&report, draft.as_ref(), this_year).into_bytes(),
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
    for lang in Language::ALL {
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
    match &draft {
        Some(d) => eprintln!(
            "from the draft: title {}, date {}, IGF year {}",
            d.title.as_deref().unwrap_or("(none)"),
            d.date.as_deref().unwrap_or("(none)"),
            d.year
                .map(|y| y.to_string())
                .unwrap_or_else(|| "(not found)".into())
        ),
        None if report_abs.exists() => eprintln!(
            "note: {} could not be read; bpf.toml has placeholders to fill in",
            report_abs.display()
        ),
        None => {}
    }
    eprintln!(
        "before sending: set [signatory], [report] url and recipients.csv — \
         `bpfpress build --send` refuses init's samples and the generic URL"
    );
    if !report_abs.exists() {
        eprintln!(
            "note: the report {} does not exist yet; put it there or change [report] path",
            report_abs.display()
        );
    }
    ExitCode::SUCCESS
}
