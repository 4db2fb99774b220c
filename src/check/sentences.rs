//! The sentence model: which elements a sentence speaks of, in whatever
//! words the draft uses.
//!
//! The lexicons (`cues` in the checklist) recognise the phrases published
//! BPF reports use; a draft that says the same in its own words ("three
//! practices made systems work", "effects that no one planned") slips
//! through any phrase list. The model reads the sentence as a bag of words
//! and word pairs: one logistic regression per element, trained on the
//! sentences of the labelled corpus (`fixtures/check-corpus/sentences/`,
//! each sentence tagged by a careful reader with the elements it addresses;
//! `fixtures/check-corpus/sentences/train.py` writes the weights). A
//! sentence whose probability for an element reaches that element's
//! threshold speaks of the element, as a cue would; the rest of the method
//! (runs, paragraphs, claims, substance, verdicts) is unchanged.
//!
//! Why a linear model: it is deterministic, small (a few thousand weights,
//! most of them zero after L1 training), fast (one hash lookup per word
//! and word pair), and explainable — the words that weighed most are named
//! in the reason. Nothing is fetched or trained at run time.
//!
//! The model file is TOML (`templates/sentence-model.toml`, embedded):
//!
//! ```toml
//! version = 1
//! tokens = "words-v1"
//! [[element]]
//! id = 6
//! bias = -4.1
//! threshold = 0.5
//! weights = { "worked" = 2.3, "made systems" = 0.4 }
//! ```

use serde::Deserialize;
use std::collections::HashMap;

/// The embedded model, named `model = "built-in"` in a checklist.
pub const DEFAULT_MODEL: &str = include_str!("../../templates/sentence-model.toml");

/// A model that cannot be used (the checklist loader wraps it).
pub type ModelError = String;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    version: u32,
    tokens: String,
    #[serde(default, rename = "element")]
    elements: Vec<RawElementModel>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawElementModel {
    id: u32,
    bias: f32,
    threshold: f32,
    #[serde(default)]
    weights: HashMap<String, f32>,
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
    pub fn from_toml(text: &str) -> Result<SentenceModel, ModelError> {
        let raw: RawModel = toml::from_str(text).map_err(|e| e.to_string().trim().to_string())?;
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
            .flat_map(|e| e.weights.keys().map(String::as_str))
            .collect();
        feats.sort_unstable();
        feats.dedup();
        m.weights = vec![0.0; feats.len() * n];
        for (row, f) in feats.iter().enumerate() {
            m.rows.insert((*f).into(), row as u32);
        }
        for (col, e) in raw.elements.iter().enumerate() {
            for (f, w) in &e.weights {
                if let Some(&row) = m.rows.get(f.as_str()) {
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
    pub fn scores(&self, sentence: &str, context: &Context) -> Vec<f32> {
        let n = self.ids.len();
        let mut out = self.bias.clone();
        let mut rows: Vec<u32> = Vec::new();
        for f in features(sentence, context) {
            if let Some(&r) = self.rows.get(f.as_str()) {
                rows.push(r);
            }
        }
        for r in rows {
            let row = &self.weights[r as usize * n..(r as usize + 1) * n];
            for (o, w) in out.iter_mut().zip(row) {
                *o += w;
            }
        }
        out
    }

    /// Bit `i` set when the sentence reaches the threshold of the element
    /// at index `i` of `order` (checklist order).
    pub fn bits(&self, sentence: &str, context: &Context, order: &[u32]) -> u64 {
        if self.ids.is_empty() {
            return 0;
        }
        let s = self.scores(sentence, context);
        let mut bits = 0u64;
        for (col, id) in self.ids.iter().enumerate() {
            if s[col] >= self.logit_threshold[col]
                && let Some(i) = order.iter().position(|x| x == id)
            {
                bits |= 1u64 << (i % 64);
            }
        }
        bits
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
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<String>| {
        if !cur.is_empty() {
            if cur.bytes().all(|b| b.is_ascii_digit()) {
                out.push("0".into());
            } else {
                out.push(std::mem::take(cur));
            }
            cur.clear();
        }
    };
    for c in sentence.chars() {
        if c.is_ascii_alphanumeric() {
            cur.push(c.to_ascii_lowercase());
        } else {
            flush(&mut cur, &mut out);
        }
    }
    flush(&mut cur, &mut out);
    // "best practice(s) forum(s)" → "bpf" (already "bpf" in masked text).
    let mut masked = Vec::with_capacity(out.len());
    let mut i = 0;
    while i < out.len() {
        if i + 2 < out.len()
            && out[i] == "best"
            && (out[i + 1] == "practice" || out[i + 1] == "practices")
            && (out[i + 2] == "forum" || out[i + 2] == "forums")
        {
            masked.push("bpf".to_string());
            i += 3;
        } else {
            masked.push(std::mem::take(&mut out[i]));
            i += 1;
        }
    }
    masked
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
    let fifth = (context.position.clamp(0.0, 1.0) * 5.0) as usize;
    f.push(format!("pos:{}", fifth.min(4)));
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
        let c = Context {
            heading: "3. What worked",
            previous: "",
            position: 0.99,
        };
        assert_eq!(
            features("It worked.", &c),
            [
                "first",
                "h:0",
                "h:what",
                "h:worked",
                "it",
                "it worked",
                "pos:4",
                "worked"
            ]
        );
        let c = Context {
            heading: "",
            previous: "Cases differ.",
            position: 0.0,
        };
        assert_eq!(
            features("It worked.", &c),
            ["it", "it worked", "p:cases", "p:differ", "pos:0", "worked"]
        );
    }

    #[test]
    fn builtin_model_loads() {
        let m = SentenceModel::from_toml(DEFAULT_MODEL).expect("built-in model");
        assert!(!m.ids().is_empty());
    }

    #[test]
    fn scores_add_word_and_pair_weights() {
        let m = SentenceModel::from_toml(
            "version = 1\ntokens = \"words-v1\"\n[[element]]\nid = 6\nbias = -1.0\nthreshold = 0.5\nweights = { \"worked\" = 0.75, \"worked well\" = 1.0 }\n",
        )
        .expect("model");
        let c = Context::default();
        assert_eq!(m.scores("It worked well, it worked.", &c), vec![0.75]);
        assert_eq!(m.bits("It worked well.", &c, &[5, 6]), 0b10);
        assert_eq!(m.bits("It failed.", &c, &[5, 6]), 0);
        assert_eq!(
            m.top_words("It worked well.", 6, 3),
            ["worked well", "worked"]
        );
    }

    #[test]
    fn bad_models_are_refused() {
        for bad in [
            "version = 2\ntokens = \"words-v1\"\n",
            "version = 1\ntokens = \"chars\"\n",
            "version = 1\ntokens = \"words-v1\"\n[[element]]\nid = 1\nbias = 0.0\nthreshold = 1.5\n",
            "version = 1\ntokens = \"words-v1\"\n[[element]]\nid = 1\nbias = 0.0\nthreshold = 0.5\n[[element]]\nid = 1\nbias = 0.0\nthreshold = 0.5\n",
        ] {
            assert!(SentenceModel::from_toml(bad).is_err(), "{bad}");
        }
    }
}
