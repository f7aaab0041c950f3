//! ACL calls: getBucketAcl, putBucketAcl, getObjectAcl, putObjectAcl.
//!
//! An ACL is set either by headers (`ACL` and the `Grant*` parameters) or by a whole
//! `AccessControlPolicy` (`cos_params_set_acl_owner` and `cos_params_add_acl_grant`),
//! never both; cos-proto refuses a mix before anything is sent.

use cos_blocking::Client;
use cos_blocking::proto::Operation;
use cos_blocking::proto::ops::acl::{GetBucketAcl, GetObjectAcl, PutBucketAcl, PutObjectAcl};

use crate::call::call;
use crate::client::cos_client;
use crate::error::cos_result;
use crate::output::cos_output;
use crate::params::{Take, cos_params};

/// `getBucketAcl`: the ACL of a bucket. Parameters: `Bucket`, `Region`. Output: `Owner`
/// (`ID`, `DisplayName`) and `Grants` (each `Grantee` — `Type`, `ID`, `URI`,
/// `DisplayName` — and `Permission`).
///
/// # Safety
/// `client` must be a live client; `params` NULL or a live parameter set; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_get_bucket_acl(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(GetBucketAcl {
            bucket: t.bucket(c),
            region: t.region(c),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            GetBucketAcl::NAME,
            client,
            params,
            out,
            build,
            Client::get_bucket_acl,
        )
    }
}

/// `putBucketAcl`: replaces the ACL of a bucket. Parameters: `Bucket`, `Region`, and
/// either `ACL` / `GrantRead` / `GrantWrite` / `GrantReadAcp` / `GrantWriteAcp` /
/// `GrantFullControl`, or an `AccessControlPolicy`. Output: the response only.
///
/// # Safety
/// As [`cos_client_get_bucket_acl`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_put_bucket_acl(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(PutBucketAcl {
            bucket: t.bucket(c),
            region: t.region(c),
            acl: t.opt("ACL"),
            grant_read: t.opt("GrantRead"),
            grant_write: t.opt("GrantWrite"),
            grant_read_acp: t.opt("GrantReadAcp"),
            grant_write_acp: t.opt("GrantWriteAcp"),
            grant_full_control: t.opt("GrantFullControl"),
            access_control_policy: t.access_control_policy(),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            PutBucketAcl::NAME,
            client,
            params,
            out,
            build,
            Client::put_bucket_acl,
        )
    }
}

/// `getObjectAcl`: the ACL of an object. Parameters: `Bucket`, `Region`, `Key`. Output as
/// [`cos_client_get_bucket_acl`].
///
/// # Safety
/// As [`cos_client_get_bucket_acl`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_get_object_acl(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(GetObjectAcl {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            GetObjectAcl::NAME,
            client,
            params,
            out,
            build,
            Client::get_object_acl,
        )
    }
}

/// `putObjectAcl`: replaces the ACL of an object. Parameters: `Bucket`, `Region`, `Key`,
/// and either `ACL` / `GrantRead` / `GrantReadAcp` / `GrantWriteAcp` / `GrantFullControl`
/// (COS has no write permission on one object), or an `AccessControlPolicy`. Output: the
/// response only.
///
/// # Safety
/// As [`cos_client_get_bucket_acl`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_put_object_acl(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(PutObjectAcl {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            acl: t.opt("ACL"),
            grant_read: t.opt("GrantRead"),
            grant_read_acp: t.opt("GrantReadAcp"),
            grant_write_acp: t.opt("GrantWriteAcp"),
            grant_full_control: t.opt("GrantFullControl"),
            access_control_policy: t.access_control_policy(),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            PutObjectAcl::NAME,
            client,
            params,
            out,
            build,
            Client::put_object_acl,
        )
    }
}
