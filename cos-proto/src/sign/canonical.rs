//! Stage 1 of the signature: the request's signed parts, validated, encoded and sorted into
//! the FormatString and the two name lists (SIGNING.md sections 2–5).

use std::cmp::Ordering;

use crate::encode::{self, Out, encode_lower_into, encode_to};
use crate::error::{Error, Result};
use crate::header;

/// The pathname that is signed for an object key (SIGNING.md section 4): the key as is when
/// it starts with `/`, otherwise `/` + key; the empty key (a bucket-level request) gives `/`.
pub fn pathname_for_key(key: &str) -> String {
    if key.starts_with('/') {
        key.to_owned()
    } else {
        let mut p = String::with_capacity(key.len() + 1);
        p.push('/');
        p.push_str(key);
        p
    }
}

/// The inputs of a signature: method, pathname, query parameters and headers.
///
/// Every query parameter is signed; of the headers only those COS signs
/// ([`header::is_signed`]). Names that are equal ignoring case are rejected, since the
/// official SDKs disagree on how to sign them.
#[derive(Debug, Clone)]
pub struct SignableRequest<'a> {
    method: &'a str,
    pathname: &'a str,
    query: Vec<(&'a str, &'a str)>,
    headers: Vec<(&'a str, &'a str)>,
}

impl<'a> SignableRequest<'a> {
    /// A request with `method` (any case) on `pathname` (raw, e.g. from
    /// [`pathname_for_key`]), with no query and no headers yet.
    pub fn new(method: &'a str, pathname: &'a str) -> Self {
        SignableRequest {
            method,
            pathname,
            query: Vec::with_capacity(4),
            headers: Vec::with_capacity(8),
        }
    }

    /// Adds a query parameter (an empty value is a parameter without value, like `?acl`).
    pub fn query(mut self, name: &'a str, value: &'a str) -> Self {
        self.query.push((name, value));
        self
    }

    /// Adds a header. Headers COS does not sign are checked for safety and then left out.
    pub fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Adds several query parameters.
    pub fn queries(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        self.query.extend(pairs);
        self
    }

    /// Adds several headers.
    pub fn headers(mut self, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        self.headers.extend(pairs);
        self
    }
}

/// Stage 1: the `FormatString` and the two name lists, from a [`SignableRequest`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalRequest {
    pub(super) format_string: String,
    pub(super) header_list: String,
    pub(super) url_param_list: String,
}

impl CanonicalRequest {
    /// Builds the canonical form, validating every header and query parameter.
    pub fn new(req: &SignableRequest<'_>) -> Result<Self> {
        let mut room = Entries::default();
        let sorted = Sorted::new(req, &mut room)?;
        let mut header_list = String::with_capacity(sorted.names_len());
        let mut url_param_list = String::new();
        sorted.write_names(&mut header_list, sorted.headers());
        sorted.write_names(&mut url_param_list, sorted.query());
        Ok(CanonicalRequest {
            format_string: sorted.format_string()?,
            header_list,
            url_param_list,
        })
    }

    /// `lower(method)\npathname\nHttpParameters\nHttpHeaders\n`.
    pub fn format_string(&self) -> &str {
        &self.format_string
    }

    /// The signed header names, encoded, lower-cased, sorted and joined with `;`.
    pub fn header_list(&self) -> &str {
        &self.header_list
    }

    /// The signed query parameter names, encoded, lower-cased, sorted and joined with `;`.
    pub fn url_param_list(&self) -> &str {
        &self.url_param_list
    }
}

/// The signed query parameters and headers of a request, validated and sorted by their
/// signed names, `lower(enc(name))`.
pub(super) struct Sorted<'a> {
    names: Names<'a>,
    /// The signed query parameters, then the signed headers.
    entries: &'a [Entry],
    /// Where the headers start in `entries`.
    split: usize,
}

/// The request and the signed names that percent-encoding changes: what an [`Entry`]
/// points into.
struct Names<'a> {
    req: &'a SignableRequest<'a>,
    /// The encoded names, back to back; empty (and never allocated) when no name needs
    /// escaping, as in nearly every request.
    encoded: String,
}

/// One signed query parameter or header: where it is in the request, and how it sorts.
#[derive(Clone, Copy, Default)]
pub(super) struct Entry {
    /// The first 16 bytes of the signed name, zero-padded, as a big-endian number: most
    /// names are ordered by this one comparison.
    key: u128,
    /// Its index in the request's query parameters followed by its headers.
    at: usize,
    name: Signed,
}

