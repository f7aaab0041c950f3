//! A small HTTP/1.1 server side: reading request heads, framing request bodies
//! (`Content-Length` or chunked), `Expect: 100-continue`, keep-alive, and writing responses.
//!
//! The emulator owns its sockets (rather than using an HTTP server library) so that it can
//! break a connection for real — status and headers announcing the full length, half of the
//! body, then a closed socket — and answer a request that declares an absurd body at once,
//! then close, without reading or buffering anything in proportion to the declared length.
//!
//! Every read from a socket polls the emulator's stop flag, so a stopped emulator's
//! connection threads end within [`POLL`], and gives up after [`IDLE_LIMIT`] without progress.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How often a blocked read looks at the stop flag.
pub(crate) const POLL: Duration = Duration::from_millis(100);

/// How long a connection may make no progress (idle between requests, or stalled in a
/// body) before it is closed.
pub(crate) const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// The longest request head (request line and headers) accepted.
const MAX_HEAD: usize = 64 * 1024;

/// The most headers accepted in one request.
const MAX_HEADERS: usize = 256;

/// A socket read that polls the stop flag and gives up after [`IDLE_LIMIT`].
pub(crate) struct Socket {
    stream: TcpStream,
    stop: Arc<AtomicBool>,
}

impl Socket {
    pub(crate) fn new(stream: TcpStream, stop: Arc<AtomicBool>) -> io::Result<Socket> {
        stream.set_read_timeout(Some(POLL))?;
        stream.set_write_timeout(Some(IDLE_LIMIT))?;
        stream.set_nodelay(true)?;
        Ok(Socket { stream, stop })
    }
}

impl Read for Socket {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let start = Instant::now();
        loop {
            match self.stream.read(buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    if self.stop.load(Ordering::SeqCst) {
                        return Err(io::Error::other("the emulator is stopping"));
                    }
                    if start.elapsed() > IDLE_LIMIT {
                        return Err(io::Error::new(io::ErrorKind::TimedOut, "idle connection"));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }
}

/// One connection: the buffered reading side and the writing side of one socket.
pub(crate) struct Conn {
    pub(crate) reader: BufReader<Socket>,
    pub(crate) writer: TcpStream,
}

/// A request line and headers.
#[derive(Debug, Clone)]
pub(crate) struct Head {
    pub(crate) method: String,
    pub(crate) target: String,
    /// HTTP/1.0 (false) or HTTP/1.1 (true).
    pub(crate) http11: bool,
    pub(crate) headers: Vec<(String, String)>,
}

impl Head {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// Whether the client asks to keep the connection open afterwards.
    pub(crate) fn keep_alive(&self) -> bool {
        let conn = self.header("Connection").map(str::to_ascii_lowercase);
        match conn {
            Some(c) if c.contains("close") => false,
            Some(c) if c.contains("keep-alive") => true,
            _ => self.http11,
        }
    }

    /// Whether the client waits for `100 Continue` before sending the body.
    pub(crate) fn expects_continue(&self) -> bool {
        self.http11
            && self
                .header("Expect")
                .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    }
}

/// How the request body is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    Length(u64),
    Chunked,
}

/// Why a request head could not be read.
#[derive(Debug)]
pub(crate) enum HeadError {
    /// The connection ended (or idled out, or the emulator stops) between requests.
    Closed,
    /// The head is not HTTP: answer 400 and close.
    Malformed(&'static str),
}

impl Conn {
    /// Reads the next request head; `Closed` when the client is done.
    pub(crate) fn read_head(&mut self) -> Result<Head, HeadError> {
        let mut total = 0usize;
        let mut line = self.read_line(&mut total)?;
        while line.is_empty() {
            // Tolerate blank lines before a request line (RFC 9112, 2.2).
            line = self.read_line(&mut total)?;
        }
        let mut parts = line.split(' ');
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(HeadError::Malformed("bad request line"));
        };
        let http11 = match version {
            "HTTP/1.1" => true,
            "HTTP/1.0" => false,
            _ => return Err(HeadError::Malformed("unsupported HTTP version")),
        };
        if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(HeadError::Malformed("bad method"));
        }
        let mut headers = Vec::new();
        loop {
            let line = self.read_line(&mut total)?;
            if line.is_empty() {
                break;
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(HeadError::Malformed("bad header line"));
            };
            if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
                return Err(HeadError::Malformed("bad header name"));
            }
            if headers.len() == MAX_HEADERS {
                return Err(HeadError::Malformed("too many headers"));
            }
            headers.push((name.to_owned(), value.trim().to_owned()));
        }
        Ok(Head {
            method: method.to_owned(),
            target: target.to_owned(),
            http11,
            headers,
        })
    }

    /// One line without its CRLF (or LF), counting against [`MAX_HEAD`].
    fn read_line(&mut self, total: &mut usize) -> Result<String, HeadError> {
        let mut buf = Vec::new();
        let limit = (MAX_HEAD - (*total).min(MAX_HEAD)) as u64 + 2;
        let n = (&mut self.reader)
            .take(limit)
            .read_until(b'\n', &mut buf)
            .map_err(|_| HeadError::Closed)?;
        if n == 0 {
            return Err(HeadError::Closed);
        }
        *total += n;
        if buf.last() != Some(&b'\n') {
            return Err(if *total > MAX_HEAD {
                HeadError::Malformed("request head too large")
            } else {
                HeadError::Closed
            });
        }
        buf.pop();
        if buf.last() == Some(&b'\r') {
            buf.pop();
        }
        String::from_utf8(buf).map_err(|_| HeadError::Malformed("head is not UTF-8"))
    }

    /// Writes `100 Continue`.
    pub(crate) fn send_continue(&mut self) -> io::Result<()> {
        self.writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        self.writer.flush()
    }

    /// Closes the connection at once, unread data or not.
    pub(crate) fn abort(self) {
        let _ = self.writer.shutdown(Shutdown::Both);
    }

    /// Closes the connection after a final response: the write side first, then what the
    /// client still sends is read and dropped for a moment (at most 1 MiB or 500 ms), so that
    /// the close does not turn into a reset that could discard the response.
    pub(crate) fn close_gracefully(mut self) {
        let _ = self.writer.flush();
        let _ = self.writer.shutdown(Shutdown::Write);
        let start = Instant::now();
        let mut buf = [0u8; 16 * 1024];
        let mut drained = 0usize;
        let _ = self
            .reader
            .get_ref()
            .stream
            .set_read_timeout(Some(Duration::from_millis(50)));
        while start.elapsed() < Duration::from_millis(500) && drained < (1 << 20) {
            match self.reader.get_mut().stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => drained += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) => {}
                Err(_) => break,
            }
        }
        let _ = self.writer.shutdown(Shutdown::Both);
    }
}

