//! The response documents, written as COS writes them.

use cos_proto::encode::encode_path_into;
use cos_proto::xml::Writer;

use crate::store::{BucketMeta, ObjectMeta};
use crate::time::iso8601;

/// A GET Bucket listing, before it is written.
pub(crate) struct Listing<'a> {
    pub(crate) bucket: &'a str,
    pub(crate) owner: &'a str,
    pub(crate) prefix: &'a str,
    pub(crate) marker: &'a str,
    pub(crate) delimiter: Option<&'a str>,
    pub(crate) max_keys: usize,
    pub(crate) url_encoding: bool,
    pub(crate) contents: Vec<ObjectMeta>,
    pub(crate) common_prefixes: Vec<String>,
    pub(crate) next_marker: Option<String>,
}

/// `EncodingType=url`: percent-encoded with `/` kept, spaces as `%20`.
fn enc(url: bool, s: &str) -> String {
    if !url {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    encode_path_into(&mut out, s);
    out
}

/// `<ListBucketResult>`.
pub(crate) fn list_bucket(l: &Listing<'_>) -> Vec<u8> {
    let e = |s: &str| enc(l.url_encoding, s);
    let mut w = Writer::new();
    w.open("ListBucketResult").leaf("Name", l.bucket);
    if l.url_encoding {
        w.leaf("EncodingType", "url");
    }
    w.leaf("Prefix", &e(l.prefix))
        .leaf("Marker", &e(l.marker))
        .leaf("MaxKeys", &l.max_keys.to_string());
    if let Some(d) = l.delimiter {
        w.leaf("Delimiter", &e(d));
    }
    w.leaf(
        "IsTruncated",
        if l.next_marker.is_some() {
            "true"
        } else {
            "false"
        },
    );
    if let Some(next) = &l.next_marker {
        w.leaf("NextMarker", &e(next));
    }
    for p in &l.common_prefixes {
        w.open("CommonPrefixes")
            .leaf("Prefix", &e(p))
            .close("CommonPrefixes");
    }
    for o in &l.contents {
        w.open("Contents")
            .leaf("Key", &e(&o.key))
            .leaf("LastModified", &iso8601(o.last_modified))
            .leaf("ETag", &o.etag)
            .leaf("Size", &o.size.to_string())
            .open("Owner")
            .leaf("ID", l.owner)
            .leaf("DisplayName", l.owner)
            .close("Owner")
            .leaf("StorageClass", &o.storage_class)
            .close("Contents");
    }
    w.close("ListBucketResult");
    w.finish()
}

/// `<ListAllMyBucketsResult>`.
pub(crate) fn list_service(
    owner: &str,
    buckets: &[BucketMeta],
    marker: Option<&str>,
    next_marker: Option<&str>,
) -> Vec<u8> {
    let mut w = Writer::new();
    w.open("ListAllMyBucketsResult")
        .open("Owner")
        .leaf("ID", owner)
        .leaf("DisplayName", owner)
        .close("Owner")
        .open("Buckets");
    for b in buckets {
        w.open("Bucket")
            .leaf("Name", &b.name)
            .leaf("Location", &b.region)
            .leaf("CreationDate", &iso8601(b.created))
            .leaf("BucketType", "cos")
            .close("Bucket");
    }
    w.close("Buckets");
    if let Some(m) = marker {
        w.leaf("Marker", m);
    }
    w.leaf(
        "IsTruncated",
        if next_marker.is_some() {
            "true"
        } else {
            "false"
        },
    );
    if let Some(m) = next_marker {
        w.leaf("NextMarker", m);
    }
    w.close("ListAllMyBucketsResult");
    w.finish()
}

/// `<CopyObjectResult>`.
pub(crate) fn copy_result(meta: &ObjectMeta) -> Vec<u8> {
    let mut w = Writer::new();
    w.open("CopyObjectResult")
        .leaf("ETag", &meta.etag)
        .leaf("LastModified", &iso8601(meta.last_modified))
        .leaf("CRC64", &meta.crc64.to_string())
        .close("CopyObjectResult");
    w.finish()
}

/// One outcome of DELETE Multiple Objects.
pub(crate) enum Deleted {
    Ok(String),
    Failed {
        key: String,
        code: &'static str,
        message: String,
    },
}

/// `<DeleteResult>`; with `quiet`, only the failures.
pub(crate) fn delete_result(results: &[Deleted], quiet: bool) -> Vec<u8> {
    let mut w = Writer::new();
    w.open("DeleteResult");
    for r in results {
        match r {
            Deleted::Ok(key) if !quiet => {
                w.open("Deleted").leaf("Key", key).close("Deleted");
            }
            Deleted::Ok(_) => {}
            Deleted::Failed { key, code, message } => {
                w.open("Error")
                    .leaf("Key", key)
                    .leaf("Code", code)
                    .leaf("Message", message)
                    .close("Error");
            }
        }
    }
    w.close("DeleteResult");
    w.finish()
}
