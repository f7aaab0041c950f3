//! Benchmarks of cos-rs. The criterion benchmarks live in `benches/`; run them with
//! `cargo bench -p cos-benches`. This library holds the inputs they share.

use cos_proto::{Credentials, Signer};

/// A signer with fixed, fake credentials, as every benchmark uses.
pub fn bench_signer() -> Signer {
    match Credentials::new(
        "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
        "Gu5t9xGARNpq86cd98joQYCN3EXAMPLEKEY",
    ) {
        Ok(c) => Signer::new(c),
        Err(e) => panic!("fixed benchmark credentials are valid: {e}"),
    }
}

/// A `ListBucketResult` document with `entries` objects, shaped like COS's answer (owner,
/// storage class, quoted ETags, ISO dates), for parsing benchmarks.
pub fn list_bucket_result_xml(entries: usize) -> Vec<u8> {
    let mut xml = String::with_capacity(entries * 420 + 400);
    xml.push_str("<?xml version='1.0' encoding='utf-8' ?>\n<ListBucketResult>\n\t<Name>examplebucket-1250000000</Name>\n\t<Prefix>photos/</Prefix>\n\t<Marker/>\n\t<MaxKeys>1000</MaxKeys>\n\t<IsTruncated>true</IsTruncated>\n\t<NextMarker>photos/2024/img-00999.jpg</NextMarker>\n");
    for i in 0..entries {
        xml.push_str(&format!(
            "\t<Contents>\n\t\t<Key>photos/2024/img-{i:05}.jpg</Key>\n\t\t<LastModified>2024-06-23T12:33:27.000Z</LastModified>\n\t\t<ETag>&quot;{:032x}&quot;</ETag>\n\t\t<Size>{}</Size>\n\t\t<Owner>\n\t\t\t<ID>1250000000</ID>\n\t\t\t<DisplayName>1250000000</DisplayName>\n\t\t</Owner>\n\t\t<StorageClass>STANDARD</StorageClass>\n\t</Contents>\n",
            (i as u128).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835),
            1_000_000 + i * 37
        ));
    }
    xml.push_str("</ListBucketResult>");
    xml.into_bytes()
}
