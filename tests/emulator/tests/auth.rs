//! Signature verification through real HTTP: header signatures, pre-signed URLs, key-time
//! windows and skew, unsigned headers, security tokens, and anonymous access by ACL.

mod common;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{BUCKET, Harness, REGION, SECRET_ID, credentials};
use cos_emulator::Emulator;
use cos_proto::{Credentials, GetObjectUrl, KeyTime, Method, SignableRequest, Signer};

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_secs()
}

fn send_with(
    h: &Harness,
    mut req: cos_proto::Request,
    signer: &Signer,
    kt: KeyTime,
) -> common::Resp {
    req.sign(signer, kt).expect("signs");
    h.send_raw(&req)
}

#[test]
fn wrong_keys_and_tampering_are_refused() {
    let h = Harness::new();
    h.put("k", b"v", &[]);
    let kt = KeyTime::new(now() - 10, now() + 600).expect("kt");
    let wrong = Signer::new(Credentials::new(SECRET_ID, "not-the-key").expect("c"));
    let resp = send_with(&h, h.req(Method::Get, "k"), &wrong, kt);
    resp.assert_error(403, "SignatureDoesNotMatch");
    assert!(resp.text().contains("FormatString"), "{}", resp.text());
    let unknown = Signer::new(Credentials::new("AKIDunknown", "x").expect("c"));
    send_with(&h, h.req(Method::Get, "k"), &unknown, kt).assert_error(403, "InvalidAccessKeyId");

    // Signed for one key, sent for another.
    let mut req = h.req(Method::Get, "k");
    req.sign(&h.signer, kt).expect("signs");
    req.pathname = "/other".into();
    h.send_raw(&req).assert_error(403, "SignatureDoesNotMatch");
    // A signed query parameter changed after signing.
    let mut req = h
        .req(Method::Get, "k")
        .with_query("response-content-type", "a/b");
    req.sign(&h.signer, kt).expect("signs");
    req.query[0].1 = "c/d".into();
    h.send_raw(&req).assert_error(403, "SignatureDoesNotMatch");
    // An x-cos-* header added after signing.
    let mut req = h.req(Method::Get, "k");
    req.sign(&h.signer, kt).expect("signs");
    let req = req.with_header("x-cos-meta-late", "1");
    h.send_raw(&req).assert_error(403, "AccessDenied");
    // Garbage in the header.
    let req = h
        .req(Method::Get, "k")
        .with_header("Authorization", "q-sign-algorithm=sha1&q-ak=x");
    h.send_raw(&req).assert_error(403, "AccessDenied");
    let req = h
        .req(Method::Get, "k")
        .with_header("Authorization", "Bearer abc");
    h.send_raw(&req).assert_error(403, "AccessDenied");
}

#[test]
fn key_time_window_and_skew() {
    let h = Harness::new();
    h.put("k", b"v", &[]);
    let t = now();
    let future = KeyTime::new(t + 2000, t + 3000).expect("kt");
    let resp = send_with(&h, h.req(Method::Get, "k"), &h.signer, future);
    resp.assert_error(403, "RequestTimeTooSkewed");
    let date = resp.header("date").expect("Date header");
    let server_now = httpdate_secs(date);
    assert!(server_now.abs_diff(t) < 60, "{date}");
    // Within the allowed skew (900 s by default).
    let near = KeyTime::new(t + 600, t + 1200).expect("kt");
    assert_eq!(
        send_with(&h, h.req(Method::Get, "k"), &h.signer, near).status,
        200
    );
    let expired = KeyTime::new(t - 2000, t - 1000).expect("kt");
    let resp = send_with(&h, h.req(Method::Get, "k"), &h.signer, expired);
    resp.assert_error(403, "AccessDenied");
    assert!(
        resp.text().contains("Request has expired"),
        "{}",
        resp.text()
    );

    // A configurable skew.
    let strict = Harness::with(Emulator::builder().allowed_skew(Duration::from_secs(10)));
    strict.put("k", b"v", &[]);
    send_with(&strict, strict.req(Method::Get, "k"), &strict.signer, near)
        .assert_error(403, "RequestTimeTooSkewed");
}

