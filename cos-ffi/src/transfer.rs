//! `cos_upload` and `cos_download`: where the data of `putObject`, `multipartUpload` and
//! `getObject` comes from and goes to — bytes in memory, a file, or a read/write callback —
//! with an optional progress callback whose non-zero return cancels the transfer.
//!
//! They describe the data; each call makes cos-blocking's [`Upload`] / [`Download`] from
//! them, so the same description can serve several calls (a callback source is read again
//! from where it is, so it serves one).

use std::ffi::{c_char, c_int, c_void};
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cos_blocking::{Download, Progress, Upload};

use crate::boundary::{OutPtr, arg_bytes, arg_mut, arg_str, free, guard, guard_value, into_handle};
use crate::callbacks::{ProgressHook, cos_progress_callback};
use crate::error::{FfiResult, cos_result};

/// Reads the next bytes of an upload into `buf` (at most `len`), stores how many in
/// `*out_read` (0 at the end of the data) and returns 0; a non-zero return fails the
/// transfer with `COS_RESULT_IO`. `buf` is valid during the call. Runs on the thread of the
/// call.
#[allow(non_camel_case_types)]
pub type cos_read_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        buf: *mut u8,
        len: usize,
        out_read: *mut usize,
    ) -> c_int,
>;

/// Takes the next `len` bytes of a download at `data` (valid during the call) and returns
/// 0; a non-zero return fails the transfer with `COS_RESULT_IO`. Runs on the thread of the
/// call.
#[allow(non_camel_case_types)]
pub type cos_write_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, data: *const u8, len: usize) -> c_int>;

enum Source {
    Bytes(Arc<[u8]>),
    File(PathBuf),
    Reader {
        read: unsafe extern "C" fn(*mut c_void, *mut u8, usize, *mut usize) -> c_int,
        userdata: *mut c_void,
        len: u64,
    },
}

/// The data of an upload: bytes (copied), a file (read when the call starts, and again
/// from its start on a retry) or a read callback (exactly `len` bytes; never retried once
/// started). Free with [`cos_upload_free`]. Use it from one thread at a time.
#[allow(non_camel_case_types)]
pub struct cos_upload {
    source: Source,
    progress: Option<ProgressHook>,
}

enum Sink {
    Memory,
    File(PathBuf),
    Writer {
        write: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> c_int,
        userdata: *mut c_void,
    },
}

/// Where downloaded data goes: memory (read it with `cos_output_body`), a file (written
/// to a temporary file beside it and renamed into place once complete and verified), or a
/// write callback (not retried once bytes were written). Free with
/// [`cos_download_free`]. Use it from one thread at a time.
#[allow(non_camel_case_types)]
pub struct cos_download {
    sink: Sink,
    progress: Option<ProgressHook>,
}

/// A C read callback as `std::io::Read`.
pub(crate) struct CReader {
    read: unsafe extern "C" fn(*mut c_void, *mut u8, usize, *mut usize) -> c_int,
    userdata: *mut c_void,
}

impl io::Read for CReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let mut n = 0usize;
        // SAFETY: registered non-NULL; `buf` is writable for its length and `n` lives for
        // the call.
        let rc = unsafe { (self.read)(self.userdata, buf.as_mut_ptr(), buf.len(), &mut n) };
        if rc != 0 {
            return Err(io::Error::other(format!("the read callback returned {rc}")));
        }
        if n > buf.len() {
            return Err(io::Error::other(
                "the read callback claimed more bytes than asked",
            ));
        }
        Ok(n)
    }
}

/// A C write callback as `std::io::Write`.
pub(crate) struct CWriter {
    write: unsafe extern "C" fn(*mut c_void, *const u8, usize) -> c_int,
    userdata: *mut c_void,
}

