//! Multipart upload calls: multipartInit, multipartUpload (Upload Part), uploadPartCopy
//! (Upload Part - Copy), multipartComplete, multipartListPart (List Parts), multipartAbort and
//! multipartList (List Multipart Uploads).
//!
//! A multipart upload starts with [`MultipartInit`], which returns an upload ID. Parts,
//! numbered 1 to [`MAX_PART_NUMBER`], are then sent with [`MultipartUpload`] or copied from
//! another object with [`UploadPartCopy`], in any order; [`MultipartComplete`] joins them into
//! the object and [`MultipartAbort`] discards them. [`MultipartListPart`] and [`MultipartList`]
//! show what COS holds, e.g. to resume an upload.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::bucket::{CommonPrefix, EmptyOutput};
use super::{
    Operation, bucket_target, copy_source_header, object_request, object_write_headers,
    operation_names, opt_header, parse_byte_range, parse_xml, set_body, set_xml_body, url_decode,
};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::header;
use crate::http::{Body, Method, Request};
use crate::response::{Response, ResponseMeta};
use crate::types::{Owner, StorageClass};
use crate::xml::{self, Element, Writer};

/// The highest part number COS accepts (parts are numbered from 1).
pub const MAX_PART_NUMBER: u32 = 10_000;

/// The largest part COS accepts: 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 << 30;

object_write_headers!(MultipartInit);

/// Checks that an upload ID is given.
fn check_upload_id(upload_id: &str) -> Result<()> {
    if upload_id.is_empty() {
        return Err(Error::invalid("UploadId", "is required"));
    }
    Ok(())
}

/// Whether `n` is a valid part number.
fn is_part_number(n: u32) -> bool {
    (1..=MAX_PART_NUMBER).contains(&n)
}

/// `PUT {key}?partNumber=N&uploadId=ID`, all checked (Upload Part and Upload Part - Copy).
fn part_request(
    endpoint: &Endpoint,
    (bucket, region, key): (&str, &str, &str),
    part_number: u32,
    upload_id: &str,
) -> Result<Request> {
    let req = object_request(Method::Put, endpoint, bucket, region, key)?;
    if !is_part_number(part_number) {
        return Err(Error::invalid("PartNumber", "must be from 1 to 10000"));
    }
    check_upload_id(upload_id)?;
    Ok(req
        .with_query("partNumber", part_number.to_string())
        .with_query("uploadId", upload_id))
}

/// Checks a page size (`MaxParts`, `MaxUploads`): 1 to 1000.
fn check_page_size(field: &'static str, size: Option<u32>) -> Result<()> {
    if size.is_some_and(|n| !(1..=1000).contains(&n)) {
        return Err(Error::invalid(field, "must be from 1 to 1000"));
    }
    Ok(())
}

/// Checks `EncodingType`: `url` is the only encoding.
fn check_encoding_type(encoding_type: Option<&str>) -> Result<()> {
    if encoding_type.is_some_and(|enc| enc != "url") {
        return Err(Error::invalid("EncodingType", "the only encoding is `url`"));
    }
    Ok(())
}

/// Adds the query parameters that are set, in order.
fn push_query<const N: usize>(req: &mut Request, params: [(&str, Option<String>); N]) {
    for (name, value) in params {
        if let Some(value) = value {
            req.query.push((name.to_owned(), value));
        }
    }
}

/// The `EncodingType` of a listing, under any of the spellings COS uses.
fn encoding_type_of(root: &Element) -> Option<String> {
    root.child_any(&["EncodingType", "Encoding-type", "Encoding-Type"])
        .map(|e| e.text.clone())
}

/// Decodes a key when the listing says it is url-encoded.
fn key_of(operation: &'static str, url: bool, key: String) -> Result<String> {
    if url {
        url_decode(operation, &key)
    } else {
        Ok(key)
    }
}

/// An optional part number or count; an empty element counts as absent.
fn opt_u32(operation: &'static str, el: &Element, name: &str) -> Result<Option<u32>> {
    match el.child(name) {
        Some(c) if !c.text.trim().is_empty() => {
            let n = xml::parse_u64(operation, name, &c.text)?;
            u32::try_from(n)
                .map(Some)
                .map_err(|_| Error::parse(operation, format!("<{name}> is out of range")))
        }
        _ => Ok(None),
    }
}

