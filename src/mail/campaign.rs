//! A mailing campaign: recipients + a letter maker + shared attachments →
//! letter PDFs, `.eml` files, a manifest, and (on request) SMTP delivery.
//!
//! This is the seam between the render engine and the mail stage: the
//! render engine supplies a [`LetterMaker`] (one cover-letter PDF per
//! recipient); the campaign does the file naming, message building,
//! manifest, sending and send log. Letters and messages are produced in
//! parallel on a rayon pool whose threads have large stacks (typst runs
//! inside the letter maker); delivery is sequential, in file order.
//!
//! Output folder layout:
//!
//! ```text
//! DIR/letters/NNN-slug.pdf   cover letter per recipient
//! DIR/mail/NNN-slug.eml      message per recipient (with --eml or --send)
//! DIR/mailing.csv, .json     manifest: recipient, files, status, reason
//! DIR/send-log.jsonl         append-only delivery log (with --send)
//! ```

use super::message::{self, Attachment, EncodedAttachment, MessageError, MessageSpec, Role};
use super::recipients::{Language, Recipient, Recipients, hex};
use super::send::{Outcome, Outgoing, SendError, SendLog, Sender, SmtpSettings};
use crate::dates::{Clock, Date};
use crate::fsutil::{FileHash, OutputDir, WriteError};
use lettre::message::Mailbox;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Error type a letter maker returns.
pub type LetterError = Box<dyn std::error::Error + Send + Sync>;

/// A cover letter made for one recipient.
#[derive(Debug, Clone, Default)]
pub struct MadeLetter {
    pub pdf: Vec<u8>,
    /// Things to tell the user about this letter (e.g. takeaways left out
    /// to fit one page); listed in the manifest.
    pub warnings: Vec<String>,
}

/// Makes the cover-letter PDF of one recipient. Implemented for closures
/// `Fn(&Recipient) -> Result<Vec<u8>, LetterError>`. Called from several
/// threads at once.
pub trait LetterMaker: Sync {
    fn letter(&self, recipient: &Recipient) -> Result<MadeLetter, LetterError>;
}

impl<F> LetterMaker for F
where
    F: Fn(&Recipient) -> Result<Vec<u8>, LetterError> + Sync,
{
    fn letter(&self, recipient: &Recipient) -> Result<MadeLetter, LetterError> {
        Ok(MadeLetter {
            pdf: self(recipient)?,
            warnings: Vec::new(),
        })
    }
}

/// What the mails say about the report; placeholders in [`MailText`].
#[derive(Debug, Clone, Serialize)]
pub struct CampaignInfo {
    /// e.g. "IGF Best Practice Forum on Best Practice Forums".
    pub bpf_name: String,
    pub report_title: String,
    pub report_url: String,
    pub signatory_name: String,
    pub signatory_role: String,
}

/// Subject and plain-text body of a mail in one language. The built-in
/// texts never put a name after an article or preposition (French `du`/`de
/// l'`, Spanish `del`/`de la` depend on the name), so they read right
/// whatever the BPF or organisation is called. Placeholders:
/// `{salutation}`, `{organisation}`, `{contact_name}`, `{bpf}`, `{title}`,
/// `{url}`, `{signatory}`, `{role}`, `{attachments}` (a sentence naming
/// the files really attached, [`attachments_sentence`]). The HTML part is
/// made from the text.
#[derive(Debug, Clone, Serialize)]
pub struct MailText {
    pub subject: String,
    pub body: String,
}

