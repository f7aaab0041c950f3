//! Fuzzing the emulator's request handling, and the client's reading of hostile answers.
//!
//! - Generated raw HTTP requests (methods, targets with sub-resources and escapes, hosts,
//!   headers, absurd `Content-Length`s, bodies; a part of them correctly signed, so they
//!   reach the handlers) go to an emulator over TCP: every answer is well-formed HTTP, no
//!   handler panics (a panic hook watches the workers, whose panics the server would
//!   otherwise turn into 500s), and the emulator keeps serving.
//! - A server that announces an absurd `Content-Length` or sends an endless listing cannot
//!   make the client allocate without bound: the call fails once the body passes
//!   cos-blocking's 64 MiB cap on documents (or ends short), and nothing is retried forever.
//!
//! A fixed number of cases and a fixed seed per run (`PROPTEST_CASES` and
//! `PROPTEST_RNG_SEED` change them).

#[path = "../blocking/common/mod.rs"]
mod common;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::{BUCKET, REGION, SECRET_ID, SECRET_KEY};
use cos_blocking::proto::ops::bucket::{GetBucket, GetService, PutBucket};
use cos_blocking::proto::ops::object::GetObject;
use cos_blocking::proto::{Credentials, KeyTime, SignableRequest, Signer};
use cos_blocking::{Client, ErrorKind, RetryPolicy};
use cos_emulator::Emulator;
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

const CASES: u32 = 192;
const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

fn config() -> ProptestConfig {
    let env = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<u64>().ok());
    ProptestConfig {
        cases: env("PROPTEST_CASES").map_or(CASES, |n| u32::try_from(n).unwrap_or(CASES)),
        rng_seed: RngSeed::Fixed(env("PROPTEST_RNG_SEED").unwrap_or(0x0C05_F022)),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

/// Every panic in this process (the emulator's workers catch theirs).
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn watch_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("unnamed");
            PANICS
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(format!("{name}: {info}"));
            default(info);
        }));
    });
}

/// One generated request.
#[derive(Debug, Clone)]
struct Raw {
    method: String,
    path: String,
    query: Vec<(String, String)>,
    host: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// The declared `Content-Length`, when not the body's.
    declared: Option<String>,
    signed: bool,
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&["GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS", "PATCH"][..])
            .prop_map(str::to_owned),
        "[A-Z]{1,8}",
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/".to_owned()),
        "/[a-z0-9._-]{1,12}",
        "/[a-z0-9._/-]{1,24}",
        "/(%[0-9A-Fa-f]{2}|%|[a-z/.~!$&'()*+,;=:@-]){1,16}",
        Just(format!("/{BUCKET}/k")),
        Just("/../../etc/passwd".to_owned()),
    ]
}

fn query() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop_oneof![
        prop::sample::select(
            &[
                "acl",
                "cors",
                "uploads",
                "uploadId",
                "partNumber",
                "prefix",
                "delimiter",
                "marker",
                "max-keys",
                "max-parts",
                "max-uploads",
                "part-number-marker",
                "encoding-type",
                "delete",
                "location",
                "versionId",
                "response-content-type",
            ][..]
        )
        .prop_map(str::to_owned),
        "[a-z-]{1,8}",
    ];
    let value = prop_oneof![
        Just(String::new()),
        any::<u32>().prop_map(|n| n.to_string()),
        Just("18446744073709551616".to_owned()),
        Just("-1".to_owned()),
        "[a-zA-Z0-9%._-]{0,12}",
    ];
    prop::collection::vec((name, value), 0..4)
}

fn headers() -> impl Strategy<Value = Vec<(String, String)>> {
    let name = prop::sample::select(
        &[
            "Content-Type",
            "Content-MD5",
            "Range",
            "If-Match",
            "If-None-Match",
            "If-Modified-Since",
            "x-cos-acl",
            "x-cos-grant-read",
            "x-cos-storage-class",
            "x-cos-meta-a",
            "x-cos-copy-source",
            "x-cos-copy-source-range",
            "x-cos-metadata-directive",
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
            "Transfer-Encoding",
            "Expect",
        ][..],
    )
    .prop_map(str::to_owned);
    let value = prop_oneof![
        Just(String::new()),
        Just("bytes=0-1".to_owned()),
        Just("bytes=5-1".to_owned()),
        Just("bytes=-18446744073709551616".to_owned()),
        Just(format!("{HOST}/k")),
        Just(format!("{HOST}/k?versionId=x")),
        Just("chunked".to_owned()),
        Just("100-continue".to_owned()),
        Just("private".to_owned()),
        Just("GET".to_owned()),
        "[ -~]{0,20}",
    ];
    prop::collection::vec((name, value), 0..5)
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(Vec::new()),
        prop::collection::vec(any::<u8>(), 0..128),
        prop::sample::select(
            &[
                "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>",
                "<CompleteMultipartUpload><Part><PartNumber>99999999999</PartNumber></Part></CompleteMultipartUpload>",
                "<Delete><Quiet>true</Quiet><Object><Key>k</Key></Object></Delete>",
                "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>18446744073709551616</MaxAgeSeconds></CORSRule></CORSConfiguration>",
                "<AccessControlPolicy><Owner><ID>x</ID></Owner><AccessControlList><Grant><Grantee><ID>y</ID></Grantee><Permission>READ</Permission></Grant></AccessControlList></AccessControlPolicy>",
                "<a><b><c>",
            ][..],
        )
        .prop_map(|s| s.as_bytes().to_vec()),
    ]
}

