//! The sentence model: which elements a sentence speaks of, in whatever
//! words the draft uses.
//!
//! The lexicons (`cues` in the checklist) recognise the phrases published
//! BPF reports use; a draft that says the same in its own words ("three
//! practices made systems work", "effects that no one planned") slips
//! through any phrase list. The model reads the sentence as a bag of words
//! and word pairs, in its context (the heading over it, the sentence before
//! it, where it stands: see [`features`]): one logistic regression per
//! element, trained on the
//! sentences of the labelled corpus (`fixtures/check-corpus/sentences/`,
//! each sentence tagged by a careful reader with the elements it addresses;
//! `fixtures/check-corpus/sentences/train.py` writes the weights). A
//! sentence whose probability for an element reaches that element's
//! threshold speaks of the element, as a cue would; the rest of the method
//! (runs, paragraphs, claims, substance, verdicts) is unchanged.
//!
//! Why a linear model: it is deterministic, small (about 11,200 non-zero
//! weights after L1 training), fast (one hash lookup per feature), and
//! explainable — the evidence names the words that weighed most. Nothing is
//! fetched or trained at run time. How it was chosen and how well it does:
//! docs/check.md.
//!
//! The model file is JSON (`templates/sentence-model.json`, embedded; JSON
//! rather than TOML because it is generated, never edited, and JSON parses
//! far faster: 7,300 weights took ~8 ms as TOML, a tenth of `bpfpress
//! check`'s start-up, and under a millisecond as JSON):
//!
//! ```json
//! { "about": "…", "version": 1, "tokens": "words-v1",
//!   "element": [ { "id": 6, "bias": -4.1, "threshold": 0.5,
//!                  "weights": { "worked": 2.3, "made systems": 0.4, "h:lessons": 0.8 } } ] }
//! ```

use serde::Deserialize;
use std::borrow::Cow;
use std::collections::HashMap;

/// The embedded model, named `model = "built-in"` in a checklist.
pub const DEFAULT_MODEL: &str = include_str!("../../templates/sentence-model.json");

/// A model that cannot be used (the checklist loader wraps it).
pub type ModelError = String;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel<'a> {
    /// What the file is and where it came from (ignored).
    #[serde(default)]
    #[allow(dead_code)]
    about: Option<String>,
    version: u32,
    tokens: String,
    #[serde(default, rename = "element", borrow)]
    elements: Vec<RawElementModel<'a>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElementModel<'a> {
    id: u32,
    bias: f32,
    threshold: f32,
    /// Feature → weight. The keys borrow from the file's text (they are
    /// ASCII words without escapes): 11,000 strings not allocated and freed
    /// again at every start of `bpfpress check`.
    #[serde(default, borrow)]
    weights: HashMap<Cow<'a, str>, f32>,
}

/// A loaded sentence model.
#[derive(Debug, Clone, Default)]
pub struct SentenceModel {
    /// Element ids, in the order of the weight columns.
    ids: Vec<u32>,
    bias: Vec<f32>,
    /// The threshold as a logit (scores are compared before the sigmoid).
    logit_threshold: Vec<f32>,
    /// Feature (a word, or two words joined by a space) → row of `weights`.
    rows: HashMap<Box<str>, u32>,
    /// `rows.len() × ids.len()` weights, row-major.
    weights: Vec<f32>,
}

impl SentenceModel {
    /// Parse a model file.
    pub fn from_json(text: &str) -> Result<SentenceModel, ModelError> {
        let raw: RawModel =
            serde_json::from_str(text).map_err(|e| format!("not a valid model file: {e}"))?;
        if raw.version != 1 {
            return Err(format!("version {} is not supported (1 is)", raw.version));
        }
        if raw.tokens != "words-v1" {
            return Err(format!(
                "tokens {:?} is not supported (\"words-v1\" is)",
                raw.tokens
            ));
        }
        let n = raw.elements.len();
        let mut m = SentenceModel {
            ids: Vec::with_capacity(n),
            bias: Vec::with_capacity(n),
            logit_threshold: Vec::with_capacity(n),
            ..SentenceModel::default()
        };
        for e in &raw.elements {
            if m.ids.contains(&e.id) {
                return Err(format!("element {} appears twice", e.id));
            }
            if !(e.threshold > 0.0 && e.threshold < 1.0) {
                return Err(format!(
                    "element {}: threshold {} must lie between 0 and 1",
                    e.id, e.threshold
                ));
            }
            if !e.bias.is_finite() || e.weights.values().any(|w| !w.is_finite()) {
                return Err(format!("element {}: weights must be finite numbers", e.id));
            }
            m.ids.push(e.id);
            m.bias.push(e.bias);
            m.logit_threshold
                .push((e.threshold / (1.0 - e.threshold)).ln());
        }
        // Features in sorted order, so the rows (and any tie) never depend
        // on hash order.
        let mut feats: Vec<&str> = raw
            .elements
            .iter()
            .flat_map(|e| e.weights.keys().map(|k| k.as_ref()))
            .collect();
        feats.sort_unstable();
        feats.dedup();
        m.weights = vec![0.0; feats.len() * n];
        for (row, f) in feats.iter().enumerate() {
            m.rows.insert((*f).into(), row as u32);
        }
        for (col, e) in raw.elements.iter().enumerate() {
            for (f, w) in &e.weights {
                if let Some(&row) = m.rows.get(f.as_ref()) {
                    m.weights[row as usize * n + col] = *w;
                }
            }
        }
        Ok(m)
    }

