//! The description of one HTTP request to COS, and how it is signed.
//!
//! A [`Request`] is pure data: method, target, raw pathname, query, headers and body. The
//! driver turns it into bytes on a socket; cos-proto never does.
//!
//! # What gets signed
//!
//! [`Request::sign`] signs, as COS and both official SDKs require (SIGNING.md section 5):
//! - the `Host` header, always — the value the request sends (see [`Target::host`]), with the
//!   port exactly when the Host carries one;
//! - every query parameter;
//! - every header COS signs ([`header::is_signed`]), empty values included — among them
//!   `Content-Length`, which [`Request::set_body`] writes for every request with a body and
//!   as `0` for a body-less PUT or POST, as the official SDKs send and sign it;
//! - the security token of temporary credentials, sent as `x-cos-security-token` and
//!   **signed** (as the Python SDK does; the Node SDK sends it unsigned). A signed token
//!   cannot be swapped by anyone who sees the request.
//!
//! The signed pathname is the raw key (`/` + key); the URL path is the key percent-encoded
//! with `/` kept, as the Node SDK writes it.

use std::fmt;
use std::sync::Arc;

use crate::credential::Credentials;
use crate::encode::{encode_into, encode_path_into};
use crate::endpoint::{Scheme, Target};
use crate::error::{Error, Result};
use crate::header;
use crate::sign::{Authorization, KeyTime, SignableRequest, Signer, pathname_for_key};

/// An HTTP method COS uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// GET.
    Get,
    /// HEAD.
    Head,
    /// PUT.
    Put,
    /// POST.
    Post,
    /// DELETE.
    Delete,
    /// OPTIONS (CORS preflight).
    Options,
}

impl Method {
    /// The method as written on the wire (`GET`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The body of a request.
#[derive(Clone, PartialEq, Eq, Default)]
pub enum Body {
    /// No body.
    #[default]
    Empty,
    /// A body held in memory (XML documents, small objects), shared so that building the
    /// request again (a retry) never copies it.
    Bytes(Arc<[u8]>),
    /// A body the caller streams, of exactly `length` bytes.
    Stream {
        /// The number of bytes the caller will send.
        length: u64,
    },
}

impl Body {
    /// The body's length in bytes.
    pub fn len(&self) -> u64 {
        match self {
            Body::Empty => 0,
            Body::Bytes(b) => b.len() as u64,
            Body::Stream { length } => *length,
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body::Bytes(bytes.into())
    }
}

impl From<&[u8]> for Body {
    fn from(bytes: &[u8]) -> Self {
        Body::Bytes(bytes.into())
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Empty => f.write_str("Empty"),
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::Stream { length } => write!(f, "Stream({length} bytes)"),
        }
    }
}

/// One request to COS, described as data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// Where it goes: scheme, Host header, connect authority.
    pub target: Target,
    /// The raw pathname that is signed (`/` + key, after the path-style prefix).
    pub pathname: String,
    /// Query parameters in the order they are written; an empty value is written as a bare
    /// name (`?acl`).
    pub query: Vec<(String, String)>,
    /// Headers other than `Host`, which comes from [`Target::host`]. `Content-Length` is
    /// here (and signed) whenever the request has one — see [`Request::set_body`]; the driver
    /// sends exactly that many bytes and adds no second one.
    pub headers: Vec<(String, String)>,
    /// The body. Set it with [`Request::set_body`], which keeps `Content-Length` in step;
    /// signing refuses a request whose `Content-Length` disagrees with it.
    pub body: Body,
}

impl Request {
    /// A request for object `key` (empty for the bucket itself) at `target`, without a body:
    /// a PUT or POST starts with `Content-Length: 0` (see [`Request::set_body`]).
    pub fn new(method: Method, target: Target, key: &str) -> Self {
        let mut pathname = target.path_prefix.clone();
        pathname.push_str(&pathname_for_key(key));
        let mut req = Request {
            method,
            target,
            pathname,
            query: Vec::new(),
            headers: Vec::new(),
            body: Body::Empty,
        };
        req.set_body(Body::Empty);
        req
    }

