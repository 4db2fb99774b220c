//! Heading numbering labels: `A.`, `a.`, `IV.`, `ii.`, `2.1`, `Annexe 1`.
//!
//! Takes a heading line; gives the label (kept apart from the text, as the
//! model wants), its style and its ordinal in that style, so the plain-text
//! layer can check that labels come in sequence (A, B, C …).

use regex::Regex;
use std::sync::LazyLock;

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
    /// `1.` (a single number with a dot).
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

static LETTER_OR_ROMAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Za-z]|[IVXLC]{1,7}|[ivxlc]{1,7})[.)]\s+(\S.*)$").expect("static regex")
});
static NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,3}(?:\.\d{1,3})+)\.?\s+(\S.*)$").expect("static regex"));
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d{1,3})[.)]\s+(\S.*)$").expect("static regex"));
static KEYWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^((?i:annexe?|appendix|chapter|part|section)\s+(?:\d{1,3}|[A-Z]|[IVXLC]{1,7}))\b\s*[.:\-–—]?\s*(.*)$",
    )
    .expect("static regex")
});
static KEYWORD_BARE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^((?i:annexe?|appendix))\s*:\s*(\S.*)$").expect("static regex"));

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
pub(crate) fn to_roman(mut n: u32) -> String {
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

/// Parse a leading label. `allow_number` also accepts a bare `1.` (off for
/// plain text, where `1.` lines are list items).
pub fn parse(line: &str, allow_number: bool) -> Option<Label> {
    let line = line.trim();
    if let Some(c) = KEYWORD
        .captures(line)
        .or_else(|| KEYWORD_BARE.captures(line))
    {
        return Some(Label {
            label: c[1].to_string(),
            text: c[2].trim().to_string(),
            readings: vec![(Style::Keyword, 0)],
        });
    }
    if let Some(c) = NUMERIC.captures(line) {
        let nums: Vec<&str> = c[1].split('.').collect();
        let last = nums.last().and_then(|n| n.parse().ok()).unwrap_or(0);
        return Some(Label {
            label: c[1].to_string(),
            text: c[2].to_string(),
            readings: vec![(Style::Numeric(nums.len().min(9) as u8), last)],
        });
    }
    if allow_number && let Some(c) = NUMBER.captures(line) {
        return Some(Label {
            label: format!("{}.", &c[1]),
            text: c[2].to_string(),
            readings: vec![(Style::Number, c[1].parse().unwrap_or(0))],
        });
    }
    let c = LETTER_OR_ROMAN.captures(line)?;
    let l = &c[1];
    let mut readings = Vec::new();
    let first = l.chars().next()?;
    if l.chars().count() == 1 {
        let ord = u32::from(first.to_ascii_lowercase()) - u32::from('a') + 1;
        readings.push((
            if first.is_ascii_uppercase() {
                Style::Upper
            } else {
                Style::Lower
            },
            ord,
        ));
    }
    if let Some(n) = roman(l) {
        let upper = first.is_ascii_uppercase();
        readings.push((
            if upper {
                Style::Roman
            } else {
                Style::LowerRoman
            },
            n,
        ));
    }
    if readings.is_empty() {
        return None;
    }
    let label = format!(
        "{l}{}",
        if line[l.len()..].starts_with(')') {
            ")"
        } else {
            "."
        }
    );
    Some(Label {
        label,
        text: c[2].to_string(),
        readings,
    })
}

/// Split a real (Markdown `#`) heading's text into label and text.
pub fn split_label(text: &str) -> (Option<String>, String) {
    match parse(text, true) {
        Some(l) if !l.text.is_empty() => (Some(l.label), l.text),
        _ => (None, text.trim().to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        let l = parse("C. Organising and leading BPFs", false).unwrap();
        assert_eq!(
            (l.label.as_str(), l.text.as_str()),
            ("C.", "Organising and leading BPFs")
        );
        assert_eq!(l.readings, [(Style::Upper, 3), (Style::Roman, 100)]);
        let l = parse("IV. BPF Outputs and Timelines", false).unwrap();
        assert_eq!(l.readings, [(Style::Roman, 4)]);
        let l = parse("2.1 Scope", false).unwrap();
        assert_eq!(
            (l.label.as_str(), l.readings[0]),
            ("2.1", (Style::Numeric(2), 1))
        );
        let l = parse("Annexe 1 IGF Best Practice Forums - overview", false).unwrap();
        assert_eq!(
            (l.label.as_str(), l.text.as_str()),
            ("Annexe 1", "IGF Best Practice Forums - overview")
        );
        let l = parse("Annexe: Suggested Amendment", false).unwrap();
        assert_eq!(
            (l.label.as_str(), l.text.as_str()),
            ("Annexe", "Suggested Amendment")
        );
        assert!(parse("1. On 26 October", false).is_none());
        assert!(parse("e.g. this", false).is_none());
        assert!(parse("IIII. no", false).is_none());
        assert_eq!(
            split_label("a. IGF Best Practice Forums").0.as_deref(),
            Some("a.")
        );
        assert_eq!(split_label("Introduction"), (None, "Introduction".into()));
    }
}
