//! The workers: take a request from tiny_http, decode it, count it, apply faults,
//! authenticate, dispatch, and write the reply.
//!
//! tiny_http owns the connections: it closes one only when the client asks for it
//! (`Connection: close`, HTTP/1.0) or the client goes away, and drains a request body the
//! handler did not read before it reads the next request. The connection-breaking fault
//! ([`FaultAction::ResetMidBody`]) works within that (see [`reset_download`] and the
//! upload branch of [`handle`]).

use std::io::{self, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError};
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
/// for framing. A request that declares more is answered `EntityTooLarge` before any of its
/// body is read (see [`declared_too_large`]).
pub(crate) const MAX_BODY: u64 = 5 * 1024 * 1024 * 1024 + 1024 * 1024;

/// Written after the last whole chunk of a download broken on a keep-alive connection: not a
/// chunk-size line, so the client fails at once (see [`reset_download`]).
const BROKEN_CHUNK: &[u8] = b"!\r\n";

/// A worker: serves requests until the emulator stops.
pub(crate) fn work(server: &tiny_http::Server, shared: &Shared) {
    while !shared.stop.load(Ordering::SeqCst) {
        match server.recv_timeout(Duration::from_millis(100)) {
            Ok(Some(req)) => {
                // A panic must not take the worker down; tiny_http then answers 500.
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
            send(req, Reply::error(&err, None, &request_id), &request_id);
            return;
        }
    };
    *shared
        .counts
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(ctx.op.to_owned())
        .or_insert(0) += 1;

    if let Some(declared) = declared_too_large(&ctx) {
        // Answered before a byte of the body is read. tiny_http then drains what the
        // client still sends (see the README's Limits for what that costs).
        let err = CosError::new(
            400,
            "EntityTooLarge",
            format!("Your proposed upload of {declared} bytes exceeds the maximum allowed size."),
        );
        send(
            req,
            Reply::error(&err, Some(&ctx), &request_id),
            &request_id,
        );
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
            );
            return;
        }
        Some(FaultAction::ResetMidBody)
            if req.body_length().unwrap_or(0) > 0 || ctx.header("Transfer-Encoding").is_some() =>
        {
            // Half of the upload is read. A client that asked for the connection to close
            // gets no answer: tiny_http closes the connection once the rest of the body has
            // been drained. On a keep-alive connection tiny_http would keep waiting for the
            // next request (the client would hang until its own timeout), so the upload is
            // answered 500 instead.
            let half = match req.body_length() {
                Some(n) if n > 0 => n as u64 / 2,
                _ => 64 * 1024,
            };
            let _ = io::copy(&mut req.as_reader().take(half), &mut io::sink());
            if closes_after(&req) {
                drop(req.into_writer());
            } else {
                let err = CosError::internal("injected fault: the upload was cut off mid-body");
                send(
                    req,
                    Reply::error(&err, Some(&ctx), &request_id),
                    &request_id,
                );
            }
            return;
        }
        Some(FaultAction::ResetMidBody) => broken = true,
        Some(FaultAction::Delay(_)) | None => {}
    }

    let result = auth::authenticate(&ctx, &shared.signers, shared.skew_secs)
        .and_then(|caller| handlers::dispatch(shared, &ctx, &caller, req.as_reader()));
    let mut reply = match result {
        Ok(reply) => reply,
        Err(err) => Reply::error(&err, Some(&ctx), &request_id),
    };
    handlers::cors::decorate(shared, &ctx, &mut reply);
    if broken {
        reset_download(req, reply, &request_id);
    } else {
        send(req, reply, &request_id);
    }
}

/// The `Content-Length` a request declares when it is over [`MAX_BODY`] (as text: it may
/// not fit in a `u64`).
fn declared_too_large(ctx: &Ctx) -> Option<String> {
    let value = ctx.header("Content-Length")?.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match value.parse::<u64>() {
        Ok(n) if n <= MAX_BODY => None,
        _ => Some(value.trim_start_matches('0').to_owned()),
    }
}

