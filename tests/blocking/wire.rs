//! What cos-blocking puts on the wire, and the checks the emulator cannot trigger (CRC64
//! mismatches), against a scripted HTTP server.

mod common;

use common::data;
use common::scripted::{Scripted, client_at, http_response};
use cos_blocking::ErrorKind;
use cos_blocking::proto::Body;
use cos_blocking::proto::ops::object::{GetObject, PutObject};

fn put(key: &str, body: &[u8]) -> PutObject {
    PutObject {
        bucket: common::BUCKET.into(),
        region: common::REGION.into(),
        key: key.into(),
        body: Body::from(body.to_vec()),
        ..PutObject::default()
    }
}

fn get(key: &str) -> GetObject {
    GetObject {
        bucket: common::BUCKET.into(),
        region: common::REGION.into(),
        key: key.into(),
        ..GetObject::default()
    }
}

fn header<'a>(head: &'a str, name: &str) -> Vec<&'a str> {
    head.lines()
        .filter_map(|l| l.split_once(':'))
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.trim())
        .collect()
}

#[test]
fn one_signed_content_length_and_a_signed_retry_mark() {
    let server = Scripted::start(vec![
        http_response("503 Service Unavailable", &[], b""),
        http_response("200 OK", &[("ETag", "\"e\"")], b""),
    ]);
    let client = client_at(&server.address, |c| c);
    client
        .put_object(&put("dir/a b.txt", b"hello"))
        .expect("retried");
    let heads = server.heads();
    assert_eq!(heads.len(), 2);
    for (i, head) in heads.iter().enumerate() {
        assert!(
            head.starts_with("PUT /dir/a%20b.txt HTTP/1.1\r\n"),
            "{head}"
        );
        assert_eq!(
            header(head, "host"),
            vec!["examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"]
        );
        assert_eq!(header(head, "content-length"), vec!["5"], "{head}");
        assert!(header(head, "transfer-encoding").is_empty(), "{head}");
        let retry = header(head, "x-cos-sdk-retry");
        let auth = header(head, "authorization");
        assert_eq!(auth.len(), 1, "{head}");
        let list = auth[0]
            .split('&')
            .find_map(|p| p.strip_prefix("q-header-list="))
            .expect("header list");
        if i == 0 {
            assert!(retry.is_empty(), "{head}");
            assert_eq!(list, "content-length;host");
        } else {
            assert_eq!(retry, vec!["true"], "{head}");
            assert_eq!(list, "content-length;host;x-cos-sdk-retry");
        }
    }
}

/// The request line and headers of `head`, each header as `(lower-case name, value)`, with
/// the Authorization's `q-signature` value cut off (it changes with the clock).
fn parse_head(head: &str) -> (String, Vec<(String, String)>) {
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default().to_owned();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (request_line, headers)
}

/// Checks the Authorization of a recorded request against a signature computed here from the
/// headers and query as they arrived (with its own key time): what was sent is what was
/// signed. Returns its `q-header-list`.
fn verify_signature(method: &str, pathname: &str, query: &[(&str, &str)], head: &str) -> String {
    use cos_blocking::proto::{Credentials, KeyTime, SignableRequest, Signer};
    let (_, headers) = parse_head(head);
    let auth = headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .map(|(_, v)| v.clone())
        .expect("an Authorization header");
    let key_time = auth
        .split('&')
        .find_map(|p| p.strip_prefix("q-key-time="))
        .and_then(|kt| KeyTime::parse(kt).ok())
        .expect("a key time");
    let signer = Signer::new(Credentials::new(common::SECRET_ID, common::SECRET_KEY).expect("key"));
    let req = SignableRequest::new(method, pathname)
        .queries(query.iter().copied())
        .headers(
            headers
                .iter()
                .filter(|(n, _)| n != "authorization")
                .map(|(n, v)| (n.as_str(), v.as_str())),
        );
    let expected = signer.sign(&req, key_time).expect("signs");
    assert_eq!(auth, expected.as_str(), "{head}");
    expected.header_list().to_owned()
}

