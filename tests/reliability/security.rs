//! Security: secrets never reach a log record, an error or a `Debug` text, even at trace
//! level and with requests failing; keys that look like paths are just keys, and a download
//! writes only its target; header injection is refused; TLS certificates are verified by
//! default. (Redirects are not followed: `tests/blocking/wire.rs`,
//! `redirects_are_not_followed`.)

#[path = "../blocking/common/mod.rs"]
mod common;

use std::fmt::Debug;
use std::io::{Read, Write};
use std::sync::Mutex;
use std::time::Duration;

use common::scripted::{Scripted, client_at, http_response};
use common::{BUCKET, REGION, Scratch, Target};
use cos_blocking::proto::ops::acl::GetObjectAcl;
use cos_blocking::proto::ops::bucket::GetBucket;
use cos_blocking::proto::ops::object::{DeleteObject, GetObject, PutObject, PutObjectCopy};
use cos_blocking::proto::{Credentials, GetAuthorization, GetObjectUrl};
use cos_blocking::{
    Client, Config, DownloadFile, ErrorKind, RetryPolicy, SliceCopyFile, SliceUploadFile,
    UploadBody,
};
use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};

const SECRET_ID: &str = "AKIDsecuritytest";
const SECRET_KEY: &str = "SeCrEt-KeY-9f8e7d6c5b4a39281706";
const TOKEN: &str = "ToKeN-1a2b3c4d5e6f7a8b9c0d-sts";
/// A wrong key, which must not be printed either.
const WRONG_KEY: &str = "WrOnG-KeY-0a1b2c3d4e5f60718293";

/// Every record logged in this process, as `LEVEL target: message`.
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!("{} {}: {}", record.level(), record.target(), record.args());
        RECORDS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(line);
    }

    fn flush(&self) {}
}

/// Installs the capturing logger at `Trace` (once per process).
fn capture_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        log::set_logger(&Capture).expect("the only logger");
        log::set_max_level(log::LevelFilter::Trace);
    });
}

fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Collects what a workflow shows: `Debug` of every output and error, `Display` of every
/// error and its sources.
#[derive(Default)]
struct Shown(Vec<String>);

impl Shown {
    fn result<T: Debug>(&mut self, r: cos_blocking::Result<T>) -> Option<T> {
        match r {
            Ok(v) => {
                self.0.push(format!("{v:?}"));
                Some(v)
            }
            Err(e) => {
                self.error(&e);
                None
            }
        }
    }

    fn error(&mut self, e: &cos_blocking::Error) {
        self.0.push(format!("{e}"));
        self.0.push(format!("{e:?}"));
        self.0.push(format!("{:?}", e.kind()));
        self.0.push(format!("{}", e.kind()));
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            self.0.push(s.to_string());
            source = s.source();
        }
    }
}

