//! The user's takeaways file (`--from takeaways.md`).
//!
//! Takes the bytes of a small Markdown file: bullets (`-`, `*`, `+` or
//! `1.`), optionally grouped under headings "Takeaways", "Recommendations",
//! "Next steps" (any level, any wording containing those words), and
//! optional plain paragraphs; gives a [`Document`] of heading, list and
//! paragraph blocks located by line, which [`super::select`] reads like a
//! report section. Only top-level bullets count; nested bullets are detail.
//!
//! Errors name the file and the reason: not UTF-8, larger than
//! [`MAX_FILE_BYTES`], or no bullet and no paragraph at all.

use crate::model::{Block, Document, Format, Inline, List, ListItem, Location};
use pulldown_cmark::{Event, Parser, Tag, TagEnd};

/// Largest takeaways file accepted (a two-page sheet needs far less).
pub const MAX_FILE_BYTES: usize = 1 << 20;

/// A takeaways file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("{path}: cannot read: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {reason}")]
    Invalid { path: String, reason: String },
}

/// Read and parse a takeaways file.
pub fn read(path: &std::path::Path) -> Result<Document, FileError> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|source| FileError::Io {
        path: shown.clone(),
        source,
    })?;
    if meta.len() > MAX_FILE_BYTES as u64 {
        return Err(FileError::Invalid {
            path: shown,
            reason: format!(
                "{} bytes is too large for a takeaways file (limit {MAX_FILE_BYTES}); \
                 give the bullets only",
                meta.len()
            ),
        });
    }
    let bytes = std::fs::read(path).map_err(|source| FileError::Io {
        path: shown.clone(),
        source,
    })?;
    parse(&bytes, &shown)
}

/// Parse the bytes of a takeaways file named `source`.
pub fn parse(bytes: &[u8], source: &str) -> Result<Document, FileError> {
    let invalid = |reason: String| FileError::Invalid {
        path: source.to_string(),
        reason,
    };
    if bytes.len() > MAX_FILE_BYTES {
        return Err(invalid(format!(
            "{} bytes is too large for a takeaways file (limit {MAX_FILE_BYTES})",
            bytes.len()
        )));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        invalid(format!(
            "line {line}: not UTF-8 text; save the file as UTF-8"
        ))
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let line_of = |offset: usize| -> u32 {
        let n = text.as_bytes()[..offset.min(text.len())]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        u32::try_from(n + 1).unwrap_or(u32::MAX)
    };

    let mut doc = Document::new(source, Format::Markdown);
    let mut buf = String::new();
    // Nesting of lists: items are taken at depth 1 only.
    let mut list_depth = 0usize;
    let mut item_depth = 0usize;
    let mut current: Option<(Location, List)> = None;
    let mut heading: Option<(u8, Location)> = None;
    let mut para: Option<Location> = None;

    for (event, range) in Parser::new(text).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, Location::Line(line_of(range.start))));
                buf.clear();
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, loc)) = heading.take() {
                    doc.blocks.push(Block::Heading {
                        loc,
                        level,
                        label: None,
                        text: collapse(&buf),
                    });
                }
                buf.clear();
            }
            Event::Start(Tag::List(start)) => {
                list_depth += 1;
                if list_depth == 1 {
                    current = Some((
                        Location::Line(line_of(range.start)),
                        List {
                            ordered: start.is_some(),
                            ..List::default()
                        },
                    ));
                }
            }
            Event::End(TagEnd::List(_)) => {
                list_depth = list_depth.saturating_sub(1);
                if list_depth == 0
                    && let Some((loc, list)) = current.take()
                    && !list.items.is_empty()
                {
                    doc.blocks.push(Block::List { loc, list });
                }
            }
            Event::Start(Tag::Item) => {
                item_depth += 1;
                if item_depth == 1 {
                    buf.clear();
                }
            }
            Event::End(TagEnd::Item) => {
                if item_depth == 1
                    && let Some((_, list)) = current.as_mut()
                {
                    let t = collapse(&buf);
                    if !t.is_empty() {
                        list.items.push(ListItem {
                            inlines: vec![Inline::text(t)],
                            children: Vec::new(),
                        });
                    }
                    buf.clear();
                }
                item_depth = item_depth.saturating_sub(1);
            }
            Event::Start(Tag::Paragraph) if list_depth == 0 => {
                para = Some(Location::Line(line_of(range.start)));
                buf.clear();
            }
            Event::End(TagEnd::Paragraph) if list_depth == 0 => {
                if let Some(loc) = para.take() {
                    let t = collapse(&buf);
                    if !t.is_empty() {
                        doc.blocks.push(Block::Paragraph {
                            loc,
                            inlines: vec![Inline::text(t)],
                        });
                    }
                }
                buf.clear();
            }
            // Text of nested items is dropped: only top-level bullets count.
            Event::Text(t) | Event::Code(t) if item_depth <= 1 => buf.push_str(&t),
            Event::SoftBreak | Event::HardBreak if item_depth <= 1 => buf.push(' '),
            Event::End(TagEnd::Paragraph) if item_depth == 1 => buf.push(' '),
            _ => {}
        }
    }
    let usable = doc
        .blocks
        .iter()
        .any(|b| matches!(b, Block::List { .. } | Block::Paragraph { .. }));
    if !usable {
        return Err(invalid(
            "no bullets found; write one takeaway per line starting with \"- \", \
             optionally under headings \"Takeaways\" and \"Recommendations\""
                .into(),
        ));
    }
    doc.finish();
    Ok(doc)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bullets_under_headings_with_lines() {
        let text = "# Takeaways\n\n- First *point*\n  continued.\n- Second\n  - nested detail\n\n## Next steps\n\n1. Meet again.\n";
        let d = parse(text.as_bytes(), "k.md").unwrap();
        assert_eq!(d.blocks.len(), 4);
        match &d.blocks[1] {
            Block::List { list, loc } => {
                assert_eq!(*loc, Location::Line(3));
                let t: Vec<_> = list.items.iter().map(|i| i.inlines[0].clone()).collect();
                assert_eq!(
                    t,
                    vec![
                        Inline::text("First point continued."),
                        Inline::text("Second")
                    ]
                );
            }
            b => panic!("{b:?}"),
        }
        assert!(matches!(&d.blocks[2], Block::Heading { text, .. } if text == "Next steps"));
        assert!(matches!(&d.blocks[3], Block::List { list, .. } if list.ordered));
    }

    #[test]
    fn empty_and_binary_files_are_refused_with_reason() {
        let e = parse(b"# Takeaways\n\n", "k.md").unwrap_err().to_string();
        assert!(e.starts_with("k.md: no bullets found"), "{e}");
        let e = parse(b"- ok\n\xff\xfe", "k.md").unwrap_err().to_string();
        assert!(e.contains("k.md: line 2: not UTF-8"), "{e}");
    }
}
