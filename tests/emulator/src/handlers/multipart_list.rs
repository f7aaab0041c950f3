//! The multipart listings: List Parts (`GET /{key}?uploadId=ID`) and List Multipart
//! Uploads (`GET /?uploads`), paged, with `encoding-type=url`.

use cos_proto::encode::encode_path_into;
use cos_proto::xml::Writer;

use super::acl::owner_id;
use super::multipart::upload_id;
use crate::Shared;
use crate::error::CosError;
use crate::reply::Reply;
use crate::route::Ctx;
use crate::time::iso8601;
use crate::uploads::UploadMeta;

/// The most entries in one page.
const MAX_PAGE: usize = 1000;

/// `encoding-type`: `url` or absent.
fn url_encoding(ctx: &Ctx) -> Result<bool, CosError> {
    match ctx.query("encoding-type") {
        None => Ok(false),
        Some(e) if e.eq_ignore_ascii_case("url") => Ok(true),
        Some(_) => Err(CosError::invalid_argument("encoding-type must be url")),
    }
}

/// A page size parameter: 1 or more (capped at [`MAX_PAGE`]), else `InvalidArgument`.
fn page_size(ctx: &Ctx, name: &str) -> Result<usize, CosError> {
    match ctx.query(name) {
        None => Ok(MAX_PAGE),
        Some(v) => v
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .map(|n| n.min(MAX_PAGE))
            .ok_or_else(|| CosError::invalid_argument(format!("{name} must be a positive number"))),
    }
}

/// `s`, percent-encoded (`/` kept) when `url`.
fn enc(url: bool, s: &str) -> String {
    if !url {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    encode_path_into(&mut out, s);
    out
}

fn owner(w: &mut Writer, element: &str, id: &str) {
    w.open(element)
        .leaf("ID", id)
        .leaf("DisplayName", id)
        .close(element);
}

/// List Parts.
pub(crate) fn list_parts(shared: &Shared, ctx: &Ctx, bucket: &str) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    let url = url_encoding(ctx)?;
    let max = page_size(ctx, "max-parts")?;
    let marker = match ctx.query("part-number-marker").filter(|m| !m.is_empty()) {
        None => 0,
        Some(m) => m
            .trim()
            .parse::<u32>()
            .map_err(|_| CosError::invalid_argument("part-number-marker must be a part number"))?,
    };
    let (upload, parts) = shared.uploads.get(bucket, &ctx.key, upload_id(ctx))?;
    let after: Vec<_> = parts
        .into_iter()
        .filter(|p| p.meta.number > marker)
        .collect();
    let truncated = after.len() > max;
    let page = &after[..after.len().min(max)];
    let owner_id = owner_id(bucket);
    let mut w = Writer::new();
    w.open("ListPartsResult").leaf("Bucket", bucket);
    if url {
        w.leaf("EncodingType", "url");
    }
    w.leaf("Key", &enc(url, &upload.key))
        .leaf("UploadId", &upload.upload_id);
    owner(&mut w, "Initiator", &owner_id);
    owner(&mut w, "Owner", &owner_id);
    w.leaf("StorageClass", &upload.storage_class)
        .leaf("PartNumberMarker", &marker.to_string());
    if let Some(last) = page.last().filter(|_| truncated) {
        w.leaf("NextPartNumberMarker", &last.meta.number.to_string());
    }
    w.leaf("MaxParts", &max.to_string())
        .leaf("IsTruncated", if truncated { "true" } else { "false" });
    for p in page {
        w.open("Part")
            .leaf("PartNumber", &p.meta.number.to_string())
            .leaf("LastModified", &iso8601(p.meta.last_modified))
            .leaf("ETag", &p.meta.etag())
            .leaf("Size", &p.meta.size.to_string())
            .close("Part");
    }
    w.close("ListPartsResult");
    Ok(Reply::xml(w.finish()))
}

/// One entry of a List Multipart Uploads page.
enum Entry {
    Upload(Box<UploadMeta>),
    Prefix(String),
}

/// List Multipart Uploads.
pub(crate) fn list_uploads(shared: &Shared, ctx: &Ctx, bucket: &str) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    let url = url_encoding(ctx)?;
    let max = page_size(ctx, "max-uploads")?;
    let prefix = ctx.query("prefix").unwrap_or_default();
    let delimiter = ctx.query("delimiter").filter(|d| !d.is_empty());
    let key_marker = ctx.query("key-marker").unwrap_or_default();
    // The upload-id marker counts only with a key marker.
    let id_marker = ctx
        .query("upload-id-marker")
        .filter(|_| !key_marker.is_empty())
        .unwrap_or_default();

    let mut entries: Vec<Entry> = Vec::new();
    let mut truncated = false;
    for u in shared.uploads.list(bucket) {
        let after_marker = key_marker.is_empty()
            || u.key.as_str() > key_marker
            || (u.key == key_marker && !id_marker.is_empty() && u.upload_id.as_str() > id_marker);
        if !after_marker || !u.key.starts_with(prefix) {
            continue;
        }
        let rest = &u.key[prefix.len()..];
        let group = delimiter.and_then(|d| {
            rest.find(d)
                .map(|i| format!("{prefix}{}", &rest[..i + d.len()]))
        });
        if let Some(cp) = &group {
            let seen = matches!(entries.last(), Some(Entry::Prefix(p)) if p == cp);
            if seen || cp.as_str() <= key_marker {
                continue;
            }
        }
        if entries.len() == max {
            truncated = true;
            break;
        }
        entries.push(match group {
            Some(cp) => Entry::Prefix(cp),
            None => Entry::Upload(Box::new(u)),
        });
    }

    let owner_id = owner_id(bucket);
    let mut w = Writer::new();
    w.open("ListMultipartUploadsResult").leaf("Bucket", bucket);
    if url {
        w.leaf("Encoding-Type", "url");
    }
    w.leaf("KeyMarker", &enc(url, key_marker))
        .leaf("UploadIdMarker", id_marker)
        .leaf("MaxUploads", &max.to_string())
        .leaf("Prefix", &enc(url, prefix));
    if let Some(d) = delimiter {
        w.leaf("Delimiter", &enc(url, d));
    }
    w.leaf("IsTruncated", if truncated { "true" } else { "false" });
    if truncated {
        let (key, id) = match entries.last() {
            Some(Entry::Upload(u)) => (u.key.as_str(), u.upload_id.as_str()),
            Some(Entry::Prefix(p)) => (p.as_str(), ""),
            None => ("", ""),
        };
        w.leaf("NextKeyMarker", &enc(url, key))
            .leaf("NextUploadIdMarker", id);
    }
    for e in &entries {
        match e {
            Entry::Upload(u) => {
                w.open("Upload")
                    .leaf("Key", &enc(url, &u.key))
                    .leaf("UploadId", &u.upload_id)
                    .leaf("StorageClass", &u.storage_class);
                owner(&mut w, "Initiator", &owner_id);
                owner(&mut w, "Owner", &owner_id);
                w.leaf("Initiated", &iso8601(u.initiated)).close("Upload");
            }
            Entry::Prefix(p) => {
                w.open("CommonPrefixes")
                    .leaf("Prefix", &enc(url, p))
                    .close("CommonPrefixes");
            }
        }
    }
    w.close("ListMultipartUploadsResult");
    Ok(Reply::xml(w.finish()))
}