#[test]
fn secrets_reach_no_log_record_error_or_debug_text() {
    capture_logs();
    let scratch = Scratch::new("secrets");
    // Every third request or so fails, so that retries and their errors are logged too.
    let p = |action| FaultRule::new("*", Trigger::Probability(0.1), action);
    let emu = Emulator::builder()
        .credentials(
            Credentials::new(SECRET_ID, SECRET_KEY)
                .and_then(|c| c.with_security_token(TOKEN))
                .expect("credentials"),
        )
        .fault_seed(7)
        .fault(p(FaultAction::InternalError))
        .fault(p(FaultAction::SlowDown))
        .fault(p(FaultAction::ResetMidBody));
    let config = |c: Config| {
        c.chunk_parallel_limit(2).retry(
            RetryPolicy::default()
                .max_attempts(10)
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(4))
                .seed(3),
        )
    };
    let builder =
        |b: cos_blocking::ClientBuilder| b.secret(SECRET_ID, SECRET_KEY).security_token(TOKEN);
    let mut shown = Shown::default();
    shown.0.push(format!(
        "{:?}",
        builder(Client::builder()).config(config(Config::default()))
    ));
    let t = Target::embedded("secrets", emu, builder, config);
    shown.0.push(format!("{:?}", t.client));
    shown.0.push(format!("{:?}", t.client.config()));
    shown.0.push(format!(
        "{:?}",
        Credentials::new(SECRET_ID, SECRET_KEY).and_then(|c| c.with_security_token(TOKEN))
    ));

    // The workflow: objects, a multipart upload, a download, a copy, listings, ACLs.
    let bytes = common::data(2 * (1 << 20) + 10);
    let file = scratch.0.join("up.bin");
    std::fs::write(&file, &bytes).expect("write");
    let put = PutObject {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key("small"),
        body: b"small object".to_vec().into(),
        metadata: vec![("note".into(), "hello".into())],
        ..PutObject::default()
    };
    shown.result(t.client.put_object(&put));
    shown.result(t.client.get_object(&t.get_op("small")));
    shown.result(t.client.head_object(&t.head_op("small")));
    let up = SliceUploadFile {
        object: PutObject {
            key: t.key("big"),
            body: Default::default(),
            ..put.clone()
        },
        body: UploadBody::path(&file),
        ..SliceUploadFile::default()
    };
    shown.0.push(format!("{up:?}"));
    shown.result(t.client.slice_upload_file(up));
    shown.result(t.client.download_file(DownloadFile {
        object: t.get_op("big"),
        path: scratch.0.join("down.bin"),
        chunk_size: Some(1 << 20),
        ..DownloadFile::default()
    }));
    shown.result(t.client.slice_copy_file(SliceCopyFile {
        object: PutObjectCopy {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("copy"),
            copy_source: format!(
                "{}.cos.{}.myqcloud.com/{}",
                t.bucket,
                t.region,
                t.key("big")
            ),
            ..PutObjectCopy::default()
        },
        chunk_size: Some(1 << 20),
        slice_size: Some(1 << 20),
        ..SliceCopyFile::default()
    }));
    shown.result(t.client.get_bucket(&GetBucket {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        prefix: Some(t.prefix.clone()),
        ..GetBucket::default()
    }));
    shown.result(t.client.get_object_acl(&GetObjectAcl {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key("small"),
    }));
    // What is asked for is given (a signed URL carries the token, an Authorization the
    // signature), but never the key.
    let url = t.client.get_object_url(&GetObjectUrl {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key("small"),
        ..GetObjectUrl::default()
    });
    let auth = t.client.get_auth(&GetAuthorization {
        method: "GET".into(),
        key: t.key("small"),
        ..GetAuthorization::default()
    });
    for given in [&url, &auth] {
        let given = given.as_ref().expect("signed");
        assert!(!given.contains(SECRET_KEY) && !given.contains(&hex(SECRET_KEY)));
    }

    // Failures: a missing key, a bad parameter, the retry budget spent, a wrong key.
    shown.result(t.client.get_object(&t.get_op("missing")));
    shown.result(t.client.put_object(&PutObject {
        content_type: Some(format!("text/plain\r\nx-cos-security-token: {TOKEN}")),
        ..put.clone()
    }));
    t.emu().add_fault(FaultRule::new(
        "DeleteObject",
        Trigger::Always,
        FaultAction::SlowDown,
    ));
    shown.result(t.client.delete_object(&DeleteObject {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key("small"),
        ..DeleteObject::default()
    }));
    t.emu().clear_faults();
    let wrong = Client::builder()
        .secret(SECRET_ID, WRONG_KEY)
        .security_token(TOKEN)
        .config(common::test_config().connect_address(t.emu().address()))
        .build()
        .expect("client");
    shown.0.push(format!("{wrong:?}"));
    shown.result(wrong.get_object(&t.get_op("small")));
    let failures = shown
        .0
        .iter()
        .filter(|s| s.contains("failed") || s.contains("Error {"))
        .count();

    let records = RECORDS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    // The records are real: requests and headers were logged, secrets redacted.
    let ours = |prefix: &str| records.iter().filter(|r| r.starts_with(prefix)).count();
    assert!(ours("DEBUG cos_blocking: > ") > 20, "{records:?}");
    assert!(ours("TRACE cos_blocking: > Authorization: <redacted>") > 20);
    assert!(ours("TRACE cos_blocking: > x-cos-security-token: <redacted>") > 20);
    assert!(
        ours("DEBUG cos_blocking: ") > ours("DEBUG cos_blocking: > "),
        "retries logged"
    );
    // ureq-proto's hex dumps, joined, can hide a secret across rows.
    let dumps: String = records
        .iter()
        .filter(|r| r.starts_with("TRACE ureq_proto"))
        .flat_map(|r| r.split(": ").nth(1).map(|d| d.replace([' ', '-'], "")))
        .collect();
    let texts = records.iter().chain(shown.0.iter());
    let mut found = Vec::new();
    for text in texts.chain(std::iter::once(&dumps)) {
        for secret in [SECRET_KEY, TOKEN, WRONG_KEY] {
            if text.contains(secret) || text.contains(&hex(secret)) {
                found.push(format!("{secret} in {text}"));
            }
        }
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "security: {} log records (trace level), {} outputs and {failures} error texts scanned, {} secrets found",
        records.len(),
        shown.0.len(),
        found.len()
    );
    assert_eq!(found, Vec::<String>::new());
}

