//! Recipients: the list of institutions a report is sent to.
//!
//! Takes a recipients file (CSV, TOML or JSON, same fields) and gives a
//! validated [`Recipients`] list, or a [`RecipientsError`] listing *every*
//! problem with its row and column. Also gives the two pure functions the
//! letters and mailings share: the file stem of a recipient ([`file_stem`])
//! and the salutation ([`super::salutation`]).
//!
//! # Fields
//!
//! | field | | meaning |
//! | --- | --- | --- |
//! | `organisation` | required | institution name (also accepted: `organization`) |
//! | `contact_name` | | contact person, as it should print |
//! | `contact_title` | | form of address: `Dr`, `Ms`, `Mr`, `Prof.`; in French `Madame`, `Monsieur`, `Madame la Directrice`; in Spanish `Sra.`, `Sr.`, `Dra.`; also `господин`, `госпожа`, `السيد`, `السيدة`, `先生`, `女士` |
//! | `family_name` | | the contact's family name, for the salutation (`Dear Dr Petrov,`); read from the name when left out (see [`super::salutation`]) |
//! | `email` | required for mailings | one address |
//! | `address1`..`address3` or `address` | | postal address lines (`address` may hold several lines) |
//! | `country` | | country line of the address |
//! | `language` | | `ar`, `zh`, `en`, `fr`, `ru` or `es` (default `en`); names such as `Arabic`, `中文`, `русский` are read too |
//! | `salutation` | | replaces the computed salutation (printed as written; the language's closing punctuation is added when it has none) |
//! | `notes` | | free text, never printed |
//!
//! CSV: a header row names the columns (any order, case-insensitive, spaces
//! or hyphens count as `_`); rows may omit trailing empty columns. The
//! separator is `,`, or `;` / tab when the header line has more of those. TOML: an
//! array of tables `[[recipient]]`. JSON: an array of objects, or an object
//! with a `recipients` array. In TOML/JSON `address` may also be an array.
//! The file must be UTF-8 (a byte-order mark is allowed).
//!
//! # Validation
//!
//! Required fields present; the email address parses as an RFC 5321
//! address (lettre's [`lettre::Address`] parser: one `@`, a valid local part,
//! a domain or address literal) and its domain has at least one dot;
//! no two rows share an organisation (compared case- and
//! space-insensitively) or an email (case-insensitively); the language is
//! known; no control characters (line breaks, tabs) in single-line fields,
//! which would otherwise reach mail headers. Unknown columns are warnings.

use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Largest recipients file accepted (bytes).
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Letter and mail language: the six official languages of the United
/// Nations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    Ar,
    Zh,
    #[default]
    En,
    Fr,
    Ru,
    Es,
}

impl Language {
    /// Every language, in the UN's order (Arabic, Chinese, English,
    /// French, Russian, Spanish).
    pub const ALL: [Language; 6] = [
        Language::Ar,
        Language::Zh,
        Language::En,
        Language::Fr,
        Language::Ru,
        Language::Es,
    ];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::Ar => "ar",
            Language::Zh => "zh",
            Language::En => "en",
            Language::Fr => "fr",
            Language::Ru => "ru",
            Language::Es => "es",
        }
    }

    /// The language's English name.
    pub fn name(self) -> &'static str {
        match self {
            Language::Ar => "Arabic",
            Language::Zh => "Chinese",
            Language::En => "English",
            Language::Fr => "French",
            Language::Ru => "Russian",
            Language::Es => "Spanish",
        }
    }

    /// Whether the language is written right to left.
    pub fn is_rtl(self) -> bool {
        self == Language::Ar
    }

    /// Parse a code (`ar`, `zh`, `en`, `fr`, `ru`, `es`, case-insensitive,
    /// a region or script suffix such as `fr-CH` or `zh-Hans` allowed) or
    /// the language's name in English, French, Spanish or itself.
    pub fn parse(s: &str) -> Option<Language> {
        let s = s.trim().to_lowercase();
        let base = s.split(['-', '_']).next().unwrap_or("");
        match base {
            "ar" | "ara" | "arabic" | "arabe" | "árabe" | "العربية" | "عربي" => {
                Some(Language::Ar)
            }
            "zh" | "zho" | "chi" | "chinese" | "chinois" | "chino" | "中文" | "汉语" | "漢語" => {
                Some(Language::Zh)
            }
            "en" | "eng" | "english" | "anglais" | "inglés" | "ingles" => Some(Language::En),
            "fr" | "fra" | "fre" | "french" | "français" | "francais" | "francés" | "frances" => {
                Some(Language::Fr)
            }
            "ru" | "rus" | "russian" | "russe" | "ruso" | "русский" => Some(Language::Ru),
            "es" | "spa" | "spanish" | "espagnol" | "español" | "espanol" => Some(Language::Es),
            _ => None,
        }
    }
}

