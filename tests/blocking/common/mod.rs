//! What the cos-blocking suites share: where they run (an embedded emulator, or the
//! endpoint `COS_TEST_*` names), a key prefix per test, and cleanup.
//!
//! When `COS_TEST_ENDPOINT` (`http://host:port`), `COS_TEST_SECRET_ID`,
//! `COS_TEST_SECRET_KEY`, `COS_TEST_BUCKET` and `COS_TEST_REGION` are all set, [`Target::new`]
//! connects there (keeping the virtual-hosted Host header); otherwise it starts an emulator.
//! Tests that need fault injection or a second credential call [`Target::embedded`].
#![allow(dead_code, unreachable_pub)]

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cos_blocking::proto::Scheme;
use cos_blocking::proto::ops::bucket::GetBucket;
use cos_blocking::proto::ops::multipart::{MultipartAbort, MultipartList};
use cos_blocking::proto::ops::object::{
    DeleteMultipleObject, GetObject, HeadObject, ObjectToDelete,
};
use cos_blocking::{Client, ClientBuilder, Config, RetryPolicy};
use cos_emulator::{Emulator, EmulatorBuilder};

pub const BUCKET: &str = "examplebucket-1250000000";
pub const REGION: &str = "ap-guangzhou";
pub const SECRET_ID: &str = "AKIDblockingtest";
pub const SECRET_KEY: &str = "blocking-secret-key";

/// Where a test runs, with its own key prefix; dropping it deletes what it left there.
pub struct Target {
    pub client: Client,
    pub bucket: String,
    pub region: String,
    /// `cos-rs-test/{name}-{pid}-{n}/`.
    pub prefix: String,
    /// The embedded emulator, if the test runs on one.
    pub emu: Option<Emulator>,
    /// `http://host:port` of the server.
    pub url: String,
}

/// The remote endpoint named by `COS_TEST_*`, when all five are set.
fn remote() -> Option<(String, String, String, String, String)> {
    let v = |n: &str| std::env::var(n).ok().filter(|s| !s.is_empty());
    Some((
        v("COS_TEST_ENDPOINT")?,
        v("COS_TEST_SECRET_ID")?,
        v("COS_TEST_SECRET_KEY")?,
        v("COS_TEST_BUCKET")?,
        v("COS_TEST_REGION")?,
    ))
}

/// Options that keep failing tests short.
pub fn test_config() -> Config {
    Config::default()
        .protocol(Scheme::Http)
        .connect_timeout(Some(Duration::from_secs(5)))
        .read_timeout(Some(Duration::from_secs(20)))
        .retry(
            RetryPolicy::default()
                .initial_backoff(Duration::from_millis(10))
                .max_backoff(Duration::from_millis(50))
                .seed(42),
        )
}

/// A client with `id`/`key` that connects to `endpoint` (`http://host:port` or
/// `https://host:port`) and sends the virtual-hosted Host header.
pub fn endpoint_client(endpoint: &str, id: &str, key: &str) -> Client {
    let address = endpoint
        .split_once("://")
        .map(|(_, a)| a.trim_end_matches('/').to_owned())
        .expect("COS_TEST_ENDPOINT is http://host:port");
    let scheme = if endpoint.starts_with("https") {
        Scheme::Https
    } else {
        Scheme::Http
    };
    Client::builder()
        .secret(id, key)
        .config(test_config().protocol(scheme).connect_address(address))
        .build()
        .expect("client")
}

fn prefix(name: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or_default();
    format!(
        "cos-rs-test/{name}-{}-{stamp}-{}/",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl Target {
    /// The remote endpoint when configured, else an embedded emulator.
    pub fn new(name: &str) -> Target {
        match remote() {
            Some((endpoint, id, key, bucket, region)) => {
                let client = endpoint_client(&endpoint, &id, &key);
                Target {
                    client,
                    bucket,
                    region,
                    prefix: prefix(name),
                    emu: None,
                    url: endpoint,
                }
            }
            None => Target::embedded(name, Emulator::builder(), static_key, |c| c),
        }
    }

    /// An embedded emulator (with the test credential and bucket added to `emu`), and a
    /// client on it authenticated as `auth` says ([`static_key`] for the test key).
    pub fn embedded(
        name: &str,
        emu: EmulatorBuilder,
        auth: impl FnOnce(ClientBuilder) -> ClientBuilder,
        config: impl FnOnce(Config) -> Config,
    ) -> Target {
        let emu = emu
            .credential(SECRET_ID, SECRET_KEY)
            .bucket(BUCKET)
            .start()
            .expect("emulator starts");
        let client = auth(Client::builder())
            .config(config(test_config().connect_address(emu.address())))
            .build()
            .expect("client");
        Target {
            client,
            bucket: BUCKET.to_owned(),
            region: REGION.to_owned(),
            prefix: prefix(name),
            url: emu.url(),
            emu: Some(emu),
        }
    }

    /// The key `name` under this test's prefix.
    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A GetObject of `name` under the test's prefix.
    pub fn get_op(&self, name: &str) -> GetObject {
        GetObject {
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            key: self.key(name),
            ..GetObject::default()
        }
    }

    /// A HeadObject of `name` under the test's prefix.
    pub fn head_op(&self, name: &str) -> HeadObject {
        HeadObject {
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            key: self.key(name),
            ..HeadObject::default()
        }
    }

    pub fn emu(&self) -> &Emulator {
        self.emu.as_ref().expect("an embedded emulator")
    }

    /// Aborts the multipart uploads left under this test's prefix.
    fn abort_uploads(&self) {
        let list = MultipartList {
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            prefix: Some(self.prefix.clone()),
            ..MultipartList::default()
        };
        let Ok(listed) = self.client.multipart_list(&list) else {
            return;
        };
        for upload in listed.upload {
            let _ = self.client.multipart_abort(&MultipartAbort {
                bucket: self.bucket.clone(),
                region: self.region.clone(),
                key: upload.key,
                upload_id: upload.upload_id,
            });
        }
    }
}

/// Authenticates with the emulator's test key.
pub fn static_key(builder: ClientBuilder) -> ClientBuilder {
    builder.secret(SECRET_ID, SECRET_KEY)
}

impl Drop for Target {
    fn drop(&mut self) {
        if let Some(emu) = &self.emu {
            emu.clear_faults();
        }
        self.abort_uploads();
        let list = GetBucket {
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            prefix: Some(self.prefix.clone()),
            ..GetBucket::default()
        };
        let Ok(listed) = self.client.get_bucket(&list) else {
            return;
        };
        let objects: Vec<ObjectToDelete> = listed
            .contents
            .iter()
            .map(|o| ObjectToDelete {
                key: o.key.clone(),
                ..ObjectToDelete::default()
            })
            .collect();
        if !objects.is_empty() {
            let _ = self.client.delete_multiple_object(&DeleteMultipleObject {
                bucket: self.bucket.clone(),
                region: self.region.clone(),
                objects,
                ..DeleteMultipleObject::default()
            });
        }
    }
}

/// A scratch directory under the system temp dir, removed on drop.
pub struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(prefix(name).replace('/', "_"));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    /// The names of the files in the directory.
    pub fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Deterministic test data.
pub fn data(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x as u8
        })
        .collect()
}
pub mod scripted;

/// A seeded generator (SplitMix64) for test sizes, data and moments.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// `len` random bytes.
    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(len + 8);
        while out.len() < len {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(len);
        out
    }
}
