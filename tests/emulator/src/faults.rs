//! Fault injection: make chosen requests fail (500 InternalError, 503 SlowDown), break the
//! connection mid-body, or wait before answering.
//!
//! A [`FaultRule`] matches requests of one operation (`UploadPart`, `GetObject`, ...) or of
//! every operation, and fires on some of the requests it matches: all of them, the Nth, the
//! first N, or each with a probability drawn from a seeded generator (the same seed gives
//! the same failures). Rules are checked in the order they were added; delays add up, and
//! the first failing action wins.

use std::fmt;
use std::time::Duration;

use crate::names::OPERATIONS;

/// What a fault does to a request.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FaultAction {
    /// Answer `500 InternalError`.
    InternalError,
    /// Answer `503 SlowDown`.
    SlowDown,
    /// Break the exchange mid-body, as far as tiny_http allows. A download sends half of its
    /// body: with the full `Content-Length` and then a closed connection when the client
    /// sent `Connection: close`, chunked and then a malformed chunk on a keep-alive
    /// connection; either way the client fails at once. An upload is half read, then left
    /// unanswered and closed (`Connection: close`) or answered `500 InternalError`
    /// (keep-alive); nothing is stored.
    ResetMidBody,
    /// Wait this long, then handle the request normally.
    Delay(Duration),
}

/// Which of the matching requests a rule fires on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// Every matching request.
    Always,
    /// Only the Nth matching request (1-based).
    Nth(u64),
    /// The first N matching requests.
    FirstN(u64),
    /// Each matching request with this probability (0.0 to 1.0), from the seeded generator.
    Probability(f64),
}

/// One fault-injection rule.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultRule {
    /// The operation it applies to, as cos-proto names it (`UploadPart`, one of
    /// [`OPERATIONS`](crate::OPERATIONS)); `None` for all.
    pub kind: Option<String>,
    /// Which matching requests it fires on.
    pub trigger: Trigger,
    /// What it does.
    pub action: FaultAction,
}

impl FaultRule {
    /// A rule for operation `kind`, one of [`OPERATIONS`](crate::OPERATIONS) (cos-proto's
    /// `Operation::NAME`s, e.g. `cos_proto::ops::multipart::MultipartUpload::NAME`), or
    /// `"*"` or `""` for every operation. A name that is none of them matches nothing.
    pub fn new(kind: &str, trigger: Trigger, action: FaultAction) -> Self {
        FaultRule {
            kind: (!kind.is_empty() && kind != "*").then(|| kind.to_owned()),
            trigger,
            action,
        }
    }

    /// Parses the command-line form `KIND:ACTION[:WHEN]`:
    /// - KIND: an operation name (`UploadPart`, one of [`OPERATIONS`](crate::OPERATIONS)) or
    ///   `*`; any other name is an error;
    /// - ACTION: `500`, `503`, `reset`, or `delay=MILLIS`;
    /// - WHEN: `nth=N`, `first=N`, `p=PROBABILITY` (or a bare probability such as `0.25`);
    ///   always when omitted.
    pub fn parse(spec: &str) -> Result<FaultRule, String> {
        let mut parts = spec.splitn(3, ':');
        let kind = parts.next().unwrap_or_default();
        let action = parts.next().ok_or_else(|| {
            format!("fault `{spec}`: expected KIND:ACTION[:WHEN], e.g. UploadPart:503:p=0.3")
        })?;
        let action = match action {
            "500" => FaultAction::InternalError,
            "503" => FaultAction::SlowDown,
            "reset" => FaultAction::ResetMidBody,
            other => match other.strip_prefix("delay=").map(str::parse::<u64>) {
                Some(Ok(ms)) => FaultAction::Delay(Duration::from_millis(ms)),
                _ => {
                    return Err(format!(
                        "fault `{spec}`: ACTION must be 500, 503, reset or delay=MILLIS"
                    ));
                }
            },
        };
        let bad_when = || format!("fault `{spec}`: WHEN must be nth=N, first=N or p=PROBABILITY");
        let trigger = match parts.next() {
            None | Some("") | Some("always") => Trigger::Always,
            Some(w) => {
                if let Some(n) = w.strip_prefix("nth=") {
                    Trigger::Nth(n.parse().ok().filter(|n| *n > 0).ok_or_else(bad_when)?)
                } else if let Some(n) = w.strip_prefix("first=") {
                    Trigger::FirstN(n.parse().map_err(|_| bad_when())?)
                } else {
                    let p: f64 = w
                        .strip_prefix("p=")
                        .unwrap_or(w)
                        .parse()
                        .map_err(|_| bad_when())?;
                    if !(0.0..=1.0).contains(&p) {
                        return Err(bad_when());
                    }
                    Trigger::Probability(p)
                }
            }
        };
        if kind != "*" && !OPERATIONS.contains(&kind) {
            let hint = OPERATIONS
                .iter()
                .find(|op| {
                    op.eq_ignore_ascii_case(kind) || op.eq_ignore_ascii_case(&format!("{kind}s"))
                })
                .map(|op| format!(" (did you mean {op}?)"))
                .unwrap_or_default();
            return Err(format!(
                "fault `{spec}`: KIND must be * or one of {}{hint}",
                OPERATIONS.join(", ")
            ));
        }
        Ok(FaultRule::new(kind, trigger, action))
    }
}

