//! Article pages to fetch again on PostgreSQL, as `store/pages.rs` keeps them on SQLite: an
//! article stored with its feed summary because the page failed is retried a few times, and
//! completed when the page arrives.

use chrono::{DateTime, FixedOffset, Utc};
use tokio_postgres::Transaction;

use super::articles::{insert_alerts, insert_matches};
use super::feeds::count;
use super::retention::uncount_terms;
use super::story::{count_terms, lock_stories};
use super::{Pool, Result, stored};
use crate::alert::NewAlert;
use crate::store::{PageRetry, RetriedPage, StoredArticle};
use crate::story::words_of;

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

/// The page arrived: replace the summary with its body, its matches with the new ones, and
/// raise the alerts not raised before, in one transaction. Returns the number of new alerts.
pub async fn complete_page(
    pool: &Pool,
    retry: &PageRetry,
    page: &RetriedPage,
    alerts: Vec<NewAlert>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let now = stored(now);
    let mut client = pool.client().await?;
    let tx = client.transaction().await?;
    // The alerts read their story's, and the document frequencies change: under the lock
    // every article's insert takes.
    lock_stories(&tx).await?;
    recount_body(&tx, retry.article.id, &page.body).await?;
    tx.execute(
        "UPDATE article SET body = $2, body_source = 'page', body_error = NULL,
             page_retry_at = NULL, page_attempts = page_attempts + 1, canonical_url = $3,
             author = coalesce($4, author), lang = coalesce($5, lang), site_name = $6
         WHERE id = $1",
        &[
            &retry.article.id,
            &page.body,
            &page.canonical_url,
            &page.author,
            &page.lang,
            &page.site_name,
        ],
    )
    .await?;
    super::search::reindex(&tx, retry.article.id).await?;
    tx.execute(
        "DELETE FROM \"match\" WHERE article_id = $1",
        &[&retry.article.id],
    )
    .await?;
    insert_matches(&tx, retry.article.id, &page.matches).await?;
    let new = insert_alerts(&tx, retry.article, alerts, now).await?;
    tx.commit().await?;
    Ok(new)
}

/// A page replaces the body an article was counted from (its feed summary): the summary's
/// words leave the document frequencies and the page's come in, as on SQLite, so that pruning
/// the article later takes out what was counted.
async fn recount_body(tx: &Transaction<'_>, article_id: i64, body: &str) -> Result<()> {
    let row = tx
        .query_opt(
            "SELECT a.title, a.body FROM article a
             JOIN article_story s ON s.article_id = a.id WHERE a.id = $1",
            &[&article_id],
        )
        .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let (title, before): (&str, &str) = (row.get(0), row.get(1));
    uncount_terms(tx, &words_of(title, before).collect::<Vec<_>>()).await?;
    count_terms(tx, &words_of(title, body).collect::<Vec<_>>()).await?;
    Ok(())
}
