//! The labelled check corpus (`fixtures/check-corpus/`, see its README) is
//! well formed: every `[[doc]]` of a split's `labels.toml` names files that
//! exist and read, gives ten verdicts from the three allowed, and every
//! draft file in the split's folder is labelled. The formats of one draft
//! carry the same text (word counts within 10 %). The development split also
//! keeps the shape the issue asks of it (enough reports, formats and real
//! non-reports; every verdict several times for every element).
//!
//! This checks the yardstick, not the checker: the agreement of `check` with
//! these labels is measured elsewhere.

use bpfpress::ingest::{Limits, read_path};
use bpfpress::model::count_words;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Labels {
    doc: Vec<Doc>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Doc {
    stem: String,
    formats: Vec<String>,
    report: bool,
    elements: Vec<String>,
    shape: String,
    #[serde(default)]
    why: BTreeMap<String, String>,
}

const FORMATS: [&str; 3] = ["md", "docx", "pdf"];
const VERDICTS: [&str; 3] = ["present", "weak", "missing"];

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/check-corpus")
}

fn load(split: &str) -> Option<Vec<Doc>> {
    let path = root().join(split).join("labels.toml");
    let text = std::fs::read_to_string(&path).ok()?;
    let labels: Labels =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(labels.doc)
}

fn words(path: &Path) -> usize {
    let doc = read_path(path, &Limits::default())
        .unwrap_or_else(|e| panic!("{} does not read: {e}", path.display()));
    doc.blocks
        .iter()
        .map(|b| count_words(&b.plain_text()))
        .sum()
}

/// Checks one split; returns its documents.
fn check_split(split: &str) -> Vec<Doc> {
    let Some(docs) = load(split) else {
        return Vec::new();
    };
    let dir = root().join(split);
    let mut stems = BTreeSet::new();
    let mut listed = BTreeSet::new();
    for d in &docs {
        let at = format!("{split}/labels.toml, stem {:?}", d.stem);
        assert!(
            !d.stem.is_empty() && !d.stem.contains('/') && !d.stem.contains('.'),
            "{at}: a stem is a bare file name without extension"
        );
        assert!(stems.insert(d.stem.clone()), "{at}: stem listed twice");
        assert!(!d.shape.trim().is_empty(), "{at}: empty shape");
        assert_eq!(d.elements.len(), 10, "{at}: ten verdicts, one per element");
        for v in &d.elements {
            assert!(VERDICTS.contains(&v.as_str()), "{at}: verdict {v:?}");
        }
        for k in d.why.keys() {
            let ok = k.parse::<usize>().is_ok_and(|n| (1..=10).contains(&n));
            assert!(ok, "{at}: why key {k:?} is not an element number 1..10");
        }
        assert!(!d.formats.is_empty(), "{at}: no formats");
        let fmts: BTreeSet<&str> = d.formats.iter().map(String::as_str).collect();
        assert_eq!(fmts.len(), d.formats.len(), "{at}: a format listed twice");
        let mut counts = Vec::new();
        for f in &d.formats {
            assert!(FORMATS.contains(&f.as_str()), "{at}: format {f:?}");
            let file = dir.join(format!("{}.{f}", d.stem));
            assert!(file.is_file(), "{at}: {} is missing", file.display());
            listed.insert(format!("{}.{f}", d.stem));
            counts.push((f.clone(), words(&file)));
        }
        let max = counts.iter().map(|c| c.1).max().unwrap_or(0);
        let min = counts.iter().map(|c| c.1).min().unwrap_or(0);
        assert!(min > 0, "{at}: a format reads as empty: {counts:?}");
        assert!(
            (max - min) * 10 <= max,
            "{at}: the formats do not carry the same text: {counts:?}"
        );
    }
    // Every draft file in the folder (not in subfolders) is labelled.
    for e in std::fs::read_dir(&dir).expect("split folder").flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let ext = name.rsplit_once('.').map(|(_, x)| x).unwrap_or("");
        if e.path().is_file()
            && FORMATS.contains(&ext)
            && name != "SOURCES.md"
            && name != "README.md"
        {
            assert!(
                listed.contains(&name),
                "{split}/{name} is not in {split}/labels.toml"
            );
        }
    }
    docs
}

