//! One call, told as the protocol's story: build the request, sign it, send it, read the
//! answer, check what went through, parse — and on failure decide whether to go again.

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cos_proto::ops::multipart::MultipartUpload;
use cos_proto::ops::object::PutObject;
use cos_proto::{Body, GetAuthorization, Operation, Request, Response, header};

use crate::auth::{AuthorizeRequest, CredentialScope};
use crate::body::{Download, Reporter, Upload, crc64};
use crate::client::Client;
use crate::error::{Error, ErrorKind, Result};
use crate::retry;
use crate::transport::{self, Incoming, Outgoing};

/// The most bytes read from a response that is not streamed (an XML document).
const MAX_DOCUMENT_BYTES: u64 = 64 << 20;

/// The size of the buffer a streamed body is copied through.
const COPY_BUFFER: usize = 256 << 10;

/// A failed attempt, and what the server's clock said if COS rejected the time.
struct Failure {
    error: Error,
    /// Server time minus local time, from the `Date` of a clock-skew rejection.
    skew_secs: Option<i64>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            error,
            skew_secs: None,
        }
    }
}

impl From<cos_proto::Error> for Failure {
    fn from(e: cos_proto::Error) -> Self {
        Failure::from(Error::from(e))
    }
}

fn unix_secs(t: SystemTime) -> i64 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

impl Client {
    /// The server's time as best known: the local clock plus the offset.
    pub(crate) fn server_now(&self) -> SystemTime {
        let offset = self.inner.clock_offset.load(Ordering::Relaxed);
        let now = transport::now();
        let shift = Duration::from_secs(offset.unsigned_abs());
        if offset >= 0 {
            now + shift
        } else {
            now.checked_sub(shift).unwrap_or(UNIX_EPOCH)
        }
    }

    /// Runs `op` to its end: attempts, clock-skew correction and retries.
    pub(crate) fn run<O: Operation>(
        &self,
        op: &O,
        mut upload: Option<Upload<'_>>,
        mut download: Option<Download<'_>>,
    ) -> Result<O::Output> {
        let config = &self.inner.config;
        let started = transport::monotonic();
        let build = || {
            op.to_request(&self.inner.endpoint)
                .map_err(|e| Error::from(e).in_call(O::NAME, op.bucket(), op.key()))
        };
        // A bad parameter fails here: no attempt is made, nothing is sent.
        let mut prepared = Some(build()?);
        let (mut attempts, mut retries, mut skew_corrected) = (0u32, 0u32, false);
        loop {
            attempts += 1;
            let req = match prepared.take() {
                Some(req) => req,
                None => build()?,
            };
            let failure =
                match self.attempt(op, req, upload.as_mut(), download.as_mut(), attempts > 1) {
                    Ok(output) => return Ok(output),
                    Err(f) => f,
                };
            let error = failure.error;
            let resendable = upload.as_ref().is_none_or(Upload::can_resend)
                && download.as_ref().is_none_or(Download::can_rewind);
            if let Some(skew) = failure
                .skew_secs
                .filter(|_| resendable && !skew_corrected && config.correct_clock_skew)
            {
                self.inner.clock_offset.store(skew, Ordering::Relaxed);
                skew_corrected = true;
                log::debug!(
                    target: transport::LOG_TARGET,
                    "{} refused for clock skew, retrying with the server's time ({skew:+} s)",
                    O::NAME
                );
                continue;
            }
            if resendable
                && op.is_idempotent()
                && retry::is_transient(&error)
                && retries + 1 < config.retry.max_attempts
            {
                retries += 1;
                let delay = self.inner.backoff.delay(retries);
                log::debug!(
                    target: transport::LOG_TARGET,
                    "{} attempt {attempts} failed, retrying in {delay:?}: {error}",
                    O::NAME
                );
                transport::sleep(delay);
                continue;
            }
            let elapsed = transport::monotonic().duration_since(started);
            return Err(error
                .in_call(O::NAME, op.bucket(), op.key())
                .after(attempts, elapsed));
        }
    }

