//! Stage 1 of the signature: the request's signed parts, validated, encoded and sorted into
//! the FormatString and the two name lists (SIGNING.md sections 2–5).

use std::cmp::Ordering;

use super::shape::Shape;
use crate::encode::{
    self, CHUNK, NameForm, Out, encode_lower_into, load_chunk, lower_chunk, name_form,
};
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
    pub(super) method: &'a str,
    pub(super) pathname: &'a str,
    pub(super) query: Vec<(&'a str, &'a str)>,
    pub(super) headers: Vec<(&'a str, &'a str)>,
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
        Shape::new(req)?.canonical(req)
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
    /// The signed names that percent-encoding changes, back to back; empty (and never
    /// allocated) when no name needs escaping, as in nearly every request.
    encoded: String,
    /// The signed query parameters, then the signed headers, in the request's order.
    entries: &'a [Entry<'a>],
    /// The keys of `entries`: the query parameters' sorted by signed name, then the
    /// headers'. Sorting keys moves 16 bytes per step, not a whole entry.
    order: &'a [SortKey],
    /// Where the headers start in `order`.
    split: usize,
    /// The headers COS does not sign (their places in the request), checked but left out.
    pub(super) unsigned: Vec<usize>,
}

/// One signed query parameter or header.
#[derive(Clone, Copy)]
pub(super) struct Entry<'a> {
    name: Signed<'a>,
    /// Its place in the request's query or headers.
    at: usize,
}

impl Entry<'_> {
    const EMPTY: Entry<'static> = Entry {
        name: Signed::Exact(""),
        at: 0,
    };
}

/// An entry's place in the sort: the first 12 bytes of its signed name (lower-cased,
/// zero-padded) as a big-endian number, above the entry's index (a request holds far fewer
/// than 2^32 entries). Names that differ in their first 12 bytes are ordered by comparing
/// those numbers; signed names never hold a zero byte, so that orders them as comparing
/// their text would. The others compare their names.
#[derive(Clone, Copy)]
pub(super) struct SortKey(u128);

impl SortKey {
    /// The key of entry `index`, from the first 16 bytes of its signed name as a big-endian
    /// number (see [`sort_prefix`]).
    fn new(prefix: u128, index: usize) -> Self {
        SortKey(prefix >> 32 << 32 | u128::from(index as u32))
    }

    fn prefix(self) -> u128 {
        self.0 >> 32
    }

    fn index(self) -> usize {
        self.0 as u32 as usize
    }
}

