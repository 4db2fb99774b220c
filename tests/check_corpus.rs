//! The labelled check corpus, table-driven (as pulldown-cmark's spec
//! tests): every document of the labelled splits of `fixtures/check-corpus/` in every
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

/// The splits, their floors and their known hard-rule violations.
///
/// Floors (share of verdicts that agree with the labels) are the figure
/// measured at the last change of the method, minus ~2.5 points, so a
/// regression fails. Figures and dates are in BENCHMARKS.md ("Check
/// agreement"). Round 4 (the sentence model, 2026-12-06): every split
/// below has been tuned on — its sentences annotated and trained on — so
/// these floors guard regressions; they are not unseen figures. The
/// unseen ones, each measured once with the method frozen: holdout3 74.3 %
/// (round 2), holdout4 81.5 % (round 3), holdout5 84.3 % (round 4, at
/// `f00832f`; 87.4 % once trained on), holdout6 84.8 % (round 4 trained on
/// holdout5, at `9c00b77`; not trained on).
///
/// Known violations are those a split shows with the method as it is; the
/// test fails on any new one, and on one of these disappearing (then drop
/// it from the list).
struct Split {
    name: &'static str,
    floor: f64,
    known_violations: &'static [&'static str],
}

const SPLITS: &[Split] = &[
    Split {
        name: "dev",
        floor: 0.88,
        known_violations: &[],
    },
    // Written to vary the elements' wording (training data for the
    // sentence model); the lexicons alone agreed on 72.1 %.
    Split {
        name: "dev2",
        floor: 0.93,
        known_violations: &[],
    },
    // 85.4 % before it was trained on (the lexicons alone: 71.9 %). Its
    // two violations are the BPF's own proposals under "good practices"
    // read as collected cases.
    Split {
        name: "dev3",
        floor: 0.90,
        known_violations: &[
            "dev3/u2-data-trusts.md: key element 3 present",
            "dev3/u4-operator-ewaste.md: key element 3 present",
        ],
    },
    Split {
        name: "holdout",
        floor: 0.89,
        known_violations: &[],
    },
    Split {
        name: "holdout2",
        floor: 0.89,
        known_violations: &[],
    },
    // Measured once unseen (74.3 %, 9 violations, round 2); these remain.
    Split {
        name: "holdout3",
        floor: 0.81,
        known_violations: &[
            "holdout3/scam-calls-enumeration.md: key element 3 present",
            "holdout3/workshop-session-report.md: a non-report not called one",
            "holdout3/workshop-session-report.docx: a non-report not called one",
            "holdout3/workshop-session-report.pdf: a non-report not called one",
        ],
    },
    Split {
        name: "holdout4",
        floor: 0.84,
        known_violations: &[],
    },
    Split {
        name: "holdout5",
        floor: 0.85,
        known_violations: &[],
    },
    // Measured once unseen with round 4 frozen (`9c00b77`): 84.8 %, these
    // ten violations. Not trained on.
    Split {
        name: "holdout6",
        floor: 0.82,
        known_violations: &[
            "holdout6/ewaste-zero-draft.md: key element 1 present",
            "holdout6/ewaste-zero-draft.docx: key element 1 present",
            "holdout6/ewaste-zero-draft.pdf: key element 1 present",
            "holdout6/leo-satellite-baited.md: key element 2 present",
            "holdout6/leo-satellite-baited.docx: key element 2 present",
            "holdout6/leo-satellite-baited.pdf: key element 2 present",
            "holdout6/disaster-geodata-bold.md: key element 3 missing",
            "holdout6/minutes-planning-call.md: a non-report not called one",
            "holdout6/minutes-planning-call.docx: a non-report not called one",
            "holdout6/minutes-planning-call.pdf: a non-report not called one",
        ],
    },
];

fn split(name: &str) -> &'static Split {
    SPLITS
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("unknown split {name}"))
}