/// One validated recipient.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Recipient {
    /// 1-based position of the row in the file (invalid rows count too, so
    /// the number — and the file stem — stays the same when a row before it
    /// is fixed or skipped).
    pub index: usize,
    /// Safe, stable file stem `NNN-slug`; see [`file_stem`].
    pub stem: String,
    pub organisation: String,
    pub contact_name: Option<String>,
    pub contact_title: Option<String>,
    /// The contact's family name, when the file gives it (`family_name`);
    /// otherwise the salutation reads it from the name when it safely can.
    pub family_name: Option<String>,
    pub email: Option<String>,
    /// Postal address lines, without the country.
    pub address: Vec<String>,
    pub country: Option<String>,
    pub language: Language,
    /// The salutation to print: the file's `salutation` (with the
    /// language's closing punctuation added if it has none), else the one
    /// made by [`super::salutation::salutation`].
    pub salutation: String,
    pub notes: Option<String>,
}

impl Recipient {
    /// Name for the `To:` header: the contact person, else the organisation.
    pub fn display_name(&self) -> &str {
        self.contact_name.as_deref().unwrap_or(&self.organisation)
    }
}

/// Where a problem is: a row of the file and a column (field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// 1-based record number (CSV: data rows after the header; TOML/JSON:
    /// entries of the array). 0 for the header / the file as a whole.
    pub row: usize,
    /// CSV: line of the file where the record starts.
    pub line: Option<u64>,
    /// Field name; empty when the problem is the whole row.
    pub column: String,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, self.line) {
            (0, Some(l)) => write!(f, "line {l} (header)")?,
            (0, None) => write!(f, "file")?,
            (r, Some(l)) => write!(f, "row {r} (line {l})")?,
            (r, None) => write!(f, "entry {r}")?,
        }
        if !self.column.is_empty() {
            write!(f, ", column {}", self.column)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A row left out under `skip_invalid`.
#[derive(Debug, Clone, Serialize)]
pub struct SkippedRow {
    pub row: usize,
    pub line: Option<u64>,
    /// The organisation as written (may be empty).
    pub organisation: String,
    pub problems: Vec<Problem>,
}

/// The validated list.
#[derive(Debug, Clone, Serialize)]
pub struct Recipients {
    pub source: PathBuf,
    pub list: Vec<Recipient>,
    /// Rows left out because `skip_invalid` was set.
    pub skipped: Vec<SkippedRow>,
    /// Things worth saying that do not stop the run (unknown columns).
    pub warnings: Vec<String>,
}

/// Why a recipients file was refused.
#[derive(Debug, thiserror::Error)]
pub enum RecipientsError {
    #[error("{}: cannot read recipients file: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: recipients file is {size} bytes; the limit is {MAX_FILE_BYTES}", path.display())]
    TooLarge { path: PathBuf, size: u64 },
    #[error(
        "{}: not UTF-8: byte 0x{byte:02X} at offset {offset} (line {line}) is not valid UTF-8{hint}. \
         Save the file as UTF-8 (with or without BOM).",
        path.display()
    )]
    Encoding {
        path: PathBuf,
        byte: u8,
        offset: usize,
        line: usize,
        hint: &'static str,
    },
    #[error("{}: {message}", path.display())]
    Syntax { path: PathBuf, message: String },
    #[error("{}: no recipients in the file", path.display())]
    Empty { path: PathBuf },
    #[error("{}: {} problem(s); nothing was produced (fix them or use --skip-invalid):\n{}",
        path.display(), problems.len(), ListDisplay(problems))]
    Invalid {
        path: PathBuf,
        problems: Vec<Problem>,
    },
}

struct ListDisplay<'a>(&'a [Problem]);
impl fmt::Display for ListDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "  {p}")?;
        }
        Ok(())
    }
}

