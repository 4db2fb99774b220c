//! Dates and the clock: the one calendar of bpfpress.
//!
//! - [`Date`]: a calendar day (proleptic Gregorian, UTC), parsed strictly
//!   from `YYYY-MM-DD` wherever a person gives one (`--date`,
//!   `--meeting-date`, `report.meeting_date` in `bpf.toml`), with the day
//!   arithmetic the checks and the mail headers need.
//! - [`PartialDate`]: what a draft says of its own date: a year, a month or
//!   a day (`2020`, `2020-09`, `2020-09-15`), as the model stores it.
//! - [`normalise_date`]: dates as drafts write them ("September 2020",
//!   "29 September 2020", "22.09.2020") into the model's ISO form; the
//!   readers' one normaliser.
//! - [`Clock`]: the one place that knows "today" (and the only code that
//!   reads the system clock or `SOURCE_DATE_EPOCH`). It is made once per
//!   run, like typst's `World::today`, and passed down; no stage reads the
//!   time on its own.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// Why a date was refused. Messages name the text as given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    #[error("{input:?} is not a date in the form YYYY-MM-DD")]
    Form { input: String },
    #[error("{input:?}: month {month} is not 1-12")]
    Month { input: String, month: u32 },
    #[error("{input:?}: day {day} does not exist in that month")]
    Day { input: String, day: u32 },
    #[error("{input:?}: the year must be 1970 or later")]
    Year { input: String },
    #[error(
        "SOURCE_DATE_EPOCH={value:?} is not a whole number of seconds since 1970-01-01; \
         set it to one (reproducible builds) or unset it"
    )]
    SourceDateEpoch { value: String },
}

/// A calendar day (proleptic Gregorian). Displays as `YYYY-MM-DD`.
///
/// Serialises as `{"year": …, "month": …, "day": …}` (the shape
/// `mailing.json` has always had).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

/// Days in `month` of `year`.
pub fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Date {
    /// Parse `YYYY-MM-DD`: four, two and two digits, a real day, 1970 or
    /// later (leading and trailing spaces ignored).
    pub fn parse(s: &str) -> Result<Date, DateError> {
        let t = s.trim();
        let form = || DateError::Form {
            input: s.to_owned(),
        };
        let parts: Vec<&str> = t.split('-').collect();
        let [y, m, d] = parts.as_slice() else {
            return Err(form());
        };
        let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
        if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
            return Err(form());
        }
        let (year, month, day): (i32, u32, u32) = match (y.parse(), m.parse(), d.parse()) {
            (Ok(y), Ok(m), Ok(d)) => (y, m, d),
            _ => return Err(form()),
        };
        if !(1..=12).contains(&month) {
            return Err(DateError::Month {
                input: s.to_owned(),
                month,
            });
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError::Day {
                input: s.to_owned(),
                day,
            });
        }
        if year < 1970 {
            return Err(DateError::Year {
                input: s.to_owned(),
            });
        }
        Ok(Date { year, month, day })
    }

    /// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
    pub fn to_days(self) -> i64 {
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The day `days` after 1970-01-01 (Hinnant's `civil_from_days`).
    pub fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }

    /// The day `n` days later (earlier for a negative `n`).
    pub fn plus_days(self, n: i64) -> Date {
        Date::from_days(self.to_days() + n)
    }

    /// The day of a Unix timestamp (UTC).
    pub fn from_unix(secs: i64) -> Date {
        Date::from_days(secs.div_euclid(86_400))
    }

    /// `hour`:00 UTC on this day (a fixed hour, so a header made from it is
    /// the same on every run). Days before 1970 give the epoch.
    pub fn at_hour_utc(self, hour: u32) -> SystemTime {
        let secs = self.to_days() * 86_400 + i64::from(hour) * 3600;
        UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl std::str::FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Date, DateError> {
        Date::parse(s)
    }
}

/// A draft's own date, as precise as the draft is: a year, a month or a
/// day (the model's `meta.date`: `2020`, `2020-09`, `2020-09-15`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u32>,
    pub day: Option<u32>,
}

impl PartialDate {
    /// Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (years 1000-9999; a day
    /// must exist in its month). Leading and trailing spaces are ignored.
    pub fn parse(s: &str) -> Option<PartialDate> {
        let mut parts = s.trim().splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        if !(1000..=9999).contains(&year) {
            return None;
        }
        let month = match parts.next() {
            Some(m) => Some(m.parse::<u32>().ok().filter(|m| (1..=12).contains(m))?),
            None => None,
        };
        let day = match (parts.next(), month) {
            (Some(d), Some(m)) => Some(
                d.parse::<u32>()
                    .ok()
                    .filter(|d| (1..=days_in_month(year, m)).contains(d))?,
            ),
            _ => None,
        };
        Some(PartialDate { year, month, day })
    }

