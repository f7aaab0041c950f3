//! The one seam to the network and the clock: the only module that talks to ureq and the
//! only one that reads the time or sleeps.
//!
//! [`Transport::send`] sends exactly the request cos-proto describes: it connects to
//! [`Request::url`] (the connect address when one is set), sends `Host` =
//! [`Request::host`] and every header as given — the signed `Content-Length` included (the
//! body's length, or `0` on a body-less PUT or POST; see [`Request::set_body`]), so ureq adds
//! no second one and never chunks the body — and returns
//! the status and headers with a reader for the body. Redirects are not followed (COS does
//! not redirect; a 3xx is handed back like any other status) and no compression is asked
//! for, so the body is the bytes whose CRC64 COS reports.
//!
//! It is also where requests and responses are logged, through the `log` facade under the
//! target `cos_blocking`: at `Debug` each request line and each response status with its
//! request id, at `Trace` their headers. Secrets never reach a record: the values of
//! `Authorization` and `x-cos-security-token` are written as `<redacted>`, and so are the
//! query parameters `q-signature` and `x-cos-security-token` (bodies are not logged). ureq
//! logs too, under its own targets: at `Trace`, ureq-proto dumps the bytes of responses and of
//! request bodies (not request heads) in hex.

use std::io::{self, Read};
use std::time::{Duration, Instant, SystemTime};

use cos_proto::{Method, Request, header};
use ureq::http;

use crate::config::Config;
use crate::error::{Error, ErrorKind, Result, TimeoutPhase};

/// The wall clock: the time requests are signed with (before the skew offset is added).
pub(crate) fn now() -> SystemTime {
    SystemTime::now()
}

/// The monotonic clock, for elapsed times, progress speed and throttling.
pub(crate) fn monotonic() -> Instant {
    Instant::now()
}

/// Waits `d` (the backoff before a retry).
pub(crate) fn sleep(d: Duration) {
    std::thread::sleep(d);
}

/// The body of an outgoing request.
pub(crate) enum Outgoing<'a> {
    /// No body: nothing is sent after the head (which carries the request's own
    /// `Content-Length: 0` on a PUT or POST).
    Empty,
    /// Bytes in memory.
    Bytes(&'a [u8]),
    /// A stream of exactly the request's `Content-Length` bytes.
    Reader(&'a mut dyn Read),
}

/// The HTTP client of one [`Client`](crate::Client): a ureq agent with its keep-alive pool.
#[derive(Debug, Clone)]
pub(crate) struct Transport {
    agent: ureq::Agent,
}

impl Transport {
    /// An agent configured from `config`: timeouts, User-Agent, pool size, no redirects, no
    /// status-as-error, no compression.
    pub(crate) fn new(config: &Config) -> Self {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(config.user_agent.as_str())
            .accept_encoding("identity")
            .timeout_connect(config.connect_timeout)
            .timeout_per_read(config.read_timeout)
            .timeout_per_write(config.write_timeout)
            .max_idle_connections_per_host(config.max_idle_connections_per_host.max(1))
            .max_idle_connections(config.max_idle_connections_per_host.max(1) * 4)
            .build()
            .new_agent();
        Transport { agent }
    }

    /// Sends `req` with `body` and returns the response head with its body unread.
    pub(crate) fn send(&self, req: &Request, body: Outgoing<'_>) -> Result<Incoming> {
        log_request(req);
        let result = self.send_unlogged(req, body);
        match &result {
            Ok(incoming) => log_response(req, incoming),
            Err(e) => log::debug!(target: LOG_TARGET, "{} {}: {e}", req.method, redacted_url(req)),
        }
        result
    }

    fn send_unlogged(&self, req: &Request, body: Outgoing<'_>) -> Result<Incoming> {
        let method = match req.method {
            Method::Get => http::Method::GET,
            Method::Head => http::Method::HEAD,
            Method::Put => http::Method::PUT,
            Method::Post => http::Method::POST,
            Method::Delete => http::Method::DELETE,
            Method::Options => http::Method::OPTIONS,
        };
        let mut builder = http::Request::builder()
            .method(method)
            .uri(req.url())
            .header(http::header::HOST, req.host());
        for (name, value) in &req.headers {
            if !name.eq_ignore_ascii_case(header::HOST) {
                builder = builder.header(name.as_str(), value.as_str());
            }
        }
        let result = match body {
            Outgoing::Empty => {
                let r = builder.body(()).map_err(build_error)?;
                self.agent.run(r)
            }
            Outgoing::Bytes(bytes) => {
                let r = builder.body(bytes).map_err(build_error)?;
                self.agent.run(r)
            }
            Outgoing::Reader(reader) => {
                let r = builder
                    .body(ureq::SendBody::from_reader(reader))
                    .map_err(build_error)?;
                self.agent.run(r)
            }
        };
        let response = result.map_err(from_ureq)?;
        Ok(Incoming { response })
    }
}

/// The `log` target of cos-blocking's records.
pub(crate) const LOG_TARGET: &str = "cos_blocking";

/// Headers whose values are never logged.
const SECRET_HEADERS: [&str; 2] = ["authorization", header::SECURITY_TOKEN];
/// Query parameters whose values are never logged.
const SECRET_QUERY: [&str; 2] = ["q-signature", header::SECURITY_TOKEN];

/// A header value as logged: `<redacted>` for a secret one.
fn loggable<'a>(name: &str, value: &'a str) -> &'a str {
    if SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
        "<redacted>"
    } else {
        value
    }
}

