//! Heading numbering labels, read one way for every format.
//!
//! Takes a heading's text (a DOCX heading paragraph, a PDF heading line or
//! outline entry, a Markdown `#` heading, or a plain-text line that may be
//! one); gives the label as written, apart from the text, as the model
//! wants ([`crate::model::Block::Heading`]). The DOCX, PDF and Markdown
//! readers all call [`split`], so one draft gives the same (label, text)
//! whatever format it came in.
//!
//! Labels understood, each followed by white space and the text:
//!
//! | form | examples | label |
//! | --- | --- | --- |
//! | keyword and number, letter or roman numeral, then an optional `.`, `:` or dash | `Part I – Context`, `Annex A. Participants`, `Chapter 3: Outlook`, `Annexe 1 Overview` | `Part I`, `Annex A`, `Chapter 3`, `Annexe 1` |
//! | keyword alone before a colon | `Annex: Amendment` | `Annex` |
//! | dotted numbers | `2.1 Scope`, `2.1. Scope` | `2.1`, `2.1.` |
//! | a number with `.` or `)` | `3. Findings`, `3) Findings` | `3.`, `3)` |
//! | a number of one or two digits alone, before a capital | `1 Introduction` | `1` |
//! | a letter or roman numeral with `.` or `)` | `C. Findings`, `a) Scope`, `IV. Outlook`, `ii. Cases` | `C.`, `a)`, `IV.`, `ii.` |
//! | the same in parentheses | `(a) Scope`, `(iv) Cases`, `(2) Method` | `(a)`, `(iv)`, `(2)` |
//!
//! A dash or colon between label and text (`1 – Introduction`) is dropped.
//! Roman numerals must be canonical (`IV`, not `IIII`) and use I, V, X, L
//! and C; `C.` and `I.` read both as letters and as roman numerals. Text
//! that is empty or spans lines leaves the heading unlabelled. Plain code,
//! no regex: this runs on every DOCX heading, where compiling Unicode
//! regexes cost more than reading a small draft.
//!
//! [`parse`] also gives each label's style and ordinal, so the plain-text
//! layer of the Markdown reader can check that inferred headings come in
//! sequence (A, B, C …); it accepts only the forms that are safe in running
//! text (no bare numbers, no parentheses: those start enumerations).

/// Numbering style of a label; each style is one heading level in a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Style {
    /// `A.`
    Upper,
    /// `a.`
    Lower,
    /// `IV.`
    Roman,
    /// `iv.`
    LowerRoman,
    /// `2.1` (the value is the depth: 2 numbers).
    Numeric(u8),
    /// `1.` (a single number).
    Number,
    /// `Annexe 1`, `Appendix B`, `Chapter 3`, `Part II`, `Section 4`.
    Keyword,
}

/// A label found at the start of a heading line.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// The label as written, e.g. `C.` or `Annexe 1`.
    pub label: String,
    /// The heading text after the label.
    pub text: String,
    /// Candidate readings (style, ordinal); two when ambiguous (`I.` is
    /// letter 9 or roman 1; `C.` is letter 3 or roman 100).
    pub readings: Vec<(Style, u32)>,
}

/// Words that name a part of a document before its number (lower case).
const KEYWORDS: [&str; 13] = [
    "annex",
    "annexe",
    "anexo",
    "appendix",
    "chapter",
    "chapitre",
    "capítulo",
    "part",
    "partie",
    "parte",
    "section",
    "sección",
    "schedule",
];
/// Keywords that may stand alone before a colon (`Annex: …`).
const BARE_KEYWORDS: [&str; 4] = ["annex", "annexe", "anexo", "appendix"];

/// Separators allowed between a label and its text besides white space.
const SEPARATORS: [char; 5] = [':', '-', '–', '—', '.'];

/// Which forms a caller accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A real heading: every form.
    Heading,
    /// A line that may be a heading: no bare numbers, no parentheses; a
    /// single number with `.` only if `number` is set.
    Line { number: bool },
}

