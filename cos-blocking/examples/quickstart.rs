//! The quickstart: `cargo run --example quickstart` from the repository's root.
//!
//! Without COS credentials in the environment it starts the embedded emulator on loopback
//! (a real HTTP server that checks COS signatures) and works there: it creates a bucket,
//! uploads a small object and a 64 MiB file (sliceUploadFile, with a progress bar), lists,
//! downloads (downloadFile) and compares, fetches a pre-signed URL with plain HTTP, copies on
//! the server (sliceCopyFile),
//! and deletes everything again.
//!
//! With `COS_SECRET_ID`, `COS_SECRET_KEY`, `COS_BUCKET` and `COS_REGION` set (and
//! optionally `COS_SECURITY_TOKEN`, and `COS_ENDPOINT` = `http[s]://host:port` to connect
//! elsewhere, keeping the bucket's Host) it does the same in that bucket, under its own
//! prefix `cos-rs-quickstart-{time}-{pid}/`, creating no bucket, and deletes what it made
//! even when a step fails.
//!
//! Every step prints one line; the first failure ends the run with a message naming the
//! step and a non-zero exit status.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use cos_blocking::proto::ops::bucket::{DeleteBucket, GetBucket, HeadBucket, PutBucket};
use cos_blocking::proto::ops::multipart::{MultipartAbort, MultipartList};
use cos_blocking::proto::ops::object::{
    DeleteMultipleObject, GetObject, HeadObject, ObjectToDelete, PutObject, PutObjectCopy,
};
use cos_blocking::proto::{Body, GetObjectUrl, Scheme};
use cos_blocking::{
    Client, Config, DownloadFile, Progress, SliceCopyFile, SliceUploadFile, UploadBody,
};
use cos_emulator::Emulator;
use indicatif::{ProgressBar, ProgressStyle};

/// The size of the large file: big enough for a parallel multipart upload.
const BIG_SIZE: u64 = 64 << 20;
/// Its part size: eight parts.
const PART_SIZE: u64 = 8 << 20;
/// The part size of the server-side copy: four parts.
const COPY_PART_SIZE: u64 = 16 << 20;
const HELLO: &[u8] = b"Hello from cos-rs!\n";

/// The emulator's key and bucket (they exist only inside this process).
const EMU_SECRET_ID: &str = "AKIDquickstart";
const EMU_SECRET_KEY: &str = "quickstart-secret-key";
const EMU_BUCKET: &str = "quickstart-1250000000";
const EMU_REGION: &str = "ap-guangzhou";

/// A failed step: what was being done and why it failed.
struct Failed(String);

impl<E: std::fmt::Display> From<E> for Failed {
    fn from(e: E) -> Self {
        Failed(e.to_string())
    }
}

type Step<T = ()> = Result<T, Failed>;

/// Runs `f` as step `what`, prefixing its error with it.
fn step<T>(what: &str, f: impl FnOnce() -> Step<T>) -> Step<T> {
    f().map_err(|Failed(why)| Failed(format!("{what}: {why}")))
}

fn main() -> ExitCode {
    let outcome = Place::from_env().and_then(|place| {
        let mut cleanup = Cleanup {
            place: &place,
            bucket_created: false,
            wrote: false,
        };
        run(&place, &mut cleanup).map_err(|Failed(why)| {
            eprintln!("quickstart failed: {why}");
            cleanup.after_failure();
            Failed(String::new()) // reported
        })
    });
    match outcome {
        Ok(()) => {
            println!("quickstart: every step succeeded");
            ExitCode::SUCCESS
        }
        Err(Failed(why)) => {
            if !why.is_empty() {
                eprintln!("quickstart failed: {why}");
            }
            ExitCode::FAILURE
        }
    }
}

/// Where the quickstart works.
struct Place {
    client: Client,
    bucket: String,
    region: String,
    /// Every key the quickstart writes starts with this.
    prefix: String,
    /// The embedded emulator, when there are no credentials.
    emulator: Option<Emulator>,
}

