//! Object calls: headObject, getObject, putObject, deleteObject, deleteMultipleObject and
//! putObjectCopy.
//!
//! A conditional read that finds nothing changed answers 304: [`HeadObject`] and
//! [`GetObject`] report it as `not_modified: true`, not as an error. [`GetObject`] streams its
//! body ([`Operation::STREAMS_RESPONSE_BODY`]), so its output holds only what the headers say.
//! Dates given for conditions must be HTTP dates (`Wed, 21 Oct 2015 07:28:00 GMT`): COS would
//! ignore a malformed one and answer as if no condition had been set.
//!
//! Every call here is idempotent: PUT replaces the whole object, a copy writes the same object
//! again, and deleting what is already gone succeeds.

use serde::{Deserialize, Serialize};

use super::{
    ObjectHeaders, Operation, bucket_target, copy_source_header, object_request,
    object_write_headers, operation_names, opt_header, parse_xml, set_body, set_xml_body,
};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::header;
use crate::http::{Body, Method, Request};
use crate::response::{Response, ResponseMeta};
use crate::types::{MetadataDirective, u64_as_string};
use crate::xml::{self, Writer};

/// The query parameter that selects a version of an object.
const VERSION_ID_QUERY: &str = "versionId";

/// The most objects one [`DeleteMultipleObject`] call may name.
pub const MAX_DELETE_OBJECTS: usize = 1000;

/// Gives each object call `request`: the request for its object, bucket, region and key checked.
macro_rules! object_calls {
    ($($op:ident),+) => {$(
        impl $op {
            fn request(&self, endpoint: &Endpoint, method: Method) -> Result<Request> {
                object_request(method, endpoint, &self.bucket, &self.region, &self.key)
            }
        }
    )+};
}
object_calls!(
    HeadObject,
    GetObject,
    PutObject,
    DeleteObject,
    PutObjectCopy
);

object_write_headers!(
    PutObject + expect = header::EXPECT,
    PutObjectCopy + expect = header::EXPECT,
);

/// Adds `?versionId=` when a version is asked for; an empty one is an error.
fn version_query(req: &mut Request, version_id: &Option<String>) -> Result<()> {
    if let Some(v) = version_id {
        if v.is_empty() {
            return Err(Error::invalid("VersionId", "is empty; leave it out"));
        }
        req.query.push((VERSION_ID_QUERY.to_owned(), v.clone()));
    }
    Ok(())
}

/// Adds the headers that are set, each value checked.
fn headers(req: &mut Request, list: &[(&str, &Option<String>)]) -> Result<()> {
    for (name, value) in list {
        opt_header(req, name, value.as_deref())?;
    }
    Ok(())
}

/// Adds the date headers that are set, `(seed field, header, value)`, each an HTTP date.
fn date_headers(req: &mut Request, list: &[(&'static str, &str, &Option<String>)]) -> Result<()> {
    for (field, name, value) in list {
        if let Some(v) = value {
            httpdate::parse_http_date(v).map_err(|_| {
                Error::invalid(
                    *field,
                    "must be an HTTP date: `Wed, 21 Oct 2015 07:28:00 GMT`",
                )
            })?;
        }
        opt_header(req, name, value.as_deref())?;
    }
    Ok(())
}

/// Whether `s` has only characters an XML 1.0 document can carry.
fn xml_safe(s: &str) -> bool {
    let forbidden = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    !s.chars()
        .any(|c| forbidden(c) || matches!(c, '\u{fffe}' | '\u{ffff}'))
}

/// Reads the headers of a HEAD or GET answer; a 304 is a success that says "not modified".
fn read_object(op: &'static str, response: Response) -> Result<(ResponseMeta, ObjectHeaders)> {
    let response = match response.status {
        304 => response,
        _ => response.into_success(op)?,
    };
    let meta = response.meta();
    let object = ObjectHeaders::from_meta(op, &meta)?;
    Ok((meta, object))
}

/// `headObject`: the metadata of an object, without its data.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadObject {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// The object key. Required.
    pub key: String,
    /// Answer 304 (`not_modified`) unless the object changed after this HTTP date.
    pub if_modified_since: Option<String>,
    /// A version of the object other than the current one.
    pub version_id: Option<String>,
}

/// The result of [`HeadObject`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadObjectOutput {
    /// Status, headers, request id.
    pub meta: ResponseMeta,
    /// What the headers say about the object (on a 304, only what COS sent).
    pub object: ObjectHeaders,
    /// The seed's `NotModified`: COS answered 304 to `if_modified_since`.
    pub not_modified: bool,
}

