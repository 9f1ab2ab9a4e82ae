//! Article pages to fetch again on PostgreSQL, as `store/pages.rs` keeps them on SQLite: an
//! article stored with its feed summary because the page failed is retried a few times.

use chrono::{DateTime, FixedOffset, Utc};

use super::feeds::count;
use super::{Pool, Result, stored};
use crate::store::{PageRetry, StoredArticle};

/// Pages of `feed_id` due for another attempt at `now`, oldest first.
pub async fn pages_to_retry(
    pool: &Pool,
    feed_id: i64,
    now: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<PageRetry>> {
    let rows = pool
        .client()
        .await?
        .query(
            "SELECT id, story_id, url, entry_key, title, published_at, published_offset,
                 page_attempts
             FROM article
             WHERE feed_id = $1 AND page_retry_at IS NOT NULL AND page_retry_at <= $2
                 AND url IS NOT NULL
             ORDER BY page_retry_at LIMIT $3",
            &[
                &feed_id,
                &stored(now),
                &i64::try_from(limit).unwrap_or(i64::MAX),
            ],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| PageRetry {
            article: StoredArticle {
                id: row.get(0),
                story_id: row.get(1),
            },
            url: row.get(2),
            entry_key: row.get(3),
            title: row.get(4),
            published_at: published(row.get(5), row.get(6)),
            attempts: count(row.get(7)),
        })
        .collect())
}

/// A publication date with the offset its source wrote (kept apart from the instant here).
fn published(at: Option<DateTime<Utc>>, offset: Option<i32>) -> Option<DateTime<FixedOffset>> {
    let zone = FixedOffset::east_opt(offset?)?;
    Some(at?.with_timezone(&zone))
}

/// Another attempt failed: the next is due at `retry_at` (see
/// [`crate::schedule::page_retry`]), or never.
pub async fn page_retry_failed(
    pool: &Pool,
    retry: &PageRetry,
    error: &str,
    retry_at: Option<DateTime<Utc>>,
) -> Result<()> {
    pool.client()
        .await?
        .execute(
            "UPDATE article SET page_attempts = $2, page_retry_at = $3, body_error = $4
             WHERE id = $1",
            &[
                &retry.article.id,
                &(i64::from(retry.attempts) + 1),
                &retry_at.map(stored),
                &error,
            ],
        )
        .await?;
    Ok(())
}