/// Split a heading's text into its label and the rest: `"C. Findings"` →
/// `(Some("C."), "Findings")`; an unlabelled heading gives `(None, text)`.
/// The one reading of heading labels for every reader.
pub fn split(text: &str) -> (Option<String>, String) {
    match read(text, Mode::Heading) {
        Some(l) if !l.text.is_empty() && !l.text.contains('\n') => (Some(l.label), l.text),
        _ => (None, text.trim().to_string()),
    }
}

/// Parse a leading label of a line that may be a heading (the plain-text
/// layer). `allow_number` also accepts a single number (`1.`), off where
/// `1.` lines are list items. The text may be empty (`Annexe 1` alone).
pub fn parse(line: &str, allow_number: bool) -> Option<Label> {
    read(
        line,
        Mode::Line {
            number: allow_number,
        },
    )
}

fn read(line: &str, mode: Mode) -> Option<Label> {
    let t = line.trim();
    keyword(t)
        .or_else(|| numbers(t, mode))
        .or_else(|| letters(t, mode))
        .or_else(|| parenthesised(t, mode))
}

/// `t` split after `n` bytes of label: the label, and the text after white
/// space and an optional separator. `None` when no white space (or the
/// end) follows the label, or a separator is glued to the text.
fn after(t: &str, n: usize, readings: Vec<(Style, u32)>) -> Option<Label> {
    let (label, rest) = t.split_at(n);
    let body = rest.trim_start();
    if !rest.is_empty() && body.len() == rest.len() {
        return None;
    }
    let mut chars = body.chars();
    let body = match chars.next() {
        Some(c) if SEPARATORS.contains(&c) && c != '.' => {
            let tail = chars.as_str();
            if !tail.is_empty() && tail.trim_start().len() == tail.len() {
                // "1 -2": not a separator.
                return None;
            }
            tail.trim_start()
        }
        _ => body,
    };
    Some(Label {
        label: label.to_string(),
        text: body.trim_end().to_string(),
        readings,
    })
}

/// `Part I – Context`, `Annex A. Participants`, `Appendix: Sources`.
fn keyword(t: &str) -> Option<Label> {
    let word_end = t
        .char_indices()
        .find(|(_, c)| !c.is_alphabetic())
        .map_or(t.len(), |(i, _)| i);
    let word = t[..word_end].to_lowercase();
    if !KEYWORDS.contains(&word.as_str()) {
        return None;
    }
    let rest = &t[word_end..];
    if BARE_KEYWORDS.contains(&word.as_str())
        && let Some(text) = rest.trim_start().strip_prefix(':')
        && !text.trim().is_empty()
    {
        return Some(Label {
            label: t[..word_end].to_string(),
            text: text.trim().to_string(),
            readings: vec![(Style::Keyword, 0)],
        });
    }
    let token_start = word_end + (rest.len() - rest.trim_start().len());
    if token_start == word_end {
        return None;
    }
    let after_word = &t[token_start..];
    let token_len = after_word
        .char_indices()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
        .map_or(after_word.len(), |(i, _)| i);
    let token = &after_word[..token_len];
    let ok = match token.len() {
        1..=3 if token.bytes().all(|b| b.is_ascii_digit()) => true,
        1 => token.bytes().all(|b| b.is_ascii_uppercase()),
        _ => token.bytes().all(|b| b"IVXLC".contains(&b)) && roman(token).is_some(),
    };
    if !ok {
        return None;
    }
    let end = token_start + token_len;
    // A `.` or `:` right after the token is a separator ("Annex A. Title").
    let rest = &t[end..];
    let rest = match rest.strip_prefix(['.', ':']) {
        Some(r) if r.is_empty() || r.starts_with(char::is_whitespace) => r,
        Some(_) => return None,
        None => rest,
    };
    let mut l = after(
        &format!("{}{rest}", &t[..end]),
        end,
        vec![(Style::Keyword, 0)],
    )?;
    l.label = t[..end].to_string();
    Some(l)
}

