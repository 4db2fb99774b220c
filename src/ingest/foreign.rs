//! Files that are not drafts bpfpress reads, named for what they are.
//!
//! Takes the bytes of a file that is not DOCX, PDF or Markdown/plain text
//! (or only looks like text); gives an [`IngestErrorKind`] that says what
//! the file is and what to do, so a consultant who picked the wrong file —
//! a Word 97–2003 `.doc`, an RTF, a Word XML export, a spreadsheet, a scan —
//! learns the real cause instead of "password-protected" or a Markdown
//! reading of markup.
//!
//! - **OLE compound files** (`D0 CF 11 E0`): the names of the streams at the
//!   root tell an encrypted Office package (`EncryptionInfo` and
//!   `EncryptedPackage`) from a legacy Word, Excel or PowerPoint file or an
//!   Outlook message ([`ole`], read with the `cfb` crate).
//! - **Text that is markup**: RTF (`{\rtf`), XML (by its root element:
//!   Word 2003 XML, flat OPC, flat OpenDocument) and HTML pages
//!   ([`markup`]).
//! - **Images** by their magic bytes ([`image`]).
//! - **Zip packages that are not Word documents** by the parts they hold
//!   ([`zip_kind`]).

use super::IngestErrorKind;
use std::io::Cursor;

/// Advice for a document in an older or foreign word-processing format.
const SAVE_AS_DOCX: &str = "open it in Word or LibreOffice and save it as a Word document \
     (.docx; in Word: File › Save As › Word Document), then try again";

fn refuse(what: &str, advice: &str) -> IngestErrorKind {
    IngestErrorKind::Unsupported(format!(
        "is {what}, which bpfpress does not read (it reads .docx, PDF and Markdown): {advice}"
    ))
}

/// What an OLE compound file is, as the error to report.
pub fn ole(bytes: &[u8]) -> IngestErrorKind {
    let names: Vec<String> = match cfb::CompoundFile::open(Cursor::new(bytes)) {
        Ok(f) => f
            .read_root_storage()
            .map(|e| e.name().to_string())
            .collect(),
        Err(e) => {
            return IngestErrorKind::Corrupt {
                place: Some("OLE container".into()),
                reason: format!(
                    "is an Office compound file (a legacy .doc/.xls/.ppt or a password-protected \
                     document) that cannot be read ({e}); the file is damaged. Re-save or \
                     re-download it"
                ),
            };
        }
    };
    let has = |n: &str| names.iter().any(|x| x.eq_ignore_ascii_case(n));
    if has("EncryptionInfo") && has("EncryptedPackage") {
        return IngestErrorKind::Encrypted(
            "the document is encrypted with a password. Open it in Word, remove the password \
             (File › Info › Protect Document › Encrypt with Password, clear the box) and save \
             it again, then try again"
                .into(),
        );
    }
    if has("WordDocument") {
        return refuse(
            "a Word 97–2003 document (.doc), an older format",
            SAVE_AS_DOCX,
        );
    }
    if has("Workbook") || has("Book") {
        return refuse(
            "an Excel 97–2003 workbook (.xls), not a report draft",
            "check that you picked the right file; a report draft is a Word document, a PDF or \
             a Markdown file",
        );
    }
    if has("PowerPoint Document") {
        return refuse(
            "a PowerPoint 97–2003 presentation (.ppt), not a report draft",
            "export it as PDF (File › Save As › PDF) if it is the report, or pick the draft itself",
        );
    }
    if names.iter().any(|n| n.starts_with("__substg1.0_")) || has("__properties_version1.0") {
        return refuse(
            "an Outlook message (.msg)",
            "save the draft attached to it (in Outlook: right-click the attachment › Save As) \
             and give bpfpress that file",
        );
    }
    refuse(
        "a Microsoft compound file of an older Office format",
        "open it in the program that made it and save it as .docx or PDF",
    )
}

/// The error for text that is markup, not Markdown: RTF, XML or an HTML
/// page. `head` is the start of the file, decoded.
pub fn markup(head: &str) -> Option<IngestErrorKind> {
    let t = head.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with("{\\rtf") {
        return Some(refuse("an RTF (Rich Text Format) file", SAVE_AS_DOCX));
    }
    let lower: String = t.chars().take(64).collect::<String>().to_ascii_lowercase();
    if lower.starts_with("<!doctype html") || lower.starts_with("<html") {
        return Some(refuse(
            "a web page (HTML)",
            "open it in Word and save it as .docx, or print it to PDF from a browser",
        ));
    }
    if !t.starts_with("<?xml") {
        return None;
    }
    let root = root_element(t).unwrap_or_default();
    let local = root.rsplit(':').next().unwrap_or(&root);
    Some(match local {
        "wordDocument" => refuse("a Word 2003 XML document", SAVE_AS_DOCX),
        "package" => refuse("a Word XML document (flat OPC)", SAVE_AS_DOCX),
        "document" if root.starts_with("office:") => {
            refuse("an OpenDocument flat XML file (.fodt)", SAVE_AS_DOCX)
        }
        "html" => refuse(
            "a web page (XHTML)",
            "open it in Word and save it as .docx, or print it to PDF from a browser",
        ),
        "" => refuse(
            "an XML file",
            "give bpfpress the draft as .docx, PDF or Markdown",
        ),
        _ => refuse(
            &format!("an XML file (root element <{root}>), not a report draft"),
            "give bpfpress the draft as .docx, PDF or Markdown",
        ),
    })
}

