//! Bucket calls through real HTTP: GET Service, PUT/HEAD/DELETE Bucket, GET Bucket,
//! GET Bucket location, DELETE Multiple Objects, and their errors.

mod common;

use common::{BUCKET, Harness, REGION};
use cos_proto::Method;
use cos_proto::ops::bucket::{
    DeleteBucket, GetBucket, GetBucketLocation, GetService, HeadBucket, PutBucket,
};

fn code(err: cos_proto::Error) -> (u16, String) {
    let s = err.service().expect("a service error");
    (s.status, s.code.clone())
}

#[test]
fn create_head_locate_list_and_delete_buckets() {
    let h = Harness::new();
    for path_style in [false, true] {
        let bucket = if path_style {
            "second-1250000000"
        } else {
            "third-1250000000"
        };
        h.op(
            &PutBucket {
                bucket: bucket.into(),
                region: REGION.into(),
                ..PutBucket::default()
            },
            path_style,
        )
        .expect("PutBucket");
        let head = h
            .op(
                &HeadBucket {
                    bucket: bucket.into(),
                    region: REGION.into(),
                },
                path_style,
            )
            .expect("HeadBucket");
        assert_eq!(head.bucket_region.as_deref(), Some(REGION));
        let loc = h
            .op(
                &GetBucketLocation {
                    bucket: bucket.into(),
                    region: REGION.into(),
                },
                path_style,
            )
            .expect("GetBucketLocation");
        assert_eq!(loc.location_constraint, REGION);
        let err = h
            .op(
                &PutBucket {
                    bucket: bucket.into(),
                    region: REGION.into(),
                    ..PutBucket::default()
                },
                path_style,
            )
            .expect_err("exists");
        assert_eq!(code(err), (409, "BucketAlreadyExists".into()));
    }
    let service = h.op(&GetService::default(), true).expect("GetService");
    let names: Vec<&str> = service.buckets.iter().map(|b| b.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "examplebucket-1250000000",
            "second-1250000000",
            "third-1250000000"
        ]
    );
    assert!(service.buckets.iter().all(|b| b.location == REGION));
    assert!(service.owner.id.contains("1250000000"));
    let paged = h
        .op(
            &GetService {
                max_keys: Some(2),
                ..GetService::default()
            },
            true,
        )
        .expect("GetService paged");
    assert_eq!((paged.buckets.len(), paged.is_truncated), (2, Some(true)));
    assert_eq!(paged.next_marker.as_deref(), Some("second-1250000000"));

    h.op(
        &DeleteBucket {
            bucket: "second-1250000000".into(),
            region: REGION.into(),
        },
        false,
    )
    .expect("DeleteBucket");
    let err = h
        .op(
            &HeadBucket {
                bucket: "second-1250000000".into(),
                region: REGION.into(),
            },
            false,
        )
        .expect_err("gone");
    assert_eq!(code(err), (404, "NotFound".into()));
    let err = h
        .op(
            &DeleteBucket {
                bucket: "second-1250000000".into(),
                region: REGION.into(),
            },
            false,
        )
        .expect_err("gone");
    assert_eq!(code(err), (404, "NoSuchBucket".into()));
    let err = h
        .op(
            &GetBucket {
                bucket: "second-1250000000".into(),
                region: REGION.into(),
                ..GetBucket::default()
            },
            false,
        )
        .expect_err("gone");
    assert_eq!(code(err), (404, "NoSuchBucket".into()));
}

#[test]
fn bucket_errors() {
    let h = Harness::new();
    assert_eq!(h.put("k", b"x", &[]).status, 200);
    let err = h
        .op(
            &DeleteBucket {
                bucket: BUCKET.into(),
                region: REGION.into(),
            },
            false,
        )
        .expect_err("not empty");
    assert_eq!(code(err), (409, "BucketNotEmpty".into()));
    // Path-style with a name cos-proto would refuse to build.
    h.send(
        h.path_req(Method::Put, "ok-1", "")
            .with_header("x-cos-acl", "bucket-owner-read"),
    )
    .assert_error(400, "InvalidArgument");
    let mut req = h.path_req(Method::Put, "ok-1", "");
    req.pathname = "/Bad_Name/".into();
    h.send(req).assert_error(400, "InvalidBucketName");
    h.send(h.req(Method::Get, "").with_query("max-keys", "x"))
        .assert_error(400, "InvalidArgument");
    h.send(h.req(Method::Get, "").with_query("encoding-type", "base64"))
        .assert_error(400, "InvalidArgument");
    h.send(h.req(Method::Post, ""))
        .assert_error(405, "MethodNotAllowed");
    h.send(
        h.req(Method::Get, "")
            .with_query("uploads", "")
            .with_query("max-uploads", "0"),
    )
    .assert_error(400, "InvalidArgument");
}

