//! Feed rows on PostgreSQL: identity, HTTP validators, schedule and health, as
//! `store/feeds.rs` keeps them on SQLite; and which entries of a feed are stored already.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_postgres::Row;

use super::{Pool, Result, stored};
use crate::feed::article_url;
use crate::fetch::Validators;
use crate::store::{FeedHealth, FeedState, PollRecord, timestamp};

/// Make sure a feed has a row, its outlet named `outlet` (outlet names may change in the
/// config), and return it.
pub async fn sync_feed(
    pool: &Pool,
    url: &str,
    outlet: &str,
    now: DateTime<Utc>,
) -> Result<FeedState> {
    upsert_feed(
        pool,
        "INSERT INTO feed (url, outlet, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (url) DO UPDATE SET outlet = excluded.outlet",
        url,
        outlet,
        now,
    )
    .await
}

/// Make sure a feed whose outlet the config does not name has a row and return it: its
/// outlet is the feed's own title once one was read, else `host`.
pub async fn sync_unnamed_feed(
    pool: &Pool,
    url: &str,
    host: &str,
    now: DateTime<Utc>,
) -> Result<FeedState> {
    upsert_feed(
        pool,
        "INSERT INTO feed (url, outlet, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (url) DO UPDATE SET outlet = coalesce(feed.title, excluded.outlet)",
        url,
        host,
        now,
    )
    .await
}

/// `insert` (of url, outlet and creation time) with the feed's state returned.
async fn upsert_feed(
    pool: &Pool,
    insert: &str,
    url: &str,
    outlet: &str,
    now: DateTime<Utc>,
) -> Result<FeedState> {
    let client = pool.client().await?;
    let row = client
        .query_one(
            &format!(
                "{insert} RETURNING id, etag, last_modified, consecutive_errors, next_due_at,
                     interval_secs, body_hash, leased_until, title"
            ),
            &[&url, &outlet, &stored(now)],
        )
        .await?;
    Ok(FeedState {
        id: row.get(0),
        validators: Validators {
            etag: row.get(1),
            last_modified: row.get(2),
        },
        consecutive_errors: count(row.get(3)),
        next_due_at: row.get(4),
        interval: row
            .get::<_, Option<i64>>(5)
            .map(|s| Duration::from_secs(s.max(0) as u64)),
        body_hash: row.get(6),
        held_until: row.get(7),
        title: row.get(8),
    })
}

/// The feed's own title as just read (`None`: it has none), and the outlet name it gives.
pub async fn record_feed_title(
    pool: &Pool,
    feed_id: i64,
    title: Option<&str>,
    outlet: &str,
) -> Result<()> {
    pool.client()
        .await?
        .execute(
            "UPDATE feed SET title = $2, outlet = $3 WHERE id = $1",
            &[&feed_id, &title, &outlet],
        )
        .await?;
    Ok(())
}

