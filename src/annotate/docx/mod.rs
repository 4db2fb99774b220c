//! Word drafts: the reviewed copy as an edited package.
//!
//! 1. The package is opened with the reader's [`Package`] (entry count,
//!    per-part and total decompressed-size caps, compression ratio, CRC,
//!    UTF-8), and only the parts that may change are decompressed: the
//!    main document (found as the reader finds it), its relationships, the
//!    comments part and Word's extended comment parts; `[Content_Types].xml`
//!    when the comments part is new.
//! 2. The comments part is scanned first: comments by [`AUTHOR`] are ours
//!    from an earlier run, to be replaced. Then the main document
//!    ([`body`]): where each paragraph is (counted as the reader counts
//!    `Location::Paragraph`), where our earlier markers are, which ids are
//!    taken.
//! 3. Each note gets a comment id above every id in use (and, when the
//!    draft has the extended parts, a fresh `paraId` and `durableId`), a
//!    `w:commentRangeStart` after the paragraph's properties and a
//!    `w:commentRangeEnd` plus a reference run before its end tag.
//! 4. The zip is written entry by entry in the original order: untouched
//!    entries raw (compressed bytes, CRC, name, extra fields and
//!    timestamps as they were), changed ones deflated with their original
//!    timestamp, new ones at the end. Same input, same bytes out.

pub mod body;
pub mod parts;

use super::compose::{Anchor, Note};
use super::xml::{self, Edits, Ns};
use super::{AUTHOR, AnnotateErrorKind, Annotated, INITIALS, Options};
use crate::ingest::docx::package::Package;
use crate::ingest::docx::parts::{Relationship, relationship_list};
use crate::ingest::docx::{join, resolve_target};
use crate::model::{Document, Location};
use parts::{FIRST_ID, Part, fresh_id};
use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Write};

const W_TRANSITIONAL: &str = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
const W_STRICT: &str = "http://purl.oclc.org/ooxml/wordprocessingml/main";
const W14: &str = "http://schemas.microsoft.com/office/word/2010/wordml";
const W15: &str = "http://schemas.microsoft.com/office/word/2012/wordml";
const W16CID: &str = "http://schemas.microsoft.com/office/word/2016/wordml/cid";
const W16CEX: &str = "http://schemas.microsoft.com/office/word/2018/wordml/cex";
const REL_COMMENTS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
const REL_COMMENTS_STRICT: &str =
    "http://purl.oclc.org/ooxml/officeDocument/relationships/comments";
const CT_COMMENTS: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml";
const CONTENT_TYPES: &str = "[Content_Types].xml";

fn load(pkg: &mut Package, name: &str) -> Result<Option<String>, AnnotateErrorKind> {
    pkg.load(name)
        .map(|t| t.map(str::to_string))
        .map_err(AnnotateErrorKind::Package)
}

/// The main document part, as the reader finds it: `word/document.xml`, or
/// the first (sorted) `word/….xml` target of the root relationships.
fn main_document(pkg: &Package, root_rels: &[Relationship]) -> Option<String> {
    const DEFAULT: &str = "word/document.xml";
    if pkg.has(DEFAULT) {
        return Some(DEFAULT.into());
    }
    let mut targets: Vec<&str> = root_rels.iter().map(|r| r.target.as_str()).collect();
    targets.sort();
    targets
        .into_iter()
        .map(|t| t.trim_start_matches('/').to_string())
        .find(|t| t.ends_with(".xml") && t.starts_with("word/") && pkg.has(t))
}

