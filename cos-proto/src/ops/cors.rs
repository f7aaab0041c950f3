//! CORS calls: getBucketCors, putBucketCors, deleteBucketCors (the `?cors` sub-resource of a
//! bucket) and optionsObject (a CORS preflight request for an object).
//!
//! A bucket's CORS configuration is a list of [`CorsRule`]s. On the wire each list of a rule
//! is a run of singular elements (`<AllowedOrigin>` once per origin); in Rust and in the
//! JavaScript SDK's data they are plural lists (`AllowedOrigins`).

use serde::Serialize;

use super::bucket::EmptyOutput;
use super::{
    Operation, bucket_target, operation_names, opt_header, parse_xml, require_key, set_xml_body,
};
use crate::endpoint::Endpoint;
use crate::error::{Error, Result};
use crate::header;
use crate::http::{Method, Request};
use crate::response::{Response, ResponseMeta};
use crate::types::CorsRule;
use crate::xml::{self, Element, Writer};

/// The query sub-resource of the bucket CORS calls.
const CORS_QUERY: &str = "cors";

/// The methods a CORS rule may allow, and a preflight may ask about.
pub const CORS_METHODS: [&str; 5] = ["GET", "PUT", "HEAD", "POST", "DELETE"];

/// The most rules COS accepts in one CORS configuration.
pub const MAX_CORS_RULES: usize = 100;

/// The largest CORS configuration body COS accepts (64 KiB).
pub const MAX_CORS_BODY_BYTES: usize = 64 << 10;

/// `getBucketCors`: the CORS configuration of a bucket.
///
/// A bucket without one answers 404 `NoSuchCORSConfiguration`, which is an
/// [`Error::Service`] with that code (the JavaScript SDK turns it into an empty list; here
/// the caller decides).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GetBucketCors {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
}

/// The result of [`GetBucketCors`]: the `CORSConfiguration` document.
///
/// Serializes as the JavaScript SDK's data: `{"CORSRules": [...], "ResponseVary": ...}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CorsConfiguration {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// The rules, in document order (empty when the document has none).
    #[serde(rename = "CORSRules")]
    pub cors_rules: Vec<CorsRule>,
    /// Whether COS adds `Vary: Origin` to responses, when the document says.
    #[serde(rename = "ResponseVary", skip_serializing_if = "Option::is_none")]
    pub response_vary: Option<bool>,
}

impl Operation for GetBucketCors {
    type Output = CorsConfiguration;
    const NAME: &'static str = "GetBucketCORS";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        Ok(Request::new(
            Method::Get,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        )
        .with_query(CORS_QUERY, ""))
    }

    fn parse(&self, response: Response) -> Result<CorsConfiguration> {
        const OP: &str = GetBucketCors::NAME;
        let (meta, root) = parse_xml(OP, "CORSConfiguration", response)?;
        let cors_rules = root
            .children_named("CORSRule")
            .map(read_rule)
            .collect::<Result<Vec<_>>>()?;
        Ok(CorsConfiguration {
            meta,
            cors_rules,
            response_vary: root.bool_of(OP, "ResponseVary")?,
        })
    }

    operation_names!(bucket);
}

/// Reads one `<CORSRule>`; its repeated elements may stand anywhere among the others.
fn read_rule(el: &Element) -> Result<CorsRule> {
    Ok(CorsRule {
        id: el.text_of("ID"),
        allowed_origins: el.texts_of("AllowedOrigin"),
        allowed_methods: el.texts_of("AllowedMethod"),
        allowed_headers: el.texts_of("AllowedHeader"),
        expose_headers: el.texts_of("ExposeHeader"),
        max_age_seconds: el.u64_of(GetBucketCors::NAME, "MaxAgeSeconds")?,
    })
}

/// `putBucketCors`: replaces the CORS configuration of a bucket.
///
/// Each rule needs at least one origin and one method (GET, PUT, HEAD, POST or DELETE, in
/// any case; written upper-case); at most [`MAX_CORS_RULES`] rules and a body of at most
/// [`MAX_CORS_BODY_BYTES`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PutBucketCors {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// The rules, at least one. Required.
    pub cors_rules: Vec<CorsRule>,
    /// Whether COS should add `Vary: Origin` to its responses (`<ResponseVary>`); unset
    /// leaves COS's default (false).
    pub response_vary: Option<bool>,
}

