//! The labelled check corpus, table-driven (as pulldown-cmark's spec
//! tests): every document of `fixtures/check-corpus/{dev,holdout,holdout2,holdout3,holdout4}` in every
//! format it exists in is checked and compared with its labels. Each test
//! reports every failing document, not just the first.
//!
//! - Hard rules hold on every document and format (see
//!   `tests/support/corpus.rs`): no key element present over placeholders
//!   or bait, none missing where the draft has it, no non-report passing or
//!   left unnamed.
//! - Agreement per split stays above its floor: the figure measured when
//!   the method was last changed, minus a small margin (docs/check.md), so a
//!   regression fails.
//! - The `.md`, `.docx` and `.pdf` of one draft agree with each other.

mod support;
use std::sync::OnceLock;
use support::corpus::{self, Agreement, Case};

/// Floors (share of verdicts that agree with the labels): the figure
/// measured at the last change of the method, minus ~2.5 points, so a
/// regression fails. Figures and dates are in BENCHMARKS.md ("Check
/// agreement"). Round 3 (branch `check3`, frozen 2026-12-06 at `c3a71f4`):
/// dev 87.2 %, holdout 84.8 %, holdout2 91.2 %, holdout3 78.4 % — all four
/// tuned on by then, so these floors guard regressions; they are not
/// unseen figures.
const DEV_FLOOR: f64 = 0.85;
const HOLDOUT_FLOOR: f64 = 0.82;
const HOLDOUT2_FLOOR: f64 = 0.89;
/// holdout3 was measured once unseen (74.3 %, 2026-12-06, commit f1cfaf3);
/// round 3 tuned on it (78.4 %).
const HOLDOUT3_FLOOR: f64 = 0.76;

/// holdout4 was measured once, unseen, with the round-3 method frozen
/// (81.5 %, 0 hard-rule violations, 2026-12-06, commit c3a71f4): its floor
/// guards that figure, and its hard rules hold with no known exception.
const HOLDOUT4_FLOOR: f64 = 0.79;

/// The hard-rule violations holdout3 showed at its single unseen
/// measurement (BENCHMARKS.md), less those round 3 (branch `check3`, which
/// tuned on holdout3 as spent data) removed: the three formats of
/// community-radio-no-headings. The test fails on any new one, and on one
/// of these disappearing (then drop it from the list).
const HOLDOUT3_KNOWN_VIOLATIONS: &[&str] = &[
    "holdout3/scam-calls-enumeration.md: key element 3 present",
    "holdout3/disaster-mesh-coverage-table.pdf: key element 1 missing",
    "holdout3/prison-connectivity-synthesis.md: key element 1 present",
    "holdout3/workshop-session-report.md: a non-report not called one",
    "holdout3/workshop-session-report.docx: a non-report not called one",
    "holdout3/workshop-session-report.pdf: a non-report not called one",
];

/// The checked documents of one split, checked once per test process: the
/// three tests of a split share them.
fn cases(split: &str) -> &'static [Case] {
    static SPLITS: [(&str, OnceLock<Vec<Case>>); 5] = [
        ("dev", OnceLock::new()),
        ("holdout", OnceLock::new()),
        ("holdout2", OnceLock::new()),
        ("holdout3", OnceLock::new()),
        ("holdout4", OnceLock::new()),
    ];
    let (_, cell) = SPLITS
        .iter()
        .find(|(s, _)| *s == split)
        .unwrap_or_else(|| panic!("unknown split {split}"));
    cell.get_or_init(|| {
        let c = corpus::run(split).unwrap_or_else(|e| panic!("corpus {split}: {e}"));
        assert!(
            !c.is_empty(),
            "fixtures/check-corpus/{split}: no labelled document"
        );
        c
    })
}

/// Every hard-rule violation of `cases`, named by file.
fn violations(cases: &[Case]) -> Vec<String> {
    cases
        .iter()
        .flat_map(|c| {
            c.violations()
                .into_iter()
                .map(move |v| format!("{}: {v}", c.name()))
        })
        .collect()
}

