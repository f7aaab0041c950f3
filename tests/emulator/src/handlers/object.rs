//! Object calls: PUT, GET, HEAD and DELETE Object, and PUT Object - Copy.

use std::io::Read;

use cos_proto::header;
use cos_proto::types::{MetadataDirective, StorageClass};

use super::acl::acl_from_headers;
use super::{bad_digest, content_md5};
use crate::Shared;
use crate::auth::Caller;
use crate::error::CosError;
use crate::names;
use crate::pieces::ReceiveError;
use crate::reply::{Body, Reply};
use crate::route::{Ctx, percent_decode};
use crate::server::MAX_BODY;
use crate::store::{AclState, Blob, Digests, NewBlob, ObjectEntry, ObjectMeta, open_blob};
use crate::time::{http_date, parse_http_date};
use crate::xml_out;

/// The longest object key COS accepts, in bytes.
const MAX_KEY_BYTES: usize = 850;

/// Headers stored with an object and sent back on GET and HEAD.
const STORED_HEADERS: [&str; 5] = [
    header::CACHE_CONTROL,
    header::CONTENT_DISPOSITION,
    header::CONTENT_ENCODING,
    header::CONTENT_LANGUAGE,
    header::EXPIRES,
];

/// `response-*` query parameters and the header each overrides on GET Object.
const OVERRIDES: [(&str, &str); 6] = [
    ("response-content-type", header::CONTENT_TYPE),
    ("response-content-language", header::CONTENT_LANGUAGE),
    ("response-expires", header::EXPIRES),
    ("response-cache-control", header::CACHE_CONTROL),
    ("response-content-disposition", header::CONTENT_DISPOSITION),
    ("response-content-encoding", header::CONTENT_ENCODING),
];

/// The metadata a request sets: Content-Type, stored headers, `x-cos-meta-*`, storage class.
pub(crate) struct RequestMeta {
    pub(crate) content_type: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) user_meta: Vec<(String, String)>,
    pub(crate) storage_class: Option<String>,
}

pub(crate) fn request_meta(ctx: &Ctx) -> Result<RequestMeta, CosError> {
    let content_type = ctx
        .header(header::CONTENT_TYPE)
        .unwrap_or("application/octet-stream")
        .to_owned();
    let headers = STORED_HEADERS
        .iter()
        .filter_map(|n| ctx.header(n).map(|v| ((*n).to_owned(), v.to_owned())))
        .collect();
    let mut user_meta: Vec<(String, String)> = Vec::new();
    let mut total = 0;
    for (n, v) in &ctx.headers {
        let lower = n.to_ascii_lowercase();
        if let Some(name) = lower.strip_prefix(header::META_PREFIX) {
            total += name.len() + v.len();
            user_meta.push((lower.clone(), v.clone()));
        }
    }
    if total > cos_proto::ops::MAX_USER_METADATA_BYTES {
        return Err(CosError::invalid_argument(format!(
            "user metadata is {total} bytes; at most {} are allowed",
            cos_proto::ops::MAX_USER_METADATA_BYTES
        )));
    }
    let storage_class = match ctx.header(header::STORAGE_CLASS) {
        None => None,
        Some(s) => match StorageClass::from_wire(&s.to_ascii_uppercase()) {
            StorageClass::Other(_) => {
                return Err(CosError::new(
                    400,
                    "InvalidStorageClass",
                    "The storage class you specified is not valid.",
                ));
            }
            known => Some(known.as_str().to_owned()),
        },
    };
    Ok(RequestMeta {
        content_type,
        headers,
        user_meta,
        storage_class,
    })
}

pub(crate) fn check_key(key: &str) -> Result<(), CosError> {
    if key.len() > MAX_KEY_BYTES {
        return Err(CosError::new(
            400,
            "KeyTooLong",
            format!("An object key may hold at most {MAX_KEY_BYTES} bytes."),
        ));
    }
    Ok(())
}

/// Receives `body` into a new blob, checking its length against `Content-Length`.
pub(crate) fn receive(
    shared: &Shared,
    ctx: &Ctx,
    body: &mut dyn Read,
) -> Result<NewBlob, CosError> {
    let declared = ctx
        .header(header::CONTENT_LENGTH)
        .and_then(|v| v.trim().parse::<u64>().ok());
    let chunked = ctx.header("Transfer-Encoding").is_some();
    let expected = declared.filter(|_| !chunked);
    let blob = shared
        .store
        .receive(body, expected, MAX_BODY)
        .map_err(|e| match e {
            ReceiveError::TooLarge => CosError::new(
                400,
                "EntityTooLarge",
                "Your proposed upload exceeds the maximum allowed object size.",
            ),
            ReceiveError::Io(e) => CosError::new(
                400,
                "IncompleteBody",
                format!("The request body could not be read: {e}"),
            ),
        })?;
    if declared.is_some_and(|d| d != blob.digests.size) {
        return Err(CosError::new(
            400,
            "IncompleteBody",
            "You did not provide the number of bytes specified by the Content-Length HTTP header.",
        ));
    }
    Ok(blob)
}

