//! Every call of the COS XML API as a plain parameter struct that becomes a [`Request`]
//! and parses its [`Response`] into a typed output — one module per API group.
//!
//! | module | calls |
//! | --- | --- |
//! | [`bucket`] | headBucket, getBucket, putBucket, deleteBucket, getBucketLocation, getService |
//! | [`acl`] | getBucketAcl, putBucketAcl, getObjectAcl, putObjectAcl |
//! | [`cors`] | getBucketCors, putBucketCors, deleteBucketCors, optionsObject |
//! | [`object`] | headObject, getObject, putObject, deleteObject, deleteMultipleObject, putObjectCopy |
//! | [`multipart`] | multipartInit, multipartUpload, uploadPartCopy, multipartComplete, multipartListPart, multipartAbort, multipartList |
//!
//! Every struct has the seed's parameters as fields (Rust names, same meaning), implements
//! `Default` (so only what is needed is spelled out), and validates its fields when it builds
//! the request: a bad value is an [`Error::InvalidInput`] naming the field, before anything
//! is sent. The driver runs any of them through [`Operation`].

use base64::Engine;
use md5::{Digest, Md5};

use crate::endpoint::{Bucket, Endpoint, Region, Target};
use crate::error::{Error, Result};
use crate::header;
use crate::http::{Body, Method, Request};
use crate::response::{Response, ResponseMeta};
use crate::xml::{self, Element};

pub mod acl;
pub mod bucket;
pub mod cors;
pub mod multipart;
pub mod object;
#[cfg(test)]
mod testing;

/// One COS call: how to build its request and how to read its response.
///
/// Call order for a driver: [`Operation::to_request`], sign the request, send it (streaming
/// the body for [`Body::Stream`]), read the status and headers, read the body into
/// [`Response::body`] unless [`Operation::STREAMS_RESPONSE_BODY`], then
/// [`Operation::parse`].
pub trait Operation {
    /// The typed result.
    type Output;

    /// The operation's name as COS documents it (`GetBucket`, `UploadPart`), for errors and
    /// request counts.
    const NAME: &'static str;

    /// Whether the 2xx response body is the object's data, which the driver streams to the
    /// caller instead of reading it into [`Response::body`] (GetObject).
    const STREAMS_RESPONSE_BODY: bool = false;

    /// Validates the parameters and describes the request.
    fn to_request(&self, endpoint: &Endpoint) -> Result<Request>;

    /// Reads the response. A non-2xx status (or a 2xx carrying an `<Error>` document) is an
    /// [`Error::Service`].
    fn parse(&self, response: Response) -> Result<Self::Output>;

    /// Whether sending the request again has the same effect as sending it once, so a
    /// failed attempt may be retried.
    fn is_idempotent(&self) -> bool {
        true
    }

    /// The bucket the call is about, for error messages.
    fn bucket(&self) -> Option<&str> {
        None
    }

    /// The region of the bucket the call is about (what a credential provider is told).
    fn region(&self) -> Option<&str> {
        None
    }

    /// The object key the call is about, for error messages.
    fn key(&self) -> Option<&str> {
        None
    }
}

/// The target for `bucket` in `region`, both validated.
pub(crate) fn bucket_target(endpoint: &Endpoint, bucket: &str, region: &str) -> Result<Target> {
    endpoint.target(&Bucket::new(bucket)?, &Region::new(region)?)
}

