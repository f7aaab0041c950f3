//! Multipart errors (NoSuchUpload, InvalidPart, InvalidPartOrder, EntityTooSmall,
//! MalformedXML, bad part numbers) and the listings' paging and url encoding.

mod common;

use common::{BUCKET, Harness, REGION, etag_of, service_code};
use cos_proto::Method;
use cos_proto::ops::multipart::{MultipartInit, MultipartList, MultipartListPart, MultipartUpload};

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

/// Upload Part, sent raw (so that any part number can be tried).
fn put_part(h: &Harness, key: &str, id: &str, n: &str, body: &[u8]) -> common::Resp {
    let mut req = h
        .req(Method::Put, key)
        .with_query("partNumber", n)
        .with_query("uploadId", id);
    req.set_body(cos_proto::Body::from(body.to_vec()));
    h.send(req)
}

/// Complete Multipart Upload with a raw XML body.
fn complete_raw(h: &Harness, key: &str, id: &str, xml: &str) -> common::Resp {
    let mut req = h
        .req(Method::Post, key)
        .with_query("uploadId", id)
        .with_header("Content-Type", "application/xml");
    req.set_body(cos_proto::Body::from(xml.as_bytes().to_vec()));
    h.send(req)
}

fn parts_xml(parts: &[(u32, &str)]) -> String {
    let mut s = String::from("<CompleteMultipartUpload>");
    for (n, e) in parts {
        s.push_str(&format!(
            "<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>"
        ));
    }
    s + "</CompleteMultipartUpload>"
}

#[test]
fn complete_and_part_errors() {
    let h = Harness::new();
    let id = init(&h, "k");
    let small1 = b"first part, too small".to_vec();
    let big = vec![5u8; 1 << 20];
    for n in ["0", "10001", "x", ""] {
        put_part(&h, "k", &id, n, b"x").assert_error(400, "InvalidArgument");
    }
    put_part(&h, "k", "no-such-id", "1", b"x").assert_error(404, "NoSuchUpload");
    put_part(&h, "other-key", &id, "1", b"x").assert_error(404, "NoSuchUpload");
    let mut bad_md5 = h
        .req(Method::Put, "k")
        .with_query("partNumber", "1")
        .with_query("uploadId", &id)
        .with_header("Content-MD5", cos_proto::ops::content_md5(b"other"));
    bad_md5.set_body(cos_proto::Body::from(small1.clone()));
    h.send(bad_md5).assert_error(400, "BadDigest");

    let e1 = put_part(&h, "k", &id, "1", &small1);
    assert_eq!(e1.status, 200, "{}", e1.text());
    let e1 = e1.header("etag").expect("etag").to_owned();
    assert_eq!(e1, etag_of(&small1));
    let e2 = put_part(&h, "k", &id, "2", &big)
        .header("etag")
        .expect("etag")
        .to_owned();
    let e3 = put_part(&h, "k", &id, "3", &big)
        .header("etag")
        .expect("etag")
        .to_owned();

    complete_raw(&h, "k", "no-such-id", &parts_xml(&[(1, &e1)])).assert_error(404, "NoSuchUpload");
    for bad in [
        "not xml",
        "<CompleteMultipartUpload></CompleteMultipartUpload>",
        "<Other/>",
        "<CompleteMultipartUpload><Part><ETag>\"x\"</ETag></Part></CompleteMultipartUpload>",
        "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>",
    ] {
        complete_raw(&h, "k", &id, bad).assert_error(400, "MalformedXML");
    }
    complete_raw(&h, "k", &id, &parts_xml(&[(2, &e2), (1, &e1)]))
        .assert_error(400, "InvalidPartOrder");
    complete_raw(&h, "k", &id, &parts_xml(&[(2, &e2), (2, &e2)]))
        .assert_error(400, "InvalidPartOrder");
    complete_raw(&h, "k", &id, &parts_xml(&[(2, &e2), (7, &e2)])).assert_error(400, "InvalidPart");
    complete_raw(&h, "k", &id, &parts_xml(&[(2, &e1)])).assert_error(400, "InvalidPart");
    // Part 1 is under 1 MiB and not the last.
    complete_raw(&h, "k", &id, &parts_xml(&[(1, &e1), (2, &e2)]))
        .assert_error(400, "EntityTooSmall");
    assert_eq!(h.get("k", &[]).status, 404);

    // After all that the upload still works: parts 2 and 3 (the last may be any size),
    // ETags given without quotes.
    let done = complete_raw(
        &h,
        "k",
        &id,
        &parts_xml(&[(2, e2.trim_matches('"')), (3, &e3)]),
    );
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(h.get("k", &[]).body.len(), 2 << 20);
}

