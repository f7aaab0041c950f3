//! cos-blocking object calls over real HTTP: putObject (bytes, file, stream), getObject
//! (Vec, writer, file, range, 304), headObject, deleteObject, putObjectCopy,
//! deleteMultipleObject, getObjectUrl and getAuth.

mod common;

use std::sync::Mutex;
use std::sync::atomic::AtomicBool;

use common::{Scratch, Target, data};
use cos_blocking::proto::ops::object::{
    DeleteMultipleObject, DeleteObject, GetObject, ObjectToDelete, PutObject, PutObjectCopy,
};
use cos_blocking::proto::{Body, GetAuthorization, GetObjectUrl};
use cos_blocking::{Download, ErrorKind, Progress, Upload, crc64};

fn put(t: &Target, key: &str) -> PutObject {
    PutObject {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key(key),
        ..PutObject::default()
    }
}

#[test]
fn put_get_head_delete_bytes() {
    let t = Target::new("obj-bytes");
    let body = data(70_000);
    let out = t
        .client
        .put_object(&PutObject {
            content_type: Some("application/x-test".into()),
            metadata: vec![("author".into(), "cos-rs".into())],
            body: Body::from(body.clone()),
            ..put(&t, "a b+中.bin")
        })
        .expect("put");
    assert_eq!(out.crc64, Some(crc64(&body)));
    assert!(out.etag.is_some());

    let got = t.client.get_object(&t.get_op("a b+中.bin")).expect("get");
    assert_eq!(got.body, body);
    assert_eq!(
        got.output.object.content_type.as_deref(),
        Some("application/x-test")
    );
    assert_eq!(
        got.output.object.metadata.get("author").map(String::as_str),
        Some("cos-rs")
    );

    let h = t
        .client
        .head_object(&t.head_op("a b+中.bin"))
        .expect("head");
    assert_eq!(h.object.content_length, Some(70_000));
    assert_eq!(h.object.crc64, Some(crc64(&body)));

    let d = t
        .client
        .delete_object(&DeleteObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("a b+中.bin"),
            ..DeleteObject::default()
        })
        .expect("delete");
    assert_eq!(d.meta.status, 204);
    let err = t
        .client
        .head_object(&t.head_op("a b+中.bin"))
        .expect_err("gone");
    assert_eq!(err.status(), Some(404));
}

#[test]
fn file_upload_and_file_download_with_progress() {
    let t = Target::new("obj-file");
    let dir = Scratch::new("obj-file");
    let src = dir.0.join("src.bin");
    let body = data(300_000);
    std::fs::write(&src, &body).expect("write src");

    let seen = Mutex::new(Vec::<Progress>::new());
    let record = |p: &Progress| seen.lock().expect("lock").push(*p);
    let upload = Upload::file(&src).expect("stat").on_progress(&record);
    assert_eq!(upload.len(), 300_000);
    let out = t
        .client
        .put_object_from(&put(&t, "file.bin"), upload)
        .expect("put from file");
    assert_eq!(out.crc64, Some(crc64(&body)));
    let last = *seen
        .lock()
        .expect("lock")
        .last()
        .expect("progress reported");
    assert_eq!((last.loaded, last.total), (300_000, 300_000));
    assert!((last.percent - 1.0).abs() < f64::EPSILON);

    seen.lock().expect("lock").clear();
    let dst = dir.0.join("dst.bin");
    let out = t
        .client
        .get_object_into(
            &t.get_op("file.bin"),
            Download::to_file(&dst).on_progress(&record),
        )
        .expect("get to file");
    assert_eq!(out.object.crc64, Some(crc64(&body)));
    assert_eq!(std::fs::read(&dst).expect("read dst"), body);
    assert_eq!(
        dir.files(),
        vec!["dst.bin", "src.bin"],
        "no temporary file left"
    );
    let last = *seen
        .lock()
        .expect("lock")
        .last()
        .expect("progress reported");
    assert_eq!(last.loaded, 300_000);
}

#[test]
fn a_failed_file_download_leaves_the_target_untouched() {
    let t = Target::new("obj-file-missing");
    let dir = Scratch::new("obj-file-missing");
    let dst = dir.0.join("dst.bin");
    std::fs::write(&dst, b"old").expect("write");
    let err = t
        .client
        .get_object_into(&t.get_op("missing"), Download::to_file(&dst))
        .expect_err("no such key");
    assert_eq!(err.code(), Some("NoSuchKey"));
    assert_eq!(std::fs::read(&dst).expect("read"), b"old");
    assert_eq!(dir.files(), vec!["dst.bin"]);
}

#[test]
fn stream_upload_and_writer_download() {
    let t = Target::new("obj-stream");
    let body = data(5000);
    let mut reader = &body[..];
    t.client
        .put_object_from(&put(&t, "s"), Upload::reader(&mut reader, 5000))
        .expect("put from reader");
    let mut out = Vec::new();
    t.client
        .get_object_into(&t.get_op("s"), Download::to_writer(&mut out))
        .expect("get to writer");
    assert_eq!(out, body);
}

#[test]
fn a_short_stream_is_an_io_error_and_is_not_retried() {
    let t = Target::new("obj-short");
    let body = data(100);
    let mut reader = &body[..];
    let err = t
        .client
        .put_object_from(&put(&t, "short"), Upload::reader(&mut reader, 200))
        .expect_err("short");
    assert!(matches!(err.kind(), ErrorKind::Io { .. }), "{err}");
    assert_eq!(err.attempts(), 1);
    assert!(err.to_string().contains("PutObject failed"), "{err}");
}

