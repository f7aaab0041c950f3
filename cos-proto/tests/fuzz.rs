//! Fuzzing on stable: properties over generated inputs (proptest), a fixed number of cases
//! per target so that CI runs a short, repeatable budget (set `PROPTEST_CASES` for a longer
//! run). Every target must neither panic nor allocate without bound:
//! - every response parser, on generated statuses, headers and bodies (raw bytes, XML built
//!   from the elements the parsers read, and the shared XML samples with bytes changed);
//! - the XML reader and its limits;
//! - the signer's inputs (method, path, query, headers, key time, credentials): an
//!   `Authorization` it returns is one line of printable ASCII;
//! - the URL and endpoint builders (bucket, region, key, domain, connect address, path
//!   style, query, headers): a URL they return is printable ASCII without spaces, its
//!   authority is the one the endpoint names, and its path decodes back to the key.

use std::time::{Duration, UNIX_EPOCH};

use cos_proto::ops::Operation;
use cos_proto::ops::acl::{GetBucketAcl, GetObjectAcl, PutBucketAcl, PutObjectAcl};
use cos_proto::ops::bucket::{
    DeleteBucket, GetBucket, GetBucketLocation, GetService, HeadBucket, PutBucket,
};
use cos_proto::ops::cors::{DeleteBucketCors, GetBucketCors, OptionsObject, PutBucketCors};
use cos_proto::ops::multipart::{
    MultipartAbort, MultipartComplete, MultipartInit, MultipartList, MultipartListPart,
    MultipartUpload, UploadPartCopy,
};
use cos_proto::ops::object::{
    DeleteMultipleObject, DeleteObject, GetObject, HeadObject, PutObject, PutObjectCopy,
};
use cos_proto::{
    Credentials, Endpoint, GetObjectUrl, KeyTime, Response, Scheme, SignableRequest, Signer, xml,
};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// Cases per target and run (`PROPTEST_CASES` overrides it).
const CASES: u32 = 256;

