//! # cos-blocking: the blocking Tencent Cloud COS client
//!
//! A [`Client`] runs the calls cos-proto describes over HTTP (ureq, with a keep-alive
//! pool): it signs every attempt, streams bodies both ways, checks CRC64, retries what is
//! safe to retry, and corrects its clock when COS says it is off.
//!
//! ```no_run
//! use cos_blocking::{Client, Config, Download, Upload};
//! use cos_blocking::proto::ops::object::{GetObject, PutObject};
//!
//! let client = Client::builder()
//!     .secret("AKIDexample", "secret-key")
//!     .config(Config::default())
//!     .build()?;
//! let put = PutObject {
//!     bucket: "examplebucket-1250000000".into(),
//!     region: "ap-guangzhou".into(),
//!     key: "photos/a.jpg".into(),
//!     ..PutObject::default()
//! };
//! client.put_object_from(&put, Upload::file("a.jpg")?)?;
//! let get = GetObject {
//!     bucket: put.bucket.clone(),
//!     region: put.region.clone(),
//!     key: put.key.clone(),
//!     ..GetObject::default()
//! };
//! client.get_object_into(&get, Download::to_file("copy.jpg"))?;
//! # Ok::<(), cos_blocking::Error>(())
//! ```
//!
//! ## Method families of [`Client`], and their order
//! 1. **Build** once: [`Client::builder`] with exactly one way to authenticate
//!    ([`ClientBuilder::secret`], [`ClientBuilder::credential_provider`],
//!    [`ClientBuilder::authorizer`]) and a [`Config`]; or [`Client::from_env`].
//! 2. **Call** from any thread (the client is `Send + Sync`; clones share everything):
//!    one method per COS operation, taking cos-proto's parameter struct
//!    ([`proto::ops`]) and returning its typed output; [`Client::execute`] runs any
//!    [`proto::Operation`].
//! 3. **Stream** object data with [`Client::put_object_from`] / [`Client::get_object_into`]
//!    and an [`Upload`] / [`Download`] (bytes or `Vec`, a file, any `Read` / `Write`), with
//!    a throttled [`Progress`] callback and a cancel flag.
//! 4. **Transfer tasks** ([`transfer`]): [`Client::slice_upload_file`] (parallel,
//!    resumable multipart upload of a file or stream), [`Client::upload_files`],
//!    [`Client::download_file`] (parallel ranged download, resumable),
//!    [`Client::slice_copy_file`] (server-side copy in parts) — each a task with an id that
//!    [`Client::pause_task`], [`Client::restart_task`] and [`Client::cancel_task`] act on
//!    from other threads.
//! 5. **Sign without calling**: [`Client::get_auth`], [`Client::get_object_url`].
//!
//! Errors are one [`Error`] whose [`ErrorKind`] says what went wrong and whose message
//! names the operation, bucket, key, request id and attempts. Retries follow [`retry`].
//!
//! Requests, responses and retries are logged through the `log` facade (target
//! `cos_blocking`: request lines and statuses at `Debug`, headers at `Trace`), with the
//! values of `Authorization` and `x-cos-security-token` written `<redacted>`. What is
//! promised under faults, crashes and bad input, and the tests that prove it, is in the
//! repository's `RELIABILITY.md`.
//!
//! ## Modules
//! A private `transport` module is the only code that talks to ureq and reads the clock;
//! [`retry`] holds the retry rules; [`auth`] the three ways to authenticate; [`body`] the
//! sources and sinks, progress and CRC64; [`config`] the options; [`error`] the error;
//! [`transfer`] the tasks (their state machine is drawn there).
#![forbid(unsafe_code)]

pub mod auth;
pub mod body;
mod call;
mod client;
pub mod config;
mod env;
pub mod error;
pub mod retry;
pub mod transfer;
mod transport;

pub use cos_proto as proto;

pub use auth::{
    AuthError, AuthorizeRequest, Authorized, Authorizer, CredentialProvider, CredentialScope,
    TemporaryCredentials,
};
pub use body::{Download, Progress, ProgressFn, Upload, crc64};
pub use client::{Client, ClientBuilder, GetObjectData};
pub use config::Config;
pub use error::{Error, ErrorContext, ErrorKind, Result, TimeoutPhase};
pub use retry::RetryPolicy;
pub use transfer::{
    DownloadFile, DownloadFileOutput, Resume, SliceCopyFile, SliceCopyFileOutput, SliceUploadFile,
    SliceUploadFileOutput, TaskId, TaskInfo, TaskKind, TaskState, UploadBody, UploadFiles,
};

/// The README's Rust examples, compiled (and the ones not marked `no_run` run) as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeExamples;
