//! The COS errors the emulator answers with: status, `Code`, `Message`, and extra headers.

/// One COS error: the HTTP status, the `<Code>`, the `<Message>`, and headers to add (such as
/// `Date` on `RequestTimeTooSkewed` or `Content-Range` on `InvalidRange`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CosError {
    pub(crate) status: u16,
    pub(crate) code: &'static str,
    pub(crate) message: String,
    pub(crate) headers: Vec<(String, String)>,
}

impl CosError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        CosError {
            status,
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn no_such_bucket() -> Self {
        CosError::new(404, "NoSuchBucket", "The specified bucket does not exist.")
    }

    pub(crate) fn no_such_key() -> Self {
        CosError::new(404, "NoSuchKey", "The specified key does not exist.")
    }

    pub(crate) fn access_denied(message: impl Into<String>) -> Self {
        CosError::new(403, "AccessDenied", message)
    }

    pub(crate) fn invalid_argument(message: impl Into<String>) -> Self {
        CosError::new(400, "InvalidArgument", message)
    }

    pub(crate) fn malformed_xml(message: impl Into<String>) -> Self {
        CosError::new(400, "MalformedXML", message)
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        CosError::new(500, "InternalError", message)
    }

    pub(crate) fn io(err: &std::io::Error) -> Self {
        CosError::internal(format!("storage error: {err}"))
    }
}
