//! The check's sentence model and its training data.
//!
//! The model is trained in Python (`fixtures/check-corpus/sentences/train.py`)
//! and read in Rust (`src/check/sentences.rs`): both must read a sentence
//! the same way, or the weights mean something else at run time. The
//! annotations it is trained on must be well formed.

mod support;

use bpfpress::check::sentences::{Context, SentenceModel, features};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn sentences_dir() -> PathBuf {
    support::fixture("check-corpus/sentences")
}

/// The annotated splits, from the folders next to `train.py`.
fn annotated_splits() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(sentences_dir())
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            e.file_type()
                .unwrap()
                .is_dir()
                .then(|| e.file_name().to_string_lossy().into_owned())
        })
        .filter(|n| !n.starts_with('_') && !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

/// `(sentence, heading, previous, position)` for every annotated sentence
/// of `split`, with the context `train.py` gives it (the previous sentence
/// only approximated: the one before in the file, when not a heading).
fn annotated(split: &str) -> Vec<(String, String, String, f32)> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(sentences_dir().join(split))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let total = text
            .lines()
            .filter(|l| !l.starts_with("H\t"))
            .count()
            .max(1);
        let (mut heading, mut previous, mut i) = (String::new(), String::new(), 0usize);
        for line in text.lines() {
            let cols: Vec<&str> = line.splitn(3, '\t').collect();
            assert_eq!(cols.len(), 3, "{}: {line:?}", f.display());
            if cols[0] == "H" {
                heading = cols[2].to_string();
                previous.clear();
                continue;
            }
            out.push((
                cols[2].to_string(),
                heading.clone(),
                previous.clone(),
                i as f32 / total as f32,
            ));
            previous = cols[2].to_string();
            i += 1;
        }
    }
    out
}

#[test]
fn annotations_are_well_formed() {
    let splits = annotated_splits();
    assert!(splits.len() >= 6, "annotated splits: {splits:?}");
    let mut sentences = 0;
    for split in &splits {
        let dir = sentences_dir().join(split);
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            let stem = p.file_stem().unwrap().to_string_lossy().into_owned();
            // Every annotation has its draft.
            let md = support::fixture(&format!("check-corpus/{split}/{stem}.md"));
            assert!(md.is_file(), "{}: no draft {}", p.display(), md.display());
            let mut n = 0;
            for (k, line) in std::fs::read_to_string(&p).unwrap().lines().enumerate() {
                let cols: Vec<&str> = line.splitn(3, '\t').collect();
                assert_eq!(cols.len(), 3, "{}:{}: three columns", p.display(), k + 1);
                assert!(
                    !cols[2].trim().is_empty(),
                    "{}:{}: text",
                    p.display(),
                    k + 1
                );
                if cols[0] == "H" {
                    continue;
                }
                n += 1;
                assert_eq!(
                    cols[0],
                    n.to_string(),
                    "{}:{}: numbering",
                    p.display(),
                    k + 1
                );
                let tags: Vec<u32> = cols[1]
                    .split(',')
                    .map(|t| {
                        t.parse()
                            .unwrap_or_else(|_| panic!("{}:{}: tag {t:?}", p.display(), k + 1))
                    })
                    .collect();
                assert!(
                    tags.len() <= 3 && tags.iter().all(|&t| t <= 10),
                    "{}:{}: tags {tags:?}",
                    p.display(),
                    k + 1
                );
                assert!(
                    !(tags.contains(&0) && tags.len() > 1),
                    "{}:{}: 0 with elements",
                    p.display(),
                    k + 1
                );
            }
            sentences += n;
        }
    }
    assert!(sentences > 5000, "{sentences} annotated sentences");
}

/// Rust and the trainer cut every annotated sentence into the same
/// features (words, pairs, heading, previous sentence, position).
#[test]
fn features_match_the_trainer() {
    if !support::tools(&["python3"]) {
        return;
    }
    let mut cases = Vec::new();
    for split in annotated_splits() {
        cases.extend(annotated(&split));
    }
    let mut input = String::new();
    for (s, h, p, pos) in &cases {
        input.push_str(
            &serde_json::json!({"sentence": s, "heading": h, "previous": p, "position": pos})
                .to_string(),
        );
        input.push('\n');
    }
    let mut child = Command::new("python3")
        .arg(sentences_dir().join("extract.py"))
        .arg("--features")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()).unwrap());
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    assert!(out.status.success(), "extract.py --features failed");
    let lines: Vec<&str> = std::str::from_utf8(&out.stdout).unwrap().lines().collect();
    assert_eq!(lines.len(), cases.len());
    for ((s, h, p, pos), line) in cases.iter().zip(lines) {
        let python: Vec<String> = serde_json::from_str(line).unwrap();
        let context = Context {
            heading: h,
            previous: p,
            position: *pos,
        };
        assert_eq!(features(s, &context), python, "{s:?} under {h:?}");
    }
}

