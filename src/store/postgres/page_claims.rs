//! Article pages in flight across the instances on one database: an instance claims the
//! pages of a poll's new entries before fetching them, and skips those another instance is
//! fetching, as a process skips those another of its polls has (a URL carried by two feeds
//! polled at once by two instances is fetched once). A claim names no owner: it is given up
//! once its article is stored or its poll is over, and ends by itself, as a lease does, when
//! its instance dies. The server's clock dates the claims.

use std::collections::HashSet;
use std::time::Duration;

use super::{Pool, Result};

/// Claim the pages at `urls` for `lease`: those no live claim holds.
pub async fn claim_pages(pool: &Pool, urls: &[String], lease: Duration) -> Result<HashSet<String>> {
    if urls.is_empty() {
        return Ok(HashSet::new());
    }
    // In one order, so that two instances claiming overlapping sets wait for each other
    // instead of deadlocking on the rows each inserted first.
    let mut sorted: Vec<&str> = urls.iter().map(String::as_str).collect();
    sorted.sort_unstable();
    sorted.dedup();
    let rows = pool
        .client()
        .await?
        .query(
            "INSERT INTO page_claim AS c (url, until)
             SELECT u, clock_timestamp() + $2 * interval '1 millisecond'
             FROM unnest($1::text[]) WITH ORDINALITY AS t(u, n) ORDER BY n
             ON CONFLICT (url) DO UPDATE SET until = excluded.until
               WHERE c.until < clock_timestamp()
             RETURNING url",
            &[&sorted, &(lease.as_secs_f64() * 1000.0)],
        )
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// Give up the claims on the pages at `urls`.
pub async fn release_pages(pool: &Pool, urls: &[String]) -> Result<()> {
    if urls.is_empty() {
        return Ok(());
    }
    pool.client()
        .await?
        .execute("DELETE FROM page_claim WHERE url = ANY($1)", &[&urls])
        .await?;
    Ok(())
}
