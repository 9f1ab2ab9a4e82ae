//! Times a span away from another, without overflow: a span from the config or from a
//! server, added to the clock, must never panic the daemon. Results stay within the years
//! RFC 3339 can write (0 to 9999), as the store writes every time that way.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};

/// The first instant the store can write.
pub fn first() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(0, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// The last instant the store can write.
pub fn last() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `at + span`, or the last instant the store can write if that is later.
pub fn later(at: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(span)
        .ok()
        .and_then(|span| at.checked_add_signed(span))
        .map_or_else(last, |t| t.min(last()))
}

/// `at - span`, or the first instant the store can write if that is earlier.
pub fn earlier(at: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    chrono::Duration::from_std(span)
        .ok()
        .and_then(|span| at.checked_sub_signed(span))
        .map_or_else(first, |t| t.max(first()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const YEAR: Duration = Duration::from_secs(365 * 86_400);

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 5, 0, 0).unwrap()
    }

    #[test]
    fn spans_in_reach_are_added_and_subtracted_exactly() {
        let hour = Duration::from_secs(3600);
        assert_eq!(later(now(), hour), now() + chrono::Duration::hours(1));
        assert_eq!(earlier(now(), hour), now() - chrono::Duration::hours(1));
    }

    #[test]
    fn spans_beyond_what_a_date_holds_stop_at_the_writable_ends() {
        for span in [300_000 * YEAR, Duration::MAX] {
            assert_eq!(later(now(), span), last());
            assert_eq!(earlier(now(), span), first());
        }
        assert_eq!(later(now(), 8_000 * YEAR), last(), "past year 9999");
        assert_eq!(
            crate::store::timestamp(earlier(now(), 300_000 * YEAR)),
            "0000-01-01T00:00:00Z",
            "the store can write the cutoff"
        );
    }
}
