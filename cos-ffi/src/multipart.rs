//! Multipart calls: multipartInit, multipartUpload, uploadPartCopy, multipartComplete,
//! multipartListPart, multipartAbort, multipartList.
//!
//! The raw protocol: init returns an `UploadId`; parts (1 to 10000, each but the last at
//! least 1 MiB) are uploaded or copied in any order; complete joins them by their
//! `PartNumber` and `ETag`; abort discards them. (The resumable transfer tasks built on
//! these calls, sliceUploadFile and friends, are in [`crate::task`].)

use cos_blocking::proto::Operation;
use cos_blocking::proto::ops::multipart::{
    MultipartAbort, MultipartComplete, MultipartInit, MultipartList, MultipartListPart,
    MultipartUpload, UploadPartCopy,
};
use cos_blocking::{Client, Progress};

use crate::call::call;
use crate::client::cos_client;
use crate::error::{FfiResult, cos_result};
use crate::object::stored_object;
use crate::output::cos_output;
use crate::params::{Take, cos_params};
use crate::transfer::cos_upload;

/// `multipartInit`: starts a multipart upload. Parameters: `Bucket`, `Region`, `Key`,
/// `CacheControl`, `ContentDisposition`, `ContentEncoding`, `ContentType`, `Expires`,
/// `ACL`, `GrantRead`, `GrantWrite`, `GrantReadAcp`, `GrantWriteAcp`, `GrantFullControl`,
/// `StorageClass`, `x-cos-meta-*`. Output: `Bucket`, `Key`, `UploadId`.
///
/// # Safety
/// `client` must be a live client; `params` NULL or a live parameter set; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_multipart_init(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    // The stored object's parameters are putObject's (but the length and `Expect`).
    let build = |t: &mut Take<'_>, c: &Client| Ok(MultipartInit::from(&stored_object(t, c)));
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            MultipartInit::NAME,
            client,
            params,
            out,
            build,
            Client::multipart_init,
        )
    }
}

/// Reads the parameters of an UploadPart (the data comes from the upload).
fn multipart_upload(t: &mut Take<'_>, c: &Client) -> FfiResult<MultipartUpload> {
    Ok(MultipartUpload {
        bucket: t.bucket(c),
        region: t.region(c),
        key: t.string("Key"),
        part_number: t.number("PartNumber")?.unwrap_or(0),
        upload_id: t.string("UploadId"),
        content_length: t.number("ContentLength")?,
        expect: t.opt("Expect"),
        ..MultipartUpload::default()
    })
}

/// `multipartUpload`: uploads one part from `upload` (NULL: an empty part). Parameters:
/// `Bucket`, `Region`, `Key`, `PartNumber`, `UploadId`, `ContentLength`, `Expect`. Output:
/// `ETag` (give it to `cos_params_add_part`), `CRC64`. The part's CRC64 is checked.
///
/// # Safety
/// As [`cos_client_multipart_init`]; `upload` NULL or a live upload.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_multipart_upload(
    client: *const cos_client,
    params: *const cos_params,
    upload: *const cos_upload,
    out: *mut *mut cos_output,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee (NULL: no data).
    let upload = unsafe { upload.as_ref() };
    let run =
        |client: &Client,
         op: &MultipartUpload|
         -> FfiResult<cos_blocking::proto::ops::multipart::UploadPartOutput> {
            match upload {
                None => Ok(client.multipart_upload(op)?),
                Some(u) => {
                    let (mut reader, watch) = (u.reader(), u.watch());
                    let report = |p: &Progress| watch.report(p);
                    Ok(client
                        .multipart_upload_from(op, u.upload(reader.as_mut(), &watch, &report)?)?)
                }
            }
        };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            MultipartUpload::NAME,
            client,
            params,
            out,
            multipart_upload,
            run,
        )
    }
}

