//! PDF reader: facts about the real report exported by LibreOffice (with and
//! without bookmarks), crafted PDFs for the features the report does not
//! exercise (running headers, hyphenation, ligatures, form XObjects), and
//! every bad-input case through the library and through the binary.

mod support;

use bpfpress::ingest::{IngestErrorKind, Limits, read_path};
use bpfpress::model::{Block, Document, Inline, Location};
use lopdf::{Object, Stream, dictionary};
use std::path::{Path, PathBuf};
use support::{bpfpress, root};

const LO: &str = "fixtures/report/bpf-on-bpfs-2020.lo.pdf";
const NOBM: &str = "fixtures/report/bpf-on-bpfs-2020.nobookmarks.pdf";

fn read(rel: &str) -> Document {
    read_path(&root().join(rel), &Limits::default()).unwrap()
}

fn headings(d: &Document) -> Vec<(u8, Option<String>, String, Location)> {
    d.blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading {
                level,
                label,
                text,
                loc,
            } => Some((*level, label.clone(), text.clone(), *loc)),
            _ => None,
        })
        .collect()
}

/// All body text, blocks joined by newlines.
fn body_text(d: &Document) -> String {
    d.blocks
        .iter()
        .map(|b| b.plain_text())
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_report(d: &Document) {
    let hs = headings(d);
    // Chapters A-F in order, labels split off, at the top level.
    let chapters: Vec<(String, String)> = hs
        .iter()
        .filter(|h| h.0 == 1 && h.1.as_deref().is_some_and(|l| l.len() == 2))
        .map(|h| (h.1.clone().unwrap(), h.2.clone()))
        .collect();
    let labels: Vec<&str> = chapters.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(labels, ["A.", "B.", "C.", "D.", "E.", "F."], "{chapters:?}");
    assert_eq!(chapters[0].1, "Introduction");
    assert_eq!(chapters[4].1, "BPF Modalities");
    assert_eq!(chapters[5].1, "Concluding remarks");
    assert!(chapters[2].1.starts_with("Organising and leading BPFs"));
    // Pages checked by hand with `pdftotext -f N -l N`.
    let page_of = |label: &str| {
        hs.iter()
            .find(|h| h.1.as_deref() == Some(label) && h.0 == 1)
            .unwrap()
            .3
    };
    assert_eq!(page_of("A."), Location::Page(2));
    assert_eq!(page_of("C."), Location::Page(10));
    assert_eq!(page_of("E."), Location::Page(25));
    assert_eq!(page_of("F."), Location::Page(30));
    // Sections under A: a.-c., one level down, labels split.
    let secs: Vec<_> = hs
        .iter()
        .skip_while(|h| h.1.as_deref() != Some("A."))
        .skip(1)
        .take_while(|h| h.1.as_deref() != Some("B."))
        .collect();
    assert_eq!(secs.len(), 3, "{secs:?}");
    assert!(secs.iter().all(|s| s.0 == 2));
    assert_eq!(secs[0].1.as_deref(), Some("a."));
    assert_eq!(secs[0].2, "IGF Best Practice Forums");
    // Every block is located on a page of the document.
    assert!(
        d.blocks
            .iter()
            .all(|b| matches!(b.loc(), Location::Page(1..=36)))
    );

    let text = body_text(d);
    // Word spacing on a known sentence (spread over two lines in the PDF).
    assert!(
        text.contains(
            "Since the first IGF meeting in Athens in 2006, IGF annual meetings have served as a venue \
             to share and discuss experiences, in main sessions, workshops or dedicated best practice forums"
        ),
        "spacing"
    );
    // A paragraph broken by a page (and its footnotes) is one paragraph.
    assert!(
        text.contains("They were meant to provide a platform for an open exchange on what worked")
    );
    // Line-end hyphens of real compounds stay ("Co-" / "facilitator" in the PDF).
    assert!(
        text.contains("MAG Co-facilitator BPF Cybersecurity (2016-2020)"),
        "hyphen kept"
    );
    assert!(text.contains("IGF consultant BPF IPv6 (2015-2016)"));
    // Footnotes: 38 in the report, their texts split off the body, refs in place.
    assert_eq!(d.notes.len(), 38);
    assert_eq!(
        d.notes[1].text,
        "http://www.itu.int/wsis/docs2/tunis/off/6rev1.html"
    );
    assert_eq!(d.notes[0].loc, Some(Location::Page(2)));
    assert!(
        !text.contains("6rev1.html"),
        "footnote text leaked into the body"
    );
    // Note 5 runs on over pages 4 and 5 (LibreOffice sets its tail in the body
    // area); the tail belongs to the note, not to the body.
    assert!(
        d.notes[4]
            .text
            .ends_with("a 2019 pilot initiative on Implementing Internet Standards and protocols for a safer Internet."),
        "{}",
        d.notes[4].text
    );
    assert!(
        d.notes[4]
            .text
            .contains("how to address the major policy challenge to connect")
    );
    assert!(!text.contains("major policy challenge to connect"));
    assert!(!text.contains("Implementing Internet Standards"));
    let refs: Vec<String> = d
        .blocks
        .iter()
        .flat_map(|b| b.inlines().into_iter().cloned().collect::<Vec<_>>())
        .filter_map(|i| match i {
            Inline::NoteRef { id } => Some(id),
            _ => None,
        })
        .collect();
    let want: Vec<String> = (1..=38).map(|n| n.to_string()).collect();
    assert_eq!(refs, want);
    assert!(text.contains("The IGF Mandate, set out in paragraph 72"));
    // No page furniture or bare page numbers as body lines.
    assert!(!d.blocks.iter().any(|b| {
        let t = b.plain_text();
        t.trim().chars().all(|c| c.is_ascii_digit()) || t.starts_with("Page ")
    }));
    // Bullets became list items (no bullet glyph left in the text).
    assert!(!text.contains('\u{F0B7}') && !text.contains('•'));
    assert!(
        d.blocks
            .iter()
            .filter(|b| matches!(b, Block::List { .. }))
            .count()
            > 20
    );
    // Metadata from the Info dictionary.
    let m = &d.meta;
    assert_eq!(
        m.title.as_deref(),
        Some(
            "Reviewing past Best Practice Forums (BPF) to enhance future BPF work: a “BPF on BPFs”"
        )
    );
    assert_eq!(m.authors, ["Markus Kummer", "Wim Degezelle"]);
    // The cover's date and subtitle (the Info dictionary has neither).
    assert_eq!(m.date.as_deref(), Some("2020-09"));
    assert_eq!(
        m.subtitle.as_deref(),
        Some("IGF 2020 Best Practice Forum output report")
    );
    assert_eq!(m.pages, Some(36));
    assert!(m.keywords.contains(&"intersessional".to_string()));
    assert!(m.words > 10_000);
}

#[test]
fn report_with_bookmarks() {
    let d = read(LO);
    check_report(&d);
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
}

#[test]
fn report_without_bookmarks_uses_font_statistics() {
    let d = read(NOBM);
    check_report(&d);
    assert!(d.warnings.iter().any(|w| w.contains("font size")));
    // The cover title (largest text, first page only) is not a heading.
    assert!(
        !headings(&d)
            .iter()
            .any(|h| h.2.starts_with("Reviewing past"))
    );
}

#[test]
fn encrypted_with_empty_user_password_opens() {
    let d = read("fixtures/pdf/encrypted-empty-user-password.pdf");
    assert_eq!(d.meta.pages, Some(4));
    assert!(
        headings(&d)
            .iter()
            .any(|h| h.2 == "Introduction" && h.1.as_deref() == Some("A."))
    );
    assert!(
        body_text(&d)
            .contains("The exchange of best practices has been prominently present in the IGF.")
    );
}

// ---- crafted PDFs -------------------------------------------------------

/// A letter-size PDF whose pages draw `contents` with Courier (F1, widths
/// 600, code 0xB0 = the "fi" ligature glyph) and Courier-Bold (F2).
fn craft(contents: &[String]) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let widths: Vec<Object> = (32..=255).map(|_| Object::Integer(600)).collect();
    let enc = dictionary! {
        "Type" => "Encoding",
        "BaseEncoding" => "WinAnsiEncoding",
        "Differences" => vec![Object::Integer(176), Object::Name(b"fi".to_vec())],
    };
    let f1 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier",
        "FirstChar" => 32, "LastChar" => 255, "Widths" => widths.clone(), "Encoding" => enc,
    });
    let f2 = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Courier-Bold",
        "FirstChar" => 32, "LastChar" => 255, "Widths" => widths, "Encoding" => "WinAnsiEncoding",
    });
    let res = doc.add_object(dictionary! { "Font" => dictionary! { "F1" => f1, "F2" => f2 } });
    let mut kids = Vec::new();
    for c in contents {
        let cid = doc.add_object(Stream::new(dictionary! {}, c.as_bytes().to_vec()));
        let pid = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => cid, "Resources" => res,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        kids.push(Object::Reference(pid));
    }
    let n = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => n }),
    );
    let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", cat);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// Text lines at (x, y) in font `f` size `s`.
