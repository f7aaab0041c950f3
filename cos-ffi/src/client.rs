//! `cos_client_builder` and `cos_client`: one way to authenticate, the options, and the
//! client every call goes through.
//!
//! Options are set by name with [`cos_client_builder_set_option`], using the seed's
//! constructor names where it has them:
//!
//! | name | value | default |
//! | --- | --- | --- |
//! | `FileParallelLimit` | files a transfer task sends at once | 3 |
//! | `ChunkParallelLimit` | parts of one file sent at once | 3 |
//! | `ChunkSize` | part size of transfer tasks, bytes (at least 1048576) | 1048576 |
//! | `ProgressInterval` | least time between progress callbacks, ms | 1000 |
//! | `ResumeDir` | directory of sliceUploadFile's resume journals | `$XDG_CACHE_HOME/cos-rs/resume` (else `$HOME/.cache/cos-rs/resume`) |
//! | `Protocol` | `http:` or `https:` | `https:` |
//! | `Domain` | custom domain template, e.g. `{Bucket}.cos.{Region}.example.com` | none |
//! | `ForcePathStyle` | `true`: bucket in the path, not the host | `false` |
//! | `UseAccelerate` | `true`: the global acceleration domain | `false` |
//! | `ConnectAddress` | `host:port` to connect to, keeping the virtual-hosted `Host` (the SDKs' `Ip`/`Port`: an emulator, a proxy) | none |
//! | `ConnectTimeout` | ms to open a connection; `none` waits forever | 10000 |
//! | `ReadTimeout` | ms one read may wait; `none` waits forever | 60000 |
//! | `WriteTimeout` | ms one write may wait; `none` waits forever | 60000 |
//! | `MaxAttempts` | attempts a call may make in all (1: no retry) | 3 |
//! | `InitialBackoff` | ms, the wait cap before the first retry (doubles per retry) | 100 |
//! | `MaxBackoff` | ms, the largest wait cap | 5000 |
//! | `RetrySeed` | seed of the retry jitter, so waits repeat | random |
//! | `UserAgent` | the `User-Agent` header | `cos-rs-blocking/{version}` |
//! | `Crc64Check` | `false`: do not check CRC64 of data sent and received | `true` |
//! | `CorrectClockSkew` | `false`: do not retry with the server's clock on `RequestTimeTooSkewed` | `true` |
//! | `SystemClockOffset` | starting estimate of server minus local time, s | 0 |
//! | `SignValidity` | s a request's signature stays valid | 900 |
//! | `CredentialRefreshMargin` | s before `ExpiredTime` a provider's key is refreshed | 60 |
//! | `Bucket` | default `Bucket` of calls that do not set one | none |
//! | `Region` | default `Region` of calls that do not set one | none |
//! | `MaxIdleConnectionsPerHost` | idle keep-alive connections kept per host | 16 |

use std::ffi::{c_char, c_void};
use std::time::Duration;

use cos_blocking::proto::Scheme;
use cos_blocking::{Client, Config, RetryPolicy};

use crate::boundary::{OutPtr, arg_mut, arg_ref, arg_str, free, guard, guard_value, into_handle};
use crate::callbacks::{
    CAuthorizer, CProvider, cos_authorizer_callback, cos_credential_provider_callback,
};
use crate::error::{Failure, FfiResult, cos_result};
use crate::params::parse_bool;

/// One way to authenticate, as given to the builder.
enum AuthSpec {
    Secret { id: String, key: String },
    Provider(CProvider),
    Authorizer(CAuthorizer),
}

/// Collects the way to authenticate and the options of a client. Create with
/// [`cos_client_builder_new`], free with [`cos_client_builder_free`]; it can build several
/// clients. Use it from one thread at a time.
#[allow(non_camel_case_types)]
pub struct cos_client_builder {
    auth: Vec<AuthSpec>,
    token: Option<String>,
    config: Config,
    retry: RetryPolicy,
}

