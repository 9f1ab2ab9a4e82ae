//! Counts of the paragraphs at the edges of an outlet's articles, from which its boilerplate is
//! learned, on PostgreSQL: the same counts as SQLite's `store/learned.rs`, written in the
//! article's transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use tokio_postgres::Transaction;

use super::{Pool, Result};
use crate::extract::learned::{MIN_STORIES, Seen};
use crate::store::learned::{WINDOW_DAYS, count};
use crate::store::{BodySource, NewArticle};

fn window_start(now: DateTime<Utc>) -> DateTime<Utc> {
    now - chrono::Duration::days(WINDOW_DAYS)
}

/// What `outlet`'s articles so far say about each of `fingerprints` still remembered at `now`.
pub async fn learned_records(
    pool: &Pool,
    outlet: &str,
    fingerprints: &[i64],
    now: DateTime<Utc>,
) -> Result<HashMap<i64, Seen>> {
    let client = pool.client().await?;
    let rows = client
        .query(
            "SELECT p.fingerprint, p.articles, p.stories, o.articles - p.outlet_before
             FROM outlet_paragraph p JOIN outlet_articles o ON o.outlet = p.outlet
             WHERE p.outlet = $1 AND p.fingerprint = ANY($2) AND p.last_seen_at >= $3",
            &[&outlet, &fingerprints, &window_start(now)],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let seen = Seen {
                articles: count(row.get(1)),
                stories: count(row.get(2)),
                outlet_articles: count(row.get(3)),
            };
            (row.get(0), seen)
        })
        .collect())
}

/// Count a stored article (in its transaction): one more article of its outlet if its body is
/// the page's, and one more for each paragraph at its edges, in `story_id`.
pub(super) async fn record(
    tx: &Transaction<'_>,
    article: &NewArticle,
    story_id: i64,
    now: DateTime<Utc>,
) -> Result<()> {
    if !matches!(article.body_source, BodySource::Page) {
        return Ok(());
    }
    let outlet = article.outlet.as_str();
    let outlet_articles: i64 = tx
        .query_one(
            "INSERT INTO outlet_articles (outlet, articles) VALUES ($1, 1)
             ON CONFLICT (outlet) DO UPDATE SET articles = outlet_articles.articles + 1
             RETURNING articles",
            &[&outlet],
        )
        .await?
        .get(0);
    let since = window_start(now);
    for fingerprint in &article.fingerprints {
        // A paragraph unseen for the window starts again, as if new.
        let row = tx
            .query_one(
                "INSERT INTO outlet_paragraph AS p
                     (outlet, fingerprint, outlet_before, first_seen_at, last_seen_at)
                 VALUES ($1, $2, $3, $4, $4)
                 ON CONFLICT (outlet, fingerprint) DO UPDATE SET
                     articles = CASE WHEN p.last_seen_at < $5 THEN 1 ELSE p.articles + 1 END,
                     stories = CASE WHEN p.last_seen_at < $5 THEN 1 ELSE p.stories END,
                     outlet_before = CASE WHEN p.last_seen_at < $5
                         THEN excluded.outlet_before ELSE p.outlet_before END,
                     first_seen_at = CASE WHEN p.last_seen_at < $5
                         THEN excluded.first_seen_at ELSE p.first_seen_at END,
                     last_seen_at = excluded.last_seen_at
                 RETURNING articles, stories",
                &[&outlet, fingerprint, &(outlet_articles - 1), &now, &since],
            )
            .await?;
        let (articles, stories): (i64, i64) = (row.get(0), row.get(1));
        if articles == 1 {
            forget_stories(tx, outlet, *fingerprint).await?;
            add_story(tx, outlet, *fingerprint, story_id).await?;
        } else if count(stories) < MIN_STORIES
            && add_story(tx, outlet, *fingerprint, story_id).await?
        {
            tx.execute(
                "UPDATE outlet_paragraph SET stories = stories + 1
                 WHERE outlet = $1 AND fingerprint = $2",
                &[&outlet, fingerprint],
            )
            .await?;
            // Past the count the rule asks for, which stories no longer matters.
            if count(stories) + 1 >= MIN_STORIES {
                forget_stories(tx, outlet, *fingerprint).await?;
            }
        }
    }
    Ok(())
}

async fn forget_stories(tx: &Transaction<'_>, outlet: &str, fingerprint: i64) -> Result<()> {
    tx.execute(
        "DELETE FROM outlet_paragraph_story WHERE outlet = $1 AND fingerprint = $2",
        &[&outlet, &fingerprint],
    )
    .await?;
    Ok(())
}

/// Whether the story was new to the paragraph.
async fn add_story(
    tx: &Transaction<'_>,
    outlet: &str,
    fingerprint: i64,
    story_id: i64,
) -> Result<bool> {
    let added = tx
        .execute(
            "INSERT INTO outlet_paragraph_story (outlet, fingerprint, story_id) VALUES ($1, $2, $3)
             ON CONFLICT DO NOTHING",
            &[&outlet, &fingerprint, &story_id],
        )
        .await?;
    Ok(added == 1)
}