/// The checked documents of one split, checked once per test process: the
/// three tests of a split share them.
fn cases(name: &str) -> &'static [Case] {
    static CELLS: [OnceLock<Vec<Case>>; 9] = [const { OnceLock::new() }; 9];
    let i = SPLITS
        .iter()
        .position(|s| s.name == name)
        .unwrap_or_else(|| panic!("unknown split {name}"));
    CELLS[i].get_or_init(|| {
        let c = corpus::run(name).unwrap_or_else(|e| panic!("corpus {name}: {e}"));
        assert!(
            !c.is_empty(),
            "fixtures/check-corpus/{name}: no labelled document"
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

/// The hard rules hold on every document of the split, except its known
/// violations (which must still be there).
fn hard_rules(name: &str) {
    let known = split(name).known_violations;
    let got = violations(cases(name));
    let new: Vec<&String> = got
        .iter()
        .filter(|v| !known.iter().any(|k| v.starts_with(k)))
        .collect();
    assert!(
        new.is_empty(),
        "{} new hard-rule violation(s):\n{}",
        new.len(),
        new.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    let gone: Vec<&&str> = known
        .iter()
        .filter(|k| !got.iter().any(|v| v.starts_with(**k)))
        .collect();
    assert!(
        gone.is_empty(),
        "known violation(s) no longer there, drop them from the list: {gone:#?}"
    );
}

fn floor(name: &str) {
    let (cases, floor) = (cases(name), split(name).floor);
    let a = Agreement::of(cases);
    assert!(
        a.rate() >= floor,
        "agreement on {name} fell to {:.1} % (floor {:.1} %):\n{}",
        100.0 * a.rate(),
        100.0 * floor,
        corpus::report(name, cases)
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
    hard_rules("dev");
}

#[test]
fn dev_agreement_floor() {
    floor("dev");
}

#[test]
fn dev_formats_agree() {
    formats_agree(cases("dev"));
}

#[test]
fn dev2_hard_rules() {
    hard_rules("dev2");
}

#[test]
fn dev2_agreement_floor() {
    floor("dev2");
}

#[test]
fn dev2_formats_agree() {
    formats_agree(cases("dev2"));
}

#[test]
fn dev3_hard_rules() {
    hard_rules("dev3");
}

#[test]
fn dev3_agreement_floor() {
    floor("dev3");
}

#[test]
fn dev3_formats_agree() {
    formats_agree(cases("dev3"));
}

#[test]
fn holdout_hard_rules() {
    hard_rules("holdout");
}

#[test]
fn holdout_agreement_floor() {
    floor("holdout");
}

#[test]
fn holdout_formats_agree() {
    formats_agree(cases("holdout"));
}

#[test]
fn holdout2_hard_rules() {
    hard_rules("holdout2");
}

#[test]
fn holdout2_agreement_floor() {
    floor("holdout2");
}

#[test]
fn holdout2_formats_agree() {
    formats_agree(cases("holdout2"));
}

#[test]
fn holdout3_hard_rules() {
    hard_rules("holdout3");
}

#[test]
fn holdout3_agreement_floor() {
    floor("holdout3");
}

#[test]
fn holdout3_formats_agree() {
    formats_agree(cases("holdout3"));
}

#[test]
fn holdout4_hard_rules() {
    hard_rules("holdout4");
}

#[test]
fn holdout4_agreement_floor() {
    floor("holdout4");
}

#[test]
fn holdout4_formats_agree() {
    formats_agree(cases("holdout4"));
}

#[test]
fn holdout5_hard_rules() {
    hard_rules("holdout5");
}

#[test]
fn holdout5_agreement_floor() {
    floor("holdout5");
}

#[test]
fn holdout5_formats_agree() {
    formats_agree(cases("holdout5"));
}

#[test]
fn holdout6_hard_rules() {
    hard_rules("holdout6");
}

#[test]
fn holdout6_agreement_floor() {
    floor("holdout6");
}

#[test]
fn holdout6_formats_agree() {
    formats_agree(cases("holdout6"));
}
