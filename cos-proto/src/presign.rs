//! Object URLs, signed or not (the seed's `getObjectUrl`).
//!
//! A signed URL is written exactly as the official Node SDK's `getObjectUrl` callback `Url`
//! (SIGNING.md section 6): the seven `q-*` fields with `;` unescaped and the
//! `q-url-param-list` value escaped once more and lower-cased, then the security token (not
//! signed), then the caller's query parameters sorted by name.
//!
//! With a connect address set (an emulator on `127.0.0.1:PORT`), the URL must be usable by
//! any HTTP client, which sends the URL's own host: it is then written path-style on the
//! connect address (`http://127.0.0.1:PORT/{Bucket}/{Key}`), and that host and path are
//! what is signed.

use std::time::SystemTime;

use crate::encode::{encode_into, encode_lower_into, encode_path_into};
use crate::endpoint::{Bucket, Endpoint, Region, Target};
use crate::error::{Error, Result};
use crate::header;
use crate::sign::{DEFAULT_EXPIRES_SECS, KeyTime, SignableRequest, Signer, pathname_for_key};

/// The parameters of `getObjectUrl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GetObjectUrl {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// Object key. Required, non-empty.
    pub key: String,
    /// Whether to sign the URL (default true).
    pub sign: bool,
    /// The method the URL is for (default `GET`).
    pub method: String,
    /// Query parameters: signed, and appended to the URL.
    pub query: Vec<(String, String)>,
    /// Headers the user of the URL will send: signed, not part of the URL.
    pub headers: Vec<(String, String)>,
    /// Seconds the signature is valid (default 900; 0 is an error).
    pub expires: Option<u64>,
    /// A fixed key time; overrides the start time and `expires`.
    pub key_time: Option<KeyTime>,
}

impl Default for GetObjectUrl {
    fn default() -> Self {
        GetObjectUrl {
            bucket: String::new(),
            region: String::new(),
            key: String::new(),
            sign: true,
            method: "GET".to_owned(),
            query: Vec::new(),
            headers: Vec::new(),
            expires: None,
            key_time: None,
        }
    }
}

impl GetObjectUrl {
    /// A signed GET URL for `key` in `bucket`/`region`, valid for 900 seconds.
    pub fn new(
        bucket: impl Into<String>,
        region: impl Into<String>,
        key: impl Into<String>,
    ) -> Self {
        GetObjectUrl {
            bucket: bucket.into(),
            region: region.into(),
            key: key.into(),
            ..GetObjectUrl::default()
        }
    }

    /// The URL. When `sign` is true, `signer` must be given; the key time is `key_time` or
    /// starts one second before `now` and lasts `expires` seconds.
    pub fn url(
        &self,
        endpoint: &Endpoint,
        signer: Option<&Signer>,
        now: SystemTime,
    ) -> Result<String> {
        if self.key.is_empty() {
            return Err(Error::invalid("Key", "is required"));
        }
        let target = url_target(
            endpoint,
            &Bucket::new(self.bucket.as_str())?,
            &Region::new(self.region.as_str())?,
        )?;
        header::check_all(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())))?;

        let mut pathname = target.path_prefix.clone();
        pathname.push_str(&pathname_for_key(&self.key));
        let mut url = format!("{}://{}", target.scheme.as_str(), target.authority);
        encode_path_into(&mut url, &pathname);

        let mut sep = '?';
        if self.sign {
            let signer = signer.ok_or_else(|| {
                Error::invalid("Sign", "a signed URL needs SecretId/SecretKey credentials")
            })?;
            let key_time = match self.key_time {
                Some(kt) => kt,
                None => KeyTime::starting_at(now, self.expires.unwrap_or(DEFAULT_EXPIRES_SECS))?,
            };
            let mut req = SignableRequest::new(&self.method, &pathname)
                .queries(self.query.iter().map(|(n, v)| (n.as_str(), v.as_str())))
                .headers(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
            if !self
                .headers
                .iter()
                .any(|(n, _)| n.eq_ignore_ascii_case(header::HOST))
            {
                req = req.header(header::HOST, &target.host);
            }
            let auth = signer.sign(&req, key_time)?;
            url.push_str("?q-sign-algorithm=sha1&q-ak=");
            url.push_str(auth.secret_id());
            for (name, value) in [
                ("q-sign-time", auth.key_time()),
                ("q-key-time", auth.key_time()),
                ("q-header-list", auth.header_list()),
            ] {
                url.push('&');
                url.push_str(name);
                url.push('=');
                url.push_str(value);
            }
            url.push_str("&q-url-param-list=");
            encode_lower_into(&mut url, auth.url_param_list());
            url.push_str("&q-signature=");
            url.push_str(auth.signature());
            if let Some(token) = signer.credentials().security_token() {
                url.push_str("&x-cos-security-token=");
                encode_into(&mut url, token.expose());
            }
            sep = '&';
        }
        let mut query: Vec<&(String, String)> = self.query.iter().collect();
        query.sort_by_cached_key(|(n, _)| n.to_lowercase());
        for (name, value) in query {
            url.push(sep);
            sep = '&';
            encode_into(&mut url, name);
            url.push('=');
            encode_into(&mut url, value);
        }
        Ok(url)
    }
}

