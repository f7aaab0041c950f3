//! Multipart uploads: Initiate, Upload Part, Upload Part - Copy, Complete and Abort.
//! The listings (List Parts, List Multipart Uploads) are in `multipart_list`.
//!
//! An upload keeps the settings of its Initiate request (Content-Type, stored headers,
//! `x-cos-meta-*`, storage class, ACL) for the object that Complete assembles. Parts are
//! numbered 1 to 10000 and stored as they stream in, hashed (MD5 for the ETag, CRC-64/XZ
//! for `x-cos-hash-crc64ecma`) on the way. Complete checks the listed parts (ascending,
//! known, ETags matching, all but the last at least 1 MiB) and joins them into a new object
//! without reading or hashing them again (in memory the object shares the parts' bytes; its
//! CRC-64 is combined from theirs), then swaps it in; the object's ETag is the MD5 of the
//! parts' binary MD5s followed by `-{count}`. Upload Part - Copy shares the source's bytes
//! in memory too, and hashes them only when its range is not one whole stored body.

use std::io::Read;

use cos_proto::encode::encode_path_into;
use cos_proto::header;
use cos_proto::plan::crc64_combine;

use super::object::{check_key, copy_source, default_object_acl, receive, request_meta};
use super::{bad_digest, content_md5, hex_md5, parse_xml, read_xml_body_max};
use crate::Shared;
use crate::auth::Caller;
use crate::error::CosError;
use crate::reply::Reply;
use crate::route::Ctx;
use crate::store::{Digests, ObjectMeta};
use crate::time::iso8601;
use crate::uploads::UploadMeta;

/// The highest part number.
pub(crate) const MAX_PART_NUMBER: u32 = 10_000;

/// The smallest size of every part but the last (1 MiB).
pub(crate) const MIN_PART_SIZE: u64 = 1 << 20;

/// The largest part (5 GiB).
const MAX_PART_SIZE: u64 = 5 << 30;

/// The largest Complete body read: 10,000 parts with room to spare.
const MAX_COMPLETE_BODY: usize = 4 << 20;

/// The `uploadId` query parameter.
pub(crate) fn upload_id(ctx: &Ctx) -> &str {
    ctx.query("uploadId").unwrap_or_default()
}

/// The `partNumber` query parameter: 1 to 10000, else `InvalidArgument`.
fn part_number(ctx: &Ctx) -> Result<u32, CosError> {
    ctx.query("partNumber")
        .and_then(|v| v.trim().parse::<u32>().ok())
        .filter(|n| (1..=MAX_PART_NUMBER).contains(n))
        .ok_or_else(|| {
            CosError::invalid_argument(format!(
                "partNumber must be a number from 1 to {MAX_PART_NUMBER}"
            ))
        })
}

/// Initiate Multipart Upload (`POST /{key}?uploads`).
pub(crate) fn initiate(shared: &Shared, ctx: &Ctx, bucket: &str) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    check_key(&ctx.key)?;
    let meta = request_meta(ctx)?;
    let acl = super::acl::acl_from_headers(ctx, true)?.unwrap_or_else(default_object_acl);
    let upload_id = shared
        .uploads
        .new_id(ctx.now, &format!("{bucket}/{}", ctx.key));
    shared.uploads.create(UploadMeta {
        bucket: bucket.to_owned(),
        key: ctx.key.clone(),
        upload_id: upload_id.clone(),
        initiated: ctx.now,
        content_type: meta.content_type,
        headers: meta.headers,
        user_meta: meta.user_meta,
        storage_class: meta.storage_class.unwrap_or_else(|| "STANDARD".into()),
        acl,
    })?;
    let mut w = cos_proto::xml::Writer::new();
    w.open("InitiateMultipartUploadResult")
        .leaf("Bucket", bucket)
        .leaf("Key", &ctx.key)
        .leaf("UploadId", &upload_id)
        .close("InitiateMultipartUploadResult");
    Ok(Reply::xml(w.finish()))
}

