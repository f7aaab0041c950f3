//! cos-blocking CORS calls over real HTTP: putBucketCors, getBucketCors, optionsObject
//! (allowed and refused preflights) and deleteBucketCors.
//!
//! The configuration belongs to the bucket, not to a key prefix, so the whole story is one
//! test (tests of one suite run in parallel), and it ends by deleting the configuration.

mod common;

use common::{Target, static_key};
use cos_blocking::proto::Operation;
use cos_blocking::proto::ops::cors::{
    DeleteBucketCors, GetBucketCors, OptionsObject, PutBucketCors,
};
use cos_blocking::proto::types::CorsRule;
use cos_blocking::{ErrorKind, RetryPolicy};
use cos_emulator::Emulator;

fn rules() -> Vec<CorsRule> {
    vec![
        CorsRule {
            id: Some("site".into()),
            allowed_origins: vec!["https://www.example.com".into()],
            allowed_methods: vec!["GET".into(), "PUT".into()],
            allowed_headers: vec!["x-cos-meta-*".into(), "content-type".into()],
            expose_headers: vec!["ETag".into(), "x-cos-request-id".into()],
            max_age_seconds: Some(600),
        },
        CorsRule {
            id: Some("any".into()),
            allowed_origins: vec!["*".into()],
            allowed_methods: vec!["HEAD".into()],
            allowed_headers: vec!["*".into()],
            expose_headers: Vec::new(),
            max_age_seconds: None,
        },
    ]
}

fn get_cors(t: &Target) -> GetBucketCors {
    GetBucketCors {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
    }
}

fn options(t: &Target, origin: &str, method: &str, headers: Option<&str>) -> OptionsObject {
    OptionsObject {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key("page.html"),
        origin: origin.into(),
        access_control_request_method: method.into(),
        access_control_request_headers: headers.map(str::to_owned),
    }
}

#[test]
fn put_get_preflight_delete() {
    let t = Target::new("cors");
    let put = t
        .client
        .put_bucket_cors(&PutBucketCors {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            cors_rules: rules(),
            response_vary: None,
        })
        .expect("put cors");
    assert_eq!(put.meta.status, 200);

    let got = t.client.get_bucket_cors(&get_cors(&t)).expect("get cors");
    assert_eq!(got.cors_rules, rules());

    // Allowed by the first rule: the origin echoed, its methods, the headers asked for.
    let allowed = t
        .client
        .options_object(&options(
            &t,
            "https://www.example.com",
            "PUT",
            Some("x-cos-meta-author,content-type"),
        ))
        .expect("preflight");
    assert!(!allowed.options_forbidden);
    assert_eq!(allowed.meta.status, 200);
    assert_eq!(
        allowed.access_control_allow_origin.as_deref(),
        Some("https://www.example.com")
    );
    assert_eq!(
        allowed.access_control_allow_methods.as_deref(),
        Some("GET,PUT")
    );
    assert_eq!(
        allowed.access_control_allow_headers.as_deref(),
        Some("x-cos-meta-author,content-type")
    );
    assert_eq!(
        allowed.access_control_expose_headers.as_deref(),
        Some("ETag,x-cos-request-id")
    );
    assert_eq!(allowed.access_control_max_age, Some(600));

    // Allowed by the wildcard rule: `*` answered, nothing exposed, no max age.
    let any = t
        .client
        .options_object(&options(&t, "https://elsewhere.example", "HEAD", None))
        .expect("preflight");
    assert!(!any.options_forbidden);
    assert_eq!(any.access_control_allow_origin.as_deref(), Some("*"));
    assert_eq!(any.access_control_allow_methods.as_deref(), Some("HEAD"));
    assert_eq!(any.access_control_allow_headers, None);
    assert_eq!(any.access_control_expose_headers, None);
    assert_eq!(any.access_control_max_age, None);

    // Refused: a method no rule allows for this origin, a header the rule does not list.
    for (origin, method, headers) in [
        ("https://elsewhere.example", "PUT", None),
        ("https://www.example.com", "DELETE", None),
        ("https://www.example.com", "GET", Some("x-custom")),
    ] {
        let refused = t
            .client
            .options_object(&options(&t, origin, method, headers))
            .expect("a refusal is not an error");
        assert!(refused.options_forbidden, "{origin} {method} {headers:?}");
        assert_eq!(refused.meta.status, 403);
        assert_eq!(refused.access_control_allow_origin, None);
        assert_eq!(refused.access_control_allow_methods, None);
    }

    let deleted = t
        .client
        .delete_bucket_cors(&DeleteBucketCors {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
        })
        .expect("delete cors");
    assert_eq!(deleted.meta.status, 204);

    let err = t
        .client
        .get_bucket_cors(&get_cors(&t))
        .expect_err("no cors");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.code(), Some("NoSuchCORSConfiguration"));
    let service = err.service().expect("a service error");
    assert_eq!(service.operation, GetBucketCors::NAME);
    assert_eq!(err.context().operation, GetBucketCors::NAME);
    assert_eq!(err.attempts(), 1);
    assert!(
        err.to_string()
            .contains("GetBucketCORS failed: HTTP 404 NoSuchCORSConfiguration"),
        "{err}"
    );

    // Without a configuration every preflight is refused.
    let refused = t
        .client
        .options_object(&options(&t, "https://www.example.com", "GET", None))
        .expect("a refusal is not an error");
    assert!(refused.options_forbidden);
}

#[test]
fn bad_configurations_are_refused() {
    // Its own emulator: this test changes no bucket another test uses.
    let t = Target::embedded("cors-bad", Emulator::builder(), static_key, |c| {
        c.retry(RetryPolicy::none())
    });
    let err = t
        .client
        .put_bucket_cors(&PutBucketCors {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            cors_rules: Vec::new(),
            response_vary: None,
        })
        .expect_err("no rules");
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { .. }),
        "{err}"
    );
    let err = t
        .client
        .options_object(&options(&t, "", "GET", None))
        .expect_err("no origin");
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { field, .. } if field == "Origin"),
        "{err}"
    );
    assert_eq!(t.emu().counts().values().sum::<u64>(), 0, "nothing sent");
    let err = t
        .client
        .get_bucket_cors(&get_cors(&t))
        .expect_err("none yet");
    assert_eq!(err.code(), Some("NoSuchCORSConfiguration"));
}
