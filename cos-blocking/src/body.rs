//! Where the data of a transfer comes from and goes to: [`Upload`] sources (bytes, a file,
//! any `Read` of known length) and [`Download`] sinks (a `Vec`, any `Write`, a file), with
//! the progress callback, cancellation and the CRC64 of what went through.
//!
//! A file download is written to a temporary file beside the target
//! (`.{name}.cos-{pid}-{n}.part`) and renamed into place only once every byte has arrived
//! and the CRC64 matched; on any failure the temporary file is removed and the target is
//! left as it was.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use cos_proto::Body;

use crate::error::{Error, ErrorKind, Result};
use crate::transport;

/// The CRC-64/XZ (ECMA-182 polynomial, reflected, inverted) that COS reports as
/// `x-cos-hash-crc64ecma`.
pub fn crc64(bytes: &[u8]) -> u64 {
    let mut d = crc64fast::Digest::new();
    d.write(bytes);
    d.sum64()
}

/// How far a transfer is (the seed's `onProgress` argument).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Bytes transferred so far in this attempt.
    pub loaded: u64,
    /// Bytes in all.
    pub total: u64,
    /// Average speed since the attempt started, in bytes per second.
    pub speed: f64,
    /// `loaded / total`, from 0.0 to 1.0 (1.0 for an empty transfer).
    pub percent: f64,
}

/// A progress callback.
pub type ProgressFn<'a> = &'a (dyn Fn(&Progress) + Sync);

/// Calls the progress callback at most once per interval, and always at the end.
pub(crate) struct Reporter<'a> {
    callback: Option<ProgressFn<'a>>,
    total: u64,
    interval: Duration,
    started: Instant,
    last: Option<Instant>,
}

impl<'a> Reporter<'a> {
    pub(crate) fn new(callback: Option<ProgressFn<'a>>, total: u64, interval: Duration) -> Self {
        Reporter {
            callback,
            total,
            interval,
            started: transport::monotonic(),
            last: None,
        }
    }

    /// Reports `loaded` bytes if the interval has passed (or `force`).
    pub(crate) fn update(&mut self, loaded: u64, force: bool) {
        let Some(callback) = self.callback else {
            return;
        };
        let now = transport::monotonic();
        if !force
            && self
                .last
                .is_some_and(|t| now.duration_since(t) < self.interval)
        {
            return;
        }
        self.last = Some(now);
        let secs = now.duration_since(self.started).as_secs_f64();
        callback(&Progress {
            loaded,
            total: self.total,
            speed: if secs > 0.0 {
                loaded as f64 / secs
            } else {
                0.0
            },
            percent: if self.total == 0 {
                1.0
            } else {
                loaded as f64 / self.total as f64
            },
        });
    }
}

enum Source<'a> {
    Bytes(Arc<[u8]>),
    File {
        path: PathBuf,
        len: u64,
    },
    Reader {
        reader: &'a mut dyn Read,
        len: u64,
        started: bool,
    },
    /// `len` bytes of an open file from `offset`, read with positional reads (so many parts
    /// of one file can be sent at once through one handle).
    Region {
        file: &'a File,
        path: &'a Path,
        offset: u64,
        len: u64,
    },
}

/// What a transfer task watches of one part while it is being sent: the bytes sent so far
/// in the current attempt and the CRC64 of the last attempt that sent every byte.
#[derive(Debug, Default)]
pub(crate) struct PartMeter {
    pub(crate) sent: AtomicU64,
    pub(crate) crc: AtomicU64,
}

/// The data of an upload: bytes, a file or a stream of known length, with an optional
/// progress callback and cancel flag.
pub struct Upload<'a> {
    source: Source<'a>,
    progress: Option<ProgressFn<'a>>,
    cancel: Option<&'a AtomicBool>,
    meter: Option<&'a PartMeter>,
}

impl<'a> Upload<'a> {
    /// Bytes in memory (sent again as they are on a retry).
    pub fn bytes(bytes: impl Into<Arc<[u8]>>) -> Self {
        Upload::from_source(Source::Bytes(bytes.into()))
    }

