//! Articles on PostgreSQL: an article stored with its story, matches, alerts and deliveries in
//! one transaction, as on SQLite (`store/mod.rs`), by whichever instance polled it.
//!
//! What SQLite's single writer gives for free is enforced here by the database: one article per
//! URL (the partial unique index `article_url`, and the check under the story lock), one story
//! for rewrites stored at the same moment (the story lock, see `story.rs`), one alert per watch
//! and article (`ON CONFLICT` on `alert`'s unique keys) and per story as the watch's policy says
//! (its story's alert read under the story lock).

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_postgres::Transaction;

use super::{Pool, Result, learned, search, story};
use crate::alert::NewAlert;
use crate::alert::policy::{self, Placement};
use crate::feed::article_url;
use crate::store::{BodySource, Inserted, NewArticle, StoredArticle};
use crate::watch::Match;

/// Store an article with its story, matches, alerts and deliveries, all or nothing. `alerts`
/// builds the alerts once the article's ids and the other outlets of its story are known.
/// Returns `None` when the entry, or an article at its URL (through whatever feed, by whatever
/// instance), was already stored: nothing is written then.
pub async fn insert_article(
    pool: &Pool,
    article: &NewArticle,
    now: DateTime<Utc>,
    story_window: Duration,
    alerts: impl FnOnce(StoredArticle, &[String]) -> Vec<NewAlert>,
) -> Result<Option<Inserted>> {
    // Whole seconds, as every time the PostgreSQL side writes and compares (see `stored`):
    // a delivery due at 10:45:03.7 was not yet due to a claim made at 10:45:03.9.
    let now = super::stored(now);
    let url = article.url.as_deref().map(article_url);
    let mut client = pool.client().await?;
    let tx = client.transaction().await?;
    story::lock_stories(&tx).await?;
    let exists = tx
        .query_opt(
            "SELECT 1 FROM article WHERE feed_id = $1 AND entry_key = $2
             UNION ALL SELECT 1 FROM article WHERE url = $3 AND duplicate_of IS NULL
             LIMIT 1",
            &[&article.feed_id, &article.entry_key, &url],
        )
        .await?
        .is_some();
    if exists {
        return Ok(None);
    }
    let since = now
        - chrono::Duration::from_std(story_window).unwrap_or_else(|_| chrono::Duration::days(2));
    let assigned = story::assign(&tx, &article.story, &article.title, since, now).await?;
    let story_id = assigned.story_id;
    let published_offset = article.published_at.map(|at| at.offset().local_minus_utc());
    // The check above and this insert run under the story lock; a writer that skipped it still
    // meets the unique keys, and its copy is not stored (the transaction, story and counts
    // included, is rolled back).
    let inserted = tx
        .query_opt(
            "INSERT INTO article (feed_id, entry_key, url, canonical_url, title, body, body_source,
                 body_error, author, lang, site_name, published_at, published_offset, fetched_at,
                 simhash, story_id, page_attempts, page_retry_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
             ON CONFLICT DO NOTHING
             RETURNING id",
            &[
                &article.feed_id,
                &article.entry_key,
                &url,
                &article.canonical_url,
                &article.title,
                &article.body,
                &match article.body_source {
                    BodySource::Page => "page",
                    BodySource::Feed => "feed",
                },
                &article.body_error,
                &article.author,
                &article.lang,
                &article.site_name,
                &article.published_at.map(|at| at.with_timezone(&Utc)),
                &published_offset,
                &now,
                &(article.story.simhash as i64),
                &story_id,
                &i64::from(article.page_retry_at.is_some()),
                &article.page_retry_at.map(super::stored),
            ],
        )
        .await?;
    let Some(row) = inserted else {
        tx.rollback().await?;
        return Ok(None);
    };
    let stored = StoredArticle {
        id: row.get(0),
        story_id,
    };
    learned::record(&tx, article, story_id, now).await?;
    let at = crate::store::search::ordered_at(article.published_at.map(|d| d.to_utc()), now);
    search::index(&tx, stored.id, &article.tokens_to_index(), at).await?;
    story::record(&tx, stored, &assigned, article.story.weekdays).await?;
    insert_matches(&tx, stored.id, &article.matches).await?;
    let outlets = outlets_of(&tx, stored).await?;
    let raised = insert_alerts(&tx, stored, alerts(stored, &outlets), now).await?;
    tx.commit().await?;
    Ok(Some(Inserted {
        article: stored,
        alerts: raised,
    }))
}

