//! Bucket calls: headBucket, getBucket (list objects), putBucket, deleteBucket,
//! getBucketLocation, and getService (list buckets).

use serde::Serialize;

use super::{Operation, bucket_target, operation_names, opt_header, parse_xml, url_decode};
use crate::endpoint::{Endpoint, Region};
use crate::error::{Error, Result};
use crate::header;
use crate::http::{Method, Request};
use crate::response::{Response, ResponseMeta};
use crate::types::{Acl, Owner, StorageClass};
use crate::xml::Element;

/// `headBucket`: whether the bucket exists and the caller may access it (200; 403 and 404 are
/// service errors).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadBucket {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
}

/// The result of [`HeadBucket`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HeadBucketOutput {
    /// Status, headers, request id.
    pub meta: ResponseMeta,
    /// `x-cos-bucket-region`, when COS sends it.
    pub bucket_region: Option<String>,
}

impl Operation for HeadBucket {
    type Output = HeadBucketOutput;
    const NAME: &'static str = "HeadBucket";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        Ok(Request::new(
            Method::Head,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        ))
    }

    fn parse(&self, response: Response) -> Result<HeadBucketOutput> {
        let response = response.into_success(Self::NAME)?;
        Ok(HeadBucketOutput {
            bucket_region: response.header(header::BUCKET_REGION).map(str::to_owned),
            meta: response.meta(),
        })
    }

    operation_names!(bucket);
}

/// `getBucket` (List Objects): up to `max_keys` objects of the bucket, in UTF-8 binary order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetBucket {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Only keys starting with this prefix.
    pub prefix: Option<String>,
    /// Groups keys that contain it after the prefix into `CommonPrefixes` (usually `/`).
    pub delimiter: Option<String>,
    /// Starts listing after this key.
    pub marker: Option<String>,
    /// The most entries per response, 1 to 1000 (COS's default: 1000).
    pub max_keys: Option<u32>,
    /// `url`: COS percent-encodes the keys in the response (for keys with characters XML
    /// cannot carry); they are decoded before they reach the caller.
    pub encoding_type: Option<String>,
}

/// The result of [`GetBucket`]: the `ListBucketResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListBucketResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The bucket.
    pub name: String,
    /// `url` when the keys came encoded (they are decoded here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding_type: Option<String>,
    /// The prefix asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The marker asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// The page size.
    pub max_keys: u64,
    /// The delimiter asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// Whether more entries follow; continue from `next_marker`.
    pub is_truncated: bool,
    /// Where the next page starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// The objects.
    pub contents: Vec<ObjectSummary>,
    /// The groups of keys that share a prefix up to the delimiter.
    pub common_prefixes: Vec<CommonPrefix>,
}

/// One object of a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ObjectSummary {
    /// The key.
    pub key: String,
    /// When it was last written, as COS wrote it.
    pub last_modified: String,
    /// The ETag, with its quotes.
    #[serde(rename = "ETag")]
    pub etag: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Owner>,
    /// Its storage class.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_class: Option<StorageClass>,
    /// Its tier within INTELLIGENT_TIERING.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub storage_tier: Option<String>,
}

/// A group of keys sharing a prefix up to the delimiter.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CommonPrefix {
    /// The shared prefix, delimiter included.
    pub prefix: String,
}

impl Operation for GetBucket {
    type Output = ListBucketResult;
    const NAME: &'static str = "GetBucket";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = Request::new(
            Method::Get,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        );
        if self.max_keys.is_some_and(|max| !(1..=1000).contains(&max)) {
            return Err(Error::invalid("MaxKeys", "must be from 1 to 1000"));
        }
        if self.encoding_type.as_ref().is_some_and(|enc| enc != "url") {
            return Err(Error::invalid("EncodingType", "the only encoding is `url`"));
        }
        for (name, value) in [
            ("prefix", self.prefix.clone()),
            ("delimiter", self.delimiter.clone()),
            ("marker", self.marker.clone()),
            ("max-keys", self.max_keys.map(|m| m.to_string())),
            ("encoding-type", self.encoding_type.clone()),
        ] {
            if let Some(value) = value {
                req.query.push((name.to_owned(), value));
            }
        }
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<ListBucketResult> {
        let (meta, root) = parse_xml(Self::NAME, "ListBucketResult", response)?;
        parse_list_bucket(meta, &root)
    }

    operation_names!(bucket);
}

