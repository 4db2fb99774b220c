//! Mail: recipients, mailings and SMTP delivery (dissemination, issue 6).
//!
//! Takes a recipients file, a [`LetterMaker`] (the render engine's cover
//! letter per recipient) and the shared attachments (report, takeaways);
//! gives letter PDFs, one RFC 5322 `.eml` per recipient, a manifest, and —
//! only when asked — delivery over SMTP with a send log that makes a re-run
//! send only what is left. Knows the model of nothing but recipients; the
//! render stage plugs in through [`LetterMaker`].
//!
//! * [`recipients`]: load and validate the list; file stems; salutations.
//! * [`message`]: one message → `.eml` bytes (lettre's builder).
//! * [`send`]: SMTP, the send log and its exactly-once rules.
//! * [`campaign`]: the whole run, in parallel, with the manifest.

pub mod campaign;
pub mod message;
pub mod recipients;
pub mod salutation;
pub mod send;

pub use campaign::{
    Campaign, CampaignError, CampaignInfo, EmlError, LetterError, LetterMaker, MadeLetter,
    MailText, MailTextError, Manifest, ManifestEntry, RunOptions, Status,
};
pub use lettre::message::Mailbox;
pub use message::{Attachment, Role};
pub use recipients::{Language, LoadOptions, Recipient, Recipients, RecipientsError};
pub use send::{SmtpSettings, TlsMode};