/// The outlets of the other articles of `article`'s story, in the order they first appeared.
const STORY_OUTLETS: &str = "SELECT f.outlet FROM article a JOIN feed f ON f.id = a.feed_id
     WHERE a.story_id = $1 AND a.id <> $2 AND f.outlet <> (
         SELECT f2.outlet FROM article a2 JOIN feed f2 ON f2.id = a2.feed_id WHERE a2.id = $2)
     GROUP BY f.outlet ORDER BY min(a.id)";

/// The outlets, other than the article's own, that published articles of its story.
pub async fn story_outlets(pool: &Pool, article: StoredArticle) -> Result<Vec<String>> {
    let client = pool.client().await?;
    let rows = client
        .query(STORY_OUTLETS, &[&article.story_id, &article.id])
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

async fn outlets_of(tx: &Transaction<'_>, article: StoredArticle) -> Result<Vec<String>> {
    let rows = tx
        .query(STORY_OUTLETS, &[&article.story_id, &article.id])
        .await?;
    Ok(rows.iter().map(|row| row.get(0)).collect())
}

/// Write an article's matches, in their order.
pub(super) async fn insert_matches(
    tx: &Transaction<'_>,
    article_id: i64,
    matches: &[(String, Match)],
) -> Result<()> {
    if matches.is_empty() {
        return Ok(());
    }
    let watches: Vec<&str> = matches.iter().map(|(watch, _)| watch.as_str()).collect();
    let terms: Vec<&str> = matches.iter().map(|(_, m)| m.term.as_str()).collect();
    let texts: Vec<&str> = matches.iter().map(|(_, m)| m.text.as_str()).collect();
    let fields: Vec<&str> = matches.iter().map(|(_, m)| m.field.as_str()).collect();
    let starts: Vec<i64> = matches.iter().map(|(_, m)| m.start as i64).collect();
    let ends: Vec<i64> = matches.iter().map(|(_, m)| m.end as i64).collect();
    let snippets: Vec<&str> = matches.iter().map(|(_, m)| m.snippet.as_str()).collect();
    tx.execute(
        "INSERT INTO \"match\" (article_id, watch, term, text, field, start, \"end\", snippet)
         SELECT $1, m.watch, m.term, m.text, m.field, m.start, m.stop, m.snippet
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[],
                     $8::text[]) WITH ORDINALITY AS m(watch, term, text, field, start, stop, snippet, n)
         ORDER BY m.n",
        &[
            &article_id,
            &watches,
            &terms,
            &texts,
            &fields,
            &starts,
            &ends,
            &snippets,
        ],
    )
    .await?;
    Ok(())
}

/// Write alerts and one delivery per sink for each, placed by their watch's policy
/// ([`policy::place`]). An alert the article already has (same watch or id) is skipped.
/// Returns how many were new. The caller holds the story lock, so the story's alert read here
/// is the one every instance sees.
pub(super) async fn insert_alerts(
    tx: &Transaction<'_>,
    stored: StoredArticle,
    alerts: Vec<NewAlert>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut new = 0;
    for alert in alerts {
        let story_alert: Option<i64> = if alert.policy.per_story() {
            tx.query_opt(
                "SELECT id FROM alert WHERE watch = $1 AND story_id = $2 ORDER BY id LIMIT 1",
                &[&alert.watch, &stored.story_id],
            )
            .await?
            .map(|row| row.get(0))
        } else {
            None
        };
        let (first_attempt, digest_until) = match policy::place(alert.policy, story_alert, now) {
            Placement::Report { alert: alert_id } => {
                tx.execute(
                    "INSERT INTO alert_report (alert_id, article_id, reported_at)
                     SELECT $1::bigint, $2::bigint, $3::timestamptz WHERE NOT EXISTS
                         (SELECT 1 FROM alert WHERE id = $1 AND article_id = $2)
                     ON CONFLICT DO NOTHING",
                    &[&alert_id, &stored.id, &now],
                )
                .await?;
                continue;
            }
            Placement::Raise {
                first_attempt,
                digest_until,
            } => (first_attempt, digest_until),
        };
        let raised = tx
            .query_opt(
                "INSERT INTO alert (uid, watch, severity, article_id, story_id, raised_at, payload)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT DO NOTHING
                 RETURNING id",
                &[
                    &alert.uid,
                    &alert.watch,
                    &alert.severity,
                    &stored.id,
                    &stored.story_id,
                    &now,
                    &alert.payload,
                ],
            )
            .await?;
        let Some(row) = raised else {
            continue;
        };
        new += 1;
        let alert_id: i64 = row.get(0);
        for sink in &alert.sinks {
            tx.execute(
                "INSERT INTO delivery (alert_id, sink, next_attempt_at, created_at, digest_until)
                 VALUES ($1, $2, $3, $4, $5)",
                &[&alert_id, sink, &first_attempt, &now, &digest_until],
            )
            .await?;
        }
    }
    Ok(new)
}
