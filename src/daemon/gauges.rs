//! The `/metrics` gauges that live in the database (feeds by state, the outbox, alerts by
//! watch, the file's size), read every [`GAUGES_EVERY`] on a read-only connection of their own
//! and kept: a scrape renders the last reading, so it neither waits for the writer nor scans
//! a table, however often Prometheus asks.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::Pipeline;
use crate::config::Config;
use crate::metrics::Snapshot;
use crate::store::{Reader, Storage, StoreError};

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
    let mut reader: Option<Reader> = None;
    loop {
        let config = pipeline.live().config.clone();
        let now = pipeline.now();
        let kept = reader.take();
        let read = tokio::task::spawn_blocking(move || {
            let reader = match kept {
                Some(reader) => reader,
                None => Reader::open(&config.daemon.database)?,
            };
            let snapshot = read(&reader, &config, now)?;
            Ok::<_, StoreError>((reader, snapshot))
        })
        .await
        .unwrap_or_else(|join| Err(StoreError::Task(join.to_string())));
        let reading = match read {
            Ok((kept, snapshot)) => {
                reader = Some(kept);
                Ok(snapshot)
            }
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the /metrics gauges; tried again later");
                Err(err.to_string())
            }
        };
        gauges.send_replace(Some(reading));
        tokio::select! {
            _ = tokio::time::sleep(GAUGES_EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}

/// One reading of the gauges.
fn read(reader: &Reader, config: &Config, now: DateTime<Utc>) -> Result<Snapshot, StoreError> {
    let urls: Vec<&str> = config.feeds.iter().map(|f| f.url.as_str()).collect();
    let health = reader.feed_healths(&urls, now)?;
    let mut feeds = BTreeMap::new();
    for report in crate::health::feed_reports(config, &health, now) {
        let state = serde_json::to_value(report.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        *feeds.entry(state).or_default() += 1;
    }
    let (outbox_pending, outbox_dead) = reader.outbox_counts()?;
    Ok(Snapshot {
        feeds,
        outbox_pending,
        outbox_dead,
        database_bytes: reader.size_bytes(),
        last_success: None,
        alerts: reader.alerts_by_watch()?,
    })
}
