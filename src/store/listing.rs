//! What `raqib stories` and `raqib alerts` list on SQLite, and the [`Listings`] of the
//! archive commands answered by the read-only [`Reader`].

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::seam::Listings;
use super::{
    AlertEntry, AlertSummary, ArticleDetail, DeliverySummary, FeedHealth, Reader, Result, Stats,
    StoryDetail, StorySummary, timestamp,
};

fn lines(text: Option<String>) -> Vec<String> {
    text.map(|t| t.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

impl Reader {
    /// Stories that gained an article since `since`, the most recent first.
    pub fn stories_since(&self, since: DateTime<Utc>) -> Result<Vec<StorySummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.id, s.first_seen_at, s.title,
                    (SELECT count(*) FROM article WHERE story_id = s.id),
                    (SELECT max(fetched_at) FROM article WHERE story_id = s.id),
                    (SELECT group_concat(outlet, char(10)) FROM
                        (SELECT f.outlet AS outlet FROM article a JOIN feed f ON f.id = a.feed_id
                         WHERE a.story_id = s.id GROUP BY f.outlet ORDER BY min(a.id))),
                    (SELECT group_concat(watch, char(10)) FROM
                        (SELECT DISTINCT m.watch AS watch FROM \"match\" m
                         JOIN article a ON a.id = m.article_id WHERE a.story_id = s.id ORDER BY 1))
             FROM story s
             WHERE s.id IN (SELECT story_id FROM article WHERE fetched_at >= ?1)
             ORDER BY 5 DESC, s.id DESC",
        )?;
        let rows = stmt.query_map([timestamp(since)], |r| {
            Ok(StorySummary {
                id: r.get(0)?,
                first_seen_at: r.get(1)?,
                title: r.get(2)?,
                articles: r.get::<_, i64>(3)? as u64,
                last_seen_at: r.get(4)?,
                outlets: lines(r.get(5)?),
                watches: lines(r.get(6)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Alerts raised since `since` (of one watch, if given), the most recent first.
    pub fn alerts_since(
        &self,
        since: DateTime<Utc>,
        watch: Option<&str>,
    ) -> Result<Vec<AlertSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT al.id, al.uid, al.watch, al.severity, al.raised_at, al.story_id, a.title, a.url,
                    f.outlet,
                    (SELECT group_concat(outlet, char(10)) FROM
                        (SELECT f2.outlet AS outlet FROM alert_report r
                         JOIN article a2 ON a2.id = r.article_id JOIN feed f2 ON f2.id = a2.feed_id
                         WHERE r.alert_id = al.id GROUP BY f2.outlet ORDER BY min(r.reported_at), min(a2.id)))
             FROM alert al JOIN article a ON a.id = al.article_id JOIN feed f ON f.id = a.feed_id
             WHERE al.raised_at >= ?1 AND (?2 IS NULL OR al.watch = ?2)
             ORDER BY al.raised_at DESC, al.id DESC",
        )?;
        let mut deliveries = self.conn.prepare_cached(
            "SELECT sink, state, attempts, last_error FROM delivery WHERE alert_id = ?1 ORDER BY sink",
        )?;
        let rows = stmt
            .query_map(params![timestamp(since), watch], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    AlertSummary {
                        id: r.get(1)?,
                        watch: r.get(2)?,
                        severity: r.get(3)?,
                        raised_at: r.get(4)?,
                        story: r.get(5)?,
                        title: r.get(6)?,
                        url: r.get(7)?,
                        outlet: r.get(8)?,
                        also_reported_by: lines(r.get(9)?),
                        deliveries: Vec::new(),
                    },
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut alerts = Vec::with_capacity(rows.len());
        for (id, mut alert) in rows {
            alert.deliveries = deliveries
                .query_map([id], |r| {
                    Ok(DeliverySummary {
                        sink: r.get(0)?,
                        state: r.get(1)?,
                        attempts: r.get(2)?,
                        last_error: r.get(3)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            alerts.push(alert);
        }
        Ok(alerts)
    }
}

impl Listings for Reader {
    async fn feed_healths(
        &self,
        urls: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Option<FeedHealth>>> {
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        Reader::feed_healths(self, &urls, now)
    }

    async fn stories_since(&self, since: DateTime<Utc>) -> Result<Vec<StorySummary>> {
        Reader::stories_since(self, since)
    }

    async fn alerts_since(
        &self,
        since: DateTime<Utc>,
        watch: Option<String>,
    ) -> Result<Vec<AlertSummary>> {
        Reader::alerts_since(self, since, watch.as_deref())
    }

    async fn stats(&self) -> Result<Stats> {
        Reader::stats(self)
    }

    async fn article(&self, id: i64) -> Result<Option<ArticleDetail>> {
        Reader::article(self, id)
    }

    async fn story(&self, id: i64) -> Result<Option<StoryDetail>> {
        Reader::story(self, id)
    }

    async fn alert_entries(&self, watch: String, limit: usize) -> Result<Vec<AlertEntry>> {
        Reader::alert_entries(self, &watch, limit)
    }
}
