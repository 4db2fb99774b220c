//! Small XML helpers for editing parts in place: escaping, attribute and
//! namespace look-ups, and splicing edits into the original text.

use super::AnnotateErrorKind;
use quick_xml::events::BytesStart;
use std::ops::Range;

/// Whether `c` may appear in an XML 1.0 document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `s` as XML text (or attribute value in double quotes): markup
/// characters escaped, characters XML cannot hold left out.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// The value of the attribute with this local name (any prefix), with
/// entity and character references resolved.
pub fn attr(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        (a.key.local_name().as_ref() == local)
            .then(|| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .flatten()
    })
}

/// How to write elements and attributes of one namespace into a part: a
/// prefix the part's root binds to it, or (when it binds none) a prefix
/// declared on each element written.
#[derive(Debug, Clone)]
pub struct Ns {
    pub prefix: String,
    /// ` xmlns:p="uri"` for each top element written, or empty.
    pub decl: String,
}

impl Ns {
    /// The namespace `uri` as the root element `root` binds it; `fallback`
    /// is the prefix declared locally when it does not (attributes need a
    /// prefix, so a default-namespace binding does not count).
    pub fn of(root: &BytesStart<'_>, uri: &str, fallback: &str) -> Ns {
        for a in root.attributes().flatten() {
            let key = a.key.as_ref();
            if let Some(p) = key.strip_prefix("xmlns:")
                && a.value.as_ref() == uri
            {
                return Ns {
                    prefix: p.to_string(),
                    decl: String::new(),
                };
            }
        }
        Ns::declared(uri, fallback)
    }

    /// A prefix declared on every element written.
    pub fn declared(uri: &str, prefix: &str) -> Ns {
        Ns {
            prefix: prefix.to_string(),
            decl: format!(" xmlns:{prefix}=\"{}\"", escape(uri)),
        }
    }

    /// `prefix:local`.
    pub fn q(&self, local: &str) -> String {
        format!("{}:{local}", self.prefix)
    }
}

/// The namespace URI the root element's own name is in.
pub fn root_namespace(root: &BytesStart<'_>) -> Option<String> {
    let name = root.name();
    let want = match name.prefix() {
        Some(p) => format!("xmlns:{}", p.as_ref()),
        None => "xmlns".to_string(),
    };
    root.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == want)
        .map(|a| a.value.into_owned())
}

/// Text changes to one part: each replaces a byte range of the original
/// (empty for a pure insertion) with new text.
#[derive(Debug, Default)]
pub struct Edits(Vec<(Range<usize>, String)>);

impl Edits {
    pub fn insert(&mut self, at: usize, text: String) {
        self.0.push((at..at, text));
    }

    pub fn replace(&mut self, range: Range<usize>, text: String) {
        self.0.push((range, text));
    }

    pub fn delete(&mut self, range: Range<usize>) {
        self.0.push((range, String::new()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The text with the edits applied. Insertions at one position keep
    /// the order they were added in; a deletion is never overlapped by
    /// another edit (the scanners only delete whole elements).
    pub fn apply(mut self, text: &str) -> String {
        // Stable: by start, insertions (empty ranges) before a deletion
        // starting at the same place.
        self.0.sort_by_key(|(r, _)| (r.start, r.end));
        let extra: usize = self.0.iter().map(|(_, t)| t.len()).sum();
        let mut out = String::with_capacity(text.len() + extra);
        let mut at = 0;
        for (r, t) in self.0 {
            let start = r.start.max(at);
            out.push_str(&text[at..start]);
            out.push_str(&t);
            at = r.end.max(start);
        }
        out.push_str(&text[at..]);
        out
    }
}

/// `part line N` for a byte offset.
pub fn place(part: &str, text: &str, offset: usize) -> String {
    crate::ingest::docx::package::place(part, text, offset)
}

/// A quick-xml error as a damaged-part error with its line.
pub fn error(
    part: &str,
    text: &str,
    r: &quick_xml::Reader<&[u8]>,
    pos: usize,
    e: &quick_xml::Error,
) -> AnnotateErrorKind {
    let at = (r.error_position() as usize).max(pos);
    AnnotateErrorKind::corrupt(place(part, text, at), format!("malformed XML ({e})"))
}

/// The start tag `raw` (`<a …>` or `<a …/>`) without the attribute whose
/// local name is `local`; other attributes keep their written values.
pub fn without_attr(e: &BytesStart<'_>, local: &str, empty: bool) -> String {
    let mut s = format!("<{}", e.name().as_ref());
    for a in e.attributes().with_checks(false).flatten() {
        if a.key.local_name().as_ref() == local {
            continue;
        }
        let value = a.value.replace('"', "&quot;");
        s.push_str(&format!(" {}=\"{value}\"", a.key.as_ref()));
    }
    s.push_str(if empty { "/>" } else { ">" });
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_insert_and_delete_in_order() {
        let mut e = Edits::default();
        e.insert(3, "X".into());
        e.delete(3..5);
        e.insert(3, "Y".into());
        e.insert(7, "Z".into());
        assert_eq!(e.apply("abcdefgh"), "abcXYfgZh");
    }

    #[test]
    fn escape_drops_what_xml_cannot_hold() {
        assert_eq!(
            escape("a<b & \"c\"\u{1}\u{FFFF}"),
            "a&lt;b &amp; &quot;c&quot;"
        );
    }

    #[test]
    fn namespaces_from_the_root() {
        let root = BytesStart::from_content(
            r#"w:document xmlns:w="urn:w" xmlns="urn:d" xmlns:x="urn:w""#,
            10,
        );
        assert_eq!(root_namespace(&root).as_deref(), Some("urn:w"));
        let ns = Ns::of(&root, "urn:w", "w");
        assert_eq!((ns.prefix.as_str(), ns.decl.as_str()), ("w", ""));
        let ns = Ns::of(&root, "urn:d", "d");
        assert_eq!(ns.decl, r#" xmlns:d="urn:d""#);
        let root = BytesStart::from_content(r#"comments xmlns="urn:w""#, 8);
        assert_eq!(root_namespace(&root).as_deref(), Some("urn:w"));
    }
}
