//! Parses a 1000-entry ListBucketResult in a loop, for profilers.

use cos_proto::Response;
use cos_proto::ops::Operation;
use cos_proto::ops::bucket::GetBucket;

fn main() {
    let body = cos_benches::list_bucket_result_xml(1000);
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let op = GetBucket::default();
    let start = std::time::Instant::now();
    let mut entries = 0;
    for _ in 0..n {
        entries += op
            .parse(Response::new(200).with_body(body.clone()))
            .map(|r| r.contents.len())
            .unwrap_or(0);
    }
    let per = start.elapsed().as_secs_f64() / f64::from(n);
    println!(
        "{:.2} ms per 1000-entry page ({entries} entries)",
        per * 1e3
    );
}
