//! `mb`, `rb`, `acl get|set` and `cors get|set|rm`.

use cos_blocking::proto::ops::acl::{
    AclOutput, GetBucketAcl, GetObjectAcl, PutBucketAcl, PutObjectAcl,
};
use cos_blocking::proto::ops::bucket::{DeleteBucket, PutBucket};
use cos_blocking::proto::ops::cors::{DeleteBucketCors, GetBucketCors, PutBucketCors};
use cos_blocking::proto::types::{CorsRule, Grantee};

use super::{Ctx, need_bucket_only, out};
use crate::args::{AclSet, CorsSet, Mb};
use crate::fail::{Fail, Result};
use crate::path::CosPath;

/// `mb cos://BUCKET`.
pub(super) fn mb(ctx: &Ctx, args: &Mb) -> Result {
    need_bucket_only(&args.bucket)?;
    ctx.client.put_bucket(&PutBucket {
        bucket: args.bucket.bucket.clone(),
        region: ctx.region()?,
        acl: args.acl.clone(),
        ..PutBucket::default()
    })?;
    out(format_args!("made bucket cos://{}", args.bucket.bucket))
}

/// `rb cos://BUCKET`.
pub(super) fn rb(ctx: &Ctx, bucket: &CosPath) -> Result {
    need_bucket_only(bucket)?;
    ctx.client.delete_bucket(&DeleteBucket {
        bucket: bucket.bucket.clone(),
        region: ctx.region()?,
    })?;
    out(format_args!("removed bucket cos://{}", bucket.bucket))
}

/// `acl get`: the owner, then one line per grant.
pub(super) fn acl_get(ctx: &Ctx, path: &CosPath) -> Result {
    let region = ctx.region()?;
    let AclOutput { policy, .. } = if path.key.is_empty() {
        ctx.client.get_bucket_acl(&GetBucketAcl {
            bucket: path.bucket.clone(),
            region,
        })?
    } else {
        ctx.client.get_object_acl(&GetObjectAcl {
            bucket: path.bucket.clone(),
            region,
            key: path.key.clone(),
        })?
    };
    out(format_args!("owner: {}", policy.owner.id))?;
    for grant in &policy.grants {
        out(format_args!(
            "grant: {} {}",
            grant.permission.as_str(),
            grantee(&grant.grantee)
        ))?;
    }
    Ok(())
}

/// A grantee as one word: the group URI or the user ID.
fn grantee(g: &Grantee) -> &str {
    g.uri
        .as_deref()
        .or(g.id.as_deref())
        .or(g.display_name.as_deref())
        .unwrap_or("?")
}

/// `acl set`: a canned ACL and/or grant headers.
pub(super) fn acl_set(ctx: &Ctx, args: &AclSet) -> Result {
    let grants = [
        &args.grant_read,
        &args.grant_write,
        &args.grant_read_acp,
        &args.grant_write_acp,
        &args.grant_full_control,
    ];
    if args.canned.is_none() && grants.iter().all(|g| g.is_none()) {
        return Err(Fail::new(
            "give a canned ACL (private, public-read, ...) or a --grant-* option",
        ));
    }
    let path = &args.path;
    let region = ctx.region()?;
    if path.key.is_empty() {
        ctx.client.put_bucket_acl(&PutBucketAcl {
            bucket: path.bucket.clone(),
            region,
            acl: args.canned.clone(),
            grant_read: args.grant_read.clone(),
            grant_write: args.grant_write.clone(),
            grant_read_acp: args.grant_read_acp.clone(),
            grant_write_acp: args.grant_write_acp.clone(),
            grant_full_control: args.grant_full_control.clone(),
            ..PutBucketAcl::default()
        })?;
    } else {
        if args.grant_write.is_some() {
            return Err(Fail::new("--grant-write applies to buckets, not objects"));
        }
        ctx.client.put_object_acl(&PutObjectAcl {
            bucket: path.bucket.clone(),
            region,
            key: path.key.clone(),
            acl: args.canned.clone(),
            grant_read: args.grant_read.clone(),
            grant_read_acp: args.grant_read_acp.clone(),
            grant_write_acp: args.grant_write_acp.clone(),
            grant_full_control: args.grant_full_control.clone(),
            ..PutObjectAcl::default()
        })?;
    }
    out(format_args!("set the ACL of {}", shown(path)))
}

