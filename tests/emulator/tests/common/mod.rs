//! A client for the tests: builds requests with cos-proto, signs them, and sends them over
//! real HTTP (ureq) to an emulator on loopback.
#![allow(dead_code, unreachable_pub)]

use std::time::{Duration, SystemTime};

use cos_emulator::{Emulator, EmulatorBuilder};
use cos_proto::{
    Bucket, Credentials, Endpoint, KeyTime, Method, Operation, Region, Request, Response, Scheme,
    Signer, Target,
};

pub const BUCKET: &str = "examplebucket-1250000000";
pub const REGION: &str = "ap-guangzhou";
pub const SECRET_ID: &str = "AKIDemulatortest";
pub const SECRET_KEY: &str = "emulator-secret-key";

/// A running emulator with a client for it.
pub struct Harness {
    pub emu: Emulator,
    pub signer: Signer,
    /// Virtual-hosted, connecting to the emulator.
    pub endpoint: Endpoint,
    /// Path-style, connecting to the emulator.
    pub path_endpoint: Endpoint,
    agent: ureq::Agent,
}

/// A response as the tests read it.
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `<Code>` of an error body ("" when there is none).
    pub fn code(&self) -> String {
        cos_proto::xml::parse("test", &self.body)
            .ok()
            .and_then(|e| e.text_of("Code"))
            .unwrap_or_default()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn to_response(&self) -> Response {
        Response {
            status: self.status,
            headers: self.headers.clone(),
            body: self.body.clone(),
        }
    }

    /// Asserts an error status and code, and that every error carries a request id.
    #[track_caller]
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code().as_str()),
            (status, code),
            "{}",
            self.text()
        );
        assert!(self.header("x-cos-request-id").is_some());
    }
}

pub fn credentials() -> Credentials {
    Credentials::new(SECRET_ID, SECRET_KEY).expect("credentials")
}

impl Harness {
    /// An emulator with the test credential and [`BUCKET`].
    pub fn new() -> Self {
        Harness::with(Emulator::builder())
    }

    /// An emulator from `builder`, plus the test credential and [`BUCKET`].
    pub fn with(builder: EmulatorBuilder) -> Self {
        let emu = builder
            .credential(SECRET_ID, SECRET_KEY)
            .bucket(BUCKET)
            .start()
            .expect("emulator starts");
        Harness::attach(emu, Signer::new(credentials()))
    }

