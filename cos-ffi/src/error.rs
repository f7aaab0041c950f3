//! Result codes and the per-thread record of the last failure.
//!
//! Every fallible function returns a [`cos_result`]. When it is not `COS_RESULT_OK`, the
//! function has also recorded, on the calling thread, what went wrong: the message, and when
//! COS answered, the HTTP status and COS's `Code`, `Message`, `RequestId`, `TraceId` and
//! `Resource`. The `cos_last_error_*` functions read that record into the caller's buffer;
//! they never change it. A successful call leaves the record as it was.

use std::cell::RefCell;
use std::ffi::c_char;

use cos_blocking::{Error, ErrorKind};

use crate::boundary::{OutPtr, guard_value, panic_text};

/// What a function did: `COS_RESULT_OK`, or why it failed. The numbers are stable: new
/// codes may be added, existing ones never change.
///
/// 1–99 are mistakes of the calling program (a NULL argument, an unknown parameter, a
/// buffer too small); 100–199 are failures of a COS call (COS said no, the connection broke,
/// the data did not match); 200 is a bug in this library (a caught panic).
#[allow(non_camel_case_types)]
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum cos_result {
    /// Success.
    COS_RESULT_OK = 0,
    /// A required pointer argument was NULL.
    COS_RESULT_NULL_PARAMETER = 1,
    /// A parameter was rejected before anything was sent: unknown name, bad value, text
    /// that is not UTF-8, a missing required value. The message names the parameter.
    COS_RESULT_INVALID_PARAMETER = 2,
    /// A value looked up in a result is not there (absent field, index past the end).
    COS_RESULT_NOT_FOUND = 3,
    /// A value of a result is not of the type asked for (a list read as a string, ...).
    COS_RESULT_WRONG_TYPE = 4,
    /// The caller's buffer is too small; the length needed was written to `out_len`.
    COS_RESULT_INSUFFICIENT_SIZE = 5,
    /// COS answered with an error: the last error has its HTTP status, `Code`, `Message`
    /// and `RequestId`.
    COS_RESULT_SERVICE = 100,
    /// The connection failed: refused, reset, broken mid-body, TLS, a malformed response.
    COS_RESULT_TRANSPORT = 101,
    /// A timeout fired (connect, read, write).
    COS_RESULT_TIMEOUT = 102,
    /// Reading the data to upload or writing the data downloaded failed (a file, a
    /// callback).
    COS_RESULT_IO = 103,
    /// The CRC64 (or length) of the data sent or received differs from what COS reports.
    COS_RESULT_INTEGRITY = 104,
    /// The transfer was canceled: a callback returned non-zero, or
    /// `cos_client_cancel_task` (or `_keep`) stopped its task.
    COS_RESULT_CANCELED = 105,
    /// The credential provider or authorizer failed or gave unusable credentials.
    COS_RESULT_CREDENTIALS = 106,
    /// COS's answer could not be read as the call's result.
    COS_RESULT_PARSE = 107,
    /// A failure of a kind this version does not name.
    COS_RESULT_OTHER = 199,
    /// A bug in cos-ffi: a panic was caught at the boundary. Please report it.
    COS_RESULT_PANIC = 200,
}

