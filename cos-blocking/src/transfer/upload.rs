//! `sliceUploadFile`: a file (or any `Read + Seek`) to one object — one `PutObject` up to
//! `SliceSize`, above it a parallel, resumable multipart upload.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cos_proto::Operation;
use cos_proto::ops::multipart::{
    CompletedPart, MultipartAbort, MultipartComplete, MultipartInit, MultipartUpload,
};
use cos_proto::ops::object::{HeadObject, PutObject};
use cos_proto::plan::{Journal, PartPlan, crc64_combine};
use cos_proto::{Body, ResponseMeta};

use crate::body::{ProgressFn, Upload};
use crate::call::check;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::transfer::engine::{Engine, Job, PartCtx, Stop};
use crate::transfer::journal::{JournalFile, default_dir};
use crate::transfer::resume::Resumed;
use crate::transfer::session::Expected;
use crate::transfer::source::{FileIdentity, PartSource, UploadBody};
use crate::transfer::task::{Task, TaskId, TaskKind, TaskState};
use crate::transport;

/// The default `SliceSize`: files up to 1 MiB go up in one `PutObject`.
pub const DEFAULT_SLICE_SIZE: u64 = 1 << 20;

/// The least time between two journal writes while parts finish (a crash loses at most this
/// much of the journal; the parts it misses are still found, by hashing, on resume).
pub(crate) const JOURNAL_INTERVAL: Duration = Duration::from_millis(500);

/// How many times a part is tried before the task fails (each try retried by the client's
/// retry policy first).
pub const DEFAULT_PART_ATTEMPTS: u32 = 3;

/// Whether a multipart upload continues an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Resume {
    /// Look for an earlier upload of the same data to the same key (the journal, then the
    /// server's uploads and parts) and keep every part that matches. Default.
    #[default]
    Auto,
    /// Always start a new multipart upload; write no journal.
    Off,
}

/// A callback told the task's id before anything is sent (`TaskReady`).
pub type TaskReadyFn<'a> = &'a (dyn Fn(TaskId) + Sync);

/// The parameters of [`Client::slice_upload_file`] (the seed's `sliceUploadFile`).
///
/// The object's bucket, region, key and stored headers (Content-Type, metadata, ACL,
/// StorageClass, ...) are those of `object`, a [`PutObject`] whose body is ignored.
#[derive(Default)]
pub struct SliceUploadFile<'a> {
    /// Bucket, Region, Key and the headers the object is stored with.
    pub object: PutObject,
    /// The data: a file path or a `Read + Seek` source. Required.
    pub body: UploadBody,
    /// Up to this many bytes, one `PutObject`; above, a multipart upload (`SliceSize`).
    /// Default [`DEFAULT_SLICE_SIZE`].
    pub slice_size: Option<u64>,
    /// The part size (`ChunkSize`); grown when the file would need more than 10,000 parts.
    /// Default the client's [`Config::chunk_size`](crate::Config::chunk_size).
    pub chunk_size: Option<u64>,
    /// Parts in flight at once (`AsyncLimit` / `ChunkParallelLimit`). Default the client's
    /// [`Config::chunk_parallel_limit`](crate::Config::chunk_parallel_limit). Memory use is
    /// about this many times the part size when `content_md5` is set or the body is a
    /// reader, and a few buffers otherwise (parts stream from the file).
    pub chunk_parallel_limit: Option<usize>,
    /// Send `Content-MD5` with every part (COS checks it). Off by default: parts are checked
    /// by CRC64, and MD5 costs a second pass over memory.
    pub content_md5: bool,
    /// Continue an earlier upload. Default [`Resume::Auto`].
    pub resume: Resume,
    /// The directory of resume journals. Default the client's
    /// [`Config::resume_dir`](crate::Config::resume_dir).
    pub resume_dir: Option<PathBuf>,
    /// Tries per part before the task fails. Default [`DEFAULT_PART_ATTEMPTS`].
    pub part_attempts: Option<u32>,
    /// After a failure, pause (state [`TaskState::Paused`]) and wait for `restart_task` or
    /// `cancel_task` instead of returning the error. Default off.
    pub pause_on_error: bool,
    /// `TaskReady`: told the task id before anything is sent.
    pub on_task_ready: Option<TaskReadyFn<'a>>,
    /// `onHashProgress`: bytes of the local file hashed to check the server's parts.
    pub on_hash_progress: Option<ProgressFn<'a>>,
    /// `onProgress`: bytes uploaded (parts kept from an earlier upload count as uploaded).
    pub on_progress: Option<ProgressFn<'a>>,
}

