//! Object calls: headObject, getObject, putObject, deleteObject, deleteMultipleObject,
//! putObjectCopy.
//!
//! `putObject` takes its data from a [`cos_upload`] and `getObject` sends it to a
//! [`cos_download`] (or, without one, into the output, read with `cos_output_body`); both
//! check the CRC64 COS reports and retry as cos-blocking does.

use cos_blocking::proto::Operation;
use cos_blocking::proto::ops::object::{
    DeleteMultipleObject, DeleteObject, GetObject, HeadObject, PutObject, PutObjectCopy,
};
use cos_blocking::{Client, GetObjectData, Progress};

use crate::call::call;
use crate::client::cos_client;
use crate::error::{FfiResult, cos_result};
use crate::output::cos_output;
use crate::params::{Take, cos_params};
use crate::transfer::{cos_download, cos_upload};

/// `headObject`: the metadata of an object. Parameters: `Bucket`, `Region`, `Key`,
/// `IfModifiedSince`, `VersionId`. Output: `ETag`, `VersionId`, `CRC64`, `StorageClass`,
/// `ObjectType`, `ContentLength`, `ContentType`, `LastModified`, `Metadata` (the
/// `x-cos-meta-*` headers by name after the prefix) and `NotModified` (a 304 answer).
///
/// # Safety
/// `client` must be a live client; `params` NULL or a live parameter set; `out` writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_head_object(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(HeadObject {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            if_modified_since: t.opt("IfModifiedSince"),
            version_id: t.opt("VersionId"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            HeadObject::NAME,
            client,
            params,
            out,
            build,
            Client::head_object,
        )
    }
}

/// `getObject`: downloads an object into `download`, or into the output when `download`
/// is NULL (read the bytes with `cos_output_body`). Parameters: `Bucket`, `Region`, `Key`,
/// `ResponseContentType`, `ResponseContentLanguage`, `ResponseExpires`,
/// `ResponseCacheControl`, `ResponseContentDisposition`, `ResponseContentEncoding`,
/// `Range`, `IfModifiedSince`, `IfUnmodifiedSince`, `IfMatch`, `IfNoneMatch`, `VersionId`.
/// Output: as [`cos_client_head_object`], plus `ContentRange` (`First`, `Last`, `Total`)
/// for a range. The CRC64 of a whole object is checked (`COS_RESULT_INTEGRITY`).
///
/// # Safety
/// As [`cos_client_head_object`]; `download` NULL or a live download.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_get_object(
    client: *const cos_client,
    params: *const cos_params,
    download: *const cos_download,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(GetObject {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            response_content_type: t.opt("ResponseContentType"),
            response_content_language: t.opt("ResponseContentLanguage"),
            response_expires: t.opt("ResponseExpires"),
            response_cache_control: t.opt("ResponseCacheControl"),
            response_content_disposition: t.opt("ResponseContentDisposition"),
            response_content_encoding: t.opt("ResponseContentEncoding"),
            range: t.opt("Range"),
            if_modified_since: t.opt("IfModifiedSince"),
            if_unmodified_since: t.opt("IfUnmodifiedSince"),
            if_match: t.opt("IfMatch"),
            if_none_match: t.opt("IfNoneMatch"),
            version_id: t.opt("VersionId"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee (NULL: into memory).
    let download = unsafe { download.as_ref() };
    let run = |client: &Client, op: &GetObject| -> FfiResult<GetObjectData> {
        let Some(d) = download else {
            return Ok(client.get_object(op)?);
        };
        let (mut body, mut writer, watch) = (Vec::new(), d.writer(), d.watch());
        let report = |p: &Progress| watch.report(p);
        let output =
            client.get_object_into(op, d.download(&mut body, writer.as_mut(), &watch, &report)?)?;
        Ok(GetObjectData { output, body })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { call(GetObject::NAME, client, params, out, build, run) }
}

/// Reads the parameters of a PutObject (the data comes from the upload).
fn put_object(t: &mut Take<'_>, c: &Client) -> FfiResult<PutObject> {
    Ok(PutObject {
        content_length: t.number("ContentLength")?,
        expect: t.opt("Expect"),
        ..stored_object(t, c)
    })
}

/// Reads where an object goes and what it is stored with: `Bucket`, `Region`, `Key`,
/// `CacheControl`, `ContentDisposition`, `ContentEncoding`, `ContentType`, `Expires`,
/// `ACL`, the `Grant*` headers, `StorageClass` and `x-cos-meta-*` (putObject's parameters
/// but the length and `Expect`; also sliceUploadFile's).
pub(crate) fn stored_object(t: &mut Take<'_>, c: &Client) -> PutObject {
    PutObject {
        bucket: t.bucket(c),
        region: t.region(c),
        key: t.string("Key"),
        cache_control: t.opt("CacheControl"),
        content_disposition: t.opt("ContentDisposition"),
        content_encoding: t.opt("ContentEncoding"),
        content_type: t.opt("ContentType"),
        expires: t.opt("Expires"),
        acl: t.opt("ACL"),
        grant_read: t.opt("GrantRead"),
        grant_write: t.opt("GrantWrite"),
        grant_read_acp: t.opt("GrantReadAcp"),
        grant_write_acp: t.opt("GrantWriteAcp"),
        grant_full_control: t.opt("GrantFullControl"),
        storage_class: t.opt("StorageClass"),
        metadata: t.metadata(),
        ..PutObject::default()
    }
}

/// `putObject`: uploads an object from `upload` (NULL: an empty object). Parameters:
/// `Bucket`, `Region`, `Key`, `CacheControl`, `ContentDisposition`, `ContentEncoding`,
/// `ContentLength`, `ContentType`, `Expect`, `Expires`, `ACL`, `GrantRead`, `GrantWrite`,
/// `GrantReadAcp`, `GrantWriteAcp`, `GrantFullControl`, `StorageClass`, and `x-cos-meta-*`
/// metadata. Output: `ETag`, `VersionId`. The CRC64 COS computed is checked against the
/// data sent (`COS_RESULT_INTEGRITY`).
///
/// # Safety
/// As [`cos_client_head_object`]; `upload` NULL or a live upload.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_put_object(
    client: *const cos_client,
    params: *const cos_params,
    upload: *const cos_upload,
    out: *mut *mut cos_output,
) -> cos_result {
    // SAFETY: forwarded to the caller's guarantee (NULL: no data).
    let upload = unsafe { upload.as_ref() };
    let run = |client: &Client,
               op: &PutObject|
     -> FfiResult<cos_blocking::proto::ops::object::PutObjectOutput> {
        match upload {
            None => Ok(client.put_object(op)?),
            Some(u) => {
                let (mut reader, watch) = (u.reader(), u.watch());
                let report = |p: &Progress| watch.report(p);
                Ok(client.put_object_from(op, u.upload(reader.as_mut(), &watch, &report)?)?)
            }
        }
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe { call(PutObject::NAME, client, params, out, put_object, run) }
}

/// `deleteObject`: deletes an object (deleting what is gone succeeds). Parameters:
/// `Bucket`, `Region`, `Key`, `VersionId`. Output: `DeleteMarker`, `VersionId`.
///
/// # Safety
/// As [`cos_client_head_object`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_delete_object(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(DeleteObject {
            bucket: t.bucket(c),
            region: t.region(c),
            key: t.string("Key"),
            version_id: t.opt("VersionId"),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            DeleteObject::NAME,
            client,
            params,
            out,
            build,
            Client::delete_object,
        )
    }
}

