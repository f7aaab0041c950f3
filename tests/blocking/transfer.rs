//! The upload tasks over real HTTP: sliceUploadFile (one put, one part, many parts, from a
//! file or a stream), uploadFiles, pause / restart / cancel by task id, retries of failed
//! parts, and resume — in the same process, after a killed process, and never from a file
//! changed in place.

mod common;

use std::io::Cursor;
use std::os::unix::fs::FileExt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use common::{Scratch, Target, data, static_key};
use cos_blocking::proto::ops::multipart::{MultipartList, MultipartListPart};
use cos_blocking::proto::ops::object::PutObject;
use cos_blocking::{
    Client, ErrorKind, Progress, Resume, SliceUploadFile, SliceUploadFileOutput, TaskId, TaskState,
    UploadBody, UploadFiles, crc64,
};
use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};
use md5::{Digest, Md5};

const MIB: usize = 1 << 20;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The ETag COS gives a multipart object of `parts` (MD5 of the part MD5s, `-{count}`).
fn multipart_etag(bytes: &[u8], part_size: usize) -> String {
    let parts: Vec<&[u8]> = bytes.chunks(part_size).collect();
    let joined: Vec<u8> = parts
        .iter()
        .flat_map(|p| <[u8; 16]>::from(Md5::digest(p)))
        .collect();
    format!("\"{}-{}\"", hex(&Md5::digest(&joined)), parts.len())
}

/// A test on an embedded emulator whose UploadPart requests each wait `delay` (so a task
/// can be caught mid-way), with journals in `scratch`.
fn slow_target(name: &str, delay_ms: u64, scratch: &Scratch) -> Target {
    let dir = scratch.0.join("journals");
    let emu = Emulator::builder().fault(FaultRule::new(
        "UploadPart",
        Trigger::Always,
        FaultAction::Delay(Duration::from_millis(delay_ms)),
    ));
    Target::embedded(name, emu, static_key, |c| {
        c.resume_dir(dir).chunk_parallel_limit(2)
    })
}

fn params<'a>(t: &Target, name: &str, body: UploadBody) -> SliceUploadFile<'a> {
    SliceUploadFile {
        object: PutObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key(name),
            ..PutObject::default()
        },
        body,
        ..SliceUploadFile::default()
    }
}

fn write_file(scratch: &Scratch, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = scratch.0.join(name);
    std::fs::write(&path, bytes).expect("write");
    path
}

fn stored(t: &Target, name: &str) -> Vec<u8> {
    t.client.get_object(&t.get_op(name)).expect("get").body
}

/// The multipart uploads in progress for `name`.
fn uploads(t: &Target, name: &str) -> Vec<String> {
    let list = t
        .client
        .multipart_list(&MultipartList {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            prefix: Some(t.key(name)),
            ..MultipartList::default()
        })
        .expect("list uploads");
    list.upload.into_iter().map(|u| u.upload_id).collect()
}

/// The part numbers the server holds for upload `id` of `name`.
fn parts(t: &Target, name: &str, id: &str) -> Vec<u32> {
    let list = t
        .client
        .multipart_list_part(&MultipartListPart {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key(name),
            upload_id: id.to_owned(),
            ..MultipartListPart::default()
        })
        .expect("list parts");
    list.part.into_iter().map(|p| p.part_number).collect()
}

/// How many parts the server holds for the (first) upload in progress of `name`.
fn stored_parts(t: &Target, name: &str) -> usize {
    uploads(t, name)
        .first()
        .map_or(0, |id| parts(t, name, id).len())
}

/// Records every progress call and checks it never runs backwards or past the total.
#[derive(Default)]
struct ProgressLog(Mutex<Vec<(u64, u64)>>);

impl ProgressLog {
    fn record(&self, p: &Progress) {
        self.0.lock().expect("log").push((p.loaded, p.total));
    }

    fn check(&self, total: u64) -> Vec<u64> {
        let log = self.0.lock().expect("log");
        let loaded: Vec<u64> = log.iter().map(|(l, _)| *l).collect();
        assert!(log.iter().all(|(_, t)| *t == total), "{log:?}");
        assert!(loaded.windows(2).all(|w| w[0] <= w[1]), "{loaded:?}");
        assert!(loaded.iter().all(|l| *l <= total), "{loaded:?}");
        loaded
    }
}

/// Waits until `cond` holds (at most 20 s).
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