impl io::Write for CWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        // SAFETY: registered non-NULL; `buf` is readable for its length during the call.
        let rc = unsafe { (self.write)(self.userdata, buf.as_ptr(), buf.len()) };
        if rc != 0 {
            return Err(io::Error::other(format!(
                "the write callback returned {rc}"
            )));
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The state one call needs to drive a progress callback: the closure cos-blocking calls,
/// and the flag a non-zero return sets.
pub(crate) struct Watch {
    hook: Option<ProgressHook>,
    cancel: AtomicBool,
}

impl Watch {
    pub(crate) fn new(hook: Option<ProgressHook>) -> Self {
        Watch {
            hook,
            cancel: AtomicBool::new(false),
        }
    }

    /// Reports progress; a non-zero answer raises the cancel flag.
    pub(crate) fn report(&self, p: &Progress) {
        if self.hook.as_ref().is_some_and(|hook| hook.report(p)) {
            self.cancel.store(true, Ordering::Relaxed);
        }
    }
}

impl cos_upload {
    /// The reader of a callback source (to be borrowed by [`cos_upload::upload`]).
    pub(crate) fn reader(&self) -> Option<CReader> {
        match self.source {
            Source::Reader { read, userdata, .. } => Some(CReader { read, userdata }),
            _ => None,
        }
    }

    /// The progress watch of one call.
    pub(crate) fn watch(&self) -> Watch {
        Watch::new(self.progress)
    }

    /// cos-blocking's description of this upload for one call.
    pub(crate) fn upload<'a>(
        &self,
        reader: Option<&'a mut CReader>,
        watch: &'a Watch,
        report: &'a (dyn Fn(&Progress) + Sync),
    ) -> FfiResult<Upload<'a>> {
        let upload = match (&self.source, reader) {
            (Source::Bytes(b), _) => Upload::bytes(Arc::clone(b)),
            (Source::File(path), _) => Upload::file(path)?,
            (Source::Reader { len, .. }, Some(reader)) => Upload::reader(reader, *len),
            (Source::Reader { .. }, None) => {
                return Err(crate::error::Failure::invalid("upload", "has no reader"));
            }
        };
        Ok(with_watch(upload, watch, report))
    }
}

fn with_watch<'a>(
    upload: Upload<'a>,
    watch: &'a Watch,
    report: &'a (dyn Fn(&Progress) + Sync),
) -> Upload<'a> {
    let upload = upload.cancel_flag(&watch.cancel);
    if watch.hook.is_some() {
        upload.on_progress(report)
    } else {
        upload
    }
}

impl cos_download {
    /// The writer of a callback sink.
    pub(crate) fn writer(&self) -> Option<CWriter> {
        match self.sink {
            Sink::Writer { write, userdata } => Some(CWriter { write, userdata }),
            _ => None,
        }
    }

    /// The progress watch of one call.
    pub(crate) fn watch(&self) -> Watch {
        Watch::new(self.progress)
    }

    /// cos-blocking's description of this download for one call: into `memory` for a
    /// memory sink.
    pub(crate) fn download<'a>(
        &self,
        memory: &'a mut Vec<u8>,
        writer: Option<&'a mut CWriter>,
        watch: &'a Watch,
        report: &'a (dyn Fn(&Progress) + Sync),
    ) -> FfiResult<Download<'a>> {
        let download = match (&self.sink, writer) {
            (Sink::Memory, _) => Download::to_vec(memory),
            (Sink::File(path), _) => Download::to_file(path),
            (Sink::Writer { .. }, Some(w)) => Download::to_writer(w),
            (Sink::Writer { .. }, None) => {
                return Err(crate::error::Failure::invalid("download", "has no writer"));
            }
        };
        let download = download.cancel_flag(&watch.cancel);
        Ok(if watch.hook.is_some() {
            download.on_progress(report)
        } else {
            download
        })
    }
}

/// Stores a new handle in `out`.
///
/// # Safety
/// `out` must be writable.
unsafe fn hand_out<T>(out: OutPtr<*mut T>, value: T) {
    // SAFETY: checked and writable by the caller's guarantee.
    unsafe { out.write(into_handle(value)) }
}

/// An upload of `len` bytes at `data`, copied now (so `data` may be freed right after).
/// `data` may be NULL when `len` is 0.
///
/// # Safety
/// `data` must be readable for `len` bytes; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_upload_new_bytes(
    data: *const u8,
    len: usize,
    out: *mut *mut cos_upload,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        let bytes = unsafe { arg_bytes(data, len, "data") }?;
        let upload = cos_upload {
            source: Source::Bytes(Arc::from(bytes)),
            progress: None,
        };
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { hand_out(out, upload) };
        Ok(())
    })
}