impl fmt::Display for FaultRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind.as_deref().unwrap_or("*");
        let action = match self.action {
            FaultAction::InternalError => "500".to_owned(),
            FaultAction::SlowDown => "503".to_owned(),
            FaultAction::ResetMidBody => "reset".to_owned(),
            FaultAction::Delay(d) => format!("delay={}", d.as_millis()),
        };
        match self.trigger {
            Trigger::Always => write!(f, "{kind}:{action}"),
            Trigger::Nth(n) => write!(f, "{kind}:{action}:nth={n}"),
            Trigger::FirstN(n) => write!(f, "{kind}:{action}:first={n}"),
            Trigger::Probability(p) => write!(f, "{kind}:{action}:p={p}"),
        }
    }
}

/// What the faults decided for one request.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Decision {
    pub(crate) delay: Duration,
    pub(crate) action: Option<FaultAction>,
}

/// The rules with their counters and the generator.
#[derive(Debug)]
pub(crate) struct Faults {
    rules: Vec<(FaultRule, u64)>,
    rng: u64,
    fired: u64,
}

impl Faults {
    pub(crate) fn new(rules: Vec<FaultRule>, seed: u64) -> Self {
        Faults {
            rules: rules.into_iter().map(|r| (r, 0)).collect(),
            rng: seed,
            fired: 0,
        }
    }

    pub(crate) fn add(&mut self, rule: FaultRule) {
        self.rules.push((rule, 0));
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
    }

    /// How many times a rule has fired.
    pub(crate) fn fired(&self) -> u64 {
        self.fired
    }

    /// Decides for a request of operation `kind`.
    pub(crate) fn decide(&mut self, kind: &str) -> Decision {
        let mut decision = Decision::default();
        for i in 0..self.rules.len() {
            let (rule, seen) = &mut self.rules[i];
            if rule.kind.as_deref().is_some_and(|k| k != kind) {
                continue;
            }
            *seen += 1;
            let n = *seen;
            let (trigger, action) = (rule.trigger, rule.action);
            let fires = match trigger {
                Trigger::Always => true,
                Trigger::Nth(k) => n == k,
                Trigger::FirstN(k) => n <= k,
                Trigger::Probability(p) => self.next_f64() < p,
            };
            if !fires {
                continue;
            }
            match action {
                FaultAction::Delay(d) => {
                    self.fired += 1;
                    decision.delay += d;
                }
                other if decision.action.is_none() => {
                    self.fired += 1;
                    decision.action = Some(other);
                }
                _ => {}
            }
        }
        decision
    }

    /// splitmix64, as a float in [0, 1).
    fn next_f64(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        for (spec, rule) in [
            (
                "UploadPart:503:p=0.5",
                FaultRule::new(
                    "UploadPart",
                    Trigger::Probability(0.5),
                    FaultAction::SlowDown,
                ),
            ),
            (
                "GetObject:reset:nth=2",
                FaultRule::new("GetObject", Trigger::Nth(2), FaultAction::ResetMidBody),
            ),
            (
                "*:delay=250",
                FaultRule::new(
                    "*",
                    Trigger::Always,
                    FaultAction::Delay(Duration::from_millis(250)),
                ),
            ),
            (
                "PutObject:500:first=3",
                FaultRule::new("PutObject", Trigger::FirstN(3), FaultAction::InternalError),
            ),
        ] {
            assert_eq!(FaultRule::parse(spec), Ok(rule.clone()), "{spec}");
            assert_eq!(FaultRule::parse(&rule.to_string()), Ok(rule), "{spec}");
        }
        assert_eq!(
            FaultRule::parse("PutObject:500:0.25").map(|r| r.trigger),
            Ok(Trigger::Probability(0.25))
        );
        for bad in [
            "",
            "PutObject",
            "PutObject:404",
            "x:500:nth=0",
            "x:500:p=2",
            "a b:500",
            "x:delay=z",
        ] {
            assert!(FaultRule::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn triggers_count_matching_requests() {
        let mut f = Faults::new(
            vec![
                FaultRule::new("UploadPart", Trigger::Nth(2), FaultAction::SlowDown),
                FaultRule::new(
                    "*",
                    Trigger::FirstN(1),
                    FaultAction::Delay(Duration::from_millis(5)),
                ),
            ],
            7,
        );
        let d1 = f.decide("UploadPart");
        assert_eq!((d1.action, d1.delay), (None, Duration::from_millis(5)));
        assert_eq!(f.decide("GetObject"), Decision::default());
        assert_eq!(f.decide("UploadPart").action, Some(FaultAction::SlowDown));
        assert_eq!(f.decide("UploadPart").action, None);
        assert_eq!(f.fired(), 2);

        let run = |seed| {
            let mut f = Faults::new(
                vec![FaultRule::new(
                    "*",
                    Trigger::Probability(0.3),
                    FaultAction::InternalError,
                )],
                seed,
            );
            (0..1000).filter(|_| f.decide("X").action.is_some()).count()
        };
        assert_eq!(run(1), run(1));
        assert!((200..400).contains(&run(1)), "{}", run(1));
    }
}
