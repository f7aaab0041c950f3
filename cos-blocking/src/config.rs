//! The client's options: how to reach COS, how long to wait, what to check, how big the
//! parts of transfers are. Every setter documents its default; the defaults follow the
//! official JavaScript SDK except where noted (timeouts are on).

use std::time::Duration;

use cos_proto::{Endpoint, Scheme};

use crate::error::{Error, Result};
use crate::retry::RetryPolicy;

/// The options of a [`Client`](crate::Client). Build one with [`Config::default`] and the
/// setters, then hand it to [`ClientBuilder::config`](crate::ClientBuilder::config).
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) file_parallel_limit: usize,
    pub(crate) chunk_parallel_limit: usize,
    pub(crate) chunk_size: u64,
    pub(crate) progress_interval: Duration,
    pub(crate) protocol: Scheme,
    pub(crate) domain: Option<String>,
    pub(crate) connect_address: Option<String>,
    pub(crate) path_style: bool,
    pub(crate) accelerate: bool,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) write_timeout: Option<Duration>,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: String,
    pub(crate) crc64_check: bool,
    pub(crate) correct_clock_skew: bool,
    pub(crate) clock_offset_secs: i64,
    pub(crate) sign_validity: Duration,
    pub(crate) credential_refresh_margin: Duration,
    pub(crate) bucket: Option<String>,
    pub(crate) region: Option<String>,
    pub(crate) max_idle_connections_per_host: usize,
    pub(crate) resume_dir: Option<std::path::PathBuf>,
}

/// The default `User-Agent`: `cos-rs-blocking/{version}`.
pub const DEFAULT_USER_AGENT: &str = concat!("cos-rs-blocking/", env!("CARGO_PKG_VERSION"));

impl Default for Config {
    fn default() -> Self {
        Config {
            file_parallel_limit: 3,
            chunk_parallel_limit: 3,
            chunk_size: 1 << 20,
            progress_interval: Duration::from_millis(1000),
            protocol: Scheme::Https,
            domain: None,
            connect_address: None,
            path_style: false,
            accelerate: false,
            connect_timeout: Some(Duration::from_secs(10)),
            read_timeout: Some(Duration::from_secs(60)),
            write_timeout: Some(Duration::from_secs(60)),
            retry: RetryPolicy::default(),
            user_agent: DEFAULT_USER_AGENT.to_owned(),
            crc64_check: true,
            correct_clock_skew: true,
            clock_offset_secs: 0,
            sign_validity: Duration::from_secs(900),
            credential_refresh_margin: Duration::from_secs(60),
            bucket: None,
            region: None,
            max_idle_connections_per_host: 16,
            resume_dir: None,
        }
    }
}

