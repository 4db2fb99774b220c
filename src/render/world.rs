//! The one typst [`World`] of bpfpress: what a template may see.
//!
//! Takes a [`Shared`] (fonts, standard library, template files — built once
//! per run and shared by every compile) and per-document virtual files
//! (`/data.json`); gives typst a world in which
//! - fonts are the bundled ones (typst-assets + `templates/fonts/`), plus any
//!   `.ttf`/`.otf` under `fonts/` of a `--template-dir` — never system fonts;
//! - files are the template folder (built in, or a directory on disk) and the
//!   virtual files, nothing else: paths are virtual (`/lib/brand.typ`), a
//!   path that resolves (through a symlink) outside the template folder is
//!   refused, packages (`@preview/…`) are refused, and error messages name
//!   virtual paths only;
//! - `today()` is a fixed date (document date or `SOURCE_DATE_EPOCH`), so
//!   the same input gives the same PDF.
//!
//! Sources and file bytes of the template folder are cached in [`Shared`]
//! for the whole run, so repeated compiles (hundreds of letters) hit
//! typst's memoisation instead of re-reading and re-parsing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The templates compiled into the binary: (virtual path, source). A
/// `static`, not a `const`: a const is copied into every place that uses it.
pub static BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("/report.typ", include_str!("../../templates/report.typ")),
    (
        "/lib/brand.typ",
        include_str!("../../templates/lib/brand.typ"),
    ),
    (
        "/lib/blocks.typ",
        include_str!("../../templates/lib/blocks.typ"),
    ),
    (
        "/takeaways.typ",
        include_str!("../../templates/takeaways.typ"),
    ),
    (
        "/summaries.typ",
        include_str!("../../templates/summaries.typ"),
    ),
    (
        "/lib/letterhead.typ",
        include_str!("../../templates/lib/letterhead.typ"),
    ),
    ("/letter.typ", include_str!("../../templates/letter.typ")),
    (
        "/press-release.typ",
        include_str!("../../templates/press-release.typ"),
    ),
    (
        "/letters/en.toml",
        include_str!("../../templates/letters/en.toml"),
    ),
    (
        "/letters/fr.toml",
        include_str!("../../templates/letters/fr.toml"),
    ),
    (
        "/letters/es.toml",
        include_str!("../../templates/letters/es.toml"),
    ),
    (
        "/letters/ar.toml",
        include_str!("../../templates/letters/ar.toml"),
    ),
    (
        "/letters/zh.toml",
        include_str!("../../templates/letters/zh.toml"),
    ),
    (
        "/letters/ru.toml",
        include_str!("../../templates/letters/ru.toml"),
    ),
];

/// Fonts bundled under `templates/fonts/` and compiled into the binary:
/// (path under `templates/`, bytes).
///
/// A `static`, not a `const`: a const's bytes are copied into every place
/// that uses it, and the fonts were in the binary twice (9.7 MB more).
pub static BUNDLED_FONTS: &[(&str, &[u8])] = &[
    (
        "fonts/noto-sans/NotoSans-Regular.ttf",
        include_bytes!("../../templates/fonts/noto-sans/NotoSans-Regular.ttf"),
    ),
    (
        "fonts/noto-sans/NotoSans-Bold.ttf",
        include_bytes!("../../templates/fonts/noto-sans/NotoSans-Bold.ttf"),
    ),
    (
        "fonts/noto-sans/NotoSans-Italic.ttf",
        include_bytes!("../../templates/fonts/noto-sans/NotoSans-Italic.ttf"),
    ),
    (
        "fonts/noto-sans/NotoSans-BoldItalic.ttf",
        include_bytes!("../../templates/fonts/noto-sans/NotoSans-BoldItalic.ttf"),
    ),
    // Names in letters and the press release: Arabic, and CJK (plus more);
    // the sans of Arabic letters.
    (
        "fonts/noto-sans-arabic/NotoSansArabic-Regular.ttf",
        include_bytes!("../../templates/fonts/noto-sans-arabic/NotoSansArabic-Regular.ttf"),
    ),
    (
        "fonts/noto-sans-arabic/NotoSansArabic-Bold.ttf",
        include_bytes!("../../templates/fonts/noto-sans-arabic/NotoSansArabic-Bold.ttf"),
    ),
    // Running text of Arabic letters (Naskh, the book hand).
    (
        "fonts/noto-naskh-arabic/NotoNaskhArabic-Regular.ttf",
        include_bytes!("../../templates/fonts/noto-naskh-arabic/NotoNaskhArabic-Regular.ttf"),
    ),
    (
        "fonts/noto-naskh-arabic/NotoNaskhArabic-Bold.ttf",
        include_bytes!("../../templates/fonts/noto-naskh-arabic/NotoNaskhArabic-Bold.ttf"),
    ),
    // Chinese letters: Song (serif) in two weights, subset to GB 2312
    // level 1 (see templates/fonts/noto-serif-cjk-sc/NOTICE).
    (
        "fonts/noto-serif-cjk-sc/NotoSerifCJKsc-Regular-GB2312L1.otf",
        include_bytes!(
            "../../templates/fonts/noto-serif-cjk-sc/NotoSerifCJKsc-Regular-GB2312L1.otf"
        ),
    ),
    (
        "fonts/noto-serif-cjk-sc/NotoSerifCJKsc-Bold-GB2312L1.otf",
        include_bytes!("../../templates/fonts/noto-serif-cjk-sc/NotoSerifCJKsc-Bold-GB2312L1.otf"),
    ),
    (
        "fonts/droid-sans-fallback/DroidSansFallbackFull.ttf",
        include_bytes!("../../templates/fonts/droid-sans-fallback/DroidSansFallbackFull.ttf"),
    ),
];

