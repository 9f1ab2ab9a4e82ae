//! The outbox on PostgreSQL, shared by instances: deliveries claimed before they are
//! attempted, and what became of them, as `store/outbox.rs` keeps them on SQLite.
//!
//! Single alerts are claimed `FOR UPDATE SKIP LOCKED`, so instances claiming at once take
//! different rows without waiting for each other. A digest goes out whole, so its rows cannot
//! be split between two claims that skip each other's locks: digests are claimed under a
//! transaction advisory lock, one instance at a time.

use chrono::{DateTime, Utc};

use super::feeds::count;
use super::{Pool, Result, stored};
use crate::alert::dispatch::Decision;
use crate::store::{ClaimLimits, Claimed, PendingDelivery};

/// The key of the advisory lock digests are claimed under ("raqib_dg").
const DIGEST_LOCK: i64 = 0x7261_7169_625f_6467;

/// Rows no live claim holds at $1 (now).
const UNCLAIMED: &str = "(claimed_until IS NULL OR claimed_until <= $1)";

fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Claim for `claim` until `until` the deliveries due at `now`, oldest first: up to
/// `limits.alerts` single alerts, and up to `limits.digests` digests (sink, watch and period)
/// with every pending row of their period, so that a digest goes out whole. Two instances
/// claiming at once never get the same delivery.
pub async fn claim_deliveries(
    pool: &Pool,
    claim: i64,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limits: ClaimLimits,
) -> Result<Claimed> {
    let (now, until) = (stored(now), stored(until));
    let mut client = pool.client().await?;
    let tx = client.transaction().await?;
    let alerts = tx
        .execute(
            &format!(
                "UPDATE delivery SET claimed_by = $2, claimed_until = $3 WHERE id IN (
                     SELECT id FROM delivery
                     WHERE state = 'pending' AND digest_until IS NULL AND next_attempt_at <= $1
                         AND {UNCLAIMED}
                     ORDER BY id LIMIT $4
                     FOR UPDATE SKIP LOCKED)"
            ),
            &[&now, &claim, &until, &limit(limits.alerts)],
        )
        .await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&DIGEST_LOCK])
        .await?;
    let due_digests = tx
        .query(
            &format!(
                "SELECT d.sink, a.watch, d.digest_until FROM delivery d
                 JOIN alert a ON a.id = d.alert_id
                 WHERE d.state = 'pending' AND d.digest_until IS NOT NULL
                     AND d.next_attempt_at <= $1 AND {UNCLAIMED}
                 GROUP BY d.sink, a.watch, d.digest_until ORDER BY d.digest_until LIMIT $2"
            ),
            &[&now, &limit(limits.digests)],
        )
        .await?;
    // Every pending row of the period, due or not: rows retried at different times still go
    // out as the one digest the period is.
    let take_digest = tx
        .prepare(&format!(
            "UPDATE delivery SET claimed_by = $2, claimed_until = $3
             WHERE state = 'pending' AND {UNCLAIMED} AND sink = $4 AND digest_until = $5
                 AND alert_id IN (SELECT id FROM alert WHERE watch = $6)"
        ))
        .await?;
    for digest in &due_digests {
        let (sink, watch, period_end): (String, String, DateTime<Utc>) =
            (digest.get(0), digest.get(1), digest.get(2));
        tx.execute(
            &take_digest,
            &[&now, &claim, &until, &sink, &period_end, &watch],
        )
        .await?;
    }
    let deliveries = tx
        .query(
            "SELECT d.id, d.sink, a.uid, a.payload, d.attempts, d.created_at, a.watch,
                 d.digest_until, d.folded_at IS NOT NULL
             FROM delivery d JOIN alert a ON a.id = d.alert_id
             WHERE d.state = 'pending' AND d.claimed_by = $1 ORDER BY d.id",
            &[&claim],
        )
        .await?
        .iter()
        .map(|row| PendingDelivery {
            id: row.get(0),
            sink: row.get(1),
            alert_uid: row.get(2),
            payload: row.get(3),
            attempts: count(row.get(4)),
            created_at: row.get(5),
            watch: row.get(6),
            digest_until: row.get(7),
            folded: row.get(8),
        })
        .collect();
    tx.commit().await?;
    Ok(Claimed {
        deliveries,
        full: alerts as usize >= limits.alerts || due_digests.len() >= limits.digests,
    })
}

/// Keep the rows of `claim` until `until` while their attempts run. Returns how many it still
/// holds.
pub async fn renew_claim(pool: &Pool, claim: i64, until: DateTime<Utc>) -> Result<usize> {
    let renewed = pool
        .client()
        .await?
        .execute(
            "UPDATE delivery SET claimed_until = $2 WHERE state = 'pending' AND claimed_by = $1",
            &[&claim, &stored(until)],
        )
        .await?;
    Ok(renewed as usize)
}

/// Record the outcome of one attempt of each delivery, and drop its claim, in one
/// transaction.
pub async fn record_attempts(
    pool: &Pool,
    outcomes: &[(i64, Decision)],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut client = pool.client().await?;
    let tx = client.transaction().await?;
    for (id, decision) in outcomes {
        match decision {
            Decision::Delivered => {
                tx.execute(
                    "UPDATE delivery SET state = 'delivered', attempts = attempts + 1,
                         delivered_at = $2, last_error = NULL, claimed_by = NULL,
                         claimed_until = NULL
                     WHERE id = $1",
                    &[id, &stored(now)],
                )
                .await?
            }
            Decision::Retry { at, error } => {
                tx.execute(
                    "UPDATE delivery SET attempts = attempts + 1, last_error = $2,
                         next_attempt_at = $3, claimed_by = NULL, claimed_until = NULL
                     WHERE id = $1",
                    &[id, error, &stored(*at)],
                )
                .await?
            }
            Decision::Dead { error } => {
                tx.execute(
                    "UPDATE delivery SET state = 'dead', attempts = attempts + 1, last_error = $2,
                         claimed_by = NULL, claimed_until = NULL
                     WHERE id = $1",
                    &[id, error],
                )
                .await?
            }
            Decision::Held { until } => {
                tx.execute(
                    "UPDATE delivery SET folded_at = coalesce(folded_at, $2), next_attempt_at = $3,
                         claimed_by = NULL, claimed_until = NULL
                     WHERE id = $1",
                    &[id, &stored(now), &stored(*until)],
                )
                .await?
            }
        };
    }
    tx.commit().await?;
    Ok(())
}

/// Pending deliveries, due or not (what a clean shutdown leaves behind).
pub async fn pending_deliveries(pool: &Pool) -> Result<u64> {
    let pending: i64 = pool
        .client()
        .await?
        .query_one("SELECT count(*) FROM delivery WHERE state = 'pending'", &[])
        .await?
        .get(0);
    Ok(pending.max(0) as u64)
}
