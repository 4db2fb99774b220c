//! Recipients: the list of institutions a report is sent to.
//!
//! Takes a recipients file (CSV, TOML or JSON, same fields) and gives a
//! validated [`Recipients`] list, or a [`RecipientsError`] listing *every*
//! problem with its row and column. Also gives the two pure functions the
//! letters and mailings share: the file stem of a recipient ([`file_stem`])
//! and the salutation ([`salutation`]).
//!
//! # Fields
//!
//! | field | | meaning |
//! | --- | --- | --- |
//! | `organisation` | required | institution name (also accepted: `organization`) |
//! | `contact_name` | | contact person, as it should print |
//! | `contact_title` | | form of address: `Dr`, `Ms`, `Mr`, `Prof.`; in French `Madame`, `Monsieur`, `Madame la Directrice`; in Spanish `Sra.`, `Sr.`, `Dra.` |
//! | `email` | required for mailings | one address |
//! | `address1`..`address3` or `address` | | postal address lines (`address` may hold several lines) |
//! | `country` | | country line of the address |
//! | `language` | | `en`, `fr` or `es` (default `en`) |
//! | `salutation` | | replaces the computed salutation verbatim |
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

/// Letter and mail language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Fr,
    Es,
}

impl Language {
    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
            Language::Es => "es",
        }
    }

    /// Parse a code (`en`, `fr`, `es`, case-insensitive, region suffix
    /// such as `fr-CH` allowed) or the language's own name.
    pub fn parse(s: &str) -> Option<Language> {
        let s = s.trim().to_lowercase();
        let base = s.split(['-', '_']).next().unwrap_or("");
        match base {
            "en" | "english" | "anglais" | "inglés" | "ingles" => Some(Language::En),
            "fr" | "french" | "français" | "francais" | "francés" | "frances" => {
                Some(Language::Fr)
            }
            "es" | "spanish" | "espagnol" | "español" | "espanol" => Some(Language::Es),
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
    pub email: Option<String>,
    /// Postal address lines, without the country.
    pub address: Vec<String>,
    pub country: Option<String>,
    pub language: Language,
    /// The salutation to print: the file's override, else [`salutation`].
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
                format!("unknown language {l:?}; use en, fr or es"),
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
    let salutation = salutation_override
        .unwrap_or_else(|| salutation(language, contact_name.as_deref(), contact_title.as_deref()));
    let rec = Recipient {
        index: raw.row,
        stem: file_stem(raw.row, &organisation),
        organisation,
        contact_name,
        contact_title,
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

/// The salutation of a letter or mail: a pure function of the language and
/// the contact person.
///
/// * English: `Dear {title} {name},` / `Dear {name},` / `Dear {title},`;
///   else `Dear Sir or Madam,`.
/// * French: the form of address alone, as French letters do —
///   `Madame la Directrice,`, `Monsieur,`, `Docteur,` (abbreviations
///   `Mme`, `M.`, `Dr` are spelled out). A name without a civility cannot
///   make a correct formal French salutation (it needs the gender), so it
///   falls back to `Madame, Monsieur,`.
/// * Spanish: `Estimada {title} {name}:` / `Estimado {title} {name}:` when
///   the title shows the gender (`Sra.`, `Dra.`, `Señora`… / `Sr.`, `Dr.`…);
///   else `Estimada señora, estimado señor:`.
pub fn salutation(lang: Language, name: Option<&str>, title: Option<&str>) -> String {
    let name = name.map(str::trim).filter(|s| !s.is_empty());
    let title = title.map(str::trim).filter(|s| !s.is_empty());
    match lang {
        Language::En => match (title, name) {
            (Some(t), Some(n)) => format!("Dear {t} {n},"),
            (None, Some(n)) => format!("Dear {n},"),
            (Some(t), None) => format!("Dear {t},"),
            (None, None) => "Dear Sir or Madam,".into(),
        },
        Language::Fr => match title.and_then(french_address) {
            Some(t) => format!("{t},"),
            None => "Madame, Monsieur,".into(),
        },
        Language::Es => match title.and_then(|t| spanish_gender(t).map(|g| (t, g))) {
            Some((t, feminine)) => {
                let adj = if feminine { "Estimada" } else { "Estimado" };
                match name {
                    Some(n) => format!("{adj} {t} {n}:"),
                    None => format!("{adj} {}:", lowercase_first(t)),
                }
            }
            None => "Estimada señora, estimado señor:".into(),
        },
    }
}

/// A French form of address from a title, if the title is one.
fn french_address(t: &str) -> Option<String> {
    let mut words = t.split_whitespace();
    let first = words.next()?;
    let rest: Vec<&str> = words.collect();
    let head = match first.to_lowercase().trim_end_matches('.') {
        "madame" | "mme" | "mlle" | "mademoiselle" => "Madame",
        "monsieur" | "m" => "Monsieur",
        "docteur" | "dr" => "Docteur",
        "docteure" | "dre" => "Docteure",
        "maître" | "maitre" | "me" => "Maître",
        "professeur" | "pr" | "prof" => "Professeur",
        "professeure" => "Professeure",
        "excellence" => "Excellence",
        _ => return None,
    };
    let mut out = head.to_owned();
    for w in rest {
        out.push(' ');
        out.push_str(w);
    }
    Some(out)
}

/// `Some(true)` feminine, `Some(false)` masculine, `None` unknown.
fn spanish_gender(t: &str) -> Option<bool> {
    let first = t.split_whitespace().next()?.to_lowercase();
    match first.trim_end_matches('.') {
        "sra" | "señora" | "srta" | "señorita" | "dra" | "doctora" | "profesora" | "prof.ª"
        | "embajadora" | "directora" | "licenciada" | "lic.ª" | "ministra" | "excelentísima" => {
            Some(true)
        }
        "sr" | "señor" | "dr" | "doctor" | "profesor" | "embajador" | "director" | "licenciado"
        | "ministro" | "excelentísimo" | "don" => Some(false),
        "doña" => Some(true),
        _ => None,
    }
}

fn lowercase_first(t: &str) -> String {
    // "Estimada Señora:" reads better as "Estimada señora:"; keep
    // abbreviations (Sra.) as written.
    if t.ends_with('.') {
        return t.to_owned();
    }
    let mut c = t.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salutations_per_language() {
        use Language::*;
        assert_eq!(salutation(En, None, None), "Dear Sir or Madam,");
        assert_eq!(
            salutation(En, Some("Amina Haddad"), Some("Dr")),
            "Dear Dr Amina Haddad,"
        );
        assert_eq!(salutation(En, Some("王小明"), None), "Dear 王小明,");
        assert_eq!(salutation(Fr, None, None), "Madame, Monsieur,");
        assert_eq!(
            salutation(Fr, Some("Camille Martin"), None),
            "Madame, Monsieur,"
        );
        assert_eq!(
            salutation(Fr, Some("Amélie Dubois"), Some("Madame la Directrice")),
            "Madame la Directrice,"
        );
        assert_eq!(salutation(Fr, Some("J. Koné"), Some("M.")), "Monsieur,");
        assert_eq!(salutation(Fr, Some("J. Koné"), Some("Dr")), "Docteur,");
        assert_eq!(
            salutation(Fr, Some("X"), Some("Chief")),
            "Madame, Monsieur,"
        );
        assert_eq!(
            salutation(Es, None, None),
            "Estimada señora, estimado señor:"
        );
        assert_eq!(
            salutation(Es, Some("María José Fernández"), Some("Sra.")),
            "Estimada Sra. María José Fernández:"
        );
        assert_eq!(
            salutation(Es, Some("José Álvarez"), Some("Sr.")),
            "Estimado Sr. José Álvarez:"
        );
        assert_eq!(salutation(Es, None, Some("Señora")), "Estimada señora:");
        assert_eq!(
            salutation(Es, Some("Alex"), Some("Ing.")),
            "Estimada señora, estimado señor:"
        );
        // blank strings are absent
        assert_eq!(salutation(En, Some("  "), Some("")), "Dear Sir or Madam,");
    }

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
    }
}