/// A request for object `key`, with the bucket, region and key checked.
pub(crate) fn object_request(
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

/// Gives the calls that write an object (putObject, putObjectCopy, multipartInit)
/// `stored_headers`: what they send about the object, in this order — content headers (with
/// any extra ones named after the call, e.g. `+ expect = header::EXPECT`), storage class (any
/// letter case accepted, sent as COS writes it), ACL and grants, user metadata. One body, so
/// the three calls validate these fields identically.
macro_rules! object_write_headers {
    ($($op:ident $(+ $extra:ident = $name:expr)*),+ $(,)?) => {$(
        impl $op {
            fn stored_headers(&self, req: &mut Request) -> Result<()> {
                use $crate::ops::opt_header;
                for (name, value) in [
                    (header::CACHE_CONTROL, &self.cache_control),
                    (header::CONTENT_DISPOSITION, &self.content_disposition),
                    (header::CONTENT_ENCODING, &self.content_encoding),
                    (header::CONTENT_TYPE, &self.content_type),
                    $(($name, &self.$extra),)*
                    (header::EXPIRES, &self.expires),
                ] {
                    opt_header(req, name, value.as_deref())?;
                }
                if let Some(s) = &self.storage_class {
                    let class = $crate::types::StorageClass::parse(
                        "StorageClass",
                        &s.to_ascii_uppercase(),
                    )?;
                    req.headers
                        .push((header::STORAGE_CLASS.to_owned(), class.as_str().to_owned()));
                }
                $crate::ops::bucket::acl_headers(
                    req,
                    self.acl.as_deref(),
                    true,
                    [
                        (header::GRANT_READ, self.grant_read.as_deref()),
                        (header::GRANT_WRITE, self.grant_write.as_deref()),
                        (header::GRANT_READ_ACP, self.grant_read_acp.as_deref()),
                        (header::GRANT_WRITE_ACP, self.grant_write_acp.as_deref()),
                        (header::GRANT_FULL_CONTROL, self.grant_full_control.as_deref()),
                    ],
                )?;
                $crate::ops::user_metadata(req, &self.metadata)
            }
        }
    )+};
}
pub(crate) use object_write_headers;

/// Implements [`Operation::bucket`] and [`Operation::region`] (and with `key`,
/// [`Operation::key`]) from the call's `bucket`, `region` (and `key`) fields.
macro_rules! operation_names {
    (bucket) => {
        fn bucket(&self) -> Option<&str> {
            Some(&self.bucket)
        }

        fn region(&self) -> Option<&str> {
            Some(&self.region)
        }
    };
    (bucket, key) => {
        operation_names!(bucket);

        fn key(&self) -> Option<&str> {
            Some(&self.key)
        }
    };
}
pub(crate) use operation_names;

/// Checks that `key` names an object: non-empty.
pub(crate) fn require_key(key: &str) -> Result<()> {
    if key.is_empty() {
        return Err(Error::invalid("Key", "is required"));
    }
    Ok(())
}

/// Adds header `name` when `value` is set, checking it first.
pub(crate) fn opt_header(req: &mut Request, name: &str, value: Option<&str>) -> Result<()> {
    if let Some(v) = value {
        header::check_value(name, v)?;
        req.headers.push((name.to_owned(), v.to_owned()));
    }
    Ok(())
}

/// The most bytes of user metadata (`x-cos-meta-*` names and values) COS accepts.
pub const MAX_USER_METADATA_BYTES: usize = 2048;

/// Adds user metadata as `x-cos-meta-{name}` headers: names are header tokens (the prefix is
/// added when missing), values header-safe, names unique ignoring case, and all of it at most
/// [`MAX_USER_METADATA_BYTES`].
pub(crate) fn user_metadata(req: &mut Request, meta: &[(String, String)]) -> Result<()> {
    let mut total = 0;
    for (i, (name, value)) in meta.iter().enumerate() {
        let full = if name.len() >= header::META_PREFIX.len()
            && name[..header::META_PREFIX.len()].eq_ignore_ascii_case(header::META_PREFIX)
        {
            name.clone()
        } else {
            format!("{}{name}", header::META_PREFIX)
        };
        if full.len() == header::META_PREFIX.len() {
            return Err(Error::invalid("Metadata", "a metadata name is empty"));
        }
        header::check_name(&full)?;
        header::check_value(&full, value)?;
        if meta[..i].iter().any(|(n, _)| {
            let n = n.to_ascii_lowercase();
            let n = n.strip_prefix(header::META_PREFIX).unwrap_or(&n).to_owned();
            full[header::META_PREFIX.len()..].eq_ignore_ascii_case(&n)
        }) {
            return Err(header::duplicate("Metadata", name));
        }
        total += full.len() - header::META_PREFIX.len() + value.len();
        req.headers.push((full, value.clone()));
    }
    if total > MAX_USER_METADATA_BYTES {
        return Err(Error::invalid(
            "Metadata",
            format!("is {total} bytes; COS accepts at most {MAX_USER_METADATA_BYTES}"),
        ));
    }
    Ok(())
}

/// Base64 of the MD5 of `bytes`: the value of `Content-MD5`.
pub fn content_md5(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(bytes))
}