    /// The element ids the model knows.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// Scores (logits) of one sentence, in its context, for every element
    /// of the model, in the order of [`SentenceModel::ids`].
    ///
    /// The same features as [`features`] (a unit test holds them equal),
    /// read without building a string per feature: the words go into one
    /// buffer, separated by single spaces, so a word pair is a slice of it;
    /// the context's words are looked up with their prefix in a second
    /// small buffer. The check scores every sentence of a draft, and the
    /// strings cost more than the arithmetic.
    pub fn scores(&self, sentence: &str, context: &Context) -> Vec<f32> {
        let n = self.ids.len();
        let mut out = self.bias.clone();
        let mut rows: Vec<u32> = Vec::with_capacity(64);
        let mut buf = String::with_capacity(sentence.len() + 8);
        let mut spans: Vec<(usize, usize)> = Vec::with_capacity(32);
        word_spans(sentence, &mut buf, &mut spans);
        for (i, &(a, b)) in spans.iter().enumerate() {
            if let Some(&r) = self.rows.get(&buf[a..b]) {
                rows.push(r);
            }
            if let Some(&(_, d)) = spans.get(i + 1)
                && let Some(&r) = self.rows.get(&buf[a..d])
            {
                rows.push(r);
            }
        }
        let mut key = String::with_capacity(32);
        let mut prefixed = |prefix: &str, text: &str, rows: &mut Vec<u32>| {
            buf.clear();
            spans.clear();
            word_spans(text, &mut buf, &mut spans);
            for &(a, b) in &spans {
                key.clear();
                key.push_str(prefix);
                key.push_str(&buf[a..b]);
                if let Some(&r) = self.rows.get(key.as_str()) {
                    rows.push(r);
                }
            }
        };
        prefixed("h:", context.heading, &mut rows);
        if context.previous.is_empty() {
            if let Some(&r) = self.rows.get("first") {
                rows.push(r);
            }
        } else {
            prefixed("p:", context.previous, &mut rows);
        }
        if let Some(&r) = self.rows.get(position_feature(context.position)) {
            rows.push(r);
        }
        // Binary features: a word counts once however often it occurs.
        rows.sort_unstable();
        rows.dedup();
        for r in rows {
            let row = &self.weights[r as usize * n..(r as usize + 1) * n];
            for (o, w) in out.iter_mut().zip(row) {
                *o += w;
            }
        }
        out
    }

    /// For each element of the model, in the order of
    /// [`SentenceModel::ids`], its bit in a checklist whose elements are
    /// `order` (bit `i` for the element at index `i`; 0 when absent).
    /// Computed once per check and handed to [`SentenceModel::bits`].
    pub fn columns(&self, order: &[u32]) -> Vec<u64> {
        self.ids
            .iter()
            .map(|id| {
                order
                    .iter()
                    .position(|x| x == id)
                    .map_or(0, |i| 1u64 << (i % 64))
            })
            .collect()
    }

    /// The bits (from [`SentenceModel::columns`]) of the elements the
    /// sentence reaches the threshold of.
    pub fn bits(&self, sentence: &str, context: &Context, columns: &[u64]) -> u64 {
        if self.ids.is_empty() {
            return 0;
        }
        let s = self.scores(sentence, context);
        (0..self.ids.len())
            .filter(|&col| s[col] >= self.logit_threshold[col])
            .fold(0, |bits, col| bits | columns[col])
    }

    /// The words of `sentence` that weigh most for element `id`, for the
    /// reason (at most `n`, strongest first).
    pub fn top_words(&self, sentence: &str, id: u32, n: usize) -> Vec<String> {
        let Some(col) = self.ids.iter().position(|&x| x == id) else {
            return Vec::new();
        };
        let k = self.ids.len();
        let mut found: Vec<(f32, String)> = features(sentence, &Context::default())
            .into_iter()
            .filter_map(|f| {
                let &r = self.rows.get(f.as_str())?;
                let w = self.weights[r as usize * k + col];
                (w > 0.0).then_some((w, f))
            })
            .collect();
        found.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        found.into_iter().take(n).map(|(_, f)| f).collect()
    }
}

