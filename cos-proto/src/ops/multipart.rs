//! Multipart upload calls: multipartInit, multipartUpload (Upload Part), uploadPartCopy
//! (Upload Part - Copy), multipartComplete, multipartListPart (List Parts), multipartAbort and
//! multipartList (List Multipart Uploads).
//!
//! A multipart upload starts with [`MultipartInit`], which returns an upload ID. Parts,
//! numbered 1 to [`MAX_PART_NUMBER`], are then sent with [`MultipartUpload`] or copied from
//! another object with [`UploadPartCopy`], in any order; [`MultipartComplete`] joins them into
//! the object and [`MultipartAbort`] discards them. [`MultipartListPart`] and [`MultipartList`]
//! show what COS holds, e.g. to resume an upload.

use base64::Engine;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};

use super::bucket::{CommonPrefix, EmptyOutput, acl_headers};
use super::{
    Operation, bucket_target, copy_source_header, opt_header, parse_byte_range, parse_xml,
    require_key, set_body, set_xml_body, url_decode, user_metadata,
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

/// The [`Operation::bucket`] (and [`Operation::key`]) of a call, from its fields.
macro_rules! names {
    (bucket) => {
        fn bucket(&self) -> Option<&str> {
            Some(&self.bucket)
        }
    };
    (bucket, key) => {
        names!(bucket);

        fn key(&self) -> Option<&str> {
            Some(&self.key)
        }
    };
}

/// A request for object `key`, with the bucket, region and key checked.
fn object_request(
    method: Method,
    endpoint: &Endpoint,
    bucket: &str,
    region: &str,
    key: &str,
) -> Result<Request> {
    let target = bucket_target(endpoint, bucket, region)?;
    require_key(key)?;
    Ok(Request::new(method, target, key))
}

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
        for (name, value) in [
            (header::CACHE_CONTROL, &self.cache_control),
            (header::CONTENT_DISPOSITION, &self.content_disposition),
            (header::CONTENT_ENCODING, &self.content_encoding),
            (header::CONTENT_TYPE, &self.content_type),
            (header::EXPIRES, &self.expires),
        ] {
            opt_header(&mut req, name, value.as_deref())?;
        }
        acl_headers(
            &mut req,
            self.acl.as_deref(),
            true,
            [
                (header::GRANT_READ, self.grant_read.as_deref()),
                (header::GRANT_WRITE, self.grant_write.as_deref()),
                (header::GRANT_READ_ACP, self.grant_read_acp.as_deref()),
                (header::GRANT_WRITE_ACP, self.grant_write_acp.as_deref()),
                (
                    header::GRANT_FULL_CONTROL,
                    self.grant_full_control.as_deref(),
                ),
            ],
        )?;
        if let Some(class) = &self.storage_class {
            let class = StorageClass::parse("StorageClass", class)?;
            req.headers
                .push((header::STORAGE_CLASS.to_owned(), class.as_str().to_owned()));
        }
        user_metadata(&mut req, &self.metadata)?;
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

    names!(bucket, key);
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

    names!(bucket, key);
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

    names!(bucket, key);
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

    names!(bucket, key);
}

/// `multipartListPart` (List Parts): the parts stored so far for an upload, by part number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultipartListPart {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Object key. Required.
    pub key: String,
    /// The upload ID. Required.
    pub upload_id: String,
    /// `url`: COS percent-encodes the key in the response; it is decoded here.
    pub encoding_type: Option<String>,
    /// The most parts per response, 1 to 1000 (COS's default: 1000).
    pub max_parts: Option<u32>,
    /// Lists the parts after this part number.
    pub part_number_marker: Option<u32>,
}

/// The result of [`MultipartListPart`]: the `ListPartsResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPartsResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The bucket.
    pub bucket: String,
    /// `url` when the key came encoded (it is decoded here); may be empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// The object key.
    pub key: String,
    /// The upload ID.
    pub upload_id: String,
    /// Who started the upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Owner>,
    /// Who owns the parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// The parts' storage class, as COS wrote it (`Standard` stays `Other("Standard")`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
    /// The marker asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub part_number_marker: Option<u32>,
    /// Where the next page starts, when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_part_number_marker: Option<u32>,
    /// The page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_parts: Option<u32>,
    /// Whether more parts follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_truncated: Option<bool>,
    /// The parts (every `<Part>`, wherever it stands in the document).
    pub part: Vec<Part>,
}

/// One stored part of an upload.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Part {
    /// The part number.
    pub part_number: u32,
    /// When it was stored, as COS wrote it.
    pub last_modified: String,
    /// Its ETag, with its quotes.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// Its size in bytes.
    pub size: u64,
}

