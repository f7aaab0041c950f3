//! Signs the typical PUT in a loop, for profilers (`perf record`, `valgrind --tool=callgrind`).
//!
//! `sign_loop [N] [all|warm|cold]`: `warm` signs N times with one key time, `cold` with a new
//! key time each time (the SignKey is derived afresh), so that an instruction count of one
//! mode divided by N is the cost of one signature; `all` (the default) also times the crypto
//! stages and canonicalization on their own.

use cos_benches::bench_signer;
use cos_proto::{KeyTime, SignableRequest, Signer};

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
    let mut args = std::env::args().skip(1);
    let n: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let mode = args.next().unwrap_or_else(|| "all".to_owned());
    match mode.as_str() {
        "warm" => timed("per warm signature", n, |_| sign_len(&signer, &req, kt)),
        "cold" => timed("per cold signature", n, |i| {
            let start = 1_700_000_000 + u64::from(i);
            let kt = KeyTime::new(start, start + 900).unwrap_or_else(|e| panic!("{e}"));
            sign_len(&signer, &req, kt)
        }),
        _ => all_stages(&signer, &req, kt, n),
    }
}

fn sign_len(signer: &Signer, req: &SignableRequest<'_>, kt: KeyTime) -> usize {
    // black_box on the result too, so that the Authorization's allocation is not optimized out.
    std::hint::black_box(signer.sign(std::hint::black_box(req), kt))
        .map(|a| a.as_str().len())
        .unwrap_or(0)
}

/// Runs `f` for 0..n and prints the mean time per call.
fn timed(what: &str, n: u32, mut f: impl FnMut(u32) -> usize) {
    let start = std::time::Instant::now();
    let mut len = 0;
    for i in 0..n {
        len += f(i);
    }
    println!(
        "{:.0} ns {what} ({len})",
        start.elapsed().as_nanos() as f64 / f64::from(n)
    );
}

fn all_stages(signer: &Signer, req: &SignableRequest<'_>, kt: KeyTime, n: u32) {
    timed("per signature", n, |_| sign_len(signer, req, kt));
    // The crypto alone: SHA-1 of the FormatString and the pre-keyed HMAC.
    let canonical = cos_proto::CanonicalRequest::new(req).unwrap_or_else(|e| panic!("{e}"));
    let key = signer.sign_key(kt);
    timed("of that is SHA-1 + HMAC", n, |_| {
        let fs = std::hint::black_box(canonical.format_string());
        let sts = cos_proto::StringToSign::new("1700000000;1700000900", fs);
        usize::from(key.signature(&sts)[0])
    });
    timed("to canonicalize", n, |_| {
        cos_proto::CanonicalRequest::new(std::hint::black_box(req))
            .map(|c| c.format_string().len())
            .unwrap_or(0)
    });
}