/// `deleteMultipleObject`: deletes up to 1000 objects. Parameters: `Bucket`, `Region`,
/// `Quiet`, `Objects` (`cos_params_add_object`). Output: `Deleted` (each `Key`,
/// `DeleteMarker`, `DeleteMarkerVersionId`, `VersionId`) and `Error` (each `Key`,
/// `VersionId`, `Code`, `Message`).
///
/// # Safety
/// As [`cos_client_head_object`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_delete_multiple_object(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| {
        Ok(DeleteMultipleObject {
            bucket: t.bucket(c),
            region: t.region(c),
            quiet: t.flag("Quiet")?.unwrap_or(false),
            objects: t.objects(),
        })
    };
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            DeleteMultipleObject::NAME,
            client,
            params,
            out,
            build,
            Client::delete_multiple_object,
        )
    }
}

/// `putObjectCopy`: copies an object. Parameters: `Bucket`, `Region`, `Key`, `CopySource`
/// (`{Bucket}.cos.{Region}.myqcloud.com/{Key}`), `ACL`, `GrantRead`, `GrantWrite`,
/// `GrantReadAcp`, `GrantWriteAcp`, `GrantFullControl`, `MetadataDirective`,
/// `CopySourceIfModifiedSince`, `CopySourceIfUnmodifiedSince`, `CopySourceIfMatch`,
/// `CopySourceIfNoneMatch`, `StorageClass`, `x-cos-meta-*`, `CacheControl`,
/// `ContentDisposition`, `ContentEncoding`, `ContentType`, `Expect`, `Expires`. Output:
/// `ETag`, `CRC64`, `LastModified`, `VersionId`.
///
/// # Safety
/// As [`cos_client_head_object`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn cos_client_put_object_copy(
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
) -> cos_result {
    let build = |t: &mut Take<'_>, c: &Client| Ok(put_object_copy(t, c));
    // SAFETY: forwarded to the caller's guarantee.
    unsafe {
        call(
            PutObjectCopy::NAME,
            client,
            params,
            out,
            build,
            Client::put_object_copy,
        )
    }
}

/// Reads the parameters of a PutObjectCopy (also sliceCopyFile's).
pub(crate) fn put_object_copy(t: &mut Take<'_>, c: &Client) -> PutObjectCopy {
    PutObjectCopy {
        bucket: t.bucket(c),
        region: t.region(c),
        key: t.string("Key"),
        copy_source: t.string("CopySource"),
        acl: t.opt("ACL"),
        grant_read: t.opt("GrantRead"),
        grant_write: t.opt("GrantWrite"),
        grant_read_acp: t.opt("GrantReadAcp"),
        grant_write_acp: t.opt("GrantWriteAcp"),
        grant_full_control: t.opt("GrantFullControl"),
        metadata_directive: t.opt("MetadataDirective"),
        copy_source_if_modified_since: t.opt("CopySourceIfModifiedSince"),
        copy_source_if_unmodified_since: t.opt("CopySourceIfUnmodifiedSince"),
        copy_source_if_match: t.opt("CopySourceIfMatch"),
        copy_source_if_none_match: t.opt("CopySourceIfNoneMatch"),
        storage_class: t.opt("StorageClass"),
        metadata: t.metadata(),
        cache_control: t.opt("CacheControl"),
        content_disposition: t.opt("ContentDisposition"),
        content_encoding: t.opt("ContentEncoding"),
        content_type: t.opt("ContentType"),
        expect: t.opt("Expect"),
        expires: t.opt("Expires"),
    }
}
