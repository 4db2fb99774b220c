//! Draft-hygiene rules: things to fix before a draft goes out, independent
//! of the checklist. Each rule has a stable id and a severity; a rule that
//! fires gives one [`Finding`] listing every occurrence with its location.
//!
//! | id | severity | fires when |
//! | --- | --- | --- |
//! | `tracked-changes` | error | tracked insertions/deletions remain |
//! | `comments` | error | reviewer comments remain |
//! | `placeholder` | error | TODO, TBD, TBC, XXX, FIXME, `[insert …]`, `??`, lorem ipsum |
//! | `empty-link` | warning | a link's target is empty or `#` |
//! | `figure-without-alt` | warning | a figure has no alt text (a screen reader cannot describe it; PDF/UA refuses it) |
//! | `undefined-footnote` | error | a footnote reference has no footnote text |
//! | `unreferenced-footnote` | warning | a footnote is never referenced |
//! | `missing-title` | error | no title |
//! | `missing-date` | warning | no date |
//! | `missing-editors` | warning | no editors/authors |
//! | `public-comment-deadline` | error (late) / warning (cannot tell) | with `--meeting-date`: the draft is not dated ≥ 42 days before the meeting |
//! | `differing-views` | info | the draft says views differed; says whether they are presented |

use super::detect::{excerpt, fold_ascii};
use super::{CheckOptions, Finding, Item, Severity, Timing};
use crate::dates::{Date, PartialDate};
use crate::model::{Block, Document, Inline, Location};
use regex::Regex;
use std::collections::{BTreeSet, HashSet};
use std::sync::LazyLock;

/// Most occurrences listed per finding (the count stays exact).
pub const MAX_ITEMS: usize = 50;

/// The public-comment period the modalities ask for: drafts online about
/// six weeks before the annual meeting.
pub const PUBLIC_COMMENT_DAYS: i64 = 42;

/// The model's draft date as a range of days: `YYYY-MM-DD` is one day,
/// `YYYY-MM` the whole month; a year alone says too little.
fn draft_date_range(s: &str) -> Option<(Date, Date)> {
    let d = PartialDate::parse(s)?;
    d.month?;
    Some((d.first_day(), d.last_day()))
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:TODO|TBD|TBC|FIXME|XXX+)\b",
        r"|(?i:\[\s*insert\b[^\]]*\])",
        r"|\?\?+",
        r"|(?i:\blorem ipsum\b)",
    ))
    .expect("static regex")
});

/// A footnote reference left as literal text (Markdown `[^9]` with no
/// definition is not parsed as a reference, so it stays in the text).
static LITERAL_NOTE_REF: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[\^([^\]\s]+)\]").expect("static regex"));

static DIFFERING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\bviews (?:differed|diverged|were (?:divided|split|mixed))\b",
        r"|(?i)\b(?:differing|divergent|diverging|opposing|conflicting|divided) (?:views|opinions|positions)\b",
        r"|(?i)\bno (?:clear )?consensus\b",
        r"|(?i)\b(?:did not|could not|do not) agree\b",
        r"|(?i)\bdisagree(?:d|ment)\b",
    ))
    .expect("static regex")
});

static PRESENTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\bminority (?:view|opinion|position)s?\b",
        r"|(?i)\bdissent(?:ing)?\b",
        r"|(?i)\b(?:some|other|several|many) (?:participants|stakeholders|respondents|contributors|members) (?:argued|felt|believed|considered|noted|stressed|said|warned|were of the (?:view|opinion))\b",
        r"|(?i)\bothers (?:argued|felt|believed|considered|noted|stressed|said|warned|were of the (?:view|opinion))\b",
        r"|(?i)\bwhile others\b",
        r"|(?i)\b(?:one|another|a different|an opposing|the opposite) view\b",
    ))
    .expect("static regex")
});

/// Run every rule. Returns the findings (errors first) and the
/// public-comment timing when a meeting date was given.
///
/// `texts` are the blocks' plain texts and `folded` the same texts folded to
/// ASCII with offsets kept (`detect::fold_ascii`): patterns run on `folded`,
/// excerpts are cut from `texts`.
pub(crate) fn run(
    doc: &Document,
    opts: &CheckOptions,
    texts: &[String],
    folded: &[String],
) -> (Vec<Finding>, Option<Timing>) {
    let mut out = Vec::new();
    tracked_changes(doc, &mut out);
    comments(doc, &mut out);
    placeholders(doc, texts, folded, &mut out);
    links_and_notes(doc, texts, &mut out);
    figures_without_alt(doc, &mut out);
    metadata(doc, &mut out);
    let timing = opts.meeting_date.map(|m| deadline(doc, m, &mut out));
    differing_views(doc, texts, folded, &mut out);
    out.sort_by_key(|f| f.severity);
    (out, timing)
}

