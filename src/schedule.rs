//! When each feed is next due (pure: the clock and the random draw are passed in).
//!
//! A feed with a fixed interval is polled at that interval. Otherwise the interval adapts to
//! how often the feed publishes: the mean gap between its entries of the last week, clamped to
//! the feed's `[min, max]`. Either way the interval is raised, never lowered, by what the outlet
//! asks for: the feed's `<ttl>`, `Cache-Control: max-age`, `Expires`.
//!
//! A failing feed backs off exponentially, capped at [`MAX_BACKOFF`], and is never given up on;
//! a `Retry-After` from the server is honoured on top. Every delay is spread by [`JITTER`] so
//! feeds configured alike do not all fire in the same second: a healthy feed's only shortened
//! (its interval is the longest an article may wait to be seen), a backoff's either way.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::FeedSchedule;

/// The longest a failing feed waits between attempts (unless the server asks for longer).
pub const MAX_BACKOFF: Duration = Duration::from_secs(6 * 3600);
/// The longest `Retry-After` honoured: a server asking for more is retried after this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);
/// Fraction of a delay by which it is randomly lengthened or shortened.
pub const JITTER: f64 = 0.1;
/// Entries older than this do not count towards a feed's publishing rate.
const RATE_WINDOW: Duration = Duration::from_secs(7 * 86_400);

/// What the outlet said about polling it again, each as a time from now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Hints {
    /// The feed's `<ttl>`.
    pub ttl: Option<Duration>,
    /// `Cache-Control: max-age`.
    pub max_age: Option<Duration>,
    /// `Expires`, relative to the response's `Date`.
    pub expires_in: Option<Duration>,
    /// `Retry-After` on a 429 or 503.
    pub retry_after: Option<Duration>,
}

/// The interval in force after a successful poll at `now`. `entry_times` are the publication
/// times of the feed's entries when the feed was parsed (`None` for a 304 or an unchanged
/// body); `previous` is the interval in force before.
pub fn interval(
    schedule: &FeedSchedule,
    previous: Option<Duration>,
    entry_times: Option<&[DateTime<Utc>]>,
    hints: &Hints,
    now: DateTime<Utc>,
) -> Duration {
    let base = match (schedule.fixed, entry_times) {
        (Some(fixed), _) => fixed,
        (None, Some(times)) => match publishing_gap(times, now) {
            Gap::Mean(gap) => gap.clamp(schedule.min, schedule.max),
            Gap::Quiet => schedule.max,
            Gap::Unknown => previous.unwrap_or(schedule.initial),
        },
        (None, None) => previous.unwrap_or(schedule.initial),
    };
    // The outlet may ask for less traffic, within reason: never beyond the feed's maximum.
    let ceiling = schedule.max.max(base);
    let asked = [hints.ttl, hints.max_age, hints.expires_in]
        .into_iter()
        .flatten()
        .max()
        .map_or(Duration::ZERO, |asked| asked.min(ceiling));
    base.max(asked)
}

enum Gap {
    Mean(Duration),
    /// Dated entries, but fewer than two in the last week.
    Quiet,
    /// No dated entries at all.
    Unknown,
}

fn publishing_gap(times: &[DateTime<Utc>], now: DateTime<Utc>) -> Gap {
    if times.is_empty() {
        return Gap::Unknown;
    }
    let window = chrono::Duration::from_std(RATE_WINDOW).unwrap_or(chrono::Duration::days(7));
    // Entries dated in the future (bad clocks, scheduled posts) count as now.
    let mut recent: Vec<DateTime<Utc>> = times
        .iter()
        .map(|t| (*t).min(now))
        .filter(|t| now - *t <= window)
        .collect();
    if recent.len() < 2 {
        return Gap::Quiet;
    }
    recent.sort();
    let span = (recent[recent.len() - 1] - recent[0])
        .to_std()
        .unwrap_or_default();
    Gap::Mean(span / (recent.len() as u32 - 1))
}

/// The delay before the next poll of a feed whose interval is `interval` and that has failed
/// `consecutive_errors` times in a row. `draw` is a random number in `[0, 1)`.
pub fn delay(interval: Duration, consecutive_errors: u32, draw: f64) -> Duration {
    let draw = draw.clamp(0.0, 1.0);
    if consecutive_errors == 0 {
        return interval.mul_f64(1.0 - JITTER * draw);
    }
    let factor = 2u32.saturating_pow(consecutive_errors.min(16));
    let backoff = interval
        .saturating_mul(factor)
        .min(MAX_BACKOFF)
        .max(interval.min(MAX_BACKOFF));
    backoff.mul_f64(1.0 - JITTER + 2.0 * JITTER * draw)
}

/// The delay after a failed poll: the backoff, or the server's `Retry-After` if longer.
pub fn failure_delay(
    interval: Duration,
    consecutive_errors: u32,
    retry_after: Option<Duration>,
    draw: f64,
) -> Duration {
    let backoff = delay(interval, consecutive_errors, draw);
    retry_after.map_or(backoff, |asked| backoff.max(asked.min(MAX_RETRY_AFTER)))
}

/// `now + delay` as a time (never past the last time the store can write).
pub fn after(now: DateTime<Utc>, delay: Duration) -> DateTime<Utc> {
    crate::date::later(now, delay)
}

/// Attempts at an article's page, the first included, before its article keeps the feed
/// summary for good.
pub const PAGE_ATTEMPTS: u32 = 4;
/// Delay before the n-th retry of a page: this times 4^(n-1) (30 min, 2 h, 8 h).
const FIRST_PAGE_RETRY_MINUTES: i64 = 30;

