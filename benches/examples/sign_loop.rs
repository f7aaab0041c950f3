//! Signs the typical PUT in a loop, for profilers (`perf record`, `valgrind --tool=callgrind`).

use cos_benches::bench_signer;
use cos_proto::{KeyTime, SignableRequest};

fn main() {
    let signer = bench_signer();
    let kt = KeyTime::new(1_700_000_000, 1_700_000_900).unwrap_or_else(|e| panic!("{e}"));
    let req = SignableRequest::new("PUT", "/photos/2024/holiday.jpg")
        .header("Content-Type", "image/jpeg")
        .header("Content-Length", "1048576")
        .header("Content-MD5", "Q2hlY2sgSW50ZWdyaXR5IQ==")
        .header(
            "Host",
            "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com",
        )
        .header("x-cos-meta-author", "alice");
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let start = std::time::Instant::now();
    let mut len = 0;
    for _ in 0..n {
        len += signer
            .sign(std::hint::black_box(&req), kt)
            .map(|a| a.as_str().len())
            .unwrap_or(0);
    }
    println!(
        "{:.0} ns per signature ({len})",
        start.elapsed().as_nanos() as f64 / f64::from(n)
    );

    // The crypto alone: SHA-1 of the FormatString and the pre-keyed HMAC.
    let canonical = cos_proto::CanonicalRequest::new(&req).unwrap_or_else(|e| panic!("{e}"));
    let key = signer.sign_key(kt);
    let start = std::time::Instant::now();
    for _ in 0..n {
        let fs = std::hint::black_box(canonical.format_string());
        let sts = cos_proto::StringToSign::new("1700000000;1700000900", fs);
        len += usize::from(key.signature(&sts)[0]);
    }
    println!(
        "{:.0} ns of that is SHA-1 + HMAC ({len})",
        start.elapsed().as_nanos() as f64 / f64::from(n)
    );
    let start = std::time::Instant::now();
    for _ in 0..n {
        len += cos_proto::CanonicalRequest::new(std::hint::black_box(&req))
            .map(|c| c.format_string().len())
            .unwrap_or(0);
    }
    println!(
        "{:.0} ns to canonicalize ({len})",
        start.elapsed().as_nanos() as f64 / f64::from(n)
    );
}