    /// The `Content-Length` a request of `method` with `body` sends: the body's length, `0`
    /// for a PUT or POST without a body, none for a GET, HEAD, DELETE or OPTIONS without one.
    ///
    /// A body-less PUT or POST (PutBucket, a header-only PutBucketACL, PUT Object - Copy,
    /// Initiate Multipart Upload) carries `Content-Length: 0` because HTTP/1.1 servers may
    /// refuse it without a length (`411 Length Required`), and it is signed because both
    /// official SDKs sign it (SIGNING.md section 5: Node signs the `Content-Length: 0` it
    /// adds, Python the one `requests` adds). The other methods send none without a body,
    /// as RFC 9110 advises for requests whose method expects no content, although the SDKs
    /// add `0` to a DELETE and an OPTIONS too (and Node to a HEAD).
    pub fn content_length_for(method: Method, body: &Body) -> Option<u64> {
        match (method, body) {
            (Method::Put | Method::Post, Body::Empty) => Some(0),
            (_, Body::Empty) => None,
            (_, body) => Some(body.len()),
        }
    }

    /// Sets the body and its `Content-Length` header — the one place that header is
    /// written: [`Request::content_length_for`] this method and body, replacing any earlier
    /// one. `Content-Length` is signed like every header COS signs, so the length cannot be
    /// changed without breaking the signature.
    pub fn set_body(&mut self, body: Body) {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(header::CONTENT_LENGTH));
        if let Some(length) = Request::content_length_for(self.method, &body) {
            self.headers
                .push((header::CONTENT_LENGTH.to_owned(), length.to_string()));
        }
        self.body = body;
    }

    /// Checks that the `Content-Length` headers are exactly the one [`Request::set_body`]
    /// writes for the body (a body assigned directly, or a header pushed by hand, can
    /// disagree).
    fn check_content_length(&self) -> Result<()> {
        let expected = Request::content_length_for(self.method, &self.body).map(|n| n.to_string());
        let given: Vec<&str> = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(header::CONTENT_LENGTH))
            .map(|(_, v)| v.as_str())
            .collect();
        if given == expected.as_deref().into_iter().collect::<Vec<_>>() {
            return Ok(());
        }
        let wanted = expected.map_or_else(|| "none".to_owned(), |n| format!("{n:?}"));
        Err(Error::invalid(
            "ContentLength",
            format!(
                "the headers give {given:?} where a {} with body {:?} needs {wanted}; set bodies with Request::set_body",
                self.method, self.body
            ),
        ))
    }

    /// Adds a query parameter.
    pub fn with_query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// The first header named `name` (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `Host` header value to send.
    pub fn host(&self) -> &str {
        self.header(header::HOST).unwrap_or(&self.target.host)
    }

    /// The path and query as written on the request line (`/a%20b?acl&uploadId=x`).
    pub fn path_and_query(&self) -> String {
        let mut out = String::with_capacity(self.pathname.len() * 2 + 32);
        encode_path_into(&mut out, &self.pathname);
        for (i, (name, value)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            encode_into(&mut out, name);
            if !value.is_empty() {
                out.push('=');
                encode_into(&mut out, value);
            }
        }
        out
    }

    /// The URL to connect to: `scheme://authority/path?query`.
    pub fn url(&self) -> String {
        let scheme: Scheme = self.target.scheme;
        format!(
            "{}://{}{}",
            scheme.as_str(),
            self.target.authority,
            self.path_and_query()
        )
    }

    /// The headers signing adds (the security token, then `Authorization`), without changing
    /// the request. Validates every header and query parameter, and that `Content-Length` is
    /// what [`Request::set_body`] writes for the body.
    pub fn signing_headers(
        &self,
        signer: &Signer,
        key_time: KeyTime,
    ) -> Result<Vec<(&'static str, String)>> {
        self.check_content_length()?;
        let token = token_to_add(self, signer.credentials());
        let mut req = SignableRequest::new(self.method.as_str(), &self.pathname)
            .queries(self.query.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .headers(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        if self.header(header::HOST).is_none() {
            req = req.header(header::HOST, &self.target.host);
        }
        if let Some(token) = token {
            req = req.header(header::SECURITY_TOKEN, token);
        }
        let auth: Authorization = signer.sign(&req, key_time)?;
        let mut add = Vec::with_capacity(2);
        if let Some(token) = token {
            add.push((header::SECURITY_TOKEN, token.to_owned()));
        }
        add.push((header::AUTHORIZATION, auth.as_str().to_owned()));
        Ok(add)
    }

    /// Signs the request in place: adds what [`Request::signing_headers`] returns, replacing
    /// an earlier `Authorization` (so a retried request can be signed again).
    pub fn sign(&mut self, signer: &Signer, key_time: KeyTime) -> Result<()> {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case(header::AUTHORIZATION));
        for (name, value) in self.signing_headers(signer, key_time)? {
            self.headers.push((name.to_owned(), value));
        }
        Ok(())
    }
}

