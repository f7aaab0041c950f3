//! Bucket CORS: put/get/delete, preflights allowed and refused, and the CORS headers of
//! ordinary responses.

mod common;

use common::{BUCKET, Harness, REGION, service_code};
use cos_proto::Method;
use cos_proto::ops::cors::{DeleteBucketCors, GetBucketCors, OptionsObject, PutBucketCors};
use cos_proto::types::CorsRule;

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn rules() -> Vec<CorsRule> {
    vec![
        CorsRule {
            id: Some("site".into()),
            allowed_origins: strings(&["https://*.example.com", "http://www.qq.com"]),
            allowed_methods: strings(&["put", "GET"]),
            allowed_headers: strings(&["content-type", "x-cos-meta-*"]),
            expose_headers: strings(&["ETag", "x-cos-request-id"]),
            max_age_seconds: Some(600),
        },
        CorsRule {
            id: None,
            allowed_origins: strings(&["*"]),
            allowed_methods: strings(&["HEAD"]),
            allowed_headers: Vec::new(),
            expose_headers: Vec::new(),
            max_age_seconds: None,
        },
    ]
}

fn preflight(origin: &str, method: &str, headers: Option<&str>) -> OptionsObject {
    OptionsObject {
        bucket: BUCKET.into(),
        region: REGION.into(),
        key: "a.jpg".into(),
        origin: origin.into(),
        access_control_request_method: method.into(),
        access_control_request_headers: headers.map(str::to_owned),
    }
}

#[test]
fn put_get_delete_and_preflight() {
    let h = Harness::new();
    let get = GetBucketCors {
        bucket: BUCKET.into(),
        region: REGION.into(),
    };
    let err = h.op(&get, false).expect_err("no configuration yet");
    assert_eq!(
        service_code(&err),
        Some((404, "NoSuchCORSConfiguration".into()))
    );
    // Without a configuration every preflight is refused.
    let refused = h
        .op(&preflight("http://www.qq.com", "GET", None), false)
        .expect("a 403 preflight is an answer");
    assert!(refused.options_forbidden);

    h.op(
        &PutBucketCors {
            bucket: BUCKET.into(),
            region: REGION.into(),
            cors_rules: rules(),
            response_vary: Some(false),
        },
        false,
    )
    .expect("PutBucketCors");
    let stored = h.op(&get, false).expect("GetBucketCors");
    let mut want = rules();
    want[0].allowed_methods = strings(&["PUT", "GET"]);
    assert_eq!(stored.cors_rules, want);
    assert_eq!(stored.response_vary, Some(false));

    // Allowed: origin by wildcard, method, headers by wildcard (any case).
    let ok = h
        .op(
            &preflight(
                "https://www.example.com",
                "PUT",
                Some("Content-Type, x-cos-meta-author"),
            ),
            false,
        )
        .expect("preflight");
    assert!(!ok.options_forbidden);
    assert_eq!(
        ok.access_control_allow_origin.as_deref(),
        Some("https://www.example.com")
    );
    assert_eq!(ok.access_control_allow_methods.as_deref(), Some("PUT,GET"));
    assert_eq!(
        ok.access_control_allow_headers.as_deref(),
        Some("Content-Type,x-cos-meta-author")
    );
    assert_eq!(
        ok.access_control_expose_headers.as_deref(),
        Some("ETag,x-cos-request-id")
    );
    assert_eq!(ok.access_control_max_age, Some(600));
    // The `*` rule answers `*`.
    let any = h
        .op(&preflight("https://elsewhere.org", "HEAD", None), false)
        .expect("preflight");
    assert_eq!(any.access_control_allow_origin.as_deref(), Some("*"));

    // Refused: unknown origin, method not allowed, header not allowed.
    for (origin, method, headers) in [
        ("https://evil.org", "PUT", None),
        ("http://www.qq.com", "DELETE", None),
        ("http://www.qq.com", "PUT", Some("authorization")),
    ] {
        let out = h
            .op(&preflight(origin, method, headers), false)
            .expect("preflight");
        assert!(out.options_forbidden, "{origin} {method} {headers:?}");
    }
    // The 403 is a COS error document, and works unsigned as browsers send it.
    let mut raw = h
        .req(Method::Options, "a.jpg")
        .with_header("Origin", "https://evil.org")
        .with_header("Access-Control-Request-Method", "GET");
    h.send_raw(&raw).assert_error(403, "AccessForbidden");
    raw.headers.retain(|(n, _)| n != "Origin");
    raw = raw.with_header("Origin", "http://www.qq.com");
    let allowed = h.send_raw(&raw);
    assert_eq!(allowed.status, 200, "{}", allowed.text());

    // Ordinary responses carry the CORS headers when a rule allows the Origin and method.
    h.put("obj", b"data", &[]);
    let with_origin = h.get("obj", &[("Origin", "https://app.example.com")]);
    assert_eq!(
        with_origin.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    assert_eq!(
        with_origin.header("access-control-expose-headers"),
        Some("ETag,x-cos-request-id")
    );
    let other = h.get("obj", &[("Origin", "https://evil.org")]);
    assert_eq!(other.header("access-control-allow-origin"), None);
    assert_eq!(
        h.get("obj", &[]).header("access-control-allow-origin"),
        None
    );

    let deleted = h
        .op(
            &DeleteBucketCors {
                bucket: BUCKET.into(),
                region: REGION.into(),
            },
            false,
        )
        .expect("DeleteBucketCors");
    assert_eq!(deleted.meta.status, 204);
    let err = h.op(&get, false).expect_err("deleted");
    assert_eq!(
        service_code(&err),
        Some((404, "NoSuchCORSConfiguration".into()))
    );
}

#[test]
fn bad_configurations_are_refused() {
    let h = Harness::new();
    let put = |xml: &str| {
        let mut req = h.req(Method::Put, "").with_query("cors", "");
        req.set_body(cos_proto::Body::from(xml.as_bytes().to_vec()));
        h.send(req)
    };
    let rule = |inner: &str| {
        format!("<CORSConfiguration><CORSRule>{inner}</CORSRule></CORSConfiguration>")
    };
    put("<CORSConfiguration></CORSConfiguration>").assert_error(400, "MalformedXML");
    put("nonsense").assert_error(400, "MalformedXML");
    put(&rule("<AllowedMethod>GET</AllowedMethod>")).assert_error(400, "MalformedXML");
    put(&rule("<AllowedOrigin>*</AllowedOrigin>")).assert_error(400, "MalformedXML");
    put(&rule(
        "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>PATCH</AllowedMethod>",
    ))
    .assert_error(400, "InvalidArgument");
    put(&rule(
        "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><MaxAgeSeconds>soon</MaxAgeSeconds>",
    ))
    .assert_error(400, "MalformedXML");
    let ok = put(&rule(
        "<AllowedOrigin>*</AllowedOrigin><AllowedMethod>get</AllowedMethod>",
    ));
    assert_eq!(ok.status, 200, "{}", ok.text());
    let stored = h.send(h.req(Method::Get, "").with_query("cors", ""));
    assert!(stored.text().contains("<AllowedMethod>GET</AllowedMethod>"));
    h.send(
        h.path_req(Method::Get, "nobucket-1250000000", "")
            .with_query("cors", ""),
    )
    .assert_error(404, "NoSuchBucket");
}
