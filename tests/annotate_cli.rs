//! `bpfpress check --annotate` / `--annotate-dir` through the binary:
//! exit codes, the draft never written, clear errors, batches, Markdown.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::{fixture, stderr};

/// `bpfpress ARGS` in `dir`, on a fixed day.
fn bpfpress(dir: &Path, args: &[&str]) -> Output {
    support::bpfpress(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1780000000")
        .output()
        .unwrap()
}

fn copy_in(dir: &Path, from: &str, to: &str) -> PathBuf {
    let p = dir.join(to);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::copy(fixture(from), &p).unwrap();
    p
}

#[test]
fn annotate_writes_a_copy_and_leaves_the_draft_alone() {
    let dir = tempfile::tempdir().unwrap();
    let draft = copy_in(dir.path(), "docx/review.docx", "draft.docx");
    let before = std::fs::read(&draft).unwrap();
    let o = bpfpress(
        dir.path(),
        &["check", "draft.docx", "--annotate", "reviewed.docx"],
    );
    // Same exit code as the check alone: a key element is missing (the
    // review fixture is not a BPF report either: one more comment says so).
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("FAIL"));
    assert!(
        // 16: findings of the check (the review fixture is not a BPF report)
        // and the second figure has no alt text (`figure-without-alt`).
        stderr(&o).contains("wrote reviewed.docx: 16 comments"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&draft).unwrap(), before);
    let copy = std::fs::read(dir.path().join("reviewed.docx")).unwrap();
    assert_ne!(copy, before);
    // No temporary files left next to it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");

    // Again on the copy, into the copy itself: its comments are replaced.
    let o = bpfpress(
        dir.path(),
        &["check", "reviewed.docx", "--annotate", "reviewed2.docx"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("16 comments, replacing 16 earlier ones"),
        "{}",
        stderr(&o)
    );
    // The check of the copy does not count its own comments.
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("1 unresolved comment by Carol Commenter"),
        "{out}"
    );
}