fn raw() -> impl Strategy<Value = Raw> {
    let host = prop_oneof![
        Just(HOST.to_owned()),
        Just("cos.ap-guangzhou.myqcloud.com".to_owned()),
        Just("127.0.0.1".to_owned()),
        Just("nosuchbucket-1250000000.cos.ap-guangzhou.myqcloud.com".to_owned()),
        "[a-z0-9.:-]{0,30}",
    ];
    let declared = prop::option::weighted(
        0.15,
        prop_oneof![
            Just("18446744073709551616".to_owned()),
            Just("1000000000000000000".to_owned()),
            Just("5368709120".to_owned()),
            Just("-1".to_owned()),
            Just("0x10".to_owned()),
            Just("200".to_owned()),
        ],
    );
    (
        method(),
        path(),
        query(),
        host,
        headers(),
        body(),
        declared,
        any::<bool>(),
    )
        .prop_map(
            |(method, path, query, host, headers, body, declared, signed)| Raw {
                method,
                path,
                query,
                host,
                headers,
                body,
                declared,
                signed,
            },
        )
}

/// The request's bytes; signed with the emulator's credential when `raw.signed`.
fn encode(raw: &Raw) -> Vec<u8> {
    let mut target = raw.path.clone();
    for (i, (n, v)) in raw.query.iter().enumerate() {
        target.push(if i == 0 { '?' } else { '&' });
        target.push_str(n);
        if !v.is_empty() {
            target.push('=');
            target.push_str(v);
        }
    }
    let length = raw
        .declared
        .clone()
        .unwrap_or_else(|| raw.body.len().to_string());
    let mut headers = raw.headers.clone();
    headers.push(("Host".into(), raw.host.clone()));
    headers.push(("Content-Length".into(), length));
    if raw.signed {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let signer = Signer::new(Credentials::new(SECRET_ID, SECRET_KEY).expect("credentials"));
        let mut req = SignableRequest::new(&raw.method, &raw.path);
        for (n, v) in &raw.query {
            req = req.query(n, v);
        }
        for (n, v) in &headers {
            req = req.header(n, v);
        }
        let signed = KeyTime::new(now.saturating_sub(60), now + 600)
            .and_then(|key_time| signer.sign(&req, key_time));
        if let Ok(auth) = signed {
            headers.push(("Authorization".into(), auth.as_str().to_owned()));
        }
    }
    let mut out = format!("{} {target} HTTP/1.1\r\n", raw.method).into_bytes();
    for (n, v) in &headers {
        out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out.extend_from_slice(&raw.body);
    out
}

/// Sends `bytes`, closes the sending half, and reads the answer (at most 1 MiB, 10 s).
fn exchange(address: &str, bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(address)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    // The server may answer and close before reading a body it refuses.
    let _ = stream.write_all(bytes);
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    let _ = stream.take(1 << 20).read_to_end(&mut answer);
    Ok(answer)
}

/// Whether `answer` is empty (the connection closed) or starts with a status line.
fn well_formed(answer: &[u8]) -> bool {
    answer.is_empty()
        || (answer.len() >= 12
            && answer.starts_with(b"HTTP/1.")
            && answer[8] == b' '
            && answer[9..12].iter().all(u8::is_ascii_digit))
}

/// Whether the emulator still serves: it lists the buckets. A generated request may have
/// deleted the test's bucket (no failure): it is created again, so that later requests reach
/// the object handlers.
fn healthy(client: &Client) -> bool {
    let Ok(listed) = client.get_service(&GetService::default()) else {
        return false;
    };
    if !listed.buckets.iter().any(|b| b.name == BUCKET) {
        let _ = client.put_bucket(&PutBucket {
            bucket: BUCKET.into(),
            region: REGION.into(),
            ..PutBucket::default()
        });
    }
    true
}

#[test]
fn the_emulator_answers_any_request_and_lives_on() {
    watch_panics();
    let emu = Emulator::builder()
        .credential(SECRET_ID, SECRET_KEY)
        .bucket(BUCKET)
        .start()
        .expect("emulator");
    let address = emu.address();
    let client = common::scripted::client_at(&address, |c| c);
    let statuses = Mutex::new(std::collections::BTreeMap::<String, u64>::new());
    let mut runner = proptest::test_runner::TestRunner::new(config());
    runner
        .run(&raw(), |raw| {
            let answer = exchange(&address, &encode(&raw))
                .map_err(|e| TestCaseError::fail(format!("connect: {e}")))?;
            prop_assert!(
                well_formed(&answer),
                "{:?}",
                String::from_utf8_lossy(&answer[..answer.len().min(200)])
            );
            let status = String::from_utf8_lossy(answer.get(9..12).unwrap_or(b"---")).into_owned();
            *statuses.lock().expect("lock").entry(status).or_insert(0) += 1;
            prop_assert!(
                healthy(&client),
                "the emulator stopped answering after {raw:?}"
            );
            let panics = PANICS.lock().map(|p| p.clone()).unwrap_or_default();
            prop_assert!(panics.is_empty(), "{panics:?} after {raw:?}");
            Ok(())
        })
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = writeln!(
        std::io::stderr().lock(),
        "fuzz: emulator, {} requests, statuses {:?} (--- closed unanswered), 0 panics",
        runner.config().cases,
        statuses.into_inner().expect("lock")
    );
}

/// A server that answers every request with `head` and then `body` (which may never end).
fn hostile_server(head: &'static str, body: fn(&mut TcpStream)) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("addr").to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                if stream.write_all(head.as_bytes()).is_ok() {
                    body(&mut stream);
                }
            });
        }
    });
    address
}