/// Checks the entries of one list (or the ID) of rule `i`: each non-empty and free of
/// control characters, and at least one when `required`.
fn check_list(i: usize, list: &'static str, values: &[String], required: bool) -> Result<()> {
    let field = || format!("CORSRules[{i}].{list}");
    if required && values.is_empty() {
        return Err(Error::invalid(field(), "needs at least one entry"));
    }
    if values
        .iter()
        .any(|v| v.is_empty() || v.chars().any(char::is_control))
    {
        return Err(Error::invalid(
            field(),
            "has an empty entry or a control character",
        ));
    }
    Ok(())
}

/// Checks rule `i` and returns its methods upper-cased.
fn check_rule(i: usize, rule: &CorsRule) -> Result<Vec<&'static str>> {
    check_list(i, "ID", rule.id.as_slice(), false)?;
    check_list(i, "AllowedOrigins", &rule.allowed_origins, true)?;
    check_list(i, "AllowedMethods", &rule.allowed_methods, true)?;
    check_list(i, "AllowedHeaders", &rule.allowed_headers, false)?;
    check_list(i, "ExposeHeaders", &rule.expose_headers, false)?;
    rule.allowed_methods
        .iter()
        .map(|m| {
            cors_method(m).ok_or_else(|| {
                Error::invalid(
                    format!("CORSRules[{i}].AllowedMethods"),
                    "each method is one of GET, PUT, HEAD, POST, DELETE",
                )
            })
        })
        .collect()
}

/// The upper-case form of `method` when it is a CORS method (any case).
fn cors_method(method: &str) -> Option<&'static str> {
    CORS_METHODS
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(method))
}

/// Writes the `<CORSConfiguration>` body, children of each rule in the order of COS's
/// sample request: ID, AllowedOrigin*, AllowedMethod*, AllowedHeader*, MaxAgeSeconds,
/// ExposeHeader*; then `<ResponseVary>`.
fn write_cors(rules: &[CorsRule], response_vary: Option<bool>) -> Result<Vec<u8>> {
    let mut w = Writer::new();
    w.open("CORSConfiguration");
    for (i, rule) in rules.iter().enumerate() {
        let methods = check_rule(i, rule)?;
        w.open("CORSRule");
        if let Some(id) = &rule.id {
            w.leaf("ID", id);
        }
        for origin in &rule.allowed_origins {
            w.leaf("AllowedOrigin", origin);
        }
        for method in methods {
            w.leaf("AllowedMethod", method);
        }
        for name in &rule.allowed_headers {
            w.leaf("AllowedHeader", name);
        }
        if let Some(age) = rule.max_age_seconds {
            w.leaf("MaxAgeSeconds", &age.to_string());
        }
        for name in &rule.expose_headers {
            w.leaf("ExposeHeader", name);
        }
        w.close("CORSRule");
    }
    if let Some(vary) = response_vary {
        w.leaf("ResponseVary", if vary { "true" } else { "false" });
    }
    w.close("CORSConfiguration");
    Ok(w.finish())
}

impl Operation for PutBucketCors {
    type Output = EmptyOutput;
    const NAME: &'static str = "PutBucketCORS";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        let mut req = Request::new(
            Method::Put,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        )
        .with_query(CORS_QUERY, "");
        let rules = self.cors_rules.len();
        if rules == 0 || rules > MAX_CORS_RULES {
            let why = format!("has {rules} rules; COS takes 1 to {MAX_CORS_RULES}");
            return Err(Error::invalid("CORSRules", why));
        }
        let body = write_cors(&self.cors_rules, self.response_vary)?;
        let len = body.len();
        if len > MAX_CORS_BODY_BYTES {
            let why = format!("make a {len} byte body; COS takes at most {MAX_CORS_BODY_BYTES}");
            return Err(Error::invalid("CORSRules", why));
        }
        set_xml_body(&mut req, body);
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<EmptyOutput> {
        EmptyOutput::from_response(Self::NAME, response)
    }

    operation_names!(bucket);
}

/// `deleteBucketCors`: removes the CORS configuration of a bucket (204 No Content).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteBucketCors {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
}