/// An optional flag; an empty element counts as absent.
fn opt_bool(operation: &'static str, el: &Element, name: &str) -> Result<Option<bool>> {
    match el.child(name) {
        Some(c) if !c.text.trim().is_empty() => xml::parse_bool(operation, name, &c.text).map(Some),
        _ => Ok(None),
    }
}

/// The `x-cos-hash-crc64ecma` header as a number, if sent.
fn crc64_header(operation: &'static str, meta: &ResponseMeta) -> Result<Option<u64>> {
    meta.header(header::HASH_CRC64)
        .map(|v| xml::parse_u64(operation, header::HASH_CRC64, v))
        .transpose()
}

/// `multipartInit` (Initiate Multipart Upload): starts a multipart upload of `key` and returns
/// its upload ID. The headers given here become the finished object's metadata.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultipartInit {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Object key. Required.
    pub key: String,
    /// `Cache-Control`, saved as object metadata.
    pub cache_control: Option<String>,
    /// `Content-Disposition`, saved as object metadata.
    pub content_disposition: Option<String>,
    /// `Content-Encoding`, saved as object metadata.
    pub content_encoding: Option<String>,
    /// `Content-Type` (MIME type), saved as object metadata.
    pub content_type: Option<String>,
    /// `Expires`, saved as object metadata.
    pub expires: Option<String>,
    /// A canned object ACL: private, public-read, default, bucket-owner-read, ...
    pub acl: Option<String>,
    /// `x-cos-grant-read`: `id="..."` entries, comma separated.
    pub grant_read: Option<String>,
    /// `x-cos-grant-write`.
    pub grant_write: Option<String>,
    /// `x-cos-grant-read-acp`.
    pub grant_read_acp: Option<String>,
    /// `x-cos-grant-write-acp`.
    pub grant_write_acp: Option<String>,
    /// `x-cos-grant-full-control`.
    pub grant_full_control: Option<String>,
    /// The storage class (STANDARD, STANDARD_IA, ARCHIVE, ...); absent means STANDARD.
    pub storage_class: Option<String>,
    /// User metadata, sent as `x-cos-meta-{name}` (at most 2 KB in all).
    pub metadata: Vec<(String, String)>,
}

impl From<&crate::ops::object::PutObject> for MultipartInit {
    /// The multipart start of what `put` would store in one request: the same bucket, key
    /// and stored headers (the body, its length, `Expect` and `Content-MD5` stay behind, as
    /// they belong to one request). The transfer tasks use it to send a large `PutObject`
    /// in parts.
    fn from(put: &crate::ops::object::PutObject) -> Self {
        MultipartInit {
            bucket: put.bucket.clone(),
            region: put.region.clone(),
            key: put.key.clone(),
            cache_control: put.cache_control.clone(),
            content_disposition: put.content_disposition.clone(),
            content_encoding: put.content_encoding.clone(),
            content_type: put.content_type.clone(),
            expires: put.expires.clone(),
            acl: put.acl.clone(),
            grant_read: put.grant_read.clone(),
            grant_write: put.grant_write.clone(),
            grant_read_acp: put.grant_read_acp.clone(),
            grant_write_acp: put.grant_write_acp.clone(),
            grant_full_control: put.grant_full_control.clone(),
            storage_class: put.storage_class.clone(),
            metadata: put.metadata.clone(),
        }
    }
}

/// The result of [`MultipartInit`]: the `InitiateMultipartUploadResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateMultipartUploadResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The upload ID every later call of this upload names.
    pub upload_id: String,
}

