//! Shared helpers for the check tests.
//!
//! `load` reads a crafted draft (`fixtures/drafts/*.md`) with the real
//! Markdown reader. Until that reader has landed on this branch (it returns
//! `Unsupported`), `load` falls back to `mini_markdown` below — a deliberately
//! small reader for the subset the crafted drafts use (YAML front matter,
//! ATX headings, paragraphs, `-`/`1.` lists, `|` tables, `[text](target)`
//! links, `[^id]` footnotes) — and says so on stderr. The check stage under
//! test is the same either way; the locations are 1-based source lines in
//! both.

#![allow(dead_code)]

use bpfpress::check::{CheckOptions, CheckReport, Checklist, check};
use bpfpress::ingest::{IngestErrorKind, Limits, read_path};
use bpfpress::model::{
    Block, Document, Format, Inline, List, ListItem, Location, Note, NoteKind, TableCell, TableRow,
};
use std::path::{Path, PathBuf};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn draft_path(name: &str) -> PathBuf {
    root().join("fixtures/drafts").join(name)
}

/// Ingest a crafted draft (see the module doc).
pub fn load(name: &str) -> Document {
    let path = draft_path(name);
    match read_path(&path, &Limits::default()) {
        Ok(d) => d,
        Err(e) if matches!(e.kind, IngestErrorKind::Unsupported(_)) => {
            eprintln!("note: Markdown reader not available ({e}); using the test mini reader");
            let text = std::fs::read_to_string(&path).unwrap();
            mini_markdown(&text, &path.display().to_string())
        }
        Err(e) => panic!("{e}"),
    }
}

pub fn check_draft(name: &str) -> CheckReport {
    check(&load(name), &Checklist::builtin(), &CheckOptions::default())
}

pub fn check_doc(doc: &Document) -> CheckReport {
    check(doc, &Checklist::builtin(), &CheckOptions::default())
}

/// Parse inline text: links and footnote references.
pub fn inlines(s: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("[^")
            && let Some(end) = r.find(']')
        {
            if !text.is_empty() {
                out.push(Inline::text(std::mem::take(&mut text)));
            }
            out.push(Inline::NoteRef {
                id: r[..end].to_string(),
            });
            rest = &r[end + 1..];
            continue;
        }
        if let Some(r) = rest.strip_prefix('[')
            && let Some(end) = r.find("](")
            && let Some(close) = r[end + 2..].find(')')
        {
            if !text.is_empty() {
                out.push(Inline::text(std::mem::take(&mut text)));
            }
            out.push(Inline::Link {
                text: r[..end].to_string(),
                target: r[end + 2..end + 2 + close].to_string(),
            });
            rest = &r[end + 2 + close + 1..];
            continue;
        }
        let c = rest.chars().next().unwrap();
        text.push(c);
        rest = &rest[c.len_utf8()..];
    }
    if !text.is_empty() {
        out.push(Inline::text(text));
    }
    out
}

fn list_item(line: &str) -> Option<(bool, &str)> {
    let t = line.trim_start();
    if let Some(r) = t.strip_prefix("- ").or_else(|| t.strip_prefix("* ")) {
        return Some((false, r));
    }
    let digits = t.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits > 0 && t[digits..].starts_with(". ") {
        return Some((true, &t[digits + 2..]));
    }
    None
}

/// The test mini reader (see the module doc).
pub fn mini_markdown(text: &str, source: &str) -> Document {
    let mut doc = Document::new(source, Format::Markdown);
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    if lines.first() == Some(&"---") {
        i = 1;
        let mut in_authors = false;
        while i < lines.len() && lines[i] != "---" {
            let l = lines[i];
            if in_authors && let Some(a) = l.trim().strip_prefix("- ") {
                doc.meta
                    .authors
                    .push(a.trim().trim_matches('"').to_string());
            } else if let Some((k, v)) = l.split_once(':') {
                in_authors = false;
                let v = v.trim().trim_matches('"').to_string();
                match k.trim() {
                    "title" => doc.meta.title = Some(v),
                    "date" => doc.meta.date = Some(v),
                    "author" | "authors" | "editors" => {
                        if v.is_empty() {
                            in_authors = true;
                        } else {
                            doc.meta.authors.push(v);
                        }
                    }
                    _ => {}
                }
            }
            i += 1;
        }
        i += 1;
    }
    while i < lines.len() {
        let line = lines[i];
        let loc = Location::Line(i as u32 + 1);
        if line.trim().is_empty() {
            i += 1;
        } else if line.starts_with('#') {
            let level = line.chars().take_while(|&c| c == '#').count() as u8;
            doc.blocks.push(Block::Heading {
                loc,
                level,
                label: None,
                text: line[level as usize..].trim().to_string(),
            });
            i += 1;
        } else if let Some(r) = line.strip_prefix("[^")
            && let Some((id, t)) = r.split_once("]:")
        {
            doc.notes.push(Note {
                id: id.to_string(),
                kind: NoteKind::Footnote,
                text: t.trim().to_string(),
                loc: Some(loc),
            });
            i += 1;
        } else if line.starts_with('|') {
            let mut rows = Vec::new();
            while i < lines.len() && lines[i].starts_with('|') {
                let l = lines[i].trim().trim_matches('|');
                if !l
                    .chars()
                    .all(|c| c == '-' || c == '|' || c == ':' || c == ' ')
                {
                    rows.push(TableRow {
                        header: rows.is_empty(),
                        cells: l
                            .split('|')
                            .map(|c| TableCell {
                                inlines: inlines(c.trim()),
                                colspan: 1,
                            })
                            .collect(),
                    });
                }
                i += 1;
            }
            doc.blocks.push(Block::Table { loc, rows });
        } else if let Some((ordered, _)) = list_item(line) {
            let mut list = List {
                ordered,
                ..List::default()
            };
            while i < lines.len() && !lines[i].trim().is_empty() {
                match list_item(lines[i]) {
                    Some((_, t)) => list.items.push(ListItem {
                        inlines: inlines(t),
                        children: Vec::new(),
                    }),
                    None => {
                        if let Some(last) = list.items.last_mut() {
                            last.inlines
                                .push(Inline::text(format!(" {}", lines[i].trim())));
                        }
                    }
                }
                i += 1;
            }
            doc.blocks.push(Block::List { loc, list });
        } else {
            let mut para = String::new();
            while i < lines.len()
                && !lines[i].trim().is_empty()
                && !lines[i].starts_with('#')
                && !lines[i].starts_with("[^")
            {
                if !para.is_empty() {
                    para.push(' ');
                }
                para.push_str(lines[i].trim());
                i += 1;
            }
            doc.blocks.push(Block::Paragraph {
                loc,
                inlines: inlines(&para),
            });
        }
    }
    doc.finish();
    doc
}

/// A paragraph block at `line` for hand-built documents.
pub fn para(line: u32, text: &str) -> Block {
    Block::Paragraph {
        loc: Location::Line(line),
        inlines: inlines(text),
    }
}

pub fn heading(line: u32, level: u8, text: &str) -> Block {
    Block::Heading {
        loc: Location::Line(line),
        level,
        label: None,
        text: text.to_string(),
    }
}

pub fn path_str(p: &Path) -> String {
    p.display().to_string()
}