/// `cos://BUCKET` for a bucket, `cos://BUCKET/KEY` for an object.
fn shown(path: &CosPath) -> String {
    if path.key.is_empty() {
        format!("cos://{}", path.bucket)
    } else {
        path.to_string()
    }
}

/// `cors get`: one line per rule.
pub(super) fn cors_get(ctx: &Ctx, bucket: &CosPath) -> Result {
    need_bucket_only(bucket)?;
    let cors = ctx.client.get_bucket_cors(&GetBucketCors {
        bucket: bucket.bucket.clone(),
        region: ctx.region()?,
    });
    let cors = match cors {
        Err(e) if e.code() == Some("NoSuchCORSConfiguration") => {
            return Err(Fail::new(format!(
                "cos://{} has no CORS rules",
                bucket.bucket
            )));
        }
        other => other?,
    };
    for rule in &cors.cors_rules {
        out(rule_line(rule))?;
    }
    Ok(())
}

/// A rule as `id=... origins=a,b methods=GET,PUT headers=* expose=ETag max-age=600`
/// (empty fields left out).
fn rule_line(rule: &CorsRule) -> String {
    let mut fields = Vec::new();
    if let Some(id) = &rule.id {
        fields.push(format!("id={id}"));
    }
    for (name, values) in [
        ("origins", &rule.allowed_origins),
        ("methods", &rule.allowed_methods),
        ("headers", &rule.allowed_headers),
        ("expose", &rule.expose_headers),
    ] {
        if !values.is_empty() {
            fields.push(format!("{name}={}", values.join(",")));
        }
    }
    if let Some(age) = rule.max_age_seconds {
        fields.push(format!("max-age={age}"));
    }
    fields.join(" ")
}

/// `cors set`: one rule, replacing the bucket's rules or added to them.
pub(super) fn cors_set(ctx: &Ctx, args: &CorsSet) -> Result {
    need_bucket_only(&args.bucket)?;
    let region = ctx.region()?;
    let bucket = args.bucket.bucket.clone();
    let mut rules = Vec::new();
    if args.append {
        match ctx.client.get_bucket_cors(&GetBucketCors {
            bucket: bucket.clone(),
            region: region.clone(),
        }) {
            Ok(cors) => rules = cors.cors_rules,
            Err(e) if e.code() == Some("NoSuchCORSConfiguration") => {}
            Err(e) => return Err(e.into()),
        }
    }
    rules.push(CorsRule {
        id: args.id.clone(),
        allowed_origins: args.origins.clone(),
        allowed_methods: args
            .methods
            .iter()
            .map(|m| m.to_ascii_uppercase())
            .collect(),
        allowed_headers: args.headers.clone(),
        expose_headers: args.expose.clone(),
        max_age_seconds: args.max_age,
    });
    let count = rules.len();
    ctx.client.put_bucket_cors(&PutBucketCors {
        bucket: bucket.clone(),
        region,
        cors_rules: rules,
        ..PutBucketCors::default()
    })?;
    let s = if count == 1 { "" } else { "s" };
    out(format_args!("cos://{bucket} has {count} CORS rule{s}"))
}

/// `cors rm`.
pub(super) fn cors_rm(ctx: &Ctx, bucket: &CosPath) -> Result {
    need_bucket_only(bucket)?;
    ctx.client.delete_bucket_cors(&DeleteBucketCors {
        bucket: bucket.bucket.clone(),
        region: ctx.region()?,
    })?;
    out(format_args!(
        "removed the CORS rules of cos://{}",
        bucket.bucket
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_print_on_one_line_without_empty_fields() {
        let rule = CorsRule {
            id: Some("web".into()),
            allowed_origins: vec!["https://a.example".into(), "https://b.example".into()],
            allowed_methods: vec!["GET".into(), "PUT".into()],
            allowed_headers: vec!["*".into()],
            expose_headers: Vec::new(),
            max_age_seconds: Some(600),
        };
        assert_eq!(
            rule_line(&rule),
            "id=web origins=https://a.example,https://b.example methods=GET,PUT headers=* max-age=600"
        );
    }
}