/// Every code, for [`cos_result_name`].
const ALL: [(cos_result, &str); 16] = [
    (cos_result::COS_RESULT_OK, "COS_RESULT_OK\0"),
    (
        cos_result::COS_RESULT_NULL_PARAMETER,
        "COS_RESULT_NULL_PARAMETER\0",
    ),
    (
        cos_result::COS_RESULT_INVALID_PARAMETER,
        "COS_RESULT_INVALID_PARAMETER\0",
    ),
    (cos_result::COS_RESULT_NOT_FOUND, "COS_RESULT_NOT_FOUND\0"),
    (cos_result::COS_RESULT_WRONG_TYPE, "COS_RESULT_WRONG_TYPE\0"),
    (
        cos_result::COS_RESULT_INSUFFICIENT_SIZE,
        "COS_RESULT_INSUFFICIENT_SIZE\0",
    ),
    (cos_result::COS_RESULT_SERVICE, "COS_RESULT_SERVICE\0"),
    (cos_result::COS_RESULT_TRANSPORT, "COS_RESULT_TRANSPORT\0"),
    (cos_result::COS_RESULT_TIMEOUT, "COS_RESULT_TIMEOUT\0"),
    (cos_result::COS_RESULT_IO, "COS_RESULT_IO\0"),
    (cos_result::COS_RESULT_INTEGRITY, "COS_RESULT_INTEGRITY\0"),
    (cos_result::COS_RESULT_CANCELED, "COS_RESULT_CANCELED\0"),
    (
        cos_result::COS_RESULT_CREDENTIALS,
        "COS_RESULT_CREDENTIALS\0",
    ),
    (cos_result::COS_RESULT_PARSE, "COS_RESULT_PARSE\0"),
    (cos_result::COS_RESULT_OTHER, "COS_RESULT_OTHER\0"),
    (cos_result::COS_RESULT_PANIC, "COS_RESULT_PANIC\0"),
];

/// A failed call, on its way to the last-error record.
#[derive(Debug)]
pub(crate) struct Failure {
    result: cos_result,
    message: String,
    service: Option<Box<cos_blocking::error::ServiceError>>,
    request_id: Option<String>,
}

/// Shorthand for the results of exported bodies.
pub(crate) type FfiResult<T> = Result<T, Failure>;

impl Failure {
    fn new(result: cos_result, message: impl Into<String>) -> Self {
        Failure {
            result,
            message: message.into(),
            service: None,
            request_id: None,
        }
    }

    /// A NULL argument.
    pub(crate) fn null(name: &str) -> Self {
        Failure::new(
            cos_result::COS_RESULT_NULL_PARAMETER,
            format!("`{name}` is NULL"),
        )
    }

    /// A parameter rejected before anything was sent. `why` must not contain the value
    /// (it may be a secret).
    pub(crate) fn invalid(name: &str, why: impl AsRef<str>) -> Self {
        Failure::new(
            cos_result::COS_RESULT_INVALID_PARAMETER,
            format!("invalid {name}: {}", why.as_ref()),
        )
    }

    /// A value not found in a result.
    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        Failure::new(cos_result::COS_RESULT_NOT_FOUND, what)
    }

    /// A value of another type than asked.
    pub(crate) fn wrong_type(what: impl Into<String>) -> Self {
        Failure::new(cos_result::COS_RESULT_WRONG_TYPE, what)
    }

    /// A panic caught at the boundary.
    pub(crate) fn panic(payload: &Box<dyn std::any::Any + Send>) -> Self {
        Failure::new(
            cos_result::COS_RESULT_PANIC,
            format!(
                "internal error in cos-ffi (a bug): {}",
                panic_text(payload.as_ref())
            ),
        )
    }

    /// The code this failure returns.
    pub(crate) fn result(&self) -> cos_result {
        self.result
    }

    /// The same failure, its message prefixed with `context` (`"files[2]"`).
    pub(crate) fn within(mut self, context: &str) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The failure as data, what the last-error readers would give: `Result` (the code),
    /// `ResultName`, `ErrorMessage`, and when COS answered, `statusCode`, `Code`,
    /// `Message`, `TraceId` and `Resource`; `RequestId` whenever one is known.
    pub(crate) fn to_value(&self) -> serde_json::Value {
        let mut m = serde_json::Map::new();
        let text = |s: &str| serde_json::Value::String(s.to_owned());
        m.insert("Result".into(), (self.result as u32).into());
        m.insert("ResultName".into(), text(name_of(self.result)));
        m.insert("ErrorMessage".into(), text(&self.message));
        let service = self.service.as_deref();
        if let Some(s) = service {
            m.insert("statusCode".into(), s.status.into());
            m.insert("Code".into(), text(&s.code));
            m.insert("Message".into(), text(&s.message));
            for (name, value) in [("TraceId", &s.trace_id), ("Resource", &s.resource)] {
                if let Some(v) = value {
                    m.insert(name.into(), text(v));
                }
            }
        }
        let request_id = self
            .request_id
            .as_deref()
            .or_else(|| service.and_then(|s| s.request_id.as_deref()));
        if let Some(id) = request_id {
            m.insert("RequestId".into(), text(id));
        }
        serde_json::Value::Object(m)
    }

    /// Stores this failure as the calling thread's last error and returns its code.
    pub(crate) fn record(self) -> cos_result {
        let result = self.result;
        LAST.with(|last| *last.borrow_mut() = Some(self));
        result
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        Failure::from(&e)
    }
}

