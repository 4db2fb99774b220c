//! `bpfpress check` through the binary: exit codes, output formats, batches.
//!
//! The real report and the review fixture are read with the DOCX and PDF
//! readers; the crafted drafts with the Markdown reader.

mod support;

use serde_json::Value;
use std::path::Path;
use std::process::Output;
use support::{code, stderr, stdout};

/// `bpfpress ARGS` in the repository root, colour left to the terminal test.
fn bpfpress(args: &[&str]) -> Output {
    support::bpfpress(args)
        .current_dir(support::root())
        .env_remove("NO_COLOR")
        .output()
        .unwrap()
}

#[test]
fn missing_file_exits_2_and_names_it() {
    let o = bpfpress(&["check", "fixtures/drafts/no-such-draft.md"]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(
        e.contains("no-such-draft.md") && e.contains("cannot read file"),
        "{e}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    assert_eq!(code(&bpfpress(&["check"])), 2);
    assert_eq!(
        code(&bpfpress(&[
            "check",
            "--format",
            "yaml",
            "fixtures/drafts/complete.md"
        ])),
        2
    );
    let o = bpfpress(&[
        "check",
        "--meeting-date",
        "2026-02-30",
        "fixtures/drafts/complete.md",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("day 30 does not exist"),
        "{}",
        stderr(&o)
    );
    let o = bpfpress(&[
        "check",
        "--meeting-date",
        "1 Nov 2026",
        "fixtures/drafts/complete.md",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("YYYY-MM-DD"), "{}", stderr(&o));
    assert_eq!(code(&bpfpress(&["check", "--help"])), 0);
}

#[test]
fn invalid_checklist_exits_2_with_place_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("my-checklist.toml");
    std::fs::write(
        &p,
        "name = 'x'\n[[element]]\nid = 4\nkey = false\nwording = 'Regions'\ncues = ['\\bregions?', '(region']\n",
    )
    .unwrap();
    let o = bpfpress(&[
        "check",
        "--checklist",
        p.to_str().unwrap(),
        "fixtures/drafts/complete.md",
    ]);
    assert_eq!(code(&o), 2);
    let e = stderr(&o);
    assert!(e.contains("my-checklist.toml: element 4"), "{e}");
    assert!(
        e.contains("cues[1]") && e.contains("not a valid regex"),
        "{e}"
    );
    let o = bpfpress(&[
        "check",
        "--checklist",
        "no/such.toml",
        "fixtures/drafts/complete.md",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("no/such.toml: cannot read checklist"));
}

#[test]
fn folder_without_drafts_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.csv"), "a,b\n").unwrap();
    let o = bpfpress(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("folder holds no drafts"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn json_envelope_lists_unreadable_files() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.docx");
    std::fs::write(&bad, b"PK\x03\x04 not really a zip").unwrap();
    let o = bpfpress(&["check", "--format", "json", bad.to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["exit_code"], 2);
    assert_eq!(v["reports"].as_array().unwrap().len(), 0);
    assert_eq!(v["errors"][0]["path"], bad.to_str().unwrap());
    assert!(v["checklist"]["name"].as_str().unwrap().contains("BPF"));
}

const REPORT_DOCX: &str = "fixtures/report/bpf-on-bpfs-2020.pandoc.docx";
const REPORT_PDF: &str = "fixtures/report/bpf-on-bpfs-2020.lo.pdf";

#[test]
fn real_report_exits_0_review_draft_exits_1() {
    // All key elements present, warnings only (31 '#' links) → 0.
    let o = bpfpress(&["check", REPORT_DOCX]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("✓ present") && out.contains("PASS"), "{out}");
    assert!(out.contains("A. Introduction (¶ "), "{out}");
    assert!(out.contains("empty-link"), "{out}");
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    // Key elements missing, tracked changes and a comment → 1.
    let o = bpfpress(&["check", "fixtures/docx/review.docx"]);
    assert_eq!(code(&o), 1);
    let out = stdout(&o);
    assert!(
        out.contains("tracked-changes") && out.contains("Carol Commenter"),
        "{out}"
    );
}

#[test]
fn six_week_rule_decides_the_exit_code() {
    // The report is dated September 2020 (month only).
    let o = bpfpress(&[
        "check",
        "--meeting-date",
        "2020-11-15",
        REPORT_DOCX,
        REPORT_PDF,
    ]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("is on time for the meeting on 2020-11-15"));
    let o = bpfpress(&[
        "check",
        "--meeting-date",
        "2020-10-01",
        "--format",
        "json",
        REPORT_PDF,
    ]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["reports"][0]["timing"]["on_time"], false);
    assert_eq!(
        v["reports"][0]["findings"][0]["rule"],
        "public-comment-deadline"
    );
}

#[test]
fn batch_of_real_files_with_one_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    for f in [REPORT_DOCX, REPORT_PDF] {
        let name = Path::new(f).file_name().unwrap();
        std::fs::copy(support::root().join(f), dir.path().join(name)).unwrap();
    }
    std::fs::write(dir.path().join("broken.docx"), b"PK\x03\x04 nope").unwrap();
    std::fs::write(dir.path().join("notes.csv"), b"not a draft").unwrap();
    let o = bpfpress(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(
        code(&o),
        2,
        "an unreadable file wins over the others' results"
    );
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let sources: Vec<&str> = v["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources.len(), 2, "the readable files were still checked");
    // Folder contents in sorted order, whatever order the threads finish in.
    assert!(
        sources[0].ends_with("lo.pdf") && sources[1].ends_with("pandoc.docx"),
        "{sources:?}"
    );
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
    assert!(
        v["errors"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("broken.docx")
    );

    let o = bpfpress(&["check", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let out = stdout(&o);
    let matrix: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("Report"))
        .collect();
    assert!(matrix[0].contains(" 1  2  3"), "{out}");
    assert!(
        matrix[1].contains("lo.pdf") && matrix[1].contains("pass"),
        "{out}"
    );
    assert!(
        matrix[2].contains("pandoc.docx") && matrix[2].contains("pass"),
        "{out}"
    );
    assert!(
        matrix
            .iter()
            .any(|l| l.contains("broken.docx") && l.contains("unreadable")),
        "{out}"
    );
    assert!(stderr(&o).contains("broken.docx"));
}

#[test]
fn markdown_format_for_the_real_report() {
    let o = bpfpress(&["check", "--format", "markdown", REPORT_DOCX]);
    assert_eq!(code(&o), 0);
    let md = stdout(&o);
    assert!(
        md.starts_with("## Draft check: Reviewing past Best Practice Forums"),
        "{md}"
    );
    assert!(md.contains("| 4 | Regional specificities observed (e.g. Internet industry development) | ✗ missing |  | named only in enumerations"), "{md}");
    assert!(md.contains("- **warning** `empty-link`: 31 links"), "{md}");
}

#[test]
fn complete_draft_exits_0_and_thin_draft_exits_1() {
    let o = bpfpress(&["check", "fixtures/drafts/complete.md"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("✓ present") && out.contains("PASS"), "{out}");
    assert!(
        !out.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
    // A key element weak → 1.
    let o = bpfpress(&["check", "fixtures/drafts/thin.md"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("~ weak"));
    // Key elements present but an error finding (late draft) → 1.
    let o = bpfpress(&[
        "check",
        "--meeting-date",
        "2026-10-01",
        "fixtures/drafts/complete.md",
    ]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("public-comment-deadline"));
}

#[test]
fn batch_checks_the_rest_when_one_file_is_unreadable() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["complete.md", "thin.md", "no-methodology.md"] {
        std::fs::copy(support::draft(f), dir.path().join(f)).unwrap();
    }
    std::fs::write(dir.path().join("broken.docx"), b"PK\x03\x04 nope").unwrap();
    let o = bpfpress(&["check", "--format", "json", dir.path().to_str().unwrap()]);
    assert_eq!(code(&o), 2);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let reports = v["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 3);
    assert_eq!(v["errors"].as_array().unwrap().len(), 1);
    assert!(
        v["errors"][0]["path"]
            .as_str()
            .unwrap()
            .ends_with("broken.docx")
    );
    let no_meth = reports
        .iter()
        .find(|r| r["source"].as_str().unwrap().ends_with("no-methodology.md"))
        .unwrap();
    assert_eq!(no_meth["elements"][1]["verdict"], "missing");

    // Text: summary matrix with one row per file and the unreadable one.
    let o = bpfpress(&["check", dir.path().to_str().unwrap()]);
    let out = stdout(&o);
    assert!(
        out.contains("Report") && out.contains("unreadable"),
        "{out}"
    );
    assert!(stderr(&o).contains("broken.docx"));
}

#[test]
fn markdown_output_written_atomically_to_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("check.md");
    let o = bpfpress(&[
        "check",
        "--format",
        "markdown",
        "-o",
        out.to_str().unwrap(),
        "fixtures/drafts/hygiene-dirty.md",
    ]);
    assert_eq!(code(&o), 1);
    assert!(o.stdout.is_empty());
    let md = std::fs::read_to_string(&out).unwrap();
    assert!(
        md.starts_with("## Draft check: BPF IPv6 2026: Working draft"),
        "{md}"
    );
    assert!(md.contains("| # | Element | Verdict | Where | Why | What to add |"));
    assert!(md.contains("**error** `placeholder`"));
    assert!(Path::new(&out).exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

/// `[check]` in bpf.toml maps an element to a heading; `--project` reads it.
/// A bad key is a clear error (exit 2).
#[test]
fn project_check_table_maps_elements() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.md");
    std::fs::write(
        &draft,
        "# IGF 2026 Best Practice Forum on Rural Access\n\nDate: 1 September 2026\n\n## Knots\n\n\
         Spectrum sharing between operators and community networks divides the participants. \
         Operators fear interference and regulators fear complaints. \
         The forum heard both sides at every meeting without settling it.\n",
    )
    .unwrap();
    let toml = dir.path().join("bpf.toml");
    std::fs::write(
        &toml,
        "[bpf]\nname = \"BPF on Rural Access\"\nyear = 2026\n[report]\npath = \"draft.md\"\n[check]\n8 = \"Knots\"\n",
    )
    .unwrap();
    let d = draft.to_string_lossy().to_string();
    let t = toml.to_string_lossy().to_string();
    let o = bpfpress(&["check", "--format", "json", "--project", &t, &d]);
    let v: Value =
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    let e8 = &v["reports"][0]["elements"][7];
    assert_eq!(e8["verdict"], "present", "{e8}");
    assert_eq!(e8["mapped"], true, "{e8}");
    // Without the project the heading claims nothing.
    let o = bpfpress(&["check", "--format", "json", &d]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_ne!(v["reports"][0]["elements"][7]["verdict"], "present");
    // A key that is not an element number.
    std::fs::write(
        &toml,
        "[bpf]\nname = \"BPF\"\nyear = 2026\n[report]\npath = \"draft.md\"\n[check]\neight = \"Knots\"\n",
    )
    .unwrap();
    let o = bpfpress(&["check", "--project", &t, &d]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("check") && stderr(&o).contains("eight"),
        "{}",
        stderr(&o)
    );
}
