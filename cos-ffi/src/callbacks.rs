//! The callbacks a C program gives: progress, credential provider, authorizer — each a
//! function pointer with `void *userdata` first — and the adapters that make them
//! cos-blocking's [`Progress`] closure, [`CredentialProvider`] and [`Authorizer`].
//!
//! **Threads.** A callback runs on the thread that made the call needing it (for a single
//! call, and for sliceUploadFile, downloadFile and sliceCopyFile: the caller's own thread;
//! for uploadFiles: its file threads, see [`crate::task`]). A client may be used from
//! several threads at once, so the credential provider and authorizer of a shared client may
//! run on several threads at once (a task's parts are signed on its worker threads).
//! Callbacks and their `userdata` must allow that.
//!
//! **Pointers.** Everything a callback receives (`cos_str` texts, the request and scope
//! structs, the answer handle) is valid only until the callback returns.

use std::ffi::{c_int, c_void};

use cos_blocking::proto::Secret;
use cos_blocking::{
    AuthError, AuthorizeRequest, Authorized, Authorizer, CredentialProvider, CredentialScope,
    Progress, TemporaryCredentials,
};

use crate::boundary::{arg_mut, arg_opt_str, arg_str, guard};
use crate::error::cos_result;

/// A text handed to C: `data` points to `len` bytes followed by a NUL (so it is also a C
/// string), or is NULL (with `len` 0) when there is no text.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cos_str {
    /// The bytes, NUL-terminated; NULL when absent.
    pub data: *const std::ffi::c_char,
    /// The length without the NUL.
    pub len: usize,
}

/// A name and a value (a header, a query parameter).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cos_pair {
    /// The name.
    pub name: cos_str,
    /// The value.
    pub value: cos_str,
}

/// NUL-terminated copies of Rust texts, alive while their `cos_str`s are used.
#[derive(Default)]
struct Texts(Vec<Vec<u8>>);

impl Texts {
    fn add(&mut self, s: &str) -> cos_str {
        let mut bytes = Vec::with_capacity(s.len() + 1);
        bytes.extend_from_slice(s.as_bytes());
        bytes.push(0);
        let text = cos_str {
            data: bytes.as_ptr().cast(),
            len: s.len(),
        };
        // Moving the Vec into the list does not move its heap buffer.
        self.0.push(bytes);
        text
    }

    fn opt(&mut self, s: Option<&str>) -> cos_str {
        match s {
            Some(s) => self.add(s),
            None => cos_str {
                data: std::ptr::null(),
                len: 0,
            },
        }
    }

    fn pairs(&mut self, list: &[(String, String)]) -> Vec<cos_pair> {
        list.iter()
            .map(|(n, v)| cos_pair {
                name: self.add(n),
                value: self.add(v),
            })
            .collect()
    }
}

/// How far a transfer is (the seed's `onProgress` argument).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cos_progress {
    /// Bytes transferred so far in this attempt.
    pub loaded: u64,
    /// Bytes in all.
    pub total: u64,
    /// Average speed since the attempt started, in bytes per second.
    pub speed: f64,
    /// `loaded / total`, from 0.0 to 1.0 (1.0 for an empty transfer).
    pub percent: f64,
}

/// Called as a transfer progresses, at most once per `ProgressInterval` (default 1000 ms)
/// and always when the last byte is through. Return 0 to go on; any other value cancels the
/// transfer, which then fails with `COS_RESULT_CANCELED` at its next read or write.
///
/// Runs on the thread of the call that transfers (for a transfer task, its coordinator:
/// the calling thread, or for uploadFiles one of its file threads), never on two threads
/// at once for one transfer. `progress` is valid until it returns.
#[allow(non_camel_case_types)]
pub type cos_progress_callback =
    Option<unsafe extern "C" fn(userdata: *mut c_void, progress: *const cos_progress) -> c_int>;

/// A progress callback and its userdata, as registered.
#[derive(Clone, Copy)]
pub(crate) struct ProgressHook {
    callback: unsafe extern "C" fn(*mut c_void, *const cos_progress) -> c_int,
    userdata: *mut c_void,
}

// SAFETY: the C API documents that a progress callback and its userdata may be called from
// the thread of the call (and, for uploadFiles, from its file threads); the pointer itself
// is only passed back to the callback, never dereferenced here.
unsafe impl Send for ProgressHook {}
// SAFETY: as for Send: shared use only passes the pointer back to the C callback.
unsafe impl Sync for ProgressHook {}

impl ProgressHook {
    /// The hook for `callback`, `None` when it is NULL.
    pub(crate) fn new(callback: cos_progress_callback, userdata: *mut c_void) -> Option<Self> {
        callback.map(|callback| ProgressHook { callback, userdata })
    }

