//! Stage 1 of the signature: the request's signed parts, validated, encoded and sorted into
//! the FormatString and the two name lists (SIGNING.md sections 2–5).

use std::ops::Range;

use crate::encode::{self, encode_into, encode_lower_into};
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
        let sorted = Sorted::new(req)?;
        let mut header_list = String::new();
        let mut url_param_list = String::new();
        sorted.write_names(&mut header_list, sorted.headers());
        sorted.write_names(&mut url_param_list, sorted.query());
        Ok(CanonicalRequest {
            format_string: sorted.format_string(req)?,
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

/// The signed query parameters and headers of a request, validated, with their names
/// encoded and lower-cased once into one buffer, and sorted by those names.
pub(super) struct Sorted<'a> {
    /// Every signed name not in the fixed list, `lower(enc(name))`, back to back.
    names: String,
    /// (signed name, raw value): the query parameters, then the headers.
    entries: Vec<(Name, &'a str)>,
    /// Where the headers start in `entries`.
    split: usize,
}

/// A signed name: a fixed lower-case header name, or a range of [`Sorted::names`].
#[derive(Clone)]
pub(super) enum Name {
    Known(&'static str),
    Encoded(Range<usize>),
}

impl<'a> Sorted<'a> {
    fn name(&self, name: &Name) -> &str {
        match name {
            Name::Known(s) => s,
            Name::Encoded(r) => &self.names[r.clone()],
        }
    }

    /// The length of the two name lists together, separators included.
    pub(super) fn names_len(&self) -> usize {
        self.entries
            .iter()
            .map(|(n, _)| self.name(n).len() + 1)
            .sum()
    }

    pub(super) fn new(req: &SignableRequest<'a>) -> Result<Self> {
        if req.method.is_empty() || !req.method.bytes().all(|b| b.is_ascii_alphabetic()) {
            return Err(Error::invalid(
                "Method",
                "must be a non-empty word of ASCII letters",
            ));
        }
        let cap: usize = req
            .query
            .iter()
            .chain(&req.headers)
            .map(|(n, _)| n.len())
            .sum();
        let mut sorted = Sorted {
            names: String::with_capacity(cap + cap / 4),
            entries: Vec::with_capacity(req.query.len() + req.headers.len()),
            split: 0,
        };
        for &(name, value) in &req.query {
            if name.is_empty() {
                return Err(Error::invalid("Query", "a parameter name is empty"));
            }
            sorted.push(name, value);
        }
        sorted.split = sorted.entries.len();
        for &(name, value) in &req.headers {
            // Values of signed headers are checked while encoded into the FormatString.
            if let Some(known) = header::known_signed_lower(name) {
                sorted.entries.push((Name::Known(known), value));
                continue;
            }
            let start = sorted.names.len();
            encode::encode_header_name_into(&mut sorted.names, name)
                .map_err(|()| header::bad_name(name))?;
            if header::is_signed_lower(&sorted.names.as_bytes()[start..]) {
                sorted
                    .entries
                    .push((Name::Encoded(start..sorted.names.len()), value));
            } else {
                sorted.names.truncate(start);
                header::check_value(name, value)?;
            }
        }
        let names = sorted.names.as_str();
        let resolve = |n: &Name| -> &str {
            match n {
                Name::Known(s) => s,
                Name::Encoded(r) => &names[r.clone()],
            }
        };
        let (query, headers) = sorted.entries.split_at_mut(sorted.split);
        for (list, label, raw) in [
            (query, "Query", &req.query),
            (headers, "Headers", &req.headers),
        ] {
            list.sort_unstable_by(|(a, _), (b, _)| resolve(a).cmp(resolve(b)));
            if let Some(pair) = list
                .windows(2)
                .find(|p| resolve(&p[0].0) == resolve(&p[1].0))
            {
                let dup = resolve(&pair[1].0);
                let name = raw
                    .iter()
                    .map(|(n, _)| *n)
                    .filter(|n| encode::encode_lower(n) == dup)
                    .nth(1)
                    .unwrap_or(dup);
                return Err(header::duplicate(label, name));
            }
        }
        Ok(sorted)
    }

    fn push(&mut self, name: &str, value: &'a str) {
        let start = self.names.len();
        encode_lower_into(&mut self.names, name);
        self.entries
            .push((Name::Encoded(start..self.names.len()), value));
    }

    pub(super) fn query(&self) -> &[(Name, &'a str)] {
        &self.entries[..self.split]
    }

    pub(super) fn headers(&self) -> &[(Name, &'a str)] {
        &self.entries[self.split..]
    }

    pub(super) fn format_string(&self, req: &SignableRequest<'_>) -> Result<String> {
        let values: usize = self.entries.iter().map(|(_, v)| v.len()).sum();
        let mut fs = String::with_capacity(
            req.method.len()
                + req.pathname.len()
                + self.names.len()
                + values * 3 / 2
                + 2 * self.entries.len()
                + 4,
        );
        fs.extend(req.method.chars().map(|c| c.to_ascii_lowercase()));
        fs.push('\n');
        fs.push_str(req.pathname);
        fs.push('\n');
        for (i, (name, value)) in self.query().iter().enumerate() {
            if i > 0 {
                fs.push('&');
            }
            fs.push_str(self.name(name));
            fs.push('=');
            encode_into(&mut fs, value);
        }
        fs.push('\n');
        for (i, (name, value)) in self.headers().iter().enumerate() {
            if i > 0 {
                fs.push('&');
            }
            fs.push_str(self.name(name));
            fs.push('=');
            if let Err(bad) = encode::encode_header_value_into(&mut fs, value) {
                let raw = req
                    .headers
                    .iter()
                    .find(|(_, v)| v == value)
                    .map_or("", |(n, _)| *n);
                return Err(header::bad_value(raw, bad));
            }
        }
        fs.push('\n');
        Ok(fs)
    }

    pub(super) fn write_names(&self, out: &mut String, list: &[(Name, &str)]) {
        for (i, (name, _)) in list.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            out.push_str(self.name(name));
        }
    }
}