#[test]
fn keys_that_look_like_paths_are_just_keys() {
    let scratch = Scratch::new("path-keys");
    let t = Target::embedded("path-keys", Emulator::builder(), common::static_key, |c| c);
    // (key, the name it is listed under): a leading `/` is not part of the name, as with
    // the official SDKs (the request path is `/` + key without a second `/`).
    let keys = [
        ("../../etc/passwd", "../../etc/passwd"),
        ("./a/../b", "./a/../b"),
        ("/leading/slash", "leading/slash"),
        ("a//b", "a//b"),
        ("..", ".."),
        ("%2e%2e/x", "%2e%2e/x"),
        ("a\r\nX-Evil: 1", "a\r\nX-Evil: 1"),
        ("q?x=1#frag", "q?x=1#frag"),
        ("中文/../x", "中文/../x"),
    ];
    for (i, (key, name)) in keys.iter().enumerate() {
        let body = format!("object {i}").into_bytes();
        let op = PutObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: (*key).to_owned(),
            body: body.clone().into(),
            ..PutObject::default()
        };
        t.client
            .put_object(&op)
            .unwrap_or_else(|e| panic!("{key:?}: {e}"));
        let get = GetObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: (*key).to_owned(),
            ..GetObject::default()
        };
        assert_eq!(
            t.client.get_object(&get).expect("get").body,
            body,
            "{key:?}"
        );
        // Listed under exactly its own name.
        let listed = t
            .client
            .get_bucket(&GetBucket {
                bucket: t.bucket.clone(),
                region: t.region.clone(),
                prefix: Some((*name).to_owned()),
                ..GetBucket::default()
            })
            .expect("list");
        let names: Vec<&str> = listed.contents.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(names, vec![*name], "{key:?}");

        // Downloaded, it lands at the target path and nowhere else.
        let dir = scratch.0.join(format!("d{i}/a/b"));
        std::fs::create_dir_all(&dir).expect("dir");
        let target = dir.join("out");
        t.client
            .download_file(DownloadFile {
                object: get.clone(),
                path: target.clone(),
                ..DownloadFile::default()
            })
            .expect("download");
        assert_eq!(std::fs::read(&target).expect("read"), body);
        assert_eq!(
            files_under(&scratch.0.join(format!("d{i}"))),
            vec!["a/b/out".to_owned()]
        );
        t.client
            .delete_object(&DeleteObject {
                bucket: t.bucket.clone(),
                region: t.region.clone(),
                key: (*key).to_owned(),
                ..DeleteObject::default()
            })
            .expect("delete");
    }
}

/// Every file under `dir`, relative, sorted.
fn files_under(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path
                    .strip_prefix(dir)
                    .expect("under")
                    .to_string_lossy()
                    .into_owned();
                out.push(rel);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn on_the_wire_a_key_is_one_encoded_path_and_injected_lines_go_nowhere() {
    let ok = http_response("200 OK", &[("ETag", "\"e\"")], b"");
    let server = Scripted::start(vec![ok.clone(), ok.clone(), ok]);
    let client = client_at(&server.address, |c| c);
    for key in ["../../etc/passwd", "a\r\nX-Evil: 1", "sp ace/%2F?#"] {
        client
            .put_object(&PutObject {
                bucket: BUCKET.into(),
                region: REGION.into(),
                key: key.into(),
                body: b"x".to_vec().into(),
                ..PutObject::default()
            })
            .expect("put");
    }
    let lines: Vec<String> = server
        .heads()
        .iter()
        .map(|h| h.lines().next().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        lines,
        vec![
            "PUT /../../etc/passwd HTTP/1.1",
            "PUT /a%0D%0AX-Evil%3A%201 HTTP/1.1",
            "PUT /sp%20ace/%252F%3F%23 HTTP/1.1",
        ]
    );
    for head in server.heads() {
        assert!(
            head.lines()
                .all(|l| !l.to_ascii_lowercase().starts_with("x-evil")),
            "{head}"
        );
    }
}

#[test]
fn tls_certificates_are_verified_by_default() {
    use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
    // A self-signed certificate for the bucket's host name (tests/reliability/tls: made
    // with openssl req -x509, EC P-256, converted to DER): valid in every respect but its
    // issuer, which no root trusts.
    let cert = CertificateDer::from(include_bytes!("tls/cert.der").to_vec());
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        include_bytes!("tls/key.der").to_vec(),
    ));
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("versions")
        .with_no_client_auth()
        .with_single_cert(vec![cert], key)
        .expect("server config");
    let config = std::sync::Arc::new(config);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("addr").to_string();
    let received = std::sync::Arc::new(Mutex::new(Vec::new()));
    let seen = std::sync::Arc::clone(&received);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let Ok(conn) = rustls::ServerConnection::new(std::sync::Arc::clone(&config)) else {
                return;
            };
            let mut tls = rustls::StreamOwned::new(conn, &mut stream);
            let mut buf = [0u8; 4096];
            // Whatever plaintext arrives (none: the client gives up in the handshake).
            if let Ok(n) = tls.read(&mut buf) {
                seen.lock().expect("lock").extend_from_slice(&buf[..n]);
            }
        }
    });
    let client = Client::builder()
        .secret(common::SECRET_ID, common::SECRET_KEY)
        .config(
            Config::default()
                .connect_address(address)
                .retry(RetryPolicy::none()),
        )
        .build()
        .expect("client");
    let err = client
        .head_object(&cos_blocking::proto::ops::object::HeadObject {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "k".into(),
            ..Default::default()
        })
        .expect_err("untrusted certificate");
    assert!(
        matches!(err.kind(), ErrorKind::Transport { message } if message.contains("UnknownIssuer")),
        "{err:?}"
    );
    assert_eq!(
        received.lock().expect("lock").len(),
        0,
        "no request was sent"
    );
}