impl From<&Error> for Failure {
    fn from(e: &Error) -> Self {
        let result = match e.kind() {
            ErrorKind::Service(_) => cos_result::COS_RESULT_SERVICE,
            ErrorKind::InvalidInput { .. } => cos_result::COS_RESULT_INVALID_PARAMETER,
            ErrorKind::Parse { .. } => cos_result::COS_RESULT_PARSE,
            ErrorKind::Transport { .. } => cos_result::COS_RESULT_TRANSPORT,
            ErrorKind::Timeout { .. } => cos_result::COS_RESULT_TIMEOUT,
            ErrorKind::Io { .. } => cos_result::COS_RESULT_IO,
            ErrorKind::Integrity { .. } => cos_result::COS_RESULT_INTEGRITY,
            ErrorKind::Canceled => cos_result::COS_RESULT_CANCELED,
            ErrorKind::Credentials { .. } => cos_result::COS_RESULT_CREDENTIALS,
            _ => cos_result::COS_RESULT_OTHER,
        };
        // cos-blocking's messages carry names, codes and numbers, never a secret.
        Failure {
            result,
            message: e.to_string(),
            service: e.service().cloned().map(Box::new),
            request_id: e.request_id().map(str::to_owned),
        }
    }
}

impl From<cos_blocking::proto::Error> for Failure {
    fn from(e: cos_blocking::proto::Error) -> Self {
        Failure::from(Error::from(e))
    }
}

thread_local! {
    /// The last failure of a call on this thread.
    static LAST: RefCell<Option<Failure>> = const { RefCell::new(None) };
}

/// The message of the last failure on this thread (for the crate's own tests).
#[cfg(test)]
pub(crate) fn last_message() -> Option<String> {
    LAST.with(|last| last.borrow().as_ref().map(|f| f.message.clone()))
}

/// The name of a result code, without the NUL.
fn name_of(result: cos_result) -> &'static str {
    ALL.iter()
        .find(|(code, _)| *code == result)
        .map_or("COS_RESULT_UNKNOWN", |(_, name)| {
            name.trim_end_matches('\0')
        })
}

/// The name of a result code (`"COS_RESULT_SERVICE"`), as a static NUL-terminated string;
/// `"COS_RESULT_UNKNOWN"` for a number that is no code. Never NULL; never fails.
#[unsafe(no_mangle)]
pub extern "C" fn cos_result_name(result: u32) -> *const c_char {
    guard_value(c"COS_RESULT_UNKNOWN".as_ptr(), || {
        ALL.iter()
            .find(|(code, _)| *code as u32 == result)
            .map_or(c"COS_RESULT_UNKNOWN".as_ptr(), |(_, name)| {
                name.as_ptr().cast()
            })
    })
}

/// The code of the last failure on the calling thread, `COS_RESULT_OK` when none was
/// recorded (or after [`cos_last_error_clear`]).
#[unsafe(no_mangle)]
pub extern "C" fn cos_last_error_result() -> cos_result {
    guard_value(cos_result::COS_RESULT_PANIC, || {
        LAST.with(|last| {
            last.borrow()
                .as_ref()
                .map_or(cos_result::COS_RESULT_OK, |f| f.result)
        })
    })
}