    /// One attempt: `req` (freshly built from `op`), signed now, sent once.
    fn attempt<O: Operation>(
        &self,
        op: &O,
        mut req: Request,
        upload: Option<&mut Upload<'_>>,
        download: Option<&mut Download<'_>>,
        is_retry: bool,
    ) -> Result<O::Output, Failure> {
        let config = &self.inner.config;
        if is_retry {
            req.headers
                .push((header::SDK_RETRY.to_owned(), "true".to_owned()));
        }
        let scope = CredentialScope {
            bucket: op.bucket(),
            region: op.region().or_else(|| self.region()),
        };
        let key = op.key().unwrap_or_default();
        let now = self.server_now();
        self.inner
            .auth
            .sign(&mut req, &scope, key, now, config.sign_validity)?;
        // COS may quote what was signed back in an error (a SignatureDoesNotMatch message
        // lists the signed headers, the security token among them): no error keeps it.
        let secrets: Vec<String> = req
            .headers
            .iter()
            .filter(|(n, v)| {
                !v.is_empty()
                    && (n.eq_ignore_ascii_case(header::AUTHORIZATION)
                        || n.eq_ignore_ascii_case(header::SECURITY_TOKEN))
            })
            .map(|(_, v)| v.clone())
            .collect();
        self.exchange(op, &req, upload, download)
            .map_err(|f| Failure {
                error: f.error.redact(&secrets),
                skew_secs: f.skew_secs,
            })
    }

    /// Sends the signed `req` and reads its answer into `op`'s output.
    fn exchange<O: Operation>(
        &self,
        op: &O,
        req: &Request,
        upload: Option<&mut Upload<'_>>,
        download: Option<&mut Download<'_>>,
    ) -> Result<O::Output, Failure> {
        let config = &self.inner.config;
        let transport = &self.inner.transport;
        let (mut incoming, sent_crc) = match upload {
            Some(upload) => {
                let mut sending = upload.open(config.progress_interval)?;
                let sent = transport.send(req, Outgoing::Reader(&mut sending));
                if let Some(e) = sending.take_failure() {
                    return Err(e.into());
                }
                (sent?, Some(sending.crc64()))
            }
            None => match &req.body {
                Body::Empty => (transport.send(req, Outgoing::Empty)?, None),
                Body::Bytes(b) => (transport.send(req, Outgoing::Bytes(b))?, None),
                Body::Stream { .. } => {
                    return Err(Error::invalid(
                        "Body",
                        "a streamed body needs an Upload (put_object_from, multipart_upload_from)",
                    )
                    .into());
                }
            },
        };

        let status = incoming.status();
        let headers = incoming.headers();
        let request_id = find(&headers, header::REQUEST_ID).map(str::to_owned);
        let with_id = |e: Error| Failure::from(e.with_request_id(request_id.clone()));
        let success = (200..300).contains(&status);

        if !(success && O::STREAMS_RESPONSE_BODY) {
            let body = incoming.read_all(MAX_DOCUMENT_BYTES).map_err(with_id)?;
            let response = Response {
                status,
                headers,
                body,
            };
            if !success {
                let skew_secs = response
                    .header(header::DATE)
                    .and_then(|d| httpdate::parse_http_date(d).ok())
                    .map(|server| unix_secs(server) - unix_secs(transport::now()));
                return op.parse(response).map_err(|e| {
                    let error = Error::from(e).with_request_id(request_id.clone());
                    let skew_secs = skew_secs.filter(|_| retry::is_clock_skew(&error));
                    Failure { error, skew_secs }
                });
            }
            // The uploads whose whole body is what COS hashed: a PutObject and an UploadPart.
            let checked =
                config.crc64_check && [PutObject::NAME, MultipartUpload::NAME].contains(&O::NAME);
            if let Some(expected) = crc_header(&response.headers).filter(|_| checked) {
                let actual = match (&req.body, sent_crc) {
                    (_, Some(crc)) => crc,
                    (Body::Bytes(b), None) => crc64(b),
                    _ => crc64(b""),
                };
                check("CRC64 of the uploaded body", expected, actual).map_err(with_id)?;
            }
            return op.parse(response).map_err(|e| with_id(e.into()));
        }

        // A 2xx whose body is the object: parse the headers, then stream the data.
        let head = Response {
            status,
            headers,
            body: Vec::new(),
        };
        let output = op.parse(head.clone()).map_err(|e| with_id(e.into()))?;
        self.receive(&mut incoming, &head, download)
            .map_err(with_id)?;
        Ok(output)
    }

