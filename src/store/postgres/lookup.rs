//! One article, one story, one watch's latest alerts, read by the HTTP API on PostgreSQL:
//! the shapes `store/lookup.rs` gives on SQLite.

use std::collections::BTreeMap;

use super::rescan::published_text;
use super::{Pool, Result};
use crate::store::lookup::field;
use crate::store::{AlertEntry, ArticleDetail, StoryArticle, StoryDetail, timestamp};
use crate::watch::Match;

/// The article `id` with its matches by watch; `None` when there is none.
pub async fn article(pool: &Pool, id: i64) -> Result<Option<ArticleDetail>> {
    let client = pool.client().await?;
    let Some(row) = client
        .query_opt(
            "SELECT a.id, a.title, a.url, f.outlet, a.published_at, a.published_offset,
                    a.fetched_at, a.lang, a.body, a.story_id
             FROM article a JOIN feed f ON f.id = a.feed_id WHERE a.id = $1",
            &[&id],
        )
        .await?
    else {
        return Ok(None);
    };
    let mut matches: BTreeMap<String, Vec<Match>> = BTreeMap::new();
    for m in client
        .query(
            "SELECT watch, term, text, field, start, \"end\", snippet FROM \"match\"
             WHERE article_id = $1 ORDER BY id",
            &[&id],
        )
        .await?
    {
        matches.entry(m.get(0)).or_default().push(Match {
            term: m.get(1),
            text: m.get(2),
            field: field(m.get(3)),
            start: m.get::<_, i64>(4).max(0) as usize,
            end: m.get::<_, i64>(5).max(0) as usize,
            snippet: m.get(6),
        });
    }
    Ok(Some(ArticleDetail {
        id: row.get(0),
        title: row.get(1),
        url: row.get(2),
        outlet: row.get(3),
        published_at: published_text(row.get(4), row.get(5)),
        fetched_at: timestamp(row.get(6)),
        lang: row.get(7),
        body: row.get(8),
        story: row.get(9),
        matches,
    }))
}

/// The story `id` with its articles in publication order; `None` when there is none.
pub async fn story(pool: &Pool, id: i64) -> Result<Option<StoryDetail>> {
    let client = pool.client().await?;
    let Some(row) = client
        .query_opt(
            "SELECT id, title, first_seen_at FROM story WHERE id = $1",
            &[&id],
        )
        .await?
    else {
        return Ok(None);
    };
    let articles = client
        .query(
            "SELECT a.id, a.title, a.url, f.outlet, a.published_at, a.published_offset,
                    a.fetched_at, a.lang
             FROM article a JOIN feed f ON f.id = a.feed_id WHERE a.story_id = $1",
            &[&id],
        )
        .await?
        .iter()
        .map(|a| StoryArticle {
            id: a.get(0),
            title: a.get(1),
            url: a.get(2),
            outlet: a.get(3),
            published_at: published_text(a.get(4), a.get(5)),
            fetched_at: timestamp(a.get(6)),
            lang: a.get(7),
        })
        .collect();
    Ok(Some(StoryDetail {
        id: row.get(0),
        title: row.get(1),
        first_seen_at: timestamp(row.get(2)),
        articles: StoryDetail::in_publication_order(articles),
    }))
}

/// `watch`'s latest `limit` alerts, the most recent first.
pub async fn alert_entries(pool: &Pool, watch: &str, limit: usize) -> Result<Vec<AlertEntry>> {
    let rows = pool
        .client()
        .await?
        .query(
            "SELECT al.uid, al.raised_at, a.id, a.title, a.url, f.outlet,
                    (SELECT m.snippet FROM \"match\" m
                     WHERE m.article_id = al.article_id AND m.watch = al.watch
                     ORDER BY m.id LIMIT 1)
             FROM alert al JOIN article a ON a.id = al.article_id JOIN feed f ON f.id = a.feed_id
             WHERE al.watch = $1
             ORDER BY al.raised_at DESC, al.id DESC LIMIT $2",
            &[&watch, &i64::try_from(limit).unwrap_or(i64::MAX)],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| AlertEntry {
            id: r.get(0),
            raised_at: timestamp(r.get(1)),
            article: r.get(2),
            title: r.get(3),
            url: r.get(4),
            outlet: r.get(5),
            snippet: r.get(6),
        })
        .collect())
}