/// The steps; a failure is reported by `main` (after which `cleanup` runs).
fn run(place: &Place, cleanup: &mut Cleanup<'_>) -> Step {
    let scratch = Scratch::new()?;

    let what = match place.emulator {
        Some(_) => "create the bucket",
        None => "reach the bucket",
    };
    step(what, || {
        if place.emulator.is_some() {
            place.client.put_bucket(&PutBucket {
                bucket: place.bucket.clone(),
                region: place.region.clone(),
                ..PutBucket::default()
            })?;
            cleanup.bucket_created = true;
            println!(
                "created bucket {} in {} (on the emulator)",
                place.bucket, place.region
            );
        } else {
            place.client.head_bucket(&HeadBucket {
                bucket: place.bucket.clone(),
                region: place.region.clone(),
            })?;
            println!(
                "using bucket {} in {}, under the prefix {} (no bucket is created on COS)",
                place.bucket, place.region, place.prefix
            );
        }
        Ok(())
    })?;

    let hello = place.key("hello.txt");
    cleanup.wrote = true;
    step("upload a small object", || {
        let out = place.client.put_object(&PutObject {
            body: Body::Bytes(HELLO.into()),
            content_type: Some("text/plain".into()),
            ..place.put(&hello)
        })?;
        let etag = out.etag.unwrap_or_default();
        println!("uploaded {hello} ({} bytes, ETag {etag})", HELLO.len());
        Ok(())
    })?;

    let big = place.key("big.bin");
    let big_path = scratch.0.join("big.bin");
    let big_crc = step("write a 64 MiB file", || write_data(&big_path, BIG_SIZE))?;
    step("upload the 64 MiB file with sliceUploadFile", || {
        let bar = bar(BIG_SIZE, "uploading");
        let on_progress = |p: &Progress| bar.set_position(p.loaded);
        let started = Instant::now();
        let out = place.client.slice_upload_file(SliceUploadFile {
            object: place.put(&big),
            body: UploadBody::path(&big_path),
            chunk_size: Some(PART_SIZE),
            chunk_parallel_limit: Some(4),
            on_progress: Some(&on_progress),
            ..SliceUploadFile::default()
        })?;
        bar.finish_and_clear();
        expect("the object's CRC64", out.crc64, big_crc)?;
        println!(
            "uploaded {big} ({} in {} parts, {}; CRC64 {:#018x} checked against COS)",
            mib(out.size),
            out.parts_uploaded,
            rate(out.size, started.elapsed()),
            out.crc64
        );
        Ok(())
    })?;

    step("list the objects", || {
        let listed = place.client.get_bucket(&GetBucket {
            bucket: place.bucket.clone(),
            region: place.region.clone(),
            prefix: Some(place.prefix.clone()),
            ..GetBucket::default()
        })?;
        let found: Vec<(String, u64)> = listed
            .contents
            .iter()
            .map(|o| (o.key.clone(), o.size))
            .collect();
        let wanted = vec![(big.clone(), BIG_SIZE), (hello.clone(), HELLO.len() as u64)];
        if found != wanted {
            return Err(Failed(format!("expected {wanted:?}, listed {found:?}")));
        }
        let shown: Vec<String> = found
            .iter()
            .map(|(k, s)| format!("{} ({s} bytes)", &k[place.prefix.len()..]))
            .collect();
        println!("listed {}: {}", place.prefix, shown.join(", "));
        Ok(())
    })?;

    step("download the 64 MiB object and compare", || {
        let copy = scratch.0.join("big.downloaded");
        let bar = bar(BIG_SIZE, "downloading");
        let on_progress = |p: &Progress| bar.set_position(p.loaded);
        let started = Instant::now();
        let out = place.client.download_file(DownloadFile {
            object: place.get(&big),
            path: copy.clone(),
            on_progress: Some(&on_progress),
            ..DownloadFile::default()
        })?;
        bar.finish_and_clear();
        let elapsed = started.elapsed();
        expect("the download's CRC64", out.crc64, big_crc)?;
        if !same_contents(&big_path, &copy)? {
            return Err(Failed(
                "the downloaded file differs from the original".into(),
            ));
        }
        println!(
            "downloaded {big} ({} ranged GETs in parallel, {}); identical to the original",
            out.parts_downloaded,
            rate(BIG_SIZE, elapsed)
        );
        Ok(())
    })?;

    step("fetch a pre-signed URL with plain HTTP", || {
        let url = place.client.get_object_url(&GetObjectUrl::new(
            place.bucket.clone(),
            place.region.clone(),
            hello.clone(),
        ))?;
        // A plain HTTP client: nothing of cos-blocking, no credentials.
        let mut response = ureq::get(&url).call()?;
        let body = response.body_mut().read_to_vec()?;
        if body != HELLO {
            return Err(Failed(format!("the URL gave {body:?}")));
        }
        let shown = url.split_once('?').map_or(url.as_str(), |(base, _)| base);
        println!(
            "fetched {shown}?q-sign-algorithm=sha1&… with a plain GET: {} bytes, identical",
            body.len()
        );
        Ok(())
    })?;

    let copy = place.key("big-copy.bin");
    step("copy on the server", || {
        // Parts of 16 MiB, to show a parallel multipart copy (by default objects up to
        // 5 GiB are copied with one request).
        let out = place.client.slice_copy_file(SliceCopyFile {
            object: PutObjectCopy {
                bucket: place.bucket.clone(),
                region: place.region.clone(),
                key: copy.clone(),
                copy_source: format!("{}.cos.{}.myqcloud.com/{big}", place.bucket, place.region),
                ..PutObjectCopy::default()
            },
            slice_size: Some(COPY_PART_SIZE),
            chunk_size: Some(COPY_PART_SIZE),
            ..SliceCopyFile::default()
        })?;
        let head = place.client.head_object(&HeadObject {
            bucket: place.bucket.clone(),
            region: place.region.clone(),
            key: copy.clone(),
            ..HeadObject::default()
        })?;
        expect(
            "the copy's size",
            head.object.content_length,
            Some(BIG_SIZE),
        )?;
        expect("the copy's CRC64", head.object.crc64, Some(big_crc))?;
        println!(
            "copied {big} to {copy} on the server ({} parts by UploadPartCopy; same size and CRC64)",
            out.size.div_ceil(COPY_PART_SIZE)
        );
        Ok(())
    })?;

    step("delete", || {
        let deleted = cleanup.delete_objects()?;
        if deleted != 3 {
            return Err(Failed(format!("deleted {deleted} objects, expected 3")));
        }
        if cleanup.bucket_created {
            cleanup.delete_bucket()?;
            println!("deleted the 3 objects and the bucket {}", place.bucket);
        } else {
            println!("deleted the 3 objects under {}", place.prefix);
        }
        Ok(())
    })?;
    Ok(())
}

