//! Counts of paragraphs per outlet, from which its boilerplate is learned.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{Result, Store, timestamp};
use crate::extract::learned::LEARN_AFTER;

/// Paragraph counts older than this start again from one: outlets redesign.
const WINDOW_DAYS: i64 = 30;

impl Store {
    /// Which of `fingerprints` are `outlet`'s boilerplate as of `now`.
    pub fn learned_boilerplate(
        &self,
        outlet: &str,
        fingerprints: &[i64],
        now: DateTime<Utc>,
    ) -> Result<HashSet<i64>> {
        let since = timestamp(now - chrono::Duration::days(WINDOW_DAYS));
        let mut stmt = self.conn.prepare_cached(
            "SELECT 1 FROM outlet_paragraph WHERE outlet = ?1 AND fingerprint = ?2 AND articles >= ?3 AND last_seen_at >= ?4",
        )?;
        let mut learned = HashSet::new();
        for fingerprint in fingerprints {
            if stmt.exists(params![outlet, fingerprint, LEARN_AFTER, since])? {
                learned.insert(*fingerprint);
            }
        }
        Ok(learned)
    }
}

/// Count one more article of `outlet` for each of `fingerprints` (in the article's transaction).
pub(super) fn record(
    tx: &Connection,
    outlet: &str,
    fingerprints: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    let since = timestamp(now - chrono::Duration::days(WINDOW_DAYS));
    let mut stmt = tx.prepare_cached(
        "INSERT INTO outlet_paragraph (outlet, fingerprint, first_seen_at, last_seen_at) VALUES (?1, ?2, ?3, ?3)
         ON CONFLICT (outlet, fingerprint) DO UPDATE SET
             articles = CASE WHEN last_seen_at < ?4 THEN 1 ELSE articles + 1 END,
             last_seen_at = excluded.last_seen_at",
    )?;
    for fingerprint in fingerprints {
        stmt.execute(params![outlet, fingerprint, timestamp(now), since])?;
    }
    Ok(())
}