fn check_output(out: &SliceUploadFileOutput, t: &Target, name: &str, bytes: &[u8]) {
    assert_eq!(out.bucket, t.bucket);
    assert_eq!(out.key, t.key(name));
    assert_eq!(out.size, bytes.len() as u64);
    assert_eq!(out.crc64, crc64(bytes));
    assert_eq!(stored(t, name), bytes);
}

#[test]
fn a_file_up_to_the_slice_size_is_one_put() {
    let scratch = Scratch::new("small");
    let t = Target::embedded("small", Emulator::builder(), static_key, |c| c);
    let bytes = data(300_000);
    let path = write_file(&scratch, "small.bin", &bytes);
    let log = ProgressLog::default();
    let record = |p: &Progress| log.record(p);
    let mut p = params(&t, "small.bin", UploadBody::path(&path));
    p.on_progress = Some(&record);
    let out = t.client.slice_upload_file(p).expect("upload");
    check_output(&out, &t, "small.bin", &bytes);
    assert_eq!(out.upload_id, None);
    assert_eq!(out.etag, format!("\"{}\"", hex(&Md5::digest(&bytes))));
    assert_eq!(
        out.location,
        format!(
            "{}.cos.{}.myqcloud.com/{}",
            t.bucket,
            t.region,
            t.key("small.bin")
        )
    );
    assert_eq!(t.emu().count("PutObject"), 1);
    assert_eq!(t.emu().count("InitiateMultipartUpload"), 0);
    assert_eq!(log.check(300_000).last(), Some(&300_000));
}

#[test]
fn an_empty_file_and_an_empty_stream_are_empty_objects() {
    let scratch = Scratch::new("empty");
    let t = Target::embedded("empty", Emulator::builder(), static_key, |c| c);
    let path = write_file(&scratch, "empty.bin", b"");
    let out = t
        .client
        .slice_upload_file(params(&t, "empty.bin", UploadBody::path(&path)))
        .expect("upload");
    check_output(&out, &t, "empty.bin", b"");
    let out = t
        .client
        .slice_upload_file(params(
            &t,
            "empty2",
            UploadBody::reader(Cursor::new(vec![])),
        ))
        .expect("upload");
    check_output(&out, &t, "empty2", b"");
    assert_eq!(t.emu().count("PutObject"), 2);
    assert_eq!(t.emu().count("UploadPart"), 0);
}

#[test]
fn exactly_one_part() {
    let scratch = Scratch::new("one-part");
    let t = Target::embedded("one-part", Emulator::builder(), static_key, |c| {
        c.resume_dir(scratch.0.join("j"))
    });
    let bytes = data(MIB + MIB / 2);
    let path = write_file(&scratch, "one.bin", &bytes);
    let mut p = params(&t, "one.bin", UploadBody::path(&path));
    p.chunk_size = Some(2 * MIB as u64);
    let out = t.client.slice_upload_file(p).expect("upload");
    check_output(&out, &t, "one.bin", &bytes);
    assert_eq!(out.etag, multipart_etag(&bytes, 2 * MIB));
    assert_eq!((out.parts_uploaded, out.parts_reused), (1, 0));
    assert_eq!(t.emu().count("UploadPart"), 1);
    assert_eq!(t.emu().count("CompleteMultipartUpload"), 1);
}

