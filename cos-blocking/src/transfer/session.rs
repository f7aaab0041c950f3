//! The start and the end of a task's multipart upload, tried again where a single call is
//! not.
//!
//! `InitiateMultipartUpload` and `CompleteMultipartUpload` are not idempotent, so the single
//! calls ([`Client::multipart_init`], [`Client::multipart_complete`]) are never repeated: the
//! answer to a failed attempt may have been lost after COS acted. A task knows enough to
//! repeat them safely, with the attempts, backoff and transient failures of the client's
//! [`retry`](crate::retry) policy:
//! - **start**: after a transient failure it starts again; once an attempt succeeds, it
//!   aborts the uploads of the key that hold no part and that it had not seen before its
//!   first attempt — the ones its failed attempts may have created. Like resuming, this
//!   assumes one writer per key (another writer's upload of the same key, started in that
//!   moment and still without parts, would be aborted too).
//! - **complete**: after a transient failure it completes again; when that attempt finds the
//!   upload gone (`NoSuchUpload`), the object in its place is taken as the result only when
//!   its size and CRC-64 are the ones the parts give (its multipart ETag where COS reports no
//!   CRC-64); otherwise the `NoSuchUpload` error stands.

use cos_proto::ops::multipart::{
    CompleteMultipartUploadResult, MultipartAbort, MultipartComplete, MultipartInit,
};
use cos_proto::ops::object::{HeadObject, PutObject};
use cos_proto::plan::multipart_etag;

use crate::client::Client;
use crate::error::Result;
use crate::retry;
use crate::transport;

/// What the completed object must be: its size and, when known, its CRC-64.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Expected {
    pub(crate) size: u64,
    pub(crate) crc64: Option<u64>,
}

impl Client {
    /// Starts a multipart upload (see the module doc); `known` are the key's uploads seen
    /// before, which are never aborted.
    pub(crate) fn start_upload(&self, init: &MultipartInit, known: &[String]) -> Result<String> {
        let started = transport::monotonic();
        let max = self.inner.config.retry.max_attempts;
        let mut attempt = 0;
        let upload_id = loop {
            attempt += 1;
            match self.multipart_init(init) {
                Ok(out) => break out.upload_id,
                Err(e) if attempt < max && retry::is_transient(&e) => {
                    transport::sleep(self.inner.backoff.delay(attempt));
                }
                Err(e) => {
                    return Err(e.after(attempt, transport::monotonic().duration_since(started)));
                }
            }
        };
        if attempt > 1 {
            self.abort_strays(init, known, &upload_id);
        }
        Ok(upload_id)
    }

    /// Aborts the uploads of `init`'s key that are neither `known` nor `ours` and hold no
    /// part. Best effort: a stray that cannot be listed or aborted is left.
    fn abort_strays(&self, init: &MultipartInit, known: &[String], ours: &str) {
        let object = PutObject {
            bucket: init.bucket.clone(),
            region: init.region.clone(),
            key: init.key.clone(),
            ..PutObject::default()
        };
        let Ok(ids) = self.uploads_of(&object) else {
            return;
        };
        for id in ids {
            if id == ours || known.contains(&id) {
                continue;
            }
            if self
                .parts_of(&object, &id)
                .is_ok_and(|parts| parts.is_empty())
            {
                let _ = self.multipart_abort(&MultipartAbort {
                    bucket: init.bucket.clone(),
                    region: init.region.clone(),
                    key: init.key.clone(),
                    upload_id: id,
                });
            }
        }
    }

    /// Completes a multipart upload (see the module doc).
    pub(crate) fn complete_upload(
        &self,
        complete: &MultipartComplete,
        expected: Expected,
    ) -> Result<CompleteMultipartUploadResult> {
        let started = transport::monotonic();
        let max = self.inner.config.retry.max_attempts;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.multipart_complete(complete) {
                Ok(out) => return Ok(out),
                Err(e) if attempt > 1 && e.code() == Some("NoSuchUpload") => {
                    return match self.completed_meanwhile(complete, expected) {
                        Some(out) => Ok(out),
                        None => {
                            Err(e.after(attempt, transport::monotonic().duration_since(started)))
                        }
                    };
                }
                Err(e) if attempt < max && retry::is_transient(&e) => {
                    transport::sleep(self.inner.backoff.delay(attempt));
                }
                Err(e) => {
                    return Err(e.after(attempt, transport::monotonic().duration_since(started)));
                }
            }
        }
    }

    /// The object an earlier attempt of `complete` made, if the object at its key is the
    /// one the parts give.
    fn completed_meanwhile(
        &self,
        complete: &MultipartComplete,
        expected: Expected,
    ) -> Option<CompleteMultipartUploadResult> {
        let head = self
            .head_object(&HeadObject {
                bucket: complete.bucket.clone(),
                region: complete.region.clone(),
                key: complete.key.clone(),
                ..HeadObject::default()
            })
            .ok()?;
        let object = head.object;
        let same_data = match (object.crc64, expected.crc64) {
            (Some(found), Some(wanted)) => found == wanted,
            _ => {
                let wanted = multipart_etag(complete.parts.iter().map(|p| p.etag.as_str()));
                wanted.is_some() && object.etag == wanted
            }
        };
        if object.content_length != Some(expected.size) || !same_data {
            return None;
        }
        Some(CompleteMultipartUploadResult {
            location: self.location(&complete.bucket, &complete.region, &complete.key),
            bucket: complete.bucket.clone(),
            key: complete.key.clone(),
            etag: object.etag.unwrap_or_default(),
            version_id: object.version_id,
            crc64: object.crc64,
            meta: head.meta,
        })
    }
}