impl Operation for DeleteBucketCors {
    type Output = EmptyOutput;
    const NAME: &'static str = "DeleteBucketCORS";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        Ok(Request::new(
            Method::Delete,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            "",
        )
        .with_query(CORS_QUERY, ""))
    }

    fn parse(&self, response: Response) -> Result<EmptyOutput> {
        EmptyOutput::from_response(Self::NAME, response)
    }

    operation_names!(bucket);
}

/// `optionsObject`: a CORS preflight (OPTIONS) for an object, asking whether a browser at
/// `origin` may send `access_control_request_method` with `access_control_request_headers`.
///
/// A 403 answer (no rule allows it, or the bucket has no CORS configuration) is not an
/// error: the output says [`OptionsObjectOutput::options_forbidden`], as the seed does for
/// any 403. Other error statuses are [`Error::Service`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OptionsObject {
    /// Bucket, `{name}-{appid}`. Required.
    pub bucket: String,
    /// Region of the bucket. Required.
    pub region: String,
    /// The object key. Required, non-empty.
    pub key: String,
    /// `Origin`: the origin of the cross-origin request, e.g. `https://www.qq.com`.
    /// Required.
    pub origin: String,
    /// `Access-Control-Request-Method`: the method of the cross-origin request, one of GET,
    /// PUT, HEAD, POST, DELETE (any case; sent upper-case). Required.
    pub access_control_request_method: String,
    /// `Access-Control-Request-Headers`: the headers of the cross-origin request, comma
    /// separated (`origin,accept,content-type`).
    pub access_control_request_headers: Option<String>,
}

/// The result of [`OptionsObject`]: what the preflight allows, from the response headers.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct OptionsObjectOutput {
    /// Status, headers, request id.
    #[serde(skip)]
    pub meta: ResponseMeta,
    /// `Access-Control-Allow-Origin`: the allowed origin (or `*`); absent when not allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_allow_origin: Option<String>,
    /// `Access-Control-Allow-Methods`: the allowed methods, comma separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_allow_methods: Option<String>,
    /// `Access-Control-Allow-Headers`: the allowed request headers, comma separated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_allow_headers: Option<String>,
    /// `Access-Control-Expose-Headers`: the response headers a browser may read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_expose_headers: Option<String>,
    /// `Access-Control-Max-Age`: how long a browser may cache this answer, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_control_max_age: Option<u64>,
    /// Whether COS answered 403: the preflight is refused (every other field is then
    /// unset).
    pub options_forbidden: bool,
}

impl Operation for OptionsObject {
    type Output = OptionsObjectOutput;
    const NAME: &'static str = "OptionsObject";

    fn to_request(&self, endpoint: &Endpoint) -> Result<Request> {
        require_key(&self.key)?;
        let mut req = Request::new(
            Method::Options,
            bucket_target(endpoint, &self.bucket, &self.region)?,
            &self.key,
        );
        if self.origin.is_empty() {
            return Err(Error::invalid("Origin", "is required"));
        }
        let method = cors_method(&self.access_control_request_method).ok_or_else(|| {
            Error::invalid(
                "AccessControlRequestMethod",
                "is required: one of GET, PUT, HEAD, POST, DELETE",
            )
        })?;
        let request_headers = self.access_control_request_headers.as_deref();
        for (field, name, value) in [
            ("Origin", header::ORIGIN, Some(self.origin.as_str())),
            (
                "AccessControlRequestMethod",
                header::AC_REQUEST_METHOD,
                Some(method),
            ),
            (
                "AccessControlRequestHeaders",
                header::AC_REQUEST_HEADERS,
                request_headers,
            ),
        ] {
            opt_header(&mut req, name, value).map_err(|err| match err {
                Error::InvalidInput { reason, .. } => Error::invalid(field, reason),
                other => other,
            })?;
        }
        Ok(req)
    }