    /// The contents of the file at `path`, whose length is read now (reopened and sent from
    /// the start on a retry).
    pub fn file(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref().to_path_buf();
        let len = std::fs::metadata(&path)
            .map_err(|e| Error::io(Some(path.clone()), e))?
            .len();
        Ok(Upload::from_source(Source::File { path, len }))
    }

    /// Exactly `len` bytes read from `reader`. A stream cannot be rewound, so an upload from
    /// one is never retried once it has started.
    pub fn reader(reader: &'a mut dyn Read, len: u64) -> Self {
        Upload::from_source(Source::Reader {
            reader,
            len,
            started: false,
        })
    }

    /// `len` bytes of `file` (opened from `path`, named in errors) from `offset`, read with
    /// positional reads: a part of a multipart upload, sent again from its start on a retry.
    pub(crate) fn region(file: &'a File, path: &'a Path, offset: u64, len: u64) -> Self {
        Upload::from_source(Source::Region {
            file,
            path,
            offset,
            len,
        })
    }

    fn from_source(source: Source<'a>) -> Self {
        Upload {
            source,
            progress: None,
            cancel: None,
            meter: None,
        }
    }

    /// Counts the bytes sent into `meter`, and leaves there the CRC64 of each attempt that
    /// sent every byte.
    pub(crate) fn meter(mut self, meter: &'a PartMeter) -> Self {
        self.meter = Some(meter);
        self
    }

    /// Calls `callback` as the upload progresses (throttled by the client's
    /// `progress_interval`).
    pub fn on_progress(mut self, callback: ProgressFn<'a>) -> Self {
        self.progress = Some(callback);
        self
    }

    /// Ends the upload with [`ErrorKind::Canceled`] once `flag` is set.
    pub fn cancel_flag(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// The number of bytes to send.
    pub fn len(&self) -> u64 {
        match &self.source {
            Source::Bytes(b) => b.len() as u64,
            Source::File { len, .. } | Source::Reader { len, .. } | Source::Region { len, .. } => {
                *len
            }
        }
    }

    /// Whether there is nothing to send.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The body to describe in the request.
    pub(crate) fn body(&self) -> Body {
        match &self.source {
            Source::Bytes(b) => Body::Bytes(Arc::clone(b)),
            _ => Body::Stream { length: self.len() },
        }
    }

    /// Whether the data can be sent (again) from the start.
    pub(crate) fn can_resend(&self) -> bool {
        !matches!(self.source, Source::Reader { started: true, .. })
    }

    /// A reader over the data for one attempt.
    pub(crate) fn open(&mut self, interval: Duration) -> Result<Sending<'_>> {
        let total = self.len();
        let (inner, path): (Box<dyn Read + '_>, _) = match &mut self.source {
            Source::Bytes(b) => (Box::new(io::Cursor::new(Arc::clone(b))), None),
            Source::File { path, .. } => {
                let f = File::open(&*path).map_err(|e| Error::io(Some(path.clone()), e))?;
                (Box::new(f), Some(path.clone()))
            }
            Source::Reader {
                reader, started, ..
            } => {
                *started = true;
                (Box::new(&mut **reader), None)
            }
            Source::Region {
                file, path, offset, ..
            } => {
                let at = PositionalReader {
                    file,
                    offset: *offset,
                };
                (Box::new(at), Some(path.to_path_buf()))
            }
        };
        if let Some(m) = self.meter {
            m.sent.store(0, Ordering::Relaxed);
        }
        Ok(Sending {
            inner: inner.take(total),
            path,
            crc: crc64fast::Digest::new(),
            sent: 0,
            total,
            reporter: Reporter::new(self.progress, total, interval),
            cancel: self.cancel,
            meter: self.meter,
            failure: None,
        })
    }
}

