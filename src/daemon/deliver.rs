//! The outbox dispatcher's I/O: take the due deliveries, hand them to their sinks (a few at a
//! time), record what [`dispatch::decide`] makes of each outcome.

use futures_util::StreamExt;

use super::Pipeline;
use crate::alert::dispatch::{self, Decision, Dispatched};
use crate::alert::sink::SinkError;
use crate::store::{PendingDelivery, StoreError};

impl Pipeline {
    /// Deliver everything due now, in rounds of [`dispatch::BATCH`].
    pub async fn dispatch(&self) -> Result<Dispatched, StoreError> {
        let mut done = Dispatched::default();
        loop {
            let now = self.now();
            let due = self
                .with_store(move |s| s.due_deliveries(now, dispatch::BATCH))
                .await?;
            let taken = due.len();
            let outcomes: Vec<(PendingDelivery, Result<(), SinkError>)> =
                futures_util::stream::iter(due)
                    .map(|delivery| async move {
                        let result = match self.sinks.iter().find(|s| s.name() == delivery.sink) {
                            Some(sink) => {
                                sink.deliver(&delivery.alert_uid, &delivery.payload).await
                            }
                            None => Err(SinkError::Unknown(delivery.sink.clone())),
                        };
                        (delivery, result)
                    })
                    .buffer_unordered(dispatch::CONCURRENCY)
                    .collect()
                    .await;
            let now = self.now();
            let retries = dispatch::Retries {
                first: self.config.daemon.delivery_retry,
                dead_after: self.config.daemon.delivery_dead_after,
            };
            let decisions: Vec<(i64, Decision)> = outcomes
                .iter()
                .map(|(delivery, result)| {
                    let attempts = delivery.attempts + 1;
                    let decision = dispatch::decide(
                        result,
                        attempts,
                        delivery.created_at,
                        now,
                        retries,
                        self.draw(),
                    );
                    report(delivery, attempts, &decision, &mut done);
                    (delivery.id, decision)
                })
                .collect();
            self.with_store(move |s| s.record_attempts(&decisions, now))
                .await?;
            if taken < dispatch::BATCH {
                return Ok(done);
            }
        }
    }
}

fn report(delivery: &PendingDelivery, attempts: u32, decision: &Decision, done: &mut Dispatched) {
    match decision {
        Decision::Delivered => done.delivered += 1,
        Decision::Retry { at, error } => {
            done.failed += 1;
            tracing::warn!(sink = %delivery.sink, alert_id = %delivery.alert_uid, attempts, error = %error, retry_at = %at, "alert delivery failed; will retry");
        }
        Decision::Dead { error } => {
            done.dead += 1;
            tracing::error!(sink = %delivery.sink, alert_id = %delivery.alert_uid, attempts, error = %error, "alert delivery given up: marked dead (raqib alerts lists it)");
        }
    }
}
