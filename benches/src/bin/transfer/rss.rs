//! The client's peak resident set: `VmHWM` of `/proc/self/status`, reset between phases by
//! writing `5` to `/proc/self/clear_refs` (Linux 4.0 and later).

/// A field of a `/proc/PID/status` text (`VmHWM:     1234 kB`), in MiB.
pub(crate) fn status_field_mib(status: &str, name: &str) -> Option<f64> {
    let line = status.lines().find(|l| {
        l.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(':'))
    })?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// This process's peak resident set since start or the last [`reset_peak`], in MiB.
pub(crate) fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status_field_mib(&status, "VmHWM")
}

/// Resets the peak to the current resident set; false when the kernel does not allow it
/// (the peaks are then cumulative).
pub(crate) fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}