impl MailText {
    /// The built-in text for `lang`. `{attachments}` becomes the sentence
    /// naming what is really attached ([`attachments_sentence`]).
    pub fn default_for(lang: Language) -> MailText {
        let (subject, body) = match lang {
            Language::En => (
                "{title}: output report of the {bpf}",
                "{salutation}\n\n\
                 On behalf of the {bpf}, the IGF Secretariat is pleased to send you the \
                 Forum's output report, \u{201c}{title}\u{201d}.\n\n\
                 {attachments} The report is also available at:\n{url}\n\n\
                 We would be grateful if your organisation could consider the report in its \
                 work and share it with those concerned.\n\n\
                 With best regards,\n\n\
                 {signatory}\n{role}\non behalf of the {bpf}\n",
            ),
            Language::Fr => (
                "{title} : rapport final \u{2014} {bpf}",
                "{salutation}\n\n\
                 Au nom du forum sur les bonnes pratiques \u{ab}\u{a0}{bpf}\u{a0}\u{bb}, le \
                 Secrétariat du FGI a le plaisir de vous transmettre le rapport final du forum, \u{ab}\u{a0}{title}\u{a0}\u{bb}.\n\n\
                 {attachments} Le rapport est également disponible à \
                 l\u{2019}adresse suivante\u{a0}:\n{url}\n\n\
                 Nous vous serions reconnaissants de bien vouloir en tenir compte dans les \
                 travaux de votre institution et de le diffuser auprès des personnes \
                 concernées.\n\n\
                 Nous vous prions d\u{2019}agréer l\u{2019}expression de nos salutations \
                 distinguées.\n\n\
                 {signatory}\n{role}\nau nom du forum \u{ab}\u{a0}{bpf}\u{a0}\u{bb}\n",
            ),
            Language::Es => (
                "{title}: informe final \u{2014} {bpf}",
                "{salutation}\n\n\
                 En nombre del foro de buenas prácticas \u{ab}{bpf}\u{bb}, la Secretaría del \
                 FGI tiene el agrado de enviarle el informe final del foro, \u{ab}{title}\u{bb}.\n\n\
                 {attachments} El informe también está disponible en:\n\
                 {url}\n\n\
                 Le agradeceríamos que su institución lo tuviera en cuenta en su labor y lo \
                 compartiera con las personas interesadas.\n\n\
                 Atentamente,\n\n\
                 {signatory}\n{role}\nen nombre del foro \u{ab}{bpf}\u{bb}\n",
            ),
            Language::Ru => (
                "{title}: итоговый доклад \u{2014} {bpf}",
                "{salutation}\n\n\
                 От имени форума по передовой практике \u{ab}{bpf}\u{bb} секретариат ФУИ \
                 имеет честь направить Вам итоговый доклад форума \u{ab}{title}\u{bb}.\n\n\
                 {attachments} Доклад также размещён по адресу:\n{url}\n\n\
                 Мы были бы признательны, если бы Ваша организация приняла доклад во \
                 внимание в своей работе и ознакомила с ним заинтересованных лиц.\n\n\
                 С уважением,\n\n\
                 {signatory}\n{role}\nот имени форума \u{ab}{bpf}\u{bb}\n",
            ),
            Language::Zh => (
                "{title}：成果报告\u{2014}\u{2014}{bpf}",
                "{salutation}\n\n\
                 互联网治理论坛秘书处谨代表\u{201c}{bpf}\u{201d}最佳做法论坛，向您转交该论坛的成果报告\
                 \u{300a}{title}\u{300b}。\n\n\
                 {attachments}报告亦可在以下网址查阅：\n{url}\n\n\
                 如贵组织能在工作中参考本报告，并将其分享给相关人员，我们将不胜感激。\n\n\
                 此致\n敬礼\n\n\
                 {signatory}\n{role}\n代表\u{201c}{bpf}\u{201d}最佳做法论坛\n",
            ),
            Language::Ar => (
                "{title}: التقرير الختامي \u{2014} {bpf}",
                "{salutation}\n\n\
                 يسرّ أمانة منتدى إدارة الإنترنت، باسم منتدى أفضل الممارسات \u{ab}{bpf}\u{bb}، \
                 أن تحيل إليكم التقرير الختامي للمنتدى المعنون \u{ab}{title}\u{bb}.\n\n\
                 {attachments} ويمكن الاطلاع على التقرير أيضاً على العنوان التالي:\n{url}\n\n\
                 وسنكون ممتنين لو تفضلت مؤسستكم بأخذ التقرير في الاعتبار في أعمالها \
                 وتعميمه على المعنيين.\n\n\
                 وتفضلوا بقبول فائق الاحترام والتقدير،\n\n\
                 {signatory}\n{role}\nباسم منتدى أفضل الممارسات \u{ab}{bpf}\u{bb}\n",
            ),
        };
        MailText {
            subject: subject.into(),
            body: body.into(),
        }
    }

    /// Parse a user's mail text: a first line `Subject: ...`, then a blank
    /// line, then the body. Placeholders are checked against
    /// [`PLACEHOLDERS`] so a typo is an error, not a literal `{titel}` in
    /// 500 mails.
    pub fn parse(text: &str) -> Result<MailText, MailTextError> {
        let text = text
            .strip_prefix('\u{feff}')
            .unwrap_or(text)
            .replace("\r\n", "\n");
        let (first, body) = text.split_once('\n').unwrap_or((&text, ""));
        let subject = first
            .strip_prefix("Subject:")
            .ok_or(MailTextError::NoSubject)?
            .trim()
            .to_owned();
        if subject.is_empty() {
            return Err(MailTextError::EmptySubject);
        }
        let body = body.strip_prefix('\n').unwrap_or(body).to_owned();
        if body.trim().is_empty() {
            return Err(MailTextError::EmptyBody);
        }
        for (i, line) in std::iter::once(first).chain(body.lines()).enumerate() {
            let mut rest = line;
            while let Some(open) = rest.find('{') {
                let after = &rest[open + 1..];
                let Some(close) = after.find('}') else { break };
                let name = &after[..close];
                if !name.is_empty()
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !PLACEHOLDERS.contains(&name)
                {
                    return Err(MailTextError::Placeholder {
                        line: if i == 0 { 1 } else { i + 2 },
                        name: name.to_owned(),
                    });
                }
                rest = &after[close + 1..];
            }
        }
        Ok(MailText { subject, body })
    }

    /// The user's texts in `dir`: `mail.<language>.txt` (`mail.en.txt`,
    /// `mail.ar.txt`, …), each optional (a missing one keeps the built-in
    /// text).
    pub fn load_dir(dir: &Path) -> Result<Vec<(Language, MailText)>, MailTextError> {
        let mut out = Vec::new();
        for lang in Language::ALL {
            let p = dir.join(format!("mail.{}.txt", lang.code()));
            match std::fs::read_to_string(&p) {
                Ok(t) => out.push((
                    lang,
                    MailText::parse(&t).map_err(|e| MailTextError::InFile {
                        path: p.clone(),
                        err: Box::new(e),
                    })?,
                )),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(MailTextError::Io { path: p, source }),
            }
        }
        Ok(out)
    }

    /// File name of the attached cover letter in this language.
    pub fn letter_filename(lang: Language) -> &'static str {
        match lang {
            Language::En => "cover-letter.pdf",
            Language::Fr => "lettre-d-accompagnement.pdf",
            Language::Es => "carta-de-presentacion.pdf",
            Language::Ru => "сопроводительное-письмо.pdf",
            Language::Zh => "说明函.pdf",
            Language::Ar => "رسالة-تغطية.pdf",
        }
    }
}

