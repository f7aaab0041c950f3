//! The one error type of cos-blocking.
//!
//! An [`Error`] is a [`ErrorKind`] (what went wrong) plus the context of the call it ended:
//! the operation, bucket, key, request id, how many attempts were made and how long they
//! took. Its `Display` names all of them, e.g.
//! `PutObject failed: HTTP 503 SlowDown: Please reduce your request rate (bucket ex-1250000000, key a.txt, request id NjQ..., 3 attempts in 1.2s)`.
//!
//! No message ever contains a SecretKey, a security token or an Authorization value: the
//! kinds carry names, codes and numbers, and what COS answered with those two values
//! replaced by `<redacted>` (COS's `SignatureDoesNotMatch` message quotes the signed
//! headers, the token among them).

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

pub use cos_proto::ServiceError;

/// The phase of a request that ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutPhase {
    /// Resolving the host name.
    Resolve,
    /// Opening the connection (TCP and TLS).
    Connect,
    /// Sending the request line and headers.
    SendRequest,
    /// Sending the request body.
    SendBody,
    /// Waiting for the response status and headers.
    RecvResponse,
    /// Receiving the response body.
    RecvBody,
    /// One read from the connection took longer than the per-read timeout.
    Read,
    /// One write to the connection took longer than the per-write timeout.
    Write,
    /// The whole call took longer than its overall budget.
    Call,
}

impl fmt::Display for TimeoutPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimeoutPhase::Resolve => "resolving the host",
            TimeoutPhase::Connect => "connecting",
            TimeoutPhase::SendRequest => "sending the request headers",
            TimeoutPhase::SendBody => "sending the request body",
            TimeoutPhase::RecvResponse => "waiting for the response",
            TimeoutPhase::RecvBody => "receiving the response body",
            TimeoutPhase::Read => "a read from the connection",
            TimeoutPhase::Write => "a write to the connection",
            TimeoutPhase::Call => "the whole call",
        })
    }
}

/// What went wrong.
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// COS answered with an error (status, `Code`, `Message`, `RequestId`, `TraceId`,
    /// `Resource`).
    Service(Box<ServiceError>),
    /// A parameter was rejected before anything was sent.
    InvalidInput {
        /// The parameter, as the seed names it (`Bucket`, `Headers[x-cos-meta-a]`, ...).
        field: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The response could not be read as the operation's output.
    Parse {
        /// What was wrong with it.
        reason: String,
    },
    /// The connection failed: refused, reset, broken mid-body, TLS, a malformed response.
    Transport {
        /// What the HTTP layer reported.
        message: String,
    },
    /// A timeout fired.
    Timeout {
        /// Which phase of the request it was in.
        phase: TimeoutPhase,
    },
    /// Reading the data to upload or writing the data downloaded failed.
    Io {
        /// The file involved, when it is a file.
        path: Option<PathBuf>,
        /// The underlying error.
        source: io::Error,
    },
    /// The CRC64 of what was sent or received differs from the one COS reports
    /// (`x-cos-hash-crc64ecma`), or fewer bytes arrived than announced.
    Integrity {
        /// What was compared (`CRC64 of the uploaded body`, `length of the body`, ...).
        what: &'static str,
        /// What COS reported.
        expected: u64,
        /// What the client computed.
        actual: u64,
    },
    /// The caller canceled the transfer.
    Canceled,
    /// The credential provider or authorizer failed, or gave unusable credentials.
    Credentials {
        /// Why (never the secret itself).
        reason: String,
    },
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Service(e) => {
                write!(f, "HTTP {} {}", e.status, e.code)?;
                if !e.message.is_empty() {
                    write!(f, ": {}", e.message)?;
                }
                if let Some(r) = &e.resource {
                    write!(f, " (resource {r})")?;
                }
                if let Some(t) = &e.trace_id {
                    write!(f, " (trace id {t})")?;
                }
                Ok(())
            }
            ErrorKind::InvalidInput { field, reason } => write!(f, "invalid {field}: {reason}"),
            ErrorKind::Parse { reason } => write!(f, "cannot read the response: {reason}"),
            ErrorKind::Transport { message } => write!(f, "connection failed: {message}"),
            ErrorKind::Timeout { phase } => write!(f, "timed out {phase}"),
            ErrorKind::Io { path, source } => match path {
                Some(p) => write!(f, "I/O error on {}: {source}", p.display()),
                None => write!(f, "I/O error on the caller's stream: {source}"),
            },
            ErrorKind::Integrity {
                what,
                expected,
                actual,
            } => write!(
                f,
                "integrity check failed: {what} is {actual:#x} but COS reports {expected:#x}"
            ),
            ErrorKind::Canceled => f.write_str("canceled"),
            ErrorKind::Credentials { reason } => write!(f, "no usable credentials: {reason}"),
        }
    }
}

/// The call an error ended: set by the client on every error it returns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ErrorContext {
    /// The operation (`PutObject`, ...), as COS names it.
    pub operation: &'static str,
    /// The bucket, when the call names one.
    pub bucket: Option<String>,
    /// The object key, when the call names one.
    pub key: Option<String>,
    /// The request id of the last attempt, when COS answered.
    pub request_id: Option<String>,
    /// How many attempts were made (1 when there was no retry; 0 when nothing was sent).
    pub attempts: u32,
    /// How long the attempts and the waits between them took.
    pub elapsed: Duration,
    /// The transfer task the call was part of (`SliceUploadFile`, ...), if any.
    pub task: Option<&'static str>,
    /// The part of the task's object the call moved, if any.
    pub part: Option<u32>,
}

