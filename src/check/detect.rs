//! Element detection: heading matches and cue paragraphs → verdicts with
//! evidence. The method is described in the parent module's doc.

use super::checklist::{Checklist, Element};
use super::sentences::Context;
use super::{ElementResult, Evidence, Verdict, Via};
use crate::model::{Block, Document, ListItem, inlines_text};
use rayon::prelude::*;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// The document's blocks with the derived data the elements and the
/// hygiene rules need, computed once per check.
pub(crate) struct Outline<'a> {
    pub(crate) doc: &'a Document,
    /// Plain text of each block.
    pub(crate) texts: Vec<String>,
    /// The same texts folded to ASCII with byte offsets kept ([`fold_ascii`]).
    pub(crate) folded: Vec<String>,
    /// For a heading: its parent heading. For a body block: its nearest heading.
    parent: Vec<Option<usize>>,
    /// Normalised heading text (empty for non-headings).
    norm: Vec<String>,
    /// `norm`, folded when `fold` is set: what heading patterns see.
    norm_match: Vec<String>,
    /// For a heading: words in its section body (subsections included).
    section_words: Vec<usize>,
    /// For a heading: index one past the end of its section.
    section_end: Vec<usize>,
    /// The units cue language is counted in: each paragraph, each table,
    /// and each top-level list item (with its nested items).
    units: Vec<Unit>,
}

struct Unit {
    block: usize,
    text: String,
    /// `text`, folded when patterns are ASCII: what cue patterns see.
    matchable: String,
    words: usize,
}

/// `s` with every non-ASCII character replaced by as many bytes of `x`
/// (letters and digits) or spaces (anything else) as it takes in UTF-8.
/// Byte offsets and char boundaries stay the same, so a match in the folded
/// text is a valid range of the original. Regexes with `\b` run on the fast
/// DFA engines only over ASCII text; folding keeps them there (a 10-15×
/// speed-up on real reports with curly quotes and dashes).
pub(crate) fn fold_ascii(s: &str) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    // Runs of non-ASCII characters are rare (quotes, dashes, accented
    // letters); copy the ASCII stretches between them in one go.
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for m in NON_ASCII.find_iter(s) {
        out.push_str(&s[last..m.start()]);
        for c in m.as_str().chars() {
            let fill = if c.is_alphanumeric() { "x" } else { " " };
            out.push_str(&fill.repeat(c.len_utf8()));
        }
        last = m.end();
    }
    out.push_str(&s[last..]);
    out
}

/// "Best Practice Forum" names the forum, not a best practice: masked in
/// the text the element phrases see (same length, so offsets hold).
fn mask_forum_name(s: &mut String) {
    if let Some(m) = FORUM_NAME.find(s).map(|m| m.range()) {
        let _ = m;
        let masked = FORUM_NAME.replace_all(s, |c: &regex::Captures| {
            let n = c[0].len();
            format!("bpf{}", " ".repeat(n.saturating_sub(3)))
        });
        *s = masked.into_owned();
    }
}

static FORUM_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bbest practices? forums?\b").expect("static regex"));

/// Same count as [`crate::model::count_words`] (whitespace-separated words
/// with at least one letter or digit), but one regex scan instead of a
/// per-character loop: the check runs on every keystroke-sized edit, and
/// this is most of its time in unoptimised builds.
fn word_count(s: &str) -> usize {
    WORD.find_iter(s).count()
}

static WORD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\S*[\p{Alphabetic}\p{N}]\S*").expect("static regex"));

static NON_ASCII: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\x00-\x7F]+").expect("static regex"));

fn list_item_text(item: &ListItem, out: &mut String) {
    out.push_str(&inlines_text(&item.inlines));
    for sub in &item.children {
        for it in &sub.items {
            out.push('\n');
            list_item_text(it, out);
        }
    }
}

static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    // A numbering label left in the heading text: "C.", "a)", "2.1", "IV.", "Annexe 1".
    Regex::new(r"^\s*(?:(?:[A-Za-z]|[IVXLCivxlc]+)[.):]|[0-9]+(?:\.[0-9]+)*[.):]?)\s+")
        .expect("static regex")
});

fn normalise_heading(text: &str) -> String {
    let stripped = LABEL.replace(text, "");
    let mut out = String::with_capacity(stripped.len());
    for c in stripped.chars() {
        if c == '&' {
            out.push_str(" and ");
        } else if c.is_alphanumeric() || c == '-' || c == '\'' {
            out.extend(c.to_lowercase());
        } else {
            out.push(' ');
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl<'a> Outline<'a> {
    /// `fold`: match element patterns against ASCII-folded text (only
    /// correct when every pattern is ASCII; see [`Checklist::ascii_patterns`]).
    pub(crate) fn new(doc: &'a Document, fold: bool) -> Self {
        let n = doc.blocks.len();
        let mut texts = Vec::with_capacity(n);
        let mut words = Vec::with_capacity(n);
        let mut parent = Vec::with_capacity(n);
        let mut norm = Vec::with_capacity(n);
        let mut stack: Vec<(u8, usize)> = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            let text = b.plain_text();
            match b {
                Block::Heading { level, .. } => {
                    while stack.last().is_some_and(|&(l, _)| l >= *level) {
                        stack.pop();
                    }
                    parent.push(stack.last().map(|&(_, h)| h));
                    stack.push((*level, i));
                    norm.push(normalise_heading(&text));
                    words.push(0);
                }
                _ => {
                    parent.push(stack.last().map(|&(_, h)| h));
                    norm.push(String::new());
                    words.push(word_count(&text));
                }
            }
            texts.push(text);
        }
        let folded: Vec<String> = texts.iter().map(|t| fold_ascii(t)).collect();
        // Section extents: a heading's section ends at the next heading of the same or higher level.
        let mut section_end = vec![n; n];
        let mut section_words = vec![0; n];
        let mut open: Vec<(u8, usize)> = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            if let Block::Heading { level, .. } = b {
                while open.last().is_some_and(|&(l, _)| l >= *level) {
                    if let Some((_, h)) = open.pop() {
                        section_end[h] = i;
                    }
                }
                open.push((*level, i));
            } else {
                for &(_, h) in &open {
                    section_words[h] += words[i];
                }
            }
        }
        let mut units = Vec::new();
        for (i, b) in doc.blocks.iter().enumerate() {
            match b {
                Block::Heading { .. } | Block::Image { .. } => {}
                Block::List { list, .. } => {
                    for item in &list.items {
                        let mut text = String::new();
                        list_item_text(item, &mut text);
                        let words = word_count(&text);
                        let matchable = if fold {
                            fold_ascii(&text)
                        } else {
                            text.clone()
                        };
                        units.push(Unit {
                            block: i,
                            text,
                            matchable,
                            words,
                        });
                    }
                }
                _ => units.push(Unit {
                    block: i,
                    text: texts[i].clone(),
                    matchable: if fold {
                        folded[i].clone()
                    } else {
                        texts[i].clone()
                    },
                    words: words[i],
                }),
            }
        }
        for u in &mut units {
            mask_forum_name(&mut u.matchable);
        }
        units.retain(|u| u.words > 0);
        let norm_match = norm
            .iter()
            .map(|h| {
                let mut m = if fold { fold_ascii(h) } else { h.clone() };
                mask_forum_name(&mut m);
                m
            })
            .collect();
        Outline {
            doc,
            units,
            texts,
            folded,
            norm_match,
            parent,
            norm,
            section_words,
            section_end,
        }
    }

    /// Words in the body blocks.
    pub(crate) fn words_total(&self) -> usize {
        self.units.iter().map(|u| u.words).sum()
    }

    /// Heading texts from the top down to `h` (inclusive) or, for a body
    /// block, to its nearest heading.
    fn path(&self, i: usize) -> Vec<String> {
        let mut idx = Vec::new();
        let mut cur = if matches!(self.doc.blocks[i], Block::Heading { .. }) {
            Some(i)
        } else {
            self.parent[i]
        };
        while let Some(h) = cur {
            idx.push(h);
            cur = self.parent[h];
        }
        idx.iter()
            .rev()
            .map(|&h| heading_display(&self.doc.blocks[h]))
            .collect()
    }
}

fn heading_display(b: &Block) -> String {
    match b {
        Block::Heading {
            label: Some(l),
            text,
            ..
        } => format!("{l} {text}"),
        other => other.plain_text(),
    }
}

/// A short excerpt of `text` around byte range `start..end`.
pub(crate) fn excerpt(text: &str, start: usize, end: usize) -> String {
    const BEFORE: usize = 60;
    const TOTAL: usize = 160;
    let flat = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= TOTAL {
        return flat(text);
    }
    let mut a = start.saturating_sub(BEFORE);
    while !text.is_char_boundary(a) {
        a -= 1;
    }
    // Start at a word boundary.
    if a > 0
        && let Some(sp) = text[a..start].find(char::is_whitespace)
    {
        a += sp + 1;
    }
    let mut b = (a + TOTAL).max(end).min(text.len());
    while !text.is_char_boundary(b) {
        b += 1;
    }
    if b < text.len()
        && let Some(sp) = text[a..b].rfind(char::is_whitespace)
        && a + sp > end
    {
        b = a + sp;
    }
    let mut s = String::new();
    if a > 0 {
        s.push('…');
    }
    s.push_str(&flat(&text[a..b]));
    if b < text.len() {
        s.push('…');
    }
    s
}

/// One sentence (or list line) of a unit: byte range in the unit's text.
struct Sentence {
    unit: usize,
    start: usize,
    end: usize,
    /// Not a placeholder, a date line, a contents line; long enough.
    substantive: bool,
    /// Mostly placeholder text.
    placeholder: bool,
    /// A line of dates or an item of a list of short items (names,
    /// acronyms, meeting dates): no substance, not even thin.
    names: bool,
    /// Substantive, and thanks or a disclaimer ([`THANKS`]).
    thanks: bool,
    /// Substantive, and the forum's history, name or own forms ([`SELF_TALK`]).
    self_talk: bool,
    /// Future or planning mood ("we will collect", "the BPF plans to").
    plan: bool,
    /// Prescribes or defines rather than reports ("a case study should
    /// describe", "best practice means").
    prescriptive: bool,
}

/// Placeholders, counted by the words they cover: bracketed text, TBD and
/// kin, and a template's instruction in parentheses ("(narrative to cover
/// the proposed topic …)", "(a description of the metrics …)"), which says
/// what to write rather than writing it.
static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\[[^\]]{0,600}\]|^\s*\[|\((?:a |short )?(?:narrative|description|text|summary|details?|paragraph|explanation) (?:to|of|on|that|describing|explaining|covering)\b[^)]{0,600}\)?|\b(?:tbd|tba|todo|tk|xxx+|lorem ipsum|dolor sit amet|placeholder|text to follow|to follow|coming soon|insert (?:\w+ ){0,4}here|to be (?:completed|added|written|confirmed|drafted|determined|inserted|provided|developed|expanded|finali[sz]ed|updated|filled|done)|(?:section|text|content) (?:to come|pending|forthcoming)|fill (?:in|this)|add (?:text|content) here|\.\.\.|…)",
    )
    .expect("static regex")
});

