//! Finding the earlier upload a sliceUploadFile continues.
//!
//! Candidates are the key's multipart uploads in progress (`multipartList`), the one named
//! by this file's journal first, then newest first. For each, `multipartListPart` says what
//! the server holds; cos-proto's [`ResumePlan`] keeps a part only when its size is the
//! planned one and its ETag is the MD5 of the local bytes at its place. Parts the journal
//! recorded (same upload, same ETag) are kept without hashing when the file's identity is
//! the one the journal recorded. The candidate that keeps the most bytes wins; the journal's
//! own upload is aborted when nothing of it is usable (it was ours, and would be orphaned),
//! and so is every candidate that holds no part: an earlier attempt killed before its first
//! part (or before it wrote its journal) would otherwise stay forever. Like continuing other
//! uploads of the key, this assumes one writer per key.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::Ordering;

use cos_proto::ops::multipart::{MultipartAbort, MultipartList, MultipartListPart, Part};
use cos_proto::ops::object::PutObject;
use cos_proto::plan::{Journal, PartPlan, PartRange, ResumePlan, ServerPart};

use crate::body::{ProgressFn, Reporter};
use crate::client::Client;
use crate::error::Result;
use crate::transfer::journal::JournalFile;
use crate::transfer::source::{FileIdentity, PartDigest, PartSource};
use crate::transfer::task::Task;
use crate::transfer::upload::DonePart;

/// The most pages of uploads or parts read while looking for a candidate.
const MAX_LIST_PAGES: usize = 100;

/// The upload chosen to continue, its plan and the parts kept.
#[derive(Debug)]
pub(crate) struct Resumed {
    pub(crate) upload_id: String,
    pub(crate) plan: PartPlan,
    pub(crate) parts: BTreeMap<u32, DonePart>,
}

/// Hashes of local parts, shared by the candidates (computed at most once per range).
struct Hasher<'a> {
    task: &'a Task,
    source: &'a PartSource,
    cache: HashMap<(u64, u64), PartDigest>,
    hashed: u64,
    reporter: Reporter<'a>,
    canceled: bool,
    error: Option<crate::Error>,
}

impl Hasher<'_> {
    /// The digest of `range`, or `None` once canceled or failed (remembered).
    fn digest(&mut self, range: PartRange) -> Option<PartDigest> {
        if let Some(d) = self.cache.get(&(range.offset, range.len)) {
            return Some(*d);
        }
        if self.canceled || self.error.is_some() {
            return None;
        }
        if self.task.canceled.load(Ordering::Relaxed) {
            self.canceled = true;
            return None;
        }
        let (hashed, reporter) = (&mut self.hashed, &mut self.reporter);
        match self.source.digest(range.offset, range.len, |n| {
            *hashed += n;
            reporter.update(*hashed, false);
        }) {
            Ok(d) => {
                self.cache.insert((range.offset, range.len), d);
                Some(d)
            }
            Err(e) => {
                self.error = Some(e);
                None
            }
        }
    }
}

