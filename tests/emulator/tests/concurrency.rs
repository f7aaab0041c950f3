//! Many clients at once on keep-alive connections: no request may wait for another
//! connection to go away. These are hang detectors, not benchmarks: the limits are generous.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use common::Harness;
use cos_emulator::Emulator;
use cos_proto::Method;

/// One request's outcome: its index, how long it took, its status or error.
type Outcome = (usize, Duration, Result<u16, String>);

/// Longer than any request of these tests takes on a loaded machine, much shorter than the
/// clients' own timeout.
const LIMIT: Duration = Duration::from_secs(2);

fn agent(idle_per_host: usize) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_idle_connections(64)
        .max_idle_connections_per_host(idle_per_host)
        .timeout_global(Some(Duration::from_secs(8)))
        .build()
        .into()
}

/// `threads` threads start together and each sends `per_thread` requests one after the
/// other; every request must be answered within [`LIMIT`]. Returns the slowest.
fn burst(
    h: &Harness,
    threads: usize,
    per_thread: usize,
    shared: Option<&ureq::Agent>,
    make: impl Fn(&Harness, usize, usize) -> cos_proto::Request + Sync,
) -> Duration {
    let barrier = Barrier::new(threads);
    let results: Vec<Vec<Outcome>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (barrier, make) = (&barrier, &make);
                s.spawn(move || {
                    let own;
                    let agent = match shared {
                        Some(a) => a,
                        None => {
                            own = agent(16);
                            &own
                        }
                    };
                    barrier.wait();
                    (0..per_thread)
                        .map(|i| {
                            let started = Instant::now();
                            let result = h
                                .try_send_via(agent, make(h, t, i))
                                .map(|r| r.status)
                                .map_err(|e| e.to_string());
                            (i, started.elapsed(), result)
                        })
                        .collect()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|j| j.join().expect("thread"))
            .collect()
    });
    let mut slowest = Duration::ZERO;
    let mut bad = Vec::new();
    for (t, rs) in results.iter().enumerate() {
        for (i, took, result) in rs {
            slowest = slowest.max(*took);
            match result {
                Ok(200) if *took <= LIMIT => {}
                _ => bad.push(format!("thread {t} request {i}: {result:?} after {took:?}")),
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} of {} requests failed or stalled:\n{}",
        bad.len(),
        threads * per_thread,
        bad.join("\n")
    );
    slowest
}

fn head(h: &Harness, _t: usize, _i: usize) -> cos_proto::Request {
    h.req(Method::Head, "k")
}

fn put(h: &Harness, t: usize, i: usize) -> cos_proto::Request {
    let mut req = h.req(Method::Put, &format!("t{t}/o{i}"));
    req.set_body(cos_proto::Body::from(vec![b'x'; 1000 + t * 10 + i]));
    req
}

#[test]
fn eight_agents_heads_on_keep_alive_connections() {
    let h = Harness::new();
    assert_eq!(h.put("k", b"v", &[]).status, 200);
    burst(&h, 8, 5, None, head);
}

#[test]
fn one_agent_with_a_large_idle_pool_heads_and_puts() {
    let h = Harness::new();
    assert_eq!(h.put("k", b"v", &[]).status, 200);
    let shared = agent(16);
    for _ in 0..3 {
        burst(&h, 6, 3, Some(&shared), head);
    }
    burst(&h, 8, 5, Some(&shared), put);
    assert_eq!(h.emu.count("PutObject"), 8 * 5 + 1);
}

#[test]
fn more_connections_than_workers() {
    // One worker still serves sixteen keep-alive connections promptly.
    let h = Harness::with(Emulator::builder().workers(1));
    assert_eq!(h.put("k", b"v", &[]).status, 200);
    burst(&h, 16, 4, None, head);
    burst(&h, 16, 2, None, put);
}

#[test]
fn connections_opened_together_are_all_served() {
    // The shape of the stall, without a client's pool in between: eight connections open at
    // once (more than tiny_http has idle threads), then each sends a request. Before the fix of
    // tiny_http's thread pool, the connections beyond its idle threads were never read.
    for round in 0..4 {
        let emu = Emulator::builder().start().expect("starts");
        std::thread::sleep(Duration::from_millis(50));
        let mut conns: Vec<TcpStream> = (0..8)
            .map(|_| TcpStream::connect(emu.socket_addr()).expect("connect"))
            .collect();
        std::thread::sleep(Duration::from_millis(100));
        for c in &mut conns {
            c.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .expect("request");
        }
        let started = Instant::now();
        let unanswered: Vec<usize> = conns
            .iter_mut()
            .enumerate()
            .filter_map(|(i, c)| {
                let left = LIMIT
                    .saturating_sub(started.elapsed())
                    .max(Duration::from_millis(1));
                c.set_read_timeout(Some(left)).expect("timeout");
                let mut first = [0u8; 1];
                match c.read(&mut first) {
                    Ok(1) => None,
                    _ => Some(i),
                }
            })
            .collect();
        assert!(
            unanswered.is_empty(),
            "round {round}: connections {unanswered:?} of 8 got no answer within {LIMIT:?}"
        );
    }
}