/// The words of a sentence as the model sees them: runs of ASCII letters
/// and digits, lower-cased; a run of digits becomes `0`; "Best Practice
/// Forum" is masked as `bpf` (it names the forum, not a best practice).
/// Every other character separates words — the model is trained on
/// English drafts, and Unicode's idea of a letter differs between Rust and
/// Python, which trains it. `train.py` cuts words the same way
/// (`extract.py`'s `words`).
pub fn words(sentence: &str) -> Vec<String> {
    let (mut buf, mut spans) = (String::new(), Vec::new());
    word_spans(sentence, &mut buf, &mut spans);
    spans.iter().map(|&(a, b)| buf[a..b].to_string()).collect()
}

/// [`words`] into `buf`, separated by single spaces, with each word's
/// range in `spans` (both cleared first): a pair of adjacent words is the
/// slice from the first's start to the second's end.
fn word_spans(sentence: &str, buf: &mut String, spans: &mut Vec<(usize, usize)>) {
    buf.clear();
    spans.clear();
    let mut start = None;
    let mut digits = true;
    let end_word =
        |buf: &mut String, spans: &mut Vec<(usize, usize)>, start: usize, digits: bool| {
            if digits {
                buf.truncate(start);
                buf.push('0');
            }
            spans.push((start, buf.len()));
        };
    for c in sentence.chars() {
        if c.is_ascii_alphanumeric() {
            if start.is_none() {
                if !buf.is_empty() {
                    buf.push(' ');
                }
                start = Some(buf.len());
                digits = true;
            }
            digits &= c.is_ascii_digit();
            buf.push(c.to_ascii_lowercase());
        } else if let Some(s) = start.take() {
            end_word(buf, spans, s, digits);
        }
    }
    if let Some(s) = start.take() {
        end_word(buf, spans, s, digits);
    }
    // "best practice(s) forum(s)" → "bpf" (rare: rebuild the buffer then).
    let forum = |w: &[&str]| {
        w.len() >= 3
            && w[0] == "best"
            && (w[1] == "practice" || w[1] == "practices")
            && (w[2] == "forum" || w[2] == "forums")
    };
    let old: Vec<&str> = spans.iter().map(|&(a, b)| &buf[a..b]).collect();
    if !old.windows(3).any(forum) {
        return;
    }
    let mut kept: Vec<String> = Vec::with_capacity(old.len());
    let mut i = 0;
    while i < old.len() {
        if forum(&old[i..]) {
            kept.push("bpf".into());
            i += 3;
        } else {
            kept.push(old[i].to_string());
            i += 1;
        }
    }
    buf.clear();
    spans.clear();
    for w in kept {
        if !buf.is_empty() {
            buf.push(' ');
        }
        spans.push((buf.len(), buf.len() + w.len()));
        buf.push_str(&w);
    }
}

/// The position feature: the fifth of the draft, `pos:0` … `pos:4`.
fn position_feature(position: f32) -> &'static str {
    const POS: [&str; 5] = ["pos:0", "pos:1", "pos:2", "pos:3", "pos:4"];
    POS[((position.clamp(0.0, 1.0) * 5.0) as usize).min(4)]
}

/// Where a sentence stands: what the model reads besides its words.
#[derive(Debug, Clone, Copy, Default)]
pub struct Context<'a> {
    /// The heading over the sentence ("" when none).
    pub heading: &'a str,
    /// The sentence before it in the same paragraph ("" when it opens it).
    pub previous: &'a str,
    /// Where it stands in the draft, 0 (start) to 1 (end).
    pub position: f32,
}

