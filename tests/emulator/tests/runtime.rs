//! Persistence across restarts, fault injection with request counts, and the binary.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{BUCKET, Harness, SECRET_ID, SECRET_KEY};
use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};
use cos_proto::Method;

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cos-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn data_dir_survives_a_restart() {
    let dir = temp_dir("persist");
    {
        let h = Harness::with(Emulator::builder().data_dir(&dir));
        h.put(
            "a/1",
            b"one",
            &[("Content-Type", "text/plain"), ("x-cos-meta-m", "v")],
        );
        h.put(
            "a/1",
            b"one again",
            &[("Content-Type", "text/plain"), ("x-cos-meta-m", "v")],
        );
        h.put("pub", b"p", &[("x-cos-acl", "public-read")]);
        h.put("gone", b"g", &[]);
        h.send(h.req(Method::Delete, "gone"));
        let req = cos_proto::Request::new(Method::Put, h.target_for("made-1250000000"), "")
            .with_header("x-cos-acl", "public-read");
        assert_eq!(h.send(req).status, 200);
    }
    let h = Harness::with(Emulator::builder().data_dir(&dir));
    let get = h.get("a/1", &[]);
    assert_eq!(
        (get.body.as_slice(), get.header("content-type")),
        (&b"one again"[..], Some("text/plain"))
    );
    assert_eq!(get.header("x-cos-meta-m"), Some("v"));
    assert_eq!(
        get.header("etag"),
        Some(common::etag_of(b"one again").as_str())
    );
    h.get("gone", &[]).assert_error(404, "NoSuchKey");
    assert_eq!(h.send_raw(&h.req(Method::Get, "pub")).body, b"p");
    let head = h.send(cos_proto::Request::new(
        Method::Head,
        h.target_for("made-1250000000"),
        "",
    ));
    assert_eq!(head.status, 200);
    let list = h.send(h.req(Method::Get, ""));
    assert!(list.text().contains("<Key>a/1</Key>") && list.text().contains("<Key>pub</Key>"));
    assert!(!list.text().contains("gone"));
    // Nothing but the current files stays on disk.
    let files = std::fs::read_dir(dir.join("buckets").join(BUCKET).join("objects"))
        .expect("objects dir")
        .count();
    assert_eq!(files, 4);
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn faults_fire_as_configured_and_requests_are_counted() {
    let h = Harness::with(Emulator::builder().fault(FaultRule::new(
        "PutObject",
        Trigger::Nth(2),
        FaultAction::SlowDown,
    )));
    assert_eq!(h.put("k", b"1", &[]).status, 200);
    h.put("k", b"2", &[]).assert_error(503, "SlowDown");
    assert_eq!(h.put("k", b"3", &[]).status, 200);
    assert_eq!(h.get("k", &[]).body, b"3");
    assert_eq!((h.emu.count("PutObject"), h.emu.count("GetObject")), (3, 1));
    assert_eq!(h.emu.faults_fired(), 1);

    h.emu.add_fault(FaultRule::new(
        "GetObject",
        Trigger::FirstN(2),
        FaultAction::InternalError,
    ));
    h.get("k", &[]).assert_error(500, "InternalError");
    h.get("k", &[]).assert_error(500, "InternalError");
    assert_eq!(h.get("k", &[]).status, 200);
    h.emu.clear_faults();

    h.emu.add_fault(FaultRule::new(
        "*",
        Trigger::Always,
        FaultAction::Delay(Duration::from_millis(150)),
    ));
    let start = Instant::now();
    assert_eq!(h.get("k", &[]).status, 200);
    assert!(start.elapsed() >= Duration::from_millis(150));
    h.emu.clear_faults();
    assert_eq!(h.emu.counts().get("GetObject"), Some(&5));
    h.emu.reset_counts();
    assert_eq!(h.emu.count("GetObject"), 0);

    // The same seed fails the same requests.
    let pattern = |seed| {
        let h = Harness::with(Emulator::builder().fault_seed(seed).fault(FaultRule::new(
            "HeadObject",
            Trigger::Probability(0.5),
            FaultAction::InternalError,
        )));
        h.put("k", b"x", &[]);
        (0..16)
            .map(|_| h.send(h.req(Method::Head, "k")).status)
            .collect::<Vec<_>>()
    };
    let a = pattern(42);
    assert_eq!(a, pattern(42));
    assert!(a.contains(&500) && a.contains(&200), "{a:?}");
}

#[test]
fn connections_break_mid_body() {
    let h = Harness::new();
    let body = vec![7u8; 256 * 1024];
    h.put("big", &body, &[]);
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(10)))
        .build()
        .into();
    let url = format!("{}/{BUCKET}/big", h.emu.url());
    h.send(
        h.req(Method::Put, "")
            .with_query("acl", "")
            .with_header("x-cos-acl", "public-read-write"),
    );
    let reset = |op: &str| {
        h.emu.clear_faults();
        h.emu.add_fault(FaultRule::new(
            op,
            Trigger::Nth(1),
            FaultAction::ResetMidBody,
        ));
        h.emu.reset_counts();
    };

    // A keep-alive download (ureq's default) fails mid-body at once, long before the
    // client's timeout: the chunked body breaks off after part of the data.
    reset("GetObject");
    let start = Instant::now();
    let mut got = Vec::new();
    let result = agent.get(&url).call().and_then(|mut r| {
        r.body_mut()
            .as_reader()
            .read_to_end(&mut got)
            .map_err(ureq::Error::from)
    });
    assert!(result.is_err(), "the download must fail mid-body");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(
        !got.is_empty() && got.len() <= body.len() / 2,
        "{}",
        got.len()
    );
    assert!(got.iter().all(|&b| b == 7));
    assert_eq!(
        agent
            .get(&url)
            .call()
            .expect("next GET")
            .body_mut()
            .read_to_vec()
            .expect("body")
            .len(),
        body.len()
    );

    // Seen on the wire, when the client asks for the connection to close: status and
    // headers announcing the whole body, exactly half of it, then the connection closes
    // (EOF, not a malformed response).
    reset("GetObject");
    let start = Instant::now();
    let raw = raw_exchange(
        &h,
        format!("GET /{BUCKET}/big HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    let (head, rest) = split_head(&raw);
    assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
    assert!(
        head.contains(&format!("Content-Length: {}\r\n", body.len())),
        "{head}"
    );
    assert!(head.contains("ETag: \""), "{head}");
    assert_eq!(rest.len(), body.len() / 2);
    // Without `Connection: close`, the same fault on the wire: chunked, and a line that is
    // not a chunk size after the last whole chunk.
    reset("GetObject");
    let raw = raw_until(
        &h,
        format!("GET /{BUCKET}/big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").as_bytes(),
        b"\r\n!\r\n",
    );
    let (head, _) = split_head(&raw);
    assert!(head.contains("Transfer-Encoding: chunked\r\n"), "{head}");
    assert!(!head.contains("Content-Length"), "{head}");

    // A keep-alive upload: half of it is read, then it is answered 500 and nothing is
    // stored.
    reset("PutObject");
    let result = agent.put(&format!("{url}2")).send(&body[..]);
    assert!(
        matches!(result, Err(ureq::Error::StatusCode(500))),
        "{result:?}"
    );
    assert_eq!(h.get("big2", &[]).status, 404);
    assert_eq!(h.put("big2", &body, &[]).status, 200);
    assert_eq!(h.emu.count("PutObject"), 2);
    // An upload on a connection the client asked to close gets no answer at all.
    reset("PutObject");
    let start = Instant::now();
    let mut request = format!(
        "PUT /{BUCKET}/big3 HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    request.extend_from_slice(&[1u8; 2000]);
    assert_eq!(raw_exchange(&h, &request), b"");
    assert!(
        start.elapsed() < Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(h.emu.count("PutObject"), 1);
    assert_eq!(h.get("big3", &[]).status, 404);
}

/// Sends `request` on a new connection and reads until the server closes it (an error,
/// such as a reset, ends the read too).
fn raw_exchange(h: &Harness, request: &[u8]) -> Vec<u8> {
    raw_until(h, request, b"")
}

/// Sends `request` on a new connection and reads until the server closes it or what was
/// read ends with `end` (when not empty).
fn raw_until(h: &Harness, request: &[u8], end: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(h.emu.socket_addr()).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    let _ = s.write_all(request);
    let mut out = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while end.is_empty() || !out.ends_with(end) {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    out
}

fn split_head(raw: &[u8]) -> (String, &[u8]) {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete head");
    (
        String::from_utf8_lossy(&raw[..end + 4]).into_owned(),
        &raw[end + 4..],
    )
}

/// The `<Code>` of a raw error response.
fn raw_code(body: &[u8]) -> Option<String> {
    cos_proto::xml::parse("t", body)
        .ok()
        .and_then(|e| e.text_of("Code"))
}

#[test]
fn an_oversized_content_length_is_answered_before_the_body() {
    let h = Harness::new();
    // Over the limit (5 GiB + 1 MiB) by one byte, and beyond what fits in 64 bits (which
    // tiny_http does not take as a body length at all).
    for declared in ["5369757697", "100000000000000000000"] {
        let start = Instant::now();
        let mut s = TcpStream::connect(h.emu.socket_addr()).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s.write_all(
            format!(
                "PUT /{BUCKET}/huge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
            )
            .as_bytes(),
        )
        .expect("head");
        // The answer comes while the client has sent none of the body; the client then
        // gives up on the body (tiny_http drains what was sent and closes).
        let mut raw = Vec::new();
        let mut buf = [0u8; 4096];
        while raw.windows(8).all(|w| w != b"</Error>") {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => raw.extend_from_slice(&buf[..n]),
            }
        }
        s.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let (head, body) = split_head(&raw);
        assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
        assert_eq!(raw_code(body).as_deref(), Some("EntityTooLarge"));
        let mut rest = Vec::new();
        let _ = s.read_to_end(&mut rest);
        assert!(rest.is_empty(), "{}", String::from_utf8_lossy(&rest));
        assert!(
            start.elapsed() < Duration::from_secs(2),
            "{:?}",
            start.elapsed()
        );
    }
    assert_eq!(h.emu.count("PutObject"), 2);
    // The server goes on serving.
    assert_eq!(h.put("small", b"ok", &[]).status, 200);
    assert_eq!(h.get("small", &[]).body, b"ok");
}

#[test]
fn operations_are_counted_and_faulted_under_cos_proto_names() {
    use cos_proto::Operation;
    use cos_proto::ops::{acl, cors, object};
    let h = Harness::new();
    let region = common::REGION.to_owned();
    h.put("a", b"1", &[]);
    h.emu.reset_counts();
    h.emu.add_fault(FaultRule::new(
        acl::GetBucketAcl::NAME,
        Trigger::Nth(1),
        FaultAction::SlowDown,
    ));
    let get_acl = acl::GetBucketAcl {
        bucket: BUCKET.to_owned(),
        region: region.clone(),
    };
    let err = h.op(&get_acl, false).expect_err("the fault fires");
    assert_eq!(
        common::service_code(&err),
        Some((503, "SlowDown".to_owned()))
    );
    h.op(&get_acl, false).expect("GetBucketACL");
    h.op(
        &object::DeleteMultipleObject {
            bucket: BUCKET.to_owned(),
            region: region.clone(),
            quiet: false,
            objects: vec![object::ObjectToDelete {
                key: "a".to_owned(),
                version_id: None,
            }],
        },
        false,
    )
    .expect("DeleteMultipleObjects");
    h.op(
        &cors::GetBucketCors {
            bucket: BUCKET.to_owned(),
            region,
        },
        false,
    )
    .expect_err("no CORS configuration");
    let counts = h.emu.counts();
    assert_eq!(
        counts.into_iter().collect::<Vec<_>>(),
        vec![
            (object::DeleteMultipleObject::NAME.to_owned(), 1),
            (acl::GetBucketAcl::NAME.to_owned(), 2),
            (cors::GetBucketCors::NAME.to_owned(), 1),
        ]
    );
    assert_eq!(
        (
            acl::GetBucketAcl::NAME,
            cors::GetBucketCors::NAME,
            object::DeleteMultipleObject::NAME
        ),
        ("GetBucketACL", "GetBucketCORS", "DeleteMultipleObjects")
    );
    for name in [
        acl::GetBucketAcl::NAME,
        object::DeleteMultipleObject::NAME,
        cos_proto::ops::multipart::MultipartUpload::NAME,
    ] {
        assert!(cos_emulator::OPERATIONS.contains(&name), "{name}");
    }

    // The emulator's former names are refused, with the right one suggested.
    for (old, new) in [
        ("DeleteMultipleObject", "DeleteMultipleObjects"),
        ("GetBucketAcl", "GetBucketACL"),
        ("PutBucketCors", "PutBucketCORS"),
    ] {
        let err = FaultRule::parse(&format!("{old}:500")).expect_err(old);
        assert!(err.contains(&format!("did you mean {new}?")), "{err}");
        assert!(FaultRule::parse(&format!("{new}:500")).is_ok(), "{new}");
    }
    assert!(FaultRule::parse("*:500").is_ok());
    assert!(FaultRule::parse("NoSuchCall:500").is_err());
}

#[test]
fn the_binary_serves_and_documents_its_options() {
    let exe = env!("CARGO_BIN_EXE_cos-emulator");
    let help = Command::new(exe).arg("--help").output().expect("runs");
    let text = String::from_utf8_lossy(&help.stdout);
    for option in [
        "--listen",
        "--data-dir",
        "--secret-id",
        "--secret-key",
        "--region",
        "--bucket",
        "--fault",
        "--allowed-skew",
    ] {
        assert!(text.contains(option), "{option}");
    }
    for name in cos_emulator::OPERATIONS {
        assert!(
            text.split_whitespace().any(|w| w == *name),
            "--help lists {name}"
        );
    }
    let bad = Command::new(exe)
        .args(["--fault", "x"])
        .output()
        .expect("runs");
    assert_eq!(bad.status.code(), Some(2));

    let mut child = Command::new(exe)
        .args([
            "--listen",
            "127.0.0.1:0",
            "--secret-id",
            SECRET_ID,
            "--secret-key",
            SECRET_KEY,
        ])
        .args(["--bucket", BUCKET, "--fault", "GetObject:503:nth=1"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .expect(&line)
        .to_owned();
    let emu_client = Harness::new();
    let endpoint = cos_proto::Endpoint::new()
        .with_scheme(cos_proto::Scheme::Http)
        .with_connect_address(&addr)
        .expect("endpoint");
    let target = endpoint
        .target(
            &cos_proto::Bucket::new(BUCKET).expect("b"),
            &cos_proto::Region::new("ap-guangzhou").expect("r"),
        )
        .expect("target");
    let mut put = cos_proto::Request::new(Method::Put, target.clone(), "k");
    put.set_body(cos_proto::Body::from(b"from the binary".to_vec()));
    assert_eq!(emu_client.send(put).status, 200);
    emu_client
        .send(cos_proto::Request::new(Method::Get, target.clone(), "k"))
        .assert_error(503, "SlowDown");
    assert_eq!(
        emu_client
            .send(cos_proto::Request::new(Method::Get, target, "k"))
            .body,
        b"from the binary"
    );
    child.kill().expect("kill");
    let _ = child.wait();
}

/// A request declaring more body than the machine could ever allocate is answered with
/// EntityTooLarge before any body is read, and the emulator keeps serving: its (vendored,
/// patched) tiny_http drains the unread body through a fixed buffer. The emulator runs as a
/// child process so that a regression (an abort) cannot take the test binary down.
#[test]
fn an_unallocatable_content_length_is_answered_and_the_server_lives_on() {
    let exe = env!("CARGO_BIN_EXE_cos-emulator");
    let mut child = Command::new(exe)
        .current_dir(std::env::temp_dir())
        .args(["--listen", "127.0.0.1:0", "--bucket", BUCKET])
        .args(["--secret-id", SECRET_ID, "--secret-key", SECRET_KEY])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawns");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .expect(&line)
        .to_owned();
    let raw_request = |request: &str| {
        let mut s = TcpStream::connect(&addr).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        s.write_all(request.as_bytes()).expect("request");
        s.shutdown(std::net::Shutdown::Write).expect("shutdown");
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        raw
    };
    let raw = raw_request(&format!(
        "PUT /{BUCKET}/huge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000000000000000\r\nConnection: close\r\n\r\nsome bytes"
    ));
    let (head, body) = split_head(&raw);
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    assert_eq!(raw_code(body).as_deref(), Some("EntityTooLarge"));
    // Still alive, and still answering (an anonymous read of a private bucket: AccessDenied).
    std::thread::sleep(Duration::from_millis(200));
    let alive = child.try_wait().expect("wait").is_none();
    let raw = raw_request(&format!(
        "GET /{BUCKET}/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    ));
    let _ = child.kill();
    let _ = child.wait();
    let mut err = String::new();
    let _ = child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut err);
    assert!(alive, "the emulator exited: {err}");
    let (head, body) = split_head(&raw);
    assert!(head.starts_with("HTTP/1.1 403 "), "{head}");
    assert_eq!(raw_code(body).as_deref(), Some("AccessDenied"));
}
