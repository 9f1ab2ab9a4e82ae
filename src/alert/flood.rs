//! Per-sink flood control (`max_per_minute`): a sink is sent at most that many messages in
//! any minute. The alerts beyond it are held (marked folded in the outbox, so a restart keeps
//! them) and go out together as one digest when the minute allows one more message: never
//! dropped, and the channel is not flooded.
//!
//! The messages sent in the last minute are counted in memory: after a restart a sink may get
//! up to its limit again within that minute.

use std::collections::VecDeque;

use chrono::{DateTime, TimeDelta, Utc};
use sha2::{Digest as _, Sha256};

use super::digest::Digest;

/// The span `max_per_minute` counts over.
pub const MINUTE: TimeDelta = TimeDelta::seconds(60);

/// The messages one sink was sent in the last minute.
#[derive(Debug, Default)]
pub struct Window {
    sent: VecDeque<DateTime<Utc>>,
}

impl Window {
    /// How many more messages a sink limited to `limit` a minute may be sent at `now`.
    pub fn room(&mut self, limit: u32, now: DateTime<Utc>) -> usize {
        while self.sent.front().is_some_and(|at| *at + MINUTE <= now) {
            self.sent.pop_front();
        }
        usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .saturating_sub(self.sent.len())
    }

    /// `messages` sent at `at`.
    pub fn record(&mut self, at: DateTime<Utc>, messages: usize) {
        self.sent.extend(std::iter::repeat_n(at, messages));
    }

    /// When one more message may go: a minute after the oldest one counted, in whole seconds
    /// (as the outbox stores times) rounded up.
    pub fn frees_at(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let at = self.sent.front().map_or(now, |oldest| *oldest + MINUTE);
        let whole = at.timestamp() + i64::from(at.timestamp_subsec_nanos() > 0);
        DateTime::from_timestamp(whole, 0).unwrap_or(at)
    }
}

/// The digest of the alerts held back for `sink` (their ids and JSON, oldest first): its id is
/// the same for the same alerts (a retry), and it lists each alert whole.
pub fn digest(sink: &str, alerts: &[(&str, &str)]) -> Digest {
    let mut named = format!("flood\0{sink}");
    for (uid, _) in alerts {
        named.push('\0');
        named.push_str(uid);
    }
    let hash = Sha256::digest(named.as_bytes());
    let id: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
    let alerts: Vec<serde_json::Value> = alerts
        .iter()
        .map(|(_, a)| serde_json::from_str(a).unwrap_or_default())
        .collect();
    let mut watches: Vec<&str> = alerts.iter().filter_map(|a| a["watch"].as_str()).collect();
    watches.sort_unstable();
    watches.dedup();
    let payload = serde_json::json!({
        "id": id,
        "kind": "digest",
        "reason": "max_per_minute",
        "sink": sink,
        "watch": watches.join(", "),
        "watches": watches,
        "count": alerts.len(),
        "alerts": alerts,
    })
    .to_string();
    Digest { id, payload }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap() + TimeDelta::milliseconds(seconds)
    }

    #[test]
    fn a_window_frees_a_minute_after_each_message() {
        let mut window = Window::default();
        assert_eq!(window.room(3, at(0)), 3);
        window.record(at(0), 2);
        window.record(at(10_500), 1);
        assert_eq!(window.room(3, at(20_000)), 0);
        assert_eq!(window.frees_at(at(20_000)), at(60_000));
        assert_eq!(window.room(3, at(60_000)), 2);
        assert_eq!(
            window.frees_at(at(60_000)),
            at(71_000),
            "rounded up to whole seconds"
        );
        assert_eq!(window.room(3, at(70_500)), 3);
    }

    #[test]
    fn a_flood_digest_lists_every_alert_of_every_watch_under_a_stable_id() {
        let a = r#"{"id":"1","watch":"b"}"#;
        let b = r#"{"id":"2","watch":"a"}"#;
        let d = digest("desk", &[("1", a), ("2", b)]);
        assert_eq!(d.id, digest("desk", &[("1", a), ("2", b)]).id);
        assert_ne!(d.id, digest("desk", &[("1", a)]).id);
        let json: serde_json::Value = serde_json::from_str(&d.payload).unwrap();
        assert!(super::super::digest::is_digest(&json));
        assert_eq!(json["count"], 2);
        assert_eq!(json["watch"], "a, b");
        assert_eq!(json["alerts"][1]["id"], "2");
    }
}
