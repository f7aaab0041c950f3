//! Tests of the object calls: the requests they build, their bad-input errors, and the
//! responses they read.
use super::*;
use crate::types::StorageClass;

const BUCKET: &str = "examplebucket-1250000000";
const BASE: &str = "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
const DATE: &str = "Wed, 21 Oct 2015 07:28:00 GMT";

/// An object call with the example bucket and region, and the fields given.
macro_rules! call {
    ($op:ident { $($field:ident: $value:expr),* $(,)? }) => {{
        let region = "ap-guangzhou".into();
        let base = $op { bucket: BUCKET.into(), region, ..$op::default() };
        edit(&base, |o| { $(o.$field = $value;)* })
    }};
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

fn edit<T: Clone>(base: &T, change: impl FnOnce(&mut T)) -> T {
    let mut t = base.clone();
    change(&mut t);
    t
}

fn build(op: &impl Operation) -> Request {
    op.to_request(&Endpoint::new()).expect("valid request")
}

/// Checks the field each op is rejected for (`OK`: it builds).
fn fields<O: Operation>(cases: Vec<(O, &str)>) {
    for (op, want) in cases {
        let got = match op.to_request(&Endpoint::new()) {
            Ok(_) => "OK".to_owned(),
            Err(e) => e.field().unwrap_or("not InvalidInput").to_owned(),
        };
        assert_eq!(got, want);
    }
}

fn headers(list: &[(&str, &str)]) -> Vec<(String, String)> {
    let own = |(n, v): &(&str, &str)| ((*n).to_owned(), (*v).to_owned());
    list.iter().map(own).collect()
}

/// The status and code of a service error.
fn service<T: std::fmt::Debug>(result: Result<T>) -> (u16, String) {
    let err = result.expect_err("a service error");
    let s = err.service().expect("a service error");
    (s.status, s.code.clone())
}

fn parse_error<T>(result: Result<T>) -> Option<&'static str> {
    match result {
        Err(Error::Parse { operation, .. }) => Some(operation),
        _ => None,
    }
}

#[test]
fn head_object() {
    let op = call!(HeadObject {
        key: "dir/a b.jpg".into(),
        if_modified_since: s(DATE),
        version_id: s("v1"),
    });
    let req = build(&op);
    assert_eq!((req.method, &req.body), (Method::Head, &Body::Empty));
    let url = format!("{BASE}/dir/a%20b.jpg?versionId=v1");
    assert_eq!(req.url(), url);
    assert_eq!(req.headers, headers(&[("If-Modified-Since", DATE)]));
    assert_eq!(
        (op.bucket(), op.key()),
        (Some(BUCKET), s("dir/a b.jpg").as_deref())
    );
    fields(vec![
        (edit(&op, |o| o.key.clear()), "Key"),
        (edit(&op, |o| o.bucket = "nope".into()), "Bucket"),
        (edit(&op, |o| o.version_id = s("")), "VersionId"),
        (
            edit(&op, |o| o.if_modified_since = s("2015-10-21")),
            "IfModifiedSince",
        ),
    ]);

    let ok = Response::new(200)
        .with_header("ETag", "\"abc\"")
        .with_header("x-cos-version-id", "v1")
        .with_header("x-cos-hash-crc64ecma", "16749565679157681890")
        .with_header("x-cos-object-type", "appendable")
        .with_header("Content-Length", "1024")
        .with_header("Content-Type", "image/jpeg")
        .with_header("Last-Modified", DATE)
        .with_header("X-Cos-Meta-Author", "ann")
        .with_header("x-cos-request-id", "rid");
    let out = op.parse(ok).expect("200");
    let want = ObjectHeaders {
        etag: s("\"abc\""),
        version_id: s("v1"),
        crc64: Some(16_749_565_679_157_681_890),
        storage_class: StorageClass::Standard,
        object_type: s("appendable"),
        content_length: Some(1024),
        content_type: s("image/jpeg"),
        last_modified: s(DATE),
        metadata: [("author".to_owned(), "ann".to_owned())].into(),
    };
    assert_eq!(out.object, want);
    assert_eq!((out.not_modified, out.meta.request_id), (false, s("rid")));

    let out = op.parse(Response::new(304).with_header("ETag", "\"abc\""));
    let out = out.expect("304 is no error");
    assert_eq!((out.not_modified, out.meta.status), (true, 304));
    assert_eq!(out.object.etag, s("\"abc\""));
    let not_found = service(op.parse(Response::new(404)));
    assert_eq!(not_found, (404, "NotFound".into()));
    let bad_crc = Response::new(200).with_header("x-cos-hash-crc64ecma", "-1");
    assert_eq!(parse_error(op.parse(bad_crc)), Some("HeadObject"));
}