    fn parse(&self, response: Response) -> Result<OptionsObjectOutput> {
        const OP: &str = OptionsObject::NAME;
        if response.status == 403 {
            return Ok(OptionsObjectOutput {
                meta: response.meta(),
                options_forbidden: true,
                ..OptionsObjectOutput::default()
            });
        }
        let response = response.into_success(OP)?;
        let text = |name: &str| response.header(name).map(str::to_owned);
        Ok(OptionsObjectOutput {
            access_control_allow_origin: text(header::AC_ALLOW_ORIGIN),
            access_control_allow_methods: text(header::AC_ALLOW_METHODS),
            access_control_allow_headers: text(header::AC_ALLOW_HEADERS),
            access_control_expose_headers: text(header::AC_EXPOSE_HEADERS),
            access_control_max_age: response
                .header(header::AC_MAX_AGE)
                .map(|v| xml::parse_u64(OP, header::AC_MAX_AGE, v))
                .transpose()?,
            options_forbidden: false,
            meta: response.meta(),
        })
    }

    operation_names!(bucket, key);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Body;
    use crate::ops::testing::*;

    const REQUEST_HEADERS: &str = "origin,accept,content-type";

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    fn rule(origins: &[&str], methods: &[&str]) -> CorsRule {
        CorsRule {
            allowed_origins: strings(origins),
            allowed_methods: strings(methods),
            ..CorsRule::default()
        }
    }

    fn put(rules: Vec<CorsRule>) -> PutBucketCors {
        PutBucketCors {
            bucket: BUCKET.into(),
            region: REGION.into(),
            cors_rules: rules,
            response_vary: None,
        }
    }

    fn r0(op: &mut PutBucketCors) -> &mut CorsRule {
        &mut op.cors_rules[0]
    }

    fn options() -> OptionsObject {
        OptionsObject {
            bucket: BUCKET.into(),
            region: REGION.into(),
            key: "dir/1.jpg".into(),
            origin: "https://www.qq.com".into(),
            access_control_request_method: "put".into(),
            access_control_request_headers: Some(REQUEST_HEADERS.into()),
        }
    }

    fn pairs<const N: usize>(items: [(&str, &str); N]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
            .collect()
    }

    /// A bad-input case: how to spoil a valid call, and the field the error names.

    #[test]
    fn get_and_delete_requests() {
        let e = Endpoint::new();
        let get = GetBucketCors {
            bucket: BUCKET.into(),
            region: REGION.into(),
        };
        let req = get.to_request(&e).expect("valid");
        let want = (Method::Get, format!("{BASE}/?cors"));
        assert_eq!((req.method, req.url()), want);
        assert!(req.headers.is_empty() && req.body == Body::Empty);
        let delete = DeleteBucketCors {
            bucket: BUCKET.into(),
            region: REGION.into(),
        };
        let req = delete.to_request(&e).expect("valid");
        let want = (Method::Delete, format!("{BASE}/?cors"));
        assert_eq!((req.method, req.url()), want);
        let names = (get.bucket(), delete.bucket(), delete.key());
        assert_eq!(names, (Some(BUCKET), Some(BUCKET), None));
        assert_eq!(bad_field(&delete, |d| d.bucket = "x".into()), "Bucket");
        assert_eq!(bad_field(&get, |d| d.region.clear()), "Region");
        let out = delete.parse(Response::new(204).with_header("x-cos-request-id", "r"));
        let meta = out.expect("204").meta;
        assert_eq!((meta.status, meta.request_id.as_deref()), (204, Some("r")));
    }

