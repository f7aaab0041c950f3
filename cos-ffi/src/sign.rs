//! The signing helpers: getAuthorization (static, with a key and no client), getAuth and
//! getObjectUrl (with a client's key or authorizer).
//!
//! Each answers with an output of one field: `Authorization` or `Url`.

use std::time::SystemTime;

use cos_blocking::Client;
use cos_blocking::proto::{Credentials, GetAuthorization, GetObjectUrl, KeyTime};

use crate::boundary::{OutPtr, arg_ref, guard, into_handle};
use crate::call::call;
use crate::client::cos_client;
use crate::error::{FfiResult, cos_result};
use crate::output::{ToOutput, cos_output};
use crate::params::{Take, cos_params};

/// The output of a signing helper.
struct Signed {
    field: &'static str,
    text: String,
}

impl ToOutput for Signed {
    fn to_output(self) -> FfiResult<cos_output> {
        Ok(cos_output::text(self.field, &self.text))
    }
}

/// `KeyTime` (`start;end`, Unix seconds), when given.
fn key_time(t: &mut Take<'_>) -> FfiResult<Option<KeyTime>> {
    Ok(t.opt("KeyTime").map(|v| KeyTime::parse(&v)).transpose()?)
}

/// The request description shared by getAuthorization and getAuth.
fn authorization(t: &mut Take<'_>) -> FfiResult<GetAuthorization> {
    Ok(GetAuthorization {
        credentials: None,
        method: t.string("Method"),
        key: t.string("Key"),
        expires: t.number("Expires")?,
        key_time: key_time(t)?,
        query: t.query(),
        headers: t.headers(),
    })
}

/// `COS.getAuthorization`: the `Authorization` value for a request, signed with the key
/// given in the parameters, without a client. Parameters: `SecretId`, `SecretKey`,
/// `Method`, `Key` (empty for a bucket request), `Expires` (seconds, default 900),
/// `KeyTime` (`start;end` in Unix seconds, instead of now and `Expires`), `Headers` and
/// `Query` (`cos_params_add_header`, `cos_params_add_query`). Output: `Authorization`.
///
/// The key time starts one second before the system clock's now (this is the one place
/// cos-ffi reads the clock).
///
/// # Safety
/// `params` must be a live parameter set; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_get_authorization(
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        let params = unsafe { arg_ref(params, "params") }?;
        let mut t = Take::new("getAuthorization", params);
        let (id, key) = (t.string("SecretId"), t.string("SecretKey"));
        let request = GetAuthorization {
            credentials: Some(Credentials::new(id, key)?),
            ..authorization(&mut t)?
        };
        t.finish()?;
        let text = request.sign(SystemTime::now())?.as_str().to_owned();
        let output = Signed {
            field: "Authorization",
            text,
        }
        .to_output()?;
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { out.write(into_handle(output)) };
        Ok(())
    })
}

/// `getAuth`: the `Authorization` value for a request, signed with the client's key (or,
/// with an authorizer, its answer). Parameters: `Method`, `Key`, `Expires`, `KeyTime`,
/// `Headers`, `Query`, as [`cos_get_authorization`]. Output: `Authorization`.
///
/// # Safety
/// `client` must be a live client; `params` NULL or a live parameter set; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_get_auth(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let run = |c: &Client, p: &GetAuthorization| -> FfiResult<Signed> {
        let text = c.get_auth(p)?;
        Ok(Signed {
            field: "Authorization",
            text,
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { call("getAuth", client, params, out, |t, _| authorization(t), run) }
}

/// `getObjectUrl`: the URL of an object, signed with the client's key unless `Sign` is
/// `false` (a signed URL needs a key: with an authorizer it is an error). Parameters:
/// `Bucket`, `Region`, `Key`, `Sign` (default `true`), `Method` (default `GET`),
/// `Expires`, `KeyTime`, `Query` (signed and appended), `Headers` (signed, to be sent by
/// the user of the URL). Output: `Url`.
///
/// # Safety
/// As [`cos_client_get_auth`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_get_object_url(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        let defaults = GetObjectUrl::default();
        Ok(GetObjectUrl {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            sign: t.flag("Sign")?.unwrap_or(defaults.sign),
            method: t.opt("Method").unwrap_or(defaults.method),
            query: t.query(),
            headers: t.headers(),
            expires: t.number("Expires")?,
            key_time: key_time(t)?,
        })
    };
    let run = |c: &Client, p: &GetObjectUrl| -> FfiResult<Signed> {
        let text = c.get_object_url(p)?;
        Ok(Signed { field: "Url", text })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { call("getObjectUrl", client, params, out, build, run) }
}