    /// Reports `p`; true when the callback asks to cancel.
    pub(crate) fn report(&self, p: &Progress) -> bool {
        let progress = cos_progress {
            loaded: p.loaded,
            total: p.total,
            speed: p.speed,
            percent: p.percent,
        };
        // SAFETY: the callback was registered non-NULL with this userdata; `progress` lives
        // for the call.
        unsafe { (self.callback)(self.userdata, &progress) != 0 }
    }
}

/// What a credential provider is asked for: the bucket and region of the request that needs
/// a key (the seed's `options.Bucket` and `options.Region`); either may be absent
/// (`data` NULL).
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cos_credential_scope {
    /// The bucket of the request, when it names one.
    pub bucket: cos_str,
    /// The region of the request's bucket (or the client's default region).
    pub region: cos_str,
}

/// Where a credential provider puts its answer, with
/// [`cos_temporary_credentials_set`]. Only ever seen as a pointer during the callback.
#[allow(non_camel_case_types)]
#[derive(Default)]
pub struct cos_temporary_credentials {
    value: Option<TemporaryCredentials>,
}

/// Format 1 (getSTS): called when the client needs a temporary key — the first time, and
/// again shortly before the cached one's `ExpiredTime`. Fill `answer` with
/// [`cos_temporary_credentials_set`] and return 0; a non-zero return (or 0 without an
/// answer) fails the call that needed the key with `COS_RESULT_CREDENTIALS`.
///
/// Runs on the thread of the call that needs the key (one thread at a time per client: the
/// others wait for its answer). `scope`, its strings and `answer` are valid until it
/// returns.
#[allow(non_camel_case_types)]
pub type cos_credential_provider_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        scope: *const cos_credential_scope,
        answer: *mut cos_temporary_credentials,
    ) -> c_int,
>;

/// Answers a credential provider callback: `TmpSecretId`, `TmpSecretKey`,
/// `XCosSecurityToken` and `ExpiredTime` (Unix seconds). Copies the strings.
///
/// # Safety
/// `answer` must be the pointer the callback received; the strings NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_temporary_credentials_set(
    answer: *mut cos_temporary_credentials,
    tmp_secret_id: *const std::ffi::c_char,
    tmp_secret_key: *const std::ffi::c_char,
    security_token: *const std::ffi::c_char,
    expired_time: u64,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (answer, id, key, token) = unsafe {
            (
                arg_mut(answer, "answer")?,
                arg_str(tmp_secret_id, "tmp_secret_id")?,
                arg_str(tmp_secret_key, "tmp_secret_key")?,
                arg_str(security_token, "security_token")?,
            )
        };
        answer.value = Some(TemporaryCredentials {
            tmp_secret_id: id.to_owned(),
            tmp_secret_key: Secret::new(key),
            security_token: Secret::new(token),
            expired_time,
        });
        Ok(())
    })
}

/// A credential provider callback and its userdata.
#[derive(Clone, Copy)]
pub(crate) struct CProvider {
    callback: unsafe extern "C" fn(
        *mut c_void,
        *const cos_credential_scope,
        *mut cos_temporary_credentials,
    ) -> c_int,
    userdata: *mut c_void,
}

// SAFETY: the C API documents that a provider callback and its userdata must be callable
// from any thread that uses the client; the pointer is only passed back to the callback.
unsafe impl Send for CProvider {}
// SAFETY: as for Send.
unsafe impl Sync for CProvider {}

impl CProvider {
    /// The provider for `callback`, `None` when it is NULL.
    pub(crate) fn new(
        callback: cos_credential_provider_callback,
        userdata: *mut c_void,
    ) -> Option<Self> {
        callback.map(|callback| CProvider { callback, userdata })
    }
}

impl CredentialProvider for CProvider {
    fn fetch(&self, scope: &CredentialScope<'_>) -> Result<TemporaryCredentials, AuthError> {
        let mut texts = Texts::default();
        let c_scope = cos_credential_scope {
            bucket: texts.opt(scope.bucket),
            region: texts.opt(scope.region),
        };
        let mut answer = cos_temporary_credentials::default();
        // SAFETY: the callback was registered non-NULL; `c_scope`, the texts it points to
        // and `answer` live for the call.
        let rc = unsafe { (self.callback)(self.userdata, &c_scope, &mut answer) };
        if rc != 0 {
            return Err(format!("the credential provider callback returned {rc}").into());
        }
        answer.value.ok_or_else(|| {
            "the credential provider callback returned 0 without cos_temporary_credentials_set"
                .into()
        })
    }
}

