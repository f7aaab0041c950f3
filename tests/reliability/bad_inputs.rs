//! Bad input, across the API: each invalid parameter is a typed `InvalidInput` error naming
//! the field, returned before anything is sent — the emulator counts no request at all.

#[path = "../blocking/common/mod.rs"]
mod common;

use std::io::Write;

use common::{BUCKET, REGION, Scratch, Target, static_key};
use cos_blocking::proto::ops::acl::{PutBucketAcl, PutObjectAcl};
use cos_blocking::proto::ops::bucket::{GetBucket, PutBucket};
use cos_blocking::proto::ops::cors::{OptionsObject, PutBucketCors};
use cos_blocking::proto::ops::multipart::{
    CompletedPart, MultipartComplete, MultipartListPart, MultipartUpload, UploadPartCopy,
};
use cos_blocking::proto::ops::object::{
    DeleteMultipleObject, GetObject, HeadObject, ObjectToDelete, PutObject, PutObjectCopy,
};
use cos_blocking::proto::types::CorsRule;
use cos_blocking::proto::{GetObjectUrl, Scheme};
use cos_blocking::{
    Client, Config, DownloadFile, ErrorKind, Result, SliceUploadFile, TaskId, UploadBody,
};
use cos_emulator::Emulator;

/// One case: what it is, the field its error must name, and the call.
type Case<'a> = (
    &'static str,
    &'static str,
    Box<dyn Fn(&Client) -> Result<()> + 'a>,
);

fn put() -> PutObject {
    PutObject {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: "k".into(),
        body: b"data".to_vec().into(),
        ..PutObject::default()
    }
}

fn get() -> GetObject {
    GetObject {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: "k".into(),
        ..GetObject::default()
    }
}

fn part() -> MultipartUpload {
    MultipartUpload {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: "k".into(),
        part_number: 1,
        upload_id: "id".into(),
        body: b"data".to_vec().into(),
        ..MultipartUpload::default()
    }
}

fn cors(rule: CorsRule) -> PutBucketCors {
    PutBucketCors {
        bucket: BUCKET.into(),
        region: REGION.into(),
        cors_rules: vec![rule],
        ..PutBucketCors::default()
    }
}

fn rule() -> CorsRule {
    CorsRule {
        allowed_origins: vec!["https://a.example".into()],
        allowed_methods: vec!["GET".into()],
        ..CorsRule::default()
    }
}

fn copy() -> PutObjectCopy {
    PutObjectCopy {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: "k".into(),
        copy_source: format!("{BUCKET}.cos.{REGION}.myqcloud.com/src"),
        ..PutObjectCopy::default()
    }
}

/// Runs `f` on a copy of `base` changed by `edit`.
fn with<T: Clone>(base: T, edit: impl Fn(&mut T)) -> T {
    let mut v = base;
    edit(&mut v);
    v
}

fn done<T>(r: Result<T>) -> Result<()> {
    r.map(|_| ())
}

