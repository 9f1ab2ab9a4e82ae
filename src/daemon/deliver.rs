//! The outbox dispatcher's I/O: claim the due deliveries, hand them to their sinks (a few at
//! a time; a digest's deliveries as one) while renewing the claim, record what
//! [`dispatch::decide`] makes of each outcome. A sink's `max_per_minute` holds back what
//! exceeds it ([`flood`]).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use super::Pipeline;
use super::pipeline::Live;
use crate::alert::dispatch::{self, Decision, Dispatched};
use crate::alert::sink::SinkError;
use crate::alert::{digest, flood};
use crate::store::{ClaimLimits, PendingDelivery, Storage, StoreError};

/// What one sink is handed at once: an alert, or a digest of several.
struct Parcel {
    sink: String,
    id: String,
    payload: String,
    /// The outbox rows it carries; the outcome is theirs.
    rows: Vec<PendingDelivery>,
    /// Whether it is the digest of alerts its sink's `max_per_minute` held back.
    folded: bool,
}

impl<S: Storage> Pipeline<S> {
    /// Deliver everything due now, in rounds of at most [`dispatch::BATCH`] alerts and
    /// [`dispatch::DIGESTS`] digests. One call at a time: a second one (the final round at
    /// shutdown) waits for the round in progress instead of sending its deliveries again.
    pub async fn dispatch(&self) -> Result<Dispatched, StoreError> {
        let _alone = self.dispatching.lock().await;
        let mut done = Dispatched::default();
        let live = self.live();
        let limits = ClaimLimits {
            alerts: dispatch::BATCH,
            digests: dispatch::DIGESTS,
        };
        loop {
            let claim = fastrand::i64(1..);
            let now = self.now();
            let until = now + dispatch::CLAIM_FOR;
            let claimed = self
                .noted(self.store().claim_deliveries(claim, now, until, limits))
                .await?;
            if claimed.deliveries.is_empty() {
                return Ok(done);
            }
            let (parcels, held) = self.within_limits(&live, parcels(claimed.deliveries), now);
            let sending = futures_util::stream::iter(parcels)
                .map(|parcel| async {
                    let result = match live.sinks.iter().find(|s| s.name() == parcel.sink) {
                        Some(sink) => sink.deliver(&parcel.id, &parcel.payload).await,
                        None => Err(SinkError::Unknown(parcel.sink.clone())),
                    };
                    (parcel, result)
                })
                .buffer_unordered(dispatch::CONCURRENCY)
                .collect::<Vec<(Parcel, Result<(), SinkError>)>>();
            let outcomes = self.holding(claim, sending).await;
            let now = self.now();
            let retries = dispatch::Retries {
                first: live.config.daemon.delivery_retry,
                dead_after: live.config.daemon.delivery_dead_after,
            };
            let mut decisions: Vec<(i64, Decision)> = Vec::new();
            for (parcel, until) in &held {
                tracing::info!(sink = %parcel.sink, alert_id = %parcel.id, alerts = parcel.rows.len(), until = %until, "sink's max_per_minute reached: alert held for its next digest");
                self.metrics.count(
                    "raqib_deliveries_total",
                    &[("sink", &parcel.sink), ("outcome", "held")],
                    parcel.rows.len() as u64,
                );
                decisions.extend(
                    parcel
                        .rows
                        .iter()
                        .map(|r| (r.id, Decision::Held { until: *until })),
                );
            }
            for (parcel, result) in &outcomes {
                let attempts = parcel.rows.iter().map(|r| r.attempts).max().unwrap_or(0) + 1;
                let decision = dispatch::decide(
                    result,
                    attempts,
                    parcel.since(now),
                    now,
                    retries,
                    self.draw(),
                );
                report(parcel, attempts, &decision, &mut done);
                let outcome = match decision {
                    Decision::Delivered => "delivered",
                    Decision::Retry { .. } => "retry",
                    Decision::Dead { .. } => "dead",
                    Decision::Held { .. } => "held",
                };
                self.metrics.count(
                    "raqib_deliveries_total",
                    &[("sink", &parcel.sink), ("outcome", outcome)],
                    parcel.rows.len() as u64,
                );
                decisions.extend(parcel.rows.iter().map(|r| (r.id, decision.clone())));
            }
            self.noted(self.store().record_attempts(decisions, now))
                .await?;
            if !claimed.full {
                return Ok(done);
            }
        }
    }