impl Operation for MultipartInit {
    type Output = InitiateMultipartUploadResult;
    const NAME: &'static str = "InitiateMultipartUpload";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = object_request(
            Method::Post,
            endpoint,
            &self.bucket,
            &self.region,
            &self.key,
        )?
        .with_query("uploads", "");
        self.stored_headers(&mut req)?;
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<InitiateMultipartUploadResult> {
        const OP: &str = MultipartInit::NAME;
        let (meta, root) = parse_xml(OP, "InitiateMultipartUploadResult", response)?;
        let upload_id = root.required(OP, "UploadId")?;
        if upload_id.is_empty() {
            return Err(Error::parse(OP, "<UploadId> is empty"));
        }
        Ok(InitiateMultipartUploadResult {
            meta,
            bucket: root.text_of("Bucket").unwrap_or_default(),
            key: root.text_of("Key").unwrap_or_default(),
            upload_id,
        })
    }

    /// Not idempotent: every call starts a new upload, so a retry after a lost response
    /// leaves an orphaned upload behind.
    fn is_idempotent(&self) -> bool {
        false
    }

    operation_names!(bucket, key);
}

/// `multipartUpload` (Upload Part): stores one part of an upload. Sending the same part
/// number again replaces the part.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultipartUpload {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Object key. Required.
    pub key: String,
    /// The part number, 1 to 10000. Required.
    pub part_number: u32,
    /// The upload ID from [`MultipartInit`]. Required.
    pub upload_id: String,
    /// The part's data, at most [`MAX_PART_SIZE`] bytes (all parts but the last at least
    /// 1 MB, which COS checks when the upload is completed).
    pub body: Body,
    /// The body's length; when given it must equal the body's length. `Content-Length` is
    /// always sent.
    pub content_length: Option<u64>,
    /// `Content-MD5`: base64 of the part's MD5, which COS checks.
    pub content_md5: Option<String>,
    /// `Expect`, e.g. `100-continue`.
    pub expect: Option<String>,
}

/// The result of [`MultipartUpload`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UploadPartOutput {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The part's ETag, with its quotes; [`MultipartComplete`] names the part by it.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// `x-cos-hash-crc64ecma`: the CRC-64/XZ of this part.
    #[serde(
        rename = "CRC64",
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::types::u64_as_string"
    )]
    pub crc64: Option<u64>,
}

impl Operation for MultipartUpload {
    type Output = UploadPartOutput;
    const NAME: &'static str = "UploadPart";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = part_request(
            endpoint,
            (&self.bucket, &self.region, &self.key),
            self.part_number,
            &self.upload_id,
        )?;
        let len = self.body.len();
        if len > MAX_PART_SIZE {
            return Err(Error::invalid(
                "Body",
                format!("has {len} bytes; a part has at most {MAX_PART_SIZE}"),
            ));
        }
        set_body(
            &mut req,
            &self.body,
            self.content_length,
            self.content_md5.as_deref(),
        )?;
        opt_header(&mut req, header::EXPECT, self.expect.as_deref())?;
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<UploadPartOutput> {
        const OP: &str = MultipartUpload::NAME;
        let meta = response.into_success(OP)?.meta();
        let etag = meta
            .header(header::ETAG)
            .ok_or_else(|| Error::parse(OP, "the response has no ETag header"))?
            .to_owned();
        Ok(UploadPartOutput {
            crc64: crc64_header(OP, &meta)?,
            etag,
            meta,
        })
    }

    operation_names!(bucket, key);
}

/// `uploadPartCopy` (Upload Part - Copy): stores one part of an upload by copying a byte
/// range of another object.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UploadPartCopy {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Object key. Required.
    pub key: String,
    /// The part number, 1 to 10000. Required.
    pub part_number: u32,
    /// The upload ID from [`MultipartInit`]. Required.
    pub upload_id: String,
    /// The source, `{Bucket}.cos.{Region}.myqcloud.com/{Key}` (key written raw), optionally
    /// with `?versionId=...`. Required.
    pub copy_source: String,
    /// The bytes to copy, `bytes=first-last` (inclusive); absent copies the whole source.
    pub copy_source_range: Option<String>,
    /// Copy only if the source changed since this time (else 412).
    pub copy_source_if_modified_since: Option<String>,
    /// Copy only if the source did not change since this time (else 412).
    pub copy_source_if_unmodified_since: Option<String>,
    /// Copy only if the source's ETag is this one (else 412).
    pub copy_source_if_match: Option<String>,
    /// Copy only if the source's ETag is not this one (else 412).
    pub copy_source_if_none_match: Option<String>,
}