/// Upload Part (`PUT /{key}?partNumber=N&uploadId=ID`).
pub(crate) fn upload_part(
    shared: &Shared,
    ctx: &Ctx,
    bucket: &str,
    body: &mut dyn Read,
) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    let number = part_number(ctx)?;
    let id = upload_id(ctx);
    shared.uploads.check(bucket, &ctx.key, id)?;
    let expected_md5 = content_md5(ctx)?;
    let blob = receive(shared, ctx, body)?;
    if expected_md5.is_some_and(|m| m != blob.digests.md5) {
        return Err(bad_digest());
    }
    if blob.digests.size > MAX_PART_SIZE {
        return Err(CosError::new(
            400,
            "EntityTooLarge",
            "A part may hold at most 5 GiB.",
        ));
    }
    let part = shared
        .uploads
        .put_part((bucket, &ctx.key, id), number, blob, ctx.now)?;
    Ok(Reply::new(200)
        .header(header::ETAG, part.etag())
        .header(header::HASH_CRC64, part.crc64.to_string()))
}

/// The `x-cos-copy-source-range` `bytes=first-last` within an object of `size` bytes.
fn copy_range(value: &str, size: u64) -> Result<(u64, u64), CosError> {
    let malformed = || {
        CosError::invalid_argument(
            "x-cos-copy-source-range must be bytes=first-last (zero-based, inclusive)",
        )
    };
    let (a, b) = value
        .trim()
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .ok_or_else(malformed)?;
    let num = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    let (Some(a), Some(b)) = (num(a), num(b)) else {
        return Err(malformed());
    };
    if a > b {
        return Err(malformed());
    }
    if b >= size {
        return Err(CosError::new(
            416,
            "InvalidRange",
            "The requested range is not satisfiable.",
        ));
    }
    Ok((a, b))
}

/// Upload Part - Copy (`PUT /{key}?partNumber=N&uploadId=ID` with `x-cos-copy-source`).
pub(crate) fn upload_part_copy(
    shared: &Shared,
    ctx: &Ctx,
    caller: &Caller,
    bucket: &str,
) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    let number = part_number(ctx)?;
    let id = upload_id(ctx);
    shared.uploads.check(bucket, &ctx.key, id)?;
    let src = copy_source(shared, ctx, caller)?;
    let (start, len) = match ctx.header(header::COPY_SOURCE_RANGE) {
        Some(r) => {
            let (a, b) = copy_range(r, src.meta.size)?;
            (a, b - a + 1)
        }
        None => (0, src.meta.size),
    };
    if len > MAX_PART_SIZE {
        return Err(CosError::new(
            400,
            "EntityTooLarge",
            "A part may hold at most 5 GiB.",
        ));
    }
    let blob = shared
        .store
        .copy_range(&src.blob, start, len, None)
        .map_err(|e| CosError::io(&e))?;
    let part = shared
        .uploads
        .put_part((bucket, &ctx.key, id), number, blob, ctx.now)?;
    let mut w = cos_proto::xml::Writer::new();
    w.open("CopyPartResult")
        .leaf("ETag", &part.etag())
        .leaf("LastModified", &iso8601(part.last_modified))
        .leaf("CRC64", &part.crc64.to_string())
        .close("CopyPartResult");
    let mut reply = Reply::xml(w.finish());
    reply.push_header(header::HASH_CRC64, part.crc64.to_string());
    Ok(reply)
}

/// The parts a Complete body lists: (number, ETag), in document order.
fn listed_parts(body: &[u8]) -> Result<Vec<(u32, String)>, CosError> {
    let root = parse_xml(body, "CompleteMultipartUpload")?;
    let parts: Vec<(u32, String)> = root
        .children_named("Part")
        .map(|p| {
            let number = p
                .text_of("PartNumber")
                .and_then(|n| n.trim().parse::<u32>().ok())
                .ok_or_else(|| {
                    CosError::malformed_xml("every <Part> needs a numeric <PartNumber>")
                })?;
            let etag = p
                .text_of("ETag")
                .ok_or_else(|| CosError::malformed_xml("every <Part> needs an <ETag>"))?;
            Ok((number, etag))
        })
        .collect::<Result<_, CosError>>()?;
    if parts.is_empty() {
        return Err(CosError::malformed_xml(
            "<CompleteMultipartUpload> must list at least one <Part>",
        ));
    }
    Ok(parts)
}

