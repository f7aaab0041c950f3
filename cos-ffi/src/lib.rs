//! # cos-ffi: the C API of cos-rs (work in progress)
//!
//! This crate will expose every cos-rs call to C and C++ through a cbindgen-generated header
//! (`include/cos.h`), following rustls-ffi's conventions: opaque handles, numbered result
//! codes, out-parameters written only on success, `_new`/`_free` pairs, callbacks with
//! `void *userdata` first, and no panic crossing the boundary. It is the one crate allowed
//! `unsafe` code, where every pointer is checked. For now it only links cos-blocking.

pub use cos_blocking as blocking;