    #[test]
    fn put_requests() {
        let op = put(vec![CorsRule {
            id: Some("1234".into()),
            allowed_headers: strings(&["x-cos-meta-test"]),
            expose_headers: strings(&["x-cos-meta-test1"]),
            max_age_seconds: Some(500),
            ..rule(&["http://www.qq.com"], &["PUT"])
        }]);
        let req = op.to_request(&Endpoint::new()).expect("valid");
        let want = (Method::Put, format!("{BASE}/?cors"));
        assert_eq!((req.method, req.url()), want);
        let body = body_of(&req);
        let sample = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<CORSConfiguration>\n    <CORSRule>\n        <ID>1234</ID>\n        <AllowedOrigin>http://www.qq.com</AllowedOrigin>\n        <AllowedMethod>PUT</AllowedMethod>\n        <AllowedHeader>x-cos-meta-test</AllowedHeader>\n        <MaxAgeSeconds>500</MaxAgeSeconds>\n        <ExposeHeader>x-cos-meta-test1</ExposeHeader>\n    </CORSRule>\n</CORSConfiguration>";
        let expected = strip(xml::parse("T", sample.as_bytes()).expect("sample"));
        assert_eq!(strip(xml::parse("T", body).expect("body")), expected);
        let md5 = super::super::content_md5(body);
        let len = body.len().to_string();
        let want = pairs([
            ("Content-Type", "application/xml"),
            ("Content-MD5", &md5),
            ("Content-Length", &len),
        ]);
        assert_eq!(req.headers, want);
        assert_eq!((op.bucket(), op.key()), (Some(BUCKET), None));

        // Methods are upper-cased; every list is written.
        let mut op = put(vec![
            CorsRule {
                allowed_headers: strings(&["*"]),
                expose_headers: strings(&["ETag", "x-cos-acl"]),
                ..rule(&["*"], &["get", "Post", "DELETE", "head", "pUt"])
            },
            rule(&["https://a.example", "https://b.example"], &["GET"]),
        ]);
        op.response_vary = Some(true);
        let req = op.to_request(&Endpoint::new()).expect("valid");
        let body = body_of(&req);
        assert_eq!(
            String::from_utf8_lossy(body),
            "<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>\
             <AllowedMethod>GET</AllowedMethod><AllowedMethod>POST</AllowedMethod>\
             <AllowedMethod>DELETE</AllowedMethod><AllowedMethod>HEAD</AllowedMethod>\
             <AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader>\
             <ExposeHeader>ETag</ExposeHeader><ExposeHeader>x-cos-acl</ExposeHeader>\
             </CORSRule><CORSRule><AllowedOrigin>https://a.example</AllowedOrigin>\
             <AllowedOrigin>https://b.example</AllowedOrigin><AllowedMethod>GET</AllowedMethod>\
             </CORSRule><ResponseVary>true</ResponseVary></CORSConfiguration>"
        );
        // What is written reads back as the same rules (methods upper-cased).
        let out = GetBucketCors::default().parse(Response::new(200).with_body(body.to_vec()));
        let out = out.expect("parses");
        assert_eq!(out.response_vary, Some(true));
        let methods = &out.cors_rules[0].allowed_methods;
        assert_eq!(methods, &["GET", "POST", "DELETE", "HEAD", "PUT"]);
        assert_eq!(out.cors_rules[1], op.cors_rules[1]);
        op.response_vary = Some(false);
        let req = op.to_request(&Endpoint::new()).expect("valid");
        let end = b"<ResponseVary>false</ResponseVary></CORSConfiguration>";
        assert!(body_of(&req).ends_with(end));
    }

    #[test]
    fn put_bad_inputs_name_the_field() {
        let ok = rule(&["*"], &["GET"]);
        let op = put(vec![ok.clone()]);
        #[rustfmt::skip]
        let cases: [Case<PutBucketCors>; 12] = [
            (|o| o.cors_rules.clear(), "CORSRules"),
            (|o| o.cors_rules = vec![r0(o).clone(); 101], "CORSRules"),
            (|o| o.cors_rules.push(rule(&[], &["GET"])), "CORSRules[1].AllowedOrigins"),
            (|o| r0(o).allowed_origins = strings(&[""]), "CORSRules[0].AllowedOrigins"),
            (|o| r0(o).allowed_methods.clear(), "CORSRules[0].AllowedMethods"),
            (|o| r0(o).allowed_methods = strings(&["PATCH"]), "CORSRules[0].AllowedMethods"),
            (|o| o.cors_rules.push(rule(&["*"], &["OPTIONS"])), "CORSRules[1].AllowedMethods"),
            (|o| r0(o).allowed_headers = strings(&["a\0b"]), "CORSRules[0].AllowedHeaders"),
            (|o| r0(o).expose_headers = strings(&[""]), "CORSRules[0].ExposeHeaders"),
            (|o| r0(o).id = Some("a\u{7}".into()), "CORSRules[0].ID"),
            (|o| r0(o).allowed_origins = vec!["x".repeat(70_000)], "CORSRules"),
            (|o| o.region = "nowhere!".into(), "Region"),
        ];
        for (change, field) in cases {
            assert_eq!(bad_field(&op, change), field);
        }
        let ok = CorsRule {
            max_age_seconds: Some(u64::MAX),
            ..ok
        };
        assert!(
            put(vec![ok; MAX_CORS_RULES])
                .to_request(&Endpoint::new())
                .is_ok()
        );
    }