/// A bracketed passage (an instruction to the drafters, a placeholder),
/// however many sentences it holds; and a paragraph wholly in parentheses
/// ("(One box per case, max. 300 words each: … Aim for 8-10 cases.)"), a
/// template's note to its drafters.
static BRACKETED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\[[^\]\[]{0,600}\]|^\W*\([^()]{0,600}\)\W*$").expect("static regex")
});

/// A sentence that is a placeholder however long: dummy text, or a line
/// that opens with a to-do mark ("TBD after the IGF session.").
static PLACEHOLDER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\blorem ipsum\b|\bdolor sit amet\b|^\W*(?:tbd|tba|tbc|todo|xxx+|fixme)\b")
        .expect("static regex")
});

/// Thanks and disclaimers: the forum speaking of itself, never of an element.
static THANKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:thanks?|grateful|gratitude|acknowledge[sd]?)\b|\bviews expressed\b|\bdo not necessarily reflect\b")
        .expect("static regex")
});

/// The forum speaking of itself rather than of its topic: thanks, its
/// institutional history ("The IGF was established in 2006 …", "first
/// convened in 2017", "first met at the IGF in Berlin"), a zero draft
/// saying so, and the drafting of its own report ("Circulate this skeleton
/// to the mailing list", "Draft sections 3 to 9", "will finalise the
/// draft": a to-do list for the report is not a next step). Under a heading
/// that claims an element such sentences are bait, not the element, even
/// in words that sound like it ("first proposed in 2024"); they support no
/// topic element (the methodology may name "our mailing list").
static SELF_TALK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:was|were|has been|have been) (?:first )?(?:established|founded|created|introduced|convened|set up|renewed|proposed|approved|launched)\b[^.;]{0,80}\b(?:19|20)\d\d\b|\bapproved by the MAG\b|\bover the years\b|\b(?:first )?convened in (?:19|20)\d\d\b|\b(?:renewed|extended) its mandate\b|\bfirst met\b|\bzero draft\b|\bthis is (?:the|a) (?:first |working |rough )?draft\b|\bits (?:first|previous|earlier) (?:reports?|outputs?)\b|\bin its first year\b|\b(?:its|our) (?:own )?(?:name|title)\b|\bour (?:online )?(?:contribution form|form|website|web site|mailing list)\b|^\W*(?:circulate|draft|finali[sz]e|publish|revise|share|send|complete)\b[^.;]{0,40}\b(?:draft|skeleton|outline|sections? \d)|\bwill (?:circulate|finali[sz]e|publish|revise|complete)\b[^.;]{0,30}\b(?:this|the|its|our) (?:draft|skeleton|outline)\b",
    )
    .expect("static regex")
});

/// The BPF's rules for its outputs, named (a sentence about them is
/// evidence of nothing they list); and a word mentioned rather than used
/// ("The word “consequences” came up …"). Matched on the folded text, where
/// a curly quote is spaces.
static META: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\bmodalities\b|\b(?:ten|10|output) elements\b|\bthe (?:word|term|phrase|expression)s?(?: ["']| {2,})"#,
    )
    .expect("static regex")
});

/// An inline list item mark: "(a)", "(ii)", "(3)".
static INLINE_ITEM: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\((?:[a-h]|i{1,3}|iv|vi{0,3}|[1-9])\) ").expect("static regex"));

/// Words that bring in an illustration of a point.
static ILLUSTRATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:for (?:example|instance)|such as(?: the)?|e\.g\.)").expect("static regex")
});

/// Future or planning mood.
static PLAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:will|shall|please|(?:is|are|was|were) (?:planned|scheduled|foreseen) for|(?:is|are) (?:planned|scheduled|foreseen)|(?:is|are) (?:asked|requested|invited) to|plans? to|planned to|planning to|intends? to|intended to|is going to|are going to|aims? to|would like to|is to be|are to be|is expected to|are expected to|propose[sd]? to|agreed to|to be collected|next (?:call|meeting|step)|action items?|should (?:collect|gather|compile|invite|launch|run|hold|survey|interview))\b",
    )
    .expect("static regex")
});

/// Defines or prescribes instead of reporting what was done.
static PRESCRIPTIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?:is|are) (?:defined|understood) as|(?:means|refers to|refer to)\b|should|must|ought to|needs? to|(?:we|bpf|forum|group|participants) (?:recommends?|proposes?|suggests?|advises?)|(?:is|are) encouraged to|^\W*(?:do not|don.t|please|write|keep|use|mark|avoid|make sure|remember|add|send) |criteria|template|format for|what (?:counts|makes) (?:as )?a|^\W*(?:an? |the )?(?:case stud(?:y|ies)|(?:best|good) practices?|methodology|methods?) (?:is|are|can be)\b)",
    )
    .expect("static regex")
});

/// A line of dates or times (an agenda, a list of meetings).
static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]* \d{1,2}\b|\d{4}-\d{2}-\d{2}|\d{1,2}[:.]\d{2}\s*(?:utc|gmt|cet|am|pm|h)?)",
    )
    .expect("static regex")
});

/// A contents line: dotted leader or trailing page number.
static TOC_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\.{4,}|…{2,}|\t)\s*\d+\s*$").expect("static regex"));

/// Words that announce a list of the elements, a contents list, an agenda.
static ENUM_MARK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:modalities|(?:ten|10) (?:output )?elements|output elements|table of contents|agenda|this (?:report|document) is structured|(?:is|are) organi[sz]ed as follows|the following sections)\b",
    )
    .expect("static regex")
});

