//! downloadFile and sliceCopyFile over real HTTP: parallel ranged downloads written in
//! place and renamed only when verified, resumed after an interruption; server-side copies
//! in one request or in parallel parts, across buckets.

mod common;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{Scratch, Target, data, static_key};
use cos_blocking::proto::ops::object::{GetObject, PutObject, PutObjectCopy};
use cos_blocking::{DownloadFile, ErrorKind, Progress, SliceCopyFile, TaskId, crc64};
use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};

const MIB: usize = 1 << 20;

fn put(t: &Target, name: &str, bytes: &[u8]) {
    t.client
        .put_object(&PutObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key(name),
            body: bytes.to_vec().into(),
            content_type: Some("application/x-copied".into()),
            metadata: vec![("origin".into(), "source".into())],
            ..PutObject::default()
        })
        .expect("put");
}

fn download<'a>(t: &Target, name: &str, path: &std::path::Path) -> DownloadFile<'a> {
    DownloadFile {
        object: GetObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key(name),
            ..GetObject::default()
        },
        path: path.to_path_buf(),
        chunk_size: Some(MIB as u64),
        ..DownloadFile::default()
    }
}

fn wait_for(what: &str, cond: impl Fn() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn download_file_fetches_ranges_in_parallel_and_verifies_before_the_rename() {
    let scratch = Scratch::new("download");
    let t = Target::embedded("download", Emulator::builder(), static_key, |c| c);
    let bytes = data(5 * MIB + 333);
    put(&t, "big", &bytes);
    let path = scratch.0.join("big.out");
    let loaded = Mutex::new(Vec::new());
    let record = |p: &Progress| loaded.lock().expect("log").push(p.loaded);
    let mut p = download(&t, "big", &path);
    p.on_progress = Some(&record);
    let out = t.client.download_file(p).expect("download");
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
    assert_eq!(out.size, bytes.len() as u64);
    assert_eq!(out.crc64, crc64(&bytes));
    assert_eq!((out.parts_downloaded, out.parts_reused), (6, 0));
    assert_eq!(t.emu().count("GetObject"), 6);
    assert_eq!(
        scratch.files(),
        vec!["big.out".to_owned()],
        "no temp file left"
    );
    let loaded = loaded.lock().expect("log").clone();
    assert!(loaded.windows(2).all(|w| w[0] <= w[1]), "{loaded:?}");
    assert_eq!(loaded.last(), Some(&(bytes.len() as u64)));

    // A small object is one GET.
    put(&t, "small", b"tiny");
    let small = scratch.0.join("small.out");
    let out = t
        .client
        .download_file(download(&t, "small", &small))
        .expect("small");
    assert_eq!(std::fs::read(&small).expect("read"), b"tiny");
    assert_eq!(out.crc64, crc64(b"tiny"));
    assert_eq!(t.emu().count("GetObject"), 7);
}

#[test]
fn a_failed_download_leaves_the_target_alone_and_resumes_from_its_temp_file() {
    let scratch = Scratch::new("download-resume");
    let t = Target::embedded("download-resume", Emulator::builder(), static_key, |c| {
        c.chunk_parallel_limit(1)
    });
    let bytes = data(6 * MIB);
    put(&t, "obj", &bytes);
    let path = scratch.0.join("obj.out");
    std::fs::write(&path, b"the old contents").expect("old file");
    // The fourth range fails for good.
    t.emu().add_fault(FaultRule::new(
        "GetObject",
        Trigger::Nth(4),
        FaultAction::InternalError,
    ));
    let mut once = download(&t, "obj", &path);
    once.part_attempts = Some(1);
    let client = cos_blocking::Client::builder()
        .secret(common::SECRET_ID, common::SECRET_KEY)
        .config(
            common::test_config()
                .connect_address(t.emu().address())
                .chunk_parallel_limit(1)
                .retry(cos_blocking::RetryPolicy::none()),
        )
        .build()
        .expect("client");
    let err = client.download_file(once).expect_err("fails");
    assert!(
        err.to_string()
            .starts_with("DownloadFile failed at part 4: "),
        "{err}"
    );
    assert_eq!(std::fs::read(&path).expect("read"), b"the old contents");
    t.emu().clear_faults();
    t.emu().reset_counts();
    let out = client
        .download_file(download(&t, "obj", &path))
        .expect("resumed");
    assert_eq!(std::fs::read(&path).expect("read"), bytes);
    assert_eq!((out.parts_reused, out.parts_downloaded), (3, 3));
    assert_eq!(t.emu().count("GetObject"), 3);
    assert_eq!(scratch.files(), vec!["obj.out".to_owned()]);

    // A damaged temp file part is fetched again, never trusted.
    let id = Mutex::new(None);
    let ready = |i: TaskId| *id.lock().expect("id") = Some(i);
    t.emu().add_fault(FaultRule::new(
        "GetObject",
        Trigger::Always,
        FaultAction::Delay(Duration::from_millis(100)),
    ));
    t.emu().reset_counts();
    let path2 = scratch.0.join("again.out");
    let mut p = download(&t, "obj", &path2);
    p.on_task_ready = Some(&ready);
    std::thread::scope(|s| {
        let running = s.spawn(|| client.download_file(p));
        // One range at a time: the third started, so two are done.
        wait_for("two ranges", || t.emu().count("GetObject") >= 3);
        let task = id.lock().expect("id").expect("announced");
        client.cancel_task_keep(task).expect("cancel");
        let err = running.join().expect("no panic").expect_err("canceled");
        assert!(matches!(err.kind(), ErrorKind::Canceled), "{err}");
    });
    assert!(!path2.exists());
    let temp = scratch.0.join(".again.out.cos-download");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&temp)
        .expect("temp kept");
    std::os::unix::fs::FileExt::write_all_at(&file, b"XXXX", 10).expect("damage part 1");
    drop(file);
    t.emu().clear_faults();
    t.emu().reset_counts();
    let out = client
        .download_file(download(&t, "obj", &path2))
        .expect("resumed");
    assert_eq!(std::fs::read(&path2).expect("read"), bytes);
    assert!(
        out.parts_downloaded >= 1 && out.parts_reused >= 1,
        "{out:?}"
    );
    assert_eq!(t.emu().count("GetObject"), u64::from(out.parts_downloaded));
}

