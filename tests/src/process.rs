//! Running a child program with a time limit, its output captured: what the runners that
//! drive other programs (the interop scripts, the suites in remote mode) share.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// What a finished (or killed) process left.
#[derive(Debug)]
pub struct Captured {
    /// `None` when it was killed after its time limit.
    pub status: Option<ExitStatus>,
    /// Everything it wrote to stderr.
    pub stderr: String,
}

impl Captured {
    /// Whether it exited with status 0 within its time limit.
    pub fn success(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }
}

/// `it exited with ...` for `Some` status, `it was killed after the time limit` for `None`.
pub fn describe_status(status: Option<ExitStatus>) -> String {
    match status {
        Some(s) => format!("it exited with {s}"),
        None => "it was killed after the time limit".to_owned(),
    }
}

/// Runs `command` (stdin closed), hands every stdout line to `on_line` as it comes, collects
/// stderr, and kills the process once `timeout` has passed. `Err` when it cannot be started.
pub fn run_captured(
    mut command: Command,
    timeout: Duration,
    mut on_line: impl FnMut(&str),
) -> Result<Captured, String> {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let (Some(stdout), Some(mut stderr)) = (child.stdout.take(), child.stderr.take()) else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(format!("{program}: its output was not captured"));
    };
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let err_reader = std::thread::spawn(move || {
        let mut text = Vec::new();
        let _ = stderr.read_to_end(&mut text);
        String::from_utf8_lossy(&text).into_owned()
    });
    let deadline = Instant::now() + timeout;
    let mut killed = false;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => on_line(&line),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                killed = true;
                break;
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| format!("cannot wait for {program}: {e}"))?;
    let _ = reader.join();
    let stderr = err_reader.join().unwrap_or_default();
    Ok(Captured {
        status: (!killed).then_some(status),
        stderr,
    })
}