fn finding(
    rule: &str,
    severity: Severity,
    message: String,
    items: Vec<Item>,
    authors: Vec<String>,
) -> Finding {
    let count = items.len();
    let mut items = items;
    items.truncate(MAX_ITEMS);
    Finding {
        rule: rule.into(),
        severity,
        message,
        count,
        authors,
        items,
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn distinct_authors<'a>(names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    for n in names {
        let n = n.trim();
        seen.insert(if n.is_empty() { "(unknown)" } else { n }.to_string());
    }
    seen.into_iter().collect()
}

fn tracked_changes(doc: &Document, out: &mut Vec<Finding>) {
    if doc.revisions.is_empty() {
        return;
    }
    let authors = distinct_authors(doc.revisions.iter().map(|r| r.author.as_str()));
    let items = doc
        .revisions
        .iter()
        .map(|r| Item {
            loc: Some(r.loc),
            text: format!(
                "{}: {}",
                match r.kind {
                    crate::model::RevisionKind::Insert => "inserted",
                    crate::model::RevisionKind::Delete => "deleted",
                },
                excerpt(&r.text, 0, 0)
            ),
            author: Some(r.author.clone()),
        })
        .collect::<Vec<_>>();
    let msg = format!(
        "{} by {}; accept or reject them before the draft goes out",
        plural(
            items.len(),
            "unresolved tracked change",
            "unresolved tracked changes"
        ),
        authors.join(", ")
    );
    out.push(finding(
        "tracked-changes",
        Severity::Error,
        msg,
        items,
        authors,
    ));
}

fn comments(doc: &Document, out: &mut Vec<Finding>) {
    if doc.comments.is_empty() {
        return;
    }
    let authors = distinct_authors(doc.comments.iter().map(|c| c.author.as_str()));
    let items = doc
        .comments
        .iter()
        .map(|c| Item {
            loc: c.loc,
            text: excerpt(&c.text, 0, 0),
            author: Some(c.author.clone()),
        })
        .collect::<Vec<_>>();
    let msg = format!(
        "{} by {}; resolve or delete them",
        plural(items.len(), "unresolved comment", "unresolved comments"),
        authors.join(", ")
    );
    out.push(finding("comments", Severity::Error, msg, items, authors));
}

fn placeholders(doc: &Document, texts: &[String], folded: &[String], out: &mut Vec<Finding>) {
    let mut items = Vec::new();
    let mut scan = |text: &str, folded: &str, loc: Option<Location>| {
        for m in PLACEHOLDER.find_iter(folded) {
            items.push(Item {
                loc,
                text: format!(
                    "\"{}\" in: {}",
                    &text[m.range()],
                    excerpt(text, m.start(), m.end())
                ),
                author: None,
            });
        }
    };
    for t in [&doc.meta.title, &doc.meta.subtitle].into_iter().flatten() {
        scan(t, &fold_ascii(t), None);
    }
    for (i, b) in doc.blocks.iter().enumerate() {
        scan(&texts[i], &folded[i], Some(b.loc()));
    }
    for n in &doc.notes {
        scan(&n.text, &fold_ascii(&n.text), n.loc);
    }
    if !items.is_empty() {
        let msg = format!(
            "{} left in the draft; fill them in or remove them",
            plural(items.len(), "placeholder", "placeholders")
        );
        out.push(finding(
            "placeholder",
            Severity::Error,
            msg,
            items,
            Vec::new(),
        ));
    }
}

