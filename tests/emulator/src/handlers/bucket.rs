//! Bucket calls: GET Service, PUT/HEAD/DELETE Bucket, GET Bucket (list objects), GET Bucket
//! location, and DELETE Multiple Objects.

use std::io::Read;

use cos_proto::{Bucket, header};

use super::acl::{acl_from_headers, owner_id};
use super::{parse_xml, read_xml_body};
use crate::Shared;
use crate::error::CosError;
use crate::reply::Reply;
use crate::route::Ctx;
use crate::store::{AclState, BucketMeta};
use crate::xml_out::{self, Deleted, Listing};

/// The most entries in one listing page.
const MAX_KEYS: usize = 1000;

/// GET Service: every bucket (paged by `marker` / `max-keys`); only those of the region
/// when the Host names one (`cos.{region}.myqcloud.com`).
pub(crate) fn get_service(shared: &Shared, ctx: &Ctx) -> Result<Reply, CosError> {
    let marker = ctx.query("marker").filter(|m| !m.is_empty());
    let max = parse_max_keys(ctx, usize::MAX)?;
    let all = shared.store.buckets();
    let after: Vec<_> = all
        .into_iter()
        .filter(|b| marker.is_none_or(|m| b.name.as_str() > m))
        .filter(|b| !ctx.host_names_region || b.region == ctx.region)
        .collect();
    let (page, next) = if after.len() > max {
        let page = after[..max].to_vec();
        let next = page.last().map(|b| b.name.clone());
        (page, next)
    } else {
        (after, None)
    };
    let owner = page
        .first()
        .map_or_else(|| owner_id("x-0"), |b| owner_id(&b.name));
    Ok(Reply::xml(xml_out::list_service(
        &owner,
        &page,
        marker,
        next.as_deref(),
    )))
}

fn parse_max_keys(ctx: &Ctx, default: usize) -> Result<usize, CosError> {
    match ctx.query("max-keys") {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| CosError::invalid_argument("max-keys must be a positive number")),
    }
}

/// PUT Bucket.
pub(crate) fn put_bucket(shared: &Shared, ctx: &Ctx, bucket: &str) -> Result<Reply, CosError> {
    Bucket::new(bucket).map_err(|e| {
        CosError::new(
            400,
            "InvalidBucketName",
            format!("The bucket name is not valid: {e}"),
        )
    })?;
    let acl = acl_from_headers(ctx, false)?.unwrap_or_else(|| AclState::canned("private"));
    shared.store.create_bucket(BucketMeta {
        name: bucket.to_owned(),
        region: ctx.region.clone(),
        created: ctx.now,
        acl,
        cors: None,
    })?;
    Ok(Reply::new(200))
}

/// HEAD Bucket.
pub(crate) fn head_bucket(shared: &Shared, bucket: &str) -> Result<Reply, CosError> {
    let meta = shared.store.bucket(bucket)?;
    Ok(Reply::new(200).header(header::BUCKET_REGION, meta.region))
}

/// DELETE Bucket.
pub(crate) fn delete_bucket(shared: &Shared, bucket: &str) -> Result<Reply, CosError> {
    shared.store.delete_bucket(bucket)?;
    Ok(Reply::new(204))
}

/// GET Bucket location.
pub(crate) fn get_bucket_location(shared: &Shared, bucket: &str) -> Result<Reply, CosError> {
    let meta = shared.store.bucket(bucket)?;
    let mut w = cos_proto::xml::Writer::new();
    w.leaf("LocationConstraint", &meta.region);
    Ok(Reply::xml(w.finish()))
}

/// GET Bucket: objects by prefix, grouped by delimiter, paged by marker and max-keys.
pub(crate) fn get_bucket(shared: &Shared, ctx: &Ctx, bucket: &str) -> Result<Reply, CosError> {
    let prefix = ctx.query("prefix").unwrap_or_default();
    let marker = ctx.query("marker").unwrap_or_default();
    let delimiter = ctx.query("delimiter").filter(|d| !d.is_empty());
    let max_keys = parse_max_keys(ctx, MAX_KEYS)?.min(MAX_KEYS);
    let url_encoding = match ctx.query("encoding-type") {
        None => false,
        Some(e) if e.eq_ignore_ascii_case("url") => true,
        Some(_) => return Err(CosError::invalid_argument("encoding-type must be url")),
    };
    let mut contents = Vec::new();
    let mut common_prefixes: Vec<String> = Vec::new();
    let mut next_marker = None;
    let mut last = String::new();
    shared.store.visit(bucket, marker, |meta| {
        let key = meta.key.as_str();
        if !key.starts_with(prefix) {
            // Keys before the prefix are skipped; the first one after it ends the listing.
            return key < prefix;
        }
        let rest = &key[prefix.len()..];
        let group = delimiter.and_then(|d| {
            rest.find(d)
                .map(|i| format!("{prefix}{}", &rest[..i + d.len()]))
        });
        if let Some(cp) = &group
            && (cp.as_str() <= marker || common_prefixes.last() == Some(cp))
        {
            return true;
        }
        if contents.len() + common_prefixes.len() == max_keys {
            next_marker = Some(last.clone());
            return false;
        }
        match group {
            Some(cp) => {
                last = cp.clone();
                common_prefixes.push(cp);
            }
            None => {
                last = key.to_owned();
                contents.push(meta.clone());
            }
        }
        true
    })?;
    Ok(Reply::xml(xml_out::list_bucket(&Listing {
        bucket,
        owner: &owner_id(bucket),
        prefix,
        marker,
        delimiter,
        max_keys,
        url_encoding,
        contents,
        common_prefixes,
        next_marker,
    })))
}

/// DELETE Multiple Objects (`POST /?delete`).
pub(crate) fn delete_multiple(
    shared: &Shared,
    ctx: &Ctx,
    bucket: &str,
    body: &mut dyn Read,
) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    if ctx.header(header::CONTENT_MD5).is_none() {
        return Err(CosError::new(
            400,
            "MissingContentMD5",
            "Missing required header for this request: Content-MD5.",
        ));
    }
    let bytes = read_xml_body(ctx, body)?;
    let root = parse_xml(&bytes, "Delete")?;
    let quiet = root
        .bool_of("DeleteMultipleObject", "Quiet")
        .map_err(|_| CosError::malformed_xml("<Quiet> must be true or false"))?
        .unwrap_or(false);
    let keys: Vec<String> = root
        .children_named("Object")
        .map(|o| {
            o.text_of("Key")
                .ok_or_else(|| CosError::malformed_xml("an <Object> has no <Key>"))
        })
        .collect::<Result<_, _>>()?;
    if keys.is_empty() || keys.len() > 1000 {
        return Err(CosError::malformed_xml(
            "send from 1 to 1000 <Object> elements",
        ));
    }
    let results: Vec<Deleted> = keys
        .into_iter()
        .map(|key| match shared.store.delete_object(bucket, &key) {
            Ok(_) => Deleted::Ok(key),
            Err(e) => Deleted::Failed {
                key,
                code: e.code,
                message: e.message,
            },
        })
        .collect();
    Ok(Reply::xml(xml_out::delete_result(&results, quiet)))
}
