//! Helpers shared by the operations' unit tests.

use crate::endpoint::Endpoint;
use crate::error::Error;
use crate::http::{Body, Request};
use crate::ops::Operation;
use crate::response::Response;
use crate::xml::Element;

pub(crate) const BUCKET: &str = "examplebucket-1250000000";
pub(crate) const REGION: &str = "ap-guangzhou";
pub(crate) const BASE: &str = "https://examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";

/// A bad-input case: how to spoil a valid operation, and the field its error must name.
pub(crate) type Case<T> = (fn(&mut T), &'static str);

/// The field named by the error of `op` after `change`.
pub(crate) fn bad_field<T: Operation + Clone>(op: &T, change: impl FnOnce(&mut T)) -> String {
    let mut op = op.clone();
    change(&mut op);
    let err = op.to_request(&Endpoint::new()).expect_err("invalid");
    err.field().unwrap_or_default().to_owned()
}

pub(crate) fn parse_err<T: Operation>(op: &T, response: Response) -> Error {
    op.parse(response).err().expect("an error")
}

/// The operation of a parse error.
pub(crate) fn parse_op(err: &Error) -> Option<&'static str> {
    match err {
        Error::Parse { operation, .. } => Some(operation),
        _ => None,
    }
}

/// An element tree without the whitespace-only text between elements.
pub(crate) fn strip(mut el: Element) -> Element {
    if !el.children.is_empty() && el.text.trim().is_empty() {
        el.text.clear();
    }
    el.children = el.children.into_iter().map(strip).collect();
    el
}

pub(crate) fn body_of(req: &Request) -> &[u8] {
    match &req.body {
        Body::Bytes(b) => b,
        other => panic!("expected an in-memory body, got {other:?}"),
    }
}
