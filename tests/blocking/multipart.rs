//! cos-blocking multipart calls over real HTTP: multipartInit, multipartUpload (bytes, file,
//! stream), uploadPartCopy, multipartListPart, multipartList, multipartComplete and
//! multipartAbort — with the ETags and CRC64s checked, COS's refusals typed, and retries
//! only where a call is idempotent.

mod common;

use common::scripted::{Scripted, client_at, http_response};
use common::{Scratch, Target, data, static_key};
use cos_blocking::proto::Body;
use cos_blocking::proto::Operation;
use cos_blocking::proto::ops::multipart::{
    CompletedPart, MultipartAbort, MultipartComplete, MultipartInit, MultipartList,
    MultipartListPart, MultipartUpload, UploadPartCopy,
};
use cos_blocking::proto::ops::object::PutObject;
use cos_blocking::{ErrorKind, Upload, crc64};
use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};
use md5::{Digest, Md5};

const MIB: usize = 1 << 20;

fn md5(bytes: &[u8]) -> [u8; 16] {
    Md5::digest(bytes).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The ETag COS gives a part: its MD5 in quotes.
fn part_etag(part: &[u8]) -> String {
    format!("\"{}\"", hex(&md5(part)))
}

/// The ETag COS gives a multipart object: the MD5 of the parts' binary MD5s, `-{count}`.
fn multipart_etag(parts: &[&[u8]]) -> String {
    let joined: Vec<u8> = parts.iter().flat_map(|p| md5(p)).collect();
    format!("\"{}-{}\"", hex(&md5(&joined)), parts.len())
}

fn init(t: &Target, key: &str) -> String {
    let out = t
        .client
        .multipart_init(&MultipartInit {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key(key),
            ..MultipartInit::default()
        })
        .expect("init");
    assert_eq!(out.bucket, t.bucket);
    assert_eq!(out.key, t.key(key));
    assert!(!out.upload_id.is_empty());
    out.upload_id
}

fn part(t: &Target, key: &str, upload_id: &str, number: u32) -> MultipartUpload {
    MultipartUpload {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key(key),
        upload_id: upload_id.to_owned(),
        part_number: number,
        ..MultipartUpload::default()
    }
}

/// Uploads `bytes` as part `number` and checks its ETag and CRC64.
fn upload_bytes(t: &Target, key: &str, upload_id: &str, number: u32, bytes: &[u8]) -> String {
    let out = t
        .client
        .multipart_upload(&MultipartUpload {
            body: Body::from(bytes.to_vec()),
            ..part(t, key, upload_id, number)
        })
        .expect("upload part");
    assert_eq!(out.etag, part_etag(bytes));
    assert_eq!(out.crc64, Some(crc64(bytes)));
    out.etag
}

fn complete(t: &Target, key: &str, upload_id: &str, parts: &[(u32, &str)]) -> MultipartComplete {
    MultipartComplete {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key(key),
        upload_id: upload_id.to_owned(),
        parts: parts
            .iter()
            .map(|(n, e)| CompletedPart {
                part_number: *n,
                etag: (*e).to_owned(),
            })
            .collect(),
    }
}

fn list_parts(t: &Target, key: &str, upload_id: &str) -> MultipartListPart {
    MultipartListPart {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key(key),
        upload_id: upload_id.to_owned(),
        ..MultipartListPart::default()
    }
}

fn with_fault(name: &str, kind: &str, trigger: Trigger) -> Target {
    let emu = Emulator::builder().fault(FaultRule::new(kind, trigger, FaultAction::SlowDown));
    Target::embedded(name, emu, static_key, |c| c)
}

#[test]
fn upload_list_complete_and_read_back() {
    let t = Target::new("mp-full");
    let key = "big file+1.bin";
    let other = "dir/inner.bin";
    let whole = data(2 * MIB + 1000);
    let (p1, rest) = whole.split_at(MIB);
    let (p2, p3) = rest.split_at(MIB);

    let id = init(&t, key);
    let other_id = init(&t, other);

    // Part 1 from bytes, part 2 from a file, part 3 (short, last) from a stream.
    let e1 = upload_bytes(&t, key, &id, 1, p1);
    let dir = Scratch::new("mp-full");
    let path = dir.0.join("p2.bin");
    std::fs::write(&path, p2).expect("write part file");
    let out2 = t
        .client
        .multipart_upload_from(&part(&t, key, &id, 2), Upload::file(&path).expect("stat"))
        .expect("part from file");
    assert_eq!(out2.etag, part_etag(p2));
    assert_eq!(out2.crc64, Some(crc64(p2)));
    let mut reader = p3;
    let out3 = t
        .client
        .multipart_upload_from(
            &part(&t, key, &id, 3),
            Upload::reader(&mut reader, p3.len() as u64),
        )
        .expect("part from reader");
    assert_eq!(out3.etag, part_etag(p3));
    assert_eq!(out3.crc64, Some(crc64(p3)));

    // List Parts one at a time, following the markers.
    let mut marker = None;
    let mut listed = Vec::new();
    for page in 1..=3u32 {
        let out = t
            .client
            .multipart_list_part(&MultipartListPart {
                max_parts: Some(1),
                part_number_marker: marker,
                ..list_parts(&t, key, &id)
            })
            .expect("list parts");
        assert_eq!(out.bucket, t.bucket);
        assert_eq!(out.key, t.key(key));
        assert_eq!(out.upload_id, id);
        assert_eq!(out.max_parts, Some(1));
        assert_eq!(out.part.len(), 1, "page {page}");
        assert_eq!(out.part[0].part_number, page);
        let last = page == 3;
        assert_eq!(out.is_truncated, Some(!last), "page {page}");
        assert_eq!(
            out.next_part_number_marker,
            (!last).then_some(page),
            "page {page}"
        );
        marker = out.next_part_number_marker;
        listed.push((out.part[0].etag.clone(), out.part[0].size));
    }
    assert_eq!(
        listed,
        vec![
            (e1.clone(), MIB as u64),
            (out2.etag.clone(), MIB as u64),
            (out3.etag.clone(), p3.len() as u64),
        ]
    );
    // The whole list, with the key url-encoded on the wire.
    let all = t
        .client
        .multipart_list_part(&MultipartListPart {
            encoding_type: Some("url".into()),
            ..list_parts(&t, key, &id)
        })
        .expect("list all parts");
    assert_eq!(all.key, t.key(key));
    assert_eq!(all.is_truncated, Some(false));
    let numbers: Vec<u32> = all.part.iter().map(|p| p.part_number).collect();
    assert_eq!(numbers, vec![1, 2, 3]);

    // List Multipart Uploads: prefix and delimiter, keys url-encoded then decoded.
    let uploads = t
        .client
        .multipart_list(&MultipartList {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            prefix: Some(t.prefix.clone()),
            delimiter: Some("/".into()),
            encoding_type: Some("url".into()),
            ..MultipartList::default()
        })
        .expect("list uploads");
    assert_eq!(uploads.encoding_type.as_deref(), Some("url"));
    assert_eq!(uploads.prefix.as_deref(), Some(t.prefix.as_str()));
    assert_eq!(uploads.delimiter.as_deref(), Some("/"));
    assert_eq!(uploads.is_truncated, Some(false));
    let found: Vec<(String, String)> = uploads
        .upload
        .iter()
        .map(|u| (u.key.clone(), u.upload_id.clone()))
        .collect();
    assert_eq!(found, vec![(t.key(key), id.clone())]);
    let prefixes: Vec<String> = uploads
        .common_prefixes
        .iter()
        .map(|p| p.prefix.clone())
        .collect();
    assert_eq!(prefixes, vec![t.key("dir/")]);

    // One upload per page: the markers (a key with a space and a `+`) lead to the next.
    let page = |key_marker: Option<String>, upload_id_marker: Option<String>| {
        t.client
            .multipart_list(&MultipartList {
                bucket: t.bucket.clone(),
                region: t.region.clone(),
                prefix: Some(t.prefix.clone()),
                encoding_type: Some("url".into()),
                max_uploads: Some(1),
                key_marker,
                upload_id_marker,
                ..MultipartList::default()
            })
            .expect("list a page of uploads")
    };
    let first = page(None, None);
    assert_eq!(first.max_uploads, Some(1));
    assert_eq!(first.is_truncated, Some(true));
    let keys: Vec<&str> = first.upload.iter().map(|u| u.key.as_str()).collect();
    assert_eq!(keys, vec![t.key(key)]);
    assert_eq!(first.next_key_marker.as_deref(), Some(t.key(key).as_str()));
    assert_eq!(first.next_upload_id_marker.as_deref(), Some(id.as_str()));
    let second = page(first.next_key_marker, first.next_upload_id_marker);
    assert_eq!(second.key_marker.as_deref(), Some(t.key(key).as_str()));
    assert_eq!(second.upload_id_marker.as_deref(), Some(id.as_str()));
    assert_eq!(second.is_truncated, Some(false));
    let found: Vec<(&str, &str)> = second
        .upload
        .iter()
        .map(|u| (u.key.as_str(), u.upload_id.as_str()))
        .collect();
    assert_eq!(found, vec![(t.key(other).as_str(), other_id.as_str())]);

    // Complete, then read the object back.
    let done = t
        .client
        .multipart_complete(&complete(
            &t,
            key,
            &id,
            &[(1, &e1), (2, &out2.etag), (3, &out3.etag)],
        ))
        .expect("complete");
    let etag = multipart_etag(&[p1, p2, p3]);
    assert_eq!(done.etag, etag);
    assert_eq!(done.bucket, t.bucket);
    assert_eq!(done.key, t.key(key));
    assert_eq!(done.crc64, Some(crc64(&whole)));

    // The client checks the whole object's CRC64 as it downloads.
    let got = t.client.get_object(&t.get_op(key)).expect("get");
    assert!(got.body == whole, "the object is the three parts joined");
    assert_eq!(got.output.object.etag.as_deref(), Some(etag.as_str()));
    assert_eq!(got.output.object.crc64, Some(crc64(&whole)));
    assert_eq!(got.output.object.content_length, Some(whole.len() as u64));

    // The completed upload is gone; only the other one is left, until aborted.
    let err = t
        .client
        .multipart_list_part(&list_parts(&t, key, &id))
        .expect_err("completed");
    assert_eq!(err.code(), Some("NoSuchUpload"));
    t.client
        .multipart_abort(&MultipartAbort {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key(other),
            upload_id: other_id,
        })
        .expect("abort the other");
    let uploads = t
        .client
        .multipart_list(&MultipartList {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            prefix: Some(t.prefix.clone()),
            ..MultipartList::default()
        })
        .expect("list uploads");
    assert!(uploads.upload.is_empty(), "{:?}", uploads.upload);
}

#[test]
fn upload_part_copy_with_a_range() {
    let t = Target::new("mp-copy");
    let source = data(MIB + 5000);
    t.client
        .put_object(&PutObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("source"),
            body: Body::from(source.clone()),
            ..PutObject::default()
        })
        .expect("put source");
    let host = format!("{}.cos.{}.myqcloud.com", t.bucket, t.region);
    let copy = |id: &str, number: u32, range: &str| {
        t.client
            .upload_part_copy(&UploadPartCopy {
                bucket: t.bucket.clone(),
                region: t.region.clone(),
                key: t.key("copy"),
                part_number: number,
                upload_id: id.to_owned(),
                copy_source: format!("{host}/{}", t.key("source")),
                copy_source_range: Some(range.to_owned()),
                ..UploadPartCopy::default()
            })
            .expect("upload part copy")
    };

    let id = init(&t, "copy");
    // Part 1: the first MiB of the source; part 2: 100 bytes from its middle.
    let (a, b) = (&source[..MIB], &source[MIB + 1000..MIB + 1100]);
    let c1 = copy(&id, 1, &format!("bytes=0-{}", MIB - 1));
    assert_eq!(c1.etag, part_etag(a));
    assert_eq!(c1.crc64, Some(crc64(a)));
    assert!(!c1.last_modified.is_empty());
    let c2 = copy(&id, 2, &format!("bytes={}-{}", MIB + 1000, MIB + 1099));
    assert_eq!(c2.etag, part_etag(b));
    assert_eq!(c2.crc64, Some(crc64(b)));

    let sizes: Vec<u64> = t
        .client
        .multipart_list_part(&list_parts(&t, "copy", &id))
        .expect("list parts")
        .part
        .iter()
        .map(|p| p.size)
        .collect();
    assert_eq!(sizes, vec![MIB as u64, 100]);

    let done = t
        .client
        .multipart_complete(&complete(&t, "copy", &id, &[(1, &c1.etag), (2, &c2.etag)]))
        .expect("complete");
    assert_eq!(done.etag, multipart_etag(&[a, b]));
    let expected = [a, b].concat();
    let got = t.client.get_object(&t.get_op("copy")).expect("get");
    assert!(got.body == expected, "the copied ranges joined");
    assert_eq!(got.output.object.crc64, Some(crc64(&expected)));
}

