//! Content-stream walk: a page of a loaded [`lopdf::Document`] in, positioned
//! glyphs out, then glyphs grouped into [`Line`]s in reading order.
//!
//! The walk tracks the graphics state (`q`/`Q`/`cm`) and the text state
//! (`Tf`, `Tc`, `Tw`, `Tz`, `TL`, `Ts`, `Tm`, `Td`, `TD`, `T*`), decodes every
//! character code through the font's ToUnicode CMap or simple encoding
//! (lopdf's [`lopdf::Encoding`]), and advances by the glyph widths from the
//! font dictionary (`/Widths`, or `/W` of a CID font), so word gaps can be
//! measured instead of guessed. Form XObjects (`Do`) are walked with their own
//! matrix and resources, to a bounded depth. Image XObjects and inline images
//! are counted so an image-only page can be told apart from an empty one.
//!
//! Lines: glyph runs are merged by baseline (superscripts included, text that
//! overlaps on one baseline kept apart), sorted top to bottom (single-column
//! reading order), rotated text is grouped in its own frame, and lines that
//! are mostly right-to-left are turned from visual into logical order.

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Encoding, Object, ObjectId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use unicode_normalization::UnicodeNormalization;

/// Deepest nesting of form XObjects followed.
const MAX_FORM_DEPTH: usize = 12;
/// Most form XObjects drawn on one page (forms drawing forms many times over
/// would otherwise multiply without end).
const MAX_FORMS_PER_PAGE: usize = 10_000;
/// Most glyphs kept for one page (a hostile page cannot grow memory without end).
const MAX_GLYPHS_PER_PAGE: usize = 500_000;

/// One decoded glyph in user space (PDF points, y up).
#[derive(Debug, Clone)]
pub struct Glyph {
    pub x: f32,
    pub y: f32,
    /// Advance width in user space.
    pub w: f32,
    /// Effective font size in user space.
    pub size: f32,
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    /// Writing direction in quarter turns counter-clockwise (0 = left to right).
    pub dir: u8,
}

impl Glyph {
    fn is_space(&self) -> bool {
        self.text.chars().all(char::is_whitespace)
    }
}

/// What one page gave.
#[derive(Debug, Default)]
pub struct PageText {
    pub glyphs: Vec<Glyph>,
    /// Image XObjects and inline images drawn on the page.
    pub images: usize,
    /// Page height (from the MediaBox), for the header/footer zones.
    pub height: f32,
    /// Lowest y of the MediaBox.
    pub bottom: f32,
}

/// A 2D affine matrix `[a b c d e f]` as in PDF.
#[derive(Debug, Clone, Copy)]
struct M([f32; 6]);

