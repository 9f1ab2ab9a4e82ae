//! The outbox dispatcher: delivers pending deliveries, retrying failures with capped
//! exponential backoff. A delivery is marked done only after its sink succeeded, so a crash in
//! between repeats it (at least once) and never loses it.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::sink::{Sink, SinkError};
use crate::store::{Store, StoreError};

/// Deliveries taken per round.
const BATCH: usize = 500;
/// Retry delays: `FIRST_RETRY * 2^attempts`, at most `MAX_RETRY`.
const FIRST_RETRY: Duration = Duration::from_secs(30);
const MAX_RETRY: Duration = Duration::from_secs(3600);

/// What one dispatch round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Dispatched {
    pub delivered: usize,
    pub failed: usize,
}

/// When a delivery that has failed `attempts` times (this one included) is tried again.
pub fn retry_at(now: DateTime<Utc>, attempts: u32) -> DateTime<Utc> {
    let delay = FIRST_RETRY
        .saturating_mul(2u32.saturating_pow(attempts.saturating_sub(1).min(16)))
        .min(MAX_RETRY);
    now + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1))
}

/// Deliver every due delivery once. Blocking: call from a blocking task.
pub fn dispatch_due(
    store: &mut Store,
    sinks: &[Sink],
    now: DateTime<Utc>,
) -> Result<Dispatched, StoreError> {
    let mut done = Dispatched::default();
    loop {
        let due = store.due_deliveries(now, BATCH)?;
        if due.is_empty() {
            return Ok(done);
        }
        for delivery in &due {
            let result = match sinks.iter().find(|s| s.name() == delivery.sink) {
                Some(sink) => sink.deliver(&delivery.alert_uid, &delivery.payload),
                None => Err(SinkError::Unknown(delivery.sink.clone())),
            };
            match result {
                Ok(()) => {
                    store.mark_delivered(delivery.id, now)?;
                    done.delivered += 1;
                }
                Err(err) => {
                    let next = retry_at(now, delivery.attempts + 1);
                    tracing::warn!(sink = %delivery.sink, alert_id = %delivery.alert_uid, error = %err, retry_at = %next, "alert delivery failed");
                    store.mark_failed(delivery.id, &err.to_string(), next)?;
                    done.failed += 1;
                }
            }
        }
        if due.len() < BATCH {
            return Ok(done);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_and_cap() {
        let now = Utc::now();
        assert_eq!(retry_at(now, 1) - now, chrono::Duration::seconds(30));
        assert_eq!(retry_at(now, 3) - now, chrono::Duration::seconds(120));
        assert_eq!(retry_at(now, 40) - now, chrono::Duration::seconds(3600));
    }
}
