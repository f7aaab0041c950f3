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

#[test]
fn a_body_less_put_sends_content_length_zero() {
    let server = Scripted::start(vec![http_response("200 OK", &[], b"")]);
    let client = client_at(&server.address, |c| c);
    client
        .put_bucket(&cos_blocking::proto::ops::bucket::PutBucket {
            bucket: common::BUCKET.into(),
            region: common::REGION.into(),
            ..Default::default()
        })
        .expect("put bucket");
    let head = &server.heads()[0];
    assert_eq!(header(head, "content-length"), vec!["0"], "{head}");
    assert!(header(head, "transfer-encoding").is_empty(), "{head}");
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
