//! The transfer tasks — sliceUploadFile, uploadFiles, downloadFile, sliceCopyFile — and the
//! control of a running task by its id: pauseTask, restartTask, cancelTask, its state, the
//! list of tasks.
//!
//! Each task call runs cos-blocking's task ([`Client::slice_upload_file`] and friends) and
//! blocks the calling thread until the task has ended; its parts move on worker threads the
//! call starts. Parameters come in a `cos_params` by the seed's names (`Key`, `SliceSize`,
//! `AsyncLimit`, `StorageClass`, `CopySource`, ...); the callbacks in a
//! [`cos_task_callbacks`]; the result is a `cos_output` (`Location`, `Bucket`, `Key`,
//! `ETag`, and `CRC64`, `Size`, `UploadId`, `PartsReused`, `PartsUploaded`, `TaskId`).
//!
//! **The task id.** Before anything is sent, the task-ready callback gets the task's id (a
//! `uint64_t`, unique within the client). [`cos_client_pause_task`],
//! [`cos_client_restart_task`], [`cos_client_cancel_task`],
//! [`cos_client_cancel_task_keep`] and [`cos_client_task_state`] take it, from any thread
//! (from inside a callback too). Once the call has returned, the id is no longer accepted.
//!
//! **Threads of the callbacks.** sliceUploadFile, downloadFile and sliceCopyFile call every
//! callback on the thread that made the call (the task's coordinator), one at a time; the
//! worker threads never call C. uploadFiles calls task-ready on the calling thread (once per
//! file, in the files' order, before any file starts); every other callback of uploadFiles
//! runs on the file threads it starts (`FileParallelLimit` of them, each the coordinator of
//! one file at a time): a file's progress callbacks on its thread, the batch's progress one
//! call at a time (under a lock), and file-finish on the thread of the file that ended —
//! several file-finish calls, and callbacks of different files, may run at once. Every
//! callback has returned when the call returns.
//!
//! **Pointers a callback receives** (the progress, the file-finish output) are valid only
//! until it returns; copy what must outlive it.

use std::ffi::{c_char, c_int, c_void};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use cos_blocking::proto::ops::object::{GetObject, PutObject, PutObjectCopy};
use cos_blocking::transfer::{
    DownloadFile, DownloadFileOutput, FileFinishFn, Resume, SliceCopyFile, SliceCopyFileOutput,
    SliceUploadFile, SliceUploadFileOutput, TaskId, TaskKind, TaskReadyFn, TaskState, UploadBody,
    UploadFiles,
};
use cos_blocking::{Client, Progress, ProgressFn};
use serde_json::{Map, Value, json};

use crate::boundary::{OutPtr, arg_mut, arg_ref, free, guard, guard_value, into_handle};
use crate::call::call;
use crate::callbacks::{ProgressHook, cos_progress_callback};
use crate::client::cos_client;
use crate::error::{Failure, FfiResult, cos_result};
use crate::object::{put_object_copy, stored_object};
use crate::output::{ToOutput, cos_output, put, with_response};
use crate::params::{Take, cos_params};

/// Told a task's id before anything is sent (the seed's `TaskReady`); the id is what
/// [`cos_client_pause_task`] and the other task functions take. Return 0; a non-zero return
/// cancels the task (the call then fails with `COS_RESULT_CANCELED`).
///
/// Runs on the thread that made the task call; for uploadFiles, once per file, in the
/// files' order, before any file starts.
#[allow(non_camel_case_types)]
pub type cos_task_ready_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, task_id: u64) -> c_int>;

/// uploadFiles' `onFileFinish`: file `index` (its place in the `files` array) has ended
/// with `result`. On success `output` is that file's result (as the call's
/// `files[index].data`); on failure, its error (as `files[index].error`: `Result`,
/// `ResultName`, `ErrorMessage`, and when COS answered `statusCode`, `Code`, `Message`,
/// `RequestId`). `output` is valid until the callback returns. Return 0; a non-zero return
/// cancels the files that have not ended.
///
/// Runs on the thread of the file that ended; several may run at once.
#[allow(non_camel_case_types)]
pub type cos_file_finish_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        index: usize,
        result: cos_result,
        output: *const cos_output,
    ) -> c_int,
>;

/// A task-ready callback and its userdata.
#[derive(Clone, Copy)]
struct TaskReadyHook {
    callback: unsafe extern "C" fn(*mut c_void, u64) -> c_int,
    userdata: *mut c_void,
}

// SAFETY: the C API documents the threads a task-ready callback runs on; the pointer is only
// passed back to the callback, never dereferenced here.
unsafe impl Send for TaskReadyHook {}
// SAFETY: as for Send.
unsafe impl Sync for TaskReadyHook {}

impl TaskReadyHook {
    /// Tells the callback `id`; true when it asks to cancel.
    fn call(&self, id: u64) -> bool {
        // SAFETY: registered non-NULL with this userdata.
        unsafe { (self.callback)(self.userdata, id) != 0 }
    }
}

/// A file-finish callback and its userdata.
#[derive(Clone, Copy)]
struct FileFinishHook {
    callback: unsafe extern "C" fn(*mut c_void, usize, cos_result, *const cos_output) -> c_int,
    userdata: *mut c_void,
}

// SAFETY: the C API documents that a file-finish callback runs on uploadFiles' file
// threads, several at once; the pointer is only passed back to the callback.
unsafe impl Send for FileFinishHook {}
// SAFETY: as for Send.
unsafe impl Sync for FileFinishHook {}

impl FileFinishHook {
    /// Tells the callback how file `index` ended; true when it asks to cancel the rest.
    fn call(&self, index: usize, result: &cos_blocking::Result<SliceUploadFileOutput>) -> bool {
        let (code, output) = match result.as_ref().map(|out| upload_value(out.clone())) {
            Ok(Ok(data)) => (cos_result::COS_RESULT_OK, cos_output::from_value(data)),
            Ok(Err(failure)) => (failure.result(), cos_output::from_value(failure.to_value())),
            Err(e) => {
                let failure = Failure::from(e);
                (failure.result(), cos_output::from_value(failure.to_value()))
            }
        };
        // SAFETY: registered non-NULL with this userdata; `output` lives for the call.
        unsafe { (self.callback)(self.userdata, index, code, &output) != 0 }
    }
}

/// The callbacks of a transfer task: task ready, progress, hash progress and (uploadFiles
/// only) file finish, each with its own `userdata`. Create with [`cos_task_callbacks_new`],
/// set with the `cos_task_callbacks_set_*` functions, free with [`cos_task_callbacks_free`].
/// Set it up from one thread; a call only reads it, so it can serve several calls (and
/// several files of uploadFiles) — its callbacks then run for each.
///
/// The functions and userdata must stay valid until every call using them has returned,
/// and be callable from the threads the task calls document: sliceUploadFile,
/// downloadFile and sliceCopyFile call them on the calling thread, one at a time;
/// uploadFiles on its file threads (see [`cos_client_upload_files`]). The pointers a
/// callback receives are valid only until it returns.
#[allow(non_camel_case_types)]
#[derive(Default)]
pub struct cos_task_callbacks {
    task_ready: Option<TaskReadyHook>,
    progress: Option<ProgressHook>,
    hash_progress: Option<ProgressHook>,
    file_finish: Option<FileFinishHook>,
}