/// The result of [`UploadPartCopy`]: the `CopyPartResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CopyPartResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The new part's ETag, with its quotes.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// When the part was stored, as COS wrote it.
    pub last_modified: String,
    /// `<CRC64>`: the CRC-64/XZ of the part, when COS sends it.
    #[serde(
        rename = "CRC64",
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::types::u64_as_string"
    )]
    pub crc64: Option<u64>,
}

impl Operation for UploadPartCopy {
    type Output = CopyPartResult;
    const NAME: &'static str = "UploadPartCopy";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = part_request(
            endpoint,
            (&self.bucket, &self.region, &self.key),
            self.part_number,
            &self.upload_id,
        )?;
        let source = copy_source_header(&self.copy_source)?;
        req.headers.push((header::COPY_SOURCE.to_owned(), source));
        if let Some(range) = &self.copy_source_range {
            parse_byte_range("CopySourceRange", range)?;
        }
        for (name, value) in [
            (header::COPY_SOURCE_RANGE, &self.copy_source_range),
            (
                header::COPY_SOURCE_IF_MODIFIED_SINCE,
                &self.copy_source_if_modified_since,
            ),
            (
                header::COPY_SOURCE_IF_UNMODIFIED_SINCE,
                &self.copy_source_if_unmodified_since,
            ),
            (header::COPY_SOURCE_IF_MATCH, &self.copy_source_if_match),
            (
                header::COPY_SOURCE_IF_NONE_MATCH,
                &self.copy_source_if_none_match,
            ),
        ] {
            opt_header(&mut req, name, value.as_deref())?;
        }
        Ok(req)
    }

    /// A 200 whose body is an `<Error>` document (the copy failed after COS answered) is a
    /// service error.
    fn parse(&self, response: Response) -> Result<CopyPartResult> {
        const OP: &str = UploadPartCopy::NAME;
        let (meta, root) = parse_xml(OP, "CopyPartResult", response)?;
        Ok(CopyPartResult {
            meta,
            etag: root.text_of("ETag").unwrap_or_default(),
            last_modified: root.text_of("LastModified").unwrap_or_default(),
            crc64: root.u64_of(OP, "CRC64")?,
        })
    }

    operation_names!(bucket, key);
}

/// One part named in [`MultipartComplete`]: its number and the ETag COS returned for it.
///
/// Deserializes from the JS SDK's `{"PartNumber": 1, "ETag": "\"...\""}`; the part number may
/// also be written as a string (`"1"`), as the seed does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompletedPart {
    /// The part number, 1 to 10000.
    #[serde(rename = "PartNumber", deserialize_with = "part_number_from_json")]
    pub part_number: u32,
    /// The part's ETag, sent exactly as given (with its quotes).
    #[serde(rename = "ETag")]
    pub etag: String,
}

/// Reads a part number written as a JSON number or a string of digits.
fn part_number_from_json<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<u32, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum NumberOrText {
        Number(u64),
        Text(String),
    }
    let n = match NumberOrText::deserialize(d)? {
        NumberOrText::Number(n) => n,
        NumberOrText::Text(s) => s
            .parse()
            .map_err(|_| D::Error::custom("PartNumber is not a number"))?,
    };
    u32::try_from(n).map_err(|_| D::Error::custom("PartNumber is out of range"))
}

/// `multipartComplete` (Complete Multipart Upload): joins the named parts, in part-number
/// order, into the object. Deserializes from the JS SDK's parameters (`Bucket`, `Region`,
/// `Key`, `UploadId`, `Parts`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MultipartComplete {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Object key. Required.
    pub key: String,
    /// The upload ID from [`MultipartInit`]. Required.
    pub upload_id: String,
    /// The parts making up the object, in any order (they are sent sorted); each number
    /// 1 to 10000, at most once. Required, non-empty.
    pub parts: Vec<CompletedPart>,
}

/// The result of [`MultipartComplete`]: the `CompleteMultipartUploadResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CompleteMultipartUploadResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The object's URL, as COS wrote it.
    pub location: String,
    /// The bucket.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The object's ETag, with its quotes (`"{md5 of the part md5s}-{part count}"`).
    #[serde(rename = "ETag")]
    pub etag: String,
    /// `x-cos-version-id`, when the bucket keeps versions.
    #[serde(skip)]
    pub version_id: Option<String>,
    /// `x-cos-hash-crc64ecma`: the CRC-64/XZ of the whole object.
    #[serde(skip)]
    pub crc64: Option<u64>,
}

