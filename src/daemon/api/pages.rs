//! The web view ([`crate::web`]) on the API's server: its [`web::Archive`] answered by the
//! same reads as the JSON, beside the writer, on either backend.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::Api;
use super::http::Reading;
use crate::health::FeedReport;
use crate::search::{Found, Search, SearchError};
use crate::store::{AlertSummary, ArticleDetail, StoreError, StoryArticle, StorySummary};
use crate::web::{
    self, AlertFilter, ArchiveError, ArticleRef, ArticleView, SearchHit, StoryView, WatchView,
};

/// The alerts page shows those of the last 30 days, the stories page those active in the
/// last 7: the JSON API and `raqib alerts --since` reach further back.
const ALERTS_SHOWN: chrono::Duration = chrono::Duration::days(30);
const STORIES_SHOWN: chrono::Duration = chrono::Duration::days(7);
/// Rows a list page shows at most.
const LIST_LIMIT: usize = 500;
/// Results the search page shows.
const SEARCH_SHOWN: usize = 50;

pub(super) struct Pages {
    pub(super) api: Arc<Api>,
    /// The last reading of the database's gauges, for the alerts each watch has raised.
    pub(super) gauges: watch::Receiver<Reading>,
}

fn storage(err: StoreError) -> ArchiveError {
    ArchiveError::Storage(err.to_string())
}

impl Pages {
    fn now(&self) -> DateTime<Utc> {
        (self.api.now)()
    }
}

fn reference(article: &StoryArticle) -> ArticleRef {
    ArticleRef {
        id: article.id,
        title: article.title.clone(),
        outlet: article.outlet.clone(),
        url: article.url.clone(),
        lang: article.lang.clone(),
        published_at: article.published_at.clone(),
    }
}

fn view(detail: ArticleDetail) -> ArticleView {
    let matches = detail
        .matches
        .into_iter()
        .flat_map(|(watch, matches)| matches.into_iter().map(move |m| (watch.clone(), m)))
        .collect();
    ArticleView {
        article: ArticleRef {
            id: detail.id,
            title: detail.title,
            outlet: detail.outlet,
            url: detail.url,
            lang: detail.lang,
            published_at: detail.published_at,
        },
        story: detail.story,
        body: detail.body,
        matches,
    }
}

fn hit(found: Found) -> SearchHit {
    let article = found.article;
    SearchHit {
        article: ArticleRef {
            id: article.id,
            title: article.title,
            outlet: article.outlet,
            url: article.url,
            lang: article.lang,
            published_at: article.published_at,
        },
        story: article.story_id,
        matches: found.matches,
    }
}

impl web::Archive for Pages {
    async fn alerts(&self, filter: AlertFilter) -> Result<Vec<AlertSummary>, ArchiveError> {
        let since = self.now() - ALERTS_SHOWN;
        let mut alerts = self
            .api
            .archive
            .alerts_since(since, filter.watch)
            .await
            .map_err(storage)?;
        if let Some(severity) = filter.severity {
            alerts.retain(|a| a.severity == severity);
        }
        alerts.truncate(LIST_LIMIT);
        Ok(alerts)
    }

    async fn stories(&self) -> Result<Vec<StorySummary>, ArchiveError> {
        let since = self.now() - STORIES_SHOWN;
        let mut stories = self
            .api
            .archive
            .stories_since(since)
            .await
            .map_err(storage)?;
        stories.truncate(LIST_LIMIT);
        Ok(stories)
    }

    async fn story(&self, id: i64) -> Result<Option<StoryView>, ArchiveError> {
        let Some(detail) = self.api.archive.story(id).await.map_err(storage)? else {
            return Ok(None);
        };
        // The watches that matched its articles, as `raqib stories` lists them.
        let mut watches = BTreeSet::new();
        for article in &detail.articles {
            if let Some(found) = self
                .api
                .archive
                .article(article.id)
                .await
                .map_err(storage)?
            {
                watches.extend(found.matches.into_keys());
            }
        }
        let mut outlets: Vec<String> = Vec::new();
        for article in &detail.articles {
            if !outlets.contains(&article.outlet) {
                outlets.push(article.outlet.clone());
            }
        }
        let last_seen_at = detail
            .articles
            .iter()
            .map(|a| a.fetched_at.clone())
            .max()
            .unwrap_or_else(|| detail.first_seen_at.clone());
        let summary = StorySummary {
            id: detail.id,
            first_seen_at: detail.first_seen_at,
            last_seen_at,
            title: detail.title,
            articles: detail.articles.len() as u64,
            outlets,
            watches: watches.into_iter().collect(),
        };
        Ok(Some(StoryView {
            summary,
            articles: detail.articles.iter().map(reference).collect(),
        }))
    }

    async fn article(&self, id: i64) -> Result<Option<ArticleView>, ArchiveError> {
        let detail = self.api.archive.article(id).await.map_err(storage)?;
        Ok(detail.map(view))
    }

    async fn feeds(&self) -> Result<Vec<FeedReport>, ArchiveError> {
        let live = (self.api.live)();
        let now = self.now();
        let urls = live
            .config
            .feeds
            .iter()
            .map(|f| f.url.to_string())
            .collect();
        let health = self
            .api
            .archive
            .feed_healths(urls, now)
            .await
            .map_err(storage)?;
        Ok(crate::health::feed_reports(&live.config, &health, now))
    }

    async fn watches(&self) -> Result<Vec<WatchView>, ArchiveError> {
        let alerts = match &*self.gauges.borrow() {
            Some(Ok(snapshot)) => snapshot.alerts.clone(),
            _ => Default::default(),
        };
        Ok((self.api.live)()
            .config
            .watches
            .iter()
            .map(|w| WatchView {
                name: w.name.clone(),
                severity: w.severity.as_str().to_string(),
                aliases: w.aliases.clone(),
                query: w.query_text.clone(),
                alerts: alerts.get(&w.name).copied().unwrap_or(0),
            })
            .collect())
    }

    async fn search(&self, query: String) -> Result<Vec<SearchHit>, ArchiveError> {
        let search = Search::new(&query).map_err(|err| ArchiveError::Query(err.to_string()))?;
        let found = self
            .api
            .archive
            .search(search, None, SEARCH_SHOWN, None, self.now())
            .await;
        match found {
            Ok(found) => Ok(found.into_iter().map(hit).collect()),
            Err(SearchError::Store(err)) => Err(storage(err)),
            Err(err) => Err(ArchiveError::Query(err.to_string())),
        }
    }
}