#[test]
fn many_parts_in_parallel_from_a_file_and_from_a_stream() {
    let scratch = Scratch::new("many");
    let t = Target::embedded("many", Emulator::builder(), static_key, |c| {
        c.resume_dir(scratch.0.join("j")).chunk_parallel_limit(3)
    });
    let bytes = data(5 * MIB + 12_345);
    let path = write_file(&scratch, "many.bin", &bytes);
    let log = ProgressLog::default();
    let record = |p: &Progress| log.record(p);
    let ids = Mutex::new(Vec::new());
    let ready = |id: TaskId| ids.lock().expect("ids").push(id);
    let mut p = params(&t, "many.bin", UploadBody::path(&path));
    p.on_progress = Some(&record);
    p.on_task_ready = Some(&ready);
    p.object.content_type = Some("application/x-test".into());
    p.object.metadata = vec![("origin".into(), "transfer-test".into())];
    let out = t.client.slice_upload_file(p).expect("upload");
    check_output(&out, &t, "many.bin", &bytes);
    assert_eq!(out.etag, multipart_etag(&bytes, MIB));
    assert_eq!((out.parts_uploaded, out.parts_reused), (6, 0));
    assert_eq!(t.emu().count("UploadPart"), 6);
    let id = ids.lock().expect("ids")[0];
    assert_eq!(out.task_id, Some(id));
    assert_eq!(
        t.client.task_state(id),
        None,
        "an ended task leaves the list"
    );
    assert!(t.client.task_list().is_empty());
    assert_eq!(
        log.check(bytes.len() as u64).last(),
        Some(&(bytes.len() as u64))
    );
    let head = t.client.head_object(&t.head_op("many.bin")).expect("head");
    assert_eq!(
        head.object.content_type.as_deref(),
        Some("application/x-test")
    );
    assert_eq!(
        head.object.metadata.get("origin").map(String::as_str),
        Some("transfer-test")
    );
    // No journal is left once the upload completed.
    assert_eq!(
        std::fs::read_dir(scratch.0.join("j"))
            .map(|d| d.count())
            .unwrap_or(0),
        0
    );

    let mut p = params(
        &t,
        "stream.bin",
        UploadBody::reader(Cursor::new(bytes.clone())),
    );
    p.content_md5 = true;
    let out = t.client.slice_upload_file(p).expect("upload stream");
    check_output(&out, &t, "stream.bin", &bytes);
    assert_eq!(t.emu().count("UploadPart"), 12);
}

#[test]
fn failed_parts_are_retried_and_a_part_whose_tries_are_spent_fails_resumably() {
    let scratch = Scratch::new("retry");
    let emu = Emulator::builder()
        .fault(FaultRule::new(
            "UploadPart",
            Trigger::Nth(2),
            FaultAction::InternalError,
        ))
        .fault(FaultRule::new(
            "UploadPart",
            Trigger::Nth(4),
            FaultAction::ResetMidBody,
        ));
    let t = Target::embedded("retry", emu, static_key, |c| {
        c.resume_dir(scratch.0.join("j"))
    });
    let bytes = data(4 * MIB);
    let path = write_file(&scratch, "r.bin", &bytes);
    let out = t
        .client
        .slice_upload_file(params(&t, "r.bin", UploadBody::path(&path)))
        .expect("upload despite two failures");
    check_output(&out, &t, "r.bin", &bytes);
    assert_eq!(t.emu().count("UploadPart"), 6, "4 parts + 2 retried");

    // Every UploadPart after the first fails: the task fails, the upload stays.
    t.emu().reset_counts();
    t.emu().clear_faults();
    t.emu().add_fault(FaultRule::new(
        "UploadPart",
        Trigger::Always,
        FaultAction::SlowDown,
    ));
    let mut p = params(&t, "f.bin", UploadBody::path(&path));
    p.part_attempts = Some(2);
    p.chunk_parallel_limit = Some(1);
    let err = t.client.slice_upload_file(p).expect_err("fails");
    assert!(
        matches!(err.kind(), ErrorKind::Service(s) if s.code == "SlowDown"),
        "{err}"
    );
    assert!(
        err.to_string()
            .starts_with("SliceUploadFile failed at part 1: UploadPart failed: HTTP 503 SlowDown"),
        "{err}"
    );
    let ids = uploads(&t, "f.bin");
    assert_eq!(ids.len(), 1, "the upload is kept for a resume");
    // Then the server recovers. The failed upload holds no part, so the next call starts
    // a new one and aborts the old (its journal named it): nothing is left behind.
    t.emu().clear_faults();
    let out = t
        .client
        .slice_upload_file(params(&t, "f.bin", UploadBody::path(&path)))
        .expect("uploaded");
    assert_ne!(out.upload_id.as_deref(), Some(ids[0].as_str()));
    assert_eq!(out.parts_reused, 0);
    check_output(&out, &t, "f.bin", &bytes);
    assert!(
        uploads(&t, "f.bin").is_empty(),
        "the old upload was aborted"
    );
}