/// A poll succeeded (a new body, an unchanged one, or a 304).
pub async fn record_poll_success(
    pool: &Pool,
    feed_id: i64,
    record: &PollRecord,
    now: DateTime<Utc>,
    next_due: DateTime<Utc>,
) -> Result<()> {
    let mut client = pool.client().await?;
    let tx = client.transaction().await?;
    let interval = i64::try_from(record.interval.as_secs()).unwrap_or(i64::MAX);
    tx.execute(
        "UPDATE feed SET last_polled_at = $2, last_success_at = $2, consecutive_errors = 0,
             last_error = NULL, next_due_at = $3, interval_secs = $4,
             last_entry_at = greatest(last_entry_at, $5)
         WHERE id = $1",
        &[
            &feed_id,
            &stored(now),
            &stored(next_due),
            &interval,
            &record.newest_entry.map(stored),
        ],
    )
    .await?;
    if let Some(v) = &record.validators {
        tx.execute(
            "UPDATE feed SET etag = $2, last_modified = $3, body_hash = $4, encoding = $5
             WHERE id = $1",
            &[
                &feed_id,
                &v.etag,
                &v.last_modified,
                &record.body_hash,
                &record.encoding,
            ],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// A poll failed; the feed stays scheduled.
pub async fn record_poll_failure(
    pool: &Pool,
    feed_id: i64,
    error: &str,
    now: DateTime<Utc>,
    next_due: DateTime<Utc>,
) -> Result<()> {
    pool.client()
        .await?
        .execute(
            "UPDATE feed SET last_polled_at = $2, last_error = $3,
                 consecutive_errors = consecutive_errors + 1, next_due_at = $4
             WHERE id = $1",
            &[&feed_id, &stored(now), &error, &stored(next_due)],
        )
        .await?;
    Ok(())
}

/// Whether the outlet's body rule matched a page just extracted: a miss is remembered from
/// its first occurrence, a match clears it.
pub async fn record_rule_outcome(
    pool: &Pool,
    feed_id: i64,
    matched: bool,
    now: DateTime<Utc>,
) -> Result<()> {
    pool.client()
        .await?
        .execute(
            "UPDATE feed SET rule_missed_at = CASE WHEN $2 THEN NULL
                 ELSE coalesce(rule_missed_at, $3) END
             WHERE id = $1",
            &[&feed_id, &matched, &stored(now)],
        )
        .await?;
    Ok(())
}

/// Health of the feed at `url`, `None` if it was never polled.
pub async fn feed_health(pool: &Pool, url: &str, now: DateTime<Utc>) -> Result<Option<FeedHealth>> {
    Ok(feed_healths(pool, &[url], now).await?.pop().flatten())
}

/// Health of each feed at `urls`, in their order (`None` for one never polled): its articles
/// of the last 7 days counted in one pass over the week for all of them.
pub async fn feed_healths(
    pool: &Pool,
    urls: &[&str],
    now: DateTime<Utc>,
) -> Result<Vec<Option<FeedHealth>>> {
    let client = pool.client().await?;
    let week_ago = stored(now - chrono::Duration::days(7));
    let rows = client
        .query(
            "SELECT f.url, f.outlet, f.last_success_at, f.last_polled_at, f.consecutive_errors,
                    f.last_error, f.next_due_at, f.interval_secs, f.encoding, f.last_entry_at,
                    f.rule_missed_at,
                    (SELECT count(*) FROM article a WHERE a.feed_id = f.id AND a.fetched_at >= $2),
                    f.title
             FROM feed f WHERE f.url = ANY($1)",
            &[&urls, &week_ago],
        )
        .await?;
    let by_url: HashMap<String, FeedHealth> =
        rows.iter().map(|row| (row.get(0), health(row))).collect();
    Ok(urls.iter().map(|url| by_url.get(*url).cloned()).collect())
}

fn health(row: &Row) -> FeedHealth {
    let time = |i: usize| row.get::<_, Option<DateTime<Utc>>>(i).map(timestamp);
    FeedHealth {
        url: row.get(0),
        outlet: row.get(1),
        last_success_at: time(2),
        last_polled_at: time(3),
        consecutive_errors: count(row.get(4)),
        last_error: row.get(5),
        next_due_at: time(6),
        interval_secs: row.get::<_, Option<i64>>(7).map(|s| s.max(0) as u64),
        encoding: row.get(8),
        last_entry_at: time(9),
        articles_7d: row.get::<_, i64>(11).max(0) as u64,
        rule_missed_at: time(10),
        title: row.get(12),
    }
}

/// A count the schema keeps as BIGINT and the store's types as `u32`.
pub(super) fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// Which of `keys` (entry keys of the feed) or `urls` are already stored.
pub async fn known_entries(
    pool: &Pool,
    feed_id: i64,
    keys: &[&str],
    urls: &[&str],
) -> Result<HashSet<String>> {
    let client = pool.client().await?;
    let mut known: HashSet<String> = client
        .query(
            "SELECT entry_key FROM article WHERE feed_id = $1 AND entry_key = ANY($2)",
            &[&feed_id, &keys],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    // The same article may come through two feeds of one outlet (main and category feeds).
    let stored_urls: Vec<String> = urls.iter().map(|url| article_url(url)).collect();
    let found: HashSet<String> = client
        .query(
            "SELECT url FROM article WHERE url = ANY($1) AND duplicate_of IS NULL
             UNION SELECT canonical_url FROM article WHERE canonical_url = ANY($1)",
            &[&stored_urls],
        )
        .await?
        .iter()
        .map(|row| row.get(0))
        .collect();
    known.extend(
        urls.iter()
            .zip(&stored_urls)
            .filter(|(_, stored)| found.contains(*stored))
            .map(|(url, _)| url.to_string()),
    );
    Ok(known)
}