/// A new set with no callback; free it with [`cos_task_callbacks_free`]. Never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn cos_task_callbacks_new() -> *mut cos_task_callbacks {
    guard_value(std::ptr::null_mut(), || {
        into_handle(cos_task_callbacks::default())
    })
}

/// Frees a set of callbacks. NULL is a no-op.
///
/// # Safety
/// `callbacks` must be NULL or come from [`cos_task_callbacks_new`], not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_task_callbacks_free(callbacks: *mut cos_task_callbacks) {
    // SAFETY: forwarded to the caller's guarantee.
    guard_value((), || unsafe { free(callbacks) });
}

/// Sets (or with `callback` NULL, removes) the task-ready callback (the seed's
/// `TaskReady`), called with `userdata` and the task's id before anything is sent. See
/// [`cos_task_ready_callback`].
///
/// # Safety
/// `callbacks` must be a live set; `callback` and `userdata` valid while calls use it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_task_callbacks_set_task_ready(
    callbacks: *mut cos_task_callbacks,
    callback: cos_task_ready_callback,
    userdata: *mut c_void,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let set = unsafe { arg_mut(callbacks, "callbacks") }?;
        set.task_ready = callback.map(|callback| TaskReadyHook { callback, userdata });
        Ok(())
    })
}

/// Sets (or with `callback` NULL, removes) the progress callback (the seed's
/// `onProgress`): bytes moved of the task's total, at most once per `ProgressInterval` and
/// always at the end; parts kept from an earlier upload count as moved. For uploadFiles'
/// batch, the bytes of all files. A non-zero return cancels the task (as
/// [`cos_client_cancel_task`]: a multipart upload is aborted), and the callback is not
/// called again; the call fails with `COS_RESULT_CANCELED`.
///
/// # Safety
/// `callbacks` must be a live set; `callback` and `userdata` valid while calls use it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_task_callbacks_set_progress(
    callbacks: *mut cos_task_callbacks,
    callback: cos_progress_callback,
    userdata: *mut c_void,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let set = unsafe { arg_mut(callbacks, "callbacks") }?;
        set.progress = ProgressHook::new(callback, userdata);
        Ok(())
    })
}

/// Sets (or with `callback` NULL, removes) the hash-progress callback of sliceUploadFile
/// (the seed's `onHashProgress`): bytes of the local file hashed to check the parts an
/// earlier upload left on the server. A non-zero return cancels the task, as for
/// [`cos_task_callbacks_set_progress`].
///
/// # Safety
/// `callbacks` must be a live set; `callback` and `userdata` valid while calls use it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_task_callbacks_set_hash_progress(
    callbacks: *mut cos_task_callbacks,
    callback: cos_progress_callback,
    userdata: *mut c_void,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let set = unsafe { arg_mut(callbacks, "callbacks") }?;
        set.hash_progress = ProgressHook::new(callback, userdata);
        Ok(())
    })
}

/// Sets (or with `callback` NULL, removes) uploadFiles' file-finish callback (the seed's
/// `onFileFinish`). See [`cos_file_finish_callback`]. Only the batch's callbacks of
/// [`cos_client_upload_files`] may have one.
///
/// # Safety
/// `callbacks` must be a live set; `callback` and `userdata` valid while calls use it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_task_callbacks_set_file_finish(
    callbacks: *mut cos_task_callbacks,
    callback: cos_file_finish_callback,
    userdata: *mut c_void,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let set = unsafe { arg_mut(callbacks, "callbacks") }?;
        set.file_finish = callback.map(|callback| FileFinishHook { callback, userdata });
        Ok(())
    })
}

/// Which callbacks a call takes besides task ready and progress.
#[derive(Clone, Copy)]
struct Takes {
    hash_progress: bool,
    file_finish: bool,
}

impl cos_task_callbacks {
    /// Fails when a callback is set that `call` does not take.
    fn check(&self, call: &str, takes: Takes) -> FfiResult<()> {
        if self.hash_progress.is_some() && !takes.hash_progress {
            return Err(Failure::invalid(
                "callbacks",
                format!("{call} has no hash progress callback"),
            ));
        }
        if self.file_finish.is_some() && !takes.file_finish {
            return Err(Failure::invalid(
                "callbacks",
                format!("{call} has no file-finish callback (only uploadFiles' batch has)"),
            ));
        }
        Ok(())
    }
}

/// The callbacks of one running task, and what a callback's request to cancel needs: the
/// client and the task's id.
struct TaskWatch<'c> {
    client: &'c Client,
    /// The task's own task-ready callback, then (for uploadFiles) the batch's.
    ready: [Option<TaskReadyHook>; 2],
    progress: Option<ProgressHook>,
    hash_progress: Option<ProgressHook>,
    /// The task's id; 0 until task ready.
    id: AtomicU64,
    /// A callback asked to cancel.
    cancel: AtomicBool,
    /// The cancel was sent to the task.
    sent: AtomicBool,
}

impl<'c> TaskWatch<'c> {
    fn new(
        client: &'c Client,
        own: Option<&cos_task_callbacks>,
        batch_ready: Option<TaskReadyHook>,
    ) -> Self {
        TaskWatch {
            client,
            ready: [own.and_then(|c| c.task_ready), batch_ready],
            progress: own.and_then(|c| c.progress),
            hash_progress: own.and_then(|c| c.hash_progress),
            id: AtomicU64::new(0),
            cancel: AtomicBool::new(false),
            sent: AtomicBool::new(false),
        }
    }

    /// The task's id is known: tell the callbacks.
    fn ready(&self, id: TaskId) {
        self.id.store(id.get(), Ordering::SeqCst);
        for hook in self.ready.iter().flatten() {
            if hook.call(id.get()) {
                self.cancel.store(true, Ordering::SeqCst);
            }
        }
        if self.cancel.load(Ordering::SeqCst) {
            self.send_cancel();
        }
    }

    /// Cancels the task (once its id is known; [`TaskWatch::ready`] sends it otherwise).
    fn cancel(&self) {
        self.cancel.store(true, Ordering::SeqCst);
        self.send_cancel();
    }

    fn send_cancel(&self) {
        let id = self.id.load(Ordering::SeqCst);
        if id != 0 && !self.sent.swap(true, Ordering::SeqCst) {
            // A task that has just ended no longer takes it: nothing left to cancel.
            let _ = self.client.cancel_task(TaskId::from_u64(id));
        }
    }

    /// Reports progress to `hook`, which may cancel the task; quiet once canceled.
    fn report(&self, hook: Option<ProgressHook>, p: &Progress) {
        if self.cancel.load(Ordering::SeqCst) {
            return;
        }
        if hook.is_some_and(|h| h.report(p)) {
            self.cancel();
        }
    }

    fn on_progress(&self, p: &Progress) {
        self.report(self.progress, p);
    }

