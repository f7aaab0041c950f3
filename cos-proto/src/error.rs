//! The one error type of cos-proto.

use std::borrow::Cow;
use std::fmt;

/// Everything that can go wrong in cos-proto: a rejected input, found before any request is
/// built or sent.
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
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { field, reason } => write!(f, "invalid {field}: {reason}"),
        }
    }
}

impl std::error::Error for Error {}

/// Shorthand for results whose error is cos-proto's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
