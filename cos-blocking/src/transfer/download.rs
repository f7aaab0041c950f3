//! `downloadFile` (beyond the seed, as in the Python, Go and C++ SDKs): one object to a
//! local file — one `GetObject` up to `SliceSize`, above it ranged GETs in parallel,
//! written where they belong in a temporary file that is renamed into place only when
//! complete and CRC64-verified. An interrupted download resumes from its temporary file and
//! journal (`.{name}.cos-download` and `.{name}.cos-download.journal` beside the target):
//! the parts recorded there are read back and kept when their CRC64 still matches.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;

use cos_proto::Operation;
use cos_proto::ops::object::{GetObject, HeadObject};
use cos_proto::plan::{Journal, PartPlan, crc64_combine};

use crate::body::{
    Download, ProgressFn, SharedFile, WRITE_BEHIND_BYTES, WriteBehind, read_range_at,
};
use crate::call::check;
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::transfer::engine::{Engine, Job, PartCtx, Stop};
use crate::transfer::journal::JournalFile;
use crate::transfer::task::{Task, TaskId, TaskKind, TaskState};
use crate::transfer::upload::{Resume, TaskReadyFn};
use crate::transport;

/// The default part size of a download: 8 MiB.
pub const DEFAULT_DOWNLOAD_CHUNK_SIZE: u64 = 8 << 20;

/// The parameters of [`Client::download_file`].
#[derive(Default)]
pub struct DownloadFile<'a> {
    /// Bucket, Region, Key, and optionally `version_id` and `if_match` of the object
    /// (`range` must be unset: the task chooses the ranges).
    pub object: GetObject,
    /// The local file to write. It is replaced only once the download is complete and
    /// verified; until then the data is in `.{name}.cos-download` beside it.
    pub path: PathBuf,
    /// Objects up to this size are fetched with one GET. Default the part size.
    pub slice_size: Option<u64>,
    /// The size of each ranged GET. Default [`DEFAULT_DOWNLOAD_CHUNK_SIZE`]; at least 1 MiB,
    /// grown so that no object needs more than 10,000 ranges.
    pub chunk_size: Option<u64>,
    /// Ranges in flight at once. Default the client's
    /// [`Config::chunk_parallel_limit`](crate::Config::chunk_parallel_limit).
    pub chunk_parallel_limit: Option<usize>,
    /// Continue an earlier, interrupted download of the same object version into the same
    /// path. Default [`Resume::Auto`].
    pub resume: Resume,
    /// Tries per range before the task fails. Default
    /// [`DEFAULT_PART_ATTEMPTS`](crate::transfer::DEFAULT_PART_ATTEMPTS).
    pub part_attempts: Option<u32>,
    /// After a failure, pause and wait for `restart_task` or `cancel_task`. Default off.
    pub pause_on_error: bool,
    /// Told the task id before anything is sent.
    pub on_task_ready: Option<TaskReadyFn<'a>>,
    /// Bytes received (ranges kept from an earlier run count as received).
    pub on_progress: Option<ProgressFn<'a>>,
}

impl std::fmt::Debug for DownloadFile<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadFile")
            .field("object", &self.object)
            .field("path", &self.path)
            .field("chunk_size", &self.chunk_size)
            .field("chunk_parallel_limit", &self.chunk_parallel_limit)
            .field("resume", &self.resume)
            .finish_non_exhaustive()
    }
}

/// What [`Client::download_file`] returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DownloadFileOutput {
    /// The object's ETag, with its quotes.
    pub etag: String,
    /// The object's size, now the file's.
    pub size: u64,
    /// The CRC-64/XZ of the data written (checked against COS's when COS reports one).
    pub crc64: u64,
    /// Ranges kept from an interrupted earlier download.
    pub parts_reused: u32,
    /// Ranges fetched by this call.
    pub parts_downloaded: u32,
    /// The task's id.
    pub task_id: Option<TaskId>,
}