impl Place {
    /// The emulator when no credential variable is set, else the bucket the variables name.
    fn from_env() -> Step<Place> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let (id, key) = (var("COS_SECRET_ID"), var("COS_SECRET_KEY"));
        if id.is_none() && key.is_none() {
            return Place::emulator();
        }
        let need = |name: &str| {
            var(name).ok_or_else(|| {
                Failed(format!(
                    "{name} is not set: with credentials in the environment the quickstart \
                     needs COS_SECRET_ID, COS_SECRET_KEY, COS_BUCKET and COS_REGION \
                     (unset COS_SECRET_ID and COS_SECRET_KEY to use the embedded emulator)"
                ))
            })
        };
        let (id, key) = (need("COS_SECRET_ID")?, need("COS_SECRET_KEY")?);
        let (bucket, region) = (need("COS_BUCKET")?, need("COS_REGION")?);
        let mut config = quick_config().region(region.clone());
        if let Some(endpoint) = var("COS_ENDPOINT") {
            let (scheme, address) = split_endpoint(&endpoint)?;
            config = config.protocol(scheme).connect_address(address);
        }
        let mut builder = Client::builder().secret(id, key);
        if let Some(token) = var("COS_SECURITY_TOKEN") {
            builder = builder.security_token(token);
        }
        let stamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        Ok(Place {
            client: builder.config(config).build()?,
            bucket,
            region,
            prefix: format!("cos-rs-quickstart-{stamp}-{}/", std::process::id()),
            emulator: None,
        })
    }

    fn emulator() -> Step<Place> {
        let emulator = step("start the embedded emulator", || {
            Ok(Emulator::builder()
                .credential(EMU_SECRET_ID, EMU_SECRET_KEY)
                .start()?)
        })?;
        println!(
            "no COS credentials in the environment (COS_SECRET_ID, COS_SECRET_KEY): \
             using the embedded emulator at {}",
            emulator.url()
        );
        let config = quick_config()
            .region(EMU_REGION)
            .protocol(Scheme::Http)
            .connect_address(emulator.address());
        Ok(Place {
            client: Client::builder()
                .secret(EMU_SECRET_ID, EMU_SECRET_KEY)
                .config(config)
                .build()?,
            bucket: EMU_BUCKET.into(),
            region: EMU_REGION.into(),
            prefix: "quickstart/".into(),
            emulator: Some(emulator),
        })
    }

    fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn put(&self, key: &str) -> PutObject {
        PutObject {
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            key: key.to_owned(),
            ..PutObject::default()
        }
    }

    fn get(&self, key: &str) -> GetObject {
        GetObject {
            bucket: self.bucket.clone(),
            region: self.region.clone(),
            key: key.to_owned(),
            ..GetObject::default()
        }
    }
}

/// Options for the quickstart: progress ten times a second.
fn quick_config() -> Config {
    Config::default().progress_interval(Duration::from_millis(100))
}

/// `http[s]://host:port` as the protocol and the address to connect to.
fn split_endpoint(endpoint: &str) -> Step<(Scheme, String)> {
    let bad = || {
        Failed(format!(
            "COS_ENDPOINT must be http://host:port or https://host:port, not {endpoint:?}"
        ))
    };
    let (scheme, rest) = endpoint.split_once("://").ok_or_else(bad)?;
    let scheme = Scheme::parse(scheme).map_err(|_| bad())?;
    let address = rest.trim_end_matches('/');
    if address.is_empty() || address.contains('/') {
        return Err(bad());
    }
    Ok((scheme, address.to_owned()))
}

