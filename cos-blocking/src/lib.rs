//! # cos-blocking: the blocking COS client (work in progress)
//!
//! This crate will hold the `Client` that drives [`cos_proto`] over `ureq`: every COS call as
//! a blocking method, the three ways to authenticate (static key, credential provider,
//! per-request authorizer), retries with backoff, streaming bodies with CRC64 checks, and the
//! transfer tasks (sliceUploadFile, uploadFiles, sliceCopyFile, downloadFile) with
//! pause/cancel/restart and resume. Until then it re-exports cos-proto, whose signing and
//! request descriptions it builds on.
#![forbid(unsafe_code)]

pub use cos_proto as proto;
