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
/// (signing hashes the FormatString without keeping it). Encoded text comes in chunks of
/// up to 8 ASCII bytes, which a hash stores with one write each.
pub(crate) trait Out {
    /// Appends `s`.
    fn put_str(&mut self, s: &str);

    /// Appends the first `n` bytes of `chunk` (`n <= 8`), which are ASCII; the rest of
    /// `chunk` is ignored.
    fn put_chunk(&mut self, chunk: Chunk, n: usize);

    /// Appends ASCII text `s` with its letters lower-cased, a chunk at a time.
    #[inline(always)]
    fn put_lower(&mut self, s: &str) {
        let bytes = s.as_bytes();
        for i in (0..bytes.len()).step_by(CHUNK) {
            let (chunk, n) = load_chunk(bytes, i, 0);
            self.put_chunk(lower_chunk(chunk), n);
        }
    }
}

impl Out for String {
    fn put_str(&mut self, s: &str) {
        self.push_str(s);
    }

    fn put_chunk(&mut self, chunk: Chunk, n: usize) {
        self.extend(chunk[..n].iter().map(|&b| char::from(b)));
    }

    fn put_lower(&mut self, s: &str) {
        let start = self.len();
        self.push_str(s);
        self[start..].make_ascii_lowercase();
    }
}

/// Appends one ASCII byte.
pub(crate) fn put_ascii(out: &mut impl Out, b: u8) {
    out.put_chunk([b; CHUNK], 1);
}

/// How many bytes the encoder looks at in one step: one machine word.
pub(crate) const CHUNK: usize = 8;

/// One step's bytes, worked on as one `u64` (SWAR: SIMD within a register).
pub(crate) type Chunk = [u8; CHUNK];

/// The (up to) 8 bytes of `bytes` from `i`, with how many there are; missing bytes read as
/// `pad`. No call to `memcpy` for a short tail: it is cut from the last 8 bytes when the
/// text has that many.
#[inline]
pub(crate) fn load_chunk(bytes: &[u8], i: usize, pad: u8) -> (Chunk, usize) {
    let rest = bytes.get(i..).unwrap_or_default();
    if let Some(chunk) = rest.first_chunk::<CHUNK>() {
        return (*chunk, CHUNK);
    }
    let n = rest.len();
    let tail = match bytes.last_chunk::<CHUNK>() {
        Some(last) if n > 0 => u64::from_le_bytes(*last) >> (8 * (CHUNK - n)),
        _ => rest.iter().rev().fold(0, |x, &b| x << 8 | u64::from(b)),
    };
    let padding = splat(pad).checked_shl(8 * n as u32).unwrap_or(0);
    ((tail | padding).to_le_bytes(), n)
}

/// The chunk with its ASCII upper-case letters lower-cased (bytes after one of 0x80 or
/// more may be wrong; see [`in_range`]).
#[inline(always)]
pub(crate) fn lower_chunk(chunk: Chunk) -> Chunk {
    let x = u64::from_le_bytes(chunk);
    (x | in_range(x, b'A', b'Z') >> 2).to_le_bytes()
}

const fn splat(b: u8) -> u64 {
    0x0101_0101_0101_0101 * b as u64
}

/// For 8 bytes in `x`, the high bit of each byte set where `lo <= byte <= hi`. A byte of
/// 0x80 or more may carry into the bytes after it; callers only trust the bytes up to the
/// first such byte.
#[inline(always)]
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    let ge_lo = x.wrapping_add(splat(0x80 - lo));
    let gt_hi = x.wrapping_add(splat(0x7f - hi));
    ge_lo & !gt_hi & splat(0x80)
}

/// How many bytes of `chunk`, from the first, are unreserved (or `/` when `slash` is set).
#[inline(always)]
fn kept_prefix(chunk: Chunk, slash: bool) -> usize {
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

/// Appends `s` percent-encoded (upper-case escapes, case of letters kept): the encoding of
/// query and header *values* in a signature and of query values in a URL.
pub fn encode_into(out: &mut String, s: &str) {
    encode_to(out, s);
}

/// [`encode_into`] for any [`Out`].
#[inline(always)]
pub(crate) fn encode_to(out: &mut impl Out, s: &str) {
    encode_runs(out, s, UNRESERVED, |_| false);
}

/// Like [`encode_to`], for a header value: returns the first control character other than
/// tab (CR, LF, NUL, ...), which no header can carry (the whole value is written all the
/// same).
#[inline(always)]
pub(crate) fn encode_header_value_to(out: &mut impl Out, s: &str) -> Result<(), u8> {
    match encode_runs(out, s, UNRESERVED, |class| class == CONTROL) {
        None => Ok(()),
        Some(bad) => Err(bad),
    }
}

/// What signing a name takes: `lower(enc(name))` can be the name itself, the name
/// lower-cased, or need percent-encoding too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NameForm {
    /// Unreserved bytes only, none upper-case.
    AsIs,
    /// Unreserved bytes only, some upper-case.
    Lower,
    /// Some byte needs escaping.
    Encode,
}

