//! The edge between C and Rust: the panic boundary every exported body runs inside, and the
//! checks every pointer from C goes through.
//!
//! An exported function is a thin shell: it hands its body to [`guard`] (or [`guard_value`]
//! for the few functions that cannot fail), and the body turns each raw argument into a
//! Rust value with one of the `arg_*` helpers, which fail with
//! [`cos_result::COS_RESULT_NULL_PARAMETER`](crate::cos_result) on NULL and with
//! `COS_RESULT_INVALID_PARAMETER` on text that is not UTF-8. Out-parameters are checked
//! first ([`OutPtr::new`]) and written last ([`OutPtr::write`]), so a failing call leaves
//! them untouched.

use std::any::Any;
use std::ffi::{CStr, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr::NonNull;

use crate::error::{Failure, FfiResult, cos_result};

/// Runs an exported function's body: a panic becomes `COS_RESULT_PANIC`, an error is
/// recorded as the thread's last error; both return their code instead of unwinding.
pub(crate) fn guard(body: impl FnOnce() -> FfiResult<()>) -> cos_result {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => cos_result::COS_RESULT_OK,
        Ok(Err(failure)) => failure.record(),
        Err(payload) => Failure::panic(&payload).record(),
    }
}

/// Runs the body of a function that returns a value and cannot fail (a lookup, a count):
/// a panic records `COS_RESULT_PANIC` and returns `fallback`.
pub(crate) fn guard_value<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => {
            Failure::panic(&payload).record();
            fallback
        }
    }
}

/// The text of a panic's payload.
pub(crate) fn panic_text(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "a panic without a message"
    }
}

/// `p` as a shared reference; NULL is an error naming the argument.
///
/// # Safety
/// A non-NULL `p` must point to a live `T` that nothing mutates while the reference lives.
pub(crate) unsafe fn arg_ref<'a, T>(p: *const T, name: &'static str) -> FfiResult<&'a T> {
    // SAFETY: the caller guarantees a non-NULL `p` points to a live, unaliased-for-writes T.
    unsafe { p.as_ref() }.ok_or_else(|| Failure::null(name))
}

/// `p` as a mutable reference; NULL is an error naming the argument.
///
/// # Safety
/// A non-NULL `p` must point to a live `T` that nothing else uses while the reference lives.
pub(crate) unsafe fn arg_mut<'a, T>(p: *mut T, name: &'static str) -> FfiResult<&'a mut T> {
    // SAFETY: the caller guarantees a non-NULL `p` points to a live T used by no one else.
    unsafe { p.as_mut() }.ok_or_else(|| Failure::null(name))
}

/// A NUL-terminated UTF-8 string; NULL or invalid UTF-8 is an error naming the argument.
///
/// # Safety
/// A non-NULL `p` must point to a NUL-terminated string that lives and stays unchanged
/// while the result is used.
pub(crate) unsafe fn arg_str<'a>(p: *const c_char, name: &'static str) -> FfiResult<&'a str> {
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { arg_opt_str(p, name) }?.ok_or_else(|| Failure::null(name))
}

/// Like [`arg_str`], but NULL means "not given".
///
/// # Safety
/// As [`arg_str`].
pub(crate) unsafe fn arg_opt_str<'a>(
    p: *const c_char,
    name: &'static str,
) -> FfiResult<Option<&'a str>> {
    if p.is_null() {
        return Ok(None);
    }
    // SAFETY: `p` is non-NULL and, by the caller's guarantee, NUL-terminated and live.
    let text = unsafe { CStr::from_ptr(p) };
    text.to_str()
        .map(Some)
        .map_err(|_| Failure::invalid(name, "is not valid UTF-8"))
}

/// `len` bytes at `p`; NULL is allowed (as empty) only when `len` is 0.
///
/// # Safety
/// A non-NULL `p` must point to `len` readable bytes that stay unchanged while the result
/// is used.
pub(crate) unsafe fn arg_bytes<'a>(
    p: *const u8,
    len: usize,
    name: &'static str,
) -> FfiResult<&'a [u8]> {
    if p.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(Failure::null(name))
        };
    }
    // SAFETY: `p` is non-NULL and, by the caller's guarantee, points to `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// An out-parameter: checked when the call starts, written only when it succeeds.
pub(crate) struct OutPtr<T>(NonNull<T>);

impl<T> OutPtr<T> {
    /// Checks `p`; NULL is an error naming the argument.
    pub(crate) fn new(p: *mut T, name: &'static str) -> FfiResult<Self> {
        NonNull::new(p)
            .map(OutPtr)
            .ok_or_else(|| Failure::null(name))
    }

    /// Stores `value` (without reading or dropping what was there: it may be uninitialized).
    ///
    /// # Safety
    /// The pointer given to [`OutPtr::new`] must be valid for writing a `T`.
    pub(crate) unsafe fn write(self, value: T) {
        // SAFETY: non-NULL (checked in `new`) and writable by the caller's guarantee.
        unsafe { self.0.as_ptr().write(value) }
    }
}

/// Moves `value` to the heap and hands its pointer to C, which gives it back to [`free`].
pub(crate) fn into_handle<T>(value: T) -> *mut T {
    Box::into_raw(Box::new(value))
}

/// Drops a handle made by [`into_handle`]; NULL is a no-op.
///
/// # Safety
/// A non-NULL `p` must come from [`into_handle`] for the same `T` and not be used again.
pub(crate) unsafe fn free<T>(p: *mut T) {
    if !p.is_null() {
        // SAFETY: by the caller's guarantee `p` came from `Box::into_raw` and is freed once.
        drop(unsafe { Box::from_raw(p) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_result_code_and_a_record() {
        crate::error::cos_last_error_clear();
        let code = guard(|| panic!("boom in a test"));
        assert_eq!(code, cos_result::COS_RESULT_PANIC);
        assert_eq!(
            crate::error::cos_last_error_result(),
            cos_result::COS_RESULT_PANIC
        );
        let message = crate::error::last_message().unwrap_or_default();
        assert!(message.ends_with("boom in a test"), "{message}");
        assert_eq!(guard_value(7, || panic!("again")), 7);
    }

    #[test]
    fn null_and_non_utf8_arguments_are_named() {
        // SAFETY: NULL and a valid NUL-terminated buffer.
        let err = unsafe { arg_str(std::ptr::null(), "bucket") }.expect_err("null");
        assert_eq!(err.result(), cos_result::COS_RESULT_NULL_PARAMETER);
        let bad = [0xffu8, 0];
        // SAFETY: `bad` is NUL-terminated and lives for the call.
        let err = unsafe { arg_str(bad.as_ptr().cast(), "key") }.expect_err("not utf-8");
        assert_eq!(err.result(), cos_result::COS_RESULT_INVALID_PARAMETER);
        // SAFETY: NULL with length 0 is the empty slice.
        let empty = unsafe { arg_bytes(std::ptr::null(), 0, "data") };
        assert_eq!(empty.ok(), Some(&[][..]));
        // SAFETY: NULL with a length is refused before it is read.
        assert!(unsafe { arg_bytes(std::ptr::null(), 3, "data") }.is_err());
    }
}
