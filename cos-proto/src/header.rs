//! Header names, which headers COS signs, and which header names and values are safe to send.
//!
//! This module owns every header name cos-rs writes, so operations never spell them as loose
//! strings.

use crate::encode::{CHUNK, load_chunk};
use crate::error::{Error, Result};

/// `Host`: always signed.
pub const HOST: &str = "Host";
/// `Authorization`: carries the signature on a real request.
pub const AUTHORIZATION: &str = "Authorization";
/// `x-cos-security-token`: the token of temporary credentials.
pub const SECURITY_TOKEN: &str = "x-cos-security-token";
/// `Content-Length`.
pub const CONTENT_LENGTH: &str = "Content-Length";
/// `Content-Type`.
pub const CONTENT_TYPE: &str = "Content-Type";
/// `Content-MD5`: base64 of the body's MD5.
pub const CONTENT_MD5: &str = "Content-MD5";
/// `x-cos-sdk-retry`: set to `true` on retried requests.
pub const SDK_RETRY: &str = "x-cos-sdk-retry";
/// `x-cos-request-id`: the id COS gives every response.
pub const REQUEST_ID: &str = "x-cos-request-id";
/// The prefix of user metadata headers.
pub const META_PREFIX: &str = "x-cos-meta-";
/// `Cache-Control`.
pub const CACHE_CONTROL: &str = "Cache-Control";
/// `Content-Disposition`.
pub const CONTENT_DISPOSITION: &str = "Content-Disposition";
/// `Content-Encoding`.
pub const CONTENT_ENCODING: &str = "Content-Encoding";
/// `Content-Language`.
pub const CONTENT_LANGUAGE: &str = "Content-Language";
/// `Content-Range`.
pub const CONTENT_RANGE: &str = "Content-Range";
/// `Expect`.
pub const EXPECT: &str = "Expect";
/// `Expires`.
pub const EXPIRES: &str = "Expires";
/// `ETag`.
pub const ETAG: &str = "ETag";
/// `Last-Modified`.
pub const LAST_MODIFIED: &str = "Last-Modified";
/// `Date`.
pub const DATE: &str = "Date";
/// `Range`.
pub const RANGE: &str = "Range";
/// `If-Modified-Since`.
pub const IF_MODIFIED_SINCE: &str = "If-Modified-Since";
/// `If-Unmodified-Since`.
pub const IF_UNMODIFIED_SINCE: &str = "If-Unmodified-Since";
/// `If-Match`.
pub const IF_MATCH: &str = "If-Match";
/// `If-None-Match`.
pub const IF_NONE_MATCH: &str = "If-None-Match";
/// `Origin` (CORS).
pub const ORIGIN: &str = "Origin";
/// `Access-Control-Request-Method` (CORS preflight).
pub const AC_REQUEST_METHOD: &str = "Access-Control-Request-Method";
/// `Access-Control-Request-Headers` (CORS preflight).
pub const AC_REQUEST_HEADERS: &str = "Access-Control-Request-Headers";
/// `Access-Control-Allow-Origin`.
pub const AC_ALLOW_ORIGIN: &str = "Access-Control-Allow-Origin";
/// `Access-Control-Allow-Methods`.
pub const AC_ALLOW_METHODS: &str = "Access-Control-Allow-Methods";
/// `Access-Control-Allow-Headers`.
pub const AC_ALLOW_HEADERS: &str = "Access-Control-Allow-Headers";
/// `Access-Control-Expose-Headers`.
pub const AC_EXPOSE_HEADERS: &str = "Access-Control-Expose-Headers";
/// `Access-Control-Max-Age`.
pub const AC_MAX_AGE: &str = "Access-Control-Max-Age";
/// `x-cos-acl`: a canned ACL.
pub const ACL: &str = "x-cos-acl";
/// `x-cos-grant-read`.
pub const GRANT_READ: &str = "x-cos-grant-read";
/// `x-cos-grant-write`.
pub const GRANT_WRITE: &str = "x-cos-grant-write";
/// `x-cos-grant-full-control`.
pub const GRANT_FULL_CONTROL: &str = "x-cos-grant-full-control";
/// `x-cos-grant-read-acp`.
pub const GRANT_READ_ACP: &str = "x-cos-grant-read-acp";
/// `x-cos-grant-write-acp`.
pub const GRANT_WRITE_ACP: &str = "x-cos-grant-write-acp";
/// `x-cos-storage-class`.
pub const STORAGE_CLASS: &str = "x-cos-storage-class";
/// `x-cos-version-id`.
pub const VERSION_ID: &str = "x-cos-version-id";
/// `x-cos-hash-crc64ecma`: the CRC-64/XZ of the whole object, decimal.
pub const HASH_CRC64: &str = "x-cos-hash-crc64ecma";
/// `x-cos-object-type`: normal, appendable, ...
pub const OBJECT_TYPE: &str = "x-cos-object-type";
/// `x-cos-bucket-region`.
pub const BUCKET_REGION: &str = "x-cos-bucket-region";
/// `x-cos-delete-marker`.
pub const DELETE_MARKER: &str = "x-cos-delete-marker";
/// `x-cos-copy-source`.
pub const COPY_SOURCE: &str = "x-cos-copy-source";
/// `x-cos-copy-source-range`.
pub const COPY_SOURCE_RANGE: &str = "x-cos-copy-source-range";
/// `x-cos-copy-source-If-Modified-Since`.
pub const COPY_SOURCE_IF_MODIFIED_SINCE: &str = "x-cos-copy-source-If-Modified-Since";
/// `x-cos-copy-source-If-Unmodified-Since`.
pub const COPY_SOURCE_IF_UNMODIFIED_SINCE: &str = "x-cos-copy-source-If-Unmodified-Since";
/// `x-cos-copy-source-If-Match`.
pub const COPY_SOURCE_IF_MATCH: &str = "x-cos-copy-source-If-Match";
/// `x-cos-copy-source-If-None-Match`.
pub const COPY_SOURCE_IF_NONE_MATCH: &str = "x-cos-copy-source-If-None-Match";
/// `x-cos-metadata-directive`.
pub const METADATA_DIRECTIVE: &str = "x-cos-metadata-directive";
/// `x-cos-server-side-encryption`.
pub const SERVER_SIDE_ENCRYPTION: &str = "x-cos-server-side-encryption";