/// Collapsed, lower-case text for comparing a paragraph with the title.
fn norm(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// The paragraph (0-based) each note is attached to.
fn targets(doc: &Document, notes: &[Note], paras: &[body::Para]) -> Vec<usize> {
    let index = |loc: Location| match loc {
        Location::Paragraph(n) if n >= 1 && (n as usize) <= paras.len() => Some(n as usize - 1),
        _ => None,
    };
    let first_block = doc.blocks.iter().find_map(|b| index(b.loc()));
    let start = first_block
        .or_else(|| paras.iter().position(|p| !p.text.trim().is_empty()))
        .unwrap_or(0);
    let title = doc.meta.title.as_deref().map(norm).and_then(|t| {
        let before = &paras[..first_block.unwrap_or(paras.len())];
        before.iter().position(|p| norm(&p.text) == t).or_else(|| {
            before.iter().position(|p| {
                let n = norm(&p.text);
                n.len() >= 10 && (t.contains(&n) || n.contains(&t))
            })
        })
    });
    notes
        .iter()
        .map(|n| match n.anchor {
            Anchor::Title => title.unwrap_or(start),
            Anchor::At(loc) => index(loc).unwrap_or(start),
            Anchor::Start => start,
        })
        .collect()
}

/// The extended comment parts the draft has.
struct Extended {
    ex: Option<Part>,
    ids: Option<Part>,
    cex: Option<Part>,
}

impl Extended {
    fn any(&self) -> bool {
        self.ex.is_some() || self.ids.is_some()
    }

    /// Edits to the extended parts: entries of our earlier comments out
    /// (a reply to one keeps its entry, without the parent), entries for
    /// the new ones in.
    fn edits(
        &self,
        new: &[New],
        own_paras: &HashSet<String>,
        own_durable: &HashSet<String>,
        date: &str,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(p) = &self.ex {
            let ns = Ns::of(&p.root.start(&p.text), W15, "w15");
            let mut e = Edits::default();
            for entry in &p.entries {
                if entry.attr("paraId").is_some_and(|v| own_paras.contains(v)) {
                    e.delete(entry.range.clone());
                } else if entry
                    .attr("paraIdParent")
                    .is_some_and(|v| own_paras.contains(v))
                {
                    // A reply to a comment of ours: it stays, on its own.
                    let tag = &p.text[entry.tag.clone()];
                    let inner = tag.trim_start_matches('<').trim_end_matches('>');
                    let inner = inner.trim_end_matches('/').trim_end();
                    let name_len = inner
                        .find(|c: char| c.is_ascii_whitespace())
                        .unwrap_or(inner.len());
                    let start = quick_xml::events::BytesStart::from_content(inner, name_len);
                    e.replace(
                        entry.tag.clone(),
                        xml::without_attr(&start, "paraIdParent", entry.empty),
                    );
                }
            }
            let add: String = new
                .iter()
                .filter_map(|n| n.para_ids.last())
                .map(|pid| {
                    format!(
                        "<{}{} {}=\"{pid}\" {}=\"0\"/>",
                        ns.q("commentEx"),
                        ns.decl,
                        ns.q("paraId"),
                        ns.q("done")
                    )
                })
                .collect();
            p.root.append(&p.text, &add, &mut e);
            out.push((p.name.clone(), e.apply(&p.text)));
        }
        if let Some(p) = &self.ids {
            let ns = Ns::of(&p.root.start(&p.text), W16CID, "w16cid");
            let mut e = Edits::default();
            for entry in &p.entries {
                if entry.attr("paraId").is_some_and(|v| own_paras.contains(v)) {
                    e.delete(entry.range.clone());
                }
            }
            let add: String = new
                .iter()
                .filter_map(|n| Some((n.para_ids.last()?, n.durable.as_ref()?)))
                .map(|(pid, d)| {
                    format!(
                        "<{}{} {}=\"{pid}\" {}=\"{d}\"/>",
                        ns.q("commentId"),
                        ns.decl,
                        ns.q("paraId"),
                        ns.q("durableId")
                    )
                })
                .collect();
            p.root.append(&p.text, &add, &mut e);
            out.push((p.name.clone(), e.apply(&p.text)));
        }
        if let Some(p) = &self.cex {
            let ns = Ns::of(&p.root.start(&p.text), W16CEX, "w16cex");
            let mut e = Edits::default();
            for entry in &p.entries {
                if entry
                    .attr("durableId")
                    .is_some_and(|v| own_durable.contains(v))
                {
                    e.delete(entry.range.clone());
                }
            }
            let add: String = new
                .iter()
                .filter_map(|n| n.durable.as_ref())
                .map(|d| {
                    format!(
                        "<{}{} {}=\"{d}\" {}=\"{date}\"/>",
                        ns.q("commentExtensible"),
                        ns.decl,
                        ns.q("durableId"),
                        ns.q("dateUtc")
                    )
                })
                .collect();
            p.root.append(&p.text, &add, &mut e);
            out.push((p.name.clone(), e.apply(&p.text)));
        }
        out
    }
}

/// One comment of ours, ready to write.
struct New<'a> {
    id: u64,
    note: &'a Note,
    /// `paraId` of each paragraph (when the draft has extended parts).
    para_ids: Vec<String>,
    durable: Option<String>,
}