/// Why a mail text (`mail.<language>.txt`) was refused.
#[derive(Debug, thiserror::Error)]
pub enum MailTextError {
    #[error("the first line must be `Subject: ...`")]
    NoSubject,
    #[error("the subject is empty")]
    EmptySubject,
    #[error("the body is empty")]
    EmptyBody,
    #[error("line {line}: unknown placeholder {{{name}}} (known: {})", PLACEHOLDERS.join(", "))]
    Placeholder { line: usize, name: String },
    #[error("{}: {err}", path.display())]
    InFile {
        path: PathBuf,
        err: Box<MailTextError>,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Why one recipient's message could not be built (the reason goes into
/// the manifest; the other recipients go on).
#[derive(Debug, thiserror::Error)]
pub enum EmlError {
    #[error("no email address")]
    NoAddress,
    #[error("email {email:?}: {reason}")]
    BadAddress { email: String, reason: String },
    #[error(transparent)]
    Message(#[from] MessageError),
}

/// One mailing: who sends what.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// Names the campaign in Message-IDs (e.g. `bpf-on-bpfs-2020-report`).
    /// Keep it the same across re-runs: together with the recipient it is
    /// the idempotency key of the send log.
    pub key: String,
    /// The day in every message's `Date:` header (at 09:00 UTC, fixed, so
    /// a re-run gives the same bytes).
    pub date: Date,
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    pub info: CampaignInfo,
    /// Texts per language; missing languages use [`MailText::default_for`].
    pub texts: Vec<(Language, MailText)>,
    /// Attached to every message after the cover letter (report, takeaways).
    pub shared: Vec<Attachment>,
}

/// How to run a campaign.
#[derive(Debug, Clone)]
pub struct RunOptions {
    pub out_dir: PathBuf,
    /// Write one `.eml` per recipient (always done when sending).
    pub eml: bool,
    /// Deliver over SMTP; `None` is a dry run: nothing is sent.
    pub send: Option<SmtpSettings>,
    /// Send again messages the log marks as uncertain.
    pub resend_uncertain: bool,
    /// Worker threads for letters and messages (0: one per core).
    pub threads: usize,
    /// Stack size of each worker (typst needs deep stacks).
    pub stack_bytes: usize,
    /// Show a progress bar when stderr is a terminal.
    pub progress: bool,
    /// Times the send log's lines.
    pub clock: Clock,
    /// Progress for a caller that draws its own (the web page).
    pub sink: Option<ProgressSink>,
}

impl RunOptions {
    pub fn new(out_dir: impl Into<PathBuf>) -> RunOptions {
        RunOptions {
            out_dir: out_dir.into(),
            eml: true,
            send: None,
            resend_uncertain: false,
            threads: 0,
            stack_bytes: 64 << 20,
            progress: true,
            clock: Clock::system(),
            sink: None,
        }
    }
}

/// Status of one recipient in the manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Letter (and `.eml`) written; not sent (dry run or not reached).
    Generated,
    /// Accepted by the SMTP server (now or in an earlier run).
    Sent,
    /// Letter or message could not be made, or the server refused it.
    Failed,
    /// Possibly delivered by an interrupted run; not re-sent.
    Uncertain,
    /// Invalid row left out with `skip_invalid`.
    Skipped,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Generated => "generated",
            Status::Sent => "sent",
            Status::Failed => "failed",
            Status::Uncertain => "uncertain",
            Status::Skipped => "skipped",
        }
    }
}

/// One row of the manifest. Paths are relative to the output folder.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestEntry {
    /// Row number in the recipients file.
    pub row: usize,
    pub stem: String,
    pub organisation: String,
    pub contact_name: Option<String>,
    pub email: Option<String>,
    pub language: Option<Language>,
    pub letter: Option<String>,
    pub eml: Option<String>,
    pub message_id: Option<String>,
    pub status: Status,
    pub reason: Option<String>,
    /// The salutation printed (for review in a spreadsheet).
    pub salutation: Option<String>,
    /// Notes on the letter (takeaways left out to fit one page, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

/// The manifest of a run (`mailing.json`; `mailing.csv` has the entries).
#[derive(Debug, Clone, Serialize)]
pub struct Manifest {
    pub campaign: String,
    pub date: Date,
    /// True when nothing was sent because `--send` was not given.
    pub dry_run: bool,
    pub recipients_file: PathBuf,
    pub entries: Vec<ManifestEntry>,
    /// Every file the run wrote (letters, messages, `mailing.csv`/`.json`)
    /// with its size and SHA-256, taken from the bytes as they were written.
    #[serde(skip)]
    pub outputs: Vec<FileHash>,
}

impl Manifest {
    pub fn count(&self, status: Status) -> usize {
        self.entries.iter().filter(|e| e.status == status).count()
    }

    /// One line for the terminal, e.g. `21 recipients: 21 generated (dry
    /// run: nothing was sent; add --send to deliver)`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        for st in [
            Status::Generated,
            Status::Sent,
            Status::Failed,
            Status::Uncertain,
            Status::Skipped,
        ] {
            let n = self.count(st);
            if n > 0 {
                parts.push(format!("{n} {}", st.as_str()));
            }
        }
        let mut line = format!("{} recipients: {}", self.entries.len(), parts.join(", "));
        if self.dry_run {
            line.push_str(" (dry run: nothing was sent; add --send to deliver)");
        }
        if self.count(Status::Uncertain) > 0 {
            line.push_str("; uncertain messages may have arrived: check, then --resend-uncertain");
        }
        line
    }

    /// Organisations that received the report (for the press release).
    pub fn sent_to(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|e| e.status == Status::Sent)
            .map(|e| e.organisation.as_str())
    }
}

/// A failure that stops a campaign (per-recipient problems are statuses).
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error(transparent)]
    Send(#[from] SendError),
    #[error("shared attachment: {0}")]
    Attachment(MessageError),
    #[error("cannot start worker threads: {0}")]
    Pool(String),
}

