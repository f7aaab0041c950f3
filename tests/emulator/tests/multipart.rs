//! Multipart uploads: a whole upload checked by GET, Upload Part - Copy with a range,
//! ranges and copies of a multipart object (whose bytes the emulator shares rather than
//! copies), abort, a restart in the middle of an upload, and every Complete error.

mod common;

use std::path::PathBuf;

use common::{BUCKET, Harness, REGION, etag_of};
use cos_emulator::Emulator;
use cos_proto::Method;
use cos_proto::ops::multipart::{
    CompletedPart, MultipartAbort, MultipartComplete, MultipartInit, MultipartList,
    MultipartListPart, MultipartUpload, UploadPartCopy,
};
use cos_proto::ops::object::PutObjectCopy;
use md5::{Digest, Md5};

const MIB: usize = 1 << 20;

/// Deterministic bytes: `len` of them, varying with `seed`.
pub fn data(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u32).wrapping_mul(31).wrapping_add(u32::from(seed)) as u8 ^ (i >> 9) as u8)
        .collect()
}

/// CRC-64/XZ, computed independently of the emulator.
fn crc64(bytes: &[u8]) -> u64 {
    let mut d = crc64fast::Digest::new();
    d.write(bytes);
    d.sum64()
}

/// The ETag of a multipart object: MD5 of the parts' binary MD5s, then `-{count}`.
fn multipart_etag(parts: &[&[u8]]) -> String {
    let mut all = Md5::new();
    for p in parts {
        all.update(Md5::digest(p));
    }
    let hex: String = all.finalize().iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}-{}\"", parts.len())
}

fn init(h: &Harness, key: &str) -> String {
    h.op(
        &MultipartInit {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: key.into(),
            ..MultipartInit::default()
        },
        false,
    )
    .expect("MultipartInit")
    .upload_id
}

fn upload(h: &Harness, key: &str, id: &str, n: u32, body: &[u8]) -> String {
    let out = h
        .op(
            &MultipartUpload {
                bucket: BUCKET.into(),
                region: REGION.into(),
                key: key.into(),
                part_number: n,
                upload_id: id.into(),
                body: cos_proto::Body::from(body.to_vec()),
                content_md5: Some(cos_proto::ops::content_md5(body)),
                ..MultipartUpload::default()
            },
            false,
        )
        .expect("UploadPart");
    assert_eq!(out.etag, etag_of(body));
    assert_eq!(out.crc64, Some(crc64(body)));
    out.etag
}

fn complete(
    h: &Harness,
    key: &str,
    id: &str,
    parts: &[(u32, &str)],
) -> cos_proto::Result<cos_proto::ops::multipart::CompleteMultipartUploadResult> {
    h.op(
        &MultipartComplete {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: key.into(),
            upload_id: id.into(),
            parts: parts
                .iter()
                .map(|(n, e)| CompletedPart {
                    part_number: *n,
                    etag: (*e).to_owned(),
                })
                .collect(),
        },
        false,
    )
}

fn list_uploads(h: &Harness) -> Vec<String> {
    h.op(
        &MultipartList {
            bucket: BUCKET.into(),
            region: REGION.into(),
            ..MultipartList::default()
        },
        false,
    )
    .expect("MultipartList")
    .upload
    .into_iter()
    .map(|u| u.upload_id)
    .collect()
}