impl std::fmt::Debug for SliceUploadFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SliceUploadFile")
            .field("object", &self.object)
            .field("body", &self.body)
            .field("slice_size", &self.slice_size)
            .field("chunk_size", &self.chunk_size)
            .field("chunk_parallel_limit", &self.chunk_parallel_limit)
            .field("content_md5", &self.content_md5)
            .field("resume", &self.resume)
            .finish_non_exhaustive()
    }
}

/// What [`Client::slice_upload_file`] returns (the seed's `Location`, `Bucket`, `Key`,
/// `ETag`, and more).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SliceUploadFileOutput {
    /// Status and headers of the last response (PutObject or CompleteMultipartUpload).
    pub meta: ResponseMeta,
    /// The object's address without scheme: `{bucket}.cos.{region}.myqcloud.com/{key}`.
    pub location: String,
    /// The bucket.
    pub bucket: String,
    /// The key.
    pub key: String,
    /// The object's ETag, with its quotes.
    pub etag: String,
    /// `x-cos-version-id`, when the bucket keeps versions.
    pub version_id: Option<String>,
    /// The CRC-64/XZ of the object, checked against COS's.
    pub crc64: u64,
    /// The object's size in bytes.
    pub size: u64,
    /// The multipart upload's id (`None` for a single PutObject).
    pub upload_id: Option<String>,
    /// Parts kept from an earlier upload.
    pub parts_reused: u32,
    /// Parts sent by this call.
    pub parts_uploaded: u32,
    /// The task's id.
    pub task_id: Option<TaskId>,
}

/// A part as the complete request needs it, and its CRC64.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DonePart {
    pub(crate) etag: String,
    pub(crate) crc64: u64,
}

impl Client {
    /// `sliceUploadFile`: uploads a file or a `Read + Seek` source to one object.
    ///
    /// Up to `slice_size` bytes go in one `PutObject`. Larger data goes in parts of
    /// `chunk_size` bytes (grown to stay within 10,000 parts), `chunk_parallel_limit` at
    /// once, each read where it lies in the file and streamed (memory does not grow with
    /// the file). A part that fails is tried again; when its tries are spent the task
    /// fails and what was sent stays on the server for a resume.
    ///
    /// **Resume**: a later call for the same data and key continues an earlier upload, in
    /// this process or another, after a crash too. Candidate uploads are the key's uploads
    /// in progress (the one in this file's journal first); a server part is kept only when
    /// its size is the planned one and its ETag is the MD5 of the local bytes at its place
    /// (hashed, reported by `on_hash_progress`) — or, for a file whose identity (size,
    /// mtime, and on Unix device, inode and change time) is what the journal recorded, when
    /// its ETag is the one the journal recorded. A file changed in place never yields a
    /// mixed object. Uploads of the key that hold no part (attempts that died before their
    /// first part) are aborted. Resuming assumes one writer per key.
    ///
    /// **Integrity**: each part's CRC64 is computed as it is read and checked against COS's;
    /// the parts' CRCs combine into the object's, checked against the completed object's.
    ///
    /// **Control**: `on_task_ready` gets the task id; [`Client::pause_task`],
    /// [`Client::restart_task`] and [`Client::cancel_task`] act on it from other threads.
    /// A cancel aborts the multipart upload ([`Client::cancel_task_keep`] keeps it).
    pub fn slice_upload_file(&self, params: SliceUploadFile<'_>) -> Result<SliceUploadFileOutput> {
        let guard =
            self.inner
                .tasks
                .announce(TaskKind::Upload, &params.object, params.on_task_ready);
        self.run_upload_task(&guard.task, params)
    }

    /// Runs an upload task to its end, leaving it in its final state.
    pub(crate) fn run_upload_task(
        &self,
        task: &Task,
        params: SliceUploadFile<'_>,
    ) -> Result<SliceUploadFileOutput> {
        let result = self.upload(task, params).map(|out| SliceUploadFileOutput {
            task_id: Some(task.id),
            ..out
        });
        task.end("SliceUploadFile", result)
    }

