//! The one error type of cos-proto.

use std::borrow::Cow;
use std::fmt;

/// Everything that can go wrong in cos-proto: a rejected input (found before any request is
/// built), an error COS answered with, or a response that cannot be read.
///
/// Messages name the parameter by the seed's name (`Bucket`, `Region`, `Headers`, `Expires`,
/// ...) and say why it was rejected. They never contain a secret key, a security token or a
/// header value, only names.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A caller-supplied value was rejected before any request was built.
    InvalidInput {
        /// The parameter, as the seed names it; for headers and query parameters the entry,
        /// e.g. `Headers[x-cos-meta-a]`.
        field: Cow<'static, str>,
        /// Why the value was rejected.
        reason: Cow<'static, str>,
    },
    /// COS answered with an error: an `<Error>` body, or an error status without one.
    Service(Box<ServiceError>),
    /// A response could not be understood: not XML, truncated, too large, or missing a
    /// required element.
    Parse {
        /// The operation whose response it was (`GetBucket`, ...).
        operation: &'static str,
        /// What was wrong with it.
        reason: String,
    },
}

/// An error reported by COS.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ServiceError {
    /// The operation that failed (`PutObject`, ...).
    #[serde(skip)]
    pub operation: &'static str,
    /// The HTTP status.
    #[serde(skip)]
    pub status: u16,
    /// COS's error code (`NoSuchKey`, `SignatureDoesNotMatch`, ...). Without an error body
    /// (a HEAD, or a proxy's answer) it is derived from the status (`NotFound`, ...).
    pub code: String,
    /// COS's explanation.
    pub message: String,
    /// The resource the error is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The request id, from the body or the `x-cos-request-id` header.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// The trace id COS support asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace_id: Option<String>,
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed: HTTP {} {}",
            self.operation, self.status, self.code
        )?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(resource) = &self.resource {
            write!(f, " (resource {resource})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl Error {
    /// Builds an [`Error::InvalidInput`] for `field`, explaining `reason`.
    pub fn invalid(
        field: impl Into<Cow<'static, str>>,
        reason: impl Into<Cow<'static, str>>,
    ) -> Self {
        Error::InvalidInput {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// The parameter an [`Error::InvalidInput`] is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::InvalidInput { field, .. } => Some(field),
            _ => None,
        }
    }

    /// Builds an [`Error::Parse`] for a response of `operation`.
    pub fn parse(operation: &'static str, reason: impl Into<String>) -> Self {
        Error::Parse {
            operation,
            reason: reason.into(),
        }
    }

    /// The COS error, when COS answered with one.
    pub fn service(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { field, reason } => write!(f, "invalid {field}: {reason}"),
            Error::Service(e) => e.fmt(f),
            Error::Parse { operation, reason } => {
                write!(f, "{operation}: cannot read the response: {reason}")
            }
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results whose error is cos-proto's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
