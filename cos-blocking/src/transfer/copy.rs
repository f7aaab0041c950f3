//! `sliceCopyFile`: one object to another, server-side — one `putObjectCopy` up to
//! `SliceSize`, above it parallel `uploadPartCopy` with `x-cos-copy-source-range`.

use std::collections::BTreeMap;

use cos_proto::Operation;
use cos_proto::ResponseMeta;
use cos_proto::header;
use cos_proto::ops::CopySource;
use cos_proto::ops::multipart::{
    CompletedPart, MultipartAbort, MultipartComplete, MultipartInit, UploadPartCopy,
};
use cos_proto::ops::object::{HeadObject, HeadObjectOutput, PutObjectCopy};
use cos_proto::plan::PartPlan;
use cos_proto::types::MetadataDirective;

use crate::body::{ProgressFn, Reporter};
use crate::call::check;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::transfer::engine::{Engine, Job, PartCtx};
use crate::transfer::session::Expected;
use crate::transfer::task::{Task, TaskId, TaskKind, TaskState};
use crate::transfer::upload::TaskReadyFn;

/// The default `ChunkSize` of a copy: 10 MiB.
pub const DEFAULT_COPY_CHUNK_SIZE: u64 = 10 << 20;
/// The default `SliceSize` of a copy: objects up to 5 GiB are copied with one request.
pub const DEFAULT_COPY_SLICE_SIZE: u64 = 5 << 30;

/// The parameters of [`Client::slice_copy_file`] (the seed's `sliceCopyFile`).
#[derive(Default)]
pub struct SliceCopyFile<'a> {
    /// Bucket, Region, Key of the copy, `CopySource`, and the ACL, storage class, metadata
    /// directive and headers of a `putObjectCopy`.
    pub object: PutObjectCopy,
    /// The part size of a multipart copy (`ChunkSize`). Default
    /// [`DEFAULT_COPY_CHUNK_SIZE`]; grown to stay within 10,000 parts.
    pub chunk_size: Option<u64>,
    /// Objects up to this size are copied with one `putObjectCopy` (`SliceSize`). Default
    /// [`DEFAULT_COPY_SLICE_SIZE`].
    pub slice_size: Option<u64>,
    /// Parts copied at once. Default the client's
    /// [`Config::chunk_parallel_limit`](crate::Config::chunk_parallel_limit).
    pub chunk_parallel_limit: Option<usize>,
    /// Tries per part before the task fails. Default
    /// [`DEFAULT_PART_ATTEMPTS`](crate::transfer::DEFAULT_PART_ATTEMPTS).
    pub part_attempts: Option<u32>,
    /// After a failure, pause and wait for `restart_task` or `cancel_task`. Default off.
    pub pause_on_error: bool,
    /// Told the task id before anything is sent.
    pub on_task_ready: Option<TaskReadyFn<'a>>,
    /// `onProgress`: bytes copied, counted as parts finish.
    pub on_progress: Option<ProgressFn<'a>>,
}

impl std::fmt::Debug for SliceCopyFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SliceCopyFile")
            .field("object", &self.object)
            .field("chunk_size", &self.chunk_size)
            .field("slice_size", &self.slice_size)
            .field("chunk_parallel_limit", &self.chunk_parallel_limit)
            .finish_non_exhaustive()
    }
}

/// What [`Client::slice_copy_file`] returns (the seed's `Location`, `Bucket`, `Key`,
/// `ETag`, and more).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SliceCopyFileOutput {
    /// Status and headers of the last response.
    pub meta: ResponseMeta,
    /// The copy's address without scheme.
    pub location: String,
    /// The bucket of the copy.
    pub bucket: String,
    /// The key of the copy.
    pub key: String,
    /// The copy's ETag, with its quotes.
    pub etag: String,
    /// `x-cos-version-id` of the copy, when the bucket keeps versions.
    pub version_id: Option<String>,
    /// The copy's CRC-64/XZ as COS reports it (checked equal to the source's when COS
    /// reports both).
    pub crc64: Option<u64>,
    /// The object's size.
    pub size: u64,
    /// The multipart upload's id (`None` for a single putObjectCopy).
    pub upload_id: Option<String>,
    /// The task's id.
    pub task_id: Option<TaskId>,
}