/// Make the reviewed copy of a Word draft.
pub fn annotate(
    bytes: &[u8],
    doc: &Document,
    notes: &[Note],
    opts: &Options,
) -> Result<Annotated, AnnotateErrorKind> {
    let depth = opts.limits.max_xml_depth;
    let mut pkg = Package::open(bytes, &opts.limits).map_err(AnnotateErrorKind::Package)?;
    let rels_of = |name: &str, text: &str| {
        relationship_list(name, text, depth).map_err(AnnotateErrorKind::Package)
    };
    let root_rels = match load(&mut pkg, "_rels/.rels")? {
        Some(t) => rels_of("_rels/.rels", &t)?,
        None => Vec::new(),
    };
    let main = main_document(&pkg, &root_rels)
        .ok_or_else(|| AnnotateErrorKind::corrupt("zip container", "has no word/document.xml"))?;
    let (dir, file) = main.rsplit_once('/').unwrap_or(("", main.as_str()));
    let (dir, rels_name) = (
        dir.to_string(),
        join(&dir_of_rels(dir), &format!("{file}.rels")),
    );
    let rels_text = load(&mut pkg, &rels_name)?;
    let rels = match &rels_text {
        Some(t) => rels_of(&rels_name, t)?,
        None => Vec::new(),
    };
    let find = |suffix: &str| {
        rels.iter()
            .filter(|r| {
                !r.mode
                    .as_deref()
                    .is_some_and(|m| m.eq_ignore_ascii_case("external"))
            })
            .find(|r| r.kind.ends_with(suffix))
            .map(|r| resolve_target(&dir, &r.target))
    };
    let comments_rel = find("/comments");
    let mut load_part = |name: Option<String>| -> Result<Option<Part>, AnnotateErrorKind> {
        let Some(name) = name else { return Ok(None) };
        match load(&mut pkg, &name)? {
            Some(text) => parts::scan(&name, text, depth).map(Some),
            None => Ok(None),
        }
    };
    let comments = load_part(comments_rel.clone())?;
    let ext = Extended {
        ex: load_part(find("/commentsExtended"))?,
        ids: load_part(find("/commentsIds"))?,
        cex: load_part(find("/commentsExtensible"))?,
    };

    // Our earlier comments.
    let own: Vec<&parts::Entry> = comments
        .iter()
        .flat_map(|c| c.entries.iter())
        .filter(|e| e.local == "comment" && e.attr("author") == Some(AUTHOR))
        .collect();
    let own_ids: HashSet<String> = own
        .iter()
        .filter_map(|e| e.attr("id"))
        .map(|s| s.trim().to_string())
        .collect();
    let own_paras: HashSet<String> = own
        .iter()
        .flat_map(|e| e.para_ids.iter().cloned())
        .collect();
    let own_durable: HashSet<String> = ext
        .ids
        .iter()
        .flat_map(|p| p.entries.iter())
        .filter(|e| e.attr("paraId").is_some_and(|p| own_paras.contains(p)))
        .filter_map(|e| e.attr("durableId").map(str::to_string))
        .collect();

    let main_text = load(&mut pkg, &main)?
        .ok_or_else(|| AnnotateErrorKind::corrupt("zip container", format!("has no {main}")))?;
    let body = body::scan(&main, &main_text, depth, &own_ids)?;
    if body.paras.is_empty() {
        return Err(AnnotateErrorKind::NoParagraph(main));
    }
    let root = body
        .root
        .clone()
        .map(|r| parts::Root {
            tag: r.clone(),
            empty: false,
            end: r.end,
        })
        .ok_or_else(|| AnnotateErrorKind::corrupt(&main, "has no root element"))?;
    let root_start = root.start(&main_text);
    let w_uri = xml::root_namespace(&root_start).unwrap_or_else(|| W_TRANSITIONAL.to_string());
    let w = Ns::of(&root_start, &w_uri, "w");

    // Ids: comment ids above every id in use; paraIds and durableIds not in use.
    let mut next_id = body.max_id.max(
        comments
            .iter()
            .flat_map(|c| c.entries.iter())
            .filter(|e| !(e.local == "comment" && e.attr("author") == Some(AUTHOR)))
            .map(|e| e.max_id)
            .max()
            .unwrap_or(0),
    ) + 1;
    let mut used: HashSet<u32> = HashSet::new();
    if ext.any() {
        used.extend(body.para_ids.iter().copied());
        let mut theirs = |p: &Option<Part>| {
            if let Some(p) = p {
                used.extend(p.ids.iter().copied());
            }
        };
        theirs(&comments);
        theirs(&ext.ex);
        theirs(&ext.ids);
        theirs(&ext.cex);
        for id in own_paras.iter().chain(own_durable.iter()) {
            if let Some(n) = body::hex_id(id) {
                used.remove(&n);
            }
        }
        // Headers, footers and notes have paragraphs with paraIds too.
        let known: Vec<&str> = [Some(&main), comments_rel.as_ref()]
            .into_iter()
            .flatten()
            .map(String::as_str)
            .chain(
                [&ext.ex, &ext.ids, &ext.cex]
                    .into_iter()
                    .flatten()
                    .map(|p| p.name.as_str()),
            )
            .collect();
        used.extend(para_ids_elsewhere(&mut pkg, bytes, &dir, &known)?);
    }
    let mut next_para = FIRST_ID;
    let mut next_durable = FIRST_ID;
    let new: Vec<New> = notes
        .iter()
        .map(|note| {
            let id = next_id;
            next_id += 1;
            let para_ids = if ext.any() {
                note.paragraphs
                    .iter()
                    .map(|_| fresh_id(&mut used, &mut next_para))
                    .collect()
            } else {
                Vec::new()
            };
            let durable = ext
                .ids
                .as_ref()
                .map(|_| fresh_id(&mut used, &mut next_durable));
            New {
                id,
                note,
                para_ids,
                durable,
            }
        })
        .collect();
    let date = format!("{}T00:00:00Z", opts.date);

    // The main document.
    let mut edits = body.own;
    let at = targets(doc, notes, &body.paras);
    anchors(&main_text, &body.paras, &at, &new, &w, &mut edits);
    let mut changed: Vec<(String, String)> = vec![(main.clone(), edits.apply(&main_text))];

    // The comments part: extended, or created with its relationship and
    // content type.
    let mut added: Vec<(String, String)> = Vec::new();
    match &comments {
        Some(c) => changed.push(extend_comments(c, &own, &new, &date, &w_uri)),
        None => {
            let place = Place {
                dir: &dir,
                rels_name: &rels_name,
                rels_text: rels_text.as_deref(),
                rels: &rels,
                comments_rel: comments_rel.as_deref(),
            };
            let text = new_comments(&new, &date, &w_uri, ext.any());
            create_comments(
                &mut pkg,
                bytes,
                &place,
                text,
                &w_uri,
                depth,
                &mut changed,
                &mut added,
            )?;
        }
    }
    changed.extend(ext.edits(&new, &own_paras, &own_durable, &date));

    let bytes = write_zip(bytes, changed, added)?;
    Ok(Annotated {
        bytes,
        comments: new.len(),
        replaced: own.len(),
    })
}