/// When an article's page is tried again after `attempts` failed attempts, if any is left.
pub fn page_retry(attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (attempts < PAGE_ATTEMPTS).then(|| {
        now + chrono::Duration::minutes(
            FIRST_PAGE_RETRY_MINUTES * 4i64.pow(attempts.saturating_sub(1).min(8)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const MIN: Duration = Duration::from_secs(60);

    fn adaptive() -> FeedSchedule {
        FeedSchedule {
            fixed: None,
            initial: 15 * MIN,
            min: 5 * MIN,
            max: 60 * MIN,
        }
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 12, 2, 12, 0, 0).unwrap()
    }

    fn every(gap_minutes: i64, count: i64) -> Vec<DateTime<Utc>> {
        (0..count)
            .map(|i| now() - chrono::Duration::minutes(i * gap_minutes))
            .collect()
    }

    #[test]
    fn healthy_feeds_are_polled_within_their_interval_never_later() {
        assert_eq!(delay(15 * MIN, 0, 0.0), 15 * MIN);
        assert_eq!(delay(15 * MIN, 0, 0.5), Duration::from_secs(855));
        assert_eq!(delay(15 * MIN, 0, 1.0), Duration::from_secs(810));
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

    #[test]
    fn retry_after_wins_when_longer_than_the_backoff_and_is_capped() {
        assert_eq!(failure_delay(5 * MIN, 1, Some(120 * MIN), 0.5), 120 * MIN);
        assert_eq!(failure_delay(5 * MIN, 1, Some(MIN), 0.5), 10 * MIN);
        assert_eq!(
            failure_delay(5 * MIN, 1, Some(Duration::from_secs(30 * 86_400)), 0.5),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn the_interval_follows_the_publishing_rate_within_bounds() {
        let s = adaptive();
        assert_eq!(
            interval(&s, None, Some(&every(10, 20)), &Hints::default(), now()),
            10 * MIN
        );
        assert_eq!(
            interval(&s, None, Some(&every(1, 20)), &Hints::default(), now()),
            5 * MIN,
            "clamped to min"
        );
        assert_eq!(
            interval(&s, None, Some(&every(300, 20)), &Hints::default(), now()),
            60 * MIN,
            "clamped to max"
        );
        let old = vec![
            now() - chrono::Duration::days(30),
            now() - chrono::Duration::days(40),
        ];
        assert_eq!(
            interval(&s, None, Some(&old), &Hints::default(), now()),
            60 * MIN,
            "quiet feeds slow down"
        );
        assert_eq!(
            interval(&s, None, Some(&[]), &Hints::default(), now()),
            15 * MIN,
            "undated: initial"
        );
        assert_eq!(
            interval(&s, Some(20 * MIN), None, &Hints::default(), now()),
            20 * MIN,
            "304: unchanged"
        );
    }

    #[test]
    fn outlet_hints_raise_the_interval_but_never_lower_it() {
        let s = adaptive();
        let ttl = Hints {
            ttl: Some(30 * MIN),
            ..Hints::default()
        };
        assert_eq!(
            interval(&s, None, Some(&every(10, 20)), &ttl, now()),
            30 * MIN
        );
        let short = Hints {
            max_age: Some(MIN),
            ..Hints::default()
        };
        assert_eq!(
            interval(&s, None, Some(&every(10, 20)), &short, now()),
            10 * MIN
        );
        let huge = Hints {
            expires_in: Some(Duration::from_secs(7 * 86_400)),
            ..Hints::default()
        };
        assert_eq!(
            interval(&s, None, Some(&every(10, 20)), &huge, now()),
            60 * MIN,
            "capped at max"
        );
        let fixed = FeedSchedule {
            fixed: Some(2 * MIN),
            ..s
        };
        assert_eq!(
            interval(&fixed, None, Some(&every(10, 20)), &ttl, now()),
            30 * MIN,
            "fixed feeds honour hints too"
        );
        assert_eq!(
            interval(&fixed, None, None, &Hints::default(), now()),
            2 * MIN
        );
    }

    #[test]
    fn future_dated_entries_do_not_shrink_the_interval_to_zero() {
        let s = adaptive();
        let future = vec![
            now() + chrono::Duration::days(1),
            now() + chrono::Duration::days(2),
        ];
        assert_eq!(
            interval(&s, None, Some(&future), &Hints::default(), now()),
            5 * MIN
        );
    }

    #[test]
    fn a_next_due_time_beyond_what_a_date_holds_does_not_panic() {
        let years = Duration::from_secs(300_000 * 365 * 86_400);
        let fixed = FeedSchedule {
            fixed: Some(years),
            ..adaptive()
        };
        let next = after(
            now(),
            delay(
                interval(&fixed, None, None, &Hints::default(), now()),
                0,
                0.0,
            ),
        );
        assert_eq!(next, crate::date::last());
        assert_eq!(
            after(now(), failure_delay(years, 3, Some(years), 0.5)),
            now() + chrono::Duration::hours(24),
            "a failing feed waits at most a day"
        );
    }

    #[test]
    fn a_page_is_retried_after_30_min_2_h_and_8_h_then_given_up() {
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap();
        let after = |attempts| page_retry(attempts, now).map(|at| (at - now).num_minutes());
        assert_eq!(after(1), Some(30));
        assert_eq!(after(2), Some(120));
        assert_eq!(after(3), Some(480));
        assert_eq!(after(4), None);
        assert_eq!(after(u32::MAX), None);
    }
}
