//! One draft, three formats: the Markdown source, the DOCX pandoc makes of
//! it and the PDFs LibreOffice makes of that (with bookmarks, and without,
//! so headings come from font sizes) give the same headings — label, text
//! and level — and the same title and date. The files are made by
//! `fixtures/formats/make.sh` (pandoc, LibreOffice) and committed.

mod support;

use bpfpress::ingest::{Limits, read_path};
use bpfpress::model::{Block, Document};
use std::path::{Path, PathBuf};
use support::{draft, fixture};

/// (label, text, level) of every heading.
type Heading = (Option<String>, String, u8);

fn headings(d: &Document) -> Vec<Heading> {
    d.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading {
                label, text, level, ..
            } => Some((label.clone(), text.clone(), *level)),
            _ => None,
        })
        .collect()
}

fn read(p: &Path) -> Document {
    read_path(p, &Limits::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// The drafts with a DOCX in `fixtures/formats/`, and their Markdown source.
fn drafts() -> Vec<(String, PathBuf)> {
    let dir = fixture("formats");
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.strip_suffix(".docx")?.to_string();
            let own = dir.join(format!("{name}.md"));
            let md = if own.exists() {
                own
            } else {
                draft(&format!("{name}.md"))
            };
            Some((name, md))
        })
        .collect();
    out.sort();
    out
}

#[test]
fn every_format_of_a_draft_gives_the_same_headings_title_and_date() {
    let drafts = drafts();
    assert!(drafts.len() >= 7, "{drafts:?}");
    let dir = fixture("formats");
    for (name, md) in &drafts {
        let source = read(md);
        let want = headings(&source);
        assert!(!want.is_empty(), "{name}");
        for file in [
            format!("{name}.docx"),
            format!("{name}.pdf"),
            format!("{name}.nobookmarks.pdf"),
        ] {
            let d = read(&dir.join(&file));
            assert_eq!(headings(&d), want, "{file} against {}", md.display());
            assert_eq!(d.meta.title, source.meta.title, "{file}");
            assert_eq!(d.meta.date, source.meta.date, "{file}");
        }
    }
}

/// What the drafts were written to show, read from the Markdown (the test
/// above carries it to the other formats).
#[test]
fn labels_titles_and_dates_as_written() {
    let dir = fixture("formats");
    let d = read(&dir.join("lettered-parts.md"));
    let labels: Vec<String> = headings(&d).into_iter().filter_map(|h| h.0).collect();
    assert_eq!(
        labels,
        [
            "Part I", "A.", "B.", "Part II", "C.", "(a)", "(b)", "D.", "Annex A"
        ]
    );
    let d = read(&dir.join("numbered-bare.md"));
    assert_eq!(
        headings(&d)[..3],
        [
            (Some("1".into()), "Introduction".into(), 1),
            (Some("1.1".into()), "Scope".into(), 2),
            (Some("1.2.".into()), "Methodology".into(), 2),
        ]
    );
    assert_eq!(
        headings(&d)[5..],
        [
            (Some("Chapter 3".into()), "Next steps".into(), 1),
            (Some("Appendix B".into()), "Sources".into(), 1),
        ]
    );
    // A lone `#` heading over `##` sections is the title; the date line
    // under it is the date; the sections are the top level.
    let d = read(&dir.join("roman-lone-title.md"));
    assert_eq!(
        d.meta.title.as_deref(),
        Some("BPF Gender and Access 2026: Draft output report")
    );
    assert_eq!(d.meta.date.as_deref(), Some("2026-10-07"));
    let h = headings(&d);
    assert_eq!(h[0], (Some("I.".into()), "Introduction".into(), 1));
    assert_eq!(h[2], (Some("1)".into()), "Survey".into(), 2));
    assert!(
        !d.blocks
            .iter()
            .any(|b| b.plain_text().contains("7 October"))
    );
    // Bold first paragraphs are the title, and the reader says so.
    for f in ["plain-title.md", "plain-title.docx", "plain-title.pdf"] {
        let d = read(&dir.join(f));
        assert_eq!(
            d.meta.title.as_deref(),
            Some("BPF Data and New Technologies 2026 Draft output report"),
            "{f}"
        );
        assert!(
            d.warnings
                .iter()
                .any(|w| w.contains("taken from the first")),
            "{f}: {:?}",
            d.warnings
        );
        assert!(matches!(d.blocks[0], Block::Heading { .. }), "{f}");
    }
}
