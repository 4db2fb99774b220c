//! Salutations in the six UN languages: a pure function of the letter's
//! language and the contact person (name, form of address, family name).
//!
//! Each language follows its own convention for a formal letter:
//!
//! | language | with title and family name | neutral |
//! | --- | --- | --- |
//! | English | `Dear Dr Petrov,` | `Dear Sir or Madam,` |
//! | French | the form of address alone: `Madame la Directrice,`, `Monsieur,`, `Docteur,` | `Madame, Monsieur,` |
//! | Spanish | `Estimada Sra. Fernández:` | `Estimada señora, estimado señor:` |
//! | Russian | `Уважаемый господин Петров!`, `Уважаемая доктор Смирнова!` | `Уважаемые дамы и господа!` |
//! | Chinese | `尊敬的王先生：`, `尊敬的Petrov博士：` | `尊敬的先生/女士：` |
//! | Arabic | `السيد العلي المحترم،`, `السيدة حداد المحترمة،` | `السيدات والسادة المحترمون،` |
//!
//! The **family name** comes from the `family_name` column when given;
//! otherwise it is read from the name when that is safe: a family name in
//! capitals (`Oleg PETROV`, as UN lists write it), `Family, Given`, a
//! Chinese, Japanese or Korean name in its own script (family name first),
//! or the last word with its particles (`Fatima Zahra El Idrissi` → `El
//! Idrissi`, `Ludwig van Beethoven` → `van Beethoven`). A Spanish letter to
//! a name of three or more words keeps the whole name (two surnames or two
//! given names cannot be told apart: `María José Fernández Núñez`), unless
//! the family name is given. When no family name is known, the whole name
//! follows the title, which is still correct, only less usual.
//!
//! Where a language needs the person's gender (Spanish, Russian and Arabic
//! adjectives and titles), it comes from the form of address (`Ms`, `Sra.`,
//! `Madame`, `Mr`, `Sr.`, `господин`, `السيدة`, …), and in Russian also from
//! the ending of a Cyrillic family name (`-ова`, `-ина`, `-ская` / `-ов`,
//! `-ин`, `-ский`). Without it, the neutral form of the language is used
//! (Arabic: `الدكتور(ة) … المحترم(ة)،`).
//!
//! A salutation written in the recipients file is printed as written; when
//! it has no closing punctuation the language's own is added (`Dear
//! Colleagues` → `Dear Colleagues,`; `Estimados colegas` → `Estimados
//! colegas:`).

use super::recipients::Language;

/// Grammatical gender of a form of address, when it shows one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Feminine,
    Masculine,
}

/// What a form of address (`contact_title`) means, language-independently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Honorific {
    /// Mr, Ms, Mrs, Madame, Sra., господин, السيد…
    Plain,
    /// Dr, Dra., Docteur, доктор, الدكتور…
    Doctor,
    /// Prof., Professeur, профессор…
    Professor,
    /// Anything else (Ambassador, Madame la Directrice, Excellency…).
    Other,
}

/// A form of address read: its kind and the gender it shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Title {
    pub kind: Honorific,
    pub gender: Option<Gender>,
}

/// Read a form of address (`Dr`, `Ms`, `Sra.`, `Madame`, `господин`,
/// `الدكتورة`, `先生`, …). Only its first word counts.
pub fn read_title(t: &str) -> Title {
    use Gender::*;
    use Honorific::*;
    let first = t.split_whitespace().next().unwrap_or("").to_lowercase();
    let w = first.trim_end_matches('.');
    let (kind, gender) = match w {
        "mr" | "sr" | "señor" | "don" | "monsieur" | "m" | "herr" | "signor" | "sig"
        | "господин" | "г-н" | "السيد" | "先生" => (Plain, Some(Masculine)),
        "ms" | "mrs" | "miss" | "sra" | "srta" | "señora" | "señorita" | "doña" | "madame"
        | "mme" | "mlle" | "mademoiselle" | "frau" | "signora" | "sig.ra" | "госпожа" | "г-жа"
        | "السيدة" | "الآنسة" | "女士" | "小姐" | "夫人" => {
            (Plain, Some(Feminine))
        }
        "dr" | "doctor" | "docteur" | "dott" | "доктор" | "д-р" | "博士" | "د" => {
            (Doctor, None)
        }
        "dra" | "doctora" | "docteure" | "dott.ssa" | "الدكتورة" => {
            (Doctor, Some(Feminine))
        }
        "الدكتور" => (Doctor, Some(Masculine)),
        "prof" | "professor" | "professeur" | "pr" | "профессор" | "проф" | "教授" => {
            (Professor, None)
        }
        "profesora" | "professeure" | "prof.ª" => (Professor, Some(Feminine)),
        "profesor" | "الأستاذ" => (Professor, Some(Masculine)),
        "الأستاذة" => (Professor, Some(Feminine)),
        "embajadora" | "directora" | "licenciada" | "ministra" | "excelentísima" => {
            (Other, Some(Feminine))
        }
        "embajador" | "director" | "licenciado" | "ministro" | "excelentísimo" => {
            (Other, Some(Masculine))
        }
        _ => (Other, None),
    };
    Title { kind, gender }
}

