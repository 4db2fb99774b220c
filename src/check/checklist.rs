//! The checklist: which output elements a report should contain, how to
//! recognise them and how much substance each needs.
//!
//! Takes TOML text (the built-in `templates/checklist.toml` or a user's
//! `--checklist FILE`); gives a validated [`Checklist`] with compiled regexes
//! or a [`ChecklistError`] naming the file, the element and field, and the
//! reason. The format is documented in `docs/check.md`.

use rayon::prelude::*;
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::sentences::{DEFAULT_MODEL, SentenceModel};

/// The checklist compiled into the binary.
pub const DEFAULT_CHECKLIST: &str = include_str!("../../templates/checklist.toml");

/// Name used for the built-in checklist in messages.
pub const DEFAULT_CHECKLIST_NAME: &str = "built-in checklist (templates/checklist.toml)";

/// A checklist that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ChecklistError {
    #[error("{}: cannot read checklist: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// TOML syntax error or a field of the wrong type / unknown field.
    /// `message` holds the line, column and the parser's reason.
    #[error("{origin}: not a valid checklist file: {message}")]
    Parse { origin: String, message: String },
    /// Well-formed TOML whose content breaks a rule of the format.
    #[error("{origin}: {place}: {reason}")]
    Invalid {
        origin: String,
        /// `element 3, cues[2]`, `defaults.min_words`, `element list`, ...
        place: String,
        reason: String,
    },
}

/// Substance thresholds; see `docs/check.md` ("Thresholds").
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Thresholds {
    pub min_words: usize,
    pub present_paragraphs: usize,
    pub present_sections: usize,
    pub weak_paragraphs: usize,
    pub cue_min_words: usize,
    pub max_elements_per_block: usize,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            min_words: 50,
            present_paragraphs: 3,
            present_sections: 1,
            weak_paragraphs: 1,
            cue_min_words: 5,
            max_elements_per_block: 3,
        }
    }
}

/// One element of the checklist, with its patterns compiled.
#[derive(Debug, Clone)]
pub struct Element {
    pub id: u32,
    /// Key component (true) or recommended element (false).
    pub key: bool,
    /// The official wording.
    pub wording: String,
    /// A short label for tables.
    pub short: String,
    pub heading_patterns: Vec<String>,
    pub cue_patterns: Vec<String>,
    pub hint_patterns: Vec<String>,
    /// All heading aliases as one case-insensitive regex (None if there are none).
    pub headings: Option<Regex>,
    /// All cues as one case-insensitive regex (None if there are none).
    pub cues: Option<Regex>,
    /// All hints (the element's vocabulary) as one regex (None if there are none).
    pub hints: Option<Regex>,
    /// Planning ("we will collect case studies") does not count as doing.
    pub done_only: bool,
    /// Terms a sentence must name two of to compare (e.g. regions).
    pub compare: Option<Regex>,
    pub compare_patterns: Vec<String>,
    /// Case narratives ("In Kigali, the city …") count as cues when two
    /// stand in one paragraph.
    pub cases: bool,
    /// Direct questions posed in the body ("Who should pay?"), two or more
    /// in one paragraph or list, speak of the element: a draft that asks
    /// questions it does not answer names open issues in its own words.
    pub questions: bool,
    /// What to add when the element is weak or missing (modalities' words).
    pub advice: String,
    pub thresholds: Thresholds,
}

