//! Signing speed: the typical PUT and a multipart GET with a warm and a cold SignKey, and a
//! pre-signed URL.

use std::hint::black_box;
use std::time::{Duration, UNIX_EPOCH};

use cos_benches::bench_signer;
use cos_proto::{CanonicalRequest, Endpoint, GetObjectUrl, KeyTime, SignableRequest, StringToSign};
use criterion::{Criterion, criterion_group, criterion_main};

const HOST: &str = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

fn put_request() -> SignableRequest<'static> {
    SignableRequest::new("PUT", "/photos/2024/holiday.jpg")
        .header("Content-Type", "image/jpeg")
        .header("Content-Length", "1048576")
        .header("Content-MD5", "Q2hlY2sgSW50ZWdyaXR5IQ==")
        .header("Host", HOST)
        .header("x-cos-meta-author", "alice")
}

fn part_get_request() -> SignableRequest<'static> {
    SignableRequest::new("GET", "/videos/big.mp4")
        .header("Host", HOST)
        .query(
            "uploadId",
            "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361",
        )
        .query("partNumber", "17")
}

fn signing(c: &mut Criterion) {
    let signer = bench_signer();
    let kt = KeyTime::new(1_700_000_000, 1_700_000_900).unwrap_or_else(|e| panic!("{e}"));
    let put = put_request();
    let get = part_get_request();

    c.bench_function("sign PUT (warm SignKey)", |b| {
        b.iter(|| signer.sign(black_box(&put), kt))
    });
    c.bench_function("sign GET uploadId+partNumber (warm SignKey)", |b| {
        b.iter(|| signer.sign(black_box(&get), kt))
    });
    let mut start = 1_700_000_000;
    c.bench_function("sign PUT (cold SignKey)", |b| {
        b.iter(|| {
            // A new key time every time: the SignKey is derived afresh.
            start += 1;
            let kt = KeyTime::new(start, start + 900).unwrap_or_else(|e| panic!("{e}"));
            signer.sign(black_box(&put), kt)
        })
    });

    // A shape the signer has not kept: the metadata header's name changes every time, over
    // more names than the signer keeps shapes of, so every signature builds its shape.
    let names: Vec<String> = (0..16).map(|i| format!("x-cos-meta-author{i}")).collect();
    let mut i = 0;
    c.bench_function("sign PUT (warm SignKey, new shape)", |b| {
        b.iter(|| {
            i = (i + 1) % names.len();
            let req = SignableRequest::new("PUT", "/photos/2024/holiday.jpg")
                .header("Content-Type", "image/jpeg")
                .header("Content-Length", "1048576")
                .header("Content-MD5", "Q2hlY2sgSW50ZWdyaXR5IQ==")
                .header("Host", HOST)
                .header(&names[i], "alice");
            signer.sign(black_box(&req), kt)
        })
    });

    let endpoint = Endpoint::new();
    let mut url = GetObjectUrl::new(
        "examplebucket-1250000000",
        "ap-guangzhou",
        "photos/2024/holiday.jpg",
    );
    url.query = vec![("response-content-type".into(), "image/jpeg".into())];
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    c.bench_function("pre-signed GET URL", |b| {
        b.iter(|| url.url(&endpoint, Some(&signer), black_box(now)))
    });
}

/// The stages on their own, to see where the time of a signature goes.
fn stages(c: &mut Criterion) {
    let signer = bench_signer();
    let kt = KeyTime::new(1_700_000_000, 1_700_000_900).unwrap_or_else(|e| panic!("{e}"));
    let put = put_request();
    let key = signer.sign_key(kt);
    let canonical = CanonicalRequest::new(&put).unwrap_or_else(|e| panic!("{e}"));
    let sts = StringToSign::new("1700000000;1700000900", canonical.format_string());
    c.bench_function("stage: canonical request (PUT)", |b| {
        b.iter(|| CanonicalRequest::new(black_box(&put)))
    });
    c.bench_function("stage: string to sign (SHA-1)", |b| {
        b.iter(|| {
            StringToSign::new(
                "1700000000;1700000900",
                black_box(canonical.format_string()),
            )
        })
    });
    c.bench_function("stage: signature (pre-keyed HMAC)", |b| {
        b.iter(|| key.signature(black_box(&sts)))
    });
    c.bench_function("stage: SignKey lookup (warm)", |b| {
        b.iter(|| signer.sign_key(black_box(kt)))
    });
}

criterion_group!(benches, signing, stages);
criterion_main!(benches);
