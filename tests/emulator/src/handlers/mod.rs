//! The calls: dispatch by operation, the ACL check for anonymous callers, and helpers the
//! handlers share.

use std::io::Read;

use base64::Engine;

use crate::Shared;
use crate::auth::Caller;
use crate::error::CosError;
use crate::names;
use crate::reply::Reply;
use crate::route::Ctx;

pub(crate) mod acl;
pub(crate) mod bucket;
pub(crate) mod cors;
pub(crate) mod multipart;
pub(crate) mod multipart_list;
pub(crate) mod object;

/// The largest XML request body read (1 MiB).
pub(crate) const MAX_XML_BODY: usize = 1 << 20;

/// Runs the call `ctx` names.
pub(crate) fn dispatch(
    shared: &Shared,
    ctx: &Ctx,
    caller: &Caller,
    body: &mut dyn Read,
) -> Result<Reply, CosError> {
    if *caller == Caller::Anonymous {
        acl::check_anonymous(shared, ctx)?;
    }
    let bucket = ctx.bucket.as_deref().unwrap_or_default();
    match ctx.op {
        names::GET_SERVICE => bucket::get_service(shared, ctx),
        names::PUT_BUCKET => bucket::put_bucket(shared, ctx, bucket),
        names::HEAD_BUCKET => bucket::head_bucket(shared, bucket),
        names::DELETE_BUCKET => bucket::delete_bucket(shared, bucket),
        names::GET_BUCKET => bucket::get_bucket(shared, ctx, bucket),
        names::GET_BUCKET_LOCATION => bucket::get_bucket_location(shared, bucket),
        names::DELETE_MULTIPLE_OBJECTS => bucket::delete_multiple(shared, ctx, bucket, body),
        names::GET_BUCKET_ACL => acl::get_bucket_acl(shared, bucket),
        names::PUT_BUCKET_ACL => acl::put_bucket_acl(shared, ctx, bucket, body),
        names::GET_OBJECT_ACL => acl::get_object_acl(shared, bucket, &ctx.key),
        names::PUT_OBJECT_ACL => acl::put_object_acl(shared, ctx, bucket, body),
        names::PUT_OBJECT => object::put_object(shared, ctx, bucket, body),
        names::GET_OBJECT => object::get_object(shared, ctx, bucket, false),
        names::HEAD_OBJECT => object::get_object(shared, ctx, bucket, true),
        names::DELETE_OBJECT => object::delete_object(shared, bucket, &ctx.key),
        names::PUT_OBJECT_COPY => object::put_object_copy(shared, ctx, caller, bucket),
        names::INITIATE_MULTIPART_UPLOAD => multipart::initiate(shared, ctx, bucket),
        names::UPLOAD_PART => multipart::upload_part(shared, ctx, bucket, body),
        names::UPLOAD_PART_COPY => multipart::upload_part_copy(shared, ctx, caller, bucket),
        names::COMPLETE_MULTIPART_UPLOAD => multipart::complete(shared, ctx, bucket, body),
        names::ABORT_MULTIPART_UPLOAD => multipart::abort(shared, ctx, bucket),
        names::LIST_PARTS => multipart_list::list_parts(shared, ctx, bucket),
        names::LIST_MULTIPART_UPLOADS => multipart_list::list_uploads(shared, ctx, bucket),
        names::PUT_BUCKET_CORS => cors::put_cors(shared, ctx, bucket, body),
        names::GET_BUCKET_CORS => cors::get_cors(shared, bucket),
        names::DELETE_BUCKET_CORS => cors::delete_cors(shared, bucket),
        names::OPTIONS_OBJECT => cors::preflight(shared, ctx, bucket),
        _ => Err(CosError::new(
            405,
            "MethodNotAllowed",
            format!("{} is not allowed on this resource.", ctx.method),
        )),
    }
}

/// Reads an XML request body of at most [`MAX_XML_BODY`] bytes, checking `Content-MD5`
/// when it is sent.
pub(crate) fn read_xml_body(ctx: &Ctx, body: &mut dyn Read) -> Result<Vec<u8>, CosError> {
    read_xml_body_max(ctx, body, MAX_XML_BODY)
}

/// Reads an XML request body of at most `max` bytes, checking `Content-MD5` when it is
/// sent.
pub(crate) fn read_xml_body_max(
    ctx: &Ctx,
    body: &mut dyn Read,
    max: usize,
) -> Result<Vec<u8>, CosError> {
    let mut buf = Vec::new();
    body.take(max as u64 + 1)
        .read_to_end(&mut buf)
        .map_err(|_| CosError::new(400, "IncompleteBody", "The request body ended early."))?;
    if buf.len() > max {
        return Err(CosError::new(
            400,
            "EntityTooLarge",
            format!("This XML request body may hold at most {max} bytes."),
        ));
    }
    if let Some(expected) = content_md5(ctx)? {
        let got = fast_md5::digest(&buf);
        if got != expected {
            return Err(bad_digest());
        }
    }
    Ok(buf)
}

/// The `Content-MD5` header decoded, if sent; `InvalidDigest` if it is not base64 of 16
/// bytes.
pub(crate) fn content_md5(ctx: &Ctx) -> Result<Option<[u8; 16]>, CosError> {
    let Some(value) = ctx.header(cos_proto::header::CONTENT_MD5) else {
        return Ok(None);
    };
    base64::engine::general_purpose::STANDARD
        .decode(value.trim())
        .ok()
        .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
        .map(Some)
        .ok_or_else(|| {
            CosError::new(
                400,
                "InvalidDigest",
                "The Content-MD5 you specified is not valid.",
            )
        })
}

/// 32 hex digits (an MD5 as ETags write it) as 16 bytes.
pub(crate) fn hex_md5(hex: &str) -> Option<[u8; 16]> {
    let hex = hex.as_bytes();
    if hex.len() != 32 || !hex.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut out = [0u8; 16];
    for (b, pair) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let digit = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
        *b = digit(pair[0]) << 4 | digit(pair[1]);
    }
    Some(out)
}

/// The error for a body whose MD5 is not the one sent.
pub(crate) fn bad_digest() -> CosError {
    CosError::new(
        400,
        "BadDigest",
        "The Content-MD5 you specified did not match what we received.",
    )
}

/// Parses an XML body whose root must be `root`; `MalformedXML` otherwise.
pub(crate) fn parse_xml(body: &[u8], root: &str) -> Result<cos_proto::xml::Element, CosError> {
    let doc = cos_proto::xml::parse("request", body)
        .map_err(|_| CosError::malformed_xml("The XML you provided was not well-formed."))?;
    if doc.name != root {
        return Err(CosError::malformed_xml(format!(
            "The XML document must be a <{root}>."
        )));
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_md5s() {
        assert_eq!(
            hex_md5("000102030405060708090a0b0c0d0eFf"),
            Some([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 255])
        );
        for bad in [
            "00",
            "zz0102030405060708090a0b0c0d0e0f",
            "+f0102030405060708090a0b0c0d0e0f",
        ] {
            assert_eq!(hex_md5(bad), None, "{bad}");
        }
    }
}