/// A case narrative: a sentence led by a named place ("In Kigali, …") or
/// by a named actor doing something ("Amsterdam maintains …"). Case
/// sensitive: the capital letters are the signal. Matched on the
/// ASCII-folded text (accented letters read as `x`), so ASCII classes do.
static NARRATIVE: LazyLock<Regex> = LazyLock::new(|| {
    let verbs = "has|have|had|holds|held|runs|ran|pairs|paired|invited|invites|publishes|published|ruled|rules|placed|places|combines|combined|replaced|replaces|set up|sets up|created|creates|built|builds|launched|launches|trains|trained|offers|offered|provides|provided|opened|opens|started|starts|began|begins|uses|used|works|worked|helps|helped|connects|connected|pays|paid|sells|sold|gives|gave|funds|funded|hosts|hosted|organi[sz]es|organi[sz]ed|maintains|maintained|developed|develops|introduced|introduces|adopted|adopts|partnered|partners|reached|reaches|serves|served|supports|supported|installed|installs|deployed|deploys|lends|lent|records|recorded|produces|produced|translates|translated|teaches|taught|requires|required|challenges|challenged|restored|restores|agreed|switched|moved|brought|brings|collects|collected|shares|shared|lets|let|asks|asked|negotiated|negotiates|bought|buys|operates|operated|manages|managed|employs|employed|recruited|recruits|visits|visited|designed|designs|tested|tests|wrote|writes|won|grew|reported|reports|documents|documented|sent|sends|piloted|pilots|followed|allowed|allows|replaced|trialled|tried|set|made|makes";
    Regex::new(&format!(
        r"(?-u)^(?:(?:In|At|From|Across|Near) (?:the )?[A-Z][A-Za-z0-9'.-]+(?:,? (?:[A-Z][A-Za-z0-9'.-]+|de|do|da|of))*,|(?:The )?[A-Z][A-Za-z0-9'.-]+(?: (?:[A-Z][A-Za-z0-9'.-]+|de|of|for))* (?:{verbs})\b|(?:An?|One|Another) (?:[A-Za-z0-9'-]+ ){{0,8}}(?:{verbs})\b)"
    ))
    .expect("static regex")
});

/// The BPF narrating its own work (methodology, not a case).
static SELF_ACTOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:(?:The |This |Our )?(?:BPF|IGF|MAG|Forum|Secretariat|We|It|They|Participants|Contributors|Respondents|Members|Co-facilitators|Facilitators|Report|Document|Draft|Section|Chapter|Annex)\b|An? (?:\w+ )?(?:call|survey|questionnaire|meeting|session|webinar|workshop|consultation|draft)\b)")
        .expect("static regex")
});

/// Sentence ends: `.`, `!`, `?` followed by space and a capital, digit or
/// opening quote; and line breaks (nested list items).
fn split_sentences(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let end_here = if c == b'\n' {
            Some(i)
        } else if matches!(c, b'.' | b'!' | b'?' | b';')
            && i + 2 < b.len()
            && b[i + 1] == b' '
            && (b[i + 2].is_ascii_uppercase()
                || b[i + 2].is_ascii_digit()
                || matches!(b[i + 2], b'"' | b'(' | b'[' | b'\'' | 0xE2))
        {
            Some(i + 1)
        } else {
            None
        };
        if let Some(e) = end_here {
            if !text[start..e].trim().is_empty() {
                out.push((start, e));
            }
            start = e + 1;
            i = start;
            continue;
        }
        i += 1;
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push((start, text.len()));
    }
    out
}

/// Dummy text: a long run of a few words over and over ("the forum wrote
/// about this topic the forum wrote about …"), which no writer's sentence
/// is. Like lorem ipsum, it holds a place.
fn repetitive(s: &str, words: usize) -> bool {
    if words < 24 {
        return false;
    }
    let mut seen: Vec<&str> = Vec::new();
    for w in s.split_whitespace() {
        if !seen.iter().any(|x| x.eq_ignore_ascii_case(w)) {
            seen.push(w);
            if seen.len() * 3 > words {
                return false;
            }
        }
    }
    true
}

/// Distinct matches of `re` in `s` (lower-cased match texts).
fn distinct(re: &Regex, s: &str) -> usize {
    let mut seen: Vec<String> = Vec::new();
    for m in re.find_iter(s) {
        let t = m.as_str().to_ascii_lowercase();
        if !seen.contains(&t) {
            seen.push(t);
        }
    }
    seen.len()
}

/// What the units and sentences of a document say, computed once for all
/// elements.
pub(crate) struct Reading {
    sentences: Vec<Sentence>,
    /// Per unit: its sentences' index range.
    unit_sentences: Vec<std::ops::Range<usize>>,
    /// Per unit: an enumeration (list of elements, contents, agenda).
    enumeration: Vec<bool>,
    /// Discourse groups: a paragraph, or a paragraph with the list that
    /// follows it (its items continue it), or a list or table on its own.
    /// Sentence index ranges, in order.
    groups: Vec<std::ops::Range<usize>>,
    /// Run-in headings: short unpunctuated lines over paragraphs, where a
    /// Word or PDF draft lost its heading styles. (block, end block,
    /// normalised text.)
    pseudo: Vec<(usize, usize, String)>,
    /// Per block that is a heading or a run-in heading: bit i set when
    /// element i's heading words claim it.
    claimed_by: std::collections::HashMap<usize, u64>,
    /// Per sentence: bit i set when element i's cues match it.
    cued: Vec<u64>,
    /// Per sentence: it narrates a case (a named place or actor doing
    /// something: "In Kigali, the city …", "Amsterdam maintains …").
    narrative: Vec<bool>,
    /// The heading that is the document's title (its section is the whole
    /// draft), which claims nothing.
    title: Option<usize>,
}