#[test]
fn get_object_request() {
    const { assert!(GetObject::STREAMS_RESPONSE_BODY) };
    let op = call!(GetObject {
        key: "1.jpg".into(),
        response_content_type: s("text/plain"),
        response_content_language: s("zh-CN"),
        response_expires: s(DATE),
        response_cache_control: s("no-cache"),
        response_content_disposition: s("attachment; filename=\"a b.txt\""),
        response_content_encoding: s("gzip"),
        range: s("bytes=1-3"),
        if_modified_since: s(DATE),
        if_unmodified_since: s(DATE),
        if_match: s("\"e1\""),
        if_none_match: s("\"e2\""),
        version_id: s("v1"),
    });
    let req = build(&op);
    assert_eq!(req.method, Method::Get);
    let query = "versionId=v1&response-content-type=text%2Fplain\
        &response-content-language=zh-CN\
        &response-expires=Wed%2C%2021%20Oct%202015%2007%3A28%3A00%20GMT\
        &response-cache-control=no-cache\
        &response-content-disposition=attachment%3B%20filename%3D%22a%20b.txt%22\
        &response-content-encoding=gzip";
    assert_eq!(req.url(), format!("{BASE}/1.jpg?{query}"));
    let want = headers(&[
        ("Range", "bytes=1-3"),
        ("If-Modified-Since", DATE),
        ("If-Unmodified-Since", DATE),
        ("If-Match", "\"e1\""),
        ("If-None-Match", "\"e2\""),
    ]);
    assert_eq!(req.headers, want);
    let plain = build(&call!(GetObject {
        key: "1.jpg".into()
    }));
    let want = (format!("{BASE}/1.jpg"), 0);
    assert_eq!((plain.url(), plain.headers.len()), want);
    fields(vec![
        (edit(&op, |o| o.key.clear()), "Key"),
        (
            edit(&op, |o| o.if_unmodified_since = s("x")),
            "IfUnmodifiedSince",
        ),
        (edit(&op, |o| o.if_match = s("a\r\nb")), "Headers[If-Match]"),
    ]);
    let ranges = [
        ("bytes=0-0", "OK"),
        ("bytes=5-", "OK"),
        ("bytes=-5", "OK"),
        ("bytes=0-18446744073709551615", "OK"),
        ("bytes=0-18446744073709551616", "Range"),
        ("", "Range"),
        ("bytes=", "Range"),
        ("bytes=-", "Range"),
        ("bytes=3-1", "Range"),
        ("bytes=-0", "Range"),
        ("bytes=1-2,4-5", "Range"),
        ("bytes=a-b", "Range"),
        ("1-3", "Range"),
        ("bytes 1-3", "Range"),
        ("bytes= 1-3", "Range"),
        ("bytes=+1-3", "Range"),
        ("bytes=1--3", "Range"),
    ];
    fields(
        ranges
            .map(|(r, want)| (edit(&op, |o| o.range = s(r)), want))
            .to_vec(),
    );
}