/// A COS client: every call goes through one. Build with [`cos_client_builder_build`] (or
/// [`cos_client_new_from_env`]); free with [`cos_client_free`] once no call uses it. It may
/// be used from several threads at once (its connection pool, cached credentials and clock
/// offset are shared).
#[allow(non_camel_case_types)]
pub struct cos_client {
    pub(crate) client: Client,
}

/// A new builder with no way to authenticate and the default options; never NULL.
#[unsafe(no_mangle)]
pub extern "C" fn cos_client_builder_new() -> *mut cos_client_builder {
    guard_value(std::ptr::null_mut(), || {
        into_handle(cos_client_builder {
            auth: Vec::new(),
            token: None,
            config: Config::default(),
            retry: RetryPolicy::default(),
        })
    })
}

/// Frees a builder (the clients it built live on). NULL is a no-op.
///
/// # Safety
/// `builder` must be NULL or come from [`cos_client_builder_new`], not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_builder_free(builder: *mut cos_client_builder) {
    // SAFETY: forwarded to the caller's guarantee.
    guard_value((), || unsafe { free(builder) });
}

/// Authenticates with a permanent key (the seed's `SecretId` and `SecretKey`, Format 3),
/// signing every request in the client. The strings are copied. Exactly one of
/// `set_secret`, `set_credential_provider` and `set_authorizer` may be called.
///
/// # Safety
/// `builder` must be a live builder; the strings NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_builder_set_secret(
    builder: *mut cos_client_builder,
    secret_id: *const c_char,
    secret_key: *const c_char,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (b, id, key) = unsafe {
            (
                arg_mut(builder, "builder")?,
                arg_str(secret_id, "secret_id")?,
                arg_str(secret_key, "secret_key")?,
            )
        };
        b.auth.push(AuthSpec::Secret {
            id: id.to_owned(),
            key: key.to_owned(),
        });
        Ok(())
    })
}

/// Sends this security token with the key of [`cos_client_builder_set_secret`] (a
/// temporary key used as a fixed one). Copied.
///
/// # Safety
/// `builder` must be a live builder; `token` NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_builder_set_security_token(
    builder: *mut cos_client_builder,
    token: *const c_char,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (b, token) = unsafe { (arg_mut(builder, "builder")?, arg_str(token, "token")?) };
        b.token = Some(token.to_owned());
        Ok(())
    })
}

/// Authenticates with temporary keys from `callback` (Format 1, getSTS), cached for the
/// whole client and fetched again shortly before they expire. `userdata` is passed back to
/// every call of `callback`; both must stay valid, and be usable from any thread that uses
/// the client, until every client built with them is freed.
///
/// # Safety
/// `builder` must be a live builder; `callback` a valid function for that whole time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_builder_set_credential_provider(
    builder: *mut cos_client_builder,
    callback: cos_credential_provider_callback,
    userdata: *mut c_void,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let b = unsafe { arg_mut(builder, "builder") }?;
        let provider =
            CProvider::new(callback, userdata).ok_or_else(|| Failure::null("callback"))?;
        b.auth.push(AuthSpec::Provider(provider));
        Ok(())
    })
}

/// Has `callback` sign every request (Format 2, getAuthorization per request). `userdata`
/// is passed back to every call; both must stay valid, and be usable from any thread that
/// uses the client, until every client built with them is freed.
///
/// # Safety
/// `builder` must be a live builder; `callback` a valid function for that whole time.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_builder_set_authorizer(
    builder: *mut cos_client_builder,
    callback: cos_authorizer_callback,
    userdata: *mut c_void,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let b = unsafe { arg_mut(builder, "builder") }?;
        let authorizer =
            CAuthorizer::new(callback, userdata).ok_or_else(|| Failure::null("callback"))?;
        b.auth.push(AuthSpec::Authorizer(authorizer));
        Ok(())
    })
}

