//! The range each duration and size of the config may take.
//!
//! Every duration ends up added to or subtracted from the clock (next poll, retry, prune
//! cutoff, digest period), so a value must be far enough from the edges of what a date can
//! hold; beyond that, the ranges refuse what can only be a typo ("300000years", a timeout of a
//! week) while leaving room for any setting a desk could want.

use std::time::Duration;

use toml::Spanned;

use super::Checker;

/// The values a duration key accepts, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    pub min: Duration,
    pub max: Duration,
}

const SECOND: Duration = Duration::from_secs(1);
const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);
/// A year as humantime reads and writes one (365.25 days), so that ranges print round.
const YEAR: Duration = Duration::from_secs(31_557_600);
const MONTH_OF_DAYS: Duration = Duration::from_secs(30 * 86_400);

const fn years(n: u32) -> Duration {
    YEAR.saturating_mul(n)
}

const fn range(min: Duration, max: Duration) -> Range {
    Range { min, max }
}

/// Feed intervals (`poll_interval`, `interval`, `min_interval`, `max_interval`): a feed
/// polled less than monthly is not monitored.
pub const INTERVAL: Range = range(SECOND, MONTH_OF_DAYS);
/// How old an article may be and still raise an alert.
pub const ALERT_MAX_AGE: Range = range(MINUTE, years(10));
/// Network timeouts: fetches and sinks.
pub const TIMEOUT: Range = range(SECOND, HOUR);
/// The pause between two requests to one host; zero turns it off.
pub const POLITENESS_DELAY: Range = range(Duration::ZERO, HOUR);
/// How long a feed may publish nothing before it is reported stale.
pub const STALE_AFTER: Range = range(MINUTE, YEAR);
/// How long a failing delivery is retried.
pub const DELIVERY_DEAD_AFTER: Range = range(SECOND, YEAR);
/// The first wait before retrying a delivery.
pub const DELIVERY_RETRY: Range = range(SECOND, DAY);
/// How long work in flight may finish after SIGTERM; systemd's own stop timeout is 90 s by
/// default, and anything past an hour is a service that will not stop.
pub const SHUTDOWN_GRACE: Range = range(SECOND, HOUR);
/// How long articles and alerts are kept: a century is forever for a news desk.
pub const RETENTION: Range = range(DAY, years(100));
/// A feed's lease (PostgreSQL): renewed while polling, so short enough that a dead
/// instance's feeds wait little, long enough that renewing costs nothing.
pub const LEASE: Range = range(Duration::from_secs(10), HOUR);
/// The length of a digest's period.
pub const DIGEST_EVERY: Range = range(SECOND, MONTH_OF_DAYS);

/// `daemon.max_body_bytes`: a page or feed over a gigabyte is not news.
pub const MAX_BODY_BYTES: (u64, u64) = (1024, 1 << 30);