#[test]
fn a_body_less_put_or_post_sends_and_signs_content_length_zero() {
    use cos_blocking::proto::ops::acl::PutBucketAcl;
    use cos_blocking::proto::ops::bucket::{DeleteBucket, PutBucket};
    use cos_blocking::proto::ops::multipart::MultipartInit;
    use cos_blocking::proto::ops::object::PutObjectCopy;

    let ok = |n| vec![http_response("200 OK", &[], b""); n];
    let init_xml = b"<InitiateMultipartUploadResult><Bucket>examplebucket-1250000000</Bucket><Key>k</Key><UploadId>u1</UploadId></InitiateMultipartUploadResult>";
    let copy_xml = b"<CopyObjectResult><ETag>\"e\"</ETag><LastModified>2024-01-01T00:00:00.000Z</LastModified></CopyObjectResult>";
    let mut responses = ok(2);
    responses.push(http_response("200 OK", &[], copy_xml));
    responses.push(http_response("200 OK", &[], init_xml));
    responses.push(http_response("204 No Content", &[], b""));
    let server = Scripted::start(responses);
    let client = client_at(&server.address, |c| c);
    let (bucket, region) = (common::BUCKET.to_owned(), common::REGION.to_owned());
    client
        .put_bucket(&PutBucket {
            bucket: bucket.clone(),
            region: region.clone(),
            ..PutBucket::default()
        })
        .expect("PutBucket");
    client
        .put_bucket_acl(&PutBucketAcl {
            bucket: bucket.clone(),
            region: region.clone(),
            acl: Some("private".into()),
            ..PutBucketAcl::default()
        })
        .expect("PutBucketACL by header");
    let source = format!("{bucket}.cos.{region}.myqcloud.com/src");
    client
        .put_object_copy(&PutObjectCopy {
            bucket: bucket.clone(),
            region: region.clone(),
            key: "k".into(),
            copy_source: source.clone(),
            ..PutObjectCopy::default()
        })
        .expect("PutObjectCopy");
    client
        .multipart_init(&MultipartInit {
            bucket: bucket.clone(),
            region: region.clone(),
            key: "k".into(),
            ..MultipartInit::default()
        })
        .expect("InitiateMultipartUpload");
    client
        .delete_bucket(&DeleteBucket {
            bucket: bucket.clone(),
            region: region.clone(),
        })
        .expect("DeleteBucket");

    let requests = server.requests.lock().expect("lock").clone();
    assert_eq!(requests.len(), 5);
    let host = format!("{bucket}.cos.{region}.myqcloud.com");
    let base = |extra: &[(&str, &str)]| {
        let mut h: Vec<(String, String)> = [
            ("accept-encoding", "identity"),
            ("user-agent", cos_blocking::config::DEFAULT_USER_AGENT),
            ("accept", "*/*"),
            ("host", host.as_str()),
        ]
        .iter()
        .chain(extra)
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
        h.sort();
        h
    };
    // (request line, headers other than Authorization, q-header-list, signed as)
    let expected = [
        (
            "PUT / HTTP/1.1",
            base(&[("content-length", "0")]),
            "content-length;host",
            ("PUT", "/", vec![]),
        ),
        (
            "PUT /?acl HTTP/1.1",
            base(&[("content-length", "0"), ("x-cos-acl", "private")]),
            "content-length;host;x-cos-acl",
            ("PUT", "/", vec![("acl", "")]),
        ),
        (
            "PUT /k HTTP/1.1",
            base(&[("content-length", "0"), ("x-cos-copy-source", &source)]),
            "content-length;host;x-cos-copy-source",
            ("PUT", "/k", vec![]),
        ),
        (
            "POST /k?uploads HTTP/1.1",
            base(&[("content-length", "0")]),
            "content-length;host",
            ("POST", "/k", vec![("uploads", "")]),
        ),
        (
            "DELETE / HTTP/1.1",
            base(&[]),
            "host",
            ("DELETE", "/", vec![]),
        ),
    ];
    for ((head, body), (line, headers, list, (method, path, query))) in
        requests.iter().zip(expected)
    {
        let (request_line, mut sent) = parse_head(head);
        assert_eq!(request_line, line, "{head}");
        sent.retain(|(n, _)| n != "authorization");
        sent.sort();
        assert_eq!(sent, headers, "{head}");
        assert!(body.is_empty(), "{head}");
        assert_eq!(verify_signature(method, path, &query, head), list, "{head}");
    }
}

#[test]
fn crc64_mismatches_are_integrity_errors() {
    let body = data(64);
    let good = cos_blocking::crc64(&body).to_string();
    let server = Scripted::start(vec![
        http_response("200 OK", &[("x-cos-hash-crc64ecma", "12345")], b""),
        http_response("200 OK", &[("x-cos-hash-crc64ecma", "12345")], &body),
        http_response("200 OK", &[("x-cos-hash-crc64ecma", &good)], &body),
    ]);
    let client = client_at(&server.address, |c| c);
    let err = client.put_object(&put("p", &body)).expect_err("mismatch");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Integrity {
                expected: 12345,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        err.to_string().contains("CRC64 of the uploaded body"),
        "{err}"
    );
    let err = client.get_object(&get("g")).expect_err("mismatch");
    assert!(matches!(err.kind(), ErrorKind::Integrity { .. }), "{err}");
    assert!(
        err.to_string().contains("CRC64 of the downloaded body"),
        "{err}"
    );
    assert_eq!(
        err.attempts(),
        1,
        "integrity failures are reported, not retried"
    );
    assert_eq!(client.get_object(&get("g")).expect("matches").body, body);
}

#[test]
fn crc64_checks_can_be_turned_off() {
    let server = Scripted::start(vec![http_response(
        "200 OK",
        &[("x-cos-hash-crc64ecma", "1")],
        b"abc",
    )]);
    let client = client_at(&server.address, |c| c.crc64_check(false));
    assert_eq!(
        client.get_object(&get("k")).expect("unchecked").body,
        b"abc"
    );
}

#[test]
fn redirects_are_not_followed() {
    let server = Scripted::start(vec![http_response(
        "301 Moved Permanently",
        &[("Location", "http://127.0.0.1:1/elsewhere")],
        b"",
    )]);
    let client = client_at(&server.address, |c| c);
    let err = client.get_object(&get("k")).expect_err("3xx is an error");
    assert_eq!(err.status(), Some(301));
    assert_eq!(server.heads().len(), 1);
}
