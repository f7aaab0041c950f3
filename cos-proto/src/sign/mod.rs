//! The COS request signature (`q-sign-algorithm=sha1&...`), exactly as the official SDKs
//! compute it (SIGNING.md sections 1–3).
//!
//! The pipeline, each stage a value a test can check:
//!
//! ```text
//! SignableRequest ──► CanonicalRequest (FormatString, HeaderList, UrlParamList)
//!                           │ SHA-1
//! KeyTime + SecretKey ──► SignKey ──HMAC-SHA1(StringToSign)──► Authorization
//! ```
//!
//! Nothing here reads the clock: the [`KeyTime`] is always an input. A [`Signer`] derives the
//! [`SignKey`] of a key time once and reuses it (with its pre-keyed HMAC state) for every
//! request signed in that window, from any number of threads. It also keeps the shapes of
//! the last few requests (their names, in order: validated, encoded, sorted, and listed as
//! the Authorization lists them), so that the next request with the same names only
//! encodes its values and hashes.

use std::fmt;
use std::ops::Range;
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::credential::{Credentials, Secret};
use crate::encode::{CHUNK, Chunk, Out, put_ascii};
use crate::error::{Error, Result};
use crate::hmac_sha1::{HmacKey, Sha1Stream, sha1};

/// How long a signature is valid when the caller does not say (the seed's `Expires` default).
pub const DEFAULT_EXPIRES_SECS: u64 = 900;

/// The granularity of [`KeyTime::for_request`]: requests signed within the same window share
/// one [`SignKey`].
pub const KEY_TIME_WINDOW_SECS: u64 = 60;

/// The validity window of a signature, `start;end` in Unix seconds. COS uses it for both
/// `q-sign-time` and `q-key-time`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyTime {
    start: u64,
    end: u64,
}

impl KeyTime {
    /// A window from `start` to `end` (Unix seconds). It must end after it starts.
    pub fn new(start: u64, end: u64) -> Result<Self> {
        if end <= start {
            return Err(Error::invalid(
                "KeyTime",
                format!("the window ends ({end}) before or when it starts ({start})"),
            ));
        }
        Ok(KeyTime { start, end })
    }

    /// The window the official Node SDK uses: from one second before `now` for
    /// `expires_secs` seconds (the seed's `Expires`). `expires_secs` must not be 0.
    pub fn starting_at(now: SystemTime, expires_secs: u64) -> Result<Self> {
        if expires_secs == 0 {
            return Err(Error::invalid("Expires", "must be at least 1 second"));
        }
        let start = unix_seconds(now)?.saturating_sub(1);
        KeyTime::new(start, start.saturating_add(expires_secs))
    }

    /// A window for signing ordinary requests so that a [`Signer`] can reuse its SignKey:
    /// it starts at `now` rounded down to [`KEY_TIME_WINDOW_SECS`] and stays valid for at
    /// least `validity` after `now`.
    pub fn for_request(now: SystemTime, validity: Duration) -> Result<Self> {
        let validity = validity.as_secs();
        if validity == 0 {
            return Err(Error::invalid("Expires", "must be at least 1 second"));
        }
        let start = unix_seconds(now)? / KEY_TIME_WINDOW_SECS * KEY_TIME_WINDOW_SECS;
        KeyTime::new(start, start.saturating_add(KEY_TIME_WINDOW_SECS + validity))
    }

    /// Parses the `start;end` text form.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::invalid("KeyTime", "expected `start;end` in Unix seconds");
        let (start, end) = text.split_once(';').ok_or_else(bad)?;
        let num = |s: &str| {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(bad());
            }
            s.parse::<u64>().map_err(|_| bad())
        };
        KeyTime::new(num(start)?, num(end)?)
    }

    /// The first second of the window.
    pub fn start(&self) -> u64 {
        self.start
    }

    /// The last second of the window.
    pub fn end(&self) -> u64 {
        self.end
    }

    /// Whether Unix time `t` falls inside the window (both ends included).
    pub fn contains(&self, t: u64) -> bool {
        self.start <= t && t <= self.end
    }
}

