//! The server: accept connections, then for each request read its head, decode it, count
//! it, apply faults, authenticate, dispatch, and write the reply.
//!
//! One thread per connection reads its requests in turn; at most `workers` requests are
//! handled at once (the others wait for a permit). A connection is kept open between
//! requests unless the client or a fault says otherwise; a request body the handler did not
//! read is drained (up to [`DRAIN_LIMIT`]) or the connection is closed after the answer.

use std::io::{self, BufReader, BufWriter, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::SystemTime;

use cos_proto::header;

use crate::Shared;
use crate::auth;
use crate::error::CosError;
use crate::faults::FaultAction;
use crate::handlers;
use crate::http::{self, BodyReader, Conn, Framing, HeadError, Socket};
use crate::reply::{Body, Reply};
use crate::route::Ctx;
use crate::time::{http_date, unix_secs};

/// The largest request body accepted: 5 GiB (COS's limit for one PUT or part) plus room
/// for framing. A request that declares more is answered `EntityTooLarge` at once, without
/// reading its body, and its connection is closed.
pub(crate) const MAX_BODY: u64 = 5 * 1024 * 1024 * 1024 + 1024 * 1024;

/// The most unread request body drained so that the connection can serve another request;
/// beyond it the connection is closed after the answer.
const DRAIN_LIMIT: u64 = 64 << 20;

/// Counts requests in progress against the `workers` limit.
pub(crate) struct Permits {
    free: Mutex<usize>,
    cond: Condvar,
}

impl Permits {
    pub(crate) fn new(n: usize) -> Self {
        Permits {
            free: Mutex::new(n),
            cond: Condvar::new(),
        }
    }

    fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self.cond.wait(free).unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Permit(self)
    }
}

struct Permit<'a>(&'a Permits);

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.cond.notify_one();
    }
}

/// What happens to a connection after a request.
enum Next {
    KeepAlive,
    /// Close after the answer, gracefully.
    Close,
    /// Close at once (a fault, or the connection is broken).
    Abort,
}

/// Accepts connections until the emulator stops, each served by its own thread.
pub(crate) fn accept_loop(
    listener: &TcpListener,
    shared: &Arc<Shared>,
    conns: &Mutex<Vec<JoinHandle<()>>>,
) {
    for stream in listener.incoming() {
        if shared.stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = stream else {
            std::thread::sleep(http::POLL / 10);
            continue;
        };
        let shared = Arc::clone(shared);
        let handle = std::thread::spawn(move || serve(stream, &shared));
        let mut conns = conns.lock().unwrap_or_else(PoisonError::into_inner);
        conns.retain(|h| !h.is_finished());
        conns.push(handle);
    }
}

/// Serves the requests of one connection.
fn serve(stream: TcpStream, shared: &Shared) {
    let Ok(writer) = stream.try_clone() else {
        return;
    };
    let Ok(socket) = Socket::new(stream, Arc::clone(&shared.stop)) else {
        return;
    };
    let mut conn = Conn {
        reader: BufReader::with_capacity(64 * 1024, socket),
        writer,
    };
    loop {
        let head = match conn.read_head() {
            Ok(head) => head,
            Err(HeadError::Closed) => return conn.abort(),
            Err(HeadError::Malformed(why)) => {
                let err = CosError::new(400, "InvalidRequest", format!("Bad request: {why}."));
                let request_id = next_request_id(shared);
                let _ = write_reply(
                    &mut conn,
                    Reply::error(&err, None, &request_id),
                    false,
                    true,
                );
                return conn.close_gracefully();
            }
        };
        let next = catch_unwind(AssertUnwindSafe(|| handle(shared, &mut conn, &head)))
            .unwrap_or(Next::Abort);
        match next {
            Next::KeepAlive => {}
            Next::Close => return conn.close_gracefully(),
            Next::Abort => return conn.abort(),
        }
    }
}

fn next_request_id(shared: &Shared) -> String {
    let seq = shared.seq.fetch_add(1, Ordering::Relaxed);
    format!("{:08x}{:016x}", shared.instance, seq)
}