#[test]
fn three_parts_make_the_object_with_its_etag_and_crc64() {
    let h = Harness::new();
    h.put("big.bin", b"an older object", &[]);
    let id = h
        .op(
            &MultipartInit {
                bucket: BUCKET.into(),
                region: REGION.into(),
                key: "big.bin".into(),
                content_type: Some("text/plain".into()),
                cache_control: Some("max-age=60".into()),
                acl: Some("public-read".into()),
                storage_class: Some("STANDARD_IA".into()),
                metadata: vec![("m".into(), "v".into())],
                ..MultipartInit::default()
            },
            false,
        )
        .expect("MultipartInit");
    assert_eq!((id.bucket.as_str(), id.key.as_str()), (BUCKET, "big.bin"));
    let id = id.upload_id;
    let parts = [data(MIB, 1), data(MIB, 2), data(1000, 3)];
    // Out of order, and part 2 sent twice: the second replaces the first.
    let e3 = upload(&h, "big.bin", &id, 3, &parts[2]);
    upload(&h, "big.bin", &id, 2, b"replaced later");
    let e1 = upload(&h, "big.bin", &id, 1, &parts[0]);
    let e2 = upload(&h, "big.bin", &id, 2, &parts[1]);

    let listed = h
        .op(
            &MultipartListPart {
                bucket: BUCKET.into(),
                region: REGION.into(),
                key: "big.bin".into(),
                upload_id: id.clone(),
                ..MultipartListPart::default()
            },
            false,
        )
        .expect("ListParts");
    let sizes: Vec<(u32, u64, &str)> = listed
        .part
        .iter()
        .map(|p| (p.part_number, p.size, p.etag.as_str()))
        .collect();
    assert_eq!(
        sizes,
        [
            (1, MIB as u64, e1.as_str()),
            (2, MIB as u64, e2.as_str()),
            (3, 1000, e3.as_str())
        ]
    );
    assert_eq!(
        (listed.is_truncated, listed.max_parts),
        (Some(false), Some(1000))
    );
    assert_eq!(list_uploads(&h), std::slice::from_ref(&id));

    let done = complete(&h, "big.bin", &id, &[(1, &e1), (2, &e2), (3, &e3)]).expect("Complete");
    let whole: Vec<u8> = parts.concat();
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    assert_eq!(done.etag, multipart_etag(&refs));
    assert_eq!(done.crc64, Some(crc64(&whole)));
    assert_eq!(
        (done.bucket.as_str(), done.key.as_str()),
        (BUCKET, "big.bin")
    );
    assert!(done.location.ends_with("/big.bin"), "{}", done.location);

    let get = h.get("big.bin", &[]);
    assert_eq!(get.status, 200);
    assert!(get.body == whole, "the object is the parts joined");
    assert_eq!(get.header("etag"), Some(done.etag.as_str()));
    assert_eq!(
        get.header("x-cos-hash-crc64ecma"),
        Some(crc64(&whole).to_string().as_str())
    );
    assert_eq!(get.header("content-type"), Some("text/plain"));
    assert_eq!(get.header("cache-control"), Some("max-age=60"));
    assert_eq!(get.header("x-cos-meta-m"), Some("v"));
    assert_eq!(get.header("x-cos-storage-class"), Some("STANDARD_IA"));
    // The ACL of the Initiate request: anyone may read.
    let anon = h.send_raw(&h.req(Method::Get, "big.bin"));
    assert_eq!((anon.status, anon.body.len()), (200, whole.len()));
    assert!(list_uploads(&h).is_empty());
    // The upload is gone.
    let err = complete(&h, "big.bin", &id, &[(1, &e1)]).expect_err("completed");
    assert_eq!(
        common::service_code(&err),
        Some((404, "NoSuchUpload".into()))
    );
}