impl Campaign {
    /// The Message-ID of `r`: a hash of the campaign key, the organisation
    /// and the email address (not the row number, so re-ordering the file
    /// cannot make a second message for someone already served), at the
    /// sender's domain.
    pub fn message_id(&self, r: &Recipient) -> String {
        let mut h = Sha256::new();
        h.update(self.key.as_bytes());
        h.update([0]);
        h.update(r.organisation.to_lowercase().as_bytes());
        h.update([0]);
        h.update(r.email.as_deref().unwrap_or("").to_lowercase().as_bytes());
        let domain = self.from.email.domain();
        format!("<{}.bpfpress@{domain}>", hex(&h.finalize()[..16]))
    }

    fn text(&self, lang: Language) -> MailText {
        self.texts
            .iter()
            .find(|(l, _)| *l == lang)
            .map(|(_, t)| t.clone())
            .unwrap_or_else(|| MailText::default_for(lang))
    }

    /// Subject and text body for `r` (placeholders filled in one pass, so
    /// data that happens to contain `{url}` is not expanded again).
    pub fn render_text(&self, r: &Recipient) -> (String, String) {
        let t = self.text(r.language);
        let attachments = attachments_sentence(
            r.language,
            self.shared.iter().any(|a| a.role == Role::Report),
            self.shared.iter().any(|a| a.role == Role::Takeaways),
        );
        let value = |name: &str| -> Option<&str> {
            Some(match name {
                "salutation" => &r.salutation,
                "organisation" => &r.organisation,
                "contact_name" => r.display_name(),
                "bpf" => &self.info.bpf_name,
                "title" => &self.info.report_title,
                "url" => &self.info.report_url,
                "signatory" => &self.info.signatory_name,
                "role" => &self.info.signatory_role,
                "attachments" => &attachments,
                _ => return None,
            })
        };
        // A title quoted with “…” gets its own “…” as ‘…’ (never “a “b””),
        // and a title wrapped whole in quotes is not quoted twice.
        let title = unquoted(&self.info.report_title);
        let nested = title
            .replace('\u{201c}', "\u{2018}")
            .replace('\u{201d}', "\u{2019}");
        let value = |name: &str| -> Option<&str> {
            match name {
                "title" => Some(title),
                "title_in_quotes" => Some(&nested),
                _ => value(name),
            }
        };
        let fill = |s: &str| {
            fill_placeholders(
                &s.replace(
                    "\u{201c}{title}\u{201d}",
                    "\u{201c}{title_in_quotes}\u{201d}",
                ),
                &value,
            )
        };
        // a subject is one line whatever the data
        let subject = fill(&t.subject).replace(['\r', '\n'], " ");
        (subject, fill(&t.body))
    }

    /// Build the `.eml` bytes of one recipient around its letter PDF.
    pub fn build_eml(
        &self,
        r: &Recipient,
        letter_pdf: Vec<u8>,
    ) -> Result<(lettre::Message, Vec<u8>), EmlError> {
        let shared = self.encode_shared()?;
        self.build_eml_with(r, Arc::new(letter_pdf), &shared)
    }

    /// The shared attachments, transfer-encoded.
    fn encode_shared(&self) -> Result<Vec<EncodedAttachment>, MessageError> {
        self.shared.iter().map(Attachment::encode).collect()
    }

    fn build_eml_with(
        &self,
        r: &Recipient,
        letter_pdf: Arc<Vec<u8>>,
        shared: &[EncodedAttachment],
    ) -> Result<(lettre::Message, Vec<u8>), EmlError> {
        let email = r.email.as_deref().ok_or(EmlError::NoAddress)?;
        let addr: lettre::Address = email.parse().map_err(|e| EmlError::BadAddress {
            email: email.to_owned(),
            reason: format!("{e}"),
        })?;
        let to = Mailbox::new(Some(unquoted(r.display_name()).to_owned()), addr);
        let (subject, text) = self.render_text(r);
        let html = html_from_text(&text, &self.info.report_url, r.language);
        let letter = Attachment::pdf(MailText::letter_filename(r.language), letter_pdf).encode()?;
        let mut attachments = vec![&letter];
        attachments.extend(shared.iter());
        let id = self.message_id(r);
        let spec = MessageSpec {
            from: &self.from,
            reply_to: self.reply_to.as_ref(),
            to,
            subject: &subject,
            text: &text,
            html: Some(&html),
            attachments,
            message_id: &id,
            date: self.date.at_hour_utc(9),
        };
        Ok(message::build(&spec)?)
    }

