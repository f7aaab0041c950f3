//! CORS calls: getBucketCors, putBucketCors, deleteBucketCors, optionsObject.

use cos_blocking::Client;
use cos_blocking::proto::Operation;
use cos_blocking::proto::ops::cors::{
    DeleteBucketCors, GetBucketCors, OptionsObject, PutBucketCors,
};

use crate::call::call;
use crate::client::cos_client;
use crate::error::cos_result;
use crate::output::cos_output;
use crate::params::{Take, cos_params};

/// `getBucketCors`: the CORS rules of a bucket (none: `COS_RESULT_SERVICE` with code
/// `NoSuchCORSConfiguration`). Parameters: `Bucket`, `Region`. Output: `CORSRules` (each
/// `ID`, `AllowedOrigins`, `AllowedMethods`, `AllowedHeaders`, `ExposeHeaders` — lists of
/// strings — and `MaxAgeSeconds`) and `ResponseVary`.
///
/// # Safety
/// `client` must be a live client; `params` NULL or a live parameter set; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_get_bucket_cors(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(GetBucketCors {
            bucket: t.bucket(c),
            region: t.region(c),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            GetBucketCors::NAME,
            client,
            params,
            out,
            build,
            Client::get_bucket_cors,
        )
    }
}

/// `putBucketCors`: replaces the CORS rules of a bucket. Parameters: `Bucket`, `Region`,
/// `CORSRules` (`cos_params_add_cors_rule`, at least one), `ResponseVary`. Output: the
/// response only.
///
/// # Safety
/// As [`cos_client_get_bucket_cors`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_put_bucket_cors(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(PutBucketCors {
            bucket: t.bucket(c),
            region: t.region(c),
            cors_rules: t.cors_rules(),
            response_vary: t.flag("ResponseVary")?,
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            PutBucketCors::NAME,
            client,
            params,
            out,
            build,
            Client::put_bucket_cors,
        )
    }
}

/// `deleteBucketCors`: removes the CORS rules of a bucket. Parameters: `Bucket`,
/// `Region`. Output: the response only.
///
/// # Safety
/// As [`cos_client_get_bucket_cors`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_delete_bucket_cors(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(DeleteBucketCors {
            bucket: t.bucket(c),
            region: t.region(c),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            DeleteBucketCors::NAME,
            client,
            params,
            out,
            build,
            Client::delete_bucket_cors,
        )
    }
}

/// `optionsObject`: a CORS preflight for an object. Parameters: `Bucket`, `Region`, `Key`,
/// `Origin`, `AccessControlRequestMethod`, `AccessControlRequestHeaders`. Output:
/// `AccessControlAllowOrigin`, `AccessControlAllowMethods`, `AccessControlAllowHeaders`,
/// `AccessControlExposeHeaders`, `AccessControlMaxAge`, and `OptionsForbidden` (true when
/// COS refused the preflight with 403, which is not an error).
///
/// # Safety
/// As [`cos_client_get_bucket_cors`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_options_object(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(OptionsObject {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            origin: t.string("Origin"),
            access_control_request_method: t.string("AccessControlRequestMethod"),
            access_control_request_headers: t.opt("AccessControlRequestHeaders"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            OptionsObject::NAME,
            client,
            params,
            out,
            build,
            Client::options_object,
        )
    }
}
