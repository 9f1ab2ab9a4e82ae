//! Feed leases: instances sharing one database claim due feeds, each feed by one instance at
//! a time. A lease names its owner (an instance's id) and ends at a time; the owner renews it
//! while polling and releases it after. An instance that dies stops renewing, and once its
//! leases end the others claim its feeds.
//!
//! Times come from the caller's clock, as every time the store writes (next due times are
//! the caller's too): instances' clocks must agree to well within a lease, as NTP keeps them.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Pool, Result};

/// A feed this instance now holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeasedFeed {
    pub id: i64,
    pub url: String,
}

/// `now + lease`, saturating as every stored time does.
fn until(now: DateTime<Utc>, lease: Duration) -> DateTime<Utc> {
    crate::date::later(now, lease)
}

/// Lease to `owner`, until `now + lease`, at most `limit` of the feeds among `urls` that are
/// due (never polled, or next due by `now`) and that nobody holds (no lease, or one ended by
/// `now`); the earliest due first. Rows another claim is locking are skipped, not waited
/// for, and a feed leased while this claim ran is not taken: two claims never return the
/// same feed.
pub async fn claim_due_feeds(
    pool: &Pool,
    owner: &str,
    urls: &[&str],
    now: DateTime<Utc>,
    lease: Duration,
    limit: usize,
) -> Result<Vec<LeasedFeed>> {
    let client = pool.client().await?;
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let rows = client
        .query(
            "UPDATE feed SET leased_by = $1, leased_until = $2
             WHERE id IN (
                 SELECT id FROM feed
                 WHERE url = ANY($3)
                   AND (next_due_at IS NULL OR next_due_at <= $4)
                   AND (leased_until IS NULL OR leased_until <= $4)
                 ORDER BY next_due_at NULLS FIRST, id
                 LIMIT $5
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, url",
            &[&owner, &until(now, lease), &urls, &now, &limit],
        )
        .await?;
    let mut leased: Vec<LeasedFeed> = rows
        .iter()
        .map(|row| LeasedFeed {
            id: row.get(0),
            url: row.get(1),
        })
        .collect();
    leased.sort_by_key(|feed| feed.id);
    Ok(leased)
}

/// Lease to `owner`, until `now + lease`, the feed at `url` whatever its next due time, unless
/// another holds it (`raqib run --once` polls every feed it may); `None` then, or when the
/// feed has no row.
pub async fn claim_feed(
    pool: &Pool,
    owner: &str,
    url: &str,
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Option<LeasedFeed>> {
    let client = pool.client().await?;
    let row = client
        .query_opt(
            "UPDATE feed SET leased_by = $1, leased_until = $2
             WHERE id = (
                 SELECT id FROM feed
                 WHERE url = $3 AND (leased_until IS NULL OR leased_until <= $4)
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, url",
            &[&owner, &until(now, lease), &url, &now],
        )
        .await?;
    Ok(row.map(|row| LeasedFeed {
        id: row.get(0),
        url: row.get(1),
    }))
}

/// Extend to `now + lease` the leases `owner` still holds among `feeds`; the ids renewed. A
/// feed missing from the answer was taken by another instance after its lease ended: its
/// poll must stop.
pub async fn renew_leases(
    pool: &Pool,
    owner: &str,
    feeds: &[i64],
    now: DateTime<Utc>,
    lease: Duration,
) -> Result<Vec<i64>> {
    let client = pool.client().await?;
    let rows = client
        .query(
            "UPDATE feed SET leased_until = $3
             WHERE id = ANY($2) AND leased_by = $1
             RETURNING id",
            &[&owner, &feeds, &until(now, lease)],
        )
        .await?;
    let mut renewed: Vec<i64> = rows.iter().map(|row| row.get(0)).collect();
    renewed.sort_unstable();
    Ok(renewed)
}

/// Give up `owner`'s lease on `feed`, so another instance may claim it when it is next due;
/// false when `owner` no longer held it.
pub async fn release_lease(pool: &Pool, owner: &str, feed: i64) -> Result<bool> {
    let client = pool.client().await?;
    let released = client
        .execute(
            "UPDATE feed SET leased_by = NULL, leased_until = NULL
             WHERE id = $2 AND leased_by = $1",
            &[&owner, &feed],
        )
        .await?;
    Ok(released == 1)
}
