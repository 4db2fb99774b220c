//! Letters: the render side of dissemination (issue 6).
//!
//! Takes a render [`Engine`], what every letter shares ([`LetterSetup`]:
//! BPF, report title and URL, date, takeaways, signatory) and recipients
//! from [`crate::mail::recipients`]; gives one cover-letter PDF per
//! recipient (`templates/letter.typ`, text per language in
//! `templates/letters/<lang>.toml`) and the press release
//! (`templates/press-release.typ`).
//!
//! The letter template receives two virtual files: `/shared.json`, byte for
//! byte the same for every recipient (so typst memoises everything derived
//! from it), and a small `/data.json` per recipient. Salutations come from
//! the mail stage, never made here.
//!
//! Every character that will print is checked against the loaded fonts
//! before compiling: a name no font covers is a [`LettersError::MissingGlyph`]
//! naming the recipient, the field and the character (typst itself would
//! only warn and print an empty box).

use crate::dates::{Date, MONTHS};
use crate::mail::LetterMaker;
use crate::mail::recipients::{Language, Recipient};
use crate::render::{Engine, Job, Paper, RenderError, needs_glyph, typst_date};
use serde::Serialize;
use std::path::Path;
use typst::foundations::{Bytes, Datetime};

/// Virtual path of the data every letter shares.
pub const SHARED_PATH: &str = "/shared.json";
/// Fewest and most takeaway bullets in a letter.
pub const MIN_TAKEAWAYS: usize = 3;
pub const MAX_TAKEAWAYS: usize = 5;

/// What every letter (and the press release) shares.
#[derive(Debug, Clone)]
pub struct LetterSetup {
    /// e.g. "IGF Best Practice Forum on Best Practice Forums".
    pub bpf_name: String,
    pub report_title: String,
    pub report_url: String,
    /// IGF year, e.g. "2020" (optional placeholder `{year}`).
    pub year: Option<String>,
    /// The date printed on letters and the press release.
    pub date: Date,
    /// Takeaway bullets (the letter prints the first [`MAX_TAKEAWAYS`]).
    pub takeaways: Vec<String>,
    pub signatory_name: String,
    pub signatory_role: String,
    pub paper: Paper,
    /// Whether the takeaways sheet goes with the letter (the letter text
    /// mentions it; `read-at`/`enclosures` vs their `-report-only` forms).
    pub takeaways_sheet: bool,
}

/// A failure of the letters stage.
#[derive(Debug, thiserror::Error)]
pub enum LettersError {
    #[error(
        "{who}: {field} {text:?} contains {ch:?} (U+{code:04X}), which no loaded font can print; \
         add a font that covers it with --font-dir DIR",
        code = *ch as u32
    )]
    MissingGlyph {
        /// The recipient (row and organisation) or "shared text".
        who: String,
        field: String,
        text: String,
        ch: char,
    },
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error("letter data: {0}")]
    Data(String),
}

#[derive(Serialize)]
struct SharedSigner<'a> {
    name: &'a str,
    role: &'a str,
}

#[derive(Serialize)]
struct Dates {
    en: String,
    fr: String,
    es: String,
}

#[derive(Serialize)]
struct SharedData<'a> {
    bpf: &'a str,
    title: &'a str,
    url: &'a str,
    year: Option<&'a str>,
    dates: Dates,
    takeaways: &'a [String],
    #[serde(rename = "takeaways-sheet")]
    takeaways_sheet: bool,
    signatory: SharedSigner<'a>,
    paper: &'a str,
}

/// The per-recipient data of `/data.json`.
#[derive(Serialize)]
struct RecipientData<'a> {
    language: &'a str,
    salutation: &'a str,
    organisation: &'a str,
    contact_name: Option<&'a str>,
    contact_title: Option<&'a str>,
    address: &'a [String],
    country: Option<&'a str>,
}

impl<'a> RecipientData<'a> {
    fn of(r: &'a Recipient) -> Self {
        RecipientData {
            language: r.language.code(),
            salutation: &r.salutation,
            organisation: &r.organisation,
            contact_name: r.contact_name.as_deref(),
            contact_title: r.contact_title.as_deref(),
            address: &r.address,
            country: r.country.as_deref(),
        }
    }
}

/// The date written out in a language: "1 December 2020", "1er décembre
/// 2020", "1 de diciembre de 2020".
pub fn long_date(d: Date, lang: Language) -> String {
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    let m = (d.month.clamp(1, 12) - 1) as usize;
    match lang {
        Language::En => format!("{} {} {}", d.day, MONTHS[m], d.year),
        Language::Fr if d.day == 1 => format!("1er {} {}", FR[m], d.year),
        Language::Fr => format!("{} {} {}", d.day, FR[m], d.year),
        Language::Es => format!("{} de {} de {}", d.day, ES[m], d.year),
    }
}