impl M {
    const ID: M = M([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);
    /// `self` then `o` (row-vector convention of the PDF spec: self × o).
    fn then(self, o: M) -> M {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = o.0;
        M([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }
    fn translate(tx: f32, ty: f32) -> M {
        M([1.0, 0.0, 0.0, 1.0, tx, ty])
    }
    fn from_operands(ops: &[Object]) -> Option<M> {
        if ops.len() < 6 {
            return None;
        }
        let mut m = [0.0; 6];
        for (i, o) in ops.iter().take(6).enumerate() {
            m[i] = o.as_float().ok()?;
        }
        if m.iter().all(|v| v.is_finite()) {
            Some(M(m))
        } else {
            None
        }
    }
}

/// What we need of a font to place and decode its glyphs.
pub struct FontInfo<'a> {
    enc: Option<Encoding<'a>>,
    /// The text of each code of a simple (one-byte) font ([`simple_table`]).
    simple: Option<Vec<String>>,
    /// A two-byte font with no usable character map. lopdf then reads each
    /// byte of a code on its own, which is right for the producers that put
    /// one-byte text in such a font (pdftotext reads nothing there) and
    /// wrong where the codes are glyph numbers. Reading the codes as Unicode
    /// instead was tried on pdf.js's corpus: it fixed some files (Czech,
    /// Japanese) and garbled as many (ASCII text), so the reader keeps
    /// lopdf's reading and warns.
    pub unmapped: bool,
    /// Bytes per character code (2 for Type0/CID fonts, else 1).
    code_len: usize,
    widths: HashMap<u32, f32>,
    default_width: f32,
    /// Glyph-space to text-space scale of widths (1/1000, or FontMatrix a for Type3).
    width_scale: f32,
    bold: bool,
    italic: bool,
    cache: RefCell<HashMap<u32, String>>,
}

impl<'a> FontInfo<'a> {
    fn load(doc: &'a Document, font: &'a Dictionary, budget: usize) -> FontInfo<'a> {
        let subtype = font
            .get(b"Subtype")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let base = font
            .get(b"BaseFont")
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).to_lowercase())
            .unwrap_or_default();
        let enc = font.get_font_encoding_with_limit(doc, budget).ok();
        let simple = (subtype != b"Type0").then(|| simple_table(doc, font, budget, enc.is_some()));
        // lopdf falls back to a one-byte encoding when a two-byte font's map
        // is missing or unreadable.
        let unmapped =
            subtype == b"Type0" && matches!(enc, None | Some(Encoding::OneByteEncoding(_)));
        let mut info = FontInfo {
            enc,
            simple,
            unmapped,
            code_len: 1,
            widths: HashMap::new(),
            default_width: if base.contains("courier") {
                600.0
            } else {
                500.0
            },
            width_scale: 0.001,
            bold: false,
            italic: false,
            cache: RefCell::new(HashMap::new()),
        };
        let mut descriptor = font
            .get_deref(b"FontDescriptor", doc)
            .and_then(Object::as_dict)
            .ok();
        if subtype == b"Type0" {
            info.code_len = 2;
            info.default_width = 1000.0;
            let desc = font
                .get_deref(b"DescendantFonts", doc)
                .and_then(Object::as_array)
                .ok()
                .and_then(|a| a.first())
                .and_then(|o| doc.dereference(o).ok())
                .and_then(|(_, o)| o.as_dict().ok());
            if let Some(d) = desc {
                if let Ok(dw) = d.get_deref(b"DW", doc).and_then(Object::as_float) {
                    info.default_width = dw;
                }
                if let Ok(w) = d.get_deref(b"W", doc).and_then(Object::as_array) {
                    parse_cid_widths(doc, w, &mut info.widths);
                }
                if descriptor.is_none() {
                    descriptor = d
                        .get_deref(b"FontDescriptor", doc)
                        .and_then(Object::as_dict)
                        .ok();
                }
            }
        } else {
            if subtype == b"Type3"
                && let Ok(m) = font
                    .get_deref(b"FontMatrix", doc)
                    .and_then(Object::as_array)
                && let Some(a) = m.first().and_then(|o| o.as_float().ok())
                && a.is_finite()
            {
                info.width_scale = a;
            }
            let first = font
                .get_deref(b"FirstChar", doc)
                .and_then(Object::as_i64)
                .unwrap_or(0)
                .clamp(0, 0xFFFF) as u32;
            if let Ok(ws) = font.get_deref(b"Widths", doc).and_then(Object::as_array) {
                for (i, w) in ws.iter().take(0x10000).enumerate() {
                    if let Ok((_, w)) = doc.dereference(w)
                        && let Ok(w) = w.as_float()
                    {
                        info.widths.insert(first + i as u32, w);
                    }
                }
            }
        }
        if let Some(d) = descriptor {
            if let Ok(mw) = d.get_deref(b"MissingWidth", doc).and_then(Object::as_float)
                && mw > 0.0
            {
                info.default_width = mw;
            }
            let flags = d
                .get_deref(b"Flags", doc)
                .and_then(Object::as_i64)
                .unwrap_or(0);
            let weight = d
                .get_deref(b"FontWeight", doc)
                .and_then(Object::as_float)
                .unwrap_or(0.0);
            info.bold |= flags & (1 << 18) != 0 || weight >= 600.0;
            info.italic |= flags & (1 << 6) != 0;
        }
        // Subset prefix "ABCDEF+" does not matter; style words in the name do.
        info.bold |= ["bold", "black", "heavy", "semibold", "demi"]
            .iter()
            .any(|w| base.contains(w));
        info.italic |= base.contains("italic") || base.contains("oblique");
        info
    }

    fn width(&self, code: u32) -> f32 {
        self.widths
            .get(&code)
            .copied()
            .unwrap_or(self.default_width)
            * self.width_scale
    }

    fn decode(&self, code: u32) -> String {
        if let Some(s) = self.cache.borrow().get(&code) {
            return s.clone();
        }
        let bytes: Vec<u8> = if self.code_len == 2 {
            vec![(code >> 8) as u8, code as u8]
        } else {
            vec![code as u8]
        };
        let raw = match (&self.simple, &self.enc) {
            (Some(table), _) => table.get(code as usize).cloned().unwrap_or_default(),
            (None, Some(e)) => e.bytes_to_string(&bytes).unwrap_or_default(),
            (None, None) if self.code_len == 1 => (code as u8 as char).to_string(),
            (None, None) => String::new(),
        };
        // NFKC: ligatures (ﬁ → fi), compatibility forms; drop control characters
        // and the replacement character of unmapped codes.
        let s: String = raw
            .nfkc()
            .filter(|c| !c.is_control() && *c != '\u{FFFD}' && *c != '\u{AD}' || *c == '\t')
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        self.cache.borrow_mut().insert(code, s.clone());
        s
    }
}

