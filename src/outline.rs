//! The human outline of an ingested [`Document`] printed by `bpfpress ingest`:
//! metadata, the headings tree with locations and the content under each
//! heading (paragraphs, lists, tables, images, footnote references, and the
//! comments and tracked changes whose location falls in the section), then
//! totals and the reader's warnings.

use crate::model::{Block, Document, Inline, Location, NoteKind, RevisionKind};
use std::fmt::Write;

/// Counts of body content.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub paragraphs: usize,
    pub lists: usize,
    pub tables: usize,
    pub images: usize,
    /// Footnote / endnote references.
    pub notes: usize,
    pub comments: usize,
    pub revisions: usize,
}

impl Counts {
    fn add(&mut self, b: &Block) {
        match b {
            Block::Paragraph { .. } => self.paragraphs += 1,
            Block::List { .. } => self.lists += 1,
            Block::Table { .. } => self.tables += 1,
            Block::Image { .. } => self.images += 1,
            Block::Heading { .. } => {}
        }
        self.notes += b
            .inlines()
            .iter()
            .filter(|i| matches!(i, Inline::NoteRef { .. }))
            .count();
    }

    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (n, one, many) in [
            (self.paragraphs, "paragraph", "paragraphs"),
            (self.lists, "list", "lists"),
            (self.tables, "table", "tables"),
            (self.images, "image", "images"),
            (self.notes, "note ref", "note refs"),
            (self.comments, "comment", "comments"),
            (self.revisions, "revision", "revisions"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {}", if n == 1 { one } else { many }));
            }
        }
        if parts.is_empty() {
            "empty".into()
        } else {
            parts.join(", ")
        }
    }
}

/// Render the outline as text.
pub fn outline(doc: &Document) -> String {
    let m = &doc.meta;
    let mut out = String::new();
    let pages = m.pages.map(|p| format!(", {p} pages")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{}  ({}{pages}, {} words)",
        m.source, m.format, m.words
    );
    let field = |v: Option<&str>| v.unwrap_or("—").to_string();
    let _ = writeln!(out, "  title:    {}", field(m.title.as_deref()));
    if let Some(s) = &m.subtitle {
        let _ = writeln!(out, "  subtitle: {s}");
    }
    let authors = if m.authors.is_empty() {
        "—".to_string()
    } else {
        m.authors.join("; ")
    };
    let _ = writeln!(out, "  editors:  {authors}");
    let _ = writeln!(out, "  date:     {}", field(m.date.as_deref()));
    if let Some(l) = &m.language {
        let _ = writeln!(out, "  language: {l}");
    }
    out.push('\n');

    let mut total = Counts::default();
    let mut before = Counts::default();
    let mut rows: Vec<(String, String, Counts)> = Vec::new();
    for b in &doc.blocks {
        total.add(b);
        match b {
            Block::Heading {
                level,
                label,
                text,
                loc,
            } => {
                let indent = "  ".repeat(usize::from(level.saturating_sub(1)));
                let label = label
                    .as_deref()
                    .map(|l| format!("{l} "))
                    .unwrap_or_default();
                rows.push((
                    format!("{indent}{label}{text}"),
                    loc.to_string(),
                    Counts::default(),
                ));
            }
            other => match rows.last_mut() {
                Some(r) => r.2.add(other),
                None => before.add(other),
            },
        }
    }
    // Comments and revisions go to the section their location falls in.
    let heading_locs: Vec<Location> = doc.headings().map(|(_, b)| b.loc()).collect();
    let mut attribute = |loc: Option<Location>, comment: bool| {
        let idx = loc.and_then(|l| {
            heading_locs
                .iter()
                .rposition(|h| std::mem::discriminant(h) == std::mem::discriminant(&l) && *h <= l)
        });
        let c = match idx {
            Some(i) => &mut rows[i].2,
            None => &mut before,
        };
        if comment {
            c.comments += 1;
        } else {
            c.revisions += 1;
        }
    };
    for c in &doc.comments {
        attribute(c.loc, true);
    }
    for r in &doc.revisions {
        attribute(Some(r.loc), false);
    }
    if rows.is_empty() {
        out.push_str("(no headings found)\n");
    } else {
        if before != Counts::default() {
            let _ = writeln!(out, "(before the first heading: {})", before.describe());
        }
        let width = rows
            .iter()
            .map(|r| r.0.chars().count())
            .max()
            .unwrap_or(0)
            .min(72);
        for (title, loc, counts) in &rows {
            let title = truncate(title, 72);
            let pad = width.saturating_sub(title.chars().count());
            let _ = writeln!(
                out,
                "{title}{}  {loc:<9} {}",
                " ".repeat(pad),
                counts.describe()
            );
        }
    }
    out.push('\n');
    let foot = doc
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Footnote)
        .count();
    let end = doc.notes.len() - foot;
    let ins = doc
        .revisions
        .iter()
        .filter(|r| r.kind == RevisionKind::Insert)
        .count();
    let del = doc.revisions.len() - ins;
    let _ = writeln!(
        out,
        "{} headings; {}; {foot} footnotes, {end} endnotes; {} comments; {ins} insertions, {del} deletions",
        rows.len(),
        total.describe(),
        doc.comments.len(),
    );
    for w in &doc.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max - 1).collect();
        t.push('…');
        t
    }
}
