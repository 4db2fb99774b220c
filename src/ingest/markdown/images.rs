//! The image files of a Markdown draft, read through a sandbox.
//!
//! Takes a [`Document`] read from a Markdown file and the file's path;
//! gives the document with [`Document::media`] holding the bytes of each
//! figure whose `src` names a file in the draft's folder (or below it).
//! Nothing else is read: an absolute path, a path climbing out with `..`,
//! a symbolic link resolving outside the folder, a URL (nothing is
//! downloaded) and a file over [`MAX_IMAGE_BYTES`] are each a warning
//! naming the figure, and the figure renders as a described placeholder.

use crate::model::{Block, Document, ImageFormat, Media};
use std::path::{Component, Path};

/// Largest image file read (bytes).
pub const MAX_IMAGE_BYTES: u64 = 32 << 20;

/// Read the figures of `doc`, a Markdown draft read from `draft`.
pub fn load(doc: &mut Document, draft: &Path) {
    let folder = match draft.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let root = folder.canonicalize().ok();
    let mut warnings = Vec::new();
    let mut n = 0;
    for b in &doc.blocks {
        let Block::Image { src, alt, loc, .. } = b else {
            continue;
        };
        n += 1;
        let Some(src) = src else { continue };
        if doc.media.contains_key(src) {
            continue;
        }
        let name = format!(
            "figure {n} ({}, {loc})",
            alt.as_deref().map_or(src.as_str(), |a| a)
        );
        match read_one(root.as_deref(), &folder, src) {
            Ok(media) => {
                doc.media.insert(src.clone(), media);
            }
            Err(why) => warnings.push(format!("{name}: {why}; it is shown as a placeholder")),
        }
    }
    doc.warnings.extend(warnings);
}

fn read_one(root: Option<&Path>, folder: &Path, src: &str) -> Result<Media, String> {
    if src.contains("://") || src.starts_with("data:") {
        return Err(format!(
            "{src} is not a file in the draft's folder (bpfpress downloads nothing): save the \
             image next to the draft and refer to it by its relative path"
        ));
    }
    // Markdown paths are URLs: `%20` is a space.
    let decoded = percent_decode(src);
    let rel = Path::new(&decoded);
    if rel.is_absolute()
        || rel.components().any(|c| {
            matches!(
                c,
                Component::ParentDir | Component::RootDir | Component::Prefix(_)
            )
        })
    {
        return Err(format!(
            "{src} is outside the draft's folder; images are read only from the draft's folder \
             and below it: copy the image there"
        ));
    }
    let root = root.ok_or_else(|| "the draft's folder cannot be read".to_string())?;
    let path = folder.join(rel);
    let real = path
        .canonicalize()
        .map_err(|e| format!("{src} cannot be read ({e})"))?;
    if !real.starts_with(root) {
        return Err(format!(
            "{src} is a link pointing outside the draft's folder; images are read only from \
             the draft's folder: copy the image there"
        ));
    }
    let meta = std::fs::metadata(&real).map_err(|e| format!("{src} cannot be read ({e})"))?;
    if !meta.is_file() {
        return Err(format!("{src} is not a file"));
    }
    if meta.len() > MAX_IMAGE_BYTES {
        return Err(format!(
            "{src} is {} MiB, more than the {} MiB an image may have",
            meta.len() >> 20,
            MAX_IMAGE_BYTES >> 20
        ));
    }
    let bytes = std::fs::read(&real).map_err(|e| format!("{src} cannot be read ({e})"))?;
    let format = ImageFormat::sniff(&bytes).ok_or_else(|| {
        format!("{src} is not an image format bpfpress knows (PNG, JPEG, GIF, SVG, WebP)")
    })?;
    Ok(Media {
        format,
        bytes: bytes.into(),
    })
}

/// `%XX` escapes decoded (invalid ones kept as written).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_climbs_are_refused() {
        let dir = std::env::temp_dir().join(format!("bpfpress-img-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("sub"));
        let png = b"\x89PNG\r\n\x1a\n rest";
        std::fs::write(dir.join("sub/a b.png"), png).unwrap();
        let root = dir.canonicalize().unwrap();
        assert!(read_one(Some(&root), &dir, "sub/a%20b.png").is_ok());
        for bad in [
            "../x.png",
            "/etc/passwd",
            "https://example.org/x.png",
            "sub/../../x.png",
        ] {
            assert!(read_one(Some(&root), &dir, bad).is_err(), "{bad}");
        }
        #[cfg(unix)]
        {
            let _ = std::os::unix::fs::symlink("/etc/hostname", dir.join("link.png"));
            let e = read_one(Some(&root), &dir, "link.png").unwrap_err();
            assert!(e.contains("outside"), "{e}");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
