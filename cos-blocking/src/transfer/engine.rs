//! The part engine every transfer task runs on: a rayon pool of `limit` threads doing one
//! part each, and the coordinator — the caller's thread — that hands out parts, collects
//! their results over a crossbeam channel, obeys pause / restart / cancel, retries failed
//! parts and reports progress.
//!
//! All callbacks (progress, the per-part `on_done`) run on the coordinator thread, so they
//! see parts finish one at a time.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::time::Duration;

use crossbeam_channel::select;

use crate::body::{PartMeter, ProgressFn, Reporter};
use crate::config::Config;
use crate::error::{Error, ErrorKind, Result};
use crate::retry;
use crate::transfer::task::{Control, Task, TaskState};

/// What a part's worker gets besides the part: the task (its cancel flag) and a meter for
/// the bytes moved so far.
pub(crate) struct PartCtx<'a> {
    pub(crate) task: &'a Task,
    pub(crate) meter: &'a PartMeter,
}

/// One unit of work: a part number and how many bytes it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Job {
    pub(crate) number: u32,
    pub(crate) len: u64,
}

/// The settings of one run.
pub(crate) struct Engine<'a> {
    task: &'a Task,
    /// Parts in flight at most (ChunkParallelLimit).
    limit: usize,
    /// Bytes of the whole transfer (the progress total).
    total: u64,
    /// Bytes already done before this run (resumed parts).
    done_before: u64,
    progress: Option<ProgressFn<'a>>,
    interval: Duration,
    /// Times a part is tried (each try itself retried by the client's retry policy).
    part_attempts: u32,
    /// Wait for `restart_task` (or `cancel_task`) after a failure instead of returning it.
    pause_on_error: bool,
}

/// How a run ended without finishing.
#[derive(Debug)]
pub(crate) enum Stop {
    /// `cancel_task`; `keep` asks to leave the server-side state for a later resume.
    Canceled { keep: bool },
    /// A part failed for good (its tries spent, or an error not worth retrying).
    Failed(Error),
}

impl Stop {
    /// The error the task returns.
    pub(crate) fn into_error(self) -> Error {
        match self {
            Stop::Canceled { .. } => Error::new(ErrorKind::Canceled),
            Stop::Failed(e) => e,
        }
    }
}

impl<'a> Engine<'a> {
    /// A run of `task` over `total` bytes with the client's defaults: `ChunkParallelLimit`
    /// parts at once, [`DEFAULT_PART_ATTEMPTS`](crate::transfer::DEFAULT_PART_ATTEMPTS)
    /// tries per part, progress every `ProgressInterval`; the setters below override them.
    pub(crate) fn new(
        task: &'a Task,
        config: &Config,
        total: u64,
        progress: Option<ProgressFn<'a>>,
    ) -> Self {
        Engine {
            task,
            limit: config.chunk_parallel_limit,
            total,
            done_before: 0,
            progress,
            interval: config.progress_interval,
            part_attempts: crate::transfer::DEFAULT_PART_ATTEMPTS,
            pause_on_error: false,
        }
    }

    /// Parts in flight at most, when the call sets it.
    pub(crate) fn limit(mut self, limit: Option<usize>) -> Self {
        self.limit = limit.unwrap_or(self.limit);
        self
    }

    /// Tries per part, when the call sets it.
    pub(crate) fn part_attempts(mut self, attempts: Option<u32>) -> Self {
        self.part_attempts = attempts.unwrap_or(self.part_attempts);
        self
    }

    /// Pause after a failure instead of returning it.
    pub(crate) fn pause_on_error(mut self, on: bool) -> Self {
        self.pause_on_error = on;
        self
    }

    /// Bytes already done before the run (parts kept from an earlier one).
    pub(crate) fn done_before(mut self, bytes: u64) -> Self {
        self.done_before = bytes;
        self
    }
}

/// Whether a failed part is worth another try: what the retry policy calls transient
/// (transport failures and timeouts included), and an integrity mismatch (the bytes went
/// wrong on the way).
fn part_retryable(e: &Error) -> bool {
    retry::is_transient(e) || matches!(e.kind(), ErrorKind::Integrity { .. })
}