impl Config {
    /// Where resumable uploads keep their journals (small files, one per upload in
    /// progress). Default `$XDG_CACHE_HOME/cos-rs/resume`, else `$HOME/.cache/cos-rs/resume`,
    /// else `cos-rs-resume` in the temporary directory.
    pub fn resume_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.resume_dir = Some(dir.into());
        self
    }

    /// How many files the transfer tasks upload at once (the seed's `FileParallelLimit`).
    /// Default 3; at least 1.
    pub fn file_parallel_limit(mut self, n: usize) -> Self {
        self.file_parallel_limit = n.max(1);
        self
    }

    /// How many parts of one file are uploaded at once (`ChunkParallelLimit`). Default 3;
    /// at least 1.
    pub fn chunk_parallel_limit(mut self, n: usize) -> Self {
        self.chunk_parallel_limit = n.max(1);
        self
    }

    /// The part size of multipart transfers in bytes (`ChunkSize`). Default 1 MiB
    /// (1048576); at least 1 MiB.
    pub fn chunk_size(mut self, bytes: u64) -> Self {
        self.chunk_size = bytes.max(1 << 20);
        self
    }

    /// The least time between two progress callbacks of one transfer (`ProgressInterval`).
    /// Default 1000 ms. The last callback (all bytes done) is always made.
    pub fn progress_interval(mut self, interval: Duration) -> Self {
        self.progress_interval = interval;
        self
    }

    /// The protocol (`Protocol`: `http:` or `https:`). Default `https:`.
    pub fn protocol(mut self, protocol: Scheme) -> Self {
        self.protocol = protocol;
        self
    }

    /// A custom domain template (`Domain`), e.g. `{Bucket}.cos.{Region}.example.com`. Default
    /// none: `{Bucket}.cos.{Region}.myqcloud.com`. A leading `http://` sets the protocol.
    pub fn domain(mut self, template: impl Into<String>) -> Self {
        self.domain = Some(template.into());
        self
    }

    /// Connects to this `host:port` while keeping the virtual-hosted `Host` header (the
    /// official SDKs' `Ip`/`Port`): for an emulator, a proxy or a pinned IP. Default none.
    pub fn connect_address(mut self, address: impl Into<String>) -> Self {
        self.connect_address = Some(address.into());
        self
    }

    /// Puts the bucket in the path instead of the host (`ForcePathStyle`). Default off.
    pub fn path_style(mut self, on: bool) -> Self {
        self.path_style = on;
        self
    }

    /// Uses the global acceleration domain (`UseAccelerate`). Default off.
    pub fn accelerate(mut self, on: bool) -> Self {
        self.accelerate = on;
        self
    }

    /// How long opening a connection (TCP and TLS) may take. Default 10 s; `None` waits
    /// forever (not recommended).
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one read from the connection may wait: a stalled response fails after this.
    /// Default 60 s; `None` waits forever (not recommended).
    pub fn read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.read_timeout = timeout;
        self
    }

    /// How long one write to the connection may wait. Default 60 s; `None` waits forever.
    pub fn write_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// When and how to retry failed attempts. Default [`RetryPolicy::default`].
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The `User-Agent` header. Default [`DEFAULT_USER_AGENT`].
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Whether the CRC64 of uploaded and downloaded data is checked against
    /// `x-cos-hash-crc64ecma`. Default on.
    pub fn crc64_check(mut self, on: bool) -> Self {
        self.crc64_check = on;
        self
    }

    /// Whether a request rejected as `RequestTimeTooSkewed` (or "Request has expired") is
    /// retried once with the server's clock, which later requests then keep using
    /// (`CorrectClockSkew`). Default on.
    pub fn correct_clock_skew(mut self, on: bool) -> Self {
        self.correct_clock_skew = on;
        self
    }

    /// The starting estimate of server time minus local time, in seconds
    /// (`SystemClockOffset`). Default 0.
    pub fn clock_offset_secs(mut self, offset: i64) -> Self {
        self.clock_offset_secs = offset;
        self
    }

    /// How long a request's signature stays valid after it is made. Default 900 s; at least
    /// 1 s.
    pub fn sign_validity(mut self, validity: Duration) -> Self {
        self.sign_validity = validity.max(Duration::from_secs(1));
        self
    }

    /// How long before their `ExpiredTime` temporary credentials from a provider are
    /// refreshed. Default 60 s.
    pub fn credential_refresh_margin(mut self, margin: Duration) -> Self {
        self.credential_refresh_margin = margin;
        self
    }

    /// The default bucket, see [`Client::bucket`](crate::Client::bucket). Default none
    /// (from `COS_BUCKET` with `from_env`).
    pub fn bucket(mut self, bucket: impl Into<String>) -> Self {
        self.bucket = Some(bucket.into());
        self
    }

    /// The default region, see [`Client::region`](crate::Client::region). Default none
    /// (from `COS_REGION` with `from_env`).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// How many idle keep-alive connections are kept per host. Default 16.
    pub fn max_idle_connections_per_host(mut self, n: usize) -> Self {
        self.max_idle_connections_per_host = n;
        self
    }

    /// The part size of multipart transfers.
    pub fn get_chunk_size(&self) -> u64 {
        self.chunk_size
    }

    /// How many parts of one file are transferred at once.
    pub fn get_chunk_parallel_limit(&self) -> usize {
        self.chunk_parallel_limit
    }

    /// How many files are transferred at once.
    pub fn get_file_parallel_limit(&self) -> usize {
        self.file_parallel_limit
    }

    /// The endpoint the options describe, checked.
    pub(crate) fn endpoint(&self) -> Result<Endpoint> {
        let mut e = Endpoint::new()
            .with_scheme(self.protocol)
            .with_path_style(self.path_style)
            .with_accelerate(self.accelerate);
        if let Some(d) = &self.domain {
            e = e.with_domain(d)?;
        }
        if let Some(a) = &self.connect_address {
            e = e.with_connect_address(a)?;
        }
        if self.user_agent.bytes().any(|b| !(0x20..0x7f).contains(&b)) {
            return Err(Error::invalid("UserAgent", "must be printable ASCII"));
        }
        Ok(e)
    }
}
