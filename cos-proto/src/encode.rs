//! Percent-encoding exactly as the official COS SDKs do it.
//!
//! COS signatures and request URLs use one encoding (SIGNING.md section 2): the UTF-8 bytes
//! of a string, every byte outside the RFC 3986 unreserved set `A-Z a-z 0-9 - _ . ~`
//! written as `%XX` with upper-case hex. Nothing is decoded first, so `%20` becomes `%2520`.
//!
//! The functions here append to a caller's buffer so that signing can encode without
//! allocating per field.

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Byte classes, one table lookup per byte.
const UNRESERVED: u8 = 1;
const SLASH: u8 = 2;
const CONTROL: u8 = 4;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            UNRESERVED
        } else if b == b'/' {
            SLASH
        } else if (b < 0x20 && b != b'\t') || b == 0x7f {
            CONTROL
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Whether `b` is in the RFC 3986 unreserved set, which COS never escapes.
#[inline]
pub fn is_unreserved(b: u8) -> bool {
    CLASS[usize::from(b)] & UNRESERVED != 0
}

/// Where encoded text goes: a `String`, or a hash that takes the text as it is written
/// (signing hashes the FormatString without keeping it).
pub(crate) trait Out {
    /// Appends `s`.
    fn put_str(&mut self, s: &str);

    /// Appends one ASCII byte.
    fn put_ascii(&mut self, b: u8);

    /// Appends `s` with its ASCII letters lower-cased.
    fn put_lower(&mut self, s: &str) {
        for b in s.bytes() {
            self.put_ascii(b.to_ascii_lowercase());
        }
    }
}

impl Out for String {
    fn put_str(&mut self, s: &str) {
        self.push_str(s);
    }

    fn put_ascii(&mut self, b: u8) {
        self.push(char::from(b));
    }

    fn put_lower(&mut self, s: &str) {
        let start = self.len();
        self.push_str(s);
        self[start..].make_ascii_lowercase();
    }
}

/// Appends `s` percent-encoded (upper-case escapes, case of letters kept): the encoding of
/// query and header *values* in a signature and of query values in a URL.
pub fn encode_into(out: &mut String, s: &str) {
    encode_to(out, s);
}

/// [`encode_into`] for any [`Out`].
pub(crate) fn encode_to(out: &mut impl Out, s: &str) {
    encode_runs(out, s, UNRESERVED, |_| false);
}

/// Like [`encode_to`], for a header value: stops at the first control character other
/// than tab (CR, LF, NUL, ...), which no header can carry, and returns it.
pub(crate) fn encode_header_value_to(out: &mut impl Out, s: &str) -> Result<(), u8> {
    match encode_runs(out, s, UNRESERVED, |class| class == CONTROL) {
        None => Ok(()),
        Some(bad) => Err(bad),
    }
}

/// Whether percent-encoding leaves `s` as it is: every byte unreserved.
pub(crate) fn is_plain(s: &str) -> bool {
    kept_run(s.as_bytes(), false) == s.len()
}

/// Appends `s` percent-encoded and then lower-cased as a whole: the form of query and header
/// *names* in a signature (`X-Cos-Meta-A b` → `x-cos-meta-a%20b`).
pub fn encode_lower_into(out: &mut String, s: &str) {
    let start = out.len();
    encode_into(out, s);
    out[start..].make_ascii_lowercase();
}

/// Appends an object key encoded for a request path: like [`encode_into`], but `/` is kept
/// (the Node SDK's `encodeURIComponent` with `%2F` turned back into `/`).
pub fn encode_path_into(out: &mut String, s: &str) {
    encode_runs(out, s, UNRESERVED | SLASH, |_| false);
}

const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// For 8 bytes in `x`, the high bit of each byte set where `lo <= byte <= hi` (SWAR). A
/// byte of 0x80 or more may carry into the bytes after it; callers only trust the bytes up to
/// the first such byte, which they mark themselves.
#[inline(always)]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let ge_lo = x.wrapping_add(splat(0x80 - lo));
    let gt_hi = x.wrapping_add(splat(0x7f - hi));
    ge_lo & !gt_hi & splat(0x80)
}

/// How many of the 8 bytes, from the first, are unreserved (or `/` when `slash` is set).
#[inline(always)]
fn kept_prefix8(chunk: [u8; 8], slash: bool) -> usize {
    let x = u64::from_le_bytes(chunk);
    let kept = in_range(x | splat(0x20), b'a', b'z')
        | in_range(x, b'0', b'9')
        | in_range(x, b'-', b'.')
        | in_range(x, b'_', b'_')
        | in_range(x, b'~', b'~')
        | if slash { in_range(x, b'/', b'/') } else { 0 };
    // Not kept: every byte outside the ranges, and every byte of 0x80 or more (whose own
    // high bit is set in `x`). Bytes before the first of them saw no carry.
    let missing = (!kept | x) & splat(0x80);
    missing.trailing_zeros() as usize / 8
}