#[test]
fn an_aborted_upload_is_gone() {
    let t = Target::new("mp-abort");
    let id = init(&t, "a");
    upload_bytes(&t, "a", &id, 1, b"some bytes");
    let out = t
        .client
        .multipart_abort(&MultipartAbort {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("a"),
            upload_id: id.clone(),
        })
        .expect("abort");
    assert_eq!(out.meta.status, 204);
    let err = t
        .client
        .multipart_list_part(&list_parts(&t, "a", &id))
        .expect_err("aborted");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("NoSuchUpload"));
    assert_eq!(err.context().operation, MultipartListPart::NAME);
    assert_eq!(err.attempts(), 1);
    let err = t
        .client
        .get_object(&t.get_op("a"))
        .expect_err("nothing was written");
    assert_eq!(err.code(), Some("NoSuchKey"));
}

#[test]
fn complete_refuses_bad_part_lists_and_sorts_the_parts() {
    let t = Target::new("mp-complete");
    let id = init(&t, "c");
    let big = data(MIB);
    let e1 = upload_bytes(&t, "c", &id, 1, &big);
    let e2 = upload_bytes(&t, "c", &id, 2, b"small part two");
    let e3 = upload_bytes(&t, "c", &id, 3, b"small part three");

    // A wrong ETag: InvalidPart.
    let wrong = part_etag(b"something else");
    let err = t
        .client
        .multipart_complete(&complete(&t, "c", &id, &[(1, &e1), (2, &wrong)]))
        .expect_err("wrong ETag");
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("InvalidPart"));
    assert_eq!(err.context().operation, MultipartComplete::NAME);
    assert_eq!(err.attempts(), 1);

    // A part under 1 MiB that is not the last: EntityTooSmall.
    let err = t
        .client
        .multipart_complete(&complete(&t, "c", &id, &[(1, &e1), (2, &e2), (3, &e3)]))
        .expect_err("small part in the middle");
    assert_eq!(err.status(), Some(400));
    assert_eq!(err.code(), Some("EntityTooSmall"));

    // Parts given out of order: cos-proto sorts them, so COS accepts the list.
    let done = t
        .client
        .multipart_complete(&complete(&t, "c", &id, &[(2, &e2), (1, &e1)]))
        .expect("complete sorts the parts");
    assert_eq!(done.etag, multipart_etag(&[&big, b"small part two"]));
    let got = t.client.get_object(&t.get_op("c")).expect("get");
    assert!(got.body == [&big[..], b"small part two"].concat());
}

