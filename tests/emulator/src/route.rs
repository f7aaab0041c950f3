//! From an HTTP request to a COS call: the bucket (from the Host header or the path), the
//! object key, the decoded query, and the operation's name.
//!
//! Addressing:
//! - virtual-hosted: the first label of the Host is a `{name}-{appid}` bucket
//!   (`examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com`, or any such host); the path
//!   is `/` + key;
//! - path-style: any other Host (`127.0.0.1:PORT`, `cos.ap-guangzhou.myqcloud.com`); the
//!   path is `/{bucket}/{key}` and `/` alone is GetService.
//!
//! The signed pathname is the decoded path as a whole (so `/{bucket}/{key}` for path-style).

use cos_proto::Bucket;
use cos_proto::header;

use crate::error::CosError;
use crate::names;

/// One request, decoded.
#[derive(Debug, Clone)]
pub(crate) struct Ctx {
    /// Upper-case method.
    pub(crate) method: String,
    /// The pathname as decoded from the request target: what the client signed.
    pub(crate) pathname: String,
    /// The Host header.
    pub(crate) host: String,
    /// The bucket, unless the request is for the service.
    pub(crate) bucket: Option<String>,
    /// The object key; empty for bucket-level calls.
    pub(crate) key: String,
    /// Query parameters, decoded (`+` is a space), in order, empty values kept.
    pub(crate) query: Vec<(String, String)>,
    /// Headers as received.
    pub(crate) headers: Vec<(String, String)>,
    /// The time the request arrived, Unix seconds.
    pub(crate) now: u64,
    /// The region the Host names, or the emulator's.
    pub(crate) region: String,
    /// Whether the Host names the region (`….cos.{region}.myqcloud.com`).
    pub(crate) host_names_region: bool,
    /// The operation, as COS names it (`PutObject`, ...).
    pub(crate) op: &'static str,
}

impl Ctx {
    /// Decodes a request: method, request target (`/path?query` or an absolute URL) and
    /// headers.
    pub(crate) fn parse(
        method: &str,
        target: &str,
        headers: Vec<(String, String)>,
        default_region: &str,
        now: u64,
    ) -> Result<Ctx, CosError> {
        let bad_uri = || CosError::new(400, "InvalidURI", "The request URI is not valid.");
        let mut target = target;
        for scheme in ["http://", "https://"] {
            if let Some(rest) = target.strip_prefix(scheme) {
                target = rest.find('/').map_or("/", |i| &rest[i..]);
            }
        }
        let (raw_path, raw_query) = target.split_once('?').unwrap_or((target, ""));
        let raw_path = raw_path.split('#').next().unwrap_or_default();
        if !raw_path.starts_with('/') {
            return Err(bad_uri());
        }
        let pathname = percent_decode(raw_path, false).ok_or_else(bad_uri)?;
        let mut query = Vec::new();
        for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
            let (n, v) = pair.split_once('=').unwrap_or((pair, ""));
            query.push((
                percent_decode(n, true).ok_or_else(bad_uri)?,
                percent_decode(v, true).ok_or_else(bad_uri)?,
            ));
        }
        let host = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(header::HOST))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default();
        let hostname = strip_port(&host).to_ascii_lowercase();
        let first_label = hostname.split('.').next().unwrap_or_default();
        let virtual_bucket = hostname.contains('.')
            && Bucket::new(first_label).is_ok()
            && hostname.parse::<std::net::IpAddr>().is_err();
        let (bucket, key) = if virtual_bucket {
            let key = pathname.strip_prefix('/').unwrap_or(&pathname).to_owned();
            (Some(first_label.to_owned()), key)
        } else {
            let rest = &pathname[1..];
            if rest.is_empty() {
                (None, String::new())
            } else {
                let (b, k) = rest.split_once('/').unwrap_or((rest, ""));
                (Some(b.to_owned()), k.to_owned())
            }
        };
        let host_region = region_of(&hostname);
        let host_names_region = host_region.is_some();
        let region = host_region.unwrap_or_else(|| default_region.to_owned());
        let method = method.to_ascii_uppercase();
        let mut ctx = Ctx {
            method,
            pathname,
            host,
            bucket,
            key,
            query,
            headers,
            now,
            region,
            host_names_region,
            op: "",
        };
        ctx.op = operation(&ctx);
        Ok(ctx)
    }

    /// The first header named `name`, ignoring case.
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first query parameter named `name`, ignoring case.
    pub(crate) fn query(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the query has a parameter named `name`.
    pub(crate) fn has_query(&self, name: &str) -> bool {
        self.query(name).is_some()
    }

    /// The `Resource` of an error document: host and path.
    pub(crate) fn resource(&self) -> String {
        format!("{}{}", self.host, self.pathname)
    }
}

/// The host without a port (`[::1]:80` → `[::1]`).
pub(crate) fn strip_port(host: &str) -> &str {
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(h, _)| &host[..=h.len()]);
    }
    host.rsplit_once(':')
        .filter(|(_, p)| p.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(h, _)| h)
}

