//! Reviewed copies opened where consultants and the Secretariat open them:
//! python-docx, pandoc and LibreOffice (headless, to PDF). The copies are
//! made by the binary (`bpfpress check FILE --annotate COPY`) from drafts
//! made by pandoc, LibreOffice and Word, with and without comments,
//! replies and tracked changes.
//!
//! Each test needs its tool: without it the test says SKIP, or fails
//! when `CI` is set (`.ci/run` installs pandoc, LibreOffice, poppler,
//! python-docx and pypdf).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{fixture, pdftotext, python_with, tools};

const DRAFTS: [&str; 10] = [
    "docx/review.docx",
    "docx/review.lo.docx",
    "docx/layout.docx",
    "docx/numbered.docx",
    "docx/word-comments.docx",
    "docx/word-tracked.docx",
    "docx/word-thread.docx",
    "build/no-methodology.docx",
    "report/bpf-on-bpfs-2020.pandoc.docx",
    "report/bpf-on-bpfs-2020.lo.docx",
];

/// Copies of every draft in `dir`: `(draft, copy, comments of ours)`.
fn copies(dir: &Path) -> Vec<(PathBuf, PathBuf, usize)> {
    DRAFTS
        .iter()
        .map(|d| {
            let draft = fixture(d);
            let stem = d.replace(['/', '.'], "_");
            let copy = dir.join(format!("{stem}.reviewed.docx"));
            let out = support::bpfpress(["check"])
                .arg(&draft)
                .arg("--annotate")
                .arg(&copy)
                .env("SOURCE_DATE_EPOCH", "1780000000")
                .output()
                .unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(matches!(out.status.code(), Some(0 | 1)), "{d}: {err}");
            let n: usize = regex::Regex::new(r"wrote .*: (\d+) comments")
                .unwrap()
                .captures(&err)
                .unwrap_or_else(|| panic!("{d}: {err}"))[1]
                .parse()
                .unwrap();
            (draft, copy, n)
        })
        .collect()
}