    /// Produce letters and messages for every recipient, then deliver them
    /// if `opts.send` is set. Writes the manifest either way.
    ///
    /// The typesetting workers (`opts.threads`) hand each recipient's
    /// finished files to [`WRITERS`] writer threads through a queue of
    /// [`QUEUE`] recipients; see [`Writers`] for why.
    pub fn run(
        &self,
        recipients: &Recipients,
        maker: &dyn LetterMaker,
        opts: &RunOptions,
    ) -> Result<Manifest, CampaignError> {
        let out = &opts.out_dir;
        let files = OutputDir::new(out);
        let want_eml = opts.eml || opts.send.is_some();
        for d in [out.clone(), out.join("letters")]
            .into_iter()
            .chain(want_eml.then(|| out.join("mail")))
        {
            std::fs::create_dir_all(&d).map_err(|source| CampaignError::Io { path: d, source })?;
        }
        // Fail early (before any work) on a bad attachment type, a missing
        // password or a locked log.
        let shared = self.encode_shared().map_err(CampaignError::Attachment)?;
        let mut sending = match &opts.send {
            Some(s) => Some((Sender::new(s.clone(), opts.clock)?, SendLog::open(out)?)),
            None => None,
        };

        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(opts.threads)
            .stack_size(opts.stack_bytes)
            .thread_name(|i| format!("bpfpress-mail-{i}"))
            .build()
            .map_err(|e| CampaignError::Pool(e.to_string()))?;
        let bar = Tick::new(opts, recipients.list.len() as u64, "letters");
        let mut entries = Writers::run(&files, &bar, |queue| {
            pool.install(|| {
                recipients.list.par_iter().for_each(|r| {
                    queue.put(self.produce(r, maker, want_eml, &shared));
                })
            })
        })?;
        bar.finish();
        for s in &recipients.skipped {
            entries.push(ManifestEntry {
                row: s.row,
                stem: String::new(),
                organisation: s.organisation.clone(),
                contact_name: None,
                email: None,
                language: None,
                letter: None,
                eml: None,
                message_id: None,
                status: Status::Skipped,
                salutation: None,
                warnings: Vec::new(),
                reason: Some(
                    s.problems
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join("; "),
                ),
            });
        }
        entries.sort_by_key(|e| e.row);
        let mut manifest = Manifest {
            campaign: self.key.clone(),
            date: self.date,
            dry_run: opts.send.is_none(),
            recipients_file: recipients.source.clone(),
            entries,
            outputs: Vec::new(),
        };
        write_manifest(&files, &manifest)?;

        if let Some((sender, log)) = sending.as_mut() {
            let todo = manifest
                .entries
                .iter()
                .filter(|e| e.status == Status::Generated)
                .count();
            let bar = Tick::new(opts, todo as u64, "sending");
            for e in manifest
                .entries
                .iter_mut()
                .filter(|e| e.status == Status::Generated)
            {
                deliver_one(sender, log, out, &self.from.email, e, opts.resend_uncertain)?;
                bar.inc();
            }
            bar.finish();
            sender.close();
            write_manifest(&files, &manifest)?;
        }
        manifest.outputs = files.take_written();
        Ok(manifest)
    }

    /// Make one recipient's letter and message in memory (the writer
    /// threads put them on disk, [`Made::write`]).
    fn produce(
        &self,
        r: &Recipient,
        maker: &dyn LetterMaker,
        want_eml: bool,
        shared: &[EncodedAttachment],
    ) -> Made {
        let mut made = Made {
            entry: ManifestEntry {
                row: r.index,
                stem: r.stem.clone(),
                organisation: r.organisation.clone(),
                contact_name: r.contact_name.clone(),
                email: r.email.clone(),
                language: Some(r.language),
                letter: None,
                eml: None,
                message_id: want_eml.then(|| self.message_id(r)),
                status: Status::Failed,
                reason: None,
                salutation: Some(r.salutation.clone()),
                warnings: Vec::new(),
            },
            letter: None,
            eml: None,
        };
        let e = &mut made.entry;
        let letter = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| maker.letter(r)));
        let pdf = match letter {
            Ok(Ok(letter)) => {
                e.warnings = letter.warnings;
                Arc::new(letter.pdf)
            }
            Ok(Err(err)) => {
                e.reason = Some(format!("letter: {err}"));
                return made;
            }
            Err(_) => {
                e.reason = Some("letter: the letter maker panicked".into());
                return made;
            }
        };
        if want_eml {
            // A letter whose message cannot be made is still written (it
            // can go by post); the recipient fails with the reason.
            match self.build_eml_with(r, pdf.clone(), shared) {
                Ok((_, bytes)) => made.eml = Some(bytes),
                Err(err) => e.reason = Some(format!("message: {err}")),
            }
        }
        made.letter = Some(pdf);
        made
    }
}

/// One recipient's letter and message, made and not yet written.
struct Made {
    /// `status` stays `Failed` until the files are written, and for good
    /// if `reason` says what could not be made; `letter`/`eml` name only
    /// files on disk.
    entry: ManifestEntry,
    /// `None` when the letter (or the message) could not be made.
    letter: Option<Arc<Vec<u8>>>,
    eml: Option<Vec<u8>>,
}

impl Made {
    /// Write the letter, then the message (each atomically and durably,
    /// [`OutputDir::write`]), and only then record them in the entry.
    fn write(self, files: &OutputDir) -> ManifestEntry {
        let Made {
            mut entry,
            letter,
            eml,
        } = self;
        let Some(pdf) = letter else {
            return entry;
        };
        let rel = format!("letters/{}.pdf", entry.stem);
        if let Err(err) = files.write(&rel, &pdf) {
            entry.reason = Some(format!("{rel}: {}", err.source));
            return entry;
        }
        entry.letter = Some(rel);
        if let Some(bytes) = eml {
            let rel = format!("mail/{}.eml", entry.stem);
            if let Err(err) = files.write(&rel, &bytes) {
                entry.reason = Some(format!("{rel}: {}", err.source));
                return entry;
            }
            entry.eml = Some(rel);
        }
        if entry.reason.is_none() {
            entry.status = Status::Generated;
        }
        entry
    }
}

/// Writer threads of a campaign.
pub const WRITERS: usize = 4;

/// Recipients whose files may wait in memory for a writer (each holds a
/// message of about the report's size plus a third, base64).
pub const QUEUE: usize = 8;

