//! Keeping the database bounded over months: articles older than `retention` go with their
//! matches, terms and story rows (and leave the document frequencies), and the records of stories
//! merged that long ago; alerts (with their deliveries and reports) older than
//! `alert_retention` go too, and an article an alert still shows is kept until its alert goes;
//! paragraphs of learned boilerplate go once their outlet has not used them for its window, or
//! when the outlet holds too many (the least recently seen first).
//! Work is done in small batches, each its own short transaction, so the writer is never held
//! for long; freed pages are reused, and returned to the filesystem when the database was
//! created with incremental auto-vacuum.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Pruned, Result, Store, timestamp};

/// The times before which rows are past their retention at `now` (pure, so the config fuzz
/// target can drive it with every retention it manages to load).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cutoffs {
    pub articles: DateTime<Utc>,
    pub alerts: DateTime<Utc>,
    /// Stories left without articles or alerts: the shorter of the two retentions.
    pub stories: DateTime<Utc>,
}

pub fn cutoffs(
    now: DateTime<Utc>,
    retention: std::time::Duration,
    alert_retention: std::time::Duration,
) -> Cutoffs {
    Cutoffs {
        articles: crate::date::earlier(now, retention),
        alerts: crate::date::earlier(now, alert_retention),
        stories: crate::date::earlier(now, retention.min(alert_retention)),
    }
}

impl Store {
    /// Remove at most `batch` alerts and `batch` articles past their retention; call again
    /// while it removes something.
    pub fn prune(
        &mut self,
        now: DateTime<Utc>,
        retention: std::time::Duration,
        alert_retention: std::time::Duration,
        batch: usize,
    ) -> Result<Pruned> {
        let cutoff = cutoffs(now, retention, alert_retention);
        let tx = self.conn.transaction()?;
        let alerts: Vec<i64> = tx
            .prepare_cached("SELECT id FROM alert WHERE raised_at < ?1 ORDER BY id LIMIT ?2")?
            .query_map(params![timestamp(cutoff.alerts), batch as i64], |r| {
                r.get(0)
            })?
            .collect::<rusqlite::Result<_>>()?;
        for id in &alerts {
            tx.execute("DELETE FROM delivery WHERE alert_id = ?1", [id])?;
            tx.execute("DELETE FROM alert_report WHERE alert_id = ?1", [id])?;
            tx.execute("DELETE FROM alert WHERE id = ?1", [id])?;
        }
        // Articles an alert still shows stay until the alert goes.
        let articles: Vec<i64> = tx
            .prepare_cached(
                "SELECT a.id FROM article a WHERE a.fetched_at < ?1
                   AND NOT EXISTS (SELECT 1 FROM alert WHERE article_id = a.id)
                 ORDER BY a.fetched_at LIMIT ?2",
            )?
            .query_map(params![timestamp(cutoff.articles), batch as i64], |r| {
                r.get(0)
            })?
            .collect::<rusqlite::Result<_>>()?;
        for id in &articles {
            super::story::uncount_article(&tx, *id)?;
            // Matches, terms, story rows and reports go with it (ON DELETE CASCADE).
            tx.execute("DELETE FROM article WHERE id = ?1", [id])?;
        }
        let stories = tx.execute(
            "DELETE FROM story WHERE id IN (
                 SELECT s.id FROM story s WHERE s.first_seen_at < ?1
                   AND NOT EXISTS (SELECT 1 FROM article WHERE story_id = s.id)
                   AND NOT EXISTS (SELECT 1 FROM alert WHERE story_id = s.id)
                 LIMIT ?2)",
            params![timestamp(cutoff.stories), batch as i64],
        )?;
        let merges = tx.execute(
            "DELETE FROM story_merge WHERE rowid IN (
                 SELECT rowid FROM story_merge WHERE merged_at < ?1 LIMIT ?2)",
            params![timestamp(cutoff.stories), batch as i64],
        )?;
        let paragraphs = super::learned::prune(&tx, now, super::learned::MAX_PER_OUTLET, batch)?;
        tx.commit()?;
        let pruned = Pruned {
            articles: articles.len(),
            alerts: alerts.len(),
            stories,
            merges,
            paragraphs,
        };
        if !pruned.is_empty() {
            // A no-op unless the database uses incremental auto-vacuum (new ones do).
            self.conn.execute_batch("PRAGMA incremental_vacuum(1000)")?;
        }
        Ok(pruned)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_retention_beyond_what_a_date_holds_keeps_everything_without_panicking() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("raqib.db")).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 11, 29, 5, 0, 0).unwrap();
        store.sync_feed("https://x.ma/feed", "X", now).unwrap();
        for keep in [Duration::from_secs(300_000 * 365 * 86_400), Duration::MAX] {
            assert_eq!(store.prune(now, keep, keep, 10).unwrap(), Pruned::default());
        }
    }
}