/// The text of each code of a simple font, as pdftotext reads it: the
/// font's ToUnicode map where it gives a character, else the font's
/// encoding (`/Encoding` with its `/Differences`, else the standard
/// encoding; Latin-1 when the font dictionary is too broken for either).
///
/// lopdf reads `/Encoding` and ignores `/ToUnicode` when a font has both,
/// so a subset font whose codes are glyph numbers came out shifted
/// (`+HOYHWLFD` for "Helvetica"); and an empty or partial map gave no text
/// at all for the codes it lacks. Each is read here on its own, from a copy
/// of the font dictionary holding only that entry.
fn simple_table(doc: &Document, font: &Dictionary, budget: usize, known: bool) -> Vec<String> {
    let only = |keep: &[u8], drop: &[u8]| {
        let mut d = font.clone();
        d.remove(drop);
        d.set("Type", Object::Name(b"Font".to_vec()));
        (d.has(keep) || keep == b"Encoding").then_some(d)
    };
    let table = |d: Option<Dictionary>| -> Option<Vec<String>> {
        let d = d?;
        let enc = d.get_font_encoding_with_limit(doc, budget).ok()?;
        Some(
            (0..=255u8)
                .map(|b| enc.bytes_to_string(&[b]).unwrap_or_default())
                .collect(),
        )
    };
    let usable = |s: &str| s.chars().any(|c| !c.is_control() && c != '\u{FFFD}');
    let map = if font.has(b"ToUnicode") {
        table(only(b"ToUnicode", b"Encoding"))
    } else {
        None
    };
    let encoding = if known {
        table(only(b"Encoding", b"ToUnicode"))
    } else {
        None
    };
    (0..=255u8)
        .map(|b| {
            let from_map = map
                .as_ref()
                .map(|m| m[b as usize].as_str())
                .filter(|s| usable(s));
            match (from_map, &encoding) {
                (Some(s), _) => s.to_string(),
                (None, Some(e)) => e[b as usize].clone(),
                (None, None) => char::from(b).to_string(),
            }
        })
        .collect()
}

fn parse_cid_widths(doc: &Document, w: &[Object], out: &mut HashMap<u32, f32>) {
    let num = |o: &Object| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok());
    let mut i = 0;
    while i < w.len() && out.len() < 0x10000 {
        let Some(first) = num(&w[i]) else { break };
        let first = first.max(0.0) as u32;
        match w
            .get(i + 1)
            .and_then(|o| doc.dereference(o).ok())
            .map(|(_, o)| o)
        {
            Some(Object::Array(arr)) => {
                for (k, v) in arr.iter().take(0x10000).enumerate() {
                    if let Some(v) = num(v) {
                        out.insert(first.saturating_add(k as u32), v);
                    }
                }
                i += 2;
            }
            Some(o) => {
                let (Ok(last), Some(v)) = (o.as_float(), w.get(i + 2).and_then(num)) else {
                    break;
                };
                let last = (last.max(0.0) as u32).min(first.saturating_add(0xFFFF));
                for c in first..=last {
                    out.insert(c, v);
                }
                i += 3;
            }
            None => break,
        }
    }
}

#[derive(Clone)]
struct GState<'a> {
    ctm: M,
    font: Option<Rc<FontInfo<'a>>>,
    size: f32,
    tc: f32,
    tw: f32,
    th: f32,
    tl: f32,
    rise: f32,
}

/// Walks the content streams of one document, sharing a font cache and a
/// decompression budget across pages.
pub struct Walker<'a> {
    doc: &'a Document,
    fonts: HashMap<usize, Rc<FontInfo<'a>>>,
    /// Bytes of decompressed content still allowed.
    pub budget: usize,
    /// Set when the budget ran out.
    pub exhausted: bool,
    /// Content streams that could not be decoded (their text is missing).
    pub damaged: usize,
    /// Fonts used that give no character map ([`FontInfo::unmapped`]).
    pub unmapped_fonts: usize,
}

