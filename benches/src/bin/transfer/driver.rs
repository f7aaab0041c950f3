//! TEMPORARY DRIVER: the three transfers done with the calls cos-blocking has today, the way
//! its transfer tasks will do them, until those tasks land. Each phase is one function; the
//! task author swaps [`upload`] for `slice_upload_file`, [`download`] for `download_file` and
//! [`copy`] for `slice_copy_file`, and deletes this file.
//!
//! - [`upload`]: InitiateMultipartUpload, then `parallel` threads each take the next part and
//!   stream it from the file with positional reads (`read_at`, no shared cursor) through
//!   `Upload::reader`; CompleteMultipartUpload with the parts' ETags. cos-blocking checks each
//!   part's CRC64 against `x-cos-hash-crc64ecma`.
//! - [`download`]: HEAD for the size and CRC64, then ranged GETs (`Range: bytes=a-b`) on
//!   `parallel` threads, each written with positional writes (`write_at`) into a temporary
//!   file of the full size; the ranges' CRC64s are combined in order and checked against the
//!   HEAD's before the file is renamed into place.
//! - [`copy`]: InitiateMultipartUpload, UploadPartCopy with `x-cos-copy-source-range` on
//!   `parallel` threads, CompleteMultipartUpload; the new object's CRC64 is checked against
//!   the source's.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Mutex, PoisonError};

use cos_blocking::proto::ops::multipart::{
    CompletedPart, MultipartComplete, MultipartInit, MultipartUpload, UploadPartCopy,
};
use cos_blocking::proto::ops::object::{GetObject, HeadObject};
use cos_blocking::proto::plan::crc64_combine;
use cos_blocking::{Client, Download, Upload};

use crate::BoxError;

/// Where the transfers go and how they are cut.
pub(crate) struct Transfer<'c> {
    pub(crate) client: &'c Client,
    pub(crate) bucket: &'c str,
    pub(crate) region: &'c str,
    /// Bytes per part (the tasks' ChunkSize).
    pub(crate) part_size: u64,
    /// Parts in flight at once (the tasks' ChunkParallelLimit).
    pub(crate) parallel: usize,
}

impl Transfer<'_> {
    /// The number of parts of `size` bytes, at least one.
    fn part_count(&self, size: u64) -> Result<u32, BoxError> {
        let n = size.div_ceil(self.part_size).max(1);
        Ok(u32::try_from(n)?)
    }

    /// Offset and length of part `index` (from 0) of `size` bytes.
    fn part_range(&self, index: u32, size: u64) -> (u64, u64) {
        let start = u64::from(index) * self.part_size;
        (start, self.part_size.min(size - start))
    }

    fn init(&self, key: &str) -> Result<String, BoxError> {
        let out = self.client.multipart_init(&MultipartInit {
            bucket: self.bucket.to_owned(),
            region: self.region.to_owned(),
            key: key.to_owned(),
            ..MultipartInit::default()
        })?;
        Ok(out.upload_id)
    }

    /// Completes `upload_id` with the parts' ETags in order; the object's CRC64.
    fn complete(
        &self,
        key: &str,
        upload_id: &str,
        etags: Vec<String>,
    ) -> Result<Option<u64>, BoxError> {
        let parts = (1..)
            .zip(etags)
            .map(|(part_number, etag)| CompletedPart { part_number, etag });
        let out = self.client.multipart_complete(&MultipartComplete {
            bucket: self.bucket.to_owned(),
            region: self.region.to_owned(),
            key: key.to_owned(),
            upload_id: upload_id.to_owned(),
            parts: parts.collect(),
        })?;
        Ok(out.crc64)
    }
}

/// Uploads the file at `path` as `key`; the CRC64 the service reports for the object.
pub(crate) fn upload(t: &Transfer<'_>, path: &Path, key: &str) -> Result<Option<u64>, BoxError> {
    let file = File::open(path)?;
    let size = file.metadata()?.len();
    let upload_id = t.init(key)?;
    let etags = in_parallel(t.part_count(size)?, t.parallel, |index| {
        let (start, len) = t.part_range(index, size);
        let mut reader = PartReader {
            file: &file,
            pos: start,
            end: start + len,
        };
        let params = MultipartUpload {
            bucket: t.bucket.to_owned(),
            region: t.region.to_owned(),
            key: key.to_owned(),
            part_number: index + 1,
            upload_id: upload_id.clone(),
            ..MultipartUpload::default()
        };
        let out = t
            .client
            .multipart_upload_from(&params, Upload::reader(&mut reader, len))?;
        Ok(out.etag)
    })?;
    t.complete(key, &upload_id, etags)
}

