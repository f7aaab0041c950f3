//! Retries, timeouts and clock-skew correction under faults the emulator injects (these
//! tests always run on an embedded emulator).

mod common;

use std::time::Duration;

use common::{Target, data, static_key};
use cos_blocking::proto::Body;
use cos_blocking::proto::ops::object::{HeadObject, PutObject};
use cos_blocking::{ErrorKind, RetryPolicy, TimeoutPhase, Upload};
use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};

fn put(t: &Target, key: &str, body: &[u8]) -> PutObject {
    PutObject {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key(key),
        body: Body::from(body.to_vec()),
        ..PutObject::default()
    }
}

fn with_fault(name: &str, kind: &str, trigger: Trigger, action: FaultAction) -> Target {
    let emu = Emulator::builder().fault(FaultRule::new(kind, trigger, action));
    Target::embedded(name, emu, static_key, |c| c)
}

#[test]
fn slow_down_is_retried_until_it_passes() {
    let t = with_fault(
        "retry-503",
        "PutObject",
        Trigger::FirstN(2),
        FaultAction::SlowDown,
    );
    let body = data(10_000);
    t.client
        .put_object(&put(&t, "k", &body))
        .expect("third attempt succeeds");
    assert_eq!(t.emu().count("PutObject"), 3);
    assert_eq!(t.client.get_object(&t.get_op("k")).expect("get").body, body);
}

#[test]
fn a_file_upload_is_resent_from_the_start() {
    let t = with_fault(
        "retry-file",
        "PutObject",
        Trigger::Nth(1),
        FaultAction::ResetMidBody,
    );
    let dir = common::Scratch::new("retry-file");
    let path = dir.0.join("f.bin");
    let body = data(200_000);
    std::fs::write(&path, &body).expect("write");
    t.client
        .put_object_from(&put(&t, "f", b""), Upload::file(&path).expect("stat"))
        .expect("second attempt succeeds");
    assert_eq!(t.emu().count("PutObject"), 2);
    assert_eq!(t.client.get_object(&t.get_op("f")).expect("get").body, body);
}

#[test]
fn a_broken_download_is_retried_into_a_clean_sink() {
    let t = with_fault(
        "retry-get",
        "GetObject",
        Trigger::Nth(1),
        FaultAction::ResetMidBody,
    );
    let body = data(100_000);
    t.client.put_object(&put(&t, "g", &body)).expect("put");
    let got = t.client.get_object(&t.get_op("g")).expect("retried");
    assert_eq!(
        got.body, body,
        "the half body of the broken attempt was dropped"
    );
    assert_eq!(t.emu().count("GetObject"), 2);
}

#[test]
fn a_writer_that_received_data_is_not_rewound() {
    let t = with_fault(
        "retry-writer",
        "GetObject",
        Trigger::Nth(1),
        FaultAction::ResetMidBody,
    );
    let body = data(100_000);
    t.client.put_object(&put(&t, "w", &body)).expect("put");
    let mut out = Vec::new();
    let err = t
        .client
        .get_object_into(&t.get_op("w"), cos_blocking::Download::to_writer(&mut out))
        .expect_err("not retried");
    assert!(matches!(err.kind(), ErrorKind::Transport { .. }), "{err}");
    assert_eq!(err.attempts(), 1);
    assert_eq!(t.emu().count("GetObject"), 1);
}

#[test]
fn persistent_errors_give_up_after_max_attempts() {
    let t = with_fault(
        "retry-500",
        "HeadObject",
        Trigger::Always,
        FaultAction::InternalError,
    );
    let err = t
        .client
        .head_object(&t.head_op("h"))
        .expect_err("always 500");
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.attempts(), 3);
    assert_eq!(t.emu().count("HeadObject"), 3);
    assert!(err.to_string().contains("3 attempts in"), "{err}");
}

#[test]
fn a_stream_upload_is_not_resent() {
    let t = with_fault(
        "retry-stream",
        "PutObject",
        Trigger::Nth(1),
        FaultAction::SlowDown,
    );
    let body = data(1000);
    let mut reader = &body[..];
    let err = t
        .client
        .put_object_from(&put(&t, "s", b""), Upload::reader(&mut reader, 1000))
        .expect_err("cannot rewind");
    assert_eq!(err.code(), Some("SlowDown"));
    assert_eq!(err.attempts(), 1);
}

#[test]
fn client_errors_are_not_retried() {
    let t = Target::embedded("retry-404", Emulator::builder(), static_key, |c| c);
    let err = t.client.head_object(&t.head_op("none")).expect_err("404");
    assert_eq!(err.attempts(), 1);
    assert_eq!(t.emu().count("HeadObject"), 1);
}

