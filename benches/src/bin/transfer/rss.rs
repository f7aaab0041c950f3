//! What `/proc` tells of the two processes: the client's peak resident set (`VmHWM` of
//! `/proc/self/status`, reset between phases by writing `5` to `/proc/self/clear_refs`,
//! Linux 4.0 and later), and the CPU time a process has used.

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

/// The CPU time (user, system) process `pid` (`self` for this one) has used so far, in
/// seconds, from `/proc/{pid}/stat` (in clock ticks of 1/100 s, as on every Linux here).
pub(crate) fn cpu_secs(pid: &str) -> Option<(f64, f64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name in parentheses; utime and stime are the 14th and 15th.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user / 100.0, system / 100.0))
}