/// Whether a header of this name is part of the signature (case-insensitive): the fixed
/// list of SIGNING.md section 5 (`Content-Type`, `Host`, `Range`, ...), and names starting
/// with `x-cos-` or `x-ci-`.
///
/// The official SDKs agree on the fixed list; for the prefix rule we follow the Python SDK
/// (the name must *start* with `x-cos-` or `x-ci-`; the Node SDK signs names that merely
/// contain it), which is the rule COS documents.
pub fn is_signed(name: &str) -> bool {
    if name.bytes().all(|b| !b.is_ascii_uppercase()) {
        return is_signed_lower(name.as_bytes());
    }
    // Lower-case into a stack buffer: the longest fixed name has 19 bytes.
    let mut buf = [0u8; 20];
    let bytes = name.as_bytes();
    let n = bytes.len().min(buf.len());
    for (dst, src) in buf.iter_mut().zip(&bytes[..n]) {
        *dst = src.to_ascii_lowercase();
    }
    // A name longer than the buffer keeps its prefix and can equal no fixed name.
    is_signed_lower(&buf[..n])
}

/// The header COS signs by name that `name` is (`Content-Type` → `content-type`), without
/// allocating; `None` for every other name. Only the names of the same length are compared,
/// a word at a time.
#[inline]
pub(crate) fn known_signed(name: &str) -> Option<&'static KnownName> {
    let bytes = name.as_bytes();
    let &(first, end) = KNOWN_BY_LENGTH.get(bytes.len())?;
    let candidates = KNOWN_SIGNED.get(usize::from(first)..usize::from(end))?;
    let word = |i: usize| u64::from_le_bytes(load_chunk(bytes, CHUNK * i, 0).0);
    // The first word rules out nearly every other name: it is loaded once.
    let first = word(0);
    candidates.iter().find(|k| {
        first | k.case_bits[0] == k.words[0]
            && (1..bytes.len().div_ceil(CHUNK)).all(|i| word(i) | k.case_bits[i] == k.words[i])
    })
}

/// A header name COS signs by name, as little-endian words for case-insensitive comparison.
pub(crate) struct KnownName {
    name: &'static str,
    /// The lower-case name, zero-padded to 24 bytes.
    words: [u64; 3],
    /// 0x20 at the positions of letters: the only bits allowed to differ. Every other byte
    /// must match exactly, so no control character can pass for `-` or a digit.
    case_bits: [u64; 3],
}

impl KnownName {
    /// The lower-case name.
    pub(crate) fn name(&self) -> &'static str {
        self.name
    }

    /// The first 16 bytes of the lower-case name, zero-padded, as a big-endian number.
    pub(crate) fn prefix16(&self) -> u128 {
        u128::from(self.words[0].swap_bytes()) << 64 | u128::from(self.words[1].swap_bytes())
    }
}

const fn known(name: &'static str) -> KnownName {
    let b = name.as_bytes();
    let mut words = [0u64; 3];
    let mut case_bits = [0u64; 3];
    let mut i = 0;
    while i < b.len() {
        words[i / 8] |= (b[i] as u64) << (8 * (i % 8));
        if b[i].is_ascii_lowercase() {
            case_bits[i / 8] |= 0x20 << (8 * (i % 8));
        }
        i += 1;
    }
    KnownName {
        name,
        words,
        case_bits,
    }
}

