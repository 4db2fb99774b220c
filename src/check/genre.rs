//! Is the document a BPF output report at all?
//!
//! A BPF output report is framed by the IGF and its Best Practice Forum: it
//! names them (the title, the introduction, the methodology), and it reports
//! work done. Three kinds of documents are not reports even when their
//! headings look like the ten elements: documents without that framing (a
//! software manual, an API reference, a research paper, a contract), the
//! minutes or transcript of a meeting (which plan the report rather than
//! report), and documents whose framing is a passing mention in text that is
//! mostly code, reference or academic apparatus. The rule is deliberately
//! few signals, each of which a person can check.

use super::{Finding, Item, Severity, detect::Outline};
use crate::model::{Block, Document};
use regex::Regex;
use std::sync::LazyLock;

/// The IGF or its Best Practice Forum named, or the forum speaking of itself
/// ("the policy question this forum took up", "our forum heard"): a draft
/// may leave the forum's full name to its cover page. Manuals, papers and
/// RFCs do not call themselves a forum.
static FRAMING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:igf|internet governance forum|best practice forums?|bpfs?|(?:this|our) forum)\b",
    )
    .expect("static regex")
});

static MINUTES_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:minutes|meeting notes|notes (?:of|from) (?:the )?(?:\w+ ){0,3}(?:call|meeting)|call notes|summary record|transcript|record of (?:the )?meeting|meeting summary|summary of (?:the )?(?:\w+ ){0,2}(?:call|meeting)|action points|(?:call|meeting) \d+:)",
    )
    .expect("static regex")
});

static MINUTES_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:attendees|attendance|participants present|present:|apologies|action items?|actions?:|aob|any other business|next (?:call|meeting)|chaired by|note[- ]taker|rapporteur|agenda item|roll call|decisions?:)",
    )
    .expect("static regex")
});

static SOFTWARE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:install(?:ation|ing)?|api|endpoints?|command[- ]line|cli|usage|configur(?:e|ation)|parameters?|returns?|functions?|methods? (?:of|on)|class(?:es)?|npm|pip|cargo|http|https|json|yaml|xml|library|sdk|repository|git|release notes|changelog|arguments?|options?|flags?|default value|example request|response body|status code|deprecated|string|integer|boolean|null)\b",
    )
    .expect("static regex")
});

static PAPER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:abstract|references|bibliography|et al|arxiv|doi|theorem|lemma|proof|we propose|our (?:model|approach|method|results|contribution)|related work|experiments?|evaluation|dataset|baselines?|hypothes[ie]s|regression|coefficients?|significan(?:t|ce)|sample size|p\s?<|journal|proceedings|university)\b",
    )
    .expect("static regex")
});

/// The title of a BPF document that is not its output report.
static OTHER_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^\W*(?:(?:the |a |an )?(?:\w+ ){0,3})?(?:call for (?:contributions|inputs?|proposals|case studies|submissions|comments|initiatives|examples|(?:good |best )?practices|experiences|stories|papers)|terms of reference|work ?plan|concept note|survey|questionnaire|agenda|invitation|programme of the session|session (?:report|proposal)|press release)\b",
    )
    .expect("static regex")
});

/// A title that reports what another kind of document gathered.
static RESULTS_TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:results?|findings|outcomes?|analysis|what we (?:heard|learned|found))\b")
        .expect("static regex")
});

/// A transcript line: "SPEAKER NAME:" at the start.
static SPEAKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[A-Z][A-Za-z.'-]+ ){0,3}[A-Z][A-Za-z.'-]+\s?:\s").expect("static regex")
});

