//! Where requests go: validated bucket and region names, the protocol, and the host COS is
//! reached at — the default virtual-hosted domain, a custom `Domain` template, the global
//! acceleration domain, path-style addressing, and an explicit connect address (like the
//! official SDKs' `Ip`/`Port` options) that keeps the virtual-hosted `Host` header.

use std::fmt;

use crate::error::{Error, Result};

/// Regions whose default domain has no `cos.` label: `{Bucket}.{Region}.myqcloud.com`.
const LEGACY_REGIONS: [&str; 6] = [
    "cn-south",
    "cn-south-2",
    "cn-north",
    "cn-east",
    "cn-southwest",
    "sg",
];

/// The pseudo-region of the global acceleration domain.
const ACCELERATE: &str = "accelerate";

/// A bucket name in COS's `{name}-{appid}` form, e.g. `examplebucket-1250000000`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bucket {
    full: String,
    dash: usize,
}

impl Bucket {
    /// Validates `full`: a name of lower-case letters, digits and `-` (not at either end),
    /// then `-` and the numeric APPID; 60 characters at most.
    pub fn new(full: impl Into<String>) -> Result<Self> {
        let full = full.into();
        let bad = |why: &'static str| Err(Error::invalid("Bucket", why));
        if full.is_empty() {
            return bad("is required");
        }
        if full.len() > 60 {
            return bad("must be at most 60 characters, `-` and APPID included");
        }
        let Some(dash) = full.rfind('-') else {
            return bad("must be `{name}-{appid}`, e.g. examplebucket-1250000000");
        };
        let (name, appid) = (&full[..dash], &full[dash + 1..]);
        if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) {
            return bad("must end with `-` and the numeric APPID, e.g. examplebucket-1250000000");
        }
        if name.is_empty() {
            return bad("the name before the APPID is empty");
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return bad("the name may hold only lower-case letters, digits and `-`");
        }
        if name.starts_with('-') || name.ends_with('-') {
            return bad("the name must not start or end with `-`");
        }
        Ok(Bucket { full, dash })
    }

    /// The whole `{name}-{appid}`.
    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The name without the APPID (the `{BucketName}` of a Domain template).
    pub fn short_name(&self) -> &str {
        &self.full[..self.dash]
    }

    /// The APPID.
    pub fn appid(&self) -> &str {
        &self.full[self.dash + 1..]
    }
}

impl fmt::Display for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

/// A COS region such as `ap-guangzhou`, a legacy one such as `cn-south`, or `accelerate`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Region(String);

impl Region {
    /// Validates `name`: lower-case words of letters and digits joined by `-`, starting with
    /// a letter (`ap-guangzhou`, `na-siliconvalley`, `ap-beijing-1`), or one of the legacy
    /// names `sg` and `accelerate`. Forms with a `cos.` prefix or aliases like `cosgz` are
    /// rejected.
    pub fn new(name: impl Into<String>) -> Result<Self> {
        let name = name.into();
        if name.is_empty() {
            return Err(Error::invalid("Region", "is required"));
        }
        let words_ok = name.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        let starts_with_letter = name.as_bytes()[0].is_ascii_lowercase();
        let known_single = name == "sg" || name == ACCELERATE;
        if name.len() > 40
            || !words_ok
            || !starts_with_letter
            || (!name.contains('-') && !known_single)
        {
            return Err(Error::invalid(
                "Region",
                "must be a COS region such as ap-guangzhou (lower-case words joined by `-`)",
            ));
        }
        Ok(Region(name))
    }

    /// The region name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn is_legacy(&self) -> bool {
        LEGACY_REGIONS.contains(&self.0.as_str())
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `http:` or `https:` (the seed's `Protocol`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scheme {
    /// Plain HTTP.
    Http,
    /// HTTPS, the default.
    #[default]
    Https,
}

impl Scheme {
    /// Parses the seed's `Protocol` form (`http:` / `https:`); the colon is optional.
    pub fn parse(protocol: &str) -> Result<Self> {
        match protocol.trim_end_matches(':').to_ascii_lowercase().as_str() {
            "http" => Ok(Scheme::Http),
            "https" => Ok(Scheme::Https),
            _ => Err(Error::invalid("Protocol", "must be `http:` or `https:`")),
        }
    }

