//! # cos-proto: the sans-IO core of cos-rs
//!
//! cos-proto turns calls of the Tencent Cloud Object Storage (COS) XML API into signed request
//! descriptions and turns responses back into typed data. It is pure: the same inputs always
//! give the same outputs, so every part of it can be tested byte for byte against what the
//! official SDKs produce.
//!
//! ## In scope
//! - Credentials ([`Credentials`]), with secrets that never print.
//! - The COS request signature ([`Signer`], [`GetAuthorization`]) — exact to the official
//!   Node and Python SDKs, each stage a value ([`CanonicalRequest`], [`StringToSign`],
//!   [`SignKey`], [`Authorization`]) — and pre-signed URLs ([`GetObjectUrl`]).
//! - Endpoints: validated [`Bucket`] and [`Region`] names, protocols, default, legacy,
//!   custom-domain and acceleration hosts, path-style addressing and an explicit connect
//!   address ([`Endpoint`]).
//! - Request descriptions ([`Request`]): method, target, path, query, headers, body, and
//!   what signing adds to them.
//! - Input validation: every bad input is an [`Error`] naming the field, before any request
//!   exists.
//! - Planning multipart transfers and their resumption ([`plan`]): part sizes, resume
//!   matching, CRC-64 combination, the resume journal's format.
//!
//! ## Out of scope
//! - Sockets, TLS, HTTP framing: the driver (cos-blocking) sends what cos-proto describes.
//! - Threads and waiting: nothing here blocks, sleeps or spawns. (A [`Signer`] is shareable
//!   across threads, but starts none.)
//! - The clock: every operation that needs the time takes it as an argument (`now`, or a
//!   [`KeyTime`]).
//! - Files and the environment: nothing here opens a file or reads an environment variable.
//!
//! ## Signing in one example
//! ```
//! use cos_proto::{Credentials, KeyTime, SignableRequest, Signer};
//!
//! let signer = Signer::new(Credentials::new("AKIDexample", "secret-key")?);
//! let key_time = KeyTime::new(1_700_000_000, 1_700_000_900)?;
//! let req = SignableRequest::new("PUT", "/photos/a.jpg")
//!     .header("Host", "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com")
//!     .header("Content-Type", "image/jpeg");
//! let auth = signer.sign(&req, key_time)?;
//! assert_eq!(auth.header_list(), "content-type;host");
//! # Ok::<(), cos_proto::Error>(())
//! ```
#![forbid(unsafe_code)]

pub mod credential;
pub mod encode;
pub mod endpoint;
pub mod error;
pub mod header;
mod hmac_sha1;
pub mod http;
pub mod ops;
pub mod plan;
pub mod presign;
pub mod response;
pub mod sign;
pub mod types;
pub mod xml;

pub use credential::{Credentials, Secret};
pub use endpoint::{Bucket, Endpoint, Region, Scheme, Target};
pub use error::{Error, Result, ServiceError};
pub use http::{Body, Method, Request};
pub use ops::Operation;
pub use presign::GetObjectUrl;
pub use response::{Response, ResponseMeta};
pub use sign::{
    Authorization, CanonicalRequest, GetAuthorization, KeyTime, SignKey, SignableRequest, Signer,
    SigningStages, StringToSign,
};