/// The finding when `doc` is not a BPF output report; `None` when it is.
pub(crate) fn not_a_report(doc: &Document, o: &Outline) -> Option<Finding> {
    let folded = &o.folded;
    let all_words: usize = o.words_total().max(1);
    let framing: usize = folded
        .iter()
        .map(String::as_str)
        .chain(doc.meta.title.as_deref())
        // "IGF 2026 BPF on Cybersecurity — draft" as the subtitle frames
        // the report as much as a sentence of its introduction does.
        .chain(doc.meta.subtitle.as_deref())
        .map(|t| FRAMING.find_iter(t).count())
        .sum();
    let count = |re: &Regex| -> usize { folded.iter().map(|t| re.find_iter(t).count()).sum() };
    let software = count(&SOFTWARE);
    let paper = count(&PAPER);
    let code_blocks = doc
        .blocks
        .iter()
        .filter(|b| matches!(b, Block::Paragraph { .. }))
        .zip(folded.iter())
        .filter(|(_, t)| {
            t.contains("()") || t.contains("::") || t.contains("=>") || t.contains("--")
        })
        .count();
    // The title and the headings: where minutes say they are minutes.
    let mut titles: Vec<&str> = doc.meta.title.iter().map(String::as_str).collect();
    for (i, _) in doc.headings().take(3) {
        titles.push(&o.texts[i]);
    }
    if let Some(t) = o.texts.first() {
        titles.push(t);
    }
    let minutes_title = titles.iter().any(|t| MINUTES_TITLE.is_match(t));
    // The document's own title (metadata, else its first heading or line).
    let own_title: Option<&str> = doc
        .meta
        .title
        .as_deref()
        .or_else(|| doc.headings().next().map(|(i, _)| o.texts[i].as_str()))
        .or_else(|| o.texts.first().map(String::as_str));
    // "Survey of Public Wi-Fi Operators: Results" reports the work a
    // survey asked for: a title that says results or findings is a report.
    let other = own_title
        .filter(|t| !RESULTS_TITLE.is_match(t))
        .and_then(|t| OTHER_TITLE.find(t).map(|m| m.as_str().trim().to_string()));
    let minutes_marks = count(&MINUTES_MARK);
    let paragraphs = o.texts.len().max(1);
    let speakers = o.texts.iter().filter(|t| SPEAKER.is_match(t)).count();

    let per_k = |n: usize| n as f32 * 1000.0 / all_words as f32;
    let looked = format!(
        "looked for the framing of a BPF output report (the IGF, a Best Practice Forum: {} mention{}) and for a report of work done rather than minutes, a transcript, software documentation or a research paper",
        framing,
        if framing == 1 { "" } else { "s" }
    );
    let (kind, found) = if framing == 0 {
        (
            "it never names the IGF or a Best Practice Forum, nor speaks as a forum".to_string(),
            String::new(),
        )
    } else if minutes_title && minutes_marks >= 2 {
        (
            "it reads as the minutes of a meeting (its title says so and it has attendees, action items or a next meeting)".to_string(),
            format!("{minutes_marks} minutes markers"),
        )
    } else if let Some(what) = other {
        (
            format!(
                "its title (\"{what}\") names another kind of BPF document, which asks for or plans the work rather than reports it"
            ),
            String::new(),
        )
    } else if speakers * 3 >= paragraphs && speakers >= 10 {
        (
            "it reads as a transcript (most paragraphs open with a speaker's name)".to_string(),
            format!("{speakers} speaker lines"),
        )
    } else if per_k(framing) < 3.0 && (per_k(software) >= 25.0 || code_blocks >= 5) {
        (
            "it reads as software documentation (installation, API, parameters, code) with the IGF only in passing".to_string(),
            format!("{software} software terms"),
        )
    } else if per_k(framing) < 3.0 && per_k(paper) >= 10.0 {
        (
            "it reads as a research paper (abstract, references, experiments) with the IGF only in passing".to_string(),
            format!("{paper} academic terms"),
        )
    } else {
        return None;
    };
    let mut message = format!(
        "Not a BPF output report: {kind}. The check {looked}. If this is a BPF output report, say in its opening which BPF and IGF cycle it reports on, and report the BPF's work rather than plan it."
    );
    if !found.is_empty() {
        message.push_str(&format!(" (Found: {found}.)"));
    }
    Some(Finding {
        rule: "not-a-report".into(),
        severity: Severity::Error,
        message,
        count: 1,
        authors: Vec::new(),
        items: vec![Item {
            loc: doc.blocks.first().map(|b| b.loc()),
            text: doc
                .meta
                .title
                .clone()
                .or_else(|| o.texts.first().cloned())
                .unwrap_or_default()
                .chars()
                .take(80)
                .collect(),
            author: None,
        }],
    })
}