/// The writer threads of a campaign run.
///
/// Every file is synced before the manifest lists it (`fsync`, then
/// rename). On a typical disk that wait is a millisecond or more per file,
/// 1000 files for 500 recipients, and the messages carry the report (about
/// 0.6 MB each). A typesetting worker that waited for it would leave its
/// core idle; more typesetting workers would overlap the waits but each
/// holds typst's memory (four went over the 300 MB budget). So the
/// workers only make the bytes and put them in a bounded queue ([`QUEUE`]
/// recipients: a full queue makes the workers wait, which bounds memory),
/// and [`WRITERS`] threads that hold no typesetting state take them out,
/// write, sync and rename, and fill in the manifest entry from the result.
/// Several writers rather than one, so that one file's sync does not hold
/// up the next (the file system commits concurrent syncs together): on the
/// shared 2-core machine, with two writers the typesetting workers still
/// waited 1.4–1.8 s (thread time, 500 recipients) for room in the queue,
/// with four 0.3–0.7 s; a writer costs a small stack and no memo. The
/// guarantees are those of [`OutputDir::write`]; the manifest is written
/// only after every writer has returned.
struct Writers;

/// The sending side of the writers' queue, for the typesetting workers.
struct Queue {
    tx: std::sync::mpsc::SyncSender<Made>,
    /// Entries the writers could not take (they stopped); reported as failed.
    lost: std::sync::Mutex<Vec<ManifestEntry>>,
}

impl Queue {
    /// Hand `made` to a writer, waiting while the queue is full.
    fn put(&self, made: Made) {
        if let Err(std::sync::mpsc::SendError(made)) = self.tx.send(made) {
            let mut e = made.entry;
            e.status = Status::Failed;
            e.letter = None;
            e.eml = None;
            e.reason = Some("not written: the writer threads stopped".into());
            self.lost.lock().unwrap_or_else(|p| p.into_inner()).push(e);
        }
    }
}

impl Writers {
    /// Start the writers, run `produce` (which puts every recipient in the
    /// queue), and return the entries once every file is written.
    fn run(
        files: &OutputDir,
        bar: &Tick<'_>,
        produce: impl FnOnce(&Queue),
    ) -> Result<Vec<ManifestEntry>, CampaignError> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Made>(QUEUE);
        // Each writer owns a handle on the receiver: if every writer is
        // gone (it cannot panic, but if it did) the receiver is dropped and
        // a waiting worker gets an error instead of waiting for ever.
        let rx = Arc::new(std::sync::Mutex::new(rx));
        std::thread::scope(|s| {
            let mut writers = Vec::with_capacity(WRITERS);
            for i in 0..WRITERS {
                let rx = Arc::clone(&rx);
                let spawned = std::thread::Builder::new()
                    .name(format!("bpfpress-write-{i}"))
                    .spawn_scoped(s, move || {
                        let mut done = Vec::new();
                        loop {
                            let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                            let Ok(made) = next else { break };
                            done.push(made.write(files));
                            bar.inc();
                        }
                        done
                    });
                match spawned {
                    Ok(h) => writers.push(h),
                    Err(e) if writers.is_empty() => {
                        return Err(CampaignError::Pool(format!("writer thread: {e}")));
                    }
                    Err(_) => break,
                }
            }
            drop(rx);
            let queue = Queue {
                tx,
                lost: std::sync::Mutex::new(Vec::new()),
            };
            produce(&queue);
            let Queue { tx, lost } = queue;
            drop(tx);
            let mut entries = lost.into_inner().unwrap_or_else(|p| p.into_inner());
            for h in writers {
                entries.extend(
                    h.join()
                        .map_err(|_| CampaignError::Pool("a writer thread panicked".into()))?,
                );
            }
            Ok(entries)
        })
    }
}

fn deliver_one(
    sender: &mut Sender,
    log: &mut SendLog,
    out: &Path,
    from: &lettre::Address,
    e: &mut ManifestEntry,
    resend_uncertain: bool,
) -> Result<(), CampaignError> {
    let (Some(rel), Some(id), Some(to)) = (&e.eml, &e.message_id, &e.email) else {
        return Ok(());
    };
    let path = out.join(rel);
    let bytes = std::fs::read(&path).map_err(|source| CampaignError::Io {
        path: path.clone(),
        source,
    })?;
    let envelope = to
        .parse::<lettre::Address>()
        .map_err(|err| format!("email {to:?}: {err}"))
        .and_then(|to| {
            lettre::address::Envelope::new(Some(from.clone()), vec![to])
                .map_err(|err| err.to_string())
        });
    let envelope = match envelope {
        Ok(env) => env,
        Err(reason) => {
            e.status = Status::Failed;
            e.reason = Some(reason);
            return Ok(());
        }
    };
    let outcome = sender.deliver(
        log,
        &Outgoing {
            message_id: id,
            stem: &e.stem,
            envelope,
            bytes: &bytes,
        },
        resend_uncertain,
    )?;
    (e.status, e.reason) = match outcome {
        Outcome::Sent => (Status::Sent, None),
        Outcome::AlreadySent(t) => (Status::Sent, Some(format!("sent in an earlier run ({t})"))),
        Outcome::Failed(r) => (Status::Failed, Some(r)),
        Outcome::Uncertain(r) => (Status::Uncertain, Some(r)),
    };
    Ok(())
}

fn progress_bar(enabled: bool, len: u64, what: &'static str) -> indicatif::ProgressBar {
    if !enabled || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{msg:>8} [{bar:30}] {pos}/{len} {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(what);
    bar
}

/// Where a run's progress goes besides the terminal's bar (a web page):
/// called with the stage (`letters`, `sending`), the count done and the
/// total, from any worker thread.
#[derive(Clone)]
pub struct ProgressSink(pub Arc<dyn Fn(&'static str, u64, u64) + Send + Sync>);

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ProgressSink")
    }
}

/// One stage's progress: the terminal bar and the sink, if any.
struct Tick<'a> {
    bar: indicatif::ProgressBar,
    sink: Option<&'a ProgressSink>,
    what: &'static str,
    total: u64,
    done: std::sync::atomic::AtomicU64,
}

