//! The one body every call function shares: check the pointers, read the parameters into
//! cos-proto's struct, run it through cos-blocking's client, hand out the output.

use cos_blocking::Client;

use crate::boundary::{OutPtr, arg_ref, guard, into_handle};
use crate::client::cos_client;
use crate::error::{Failure, FfiResult, cos_result};
use crate::output::{ToOutput, cos_output};
use crate::params::{Take, cos_params};

/// Runs call `name`: `build` makes its parameters from `params` (NULL: none given), then
/// `run` executes them on the client (a cos-blocking method, or a closure failing with
/// cos-ffi's own errors); the output goes to `out` only on success.
///
/// # Safety
/// `client` must be a live client; `params` NULL or a live parameter set; `out` writable.
pub(crate) unsafe fn call<P, R: ToOutput, E>(
    name: &'static str,
    client: *const cos_client,
    params: *const cos_params,
    out: *mut *mut cos_output,
    build: impl FnOnce(&mut Take<'_>, &Client) -> FfiResult<P>,
    run: impl FnOnce(&Client, &P) -> Result<R, E>,
) -> cos_result
where
    Failure: From<E>,
{
    guard(|| {
        let out = OutPtr::new(out, "out")?;
        // SAFETY: forwarded to the caller's guarantee.
        let client = &unsafe { arg_ref(client, "client") }?.client;
        let empty = cos_params::default();
        // SAFETY: forwarded to the caller's guarantee (NULL means no parameters).
        let params = unsafe { params.as_ref() }.unwrap_or(&empty);
        let mut take = Take::new(name, params);
        let op = build(&mut take, client)?;
        take.finish()?;
        let output = run(client, &op)?.to_output()?;
        // SAFETY: `out` checked; writable by the caller's guarantee.
        unsafe { out.write(into_handle(output)) };
        Ok(())
    })
}
