//! Where buckets and objects live: an index in memory, and with a data directory every
//! bucket, object, metadata and ACL on disk as well, so a restart loses nothing.
//!
//! In memory, object and part data are [`Pieces`]: request bodies read straight into place
//! and hashed once as they arrive (MD5, CRC-64/XZ), shared by windows afterwards — Complete,
//! the copies and GET never copy a byte (see `pieces`). With a data directory, data is
//! written through a [`BlobWriter`] that hashes while it streams into a temporary file;
//! committing renames the file into place. Every metadata file is written to a temporary
//! file first and then renamed.
//!
//! Layout of a data directory:
//! ```text
//! DIR/tmp/                                   temporary files (emptied at start)
//! DIR/buckets/{bucket}/bucket.json           BucketMeta
//! DIR/buckets/{bucket}/objects/{id}.json     ObjectMeta (the key is inside)
//! DIR/buckets/{bucket}/objects/{id}.data     the object's bytes
//! ```
//! Object ids grow with time, so if a crash leaves two files for one key, the newer wins.

use std::collections::BTreeMap;
use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::CosError;
use crate::pieces::{self, Pieces, ReceiveError};

/// A canned ACL with explicit grants, as stored for a bucket or an object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AclState {
    /// `private`, `public-read`, `public-read-write`, `authenticated-read`, or for objects
    /// `default` (follow the bucket).
    pub(crate) canned: String,
    /// Grants beyond the owner's and the canned ACL's: (`CanonicalUser` id or `Group` uri,
    /// whether it is a group, permission). When `explicit`, the whole list.
    pub(crate) grants: Vec<GrantRec>,
    /// Set from an `AccessControlPolicy` body: `grants` is the complete list, answered as it
    /// was given (no implicit owner grant, no grants derived from `canned`), as COS does.
    #[serde(default)]
    pub(crate) explicit: bool,
}

impl AclState {
    /// A canned ACL (`private`, `public-read`, `default`, ...) with no grants of its own.
    pub(crate) fn canned(canned: &str) -> Self {
        AclState {
            canned: canned.to_owned(),
            grants: Vec::new(),
            explicit: false,
        }
    }
}

/// One explicit grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct GrantRec {
    pub(crate) group: bool,
    pub(crate) grantee: String,
    pub(crate) permission: String,
}

/// A bucket's settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BucketMeta {
    pub(crate) name: String,
    pub(crate) region: String,
    pub(crate) created: u64,
    pub(crate) acl: AclState,
    /// The CORS rules as the stored `<CORSConfiguration>` document.
    #[serde(default)]
    pub(crate) cors: Option<String>,
}

/// An object's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ObjectMeta {
    pub(crate) key: String,
    pub(crate) id: String,
    pub(crate) size: u64,
    /// Quoted, as sent in `ETag`.
    pub(crate) etag: String,
    pub(crate) crc64: u64,
    pub(crate) last_modified: u64,
    pub(crate) content_type: String,
    /// Standard headers stored with the object (Cache-Control, Content-Disposition, ...).
    pub(crate) headers: Vec<(String, String)>,
    /// `x-cos-meta-*` headers, names in lower case with the prefix.
    pub(crate) user_meta: Vec<(String, String)>,
    pub(crate) storage_class: String,
    pub(crate) acl: AclState,
}

/// Where an object's bytes are.
#[derive(Debug, Clone)]
pub(crate) enum Blob {
    Memory(Arc<Pieces>),
    File(PathBuf),
}

/// An object: metadata and bytes.
#[derive(Debug, Clone)]
pub(crate) struct ObjectEntry {
    pub(crate) meta: ObjectMeta,
    pub(crate) blob: Blob,
}

/// Size and hashes of written data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Digests {
    pub(crate) size: u64,
    pub(crate) md5: [u8; 16],
    pub(crate) crc64: u64,
}

impl Digests {
    /// The quoted lower-case hex MD5, as an ETag.
    pub(crate) fn etag(&self) -> String {
        let hex: String = self.md5.iter().map(|b| format!("{b:02x}")).collect();
        format!("\"{hex}\"")
    }
}

struct BucketEntry {
    meta: BucketMeta,
    objects: BTreeMap<String, ObjectEntry>,
}

/// The store: the index, and the data directory when there is one.
pub(crate) struct Store {
    dir: Option<PathBuf>,
    index: Mutex<BTreeMap<String, BucketEntry>>,
    seq: AtomicU64,
}

