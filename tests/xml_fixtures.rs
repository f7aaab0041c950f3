//! Runs every `NAME.xml` / `NAME.json` pair of `../shared/fixtures/xml` (override:
//! `COS_XML_FIXTURES`), choosing the parser or builder from `INDEX.tsv`.
//!
//! Responses are parsed by the operation's own parser and serialized under the JS SDK's
//! field names; the result must equal the JSON exactly. Request bodies are built from the
//! JSON input by the operation's own builder and compared structurally with the XML (element
//! names, order, attributes and leaf text; indentation and the declaration are free). Where
//! INDEX.tsv lists a Content-MD5 for a request sample, the fixture's bytes must hash to it.

use std::path::{Path, PathBuf};

use cos_proto::ops::Operation;
use cos_proto::xml::{self, Element};
use cos_proto::{Endpoint, Response};
use cos_tests::{Tally, shared_path};
use serde_json::Value;

fn main() {
    let mut tally = Tally::default();
    let dir: PathBuf = shared_path("COS_XML_FIXTURES", "fixtures/xml");
    let index = match std::fs::read_to_string(dir.join("INDEX.tsv")) {
        Ok(text) => text,
        Err(e) => {
            tally.fail(
                "INDEX.tsv",
                format!("cannot read {} ({e}); set COS_XML_FIXTURES", dir.display()),
            );
            tally.finish("xml fixtures");
        }
    };
    for line in index.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let [name, direction, _operation, root, js_sdk, byte_check, ..] = cols[..] else {
            tally.fail(line, "INDEX.tsv row has fewer than 6 columns");
            continue;
        };
        match run(&dir, name, direction, root, js_sdk, byte_check) {
            Ok(()) => tally.check(name, "ok", "ok"),
            Err(why) => tally.fail(name, why),
        }
    }
    tally.finish("xml fixtures");
}

fn read(dir: &Path, file: &str) -> Result<Vec<u8>, String> {
    std::fs::read(dir.join(file)).map_err(|e| format!("cannot read {file}: {e}"))
}

fn run(
    dir: &Path,
    name: &str,
    direction: &str,
    root: &str,
    js_sdk: &str,
    byte_check: &str,
) -> Result<(), String> {
    let body = read(dir, &format!("{name}.xml"))?;
    let expected: Value = serde_json::from_slice(&read(dir, &format!("{name}.json"))?)
        .map_err(|e| format!("{name}.json is not JSON: {e}"))?;
    match direction {
        "response" => {
            let actual = parse_response(js_sdk, Response::new(200).with_body(body))?;
            let mut diffs = Vec::new();
            diff_json("", &expected, &actual, &mut diffs);
            if diffs.is_empty() {
                Ok(())
            } else {
                Err(diffs.join("\n  "))
            }
        }
        "request" => {
            if let Some(md5) = byte_check.split("Content-MD5 ").nth(1) {
                let actual = cos_proto::ops::content_md5(&body);
                if actual != md5.trim() {
                    return Err(format!(
                        "Content-MD5 of the sample: expected {md5}, got {actual}"
                    ));
                }
            }
            let built = build_request(js_sdk, &expected)?;
            let want = xml::parse("fixture", &body).map_err(|e| e.to_string())?;
            let got =
                xml::parse("built", &built).map_err(|e| format!("built body is not XML: {e}"))?;
            if got.name != root {
                return Err(format!("built root <{}>, expected <{root}>", got.name));
            }
            let mut diffs = Vec::new();
            diff_xml(&want.name, &want, &got, &mut diffs);
            if diffs.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "{}\n  built: {}",
                    diffs.join("\n  "),
                    String::from_utf8_lossy(&built)
                ))
            }
        }
        other => Err(format!("unknown direction {other}")),
    }
}

/// Every difference between `expected` and `actual`, by JSON path.
fn diff_json(path: &str, expected: &Value, actual: &Value, out: &mut Vec<String>) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => diff_json(&p, ev, av, out),
                    None => out.push(format!("{p}: missing, expected {ev}")),
                }
            }
            for k in a.keys().filter(|k| !e.contains_key(*k)) {
                out.push(format!("{path}.{k}: not in the JSON, got {}", a[k]));
            }
        }
        (Value::Array(e), Value::Array(a)) => {
            if e.len() != a.len() {
                out.push(format!("{path}: {} entries, expected {}", a.len(), e.len()));
            }
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                diff_json(&format!("{path}[{i}]"), ev, av, out);
            }
        }
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{path}: expected {e}, got {a}")),
    }
}

