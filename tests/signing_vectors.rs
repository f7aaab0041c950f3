//! Runs every case of `../shared/vectors/signing.json` (override: `COS_SIGNING_VECTORS`)
//! through cos-proto's `COS.getAuthorization` and compares the Authorization byte for byte.

use cos_proto::{Credentials, GetAuthorization, KeyTime};
use cos_tests::{Tally, pairs, read_shared};
use serde::Deserialize;
use std::time::UNIX_EPOCH;

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

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
    let mut tally = Tally::default();
    let text = match read_shared("COS_SIGNING_VECTORS", "vectors/signing.json") {
        Ok(text) => text,
        Err(e) => {
            tally.fail("signing.json", e);
            tally.finish("signing vectors");
        }
    };
    let file: File = match serde_json::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            tally.fail("signing.json", format!("not a vector file: {e}"));
            tally.finish("signing vectors");
        }
    };
    for case in &file.cases {
        match run(case) {
            Ok(actual) => tally.check(&case.name, case.authorization.as_str(), &actual),
            Err(e) => tally.fail(&case.name, e),
        }
    }
    tally.finish("signing vectors");
}