impl Client {
    /// `sliceCopyFile`: copies the object `params.object.copy_source` names to
    /// `params.object.key`, server-side.
    ///
    /// A HEAD of the source gives its size, ETag and CRC64. Up to `slice_size` bytes, one
    /// `putObjectCopy`; above, a multipart upload whose parts are `uploadPartCopy`s of
    /// `chunk_size` ranges, `chunk_parallel_limit` at once, each conditioned on the source's
    /// ETag (`x-cos-copy-source-If-Match`) so a source replaced meanwhile fails the copy
    /// instead of mixing versions. With the `Copy` metadata directive (the default) the
    /// source's content headers and metadata are carried over, as a single copy does. The
    /// copy's CRC64 is checked against the source's. A cancel or a failure aborts the
    /// multipart upload (a copy has nothing local to resume from).
    pub fn slice_copy_file(&self, params: SliceCopyFile<'_>) -> Result<SliceCopyFileOutput> {
        let guard = self
            .inner
            .tasks
            .announce(TaskKind::Copy, &params.object, params.on_task_ready);
        let task = &guard.task;
        let result = self.copy(task, params).map(|out| SliceCopyFileOutput {
            task_id: Some(task.id),
            ..out
        });
        task.end("SliceCopyFile", result)
    }

    fn copy(&self, task: &Task, params: SliceCopyFile<'_>) -> Result<SliceCopyFileOutput> {
        let config = &self.inner.config;
        let object = &params.object;
        object.to_request(&self.inner.endpoint)?;
        let source = CopySource::parse(&object.copy_source)?;
        let chunk_size = params.chunk_size.unwrap_or(DEFAULT_COPY_CHUNK_SIZE);
        let slice_size = params.slice_size.unwrap_or(DEFAULT_COPY_SLICE_SIZE);

        task.set_state(TaskState::Checking);
        let head = self.head_object(&HeadObject {
            bucket: source.bucket.clone(),
            region: source.region.clone(),
            key: source.key.clone(),
            version_id: source.version_id.clone(),
            ..HeadObject::default()
        })?;
        let size = head.object.content_length.unwrap_or(0);
        let etag = head.object.etag.clone().unwrap_or_default();
        if task.canceled.load(std::sync::atomic::Ordering::Relaxed) {
            return Err(task.canceled_error());
        }

        if size <= slice_size {
            task.set_state(TaskState::Running);
            let mut progress = Reporter::new(params.on_progress, size, config.progress_interval);
            let out = self.put_object_copy(object)?;
            if let (Some(copied), Some(source)) = (out.crc64, head.object.crc64) {
                check("CRC64 of the copy", source, copied)?;
            }
            // One request: the progress is all or nothing.
            progress.update(size, true);
            return Ok(SliceCopyFileOutput {
                location: self.location(&object.bucket, &object.region, &object.key),
                bucket: object.bucket.clone(),
                key: object.key.clone(),
                etag: out.etag,
                version_id: out.version_id,
                crc64: out.crc64,
                meta: out.meta,
                size,
                upload_id: None,
                task_id: None,
            });
        }

        let plan = PartPlan::new(size, chunk_size)?;
        let upload_id = self.start_upload(&copy_init(object, &head)?, &[])?;
        let abort = || {
            let _ = self.multipart_abort(&MultipartAbort {
                bucket: object.bucket.clone(),
                region: object.region.clone(),
                key: object.key.clone(),
                upload_id: upload_id.clone(),
            });
        };
        let jobs: Vec<Job> = plan
            .parts()
            .map(|p| Job {
                number: p.number,
                len: p.len,
            })
            .collect();
        let engine = Engine::new(task, config, size, params.on_progress)
            .limit(params.chunk_parallel_limit)
            .part_attempts(params.part_attempts)
            .pause_on_error(params.pause_on_error);
        let work = |job: Job, _ctx: &PartCtx<'_>| -> Result<String> {
            let range = plan
                .part(job.number)
                .ok_or_else(|| Error::invalid("PartNumber", "outside the plan"))?;
            let out = self.upload_part_copy(&UploadPartCopy {
                bucket: object.bucket.clone(),
                region: object.region.clone(),
                key: object.key.clone(),
                part_number: job.number,
                upload_id: upload_id.clone(),
                copy_source: object.copy_source.clone(),
                copy_source_range: Some(format!(
                    "bytes={}-{}",
                    range.offset,
                    range.offset + range.len - 1
                )),
                copy_source_if_match: Some(etag.clone()),
                ..UploadPartCopy::default()
            })?;
            Ok(out.etag)
        };
        let mut done: BTreeMap<u32, String> = BTreeMap::new();
        if let Err(stop) = engine.run(jobs, work, |job, etag| {
            done.insert(job.number, etag);
        }) {
            abort();
            return Err(stop.into_error());
        }