impl Client {
    /// The upload to continue, if any keeps at least one part, and the ids of the key's
    /// uploads seen while looking.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn find_resumable(
        &self,
        task: &Task,
        object: &PutObject,
        source: &PartSource,
        size: u64,
        identity: Option<&FileIdentity>,
        journal_file: Option<&JournalFile>,
        default_plan: PartPlan,
        hash_progress: Option<ProgressFn<'_>>,
    ) -> Result<(Option<Resumed>, Vec<String>)> {
        let journal = journal_file
            .and_then(JournalFile::load)
            .filter(|j| j.bucket == object.bucket && j.key == object.key && j.total_size == size);
        // The journal's record of parts is trusted only for the very same file.
        let trusted = journal.as_ref().filter(|j| {
            identity.is_some_and(|i| {
                i.id.as_deref().is_some_and(|id| id == j.file_id) && i.mtime_secs == j.mtime_secs
            })
        });

        let mut candidates = self.uploads_of(object)?;
        let seen = candidates.clone();
        if let Some(pos) = journal
            .as_ref()
            .and_then(|j| candidates.iter().position(|c| *c == j.upload_id))
        {
            let id = candidates.remove(pos);
            candidates.insert(0, id);
        }

        let mut hasher = Hasher {
            task,
            source,
            cache: HashMap::new(),
            hashed: 0,
            reporter: Reporter::new(hash_progress, size, self.inner.config.progress_interval),
            canceled: false,
            error: None,
        };
        let mut best: Option<(u64, Resumed)> = None;
        let mut empty = Vec::new();
        for upload_id in candidates {
            let server_parts = self.parts_of(object, &upload_id)?;
            if server_parts.is_empty() {
                empty.push(upload_id);
                continue;
            }
            let recorded = trusted.filter(|j| j.upload_id == upload_id);
            let plan = candidate_plan(size, default_plan, recorded, &server_parts);
            let parts = keep_parts(&plan, &server_parts, recorded, &mut hasher);
            if hasher.canceled {
                return Err(task.canceled_error());
            }
            if let Some(e) = hasher.error.take() {
                return Err(e);
            }
            let bytes: u64 = parts
                .keys()
                .filter_map(|n| plan.part(*n))
                .map(|p| p.len)
                .sum();
            if bytes > 0 && best.as_ref().is_none_or(|(b, _)| bytes > *b) {
                let complete = bytes == size;
                best = Some((
                    bytes,
                    Resumed {
                        upload_id,
                        plan,
                        parts,
                    },
                ));
                if complete {
                    break;
                }
            }
        }
        hasher.reporter.update(hasher.hashed, true);

        // The journal's upload was ours: if it is not continued, nothing else will. An
        // upload without parts is an earlier attempt that died before its first part (or
        // whose start's answer was lost): nothing to continue, and nothing else would end it.
        let mut ended = empty;
        if let Some(j) = &journal
            && best
                .as_ref()
                .is_none_or(|(_, r)| r.upload_id != j.upload_id)
            && !ended.contains(&j.upload_id)
        {
            ended.push(j.upload_id.clone());
        }
        for upload_id in ended {
            let _ = self.multipart_abort(&MultipartAbort {
                bucket: object.bucket.clone(),
                region: object.region.clone(),
                key: object.key.clone(),
                upload_id,
            });
        }
        Ok((best.map(|(_, r)| r), seen))
    }

    /// The ids of the uploads in progress for exactly this key, newest first.
    pub(crate) fn uploads_of(&self, object: &PutObject) -> Result<Vec<String>> {
        let mut found = Vec::new();
        let mut list = MultipartList {
            bucket: object.bucket.clone(),
            region: object.region.clone(),
            prefix: Some(object.key.clone()),
            ..MultipartList::default()
        };
        for _ in 0..MAX_LIST_PAGES {
            let page = self.multipart_list(&list)?;
            found.extend(
                page.upload
                    .into_iter()
                    .filter(|u| u.key == object.key)
                    .map(|u| (u.initiated.unwrap_or_default(), u.upload_id)),
            );
            if page.is_truncated != Some(true) || page.next_key_marker.is_none() {
                break;
            }
            list.key_marker = page.next_key_marker;
            list.upload_id_marker = page.next_upload_id_marker;
        }
        // ISO-8601 times sort as text.
        found.sort_by(|a, b| b.0.cmp(&a.0));
        Ok(found.into_iter().map(|(_, id)| id).collect())
    }

    /// Every part of upload `upload_id`.
    pub(crate) fn parts_of(&self, object: &PutObject, upload_id: &str) -> Result<Vec<Part>> {
        let mut parts = Vec::new();
        let mut list = MultipartListPart {
            bucket: object.bucket.clone(),
            region: object.region.clone(),
            key: object.key.clone(),
            upload_id: upload_id.to_owned(),
            ..MultipartListPart::default()
        };
        for _ in 0..MAX_LIST_PAGES {
            let page = self.multipart_list_part(&list)?;
            parts.extend(page.part);
            match page.next_part_number_marker {
                Some(next) if page.is_truncated == Some(true) => {
                    list.part_number_marker = Some(next);
                }
                _ => break,
            }
        }
        Ok(parts)
    }
}

/// The plan a candidate is checked against: the journal's (when it recorded this upload),
/// else the one its first part's size implies, else the requested one.
fn candidate_plan(
    size: u64,
    default_plan: PartPlan,
    recorded: Option<&Journal>,
    server_parts: &[Part],
) -> PartPlan {
    if let Some(plan) = recorded.and_then(|j| j.plan().ok()) {
        return plan;
    }
    server_parts
        .iter()
        .find(|p| p.part_number == 1)
        .and_then(|first| PartPlan::new(size, first.size).ok())
        .filter(|plan| plan.part(1).is_some_and(|r| r.len == plan.part_size()))
        .unwrap_or(default_plan)
}

/// The server parts kept: those the journal vouches for, then those whose MD5 matches.
fn keep_parts(
    plan: &PartPlan,
    server_parts: &[Part],
    recorded: Option<&Journal>,
    hasher: &mut Hasher<'_>,
) -> BTreeMap<u32, DonePart> {
    let mut kept = BTreeMap::new();
    let mut unvouched = Vec::new();
    for part in server_parts {
        let vouched = recorded.and_then(|j| {
            j.parts_done
                .iter()
                .find(|(n, etag, _)| *n == part.part_number && same_etag(etag, &part.etag))
        });
        let planned = plan
            .part(part.part_number)
            .is_some_and(|r| r.len == part.size);
        match vouched {
            Some((n, _, crc)) if planned => {
                kept.insert(
                    *n,
                    DonePart {
                        etag: part.etag.clone(),
                        crc64: *crc,
                    },
                );
            }
            _ => unvouched.push(ServerPart::from(part)),
        }
    }
    unvouched.retain(|p| !kept.contains_key(&p.number));
    let resume = ResumePlan::reconcile(plan, &unvouched, |range| {
        hasher.digest(range).map_or([0; 16], |d| d.md5)
    });
    for (number, etag) in resume.reuse {
        // A part is only kept with its CRC (the digest is cached).
        let digest = plan.part(number).and_then(|r| hasher.digest(r));
        if let Some(d) = digest {
            kept.insert(
                number,
                DonePart {
                    etag,
                    crc64: d.crc64,
                },
            );
        }
    }
    kept
}

/// Whether two ETags are the same, ignoring quotes and letter case.
fn same_etag(a: &str, b: &str) -> bool {
    a.trim_matches('"')
        .eq_ignore_ascii_case(b.trim_matches('"'))
}