#[test]
fn a_part_crc64_mismatch_is_an_integrity_error() {
    let body = data(1000);
    let good = crc64(&body).to_string();
    let etag = part_etag(&body);
    let server = Scripted::start(vec![
        http_response(
            "200 OK",
            &[("ETag", &etag), ("x-cos-hash-crc64ecma", "12345")],
            b"",
        ),
        http_response(
            "200 OK",
            &[("ETag", &etag), ("x-cos-hash-crc64ecma", "12345")],
            b"",
        ),
        http_response(
            "200 OK",
            &[("ETag", &etag), ("x-cos-hash-crc64ecma", &good)],
            b"",
        ),
    ]);
    let client = client_at(&server.address, |c| c);
    let params = MultipartUpload {
        bucket: common::BUCKET.into(),
        region: common::REGION.into(),
        key: "k".into(),
        part_number: 1,
        upload_id: "id".into(),
        ..MultipartUpload::default()
    };
    let expect_mismatch = |err: cos_blocking::Error| {
        assert!(
            matches!(
                err.kind(),
                ErrorKind::Integrity {
                    expected: 12345,
                    ..
                }
            ),
            "{err}"
        );
        let text = err.to_string();
        assert!(text.contains("CRC64 of the uploaded body"), "{text}");
        assert!(text.contains("UploadPart failed"), "{text}");
        assert_eq!(err.attempts(), 1, "integrity failures are not retried");
    };
    expect_mismatch(
        client
            .multipart_upload(&MultipartUpload {
                body: Body::from(body.clone()),
                ..params.clone()
            })
            .expect_err("mismatch from bytes"),
    );
    let mut reader = &body[..];
    expect_mismatch(
        client
            .multipart_upload_from(&params, Upload::reader(&mut reader, 1000))
            .expect_err("mismatch from a stream"),
    );
    let out = client
        .multipart_upload_from(&params, Upload::bytes(body.clone()))
        .expect("matches");
    assert_eq!(out.crc64, Some(crc64(&body)));
    assert_eq!(server.heads().len(), 3);
}