/// File formats of a recipients list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceFormat {
    Csv,
    Toml,
    Json,
}

impl SourceFormat {
    /// From the extension, else from the first non-blank character.
    pub fn detect(path: &Path, text: &str) -> SourceFormat {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "txt" => SourceFormat::Csv,
            "toml" => SourceFormat::Toml,
            "json" => SourceFormat::Json,
            _ => match text.trim_start().chars().next() {
                Some('[' | '{') if !text.trim_start().starts_with("[[") => SourceFormat::Json,
                Some('[') => SourceFormat::Toml,
                _ => SourceFormat::Csv,
            },
        }
    }
}

/// How strict loading is.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoadOptions {
    /// Every recipient needs an email address (mailings).
    pub require_email: bool,
    /// Leave invalid rows out (listed in [`Recipients::skipped`]) instead
    /// of refusing the file.
    pub skip_invalid: bool,
}

/// Read and validate a recipients file.
pub fn load(path: &Path, opts: LoadOptions) -> Result<Recipients, RecipientsError> {
    let io = |source| RecipientsError::Io {
        path: path.to_owned(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        return Err(io(std::io::Error::other("is a directory, not a file")));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(RecipientsError::TooLarge {
            path: path.to_owned(),
            size: meta.len(),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    parse(path, &bytes, None, opts)
}

/// Validate recipients from bytes; `path` names the source in messages and
/// picks the format unless `format` is given.
pub fn parse(
    path: &Path,
    bytes: &[u8],
    format: Option<SourceFormat>,
    opts: LoadOptions,
) -> Result<Recipients, RecipientsError> {
    let text = decode(path, bytes)?;
    let format = format.unwrap_or_else(|| SourceFormat::detect(path, text));
    let mut warnings = Vec::new();
    let raws = match format {
        SourceFormat::Csv => read_csv(path, text, &mut warnings)?,
        SourceFormat::Toml => {
            let v: toml::Value = toml::from_str(text).map_err(|e| RecipientsError::Syntax {
                path: path.to_owned(),
                message: format!("TOML: {e}"),
            })?;
            let json = serde_json::to_value(v).map_err(|e| RecipientsError::Syntax {
                path: path.to_owned(),
                message: format!("TOML: {e}"),
            })?;
            read_structured(path, json, "recipient", &mut warnings)?
        }
        SourceFormat::Json => {
            let v: serde_json::Value =
                serde_json::from_str(text).map_err(|e| RecipientsError::Syntax {
                    path: path.to_owned(),
                    message: format!("JSON: {e}"),
                })?;
            read_structured(path, v, "recipients", &mut warnings)?
        }
    };
    if raws.is_empty() {
        return Err(RecipientsError::Empty {
            path: path.to_owned(),
        });
    }
    validate(path, raws, opts, warnings)
}

fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<&'a str, RecipientsError> {
    let enc = |byte: u8, offset: usize, hint: &'static str| RecipientsError::Encoding {
        path: path.to_owned(),
        byte,
        offset,
        line: 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count(),
        hint,
    };
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(enc(bytes[0], 0, " (a UTF-16 byte-order mark)"));
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let skip = bytes.len() - body.len();
    match std::str::from_utf8(body) {
        Ok(s) => Ok(s),
        Err(e) => {
            let off = skip + e.valid_up_to();
            let b = bytes[off];
            let hint = if (0x80..=0xFF).contains(&b) {
                " (the file looks like Latin-1 / Windows-1252)"
            } else {
                ""
            };
            Err(enc(b, off, hint))
        }
    }
}

/// One row before validation: field → (value or values), in file order.
#[derive(Debug, Default)]
struct RawRow {
    row: usize,
    line: Option<u64>,
    fields: Vec<(String, RawValue)>,
    problems: Vec<Problem>,
}

#[derive(Debug)]
enum RawValue {
    Text(String),
    Lines(Vec<String>),
}

const KNOWN: &[&str] = &[
    "organisation",
    "contact_name",
    "contact_title",
    "family_name",
    "email",
    "address",
    "address1",
    "address2",
    "address3",
    "country",
    "language",
    "salutation",
    "notes",
];

fn normalise_key(k: &str) -> String {
    let k = k.trim().to_lowercase().replace([' ', '-'], "_");
    match k.as_str() {
        "organization" => "organisation".into(),
        "address_1" => "address1".into(),
        "address_2" => "address2".into(),
        "address_3" => "address3".into(),
        "e_mail" | "mail" => "email".into(),
        _ => k,
    }
}

fn read_csv(
    path: &Path,
    text: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<RawRow>, RecipientsError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(sniff_delimiter(text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| RecipientsError::Syntax {
            path: path.to_owned(),
            message: format!("CSV header: {e}"),
        })?
        .iter()
        .map(normalise_key)
        .collect();
    let mut seen = HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        if let Some(first) = seen.insert(h.clone(), i) {
            return Err(RecipientsError::Syntax {
                path: path.to_owned(),
                message: format!(
                    "line 1 (header): column {h} appears twice (columns {} and {})",
                    first + 1,
                    i + 1
                ),
            });
        }
        if !h.is_empty() && !KNOWN.contains(&h.as_str()) {
            warnings.push(format!(
                "{}: line 1 (header): unknown column {h:?} is ignored (known: {})",
                path.display(),
                KNOWN.join(", ")
            ));
        }
    }
    if !headers.iter().any(|h| h == "organisation") {
        return Err(RecipientsError::Syntax {
            path: path.to_owned(),
            message: "line 1 (header): no organisation column; the first row must name the \
                      columns (organisation, contact_name, contact_title, email, ...)"
                .into(),
        });
    }
    let mut rows = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 1;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line());
                rows.push(RawRow {
                    row,
                    line,
                    problems: vec![Problem {
                        row,
                        line,
                        column: String::new(),
                        message: format!("cannot read CSV record: {e}"),
                    }],
                    ..Default::default()
                });
                continue;
            }
        };
        let line = rec.position().map(|p| p.line());
        if rec.iter().all(|f| f.trim().is_empty()) {
            continue; // blank line
        }
        let mut raw = RawRow {
            row,
            line,
            ..Default::default()
        };
        if rec.len() > headers.len() {
            raw.problems.push(Problem {
                row,
                line,
                column: String::new(),
                message: format!(
                    "has {} fields but the header names {} columns (an unquoted comma?)",
                    rec.len(),
                    headers.len()
                ),
            });
        }
        for (h, v) in headers.iter().zip(rec.iter()) {
            raw.fields.push((h.clone(), RawValue::Text(v.to_owned())));
        }
        rows.push(raw);
    }
    Ok(rows)
}

