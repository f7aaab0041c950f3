//! Verifying COS signatures (SIGNING.md sections 1–7), in the `Authorization` header or in
//! the query of a pre-signed URL, by recomputing them with cos-proto's [`Signer`].
//!
//! What a signed request must satisfy, in the order checked:
//! 1. all seven `q-*` fields, `q-sign-algorithm=sha1`, a known `q-ak`;
//! 2. the key time: not starting later than now + the allowed skew (else
//!    `RequestTimeTooSkewed`, with a `Date` header), not ended (else `AccessDenied`,
//!    "Request has expired");
//! 3. `q-header-list` names `host` and every `x-cos-*` header sent, except
//!    `x-cos-security-token` (the Node SDK sends the token unsigned);
//! 4. the signature over the method, the decoded pathname, the listed query parameters and
//!    headers with their received values (a Host signed without its port, as the Python
//!    SDK does, is accepted too);
//! 5. the security token, when the credential has one.

use cos_proto::encode::encode_lower;
use cos_proto::{KeyTime, SignableRequest, Signer, header};

use crate::error::CosError;
use crate::route::{Ctx, strip_port};
use crate::time::http_date;

/// Who sent a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Caller {
    /// No signature: allowed only where ACLs allow.
    Anonymous,
    /// A valid signature of one of the emulator's credentials: the owner of everything.
    Owner(String),
}

const FIELDS: [&str; 7] = [
    "q-sign-algorithm",
    "q-ak",
    "q-sign-time",
    "q-key-time",
    "q-header-list",
    "q-url-param-list",
    "q-signature",
];

/// Checks the request's signature, if it has one.
pub(crate) fn authenticate(
    ctx: &Ctx,
    signers: &[Signer],
    skew_secs: u64,
) -> Result<Caller, CosError> {
    let from_header = ctx
        .header(header::AUTHORIZATION)
        .filter(|v| !v.trim().is_empty());
    let fields: Vec<(String, String)> = match from_header {
        Some(value) => value
            .trim()
            .split('&')
            .map(|p| {
                let (n, v) = p.split_once('=').unwrap_or((p, ""));
                (n.to_owned(), v.to_owned())
            })
            .collect(),
        None if ctx.has_query("q-sign-algorithm") => ctx
            .query
            .iter()
            .filter(|(n, _)| FIELDS.contains(&n.as_str()))
            .cloned()
            .collect(),
        None => return Ok(Caller::Anonymous),
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| CosError::access_denied(format!("the signature has no {name} field")))
    };
    for name in FIELDS {
        field(name)?;
    }
    if !field("q-sign-algorithm")?.eq_ignore_ascii_case("sha1") {
        return Err(CosError::access_denied("q-sign-algorithm must be sha1"));
    }
    let ak = field("q-ak")?;
    let signer = signers
        .iter()
        .find(|s| s.credentials().secret_id() == ak)
        .ok_or_else(|| {
            CosError::new(
                403,
                "InvalidAccessKeyId",
                "The SecretId you provided does not exist.",
            )
        })?;
    let key_time_text = field("q-key-time")?;
    let key_time = KeyTime::parse(key_time_text)
        .map_err(|_| CosError::access_denied("q-key-time is not `start;end`"))?;
    if field("q-sign-time")? != key_time_text {
        return Err(CosError::access_denied(
            "q-sign-time and q-key-time must be equal",
        ));
    }
    if key_time.start() > ctx.now.saturating_add(skew_secs) {
        return Err(CosError::new(
            403,
            "RequestTimeTooSkewed",
            "The difference between the request time and the server's time is too large.",
        )
        .with_header(header::DATE, http_date(ctx.now)));
    }
    if key_time.end() < ctx.now {
        return Err(CosError::access_denied("Request has expired"));
    }

    let header_list: Vec<&str> = split_list(field("q-header-list")?);
    let param_list: Vec<&str> = split_list(field("q-url-param-list")?);
    if !header_list.contains(&"host") {
        return Err(CosError::access_denied(
            "the Host header must be signed (q-header-list has no host)",
        ));
    }
    for (name, _) in &ctx.headers {
        let lower = name.to_ascii_lowercase();
        if lower.starts_with("x-cos-")
            && lower != header::SECURITY_TOKEN
            && !header_list.contains(&encode_lower(name).as_str())
        {
            return Err(CosError::access_denied(format!(
                "the header {name} must be signed (it is not in q-header-list)"
            )));
        }
    }

    let signature = field("q-signature")?;
    let matches = |host: Option<&str>| {
        verify(ctx, signer, key_time, &header_list, &param_list, host)
            .is_ok_and(|sig| sig == signature)
    };
    let bare = strip_port(&ctx.host);
    if !matches(None) && (bare == ctx.host || !matches(Some(bare))) {
        let detail = verify_detail(ctx, signer, key_time, &header_list, &param_list);
        return Err(CosError::new(
            403,
            "SignatureDoesNotMatch",
            format!("The Signature you specified does not match what we calculated. {detail}"),
        ));
    }

    if let Some(token) = signer.credentials().security_token() {
        let sent = ctx
            .header(header::SECURITY_TOKEN)
            .or_else(|| ctx.query(header::SECURITY_TOKEN));
        if sent != Some(token.expose()) {
            return Err(CosError::access_denied(
                "the x-cos-security-token is missing or does not belong to the SecretId",
            ));
        }
    }
    Ok(Caller::Owner(ak.to_owned()))
}

fn split_list(list: &str) -> Vec<&str> {
    list.split(';').filter(|n| !n.is_empty()).collect()
}

/// The request as the client must have signed it: the listed parameters and headers with
/// the values received (`host_override` replaces the Host value).
fn signable<'a>(
    ctx: &'a Ctx,
    header_list: &[&str],
    param_list: &[&str],
    host_override: Option<&'a str>,
) -> SignableRequest<'a> {
    let mut req = SignableRequest::new(&ctx.method, &ctx.pathname);
    for (n, v) in &ctx.query {
        if param_list.contains(&encode_lower(n).as_str()) {
            req = req.query(n, v);
        }
    }
    for (n, v) in &ctx.headers {
        if header_list.contains(&encode_lower(n).as_str()) {
            let v = match host_override {
                Some(h) if n.eq_ignore_ascii_case(header::HOST) => h,
                _ => v.as_str(),
            };
            req = req.header(n, v);
        }
    }
    req
}

/// The signature the client should have sent; `Err` holds a reason when cos-proto rejects
/// the inputs.
fn verify(
    ctx: &Ctx,
    signer: &Signer,
    key_time: KeyTime,
    header_list: &[&str],
    param_list: &[&str],
    host_override: Option<&str>,
) -> Result<String, String> {
    let req = signable(ctx, header_list, param_list, host_override);
    signer
        .sign(&req, key_time)
        .map(|a| a.signature().to_owned())
        .map_err(|e| e.to_string())
}

/// What was signed on this side, for the error message.
fn verify_detail(
    ctx: &Ctx,
    signer: &Signer,
    key_time: KeyTime,
    header_list: &[&str],
    param_list: &[&str],
) -> String {
    let req = signable(ctx, header_list, param_list, None);
    match signer.sign_stages(&req, key_time) {
        Ok(st) => format!(
            "FormatString: {:?}; StringToSign: {:?}",
            st.canonical.format_string(),
            st.string_to_sign.as_str()
        ),
        Err(e) => format!("The request cannot be signed: {e}"),
    }
}