/// Where an entry's signed name is.
#[derive(Clone, Copy, Default)]
enum Signed {
    /// The raw name: percent-encoding leaves it alone and it has no upper-case letter.
    #[default]
    AsIs,
    /// The raw name lower-cased: percent-encoding leaves it alone.
    Lower,
    /// A fixed header's lower-case name.
    Known(&'static str),
    /// A range of [`Names::encoded`].
    Encoded(usize, usize),
}

/// How many entries a request can have before they move from the stack to the heap.
const INLINE: usize = 16;

/// Room for the entries of a request, lent to [`Sorted::new`] by its caller so that they
/// stay in one place: on the stack up to [`INLINE`] of them, on the heap beyond.
pub(super) struct Entries {
    inline: [Entry; INLINE],
    len: usize,
    /// Every entry once there are more than [`INLINE`].
    heap: Vec<Entry>,
}

impl Default for Entries {
    fn default() -> Self {
        Entries {
            inline: [Entry::default(); INLINE],
            len: 0,
            heap: Vec::new(),
        }
    }
}

impl Entries {
    fn push(&mut self, entry: Entry) {
        if self.len < INLINE {
            self.inline[self.len] = entry;
        } else {
            if self.len == INLINE {
                self.heap.extend_from_slice(&self.inline);
            }
            self.heap.push(entry);
        }
        self.len += 1;
    }

    fn as_mut_slice(&mut self) -> &mut [Entry] {
        if self.len <= INLINE {
            &mut self.inline[..self.len]
        } else {
            &mut self.heap
        }
    }
}

/// The sort key of a signed name: its first 16 bytes, lower-cased and zero-padded, as a
/// big-endian number. Signed names never hold a zero byte, so comparing keys orders names
/// as comparing their text would, up to the 16th byte.
fn sort_key(name: &[u8]) -> u128 {
    let mut buf = [0u8; 16];
    let n = name.len().min(16);
    buf[..n].copy_from_slice(&name[..n]);
    buf.make_ascii_lowercase();
    u128::from_be_bytes(buf)
}

/// Compares two names ignoring ASCII case.
fn cmp_lower(a: &[u8], b: &[u8]) -> Ordering {
    let lower = u8::to_ascii_lowercase;
    a.iter().map(lower).cmp(b.iter().map(lower))
}

/// Checks the method: a non-empty word of ASCII letters.
fn check_method(method: &str) -> Result<()> {
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(Error::invalid(
            "Method",
            "must be a non-empty word of ASCII letters",
        ));
    }
    Ok(())
}

impl<'a> Sorted<'a> {
    /// Validates and sorts the signed parts of `req`, keeping their entries in `room`.
    pub(super) fn new(req: &'a SignableRequest<'a>, room: &'a mut Entries) -> Result<Self> {
        check_method(req.method)?;
        let mut names = Names {
            req,
            encoded: String::new(),
        };
        for (at, &(name, _)) in req.query.iter().enumerate() {
            if name.is_empty() {
                return Err(Error::invalid("Query", "a parameter name is empty"));
            }
            room.push(names.entry(at, name, None));
        }
        let split = room.len;
        for (i, &(name, value)) in req.headers.iter().enumerate() {
            let known = header::known_signed_lower(name);
            if known.is_some() || is_signed_header(name, value)? {
                room.push(names.entry(req.query.len() + i, name, known));
            }
        }
        let (query, headers) = room.as_mut_slice().split_at_mut(split);
        names.sort_and_check(query, "Query", &req.query)?;
        names.sort_and_check(headers, "Headers", &req.headers)?;
        Ok(Sorted {
            names,
            entries: room.as_mut_slice(),
            split,
        })
    }

    /// The length of the two name lists together, separators included.
    pub(super) fn names_len(&self) -> usize {
        self.entries
            .iter()
            .map(|e| self.names.name(e).len() + 1)
            .sum()
    }

    pub(super) fn query(&self) -> &[Entry] {
        &self.entries[..self.split]
    }

    pub(super) fn headers(&self) -> &[Entry] {
        &self.entries[self.split..]
    }

    /// The FormatString as a `String`.
    pub(super) fn format_string(&self) -> Result<String> {
        let req = self.names.req;
        let values: usize = self.entries.iter().map(|e| self.names.raw(e).1.len()).sum();
        let mut fs = String::with_capacity(
            req.method.len() + req.pathname.len() + self.names_len() + values * 3 / 2 + 4,
        );
        self.write_format_string(&mut fs)?;
        Ok(fs)
    }