impl<'a> Tick<'a> {
    fn new(opts: &'a RunOptions, total: u64, what: &'static str) -> Tick<'a> {
        if let Some(s) = &opts.sink {
            (s.0)(what, 0, total);
        }
        Tick {
            bar: progress_bar(opts.progress, total, what),
            sink: opts.sink.as_ref(),
            what,
            total,
            done: std::sync::atomic::AtomicU64::new(0),
        }
    }

    fn inc(&self) {
        self.bar.inc(1);
        let n = self.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
        if let Some(s) = self.sink {
            (s.0)(self.what, n, self.total);
        }
    }

    fn finish(self) {
        self.bar.finish_and_clear();
    }
}

/// The sentence of a mail that names its attachments (placeholder
/// `{attachments}`): the cover letter always, the report and the takeaways
/// sheet only when they are attached — a mail never announces a file it
/// does not carry.
pub fn attachments_sentence(lang: Language, report: bool, takeaways: bool) -> String {
    let s = match (lang, report, takeaways) {
        (Language::En, true, true) => {
            "Attached are a cover letter, the report and a summary of its key takeaways."
        }
        (Language::En, true, false) => "Attached are a cover letter and the report.",
        (Language::En, false, true) => {
            "Attached are a cover letter and a summary of the report\u{2019}s key takeaways."
        }
        (Language::En, false, false) => "Attached is a cover letter.",
        (Language::Fr, true, true) => {
            "Vous trouverez ci-joint une lettre d\u{2019}accompagnement, le rapport et une \
             synthèse de ses principaux enseignements."
        }
        (Language::Fr, true, false) => {
            "Vous trouverez ci-joint une lettre d\u{2019}accompagnement et le rapport."
        }
        (Language::Fr, false, true) => {
            "Vous trouverez ci-joint une lettre d\u{2019}accompagnement et une synthèse des \
             principaux enseignements du rapport."
        }
        (Language::Fr, false, false) => {
            "Vous trouverez ci-joint une lettre d\u{2019}accompagnement."
        }
        (Language::Es, true, true) => {
            "Adjuntamos una carta de presentación, el informe y un resumen de sus principales \
             conclusiones."
        }
        (Language::Es, true, false) => "Adjuntamos una carta de presentación y el informe.",
        (Language::Es, false, true) => {
            "Adjuntamos una carta de presentación y un resumen de las principales conclusiones \
             del informe."
        }
        (Language::Es, false, false) => "Adjuntamos una carta de presentación.",
        (Language::Ru, true, true) => {
            "К настоящему письму прилагаются сопроводительное письмо, доклад и резюме его \
             основных выводов."
        }
        (Language::Ru, true, false) => {
            "К настоящему письму прилагаются сопроводительное письмо и доклад."
        }
        (Language::Ru, false, true) => {
            "К настоящему письму прилагаются сопроводительное письмо и резюме основных \
             выводов доклада."
        }
        (Language::Ru, false, false) => "К настоящему письму прилагается сопроводительное письмо.",
        (Language::Zh, true, true) => "随函附上说明函、报告及其主要结论摘要。",
        (Language::Zh, true, false) => "随函附上说明函及报告。",
        (Language::Zh, false, true) => "随函附上说明函及报告主要结论摘要。",
        (Language::Zh, false, false) => "随函附上说明函。",
        (Language::Ar, true, true) => "مرفق طيه خطاب تغطية والتقرير وملخص لأبرز استنتاجاته.",
        (Language::Ar, true, false) => "مرفق طيه خطاب تغطية والتقرير.",
        (Language::Ar, false, true) => "مرفق طيه خطاب تغطية وملخص لأبرز استنتاجات التقرير.",
        (Language::Ar, false, false) => "مرفق طيه خطاب تغطية.",
    };
    s.to_owned()
}

/// `s` without quotation marks wrapped around the whole of it (`"Jane
/// Doe"`, `“Title”`, `« Titre »`), so that a header or a quoting text
/// never shows them doubled.
pub fn unquoted(s: &str) -> &str {
    let t = s.trim();
    for (open, close) in [
        ('"', '"'),
        ('\'', '\''),
        ('\u{201c}', '\u{201d}'),
        ('\u{2018}', '\u{2019}'),
        ('\u{ab}', '\u{bb}'),
    ] {
        if let Some(inner) = t.strip_prefix(open).and_then(|x| x.strip_suffix(close))
            && !inner.contains([open, close])
        {
            return inner.trim();
        }
    }
    t
}

/// Placeholders of [`MailText`].
pub const PLACEHOLDERS: &[&str] = &[
    "attachments",
    "salutation",
    "organisation",
    "contact_name",
    "bpf",
    "title",
    "url",
    "signatory",
    "role",
];

/// Replace `{name}` by `value(name)`; unknown names stay as written.
fn fill_placeholders<'a>(s: &str, value: &dyn Fn(&str) -> Option<&'a str>) -> String {
    let mut out = String::with_capacity(s.len() + 64);
    let mut rest = s;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| Some((close, value(&after[..close])?)))
        {
            Some((close, v)) => {
                out.push_str(v);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// HTML alternative of the text body: paragraphs, line breaks, the URL as
/// a link; everything escaped.
pub fn html_from_text(text: &str, url: &str, lang: Language) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut body = String::new();
    for para in text.split("\n\n").filter(|p| !p.trim().is_empty()) {
        let lines: Vec<String> = para
            .lines()
            .map(|l| {
                if !url.is_empty() && l.trim() == url {
                    format!("<a href=\"{}\">{}</a>", esc(url), esc(url))
                } else {
                    esc(l)
                }
            })
            .collect();
        body.push_str("<p>");
        body.push_str(&lines.join("<br>\n"));
        body.push_str("</p>\n");
    }
    // An Arabic mail reads right to left.
    let dir = if lang.is_rtl() { " dir=\"rtl\"" } else { "" };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"{dir}>\n<head><meta charset=\"utf-8\"></head>\n<body>\n{body}</body>\n</html>\n",
        lang.code()
    )
}

