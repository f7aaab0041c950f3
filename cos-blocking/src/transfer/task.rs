//! Task identity, state and control: the ids handed to `TaskReady`, the states a task goes
//! through, and the registry through which `pause_task`, `restart_task` and `cancel_task`
//! reach a running task (over a crossbeam channel the task listens on).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crossbeam_channel::{Receiver, Sender};

use crate::error::{Error, ErrorKind, Result};

/// The id of a transfer task, unique within its [`Client`](crate::Client) (the seed's
/// `taskId`). It is handed to the `on_task_ready` callback before anything is sent, and is
/// what [`Client::pause_task`](crate::Client::pause_task),
/// [`Client::restart_task`](crate::Client::restart_task) and
/// [`Client::cancel_task`](crate::Client::cancel_task) take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TaskId(u64);

impl TaskId {
    /// The id as a number (1, 2, 3, ... in the order the client created tasks).
    pub fn get(self) -> u64 {
        self.0
    }

    /// The task id with this number (for ids that went through C or a log).
    pub fn from_u64(n: u64) -> TaskId {
        TaskId(n)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "task-{}", self.0)
    }
}

/// What kind of transfer a task runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskKind {
    /// `sliceUploadFile` (also each file of `uploadFiles`).
    Upload,
    /// `sliceCopyFile`.
    Copy,
    /// `downloadFile`.
    Download,
}

/// Where a task is in its life; see the graph in [`crate::transfer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TaskState {
    /// Created and announced, not started (`uploadFiles` queues files behind
    /// `FileParallelLimit`).
    Waiting,
    /// Looking for an earlier upload to resume: listing uploads and parts, hashing the
    /// local parts the server holds.
    Checking,
    /// Sending (or copying, or receiving) parts.
    Running,
    /// Paused by `pause_task` (parts in flight finish; no new one starts), or stopped by a
    /// failure with `pause_on_error`; `restart_task` continues.
    Paused,
    /// Every part is done; assembling and verifying the object.
    Completing,
    /// Finished: the object (or file) is complete and verified.
    Done,
    /// Ended by an error; what was done stays resumable.
    Failed,
    /// Ended by `cancel_task`.
    Canceled,
}

impl TaskState {
    /// Whether the task has ended (done, failed or canceled).
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskState::Done | TaskState::Failed | TaskState::Canceled
        )
    }
}

/// What `pause_task`, `restart_task` and `cancel_task` send to a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Control {
    Pause,
    Restart,
    /// Cancel; `keep` leaves a multipart upload on the server for a later resume.
    Cancel {
        keep: bool,
    },
}

/// A snapshot of one task, from [`Client::task_list`](crate::Client::task_list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskInfo {
    /// Its id.
    pub id: TaskId,
    /// What it transfers.
    pub kind: TaskKind,
    /// The bucket it writes to (or reads from, for a download).
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// Its state when the snapshot was taken.
    pub state: TaskState,
}

/// One task as the registry and the task itself share it.
pub(crate) struct Task {
    pub(crate) id: TaskId,
    kind: TaskKind,
    bucket: String,
    key: String,
    state: Mutex<TaskState>,
    /// Set by `cancel_task`: parts in flight stop at their next read or write.
    pub(crate) canceled: AtomicBool,
    control_tx: Sender<Control>,
    pub(crate) control: Receiver<Control>,
}

impl Task {
    /// The current state.
    pub(crate) fn state(&self) -> TaskState {
        *lock(&self.state)
    }

    /// Moves to `state` (a final state is never left).
    pub(crate) fn set_state(&self, state: TaskState) {
        let mut s = lock(&self.state);
        if !s.is_final() {
            *s = state;
        }
    }

    /// Ends the task with `result`: sets its final state, and names the task (`name`, its
    /// bucket and key) in an error.
    pub(crate) fn end<T>(&self, name: &'static str, result: Result<T>) -> Result<T> {
        self.set_state(match &result {
            Ok(_) => TaskState::Done,
            Err(e) if matches!(e.kind(), ErrorKind::Canceled) => TaskState::Canceled,
            Err(_) => TaskState::Failed,
        });
        result.map_err(|e| e.in_task(name, &self.bucket, &self.key))
    }