#[test]
fn a_503_on_the_second_part_is_retried() {
    let t = with_fault("mp-retry", MultipartUpload::NAME, Trigger::Nth(2));
    let whole = data(2 * MIB + 10);
    let (p1, rest) = whole.split_at(MIB);
    let (p2, p3) = rest.split_at(MIB);
    let id = init(&t, "r");
    let e1 = upload_bytes(&t, "r", &id, 1, p1);
    assert_eq!(t.emu().count(MultipartUpload::NAME), 1);
    // Part 2 comes from a file, which is reopened and sent again from its start.
    let dir = Scratch::new("mp-retry");
    let path = dir.0.join("p2.bin");
    std::fs::write(&path, p2).expect("write part file");
    let out2 = t
        .client
        .multipart_upload_from(&part(&t, "r", &id, 2), Upload::file(&path).expect("stat"))
        .expect("retried after the 503");
    assert_eq!(out2.etag, part_etag(p2));
    assert_eq!(out2.crc64, Some(crc64(p2)));
    let e2 = out2.etag;
    assert_eq!(
        t.emu().count(MultipartUpload::NAME),
        3,
        "part 2 was refused once and sent again"
    );
    assert_eq!(t.emu().faults_fired(), 1);
    let e3 = upload_bytes(&t, "r", &id, 3, p3);
    assert_eq!(t.emu().count(MultipartUpload::NAME), 4);
    t.client
        .multipart_complete(&complete(&t, "r", &id, &[(1, &e1), (2, &e2), (3, &e3)]))
        .expect("complete");
    assert!(t.client.get_object(&t.get_op("r")).expect("get").body == whole);
}