/// An entry's signed name.
#[derive(Clone, Copy)]
enum Signed<'a> {
    /// Signed exactly as it is: a fixed header's lower-case name, or a name that neither
    /// percent-encoding nor lower-casing changes.
    Exact(&'a str),
    /// Signed lower-cased: a name that percent-encoding leaves alone.
    Lower(&'a str),
    /// A range of [`Sorted::encoded`], already encoded and lower-cased.
    Encoded(usize, usize),
}

/// How many entries a request can have before they move from the stack to the heap.
const INLINE: usize = 12;

/// Room for the entries of a request and their order, lent to [`Sorted::new`] by its
/// caller so that they stay in one place: on the stack up to [`INLINE`] of them, on the
/// heap beyond.
pub(super) struct Entries<'a> {
    inline: [Entry<'a>; INLINE],
    inline_keys: [SortKey; INLINE],
    len: usize,
    /// Every entry once there are more than [`INLINE`].
    heap: Vec<Entry<'a>>,
    heap_keys: Vec<SortKey>,
}

impl<'a> Entries<'a> {
    /// No entries yet.
    pub(super) const EMPTY: Entries<'static> = Entries {
        inline: [Entry::EMPTY; INLINE],
        inline_keys: [SortKey(0); INLINE],
        len: 0,
        heap: Vec::new(),
        heap_keys: Vec::new(),
    };

    /// Adds an entry, writing its fields in place. Inlined, so that the name is not passed
    /// through memory (storing an enum field by field and loading it whole stalls).
    #[inline(always)]
    fn push(&mut self, prefix: u128, name: Signed<'a>, at: usize) {
        let i = self.len;
        let key = SortKey::new(prefix, i);
        if i < INLINE {
            let entry = &mut self.inline[i];
            entry.name = name;
            entry.at = at;
            self.inline_keys[i] = key;
        } else {
            if i == INLINE {
                self.heap.extend_from_slice(&self.inline);
                self.heap_keys.extend_from_slice(&self.inline_keys);
            }
            self.heap.push(Entry { name, at });
            self.heap_keys.push(key);
        }
        self.len += 1;
    }

    /// The entries, and their keys to sort.
    fn parts(&mut self) -> (&[Entry<'a>], &mut [SortKey]) {
        if self.len <= INLINE {
            (&self.inline[..self.len], &mut self.inline_keys[..self.len])
        } else {
            (&self.heap, &mut self.heap_keys)
        }
    }
}

/// The first 16 bytes of a signed name, lower-cased and zero-padded, as a big-endian number.
fn sort_prefix(name: &[u8]) -> u128 {
    let word = |i| u128::from(u64::from_be_bytes(lower_chunk(load_chunk(name, i, 0).0)));
    word(0) << 64 | word(CHUNK)
}

/// Sorts a short list in place (the few entries of a request need no more), and says
/// whether two items compared equal: each one inserted is compared with its left
/// neighbour, so no equal pair goes unseen.
fn insertion_sort<T: Copy>(list: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) -> bool {
    let mut equal = false;
    for i in 1..list.len() {
        let item = list[i];
        let mut j = i;
        while j > 0 {
            match cmp(&item, &list[j - 1]) {
                Ordering::Less => {
                    list[j] = list[j - 1];
                    j -= 1;
                }
                Ordering::Equal => {
                    equal = true;
                    break;
                }
                Ordering::Greater => break,
            }
        }
        list[j] = item;
    }
    equal
}

/// Compares two names ignoring ASCII case.
fn cmp_lower(a: &[u8], b: &[u8]) -> Ordering {
    let lower = u8::to_ascii_lowercase;
    a.iter().map(lower).cmp(b.iter().map(lower))
}

/// Checks the method: a non-empty word of ASCII letters.
pub(super) fn check_method(method: &str) -> Result<()> {
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
    pub(super) fn new(req: &'a SignableRequest<'a>, room: &'a mut Entries<'a>) -> Result<Self> {
        let mut sorted = Sorted {
            encoded: String::new(),
            entries: &[],
            order: &[],
            split: 0,
            unsigned: Vec::new(),
        };
        for (at, &(name, _)) in req.query.iter().enumerate() {
            if name.is_empty() {
                return Err(Error::invalid("Query", "a parameter name is empty"));
            }
            sorted.push_entry(room, name, name_form(name), at);
        }
        sorted.split = room.len;
        for (at, &(name, value)) in req.headers.iter().enumerate() {
            if let Some(known) = header::known_signed(name) {
                room.push(known.prefix16(), Signed::Exact(known.name()), at);
            } else if header::is_signed_by_prefix(name) {
                // A name of unreserved bytes is a token; the value is checked while it is
                // encoded.
                let form = name_form(name);
                if form == NameForm::Encode {
                    header::check_name(name)?;
                }
                sorted.push_entry(room, name, form, at);
            } else {
                header::check_name(name)?;
                header::check_value(name, value)?;
                sorted.unsigned.push(at);
            }
        }
        // After the headers, as a signature of a known shape checks it.
        check_method(req.method)?;
        let (entries, order) = room.parts();
        let (query, headers) = order.split_at_mut(sorted.split);
        sorted.sort_and_check(entries, query, "Query", &req.query)?;
        sorted.sort_and_check(entries, headers, "Headers", &req.headers)?;
        sorted.entries = entries;
        sorted.order = order;
        Ok(sorted)
    }

    /// Adds the entry of a caller's name (already checked) of the given form, encoded into
    /// [`Sorted::encoded`] if it needs it.
    #[inline(always)]
    fn push_entry(&mut self, room: &mut Entries<'a>, name: &'a str, form: NameForm, at: usize) {
        let name = match form {
            NameForm::AsIs => Signed::Exact(name),
            NameForm::Lower => Signed::Lower(name),
            NameForm::Encode => {
                let start = self.encoded.len();
                encode_lower_into(&mut self.encoded, name);
                Signed::Encoded(start, self.encoded.len())
            }
        };
        room.push(sort_prefix(self.bytes(&name)), name, at);
    }

    /// The bytes of a signed name, before lower-casing (a no-op for all but
    /// [`Signed::Lower`]).
    fn bytes<'s>(&'s self, name: &Signed<'s>) -> &'s [u8] {
        match *name {
            Signed::Exact(s) | Signed::Lower(s) => s.as_bytes(),
            Signed::Encoded(start, end) => &self.encoded.as_bytes()[start..end],
        }
    }

    /// The order of the entries of two keys, by signed name.
    fn order(&self, entries: &[Entry<'_>], a: SortKey, b: SortKey) -> Ordering {
        match a.prefix().cmp(&b.prefix()) {
            Ordering::Equal => self.order_tie(&entries[a.index()], &entries[b.index()]),
            unequal => unequal,
        }
    }

    /// [`Sorted::order`] for two names whose first 12 bytes are the same.
    #[inline(never)]
    fn order_tie(&self, a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
        cmp_lower(self.bytes(&a.name), self.bytes(&b.name))
    }

    /// Sorts `order` (the keys of `entries`) by signed name and rejects two names that are
    /// equal ignoring case, naming the second of them as the caller gave it (in `raw`).
    fn sort_and_check(
        &self,
        entries: &[Entry<'_>],
        order: &mut [SortKey],
        label: &'static str,
        raw: &[(&str, &str)],
    ) -> Result<()> {
        let cmp = |&a: &SortKey, &b: &SortKey| self.order(entries, a, b);
        if order.len() <= INLINE {
            if !insertion_sort(order, cmp) {
                return Ok(());
            }
        } else {
            order.sort_unstable_by(cmp);
        }
        let Some(pair) = order.windows(2).find(|p| cmp(&p[0], &p[1]).is_eq()) else {
            return Ok(());
        };
        let dup = String::from_utf8_lossy(self.bytes(&entries[pair[1].index()].name))
            .to_ascii_lowercase();
        let name = raw
            .iter()
            .map(|(n, _)| *n)
            .filter(|n| encode::encode_lower(n) == dup)
            .nth(1)
            .unwrap_or(&dup);
        Err(header::duplicate(label, name))
    }

    /// The signed query parameters in signing order: each one's signed name and place in
    /// the request.
    pub(super) fn query(&self) -> impl Iterator<Item = (NameText<'_>, usize)> {
        self.signed(..self.split)
    }

    /// The signed headers in signing order, as [`Sorted::query`].
    pub(super) fn headers(&self) -> impl Iterator<Item = (NameText<'_>, usize)> {
        self.signed(self.split..)
    }

    fn signed(
        &self,
        range: impl std::slice::SliceIndex<[SortKey], Output = [SortKey]>,
    ) -> impl Iterator<Item = (NameText<'_>, usize)> {
        self.order[range].iter().map(|k| {
            let entry = &self.entries[k.index()];
            let name = match entry.name {
                Signed::Exact(s) => NameText::Exact(s),
                Signed::Lower(s) => NameText::Lower(s),
                Signed::Encoded(start, end) => NameText::Exact(&self.encoded[start..end]),
            };
            (name, entry.at)
        })
    }
}

/// A signed name as it is written: as it is, or lower-cased on the way.
#[derive(Clone, Copy)]
pub(super) enum NameText<'s> {
    /// Written as it is.
    Exact(&'s str),
    /// Written lower-cased.
    Lower(&'s str),
}

impl NameText<'_> {
    /// Writes the name.
    #[inline(always)]
    pub(super) fn put(self, out: &mut impl Out) {
        match self {
            NameText::Exact(s) => out.put_str(s),
            NameText::Lower(s) => out.put_lower(s),
        }
    }
}
