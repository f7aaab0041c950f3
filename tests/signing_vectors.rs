//! Runs every case of `../shared/vectors/signing.json` (override: `COS_SIGNING_VECTORS`)
//! through cos-proto's `COS.getAuthorization` and compares the Authorization byte for byte.

use cos_proto::{Credentials, GetAuthorization, KeyTime};
use cos_tests::{VectorCase, pairs, run_vector_file};
use serde::Deserialize;
use std::time::UNIX_EPOCH;

#[derive(Deserialize)]
struct Case {
    name: String,
    secret_id: String,
    secret_key: String,
    method: String,
    key: String,
    query: serde_json::Value,
    headers: serde_json::Value,
    key_time: String,
    authorization: String,
}

impl VectorCase for Case {
    fn name(&self) -> &str {
        &self.name
    }

    fn expected(&self) -> &str {
        &self.authorization
    }

    fn actual(&self) -> Result<String, String> {
        run(self)
    }
}

fn run(case: &Case) -> Result<String, String> {
    let params = GetAuthorization {
        credentials: Some(
            Credentials::new(&case.secret_id, &case.secret_key).map_err(|e| e.to_string())?,
        ),
        method: case.method.clone(),
        key: case.key.clone(),
        expires: None,
        key_time: Some(KeyTime::parse(&case.key_time).map_err(|e| e.to_string())?),
        query: pairs(&case.query)?,
        headers: pairs(&case.headers)?,
    };
    // The fixed key time wins; `now` must not matter.
    params
        .sign(UNIX_EPOCH)
        .map(|auth| auth.as_str().to_owned())
        .map_err(|e| e.to_string())
}

fn main() {
    run_vector_file::<Case>(
        "signing vectors",
        "COS_SIGNING_VECTORS",
        "vectors/signing.json",
    );
}
