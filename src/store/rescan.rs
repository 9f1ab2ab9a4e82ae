//! Stored articles read back for `raqib rescan`, and a watch's matches replaced on them.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{
    NewAlert, Result, Store, StoredArticle, StoredText, insert_alerts, insert_matches, timestamp,
};
use crate::watch::Match;

impl Store {
    /// Up to `limit` articles with ids above `after`, fetched at or after `since`, by id.
    pub fn articles_after(
        &self,
        after: i64,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<StoredText>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.story_id, f.url, f.outlet, a.entry_key, a.url, a.title, a.body, a.lang,
                    a.published_at
             FROM article a JOIN feed f ON f.id = a.feed_id
             WHERE a.id > ?1 AND a.fetched_at >= ?2
             ORDER BY a.id LIMIT ?3",
        )?;
        let since = since.map(timestamp).unwrap_or_default();
        let rows = stmt.query_map(params![after, since, limit as i64], |row| {
            Ok(StoredText {
                article: StoredArticle {
                    id: row.get(0)?,
                    story_id: row.get(1)?,
                },
                feed_url: row.get(2)?,
                outlet: row.get(3)?,
                entry_key: row.get(4)?,
                url: row.get(5)?,
                title: row.get(6)?,
                body: row.get(7)?,
                lang: row.get(8)?,
                published_at: row.get(9)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Replace `watch`'s matches on an article and, when given, add its alert (skipped if the
    /// article already has one for the watch). Returns whether an alert was added.
    pub fn replace_matches(
        &mut self,
        article: StoredArticle,
        watch: &str,
        matches: &[Match],
        alert: Option<NewAlert>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "DELETE FROM \"match\" WHERE article_id = ?1 AND watch = ?2",
            params![article.id, watch],
        )?;
        let named: Vec<(String, Match)> = matches
            .iter()
            .map(|m| (watch.to_string(), m.clone()))
            .collect();
        insert_matches(&tx, article.id, &named)?;
        let added = insert_alerts(&tx, article, alert.into_iter().collect(), now)?;
        tx.commit()?;
        Ok(added > 0)
    }

    /// How many stored matches `watch` has on article `id` (for tests and reports).
    pub fn match_count(&self, article_id: i64, watch: &str) -> Result<u64> {
        let count: i64 = self.conn.query_row(
            "SELECT count(*) FROM \"match\" WHERE article_id = ?1 AND watch = ?2",
            params![article_id, watch],
            |row| row.get(0),
        )?;
        Ok(count as u64)
    }
}
