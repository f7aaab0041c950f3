//! Tests of the multipart calls: the requests they build, their bad-input errors, and the
//! responses they read.
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
        storage_class: Some("standard_ia".into()),
        metadata: vec![("author".into(), "me".into())],
        ..init()
    };
    let req = request(&op);
    assert_eq!(req.method, Method::Post);
    assert_eq!(req.url(), format!("{URL}/dir/a%20b.jpg?uploads"));
    assert_eq!(
        headers(&req),
        [
            ("Content-Length", "0"),
            ("Cache-Control", "max-age=60"),
            ("Content-Type", "image/jpeg"),
            ("Expires", "Wed, 21 Oct 2015 07:28:00 GMT"),
            ("x-cos-storage-class", "STANDARD_IA"),
            ("x-cos-acl", "bucket-owner-read"),
            ("x-cos-grant-full-control", "id=\"qcs::cam::uin/1:uin/2\""),
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
        "StorageClass" => o.storage_class = Some("GLACIER".into()),
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
            ("Content-Length", "0"),
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
    let plain = "<ListMultipartUploadsResult><Prefix>a%20</Prefix></ListMultipartUploadsResult>";
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