impl Reading {
    pub(crate) fn new(o: &Outline, checklist: &Checklist) -> Reading {
        let mut sentences = Vec::new();
        let mut unit_sentences = Vec::with_capacity(o.units.len());
        let min_words = checklist
            .elements
            .iter()
            .map(|e| e.thresholds.cue_min_words)
            .min()
            .unwrap_or(5);
        // Run-in headings.
        let mut pseudo: Vec<(usize, usize, String)> = Vec::new();
        let is_line = |b: usize| {
            matches!(o.doc.blocks[b], Block::Paragraph { .. }) && {
                let t = o.texts[b].trim();
                let w = word_count(t);
                (2..=10).contains(&w)
                    && !t.ends_with(['.', ':', ';', ',', '!'])
                    && t.chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
            }
        };
        let n = o.doc.blocks.len();
        for b in 0..n {
            if !is_line(b)
                || b + 1 >= n
                || !matches!(
                    o.doc.blocks[b + 1],
                    Block::Paragraph { .. } | Block::List { .. }
                )
                || is_line(b + 1)
                || (b > 0 && is_line(b - 1))
            {
                continue;
            }
            pseudo.push((b, n, normalise_heading(&o.texts[b])));
        }
        for i in 0..pseudo.len() {
            let b = pseudo[i].0;
            let next_pseudo = pseudo.get(i + 1).map(|p| p.0).unwrap_or(n);
            let next_heading = (b + 1..n)
                .find(|&j| matches!(o.doc.blocks[j], Block::Heading { .. }))
                .unwrap_or(n);
            pseudo[i].1 = next_pseudo.min(next_heading);
        }
        let pseudo_block: std::collections::HashSet<usize> = pseudo.iter().map(|p| p.0).collect();
        // Lists of short items (names, dates, links) are not substance.
        let mut short_list = vec![false; o.units.len()];
        {
            let mut u = 0;
            while u < o.units.len() {
                let block = o.units[u].block;
                let mut v = u;
                while v < o.units.len() && o.units[v].block == block {
                    v += 1;
                }
                if matches!(o.doc.blocks[block], Block::List { .. }) && v - u >= 3 {
                    let words: usize = o.units[u..v].iter().map(|x| x.words).sum();
                    if words < 8 * (v - u) {
                        for x in &mut short_list[u..v] {
                            *x = true;
                        }
                    }
                }
                u = v;
            }
        }
        // A lead-in ("The following organisations submitted contributions
        // to the BPF:") over a list of names belongs to the list.
        for u in 0..o.units.len().saturating_sub(1) {
            if short_list[u + 1]
                && o.units[u + 1].block != o.units[u].block
                && o.units[u].matchable.trim_end().ends_with(':')
            {
                short_list[u] = true;
            }
        }
        // Units are independent: their sentences are read in parallel (the
        // static patterns below run on every sentence of the draft).
        let per_unit: Vec<Vec<Sentence>> = o
            .units
            .par_iter()
            .enumerate()
            .map(|(u, unit)| {
                let mut out = Vec::new();
                // A bracketed instruction may hold several sentences ("[Insert
                // 4-6 cases here. Candidates: …; … — to be confirmed.]"):
                // every sentence inside the brackets is placeholder.
                let bracketed: Vec<(usize, usize)> = BRACKETED
                    .find_iter(&unit.matchable)
                    .map(|m| (m.start(), m.end()))
                    .collect();
                for (a, b) in split_sentences(&unit.matchable) {
                    let s = &unit.matchable[a..b];
                    let words = word_count(s);
                    let placeholder_words: usize =
                        if bracketed.iter().any(|&(x, y)| x <= a && b <= y) {
                            words.max(1)
                        } else {
                            PLACEHOLDER
                                .find_iter(s)
                                .map(|m| word_count(m.as_str()).max(1))
                                .sum()
                        };
                    let dates = DATE_LINE.find_iter(s).count();
                    let placeholder_words = if PLACEHOLDER_LINE.is_match(s) || repetitive(s, words)
                    {
                        words.max(1)
                    } else {
                        placeholder_words
                    };
                    let date_line = dates > 0 && words < 12 + 4 * dates && !s.contains(", the ");
                    // A sentence about the modalities or their list of
                    // elements speaks of the BPF's rules, not of the element.
                    let meta = META.is_match(s);
                    let substantive = !meta
                        && !short_list[u]
                        && !pseudo_block.contains(&unit.block)
                        && words >= min_words
                        && placeholder_words * 3 < words
                        && !TOC_LINE.is_match(s)
                        && !date_line;
                    out.push(Sentence {
                        unit: u,
                        start: a,
                        end: b,
                        substantive,
                        placeholder: placeholder_words * 3 >= words,
                        names: short_list[u] || date_line,
                        thanks: substantive && THANKS.is_match(s),
                        self_talk: substantive && SELF_TALK.is_match(s),
                        plan: PLAN.is_match(s),
                        prescriptive: PRESCRIPTIVE.is_match(s),
                    });
                }
                out
            })
            .collect();
        for v in per_unit {
            let from = sentences.len();
            sentences.extend(v);
            unit_sentences.push(from..sentences.len());
        }
        // Enumerations: a unit naming many elements by their headings'
        // words, or naming a few after an enumeration mark; a list whose
        // short items together name many elements (a contents list, an
        // agenda, the modalities' list of the ten elements).
        let max = checklist
            .elements
            .iter()
            .map(|e| e.thresholds.max_elements_per_block)
            .min()
            .unwrap_or(3);
        // How many elements a unit names by their headings' words (the
        // patterns are case-insensitive; units are matched once).
        let unit_names: Vec<usize> = o
            .units
            .par_iter()
            .map(|u| {
                checklist
                    .elements
                    .iter()
                    .filter(|e| {
                        e.headings
                            .as_ref()
                            .is_some_and(|re| re.is_match(&u.matchable))
                    })
                    .count()
            })
            .collect();
        let mut enumeration = vec![false; o.units.len()];
        for (u, unit) in o.units.iter().enumerate() {
            let n = unit_names[u];
            let per_sentence = n as f32 / unit_sentences[u].len().max(1) as f32;
            // Names, not prose: a long sentence whose clauses happen to
            // touch four elements ("three effective practices: …; regional
            // frameworks …; cooperation …") is not a list of them.
            let terse = unit.words < 10 * n;
            // Prose that nonetheless names most of the checklist in one
            // sentence (the modalities' list quoted in a running sentence):
            // a sentence naming more than half the elements by their
            // headings' words is their list, however long — and the
            // paragraph around it speaks of the list, not of the elements.
            let quotes_list = n * 2 > checklist.elements.len()
                && n > max
                && unit_sentences[u].clone().any(|k| {
                    let t = &unit.matchable[sentences[k].start..sentences[k].end];
                    let named = checklist
                        .elements
                        .iter()
                        .filter(|e| e.headings.as_ref().is_some_and(|re| re.is_match(t)))
                        .count();
                    named * 2 > checklist.elements.len()
                });
            if (n > max && per_sentence > 1.5 && terse)
                || (n >= 2 && ENUM_MARK.is_match(&unit.matchable))
                || quotes_list
            {
                enumeration[u] = true;
            }
        }
        // Lists of short items.
        let mut u = 0;
        while u < o.units.len() {
            let block = o.units[u].block;
            let mut v = u;
            while v < o.units.len() && o.units[v].block == block {
                v += 1;
            }
            if v - u >= 3 {
                let short = o.units[u..v].iter().filter(|x| x.words <= 8).count();
                let named: usize = o.units[u..v]
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| unit_names[u + i] > 0)
                    .count();
                let preceded_by_mark = block > 0 && ENUM_MARK.is_match(&o.folded[block - 1]);
                // Short items naming elements (contents, agenda); or, after
                // a mark ("the modalities recommend …", "Table of
                // contents"), items that mostly name elements.
                if named * 2 >= v - u && (short * 3 >= (v - u) * 2 || preceded_by_mark) {
                    for e in &mut enumeration[u..v] {
                        *e = true;
                    }
                }
            }
            u = v;
        }
        // The same list when a PDF lost its structure: a run of three or
        // more short unpunctuated one-line paragraphs or items ("7.
        // Unintended consequences of policy interventions, good and bad"),
        // most naming elements.
        // List items count too: a PDF reader may split one list into
        // alternating lists and paragraphs, or run two items into one line.
        // Items of a real list read as clauses or sentences (they end with
        // a stop, a semicolon, "and"); the element names do not.
        let short_para = |u: usize| {
            let w = o.units[u].words;
            let t = o.units[u].matchable.trim_end();
            let para = matches!(o.doc.blocks[o.units[u].block], Block::Paragraph { .. });
            let item = matches!(o.doc.blocks[o.units[u].block], Block::List { .. });
            (para || item)
                && (w <= 14 || (para && w <= 28 && unit_names[u] >= 2))
                && !t.ends_with(['.', '!', '?', ';', ',', ':'])
                && !t.ends_with(" and")
                && !t.ends_with(" or")
        };
        let mut u = 0;
        while u < o.units.len() {
            if !short_para(u) {
                u += 1;
                continue;
            }
            let mut v = u;
            while v < o.units.len() && short_para(v) {
                v += 1;
            }
            let named = (u..v).filter(|&x| unit_names[x] > 0).count();
            if v - u >= 3 && named * 3 >= (v - u) * 2 {
                for e in &mut enumeration[u..v] {
                    *e = true;
                }
            }
            u = v;
        }
        // The title: a first heading whose section is (nearly) the whole draft
        // and that is the only heading of its level.
        let mut title = None;
        let mut heads = o.doc.headings();
        if let Some((h, Block::Heading { level, .. })) = heads.next() {
            let same_level = o
                .doc
                .headings()
                .filter(|(_, b)| matches!(b, Block::Heading { level: l, .. } if l == level))
                .count();
            let body_after = o.section_end[h] >= o.doc.blocks.len();
            if same_level == 1 && body_after && o.doc.headings().count() > 1 {
                title = Some(h);
            }
        }
        // Groups: list items continue the paragraph just before their list.
        let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
        for (u, unit) in o.units.iter().enumerate() {
            let range = unit_sentences[u].clone();
            let is_list = matches!(o.doc.blocks[unit.block], Block::List { .. });
            let continues = u > 0
                && is_list
                && (o.units[u - 1].block == unit.block
                    || (o.units[u - 1].block + 1 == unit.block
                        && matches!(o.doc.blocks[o.units[u - 1].block], Block::Paragraph { .. })));
            match groups.last_mut() {
                Some(g) if continues && g.end == range.start => g.end = range.end,
                _ => groups.push(range),
            }
        }
        let narrative = sentences
            .iter()
            .map(|s| {
                let t = o.units[s.unit].matchable[s.start..s.end].trim_start();
                NARRATIVE.is_match(t) && !SELF_ACTOR.is_match(t)
            })
            .collect();
        Reading {
            sentences,
            unit_sentences,
            enumeration,
            groups,
            narrative,
            cued: Vec::new(),
            pseudo,
            title,
            claimed_by: std::collections::HashMap::new(),
        }
    }
}