#[test]
fn list_objects_by_prefix_delimiter_marker_and_page() {
    let h = Harness::new();
    let keys = ["a/1", "a/2", "a/b/3", "b", "c d/e", "c+d", "中"];
    for k in keys {
        assert_eq!(h.put(k, k.as_bytes(), &[]).status, 200, "{k}");
    }
    let list = |f: &dyn Fn(&mut GetBucket)| {
        let mut op = GetBucket {
            bucket: BUCKET.into(),
            region: REGION.into(),
            ..GetBucket::default()
        };
        f(&mut op);
        h.op(&op, false).expect("GetBucket")
    };
    let all = list(&|_| {});
    let got: Vec<&str> = all.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(got, keys);
    assert_eq!((all.max_keys, all.is_truncated), (1000, false));
    assert_eq!(all.contents[3].size, 1);
    assert_eq!(all.contents[3].etag, common::etag_of(b"b"));
    assert_eq!(
        all.contents[3].storage_class.as_ref().map(|s| s.as_str()),
        Some("STANDARD")
    );
    assert!(all.contents[3].last_modified.ends_with(".000Z"));

    let grouped = list(&|o| o.delimiter = Some("/".into()));
    let got: Vec<&str> = grouped.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(got, ["b", "c+d", "中"]);
    let prefixes: Vec<&str> = grouped
        .common_prefixes
        .iter()
        .map(|p| p.prefix.as_str())
        .collect();
    assert_eq!(prefixes, ["a/", "c d/"]);

    let inside = list(&|o| {
        o.prefix = Some("a/".into());
        o.delimiter = Some("/".into());
    });
    let got: Vec<&str> = inside.contents.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        (got, inside.common_prefixes[0].prefix.as_str()),
        (vec!["a/1", "a/2"], "a/b/")
    );

    // Paging two at a time with a delimiter visits every entry once.
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    for _ in 0..10 {
        let page = list(&|o| {
            o.delimiter = Some("/".into());
            o.max_keys = Some(2);
            o.marker = marker.clone();
        });
        seen.extend(page.common_prefixes.iter().map(|p| p.prefix.clone()));
        seen.extend(page.contents.iter().map(|o| o.key.clone()));
        if !page.is_truncated {
            break;
        }
        marker = page.next_marker.clone();
        assert!(marker.is_some());
    }
    seen.sort();
    assert_eq!(seen, ["a/", "b", "c d/", "c+d", "中"]);

    // EncodingType=url: keys come percent-encoded (spaces as %20) and cos-proto decodes them.
    let raw = h.send(
        h.req(Method::Get, "")
            .with_query("encoding-type", "url")
            .with_query("prefix", "c"),
    );
    assert!(raw.text().contains("<Key>c%20d/e</Key>"), "{}", raw.text());
    assert!(raw.text().contains("<Key>c%2Bd</Key>"), "{}", raw.text());
    let decoded = list(&|o| o.encoding_type = Some("url".into()));
    assert_eq!(decoded.contents[4].key, "c d/e");
    assert_eq!(decoded.contents[6].key, "中");

    // `+` in a query string is a space.
    let mut req = h.req(Method::Get, "");
    req.query.push(("prefix".into(), "c d".into()));
    let url_with_plus = req.url().replace("%20", "+");
    let kt = cos_proto::KeyTime::for_request(
        std::time::SystemTime::now(),
        std::time::Duration::from_secs(60),
    )
    .expect("kt");
    let mut signed = req.clone();
    signed.sign(&h.signer, kt).expect("sign");
    let resp = h.send_url(
        "GET",
        &url_with_plus,
        req.host(),
        &signed.headers,
        Vec::new(),
    );
    assert_eq!(resp.status, 200, "{}", resp.text());
    assert!(
        resp.text().contains("<Key>c d/e</Key>") && !resp.text().contains("c+d"),
        "{}",
        resp.text()
    );
}