#[test]
fn a_stalled_response_times_out_and_is_retried() {
    let emu = Emulator::builder().fault(FaultRule::new(
        "HeadObject",
        Trigger::Nth(1),
        FaultAction::Delay(Duration::from_millis(1500)),
    ));
    let t = Target::embedded("retry-timeout", emu, static_key, |c| {
        c.read_timeout(Some(Duration::from_millis(300)))
    });
    t.client.put_object(&put(&t, "t", b"x")).expect("put");
    t.client
        .head_object(&t.head_op("t"))
        .expect("second attempt");
    assert_eq!(t.emu().count("HeadObject"), 2);

    t.emu().add_fault(FaultRule::new(
        "HeadObject",
        Trigger::Always,
        FaultAction::Delay(Duration::from_millis(1500)),
    ));
    let err = t
        .client
        .head_object(&t.head_op("t"))
        .expect_err("times out");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Timeout {
                phase: TimeoutPhase::Read | TimeoutPhase::RecvResponse
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.attempts(), 3);
}

#[test]
fn a_refused_connection_is_a_transport_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let client = cos_blocking::Client::builder()
        .secret("AKIDx", "key")
        .config(
            common::test_config()
                .connect_address(format!("127.0.0.1:{port}"))
                .retry(
                    RetryPolicy::default()
                        .initial_backoff(Duration::from_millis(1))
                        .seed(1),
                ),
        )
        .build()
        .expect("client");
    let err = client
        .head_object(&HeadObject {
            bucket: common::BUCKET.into(),
            region: common::REGION.into(),
            key: "k".into(),
            ..HeadObject::default()
        })
        .expect_err("refused");
    assert!(matches!(err.kind(), ErrorKind::Transport { .. }), "{err}");
    assert_eq!(err.attempts(), 3);
}

/// A loopback listener whose accept queue is full, so that one more TCP connect never
/// completes: the listener never accepts, and once the queue (std's backlog of 128, plus
/// one) holds the connections made here, the kernel drops every further SYN instead of
/// answering or refusing it. The state is reached deterministically: connections are made
/// until one of them times out. Keep the value alive for as long as the address is used.
struct FullListener {
    address: std::net::SocketAddr,
    _listener: std::net::TcpListener,
    _queued: Vec<std::net::TcpStream>,
}

impl FullListener {
    fn new() -> FullListener {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let address = listener.local_addr().expect("address");
        let mut queued = Vec::new();
        loop {
            match std::net::TcpStream::connect_timeout(&address, Duration::from_millis(100)) {
                Ok(stream) => queued.push(stream),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => break,
                Err(e) => panic!("connect {} to a listener: {e}", queued.len() + 1),
            }
            assert!(queued.len() < 100_000, "the accept queue never filled");
        }
        FullListener {
            address,
            _listener: listener,
            _queued: queued,
        }
    }
}

#[test]
fn a_connect_that_never_completes_times_out_in_the_connect_phase() {
    let full = FullListener::new();
    let client = cos_blocking::Client::builder()
        .secret("AKIDx", "key")
        .config(
            common::test_config()
                .connect_address(full.address.to_string())
                .connect_timeout(Some(Duration::from_millis(200)))
                .retry(
                    RetryPolicy::default()
                        .initial_backoff(Duration::from_millis(1))
                        .seed(1),
                ),
        )
        .build()
        .expect("client");
    let err = client
        .head_object(&HeadObject {
            bucket: common::BUCKET.into(),
            region: common::REGION.into(),
            key: "k".into(),
            ..HeadObject::default()
        })
        .expect_err("the connect never completes");
    assert!(
        matches!(
            err.kind(),
            ErrorKind::Timeout {
                phase: TimeoutPhase::Connect
            }
        ),
        "{err:?}"
    );
    // A connect timeout is transient: every attempt is made.
    assert_eq!(err.attempts(), 3);
    assert!(
        err.to_string()
            .starts_with("HeadObject failed: timed out connecting (bucket "),
        "{err}"
    );
}

#[test]
fn a_clock_ahead_is_corrected_once_and_remembered() {
    let t = Target::embedded("skew-ahead", Emulator::builder(), static_key, |c| {
        c.clock_offset_secs(3600)
    });
    t.client.put_object(&put(&t, "a", b"1")).expect("corrected");
    assert_eq!(
        t.emu().count("PutObject"),
        2,
        "rejected once, then accepted"
    );
    assert!(
        t.client.clock_offset_secs().abs() < 5,
        "{}",
        t.client.clock_offset_secs()
    );
    t.client.head_object(&t.head_op("a")).expect("head");
    assert_eq!(t.emu().count("HeadObject"), 1, "the offset is kept");
}

#[test]
fn a_clock_behind_is_corrected_too() {
    let t = Target::embedded("skew-behind", Emulator::builder(), static_key, |c| {
        c.clock_offset_secs(-7200)
    });
    t.client.put_object(&put(&t, "b", b"1")).expect("corrected");
    assert_eq!(t.emu().count("PutObject"), 2);
    assert!(t.client.clock_offset_secs().abs() < 5);
}

#[test]
fn skew_correction_can_be_turned_off() {
    let t = Target::embedded("skew-off", Emulator::builder(), static_key, |c| {
        c.clock_offset_secs(3600).correct_clock_skew(false)
    });
    let err = t
        .client
        .put_object(&put(&t, "c", b"1"))
        .expect_err("skewed");
    assert_eq!(err.code(), Some("RequestTimeTooSkewed"));
    assert_eq!(err.attempts(), 1);
    assert_eq!(t.client.clock_offset_secs(), 3600);
}
