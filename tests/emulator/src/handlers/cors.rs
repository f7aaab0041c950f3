//! CORS: Put/Get/Delete Bucket CORS, the OPTIONS preflight (Options Object), and the CORS
//! headers of ordinary responses.
//!
//! A preflight is allowed by the first rule whose `AllowedOrigin`s match the `Origin`
//! (`*` matches any run of characters), whose `AllowedMethod`s hold the
//! `Access-Control-Request-Method`, and whose `AllowedHeader`s match every header of
//! `Access-Control-Request-Headers` (ignoring case, `*` wildcards). Without a matching rule
//! (or without a configuration) the answer is 403 `AccessForbidden`. An ordinary request
//! with an `Origin` that a rule allows for its method gets `Access-Control-Allow-Origin` and
//! `Access-Control-Expose-Headers`.

use std::io::Read;

use cos_proto::header;
use cos_proto::ops::cors::{CORS_METHODS, MAX_CORS_BODY_BYTES, MAX_CORS_RULES};
use cos_proto::types::CorsRule;
use cos_proto::xml::Writer;

use super::{parse_xml, read_xml_body_max};
use crate::Shared;
use crate::error::CosError;
use crate::names;
use crate::reply::Reply;
use crate::route::Ctx;

/// Reads the rules of a `<CORSConfiguration>` (stored or sent), checking each.
fn read_rules(doc: &[u8]) -> Result<(Vec<CorsRule>, Option<bool>), CosError> {
    let root = parse_xml(doc, "CORSConfiguration")?;
    let mut rules = Vec::new();
    for el in root.children_named("CORSRule") {
        let max_age = match el.text_of("MaxAgeSeconds") {
            None => None,
            Some(t) => Some(t.trim().parse::<u64>().map_err(|_| {
                CosError::malformed_xml("<MaxAgeSeconds> must be a number of seconds")
            })?),
        };
        let rule = CorsRule {
            id: el.text_of("ID"),
            allowed_origins: el.texts_of("AllowedOrigin"),
            allowed_methods: el.texts_of("AllowedMethod"),
            allowed_headers: el.texts_of("AllowedHeader"),
            expose_headers: el.texts_of("ExposeHeader"),
            max_age_seconds: max_age,
        };
        if rule.allowed_origins.iter().all(|o| o.trim().is_empty())
            || rule.allowed_methods.is_empty()
        {
            return Err(CosError::malformed_xml(
                "every <CORSRule> needs an <AllowedOrigin> and an <AllowedMethod>",
            ));
        }
        if let Some(bad) = rule.allowed_methods.iter().find(|m| {
            !CORS_METHODS
                .iter()
                .any(|c| c.eq_ignore_ascii_case(m.trim()))
        }) {
            return Err(CosError::invalid_argument(format!(
                "<AllowedMethod> {bad:?} is not one of GET, PUT, HEAD, POST, DELETE"
            )));
        }
        rules.push(rule);
    }
    if rules.is_empty() || rules.len() > MAX_CORS_RULES {
        return Err(CosError::malformed_xml(format!(
            "a <CORSConfiguration> holds 1 to {MAX_CORS_RULES} <CORSRule> elements"
        )));
    }
    let vary = root
        .bool_of("PutBucketCors", "ResponseVary")
        .map_err(|_| CosError::malformed_xml("<ResponseVary> must be true or false"))?;
    Ok((rules, vary))
}

/// The stored form of a configuration: methods upper-case, children in COS's order.
fn write_rules(rules: &[CorsRule], vary: Option<bool>) -> Vec<u8> {
    let mut w = Writer::new();
    w.open("CORSConfiguration");
    for r in rules {
        w.open("CORSRule");
        if let Some(id) = &r.id {
            w.leaf("ID", id);
        }
        for o in &r.allowed_origins {
            w.leaf("AllowedOrigin", o.trim());
        }
        for m in &r.allowed_methods {
            w.leaf("AllowedMethod", &m.trim().to_ascii_uppercase());
        }
        for h in &r.allowed_headers {
            w.leaf("AllowedHeader", h.trim());
        }
        if let Some(age) = r.max_age_seconds {
            w.leaf("MaxAgeSeconds", &age.to_string());
        }
        for h in &r.expose_headers {
            w.leaf("ExposeHeader", h.trim());
        }
        w.close("CORSRule");
    }
    if let Some(v) = vary {
        w.leaf("ResponseVary", if v { "true" } else { "false" });
    }
    w.close("CORSConfiguration");
    w.finish()
}

/// PUT Bucket CORS.
pub(crate) fn put_cors(
    shared: &Shared,
    ctx: &Ctx,
    bucket: &str,
    body: &mut dyn Read,
) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    let bytes = read_xml_body_max(ctx, body, MAX_CORS_BODY_BYTES)?;
    let (rules, vary) = read_rules(&bytes)?;
    let doc = String::from_utf8(write_rules(&rules, vary))
        .map_err(|_| CosError::internal("CORS document is not UTF-8"))?;
    shared.store.update_bucket(bucket, |b| b.cors = Some(doc))?;
    Ok(Reply::new(200))
}

fn no_configuration() -> CosError {
    CosError::new(
        404,
        "NoSuchCORSConfiguration",
        "The CORS configuration does not exist.",
    )
}

/// GET Bucket CORS.
pub(crate) fn get_cors(shared: &Shared, bucket: &str) -> Result<Reply, CosError> {
    let meta = shared.store.bucket(bucket)?;
    let doc = meta.cors.ok_or_else(no_configuration)?;
    Ok(Reply::xml(doc.into_bytes()))
}