    #[test]
    fn parses_cors_documents() {
        // Namespaced root, repeated elements interleaved with each other and with unknown
        // ones, text kept untrimmed, ResponseVary after the rules.
        let body = "<?xml version='1.0' encoding='utf-8' ?>\n<CORSConfiguration xmlns=\"http://example.com/ns\">\n\t<CORSRule>\n\t\t<AllowedOrigin>*</AllowedOrigin>\n\t\t<AllowedMethod>GET</AllowedMethod>\n\t\t<AllowedHeader>Range</AllowedHeader>\n\t\t<AllowedMethod>HEAD</AllowedMethod>\n\t\t<ExposeHeader>ETag</ExposeHeader>\n\t\t<Unknown/>\n\t\t<AllowedHeader> x-cos-meta-a </AllowedHeader>\n\t\t<MaxAgeSeconds>600</MaxAgeSeconds>\n\t\t<ExposeHeader>Content-Length</ExposeHeader>\n\t</CORSRule>\n\t<Other>1</Other>\n\t<CORSRule>\n\t\t<ID>example-id</ID>\n\t\t<AllowedOrigin>https://example.com</AllowedOrigin>\n\t\t<AllowedMethod>PUT</AllowedMethod>\n\t\t<AllowedOrigin>https://example-1.com</AllowedOrigin>\n\t</CORSRule>\n\t<ResponseVary>false</ResponseVary>\n</CORSConfiguration>";
        let response = Response::new(200).with_header("x-cos-request-id", "rid");
        let out = GetBucketCors::default().parse(response.with_body(body));
        let out = out.expect("parses");
        assert_eq!(out.meta.request_id.as_deref(), Some("rid"));
        let first = CorsRule {
            allowed_headers: strings(&["Range", " x-cos-meta-a "]),
            expose_headers: strings(&["ETag", "Content-Length"]),
            max_age_seconds: Some(600),
            ..rule(&["*"], &["GET", "HEAD"])
        };
        let second = CorsRule {
            id: Some("example-id".into()),
            ..rule(&["https://example.com", "https://example-1.com"], &["PUT"])
        };
        assert_eq!(out.cors_rules, [first, second]);
        assert_eq!(out.response_vary, Some(false));
        // No rules: an empty list, no ResponseVary.
        let empties = [
            "<CORSConfiguration/>",
            "<CORSConfiguration>\n</CORSConfiguration>",
        ];
        for empty in empties {
            let out = GetBucketCors::default().parse(Response::new(200).with_body(empty));
            let out = out.expect("parses");
            assert_eq!((out.cors_rules.len(), out.response_vary), (0, None));
        }
    }

    #[test]
    fn cors_errors() {
        let op = GetBucketCors::default();
        let body = "<?xml version='1.0' encoding='utf-8' ?>\n<Error>\n\t<Code>NoSuchCORSConfiguration</Code>\n\t<Message>The CORS configuration does not exist.</Message>\n\t<Resource>examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com/?cors</Resource>\n\t<RequestId>NjQ=</RequestId>\n\t<TraceId>OGVm</TraceId>\n</Error>";
        let err = parse_err(&op, Response::new(404).with_body(body));
        let s = err.service().expect("service error");
        let got = (s.operation, s.status, s.code.as_str());
        assert_eq!(got, ("GetBucketCORS", 404, "NoSuchCORSConfiguration"));
        let ids = (s.request_id.as_deref(), s.trace_id.as_deref());
        assert_eq!(ids, (Some("NjQ="), Some("OGVm")));
        for body in [
            "<CORSConfiguration><CORSRule><MaxAgeSeconds>ten</MaxAgeSeconds></CORSRule></CORSConfiguration>",
            "<CORSConfiguration><ResponseVary>yes</ResponseVary></CORSConfiguration>",
            "<CORSConfiguration><CORSRule>",
            "<AccessControlPolicy/>",
        ] {
            let err = parse_err(&op, Response::new(200).with_body(body));
            let ok = parse_op(&err) == Some("GetBucketCORS");
            assert!(ok, "{body}: {err}");
        }
        let body = "<Error><Code>MalformedXML</Code><Message>m</Message></Error>";
        for status in [200, 400] {
            let err = parse_err(&op, Response::new(status).with_body(body));
            assert_eq!(err.service().map(|s| s.code.as_str()), Some("MalformedXML"));
        }
        let put = PutBucketCors::default();
        let err = parse_err(&put, Response::new(400).with_body(body));
        let got = err.service().map(|s| (s.operation, s.status));
        assert_eq!(got, Some(("PutBucketCORS", 400)));
    }