/// The comments part with our earlier comments removed and the new ones
/// appended after the reviewers'.
fn extend_comments(
    c: &Part,
    own: &[&parts::Entry],
    new: &[New],
    date: &str,
    w_uri: &str,
) -> (String, String) {
    let w = Ns::of(&c.root.start(&c.text), w_uri, "w");
    let xml: String = new
        .iter()
        .map(|n| comment_xml(n, date, &w, Some(c)))
        .collect();
    let mut e = Edits::default();
    for o in own {
        e.delete(o.range.clone());
    }
    c.root.append(&c.text, &xml, &mut e);
    (c.name.clone(), e.apply(&c.text))
}

/// A new comments part holding `new`.
fn new_comments(new: &[New], date: &str, w_uri: &str, para_ids: bool) -> String {
    let decl14 = if para_ids {
        format!(
            " xmlns:w14=\"{W14}\" xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\" mc:Ignorable=\"w14\""
        )
    } else {
        String::new()
    };
    let w = Ns {
        prefix: "w".into(),
        decl: String::new(),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:comments xmlns:w=\"{}\"{decl14}>{}</w:comments>",
        xml::escape(w_uri),
        new.iter()
            .map(|n| comment_xml(n, date, &w, None))
            .collect::<String>()
    )
}

/// Where the main document's relationships are, for a new comments part.
struct Place<'a> {
    dir: &'a str,
    rels_name: &'a str,
    rels_text: Option<&'a str>,
    rels: &'a [Relationship],
    /// The comments part a relationship names, when it names a missing one.
    comments_rel: Option<&'a str>,
}

