//! `rm`, `cp`, `stat` and `presign`.

use cos_blocking::SliceCopyFile;
use cos_blocking::proto::GetObjectUrl;
use cos_blocking::proto::ops::bucket::HeadBucket;
use cos_blocking::proto::ops::object::{
    DeleteMultipleObject, DeleteObject, HeadObject, ObjectToDelete, PutObjectCopy,
};

use super::{Ctx, is_not_found, list, need_key, not_found, out};
use crate::args::{Cp, Presign, Rm};
use crate::fail::{Fail, Result};
use crate::path::CosPath;

/// Keys per DeleteMultipleObject request (COS's limit).
const DELETE_BATCH: usize = 1000;

/// `rm cos://BUCKET/KEY`, or `rm -r cos://BUCKET/DIR`, or `rm --prefix cos://BUCKET/PREFIX`.
pub(super) fn rm(ctx: &Ctx, args: &Rm) -> Result {
    let path = &args.path;
    if args.recursive || args.prefix {
        let under = if args.recursive {
            path.with_key(path.dir_prefix())
        } else {
            path.clone()
        };
        return rm_all(ctx, &under);
    }
    need_key(path, " (rm -r deletes everything under a prefix)")?;
    let region = ctx.region()?;
    // COS answers a DELETE of a missing key with success: look first, to say so.
    let head = ctx.client.head_object(&HeadObject {
        bucket: path.bucket.clone(),
        region: region.clone(),
        key: path.key.clone(),
        ..HeadObject::default()
    });
    match head {
        Err(e) if is_not_found(&e) => return Err(not_found(ctx, path)),
        other => other?,
    };
    ctx.client.delete_object(&DeleteObject {
        bucket: path.bucket.clone(),
        region,
        key: path.key.clone(),
        ..DeleteObject::default()
    })?;
    out(format_args!("deleted {path}"))
}

/// Deletes every object whose key starts with `under.key`, 1000 per request.
fn rm_all(ctx: &Ctx, under: &CosPath) -> Result {
    let region = ctx.region()?;
    let objects = list::objects(ctx, under)?;
    let mut failed = Vec::new();
    for batch in objects.chunks(DELETE_BATCH) {
        let result = ctx.client.delete_multiple_object(&DeleteMultipleObject {
            bucket: under.bucket.clone(),
            region: region.clone(),
            objects: batch
                .iter()
                .map(|o| ObjectToDelete {
                    key: o.key.clone(),
                    ..ObjectToDelete::default()
                })
                .collect(),
            ..DeleteMultipleObject::default()
        })?;
        let mut deleted: Vec<&str> = result.deleted.iter().map(|d| d.key.as_str()).collect();
        deleted.sort_unstable();
        for key in deleted {
            out(format_args!("deleted {}", under.with_key(key)))?;
        }
        failed.extend(result.error);
    }
    match failed.first() {
        None => Ok(()),
        Some(e) => Err(Fail::new(format!(
            "{} of {} objects were not deleted; the first, {}: {} {}",
            failed.len(),
            objects.len(),
            under.with_key(e.key.clone()),
            e.code,
            e.message
        ))),
    }
}

/// `cp cos://A/KEY cos://B/KEY2`, on the server (sliceCopyFile: one PUT Object - Copy up
/// to 5 GiB, parallel UploadPartCopy above).
pub(super) fn cp(ctx: &Ctx, args: &Cp) -> Result {
    need_key(&args.src, "")?;
    let region = ctx.region()?;
    let dest = if args.dest.is_dir_like() {
        args.dest
            .with_key(format!("{}{}", args.dest.key, args.src.base_name()))
    } else {
        args.dest.clone()
    };
    ctx.client.slice_copy_file(SliceCopyFile {
        object: PutObjectCopy {
            bucket: dest.bucket.clone(),
            region: region.clone(),
            key: dest.key.clone(),
            copy_source: format!(
                "{}.cos.{region}.myqcloud.com/{}",
                args.src.bucket, args.src.key
            ),
            ..PutObjectCopy::default()
        },
        ..SliceCopyFile::default()
    })?;
    out(format_args!("copied {} -> {dest}", args.src))
}

/// `stat`: an object's metadata, or a bucket's region.
pub(super) fn stat(ctx: &Ctx, path: &CosPath) -> Result {
    let region = ctx.region()?;
    if path.key.is_empty() {
        let head = ctx.client.head_bucket(&HeadBucket {
            bucket: path.bucket.clone(),
            region: region.clone(),
        })?;
        out(format_args!("cos://{}", path.bucket))?;
        return out(format_args!(
            "region: {}",
            head.bucket_region.unwrap_or(region)
        ));
    }
    let head = ctx.client.head_object(&HeadObject {
        bucket: path.bucket.clone(),
        region,
        key: path.key.clone(),
        ..HeadObject::default()
    });
    let o = match head {
        Err(e) if is_not_found(&e) => return Err(not_found(ctx, path)),
        other => other?.object,
    };
    out(path)?;
    let mut lines = vec![
        ("size", o.content_length.map(|n| n.to_string())),
        ("last-modified", o.last_modified),
        ("etag", o.etag),
        ("content-type", o.content_type),
        ("storage-class", Some(o.storage_class.as_str().to_owned())),
        ("crc64", o.crc64.map(|c| c.to_string())),
        ("version-id", o.version_id),
    ];
    lines.retain(|(_, v)| v.is_some());
    for (name, value) in lines {
        out(format_args!("{name}: {}", value.unwrap_or_default()))?;
    }
    for (name, value) in &o.metadata {
        out(format_args!("meta {name}: {value}"))?;
    }
    Ok(())
}

/// `presign`: a signed URL of an object.
pub(super) fn presign(ctx: &Ctx, args: &Presign) -> Result {
    need_key(&args.path, "")?;
    if args.expires == 0 {
        return Err(Fail::new("--expires must be at least 1 second"));
    }
    let url = ctx.client.get_object_url(&GetObjectUrl {
        method: args.method.to_ascii_uppercase(),
        expires: Some(args.expires),
        ..GetObjectUrl::new(
            args.path.bucket.clone(),
            ctx.region()?,
            args.path.key.clone(),
        )
    })?;
    out(url)
}
