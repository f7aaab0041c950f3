//! # cos-emulator: a local Tencent Cloud COS (XML API) emulator
//!
//! A real HTTP server on loopback that speaks the COS XML API, verifies COS signatures
//! (header and pre-signed URL forms), enforces ACLs, keeps its data in memory or in a
//! directory, and injects faults for reliability tests. It depends on cos-proto only, so
//! cos-blocking can use it as a dev-dependency.
//!
//! ## In a test
//! ```no_run
//! use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};
//!
//! let emu = Emulator::builder()
//!     .credential("AKIDtest", "secret")
//!     .bucket("examplebucket-1250000000")
//!     .fault(FaultRule::new("UploadPart", Trigger::Nth(2), FaultAction::SlowDown))
//!     .start()?;
//! let address = emu.address(); // "127.0.0.1:PORT": cos-proto's Endpoint::with_connect_address
//! // ... run the client against it ...
//! assert_eq!(emu.count("UploadPart"), 3);
//! # Ok::<(), std::io::Error>(())
//! ```
//! The server stops when the [`Emulator`] is dropped.
//!
//! ## Method families of [`Emulator`]
//! - where it is: [`Emulator::address`], [`Emulator::url`], [`Emulator::region`];
//! - what it saw: [`Emulator::count`], [`Emulator::counts`], [`Emulator::faults_fired`],
//!   [`Emulator::reset_counts`];
//! - faults while it runs: [`Emulator::add_fault`], [`Emulator::clear_faults`];
//! - stopping: [`Emulator::stop`] or drop.
//!
//! ## Addressing
//! Virtual-hosted (the bucket is the first label of the `Host`, e.g.
//! `examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com`, while the client connects to
//! the emulator's address) and path-style (`http://127.0.0.1:PORT/{bucket}/{key}`, the form
//! cos-proto's pre-signed URLs take with a connect address).
#![forbid(unsafe_code)]

mod auth;
mod error;
mod faults;
mod handlers;
mod names;
mod pieces;
mod reply;
mod route;
mod server;
mod store;
mod time;
mod uploads;
mod xml_out;

use std::collections::BTreeMap;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use cos_proto::{Bucket, Credentials, Region, Signer};

pub use faults::{FaultAction, FaultRule, Trigger};
pub use names::OPERATIONS;

use crate::faults::Faults;
use crate::store::{AclState, BucketMeta, Store};
use crate::uploads::Uploads;

/// The region buckets are in unless a request's Host or [`EmulatorBuilder::region`] says
/// otherwise.
pub const DEFAULT_REGION: &str = "ap-guangzhou";

/// How many requests are handled at once unless [`EmulatorBuilder::workers`] says otherwise.
pub const DEFAULT_WORKERS: usize = 16;

/// How far in the future a signature's key time may start (clock skew), by default.
pub const DEFAULT_ALLOWED_SKEW: Duration = Duration::from_secs(900);

/// How an [`Emulator`] is set up. Every setter documents its default.
#[derive(Debug, Clone)]
pub struct EmulatorBuilder {
    listen: SocketAddr,
    credentials: Vec<Credentials>,
    region: String,
    data_dir: Option<PathBuf>,
    buckets: Vec<String>,
    allowed_skew: Duration,
    faults: Vec<FaultRule>,
    seed: u64,
    workers: usize,
    errors: Vec<String>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        EmulatorBuilder {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            credentials: Vec::new(),
            region: DEFAULT_REGION.to_owned(),
            data_dir: None,
            buckets: Vec::new(),
            allowed_skew: DEFAULT_ALLOWED_SKEW,
            faults: Vec::new(),
            seed: 0x5EED,
            workers: DEFAULT_WORKERS,
            errors: Vec::new(),
        }
    }
}

impl EmulatorBuilder {
    /// The address to listen on; it must be a loopback address. Default `127.0.0.1:0` (a
    /// free port).
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// Accepts signatures of this SecretId/SecretKey pair. Several may be added; without
    /// any, only anonymous requests are possible. Invalid pairs (empty, spaces) make
    /// [`EmulatorBuilder::start`] fail.
    pub fn credential(mut self, secret_id: &str, secret_key: &str) -> Self {
        match Credentials::new(secret_id, secret_key) {
            Ok(c) => self.credentials.push(c),
            Err(e) => self.errors.push(e.to_string()),
        }
        self
    }