/// The embedded fonts (typst-assets + bundled), parsed once per process.
static EMBEDDED_FONTS: LazyLock<Vec<Font>> = LazyLock::new(|| {
    typst_assets::fonts()
        .chain(BUNDLED_FONTS.iter().map(|(_, data)| *data))
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect()
});

/// Where template files come from.
#[derive(Debug, Clone)]
pub enum Templates {
    /// The templates compiled into the binary.
    Builtin,
    /// A customised template folder on disk (canonical path).
    Dir(PathBuf),
}

impl Templates {
    /// A template folder on disk. Errors when it is not a readable directory.
    pub fn dir(path: &Path) -> std::io::Result<Templates> {
        let canon = std::fs::canonicalize(path)?;
        if !canon.is_dir() {
            return Err(std::io::Error::other("not a directory"));
        }
        Ok(Templates::Dir(canon))
    }
}

/// What every compile of a run shares: the standard library, the fonts and
/// the template files (cached). Build it once; it is `Sync`.
pub struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    templates: Templates,
    sources: Mutex<HashMap<FileId, FileResult<Source>>>,
    files: Mutex<HashMap<FileId, FileResult<Bytes>>>,
}

impl Shared {
    /// Load the library and fonts. With a template folder on disk, also
    /// the fonts under its `fonts/` (sandboxed like every other file).
    pub fn new(templates: Templates) -> Result<Shared, String> {
        Shared::with_font_dirs(templates, &[])
    }

    /// Like [`Shared::new`], plus every font under each of `font_dirs`
    /// (`--font-dir`: the user's own folders, read as given).
    pub fn with_font_dirs(templates: Templates, font_dirs: &[PathBuf]) -> Result<Shared, String> {
        let mut fonts: Vec<Font> = EMBEDDED_FONTS.clone();
        if let Templates::Dir(root) = &templates {
            fonts.extend(dir_fonts(root)?);
        }
        for d in font_dirs {
            fonts.extend(user_fonts(d)?);
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(Shared {
            library: LazyHash::new(Library::default()),
            book: LazyHash::new(book),
            fonts,
            templates,
            sources: Mutex::new(HashMap::new()),
            files: Mutex::new(HashMap::new()),
        })
    }

    /// The font families available to templates, sorted.
    pub fn families(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .book
            .families()
            .map(|(name, _)| name.to_string())
            .collect();
        v.dedup();
        v
    }

    /// Whether any loaded font has a glyph for `c` (typst falls back to
    /// any font of the book, so this is what can print).
    pub fn covers(&self, c: char) -> bool {
        self.fonts
            .iter()
            .any(|f| f.info().coverage.contains(c as u32))
    }

    fn template_bytes(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(r) = lock(&self.files).get(&id) {
            return r.clone();
        }
        let r = read_template(&self.templates, id);
        lock(&self.files).insert(id, r.clone());
        r
    }

    fn template_source(&self, id: FileId) -> FileResult<Source> {
        if let Some(r) = lock(&self.sources).get(&id) {
            return r.clone();
        }
        let r = self.template_bytes(id).and_then(|b| {
            let text = std::str::from_utf8(b.as_slice()).map_err(|_| FileError::InvalidUtf8)?;
            Ok(Source::new(id, text.to_string()))
        });
        lock(&self.sources).insert(id, r.clone());
        r
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A poisoned cache still holds valid entries (inserts are atomic).
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Fonts under `<root>/fonts/` (recursively), refusing links that leave `root`.
fn dir_fonts(root: &Path) -> Result<Vec<Font>, String> {
    let mut out = Vec::new();
    let mut stack = vec![root.join("fonts")];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            let shown = virtual_name(root, &path);
            let canon = std::fs::canonicalize(&path)
                .map_err(|err| format!("template font {shown}: {err}"))?;
            if !canon.starts_with(root) {
                return Err(format!(
                    "template font {shown} is a link pointing outside the template folder; refused"
                ));
            }
            if canon.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path
                .extension()
                .and_then(|x| x.to_str())
                .map(str::to_ascii_lowercase);
            if !matches!(ext.as_deref(), Some("ttf" | "otf" | "ttc" | "otc")) {
                continue;
            }
            let data =
                std::fs::read(&canon).map_err(|err| format!("template font {shown}: {err}"))?;
            let before = out.len();
            out.extend(Font::iter(Bytes::new(data)));
            if out.len() == before {
                return Err(format!("template font {shown} is not a readable font file"));
            }
        }
    }
    Ok(out)
}

/// Fonts under a user's `--font-dir` (recursively; `.ttf`, `.otf`, `.ttc`, `.otc`).
fn user_fonts(dir: &Path) -> Result<Vec<Font>, String> {
    if !dir.is_dir() {
        return Err(format!("font folder {}: not a directory", dir.display()));
    }
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries =
            std::fs::read_dir(&d).map_err(|e| format!("font folder {}: {e}", d.display()))?;
        let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let ext = path
                .extension()
                .and_then(|x| x.to_str())
                .map(str::to_ascii_lowercase);
            if !matches!(ext.as_deref(), Some("ttf" | "otf" | "ttc" | "otc")) {
                continue;
            }
            let data =
                std::fs::read(&path).map_err(|err| format!("font {}: {err}", path.display()))?;
            let before = out.len();
            out.extend(Font::iter(Bytes::new(data)));
            if out.len() == before {
                return Err(format!(
                    "font {} is not a readable font file",
                    path.display()
                ));
            }
        }
    }
    Ok(out)
}