/// Everything that can go wrong in a call of the client.
pub struct Error {
    kind: ErrorKind,
    context: Box<ErrorContext>,
}

/// Shorthand for results whose error is cos-blocking's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with an empty context (the client fills it in).
    pub fn new(kind: ErrorKind) -> Self {
        Error {
            kind,
            context: Box::default(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// The call it ended.
    pub fn context(&self) -> &ErrorContext {
        &self.context
    }

    /// The COS error, when COS answered with one.
    pub fn service(&self) -> Option<&ServiceError> {
        match &self.kind {
            ErrorKind::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The HTTP status, when COS answered.
    pub fn status(&self) -> Option<u16> {
        self.service().map(|e| e.status)
    }

    /// COS's error code (`NoSuchKey`, ...), when COS answered.
    pub fn code(&self) -> Option<&str> {
        self.service().map(|e| e.code.as_str())
    }

    /// The request id: of the last answer COS gave, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.context.request_id.as_deref()
    }

    /// How many attempts were made.
    pub fn attempts(&self) -> u32 {
        self.context.attempts
    }

    /// Whether a timeout ended the call.
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, ErrorKind::Timeout { .. })
    }

    pub(crate) fn io(path: Option<PathBuf>, source: io::Error) -> Self {
        Error::new(ErrorKind::Io { path, source })
    }

    pub(crate) fn credentials(reason: impl Into<String>) -> Self {
        Error::new(ErrorKind::Credentials {
            reason: reason.into(),
        })
    }

    pub(crate) fn invalid(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::new(ErrorKind::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        })
    }

    /// Sets the operation, bucket and key, unless already set.
    pub(crate) fn in_call(
        mut self,
        op: &'static str,
        bucket: Option<&str>,
        key: Option<&str>,
    ) -> Self {
        if self.context.operation.is_empty() {
            self.context.operation = op;
            self.context.bucket = bucket.filter(|b| !b.is_empty()).map(str::to_owned);
            self.context.key = key.filter(|k| !k.is_empty()).map(str::to_owned);
        }
        self
    }

    /// Names the transfer task the error ended (and its bucket and key, when the failed
    /// call did not name them).
    pub(crate) fn in_task(mut self, task: &'static str, bucket: &str, key: &str) -> Self {
        self.context.task = Some(task);
        if self.context.bucket.is_none() && !bucket.is_empty() {
            self.context.bucket = Some(bucket.to_owned());
        }
        if self.context.key.is_none() && !key.is_empty() {
            self.context.key = Some(key.to_owned());
        }
        self
    }

    /// Names the part a task's call was moving.
    pub(crate) fn at_part(mut self, part: u32) -> Self {
        self.context.part = Some(part);
        self
    }

    /// Records the attempts and time spent.
    pub(crate) fn after(mut self, attempts: u32, elapsed: Duration) -> Self {
        self.context.attempts = attempts;
        self.context.elapsed = elapsed;
        self
    }

    /// Replaces each of `secrets` (the request's Authorization and security token) with
    /// `<redacted>` wherever the answer or the connection echoed it into this error.
    pub(crate) fn redact(mut self, secrets: &[String]) -> Self {
        let scrub = |text: &mut String| {
            for secret in secrets.iter().filter(|s| !s.is_empty()) {
                if text.contains(secret.as_str()) {
                    *text = text.replace(secret.as_str(), "<redacted>");
                }
            }
        };
        match &mut self.kind {
            ErrorKind::Service(e) => {
                scrub(&mut e.message);
                scrub(&mut e.code);
                for text in [&mut e.resource, &mut e.request_id, &mut e.trace_id]
                    .into_iter()
                    .flatten()
                {
                    scrub(text);
                }
            }
            ErrorKind::Parse { reason } => scrub(reason),
            ErrorKind::Transport { message } => scrub(message),
            ErrorKind::InvalidInput { reason, .. } => scrub(reason),
            ErrorKind::Credentials { reason } => scrub(reason),
            _ => {}
        }
        self
    }

    pub(crate) fn with_request_id(mut self, id: Option<String>) -> Self {
        if id.is_some() {
            self.context.request_id = id;
        }
        self
    }
}

impl From<cos_proto::Error> for Error {
    fn from(e: cos_proto::Error) -> Self {
        match e {
            cos_proto::Error::Service(s) => {
                let id = s.request_id.clone();
                Error::new(ErrorKind::Service(s)).with_request_id(id)
            }
            cos_proto::Error::InvalidInput { field, reason } => Error::invalid(field, reason),
            cos_proto::Error::Parse { reason, .. } => Error::new(ErrorKind::Parse { reason }),
            other => Error::new(ErrorKind::Parse {
                reason: other.to_string(),
            }),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.context;
        if let Some(task) = c.task {
            write!(f, "{task} failed")?;
            if let Some(n) = c.part {
                write!(f, " at part {n}")?;
            }
            f.write_str(": ")?;
        }
        if c.operation.is_empty() {
            write!(f, "{}", self.kind)?;
        } else {
            write!(f, "{} failed: {}", c.operation, self.kind)?;
        }
        let mut parts = Vec::new();
        if let Some(b) = &c.bucket {
            parts.push(format!("bucket {b}"));
        }
        if let Some(k) = &c.key {
            parts.push(format!("key {k}"));
        }
        if let Some(id) = &c.request_id {
            parts.push(format!("request id {id}"));
        }
        if c.attempts > 0 {
            let s = if c.attempts == 1 { "" } else { "s" };
            parts.push(format!("{} attempt{s} in {:.1?}", c.attempts, c.elapsed));
        }
        if !parts.is_empty() {
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.kind)
            .field("context", &self.context)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