/// A number of milliseconds, or `none`.
fn timeout(name: &'static str, value: &str) -> FfiResult<Option<Duration>> {
    if value.trim() == "none" {
        return Ok(None);
    }
    number(name, value).map(|ms| Some(Duration::from_millis(ms)))
}

fn number<T: std::str::FromStr>(name: &'static str, value: &str) -> FfiResult<T> {
    value
        .trim()
        .parse()
        .map_err(|_| Failure::invalid(name, "must be a whole number in decimal"))
}

/// The builder's options with option `name` (see the module doc) set to `value`.
fn with_option(
    b: &cos_client_builder,
    name: &str,
    value: &str,
) -> FfiResult<(Config, RetryPolicy)> {
    let (c, r) = (b.config.clone(), b.retry.clone());
    let secs = |n: &'static str| number(n, value).map(Duration::from_secs);
    let millis = |n: &'static str| number(n, value).map(Duration::from_millis);
    let flag = |n: &'static str| parse_bool(n, value);
    Ok(match name {
        "FileParallelLimit" => (
            c.file_parallel_limit(number("FileParallelLimit", value)?),
            r,
        ),
        "ChunkParallelLimit" => (
            c.chunk_parallel_limit(number("ChunkParallelLimit", value)?),
            r,
        ),
        "ChunkSize" => (c.chunk_size(number("ChunkSize", value)?), r),
        "ProgressInterval" => (c.progress_interval(millis("ProgressInterval")?), r),
        "ResumeDir" => (c.resume_dir(value), r),
        "Protocol" => (c.protocol(Scheme::parse(value)?), r),
        "Domain" => (c.domain(value), r),
        "ForcePathStyle" => (c.path_style(flag("ForcePathStyle")?), r),
        "UseAccelerate" => (c.accelerate(flag("UseAccelerate")?), r),
        "ConnectAddress" => (c.connect_address(value), r),
        "ConnectTimeout" => (c.connect_timeout(timeout("ConnectTimeout", value)?), r),
        "ReadTimeout" => (c.read_timeout(timeout("ReadTimeout", value)?), r),
        "WriteTimeout" => (c.write_timeout(timeout("WriteTimeout", value)?), r),
        "MaxAttempts" => (c, r.max_attempts(number("MaxAttempts", value)?)),
        "InitialBackoff" => (c, r.initial_backoff(millis("InitialBackoff")?)),
        "MaxBackoff" => (c, r.max_backoff(millis("MaxBackoff")?)),
        "RetrySeed" => (c, r.seed(number("RetrySeed", value)?)),
        "UserAgent" => (c.user_agent(value), r),
        "Crc64Check" => (c.crc64_check(flag("Crc64Check")?), r),
        "CorrectClockSkew" => (c.correct_clock_skew(flag("CorrectClockSkew")?), r),
        "SystemClockOffset" => (c.clock_offset_secs(number("SystemClockOffset", value)?), r),
        "SignValidity" => (c.sign_validity(secs("SignValidity")?), r),
        "CredentialRefreshMargin" => (
            c.credential_refresh_margin(secs("CredentialRefreshMargin")?),
            r,
        ),
        "Bucket" => (c.bucket(value), r),
        "Region" => (c.region(value), r),
        "MaxIdleConnectionsPerHost" => {
            let n = number("MaxIdleConnectionsPerHost", value)?;
            (c.max_idle_connections_per_host(n), r)
        }
        _ => return Err(Failure::invalid(name, "is not a client option")),
    })
}

/// Sets option `name` to `value` (both NUL-terminated; the names and values are listed in
/// the crate documentation: `Protocol`, `ChunkSize`, `ConnectAddress`, `ReadTimeout`,
/// `MaxAttempts`, `Bucket`, `Region`, ...). A bad name or value fails now, naming the
/// option, and leaves the builder as it was.
///
/// # Safety
/// `builder` must be a live builder; `name` and `value` NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_builder_set_option(
    builder: *mut cos_client_builder,
    name: *const c_char,
    value: *const c_char,
) -> cos_result {
    guard(|| {
        // SAFETY: forwarded to the caller's guarantee.
        let (b, name, value) = unsafe {
            (
                arg_mut(builder, "builder")?,
                arg_str(name, "name")?,
                arg_str(value, "value")?,
            )
        };
        (b.config, b.retry) = with_option(b, name, value)?;
        Ok(())
    })
}

