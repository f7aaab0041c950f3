//! cos-blocking ACL calls over real HTTP: putObjectAcl, getObjectAcl, putBucketAcl,
//! getBucketAcl — checked by what an anonymous client may then do.

mod common;

use common::{Target, static_key};
use cos_blocking::proto::Body;
use cos_blocking::proto::ops::acl::{GetBucketAcl, GetObjectAcl, PutBucketAcl, PutObjectAcl};
use cos_blocking::proto::ops::object::PutObject;
use cos_blocking::proto::types::AccessControlPolicy;
use cos_emulator::Emulator;

fn anonymous_get(url: &str) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent.get(url).call().expect("GET").status().as_u16()
}

fn public(policy: &AccessControlPolicy) -> bool {
    policy.grants.iter().any(|g| {
        g.grantee
            .uri
            .as_deref()
            .is_some_and(|u| u.contains("AllUsers"))
            && g.permission.as_str() == "READ"
    })
}

#[test]
fn an_object_made_public_read_is_readable_anonymously() {
    let t = Target::embedded("acl-object", Emulator::builder(), static_key, |c| c);
    let key = t.key("pub.txt");
    t.client
        .put_object(&PutObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: key.clone(),
            body: Body::from(b"hi".to_vec()),
            ..PutObject::default()
        })
        .expect("put");
    let url = format!("{}/{}/{key}", t.url, t.bucket);
    assert_eq!(anonymous_get(&url), 403);

    let get_acl = GetObjectAcl {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
        key: key.clone(),
    };
    assert!(!public(
        &t.client.get_object_acl(&get_acl).expect("acl").policy
    ));
    t.client
        .put_object_acl(&PutObjectAcl {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: key.clone(),
            acl: Some("public-read".into()),
            ..PutObjectAcl::default()
        })
        .expect("put acl");
    assert!(public(
        &t.client.get_object_acl(&get_acl).expect("acl").policy
    ));
    assert_eq!(anonymous_get(&url), 200);
}

#[test]
fn a_bucket_policy_round_trips() {
    let t = Target::embedded("acl-bucket", Emulator::builder(), static_key, |c| c);
    let get = GetBucketAcl {
        bucket: t.bucket.clone(),
        region: t.region.clone(),
    };
    let before = t.client.get_bucket_acl(&get).expect("get").policy;
    assert!(!public(&before));
    t.client
        .put_bucket_acl(&PutBucketAcl {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            acl: Some("public-read".into()),
            ..PutBucketAcl::default()
        })
        .expect("canned");
    assert!(public(&t.client.get_bucket_acl(&get).expect("get").policy));
    // Writing the first policy back (as an XML body) restores it.
    t.client
        .put_bucket_acl(&PutBucketAcl {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            access_control_policy: Some(before.clone()),
            ..PutBucketAcl::default()
        })
        .expect("policy");
    let after = t.client.get_bucket_acl(&get).expect("get").policy;
    assert!(!public(&after));
    assert_eq!(after.owner, before.owner);
    // The emulator lists the owner's FULL_CONTROL grant twice after a policy is written
    // (its implicit one and the written one); compare the distinct grants.
    let mut grants = after.grants.clone();
    grants.dedup();
    assert_eq!(grants, before.grants);
}
