//! The error vocabulary every stage shares. Each stage has its own error
//! type (`IngestError`, `RenderError`, …); the pipeline layer wraps them
//! with the file, the place and a hint ([`crate::pipeline::Error`]). What
//! is here is small enough to be common to all of them.

/// A word that is not one of those accepted (`--paper a5`, `tls = "ssl3"`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} '{value}' (supported: {expected})")]
pub struct UnknownValue {
    /// What was asked for: "paper", "standard", "TLS mode".
    pub what: &'static str,
    pub value: String,
    /// The accepted words, e.g. "a4, letter".
    pub expected: &'static str,
}

impl UnknownValue {
    pub fn new(what: &'static str, value: &str, expected: &'static str) -> UnknownValue {
        UnknownValue {
            what,
            value: value.to_owned(),
            expected,
        }
    }
}