/// Where an element's support comes from.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Claim {
    /// A heading whose words claim the element.
    Heading(usize),
    /// A heading the consultant mapped to the element.
    Mapped(usize),
}

pub(crate) fn detect(
    o: &Outline,
    checklist: &Checklist,
    mapped: &std::collections::BTreeMap<u32, String>,
) -> Vec<ElementResult> {
    let mut r = Reading::new(o, checklist);
    // Which elements' cues speak in each sentence: a run of elaboration
    // for one element ends where another element's cue begins.
    for (i, el) in checklist.elements.iter().enumerate() {
        let Some(re) = &el.headings else { continue };
        let bit = 1u64 << (i % 64);
        for (h, _) in o.doc.headings() {
            if re.is_match(&o.norm_match[h]) {
                *r.claimed_by.entry(h).or_default() |= bit;
            }
        }
        for (b, _, norm) in &r.pseudo {
            if re.is_match(norm) {
                *r.claimed_by.entry(*b).or_default() |= bit;
            }
        }
    }
    let order: Vec<u32> = checklist.elements.iter().map(|e| e.id).collect();
    let columns = checklist
        .model
        .as_ref()
        .map(|m| m.columns(&order))
        .unwrap_or_default();
    let n = r.sentences.len();
    // Sentences are independent: read in parallel (a long report has
    // thousands; the lexicons and the model are most of the check's time).
    r.cued = r
        .sentences
        .par_iter()
        .enumerate()
        .map(|(k, s)| {
            // Each element's cue alternation, stopping at the first match
            // (faster than a RegexSet, which must find every match).
            let t = &o.units[s.unit].matchable[s.start..s.end];
            let cues = checklist
                .elements
                .iter()
                .enumerate()
                .filter(|(_, el)| el.cues.as_ref().is_some_and(|re| re.is_match(t)))
                .fold(0u64, |m, (i, _)| m | (1u64 << (i % 64)));
            // The sentence model recognises the same in the draft's own
            // words, in context: the heading over the sentence, the
            // sentence before it in its paragraph, where it stands in the
            // draft (placeholders and non-substance are filtered later, as
            // for cues).
            let model = checklist
                .model
                .as_ref()
                .filter(|_| s.substantive)
                .map_or(0, |m| {
                    let heading = o.parent[o.units[s.unit].block]
                        .map(|h| o.texts[h].as_str())
                        .unwrap_or("");
                    let previous = k
                        .checked_sub(1)
                        .map(|j| &r.sentences[j])
                        .filter(|p| p.unit == s.unit)
                        .map(|p| &o.units[p.unit].text[p.start..p.end])
                        .unwrap_or("");
                    let context = Context {
                        heading,
                        previous,
                        position: k as f32 / n.max(1) as f32,
                    };
                    m.bits(&o.units[s.unit].text[s.start..s.end], &context, &columns)
                });
            cues | model
        })
        .collect();
    checklist
        .elements
        .par_iter()
        .enumerate()
        .map(|(i, el)| {
            judge(
                o,
                &r,
                i,
                el,
                mapped.get(&el.id).map(String::as_str),
                checklist.model.as_deref(),
            )
        })
        .collect()
}

/// The heading a mapping names: the first heading whose normalised text
/// equals the normalised mapping, else the first that contains it.
fn find_mapped(o: &Outline, name: &str) -> Option<usize> {
    let want = normalise_heading(name);
    if want.is_empty() {
        return None;
    }
    o.doc
        .headings()
        .map(|(i, _)| i)
        .find(|&i| o.norm[i] == want)
        .or_else(|| {
            o.doc
                .headings()
                .map(|(i, _)| i)
                .find(|&i| o.norm[i].contains(&want))
        })
}

fn short_words(s: &str, n: usize) -> String {
    let words: Vec<&str> = s.split_whitespace().collect();
    if words.len() <= n {
        words.join(" ")
    } else {
        format!("{} …", words[..n].join(" "))
    }
}

