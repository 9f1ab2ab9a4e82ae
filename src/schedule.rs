//! When each feed is next due (pure: the clock and the random draw are passed in).
//!
//! A healthy feed is polled every `interval`; a failing one backs off exponentially, capped at
//! [`MAX_BACKOFF`], and is never given up on. Every delay is spread by ±[`JITTER`] so feeds
//! configured alike do not all fire in the same second.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The longest a failing feed waits between attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);
/// Fraction of a delay by which it is randomly lengthened or shortened.
pub const JITTER: f64 = 0.1;

/// The delay before the next poll of a feed polled every `interval` that has failed
/// `consecutive_errors` times in a row. `draw` is a random number in `[0, 1)`.
pub fn delay(interval: Duration, consecutive_errors: u32, draw: f64) -> Duration {
    let base = if consecutive_errors == 0 {
        interval
    } else {
        let factor = 2u32.saturating_pow(consecutive_errors.min(16));
        interval
            .saturating_mul(factor)
            .min(MAX_BACKOFF)
            .max(interval.min(MAX_BACKOFF))
    };
    base.mul_f64(1.0 - JITTER + 2.0 * JITTER * draw.clamp(0.0, 1.0))
}

/// The time of the next poll after one at `now`.
pub fn next_due(
    now: DateTime<Utc>,
    interval: Duration,
    consecutive_errors: u32,
    draw: f64,
) -> DateTime<Utc> {
    now + chrono::Duration::from_std(delay(interval, consecutive_errors, draw))
        .unwrap_or(chrono::Duration::hours(6))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    #[test]
    fn healthy_feeds_keep_their_interval_within_jitter() {
        assert_eq!(delay(15 * MIN, 0, 0.5), 15 * MIN);
        assert_eq!(delay(15 * MIN, 0, 0.0), Duration::from_secs(810));
        assert_eq!(delay(15 * MIN, 0, 1.0), Duration::from_secs(990));
    }

    #[test]
    fn failures_back_off_exponentially_up_to_the_cap_and_never_stop() {
        assert_eq!(delay(5 * MIN, 1, 0.5), 10 * MIN);
        assert_eq!(delay(5 * MIN, 3, 0.5), 40 * MIN);
        assert_eq!(delay(5 * MIN, 10, 0.5), MAX_BACKOFF);
        assert_eq!(delay(5 * MIN, u32::MAX, 0.5), MAX_BACKOFF);
        assert_eq!(
            delay(Duration::from_secs(86_400), 2, 0.5),
            MAX_BACKOFF,
            "a long interval is capped too"
        );
    }
}