/// Deletes what the quickstart made: as its last step, or after a step failed.
struct Cleanup<'a> {
    place: &'a Place,
    bucket_created: bool,
    /// Whether anything was written under the prefix yet.
    wrote: bool,
}

impl Cleanup<'_> {
    /// Aborts unfinished uploads and deletes every object under the prefix; returns how
    /// many objects were deleted.
    fn delete_objects(&self) -> Step<usize> {
        let Place {
            client,
            bucket,
            region,
            prefix,
            ..
        } = self.place;
        let uploads = client.multipart_list(&MultipartList {
            bucket: bucket.clone(),
            region: region.clone(),
            prefix: Some(prefix.clone()),
            ..MultipartList::default()
        })?;
        for upload in uploads.upload {
            client.multipart_abort(&MultipartAbort {
                bucket: bucket.clone(),
                region: region.clone(),
                key: upload.key,
                upload_id: upload.upload_id,
            })?;
        }
        let listed = client.get_bucket(&GetBucket {
            bucket: bucket.clone(),
            region: region.clone(),
            prefix: Some(prefix.clone()),
            ..GetBucket::default()
        })?;
        if listed.contents.is_empty() {
            return Ok(0);
        }
        let objects = listed
            .contents
            .into_iter()
            .map(|o| ObjectToDelete {
                key: o.key,
                ..ObjectToDelete::default()
            })
            .collect();
        let result = client.delete_multiple_object(&DeleteMultipleObject {
            bucket: bucket.clone(),
            region: region.clone(),
            objects,
            ..DeleteMultipleObject::default()
        })?;
        if let Some(e) = result.error.first() {
            return Err(Failed(format!("{}: {} {}", e.key, e.code, e.message)));
        }
        Ok(result.deleted.len())
    }

    fn delete_bucket(&mut self) -> Step {
        self.place.client.delete_bucket(&DeleteBucket {
            bucket: self.place.bucket.clone(),
            region: self.place.region.clone(),
        })?;
        self.bucket_created = false;
        Ok(())
    }
}

impl Cleanup<'_> {
    /// On COS, deletes the objects and uploads left under the prefix (on the emulator
    /// everything goes away with the process).
    fn after_failure(&self) {
        if self.place.emulator.is_some() || !self.wrote {
            return;
        }
        match self.delete_objects() {
            Ok(n) => eprintln!("cleanup: deleted {n} objects under {}", self.place.prefix),
            Err(Failed(why)) => eprintln!(
                "cleanup failed, objects may be left under {}: {why}",
                self.place.prefix
            ),
        }
    }
}

/// A temporary directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Step<Scratch> {
        let dir = std::env::temp_dir().join(format!("cos-rs-quickstart-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Failed(format!("{}: {e}", dir.display())))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `size` pseudo-random bytes to `path`; returns their CRC64.
fn write_data(path: &Path, size: u64) -> Step<u64> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut digest = crc64fast::Digest::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut block = vec![0u8; 1 << 20];
    for _ in 0..size / block.len() as u64 {
        for word in block.chunks_exact_mut(8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            word.copy_from_slice(&x.to_le_bytes());
        }
        digest.write(&block);
        out.write_all(&block)?;
    }
    out.flush()?;
    Ok(digest.sum64())
}

/// Whether two files hold the same bytes.
fn same_contents(a: &Path, b: &Path) -> Step<bool> {
    let (mut a, mut b) = (
        BufReader::new(File::open(a)?),
        BufReader::new(File::open(b)?),
    );
    let (mut x, mut y) = (vec![0u8; 1 << 16], vec![0u8; 1 << 16]);
    loop {
        let n = a.read(&mut x)?;
        if n == 0 {
            return Ok(b.read(&mut y)? == 0);
        }
        b.read_exact(&mut y[..n])
            .map_err(|_| Failed("the copy is shorter".into()))?;
        if x[..n] != y[..n] {
            return Ok(false);
        }
    }
}

fn expect<T: PartialEq + std::fmt::Debug>(what: &str, actual: T, wanted: T) -> Step {
    if actual == wanted {
        Ok(())
    } else {
        Err(Failed(format!("{what} is {actual:?}, expected {wanted:?}")))
    }
}

/// A progress bar on stderr (drawn only when stderr is a terminal).
fn bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total).with_message(what.to_owned());
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:>11} [{bar:40}] {bytes}/{total_bytes} {bytes_per_sec} {eta}",
    ) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}

fn rate(bytes: u64, elapsed: Duration) -> String {
    let secs = elapsed.as_secs_f64().max(1e-3);
    format!(
        "{:.1} s, {:.0} MiB/s",
        secs,
        bytes as f64 / secs / f64::from(1 << 20)
    )
}