/// The body framing a head declares; `Err` with a reason when it is contradictory.
pub(crate) fn framing(head: &Head) -> Result<Framing, &'static str> {
    if let Some(te) = head.header("Transfer-Encoding") {
        if te.eq_ignore_ascii_case("chunked") {
            return Ok(Framing::Chunked);
        }
        return Err("unsupported Transfer-Encoding");
    }
    let mut length = None;
    for (n, v) in &head.headers {
        if n.eq_ignore_ascii_case("Content-Length") {
            let v = v.trim();
            if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                return Err("bad Content-Length");
            }
            let n: u64 = v.parse().map_err(|_| "bad Content-Length")?;
            if length.is_some_and(|l| l != n) {
                return Err("conflicting Content-Length headers");
            }
            length = Some(n);
        }
    }
    Ok(Framing::Length(length.unwrap_or(0)))
}

/// The body of one request: stops at its end, sends `100 Continue` before the first read
/// when the client waits for it.
pub(crate) struct BodyReader<'a> {
    conn: &'a mut Conn,
    framing: Framing,
    /// Bytes left: of the body (Length) or of the current chunk (Chunked).
    left: u64,
    /// Chunked: the last chunk and the trailers have been read.
    done: bool,
    /// Chunked: a chunk's data has ended and its CRLF is still to be read.
    chunk_open: bool,
    continue_pending: bool,
    /// Bytes read so far.
    pub(crate) consumed: u64,
}

impl<'a> BodyReader<'a> {
    pub(crate) fn new(conn: &'a mut Conn, framing: Framing, expect_continue: bool) -> Self {
        let (left, done) = match framing {
            Framing::Length(n) => (n, n == 0),
            Framing::Chunked => (0, false),
        };
        BodyReader {
            conn,
            framing,
            left,
            done,
            chunk_open: false,
            continue_pending: expect_continue && !done,
            consumed: 0,
        }
    }

    /// Whether the whole body has been read.
    pub(crate) fn finished(&self) -> bool {
        self.done
    }

    /// Whether the client was never told to send its body (`Expect: 100-continue`).
    pub(crate) fn continue_pending(&self) -> bool {
        self.continue_pending
    }

    /// Reads and drops the rest of the body, at most `limit` more bytes; true when the
    /// body is then complete.
    pub(crate) fn drain(&mut self, limit: u64) -> bool {
        let mut buf = [0u8; 64 * 1024];
        let start = self.consumed;
        while !self.done && self.consumed - start <= limit {
            match self.read(&mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        self.done
    }

    fn bad(msg: &str) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, msg.to_owned())
    }