/// Whether tiny_http closes the connection after this request: the client sent
/// `Connection: close` (or `upgrade`), or spoke HTTP/1.0 without `keep-alive`.
fn closes_after(req: &tiny_http::Request) -> bool {
    let connection = req
        .headers()
        .iter()
        .find(|h| h.field.equiv("Connection"))
        .map(|h| h.value.as_str().to_ascii_lowercase());
    match connection {
        Some(c) if c.contains("close") || c.contains("upgrade") => true,
        Some(c) => *req.http_version() == (1, 0) && !c.contains("keep-alive"),
        None => *req.http_version() == (1, 0),
    }
}

/// Adds the headers every COS response has.
fn finish_headers(reply: &mut Reply, request_id: &str) {
    reply.push_header(header::REQUEST_ID, request_id);
    reply.push_header("Server", "tencent-cos");
    if !reply.headers.iter().any(|(n, _)| n == header::DATE) {
        reply.push_header(header::DATE, http_date(unix_secs(SystemTime::now())));
    }
}

/// The reply's headers for tiny_http (which keeps their case).
fn tiny_headers(reply: &Reply) -> Vec<tiny_http::Header> {
    reply
        .headers
        .iter()
        .filter_map(|(n, v)| tiny_http::Header::from_bytes(n.as_bytes(), v.as_bytes()).ok())
        .collect()
}

/// The reply's body as a reader, with its length.
fn body_reader(body: Body) -> (Box<dyn Read + Send>, u64) {
    match body {
        Body::Empty => (Box::new(io::empty()), 0),
        Body::Bytes(b) => {
            let n = b.len() as u64;
            (Box::new(io::Cursor::new(b)), n)
        }
        Body::Stream(r, n) => (r, n),
        Body::Memory(data) => {
            let n = data.len();
            (Box::new(data.reader()), n)
        }
        Body::HeadOnly(n) => (Box::new(io::empty()), n),
    }
}

/// Writes `reply` with the headers every COS response has.
fn send(req: tiny_http::Request, mut reply: Reply, request_id: &str) {
    finish_headers(&mut reply, request_id);
    if sends_identity(&req) {
        match std::mem::replace(&mut reply.body, Body::Empty) {
            Body::Memory(data) => {
                send_direct(req, &reply, data.len(), |w| {
                    data.slices().try_for_each(|slice| w.write_all(slice))
                });
                return;
            }
            Body::Stream(mut reader, len) => {
                send_direct(req, &reply, len, |w| {
                    let mut buf = vec![0u8; STREAM_BUFFER];
                    loop {
                        match reader.read(&mut buf) {
                            Ok(0) => return Ok(()),
                            Ok(n) => w.write_all(&buf[..n])?,
                            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                            Err(e) => return Err(e),
                        }
                    }
                });
                return;
            }
            other => reply.body = other,
        }
    }
    let headers = tiny_headers(&reply);
    let status = tiny_http::StatusCode(reply.status);
    let (reader, len) = body_reader(reply.body);
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    let response = tiny_http::Response::new(status, headers, reader, Some(len), None)
        .with_chunked_threshold(usize::MAX);
    let _ = req.respond(response);
}

/// The buffer object data from a file goes to the socket through.
const STREAM_BUFFER: usize = 256 << 10;

/// Whether tiny_http sends a body with a known length as it is, after a `Content-Length`:
/// unless the client asked for a transfer coding (`TE`), it does (HTTP/1.1 and 1.0 alike).
fn sends_identity(req: &tiny_http::Request) -> bool {
    !req.headers().iter().any(|h| h.field.equiv("TE"))
}