impl Operation for HeadObject {
    type Output = HeadObjectOutput;
    const NAME: &'static str = "HeadObject";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = self.request(endpoint, Method::Head)?;
        version_query(&mut req, &self.version_id)?;
        let since = &self.if_modified_since;
        date_headers(
            &mut req,
            &[("IfModifiedSince", header::IF_MODIFIED_SINCE, since)],
        )?;
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<HeadObjectOutput> {
        let not_modified = response.status == 304;
        let (meta, object) = read_object(Self::NAME, response)?;
        Ok(HeadObjectOutput {
            meta,
            object,
            not_modified,
        })
    }

    operation_names!(bucket, key);
}

/// `getObject`: downloads an object, whole or one byte range. The driver streams the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetObject {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// The object key. Required.
    pub key: String,
    /// `Content-Type` of the response (query `response-content-type`).
    pub response_content_type: Option<String>,
    /// `Content-Language` of the response (`response-content-language`).
    pub response_content_language: Option<String>,
    /// `Expires` of the response (`response-expires`).
    pub response_expires: Option<String>,
    /// `Cache-Control` of the response (`response-cache-control`).
    pub response_cache_control: Option<String>,
    /// `Content-Disposition` of the response (`response-content-disposition`).
    pub response_content_disposition: Option<String>,
    /// `Content-Encoding` of the response (`response-content-encoding`).
    pub response_content_encoding: Option<String>,
    /// One byte range: `bytes=first-last`, `bytes=first-` or `bytes=-length` (the last bytes).
    pub range: Option<String>,
    /// Answer 304 (`not_modified`) unless the object changed after this HTTP date.
    pub if_modified_since: Option<String>,
    /// Fail with 412 if the object changed after this HTTP date.
    pub if_unmodified_since: Option<String>,
    /// Fail with 412 unless the ETag equals this one.
    pub if_match: Option<String>,
    /// Answer 304 (`not_modified`) if the ETag equals this one.
    pub if_none_match: Option<String>,
    /// A version of the object other than the current one.
    pub version_id: Option<String>,
}

/// The byte range a 206 answer carries (`Content-Range: bytes first-last/total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    /// The first byte sent.
    pub first: u64,
    /// The last byte sent (inclusive).
    pub last: u64,
    /// The size of the whole object, unless COS wrote `*`.
    pub total: Option<u64>,
}

impl ContentRange {
    /// Reads a `Content-Range` value, `bytes first-last/total` (total may be `*`).
    pub fn parse(value: &str) -> Result<Self> {
        const OP: &str = GetObject::NAME;
        let bad = || Error::parse(OP, "Content-Range is not `bytes first-last/total`");
        let num = |s: &str| xml::parse_u64(OP, header::CONTENT_RANGE, s);
        let (range, total) = value
            .strip_prefix("bytes ")
            .and_then(|r| r.split_once('/'))
            .ok_or_else(bad)?;
        let (first, last) = range.split_once('-').ok_or_else(bad)?;
        let (first, last) = (num(first)?, num(last)?);
        let total = if total == "*" {
            None
        } else {
            Some(num(total)?)
        };
        if first > last || total.is_some_and(|t| last >= t) {
            return Err(bad());
        }
        Ok(ContentRange { first, last, total })
    }
}

/// The result of [`GetObject`]; the data itself went to the driver's stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetObjectOutput {
    /// Status, headers, request id.
    pub meta: ResponseMeta,
    /// What the headers say about the object.
    pub object: ObjectHeaders,
    /// The range sent, when COS answered a `range` with 206.
    pub content_range: Option<ContentRange>,
    /// The seed's `NotModified`: COS answered 304 to `if_modified_since` or `if_none_match`.
    pub not_modified: bool,
}