/// A form of address as a letter in `lang` prints it before (Chinese:
/// after) the name. The English abbreviations a shared recipients file
/// usually holds (`Mr`, `Ms`, `Mrs`, `Miss`, `Dr`, `Prof.`) are given in
/// the letter's language (`Sra.`, `Mme`, `г-жа`, `博士`, `السيدة`, `د.`);
/// anything else prints as written.
pub fn display_title(lang: Language, title: &str) -> String {
    let t = title.trim();
    let w = t.to_lowercase();
    let w = w.trim_end_matches('.');
    let english = match w {
        "mr" => Some((Honorific::Plain, Some(Gender::Masculine))),
        "ms" | "mrs" | "miss" => Some((Honorific::Plain, Some(Gender::Feminine))),
        "dr" | "doctor" => Some((Honorific::Doctor, None)),
        "prof" | "professor" => Some((Honorific::Professor, None)),
        _ => None,
    };
    let Some((kind, gender)) = english else {
        return t.to_owned();
    };
    use Gender::*;
    use Honorific::*;
    let s = match (lang, kind, gender) {
        (Language::En, ..) => return t.to_owned(),
        (Language::Fr, Plain, Some(Feminine)) => "Mme",
        (Language::Fr, Plain, _) => "M.",
        (Language::Fr, Doctor, _) => "Dr",
        (Language::Fr, _, _) => "Pr",
        (Language::Es, Plain, Some(Feminine)) if w == "miss" => "Srta.",
        (Language::Es, Plain, Some(Feminine)) => "Sra.",
        (Language::Es, Plain, _) => "Sr.",
        (Language::Es, Doctor, _) => "Dr.",
        (Language::Es, _, _) => "Prof.",
        (Language::Ru, Plain, Some(Feminine)) => "г-жа",
        (Language::Ru, Plain, _) => "г-н",
        (Language::Ru, Doctor, _) => "д-р",
        (Language::Ru, _, _) => "проф.",
        (Language::Zh, Plain, Some(Feminine)) => "女士",
        (Language::Zh, Plain, _) => "先生",
        (Language::Zh, Doctor, _) => "博士",
        (Language::Zh, _, _) => "教授",
        (Language::Ar, Plain, Some(Feminine)) => "السيدة",
        (Language::Ar, Plain, _) => "السيد",
        (Language::Ar, Doctor, _) => "د.",
        (Language::Ar, _, _) => "أ.د.",
    };
    s.to_owned()
}

/// Particles that belong to the family name that follows them.
const PARTICLES: &[&str] = &[
    "al", "el", "abu", "abou", "bin", "ben", "ibn", "bint", "van", "von", "der", "den", "de",
    "del", "della", "di", "da", "dos", "das", "du", "des", "la", "le", "ter", "ten", "zu", "mac",
    "st.", "y", "e",
];

/// Chinese compound surnames (two characters).
const COMPOUND_SURNAMES: &[&str] = &[
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容", "尉迟", "长孙", "宇文", "司徒",
    "夏侯", "公孙", "轩辕", "端木", "歐陽", "諸葛", "東方", "長孫",
];

fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' // kana
        | '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{AC00}'..='\u{D7AF}' // hangul
        | '\u{20000}'..='\u{2FA1F}')
}

fn is_all_caps_word(w: &str) -> bool {
    let letters: Vec<char> = w.chars().filter(|c| c.is_alphabetic()).collect();
    letters.len() >= 2 && letters.iter().all(|c| c.is_uppercase())
}

/// Title case of a word written in capitals (`PETROV` → `Petrov`,
/// `OKAFOR-ADEYEMI` → `Okafor-Adeyemi`).
fn title_case(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut start = true;
    for c in w.chars() {
        if c.is_alphabetic() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = matches!(c, '-' | '\'' | '’' | ' ');
        }
    }
    out
}

/// The family name of `name`, when it can be read safely (see the module
/// doc); `None` means: use the whole name.
pub fn family_name(name: &str, lang: Language) -> Option<String> {
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    // "Petrov, Oleg"
    if let Some((family, given)) = name.split_once(',')
        && !family.trim().is_empty()
        && !given.trim().is_empty()
    {
        return Some(family.trim().to_owned());
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    // A CJK name in its own script: family name first, no spaces.
    if words.len() == 1 && name.chars().all(is_cjk) {
        let n = name.chars().count();
        if n < 2 {
            return None;
        }
        let two: String = name.chars().take(2).collect();
        if n >= 3 && COMPOUND_SURNAMES.contains(&two.as_str()) {
            return Some(two);
        }
        return name.chars().next().map(String::from);
    }
    if words.len() < 2 {
        return None;
    }
    // "Oleg PETROV", "Ngozi OKAFOR-ADEYEMI", "PETROV Oleg"
    let caps: Vec<usize> = (0..words.len())
        .filter(|&i| is_all_caps_word(words[i]))
        .collect();
    if !caps.is_empty() && caps.len() < words.len() {
        let (a, b) = (caps[0], caps[caps.len() - 1]);
        if b - a + 1 == caps.len() {
            let mut start = a;
            while start > 0 && PARTICLES.contains(&words[start - 1].to_lowercase().as_str()) {
                start -= 1;
            }
            let family: Vec<String> = words[start..=b]
                .iter()
                .map(|w| {
                    if is_all_caps_word(w) {
                        title_case(w)
                    } else {
                        (*w).to_owned()
                    }
                })
                .collect();
            return Some(family.join(" "));
        }
    }
    // The last word with the particles before it.
    let mut start = words.len() - 1;
    while start > 1 && PARTICLES.contains(&words[start - 1].to_lowercase().as_str()) {
        start -= 1;
    }
    let given = start;
    if lang == Language::Es && given >= 2 {
        // Two given names and one surname, or one and two surnames?
        return None;
    }
    Some(words[start..].join(" "))
}

/// Gender shown by a Russian family name's ending (Cyrillic only).
fn russian_gender(family: &str) -> Option<Gender> {
    let f = family.to_lowercase();
    if !f.chars().any(|c| ('\u{0400}'..='\u{04FF}').contains(&c)) {
        return None;
    }
    const FEM: &[&str] = &["ова", "ева", "ёва", "ина", "ына", "ская", "цкая", "ая"];
    const MASC: &[&str] = &["ов", "ев", "ёв", "ин", "ын", "ский", "цкий", "ий", "ой"];
    if FEM.iter().any(|e| f.ends_with(e)) {
        Some(Gender::Feminine)
    } else if MASC.iter().any(|e| f.ends_with(e)) {
        Some(Gender::Masculine)
    } else {
        None
    }
}

/// The contact person as the salutation needs it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Person<'a> {
    pub name: Option<&'a str>,
    pub title: Option<&'a str>,
    /// The `family_name` column, if given.
    pub family_name: Option<&'a str>,
}

