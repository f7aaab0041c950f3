//! ACLs: canned ACLs and grants on buckets and objects, Get/Put Bucket/Object ACL, and what
//! anonymous callers may do.
//!
//! Signed callers (any of the emulator's credentials) own everything. Anonymous callers may:
//! read objects that are public-read or public-read-write, or whose ACL is `default` in a
//! public bucket; list and head public buckets; write and delete objects in
//! public-read-write buckets; send CORS preflights. Everything else is `AccessDenied`.

use std::io::Read;

use cos_proto::header;
use cos_proto::types::{AccessControlPolicy, Grant, Grantee, Owner, Permission};

use super::{parse_xml, read_xml_body};
use crate::Shared;
use crate::error::CosError;
use crate::names;
use crate::reply::Reply;
use crate::route::Ctx;
use crate::store::{AclState, GrantRec};

/// The group of everyone.
pub(crate) const ALL_USERS: &str = "http://cam.qcloud.com/groups/global/AllUsers";

const BUCKET_ACLS: [&str; 4] = [
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
];
const OBJECT_ACLS: [&str; 7] = [
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "default",
    "bucket-owner-read",
    "bucket-owner-full-control",
];

const GRANT_HEADERS: [(&str, &str); 5] = [
    (header::GRANT_READ, "READ"),
    (header::GRANT_WRITE, "WRITE"),
    (header::GRANT_READ_ACP, "READ_ACP"),
    (header::GRANT_WRITE_ACP, "WRITE_ACP"),
    (header::GRANT_FULL_CONTROL, "FULL_CONTROL"),
];

/// The owner of a bucket's resources: the account of its APPID.
pub(crate) fn owner_id(bucket: &str) -> String {
    let appid = bucket.rsplit('-').next().unwrap_or_default();
    format!("qcs::cam::uin/{appid}:uin/{appid}")
}

fn denied() -> CosError {
    CosError::access_denied("Access Denied.")
}

fn is_public_read(canned: &str) -> bool {
    matches!(canned, "public-read" | "public-read-write")
}

/// Whether an anonymous caller may make this call.
pub(crate) fn check_anonymous(shared: &Shared, ctx: &Ctx) -> Result<(), CosError> {
    if ctx.op == names::OPTIONS_OBJECT {
        return Ok(());
    }
    let Some(bucket) = ctx.bucket.as_deref() else {
        return Err(denied());
    };
    let meta = shared.store.bucket(bucket)?;
    let bucket_acl = meta.acl.canned.as_str();
    match ctx.op {
        names::GET_OBJECT | names::HEAD_OBJECT => match shared.store.object(bucket, &ctx.key) {
            Ok(entry) => {
                let object_acl = entry.meta.acl.canned.as_str();
                let follows_bucket = matches!(object_acl, "" | "default");
                if is_public_read(object_acl) || (follows_bucket && is_public_read(bucket_acl)) {
                    Ok(())
                } else {
                    Err(denied())
                }
            }
            Err(_) if is_public_read(bucket_acl) => Ok(()),
            Err(_) => Err(denied()),
        },
        names::GET_BUCKET | names::HEAD_BUCKET if is_public_read(bucket_acl) => Ok(()),
        names::PUT_OBJECT
        | names::DELETE_OBJECT
        | names::DELETE_MULTIPLE_OBJECTS
        | names::PUT_OBJECT_COPY
        | names::INITIATE_MULTIPART_UPLOAD
        | names::UPLOAD_PART
        | names::COMPLETE_MULTIPART_UPLOAD
        | names::ABORT_MULTIPART_UPLOAD
        | names::LIST_PARTS
            if bucket_acl == "public-read-write" =>
        {
            Ok(())
        }
        _ => Err(denied()),
    }
}