fn text(lines: &[(&str, f32, f32, &str, f32)]) -> String {
    let mut s = String::new();
    for (f, size, x, t, y) in lines {
        s.push_str(&format!("BT /{f} {size} Tf {x} {y} Td ({t}) Tj ET\n"));
    }
    s
}

fn write_tmp(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Three pages with a running header, "Page N of 3" footers, a heading in a
/// larger bold font, a hyphenated line end, a ligature glyph and TJ kerning.
fn memo() -> Vec<u8> {
    let mut pages = Vec::new();
    for n in 1..=3 {
        let mut c = text(&[
            ("F1", 9.0, 72.0, "BPF on BPFs - draft for comments", 760.0),
            ("F1", 9.0, 280.0, &format!("Page {n} of 3"), 30.0),
        ]);
        c.push_str(&text(&[(
            "F2",
            16.0,
            72.0,
            &format!("{n}. Section number {n}"),
            700.0,
        )]));
        c.push_str(&text(&[
            (
                "F1",
                10.0,
                72.0,
                "The members of the forum agreed at length on the organi-",
                670.0,
            ),
            (
                "F1",
                10.0,
                72.0,
                "sation of the work and on the \\260nal text of the report.",
                656.0,
            ),
            (
                "F1",
                10.0,
                72.0,
                "Experts discussed the draft later on in a well-known venue.",
                628.0,
            ),
        ]));
        // Word gaps made only by TJ kerning, no space characters.
        c.push_str("BT /F1 10 Tf 72 600 Td [(Best)-700(Practice)-700(Forums)] TJ ET\n");
        pages.push(c);
    }
    craft(&pages)
}

#[test]
fn crafted_furniture_hyphens_ligatures_kerning() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_tmp(dir.path(), "memo.pdf", &memo());
    let d = read_path(&p, &Limits::default()).unwrap();
    let text = body_text(&d);
    assert!(
        !text.contains("draft for comments"),
        "running header kept: {text}"
    );
    assert!(!text.contains("Page 2 of 3"), "footer kept: {text}");
    assert!(text.contains("The members of the forum agreed at length on the organisation of the work and on the final text of the report."), "{text}");
    assert!(text.contains("Best Practice Forums"), "{text}");
    assert!(text.contains("well-known venue"));
    let hs = headings(&d);
    assert_eq!(hs.len(), 3, "{hs:?}");
    assert_eq!(
        hs[1],
        (
            1,
            Some("2.".into()),
            "Section number 2".into(),
            Location::Page(2)
        )
    );
    // The paragraph after the heading sits on the heading's page.
    let after = d
        .blocks
        .iter()
        .skip_while(|b| !matches!(b, Block::Heading { label: Some(l), .. } if l == "3."))
        .nth(1)
        .unwrap();
    assert_eq!(after.loc(), Location::Page(3));
}