#[test]
fn pause_stops_within_a_part_and_restart_sends_only_the_rest() {
    let scratch = Scratch::new("pause");
    let t = slow_target("pause", 150, &scratch);
    let bytes = data(8 * MIB);
    let path = write_file(&scratch, "p.bin", &bytes);
    let id = Mutex::new(None);
    let ready = |i: TaskId| *id.lock().expect("id") = Some(i);
    let mut p = params(&t, "p.bin", UploadBody::path(&path));
    p.on_task_ready = Some(&ready);
    let out = std::thread::scope(|s| {
        let running = s.spawn(|| t.client.slice_upload_file(p));
        wait_for("a part", || t.emu().count("UploadPart") >= 1);
        let task = id.lock().expect("id").expect("announced");
        t.client.pause_task(task).expect("pause");
        assert_eq!(t.client.task_state(task), Some(TaskState::Paused));
        // Parts in flight (at most 2) finish, then nothing more is sent.
        std::thread::sleep(Duration::from_millis(600));
        let sent = t.emu().count("UploadPart");
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(t.emu().count("UploadPart"), sent, "paused");
        assert!(sent <= 3, "{sent} parts sent after a pause at the first");
        t.client.restart_task(task).expect("restart");
        running.join().expect("no panic")
    })
    .expect("upload");
    check_output(&out, &t, "p.bin", &bytes);
    assert_eq!(t.emu().count("UploadPart"), 8, "no part sent twice");
}

#[test]
fn cancel_aborts_the_upload_and_cancel_keep_leaves_it_for_a_resume() {
    let scratch = Scratch::new("cancel");
    let t = slow_target("cancel", 100, &scratch);
    let bytes = data(8 * MIB);
    let path = write_file(&scratch, "c.bin", &bytes);
    let run = |keep: bool| {
        let id = Mutex::new(None);
        let ready = |i: TaskId| *id.lock().expect("id") = Some(i);
        let mut p = params(&t, "c.bin", UploadBody::path(&path));
        p.on_task_ready = Some(&ready);
        std::thread::scope(|s| {
            let running = s.spawn(|| t.client.slice_upload_file(p));
            wait_for("two parts", || stored_parts(&t, "c.bin") >= 2);
            let task = id.lock().expect("id").expect("announced");
            if keep {
                t.client.cancel_task_keep(task).expect("cancel");
            } else {
                t.client.cancel_task(task).expect("cancel");
            }
            let err = running.join().expect("no panic").expect_err("canceled");
            assert!(matches!(err.kind(), ErrorKind::Canceled), "{err}");
            assert!(t.client.cancel_task(task).is_err(), "the task has ended");
        });
    };
    run(false);
    assert!(uploads(&t, "c.bin").is_empty(), "no orphaned parts");
    assert!(t.client.head_object(&t.head_op("c.bin")).is_err());
    let journals = scratch.0.join("journals");
    assert_eq!(
        std::fs::read_dir(&journals).map(|d| d.count()).unwrap_or(0),
        0
    );

    t.emu().reset_counts();
    run(true);
    let kept = uploads(&t, "c.bin");
    assert_eq!(kept.len(), 1);
    let held = parts(&t, "c.bin", &kept[0]).len() as u32;
    assert!((2..8).contains(&held), "{held}");
    t.emu().reset_counts();
    let hashed = AtomicU64::new(0);
    let on_hash = |p: &Progress| hashed.store(p.loaded, Ordering::Relaxed);
    let mut p = params(&t, "c.bin", UploadBody::path(&path));
    p.on_hash_progress = Some(&on_hash);
    let out = t.client.slice_upload_file(p).expect("resume");
    check_output(&out, &t, "c.bin", &bytes);
    assert_eq!(out.upload_id.as_deref(), Some(kept[0].as_str()));
    assert_eq!((out.parts_reused, out.parts_uploaded), (held, 8 - held));
    assert_eq!(t.emu().count("UploadPart"), u64::from(8 - held));
    // The unchanged file's journal vouched for every part: nothing was hashed.
    assert_eq!(hashed.load(Ordering::Relaxed), 0);
}