/// A takeaway as a bullet of its own: list items quoted from a report often
/// end in `;` or `, and` and start lower-case ("a BPF modalities
/// document;"). Trims those, capitalises the first letter and ends the
/// sentence; the words stay as quoted.
pub fn tidy_takeaway(s: &str) -> String {
    let mut t = s.trim();
    loop {
        let before = t;
        t = t.trim_end_matches([';', ',']).trim_end();
        for tail in [" and", " or", "; and", "; or", " et", " y"] {
            if let Some(x) = t.strip_suffix(tail) {
                t = x.trim_end();
            }
        }
        if t == before {
            break;
        }
    }
    let mut out = String::with_capacity(t.len() + 1);
    let mut chars = t.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
        out.push_str(chars.as_str());
    }
    if !out.is_empty() && !out.ends_with(['.', '!', '?', ':', '…', '"', '”', '»', ')']) {
        out.push('.');
    }
    out
}

/// Check that `engine`'s fonts print every character of `text`.
pub fn check_text(engine: &Engine, who: &str, field: &str, text: &str) -> Result<(), LettersError> {
    match text.chars().find(|&c| needs_glyph(c) && !engine.covers(c)) {
        None => Ok(()),
        Some(ch) => Err(LettersError::MissingGlyph {
            who: who.to_owned(),
            field: field.to_owned(),
            text: text.to_owned(),
            ch,
        }),
    }
}

/// How a recipient is named in messages: `row 7 (UNECA)`.
pub fn who(r: &Recipient) -> String {
    format!("row {} ({})", r.index, r.organisation)
}

/// Check every printed field of `r` against the fonts.
pub fn check_recipient(engine: &Engine, r: &Recipient) -> Result<(), LettersError> {
    let who = who(r);
    let mut fields: Vec<(&str, &str)> = vec![
        ("organisation", &r.organisation),
        ("salutation", &r.salutation),
    ];
    if let Some(v) = &r.contact_name {
        fields.push(("contact_name", v));
    }
    if let Some(v) = &r.contact_title {
        fields.push(("contact_title", v));
    }
    for a in &r.address {
        fields.push(("address", a));
    }
    if let Some(v) = &r.country {
        fields.push(("country", v));
    }
    for (field, text) in fields {
        check_text(engine, &who, field, text)?;
    }
    Ok(())
}

/// Renders cover letters; one per run, shared by every worker thread.
pub struct LetterRenderer {
    engine: Engine,
    shared: Bytes,
    today: Option<Datetime>,
    /// Evict typst's memo cache after each letter (bounded memory).
    pub evict: bool,
}

impl LetterRenderer {
    /// Prepare the shared data; fails if a shared text (BPF name, title,
    /// takeaways, signatory) has a character no font prints.
    pub fn new(engine: Engine, setup: &LetterSetup) -> Result<LetterRenderer, LettersError> {
        check_setup(&engine, setup)?;
        let takeaways = &setup.takeaways[..setup.takeaways.len().min(MAX_TAKEAWAYS)];
        let data = SharedData {
            bpf: &setup.bpf_name,
            title: &setup.report_title,
            url: &setup.report_url,
            year: setup.year.as_deref(),
            dates: Dates {
                en: long_date(setup.date, Language::En),
                fr: long_date(setup.date, Language::Fr),
                es: long_date(setup.date, Language::Es),
            },
            takeaways,
            takeaways_sheet: setup.takeaways_sheet,
            signatory: SharedSigner {
                name: &setup.signatory_name,
                role: &setup.signatory_role,
            },
            paper: setup.paper.typst_name(),
        };
        let shared = serde_json::to_vec(&data).map_err(|e| LettersError::Data(e.to_string()))?;
        Ok(LetterRenderer {
            engine,
            shared: Bytes::new(shared),
            today: typst_date(setup.date),
            evict: true,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The `/data.json` of one recipient.
    pub fn recipient_json(r: &Recipient) -> Vec<u8> {
        // Serialising plain strings cannot fail.
        serde_json::to_vec(&RecipientData::of(r)).unwrap_or_default()
    }

    /// The letter PDF of `r`. Call from a thread with a big stack
    /// ([`crate::render::pool`]).
    pub fn letter(&self, r: &Recipient) -> Result<Vec<u8>, LettersError> {
        check_recipient(&self.engine, r)?;
        let job = Job {
            main: "/letter.typ",
            data: Self::recipient_json(r),
            today: self.today,
        };
        let compiled = self
            .engine
            .compile_with(&job, &[(SHARED_PATH, self.shared.clone())])?;
        let pdf = self
            .engine
            .pdf(&compiled, &format!("bpfpress-letter:{}", r.stem), None)?;
        drop(compiled);
        if self.evict {
            self.engine.after_document();
        }
        Ok(pdf)
    }

    /// The `.typ` project of one letter for the stock typst CLI (benchmark
    /// and debugging): templates, fonts, `shared.json`, `data.json`.
    pub fn write_project(&self, r: &Recipient, dir: &Path) -> std::io::Result<()> {
        for (vpath, text) in crate::render::world::BUILTIN_TEMPLATES {
            write_in(dir, vpath.trim_start_matches('/'), text.as_bytes())?;
        }
        for (path, bytes) in crate::render::world::BUNDLED_FONTS {
            write_in(dir, path, bytes)?;
        }
        write_in(dir, "shared.json", self.shared.as_slice())?;
        write_in(dir, "data.json", &Self::recipient_json(r))
    }
}

fn write_in(dir: &Path, rel: &str, bytes: &[u8]) -> std::io::Result<()> {
    let p = dir.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent)?;
    }
    crate::fsutil::write_atomic(&p, bytes)
}

impl LetterMaker for LetterRenderer {
    fn letter(&self, r: &Recipient) -> Result<Vec<u8>, crate::mail::LetterError> {
        LetterRenderer::letter(self, r).map_err(|e| e.into())
    }
}

fn check_setup(engine: &Engine, s: &LetterSetup) -> Result<(), LettersError> {
    let who = "shared letter text";
    check_text(engine, who, "BPF name", &s.bpf_name)?;
    check_text(engine, who, "report title", &s.report_title)?;
    check_text(engine, who, "signatory name", &s.signatory_name)?;
    check_text(engine, who, "signatory role", &s.signatory_role)?;
    for t in &s.takeaways {
        check_text(engine, who, "takeaway", t)?;
    }
    Ok(())
}

/// A contact printed in the press release.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    pub name: String,
    pub role: String,
    pub email: Option<String>,
}