    /// `http` or `https`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    /// The port used when a URL names none.
    pub fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

/// How to reach COS: protocol, domain and addressing, shared by every request of a client.
///
/// With nothing set, requests go to `https://{Bucket}.cos.{Region}.myqcloud.com`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Endpoint {
    scheme: Scheme,
    domain: Option<String>,
    accelerate: bool,
    path_style: bool,
    connect_to: Option<String>,
}

/// Where one request goes: the URL's scheme, the `Host` header, the authority to connect to,
/// and the path prefix (`/{Bucket}` with path-style addressing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The protocol.
    pub scheme: Scheme,
    /// The `Host` header: the virtual-hosted (or custom) domain, with a port only when the
    /// domain names one. It is signed.
    pub host: String,
    /// The `host[:port]` to open the connection to: `host` unless a connect address is set.
    pub authority: String,
    /// Prepended to the key's pathname: empty, or `/{Bucket}` with path-style addressing.
    pub path_prefix: String,
}

impl Endpoint {
    /// The default endpoint: HTTPS to `{Bucket}.cos.{Region}.myqcloud.com`.
    pub fn new() -> Self {
        Endpoint::default()
    }

    /// Sets the protocol (default HTTPS).
    pub fn with_scheme(mut self, scheme: Scheme) -> Self {
        self.scheme = scheme;
        self
    }

    /// Sets a custom domain template (the seed's `Domain`), e.g. `{Bucket}.cos.{Region}.example.com`
    /// or `cdn.example.com:8080`. Placeholders (any case): `{Bucket}` (name-appid),
    /// `{BucketName}` (name only), `{AppId}`, `{Region}`. A leading `http://` or `https://`
    /// sets the protocol too.
    pub fn with_domain(mut self, template: &str) -> Result<Self> {
        let mut rest = template;
        for (prefix, scheme) in [("https://", Scheme::Https), ("http://", Scheme::Http)] {
            // `get`: a template may start with a character wider than one byte.
            if let Some(tail) = rest
                .get(..prefix.len())
                .filter(|head| head.eq_ignore_ascii_case(prefix))
                .and_then(|_| rest.get(prefix.len()..))
            {
                self.scheme = scheme;
                rest = tail;
            }
        }
        let rest = rest.trim_end_matches('/');
        // Check the template by expanding it for a sample bucket.
        let sample = expand(rest, &Bucket::new("a-1")?, Some(&Region::new("ap-a")?))?;
        check_authority("Domain", &sample)?;
        self.domain = Some(rest.to_owned());
        Ok(self)
    }

    /// Uses the global acceleration domain `{Bucket}.cos.accelerate.myqcloud.com`.
    pub fn with_accelerate(mut self, on: bool) -> Self {
        self.accelerate = on;
        self
    }

    /// Puts the bucket in the path (`/{Bucket}/{Key}` on `cos.{Region}.myqcloud.com`) instead
    /// of the host; the bucket is then part of the signed pathname.
    pub fn with_path_style(mut self, on: bool) -> Self {
        self.path_style = on;
        self
    }

    /// Connects to `address` (`127.0.0.1:9000`, `[::1]:9000`, `host:port`) while keeping the
    /// virtual-hosted `Host` header, like the official SDKs' `Ip`/`Port` options — for a local
    /// emulator, a proxy or a pinned IP.
    pub fn with_connect_address(mut self, address: &str) -> Result<Self> {
        check_authority("ConnectAddress", address)?;
        self.connect_to = Some(address.to_owned());
        Ok(self)
    }

    /// The protocol.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The explicit connect address, if set.
    pub fn connect_address(&self) -> Option<&str> {
        self.connect_to.as_deref()
    }

    /// Whether path-style addressing is on.
    pub fn is_path_style(&self) -> bool {
        self.path_style
    }

    /// Where a request on `bucket` in `region` goes.
    pub fn target(&self, bucket: &Bucket, region: &Region) -> Result<Target> {
        let (host, path_prefix) = if self.path_style {
            (self.service_host(Some(region)), format!("/{bucket}"))
        } else if let Some(template) = &self.domain {
            (expand(template, bucket, Some(region))?, String::new())
        } else if self.accelerate || region.as_str() == ACCELERATE {
            (
                format!("{bucket}.cos.{ACCELERATE}.myqcloud.com"),
                String::new(),
            )
        } else if region.is_legacy() {
            (format!("{bucket}.{region}.myqcloud.com"), String::new())
        } else {
            (format!("{bucket}.cos.{region}.myqcloud.com"), String::new())
        };
        Ok(self.finish(host, path_prefix))
    }