/// A validated checklist.
#[derive(Debug, Clone)]
pub struct Checklist {
    pub name: String,
    pub version: u32,
    /// Where it came from: a path or [`DEFAULT_CHECKLIST_NAME`].
    pub origin: String,
    /// Elements in file order.
    pub elements: Vec<Element>,
    /// Every heading and cue pattern is ASCII, so text may be matched in its
    /// ASCII-folded form (same offsets, much faster; see `detect::fold_ascii`).
    pub ascii_patterns: bool,
    /// The sentence model (`model = "built-in"` or a path): sentences it
    /// recognises speak of an element as a cue does. See
    /// [`super::sentences`].
    pub model: Option<std::sync::Arc<SentenceModel>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChecklist {
    name: String,
    #[serde(default)]
    model: Option<String>,
    #[serde(default = "one")]
    version: u32,
    #[serde(default)]
    defaults: RawThresholds,
    #[serde(default, rename = "element")]
    elements: Vec<RawElement>,
}

fn one() -> u32 {
    1
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    min_words: Option<usize>,
    present_paragraphs: Option<usize>,
    present_sections: Option<usize>,
    weak_paragraphs: Option<usize>,
    cue_min_words: Option<usize>,
    max_elements_per_block: Option<usize>,
}

impl RawThresholds {
    fn over(self, base: Thresholds) -> Thresholds {
        Thresholds {
            min_words: self.min_words.unwrap_or(base.min_words),
            present_paragraphs: self.present_paragraphs.unwrap_or(base.present_paragraphs),
            present_sections: self.present_sections.unwrap_or(base.present_sections),
            weak_paragraphs: self.weak_paragraphs.unwrap_or(base.weak_paragraphs),
            cue_min_words: self.cue_min_words.unwrap_or(base.cue_min_words),
            max_elements_per_block: self
                .max_elements_per_block
                .unwrap_or(base.max_elements_per_block),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElement {
    id: u32,
    key: bool,
    wording: String,
    short: Option<String>,
    #[serde(default)]
    headings: Vec<String>,
    #[serde(default)]
    cues: Vec<String>,
    #[serde(default)]
    hints: Vec<String>,
    #[serde(default)]
    done_only: bool,
    #[serde(default)]
    compare: Vec<String>,
    #[serde(default)]
    cases: bool,
    #[serde(default)]
    questions: bool,
    advice: Option<String>,
    min_words: Option<usize>,
    present_paragraphs: Option<usize>,
    present_sections: Option<usize>,
    weak_paragraphs: Option<usize>,
    cue_min_words: Option<usize>,
    max_elements_per_block: Option<usize>,
}

impl RawElement {
    fn thresholds(&self) -> RawThresholds {
        RawThresholds {
            min_words: self.min_words,
            present_paragraphs: self.present_paragraphs,
            present_sections: self.present_sections,
            weak_paragraphs: self.weak_paragraphs,
            cue_min_words: self.cue_min_words,
            max_elements_per_block: self.max_elements_per_block,
        }
    }
}

impl Checklist {
    /// The built-in checklist (the ten BPF output elements).
    pub fn builtin() -> Checklist {
        // The embedded file is validated by a unit test, so this cannot fail
        // in a released binary; fall back to an empty list rather than panic.
        match Checklist::from_toml(DEFAULT_CHECKLIST, DEFAULT_CHECKLIST_NAME) {
            Ok(c) => c,
            Err(e) => {
                debug_assert!(false, "built-in checklist invalid: {e}");
                Checklist {
                    name: "empty".into(),
                    version: 1,
                    origin: DEFAULT_CHECKLIST_NAME.into(),
                    elements: Vec::new(),
                    ascii_patterns: true,
                    model: None,
                }
            }
        }
    }

    /// Read and validate a checklist file.
    pub fn load(path: &Path) -> Result<Checklist, ChecklistError> {
        let text = std::fs::read_to_string(path).map_err(|source| ChecklistError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Checklist::from_toml_in(&text, &path.display().to_string(), path.parent())
    }

    /// Parse and validate checklist TOML. `origin` names it in errors; a
    /// model path is taken as relative to the current folder.
    pub fn from_toml(text: &str, origin: &str) -> Result<Checklist, ChecklistError> {
        Checklist::from_toml_in(text, origin, None)
    }

    /// Parse and validate checklist TOML whose relative paths (`model`)
    /// are relative to `base`.
    fn from_toml_in(
        text: &str,
        origin: &str,
        base: Option<&Path>,
    ) -> Result<Checklist, ChecklistError> {
        let raw: RawChecklist = toml::from_str(text).map_err(|e| ChecklistError::Parse {
            origin: origin.to_string(),
            message: e.to_string().trim_end().replace('\n', "\n  "),
        })?;
        let invalid = |place: String, reason: String| ChecklistError::Invalid {
            origin: origin.to_string(),
            place,
            reason,
        };
        if raw.name.trim().is_empty() {
            return Err(invalid("name".into(), "must not be empty".into()));
        }
        if raw.elements.is_empty() {
            return Err(invalid(
                "element list".into(),
                "no [[element]] tables: a checklist needs at least one element".into(),
            ));
        }
        let defaults = raw.defaults.over(Thresholds::default());
        check_thresholds(&defaults).map_err(|(f, r)| invalid(format!("defaults.{f}"), r))?;

        // Validate in order, then compile every element's patterns in
        // parallel: compiling the built-in checklist's alternations is most
        // of `bpfpress check`'s start-up, and the elements are independent.
        // Errors are reported for the first bad element in file order.
        let mut seen = HashSet::new();
        let mut checked = Vec::with_capacity(raw.elements.len());
        for (i, e) in raw.elements.into_iter().enumerate() {
            let at = format!("element {} (the {} [[element]])", e.id, ordinal(i + 1));
            if e.id == 0 {
                return Err(invalid(at, "id must be a positive number".into()));
            }
            if !seen.insert(e.id) {
                return Err(invalid(at, format!("id {} is used twice", e.id)));
            }
            if e.wording.trim().is_empty() {
                return Err(invalid(at, "wording must not be empty".into()));
            }
            if e.headings.is_empty() && e.cues.is_empty() {
                return Err(invalid(
                    at,
                    "needs at least one pattern in `headings` or `cues`, otherwise it can never be found"
                        .into(),
                ));
            }
            let thresholds = e.thresholds().over(defaults);
            check_thresholds(&thresholds).map_err(|(f, r)| invalid(format!("{at}, {f}"), r))?;
            checked.push((at, e, thresholds));
        }
        let compiled: Vec<Result<_, ChecklistError>> = checked
            .par_iter()
            .map(|(at, e, _)| {
                let headings = compile(&e.headings).map_err(|(k, r)| {
                    invalid(format!("{at}, headings[{k}] {:?}", e.headings[k]), r)
                })?;
                let cues = compile(&e.cues)
                    .map_err(|(k, r)| invalid(format!("{at}, cues[{k}] {:?}", e.cues[k]), r))?;
                let compare = compile(&e.compare).map_err(|(k, r)| {
                    invalid(format!("{at}, compare[{k}] {:?}", e.compare[k]), r)
                })?;
                let hints = compile(&e.hints)
                    .map_err(|(k, r)| invalid(format!("{at}, hints[{k}] {:?}", e.hints[k]), r))?;
                Ok((headings, cues, compare, hints))
            })
            .collect();
        let mut elements = Vec::with_capacity(checked.len());
        for ((_, e, thresholds), c) in checked.into_iter().zip(compiled) {
            let (headings, cues, compare, hints) = c?;
            let advice = e
                .advice
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| format!("Add {}.", lower_first(&e.wording)));
            let short = e
                .short
                .filter(|s| !s.trim().is_empty())
                .unwrap_or_else(|| e.wording.clone());
            elements.push(Element {
                id: e.id,
                key: e.key,
                wording: e.wording,
                short,
                heading_patterns: e.headings,
                cue_patterns: e.cues,
                hint_patterns: e.hints,
                headings,
                cues,
                hints,
                done_only: e.done_only,
                compare,
                compare_patterns: e.compare,
                cases: e.cases,
                questions: e.questions,
                advice,
                thresholds,
            });
        }
        let ascii_patterns = elements.iter().all(|e| {
            e.heading_patterns
                .iter()
                .chain(&e.cue_patterns)
                .chain(&e.hint_patterns)
                .chain(&e.compare_patterns)
                .all(|p| p.is_ascii())
        });
        let model = match raw.model.as_deref().map(str::trim) {
            None | Some("") | Some("none") => None,
            Some(name) => {
                let (text, place) = if name == "built-in" {
                    (
                        std::borrow::Cow::Borrowed(DEFAULT_MODEL),
                        "model (built-in)".to_string(),
                    )
                } else {
                    let p = base.map(|b| b.join(name)).unwrap_or_else(|| name.into());
                    let t = std::fs::read_to_string(&p).map_err(|e| {
                        invalid(
                            format!("model {name:?}"),
                            format!(
                                "cannot read {}: {e} (give a path relative to the checklist, or \"built-in\")",
                                p.display()
                            ),
                        )
                    })?;
                    (std::borrow::Cow::Owned(t), format!("model {}", p.display()))
                };
                let m = SentenceModel::from_json(&text).map_err(|r| invalid(place.clone(), r))?;
                if let Some(id) = m
                    .ids()
                    .iter()
                    .find(|id| !elements.iter().any(|e| e.id == **id))
                {
                    return Err(invalid(
                        place,
                        format!(
                            "element {id} is not in the checklist (a model is trained for one list of elements; set model = \"none\" for a checklist of other elements)"
                        ),
                    ));
                }
                Some(std::sync::Arc::new(m))
            }
        };
        Ok(Checklist {
            ascii_patterns,
            model,
            name: raw.name,
            version: raw.version,
            origin: origin.to_string(),
            elements,
        })
    }

    /// The element with this id.
    pub fn element(&self, id: u32) -> Option<&Element> {
        self.elements.iter().find(|e| e.id == id)
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn ordinal(n: usize) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

fn check_thresholds(t: &Thresholds) -> Result<(), (&'static str, String)> {
    for (name, v) in [
        ("min_words", t.min_words),
        ("present_paragraphs", t.present_paragraphs),
        ("present_sections", t.present_sections),
        ("weak_paragraphs", t.weak_paragraphs),
        ("max_elements_per_block", t.max_elements_per_block),
    ] {
        if v == 0 {
            return Err((name, "must be at least 1".into()));
        }
    }
    if t.weak_paragraphs > t.present_paragraphs {
        return Err((
            "weak_paragraphs",
            format!(
                "({}) must not exceed present_paragraphs ({})",
                t.weak_paragraphs, t.present_paragraphs
            ),
        ));
    }
    if t.present_sections > t.present_paragraphs {
        return Err((
            "present_sections",
            format!(
                "({}) must not exceed present_paragraphs ({}): paragraphs cannot spread over more sections than there are paragraphs",
                t.present_sections, t.present_paragraphs
            ),
        ));
    }
    Ok(())
}

/// Compile patterns into one case-insensitive alternation; on error, the
/// index of the bad pattern and the reason.
fn compile(patterns: &[String]) -> Result<Option<Regex>, (usize, String)> {
    if patterns.is_empty() {
        return Ok(None);
    }
    if let Some(k) = patterns.iter().position(|p| p.trim().is_empty()) {
        return Err((k, "empty pattern (it would match everything)".into()));
    }
    // Compile the alternation once (the expensive part: the built-in
    // checklist is compiled at every start); only when it fails or matches
    // the empty string are the patterns compiled one by one to name the bad
    // one.
    let joined = patterns
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    let single = |k: usize| {
        RegexBuilder::new(&patterns[k])
            .case_insensitive(true)
            .build()
            .map_err(|e| (k, format!("not a valid regex: {e}")))
    };
    // ASCII patterns are matched against ASCII-folded text (see
    // `detect::fold_ascii`), so `\b`, `\w` and case folding need no
    // Unicode tables: compiled without them the automata are several times
    // smaller and quicker to build. A pattern that needs Unicode mode (one
    // that could match a non-ASCII byte, like `\W`) falls back to it.
    if patterns.iter().all(|p| p.is_ascii())
        && let Ok(re) = RegexBuilder::new(&joined)
            .case_insensitive(true)
            .unicode(false)
            .build()
        && !re.is_match("")
    {
        return Ok(Some(re));
    }
    match RegexBuilder::new(&joined).case_insensitive(true).build() {
        Ok(re) if !re.is_match("") => Ok(Some(re)),
        Ok(_) => {
            for k in 0..patterns.len() {
                if single(k)?.is_match("") {
                    return Err((k, "pattern matches the empty string".into()));
                }
            }
            Err((0, "patterns together match the empty string".into()))
        }
        Err(e) => {
            for k in 0..patterns.len() {
                single(k)?;
            }
            Err((0, format!("patterns cannot be combined: {e}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_checklist_is_valid_and_has_ten_elements() {
        let c = Checklist::from_toml(DEFAULT_CHECKLIST, "builtin").unwrap();
        assert_eq!(c.elements.len(), 10);
        let ids: Vec<u32> = c.elements.iter().map(|e| e.id).collect();
        assert_eq!(ids, (1..=10).collect::<Vec<_>>());
        let keys: Vec<u32> = c.elements.iter().filter(|e| e.key).map(|e| e.id).collect();
        assert_eq!(keys, vec![1, 2, 3]);
        assert_eq!(
            c.element(2).unwrap().wording,
            "Brief presentation of the used methodology and BPF activities"
        );
        assert!(c.ascii_patterns);
    }

    fn err(text: &str) -> String {
        Checklist::from_toml(text, "my.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn errors_name_place_and_reason() {
        let e =
            err("name = \"x\"\n[[element]]\nid = 1\nkey = true\nwording = \"W\"\ncues = ['(']\n");
        assert!(e.starts_with("my.toml: element 1"), "{e}");
        assert!(
            e.contains("cues[0]") && e.contains("not a valid regex"),
            "{e}"
        );

        let e = err(
            "name = \"x\"\n[[element]]\nid = 1\nkey = true\nwording = \"W\"\nheadings=['a']\n[[element]]\nid = 1\nkey = false\nwording = \"V\"\ncues=['b']\n",
        );
        assert!(e.contains("id 1 is used twice") && e.contains("2nd"), "{e}");

        let e = err("name = \"x\"\n[[element]]\nid = 1\nkey = true\nwording = \"W\"\n");
        assert!(e.contains("at least one pattern"), "{e}");

        let e = err("name = \"x\"\n");
        assert!(e.contains("no [[element]]"), "{e}");

        let e = err(
            "name = \"x\"\n[defaults]\nmin_words = 0\n[[element]]\nid=1\nkey=true\nwording='W'\ncues=['a']\n",
        );
        assert!(
            e.contains("defaults.min_words") && e.contains("at least 1"),
            "{e}"
        );

        let e = err(
            "name = \"x\"\n[[element]]\nid = 1\nkey = true\nwording = \"W\"\ncues=['a']\nminwords = 3\n",
        );
        assert!(
            e.contains("not a valid checklist file") && e.contains("minwords"),
            "{e}"
        );

        let e =
            err("name = \"x\"\n[[element]]\nid = 1\nkey = \"yes\"\nwording = \"W\"\ncues=['a']\n");
        assert!(e.contains("line 4"), "{e}");

        let e =
            err("name = \"x\"\n[[element]]\nid = 1\nkey = true\nwording = \"W\"\ncues=['a?']\n");
        assert!(e.contains("matches the empty string"), "{e}");
    }

    #[test]
    fn per_element_thresholds_override_defaults() {
        let c = Checklist::from_toml(
            "name='x'\n[defaults]\nmin_words=50\n[[element]]\nid=7\nkey=false\nwording='W'\ncues=['a']\nmin_words=20\n[[element]]\nid=8\nkey=true\nwording='V'\nheadings=['b']\n",
            "t",
        )
        .unwrap();
        assert_eq!(c.element(7).unwrap().thresholds.min_words, 20);
        assert_eq!(c.element(8).unwrap().thresholds.min_words, 50);
        assert_eq!(c.element(8).unwrap().thresholds.present_paragraphs, 3);
        assert_eq!(c.element(8).unwrap().short, "V");
    }
}
