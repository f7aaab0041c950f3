//! The transfer tasks: [`Client::slice_upload_file`](crate::Client::slice_upload_file),
//! [`Client::upload_files`](crate::Client::upload_files), and their control by task id.
//!
//! A task is one file (or object) moved in parts on a pool of `ChunkParallelLimit` threads,
//! with the caller's thread as coordinator: it hands out parts, collects their results over
//! a channel, runs the callbacks, and obeys [`Client::pause_task`](crate::Client::pause_task),
//! [`Client::restart_task`](crate::Client::restart_task) and
//! [`Client::cancel_task`](crate::Client::cancel_task) sent from any thread. The planning
//! (part sizes, which server parts to keep, CRC64 combination, the resume journal's format)
//! is cos-proto's [`plan`](cos_proto::plan) module; this module does the I/O.
//!
//! Starting and completing a task's multipart upload are tried again after transient
//! failures, although the single calls are not (they are not idempotent): a start whose
//! answer was lost leaves no empty upload behind, and a completion whose answer was lost is
//! recognised by the object's size and CRC-64 (the private `session` module says how).
//!
//! ## Task states
//!
//! ```text
//!            on_task_ready(id)
//!  Waiting ───────────────────▶ Checking ──▶ Running ──▶ Completing ──▶ Done
//!     │                            │          │  ▲  │          │
//!     │                            │   pause  │  │  │ restart  │
//!     │                            │          ▼  │  │          │
//!     │                            │        Paused  │          │
//!     │                            │          │     │          │
//!     └──── cancel ────────────────┴──────────┴─────┴──────────┴──▶ Canceled
//!                                  └──────────┴── error ───────┴──▶ Failed
//! ```
//!
//! - **Waiting**: created, its id announced; `upload_files` keeps files here behind
//!   `FileParallelLimit`. A pause or cancel sent now takes effect when it would start.
//! - **Checking**: looking for an earlier upload to continue (journal, `multipartList`,
//!   `multipartListPart`, hashing local parts the server holds).
//! - **Running**: parts in flight. **Paused**: no part starts; the ones in flight finish
//!   (a pause stops sending within one part). With `pause_on_error`, a failure also leads
//!   here, and a restart tries the failed parts again.
//! - **Completing**: every part is done; the object is assembled and its CRC64 checked.
//! - **Done**, **Failed**, **Canceled** are final: the task leaves the client's list and its
//!   id is no longer accepted. A failed upload stays resumable: calling again continues it.
//!   A cancel aborts the multipart upload (no orphaned parts) unless
//!   [`Client::cancel_task_keep`](crate::Client::cancel_task_keep) asked to keep it.

mod copy;
mod download;
mod engine;
mod journal;
mod resume;
mod session;
mod source;
mod task;
mod upload;
mod upload_files;

pub use copy::{
    DEFAULT_COPY_CHUNK_SIZE, DEFAULT_COPY_SLICE_SIZE, SliceCopyFile, SliceCopyFileOutput,
};
pub use download::{DEFAULT_DOWNLOAD_CHUNK_SIZE, DownloadFile, DownloadFileOutput};
pub use source::{ReadSeek, UploadBody};
pub(crate) use task::{Control, TaskRegistry};
pub use task::{TaskId, TaskInfo, TaskKind, TaskState};
pub use upload::{
    DEFAULT_PART_ATTEMPTS, DEFAULT_SLICE_SIZE, Resume, SliceUploadFile, SliceUploadFileOutput,
    TaskReadyFn,
};
pub use upload_files::{FileFinishFn, UploadFiles, UploadFilesItem};

use crate::client::Client;
use crate::error::Result;

impl Client {
    /// `pauseTask`: task `id` starts no new part; the parts in flight finish, then it waits
    /// in [`TaskState::Paused`] for [`Client::restart_task`] or a cancel.
    ///
    /// # Errors
    /// `InvalidInput` for `taskId` when the client has no such running task.
    pub fn pause_task(&self, id: TaskId) -> Result<()> {
        self.inner.tasks.send(id, Control::Pause)
    }

    /// `restartTask`: a paused task (by [`Client::pause_task`], or by a failure with
    /// `pause_on_error`) continues with the parts not yet done.
    ///
    /// # Errors
    /// `InvalidInput` for `taskId` when the client has no such running task.
    pub fn restart_task(&self, id: TaskId) -> Result<()> {
        self.inner.tasks.send(id, Control::Restart)
    }

    /// `cancelTask`: task `id` stops (parts in flight are interrupted), aborts its
    /// multipart upload so no part is left on the server, deletes its journal, and ends
    /// with a `Canceled` error.
    ///
    /// # Errors
    /// `InvalidInput` for `taskId` when the client has no such running task.
    pub fn cancel_task(&self, id: TaskId) -> Result<()> {
        self.inner.tasks.send(id, Control::Cancel { keep: false })
    }

    /// Like [`Client::cancel_task`], but leaves the multipart upload and the journal in
    /// place, so that a later call with the same file and key continues it.
    ///
    /// # Errors
    /// `InvalidInput` for `taskId` when the client has no such running task.
    pub fn cancel_task_keep(&self, id: TaskId) -> Result<()> {
        self.inner.tasks.send(id, Control::Cancel { keep: true })
    }

    /// The state of task `id`, or `None` once it has ended (or never existed).
    pub fn task_state(&self, id: TaskId) -> Option<TaskState> {
        self.inner.tasks.state(id)
    }

    /// The tasks of this client that have not ended, by id.
    pub fn task_list(&self) -> Vec<TaskInfo> {
        self.inner.tasks.list()
    }
}