/// `,` unless the header line has more `;` or tabs (spreadsheets in
/// French or Spanish locales save CSV with `;`).
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.matches(c).count();
    let (comma, semi, tab) = (count(','), count(';'), count('\t'));
    if semi > comma && semi >= tab {
        b';'
    } else if tab > comma && tab > semi {
        b'\t'
    } else {
        b','
    }
}

fn read_structured(
    path: &Path,
    v: serde_json::Value,
    key: &str,
    warnings: &mut Vec<String>,
) -> Result<Vec<RawRow>, RecipientsError> {
    use serde_json::Value;
    let syntax = |m: String| RecipientsError::Syntax {
        path: path.to_owned(),
        message: m,
    };
    let arr = match v {
        Value::Array(a) => a,
        Value::Object(mut o) => match o
            .remove(key)
            .or_else(|| o.remove("recipients"))
            .or_else(|| o.remove("recipient"))
        {
            Some(Value::Array(a)) => a,
            _ => {
                return Err(syntax(format!(
                    "expected an array of recipients under {key:?} (TOML: [[recipient]] tables; \
                     JSON: an array or {{\"recipients\": [...]}})"
                )));
            }
        },
        _ => return Err(syntax("expected an array of recipients".into())),
    };
    let mut rows = Vec::new();
    let mut unknown = std::collections::BTreeSet::new();
    for (i, entry) in arr.into_iter().enumerate() {
        let row = i + 1;
        let mut raw = RawRow {
            row,
            ..Default::default()
        };
        let Value::Object(map) = entry else {
            raw.problems.push(Problem {
                row,
                line: None,
                column: String::new(),
                message: "is not a table/object of fields".into(),
            });
            rows.push(raw);
            continue;
        };
        for (k, v) in map {
            let k = normalise_key(&k);
            if !KNOWN.contains(&k.as_str()) {
                unknown.insert(k.clone());
            }
            let value = match v {
                Value::String(s) => RawValue::Text(s),
                Value::Null => RawValue::Text(String::new()),
                Value::Number(n) => RawValue::Text(n.to_string()),
                Value::Array(items) if k == "address" => {
                    let mut lines = Vec::new();
                    for it in items {
                        match it {
                            Value::String(s) => lines.push(s),
                            other => raw.problems.push(Problem {
                                row,
                                line: None,
                                column: k.clone(),
                                message: format!("address lines must be text, found {other}"),
                            }),
                        }
                    }
                    RawValue::Lines(lines)
                }
                other => {
                    raw.problems.push(Problem {
                        row,
                        line: None,
                        column: k.clone(),
                        message: format!("must be text, found {other}"),
                    });
                    continue;
                }
            };
            raw.fields.push((k, value));
        }
        rows.push(raw);
    }
    for k in unknown {
        warnings.push(format!(
            "{}: unknown field {k:?} is ignored (known: {})",
            path.display(),
            KNOWN.join(", ")
        ));
    }
    Ok(rows)
}