/// What an authorizer signs: the seed's Format 2 `options` (Method, Key, Query, Headers),
/// the pathname COS verifies the signature over, and the bucket. Valid during the callback.
#[allow(non_camel_case_types)]
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct cos_authorize_request {
    /// The method, upper case (`PUT`).
    pub method: cos_str,
    /// The object key; empty for a bucket-level request.
    pub key: cos_str,
    /// The pathname the signature covers (`/` + key; `/{Bucket}/{Key}` with path-style
    /// addressing).
    pub pathname: cos_str,
    /// The bucket, when the request names one (`data` NULL otherwise).
    pub bucket: cos_str,
    /// The query parameters, in the order sent.
    pub query: *const cos_pair,
    /// How many query parameters.
    pub query_len: usize,
    /// The headers sent, `Host` first.
    pub headers: *const cos_pair,
    /// How many headers.
    pub headers_len: usize,
}

/// Where an authorizer puts its answer, with [`cos_authorization_set`]. Only ever seen as a
/// pointer during the callback.
#[allow(non_camel_case_types)]
#[derive(Default)]
pub struct cos_authorization {
    authorization: Option<String>,
    security_token: Option<String>,
}

/// Format 2 (getAuthorization per request): called for every request (every attempt, and
/// by `cos_client_get_auth`) to sign it. Fill `answer` with [`cos_authorization_set`] and
/// return 0; a non-zero return (or 0 without an answer) fails the call with
/// `COS_RESULT_CREDENTIALS`.
///
/// Runs on the thread of the call it signs; with a client used from several threads, on
/// several threads at once. `request`, its strings and arrays, and `answer` are valid until
/// it returns.
#[allow(non_camel_case_types)]
pub type cos_authorizer_callback = Option<
    unsafe extern "C" fn(
        userdata: *mut c_void,
        request: *const cos_authorize_request,
        answer: *mut cos_authorization,
    ) -> c_int,
>;

/// Answers an authorizer callback: the complete `Authorization` value and, when it was
/// signed with a temporary key, the `XCosSecurityToken` (NULL for none). Copies the
/// strings.
///
/// # Safety
/// `answer` must be the pointer the callback received; `authorization` NUL-terminated;
/// `security_token` NUL-terminated or NULL.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_authorization_set(
    answer: *mut cos_authorization,
    authorization: *const std::ffi::c_char,
    security_token: *const std::ffi::c_char,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (answer, authorization, token) = unsafe {
            (
                arg_mut(answer, "answer")?,
                arg_str(authorization, "authorization")?,
                arg_opt_str(security_token, "security_token")?,
            )
        };
        answer.authorization = Some(authorization.to_owned());
        answer.security_token = token.map(str::to_owned);
        Ok(())
    })
}

/// An authorizer callback and its userdata.
#[derive(Clone, Copy)]
pub(crate) struct CAuthorizer {
    callback: unsafe extern "C" fn(
        *mut c_void,
        *const cos_authorize_request,
        *mut cos_authorization,
    ) -> c_int,
    userdata: *mut c_void,
}

// SAFETY: the C API documents that an authorizer callback and its userdata must be callable
// from any thread that uses the client; the pointer is only passed back to the callback.
unsafe impl Send for CAuthorizer {}
// SAFETY: as for Send.
unsafe impl Sync for CAuthorizer {}

impl CAuthorizer {
    /// The authorizer for `callback`, `None` when it is NULL.
    pub(crate) fn new(callback: cos_authorizer_callback, userdata: *mut c_void) -> Option<Self> {
        callback.map(|callback| CAuthorizer { callback, userdata })
    }
}

impl Authorizer for CAuthorizer {
    fn authorize(&self, request: &AuthorizeRequest<'_>) -> Result<Authorized, AuthError> {
        let mut texts = Texts::default();
        let query = texts.pairs(request.query);
        let headers = texts.pairs(request.headers);
        let c_request = cos_authorize_request {
            method: texts.add(request.method),
            key: texts.add(request.key),
            pathname: texts.add(request.pathname),
            bucket: texts.opt(request.bucket),
            query: query.as_ptr(),
            query_len: query.len(),
            headers: headers.as_ptr(),
            headers_len: headers.len(),
        };
        let mut answer = cos_authorization::default();
        // SAFETY: the callback was registered non-NULL; the request, the arrays and texts
        // it points to, and `answer` live for the call.
        let rc = unsafe { (self.callback)(self.userdata, &c_request, &mut answer) };
        if rc != 0 {
            return Err(format!("the authorizer callback returned {rc}").into());
        }
        let authorization = answer
            .authorization
            .ok_or("the authorizer callback returned 0 without cos_authorization_set")?;
        Ok(Authorized {
            authorization: Secret::new(authorization),
            security_token: answer.security_token.map(Secret::new),
        })
    }
}