/// PUT Object.
pub(crate) fn put_object(
    shared: &Shared,
    ctx: &Ctx,
    bucket: &str,
    body: &mut dyn Read,
) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    check_key(&ctx.key)?;
    let meta = request_meta(ctx)?;
    let acl = acl_from_headers(ctx, true)?.unwrap_or_else(default_object_acl);
    let expected_md5 = content_md5(ctx)?;
    let blob = receive(shared, ctx, body)?;
    if expected_md5.is_some_and(|m| m != blob.digests.md5) {
        return Err(bad_digest());
    }
    let object = ObjectMeta {
        key: ctx.key.clone(),
        id: shared.store.object_id(),
        size: blob.digests.size,
        etag: blob.digests.etag(),
        crc64: blob.digests.crc64,
        last_modified: ctx.now,
        content_type: meta.content_type,
        headers: meta.headers,
        user_meta: meta.user_meta,
        storage_class: meta.storage_class.unwrap_or_else(|| "STANDARD".into()),
        acl,
    };
    let reply = Reply::new(200)
        .header(header::ETAG, object.etag.clone())
        .header(header::HASH_CRC64, object.crc64.to_string());
    shared.store.put_object(bucket, object, blob)?;
    Ok(reply)
}

pub(crate) fn default_object_acl() -> AclState {
    AclState::canned("default")
}

/// The headers of an object on GET and HEAD.
fn object_headers(meta: &ObjectMeta, ctx: &Ctx) -> Vec<(String, String)> {
    let mut h: Vec<(String, String)> = vec![
        (header::CONTENT_TYPE.into(), meta.content_type.clone()),
        (header::ETAG.into(), meta.etag.clone()),
        (header::LAST_MODIFIED.into(), http_date(meta.last_modified)),
        (header::HASH_CRC64.into(), meta.crc64.to_string()),
        ("Accept-Ranges".into(), "bytes".into()),
    ];
    h.extend(meta.headers.iter().cloned());
    h.extend(meta.user_meta.iter().cloned());
    if meta.storage_class != "STANDARD" {
        h.push((header::STORAGE_CLASS.into(), meta.storage_class.clone()));
    }
    for (param, name) in OVERRIDES {
        if let Some(v) = ctx.query(param) {
            h.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
            h.push((name.to_owned(), v.to_owned()));
        }
    }
    h
}

/// Whether `etag` is in the `If-Match` / `If-None-Match` list (`*` matches anything).
fn etag_matches(list: &str, etag: &str) -> bool {
    let bare = etag.trim_matches('"');
    list.split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/").trim_matches('"') == bare)
}

/// The conditional headers: `Err` with 412, `Ok(Some)` with a 304 reply, `Ok(None)` to go on.
fn check_conditions(ctx: &Ctx, meta: &ObjectMeta) -> Result<Option<Reply>, CosError> {
    let failed = || {
        CosError::new(
            412,
            "PreconditionFailed",
            "At least one of the preconditions you specified did not hold.",
        )
    };
    let if_match = ctx.header(header::IF_MATCH);
    if let Some(list) = if_match {
        if !etag_matches(list, &meta.etag) {
            return Err(failed());
        }
    } else if let Some(since) = ctx
        .header(header::IF_UNMODIFIED_SINCE)
        .and_then(parse_http_date)
        && meta.last_modified > since
    {
        return Err(failed());
    }
    let not_modified = || {
        Reply::new(304)
            .header(header::ETAG, meta.etag.clone())
            .header(header::LAST_MODIFIED, http_date(meta.last_modified))
    };
    if let Some(list) = ctx.header(header::IF_NONE_MATCH) {
        if etag_matches(list, &meta.etag) {
            return Ok(Some(not_modified()));
        }
    } else if let Some(since) = ctx
        .header(header::IF_MODIFIED_SINCE)
        .and_then(parse_http_date)
        && meta.last_modified <= since
    {
        return Ok(Some(not_modified()));
    }
    Ok(None)
}