/// Reads a `ListBucketResult` document, decoding keys when it says `EncodingType` = `url`.
fn parse_list_bucket(meta: ResponseMeta, root: &Element) -> Result<ListBucketResult> {
    const OP: &str = GetBucket::NAME;
    let encoding_type = root.text_of("EncodingType");
    let url = encoding_type.as_deref() == Some("url");
    let key = |s: String| if url { url_decode(OP, &s) } else { Ok(s) };
    let opt_key = |s: Option<String>| s.map(key).transpose();
    let contents = root
        .children_named("Contents")
        .map(|c| {
            Ok(ObjectSummary {
                key: key(c.required(OP, "Key")?)?,
                last_modified: c.text_of("LastModified").unwrap_or_default(),
                etag: c.text_of("ETag").unwrap_or_default(),
                size: c.u64_of(OP, "Size")?.unwrap_or(0),
                owner: c.child("Owner").map(Owner::from_xml),
                storage_class: c
                    .text_of("StorageClass")
                    .map(|s| StorageClass::from_wire(&s)),
                storage_tier: c.text_of("StorageTier"),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let common_prefixes = root
        .children_named("CommonPrefixes")
        .map(|p| {
            Ok(CommonPrefix {
                prefix: key(p.text_of("Prefix").unwrap_or_default())?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(ListBucketResult {
        meta,
        name: root.text_of("Name").unwrap_or_default(),
        prefix: opt_key(root.text_of("Prefix"))?,
        marker: opt_key(root.text_of("Marker"))?,
        max_keys: root.u64_of(OP, "MaxKeys")?.unwrap_or(0),
        delimiter: root.text_of("Delimiter"),
        is_truncated: root.bool_of(OP, "IsTruncated")?.unwrap_or(false),
        next_marker: opt_key(root.text_of("NextMarker"))?,
        encoding_type,
        contents,
        common_prefixes,
    })
}

/// `putBucket`: creates a bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutBucket {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region to create it in. Required.
    pub region: String,
    /// A canned ACL: private (default), public-read, public-read-write, authenticated-read.
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
}

/// The result of a call that returns nothing but its status and headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmptyOutput {
    /// Status, headers, request id.
    pub meta: ResponseMeta,
}

impl EmptyOutput {
    /// Reads the response of `operation`, whose success carries nothing but status and
    /// headers; an error status is a service error.
    pub fn from_response(operation: &'static str, response: Response) -> Result<Self> {
        let meta = response.into_success(operation)?.meta();
        Ok(EmptyOutput { meta })
    }
}

/// Adds the canned ACL (validated for a bucket or an object) and the grant headers.
pub(crate) fn acl_headers(
    req: &mut Request,
    acl: Option<&str>,
    for_object: bool,
    grants: [(&str, Option<&str>); 5],
) -> Result<()> {
    if let Some(acl) = acl {
        let parsed = Acl::parse("ACL", acl)?;
        let bucket_ok = matches!(
            parsed,
            Acl::Private | Acl::PublicRead | Acl::PublicReadWrite | Acl::AuthenticatedRead
        );
        if !for_object && !bucket_ok {
            return Err(Error::invalid(
                "ACL",
                "a bucket ACL is private, public-read, public-read-write or authenticated-read",
            ));
        }
        req.headers
            .push((header::ACL.to_owned(), parsed.as_str().to_owned()));
    }
    for (name, value) in grants {
        opt_header(req, name, value)?;
    }
    Ok(())
}

impl Operation for PutBucket {
    type Output = EmptyOutput;
    const NAME: &'static str = "PutBucket";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = Request::new(
            Method::Put,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        );
        acl_headers(
            &mut req,
            self.acl.as_deref(),
            false,
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
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<EmptyOutput> {
        EmptyOutput::from_response(Self::NAME, response)
    }

    operation_names!(bucket);
}

/// `deleteBucket`: deletes an empty bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteBucket {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
}

impl Operation for DeleteBucket {
    type Output = EmptyOutput;
    const NAME: &'static str = "DeleteBucket";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        Ok(Request::new(
            Method::Delete,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        ))
    }

    fn parse(&self, response: Response) -> Result<EmptyOutput> {
        EmptyOutput::from_response(Self::NAME, response)
    }

    operation_names!(bucket);
}

/// `getBucketLocation`: the region a bucket is in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetBucketLocation {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region used to reach the bucket. Required.
    pub region: String,
}

/// The result of [`GetBucketLocation`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketLocation {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The region, as COS wrote it (`ap-guangzhou`; old buckets may say `cos.ap-beijing`).
    pub location_constraint: String,
}