/// How many bytes at the start of `bytes` are unreserved (or `/` when `slash` is set):
/// eight at a time, then one at a time.
#[inline]
fn kept_run(bytes: &[u8], slash: bool) -> usize {
    let keep = if slash {
        UNRESERVED | SLASH
    } else {
        UNRESERVED
    };
    let (chunks, rest) = bytes.as_chunks::<8>();
    let mut n = 0;
    for &chunk in chunks {
        let k = kept_prefix8(chunk, slash);
        n += k;
        if k < 8 {
            return n;
        }
    }
    n + rest
        .iter()
        .take_while(|&&b| CLASS[usize::from(b)] & keep != 0)
        .count()
}

/// Copies runs of unreserved bytes (and `/` when `keep` has [`SLASH`]) in one piece and
/// escapes the rest. Returns the first escaped byte whose class `bad` rejects, if any (it is
/// escaped all the same); `bad` only runs on escaped bytes, so checks cost nothing on plain
/// runs.
#[inline]
fn encode_runs(out: &mut impl Out, s: &str, keep: u8, bad: impl Fn(u8) -> bool) -> Option<u8> {
    let bytes = s.as_bytes();
    let slash = keep & SLASH != 0;
    let mut control = None;
    let mut i = 0;
    while i < bytes.len() {
        // bytes[i..end] is kept ASCII, so both ends are char boundaries.
        let end = i + kept_run(&bytes[i..], slash);
        if end > i {
            out.put_str(&s[i..end]);
        }
        let Some(&b) = bytes.get(end) else {
            break;
        };
        if control.is_none() && bad(CLASS[usize::from(b)]) {
            control = Some(b);
        }
        out.put_ascii(b'%');
        out.put_ascii(HEX_UPPER[usize::from(b >> 4)]);
        out.put_ascii(HEX_UPPER[usize::from(b & 0x0f)]);
        i = end + 1;
    }
    control
}

/// Returns `s` percent-encoded with upper-case escapes (see [`encode_into`]).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    encode_into(&mut out, s);
    out
}

/// Returns `s` percent-encoded and lower-cased (see [`encode_lower_into`]).
pub fn encode_lower(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 2);
    encode_lower_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_case_and_escape_everything_reserved() {
        assert_eq!(
            encode("text/plain; charset=UTF-8"),
            "text%2Fplain%3B%20charset%3DUTF-8"
        );
        assert_eq!(encode("a b+c%20d"), "a%20b%2Bc%2520d");
        assert_eq!(encode("!*'()~-_."), "%21%2A%27%28%29~-_.");
        assert_eq!(encode("\t;=&?#:@,\""), "%09%3B%3D%26%3F%23%3A%40%2C%22");
        assert_eq!(encode("中😀"), "%E4%B8%AD%F0%9F%98%80");
        assert_eq!(encode(""), "");
    }

    #[test]
    fn names_are_lower_cased_after_encoding() {
        assert_eq!(encode_lower("X-Cos-Meta-A b"), "x-cos-meta-a%20b");
        assert_eq!(
            encode_lower("imageMogr2/thumbnail/!50p"),
            "imagemogr2%2fthumbnail%2f%2150p"
        );
        assert_eq!(encode_lower("中"), "%e4%b8%ad");
    }

    #[test]
    fn swar_check_matches_the_table_for_every_byte() {
        for b in 0u8..=255 {
            for pos in 0..8 {
                for fill in [*b"abcXYZ09", [0xff; 8], *b"a\xe4b\x80c/~%"] {
                    let mut chunk = fill;
                    chunk[pos] = b;
                    for (slash, keep) in [(false, UNRESERVED), (true, UNRESERVED | SLASH)] {
                        let want = chunk
                            .iter()
                            .take_while(|&&c| CLASS[usize::from(c)] & keep != 0)
                            .count();
                        assert_eq!(
                            kept_prefix8(chunk, slash),
                            want,
                            "byte {b:#x} at {pos} in {fill:?}, slash {slash}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn long_runs_and_escapes_across_blocks() {
        let plain = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com~_";
        assert_eq!(encode(plain), plain);
        let mixed = format!("{plain}/{plain} {plain}中");
        let expected = format!("{plain}%2F{plain}%20{plain}%E4%B8%AD");
        assert_eq!(encode(&mixed), expected);
        let mut out = String::new();
        encode_path_into(&mut out, &mixed);
        assert_eq!(out, format!("{plain}/{plain}%20{plain}%E4%B8%AD"));
        // Every byte value, alone and inside a long plain run.
        for b in 0u8..=127 {
            let c = char::from(b);
            let want = if is_unreserved(b) {
                c.to_string()
            } else {
                format!("%{b:02X}")
            };
            assert_eq!(
                encode(&format!("{plain}{c}{plain}")),
                format!("{plain}{want}{plain}")
            );
        }
    }

    #[test]
    fn paths_keep_slashes_and_encode_the_rest() {
        let mut out = String::new();
        encode_path_into(&mut out, "a b/中/./x?y#z+%");
        assert_eq!(out, "a%20b/%E4%B8%AD/./x%3Fy%23z%2B%25");
    }
}