    /// The first day the date may mean (month and day default to 1).
    pub fn first_day(&self) -> Date {
        Date {
            year: self.year,
            month: self.month.unwrap_or(1),
            day: self.day.unwrap_or(1),
        }
    }

    /// The last day the date may mean (`2020-09` → 2020-09-30).
    pub fn last_day(&self) -> Date {
        let month = self.month.unwrap_or(12);
        Date {
            year: self.year,
            month,
            day: self.day.unwrap_or_else(|| days_in_month(self.year, month)),
        }
    }

    /// `2020`, `September 2020` or `15 September 2020`.
    pub fn display(&self) -> String {
        let name = |m: u32| MONTHS[(m.clamp(1, 12) - 1) as usize];
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", name(m), self.year),
            (Some(m), None) => format!("{} {}", name(m), self.year),
            _ => self.year.to_string(),
        }
    }

    /// `2020`, `2020-09` or `2020-09-15`.
    pub fn iso(&self) -> String {
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{:04}-{m:02}-{d:02}", self.year),
            (Some(m), None) => format!("{:04}-{m:02}", self.year),
            _ => format!("{:04}", self.year),
        }
    }
}

impl From<Date> for PartialDate {
    fn from(d: Date) -> PartialDate {
        PartialDate {
            year: d.year,
            month: Some(d.month),
            day: Some(d.day),
        }
    }
}

/// The one place that knows "today": the day of `SOURCE_DATE_EPOCH` when
/// it is set (reproducible builds), else the machine's UTC day, read once
/// when the clock is made. Made by the command line and passed down to
/// whatever needs a date; stages never read the time themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    today: Date,
    source_date: Option<Date>,
}

impl Clock {
    /// The clock of this run: `SOURCE_DATE_EPOCH` if set, else the system
    /// clock. A `SOURCE_DATE_EPOCH` that is not a whole number is an error
    /// (the reproducible-builds convention), not silently ignored.
    pub fn from_env() -> Result<Clock, DateError> {
        let source_date = match std::env::var("SOURCE_DATE_EPOCH") {
            Ok(v) if !v.trim().is_empty() => {
                Some(Date::from_unix(v.trim().parse::<i64>().map_err(|_| {
                    DateError::SourceDateEpoch { value: v.clone() }
                })?))
            }
            _ => None,
        };
        Ok(match source_date {
            Some(d) => Clock::fixed(d),
            None => Clock::system(),
        })
    }

    /// The system clock alone, `SOURCE_DATE_EPOCH` not consulted (what
    /// event logs need; commands use [`Clock::from_env`]).
    pub fn system() -> Clock {
        Clock {
            today: Date::from_unix(unix_now()),
            source_date: None,
        }
    }

    /// A clock stopped at `today`, as `SOURCE_DATE_EPOCH` would stop it.
    pub fn fixed(today: Date) -> Clock {
        Clock {
            today,
            source_date: Some(today),
        }
    }

    /// Today: the date printed where a document needs one and the user
    /// gave none (e.g. the letters' date).
    pub fn today(&self) -> Date {
        self.today
    }

    /// The day `SOURCE_DATE_EPOCH` fixes, if set: it stands in for every
    /// date otherwise taken from the machine or the file (PDF timestamps,
    /// typst's `today()`), so the same inputs give the same bytes.
    pub fn source_date(&self) -> Option<Date> {
        self.source_date
    }

