//! One mail message: headers, text and HTML bodies, attachments → RFC 5322
//! bytes (an `.eml` file), built with lettre's message builder.
//!
//! Output is deterministic: the caller gives the Message-ID and the Date,
//! and the MIME boundaries are derived from the Message-ID, so the same
//! input gives byte-identical output on every run.

use lettre::message::header::ContentType;
use lettre::message::{Attachment as LAttachment, Body, Mailbox, MultiPart, SinglePart};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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

/// A calendar date (UTC), used for the fixed `Date:` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct CampaignDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl std::str::FromStr for CampaignDate {
    type Err = String;
    /// `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a date of the form YYYY-MM-DD");
        let mut it = s.trim().splitn(3, '-');
        let (y, m, d) = (it.next(), it.next(), it.next());
        let (Some(y), Some(m), Some(d)) = (y, m, d) else {
            return Err(bad());
        };
        let year: i32 = y.parse().map_err(|_| bad())?;
        let month: u32 = m.parse().map_err(|_| bad())?;
        let day: u32 = d.parse().map_err(|_| bad())?;
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let dim = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return Err(bad()),
        };
        if !(1970..=9999).contains(&year) || day == 0 || day > dim {
            return Err(bad());
        }
        Ok(CampaignDate { year, month, day })
    }
}

impl std::fmt::Display for CampaignDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl CampaignDate {
    /// 09:00 UTC on the date (a fixed hour so every run gives the same header).
    pub fn system_time(self) -> SystemTime {
        let days = days_from_civil(self.year, self.month, self.day);
        UNIX_EPOCH + Duration::from_secs(days as u64 * 86_400 + 9 * 3600)
    }
}

/// Days since 1970-01-01 (H. Hinnant's algorithm).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// RFC 3339 UTC timestamp of `t` (seconds), for logs.
pub fn rfc3339(t: SystemTime) -> String {
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0) as i64;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // civil_from_days
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + if m <= 2 { 1 } else { 0 };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        let d: CampaignDate = "2020-12-01".parse().unwrap();
        assert_eq!(rfc3339(d.system_time()), "2020-12-01T09:00:00Z");
        let d: CampaignDate = "2024-02-29".parse().unwrap();
        assert_eq!(rfc3339(d.system_time()), "2024-02-29T09:00:00Z");
        for bad in ["2023-02-29", "2020-13-01", "20-1-1x", "", "2020-00-10"] {
            assert!(bad.parse::<CampaignDate>().is_err(), "{bad}");
        }
    }
}