/// The [`NameForm`] of `s`, found eight bytes at a time.
pub(crate) fn name_form(s: &str) -> NameForm {
    let bytes = s.as_bytes();
    let mut upper = false;
    let mut i = 0;
    while i < bytes.len() {
        // Padding with 0xFF: never kept, never upper-case.
        let (chunk, n) = load_chunk(bytes, i, 0xff);
        if kept_prefix(chunk, false) < n {
            return NameForm::Encode;
        }
        upper |= in_range(u64::from_le_bytes(chunk), b'A', b'Z') != 0;
        i += CHUNK;
    }
    if upper {
        NameForm::Lower
    } else {
        NameForm::AsIs
    }
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

/// Writes runs of unreserved bytes (and `/` when `keep` has [`SLASH`]) a chunk at a time
/// and escapes the rest. Returns the first escaped byte whose class `bad` rejects, if any (it is
/// escaped all the same); `bad` only runs on escaped bytes, so checks cost nothing on plain
/// runs.
#[inline(always)]
fn encode_runs(out: &mut impl Out, s: &str, keep: u8, bad: impl Fn(u8) -> bool) -> Option<u8> {
    let bytes = s.as_bytes();
    let slash = keep & SLASH != 0;
    let mut control = None;
    let mut i = 0;
    while i < bytes.len() {
        // Padding with 0xFF, which is never kept, stops the run at the end of `s`.
        let (chunk, _) = load_chunk(bytes, i, 0xff);
        let kept = kept_prefix(chunk, slash);
        if kept == CHUNK {
            // Constants, not `kept`: the next chunk's address does not wait for this one's
            // test, so the processor overlaps the steps of a long plain run.
            out.put_chunk(chunk, CHUNK);
            i += CHUNK;
            continue;
        }
        out.put_chunk(chunk, kept);
        i += kept;
        let Some(&b) = bytes.get(i) else {
            break;
        };
        if control.is_none() && bad(CLASS[usize::from(b)]) {
            control = Some(b);
        }
        let hex = |nibble: u8| HEX_UPPER[usize::from(nibble)];
        let mut escape = [0; CHUNK];
        escape[..3].copy_from_slice(&[b'%', hex(b >> 4), hex(b & 0x0f)]);
        out.put_chunk(escape, 3);
        i += 1;
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
    fn kept_prefix_matches_the_table_for_every_byte() {
        for b in 0u8..=255 {
            for pos in 0..CHUNK {
                for fill in [*b"abcXYZ09", [0xff; CHUNK], *b"a\xe4b\x80c/~%"] {
                    let mut chunk = fill;
                    chunk[pos] = b;
                    for (slash, keep) in [(false, UNRESERVED), (true, UNRESERVED | SLASH)] {
                        let want = chunk
                            .iter()
                            .take_while(|&&c| CLASS[usize::from(c)] & keep != 0)
                            .count();
                        assert_eq!(
                            kept_prefix(chunk, slash),
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
    fn chunks_at_every_offset() {
        let data: Vec<u8> = (1..=20).collect();
        for len in 0..=data.len() {
            let bytes = &data[..len];
            for i in 0..=len {
                let n = (len - i).min(CHUNK);
                for pad in [0, 0xff] {
                    let mut want = [pad; CHUNK];
                    want[..n].copy_from_slice(&bytes[i..i + n]);
                    assert_eq!(load_chunk(bytes, i, pad), (want, n), "{len} {i} {pad}");
                }
            }
        }
    }

    /// An [`Out`] with only the required methods, to test the provided ones.
    struct Chars(String);

    impl Out for Chars {
        fn put_str(&mut self, s: &str) {
            self.0.push_str(s);
        }

        fn put_chunk(&mut self, chunk: Chunk, n: usize) {
            self.0.put_chunk(chunk, n);
        }
    }

    #[test]
    fn lower_casing_eight_at_a_time() {
        let all: String = (0u8..128).map(char::from).collect();
        let mut out = String::new();
        out.put_lower(&all);
        assert_eq!(out, all.to_ascii_lowercase());
        let mut default = Chars(String::new());
        default.put_lower(&all);
        assert_eq!(default.0, all.to_ascii_lowercase());
        for (name, form) in [
            ("", NameForm::AsIs),
            ("az09-_.~az09-_.~x", NameForm::AsIs),
            ("az09-_.~aZ09-_.~x", NameForm::Lower),
            ("az09-_.~az09-_.~X", NameForm::Lower),
            ("aZ09-_.~aZ09-_.~/", NameForm::Encode),
            ("X中", NameForm::Encode),
            ("@[`{", NameForm::Encode),
        ] {
            assert_eq!(name_form(name), form, "{name}");
        }
    }

    #[test]
    fn paths_keep_slashes_and_encode_the_rest() {
        let mut out = String::new();
        encode_path_into(&mut out, "a b/中/./x?y#z+%");
        assert_eq!(out, "a%20b/%E4%B8%AD/./x%3Fy%23z%2B%25");
    }
}