impl fmt::Display for KeyTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(KeyTimeText::new(*self).parts().1)
    }
}

fn unix_seconds(t: SystemTime) -> Result<u64> {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| Error::invalid("StartTime", "is before 1970"))
}

mod canonical;
mod shape;

pub use canonical::{CanonicalRequest, SignableRequest, pathname_for_key};
use shape::Shape;

/// Stage 2: `sha1\nKeyTime\nhex(SHA1(FormatString))\n`, at most 88 bytes, kept on the stack.
#[derive(Clone, Copy)]
pub struct StringToSign {
    buf: [u8; 96],
    len: usize,
}

impl StringToSign {
    /// The string to sign for `format_string` within `key_time`.
    pub fn new(key_time: &str, format_string: &str) -> Self {
        StringToSign::from_digest(key_time, &sha1(format_string.as_bytes()))
    }

    /// The string to sign for the FormatString whose SHA-1 is `digest`.
    fn from_digest(key_time: &str, digest: &[u8; 20]) -> Self {
        let mut sts = StringToSign {
            buf: [0; 96],
            len: 0,
        };
        write_string_to_sign(&mut sts, key_time, digest);
        sts
    }

    /// The text of the string to sign.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

impl StringToSign {
    fn push(&mut self, bytes: &[u8]) {
        // A key time has at most 41 bytes (two u64s), so the whole is at most 88 bytes.
        let end = (self.len + bytes.len()).min(self.buf.len());
        self.buf[self.len..end].copy_from_slice(&bytes[..end - self.len]);
        self.len = end;
    }
}

impl Out for StringToSign {
    fn put_str(&mut self, s: &str) {
        self.push(s.as_bytes());
    }

    fn put_chunk(&mut self, chunk: Chunk, n: usize) {
        self.push(&chunk[..n.min(CHUNK)]);
    }
}

/// Writes the string to sign for the FormatString whose SHA-1 is `digest`:
/// `sha1\nKeyTime\nhex(digest)\n`. HMAC takes it straight into its hash, so it is only ever
/// kept for [`Signer::sign_stages`].
fn write_string_to_sign(out: &mut impl Out, key_time: &str, digest: &[u8; 20]) {
    out.put_str("sha1\n");
    out.put_str(key_time);
    put_ascii(out, b'\n');
    for quad in digest.as_chunks::<4>().0 {
        let mut chunk = [0; CHUNK];
        for (pair, &b) in chunk.as_chunks_mut::<2>().0.iter_mut().zip(quad) {
            *pair = HEX_PAIRS[usize::from(b)];
        }
        out.put_chunk(chunk, CHUNK);
    }
    put_ascii(out, b'\n');
}

impl fmt::Debug for StringToSign {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("StringToSign").field(&self.as_str()).finish()
    }
}

/// Stage 3: `hex(HMAC-SHA1(SecretKey, KeyTime))`, with the HMAC state already keyed by it.
///
/// It is derived from the SecretKey, so its `Debug` does not show it; [`SignKey::expose_hex`]
/// gives the text to code that checks the signing stages.
#[derive(Clone)]
pub struct SignKey {
    key_time: KeyTime,
    key_time_text: KeyTimeText,
    hex: [u8; 40],
    mac: HmacKey,
}

impl SignKey {
    /// Derives the SignKey of `secret_key` for `key_time`.
    pub fn derive(secret_key: &Secret, key_time: KeyTime) -> Self {
        SignKey::derive_keyed(&HmacKey::new(secret_key.expose().as_bytes()), key_time)
    }

    /// [`SignKey::derive`] with HMAC already keyed by the SecretKey.
    fn derive_keyed(secret_key: &HmacKey, key_time: KeyTime) -> Self {
        let key_time_text = KeyTimeText::new(key_time);
        let hex = hex_lower(&secret_key.sign(key_time_text.parts().1.as_bytes()));
        let mac = HmacKey::new(&hex);
        SignKey {
            key_time,
            key_time_text,
            hex,
            mac,
        }
    }