    /// Where a request that names no bucket (GetService) goes: `service.cos.myqcloud.com`,
    /// or `cos.{Region}.myqcloud.com` when a region is given.
    pub fn service_target(&self, region: Option<&Region>) -> Target {
        self.finish(self.service_host(region), String::new())
    }

    fn service_host(&self, region: Option<&Region>) -> String {
        match region {
            Some(r) => format!("cos.{r}.myqcloud.com"),
            None => "service.cos.myqcloud.com".to_owned(),
        }
    }

    fn finish(&self, host: String, path_prefix: String) -> Target {
        Target {
            scheme: self.scheme,
            authority: self.connect_to.clone().unwrap_or_else(|| host.clone()),
            host,
            path_prefix,
        }
    }
}

/// Replaces the placeholders of a Domain template.
fn expand(template: &str, bucket: &Bucket, region: Option<&Region>) -> Result<String> {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| Error::invalid("Domain", "has a `{` without a closing `}`"))?;
        let name = &rest[open + 1..open + close];
        let value = match name.to_ascii_lowercase().as_str() {
            "bucket" => bucket.as_str(),
            "bucketname" => bucket.short_name(),
            "appid" => bucket.appid(),
            "region" => region
                .map(Region::as_str)
                .ok_or_else(|| Error::invalid("Region", "is required by the Domain template"))?,
            _ => {
                return Err(Error::invalid(
                    "Domain",
                    "placeholders are {Bucket}, {BucketName}, {AppId} and {Region}",
                ));
            }
        };
        out.push_str(value);
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Checks a `host[:port]` authority: a DNS name or IPv4 address, or a bracketed IPv6
/// address, and an optional port 1..=65535.
fn check_authority(field: &'static str, authority: &str) -> Result<()> {
    let bad = |why: &'static str| Err(Error::invalid(field, why));
    let (host_ok, port) = if let Some(v6) = authority.strip_prefix('[') {
        let Some((addr, after)) = v6.split_once(']') else {
            return bad("has an IPv6 address without the closing `]`");
        };
        let port = match after {
            "" => None,
            p => match p.strip_prefix(':') {
                Some(p) => Some(p),
                None => return bad("must be `[IPv6]` or `[IPv6]:port`"),
            },
        };
        (addr.parse::<std::net::Ipv6Addr>().is_ok(), port)
    } else {
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let label_ok = |l: &str| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        (host.len() <= 253 && host.split('.').all(label_ok), port)
    };
    if !host_ok {
        return bad("must be a host name or IP address, with an optional `:port`");
    }
    let port_ok = |p: &str| {
        p.bytes().all(|b| b.is_ascii_digit()) && matches!(p.parse::<u16>(), Ok(n) if n > 0)
    };
    if port.is_some_and(|p| !port_ok(p)) {
        return bad("has a port that is not a number from 1 to 65535");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(s: &str) -> Bucket {
        Bucket::new(s).expect("valid bucket")
    }
    fn r(s: &str) -> Region {
        Region::new(s).expect("valid region")
    }

    #[test]
    fn bucket_names() {
        let bucket = b("example-bucket-1250000000");
        assert_eq!(bucket.short_name(), "example-bucket");
        assert_eq!(bucket.appid(), "1250000000");
        for bad in [
            "",
            "examplebucket",
            "examplebucket-",
            "-1250000000",
            "Example-1250000000",
            "ex_ample-1250000000",
            "-ex-1250000000",
            "ex--1250000000",
            "example-12a",
            "example.bucket-1250000000",
            &format!("{}-1250000000", "a".repeat(50)),
        ] {
            let err = Bucket::new(bad).expect_err(bad);
            assert_eq!(err.field(), Some("Bucket"), "{bad}");
        }
    }

    #[test]
    fn region_names() {
        for ok in [
            "ap-guangzhou",
            "na-siliconvalley",
            "ap-beijing-1",
            "cn-south",
            "sg",
            "accelerate",
        ] {
            assert!(Region::new(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "cosgz",
            "cos.ap-guangzhou",
            "AP-Guangzhou",
            "ap_guangzhou",
            "ap--x",
            "-ap",
            "ap-",
            "1ap-x",
            "ap-guangzhou.myqcloud.com",
        ] {
            let err = Region::new(bad).expect_err(bad);
            assert_eq!(err.field(), Some("Region"), "{bad}");
        }
    }

    #[test]
    fn default_legacy_and_accelerate_hosts() {
        let e = Endpoint::new();
        let t = e.target(&b("ex-125"), &r("ap-guangzhou")).expect("target");
        assert_eq!(
            (
                t.scheme,
                t.host.as_str(),
                t.authority.as_str(),
                t.path_prefix.as_str()
            ),
            (
                Scheme::Https,
                "ex-125.cos.ap-guangzhou.myqcloud.com",
                "ex-125.cos.ap-guangzhou.myqcloud.com",
                ""
            )
        );
        let t = e.target(&b("ex-125"), &r("cn-south")).expect("target");
        assert_eq!(t.host, "ex-125.cn-south.myqcloud.com");
        let t = e
            .clone()
            .with_accelerate(true)
            .target(&b("ex-125"), &r("ap-guangzhou"))
            .expect("target");
        assert_eq!(t.host, "ex-125.cos.accelerate.myqcloud.com");
        let t = e.target(&b("ex-125"), &r("accelerate")).expect("target");
        assert_eq!(t.host, "ex-125.cos.accelerate.myqcloud.com");
        assert_eq!(e.service_target(None).host, "service.cos.myqcloud.com");
        assert_eq!(
            e.service_target(Some(&r("ap-beijing"))).host,
            "cos.ap-beijing.myqcloud.com"
        );
    }

    #[test]
    fn domain_templates() {
        let e = Endpoint::new()
            .with_domain("{BucketName}.{AppId}.{Region}.example.com:8443")
            .expect("valid");
        let t = e.target(&b("ex-125"), &r("ap-guangzhou")).expect("target");
        assert_eq!(t.host, "ex.125.ap-guangzhou.example.com:8443");
        let e = Endpoint::new()
            .with_domain("http://{bucket}.cdn.example.com")
            .expect("valid");
        assert_eq!(e.scheme(), Scheme::Http);
        assert_eq!(
            e.target(&b("ex-125"), &r("ap-x")).expect("target").host,
            "ex-125.cdn.example.com"
        );
        for bad in [
            "{Oops}.example.com",
            "{Bucket.example.com",
            "a b.com",
            "x.com:0",
            "x.com:99999",
            "x.com:8a",
            "",
            // Wider than one byte where a scheme would end (found by cos-proto/tests/fuzz.rs:
            // it panicked slicing inside a character).
            "%%🕴ã$#",
            "httpé://x.com",
        ] {
            let err = Endpoint::new().with_domain(bad).expect_err(bad);
            assert_eq!(err.field(), Some("Domain"), "{bad}");
        }
    }

    #[test]
    fn connect_address_keeps_the_virtual_host() {
        let e = Endpoint::new()
            .with_scheme(Scheme::Http)
            .with_connect_address("127.0.0.1:9000")
            .expect("valid");
        let t = e.target(&b("ex-125"), &r("ap-guangzhou")).expect("target");
        assert_eq!(t.host, "ex-125.cos.ap-guangzhou.myqcloud.com");
        assert_eq!(t.authority, "127.0.0.1:9000");
        assert!(Endpoint::new().with_connect_address("[::1]:9000").is_ok());
        assert!(Endpoint::new().with_connect_address("localhost").is_ok());
        for bad in [
            "",
            "127.0.0.1:",
            "[::1",
            "[zz]:1",
            "a b:1",
            "host:70000",
            "http://x:1",
        ] {
            let err = Endpoint::new().with_connect_address(bad).expect_err(bad);
            assert_eq!(err.field(), Some("ConnectAddress"), "{bad}");
        }
    }

    #[test]
    fn path_style() {
        let e = Endpoint::new().with_path_style(true);
        let t = e.target(&b("ex-125"), &r("ap-guangzhou")).expect("target");
        assert_eq!(t.host, "cos.ap-guangzhou.myqcloud.com");
        assert_eq!(t.path_prefix, "/ex-125");
    }

    #[test]
    fn protocols() {
        assert_eq!(Scheme::parse("http:"), Ok(Scheme::Http));
        assert_eq!(Scheme::parse("https"), Ok(Scheme::Https));
        assert_eq!(
            Scheme::parse("ftp:").map_err(|e| e.field().map(str::to_owned)),
            Err(Some("Protocol".into()))
        );
    }
}