/// The HTTP status of the last failure on the calling thread when COS answered it (403,
/// 404, 503, ...); 0 when COS did not answer or nothing was recorded.
#[unsafe(no_mangle)]
pub extern "C" fn cos_last_error_status() -> u16 {
    guard_value(0, || {
        LAST.with(|last| {
            last.borrow()
                .as_ref()
                .and_then(|f| f.service.as_ref())
                .map_or(0, |s| s.status)
        })
    })
}

/// Forgets the last failure recorded on the calling thread.
#[unsafe(no_mangle)]
pub extern "C" fn cos_last_error_clear() {
    guard_value((), || LAST.with(|last| *last.borrow_mut() = None));
}

/// Which text of the record a reader copies.
#[derive(Clone, Copy)]
enum Field {
    Message,
    Code,
    ServiceMessage,
    RequestId,
    TraceId,
    Resource,
}

/// Copies one text of the record into `buf`: the shared body of the `cos_last_error_*`
/// readers. Never records a failure (that would replace what is being read).
///
/// # Safety
/// `buf` must be writable for `len` bytes (or NULL with `len` 0); `out_len` NULL or
/// writable.
unsafe fn read_field(
    field: Field,
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> cos_result {
    guard_value(cos_result::COS_RESULT_PANIC, || {
        let text = LAST.with(|last| {
            let last = last.borrow();
            let Some(f) = last.as_ref() else {
                return String::new();
            };
            let service = f.service.as_deref();
            match field {
                Field::Message => f.message.clone(),
                Field::Code => service.map(|s| s.code.clone()).unwrap_or_default(),
                Field::ServiceMessage => service.map(|s| s.message.clone()).unwrap_or_default(),
                Field::RequestId => f
                    .request_id
                    .clone()
                    .or_else(|| service.and_then(|s| s.request_id.clone()))
                    .unwrap_or_default(),
                Field::TraceId => service.and_then(|s| s.trace_id.clone()).unwrap_or_default(),
                Field::Resource => service.and_then(|s| s.resource.clone()).unwrap_or_default(),
            }
        });
        // SAFETY: forwarded to the caller's guarantee.
        unsafe { copy_out(text.as_bytes(), buf, len, out_len) }
    })
}

/// Copies `text` and a NUL into `buf` when it fits (`len >= text.len() + 1`) and writes
/// `text.len()` to `out_len` (when not NULL). When it does not fit, `buf` is left alone,
/// `out_len` gets the length needed (without the NUL), and the result is
/// `COS_RESULT_INSUFFICIENT_SIZE`.
///
/// # Safety
/// `buf` must be writable for `len` bytes (or NULL with `len` 0); `out_len` NULL or
/// writable.
pub(crate) unsafe fn copy_out(
    text: &[u8],
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> cos_result {
    let fits = len > text.len();
    if fits && buf.is_null() {
        return cos_result::COS_RESULT_NULL_PARAMETER;
    }
    if let Ok(out) = OutPtr::new(out_len, "out_len") {
        // SAFETY: non-NULL and writable by the caller's guarantee.
        unsafe { out.write(text.len()) };
    }
    if !fits {
        return cos_result::COS_RESULT_INSUFFICIENT_SIZE;
    }
    // SAFETY: `buf` is non-NULL and writable for `len > text.len()` bytes; `text` is a
    // separate Rust allocation, so the ranges do not overlap.
    unsafe {
        std::ptr::copy_nonoverlapping(text.as_ptr(), buf.cast::<u8>(), text.len());
        buf.add(text.len()).write(0);
    }
    cos_result::COS_RESULT_OK
}

/// Copies the message of the last failure on the calling thread (what went wrong, naming
/// the operation, bucket, key, request id and attempts; never a secret) into `buf` as a
/// NUL-terminated string. Empty when nothing was recorded.
///
/// `out_len`, when not NULL, receives the message's length without the NUL. A `buf` of
/// `len` bytes must hold the message and the NUL; if it cannot, nothing is copied, `out_len`
/// gets the length needed and the result is `COS_RESULT_INSUFFICIENT_SIZE` (call with `buf`
/// NULL and `len` 0 to ask for the length). Reading never changes the record.
///
/// # Safety
/// `buf` must be writable for `len` bytes (or NULL with `len` 0); `out_len` NULL or
/// writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_last_error_message(
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { read_field(Field::Message, buf, len, out_len) }
}

/// COS's error `Code` of the last failure on the calling thread (`NoSuchKey`,
/// `AccessDenied`, ...); empty when COS did not answer. Buffer rules as
/// [`cos_last_error_message`].
///
/// # Safety
/// As [`cos_last_error_message`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_last_error_code(
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { read_field(Field::Code, buf, len, out_len) }
}

