//! Where a sliceUploadFile reads from: a file (positional reads, many parts at once through
//! one handle, nothing buffered) or any `Read + Seek` (one part at a time under a lock,
//! read into a part-sized buffer) — and the identity of a file, which decides whether a
//! resume journal may be trusted.

use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use md5::{Digest, Md5};

use crate::body::{read_at, read_range_at};
use crate::error::{Error, Result};

/// A `Read + Seek` source that can be shared with the part threads.
pub trait ReadSeek: Read + Seek + Send {}

impl<T: Read + Seek + Send> ReadSeek for T {}

/// The data of a [`SliceUploadFile`](crate::transfer::SliceUploadFile): a file path, or any
/// `Read + Seek` source.
pub enum UploadBody {
    /// The file at this path (the usual case: resumable across processes, read in parallel).
    Path(PathBuf),
    /// A seekable stream; its length is found by seeking to its end. Resume checks every
    /// part the server holds by its MD5 (there is no file identity to trust a journal by).
    Reader(Box<dyn ReadSeek>),
}

impl UploadBody {
    /// The file at `path`.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        UploadBody::Path(path.into())
    }

    /// Any `Read + Seek` source.
    pub fn reader(reader: impl ReadSeek + 'static) -> Self {
        UploadBody::Reader(Box::new(reader))
    }

    /// The number of bytes to upload: the file's size, or the stream's length from its
    /// start (found by seeking to its end).
    pub fn size(&mut self) -> Result<u64> {
        match self {
            UploadBody::Path(p) => std::fs::metadata(&*p)
                .map(|m| m.len())
                .map_err(|e| Error::io(Some(p.clone()), e)),
            UploadBody::Reader(r) => {
                let end = r.seek(SeekFrom::End(0)).map_err(|e| Error::io(None, e))?;
                r.seek(SeekFrom::Start(0)).map_err(|e| Error::io(None, e))?;
                Ok(end)
            }
        }
    }
}

impl Default for UploadBody {
    fn default() -> Self {
        UploadBody::Path(PathBuf::new())
    }
}

impl std::fmt::Debug for UploadBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UploadBody::Path(p) => f.debug_tuple("Path").field(p).finish(),
            UploadBody::Reader(_) => f.write_str("Reader(..)"),
        }
    }
}

/// What identifies the content of a local file without reading it: size, modification
/// time, and on Unix the device, inode and change time. The change time cannot be set back
/// by a program (unlike the modification time), so a file rewritten in place with the same
/// size and mtime still gets a new identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileIdentity {
    pub(crate) size: u64,
    pub(crate) mtime_secs: i64,
    /// `unix:dev:ino:mtime_ns:ctime_ns`; `None` where there is no trustworthy identity
    /// (the journal is then never trusted, every resumed part is hashed).
    pub(crate) id: Option<String>,
}

impl FileIdentity {
    pub(crate) fn of(meta: &Metadata) -> FileIdentity {
        let mtime_secs = meta
            .modified()
            .ok()
            .and_then(|t| match t.duration_since(std::time::UNIX_EPOCH) {
                Ok(d) => i64::try_from(d.as_secs()).ok(),
                Err(e) => i64::try_from(e.duration().as_secs()).ok().map(|s| -s),
            })
            .unwrap_or(0);
        #[cfg(unix)]
        let id = {
            use std::os::unix::fs::MetadataExt;
            Some(format!(
                "unix:{}:{}:{}.{}:{}.{}",
                meta.dev(),
                meta.ino(),
                meta.mtime(),
                meta.mtime_nsec(),
                meta.ctime(),
                meta.ctime_nsec()
            ))
        };
        #[cfg(not(unix))]
        let id = None;
        FileIdentity {
            size: meta.len(),
            mtime_secs,
            id,
        }
    }
}

/// The opened source of one upload.
pub(crate) enum PartSource {
    File { file: File, path: PathBuf },
    Stream(Mutex<Box<dyn ReadSeek>>),
}

/// The MD5 and CRC64 of a part's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartDigest {
    pub(crate) md5: [u8; 16],
    pub(crate) crc64: u64,
}

/// The buffer size of hashing reads.
const HASH_BUFFER: usize = 1 << 20;