/// Checks a `Range` value: one range, `bytes=a-b` (a <= b), `bytes=a-` or `bytes=-n` (n > 0).
fn check_range(range: &str) -> Result<()> {
    let why = "must be one range: `bytes=first-last`, `bytes=first-` or `bytes=-length`";
    let bad = || Error::invalid("Range", why);
    let num = |s: &str| match s.bytes().all(|b| b.is_ascii_digit()) {
        true => s.parse::<u64>().map_err(|_| bad()),
        false => Err(bad()),
    };
    let (first, last) = range
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .ok_or_else(bad)?;
    match (first.is_empty(), last.is_empty()) {
        (false, false) if num(first)? <= num(last)? => Ok(()),
        (false, true) => num(first).map(drop),
        (true, false) if num(last)? > 0 => Ok(()),
        _ => Err(bad()),
    }
}

impl Operation for GetObject {
    type Output = GetObjectOutput;
    const NAME: &'static str = "GetObject";
    const STREAMS_RESPONSE_BODY: bool = true;

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = self.request(endpoint, Method::Get)?;
        version_query(&mut req, &self.version_id)?;
        for (name, value) in [
            ("response-content-type", &self.response_content_type),
            ("response-content-language", &self.response_content_language),
            ("response-expires", &self.response_expires),
            ("response-cache-control", &self.response_cache_control),
            (
                "response-content-disposition",
                &self.response_content_disposition,
            ),
            ("response-content-encoding", &self.response_content_encoding),
        ] {
            if let Some(value) = value {
                req.query.push((name.to_owned(), value.clone()));
            }
        }
        if let Some(range) = &self.range {
            check_range(range)?;
        }
        headers(&mut req, &[(header::RANGE, &self.range)])?;
        date_headers(
            &mut req,
            &[
                (
                    "IfModifiedSince",
                    header::IF_MODIFIED_SINCE,
                    &self.if_modified_since,
                ),
                (
                    "IfUnmodifiedSince",
                    header::IF_UNMODIFIED_SINCE,
                    &self.if_unmodified_since,
                ),
            ],
        )?;
        let conditions = [
            (header::IF_MATCH, &self.if_match),
            (header::IF_NONE_MATCH, &self.if_none_match),
        ];
        headers(&mut req, &conditions)?;
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<GetObjectOutput> {
        let (status, not_modified) = (response.status, response.status == 304);
        let (meta, object) = read_object(Self::NAME, response)?;
        let content_range = match meta.header(header::CONTENT_RANGE) {
            Some(v) if status == 206 => Some(ContentRange::parse(v)?),
            _ => None,
        };
        Ok(GetObjectOutput {
            meta,
            object,
            content_range,
            not_modified,
        })
    }

    operation_names!(bucket, key);
}

/// `putObject`: uploads an object in one request (up to 5 GB), replacing any object of the
/// same key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutObject {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// The object key. Required (a key ending in `/` with an empty body is a "directory").
    pub key: String,
    /// `Cache-Control`, stored with the object.
    pub cache_control: Option<String>,
    /// `Content-Disposition`, stored with the object.
    pub content_disposition: Option<String>,
    /// `Content-Encoding`, stored with the object.
    pub content_encoding: Option<String>,
    /// The body's length, if the caller states it: it must equal the body's length, which is
    /// what `Content-Length` always says.
    pub content_length: Option<u64>,
    /// `Content-Type` (MIME), stored with the object.
    pub content_type: Option<String>,
    /// `Expect` (`100-continue`: send the body only once COS accepts the headers).
    pub expect: Option<String>,
    /// `Expires`, stored with the object.
    pub expires: Option<String>,
    /// A canned object ACL: default, private, public-read, ... (see [`crate::types::Acl`]).
    pub acl: Option<String>,
    /// `x-cos-grant-read`: `id="..."` entries, comma separated.
    pub grant_read: Option<String>,
    /// `x-cos-grant-write` (the seed lists it; COS documents only the other grants for
    /// objects).
    pub grant_write: Option<String>,
    /// `x-cos-grant-read-acp`.
    pub grant_read_acp: Option<String>,
    /// `x-cos-grant-write-acp`.
    pub grant_write_acp: Option<String>,
    /// `x-cos-grant-full-control`.
    pub grant_full_control: Option<String>,
    /// The storage class, e.g. `STANDARD_IA` (see [`StorageClass`](crate::types::StorageClass); default STANDARD).
    pub storage_class: Option<String>,
    /// User metadata, sent as `x-cos-meta-{name}` (the prefix may be given or left out).
    pub metadata: Vec<(String, String)>,
    /// `Content-MD5`: base64 of the body's MD5, for COS to check the upload against.
    pub content_md5: Option<String>,
    /// The data.
    pub body: Body,
}

