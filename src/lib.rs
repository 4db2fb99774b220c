//! bpfpress: turn draft IGF Best Practice Forum output reports into checked,
//! published and disseminated documents.
//!
//! A pipeline over one document model ([`model::Document`]):
//!
//! ```text
//! draft.docx / .pdf / .md ──ingest──▶ Document ──check──▶ CheckReport
//!                                        └──────render──▶ report.pdf, takeaways.pdf, letters, mail
//! several Documents + CheckReports ──summaries──▶ summaries.pdf (the year's compilation)
//! ```
//!
//! Each stage is a module with its own error type and a short doc saying
//! what it takes and gives; a stage knows only the stages above it.
//! [`pipeline`] resolves the settings once and calls the stages as typed
//! functions; the `bpfpress` binary is a thin layer over it
//! (`docs/architecture.md`).

pub mod annotate;
pub mod check;
pub mod dates;
pub mod error;
pub mod fsutil;
pub mod ingest;
pub mod letters;
pub mod mail;
pub mod malloc;
pub mod model;
pub mod outline;
pub mod pipeline;
pub mod project;
pub mod readiness;
pub mod render;
pub mod serve;
pub mod summaries;
pub mod takeaways;