/// Streams data into a new file blob, hashing as it goes (unless the digests are known).
/// Dropped without [`BlobWriter::finish`], its temporary file is removed.
pub(crate) struct BlobWriter {
    file: fs::File,
    path: PathBuf,
    /// The hashes, unless the caller knows the digests already.
    hashes: Option<(fast_md5::Md5, crc64fast::Digest)>,
    size: u64,
}

/// A finished blob that is not in the store yet; dropped uncommitted, its file is removed.
pub(crate) struct NewBlob {
    blob: Option<Blob>,
    pub(crate) digests: Digests,
}

impl NewBlob {
    /// Takes the blob out: the caller now owns its file.
    pub(crate) fn take(mut self) -> Option<Blob> {
        self.blob.take()
    }
}

/// Writes `bytes` to `tmp`, then renames it to `target`.
pub(crate) fn write_file_atomic(tmp: &Path, target: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = fs::File::create(tmp)?;
    f.write_all(bytes)?;
    f.flush()?;
    drop(f);
    fs::rename(tmp, target).inspect_err(|_| {
        let _ = fs::remove_file(tmp);
    })
}

impl Drop for NewBlob {
    fn drop(&mut self) {
        if let Some(Blob::File(path)) = self.blob.take() {
            let _ = fs::remove_file(path);
        }
    }
}

impl Drop for BlobWriter {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

impl Write for BlobWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.file.write(buf)?;
        if let Some((md5, crc)) = &mut self.hashes {
            md5.update(&buf[..n]);
            crc.write(&buf[..n]);
        }
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl BlobWriter {
    /// Copies all of `body` in, in 256 KiB pieces, failing once more than `limit` bytes
    /// come.
    pub(crate) fn copy_from(&mut self, body: &mut dyn Read, limit: u64) -> io::Result<u64> {
        let mut buf = vec![0u8; 256 * 1024];
        let mut total = 0u64;
        loop {
            let n = match body.read(&mut buf) {
                Ok(0) => return Ok(total),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            total += n as u64;
            if total > limit {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "body too large"));
            }
            self.write_all(&buf[..n])?;
        }
    }