        task.set_state(TaskState::Completing);
        let complete = MultipartComplete {
            bucket: object.bucket.clone(),
            region: object.region.clone(),
            key: object.key.clone(),
            upload_id: upload_id.clone(),
            parts: done
                .into_iter()
                .map(|(part_number, etag)| CompletedPart { part_number, etag })
                .collect(),
        };
        let expected = Expected {
            size,
            crc64: head.object.crc64,
        };
        let out = match self.complete_upload(&complete, expected) {
            Ok(out) => out,
            Err(e) => {
                abort();
                return Err(e);
            }
        };
        if let (Some(copied), Some(source)) = (out.crc64, head.object.crc64) {
            check("CRC64 of the copy", source, copied)?;
        }
        Ok(SliceCopyFileOutput {
            meta: out.meta,
            location: out.location,
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            etag: out.etag,
            version_id: out.version_id,
            crc64: out.crc64,
            size,
            upload_id: Some(upload_id),
            task_id: None,
        })
    }
}

/// The multipart start of a copy: the copy's ACL, grants and storage class; its content
/// headers and metadata with the `Replaced` directive, else the source's (as a single copy
/// keeps them).
fn copy_init(copy: &PutObjectCopy, source: &HeadObjectOutput) -> Result<MultipartInit> {
    let replaced = match copy.metadata_directive.as_deref() {
        None => false,
        Some(d) => MetadataDirective::parse("MetadataDirective", d)? == MetadataDirective::Replaced,
    };
    let from_source = |name: &str| source.meta.header(name).map(str::to_owned);
    let (cache_control, content_disposition, content_encoding, content_type, expires, metadata) =
        if replaced {
            (
                copy.cache_control.clone(),
                copy.content_disposition.clone(),
                copy.content_encoding.clone(),
                copy.content_type.clone(),
                copy.expires.clone(),
                copy.metadata.clone(),
            )
        } else {
            (
                from_source(header::CACHE_CONTROL),
                from_source(header::CONTENT_DISPOSITION),
                from_source(header::CONTENT_ENCODING),
                source.object.content_type.clone(),
                from_source(header::EXPIRES),
                source
                    .object
                    .metadata
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        };
    Ok(MultipartInit {
        bucket: copy.bucket.clone(),
        region: copy.region.clone(),
        key: copy.key.clone(),
        cache_control,
        content_disposition,
        content_encoding,
        content_type,
        expires,
        acl: copy.acl.clone(),
        grant_read: copy.grant_read.clone(),
        grant_write: copy.grant_write.clone(),
        grant_read_acp: copy.grant_read_acp.clone(),
        grant_write_acp: copy.grant_write_acp.clone(),
        grant_full_control: copy.grant_full_control.clone(),
        storage_class: copy.storage_class.clone(),
        metadata,
    })
}