#[test]
fn get_object_parse() {
    let op = call!(GetObject { key: "k".into() });
    let partial = Response::new(206)
        .with_header("Content-Range", "bytes 1-3/1024")
        .with_header("Content-Length", "3")
        .with_header("x-cos-storage-class", "STANDARD_IA");
    let out = op.parse(partial).expect("206");
    let range = ContentRange {
        first: 1,
        last: 3,
        total: Some(1024),
    };
    assert_eq!((out.content_range, out.not_modified), (Some(range), false));
    assert_eq!(out.object.content_length, Some(3));
    assert_eq!(out.object.storage_class, StorageClass::StandardIa);
    let out = op.parse(Response::new(206).with_header("content-range", "bytes 0-0/*"));
    let range = ContentRange {
        first: 0,
        last: 0,
        total: None,
    };
    assert_eq!(out.map(|o| o.content_range), Ok(Some(range)));
    let out = op.parse(Response::new(200)).expect("200");
    assert_eq!((out.content_range, out.not_modified), (None, false));
    let out = op.parse(Response::new(304)).expect("304");
    assert_eq!((out.content_range, out.not_modified), (None, true));
    for bad in [
        "bytes 3-1/10",
        "bytes 0-10/10",
        "bytes 1-3",
        "items 1-3/9",
        "bytes -3/9",
    ] {
        let response = Response::new(206).with_header("Content-Range", bad);
        assert_eq!(parse_error(op.parse(response)), Some("GetObject"), "{bad}");
    }
    // The archived-object answer of the error-invalid-object-state sample.
    let body = "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\
        \t<Code>InvalidObjectState</Code>\n\
        \t<Message>The operation is not valid for the object storage class.</Message>\n\
        \t<Resource>examplebucket-1250000000.cos.ap-beijing.myqcloud.com/exampleobject\
        </Resource>\n\
        \t<RequestId>NWUw****</RequestId>\n\t<TraceId>OGVm</TraceId>\n</Error>";
    let err = op
        .parse(Response::new(403).with_body(body))
        .expect_err("403");
    let e = err.service().expect("service error");
    assert_eq!((e.status, e.code.as_str()), (403, "InvalidObjectState"));
    assert_eq!((&e.request_id, &e.trace_id), (&s("NWUw****"), &s("OGVm")));
    let failed = service(op.parse(Response::new(412)));
    assert_eq!(failed, (412, "PreconditionFailed".into()));
}

#[test]
fn put_object() {
    let op = call!(PutObject {
        key: "a/中.txt".into(),
        cache_control: s("max-age=60"),
        content_disposition: s("inline"),
        content_encoding: s("gzip"),
        content_length: Some(6),
        content_type: s("text/plain"),
        expect: s("100-continue"),
        expires: s(DATE),
        acl: s("bucket-owner-read"),
        grant_read: s("id=\"qcs::cam::uin/1:uin/2\""),
        grant_full_control: s("id=\"qcs::cam::uin/1:uin/1\""),
        storage_class: s("standard_ia"),
        metadata: vec![("author".into(), "ann".into())],
        content_md5: s("XUFAKrxLKna5cZ2REBfFkg=="),
        body: Body::from(b"hello!".to_vec()),
    });
    let req = build(&op);
    let url = format!("{BASE}/a/%E4%B8%AD.txt");
    assert_eq!((req.method, req.url()), (Method::Put, url));
    let want = headers(&[
        ("Content-MD5", "XUFAKrxLKna5cZ2REBfFkg=="),
        ("Content-Length", "6"),
        ("Cache-Control", "max-age=60"),
        ("Content-Disposition", "inline"),
        ("Content-Encoding", "gzip"),
        ("Content-Type", "text/plain"),
        ("Expect", "100-continue"),
        ("Expires", DATE),
        ("x-cos-storage-class", "STANDARD_IA"),
        ("x-cos-acl", "bucket-owner-read"),
        ("x-cos-grant-read", "id=\"qcs::cam::uin/1:uin/2\""),
        ("x-cos-grant-full-control", "id=\"qcs::cam::uin/1:uin/1\""),
        ("x-cos-meta-author", "ann"),
    ]);
    assert_eq!(req.headers, want);
    assert_eq!(req.body, Body::from(b"hello!".to_vec()));
    assert!(op.is_idempotent());
    let body = Body::Stream { length: 1 << 33 };
    let req = build(&call!(PutObject {
        key: "k".into(),
        body: body.clone()
    }));
    assert_eq!(req.headers, headers(&[("Content-Length", "8589934592")]));
    assert_eq!(req.body, body);
    let dir = build(&call!(PutObject { key: "a/".into() }));
    let want = (format!("{BASE}/a/"), Some("0"));
    assert_eq!((dir.url(), dir.header("Content-Length")), want);

    let dup = vec![
        ("a".into(), "1".into()),
        ("x-cos-meta-A".into(), "2".into()),
    ];
    fields(vec![
        (edit(&op, |o| o.key.clear()), "Key"),
        (edit(&op, |o| o.region.clear()), "Region"),
        (edit(&op, |o| o.content_length = Some(5)), "ContentLength"),
        (edit(&op, |o| o.storage_class = s("COLD")), "StorageClass"),
        (edit(&op, |o| o.acl = s("public")), "ACL"),
        (
            edit(&op, |o| o.content_md5 = s("not base64!")),
            "ContentMD5",
        ),
        (edit(&op, |o| o.content_md5 = s("aGVsbG8=")), "ContentMD5"),
        (
            edit(&op, |o| o.content_type = s("a\nb")),
            "Headers[Content-Type]",
        ),
        (
            edit(&op, |o| o.grant_write_acp = s("\0")),
            "Headers[x-cos-grant-write-acp]",
        ),
        (edit(&op, |o| o.metadata = dup), "Metadata[x-cos-meta-A]"),
    ]);

    let ok = Response::new(200)
        .with_header("ETag", "\"5d41\"")
        .with_header("x-cos-hash-crc64ecma", "123")
        .with_header("x-cos-version-id", "v2");
    let out = op.parse(ok).expect("200");
    let got = (out.etag, out.crc64, out.version_id);
    assert_eq!(got, (s("\"5d41\""), Some(123), s("v2")));
    let out = op.parse(Response::new(200)).expect("bare 200");
    assert_eq!((out.etag, out.crc64, out.version_id), (None, None, None));
    let body = "<Error><Code>EntityTooLarge</Code><Message>m</Message></Error>";
    let err = service(op.parse(Response::new(400).with_body(body)));
    assert_eq!(err, (400, "EntityTooLarge".into()));
}