    /// The parcels the sinks' `max_per_minute` let go at `now`, and those held back with the
    /// time their sink's minute allows another message. A sink's flood digest goes first (its
    /// alerts waited longest), then its other parcels oldest first.
    fn within_limits(
        &self,
        live: &Live,
        parcels: Vec<Parcel>,
        now: DateTime<Utc>,
    ) -> (Vec<Parcel>, Vec<(Parcel, DateTime<Utc>)>) {
        let mut going = Vec::new();
        let mut limited: BTreeMap<String, (u32, Vec<Parcel>)> = BTreeMap::new();
        for parcel in parcels {
            let limit = live
                .sinks
                .iter()
                .find(|s| s.name() == parcel.sink)
                .and_then(|s| s.max_per_minute());
            match limit {
                Some(limit) => limited
                    .entry(parcel.sink.clone())
                    .or_insert((limit, Vec::new()))
                    .1
                    .push(parcel),
                None => going.push(parcel),
            }
        }
        let mut held = Vec::new();
        let mut windows = self
            .floods
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for (sink, (limit, mut parcels)) in limited {
            parcels.sort_by_key(|p| (!p.folded, p.rows.first().map(|r| r.id)));
            let window = windows.entry(sink).or_default();
            let room = window.room(limit, now).min(parcels.len());
            window.record(now, room);
            let later = parcels.split_off(room);
            going.extend(parcels);
            let until = window.frees_at(now);
            held.extend(later.into_iter().map(|p| (p, until)));
        }
        (going, held)
    }

    /// Run `sending`, renewing `claim` on its deliveries until it is done.
    async fn holding<T>(&self, claim: i64, sending: impl Future<Output = T>) -> T {
        let mut sending = std::pin::pin!(sending);
        loop {
            tokio::select! {
                sent = &mut sending => return sent,
                _ = tokio::time::sleep(dispatch::RENEW_EVERY) => {
                    let until = self.now() + dispatch::CLAIM_FOR;
                    if let Err(err) = self.noted(self.store().renew_claim(claim, until)).await {
                        tracing::warn!(error = %err, "cannot renew the claim on deliveries being sent; another dispatcher may take them when it expires");
                    }
                }
            }
        }
    }
}

impl Parcel {
    /// Since when it could be attempted, which its dead-lettering counts from: its period's
    /// end for a digest (which waits for it), else when its alert was raised.
    fn since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let period_end = self.rows.iter().find_map(|r| r.digest_until);
        period_end
            .or_else(|| self.rows.iter().map(|r| r.created_at).min())
            .unwrap_or(now)
    }
}

/// One parcel per alert, one per (sink, watch, period) for digests, and one per sink for the
/// alerts its `max_per_minute` held back.
fn parcels(due: Vec<PendingDelivery>) -> Vec<Parcel> {
    let mut parcels = Vec::new();
    let mut digests: BTreeMap<(String, String, DateTime<Utc>), Vec<PendingDelivery>> =
        BTreeMap::new();
    let mut folded: HashMap<String, Vec<PendingDelivery>> = HashMap::new();
    for row in due {
        match row.digest_until {
            Some(until) => digests
                .entry((row.sink.clone(), row.watch.clone(), until))
                .or_default()
                .push(row),
            None if row.folded => folded.entry(row.sink.clone()).or_default().push(row),
            None => parcels.push(Parcel {
                sink: row.sink.clone(),
                id: row.alert_uid.clone(),
                payload: row.payload.clone(),
                rows: vec![row],
                folded: false,
            }),
        }
    }
    for (sink, rows) in folded {
        let alerts: Vec<(&str, &str)> = rows
            .iter()
            .map(|r| (r.alert_uid.as_str(), r.payload.as_str()))
            .collect();
        let digest = flood::digest(&sink, &alerts);
        parcels.push(Parcel {
            sink,
            id: digest.id,
            payload: digest.payload,
            rows,
            folded: true,
        });
    }
    for ((sink, watch, until), rows) in digests {
        let alerts: Vec<&str> = rows.iter().map(|r| r.payload.as_str()).collect();
        let digest = digest::digest(&watch, until, &alerts);
        parcels.push(Parcel {
            sink,
            id: digest.id,
            payload: digest.payload,
            rows,
            folded: false,
        });
    }
    parcels
}

fn report(parcel: &Parcel, attempts: u32, decision: &Decision, done: &mut Dispatched) {
    let alerts = parcel.rows.len();
    match decision {
        Decision::Delivered => done.delivered += alerts,
        Decision::Retry { at, error } => {
            done.failed += alerts;
            tracing::warn!(sink = %parcel.sink, alert_id = %parcel.id, alerts, attempts, error = %error, retry_at = %at, "alert delivery failed; will retry");
        }
        Decision::Dead { error } => {
            done.dead += alerts;
            tracing::error!(sink = %parcel.sink, alert_id = %parcel.id, alerts, attempts, error = %error, "alert delivery given up: marked dead (raqib alerts lists it)");
        }
        Decision::Held { .. } => {}
    }
}