#[test]
fn crafted_text_in_form_xobject_is_read() {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica", "Encoding" => "WinAnsiEncoding",
    });
    let inner = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Resources" => dictionary! { "Font" => dictionary! { "F9" => font } },
        },
        b"BT /F9 11 Tf 0 0 Td (Text inside a nested form.) Tj ET".to_vec(),
    ));
    let outer = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            "Matrix" => vec![1.into(), 0.into(), 0.into(), 1.into(), 72.into(), 500.into()],
            "Resources" => dictionary! { "XObject" => dictionary! { "Inner" => inner } },
        },
        b"/Inner Do".to_vec(),
    ));
    // A form that draws itself: recursion must stop.
    let selfref = doc.new_object_id();
    doc.objects.insert(
        selfref,
        Object::Stream(Stream::new(
            dictionary! {
                "Type" => "XObject", "Subtype" => "Form", "BBox" => vec![0.into(), 0.into(), 10.into(), 10.into()],
                "Resources" => dictionary! { "XObject" => dictionary! { "Me" => selfref } },
            },
            b"/Me Do".to_vec(),
        )),
    );
    let content = doc.add_object(Stream::new(dictionary! {}, b"/Fm1 Do /Loop Do".to_vec()));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "Resources" => dictionary! { "XObject" => dictionary! { "Fm1" => outer, "Loop" => selfref } },
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", cat);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = write_tmp(dir.path(), "form.pdf", &bytes);
    let d = read_path(&p, &Limits::default()).unwrap();
    assert_eq!(body_text(&d), "Text inside a nested form.");
    assert_eq!(d.blocks[0].loc(), Location::Page(1));
}

