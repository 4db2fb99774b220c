//! pdf reader (to be written).

use super::{IngestErrorKind, Limits};
use crate::model::Document;

/// Read a pdf draft.
pub fn read_pdf(
    _bytes: &[u8],
    _source: &str,
    _limits: &Limits,
) -> Result<Document, IngestErrorKind> {
    Err(IngestErrorKind::Unsupported(
        "pdf reader not yet written".into(),
    ))
}