#[test]
fn without_a_journal_parts_are_checked_by_md5() {
    let scratch = Scratch::new("md5");
    let t = slow_target("md5", 50, &scratch);
    let bytes = data(6 * MIB);
    let path = write_file(&scratch, "m.bin", &bytes);
    // A first run without a journal, canceled after three parts, keeping them.
    let mut p = params(&t, "m.bin", UploadBody::path(&path));
    p.resume = Resume::Off;
    p.chunk_parallel_limit = Some(1);
    let id = Mutex::new(None);
    let ready = |i: TaskId| *id.lock().expect("id") = Some(i);
    p.on_task_ready = Some(&ready);
    std::thread::scope(|s| {
        let running = s.spawn(|| t.client.slice_upload_file(p));
        wait_for("three parts", || stored_parts(&t, "m.bin") >= 3);
        let task = id.lock().expect("id").expect("announced");
        t.client.cancel_task_keep(task).expect("cancel");
        running.join().expect("no panic").expect_err("canceled");
    });
    let kept = uploads(&t, "m.bin");
    let held = parts(&t, "m.bin", &kept[0]).len() as u64;
    assert!((3..6).contains(&held), "{held}");
    t.emu().reset_counts();
    let hashed = AtomicU64::new(0);
    let on_hash = |p: &Progress| hashed.store(p.loaded, Ordering::Relaxed);
    let mut p = params(&t, "m.bin", UploadBody::path(&path));
    p.on_hash_progress = Some(&on_hash);
    let out = t.client.slice_upload_file(p).expect("resume");
    check_output(&out, &t, "m.bin", &bytes);
    assert_eq!(u64::from(out.parts_reused), held);
    assert_eq!(hashed.load(Ordering::Relaxed), held * MIB as u64);
    assert_eq!(t.emu().count("UploadPart"), 6 - held);
}

#[test]
fn a_file_changed_in_place_with_the_same_size_and_mtime_is_never_resumed_wrongly() {
    let scratch = Scratch::new("changed");
    let t = slow_target("changed", 100, &scratch);
    let bytes = data(6 * MIB);
    let path = write_file(&scratch, "x.bin", &bytes);
    let id = Mutex::new(None);
    let ready = |i: TaskId| *id.lock().expect("id") = Some(i);
    let mut p = params(&t, "x.bin", UploadBody::path(&path));
    p.on_task_ready = Some(&ready);
    std::thread::scope(|s| {
        let running = s.spawn(|| t.client.slice_upload_file(p));
        wait_for("two parts", || stored_parts(&t, "x.bin") >= 2);
        let task = id.lock().expect("id").expect("announced");
        t.client.cancel_task_keep(task).expect("cancel");
        running.join().expect("no panic").expect_err("canceled");
    });
    let kept = uploads(&t, "x.bin");
    assert!(parts(&t, "x.bin", &kept[0]).contains(&1));

    // Rewrite bytes inside part 1, keeping the size, then set the mtime back.
    let mtime = std::fs::metadata(&path)
        .and_then(|m| m.modified())
        .expect("mtime");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .expect("open");
    file.write_all_at(b"CHANGED IN PLACE", 1000)
        .expect("rewrite");
    file.set_modified(mtime).expect("set mtime back");
    drop(file);
    assert_eq!(
        std::fs::metadata(&path).expect("meta").len(),
        bytes.len() as u64
    );
    let changed = std::fs::read(&path).expect("read");

    t.emu().reset_counts();
    let out = t
        .client
        .slice_upload_file(params(&t, "x.bin", UploadBody::path(&path)))
        .expect("upload");
    check_output(&out, &t, "x.bin", &changed);
    assert_ne!(stored(&t, "x.bin"), bytes);
    // Part 1 was sent again; the parts that still match were kept.
    assert!(out.parts_reused < 6);
    assert_eq!(t.emu().count("UploadPart"), u64::from(out.parts_uploaded));
}

#[test]
fn a_killed_process_is_resumed_and_only_the_missing_parts_are_sent() {
    let scratch = Scratch::new("killed");
    let t = slow_target("killed", 80, &scratch);
    let bytes = data(12 * MIB);
    let path = write_file(&scratch, "k.bin", &bytes);
    let journals = scratch.0.join("journals");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_upload-child"))
        .args([
            t.emu().address(),
            t.bucket.clone(),
            t.region.clone(),
            t.key("k.bin"),
            path.display().to_string(),
            journals.display().to_string(),
            MIB.to_string(),
        ])
        .spawn()
        .expect("child starts");
    wait_for("four parts", || stored_parts(&t, "k.bin") >= 4);
    child.kill().expect("kill");
    child.wait().expect("reaped");
    // Parts whose bodies arrived before the kill are still stored after their delay.
    std::thread::sleep(Duration::from_millis(400));
    let kept = uploads(&t, "k.bin");
    assert_eq!(kept.len(), 1);
    let held = parts(&t, "k.bin", &kept[0]).len() as u32;
    assert!((3..12).contains(&held), "{held}");

    t.emu().reset_counts();
    let client = Client::builder()
        .secret(common::SECRET_ID, common::SECRET_KEY)
        .config(
            common::test_config()
                .connect_address(t.emu().address())
                .resume_dir(&journals),
        )
        .build()
        .expect("client");
    let out = client
        .slice_upload_file(params(&t, "k.bin", UploadBody::path(&path)))
        .expect("resume");
    check_output(&out, &t, "k.bin", &bytes);
    assert_eq!(out.upload_id.as_deref(), Some(kept[0].as_str()));
    assert_eq!(out.parts_reused, held);
    assert_eq!(t.emu().count("UploadPart"), u64::from(12 - held));
}