impl Operation for GetBucketLocation {
    type Output = BucketLocation;
    const NAME: &'static str = "GetBucketLocation";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        Ok(Request::new(
            Method::Get,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        )
        .with_query("location", ""))
    }

    fn parse(&self, response: Response) -> Result<BucketLocation> {
        let (meta, root) = parse_xml(Self::NAME, "LocationConstraint", response)?;
        Ok(BucketLocation {
            meta,
            location_constraint: root.text,
        })
    }

    operation_names!(bucket);
}

/// `getService`: the caller's buckets, all of them or those of one region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetService {
    /// Only buckets in this region (the request goes to `cos.{Region}.myqcloud.com`).
    pub region: Option<String>,
    /// Starts listing after this bucket.
    pub marker: Option<String>,
    /// The most buckets per response.
    pub max_keys: Option<u32>,
}

/// The result of [`GetService`]: the `ListAllMyBucketsResult` document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAllMyBucketsResult {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The account.
    pub owner: Owner,
    /// The buckets (those of repeated `<Buckets>` containers, concatenated).
    pub buckets: Vec<BucketSummary>,
    /// The marker asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// Where the next page starts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_marker: Option<String>,
    /// Whether more buckets follow.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub is_truncated: Option<bool>,
}

/// One bucket of [`ListAllMyBucketsResult`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BucketSummary {
    /// `{name}-{appid}`.
    pub name: String,
    /// Its region.
    pub location: String,
    /// When it was created, as COS wrote it.
    pub creation_date: String,
    /// `cos` or `ofs` (metadata-accelerated), when COS says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bucket_type: Option<String>,
}