/// Every structural difference between two XML elements: names, order, attributes (other
/// than namespace declarations) and leaf text; whitespace between elements is free.
fn diff_xml(path: &str, want: &Element, got: &Element, out: &mut Vec<String>) {
    if want.name != got.name {
        out.push(format!(
            "{path}: element <{}>, expected <{}>",
            got.name, want.name
        ));
        return;
    }
    let attrs = |e: &Element| -> Vec<(String, String)> {
        let mut a: Vec<_> = e
            .attrs
            .iter()
            .filter(|(k, _)| k != "xsi" && k != "xmlns")
            .cloned()
            .collect();
        a.sort();
        a
    };
    if attrs(want) != attrs(got) {
        out.push(format!(
            "{path}: attributes {:?}, expected {:?}",
            attrs(got),
            attrs(want)
        ));
    }
    if want.children.is_empty() && got.children.is_empty() {
        if want.text != got.text {
            out.push(format!(
                "{path}: text {:?}, expected {:?}",
                got.text, want.text
            ));
        }
        return;
    }
    let names = |e: &Element| {
        e.children
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
    };
    if names(want) != names(got) {
        out.push(format!(
            "{path}: children {:?}, expected {:?}",
            names(got),
            names(want)
        ));
        return;
    }
    for (w, g) in want.children.iter().zip(&got.children) {
        diff_xml(&format!("{path}/{}", w.name), w, g, out);
    }
}

/// The endpoint every request fixture is built against (the body does not depend on it).
fn endpoint() -> Endpoint {
    Endpoint::new()
}

/// Serializes an operation's output for comparison.
fn to_json<T: serde::Serialize>(v: T) -> Result<Value, String> {
    serde_json::to_value(v).map_err(|e| format!("output does not serialize: {e}"))
}

/// Parses `response` with `op` and serializes the result.
fn parse_with<O>(op: O, response: Response) -> Result<Value, String>
where
    O: Operation,
    O::Output: serde::Serialize,
{
    to_json(op.parse(response).map_err(|e| e.to_string())?)
}

/// Builds `op`'s request and returns its body bytes.
fn body_of<O: Operation>(op: O) -> Result<Vec<u8>, String> {
    let req = op.to_request(&endpoint()).map_err(|e| e.to_string())?;
    match req.body {
        cos_proto::Body::Bytes(b) => Ok(b.to_vec()),
        other => Err(format!("expected an in-memory XML body, got {other:?}")),
    }
}

const BUCKET: &str = "examplebucket-1250000000";
const REGION: &str = "ap-guangzhou";

/// Parses a response fixture with the parser of the JS SDK call INDEX.tsv names.
fn parse_response(js_sdk: &str, response: Response) -> Result<Value, String> {
    use cos_proto::ops::{acl, bucket, cors, multipart, object};
    match js_sdk {
        "getBucket" => parse_with(bucket::GetBucket::default(), response),
        "getService" => parse_with(bucket::GetService::default(), response),
        "getBucketLocation" => parse_with(bucket::GetBucketLocation::default(), response),
        "getBucketAcl" => parse_with(acl::GetBucketAcl::default(), response),
        "getObjectAcl" => parse_with(acl::GetObjectAcl::default(), response),
        "getBucketCors" => parse_with(cors::GetBucketCors::default(), response),
        "multipartInit" => parse_with(multipart::MultipartInit::default(), response),
        "multipartComplete" => parse_with(multipart::MultipartComplete::default(), response),
        "multipartListPart" => parse_with(multipart::MultipartListPart::default(), response),
        "multipartList" => parse_with(multipart::MultipartList::default(), response),
        "uploadPartCopy" => parse_with(multipart::UploadPartCopy::default(), response),
        "deleteMultipleObject" => parse_with(object::DeleteMultipleObject::default(), response),
        "putObjectCopy" => parse_with(object::PutObjectCopy::default(), response),
        "err.error" => {
            // An error document: what a failed call reports.
            let response = Response {
                status: 403,
                ..response
            };
            match response.service_error("GetObject") {
                cos_proto::Error::Service(e) => to_json(*e),
                other => Err(format!("expected a service error, got {other}")),
            }
        }
        other => Err(format!("no parser for `{other}`")),
    }
}

/// Builds the request body of the JS SDK call INDEX.tsv names from the fixture's input JSON.
fn build_request(js_sdk: &str, input: &Value) -> Result<Vec<u8>, String> {
    use cos_proto::ops::{acl, cors, multipart, object};
    let field = |name: &str| {
        input
            .get(name)
            .cloned()
            .ok_or_else(|| format!("the input has no {name}"))
    };
    match js_sdk {
        "putBucketAcl" => body_of(acl::PutBucketAcl {
            bucket: BUCKET.into(),
            region: REGION.into(),
            access_control_policy: Some(from_json(input.clone())?),
            ..Default::default()
        }),
        "putObjectAcl" => body_of(acl::PutObjectAcl {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "exampleobject".into(),
            access_control_policy: Some(from_json(input.clone())?),
            ..Default::default()
        }),
        "putBucketCors" => body_of(cors::PutBucketCors {
            bucket: BUCKET.into(),
            region: REGION.into(),
            cors_rules: from_json(field("CORSRules")?)?,
            ..Default::default()
        }),
        "multipartComplete" => body_of(multipart::MultipartComplete {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "exampleobject".into(),
            upload_id: "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361"
                .into(),
            parts: from_json(field("Parts")?)?,
        }),
        "deleteMultipleObject" => body_of(object::DeleteMultipleObject {
            bucket: BUCKET.into(),
            region: REGION.into(),
            ..from_json(input.clone())?
        }),
        other => Err(format!("no builder for `{other}`")),
    }
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, String> {
    serde_json::from_value(v).map_err(|e| format!("the input does not fit: {e}"))
}