#[test]
fn dev_split_is_well_formed_and_shaped_as_asked() {
    let docs = check_split("dev");
    let reports: Vec<&Doc> = docs.iter().filter(|d| d.report).collect();
    assert!(
        reports.len() >= 30,
        "{} report drafts (≥ 30 asked)",
        reports.len()
    );
    let multi = docs
        .iter()
        .filter(|d| d.formats.len() == 3 && d.report)
        .count();
    assert!(
        multi * 3 >= reports.len(),
        "{multi} drafts also as DOCX and PDF (a third asked)"
    );
    assert!(
        docs.iter().filter(|d| !d.report).count() >= 5,
        "at least five documents that are not BPF reports"
    );
    for (i, name) in (1..=10).zip([
        "issue",
        "method",
        "cases",
        "regional",
        "measures",
        "worked",
        "unintended",
        "unresolved",
        "insights",
        "next steps",
    ]) {
        for v in VERDICTS {
            let n = reports.iter().filter(|d| d.elements[i - 1] == v).count();
            assert!(
                n >= 3,
                "element {i} ({name}) is {v:?} in only {n} report drafts"
            );
        }
    }
}

#[test]
fn dev2_split_is_well_formed() {
    // Training drafts for the sentence model (2026-12-06), Markdown only.
    let docs = check_split("dev2");
    assert!(docs.len() >= 40 && docs.iter().all(|d| d.report));
}

#[test]
fn dev3_split_is_well_formed() {
    // The second round of training drafts, with key elements weak or
    // missing: every verdict occurs for element 3 and for element 5.
    let docs = check_split("dev3");
    assert!(docs.len() >= 40 && docs.iter().all(|d| d.report));
    for i in [3, 5] {
        for v in ["weak", "missing"] {
            assert!(
                docs.iter().any(|d| d.elements[i - 1] == v),
                "dev3: element {i} never {v}"
            );
        }
    }
}

#[test]
fn round5_training_splits_are_well_formed() {
    // Training drafts of round 5 (2026-12-06), Markdown only, with about a
    // third of the verdicts weak: every verdict occurs for elements 6-10.
    for split in [
        "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11",
    ] {
        let docs = check_split(split);
        assert!(docs.len() >= 12 && docs.iter().all(|d| d.report), "{split}");
        for i in 6..=10 {
            for v in ["present", "weak", "missing"] {
                assert!(
                    docs.iter().any(|d| d.elements[i - 1] == v),
                    "{split}: element {i} never {v}"
                );
            }
        }
    }
}

#[test]
fn held_out_splits_are_well_formed() {
    // Structure only: a held-out split's verdicts are read by the agreement
    // measurement, never by this test. holdout..holdout6 were each written
    // blind for one method's single measurement (README there); holdout7
    // was measured once with round 5 frozen at `e7f6bba`, then trained on.
    for split in [
        "holdout", "holdout2", "holdout3", "holdout4", "holdout5", "holdout6", "holdout7",
    ] {
        check_split(split);
    }
}

/// The shape the round-5 blind writers were asked for: 18+ reports, 4+
/// non-reports, 6+ drafts also as DOCX and PDF; and structure.
fn blind_split_is_shaped_as_asked(split: &str) {
    let docs = check_split(split);
    assert!(docs.iter().filter(|d| d.report).count() >= 18, "{split}");
    assert!(docs.iter().filter(|d| !d.report).count() >= 4, "{split}");
    assert!(
        docs.iter()
            .filter(|d| d.report && d.formats.len() == 3)
            .count()
            >= 6,
        "{split}"
    );
}

#[test]
fn round5_blind_splits_are_well_formed() {
    // holdout8 (written blind on 2026-12-06, measured once with round 5
    // frozen at `e7f6bba`, then trained on); holdout9 and holdout10
    // (measured once at `0e61905`, not trained on).
    for split in ["holdout8", "holdout9", "holdout10"] {
        blind_split_is_shaped_as_asked(split);
    }
}
