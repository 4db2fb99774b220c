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
use crate::render::{Engine, Job, Paper, RenderError, Standard, needs_glyph, typst_date};
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
    /// The PDF standard letters and the press release are made to (as the
    /// report and the takeaways sheet); every letter is tagged either way.
    pub standard: Option<Standard>,
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
    #[error(
        "{who}: the letter is {pages} pages even at the smallest type and with no takeaway \
         quoted; shorten the address or the letter text (letters/<language>.toml)"
    )]
    TooLong { who: String, pages: usize },
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

/// The letter date in every language, keyed by language code.
type Dates = std::collections::BTreeMap<&'static str, String>;

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

/// One step of a letter's one-page fit: vertical room (factor of the
/// template's gaps: recipient window, paragraph and list spacing, the
/// signature's space) and type scale (factor of the body size).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FitStep {
    pub spacing: f32,
    pub scale: f32,
}

/// The fit steps, tried in order: spacing first, then the type in half-
/// point steps (10.5 → 10 → 9.5 → 9 pt for a Latin letter). At the last
/// step, takeaways are left out one at a time, the last first.
pub const FIT_STEPS: &[FitStep] = &[
    FitStep {
        spacing: 1.0,
        scale: 1.0,
    },
    FitStep {
        spacing: 0.6,
        scale: 1.0,
    },
    FitStep {
        spacing: 0.6,
        scale: 10.0 / 10.5,
    },
    FitStep {
        spacing: 0.6,
        scale: 9.5 / 10.5,
    },
    FitStep {
        spacing: 0.6,
        scale: 9.0 / 10.5,
    },
];

/// How the letter is fitted (`fit` in `/data.json`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
struct FitData {
    spacing: f32,
    scale: f32,
    /// How many of the shared takeaways the letter quotes.
    takeaways: usize,
}

/// The per-recipient data of `/data.json`.
#[derive(Serialize)]
struct RecipientData<'a> {
    language: &'a str,
    salutation: &'a str,
    organisation: &'a str,
    contact_name: Option<&'a str>,
    /// In the letter's language ([`crate::mail::salutation::display_title`]).
    contact_title: Option<String>,
    address: &'a [String],
    country: Option<&'a str>,
    fit: FitData,
}

impl<'a> RecipientData<'a> {
    fn of(r: &'a Recipient, fit: FitData) -> Self {
        RecipientData {
            language: r.language.code(),
            salutation: &r.salutation,
            organisation: &r.organisation,
            contact_name: r.contact_name.as_deref(),
            contact_title: r
                .contact_title
                .as_deref()
                .map(|t| crate::mail::salutation::display_title(r.language, t)),
            address: &r.address,
            country: r.country.as_deref(),
            fit,
        }
    }
}

/// A made letter: the PDF and how it was fitted on one page.
#[derive(Debug, Clone)]
pub struct Letter {
    pub pdf: Vec<u8>,
    /// PNG image of the page, when the engine was asked for previews
    /// ([`Engine::with_previews`]).
    pub previews: Vec<Vec<u8>>,
    /// Index into [`FIT_STEPS`].
    pub fit_step: usize,
    /// Takeaways quoted (fewer than the shared ones when some were left out).
    pub takeaways: usize,
    /// Compiles the fit needed (1 for a letter that fits as it is).
    pub compiles: usize,
    /// What the user should know (takeaways left out), naming the letter.
    pub warnings: Vec<String>,
}

