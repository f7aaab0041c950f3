//! The emulator as a process of its own, for the tests that kill and restart the server:
//! the `cos-emulator` library with the blocking suites' credential and bucket, keeping its
//! data in a directory.
//!
//! Usage: `emulator-child LISTEN DATA_DIR [UPLOAD_PART_DELAY_MS]`. Prints
//! `listening on http://127.0.0.1:PORT` as its first line, then serves until killed.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use cos_emulator::{Emulator, FaultAction, FaultRule, Trigger};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (listen, dir, delay) = match args.as_slice() {
        [listen, dir] => (listen, dir, 0),
        [listen, dir, delay] => match delay.parse::<u64>() {
            Ok(ms) => (listen, dir, ms),
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    let Ok(listen) = listen.parse::<SocketAddr>() else {
        return usage();
    };
    let mut builder = Emulator::builder()
        .listen(listen)
        .data_dir(dir)
        .credential("AKIDblockingtest", "blocking-secret-key")
        .bucket("examplebucket-1250000000");
    if delay > 0 {
        builder = builder.fault(FaultRule::new(
            "UploadPart",
            Trigger::Always,
            FaultAction::Delay(Duration::from_millis(delay)),
        ));
    }
    let emulator = match builder.start() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("emulator-child: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    if writeln!(out, "listening on {}", emulator.url())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(out);
    loop {
        std::thread::park();
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: emulator-child LISTEN DATA_DIR [UPLOAD_PART_DELAY_MS]");
    ExitCode::from(2)
}
