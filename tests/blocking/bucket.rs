//! cos-blocking bucket calls over real HTTP: getService, putBucket, headBucket, getBucket,
//! getBucketLocation, deleteBucket.

mod common;

use common::{Target, static_key};
use cos_blocking::proto::Body;
use cos_blocking::proto::ops::bucket::{
    DeleteBucket, GetBucket, GetBucketLocation, GetService, HeadBucket, PutBucket,
};
use cos_blocking::proto::ops::object::PutObject;
use cos_emulator::Emulator;

#[test]
fn list_with_prefix_and_delimiter() {
    let t = Target::new("bucket-list");
    for key in ["a/1", "a/2", "b/1", "top"] {
        t.client
            .put_object(&PutObject {
                bucket: t.bucket.clone(),
                region: t.region.clone(),
                key: t.key(key),
                body: Body::from(key.as_bytes().to_vec()),
                ..PutObject::default()
            })
            .expect("put");
    }
    let listed = t
        .client
        .get_bucket(&GetBucket {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            prefix: Some(t.prefix.clone()),
            delimiter: Some("/".into()),
            ..GetBucket::default()
        })
        .expect("list");
    let keys: Vec<_> = listed.contents.iter().map(|o| o.key.clone()).collect();
    assert_eq!(keys, vec![t.key("top")]);
    let prefixes: Vec<_> = listed
        .common_prefixes
        .iter()
        .map(|p| p.prefix.clone())
        .collect();
    assert_eq!(prefixes, vec![t.key("a/"), t.key("b/")]);

    let page = t
        .client
        .get_bucket(&GetBucket {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            prefix: Some(t.prefix.clone()),
            max_keys: Some(2),
            ..GetBucket::default()
        })
        .expect("page");
    assert_eq!(page.contents.len(), 2);
    assert!(page.is_truncated);
}

#[test]
fn head_and_location_of_the_test_bucket() {
    let t = Target::new("bucket-head");
    let h = t
        .client
        .head_bucket(&HeadBucket {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
        })
        .expect("head");
    assert_eq!(h.meta.status, 200);
    let loc = t
        .client
        .get_bucket_location(&GetBucketLocation {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
        })
        .expect("location");
    assert_eq!(loc.location_constraint, t.region);
}

#[test]
fn create_list_and_delete_a_bucket() {
    // Creating buckets needs rights a shared test account may not have: emulator only.
    let t = Target::embedded("bucket-create", Emulator::builder(), static_key, |c| c);
    let name = "created-1250000000";
    let put = PutBucket {
        bucket: name.into(),
        region: t.region.clone(),
        ..PutBucket::default()
    };
    t.client.put_bucket(&put).expect("create");
    let err = t.client.put_bucket(&put).expect_err("exists");
    assert_eq!(err.status(), Some(409));

    let service = t
        .client
        .get_service(&GetService::default())
        .expect("service");
    let names: Vec<_> = service.buckets.iter().map(|b| b.name.as_str()).collect();
    assert!(
        names.contains(&name) && names.contains(&t.bucket.as_str()),
        "{names:?}"
    );

    t.client
        .delete_bucket(&DeleteBucket {
            bucket: name.into(),
            region: t.region.clone(),
        })
        .expect("delete");
    let err = t
        .client
        .head_bucket(&HeadBucket {
            bucket: name.into(),
            region: t.region.clone(),
        })
        .expect_err("gone");
    assert_eq!(err.status(), Some(404));
    assert_eq!(err.context().operation, "HeadBucket");
    assert_eq!(err.context().bucket.as_deref(), Some(name));
}