    fn on_hash_progress(&self, p: &Progress) {
        self.report(self.hash_progress, p);
    }
}

/// `f` when `on`: a progress closure is only handed to cos-blocking when C set a callback.
fn when<'a>(on: bool, f: ProgressFn<'a>) -> Option<ProgressFn<'a>> {
    on.then_some(f)
}

/// `AsyncLimit` (the seed's name) or `ChunkParallelLimit` (the option's name), not both.
fn parallel_limit(t: &mut Take<'_>) -> FfiResult<Option<usize>> {
    match (t.number("AsyncLimit")?, t.number("ChunkParallelLimit")?) {
        (Some(_), Some(_)) => Err(Failure::invalid(
            "AsyncLimit",
            "give AsyncLimit or ChunkParallelLimit, not both",
        )),
        (a, c) => Ok(a.or(c)),
    }
}

/// `Resume`: `true` (the default) continues an earlier transfer, `false` starts afresh.
fn resume(t: &mut Take<'_>) -> FfiResult<Resume> {
    Ok(match t.flag("Resume")? {
        Some(false) => Resume::Off,
        _ => Resume::Auto,
    })
}

/// The local file a task reads or writes (`FilePath`), required.
fn file_path(t: &mut Take<'_>, what: &str) -> FfiResult<PathBuf> {
    match t.opt("FilePath") {
        Some(p) if !p.is_empty() => Ok(PathBuf::from(p)),
        _ => Err(Failure::invalid(
            "FilePath",
            format!("required: the file to {what}"),
        )),
    }
}

/// What every task takes to size, spread and retry its parts: `SliceSize`, `ChunkSize`,
/// `AsyncLimit` / `ChunkParallelLimit`, `PartAttempts`, `PauseOnError`.
#[derive(Clone, Copy)]
struct Tuning {
    slice_size: Option<u64>,
    chunk_size: Option<u64>,
    chunk_parallel_limit: Option<usize>,
    part_attempts: Option<u32>,
    pause_on_error: bool,
}

fn tuning(t: &mut Take<'_>) -> FfiResult<Tuning> {
    Ok(Tuning {
        slice_size: t.number("SliceSize")?,
        chunk_size: t.number("ChunkSize")?,
        chunk_parallel_limit: parallel_limit(t)?,
        part_attempts: t.number("PartAttempts")?,
        pause_on_error: t.flag("PauseOnError")?.unwrap_or(false),
    })
}

/// The closures cos-blocking calls for one task, wired to its [`TaskWatch`]; a progress
/// closure is only there when C set that callback.
struct Hooks<'a> {
    ready: TaskReadyFn<'a>,
    progress: Option<ProgressFn<'a>>,
    hash_progress: Option<ProgressFn<'a>>,
}

/// Runs one task (`start`) with the C callbacks of `callbacks`, after checking that only
/// callbacks `call` takes are set.
fn watched<T>(
    client: &Client,
    callbacks: Option<&cos_task_callbacks>,
    call: &str,
    takes: Takes,
    start: impl FnOnce(Hooks<'_>) -> cos_blocking::Result<T>,
) -> FfiResult<T> {
    if let Some(c) = callbacks {
        c.check(call, takes)?;
    }
    let watch = TaskWatch::new(client, callbacks, None);
    let ready = |id: TaskId| watch.ready(id);
    let progress = |p: &Progress| watch.on_progress(p);
    let hash = |p: &Progress| watch.on_hash_progress(p);
    Ok(start(Hooks {
        ready: &ready,
        progress: when(watch.progress.is_some(), &progress),
        hash_progress: when(watch.hash_progress.is_some(), &hash),
    })?)
}

/// The callbacks a task other than sliceUploadFile and uploadFiles takes.
const PLAIN_TASK: Takes = Takes {
    hash_progress: false,
    file_finish: false,
};

/// sliceUploadFile's parameters, read from a `cos_params`.
struct UploadSpec {
    object: PutObject,
    path: PathBuf,
    tuning: Tuning,
    content_md5: bool,
    resume: Resume,
    resume_dir: Option<PathBuf>,
}

fn upload_spec(t: &mut Take<'_>, c: &Client) -> FfiResult<UploadSpec> {
    Ok(UploadSpec {
        object: stored_object(t, c),
        path: file_path(t, "upload")?,
        tuning: tuning(t)?,
        content_md5: t.flag("EnableMD5")?.unwrap_or(false),
        resume: resume(t)?,
        resume_dir: t.opt("ResumeDir").map(PathBuf::from),
    })
}

impl UploadSpec {
    /// cos-blocking's parameters, with the watch's callbacks.
    fn params<'a>(&self, hooks: Hooks<'a>) -> SliceUploadFile<'a> {
        let tuning = self.tuning;
        SliceUploadFile {
            object: self.object.clone(),
            body: UploadBody::path(&self.path),
            slice_size: tuning.slice_size,
            chunk_size: tuning.chunk_size,
            chunk_parallel_limit: tuning.chunk_parallel_limit,
            content_md5: self.content_md5,
            resume: self.resume,
            resume_dir: self.resume_dir.clone(),
            part_attempts: tuning.part_attempts,
            pause_on_error: tuning.pause_on_error,
            on_task_ready: Some(hooks.ready),
            on_hash_progress: hooks.hash_progress,
            on_progress: hooks.progress,
        }
    }
}

/// A number as a string, as cos-ffi writes every CRC64 (it exceeds JSON's exact integers).
fn crc(value: u64) -> String {
    value.to_string()
}

/// sliceUploadFile's result as data.
fn upload_value(out: SliceUploadFileOutput) -> FfiResult<Value> {
    let mut m = Map::new();
    put(&mut m, "Location", Some(&out.location));
    put(&mut m, "Bucket", Some(&out.bucket));
    put(&mut m, "Key", Some(&out.key));
    put(&mut m, "ETag", Some(&out.etag));
    put(&mut m, "VersionId", out.version_id.as_ref());
    put(&mut m, "CRC64", Some(crc(out.crc64)));
    put(&mut m, "Size", Some(out.size));
    put(&mut m, "UploadId", out.upload_id.as_ref());
    put(&mut m, "PartsReused", Some(out.parts_reused));
    put(&mut m, "PartsUploaded", Some(out.parts_uploaded));
    put(&mut m, "TaskId", out.task_id.map(TaskId::get));
    with_response(&out.meta, Value::Object(m))
}

impl ToOutput for SliceUploadFileOutput {
    fn to_output(self) -> FfiResult<cos_output> {
        Ok(cos_output::from_value(upload_value(self)?))
    }
}

impl ToOutput for DownloadFileOutput {
    fn to_output(self) -> FfiResult<cos_output> {
        let mut m = Map::new();
        put(&mut m, "ETag", Some(&self.etag));
        put(&mut m, "Size", Some(self.size));
        put(&mut m, "CRC64", Some(crc(self.crc64)));
        put(&mut m, "PartsReused", Some(self.parts_reused));
        put(&mut m, "PartsDownloaded", Some(self.parts_downloaded));
        put(&mut m, "TaskId", self.task_id.map(TaskId::get));
        Ok(cos_output::from_value(Value::Object(m)))
    }
}

