//! The shape of a request: its query parameter and header names, in the order given.
//!
//! Everything a signature does with the names — validate them, pick the headers COS signs,
//! encode and lower-case them, sort them, reject one given twice, list them in the
//! Authorization — depends on the names alone. A [`Shape`] does it once; a [`Signer`]
//! keeps the shapes it signed last, so that the next request of the same shape (the
//! parts of one upload, the objects of one batch) only encodes its values and hashes.
//!
//! [`Signer`]: super::Signer

use std::ops::Range;

use super::canonical::{CanonicalRequest, Entries, SignableRequest, Sorted, check_method};
use crate::encode::{Out, encode_header_value_to, encode_to, put_ascii};
use crate::error::Result;
use crate::header;

/// The names of a request, validated, and what signing makes of them.
pub(super) struct Shape {
    /// The names as given, back to back: the query parameters', then the headers'.
    names: String,
    /// Where each name ends in `names`.
    ends: Vec<usize>,
    /// How many of the names are query parameters'. COS signs every one, so this is also
    /// where the headers start in `order`.
    query_len: usize,
    /// The signed query parameters, then the signed headers, in signing order: each one's
    /// place in the request and its signed name (lower-cased and encoded).
    order: Vec<(usize, Box<str>)>,
    /// The headers COS does not sign, whose values are only checked.
    unsigned: Vec<usize>,
    /// `{q-header-list}&q-url-param-list={q-url-param-list}&q-signature=`: the
    /// Authorization between the key time and the signature.
    lists: String,
    /// The length of the header list at the start of `lists`.
    header_list_len: usize,
    /// The length of the parameter list in `lists`.
    param_list_len: usize,
}

/// What stands between the two name lists in an Authorization.
pub(super) const PARAM_LIST_FIELD: &str = "&q-url-param-list=";

/// What stands before the signature in an Authorization.
pub(super) const SIGNATURE_FIELD: &str = "&q-signature=";

impl Shape {
    /// The shape of `req`, with every name checked (and the method: a shape is only built
    /// to sign).
    pub(super) fn new(req: &SignableRequest<'_>) -> Result<Self> {
        let mut room = Entries::EMPTY;
        let sorted = Sorted::new(req, &mut room)?;
        let raw = || req.query.iter().chain(&req.headers).map(|(n, _)| *n);
        let mut names = String::with_capacity(raw().map(str::len).sum());
        let ends = raw()
            .map(|n| {
                names.push_str(n);
                names.len()
            })
            .collect();
        let order = sorted
            .query()
            .chain(sorted.headers())
            .map(|(name, at)| {
                let mut signed = String::new();
                name.put(&mut signed);
                (at, signed.into_boxed_str())
            })
            .collect();
        // Every query parameter is signed: the headers start after them in `order`.
        let split = req.query.len();
        let mut shape = Shape {
            names,
            ends,
            query_len: req.query.len(),
            order,
            unsigned: sorted.unsigned,
            lists: String::new(),
            header_list_len: 0,
            param_list_len: 0,
        };
        let names_len: usize = shape.order.iter().map(|(_, name)| name.len() + 1).sum();
        let mut lists =
            String::with_capacity(names_len + PARAM_LIST_FIELD.len() + SIGNATURE_FIELD.len());
        shape.header_list_len = join_into(&mut lists, &shape.order[split..]);
        lists.push_str(PARAM_LIST_FIELD);
        shape.param_list_len = join_into(&mut lists, &shape.order[..split]);
        lists.push_str(SIGNATURE_FIELD);
        shape.lists = lists;
        Ok(shape)
    }

    /// Whether `req` has this shape: the same names in the same order.
    #[inline]
    pub(super) fn fits(&self, req: &SignableRequest<'_>) -> bool {
        if req.query.len() != self.query_len
            || req.query.len() + req.headers.len() != self.ends.len()
        {
            return false;
        }
        let names = self.names.as_bytes();
        let mut start = 0;
        for ((name, _), &end) in req.query.iter().chain(&req.headers).zip(&self.ends) {
            if names.get(start..end) != Some(name.as_bytes()) {
                return false;
            }
            start = end;
        }
        true
    }

    /// Writes the FormatString of `req` (which must have this shape),
    /// `lower(method)\npathname\nHttpParameters\nHttpHeaders\n`, checking the values of
    /// its unsigned headers, its method, and the values of its signed headers (in the order
    /// [`Shape::new`] and the writing of a new shape check them). Inlined, with the writes
    /// it makes, into the signing path: measured faster there.
    #[inline(always)]
    pub(super) fn write_format_string(
        &self,
        out: &mut impl Out,
        req: &SignableRequest<'_>,
    ) -> Result<()> {
        for &at in &self.unsigned {
            let (name, value) = req.headers.get(at).copied().unwrap_or_default();
            header::check_value(name, value)?;
        }
        check_method(req.method)?;
        out.put_lower(req.method);
        put_ascii(out, b'\n');
        out.put_str(req.pathname);
        put_ascii(out, b'\n');
        let (query, headers) = self.order.split_at(self.query_len);
        for (i, (at, name)) in query.iter().enumerate() {
            if i > 0 {
                put_ascii(out, b'&');
            }
            out.put_str(name);
            put_ascii(out, b'=');
            encode_to(out, req.query.get(*at).map_or("", |q| q.1));
        }
        put_ascii(out, b'\n');
        for (i, (at, name)) in headers.iter().enumerate() {
            if i > 0 {
                put_ascii(out, b'&');
            }
            out.put_str(name);
            put_ascii(out, b'=');
            let (raw, value) = req.headers.get(*at).copied().unwrap_or_default();
            if let Err(bad) = encode_header_value_to(out, value) {
                return Err(header::bad_value(raw, bad));
            }
        }
        put_ascii(out, b'\n');
        Ok(())
    }

    /// The Authorization's text from the header list to `&q-signature=`.
    pub(super) fn lists(&self) -> &str {
        &self.lists
    }

    /// Where the header list and the parameter list are in [`Shape::lists`].
    pub(super) fn list_ranges(&self) -> (Range<usize>, Range<usize>) {
        let params = self.header_list_len + PARAM_LIST_FIELD.len();
        (
            0..self.header_list_len,
            params..params + self.param_list_len,
        )
    }

    /// The canonical form of `req` (which must have this shape).
    pub(super) fn canonical(&self, req: &SignableRequest<'_>) -> Result<CanonicalRequest> {
        let mut format_string = String::new();
        self.write_format_string(&mut format_string, req)?;
        let (headers, params) = self.list_ranges();
        Ok(CanonicalRequest {
            format_string,
            header_list: self.lists[headers].to_owned(),
            url_param_list: self.lists[params].to_owned(),
        })
    }
}

/// Appends the signed names of `entries` joined with `;`, returning their length.
fn join_into(out: &mut String, entries: &[(usize, Box<str>)]) -> usize {
    let start = out.len();
    for (i, (_, name)) in entries.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
    out.len() - start
}