fn validate(
    path: &Path,
    raws: Vec<RawRow>,
    opts: LoadOptions,
    warnings: Vec<String>,
) -> Result<Recipients, RecipientsError> {
    let mut list = Vec::new();
    let mut skipped = Vec::new();
    let mut all_problems = Vec::new();
    let mut orgs: HashMap<String, usize> = HashMap::new();
    let mut emails: HashMap<String, usize> = HashMap::new();
    for raw in raws {
        let (rec, mut problems) = check_row(&raw, opts);
        let (row, line) = (raw.row, raw.line);
        let prob = |column: &str, message: String| Problem {
            row,
            line,
            column: column.into(),
            message,
        };
        // Every row takes part in the duplicate check (valid or not), so one
        // pass lists every problem; the first occurrence is the reference.
        if let Some(r) = &rec {
            let key = fold(&r.organisation);
            match orgs.get(&key) {
                Some(first) => problems.push(prob(
                    "organisation",
                    format!(
                        "duplicate organisation {:?} (first in row {first})",
                        r.organisation
                    ),
                )),
                None => {
                    orgs.insert(key, r.index);
                }
            }
            if let Some(e) = &r.email {
                let key = e.to_lowercase();
                match emails.get(&key) {
                    Some(first) => problems.push(prob(
                        "email",
                        format!("duplicate email {e:?} (first in row {first})"),
                    )),
                    None => {
                        emails.insert(key, r.index);
                    }
                }
            }
        }
        if problems.is_empty()
            && let Some(r) = rec
        {
            list.push(r);
        } else {
            let organisation = raw
                .fields
                .iter()
                .find(|(k, _)| k == "organisation")
                .and_then(|(_, v)| match v {
                    RawValue::Text(t) => Some(t.trim().to_owned()),
                    RawValue::Lines(_) => None,
                })
                .unwrap_or_default();
            all_problems.extend(problems.iter().cloned());
            skipped.push(SkippedRow {
                row,
                line,
                organisation,
                problems,
            });
        }
    }
    if !all_problems.is_empty() && !opts.skip_invalid {
        return Err(RecipientsError::Invalid {
            path: path.to_owned(),
            problems: all_problems,
        });
    }
    if list.is_empty() {
        return Err(if all_problems.is_empty() {
            RecipientsError::Empty {
                path: path.to_owned(),
            }
        } else {
            RecipientsError::Invalid {
                path: path.to_owned(),
                problems: all_problems,
            }
        });
    }
    Ok(Recipients {
        source: path.to_owned(),
        list,
        skipped,
        warnings,
    })
}