impl Operation for GetService {
    type Output = ListAllMyBucketsResult;
    const NAME: &'static str = "GetService";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let region = self.region.as_deref().map(Region::new).transpose()?;
        let mut req = Request::new(Method::Get, endpoint.service_target(region.as_ref()), "");
        if let Some(m) = &self.marker {
            req.query.push(("marker".to_owned(), m.clone()));
        }
        if let Some(max) = self.max_keys {
            if max == 0 {
                return Err(Error::invalid("MaxKeys", "must be at least 1"));
            }
            req.query.push(("max-keys".to_owned(), max.to_string()));
        }
        Ok(req)
    }

    fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    fn parse(&self, response: Response) -> Result<ListAllMyBucketsResult> {
        const OP: &str = GetService::NAME;
        let (meta, root) = parse_xml(OP, "ListAllMyBucketsResult", response)?;
        let buckets = root
            .children_named("Buckets")
            .flat_map(|b| b.children_named("Bucket"))
            .map(|b| BucketSummary {
                name: b.text_of("Name").unwrap_or_default(),
                location: b.text_of("Location").unwrap_or_default(),
                creation_date: b.text_of("CreationDate").unwrap_or_default(),
                bucket_type: b.text_of("BucketType"),
            })
            .collect();
        Ok(ListAllMyBucketsResult {
            meta,
            owner: root.child("Owner").map(Owner::from_xml).unwrap_or_default(),
            buckets,
            marker: root.text_of("Marker"),
            next_marker: root.text_of("NextMarker"),
            is_truncated: root.bool_of(OP, "IsTruncated")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BUCKET: &str = "examplebucket-1250000000";
    const REGION: &str = "ap-guangzhou";
    const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

    fn bucket_call<T: Default>(set: impl FnOnce(&mut T)) -> T {
        let mut t = T::default();
        set(&mut t);
        t
    }

    #[test]
    fn head_delete_location_requests() {
        let e = Endpoint::new();
        let req = HeadBucket {
            bucket: BUCKET.into(),
            region: REGION.into(),
        }
        .to_request(&e)
        .expect("valid");
        assert_eq!(
            (req.method, req.host(), req.pathname.as_str()),
            (Method::Head, HOST, "/")
        );
        let req = DeleteBucket {
            bucket: BUCKET.into(),
            region: REGION.into(),
        }
        .to_request(&e)
        .expect("valid");
        assert_eq!(
            (req.method, req.url().as_str()),
            (
                Method::Delete,
                "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/"
            )
        );
        let req = GetBucketLocation {
            bucket: BUCKET.into(),
            region: REGION.into(),
        }
        .to_request(&e)
        .expect("valid");
        assert_eq!(req.url(), format!("https://{HOST}/?location"));
    }

    #[test]
    fn get_bucket_request_and_validation() {
        let e = Endpoint::new();
        let op: GetBucket = bucket_call(|g: &mut GetBucket| {
            g.bucket = BUCKET.into();
            g.region = REGION.into();
            g.prefix = Some("a b/".into());
            g.delimiter = Some("/".into());
            g.max_keys = Some(10);
            g.encoding_type = Some("url".into());
        });
        let req = op.to_request(&e).expect("valid");
        assert_eq!(
            req.url(),
            format!("https://{HOST}/?prefix=a%20b%2F&delimiter=%2F&max-keys=10&encoding-type=url")
        );
        for (op, field) in [
            (
                GetBucket {
                    max_keys: Some(0),
                    ..op.clone()
                },
                "MaxKeys",
            ),
            (
                GetBucket {
                    max_keys: Some(1001),
                    ..op.clone()
                },
                "MaxKeys",
            ),
            (
                GetBucket {
                    encoding_type: Some("base64".into()),
                    ..op.clone()
                },
                "EncodingType",
            ),
            (
                GetBucket {
                    bucket: "nope".into(),
                    ..op.clone()
                },
                "Bucket",
            ),
            (
                GetBucket {
                    region: "".into(),
                    ..op.clone()
                },
                "Region",
            ),
        ] {
            assert_eq!(op.to_request(&e).expect_err(field).field(), Some(field));
        }
    }

    #[test]
    fn put_bucket_headers() {
        let e = Endpoint::new();
        let op = PutBucket {
            bucket: BUCKET.into(),
            region: REGION.into(),
            acl: Some("public-read".into()),
            grant_read: Some("id=\"qcs::cam::uin/1:uin/1\"".into()),
            ..PutBucket::default()
        };
        let req = op.to_request(&e).expect("valid");
        assert_eq!(req.method, Method::Put);
        assert_eq!(
            req.headers,
            vec![
                ("Content-Length".to_owned(), "0".to_owned()),
                ("x-cos-acl".to_owned(), "public-read".to_owned()),
                (
                    "x-cos-grant-read".to_owned(),
                    "id=\"qcs::cam::uin/1:uin/1\"".to_owned()
                ),
            ]
        );
        for (acl, ok) in [
            ("private", true),
            ("bucket-owner-read", false),
            ("public", false),
        ] {
            let op = PutBucket {
                acl: Some(acl.into()),
                ..op.clone()
            };
            assert_eq!(op.to_request(&e).is_ok(), ok, "{acl}");
        }
        let op = PutBucket {
            grant_write: Some("id=\"a\"\r\nx: y".into()),
            ..op
        };
        assert_eq!(
            op.to_request(&e).expect_err("crlf").field(),
            Some("Headers[x-cos-grant-write]")
        );
    }

    #[test]
    fn get_service_targets() {
        let e = Endpoint::new();
        let req = GetService::default().to_request(&e).expect("valid");
        assert_eq!(req.url(), "https://service.cos.myqcloud.com/");
        let req = GetService {
            region: Some("ap-beijing".into()),
            ..GetService::default()
        }
        .to_request(&e)
        .expect("valid");
        assert_eq!(req.host(), "cos.ap-beijing.myqcloud.com");
        assert_eq!(
            GetService {
                region: Some("x".into()),
                ..GetService::default()
            }
            .to_request(&e)
            .expect_err("region")
            .field(),
            Some("Region")
        );
    }

    #[test]
    fn errors_come_from_the_body_or_the_status() {
        let op = GetBucket::default();
        let body = "<?xml version='1.0'?><Error><Code>NoSuchBucket</Code><Message>gone</Message><Resource>r</Resource><RequestId>id1</RequestId><TraceId>t1</TraceId></Error>";
        let err = op
            .parse(Response::new(404).with_body(body))
            .expect_err("404");
        let service = err.service().expect("service error");
        assert_eq!(
            (
                service.status,
                service.code.as_str(),
                service.message.as_str()
            ),
            (404, "NoSuchBucket", "gone")
        );
        assert_eq!(
            (
                service.request_id.as_deref(),
                service.trace_id.as_deref(),
                service.resource.as_deref()
            ),
            (Some("id1"), Some("t1"), Some("r"))
        );
        let err = HeadBucket::default()
            .parse(Response::new(404).with_header("x-cos-request-id", "id2"))
            .expect_err("404");
        let service = err.service().expect("service error");
        assert_eq!(
            (service.code.as_str(), service.request_id.as_deref()),
            ("NotFound", Some("id2"))
        );
        // A 200 whose body is an error document is an error, and junk is a parse error.
        let err = op
            .parse(Response::new(200).with_body(body))
            .expect_err("200 error");
        assert_eq!(err.service().map(|s| s.code.as_str()), Some("NoSuchBucket"));
        let err = op
            .parse(Response::new(200).with_body("<ListBucketResult><Contents>"))
            .expect_err("truncated");
        assert!(
            matches!(
                err,
                Error::Parse {
                    operation: "GetBucket",
                    ..
                }
            ),
            "{err}"
        );
    }
}