impl Operation for MultipartListPart {
    type Output = ListPartsResult;
    const NAME: &'static str = "ListParts";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = object_request(Method::Get, endpoint, &self.bucket, &self.region, &self.key)?;
        check_upload_id(&self.upload_id)?;
        check_page_size("MaxParts", self.max_parts)?;
        check_encoding_type(self.encoding_type.as_deref())?;
        push_query(
            &mut req,
            [
                ("uploadId", Some(self.upload_id.clone())),
                ("encoding-type", self.encoding_type.clone()),
                ("max-parts", self.max_parts.map(|n| n.to_string())),
                (
                    "part-number-marker",
                    self.part_number_marker.map(|n| n.to_string()),
                ),
            ],
        );
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<ListPartsResult> {
        const OP: &str = MultipartListPart::NAME;
        let (meta, root) = parse_xml(OP, "ListPartsResult", response)?;
        let encoding_type = encoding_type_of(&root);
        let url = encoding_type.as_deref() == Some("url");
        let part = root
            .children_named("Part")
            .map(|p| {
                Ok(Part {
                    part_number: opt_u32(OP, p, "PartNumber")?
                        .ok_or_else(|| Error::parse(OP, "a <Part> has no <PartNumber>"))?,
                    last_modified: p.text_of("LastModified").unwrap_or_default(),
                    etag: p.text_of("ETag").unwrap_or_default(),
                    size: p.u64_of(OP, "Size")?.unwrap_or(0),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ListPartsResult {
            bucket: root.text_of("Bucket").unwrap_or_default(),
            key: key_of(OP, url, root.text_of("Key").unwrap_or_default())?,
            upload_id: root.text_of("UploadId").unwrap_or_default(),
            initiator: root.child("Initiator").map(Owner::from_xml),
            owner: root.child("Owner").map(Owner::from_xml),
            storage_class: root
                .text_of("StorageClass")
                .map(|s| StorageClass::from_wire(&s)),
            part_number_marker: opt_u32(OP, &root, "PartNumberMarker")?,
            next_part_number_marker: opt_u32(OP, &root, "NextPartNumberMarker")?,
            max_parts: opt_u32(OP, &root, "MaxParts")?,
            is_truncated: opt_bool(OP, &root, "IsTruncated")?,
            encoding_type,
            part,
            meta,
        })
    }

    names!(bucket, key);
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
        let meta = response.into_success(Self::NAME)?.meta();
        Ok(EmptyOutput { meta })
    }

    names!(bucket, key);
}

/// `multipartList` (List Multipart Uploads): the uploads of a bucket that are neither
/// completed nor aborted, up to 1000 per call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MultipartList {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Only uploads whose key starts with this prefix.
    pub prefix: Option<String>,
    /// Groups keys that contain it after the prefix into `CommonPrefixes` (usually `/`).
    pub delimiter: Option<String>,
    /// `url`: COS percent-encodes the keys in the response; they are decoded here.
    pub encoding_type: Option<String>,
    /// The most uploads per response, 1 to 1000 (COS's default: 1000).
    pub max_uploads: Option<u32>,
    /// Starts listing after this key (with `upload_id_marker`: after that upload of it).
    pub key_marker: Option<String>,
    /// With `key_marker`: starts after this upload ID of that key (the seed's
    /// `UploadIdMarker`, query `upload-id-marker`).
    pub upload_id_marker: Option<String>,
}

/// The result of [`MultipartList`]: the `ListMultipartUploadsResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListMultipartUploadsResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The bucket.
    pub bucket: String,
    /// `url` when the keys came encoded (they are decoded here); may be empty.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// The key marker asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key_marker: Option<String>,
    /// The upload ID marker asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub upload_id_marker: Option<String>,
    /// Where the next page starts (key), when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_key_marker: Option<String>,
    /// Where the next page starts (upload ID), when truncated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_upload_id_marker: Option<String>,
    /// The page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_uploads: Option<u32>,
    /// Whether more uploads follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_truncated: Option<bool>,
    /// The prefix asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The delimiter asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// The uploads.
    pub upload: Vec<MultipartUploadSummary>,
    /// The groups of keys sharing a prefix up to the delimiter (from `<CommonPrefixes>` or
    /// COS's `<CommonPrefixs>`).
    pub common_prefixes: Vec<CommonPrefix>,
}

/// One upload of [`ListMultipartUploadsResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct MultipartUploadSummary {
    /// The object key.
    pub key: String,
    /// The upload ID.
    pub upload_id: String,
    /// The storage class, as COS wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
    /// Who started the upload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiator: Option<Owner>,
    /// Who owns the parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// When the upload started, as COS wrote it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub initiated: Option<String>,
}

