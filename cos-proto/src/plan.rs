//! Planning multipart transfers and their resumption: pure arithmetic, no I/O.
//!
//! The transfer tasks (sliceUploadFile, sliceCopyFile, downloadFile) run on this module: it
//! decides how a size splits into parts, which parts already on the server can be kept,
//! how per-part CRC-64s combine into the object's CRC-64, and how a resume journal is written
//! and read back. Nothing here opens a file, reads the clock or starts a thread: the driver
//! reads the bytes, hashes them and stores the journal (temp file, then rename).
//!
//! - [`PartPlan`]: the part list of an object of a given size.
//! - [`crc64_combine`]: the CRC-64/XZ (`x-cos-hash-crc64ecma`) of two pieces joined.
//! - [`ResumePlan`]: which parts listed by `ListParts` are reused, which are uploaded.
//! - [`Journal`]: the resume record, in a small self-checksummed text format.
//!
//! Multipart is for objects larger than the slice size: callers send anything up to it (and
//! in particular an empty body) with a simple `PutObject`, so a [`PartPlan`] always has at
//! least one byte and one part.

use crate::error::{Error, Result};
use crate::ops::multipart::Part;

/// One mebibyte: part sizes grow in steps of it.
pub const MIB: u64 = 1024 * 1024;
/// The smallest part size COS accepts for a multipart upload (every part but the last).
pub const MIN_PART_SIZE: u64 = MIB;
/// The largest part size COS accepts: 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * MIB;
/// The most parts a multipart upload may have.
pub const MAX_PARTS: u32 = 10_000;
/// The largest object a multipart upload can build: 10,000 parts of 5 GiB (48.82 TiB).
pub const MAX_OBJECT_SIZE: u64 = MAX_PARTS as u64 * MAX_PART_SIZE;

/// One part of a [`PartPlan`]: the byte range `offset..offset + len` of the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartRange {
    /// The part number, 1-based as COS numbers parts.
    pub number: u32,
    /// Where the part starts in the object.
    pub offset: u64,
    /// Its length in bytes; only the last part may be shorter than the part size.
    pub len: u64,
}

/// How an object of `total_size` bytes splits into parts.
///
/// The requested part size is used as is when it keeps the plan within [`MAX_PARTS`];
/// otherwise it grows to the smallest multiple of [`MIB`] that does.
///
/// ```
/// use cos_proto::plan::{PartPlan, PartRange, MIB};
///
/// let plan = PartPlan::new(10_000 * MIB + 1, MIB)?;
/// assert_eq!(plan.part_size(), 2 * MIB);
/// assert_eq!(plan.part_count(), 5001);
/// assert_eq!(plan.part(5001), Some(PartRange { number: 5001, offset: 10_000 * MIB, len: 1 }));
/// # Ok::<(), cos_proto::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartPlan {
    total_size: u64,
    part_size: u64,
    part_count: u32,
}

impl PartPlan {
    /// Plans `total_size` bytes in parts of `requested_part_size` bytes, grown if needed.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for `ChunkSize` when the requested size is below
    /// [`MIN_PART_SIZE`] or above [`MAX_PART_SIZE`]; for `Body` when `total_size` is 0 (send
    /// it with a simple put) or above [`MAX_OBJECT_SIZE`].
    pub fn new(total_size: u64, requested_part_size: u64) -> Result<PartPlan> {
        if requested_part_size < MIN_PART_SIZE {
            return Err(Error::invalid(
                "ChunkSize",
                "must be at least 1 MiB (1048576)",
            ));
        }
        if requested_part_size > MAX_PART_SIZE {
            return Err(Error::invalid(
                "ChunkSize",
                "must be at most 5 GiB (5368709120)",
            ));
        }
        if total_size == 0 {
            return Err(Error::invalid(
                "Body",
                "a multipart transfer needs at least one byte; send an empty body with a simple put",
            ));
        }
        if total_size > MAX_OBJECT_SIZE {
            return Err(Error::invalid(
                "Body",
                "larger than 10000 parts of 5 GiB (53687091200000 bytes)",
            ));
        }
        // The smallest part size that keeps the plan within MAX_PARTS, rounded up to MiB.
        // total_size <= MAX_OBJECT_SIZE, so this is at most MAX_PART_SIZE.
        let needed = round_up_mib(total_size.div_ceil(u64::from(MAX_PARTS)));
        let part_size = requested_part_size.max(needed);
        let part_count = u32::try_from(total_size.div_ceil(part_size))
            .map_err(|_| Error::invalid("Body", "too many parts"))?;
        Ok(PartPlan {
            total_size,
            part_size,
            part_count,
        })
    }

    /// The object's size in bytes.
    pub fn total_size(&self) -> u64 {
        self.total_size
    }

    /// The size of every part but the last (which may be shorter).
    pub fn part_size(&self) -> u64 {
        self.part_size
    }