/// Builds a client from the builder (which stays usable). Fails with
/// `COS_RESULT_INVALID_PARAMETER` unless exactly one way to authenticate was set, or when
/// an option is inconsistent (a bad domain or connect address).
///
/// # Safety
/// `builder` must be a live builder; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_builder_build(
    builder: *const cos_client_builder,
    out: *mut *mut cos_client,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        let b = unsafe { arg_ref(builder, "builder") }?;
        let mut rust = Client::builder();
        for spec in &b.auth {
            rust = match spec {
                AuthSpec::Secret { id, key } => rust.secret(id.as_str(), key.as_str()),
                AuthSpec::Provider(p) => rust.credential_provider(*p),
                AuthSpec::Authorizer(a) => rust.authorizer(*a),
            };
        }
        if let Some(token) = &b.token {
            rust = rust.security_token(token.as_str());
        }
        let client = rust
            .config(b.config.clone().retry(b.retry.clone()))
            .build()?;
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { out.write(into_handle(cos_client { client })) };
        Ok(())
    })
}

/// A client configured from the environment: `COS_SECRET_ID` and `COS_SECRET_KEY`
/// (required), `COS_SECURITY_TOKEN`, `COS_REGION`, `COS_BUCKET` (the default region and
/// bucket) and `COS_ENDPOINT` (`http[s]://host:port` to connect to).
///
/// # Safety
/// `out` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_new_from_env(out: *mut *mut cos_client) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        let client = Client::from_env()?;
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { out.write(into_handle(cos_client { client })) };
        Ok(())
    })
}

/// Frees a client once no call uses it. NULL is a no-op.
///
/// # Safety
/// `client` must be NULL or come from a `cos_client_*` constructor, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_free(client: *mut cos_client) {
    // SAFETY: forwarded to the caller's guarantee.
    guard_value((), || unsafe { free(client) });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{cos_last_error_result, last_message};

    #[test]
    fn a_rejected_key_is_not_repeated_in_the_error() {
        let b = cos_client_builder_new();
        let mut client: *mut cos_client = std::ptr::null_mut();
        // SAFETY: `b` is a live builder, the strings are NUL-terminated literals, `client`
        // is a writable pointer, and `b` is freed once.
        let rc = unsafe {
            cos_client_builder_set_secret(b, c"AKIDtest".as_ptr(), c"my secret key".as_ptr());
            let rc = cos_client_builder_build(b, &mut client);
            cos_client_builder_free(b);
            rc
        };
        assert_eq!(rc, cos_result::COS_RESULT_INVALID_PARAMETER);
        assert!(client.is_null(), "a failing build leaves `out` alone");
        let message = last_message().unwrap_or_default();
        assert!(message.contains("SecretKey"), "{message}");
        assert!(!message.contains("my secret key"), "{message}");
    }

    #[test]
    fn the_last_error_belongs_to_its_thread() {
        let b = cos_client_builder_new();
        // SAFETY: `b` is live; the strings are NUL-terminated literals; freed once.
        let rc = unsafe {
            let rc = cos_client_builder_set_option(b, c"NoSuchOption".as_ptr(), c"1".as_ptr());
            cos_client_builder_free(b);
            rc
        };
        assert_eq!(rc, cos_result::COS_RESULT_INVALID_PARAMETER);
        assert_eq!(
            cos_last_error_result(),
            cos_result::COS_RESULT_INVALID_PARAMETER
        );
        let other = std::thread::spawn(|| cos_last_error_result())
            .join()
            .expect("thread");
        assert_eq!(other, cos_result::COS_RESULT_OK);
    }
}
