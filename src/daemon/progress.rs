//! Whether the scheduler is moving: feed tasks alive but making no progress (a deadlock, a
//! future that never completes) leave feeds overdue while nothing is fetched. `/healthz` and
//! the watchdog read [`Progress::stuck`]; the feed tasks and the fetches feed it.
//!
//! Overdue alone is normal: a thousand feeds due at once wait for the concurrency limit. Quiet
//! alone is normal too: nothing may be due for an hour. Only both together, for longer than
//! any fetch may take, mean the scheduler is stuck.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

/// A feed overdue while nothing moved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stuck {
    pub feed: Url,
    pub due: DateTime<Utc>,
    /// The last fetch that finished (or the start, when none has).
    pub last_progress: DateTime<Utc>,
}

impl std::fmt::Display for Stuck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "scheduler stuck: {} due since {}, no fetch finished since {}",
            self.feed,
            self.due.format("%H:%M:%S"),
            self.last_progress.format("%H:%M:%S")
        )
    }
}

#[derive(Debug)]
pub struct Progress {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// When each feed task next polls, set before it sleeps and cleared when it stops.
    due: HashMap<Url, DateTime<Utc>>,
    last_progress: DateTime<Utc>,
}

impl Progress {
    pub fn new(now: DateTime<Utc>) -> Progress {
        Progress {
            state: Mutex::new(State {
                due: HashMap::new(),
                last_progress: now,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The task of `feed` polls it next at `at`.
    pub fn due(&self, feed: &Url, at: DateTime<Utc>) {
        self.state().due.insert(feed.clone(), at);
    }

    /// The task of `feed` stopped (the feed was removed, or the daemon stops).
    pub fn forget(&self, feed: &Url) {
        self.state().due.remove(feed);
    }

    /// A fetch finished, whatever its outcome.
    pub fn moved(&self, now: DateTime<Utc>) {
        let mut state = self.state();
        state.last_progress = state.last_progress.max(now);
    }

    /// The most overdue feed, when it is overdue by more than `limit` and no fetch finished
    /// for as long.
    pub fn stuck(&self, now: DateTime<Utc>, limit: Duration) -> Option<Stuck> {
        let state = self.state();
        let limit = chrono::Duration::from_std(limit).unwrap_or(chrono::Duration::MAX);
        let (feed, due) = state.due.iter().min_by_key(|(_, due)| **due)?;
        (now - *due > limit && now - state.last_progress > limit).then(|| Stuck {
            feed: feed.clone(),
            due: *due,
            last_progress: state.last_progress,
        })
    }
}

/// How long the scheduler may look stuck before it is reported: longer than a feed fetch and
/// a round of page fetches may take.
pub fn stuck_after(fetch_timeout: Duration) -> Duration {
    fetch_timeout
        .saturating_mul(4)
        .saturating_add(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(seconds)
    }

    fn url(name: &str) -> Url {
        Url::parse(&format!("https://{name}.ma/feed")).unwrap()
    }

    const LIMIT: Duration = Duration::from_secs(120);

    #[test]
    fn overdue_feeds_while_nothing_moves_are_stuck() {
        let progress = Progress::new(at(0));
        progress.due(&url("a"), at(100));
        progress.due(&url("b"), at(50));
        assert_eq!(
            progress.stuck(at(160), LIMIT),
            None,
            "not overdue long enough"
        );
        let stuck = progress.stuck(at(171), LIMIT).expect("b overdue by 121 s");
        assert_eq!(stuck.feed, url("b"));
        assert_eq!(stuck.last_progress, at(0));
        assert!(
            stuck
                .to_string()
                .contains("https://b.ma/feed due since 00:00:50")
        );
    }

    #[test]
    fn overdue_feeds_are_not_stuck_while_fetches_finish() {
        // A thousand feeds waiting for the concurrency limit: overdue, but moving.
        let progress = Progress::new(at(0));
        progress.due(&url("a"), at(10));
        progress.moved(at(500));
        assert_eq!(progress.stuck(at(600), LIMIT), None);
        assert!(progress.stuck(at(621), LIMIT).is_some());
        // A late report of an older fetch does not move the clock back.
        progress.moved(at(20));
        assert!(progress.stuck(at(621), LIMIT).is_some());
    }

    #[test]
    fn quiet_is_not_stuck_when_nothing_is_due() {
        let progress = Progress::new(at(0));
        assert_eq!(progress.stuck(at(10_000), LIMIT), None, "no feeds");
        progress.due(&url("a"), at(9_000));
        assert_eq!(progress.stuck(at(8_000), LIMIT), None, "due later");
        progress.due(&url("a"), at(5_000));
        progress.forget(&url("a"));
        assert_eq!(progress.stuck(at(10_000), LIMIT), None, "removed feed");
    }
}