/// The byte range asked for: `Ok(None)` for the whole object (no Range, or one that is not
/// a single `bytes=` range), `Err` with 416 when it is unsatisfiable.
fn byte_range(ctx: &Ctx, size: u64) -> Result<Option<(u64, u64)>, CosError> {
    let Some(value) = ctx.header(header::RANGE) else {
        return Ok(None);
    };
    let unsatisfiable = || {
        CosError::new(
            416,
            "InvalidRange",
            "The requested range is not satisfiable.",
        )
        .with_header(header::CONTENT_RANGE, format!("bytes */{size}"))
    };
    let Some(spec) = value.trim().strip_prefix("bytes=") else {
        return Ok(None);
    };
    if spec.contains(',') {
        return Ok(None);
    }
    let Some((first, last)) = spec.split_once('-') else {
        return Ok(None);
    };
    let num = |s: &str| {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (num(first), num(last), last.trim().is_empty()) {
        (Some(a), _, true) => {
            if a >= size {
                return Err(unsatisfiable());
            }
            Ok(Some((a, size - 1)))
        }
        (Some(a), Some(b), false) => {
            if a > b {
                return Ok(None);
            }
            if a >= size {
                return Err(unsatisfiable());
            }
            Ok(Some((a, b.min(size - 1))))
        }
        (None, Some(n), false) if first.trim().is_empty() => {
            if n == 0 || size == 0 {
                return Err(unsatisfiable());
            }
            Ok(Some((size - n.min(size), size - 1)))
        }
        _ => Ok(None),
    }
}

/// GET Object, or HEAD Object when `head`.
pub(crate) fn get_object(
    shared: &Shared,
    ctx: &Ctx,
    bucket: &str,
    head: bool,
) -> Result<Reply, CosError> {
    let entry = shared.store.object(bucket, &ctx.key)?;
    let meta = &entry.meta;
    if let Some(reply) = check_conditions(ctx, meta)? {
        return Ok(reply);
    }
    let range = byte_range(ctx, meta.size)?;
    let mut reply = Reply::new(200);
    reply.headers = object_headers(meta, ctx);
    let (start, len) = match range {
        Some((a, b)) => {
            reply.status = 206;
            reply.push_header(
                header::CONTENT_RANGE,
                format!("bytes {a}-{b}/{}", meta.size),
            );
            (a, b - a + 1)
        }
        None => (0, meta.size),
    };
    reply.body = match &entry.blob {
        _ if head => Body::HeadOnly(len),
        Blob::Memory(data) => Body::Memory(data.range(start, len)),
        Blob::File(_) => {
            let reader = open_blob(&entry.blob, start, len).map_err(|e| CosError::io(&e))?;
            Body::Stream(reader, len)
        }
    };
    Ok(reply)
}

/// DELETE Object: 204 whether or not the object existed.
pub(crate) fn delete_object(shared: &Shared, bucket: &str, key: &str) -> Result<Reply, CosError> {
    shared.store.delete_object(bucket, key)?;
    Ok(Reply::new(204))
}

/// The object `x-cos-copy-source` names (PutObjectCopy, UploadPartCopy), once the caller may
/// read it and the `x-cos-copy-source-If-*` conditions hold.
pub(crate) fn copy_source(
    shared: &Shared,
    ctx: &Ctx,
    caller: &Caller,
) -> Result<ObjectEntry, CosError> {
    let source = ctx.header(header::COPY_SOURCE).unwrap_or_default();
    let (src_bucket, src_key) = parse_copy_source(source).ok_or_else(|| {
        CosError::invalid_argument(
            "x-cos-copy-source must be {bucket}.cos.{region}.myqcloud.com/{key}",
        )
    })?;
    if *caller == Caller::Anonymous {
        let src_ctx = Ctx {
            bucket: Some(src_bucket.clone()),
            key: src_key.clone(),
            op: names::GET_OBJECT,
            ..ctx.clone()
        };
        super::acl::check_anonymous(shared, &src_ctx)?;
    }
    let src = shared.store.object(&src_bucket, &src_key)?;
    check_copy_conditions(ctx, &src)?;
    Ok(src)
}

/// The bucket and key of `x-cos-copy-source`: `{bucket}.cos.{region}.myqcloud.com/{key}`
/// (any host whose first label is the bucket), or `/{bucket}/{key}`; the key URL-decoded,
/// `?versionId=` ignored.
pub(crate) fn parse_copy_source(value: &str) -> Option<(String, String)> {
    let mut v = value.trim();
    for scheme in ["http://", "https://"] {
        if let Some(rest) = v.strip_prefix(scheme) {
            v = rest;
        }
    }
    let v = v.split_once("?versionId=").map_or(v, |(k, _)| k);
    let (bucket, key) = if let Some(path) = v.strip_prefix('/') {
        path.split_once('/')?
    } else {
        let (host, key) = v.split_once('/')?;
        (host.split('.').next()?, key)
    };
    let key = percent_decode(key, false)?;
    if cos_proto::Bucket::new(bucket).is_err() || key.is_empty() {
        return None;
    }
    Some((bucket.to_owned(), key))
}

/// The `x-cos-copy-source-If-*` headers: 412 when one does not hold.
pub(crate) fn check_copy_conditions(ctx: &Ctx, src: &ObjectEntry) -> Result<(), CosError> {
    let failed = || {
        CosError::new(
            412,
            "PreconditionFailed",
            "At least one of the copy-source preconditions did not hold.",
        )
    };
    let meta = &src.meta;
    if ctx
        .header(header::COPY_SOURCE_IF_MATCH)
        .is_some_and(|l| !etag_matches(l, &meta.etag))
        || ctx
            .header(header::COPY_SOURCE_IF_NONE_MATCH)
            .is_some_and(|l| etag_matches(l, &meta.etag))
        || ctx
            .header(header::COPY_SOURCE_IF_MODIFIED_SINCE)
            .and_then(parse_http_date)
            .is_some_and(|t| meta.last_modified <= t)
        || ctx
            .header(header::COPY_SOURCE_IF_UNMODIFIED_SINCE)
            .and_then(parse_http_date)
            .is_some_and(|t| meta.last_modified > t)
    {
        return Err(failed());
    }
    Ok(())
}

/// PUT Object - Copy.
pub(crate) fn put_object_copy(
    shared: &Shared,
    ctx: &Ctx,
    caller: &Caller,
    bucket: &str,
) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    check_key(&ctx.key)?;
    let src = copy_source(shared, ctx, caller)?;
    let directive = match ctx.header(header::METADATA_DIRECTIVE) {
        None => MetadataDirective::Copy,
        Some(d) => match MetadataDirective::from_wire(d.trim()) {
            MetadataDirective::Other(_) => {
                return Err(CosError::invalid_argument(
                    "x-cos-metadata-directive must be Copy or Replaced",
                ));
            }
            known => known,
        },
    };
    let requested = request_meta(ctx)?;
    let (content_type, headers, user_meta) = match directive {
        MetadataDirective::Replaced => (
            requested.content_type,
            requested.headers,
            requested.user_meta,
        ),
        _ => (
            src.meta.content_type.clone(),
            src.meta.headers.clone(),
            src.meta.user_meta.clone(),
        ),
    };
    if src.meta.size > MAX_BODY {
        return Err(CosError::new(
            400,
            "EntityTooLarge",
            "PUT Object - Copy copies objects of at most 5 GiB.",
        ));
    }
    // The same bytes: the source's ETag is their MD5 unless it is a multipart ETag.
    let known = md5_of_etag(&src.meta.etag).map(|md5| Digests {
        size: src.meta.size,
        md5,
        crc64: src.meta.crc64,
    });
    let blob = shared
        .store
        .copy_range(&src.blob, 0, src.meta.size, known)
        .map_err(|e| CosError::io(&e))?;
    let object = ObjectMeta {
        key: ctx.key.clone(),
        id: shared.store.object_id(),
        size: blob.digests.size,
        etag: blob.digests.etag(),
        crc64: blob.digests.crc64,
        last_modified: ctx.now,
        content_type,
        headers,
        user_meta,
        storage_class: requested
            .storage_class
            .unwrap_or_else(|| src.meta.storage_class.clone()),
        acl: acl_from_headers(ctx, true)?.unwrap_or_else(default_object_acl),
    };
    let mut reply = Reply::xml(xml_out::copy_result(&object));
    reply.push_header(header::HASH_CRC64, object.crc64.to_string());
    shared.store.put_object(bucket, object, blob)?;
    Ok(reply)
}

/// The MD5 a single-part ETag (`"` + 32 hex digits + `"`) is; `None` for a multipart
/// ETag (`"…-N"`).
fn md5_of_etag(etag: &str) -> Option<[u8; 16]> {
    super::hex_md5(etag.trim_matches('"'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_sources() {
        let ok = |s: &str| parse_copy_source(s);
        assert_eq!(
            ok("ex-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b/c+d.txt"),
            Some(("ex-1250000000".into(), "a b/c+d.txt".into()))
        );
        assert_eq!(ok("/ex-1/k?versionId=3"), Some(("ex-1".into(), "k".into())));
        assert_eq!(
            ok("http://ex-1.cos.x.myqcloud.com/k"),
            Some(("ex-1".into(), "k".into()))
        );
        for bad in ["", "nobucket/k", "ex-1.cos.x.myqcloud.com/", "ex-1.cos.x"] {
            assert_eq!(ok(bad), None, "{bad}");
        }
    }
}