    /// The key time this key belongs to.
    pub fn key_time(&self) -> KeyTime {
        self.key_time
    }

    /// The 40 hex characters of the key.
    pub fn expose_hex(&self) -> &str {
        std::str::from_utf8(&self.hex).unwrap_or_default()
    }

    /// Signs `string_to_sign`, returning the 40 hex characters of `q-signature`.
    pub fn signature(&self, string_to_sign: &StringToSign) -> [u8; 40] {
        hex_lower(&self.mac.sign(&string_to_sign.buf[..string_to_sign.len]))
    }

    /// [`SignKey::signature`] of the string to sign for `digest`, written straight into
    /// the HMAC's hash.
    fn signature_of_digest(&self, key_time: &str, digest: &[u8; 20]) -> [u8; 40] {
        let mut inner = self.mac.start();
        write_string_to_sign(&mut inner, key_time, digest);
        hex_lower(&self.mac.finish(inner))
    }
}

impl fmt::Debug for SignKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignKey")
            .field("key_time", &self.key_time)
            .field("hex", &"<redacted>")
            .finish()
    }
}

/// The decimal digits of 0 to 99, two each.
static DECIMAL_PAIRS: [[u8; 2]; 100] = {
    let mut t = [[0u8; 2]; 100];
    let mut i = 0;
    while i < 100 {
        t[i] = [b'0' + (i / 10) as u8, b'0' + (i % 10) as u8];
        i += 1;
    }
    t
};

/// The lower-case hex digits of every byte value, two per byte.
static HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = [HEX[i >> 4], HEX[i & 0x0f]];
        i += 1;
    }
    t
};

/// A digest in lower-case hex, one table lookup per byte.
fn hex_lower(digest: &[u8; 20]) -> [u8; 40] {
    let mut out = [0u8; 40];
    for (pair, &b) in out.as_chunks_mut::<2>().0.iter_mut().zip(digest) {
        *pair = HEX_PAIRS[usize::from(b)];
    }
    out
}

/// The Authorization's text that depends on the key time alone,
/// `&q-sign-time={kt}&q-key-time={kt}&q-header-list=` (`kt` = `start;end`), on the stack:
/// two u64s take at most 41 bytes, so the whole at most 122. A SignKey keeps it, so that a
/// signature copies it in one piece.
#[derive(Clone, Copy)]
struct KeyTimeText {
    buf: [u8; 128],
    len: usize,
    /// The length of `start;end`.
    key_time_len: usize,
}

impl KeyTimeText {
    /// Where the key time starts in the text.
    const AT: usize = "&q-sign-time=".len();

    /// Writes the numbers two digits at a time (no formatting machinery: this runs every
    /// time the key time changes), once, and copies them for the second time.
    fn new(key_time: KeyTime) -> Self {
        let mut text = KeyTimeText {
            buf: [0; 128],
            len: 0,
            key_time_len: 0,
        };
        text.push(b"&q-sign-time=");
        text.push_decimal(key_time.start);
        text.push(b";");
        text.push_decimal(key_time.end);
        text.key_time_len = text.len - KeyTimeText::AT;
        text.push(b"&q-key-time=");
        text.buf.copy_within(
            KeyTimeText::AT..KeyTimeText::AT + text.key_time_len,
            text.len,
        );
        text.len += text.key_time_len;
        text.push(b"&q-header-list=");
        text
    }

    fn push(&mut self, bytes: &[u8]) {
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }

    fn push_decimal(&mut self, n: u64) {
        let mut digits = [0u8; 20];
        let mut i = digits.len();
        let mut rest = n;
        while rest >= 100 {
            i -= 2;
            digits[i..i + 2].copy_from_slice(&DECIMAL_PAIRS[(rest % 100) as usize]);
            rest /= 100;
        }
        if rest >= 10 {
            i -= 2;
            digits[i..i + 2].copy_from_slice(&DECIMAL_PAIRS[rest as usize]);
        } else {
            i -= 1;
            digits[i] = b'0' + rest as u8;
        }
        self.push(&digits[i..]);
    }