#[test]
fn upload_part_copy_takes_a_range() {
    let h = Harness::new();
    let src = data(3 * MIB, 9);
    assert_eq!(h.put("src", &src, &[]).status, 200);
    let id = init(&h, "dst");
    let copy = |n: u32, range: Option<String>| {
        h.op(
            &UploadPartCopy {
                bucket: BUCKET.into(),
                region: REGION.into(),
                key: "dst".into(),
                part_number: n,
                upload_id: id.clone(),
                copy_source: format!("{BUCKET}.cos.{REGION}.myqcloud.com/src"),
                copy_source_range: range,
                ..UploadPartCopy::default()
            },
            false,
        )
    };
    let p1 = copy(1, Some(format!("bytes=0-{}", MIB - 1))).expect("copy 1");
    assert_eq!(p1.etag, etag_of(&src[..MIB]));
    assert_eq!(p1.crc64, Some(crc64(&src[..MIB])));
    assert!(p1.last_modified.ends_with('Z'), "{}", p1.last_modified);
    let p2 = copy(2, Some(format!("bytes={}-{}", 2 * MIB, 2 * MIB + 9))).expect("copy 2");
    assert_eq!(p2.etag, etag_of(&src[2 * MIB..2 * MIB + 10]));
    let err = copy(3, Some(format!("bytes=0-{}", 3 * MIB))).expect_err("beyond the end");
    assert_eq!(
        common::service_code(&err),
        Some((416, "InvalidRange".into()))
    );

    complete(&h, "dst", &id, &[(1, &p1.etag), (2, &p2.etag)]).expect("Complete");
    let want = [&src[..MIB], &src[2 * MIB..2 * MIB + 10]].concat();
    let get = h.get("dst", &[]);
    assert!(get.body == want);
    assert_eq!(
        get.header("x-cos-hash-crc64ecma"),
        Some(crc64(&want).to_string().as_str())
    );
}

/// In memory a multipart object is its parts' bodies, shared; on disk it is one file:
/// either way, ranges across part boundaries, part copies that match a part exactly (in
/// memory, digests reused) or straddle two (hashed), and a whole-object copy must all give
/// the bytes and digests of the joined object.
#[test]
fn a_multipart_object_reads_and_copies_across_its_parts() {
    reads_and_copies_across_parts(&Harness::new());
    let dir = temp_dir("multipart-across");
    reads_and_copies_across_parts(&Harness::with(Emulator::builder().data_dir(&dir)));
    let _ = std::fs::remove_dir_all(&dir);
}

fn reads_and_copies_across_parts(h: &Harness) {
    let parts = [data(MIB, 21), data(MIB, 22), data(1000, 23)];
    let whole: Vec<u8> = parts.concat();
    let id = init(h, "src");
    let etags: Vec<String> = (1..)
        .zip(&parts)
        .map(|(n, p)| upload(h, "src", &id, n, p))
        .collect();
    let listed: Vec<(u32, &str)> = (1..).zip(etags.iter().map(String::as_str)).collect();
    complete(h, "src", &id, &listed).expect("Complete");

    let m = MIB as u64;
    for (first, last) in [
        (0, 9),
        (m - 5, m + 4),
        (2 * m - 1, 2 * m + 999),
        (5, 2 * m + 999),
    ] {
        let range = format!("bytes={first}-{last}");
        let get = h.get("src", &[("Range", range.as_str())]);
        assert_eq!(get.status, 206, "{range}");
        assert!(get.body == whole[first as usize..=last as usize], "{range}");
    }

    let dst = init(h, "dst");
    let copy = |n: u32, first: usize, last: usize| {
        let out = h
            .op(
                &UploadPartCopy {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "dst".into(),
                    part_number: n,
                    upload_id: dst.clone(),
                    copy_source: format!("{BUCKET}.cos.{REGION}.myqcloud.com/src"),
                    copy_source_range: Some(format!("bytes={first}-{last}")),
                    ..UploadPartCopy::default()
                },
                false,
            )
            .expect("UploadPartCopy");
        assert_eq!(out.etag, etag_of(&whole[first..=last]), "{first}-{last}");
        assert_eq!(
            out.crc64,
            Some(crc64(&whole[first..=last])),
            "{first}-{last}"
        );
        out.etag
    };
    let c1 = copy(1, MIB, 2 * MIB - 1); // exactly part 2
    let c2 = copy(2, MIB / 2, MIB / 2 + MIB); // across parts 1 and 2
    let c3 = copy(3, 2 * MIB, 2 * MIB + 999); // exactly part 3
    complete(h, "dst", &dst, &[(1, &c1), (2, &c2), (3, &c3)]).expect("Complete");
    let want = [
        &whole[MIB..2 * MIB],
        &whole[MIB / 2..=MIB / 2 + MIB],
        &whole[2 * MIB..],
    ]
    .concat();
    let get = h.get("dst", &[]);
    assert!(get.body == want);
    assert_eq!(
        get.header("x-cos-hash-crc64ecma"),
        Some(crc64(&want).to_string().as_str())
    );

    let copied = h
        .op(
            &PutObjectCopy {
                bucket: BUCKET.into(),
                region: REGION.into(),
                key: "whole-copy".into(),
                copy_source: format!("{BUCKET}.cos.{REGION}.myqcloud.com/src"),
                ..PutObjectCopy::default()
            },
            false,
        )
        .expect("PutObjectCopy");
    // A copy is one object: its ETag is the MD5 of its bytes, not a multipart ETag.
    assert_eq!(copied.etag, etag_of(&whole));
    assert_eq!(copied.crc64, Some(crc64(&whole)));
    assert!(h.get("whole-copy", &[]).body == whole);
    // Deleting the source leaves the copies whole.
    assert_eq!(h.send(h.req(Method::Delete, "src")).status, 204);
    assert!(h.get("whole-copy", &[]).body == whole);
    assert!(h.get("dst", &[]).body == want);
}