/// The headers COS signs by name (SIGNING.md section 5), shortest first.
static KNOWN_SIGNED: [KnownName; 17] = [
    known("host"),
    known("range"),
    known("expect"),
    known("origin"),
    known("expires"),
    known("if-match"),
    known("content-md5"),
    known("content-type"),
    known("cache-control"),
    known("if-none-match"),
    known("content-length"),
    known("pic-operations"),
    known("content-encoding"),
    known("if-modified-since"),
    known("transfer-encoding"),
    known("content-disposition"),
    known("if-unmodified-since"),
];

/// For each name length up to 24, where the names of that length are in [`KNOWN_SIGNED`]
/// (`first..end`; empty for most lengths).
static KNOWN_BY_LENGTH: [(u8, u8); 25] = {
    let mut t = [(0u8, 0u8); 25];
    let mut i = 0;
    while i < KNOWN_SIGNED.len() {
        let len = KNOWN_SIGNED[i].name.len();
        assert!(
            i == 0 || KNOWN_SIGNED[i - 1].name.len() <= len,
            "KNOWN_SIGNED must be sorted by length"
        );
        if t[len].1 == 0 {
            t[len].0 = i as u8;
        }
        t[len].1 = i as u8 + 1;
        i += 1;
    }
    t
};

/// Whether COS signs a header of this name for its prefix: `x-cos-` or `x-ci-`, any case.
pub(crate) fn is_signed_by_prefix(name: &str) -> bool {
    let starts = |prefix: &str| {
        name.as_bytes()
            .get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
    };
    starts("x-cos-") || starts("x-ci-")
}

/// [`is_signed`] for a name already in lower case.
pub(crate) fn is_signed_lower(lower: &[u8]) -> bool {
    lower.starts_with(b"x-cos-")
        || lower.starts_with(b"x-ci-")
        || matches!(
            lower,
            b"cache-control"
                | b"content-disposition"
                | b"content-encoding"
                | b"content-length"
                | b"content-md5"
                | b"content-type"
                | b"expect"
                | b"expires"
                | b"host"
                | b"if-match"
                | b"if-modified-since"
                | b"if-none-match"
                | b"if-unmodified-since"
                | b"origin"
                | b"pic-operations"
                | b"range"
                | b"transfer-encoding"
        )
}

/// Printable ASCII other than space (`!`..=`~`).
#[inline]
pub(crate) fn is_visible_ascii(b: u8) -> bool {
    (0x21..=0x7e).contains(&b)
}

/// Which bytes may appear in a header name (RFC 9110 token characters).
static TOKEN: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        t[i] = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            );
        i += 1;
    }
    t
};

#[inline]
fn is_token_char(b: u8) -> bool {
    TOKEN[usize::from(b)]
}

/// Checks that `name` can be sent as a header name: non-empty, token characters only.
pub fn check_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid("Headers", "a header name is empty"));
    }
    if !name.bytes().all(is_token_char) {
        return Err(bad_name(name));
    }
    Ok(())
}

/// The error for a header name that is empty or holds a non-token byte.
pub(crate) fn bad_name(name: &str) -> Error {
    if name.is_empty() {
        return Error::invalid("Headers", "a header name is empty");
    }
    Error::invalid(
        format!("Headers[{}]", printable(name)),
        "the name may hold only letters, digits and !#$%&'*+-.^_`|~",
    )
}

/// Checks that `value` can be sent as the value of header `name`: no CR, LF, NUL or other
/// control characters (tab is allowed), so no header can be injected.
pub fn check_value(name: &str, value: &str) -> Result<()> {
    match value
        .bytes()
        .find(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
    {
        Some(b) => Err(bad_value(name, b)),
        None => Ok(()),
    }
}

/// The error for header `name` whose value holds the control character `b`.
pub(crate) fn bad_value(name: &str, b: u8) -> Error {
    let what = match b {
        b'\r' => "a carriage return (CR)",
        b'\n' => "a line feed (LF)",
        0 => "a NUL byte",
        _ => "a control character",
    };
    Error::invalid(
        format!("Headers[{}]", printable(name)),
        format!("the value contains {what}, which a header cannot carry"),
    )
}

/// Checks a whole header list: every name and value (see [`check_name`], [`check_value`]),
/// and no two names that are equal ignoring case, which the official SDKs sign differently.
pub fn check_all<'a>(headers: impl IntoIterator<Item = (&'a str, &'a str)> + Clone) -> Result<()> {
    for (i, (name, value)) in headers.clone().into_iter().enumerate() {
        check_name(name)?;
        check_value(name, value)?;
        if headers
            .clone()
            .into_iter()
            .take(i)
            .any(|(earlier, _)| earlier.eq_ignore_ascii_case(name))
        {
            return Err(duplicate("Headers", name));
        }
    }
    Ok(())
}

