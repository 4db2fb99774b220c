//! The file system, as the stages that write outputs reach it: atomic
//! writes, and [`OutputDir`], an output folder that records the size and
//! SHA-256 of every file as it is written (so a build manifest never reads
//! its outputs back).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Write `bytes` to `path` atomically: a temporary file in the same folder,
/// flushed and synced, then renamed over `path`. A reader (or an interrupted
/// run) sees either the old file or the complete new one, never half of it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".part");
    // Outputs are for sharing: the usual 0666 & !umask of a new file, not
    // the 0600 of a temporary.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// One file with its size and SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileHash {
    /// Path relative to the output folder (outputs) or as in the project (inputs).
    pub path: String,
    pub sha256: String,
    pub size: u64,
}

impl FileHash {
    pub fn of(path: impl Into<String>, bytes: &[u8]) -> FileHash {
        FileHash {
            path: path.into(),
            sha256: sha256_hex(bytes),
            size: bytes.len() as u64,
        }
    }
}

/// An output folder. Every file goes in through [`OutputDir::write`]:
/// atomically ([`write_atomic`]), its folder made as needed, and recorded
/// with its size and SHA-256 from the bytes in hand. Safe to share between
/// threads (letters are written in parallel).
#[derive(Debug)]
pub struct OutputDir {
    root: PathBuf,
    written: Mutex<BTreeMap<String, FileHash>>,
}

impl OutputDir {
    pub fn new(root: impl Into<PathBuf>) -> OutputDir {
        OutputDir {
            root: root.into(),
            written: Mutex::new(BTreeMap::new()),
        }
    }

    /// The folder itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where `rel` (a `/`-separated path inside the folder) is on disk.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// Write `bytes` to `rel` atomically and record its hash. The error
    /// names the file.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<FileHash, WriteError> {
        let path = self.path(rel);
        let made = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => std::fs::create_dir_all(dir),
            _ => Ok(()),
        };
        made.and_then(|()| write_atomic(&path, bytes))
            .map_err(|source| WriteError { path, source })?;
        let hash = FileHash::of(rel, bytes);
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_owned(), hash.clone());
        Ok(hash)
    }

    /// The files written since the last call, sorted by path (a file
    /// written twice is listed once, as last written).
    pub fn take_written(&self) -> Vec<FileHash> {
        let mut w = self.written.lock().unwrap_or_else(|e| e.into_inner());
        std::mem::take(&mut *w).into_values().collect()
    }
}

/// A file that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("{}: cannot write: {source}", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_whole_file_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out.pdf");
        write_atomic(&p, b"first").unwrap();
        write_atomic(&p, b"second").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"second");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_ne!(mode & 0o044, 0, "outputs are readable by others: {mode:o}");
        }
    }

    #[test]
    fn output_dir_records_what_it_writes() {
        let dir = tempfile::tempdir().unwrap();
        let out = OutputDir::new(dir.path());
        out.write("letters/001-a.pdf", b"one").unwrap();
        out.write("mailing.csv", b"first").unwrap();
        out.write("mailing.csv", b"second").unwrap();
        let w = out.take_written();
        let paths: Vec<&str> = w.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(paths, ["letters/001-a.pdf", "mailing.csv"]);
        assert_eq!(w[1], FileHash::of("mailing.csv", b"second"));
        assert_eq!(
            std::fs::read(dir.path().join("mailing.csv")).unwrap(),
            b"second"
        );
        assert_eq!(
            w[0].sha256,
            "7692c3ad3540bb803c020b3aee66cd8887123234ea0c6e7143c0add73ff431ed"
        );
        assert!(out.take_written().is_empty());
        let e = OutputDir::new(dir.path().join("mailing.csv"))
            .write("x.pdf", b"")
            .unwrap_err();
        assert!(
            e.to_string().contains("mailing.csv/x.pdf: cannot write"),
            "{e}"
        );
    }
}