struct Run<'w, 'a> {
    w: &'w mut Walker<'a>,
    out: PageText,
    gs: GState<'a>,
    stack: Vec<GState<'a>>,
    tm: M,
    tlm: M,
    forms: usize,
}

impl<'a> Walker<'a> {
    pub fn new(doc: &'a Document, budget: usize) -> Self {
        Walker {
            doc,
            fonts: HashMap::new(),
            budget,
            exhausted: false,
            damaged: 0,
            unmapped_fonts: 0,
        }
    }

    /// Walk one page. Errors inside a content stream end that stream's walk
    /// (what was read so far is kept), like viewers do.
    pub fn page(&mut self, page_id: ObjectId) -> PageText {
        let doc = self.doc;
        let (height, bottom) = media_box(doc, page_id);
        let resources = page_resources(doc, page_id);
        let mut data = Vec::new();
        for id in doc.get_page_contents(page_id) {
            if let Ok(s) = doc.get_object(id).and_then(Object::as_stream) {
                match self.stream_bytes(s) {
                    Some(b) => {
                        data.extend_from_slice(&b);
                        data.push(b'\n');
                    }
                    None => break,
                }
            }
        }
        let gs = GState {
            ctm: M::ID,
            font: None,
            size: 0.0,
            tc: 0.0,
            tw: 0.0,
            th: 1.0,
            tl: 0.0,
            rise: 0.0,
        };
        let mut run = Run {
            w: self,
            out: PageText {
                height,
                bottom,
                ..PageText::default()
            },
            gs,
            stack: Vec::new(),
            tm: M::ID,
            tlm: M::ID,
            forms: 0,
        };
        run.walk(&data, &resources, 0);
        run.out
    }

    fn stream_bytes(&mut self, s: &lopdf::Stream) -> Option<Vec<u8>> {
        if self.budget == 0 {
            self.exhausted = true;
            return None;
        }
        let bytes = if s.dict.get(b"Filter").is_ok() {
            match s.decompressed_content_with_limit(self.budget) {
                Ok(b) => b,
                Err(lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
                    ..
                })) => {
                    self.exhausted = true;
                    return None;
                }
                // An undecodable stream contributes nothing; the rest of the page still counts.
                Err(_) => {
                    self.damaged += 1;
                    return Some(Vec::new());
                }
            }
        } else {
            s.content.clone()
        };
        if bytes.len() > self.budget {
            self.exhausted = true;
            return None;
        }
        self.budget -= bytes.len();
        Some(bytes)
    }

    fn font(&mut self, dict: &'a Dictionary) -> Rc<FontInfo<'a>> {
        let key = dict as *const Dictionary as usize;
        if let Some(f) = self.fonts.get(&key) {
            return f.clone();
        }
        let f = Rc::new(FontInfo::load(self.doc, dict, self.budget.max(1)));
        self.unmapped_fonts += usize::from(f.unmapped);
        self.fonts.insert(key, f.clone());
        f
    }
}

/// The page's resource dictionaries, nearest first (inherited through /Parent).
fn page_resources(doc: &Document, page_id: ObjectId) -> Vec<&Dictionary> {
    let mut out = Vec::new();
    if let Ok((dict, ids)) = doc.get_page_resources(page_id) {
        out.extend(dict);
        for id in ids {
            if let Ok(d) = doc.get_dictionary(id) {
                out.push(d);
            }
        }
    }
    out
}

fn media_box(doc: &Document, page_id: ObjectId) -> (f32, f32) {
    let mut id = page_id;
    for _ in 0..64 {
        let Ok(d) = doc.get_dictionary(id) else { break };
        if let Ok(mb) = d.get_deref(b"MediaBox", doc).and_then(Object::as_array) {
            let v: Vec<f32> = mb
                .iter()
                .filter_map(|o| doc.dereference(o).ok().and_then(|(_, o)| o.as_float().ok()))
                .collect();
            if v.len() == 4 && (v[3] - v[1]).abs() > 1.0 && v.iter().all(|x| x.is_finite()) {
                return ((v[3] - v[1]).abs(), v[1].min(v[3]));
            }
        }
        match d.get(b"Parent").and_then(Object::as_reference) {
            Ok(p) => id = p,
            Err(_) => break,
        }
    }
    (792.0, 0.0)
}

