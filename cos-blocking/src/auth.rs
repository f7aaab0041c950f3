//! The three ways a client authenticates (the seed's constructor formats):
//!
//! | mode | given | each request |
//! | --- | --- | --- |
//! | static key (Format 3) | SecretId + SecretKey (+ token) | signed in the client |
//! | [`CredentialProvider`] (Format 1, getSTS) | a function returning TmpSecretId, TmpSecretKey, XCosSecurityToken, ExpiredTime | signed in the client with the cached temporary key |
//! | [`Authorizer`] (Format 2) | a function returning a ready Authorization (+ token) for a Method, Key, Query and Headers | signed by the function |
//!
//! A provider's credentials are cached for the whole client (all threads, all parts of a
//! transfer) and fetched again — by one thread, the others waiting for its answer — once
//! fewer than the refresh margin (default 60 s) remain before their `ExpiredTime`. A
//! signature never outlives the credentials it was made with: its key time is cut at their
//! expiry.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cos_proto::{Credentials, KeyTime, Request, Secret, Signer, header};

use crate::error::{Error, Result};

/// The error a provider or authorizer function returns; its message appears in the
/// client's error, so it must not contain a secret.
pub type AuthError = Box<dyn std::error::Error + Send + Sync>;

/// What a [`CredentialProvider`] is asked for: the scope of the request that needs a key
/// (the seed's `options.Bucket` and `options.Region`).
#[derive(Debug, Clone, Copy)]
pub struct CredentialScope<'a> {
    /// The bucket of the request, when it names one.
    pub bucket: Option<&'a str>,
    /// The region of the request's bucket (or, for a call without one, the client's default
    /// region when one is configured).
    pub region: Option<&'a str>,
}

/// A temporary key as an STS service returns it (the seed's Format 1 callback fields).
#[derive(Debug, Clone)]
pub struct TemporaryCredentials {
    /// `TmpSecretId`.
    pub tmp_secret_id: String,
    /// `TmpSecretKey`.
    pub tmp_secret_key: Secret,
    /// `XCosSecurityToken` (sent as `x-cos-security-token`).
    pub security_token: Secret,
    /// `ExpiredTime`: when the key stops working, in Unix seconds.
    pub expired_time: u64,
}

impl TemporaryCredentials {
    /// The key as cos-proto credentials, checked.
    pub fn into_credentials(self) -> cos_proto::Result<Credentials> {
        Ok(
            Credentials::new(self.tmp_secret_id, self.tmp_secret_key.expose())?
                .with_security_token(self.security_token.expose())?
                .with_expiry(UNIX_EPOCH + Duration::from_secs(self.expired_time)),
        )
    }
}