/// A fixed budget and seed, so that CI runs the same cases every time; `PROPTEST_CASES` and
/// `PROPTEST_RNG_SEED` explore further.
fn config() -> ProptestConfig {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    ProptestConfig {
        cases: env("PROPTEST_CASES").map_or(CASES, |n| u32::try_from(n).unwrap_or(CASES)),
        rng_seed: RngSeed::Fixed(env("PROPTEST_RNG_SEED").unwrap_or(0x0C05_F022)),
        // No files of failing cases next to the sources; a failure prints its input.
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Runs `response` through the parser of every operation; none may panic.
fn parse_with_every_operation(response: &Response) {
    fn one<O: Operation + Default>(response: &Response) {
        let _ = O::default().parse(response.clone());
    }
    one::<GetService>(response);
    one::<PutBucket>(response);
    one::<HeadBucket>(response);
    one::<GetBucket>(response);
    one::<DeleteBucket>(response);
    one::<GetBucketLocation>(response);
    one::<GetBucketAcl>(response);
    one::<PutBucketAcl>(response);
    one::<GetObjectAcl>(response);
    one::<PutObjectAcl>(response);
    one::<GetBucketCors>(response);
    one::<PutBucketCors>(response);
    one::<DeleteBucketCors>(response);
    one::<OptionsObject>(response);
    one::<HeadObject>(response);
    one::<GetObject>(response);
    one::<PutObject>(response);
    one::<DeleteObject>(response);
    one::<DeleteMultipleObject>(response);
    one::<PutObjectCopy>(response);
    one::<MultipartInit>(response);
    one::<MultipartUpload>(response);
    one::<UploadPartCopy>(response);
    one::<MultipartComplete>(response);
    one::<MultipartListPart>(response);
    one::<MultipartAbort>(response);
    one::<MultipartList>(response);
}

/// The element names the parsers read, and a few others.
const ELEMENTS: &[&str] = &[
    "AccessControlList",
    "AccessControlPolicy",
    "AllowedHeader",
    "AllowedMethod",
    "AllowedOrigin",
    "Bucket",
    "BucketType",
    "Buckets",
    "CORSConfiguration",
    "CORSRule",
    "CRC64",
    "Code",
    "CommonPrefixes",
    "CompleteMultipartUploadResult",
    "Contents",
    "CopyObjectResult",
    "CopyPartResult",
    "CreationDate",
    "DeleteMarker",
    "DeleteMarkerVersionId",
    "DeleteResult",
    "Deleted",
    "Delimiter",
    "DisplayName",
    "ETag",
    "EncodingType",
    "Error",
    "ExposeHeader",
    "Grant",
    "Grantee",
    "ID",
    "Initiated",
    "InitiateMultipartUploadResult",
    "Initiator",
    "IsTruncated",
    "Key",
    "KeyMarker",
    "LastModified",
    "ListAllMyBucketsResult",
    "ListBucketResult",
    "ListMultipartUploadsResult",
    "ListPartsResult",
    "Location",
    "LocationConstraint",
    "Marker",
    "MaxAgeSeconds",
    "MaxKeys",
    "MaxParts",
    "MaxUploads",
    "Message",
    "Name",
    "NextKeyMarker",
    "NextMarker",
    "NextPartNumberMarker",
    "NextUploadIdMarker",
    "Object",
    "Owner",
    "Part",
    "PartNumber",
    "PartNumberMarker",
    "Permission",
    "Prefix",
    "Quiet",
    "RequestId",
    "Resource",
    "ResponseVary",
    "Size",
    "StorageClass",
    "StorageTier",
    "TraceId",
    "URI",
    "Upload",
    "UploadId",
    "UploadIdMarker",
    "VersionId",
];

/// Texts the parsers read as numbers, booleans, enums, dates, or as they are.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        any::<u64>().prop_map(|n| n.to_string()),
        Just("18446744073709551616".to_owned()),
        Just("-1".to_owned()),
        Just("true".to_owned()),
        Just("FALSE".to_owned()),
        Just("STANDARD_IA".to_owned()),
        Just("FULL_CONTROL".to_owned()),
        Just("url".to_owned()),
        Just("2024-01-02T03:04:05.000Z".to_owned()),
        Just("\"d41d8cd98f00b204e9800998ecf8427e\"".to_owned()),
        Just("&amp;&lt;&#x4E2D;&#0;&bogus;".to_owned()),
        Just("<![CDATA[</Key>]]>".to_owned()),
        "[ -~]{0,24}",
        ".{0,12}",
    ]
}

/// An XML element built from [`ELEMENTS`], nested a few levels.
fn element() -> impl Strategy<Value = String> {
    let name = prop::sample::select(ELEMENTS);
    let leaf = (name.clone(), text()).prop_map(|(n, t)| format!("<{n}>{t}</{n}>"));
    leaf.prop_recursive(4, 64, 8, move |inner| {
        (
            prop::sample::select(ELEMENTS),
            prop::collection::vec(inner, 0..8),
            any::<bool>(),
        )
            .prop_map(|(n, children, attr)| {
                let attr = if attr {
                    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"Group\""
                } else {
                    ""
                };
                format!("<{n}{attr}>{}</{n}>", children.concat())
            })
    })
}

/// A response body: raw bytes, or a generated document (sometimes cut short).
fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..256),
        (element(), any::<bool>(), any::<usize>()).prop_map(|(doc, cut, at)| {
            let mut doc = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{doc}").into_bytes();
            if cut && !doc.is_empty() {
                doc.truncate(at % doc.len());
            }
            doc
        }),
    ]
}

/// Response headers: the names the parsers read, with values of every shape.
fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        prop::sample::select(
            &[
                "Content-Length",
                "Content-Type",
                "Content-Range",
                "ETag",
                "Last-Modified",
                "x-cos-hash-crc64ecma",
                "x-cos-request-id",
                "x-cos-version-id",
                "x-cos-storage-class",
                "x-cos-object-type",
                "x-cos-delete-marker",
                "x-cos-bucket-region",
                "x-cos-meta-a",
                "X-COS-META-",
                "Access-Control-Max-Age",
                "Access-Control-Allow-Origin",
                "Date",
                "Expires",
            ][..]
        )
        .prop_map(str::to_owned),
        "[a-zA-Z-]{1,12}",
    ];
    let value = prop_oneof![
        text(),
        Just("bytes 0-1/2".to_owned()),
        Just("bytes */5".to_owned()),
        Just("bytes 5-1/3".to_owned()),
        Just("bytes 0-18446744073709551615/18446744073709551616".to_owned()),
        Just("Wed, 21 Oct 2015 07:28:00 GMT".to_owned()),
    ];
    prop::collection::vec((name, value), 0..8)
}

