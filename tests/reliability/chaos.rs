//! Chaos: every kind of call keeps working while the emulator fails a fifth of all requests
//! (500 InternalError, 503 SlowDown, connections broken mid-body, delays), over 50 seeded
//! rounds, with every byte checked; and once failures outlast the retry budget, each call
//! fails cleanly — a typed error, no partial object, the multipart upload kept for a resume
//! or aborted as the call documents.
//!
//! The faults are drawn from the emulator's seeded generator (`fault_seed`) and the data
//! sizes from a seeded generator here, so a run is repeatable; with parts in flight in
//! parallel, which request draws which fault follows their arrival order.

#[path = "../blocking/common/mod.rs"]
mod common;

use std::io::Write;
use std::time::Duration;

use common::{Rng, Scratch, Target, static_key};
use cos_blocking::proto::ops::bucket::GetBucket;
use cos_blocking::proto::ops::multipart::MultipartList;
use cos_blocking::proto::ops::object::{
    DeleteMultipleObject, ObjectToDelete, PutObject, PutObjectCopy,
};
use cos_blocking::{
    Config, DownloadFile, ErrorKind, RetryPolicy, SliceCopyFile, SliceUploadFile, UploadBody, crc64,
};
use cos_emulator::{Emulator, EmulatorBuilder, FaultAction, FaultRule, Trigger};

const MIB: usize = 1 << 20;
const ROUNDS: u64 = 50;
const SEED: u64 = 0x0C05_C4A5;
/// The retry budget of the chaos client: a call fails only when this many attempts in a row
/// draw a fault (about 0.2^10, one in ten million).
const ATTEMPTS: u32 = 10;

/// An emulator failing about 20% of all requests: each request draws each rule.
fn chaos_emulator(seed: u64) -> EmulatorBuilder {
    let p = |action| FaultRule::new("*", Trigger::Probability(0.072), action);
    Emulator::builder()
        .fault_seed(seed)
        .fault(p(FaultAction::InternalError))
        .fault(p(FaultAction::SlowDown))
        .fault(p(FaultAction::ResetMidBody))
        .fault(FaultRule::new(
            "*",
            Trigger::Probability(0.05),
            FaultAction::Delay(Duration::from_millis(2)),
        ))
}

/// Parallel parts of 1 MiB and short, seeded backoffs.
fn chaos_config(c: Config, attempts: u32) -> Config {
    c.chunk_parallel_limit(2).retry(
        RetryPolicy::default()
            .max_attempts(attempts)
            .initial_backoff(Duration::from_millis(1))
            .max_backoff(Duration::from_millis(8))
            .seed(SEED),
    )
}

