//! One mail message: headers, text and HTML bodies, attachments → RFC 5322
//! bytes (an `.eml` file), built with lettre's message builder.
//!
//! Output is deterministic: the caller gives the Message-ID and the Date,
//! and the MIME boundaries are derived from the Message-ID, so the same
//! input gives byte-identical output on every run.

use lettre::message::header::ContentType;
use lettre::message::{Attachment as LAttachment, Body, Mailbox, MultiPart, SinglePart};
use std::sync::Arc;
use std::time::SystemTime;

/// What an attachment is, so that the mail text names only what is there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Role {
    /// The output report.
    Report,
    /// The key-takeaways sheet.
    Takeaways,
    /// Anything else (named by its file name only).
    #[default]
    Other,
}

/// A file attached to a mail.
#[derive(Debug, Clone)]
pub struct Attachment {
    /// File name shown to the recipient (non-ASCII is encoded per RFC 2231).
    pub filename: String,
    pub bytes: Arc<Vec<u8>>,
    /// MIME type, e.g. `application/pdf`.
    pub mime: String,
    pub role: Role,
}

impl Attachment {
    pub fn pdf(filename: impl Into<String>, bytes: impl Into<Arc<Vec<u8>>>) -> Attachment {
        Attachment {
            filename: filename.into(),
            bytes: bytes.into(),
            mime: "application/pdf".into(),
            role: Role::Other,
        }
    }

    /// The same attachment, marked as being `role`.
    pub fn with_role(mut self, role: Role) -> Attachment {
        self.role = role;
        self
    }
}

/// An attachment with its body already transfer-encoded (base64), so a
/// file shared by every message (the report) is encoded once per run.
#[derive(Debug, Clone)]
pub struct EncodedAttachment {
    pub filename: String,
    content_type: ContentType,
    body: Body,
}

impl Attachment {
    /// Transfer-encode the body once.
    pub fn encode(&self) -> Result<EncodedAttachment, MessageError> {
        let content_type = ContentType::parse(&self.mime).map_err(|_| MessageError::Mime {
            filename: self.filename.clone(),
            mime: self.mime.clone(),
        })?;
        Ok(EncodedAttachment {
            filename: self.filename.clone(),
            content_type,
            body: Body::new(self.bytes.to_vec()),
        })
    }
}

/// Everything one message is made of.
#[derive(Debug, Clone)]
pub struct MessageSpec<'a> {
    pub from: &'a Mailbox,
    pub reply_to: Option<&'a Mailbox>,
    pub to: Mailbox,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: Option<&'a str>,
    pub attachments: Vec<&'a EncodedAttachment>,
    /// With angle brackets: `<id@domain>`.
    pub message_id: &'a str,
    pub date: SystemTime,
}

/// Why a message could not be built.
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    #[error("attachment {filename:?}: invalid MIME type {mime:?}")]
    Mime { filename: String, mime: String },
    #[error("cannot build message: {0}")]
    Build(#[from] lettre::error::Error),
}

/// Build the message and return it with the `.eml` bytes (CRLF line ends).
pub fn build(spec: &MessageSpec<'_>) -> Result<(lettre::Message, Vec<u8>), MessageError> {
    let tag = boundary_tag(spec.message_id);
    let mut b = lettre::Message::builder()
        .from(spec.from.clone())
        .to(spec.to.clone())
        .subject(spec.subject)
        .date(spec.date)
        .message_id(Some(spec.message_id.to_owned()))
        .user_agent(format!("bpfpress {}", env!("CARGO_PKG_VERSION")));
    if let Some(r) = spec.reply_to {
        b = b.reply_to(r.clone());
    }
    let text = SinglePart::builder()
        .content_type(ContentType::TEXT_PLAIN)
        .body(spec.text.to_owned());
    let body = match spec.html {
        Some(html) => MultiPart::alternative()
            .boundary(format!("=_alt_{tag}"))
            .singlepart(text)
            .singlepart(
                SinglePart::builder()
                    .content_type(ContentType::TEXT_HTML)
                    .body(html.to_owned()),
            ),
        None => MultiPart::mixed()
            .boundary(format!("=_txt_{tag}"))
            .singlepart(text),
    };
    let mut mixed = MultiPart::mixed()
        .boundary(format!("=_mix_{tag}"))
        .multipart(body);
    for a in &spec.attachments {
        mixed = mixed.singlepart(
            LAttachment::new(a.filename.clone()).body(a.body.clone(), a.content_type.clone()),
        );
    }
    let msg = b.multipart(mixed)?;
    let bytes = msg.formatted();
    Ok((msg, bytes))
}

/// 24 hex digits from the Message-ID; boundaries start with `=_`, which
/// neither base64 nor quoted-printable can produce.
fn boundary_tag(message_id: &str) -> String {
    use sha2::{Digest, Sha256};
    super::recipients::hex(&Sha256::digest(message_id.as_bytes())[..12])
}