/// DELETE Bucket CORS: 204.
pub(crate) fn delete_cors(shared: &Shared, bucket: &str) -> Result<Reply, CosError> {
    shared.store.update_bucket(bucket, |b| b.cors = None)?;
    Ok(Reply::new(204))
}

/// Whether `text` matches `pattern`, where `*` matches any run of characters; ASCII case
/// is ignored. Linear backtracking on the last `*`, so no input makes it slow.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && p[i] == b'*' {
            star = Some((i, j));
            i += 1;
        } else if i < p.len() && p[i].eq_ignore_ascii_case(&t[j]) {
            i += 1;
            j += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == b'*')
}

/// The stored rules of the bucket, if any.
fn rules_of(shared: &Shared, bucket: &str) -> Result<Option<Vec<CorsRule>>, CosError> {
    let meta = shared.store.bucket(bucket)?;
    match meta.cors {
        None => Ok(None),
        Some(doc) => read_rules(doc.as_bytes()).map(|(r, _)| Some(r)),
    }
}

/// The first rule allowing `origin` and `method` (and the headers, when given), with the
/// origin to answer: `*` when the rule allows any origin, else the one sent.
fn find_rule<'a>(
    rules: &'a [CorsRule],
    origin: &str,
    method: &str,
    request_headers: &[&str],
) -> Option<(&'a CorsRule, String)> {
    rules.iter().find_map(|r| {
        let allowed = r.allowed_origins.iter().find(|o| glob(o.trim(), origin))?;
        if !r
            .allowed_methods
            .iter()
            .any(|m| m.trim().eq_ignore_ascii_case(method))
        {
            return None;
        }
        let headers_ok = request_headers
            .iter()
            .all(|h| r.allowed_headers.iter().any(|a| glob(a.trim(), h.trim())));
        headers_ok.then(|| {
            let echo = if allowed.trim() == "*" { "*" } else { origin };
            (r, echo.to_owned())
        })
    })
}

/// OPTIONS Object: a CORS preflight.
pub(crate) fn preflight(shared: &Shared, ctx: &Ctx, bucket: &str) -> Result<Reply, CosError> {
    let rules = rules_of(shared, bucket)?;
    let origin = ctx
        .header(header::ORIGIN)
        .map(str::trim)
        .unwrap_or_default();
    let method = ctx
        .header(header::AC_REQUEST_METHOD)
        .map(str::trim)
        .unwrap_or_default();
    if origin.is_empty() || method.is_empty() {
        return Err(CosError::new(
            400,
            "InvalidRequest",
            "Insufficient information: Origin and Access-Control-Request-Method are needed.",
        ));
    }
    let requested: Vec<&str> = ctx
        .header(header::AC_REQUEST_HEADERS)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect();
    let forbidden = || {
        CosError::new(
            403,
            "AccessForbidden",
            "CORSResponse: This CORS request is not allowed. The Origin, the method or the \
             request headers are not allowed by the bucket's CORS rules.",
        )
    };
    let rules = rules.ok_or_else(forbidden)?;
    let (rule, allow_origin) =
        find_rule(&rules, origin, method, &requested).ok_or_else(forbidden)?;
    let methods: Vec<String> = rule
        .allowed_methods
        .iter()
        .map(|m| m.trim().to_ascii_uppercase())
        .collect();
    let mut reply = Reply::new(200)
        .header(header::AC_ALLOW_ORIGIN, allow_origin)
        .header(header::AC_ALLOW_METHODS, methods.join(","));
    if !requested.is_empty() {
        reply.push_header(header::AC_ALLOW_HEADERS, requested.join(","));
    }
    if !rule.expose_headers.is_empty() {
        reply.push_header(header::AC_EXPOSE_HEADERS, rule.expose_headers.join(","));
    }
    if let Some(age) = rule.max_age_seconds {
        reply.push_header(header::AC_MAX_AGE, age.to_string());
    }
    reply.push_header(
        "Vary",
        "Origin,Access-Control-Request-Method,Access-Control-Request-Headers",
    );
    Ok(reply)
}

/// Adds `Access-Control-Allow-Origin` and `-Expose-Headers` to the reply of an ordinary
/// request whose `Origin` a rule of its bucket allows for its method.
pub(crate) fn decorate(shared: &Shared, ctx: &Ctx, reply: &mut Reply) {
    if ctx.op == names::OPTIONS_OBJECT {
        return;
    }
    let (Some(bucket), Some(origin)) = (ctx.bucket.as_deref(), ctx.header(header::ORIGIN)) else {
        return;
    };
    let Ok(Some(rules)) = rules_of(shared, bucket) else {
        return;
    };
    if let Some((rule, allow_origin)) = find_rule(&rules, origin.trim(), &ctx.method, &[]) {
        reply.push_header(header::AC_ALLOW_ORIGIN, allow_origin);
        if !rule.expose_headers.is_empty() {
            reply.push_header(header::AC_EXPOSE_HEADERS, rule.expose_headers.join(","));
        }
        reply.push_header("Vary", "Origin");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        for (p, t, want) in [
            ("*", "https://a.example", true),
            ("https://*.example.com", "https://www.example.com", true),
            ("https://*.example.com", "https://example.com", false),
            ("http://www.qq.com", "http://WWW.qq.com", true),
            ("x-cos-meta-*", "x-cos-meta-a", true),
            ("a*b*c", "aXbYbZc", true),
            ("a*b*c", "aXbYbZ", false),
            ("", "", true),
            ("", "a", false),
        ] {
            assert_eq!(glob(p, t), want, "{p} ~ {t}");
        }
    }
}
