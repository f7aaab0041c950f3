//! The commands: [`run`] reads the settings, builds the client and runs one command.
//!
//! - `list`: `ls`, and the paged listing other commands use;
//! - `transfer`: `put` and `get`;
//! - `object`: `rm`, `cp`, `stat`, `presign`;
//! - `bucket`: `mb`, `rb`, `acl`, `cors`.

mod bucket;
mod list;
mod object;
mod transfer;

use std::fmt::Display;
use std::io::Write;

use cos_blocking::Client;
use cos_blocking::proto::ops::bucket::HeadBucket;

use crate::args::{Acl, Cli, Command, Cors};
use crate::fail::{Fail, Result};
use crate::path::CosPath;
use crate::settings::Settings;

/// What every command works with.
pub(crate) struct Ctx {
    client: Client,
    settings: Settings,
}

impl Ctx {
    /// The region of the buckets.
    fn region(&self) -> Result<String> {
        self.settings.region().map(str::to_owned)
    }
}

/// Runs the command of `cli`.
pub(crate) fn run(cli: Cli) -> Result {
    let settings = Settings::read(&cli.global, |name| std::env::var(name).ok())?;
    let ctx = Ctx {
        client: settings.client()?,
        settings,
    };
    match cli.command {
        Command::Ls(a) => list::ls(&ctx, &a),
        Command::Put(a) => transfer::put(&ctx, &a),
        Command::Get(a) => transfer::get(&ctx, &a),
        Command::Rm(a) => object::rm(&ctx, &a),
        Command::Cp(a) => object::cp(&ctx, &a),
        Command::Stat(a) => object::stat(&ctx, &a.path),
        Command::Presign(a) => object::presign(&ctx, &a),
        Command::Mb(a) => bucket::mb(&ctx, &a),
        Command::Rb(a) => bucket::rb(&ctx, &a.bucket),
        Command::Acl(Acl::Get(a)) => bucket::acl_get(&ctx, &a.path),
        Command::Acl(Acl::Set(a)) => bucket::acl_set(&ctx, &a),
        Command::Cors(Cors::Get(a)) => bucket::cors_get(&ctx, &a.bucket),
        Command::Cors(Cors::Set(a)) => bucket::cors_set(&ctx, &a),
        Command::Cors(Cors::Rm(a)) => bucket::cors_rm(&ctx, &a.bucket),
    }
}

/// Prints one line on stdout.
fn out(line: impl Display) -> Result {
    writeln!(std::io::stdout().lock(), "{line}").map_err(|e| Fail::stdout(&e))
}

/// Fails unless `path` names an object (a non-empty key).
fn need_key(path: &CosPath, hint: &str) -> Result {
    if path.key.is_empty() {
        return Err(Fail::new(format!("{path} names no object{hint}")));
    }
    Ok(())
}

/// The failure for a 404 on a HEAD of `path` (which has no body to tell why): a missing
/// bucket or a missing object, asking COS which.
fn not_found(ctx: &Ctx, path: &CosPath) -> Fail {
    let bucket = ctx.region().and_then(|region| {
        Ok(ctx.client.head_bucket(&HeadBucket {
            bucket: path.bucket.clone(),
            region,
        })?)
    });
    match bucket {
        Err(_) => Fail::new(format!("cos://{}: no such bucket", path.bucket)),
        Ok(_) => Fail::new(format!("{path}: no such object")),
    }
}

/// Whether `e` is COS's 404.
fn is_not_found(e: &cos_blocking::Error) -> bool {
    e.status() == Some(404)
}

/// Fails unless `path` names only a bucket.
fn need_bucket_only(path: &CosPath) -> Result {
    if !path.key.is_empty() {
        return Err(Fail::new(format!(
            "{path} is an object path; this command takes cos://{}",
            path.bucket
        )));
    }
    Ok(())
}