/// The result of [`PutObject`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutObjectOutput {
    /// Status, headers, request id.
    pub meta: ResponseMeta,
    /// `ETag`, with its quotes.
    pub etag: Option<String>,
    /// `x-cos-version-id`, when the bucket keeps versions.
    pub version_id: Option<String>,
    /// `x-cos-hash-crc64ecma`: the CRC-64/XZ of the object.
    pub crc64: Option<u64>,
}

impl Operation for PutObject {
    type Output = PutObjectOutput;
    const NAME: &'static str = "PutObject";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = self.request(endpoint, Method::Put)?;
        set_body(
            &mut req,
            &self.body,
            self.content_length,
            self.content_md5.as_deref(),
        )?;
        self.stored_headers(&mut req)?;
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<PutObjectOutput> {
        let meta = response.into_success(Self::NAME)?.meta();
        let object = ObjectHeaders::from_meta(Self::NAME, &meta)?;
        let (etag, version_id, crc64) = (object.etag, object.version_id, object.crc64);
        Ok(PutObjectOutput {
            meta,
            etag,
            version_id,
            crc64,
        })
    }

    operation_names!(bucket, key);
}

/// `deleteObject`: deletes an object, or one version of it. Deleting a missing object
/// succeeds too.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteObject {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// The object key. Required.
    pub key: String,
    /// Deletes this version for good, instead of adding a delete marker.
    pub version_id: Option<String>,
}

/// The result of [`DeleteObject`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteObjectOutput {
    /// Status, headers, request id.
    pub meta: ResponseMeta,
    /// `x-cos-delete-marker`: a delete marker was created or deleted.
    pub delete_marker: bool,
    /// `x-cos-version-id`: the version deleted, or that of the new delete marker.
    pub version_id: Option<String>,
}

impl Operation for DeleteObject {
    type Output = DeleteObjectOutput;
    const NAME: &'static str = "DeleteObject";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = self.request(endpoint, Method::Delete)?;
        version_query(&mut req, &self.version_id)?;
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<DeleteObjectOutput> {
        let meta = response.into_success(Self::NAME)?.meta();
        let marker = meta.header(header::DELETE_MARKER);
        let delete_marker = marker
            .map(|v| xml::parse_bool(Self::NAME, header::DELETE_MARKER, v))
            .transpose()?;
        let version_id = meta.header(header::VERSION_ID).map(str::to_owned);
        Ok(DeleteObjectOutput {
            meta,
            delete_marker: delete_marker == Some(true),
            version_id,
        })
    }

    operation_names!(bucket, key);
}

/// One object to delete: its key and, optionally, the version.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectToDelete {
    /// The key. Required, non-empty.
    #[serde(rename = "Key")]
    pub key: String,
    /// The version to delete for good.
    #[serde(rename = "VersionId", default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

/// `deleteMultipleObject` (DELETE Multiple Objects): deletes 1 to 1000 objects in one call.
///
/// Deserializes from the seed's parameters (`Bucket`, `Region`, `Quiet`, `Objects`, each
/// optional). Idempotent: COS reports a key that is already gone as deleted, so a repeated
/// call ends in the same state (in a versioned bucket it may add another delete marker).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct DeleteMultipleObject {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Quiet mode: the answer lists only the failures (default: verbose, every object).
    pub quiet: bool,
    /// The objects, 1 to [`MAX_DELETE_OBJECTS`].
    pub objects: Vec<ObjectToDelete>,
}

/// The result of [`DeleteMultipleObject`]: the `DeleteResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The objects deleted (none in quiet mode).
    pub deleted: Vec<DeletedObject>,
    /// The objects that could not be deleted.
    pub error: Vec<DeleteError>,
}

