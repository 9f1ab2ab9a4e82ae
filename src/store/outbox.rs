//! The outbox: deliveries claimed before they are attempted, and what became of them.
//!
//! A dispatcher claims the rows it is about to attempt (`claimed_by`, `claimed_until`, in one
//! write transaction), renews the claim while it sends, and drops it when it records the
//! outcomes. Another dispatcher on the same file skips rows claimed until later, so no row is
//! attempted by two at once; a claim left by a process that died expires by itself.

use chrono::{DateTime, Utc};
use rusqlite::{TransactionBehavior, params};

use super::{ClaimLimits, Claimed, PendingDelivery, Result, Store, parse_timestamp, timestamp};
use crate::alert::dispatch::Decision;

/// Rows no live claim holds at ?1 (now).
const UNCLAIMED: &str = "(claimed_until IS NULL OR claimed_until <= ?1)";

impl Store {
    /// Claim for `claim` until `until` the deliveries due at `now`, oldest first: up to
    /// `limits.alerts` single alerts, and up to `limits.digests` digests (sink, watch and
    /// period) with every pending row of their period, so that a digest goes out whole.
    pub fn claim_deliveries(
        &mut self,
        claim: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limits: ClaimLimits,
    ) -> Result<Claimed> {
        let (now_text, until_text) = (timestamp(now), timestamp(until));
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let alerts = tx.execute(
            &format!(
                "UPDATE delivery SET claimed_by = ?2, claimed_until = ?3 WHERE id IN (
                     SELECT id FROM delivery
                     WHERE state = 'pending' AND digest_until IS NULL AND next_attempt_at <= ?1
                         AND {UNCLAIMED}
                     ORDER BY id LIMIT ?4)"
            ),
            params![now_text, claim, until_text, limits.alerts as i64],
        )?;
        let due_digests: Vec<(String, String, String)> = tx
            .prepare_cached(&format!(
                "SELECT d.sink, a.watch, d.digest_until FROM delivery d JOIN alert a ON a.id = d.alert_id
                 WHERE d.state = 'pending' AND d.digest_until IS NOT NULL AND d.next_attempt_at <= ?1
                     AND {UNCLAIMED}
                 GROUP BY d.sink, a.watch, d.digest_until ORDER BY d.digest_until LIMIT ?2"
            ))?
            .query_map(params![now_text, limits.digests as i64], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        {
            // Every pending row of the period, due or not: rows retried at different times
            // still go out as the one digest the period is.
            let mut take_digest = tx.prepare_cached(&format!(
                "UPDATE delivery SET claimed_by = ?2, claimed_until = ?3
                 WHERE state = 'pending' AND {UNCLAIMED} AND sink = ?4 AND digest_until = ?5
                     AND alert_id IN (SELECT id FROM alert WHERE watch = ?6)"
            ))?;
            for (sink, watch, period_end) in &due_digests {
                take_digest.execute(params![
                    now_text, claim, until_text, sink, period_end, watch
                ])?;
            }
        }
        let deliveries = {
            let mut stmt = tx.prepare_cached(
                "SELECT d.id, d.sink, a.uid, a.payload, d.attempts, d.created_at, a.watch, d.digest_until,
                     d.folded_at IS NOT NULL
                 FROM delivery d JOIN alert a ON a.id = d.alert_id
                 WHERE d.state = 'pending' AND d.claimed_by = ?1 ORDER BY d.id",
            )?;
            let rows = stmt.query_map([claim], |row| {
                Ok(PendingDelivery {
                    id: row.get(0)?,
                    sink: row.get(1)?,
                    alert_uid: row.get(2)?,
                    payload: row.get(3)?,
                    attempts: row.get(4)?,
                    created_at: parse_timestamp(&row.get::<_, String>(5)?).unwrap_or(now),
                    watch: row.get(6)?,
                    digest_until: row
                        .get::<_, Option<String>>(7)?
                        .and_then(|t| parse_timestamp(&t)),
                    folded: row.get(8)?,
                })
            })?;
            rows.collect::<rusqlite::Result<Vec<_>>>()?
        };
        tx.commit()?;
        Ok(Claimed {
            deliveries,
            full: alerts >= limits.alerts || due_digests.len() >= limits.digests,
        })
    }

