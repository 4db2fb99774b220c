//! PDF metadata: the Info dictionary and the XMP packet of the catalog, into
//! [`Metadata`] fields. XMP wins where both give a value, as PDF 2.0 asks.

use crate::model::Metadata;
use lopdf::Document;
use quick_xml::events::Event;

/// Largest XMP packet read.
const MAX_XMP: usize = 4 << 20;

pub fn read(doc: &Document, meta: &mut Metadata) {
    info(doc, meta);
    if let Some(x) = xmp_packet(doc) {
        xmp(&x, meta);
    }
}

fn text(doc: &Document, d: &lopdf::Dictionary, key: &[u8]) -> Option<String> {
    let o = d.get_deref(key, doc).ok()?;
    let s = lopdf::decode_text_string(o).ok()?;
    let s = s.trim().trim_matches('\0').trim().to_string();
    (!s.is_empty()).then_some(s)
}

fn info(doc: &Document, meta: &mut Metadata) {
    let Some(d) = doc
        .trailer
        .get_deref(b"Info", doc)
        .ok()
        .and_then(|o| o.as_dict().ok())
    else {
        return;
    };
    meta.title = text(doc, d, b"Title").filter(|t| !placeholder_title(t));
    if let Some(a) = text(doc, d, b"Author") {
        meta.authors = split_names(&a);
    }
    if let Some(s) = text(doc, d, b"Subject") {
        meta.subtitle = Some(s);
    }
    if let Some(k) = text(doc, d, b"Keywords") {
        meta.keywords = k
            .split([',', ';'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    }
    if let Some(c) = text(doc, d, b"CreationDate") {
        meta.date = iso_date(&c);
    }
}

/// A title a program filled in rather than the author: a file name
/// ("Microsoft Word - draft.docx", "report.pdf") or a default ("Untitled",
/// "Document1"). The draft's own title page is read instead.
fn placeholder_title(t: &str) -> bool {
    let l = t.trim().to_lowercase();
    let file = [
        ".docx", ".doc", ".odt", ".rtf", ".pdf", ".txt", ".md", ".pages",
    ]
    .iter()
    .any(|x| l.ends_with(x));
    let default = l == "untitled"
        || l.starts_with("microsoft word - ")
        || l.strip_prefix("document")
            .is_some_and(|n| n.trim().chars().all(|c| c.is_ascii_digit()));
    file || default
}

/// "A; B" or "A, B" → ["A", "B"]. A lone "Surname, Given" stays whole when
/// it has no other separator and both halves are single words.
pub fn split_names(s: &str) -> Vec<String> {
    let parts: Vec<String> = if s.contains(';') {
        s.split(';').map(str::to_string).collect()
    } else if s.contains(',') {
        let p: Vec<&str> = s.split(',').collect();
        if p.len() == 2 && p.iter().all(|x| x.split_whitespace().count() == 1) {
            vec![s.to_string()]
        } else {
            p.into_iter().map(str::to_string).collect()
        }
    } else {
        vec![s.to_string()]
    };
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// PDF date `D:YYYYMMDDHHmmSS...` or ISO `YYYY-MM-DD...` → `YYYY-MM-DD` (or `YYYY-MM`, `YYYY`).
pub fn iso_date(s: &str) -> Option<String> {
    let s = s.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let (y, m, d) = if digits.len() >= 4 && !s[digits.len()..].starts_with('-') {
        (digits.get(0..4), digits.get(4..6), digits.get(6..8))
    } else {
        let mut it = s.split(|c: char| !c.is_ascii_digit());
        (it.next(), it.next(), it.next())
    };
    let y = y.filter(|y| y.len() == 4)?;
    fn ok(v: Option<&str>, hi: u32) -> Option<&str> {
        v.filter(|v| v.len() == 2)
            .filter(|v| v.parse::<u32>().is_ok_and(|n| (1..=hi).contains(&n)))
    }
    match (ok(m, 12), ok(d, 31)) {
        (Some(m), Some(d)) => Some(format!("{y}-{m}-{d}")),
        (Some(m), None) => Some(format!("{y}-{m}")),
        _ => Some(y.to_string()),
    }
}

fn xmp_packet(doc: &Document) -> Option<String> {
    let cat = doc.catalog().ok()?;
    let s = cat.get_deref(b"Metadata", doc).ok()?.as_stream().ok()?;
    let bytes = if s.dict.get(b"Filter").is_ok() {
        s.decompressed_content_with_limit(MAX_XMP).ok()?
    } else {
        s.content.clone()
    };
    if bytes.len() > MAX_XMP {
        return None;
    }
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// Pull dc:title, dc:creator, dc:language, dc:description and xmp:CreateDate
/// out of an XMP packet (element or attribute form).
fn xmp(x: &str, meta: &mut Metadata) {
    let mut r = quick_xml::Reader::from_str(x);
    let mut path: Vec<String> = Vec::new();
    let mut title = None;
    let mut creators = Vec::new();
    let mut language = None;
    let mut date = None;
    let mut cur = String::new();
    let mut steps = 0usize;
    loop {
        steps += 1;
        if steps > 200_000 || path.len() > 64 {
            break;
        }
        match r.read_event() {
            Ok(Event::Start(e)) => {
                let name = e.name().as_ref().to_string();
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == "xmp:CreateDate" {
                        date = Some(a.value.to_string());
                    }
                }
                path.push(name);
                cur.clear();
            }
            Ok(Event::Empty(e)) => {
                for a in e.attributes().flatten() {
                    if a.key.as_ref() == "xmp:CreateDate" {
                        date = Some(a.value.to_string());
                    }
                }
            }
            Ok(Event::Text(t)) => cur.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(g)) => {
                if let Ok(Some(c)) = g.resolve_char_ref() {
                    cur.push(c);
                } else {
                    match g.as_ref() {
                        "amp" => cur.push('&'),
                        "lt" => cur.push('<'),
                        "gt" => cur.push('>'),
                        "quot" => cur.push('"'),
                        "apos" => cur.push('\''),
                        _ => {}
                    }
                }
            }
            Ok(Event::End(_)) => {
                let t = cur.trim().to_string();
                let within = |n: &str| path.iter().any(|p| p == n);
                let leaf = path.last().map(String::as_str).unwrap_or("");
                if !t.is_empty() {
                    if leaf == "rdf:li" && within("dc:title") && title.is_none() {
                        title = Some(t.clone());
                    } else if leaf == "rdf:li" && within("dc:creator") {
                        creators.push(t.clone());
                    } else if (leaf == "rdf:li" || leaf == "dc:language") && within("dc:language") {
                        language.get_or_insert(t.clone());
                    } else if leaf == "xmp:CreateDate" {
                        date = Some(t.clone());
                    }
                }
                cur.clear();
                path.pop();
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    if let Some(t) = title.filter(|t| !placeholder_title(t)) {
        meta.title = Some(t);
    }
    if !creators.is_empty() {
        meta.authors = creators.iter().flat_map(|c| split_names(c)).collect();
    }
    if let Some(l) = language {
        meta.language = Some(l);
    }
    if let Some(d) = date.and_then(|d| iso_date(&d)) {
        meta.date = Some(d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_titles() {
        for t in [
            "Microsoft Word - draft v3.docx",
            "report.pdf",
            "Untitled",
            "Document1",
            "document",
        ] {
            assert!(placeholder_title(t), "{t}");
        }
        for t in [
            "BPF Cybersecurity 2026",
            "Documenting practice",
            "The PDF question",
        ] {
            assert!(!placeholder_title(t), "{t}");
        }
    }

    #[test]
    fn dates_and_names() {
        assert_eq!(
            iso_date("D:20201120093000+01'00'").as_deref(),
            Some("2020-11-20")
        );
        assert_eq!(
            iso_date("2020-09-01T10:00:00Z").as_deref(),
            Some("2020-09-01")
        );
        assert_eq!(iso_date("D:202009").as_deref(), Some("2020-09"));
        assert_eq!(iso_date("yesterday"), None);
        assert_eq!(
            split_names("Markus Kummer; Wim Degezelle"),
            ["Markus Kummer", "Wim Degezelle"]
        );
        assert_eq!(split_names("A Person, B Person"), ["A Person", "B Person"]);
        assert_eq!(split_names("Kummer, Markus"), ["Kummer, Markus"]);
    }

    #[test]
    fn xmp_fields() {
        let x = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
        <rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2020-09-15T10:00:00Z">
        <dc:title><rdf:Alt><rdf:li xml:lang="x-default">BPF &amp; more</rdf:li></rdf:Alt></dc:title>
        <dc:creator><rdf:Seq><rdf:li>Markus Kummer</rdf:li><rdf:li>Wim Degezelle</rdf:li></rdf:Seq></dc:creator>
        <dc:language><rdf:Bag><rdf:li>en-GB</rdf:li></rdf:Bag></dc:language>
        </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let mut m = Metadata::default();
        xmp(x, &mut m);
        assert_eq!(m.title.as_deref(), Some("BPF & more"));
        assert_eq!(m.authors, ["Markus Kummer", "Wim Degezelle"]);
        assert_eq!(m.language.as_deref(), Some("en-GB"));
        assert_eq!(m.date.as_deref(), Some("2020-09-15"));
    }
}