#[test]
fn delete_multiple_objects() {
    let h = Harness::new();
    for k in ["x", "y"] {
        h.put(k, b"1", &[]);
    }
    let body = b"<Delete><Quiet>false</Quiet><Object><Key>x</Key></Object><Object><Key>y</Key></Object><Object><Key>nope</Key></Object></Delete>".to_vec();
    let mut req = h
        .req(Method::Post, "")
        .with_query("delete", "")
        .with_header("Content-MD5", cos_proto::ops::content_md5(&body));
    req.set_body(cos_proto::Body::from(body.clone()));
    let resp = h.send(req.clone());
    assert_eq!(resp.status, 200, "{}", resp.text());
    let root = cos_proto::xml::parse("t", &resp.body).expect("xml");
    let deleted: Vec<String> = root
        .children_named("Deleted")
        .filter_map(|d| d.text_of("Key"))
        .collect();
    assert_eq!(deleted, ["x", "y", "nope"]);
    assert_eq!(h.get("x", &[]).status, 404);

    let quiet = body_req(
        &h,
        b"<Delete><Quiet>true</Quiet><Object><Key>z</Key></Object></Delete>",
    );
    let resp = h.send(quiet);
    assert_eq!(resp.status, 200);
    assert!(!resp.text().contains("<Deleted>"), "{}", resp.text());

    let mut bad_md5 = req;
    bad_md5.headers.retain(|(n, _)| n != "Content-MD5");
    bad_md5 = bad_md5.with_header("Content-MD5", cos_proto::ops::content_md5(b"other"));
    h.send(bad_md5).assert_error(400, "BadDigest");
    h.send(body_req(&h, b"<Delete><Object>"))
        .assert_error(400, "MalformedXML");
    h.send(body_req(&h, b"<Delete></Delete>"))
        .assert_error(400, "MalformedXML");
    h.send(body_req(&h, b"<Other/>"))
        .assert_error(400, "MalformedXML");
    h.send(body_req(
        &h,
        b"<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>",
    ))
    .assert_error(400, "MalformedXML");
    let mut big = b"<Delete>".to_vec();
    big.resize(2 << 20, b' ');
    h.send(body_req(&h, &big))
        .assert_error(400, "EntityTooLarge");
    // COS requires Content-MD5 here (the SDKs always send it).
    let mut no_md5 = body_req(&h, b"<Delete><Object><Key>a</Key></Object></Delete>");
    no_md5.headers.retain(|(n, _)| n != "Content-MD5");
    h.send(no_md5).assert_error(400, "MissingContentMD5");
}

fn body_req(h: &Harness, body: &[u8]) -> cos_proto::Request {
    let mut req = h
        .req(Method::Post, "")
        .with_query("delete", "")
        .with_header("Content-MD5", cos_proto::ops::content_md5(body));
    req.set_body(cos_proto::Body::from(body.to_vec()));
    req
}

#[test]
fn get_service_by_region() {
    let h = Harness::new();
    let beijing = cos_proto::Region::new("ap-beijing").expect("region");
    let target = h
        .endpoint
        .target(
            &cos_proto::Bucket::new("north-1250000000").expect("bucket"),
            &beijing,
        )
        .expect("target");
    let made = h.send(cos_proto::Request::new(Method::Put, target, ""));
    assert_eq!(made.status, 200, "{}", made.text());
    let names = |region: Option<&str>| -> Vec<(String, String)> {
        h.op(
            &GetService {
                region: region.map(str::to_owned),
                ..GetService::default()
            },
            false,
        )
        .expect("GetService")
        .buckets
        .into_iter()
        .map(|b| (b.name, b.location))
        .collect()
    };
    assert_eq!(
        names(Some("ap-beijing")),
        [("north-1250000000".to_owned(), "ap-beijing".to_owned())]
    );
    assert_eq!(
        names(Some(REGION)),
        [(BUCKET.to_owned(), REGION.to_owned())]
    );
    assert_eq!(names(None).len(), 2);
}
