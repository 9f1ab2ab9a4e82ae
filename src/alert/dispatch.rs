//! What the outbox dispatcher does with the outcome of one delivery: mark it delivered, try
//! again later (capped exponential backoff with jitter, or the receiver's `Retry-After`), or
//! give up and mark it dead: when the receiver refused it for good, or when it has kept failing
//! for `delivery_dead_after`. Dead deliveries stay in the database and are reported; nothing is
//! dropped silently. The I/O (taking due rows, calling sinks, recording) is the daemon's.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::sink::SinkError;

/// Single alerts claimed per round.
pub const BATCH: usize = 500;
/// Digests claimed per round, each with every alert of its period.
pub const DIGESTS: usize = 50;
/// How long a round's claim keeps other dispatchers off its deliveries; renewed every
/// [`RENEW_EVERY`] while they are sent, so only a dispatcher that died loses it.
pub const CLAIM_FOR: chrono::TimeDelta = chrono::TimeDelta::seconds(30);
pub const RENEW_EVERY: Duration = Duration::from_secs(10);
/// Deliveries in flight at once.
pub const CONCURRENCY: usize = 8;
/// Retry delays: `first * 2^(attempts - 1)` (`first` is `delivery_retry`), at most
/// `MAX_RETRY`, then ±20 %.
const MAX_RETRY: Duration = Duration::from_secs(3600);
/// A receiver's `Retry-After` is followed up to this.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(6 * 3600);

/// What one dispatch round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dispatched {
    pub delivered: usize,
    pub failed: usize,
    /// Given up on this round.
    pub dead: usize,
}

/// What becomes of a delivery after an attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Delivered,
    Retry {
        at: DateTime<Utc>,
        error: String,
    },
    Dead {
        error: String,
    },
    /// Not attempted: its sink's `max_per_minute` is spent. It waits, folded into the sink's
    /// next digest, until `until`, when the sink's minute allows one more message; no attempt
    /// is counted.
    Held {
        until: DateTime<Utc>,
    },
}

/// How long deliveries are retried.
#[derive(Debug, Clone, Copy)]
pub struct Retries {
    /// The first wait; it doubles with every failure.
    pub first: Duration,
    /// Failing this long after it could first be attempted, a delivery is dead.
    pub dead_after: Duration,
}

/// Decide after the `attempts`-th attempt (this one included) of a delivery that could first
/// be attempted at `since` (when its alert was raised; for a digest, when its period ended);
/// `draw` in [0, 1) spreads the retries of many deliveries apart.
pub fn decide(
    result: &Result<(), SinkError>,
    attempts: u32,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
    retries: Retries,
    draw: f64,
) -> Decision {
    let err = match result {
        Ok(()) => return Decision::Delivered,
        Err(err) => err,
    };
    let error = err.to_string();
    let age = (now - since).to_std().unwrap_or(Duration::ZERO);
    if err.is_permanent() || age >= retries.dead_after {
        return Decision::Dead { error };
    }
    let at = match err.retry_after() {
        Some(wait) => whole_second_after(now + to_chrono(wait.min(MAX_RETRY_AFTER))),
        None => retry_at(now, attempts, retries.first, draw),
    };
    Decision::Retry { at, error }
}

/// When a delivery that has failed `attempts` times (this one included) is tried again.
pub fn retry_at(now: DateTime<Utc>, attempts: u32, first: Duration, draw: f64) -> DateTime<Utc> {
    let delay = first
        .saturating_mul(2u32.saturating_pow(attempts.saturating_sub(1).min(16)))
        .min(MAX_RETRY)
        .mul_f64(0.8 + 0.4 * draw.clamp(0.0, 1.0));
    // Whole seconds, as the outbox stores times.
    now + to_chrono(Duration::from_secs(delay.as_secs()))
}

/// `at` rounded up to a whole second: the outbox keeps whole seconds, and a receiver's wait
/// cut short by the fraction it drops is answered with another refusal.
fn whole_second_after(at: DateTime<Utc>) -> DateTime<Utc> {
    let fraction = chrono::Duration::nanoseconds(i64::from(at.timestamp_subsec_nanos()));
    if fraction.is_zero() {
        at
    } else {
        at - fraction + chrono::Duration::seconds(1)
    }
}

fn to_chrono(d: Duration) -> chrono::Duration {
    chrono::Duration::from_std(d).unwrap_or(chrono::Duration::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Timelike;

    fn unavailable(retry_after: Option<Duration>) -> Result<(), SinkError> {
        Err(SinkError::Unavailable {
            sink: "w".into(),
            url: "http://127.0.0.1/".into(),
            detail: "HTTP 503".into(),
            retry_after,
        })
    }

    #[test]
    fn a_receiver_s_wait_is_kept_whole_once_stored_in_seconds() {
        let now = DateTime::parse_from_rfc3339("2026-11-29T10:00:00.700Z")
            .unwrap()
            .with_timezone(&Utc);
        let day = Retries {
            first: Duration::from_secs(30),
            dead_after: Duration::from_secs(86_400),
        };
        let Decision::Retry { at, .. } = decide(
            &unavailable(Some(Duration::from_secs(2))),
            1,
            now,
            now,
            day,
            0.5,
        ) else {
            panic!("a 429 is retried")
        };
        // The outbox keeps whole seconds: what is stored must not come before the wait's end.
        let stored = at.with_nanosecond(0).unwrap();
        assert!(
            stored >= now + chrono::Duration::seconds(2),
            "{stored} is sooner than 2 s after {now}"
        );
    }

    #[test]
    fn retries_back_off_with_bounded_jitter_and_cap() {
        let now = Utc::now();
        let first = Duration::from_secs(30);
        let after = |attempts, draw| retry_at(now, attempts, first, draw) - now;
        assert_eq!(after(1, 0.5), chrono::Duration::seconds(30));
        assert_eq!(after(3, 0.5), chrono::Duration::seconds(120));
        assert_eq!(after(40, 0.5), chrono::Duration::seconds(3600));
        assert_eq!(after(1, 0.0), chrono::Duration::seconds(24));
        assert_eq!(after(1, 0.999_999), chrono::Duration::seconds(35));
    }

    #[test]
    fn failures_retry_until_dead_after_and_refusals_die_at_once() {
        let now = Utc::now();
        let day = Retries {
            first: Duration::from_secs(30),
            dead_after: Duration::from_secs(86_400),
        };
        let fresh = now - chrono::Duration::minutes(5);
        let old = now - chrono::Duration::hours(25);
        assert_eq!(decide(&Ok(()), 1, old, now, day, 0.5), Decision::Delivered);
        assert!(matches!(
            decide(&unavailable(None), 2, fresh, now, day, 0.5),
            Decision::Retry { at, .. } if at - now == chrono::Duration::seconds(60)
        ));
        assert!(matches!(
            decide(&unavailable(Some(Duration::from_secs(7))), 2, fresh, now, day, 0.5),
            Decision::Retry { at, .. } if at - now >= chrono::Duration::seconds(7)
                && at - now < chrono::Duration::seconds(8)
        ));
        assert!(matches!(
            decide(&unavailable(None), 9, old, now, day, 0.5),
            Decision::Dead { .. }
        ));
        let refused = Err(SinkError::Rejected {
            sink: "w".into(),
            url: "http://127.0.0.1/".into(),
            detail: "HTTP 404".into(),
        });
        assert!(matches!(
            decide(&refused, 1, fresh, now, day, 0.5),
            Decision::Dead { error } if error.contains("404")
        ));
    }
}