    #[test]
    fn options_requests_and_bad_inputs() {
        let op = options();
        let req = op.to_request(&Endpoint::new()).expect("valid");
        let want = (Method::Options, format!("{BASE}/dir/1.jpg"));
        assert_eq!((req.method, req.url()), want);
        let want = pairs([
            ("Origin", "https://www.qq.com"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", REQUEST_HEADERS),
        ]);
        assert_eq!((&req.headers, &req.body), (&want, &Body::Empty));
        assert_eq!((op.bucket(), op.key()), (Some(BUCKET), Some("dir/1.jpg")));
        let mut no_headers = op.clone();
        no_headers.access_control_request_headers = None;
        let req = no_headers.to_request(&Endpoint::new()).expect("valid");
        assert_eq!(req.headers, want[..2]);

        const METHOD: &str = "AccessControlRequestMethod";
        const HEADERS: &str = "AccessControlRequestHeaders";
        #[rustfmt::skip]
        let cases: [Case<OptionsObject>; 7] = [
            (|o| o.key.clear(), "Key"),
            (|o| o.origin.clear(), "Origin"),
            (|o| o.origin = "https://a\r\nX: 1".into(), "Origin"),
            (|o| o.access_control_request_method.clear(), METHOD),
            (|o| o.access_control_request_method = "OPTIONS".into(), METHOD),
            (|o| o.access_control_request_headers = Some("a\nb".into()), HEADERS),
            (|o| o.bucket.clear(), "Bucket"),
        ];
        for (change, field) in cases {
            assert_eq!(bad_field(&op, change), field);
        }
    }

    #[test]
    fn options_responses() {
        let op = options();
        let out = op.parse(
            Response::new(200)
                .with_header("access-control-allow-origin", "https://www.qq.com")
                .with_header("Access-Control-Allow-Methods", "PUT,GET")
                .with_header("Access-Control-Allow-Headers", "origin,accept,content-type")
                .with_header("Access-Control-Expose-Headers", "ETag")
                .with_header("Access-Control-Max-Age", "3600")
                .with_header("x-cos-request-id", "rid"),
        );
        let out = out.expect("200");
        let expected = OptionsObjectOutput {
            meta: out.meta.clone(),
            access_control_allow_origin: Some("https://www.qq.com".into()),
            access_control_allow_methods: Some("PUT,GET".into()),
            access_control_allow_headers: Some("origin,accept,content-type".into()),
            access_control_expose_headers: Some("ETag".into()),
            access_control_max_age: Some(3600),
            options_forbidden: false,
        };
        assert_eq!(out, expected);
        let meta = (out.meta.status, out.meta.request_id.as_deref());
        assert_eq!(meta, (200, Some("rid")));
        // 403: forbidden, not an error, whatever the body says.
        let body = "<Error><Code>AccessForbidden</Code><Message>CORSResponse: This CORS request is not allowed.</Message></Error>";
        let response = Response::new(403).with_header("x-cos-request-id", "r403");
        let out = op.parse(response.with_body(body)).expect("403");
        let expected = OptionsObjectOutput {
            meta: out.meta.clone(),
            options_forbidden: true,
            ..OptionsObjectOutput::default()
        };
        assert_eq!(out, expected);
        let meta = (out.meta.status, out.meta.request_id.as_deref());
        assert_eq!(meta, (403, Some("r403")));
        // Other statuses are service errors; a bad max age is a parse error.
        let body = "<Error><Code>NoSuchBucket</Code><Message>m</Message></Error>";
        let err = parse_err(&op, Response::new(404).with_body(body));
        let service = err.service().map(|s| (s.operation, s.code.as_str()));
        assert_eq!(service, Some(("OptionsObject", "NoSuchBucket")));
        let bad_age = Response::new(200).with_header("Access-Control-Max-Age", "-1");
        let err = parse_err(&op, bad_age);
        let ok = parse_op(&err) == Some("OptionsObject");
        assert!(ok, "{err}");
    }
}