fn links_and_notes(doc: &Document, texts: &[String], out: &mut Vec<Finding>) {
    let mut empty = Vec::new();
    let mut refs: Vec<(String, Location)> = Vec::new();
    for b in &doc.blocks {
        for i in b.inlines() {
            match i {
                Inline::Link { target, text } => {
                    let t = target.trim();
                    if t.is_empty() || t == "#" {
                        empty.push(Item {
                            loc: Some(b.loc()),
                            text: format!("[{}]({})", text.trim(), t),
                            author: None,
                        });
                    }
                }
                Inline::NoteRef { id } => refs.push((id.clone(), b.loc())),
                _ => {}
            }
        }
    }
    if !empty.is_empty() {
        let msg = format!(
            "{} with an empty or '#' target; add the real address or remove the link",
            plural(empty.len(), "link", "links")
        );
        out.push(finding(
            "empty-link",
            Severity::Warning,
            msg,
            empty,
            Vec::new(),
        ));
    }

    let defined: HashSet<&str> = doc.notes.iter().map(|n| n.id.as_str()).collect();
    let mut undefined: Vec<(Location, String)> = refs
        .iter()
        .filter(|(id, _)| !defined.contains(id.as_str()))
        .map(|(id, loc)| (*loc, id.clone()))
        .collect();
    for (b, text) in doc.blocks.iter().zip(texts) {
        for c in LITERAL_NOTE_REF.captures_iter(text) {
            if !defined.contains(&c[1]) {
                undefined.push((b.loc(), c[1].to_string()));
            }
        }
    }
    undefined.sort();
    let undefined: Vec<Item> = undefined
        .into_iter()
        .map(|(loc, id)| Item {
            loc: Some(loc),
            text: format!("reference to note {id}"),
            author: None,
        })
        .collect();
    if !undefined.is_empty() {
        let msg = format!(
            "{} without a footnote text; add the note or remove the reference",
            plural(undefined.len(), "footnote reference", "footnote references")
        );
        out.push(finding(
            "undefined-footnote",
            Severity::Error,
            msg,
            undefined,
            Vec::new(),
        ));
    }
    let referenced: HashSet<&str> = refs.iter().map(|(id, _)| id.as_str()).collect();
    let orphans: Vec<Item> = doc
        .notes
        .iter()
        .filter(|n| !referenced.contains(n.id.as_str()))
        .map(|n| Item {
            loc: n.loc,
            text: format!("note {}: {}", n.id, excerpt(&n.text, 0, 0)),
            author: None,
        })
        .collect();
    if !orphans.is_empty() {
        let msg = format!(
            "{} never referenced in the text; reference or delete them",
            plural(orphans.len(), "footnote is", "footnotes are")
        );
        out.push(finding(
            "unreferenced-footnote",
            Severity::Warning,
            msg,
            orphans,
            Vec::new(),
        ));
    }
}

/// Rule `figure-without-alt`: each figure whose alt text is missing or
/// blank, named by its place and its caption or file.
fn figures_without_alt(doc: &Document, out: &mut Vec<Finding>) {
    let items: Vec<Item> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Image {
                loc,
                alt,
                caption,
                src,
                ..
            } if blank(alt) => Some(Item {
                loc: Some(*loc),
                text: caption.as_deref().or(src.as_deref()).map_or_else(
                    || "a figure".to_string(),
                    |w| format!("figure: {}", w.chars().take(80).collect::<String>()),
                ),
                author: None,
            }),
            _ => None,
        })
        .collect();
    if !items.is_empty() {
        let msg = format!(
            "{} without alt text; describe each one (Word: right-click the picture › View Alt \
             Text; Markdown: ![description](file.png)) — PDF/UA-1 output refuses figures \
             without it",
            plural(items.len(), "figure", "figures")
        );
        out.push(finding(
            "figure-without-alt",
            Severity::Warning,
            msg,
            items,
            Vec::new(),
        ));
    }
}

fn blank(s: &Option<String>) -> bool {
    s.as_deref().is_none_or(|t| t.trim().is_empty())
}

fn metadata(doc: &Document, out: &mut Vec<Finding>) {
    if blank(&doc.meta.title) {
        out.push(finding(
            "missing-title",
            Severity::Error,
            "the draft has no title (document properties, front matter or a title line)".into(),
            Vec::new(),
            Vec::new(),
        ));
    }
    if blank(&doc.meta.date) {
        out.push(finding(
            "missing-date",
            Severity::Warning,
            "the draft has no date; date it so readers know which version they have".into(),
            Vec::new(),
            Vec::new(),
        ));
    }
    if doc.meta.authors.iter().all(|a| a.trim().is_empty()) {
        out.push(finding(
            "missing-editors",
            Severity::Warning,
            "the draft names no editors or authors".into(),
            Vec::new(),
            Vec::new(),
        ));
    }
}