#[test]
fn delete_object() {
    let op = call!(DeleteObject {
        key: "1.jpg".into(),
        version_id: s("v 1")
    });
    let req = build(&op);
    let url = format!("{BASE}/1.jpg?versionId=v%201");
    assert_eq!((req.method, req.url()), (Method::Delete, url));
    assert_eq!((req.headers.len(), &req.body), (0, &Body::Empty));
    fields(vec![(edit(&op, |o| o.key.clear()), "Key")]);
    let marker = Response::new(204)
        .with_header("x-cos-delete-marker", "true")
        .with_header("x-cos-version-id", "m1");
    let out = op.parse(marker).expect("204");
    assert_eq!((out.delete_marker, out.version_id), (true, s("m1")));
    let out = op.parse(Response::new(204)).expect("plain 204");
    assert_eq!((out.delete_marker, out.version_id), (false, None));
    let bad = Response::new(204).with_header("x-cos-delete-marker", "yes");
    assert_eq!(parse_error(op.parse(bad)), Some("DeleteObject"));
    assert_eq!(service(op.parse(Response::new(404))).0, 404);
}

fn multi(keys: &[(&str, Option<&str>)]) -> DeleteMultipleObject {
    let object = |(k, v): &(&str, Option<&str>)| ObjectToDelete {
        key: (*k).into(),
        version_id: v.map(Into::into),
    };
    call!(DeleteMultipleObject {
        objects: keys.iter().map(object).collect()
    })
}

#[test]
fn delete_multiple_request() {
    let keys = [
        ("example-object-1.jpg", None),
        ("example-object-2.jpg", None),
    ];
    let op = DeleteMultipleObject {
        quiet: true,
        ..multi(&keys)
    };
    let req = build(&op);
    let body = "<Delete><Quiet>true</Quiet>\
        <Object><Key>example-object-1.jpg</Key></Object>\
        <Object><Key>example-object-2.jpg</Key></Object></Delete>";
    let url = format!("{BASE}/?delete");
    assert_eq!((req.method, req.url()), (Method::Post, url));
    assert_eq!(req.body, Body::from(body.as_bytes()));
    let md5 = crate::ops::content_md5(body.as_bytes());
    let len = body.len().to_string();
    let want = headers(&[
        ("Content-Type", "application/xml"),
        ("Content-MD5", &md5),
        ("Content-Length", &len),
    ]);
    assert_eq!(req.headers, want);
    assert!(op.is_idempotent());
    assert_eq!((op.bucket(), op.key()), (Some(BUCKET), None));

    // Versions, and keys that need escaping, come back out of the XML reader unchanged.
    let key = "a<&>\"' b\r\n\t中";
    let req = build(&multi(&[(key, None), ("k", Some("MTg0"))]));
    let Body::Bytes(bytes) = &req.body else {
        panic!("a bytes body")
    };
    let root = xml::parse("T", bytes).expect("well-formed");
    assert_eq!(root.text_of("Quiet"), s("false"));
    let object = |o: &xml::Element| (o.text_of("Key"), o.text_of("VersionId"));
    let objects: Vec<_> = root.children_named("Object").map(object).collect();
    assert_eq!(objects, [(s(key), None), (s("k"), s("MTg0"))]);

    let many = vec![("k", None); MAX_DELETE_OBJECTS + 1];
    fields(vec![
        (multi(&many[..MAX_DELETE_OBJECTS]), "OK"),
        (multi(&many), "Objects"),
        (multi(&[]), "Objects"),
        (
            multi(&[("a", None), ("b", None), ("c", None), ("", None)]),
            "Objects[3].Key",
        ),
        (multi(&[("a\u{1}b", None)]), "Objects[0].Key"),
        (multi(&[("a\u{ffff}", None)]), "Objects[0].Key"),
        (
            multi(&[("a", None), ("b", Some(""))]),
            "Objects[1].VersionId",
        ),
        (edit(&multi(&[("a", None)]), |o| o.bucket.clear()), "Bucket"),
    ]);
}