    fn upload(&self, task: &Task, params: SliceUploadFile<'_>) -> Result<SliceUploadFileOutput> {
        let config = &self.inner.config;
        let object = &params.object;
        // Everything that can be checked without the network is checked first.
        MultipartInit::from(object).to_request(&self.inner.endpoint)?;
        let slice_size = params.slice_size.unwrap_or(DEFAULT_SLICE_SIZE);
        let chunk_size = params.chunk_size.unwrap_or(config.chunk_size);
        let (source, size, identity) = PartSource::open(params.body)?;
        if task.canceled.load(Ordering::Relaxed) {
            return Err(task.canceled_error());
        }
        if size <= slice_size {
            return self.upload_whole(task, object, &source, size, params.on_progress);
        }
        let plan = PartPlan::new(size, chunk_size)?;
        let journal_file = match (&params.resume, source.path(), &identity) {
            (Resume::Auto, Some(path), Some(_)) => {
                let dir = params
                    .resume_dir
                    .clone()
                    .or_else(|| config.resume_dir.clone())
                    .unwrap_or_else(default_dir);
                Some(JournalFile::new(
                    &dir,
                    &object.bucket,
                    &object.region,
                    &object.key,
                    path,
                ))
            }
            _ => None,
        };

        task.set_state(TaskState::Checking);
        let (resumed, seen) = match params.resume {
            Resume::Auto => self.find_resumable(
                task,
                object,
                &source,
                size,
                identity.as_ref(),
                journal_file.as_ref(),
                plan,
                params.on_hash_progress,
            )?,
            Resume::Off => (None, Vec::new()),
        };
        let Resumed {
            upload_id,
            plan,
            parts: mut done,
        } = match resumed {
            Some(r) => r,
            None => {
                let upload_id = self.start_upload(&MultipartInit::from(object), &seen)?;
                Resumed {
                    upload_id,
                    plan,
                    parts: BTreeMap::new(),
                }
            }
        };
        let parts_reused = u32::try_from(done.len()).unwrap_or(u32::MAX);
        let mut journal = Journal {
            upload_id: upload_id.clone(),
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            total_size: size,
            part_size: plan.part_size(),
            mtime_secs: identity.as_ref().map_or(0, |i| i.mtime_secs),
            file_id: identity
                .as_ref()
                .and_then(|i| i.id.clone())
                .unwrap_or_default(),
            parts_done: done
                .iter()
                .map(|(n, p)| (*n, p.etag.clone(), p.crc64))
                .collect(),
        };
        if let Some(j) = &journal_file {
            let _ = j.save(&journal);
        }

        let jobs: Vec<Job> = plan
            .parts()
            .filter(|p| !done.contains_key(&p.number))
            .map(|p| Job {
                number: p.number,
                len: p.len,
            })
            .collect();
        let parts_uploaded = u32::try_from(jobs.len()).unwrap_or(u32::MAX);
        let done_before = done
            .keys()
            .filter_map(|n| plan.part(*n))
            .map(|p| p.len)
            .sum();
        let engine = Engine::new(task, config, size, params.on_progress)
            .limit(params.chunk_parallel_limit)
            .part_attempts(params.part_attempts)
            .pause_on_error(params.pause_on_error)
            .done_before(done_before);
        let part_request = |number: u32| MultipartUpload {
            bucket: object.bucket.clone(),
            region: object.region.clone(),
            key: object.key.clone(),
            part_number: number,
            upload_id: upload_id.clone(),
            ..MultipartUpload::default()
        };
        let buffered = params.content_md5 || matches!(source, PartSource::Stream(_));
        let work = |job: Job, ctx: &PartCtx<'_>| -> Result<DonePart> {
            let range = plan
                .part(job.number)
                .ok_or_else(|| Error::invalid("PartNumber", "outside the plan"))?;
            let mut req = part_request(job.number);
            let upload = if buffered {
                let bytes = source.read_part(range.offset, range.len)?;
                if params.content_md5 {
                    req.content_md5 = Some(cos_proto::ops::content_md5(&bytes));
                }
                Upload::bytes(bytes)
            } else {
                let PartSource::File { file, path } = &source else {
                    return Err(Error::invalid("Body", "not a file"));
                };
                Upload::region(file, path, range.offset, range.len)
            };
            let upload = upload.meter(ctx.meter).cancel_flag(&ctx.task.canceled);
            let out = self.multipart_upload_from(&req, upload)?;
            Ok(DonePart {
                etag: out.etag,
                crc64: out
                    .crc64
                    .unwrap_or_else(|| ctx.meter.crc.load(Ordering::Relaxed)),
            })
        };
        let mut last_save = transport::monotonic();
        let ran = engine.run(jobs, work, |job, part| {
            journal
                .parts_done
                .push((job.number, part.etag.clone(), part.crc64));
            done.insert(job.number, part);
            if let Some(j) = &journal_file {
                let now = transport::monotonic();
                if now.duration_since(last_save) >= JOURNAL_INTERVAL {
                    let _ = j.save(&journal);
                    last_save = now;
                }
            }
        });
        if let Err(stop) = ran {
            match stop {
                Stop::Canceled { keep: false } => {
                    let _ = self.multipart_abort(&MultipartAbort {
                        bucket: object.bucket.clone(),
                        region: object.region.clone(),
                        key: object.key.clone(),
                        upload_id: upload_id.clone(),
                    });
                    if let Some(j) = &journal_file {
                        j.remove();
                    }
                }
                _ => {
                    if let Some(j) = &journal_file {
                        let _ = j.save(&journal);
                    }
                }
            }
            return Err(stop.into_error());
        }
        if let Some(j) = &journal_file {
            let _ = j.save(&journal);
        }