/// Case-, space- and normalisation-insensitive key for duplicate checks.
fn fold(s: &str) -> String {
    s.nfkc()
        .collect::<String>()
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

struct Probs {
    row: usize,
    line: Option<u64>,
    list: Vec<Problem>,
}

impl Probs {
    fn add(&mut self, column: &str, message: String) {
        self.list.push(Problem {
            row: self.row,
            line: self.line,
            column: column.into(),
            message,
        });
    }
    fn has(&self, column: &str) -> bool {
        self.list.iter().any(|p| p.column == column)
    }
}

fn check_row(raw: &RawRow, opts: LoadOptions) -> (Option<Recipient>, Vec<Problem>) {
    if raw.fields.is_empty() && !raw.problems.is_empty() {
        // unreadable row (not an object, broken CSV record): say that only
        return (None, raw.problems.clone());
    }
    let mut p = Probs {
        row: raw.row,
        line: raw.line,
        list: raw.problems.clone(),
    };
    let get =
        |k: &str| -> Option<&RawValue> { raw.fields.iter().find(|(f, _)| f == k).map(|(_, v)| v) };
    let single = |k: &str, p: &mut Probs| -> Option<String> {
        let v = match get(k)? {
            RawValue::Text(t) => t.trim().to_owned(),
            RawValue::Lines(_) => {
                p.add(k, "must be a single line of text".into());
                return None;
            }
        };
        if v.is_empty() {
            return None;
        }
        if let Some(c) = v.chars().find(|c| c.is_control()) {
            p.add(
                k,
                format!(
                    "contains a control character (U+{:04X}); use one line",
                    c as u32
                ),
            );
            return None;
        }
        Some(v.nfc().collect())
    };
    let organisation = single("organisation", &mut p);
    if organisation.is_none() && !p.has("organisation") {
        p.add("organisation", "is required and empty".into());
    }
    let contact_name = single("contact_name", &mut p);
    let contact_title = single("contact_title", &mut p);
    let family_name = single("family_name", &mut p);
    let email = single("email", &mut p);
    match &email {
        Some(e) => {
            if let Err(m) = check_email(e) {
                p.add("email", format!("{e:?} is not a valid email address: {m}"));
            }
        }
        None if opts.require_email && !p.has("email") => {
            p.add("email", "is required for mailings and empty".into());
        }
        None => {}
    }
    let country = single("country", &mut p);
    let language = match single("language", &mut p) {
        None => Language::En,
        Some(l) => Language::parse(&l).unwrap_or_else(|| {
            p.add(
                "language",
                format!("unknown language {l:?}; use ar, zh, en, fr, ru or es"),
            );
            Language::En
        }),
    };
    let salutation_override = single("salutation", &mut p);
    let notes = match get("notes") {
        Some(RawValue::Text(t)) if !t.trim().is_empty() => Some(t.trim().to_owned()),
        _ => None,
    };
    let mut address = Vec::new();
    match get("address") {
        Some(RawValue::Text(t)) => address.extend(t.lines().map(str::to_owned)),
        Some(RawValue::Lines(ls)) => address.extend(ls.iter().cloned()),
        None => {}
    }
    for k in ["address1", "address2", "address3"] {
        if let Some(v) = single(k, &mut p) {
            address.push(v);
        }
    }
    let address: Vec<String> = address
        .into_iter()
        .map(|l| l.trim().nfc().collect::<String>())
        .filter(|l| !l.is_empty())
        .collect();
    for l in &address {
        if let Some(c) = l.chars().find(|c| c.is_control()) {
            p.add(
                "address",
                format!("contains a control character (U+{:04X})", c as u32),
            );
        }
    }
    let Some(organisation) = organisation else {
        return (None, p.list);
    };
    let salutation = match salutation_override {
        Some(s) => super::salutation::custom(language, &s),
        None => super::salutation::salutation(
            language,
            super::salutation::Person {
                name: contact_name.as_deref(),
                title: contact_title.as_deref(),
                family_name: family_name.as_deref(),
            },
        ),
    };
    let rec = Recipient {
        index: raw.row,
        stem: file_stem(raw.row, &organisation),
        organisation,
        contact_name,
        contact_title,
        family_name,
        email,
        address,
        country,
        language,
        salutation,
        notes,
    };
    (Some(rec), p.list)
}

/// The documented email check: lettre's RFC 5321 address parser, plus a
/// dot in the domain (mail to a bare host name is almost always a typo).
pub fn check_email(e: &str) -> Result<(), String> {
    let addr: lettre::Address = e.parse().map_err(|err| format!("{err}"))?;
    let domain = addr.domain();
    if !domain.starts_with('[') && !domain.contains('.') {
        return Err(format!("domain {domain:?} has no dot"));
    }
    if domain.ends_with('.') || domain.contains("..") {
        return Err(format!("domain {domain:?} is malformed"));
    }
    Ok(())
}

/// The safe, stable file stem of recipient number `index`:
/// `NNN-<slug>`, e.g. `007-unesco-communication-and-information-sector`.
///
/// The slug is ASCII `[a-z0-9-]`, at most 48 characters cut at a word
/// boundary: accents are stripped (é→e, ß→ss, ø→o, æ→ae, ł→l…) and Cyrillic
/// is transliterated. Names with too little Latin to make a slug (Arabic,
/// Chinese…) get `org-` and 8 hex digits of a SHA-256 of the name. The
/// number makes stems unique; nothing from the data can add a path
/// separator, a dot or a leading hyphen.
pub fn file_stem(index: usize, organisation: &str) -> String {
    let s = slug(organisation);
    let s = if s.len() < 2 {
        let h = Sha256::digest(organisation.nfc().collect::<String>().as_bytes());
        format!("org-{}", hex(&h[..4]))
    } else {
        s
    };
    format!("{index:03}-{s}")
}

/// ASCII slug of `s` (may be empty).
pub fn slug(s: &str) -> String {
    const MAX: usize = 48;
    let mut ascii = String::new();
    let push = |c: char, ascii: &mut String| {
        if c.is_ascii_alphanumeric() {
            ascii.push(c.to_ascii_lowercase());
        } else if let Some(t) = translit(c) {
            ascii.push_str(t);
        } else {
            ascii.push('-'); // spaces, punctuation, path characters, other scripts
        }
    };
    for c in s.nfc() {
        // whole letters first (й is not и + breve), then accents stripped
        if translit(c).is_some() {
            push(c, &mut ascii);
            continue;
        }
        for d in std::iter::once(c).nfkd().filter(|d| !is_combining_mark(*d)) {
            push(d, &mut ascii);
        }
    }
    let mut out = String::new();
    for part in ascii.split('-').filter(|p| !p.is_empty()) {
        if !out.is_empty() && out.len() + 1 + part.len() > MAX {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(part);
    }
    out.truncate(MAX);
    out.trim_end_matches('-').to_owned()
}

/// The attachment name of the report: `<slug of the title>.pdf`, cut on a
/// word boundary and never mid-word. A title with a subtitle (`Main title:
/// subtitle`) is named by its main part when that has two words or more;
/// a name never ends in a little word ("to", "of", "and", …) left over
/// from the cut. A title with too little Latin for a slug (Arabic,
/// Chinese) gives `report.pdf`.
pub fn report_file_name(title: &str) -> String {
    const MAX: usize = 48;
    const LITTLE: &[&str] = &[
        "a", "an", "and", "at", "by", "for", "from", "in", "of", "on", "or", "the", "to", "with",
        "de", "des", "du", "et", "la", "le", "les", "del", "el", "en", "y", "para", "por", "sur",
    ];
    let main = title
        .split_once([':', '\u{2014}', '\u{2013}'])
        .map(|(m, _)| m)
        .filter(|m| m.split_whitespace().count() >= 2)
        .unwrap_or(title);
    let full = slug_words(main);
    let mut words: Vec<&str> = Vec::new();
    let mut len = 0;
    for w in full.iter().map(String::as_str) {
        let add = if words.is_empty() {
            w.len()
        } else {
            w.len() + 1
        };
        if !words.is_empty() && len + add > MAX {
            break;
        }
        words.push(w);
        len += add;
    }
    while words.len() > 1 && words.last().is_some_and(|w| LITTLE.contains(w)) {
        words.pop();
    }
    if words.join("").len() < 2 {
        return "report.pdf".into();
    }
    format!("{}.pdf", words.join("-"))
}

/// The ASCII words of `s` (accents stripped, Cyrillic transliterated).
fn slug_words(s: &str) -> Vec<String> {
    let mut ascii = String::new();
    for c in s.nfc() {
        if translit(c).is_some() || c.is_ascii_alphanumeric() {
            match translit(c) {
                Some(t) => ascii.push_str(t),
                None => ascii.push(c.to_ascii_lowercase()),
            }
            continue;
        }
        for d in std::iter::once(c).nfkd().filter(|d| !is_combining_mark(*d)) {
            if d.is_ascii_alphanumeric() {
                ascii.push(d.to_ascii_lowercase());
            } else if let Some(t) = translit(d) {
                ascii.push_str(t);
            } else {
                ascii.push(' ');
            }
        }
    }
    ascii
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn translit(c: char) -> Option<&'static str> {
    let lower: Vec<char> = c.to_lowercase().collect();
    let c = *lower.first()?;
    Some(match c {
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'ł' => "l",
        'đ' | 'ð' => "d",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        // Russian / common Cyrillic (ISO 9-like, ASCII only)
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'д' => "d",
        'е' | 'ё' | 'э' | 'є' => "e",
        'ж' => "zh",
        'з' => "z",
        'и' | 'і' | 'ї' => "i",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "yu",
        'я' => "ya",
        _ => return None,
    })
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_are_ascii_safe_and_stable() {
        assert_eq!(
            file_stem(1, "UNESCO – Communication and Information Sector"),
            "001-unesco-communication-and-information-sector"
        );
        assert_eq!(
            file_stem(12, "Société Française d'Études"),
            "012-societe-francaise-d-etudes"
        );
        assert_eq!(
            file_stem(3, "Straße Øresund Łódź"),
            "003-strasse-oresund-lodz"
        );
        assert_eq!(file_stem(4, "Российский IGF"), "004-rossiyskiy-igf");
        let ar = file_stem(5, "جامعة الدول العربية");
        assert!(
            ar.starts_with("005-org-") && ar.len() == "005-org-".len() + 8,
            "{ar}"
        );
        assert_eq!(ar, file_stem(5, "جامعة الدول العربية"));
        assert_ne!(ar, file_stem(5, "中国互联网治理论坛"));
        for evil in ["../../etc/passwd", "a/b\\c", ".hidden", "-rf", "con:nul|*?"] {
            let s = file_stem(9, evil);
            assert!(
                s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                "{s}"
            );
            assert!(s.starts_with("009-") && !s.ends_with('-'), "{s}");
        }
        assert_eq!(file_stem(1234, "A B"), "1234-a-b");
        let long = file_stem(1, &"word ".repeat(40));
        assert!(long.len() <= 4 + 48 && !long.ends_with('-'), "{long}");
    }

    #[test]
    fn report_names_cut_on_word_boundaries() {
        assert_eq!(
            report_file_name(
                "Reviewing past Best Practice Forums (BPF) to enhance future BPF work: a “BPF on BPFs”"
            ),
            "reviewing-past-best-practice-forums-bpf.pdf"
        );
        assert_eq!(
            report_file_name("BPF on BPFs: Output Report 2020"),
            "bpf-on-bpfs.pdf"
        );
        assert_eq!(
            report_file_name("Cybersecurity: norms"),
            "cybersecurity-norms.pdf"
        );
        assert_eq!(
            report_file_name("Gender and Access: Online Gender-Based Violence"),
            "gender-and-access.pdf"
        );
        let long = report_file_name(
            "Internationalisation and localisation of multistakeholder cooperation frameworks",
        );
        assert_eq!(long, "internationalisation-and-localisation.pdf");
        assert_eq!(report_file_name("互联网治理"), "report.pdf");
        assert_eq!(
            report_file_name(&"Supercalifragilisticexpialidocious".repeat(3)),
            format!("{}.pdf", "supercalifragilisticexpialidocious".repeat(3))
        );
    }

    #[test]
    fn email_check() {
        assert!(check_email("a.b@example.org").is_ok());
        assert!(check_email("ops+bpf@sub.example.co.uk").is_ok());
        for bad in [
            "",
            "plain",
            "a@",
            "@example.org",
            "a b@example.org",
            "a@localhost",
            "a@@b.org",
            "a@b..org",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn languages() {
        assert_eq!(Language::parse("FR"), Some(Language::Fr));
        assert_eq!(Language::parse("es-AR"), Some(Language::Es));
        assert_eq!(Language::parse("español"), Some(Language::Es));
        assert_eq!(Language::parse("de"), None);
        assert_eq!(Language::parse("zh-Hans"), Some(Language::Zh));
        assert_eq!(Language::parse("AR"), Some(Language::Ar));
        assert_eq!(Language::parse("русский"), Some(Language::Ru));
        assert_eq!(Language::parse("中文"), Some(Language::Zh));
        for l in Language::ALL {
            assert_eq!(Language::parse(l.code()), Some(l));
        }
    }
}