#[test]
fn initiate_and_complete_are_not_retried() {
    let t = with_fault("mp-no-retry", MultipartInit::NAME, Trigger::Nth(1));
    let params = MultipartInit {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key("n"),
        ..MultipartInit::default()
    };
    let err = t.client.multipart_init(&params).expect_err("503");
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.code(), Some("SlowDown"));
    assert_eq!(err.context().operation, MultipartInit::NAME);
    assert_eq!(
        err.attempts(),
        1,
        "not idempotent: a retry could orphan an upload"
    );
    assert_eq!(t.emu().count(MultipartInit::NAME), 1);

    let id = init(&t, "n");
    assert_eq!(t.emu().count(MultipartInit::NAME), 2);
    let e1 = upload_bytes(&t, "n", &id, 1, b"only part");
    t.emu().add_fault(FaultRule::new(
        MultipartComplete::NAME,
        Trigger::Nth(1),
        FaultAction::SlowDown,
    ));
    let params = complete(&t, "n", &id, &[(1, &e1)]);
    let err = t.client.multipart_complete(&params).expect_err("503");
    assert_eq!(err.status(), Some(503));
    assert_eq!(err.code(), Some("SlowDown"));
    assert!(
        matches!(err.kind(), ErrorKind::Service(s) if s.operation == MultipartComplete::NAME),
        "{err:?}"
    );
    assert_eq!(
        err.attempts(),
        1,
        "not idempotent: a retry could hit NoSuchUpload"
    );
    assert_eq!(t.emu().count(MultipartComplete::NAME), 1);

    // The upload is still there: completing it again (the caller's choice) works.
    let done = t.client.multipart_complete(&params).expect("complete");
    assert_eq!(done.etag, multipart_etag(&[b"only part"]));
    assert_eq!(t.emu().count(MultipartComplete::NAME), 2);
}

#[test]
fn bad_parameters_fail_before_anything_is_sent() {
    let t = Target::embedded("mp-params", Emulator::builder(), static_key, |c| c);
    let err = t
        .client
        .multipart_upload(&MultipartUpload {
            part_number: 0,
            ..part(&t, "p", "id", 1)
        })
        .expect_err("part 0");
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { field, .. } if field == "PartNumber"),
        "{err}"
    );
    let err = t
        .client
        .multipart_complete(&complete(&t, "p", "id", &[]))
        .expect_err("no parts");
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { field, .. } if field == "Parts"),
        "{err}"
    );
    assert_eq!(t.emu().counts().values().sum::<u64>(), 0, "nothing sent");
}