fn judge(
    o: &Outline,
    r: &Reading,
    index: usize,
    el: &Element,
    mapped: Option<&str>,
    model: Option<&super::sentences::SentenceModel>,
) -> ElementResult {
    let me = 1u64 << (index % 64);
    let t = el.thresholds;
    // The forum speaking of itself (its history, thanks, the drafting of
    // its report) is none of the topic's elements; for the elements that
    // report its work (methodology) it may be, as in "our mailing list".
    let counts = |s: &Sentence| {
        s.substantive
            && !r.enumeration[s.unit]
            && !(el.done_only && (s.plan || s.prescriptive))
            && (el.done_only || !s.self_talk)
    };
    let text_of = |s: &Sentence| &o.units[s.unit].matchable[s.start..s.end];
    // The cue bits were computed once for all elements (checklists of up
    // to 64 elements; beyond that, the element's own regex).
    let cued_here = |k: usize| {
        if index < 64 {
            r.cued[k] & me != 0
        } else {
            el.cues
                .as_ref()
                .is_some_and(|re| re.is_match(text_of(&r.sentences[k])))
        }
    };
    let strong_at = |k: usize| counts(&r.sentences[k]) && cued_here(k);
    let hint_at = |k: usize| {
        let s = &r.sentences[k];
        counts(s) && el.hints.as_ref().is_some_and(|re| re.is_match(text_of(s)))
    };
    let mut strong: Vec<bool> = (0..r.sentences.len()).map(strong_at).collect();
    // A cue in a short lead-in ("The BPF proposes to:") opens its group.
    let lead: Vec<bool> = r
        .sentences
        .iter()
        .enumerate()
        .map(|(k, s)| {
            !s.placeholder
                && !r.enumeration[s.unit]
                && !(el.done_only && (s.plan || s.prescriptive))
                && cued_here(k)
        })
        .collect();
    // Comparisons: a sentence naming two of the element's `compare` terms
    // (two regions) speaks of it.
    if let Some(re) = &el.compare {
        for (k, s) in r.sentences.iter().enumerate() {
            if !strong[k] && counts(s) && distinct(re, text_of(s)) >= 2 {
                strong[k] = true;
            }
        }
    }
    // Questions the draft asks and leaves open: two or more direct
    // questions in one paragraph (with its list) are a set of open issues
    // in the draft's own words, whatever their vocabulary. One question
    // alone is often rhetorical ("Why does this matter?") and sets nothing.
    // Questions in the first half of the draft pose the questions the
    // report sets out to answer (the framing of the issue); only those in
    // the second half are left open.
    if el.questions {
        let half = r.sentences.len() / 2;
        for g in r.groups.iter().filter(|g| g.start >= half) {
            let ks: Vec<usize> = g
                .clone()
                .filter(|&k| {
                    counts(&r.sentences[k]) && text_of(&r.sentences[k]).trim_end().ends_with('?')
                })
                .collect();
            if ks.len() >= 2 {
                for k in ks {
                    strong[k] = true;
                }
            }
        }
    }
    // Case narratives: paragraphs that open by narrating a case ("A charity
    // runs …", "In Kigali, …") make a compilation of cases when there are
    // two under one top-level section, or three in the draft.
    if el.cases {
        let led: Vec<usize> = r
            .groups
            .iter()
            .filter_map(|g| {
                // The opening sentence, or the one after a run-in title
                // ("*Mobile enrolment in a pastoralist region.* A national
                // agency sent …").
                g.clone()
                    .take(2)
                    .find(|&k| r.narrative[k] && counts(&r.sentences[k]))
            })
            .collect();
        let top = |k: usize| {
            let mut h = o.parent[o.units[r.sentences[k].unit].block];
            while let Some(p) = h.and_then(|x| o.parent[x]) {
                h = Some(p);
            }
            h
        };
        // Two narratives inside one paragraph also make a compilation.
        for g in &r.groups {
            let ks: Vec<usize> = g
                .clone()
                .filter(|&k| r.narrative[k] && counts(&r.sentences[k]))
                .collect();
            if ks.len() >= 2 {
                for k in ks {
                    strong[k] = true;
                }
            }
        }
        let doc_wide = led.len() >= 3;
        for &k in &led {
            let peers = led.iter().filter(|&&j| top(j) == top(k)).count();
            if doc_wide || peers >= 2 {
                strong[k] = true;
            }
        }
    }
    // The element's vocabulary is only needed where a run or a claim
    // looks: computed on demand, once per sentence.
    let hinted_memo: Vec<std::cell::OnceCell<bool>> = (0..r.sentences.len())
        .map(|_| std::cell::OnceCell::new())
        .collect();
    let hinted = |k: usize| *hinted_memo[k].get_or_init(|| hint_at(k));
    // Sentences that speak of the element in words only (planning,
    // prescribing, enumerating, placeholders): for the reasons.
    let mut words_only = 0usize;
    let mut planned = 0usize;
    for (k, s) in r.sentences.iter().enumerate() {
        if cued_here(k) && !counts(s) {
            words_only += 1;
            if el.done_only && (s.plan || s.prescriptive) && s.substantive {
                planned += 1;
            }
        }
    }

    // Claims: headings whose words name the element (never the title), and
    // the consultant's mapping.
    let mut claims: Vec<(usize, Claim)> = Vec::new();
    let mapped_head = mapped.and_then(|m| find_mapped(o, m));
    if let Some(h) = mapped_head {
        claims.push((h, Claim::Mapped(h)));
    }
    if let Some(re) = &el.headings {
        for (i, _) in o.doc.headings() {
            if Some(i) != r.title && Some(i) != mapped_head && re.is_match(&o.norm_match[i]) {
                claims.push((i, Claim::Heading(i)));
            }
        }
        for (b, _, norm) in &r.pseudo {
            if re.is_match(norm) {
                claims.push((*b, Claim::Heading(*b)));
            }
        }
    }
    let end_of = |h: usize| {
        r.pseudo
            .iter()
            .find(|p| p.0 == h)
            .map(|p| p.1)
            .unwrap_or(o.section_end[h])
    };
    let unit_range = |h: usize| {
        // Units whose block lies in the heading's section.
        let a = o.units.partition_point(|u| u.block <= h);
        let b = o.units.partition_point(|u| u.block < end_of(h));
        a..b
    };

    // How much of a heading the element's heading words cover.
    let heading_cover = |h: usize| {
        let norm = if o.norm_match[h].is_empty() {
            normalise_heading(&o.texts[h])
        } else {
            o.norm_match[h].clone()
        };
        let covered: usize = el
            .headings
            .as_ref()
            .map(|re| re.find_iter(&norm).map(|m| m.len()).sum())
            .unwrap_or(0);
        covered as f32 / norm.len().max(1) as f32
    };

    // Support: sentences that count for the element.
    let mut support: BTreeSet<usize> = BTreeSet::new();
    // Runs: a cue opens a run of sentences about the element; the run goes
    // on through the sentences that follow in the same group (paragraph,
    // or paragraph with its list) until another element's cue begins a
    // new topic. A short lead-in ("The BPF proposes to:") opens a run too.
    for g in &r.groups {
        let mut open = false;
        for k in g.clone() {
            let mine = strong[k] || lead[k];
            // Another element's cue ends the run unless the sentence also
            // carries this element's words (one sentence may serve two).
            let other = r.cued[k] & !me != 0 && !hinted(k);
            if mine {
                open = true;
            } else if other || r.sentences[k].placeholder {
                open = false;
            }
            if open && counts(&r.sentences[k]) {
                support.insert(k);
            }
        }
    }
    // Paragraphs about the element: a paragraph (with its list) is one
    // topic. When two of its sentences speak of the element squarely, or
    // one does and no other element's cue speaks anywhere in it, the
    // whole paragraph is about the element — also the sentences before
    // the cue ("Cities now collect more data … Cities face a policy
    // challenge …") and those in the draft's own words.
    // A list's items are topics of their own: only paragraphs count here.
    for (u, unit) in o.units.iter().enumerate() {
        if !matches!(o.doc.blocks[unit.block], Block::Paragraph { .. }) {
            continue;
        }
        let g = r.unit_sentences[u].clone();
        let mine = g
            .clone()
            .filter(|&k| strong[k] && counts(&r.sentences[k]))
            .count();
        if mine == 0 {
            continue;
        }
        let others = || g.clone().any(|k| r.cued[k] & !me != 0 && !hinted(k));
        // An illustration ("… for example …", "such as the …") serves
        // the paragraph's topic; it does not set it.
        let topical = || {
            g.clone().filter(|&k| strong[k]).any(|k| {
                let t = text_of(&r.sentences[k]);
                !ILLUSTRATION.is_match(t)
                    || el
                        .cues
                        .as_ref()
                        .is_some_and(|re| re.is_match(&ILLUSTRATION.replace_all(t, " ")))
            })
        };
        if mine >= 2 || (mine == 1 && !others() && topical()) {
            support.extend(g.filter(|&k| counts(&r.sentences[k])));
        }
    }
    // Claimed sections: backed when a cue speaks in the body (then every
    // sentence with the element's vocabulary adds substance), or when
    // mapped (the consultant vouches for the topic; substance still
    // counts).
    struct ClaimInfo {
        backed: bool,
        thin: usize,
        head: usize,
        kind: Claim,
        body_sentences: usize,
        substantive: usize,
        strong: usize,
        hinted: usize,
        planned: usize,
        /// The body is about something else (other elements' cues, or the
        /// forum speaking of itself).
        bait: bool,
        first: Option<usize>,
    }
    let mut infos: Vec<ClaimInfo> = Vec::new();
    let mut any_backed = false;
    for &(h, kind) in &claims {
        let ur = unit_range(h);
        let ks: Vec<usize> = ur
            .clone()
            .flat_map(|u| r.unit_sentences[u].clone())
            .collect();
        let substantive = ks
            .iter()
            .filter(|&&k| r.sentences[k].substantive && !r.enumeration[r.sentences[k].unit])
            .count();
        let st = ks.iter().filter(|&&k| strong[k] || lead[k]).count();
        let hi: Vec<usize> = ks.iter().copied().filter(|&k| hinted(k)).collect();
        let pl = ks
            .iter()
            .filter(|&&k| {
                let s = &r.sentences[k];
                el.done_only && s.substantive && (s.plan || s.prescriptive)
            })
            .count();
        // Backed: a cue speaks in the body, or most of its sentences carry
        // the element's words, or the consultant mapped it. Then the
        // section is about the element and all its sentences count.
        // Planning or prescribing most of the body is not doing (for the
        // elements that report work done).
        let mostly_planned = el.done_only && pl * 2 >= substantive.max(1);
        // Elements that report work done need a sentence that squarely
        // reports it; for the others the element's vocabulary in most of
        // the body (or in several sentences) backs the heading.
        // A heading that is mostly the element's own words ("What works",
        // "Unintended consequences") needs less from its body: one sentence
        // in the element's vocabulary among several.
        let explicit = heading_cover(h) >= 0.5;
        // Bait: most of the body speaks squarely of other elements and
        // never in this element's words (under a heading mostly in the
        // element's own words, only the forum speaking of itself or
        // thanking is bait: the elements overlap — what worked speaks of
        // consequences, takeaways of barriers — and a reader takes such a
        // heading at its word over a body of real statements; not for
        // the key elements, where a heading over bait does most harm) ("Next steps" over the forum's
        // history, which speaks of its meetings).
        // (Only where no cue of the element speaks in the body: a cue
        // backs the claim whatever else is there.)
        let elsewhere = ks
            .iter()
            .take_while(|_| st == 0)
            .filter(|&&k| {
                let s = &r.sentences[k];
                s.substantive
                    && !r.enumeration[s.unit]
                    && !strong[k]
                    && (s.thanks
                        || s.self_talk
                        || ((el.key || !explicit) && r.cued[k] & !me != 0 && !hinted(k)))
            })
            .count();
        // One sentence is thin, not bait, unless the forum speaks of itself.
        let self_talk = ks
            .iter()
            .any(|&k| r.sentences[k].self_talk || r.sentences[k].thanks);
        let bait = elsewhere * 2 > substantive && (elsewhere >= 2 || self_talk);
        // A heading that is mostly the element's own words ("What works?",
        // "Unintended consequences", "Proposed next steps") is a claim a
        // reader takes at its word when the body has substance and is not
        // about something else: its sentences are the element in the
        // draft's own words, which no lexicon can list.
        let taken_at_word = explicit && substantive >= 1 && !bait;
        // A heading that also claims other elements ("Policies and
        // barriers") belongs to the one whose cues speak in its body: the
        // element's vocabulary alone does not back it then.
        let rivals = r.claimed_by.get(&h).copied().unwrap_or(0) & !me;
        let rival_spoken = rivals != 0 && ks.iter().any(|&k| r.cued[k] & rivals != 0);
        // For elements that report work done, the claim is taken at its
        // word only over a body that reports and never plans or prescribes.
        // (and with the element's vocabulary somewhere in it: the key
        // elements are where bait does harm).
        let done_at_word =
            el.done_only && taken_at_word && pl == 0 && substantive >= 2 && !hi.is_empty();
        let worded = st > 0
            || done_at_word
            || !el.done_only
                && !rival_spoken
                && (hi.len() >= t.present_paragraphs.max(1)
                    || (hi.len() >= 2 && hi.len() * 2 >= substantive)
                    || (explicit && !hi.is_empty() && substantive >= 2)
                    || taken_at_word);
        let backed =
            (worded && !mostly_planned && !(bait && st == 0)) || matches!(kind, Claim::Mapped(_));
        if backed {
            any_backed = true;
            support.extend(ks.iter().copied().filter(|&k| counts(&r.sentences[k])));
        }
        // Thin: short sentences that are not placeholders and carry the
        // element's words ("Meetings were held.", "Two cases.").
        let thin = ks
            .iter()
            .filter(|&&k| {
                let s = &r.sentences[k];
                !s.substantive
                    && !s.placeholder
                    && !s.names
                    && !r.enumeration[s.unit]
                    && word_count(text_of(s)) >= 2
                    && (el.hints.as_ref().is_some_and(|re| re.is_match(text_of(s)))
                        || el.cues.as_ref().is_some_and(|re| re.is_match(text_of(s))))
            })
            .count();
        infos.push(ClaimInfo {
            backed,
            thin,
            head: h,
            kind,
            body_sentences: ks.len(),
            substantive,
            strong: st,
            hinted: hi.len(),
            planned: pl,
            bait,
            first: ks
                .iter()
                .copied()
                .find(|&k| strong[k])
                .or_else(|| hi.first().copied()),
        });
    }
    // A sentence that carries a list of clauses ("…: pre-bunking; open
    // results data; joint verification") is a list with real items: it
    // weighs as one sentence per clause, up to three. Not for the elements
    // that report work done: there a list of tasks or names in one
    // sentence ("section 3, the case study team; …") is no compilation.
    let weight = |k: usize| {
        let t = text_of(&r.sentences[k]);
        // Clauses: separated by semicolons, or marked inline "(a) … (b) …".
        let clauses = t
            .matches("; ")
            .count()
            .max(INLINE_ITEM.find_iter(t).count().saturating_sub(1));
        if clauses >= 2 && !el.done_only {
            (1 + clauses).min(3)
        } else {
            1
        }
    };
    let n: usize = support.iter().map(|&k| weight(k)).sum();
    // Concentration: the most support inside one paragraph group or one
    // backed claimed section. Mentions scattered one sentence at a time
    // are passing mentions, however many.
    let mut concentrated = 0usize;
    // Stretches: consecutive paragraph groups of one section that all
    // hold support count together.
    let mut stretch = 0usize;
    let mut prev_section = None;
    for g in &r.groups {
        let c: usize = g.clone().filter(|k| support.contains(k)).map(weight).sum();
        let section = g
            .clone()
            .next()
            .map(|k| o.parent[o.units[r.sentences[k].unit].block]);
        if c == 0 {
            stretch = 0;
        } else {
            if section != prev_section {
                stretch = 0;
            }
            stretch += c;
        }
        prev_section = section;
        concentrated = concentrated.max(stretch);
    }
    for &(h, _) in &claims {
        let ur = unit_range(h);
        let c = support
            .iter()
            .filter(|&&k| ur.contains(&r.sentences[k].unit))
            .count();
        if c >= 2 {
            concentrated = concentrated.max(c);
        }
    }
    let n_strong = support.iter().filter(|&&k| strong[k]).count();
    let units: BTreeSet<usize> = support.iter().map(|&k| r.sentences[k].unit).collect();
    let sections: BTreeSet<Option<usize>> =
        units.iter().map(|&u| o.parent[o.units[u].block]).collect();
    // The best claim: mapped first, then backed with most support inside.
    let support_in = |h: usize| {
        let ur = unit_range(h);
        support
            .iter()
            .filter(|&&k| ur.contains(&r.sentences[k].unit))
            .count()
    };
    // Mapped first; then claims with substance (two supporting sentences)
    // before thinner ones; then the most specific: the highest share of
    // its sentences supporting the element (a subsection fully about it
    // beats the chapter around it); document order breaks ties.
    infos.sort_by(|a, b| {
        let m = |c: &ClaimInfo| matches!(c.kind, Claim::Mapped(_));
        let sub = |c: &ClaimInfo| support_in(c.head) >= 2;
        let density = |c: &ClaimInfo| support_in(c.head) as f32 / c.body_sentences.max(1) as f32;
        // How much of the heading the element's words cover ("Case
        // studies" 1.0; "Policies and private sector initiatives" less).
        let cover = |c: &ClaimInfo| {
            let norm = if o.norm_match[c.head].is_empty() {
                normalise_heading(&o.texts[c.head])
            } else {
                o.norm_match[c.head].clone()
            };
            let covered: usize = el
                .headings
                .as_ref()
                .map(|re| re.find_iter(&norm).map(|m| m.len()).sum())
                .unwrap_or(0);
            ((covered as f32 / norm.len().max(1) as f32) * 4.0).round()
        };
        m(b).cmp(&m(a))
            .then(sub(b).cmp(&sub(a)))
            .then(cover(b).total_cmp(&cover(a)))
            .then(b.strong.cmp(&a.strong))
            .then(density(b).total_cmp(&density(a)))
            .then(support_in(b.head).cmp(&support_in(a.head)))
            .then(b.hinted.cmp(&a.hinted))
    });
    let best = infos.first();
    let mapped_note = if mapped.is_some() && mapped_head.is_none() {
        format!(
            " (the mapped heading \"{}\" is not in the draft)",
            mapped.unwrap_or_default()
        )
    } else {
        String::new()
    };
    let hd = |h: usize| heading_display(&o.doc.blocks[h]);
    // Hint-only claimed section: the heading claims the element, the body
    // uses its vocabulary in several sentences but never speaks of it
    // squarely: touched, not done.
    // A heading over sentences that carry the element's words but never
    // speak of it squarely, or over one thin line, is a thin section: weak.
    let hint_only = infos
        .iter()
        .find(|c| c.strong == 0 && !c.bait && (c.hinted >= 1 || c.thin > 0));

    let present_at = t.present_paragraphs.max(1);
    // A heading that claims the element over two supporting sentences is
    // a section with substance.
    let claimed_two = infos.iter().any(|c| c.backed && support_in(c.head) >= 2);
    let (verdict, confidence, reason) = if (n >= present_at
        && concentrated >= 2
        && (n_strong > 0 || any_backed))
        || claimed_two
    {
        // The squarely speaking sentences counted over the same sentences
        // the reason names.
        let (where_, squarely) = match best.filter(|c| support_in(c.head) > 0) {
            Some(c) => {
                let ur = unit_range(c.head);
                let inside = support
                    .iter()
                    .filter(|&&k| strong[k] && ur.contains(&r.sentences[k].unit))
                    .count();
                (
                    format!(
                        "{} under \"{}\"{}",
                        plural(support_in(c.head), "sentence"),
                        hd(c.head),
                        if matches!(c.kind, Claim::Mapped(_)) {
                            " (mapped)"
                        } else {
                            ""
                        }
                    ),
                    inside,
                )
            }
            None => (
                format!(
                    "{} in {} across {}",
                    plural(n, "sentence"),
                    plural(units.len(), "paragraph"),
                    plural(sections.len(), "section")
                ),
                n_strong,
            ),
        };
        (
            Verdict::Present,
            (0.6 + 0.05 * n as f32).min(0.95),
            format!(
                "{where_} speak of it ({squarely} squarely, e.g. \"{}\")",
                first_cue(o, r, el, &support, &strong)
            ),
        )
    } else if n > 0 && (n_strong > 0 || any_backed) {
        (
            Verdict::Weak,
            if n == 1 { 0.75 } else { 0.6 },
            format!(
                "touched only: {} speak{} of it (\"{}\"); present needs a paragraph of several sentences or a list with real items{mapped_note}",
                plural(n, "sentence"),
                if n == 1 { "s" } else { "" },
                first_cue(o, r, el, &support, &strong)
            ),
        )
    } else if let Some(c) = hint_only {
        (
            Verdict::Weak,
            0.5,
            format!(
                "heading \"{}\" claims it and its body touches it in {}, without a paragraph of substance",
                hd(c.head),
                plural(c.hinted.max(c.thin).max(c.substantive.min(2)), "sentence")
            ),
        )
    } else if let Some(c) = best {
        let why = if c.body_sentences == 0 {
            "its section is empty".to_string()
        } else if c.substantive == 0 {
            "its section holds only placeholders, dates or a list of names".to_string()
        } else if c.planned > 0 && c.planned * 2 >= c.substantive {
            "its body only plans or prescribes it (planning is not doing)".to_string()
        } else {
            "its body is about something else".to_string()
        };
        (
            Verdict::Missing,
            0.8,
            format!(
                "heading \"{}\"{} claims it, but {why}{mapped_note}",
                hd(c.head),
                if matches!(c.kind, Claim::Mapped(_)) {
                    " (mapped)"
                } else {
                    ""
                }
            ),
        )
    } else if planned > 0 {
        (
            Verdict::Missing,
            0.8,
            format!(
                "only planned or prescribed ({}), never reported as done{mapped_note}",
                plural(planned, "sentence")
            ),
        )
    } else if words_only > 0 {
        (
            Verdict::Missing,
            0.7,
            format!(
                "named only in enumerations, headings of other sections, placeholders or short lines ({}){mapped_note}",
                plural(words_only, "place")
            ),
        )
    } else {
        (
            Verdict::Missing,
            0.9,
            format!(
                "no heading claims it and no sentence speaks of it (looked for: {}){mapped_note}",
                looked_for(el)
            ),
        )
    };

    // Evidence: the best claim (when it has support or is the reason of the
    // verdict), then up to three supporting paragraphs in document order.
    let mut evidence = Vec::new();
    for c in infos.iter().take(2) {
        let h = c.head;
        let ex = c
            .first
            .map(|k| short_words(sentence_text(o, &r.sentences[k]), 12))
            .unwrap_or_else(|| o.texts[h].clone());
        evidence.push(Evidence {
            via: Via::Heading,
            heading_path: o.path(h),
            loc: o.doc.blocks[h].loc(),
            excerpt: ex,
            matched: if o.norm[h].is_empty() {
                normalise_heading(&o.texts[h])
            } else {
                o.norm[h].clone()
            },
            section_words: Some(o.section_words[h]),
            blocks: h..end_of(h),
        });
    }
    // Paragraphs that speak of the element, one evidence item each.
    let mut per_group: Vec<(usize, usize)> = r
        .unit_sentences
        .iter()
        .filter_map(|g| {
            let c = g.clone().filter(|k| support.contains(k)).count();
            let first = g.clone().find(|&k| support.contains(&k) && strong[k])?;
            Some((c, first))
        })
        .collect();
    per_group.sort_by_key(|&(_, k)| k);
    let mut seen_units = BTreeSet::new();
    for &(_, k) in &per_group {
        let s = &r.sentences[k];
        if !seen_units.insert(s.unit) {
            continue;
        }
        if seen_units.len() > 3 {
            break;
        }
        let unit = &o.units[s.unit];
        let m = el
            .cues
            .as_ref()
            .and_then(|re| re.find(&unit.matchable[s.start..s.end]));
        let (ms, me) = m
            .map(|m| (s.start + m.start(), s.start + m.end()))
            .unwrap_or((s.start, s.start));
        evidence.push(Evidence {
            via: Via::Cue,
            heading_path: o.path(unit.block),
            loc: o.doc.blocks[unit.block].loc(),
            excerpt: short_words(&unit.text[s.start..s.end], 12),
            // No phrase of the lexicon: the sentence model recognised it;
            // name the words that weighed most.
            matched: if ms == me {
                model
                    .map(|m| m.top_words(&unit.text[s.start..s.end], el.id, 3))
                    .filter(|w| !w.is_empty())
                    .map(|w| format!("words: {}", w.join(", ")))
                    .unwrap_or_default()
            } else {
                unit.text[ms..me].to_string()
            },
            section_words: None,
            blocks: unit.block..unit.block + 1,
        });
    }
    // The supported claim goes first; an unsupported claim after the cues
    // when the element was found elsewhere.
    if verdict != Verdict::Missing
        && evidence.first().is_some_and(|e| e.via == Via::Heading)
        && best.is_some_and(|c| support_in(c.head) == 0)
        && evidence.iter().any(|e| e.via == Via::Cue)
    {
        let h = evidence.remove(0);
        evidence.push(h);
    }

    ElementResult {
        id: el.id,
        key: el.key,
        short: el.short.clone(),
        wording: el.wording.clone(),
        verdict,
        confidence: (confidence * 100.0).round() / 100.0,
        reason,
        advice: if verdict == Verdict::Present {
            String::new()
        } else {
            el.advice.clone()
        },
        mapped: mapped_head.is_some(),
        heading_matches: claims.len(),
        cue_paragraphs: units.len(),
        cue_sections: sections.len(),
        evidence,
    }
}