fn httpdate_secs(date: &str) -> u64 {
    // "Tue, 24 Nov 2026 21:05:49 GMT": compare through a round trip of our own formatting.
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let p: Vec<&str> = date.split([' ', ':']).collect();
    let (d, m, y): (u64, u64, u64) = (
        p[1].parse().expect("day"),
        months.iter().position(|x| *x == p[2]).expect("month") as u64 + 1,
        p[3].parse().expect("year"),
    );
    let (hh, mm, ss): (u64, u64, u64) = (
        p[4].parse().expect("h"),
        p[5].parse().expect("m"),
        p[6].parse().expect("s"),
    );
    let (y2, m2) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let era = y2 / 400;
    let yoe = y2 - era * 400;
    let doy = (153 * m2 + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + hh * 3600 + mm * 60 + ss
}

#[test]
fn pre_signed_urls() {
    let h = Harness::new();
    h.put("dir/a b+c.txt", b"signed", &[]);
    let mut p = GetObjectUrl::new(BUCKET, REGION, "dir/a b+c.txt");
    p.query = vec![("response-content-type".into(), "text/x-test".into())];
    let url = p
        .url(&h.endpoint, Some(&h.signer), SystemTime::now())
        .expect("url");
    assert!(
        url.starts_with(&format!("http://{}/{BUCKET}/", h.emu.address())),
        "{url}"
    );
    let resp = h.send_url("GET", &url, &h.emu.address(), &[], Vec::new());
    assert_eq!(
        (resp.status, resp.body.as_slice()),
        (200, &b"signed"[..]),
        "{}",
        resp.text()
    );
    assert_eq!(resp.header("content-type"), Some("text/x-test"));

    let tampered = url.replace("q-signature=", "q-signature=0");
    h.send_url("GET", &tampered, &h.emu.address(), &[], Vec::new())
        .assert_error(403, "SignatureDoesNotMatch");
    let mut old = GetObjectUrl::new(BUCKET, REGION, "dir/a b+c.txt");
    old.key_time = Some(KeyTime::new(now() - 100, now() - 50).expect("kt"));
    let url = old
        .url(&h.endpoint, Some(&h.signer), SystemTime::now())
        .expect("url");
    h.send_url("GET", &url, &h.emu.address(), &[], Vec::new())
        .assert_error(403, "AccessDenied");

    // The Python SDK signs the host without its port.
    let kt = KeyTime::new(now() - 10, now() + 600).expect("kt");
    let path = format!("/{BUCKET}/dir/a b+c.txt");
    let auth = h
        .signer
        .sign(
            &SignableRequest::new("get", &path).header("host", "127.0.0.1"),
            kt,
        )
        .expect("sign");
    let url = format!(
        "{}/{BUCKET}/dir/a%20b%2Bc.txt?{}",
        h.emu.url(),
        auth.as_str().replace(';', "%3B")
    );
    let resp = h.send_url("GET", &url, &h.emu.address(), &[], Vec::new());
    assert_eq!(resp.status, 200, "{}", resp.text());
}

#[test]
fn security_tokens() {
    let creds = credentials().with_security_token("TOKEN-1").expect("token");
    let emu = Emulator::builder()
        .credentials(creds.clone())
        .bucket(BUCKET)
        .start()
        .expect("starts");
    let h = Harness::attach(emu, Signer::new(creds));
    // cos-proto signs the token (as the Python SDK does).
    assert_eq!(h.put("k", b"v", &[]).status, 200);
    let kt = KeyTime::new(now() - 10, now() + 600).expect("kt");
    let plain = Signer::new(credentials());
    // The Node SDK sends it unsigned.
    let mut req = h.req(Method::Get, "k");
    req.sign(&plain, kt).expect("signs");
    let resp = h.send_raw(&req.clone().with_header("x-cos-security-token", "TOKEN-1"));
    assert_eq!(resp.status, 200, "{}", resp.text());
    h.send_raw(&req.clone().with_header("x-cos-security-token", "TOKEN-2"))
        .assert_error(403, "AccessDenied");
    h.send_raw(&req).assert_error(403, "AccessDenied");
}

#[test]
fn anonymous_access_follows_acls() {
    let h = Harness::new();
    h.put("public", b"p", &[("x-cos-acl", "public-read")]);
    h.put("private", b"s", &[]);
    let anon = |method: Method, key: &str| h.send_raw(&h.req(method, key));
    assert_eq!(anon(Method::Get, "public").body, b"p");
    assert_eq!(anon(Method::Head, "public").status, 200);
    anon(Method::Get, "private").assert_error(403, "AccessDenied");
    anon(Method::Get, "missing").assert_error(403, "AccessDenied");
    anon(Method::Get, "").assert_error(403, "AccessDenied");
    anon(Method::Put, "new").assert_error(403, "AccessDenied");
    anon(Method::Get, "public")
        .header("x-cos-request-id")
        .expect("request id");
    h.send_raw(&cos_proto::Request::new(
        Method::Get,
        h.endpoint.service_target(None),
        "",
    ))
    .assert_error(403, "AccessDenied");

    // A public-read bucket: objects with the default ACL are readable, listing works.
    let resp = h.send(
        h.req(Method::Put, "")
            .with_query("acl", "")
            .with_header("x-cos-acl", "public-read"),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert_eq!(anon(Method::Get, "private").body, b"s");
    anon(Method::Get, "missing").assert_error(404, "NoSuchKey");
    assert_eq!(anon(Method::Get, "").status, 200);
    anon(Method::Delete, "private").assert_error(403, "AccessDenied");
    // An explicitly private object stays private.
    h.send(
        h.req(Method::Put, "private")
            .with_query("acl", "")
            .with_header("x-cos-acl", "private"),
    );
    anon(Method::Get, "private").assert_error(403, "AccessDenied");

    // public-read-write: anyone may write.
    h.send(
        h.req(Method::Put, "")
            .with_query("acl", "")
            .with_header("x-cos-acl", "public-read-write"),
    );
    let mut put = h.req(Method::Put, "anon");
    put.set_body(cos_proto::Body::from(b"a".to_vec()));
    assert_eq!(h.send_raw(&put).status, 200);
    assert_eq!(anon(Method::Delete, "anon").status, 204);
}