impl ToOutput for SliceCopyFileOutput {
    fn to_output(self) -> FfiResult<cos_output> {
        let mut m = Map::new();
        put(&mut m, "Location", Some(&self.location));
        put(&mut m, "Bucket", Some(&self.bucket));
        put(&mut m, "Key", Some(&self.key));
        put(&mut m, "ETag", Some(&self.etag));
        put(&mut m, "VersionId", self.version_id.as_ref());
        put(&mut m, "CRC64", self.crc64.map(crc));
        put(&mut m, "Size", Some(self.size));
        put(&mut m, "UploadId", self.upload_id.as_ref());
        put(&mut m, "TaskId", self.task_id.map(TaskId::get));
        cos_output::new(&self.meta, Value::Object(m))
    }
}

/// `sliceUploadFile`: uploads the local file `FilePath` to one object, in parts, resumably;
/// blocks until the task has ended.
///
/// Up to `SliceSize` bytes (default 1048576) go in one putObject; larger files in a
/// multipart upload of `ChunkSize` parts (default the client's `ChunkSize`; grown to stay
/// within 10,000 parts), `AsyncLimit` (or `ChunkParallelLimit`; default the client's
/// option) at once, each checked by CRC64, and the object's CRC64 checked at the end. A
/// later call for the same file and key continues an upload that failed, was interrupted or
/// was canceled with [`cos_client_cancel_task_keep`]: the parts on the server that match
/// the file are kept (`PartsReused`).
///
/// Parameters: `Bucket`, `Region`, `Key`, `FilePath` (required), `SliceSize`,
/// `ChunkSize`, `AsyncLimit` / `ChunkParallelLimit`, `StorageClass`, `CacheControl`,
/// `ContentDisposition`, `ContentEncoding`, `ContentType`, `Expires`, `ACL`, `GrantRead`,
/// `GrantWrite`, `GrantReadAcp`, `GrantWriteAcp`, `GrantFullControl`, `x-cos-meta-*`; and
/// beyond the seed: `EnableMD5` (`true`: send `Content-MD5` with every part), `Resume`
/// (`false`: always start a new upload, write no journal), `ResumeDir` (the journals'
/// directory; default the client's `ResumeDir` option), `PartAttempts` (tries per part,
/// default 3), `PauseOnError` (`true`: after a failure, pause and wait for
/// [`cos_client_restart_task`] or a cancel instead of failing).
///
/// Callbacks (NULL: none): task ready, progress, hash progress — on the calling thread.
///
/// Output: `Location`, `Bucket`, `Key`, `ETag`, `VersionId`, `CRC64`, `Size`, `UploadId`
/// (absent for a single putObject), `PartsReused`, `PartsUploaded`, `TaskId`, and the last
/// response's `statusCode`, `headers`, `RequestId`. A canceled task fails with
/// `COS_RESULT_CANCELED`.
///
/// # Safety
/// `client` must be a live client; `params` NULL or a live parameter set; `callbacks` NULL
/// or a live set; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_slice_upload_file(
    client: *const cos_client,
    params: *const cos_params,
    callbacks: *const cos_task_callbacks,
    out: *mut *mut cos_output,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee (NULL: no callbacks).
    let callbacks = unsafe { callbacks.as_ref() };
    let run = |client: &Client, spec: &UploadSpec| -> FfiResult<SliceUploadFileOutput> {
        let takes = Takes {
            hash_progress: true,
            file_finish: false,
        };
        watched(client, callbacks, "sliceUploadFile", takes, |hooks| {
            client.slice_upload_file(spec.params(hooks))
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { call("SliceUploadFile", client, params, out, upload_spec, run) }
}

/// `count` pointers at `p`; NULL is allowed (as empty) only when `count` is 0.
///
/// # Safety
/// A non-NULL `p` must point to `count` readable pointers.
unsafe fn arg_array<'a, T>(
    p: *const *const T,
    count: usize,
    name: &str,
) -> FfiResult<&'a [*const T]> {
    if p.is_null() {
        return if count == 0 {
            Ok(&[])
        } else {
            Err(Failure::null(name))
        };
    }
    // SAFETY: non-NULL and, by the caller's guarantee, `count` readable pointers.
    Ok(unsafe { std::slice::from_raw_parts(p, count) })
}

/// uploadFiles' results as data: `files[i]` with `options` (`Bucket`, `Region`, `Key`,
/// `FilePath`), `error` and `data` (one of them null).
fn files_value(
    specs: &[UploadSpec],
    results: Vec<cos_blocking::Result<SliceUploadFileOutput>>,
) -> FfiResult<Value> {
    let mut files = Vec::with_capacity(results.len());
    for (spec, result) in specs.iter().zip(results) {
        let (error, data) = match result {
            Ok(out) => (Value::Null, upload_value(out)?),
            Err(e) => (Failure::from(e).to_value(), Value::Null),
        };
        let options = json!({
            "Bucket": spec.object.bucket,
            "Region": spec.object.region,
            "Key": spec.object.key,
            "FilePath": spec.path.to_string_lossy(),
        });
        files.push(json!({ "options": options, "error": error, "data": data }));
    }
    Ok(json!({ "files": files }))
}