/// Complete Multipart Upload (`POST /{key}?uploadId=ID`).
pub(crate) fn complete(
    shared: &Shared,
    ctx: &Ctx,
    bucket: &str,
    body: &mut dyn Read,
) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    let id = upload_id(ctx);
    let (upload, stored) = shared.uploads.get(bucket, &ctx.key, id)?;
    let bytes = read_xml_body_max(ctx, body, MAX_COMPLETE_BODY)?;
    let listed = listed_parts(&bytes)?;
    if listed.windows(2).any(|w| w[0].0 >= w[1].0) {
        return Err(CosError::new(
            400,
            "InvalidPartOrder",
            "The list of parts was not in ascending order. Parts must be ordered by part number.",
        ));
    }
    let mut chosen = Vec::with_capacity(listed.len());
    for (number, etag) in &listed {
        let part = stored
            .iter()
            .find(|p| p.meta.number == *number)
            .filter(|p| etag.trim().trim_matches('"').eq_ignore_ascii_case(&p.meta.md5))
            .ok_or_else(|| {
                CosError::new(
                    400,
                    "InvalidPart",
                    format!(
                        "Part {number} could not be found, or its ETag does not match the one given."
                    ),
                )
            })?;
        chosen.push(part);
    }
    if let Some(small) = chosen[..chosen.len() - 1]
        .iter()
        .find(|p| p.meta.size < MIN_PART_SIZE)
    {
        return Err(CosError::new(
            400,
            "EntityTooSmall",
            format!(
                "Part {} has {} bytes; every part but the last must have at least {MIN_PART_SIZE}.",
                small.meta.number, small.meta.size
            ),
        ));
    }

    // Nothing is read or hashed again: the object's bytes are its parts' (shared in
    // memory), its CRC-64 is combined from theirs and its ETag is the MD5 of their MD5s.
    let mut etag_md5 = fast_md5::Md5::new();
    let mut crc64 = 0;
    let mut size = 0;
    for part in &chosen {
        let md5 = hex_md5(&part.meta.md5).ok_or_else(|| CosError::internal("bad part MD5"))?;
        etag_md5.update(&md5);
        crc64 = crc64_combine(crc64, part.meta.crc64, part.meta.size);
        size += part.meta.size;
    }
    let etag_md5 = etag_md5.finalize();
    let parts: Vec<_> = chosen.iter().map(|p| (&p.blob, p.meta.size)).collect();
    let digests = Digests {
        size,
        md5: etag_md5,
        crc64,
    };
    let blob = shared
        .store
        .join(&parts, digests)
        .map_err(|e| CosError::io(&e))?;
    let hex: String = etag_md5.iter().map(|b| format!("{b:02x}")).collect();
    let object = ObjectMeta {
        key: ctx.key.clone(),
        id: shared.store.object_id(),
        size: blob.digests.size,
        etag: format!("\"{hex}-{}\"", chosen.len()),
        crc64: blob.digests.crc64,
        last_modified: ctx.now,
        content_type: upload.content_type,
        headers: upload.headers,
        user_meta: upload.user_meta,
        storage_class: upload.storage_class,
        acl: upload.acl,
    };
    let etag = object.etag.clone();
    let crc64 = object.crc64;
    shared.store.put_object(bucket, object, blob)?;
    // A failed Complete leaves the upload as it was; a successful one ends it (an Abort
    // that raced it may have ended it already).
    let _ = shared.uploads.remove(bucket, &ctx.key, id);
    let mut location = format!("http://{bucket}.cos.{}.myqcloud.com/", ctx.region);
    encode_path_into(&mut location, &ctx.key);
    let mut w = cos_proto::xml::Writer::new();
    w.open("CompleteMultipartUploadResult")
        .leaf("Location", &location)
        .leaf("Bucket", bucket)
        .leaf("Key", &ctx.key)
        .leaf("ETag", &etag)
        .close("CompleteMultipartUploadResult");
    let mut reply = Reply::xml(w.finish());
    reply.push_header(header::HASH_CRC64, crc64.to_string());
    Ok(reply)
}

/// Abort Multipart Upload (`DELETE /{key}?uploadId=ID`): 204.
pub(crate) fn abort(shared: &Shared, ctx: &Ctx, bucket: &str) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    shared.uploads.remove(bucket, &ctx.key, upload_id(ctx))?;
    Ok(Reply::new(204))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_ranges() {
        assert_eq!(copy_range("bytes=0-9", 10), Ok((0, 9)));
        assert_eq!(
            copy_range("bytes=10-10", 10).map_err(|e| e.code),
            Err("InvalidRange")
        );
        for bad in ["0-9", "bytes=5-1", "bytes=-3", "bytes=a-b", "bytes=1-"] {
            assert_eq!(
                copy_range(bad, 10).map_err(|e| e.code),
                Err("InvalidArgument"),
                "{bad}"
            );
        }
    }
}