/// `path` shown relative to the template root, as a virtual path.
fn virtual_name(root: &Path, path: &Path) -> String {
    match path.strip_prefix(root) {
        Ok(rel) => format!("/{}", rel.display()),
        Err(_) => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

/// Read a template file by id, inside the sandbox.
fn read_template(templates: &Templates, id: FileId) -> FileResult<Bytes> {
    let vpath = match id.root() {
        VirtualRoot::Project => id.vpath(),
        VirtualRoot::Package(spec) => {
            return Err(FileError::Other(Some(
                format!(
                    "package {spec} is not available: bpfpress works offline and \
                     templates may use only files in the template folder"
                )
                .into(),
            )));
        }
    };
    let shown = vpath.get_with_slash();
    let not_found = || FileError::NotFound(PathBuf::from(shown));
    match templates {
        Templates::Builtin => BUILTIN_TEMPLATES
            .iter()
            .find(|(p, _)| *p == shown)
            .map(|(_, text)| Bytes::from_string(*text))
            .ok_or_else(not_found),
        Templates::Dir(root) => {
            // `VirtualPath` is normalised: no `..` can climb above the root.
            let real = root.join(vpath.get_without_slash());
            let canon = match std::fs::canonicalize(&real) {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(not_found()),
                Err(e) => {
                    return Err(FileError::Other(Some(
                        format!("cannot read {shown}: {}", e.kind()).into(),
                    )));
                }
            };
            if !canon.starts_with(root) {
                return Err(FileError::Other(Some(
                    format!(
                        "{shown} is a link pointing outside the template folder; \
                         templates may read only files inside it"
                    )
                    .into(),
                )));
            }
            if canon.is_dir() {
                return Err(FileError::IsDirectory);
            }
            std::fs::read(&canon).map(Bytes::new).map_err(|e| {
                FileError::Other(Some(format!("cannot read {shown}: {}", e.kind()).into()))
            })
        }
    }
}

/// A virtual path as a project file id. `path` must start with `/`.
pub fn file_id(path: &str) -> Result<FileId, String> {
    let vpath = VirtualPath::new(path).map_err(|e| format!("bad virtual path {path}: {e}"))?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

/// One compile's view: the shared run state plus this document's virtual
/// files and date.
pub struct BpfWorld<'a> {
    shared: &'a Shared,
    main: FileId,
    virtual_files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

impl<'a> BpfWorld<'a> {
    /// `main` is the template's virtual path (`/report.typ`); `virtual_files`
    /// (e.g. `/data.json`) shadow template files of the same path.
    pub fn new(
        shared: &'a Shared,
        main: FileId,
        virtual_files: HashMap<FileId, Bytes>,
        today: Option<Datetime>,
    ) -> Self {
        BpfWorld {
            shared,
            main,
            virtual_files,
            today,
        }
    }
}

impl World for BpfWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.shared.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &self.shared.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(b) = self.virtual_files.get(&id) {
            let text = std::str::from_utf8(b.as_slice()).map_err(|_| FileError::InvalidUtf8)?;
            return Ok(Source::new(id, text.to_string()));
        }
        self.shared.template_source(id)
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if let Some(b) = self.virtual_files.get(&id) {
            return Ok(b.clone());
        }
        self.shared.template_bytes(id)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.shared.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        self.today
    }
}

/// Shared state for the whole process when the built-in templates are used.
pub fn builtin_shared() -> Arc<Shared> {
    static BUILTIN: LazyLock<Arc<Shared>> = LazyLock::new(|| {
        // The built-in templates have no font folder, so this cannot fail.
        Arc::new(Shared::new(Templates::Builtin).unwrap_or_else(|e| unreachable!("{e}")))
    });
    BUILTIN.clone()
}
