//! `uploadFiles`: many uploads at once, at most `FileParallelLimit` in flight, one
//! aggregate progress, one result per file.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::body::{Progress, ProgressFn, Reporter};
use crate::client::Client;
use crate::error::Result;
use crate::transfer::task::TaskKind;
use crate::transfer::upload::{SliceUploadFile, SliceUploadFileOutput};

/// One file of [`UploadFiles`]: the same parameters as one
/// [`Client::slice_upload_file`] call (its own callbacks are called too).
pub type UploadFilesItem<'a> = SliceUploadFile<'a>;

/// A callback told each file's result as it ends: its index in [`UploadFiles::files`] and
/// the result (`onFileFinish`).
pub type FileFinishFn<'a> = &'a (dyn Fn(usize, &Result<SliceUploadFileOutput>) + Sync);

/// The parameters of [`Client::upload_files`] (the seed's `uploadFiles`).
#[derive(Default)]
pub struct UploadFiles<'a> {
    /// The files, each with its bucket, key and options.
    pub files: Vec<UploadFilesItem<'a>>,
    /// Files in flight at once (`FileParallelLimit`). Default the client's
    /// [`Config::file_parallel_limit`](crate::Config::file_parallel_limit).
    pub file_parallel_limit: Option<usize>,
    /// `onProgress` over all files: bytes uploaded of the total of their sizes.
    pub on_progress: Option<ProgressFn<'a>>,
    /// `onFileFinish`: each file's result, as it ends.
    pub on_file_finish: Option<FileFinishFn<'a>>,
}

impl std::fmt::Debug for UploadFiles<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadFiles")
            .field("files", &self.files)
            .field("file_parallel_limit", &self.file_parallel_limit)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// `uploadFiles`: uploads every file of `params` as [`Client::slice_upload_file`] would,
    /// at most `file_parallel_limit` at once, and returns one result per file, in order.
    ///
    /// Every file's task is created (and announced to its `on_task_ready`) before the
    /// first starts; the ones waiting are in [`TaskState::Waiting`](crate::TaskState) and
    /// can be paused or canceled already. One file failing does not stop the others.
    pub fn upload_files(&self, params: UploadFiles<'_>) -> Vec<Result<SliceUploadFileOutput>> {
        let UploadFiles {
            files,
            file_parallel_limit,
            on_progress,
            on_file_finish,
        } = params;
        let count = files.len();
        let mut files = files;
        let sizes: Vec<u64> = files
            .iter_mut()
            .map(|f| f.body.size().unwrap_or(0))
            .collect();
        let total: u64 = sizes.iter().sum();
        let guards: Vec<_> = files
            .iter()
            .map(|f| {
                self.inner
                    .tasks
                    .announce(TaskKind::Upload, &f.object, f.on_task_ready)
            })
            .collect();

        let loaded: Vec<AtomicU64> = (0..count).map(|_| AtomicU64::new(0)).collect();
        let aggregate = Mutex::new(Reporter::new(
            on_progress,
            total,
            self.inner.config.progress_interval,
        ));
        let report = |force: bool| {
            let sum = loaded
                .iter()
                .map(|l| l.load(Ordering::Relaxed))
                .sum::<u64>();
            let mut r = aggregate
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            r.update(sum.min(total), force);
        };
        let (work_tx, work_rx) = crossbeam_channel::unbounded();
        for (i, f) in files.into_iter().enumerate() {
            // The receiver is alive until the scope ends.
            let _ = work_tx.send((i, f));
        }
        drop(work_tx);
        let results: Vec<Mutex<Option<Result<SliceUploadFileOutput>>>> =
            (0..count).map(|_| Mutex::new(None)).collect();
        let threads = file_parallel_limit
            .unwrap_or(self.inner.config.file_parallel_limit)
            .clamp(1, count.max(1));
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for (i, mut file) in work_rx.iter() {
                        let own = file.on_progress;
                        let slot = &loaded[i];
                        let per_file = |p: &Progress| {
                            if let Some(f) = own {
                                f(p);
                            }
                            slot.fetch_max(p.loaded, Ordering::Relaxed);
                            report(false);
                        };
                        file.on_progress = Some(&per_file);
                        let result = self.run_upload_task(&guards[i].task, file);
                        if result.is_ok() {
                            slot.store(sizes[i], Ordering::Relaxed);
                        }
                        if let Some(finish) = on_file_finish {
                            finish(i, &result);
                        }
                        *results[i]
                            .lock()
                            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(result);
                    }
                });
            }
        });
        report(true);
        drop(guards);
        results
            .into_iter()
            .map(|m| {
                m.into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .unwrap_or_else(|| Err(crate::Error::new(crate::ErrorKind::Canceled)))
            })
            .collect()
    }
}
