//! # cosctl: Tencent Cloud COS from the command line
//!
//! A small tool over cos-blocking: `ls`, `put` / `get` (files and directories), `rm`, `cp`
//! (server-side), `mb` / `rb`, `stat`, `presign`, `acl get|set`, `cors get|set|rm`. Remote
//! paths are written `cos://BUCKET/KEY`. `cosctl --help` and `cosctl COMMAND --help` tell
//! the details.
//!
//! Settings come from the flags, then the environment, then a config file (see the
//! `settings` module). Transfers show progress bars when stdout is a terminal. Every failure
//! ends the program with one line on stderr, `cosctl: ...`, and exit status 1 (2 for a
//! command line that cannot be parsed).
//!
//! The modules: `args` (the command line), `settings` (credentials, region, endpoint),
//! `path` (`cos://` paths), `fail` (the error), `progress` (the bars), and one module per
//! group of commands under `cmd`.
#![forbid(unsafe_code)]

mod args;
mod cmd;
mod fail;
mod path;
mod progress;
mod settings;

use std::process::ExitCode;

use clap::Parser;

use crate::args::Cli;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return args::usage_error(e),
    };
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(fail) => fail.report(),
    }
}
