//! The emulator as a separate process: find (or build) its binary, start it in memory mode on
//! a free loopback port, and stop it when the benchmark ends.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use crate::BoxError;

/// The bucket the emulator creates at start.
pub(crate) const BUCKET: &str = "examplebucket-1250000000";
/// The region of that bucket.
pub(crate) const REGION: &str = "ap-guangzhou";
/// The key pair the emulator accepts.
pub(crate) const SECRET_ID: &str = "AKIDtransferbench";
/// The secret of [`SECRET_ID`].
pub(crate) const SECRET_KEY: &str = "transfer-bench-secret-key";

/// The `cos-emulator` binary: `explicit` when given; otherwise built (release) by cargo, the
/// one that started this program when there is one; otherwise the one next to this program.
pub(crate) fn binary(explicit: Option<PathBuf>) -> Result<PathBuf, BoxError> {
    if let Some(path) = explicit {
        return Ok(path);
    }
    match build_with_cargo() {
        Ok(path) => return Ok(path),
        Err(e) => eprintln!(
            "note: could not build cos-emulator with cargo ({e}); looking beside this program"
        ),
    }
    let exe = std::env::current_exe()?;
    let sibling = exe
        .parent()
        .map(|d| d.join("cos-emulator"))
        .filter(|p| p.is_file())
        .ok_or("no cos-emulator beside this program: pass --emulator PATH")?;
    Ok(sibling)
}

/// `cargo build --release -p cos-emulator --bin cos-emulator` in this workspace, and the path
/// of the executable cargo reports.
fn build_with_cargo() -> Result<PathBuf, BoxError> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "cos-emulator",
            "--bin",
            "cos-emulator",
        ])
        .arg("--message-format=json-render-diagnostics")
        .arg("--manifest-path")
        .arg(&manifest)
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()?;
    if !out.status.success() {
        return Err(format!("cargo build failed ({})", out.status).into());
    }
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] == "compiler-artifact"
            && msg["target"]["name"] == "cos-emulator"
            && let Some(exe) = msg["executable"].as_str()
        {
            return Ok(PathBuf::from(exe));
        }
    }
    Err("cargo reported no cos-emulator executable".into())
}

/// A running emulator process; dropping it kills the process and waits for it.
pub(crate) struct EmulatorProcess {
    child: Child,
    address: String,
}

impl EmulatorProcess {
    /// Starts `binary` in memory mode on `127.0.0.1:0` and waits for its `listening on` line.
    pub(crate) fn start(binary: &Path) -> Result<Self, BoxError> {
        let mut child = Command::new(binary)
            .args(["--secret-id", SECRET_ID, "--secret-key", SECRET_KEY])
            .args(["--bucket", BUCKET, "--region", REGION])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let mut line = String::new();
        if let Some(stdout) = child.stdout.take() {
            BufReader::new(stdout).read_line(&mut line)?;
        }
        let address = line
            .trim()
            .strip_prefix("listening on http://")
            .map(str::to_owned);
        let Some(address) = address else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("the emulator did not say where it listens: {line:?}").into());
        };
        Ok(EmulatorProcess { child, address })
    }

    /// `127.0.0.1:PORT`.
    pub(crate) fn address(&self) -> &str {
        &self.address
    }

    /// The CPU time (user, system) the emulator has used so far, in seconds.
    pub(crate) fn cpu_secs(&self) -> Option<(f64, f64)> {
        crate::rss::cpu_secs(&self.child.id().to_string())
    }

    /// The emulator's peak and current resident set (`VmHWM`, `VmRSS`), in MiB.
    pub(crate) fn memory_mib(&self) -> Option<(f64, f64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        Some((
            crate::rss::status_field_mib(&status, "VmHWM")?,
            crate::rss::status_field_mib(&status, "VmRSS")?,
        ))
    }
}

impl Drop for EmulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