fn impatient(address: &str) -> Client {
    common::scripted::client_at(address, |c| {
        c.retry(RetryPolicy::none())
            .read_timeout(Some(Duration::from_secs(10)))
    })
}

fn list() -> GetBucket {
    GetBucket {
        bucket: BUCKET.into(),
        region: REGION.into(),
        ..GetBucket::default()
    }
}

#[test]
fn an_absurd_content_length_allocates_nothing_up_front() {
    let address = hostile_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: 1000000000000000000\r\n\r\n",
        |s| {
            let _ = s.write_all(b"<ListBucketResult>");
        },
    );
    let client = impatient(&address);
    let err = client.get_bucket(&list()).expect_err("cut short");
    assert!(matches!(err.kind(), ErrorKind::Transport { .. }), "{err:?}");
    let get = GetObject {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: "k".into(),
        ..GetObject::default()
    };
    let err = client.get_object(&get).expect_err("cut short");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Transport { .. } | ErrorKind::Integrity { .. }
        ),
        "{err:?}"
    );
}

#[test]
fn an_endless_listing_stops_at_the_document_cap() {
    let address = hostile_server(
        "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nTransfer-Encoding: chunked\r\n\r\n",
        |s| {
            let item = b"<Contents><Key>k</Key><Size>1</Size></Contents>".repeat(1000);
            let chunk = [format!("{:x}\r\n", item.len()).as_bytes(), &item, b"\r\n"].concat();
            let _ = s.write_all(b"12\r\n<ListBucketResult>\r\n");
            // Endless: until the client hangs up.
            while s.write_all(&chunk).is_ok() {}
        },
    );
    let err = impatient(&address)
        .get_bucket(&list())
        .expect_err("too large");
    assert!(matches!(err.kind(), ErrorKind::Transport { .. }), "{err:?}");
    assert_eq!(err.attempts(), 1);
}

#[test]
fn an_endless_part_list_sent_to_the_emulator_is_refused_at_its_cap() {
    let emu = Emulator::builder()
        .credential(SECRET_ID, SECRET_KEY)
        .bucket(BUCKET)
        .start()
        .expect("emulator");
    let client = common::scripted::client_at(&emu.address(), |c| c);
    let upload_id = client
        .multipart_init(&cos_blocking::proto::ops::multipart::MultipartInit {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "k".into(),
            ..Default::default()
        })
        .expect("init")
        .upload_id;
    let declared: u64 = 256 << 20;
    let raw = Raw {
        method: "POST".into(),
        path: "/k".into(),
        query: vec![("uploadId".into(), upload_id)],
        host: HOST.into(),
        headers: vec![("Content-Type".into(), "application/xml".into())],
        body: b"<CompleteMultipartUpload>".to_vec(),
        declared: Some(declared.to_string()),
        signed: true,
    };
    let mut stream = TcpStream::connect(emu.address()).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut writer = stream.try_clone().expect("clone");
    let sender = std::thread::spawn(move || {
        let part = b"<Part><PartNumber>1</PartNumber><ETag>\"e\"</ETag></Part>".repeat(1000);
        let mut sent = 0u64;
        if writer.write_all(&encode(&raw)).is_err() {
            return sent;
        }
        // Up to the declared length, or until the server stops reading.
        while sent + (part.len() as u64) < declared && writer.write_all(&part).is_ok() {
            sent += part.len() as u64;
        }
        sent
    });
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer.windows(8).any(|w| w == b"</Error>") {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    let _ = stream.shutdown(Shutdown::Both);
    let _ = sender.join();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 400 "), "{text}");
    let body = text.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    let error = cos_blocking::proto::xml::parse("CompleteMultipartUpload", body.as_bytes())
        .expect("an error document");
    assert_eq!(error.text_of("Code").as_deref(), Some("EntityTooLarge"));
    assert!(healthy(&client));
}
