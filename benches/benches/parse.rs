//! Parsing speed: a 1000-entry ListBucketResult, as GetBucket returns at most per page.

use std::hint::black_box;

use cos_benches::list_bucket_result_xml;
use cos_proto::Response;
use cos_proto::ops::Operation;
use cos_proto::ops::bucket::GetBucket;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn parse(c: &mut Criterion) {
    let body = list_bucket_result_xml(1000);
    let op = GetBucket::default();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("ListBucketResult, 1000 entries", |b| {
        b.iter(|| op.parse(Response::new(200).with_body(black_box(body.clone()))))
    });
    group.finish();
}

criterion_group!(benches, parse);
criterion_main!(benches);