/// The region a COS host names: `….cos.{region}.myqcloud.com` or `{bucket}.{region}.myqcloud.com`.
fn region_of(hostname: &str) -> Option<String> {
    let rest = hostname.strip_suffix(".myqcloud.com")?;
    let labels: Vec<&str> = rest.split('.').collect();
    if let Some(i) = labels.iter().position(|l| *l == "cos") {
        return labels.get(i + 1).map(|r| (*r).to_owned());
    }
    match labels.as_slice() {
        [_bucket, region] => Some((*region).to_owned()),
        _ => None,
    }
}

/// Percent-decodes `s`; with `plus_is_space`, `+` becomes a space (query strings). A `%` not
/// followed by two hex digits stays as it is. `None` when the result is not UTF-8.
pub(crate) fn percent_decode(s: &str, plus_is_space: bool) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(if plus_is_space && b == b'+' { b' ' } else { b });
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// The COS operation a request is.
fn operation(ctx: &Ctx) -> &'static str {
    let q = |n: &str| ctx.has_query(n);
    let m = ctx.method.as_str();
    if ctx.bucket.is_none() {
        return if m == "GET" {
            names::GET_SERVICE
        } else {
            names::UNKNOWN
        };
    }
    if m == "OPTIONS" {
        return names::OPTIONS_OBJECT;
    }
    if ctx.key.is_empty() {
        return match m {
            "PUT" if q("acl") => names::PUT_BUCKET_ACL,
            "PUT" if q("cors") => names::PUT_BUCKET_CORS,
            "PUT" => names::PUT_BUCKET,
            "GET" if q("acl") => names::GET_BUCKET_ACL,
            "GET" if q("cors") => names::GET_BUCKET_CORS,
            "GET" if q("location") => names::GET_BUCKET_LOCATION,
            "GET" if q("uploads") => names::LIST_MULTIPART_UPLOADS,
            "GET" => names::GET_BUCKET,
            "HEAD" => names::HEAD_BUCKET,
            "DELETE" if q("cors") => names::DELETE_BUCKET_CORS,
            "DELETE" => names::DELETE_BUCKET,
            "POST" if q("delete") => names::DELETE_MULTIPLE_OBJECTS,
            _ => names::UNKNOWN,
        };
    }
    let copy = ctx.header(header::COPY_SOURCE).is_some();
    match m {
        "PUT" if q("acl") => names::PUT_OBJECT_ACL,
        "PUT" if q("partNumber") && q("uploadId") && copy => names::UPLOAD_PART_COPY,
        "PUT" if q("partNumber") && q("uploadId") => names::UPLOAD_PART,
        "PUT" if copy => names::PUT_OBJECT_COPY,
        "PUT" => names::PUT_OBJECT,
        "GET" if q("acl") => names::GET_OBJECT_ACL,
        "GET" if q("uploadId") => names::LIST_PARTS,
        "GET" => names::GET_OBJECT,
        "HEAD" => names::HEAD_OBJECT,
        "DELETE" if q("uploadId") => names::ABORT_MULTIPART_UPLOAD,
        "DELETE" => names::DELETE_OBJECT,
        "POST" if q("uploads") => names::INITIATE_MULTIPART_UPLOAD,
        "POST" if q("uploadId") => names::COMPLETE_MULTIPART_UPLOAD,
        _ => names::UNKNOWN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(method: &str, target: &str, host: &str) -> Ctx {
        Ctx::parse(
            method,
            target,
            vec![("Host".into(), host.into())],
            "ap-default",
            0,
        )
        .expect("parses")
    }

    #[test]
    fn addressing() {
        let c = ctx(
            "GET",
            "/a%20b/c+d?prefix=x+y&acl",
            "ex-1250000000.cos.ap-guangzhou.myqcloud.com",
        );
        assert_eq!(c.bucket.as_deref(), Some("ex-1250000000"));
        assert_eq!(
            (c.key.as_str(), c.pathname.as_str()),
            ("a b/c+d", "/a b/c+d")
        );
        assert_eq!(
            c.query,
            vec![("prefix".into(), "x y".into()), ("acl".into(), "".into())]
        );
        assert_eq!((c.region.as_str(), c.op), ("ap-guangzhou", "GetObjectACL"));

        let c = ctx("PUT", "/ex-1250000000/dir/k", "127.0.0.1:9000");
        assert_eq!(c.bucket.as_deref(), Some("ex-1250000000"));
        assert_eq!(
            (c.key.as_str(), c.pathname.as_str()),
            ("dir/k", "/ex-1250000000/dir/k")
        );
        assert_eq!((c.region.as_str(), c.op), ("ap-default", "PutObject"));

        let c = ctx("GET", "/", "service.cos.myqcloud.com");
        assert_eq!((c.bucket, c.op), (None, "GetService"));
        let c = ctx("GET", "/ex-1/", "localhost:1");
        assert_eq!(
            (c.bucket.as_deref(), c.key.as_str(), c.op),
            (Some("ex-1"), "", "GetBucket")
        );
        let c = ctx("GET", "//a", "ex-1.sg.myqcloud.com");
        assert_eq!((c.key.as_str(), c.region.as_str()), ("/a", "sg"));
        assert_eq!(strip_port("[::1]:80"), "[::1]");
        assert!(Ctx::parse("GET", "x", vec![], "r", 0).is_err());
        assert!(Ctx::parse("GET", "/%FF", vec![], "r", 0).is_err());
    }
}