/// The reader ureq pulls an upload from: counts, hashes, reports progress, watches the
/// cancel flag, and remembers its own failures so they are not taken for network errors.
pub(crate) struct Sending<'a> {
    inner: io::Take<Box<dyn Read + 'a>>,
    path: Option<PathBuf>,
    crc: crc64fast::Digest,
    sent: u64,
    total: u64,
    reporter: Reporter<'a>,
    cancel: Option<&'a AtomicBool>,
    meter: Option<&'a PartMeter>,
    failure: Option<Error>,
}

impl Sending<'_> {
    /// The error of the source itself (I/O, cancel, too short), if it failed.
    pub(crate) fn take_failure(&mut self) -> Option<Error> {
        self.failure.take()
    }

    /// The CRC64 of what was sent.
    pub(crate) fn crc64(&self) -> u64 {
        self.crc.sum64()
    }
}

impl Read for Sending<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            self.failure = Some(Error::new(ErrorKind::Canceled));
            return Err(io::Error::other("canceled"));
        }
        let n = match self.inner.read(buf) {
            Ok(n) => n,
            Err(e) => {
                let kind = e.kind();
                self.failure = Some(Error::io(self.path.clone(), e));
                return Err(io::Error::new(kind, "the upload source failed"));
            }
        };
        if n == 0 && self.sent < self.total {
            let short = io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the source ended after {} of {} bytes",
                    self.sent, self.total
                ),
            );
            self.failure = Some(Error::io(self.path.clone(), short));
            return Err(io::Error::other("the upload source ended early"));
        }
        self.crc.write(&buf[..n]);
        self.sent += n as u64;
        if let Some(m) = self.meter {
            m.sent.store(self.sent, Ordering::Relaxed);
            if self.sent == self.total {
                m.crc.store(self.crc.sum64(), Ordering::Relaxed);
            }
        }
        self.reporter.update(self.sent, self.sent == self.total);
        Ok(n)
    }
}

/// Reads a file from an offset on, with positional reads that leave the handle's cursor
/// alone (so threads can share one handle).
struct PositionalReader<'a> {
    file: &'a File,
    offset: u64,
}

impl Read for PositionalReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = read_at(self.file, buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

/// Reads from `file` at `offset` without moving its cursor; 0 at the end of the file.
pub(crate) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_at(file, buf, offset)
    }
    #[cfg(windows)]
    {
        std::os::windows::fs::FileExt::seek_read(file, buf, offset)
    }
}

/// Reads up to `len` bytes of `file` from `offset` on through `buf`, handing each piece to
/// `each`; returns how many bytes there were (fewer than `len` when the file ends first).
/// I/O errors name `path`.
pub(crate) fn read_range_at(
    file: &File,
    path: &Path,
    offset: u64,
    len: u64,
    buf: &mut [u8],
    mut each: impl FnMut(&[u8]),
) -> Result<u64> {
    let mut pos = 0u64;
    while pos < len {
        let want = usize::try_from(len - pos)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let n = read_at(file, &mut buf[..want], offset + pos)
            .map_err(|e| Error::io(Some(path.to_path_buf()), e))?;
        if n == 0 {
            break;
        }
        each(&buf[..n]);
        pos += n as u64;
    }
    Ok(pos)
}

/// Writes all of `buf` to `file` at `offset` without moving its cursor.
pub(crate) fn write_all_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::write_at(file, buf, offset)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_write(file, buf, offset)?;
        if n == 0 {
            return Err(io::Error::new(io::ErrorKind::WriteZero, "wrote nothing"));
        }
        buf = &buf[n..];
        offset += n as u64;
    }
    Ok(())
}

/// A file that several threads write ranges of, each with positional writes.
///
/// The kernel serializes buffered writes to one file (ext4 holds the inode's lock for each
/// write), and threads waiting for that lock spin on it: with three ranges in flight that
/// spinning took more CPU than the writes themselves. The writes take a lock here first, so
/// that a waiting thread sleeps instead.
pub(crate) struct SharedFile {
    file: File,
    writing: Mutex<()>,
}