fn status() -> impl Strategy<Value = u16> {
    prop_oneof![
        prop::sample::select(&[200u16, 204, 206, 304, 400, 403, 404, 409, 412, 500, 503][..]),
        any::<u16>(),
    ]
}

/// The shared XML samples (`../shared/fixtures/xml`, or `COS_XML_FIXTURES`).
fn samples() -> Vec<Vec<u8>> {
    let dir = std::env::var_os("COS_XML_FIXTURES").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/xml"),
        std::path::PathBuf::from,
    );
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (set COS_XML_FIXTURES)", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "xml"))
        .map(|p| std::fs::read(p).expect("read sample"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no XML samples in {}", dir.display());
    out
}

/// One change to a byte string: replace, insert or delete a byte, or duplicate a slice.
#[derive(Debug, Clone)]
enum Edit {
    Replace(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Repeat(usize, usize, u8),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Replace(i, b)),
        (
            any::<usize>(),
            prop::sample::select(&b"<>/&;\"'=!?[]0123456789-"[..])
        )
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), any::<usize>(), 1u8..8).prop_map(|(i, n, k)| Edit::Repeat(i, n, k)),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    if bytes.is_empty() {
        return;
    }
    let at = |i: usize| i % bytes.len();
    match *edit {
        Edit::Replace(i, b) => {
            let i = at(i);
            bytes[i] = b;
        }
        Edit::Insert(i, b) => {
            let i = at(i);
            bytes.insert(i, b);
        }
        Edit::Delete(i) => {
            let i = at(i);
            bytes.remove(i);
        }
        Edit::Repeat(i, n, k) => {
            let i = at(i);
            let end = (i + n % 64).min(bytes.len());
            let piece = bytes[i..end].to_vec();
            for _ in 0..k {
                bytes.splice(end..end, piece.iter().copied());
            }
        }
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn every_parser_survives_any_response(status in status(), headers in headers(), body in body()) {
        parse_with_every_operation(&Response { status, headers, body });
    }

    #[test]
    fn every_parser_survives_changed_samples(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec(edit(), 1..8),
        status in prop::sample::select(&[200u16, 206, 404, 500][..]),
    ) {
        let samples = samples();
        let mut body = pick.get(&samples).clone();
        for e in &edits {
            apply(&mut body, e);
        }
        parse_with_every_operation(&Response { status, headers: Vec::new(), body });
    }

    #[test]
    fn the_xml_reader_survives_any_bytes(body in prop::collection::vec(any::<u8>(), 0..1024)) {
        let _ = xml::parse("Fuzz", &body);
    }

    #[test]
    fn an_authorization_is_one_printable_line(
        method in "[A-Za-z]{0,8}|.{0,8}",
        path in ".{0,40}",
        query in prop::collection::vec((".{0,10}", ".{0,10}"), 0..4),
        headers in prop::collection::vec((".{0,12}", ".{0,16}"), 0..4),
        start in any::<u64>(),
        span in any::<u64>(),
        id in "[ -~]{0,12}|.{0,6}",
        key in "[ -~]{0,12}|.{0,6}",
    ) {
        let Ok(credentials) = Credentials::new(id, key) else { return Ok(()) };
        let Ok(key_time) = KeyTime::new(start, start.saturating_add(span)) else { return Ok(()) };
        let mut req = SignableRequest::new(&method, &path);
        for (n, v) in &query {
            req = req.query(n, v);
        }
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        if let Ok(auth) = Signer::new(credentials).sign(&req, key_time) {
            let text = auth.as_str();
            prop_assert!(text.bytes().all(|b| (0x20..0x7f).contains(&b)), "{text:?}");
        }
    }

    #[test]
    fn a_url_names_the_endpoint_and_its_path_is_the_key(
        bucket in "[a-z0-9-]{1,20}-125[0-9]{7}|.{0,16}",
        region in "ap-[a-z]{2,10}|.{0,10}",
        key in ".{0,40}",
        domain in prop::option::of("\\{Bucket\\}\\.[a-z.]{1,12}|.{0,20}"),
        connect in prop::option::of("127\\.0\\.0\\.1:[0-9]{1,5}|.{0,16}"),
        path_style in any::<bool>(),
        https in any::<bool>(),
        query in prop::collection::vec(("[a-z-]{1,8}|.{0,6}", ".{0,10}"), 0..3),
    ) {
        let mut endpoint = Endpoint::new()
            .with_scheme(if https { Scheme::Https } else { Scheme::Http })
            .with_path_style(path_style);
        if let Some(d) = &domain {
            let Ok(e) = endpoint.clone().with_domain(d) else { return Ok(()) };
            endpoint = e;
        }
        if let Some(c) = &connect {
            let Ok(e) = endpoint.clone().with_connect_address(c) else { return Ok(()) };
            endpoint = e;
        }
        let head = HeadObject {
            bucket: bucket.clone(),
            region: region.clone(),
            key: key.clone(),
            ..HeadObject::default()
        };
        if let Ok(req) = head.to_request(&endpoint) {
            let url = req.url();
            check_url(&url, &req.target.authority)?;
            let path = url.split_once("://").and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..])).unwrap_or("");
            let decoded = decode(path.split('?').next().unwrap_or(""));
            let expected = format!("{}{}", req.target.path_prefix, cos_proto::sign::pathname_for_key(&key));
            prop_assert_eq!(decoded, Some(expected));
        }
        let mut get = GetObjectUrl::new(bucket, region, key);
        get.query = query;
        let signer = Signer::new(Credentials::new("AKIDfuzz", "fuzz-key").expect("credentials"));
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        if let Ok(url) = get.url(&endpoint, Some(&signer), now) {
            let authority = url.split_once("://").map(|(_, r)| r.split('/').next().unwrap_or("")).unwrap_or("");
            check_url(&url, authority)?;
            prop_assert!(endpoint.connect_address().is_none_or(|c| c == authority), "{url}");
        }
    }
}

