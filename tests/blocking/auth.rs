//! The three ways to authenticate, over real HTTP against emulators that know a second
//! (temporary) credential: a fixed key, a credential provider (getSTS), an authorizer
//! (getAuthorization Format 2).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use common::Target;
use cos_blocking::proto::ops::object::PutObject;
use cos_blocking::proto::{Body, Credentials, GetAuthorization, GetObjectUrl, Secret};
use cos_blocking::{
    AuthError, AuthorizeRequest, Authorized, Client, CredentialScope, ErrorKind,
    TemporaryCredentials,
};
use cos_emulator::Emulator;

const TMP_ID: &str = "AKIDtemporary";
const TMP_KEY: &str = "temporary-secret-key";
const TOKEN: &str = "temporary-token-0123";

fn with_temporary() -> cos_emulator::EmulatorBuilder {
    let creds = Credentials::new(TMP_ID, TMP_KEY)
        .and_then(|c| c.with_security_token(TOKEN))
        .expect("credentials");
    Emulator::builder().credentials(creds)
}

fn put(t: &Target, key: &str) -> PutObject {
    PutObject {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: t.key(key),
        body: Body::from(b"data".to_vec()),
        ..PutObject::default()
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}

fn sts(lifetime: u64) -> TemporaryCredentials {
    TemporaryCredentials {
        tmp_secret_id: TMP_ID.into(),
        tmp_secret_key: Secret::new(TMP_KEY),
        security_token: Secret::new(TOKEN),
        expired_time: unix_now() + lifetime,
    }
}

#[test]
fn a_fixed_temporary_key_sends_its_token() {
    let t = Target::embedded(
        "auth-static-token",
        with_temporary(),
        |b| b.secret(TMP_ID, TMP_KEY).security_token(TOKEN),
        |c| c,
    );
    t.client
        .put_object(&put(&t, "k"))
        .expect("signed with the token");

    let t = Target::embedded(
        "auth-static-no-token",
        with_temporary(),
        |b| b.secret(TMP_ID, TMP_KEY),
        |c| c,
    );
    let err = t
        .client
        .put_object(&put(&t, "k"))
        .expect_err("token missing");
    assert_eq!(err.status(), Some(403));
}

#[test]
fn a_provider_is_asked_once_for_all_threads() {
    let calls = Arc::new(AtomicU32::new(0));
    let counted = Arc::clone(&calls);
    let t = Target::embedded(
        "auth-provider",
        with_temporary(),
        move |b| {
            b.credential_provider(
                move |scope: &CredentialScope<'_>| -> Result<TemporaryCredentials, AuthError> {
                    assert_eq!(scope.bucket, Some(common::BUCKET));
                    assert_eq!(scope.region, Some(common::REGION));
                    counted.fetch_add(1, Ordering::SeqCst);
                    Ok(sts(3600))
                },
            )
        },
        |c| c,
    );
    t.client.put_object(&put(&t, "k")).expect("put");
    std::thread::scope(|s| {
        for _ in 0..6 {
            s.spawn(|| {
                for _ in 0..3 {
                    t.client.head_object(&t.head_op("k")).expect("head");
                }
            });
        }
    });
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(t.emu().count("HeadObject"), 18);
}

#[test]
fn a_provider_is_asked_again_near_expiry() {
    let calls = Arc::new(AtomicU32::new(0));
    let counted = Arc::clone(&calls);
    let t = Target::embedded(
        "auth-provider-expiry",
        with_temporary(),
        move |b| {
            b.credential_provider(
                move |_: &CredentialScope<'_>| -> Result<TemporaryCredentials, AuthError> {
                    counted.fetch_add(1, Ordering::SeqCst);
                    Ok(sts(30))
                },
            )
        },
        |c| c.credential_refresh_margin(Duration::from_secs(60)),
    );
    t.client.put_object(&put(&t, "k")).expect("put");
    t.client.head_object(&t.head_op("k")).expect("head");
    t.client.head_object(&t.head_op("k")).expect("head");
    assert_eq!(
        calls.load(Ordering::SeqCst),
        3,
        "within the margin: refreshed per call"
    );
}

#[test]
fn provider_failures_and_expired_keys_are_credential_errors() {
    let t = Target::embedded(
        "auth-provider-fails",
        with_temporary(),
        |b| {
            b.credential_provider(
                |_: &CredentialScope<'_>| -> Result<TemporaryCredentials, AuthError> {
                    Err("the STS service is down".into())
                },
            )
        },
        |c| c,
    );
    let err = t.client.head_object(&t.head_op("k")).expect_err("no key");
    assert!(matches!(err.kind(), ErrorKind::Credentials { .. }), "{err}");
    assert!(err.to_string().contains("the STS service is down"), "{err}");
    assert_eq!(err.attempts(), 1);
    assert_eq!(t.emu().count("HeadObject"), 0, "nothing was sent");

    let t = Target::embedded(
        "auth-provider-expired",
        with_temporary(),
        |b| {
            b.credential_provider(
                |_: &CredentialScope<'_>| -> Result<TemporaryCredentials, AuthError> {
                    let mut c = sts(0);
                    c.expired_time -= 10;
                    Ok(c)
                },
            )
        },
        |c| c,
    );
    let err = t.client.head_object(&t.head_op("k")).expect_err("expired");
    assert!(err.to_string().contains("already expired"), "{err}");
}