/// Format 1 (getSTS): hands the client temporary credentials, which it caches and uses to
/// sign requests until shortly before they expire. Any
/// `Fn(&CredentialScope) -> Result<TemporaryCredentials, AuthError>` is one.
pub trait CredentialProvider: Send + Sync {
    /// Fetches fresh temporary credentials.
    fn fetch(&self, scope: &CredentialScope<'_>) -> Result<TemporaryCredentials, AuthError>;
}

impl<F> CredentialProvider for F
where
    F: Fn(&CredentialScope<'_>) -> Result<TemporaryCredentials, AuthError> + Send + Sync,
{
    fn fetch(&self, scope: &CredentialScope<'_>) -> Result<TemporaryCredentials, AuthError> {
        self(scope)
    }
}

/// What an [`Authorizer`] signs: the seed's Format 2 `options` (Method, Key, Query,
/// Headers), plus the pathname that is signed.
#[derive(Debug, Clone, Copy)]
pub struct AuthorizeRequest<'a> {
    /// The method, upper case (`PUT`).
    pub method: &'a str,
    /// The object key; empty for a bucket-level request.
    pub key: &'a str,
    /// The pathname COS verifies the signature over (`/` + key, `/{Bucket}/{Key}` with
    /// path-style addressing).
    pub pathname: &'a str,
    /// The query parameters, in the order sent.
    pub query: &'a [(String, String)],
    /// The headers sent, `Host` first.
    pub headers: &'a [(String, String)],
    /// The bucket, when the request names one.
    pub bucket: Option<&'a str>,
}

/// The answer of an [`Authorizer`].
#[derive(Debug, Clone)]
pub struct Authorized {
    /// The complete `Authorization` header value (`q-sign-algorithm=sha1&...`).
    pub authorization: Secret,
    /// `XCosSecurityToken`, when the signature was made with a temporary key.
    pub security_token: Option<Secret>,
}

/// Format 2 (getAuthorization per request): returns a ready Authorization for each request.
/// Any `Fn(&AuthorizeRequest) -> Result<Authorized, AuthError>` is one.
pub trait Authorizer: Send + Sync {
    /// Signs one request.
    fn authorize(&self, request: &AuthorizeRequest<'_>) -> Result<Authorized, AuthError>;
}

impl<F> Authorizer for F
where
    F: Fn(&AuthorizeRequest<'_>) -> Result<Authorized, AuthError> + Send + Sync,
{
    fn authorize(&self, request: &AuthorizeRequest<'_>) -> Result<Authorized, AuthError> {
        self(request)
    }
}

/// How a client signs: one of the three modes.
pub(crate) enum Auth {
    /// A fixed key.
    Static(Arc<Signer>),
    /// Temporary keys from a provider, cached.
    Provider(ProviderCache),
    /// A function per request.
    Authorizer(Arc<dyn Authorizer>),
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::Static(s) => f.debug_tuple("Static").field(s.credentials()).finish(),
            Auth::Provider(_) => f.write_str("Provider"),
            Auth::Authorizer(_) => f.write_str("Authorizer"),
        }
    }
}

/// The cache of a provider's temporary credentials.
pub(crate) struct ProviderCache {
    provider: Arc<dyn CredentialProvider>,
    margin: Duration,
    current: RwLock<Option<Arc<Signer>>>,
    refreshing: Mutex<()>,
}

impl ProviderCache {
    pub(crate) fn new(provider: Arc<dyn CredentialProvider>, margin: Duration) -> Self {
        ProviderCache {
            provider,
            margin,
            current: RwLock::new(None),
            refreshing: Mutex::new(()),
        }
    }

    fn cached(&self, now: SystemTime) -> Option<Arc<Signer>> {
        let guard = self.current.read().unwrap_or_else(PoisonError::into_inner);
        guard
            .as_ref()
            .filter(|s| s.credentials().valid_until(now + self.margin))
            .cloned()
    }

    /// The signer of the cached credentials, fetched first when missing or about to expire.
    pub(crate) fn signer(
        &self,
        scope: &CredentialScope<'_>,
        now: SystemTime,
    ) -> Result<Arc<Signer>> {
        if let Some(s) = self.cached(now) {
            return Ok(s);
        }
        let _one_at_a_time = self
            .refreshing
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        // Another thread may have refreshed while this one waited.
        if let Some(s) = self.cached(now) {
            return Ok(s);
        }
        let fresh = self
            .provider
            .fetch(scope)
            .map_err(|e| Error::credentials(format!("the credential provider failed: {e}")))?;
        let credentials = fresh
            .into_credentials()
            .map_err(|e| Error::credentials(format!("the credential provider's key: {e}")))?;
        if !credentials.valid_until(now) {
            return Err(Error::credentials(
                "the credential provider returned credentials that have already expired",
            ));
        }
        let signer = Arc::new(Signer::new(credentials));
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(&signer));
        Ok(signer)
    }
}