#[test]
fn abort_discards_the_upload() {
    let h = Harness::new();
    let id = init(&h, "k");
    upload(&h, "k", &id, 1, b"part");
    let abort = MultipartAbort {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: "k".into(),
        upload_id: id.clone(),
    };
    let out = h.op(&abort, false).expect("abort");
    assert_eq!(out.meta.status, 204);
    let err = h.op(&abort, false).expect_err("aborted twice");
    assert_eq!(
        common::service_code(&err),
        Some((404, "NoSuchUpload".into()))
    );
    assert!(list_uploads(&h).is_empty());
    let err = complete(&h, "k", &id, &[(1, &etag_of(b"part"))]).expect_err("aborted");
    assert_eq!(
        common::service_code(&err),
        Some((404, "NoSuchUpload".into()))
    );
    assert_eq!(h.get("k", &[]).status, 404);
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cos-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn an_upload_survives_a_restart() {
    let dir = temp_dir("multipart-restart");
    let parts = [data(MIB, 4), data(MIB, 5), data(10, 6)];
    let (id, e1, e2) = {
        let h = Harness::with(Emulator::builder().data_dir(&dir));
        let id = h
            .op(
                &MultipartInit {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "r".into(),
                    content_type: Some("image/png".into()),
                    ..MultipartInit::default()
                },
                false,
            )
            .expect("init")
            .upload_id;
        let e1 = upload(&h, "r", &id, 1, &parts[0]);
        let e2 = upload(&h, "r", &id, 2, &parts[1]);
        (id, e1, e2)
    };
    let h = Harness::with(Emulator::builder().data_dir(&dir));
    assert_eq!(list_uploads(&h), std::slice::from_ref(&id));
    let e3 = upload(&h, "r", &id, 3, &parts[2]);
    complete(&h, "r", &id, &[(1, &e1), (2, &e2), (3, &e3)]).expect("Complete after restart");
    let get = h.get("r", &[]);
    assert!(get.body == parts.concat());
    assert_eq!(get.header("content-type"), Some("image/png"));
    drop(h);
    // Completed: nothing of the upload is left on disk, and a restart still has the object.
    let left = std::fs::read_dir(dir.join("uploads"))
        .expect("uploads dir")
        .count();
    assert_eq!(left, 0);
    let h = Harness::with(Emulator::builder().data_dir(&dir));
    assert_eq!(h.get("r", &[]).body.len(), 2 * MIB + 10);
    drop(h);
    let _ = std::fs::remove_dir_all(&dir);
}