    /// The whole text, and `start;end` in it.
    fn parts(&self) -> (&str, &str) {
        let text = std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default();
        let key_time = text
            .get(KeyTimeText::AT..KeyTimeText::AT + self.key_time_len)
            .unwrap_or_default();
        (text, key_time)
    }
}

/// The result: the Authorization string, with the parts a pre-signed URL needs.
#[derive(Clone, PartialEq, Eq)]
pub struct Authorization {
    value: String,
    key_time: Range<usize>,
    header_list: Range<usize>,
    url_param_list: Range<usize>,
    signature: Range<usize>,
}

impl Authorization {
    /// The whole `q-sign-algorithm=sha1&q-ak=...&q-signature=...` string, the value of the
    /// `Authorization` header.
    pub fn as_str(&self) -> &str {
        &self.value
    }

    /// The key time text, `start;end`.
    pub fn key_time(&self) -> &str {
        &self.value[self.key_time.clone()]
    }

    /// `q-header-list`: the signed header names.
    pub fn header_list(&self) -> &str {
        &self.value[self.header_list.clone()]
    }

    /// `q-url-param-list`: the signed query parameter names.
    pub fn url_param_list(&self) -> &str {
        &self.value[self.url_param_list.clone()]
    }

    /// `q-signature`: 40 hex characters.
    pub fn signature(&self) -> &str {
        &self.value[self.signature.clone()]
    }

    /// The SecretId (`q-ak`).
    pub fn secret_id(&self) -> &str {
        let start = "q-sign-algorithm=sha1&q-ak=".len();
        let end = self.key_time.start - "&q-sign-time=".len();
        &self.value[start..end]
    }
}

impl fmt::Display for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

impl fmt::Debug for Authorization {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Authorization").field(&self.value).finish()
    }
}

/// Every stage of one signature, for tests and for debugging a `SignatureDoesNotMatch`.
#[derive(Debug, Clone)]
pub struct SigningStages {
    /// Stage 1: FormatString and the name lists.
    pub canonical: CanonicalRequest,
    /// Stage 2: the string to sign.
    pub string_to_sign: StringToSign,
    /// Stage 3: the SignKey.
    pub sign_key: SignKey,
    /// The result.
    pub authorization: Authorization,
}

/// Signs requests with one set of [`Credentials`], caching the [`SignKey`] of the current key
/// time and the shapes of the last requests (their names, validated and sorted). `Send +
/// Sync`: share one signer between threads.
pub struct Signer {
    credentials: Credentials,
    /// HMAC keyed by the SecretKey, so that deriving a SignKey costs two blocks less.
    secret_key: HmacKey,
    cached: RwLock<Cache>,
}

/// What a [`Signer`] keeps between signatures.
#[derive(Default)]
struct Cache {
    key: Option<Arc<SignKey>>,
    /// The shapes signed last, at most [`Cache::SHAPES`].
    shapes: Vec<Arc<Shape>>,
    /// The shape to replace next when `shapes` is full.
    next: usize,
}

impl Cache {
    /// How many shapes a signer keeps: more than the kinds of requests a program sends
    /// over and over (the parts of an upload, the objects of a batch), few enough to
    /// look through quickly.
    const SHAPES: usize = 8;

    fn key(&self, key_time: KeyTime) -> Option<&Arc<SignKey>> {
        self.key.as_ref().filter(|k| k.key_time == key_time)
    }

    fn shape(&self, req: &SignableRequest<'_>) -> Option<&Arc<Shape>> {
        self.shapes.iter().find(|s| s.fits(req))
    }