/// The ACL sent in the headers (`x-cos-acl`, `x-cos-grant-*`); `None` when none is sent.
pub(crate) fn acl_from_headers(ctx: &Ctx, for_object: bool) -> Result<Option<AclState>, CosError> {
    let canned = ctx.header(header::ACL).map(str::trim);
    if let Some(c) = canned {
        let allowed: &[&str] = if for_object {
            &OBJECT_ACLS
        } else {
            &BUCKET_ACLS
        };
        if !allowed.contains(&c) {
            return Err(CosError::invalid_argument(format!(
                "x-cos-acl must be one of: {}",
                allowed.join(", ")
            )));
        }
    }
    let mut grants = Vec::new();
    for (name, permission) in GRANT_HEADERS {
        if let Some(value) = ctx.header(name) {
            grants.extend(parse_grant_header(name, value, permission)?);
        }
    }
    if canned.is_none() && grants.is_empty() {
        return Ok(None);
    }
    let default = if for_object { "default" } else { "private" };
    let mut state = AclState::canned(canned.unwrap_or(default));
    // A grant to everyone makes the resource public, as the canned ACLs do.
    let all_read = grants
        .iter()
        .any(|g| g.group && g.grantee == ALL_USERS && g.permission == "READ");
    let all_write = grants
        .iter()
        .any(|g| g.group && g.grantee == ALL_USERS && g.permission == "WRITE");
    if canned.is_none() && all_read {
        state.canned = if all_write {
            "public-read-write"
        } else {
            "public-read"
        }
        .to_owned();
    }
    state.grants = grants
        .into_iter()
        .filter(|g| !(g.group && g.grantee == ALL_USERS))
        .collect();
    Ok(Some(state))
}

/// `id="qcs::cam::uin/1:uin/2",uri="http://cam.qcloud.com/groups/global/AllUsers"`.
fn parse_grant_header(
    name: &str,
    value: &str,
    permission: &str,
) -> Result<Vec<GrantRec>, CosError> {
    let bad = || {
        CosError::invalid_argument(format!(
            "{name} must be id=\"...\" or uri=\"...\" entries separated by commas"
        ))
    };
    let mut out = Vec::new();
    for item in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (kind, quoted) = item.split_once('=').ok_or_else(bad)?;
        let grantee = quoted
            .trim()
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
            .filter(|s| !s.is_empty())
            .ok_or_else(bad)?;
        let group = match kind.trim().to_ascii_lowercase().as_str() {
            "id" => false,
            "uri" => true,
            _ => return Err(bad()),
        };
        out.push(GrantRec {
            group,
            grantee: grantee.to_owned(),
            permission: permission.to_owned(),
        });
    }
    Ok(out)
}

/// The ACL of an `<AccessControlPolicy>` body.
fn acl_from_body(body: &[u8], for_object: bool) -> Result<AclState, CosError> {
    let root = parse_xml(body, "AccessControlPolicy")?;
    let policy = AccessControlPolicy::from_xml(&root);
    let mut grants = Vec::new();
    for g in &policy.grants {
        let permission = match &g.permission {
            Permission::Other(p) => {
                return Err(CosError::malformed_xml(format!("unknown permission {p}")));
            }
            p => p.as_str().to_owned(),
        };
        let (group, grantee) = match (&g.grantee.uri, &g.grantee.id) {
            (Some(uri), _) => (true, uri.clone()),
            (None, Some(id)) => (false, id.clone()),
            (None, None) => {
                return Err(CosError::malformed_xml("a Grantee has neither ID nor URI"));
            }
        };
        grants.push(GrantRec {
            group,
            grantee,
            permission,
        });
    }
    let all = |p: &str| {
        grants
            .iter()
            .any(|g| g.group && g.grantee == ALL_USERS && g.permission == p)
    };
    let canned = match (
        all("READ") || all("FULL_CONTROL"),
        all("WRITE") || all("FULL_CONTROL"),
    ) {
        (true, true) => "public-read-write",
        (true, false) => "public-read",
        _ if for_object => "private",
        _ => "private",
    };
    Ok(AclState {
        canned: canned.to_owned(),
        grants,
        explicit: true,
    })
}