    /// How many parts, 1 to [`MAX_PARTS`].
    pub fn part_count(&self) -> u32 {
        self.part_count
    }

    /// Part `number` (1-based), or `None` outside `1..=part_count()`.
    pub fn part(&self, number: u32) -> Option<PartRange> {
        if number == 0 || number > self.part_count {
            return None;
        }
        let offset = u64::from(number - 1).checked_mul(self.part_size)?;
        let len = self.total_size.checked_sub(offset)?.min(self.part_size);
        Some(PartRange {
            number,
            offset,
            len,
        })
    }

    /// All parts, in order.
    pub fn parts(&self) -> impl Iterator<Item = PartRange> + '_ {
        (1..=self.part_count).filter_map(|n| self.part(n))
    }
}

/// `n` rounded up to a multiple of [`MIB`] (callers keep `n` far below `u64::MAX`).
fn round_up_mib(n: u64) -> u64 {
    n.div_ceil(MIB).saturating_mul(MIB)
}

/// CRC-64/XZ's polynomial 0x42F0E1EBA9EA3693, bit-reflected.
const CRC64_POLY_REFLECTED: u64 = 0xC96C_5795_D787_0F42;

/// The byte-at-a-time table of CRC-64/XZ, built at compile time.
const CRC64_TABLE: [u64; 256] = {
    let mut table = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u64;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ CRC64_POLY_REFLECTED
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

/// CRC-64/XZ of `bytes`, table-driven (the journal's self-check).
fn crc64_of(bytes: &[u8]) -> u64 {
    let mut crc = u64::MAX;
    for &b in bytes {
        crc = CRC64_TABLE[usize::from((crc as u8) ^ b)] ^ (crc >> 8);
    }
    !crc
}

/// The CRC-64/XZ of `a ‖ b`, from `crc_a` (the CRC of `a`), `crc_b` (the CRC of `b`) and the
/// length of `b` in bytes.
///
/// This is the CRC COS reports in `x-cos-hash-crc64ecma` (decimal there): polynomial
/// 0x42F0E1EBA9EA3693, reflected, initial value and final XOR all ones. Combining part CRCs
/// in order gives the whole object's CRC without reading it again. It uses zlib's
/// `crc32_combine` technique (zlib 1.2.12 and later): appending `len_b` zero bytes to `a`
/// multiplies its CRC by x^(8·len_b) modulo the polynomial, and that power is the product of
/// the precomputed x^(2^k) for the set bits of `8·len_b` — a few carry-less multiplications
/// of 64 steps each, about a microsecond whatever the length. The CRC of an empty piece is
/// 0, and combining with it changes nothing.
///
/// ```
/// use cos_proto::plan::crc64_combine;
///
/// // CRC-64/XZ("1234") and CRC-64/XZ("56789") give the check value of "123456789".
/// let crc = crc64_combine(0xCE4E_8793_66B8_C328, 0x6971_A807_C348_604B, 5);
/// assert_eq!(crc, 0x995D_C9BB_DF19_39FA);
/// ```
pub fn crc64_combine(crc_a: u64, crc_b: u64, len_b: u64) -> u64 {
    if len_b == 0 {
        return crc_a;
    }
    // x^(8·len_b): the bits of len_b, from the x^(2^3) entry (one byte) up.
    let mut power = X0;
    let mut n = len_b;
    let mut k = 3;
    while n != 0 {
        if n & 1 == 1 {
            power = mul_mod_poly(X2N[k], power);
        }
        n >>= 1;
        k += 1;
    }
    mul_mod_poly(power, crc_a) ^ crc_b
}

/// The polynomial 1 (x^0) in the reflected bit order of CRC-64/XZ: the top bit is x^0.
const X0: u64 = 1 << 63;

/// x^(2^k) modulo the CRC-64/XZ polynomial for k = 0..=66 (a length in bytes of up to 64
/// bits is up to 2^67 bits), built at compile time by squaring.
const X2N: [u64; 67] = {
    let mut table = [0u64; 67];
    let mut p = X0 >> 1; // x^1
    table[0] = p;
    let mut k = 1;
    while k < 67 {
        p = mul_mod_poly(p, p);
        table[k] = p;
        k += 1;
    }
    table
};

/// `a` times `b` modulo the CRC-64/XZ polynomial, both in reflected bit order.
const fn mul_mod_poly(a: u64, mut b: u64) -> u64 {
    let mut product = 0;
    let mut m = X0;
    while m != 0 {
        if a & m != 0 {
            product ^= b;
            if a & (m - 1) == 0 {
                break;
            }
        }
        m >>= 1;
        b = if b & 1 == 1 {
            (b >> 1) ^ CRC64_POLY_REFLECTED
        } else {
            b >> 1
        };
    }
    product
}

/// A part the server already holds, as `ListParts` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerPart {
    /// The part number.
    pub number: u32,
    /// Its size in bytes.
    pub size: u64,
    /// Its ETag, with or without quotes.
    pub etag: String,
}