    /// Keeps `shape`, in place of the oldest one when full.
    fn remember(&mut self, shape: Arc<Shape>) {
        if self.shapes.len() < Cache::SHAPES {
            self.shapes.push(shape);
        } else {
            self.shapes[self.next] = shape;
            self.next = (self.next + 1) % Cache::SHAPES;
        }
    }
}

impl Signer {
    /// A signer for `credentials`. New credentials (a refreshed temporary key) need a new
    /// signer.
    pub fn new(credentials: Credentials) -> Self {
        Signer {
            secret_key: HmacKey::new(credentials.secret_key().expose().as_bytes()),
            credentials,
            cached: RwLock::new(Cache::default()),
        }
    }

    /// The credentials this signer signs with.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The SignKey for `key_time`: the cached one when the window matches, otherwise derived
    /// once and cached for the next requests.
    pub fn sign_key(&self, key_time: KeyTime) -> Arc<SignKey> {
        if let Some(key) = self.read_cache().key(key_time) {
            return Arc::clone(key);
        }
        let key = Arc::new(SignKey::derive_keyed(&self.secret_key, key_time));
        self.write_cache().key = Some(Arc::clone(&key));
        key
    }

    fn read_cache(&self) -> std::sync::RwLockReadGuard<'_, Cache> {
        self.cached.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write_cache(&self) -> std::sync::RwLockWriteGuard<'_, Cache> {
        self.cached.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Signs `req` for `key_time`.
    ///
    /// With the SignKey and the request's shape cached, under the read lock and without
    /// touching a reference count; otherwise what is missing is made (outside the lock) and
    /// cached.
    pub fn sign(&self, req: &SignableRequest<'_>, key_time: KeyTime) -> Result<Authorization> {
        let (key, shape) = {
            let cache = self.read_cache();
            match (cache.key(key_time), cache.shape(req)) {
                (Some(key), Some(shape)) => {
                    return sign_with(self.credentials.secret_id(), key, shape, req);
                }
                (key, shape) => (key.cloned(), shape.cloned()),
            }
        };
        let new_shape = match shape {
            Some(_) => None,
            None => Some(Arc::new(Shape::new(req)?)),
        };
        let new_key = match key {
            Some(_) => None,
            None => Some(Arc::new(SignKey::derive_keyed(&self.secret_key, key_time))),
        };
        // Both were found or made: the `else` cannot run.
        let (Some(key), Some(shape)) = (key.or(new_key.clone()), shape.or(new_shape.clone()))
        else {
            return Err(Error::invalid("Signer", "no SignKey or shape"));
        };
        let auth = sign_with(self.credentials.secret_id(), &key, &shape, req);
        let mut cache = self.write_cache();
        if let Some(key) = new_key {
            cache.key = Some(key);
        }
        // Another thread may have kept the same shape meanwhile.
        if let Some(shape) = new_shape.filter(|_| cache.shape(req).is_none()) {
            cache.remember(shape);
        }
        auth
    }

