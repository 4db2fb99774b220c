//! Dates as drafts write them ("September 2020", "29 September 2020",
//! "September 29, 2020", "2020-09-29", "29.09.2020") into the model's ISO
//! form: `YYYY-MM-DD` when the day is known, `YYYY-MM` when only the month
//! is. One normaliser for every reader, so a date means the same whatever
//! format the draft came in.

/// English month names, as printed ("September"). The one list for every
/// stage: readers match them case-insensitively, the report cover and the
/// English letters print them.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The month number (1-12) of an English month name or its abbreviation
/// of three letters or more (`Sept.`, `sep`, `September`).
pub fn month(word: &str) -> Option<u32> {
    let w = word.trim_end_matches(['.', ',']).to_lowercase();
    if w.len() < 3 {
        return None;
    }
    // The names are ASCII, so any byte length of `w` is a char boundary.
    MONTHS
        .iter()
        .position(|m| m.len() >= w.len() && m[..w.len()].eq_ignore_ascii_case(&w))
        .map(|i| i as u32 + 1)
}

fn year(word: &str) -> Option<u32> {
    let w = word.trim_end_matches(['.', ',']);
    (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
        .filter(|y| (1900..=2200).contains(y))
}

fn day(word: &str) -> Option<u32> {
    let w = word.trim_end_matches([',', '.']);
    let w = w
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th");
    w.parse().ok().filter(|d| (1..=31).contains(d))
}

/// The ISO form of `s` if the whole of `s` is a date, else `None`.
/// `September 2020` → `2020-09`; `22 September 2020`, `September 22, 2020`,
/// `2020-09-22`, `2020-09-22T10:00:00Z` and `22.09.2020` / `22/09/2020` (day
/// first) → `2020-09-22`; `2020-09` stays.
pub fn normalise_date(s: &str) -> Option<String> {
    let s = s.trim();
    // Day-first numeric: 22.09.2020, 22/09/2020.
    if let [d, m, y] = s.split(['.', '/']).collect::<Vec<_>>().as_slice()
        && let (Some(y), Ok(m), Some(d)) = (year(y), m.parse::<u32>(), day(d))
        && (1..=12).contains(&m)
    {
        return Some(format!("{y:04}-{m:02}-{d:02}"));
    }
    // ISO: YYYY-MM-DD or YYYY-MM (a time part after 'T' or ' ' is dropped).
    let iso = s.split(['T', ' ']).next().unwrap_or(s);
    let parts: Vec<&str> = iso.split('-').collect();
    if (2..=3).contains(&parts.len())
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        let y = year(parts[0])?;
        let m: u32 = parts[1].parse().ok().filter(|m| (1..=12).contains(m))?;
        return Some(match parts.get(2) {
            Some(d) => format!("{y:04}-{m:02}-{:02}", day(d)?),
            None => format!("{y:04}-{m:02}"),
        });
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [m, y] => Some(format!("{:04}-{:02}", year(y)?, month(m)?)),
        [d, m, y] if day(d).is_some() => {
            Some(format!("{:04}-{:02}-{:02}", year(y)?, month(m)?, day(d)?))
        }
        [m, d, y] => Some(format!("{:04}-{:02}-{:02}", year(y)?, month(m)?, day(d)?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_date as n;

    #[test]
    fn forms() {
        assert_eq!(n("September 2020").as_deref(), Some("2020-09"));
        assert_eq!(n("29 September 2020").as_deref(), Some("2020-09-29"));
        assert_eq!(n("Sept. 29, 2020").as_deref(), Some("2020-09-29"));
        assert_eq!(n("2020-09-29").as_deref(), Some("2020-09-29"));
        assert_eq!(n("2020-09").as_deref(), Some("2020-09"));
        assert_eq!(n("IGF 2020"), None);
        assert_eq!(n("May the force"), None);
        assert_eq!(n("Final report by 1 October 2020"), None);
        assert_eq!(n("22 September 2020").as_deref(), Some("2020-09-22"));
        assert_eq!(n("Sept. 22, 2020").as_deref(), Some("2020-09-22"));
        assert_eq!(n("2026-11-22T01:50:59Z").as_deref(), Some("2026-11-22"));
        assert_eq!(n("22.09.2020").as_deref(), Some("2020-09-22"));
        assert_eq!(n("22/09/2020").as_deref(), Some("2020-09-22"));
        assert_eq!(n("31.13.2020"), None);
        assert_eq!(n("Markus Kummer"), None);
        assert_eq!(n("May 2020 draft"), None);
        assert_eq!(n("Best Practice Forum"), None);
    }
}