/// Writes a figures line to the test's real stderr (libtest captures `eprintln!`).
fn figures(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

fn put_op(t: &Target, name: &str, body: Vec<u8>) -> PutObject {
    PutObject {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key(name),
        body: body.into(),
        ..PutObject::default()
    }
}

fn source_of(t: &Target, name: &str) -> String {
    format!("{}.cos.{}.myqcloud.com/{}", t.bucket, t.region, t.key(name))
}

/// Every key under `prefix`, read a page of `page` keys at a time.
fn list_all(t: &Target, prefix: &str, page: u32) -> Vec<String> {
    let mut keys = Vec::new();
    let mut op = GetBucket {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        prefix: Some(prefix.to_owned()),
        max_keys: Some(page),
        ..GetBucket::default()
    };
    loop {
        let listed = t.client.get_bucket(&op).expect("list");
        keys.extend(listed.contents.iter().map(|o| o.key.clone()));
        if !listed.is_truncated {
            return keys;
        }
        op.marker = listed.next_marker.or_else(|| keys.last().cloned());
    }
}

/// The multipart uploads in progress under `prefix`.
fn uploads_under(t: &Target, prefix: &str) -> Vec<String> {
    t.client
        .multipart_list(&MultipartList {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            prefix: Some(prefix.to_owned()),
            ..MultipartList::default()
        })
        .expect("list uploads")
        .upload
        .into_iter()
        .map(|u| u.upload_id)
        .collect()
}

#[test]
fn fifty_rounds_under_twenty_percent_faults_lose_nothing() {
    let scratch = Scratch::new("chaos");
    let journals = scratch.0.join("journals");
    let t = Target::embedded("chaos", chaos_emulator(SEED), static_key, |c| {
        chaos_config(c, ATTEMPTS).resume_dir(&journals)
    });
    let mut rng = Rng::new(SEED);
    let mut moved = 0u64;
    let mut lost: Vec<String> = Vec::new();
    let mut check = |what: String, expected: &[u8], actual: &[u8]| {
        if expected != actual {
            lost.push(format!(
                "{what}: {} bytes expected, {} read back, different",
                expected.len(),
                actual.len()
            ));
        }
    };
    for round in 0..ROUNDS {
        let dir = format!("r{round}/");
        // A simple object: one PutObject, one GetObject.
        let len = rng.below(200_000) as usize;
        let small = rng.bytes(len);
        let put = t
            .client
            .put_object(&put_op(&t, &format!("{dir}small"), small.clone()))
            .unwrap_or_else(|e| panic!("round {round}: put: {e}"));
        assert_eq!(put.crc64, Some(crc64(&small)), "round {round}");
        let got = t
            .client
            .get_object(&t.get_op(&format!("{dir}small")))
            .unwrap_or_else(|e| panic!("round {round}: get: {e}"));
        assert_eq!(got.output.object.crc64, Some(crc64(&small)));
        check(format!("round {round}: small"), &small, &got.body);
        // ... and once more into a file (one GET, a temporary file renamed when verified).
        let small_out = scratch.0.join(format!("small-{round}"));
        let down = t
            .client
            .download_file(DownloadFile {
                object: t.get_op(&format!("{dir}small")),
                path: small_out.clone(),
                ..DownloadFile::default()
            })
            .unwrap_or_else(|e| panic!("round {round}: small download: {e}"));
        assert_eq!(down.crc64, crc64(&small));
        check(
            format!("round {round}: small download"),
            &small,
            &std::fs::read(&small_out).expect("read"),
        );
        std::fs::remove_file(&small_out).expect("remove");

        // A multipart upload from a file: 2 or 3 parts of 1 MiB.
        let len = MIB + 1 + rng.below(2 * MIB as u64 - 1) as usize;
        let big = rng.bytes(len);
        let path = scratch.0.join(format!("big-{round}"));
        std::fs::write(&path, &big).expect("write");
        let up = t
            .client
            .slice_upload_file(SliceUploadFile {
                object: PutObject {
                    bucket: t.bucket.clone(),
                    region: t.region.clone(),
                    key: t.key(&format!("{dir}big")),
                    ..PutObject::default()
                },
                body: UploadBody::path(&path),
                ..SliceUploadFile::default()
            })
            .unwrap_or_else(|e| panic!("round {round}: slice upload: {e}"));
        assert_eq!((up.size, up.crc64), (big.len() as u64, crc64(&big)));
        assert!(up.upload_id.is_some());

        // A parallel ranged download of it, to a file.
        let out = scratch.0.join(format!("down-{round}"));
        let down = t
            .client
            .download_file(DownloadFile {
                object: t.get_op(&format!("{dir}big")),
                path: out.clone(),
                chunk_size: Some(MIB as u64),
                ..DownloadFile::default()
            })
            .unwrap_or_else(|e| panic!("round {round}: download: {e}"));
        assert_eq!(down.crc64, crc64(&big));
        check(
            format!("round {round}: download"),
            &big,
            &std::fs::read(&out).expect("read"),
        );
        std::fs::remove_file(&out).expect("remove");
        std::fs::remove_file(&path).expect("remove");

        // A server-side copy: in parts on even rounds, one request on odd ones.
        let copy = t
            .client
            .slice_copy_file(SliceCopyFile {
                object: PutObjectCopy {
                    bucket: t.bucket.clone(),
                    region: t.region.clone(),
                    key: t.key(&format!("{dir}copy")),
                    copy_source: source_of(&t, &format!("{dir}big")),
                    ..PutObjectCopy::default()
                },
                chunk_size: Some(MIB as u64),
                slice_size: Some(if round % 2 == 0 { MIB as u64 } else { 1 << 30 }),
                ..SliceCopyFile::default()
            })
            .unwrap_or_else(|e| panic!("round {round}: copy: {e}"));
        assert_eq!(copy.crc64, Some(crc64(&big)));
        assert_eq!(copy.upload_id.is_some(), round % 2 == 0);
        let copied = t
            .client
            .get_object(&t.get_op(&format!("{dir}copy")))
            .unwrap_or_else(|e| panic!("round {round}: get copy: {e}"));
        check(format!("round {round}: copy"), &big, &copied.body);
        moved += 3 * small.len() as u64 + 4 * big.len() as u64;

        // A listing a key at a time, then a batch delete, then nothing is listed.
        let prefix = t.key(&dir);
        let expected: Vec<String> = ["big", "copy", "small"]
            .iter()
            .map(|n| format!("{prefix}{n}"))
            .collect();
        assert_eq!(list_all(&t, &prefix, 1), expected, "round {round}");
        let deleted = t
            .client
            .delete_multiple_object(&DeleteMultipleObject {
                bucket: t.bucket.clone(),
                region: t.region.clone(),
                objects: expected
                    .iter()
                    .map(|k| ObjectToDelete {
                        key: k.clone(),
                        ..ObjectToDelete::default()
                    })
                    .collect(),
                ..DeleteMultipleObject::default()
            })
            .unwrap_or_else(|e| panic!("round {round}: delete: {e}"));
        assert!(deleted.error.is_empty(), "{:?}", deleted.error);
        assert_eq!(list_all(&t, &prefix, 1000), Vec::<String>::new());
    }
    // Nothing leaked: no upload in progress, no journal, no temporary file.
    assert_eq!(uploads_under(&t, &t.prefix), Vec::<String>::new());
    assert_eq!(
        std::fs::read_dir(&journals).map(|d| d.count()).unwrap_or(0),
        0
    );
    assert_eq!(scratch.files(), vec!["journals".to_owned()]);
    let emu = t.emu();
    let requests: u64 = emu.counts().values().sum();
    let faults = emu.faults_fired();
    assert!(faults * 100 >= requests * 15, "{faults} of {requests}");
    figures(&format!(
        "chaos: {ROUNDS} rounds, {requests} requests, {faults} faults injected, {moved} bytes moved, {} lost",
        lost.len()
    ));
    assert_eq!(lost, Vec::<String>::new());
}

#[test]
fn past_the_retry_budget_calls_fail_cleanly() {
    let scratch = Scratch::new("chaos-budget");
    let journals = scratch.0.join("journals");
    let t = Target::embedded("chaos-budget", Emulator::builder(), static_key, |c| {
        chaos_config(c, 3).resume_dir(&journals)
    });
    let emu = t.emu();
    let always = |kind: &str, action| FaultRule::new(kind, Trigger::Always, action);
    let absent = |name: &str| {
        let err = t.client.head_object(&t.head_op(name)).expect_err("absent");
        assert_eq!(err.status(), Some(404), "{err}");
        assert_eq!(list_all(&t, &t.key(name), 1000), Vec::<String>::new());
    };
    let service = |err: &cos_blocking::Error| match err.kind() {
        ErrorKind::Service(s) => (s.status, s.code.clone()),
        other => panic!("not a service error: {other:?}"),
    };

    // A simple upload: the service error of the last of 3 attempts; nothing stored.
    emu.add_fault(always("PutObject", FaultAction::InternalError));
    let err = t
        .client
        .put_object(&put_op(&t, "simple", b"data".to_vec()))
        .expect_err("fails");
    assert_eq!(service(&err), (500, "InternalError".to_owned()), "{err}");
    assert_eq!((err.attempts(), emu.count("PutObject")), (3, 3));
    absent("simple");
    emu.clear_faults();

    // A listing: 503 SlowDown after 3 attempts.
    emu.add_fault(always("GetBucket", FaultAction::SlowDown));
    let err = t
        .client
        .get_bucket(&GetBucket {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            ..GetBucket::default()
        })
        .expect_err("fails");
    assert_eq!(service(&err), (503, "SlowDown".to_owned()), "{err}");
    assert_eq!(err.attempts(), 3);
    emu.clear_faults();

    let bytes = common::data(3 * MIB + 5);
    let path = scratch.0.join("multi");
    std::fs::write(&path, &bytes).expect("write");
    let params = || SliceUploadFile {
        object: PutObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("multi"),
            ..PutObject::default()
        },
        body: UploadBody::path(&path),
        part_attempts: Some(1),
        chunk_parallel_limit: Some(1),
        ..SliceUploadFile::default()
    };
    let multi_uploads = || uploads_under(&t, &t.key("multi"));
    let journal_count = || std::fs::read_dir(&journals).map(|d| d.count()).unwrap_or(0);

    // A multipart upload that cannot start: nothing exists afterwards.
    emu.add_fault(always(
        "InitiateMultipartUpload",
        FaultAction::InternalError,
    ));
    let err = t.client.slice_upload_file(params()).expect_err("fails");
    assert_eq!(service(&err), (500, "InternalError".to_owned()), "{err}");
    assert_eq!(emu.count("InitiateMultipartUpload"), 3);
    assert_eq!(multi_uploads(), Vec::<String>::new());
    absent("multi");
    emu.clear_faults();

    // The third part breaks mid-body on each of its 3 attempts: a typed error naming the
    // part; no object; the upload (parts 1 and 2) and its journal are kept, and the next
    // call continues it.
    emu.reset_counts();
    for n in 3..=5 {
        emu.add_fault(FaultRule::new(
            "UploadPart",
            Trigger::Nth(n),
            FaultAction::ResetMidBody,
        ));
    }
    let err = t.client.slice_upload_file(params()).expect_err("fails");
    assert_eq!(service(&err).0, 500, "{err}");
    assert_eq!((err.context().part, err.attempts()), (Some(3), 3), "{err}");
    absent("multi");
    let kept = multi_uploads();
    assert_eq!(kept.len(), 1);
    assert_eq!(journal_count(), 1);
    emu.clear_faults();
    emu.reset_counts();
    let out = t.client.slice_upload_file(params()).expect("resumed");
    assert_eq!(out.upload_id.as_ref(), kept.first());
    assert_eq!((out.parts_reused, out.parts_uploaded), (2, 2));
    assert_eq!(emu.count("UploadPart"), 2);
    assert_eq!(
        t.client.get_object(&t.get_op("multi")).expect("get").body,
        bytes
    );
    assert_eq!((multi_uploads().len(), journal_count()), (0, 0));
    t.client
        .delete_object(&cos_blocking::proto::ops::object::DeleteObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("multi"),
            ..Default::default()
        })
        .expect("delete");

    // Every part sent, the completion refused: no object; the upload and journal kept; the
    // next call sends no part again, only the completion.
    emu.add_fault(always(
        "CompleteMultipartUpload",
        FaultAction::InternalError,
    ));
    let err = t.client.slice_upload_file(params()).expect_err("fails");
    assert_eq!(service(&err), (500, "InternalError".to_owned()), "{err}");
    absent("multi");
    assert_eq!((multi_uploads().len(), journal_count()), (1, 1));
    emu.clear_faults();
    emu.reset_counts();
    let out = t.client.slice_upload_file(params()).expect("completed");
    assert_eq!((out.parts_reused, out.parts_uploaded), (4, 0));
    assert_eq!(emu.count("UploadPart"), 0);
    assert_eq!(emu.count("CompleteMultipartUpload"), 1);
    assert_eq!((multi_uploads().len(), journal_count()), (0, 0));

    // A multipart copy whose parts keep failing: aborted, nothing left.
    emu.add_fault(always("UploadPartCopy", FaultAction::SlowDown));
    let err = t
        .client
        .slice_copy_file(SliceCopyFile {
            object: PutObjectCopy {
                bucket: t.bucket.clone(),
                region: t.region.clone(),
                key: t.key("copy"),
                copy_source: source_of(&t, "multi"),
                ..PutObjectCopy::default()
            },
            chunk_size: Some(MIB as u64),
            slice_size: Some(MIB as u64),
            part_attempts: Some(1),
            ..SliceCopyFile::default()
        })
        .expect_err("fails");
    assert_eq!(service(&err), (503, "SlowDown".to_owned()), "{err}");
    absent("copy");
    assert_eq!(uploads_under(&t, &t.key("copy")), Vec::<String>::new());
    emu.clear_faults();

    // A download whose ranges keep breaking: the target keeps its old contents; the
    // temporary file stays for a resume, which then completes it.
    let target = scratch.0.join("target");
    std::fs::write(&target, b"old contents").expect("write");
    let download = || DownloadFile {
        object: t.get_op("multi"),
        path: target.clone(),
        chunk_size: Some(MIB as u64),
        part_attempts: Some(1),
        chunk_parallel_limit: Some(1),
        ..DownloadFile::default()
    };
    for n in 2..=4 {
        emu.add_fault(FaultRule::new(
            "GetObject",
            Trigger::Nth(n),
            FaultAction::ResetMidBody,
        ));
    }
    let err = t.client.download_file(download()).expect_err("fails");
    assert!(matches!(err.kind(), ErrorKind::Transport { .. }), "{err}");
    assert_eq!(err.context().part, Some(2), "{err}");
    assert_eq!(std::fs::read(&target).expect("read"), b"old contents");
    assert_eq!(
        scratch.files(),
        vec![
            ".target.cos-download".to_owned(),
            ".target.cos-download.journal".to_owned(),
            "journals".to_owned(),
            "multi".to_owned(),
            "target".to_owned(),
        ]
    );
    emu.clear_faults();
    let out = t.client.download_file(download()).expect("resumed");
    assert_eq!((out.parts_reused, out.parts_downloaded), (1, 3));
    assert_eq!(std::fs::read(&target).expect("read"), bytes);
    assert_eq!(
        scratch.files(),
        vec![
            "journals".to_owned(),
            "multi".to_owned(),
            "target".to_owned()
        ]
    );
}