#[test]
fn pause_on_error_waits_for_a_restart() {
    let scratch = Scratch::new("pause-on-error");
    let t = Target::embedded("pause-on-error", Emulator::builder(), static_key, |c| {
        c.resume_dir(scratch.0.join("j"))
    });
    t.emu().add_fault(FaultRule::new(
        "UploadPart",
        Trigger::Always,
        FaultAction::InternalError,
    ));
    let bytes = data(3 * MIB);
    let path = write_file(&scratch, "e.bin", &bytes);
    let id = Mutex::new(None);
    let ready = |i: TaskId| *id.lock().expect("id") = Some(i);
    let mut p = params(&t, "e.bin", UploadBody::path(&path));
    p.on_task_ready = Some(&ready);
    p.pause_on_error = true;
    p.part_attempts = Some(1);
    let out = std::thread::scope(|s| {
        let running = s.spawn(|| t.client.slice_upload_file(p));
        wait_for("announced", || id.lock().expect("id").is_some());
        let task = id.lock().expect("id").expect("announced");
        wait_for("paused by the failure", || {
            t.client.task_state(task) == Some(TaskState::Paused)
        });
        t.emu().clear_faults();
        t.client.restart_task(task).expect("restart");
        running.join().expect("no panic")
    })
    .expect("upload after the restart");
    check_output(&out, &t, "e.bin", &bytes);
}

#[test]
fn upload_files_runs_each_file_and_reports_one_result_per_file() {
    let scratch = Scratch::new("files");
    let t = Target::embedded("files", Emulator::builder(), static_key, |c| {
        c.resume_dir(scratch.0.join("j"))
    });
    let contents = [data(1000), data(3 * MIB + 7), data(0), data(2 * MIB + 1)];
    let mut files = Vec::new();
    for (i, c) in contents.iter().enumerate() {
        let path = write_file(&scratch, &format!("f{i}"), c);
        files.push(params(&t, &format!("f{i}"), UploadBody::path(path)));
    }
    files.push(params(
        &t,
        "missing",
        UploadBody::path(scratch.0.join("nope")),
    ));
    let log = ProgressLog::default();
    let record = |p: &Progress| log.record(p);
    let finished = Mutex::new(Vec::new());
    let finish = |i: usize, r: &cos_blocking::Result<SliceUploadFileOutput>| {
        finished.lock().expect("f").push((i, r.is_ok()));
    };
    let results = t.client.upload_files(UploadFiles {
        files,
        file_parallel_limit: Some(2),
        on_progress: Some(&record),
        on_file_finish: Some(&finish),
    });
    assert_eq!(results.len(), 5);
    for (i, c) in contents.iter().enumerate() {
        let out = results[i].as_ref().expect("uploaded");
        check_output(out, &t, &format!("f{i}"), c);
    }
    let err = results[4].as_ref().expect_err("missing file");
    assert!(matches!(err.kind(), ErrorKind::Io { .. }), "{err}");
    let mut f = finished.lock().expect("f").clone();
    f.sort();
    assert_eq!(
        f,
        vec![(0, true), (1, true), (2, true), (3, true), (4, false)]
    );
    let total: u64 = contents.iter().map(|c| c.len() as u64).sum();
    assert_eq!(log.check(total).last(), Some(&total));
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let scratch = Scratch::new("bad");
    let t = Target::embedded("bad", Emulator::builder(), static_key, |c| c);
    let path = write_file(&scratch, "b.bin", &data(3 * MIB));
    let field = |p: SliceUploadFile<'_>| match t.client.slice_upload_file(p) {
        Err(e) => match e.kind() {
            ErrorKind::InvalidInput { field, .. } => field.clone(),
            other => panic!("{other:?}"),
        },
        Ok(_) => panic!("accepted"),
    };
    let mut p = params(&t, "b.bin", UploadBody::path(&path));
    p.chunk_size = Some(1000);
    assert_eq!(field(p), "ChunkSize");
    let mut p = params(&t, "b.bin", UploadBody::path(&path));
    p.object.storage_class = Some("COLD_AS_ICE".into());
    assert_eq!(field(p), "StorageClass");
    let p = params(&t, "b.bin", UploadBody::default());
    assert_eq!(field(p), "Body");
    let p = params(&t, "b.bin", UploadBody::path(&scratch.0));
    assert_eq!(field(p), "Body");
    let mut p = params(&t, "", UploadBody::path(&path));
    p.object.key = String::new();
    assert_eq!(field(p), "Key");
    let mut p = params(&t, "b.bin", UploadBody::path(&path));
    p.object.bucket = "no_appid".into();
    assert_eq!(field(p), "Bucket");
    assert_eq!(
        t.emu().counts().values().sum::<u64>(),
        0,
        "nothing was sent"
    );
    let unknown = TaskId::from_u64(999);
    for r in [
        t.client.pause_task(unknown),
        t.client.restart_task(unknown),
        t.client.cancel_task(unknown),
    ] {
        let err = r.expect_err("unknown task");
        assert!(
            matches!(err.kind(), ErrorKind::InvalidInput { field, .. } if field == "taskId"),
            "{err}"
        );
    }
}