/// The error for two entries of `list` whose names are equal ignoring case.
pub(crate) fn duplicate(list: &'static str, name: &str) -> Error {
    Error::invalid(
        format!("{list}[{}]", printable(name)),
        "given twice (names are compared ignoring case)",
    )
}

/// A name made safe to put in an error message: control characters escaped, length capped.
pub(crate) fn printable(name: &str) -> String {
    let mut out: String = name.chars().take(64).flat_map(char::escape_debug).collect();
    if name.chars().count() > 64 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_header_filter() {
        for name in [
            "Host",
            "content-type",
            "Content-MD5",
            "If-None-Match",
            "Range",
            "X-Cos-Meta-Author",
            "x-cos-acl",
            "x-ci-foo",
            "Pic-Operations",
            "Transfer-Encoding",
            "X-Cos-Meta-A-Rather-Long-Name-Indeed",
            "x-cos-meta-a-rather-long-name-indeed",
        ] {
            assert!(is_signed(name), "{name} should be signed");
        }
        for name in [
            "User-Agent",
            "Accept",
            "Authorization",
            "Date",
            "Connection",
            "my-x-cos-thing",
            "x-amz-date",
            "Access-Control-Request-Method",
            "x-co",
            "",
            "Content-Type-But-Longer-Than-Twenty",
        ] {
            assert!(!is_signed(name), "{name} should not be signed");
        }
    }

    fn known_lower(name: &str) -> Option<&'static str> {
        known_signed(name).map(KnownName::name)
    }

    #[test]
    fn known_names_map_to_lower_case() {
        for name in [
            "cache-control",
            "content-disposition",
            "content-encoding",
            "content-length",
            "content-md5",
            "content-type",
            "expect",
            "expires",
            "host",
            "if-match",
            "if-modified-since",
            "if-none-match",
            "if-unmodified-since",
            "origin",
            "pic-operations",
            "range",
            "transfer-encoding",
        ] {
            assert_eq!(known_lower(&name.to_ascii_uppercase()), Some(name));
            let mut first16 = [0u8; 16];
            first16[..name.len().min(16)].copy_from_slice(&name.as_bytes()[..name.len().min(16)]);
            let known = known_signed(name).expect("known");
            assert_eq!(known.prefix16(), u128::from_be_bytes(first16));
            assert!(is_signed(name));
        }
        assert_eq!(known_lower("x-cos-acl"), None);
        assert_eq!(known_lower("Content-Typo"), None);
        assert_eq!(known_lower("content-type\0"), None);
        // `\r` | 0x20 == `-` and 0x15 | 0x20 == `5`: bytes that are not letters must match
        // exactly.
        assert_eq!(known_lower("content\rtype"), None);
        assert_eq!(known_lower("content-md\x15"), None);
        assert_eq!(known_lower("CONTENT-MD5"), Some("content-md5"));
    }

    #[test]
    fn header_names_must_be_tokens() {
        assert!(check_name("x-cos-meta-ok_1").is_ok());
        for bad in ["", "a b", "a:b", "a\r\nb", "中", "a(b)"] {
            let err = check_name(bad).expect_err(bad);
            assert!(
                err.field().is_some_and(|f| f.starts_with("Headers")),
                "{err}"
            );
        }
    }

    #[test]
    fn header_values_must_not_break_lines() {
        assert!(check_value("x", "tab\tand spaces and 中文").is_ok());
        for (bad, why) in [
            ("a\rb", "carriage return"),
            ("a\nb", "line feed"),
            ("a\0b", "NUL"),
            ("a\x07b", "control character"),
            ("a\x7fb", "control character"),
        ] {
            let err = check_value("X-Name", bad).expect_err(bad);
            assert_eq!(err.field(), Some("Headers[X-Name]"));
            assert!(err.to_string().contains(why), "{err}");
        }
    }

    #[test]
    fn names_differing_only_in_case_are_rejected() {
        let headers = [("Content-Type", "a"), ("x", "b"), ("content-type", "c")];
        let err = check_all(headers.iter().copied()).expect_err("duplicate");
        assert_eq!(err.field(), Some("Headers[content-type]"));
        assert!(check_all([("a", "1"), ("b", "2")].iter().copied()).is_ok());
    }

    #[test]
    fn error_names_are_escaped() {
        let err = check_name("bad\r\nname").expect_err("crlf");
        assert_eq!(err.field(), Some("Headers[bad\\r\\nname]"));
    }
}
