//! A response before it is written: status, headers, body.

use std::io::Read;

use cos_proto::header;

use crate::error::CosError;
use crate::pieces::Pieces;
use crate::route::Ctx;

/// The body of a [`Reply`].
pub(crate) enum Body {
    /// None.
    Empty,
    /// Bytes in memory (XML documents).
    Bytes(Vec<u8>),
    /// Object data, streamed, of exactly this length.
    Stream(Box<dyn Read + Send>, u64),
    /// Object data in memory, written to the socket as it is stored.
    Memory(Pieces),
    /// No body, but `Content-Length` says this (HEAD Object).
    HeadOnly(u64),
}

/// A response.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Body,
}

impl Reply {
    pub(crate) fn new(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub(crate) fn push_header(&mut self, name: &str, value: impl Into<String>) {
        self.headers.push((name.to_owned(), value.into()));
    }

    /// A 200 with an XML document.
    pub(crate) fn xml(doc: Vec<u8>) -> Self {
        let mut body = Vec::with_capacity(doc.len() + 40);
        body.extend_from_slice(XML_DECL);
        body.extend_from_slice(&doc);
        Reply {
            status: 200,
            headers: vec![(
                header::CONTENT_TYPE.to_owned(),
                "application/xml".to_owned(),
            )],
            body: Body::Bytes(body),
        }
    }

    /// The error document for `err`.
    pub(crate) fn error(err: &CosError, ctx: Option<&Ctx>, request_id: &str) -> Self {
        let mut w = cos_proto::xml::Writer::new();
        w.open("Error")
            .leaf("Code", err.code)
            .leaf("Message", &err.message)
            .leaf("Resource", &ctx.map(Ctx::resource).unwrap_or_default())
            .leaf("RequestId", request_id)
            .leaf("TraceId", &trace_id(request_id))
            .close("Error");
        let mut reply = Reply::xml(w.finish());
        reply.status = err.status;
        reply.push_header("x-cos-trace-id", trace_id(request_id));
        for (n, v) in &err.headers {
            reply.push_header(n, v.clone());
        }
        reply
    }
}

/// The XML declaration COS starts its documents with.
pub(crate) const XML_DECL: &[u8] = b"<?xml version='1.0' encoding='utf-8' ?>";

/// A trace id derived from the request id.
pub(crate) fn trace_id(request_id: &str) -> String {
    format!("trace-{request_id}")
}