/// The built-in model knows the ten elements, and recognises judgements
/// written in a draft's own words that no phrase of the lexicons lists.
#[test]
fn builtin_model_reads_judgements_in_own_words() {
    let model = SentenceModel::from_json(bpfpress::check::sentences::DEFAULT_MODEL).unwrap();
    let mut ids = model.ids().to_vec();
    ids.sort();
    assert_eq!(ids, (1..=10).collect::<Vec<u32>>());
    let order: Vec<u32> = (1..=10).collect();
    let none = Context {
        heading: "",
        previous: "",
        position: 0.5,
    };
    let bit = |id: u32| 1u64 << (id - 1);
    let columns = model.columns(&order);
    let reads = |s: &str, id: u32| model.bits(s, &none, &columns) & bit(id) != 0;
    assert!(!reads(
        "The meeting room was on the second floor of the building.",
        6
    ));
    assert!(!reads(
        "The meeting room was on the second floor of the building.",
        7
    ));
    assert!(reads(
        "Participants did not agree on who should pay for the backup links, and the question remains open.",
        8
    ));
}

/// A checklist names its model: the built-in one, a file next to it, or
/// none; a model that cannot be used is an error naming the file and the
/// cause, never a panic.
#[test]
fn checklists_name_their_model() {
    use bpfpress::check::Checklist;
    let dir = support::scratch("checklist-model");
    let builtin = bpfpress::check::DEFAULT_CHECKLIST;
    assert!(builtin.contains("\nmodel = \"built-in\"\n"));
    assert!(Checklist::builtin().model.is_some());
    let with = |model: &str, file: Option<&str>| {
        let cl = dir.join("list.toml");
        std::fs::write(
            &cl,
            builtin.replace(
                "\nmodel = \"built-in\"\n",
                &format!("\nmodel = {model:?}\n"),
            ),
        )
        .unwrap();
        if let Some(text) = file {
            std::fs::write(dir.join("model.json"), text).unwrap();
        }
        Checklist::load(&cl)
    };
    assert!(with("none", None).unwrap().model.is_none());
    let own = r#"{"version": 1, "tokens": "words-v1", "element": [{"id": 7, "bias": -1.0, "threshold": 0.5, "weights": {"backfired": 3.0}}]}"#;
    let m = with("model.json", Some(own)).unwrap().model.unwrap();
    assert_eq!(m.ids(), [7]);
    let err = |model: &str, file: Option<&str>| with(model, file).unwrap_err().to_string();
    let e = err("missing.json", None);
    assert!(
        e.contains("missing.json") && e.contains("cannot read"),
        "{e}"
    );
    let e = err("model.json", Some(&own.replace("\"id\": 7", "\"id\": 42")));
    assert!(e.contains("element 42 is not in the checklist"), "{e}");
    let e = err(
        "model.json",
        Some(&own.replace("\"threshold\": 0.5", "\"threshold\": 2")),
    );
    assert!(e.contains("threshold"), "{e}");
    let e = err("model.json", Some(&own.replace("3.0", "\"high\"")));
    assert!(e.contains("model") && e.contains("line"), "{e}");
}

/// The model changes what the check finds, not how it reads: a draft
/// stating a side effect in its own words is weak on element 7 with the
/// model and missing without it; the evidence names the model's words.
#[test]
fn model_finds_judgements_the_lexicons_miss() {
    use bpfpress::check::{CheckOptions, Checklist, Verdict, check};
    use bpfpress::ingest::{Limits, read_path};
    let dir = support::scratch("model-own-words");
    let draft = dir.join("draft.md");
    std::fs::write(
        &draft,
        "# Community broadband and the IGF Best Practice Forum\n\n\
         ## Introduction\n\n\
         This draft of the IGF Best Practice Forum on community networks reports on the year's work with operators and regulators in four countries.\n\n\
         ## What the licences did\n\n\
         The registration rule had an effect nobody planned: small cafes stopped offering free Wi-Fi to their customers.\n",
    )
    .unwrap();
    let doc = read_path(&draft, &Limits::default()).unwrap();
    let with = Checklist::builtin();
    let mut without = Checklist::builtin();
    without.model = None;
    let a = check(&doc, &with, &CheckOptions::default());
    let b = check(&doc, &without, &CheckOptions::default());
    let (ea, eb) = (a.element(7).unwrap(), b.element(7).unwrap());
    assert_eq!(eb.verdict, Verdict::Missing, "{}", eb.reason);
    assert_ne!(ea.verdict, Verdict::Missing, "{}", ea.reason);
    assert!(
        ea.evidence.iter().any(|e| e.matched.starts_with("words: ")),
        "{:?}",
        ea.evidence
    );
}