    /// Ends the blob: its bytes are complete, with these digests when they were not hashed
    /// here.
    fn finish(mut self, known: Option<Digests>) -> io::Result<NewBlob> {
        self.file.flush()?;
        let digests = match (self.hashes.take(), known) {
            (_, Some(known)) => known,
            (Some((md5, crc)), None) => Digests {
                size: self.size,
                md5: md5.finalize(),
                crc64: crc.sum64(),
            },
            (None, None) => return Err(io::Error::other("a blob without digests")),
        };
        let path = std::mem::take(&mut self.path);
        Ok(NewBlob {
            blob: Some(Blob::File(path)),
            digests,
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Store {
    /// A store in memory (`dir` = None) or in `dir`, loading what `dir` holds.
    pub(crate) fn open(dir: Option<PathBuf>) -> io::Result<Store> {
        let store = Store {
            dir,
            index: Mutex::new(BTreeMap::new()),
            seq: AtomicU64::new(0),
        };
        if let Some(dir) = &store.dir {
            let tmp = dir.join("tmp");
            if tmp.exists() {
                fs::remove_dir_all(&tmp)?;
            }
            fs::create_dir_all(&tmp)?;
            fs::create_dir_all(dir.join("buckets"))?;
            let loaded = load(dir)?;
            *lock(&store.index) = loaded;
        }
        Ok(store)
    }

    fn bucket_dir(&self, name: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("buckets").join(name))
    }

    /// A new unique name: grows with time.
    pub(crate) fn new_id(&self) -> String {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        format!("{nanos:024}-{seq:012}")
    }

    /// Writes `bytes` to `target` through a temporary file and a rename.
    fn write_atomic(&self, target: &Path, bytes: &[u8]) -> io::Result<()> {
        let Some(dir) = &self.dir else {
            return Ok(());
        };
        write_file_atomic(&dir.join("tmp").join(self.new_id()), target, bytes)
    }

    fn persist_bucket(&self, meta: &BucketMeta) -> io::Result<()> {
        if let Some(bdir) = self.bucket_dir(&meta.name) {
            fs::create_dir_all(bdir.join("objects"))?;
            let json = serde_json::to_vec_pretty(meta).map_err(io::Error::other)?;
            self.write_atomic(&bdir.join("bucket.json"), &json)?;
        }
        Ok(())
    }

    /// Starts a new file blob in the data directory, hashing unless `hash` is false.
    fn file_writer(&self, dir: &Path, hash: bool) -> io::Result<BlobWriter> {
        let path = dir.join("tmp").join(self.new_id());
        Ok(BlobWriter {
            file: fs::File::create(&path)?,
            path,
            hashes: hash.then(|| (fast_md5::Md5::new(), crc64fast::Digest::new())),
            size: 0,
        })
    }

    /// Receives a request body (`expected` bytes when its length is known, at most `limit`)
    /// into a new blob, hashing it once as it arrives.
    pub(crate) fn receive(
        &self,
        body: &mut dyn Read,
        expected: Option<u64>,
        limit: u64,
    ) -> Result<NewBlob, ReceiveError> {
        let Some(dir) = &self.dir else {
            let (data, digests) = pieces::receive(body, expected, limit)?;
            return Ok(NewBlob {
                blob: Some(Blob::Memory(Arc::new(data))),
                digests,
            });
        };
        let mut w = self.file_writer(dir, true).map_err(ReceiveError::Io)?;
        w.copy_from(body, limit).map_err(|e| match e.kind() {
            io::ErrorKind::InvalidData => ReceiveError::TooLarge,
            _ => ReceiveError::Io(e),
        })?;
        w.finish(None).map_err(ReceiveError::Io)
    }

    /// A new blob of the `len` bytes of `blob` from `start`: in memory, windows on the same
    /// bytes; on disk, a copy. Its digests are `known` when the caller knows them (a whole
    /// object copied), else computed — without hashing in memory when the range is one
    /// whole stored body.
    pub(crate) fn copy_range(
        &self,
        blob: &Blob,
        start: u64,
        len: u64,
        known: Option<Digests>,
    ) -> io::Result<NewBlob> {
        match (blob, &self.dir) {
            (Blob::Memory(data), _) => {
                let range = data.range(start, len);
                if range.len() != len {
                    return Err(io::Error::other(
                        "the stored object is shorter than its size",
                    ));
                }
                let digests = known.unwrap_or_else(|| range.digests());
                Ok(NewBlob {
                    blob: Some(Blob::Memory(Arc::new(range))),
                    digests,
                })
            }
            (Blob::File(_), None) => Err(io::Error::other("file blob without a data directory")),
            (Blob::File(_), Some(dir)) => {
                let mut w = self.file_writer(dir, known.is_none())?;
                let copied = w.copy_from(&mut open_blob(blob, start, len)?, u64::MAX)?;
                if copied != len {
                    return Err(io::Error::other(
                        "the stored object is shorter than its size",
                    ));
                }
                w.finish(known)
            }
        }
    }

    /// A new blob joining `parts` (blob and size) in order, with `digests` (which the caller
    /// combines from the parts' own): in memory, the parts' windows; on disk, one file
    /// written from the parts' files. Nothing is hashed.
    pub(crate) fn join(&self, parts: &[(&Blob, u64)], digests: Digests) -> io::Result<NewBlob> {
        let Some(dir) = &self.dir else {
            let mut joined = Pieces::default();
            for (blob, size) in parts {
                let Blob::Memory(data) = blob else {
                    return Err(io::Error::other("file blob without a data directory"));
                };
                if data.len() != *size {
                    return Err(io::Error::other("a part lost bytes in storage"));
                }
                joined.extend(data);
            }
            return Ok(NewBlob {
                blob: Some(Blob::Memory(Arc::new(joined))),
                digests,
            });
        };
        let mut w = self.file_writer(dir, false)?;
        for (blob, size) in parts {
            let copied = w.copy_from(&mut open_blob(blob, 0, *size)?, u64::MAX)?;
            if copied != *size {
                return Err(io::Error::other("a part lost bytes in storage"));
            }
        }
        w.finish(Some(digests))
    }

    /// A new object id (for [`ObjectMeta::id`]).
    pub(crate) fn object_id(&self) -> String {
        self.new_id()
    }

    /// Every bucket, in name order.
    pub(crate) fn buckets(&self) -> Vec<BucketMeta> {
        lock(&self.index).values().map(|b| b.meta.clone()).collect()
    }

    /// One bucket's settings.
    pub(crate) fn bucket(&self, name: &str) -> Result<BucketMeta, CosError> {
        lock(&self.index)
            .get(name)
            .map(|b| b.meta.clone())
            .ok_or_else(CosError::no_such_bucket)
    }

    /// Creates a bucket; `BucketAlreadyExists` if it exists.
    pub(crate) fn create_bucket(&self, meta: BucketMeta) -> Result<(), CosError> {
        let mut index = lock(&self.index);
        if index.contains_key(&meta.name) {
            return Err(CosError::new(
                409,
                "BucketAlreadyExists",
                "The requested bucket name is not available.",
            ));
        }
        self.persist_bucket(&meta).map_err(|e| CosError::io(&e))?;
        index.insert(
            meta.name.clone(),
            BucketEntry {
                meta,
                objects: BTreeMap::new(),
            },
        );
        Ok(())
    }

    /// Changes a bucket's settings.
    pub(crate) fn update_bucket(
        &self,
        name: &str,
        change: impl FnOnce(&mut BucketMeta),
    ) -> Result<BucketMeta, CosError> {
        let mut index = lock(&self.index);
        let entry = index.get_mut(name).ok_or_else(CosError::no_such_bucket)?;
        let mut meta = entry.meta.clone();
        change(&mut meta);
        self.persist_bucket(&meta).map_err(|e| CosError::io(&e))?;
        entry.meta = meta.clone();
        Ok(meta)
    }

    /// Deletes an empty bucket.
    pub(crate) fn delete_bucket(&self, name: &str) -> Result<(), CosError> {
        let mut index = lock(&self.index);
        let entry = index.get(name).ok_or_else(CosError::no_such_bucket)?;
        if !entry.objects.is_empty() {
            return Err(CosError::new(
                409,
                "BucketNotEmpty",
                "The bucket you tried to delete is not empty.",
            ));
        }
        if let Some(bdir) = self.bucket_dir(name) {
            // Rename first so that a crash never leaves a half-deleted bucket that loads.
            let doomed = self
                .dir
                .as_ref()
                .map(|d| d.join("tmp").join(self.new_id()))
                .unwrap_or_default();
            fs::rename(&bdir, &doomed).map_err(|e| CosError::io(&e))?;
            let _ = fs::remove_dir_all(&doomed);
        }
        index.remove(name);
        Ok(())
    }

    /// One object.
    pub(crate) fn object(&self, bucket: &str, key: &str) -> Result<ObjectEntry, CosError> {
        let index = lock(&self.index);
        let b = index.get(bucket).ok_or_else(CosError::no_such_bucket)?;
        b.objects
            .get(key)
            .cloned()
            .ok_or_else(CosError::no_such_key)
    }

    /// Calls `visit` with the objects whose key sorts after `after`, in key order, until it
    /// returns false.
    pub(crate) fn visit(
        &self,
        bucket: &str,
        after: &str,
        mut visit: impl FnMut(&ObjectMeta) -> bool,
    ) -> Result<(), CosError> {
        use std::ops::Bound;
        let index = lock(&self.index);
        let b = index.get(bucket).ok_or_else(CosError::no_such_bucket)?;
        let range = b
            .objects
            .range::<str, _>((Bound::Excluded(after), Bound::Unbounded));
        for (_, entry) in range {
            if !visit(&entry.meta) {
                break;
            }
        }
        Ok(())
    }

    /// Stores `blob` as object `meta.key` of `bucket`, replacing any earlier one.
    pub(crate) fn put_object(
        &self,
        bucket: &str,
        meta: ObjectMeta,
        mut blob: NewBlob,
    ) -> Result<(), CosError> {
        let mut index = lock(&self.index);
        let b = index.get_mut(bucket).ok_or_else(CosError::no_such_bucket)?;
        let stored = match blob.blob.take() {
            Some(Blob::File(tmp)) => {
                let Some(bdir) = self.bucket_dir(bucket) else {
                    return Err(CosError::internal("file blob without a data directory"));
                };
                let objects = bdir.join("objects");
                let data = objects.join(format!("{}.data", meta.id));
                let renamed = fs::rename(&tmp, &data);
                if let Err(e) = renamed {
                    let _ = fs::remove_file(&tmp);
                    return Err(CosError::io(&e));
                }
                let json = serde_json::to_vec_pretty(&meta)
                    .map_err(|e| CosError::internal(e.to_string()))?;
                if let Err(e) = self.write_atomic(&objects.join(format!("{}.json", meta.id)), &json)
                {
                    let _ = fs::remove_file(&data);
                    return Err(CosError::io(&e));
                }
                Blob::File(data)
            }
            Some(memory) => memory,
            None => return Err(CosError::internal("blob already used")),
        };
        let old = b
            .objects
            .insert(meta.key.clone(), ObjectEntry { meta, blob: stored });
        if let Some(old) = old {
            self.remove_files(bucket, &old.meta.id);
        }
        Ok(())
    }

    /// Changes an object's metadata (its ACL).
    pub(crate) fn update_object(
        &self,
        bucket: &str,
        key: &str,
        change: impl FnOnce(&mut ObjectMeta),
    ) -> Result<(), CosError> {
        let mut index = lock(&self.index);
        let b = index.get_mut(bucket).ok_or_else(CosError::no_such_bucket)?;
        let entry = b.objects.get_mut(key).ok_or_else(CosError::no_such_key)?;
        let mut meta = entry.meta.clone();
        change(&mut meta);
        if let Some(bdir) = self.bucket_dir(bucket) {
            let json =
                serde_json::to_vec_pretty(&meta).map_err(|e| CosError::internal(e.to_string()))?;
            self.write_atomic(
                &bdir.join("objects").join(format!("{}.json", meta.id)),
                &json,
            )
            .map_err(|e| CosError::io(&e))?;
        }
        entry.meta = meta;
        Ok(())
    }

    /// Deletes an object; true if it existed.
    pub(crate) fn delete_object(&self, bucket: &str, key: &str) -> Result<bool, CosError> {
        let mut index = lock(&self.index);
        let b = index.get_mut(bucket).ok_or_else(CosError::no_such_bucket)?;
        match b.objects.remove(key) {
            Some(old) => {
                self.remove_files(bucket, &old.meta.id);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn remove_files(&self, bucket: &str, id: &str) {
        if let Some(bdir) = self.bucket_dir(bucket) {
            let objects = bdir.join("objects");
            let _ = fs::remove_file(objects.join(format!("{id}.json")));
            let _ = fs::remove_file(objects.join(format!("{id}.data")));
        }
    }
}

/// Opens `blob` for reading `len` bytes from `offset`.
pub(crate) fn open_blob(blob: &Blob, offset: u64, len: u64) -> io::Result<Box<dyn Read + Send>> {
    match blob {
        Blob::Memory(data) => Ok(Box::new(data.range(offset, len).reader())),
        Blob::File(path) => {
            let mut f = fs::File::open(path)?;
            f.seek(SeekFrom::Start(offset))?;
            Ok(Box::new(f.take(len)))
        }
    }
}

/// Reads every bucket and object of a data directory.
fn load(dir: &Path) -> io::Result<BTreeMap<String, BucketEntry>> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(dir.join("buckets"))? {
        let bdir = entry?.path();
        let Ok(bytes) = fs::read(bdir.join("bucket.json")) else {
            continue;
        };
        let meta: BucketMeta = serde_json::from_slice(&bytes).map_err(io::Error::other)?;
        let mut objects: BTreeMap<String, ObjectEntry> = BTreeMap::new();
        let odir = bdir.join("objects");
        fs::create_dir_all(&odir)?;
        for file in fs::read_dir(&odir)? {
            let path = file?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let Ok(meta) = fs::read(&path)
                .map_err(io::Error::other)
                .and_then(|b| serde_json::from_slice::<ObjectMeta>(&b).map_err(io::Error::other))
            else {
                continue;
            };
            let data = odir.join(format!("{}.data", meta.id));
            if !data.exists() {
                continue;
            }
            let newer = objects
                .get(&meta.key)
                .is_none_or(|old| old.meta.id < meta.id);
            if newer
                && let Some(old) = objects.insert(
                    meta.key.clone(),
                    ObjectEntry {
                        meta,
                        blob: Blob::File(data),
                    },
                )
            {
                let _ = fs::remove_file(odir.join(format!("{}.json", old.meta.id)));
                let _ = fs::remove_file(odir.join(format!("{}.data", old.meta.id)));
            }
        }
        out.insert(meta.name.clone(), BucketEntry { meta, objects });
    }
    Ok(out)
}