/// The ACL a Put*Acl call sets: from the body if it has one, else from the headers.
fn acl_to_set(ctx: &Ctx, body: &mut dyn Read, for_object: bool) -> Result<AclState, CosError> {
    let bytes = read_xml_body(ctx, body)?;
    if !bytes.iter().all(u8::is_ascii_whitespace) {
        return acl_from_body(&bytes, for_object);
    }
    acl_from_headers(ctx, for_object)?.ok_or_else(|| {
        CosError::invalid_argument(
            "send x-cos-acl, x-cos-grant-* headers or an AccessControlPolicy body",
        )
    })
}

/// The `<AccessControlPolicy>` document of an ACL.
fn policy_reply(bucket: &str, acl: &AclState) -> Result<Reply, CosError> {
    let owner = owner_id(bucket);
    let user = |id: &str, permission: Permission| Grant {
        grantee: Grantee {
            grantee_type: Some("CanonicalUser".into()),
            id: Some(id.to_owned()),
            display_name: Some(id.to_owned()),
            ..Grantee::default()
        },
        permission,
    };
    let group = |permission: Permission| Grant {
        grantee: Grantee {
            grantee_type: Some("Group".into()),
            uri: Some(ALL_USERS.to_owned()),
            ..Grantee::default()
        },
        permission,
    };
    let mut grants = Vec::new();
    if !acl.explicit {
        grants.push(user(&owner, Permission::FullControl));
    }
    match acl.canned.as_str() {
        _ if acl.explicit => {}
        "public-read" => grants.push(group(Permission::Read)),
        "public-read-write" => {
            grants.push(group(Permission::Read));
            grants.push(group(Permission::Write));
        }
        _ => {}
    }
    for g in &acl.grants {
        let permission = Permission::from_wire(&g.permission);
        if g.group {
            let mut grant = group(permission);
            grant.grantee.uri = Some(g.grantee.clone());
            grants.push(grant);
        } else {
            grants.push(user(&g.grantee, permission));
        }
    }
    let policy = AccessControlPolicy {
        owner: Owner {
            id: owner.clone(),
            display_name: Some(owner),
        },
        grants,
    };
    let doc = policy
        .to_xml()
        .map_err(|e| CosError::internal(e.to_string()))?;
    Ok(Reply::xml(doc))
}

/// GET Bucket acl.
pub(crate) fn get_bucket_acl(shared: &Shared, bucket: &str) -> Result<Reply, CosError> {
    let meta = shared.store.bucket(bucket)?;
    policy_reply(bucket, &meta.acl)
}

/// PUT Bucket acl.
pub(crate) fn put_bucket_acl(
    shared: &Shared,
    ctx: &Ctx,
    bucket: &str,
    body: &mut dyn Read,
) -> Result<Reply, CosError> {
    shared.store.bucket(bucket)?;
    let acl = acl_to_set(ctx, body, false)?;
    shared.store.update_bucket(bucket, |m| m.acl = acl)?;
    Ok(Reply::new(200))
}

/// GET Object acl.
pub(crate) fn get_object_acl(shared: &Shared, bucket: &str, key: &str) -> Result<Reply, CosError> {
    let entry = shared.store.object(bucket, key)?;
    policy_reply(bucket, &entry.meta.acl)
}

/// PUT Object acl.
pub(crate) fn put_object_acl(
    shared: &Shared,
    ctx: &Ctx,
    bucket: &str,
    body: &mut dyn Read,
) -> Result<Reply, CosError> {
    shared.store.object(bucket, &ctx.key)?;
    let acl = acl_to_set(ctx, body, true)?;
    shared
        .store
        .update_object(bucket, &ctx.key, |m| m.acl = acl)?;
    Ok(Reply::new(200))
}