// ---- bad input ------------------------------------------------------------

fn image_only() -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let img = doc.add_object(Stream::new(
        dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Width" => 2, "Height" => 2,
            "ColorSpace" => "DeviceGray", "BitsPerComponent" => 8,
        },
        vec![0, 255, 255, 0],
    ));
    let mut kids = Vec::new();
    for _ in 0..2 {
        let c = doc.add_object(Stream::new(
            dictionary! {},
            b"q 612 0 0 792 0 0 cm /Im0 Do Q".to_vec(),
        ));
        let p = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => c,
            "Resources" => dictionary! { "XObject" => dictionary! { "Im0" => img } },
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        kids.push(Object::Reference(p));
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 2 }),
    );
    let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", cat);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A page tree whose root lists itself among its kids, next to one real page.
fn cyclic() -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let c = doc.add_object(Stream::new(dictionary! {}, b"".to_vec()));
    let page =
        doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "Contents" => c });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![Object::Reference(pages_id), page.into()], "Count" => 1,
        }),
    );
    let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", cat);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// A chain of 400 nested /Pages nodes with one page at the bottom.
fn deep() -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let ids: Vec<_> = (0..400).map(|_| doc.new_object_id()).collect();
    let c = doc.add_object(Stream::new(dictionary! {}, b"".to_vec()));
    let page =
        doc.add_object(dictionary! { "Type" => "Page", "Parent" => ids[399], "Contents" => c });
    for i in 0..400 {
        let kid = if i == 399 { page } else { ids[i + 1] };
        let mut d =
            dictionary! { "Type" => "Pages", "Kids" => vec![Object::Reference(kid)], "Count" => 1 };
        if i > 0 {
            d.set("Parent", ids[i - 1]);
        }
        doc.objects.insert(ids[i], Object::Dictionary(d));
    }
    let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => ids[0] });
    doc.trailer.set("Root", cat);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

