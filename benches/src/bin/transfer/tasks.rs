//! The three phases, each one transfer task of cos-blocking with the client's settings:
//! [`upload`] is `slice_upload_file`, [`download`] is `download_file`, [`copy`] is
//! `slice_copy_file` (forced into parts, as a 5 GiB SliceSize would copy a benchmark-sized
//! object in one request).

use std::path::Path;

use cos_blocking::proto::ops::object::{GetObject, PutObject, PutObjectCopy};
use cos_blocking::{Client, DownloadFile, SliceCopyFile, SliceUploadFile, UploadBody};

use crate::BoxError;

/// Where the transfers go and how they are cut.
pub(crate) struct Transfer<'c> {
    pub(crate) client: &'c Client,
    pub(crate) bucket: &'c str,
    pub(crate) region: &'c str,
    /// Bytes per part, when given (else each task's default).
    pub(crate) part_size: Option<u64>,
}

/// Uploads the file at `path` to `key`; the object's CRC64 (checked by the task).
pub(crate) fn upload(t: &Transfer<'_>, path: &Path, key: &str) -> Result<u64, BoxError> {
    let out = t.client.slice_upload_file(SliceUploadFile {
        object: PutObject {
            bucket: t.bucket.to_owned(),
            region: t.region.to_owned(),
            key: key.to_owned(),
            ..PutObject::default()
        },
        body: UploadBody::path(path),
        chunk_size: t.part_size,
        ..SliceUploadFile::default()
    })?;
    Ok(out.crc64)
}

/// Downloads `key` to `path`; its size and CRC64 (checked by the task).
pub(crate) fn download(t: &Transfer<'_>, key: &str, path: &Path) -> Result<(u64, u64), BoxError> {
    let out = t.client.download_file(DownloadFile {
        object: GetObject {
            bucket: t.bucket.to_owned(),
            region: t.region.to_owned(),
            key: key.to_owned(),
            ..GetObject::default()
        },
        path: path.to_path_buf(),
        chunk_size: t.part_size,
        ..DownloadFile::default()
    })?;
    Ok((out.size, out.crc64))
}

/// Copies `key` to `to` in parts; the copy's CRC64 as COS reports it (checked by the task
/// against the source's).
pub(crate) fn copy(t: &Transfer<'_>, key: &str, to: &str) -> Result<Option<u64>, BoxError> {
    let out = t.client.slice_copy_file(SliceCopyFile {
        object: PutObjectCopy {
            bucket: t.bucket.to_owned(),
            region: t.region.to_owned(),
            key: to.to_owned(),
            copy_source: format!("{}.cos.{}.myqcloud.com/{key}", t.bucket, t.region),
            ..PutObjectCopy::default()
        },
        chunk_size: t.part_size,
        slice_size: Some(0),
        ..SliceCopyFile::default()
    })?;
    Ok(out.crc64)
}