/// `uploadPartCopy`: one part copied from another object. Parameters: `Bucket`, `Region`,
/// `Key`, `PartNumber`, `UploadId`, `CopySource`, `CopySourceRange` (`bytes=first-last`),
/// `CopySourceIfModifiedSince`, `CopySourceIfUnmodifiedSince`, `CopySourceIfMatch`,
/// `CopySourceIfNoneMatch`. Output: `ETag`, `LastModified`, `CRC64`.
///
/// # Safety
/// As [`cos_client_multipart_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_upload_part_copy(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(UploadPartCopy {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            part_number: t.number("PartNumber")?.unwrap_or(0),
            upload_id: t.string("UploadId"),
            copy_source: t.string("CopySource"),
            copy_source_range: t.opt("CopySourceRange"),
            copy_source_if_modified_since: t.opt("CopySourceIfModifiedSince"),
            copy_source_if_unmodified_since: t.opt("CopySourceIfUnmodifiedSince"),
            copy_source_if_match: t.opt("CopySourceIfMatch"),
            copy_source_if_none_match: t.opt("CopySourceIfNoneMatch"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            UploadPartCopy::NAME,
            client,
            params,
            out,
            build,
            Client::upload_part_copy,
        )
    }
}

/// `multipartComplete`: joins the parts into the object. Parameters: `Bucket`, `Region`,
/// `Key`, `UploadId`, `Parts` (`cos_params_add_part`). Output: `Location`, `Bucket`, `Key`,
/// `ETag`, `VersionId`, `CRC64`.
///
/// # Safety
/// As [`cos_client_multipart_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_multipart_complete(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(MultipartComplete {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            upload_id: t.string("UploadId"),
            parts: t.parts(),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            MultipartComplete::NAME,
            client,
            params,
            out,
            build,
            Client::multipart_complete,
        )
    }
}

/// `multipartListPart`: the parts uploaded so far. Parameters: `Bucket`, `Region`, `Key`,
/// `UploadId`, `EncodingType`, `MaxParts`, `PartNumberMarker`. Output: `Bucket`,
/// `EncodingType`, `Key`, `UploadId`, `Initiator`, `Owner`, `StorageClass`,
/// `PartNumberMarker`, `NextPartNumberMarker`, `MaxParts`, `IsTruncated`, `Part` (each
/// `PartNumber`, `LastModified`, `ETag`, `Size`).
///
/// # Safety
/// As [`cos_client_multipart_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_multipart_list_part(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(MultipartListPart {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            upload_id: t.string("UploadId"),
            encoding_type: t.opt("EncodingType"),
            max_parts: t.number("MaxParts")?,
            part_number_marker: t.number("PartNumberMarker")?,
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            MultipartListPart::NAME,
            client,
            params,
            out,
            build,
            Client::multipart_list_part,
        )
    }
}

/// `multipartAbort`: abandons an upload and its parts. Parameters: `Bucket`, `Region`,
/// `Key`, `UploadId`. Output: the response only.
///
/// # Safety
/// As [`cos_client_multipart_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_multipart_abort(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(MultipartAbort {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            upload_id: t.string("UploadId"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            MultipartAbort::NAME,
            client,
            params,
            out,
            build,
            Client::multipart_abort,
        )
    }
}

/// `multipartList`: the uploads in progress. Parameters: `Bucket`, `Region`, `Prefix`,
/// `Delimiter`, `EncodingType`, `MaxUploads`, `KeyMarker`, `UploadIdMarker`. Output:
/// `Bucket`, `EncodingType`, `KeyMarker`, `UploadIdMarker`, `NextKeyMarker`,
/// `NextUploadIdMarker`, `MaxUploads`, `IsTruncated`, `Prefix`, `Delimiter`, `Upload`
/// (each `Key`, `UploadId`, `StorageClass`, `Initiator`, `Owner`, `Initiated`) and
/// `CommonPrefixes`.
///
/// # Safety
/// As [`cos_client_multipart_init`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_multipart_list(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(MultipartList {
            bucket: t.bucket(c),
            region: t.region(c),
            prefix: t.opt("Prefix"),
            delimiter: t.opt("Delimiter"),
            encoding_type: t.opt("EncodingType"),
            max_uploads: t.number("MaxUploads")?,
            key_marker: t.opt("KeyMarker"),
            upload_id_marker: t.opt("UploadIdMarker"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            MultipartList::NAME,
            client,
            params,
            out,
            build,
            Client::multipart_list,
        )
    }
}