/// Add the comments part `text`: under the name a relationship already
/// gives it, else under a free name with a new relationship; with a
/// content-type override unless `[Content_Types].xml` has one.
#[allow(clippy::too_many_arguments)]
fn create_comments(
    pkg: &mut Package,
    bytes: &[u8],
    at: &Place,
    text: String,
    w_uri: &str,
    depth: usize,
    changed: &mut Vec<(String, String)>,
    added: &mut Vec<(String, String)>,
) -> Result<(), AnnotateErrorKind> {
    let name = match at.comments_rel {
        Some(n) => n.to_string(),
        None => free_name(bytes, at.dir),
    };
    added.push((name.clone(), text));
    if at.comments_rel.is_none() {
        let kind = if w_uri == W_STRICT {
            REL_COMMENTS_STRICT
        } else {
            REL_COMMENTS
        };
        let target = name
            .strip_prefix(&format!("{}/", at.dir))
            .unwrap_or(&name)
            .to_string();
        match at.rels_text {
            Some(t) => {
                let part = parts::scan(at.rels_name, t.to_string(), depth)?;
                let id = free_rel_id(at.rels);
                let mut e = Edits::default();
                part.root.append(
                    &part.text,
                    &format!(
                        "<Relationship Id=\"{id}\" Type=\"{kind}\" Target=\"{}\"{}/>",
                        xml::escape(&target),
                        rel_ns(&part)
                    ),
                    &mut e,
                );
                changed.push((at.rels_name.to_string(), e.apply(&part.text)));
            }
            None => added.push((
                at.rels_name.to_string(),
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{kind}\" Target=\"{}\"/></Relationships>",
                    xml::escape(&target)
                ),
            )),
        }
    }
    let ct = load(pkg, CONTENT_TYPES)?
        .ok_or_else(|| AnnotateErrorKind::corrupt("zip container", "has no [Content_Types].xml"))?;
    let part = parts::scan(CONTENT_TYPES, ct, depth)?;
    let wanted = format!("/{name}");
    let has = part.entries.iter().any(|e| {
        e.local == "Override"
            && e.attr("PartName")
                .is_some_and(|p| p.eq_ignore_ascii_case(&wanted))
    });
    if !has {
        let mut e = Edits::default();
        let q = part
            .root
            .start(&part.text)
            .name()
            .prefix()
            .map(|p| format!("{}:", p.as_ref()));
        part.root.append(
            &part.text,
            &format!(
                "<{}Override PartName=\"{}\" ContentType=\"{CT_COMMENTS}\"/>",
                q.unwrap_or_default(),
                xml::escape(&wanted)
            ),
            &mut e,
        );
        changed.push((CONTENT_TYPES.to_string(), e.apply(&part.text)));
    }
    Ok(())
}