fn handle(shared: &Shared, conn: &mut Conn, head: &http::Head) -> Next {
    let _permit = shared.permits.acquire();
    let now = unix_secs(SystemTime::now());
    let request_id = next_request_id(shared);
    let keep_alive = head.keep_alive();
    let framing = match http::framing(head) {
        Ok(f) => f,
        Err(why) => {
            let err = CosError::new(400, "InvalidRequest", format!("Bad request: {why}."));
            let reply = Reply::error(&err, None, &request_id);
            return finish(conn, head, reply, false, true, &request_id);
        }
    };
    let ctx = match Ctx::parse(
        &head.method,
        &head.target,
        head.headers.clone(),
        &shared.region,
        now,
    ) {
        Ok(ctx) => ctx,
        Err(err) => {
            let reply = Reply::error(&err, None, &request_id);
            return respond(conn, head, framing, reply, &request_id, false);
        }
    };
    *shared
        .counts
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .entry(ctx.op.to_owned())
        .or_insert(0) += 1;

    if let Framing::Length(n) = framing
        && n > MAX_BODY
    {
        // Answered before a byte of the body is read; the connection then closes.
        let err = CosError::new(
            400,
            "EntityTooLarge",
            format!("Your proposed upload of {n} bytes exceeds the maximum allowed size."),
        );
        let reply = Reply::error(&err, Some(&ctx), &request_id);
        return finish(conn, head, reply, false, true, &request_id);
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
            let reply = Reply::error(&err, Some(&ctx), &request_id);
            return respond(conn, head, framing, reply, &request_id, false);
        }
        Some(FaultAction::SlowDown) => {
            let err = CosError::new(
                503,
                "SlowDown",
                "injected fault: please reduce your request rate",
            );
            let reply = Reply::error(&err, Some(&ctx), &request_id);
            return respond(conn, head, framing, reply, &request_id, false);
        }
        Some(FaultAction::ResetMidBody) if framing != Framing::Length(0) => {
            // Half of the upload is read, then the connection closes without an answer.
            let half = match framing {
                Framing::Length(n) => n / 2,
                Framing::Chunked => 64 * 1024,
            };
            let mut body = BodyReader::new(conn, framing, head.expects_continue());
            let _ = io::copy(&mut (&mut body).take(half), &mut io::sink());
            return Next::Abort;
        }
        Some(FaultAction::ResetMidBody) => broken = true,
        Some(FaultAction::Delay(_)) | None => {}
    }

    let mut body = BodyReader::new(conn, framing, head.expects_continue());
    let result = auth::authenticate(&ctx, &shared.signers, shared.skew_secs)
        .and_then(|caller| handlers::dispatch(shared, &ctx, &caller, &mut body));
    let mut reply = match result {
        Ok(reply) => reply,
        Err(err) => Reply::error(&err, Some(&ctx), &request_id),
    };
    handlers::cors::decorate(shared, &ctx, &mut reply);
    let complete = body.finished() || (!body.continue_pending() && body.drain(DRAIN_LIMIT));
    finish(
        conn,
        head,
        reply,
        broken,
        !keep_alive || !complete,
        &request_id,
    )
}

/// Answers a request whose body has not been touched: drains it when that is cheap,
/// otherwise closes the connection after the answer.
fn respond(
    conn: &mut Conn,
    head: &http::Head,
    framing: Framing,
    reply: Reply,
    request_id: &str,
    broken: bool,
) -> Next {
    let small = matches!(framing, Framing::Length(n) if n <= DRAIN_LIMIT);
    let complete = if framing == Framing::Length(0) {
        true
    } else if small && !head.expects_continue() {
        BodyReader::new(conn, framing, false).drain(DRAIN_LIMIT)
    } else {
        false
    };
    finish(
        conn,
        head,
        reply,
        broken,
        !head.keep_alive() || !complete,
        request_id,
    )
}

/// Adds the headers every COS response has, writes the reply, and says what next.
fn finish(
    conn: &mut Conn,
    head: &http::Head,
    mut reply: Reply,
    broken: bool,
    close: bool,
    request_id: &str,
) -> Next {
    reply.push_header(header::REQUEST_ID, request_id);
    reply.push_header("Server", "tencent-cos");
    if !reply.headers.iter().any(|(n, _)| n == header::DATE) {
        reply.push_header(header::DATE, http_date(unix_secs(SystemTime::now())));
    }
    if broken {
        let _ = write_half(conn, reply);
        return Next::Abort;
    }
    let head_only = head.method.eq_ignore_ascii_case("HEAD");
    match write_reply(conn, reply, head_only, close) {
        Ok(()) if close => Next::Close,
        Ok(()) => Next::KeepAlive,
        Err(_) => Next::Abort,
    }
}

/// Writes `reply`; with `no_body` only the status and headers (HEAD).
fn write_reply(conn: &mut Conn, reply: Reply, no_body: bool, close: bool) -> io::Result<()> {
    let (mut reader, len): (Box<dyn Read + Send>, u64) = match reply.body {
        Body::Empty => (Box::new(io::empty()), 0),
        Body::Bytes(b) => {
            let n = b.len() as u64;
            (Box::new(io::Cursor::new(b)), n)
        }
        Body::Stream(r, n) => (r, n),
        Body::HeadOnly(n) => (Box::new(io::empty()), n),
    };
    let mut w = BufWriter::with_capacity(64 * 1024, &conn.writer);
    w.write_all(&http::head_bytes(reply.status, &reply.headers, len, close))?;
    if !no_body {
        let sent = io::copy(&mut reader.by_ref().take(len), &mut w)?;
        if sent != len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the body ended early",
            ));
        }
    }
    w.flush()
}

/// Writes the status, the headers announcing the full length, and half of the body; the
/// caller then closes the connection, so the client sees the body end early. A reply
/// without a body is not written at all.
fn write_half(conn: &mut Conn, reply: Reply) -> io::Result<()> {
    let (mut reader, len): (Box<dyn Read + Send>, u64) = match reply.body {
        Body::Bytes(b) => {
            let n = b.len() as u64;
            (Box::new(io::Cursor::new(b)), n)
        }
        Body::Stream(r, n) => (r, n),
        Body::Empty | Body::HeadOnly(_) => return Ok(()),
    };
    if len == 0 {
        return Ok(());
    }
    let mut w = BufWriter::with_capacity(64 * 1024, &conn.writer);
    w.write_all(&http::head_bytes(reply.status, &reply.headers, len, false))?;
    io::copy(&mut reader.by_ref().take(len / 2), &mut w)?;
    w.flush()
}