fn lookup<'a>(
    doc: &'a Document,
    resources: &[&'a Dictionary],
    kind: &[u8],
    name: &[u8],
) -> Option<&'a Object> {
    resources.iter().find_map(|r| {
        let sub = r.get_deref(kind, doc).and_then(Object::as_dict).ok()?;
        let o = sub.get(name).ok()?;
        doc.dereference(o).ok().map(|(_, o)| o)
    })
}

impl<'a> Run<'_, 'a> {
    fn walk(&mut self, data: &[u8], resources: &[&'a Dictionary], depth: usize) {
        let doc = self.w.doc;
        for op in Content::decode_iter(data) {
            let Ok(op) = op else { break };
            if self.out.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
                break;
            }
            let o = &op.operands;
            let f = |i: usize| {
                o.get(i)
                    .and_then(|x| x.as_float().ok())
                    .filter(|v| v.is_finite())
            };
            match op.operator.as_str() {
                "q" if self.stack.len() < 256 => self.stack.push(self.gs.clone()),
                "Q" => {
                    if let Some(g) = self.stack.pop() {
                        self.gs = g;
                    }
                }
                "cm" => {
                    if let Some(m) = M::from_operands(o) {
                        self.gs.ctm = m.then(self.gs.ctm);
                    }
                }
                "BT" => {
                    self.tm = M::ID;
                    self.tlm = M::ID;
                }
                "Tf" => {
                    if let Some(s) = f(1) {
                        self.gs.size = s;
                    }
                    let name = o.first().and_then(|n| n.as_name().ok());
                    self.gs.font = name
                        .and_then(|n| lookup(doc, resources, b"Font", n))
                        .and_then(|o| o.as_dict().ok())
                        .map(|d| self.w.font(d));
                }
                "Tc" => self.gs.tc = f(0).unwrap_or(0.0),
                "Tw" => self.gs.tw = f(0).unwrap_or(0.0),
                "Tz" => self.gs.th = f(0).unwrap_or(100.0) / 100.0,
                "TL" => self.gs.tl = f(0).unwrap_or(0.0),
                "Ts" => self.gs.rise = f(0).unwrap_or(0.0),
                "Td" | "TD" => {
                    let (tx, ty) = (f(0).unwrap_or(0.0), f(1).unwrap_or(0.0));
                    if op.operator == "TD" {
                        self.gs.tl = -ty;
                    }
                    self.tlm = M::translate(tx, ty).then(self.tlm);
                    self.tm = self.tlm;
                }
                "Tm" => {
                    if let Some(m) = M::from_operands(o) {
                        self.tlm = m;
                        self.tm = m;
                    }
                }
                "T*" => self.next_line(),
                "Tj" => {
                    if let Some(Ok(s)) = o.first().map(Object::as_str) {
                        self.show(s);
                    }
                }
                "'" => {
                    self.next_line();
                    if let Some(Ok(s)) = o.first().map(Object::as_str) {
                        self.show(s);
                    }
                }
                "\"" => {
                    self.gs.tw = f(0).unwrap_or(self.gs.tw);
                    self.gs.tc = f(1).unwrap_or(self.gs.tc);
                    self.next_line();
                    if let Some(Ok(s)) = o.get(2).map(Object::as_str) {
                        self.show(s);
                    }
                }
                "TJ" => {
                    if let Some(Ok(arr)) = o.first().map(Object::as_array) {
                        for item in arr {
                            match item {
                                Object::String(s, _) => self.show(s),
                                other => {
                                    if let Ok(n) = other.as_float()
                                        && n.is_finite()
                                    {
                                        let tx = -n / 1000.0 * self.gs.size * self.gs.th;
                                        self.tm = M::translate(tx, 0.0).then(self.tm);
                                    }
                                }
                            }
                        }
                    }
                }
                "BI" | "EI" => self.out.images += 1,
                "Do" => {
                    let Some(name) = o.first().and_then(|n| n.as_name().ok()) else {
                        continue;
                    };
                    let Some(Ok(xs)) =
                        lookup(doc, resources, b"XObject", name).map(Object::as_stream)
                    else {
                        continue;
                    };
                    match xs.dict.get(b"Subtype").and_then(Object::as_name) {
                        Ok(b"Image") => self.out.images += 1,
                        Ok(b"Form")
                            if depth < MAX_FORM_DEPTH && self.forms < MAX_FORMS_PER_PAGE =>
                        {
                            self.forms += 1;
                            self.form(xs, resources, depth)
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
    }

    fn form(&mut self, xs: &'a lopdf::Stream, outer: &[&'a Dictionary], depth: usize) {
        let doc = self.w.doc;
        let Some(data) = self.w.stream_bytes(xs) else {
            return;
        };
        let mut res: Vec<&'a Dictionary> = Vec::new();
        if let Ok(r) = xs
            .dict
            .get_deref(b"Resources", doc)
            .and_then(Object::as_dict)
        {
            res.push(r);
        }
        res.extend_from_slice(outer);
        let matrix = xs
            .dict
            .get_deref(b"Matrix", doc)
            .and_then(Object::as_array)
            .ok()
            .and_then(|a| M::from_operands(a))
            .unwrap_or(M::ID);
        let saved = (self.gs.clone(), self.tm, self.tlm, self.stack.len());
        self.gs.ctm = matrix.then(self.gs.ctm);
        self.walk(&data, &res, depth + 1);
        self.stack.truncate(saved.3);
        self.gs = saved.0;
        self.tm = saved.1;
        self.tlm = saved.2;
    }

    fn next_line(&mut self) {
        self.tlm = M::translate(0.0, -self.gs.tl).then(self.tlm);
        self.tm = self.tlm;
    }

    fn show(&mut self, s: &[u8]) {
        let Some(font) = self.gs.font.clone() else {
            return;
        };
        let gs = &self.gs;
        let step = font.code_len;
        let mut i = 0;
        while i < s.len() {
            if self.out.glyphs.len() >= MAX_GLYPHS_PER_PAGE {
                return;
            }
            let code = if step == 2 && i + 1 < s.len() {
                (u32::from(s[i]) << 8) | u32::from(s[i + 1])
            } else {
                u32::from(s[i])
            };
            i += step;
            let w0 = font.width(code);
            let trm = M([gs.size * gs.th, 0.0, 0.0, gs.size, 0.0, gs.rise])
                .then(self.tm)
                .then(gs.ctm);
            let text = font.decode(code);
            let size = (trm.0[2] * trm.0[2] + trm.0[3] * trm.0[3]).sqrt();
            let xscale = (trm.0[0] * trm.0[0] + trm.0[1] * trm.0[1]).sqrt();
            let word_space = if step == 1 && code == 32 { gs.tw } else { 0.0 };
            let tx = (w0 * gs.size + gs.tc + word_space) * gs.th;
            if !text.is_empty() && size.is_finite() && size > 0.0 {
                let angle = trm.0[1].atan2(trm.0[0]);
                let dir =
                    ((angle / std::f32::consts::FRAC_PI_2).round() as i32).rem_euclid(4) as u8;
                self.out.glyphs.push(Glyph {
                    x: trm.0[4],
                    y: trm.0[5],
                    w: w0 * xscale,
                    size,
                    text,
                    bold: font.bold,
                    italic: font.italic,
                    dir,
                });
            }
            self.tm = M::translate(tx, 0.0).then(self.tm);
        }
    }
}

/// A styled piece of a line.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
    /// Raised and smaller than the line's main text (a footnote reference).
    pub sup: bool,
}

/// One line of text on a page.
#[derive(Debug, Clone)]
pub struct Line {
    pub page: u32,
    /// Baseline y (user space, y up).
    pub y: f32,
    pub x0: f32,
    pub x1: f32,
    /// Size of the line's main (largest) text.
    pub size: f32,
    pub spans: Vec<Span>,
}

impl Line {
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
    /// Text without superscripts.
    pub fn main_text(&self) -> String {
        self.spans
            .iter()
            .filter(|s| !s.sup)
            .map(|s| s.text.as_str())
            .collect()
    }
    /// All non-space, non-superscript text is bold.
    pub fn bold(&self) -> bool {
        let mut any = false;
        for s in self
            .spans
            .iter()
            .filter(|s| !s.sup && !s.text.trim().is_empty())
        {
            if !s.bold {
                return false;
            }
            any = true;
        }
        any
    }
}

/// Group a page's glyphs into lines, top to bottom, with spaces where the
/// gap between glyphs exceeds a fraction of the font size. Rotated text
/// (quarter turns) is grouped in its own frame and follows the upright text.
pub fn lines(page: u32, glyphs: Vec<Glyph>) -> Vec<Line> {
    let mut by_dir: [Vec<Glyph>; 4] = Default::default();
    for mut g in glyphs {
        let (x, y) = (g.x, g.y);
        (g.x, g.y) = match g.dir {
            1 => (y, -x),
            2 => (-x, -y),
            3 => (-y, x),
            _ => (x, y),
        };
        by_dir[usize::from(g.dir & 3)].push(g);
    }
    // Upright text first; the most common rotation of a rotated page still reads in order.
    let mut out = Vec::new();
    for gs in by_dir {
        if !gs.is_empty() {
            out.extend(lines_upright(page, gs));
        }
    }
    out
}

fn lines_upright(page: u32, glyphs: Vec<Glyph>) -> Vec<Line> {
    // 1. Fragments in content order: runs of glyphs moving forward on one baseline.
    let mut frags: Vec<Vec<Glyph>> = Vec::new();
    for g in glyphs {
        let same = frags.last().and_then(|f| f.last()).is_some_and(|p| {
            let tol = 0.35 * p.size.max(g.size);
            (g.y - p.y).abs() < tol
                && g.x > p.x - 0.5 * p.size
                && g.x < p.x + p.w + 3.0 * p.size.max(g.size)
        });
        match frags.last_mut() {
            Some(f) if same => f.push(g),
            _ => frags.push(vec![g]),
        }
    }
    // 2. Merge fragments sharing a baseline (superscripts, numbers drawn apart).
    let base = |f: &Vec<Glyph>| {
        let big = f
            .iter()
            .filter(|g| !g.is_space())
            .max_by(|a, b| a.size.total_cmp(&b.size))
            .or(f.first());
        big.map(|g| (g.y, g.size)).unwrap_or((0.0, 0.0))
    };
    frags.sort_by(|a, b| base(b).0.total_cmp(&base(a).0));
    let span_of = |f: &[Glyph]| {
        let x0 = f.iter().map(|g| g.x).fold(f32::MAX, f32::min);
        let x1 = f.iter().map(|g| g.x + g.w).fold(f32::MIN, f32::max);
        (x0, x1)
    };
    // (baseline, size, glyphs, x-extents of the merged fragments)
    type Group = (f32, f32, Vec<Glyph>, Vec<(f32, f32)>);
    let mut groups: Vec<Group> = Vec::new();
    for f in frags {
        let (y, size) = base(&f);
        let (fx0, fx1) = span_of(&f);
        // Same baseline and no horizontal overlap: one line. Overlapping
        // text on one baseline (labels in a diagram) stays apart.
        let mut target = None;
        for (gi, g) in groups.iter().enumerate().rev().take(4) {
            let (gy, gsize) = (g.0, g.1);
            let big = gsize.max(size);
            let small_one = size.min(gsize) < 0.85 * big;
            let tol = if small_one { 0.55 * big } else { 0.3 * big };
            if (y - gy).abs() >= tol {
                continue;
            }
            let overlaps = g.3.iter().any(|&(a, b)| {
                let ov = fx1.min(b) - fx0.max(a);
                ov > 0.3 * (fx1 - fx0).min(b - a).max(0.1)
            });
            if !overlaps {
                target = Some(gi);
                break;
            }
        }
        match target {
            Some(gi) => {
                let g = &mut groups[gi];
                if size > g.1 {
                    g.0 = y;
                    g.1 = size;
                }
                g.2.extend(f);
                g.3.push((fx0, fx1));
            }
            None => groups.push((y, size, f, vec![(fx0, fx1)])),
        }
    }
    // 3. Each group → a line with spans; gap-based spaces.
    let mut out = Vec::new();
    for (y, size, mut gl, _) in groups {
        gl.sort_by(|a, b| a.x.total_cmp(&b.x));
        let mut spans: Vec<Span> = Vec::new();
        let mut prev_end: Option<f32> = None;
        let mut pending_space = false;
        let (mut x0, mut x1) = (f32::MAX, f32::MIN);
        for g in &gl {
            if g.is_space() {
                pending_space = true;
                continue;
            }
            let sup = g.size < 0.85 * size && g.y > y + 0.12 * size;
            if let Some(end) = prev_end
                && g.x - end > 0.18 * g.size.min(size).max(1.0)
            {
                pending_space = true;
            }
            // Overlapping duplicates (fake bold drawn twice) are skipped.
            if let Some(end) = prev_end
                && g.x < end - 0.6 * g.w.max(0.1)
                && spans
                    .last()
                    .is_some_and(|s| s.text.ends_with(g.text.as_str()))
            {
                continue;
            }
            x0 = x0.min(g.x);
            x1 = x1.max(g.x + g.w);
            let mut text = String::new();
            if pending_space && prev_end.is_some() {
                text.push(' ');
            }
            text.push_str(&g.text);
            pending_space = false;
            prev_end = Some(g.x + g.w);
            match spans.last_mut() {
                Some(s) if s.bold == g.bold && s.italic == g.italic && s.sup == sup => {
                    s.text.push_str(&text)
                }
                _ => {
                    // A space before a new span belongs to the earlier one.
                    if let Some(rest) = text.strip_prefix(' ')
                        && let Some(s) = spans.last_mut()
                    {
                        s.text.push(' ');
                        text = rest.to_string();
                    }
                    spans.push(Span {
                        text,
                        bold: g.bold,
                        italic: g.italic,
                        sup,
                    });
                }
            }
        }
        if spans.is_empty() {
            continue;
        }
        let spans = visual_to_logical(spans);
        out.push(Line {
            page,
            y,
            x0,
            x1,
            size,
            spans,
        });
    }
    out
}

fn is_rtl(c: char) -> bool {
    matches!(c as u32,
        0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
}

/// Glyphs come in visual order (left to right). A line whose letters are
/// mostly right-to-left (Arabic, Hebrew) is turned into logical order: runs
/// reversed, and the characters of right-to-left runs reversed; numbers and
/// Latin words inside keep their own order.
fn visual_to_logical(spans: Vec<Span>) -> Vec<Span> {
    let (mut rtl, mut ltr) = (0usize, 0usize);
    for c in spans.iter().flat_map(|s| s.text.chars()) {
        if is_rtl(c) {
            rtl += 1;
        } else if c.is_alphabetic() {
            ltr += 1;
        }
    }
    if rtl == 0 || rtl < ltr {
        return spans;
    }
    // (char, span index), visual order.
    let chars: Vec<(char, usize)> = spans
        .iter()
        .enumerate()
        .flat_map(|(i, s)| s.text.chars().map(move |c| (c, i)))
        .collect();
    // Runs: right-to-left letters (with neutral characters between them) vs. the rest.
    let mut runs: Vec<(bool, Vec<(char, usize)>)> = Vec::new();
    for &(c, i) in &chars {
        let kind = if is_rtl(c) {
            Some(true)
        } else if c.is_alphanumeric() {
            Some(false)
        } else {
            None // neutral: joins the current run
        };
        match (runs.last_mut(), kind) {
            (Some(r), None) => r.1.push((c, i)),
            (Some(r), Some(k)) if r.0 == k => r.1.push((c, i)),
            (_, k) => runs.push((k.unwrap_or(true), vec![(c, i)])),
        }
    }
    let mut logical: Vec<(char, usize)> = Vec::with_capacity(chars.len());
    for (is_r, mut run) in runs.into_iter().rev() {
        if is_r {
            run.reverse();
        } else {
            // Neutral characters trailing an LTR run (e.g. the space before the
            // next RTL word) belong before it in logical order.
            let keep = run
                .iter()
                .rposition(|(c, _)| c.is_alphanumeric())
                .map_or(0, |p| p + 1);
            let tail: Vec<_> = run.drain(keep..).rev().collect();
            logical.extend(tail);
        }
        logical.extend(run);
    }
    let mut out: Vec<Span> = Vec::new();
    for (c, i) in logical {
        match out.last_mut() {
            Some(s)
                if s.bold == spans[i].bold
                    && s.italic == spans[i].italic
                    && s.sup == spans[i].sup =>
            {
                s.text.push(c)
            }
            _ => out.push(Span {
                text: c.to_string(),
                ..spans[i].clone()
            }),
        }
    }
    let n = out.len();
    if let Some(first) = out.first_mut() {
        let t = first.text.trim_start().to_string();
        first.text = t;
    }
    if n > 0
        && let Some(last) = out.last_mut()
    {
        let t = last.text.trim_end().to_string();
        last.text = t;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(t: &str) -> Span {
        Span {
            text: t.into(),
            bold: false,
            italic: false,
            sup: false,
        }
    }

    #[test]
    fn rtl_lines_become_logical_order() {
        // "مرحبا بالعالم" drawn visually: the second word first, letters reversed.
        let visual = "ملاعلاب ابحرم";
        let out = visual_to_logical(vec![span(visual)]);
        assert_eq!(out[0].text, "مرحبا بالعالم");
        // Numbers inside keep their order.
        let out = visual_to_logical(vec![span("2020 ماع")]);
        assert_eq!(out[0].text, "عام 2020");
        // Latin lines are untouched.
        let out = visual_to_logical(vec![span("plain text")]);
        assert_eq!(out[0].text, "plain text");
    }
}
