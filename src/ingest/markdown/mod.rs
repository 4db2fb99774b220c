//! Markdown and plain-text reader.
//!
//! Takes the bytes of a `.md`/`.txt` draft; gives a [`Document`] whose
//! blocks carry [`Location::Line`] (1-based source lines).
//!
//! Stages, each in its own module:
//! 1. [`decode`]: UTF-8 (BOM optional) or UTF-16 with BOM; anything else is
//!    an error naming the line and byte offset of the first bad sequence.
//! 2. [`convert`]: pulldown-cmark (CommonMark + tables, footnotes,
//!    strikethrough, YAML metadata blocks) into blocks, notes and the raw
//!    front matter, which [`frontmatter`] turns into metadata.
//! 3. [`supnotes`]: footnotes typed as superscript numerals (`¹`, `³⁷`,
//!    `^{4, 5}` with `¹ …` definition paragraphs) into notes and references.
//! 4. [`plain`]: only when the text has (almost) no `#`/setext headings —
//!    headings inferred from numbering labels (`A.`, `a.`, `IV.`, `Annexe 1`)
//!    and standalone short lines, a typed title page into title/date, a typed
//!    table of contents removed, editors into authors. Always reported in
//!    [`Document::warnings`].

pub mod convert;
pub mod decode;
pub mod frontmatter;
pub mod images;
pub mod plain;
pub mod supnotes;

use super::{IngestErrorKind, Limits, front};
use crate::model::{Block, Document, Format};

/// Most `#` headings a document may have and still get inferred headings
/// (a lone `# Title` over plain-text sections is common in pasted drafts).
pub const MAX_REAL_HEADINGS_FOR_INFERENCE: usize = 1;

/// Read a Markdown or plain-text draft.
pub fn read_markdown(
    bytes: &[u8],
    source: &str,
    limits: &Limits,
) -> Result<Document, IngestErrorKind> {
    let text = decode::decode(bytes)?;
    if text.trim().is_empty() {
        return Err(IngestErrorKind::Unsupported(
            "contains only whitespace: there is no text to read".into(),
        ));
    }
    Ok(read_str(&text, source, limits))
}

/// Read Markdown text that is already decoded. Never fails.
pub fn read_str(text: &str, source: &str, limits: &Limits) -> Document {
    let mut doc = Document::new(source, Format::Markdown);
    let parsed = convert::parse(text, limits.max_xml_depth);
    doc.warnings.extend(parsed.warnings);
    if let Some(yaml) = &parsed.front_matter {
        doc.warnings.extend(frontmatter::apply(yaml, &mut doc.meta));
    }
    doc.notes = parsed.notes;
    let mut nodes = parsed.nodes;

    let sup = supnotes::apply(&mut nodes, &doc.notes);
    if !sup.is_empty() {
        doc.warnings.push(format!(
            "{} footnotes read from superscript numerals (definitions as paragraphs starting with ¹, ², …)",
            sup.len()
        ));
        doc.notes.extend(sup);
    }

    let real_headings = nodes
        .iter()
        .filter(|n| matches!(n.block, Block::Heading { .. }))
        .count();
    if real_headings <= MAX_REAL_HEADINGS_FOR_INFERENCE {
        // A lone `# Title` over plain-text sections: the sections are
        // inferred without it, and it is the title if there are any (as
        // front::title_page reads a lone top heading over `##` sections).
        let lone = lone_title(&nodes, &doc.meta);
        let held = lone.map(|i| nodes.remove(i));
        let r = plain::infer(&mut nodes, &mut doc.meta);
        match held {
            Some(h) if r.headings > 0 => {
                let title = collapse_heading(&h.block);
                doc.warnings.push(format!(
                    "the only '#' heading, \"{title}\", is read as the document's title"
                ));
                doc.meta.title.get_or_insert(title);
            }
            Some(h) => nodes.insert(lone.unwrap_or(0).min(nodes.len()), h),
            None => {}
        }
        if let Some((a, b)) = r.title_page {
            doc.warnings.push(format!(
                "lines {a}-{b} read as a title page: title and date taken into the metadata"
            ));
        }
        if let Some((a, b)) = r.toc {
            doc.warnings.push(format!(
                "lines {a}-{b} are a typed table of contents and were skipped"
            ));
        }
        if r.headings > 0 {
            doc.warnings.push(format!(
                "no Markdown headings ('#'): {} headings were inferred from numbering labels \
                 (A., a., I., Annexe 1) and standalone short lines; use '#' headings to be exact",
                r.headings
            ));
        }
    }
    doc.blocks = nodes.into_iter().map(convert::Node::finish).collect();
    front::title_page(&mut doc, &front::bold);
    front::warn_if_untitled(&mut doc);
    doc.finish();
    doc
}

/// The index of a lone level-1 `#` heading that opens the draft (after at
/// most a few short lines), when the front matter declares no other title.
fn lone_title(nodes: &[convert::Node], meta: &crate::model::Metadata) -> Option<usize> {
    let i = nodes
        .iter()
        .position(|n| matches!(n.block, Block::Heading { .. }))?;
    let Block::Heading {
        level: 1,
        label: None,
        ..
    } = nodes[i].block
    else {
        return None;
    };
    let before_ok = i <= 3 && nodes[..i].iter().all(|n| n.is_single_line_paragraph());
    let title = collapse_heading(&nodes[i].block);
    let same = meta
        .title
        .as_deref()
        .is_none_or(|t| t.split_whitespace().eq(title.split_whitespace()));
    (before_ok && same).then_some(i)
}

/// A heading's label and text as one line.
fn collapse_heading(b: &Block) -> String {
    match b {
        Block::Heading {
            label: Some(l),
            text,
            ..
        } => format!("{l} {}", convert::collapse_ws(text)),
        other => convert::collapse_ws(&other.plain_text()),
    }
}