/// A URL is printable ASCII without spaces, `scheme://authority/...`, and names no user.
fn check_url(url: &str, authority: &str) -> Result<(), TestCaseError> {
    prop_assert!(url.bytes().all(|b| (0x21..0x7f).contains(&b)), "{url:?}");
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    prop_assert!(rest.is_some(), "{url}");
    let rest = rest.unwrap_or_default();
    prop_assert!(
        rest.starts_with(authority) && rest[authority.len()..].starts_with('/'),
        "{url} / {authority}"
    );
    prop_assert!(
        !authority.contains(['@', '/', '?', '#', '\\']),
        "{authority}"
    );
    Ok(())
}

/// Percent-decodes a path; `None` when it is not valid encoding of UTF-8.
fn decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[test]
fn a_huge_or_endless_document_is_refused_within_its_limits() {
    // A billion-element list cannot be built: past MAX_ELEMENTS the reader stops.
    let mut doc = b"<ListPartsResult>".to_vec();
    for _ in 0..=xml::MAX_ELEMENTS {
        doc.extend_from_slice(b"<Part/>");
    }
    doc.extend_from_slice(b"</ListPartsResult>");
    assert!(doc.len() <= xml::MAX_BODY_BYTES);
    assert!(xml::parse("ListParts", &doc).is_err());
    let parts = MultipartListPart::default().parse(Response {
        status: 200,
        headers: Vec::new(),
        body: doc,
    });
    assert!(parts.is_err());
    // Deeper than MAX_DEPTH, and larger than MAX_BODY_BYTES.
    let deep = "<a>".repeat(xml::MAX_DEPTH + 1);
    assert!(xml::parse("T", deep.as_bytes()).is_err());
    let big = vec![b'x'; xml::MAX_BODY_BYTES + 1];
    assert!(xml::parse("T", &big).is_err());
}