    /// Signs `req` for `key_time` and returns every intermediate stage as well.
    pub fn sign_stages(
        &self,
        req: &SignableRequest<'_>,
        key_time: KeyTime,
    ) -> Result<SigningStages> {
        let key = self.sign_key(key_time);
        let shape = Shape::new(req)?;
        let canonical = shape.canonical(req)?;
        let key_time_text = key.key_time_text.parts();
        let string_to_sign = StringToSign::new(key_time_text.1, &canonical.format_string);
        let mut authorization =
            Authorization::unsigned(self.credentials.secret_id(), key_time_text, &shape);
        authorization.push_signature(&key.signature(&string_to_sign));
        Ok(SigningStages {
            canonical,
            string_to_sign,
            sign_key: (*key).clone(),
            authorization,
        })
    }
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

/// The one signing path: hashes the FormatString while it is written (it is never kept),
/// and writes the Authorization.
///
/// The Authorization's text before the signature is written after the FormatString's last
/// block is handed to SHA-1 and before its digest is used: it does not depend on the hash,
/// so the processor writes it while the (long, serial) block compressions run.
fn sign_with(
    secret_id: &str,
    key: &SignKey,
    shape: &Shape,
    req: &SignableRequest<'_>,
) -> Result<Authorization> {
    let mut hash = Sha1Stream::new();
    shape.write_format_string(&mut hash, req)?;
    let digest = hash.finish();
    let key_time_text = key.key_time_text.parts();
    let mut auth = Authorization::unsigned(secret_id, key_time_text, shape);
    auth.push_signature(&key.signature_of_digest(key_time_text.1, &digest));
    Ok(auth)
}

impl Authorization {
    /// Everything but the signature, in one string allocated at the exact size of the
    /// whole: the fixed start, the id, the key time text (the whole [`KeyTimeText`], and
    /// `start;end` in it) and the shape's name lists.
    fn unsigned(secret_id: &str, (text, kt): (&str, &str), shape: &Shape) -> Self {
        const START: &str = "q-sign-algorithm=sha1&q-ak=";
        let lists = shape.lists();
        let mut value =
            String::with_capacity(START.len() + secret_id.len() + text.len() + lists.len() + 40);
        value.push_str(START);
        value.push_str(secret_id);
        let at = value.len() + KeyTimeText::AT;
        let key_time = at..at + kt.len();
        value.push_str(text);
        let start = value.len();
        value.push_str(lists);
        let (headers, params) = shape.list_ranges();
        let end = value.len();
        Authorization {
            value,
            key_time,
            header_list: start + headers.start..start + headers.end,
            url_param_list: start + params.start..start + params.end,
            signature: end..end,
        }
    }

    /// Appends the signature.
    fn push_signature(&mut self, sig: &[u8; 40]) {
        self.signature = push_range(
            &mut self.value,
            std::str::from_utf8(sig).unwrap_or_default(),
        );
    }
}

fn push_range(out: &mut String, s: &str) -> Range<usize> {
    let start = out.len();
    out.push_str(s);
    start..out.len()
}

/// The parameters of the seed's static `COS.getAuthorization`: sign one request with a
/// SecretId/SecretKey pair, without a client.
#[derive(Debug, Clone, Default)]
pub struct GetAuthorization {
    /// The SecretId and SecretKey (and token, which is not added to the signature here: put
    /// it in `headers` or `query` to sign it).
    pub credentials: Option<Credentials>,
    /// The HTTP method, any case (`get`, `PUT`, ...).
    pub method: String,
    /// The object key; empty for a bucket-level request.
    pub key: String,
    /// Seconds the signature is valid (default 900; 0 is an error).
    pub expires: Option<u64>,
    /// A fixed key time; overrides the start time and `expires`.
    pub key_time: Option<KeyTime>,
    /// Query parameters to sign, in any order.
    pub query: Vec<(String, String)>,
    /// Headers; those COS signs are signed, the rest ignored.
    pub headers: Vec<(String, String)>,
}

impl GetAuthorization {
    /// The Authorization string, with the key time starting one second before `now` (as the
    /// Node SDK does) unless [`GetAuthorization::key_time`] fixes it.
    pub fn sign(&self, now: SystemTime) -> Result<Authorization> {
        let credentials = self
            .credentials
            .as_ref()
            .ok_or_else(|| Error::invalid("SecretId", "is required"))?;
        let key_time = match self.key_time {
            Some(kt) => kt,
            None => KeyTime::starting_at(now, self.expires.unwrap_or(DEFAULT_EXPIRES_SECS))?,
        };
        let pathname = pathname_for_key(&self.key);
        let req = SignableRequest::new(&self.method, &pathname)
            .queries(self.query.iter().map(|(n, v)| (n.as_str(), v.as_str())))
            .headers(self.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let key = SignKey::derive(credentials.secret_key(), key_time);
        sign_with(credentials.secret_id(), &key, &Shape::new(&req)?, &req)
    }
}

#[cfg(test)]
mod tests;
