//! Multipart uploads in progress: their settings and stored parts, in memory and, with a
//! data directory, on disk, so that a restart loses nothing.
//!
//! Layout under the data directory (every file written to `DIR/tmp` first, then renamed):
//! ```text
//! DIR/uploads/{upload-id}/upload.json        UploadMeta
//! DIR/uploads/{upload-id}/part-{n}.json      PartMeta of part n (names its data file)
//! DIR/uploads/{upload-id}/{file}.data        a part's bytes
//! ```
//! A part is stored by renaming its data file into place, then writing its `part-{n}.json`;
//! a data file no part names (a crash between the two, or a replaced part) is removed at
//! load.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::error::CosError;
use crate::store::{AclState, Blob, NewBlob, write_file_atomic};

/// The settings of an upload: what the finished object gets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UploadMeta {
    pub(crate) bucket: String,
    pub(crate) key: String,
    pub(crate) upload_id: String,
    pub(crate) initiated: u64,
    pub(crate) content_type: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) user_meta: Vec<(String, String)>,
    pub(crate) storage_class: String,
    pub(crate) acl: AclState,
}

/// One stored part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PartMeta {
    pub(crate) number: u32,
    pub(crate) size: u64,
    /// Lower-case hex MD5 (the ETag without quotes).
    pub(crate) md5: String,
    pub(crate) crc64: u64,
    pub(crate) last_modified: u64,
    /// The data file's name without `.data` (empty in memory).
    pub(crate) file: String,
}

impl PartMeta {
    /// The quoted ETag.
    pub(crate) fn etag(&self) -> String {
        format!("\"{}\"", self.md5)
    }
}

/// A part: metadata and bytes.
#[derive(Debug, Clone)]
pub(crate) struct PartEntry {
    pub(crate) meta: PartMeta,
    pub(crate) blob: Blob,
}

struct UploadEntry {
    meta: UploadMeta,
    parts: BTreeMap<u32, PartEntry>,
}