/// Downloads `key` into the file at `path`; the object's size and CRC64, checked.
pub(crate) fn download(t: &Transfer<'_>, key: &str, path: &Path) -> Result<(u64, u64), BoxError> {
    let head = t.client.head_object(&HeadObject {
        bucket: t.bucket.to_owned(),
        region: t.region.to_owned(),
        key: key.to_owned(),
        ..HeadObject::default()
    })?;
    let size = head
        .object
        .content_length
        .ok_or("HEAD gave no Content-Length")?;
    let expected = head
        .object
        .crc64
        .ok_or("HEAD gave no x-cos-hash-crc64ecma")?;
    let temp = path.with_extension("download-part");
    let file = File::create(&temp)?;
    file.set_len(size)?;
    let count = t.part_count(size)?;
    let crcs = in_parallel(count, t.parallel, |index| {
        let (start, len) = t.part_range(index, size);
        if len == 0 {
            return Ok(0);
        }
        let mut writer = RangeWriter {
            file: &file,
            pos: start,
            end: start + len,
            crc: crc64fast::Digest::new(),
        };
        let params = GetObject {
            bucket: t.bucket.to_owned(),
            region: t.region.to_owned(),
            key: key.to_owned(),
            range: Some(format!("bytes={start}-{}", start + len - 1)),
            ..GetObject::default()
        };
        t.client
            .get_object_into(&params, Download::to_writer(&mut writer))?;
        if writer.pos != writer.end {
            return Err(format!(
                "part {} is {} bytes short",
                index + 1,
                writer.end - writer.pos
            )
            .into());
        }
        Ok(writer.crc.sum64())
    })?;
    let crc = (0..count).zip(crcs).fold(0, |acc, (index, part_crc)| {
        crc64_combine(acc, part_crc, t.part_range(index, size).1)
    });
    if crc != expected {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("downloaded CRC64 {crc} is not the object's {expected}").into());
    }
    drop(file);
    std::fs::rename(&temp, path)?;
    Ok((size, crc))
}

/// Copies `src_key` (of `size` bytes) to `dst_key` inside the bucket, by parts; the new
/// object's CRC64.
pub(crate) fn copy(
    t: &Transfer<'_>,
    src_key: &str,
    size: u64,
    dst_key: &str,
) -> Result<Option<u64>, BoxError> {
    let upload_id = t.init(dst_key)?;
    let source = format!("{}.cos.{}.myqcloud.com/{src_key}", t.bucket, t.region);
    let etags = in_parallel(t.part_count(size)?, t.parallel, |index| {
        let (start, len) = t.part_range(index, size);
        let params = UploadPartCopy {
            bucket: t.bucket.to_owned(),
            region: t.region.to_owned(),
            key: dst_key.to_owned(),
            part_number: index + 1,
            upload_id: upload_id.clone(),
            copy_source: source.clone(),
            copy_source_range: Some(format!("bytes={start}-{}", start + len - 1)),
            ..UploadPartCopy::default()
        };
        Ok(t.client.upload_part_copy(&params)?.etag)
    })?;
    t.complete(dst_key, &upload_id, etags)
}

/// Runs `job` for parts `0..count` on `parallel` threads, each taking the next part; the
/// results in part order, or the first error (the other threads then stop taking parts).
fn in_parallel<T: Send>(
    count: u32,
    parallel: usize,
    job: impl Fn(u32) -> Result<T, BoxError> + Sync,
) -> Result<Vec<T>, BoxError> {
    let next = AtomicU32::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..count).map(|_| None).collect());
    let first_error: Mutex<Option<BoxError>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..parallel.clamp(1, count.max(1) as usize) {
            s.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    if index >= count {
                        break;
                    }
                    match job(index) {
                        Ok(v) => {
                            results.lock().unwrap_or_else(PoisonError::into_inner)
                                [index as usize] = Some(v);
                        }
                        Err(e) => {
                            failed.store(true, Ordering::Relaxed);
                            first_error
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .get_or_insert(e);
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = first_error
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
    {
        return Err(e);
    }
    results
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner)
        .into_iter()
        .map(|r| r.ok_or_else(|| "a part was never done".into()))
        .collect()
}

/// Reads `pos..end` of a file with positional reads.
struct PartReader<'f> {
    file: &'f File,
    pos: u64,
    end: u64,
}

impl Read for PartReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want =
            usize::try_from(self.end - self.pos).map_or(buf.len(), |left| left.min(buf.len()));
        if want == 0 {
            return Ok(0);
        }
        let n = self.file.read_at(&mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

/// Writes `pos..end` of a file with positional writes, hashing what it writes.
struct RangeWriter<'f> {
    file: &'f File,
    pos: u64,
    end: u64,
    crc: crc64fast::Digest,
}

impl Write for RangeWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.len() as u64 > self.end - self.pos {
            return Err(io::Error::other("more bytes than the range asked for"));
        }
        self.file.write_all_at(buf, self.pos)?;
        self.crc.write(buf);
        self.pos += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