/// `uploadFiles`: uploads several local files, each as [`cos_client_slice_upload_file`]
/// would, at most `FileParallelLimit` at once; blocks until every file has ended.
///
/// `files` points to `count` parameter sets, one per file, each taking
/// sliceUploadFile's parameters (`Key`, `FilePath`, `SliceSize`, ...). `file_callbacks` is
/// NULL or points to `count` callback sets (each NULL or a set: the file's own task ready,
/// progress and hash progress). `params` (NULL: none) takes the batch's `FileParallelLimit`
/// (default the client's option) and `SliceSize` (for the files that set none);
/// `callbacks` (NULL: none) the batch's task ready (called for every file), progress (the
/// bytes of all files) and file finish.
///
/// **Threads.** Every file's task is created, and its id given to the task-ready callbacks
/// (the file's own, then the batch's), on the calling thread, in the files' order, before
/// the first file starts. The files then run on `FileParallelLimit` threads the call
/// starts, each the coordinator of one file at a time, and every other callback runs
/// there: a file's own progress and hash progress on its file's thread; the batch's
/// progress on the thread of a file that moved, one call at a time (under a lock); file
/// finish on the thread of the file that ended, several possibly at once. A callback set
/// given to several files may so run on several threads at once. Every callback has
/// returned when the call returns; the pointers a callback receives are valid until it
/// returns.
///
/// One file failing does not stop the others. A non-zero return from the batch's progress
/// or file-finish callback cancels every file that has not ended; from a file's own
/// progress, hash progress or task ready, that file.
///
/// Succeeds once every file has ended, however each did; the parameters are all checked
/// first (the message of a bad one names `files[i]`). Output: `files`, one per file in
/// order, each with `options` (`Bucket`, `Region`, `Key`, `FilePath`), and `error` (null,
/// or `Result`, `ResultName`, `ErrorMessage`, and when COS answered `statusCode`, `Code`,
/// `Message`, `RequestId`) and `data` (null, or sliceUploadFile's output).
///
/// # Safety
/// `client` must be a live client; `files` NULL (when `count` is 0) or `count` pointers to
/// live parameter sets; `file_callbacks` NULL or `count` pointers, each NULL or a live set;
/// `params` NULL or a live parameter set; `callbacks` NULL or a live set; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_upload_files(
    client: *const cos_client,
    files: *const *const cos_params,
    file_callbacks: *const *const cos_task_callbacks,
    count: usize,
    params: *const cos_params,
    callbacks: *const cos_task_callbacks,
    out: *mut *mut cos_output,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        let client = &unsafe { arg_ref(client, "client") }?.client;
        // SAFETY: forwarded to the caller's guarantee.
        let files = unsafe { arg_array(files, count, "files") }?;
        let own: Vec<Option<&cos_task_callbacks>> = if file_callbacks.is_null() {
            vec![None; count]
        } else {
            // SAFETY: non-NULL: `count` pointers, each NULL or a live set, by the caller's
            // guarantee.
            let list = unsafe { arg_array(file_callbacks, count, "file_callbacks") }?;
            // SAFETY: as above.
            list.iter().map(|p| unsafe { p.as_ref() }).collect()
        };
        // SAFETY: forwarded to the caller's guarantee (NULL: none).
        let batch_callbacks = unsafe { callbacks.as_ref() };

        let per_file = Takes {
            hash_progress: true,
            file_finish: false,
        };
        let mut specs = Vec::with_capacity(count);
        for (i, (p, cb)) in files.iter().zip(&own).enumerate() {
            let at = |f: Failure| f.within(&format!("files[{i}]"));
            // SAFETY: each entry is a live parameter set (or NULL) by the caller's
            // guarantee.
            let p = unsafe { p.as_ref() }.ok_or_else(|| Failure::null(&format!("files[{i}]")))?;
            let mut t = Take::new("UploadFiles", p);
            let spec = upload_spec(&mut t, client).map_err(at)?;
            t.finish().map_err(at)?;
            if let Some(cb) = cb {
                cb.check("a file of uploadFiles", per_file).map_err(at)?;
            }
            specs.push(spec);
        }
        let empty = cos_params::default();
        // SAFETY: forwarded to the caller's guarantee (NULL: no parameters).
        let batch = unsafe { params.as_ref() }.unwrap_or(&empty);
        let mut t = Take::new("UploadFiles", batch);
        let file_parallel_limit = t.number("FileParallelLimit")?;
        let slice_size = t.number("SliceSize")?;
        t.finish()?;
        if let Some(c) = batch_callbacks {
            let takes = Takes {
                hash_progress: false,
                file_finish: true,
            };
            c.check("uploadFiles", takes)?;
        }

        let batch_ready = batch_callbacks.and_then(|c| c.task_ready);
        let watches: Vec<TaskWatch<'_>> = own
            .iter()
            .map(|cb| TaskWatch::new(client, *cb, batch_ready))
            .collect();
        let batch = Batch {
            files: &watches,
            progress: batch_callbacks.and_then(|c| c.progress),
            file_finish: batch_callbacks.and_then(|c| c.file_finish),
            canceled: AtomicBool::new(false),
        };
        let readies: Vec<_> = watches
            .iter()
            .map(|w| move |id: TaskId| w.ready(id))
            .collect();
        let progresses: Vec<_> = watches
            .iter()
            .map(|w| move |p: &Progress| w.on_progress(p))
            .collect();
        let hashes: Vec<_> = watches
            .iter()
            .map(|w| move |p: &Progress| w.on_hash_progress(p))
            .collect();
        let items = specs
            .iter()
            .enumerate()
            .map(|(i, spec)| {
                let w = &watches[i];
                let mut item = spec.params(Hooks {
                    ready: &readies[i],
                    progress: when(w.progress.is_some(), &progresses[i]),
                    hash_progress: when(w.hash_progress.is_some(), &hashes[i]),
                });
                item.slice_size = item.slice_size.or(slice_size);
                item
            })
            .collect();
        let progress = |p: &Progress| batch.on_progress(p);
        let finish = |i: usize, r: &cos_blocking::Result<SliceUploadFileOutput>| {
            batch.on_file_finish(i, r);
        };
        let results = client.upload_files(UploadFiles {
            files: items,
            file_parallel_limit,
            on_progress: when(batch.progress.is_some(), &progress),
            on_file_finish: batch
                .file_finish
                .is_some()
                .then_some(&finish as FileFinishFn<'_>),
        });
        let output = cos_output::from_value(files_value(&specs, results)?);
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { out.write(into_handle(output)) };
        Ok(())
    })
}

/// The batch-level callbacks of one uploadFiles call.
struct Batch<'w> {
    files: &'w [TaskWatch<'w>],
    progress: Option<ProgressHook>,
    file_finish: Option<FileFinishHook>,
    canceled: AtomicBool,
}

impl Batch<'_> {
    fn cancel_all(&self) {
        self.canceled.store(true, Ordering::SeqCst);
        for file in self.files {
            file.cancel();
        }
    }

    fn on_progress(&self, p: &Progress) {
        if self.canceled.load(Ordering::SeqCst) {
            return;
        }
        if self.progress.is_some_and(|h| h.report(p)) {
            self.cancel_all();
        }
    }

    fn on_file_finish(&self, index: usize, result: &cos_blocking::Result<SliceUploadFileOutput>) {
        if self.file_finish.is_some_and(|h| h.call(index, result)) {
            self.cancel_all();
        }
    }
}

/// downloadFile's parameters, read from a `cos_params`.
struct DownloadSpec {
    object: GetObject,
    path: PathBuf,
    tuning: Tuning,
    resume: Resume,
}

fn download_spec(t: &mut Take<'_>, c: &Client) -> FfiResult<DownloadSpec> {
    Ok(DownloadSpec {
        object: GetObject {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            version_id: t.opt("VersionId"),
            if_match: t.opt("IfMatch"),
            ..GetObject::default()
        },
        path: file_path(t, "write")?,
        tuning: tuning(t)?,
        resume: resume(t)?,
    })
}

