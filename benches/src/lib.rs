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
