//! markdown reader (to be written).

use super::{IngestErrorKind, Limits};
use crate::model::Document;

/// Read a markdown draft.
pub fn read_markdown(
    _bytes: &[u8],
    _source: &str,
    _limits: &Limits,
) -> Result<Document, IngestErrorKind> {
    Err(IngestErrorKind::Unsupported(
        "markdown reader not yet written".into(),
    ))
}