/// Where a URL for other programs points: the normal target, or path-style on the connect
/// address when one is set.
fn url_target(endpoint: &Endpoint, bucket: &Bucket, region: &Region) -> Result<Target> {
    let target = endpoint.target(bucket, region)?;
    Ok(match endpoint.connect_address() {
        Some(addr) => Target {
            scheme: target.scheme,
            host: addr.to_owned(),
            authority: addr.to_owned(),
            path_prefix: format!("/{bucket}"),
        },
        None => Target {
            host: target.host.clone(),
            authority: target.host,
            ..target
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::Credentials;
    use crate::endpoint::Scheme;
    use std::time::UNIX_EPOCH;

    fn signer() -> Signer {
        Signer::new(Credentials::new("AKIDx", "key").expect("creds"))
    }

    #[test]
    fn unsigned_urls_keep_the_query() {
        let mut p = GetObjectUrl::new("ex-1250000000", "ap-guangzhou", "a b.txt");
        p.sign = false;
        p.query = vec![("b".into(), "2".into()), ("A".into(), "x y".into())];
        let url = p.url(&Endpoint::new(), None, UNIX_EPOCH).expect("url");
        assert_eq!(
            url,
            "https://ex-1250000000.cos.ap-guangzhou.myqcloud.com/a%20b.txt?A=x%20y&b=2"
        );
    }

    #[test]
    fn required_fields_and_signer() {
        let e = Endpoint::new();
        let err = GetObjectUrl::new("ex-1250000000", "ap-guangzhou", "")
            .url(&e, Some(&signer()), UNIX_EPOCH)
            .expect_err("key");
        assert_eq!(err.field(), Some("Key"));
        let err = GetObjectUrl::new("bad", "ap-guangzhou", "k")
            .url(&e, Some(&signer()), UNIX_EPOCH)
            .expect_err("bucket");
        assert_eq!(err.field(), Some("Bucket"));
        let err = GetObjectUrl::new("ex-1", "ap-guangzhou", "k")
            .url(&e, None, UNIX_EPOCH)
            .expect_err("signer");
        assert_eq!(err.field(), Some("Sign"));
        let mut p = GetObjectUrl::new("ex-1", "ap-guangzhou", "k");
        p.expires = Some(0);
        assert_eq!(
            p.url(&e, Some(&signer()), UNIX_EPOCH)
                .expect_err("expires")
                .field(),
            Some("Expires")
        );
    }

    #[test]
    fn connect_address_urls_are_path_style_on_that_address() {
        let e = Endpoint::new()
            .with_scheme(Scheme::Http)
            .with_connect_address("127.0.0.1:9000")
            .expect("endpoint");
        let mut p = GetObjectUrl::new("ex-1", "ap-guangzhou", "d/k");
        p.key_time = Some(KeyTime::new(1, 2).expect("kt"));
        let url = p.url(&e, Some(&signer()), UNIX_EPOCH).expect("url");
        let expected = signer()
            .sign(
                &SignableRequest::new("GET", "/ex-1/d/k").header("host", "127.0.0.1:9000"),
                KeyTime::new(1, 2).expect("kt"),
            )
            .expect("sign");
        assert_eq!(
            url,
            format!(
                "http://127.0.0.1:9000/ex-1/d/k?q-sign-algorithm=sha1&q-ak=AKIDx&q-sign-time=1;2&q-key-time=1;2&q-header-list=host&q-url-param-list=&q-signature={}",
                expected.signature()
            )
        );
    }
}
