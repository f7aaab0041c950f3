//! Where resume journals live on disk: one small file per (bucket, key, local file), written
//! to a temporary file and renamed over the old one, so a crash leaves the old journal or
//! the new one, never half of one. The format (self-checksummed) is cos-proto's
//! [`Journal`]; a journal is a cache of verified parts, always reconciled with the server's
//! part list before it is used, so losing one only costs hashing.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use cos_proto::plan::Journal;

use crate::body::crc64;

/// The journal directory used when none is configured: `$XDG_CACHE_HOME/cos-rs/resume`,
/// else `$HOME/.cache/cos-rs/resume`, else `{temp}/cos-rs-resume`.
pub(crate) fn default_dir() -> PathBuf {
    let non_empty = |name| std::env::var_os(name).filter(|v| !v.is_empty());
    if let Some(cache) = non_empty("XDG_CACHE_HOME") {
        return PathBuf::from(cache).join("cos-rs").join("resume");
    }
    if let Some(home) = non_empty("HOME") {
        return PathBuf::from(home)
            .join(".cache")
            .join("cos-rs")
            .join("resume");
    }
    std::env::temp_dir().join("cos-rs-resume")
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The journal file of one upload.
#[derive(Debug, Clone)]
pub(crate) struct JournalFile {
    path: PathBuf,
}

impl JournalFile {
    /// The journal of uploading `local` to `bucket`/`key` in `region`, under `dir`. The
    /// name is a hash of the four; the contents say what they are for, and are checked.
    pub(crate) fn new(dir: &Path, bucket: &str, region: &str, key: &str, local: &Path) -> Self {
        let local = fs::canonicalize(local).unwrap_or_else(|_| local.to_path_buf());
        let mut id = Vec::new();
        for part in [bucket.as_bytes(), region.as_bytes(), key.as_bytes()] {
            id.extend_from_slice(part);
            id.push(0);
        }
        id.extend_from_slice(local.to_string_lossy().as_bytes());
        let name = format!("{:016x}-{:08x}.journal", crc64(&id), id.len());
        JournalFile {
            path: dir.join(name),
        }
    }

    /// The journal at `path`.
    pub(crate) fn at(path: PathBuf) -> Self {
        JournalFile { path }
    }

    /// The journal, if one is there and intact (a damaged one is as good as none).
    pub(crate) fn load(&self) -> Option<Journal> {
        let bytes = fs::read(&self.path).ok()?;
        Journal::decode(&bytes).ok()
    }

    /// Replaces the journal with `journal`: temporary file, sync, rename. Failing to write a
    /// journal never fails an upload (it only costs hashing on a resume), so errors are
    /// returned for tests and otherwise ignored.
    pub(crate) fn save(&self, journal: &Journal) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        fs::create_dir_all(dir)?;
        let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = self
            .path
            .with_extension(format!("tmp-{}-{n}", std::process::id()));
        let written = (|| {
            let mut f = fs::File::create(&tmp)?;
            f.write_all(&journal.encode())?;
            f.sync_data()?;
            fs::rename(&tmp, &self.path)
        })();
        if written.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        written
    }

    /// Deletes the journal (the upload completed or was aborted).
    pub(crate) fn remove(&self) {
        let _ = fs::remove_file(&self.path);
    }
}