impl PartSource {
    /// Opens `body`: its source, its size and (for a file) its identity.
    pub(crate) fn open(body: UploadBody) -> Result<(PartSource, u64, Option<FileIdentity>)> {
        match body {
            UploadBody::Path(path) => {
                if path.as_os_str().is_empty() {
                    return Err(Error::invalid("Body", "required: a file path or a reader"));
                }
                let file = File::open(&path).map_err(|e| Error::io(Some(path.clone()), e))?;
                let meta = file
                    .metadata()
                    .map_err(|e| Error::io(Some(path.clone()), e))?;
                if !meta.is_file() {
                    return Err(Error::invalid(
                        "Body",
                        format!("{} is not a regular file", path.display()),
                    ));
                }
                let identity = FileIdentity::of(&meta);
                Ok((PartSource::File { file, path }, meta.len(), Some(identity)))
            }
            mut body @ UploadBody::Reader(_) => {
                let len = body.size()?;
                let UploadBody::Reader(r) = body else {
                    return Err(Error::invalid("Body", "not a reader"));
                };
                Ok((PartSource::Stream(Mutex::new(r)), len, None))
            }
        }
    }

    /// The path, for a file source.
    pub(crate) fn path(&self) -> Option<&Path> {
        match self {
            PartSource::File { path, .. } => Some(path),
            PartSource::Stream(_) => None,
        }
    }

    /// Reads exactly `len` bytes from `offset` into a new buffer.
    pub(crate) fn read_part(&self, offset: u64, len: u64) -> Result<Vec<u8>> {
        let len = usize::try_from(len)
            .map_err(|_| Error::invalid("ChunkSize", "larger than this machine's memory"))?;
        let mut buf = vec![0u8; len];
        match self {
            PartSource::File { file, path } => {
                let mut filled = 0;
                while filled < len {
                    let n = read_at(file, &mut buf[filled..], offset + filled as u64)
                        .map_err(|e| Error::io(Some(path.clone()), e))?;
                    if n == 0 {
                        return Err(Error::io(Some(path.clone()), shrunk()));
                    }
                    filled += n;
                }
            }
            PartSource::Stream(m) => {
                let mut r = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                r.seek(SeekFrom::Start(offset))
                    .and_then(|_| r.read_exact(&mut buf))
                    .map_err(|e| Error::io(None, e))?;
            }
        }
        Ok(buf)
    }

    /// The MD5 and CRC64 of `len` bytes from `offset`, read in 1 MiB pieces; `on_bytes` is
    /// told each piece's size (hash progress).
    pub(crate) fn digest(
        &self,
        offset: u64,
        len: u64,
        mut on_bytes: impl FnMut(u64),
    ) -> Result<PartDigest> {
        let mut md5 = Md5::new();
        let mut crc = crc64fast::Digest::new();
        let mut buf = vec![0u8; HASH_BUFFER.min(usize::try_from(len).unwrap_or(HASH_BUFFER))];
        let mut hash = |piece: &[u8]| {
            md5.update(piece);
            crc.write(piece);
            on_bytes(piece.len() as u64);
        };
        match self {
            PartSource::File { file, path } => {
                if read_range_at(file, path, offset, len, &mut buf, hash)? < len {
                    return Err(Error::io(Some(path.clone()), shrunk()));
                }
            }
            PartSource::Stream(m) => {
                let mut pos = 0u64;
                while pos < len {
                    let want = usize::try_from(len - pos)
                        .unwrap_or(usize::MAX)
                        .min(buf.len());
                    let piece = &mut buf[..want];
                    let mut r = m.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                    r.seek(SeekFrom::Start(offset + pos))
                        .and_then(|_| r.read_exact(piece))
                        .map_err(|e| Error::io(None, e))?;
                    drop(r);
                    hash(piece);
                    pos += want as u64;
                }
            }
        }
        Ok(PartDigest {
            md5: md5.finalize().into(),
            crc64: crc.sum64(),
        })
    }
}

fn shrunk() -> io::Error {
    io::Error::new(
        io::ErrorKind::UnexpectedEof,
        "the file ended early: it shrank during the upload",
    )
}
