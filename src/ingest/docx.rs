//! docx reader (to be written).

use super::{IngestErrorKind, Limits};
use crate::model::Document;

/// Read a docx draft.
pub fn read_docx(
    _bytes: &[u8],
    _source: &str,
    _limits: &Limits,
) -> Result<Document, IngestErrorKind> {
    Err(IngestErrorKind::Unsupported(
        "docx reader not yet written".into(),
    ))
}