#[test]
fn lost_answers_to_initiate_and_complete_are_retried_and_leave_nothing_behind() {
    // Each fault lets COS act, then breaks the answer: the first Initiate creates an upload
    // the client never hears of, the first Complete assembles the object unheard.
    let faults = || {
        Emulator::builder()
            .fault(FaultRule::new(
                "InitiateMultipartUpload",
                Trigger::Nth(1),
                FaultAction::ResetMidBody,
            ))
            .fault(FaultRule::new(
                "CompleteMultipartUpload",
                Trigger::Nth(1),
                FaultAction::ResetMidBody,
            ))
    };
    let scratch = Scratch::new("lost-answers");
    let t = Target::embedded("lost-answers", faults(), static_key, |c| {
        c.resume_dir(scratch.0.join("j"))
    });
    let bytes = data(3 * MIB + 17);
    let path = write_file(&scratch, "l.bin", &bytes);
    let out = t
        .client
        .slice_upload_file(params(&t, "l.bin", UploadBody::path(&path)))
        .expect("upload");
    check_output(&out, &t, "l.bin", &bytes);
    assert_eq!(out.etag, multipart_etag(&bytes, MIB));
    assert_eq!(t.emu().count("InitiateMultipartUpload"), 2);
    assert_eq!(t.emu().count("CompleteMultipartUpload"), 2);
    // The upload the lost answer created (no parts) was aborted.
    assert_eq!(t.emu().count("AbortMultipartUpload"), 1);
    assert!(uploads(&t, "l.bin").is_empty());

    // The same for a copy in parts.
    let t = Target::embedded("lost-answers-copy", faults(), static_key, |c| c);
    t.client
        .put_object(&PutObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("src"),
            body: bytes.clone().into(),
            ..PutObject::default()
        })
        .expect("put");
    let out = t
        .client
        .slice_copy_file(cos_blocking::SliceCopyFile {
            object: cos_blocking::proto::ops::object::PutObjectCopy {
                bucket: t.bucket.clone(),
                region: t.region.clone(),
                key: t.key("copy"),
                copy_source: format!(
                    "{}.cos.{}.myqcloud.com/{}",
                    t.bucket,
                    t.region,
                    t.key("src")
                ),
                ..Default::default()
            },
            chunk_size: Some(MIB as u64),
            slice_size: Some(MIB as u64),
            ..cos_blocking::SliceCopyFile::default()
        })
        .expect("copy");
    assert_eq!(out.crc64, Some(crc64(&bytes)));
    assert_eq!(out.etag, multipart_etag(&bytes, MIB));
    assert_eq!(stored(&t, "copy"), bytes);
    assert_eq!(t.emu().count("InitiateMultipartUpload"), 2);
    assert_eq!(t.emu().count("CompleteMultipartUpload"), 2);
    assert_eq!(t.emu().count("AbortMultipartUpload"), 1);
    assert!(uploads(&t, "copy").is_empty());
}