impl SharedFile {
    /// Shares `file` between writers.
    pub(crate) fn new(file: File) -> Self {
        SharedFile {
            file,
            writing: Mutex::new(()),
        }
    }

    /// The file, to read from or sync.
    pub(crate) fn file(&self) -> &File {
        &self.file
    }

    /// Writes all of `buf` at `offset`, one writer at a time.
    fn write_all_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        let _turn = self.writing.lock().unwrap_or_else(PoisonError::into_inner);
        write_all_at(&self.file, buf, offset)
    }
}

/// How many bytes a download writes before [`WriteBehind`] syncs them.
pub(crate) const WRITE_BEHIND_BYTES: u64 = 64 << 20;

/// Syncs a file's data to disk in the background while the file is still being written:
/// every `every` bytes written, a thread of its own calls `sync_data`, so that the sync
/// before the rename finds little left to write. (With one sync at the end, a 1 GiB
/// download spent a third of its time waiting for the disk.)
pub(crate) struct WriteBehind {
    written: Option<crossbeam_channel::Sender<u64>>,
    thread: Option<std::thread::JoinHandle<u32>>,
}

impl WriteBehind {
    /// Starts syncing `file` behind its writers, every `every` bytes. If the file's
    /// handle cannot be shared with a thread, nothing is synced early (the final sync does
    /// it all).
    pub(crate) fn start(file: &File, every: u64) -> Self {
        let idle = WriteBehind {
            written: None,
            thread: None,
        };
        let Ok(file) = file.try_clone() else {
            return idle;
        };
        let (written, bytes) = crossbeam_channel::unbounded::<u64>();
        let spawned = std::thread::Builder::new()
            .name("cos-write-behind".into())
            .spawn(move || {
                let (mut pending, mut syncs) = (0, 0);
                for n in bytes {
                    pending += n;
                    if pending >= every {
                        // An error shows again in the final sync, which reports it.
                        let _ = file.sync_data();
                        pending = 0;
                        syncs += 1;
                    }
                }
                syncs
            });
        match spawned {
            Ok(thread) => WriteBehind {
                written: Some(written),
                thread: Some(thread),
            },
            Err(_) => idle,
        }
    }

    /// Counts `n` more bytes written.
    pub(crate) fn wrote(&self, n: u64) {
        if let Some(tx) = &self.written {
            let _ = tx.send(n);
        }
    }

    /// Stops the thread, after the sync it may be running; returns how many syncs it made.
    pub(crate) fn finish(mut self) -> u32 {
        self.stop()
    }

    fn stop(&mut self) -> u32 {
        self.written = None;
        self.thread
            .take()
            .and_then(|thread| thread.join().ok())
            .unwrap_or(0)
    }
}

impl Drop for WriteBehind {
    fn drop(&mut self) {
        self.stop();
    }
}

enum Sink<'a> {
    Vec {
        out: &'a mut Vec<u8>,
        start: usize,
    },
    Writer {
        out: &'a mut dyn Write,
        written: u64,
    },
    File {
        path: PathBuf,
        temp: Option<(PathBuf, File)>,
    },
    /// Bytes from `offset` on in an open file, written with positional writes (many ranges
    /// of one file at once through one handle).
    Region {
        file: &'a SharedFile,
        path: &'a Path,
        offset: u64,
        written: u64,
    },
}

/// Where downloaded data goes: a `Vec`, a `Write`, or a file, with an optional progress
/// callback and cancel flag.
pub struct Download<'a> {
    sink: Sink<'a>,
    progress: Option<ProgressFn<'a>>,
    cancel: Option<&'a AtomicBool>,
    meter: Option<&'a PartMeter>,
}

