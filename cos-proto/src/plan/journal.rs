//! The resume journal: what a driver stores to continue an interrupted multipart upload.

use super::{MAX_PARTS, PartPlan, crc64_of};
use crate::error::{Error, Result};

/// The operation named in decoding errors.
const OPERATION: &str = "Journal";
/// The first line of every journal of this format.
const VERSION_LINE: &str = "cos-rs resume journal 1";
/// The start of the last line.
const CHECKSUM_PREFIX: &str = "crc64:";

/// The resume record of a multipart upload.
///
/// The driver writes it after each finished part (to a temporary file, then renamed over
/// the old one) and, on resume, reads it back, checks that the bucket, key, size, mtime and
/// file identity still match the local file, and lists the upload's parts before trusting it.
///
/// The encoding is line-oriented text:
///
/// ```text
/// cos-rs resume journal 1
/// upload_id <text>
/// bucket <text>
/// key <text>
/// total_size <decimal>
/// part_size <decimal>
/// mtime_secs <decimal, may be negative>
/// file_id <text>
/// part <number> <etag> <crc64, 16 lowercase hex digits>     (one line per finished part)
/// crc64:<16 lowercase hex digits>
/// ```
///
/// Each line ends with `\n`. Texts are percent-encoded (`%XX`, upper-case hex) for `%`,
/// spaces, controls and non-ASCII bytes, so a line never holds a raw space or newline inside
/// a value. The last line is the CRC-64/XZ of every byte before it, so [`Journal::decode`]
/// rejects any flipped byte and any truncation.
///
/// ```
/// use cos_proto::plan::Journal;
///
/// let journal = Journal {
///     upload_id: "1700000000abc".into(),
///     bucket: "examplebucket-1250000000".into(),
///     key: "dir/a b.bin".into(),
///     total_size: 3 * 1024 * 1024,
///     part_size: 1024 * 1024,
///     mtime_secs: 1_700_000_000,
///     file_id: "2049:131".into(),
///     parts_done: vec![(1, "\"0cc175b9c0f1b6a831c399e269772661\"".into(), 0x1234)],
/// };
/// assert_eq!(Journal::decode(&journal.encode())?, journal);
/// # Ok::<(), cos_proto::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Journal {
    /// The multipart upload's ID.
    pub upload_id: String,
    /// The bucket, `{name}-{appid}`.
    pub bucket: String,
    /// The object key.
    pub key: String,
    /// The local file's size in bytes.
    pub total_size: u64,
    /// The part size of the plan (after any growth).
    pub part_size: u64,
    /// The local file's modification time, in seconds since the Unix epoch.
    pub mtime_secs: i64,
    /// What identifies the local file to the driver: e.g. `dev:inode`, or a hash of its path.
    pub file_id: String,
    /// The parts finished so far: number, ETag as COS returned it, and CRC-64/XZ of the part.
    pub parts_done: Vec<(u32, String, u64)>,
}

impl Journal {
    /// The journal as bytes, checksum line included.
    ///
    /// Parts are written in the order of `parts_done`; [`Journal::decode`] accepts any order
    /// but rejects part numbers outside 1 to 10000 and numbers listed twice.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = String::new();
        out.push_str(VERSION_LINE);
        out.push('\n');
        let texts = [
            ("upload_id", &self.upload_id),
            ("bucket", &self.bucket),
            ("key", &self.key),
        ];
        for (name, value) in texts {
            out.push_str(&format!("{name} {}\n", escape(value)));
        }
        out.push_str(&format!("total_size {}\n", self.total_size));
        out.push_str(&format!("part_size {}\n", self.part_size));
        out.push_str(&format!("mtime_secs {}\n", self.mtime_secs));
        out.push_str(&format!("file_id {}\n", escape(&self.file_id)));
        for (number, etag, crc) in &self.parts_done {
            out.push_str(&format!("part {number} {} {crc:016x}\n", escape(etag)));
        }
        let checksum = crc64_of(out.as_bytes());
        out.push_str(&format!("{CHECKSUM_PREFIX}{checksum:016x}\n"));
        out.into_bytes()
    }

    /// Reads a journal written by [`Journal::encode`].
    ///
    /// # Errors
    /// [`Error::Parse`] with operation `Journal` for anything but an intact journal of this
    /// version: a wrong checksum, a truncation, another version, a missing or misplaced line,
    /// a number that is not canonical decimal or overflows, a bad escape, a part number
    /// outside 1 to 10000 or listed twice.
    pub fn decode(bytes: &[u8]) -> Result<Journal> {
        let body = verify_checksum(bytes)?;
        let text = std::str::from_utf8(body).map_err(|_| bad("not ASCII text"))?;
        // `body` ends with '\n' (checked by verify_checksum).
        let mut lines = text.strip_suffix('\n').unwrap_or(text).split('\n');
        match lines.next() {
            Some(VERSION_LINE) => {}
            Some(line) if line.starts_with("cos-rs resume journal ") => {
                return Err(bad(format!("unsupported version line {line:?}")));
            }
            _ => return Err(bad("not a cos-rs resume journal")),
        }
        let upload_id = unescape(field(lines.next(), "upload_id")?)?;
        let bucket = unescape(field(lines.next(), "bucket")?)?;
        let key = unescape(field(lines.next(), "key")?)?;
        let total_size = parse_u64(field(lines.next(), "total_size")?)?;
        let part_size = parse_u64(field(lines.next(), "part_size")?)?;
        let mtime_secs = parse_i64(field(lines.next(), "mtime_secs")?)?;
        let file_id = unescape(field(lines.next(), "file_id")?)?;
        let mut parts_done: Vec<(u32, String, u64)> = Vec::new();
        for line in lines {
            let rest = field(Some(line), "part")?;
            let mut words = rest.split(' ');
            let (Some(number), Some(etag), Some(crc), None) =
                (words.next(), words.next(), words.next(), words.next())
            else {
                return Err(bad(format!("part line {line:?} needs 3 values")));
            };
            let number = u32::try_from(parse_u64(number)?)
                .ok()
                .filter(|n| (1..=MAX_PARTS).contains(n))
                .ok_or_else(|| bad(format!("part number {number} outside 1 to 10000")))?;
            if parts_done.iter().any(|(n, _, _)| *n == number) {
                return Err(bad(format!("part {number} listed twice")));
            }
            parts_done.push((number, unescape(etag)?, parse_hex64(crc)?));
        }
        Ok(Journal {
            upload_id,
            bucket,
            key,
            total_size,
            part_size,
            mtime_secs,
            file_id,
            parts_done,
        })
    }
}