/// One object [`DeleteMultipleObject`] deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeletedObject {
    /// The key.
    pub key: String,
    /// Whether a delete marker was created or deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_marker: Option<bool>,
    /// The version of that delete marker.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delete_marker_version_id: Option<String>,
    /// The version deleted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

/// One object [`DeleteMultipleObject`] could not delete.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeleteError {
    /// The key.
    pub key: String,
    /// The version asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// COS's error code (`PathConflict`, `AccessDenied`, ...).
    pub code: String,
    /// COS's explanation.
    pub message: String,
}

impl DeleteMultipleObject {
    /// The `<Delete>` request body, every object checked.
    fn body(&self) -> Result<Vec<u8>> {
        let n = self.objects.len();
        if !(1..=MAX_DELETE_OBJECTS).contains(&n) {
            let why = format!("must name 1 to {MAX_DELETE_OBJECTS} objects, not {n}");
            return Err(Error::invalid("Objects", why));
        }
        let mut w = Writer::new();
        w.open("Delete")
            .leaf("Quiet", if self.quiet { "true" } else { "false" });
        for (i, object) in self.objects.iter().enumerate() {
            let bad = |field: &str, why| Err(Error::invalid(format!("Objects[{i}].{field}"), why));
            if object.key.is_empty() {
                return bad("Key", "is required");
            }
            if !xml_safe(&object.key) {
                return bad("Key", "holds a control character an XML body cannot carry");
            }
            w.open("Object").leaf("Key", &object.key);
            if let Some(version) = &object.version_id {
                if version.is_empty() || !xml_safe(version) {
                    return bad("VersionId", "is empty or holds a control character");
                }
                w.leaf("VersionId", version);
            }
            w.close("Object");
        }
        w.close("Delete");
        Ok(w.finish())
    }
}

impl Operation for DeleteMultipleObject {
    type Output = DeleteResult;
    const NAME: &'static str = "DeleteMultipleObjects";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let target = bucket_target(endpoint, &self.bucket, &self.region)?;
        let mut req = Request::new(Method::Post, target, "").with_query("delete", "");
        set_xml_body(&mut req, self.body()?);
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<DeleteResult> {
        const OP: &str = DeleteMultipleObject::NAME;
        let (meta, root) = parse_xml(OP, "DeleteResult", response)?;
        let deleted = root.children_named("Deleted").map(|d| {
            Ok(DeletedObject {
                key: d.required(OP, "Key")?,
                delete_marker: d.bool_of(OP, "DeleteMarker")?,
                delete_marker_version_id: d.text_of("DeleteMarkerVersionId"),
                version_id: d.text_of("VersionId"),
            })
        });
        let error = root.children_named("Error").map(|e| {
            Ok(DeleteError {
                key: e.required(OP, "Key")?,
                version_id: e.text_of("VersionId"),
                code: e.text_of("Code").unwrap_or_default(),
                message: e.text_of("Message").unwrap_or_default(),
            })
        });
        Ok(DeleteResult {
            meta,
            deleted: deleted.collect::<Result<_>>()?,
            error: error.collect::<Result<_>>()?,
        })
    }

    operation_names!(bucket);
}

