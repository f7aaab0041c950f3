//! # cos-ffi: the C API of cos-rs
//!
//! C and C++ programs link this crate (`libcos_ffi.a` or `libcos_ffi.so`) and include
//! `include/cos.h`, which cbindgen generates from this source (a test regenerates it and
//! fails on any difference). Every call runs through cos-blocking's client, so C gets the
//! same signing, retries, clock-skew correction, streaming and CRC64 checks as Rust.
//!
//! ```c
//! cos_client_builder *b = cos_client_builder_new();
//! cos_client_builder_set_secret(b, "AKIDexample", "secret-key");
//! cos_client_builder_set_option(b, "Region", "ap-guangzhou");
//! cos_client *client = NULL;
//! if (cos_client_builder_build(b, &client) != COS_RESULT_OK) { /* cos_last_error_message */ }
//! cos_client_builder_free(b);
//!
//! cos_params *p = cos_params_new();
//! cos_params_set(p, "Bucket", "examplebucket-1250000000");
//! cos_params_set(p, "Prefix", "photos/");
//! cos_output *list = NULL;
//! if (cos_client_get_bucket(client, p, &list) == COS_RESULT_OK) {
//!     const cos_value *contents = cos_output_get(list, "Contents");
//!     for (size_t i = 0; i < cos_value_count(contents); i++) {
//!         const char *key; size_t len;
//!         cos_value_str(cos_value_get(cos_value_at(contents, i), "Key"), &key, &len);
//!         printf("%.*s\n", (int)len, key);
//!     }
//! }
//! cos_output_free(list);
//! cos_params_free(p);
//! cos_client_free(client);
//! ```
//!
//! ## Conventions (every function obeys them)
//!
//! 1. **Opaque handles.** `cos_client_builder`, `cos_client`, `cos_params`, `cos_upload`,
//!    `cos_download`, `cos_task_callbacks` and `cos_output` are only ever seen through
//!    pointers. Each is made by
//!    a `_new` function (or a call's out-parameter) and freed by its `_free` function;
//!    `_free(NULL)` is a no-op. Freeing twice, or using a handle after freeing it, is the
//!    caller's bug.
//! 2. **Result codes.** Every function that can fail returns a [`cos_result`]:
//!    `COS_RESULT_OK` (0) or a failure code. The numbers are stable and documented on the
//!    enum; [`cos_result_name`] gives a code's name. Functions that cannot fail (the
//!    `_free` functions, counts, kinds, lookups) return their value directly.
//! 3. **Out-parameters last, written only on success.** Results come back through the
//!    trailing `out`-style pointers, which are written only when the function returns
//!    `COS_RESULT_OK` (one exception: on `COS_RESULT_INSUFFICIENT_SIZE`, `out_len` receives
//!    the length needed). A failing call leaves them as they were.
//! 4. **Every pointer is checked.** A NULL where a value is required fails with
//!    `COS_RESULT_NULL_PARAMETER` (or, for the lookups, returns NULL); text that is not
//!    UTF-8 fails with `COS_RESULT_INVALID_PARAMETER`. A non-NULL pointer must point to what
//!    the function says: that cannot be checked.
//! 5. **No panic crosses the boundary.** Every exported body runs inside a panic guard; a
//!    panic (a bug) becomes `COS_RESULT_PANIC` with its message in the last error.
//! 6. **Last error per thread.** A function that fails records why on the calling thread:
//!    the message (naming the operation, bucket, key, request id and attempts — never a
//!    secret), and when COS answered, the HTTP status ([`cos_last_error_status`]) and COS's
//!    `Code`, `Message`, `RequestId`, `TraceId`, `Resource`. `cos_last_error_*` copy them
//!    into the caller's buffer as NUL-terminated strings (with `COS_RESULT_INSUFFICIENT_SIZE`
//!    and the length needed when it is too small). Reading never changes the record;
//!    successful calls leave it alone.
//! 7. **Strings in** are NUL-terminated UTF-8, copied before the function returns (the
//!    caller may free them right after); object data in is a pointer and a length.
//!    **Strings out** are a pointer and a length, borrowed from the handle they come from
//!    and valid until it is freed; they are also NUL-terminated, so `%s` works too.
//! 8. **Callbacks** (progress, read, write, credential provider, authorizer, and the
//!    transfer tasks' task ready, hash progress and file finish) are function pointers with
//!    `void *userdata` first. A callback runs on the thread of the call that needs it —
//!    for sliceUploadFile, downloadFile and sliceCopyFile too (their worker threads never
//!    call C); uploadFiles runs its files' callbacks on the file threads it starts (see
//!    [`cos_client_upload_files`]); the provider and authorizer of a client used from
//!    several threads may run on several threads at once. Pointers a callback receives are
//!    valid only until it returns. A non-zero return from a progress, task-ready or
//!    file-finish callback cancels the transfer (`COS_RESULT_CANCELED`); from the others,
//!    it fails the call.
//! 9. **Threads.** A `cos_client` may be used from several threads at once (the task
//!    controls — `cos_client_pause_task` and friends — are meant to be called from another
//!    thread than the blocked task call; `examples/threads.c` runs four threads on one
//!    client, each with its own last error); an output may be read from several threads at
//!    once. Builders, parameter sets, uploads, downloads and callback sets are set up from
//!    one thread at a time (a call only reads them).
//!
//! ## Parameters by name, results as the seed's data
//!
//! A call's parameters go in a `cos_params`, set by the names of the seed (the JavaScript
//! SDK's API reference): `cos_params_set(p, "Key", "a.txt")`, `"MaxKeys"`, `"ACL"`,
//! `"x-cos-meta-author"`, ...; its lists (`Headers`, `Query`, `Objects`, `Parts`,
//! `CORSRules`, `AccessControlPolicy`) have `cos_params_add_*` functions. A name the call
//! does not take fails the call (`COS_RESULT_INVALID_PARAMETER` naming it); values are
//! checked by cos-proto exactly as for Rust callers. Client options work the same way
//! ([`cos_client_builder_set_option`], listed in [`client`]). This keeps the header short
//! and stable (adding a parameter adds no function and changes no struct) and lets a C
//! program follow the seed's reference directly; `Bucket` and `Region` default to the
//! client's `Bucket` and `Region` options.
//!
//! A call's result is a `cos_output`: a tree shaped exactly like the data the seed's
//! callback receives (`Contents[i].Key`, `CommonPrefixes[i].Prefix`, `Grants[i].Permission`,
//! `CORSRules[i].AllowedOrigins[j]`, `Part[i].ETag`, `Upload[i].UploadId`, ...) plus
//! `statusCode`, `headers` and `RequestId`. Walk it with [`cos_output_get`],
//! [`cos_value_get`], [`cos_value_count`], [`cos_value_at`], [`cos_value_name_at`]; read
//! leaves with [`cos_value_str`], [`cos_value_u64`], [`cos_value_bool`]. Every returned
//! field of every call is there, under the seed's name. Lookups return NULL for what is
//! absent and the readers answer NULL with `COS_RESULT_NOT_FOUND`, so lookups chain.
//!
//! ## Calls
//!
//! - **client**: [`cos_client_builder_new`], `cos_client_builder_set_secret` (+
//!   `_set_security_token`), `_set_credential_provider` (Format 1),
//!   `_set_authorizer` (Format 2), `_set_option`, `_build`; [`cos_client_new_from_env`];
//!   [`cos_client_free`];
//! - **signing**: [`cos_get_authorization`], [`cos_client_get_auth`],
//!   [`cos_client_get_object_url`];
//! - **bucket** ([`bucket`]), **object** ([`object`]), **ACL** ([`acl`]), **CORS**
//!   ([`cors`]), **multipart** ([`multipart`]): one `cos_client_<call>(client, params,
//!   [upload | download,] &out)` per call of the seed.
//! - **transfer tasks** ([`task`]): [`cos_client_slice_upload_file`],
//!   [`cos_client_upload_files`], [`cos_client_download_file`],
//!   [`cos_client_slice_copy_file`] — `(client, params, callbacks, &out)`, blocking until
//!   the task ends, with a [`cos_task_callbacks`] set (task ready with the task's
//!   `uint64_t` id, progress, hash progress, file finish); and by task id, from any thread,
//!   [`cos_client_pause_task`], [`cos_client_restart_task`], [`cos_client_cancel_task`],
//!   [`cos_client_cancel_task_keep`], [`cos_client_task_state`] (a [`cos_task_state`]),
//!   [`cos_client_task_list`].

pub mod acl;
mod boundary;
pub mod bucket;
mod call;
pub mod callbacks;
pub mod client;
pub mod cors;
pub mod error;
pub mod multipart;
pub mod object;
pub mod output;
pub mod params;
pub mod sign;
pub mod task;
pub mod transfer;

pub use cos_blocking as blocking;

pub use acl::*;
pub use bucket::*;
pub use callbacks::*;
pub use client::*;
pub use cors::*;
pub use error::*;
pub use multipart::*;
pub use object::*;
pub use output::*;
pub use params::*;
pub use sign::*;
pub use task::*;
pub use transfer::*;
