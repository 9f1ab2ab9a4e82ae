//! One article, one story, one watch's latest alerts, read by the HTTP API on SQLite's
//! read-only [`Reader`].

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};

use super::{AlertEntry, ArticleDetail, Reader, Result, StoryArticle, StoryDetail};
use crate::watch::{Field, Match};

/// A stored match's field, as the store writes it.
pub(crate) fn field(name: &str) -> Field {
    if name == "title" {
        Field::Title
    } else {
        Field::Body
    }
}

impl Reader {
    /// The article `id` with its matches by watch; `None` when there is none.
    pub fn article(&self, id: i64) -> Result<Option<ArticleDetail>> {
        let found = self
            .conn
            .query_row(
                "SELECT a.id, a.title, a.url, f.outlet, a.published_at, a.fetched_at, a.lang,
                        a.body, a.story_id
                 FROM article a JOIN feed f ON f.id = a.feed_id WHERE a.id = ?1",
                [id],
                |r| {
                    Ok(ArticleDetail {
                        id: r.get(0)?,
                        title: r.get(1)?,
                        url: r.get(2)?,
                        outlet: r.get(3)?,
                        published_at: r.get(4)?,
                        fetched_at: r.get(5)?,
                        lang: r.get(6)?,
                        body: r.get(7)?,
                        story: r.get(8)?,
                        matches: BTreeMap::new(),
                    })
                },
            )
            .optional()?;
        let Some(mut article) = found else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare(
            "SELECT watch, term, text, field, start, \"end\", snippet FROM \"match\"
             WHERE article_id = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Match {
                    term: r.get(1)?,
                    text: r.get(2)?,
                    field: field(&r.get::<_, String>(3)?),
                    start: r.get::<_, i64>(4)?.max(0) as usize,
                    end: r.get::<_, i64>(5)?.max(0) as usize,
                    snippet: r.get(6)?,
                },
            ))
        })?;
        for row in rows {
            let (watch, found) = row?;
            article.matches.entry(watch).or_default().push(found);
        }
        Ok(Some(article))
    }

    /// The story `id` with its articles in publication order; `None` when there is none.
    pub fn story(&self, id: i64) -> Result<Option<StoryDetail>> {
        let found = self
            .conn
            .query_row(
                "SELECT id, title, first_seen_at FROM story WHERE id = ?1",
                [id],
                |r| Ok((r.get::<_, i64>(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((id, title, first_seen_at)) = found else {
            return Ok(None);
        };
        let mut stmt = self.conn.prepare(
            "SELECT a.id, a.title, a.url, f.outlet, a.published_at, a.fetched_at, a.lang
             FROM article a JOIN feed f ON f.id = a.feed_id WHERE a.story_id = ?1",
        )?;
        let articles = stmt
            .query_map([id], |r| {
                Ok(StoryArticle {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    url: r.get(2)?,
                    outlet: r.get(3)?,
                    published_at: r.get(4)?,
                    fetched_at: r.get(5)?,
                    lang: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Some(StoryDetail {
            id,
            title,
            first_seen_at,
            articles: StoryDetail::in_publication_order(articles),
        }))
    }

    /// `watch`'s latest `limit` alerts, the most recent first.
    pub fn alert_entries(&self, watch: &str, limit: usize) -> Result<Vec<AlertEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT al.uid, al.raised_at, a.id, a.title, a.url, f.outlet,
                    (SELECT m.snippet FROM \"match\" m
                     WHERE m.article_id = al.article_id AND m.watch = al.watch
                     ORDER BY m.id LIMIT 1)
             FROM alert al JOIN article a ON a.id = al.article_id JOIN feed f ON f.id = a.feed_id
             WHERE al.watch = ?1
             ORDER BY al.raised_at DESC, al.id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(
            params![watch, i64::try_from(limit).unwrap_or(i64::MAX)],
            |r| {
                Ok(AlertEntry {
                    id: r.get(0)?,
                    raised_at: r.get(1)?,
                    article: r.get(2)?,
                    title: r.get(3)?,
                    url: r.get(4)?,
                    outlet: r.get(5)?,
                    snippet: r.get(6)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