/// `downloadFile` (beyond the seed, as the other official SDKs have it): downloads one
/// object to the local file `FilePath` by parallel ranged GETs; blocks until the task has
/// ended.
///
/// Up to `SliceSize` bytes (default the part size), one GET; larger objects in ranges of
/// `ChunkSize` bytes (default 8388608, at least 1048576), `AsyncLimit` (or
/// `ChunkParallelLimit`) at once, each conditioned on the object's ETag, written where they
/// belong in `.{name}.cos-download` beside the file, which replaces the file only once
/// complete and its CRC64 matched — the file is never half-written. A call after a failure
/// or [`cos_client_cancel_task_keep`] continues from the ranges already written;
/// [`cos_client_cancel_task`] deletes them.
///
/// Parameters: `Bucket`, `Region`, `Key`, `FilePath` (required), `VersionId`, `IfMatch`,
/// `SliceSize`, `ChunkSize`, `AsyncLimit` / `ChunkParallelLimit`, `Resume`,
/// `PartAttempts`, `PauseOnError` (as for [`cos_client_slice_upload_file`]).
///
/// Callbacks (NULL: none): task ready and progress — on the calling thread.
///
/// Output: `ETag`, `Size`, `CRC64`, `PartsReused`, `PartsDownloaded`, `TaskId`.
///
/// # Safety
/// As [`cos_client_slice_upload_file`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_download_file(
    client: *const cos_client,
    params: *const cos_params,
    callbacks: *const cos_task_callbacks,
    out: *mut *mut cos_output,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee (NULL: no callbacks).
    let callbacks = unsafe { callbacks.as_ref() };
    let run = |client: &Client, spec: &DownloadSpec| -> FfiResult<DownloadFileOutput> {
        let tuning = spec.tuning;
        watched(client, callbacks, "downloadFile", PLAIN_TASK, |hooks| {
            client.download_file(DownloadFile {
                object: spec.object.clone(),
                path: spec.path.clone(),
                slice_size: tuning.slice_size,
                chunk_size: tuning.chunk_size,
                chunk_parallel_limit: tuning.chunk_parallel_limit,
                resume: spec.resume,
                part_attempts: tuning.part_attempts,
                pause_on_error: tuning.pause_on_error,
                on_task_ready: Some(hooks.ready),
                on_progress: hooks.progress,
            })
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { call("DownloadFile", client, params, out, download_spec, run) }
}

/// sliceCopyFile's parameters, read from a `cos_params`.
struct CopySpec {
    object: PutObjectCopy,
    tuning: Tuning,
}

fn copy_spec(t: &mut Take<'_>, c: &Client) -> FfiResult<CopySpec> {
    Ok(CopySpec {
        object: put_object_copy(t, c),
        tuning: tuning(t)?,
    })
}

/// `sliceCopyFile`: copies the object `CopySource` names to `Key`, server-side; blocks
/// until the task has ended.
///
/// A HEAD of the source gives its size, ETag and CRC64. Up to `SliceSize` bytes (default
/// 5 GiB), one putObjectCopy; larger objects in a multipart upload of uploadPartCopy
/// ranges of `ChunkSize` bytes (default 10485760), `AsyncLimit` (or `ChunkParallelLimit`)
/// at once, each conditioned on the source's ETag. With the `Copy` metadata directive (the
/// default) the source's headers and metadata are kept. The copy's CRC64 is checked
/// against the source's. A cancel or a failure aborts the multipart upload.
///
/// Parameters: `Bucket`, `Region`, `Key`, `CopySource`
/// (`{Bucket}.cos.{Region}.myqcloud.com/{Key}`, required), `SliceSize`, `ChunkSize`,
/// `AsyncLimit` / `ChunkParallelLimit`, putObjectCopy's `ACL`, `GrantRead`, `GrantWrite`,
/// `GrantReadAcp`, `GrantWriteAcp`, `GrantFullControl`, `MetadataDirective`,
/// `CopySourceIfModifiedSince`, `CopySourceIfUnmodifiedSince`, `CopySourceIfMatch`,
/// `CopySourceIfNoneMatch`, `StorageClass`, `x-cos-meta-*`, `CacheControl`,
/// `ContentDisposition`, `ContentEncoding`, `ContentType`, `Expect`, `Expires`; and
/// `PartAttempts`, `PauseOnError` (as for [`cos_client_slice_upload_file`]).
///
/// Callbacks (NULL: none): task ready and progress (bytes copied, as parts finish) — on
/// the calling thread.
///
/// Output: `Location`, `Bucket`, `Key`, `ETag`, `VersionId`, `CRC64` (when COS reports
/// it), `Size`, `UploadId` (absent for a single copy), `TaskId`, and the last response's
/// `statusCode`, `headers`, `RequestId`.
///
/// # Safety
/// As [`cos_client_slice_upload_file`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_slice_copy_file(
    client: *const cos_client,
    params: *const cos_params,
    callbacks: *const cos_task_callbacks,
    out: *mut *mut cos_output,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee (NULL: no callbacks).
    let callbacks = unsafe { callbacks.as_ref() };
    let run = |client: &Client, spec: &CopySpec| -> FfiResult<SliceCopyFileOutput> {
        let tuning = spec.tuning;
        watched(client, callbacks, "sliceCopyFile", PLAIN_TASK, |hooks| {
            client.slice_copy_file(SliceCopyFile {
                object: spec.object.clone(),
                chunk_size: tuning.chunk_size,
                slice_size: tuning.slice_size,
                chunk_parallel_limit: tuning.chunk_parallel_limit,
                part_attempts: tuning.part_attempts,
                pause_on_error: tuning.pause_on_error,
                on_task_ready: Some(hooks.ready),
                on_progress: hooks.progress,
            })
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { call("SliceCopyFile", client, params, out, copy_spec, run) }
}

/// Sends one control to a task of `client`.
///
/// # Safety
/// `client` must be a live client.
unsafe fn control(
    client: *const cos_client,
    send: impl FnOnce(&Client) -> cos_blocking::Result<()>,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let client = &unsafe { arg_ref(client, "client") }?.client;
        Ok(send(client)?)
    })
}

/// `pauseTask`: task `task_id` starts no new part; the parts in flight finish, then it
/// waits (`COS_TASK_STATE_PAUSED`) for [`cos_client_restart_task`] or a cancel. Its call
/// stays blocked meanwhile. May be called from any thread. Fails with
/// `COS_RESULT_INVALID_PARAMETER` when the client has no such task (it has ended, or never
/// was).
///
/// # Safety
/// `client` must be a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_pause_task(
    client: *const cos_client,
    task_id: u64,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { control(client, |c| c.pause_task(TaskId::from_u64(task_id))) }
}

/// `restartTask`: a paused task (by [`cos_client_pause_task`], or by a failure with
/// `PauseOnError`) continues with the parts not yet done. Errors as
/// [`cos_client_pause_task`].
///
/// # Safety
/// `client` must be a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_restart_task(
    client: *const cos_client,
    task_id: u64,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { control(client, |c| c.restart_task(TaskId::from_u64(task_id))) }
}

/// `cancelTask`: task `task_id` stops (parts in flight are interrupted), aborts its
/// multipart upload so no part is left on the server (a download deletes its partial file),
/// and its call fails with `COS_RESULT_CANCELED`. Errors as [`cos_client_pause_task`].
///
/// # Safety
/// `client` must be a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_cancel_task(
    client: *const cos_client,
    task_id: u64,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { control(client, |c| c.cancel_task(TaskId::from_u64(task_id))) }
}

/// Like [`cos_client_cancel_task`], but keeps what was transferred (the multipart upload
/// and resume journal, or a download's partial file), so that a later call with the same
/// file and key continues it.
///
/// # Safety
/// `client` must be a live client.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_cancel_task_keep(
    client: *const cos_client,
    task_id: u64,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { control(client, |c| c.cancel_task_keep(TaskId::from_u64(task_id))) }
}