    /// The time now, RFC 3339 UTC (`2020-12-01T09:30:00Z`), for event logs
    /// (the SMTP send log). Always the real time: a log records when
    /// something happened, even in a reproducible build.
    pub fn timestamp(&self) -> String {
        rfc3339(unix_now())
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// RFC 3339 UTC form of a Unix timestamp: `2020-12-01T09:00:00Z`.
pub fn rfc3339(secs: i64) -> String {
    let d = Date::from_unix(secs);
    let rem = secs.rem_euclid(86_400);
    format!(
        "{d}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

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

fn year_word(word: &str) -> Option<u32> {
    let w = word.trim_end_matches(['.', ',']);
    (w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))
        .then(|| w.parse().ok())
        .flatten()
        .filter(|y| (1900..=2200).contains(y))
}

fn day_word(word: &str) -> Option<u32> {
    let w = word.trim_end_matches([',', '.']);
    let w = w
        .trim_end_matches("st")
        .trim_end_matches("nd")
        .trim_end_matches("rd")
        .trim_end_matches("th");
    w.parse().ok().filter(|d| (1..=31).contains(d))
}

/// The model's ISO form of `s` if the whole of `s` is a date as drafts
/// write them, else `None`. `September 2020` → `2020-09`; `22 September
/// 2020`, `September 22, 2020`, `2020-09-22`, `2020-09-22T10:00:00Z` and
/// `22.09.2020` / `22/09/2020` (day first) → `2020-09-22`; `2020-09`
/// stays. One normaliser for every reader, so a date means the same
/// whatever format the draft came in.
pub fn normalise_date(s: &str) -> Option<String> {
    let s = s.trim();
    // Day-first numeric: 22.09.2020, 22/09/2020.
    if let [d, m, y] = s.split(['.', '/']).collect::<Vec<_>>().as_slice()
        && let (Some(y), Ok(m), Some(d)) = (year_word(y), m.parse::<u32>(), day_word(d))
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
        let y = year_word(parts[0])?;
        let m: u32 = parts[1].parse().ok().filter(|m| (1..=12).contains(m))?;
        return Some(match parts.get(2) {
            Some(d) => format!("{y:04}-{m:02}-{:02}", day_word(d)?),
            None => format!("{y:04}-{m:02}"),
        });
    }
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    match words.as_slice() {
        [m, y] => Some(format!("{:04}-{:02}", year_word(y)?, month(m)?)),
        // "22 September 2020" (day first) or "September 22, 2020".
        [a, b, y] => {
            let (d, m) = if day_word(a).is_some() {
                (a, b)
            } else {
                (b, a)
            };
            Some(format!(
                "{:04}-{:02}-{:02}",
                year_word(y)?,
                month(m)?,
                day_word(d)?
            ))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn strict_parse_names_what_is_wrong() {
        assert_eq!(
            d("2020-11-02"),
            Date {
                year: 2020,
                month: 11,
                day: 2
            }
        );
        assert_eq!(d(" 2024-02-29 ").to_string(), "2024-02-29");
        for bad in [
            "2020-1-2",
            "20-1-1x",
            "",
            "2020-11",
            "2020/11/02",
            "2020-11-02x",
        ] {
            assert!(
                matches!(Date::parse(bad), Err(DateError::Form { .. })),
                "{bad}"
            );
        }
        assert!(matches!(
            Date::parse("2020-13-01"),
            Err(DateError::Month { month: 13, .. })
        ));
        let e = Date::parse("2021-02-29").unwrap_err().to_string();
        assert_eq!(e, "\"2021-02-29\": day 29 does not exist in that month");
        assert!(matches!(
            Date::parse("2020-00-10"),
            Err(DateError::Month { .. })
        ));
        assert!(matches!(
            Date::parse("1969-12-31"),
            Err(DateError::Year { .. })
        ));
        assert_eq!("2020-12-01".parse::<Date>(), Ok(d("2020-12-01")));
    }

    #[test]
    fn day_arithmetic_round_trips() {
        let x = d("2020-11-02");
        assert_eq!(Date::from_days(x.to_days()), x);
        assert_eq!(x.plus_days(-42).to_string(), "2020-09-21");
        assert_eq!(d("2024-03-01").plus_days(-1).to_string(), "2024-02-29");
        assert_eq!(d("1970-01-01").to_days(), 0);
        assert_eq!(Date::from_unix(1_606_780_800), d("2020-12-01"));
        assert_eq!(Date::from_unix(-1).to_string(), "1969-12-31");
        // Every day of four years survives the round trip.
        let start = d("2019-01-01").to_days();
        for n in start..start + 4 * 366 {
            assert_eq!(Date::from_days(n).to_days(), n);
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            rfc3339(d("2020-12-01").to_days() * 86_400 + 9 * 3600),
            "2020-12-01T09:00:00Z"
        );
        let t = d("2024-02-29").at_hour_utc(9);
        let secs = t.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
        assert_eq!(rfc3339(secs), "2024-02-29T09:00:00Z");
        let now = Clock::fixed(d("2020-12-01")).timestamp();
        assert!(now.ends_with('Z') && now.len() == 20, "{now}");
    }

    #[test]
    fn a_fixed_clock_is_today_and_the_source_date() {
        let c = Clock::fixed(d("2020-12-01"));
        assert_eq!(c.today(), d("2020-12-01"));
        assert_eq!(c.source_date(), Some(d("2020-12-01")));
    }

    #[test]
    fn partial_dates() {
        let p = PartialDate::parse("2020-09").unwrap();
        assert_eq!(
            (p.first_day(), p.last_day()),
            (d("2020-09-01"), d("2020-09-30"))
        );
        assert_eq!(p.display(), "September 2020");
        assert_eq!(p.iso(), "2020-09");
        let p = PartialDate::parse("2020-02-29").unwrap();
        assert_eq!(p.display(), "29 February 2020");
        assert_eq!(PartialDate::parse("2020").unwrap().display(), "2020");
        assert_eq!(
            PartialDate::parse("2020").unwrap().last_day(),
            d("2020-12-31")
        );
        for bad in ["2021-02-29", "2020-13", "999", "x", "2020-02-31"] {
            assert_eq!(PartialDate::parse(bad), None, "{bad}");
        }
        assert_eq!(PartialDate::from(d("2020-09-15")).iso(), "2020-09-15");
    }

    #[test]
    fn draft_date_forms() {
        let n = normalise_date;
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
        assert_eq!(month("Sept."), Some(9));
        assert_eq!(month("ma"), None);
    }
}
