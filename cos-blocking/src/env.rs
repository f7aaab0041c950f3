//! [`Client::from_env`](crate::Client::from_env): a client from `COS_*` variables.

use cos_proto::Scheme;

use crate::client::{Client, ClientBuilder};
use crate::config::Config;
use crate::error::{Error, Result};

/// Builds a client from the variables `var` returns (the process environment, or a map in
/// tests).
pub(crate) fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Client> {
    builder_from(var)?.build()
}

/// The builder the variables describe.
pub(crate) fn builder_from(var: impl Fn(&str) -> Option<String>) -> Result<ClientBuilder> {
    let get = |name: &str| var(name).filter(|v| !v.is_empty());
    let required = |name: &'static str| {
        get(name).ok_or_else(|| Error::invalid(name, "is not set in the environment"))
    };
    let mut builder =
        Client::builder().secret(required("COS_SECRET_ID")?, required("COS_SECRET_KEY")?);
    if let Some(token) = get("COS_SECURITY_TOKEN") {
        builder = builder.security_token(token);
    }
    let mut config = Config::default();
    if let Some(region) = get("COS_REGION") {
        config = config.region(region);
    }
    if let Some(bucket) = get("COS_BUCKET") {
        config = config.bucket(bucket);
    }
    if let Some(endpoint) = get("COS_ENDPOINT") {
        let (scheme, address) = split_endpoint(&endpoint)?;
        config = config.protocol(scheme).connect_address(address);
    }
    Ok(builder.config(config))
}

/// Splits `http[s]://host:port` into the protocol and the connect address.
pub(crate) fn split_endpoint(endpoint: &str) -> Result<(Scheme, String)> {
    let bad = || {
        Error::invalid(
            "COS_ENDPOINT",
            "must be `http://host:port` or `https://host:port`",
        )
    };
    let (scheme, rest) = endpoint.split_once("://").ok_or_else(bad)?;
    let scheme = Scheme::parse(scheme).map_err(|_| bad())?;
    let address = rest.trim_end_matches('/');
    if address.is_empty() || address.contains('/') {
        return Err(bad());
    }
    Ok((scheme, address.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn reads_every_variable() {
        let client = from_env(vars(&[
            ("COS_SECRET_ID", "AKIDenv"),
            ("COS_SECRET_KEY", "env-secret-key"),
            ("COS_SECURITY_TOKEN", "tok"),
            ("COS_REGION", "ap-beijing"),
            ("COS_BUCKET", "env-1250000000"),
            ("COS_ENDPOINT", "http://127.0.0.1:9000"),
        ]))
        .expect("builds");
        assert_eq!(client.region(), Some("ap-beijing"));
        assert_eq!(client.bucket(), Some("env-1250000000"));
        let shown = format!("{client:?}");
        assert!(shown.contains("AKIDenv"), "{shown}");
        assert!(shown.contains("127.0.0.1:9000"), "{shown}");
        assert!(
            !shown.contains("env-secret-key") && !shown.contains("\"tok\""),
            "{shown}"
        );
    }

    #[test]
    fn names_what_is_missing_or_malformed() {
        let err = from_env(vars(&[("COS_SECRET_ID", "a")])).expect_err("no key");
        assert!(
            matches!(err.kind(), crate::ErrorKind::InvalidInput { field, .. } if field == "COS_SECRET_KEY"),
            "{err}"
        );
        let err = from_env(vars(&[
            ("COS_SECRET_ID", "a"),
            ("COS_SECRET_KEY", "b"),
            ("COS_ENDPOINT", "127.0.0.1:9000"),
        ]))
        .expect_err("no scheme");
        assert!(err.to_string().contains("COS_ENDPOINT"), "{err}");
    }
}