impl Client {
    /// `downloadFile`: the object to the file at `params.path`, by parallel ranged GETs.
    ///
    /// A HEAD gives the size, ETag and CRC64; each range is fetched with `If-Match` on that
    /// ETag (a changed object fails the task instead of mixing versions) and written where
    /// it belongs in the temporary file; the ranges' CRC64s combine into the object's,
    /// checked against COS's before the rename. The target is never half-written: on any
    /// failure it is as it was. A failed or interrupted download (`cancel_task_keep`, a
    /// crash) resumes from its temporary file; `cancel_task` deletes it.
    pub fn download_file(&self, params: DownloadFile<'_>) -> Result<DownloadFileOutput> {
        let guard =
            self.inner
                .tasks
                .announce(TaskKind::Download, &params.object, params.on_task_ready);
        let task = &guard.task;
        let result = self.download(task, params).map(|out| DownloadFileOutput {
            task_id: Some(task.id),
            ..out
        });
        task.end("DownloadFile", result)
    }

    fn download(&self, task: &Task, params: DownloadFile<'_>) -> Result<DownloadFileOutput> {
        let config = &self.inner.config;
        let object = &params.object;
        if object.range.is_some() {
            return Err(Error::invalid(
                "Range",
                "downloadFile chooses the ranges; leave it unset",
            ));
        }
        object.to_request(&self.inner.endpoint)?;
        let name = params
            .path
            .file_name()
            .ok_or_else(|| Error::invalid("Path", "names no file"))?
            .to_string_lossy()
            .into_owned();
        let chunk_size = params.chunk_size.unwrap_or(DEFAULT_DOWNLOAD_CHUNK_SIZE);
        if chunk_size < cos_proto::plan::MIN_PART_SIZE {
            return Err(Error::invalid(
                "ChunkSize",
                "must be at least 1 MiB (1048576)",
            ));
        }
        let slice_size = params.slice_size.unwrap_or(chunk_size);

        task.set_state(TaskState::Checking);
        let head = self.head_object(&HeadObject {
            bucket: object.bucket.clone(),
            region: object.region.clone(),
            key: object.key.clone(),
            version_id: object.version_id.clone(),
            ..HeadObject::default()
        })?;
        let size = head.object.content_length.unwrap_or(0);
        let etag = head.object.etag.clone().unwrap_or_default();
        // Every GET names the version the HEAD saw (or the caller's If-Match).
        let if_match = object.if_match.clone().or_else(|| Some(etag.clone()));
        let server_crc = head.object.crc64;
        if task.canceled.load(Ordering::Relaxed) {
            return Err(task.canceled_error());
        }

        if size <= slice_size {
            task.set_state(TaskState::Running);
            let get = GetObject {
                if_match: if_match.clone(),
                ..object.clone()
            };
            let mut download = Download::to_file(&params.path).cancel_flag(&task.canceled);
            if let Some(p) = params.on_progress {
                download = download.on_progress(p);
            }
            let out = self.get_object_into(&get, download)?;
            return Ok(DownloadFileOutput {
                etag: out.object.etag.unwrap_or(etag),
                size,
                crc64: out.object.crc64.or(server_crc).unwrap_or_default(),
                parts_reused: 0,
                parts_downloaded: 1,
                task_id: None,
            });
        }

        let plan = PartPlan::new(size, chunk_size)?;
        let temp = params.path.with_file_name(format!(".{name}.cos-download"));
        let journal_file =
            JournalFile::at(temp.with_file_name(format!(".{name}.cos-download.journal")));
        let mut journal = Journal {
            upload_id: etag.clone(),
            bucket: object.bucket.clone(),
            key: object.key.clone(),
            total_size: size,
            part_size: plan.part_size(),
            mtime_secs: 0,
            file_id: object.version_id.clone().unwrap_or_default(),
            parts_done: Vec::new(),
        };
        let earlier = match params.resume {
            Resume::Auto => journal_file.load().filter(|j| {
                Journal {
                    parts_done: Vec::new(),
                    ..j.clone()
                } == journal
            }),
            Resume::Off => None,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(earlier.is_none())
            .open(&temp)
            .map_err(|e| Error::io(Some(temp.clone()), e))?;
        file.set_len(size)
            .map_err(|e| Error::io(Some(temp.clone()), e))?;
        let file = SharedFile::new(file);
        // Ranges written before are kept only if they still read back as recorded.
        let mut done: BTreeMap<u32, u64> = BTreeMap::new();
        for (number, _, crc) in earlier.iter().flat_map(|j| &j.parts_done) {
            let Some(range) = plan.part(*number) else {
                continue;
            };
            if read_crc(file.file(), &temp, range.offset, range.len)? == *crc {
                done.insert(*number, *crc);
            }
        }
        journal.parts_done = done.iter().map(|(n, c)| (*n, String::new(), *c)).collect();
        let _ = journal_file.save(&journal);
        let parts_reused = u32::try_from(done.len()).unwrap_or(u32::MAX);

        let jobs: Vec<Job> = plan
            .parts()
            .filter(|p| !done.contains_key(&p.number))
            .map(|p| Job {
                number: p.number,
                len: p.len,
            })
            .collect();
        let parts_downloaded = u32::try_from(jobs.len()).unwrap_or(u32::MAX);
        let engine = Engine::new(task, config, size, params.on_progress)
            .limit(params.chunk_parallel_limit)
            .part_attempts(params.part_attempts)
            .pause_on_error(params.pause_on_error)
            .done_before(
                done.keys()
                    .filter_map(|n| plan.part(*n))
                    .map(|p| p.len)
                    .sum(),
            );
        let work = |job: Job, ctx: &PartCtx<'_>| -> Result<u64> {
            let range = plan
                .part(job.number)
                .ok_or_else(|| Error::invalid("PartNumber", "outside the plan"))?;
            let get = GetObject {
                range: Some(format!(
                    "bytes={}-{}",
                    range.offset,
                    range.offset + range.len - 1
                )),
                if_match: if_match.clone(),
                ..object.clone()
            };
            let download = Download::region(&file, &temp, range.offset)
                .meter(ctx.meter)
                .cancel_flag(&ctx.task.canceled);
            let out = self.get_object_into(&get, download)?;
            let received = ctx.meter.sent.load(Ordering::Relaxed);
            if out.meta.status != 206 || received != range.len {
                return Err(Error::new(ErrorKind::Integrity {
                    what: "length of a ranged download",
                    expected: range.len,
                    actual: received,
                }));
            }
            Ok(ctx.meter.crc.load(Ordering::Relaxed))
        };
        let mut last_save = transport::monotonic();
        let write_behind = WriteBehind::start(file.file(), WRITE_BEHIND_BYTES);
        let ran = engine.run(jobs, work, |job, crc| {
            write_behind.wrote(job.len);
            done.insert(job.number, crc);
            journal.parts_done.push((job.number, String::new(), crc));
            let now = transport::monotonic();
            // No fsync of the data first: a resume reads every recorded range back and
            // keeps it only if its CRC64 still matches.
            if now.duration_since(last_save) >= super::upload::JOURNAL_INTERVAL {
                let _ = journal_file.save(&journal);
                last_save = now;
            }
        });
        write_behind.finish();
        if let Err(stop) = ran {
            if let Stop::Canceled { keep: false } = stop {
                drop(file);
                let _ = std::fs::remove_file(&temp);
                journal_file.remove();
            } else {
                let _ = journal_file.save(&journal);
            }
            return Err(stop.into_error());
        }

        task.set_state(TaskState::Completing);
        let crc = done
            .iter()
            .filter_map(|(n, c)| plan.part(*n).map(|r| (r.len, *c)))
            .fold(0u64, |acc, (len, c)| crc64_combine(acc, c, len));
        if let Some(expected) = server_crc.filter(|_| config.crc64_check)
            && let Err(e) = check("CRC64 of the downloaded file", expected, crc)
        {
            // What was written is not the object: nothing of it is worth keeping.
            drop(file);
            let _ = std::fs::remove_file(&temp);
            journal_file.remove();
            return Err(e);
        }
        file.file()
            .sync_all()
            .and_then(|_| std::fs::rename(&temp, &params.path))
            .map_err(|e| Error::io(Some(params.path.clone()), e))?;
        journal_file.remove();
        Ok(DownloadFileOutput {
            etag,
            size,
            crc64: crc,
            parts_reused,
            parts_downloaded,
            task_id: None,
        })
    }
}

/// The CRC64 of `len` bytes of `file` from `offset` (of fewer, if the file ends first).
fn read_crc(file: &File, path: &Path, offset: u64, len: u64) -> Result<u64> {
    let mut digest = crc64fast::Digest::new();
    let mut buf = vec![0u8; 1 << 20];
    read_range_at(file, path, offset, len, &mut buf, |piece| {
        digest.write(piece)
    })?;
    Ok(digest.sum64())
}