static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl<'a> Download<'a> {
    /// Appends the data to `out` (a retry drops what a failed attempt appended).
    pub fn to_vec(out: &'a mut Vec<u8>) -> Self {
        let start = out.len();
        Download::from_sink(Sink::Vec { out, start })
    }

    /// Writes the data to `out`. A writer cannot be rewound, so a download into one is not
    /// retried once bytes were written.
    pub fn to_writer(out: &'a mut dyn Write) -> Self {
        Download::from_sink(Sink::Writer { out, written: 0 })
    }

    /// Writes the data to the file at `path`, through a temporary file renamed into place
    /// when the download is complete and verified.
    pub fn to_file(path: impl AsRef<Path>) -> Self {
        Download::from_sink(Sink::File {
            path: path.as_ref().to_path_buf(),
            temp: None,
        })
    }

    /// Writes the data into `file` (opened from `path`, named in errors) from `offset` on,
    /// with positional writes: one range of a parallel download.
    pub(crate) fn region(file: &'a SharedFile, path: &'a Path, offset: u64) -> Self {
        Download::from_sink(Sink::Region {
            file,
            path,
            offset,
            written: 0,
        })
    }

    fn from_sink(sink: Sink<'a>) -> Self {
        Download {
            sink,
            progress: None,
            cancel: None,
            meter: None,
        }
    }

    /// Counts the bytes received into `meter`, and leaves there the CRC64 of each attempt
    /// that received the whole body.
    pub(crate) fn meter(mut self, meter: &'a PartMeter) -> Self {
        self.meter = Some(meter);
        self
    }

    /// Records the CRC64 of a complete body (for the meter).
    pub(crate) fn record_crc(&self, crc: u64) {
        if let Some(m) = self.meter {
            m.crc.store(crc, Ordering::Relaxed);
        }
    }

    /// Calls `callback` as the download progresses (throttled by the client's
    /// `progress_interval`).
    pub fn on_progress(mut self, callback: ProgressFn<'a>) -> Self {
        self.progress = Some(callback);
        self
    }

    /// Ends the download with [`ErrorKind::Canceled`] once `flag` is set.
    pub fn cancel_flag(mut self, flag: &'a AtomicBool) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// Whether a new attempt can start from an empty sink.
    pub(crate) fn can_rewind(&self) -> bool {
        !matches!(self.sink, Sink::Writer { written, .. } if written > 0)
    }

    pub(crate) fn progress(&self) -> Option<ProgressFn<'a>> {
        self.progress
    }

    pub(crate) fn is_canceled(&self) -> bool {
        self.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    }

    /// Empties the sink for a new attempt.
    pub(crate) fn begin(&mut self) -> Result<()> {
        if let Some(m) = self.meter {
            m.sent.store(0, Ordering::Relaxed);
        }
        match &mut self.sink {
            Sink::Region { written, .. } => *written = 0,
            Sink::Vec { out, start } => out.truncate(*start),
            Sink::Writer { written, .. } => {
                if *written > 0 {
                    return Err(Error::invalid(
                        "Output",
                        "a writer that already received data cannot be rewound",
                    ));
                }
            }
            Sink::File { path, temp } => match temp {
                Some((tp, f)) => {
                    let rewind = f.set_len(0).and_then(|_| f.seek(SeekFrom::Start(0)));
                    rewind.map_err(|e| Error::io(Some(tp.clone()), e))?;
                }
                None => {
                    let name = path.file_name().ok_or_else(|| {
                        Error::invalid("Output", format!("{} names no file", path.display()))
                    })?;
                    let n = TEMP_COUNTER.fetch_add(1, Ordering::Relaxed);
                    let tmp_name = format!(
                        ".{}.cos-{}-{n}.part",
                        name.to_string_lossy(),
                        std::process::id()
                    );
                    let tp = path.with_file_name(tmp_name);
                    let f = File::create(&tp).map_err(|e| Error::io(Some(tp.clone()), e))?;
                    *temp = Some((tp, f));
                }
            },
        }
        Ok(())
    }

    /// Writes a piece of the body.
    pub(crate) fn write(&mut self, buf: &[u8]) -> Result<()> {
        if let Some(m) = self.meter {
            m.sent.fetch_add(buf.len() as u64, Ordering::Relaxed);
        }
        match &mut self.sink {
            Sink::Region {
                file,
                path,
                offset,
                written,
            } => {
                file.write_all_at(buf, *offset + *written)
                    .map_err(|e| Error::io(Some(path.to_path_buf()), e))?;
                *written += buf.len() as u64;
            }
            Sink::Vec { out, .. } => out.extend_from_slice(buf),
            Sink::Writer { out, written } => {
                out.write_all(buf).map_err(|e| Error::io(None, e))?;
                *written += buf.len() as u64;
            }
            Sink::File { temp, path } => {
                let (tp, f) = temp.as_mut().ok_or_else(|| {
                    Error::io(Some(path.clone()), io::Error::other("not started"))
                })?;
                f.write_all(buf)
                    .map_err(|e| Error::io(Some(tp.clone()), e))?;
            }
        }
        Ok(())
    }

    /// Completes the sink once the data is verified: flushes, and moves a file into place.
    pub(crate) fn finish(&mut self) -> Result<()> {
        match &mut self.sink {
            Sink::Vec { .. } | Sink::Region { .. } => {}
            Sink::Writer { out, .. } => out.flush().map_err(|e| Error::io(None, e))?,
            Sink::File { path, temp } => {
                if let Some((tp, f)) = temp.take() {
                    let done = f.sync_all().and_then(|_| std::fs::rename(&tp, &*path));
                    if let Err(e) = done {
                        let _ = std::fs::remove_file(&tp);
                        return Err(Error::io(Some(path.clone()), e));
                    }
                }
            }
        }
        Ok(())
    }
}

