//! Runs every case of `../shared/vectors/presign.json` (override: `COS_PRESIGN_VECTORS`)
//! through cos-proto's `getObjectUrl` and compares the URL text exactly with the Node SDK's.

use cos_proto::{Credentials, Endpoint, GetObjectUrl, KeyTime, Signer};
use cos_tests::{VectorCase, pairs, run_vector_file};
use serde::Deserialize;
use std::time::UNIX_EPOCH;

#[derive(Deserialize)]
struct Case {
    name: String,
    secret_id: String,
    secret_key: String,
    security_token: Option<String>,
    bucket: String,
    region: String,
    key: String,
    method: String,
    query: serde_json::Value,
    headers: serde_json::Value,
    key_time: String,
    url: String,
}

impl VectorCase for Case {
    fn name(&self) -> &str {
        &self.name
    }

    fn expected(&self) -> &str {
        &self.url
    }

    fn actual(&self) -> Result<String, String> {
        run(self)
    }
}

fn run(case: &Case) -> Result<String, String> {
    let mut credentials =
        Credentials::new(&case.secret_id, &case.secret_key).map_err(|e| e.to_string())?;
    if let Some(token) = &case.security_token {
        credentials = credentials
            .with_security_token(token)
            .map_err(|e| e.to_string())?;
    }
    let params = GetObjectUrl {
        method: case.method.clone(),
        query: pairs(&case.query)?,
        headers: pairs(&case.headers)?,
        key_time: Some(KeyTime::parse(&case.key_time).map_err(|e| e.to_string())?),
        ..GetObjectUrl::new(&case.bucket, &case.region, &case.key)
    };
    params
        .url(
            &Endpoint::new(),
            Some(&Signer::new(credentials)),
            UNIX_EPOCH,
        )
        .map_err(|e| e.to_string())
}

fn main() {
    run_vector_file::<Case>(
        "presign vectors",
        "COS_PRESIGN_VECTORS",
        "vectors/presign.json",
    );
}