#[test]
fn delete_multiple_parse() {
    let op = multi(&[("a", None)]);
    // The delete-objects-result-partial-error sample.
    let body = "<DeleteResult>\n\t<Deleted>\n\t\t<Key>example-object-1.jpg</Key>\n\
        \t\t<DeleteMarker>true</DeleteMarker>\n\
        \t\t<DeleteMarkerVersionId>MTg0NDUx</DeleteMarkerVersionId>\n\t</Deleted>\n\
        \t<Deleted>\n\t\t<Key>example-object-2.jpg</Key>\n\
        \t\t<VersionId>MTg0NDUy</VersionId>\n\t</Deleted>\n\
        \t<Error>\n\t\t<Key>example-object-4.jpg</Key>\n\
        \t\t<VersionId>MTg0NDU0</VersionId>\n\t\t<Code>PathConflict</Code>\n\
        \t\t<Message>Path conflict.</Message>\n\t</Error>\n</DeleteResult>";
    let response = Response::new(200).with_header("x-cos-request-id", "r");
    let out = op.parse(response.with_body(body)).expect("200");
    assert_eq!(out.meta.request_id, s("r"));
    let first = DeletedObject {
        key: "example-object-1.jpg".into(),
        delete_marker: Some(true),
        delete_marker_version_id: s("MTg0NDUx"),
        version_id: None,
    };
    let second = DeletedObject {
        key: "example-object-2.jpg".into(),
        version_id: s("MTg0NDUy"),
        ..DeletedObject::default()
    };
    assert_eq!(out.deleted, [first, second]);
    let error = DeleteError {
        key: "example-object-4.jpg".into(),
        version_id: s("MTg0NDU0"),
        code: "PathConflict".into(),
        message: "Path conflict.".into(),
    };
    assert_eq!(out.error, [error]);
    let quiet = op.parse(Response::new(200).with_body("<DeleteResult/>"));
    let quiet = quiet.expect("quiet mode, nothing failed");
    assert!(quiet.deleted.is_empty() && quiet.error.is_empty());
    let body = "<Error><Code>MalformedXML</Code></Error>";
    let err = service(op.parse(Response::new(200).with_body(body)));
    assert_eq!(err, (200, "MalformedXML".into()));
    for bad in [
        "<DeleteResult><Deleted><DeleteMarker>true</DeleteMarker></Deleted></DeleteResult>",
        "<DeleteResult><Deleted><Key>k</Key><DeleteMarker>1</DeleteMarker></Deleted>\
        </DeleteResult>",
        "<DeleteResult><Deleted>",
        "<ListBucketResult/>",
        "",
    ] {
        let result = op.parse(Response::new(200).with_body(bad));
        assert_eq!(parse_error(result), Some("DeleteMultipleObjects"), "{bad}");
    }
}

