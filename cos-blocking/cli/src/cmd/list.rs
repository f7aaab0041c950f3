//! `ls`, and the paged listing `get -r` and `rm -r` walk.

use cos_blocking::proto::ops::bucket::{GetBucket, GetService, ListBucketResult, ObjectSummary};

use super::{Ctx, out};
use crate::args::Ls;
use crate::fail::{Fail, Result};
use crate::path::CosPath;

/// Keys per page asked for.
const PAGE: u32 = 1000;

/// `ls`: the buckets, or one level under a prefix (every level with `-r`).
pub(super) fn ls(ctx: &Ctx, args: &Ls) -> Result {
    let Some(path) = &args.path else {
        return buckets(ctx, args.long);
    };
    let delimiter = (!args.recursive).then(|| "/".to_owned());
    pages(ctx, path, delimiter, |page| {
        let mut entries: Vec<(String, Option<&ObjectSummary>)> = page
            .common_prefixes
            .iter()
            .map(|p| (p.prefix.clone(), None))
            .chain(page.contents.iter().map(|o| (o.key.clone(), Some(o))))
            .collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        for (key, object) in entries {
            let shown = path.with_key(key);
            match (args.long, object) {
                (false, _) => out(shown)?,
                (true, Some(o)) => out(format_args!(
                    "{:>12}  {:<24}  {shown}",
                    o.size, o.last_modified
                ))?,
                (true, None) => out(format_args!("{:>12}  {:<24}  {shown}", "DIR", ""))?,
            }
        }
        Ok(())
    })
}

/// `ls` without a path: the buckets of the account.
fn buckets(ctx: &Ctx, long: bool) -> Result {
    let mut marker = None;
    loop {
        let page = ctx.client.get_service(&GetService {
            marker: marker.clone(),
            ..GetService::default()
        })?;
        for b in &page.buckets {
            if long {
                out(format_args!(
                    "{:<16}  {:<24}  cos://{}",
                    b.location, b.creation_date, b.name
                ))?;
            } else {
                out(format_args!("cos://{}", b.name))?;
            }
        }
        match (page.is_truncated, page.next_marker) {
            (Some(true), Some(next)) if marker.as_ref() != Some(&next) => marker = Some(next),
            _ => return Ok(()),
        }
    }
}

/// Every object whose key starts with `path.key`, in key order.
pub(super) fn objects(ctx: &Ctx, path: &CosPath) -> Result<Vec<ObjectSummary>> {
    let mut all = Vec::new();
    pages(ctx, path, None, |page| {
        all.extend(page.contents);
        Ok(())
    })?;
    Ok(all)
}

/// Calls `each` with every page of the listing of `path.key` as a prefix.
fn pages(
    ctx: &Ctx,
    path: &CosPath,
    delimiter: Option<String>,
    mut each: impl FnMut(ListBucketResult) -> Result,
) -> Result {
    let region = ctx.region()?;
    let mut marker: Option<String> = None;
    loop {
        let page = ctx.client.get_bucket(&GetBucket {
            bucket: path.bucket.clone(),
            region: region.clone(),
            prefix: (!path.key.is_empty()).then(|| path.key.clone()),
            delimiter: delimiter.clone(),
            marker: marker.clone(),
            max_keys: Some(PAGE),
            ..GetBucket::default()
        })?;
        let truncated = page.is_truncated;
        // COS gives NextMarker with a delimiter; without one, the last key is the marker.
        let last = [
            page.contents.last().map(|o| &o.key),
            page.common_prefixes.last().map(|p| &p.prefix),
        ]
        .into_iter()
        .flatten()
        .max()
        .cloned();
        let next = page.next_marker.clone().or(last);
        each(page)?;
        if !truncated {
            return Ok(());
        }
        match next {
            Some(next) if marker.as_ref() != Some(&next) => marker = Some(next),
            _ => {
                return Err(Fail::new(format!(
                    "listing {path}: the listing did not advance"
                )));
            }
        }
    }
}
