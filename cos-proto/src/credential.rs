//! Credentials: a SecretId, its SecretKey, and for temporary keys a security token and expiry.

use std::fmt;
use std::time::SystemTime;

use crate::error::{Error, Result};
use crate::header;

/// A string that must not be shown: its `Debug` prints `"<redacted>"` and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `value` so that it is never printed.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The secret text, for the code that must use it (signing, sending the token).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"<redacted>\"")
    }
}

/// The key pair that signs requests: permanent (SecretId + SecretKey) or temporary (plus the
/// security token the seed calls `XCosSecurityToken`, and when it expires).
///
/// `Debug` and `Display` show the SecretId and the expiry, never the key or the token.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    secret_id: String,
    secret_key: Secret,
    security_token: Option<Secret>,
    expires_at: Option<SystemTime>,
}

impl Credentials {
    /// Permanent credentials. Both parts must be non-empty and printable ASCII without
    /// spaces, since the SecretId travels in the Authorization header.
    pub fn new(secret_id: impl Into<String>, secret_key: impl Into<String>) -> Result<Self> {
        let secret_id = secret_id.into();
        let secret_key = secret_key.into();
        check_token_chars("SecretId", &secret_id)?;
        check_token_chars("SecretKey", &secret_key)?;
        Ok(Credentials {
            secret_id,
            secret_key: Secret(secret_key),
            security_token: None,
            expires_at: None,
        })
    }

    /// Temporary credentials (TmpSecretId, TmpSecretKey, XCosSecurityToken). The token is sent
    /// as the `x-cos-security-token` header and signed.
    pub fn with_security_token(mut self, token: impl Into<String>) -> Result<Self> {
        let token = token.into();
        check_token_chars("XCosSecurityToken", &token)?;
        self.security_token = Some(Secret(token));
        Ok(self)
    }

    /// Sets when temporary credentials stop working (the seed's ExpiredTime).
    pub fn with_expiry(mut self, expires_at: SystemTime) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// The SecretId, which appears in every Authorization as `q-ak`.
    pub fn secret_id(&self) -> &str {
        &self.secret_id
    }

    /// The SecretKey, for signing.
    pub fn secret_key(&self) -> &Secret {
        &self.secret_key
    }

    /// The security token of temporary credentials.
    pub fn security_token(&self) -> Option<&Secret> {
        self.security_token.as_ref()
    }

    /// When temporary credentials expire; `None` for permanent ones.
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.expires_at
    }

    /// Whether these credentials are still usable at `until` (pass `now + margin` to refresh
    /// ahead of time). Permanent credentials are always valid.
    pub fn valid_until(&self, until: SystemTime) -> bool {
        self.expires_at.is_none_or(|exp| until < exp)
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("secret_id", &self.secret_id)
            .field("secret_key", &self.secret_key)
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl fmt::Display for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "credentials {}", self.secret_id)?;
        if self.security_token.is_some() {
            f.write_str(" (temporary)")?;
        }
        Ok(())
    }
}

fn check_token_chars(field: &'static str, value: &str) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if !value.bytes().all(header::is_visible_ascii) {
        return Err(Error::invalid(
            field,
            "must be printable ASCII without spaces or control characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const KEY: &str = "sEcReTkEy0123456789";
    const TOKEN: &str = "tOkEn-abcdef_0123";

    #[test]
    fn debug_and_display_hide_key_and_token() {
        let c = Credentials::new("AKIDexample", KEY)
            .and_then(|c| c.with_security_token(TOKEN))
            .expect("valid credentials");
        for shown in [format!("{c:?}"), format!("{c:#?}"), c.to_string()] {
            assert!(shown.contains("AKIDexample"), "{shown}");
            assert!(!shown.contains(KEY), "{shown}");
            assert!(!shown.contains(TOKEN), "{shown}");
        }
        assert_eq!(format!("{:?}", c.secret_key()), "\"<redacted>\"");
    }

    #[test]
    fn rejects_empty_and_unsafe_parts() {
        let err = Credentials::new("", KEY).expect_err("empty id");
        assert_eq!(err.field(), Some("SecretId"));
        let err = Credentials::new("id", "a\r\nb").expect_err("crlf key");
        assert_eq!(err.field(), Some("SecretKey"));
        assert!(!err.to_string().contains("a\r\nb"));
        let err = Credentials::new("id", KEY)
            .and_then(|c| c.with_security_token("x y"))
            .expect_err("space in token");
        assert_eq!(err.field(), Some("XCosSecurityToken"));
    }

    #[test]
    fn expiry() {
        let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000);
        let c = Credentials::new("id", KEY).expect("valid").with_expiry(t0);
        assert!(c.valid_until(t0 - Duration::from_secs(1)));
        assert!(!c.valid_until(t0));
        let permanent = Credentials::new("id", KEY).expect("valid");
        assert!(permanent.valid_until(t0 + Duration::from_secs(1 << 40)));
    }
}