    /// Accepts signatures of these credentials; with a security token, requests must carry
    /// it (`x-cos-security-token`, signed or not).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials.push(credentials);
        self
    }

    /// The region of buckets created through hosts that name none (path-style on the
    /// emulator's address). Default [`DEFAULT_REGION`].
    pub fn region(mut self, region: &str) -> Self {
        self.region = region.to_owned();
        self
    }

    /// Keeps everything in `dir` (created if missing) so that a restart on the same
    /// directory loses nothing. Default: in memory only.
    pub fn data_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Creates bucket `name` (`{name}-{appid}`) at start, unless it exists. Default none.
    pub fn bucket(mut self, name: &str) -> Self {
        self.buckets.push(name.to_owned());
        self
    }

    /// How far in the future a key time may start. Default [`DEFAULT_ALLOWED_SKEW`].
    pub fn allowed_skew(mut self, skew: Duration) -> Self {
        self.allowed_skew = skew;
        self
    }

    /// Adds a fault-injection rule. Default none.
    pub fn fault(mut self, rule: FaultRule) -> Self {
        self.faults.push(rule);
        self
    }

    /// Seeds the generator of probabilistic faults. Default `0x5EED`.
    pub fn fault_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// How many requests are handled at once (worker threads taking requests from the
    /// HTTP server), 1 to 64. Default [`DEFAULT_WORKERS`].
    ///
    /// Every connection has its own thread in the HTTP server, which reads its requests'
    /// headers; a worker then handles one request from start to end, including reading its
    /// body. More requests than workers wait (on their open connections) for a worker:
    /// slower, but never stuck.
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers.clamp(1, 64);
        self
    }

    /// Binds, loads the data directory, creates the buckets and starts serving.
    pub fn start(self) -> io::Result<Emulator> {
        let invalid = |msg: String| io::Error::new(io::ErrorKind::InvalidInput, msg);
        if !self.listen.ip().is_loopback() {
            return Err(invalid(format!(
                "the emulator listens on loopback addresses only, not {}",
                self.listen
            )));
        }
        if let Some(e) = self.errors.first() {
            return Err(invalid(e.clone()));
        }
        Region::new(self.region.as_str()).map_err(|e| invalid(e.to_string()))?;
        let store = Store::open(self.data_dir.clone())?;
        let uploads = Uploads::open(self.data_dir.clone())?;
        let now = time::unix_secs(std::time::SystemTime::now());
        for name in &self.buckets {
            Bucket::new(name.as_str()).map_err(|e| invalid(e.to_string()))?;
            if store.bucket(name).is_err() {
                store
                    .create_bucket(BucketMeta {
                        name: name.clone(),
                        region: self.region.clone(),
                        created: now,
                        acl: AclState::canned("private"),
                        cors: None,
                    })
                    .map_err(|e| io::Error::other(e.message))?;
            }
        }
        let server = tiny_http::Server::http(self.listen).map_err(io::Error::other)?;
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("the server has no IP address"))?;
        let shared = Arc::new(Shared {
            store,
            uploads,
            signers: self.credentials.into_iter().map(Signer::new).collect(),
            region: self.region,
            skew_secs: self.allowed_skew.as_secs(),
            counts: Mutex::new(BTreeMap::new()),
            faults: Mutex::new(Faults::new(self.faults, self.seed)),
            seq: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            instance: (now & 0xffff_ffff) as u32 ^ std::process::id(),
        });
        let server = Arc::new(server);
        let workers = (0..self.workers)
            .map(|_| {
                let server = Arc::clone(&server);
                let shared = Arc::clone(&shared);
                std::thread::spawn(move || server::work(&server, &shared))
            })
            .collect();
        Ok(Emulator {
            addr,
            server,
            shared,
            workers,
        })
    }
}

/// State shared by the workers.
pub(crate) struct Shared {
    pub(crate) store: Store,
    pub(crate) uploads: Uploads,
    pub(crate) signers: Vec<Signer>,
    pub(crate) region: String,
    pub(crate) skew_secs: u64,
    pub(crate) counts: Mutex<BTreeMap<String, u64>>,
    pub(crate) faults: Mutex<Faults>,
    pub(crate) seq: AtomicU64,
    pub(crate) stop: AtomicBool,
    pub(crate) instance: u32,
}

/// A running emulator. Dropping it stops the server.
pub struct Emulator {
    addr: SocketAddr,
    server: Arc<tiny_http::Server>,
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Emulator {
    /// A builder with the defaults: `127.0.0.1:0`, no credentials, in memory.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// The socket address it listens on.
    pub fn socket_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `127.0.0.1:PORT`, for cos-proto's `Endpoint::with_connect_address`.
    pub fn address(&self) -> String {
        self.addr.to_string()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The default region.
    pub fn region(&self) -> &str {
        &self.shared.region
    }

    /// How many requests of operation `kind` arrived, including those that failed. `kind`
    /// is cos-proto's `Operation::NAME` (`PutObject`, `UploadPart`, `DeleteMultipleObjects`,
    /// `GetBucketACL`, ...; every name is in [`OPERATIONS`]); requests that are no operation
    /// count as `Unknown`.
    pub fn count(&self, kind: &str) -> u64 {
        self.counts().get(kind).copied().unwrap_or(0)
    }

    /// Requests per operation so far (see [`Emulator::count`] for the names).
    pub fn counts(&self) -> BTreeMap<String, u64> {
        self.shared
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Sets every count back to zero.
    pub fn reset_counts(&self) {
        self.shared
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }

    /// Adds a fault rule while running.
    pub fn add_fault(&self, rule: FaultRule) {
        self.faults().add(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.faults().clear();
    }

    /// How many times fault rules have fired.
    pub fn faults_fired(&self) -> u64 {
        self.faults().fired()
    }

    fn faults(&self) -> std::sync::MutexGuard<'_, Faults> {
        self.shared
            .faults
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops serving and waits for the workers to finish their requests.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        self.server.unblock();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        self.shutdown();
    }
}