/// The request's URL with the values of secret query parameters redacted.
fn redacted_url(req: &Request) -> String {
    if !req
        .query
        .iter()
        .any(|(n, _)| SECRET_QUERY.iter().any(|s| n.eq_ignore_ascii_case(s)))
    {
        return req.url();
    }
    let mut safe = req.clone();
    for (name, value) in &mut safe.query {
        if SECRET_QUERY.iter().any(|s| name.eq_ignore_ascii_case(s)) {
            *value = "redacted".to_owned();
        }
    }
    safe.url()
}

fn log_request(req: &Request) {
    if !log::log_enabled!(target: LOG_TARGET, log::Level::Debug) {
        return;
    }
    log::debug!(target: LOG_TARGET, "> {} {} (Host {})", req.method, redacted_url(req), req.host());
    for (name, value) in &req.headers {
        log::trace!(target: LOG_TARGET, "> {name}: {}", loggable(name, value));
    }
}

fn log_response(req: &Request, incoming: &Incoming) {
    if !log::log_enabled!(target: LOG_TARGET, log::Level::Debug) {
        return;
    }
    let headers = incoming.headers();
    let id = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(header::REQUEST_ID))
        .map_or("none", |(_, v)| v.as_str());
    log::debug!(
        target: LOG_TARGET,
        "< {} for {} {} (request id {id})",
        incoming.status(),
        req.method,
        redacted_url(req)
    );
    for (name, value) in &headers {
        log::trace!(target: LOG_TARGET, "< {name}: {}", loggable(name, value));
    }
}

fn build_error(e: http::Error) -> Error {
    Error::invalid("Request", format!("cannot be written as HTTP: {e}"))
}

/// Converts a ureq error into ours, naming the timeout phase.
fn from_ureq(e: ureq::Error) -> Error {
    use ureq::Timeout as T;
    match e {
        ureq::Error::Timeout(t) => {
            let phase = match t {
                T::Resolve => TimeoutPhase::Resolve,
                T::Connect => TimeoutPhase::Connect,
                T::SendRequest => TimeoutPhase::SendRequest,
                T::SendBody | T::Await100 => TimeoutPhase::SendBody,
                T::RecvResponse => TimeoutPhase::RecvResponse,
                T::RecvBody => TimeoutPhase::RecvBody,
                T::PerRead => TimeoutPhase::Read,
                T::PerWrite => TimeoutPhase::Write,
                _ => TimeoutPhase::Call,
            };
            Error::new(ErrorKind::Timeout { phase })
        }
        ureq::Error::Io(io) if is_timeout(&io) => Error::new(ErrorKind::Timeout {
            phase: TimeoutPhase::Read,
        }),
        other => Error::new(ErrorKind::Transport {
            message: other.to_string(),
        }),
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
    )
}

/// A response whose status and headers have arrived and whose body has not been read.
pub(crate) struct Incoming {
    response: http::Response<ureq::Body>,
}

impl Incoming {
    /// The HTTP status.
    pub(crate) fn status(&self) -> u16 {
        self.response.status().as_u16()
    }

    /// The headers, in the order received; values that are not UTF-8 are read lossily.
    pub(crate) fn headers(&self) -> Vec<(String, String)> {
        self.response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect()
    }

    /// Reads the whole body, failing past `limit` bytes.
    pub(crate) fn read_all(&mut self, limit: u64) -> Result<Vec<u8>> {
        self.response
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(from_ureq)
    }

    /// A reader of the body whose errors are already ours.
    pub(crate) fn reader(&mut self) -> BodyReader<'_> {
        BodyReader {
            inner: self.response.body_mut().as_reader(),
        }
    }
}

/// Reads a response body; each error is a transport or timeout [`Error`].
pub(crate) struct BodyReader<'a> {
    inner: ureq::BodyReader<'a>,
}

impl BodyReader<'_> {
    /// Reads into `buf`; 0 at the end of the body.
    pub(crate) fn read(&mut self, buf: &mut [u8]) -> Result<usize> {
        loop {
            match self.inner.read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(from_ureq(ureq::Error::from(e))),
            }
        }
    }
}