/// `putObjectCopy` (PUT Object - Copy): copies an object of up to 5 GB, possibly changing its
/// metadata, ACL and storage class.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutObjectCopy {
    /// Bucket of the copy, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of that bucket. Required.
    pub region: String,
    /// Key of the copy. Required.
    pub key: String,
    /// The source: `{Bucket}.cos.{Region}.myqcloud.com/{Key}`, the key raw, optionally
    /// followed by `?versionId=...`. Required.
    pub copy_source: String,
    /// A canned object ACL for the copy.
    pub acl: Option<String>,
    /// `x-cos-grant-read`: `id="..."` entries, comma separated.
    pub grant_read: Option<String>,
    /// `x-cos-grant-write` (the seed lists it; COS documents only the other grants for
    /// objects).
    pub grant_write: Option<String>,
    /// `x-cos-grant-read-acp`.
    pub grant_read_acp: Option<String>,
    /// `x-cos-grant-write-acp`.
    pub grant_write_acp: Option<String>,
    /// `x-cos-grant-full-control`.
    pub grant_full_control: Option<String>,
    /// `Copy` (the default: keep the source's metadata, ignoring `metadata` and the content
    /// headers) or `Replaced` (use those given here; required to change an object in place).
    pub metadata_directive: Option<String>,
    /// Copy only if the source changed after this HTTP date (else 412).
    pub copy_source_if_modified_since: Option<String>,
    /// Copy only if the source did not change after this HTTP date (else 412).
    pub copy_source_if_unmodified_since: Option<String>,
    /// Copy only if the source's ETag equals this one (else 412).
    pub copy_source_if_match: Option<String>,
    /// Copy only if the source's ETag differs from this one (else 412).
    pub copy_source_if_none_match: Option<String>,
    /// The storage class of the copy (see [`StorageClass`](crate::types::StorageClass); any letter case).
    pub storage_class: Option<String>,
    /// User metadata, sent as `x-cos-meta-{name}`.
    pub metadata: Vec<(String, String)>,
    /// `Cache-Control` of the copy.
    pub cache_control: Option<String>,
    /// `Content-Disposition` of the copy.
    pub content_disposition: Option<String>,
    /// `Content-Encoding` of the copy.
    pub content_encoding: Option<String>,
    /// `Content-Type` of the copy.
    pub content_type: Option<String>,
    /// `Expect`.
    pub expect: Option<String>,
    /// `Expires` of the copy.
    pub expires: Option<String>,
}

/// The result of [`PutObjectCopy`]: the `CopyObjectResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopyObjectResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The ETag of the copy, with its quotes.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// The CRC-64/XZ of the copy (from the body, else `x-cos-hash-crc64ecma`); a string in
    /// JSON.
    #[serde(rename = "CRC64", serialize_with = "u64_as_string")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crc64: Option<u64>,
    /// When the copy was written, as COS wrote it.
    pub last_modified: String,
    /// The version of the copy (from the body, else `x-cos-version-id`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
}

impl Operation for PutObjectCopy {
    type Output = CopyObjectResult;
    const NAME: &'static str = "PutObjectCopy";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = self.request(endpoint, Method::Put)?;
        let source = copy_source_header(&self.copy_source)?;
        req.headers.push((header::COPY_SOURCE.to_owned(), source));
        if let Some(directive) = &self.metadata_directive {
            let directive = MetadataDirective::parse("MetadataDirective", directive)?;
            let value = directive.as_str().to_owned();
            req.headers
                .push((header::METADATA_DIRECTIVE.to_owned(), value));
        }
        date_headers(
            &mut req,
            &[
                (
                    "CopySourceIfModifiedSince",
                    header::COPY_SOURCE_IF_MODIFIED_SINCE,
                    &self.copy_source_if_modified_since,
                ),
                (
                    "CopySourceIfUnmodifiedSince",
                    header::COPY_SOURCE_IF_UNMODIFIED_SINCE,
                    &self.copy_source_if_unmodified_since,
                ),
            ],
        )?;
        let conditions = [
            (header::COPY_SOURCE_IF_MATCH, &self.copy_source_if_match),
            (
                header::COPY_SOURCE_IF_NONE_MATCH,
                &self.copy_source_if_none_match,
            ),
        ];
        headers(&mut req, &conditions)?;
        self.stored_headers(&mut req)?;
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<CopyObjectResult> {
        const OP: &str = PutObjectCopy::NAME;
        let (meta, root) = parse_xml(OP, "CopyObjectResult", response)?;
        let header_crc = meta.header(header::HASH_CRC64);
        let crc64 = match root.u64_of(OP, "CRC64")? {
            Some(crc) => Some(crc),
            None => header_crc
                .map(|v| xml::parse_u64(OP, header::HASH_CRC64, v))
                .transpose()?,
        };
        let version_id = root.text_of("VersionId");
        Ok(CopyObjectResult {
            etag: root.required(OP, "ETag")?,
            crc64,
            last_modified: root.text_of("LastModified").unwrap_or_default(),
            version_id: version_id.or_else(|| meta.header(header::VERSION_ID).map(str::to_owned)),
            meta,
        })
    }

    operation_names!(bucket, key);
}

#[cfg(test)]
mod tests;