fn sentence_text<'a>(o: &'a Outline, s: &Sentence) -> &'a str {
    &o.units[s.unit].text[s.start..s.end]
}

/// The first squarely matching phrase among the support, for reasons.
fn first_cue(
    o: &Outline,
    r: &Reading,
    el: &Element,
    support: &BTreeSet<usize>,
    strong: &[bool],
) -> String {
    for &k in support {
        if !strong[k] {
            continue;
        }
        let s = &r.sentences[k];
        let unit = &o.units[s.unit];
        if let Some(m) = el
            .cues
            .as_ref()
            .and_then(|re| re.find(&unit.matchable[s.start..s.end]))
        {
            return unit.text[s.start + m.start()..s.start + m.end()].to_string();
        }
    }
    support
        .iter()
        .next()
        .map(|&k| short_words(sentence_text(o, &r.sentences[k]), 6))
        .unwrap_or_default()
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// What the check looked for, in words.
fn looked_for(el: &Element) -> String {
    let w = el.wording.trim_end_matches('.');
    let mut c = w.chars();
    let w = match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect::<String>(),
        None => String::new(),
    };
    format!("a heading or sentences on {w}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_normalised() {
        assert_eq!(
            normalise_heading("C. Methodology & community input"),
            "methodology and community input"
        );
        assert_eq!(normalise_heading("2.1 Next steps"), "next steps");
        assert_eq!(normalise_heading("IV. BPF Outputs"), "bpf outputs");
        assert_eq!(normalise_heading("Lessons learned:"), "lessons learned");
    }

    #[test]
    fn word_count_agrees_with_the_model() {
        for s in [
            "",
            "a - b, 12 —",
            "  The forum’s “methodology” — 3 surveys; naïve résumé   x\ty\u{a0}z ",
            "— – … ¶ ·",
            "e-mail co-operation 2020-2021 (sic) [^1]",
        ] {
            assert_eq!(word_count(s), crate::model::count_words(s), "{s:?}");
        }
    }

    #[test]
    fn folding_keeps_offsets_and_word_characters() {
        let s = "“Café” — naïve résumé’s";
        let f = fold_ascii(s);
        assert_eq!(f.len(), s.len());
        assert!(f.is_ascii());
        for (i, _) in s.char_indices() {
            assert!(f.is_char_boundary(i));
        }
        assert_eq!(&f[..8], "   Cafxx");
        let re = regex::Regex::new(r"\bna\w+ve\b").unwrap();
        let m = re.find(&f).unwrap();
        assert_eq!(&s[m.range()], "naïve");
        assert_eq!(fold_ascii("plain"), "plain");
    }

    #[test]
    fn excerpt_is_short_and_contains_the_match() {
        let text = "word ".repeat(100) + "methodology" + &" tail".repeat(100);
        let start = text.find("methodology").unwrap();
        let ex = excerpt(&text, start, start + 11);
        assert!(ex.contains("methodology"));
        assert!(ex.chars().count() <= 175, "{}", ex.chars().count());
        assert!(ex.starts_with('…') && ex.ends_with('…'));
        assert_eq!(excerpt("short text", 0, 5), "short text");
    }
}