/// Sets the request body and its headers: `Content-MD5` when given, and `Content-Length`
/// through [`Request::set_body`] (always, and signed). `content_length`, when the caller gave
/// one, must equal the body's length; `content_md5` must be the base64 of 16 bytes.
pub(crate) fn set_body(
    req: &mut Request,
    body: &Body,
    content_length: Option<u64>,
    content_md5: Option<&str>,
) -> Result<()> {
    let length = body.len();
    if let Some(given) = content_length.filter(|&n| n != length) {
        return Err(Error::invalid(
            "ContentLength",
            format!("is {given} but the body has {length} bytes"),
        ));
    }
    if let Some(md5) = content_md5 {
        let digest = base64::engine::general_purpose::STANDARD.decode(md5);
        if !digest.is_ok_and(|d| d.len() == 16) {
            return Err(Error::invalid(
                "ContentMD5",
                "must be the base64 of a 16-byte MD5 digest",
            ));
        }
        req.headers
            .push((header::CONTENT_MD5.to_owned(), md5.to_owned()));
    }
    req.set_body(body.clone());
    Ok(())
}

/// Sets an XML request body with its `Content-Type`, `Content-MD5` and (through
/// [`Request::set_body`]) `Content-Length`.
pub(crate) fn set_xml_body(req: &mut Request, body: Vec<u8>) {
    req.headers.push((
        header::CONTENT_TYPE.to_owned(),
        "application/xml".to_owned(),
    ));
    req.headers
        .push((header::CONTENT_MD5.to_owned(), content_md5(&body)));
    req.set_body(Body::from(body));
}

/// Checks the status and reads the XML body, whose root must be `root`. A 2xx response
/// whose body is an `<Error>` document is a service error too.
pub(crate) fn parse_xml(
    operation: &'static str,
    root: &str,
    response: Response,
) -> Result<(ResponseMeta, Element)> {
    let response = response.into_success(operation)?;
    let doc = xml::parse(operation, &response.body)?;
    if doc.name == "Error" {
        return Err(response.service_error(operation));
    }
    if doc.name != root {
        return Err(Error::parse(
            operation,
            format!("expected a <{root}> document, got <{}>", doc.name),
        ));
    }
    Ok((response.meta(), doc))
}

/// Percent-decodes a key COS returned with `EncodingType=url` (`+` stays `+`).
pub(crate) fn url_decode(operation: &'static str, s: &str) -> Result<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| Error::parse(operation, "a url-encoded key has a bad % escape"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out)
        .map_err(|_| Error::parse(operation, "a url-encoded key is not UTF-8 once decoded"))
}

/// The object a `CopySource` names: `{Bucket}.cos.{Region}.myqcloud.com/{Key}`, optionally
/// with `?versionId=...` — what sliceCopyFile reads (HEAD) before it copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySource {
    /// The source bucket, `{name}-{appid}`.
    pub bucket: String,
    /// The source region: the label after `cos.` in the host.
    pub region: String,
    /// The source key, as written (not encoded).
    pub key: String,
    /// The source version, when named.
    pub version_id: Option<String>,
}

impl CopySource {
    /// Reads `copy_source`.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for `CopySource` when it is not a valid copy source (see
    /// [`copy_source_header`]) or its host names no region (`{Bucket}.cos.{Region}.…`).
    pub fn parse(copy_source: &str) -> Result<CopySource> {
        copy_source_header(copy_source)?;
        let (host, rest) = copy_source.split_once('/').unwrap_or((copy_source, ""));
        let mut labels = host.split('.');
        let bucket = labels.next().unwrap_or_default();
        let region = match (labels.next(), labels.next()) {
            (Some("cos"), Some(region)) if !region.is_empty() => region,
            _ => {
                return Err(Error::invalid(
                    "CopySource",
                    "must be `{Bucket}.cos.{Region}.myqcloud.com/{Key}` to name its region",
                ));
            }
        };
        let (key, version_id) = match rest.rsplit_once("?versionId=") {
            Some((key, version)) => (key, Some(version.to_owned())),
            None => (rest, None),
        };
        Ok(CopySource {
            bucket: bucket.to_owned(),
            region: region.to_owned(),
            key: key.to_owned(),
            version_id,
        })
    }
}

