//! YAML front matter: the small subset Markdown drafts use, into [`Metadata`].
//!
//! Takes the text of a `---` metadata block; fills title, subtitle,
//! author/authors/editors, date, lang/language and keywords. Understood:
//! `key: scalar` (plain, `'single'` or `"double"` quoted), flow lists
//! `key: [a, b]`, block lists (`- a` lines), list items that are mappings
//! with a `name:` key, and `>`/`|` block scalars. Other keys and shapes are
//! ignored (returned as warnings), never an error: front matter is a
//! convenience, not a contract.

use crate::dates::normalise_date;
use crate::model::Metadata;

#[derive(Debug, Clone, PartialEq)]
enum Value {
    Scalar(String),
    List(Vec<String>),
}

/// Apply the front matter `yaml` to `meta`; returns warnings.
pub fn apply(yaml: &str, meta: &mut Metadata) -> Vec<String> {
    let mut warnings = Vec::new();
    meta.check_map.extend(check_map(yaml, &mut warnings));
    for (key, value) in parse(yaml) {
        let k = key.to_ascii_lowercase();
        match (k.as_str(), value) {
            ("title", Value::Scalar(s)) => meta.title = non_empty(s),
            ("subtitle", Value::Scalar(s)) => meta.subtitle = non_empty(s),
            ("author" | "authors" | "editor" | "editors", v) => {
                let names = match v {
                    Value::Scalar(s) => split_names(&s),
                    Value::List(l) => l,
                };
                meta.authors
                    .extend(names.into_iter().filter(|n| !n.is_empty()));
            }
            ("date", Value::Scalar(s)) => meta.date = non_empty(normalise_date(&s).unwrap_or(s)),
            ("lang" | "language", Value::Scalar(s)) => meta.language = non_empty(s),
            ("keywords" | "tags", v) => {
                let list = match v {
                    Value::Scalar(s) => s.split([',', ';']).map(|w| w.trim().to_string()).collect(),
                    Value::List(l) => l,
                };
                meta.keywords
                    .extend(list.into_iter().filter(|w| !w.is_empty()));
            }
            ("title" | "subtitle" | "date" | "lang" | "language", Value::List(_)) => warnings.push(
                format!("front matter: `{key}` is a list; expected one value"),
            ),
            _ => {}
        }
    }
    warnings
}

/// The check's element map: a top-level `check:` whose indented lines are
/// `N: heading`, or top-level `check-N: heading` keys (also `check_N`,
/// `check.N`). A line that does not fit gives a warning.
fn check_map(yaml: &str, warnings: &mut Vec<String>) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in yaml.lines() {
        let indented = line.starts_with([' ', '\t']);
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !indented {
            inside = false;
            let Some((k, v)) = t.split_once(':') else {
                continue;
            };
            let k = k.trim().to_ascii_lowercase();
            if k == "check" && strip_comment(v).trim().is_empty() {
                inside = true;
            } else if let Some(n) = k
                .strip_prefix("check-")
                .or_else(|| k.strip_prefix("check_"))
                .or_else(|| k.strip_prefix("check."))
            {
                push_map(n, v, &mut out, warnings);
            }
        } else if inside {
            match t.split_once(':') {
                Some((n, v)) => push_map(n, v, &mut out, warnings),
                None => warnings.push(format!(
                    "front matter: `check:` line `{t}` is not `element: heading`"
                )),
            }
        }
    }
    out
}

fn push_map(n: &str, v: &str, out: &mut Vec<(u32, String)>, warnings: &mut Vec<String>) {
    let heading = unquote(strip_comment(v).trim());
    match n.trim().trim_matches(['"', '\'']).parse::<u32>() {
        Ok(id) if id > 0 && !heading.is_empty() => out.push((id, heading)),
        _ => warnings.push(format!(
            "front matter: check map `{}: {}` ignored: expected an element number and a heading",
            n.trim(),
            v.trim()
        )),
    }
}