/// The name of the first element after the XML prolog (declaration,
/// comments, processing instructions, DOCTYPE).
fn root_element(t: &str) -> Option<String> {
    let mut rest = t;
    loop {
        let i = rest.find('<')?;
        rest = &rest[i..];
        if rest.starts_with("<?") {
            rest = &rest[rest.find("?>")? + 2..];
        } else if rest.starts_with("<!--") {
            rest = &rest[rest.find("-->")? + 3..];
        } else if rest.starts_with("<!") {
            rest = &rest[rest.find('>')? + 1..];
        } else {
            let name: String = rest[1..]
                .chars()
                .take_while(|c| !c.is_whitespace() && *c != '>' && *c != '/')
                .collect();
            return (!name.is_empty()).then_some(name);
        }
    }
}

/// The error for an image file, by its magic bytes.
pub fn image(bytes: &[u8]) -> Option<IngestErrorKind> {
    let kind = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "PNG"
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        "JPEG"
    } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
        "GIF"
    } else if bytes.starts_with(b"II*\0") || bytes.starts_with(b"MM\0*") {
        "TIFF"
    } else {
        return None;
    };
    Some(refuse(
        &format!("an image ({kind}), not a text document"),
        "if it is a scan of the report, make a searchable PDF with OCR (e.g. `ocrmypdf`) or \
         ask the editors for the Word file",
    ))
}

/// The error for a zip package without a Word main document, by the parts
/// it holds (`names`) and its `mimetype` entry, if any.
pub fn zip_kind(names: &[&str], mimetype: Option<&str>) -> IngestErrorKind {
    let has = |n: &str| names.contains(&n);
    let mime = mimetype.unwrap_or("").trim();
    if mime.starts_with("application/vnd.oasis.opendocument.text") {
        return refuse("an OpenDocument text (.odt)", SAVE_AS_DOCX);
    }
    if mime.starts_with("application/vnd.oasis.opendocument") {
        return refuse(
            "an OpenDocument file that is not a text (a spreadsheet or presentation)",
            "pick the report draft itself (.docx, PDF or Markdown)",
        );
    }
    if mime == "application/epub+zip" {
        return refuse(
            "an EPUB e-book",
            "give bpfpress the report as .docx, PDF or Markdown",
        );
    }
    if has("xl/workbook.xml") {
        return refuse(
            "an Excel workbook (.xlsx), not a report draft",
            "check that you picked the right file; a report draft is a Word document, a PDF or \
             a Markdown file",
        );
    }
    if has("ppt/presentation.xml") {
        return refuse(
            "a PowerPoint presentation (.pptx), not a report draft",
            "export it as PDF (File › Save As › PDF) if it is the report, or pick the draft itself",
        );
    }
    IngestErrorKind::UnknownFormat(
        "a zip archive without word/document.xml, so not a Word (.docx) document; if it holds \
         the draft, unpack it and give bpfpress the .docx inside"
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(e: Option<IngestErrorKind>) -> String {
        e.map(|e| e.to_string()).unwrap_or_default()
    }

    #[test]
    fn markup_is_named() {
        assert!(msg(markup("{\\rtf1\\ansi hello}")).contains("RTF"));
        assert!(msg(markup("<!DOCTYPE html>\n<html><body>x")).contains("web page"));
        let w2003 = "<?xml version=\"1.0\"?>\n<?mso-application progid=\"Word.Document\"?>\n<w:wordDocument xmlns:w=\"x\">";
        assert!(msg(markup(w2003)).contains("Word 2003 XML"));
        let flat = "<?xml version=\"1.0\"?><!-- c --><pkg:package xmlns:pkg=\"x\">";
        assert!(msg(markup(flat)).contains("flat OPC"));
        assert!(msg(markup("<?xml version=\"1.0\"?><office:document>")).contains(".fodt"));
        assert!(msg(markup("<?xml version=\"1.0\"?><svg>")).contains("<svg>"));
        // Markdown that starts with HTML or a comment is still Markdown.
        assert!(markup("<!-- draft -->\n# Title").is_none());
        assert!(markup("<div align=center>\n\n# Title").is_none());
        assert!(markup("# Title\n\n{\\rtf}").is_none());
    }

    #[test]
    fn images_and_zips_are_named() {
        assert!(msg(image(b"\x89PNG\r\n\x1a\n....")).contains("PNG"));
        assert!(image(b"%PDF-1.7").is_none());
        let odt = zip_kind(
            &["mimetype", "content.xml"],
            Some("application/vnd.oasis.opendocument.text"),
        );
        assert!(odt.to_string().contains(".odt"), "{odt}");
        assert!(
            zip_kind(&["xl/workbook.xml"], None)
                .to_string()
                .contains("Excel")
        );
        assert!(
            zip_kind(&["a.txt"], None)
                .to_string()
                .contains("word/document.xml")
        );
    }
}
