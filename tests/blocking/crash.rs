//! Crashes: an uploading process killed before its first part.

mod common;

use common::{Scratch, Target, static_key};
use cos_blocking::proto::ops::multipart::MultipartList;
use cos_blocking::proto::ops::object::PutObject;
use cos_blocking::{Client, SliceUploadFile, UploadBody};
use cos_emulator::Emulator;

const MIB: usize = 1 << 20;

fn params<'a>(t: &Target, name: &str, path: &std::path::Path) -> SliceUploadFile<'a> {
    SliceUploadFile {
        object: PutObject {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key(name),
            ..PutObject::default()
        },
        body: UploadBody::path(path),
        ..SliceUploadFile::default()
    }
}

/// The ids of the multipart uploads in progress under `prefix`.
fn uploads_under(client: &Client, t: &Target, prefix: &str) -> Vec<String> {
    client
        .multipart_list(&MultipartList {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            prefix: Some(prefix.to_owned()),
            ..MultipartList::default()
        })
        .expect("list uploads")
        .upload
        .into_iter()
        .map(|u| u.upload_id)
        .collect()
}

#[test]
fn an_attempt_killed_before_its_first_part_leaves_no_upload_behind() {
    // A process that started an upload and died before its first part (and before it wrote
    // its journal) left an empty upload; the next call aborts it and uploads anew.
    let scratch = Scratch::new("killed-early");
    let t = Target::embedded("killed-early", Emulator::builder(), static_key, |c| {
        c.resume_dir(scratch.0.join("journals"))
    });
    let bytes = common::data(2 * MIB + 1);
    let path = scratch.0.join("early");
    std::fs::write(&path, &bytes).expect("write");
    let empty = t
        .client
        .multipart_init(&cos_blocking::proto::ops::multipart::MultipartInit {
            bucket: t.bucket.clone(),
            region: t.region.clone(),
            key: t.key("early"),
            ..Default::default()
        })
        .expect("init")
        .upload_id;
    let out = t
        .client
        .slice_upload_file(params(&t, "early", &path))
        .expect("upload");
    assert_ne!(out.upload_id.as_deref(), Some(empty.as_str()));
    assert_eq!(out.parts_reused, 0);
    assert_eq!(
        t.client.get_object(&t.get_op("early")).expect("get").body,
        bytes
    );
    assert_eq!(t.emu().count("AbortMultipartUpload"), 1);
    assert_eq!(
        uploads_under(&t.client, &t, &t.key("early")),
        Vec::<String>::new()
    );
}
