//! The labelled check corpus (`fixtures/check-corpus/<split>/labels.toml`)
//! and the agreement of `bpfpress check` with its labels. Shared by the
//! table-driven test (`tests/check_corpus.rs`) and the report command
//! (`cargo run --example check-agreement -- dev|holdout|all`).
//!
//! Hard rules (must hold on every document and format):
//! - a key element (1-3) is never *present* where the label says *missing*
//!   (placeholders, bait);
//! - a key element is never *missing* where the label says *present*;
//! - a document labelled `report = false` never passes and always carries
//!   the `not-a-report` finding; a report never carries it.

#![allow(dead_code)]

use bpfpress::check::{CheckOptions, CheckReport, Checklist, Verdict, check};
use bpfpress::ingest::{Limits, read_path};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Deserialize)]
pub struct Labels {
    #[serde(default, rename = "doc")]
    pub docs: Vec<Doc>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Doc {
    pub stem: String,
    pub formats: Vec<String>,
    pub report: bool,
    pub elements: Vec<String>,
    #[serde(default)]
    pub shape: String,
    #[serde(default)]
    pub why: BTreeMap<String, String>,
}

pub fn corpus_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/check-corpus")
}

/// The label folders of a split: `<split>/labels.toml` and any
/// `<split>/*/labels.toml` one level down (a helper's own drafts).
pub fn label_files(split: &str) -> Vec<PathBuf> {
    let dir = corpus_root().join(split);
    let mut out = Vec::new();
    if dir.join("labels.toml").is_file() {
        out.push(dir.join("labels.toml"));
    }
    if let Ok(rd) = std::fs::read_dir(&dir) {
        let mut subs: Vec<PathBuf> = rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("labels.toml").is_file())
            .map(|p| p.join("labels.toml"))
            .collect();
        subs.sort();
        out.extend(subs);
    }
    out
}

pub fn verdict(s: &str) -> Result<Verdict, String> {
    match s {
        "present" => Ok(Verdict::Present),
        "weak" => Ok(Verdict::Weak),
        "missing" => Ok(Verdict::Missing),
        other => Err(format!("unknown verdict {other:?}")),
    }
}

/// One checked file of the corpus.
#[derive(Debug, Clone)]
pub struct Case {
    pub split: String,
    pub stem: String,
    pub format: String,
    pub path: PathBuf,
    pub report: bool,
    pub shape: String,
    pub labels: Vec<Verdict>,
    /// `None` when the file could not be read (itself a failure).
    pub checked: Result<CheckReport, String>,
}

impl Case {
    pub fn name(&self) -> String {
        format!("{}/{}.{}", self.split, self.stem, self.format)
    }
    pub fn verdicts(&self) -> Vec<Verdict> {
        match &self.checked {
            Ok(r) => r.elements.iter().map(|e| e.verdict).collect(),
            Err(_) => Vec::new(),
        }
    }
    pub fn agree(&self) -> usize {
        self.verdicts()
            .iter()
            .zip(&self.labels)
            .filter(|(a, b)| a == b)
            .count()
    }
    /// The hard-rule violations, each a sentence.
    pub fn violations(&self) -> Vec<String> {
        let mut out = Vec::new();
        let r = match &self.checked {
            Ok(r) => r,
            Err(e) => return vec![format!("unreadable: {e}")],
        };
        let flagged = r.finding("not-a-report").is_some();
        if self.report {
            for (i, (got, want)) in self.verdicts().iter().zip(&self.labels).enumerate() {
                if i < 3 && *got == Verdict::Present && *want == Verdict::Missing {
                    out.push(format!(
                        "key element {} present over placeholders/bait ({})",
                        i + 1,
                        r.elements[i].reason
                    ));
                }
                if i < 3 && *got == Verdict::Missing && *want == Verdict::Present {
                    out.push(format!(
                        "key element {} missing although the draft has it ({})",
                        i + 1,
                        r.elements[i].reason
                    ));
                }
            }
            if flagged {
                out.push("a report called not a report".into());
            }
        } else {
            if r.summary.passed {
                out.push("a non-report passes".into());
            }
            if !flagged {
                out.push("a non-report not called one".into());
            }
        }
        out
    }
}

/// Read the labels of `split` and check every document in every format.
pub fn run(split: &str) -> Result<Vec<Case>, String> {
    run_with(split, &Checklist::builtin())
}

/// [`run`] with another checklist (the example's `--checklist FILE`, to
/// try a lexicon change without rebuilding).
pub fn run_with(split: &str, checklist: &Checklist) -> Result<Vec<Case>, String> {
    let limits = Limits::default();
    let opts = CheckOptions::default();
    let mut cases = Vec::new();
    for file in label_files(split) {
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let labels: Labels =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let dir = file.parent().unwrap_or(Path::new(".")).to_path_buf();
        for d in labels.docs {
            if d.elements.len() != 10 {
                return Err(format!(
                    "{}: {}: {} element labels, expected 10",
                    file.display(),
                    d.stem,
                    d.elements.len()
                ));
            }
            let want: Vec<Verdict> = d
                .elements
                .iter()
                .map(|s| verdict(s))
                .collect::<Result<_, _>>()
                .map_err(|e| format!("{}: {}: {e}", file.display(), d.stem))?;
            for fmt in &d.formats {
                let path = dir.join(format!("{}.{fmt}", d.stem));
                let checked = read_path(&path, &limits)
                    .map(|doc| check(&doc, checklist, &opts))
                    .map_err(|e| e.to_string());
                cases.push(Case {
                    split: split.to_string(),
                    stem: d.stem.clone(),
                    format: fmt.clone(),
                    path,
                    report: d.report,
                    shape: d.shape.clone(),
                    labels: want.clone(),
                    checked,
                });
            }
        }
    }
    Ok(cases)
}

