//! What operators ask of a PostgreSQL database, as `store/maintenance.rs` answers on SQLite:
//! totals (`raqib stats`), the outbox's counts, alerts by watch, and proof that it takes
//! writes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::{Pool, Result, stored};
use crate::store::{OutletStats, Stats, timestamp};

fn unsigned(value: i64) -> u64 {
    value.max(0) as u64
}

/// Totals, per outlet counts, size and age of the data; the database is named by its URL
/// without the password, and its size is the server's for the whole database.
pub async fn stats(pool: &Pool) -> Result<Stats> {
    let client = pool.client().await?;
    let totals = client
        .query_one(
            "SELECT pg_database_size(current_database()),
                 (SELECT count(*) FROM feed), (SELECT count(*) FROM article),
                 (SELECT count(*) FROM story), (SELECT count(*) FROM \"match\"),
                 (SELECT count(*) FROM alert),
                 (SELECT count(*) FROM delivery WHERE state = 'pending'),
                 (SELECT count(*) FROM delivery WHERE state = 'delivered'),
                 (SELECT count(*) FROM delivery WHERE state = 'dead'),
                 (SELECT min(fetched_at) FROM article), (SELECT max(fetched_at) FROM article)",
            &[],
        )
        .await?;
    let outlets = client
        .query(
            "SELECT f.outlet, count(a.id), max(a.fetched_at) FROM feed f
             LEFT JOIN article a ON a.feed_id = f.id GROUP BY f.outlet
             ORDER BY 2 DESC, f.outlet COLLATE \"C\"",
            &[],
        )
        .await?
        .iter()
        .map(|row| OutletStats {
            outlet: row.get(0),
            articles: unsigned(row.get(1)),
            last_fetched: row.get::<_, Option<DateTime<Utc>>>(2).map(timestamp),
        })
        .collect();
    let total = |i: usize| unsigned(totals.get(i));
    let time = |i: usize| totals.get::<_, Option<DateTime<Utc>>>(i).map(timestamp);
    Ok(Stats {
        database: pool.shown.clone(),
        size_bytes: total(0),
        feeds: total(1),
        articles: total(2),
        stories: total(3),
        matches: total(4),
        alerts: total(5),
        deliveries_pending: total(6),
        deliveries_delivered: total(7),
        deliveries_dead: total(8),
        oldest_article: time(9),
        newest_article: time(10),
        outlets,
    })
}

/// Deliveries waiting to be made, and those given up on.
pub async fn outbox_counts(pool: &Pool) -> Result<(u64, u64)> {
    let row = pool
        .client()
        .await?
        .query_one(
            "SELECT count(*) FILTER (WHERE state = 'pending'), count(*) FILTER (WHERE state = 'dead')
             FROM delivery",
            &[],
        )
        .await?;
    Ok((unsigned(row.get(0)), unsigned(row.get(1))))
}

/// Alerts in the database, by watch.
pub async fn alerts_by_watch(pool: &Pool) -> Result<BTreeMap<String, u64>> {
    Ok(pool
        .client()
        .await?
        .query("SELECT watch, count(*) FROM alert GROUP BY watch", &[])
        .await?
        .iter()
        .map(|row| (row.get(0), unsigned(row.get(1))))
        .collect())
}

/// Write one row: fails when the database cannot take writes (server gone, disk full,
/// read-only).
pub async fn probe_write(pool: &Pool, now: DateTime<Utc>) -> Result<()> {
    pool.client()
        .await?
        .execute(
            "INSERT INTO health (id, checked_at) VALUES (1, $1)
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
            &[&stored(now)],
        )
        .await?;
    Ok(())
}

/// The database's size on the server, in bytes.
pub async fn database_size(pool: &Pool) -> Result<u64> {
    let row = pool
        .client()
        .await?
        .query_one("SELECT pg_database_size(current_database())", &[])
        .await?;
    Ok(unsigned(row.get(0)))
}