/// (file name, bytes or committed path, expected words in the message).
fn bad_inputs(dir: &Path) -> Vec<(PathBuf, Vec<&'static str>)> {
    let report = std::fs::read(root().join(LO)).unwrap();
    vec![
        (
            root().join("fixtures/bad/pdf-needs-password.pdf"),
            vec!["password"],
        ),
        (
            write_tmp(dir, "scanned.pdf", &image_only()),
            vec!["no text layer", "OCR"],
        ),
        (
            write_tmp(dir, "cyclic.pdf", &cyclic()),
            vec!["list of pages", "loops back", "qpdf"],
        ),
        (
            write_tmp(dir, "deep.pdf", &deep()),
            vec!["list of pages", "nested"],
        ),
        (
            write_tmp(dir, "truncated.pdf", &report[..report.len() / 3]),
            vec!["truncated"],
        ),
        (
            write_tmp(
                dir,
                "corrupt.pdf",
                b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n garbage \x00\x01\x02",
            ),
            vec!["cross-reference"],
        ),
        (write_tmp(dir, "header-only.pdf", b"%PDF-1.4\n"), vec![]),
    ]
}

/// Damage that viewers and `pdftotext` read through is read through too:
/// content streams without their /Length (qpdf repairs them), and a page
/// listed twice in the page tree (not a loop).
#[test]
fn repairable_damage_is_read() {
    let dir = tempfile::tempdir().unwrap();
    // Blank out every /Length with spaces, keeping byte offsets.
    let mut bytes = memo();
    let mut i = 0;
    while let Some(k) = bytes[i..].windows(8).position(|w| w == b"/Length ") {
        let at = i + k;
        let end = at
            + 8
            + bytes[at + 8..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
        bytes[at..end].fill(b' ');
        i = end;
    }
    assert!(!bytes.windows(7).any(|w| w == b"/Length"));
    let p = write_tmp(dir.path(), "no-length.pdf", &bytes);
    let d = read_path(&p, &Limits::default()).unwrap();
    assert!(body_text(&d).contains("organisation of the work"), "{d:?}");
    assert!(
        d.warnings.iter().any(|w| w.contains("end marker")),
        "{:?}",
        d.warnings
    );
    // One page object listed twice: two pages, as viewers show them.
    let mut doc = lopdf::Document::load_mem(&memo()).unwrap();
    let pages = doc
        .catalog()
        .unwrap()
        .get(b"Pages")
        .unwrap()
        .as_reference()
        .unwrap();
    let first = *doc.get_pages().get(&1).unwrap();
    let tree = doc.get_dictionary_mut(pages).unwrap();
    tree.set(
        "Kids",
        vec![Object::Reference(first), Object::Reference(first)],
    );
    tree.set("Count", 2);
    let mut twice = Vec::new();
    doc.save_to(&mut twice).unwrap();
    let p = write_tmp(dir.path(), "twice.pdf", &twice);
    let d = read_path(&p, &Limits::default()).unwrap();
    assert_eq!(d.meta.pages, Some(2));
    assert_eq!(
        body_text(&d).matches("organisation of the work").count(),
        2,
        "{}",
        body_text(&d)
    );
}

/// A one-page PDF drawing `shown` (raw codes) in a Helvetica whose font
/// dictionary gets `extra` entries, with an optional ToUnicode CMap.
fn one_font(extra: lopdf::Dictionary, cmap: Option<&str>, shown: &[u8]) -> Vec<u8> {
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let mut font =
        dictionary! { "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "ABCDEF+Helvetica" };
    for (k, v) in extra.into_iter() {
        font.set(k, v);
    }
    if let Some(c) = cmap {
        let id = doc.add_object(Stream::new(dictionary! {}, c.as_bytes().to_vec()));
        font.set("ToUnicode", id);
    }
    let f = doc.add_object(font);
    let mut content = b"BT /F1 12 Tf 72 700 Td (".to_vec();
    for &b in shown {
        if matches!(b, b'(' | b')' | b'\\') {
            content.push(b'\\');
        }
        content.push(b);
    }
    content.extend_from_slice(b") Tj ET\n");
    let c = doc.add_object(Stream::new(dictionary! {}, content));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => c,
        "Resources" => dictionary! { "Font" => dictionary! { "F1" => f } },
        "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let cat = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", cat);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

const CMAP_HEAD: &str = "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n\
/CMapName /Test def 1 begincodespacerange <00> <FF> endcodespacerange\n";
const CMAP_TAIL: &str = "endcmap CMapName currentdict /CMap defineresource pop end end\n";

/// Text that pdftotext reads is read: a subset font's valid ToUnicode map
/// wins over its /Encoding (its codes are glyph numbers, 29 below ASCII),
/// and a font whose map is empty falls back to its encoding.
#[test]
fn to_unicode_maps_are_honoured_and_empty_ones_fall_back() {
    let dir = tempfile::tempdir().unwrap();
    let word = "Helvetica Neue";
    let shifted: Vec<u8> = word.bytes().map(|b| b - 29).collect();
    let map = format!("{CMAP_HEAD}1 beginbfrange <03> <5D> <0020> endbfrange\n{CMAP_TAIL}");
    let pdf = one_font(
        dictionary! { "Encoding" => "WinAnsiEncoding" },
        Some(&map),
        &shifted,
    );
    let d = read_path(
        &write_tmp(dir.path(), "subset.pdf", &pdf),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(body_text(&d).trim(), word);
    let empty = format!("{CMAP_HEAD}{CMAP_TAIL}");
    let pdf = one_font(dictionary! {}, Some(&empty), word.as_bytes());
    let d = read_path(
        &write_tmp(dir.path(), "empty-map.pdf", &pdf),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(body_text(&d).trim(), word);
    // A valid map in the form TeX writes it (PostScript comments, entries
    // with key and value on lines of their own), which lopdf's CMap parser
    // refuses: repaired, not lost.
    let tex = "%!PS-Adobe-3.0 Resource-CMap\n%%DocumentNeededResources: ProcSet (CIDInit)\n\
/CIDInit /ProcSet findresource begin\n  12 dict begin\n    begincmap\n\
      /CIDSystemInfo\n        << /Registry (TeX) /Ordering (X) /Supplement 0 >>\n      def\n\
      /CMapName\n        /TeX-Identity-X\n      def\n      /CMapType\n        2\n      def\n\
      1 begincodespacerange\n        <0000> <FFFF>\n      endcodespacerange\n\
      1 beginbfrange\n<0003> <005D> <0020>\n      endbfrange\n    endcmap\n\
    CMapName currentdict /CMap defineresource pop\n  end\nend\n%%EOF\n";
    let two_byte: Vec<u8> = shifted.iter().flat_map(|&b| [0, b]).collect();
    let pdf = one_font(
        dictionary! { "Subtype" => "Type0", "Encoding" => "Identity-H" },
        Some(tex),
        &two_byte,
    );
    let d = read_path(
        &write_tmp(dir.path(), "tex-map.pdf", &pdf),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(body_text(&d).trim(), word);
    // A two-byte font without any map: read byte by byte (as some
    // producers mean it), with a warning that the text may be garbled.
    let pdf = one_font(
        dictionary! { "Subtype" => "Type0", "Encoding" => "Identity-H" },
        None,
        b"Lorem ipsum",
    );
    let d = read_path(
        &write_tmp(dir.path(), "no-map.pdf", &pdf),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(body_text(&d).trim(), "Lorem ipsum");
    assert!(
        d.warnings.iter().any(|w| w.contains("no character map")),
        "{:?}",
        d.warnings
    );
    // A map for some codes only: the others come from the encoding.
    let partial = format!("{CMAP_HEAD}1 beginbfchar <48> <0048> endbfchar\n{CMAP_TAIL}");
    let pdf = one_font(
        dictionary! { "Encoding" => "WinAnsiEncoding" },
        Some(&partial),
        word.as_bytes(),
    );
    let d = read_path(
        &write_tmp(dir.path(), "partial.pdf", &pdf),
        &Limits::default(),
    )
    .unwrap();
    assert_eq!(body_text(&d).trim(), word);
}

#[test]
fn bad_pdfs_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (path, words) in bad_inputs(dir.path()) {
        let e = read_path(&path, &Limits::default()).expect_err(&path.display().to_string());
        let msg = e.to_string();
        assert!(msg.starts_with(&path.display().to_string()), "{msg}");
        assert!(
            !matches!(
                e.kind,
                IngestErrorKind::Panic(_) | IngestErrorKind::Timeout(_)
            ),
            "{msg}"
        );
        for w in words {
            assert!(
                msg.to_lowercase().contains(&w.to_lowercase()),
                "{msg} lacks {w}"
            );
        }
    }
}

#[test]
fn bad_pdfs_through_the_binary_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = bad_inputs(dir.path());
    for (path, _) in &bad {
        let out = bpfpress(["ingest".as_ref(), path.as_os_str()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.starts_with("error: ") && err.contains(&path.display().to_string()),
            "{err}"
        );
    }
    // A batch goes on past the bad files.
    let out = bpfpress(["ingest"])
        .arg(&bad[0].0)
        .arg(root().join("fixtures/pdf/encrypted-empty-user-password.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("A. Introduction"));
}

#[test]
fn decompression_and_page_caps_hold() {
    let small = Limits {
        max_pdf_decompressed: 1000,
        ..Limits::default()
    };
    let e = read_path(&root().join(LO), &small).unwrap_err();
    assert!(matches!(e.kind, IngestErrorKind::TooLarge { .. }), "{e}");
    let few = Limits {
        max_pages: 10,
        ..Limits::default()
    };
    let e = read_path(&root().join(LO), &few).unwrap_err();
    assert!(e.to_string().contains("10 pages"), "{e}");
}

#[test]
fn cyclic_outline_is_ignored_with_a_warning() {
    let mut doc = lopdf::Document::load_mem(&memo()).unwrap();
    let page1 = *doc.get_pages().get(&1).unwrap();
    let outlines = doc.new_object_id();
    let item = doc.new_object_id();
    doc.objects.insert(
        item,
        Object::Dictionary(dictionary! {
            "Title" => Object::string_literal("1. Section number 1"), "Parent" => outlines,
            "Dest" => vec![page1.into(), "Fit".into()],
            "Next" => item, // a cycle: lopdf itself would loop here
        }),
    );
    doc.objects.insert(
        outlines,
        Object::Dictionary(
            dictionary! { "Type" => "Outlines", "First" => item, "Last" => item, "Count" => 1 },
        ),
    );
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    doc.get_dictionary_mut(root)
        .unwrap()
        .set("Outlines", outlines);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let p = write_tmp(dir.path(), "cyclic-outline.pdf", &bytes);
    let d = read_path(&p, &Limits::default()).unwrap();
    assert!(
        d.warnings
            .iter()
            .any(|w| w.contains("outline") && w.contains("cycle")),
        "{:?}",
        d.warnings
    );
    // Headings then come from font statistics.
    assert_eq!(headings(&d).len(), 3);
}

#[test]
fn crafted_info_and_xmp_metadata() {
    let mut doc = lopdf::Document::load_mem(&memo()).unwrap();
    let info = doc.add_object(dictionary! {
        "Title" => Object::string_literal("Info title"),
        "Author" => Object::string_literal("Ana Author, Ben Writer"),
        "Keywords" => Object::string_literal("IGF; BPF"),
        "CreationDate" => Object::string_literal("D:20201115093000+01'00'"),
    });
    doc.trailer.set("Info", info);
    let xmp = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
<dc:title><rdf:Alt><rdf:li xml:lang="x-default">XMP title</rdf:li></rdf:Alt></dc:title>
<dc:creator><rdf:Seq><rdf:li>Ana Author</rdf:li><rdf:li>Ben Writer</rdf:li></rdf:Seq></dc:creator>
<dc:language><rdf:Bag><rdf:li>en-GB</rdf:li></rdf:Bag></dc:language>
<xmp:CreateDate>2020-11-16T10:00:00Z</xmp:CreateDate>
</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#;
    let meta = doc.add_object(Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xmp.as_bytes().to_vec(),
    ));
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    doc.get_dictionary_mut(root).unwrap().set("Metadata", meta);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let d = bpfpress::ingest::read_bytes(bytes.clone(), "mem.pdf", &Limits::default()).unwrap();
    // XMP wins over Info where both speak.
    assert_eq!(d.meta.title.as_deref(), Some("XMP title"));
    assert_eq!(d.meta.authors, ["Ana Author", "Ben Writer"]);
    assert_eq!(d.meta.language.as_deref(), Some("en-GB"));
    assert_eq!(d.meta.date.as_deref(), Some("2020-11-16"));
    assert_eq!(d.meta.keywords, ["IGF", "BPF"]);
    assert_eq!(d.meta.pages, Some(3));
    assert_eq!(d.meta.format, bpfpress::model::Format::Pdf);
    // Without the XMP packet the Info dictionary is used.
    let mut doc = lopdf::Document::load_mem(&bytes).unwrap();
    doc.get_dictionary_mut(root).unwrap().remove(b"Metadata");
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let d = bpfpress::ingest::read_bytes(bytes, "mem.pdf", &Limits::default()).unwrap();
    assert_eq!(d.meta.title.as_deref(), Some("Info title"));
    assert_eq!(d.meta.authors, ["Ana Author", "Ben Writer"]);
    assert_eq!(d.meta.date.as_deref(), Some("2020-11-15"));
}

#[test]
fn crafted_bullets_become_nested_lists() {
    let mut c = text(&[
        (
            "F1",
            10.0,
            72.0,
            "The group agreed on three points for the coming year of work:",
            700.0,
        ),
        (
            "F1",
            10.0,
            72.0,
            "\\225 first point, which is long enough to wrap onto a second",
            680.0,
        ),
        ("F1", 10.0, 84.0, "line of text under the bullet", 666.0),
        (
            "F1",
            10.0,
            90.0,
            "\\226 a sub-point of the first point",
            652.0,
        ),
        ("F1", 10.0, 72.0, "\\225 second point", 638.0),
        ("F1", 10.0, 72.0, "\\225 third point", 624.0),
    ]);
    c.push_str(&text(&[(
        "F1",
        10.0,
        72.0,
        "After the list the text goes on as an ordinary paragraph again.",
        596.0,
    )]));
    let dir = tempfile::tempdir().unwrap();
    let p = write_tmp(dir.path(), "list.pdf", &craft(&[c]));
    let d = read_path(&p, &Limits::default()).unwrap();
    let kinds: Vec<&str> = d
        .blocks
        .iter()
        .map(|b| match b {
            Block::Paragraph { .. } => "p",
            Block::List { .. } => "list",
            _ => "other",
        })
        .collect();
    assert_eq!(kinds, ["p", "list", "p"], "{:#?}", d.blocks);
    let Block::List { list, .. } = &d.blocks[1] else {
        unreachable!()
    };
    assert!(!list.ordered);
    let items: Vec<String> = list
        .items
        .iter()
        .map(|i| bpfpress::model::inlines_text(&i.inlines))
        .collect();
    assert_eq!(
        items,
        [
            "first point, which is long enough to wrap onto a second line of text under the bullet",
            "second point",
            "third point"
        ]
    );
    let sub = &list.items[0].children;
    assert_eq!(sub.len(), 1);
    assert_eq!(
        bpfpress::model::inlines_text(&sub[0].items[0].inlines),
        "a sub-point of the first point"
    );
}