impl From<&Part> for ServerPart {
    fn from(part: &Part) -> Self {
        ServerPart {
            number: part.part_number,
            size: part.size,
            etag: part.etag.clone(),
        }
    }
}

/// What a resumed upload keeps and what it sends again.
///
/// A server part is reused only when its number is in the plan, its size is the planned
/// length and its ETag is the MD5 of the local bytes (`"` + lowercase hex + `"`, compared
/// without quotes and ignoring case). Every other planned part is uploaded; server parts
/// beyond the plan are ignored (CompleteMultipartUpload lists only the planned ones).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResumePlan {
    /// The parts kept, ascending by number, each with the ETag the server gave (for
    /// CompleteMultipartUpload).
    pub reuse: Vec<(u32, String)>,
    /// The part numbers to upload, ascending.
    pub upload: Vec<u32>,
}

impl ResumePlan {
    /// Compares the server's parts with the plan.
    ///
    /// `local_md5` returns the MD5 of the local bytes of a part; it is called only for parts
    /// the server holds with the planned size, at most once each, so resuming an unchanged
    /// file reads the stored parts once and nothing more.
    pub fn reconcile(
        plan: &PartPlan,
        server_parts: &[ServerPart],
        mut local_md5: impl FnMut(PartRange) -> [u8; 16],
    ) -> ResumePlan {
        let mut sorted: Vec<&ServerPart> = server_parts.iter().collect();
        sorted.sort_by_key(|p| p.number);
        let mut reuse = Vec::new();
        let mut checked: Option<u32> = None;
        for part in sorted {
            if checked == Some(part.number) {
                continue; // a duplicate listing: the first one decided
            }
            let Some(range) = plan.part(part.number) else {
                continue;
            };
            if range.len != part.size {
                continue;
            }
            checked = Some(part.number);
            let md5 = local_md5(range);
            if etag_matches(&part.etag, &md5) {
                reuse.push((part.number, part.etag.clone()));
            }
        }
        let mut reused = reuse.iter().map(|(n, _)| *n).peekable();
        let mut upload = Vec::new();
        for n in 1..=plan.part_count() {
            if reused.peek() == Some(&n) {
                reused.next();
            } else {
                upload.push(n);
            }
        }
        ResumePlan { reuse, upload }
    }
}

/// Whether `etag` (quotes optional, any case) is the hex of `md5`.
fn etag_matches(etag: &str, md5: &[u8; 16]) -> bool {
    let bare = etag.strip_prefix('"').unwrap_or(etag);
    let bare = bare.strip_suffix('"').unwrap_or(bare);
    bare.len() == 32
        && bare
            .as_bytes()
            .chunks(2)
            .zip(md5)
            .all(|(pair, &byte)| hex_byte(pair) == Some(byte))
}

/// The ETag COS gives the object a multipart upload of parts with `part_etags` (in part
/// order) completes into: `"{hex MD5 of the parts' binary MD5s}-{count}"`, quoted. `None`
/// when there is no part or a part's ETag is not the hex of an MD5 (quotes optional).
///
/// A task that lost the answer to its `CompleteMultipartUpload` checks the object it finds
/// against this (and against its CRC-64) before taking it as its own.
///
/// ```
/// use cos_proto::plan::multipart_etag;
///
/// let part = "\"0cc175b9c0f1b6a831c399e269772661\""; // MD5 of "a"
/// assert_eq!(
///     multipart_etag([part, part]).as_deref(),
///     Some("\"7b3c799ee8b11a11c798c8b41bed8502-2\""),
/// );
/// assert_eq!(multipart_etag(["W/x"]), None);
/// ```
pub fn multipart_etag<'a>(part_etags: impl IntoIterator<Item = &'a str>) -> Option<String> {
    use md5::{Digest, Md5};
    let mut joined = Md5::new();
    let mut count = 0u32;
    for etag in part_etags {
        let bare = etag.strip_prefix('"').unwrap_or(etag);
        let bare = bare.strip_suffix('"').unwrap_or(bare);
        if bare.len() != 32 {
            return None;
        }
        let mut md5 = [0u8; 16];
        for (byte, pair) in md5.iter_mut().zip(bare.as_bytes().chunks(2)) {
            *byte = hex_byte(pair)?;
        }
        joined.update(md5);
        count += 1;
    }
    if count == 0 {
        return None;
    }
    let hex: String = joined
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Some(format!("\"{hex}-{count}\""))
}

/// The value of two hex digits, either case.
fn hex_byte(pair: &[u8]) -> Option<u8> {
    let digit = |c: u8| char::from(c).to_digit(16);
    match pair {
        [hi, lo] => Some(u8::try_from(digit(*hi)? * 16 + digit(*lo)?).ok()?),
        _ => None,
    }
}

mod journal;
pub use journal::Journal;

#[cfg(test)]
mod tests;
