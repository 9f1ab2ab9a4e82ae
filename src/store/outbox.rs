//! The outbox: deliveries due, and what became of them.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Result, Store, parse_timestamp, timestamp};
use crate::alert::dispatch::Decision;

/// A delivery due to be attempted.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingDelivery {
    pub id: i64,
    pub sink: String,
    pub alert_uid: String,
    pub payload: String,
    pub attempts: u32,
    /// When its alert was raised: dead-lettering counts from here.
    pub created_at: DateTime<Utc>,
    /// The alert's watch.
    pub watch: String,
    /// For a digest watch, the end of the period whose deliveries go out together.
    pub digest_until: Option<DateTime<Utc>>,
}

impl Store {
    /// Deliveries due at `now`, oldest first.
    pub fn due_deliveries(&self, now: DateTime<Utc>, limit: usize) -> Result<Vec<PendingDelivery>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.id, d.sink, a.uid, a.payload, d.attempts, d.created_at, a.watch, d.digest_until
             FROM delivery d JOIN alert a ON a.id = d.alert_id
             WHERE d.state = 'pending' AND d.next_attempt_at <= ?1 ORDER BY d.id LIMIT ?2",
        )?;
        let rows = stmt.query_map(params![timestamp(now), limit as i64], |row| {
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
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Record the outcome of one attempt of each delivery, in one transaction.
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
                         delivered_at = ?2, last_error = NULL WHERE id = ?1",
                    params![id, timestamp(now)],
                )?,
                Decision::Retry { at, error } => tx.execute(
                    "UPDATE delivery SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3
                     WHERE id = ?1",
                    params![id, error, timestamp(*at)],
                )?,
                Decision::Dead { error } => tx.execute(
                    "UPDATE delivery SET state = 'dead', attempts = attempts + 1, last_error = ?2
                     WHERE id = ?1",
                    params![id, error],
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