#[test]
fn list_parts_pages() {
    let h = Harness::new();
    let key = "dir with spaces/obj+1.bin";
    let id = init(&h, key);
    for n in 1..=3u32 {
        let mut req = MultipartUpload {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: key.into(),
            part_number: n,
            upload_id: id.clone(),
            body: cos_proto::Body::from(vec![n as u8; 10 * n as usize]),
            ..MultipartUpload::default()
        };
        req.content_length = Some(10 * u64::from(n));
        h.op(&req, false).expect("UploadPart");
    }
    let page = |marker: Option<u32>| {
        h.op(
            &MultipartListPart {
                bucket: BUCKET.into(),
                region: REGION.into(),
                key: key.into(),
                upload_id: id.clone(),
                encoding_type: Some("url".into()),
                max_parts: Some(1),
                part_number_marker: marker,
            },
            false,
        )
        .expect("ListParts")
    };
    let mut marker = None;
    let mut seen = Vec::new();
    for _ in 0..10 {
        let p = page(marker);
        assert_eq!(p.key, key, "the url-encoded key comes back decoded");
        assert_eq!(p.max_parts, Some(1));
        seen.extend(p.part.iter().map(|x| (x.part_number, x.size)));
        if p.is_truncated != Some(true) {
            assert_eq!(p.next_part_number_marker, None);
            break;
        }
        marker = p.next_part_number_marker;
    }
    assert_eq!(seen, [(1, 10), (2, 20), (3, 30)]);
    // The raw document carries the encoded key.
    let raw = h.send(
        h.req(Method::Get, key)
            .with_query("uploadId", &id)
            .with_query("encoding-type", "url"),
    );
    assert!(
        raw.text()
            .contains("<Key>dir%20with%20spaces/obj%2B1.bin</Key>"),
        "{}",
        raw.text()
    );
    h.send(
        h.req(Method::Get, key)
            .with_query("uploadId", &id)
            .with_query("max-parts", "x"),
    )
    .assert_error(400, "InvalidArgument");
    let err = h
        .op(
            &MultipartListPart {
                bucket: BUCKET.into(),
                region: REGION.into(),
                key: key.into(),
                upload_id: "nope".into(),
                ..MultipartListPart::default()
            },
            false,
        )
        .expect_err("unknown upload");
    assert_eq!(service_code(&err), Some((404, "NoSuchUpload".into())));
}

#[test]
fn list_uploads_pages_groups_and_encodes() {
    let h = Harness::new();
    let mut ids = Vec::new();
    for key in ["a b/1", "a b/2", "c", "c", "d"] {
        ids.push((key.to_owned(), init(&h, key)));
    }
    ids.sort();
    let list = |f: &dyn Fn(&mut MultipartList)| {
        let mut op = MultipartList {
            bucket: BUCKET.into(),
            region: REGION.into(),
            encoding_type: Some("url".into()),
            ..MultipartList::default()
        };
        f(&mut op);
        h.op(&op, false).expect("MultipartList")
    };
    let all = list(&|_| {});
    let got: Vec<(String, String)> = all
        .upload
        .iter()
        .map(|u| (u.key.clone(), u.upload_id.clone()))
        .collect();
    assert_eq!(got, ids);
    assert_eq!(all.is_truncated, Some(false));
    assert!(all.upload.iter().all(|u| u.initiated.is_some()));

    // One per page, following NextKeyMarker / NextUploadIdMarker.
    let mut markers: (Option<String>, Option<String>) = (None, None);
    let mut paged = Vec::new();
    for _ in 0..10 {
        let p = list(&|op| {
            op.max_uploads = Some(1);
            op.key_marker = markers.0.clone();
            op.upload_id_marker = markers.1.clone();
        });
        paged.extend(
            p.upload
                .iter()
                .map(|u| (u.key.clone(), u.upload_id.clone())),
        );
        if p.is_truncated != Some(true) {
            break;
        }
        markers = (p.next_key_marker, p.next_upload_id_marker);
    }
    assert_eq!(paged, ids);

    // Grouped by delimiter: "a b/" is one common prefix.
    let grouped = list(&|op| op.delimiter = Some("/".into()));
    let prefixes: Vec<&str> = grouped
        .common_prefixes
        .iter()
        .map(|p| p.prefix.as_str())
        .collect();
    assert_eq!(prefixes, ["a b/"]);
    let keys: Vec<&str> = grouped.upload.iter().map(|u| u.key.as_str()).collect();
    assert_eq!(keys, ["c", "c", "d"]);
    let prefixed = list(&|op| op.prefix = Some("a b/".into()));
    assert_eq!(prefixed.upload.len(), 2);
    assert_eq!(prefixed.prefix.as_deref(), Some("a b/"));
    let raw = h.send(
        h.req(Method::Get, "")
            .with_query("uploads", "")
            .with_query("encoding-type", "url"),
    );
    assert!(raw.text().contains("<Key>a%20b/1</Key>"), "{}", raw.text());
}