    /// Copies a streamed body into the download (or drops it), checking its length and
    /// CRC64, then completes the download.
    fn receive(
        &self,
        incoming: &mut Incoming,
        head: &Response,
        mut download: Option<&mut Download<'_>>,
    ) -> Result<()> {
        let config = &self.inner.config;
        let length = head
            .header(header::CONTENT_LENGTH)
            .and_then(|v| v.trim().parse::<u64>().ok());
        let expected_crc = crc_header(&head.headers).filter(|_| head.status == 200);
        let progress = download.as_ref().and_then(|d| d.progress());
        let mut reporter = Reporter::new(progress, length.unwrap_or(0), config.progress_interval);
        if let Some(d) = download.as_mut() {
            d.begin()?;
        }
        let mut digest = crc64fast::Digest::new();
        let mut received = 0u64;
        let mut buf = vec![0u8; COPY_BUFFER];
        let mut reader = incoming.reader();
        loop {
            if download.as_ref().is_some_and(|d| d.is_canceled()) {
                return Err(Error::new(ErrorKind::Canceled));
            }
            let n = reader.read(&mut buf)?;
            if n == 0 {
                break;
            }
            digest.write(&buf[..n]);
            if let Some(d) = download.as_mut() {
                d.write(&buf[..n])?;
            }
            received += n as u64;
            reporter.update(received, false);
        }
        reporter.update(received, true);
        if let Some(len) = length {
            check("length of the body", len, received)?;
        }
        if let Some(expected) = expected_crc.filter(|_| config.crc64_check) {
            check("CRC64 of the downloaded body", expected, digest.sum64())?;
        }
        if let Some(d) = download.as_ref() {
            d.record_crc(digest.sum64());
        }
        match download {
            Some(d) => d.finish(),
            None => Ok(()),
        }
    }

    /// `getAuth` with an authorizer: its answer for the described request.
    pub(crate) fn authorizer_auth(&self, params: &GetAuthorization) -> Result<String> {
        let crate::auth::Auth::Authorizer(authorizer) = &self.inner.auth else {
            return Err(Error::credentials("the client has no authorizer"));
        };
        let pathname = cos_proto::sign::pathname_for_key(&params.key);
        let answer = authorizer
            .authorize(&AuthorizeRequest {
                method: &params.method.to_ascii_uppercase(),
                key: &params.key,
                pathname: &pathname,
                query: &params.query,
                headers: &params.headers,
                bucket: self.bucket(),
            })
            .map_err(|e| Error::credentials(format!("the authorizer failed: {e}")))?;
        Ok(answer.authorization.expose().to_owned())
    }
}

fn find<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `x-cos-hash-crc64ecma` as a number (a malformed value is ignored: cos-proto's parse
/// reports it).
fn crc_header(headers: &[(String, String)]) -> Option<u64> {
    find(headers, header::HASH_CRC64).and_then(|v| v.trim().parse().ok())
}

/// An [`ErrorKind::Integrity`] error unless `expected` (what COS reported) equals `actual`
/// (what the client computed).
pub(crate) fn check(what: &'static str, expected: u64, actual: u64) -> Result<()> {
    if expected == actual {
        Ok(())
    } else {
        Err(Error::new(ErrorKind::Integrity {
            what,
            expected,
            actual,
        }))
    }
}