/// Where a transfer task is in its life. The numbers are stable: new states may be added,
/// existing ones never change.
///
/// ```text
/// WAITING -> CHECKING -> RUNNING <-> PAUSED;  RUNNING -> COMPLETING -> DONE
/// any state but the final ones -> CANCELED (a cancel) or FAILED (an error)
/// ```
///
/// A task leaves its client once it reaches DONE, FAILED or CANCELED (its call returns), so
/// [`cos_client_task_state`] rarely sees those.
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cos_task_state {
    /// Created and announced, not started (uploadFiles queues files behind
    /// `FileParallelLimit`). A pause or cancel sent now takes effect when it would start.
    COS_TASK_STATE_WAITING = 1,
    /// Looking for an earlier upload to continue, or reading the source's size.
    COS_TASK_STATE_CHECKING = 2,
    /// Moving parts.
    COS_TASK_STATE_RUNNING = 3,
    /// Paused by [`cos_client_pause_task`] (parts in flight finish, no new one starts) or
    /// by a failure with `PauseOnError`; [`cos_client_restart_task`] continues.
    COS_TASK_STATE_PAUSED = 4,
    /// Every part is done; assembling and verifying the result.
    COS_TASK_STATE_COMPLETING = 5,
    /// Finished and verified.
    COS_TASK_STATE_DONE = 6,
    /// Ended by an error; an upload stays resumable.
    COS_TASK_STATE_FAILED = 7,
    /// Ended by a cancel.
    COS_TASK_STATE_CANCELED = 8,
    /// A state this version of cos-ffi does not name.
    COS_TASK_STATE_OTHER = 99,
}

impl From<TaskState> for cos_task_state {
    fn from(s: TaskState) -> Self {
        match s {
            TaskState::Waiting => cos_task_state::COS_TASK_STATE_WAITING,
            TaskState::Checking => cos_task_state::COS_TASK_STATE_CHECKING,
            TaskState::Running => cos_task_state::COS_TASK_STATE_RUNNING,
            TaskState::Paused => cos_task_state::COS_TASK_STATE_PAUSED,
            TaskState::Completing => cos_task_state::COS_TASK_STATE_COMPLETING,
            TaskState::Done => cos_task_state::COS_TASK_STATE_DONE,
            TaskState::Failed => cos_task_state::COS_TASK_STATE_FAILED,
            TaskState::Canceled => cos_task_state::COS_TASK_STATE_CANCELED,
            _ => cos_task_state::COS_TASK_STATE_OTHER,
        }
    }
}

/// Every state, for [`cos_task_state_name`].
const STATE_NAMES: [(cos_task_state, &std::ffi::CStr); 9] = [
    (
        cos_task_state::COS_TASK_STATE_WAITING,
        c"COS_TASK_STATE_WAITING",
    ),
    (
        cos_task_state::COS_TASK_STATE_CHECKING,
        c"COS_TASK_STATE_CHECKING",
    ),
    (
        cos_task_state::COS_TASK_STATE_RUNNING,
        c"COS_TASK_STATE_RUNNING",
    ),
    (
        cos_task_state::COS_TASK_STATE_PAUSED,
        c"COS_TASK_STATE_PAUSED",
    ),
    (
        cos_task_state::COS_TASK_STATE_COMPLETING,
        c"COS_TASK_STATE_COMPLETING",
    ),
    (cos_task_state::COS_TASK_STATE_DONE, c"COS_TASK_STATE_DONE"),
    (
        cos_task_state::COS_TASK_STATE_FAILED,
        c"COS_TASK_STATE_FAILED",
    ),
    (
        cos_task_state::COS_TASK_STATE_CANCELED,
        c"COS_TASK_STATE_CANCELED",
    ),
    (
        cos_task_state::COS_TASK_STATE_OTHER,
        c"COS_TASK_STATE_OTHER",
    ),
];

/// The name of a task state (`"COS_TASK_STATE_PAUSED"`), as a static NUL-terminated
/// string; `"COS_TASK_STATE_UNKNOWN"` for a number that is no state. Never NULL; never
/// fails.
#[unsafe(no_mangle)]
pub extern "C" fn cos_task_state_name(state: u32) -> *const c_char {
    guard_value(c"COS_TASK_STATE_UNKNOWN".as_ptr(), || {
        STATE_NAMES
            .iter()
            .find(|(s, _)| *s as u32 == state)
            .map_or(c"COS_TASK_STATE_UNKNOWN".as_ptr(), |(_, name)| {
                name.as_ptr()
            })
    })
}

/// The state of task `task_id`, into `*out_state`. Fails with `COS_RESULT_NOT_FOUND` when
/// the client has no such task (its call has returned, or it never was). May be called
/// from any thread.
///
/// # Safety
/// `client` must be a live client; `out_state` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_task_state(
    client: *const cos_client,
    task_id: u64,
    out_state: *mut cos_task_state,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out_state, "out_state")?;
        // SAFETY: forwarded to the caller's guarantee.
        let client = &unsafe { arg_ref(client, "client") }?.client;
        let state = client
            .task_state(TaskId::from_u64(task_id))
            .ok_or_else(|| Failure::not_found(format!("no task {task_id} in this client")))?;
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { out.write(state.into()) };
        Ok(())
    })
}