/// The salutation of a letter or mail in `lang` (see the module doc).
pub fn salutation(lang: Language, p: Person<'_>) -> String {
    let clean = |s: Option<&str>| {
        s.map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let name = clean(p.name);
    let title = clean(p.title);
    let family =
        clean(p.family_name).or_else(|| name.as_deref().and_then(|n| family_name(n, lang)));
    // The name after a title: the family name, else the whole name.
    let surname = family.clone().or_else(|| name.clone());
    let t = title.as_deref().map(read_title);
    match lang {
        Language::En => match (&title, &surname) {
            (Some(t), Some(n)) => format!("Dear {t} {n},"),
            (None, Some(_)) => format!("Dear {},", name.as_deref().unwrap_or_default()),
            (Some(t), None) => format!("Dear {t},"),
            (None, None) => "Dear Sir or Madam,".into(),
        },
        Language::Fr => match title.as_deref().and_then(french_address) {
            Some(t) => format!("{t},"),
            None => "Madame, Monsieur,".into(),
        },
        Language::Es => match (
            title.as_deref().map(|x| display_title(lang, x)),
            t.and_then(|t| t.gender),
        ) {
            (Some(tt), Some(g)) => {
                let adj = if g == Gender::Feminine {
                    "Estimada"
                } else {
                    "Estimado"
                };
                match &surname {
                    Some(n) => format!("{adj} {tt} {n}:"),
                    None => format!("{adj} {}:", lowercase_first(&tt)),
                }
            }
            _ => "Estimada señora, estimado señor:".into(),
        },
        Language::Ru => {
            let gender = t
                .and_then(|t| t.gender)
                .or_else(|| family.as_deref().and_then(russian_gender));
            let word = match t.map(|t| t.kind) {
                Some(Honorific::Doctor) => Some("доктор"),
                Some(Honorific::Professor) => Some("профессор"),
                _ => match gender {
                    Some(Gender::Feminine) => Some("госпожа"),
                    Some(Gender::Masculine) => Some("господин"),
                    None => None,
                },
            };
            match (gender, word, &surname) {
                (Some(g), Some(w), Some(n)) => {
                    let adj = if g == Gender::Feminine {
                        "Уважаемая"
                    } else {
                        "Уважаемый"
                    };
                    format!("{adj} {w} {n}!")
                }
                _ => "Уважаемые дамы и господа!".into(),
            }
        }
        Language::Zh => {
            let word = t.map(|t| match (t.kind, t.gender) {
                (Honorific::Doctor, _) => "博士",
                (Honorific::Professor, _) => "教授",
                (_, Some(Gender::Feminine)) => "女士",
                (_, Some(Gender::Masculine)) => "先生",
                (_, None) => "",
            });
            match (&surname, word) {
                (Some(n), Some(w)) if !w.is_empty() => format!("尊敬的{n}{w}："),
                (Some(_), _) => format!("尊敬的{}：", name.as_deref().unwrap_or_default()),
                _ => "尊敬的先生/女士：".into(),
            }
        }
        Language::Ar => {
            let g = t.and_then(|t| t.gender);
            let word = t.map(|t| match (t.kind, g) {
                (Honorific::Doctor, Some(Gender::Feminine)) => "الدكتورة",
                (Honorific::Doctor, Some(Gender::Masculine)) => "الدكتور",
                (Honorific::Doctor, None) => "الدكتور(ة)",
                (Honorific::Professor, Some(Gender::Feminine)) => "الأستاذة",
                (Honorific::Professor, Some(Gender::Masculine)) => "الأستاذ",
                (Honorific::Professor, None) => "الأستاذ(ة)",
                (_, Some(Gender::Feminine)) => "السيدة",
                (_, Some(Gender::Masculine)) => "السيد",
                (_, None) => "",
            });
            let respected = match g {
                Some(Gender::Feminine) => "المحترمة",
                Some(Gender::Masculine) => "المحترم",
                None => "المحترم(ة)",
            };
            match (&surname, word) {
                (Some(n), Some(w)) if !w.is_empty() => format!("{w} {n} {respected}،"),
                _ => "السيدات والسادة المحترمون،".into(),
            }
        }
    }
}

/// A salutation written in the recipients file: kept as written, with the
/// language's closing punctuation added when it has none.
pub fn custom(lang: Language, s: &str) -> String {
    let s = s.trim();
    if s.ends_with(|c: char| {
        c.is_ascii_punctuation() || matches!(c, '،' | '：' | '！' | '，' | '؛')
    }) {
        return s.to_owned();
    }
    let mark = match lang {
        Language::En | Language::Fr => ",",
        Language::Es => ":",
        Language::Ru => "!",
        Language::Zh => "：",
        Language::Ar => "،",
    };
    format!("{s}{mark}")
}

/// A French form of address from a title, if the title is one.
fn french_address(t: &str) -> Option<String> {
    let mut words = t.split_whitespace();
    let first = words.next()?;
    let rest: Vec<&str> = words.collect();
    let head = match first.to_lowercase().trim_end_matches('.') {
        "madame" | "mme" | "mlle" | "mademoiselle" | "ms" | "mrs" => "Madame",
        "monsieur" | "m" | "mr" => "Monsieur",
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
    use Language::*;

    fn s(lang: Language, name: Option<&str>, title: Option<&str>) -> String {
        salutation(
            lang,
            Person {
                name,
                title,
                family_name: None,
            },
        )
    }

    #[test]
    fn family_names() {
        assert_eq!(family_name("Олег Петров", En).as_deref(), Some("Петров"));
        assert_eq!(family_name("Oleg PETROV", En).as_deref(), Some("Petrov"));
        assert_eq!(family_name("PETROV Oleg", En).as_deref(), Some("Petrov"));
        assert_eq!(family_name("Petrov, Oleg", En).as_deref(), Some("Petrov"));
        assert_eq!(family_name("王小明", En).as_deref(), Some("王"));
        assert_eq!(family_name("欧阳娜娜", Zh).as_deref(), Some("欧阳"));
        assert_eq!(family_name("李静", En).as_deref(), Some("李"));
        assert_eq!(
            family_name("Fatima Zahra El Idrissi", Fr).as_deref(),
            Some("El Idrissi")
        );
        assert_eq!(
            family_name("Ngozi Okafor-Adeyemi", En).as_deref(),
            Some("Okafor-Adeyemi")
        );
        assert_eq!(family_name("ليلى حداد", Ar).as_deref(), Some("حداد"));
        assert_eq!(family_name("José Álvarez", Es).as_deref(), Some("Álvarez"));
        // Spanish: two surnames or two given names? Keep the whole name.
        assert_eq!(family_name("María José Fernández Núñez", Es), None);
        assert_eq!(family_name("Ana Belén Muñoz", Es), None);
        assert_eq!(
            family_name("María José FERNÁNDEZ NÚÑEZ", Es).as_deref(),
            Some("Fernández Núñez")
        );
        assert_eq!(family_name("Madonna", En), None);
    }

    #[test]
    fn salutations_per_language() {
        assert_eq!(s(En, None, None), "Dear Sir or Madam,");
        assert_eq!(
            s(En, Some("Олег Петров"), Some("Dr")),
            "Dear Dr Петров,",
            "title with the family name"
        );
        assert_eq!(s(En, Some("Amina Haddad"), Some("Dr")), "Dear Dr Haddad,");
        assert_eq!(s(En, Some("王小明"), Some("Mr")), "Dear Mr 王,");
        assert_eq!(s(En, Some("王小明"), None), "Dear 王小明,");
        assert_eq!(s(En, None, Some("Director")), "Dear Director,");
        assert_eq!(s(Fr, None, None), "Madame, Monsieur,");
        assert_eq!(s(Fr, Some("Camille Martin"), None), "Madame, Monsieur,");
        assert_eq!(
            s(Fr, Some("Amélie Dubois"), Some("Madame la Directrice")),
            "Madame la Directrice,"
        );
        assert_eq!(s(Fr, Some("J. Koné"), Some("M.")), "Monsieur,");
        assert_eq!(s(Fr, Some("J. Koné"), Some("Dr")), "Docteur,");
        assert_eq!(s(Fr, Some("A. Smith"), Some("Ms")), "Madame,");
        assert_eq!(s(Fr, Some("X"), Some("Chief")), "Madame, Monsieur,");
        assert_eq!(s(Es, None, None), "Estimada señora, estimado señor:");
        assert_eq!(
            s(Es, Some("María José Fernández Núñez"), Some("Sra.")),
            "Estimada Sra. María José Fernández Núñez:"
        );
        assert_eq!(
            s(Es, Some("José Álvarez"), Some("Sr.")),
            "Estimado Sr. Álvarez:"
        );
        assert_eq!(s(Es, None, Some("Señora")), "Estimada señora:");
        assert_eq!(
            s(Es, Some("Alex"), Some("Ing.")),
            "Estimada señora, estimado señor:"
        );
        assert_eq!(
            s(Ru, Some("Анна Смирнова"), Some("Ms")),
            "Уважаемая госпожа Смирнова!"
        );
        assert_eq!(
            s(Ru, Some("Олег Петров"), Some("Dr")),
            "Уважаемый доктор Петров!"
        );
        assert_eq!(
            s(Ru, Some("Олег Петров"), None),
            "Уважаемый господин Петров!"
        );
        assert_eq!(
            s(Ru, Some("John Smith"), Some("Dr")),
            "Уважаемые дамы и господа!"
        );
        assert_eq!(
            s(Ru, Some("John Smith"), Some("Mr")),
            "Уважаемый господин Smith!"
        );
        assert_eq!(s(Ru, None, None), "Уважаемые дамы и господа!");
        assert_eq!(s(Zh, Some("王小明"), Some("Mr")), "尊敬的王先生：");
        assert_eq!(s(Zh, Some("李静"), Some("Dr")), "尊敬的李博士：");
        assert_eq!(s(Zh, Some("Олег Петров"), Some("Dr")), "尊敬的Петров博士：");
        assert_eq!(s(Zh, Some("李静"), None), "尊敬的李静：");
        assert_eq!(s(Zh, None, None), "尊敬的先生/女士：");
        assert_eq!(
            s(Ar, Some("محمد العلي"), Some("Mr")),
            "السيد العلي المحترم،"
        );
        assert_eq!(
            s(Ar, Some("ليلى حداد"), Some("Ms")),
            "السيدة حداد المحترمة،"
        );
        assert_eq!(
            s(Ar, Some("ليلى حداد"), Some("Dr")),
            "الدكتور(ة) حداد المحترم(ة)،"
        );
        assert_eq!(s(Ar, None, None), "السيدات والسادة المحترمون،");
        // blank strings are absent
        assert_eq!(s(En, Some("  "), Some("")), "Dear Sir or Madam,");
        // an explicit family name wins
        assert_eq!(
            salutation(
                Es,
                Person {
                    name: Some("María José Fernández Núñez"),
                    title: Some("Sra."),
                    family_name: Some("Fernández Núñez"),
                }
            ),
            "Estimada Sra. Fernández Núñez:"
        );
    }

    #[test]
    fn titles_in_the_letters_language() {
        assert_eq!(display_title(Es, "Ms"), "Sra.");
        assert_eq!(display_title(Fr, "Mr"), "M.");
        assert_eq!(display_title(Ru, "Dr"), "д-р");
        assert_eq!(display_title(Zh, "Dr"), "博士");
        assert_eq!(display_title(Ar, "Dr"), "د.");
        assert_eq!(display_title(Ar, "Mrs"), "السيدة");
        assert_eq!(display_title(En, "Dr"), "Dr");
        assert_eq!(
            display_title(Fr, "Madame la Directrice"),
            "Madame la Directrice"
        );
        assert_eq!(display_title(Es, "Dra."), "Dra.");
        assert_eq!(s(Es, Some("Ana López"), Some("Ms")), "Estimada Sra. López:");
    }

    #[test]
    fn custom_salutations_keep_their_punctuation() {
        assert_eq!(custom(En, "Dear Colleagues"), "Dear Colleagues,");
        assert_eq!(custom(En, "Dear Colleagues,"), "Dear Colleagues,");
        assert_eq!(custom(En, "Dear Colleagues!"), "Dear Colleagues!");
        assert_eq!(custom(Es, "Estimados colegas"), "Estimados colegas:");
        assert_eq!(custom(Ru, "Уважаемые коллеги"), "Уважаемые коллеги!");
        assert_eq!(custom(Zh, "各位同事"), "各位同事：");
        assert_eq!(custom(Ar, "الزملاء الأعزاء"), "الزملاء الأعزاء،");
        assert_eq!(custom(Ar, "الزملاء الأعزاء،"), "الزملاء الأعزاء،");
    }
}
