//! Bucket calls: getService, putBucket, headBucket, getBucket, deleteBucket,
//! getBucketLocation.
//!
//! Each takes a client, a parameter set (NULL for none) whose names are listed in its doc,
//! and an out-parameter that receives the output on success. `Bucket` and `Region` default
//! to the client's `Bucket` and `Region` options.

use cos_blocking::Client;
use cos_blocking::proto::Operation;
use cos_blocking::proto::ops::bucket::{
    DeleteBucket, GetBucket, GetBucketLocation, GetService, HeadBucket, PutBucket,
};

use crate::call::call;
use crate::client::cos_client;
use crate::error::cos_result;
use crate::output::cos_output;
use crate::params::cos_params;

/// `getService`: the buckets of the account. Parameters: `Region` (only that region's
/// buckets), `Marker`, `MaxKeys`. Output: `Owner` (`ID`, `DisplayName`), `Buckets` (each
/// `Name`, `Location`, `CreationDate`, `BucketType`), `Marker`, `NextMarker`,
/// `IsTruncated`.
///
/// # Safety
/// `client` must be a live client; `params` NULL or a live parameter set; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_get_service(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut crate::params::Take<'_>, _: &Client| {
        Ok(GetService {
            region: t.opt("Region"),
            marker: t.opt("Marker"),
            max_keys: t.number("MaxKeys")?,
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            GetService::NAME,
            client,
            params,
            out,
            build,
            Client::get_service,
        )
    }
}

/// `putBucket`: creates a bucket. Parameters: `Bucket`, `Region`, `ACL`, `GrantRead`,
/// `GrantWrite`, `GrantReadAcp`, `GrantWriteAcp`, `GrantFullControl`. Output: the response
/// only (`statusCode`, `headers`, `RequestId`).
///
/// # Safety
/// As [`cos_client_get_service`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_put_bucket(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut crate::params::Take<'_>, c: &Client| {
        Ok(PutBucket {
            bucket: t.bucket(c),
            region: t.region(c),
            acl: t.opt("ACL"),
            grant_read: t.opt("GrantRead"),
            grant_write: t.opt("GrantWrite"),
            grant_read_acp: t.opt("GrantReadAcp"),
            grant_write_acp: t.opt("GrantWriteAcp"),
            grant_full_control: t.opt("GrantFullControl"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            PutBucket::NAME,
            client,
            params,
            out,
            build,
            Client::put_bucket,
        )
    }
}

/// `headBucket`: whether a bucket exists and may be accessed (a missing one fails with
/// `COS_RESULT_SERVICE`, status 404). Parameters: `Bucket`, `Region`. Output:
/// `BucketRegion` when COS says it.
///
/// # Safety
/// As [`cos_client_get_service`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_head_bucket(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut crate::params::Take<'_>, c: &Client| {
        Ok(HeadBucket {
            bucket: t.bucket(c),
            region: t.region(c),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            HeadBucket::NAME,
            client,
            params,
            out,
            build,
            Client::head_bucket,
        )
    }
}

/// `getBucket`: lists objects. Parameters: `Bucket`, `Region`, `Prefix`, `Delimiter`,
/// `Marker`, `MaxKeys`, `EncodingType`. Output: `Name`, `Prefix`, `Marker`, `MaxKeys`,
/// `Delimiter`, `EncodingType`, `IsTruncated`, `NextMarker`, `Contents` (each `Key`,
/// `LastModified`, `ETag`, `Size`, `Owner`, `StorageClass`, `StorageTier`) and
/// `CommonPrefixes` (each `Prefix`).
///
/// # Safety
/// As [`cos_client_get_service`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_get_bucket(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut crate::params::Take<'_>, c: &Client| {
        Ok(GetBucket {
            bucket: t.bucket(c),
            region: t.region(c),
            prefix: t.opt("Prefix"),
            delimiter: t.opt("Delimiter"),
            marker: t.opt("Marker"),
            max_keys: t.number("MaxKeys")?,
            encoding_type: t.opt("EncodingType"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            GetBucket::NAME,
            client,
            params,
            out,
            build,
            Client::get_bucket,
        )
    }
}

/// `deleteBucket`: deletes an empty bucket. Parameters: `Bucket`, `Region`. Output: the
/// response only.
///
/// # Safety
/// As [`cos_client_get_service`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_delete_bucket(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut crate::params::Take<'_>, c: &Client| {
        Ok(DeleteBucket {
            bucket: t.bucket(c),
            region: t.region(c),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            DeleteBucket::NAME,
            client,
            params,
            out,
            build,
            Client::delete_bucket,
        )
    }
}

/// `getBucketLocation`: the region of a bucket. Parameters: `Bucket`, `Region`. Output:
/// `LocationConstraint`.
///
/// # Safety
/// As [`cos_client_get_service`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_get_bucket_location(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut crate::params::Take<'_>, c: &Client| {
        Ok(GetBucketLocation {
            bucket: t.bucket(c),
            region: t.region(c),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            GetBucketLocation::NAME,
            client,
            params,
            out,
            build,
            Client::get_bucket_location,
        )
    }
}