fn run(cmd: &str, args: &[&str]) -> String {
    let o = Command::new(cmd).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{cmd} {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn python_docx_reads_every_comment() {
    let script = "import docx, json, sys\n\
        print(json.dumps([[c.author, c.initials, c.text] for c in docx.Document(sys.argv[1]).comments]))";
    // python-docx reads comments from 1.2 on (.ci/run installs it).
    if !python_with("docx") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (draft, copy, n) in copies(dir.path()) {
        let list = |p: &Path| -> Vec<(String, Option<String>, String)> {
            serde_json::from_str(&run("python3", &["-c", script, s(p)])).unwrap()
        };
        let (before, after) = (list(&draft), list(&copy));
        let (ours, theirs): (Vec<_>, Vec<_>) =
            after.into_iter().partition(|c| c.0 == "bpfpress check");
        assert_eq!(theirs, before, "{}: reviewers' comments", draft.display());
        assert_eq!(ours.len(), n, "{}", draft.display());
        assert!(ours.iter().all(|c| c.1.as_deref() == Some("BP")));
        assert!(
            ours[0]
                .2
                .starts_with("bpfpress check of this draft, 2026-05-28."),
            "{:?}",
            ours[0]
        );
        assert!(ours[0].2.contains("Made by: bpfpress check "));
    }
}

#[test]
fn pandoc_shows_the_comments_and_accepts_the_same_text() {
    if !tools(&["pandoc"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (draft, copy, n) in copies(dir.path()) {
        let json = run(
            "pandoc",
            &["--track-changes=all", "-f", "docx", "-t", "json", s(&copy)],
        );
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        // Title-page comments are in the metadata, the others in blocks.
        assert_eq!(
            count_in(&v),
            n,
            "{}: pandoc's comment spans",
            draft.display()
        );
        let accept = |p: &Path| {
            run(
                "pandoc",
                &["--track-changes=accept", "-f", "docx", "-t", "native", s(p)],
            )
        };
        assert_eq!(
            accept(&copy),
            accept(&draft),
            "{}: accepted text",
            draft.display()
        );
    }
}

/// Comment spans by us in pandoc's JSON: `Span`s with class
/// `comment-start` and author `bpfpress check`.
fn count_in(v: &serde_json::Value) -> usize {
    match v {
        serde_json::Value::Object(o) => {
            let here = o.get("t").and_then(|t| t.as_str()) == Some("Span")
                && o["c"][0][1]
                    .as_array()
                    .is_some_and(|c| c.iter().any(|x| x == "comment-start"))
                && o["c"][0][2].as_array().is_some_and(|kv| {
                    kv.iter()
                        .any(|p| p[0] == "author" && p[1] == "bpfpress check")
                });
            usize::from(here) + o.values().map(count_in).sum::<usize>()
        }
        serde_json::Value::Array(a) => a.iter().map(count_in).sum(),
        _ => 0,
    }
}

/// LibreOffice opens every copy and exports it to PDF with its comments as
/// PDF notes (author, text); the words on the pages are the draft's. (It
/// lays out list items whose paragraph mark is a tracked insertion a little
/// differently once they hold an untracked run, such as the comment
/// reference: word-tracked.docx; the words stay the same.)
#[test]
fn libreoffice_converts_the_copies_with_their_comments() {
    if !tools(&["soffice", "pdftotext"]) || !python_with("pypdf") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let list = copies(dir.path());
    let mut inputs = Vec::new();
    for (k, (draft, copy, _)) in list.iter().enumerate() {
        let plain = dir.path().join(format!("draft{k}.docx"));
        std::fs::copy(draft, &plain).unwrap();
        inputs.push(plain);
        inputs.push(copy.clone());
    }
    let profile = format!("file://{}", dir.path().join("profile").display());
    let out = dir.path().join("pdf");
    let o = Command::new("soffice")
        .arg(format!("-env:UserInstallation={profile}"))
        .args(["--headless", "--convert-to"])
        .arg(r#"pdf:writer_pdf_Export:{"ExportNotes":{"type":"boolean","value":"true"}}"#)
        .arg("--outdir")
        .arg(&out)
        .args(&inputs)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pdf = |p: &Path| out.join(p.with_extension("pdf").file_name().unwrap());
    let notes = "import pypdf, sys\n\
        n = 0\n\
        for p in pypdf.PdfReader(sys.argv[1]).pages:\n    \
            for a in p.get('/Annots') or []:\n        \
                a = a.get_object()\n        \
                n += a.get('/Subtype') == '/Text' and str(a.get('/T', '')).startswith('bpfpress check')\n\
        print(n)";
    for (k, (draft, copy, n)) in list.iter().enumerate() {
        let (a, b) = (pdf(&inputs[2 * k]), pdf(copy));
        assert!(b.exists(), "{}: LibreOffice made no PDF", draft.display());
        let count: usize = run("python3", &["-c", notes, s(&b)])
            .trim()
            .parse()
            .unwrap();
        assert_eq!(
            count,
            *n,
            "{}: comments in LibreOffice's PDF",
            draft.display()
        );
        // The words on the pages. LibreOffice 7.4 gives a
        // footnote the text of another once a comment comes before it (in
        // review.docx its own comment does that already: without it the
        // notes are right), so the notes' words are left out.
        let doc = bpfpress::ingest::read_path(draft, &Default::default()).unwrap();
        let note_words: std::collections::HashSet<String> = doc
            .notes
            .iter()
            .flat_map(|n| {
                n.text
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect();
        // Sorted: where LibreOffice puts a footnote's number moves with it.
        let words = |p: &Path| -> Vec<String> {
            let mut v: Vec<String> = pdftotext(p)
                .split_whitespace()
                .filter(|w| !note_words.contains(*w))
                .map(str::to_string)
                .collect();
            v.sort();
            v
        };
        assert_eq!(words(&b), words(&a), "{}: page text", draft.display());
    }
}