        // The file must still be what was hashed and sent.
        if let (Some(path), Some(before)) = (source.path(), &identity) {
            let now = std::fs::metadata(path).map_err(|e| Error::io(Some(path.into()), e))?;
            if FileIdentity::of(&now) != *before {
                return Err(Error::io(
                    Some(path.into()),
                    std::io::Error::other(
                        "the file changed during the upload; the upload was not completed \
                         (run again: parts are checked against the file before reuse)",
                    ),
                ));
            }
        }

        task.set_state(TaskState::Completing);
        let crc = done
            .iter()
            .filter_map(|(n, p)| plan.part(*n).map(|r| (r.len, p.crc64)))
            .fold(0u64, |acc, (len, crc)| crc64_combine(acc, crc, len));
        let complete = MultipartComplete {
            bucket: object.bucket.clone(),
            region: object.region.clone(),
            key: object.key.clone(),
            upload_id: upload_id.clone(),
            parts: done
                .iter()
                .map(|(n, p)| CompletedPart {
                    part_number: *n,
                    etag: p.etag.clone(),
                })
                .collect(),
        };
        let out = self.complete_upload(
            &complete,
            Expected {
                size,
                crc64: Some(crc),
            },
        )?;
        if let Some(j) = &journal_file {
            j.remove();
        }
        let reported = match out.crc64 {
            Some(c) => Some(c),
            None => self.object_crc64(object)?,
        };
        if let Some(reported) = reported.filter(|_| config.crc64_check) {
            check("CRC64 of the completed object", reported, crc)?;
        }
        Ok(SliceUploadFileOutput {
            meta: out.meta,
            location: out.location,
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            etag: out.etag,
            version_id: out.version_id,
            crc64: crc,
            size,
            upload_id: Some(upload_id),
            parts_reused,
            parts_uploaded,
            task_id: None,
        })
    }

    /// Data up to the slice size: one `PutObject`.
    fn upload_whole(
        &self,
        task: &Task,
        object: &PutObject,
        source: &PartSource,
        size: u64,
        progress: Option<ProgressFn<'_>>,
    ) -> Result<SliceUploadFileOutput> {
        task.set_state(TaskState::Running);
        let upload = match source {
            PartSource::File { file, path } => Upload::region(file, path, 0, size),
            PartSource::Stream(_) => Upload::bytes(source.read_part(0, size)?),
        };
        let mut upload = upload.cancel_flag(&task.canceled);
        if let Some(p) = progress {
            upload = upload.on_progress(p);
        }
        let body = upload.body();
        let out = self.put_object_from(object, upload)?;
        let crc = match (out.crc64, &body) {
            (Some(c), _) => c,
            (None, Body::Bytes(b)) => crate::body::crc64(b),
            (None, _) => self.object_crc64(object)?.unwrap_or_default(),
        };
        Ok(SliceUploadFileOutput {
            location: self.location(&object.bucket, &object.region, &object.key),
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            etag: out.etag.unwrap_or_default(),
            version_id: out.version_id,
            meta: out.meta,
            crc64: crc,
            size,
            upload_id: None,
            parts_reused: 0,
            parts_uploaded: 0,
            task_id: None,
        })
    }

    /// The CRC64 COS reports for an object (by HEAD), when it reports one.
    fn object_crc64(&self, object: &PutObject) -> Result<Option<u64>> {
        let head = self.head_object(&HeadObject {
            bucket: object.bucket.clone(),
            region: object.region.clone(),
            key: object.key.clone(),
            ..HeadObject::default()
        })?;
        Ok(head.object.crc64)
    }

    /// `{host}/{key}`, the seed's `Location`.
    pub(crate) fn location(&self, bucket: &str, region: &str, key: &str) -> String {
        let head = HeadObject {
            bucket: bucket.to_owned(),
            region: region.to_owned(),
            key: key.to_owned(),
            ..HeadObject::default()
        };
        match head.to_request(&self.inner.endpoint) {
            Ok(req) => format!("{}{}", req.host(), req.path_and_query()),
            Err(_) => format!("{bucket}/{key}"),
        }
    }
}
