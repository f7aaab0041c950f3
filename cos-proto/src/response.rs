//! A response from COS as data, and the metadata every output carries.

use std::collections::BTreeMap;

use crate::error::{Error, Result, ServiceError};
use crate::header;
use crate::xml;

/// A response as the driver received it: status, headers, and the body when the operation
/// reads one (a streamed GetObject body is not part of it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// The headers, in the order received.
    pub headers: Vec<(String, String)>,
    /// The body (empty when there is none or the driver streams it elsewhere).
    pub body: Vec<u8>,
}

impl Response {
    /// A response with `status`, no headers and no body.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            ..Response::default()
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// The first header named `name` (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether the status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The metadata every output carries.
    pub fn meta(&self) -> ResponseMeta {
        ResponseMeta {
            status: self.status,
            request_id: self.header(header::REQUEST_ID).map(str::to_owned),
            headers: self.headers.clone(),
        }
    }

    /// Checks the status: a 2xx response is returned as is; anything else becomes the
    /// [`ServiceError`] its body (or, without one, its status) describes.
    pub fn into_success(self, operation: &'static str) -> Result<Response> {
        if self.is_success() {
            Ok(self)
        } else {
            Err(self.service_error(operation))
        }
    }

    /// The [`Error::Service`] this response describes: the fields of an `<Error>` body, or
    /// for a body that is empty or not an error document, a code derived from the status.
    pub fn service_error(&self, operation: &'static str) -> Error {
        let mut err = ServiceError {
            operation,
            status: self.status,
            request_id: self.header(header::REQUEST_ID).map(str::to_owned),
            ..ServiceError::default()
        };
        match xml::parse(operation, &self.body) {
            Ok(root) if root.name == "Error" => {
                err.code = root.text_of("Code").unwrap_or_default();
                err.message = root.text_of("Message").unwrap_or_default();
                err.resource = root.text_of("Resource");
                err.trace_id = root.text_of("TraceId");
                if let Some(id) = root.text_of("RequestId") {
                    err.request_id = Some(id);
                }
            }
            _ => {
                err.code = status_code_name(self.status).to_owned();
                err.message = if self.body.is_empty() {
                    String::new()
                } else {
                    "the error response had no COS error document".to_owned()
                };
            }
        }
        Error::Service(Box::new(err))
    }
}

/// The code used for an error status that came without an `<Error>` body.
fn status_code_name(status: u16) -> &'static str {
    match status {
        304 => "NotModified",
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "AccessDenied",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        409 => "Conflict",
        412 => "PreconditionFailed",
        416 => "InvalidRange",
        500 => "InternalError",
        503 => "ServiceUnavailable",
        _ => "UnknownError",
    }
}

/// What every output carries besides its data: the seed's `statusCode` and `headers`, and
/// the request id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseMeta {
    /// The HTTP status.
    pub status: u16,
    /// The response headers, in the order received.
    pub headers: Vec<(String, String)>,
    /// `x-cos-request-id`.
    pub request_id: Option<String>,
}

impl ResponseMeta {
    /// The first header named `name` (ignoring case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `x-cos-meta-*` headers, keyed by the name after the prefix (lower case).
    pub fn user_metadata(&self) -> BTreeMap<String, String> {
        self.headers
            .iter()
            .filter_map(|(n, v)| {
                let lower = n.to_ascii_lowercase();
                lower
                    .strip_prefix(header::META_PREFIX)
                    .map(|rest| (rest.to_owned(), v.clone()))
            })
            .collect()
    }
}