fn deadline(doc: &Document, meeting: Date, out: &mut Vec<Finding>) -> Timing {
    let last = meeting.plus_days(-PUBLIC_COMMENT_DAYS);
    let draft = doc
        .meta
        .date
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let range = draft.and_then(draft_date_range);
    let on_time = range.and_then(|(first, lastday)| {
        if lastday <= last {
            Some(true)
        } else if first > last {
            Some(false)
        } else {
            None
        }
    });
    let timing = Timing {
        meeting_date: meeting.to_string(),
        deadline: last.to_string(),
        draft_date: draft.map(str::to_string),
        on_time,
    };
    match (draft, range, on_time) {
        (_, _, Some(true)) => {}
        (Some(d), Some(_), Some(false)) => {
            let days = range.map(|(f, _)| f.to_days() - last.to_days()).unwrap_or(0);
            out.push(finding(
                "public-comment-deadline",
                Severity::Error,
                format!(
                    "the draft is dated {d}, {} after {last}, the last day for a draft six weeks ({PUBLIC_COMMENT_DAYS} days) before the annual meeting on {meeting}",
                    plural(days as usize, "day", "days")
                ),
                Vec::new(),
                Vec::new(),
            ));
        }
        (Some(d), Some(_), None) => out.push(finding(
            "public-comment-deadline",
            Severity::Warning,
            format!(
                "the draft is dated {d} (month only), which straddles {last}, the last day for a draft six weeks before the meeting on {meeting}; give the exact day"
            ),
            Vec::new(),
            Vec::new(),
        )),
        (Some(d), None, _) => out.push(finding(
            "public-comment-deadline",
            Severity::Warning,
            format!(
                "cannot read the draft's date {d:?} as YYYY-MM-DD or YYYY-MM, so the six-week rule (draft by {last}) cannot be checked"
            ),
            Vec::new(),
            Vec::new(),
        )),
        (None, _, _) => out.push(finding(
            "public-comment-deadline",
            Severity::Warning,
            format!(
                "the draft has no date, so the six-week rule (draft by {last} for the meeting on {meeting}) cannot be checked"
            ),
            Vec::new(),
            Vec::new(),
        )),
    }
    timing
}

fn differing_views(doc: &Document, texts: &[String], folded: &[String], out: &mut Vec<Finding>) {
    let mut said = Vec::new();
    let mut presented = Vec::new();
    for (i, b) in doc.blocks.iter().enumerate() {
        if matches!(b, Block::Heading { .. }) {
            continue;
        }
        let text = &texts[i];
        if let Some(m) = DIFFERING.find(&folded[i]) {
            said.push(Item {
                loc: Some(b.loc()),
                text: excerpt(text, m.start(), m.end()),
                author: None,
            });
        }
        if let Some(m) = PRESENTED.find(&folded[i]) {
            presented.push(Item {
                loc: Some(b.loc()),
                text: excerpt(text, m.start(), m.end()),
                author: None,
            });
        }
    }
    if said.is_empty() {
        return;
    }
    let where_said = said
        .iter()
        .filter_map(|i| i.loc)
        .take(3)
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let msg = if presented.is_empty() {
        format!(
            "the draft says views differed ({where_said}) but presents no dissenting or minority view; consider stating the differing positions"
        )
    } else {
        let where_pres = presented
            .iter()
            .filter_map(|i| i.loc)
            .take(3)
            .map(|l| l.to_string())
            .collect::<Vec<_>>()
            .join(", ");
        format!(
            "the draft says views differed ({where_said}) and presents differing views ({where_pres})"
        )
    };
    let mut items = said;
    items.extend(presented);
    out.push(finding(
        "differing-views",
        Severity::Info,
        msg,
        items,
        Vec::new(),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_only_dates_are_ranges() {
        let (a, b) = draft_date_range("2020-09").unwrap();
        assert_eq!((a.day, b.day), (1, 30));
        assert!(draft_date_range("September 2020").is_none());
        assert!(draft_date_range("2020").is_none());
    }

    #[test]
    fn placeholder_pattern() {
        for s in [
            "TODO: fix",
            "see TBD",
            "XXX",
            "[insert figure]",
            "[Insert name here]",
            "what??",
            "Lorem ipsum dolor",
        ] {
            assert!(PLACEHOLDER.is_match(s), "{s}");
        }
        for s in [
            "todo list in lower case",
            "Tbd",
            "XX",
            "a question?",
            "[inserted text]",
            "ToDo",
        ] {
            assert!(!PLACEHOLDER.is_match(s), "{s}");
        }
    }
}