    /// Chunked: reads a chunk-size line (or the CRLF ending a chunk, then the line).
    fn next_chunk(&mut self) -> io::Result<()> {
        let mut line = Vec::new();
        if self.chunk_open {
            (&mut self.conn.reader)
                .take(2)
                .read_until(b'\n', &mut line)?;
            if line != b"\r\n" && line != b"\n" {
                return Err(Self::bad("a chunk does not end with CRLF"));
            }
            self.chunk_open = false;
            line.clear();
        }
        (&mut self.conn.reader)
            .take(4096)
            .read_until(b'\n', &mut line)?;
        if line.last() != Some(&b'\n') {
            return Err(Self::bad("bad chunk-size line"));
        }
        let text = std::str::from_utf8(&line).map_err(|_| Self::bad("bad chunk size"))?;
        let size = text.split(';').next().unwrap_or_default().trim();
        let size = u64::from_str_radix(size, 16).map_err(|_| Self::bad("bad chunk size"))?;
        if size == 0 {
            // Trailers, up to an empty line.
            let mut total = 0usize;
            loop {
                let mut t = Vec::new();
                let n = (&mut self.conn.reader)
                    .take(8192)
                    .read_until(b'\n', &mut t)?;
                total += n;
                if n == 0 || total > MAX_HEAD {
                    return Err(Self::bad("bad chunked trailer"));
                }
                if t == b"\r\n" || t == b"\n" {
                    break;
                }
            }
            self.done = true;
        } else {
            self.left = size;
            self.chunk_open = true;
        }
        Ok(())
    }
}

impl Read for BodyReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.done || buf.is_empty() {
            return Ok(0);
        }
        if self.continue_pending {
            self.continue_pending = false;
            self.conn.send_continue()?;
        }
        if self.framing == Framing::Chunked && self.left == 0 {
            self.next_chunk()?;
            if self.done {
                return Ok(0);
            }
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.conn.reader.read(&mut buf[..want])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the connection closed in the middle of the request body",
            ));
        }
        self.left -= n as u64;
        self.consumed += n as u64;
        if self.framing != Framing::Chunked && self.left == 0 {
            self.done = true;
        }
        Ok(n)
    }
}

/// The reason phrase of a status.
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        204 => "No Content",
        206 => "Partial Content",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        412 => "Precondition Failed",
        416 => "Requested Range Not Satisfiable",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// The status line and headers of a response, with `Content-Length: length` unless the
/// status has no body (1xx, 204, 304), and `Connection: close` when `close`.
pub(crate) fn head_bytes(
    status: u16,
    headers: &[(String, String)],
    length: u64,
    close: bool,
) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    for (n, v) in headers {
        let clean = |s: &str| {
            s.chars()
                .filter(|c| *c != '\r' && *c != '\n')
                .collect::<String>()
        };
        out.push_str(&format!("{}: {}\r\n", clean(n), clean(v)));
    }
    if !(status < 200 || status == 204 || status == 304) {
        out.push_str(&format!("Content-Length: {length}\r\n"));
    }
    if close {
        out.push_str("Connection: close\r\n");
    }
    out.push_str("\r\n");
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    /// A connection whose client side has sent `data` and closed its write side.
    fn conn_with(data: &[u8]) -> Conn {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let mut client = TcpStream::connect(listener.local_addr().expect("addr")).expect("c");
        client.write_all(data).expect("write");
        client.shutdown(Shutdown::Write).expect("shutdown");
        let (server, _) = listener.accept().expect("accept");
        std::mem::forget(client);
        let writer = server.try_clone().expect("clone");
        let socket = Socket::new(server, Arc::new(AtomicBool::new(false))).expect("socket");
        Conn {
            reader: BufReader::new(socket),
            writer,
        }
    }

    #[test]
    fn heads_and_chunked_bodies() {
        let mut c = conn_with(
            b"PUT /k HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\
              3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nX-T: 1\r\n\r\nGET / HTTP/1.0\r\n\r\n",
        );
        let head = c.read_head().expect("head");
        assert_eq!((head.method.as_str(), head.target.as_str()), ("PUT", "/k"));
        assert_eq!(framing(&head), Ok(Framing::Chunked));
        let mut body = Vec::new();
        let mut r = BodyReader::new(&mut c, Framing::Chunked, false);
        r.read_to_end(&mut body).expect("body");
        assert!(r.finished());
        assert_eq!(body, b"abcde");
        let head = c.read_head().expect("second head");
        assert!(!head.keep_alive());
        assert!(matches!(c.read_head(), Err(HeadError::Closed)));

        let mut c = conn_with(b"GET / HTTP/2.0\r\n\r\n");
        assert!(matches!(c.read_head(), Err(HeadError::Malformed(_))));
        let mut c = conn_with(b"PUT / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc");
        let head = c.read_head().expect("head");
        let mut r = BodyReader::new(&mut c, framing(&head).expect("framing"), false);
        let mut body = Vec::new();
        assert!(r.read_to_end(&mut body).is_err());
        let mut c = conn_with(b"PUT / HTTP/1.1\r\nContent-Length: x\r\n\r\n");
        assert!(framing(&c.read_head().expect("head")).is_err());
    }
}