/// COS's error `Message` of the last failure on the calling thread; empty when COS did not
/// answer. Buffer rules as [`cos_last_error_message`].
///
/// # Safety
/// As [`cos_last_error_message`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_last_error_service_message(
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { read_field(Field::ServiceMessage, buf, len, out_len) }
}

/// The `RequestId` of the last failure on the calling thread (from COS's error document or
/// the `x-cos-request-id` header of the last attempt); empty when COS did not answer.
/// Buffer rules as [`cos_last_error_message`].
///
/// # Safety
/// As [`cos_last_error_message`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_last_error_request_id(
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { read_field(Field::RequestId, buf, len, out_len) }
}

/// COS's `TraceId` of the last failure on the calling thread; empty when absent. Buffer
/// rules as [`cos_last_error_message`].
///
/// # Safety
/// As [`cos_last_error_message`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_last_error_trace_id(
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { read_field(Field::TraceId, buf, len, out_len) }
}

/// COS's `Resource` of the last failure on the calling thread; empty when absent. Buffer
/// rules as [`cos_last_error_message`].
///
/// # Safety
/// As [`cos_last_error_message`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_last_error_resource(
    buf: *mut c_char,
    len: usize,
    out_len: *mut usize,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { read_field(Field::Resource, buf, len, out_len) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_small_buffer_gets_the_length_needed_and_stays_untouched() {
        let mut buf = [b'x' as c_char; 4];
        let mut len = 0usize;
        // SAFETY: `buf` is writable for its length and `len` is a live usize.
        let rc = unsafe { copy_out(b"hello", buf.as_mut_ptr(), buf.len(), &mut len) };
        assert_eq!((rc, len), (cos_result::COS_RESULT_INSUFFICIENT_SIZE, 5));
        assert!(buf.iter().all(|&c| c == b'x' as c_char));
        let mut buf = [0 as c_char; 6];
        // SAFETY: as above.
        let rc = unsafe { copy_out(b"hello", buf.as_mut_ptr(), buf.len(), &mut len) };
        assert_eq!((rc, len), (cos_result::COS_RESULT_OK, 5));
        assert_eq!(buf.map(|c| c as u8), *b"hello\0");
    }

    #[test]
    fn every_code_has_its_name() {
        for (code, name) in ALL {
            // SAFETY: cos_result_name returns a static NUL-terminated string.
            let got = unsafe { std::ffi::CStr::from_ptr(cos_result_name(code as u32)) };
            assert_eq!(got.to_bytes_with_nul(), name.as_bytes());
        }
        // SAFETY: as above.
        let unknown = unsafe { std::ffi::CStr::from_ptr(cos_result_name(4242)) };
        assert_eq!(unknown.to_bytes(), b"COS_RESULT_UNKNOWN");
    }
}