#[test]
fn put_object_copy_request() {
    let op = call!(PutObjectCopy {
        key: "copy.jpg".into(),
        copy_source: "src-1250000000.cos.ap-beijing.myqcloud.com/d/2 .jpg?versionId=v1".into(),
        metadata_directive: s("Replaced"),
        copy_source_if_modified_since: s(DATE),
        copy_source_if_unmodified_since: s(DATE),
        copy_source_if_match: s("\"e1\""),
        copy_source_if_none_match: s("\"e2\""),
        cache_control: s("no-cache"),
        content_type: s("image/jpeg"),
        storage_class: s("ARCHIVE"),
        acl: s("private"),
        grant_read_acp: s("id=\"x\""),
        metadata: vec![("x-cos-meta-k".into(), "v".into())],
    });
    let req = build(&op);
    let url = format!("{BASE}/copy.jpg");
    assert_eq!(
        (req.method, req.url(), &req.body),
        (Method::Put, url, &Body::Empty)
    );
    let source = "src-1250000000.cos.ap-beijing.myqcloud.com/d/2%20.jpg?versionId=v1";
    let want = headers(&[
        ("Content-Length", "0"),
        ("x-cos-copy-source", source),
        ("x-cos-metadata-directive", "Replaced"),
        ("x-cos-copy-source-If-Modified-Since", DATE),
        ("x-cos-copy-source-If-Unmodified-Since", DATE),
        ("x-cos-copy-source-If-Match", "\"e1\""),
        ("x-cos-copy-source-If-None-Match", "\"e2\""),
        ("Cache-Control", "no-cache"),
        ("Content-Type", "image/jpeg"),
        ("x-cos-storage-class", "ARCHIVE"),
        ("x-cos-acl", "private"),
        ("x-cos-grant-read-acp", "id=\"x\""),
        ("x-cos-meta-k", "v"),
    ]);
    assert_eq!(req.headers, want);
    assert!(op.is_idempotent());
    assert_eq!((op.bucket(), op.key()), (Some(BUCKET), Some("copy.jpg")));
    let no_bucket = "src.cos.ap-beijing.myqcloud.com/k";
    fields(vec![
        (edit(&op, |o| o.key.clear()), "Key"),
        (edit(&op, |o| o.copy_source.clear()), "CopySource"),
        (
            edit(&op, |o| o.copy_source = no_bucket.into()),
            "CopySource",
        ),
        (
            edit(&op, |o| o.metadata_directive = s("replace")),
            "MetadataDirective",
        ),
        (
            edit(&op, |o| o.storage_class = s("GLACIER")),
            "StorageClass",
        ),
        (
            edit(&op, |o| o.copy_source_if_match = s("\n")),
            "Headers[x-cos-copy-source-If-Match]",
        ),
        (
            edit(&op, |o| o.copy_source_if_modified_since = s("now")),
            "CopySourceIfModifiedSince",
        ),
        (edit(&op, |o| o.acl = s("x")), "ACL"),
    ]);
}

#[test]
fn put_object_copy_parse() {
    let op = call!(PutObjectCopy { key: "k".into() });
    // The put-object-copy sample: CRLF line endings and a declaration.
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<CopyObjectResult>\r\n\
        \t<ETag>\"ee8de918d05640145b18f70f4c3aa602\"</ETag>\r\n\
        \t<CRC64>16749565679157681890</CRC64>\r\n\
        \t<LastModified>2020-04-10T18:20:30Z</LastModified>\r\n</CopyObjectResult>";
    let out = op.parse(Response::new(200).with_body(body)).expect("200");
    let want = CopyObjectResult {
        meta: out.meta.clone(),
        etag: "\"ee8de918d05640145b18f70f4c3aa602\"".into(),
        crc64: Some(16_749_565_679_157_681_890),
        last_modified: "2020-04-10T18:20:30Z".into(),
        version_id: None,
    };
    assert_eq!(out, want);
    // Version and CRC-64 come from the headers when the body has none.
    let response = Response::new(200)
        .with_header("x-cos-version-id", "v9")
        .with_header("x-cos-hash-crc64ecma", "7")
        .with_body("<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>");
    let out = op.parse(response).expect("200");
    assert_eq!((out.version_id, out.crc64), (s("v9"), Some(7)));
    // A copy that fails midway is a 200 carrying an error document.
    let body = "<Error><Code>InternalError</Code><Message>m</Message>\
        <RequestId>r1</RequestId></Error>";
    let err = op
        .parse(Response::new(200).with_body(body))
        .expect_err("error");
    let e = err.service().expect("service error");
    assert_eq!((e.status, e.code.as_str()), (200, "InternalError"));
    assert_eq!(e.request_id, s("r1"));
    for bad in [
        "<CopyObjectResult><LastModified>t</LastModified></CopyObjectResult>",
        "<CopyObjectResult><ETag>e</ETag><CRC64>x</CRC64></CopyObjectResult>",
        "<CopyPartResult><ETag>e</ETag></CopyPartResult>",
    ] {
        let result = op.parse(Response::new(200).with_body(bad));
        assert_eq!(parse_error(result), Some("PutObjectCopy"), "{bad}");
    }
    let body = "<Error><Code>PreconditionFailed</Code></Error>";
    assert_eq!(service(op.parse(Response::new(412).with_body(body))).0, 412);
}
