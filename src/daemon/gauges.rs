//! The `/metrics` gauges that live in the database (feeds by state, the outbox, alerts by
//! watch, the file's size), read every [`GAUGES_EVERY`] through the storage's read side
//! ([`Gauges`](crate::store::Gauges): on SQLite a read-only connection of their own) and kept:
//! a scrape renders the last reading, so it neither waits for the writer nor scans a table,
//! however often Prometheus asks.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::Pipeline;
use super::paused::Cause;
use crate::config::Config;
use crate::metrics::Snapshot;
use crate::store::{GaugeReading, Storage};

/// How often the gauges are read again: Prometheus' default scrape interval is 15 s.
pub(super) const GAUGES_EVERY: Duration = Duration::from_secs(10);

/// The last reading, or why it failed; `None` until the first one.
pub(super) type Reading = Option<Result<Snapshot, String>>;

/// Read the gauges until `stop`, publishing each reading on `gauges`.
pub(super) async fn keep<S: Storage>(
    pipeline: Arc<Pipeline<S>>,
    gauges: watch::Sender<Reading>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        let config = pipeline.live().config.clone();
        let now = pipeline.now();
        let urls = config.feeds.iter().map(|f| f.url.to_string()).collect();
        let unreachable =
            matches!(&*pipeline.paused().borrow(), Some(p) if p.cause == Cause::Unreachable);
        // While the server is out of reach the last reading is served, with
        // `raqib_database_up` saying so: a failed reading would only repeat the pause.
        if !unreachable {
            match pipeline.noted(pipeline.store().gauges(urls, now)).await {
                Ok(read) => {
                    gauges.send_replace(Some(Ok(snapshot(&config, read, now))));
                }
                Err(err) if err.is_unavailable() => {}
                Err(err) => {
                    tracing::warn!(error = %err, "cannot read the /metrics gauges; tried again later");
                    gauges.send_replace(Some(Err(err.to_string())));
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(GAUGES_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// What a reading of the storage shows, the feeds counted by state.
fn snapshot(config: &Config, read: GaugeReading, now: DateTime<Utc>) -> Snapshot {
    let mut feeds = BTreeMap::new();
    for report in crate::health::feed_reports(config, &read.feeds, now) {
        let state = serde_json::to_value(report.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        *feeds.entry(state).or_default() += 1;
    }
    Snapshot {
        feeds,
        outbox_pending: read.outbox_pending,
        outbox_dead: read.outbox_dead,
        database_bytes: read.bytes,
        last_success: None,
        database_up: true,
        alerts: read.alerts,
    }
}