impl Checker<'_> {
    /// The duration `value` of the key `what` (which names its feed, watch or sink), or
    /// `default` when absent; out of `range`, the problem is noted and `default` returned.
    pub(super) fn duration(
        &mut self,
        value: Option<&Spanned<String>>,
        what: &str,
        default: Duration,
        range: Range,
    ) -> Duration {
        let Some(value) = value else { return default };
        let text = value.get_ref();
        match humantime::parse_duration(text) {
            Ok(d) if (range.min..=range.max).contains(&d) => d,
            Ok(_) => {
                self.problem(
                    value.span().start,
                    format!(
                        "{what} = {text:?} is out of range: allowed from {} to {}",
                        humantime::format_duration(range.min),
                        humantime::format_duration(range.max)
                    ),
                );
                default
            }
            Err(err) => {
                self.problem(
                    value.span().start,
                    format!(
                        "{what} {text:?} is not a duration ({err}); write e.g. \"90s\", \"15m\", \"7d\""
                    ),
                );
                default
            }
        }
    }

    /// The number `value` of the key `what`, clamped to `range` (both ends included); out of
    /// it, the problem is noted.
    pub(super) fn count(&mut self, value: &Spanned<u64>, what: &str, range: (u64, u64)) -> u64 {
        let number = *value.get_ref();
        if !(range.0..=range.1).contains(&number) {
            self.problem(
                value.span().start,
                format!(
                    "{what} = {number} is out of range: allowed from {} to {}",
                    range.0, range.1
                ),
            );
        }
        number.clamp(range.0, range.1)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load, problems};
    use super::*;

    fn only_problem(source: &str) -> String {
        let found = problems(source);
        assert_eq!(found.len(), 1, "{found:?}");
        found[0].message.clone()
    }

    #[test]
    fn an_interval_of_300000_years_is_refused_naming_the_feed_key_value_and_range() {
        let message =
            only_problem("[[feed]]\nurl = \"https://x.ma/feed\"\ninterval = \"300000years\"\n");
        assert_eq!(
            message,
            "feed \"https://x.ma/feed\" interval = \"300000years\" is out of range: allowed from 1s to 30days"
        );
    }

    #[test]
    fn every_duration_key_is_bounded_on_both_sides() {
        for (key, too_short, too_long) in [
            ("poll_interval", "500ms", "31d"),
            ("min_interval", "500ms", "31d"),
            ("max_interval", "500ms", "31d"),
            ("alert_max_age", "59s", "11years"),
            ("fetch_timeout", "500ms", "61m"),
            ("stale_after", "59s", "13months"),
            ("delivery_dead_after", "500ms", "13months"),
            ("delivery_retry", "500ms", "25h"),
            ("shutdown_grace", "500ms", "61m"),
            ("retention", "23h", "101years"),
            ("alert_retention", "23h", "101years"),
            ("politeness_delay", "", "61m"),
            ("lease", "9s", "61m"),
        ] {
            for value in [too_short, too_long].into_iter().filter(|v| !v.is_empty()) {
                let message = only_problem(&format!("[daemon]\n{key} = \"{value}\"\n"));
                assert!(
                    message.starts_with(&format!("daemon.{key} = \"{value}\" is out of range")),
                    "{message}"
                );
            }
        }
        let message = only_problem(
            "[[watch]]\nname = \"w\"\naliases = [\"x\"]\nalert = \"digest\"\ndigest_every = \"32d\"\n",
        );
        assert!(
            message.starts_with("watch \"w\" digest_every = \"32d\" is out of range"),
            "{message}"
        );
        let message = only_problem(
            "[[sink]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"https://x.ma/h\"\ntimeout = \"2h\"\n",
        );
        assert!(
            message.starts_with("sink \"hook\" timeout = \"2h\" is out of range"),
            "{message}"
        );
    }

    #[test]
    fn the_ends_of_each_range_are_allowed() {
        let config = load(
            "[daemon]\npoll_interval = \"30d\"\nretention = \"100years\"\nalert_retention = \"1d\"\n\
             politeness_delay = \"0s\"\nfetch_timeout = \"1s\"\nmax_body_bytes = 1073741824\n",
        )
        .unwrap();
        assert_eq!(config.daemon.poll_interval, INTERVAL.max);
        assert_eq!(config.daemon.retention, RETENTION.max);
        assert_eq!(config.daemon.alert_retention, RETENTION.min);
        assert_eq!(config.daemon.politeness_delay, Duration::ZERO);
        assert_eq!(config.daemon.max_body_bytes, 1 << 30);
    }

    #[test]
    fn sizes_are_bounded_too() {
        for value in ["1023", "1073741825"] {
            let message = only_problem(&format!("[daemon]\nmax_body_bytes = {value}\n"));
            assert_eq!(
                message,
                format!(
                    "daemon.max_body_bytes = {value} is out of range: allowed from 1024 to 1073741824"
                )
            );
        }
    }
}