/// The token to send, unless the caller already put an `x-cos-security-token` header.
fn token_to_add<'a>(req: &Request, credentials: &'a Credentials) -> Option<&'a str> {
    let token = credentials.security_token()?;
    req.header(header::SECURITY_TOKEN)
        .is_none()
        .then(|| token.expose())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoint::{Bucket, Endpoint, Region};

    fn target() -> Target {
        Endpoint::new()
            .target(
                &Bucket::new("ex-1250000000").expect("bucket"),
                &Region::new("ap-guangzhou").expect("region"),
            )
            .expect("target")
    }

    fn signer(token: Option<&str>) -> Signer {
        let mut c = Credentials::new("AKIDx", "key").expect("creds");
        if let Some(t) = token {
            c = c.with_security_token(t).expect("token");
        }
        Signer::new(c)
    }

    #[test]
    fn url_encodes_the_key_and_query() {
        let req = Request::new(Method::Get, target(), "dir/a b+中.txt")
            .with_query("acl", "")
            .with_query("prefix", "x y/z");
        assert_eq!(req.pathname, "/dir/a b+中.txt");
        assert_eq!(
            req.url(),
            "https://ex-1250000000.cos.ap-guangzhou.myqcloud.com/dir/a%20b%2B%E4%B8%AD.txt?acl&prefix=x%20y%2Fz"
        );
    }

    #[test]
    fn signing_covers_host_query_cos_headers_and_the_token() {
        let kt = KeyTime::new(1, 1000).expect("kt");
        let mut req = Request::new(Method::Put, target(), "k")
            .with_query("uploads", "")
            .with_header("Content-Type", "text/plain")
            .with_header("User-Agent", "cos-rs")
            .with_header("x-cos-meta-empty", "");
        req.sign(&signer(Some("TOKEN123")), kt).expect("signs");
        let auth = req
            .header("authorization")
            .expect("authorization")
            .to_owned();
        assert!(auth.starts_with("q-sign-algorithm=sha1&q-ak=AKIDx&q-sign-time=1;1000&q-key-time=1;1000&q-header-list=content-length;content-type;host;x-cos-meta-empty;x-cos-security-token&q-url-param-list=uploads&q-signature="), "{auth}");
        assert_eq!(req.header("x-cos-security-token"), Some("TOKEN123"));
        // Signing again replaces the Authorization instead of adding a second one.
        req.sign(&signer(Some("TOKEN123")), kt)
            .expect("signs again");
        assert_eq!(
            req.headers
                .iter()
                .filter(|(n, _)| n == "Authorization")
                .count(),
            1
        );
        assert_eq!(
            req.headers
                .iter()
                .filter(|(n, _)| n == "x-cos-security-token")
                .count(),
            1
        );
    }

    fn lengths(req: &Request) -> Vec<&str> {
        req.headers
            .iter()
            .filter(|(n, _)| n == "Content-Length")
            .map(|(_, v)| v.as_str())
            .collect()
    }

    #[test]
    fn content_length_follows_the_method_and_the_body() {
        for (method, want) in [
            (Method::Put, vec!["0"]),
            (Method::Post, vec!["0"]),
            (Method::Get, vec![]),
            (Method::Head, vec![]),
            (Method::Delete, vec![]),
            (Method::Options, vec![]),
        ] {
            let req = Request::new(method, target(), "k");
            assert_eq!(lengths(&req), want, "{method}");
        }
        let mut put = Request::new(Method::Put, target(), "k");
        put.set_body(Body::from(b"hello".to_vec()));
        assert_eq!(lengths(&put), vec!["5"]);
        put.set_body(Body::Stream { length: 7 });
        assert_eq!(lengths(&put), vec!["7"]);
        put.set_body(Body::Empty);
        assert_eq!((lengths(&put), &put.body), (vec!["0"], &Body::Empty));
        let mut delete = Request::new(Method::Post, target(), "").with_query("delete", "");
        delete.set_body(Body::from(b"<Delete/>".to_vec()));
        assert_eq!(lengths(&delete), vec!["9"]);
        let mut get = Request::new(Method::Get, target(), "k");
        get.set_body(Body::from(b"ab".to_vec()));
        assert_eq!(lengths(&get), vec!["2"]);
        get.set_body(Body::Empty);
        assert_eq!(lengths(&get), Vec::<&str>::new());
    }

    #[test]
    fn a_body_less_put_signs_its_content_length() {
        let kt = KeyTime::new(1, 2).expect("kt");
        let s = signer(None);
        let req = Request::new(Method::Put, target(), "").with_header("x-cos-acl", "private");
        let added = req.signing_headers(&s, kt).expect("signs");
        let expected = s
            .sign(
                &SignableRequest::new("PUT", "/")
                    .header("Content-Length", "0")
                    .header("host", "ex-1250000000.cos.ap-guangzhou.myqcloud.com")
                    .header("x-cos-acl", "private"),
                kt,
            )
            .expect("signs");
        assert_eq!(expected.header_list(), "content-length;host;x-cos-acl");
        assert_eq!(added, vec![("Authorization", expected.as_str().to_owned())]);
    }

    #[test]
    fn a_content_length_out_of_step_with_the_body_is_refused_before_signing() {
        let kt = KeyTime::new(1, 2).expect("kt");
        let s = signer(None);
        let mut assigned = Request::new(Method::Put, target(), "k");
        assigned.body = Body::from(b"abc".to_vec());
        let mut twice = Request::new(Method::Put, target(), "k");
        twice.headers.push(("content-length".into(), "0".into()));
        let get_with_length =
            Request::new(Method::Get, target(), "k").with_header("Content-Length", "0");
        let mut pushed = Request::new(Method::Post, target(), "k");
        pushed.headers.clear();
        for (name, req) in [
            ("body assigned directly", assigned),
            ("two headers", twice),
            ("a GET with a length", get_with_length),
            ("a POST without one", pushed),
        ] {
            let err = req.signing_headers(&s, kt).expect_err(name);
            assert_eq!(err.field(), Some("ContentLength"), "{name}: {err}");
        }
    }

    #[test]
    fn host_with_port_and_connect_address() {
        let e = Endpoint::new()
            .with_domain("{Bucket}.local.test:8080")
            .and_then(|e| e.with_connect_address("127.0.0.1:9"))
            .expect("endpoint");
        let t = e
            .target(
                &Bucket::new("ex-1").expect("b"),
                &Region::new("ap-a").expect("r"),
            )
            .expect("target");
        let req = Request::new(Method::Get, t, "k");
        assert_eq!(req.host(), "ex-1.local.test:8080");
        assert_eq!(req.url(), "https://127.0.0.1:9/k");
        let s = signer(None);
        let kt = KeyTime::new(1, 2).expect("kt");
        let added = req.signing_headers(&s, kt).expect("signs");
        let expected = s
            .sign(
                &SignableRequest::new("GET", "/k").header("host", "ex-1.local.test:8080"),
                kt,
            )
            .expect("signs");
        assert_eq!(added, vec![("Authorization", expected.as_str().to_owned())]);
    }

    #[test]
    fn injected_headers_are_rejected_before_signing() {
        let req =
            Request::new(Method::Get, target(), "k").with_header("x-cos-meta-a", "1\r\nEvil: 2");
        let err = req
            .signing_headers(&signer(None), KeyTime::new(1, 2).expect("kt"))
            .expect_err("crlf");
        assert_eq!(err.field(), Some("Headers[x-cos-meta-a]"));
    }
}