/// An upload of the file at `path` (UTF-8), whose length is read when a call starts.
///
/// # Safety
/// `path` must be a NUL-terminated string; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_upload_new_file(
    path: *const c_char,
    out: *mut *mut cos_upload,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        let path = unsafe { arg_str(path, "path") }?;
        let upload = cos_upload {
            source: Source::File(PathBuf::from(path)),
            progress: None,
        };
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { hand_out(out, upload) };
        Ok(())
    })
}

/// An upload of exactly `len` bytes that `read` gives, called with `userdata` on the
/// thread of the call. `userdata` must stay valid while calls use the upload.
///
/// # Safety
/// `read` must be a valid function for that whole time; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_upload_new_reader(
    read: cos_read_callback,
    userdata: *mut c_void,
    len: u64,
    out: *mut *mut cos_upload,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        let read = read.ok_or_else(|| crate::error::Failure::null("read"))?;
        let upload = cos_upload {
            source: Source::Reader {
                read,
                userdata,
                len,
            },
            progress: None,
        };
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { hand_out(out, upload) };
        Ok(())
    })
}

/// Sets (or with `callback` NULL, removes) the progress callback of an upload, called with
/// `userdata`. A non-zero return cancels the transfer (`COS_RESULT_CANCELED`).
///
/// # Safety
/// `upload` must be a live upload; `callback` and `userdata` valid while calls use it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_upload_set_progress(
    upload: *mut cos_upload,
    callback: cos_progress_callback,
    userdata: *mut c_void,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let upload = unsafe { arg_mut(upload, "upload") }?;
        upload.progress = ProgressHook::new(callback, userdata);
        Ok(())
    })
}

/// Frees an upload. NULL is a no-op.
///
/// # Safety
/// `upload` must be NULL or come from a `cos_upload_new_*` function, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_upload_free(upload: *mut cos_upload) {
    // SAFETY: forwarded to the caller's guarantee.
    guard_value((), || unsafe { free(upload) });
}

/// A download into memory: after `cos_client_get_object`, read the bytes with
/// `cos_output_body`. (Passing no download at all does the same, without progress.)
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_download_new_memory(out: *mut *mut cos_download) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        let download = cos_download {
            sink: Sink::Memory,
            progress: None,
        };
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { hand_out(out, download) };
        Ok(())
    })
}

/// A download into the file at `path` (UTF-8), through a temporary file beside it that is
/// renamed into place once the data is complete and its CRC64 matched; on failure the
/// target is left as it was.
///
/// # Safety
/// `path` must be a NUL-terminated string; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_download_new_file(
    path: *const c_char,
    out: *mut *mut cos_download,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        let path = unsafe { arg_str(path, "path") }?;
        let download = cos_download {
            sink: Sink::File(PathBuf::from(path)),
            progress: None,
        };
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { hand_out(out, download) };
        Ok(())
    })
}

/// A download handed to `write`, called with `userdata` on the thread of the call.
/// `userdata` must stay valid while calls use the download.
///
/// # Safety
/// `write` must be a valid function for that whole time; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_download_new_writer(
    write: cos_write_callback,
    userdata: *mut c_void,
    out: *mut *mut cos_download,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        let write = write.ok_or_else(|| crate::error::Failure::null("write"))?;
        let download = cos_download {
            sink: Sink::Writer { write, userdata },
            progress: None,
        };
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { hand_out(out, download) };
        Ok(())
    })
}

/// Sets (or with `callback` NULL, removes) the progress callback of a download, called
/// with `userdata`. A non-zero return cancels the transfer (`COS_RESULT_CANCELED`).
///
/// # Safety
/// `download` must be a live download; `callback` and `userdata` valid while calls use it.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_download_set_progress(
    download: *mut cos_download,
    callback: cos_progress_callback,
    userdata: *mut c_void,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let download = unsafe { arg_mut(download, "download") }?;
        download.progress = ProgressHook::new(callback, userdata);
        Ok(())
    })
}

/// Frees a download. NULL is a no-op.
///
/// # Safety
/// `download` must be NULL or come from a `cos_download_new_*` function, not used
/// afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_download_free(download: *mut cos_download) {
    // SAFETY: forwarded to the caller's guarantee.
    guard_value((), || unsafe { free(download) });
}