/// The folder of the relationships part for parts in `dir`.
fn dir_of_rels(dir: &str) -> String {
    join(dir, "_rels")
}

/// A namespace declaration for a new `Relationship` when the root binds
/// the relationships namespace to a prefix instead of the default.
fn rel_ns(part: &Part) -> String {
    let root = part.root.start(&part.text);
    match root.name().prefix() {
        Some(_) => " xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"".into(),
        None => String::new(),
    }
}

/// A relationship id not in use: `rIdN` above the largest `rIdN`.
fn free_rel_id(rels: &[Relationship]) -> String {
    let taken: HashSet<&str> = rels.iter().map(|r| r.id.as_str()).collect();
    let mut n = rels
        .iter()
        .filter_map(|r| r.id.strip_prefix("rId")?.parse::<u64>().ok())
        .max()
        .unwrap_or(0)
        + 1;
    while taken.contains(format!("rId{n}").as_str()) {
        n += 1;
    }
    format!("rId{n}")
}

/// The names of the package's entries.
fn entry_names(bytes: &[u8]) -> Vec<String> {
    zip::ZipArchive::new(Cursor::new(bytes))
        .map(|z| {
            z.file_names()
                .filter_map(|n| n.ok().map(|n| n.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// A name for a new comments part in `dir` that no entry has.
fn free_name(bytes: &[u8], dir: &str) -> String {
    let names: HashSet<String> = entry_names(bytes)
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let mut k = 0;
    loop {
        let file = if k == 0 {
            "comments.xml".to_string()
        } else {
            format!("comments{k}.xml")
        };
        let name = join(dir, &file);
        if !names.contains(&name.to_ascii_lowercase()) {
            return name;
        }
        k += 1;
    }
}

/// `paraId="XXXXXXXX"` values in a part's text (any prefix).
fn para_ids_in(text: &str) -> impl Iterator<Item = u32> + '_ {
    text.match_indices("paraId=\"").filter_map(|(i, m)| {
        let rest = &text[i + m.len()..];
        let end = rest.find('"')?;
        body::hex_id(&rest[..end])
    })
}

/// The `paraId`s of the XML parts in `dir` other than `known` (headers,
/// footers, notes): a fresh id must not be one of them.
fn para_ids_elsewhere(
    pkg: &mut Package,
    bytes: &[u8],
    dir: &str,
    known: &[&str],
) -> Result<HashSet<u32>, AnnotateErrorKind> {
    let mut used = HashSet::new();
    for n in entry_names(bytes) {
        let folder = n.rsplit_once('/').map_or("", |(d, _)| d);
        if !n.ends_with(".xml") || folder != dir || known.contains(&n.as_str()) {
            continue;
        }
        if let Some(t) = load(pkg, &n)? {
            used.extend(para_ids_in(&t));
        }
    }
    Ok(used)
}

/// Comment marks in the main document: `at[k]` is the paragraph of
/// `new[k]`; the comments of one paragraph in their order.
fn anchors(text: &str, paras: &[body::Para], at: &[usize], new: &[New], w: &Ns, edits: &mut Edits) {
    let mut by_para: Vec<(usize, u64)> = at.iter().copied().zip(new.iter().map(|n| n.id)).collect();
    by_para.sort_by_key(|(p, _)| *p);
    for group in by_para.chunk_by(|a, b| a.0 == b.0) {
        let ids: Vec<u64> = group.iter().map(|(_, id)| *id).collect();
        anchor(text, &paras[group[0].0], &ids, w, edits);
    }
}

/// Comment marks for the comments `ids` in paragraph `p`.
fn anchor(text: &str, p: &body::Para, ids: &[u64], w: &Ns, edits: &mut Edits) {
    let (d, id) = (&w.decl, w.q("id"));
    let starts: String = ids
        .iter()
        .map(|c| format!("<{}{d} {id}=\"{c}\"/>", w.q("commentRangeStart")))
        .collect();
    let ends: String = ids
        .iter()
        .map(|c| {
            format!(
                "<{}{d} {id}=\"{c}\"/><{r}{d}><{}{d} {id}=\"{c}\"/></{r}>",
                w.q("commentRangeEnd"),
                w.q("commentReference"),
                r = w.q("r"),
            )
        })
        .collect();
    if p.empty {
        let raw = &text[p.tag.clone()];
        let open = raw.trim_end_matches('>').trim_end_matches('/').trim_end();
        let name = open
            .trim_start_matches('<')
            .split(|c: char| c.is_ascii_whitespace())
            .next()
            .unwrap_or("w:p");
        edits.replace(p.tag.clone(), format!("{open}>{starts}{ends}</{name}>"));
    } else {
        edits.insert(p.content, starts);
        edits.insert(p.end, ends);
    }
}

/// One `w:comment` element.
fn comment_xml(n: &New, date: &str, w: &Ns, part: Option<&Part>) -> String {
    let w14 = part
        .map(|p| Ns::of(&p.root.start(&p.text), W14, "w14"))
        .unwrap_or_else(|| Ns {
            prefix: "w14".into(),
            decl: String::new(),
        });
    let d = &w.decl;
    let mut s = format!(
        "<{c}{d} {id}=\"{}\" {a}=\"{}\" {dt}=\"{date}\" {ini}=\"{INITIALS}\">",
        n.id,
        xml::escape(AUTHOR),
        c = w.q("comment"),
        id = w.q("id"),
        a = w.q("author"),
        dt = w.q("date"),
        ini = w.q("initials"),
    );
    let (p, r, t) = (w.q("p"), w.q("r"), w.q("t"));
    for (k, text) in n.note.paragraphs.iter().enumerate() {
        match n.para_ids.get(k) {
            Some(pid) => s.push_str(&format!(
                "<{p}{} {}=\"{pid}\" {}=\"77777777\">",
                w14.decl,
                w14.q("paraId"),
                w14.q("textId")
            )),
            None => s.push_str(&format!("<{p}>")),
        }
        if k == 0 {
            s.push_str(&format!("<{r}><{}/></{r}>", w.q("annotationRef")));
        }
        s.push_str(&format!(
            "<{r}><{t} xml:space=\"preserve\">{}</{t}></{r}></{p}>",
            xml::escape(text)
        ));
    }
    s.push_str(&format!("</{}>", w.q("comment")));
    s
}

fn zip_error(e: impl std::fmt::Display) -> AnnotateErrorKind {
    AnnotateErrorKind::corrupt("zip container", format!("cannot be copied ({e})"))
}

/// The package with `changed` parts replaced (in place) and `added` parts
/// appended; every other entry copied raw.
fn write_zip(
    bytes: &[u8],
    changed: Vec<(String, String)>,
    added: Vec<(String, String)>,
) -> Result<Vec<u8>, AnnotateErrorKind> {
    let mut changed: HashMap<String, String> = changed.into_iter().collect();
    let mut zin = zip::ZipArchive::new(Cursor::new(bytes)).map_err(zip_error)?;
    let extra: usize = changed
        .values()
        .chain(added.iter().map(|(_, t)| t))
        .map(String::len)
        .sum();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() + extra / 4)));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    let mut stamp = zip::DateTime::default();
    for i in 0..zin.len() {
        let f = zin.by_index_raw(i).map_err(zip_error)?;
        let name = f.name().map_err(zip_error)?.into_owned();
        match changed.remove(&name) {
            Some(text) => {
                let time = f.last_modified().unwrap_or_default();
                stamp = time;
                drop(f);
                out.start_file(name, deflated.last_modified_time(time))
                    .map_err(zip_error)?;
                out.write_all(text.as_bytes()).map_err(zip_error)?;
            }
            None => out.raw_copy_file(f).map_err(zip_error)?,
        }
    }
    for (name, text) in added {
        out.start_file(name, deflated.last_modified_time(stamp))
            .map_err(zip_error)?;
        out.write_all(text.as_bytes()).map_err(zip_error)?;
    }
    if !zin.comment().is_empty() {
        out.set_raw_comment(zin.comment().into())
            .map_err(zip_error)?;
    }
    let cur = out.finish().map_err(zip_error)?;
    Ok(cur.into_inner())
}
