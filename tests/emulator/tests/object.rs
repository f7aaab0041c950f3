//! Object calls through real HTTP: PUT/GET/HEAD/DELETE Object, ranges, conditional
//! requests, response overrides, PUT Object - Copy, ACLs, and exact header names.

mod common;

use std::io::{Read, Write};

use common::{BUCKET, Harness, etag_of};
use cos_proto::Method;

/// CRC-64/XZ of `bytes` (the check value of "123456789" is 0x995DC9BBDF1939FA).
fn crc64(bytes: &[u8]) -> u64 {
    let mut crc = !0u64;
    for &b in bytes {
        crc ^= u64::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xC96C_5795_D787_0F42
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn put_get_head_delete() {
    assert_eq!(crc64(b"123456789"), 0x995D_C9BB_DF19_39FA);
    let h = Harness::new();
    let body = b"123456789";
    let put = h.put(
        "dir/a b+c.txt",
        body,
        &[
            ("Content-Type", "text/plain"),
            ("Cache-Control", "no-cache"),
            ("Content-Disposition", "attachment"),
            ("x-cos-meta-Color", "blue"),
            ("x-cos-storage-class", "STANDARD_IA"),
            ("Content-MD5", &cos_proto::ops::content_md5(body)),
        ],
    );
    assert_eq!(put.status, 200, "{}", put.text());
    assert_eq!(put.header("etag"), Some(etag_of(body).as_str()));
    assert_eq!(
        put.header("x-cos-hash-crc64ecma"),
        Some("11051210869376104954")
    );

    let get = h.get("dir/a b+c.txt", &[]);
    assert_eq!(get.status, 200);
    assert_eq!(get.body, body);
    for (name, value) in [
        ("content-type", "text/plain"),
        ("cache-control", "no-cache"),
        ("content-disposition", "attachment"),
        ("x-cos-meta-color", "blue"),
        ("x-cos-storage-class", "STANDARD_IA"),
        ("content-length", "9"),
        ("x-cos-hash-crc64ecma", "11051210869376104954"),
    ] {
        assert_eq!(get.header(name), Some(value), "{name}");
    }
    assert_eq!(get.header("etag"), Some(etag_of(body).as_str()));
    assert!(
        get.header("last-modified")
            .is_some_and(|d| d.ends_with("GMT"))
    );

    let head = h.send(h.req(Method::Head, "dir/a b+c.txt"));
    assert_eq!(
        (head.status, head.header("content-length")),
        (200, Some("9"))
    );
    assert!(head.body.is_empty());
    assert_eq!(head.header("x-cos-meta-color"), Some("blue"));

    // Path-style reaches the same object.
    let get = h.send(h.path_req(Method::Get, BUCKET, "dir/a b+c.txt"));
    assert_eq!(get.body, body);

    assert_eq!(h.send(h.req(Method::Delete, "dir/a b+c.txt")).status, 204);
    assert_eq!(h.send(h.req(Method::Delete, "dir/a b+c.txt")).status, 204);
    h.get("dir/a b+c.txt", &[]).assert_error(404, "NoSuchKey");
    let head = h.send(h.req(Method::Head, "dir/a b+c.txt"));
    assert_eq!((head.status, head.body.len()), (404, 0));

    // Empty objects and overwrites.
    assert_eq!(h.put("empty", b"", &[]).status, 200);
    let get = h.get("empty", &[]);
    assert_eq!(
        (get.status, get.body.len(), get.header("content-type")),
        (200, 0, Some("application/octet-stream"))
    );
    h.put("empty", b"now full", &[]);
    assert_eq!(h.get("empty", &[]).body, b"now full");
}

#[test]
fn put_object_errors() {
    let h = Harness::new();
    h.put(
        "k",
        b"abc",
        &[("Content-MD5", &cos_proto::ops::content_md5(b"abd"))],
    )
    .assert_error(400, "BadDigest");
    h.put("k", b"abc", &[("Content-MD5", "not-base64")])
        .assert_error(400, "InvalidDigest");
    h.get("k", &[]).assert_error(404, "NoSuchKey");
    h.put("k", b"abc", &[("x-cos-storage-class", "COLD")])
        .assert_error(400, "InvalidStorageClass");
    h.put("k", b"abc", &[("x-cos-acl", "everyone")])
        .assert_error(400, "InvalidArgument");
    let big = "v".repeat(3000);
    h.put("k", b"abc", &[("x-cos-meta-big", &big)])
        .assert_error(400, "InvalidArgument");
    h.put(&"k".repeat(900), b"abc", &[])
        .assert_error(400, "KeyTooLong");
    let req = cos_proto::Request::new(Method::Put, h.target_for("nobucket-1250000000"), "k");
    h.send(req).assert_error(404, "NoSuchBucket");
}

#[test]
fn ranges() {
    let h = Harness::new();
    let body: Vec<u8> = (0..100u8).collect();
    h.put("r", &body, &[]);
    for (range, status, content_range, bytes) in [
        ("bytes=0-9", 206, Some("bytes 0-9/100"), &body[0..10]),
        ("bytes=90-", 206, Some("bytes 90-99/100"), &body[90..]),
        ("bytes=-5", 206, Some("bytes 95-99/100"), &body[95..]),
        ("bytes=95-200", 206, Some("bytes 95-99/100"), &body[95..]),
        ("bytes=-500", 206, Some("bytes 0-99/100"), &body[..]),
        ("bytes=5-1", 200, None, &body[..]),
        ("lines=1-2", 200, None, &body[..]),
        ("bytes=0-1,5-6", 200, None, &body[..]),
    ] {
        let resp = h.get("r", &[("Range", range)]);
        assert_eq!(resp.status, status, "{range}");
        assert_eq!(resp.header("content-range"), content_range, "{range}");
        assert_eq!(resp.body, bytes, "{range}");
        assert_eq!(
            resp.header("x-cos-hash-crc64ecma"),
            Some(crc64(&body).to_string().as_str())
        );
    }
    for range in ["bytes=100-", "bytes=100-200", "bytes=-0"] {
        let resp = h.get("r", &[("Range", range)]);
        resp.assert_error(416, "InvalidRange");
        assert_eq!(resp.header("content-range"), Some("bytes */100"), "{range}");
    }
}

#[test]
fn conditional_requests() {
    let h = Harness::new();
    h.put("c", b"data", &[]);
    let etag = etag_of(b"data");
    let past = "Mon, 01 Jan 2001 00:00:00 GMT";
    let future = "Fri, 01 Jan 2100 00:00:00 GMT";
    for (name, value, status) in [
        ("If-Match", etag.as_str(), 200),
        ("If-Match", "\"0000\"", 412),
        ("If-Match", "*", 200),
        ("If-None-Match", etag.as_str(), 304),
        ("If-None-Match", "\"0000\"", 200),
        ("If-Modified-Since", past, 200),
        ("If-Modified-Since", future, 304),
        ("If-Unmodified-Since", past, 412),
        ("If-Unmodified-Since", future, 200),
    ] {
        let resp = h.get("c", &[(name, value)]);
        assert_eq!(resp.status, status, "{name}: {value}");
        match status {
            412 => resp.assert_error(412, "PreconditionFailed"),
            304 => assert_eq!(
                (resp.header("etag"), resp.body.len()),
                (Some(etag.as_str()), 0)
            ),
            _ => assert_eq!(resp.body, b"data"),
        }
        let head = h.send(h.req(Method::Head, "c").with_header(name, value));
        assert_eq!(head.status, status, "HEAD {name}: {value}");
    }
}

#[test]
fn response_overrides() {
    let h = Harness::new();
    h.put("o", b"x", &[("Content-Type", "text/plain")]);
    let resp = h.send(
        h.req(Method::Get, "o")
            .with_query("response-content-type", "application/json")
            .with_query(
                "response-content-disposition",
                "attachment; filename=\"a b.txt\"",
            )
            .with_query("response-cache-control", "max-age=60"),
    );
    assert_eq!(resp.header("content-type"), Some("application/json"));
    assert_eq!(
        resp.header("content-disposition"),
        Some("attachment; filename=\"a b.txt\"")
    );
    assert_eq!(resp.header("cache-control"), Some("max-age=60"));
}

#[test]
fn copy_objects() {
    let h = Harness::new();
    h.put(
        "src/a b.txt",
        b"copy me",
        &[("Content-Type", "text/plain"), ("x-cos-meta-k", "v")],
    );
    let source = format!("{BUCKET}.cos.ap-guangzhou.myqcloud.com/src/a%20b.txt");
    let resp = h.send(
        h.req(Method::Put, "dst/1")
            .with_header("x-cos-copy-source", source.as_str()),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let root = cos_proto::xml::parse("t", &resp.body).expect("xml");
    assert_eq!(root.name, "CopyObjectResult");
    assert_eq!(root.text_of("ETag"), Some(etag_of(b"copy me")));
    assert!(
        root.text_of("LastModified")
            .is_some_and(|t| t.ends_with(".000Z"))
    );
    let copy = h.get("dst/1", &[]);
    assert_eq!(
        (copy.body.as_slice(), copy.header("content-type")),
        (&b"copy me"[..], Some("text/plain"))
    );
    assert_eq!(copy.header("x-cos-meta-k"), Some("v"));

    // Replaced metadata, and a path-style source.
    let resp = h.send(
        h.req(Method::Put, "dst/2")
            .with_header("x-cos-copy-source", format!("/{BUCKET}/src/a%20b.txt"))
            .with_header("x-cos-metadata-directive", "Replaced")
            .with_header("Content-Type", "image/png")
            .with_header("x-cos-meta-new", "1"),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let copy = h.get("dst/2", &[]);
    assert_eq!(copy.header("content-type"), Some("image/png"));
    assert_eq!(
        (copy.header("x-cos-meta-new"), copy.header("x-cos-meta-k")),
        (Some("1"), None)
    );

    let copy_req = |src: &str| {
        h.req(Method::Put, "dst/3")
            .with_header("x-cos-copy-source", src.to_owned())
    };
    h.send(copy_req(&format!(
        "{BUCKET}.cos.ap-guangzhou.myqcloud.com/missing"
    )))
    .assert_error(404, "NoSuchKey");
    h.send(copy_req("other-1250000000.cos.ap-guangzhou.myqcloud.com/k"))
        .assert_error(404, "NoSuchBucket");
    h.send(copy_req("garbage"))
        .assert_error(400, "InvalidArgument");
    h.send(copy_req(&source).with_header("x-cos-metadata-directive", "Move"))
        .assert_error(400, "InvalidArgument");
    h.send(copy_req(&source).with_header("x-cos-copy-source-If-Match", "\"0\""))
        .assert_error(412, "PreconditionFailed");
    h.send(copy_req(&source).with_header("x-cos-copy-source-If-None-Match", etag_of(b"copy me")))
        .assert_error(412, "PreconditionFailed");
    assert_eq!(
        h.send(copy_req(&source).with_header("x-cos-copy-source-If-Match", etag_of(b"copy me")))
            .status,
        200
    );
}

#[test]
fn object_and_bucket_acls() {
    let h = Harness::new();
    h.put("acl", b"x", &[("x-cos-acl", "public-read")]);
    let resp = h.send(h.req(Method::Get, "acl").with_query("acl", ""));
    assert_eq!(resp.status, 200, "{}", resp.text());
    let policy = cos_proto::types::AccessControlPolicy::from_xml(
        &cos_proto::xml::parse("t", &resp.body).expect("xml"),
    );
    let perms: Vec<(Option<String>, &str)> = policy
        .grants
        .iter()
        .map(|g| (g.grantee.uri.clone(), g.permission.as_str()))
        .collect();
    assert_eq!(
        perms,
        [
            (None, "FULL_CONTROL"),
            (
                Some("http://cam.qcloud.com/groups/global/AllUsers".into()),
                "READ"
            )
        ]
    );

    // PUT Object acl by header, then by body.
    let resp = h.send(
        h.req(Method::Put, "acl")
            .with_query("acl", "")
            .with_header("x-cos-acl", "private"),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    let body = policy.to_xml().expect("xml");
    let mut req = h.req(Method::Put, "").with_query("acl", "");
    req.set_body(cos_proto::Body::from(body));
    assert_eq!(h.send(req).status, 200);
    let resp = h.send(h.req(Method::Get, "").with_query("acl", ""));
    assert!(resp.text().contains("AllUsers"), "{}", resp.text());

    let mut bad = h.req(Method::Put, "").with_query("acl", "");
    bad.set_body(cos_proto::Body::from(
        b"<AccessControlPolicy><Owner>".to_vec(),
    ));
    h.send(bad).assert_error(400, "MalformedXML");
    h.send(
        h.req(Method::Put, "")
            .with_query("acl", "")
            .with_header("x-cos-grant-read", "bogus"),
    )
    .assert_error(400, "InvalidArgument");
    h.send(h.req(Method::Get, "missing").with_query("acl", ""))
        .assert_error(404, "NoSuchKey");
}

/// Header names are written exactly as COS writes them (some SDKs read them
/// case-sensitively), checked on the raw bytes of the response.
#[test]
fn header_names_have_cos_case() {
    let h = Harness::new();
    h.put("case", b"abc", &[("x-cos-acl", "public-read")]);
    let mut s = std::net::TcpStream::connect(h.emu.socket_addr()).expect("connect");
    write!(
        s,
        "GET /{BUCKET}/case HTTP/1.1\r\nHost: {}\r\nRange: bytes=0-1\r\nConnection: close\r\n\r\n",
        h.emu.address()
    )
    .expect("write");
    let mut raw = String::new();
    s.read_to_string(&mut raw).expect("read");
    let head = raw.split("\r\n\r\n").next().unwrap_or_default();
    for name in [
        "ETag: ",
        "Content-Length: ",
        "Content-Range: ",
        "Last-Modified: ",
        "Content-Type: ",
        "x-cos-hash-crc64ecma: ",
        "x-cos-request-id: ",
    ] {
        assert!(head.contains(&format!("\r\n{name}")), "{name} in {head}");
    }
    assert!(head.starts_with("HTTP/1.1 206"), "{head}");
}