impl Engine<'_> {
    /// Runs `jobs` through `work` on `limit` threads; `on_done` records each finished part
    /// (in the caller's thread). Returns when every job is done, or how it stopped.
    pub(crate) fn run<R: Send>(
        &self,
        jobs: Vec<Job>,
        work: impl Fn(Job, &PartCtx<'_>) -> Result<R> + Sync,
        mut on_done: impl FnMut(Job, R),
    ) -> Result<(), Stop> {
        let limit = self.limit.max(1);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(limit)
            .thread_name(|i| format!("cos-part-{i}"))
            .build()
            .map_err(|e| {
                Stop::Failed(Error::io(
                    None,
                    std::io::Error::other(format!("cannot start the part threads: {e}")),
                ))
            })?;
        let meters: Vec<PartMeter> = (0..limit).map(|_| PartMeter::default()).collect();
        let (done_tx, done_rx) = crossbeam_channel::unbounded::<(usize, Job, Result<R>)>();
        let task = self.task;

        let mut queue: VecDeque<Job> = jobs.into();
        let mut slots: Vec<Option<Job>> = vec![None; limit];
        let mut tries: HashMap<u32, u32> = HashMap::new();
        let mut done = self.done_before;
        let mut shown = done;
        let mut reporter = Reporter::new(self.progress, self.total, self.interval);
        let mut paused = false;
        let mut cancel = task.drain_controls(&mut paused);
        let mut failure: Option<Error> = None;
        task.set_state(if paused {
            TaskState::Paused
        } else {
            TaskState::Running
        });
        reporter.update(done, false);

        let work = &work;
        let meters = &meters;
        pool.in_place_scope(|scope| {
            loop {
                // Hand out parts while running and a slot is free.
                while !paused && failure.is_none() && cancel.is_none() {
                    let Some(slot) = slots.iter().position(Option::is_none) else {
                        break;
                    };
                    let Some(job) = queue.pop_front() else {
                        break;
                    };
                    *tries.entry(job.number).or_insert(0) += 1;
                    slots[slot] = Some(job);
                    meters[slot].sent.store(0, Ordering::Relaxed);
                    let tx = done_tx.clone();
                    scope.spawn(move |_| {
                        let ctx = PartCtx {
                            task,
                            meter: &meters[slot],
                        };
                        let result = if task.canceled.load(Ordering::Relaxed) {
                            Err(task.canceled_error())
                        } else {
                            work(job, &ctx)
                        };
                        // The coordinator outlives the scope's jobs: the send succeeds.
                        let _ = tx.send((slot, job, result));
                    });
                }

                let in_flight = slots.iter().any(Option::is_some);
                if !in_flight {
                    if let Some(keep) = cancel {
                        task.set_state(TaskState::Canceled);
                        return Err(Stop::Canceled { keep });
                    }
                    if let Some(e) = failure.take() {
                        if !self.pause_on_error {
                            return Err(Stop::Failed(e));
                        }
                        // Stopped by the failure: wait for a restart or a cancel.
                        paused = true;
                    }
                    if queue.is_empty() {
                        reporter.update(done, true);
                        return Ok(());
                    }
                    if paused {
                        task.set_state(TaskState::Paused);
                        match task.control.recv() {
                            Ok(Control::Restart) => {
                                paused = false;
                                tries.clear();
                                task.set_state(TaskState::Running);
                            }
                            Ok(Control::Cancel { keep }) => cancel = Some(keep),
                            Ok(Control::Pause) => {}
                            // The task holds its own sender: this cannot happen.
                            Err(_) => cancel = Some(true),
                        }
                        continue;
                    }
                }

                select! {
                    recv(done_rx) -> msg => {
                        let Ok((slot, job, result)) = msg else { continue };
                        slots[slot] = None;
                        match result {
                            Ok(value) => {
                                done += job.len;
                                on_done(job, value);
                            }
                            Err(_) if cancel.is_some() => {}
                            Err(e) => {
                                queue.push_front(job);
                                let spent = tries.get(&job.number).copied().unwrap_or(0)
                                    >= self.part_attempts.max(1);
                                if spent || !part_retryable(&e) {
                                    failure.get_or_insert(e.at_part(job.number));
                                }
                            }
                        }
                    }
                    recv(task.control) -> msg => match msg {
                        Ok(Control::Pause) => {
                            paused = true;
                            task.set_state(TaskState::Paused);
                        }
                        Ok(Control::Restart) => {
                            paused = false;
                            task.set_state(TaskState::Running);
                        }
                        Ok(Control::Cancel { keep }) => {
                            task.canceled.store(true, Ordering::Relaxed);
                            cancel = Some(keep);
                        }
                        Err(_) => {}
                    },
                    default(self.interval.max(Duration::from_millis(10))) => {}
                }

                // Progress: finished parts plus what the parts in flight have sent, never
                // backwards (a retried part starts again from 0) and never past the total.
                let moving: u64 = slots
                    .iter()
                    .zip(meters)
                    .filter(|(s, _)| s.is_some())
                    .map(|(_, m)| m.sent.load(Ordering::Relaxed))
                    .sum();
                shown = shown.max((done + moving).min(self.total));
                reporter.update(shown, false);
            }
        })
    }
}
