//! What `raqib stories` and `raqib alerts` list on PostgreSQL, in the shapes and orders
//! `store/listing.rs` gives on SQLite. Names are ordered by `COLLATE "C"`, byte order as
//! SQLite's, whatever the database's own collation.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::feeds::count;
use super::{Pool, Result, stored};
use crate::store::{AlertSummary, DeliverySummary, StorySummary, timestamp};

/// Stories that gained an article since `since`, the most recent first.
pub async fn stories_since(pool: &Pool, since: DateTime<Utc>) -> Result<Vec<StorySummary>> {
    let rows = pool
        .client()
        .await?
        .query(
            "SELECT s.id, s.first_seen_at, s.title,
                    (SELECT count(*) FROM article WHERE story_id = s.id),
                    (SELECT max(fetched_at) FROM article WHERE story_id = s.id) AS last_seen,
                    (SELECT coalesce(array_agg(outlet ORDER BY first), '{}') FROM
                        (SELECT f.outlet AS outlet, min(a.id) AS first FROM article a
                         JOIN feed f ON f.id = a.feed_id
                         WHERE a.story_id = s.id GROUP BY f.outlet) o),
                    (SELECT coalesce(array_agg(watch ORDER BY watch COLLATE \"C\"), '{}') FROM
                        (SELECT DISTINCT m.watch AS watch FROM \"match\" m
                         JOIN article a ON a.id = m.article_id WHERE a.story_id = s.id) w)
             FROM story s
             WHERE s.id IN (SELECT story_id FROM article WHERE fetched_at >= $1)
             ORDER BY last_seen DESC, s.id DESC",
            &[&stored(since)],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| StorySummary {
            id: row.get(0),
            first_seen_at: timestamp(row.get(1)),
            title: row.get(2),
            articles: row.get::<_, i64>(3).max(0) as u64,
            last_seen_at: timestamp(row.get(4)),
            outlets: row.get(5),
            watches: row.get(6),
        })
        .collect())
}

/// Alerts raised since `since` (of one watch, if given), the most recent first, each with
/// its deliveries.
pub async fn alerts_since(
    pool: &Pool,
    since: DateTime<Utc>,
    watch: Option<&str>,
) -> Result<Vec<AlertSummary>> {
    let client = pool.client().await?;
    let rows = client
        .query(
            "SELECT al.id, al.uid, al.watch, al.severity, al.raised_at, al.story_id, a.title, a.url,
                    f.outlet,
                    (SELECT coalesce(array_agg(outlet ORDER BY first, first_id), '{}') FROM
                        (SELECT f2.outlet AS outlet, min(r.reported_at) AS first,
                                min(a2.id) AS first_id
                         FROM alert_report r
                         JOIN article a2 ON a2.id = r.article_id JOIN feed f2 ON f2.id = a2.feed_id
                         WHERE r.alert_id = al.id GROUP BY f2.outlet) o)
             FROM alert al JOIN article a ON a.id = al.article_id JOIN feed f ON f.id = a.feed_id
             WHERE al.raised_at >= $1 AND ($2::text IS NULL OR al.watch = $2)
             ORDER BY al.raised_at DESC, al.id DESC",
            &[&stored(since), &watch],
        )
        .await?;
    let ids: Vec<i64> = rows.iter().map(|row| row.get(0)).collect();
    let mut deliveries: HashMap<i64, Vec<DeliverySummary>> = HashMap::new();
    for row in client
        .query(
            "SELECT alert_id, sink, state, attempts, last_error FROM delivery
             WHERE alert_id = ANY($1) ORDER BY alert_id, sink COLLATE \"C\"",
            &[&ids],
        )
        .await?
    {
        deliveries
            .entry(row.get(0))
            .or_default()
            .push(DeliverySummary {
                sink: row.get(1),
                state: row.get(2),
                attempts: count(row.get(3)),
                last_error: row.get(4),
            });
    }
    Ok(rows
        .iter()
        .map(|row| {
            let id: i64 = row.get(0);
            AlertSummary {
                id: row.get(1),
                watch: row.get(2),
                severity: row.get(3),
                raised_at: timestamp(row.get(4)),
                story: row.get(5),
                title: row.get(6),
                url: row.get(7),
                outlet: row.get(8),
                also_reported_by: row.get(9),
                deliveries: deliveries.remove(&id).unwrap_or_default(),
            }
        })
        .collect())
}