#[test]
fn every_bad_input_is_a_typed_error_naming_its_field_and_nothing_is_sent() {
    let scratch = Scratch::new("bad-inputs");
    let file = scratch.0.join("f.bin");
    std::fs::write(&file, common::data(3 << 20)).expect("write");
    let t = Target::embedded("bad-inputs", Emulator::builder(), static_key, |c| c);
    let build = |b: cos_blocking::ClientBuilder| done(b.build());
    let upload = |edit: &dyn Fn(&mut SliceUploadFile<'_>)| {
        let mut p = SliceUploadFile {
            object: with(put(), |p| p.body = Default::default()),
            body: UploadBody::path(&file),
            ..SliceUploadFile::default()
        };
        edit(&mut p);
        p
    };
    let cases: Vec<Case<'_>> = vec![
        // Bucket and region names.
        (
            "bucket without appid",
            "Bucket",
            Box::new(|c| done(c.put_object(&with(put(), |p| p.bucket = "examplebucket".into())))),
        ),
        (
            "bucket in upper case",
            "Bucket",
            Box::new(|c| {
                done(c.put_object(&with(put(), |p| p.bucket = "Example-1250000000".into())))
            }),
        ),
        (
            "empty bucket",
            "Bucket",
            Box::new(|c| {
                done(c.get_bucket(&GetBucket {
                    region: REGION.into(),
                    ..GetBucket::default()
                }))
            }),
        ),
        (
            "bucket with a slash",
            "Bucket",
            Box::new(|c| done(c.get_object(&with(get(), |g| g.bucket = "a/b-1250000000".into())))),
        ),
        (
            "bucket as a host",
            "Bucket",
            Box::new(|c| {
                done(c.put_bucket(&PutBucket {
                    bucket: "evil.com#-1250000000".into(),
                    region: REGION.into(),
                    ..PutBucket::default()
                }))
            }),
        ),
        (
            "region with a space",
            "Region",
            Box::new(|c| done(c.put_object(&with(put(), |p| p.region = "ap guangzhou".into())))),
        ),
        (
            "region with a dot",
            "Region",
            Box::new(|c| done(c.get_object(&with(get(), |g| g.region = "ap.evil.com".into())))),
        ),
        // Keys.
        (
            "empty key (put)",
            "Key",
            Box::new(|c| done(c.put_object(&with(put(), |p| p.key.clear())))),
        ),
        (
            "empty key (head)",
            "Key",
            Box::new(|c| {
                done(c.head_object(&HeadObject {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    ..HeadObject::default()
                }))
            }),
        ),
        (
            "empty key (slice upload)",
            "Key",
            Box::new(|c| done(c.slice_upload_file(upload(&|p| p.object.key.clear())))),
        ),
        // Headers that would split the request.
        (
            "CR/LF in Content-Type",
            "Headers[Content-Type]",
            Box::new(|c| {
                done(c.put_object(&with(put(), |p| {
                    p.content_type = Some("text/plain\r\nX-Evil: 1".into())
                })))
            }),
        ),
        (
            "LF in Cache-Control",
            "Headers[Cache-Control]",
            Box::new(|c| {
                done(c.put_object(&with(put(), |p| {
                    p.cache_control = Some("no-cache\nX-Evil: 1".into())
                })))
            }),
        ),
        (
            "CR/LF in metadata value",
            "Headers[x-cos-meta-a]",
            Box::new(|c| {
                done(c.put_object(&with(put(), |p| {
                    p.metadata = vec![("a".into(), "1\r\nX-Evil: 1".into())]
                })))
            }),
        ),
        (
            "space in metadata name",
            "Headers[x-cos-meta-a b]",
            Box::new(|c| {
                done(c.put_object(&with(put(), |p| {
                    p.metadata = vec![("a b".into(), "1".into())]
                })))
            }),
        ),
        (
            "CR/LF in If-Match",
            "Headers[If-Match]",
            Box::new(|c| {
                done(c.get_object(&with(get(), |g| {
                    g.if_match = Some("\"x\"\r\nX-Evil: 1".into())
                })))
            }),
        ),
        (
            "NUL in If-None-Match",
            "Headers[If-None-Match]",
            Box::new(|c| {
                done(c.get_object(&with(get(), |g| g.if_none_match = Some("a\0b".into()))))
            }),
        ),
        (
            "CR/LF in Content-Disposition",
            "Headers[Content-Disposition]",
            Box::new(|c| {
                done(c.put_object(&with(put(), |p| {
                    p.content_disposition = Some("a\r\n\r\nbody".into())
                })))
            }),
        ),
        (
            "CR/LF in Expires",
            "Headers[Expires]",
            Box::new(|c| {
                done(c.put_object(&with(put(), |p| {
                    p.expires = Some("never\r\nX-Evil: 1".into())
                })))
            }),
        ),
        (
            "copy source without a key",
            "CopySource",
            Box::new(|c| {
                done(c.put_object_copy(&with(copy(), |p| {
                    p.copy_source = format!("{BUCKET}.cos.{REGION}.myqcloud.com/")
                })))
            }),
        ),
        // Ranges.
        (
            "range that ends before it starts",
            "Range",
            Box::new(|c| done(c.get_object(&with(get(), |g| g.range = Some("bytes=5-1".into()))))),
        ),
        (
            "range in other units",
            "Range",
            Box::new(|c| done(c.get_object(&with(get(), |g| g.range = Some("items=0-1".into()))))),
        ),
        (
            "range set on downloadFile",
            "Range",
            Box::new(|c| {
                done(c.download_file(DownloadFile {
                    object: with(get(), |g| g.range = Some("bytes=0-1".into())),
                    path: scratch.0.join("out"),
                    ..DownloadFile::default()
                }))
            }),
        ),
        (
            "copy source range not numbers",
            "CopySourceRange",
            Box::new(|c| {
                done(c.upload_part_copy(&UploadPartCopy {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "k".into(),
                    part_number: 1,
                    upload_id: "id".into(),
                    copy_source: copy().copy_source,
                    copy_source_range: Some("bytes=a-b".into()),
                    ..UploadPartCopy::default()
                }))
            }),
        ),
        // Part numbers and sizes.
        (
            "part number 0",
            "PartNumber",
            Box::new(|c| done(c.multipart_upload(&with(part(), |p| p.part_number = 0)))),
        ),
        (
            "part number 10001",
            "PartNumber",
            Box::new(|c| done(c.multipart_upload(&with(part(), |p| p.part_number = 10_001)))),
        ),
        (
            "empty upload id",
            "UploadId",
            Box::new(|c| done(c.multipart_upload(&with(part(), |p| p.upload_id.clear())))),
        ),
        (
            "declared length unlike the body",
            "ContentLength",
            Box::new(|c| done(c.multipart_upload(&with(part(), |p| p.content_length = Some(5))))),
        ),
        (
            "Content-MD5 not base64 of 16 bytes",
            "ContentMD5",
            Box::new(|c| {
                done(c.put_object(&with(put(), |p| p.content_md5 = Some("not-md5".into()))))
            }),
        ),
        (
            "complete with no parts",
            "Parts",
            Box::new(|c| {
                done(c.multipart_complete(&MultipartComplete {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "k".into(),
                    upload_id: "id".into(),
                    parts: vec![],
                }))
            }),
        ),
        (
            "complete with a part twice",
            "Parts",
            Box::new(|c| {
                done(c.multipart_complete(&MultipartComplete {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "k".into(),
                    upload_id: "id".into(),
                    parts: vec![
                        CompletedPart {
                            part_number: 1,
                            etag: "\"a\"".into(),
                        },
                        CompletedPart {
                            part_number: 1,
                            etag: "\"b\"".into(),
                        },
                    ],
                }))
            }),
        ),
        (
            "list of more than 1000 parts",
            "MaxParts",
            Box::new(|c| {
                done(c.multipart_list_part(&MultipartListPart {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "k".into(),
                    upload_id: "id".into(),
                    max_parts: Some(1001),
                    ..MultipartListPart::default()
                }))
            }),
        ),
        (
            "slice upload chunk under 1 MiB",
            "ChunkSize",
            Box::new(|c| done(c.slice_upload_file(upload(&|p| p.chunk_size = Some(1000))))),
        ),
        (
            "download chunk under 1 MiB",
            "ChunkSize",
            Box::new(|c| {
                done(c.download_file(DownloadFile {
                    object: get(),
                    path: scratch.0.join("out"),
                    chunk_size: Some(1),
                    ..DownloadFile::default()
                }))
            }),
        ),
        // ACL strings.
        (
            "unknown canned object ACL",
            "ACL",
            Box::new(|c| done(c.put_object(&with(put(), |p| p.acl = Some("public".into()))))),
        ),
        (
            "unknown canned bucket ACL",
            "ACL",
            Box::new(|c| {
                done(c.put_bucket_acl(&PutBucketAcl {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    acl: Some("everyone".into()),
                    ..PutBucketAcl::default()
                }))
            }),
        ),
        (
            "CR/LF in an object grant",
            "GrantReadAcp",
            Box::new(|c| {
                done(c.put_object_acl(&PutObjectAcl {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "k".into(),
                    grant_read_acp: Some("id=\"a\"\nX-Evil: 1".into()),
                    ..PutObjectAcl::default()
                }))
            }),
        ),
        (
            "CR/LF in a grant",
            "GrantWrite",
            Box::new(|c| {
                done(c.put_bucket_acl(&PutBucketAcl {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    grant_write: Some("id=\"a\"\r\nX-Evil: 1".into()),
                    ..PutBucketAcl::default()
                }))
            }),
        ),
        (
            "unknown storage class",
            "StorageClass",
            Box::new(|c| {
                done(c.put_object(&with(put(), |p| {
                    p.storage_class = Some("COLD_AS_ICE".into())
                })))
            }),
        ),
        (
            "unknown metadata directive",
            "MetadataDirective",
            Box::new(|c| {
                done(c.put_object_copy(&with(copy(), |p| {
                    p.metadata_directive = Some("Maybe".into())
                })))
            }),
        ),
        // CORS rules.
        (
            "no CORS rule",
            "CORSRules",
            Box::new(|c| {
                done(c.put_bucket_cors(&PutBucketCors {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    ..PutBucketCors::default()
                }))
            }),
        ),
        (
            "CORS rule without origin",
            "CORSRules[0].AllowedOrigins",
            Box::new(|c| {
                done(c.put_bucket_cors(&cors(with(rule(), |r| r.allowed_origins.clear()))))
            }),
        ),
        (
            "CORS rule with an unknown method",
            "CORSRules[0].AllowedMethods",
            Box::new(|c| {
                done(c.put_bucket_cors(&cors(with(rule(), |r| {
                    r.allowed_methods = vec!["FETCH".into()]
                }))))
            }),
        ),
        (
            "CORS rule without method",
            "CORSRules[0].AllowedMethods",
            Box::new(|c| {
                done(c.put_bucket_cors(&cors(with(rule(), |r| r.allowed_methods.clear()))))
            }),
        ),
        (
            "preflight without origin",
            "Origin",
            Box::new(|c| {
                done(c.options_object(&OptionsObject {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "k".into(),
                    access_control_request_method: "GET".into(),
                    ..OptionsObject::default()
                }))
            }),
        ),
        (
            "preflight for an unknown method",
            "AccessControlRequestMethod",
            Box::new(|c| {
                done(c.options_object(&OptionsObject {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "k".into(),
                    origin: "https://a.example".into(),
                    access_control_request_method: "FETCH".into(),
                    ..OptionsObject::default()
                }))
            }),
        ),
        // Listings and batches.
        (
            "unknown encoding type",
            "EncodingType",
            Box::new(|c| {
                done(c.get_bucket(&GetBucket {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    encoding_type: Some("base64".into()),
                    ..GetBucket::default()
                }))
            }),
        ),
        (
            "max-keys over 1000",
            "MaxKeys",
            Box::new(|c| {
                done(c.get_bucket(&GetBucket {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    max_keys: Some(1001),
                    ..GetBucket::default()
                }))
            }),
        ),
        (
            "batch delete of nothing",
            "Objects",
            Box::new(|c| {
                done(c.delete_multiple_object(&DeleteMultipleObject {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    ..DeleteMultipleObject::default()
                }))
            }),
        ),
        (
            "batch delete of 1001 keys",
            "Objects",
            Box::new(|c| {
                done(
                    c.delete_multiple_object(&DeleteMultipleObject {
                        bucket: BUCKET.into(),
                        region: REGION.into(),
                        objects: (0..1001)
                            .map(|i| ObjectToDelete {
                                key: format!("k{i}"),
                                ..ObjectToDelete::default()
                            })
                            .collect(),
                        ..DeleteMultipleObject::default()
                    }),
                )
            }),
        ),
        (
            "copy source that names no object",
            "CopySource",
            Box::new(|c| {
                done(c.put_object_copy(&with(copy(), |p| p.copy_source = "not a source".into())))
            }),
        ),
        // Signed URLs.
        (
            "signed URL valid for 0 s",
            "Expires",
            Box::new(|c| {
                done(c.get_object_url(&GetObjectUrl {
                    bucket: BUCKET.into(),
                    region: REGION.into(),
                    key: "k".into(),
                    sign: true,
                    expires: Some(0),
                    ..GetObjectUrl::default()
                }))
            }),
        ),
        // Credential shapes.
        (
            "empty SecretId",
            "SecretId",
            Box::new(|_| build(Client::builder().secret("", "key"))),
        ),
        (
            "SecretId with a space",
            "SecretId",
            Box::new(|_| build(Client::builder().secret("AKID x", "key"))),
        ),
        (
            "SecretId with CR/LF",
            "SecretId",
            Box::new(|_| build(Client::builder().secret("AKID\r\nX-Evil: 1", "key"))),
        ),
        (
            "empty SecretKey",
            "SecretKey",
            Box::new(|_| build(Client::builder().secret("AKIDx", ""))),
        ),
        (
            "security token with CR/LF",
            "XCosSecurityToken",
            Box::new(|_| {
                build(
                    Client::builder()
                        .secret("AKIDx", "key")
                        .security_token("tok\r\nX-Evil: 1"),
                )
            }),
        ),
        (
            "no way to authenticate",
            "Credentials",
            Box::new(|_| build(Client::builder())),
        ),
        (
            "two ways to authenticate",
            "Credentials",
            Box::new(|_| {
                build(
                    Client::builder()
                        .secret("AKIDx", "key")
                        .secret("AKIDy", "key"),
                )
            }),
        ),
        // Option values.
        (
            "User-Agent with CR/LF",
            "UserAgent",
            Box::new(|_| {
                build(
                    Client::builder()
                        .secret("AKIDx", "key")
                        .config(Config::default().user_agent("ua\r\nX-Evil: 1")),
                )
            }),
        ),
        (
            "domain template with a path",
            "Domain",
            Box::new(|_| {
                build(
                    Client::builder()
                        .secret("AKIDx", "key")
                        .config(Config::default().domain("{Bucket}.example.com/evil")),
                )
            }),
        ),
        (
            "connect address with a path",
            "ConnectAddress",
            Box::new(|_| {
                build(
                    Client::builder().secret("AKIDx", "key").config(
                        Config::default()
                            .protocol(Scheme::Http)
                            .connect_address("127.0.0.1:80/evil"),
                    ),
                )
            }),
        ),
        (
            "unknown task id",
            "taskId",
            Box::new(|c| c.pause_task(TaskId::from_u64(424_242))),
        ),
    ];
    let mut failures = Vec::new();
    for (case, field, call) in &cases {
        match call(&t.client) {
            Err(e) => match e.kind() {
                ErrorKind::InvalidInput { field: named, .. } if named == field => {
                    if e.attempts() != 0 {
                        failures.push(format!("{case}: {} attempts", e.attempts()));
                    }
                }
                _ => failures.push(format!(
                    "{case}: expected InvalidInput for {field}, got {e:?}"
                )),
            },
            Ok(()) => failures.push(format!("{case}: accepted")),
        }
        let sent: u64 = t.emu().counts().values().sum();
        if sent != 0 {
            failures.push(format!("{case}: {sent} requests sent"));
            t.emu().reset_counts();
        }
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "bad inputs: {} cases, {} refused as expected, 0 requests sent",
        cases.len(),
        cases.len() - failures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(cases.len() >= 40);
}
