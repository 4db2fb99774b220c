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
/// agreement"). Round 5 (2026-12-06): every split below has been tuned on
/// — its sentences annotated and trained on — so these floors guard
/// regressions; they are not unseen figures. The unseen ones, each
/// measured once with the method frozen: holdout3 74.3 % (round 2),
/// holdout4 81.5 % (round 3), holdout5 84.3 % (round 4, at `f00832f`),
/// holdout6 84.8 % (round 4 trained on holdout5, at `9c00b77`), holdout7
/// 77.2 % and holdout8 80.9 % (round 5, at `e7f6bba`; then trained on),
/// holdout9 81.7 % and holdout10 81.5 % (round 5 retrained, at `0e61905`;
/// not trained on). Details in BENCHMARKS.md.
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
    // violation is the BPF's own proposals under "good practices" read as
    // collected cases.
    Split {
        name: "dev3",
        floor: 0.91,
        known_violations: &["dev3/u4-operator-ewaste.md: key element 3 present"],
    },
    // Training drafts of round 5 (2026-12-06): judgements in the drafts'
    // own words, a third of the verdicts weak.
    Split {
        name: "dev4",
        floor: 0.93,
        known_violations: &[],
    },
    Split {
        name: "dev5",
        floor: 0.90,
        known_violations: &[],
    },
    Split {
        name: "dev6",
        floor: 0.88,
        known_violations: &[],
    },
    Split {
        name: "dev7",
        floor: 0.91,
        known_violations: &[],
    },
    // Ordinary drafts (round 5). Its violations: the forum's own mailing
    // list and webinars read as methodology over a zero draft and over
    // meeting dates.
    Split {
        name: "dev8",
        floor: 0.91,
        known_violations: &[
            "dev8/zero-mesh-disaster-response.md: key element 2 present",
            "dev8/ewaste-refurbished-devices.md: key element 2 present",
        ],
    },
    // Its violation: the forum's history ('proposed at the open
    // consultation') read as its methodology in a zero draft.
    Split {
        name: "dev9",
        floor: 0.88,
        known_violations: &["dev9/d9-zero-ai-public-services.md: key element 2 present"],
    },
    Split {
        name: "dev10",
        floor: 0.91,
        known_violations: &[],
    },
    Split {
        name: "dev11",
        floor: 0.82,
        known_violations: &[],
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
        floor: 0.80,
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
    // 84.8 % unseen (round 4, at `9c00b77`); then annotated and trained on.
    // Its violations: a mailing-list sentence under a baited heading read
    // as methodology, and minutes of a planning call.
    Split {
        name: "holdout6",
        floor: 0.87,
        known_violations: &[
            "holdout6/leo-satellite-baited.md: key element 2 present",
            "holdout6/leo-satellite-baited.docx: key element 2 present",
            "holdout6/leo-satellite-baited.pdf: key element 2 present",
            "holdout6/minutes-planning-call.md: a non-report not called one",
            "holdout6/minutes-planning-call.docx: a non-report not called one",
            "holdout6/minutes-planning-call.pdf: a non-report not called one",
        ],
    },
    // Measured once unseen with round 5 frozen at `e7f6bba` (77.2 %, 13
    // violations; BENCHMARKS.md), then annotated and trained on.
    Split {
        name: "holdout7",
        floor: 0.85,
        known_violations: &[
            "holdout7/iot-labels-terse.md: key element 3 missing",
            "holdout7/iot-labels-terse.docx: key element 3 missing",
            "holdout7/iot-labels-terse.pdf: key element 3 missing",
        ],
    },
    // Measured once unseen with round 5 frozen at `e7f6bba` (80.9 %, 5
    // violations), then annotated and trained on.
    Split {
        name: "holdout8",
        floor: 0.85,
        known_violations: &[
            "holdout8/minutes-drafting-call.md: a non-report not called one",
            "holdout8/minutes-drafting-call.docx: a non-report not called one",
            "holdout8/minutes-drafting-call.pdf: a non-report not called one",
            "holdout8/public-wifi-survey-chapter.md: key element 1 present",
        ],
    },
    // Measured once unseen with round 5 retrained (frozen at `0e61905`):
    // 81.7 %, these violations. Annotated, not trained on.
    Split {
        name: "holdout9",
        floor: 0.79,
        known_violations: &[
            "holdout9/heritage-archives-zero.md: key element 3 present",
            "holdout9/heritage-archives-zero.docx: key element 3 present",
            "holdout9/heritage-archives-zero.pdf: key element 3 present",
            "holdout9/vulnerability-disclosure.md: key element 2 present",
            "holdout9/vulnerability-disclosure.docx: key element 2 present",
            "holdout9/vulnerability-disclosure.pdf: key element 2 present",
            "holdout9/consumer-odr.md: key element 3 present",
            "holdout9/minutes-seafarers-kickoff.md: a non-report not called one",
        ],
    },
    // Measured once unseen with round 5 retrained (frozen at `0e61905`):
    // 81.5 %, these violations. Annotated, not trained on.
    Split {
        name: "holdout10",
        floor: 0.79,
        known_violations: &[
            "holdout10/sports-piracy-zero.md: key element 2 present",
            "holdout10/sports-piracy-zero.docx: key element 2 present",
            "holdout10/sports-piracy-zero.pdf: key element 2 present",
            "holdout10/loot-boxes-baited.md: key element 3 present",
            "holdout10/loot-boxes-baited.docx: key element 3 present",
            "holdout10/loot-boxes-baited.pdf: key element 3 present",
            "holdout10/cross-border-odr.md: key element 3 missing",
            "holdout10/live-captioning.md: key element 3 present",
            "holdout10/prison-internet.md: key element 2 present",
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
    static CELLS: [OnceLock<Vec<Case>>; SPLITS.len()] = [const { OnceLock::new() }; SPLITS.len()];
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

// Three tests per split, named `<split>::hard_rules`, `<split>::agreement_floor`
// and `<split>::formats_agree`.
macro_rules! split_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn hard_rules() {
                super::hard_rules(stringify!($name));
            }

            #[test]
            fn agreement_floor() {
                super::floor(stringify!($name));
            }

            #[test]
            fn formats_agree() {
                super::formats_agree(super::cases(stringify!($name)));
            }
        }
    )*};
}

split_tests!(
    dev, dev2, dev3, dev4, dev5, dev6, dev7, dev8, dev9, dev10, dev11, holdout, holdout2, holdout3,
    holdout4, holdout5, holdout6, holdout7, holdout8, holdout9, holdout10,
);