fn hard_rules(cases: &[Case]) {
    let bad = violations(cases);
    assert!(
        bad.is_empty(),
        "{} hard-rule violation(s):\n{}",
        bad.len(),
        bad.join("\n")
    );
}

fn floor(split: &str, cases: &[Case], floor: f64) {
    let a = Agreement::of(cases);
    assert!(
        a.rate() >= floor,
        "agreement on {split} fell to {:.1} % (floor {:.1} %):\n{}",
        100.0 * a.rate(),
        100.0 * floor,
        corpus::report(split, cases)
    );
}

/// One draft's formats give the same verdicts (Markdown is the reference).
fn formats_agree(cases: &[Case]) {
    let mut bad = Vec::new();
    for c in cases.iter().filter(|c| c.format != "md") {
        if let Some(md) = cases
            .iter()
            .find(|m| m.stem == c.stem && m.split == c.split && m.format == "md")
        {
            let (a, b) = (md.verdicts(), c.verdicts());
            let differ: Vec<String> = a
                .iter()
                .zip(&b)
                .enumerate()
                .filter(|(_, (x, y))| x != y)
                .map(|(i, (x, y))| format!("{} {}→{}", i + 1, x.as_str(), y.as_str()))
                .collect();
            if !differ.is_empty() {
                bad.push(format!("{} vs md: {}", c.name(), differ.join(", ")));
            }
        }
    }
    // A few differences are tolerated (PDF loses list structure and heading
    // levels); more mean a format reader or the method regressed.
    let total = cases.iter().filter(|c| c.format != "md").count();
    assert!(
        bad.len() * 4 <= total.max(1),
        "{} of {total} non-Markdown files disagree with their Markdown:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn dev_hard_rules() {
    hard_rules(cases("dev"));
}

#[test]
fn dev_agreement_floor() {
    floor("dev", cases("dev"), DEV_FLOOR);
}

#[test]
fn dev_formats_agree() {
    formats_agree(cases("dev"));
}

#[test]
fn holdout_hard_rules() {
    hard_rules(cases("holdout"));
}

#[test]
fn holdout_agreement_floor() {
    floor("holdout", cases("holdout"), HOLDOUT_FLOOR);
}

#[test]
fn holdout_formats_agree() {
    formats_agree(cases("holdout"));
}

#[test]
fn holdout2_hard_rules() {
    hard_rules(cases("holdout2"));
}

#[test]
fn holdout2_agreement_floor() {
    floor("holdout2", cases("holdout2"), HOLDOUT2_FLOOR);
}

#[test]
fn holdout2_formats_agree() {
    formats_agree(cases("holdout2"));
}

#[test]
fn holdout3_hard_rules_as_measured() {
    let got = violations(cases("holdout3"));
    let new: Vec<&String> = got
        .iter()
        .filter(|v| !HOLDOUT3_KNOWN_VIOLATIONS.iter().any(|k| v.starts_with(k)))
        .collect();
    assert!(new.is_empty(), "new hard-rule violation(s): {new:#?}");
    let gone: Vec<&&str> = HOLDOUT3_KNOWN_VIOLATIONS
        .iter()
        .filter(|k| !got.iter().any(|v| v.starts_with(**k)))
        .collect();
    assert!(
        gone.is_empty(),
        "known violation(s) no longer there, drop them from the list: {gone:#?}"
    );
}

#[test]
fn holdout3_agreement_floor() {
    floor("holdout3", cases("holdout3"), HOLDOUT3_FLOOR);
}

#[test]
fn holdout3_formats_agree() {
    formats_agree(cases("holdout3"));
}

#[test]
fn holdout4_hard_rules() {
    hard_rules(cases("holdout4"));
}

#[test]
fn holdout4_agreement_floor() {
    floor("holdout4", cases("holdout4"), HOLDOUT4_FLOOR);
}

#[test]
fn holdout4_formats_agree() {
    formats_agree(cases("holdout4"));
}