/// The value of `x-cos-copy-source` for the seed's `CopySource`
/// (`{Bucket}.cos.{Region}.myqcloud.com/{Key}`, the key written raw, optionally with
/// `?versionId=...`): the source host, `/`, and the key percent-encoded with `/` kept.
///
/// The host must be a bucket domain (its first label a valid `{name}-{appid}` bucket) and the
/// key non-empty.
pub fn copy_source_header(copy_source: &str) -> Result<String> {
    let bad = |why: &'static str| Error::invalid("CopySource", why);
    let (host, rest) = copy_source
        .split_once('/')
        .ok_or_else(|| bad("must be `{Bucket}.cos.{Region}.myqcloud.com/{Key}`"))?;
    let first_label = host.split('.').next().unwrap_or_default();
    Bucket::new(first_label)
        .map_err(|_| bad("must start with a `{name}-{appid}` bucket domain"))?;
    if host.is_empty()
        || !host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b':')
    {
        return Err(bad("has an invalid host"));
    }
    let (key, version) = match rest.rsplit_once("?versionId=") {
        Some((key, version)) => (key, Some(version)),
        None => (rest, None),
    };
    if key.is_empty() {
        return Err(bad("names no object key after the host"));
    }
    let mut out = String::with_capacity(copy_source.len() + 16);
    out.push_str(host);
    out.push('/');
    crate::encode::encode_path_into(&mut out, key);
    if let Some(version) = version {
        out.push_str("?versionId=");
        crate::encode::encode_into(&mut out, version);
    }
    Ok(out)
}

/// Checks a byte range written `bytes=first-last` (both inclusive, `first <= last`), as
/// `x-cos-copy-source-range` requires, and returns `(first, last)`.
pub fn parse_byte_range(field: &'static str, range: &str) -> Result<(u64, u64)> {
    let bad = || Error::invalid(field, "must be `bytes=first-last` with first <= last");
    let (first, last) = range
        .strip_prefix("bytes=")
        .and_then(|r| r.split_once('-'))
        .ok_or_else(bad)?;
    let num = |s: &str| {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        s.parse::<u64>().map_err(|_| bad())
    };
    let (first, last) = (num(first)?, num(last)?);
    if first > last {
        return Err(bad());
    }
    Ok((first, last))
}

/// Typed data COS returns in the headers of object responses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ObjectHeaders {
    /// `ETag`, with its quotes.
    pub etag: Option<String>,
    /// `x-cos-version-id`.
    pub version_id: Option<String>,
    /// `x-cos-hash-crc64ecma`: the CRC-64/XZ of the whole object.
    pub crc64: Option<u64>,
    /// `x-cos-storage-class`; absent means STANDARD.
    pub storage_class: crate::types::StorageClass,
    /// `x-cos-object-type` (`normal`, `appendable`).
    pub object_type: Option<String>,
    /// `Content-Length`.
    pub content_length: Option<u64>,
    /// `Content-Type`.
    pub content_type: Option<String>,
    /// `Last-Modified`, as sent.
    pub last_modified: Option<String>,
    /// `x-cos-meta-*`, keyed by the name after the prefix (lower case).
    pub metadata: std::collections::BTreeMap<String, String>,
}

