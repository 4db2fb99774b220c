//! `bpfpress ingest` as a user runs it: the real binary, in a temp folder
//! of its own, with a cleaned environment.

mod support;

use std::path::{Path, PathBuf};
use support::{Run, bpfpress};

const REPORT_MD: &str = "fixtures/report/bpf-on-bpfs-2020.md";

/// A temp folder to run the binary in.
struct Dir {
    tmp: tempfile::TempDir,
}

impl Dir {
    fn new() -> Dir {
        Dir {
            tmp: tempfile::tempdir().unwrap(),
        }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.tmp.path().join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    /// Copy a committed fixture into the folder under `name`.
    fn fixture(&self, rel: &str, name: &str) -> PathBuf {
        let src = support::root().join(rel);
        let p = self.path(name);
        std::fs::copy(src, &p).unwrap();
        p
    }

    fn ingest(&self, args: &[&str]) -> Run {
        Run::of(
            bpfpress(["ingest"])
                .args(args)
                .current_dir(self.tmp.path())
                .env_clear()
                .env("NO_COLOR", "1"),
        )
    }
}

#[test]
fn missing_file() {
    let d = Dir::new();
    let r = d.ingest(&["nowhere.md"]);
    r.assert_one_error("nowhere.md", "cannot read file");
    assert!(r.stderr().contains("No such file"));
    assert_eq!(r.stdout(), "");
}

#[test]
fn directory() {
    let d = Dir::new();
    std::fs::create_dir(d.path("drafts")).unwrap();
    d.ingest(&["drafts"])
        .assert_one_error("drafts", "is a directory, not a file");
}

#[test]
fn unknown_binary_format() {
    let d = Dir::new();
    // An ELF executable: binary, and nothing bpfpress can name.
    d.write(
        "program.md",
        b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0",
    );
    d.ingest(&["program.md"])
        .assert_one_error("program.md", "unknown format");
}

#[test]
fn empty_file() {
    let d = Dir::new();
    d.write("empty.md", b"");
    d.ingest(&["empty.md"])
        .assert_one_error("empty.md", "is empty (0 bytes)");
}

#[test]
fn non_utf8_text() {
    let d = Dir::new();
    d.write("latin1.txt", b"A. Introduction\n\nLe caf\xe9 est servi.\n");
    let r = d.ingest(&["latin1.txt"]);
    r.assert_one_error("latin1.txt", "line 3, byte offset 23");
    assert!(r.stderr().contains("not valid UTF-8"));
    assert!(r.stderr().contains("Save it as UTF-8"));
}

#[test]
fn one_bad_file_among_good_ones() {
    let d = Dir::new();
    d.fixture(REPORT_MD, "report.md");
    d.write("draft.md", b"# Draft\n\nSome text.\n");
    d.write("broken.md", b"caf\xe9\n");
    let r = d.ingest(&["report.md", "broken.md", "draft.md"]);
    r.assert_one_error("broken.md", "not valid UTF-8");
    let out = r.stdout();
    assert!(out.contains("report.md  (markdown, 10899 words)"), "{out}");
    assert!(out.contains("draft.md  (markdown, 3 words)"), "{out}");
    // Good files keep their order.
    assert!(out.find("report.md").unwrap() < out.find("draft.md").unwrap());
}

fn fingerprint(p: &Path) -> (Vec<u8>, std::time::SystemTime, u64) {
    let m = std::fs::metadata(p).unwrap();
    (std::fs::read(p).unwrap(), m.modified().unwrap(), m.len())
}

#[test]
fn inputs_are_never_written() {
    let d = Dir::new();
    let files = [
        d.fixture(REPORT_MD, "report.md"),
        d.write("bad.txt", b"caf\xe9\n"),
        d.write("bom.md", b"\xEF\xBB\xBF# T\n\nx\n"),
    ];
    let before: Vec<_> = files.iter().map(|f| fingerprint(f)).collect();
    let entries_before = std::fs::read_dir(d.tmp.path()).unwrap().count();
    d.ingest(&["report.md", "bad.txt", "bom.md"]);
    d.ingest(&["--json", "report.md", "bom.md"]);
    let after: Vec<_> = files.iter().map(|f| fingerprint(f)).collect();
    assert_eq!(before, after, "an input changed (content, mtime or size)");
    // Nothing new was written next to the inputs either.
    assert_eq!(
        std::fs::read_dir(d.tmp.path()).unwrap().count(),
        entries_before
    );
}

#[test]
fn json_is_the_whole_model() {
    let d = Dir::new();
    d.fixture(REPORT_MD, "report.md");
    let r = d.ingest(&["--json", "report.md"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["meta"]["format"], "markdown");
    assert_eq!(v["meta"]["source"], "report.md");
    assert_eq!(v["meta"]["date"], "2020-09");
    assert_eq!(v["meta"]["authors"][1], "Wim Degezelle");
    let blocks = v["blocks"].as_array().unwrap();
    let a = blocks
        .iter()
        .find(|b| b["type"] == "heading" && b["label"] == "A.")
        .unwrap();
    assert_eq!(a["text"], "Introduction");
    assert_eq!(a["level"], 1);
    assert_eq!(a["loc"]["line"], 81);
    assert_eq!(v["notes"].as_array().unwrap().len(), 38);
    // The model round-trips through its own JSON.
    let doc: bpfpress::model::Document = serde_json::from_value(v).unwrap();
    assert_eq!(doc.notes[2].text, "Par. 72, d.");

    // Several files: one array.
    d.write("b.md", b"# B\n\ntext\n");
    let r = d.ingest(&["--json", "report.md", "b.md"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert_eq!(v[1]["blocks"][0]["text"], "B");
}

#[test]
fn outline_of_the_markdown_report() {
    let d = Dir::new();
    d.fixture(REPORT_MD, "report.md");
    let r = d.ingest(&["report.md"]);
    assert_eq!(r.code(), 0, "{}", r.stderr());
    let out = r.stdout();
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    let expect = [
        "report.md  (markdown, 10899 words)",
        "  title:    Reviewing past Best Practice Forums (BPF) to enhance future BPF work : a “BPF on BPFs”",
        "  editors:  Markus Kummer; Wim Degezelle",
        "  date:     2020-09",
        "A. Introduction                                                           line 81   empty",
        "  a. IGF Best Practice Forums                                             line 83   7 paragraphs, 5 note refs",
        "C. Organising and leading BPFs: observations, challenges and way forward  line 236  2 paragraphs",
        "    Observations                                                          line 244  1 list, 5 note refs",
        "    I. IGF Best Practice Forums - definition and purpose                  line 535  5 paragraphs, 1 note ref",
        "      General Principles                                                  line 551  1 list",
        "F. Concluding remarks                                                     line 653  4 paragraphs, 1 list",
        "Annexes                                                                   line 667  empty",
        "  Annexe 1 IGF Best Practice Forums - overview BPF topics 2014-2019       line 669  empty",
        "81 headings; 83 paragraphs, 61 lists, 38 note refs; 38 footnotes, 0 endnotes; 0 comments; 0 insertions, 0 deletions",
    ];
    for e in expect {
        assert!(lines.contains(&e), "missing line:\n{e}\nin:\n{out}");
    }
    // In order.
    let pos: Vec<usize> = expect
        .iter()
        .map(|e| lines.iter().position(|l| l == e).unwrap())
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{pos:?}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("warning: no Markdown headings")),
        "{out}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let d = Dir::new();
    let r = d.ingest(&[]);
    assert_eq!(r.code(), 2);
    assert!(r.stderr().contains("FILE"));
}

/// Markup and images are refused by their content, whatever their name,
/// with what they are and what to do — never read as Markdown.
#[test]
fn markup_and_images_are_named_not_read_as_markdown() {
    let d = Dir::new();
    let utf16_xml: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "<?xml version=\"1.0\" encoding=\"UTF-16\"?><w:wordDocument xmlns:w=\"x\"/>"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let cases: [(&str, &[u8], &str); 6] = [
        ("draft.md", b"{\\rtf1\\ansi\\deff0 {\\fonttbl} Draft report}", "RTF"),
        (
            "draft.txt",
            b"<?xml version=\"1.0\"?>\n<?mso-application progid=\"Word.Document\"?>\n<w:wordDocument xmlns:w=\"x\"><w:body/></w:wordDocument>",
            "Word 2003 XML",
        ),
        ("utf16.xml", &utf16_xml, "Word 2003 XML"),
        ("page.md", b"<!DOCTYPE html>\n<html><body><h1>Draft</h1></body></html>", "web page"),
        ("scan.md", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image (PNG)"),
        ("scan2.pdf", b"\xFF\xD8\xFF\xE0\0\x10JFIF", "image (JPEG)"),
    ];
    for (name, bytes, what) in cases {
        d.write(name, bytes);
        let r = d.ingest(&[name]);
        r.assert_one_error(name, what);
        assert!(r.stderr().contains("does not read"), "{}", r.stderr());
    }
    // Markdown that opens with an HTML comment is still Markdown.
    d.write("ok.md", b"<!-- note -->\n# Title\n\n## Part\n\nText.\n");
    assert_eq!(d.ingest(&["ok.md"]).code(), 0);
}