/// The date written out in a language, as the UN writes it in each:
/// "1 December 2020", "1er décembre 2020", "1 de diciembre de 2020",
/// "1 декабря 2020 года", "2020年12月1日", and in Arabic "1 كانون
/// الأول/ديسمبر 2020" (the two month names of the Levant and of Egypt and
/// the Maghreb, with Western digits, as in UN documents).
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
    // Genitive: "1 декабря".
    const RU: [&str; 12] = [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ];
    const AR: [&str; 12] = [
        "كانون الثاني/يناير",
        "شباط/فبراير",
        "آذار/مارس",
        "نيسان/أبريل",
        "أيار/مايو",
        "حزيران/يونيه",
        "تموز/يوليه",
        "آب/أغسطس",
        "أيلول/سبتمبر",
        "تشرين الأول/أكتوبر",
        "تشرين الثاني/نوفمبر",
        "كانون الأول/ديسمبر",
    ];
    let m = (d.month.clamp(1, 12) - 1) as usize;
    match lang {
        Language::En => format!("{} {} {}", d.day, MONTHS[m], d.year),
        Language::Fr if d.day == 1 => format!("1er {} {}", FR[m], d.year),
        Language::Fr => format!("{} {} {}", d.day, FR[m], d.year),
        Language::Es => format!("{} de {} de {}", d.day, ES[m], d.year),
        Language::Ru => format!("{} {} {} года", d.day, RU[m], d.year),
        Language::Zh => format!("{}年{}月{}日", d.year, d.month, d.day),
        Language::Ar => format!("{} {} {}", d.day, AR[m], d.year),
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

/// A takeaway with its sub-items as one letter bullet: a sentence that
/// ends in ":" keeps the list that completes it ("…three documents: a
/// modalities document; a proposal template."), so a letter never quotes
/// a lead-in without what it leads to. Then [`tidy_takeaway`].
pub fn letter_bullet(text: &str, sub: &[String]) -> String {
    let subs: Vec<String> = sub
        .iter()
        .map(|s| {
            let t = tidy_takeaway(s);
            let t = t.trim_end_matches('.').to_owned();
            // Lower-case the first letter again: the items continue a sentence.
            let mut c = t.chars();
            match (c.next(), s.trim().chars().next()) {
                (Some(f), Some(orig)) if orig.is_lowercase() => {
                    f.to_lowercase().chain(c).collect::<String>()
                }
                _ => t,
            }
        })
        .filter(|s| !s.is_empty())
        .collect();
    if subs.is_empty() {
        return tidy_takeaway(text);
    }
    let head = text.trim();
    let head = if head.ends_with(':') {
        head.to_owned()
    } else {
        format!("{}:", head.trim_end_matches(['.', ';', ',']))
    };
    tidy_takeaway(&format!("{head} {}", subs.join("; ")))
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
    /// Takeaways in the shared data.
    takeaways: usize,
    today: Option<Datetime>,
    standard: Option<Standard>,
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
            dates: Language::ALL
                .iter()
                .map(|&l| (l.code(), long_date(setup.date, l)))
                .collect(),
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
            takeaways: takeaways.len(),
            today: typst_date(setup.date),
            standard: setup.standard,
            evict: true,
        })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The `/data.json` of one recipient, unfitted (first fit step, every
    /// takeaway).
    pub fn recipient_json(r: &Recipient) -> Vec<u8> {
        Self::json_at(r, FIT_STEPS[0], usize::MAX)
    }

    fn json_at(r: &Recipient, step: FitStep, takeaways: usize) -> Vec<u8> {
        let fit = FitData {
            spacing: step.spacing,
            scale: step.scale,
            takeaways: takeaways.min(MAX_TAKEAWAYS),
        };
        // Serialising plain strings and numbers cannot fail.
        serde_json::to_vec(&RecipientData::of(r, fit)).unwrap_or_default()
    }

    fn compile(
        &self,
        r: &Recipient,
        step: FitStep,
        takeaways: usize,
    ) -> Result<crate::render::Compiled, LettersError> {
        let job = Job {
            main: "/letter.typ",
            data: Bytes::new(Self::json_at(r, step, takeaways)),
            today: self.today,
        };
        Ok(self
            .engine
            .compile_with(&job, &[(SHARED_PATH, self.shared.clone())])?)
    }

    /// The letter of `r`, fitted on one page. Call from a thread with a big
    /// stack ([`crate::render::pool`]).
    ///
    /// The fit: compile as designed and read the page count back; a letter
    /// of one page (nearly all) is done in one compile. Over one page, the
    /// steps of [`FIT_STEPS`] are tried in order (spacing, then type size);
    /// still over at the last step, the takeaways are left out one at a
    /// time, the last first, with a warning naming the letter. A letter
    /// over one page with no takeaway at the smallest type is an error.
    pub fn letter(&self, r: &Recipient) -> Result<Letter, LettersError> {
        check_recipient(&self.engine, r)?;
        let all = self.takeaways;
        let mut compiles = 0;
        let mut found = None;
        for (i, &step) in FIT_STEPS.iter().enumerate() {
            compiles += 1;
            let c = self.compile(r, step, all)?;
            if c.page_count() <= 1 {
                found = Some((i, all, c));
                break;
            }
        }
        let mut warnings = Vec::new();
        let (fit_step, takeaways, compiled) = match found {
            Some(f) => f,
            None => {
                let last = FIT_STEPS.len() - 1;
                let mut fitted = None;
                for n in (0..all).rev() {
                    compiles += 1;
                    let c = self.compile(r, FIT_STEPS[last], n)?;
                    if c.page_count() <= 1 {
                        fitted = Some((last, n, c));
                        break;
                    }
                }
                let Some(f) = fitted else {
                    let c = self.compile(r, FIT_STEPS[last], 0)?;
                    return Err(LettersError::TooLong {
                        who: who(r),
                        pages: c.page_count(),
                    });
                };
                warnings.push(format!(
                    "letters/{}.pdf ({}): quotes {} of {all} takeaways, so that the letter \
                     fits on one page",
                    r.stem,
                    who(r),
                    f.1
                ));
                f
            }
        };
        let pdf = self.engine.pdf(
            &compiled,
            &format!("bpfpress-letter:{}", r.stem),
            self.standard,
        )?;
        let previews = self.engine.previews(&compiled)?;
        drop(compiled);
        if self.evict {
            self.engine.after_document();
        }
        Ok(Letter {
            pdf,
            previews,
            fit_step,
            takeaways,
            compiles,
            warnings,
        })
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
    fn letter(&self, r: &Recipient) -> Result<crate::mail::MadeLetter, crate::mail::LetterError> {
        let l = LetterRenderer::letter(self, r)?;
        Ok(crate::mail::MadeLetter {
            pdf: l.pdf,
            warnings: l.warnings,
        })
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

/// What the press release says about the mailing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dissemination {
    /// Before sending (a dry run): the institutions the report is being
    /// sent to, i.e. those a letter was made for.
    Sending,
    /// After sending: the institutions the send log confirms.
    Sent,
}

impl Institution {
    /// The institutions a press release names, in recipients-file order,
    /// and what they are: after sending, those the send log confirms the
    /// mailing was delivered to (`sent`, now or in an earlier run); before
    /// (a dry run), those a letter was made for. An empty list makes a
    /// release that says nothing about a mailing (never "sent to 0
    /// institutions").
    pub fn sent_to(
        manifest: &crate::mail::campaign::Manifest,
        recipients: &[Recipient],
    ) -> (Vec<Institution>, Dissemination) {
        use crate::mail::campaign::Status;
        let (sent, how): (Vec<&str>, _) = if manifest.dry_run {
            (
                manifest
                    .entries
                    .iter()
                    .filter(|e| e.status == Status::Generated)
                    .map(|e| e.organisation.as_str())
                    .collect(),
                Dissemination::Sending,
            )
        } else {
            (manifest.sent_to().collect(), Dissemination::Sent)
        };
        let list = recipients
            .iter()
            .filter(|r| sent.contains(&r.organisation.as_str()))
            .map(|r| Institution {
                organisation: r.organisation.clone(),
                country: r.country.clone(),
            })
            .collect();
        (list, how)
    }
}

#[derive(Serialize)]
struct PressFit {
    level: usize,
}

#[derive(Serialize)]
struct PressData<'a> {
    bpf: &'a str,
    title: &'a str,
    url: &'a str,
    date: String,
    takeaways: &'a [String],
    takeaways_sheet: bool,
    institutions: &'a [Institution],
    dissemination: Dissemination,
    contact: &'a Contact,
    paper: &'a str,
    fit: PressFit,
}

/// Fit levels of the press release: as designed; tighter type and a
/// three-column list; and at most three takeaways.
pub const PRESS_FIT_LEVELS: usize = 3;

/// The press release PDF (`templates/press-release.typ`, English).
///
/// One page for a typical list: compiled as designed and, over one page,
/// again at the tighter levels (see [`PRESS_FIT_LEVELS`]); a list too long
/// for one page even then continues on page 2.
pub fn press_release(
    engine: &Engine,
    setup: &LetterSetup,
    institutions: &[Institution],
    dissemination: Dissemination,
    contact: &Contact,
) -> Result<Vec<u8>, LettersError> {
    check_setup(engine, setup)?;
    for i in institutions {
        check_text(engine, "press release", "institution", &i.organisation)?;
    }
    check_text(engine, "press release", "contact name", &contact.name)?;
    let mut compiled = None;
    for level in 0..PRESS_FIT_LEVELS {
        let data = PressData {
            bpf: &setup.bpf_name,
            title: &setup.report_title,
            url: &setup.report_url,
            date: long_date(setup.date, Language::En),
            takeaways: &setup.takeaways[..setup.takeaways.len().min(MAX_TAKEAWAYS)],
            takeaways_sheet: setup.takeaways_sheet,
            institutions,
            dissemination,
            contact,
            paper: setup.paper.typst_name(),
            fit: PressFit { level },
        };
        let job = Job {
            main: "/press-release.typ",
            data: Bytes::new(
                serde_json::to_vec(&data).map_err(|e| LettersError::Data(e.to_string()))?,
            ),
            today: typst_date(setup.date),
        };
        let c = engine.compile(&job)?;
        let done = c.page_count() <= 1;
        compiled = Some(c);
        if done {
            break;
        }
    }
    let Some(compiled) = compiled else {
        return Err(LettersError::Data("no press release compiled".into()));
    };
    let pdf = engine.pdf(&compiled, "bpfpress-press-release", setup.standard)?;
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
        assert_eq!(long_date(d, Language::Ru), "15 августа 2021 года");
        assert_eq!(long_date(d, Language::Zh), "2021年8月15日");
        assert_eq!(long_date(d, Language::Ar), "15 آب/أغسطس 2021");
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
    fn lead_ins_keep_their_items() {
        assert_eq!(
            letter_bullet(
                "The BPF recommends three documents to the MAG:",
                &[
                    "a BPF modalities document;".into(),
                    "an overview of improvements, and".into(),
                    "a template for BPF proposals.".into()
                ]
            ),
            "The BPF recommends three documents to the MAG: a BPF modalities document; \
             an overview of improvements; a template for BPF proposals."
        );
        assert_eq!(letter_bullet("Done well", &[]), "Done well.");
    }

    #[test]
    fn marks_need_no_glyph() {
        assert!(!needs_glyph('\u{200F}'));
        assert!(!needs_glyph(' '));
        assert!(needs_glyph('ل'));
    }
}