    /// Keep the rows of `claim` until `until` while their attempts run. Returns how many it
    /// still holds.
    pub fn renew_claim(&mut self, claim: i64, until: DateTime<Utc>) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE delivery SET claimed_until = ?2 WHERE state = 'pending' AND claimed_by = ?1",
            params![claim, timestamp(until)],
        )?)
    }

    /// Record the outcome of one attempt of each delivery, and drop its claim, in one
    /// transaction.
    pub fn record_attempts(
        &mut self,
        outcomes: &[(i64, Decision)],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (id, decision) in outcomes {
            match decision {
                Decision::Delivered => tx.execute(
                    "UPDATE delivery SET state = 'delivered', attempts = attempts + 1,
                         delivered_at = ?2, last_error = NULL, claimed_by = NULL, claimed_until = NULL
                     WHERE id = ?1",
                    params![id, timestamp(now)],
                )?,
                Decision::Retry { at, error } => tx.execute(
                    "UPDATE delivery SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3,
                         claimed_by = NULL, claimed_until = NULL
                     WHERE id = ?1",
                    params![id, error, timestamp(*at)],
                )?,
                Decision::Dead { error } => tx.execute(
                    "UPDATE delivery SET state = 'dead', attempts = attempts + 1, last_error = ?2,
                         claimed_by = NULL, claimed_until = NULL
                     WHERE id = ?1",
                    params![id, error],
                )?,
                Decision::Held { until } => tx.execute(
                    "UPDATE delivery SET folded_at = coalesce(folded_at, ?2), next_attempt_at = ?3,
                         claimed_by = NULL, claimed_until = NULL
                     WHERE id = ?1",
                    params![id, timestamp(now), timestamp(*until)],
                )?,
            };
        }
        tx.commit()?;
        Ok(())
    }

    /// Pending deliveries, due or not (what a clean shutdown leaves behind).
    pub fn pending_deliveries(&self) -> Result<u64> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM delivery WHERE state = 'pending'",
            [],
            |r| r.get(0),
        )?;
        Ok(count as u64)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::time::Duration;

    use super::*;
    use crate::config::AlertPolicy;
    use crate::store::tests::{alert, article, claim, now};

    /// A database with `articles` articles, each with an alert to two sinks; every article
    /// its own story.
    fn outbox(path: &std::path::Path, articles: usize, policy: AlertPolicy) -> Store {
        let mut store = Store::open(path).unwrap();
        let feed = store.sync_feed("https://x.ma/feed", "X", now()).unwrap();
        for i in 0..articles {
            let at = now() - chrono::Duration::seconds((articles - i) as i64);
            store
                .insert_article(
                    &article(feed.id, &i.to_string()),
                    at,
                    Duration::ZERO,
                    |_, _| {
                        let mut alerts = alert(&format!("u{i}"));
                        alerts[0].policy = policy;
                        alerts
                    },
                )
                .unwrap()
                .unwrap();
        }
        store
    }

    fn ids(deliveries: &[PendingDelivery]) -> BTreeSet<i64> {
        deliveries.iter().map(|d| d.id).collect()
    }

    #[test]
    fn two_dispatchers_on_one_file_never_hold_the_same_delivery() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raqib.db");
        let mut first = outbox(&path, 6, AlertPolicy::Article);
        let mut second = Store::open(&path).unwrap();
        let limits = ClaimLimits {
            alerts: 5,
            digests: 5,
        };
        let minute = chrono::Duration::minutes(1);
        let a = first
            .claim_deliveries(1, now(), now() + minute, limits)
            .unwrap();
        assert_eq!((a.deliveries.len(), a.full), (5, true));
        let b = claim(&mut second, 2, now());
        assert_eq!(b.len(), 7);
        assert!(ids(&a.deliveries).is_disjoint(&ids(&b)));
        assert!(claim(&mut first, 3, now()).is_empty(), "all held");

        // A claim renewed while its attempts run holds; one left to expire is taken over.
        let later = now() + chrono::Duration::minutes(2);
        assert_eq!(first.renew_claim(1, later + minute).unwrap(), 5);
        let taken_over = claim(&mut second, 4, later);
        assert_eq!(ids(&taken_over), ids(&b));
        // Recorded outcomes drop the claim: a retry is claimed again when it is due.
        let retry = Decision::Retry {
            at: later,
            error: "down".into(),
        };
        let outcomes: Vec<(i64, Decision)> =
            a.deliveries.iter().map(|d| (d.id, retry.clone())).collect();
        first.record_attempts(&outcomes, now()).unwrap();
        assert_eq!(ids(&claim(&mut second, 5, later)), ids(&a.deliveries));
    }

    #[test]
    fn dispatchers_racing_on_one_file_attempt_each_delivery_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raqib.db");
        drop(outbox(&path, 150, AlertPolicy::Article));
        let dispatchers: Vec<_> = (0..2)
            .map(|n| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).unwrap();
                    let mut attempted = Vec::new();
                    for round in 0.. {
                        let due = store
                            .claim_deliveries(
                                n * 1000 + round,
                                now(),
                                now() + chrono::Duration::minutes(1),
                                ClaimLimits {
                                    alerts: 7,
                                    digests: 7,
                                },
                            )
                            .unwrap()
                            .deliveries;
                        if due.is_empty() {
                            return attempted;
                        }
                        let delivered: Vec<(i64, Decision)> =
                            due.iter().map(|d| (d.id, Decision::Delivered)).collect();
                        store.record_attempts(&delivered, now()).unwrap();
                        attempted.extend(due.iter().map(|d| d.id));
                    }
                    attempted
                })
            })
            .collect();
        let mut all = Vec::new();
        for dispatcher in dispatchers {
            all.extend(dispatcher.join().unwrap());
        }
        let once: BTreeSet<i64> = all.iter().copied().collect();
        assert_eq!(all.len(), 300, "every delivery attempted");
        assert_eq!(once.len(), 300, "none attempted twice");
    }

    #[test]
    fn a_digest_is_claimed_whole_whatever_the_limits() {
        let dir = tempfile::tempdir().unwrap();
        let hour = Duration::from_secs(3600);
        let mut store = outbox(
            &dir.path().join("raqib.db"),
            4,
            AlertPolicy::Digest {
                every: hour,
                zone: chrono_tz::UTC,
            },
        );
        let period_end = crate::alert::digest::period_end(
            now() - chrono::Duration::seconds(1),
            hour,
            chrono_tz::UTC,
        );
        assert!(
            claim(&mut store, 1, period_end - chrono::Duration::seconds(1)).is_empty(),
            "not before its period ends"
        );
        // One of its rows waits for a retry: it still goes out with the others.
        store
            .conn
            .execute(
                "UPDATE delivery SET next_attempt_at = ?1 WHERE id = (SELECT max(id) FROM delivery)",
                [timestamp(period_end + chrono::Duration::hours(1))],
            )
            .unwrap();
        let limits = ClaimLimits {
            alerts: 1,
            digests: 1,
        };
        let claimed = store
            .claim_deliveries(
                2,
                period_end,
                period_end + chrono::Duration::minutes(1),
                limits,
            )
            .unwrap();
        // Two sinks: two digests, one taken this round with its four alerts.
        assert_eq!(claimed.deliveries.len(), 4, "{:?}", claimed.deliveries);
        assert!(claimed.full);
        let sinks: BTreeSet<&str> = claimed.deliveries.iter().map(|d| d.sink.as_str()).collect();
        assert_eq!(sinks.len(), 1);
        let rest = claim(&mut store, 3, period_end);
        assert_eq!(rest.len(), 4);
        assert!(ids(&rest).is_disjoint(&ids(&claimed.deliveries)));
    }
}