    /// A client for a running emulator.
    pub fn attach(emu: Emulator, signer: Signer) -> Self {
        let endpoint = Endpoint::new()
            .with_scheme(Scheme::Http)
            .with_connect_address(&emu.address())
            .expect("endpoint");
        let path_endpoint = endpoint.clone().with_path_style(true);
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(20)))
            .build()
            .into();
        Harness {
            emu,
            signer,
            endpoint,
            path_endpoint,
            agent,
        }
    }

    pub fn target_for(&self, bucket: &str) -> Target {
        self.endpoint
            .target(
                &Bucket::new(bucket).expect("bucket"),
                &Region::new(REGION).expect("region"),
            )
            .expect("target")
    }

    /// A request on `key` of [`BUCKET`], virtual-hosted.
    pub fn req(&self, method: Method, key: &str) -> Request {
        Request::new(method, self.target_for(BUCKET), key)
    }

    /// A request on `key` of `bucket`, path-style.
    pub fn path_req(&self, method: Method, bucket: &str, key: &str) -> Request {
        let target = self
            .path_endpoint
            .target(
                &Bucket::new(bucket).expect("bucket"),
                &Region::new(REGION).expect("region"),
            )
            .expect("target");
        Request::new(method, target, key)
    }

    /// Signs `req` for now and sends it.
    pub fn send(&self, req: Request) -> Resp {
        self.send_via(&self.agent, req)
    }

    /// Signs `req` for now and sends it with `agent` (its own connection pool).
    pub fn send_via(&self, agent: &ureq::Agent, req: Request) -> Resp {
        self.try_send_via(agent, req).expect("the emulator answers")
    }

    /// [`Harness::send_via`], with the transport error as an error.
    pub fn try_send_via(&self, agent: &ureq::Agent, mut req: Request) -> Result<Resp, ureq::Error> {
        let kt = KeyTime::for_request(SystemTime::now(), Duration::from_secs(900)).expect("kt");
        req.sign(&self.signer, kt).expect("signs");
        let body = match &req.body {
            cos_proto::Body::Bytes(b) => b.to_vec(),
            _ => Vec::new(),
        };
        try_send_with(
            agent,
            req.method.as_str(),
            &req.url(),
            req.host(),
            &req.headers,
            body,
        )
    }

    /// Sends `req` as it is (no signing).
    pub fn send_raw(&self, req: &Request) -> Resp {
        let body = match &req.body {
            cos_proto::Body::Bytes(b) => b.to_vec(),
            _ => Vec::new(),
        };
        self.send_url(
            req.method.as_str(),
            &req.url(),
            req.host(),
            &req.headers,
            body,
        )
    }

    /// Sends a request to `url` with `Host: host`.
    pub fn send_url(
        &self,
        method: &str,
        url: &str,
        host: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> Resp {
        send_with(&self.agent, method, url, host, headers, body)
    }

    /// Sends a cos-proto operation and parses its output.
    pub fn op<O: Operation>(&self, op: &O, path_style: bool) -> cos_proto::Result<O::Output> {
        let endpoint = if path_style {
            &self.path_endpoint
        } else {
            &self.endpoint
        };
        let req = op.to_request(endpoint)?;
        op.parse(self.send(req).to_response())
    }

    /// PUT Object with `body` and extra headers.
    pub fn put(&self, key: &str, body: &[u8], headers: &[(&str, &str)]) -> Resp {
        let mut req = self.req(Method::Put, key);
        for (n, v) in headers {
            req = req.with_header(*n, *v);
        }
        req.set_body(cos_proto::Body::from(body.to_vec()));
        self.send(req)
    }

    /// GET Object with extra headers.
    pub fn get(&self, key: &str, headers: &[(&str, &str)]) -> Resp {
        let mut req = self.req(Method::Get, key);
        for (n, v) in headers {
            req = req.with_header(*n, *v);
        }
        self.send(req)
    }
}

/// Lower-case hex MD5, quoted: the ETag of a simple upload.
pub fn etag_of(bytes: &[u8]) -> String {
    let b64 = cos_proto::ops::content_md5(bytes);
    let raw = base64_decode(&b64);
    format!(
        "\"{}\"",
        raw.iter().map(|b| format!("{b:02x}")).collect::<String>()
    )
}

fn base64_decode(s: &str) -> Vec<u8> {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| *c != b'=') {
        let v = A.iter().position(|a| *a == c).expect("base64") as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    out
}

/// The status and COS code of a service error (`None` for other errors).
pub fn service_code(err: &cos_proto::Error) -> Option<(u16, String)> {
    err.service().map(|s| (s.status, s.code.clone()))
}

/// Sends a request to `url` with `Host: host` through `agent`.
pub fn send_with(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    host: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Resp {
    try_send_with(agent, method, url, host, headers, body).expect("the emulator answers")
}

/// [`send_with`], with the transport error (a timeout, a broken connection) as an error.
pub fn try_send_with(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    host: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Result<Resp, ureq::Error> {
    let mut b = ureq::http::Request::builder()
        .method(method)
        .uri(url)
        .header("Host", host);
    for (n, v) in headers {
        if !n.eq_ignore_ascii_case("host") {
            b = b.header(n.as_str(), v.as_str());
        }
    }
    let result = if body.is_empty() && matches!(method, "GET" | "HEAD" | "DELETE" | "OPTIONS") {
        agent.run(b.body(()).expect("request"))
    } else {
        agent.run(b.body(body).expect("request"))
    };
    let mut resp = result?;
    let headers = resp
        .headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                v.to_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let status = resp.status().as_u16();
    let body = if method == "HEAD" {
        Vec::new()
    } else {
        resp.body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_vec()?
    };
    Ok(Resp {
        status,
        headers,
        body,
    })
}