    /// Writes `lower(method)\npathname\nHttpParameters\nHttpHeaders\n`, checking the values
    /// of the signed headers on the way.
    pub(super) fn write_format_string(&self, out: &mut impl Out) -> Result<()> {
        let req = self.names.req;
        out.put_lower(req.method);
        out.put_ascii(b'\n');
        out.put_str(req.pathname);
        out.put_ascii(b'\n');
        for (i, entry) in self.query().iter().enumerate() {
            if i > 0 {
                out.put_ascii(b'&');
            }
            self.names.put(out, entry);
            out.put_ascii(b'=');
            encode_to(out, self.names.raw(entry).1);
        }
        out.put_ascii(b'\n');
        for (i, entry) in self.headers().iter().enumerate() {
            if i > 0 {
                out.put_ascii(b'&');
            }
            self.names.put(out, entry);
            out.put_ascii(b'=');
            let value = self.names.raw(entry).1;
            if let Err(bad) = encode::encode_header_value_to(out, value) {
                // Named as before: the first header holding this value.
                let raw = req
                    .headers
                    .iter()
                    .find(|(_, v)| *v == value)
                    .map_or("", |(n, _)| *n);
                return Err(header::bad_value(raw, bad));
            }
        }
        out.put_ascii(b'\n');
        Ok(())
    }

    /// Writes the names of `list` joined with `;`.
    pub(super) fn write_names(&self, out: &mut String, list: &[Entry]) {
        for (i, entry) in list.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            self.names.put(out, entry);
        }
    }
}

impl<'a> Names<'a> {
    /// The entry at `at` for `name` (its lower-case form when it is a fixed header's),
    /// encoded into [`Names::encoded`] if it needs it.
    fn entry(&mut self, at: usize, name: &str, known: Option<&'static str>) -> Entry {
        let name = match known {
            Some(known) => Signed::Known(known),
            None if !encode::is_plain(name) => {
                let start = self.encoded.len();
                encode_lower_into(&mut self.encoded, name);
                Signed::Encoded(start, self.encoded.len())
            }
            None if name.bytes().any(|b| b.is_ascii_uppercase()) => Signed::Lower,
            None => Signed::AsIs,
        };
        let mut entry = Entry { key: 0, at, name };
        entry.key = sort_key(self.name(&entry));
        entry
    }

    /// The raw name and value of an entry.
    fn raw(&self, entry: &Entry) -> (&'a str, &'a str) {
        match entry.at.checked_sub(self.req.query.len()) {
            None => self.req.query[entry.at],
            Some(i) => self.req.headers[i],
        }
    }

    /// The bytes of an entry's signed name, before lower-casing (a no-op for all but
    /// [`Signed::Lower`]).
    fn name(&self, entry: &Entry) -> &[u8] {
        match entry.name {
            Signed::AsIs | Signed::Lower => self.raw(entry).0.as_bytes(),
            Signed::Known(s) => s.as_bytes(),
            Signed::Encoded(start, end) => &self.encoded.as_bytes()[start..end],
        }
    }

    /// Writes an entry's signed name.
    fn put(&self, out: &mut impl Out, entry: &Entry) {
        match entry.name {
            Signed::AsIs => out.put_str(self.raw(entry).0),
            Signed::Lower => out.put_lower(self.raw(entry).0),
            Signed::Known(s) => out.put_str(s),
            Signed::Encoded(start, end) => out.put_str(&self.encoded[start..end]),
        }
    }

    fn order(&self, a: &Entry, b: &Entry) -> Ordering {
        a.key
            .cmp(&b.key)
            .then_with(|| cmp_lower(self.name(a), self.name(b)))
    }

    /// Sorts `list` by signed name and rejects two names that are equal ignoring case,
    /// naming the second of them as the caller gave it (in `raw`).
    fn sort_and_check(
        &self,
        list: &mut [Entry],
        label: &'static str,
        raw: &[(&str, &str)],
    ) -> Result<()> {
        list.sort_unstable_by(|a, b| self.order(a, b));
        let Some(pair) = list.windows(2).find(|p| self.order(&p[0], &p[1]).is_eq()) else {
            return Ok(());
        };
        let dup = String::from_utf8_lossy(self.name(&pair[1])).to_ascii_lowercase();
        let name = raw
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| encode::encode_lower(n) == dup)
            .nth(1)
            .unwrap_or(&dup);
        Err(header::duplicate(label, name))
    }
}

/// Whether COS signs header `name`, which is not one of the fixed list: whether it starts
/// with `x-cos-` or `x-ci-`. The name must be a token; the value of a header COS does not
/// sign is checked here, those of signed headers while they are encoded.
fn is_signed_header(name: &str, value: &str) -> Result<bool> {
    let signed = header::is_signed_by_prefix(name);
    if !signed || !encode::is_plain(name) {
        header::check_name(name)?;
    }
    if !signed {
        header::check_value(name, value)?;
    }
    Ok(signed)
}