/// `2.1 Scope`, `2.1. Scope`, `3. Findings`, `3) Findings`, `1 Introduction`.
fn numbers(t: &str, mode: Mode) -> Option<Label> {
    let b = t.as_bytes();
    let mut groups: Vec<u32> = Vec::new();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i - start > 3 {
            return None;
        }
        groups.push(t[start..i].parse().ok()?);
        if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            i += 1;
            continue;
        }
        break;
    }
    let last = *groups.last()?;
    if groups.len() > 1 {
        let end = if b.get(i) == Some(&b'.') { i + 1 } else { i };
        return after(
            t,
            end,
            vec![(Style::Numeric(groups.len().min(9) as u8), last)],
        );
    }
    match (b.get(i), mode) {
        (Some(b'.' | b')'), Mode::Heading | Mode::Line { number: true }) => {
            after(t, i + 1, vec![(Style::Number, last)])
        }
        // A bare number: only in a heading, one or two digits, before a
        // capital ("1 Introduction", not "2020 in review", "3 of 5").
        (Some(c), Mode::Heading) if c.is_ascii_whitespace() && i <= 2 => {
            let l = after(t, i, vec![(Style::Number, last)])?;
            l.text
                .chars()
                .next()
                .is_some_and(char::is_uppercase)
                .then_some(l)
        }
        _ => None,
    }
}

/// The readings of a letter or roman-numeral token (`C`, `iv`).
fn letter_readings(token: &str) -> Vec<(Style, u32)> {
    let mut readings = Vec::new();
    let Some(first) = token.chars().next() else {
        return readings;
    };
    if token.len() == 1 && first.is_ascii_alphabetic() {
        let ord = u32::from(first.to_ascii_lowercase()) - u32::from('a') + 1;
        let style = if first.is_ascii_uppercase() {
            Style::Upper
        } else {
            Style::Lower
        };
        readings.push((style, ord));
    }
    let upper = token.bytes().all(|b| b"IVXLC".contains(&b));
    let lower = token.bytes().all(|b| b"ivxlc".contains(&b));
    if (upper || lower)
        && token.len() <= 7
        && let Some(n) = roman(token)
    {
        readings.push((
            if upper {
                Style::Roman
            } else {
                Style::LowerRoman
            },
            n,
        ));
    }
    readings
}

/// `C. Findings`, `a) Scope`, `IV. Outlook`.
fn letters(t: &str, _mode: Mode) -> Option<Label> {
    let n = t
        .bytes()
        .position(|b| !b.is_ascii_alphabetic())
        .unwrap_or(t.len());
    if n == 0 || !matches!(t.as_bytes().get(n), Some(b'.' | b')')) {
        return None;
    }
    let readings = letter_readings(&t[..n]);
    if readings.is_empty() {
        return None;
    }
    after(t, n + 1, readings)
}

/// `(a) Scope`, `(iv) Cases`, `(2) Method`: headings only.
fn parenthesised(t: &str, mode: Mode) -> Option<Label> {
    if mode != Mode::Heading {
        return None;
    }
    let inner_end = t.strip_prefix('(')?.find(')')? + 1;
    let token = &t[1..inner_end];
    let readings =
        if !token.is_empty() && token.len() <= 3 && token.bytes().all(|b| b.is_ascii_digit()) {
            vec![(Style::Number, token.parse().ok()?)]
        } else {
            letter_readings(token)
        };
    if readings.is_empty() {
        return None;
    }
    after(t, inner_end + 1, readings)
}

/// Value of a roman numeral (I–MMM), `None` if malformed.
pub fn roman(s: &str) -> Option<u32> {
    let v = |c| match c {
        'i' => Some(1),
        'v' => Some(5),
        'x' => Some(10),
        'l' => Some(50),
        'c' => Some(100),
        'd' => Some(500),
        'm' => Some(1000),
        _ => None,
    };
    let digits: Vec<u32> = s
        .chars()
        .map(|c| v(c.to_ascii_lowercase()))
        .collect::<Option<_>>()?;
    let mut total = 0;
    for (i, d) in digits.iter().enumerate() {
        if digits.get(i + 1).is_some_and(|n| n > d) {
            total -= *d as i64;
        } else {
            total += *d as i64;
        }
    }
    let total = u32::try_from(total).ok().filter(|&t| t > 0)?;
    // Only canonical numerals (so "IIII" or "IC" are not roman).
    (to_roman(total) == s.to_ascii_uppercase()).then_some(total)
}