    /// The error a task ends with once `cancel_task` reached it.
    pub(crate) fn canceled_error(&self) -> Error {
        Error::new(ErrorKind::Canceled)
    }

    /// Applies the control messages that arrived while the task was not listening (it was
    /// waiting in a queue, or checking): a cancel wins; otherwise the last of pause and
    /// restart decides whether the task starts paused. Returns the cancel's `keep`.
    pub(crate) fn drain_controls(&self, paused: &mut bool) -> Option<bool> {
        let mut cancel = None;
        for c in self.control.try_iter() {
            match c {
                Control::Pause => *paused = true,
                Control::Restart => *paused = false,
                Control::Cancel { keep } => cancel = Some(keep),
            }
        }
        cancel
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The tasks of one client that have not ended, by id.
#[derive(Default)]
pub(crate) struct TaskRegistry {
    next: AtomicU64,
    tasks: Mutex<HashMap<TaskId, Arc<Task>>>,
}

impl fmt::Debug for TaskRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskRegistry")
            .field("tasks", &lock(&self.tasks).len())
            .finish()
    }
}

impl TaskRegistry {
    /// Creates a task in state [`TaskState::Waiting`]; it leaves the registry when the
    /// returned guard is dropped.
    fn create(&self, kind: TaskKind, bucket: &str, key: &str) -> TaskGuard<'_> {
        let id = TaskId(self.next.fetch_add(1, Ordering::Relaxed) + 1);
        let (control_tx, control) = crossbeam_channel::unbounded();
        let task = Arc::new(Task {
            id,
            kind,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            state: Mutex::new(TaskState::Waiting),
            canceled: AtomicBool::new(false),
            control_tx,
            control,
        });
        lock(&self.tasks).insert(id, Arc::clone(&task));
        TaskGuard {
            registry: self,
            task,
        }
    }

    /// Creates a task on `object`'s bucket and key, and tells its id to `ready` (the
    /// seed's `TaskReady`) before anything is sent.
    pub(crate) fn announce(
        &self,
        kind: TaskKind,
        object: &impl cos_proto::Operation,
        ready: Option<&(dyn Fn(TaskId) + Sync)>,
    ) -> TaskGuard<'_> {
        let guard = self.create(
            kind,
            object.bucket().unwrap_or_default(),
            object.key().unwrap_or_default(),
        );
        if let Some(ready) = ready {
            ready(guard.task.id);
        }
        guard
    }

    /// Sends `control` to task `id`.
    pub(crate) fn send(&self, id: TaskId, control: Control) -> Result<()> {
        let task = lock(&self.tasks).get(&id).cloned().ok_or_else(|| {
            Error::invalid(
                "taskId",
                format!("{id} is not a task of this client that is still running"),
            )
        })?;
        // The state shows the request at once; the task acts on it at its next step.
        match control {
            Control::Cancel { .. } => task.canceled.store(true, Ordering::Relaxed),
            Control::Pause if task.state() == TaskState::Running => {
                task.set_state(TaskState::Paused);
            }
            Control::Pause | Control::Restart => {}
        }
        // The receiver lives in the task itself, which is alive: the send cannot fail.
        let _ = task.control_tx.send(control);
        Ok(())
    }

    /// The state of task `id`, if it has not ended.
    pub(crate) fn state(&self, id: TaskId) -> Option<TaskState> {
        lock(&self.tasks).get(&id).map(|t| t.state())
    }

    /// Every task that has not ended, by id.
    pub(crate) fn list(&self) -> Vec<TaskInfo> {
        let mut list: Vec<TaskInfo> = lock(&self.tasks)
            .values()
            .map(|t| TaskInfo {
                id: t.id,
                kind: t.kind,
                bucket: t.bucket.clone(),
                key: t.key.clone(),
                state: t.state(),
            })
            .collect();
        list.sort_by_key(|t| t.id);
        list
    }
}

/// A registered task; dropping it removes the task from the registry.
pub(crate) struct TaskGuard<'r> {
    registry: &'r TaskRegistry,
    pub(crate) task: Arc<Task>,
}

impl Drop for TaskGuard<'_> {
    fn drop(&mut self) {
        lock(&self.registry.tasks).remove(&self.task.id);
    }
}