impl Journal {
    /// The part plan the journal was written for: `total_size` in parts of `part_size`.
    ///
    /// # Errors
    /// [`Error::Parse`] with operation `Journal` when those sizes make no valid plan, or
    /// when planning them would grow the part size (a journal records the size in use,
    /// after any growth).
    pub fn plan(&self) -> Result<PartPlan> {
        let plan = PartPlan::new(self.total_size, self.part_size)
            .map_err(|e| bad(format!("no valid part plan: {e}")))?;
        if plan.part_size() != self.part_size {
            return Err(bad(format!(
                "part_size {} is not what a plan of {} bytes uses ({})",
                self.part_size,
                self.total_size,
                plan.part_size()
            )));
        }
        Ok(plan)
    }
}

/// A [`Error::Parse`] for the journal.
fn bad(reason: impl Into<String>) -> Error {
    Error::parse(OPERATION, reason)
}

/// Checks the last line's checksum against the bytes before it, and returns those bytes.
fn verify_checksum(bytes: &[u8]) -> Result<&[u8]> {
    let without_newline = bytes
        .strip_suffix(b"\n")
        .ok_or_else(|| bad("truncated: no final newline"))?;
    let start = without_newline
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let (body, last) = without_newline.split_at(start);
    let hex = last
        .strip_prefix(CHECKSUM_PREFIX.as_bytes())
        .ok_or_else(|| bad("truncated: no checksum line"))?;
    let hex = std::str::from_utf8(hex).map_err(|_| bad("checksum is not hex"))?;
    let stored = parse_hex64(hex)?;
    let actual = crc64_of(body);
    if stored != actual {
        return Err(bad(format!(
            "checksum mismatch: stored {stored:016x}, computed {actual:016x}"
        )));
    }
    if body.is_empty() {
        return Err(bad("truncated: empty"));
    }
    Ok(body)
}

/// The value of `line`, which must be `name` and a space and the value.
fn field<'a>(line: Option<&'a str>, name: &str) -> Result<&'a str> {
    let line = line.ok_or_else(|| bad(format!("truncated: no {name} line")))?;
    line.strip_prefix(name)
        .and_then(|rest| rest.strip_prefix(' '))
        .ok_or_else(|| bad(format!("expected a {name} line, found {line:?}")))
}

/// A canonical decimal `u64`: digits only, no leading zero (but `0` itself).
fn parse_u64(s: &str) -> Result<u64> {
    let canonical =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if !canonical {
        return Err(bad(format!("{s:?} is not a decimal number")));
    }
    s.parse()
        .map_err(|_| bad(format!("{s:?} is too large for a 64-bit number")))
}

/// A canonical decimal `i64`: [`parse_u64`]'s form, optionally after `-` (but not `-0`).
fn parse_i64(s: &str) -> Result<i64> {
    let (negative, digits) = match s.strip_prefix('-') {
        Some(digits) => (true, digits),
        None => (false, s),
    };
    let magnitude = parse_u64(digits)?;
    let value = if negative {
        if magnitude == 0 {
            return Err(bad("\"-0\" is not a canonical number"));
        }
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    };
    value.ok_or_else(|| bad(format!("{s:?} is out of range for mtime_secs")))
}

/// Exactly 16 lowercase hex digits.
fn parse_hex64(s: &str) -> Result<u64> {
    let canonical = s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    if !canonical {
        return Err(bad(format!("{s:?} is not 16 lowercase hex digits")));
    }
    u64::from_str_radix(s, 16).map_err(|_| bad(format!("{s:?} is not hex")))
}

/// Whether `b` is written as itself (visible ASCII other than `%`).
fn is_plain(b: u8) -> bool {
    b.is_ascii_graphic() && b != b'%'
}

/// `value` with every byte that is not [`is_plain`] written as `%XX`.
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if is_plain(b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The inverse of [`escape`], accepting only what it writes.
fn unescape(s: &str) -> Result<String> {
    let mut bytes = Vec::with_capacity(s.len());
    let mut rest = s.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'%' {
            let byte = match tail {
                [hi, lo, ..] => upper_hex(*hi)
                    .zip(upper_hex(*lo))
                    .map(|(hi, lo)| hi << 4 | lo),
                _ => None,
            }
            .filter(|byte| !is_plain(*byte))
            .ok_or_else(|| bad(format!("bad escape in {s:?}")))?;
            bytes.push(byte);
            rest = tail.get(2..).unwrap_or_default();
        } else if is_plain(b) {
            bytes.push(b);
            rest = tail;
        } else {
            return Err(bad(format!("unescaped byte {b:#04x} in {s:?}")));
        }
    }
    String::from_utf8(bytes).map_err(|_| bad(format!("{s:?} is not UTF-8 once unescaped")))
}

/// The value of an upper-case hex digit.
fn upper_hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}