/// A CSV cell as a spreadsheet program will not run it: a cell that
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return would be read
/// as a formula (an organisation named `=HYPERLINK(…)`), so it gets a
/// leading `'` (OWASP, "CSV Injection"). Quoting of `"` and separators is
/// the CSV writer's. `mailing.json` keeps the data as it is.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Write `mailing.json` and `mailing.csv` (cells made safe for
/// spreadsheets, [`spreadsheet_safe`]) atomically into `files`.
pub fn write_manifest(files: &OutputDir, m: &Manifest) -> Result<(), CampaignError> {
    let io = |path: PathBuf| move |source| CampaignError::Io { path, source };
    let json = serde_json::to_vec_pretty(m)
        .map_err(|e| io(files.path("mailing.json"))(std::io::Error::other(e)))?;
    files.write("mailing.json", &json)?;

    let mut w = csv::Writer::from_writer(Vec::new());
    let res = (|| -> csv::Result<()> {
        w.write_record([
            "row",
            "stem",
            "organisation",
            "contact_name",
            "email",
            "language",
            "letter",
            "eml",
            "message_id",
            "status",
            "reason",
            "salutation",
            "warnings",
        ])?;
        for e in &m.entries {
            let row = e.row.to_string();
            let warnings = e.warnings.join("; ");
            let cells = [
                row.as_str(),
                &e.stem,
                &e.organisation,
                e.contact_name.as_deref().unwrap_or(""),
                e.email.as_deref().unwrap_or(""),
                e.language.map(|l| l.code()).unwrap_or(""),
                e.letter.as_deref().unwrap_or(""),
                e.eml.as_deref().unwrap_or(""),
                e.message_id.as_deref().unwrap_or(""),
                e.status.as_str(),
                e.reason.as_deref().unwrap_or(""),
                e.salutation.as_deref().unwrap_or(""),
                &warnings,
            ];
            w.write_record(cells.iter().map(|c| spreadsheet_safe(c).into_owned()))?;
        }
        Ok(())
    })();
    let bytes = res
        .map_err(std::io::Error::other)
        .and_then(|()| {
            w.into_inner()
                .map_err(|e| std::io::Error::other(e.to_string()))
        })
        .map_err(io(files.path("mailing.csv")))?;
    files.write("mailing.csv", &bytes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_once_and_texts_parse() {
        let v = |n: &str| match n {
            "url" => Some("https://x.example/{title}"),
            "title" => Some("T"),
            _ => None,
        };
        assert_eq!(
            fill_placeholders("{title} at {url} {unknown} {", &v),
            "T at https://x.example/{title} {unknown} {"
        );
        let t = MailText::parse("Subject: {title}\r\n\r\n{salutation}\r\nText {url}\r\n").unwrap();
        assert_eq!(t.subject, "{title}");
        assert_eq!(t.body, "{salutation}\nText {url}\n");
        let e = MailText::parse("Subject: x\n\nHello\nSee {titel}\n")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("line 4: unknown placeholder {titel}"), "{e}");
        assert!(MailText::parse("Hello\n\nbody").is_err());
        assert!(MailText::parse("Subject: x\n\n  \n").is_err());
        for lang in Language::ALL {
            let d = MailText::default_for(lang);
            let text = format!("Subject: {}\n\n{}", d.subject, d.body);
            let p = MailText::parse(&text).unwrap();
            assert_eq!((p.subject, p.body), (d.subject, d.body));
        }
    }

    #[test]
    fn csv_cells_never_start_a_formula() {
        for evil in [
            "=HYPERLINK(\"http://x.example\",\"click\")",
            "+1+1",
            "-2+3",
            "@SUM(A1:A2)",
            "\t=1",
            "\r=1",
        ] {
            let safe = spreadsheet_safe(evil);
            assert!(safe.starts_with('\''), "{safe}");
            assert_eq!(&safe[1..], evil);
        }
        assert_eq!(spreadsheet_safe("UNESCO"), "UNESCO");
        assert_eq!(spreadsheet_safe(""), "");
        assert_eq!(spreadsheet_safe("a=b"), "a=b");
    }

    #[test]
    fn quotes_are_never_doubled() {
        assert_eq!(unquoted("\"Jane Doe\""), "Jane Doe");
        assert_eq!(unquoted("“Title”"), "Title");
        assert_eq!(unquoted("« Titre »"), "Titre");
        assert_eq!(unquoted("a “b” c"), "a “b” c");
        assert_eq!(unquoted("“a” and “b”"), "“a” and “b”");
        assert_eq!(
            unquoted("The \"Digital\" Ministry"),
            "The \"Digital\" Ministry"
        );
    }

    #[test]
    fn html_escapes_and_links() {
        let h = html_from_text(
            "Dear <Org> & co,\n\nSee:\nhttps://x.example/?a=1&b=2\n",
            "https://x.example/?a=1&b=2",
            Language::Fr,
        );
        assert!(h.contains("Dear &lt;Org&gt; &amp; co,"));
        assert!(h.contains("<a href=\"https://x.example/?a=1&amp;b=2\">"));
        assert!(h.contains("lang=\"fr\">"));
        assert!(html_from_text("x", "", Language::Ar).contains("<html lang=\"ar\" dir=\"rtl\">"));
    }
}