/// Upper-case roman numeral of `n` (1-3999); also used for Word numbering.
pub fn to_roman(mut n: u32) -> String {
    const T: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in T {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> (Option<&'static str>, String) {
        let (l, text) = split(t);
        (l.map(|l| &*Box::leak(l.into_boxed_str())), text)
    }

    /// Every form of the table in the module doc, as a heading.
    #[test]
    fn headings_split() {
        for (input, label, text) in [
            ("Part I – Context", "Part I", "Context"),
            ("Part II: Findings", "Part II", "Findings"),
            ("Annex A. Participants", "Annex A", "Participants"),
            (
                "Annexe 1 IGF Best Practice Forums - overview",
                "Annexe 1",
                "IGF Best Practice Forums - overview",
            ),
            ("Chapter 3: Outlook", "Chapter 3", "Outlook"),
            ("Appendix B — Sources", "Appendix B", "Sources"),
            (
                "Annexe: Suggested Amendment",
                "Annexe",
                "Suggested Amendment",
            ),
            ("2.1 Scope", "2.1", "Scope"),
            ("2.1. Scope", "2.1.", "Scope"),
            ("3. Findings", "3.", "Findings"),
            ("3) Findings", "3)", "Findings"),
            ("1 Introduction", "1", "Introduction"),
            ("1 – Introduction", "1", "Introduction"),
            ("1\tIntroduction", "1", "Introduction"),
            ("C. Findings", "C.", "Findings"),
            ("a) Scope", "a)", "Scope"),
            ("IV. Outlook", "IV.", "Outlook"),
            ("ii. Cases", "ii.", "Cases"),
            ("(a) Scope", "(a)", "Scope"),
            ("(iv) Cases", "(iv)", "Cases"),
            ("(2) Method", "(2)", "Method"),
            ("  C.  Scope  ", "C.", "Scope"),
            (
                "a. IGF Best Practice Forums",
                "a.",
                "IGF Best Practice Forums",
            ),
        ] {
            assert_eq!(s(input), (Some(label), text.to_string()), "{input}");
        }
    }

    #[test]
    fn unlabelled_headings_stay_whole() {
        for input in [
            "Introduction",
            "2020 in review",
            "3 of 5 regions",
            "10 years",
            "I am a heading",
            "A.B Findings",
            "2..1 Findings",
            "IIII. Findings",
            "IVX. Findings",
            "e.g. this",
            "C.",
            "Annex A",
            "Part of the problem",
            "Partnerships",
            "C. Two\nlines",
            "1 -2 degrees",
            "(ab) Scope",
        ] {
            assert_eq!(split(input), (None, input.trim().to_string()), "{input}");
        }
    }

    #[test]
    fn lines_have_readings_and_fewer_forms() {
        let l = parse("C. Organising and leading BPFs", false).unwrap();
        assert_eq!(
            (l.label.as_str(), l.text.as_str()),
            ("C.", "Organising and leading BPFs")
        );
        assert_eq!(l.readings, [(Style::Upper, 3), (Style::Roman, 100)]);
        assert_eq!(
            parse("IV. BPF Outputs", false).unwrap().readings,
            [(Style::Roman, 4)]
        );
        let l = parse("2.1 Scope", false).unwrap();
        assert_eq!(
            (l.label.as_str(), l.readings[0]),
            ("2.1", (Style::Numeric(2), 1))
        );
        let l = parse("Annexe 1", false).unwrap();
        assert_eq!((l.label.as_str(), l.text.as_str()), ("Annexe 1", ""));
        assert!(parse("1. On 26 October", false).is_none());
        assert_eq!(
            parse("1. Introduction", true).unwrap().readings,
            [(Style::Number, 1)]
        );
        // Enumerations in running text are not heading labels.
        assert!(parse("1 Introduction", true).is_none());
        assert!(parse("(a) the first", true).is_none());
        assert!(parse("e.g. this", false).is_none());
    }
}
