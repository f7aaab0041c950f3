//! When a failed attempt is tried again, and how long to wait first.
//!
//! An attempt is retried when all of these hold:
//! - the failure is transient: the connection failed or broke, a timeout fired, or COS
//!   answered 5xx (500 InternalError, 503 SlowDown / ServiceUnavailable, ...);
//! - the operation is safe to repeat ([`cos_proto::Operation::is_idempotent`]);
//! - the request body can be sent again (bytes in memory, a file: yes; a caller's `Read`
//!   stream: no) and the response sink can be rewound (a `Vec` or a file: yes; a caller's
//!   `Write` that already received bytes: no);
//! - fewer than [`RetryPolicy::max_attempts`] attempts were made.
//!
//! Every attempt is signed again (a fresh key time) and retries carry
//! `x-cos-sdk-retry: true`, which is signed like every `x-cos-*` header.
//!
//! The wait before retry *n* (1-based) is drawn uniformly from `[cap/2, cap]`, where
//! `cap = min(max_backoff, initial_backoff × 2^(n-1))` ("equal jitter": never zero, never
//! in lockstep with other clients). The random numbers come from a SplitMix64 generator
//! whose seed is [`RetryPolicy::seed`], so a test can fix it.
//!
//! Clock skew is handled apart from this policy: a request COS rejects as
//! `RequestTimeTooSkewed` (or `AccessDenied` "Request has expired") is retried once,
//! signed with the server's time, whatever the operation (COS did not act on it).

use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// How failed attempts are retried. Defaults: 3 attempts in all, backoff from 100 ms
/// doubling up to 5 s, a random seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    pub(crate) max_attempts: u32,
    pub(crate) initial_backoff: Duration,
    pub(crate) max_backoff: Duration,
    pub(crate) seed: Option<u64>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            seed: None,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries (one attempt).
    pub fn none() -> Self {
        RetryPolicy::default().max_attempts(1)
    }

    /// How many attempts a call may make in all, the first included. Default 3; at
    /// least 1.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The wait cap before the first retry; it doubles for each further retry. Default
    /// 100 ms.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// The largest wait cap. Default 5 s.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Seeds the jitter generator, so that waits repeat from run to run. Default: a seed
    /// drawn from the process's random hash keys.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = Some(seed);
        self
    }

    /// The attempts a call may make in all.
    pub fn get_max_attempts(&self) -> u32 {
        self.max_attempts
    }
}

/// Whether `err` is a transient failure worth another attempt.
pub(crate) fn is_transient(err: &Error) -> bool {
    match err.kind() {
        ErrorKind::Transport { .. } | ErrorKind::Timeout { .. } => true,
        ErrorKind::Service(e) => e.status >= 500 || e.code == "SlowDown",
        _ => false,
    }
}

/// Whether COS rejected the request because the client's clock is off.
pub(crate) fn is_clock_skew(err: &Error) -> bool {
    err.service().is_some_and(|e| {
        e.code == "RequestTimeTooSkewed"
            || (e.code == "AccessDenied" && e.message.contains("Request has expired"))
    })
}

/// The jittered backoff of one client, shared by its threads.
#[derive(Debug)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    state: AtomicU64,
}

const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

impl Backoff {
    pub(crate) fn new(policy: &RetryPolicy) -> Self {
        let seed = policy
            .seed
            .unwrap_or_else(|| RandomState::new().hash_one(0x636f_735f_7273_u64));
        Backoff {
            initial: policy.initial_backoff,
            max: policy.max_backoff,
            state: AtomicU64::new(seed),
        }
    }

    /// The next number of the SplitMix64 sequence.
    fn next_u64(&self) -> u64 {
        let mut z = self
            .state
            .fetch_add(GAMMA, Ordering::Relaxed)
            .wrapping_add(GAMMA);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// The wait before retry `n` (1-based).
    pub(crate) fn delay(&self, n: u32) -> Duration {
        let factor = 1u32.checked_shl(n.saturating_sub(1)).unwrap_or(u32::MAX);
        let cap = self.initial.saturating_mul(factor).min(self.max);
        let cap_nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        let half = cap_nanos / 2;
        let spread = cap_nanos - half;
        let jitter = if spread == 0 {
            0
        } else {
            self.next_u64() % (spread + 1)
        };
        Duration::from_nanos(half + jitter)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_stay_in_range_and_repeat_with_a_seed() {
        let policy = RetryPolicy::default().seed(7);
        let a = Backoff::new(&policy);
        let b = Backoff::new(&policy);
        for n in 1..=10 {
            let cap = Duration::from_millis(100)
                .saturating_mul(1 << (n - 1))
                .min(Duration::from_secs(5));
            let d = a.delay(n);
            assert!(
                d >= cap / 2 && d <= cap,
                "retry {n}: {d:?} not in [{:?}, {cap:?}]",
                cap / 2
            );
            assert_eq!(d, b.delay(n));
        }
        assert_eq!(a.delay(100), b.delay(100));
        assert!(a.delay(100) <= Duration::from_secs(5));
    }

    #[test]
    fn what_is_transient() {
        let service = |status, code: &str, message: &str| {
            Error::from(cos_proto::Error::Service(Box::new(
                cos_proto::ServiceError {
                    operation: "PutObject",
                    status,
                    code: code.into(),
                    message: message.into(),
                    ..Default::default()
                },
            )))
        };
        assert!(is_transient(&service(503, "SlowDown", "")));
        assert!(is_transient(&service(500, "InternalError", "")));
        assert!(!is_transient(&service(404, "NoSuchKey", "")));
        assert!(!is_transient(&service(403, "RequestTimeTooSkewed", "")));
        assert!(is_clock_skew(&service(403, "RequestTimeTooSkewed", "")));
        assert!(is_clock_skew(&service(
            403,
            "AccessDenied",
            "Request has expired"
        )));
        assert!(!is_clock_skew(&service(403, "AccessDenied", "no")));
        assert!(is_transient(&Error::new(ErrorKind::Timeout {
            phase: crate::error::TimeoutPhase::Read
        })));
        assert!(!is_transient(&Error::new(ErrorKind::Canceled)));
    }
}
