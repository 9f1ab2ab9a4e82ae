//! Counts of the paragraphs at the edges of an outlet's articles, from which its boilerplate is
//! learned (the rule is [`crate::extract::learned::is_furniture`]).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{BodySource, NewArticle, Result, Store, timestamp};
use crate::extract::learned::{MIN_STORIES, Seen};

/// A paragraph not seen for this long is forgotten: outlets redesign.
pub(super) const WINDOW_DAYS: i64 = 30;
/// Paragraphs remembered per outlet: the least recently seen go beyond it. Most edge paragraphs
/// are an article's own lead and close, seen once; a busy outlet brings over a thousand a day,
/// and its furniture, seen in every other article at least, is always among the most recent.
pub(super) const MAX_PER_OUTLET: usize = 10_000;

fn window_start(now: DateTime<Utc>) -> String {
    timestamp(now - chrono::Duration::days(WINDOW_DAYS))
}

impl Store {
    /// What `outlet`'s articles so far say about each of `fingerprints` still remembered at `now`.
    pub fn learned_records(
        &self,
        outlet: &str,
        fingerprints: &[i64],
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, Seen>> {
        let since = window_start(now);
        let mut stmt = self.conn.prepare_cached(
            "SELECT p.articles, p.stories, o.articles - p.outlet_before
             FROM outlet_paragraph p JOIN outlet_articles o ON o.outlet = p.outlet
             WHERE p.outlet = ?1 AND p.fingerprint = ?2 AND p.last_seen_at >= ?3",
        )?;
        let mut records = HashMap::new();
        for fingerprint in fingerprints {
            let seen = stmt
                .query_row(params![outlet, fingerprint, since], |r| {
                    Ok(Seen {
                        articles: count(r.get(0)?),
                        stories: count(r.get(1)?),
                        outlet_articles: count(r.get(2)?),
                    })
                })
                .optional()?;
            if let Some(seen) = seen {
                records.insert(*fingerprint, seen);
            }
        }
        Ok(records)
    }
}

fn count(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// Count a stored article (in its transaction): one more article of its outlet if its body is
/// the page's, and one more for each paragraph at its edges, in `story_id`.
pub(super) fn record(
    tx: &Connection,
    article: &NewArticle,
    story_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    if !matches!(article.body_source, BodySource::Page) {
        return Ok(());
    }
    let outlet = article.outlet.as_str();
    let outlet_articles: i64 = tx.query_row(
        "INSERT INTO outlet_articles (outlet, articles) VALUES (?1, 1)
         ON CONFLICT (outlet) DO UPDATE SET articles = articles + 1 RETURNING articles",
        [outlet],
        |r| r.get(0),
    )?;
    // A paragraph unseen for the window starts again, as if new.
    let mut upsert = tx.prepare_cached(
        "INSERT INTO outlet_paragraph (outlet, fingerprint, outlet_before, first_seen_at, last_seen_at)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT (outlet, fingerprint) DO UPDATE SET
             articles = CASE WHEN last_seen_at < ?5 THEN 1 ELSE articles + 1 END,
             stories = CASE WHEN last_seen_at < ?5 THEN 1 ELSE stories END,
             outlet_before = CASE WHEN last_seen_at < ?5 THEN excluded.outlet_before ELSE outlet_before END,
             first_seen_at = CASE WHEN last_seen_at < ?5 THEN excluded.first_seen_at ELSE first_seen_at END,
             last_seen_at = excluded.last_seen_at
         RETURNING articles, stories",
    )?;
    let mut forget_stories = tx.prepare_cached(
        "DELETE FROM outlet_paragraph_story WHERE outlet = ?1 AND fingerprint = ?2",
    )?;
    let mut add_story = tx.prepare_cached(
        "INSERT OR IGNORE INTO outlet_paragraph_story (outlet, fingerprint, story_id) VALUES (?1, ?2, ?3)",
    )?;
    let mut one_more_story = tx.prepare_cached(
        "UPDATE outlet_paragraph SET stories = stories + 1 WHERE outlet = ?1 AND fingerprint = ?2",
    )?;
    let since = window_start(now);
    for fingerprint in &article.fingerprints {
        let (articles, stories): (i64, i64) = upsert.query_row(
            params![
                outlet,
                fingerprint,
                outlet_articles - 1,
                timestamp(now),
                since
            ],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if articles == 1 {
            forget_stories.execute(params![outlet, fingerprint])?;
            add_story.execute(params![outlet, fingerprint, story_id])?;
        } else if count(stories) < MIN_STORIES
            && add_story.execute(params![outlet, fingerprint, story_id])? == 1
        {
            one_more_story.execute(params![outlet, fingerprint])?;
            // Past the count the rule asks for, which stories no longer matters.
            if count(stories) + 1 >= MIN_STORIES {
                forget_stories.execute(params![outlet, fingerprint])?;
            }
        }
    }
    Ok(())
}

/// Forget at most `batch` paragraphs: those not seen within the window, then the least
/// recently seen of each outlet holding more than `max_per_outlet`; returns how many went.
pub(super) fn prune(
    tx: &Connection,
    now: DateTime<Utc>,
    max_per_outlet: usize,
    batch: usize,
) -> Result<usize> {
    let stale: Vec<(String, i64)> = tx
        .prepare_cached(
            "SELECT outlet, fingerprint FROM outlet_paragraph WHERE last_seen_at < ?1 LIMIT ?2",
        )?
        .query_map(params![window_start(now), batch as i64], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    forget(tx, &stale)?;
    let mut gone = stale.len();
    let crowded: Vec<(String, usize)> = tx
        .prepare_cached(
            "SELECT outlet, count(*) FROM outlet_paragraph GROUP BY outlet HAVING count(*) > ?1",
        )?
        .query_map([max_per_outlet as i64], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as usize))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut oldest = tx.prepare_cached(
        "SELECT outlet, fingerprint FROM outlet_paragraph WHERE outlet = ?1
         ORDER BY last_seen_at, fingerprint LIMIT ?2",
    )?;
    for (outlet, held) in crowded {
        let excess = (held - max_per_outlet).min(batch - gone);
        if excess == 0 {
            break;
        }
        let least_seen: Vec<(String, i64)> = oldest
            .query_map(params![outlet, excess as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        forget(tx, &least_seen)?;
        gone += least_seen.len();
    }
    Ok(gone)
}

fn forget(tx: &Connection, paragraphs: &[(String, i64)]) -> Result<()> {
    let mut stories = tx.prepare_cached(
        "DELETE FROM outlet_paragraph_story WHERE outlet = ?1 AND fingerprint = ?2",
    )?;
    let mut paragraph =
        tx.prepare_cached("DELETE FROM outlet_paragraph WHERE outlet = ?1 AND fingerprint = ?2")?;
    for (outlet, fingerprint) in paragraphs {
        stories.execute(params![outlet, fingerprint])?;
        paragraph.execute(params![outlet, fingerprint])?;
    }
    Ok(())
}