#[test]
fn slice_copy_file_copies_across_buckets_in_one_request_or_in_parts() {
    let emu = Emulator::builder().bucket("other-1250000000");
    let t = Target::embedded("copy", emu, static_key, |c| c.chunk_parallel_limit(3));
    let bytes = data(5 * MIB + 1);
    put(&t, "src", &bytes);
    let source = format!(
        "{}.cos.{}.myqcloud.com/{}",
        t.bucket,
        t.region,
        t.key("src")
    );
    let copy = |key: &str| PutObjectCopy {
        bucket: "other-1250000000".into(),
        region: t.region.clone(),
        key: key.into(),
        copy_source: source.clone(),
        ..PutObjectCopy::default()
    };
    let get = |key: &str| {
        t.client
            .get_object(&GetObject {
                bucket: "other-1250000000".into(),
                region: t.region.clone(),
                key: key.into(),
                ..GetObject::default()
            })
            .expect("get")
    };
    let loaded = Mutex::new(Vec::new());
    let record = |p: &Progress| loaded.lock().expect("log").push(p.loaded);
    let out = t
        .client
        .slice_copy_file(SliceCopyFile {
            object: copy("parts"),
            chunk_size: Some(MIB as u64),
            slice_size: Some(MIB as u64),
            on_progress: Some(&record),
            ..SliceCopyFile::default()
        })
        .expect("multipart copy");
    assert_eq!(out.size, bytes.len() as u64);
    assert_eq!(out.crc64, Some(crc64(&bytes)));
    assert!(out.upload_id.is_some());
    assert_eq!(t.emu().count("UploadPartCopy"), 6);
    let copied = get("parts");
    assert_eq!(copied.body, bytes);
    assert_eq!(
        copied.output.object.content_type.as_deref(),
        Some("application/x-copied")
    );
    assert_eq!(
        copied
            .output
            .object
            .metadata
            .get("origin")
            .map(String::as_str),
        Some("source")
    );
    assert_eq!(
        loaded.lock().expect("log").last(),
        Some(&(bytes.len() as u64))
    );

    let out = t
        .client
        .slice_copy_file(SliceCopyFile {
            object: copy("whole"),
            ..SliceCopyFile::default()
        })
        .expect("one copy");
    assert_eq!(out.upload_id, None);
    assert_eq!(t.emu().count("PutObjectCopy"), 1);
    assert_eq!(get("whole").body, bytes);

    // A source that is not there: a typed service error from the HEAD, nothing started.
    let mut missing = copy("none");
    missing.copy_source = format!("{}.cos.{}.myqcloud.com/nope", t.bucket, t.region);
    let err = t
        .client
        .slice_copy_file(SliceCopyFile {
            object: missing,
            ..SliceCopyFile::default()
        })
        .expect_err("missing source");
    assert_eq!(err.service().map(|s| s.status), Some(404), "{err}");
    assert_eq!(t.emu().count("InitiateMultipartUpload"), 1);
    for key in ["parts", "whole"] {
        t.client
            .delete_object(&cos_blocking::proto::ops::object::DeleteObject {
                bucket: "other-1250000000".into(),
                region: t.region.clone(),
                key: key.into(),
                ..Default::default()
            })
            .expect("clean up");
    }
}

#[test]
fn bad_transfer_input_is_refused_before_any_request() {
    let scratch = Scratch::new("bad-dl");
    let t = Target::embedded("bad-dl", Emulator::builder(), static_key, |c| c);
    let mut p = download(&t, "x", &scratch.0.join("x"));
    p.object.range = Some("bytes=0-1".into());
    let field = |e: cos_blocking::Error| match e.kind() {
        ErrorKind::InvalidInput { field, .. } => field.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        field(t.client.download_file(p).expect_err("range")),
        "Range"
    );
    let mut p = download(&t, "x", &scratch.0.join("x"));
    p.chunk_size = Some(1);
    assert_eq!(
        field(t.client.download_file(p).expect_err("chunk")),
        "ChunkSize"
    );
    let p = download(&t, "x", std::path::Path::new("/"));
    assert_eq!(field(t.client.download_file(p).expect_err("path")), "Path");
    let copy = SliceCopyFile {
        object: PutObjectCopy {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: "k".into(),
            copy_source: "not a source".into(),
            ..PutObjectCopy::default()
        },
        ..SliceCopyFile::default()
    };
    assert_eq!(
        field(t.client.slice_copy_file(copy).expect_err("source")),
        "CopySource"
    );
    assert_eq!(
        t.emu().counts().values().sum::<u64>(),
        0,
        "nothing was sent"
    );
}