impl Drop for Download<'_> {
    fn drop(&mut self) {
        if let Sink::File {
            temp: Some((tp, _)),
            ..
        } = &self.sink
        {
            let _ = std::fs::remove_file(tp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc64_is_crc64_xz() {
        assert_eq!(crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
        assert_eq!(crc64(b""), 0);
    }

    #[test]
    fn progress_is_throttled_but_the_end_is_always_reported() {
        let seen = std::sync::Mutex::new(Vec::new());
        let cb = |p: &Progress| seen.lock().expect("lock").push(p.loaded);
        let mut r = Reporter::new(Some(&cb), 100, Duration::from_secs(3600));
        for loaded in [10, 20, 30] {
            r.update(loaded, false);
        }
        r.update(100, true);
        assert_eq!(*seen.lock().expect("lock"), vec![10, 100]);
    }

    #[test]
    fn a_short_reader_is_an_io_error_of_the_source() {
        let mut data: &[u8] = b"abc";
        let mut up = Upload::reader(&mut data, 5);
        let mut s = up.open(Duration::ZERO).expect("opens");
        let mut out = Vec::new();
        assert!(s.read_to_end(&mut out).is_err());
        let err = s.take_failure().expect("recorded");
        assert!(matches!(err.kind(), ErrorKind::Io { .. }), "{err}");
        drop(s);
        assert!(!up.can_resend());
    }

    #[test]
    fn ranges_written_from_threads_land_where_they_belong_and_are_synced_behind() {
        let dir = std::env::temp_dir().join(format!("cos-write-behind-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let path = dir.join("f");
        let file = SharedFile::new(File::create(&path).expect("create"));
        let behind = WriteBehind::start(file.file(), 1000);
        std::thread::scope(|s| {
            for t in 0..4u8 {
                let (file, behind) = (&file, &behind);
                s.spawn(move || {
                    for i in 0..10u64 {
                        let at = (u64::from(t) * 10 + i) * 100;
                        file.write_all_at(&[t; 100], at).expect("write");
                        behind.wrote(100);
                    }
                });
            }
        });
        // 4,000 bytes in steps of 100: a sync at every 1,000.
        assert_eq!(behind.finish(), 4);
        let back = std::fs::read(&path).expect("read");
        let want: Vec<u8> = (0..4u8).flat_map(|t| [t; 1000]).collect();
        assert_eq!(back, want);
        std::fs::remove_dir_all(&dir).expect("clean up");
    }
}