/// The features of a sentence in its context, sorted and distinct: its
/// words and adjacent word pairs; the heading's words as `h:word`; the
/// previous sentence's words as `p:word`, or `first` when it opens its
/// paragraph; its fifth of the draft as `pos:0` … `pos:4`. `train.py`
/// computes the same.
pub fn features(sentence: &str, context: &Context) -> Vec<String> {
    let w = words(sentence);
    let mut f: Vec<String> = Vec::with_capacity(w.len() * 2 + 16);
    for (i, x) in w.iter().enumerate() {
        f.push(x.clone());
        if let Some(y) = w.get(i + 1) {
            f.push(format!("{x} {y}"));
        }
    }
    f.extend(words(context.heading).into_iter().map(|x| format!("h:{x}")));
    if context.previous.is_empty() {
        f.push("first".into());
    } else {
        f.extend(
            words(context.previous)
                .into_iter()
                .map(|x| format!("p:{x}")),
        );
    }
    f.push(position_feature(context.position).to_string());
    f.sort_unstable();
    f.dedup();
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_folded_lowercased_and_masked() {
        assert_eq!(
            words("The Best Practice Forum found 12 cases — in Zürich!"),
            ["the", "bpf", "found", "0", "cases", "in", "z", "rich"]
        );
    }

    #[test]
    fn features_read_the_context() {
        let cases: [(&str, &str, f32, &[&str]); 2] = [
            (
                "3. What worked",
                "",
                0.99,
                &[
                    "first",
                    "h:0",
                    "h:what",
                    "h:worked",
                    "it",
                    "it worked",
                    "pos:4",
                    "worked",
                ],
            ),
            (
                "",
                "Cases differ.",
                0.0,
                &["it", "it worked", "p:cases", "p:differ", "pos:0", "worked"],
            ),
        ];
        for (heading, previous, position, want) in cases {
            let c = Context {
                heading,
                previous,
                position,
            };
            assert_eq!(features("It worked.", &c), want);
        }
    }

    /// The fast path of `scores` reads the features `features` lists.
    #[test]
    fn scores_read_the_listed_features() {
        let m = SentenceModel::from_json(DEFAULT_MODEL).expect("built-in model");
        let cases = [
            (
                "The Best Practice Forum found 12 cases in 2025, and 3 of them worked.",
                "7. What worked",
                "",
                0.9,
            ),
            (
                "Regulators could not agree; the question stays open.",
                "",
                "Views differed.",
                0.5,
            ),
            (
                "best practice forums best practices forum",
                "Best Practice Forum",
                "Zürich — 1 2",
                0.0,
            ),
            ("", "", "", 1.0),
        ];
        for (s, h, p, pos) in cases {
            let c = Context {
                heading: h,
                previous: p,
                position: pos,
            };
            let mut slow = m.bias.clone();
            for f in features(s, &c) {
                if let Some(&r) = m.rows.get(f.as_str()) {
                    let k = m.ids.len();
                    for (o, w) in slow
                        .iter_mut()
                        .zip(&m.weights[r as usize * k..(r as usize + 1) * k])
                    {
                        *o += w;
                    }
                }
            }
            let fast = m.scores(s, &c);
            for (a, b) in fast.iter().zip(&slow) {
                assert!((a - b).abs() < 1e-4, "{s:?}: {fast:?} vs {slow:?}");
            }
        }
    }

    #[test]
    fn builtin_model_loads() {
        let m = SentenceModel::from_json(DEFAULT_MODEL).expect("built-in model");
        assert!(!m.ids().is_empty());
    }

    #[test]
    fn escaped_feature_names_are_read_too() {
        // Keys borrow from the file's text; one with an escape is copied.
        let m = SentenceModel::from_json(
            r#"{"version": 1, "tokens": "words-v1", "element": [{"id": 6, "bias": 0.0,
                "threshold": 0.5, "weights": {"work\u0065d": 0.75}}]}"#,
        )
        .expect("model");
        assert_eq!(m.scores("It worked.", &Context::default()), vec![0.75]);
    }

    #[test]
    fn scores_add_word_and_pair_weights() {
        let m = SentenceModel::from_json(
            r#"{"version": 1, "tokens": "words-v1", "element": [{"id": 6, "bias": -1.0,
                "threshold": 0.5, "weights": {"worked": 0.75, "worked well": 1.0}}]}"#,
        )
        .expect("model");
        let c = Context::default();
        assert_eq!(m.scores("It worked well, it worked.", &c), vec![0.75]);
        let columns = m.columns(&[5, 6]);
        assert_eq!(columns, [0b10]);
        assert_eq!(m.bits("It worked well.", &c, &columns), 0b10);
        assert_eq!(m.bits("It failed.", &c, &columns), 0);
        assert_eq!(
            m.top_words("It worked well.", 6, 3),
            ["worked well", "worked"]
        );
    }

    #[test]
    fn bad_models_are_refused() {
        for bad in [
            r#"{"version": 2, "tokens": "words-v1"}"#,
            r#"{"version": 1, "tokens": "chars"}"#,
            r#"{"version": 1, "tokens": "words-v1", "element": [{"id": 1, "bias": 0.0, "threshold": 1.5}]}"#,
            r#"{"version": 1, "tokens": "words-v1", "element": [{"id": 1, "bias": 0.0, "threshold": 0.5}, {"id": 1, "bias": 0.0, "threshold": 0.5}]}"#,
            r#"{"version": 1, "tokens": "words-v1", "element": [{"id": 1, "bias": 0.0, "threshold": 0.5, "weights": {"x": "y"}}]}"#,
            r#"{"version": 1, "tokens": "words-v1", "colour": "red"}"#,
            "version = 1",
        ] {
            assert!(SentenceModel::from_json(bad).is_err(), "{bad}");
        }
    }
}