fn non_empty(s: String) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// "A and B", "A; B" or "A, B" → names (a single "Last, First" stays whole).
fn split_names(s: &str) -> Vec<String> {
    let parts: Vec<String> = if s.contains(';') {
        s.split(';').map(str::to_string).collect()
    } else if s.contains(" and ") {
        s.split(" and ")
            .flat_map(|p| p.split(','))
            .map(str::to_string)
            .collect()
    } else if s.matches(',').count() >= 2 {
        s.split(',').map(str::to_string).collect()
    } else {
        vec![s.to_string()]
    };
    parts
        .into_iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Parse the subset into (key, value) pairs in order.
fn parse(yaml: &str) -> Vec<(String, Value)> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        i += 1;
        if line.trim().is_empty()
            || line.trim_start().starts_with('#')
            || line.starts_with([' ', '\t', '-'])
        {
            continue;
        }
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let key = key.trim().to_string();
        let rest = strip_comment(rest).trim();
        if rest.is_empty() {
            // Block list (or nested mapping) on the following indented lines.
            let mut items = Vec::new();
            while i < lines.len()
                && (lines[i].starts_with([' ', '\t', '-']) || lines[i].trim().is_empty())
            {
                let t = lines[i].trim();
                i += 1;
                if let Some(item) = t.strip_prefix('-') {
                    let item = item.trim();
                    let item = match item.split_once(':') {
                        Some((k, v)) if k.trim() == "name" => v.trim(),
                        Some((k, _)) if !k.contains(' ') && !item.contains("://") => continue,
                        _ => item,
                    };
                    items.push(unquote(item));
                } else if let Some(v) = t.strip_prefix("name:")
                    && items.is_empty()
                {
                    items.push(unquote(v.trim()));
                }
            }
            out.push((key, Value::List(items)));
        } else if rest == ">" || rest == "|" || rest.starts_with(">-") || rest.starts_with("|-") {
            let mut parts = Vec::new();
            while i < lines.len()
                && (lines[i].starts_with([' ', '\t']) || lines[i].trim().is_empty())
            {
                parts.push(lines[i].trim());
                i += 1;
            }
            let sep = if rest.starts_with('>') { " " } else { "\n" };
            out.push((key, Value::Scalar(parts.join(sep).trim().to_string())));
        } else if let Some(inner) = rest.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            let items = split_flow(inner)
                .into_iter()
                .map(|s| unquote(s.trim()))
                .collect();
            out.push((key, Value::List(items)));
        } else {
            out.push((key, Value::Scalar(unquote(rest))));
        }
    }
    out
}

/// Drop a ` # comment` outside quotes.
fn strip_comment(s: &str) -> &str {
    let t = s.trim_start();
    if t.starts_with(['"', '\'']) {
        return s;
    }
    match s.find(" #") {
        Some(p) => &s[..p],
        None => s,
    }
}

/// Split `a, "b, c", d` at top-level commas.
fn split_flow(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut quote = None;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ',') => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !s[start..].trim().is_empty() {
        out.push(&s[start..]);
    }
    out
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        let inner = &s[1..s.len() - 1];
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                match chars.next() {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(o) => out.push(o),
                    None => {}
                }
            } else {
                out.push(c);
            }
        }
        out
    } else if s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'') {
        s[1..s.len() - 1].replace("''", "'")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pandoc_style_block() {
        let mut m = Metadata::default();
        let w = apply(
            "title: \"A: b\"  \nsubtitle: 'It''s'\nauthor:\n  - Ann One\n  - name: Bo Two\n    affiliation: X\n\
             date: September 2020\nlang: en-GB\nkeywords: [IGF, \"a, b\"]\nother: 1\n",
            &mut m,
        );
        assert!(w.is_empty());
        assert_eq!(m.title.as_deref(), Some("A: b"));
        assert_eq!(m.subtitle.as_deref(), Some("It's"));
        assert_eq!(m.authors, ["Ann One", "Bo Two"]);
        assert_eq!(m.date.as_deref(), Some("2020-09"));
        assert_eq!(m.language.as_deref(), Some("en-GB"));
        assert_eq!(m.keywords, ["IGF", "a, b"]);
    }

    #[test]
    fn scalar_authors_and_folded_title() {
        let mut m = Metadata::default();
        apply(
            "authors: Ann One and Bo Two\ntitle: >\n  Long\n  title\ndate: 2020-10-01 # final\n",
            &mut m,
        );
        assert_eq!(m.authors, ["Ann One", "Bo Two"]);
        assert_eq!(m.title.as_deref(), Some("Long title"));
        assert_eq!(m.date.as_deref(), Some("2020-10-01"));
    }
}