/// The `<CompleteMultipartUpload>` body: parts checked and sorted by number.
fn complete_body(parts: &[CompletedPart]) -> Result<Vec<u8>> {
    let bad = |why: String| Error::invalid("Parts", why);
    if parts.is_empty() {
        return Err(bad("must name at least one part".into()));
    }
    let mut sorted: Vec<&CompletedPart> = parts.iter().collect();
    sorted.sort_by_key(|p| p.part_number);
    for (i, part) in sorted.iter().enumerate() {
        let n = part.part_number;
        if !is_part_number(n) {
            return Err(bad(format!("part number {n} is not from 1 to 10000")));
        }
        if i > 0 && sorted[i - 1].part_number == n {
            return Err(bad(format!("part number {n} is given twice")));
        }
        if part.etag.is_empty() || part.etag.chars().any(char::is_control) {
            return Err(bad(format!(
                "part {n} needs an ETag without control characters"
            )));
        }
    }
    let mut w = Writer::new();
    w.open("CompleteMultipartUpload");
    for part in sorted {
        w.open("Part")
            .leaf("PartNumber", &part.part_number.to_string())
            .leaf("ETag", &part.etag)
            .close("Part");
    }
    w.close("CompleteMultipartUpload");
    Ok(w.finish())
}

impl Operation for MultipartComplete {
    type Output = CompleteMultipartUploadResult;
    const NAME: &'static str = "CompleteMultipartUpload";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = object_request(
            Method::Post,
            endpoint,
            &self.bucket,
            &self.region,
            &self.key,
        )?;
        check_upload_id(&self.upload_id)?;
        let body = complete_body(&self.parts)?;
        req.query
            .push(("uploadId".to_owned(), self.upload_id.clone()));
        set_xml_body(&mut req, body);
        Ok(req)
    }

    /// COS answers 200 as soon as it starts joining the parts, sends whitespace while it
    /// works, then the result, or an `<Error>` document, which is a service error.
    fn parse(&self, response: Response) -> Result<CompleteMultipartUploadResult> {
        const OP: &str = MultipartComplete::NAME;
        let (meta, root) = parse_xml(OP, "CompleteMultipartUploadResult", response)?;
        Ok(CompleteMultipartUploadResult {
            location: root.text_of("Location").unwrap_or_default(),
            bucket: root.text_of("Bucket").unwrap_or_default(),
            key: root.text_of("Key").unwrap_or_default(),
            etag: root.text_of("ETag").unwrap_or_default(),
            version_id: meta.header(header::VERSION_ID).map(str::to_owned),
            crc64: crc64_header(OP, &meta)?,
            meta,
        })
    }

    /// Not idempotent: once the upload is completed its ID is gone, so a retry after a lost
    /// response fails with NoSuchUpload although the object was written (and a retry racing
    /// another writer could replace a newer object).
    fn is_idempotent(&self) -> bool {
        false
    }

    operation_names!(bucket, key);
}

/// `multipartAbort` (Abort Multipart Upload): discards an upload and its stored parts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultipartAbort {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Object key. Required.
    pub key: String,
    /// The upload ID. Required.
    pub upload_id: String,
}

impl Operation for MultipartAbort {
    type Output = EmptyOutput;
    const NAME: &'static str = "AbortMultipartUpload";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let req = object_request(
            Method::Delete,
            endpoint,
            &self.bucket,
            &self.region,
            &self.key,
        )?;
        check_upload_id(&self.upload_id)?;
        Ok(req.with_query("uploadId", self.upload_id.clone()))
    }

    fn parse(&self, response: Response) -> Result<EmptyOutput> {
        EmptyOutput::from_response(Self::NAME, response)
    }

    operation_names!(bucket, key);
}

mod list;

pub use list::{
    ListMultipartUploadsResult, ListPartsResult, MultipartList, MultipartListPart,
    MultipartUploadSummary, Part,
};

#[cfg(test)]
mod tests;