impl ObjectHeaders {
    /// Reads the typed headers of `meta`; a malformed number is a parse error.
    pub fn from_meta(operation: &'static str, meta: &ResponseMeta) -> Result<Self> {
        let num = |name: &str| {
            meta.header(name)
                .map(|v| xml::parse_u64(operation, name, v))
                .transpose()
        };
        Ok(ObjectHeaders {
            etag: meta.header(header::ETAG).map(str::to_owned),
            version_id: meta.header(header::VERSION_ID).map(str::to_owned),
            crc64: num(header::HASH_CRC64)?,
            storage_class: meta
                .header(header::STORAGE_CLASS)
                .map(crate::types::StorageClass::from_wire)
                .unwrap_or_default(),
            object_type: meta.header(header::OBJECT_TYPE).map(str::to_owned),
            content_length: num(header::CONTENT_LENGTH)?,
            content_type: meta.header(header::CONTENT_TYPE).map(str::to_owned),
            last_modified: meta.header(header::LAST_MODIFIED).map(str::to_owned),
            metadata: meta.user_metadata(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_md5_matches_the_fixture_vectors() {
        assert_eq!(content_md5(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }

    #[test]
    fn user_metadata_rules() {
        let base = || {
            Request::new(
                crate::http::Method::Put,
                Endpoint::new().service_target(None),
                "k",
            )
        };
        let mut req = base();
        user_metadata(
            &mut req,
            &[
                ("author".into(), "a".into()),
                ("x-cos-meta-Tag".into(), "b".into()),
            ],
        )
        .expect("valid");
        assert_eq!(req.header("x-cos-meta-author"), Some("a"));
        assert_eq!(req.header("x-cos-meta-tag"), Some("b"));
        for (meta, field) in [
            (
                vec![
                    ("a".to_owned(), "1".to_owned()),
                    ("A".to_owned(), "2".to_owned()),
                ],
                "Metadata[A]",
            ),
            (
                vec![("bad name".to_owned(), "1".to_owned())],
                "Headers[x-cos-meta-bad name]",
            ),
            (
                vec![("a".to_owned(), "x\r\ny".to_owned())],
                "Headers[x-cos-meta-a]",
            ),
            (vec![("a".to_owned(), "x".repeat(2048))], "Metadata"),
            (vec![("".to_owned(), "x".to_owned())], "Metadata"),
        ] {
            let err = user_metadata(&mut base(), &meta).expect_err(field);
            assert_eq!(err.field(), Some(field));
        }
    }

    #[test]
    fn every_group_reports_bucket_region_and_key() {
        fn names<O: Operation>(op: &O) -> (Option<&str>, Option<&str>, Option<&str>) {
            (op.bucket(), op.region(), op.key())
        }
        let (b, r, k) = ("ex-1", "ap-x", "k");
        let with = (Some(b), Some(r), Some(k));
        let without_key = (Some(b), Some(r), None);
        assert_eq!(
            names(&bucket::GetBucket {
                bucket: b.into(),
                region: r.into(),
                ..Default::default()
            }),
            without_key
        );
        assert_eq!(
            names(&acl::GetObjectAcl {
                bucket: b.into(),
                region: r.into(),
                key: k.into()
            }),
            with
        );
        assert_eq!(
            names(&cors::GetBucketCors {
                bucket: b.into(),
                region: r.into()
            }),
            without_key
        );
        assert_eq!(
            names(&object::PutObject {
                bucket: b.into(),
                region: r.into(),
                key: k.into(),
                ..Default::default()
            }),
            with
        );
        assert_eq!(
            names(&object::DeleteMultipleObject {
                bucket: b.into(),
                region: r.into(),
                ..Default::default()
            }),
            without_key
        );
        assert_eq!(
            names(&multipart::MultipartUpload {
                bucket: b.into(),
                region: r.into(),
                key: k.into(),
                ..Default::default()
            }),
            with
        );
        assert_eq!(
            names(&multipart::MultipartList {
                bucket: b.into(),
                region: r.into(),
                ..Default::default()
            }),
            without_key
        );
        let service = bucket::GetService {
            region: Some(r.into()),
            ..Default::default()
        };
        assert_eq!(names(&service), (None, Some(r), None));
    }

    #[test]
    fn copy_sources() {
        assert_eq!(
            copy_source_header("src-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a b+c.txt")
                .ok()
                .as_deref(),
            Some("src-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a%20b%2Bc.txt")
        );
        assert_eq!(
            copy_source_header("src-1.cos.ap-x.myqcloud.com/k?versionId=v1")
                .ok()
                .as_deref(),
            Some("src-1.cos.ap-x.myqcloud.com/k?versionId=v1")
        );
        for bad in [
            "",
            "src-1.cos.ap-x.myqcloud.com",
            "src-1.cos.ap-x.myqcloud.com/",
            "nobucket.cos.x.com/k",
            "a b-1.cos/k",
        ] {
            assert_eq!(
                copy_source_header(bad).expect_err(bad).field(),
                Some("CopySource"),
                "{bad}"
            );
        }
    }

    #[test]
    fn copy_sources_parse_into_their_object() {
        assert_eq!(
            CopySource::parse("src-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a b.txt"),
            Ok(CopySource {
                bucket: "src-1250000000".into(),
                region: "ap-guangzhou".into(),
                key: "dir/a b.txt".into(),
                version_id: None,
            })
        );
        assert_eq!(
            CopySource::parse("src-1.cos.ap-x.myqcloud.com/k?versionId=v1")
                .map(|c| (c.key, c.version_id)),
            Ok(("k".into(), Some("v1".into())))
        );
        for bad in [
            "src-1.ap-x.myqcloud.com/k",
            "src-1.cos/k",
            "nobucket.cos.x.com/k",
        ] {
            assert_eq!(
                CopySource::parse(bad).expect_err(bad).field(),
                Some("CopySource"),
                "{bad}"
            );
        }
    }

    #[test]
    fn byte_ranges() {
        assert_eq!(parse_byte_range("Range", "bytes=0-9"), Ok((0, 9)));
        for bad in [
            "bytes=9-0",
            "bytes=-5",
            "bytes=1-",
            "0-9",
            "bytes=a-b",
            "bytes=1-2,4-5",
        ] {
            assert!(parse_byte_range("Range", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn url_decoding() {
        assert_eq!(
            url_decode("T", "a%20b+%E4%B8%AD").ok().as_deref(),
            Some("a b+中")
        );
        assert!(url_decode("T", "a%2").is_err());
        assert!(url_decode("T", "%FF").is_err());
    }
}