impl Operation for MultipartList {
    type Output = ListMultipartUploadsResult;
    const NAME: &'static str = "ListMultipartUploads";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = Request::new(
            Method::Get,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        )
        .with_query("uploads", "");
        check_page_size("MaxUploads", self.max_uploads)?;
        check_encoding_type(self.encoding_type.as_deref())?;
        push_query(
            &mut req,
            [
                ("prefix", self.prefix.clone()),
                ("delimiter", self.delimiter.clone()),
                ("encoding-type", self.encoding_type.clone()),
                ("max-uploads", self.max_uploads.map(|n| n.to_string())),
                ("key-marker", self.key_marker.clone()),
                ("upload-id-marker", self.upload_id_marker.clone()),
            ],
        );
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<ListMultipartUploadsResult> {
        const OP: &str = MultipartList::NAME;
        let (meta, root) = parse_xml(OP, "ListMultipartUploadsResult", response)?;
        let encoding_type = encoding_type_of(&root);
        let url = encoding_type.as_deref() == Some("url");
        let opt_key = |s: Option<String>| s.map(|s| key_of(OP, url, s)).transpose();
        let upload = root
            .children_named("Upload")
            .map(|u| {
                Ok(MultipartUploadSummary {
                    key: key_of(OP, url, u.text_of("Key").unwrap_or_default())?,
                    upload_id: u.text_of("UploadId").unwrap_or_default(),
                    storage_class: u
                        .text_of("StorageClass")
                        .map(|s| StorageClass::from_wire(&s)),
                    initiator: u.child("Initiator").map(Owner::from_xml),
                    owner: u.child("Owner").map(Owner::from_xml),
                    initiated: u.text_of("Initiated"),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let common_prefixes = root
            .children
            .iter()
            .filter(|c| c.name == "CommonPrefixes" || c.name == "CommonPrefixs")
            .flat_map(|c| c.children_named("Prefix"))
            .map(|p| {
                Ok(CommonPrefix {
                    prefix: key_of(OP, url, p.text.clone())?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(ListMultipartUploadsResult {
            bucket: root.text_of("Bucket").unwrap_or_default(),
            key_marker: opt_key(root.text_of("KeyMarker"))?,
            upload_id_marker: root.text_of("UploadIdMarker"),
            next_key_marker: opt_key(root.text_of("NextKeyMarker"))?,
            next_upload_id_marker: root.text_of("NextUploadIdMarker"),
            max_uploads: opt_u32(OP, &root, "MaxUploads")?,
            is_truncated: opt_bool(OP, &root, "IsTruncated")?,
            prefix: opt_key(root.text_of("Prefix"))?,
            delimiter: root.text_of("Delimiter"),
            encoding_type,
            upload,
            common_prefixes,
            meta,
        })
    }

    names!(bucket);
}

#[cfg(test)]
mod tests {
    use serde::de::IntoDeserializer;
    use serde::de::value::{Error as DeError, StrDeserializer, U64Deserializer};

    use super::super::content_md5;
    use super::*;

    const BUCKET: &str = "examplebucket-1250000000";
    const REGION: &str = "ap-guangzhou";
    const URL: &str = "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
    const ID: &str = "1585130821cbb7df1d11846c073ad648e8f33b087cec";
    const NO_SUCH_UPLOAD: &str = "<?xml version='1.0'?>\n<Error><Code>NoSuchUpload</Code><Message>gone</Message><RequestId>r1</RequestId></Error>";

    /// Each change to a fresh `$base` makes `to_request` fail naming `$field`.
    macro_rules! rejects {
        ($base:expr, |$o:ident| $($field:literal => $change:expr),+ $(,)?) => {$(
            let mut $o = $base;
            $change;
            let err = $o.to_request(&Endpoint::new()).expect_err($field);
            assert_eq!(err.field(), Some($field), "{err}");
        )+};
    }

    /// `$op` fails to parse each response with `$code` (see [`code`]).
    macro_rules! fails {
        ($op:expr, $($code:literal => $response:expr),+ $(,)?) => {$(
            assert_eq!(code($op.parse($response).expect_err($code)), $code);
        )+};
    }

    fn headers(req: &Request) -> Vec<(&str, &str)> {
        req.headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect()
    }

    fn request<O: Operation>(op: &O) -> Request {
        op.to_request(&Endpoint::new()).expect("valid")
    }

    fn ok(body: &str) -> Response {
        Response::new(200).with_body(body)
    }

    fn status(status: u16, body: &str) -> Response {
        Response::new(status).with_body(body)
    }

    /// The COS code of a service error, `Parse(operation)` for a parse error.
    fn code(err: Error) -> String {
        match err {
            Error::Service(e) => e.code.clone(),
            Error::Parse { operation, .. } => format!("Parse({operation})"),
            other => format!("{other}"),
        }
    }

    fn init() -> MultipartInit {
        let (bucket, region) = (BUCKET.into(), REGION.into());
        let key = "dir/a b.jpg".into();
        MultipartInit {
            bucket,
            region,
            key,
            ..MultipartInit::default()
        }
    }

    #[test]
    fn init_request() {
        let op = MultipartInit {
            cache_control: Some("max-age=60".into()),
            content_type: Some("image/jpeg".into()),
            expires: Some("Wed, 21 Oct 2015 07:28:00 GMT".into()),
            acl: Some("bucket-owner-read".into()),
            grant_full_control: Some("id=\"qcs::cam::uin/1:uin/2\"".into()),
            storage_class: Some("STANDARD_IA".into()),
            metadata: vec![("author".into(), "me".into())],
            ..init()
        };
        let req = request(&op);
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url(), format!("{URL}/dir/a%20b.jpg?uploads"));
        assert_eq!(
            headers(&req),
            [
                ("Cache-Control", "max-age=60"),
                ("Content-Type", "image/jpeg"),
                ("Expires", "Wed, 21 Oct 2015 07:28:00 GMT"),
                ("x-cos-acl", "bucket-owner-read"),
                ("x-cos-grant-full-control", "id=\"qcs::cam::uin/1:uin/2\""),
                ("x-cos-storage-class", "STANDARD_IA"),
                ("x-cos-meta-author", "me"),
            ]
        );
        assert_eq!(req.body, Body::Empty);
        assert!(!op.is_idempotent());
        assert_eq!(op.bucket(), Some(BUCKET));
        assert_eq!(op.key(), Some("dir/a b.jpg"));
        rejects!(init(), |o|
            "Key" => o.key.clear(),
            "Bucket" => o.bucket = "nope".into(),
            "Region" => o.region.clear(),
            "StorageClass" => o.storage_class = Some("Standard".into()),
            "ACL" => o.acl = Some("public".into()),
            "Headers[Content-Type]" => o.content_type = Some("a\r\nb".into()),
            "Headers[x-cos-grant-read]" => o.grant_read = Some("\n".into()),
            "Headers[x-cos-meta-a b]" => o.metadata = vec![("a b".into(), "1".into())],
        );
    }

    #[test]
    fn init_response() {
        let body = "<?xml version=\"1.0\"?>\n<InitiateMultipartUploadResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">\n\t<Bucket>examplebucket-1250000000</Bucket>\n\t<Key> a key </Key>\n\t<UploadId>u-1</UploadId>\n</InitiateMultipartUploadResult>";
        let response = ok(body).with_header("x-cos-request-id", "rid");
        let out = init().parse(response).expect("parses");
        assert_eq!(out.bucket, BUCKET);
        assert_eq!(out.key, " a key ");
        assert_eq!(out.upload_id, "u-1");
        assert_eq!(out.meta.status, 200);
        assert_eq!(out.meta.request_id.as_deref(), Some("rid"));
        fails!(init(),
            "NoSuchBucket" => status(404, "<Error><Code>NoSuchBucket</Code></Error>"),
            "AccessDenied" => Response::new(403),
            "NoSuchUpload" => ok(NO_SUCH_UPLOAD),
            "Parse(InitiateMultipartUpload)" => ok("<InitiateMultipartUploadResult><UploadId/></InitiateMultipartUploadResult>"),
            "Parse(InitiateMultipartUpload)" => ok("<InitiateMultipartUploadResult><Key>k</Key></InitiateMultipartUploadResult>"),
            "Parse(InitiateMultipartUpload)" => ok("<ListPartsResult/>"),
        );
    }

    fn upload() -> MultipartUpload {
        MultipartUpload {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "k".into(),
            part_number: 3,
            upload_id: ID.into(),
            body: Body::from(b"hello".to_vec()),
            ..MultipartUpload::default()
        }
    }

    #[test]
    fn upload_part_request() {
        let op = MultipartUpload {
            content_length: Some(5),
            content_md5: Some(content_md5(b"hello")),
            expect: Some("100-continue".into()),
            ..upload()
        };
        let req = request(&op);
        assert_eq!(req.method, Method::Put);
        assert_eq!(req.url(), format!("{URL}/k?partNumber=3&uploadId={ID}"));
        assert_eq!(
            headers(&req),
            [
                ("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="),
                ("Content-Length", "5"),
                ("Expect", "100-continue"),
            ]
        );
        assert_eq!(req.body, Body::from(b"hello".to_vec()));
        assert!(op.is_idempotent());
        let body = Body::Stream { length: 1 << 20 };
        let last = MultipartUpload {
            part_number: 10_000,
            body: body.clone(),
            ..upload()
        };
        let req = request(&last);
        assert_eq!(headers(&req), [("Content-Length", "1048576")]);
        assert_eq!(req.body, body);
        rejects!(upload(), |o|
            "PartNumber" => o.part_number = 0,
            "PartNumber" => o.part_number = 10_001,
            "UploadId" => o.upload_id.clear(),
            "Key" => o.key.clear(),
            "ContentLength" => o.content_length = Some(4),
            "Body" => o.body = Body::Stream { length: MAX_PART_SIZE + 1 },
            "ContentMD5" => o.content_md5 = Some("not base64!".into()),
            "ContentMD5" => o.content_md5 = Some("aGVsbG8=".into()),
            "Headers[Expect]" => o.expect = Some("a\nb".into()),
        );
    }

    #[test]
    fn upload_part_response() {
        let response = Response::new(200)
            .with_header("ETag", "\"5d41402abc4b2a76b9719d911017c592\"")
            .with_header("x-cos-hash-crc64ecma", "18446744073709551615");
        let out = upload().parse(response).expect("parses");
        assert_eq!(out.etag, "\"5d41402abc4b2a76b9719d911017c592\"");
        assert_eq!(out.crc64, Some(u64::MAX));
        let bad_crc = Response::new(200)
            .with_header("ETag", "\"x\"")
            .with_header("x-cos-hash-crc64ecma", "-1");
        fails!(upload(),
            "NoSuchUpload" => status(404, NO_SUCH_UPLOAD),
            "Parse(UploadPart)" => Response::new(200),
            "Parse(UploadPart)" => bad_crc,
        );
    }

    fn copy() -> UploadPartCopy {
        UploadPartCopy {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "k".into(),
            part_number: 1,
            upload_id: ID.into(),
            copy_source: "src-1250000000.cos.ap-beijing.myqcloud.com/a b.bin".into(),
            ..UploadPartCopy::default()
        }
    }

    #[test]
    fn upload_part_copy_request() {
        let since = "Wed, 21 Oct 2015 07:28:00 GMT";
        let op = UploadPartCopy {
            copy_source_range: Some("bytes=0-1048575".into()),
            copy_source_if_match: Some("\"abc\"".into()),
            copy_source_if_unmodified_since: Some(since.into()),
            ..copy()
        };
        let req = request(&op);
        assert_eq!(req.method, Method::Put);
        assert_eq!(req.url(), format!("{URL}/k?partNumber=1&uploadId={ID}"));
        let source = "src-1250000000.cos.ap-beijing.myqcloud.com/a%20b.bin";
        assert_eq!(
            headers(&req),
            [
                ("x-cos-copy-source", source),
                ("x-cos-copy-source-range", "bytes=0-1048575"),
                ("x-cos-copy-source-If-Unmodified-Since", since),
                ("x-cos-copy-source-If-Match", "\"abc\""),
            ]
        );
        assert_eq!(req.body, Body::Empty);
        rejects!(copy(), |o|
            "CopySource" => o.copy_source.clear(),
            "CopySource" => o.copy_source = "nobucket.cos.x.com/k".into(),
            "CopySourceRange" => o.copy_source_range = Some("bytes=5-1".into()),
            "CopySourceRange" => o.copy_source_range = Some("0-1".into()),
            "PartNumber" => o.part_number = 0,
            "UploadId" => o.upload_id.clear(),
            "Key" => o.key.clear(),
            "Headers[x-cos-copy-source-If-None-Match]" => o.copy_source_if_none_match = Some("\r".into()),
        );
    }

    #[test]
    fn upload_part_copy_response() {
        let body = "<CopyPartResult>\n\t<ETag>\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"</ETag>\n\t<LastModified>2017-09-04T04:45:45</LastModified>\n\t<CRC64>16749565679157681890</CRC64>\n</CopyPartResult>";
        let out = copy().parse(ok(body)).expect("parses");
        assert_eq!(out.etag, "\"ba82b57cfdfda8bd17ad4e5879ebb4fe\"");
        assert_eq!(out.last_modified, "2017-09-04T04:45:45");
        assert_eq!(out.crc64, Some(16_749_565_679_157_681_890));
        // COS may answer 200 and report the failed copy in the body.
        fails!(copy(),
            "NoSuchUpload" => ok(NO_SUCH_UPLOAD),
            "PreconditionFailed" => Response::new(412),
            "Parse(UploadPartCopy)" => ok("<CopyPartResult><CRC64>x</CRC64></CopyPartResult>"),
            "Parse(UploadPartCopy)" => ok("<CopyPartResult>"),
        );
    }

    fn part(part_number: u32, etag: &str) -> CompletedPart {
        CompletedPart {
            part_number,
            etag: etag.into(),
        }
    }

    fn complete() -> MultipartComplete {
        MultipartComplete {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "exampleobject".into(),
            upload_id: ID.into(),
            parts: vec![part(3, "\"c\""), part(1, "\"a&b\""), part(2, "\"b\"")],
        }
    }

    #[test]
    fn complete_request() {
        let op = complete();
        let req = request(&op);
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url(), format!("{URL}/exampleobject?uploadId={ID}"));
        // Sorted by part number; ETags kept with their quotes (escaped as XML text).
        let body = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;a&amp;b&quot;</ETag></Part><Part><PartNumber>2</PartNumber><ETag>&quot;b&quot;</ETag></Part><Part><PartNumber>3</PartNumber><ETag>&quot;c&quot;</ETag></Part></CompleteMultipartUpload>";
        assert_eq!(req.body, Body::from(body.as_bytes()));
        let md5 = content_md5(body.as_bytes());
        let len = body.len().to_string();
        let expected = [
            ("Content-Type", "application/xml"),
            ("Content-MD5", &md5),
            ("Content-Length", &len),
        ];
        assert_eq!(headers(&req), expected);
        let doc = xml::parse("T", body.as_bytes()).expect("xml");
        let first = doc.child("Part").and_then(|p| p.text_of("ETag"));
        assert_eq!(first.as_deref(), Some("\"a&b\""));
        assert!(!op.is_idempotent());
        rejects!(complete(), |o|
            "Parts" => o.parts.clear(),
            "Parts" => o.parts = vec![part(1, "\"a\""), part(2, "\"b\""), part(1, "\"c\"")],
            "Parts" => o.parts = vec![part(0, "\"a\"")],
            "Parts" => o.parts = vec![part(10_001, "\"a\"")],
            "Parts" => o.parts = vec![part(1, "")],
            "Parts" => o.parts = vec![part(1, "\"a\0\"")],
            "UploadId" => o.upload_id.clear(),
            "Key" => o.key.clear(),
        );
    }

    #[test]
    fn part_numbers_read_from_numbers_or_text() {
        let number: U64Deserializer<DeError> = 7u64.into_deserializer();
        assert_eq!(part_number_from_json(number), Ok(7));
        let text: StrDeserializer<'_, DeError> = "9".into_deserializer();
        assert_eq!(part_number_from_json(text), Ok(9));
        let text: StrDeserializer<'_, DeError> = "x".into_deserializer();
        assert!(part_number_from_json(text).is_err());
        let big: U64Deserializer<DeError> = (u64::from(u32::MAX) + 1).into_deserializer();
        assert!(part_number_from_json(big).is_err());
    }

    #[test]
    fn complete_response() {
        // COS sends whitespace while it joins the parts, then the document.
        let body = "\n \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CompleteMultipartUploadResult xmlns=\"http://www.qcloud.com/document/product/436/7751\">\n\t<Location>http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject</Location>\n\t<Bucket>examplebucket-1250000000</Bucket>\n\t<Key>exampleobject</Key>\n\t<ETag>&quot;aa259a62513358f69e98e72e59856d88-3&quot;</ETag>\n</CompleteMultipartUploadResult>";
        let response = ok(body)
            .with_header("x-cos-version-id", "v1")
            .with_header("x-cos-hash-crc64ecma", "123");
        let out = complete().parse(response).expect("parses");
        let location = "http://examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject";
        assert_eq!(out.location, location);
        assert_eq!(out.bucket, BUCKET);
        assert_eq!(out.key, "exampleobject");
        assert_eq!(out.etag, "\"aa259a62513358f69e98e72e59856d88-3\"");
        assert_eq!(out.version_id.as_deref(), Some("v1"));
        assert_eq!(out.crc64, Some(123));
        fails!(complete(),
            "InvalidPart" => ok("\n\n<Error><Code>InvalidPart</Code><Message>part 2</Message></Error>"),
            "NoSuchUpload" => status(404, NO_SUCH_UPLOAD),
            "Parse(CompleteMultipartUpload)" => ok(""),
            "Parse(CompleteMultipartUpload)" => ok("\n\n"),
            "Parse(CompleteMultipartUpload)" => ok(body).with_header("x-cos-hash-crc64ecma", "x"),
        );
    }

    fn list_parts() -> MultipartListPart {
        MultipartListPart {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "k".into(),
            upload_id: ID.into(),
            ..MultipartListPart::default()
        }
    }

    #[test]
    fn list_parts_request() {
        let req = request(&list_parts());
        assert_eq!(req.method, Method::Get);
        assert_eq!(req.url(), format!("{URL}/k?uploadId={ID}"));
        let op = MultipartListPart {
            encoding_type: Some("url".into()),
            max_parts: Some(1000),
            part_number_marker: Some(0),
            ..list_parts()
        };
        let req = request(&op);
        let query = "encoding-type=url&max-parts=1000&part-number-marker=0";
        assert_eq!(req.url(), format!("{URL}/k?uploadId={ID}&{query}"));
        assert!(req.headers.is_empty());
        rejects!(list_parts(), |o|
            "MaxParts" => o.max_parts = Some(0),
            "MaxParts" => o.max_parts = Some(1001),
            "EncodingType" => o.encoding_type = Some("base64".into()),
            "UploadId" => o.upload_id.clear(),
            "Key" => o.key.clear(),
        );
    }

    #[test]
    fn list_parts_response() {
        // Parts split by other elements, `Encoding-type` spelling, url-encoded key, a namespace.
        let body = "<ns:ListPartsResult xmlns:ns=\"urn:x\"><Bucket>examplebucket-1250000000</Bucket><Encoding-type>url</Encoding-type><Key>dir/a%20b+%E4%B8%AD</Key><UploadId>u</UploadId><Owner><ID>1250000000</ID><DisplayName>1250000000</DisplayName></Owner><PartNumberMarker>0</PartNumberMarker><Part><PartNumber>1</PartNumber><LastModified>2020-03-25T10:07:14.000Z</LastModified><ETag>&quot;a&quot;</ETag><Size>1048576</Size></Part><Initiator><ID>qcs::cam::uin/1:uin/2</ID></Initiator><Part><PartNumber>3</PartNumber><LastModified>t</LastModified><ETag>\"c\"</ETag><Size>5</Size></Part><StorageClass>Standard</StorageClass><NextPartNumberMarker>3</NextPartNumberMarker><MaxParts>2</MaxParts><IsTruncated>true</IsTruncated></ns:ListPartsResult>";
        let out = list_parts().parse(ok(body)).expect("parses");
        assert_eq!(out.bucket, BUCKET);
        assert_eq!(out.encoding_type.as_deref(), Some("url"));
        assert_eq!(out.key, "dir/a b+中");
        assert_eq!(out.upload_id, "u");
        let initiator = out.initiator.map(|o| o.id);
        assert_eq!(initiator.as_deref(), Some("qcs::cam::uin/1:uin/2"));
        let owner = Owner {
            id: "1250000000".into(),
            display_name: Some("1250000000".into()),
        };
        assert_eq!(out.owner, Some(owner));
        assert_eq!(
            out.storage_class,
            Some(StorageClass::Other("Standard".into()))
        );
        assert_eq!(out.part_number_marker, Some(0));
        assert_eq!(out.next_part_number_marker, Some(3));
        assert_eq!(out.max_parts, Some(2));
        assert_eq!(out.is_truncated, Some(true));
        let first = Part {
            part_number: 1,
            last_modified: "2020-03-25T10:07:14.000Z".into(),
            etag: "\"a\"".into(),
            size: 1_048_576,
        };
        assert_eq!(out.part.first(), Some(&first));
        let parts: Vec<_> = out
            .part
            .iter()
            .map(|p| (p.part_number, &*p.etag, p.size))
            .collect();
        assert_eq!(parts, [(1, "\"a\"", 1_048_576), (3, "\"c\"", 5)]);
        // An empty EncodingType leaves the key alone; no parts is an empty list.
        let empty = "<ListPartsResult><EncodingType/><Key>a%20b</Key></ListPartsResult>";
        let out = list_parts().parse(ok(empty)).expect("parses");
        assert_eq!(out.encoding_type.as_deref(), Some(""));
        assert_eq!(out.key, "a%20b");
        assert!(out.part.is_empty());
        assert_eq!(out.is_truncated, None);
        fails!(list_parts(),
            "NoSuchUpload" => status(404, NO_SUCH_UPLOAD),
            "Parse(ListParts)" => ok("<ListPartsResult><Part><Size>1</Size></Part></ListPartsResult>"),
            "Parse(ListParts)" => ok("<ListPartsResult><Part><PartNumber>4294967296</PartNumber></Part></ListPartsResult>"),
            "Parse(ListParts)" => ok("<ListPartsResult><EncodingType>url</EncodingType><Key>%zz</Key></ListPartsResult>"),
            "Parse(ListParts)" => ok("<ListPartsResult><IsTruncated>maybe</IsTruncated></ListPartsResult>"),
        );
    }

    #[test]
    fn abort() {
        let op = MultipartAbort {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "a/b c".into(),
            upload_id: ID.into(),
        };
        let req = request(&op);
        assert_eq!(req.method, Method::Delete);
        assert_eq!(req.url(), format!("{URL}/a/b%20c?uploadId={ID}"));
        assert!(req.headers.is_empty());
        assert!(op.is_idempotent());
        assert_eq!(op.parse(Response::new(204)).map(|o| o.meta.status), Ok(204));
        fails!(op, "NoSuchUpload" => status(404, NO_SUCH_UPLOAD));
        rejects!(op.clone(), |o|
            "UploadId" => o.upload_id.clear(),
            "Key" => o.key.clear(),
        );
    }

    fn list_uploads() -> MultipartList {
        let (bucket, region) = (BUCKET.into(), REGION.into());
        MultipartList {
            bucket,
            region,
            ..MultipartList::default()
        }
    }

    #[test]
    fn list_uploads_request() {
        let req = request(&list_uploads());
        assert_eq!(req.method, Method::Get);
        assert_eq!(req.url(), format!("{URL}/?uploads"));
        let op = MultipartList {
            prefix: Some("a b/".into()),
            delimiter: Some("/".into()),
            encoding_type: Some("url".into()),
            max_uploads: Some(10),
            key_marker: Some("k".into()),
            upload_id_marker: Some("u1".into()),
            ..list_uploads()
        };
        let req = request(&op);
        let query = "prefix=a%20b%2F&delimiter=%2F&encoding-type=url&max-uploads=10&key-marker=k&upload-id-marker=u1";
        assert_eq!(req.url(), format!("{URL}/?uploads&{query}"));
        assert_eq!(op.bucket(), Some(BUCKET));
        assert_eq!(op.key(), None);
        rejects!(list_uploads(), |o|
            "MaxUploads" => o.max_uploads = Some(0),
            "MaxUploads" => o.max_uploads = Some(1001),
            "EncodingType" => o.encoding_type = Some("URL".into()),
            "Bucket" => o.bucket = "x".into(),
        );
    }

    #[test]
    fn list_uploads_response() {
        // `Encoding-Type` spelling, url-encoded keys, `CommonPrefixs` and `CommonPrefixes`,
        // uploads split by other elements.
        let body = "<ListMultipartUploadsResult>\n<Bucket>examplebucket-1250000000</Bucket><Encoding-Type>url</Encoding-Type><KeyMarker>a%2Fb</KeyMarker><UploadIdMarker/><NextKeyMarker>c%20d</NextKeyMarker><NextUploadIdMarker>u2</NextUploadIdMarker><MaxUploads>2</MaxUploads><Prefix>p%2F</Prefix><Delimiter>/</Delimiter><IsTruncated>TRUE</IsTruncated><Upload><Key>p%2Fx%20y</Key><UploadId>u1</UploadId><Initiator><ID>i</ID></Initiator><Owner><ID>o</ID><DisplayName>n</DisplayName></Owner><StorageClass>STANDARD_IA</StorageClass><Initiated>Wed Jan 18 16:04:17 2017</Initiated></Upload><CommonPrefixs><Prefix>p%2Fdir%2F</Prefix></CommonPrefixs><Upload><Key>p%2Fz</Key><UploadId>u2</UploadId></Upload><CommonPrefixes><Prefix>p%2Fe%20f%2F</Prefix></CommonPrefixes></ListMultipartUploadsResult>";
        let out = list_uploads().parse(ok(body)).expect("parses");
        assert_eq!(out.bucket, BUCKET);
        assert_eq!(out.encoding_type.as_deref(), Some("url"));
        assert_eq!(out.key_marker.as_deref(), Some("a/b"));
        assert_eq!(out.upload_id_marker.as_deref(), Some(""));
        assert_eq!(out.next_key_marker.as_deref(), Some("c d"));
        assert_eq!(out.next_upload_id_marker.as_deref(), Some("u2"));
        assert_eq!(out.max_uploads, Some(2));
        assert_eq!(out.is_truncated, Some(true));
        assert_eq!(out.prefix.as_deref(), Some("p/"));
        assert_eq!(out.delimiter.as_deref(), Some("/"));
        let first = MultipartUploadSummary {
            key: "p/x y".into(),
            upload_id: "u1".into(),
            storage_class: Some(StorageClass::StandardIa),
            initiator: Some(Owner {
                id: "i".into(),
                display_name: None,
            }),
            owner: Some(Owner {
                id: "o".into(),
                display_name: Some("n".into()),
            }),
            initiated: Some("Wed Jan 18 16:04:17 2017".into()),
        };
        let second = MultipartUploadSummary {
            key: "p/z".into(),
            upload_id: "u2".into(),
            ..MultipartUploadSummary::default()
        };
        assert_eq!(out.upload, [first, second]);
        let prefixes: Vec<_> = out.common_prefixes.iter().map(|p| &*p.prefix).collect();
        assert_eq!(prefixes, ["p/dir/", "p/e f/"]);
        // Without EncodingType the keys stay as written; empty lists are empty.
        let plain =
            "<ListMultipartUploadsResult><Prefix>a%20</Prefix></ListMultipartUploadsResult>";
        let out = list_uploads().parse(ok(plain)).expect("parses");
        assert_eq!(out.prefix.as_deref(), Some("a%20"));
        assert_eq!(out.encoding_type, None);
        assert!(out.upload.is_empty() && out.common_prefixes.is_empty());
        fails!(list_uploads(),
            "NoSuchBucket" => status(404, "<Error><Code>NoSuchBucket</Code></Error>"),
            "Parse(ListMultipartUploads)" => ok("<ListMultipartUploadsResult><MaxUploads>x</MaxUploads></ListMultipartUploadsResult>"),
            "Parse(ListMultipartUploads)" => ok("<ListMultipartUploadsResult><Encoding-Type>url</Encoding-Type><Upload><Key>%</Key></Upload></ListMultipartUploadsResult>"),
        );
    }
}