/// Writes a reply whose body is object data of `len` bytes. tiny_http writes the status
/// line and the headers, `Content-Length` included (its body reader is empty, so it writes
/// no body itself); then `body` writes the data to the socket in large writes: each stored
/// window as it is from memory, 256 KiB at a time from a file. Through
/// [`tiny_http::Request::respond`] the body would be copied again, 8 KiB at a time, each
/// piece its own write.
fn send_direct(
    req: tiny_http::Request,
    reply: &Reply,
    len: u64,
    body: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) {
    let len = usize::try_from(len).unwrap_or(usize::MAX);
    let status = tiny_http::StatusCode(reply.status);
    let head = tiny_http::Response::new(status, tiny_headers(reply), io::empty(), Some(len), None)
        .with_chunked_threshold(usize::MAX);
    let version = req.http_version().clone();
    let request_headers = req.headers().to_vec();
    let mut writer = req.into_writer();
    if head
        .raw_print(&mut writer, version, &request_headers, false, None)
        .is_err()
    {
        return;
    }
    if body(&mut writer).is_ok() {
        let _ = writer.flush();
    }
}

/// Yields the first `limit` bytes of a body, then fails, and records that it did.
struct HalfThenFail {
    inner: io::Take<Box<dyn Read + Send>>,
    failed: Arc<AtomicBool>,
}

impl Read for HalfThenFail {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf)? {
            0 if !buf.is_empty() => {
                self.failed.store(true, Ordering::SeqCst);
                Err(io::Error::new(
                    io::ErrorKind::ConnectionReset,
                    "injected fault: the connection breaks mid-body",
                ))
            }
            n => Ok(n),
        }
    }
}

/// Passes writes through until the body has failed, then refuses them (so that the chunked
/// encoder cannot end the body cleanly).
struct UntilFailed<W> {
    inner: W,
    failed: Arc<AtomicBool>,
}

impl<W: Write> Write for UntilFailed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.failed.load(Ordering::SeqCst) {
            return Err(io::Error::other("the body has failed"));
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.failed.load(Ordering::SeqCst) {
            return Ok(());
        }
        self.inner.flush()
    }
}

/// The download half of [`FaultAction::ResetMidBody`].
///
/// When tiny_http closes the connection after this request (the client asked for it), the
/// response announces the full `Content-Length`, sends half of the body, and the body
/// reader fails: tiny_http stops writing and closes the connection, so the client sees the
/// body end early (unexpected EOF) at once.
///
/// On a keep-alive connection tiny_http would instead keep the connection open after the
/// failed body, and the client would wait for the rest until its own timeout. There the
/// response is chunked (tiny_http's own encoder writes the status, the headers and the
/// whole chunks of the first half of the body) and [`BROKEN_CHUNK`] follows, so the client
/// fails at once on a malformed chunk; it then drops the connection.
///
/// A reply without a body gets no answer and the connection closes when tiny_http closes it;
/// on a keep-alive connection it is answered 500 instead.
fn reset_download(req: tiny_http::Request, mut reply: Reply, request_id: &str) {
    finish_headers(&mut reply, request_id);
    let closes = closes_after(&req);
    let head_only = *req.method() == tiny_http::Method::Head;
    let (reader, len) = body_reader(std::mem::replace(&mut reply.body, Body::Empty));
    if len == 0 || head_only {
        if closes {
            drop(req.into_writer());
        } else {
            let err = CosError::internal("injected fault: the connection breaks mid-body");
            send(req, Reply::error(&err, None, request_id), request_id);
        }
        return;
    }
    let failed = Arc::new(AtomicBool::new(false));
    let body = HalfThenFail {
        inner: reader.take(len / 2),
        failed: Arc::clone(&failed),
    };
    let status = tiny_http::StatusCode(reply.status);
    if closes {
        let full = usize::try_from(len).unwrap_or(usize::MAX);
        let response =
            tiny_http::Response::new(status, tiny_headers(&reply), body, Some(full), None)
                .with_chunked_threshold(usize::MAX);
        let _ = req.respond(response);
        return;
    }
    let version = req.http_version().clone();
    let request_headers = req.headers().to_vec();
    let response = tiny_http::Response::new(status, tiny_headers(&reply), body, None, None);
    let mut writer = req.into_writer();
    let _ = response.raw_print(
        UntilFailed {
            inner: &mut writer,
            failed,
        },
        version,
        &request_headers,
        false,
        None,
    );
    let _ = writer.write_all(BROKEN_CHUNK);
    let _ = writer.flush();
}