/// Agreement figures over a set of cases.
#[derive(Debug, Default, Clone)]
pub struct Agreement {
    pub verdicts: usize,
    pub agree: usize,
    /// Per element (index 0-9): (agree, total).
    pub per_element: [(usize, usize); 10],
    /// Per format: (agree, total).
    pub per_format: BTreeMap<String, (usize, usize)>,
    /// (labelled, checked) → count, verdicts as "present"/"weak"/"missing".
    pub confusion: BTreeMap<(String, String), usize>,
    pub violations: Vec<(String, String)>,
}

impl Agreement {
    pub fn of(cases: &[Case]) -> Agreement {
        let mut a = Agreement::default();
        for c in cases {
            for v in c.violations() {
                a.violations.push((c.name(), v));
            }
            let got = c.verdicts();
            for (i, want) in c.labels.iter().enumerate() {
                let g = got.get(i).copied();
                let ok = g == Some(*want);
                a.verdicts += 1;
                a.agree += ok as usize;
                a.per_element[i].1 += 1;
                a.per_element[i].0 += ok as usize;
                let f = a.per_format.entry(c.format.clone()).or_default();
                f.1 += 1;
                f.0 += ok as usize;
                *a.confusion
                    .entry((
                        want.as_str().to_string(),
                        g.map(|v| v.as_str()).unwrap_or("unreadable").to_string(),
                    ))
                    .or_default() += 1;
            }
        }
        a
    }
    pub fn rate(&self) -> f64 {
        self.agree as f64 / self.verdicts.max(1) as f64
    }
    pub fn element_rate(&self, i: usize) -> f64 {
        let (a, t) = self.per_element[i];
        a as f64 / t.max(1) as f64
    }
}

fn pct(a: usize, t: usize) -> String {
    format!("{:.1} % ({a}/{t})", 100.0 * a as f64 / t.max(1) as f64)
}

/// The printed report: agreement per element, per format, the confusion
/// table, the hard-rule violations and per-document scores.
pub fn report(split: &str, cases: &[Case]) -> String {
    use std::fmt::Write;
    let a = Agreement::of(cases);
    let mut o = String::new();
    let docs: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.stem.as_str()).collect();
    let _ = writeln!(
        o,
        "# check agreement on `{split}`: {} documents, {} files, {} verdicts\n",
        docs.len(),
        cases.len(),
        a.verdicts
    );
    let _ = writeln!(o, "Overall agreement: {}\n", pct(a.agree, a.verdicts));
    let _ = writeln!(o, "| element | agreement |\n| --- | --- |");
    for (i, (ag, t)) in a.per_element.iter().enumerate() {
        let _ = writeln!(o, "| {} | {} |", i + 1, pct(*ag, *t));
    }
    let _ = writeln!(o, "\n| format | agreement |\n| --- | --- |");
    for (f, (ag, t)) in &a.per_format {
        let _ = writeln!(o, "| {f} | {} |", pct(*ag, *t));
    }
    let _ = writeln!(
        o,
        "\nConfusion (rows: labelled, columns: checked)\n\n| labelled \\ checked | present | weak | missing |\n| --- | --- | --- | --- |"
    );
    for want in ["present", "weak", "missing"] {
        let cell = |got: &str| {
            a.confusion
                .get(&(want.to_string(), got.to_string()))
                .copied()
                .unwrap_or(0)
        };
        let _ = writeln!(
            o,
            "| {want} | {} | {} | {} |",
            cell("present"),
            cell("weak"),
            cell("missing")
        );
    }
    let _ = writeln!(o, "\nHard-rule violations: {}", a.violations.len());
    for (n, v) in &a.violations {
        let _ = writeln!(o, "- {n}: {v}");
    }
    let _ = writeln!(
        o,
        "\nPer document (label/check for elements 1-10; ✓ agree)\n"
    );
    for c in cases {
        let got = c.verdicts();
        let mut cells = String::new();
        for (i, w) in c.labels.iter().enumerate() {
            let g = got.get(i).copied();
            let ch = |v: Verdict| match v {
                Verdict::Present => 'P',
                Verdict::Weak => 'W',
                Verdict::Missing => 'M',
            };
            if g == Some(*w) {
                let _ = write!(cells, " {}✓", ch(*w));
            } else {
                let _ = write!(cells, " {}/{}", ch(*w), g.map(ch).unwrap_or('?'));
            }
        }
        let _ = writeln!(
            o,
            "- {:<48} {:>2}/10 {}{}",
            c.name(),
            c.agree(),
            cells,
            if c.report { "" } else { "  (not a report)" }
        );
    }
    o
}
