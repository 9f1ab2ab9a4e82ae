//! Feed rows: identity, HTTP validators, schedule and health.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{FeedHealth, FeedState, PollRecord, Reader, Result, Store, parse_timestamp, timestamp};
use crate::fetch::Validators;

impl Store {
    /// Make sure a feed has a row, its outlet named `outlet` (outlet names may change in the
    /// config), and return it.
    pub fn sync_feed(&mut self, url: &str, outlet: &str, now: DateTime<Utc>) -> Result<FeedState> {
        self.conn.execute(
            "INSERT INTO feed (url, outlet, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (url) DO UPDATE SET outlet = excluded.outlet",
            params![url, outlet, timestamp(now)],
        )?;
        self.feed_state(url)
    }

    /// Make sure a feed whose outlet the config does not name has a row and return it: its
    /// outlet is the feed's own title once one was read, else `host`.
    pub fn sync_unnamed_feed(
        &mut self,
        url: &str,
        host: &str,
        now: DateTime<Utc>,
    ) -> Result<FeedState> {
        self.conn.execute(
            "INSERT INTO feed (url, outlet, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (url) DO UPDATE SET outlet = coalesce(feed.title, excluded.outlet)",
            params![url, host, timestamp(now)],
        )?;
        self.feed_state(url)
    }

    /// The feed's own title as just read (`None`: it has none), and the outlet name it gives.
    pub fn record_feed_title(
        &mut self,
        feed_id: i64,
        title: Option<&str>,
        outlet: &str,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE feed SET title = ?2, outlet = ?3 WHERE id = ?1",
            params![feed_id, title, outlet],
        )?;
        Ok(())
    }

    fn feed_state(&self, url: &str) -> Result<FeedState> {
        let state = self.conn.query_row(
            "SELECT id, etag, last_modified, consecutive_errors, next_due_at, interval_secs, body_hash,
                    title
             FROM feed WHERE url = ?1",
            [url],
            |row| {
                Ok(FeedState {
                    id: row.get(0)?,
                    validators: Validators { etag: row.get(1)?, last_modified: row.get(2)? },
                    consecutive_errors: row.get(3)?,
                    next_due_at: row.get::<_, Option<String>>(4)?.as_deref().and_then(parse_timestamp),
                    interval: row.get::<_, Option<i64>>(5)?.map(|s| Duration::from_secs(s.max(0) as u64)),
                    body_hash: row.get(6)?,
                    held_until: None,
                    title: row.get(7)?,
                })
            },
        )?;
        Ok(state)
    }

    /// A poll succeeded (a new body, an unchanged one, or a 304).
    pub fn record_poll_success(
        &mut self,
        feed_id: i64,
        record: &PollRecord,
        now: DateTime<Utc>,
        next_due: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE feed SET last_polled_at = ?2, last_success_at = ?2, consecutive_errors = 0, last_error = NULL,
                 next_due_at = ?3, interval_secs = ?4,
                 last_entry_at = max(coalesce(last_entry_at, ''), coalesce(?5, ''))
             WHERE id = ?1",
            params![
                feed_id,
                timestamp(now),
                timestamp(next_due),
                record.interval.as_secs() as i64,
                record.newest_entry.map(timestamp)
            ],
        )?;
        if let Some(v) = &record.validators {
            tx.execute(
                "UPDATE feed SET etag = ?2, last_modified = ?3, body_hash = ?4, encoding = ?5 WHERE id = ?1",
                params![feed_id, v.etag, v.last_modified, record.body_hash, record.encoding],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// A poll failed; the feed stays scheduled.
    pub fn record_poll_failure(
        &mut self,
        feed_id: i64,
        error: &str,
        now: DateTime<Utc>,
        next_due: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE feed SET last_polled_at = ?2, last_error = ?3, consecutive_errors = consecutive_errors + 1,
                 next_due_at = ?4 WHERE id = ?1",
            params![feed_id, timestamp(now), error, timestamp(next_due)],
        )?;
        Ok(())
    }

    /// Whether the outlet's body rule matched a page just extracted: a miss is remembered from
    /// its first occurrence, a match clears it.
    pub fn record_rule_outcome(
        &mut self,
        feed_id: i64,
        matched: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE feed SET rule_missed_at = CASE WHEN ?2 THEN NULL ELSE coalesce(rule_missed_at, ?3) END WHERE id = ?1",
            params![feed_id, matched, timestamp(now)],
        )?;
        Ok(())
    }

    /// Health of the feed at `url`, `None` if it was never polled.
    pub fn feed_health(&self, url: &str, now: DateTime<Utc>) -> Result<Option<FeedHealth>> {
        feed_health(&self.conn, url, now)
    }
}

impl Reader {
    /// Health of each feed at `urls`, in their order (`None` for one never polled): its
    /// articles of the last 7 days counted in one pass over the week for all of them.
    pub fn feed_healths(
        &self,
        urls: &[&str],
        now: DateTime<Utc>,
    ) -> Result<Vec<Option<FeedHealth>>> {
        let weekly: HashMap<i64, i64> = self
            .conn
            .prepare_cached(
                "SELECT feed_id, count(*) FROM article WHERE fetched_at >= ?1 GROUP BY feed_id",
            )?
            .query_map([week_ago(now)], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        urls.iter()
            .map(|url| {
                Ok(feed_row(&self.conn, url)?.map(|(id, mut health)| {
                    health.articles_7d = weekly.get(&id).copied().unwrap_or(0).max(0) as u64;
                    health
                }))
            })
            .collect()
    }
}

fn week_ago(now: DateTime<Utc>) -> String {
    timestamp(now - chrono::Duration::days(7))
}

fn feed_health(conn: &Connection, url: &str, now: DateTime<Utc>) -> Result<Option<FeedHealth>> {
    let Some((id, mut health)) = feed_row(conn, url)? else {
        return Ok(None);
    };
    let weekly: i64 = conn
        .prepare_cached("SELECT count(*) FROM article WHERE feed_id = ?1 AND fetched_at >= ?2")?
        .query_row(params![id, week_ago(now)], |r| r.get(0))?;
    health.articles_7d = weekly.max(0) as u64;
    Ok(Some(health))
}

/// The feed's id and its health but for `articles_7d`.
fn feed_row(conn: &Connection, url: &str) -> Result<Option<(i64, FeedHealth)>> {
    Ok(conn
        .prepare_cached(
            "SELECT f.id, f.url, f.outlet, f.last_success_at, f.last_polled_at, f.consecutive_errors,
                    f.last_error, f.next_due_at, f.interval_secs, f.encoding,
                    nullif(f.last_entry_at, ''), f.rule_missed_at, f.title
             FROM feed f WHERE f.url = ?1",
        )?
        .query_row([url], |row| {
            Ok((
                row.get(0)?,
                FeedHealth {
                    url: row.get(1)?,
                    outlet: row.get(2)?,
                    last_success_at: row.get(3)?,
                    last_polled_at: row.get(4)?,
                    consecutive_errors: row.get(5)?,
                    last_error: row.get(6)?,
                    next_due_at: row.get(7)?,
                    interval_secs: row.get::<_, Option<i64>>(8)?.map(|s| s.max(0) as u64),
                    encoding: row.get(9)?,
                    last_entry_at: row.get(10)?,
                    articles_7d: 0,
                    rule_missed_at: row.get(11)?,
                    title: row.get(12)?,
                },
            ))
        })
        .optional()?)
}