#[test]
fn cancel_flag_stops_a_transfer() {
    let t = Target::new("obj-cancel");
    let flag = AtomicBool::new(true);
    let body = data(1000);
    let err = t
        .client
        .put_object_from(&put(&t, "c"), Upload::bytes(body).cancel_flag(&flag))
        .expect_err("canceled");
    assert!(matches!(err.kind(), ErrorKind::Canceled), "{err}");
}

#[test]
fn range_and_not_modified() {
    let t = Target::new("obj-range");
    let body = data(1000);
    let out = t
        .client
        .put_object(&PutObject {
            body: Body::from(body.clone()),
            ..put(&t, "r")
        })
        .expect("put");
    let part = t
        .client
        .get_object(&GetObject {
            range: Some("bytes=100-199".into()),
            ..t.get_op("r")
        })
        .expect("range");
    assert_eq!(part.body, &body[100..200]);
    assert_eq!(part.output.meta.status, 206);
    let range = part.output.content_range.expect("content range");
    assert_eq!(
        (range.first, range.last, range.total),
        (100, 199, Some(1000))
    );

    let nm = t
        .client
        .get_object(&GetObject {
            if_none_match: out.etag.clone(),
            ..t.get_op("r")
        })
        .expect("304 is not an error");
    assert!(nm.output.not_modified);
    assert!(nm.body.is_empty());
}

#[test]
fn copy_and_delete_multiple() {
    let t = Target::new("obj-copy");
    let body = data(2048);
    t.client
        .put_object(&PutObject {
            body: Body::from(body.clone()),
            ..put(&t, "src")
        })
        .expect("put");
    let host = format!("{}.cos.{}.myqcloud.com", t.bucket, t.region);
    let copied = t
        .client
        .put_object_copy(&PutObjectCopy {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("dst"),
            copy_source: format!("{host}/{}", t.key("src")),
            ..PutObjectCopy::default()
        })
        .expect("copy");
    assert!(!copied.etag.is_empty());
    assert_eq!(
        t.client.get_object(&t.get_op("dst")).expect("get").body,
        body
    );

    let result = t
        .client
        .delete_multiple_object(&DeleteMultipleObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            objects: ["src", "dst"]
                .iter()
                .map(|k| ObjectToDelete {
                    key: t.key(k),
                    ..ObjectToDelete::default()
                })
                .collect(),
            ..DeleteMultipleObject::default()
        })
        .expect("delete multiple");
    let mut deleted: Vec<_> = result.deleted.iter().map(|d| d.key.clone()).collect();
    deleted.sort();
    assert_eq!(deleted, vec![t.key("dst"), t.key("src")]);
    assert!(result.error.is_empty());
}

#[test]
fn errors_name_the_call() {
    let t = Target::new("obj-errors");
    let err = t
        .client
        .get_object(&t.get_op("nothing"))
        .expect_err("missing");
    let text = err.to_string();
    assert_eq!(err.code(), Some("NoSuchKey"));
    assert_eq!(err.context().operation, "GetObject");
    assert!(err.request_id().is_some(), "{text}");
    for part in [
        "GetObject failed: HTTP 404 NoSuchKey",
        &format!("bucket {}", t.bucket),
        &format!("key {}", t.key("nothing")),
        "request id ",
        "1 attempt in",
    ] {
        assert!(text.contains(part), "{text:?} lacks {part:?}");
    }
    let err = t
        .client
        .put_object(&PutObject {
            key: String::new(),
            ..put(&t, "")
        })
        .expect_err("no key");
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { field, .. } if field == "Key"),
        "{err}"
    );
    // Refused before sending: no attempt was made.
    assert_eq!(err.attempts(), 0);
    assert_eq!(err.context().operation, "PutObject");
}

#[test]
fn signed_url_and_get_auth_work_with_any_http_client() {
    let t = Target::new("obj-url");
    let body = data(321);
    t.client
        .put_object(&PutObject {
            body: Body::from(body.clone()),
            ..put(&t, "u.bin")
        })
        .expect("put");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();

    let url = t
        .client
        .get_object_url(&GetObjectUrl::new(&t.bucket, &t.region, t.key("u.bin")))
        .expect("url");
    let mut resp = agent.get(&url).call().expect("GET url");
    assert_eq!(resp.status(), 200, "{url}");
    assert_eq!(resp.body_mut().read_to_vec().expect("body"), body);

    if t.emu.is_some() {
        // getAuth: sign a HEAD of the path-style pathname the emulator's URL takes.
        let key = format!("{}/{}", t.bucket, t.key("u.bin"));
        let host = t.url.trim_start_matches("http://").to_owned();
        let auth = t
            .client
            .get_auth(&GetAuthorization {
                method: "head".into(),
                key: key.clone(),
                headers: vec![("Host".into(), host)],
                ..GetAuthorization::default()
            })
            .expect("auth");
        let resp = agent
            .head(format!("{}/{key}", t.url))
            .header("Authorization", &auth)
            .call()
            .expect("HEAD");
        assert_eq!(resp.status(), 200);
        let resp = agent.head(format!("{}/{key}", t.url)).call().expect("HEAD");
        assert_eq!(resp.status(), 403, "anonymous is refused");
    }
}