/// The key time for a request signed at `now` with `credentials`: valid for `validity`,
/// but never past the credentials' expiry.
pub(crate) fn key_time(
    credentials: &Credentials,
    now: SystemTime,
    validity: Duration,
) -> Result<KeyTime> {
    let kt = KeyTime::for_request(now, validity)?;
    match credentials.expires_at() {
        Some(exp) => {
            let exp = exp
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or_default();
            if exp < kt.end() {
                KeyTime::new(kt.start(), exp).map_err(|_| {
                    Error::credentials("the temporary credentials expire before the request")
                })
            } else {
                Ok(kt)
            }
        }
        None => Ok(kt),
    }
}

impl Auth {
    /// The signer of the key modes (fetching provider credentials when needed); `None` for
    /// an authorizer.
    pub(crate) fn signer(
        &self,
        scope: &CredentialScope<'_>,
        now: SystemTime,
    ) -> Result<Option<Arc<Signer>>> {
        match self {
            Auth::Static(s) => Ok(Some(Arc::clone(s))),
            Auth::Provider(cache) => cache.signer(scope, now).map(Some),
            Auth::Authorizer(_) => Ok(None),
        }
    }

    /// Signs `req` at `now` (the server's time as best known).
    pub(crate) fn sign(
        &self,
        req: &mut Request,
        scope: &CredentialScope<'_>,
        key: &str,
        now: SystemTime,
        validity: Duration,
    ) -> Result<()> {
        if let Auth::Authorizer(authorizer) = self {
            return authorize(authorizer.as_ref(), req, scope, key);
        }
        let signer = self
            .signer(scope, now)?
            .ok_or_else(|| Error::credentials("no signer"))?;
        let kt = key_time(signer.credentials(), now, validity)?;
        req.sign(&signer, kt)?;
        Ok(())
    }
}

/// Asks the authorizer for the request's Authorization and adds it with the token.
fn authorize(
    authorizer: &dyn Authorizer,
    req: &mut Request,
    scope: &CredentialScope<'_>,
    key: &str,
) -> Result<()> {
    req.headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case(header::AUTHORIZATION));
    let mut headers = Vec::with_capacity(req.headers.len() + 1);
    headers.push((header::HOST.to_owned(), req.host().to_owned()));
    headers.extend(
        req.headers
            .iter()
            .filter(|(n, _)| !n.eq_ignore_ascii_case(header::HOST))
            .cloned(),
    );
    let answer = authorizer
        .authorize(&AuthorizeRequest {
            method: req.method.as_str(),
            key,
            pathname: &req.pathname,
            query: &req.query,
            headers: &headers,
            bucket: scope.bucket,
        })
        .map_err(|e| Error::credentials(format!("the authorizer failed: {e}")))?;
    let safe = |s: &str| !s.is_empty() && s.bytes().all(|b| (0x21..0x7f).contains(&b));
    if !safe(answer.authorization.expose()) {
        return Err(Error::credentials(
            "the authorizer's Authorization is empty or not printable ASCII",
        ));
    }
    if let Some(token) = &answer.security_token {
        if !safe(token.expose()) {
            return Err(Error::credentials(
                "the authorizer's XCosSecurityToken is empty or not printable ASCII",
            ));
        }
        if req.header(header::SECURITY_TOKEN).is_none() {
            req.headers
                .push((header::SECURITY_TOKEN.to_owned(), token.expose().to_owned()));
        }
    }
    req.headers.push((
        header::AUTHORIZATION.to_owned(),
        answer.authorization.expose().to_owned(),
    ));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_never_outlives_its_credentials() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let c = Credentials::new("id", "key").expect("valid");
        let kt = key_time(&c, now, Duration::from_secs(900)).expect("permanent");
        assert!(kt.end() >= 1_700_000_900);
        let expiring = c.clone().with_expiry(now + Duration::from_secs(120));
        let kt = key_time(&expiring, now, Duration::from_secs(900)).expect("capped");
        assert_eq!(kt.end(), 1_700_000_120);
        assert!(kt.start() <= 1_700_000_000);
        let expired = c.with_expiry(now - Duration::from_secs(3600));
        assert!(key_time(&expired, now, Duration::from_secs(900)).is_err());
    }
}