/// The client's tasks that have not ended, by id. Output: `Tasks`, each with `TaskId`,
/// `Kind` (`Upload`, `Download` or `Copy`), `Bucket`, `Key` and `State` (a
/// [`cos_task_state`] number).
///
/// # Safety
/// `client` must be a live client; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_task_list(
    client: *const cos_client,
    out: *mut *mut cos_output,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        let client = &unsafe { arg_ref(client, "client") }?.client;
        let tasks: Vec<Value> = client
            .task_list()
            .into_iter()
            .map(|t| {
                let kind = match t.kind {
                    TaskKind::Upload => "Upload",
                    TaskKind::Download => "Download",
                    TaskKind::Copy => "Copy",
                    _ => "Other",
                };
                json!({
                    "TaskId": t.id.get(),
                    "Kind": kind,
                    "Bucket": t.bucket,
                    "Key": t.key,
                    "State": cos_task_state::from(t.state) as u32,
                })
            })
            .collect();
        let output = cos_output::from_value(json!({ "Tasks": tasks }));
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { out.write(into_handle(output)) };
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::{
        cos_client_builder_build, cos_client_builder_free, cos_client_builder_new,
        cos_client_builder_set_option, cos_client_builder_set_secret, cos_client_free,
    };
    use crate::error::last_message;
    use crate::output::{cos_output_free, cos_output_get, cos_value_count};
    use crate::params::{cos_params_free, cos_params_new, cos_params_set};

    /// A client that is never connected: every test here fails before sending.
    fn client() -> *mut cos_client {
        let b = cos_client_builder_new();
        let mut client = std::ptr::null_mut();
        // SAFETY: `b` is live, the strings are NUL-terminated literals, `client` writable,
        // and `b` is freed once.
        let rc = unsafe {
            cos_client_builder_set_secret(b, c"AKIDtest".as_ptr(), c"key".as_ptr());
            cos_client_builder_set_option(b, c"Region".as_ptr(), c"ap-guangzhou".as_ptr());
            cos_client_builder_set_option(
                b,
                c"Bucket".as_ptr(),
                c"examplebucket-1250000000".as_ptr(),
            );
            let rc = cos_client_builder_build(b, &mut client);
            cos_client_builder_free(b);
            rc
        };
        assert_eq!(rc, cos_result::COS_RESULT_OK);
        client
    }

    fn set(p: *mut cos_params, name: &std::ffi::CStr, value: &std::ffi::CStr) {
        // SAFETY: `p` is a live set; both strings are NUL-terminated.
        let rc = unsafe { cos_params_set(p, name.as_ptr(), value.as_ptr()) };
        assert_eq!(rc, cos_result::COS_RESULT_OK);
    }

    #[test]
    fn bad_arguments_fail_before_anything_is_sent_and_leave_out_alone() {
        let client = client();
        let p = cos_params_new();
        let sentinel = std::ptr::NonNull::<cos_output>::dangling().as_ptr();
        let mut out = sentinel;
        // SAFETY: NULL client; `p` live; `out` writable.
        let rc = unsafe {
            cos_client_slice_upload_file(std::ptr::null(), p, std::ptr::null(), &mut out)
        };
        assert_eq!(rc, cos_result::COS_RESULT_NULL_PARAMETER);
        // SAFETY: as above, with a live client.
        let rc = unsafe { cos_client_slice_upload_file(client, p, std::ptr::null(), &mut out) };
        assert_eq!(rc, cos_result::COS_RESULT_INVALID_PARAMETER);
        assert!(last_message().unwrap_or_default().contains("FilePath"));
        set(p, c"FilePath", c"/nonexistent/cos-ffi-test");
        set(p, c"Key", c"a.bin");
        set(p, c"AsyncLimit", c"2");
        set(p, c"ChunkParallelLimit", c"2");
        // SAFETY: as above.
        let rc = unsafe { cos_client_slice_upload_file(client, p, std::ptr::null(), &mut out) };
        assert_eq!(rc, cos_result::COS_RESULT_INVALID_PARAMETER);
        assert!(last_message().unwrap_or_default().contains("AsyncLimit"));
        // SAFETY: `p` live; NULL removes the value.
        unsafe { cos_params_set(p, c"AsyncLimit".as_ptr(), std::ptr::null()) };
        set(p, c"SliceSise", c"1");
        // SAFETY: as above.
        let rc = unsafe { cos_client_slice_upload_file(client, p, std::ptr::null(), &mut out) };
        assert_eq!(rc, cos_result::COS_RESULT_INVALID_PARAMETER);
        assert!(last_message().unwrap_or_default().contains("SliceSise"));
        // SAFETY: as above.
        unsafe { cos_params_set(p, c"SliceSise".as_ptr(), std::ptr::null()) };

        // A callback the call does not take.
        let callbacks = cos_task_callbacks_new();
        unsafe extern "C" fn progress(_: *mut c_void, _: *const crate::cos_progress) -> c_int {
            0
        }
        // SAFETY: `callbacks` live; `progress` a valid function.
        let rc = unsafe {
            cos_task_callbacks_set_hash_progress(callbacks, Some(progress), std::ptr::null_mut())
        };
        assert_eq!(rc, cos_result::COS_RESULT_OK);
        // SAFETY: live client, set and callbacks; `out` writable.
        let rc = unsafe { cos_client_download_file(client, p, callbacks, &mut out) };
        assert_eq!(rc, cos_result::COS_RESULT_INVALID_PARAMETER);
        assert!(last_message().unwrap_or_default().contains("hash progress"));
        assert_eq!(out, sentinel, "a failing call leaves `out` alone");

        // uploadFiles: a NULL entry is named; no files at all is fine.
        let files = [p as *const cos_params, std::ptr::null()];
        // SAFETY: two entries, the second NULL (refused); the rest live or NULL.
        let rc = unsafe {
            cos_client_upload_files(
                client,
                files.as_ptr(),
                std::ptr::null(),
                2,
                std::ptr::null(),
                std::ptr::null(),
                &mut out,
            )
        };
        assert_eq!(rc, cos_result::COS_RESULT_NULL_PARAMETER);
        assert!(last_message().unwrap_or_default().contains("files[1]"));
        // SAFETY: no files; the rest NULL or live.
        let rc = unsafe {
            cos_client_upload_files(
                client,
                std::ptr::null(),
                std::ptr::null(),
                0,
                std::ptr::null(),
                std::ptr::null(),
                &mut out,
            )
        };
        assert_eq!(rc, cos_result::COS_RESULT_OK);
        // SAFETY: `out` is the output just returned; the name is NUL-terminated.
        unsafe {
            assert_eq!(cos_value_count(cos_output_get(out, c"files".as_ptr())), 0);
            cos_output_free(out);
            cos_task_callbacks_free(callbacks);
            cos_task_callbacks_free(std::ptr::null_mut());
            cos_params_free(p);
            cos_client_free(client);
        }
    }

    #[test]
    fn unknown_tasks_are_refused_by_every_control() {
        let client = client();
        let mut state = cos_task_state::COS_TASK_STATE_OTHER;
        // SAFETY: a live client; `state` writable.
        unsafe {
            for rc in [
                cos_client_pause_task(client, 42),
                cos_client_restart_task(client, 42),
                cos_client_cancel_task(client, 42),
                cos_client_cancel_task_keep(client, 42),
            ] {
                assert_eq!(rc, cos_result::COS_RESULT_INVALID_PARAMETER);
            }
            assert_eq!(
                cos_client_task_state(client, 42, &mut state),
                cos_result::COS_RESULT_NOT_FOUND
            );
            assert_eq!(state, cos_task_state::COS_TASK_STATE_OTHER);
            assert_eq!(
                cos_client_pause_task(std::ptr::null(), 1),
                cos_result::COS_RESULT_NULL_PARAMETER
            );
            let mut out = std::ptr::null_mut();
            assert_eq!(
                cos_client_task_list(client, &mut out),
                cos_result::COS_RESULT_OK
            );
            assert_eq!(cos_value_count(cos_output_get(out, c"Tasks".as_ptr())), 0);
            cos_output_free(out);
            cos_client_free(client);
        }
    }

    #[test]
    fn state_names_are_stable() {
        // SAFETY: the names are static NUL-terminated strings.
        let name = |n| unsafe { std::ffi::CStr::from_ptr(cos_task_state_name(n)) };
        assert_eq!(name(4).to_bytes(), b"COS_TASK_STATE_PAUSED");
        assert_eq!(name(8).to_bytes(), b"COS_TASK_STATE_CANCELED");
        assert_eq!(name(0).to_bytes(), b"COS_TASK_STATE_UNKNOWN");
        assert_eq!(
            cos_task_state::from(TaskState::Running),
            cos_task_state::COS_TASK_STATE_RUNNING
        );
    }
}
