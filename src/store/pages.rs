//! Article pages to fetch again: an article stored with its feed summary because the page
//! failed is retried a few times, and completed when the page arrives.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{
    NewAlert, PageRetry, Result, RetriedPage, Store, StoredArticle, insert_alerts, insert_matches,
    timestamp,
};

impl Store {
    /// Pages of `feed_id` due for another attempt at `now`, oldest first.
    pub fn pages_to_retry(
        &self,
        feed_id: i64,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<PageRetry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, story_id, url, entry_key, title, published_at, page_attempts FROM article
             WHERE feed_id = ?1 AND page_retry_at IS NOT NULL AND page_retry_at <= ?2 AND url IS NOT NULL
             ORDER BY page_retry_at LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![feed_id, timestamp(now), limit as i64], |row| {
            Ok(PageRetry {
                article: StoredArticle {
                    id: row.get(0)?,
                    story_id: row.get(1)?,
                },
                url: row.get(2)?,
                entry_key: row.get(3)?,
                title: row.get(4)?,
                published_at: row
                    .get::<_, Option<String>>(5)?
                    .and_then(|d| DateTime::parse_from_rfc3339(&d).ok()),
                attempts: row.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Another attempt failed: the next is due at `retry_at` (see
    /// [`crate::schedule::page_retry`]), or never.
    pub fn page_retry_failed(
        &mut self,
        retry: &PageRetry,
        error: &str,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE article SET page_attempts = ?2, page_retry_at = ?3, body_error = ?4 WHERE id = ?1",
            params![retry.article.id, retry.attempts + 1, retry_at.map(timestamp), error],
        )?;
        Ok(())
    }

    /// The page arrived: replace the summary with its body, its matches with the new ones, and
    /// raise the alerts not raised before, in one transaction. Returns the number of new alerts.
    pub fn complete_page(
        &mut self,
        retry: &PageRetry,
        page: &RetriedPage,
        alerts: Vec<NewAlert>,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let tx = self.conn.transaction()?;
        super::story::recount_body(&tx, retry.article.id, &page.body)?;
        tx.execute(
            "UPDATE article SET body = ?2, body_source = 'page', body_error = NULL, page_retry_at = NULL,
                 page_attempts = page_attempts + 1, canonical_url = ?3, author = coalesce(?4, author),
                 lang = coalesce(?5, lang), site_name = ?6
             WHERE id = ?1",
            params![retry.article.id, page.body, page.canonical_url, page.author, page.lang, page.site_name],
        )?;
        super::search::reindex(&tx, retry.article.id)?;
        tx.execute(
            "DELETE FROM \"match\" WHERE article_id = ?1",
            [retry.article.id],
        )?;
        insert_matches(&tx, retry.article.id, &page.matches)?;
        let new = insert_alerts(&tx, retry.article, alerts, now)?;
        tx.commit()?;
        Ok(new)
    }
}
