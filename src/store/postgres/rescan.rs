//! Stored articles read back for `raqib rescan`, and a watch's matches replaced on them, on
//! PostgreSQL: as SQLite's `store/rescan.rs`.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};

use super::articles::{insert_alerts, insert_matches};
use super::{Pool, Result, story};
use crate::alert::NewAlert;
use crate::store::{StoredArticle, StoredText};
use crate::watch::Match;

/// Up to `limit` articles with ids above `after`, fetched at or after `since`, by id.
pub async fn articles_after(
    pool: &Pool,
    after: i64,
    since: Option<DateTime<Utc>>,
    limit: usize,
) -> Result<Vec<StoredText>> {
    let client = pool.client().await?;
    let rows = client
        .query(
            "SELECT a.id, a.story_id, f.url, f.outlet, a.entry_key, a.url, a.title, a.body, a.lang,
                    a.published_at, a.published_offset
             FROM article a JOIN feed f ON f.id = a.feed_id
             WHERE a.id > $1 AND ($2::timestamptz IS NULL OR a.fetched_at >= $2)
             ORDER BY a.id LIMIT $3",
            &[&after, &since, &i64::try_from(limit).unwrap_or(i64::MAX)],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| StoredText {
            article: StoredArticle {
                id: row.get(0),
                story_id: row.get(1),
            },
            feed_url: row.get(2),
            outlet: row.get(3),
            entry_key: row.get(4),
            url: row.get(5),
            title: row.get(6),
            body: row.get(7),
            lang: row.get(8),
            published_at: published_text(row.get(9), row.get(10)),
        })
        .collect())
}

/// A publication date as SQLite keeps it: RFC 3339 in the offset its source wrote.
pub(super) fn published_text(at: Option<DateTime<Utc>>, offset: Option<i32>) -> Option<String> {
    let zone = FixedOffset::east_opt(offset.unwrap_or(0))?;
    at.map(|at| {
        at.with_timezone(&zone)
            .to_rfc3339_opts(SecondsFormat::Secs, true)
    })
}

/// Replace `watch`'s matches on an article and, when given, add its alert (skipped if the
/// article already has one for the watch, or, per its policy, the story has). Returns whether
/// an alert was added.
pub async fn replace_matches(
    pool: &Pool,
    article: StoredArticle,
    watch: &str,
    matches: &[Match],
    alert: Option<NewAlert>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let now = super::stored(now);
    let mut client = pool.client().await?;
    let tx = client.transaction().await?;
    // The story's alert is read, and the article's story may be merged meanwhile: under the
    // lock every article's insert takes.
    story::lock_stories(&tx).await?;
    tx.execute(
        "DELETE FROM \"match\" WHERE article_id = $1 AND watch = $2",
        &[&article.id, &watch],
    )
    .await?;
    let named: Vec<(String, Match)> = matches
        .iter()
        .map(|m| (watch.to_string(), m.clone()))
        .collect();
    insert_matches(&tx, article.id, &named).await?;
    let added = insert_alerts(&tx, article, alert.into_iter().collect(), now).await?;
    tx.commit().await?;
    Ok(added > 0)
}

/// How many stored matches `watch` has on article `id` (for tests and reports).
pub async fn match_count(pool: &Pool, article_id: i64, watch: &str) -> Result<u64> {
    let client = pool.client().await?;
    let count: i64 = client
        .query_one(
            "SELECT count(*) FROM \"match\" WHERE article_id = $1 AND watch = $2",
            &[&article_id, &watch],
        )
        .await?
        .get(0);
    Ok(count.max(0) as u64)
}