/// A server-side signer: what a getAuthorization endpoint computes.
fn authorizer_with(
    id: &'static str,
    key: &'static str,
    token: Option<&'static str>,
) -> impl Fn(&AuthorizeRequest<'_>) -> Result<Authorized, AuthError> + Send + Sync {
    move |req: &AuthorizeRequest<'_>| {
        let mut headers = req.headers.to_vec();
        if let Some(t) = token {
            headers.push(("x-cos-security-token".into(), t.into()));
        }
        let auth = GetAuthorization {
            credentials: Some(Credentials::new(id, key)?),
            method: req.method.into(),
            key: req.pathname.into(),
            query: req.query.to_vec(),
            headers,
            ..GetAuthorization::default()
        }
        .sign(SystemTime::now())?;
        Ok(Authorized {
            authorization: Secret::new(auth.as_str()),
            security_token: token.map(Secret::new),
        })
    }
}

#[test]
fn an_authorizer_signs_every_request() {
    let t = Target::embedded(
        "auth-authorizer",
        with_temporary(),
        |b| b.authorizer(authorizer_with(TMP_ID, TMP_KEY, Some(TOKEN))),
        |c| c,
    );
    t.client.put_object(&put(&t, "dir/a b.txt")).expect("put");
    t.client
        .head_object(&t.head_op("dir/a b.txt"))
        .expect("head");
    let got = t
        .client
        .get_object(&cos_blocking::proto::ops::object::GetObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("dir/a b.txt"),
            response_content_type: Some("text/plain".into()),
            ..Default::default()
        })
        .expect("get with a query");
    assert_eq!(got.body, b"data");

    let auth = t
        .client
        .get_auth(&GetAuthorization {
            method: "get".into(),
            key: "x".into(),
            ..GetAuthorization::default()
        })
        .expect("the authorizer's answer");
    assert!(
        auth.starts_with("q-sign-algorithm=sha1&q-ak=AKIDtemporary&"),
        "{auth}"
    );
    let err = t
        .client
        .get_object_url(&GetObjectUrl::new(&t.bucket, &t.region, "x"))
        .expect_err("no key to sign a URL with");
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { .. }),
        "{err}"
    );
}

#[test]
fn a_wrong_signature_is_refused_and_not_retried() {
    let t = Target::embedded(
        "auth-authorizer-wrong",
        Emulator::builder(),
        |b| b.authorizer(authorizer_with(common::SECRET_ID, "wrong-key", None)),
        |c| c,
    );
    let err = t.client.head_object(&t.head_op("k")).expect_err("refused");
    assert_eq!(err.status(), Some(403));
    assert_eq!(err.attempts(), 1);
    assert!(!format!("{err} {err:?}").contains("wrong-key"));
}

#[test]
fn exactly_one_way_to_authenticate() {
    let err = Client::builder().build().expect_err("none");
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { field, .. } if field == "Credentials"),
        "{err}"
    );
    let err = Client::builder()
        .secret("AKIDa", "key-a")
        .authorizer(authorizer_with("AKIDa", "key-a", None))
        .build()
        .expect_err("two");
    assert!(err.to_string().contains("exactly one"), "{err}");
    let err = Client::builder()
        .secret("AKID a", "key")
        .build()
        .expect_err("bad id");
    assert!(
        matches!(err.kind(), ErrorKind::InvalidInput { field, .. } if field == "SecretId"),
        "{err}"
    );
}

#[test]
fn secrets_never_print() {
    let secret = "very-secret-key-0987";
    let builder = Client::builder()
        .secret("AKIDshown", secret)
        .security_token(TOKEN);
    let shown_builder = format!("{builder:?}");
    let client = builder.build().expect("client");
    let shown = format!("{client:?} {client:#?} {shown_builder}");
    assert!(shown.contains("AKIDshown"), "{shown}");
    assert!(!shown.contains(secret) && !shown.contains(TOKEN), "{shown}");
    let err = Client::builder()
        .secret("AKIDshown", format!("{secret}\n"))
        .build()
        .expect_err("bad key");
    let text = format!("{err} {err:?}");
    assert!(!text.contains(secret), "{text}");
}

#[test]
fn a_token_cos_quotes_back_in_an_error_is_redacted() {
    // The emulator, like COS, answers a bad signature with the FormatString it computed:
    // the signed headers, the security token among them.
    let t = Target::embedded(
        "auth-token-echo",
        with_temporary(),
        |b| {
            b.secret(TMP_ID, "not-the-temporary-key")
                .security_token(TOKEN)
        },
        |c| c,
    );
    let err = t.client.get_object(&t.get_op("k")).expect_err("refused");
    let service = err.service().expect("a service error");
    assert_eq!(service.code, "SignatureDoesNotMatch");
    assert!(
        service.message.contains("x-cos-security-token=<redacted>"),
        "{}",
        service.message
    );
    let text = format!("{err} {err:?}");
    assert!(!text.contains(TOKEN), "{text}");
}