/// The uploads in progress, by (bucket, key, upload id).
pub(crate) struct Uploads {
    dir: Option<PathBuf>,
    index: Mutex<BTreeMap<(String, String, String), UploadEntry>>,
    seq: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) fn no_such_upload() -> CosError {
    CosError::new(
        404,
        "NoSuchUpload",
        "The specified multipart upload does not exist.",
    )
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, CosError> {
    serde_json::to_vec_pretty(value).map_err(|e| CosError::internal(e.to_string()))
}

impl Uploads {
    /// In memory (`dir` = None) or in `dir` (the data directory), loading what it holds.
    pub(crate) fn open(dir: Option<PathBuf>) -> io::Result<Uploads> {
        let uploads = Uploads {
            dir,
            index: Mutex::new(BTreeMap::new()),
            seq: AtomicU64::new(0),
        };
        if let Some(dir) = &uploads.dir {
            fs::create_dir_all(dir.join("uploads"))?;
            *lock(&uploads.index) = load(&dir.join("uploads"))?;
        }
        Ok(uploads)
    }

    fn upload_dir(&self, upload_id: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("uploads").join(upload_id))
    }

    fn tmp(&self) -> Option<PathBuf> {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        self.dir
            .as_ref()
            .map(|d| d.join("tmp").join(format!("u{nanos:024}-{seq:012}")))
    }

    /// A new upload ID: the time, then hex digits (COS's IDs look alike).
    pub(crate) fn new_id(&self, now: u64, salt: &str) -> String {
        let seq = self.seq.fetch_add(1, Ordering::Relaxed);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let digest =
            fast_md5::digest(format!("{salt}/{seq}/{nanos}/{}", std::process::id()).as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        format!("{now:010}{seq:06x}{hex}")
    }

    /// Starts an upload.
    pub(crate) fn create(&self, meta: UploadMeta) -> Result<(), CosError> {
        let mut index = lock(&self.index);
        if let (Some(udir), Some(tmp)) = (self.upload_dir(&meta.upload_id), self.tmp()) {
            fs::create_dir_all(&udir).map_err(|e| CosError::io(&e))?;
            write_file_atomic(&tmp, &udir.join("upload.json"), &json(&meta)?)
                .map_err(|e| CosError::io(&e))?;
        }
        index.insert(
            (
                meta.bucket.clone(),
                meta.key.clone(),
                meta.upload_id.clone(),
            ),
            UploadEntry {
                meta,
                parts: BTreeMap::new(),
            },
        );
        Ok(())
    }

    /// `NoSuchUpload` unless the upload is in progress.
    pub(crate) fn check(&self, bucket: &str, key: &str, upload_id: &str) -> Result<(), CosError> {
        let index = lock(&self.index);
        let id = (bucket.to_owned(), key.to_owned(), upload_id.to_owned());
        match index.contains_key(&id) {
            true => Ok(()),
            false => Err(no_such_upload()),
        }
    }

    /// An upload's settings and parts (in part-number order); `NoSuchUpload` if unknown.
    pub(crate) fn get(
        &self,
        bucket: &str,
        key: &str,
        upload_id: &str,
    ) -> Result<(UploadMeta, Vec<PartEntry>), CosError> {
        let index = lock(&self.index);
        let entry = index
            .get(&(bucket.to_owned(), key.to_owned(), upload_id.to_owned()))
            .ok_or_else(no_such_upload)?;
        Ok((entry.meta.clone(), entry.parts.values().cloned().collect()))
    }

    /// Stores `blob` as part `number`, replacing an earlier one.
    pub(crate) fn put_part(
        &self,
        (bucket, key, upload_id): (&str, &str, &str),
        number: u32,
        blob: NewBlob,
        now: u64,
    ) -> Result<PartMeta, CosError> {
        let digests = blob.digests;
        let mut index = lock(&self.index);
        let entry = index
            .get_mut(&(bucket.to_owned(), key.to_owned(), upload_id.to_owned()))
            .ok_or_else(no_such_upload)?;
        let mut meta = PartMeta {
            number,
            size: digests.size,
            md5: digests.md5.iter().map(|b| format!("{b:02x}")).collect(),
            crc64: digests.crc64,
            last_modified: now,
            file: String::new(),
        };
        let stored = match blob.take() {
            Some(Blob::File(tmp)) => {
                let (Some(udir), Some(json_tmp)) = (self.upload_dir(upload_id), self.tmp()) else {
                    let _ = fs::remove_file(&tmp);
                    return Err(CosError::internal("file blob without a data directory"));
                };
                meta.file = json_tmp
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let data = udir.join(format!("{}.data", meta.file));
                if let Err(e) = fs::rename(&tmp, &data) {
                    let _ = fs::remove_file(&tmp);
                    return Err(CosError::io(&e));
                }
                let target = udir.join(format!("part-{number}.json"));
                if let Err(e) = write_file_atomic(&json_tmp, &target, &json(&meta)?) {
                    let _ = fs::remove_file(&data);
                    return Err(CosError::io(&e));
                }
                Blob::File(data)
            }
            Some(memory) => memory,
            None => return Err(CosError::internal("blob already used")),
        };
        let old = entry.parts.insert(
            number,
            PartEntry {
                meta: meta.clone(),
                blob: stored,
            },
        );
        if let Some(PartEntry {
            blob: Blob::File(path),
            ..
        }) = old
        {
            let _ = fs::remove_file(path);
        }
        Ok(meta)
    }

    /// Ends an upload (completed or aborted), removing its parts; `NoSuchUpload` if unknown.
    pub(crate) fn remove(&self, bucket: &str, key: &str, upload_id: &str) -> Result<(), CosError> {
        let mut index = lock(&self.index);
        index
            .remove(&(bucket.to_owned(), key.to_owned(), upload_id.to_owned()))
            .ok_or_else(no_such_upload)?;
        if let (Some(udir), Some(doomed)) = (self.upload_dir(upload_id), self.tmp()) {
            // Renamed first, so that a crash never leaves half an upload that loads.
            if fs::rename(&udir, &doomed).is_ok() {
                let _ = fs::remove_dir_all(&doomed);
            }
        }
        Ok(())
    }

    /// The uploads of `bucket`, by key and upload ID.
    pub(crate) fn list(&self, bucket: &str) -> Vec<UploadMeta> {
        lock(&self.index)
            .values()
            .filter(|u| u.meta.bucket == bucket)
            .map(|u| u.meta.clone())
            .collect()
    }
}

/// Reads every upload of `DIR/uploads`.
fn load(root: &Path) -> io::Result<BTreeMap<(String, String, String), UploadEntry>> {
    let mut out = BTreeMap::new();
    for entry in fs::read_dir(root)? {
        let udir = entry?.path();
        let Some(meta) = fs::read(udir.join("upload.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<UploadMeta>(&b).ok())
        else {
            let _ = fs::remove_dir_all(&udir);
            continue;
        };
        let mut parts = BTreeMap::new();
        let mut named = Vec::new();
        for file in fs::read_dir(&udir)? {
            let path = file?.path();
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if !(name.starts_with("part-") && name.ends_with(".json")) {
                continue;
            }
            let Some(part) = fs::read(&path)
                .ok()
                .and_then(|b| serde_json::from_slice::<PartMeta>(&b).ok())
            else {
                continue;
            };
            let data = udir.join(format!("{}.data", part.file));
            if data.exists() {
                named.push(data.clone());
                parts.insert(
                    part.number,
                    PartEntry {
                        meta: part,
                        blob: Blob::File(data),
                    },
                );
            }
        }
        for file in fs::read_dir(&udir)? {
            let path = file?.path();
            if path.extension().is_some_and(|e| e == "data") && !named.contains(&path) {
                let _ = fs::remove_file(path);
            }
        }
        out.insert(
            (
                meta.bucket.clone(),
                meta.key.clone(),
                meta.upload_id.clone(),
            ),
            UploadEntry { meta, parts },
        );
    }
    Ok(out)
}