/// One institution in the press release's list.
#[derive(Debug, Clone, Serialize)]
pub struct Institution {
    pub organisation: String,
    pub country: Option<String>,
}

impl Institution {
    /// The institutions a press release names, in recipients-file order:
    /// those the mailing was delivered to or, on a dry run, those a letter
    /// was made for.
    pub fn sent_to(
        manifest: &crate::mail::campaign::Manifest,
        recipients: &[Recipient],
    ) -> Vec<Institution> {
        use crate::mail::campaign::Status;
        let sent: Vec<&str> = if manifest.dry_run {
            manifest
                .entries
                .iter()
                .filter(|e| e.status == Status::Generated)
                .map(|e| e.organisation.as_str())
                .collect()
        } else {
            manifest.sent_to().collect()
        };
        recipients
            .iter()
            .filter(|r| sent.contains(&r.organisation.as_str()))
            .map(|r| Institution {
                organisation: r.organisation.clone(),
                country: r.country.clone(),
            })
            .collect()
    }
}

#[derive(Serialize)]
struct PressData<'a> {
    bpf: &'a str,
    title: &'a str,
    url: &'a str,
    date: String,
    takeaways: &'a [String],
    institutions: &'a [Institution],
    contact: &'a Contact,
    paper: &'a str,
}

/// The press release PDF (`templates/press-release.typ`, English).
pub fn press_release(
    engine: &Engine,
    setup: &LetterSetup,
    institutions: &[Institution],
    contact: &Contact,
) -> Result<Vec<u8>, LettersError> {
    check_setup(engine, setup)?;
    for i in institutions {
        check_text(engine, "press release", "institution", &i.organisation)?;
    }
    check_text(engine, "press release", "contact name", &contact.name)?;
    let data = PressData {
        bpf: &setup.bpf_name,
        title: &setup.report_title,
        url: &setup.report_url,
        date: long_date(setup.date, Language::En),
        takeaways: &setup.takeaways[..setup.takeaways.len().min(MAX_TAKEAWAYS)],
        institutions,
        contact,
        paper: setup.paper.typst_name(),
    };
    let job = Job {
        main: "/press-release.typ",
        data: serde_json::to_vec(&data).map_err(|e| LettersError::Data(e.to_string()))?,
        today: typst_date(setup.date),
    };
    let compiled = engine.compile(&job)?;
    let pdf = engine.pdf(&compiled, "bpfpress-press-release", None)?;
    Ok(pdf)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_naturally() {
        let d: Date = "2020-12-01".parse().unwrap();
        assert_eq!(long_date(d, Language::En), "1 December 2020");
        assert_eq!(long_date(d, Language::Fr), "1er décembre 2020");
        assert_eq!(long_date(d, Language::Es), "1 de diciembre de 2020");
        let d: Date = "2021-08-15".parse().unwrap();
        assert_eq!(long_date(d, Language::Fr), "15 août 2021");
    }

    #[test]
    fn takeaways_read_as_bullets() {
        assert_eq!(
            tidy_takeaway("a BPF modalities document;"),
            "A BPF modalities document."
        );
        assert_eq!(
            tidy_takeaway(" an overview of improvements, and"),
            "An overview of improvements."
        );
        assert_eq!(tidy_takeaway("Done well."), "Done well.");
        assert_eq!(tidy_takeaway("Is it?"), "Is it?");
        assert_eq!(tidy_takeaway(""), "");
    }

    #[test]
    fn marks_need_no_glyph() {
        assert!(!needs_glyph('\u{200F}'));
        assert!(!needs_glyph(' '));
        assert!(needs_glyph('ل'));
    }
}