#[test]
fn refusals_are_clear_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    copy_in(dir.path(), "docx/review.docx", "draft.docx");
    copy_in(dir.path(), "report/bpf-on-bpfs-2020.lo.pdf", "report.pdf");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let cases: [(&[&str], &str); 5] = [
        (
            &["check", "draft.docx", "--annotate", "draft.docx"],
            "would overwrite the draft itself",
        ),
        (
            &["check", "draft.docx", "--annotate", "./sub/../draft.docx"],
            "would overwrite the draft itself",
        ),
        (
            &["check", "report.pdf", "--annotate", "r.docx"],
            "is a pdf draft, which cannot carry comments",
        ),
        (
            &["check", "draft.docx", "report.pdf", "--annotate", "r.docx"],
            "use --annotate-dir",
        ),
        (
            &["check", "draft.docx", "--annotate", "reviewed.pdf"],
            "name the output ….docx",
        ),
    ];
    for (args, msg) in cases {
        let o = bpfpress(dir.path(), args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(msg), "{args:?}: {}", stderr(&o));
    }
    let o = bpfpress(
        dir.path(),
        &[
            "check",
            "draft.docx",
            "--annotate",
            "a.docx",
            "--annotate-dir",
            "x",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    copy_in(dir.path(), "docx/review.docx", "sub/draft.docx");
    let o = bpfpress(
        dir.path(),
        &[
            "check",
            "draft.docx",
            "sub/draft.docx",
            "--annotate-dir",
            "out",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("would both be annotated into out/draft.docx"),
        "{}",
        stderr(&o)
    );
    // A damaged draft: named, exit 2, no copy.
    std::fs::write(dir.path().join("bad.docx"), b"PK\x03\x04 truncated").unwrap();
    let o = bpfpress(dir.path(), &["check", "bad.docx", "--annotate", "b.docx"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.docx"), "{}", stderr(&o));
    assert!(!dir.path().join("b.docx").exists());
}

#[test]
fn annotate_dir_mirrors_the_folder_and_skips_its_own_output() {
    let dir = tempfile::tempdir().unwrap();
    copy_in(dir.path(), "docx/review.docx", "drafts/a.docx");
    copy_in(dir.path(), "docx/word-thread.docx", "drafts/sub/b.docx");
    copy_in(dir.path(), "drafts/hygiene-dirty.md", "drafts/c.md");
    copy_in(dir.path(), "report/bpf-on-bpfs-2020.lo.pdf", "drafts/d.pdf");
    for _ in 0..2 {
        // The output folder inside the input folder: the second run must
        // not check (or annotate) the first run's copies.
        let o = bpfpress(
            dir.path(),
            &[
                "check",
                "drafts",
                "--annotate-dir",
                "drafts/reviewed",
                "--format",
                "json",
            ],
        );
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(json["reports"].as_array().unwrap().len(), 4, "{json}");
        let e = stderr(&o);
        assert!(
            e.contains("d.pdf: a pdf draft cannot carry comments; checked, not annotated"),
            "{e}"
        );
        for f in ["a.docx", "sub/b.docx", "c.md"] {
            assert!(
                dir.path().join("drafts/reviewed").join(f).exists(),
                "{f}: {e}"
            );
        }
        assert!(!dir.path().join("drafts/reviewed/d.pdf").exists());
    }
}

/// Markdown: the copy reads as the same document (the comments are HTML
/// comments, which neither our reader nor pandoc shows) and a re-run
/// replaces them.
#[test]
fn markdown_copies_hold_html_comments() {
    let dir = tempfile::tempdir().unwrap();
    let draft = copy_in(dir.path(), "drafts/hygiene-dirty.md", "d.md");
    let o = bpfpress(dir.path(), &["check", "d.md", "--annotate", "r.md"]);
    assert!(matches!(o.status.code(), Some(0 | 1)), "{}", stderr(&o));
    let src = std::fs::read_to_string(&draft).unwrap();
    let copy = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(copy.contains("<!-- bpfpress: bpfpress check of this draft, 2026-05-28."));
    assert!(
        copy.contains("<!-- bpfpress: Placeholder (error):"),
        "{copy}"
    );
    // Only whole comment lines were added.
    let kept: Vec<&str> = {
        let mut in_comment = false;
        copy.lines()
            .filter(|l| {
                let t = l.trim_start_matches(['>', ' ']);
                if t.starts_with("<!-- bpfpress:") {
                    in_comment = !l.contains("-->");
                    return false;
                }
                if in_comment {
                    in_comment = !l.contains("-->");
                    return false;
                }
                true
            })
            .collect()
    };
    assert_eq!(kept, src.lines().collect::<Vec<_>>());
    let limits = bpfpress::ingest::Limits::default();
    let a = bpfpress::ingest::read_path(&draft, &limits).unwrap();
    let b = bpfpress::ingest::read_path(&dir.path().join("r.md"), &limits).unwrap();
    let texts =
        |d: &bpfpress::model::Document| d.blocks.iter().map(|b| b.plain_text()).collect::<Vec<_>>();
    assert_eq!(texts(&b), texts(&a));
    assert_eq!(b.meta.title, a.meta.title);
    let o = bpfpress(dir.path(), &["check", "r.md", "--annotate", "r2.md"]);
    assert!(stderr(&o).contains("replacing"), "{}", stderr(&o));
    let again = std::fs::read_to_string(dir.path().join("r2.md")).unwrap();
    // The same comments at the same places; line numbers quoted in the
    // check's messages are those of the file checked (the draft, then the
    // copy).
    let lines = regex::Regex::new(r"line \d+").unwrap();
    assert_eq!(
        lines.replace_all(
            &again.replace("r.md --annotate r2.md", "d.md --annotate r.md"),
            "line N"
        ),
        lines.replace_all(&copy, "line N")
    );
    if support::tools(&["pandoc"]) {
        let plain = |p: &Path| {
            let o = Command::new("pandoc")
                .args(["-f", "markdown", "-t", "plain"])
                .arg(p)
                .output()
                .unwrap();
            String::from_utf8(o.stdout).unwrap()
        };
        assert_eq!(plain(&dir.path().join("r.md")), plain(&draft));
    }
}
