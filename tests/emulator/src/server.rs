//! The workers: take a request from tiny_http, decode it, count it, apply faults,
//! authenticate, dispatch, and write the reply.

use std::io::{Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::PoisonError;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use cos_proto::header;

use crate::Shared;
use crate::auth;
use crate::error::CosError;
use crate::faults::FaultAction;
use crate::handlers;
use crate::reply::{Body, Reply};
use crate::route::Ctx;
use crate::time::{http_date, unix_secs};

/// The largest request body accepted: 5 GiB (COS's limit for one PUT or part) plus room
/// for framing. A request that declares more is never read (see [`handle`]).
pub(crate) const MAX_BODY: u64 = 5 * 1024 * 1024 * 1024 + 1024 * 1024;

/// A worker: serves requests until the emulator stops.
pub(crate) fn work(server: &tiny_http::Server, shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        match server.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(req)) => {
                // A panic must not take the worker down; the request then gets a 500.
                let _ = catch_unwind(AssertUnwindSafe(|| handle(shared, req)));
            }
            Ok(None) => {}
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn handle(shared: &Shared, mut req: tiny_http::Request) {
    let now = unix_secs(SystemTime::now());
    let seq = shared.seq.fetch_add(1, Ordering::Relaxed);
    let request_id = format!("{:08x}{:016x}", shared.instance, seq);
    let headers: Vec<(String, String)> = req
        .headers()
        .iter()
        .map(|h| {
            (
                h.field.as_str().as_str().to_owned(),
                h.value.as_str().to_owned(),
            )
        })
        .collect();
    let method = req.method().as_str().to_owned();
    let ctx = match Ctx::parse(&method, req.url(), headers, &shared.region, now) {
        Ok(ctx) => ctx,
        Err(err) => {
            send(
                req,
                Reply::error(&err, None, &request_id),
                &request_id,
                false,
            );
            return;
        }
    };
    *shared
        .counts
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(ctx.op.to_owned())
        .or_insert(0) += 1;

    if req.body_length().is_some_and(|n| n as u64 > MAX_BODY) {
        // tiny_http drains an unread body when the request is dropped, allocating a buffer
        // of the remaining length: for an absurd Content-Length that aborts the process.
        // Such a request is left unanswered instead; the client's timeout ends it.
        std::mem::forget(req);
        return;
    }

    let decision = shared
        .faults
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .decide(ctx.op);
    if !decision.delay.is_zero() {
        std::thread::sleep(decision.delay);
    }
    let mut broken = false;
    match decision.action {
        Some(FaultAction::InternalError) => {
            let err = CosError::internal("injected fault: internal error");
            send(
                req,
                Reply::error(&err, Some(&ctx), &request_id),
                &request_id,
                false,
            );
            return;
        }
        Some(FaultAction::SlowDown) => {
            let err = CosError::new(
                503,
                "SlowDown",
                "injected fault: please reduce your request rate",
            );
            send(
                req,
                Reply::error(&err, Some(&ctx), &request_id),
                &request_id,
                false,
            );
            return;
        }
        Some(FaultAction::ResetMidBody) => {
            let declared = req.body_length().unwrap_or(0) as u64;
            let chunked = ctx.header("Transfer-Encoding").is_some();
            if declared > 0 || chunked {
                let half = if declared > 0 {
                    declared / 2
                } else {
                    64 * 1024
                };
                let _ = std::io::copy(&mut req.as_reader().take(half), &mut std::io::sink());
                let mut w = req.into_writer();
                let _ = w.write_all(b"HTTP/1.1 000 connection broken by the emulator\r\n\x00\r\n");
                let _ = w.flush();
                return;
            }
            broken = true;
        }
        Some(FaultAction::Delay(_)) | None => {}
    }

    let result = auth::authenticate(&ctx, &shared.signers, shared.skew_secs)
        .and_then(|caller| handlers::dispatch(shared, &ctx, &caller, req.as_reader()));
    let reply = match result {
        Ok(reply) => reply,
        Err(err) => Reply::error(&err, Some(&ctx), &request_id),
    };
    send(req, reply, &request_id, broken);
}

/// Writes `reply` with the headers every COS response has.
fn send(req: tiny_http::Request, mut reply: Reply, request_id: &str, broken: bool) {
    reply.push_header(header::REQUEST_ID, request_id);
    reply.push_header("Server", "tencent-cos");
    if !reply.headers.iter().any(|(n, _)| n == header::DATE) {
        reply.push_header(header::DATE, http_date(unix_secs(SystemTime::now())));
    }
    if broken {
        send_broken(req, reply);
        return;
    }
    let headers: Vec<tiny_http::Header> = reply
        .headers
        .iter()
        .filter_map(|(n, v)| tiny_http::Header::from_bytes(n.as_bytes(), v.as_bytes()).ok())
        .collect();
    let status = tiny_http::StatusCode(reply.status);
    let (reader, len): (Box<dyn Read + Send>, u64) = match reply.body {
        Body::Empty => (Box::new(std::io::empty()), 0),
        Body::Bytes(b) => {
            let n = b.len() as u64;
            (Box::new(std::io::Cursor::new(b)), n)
        }
        Body::Stream(r, n) => (r, n),
        Body::HeadOnly(n) => (Box::new(std::io::empty()), n),
    };
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    let response = tiny_http::Response::new(status, headers, reader, Some(len), None)
        .with_chunked_threshold(usize::MAX);
    let _ = req.respond(response);
}

/// Sends the status and headers, then half of the body in chunked framing that breaks off:
/// the client fails mid-body and closes the connection.
fn send_broken(req: tiny_http::Request, reply: Reply) {
    let mut w = req.into_writer();
    let mut head = format!("HTTP/1.1 {} Emulated\r\n", reply.status);
    for (n, v) in &reply.headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("Transfer-Encoding: chunked\r\n\r\n");
    let _ = w.write_all(head.as_bytes());
    let (mut reader, len): (Box<dyn Read + Send>, u64) = match reply.body {
        Body::Bytes(b) => {
            let n = b.len() as u64;
            (Box::new(std::io::Cursor::new(b)), n)
        }
        Body::Stream(r, n) => (r, n),
        Body::Empty | Body::HeadOnly(_) => (Box::new(std::io::empty()), 0),
    };
    let mut half = Vec::new();
    let _ = reader
        .by_ref()
        .take((len / 2).min(1 << 20))
        .read_to_end(&mut half);
    if !half.is_empty() {
        let _ = write!(w, "{:x}\r\n", half.len());
        let _ = w.write_all(&half);
        let _ = w.write_all(b"\r\n");
    }
    let _ = w.write_all(b"not-a-chunk-size\r\n\r\n");
    let _ = w.flush();
}
