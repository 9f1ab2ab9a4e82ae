//! `raqib search`: a query of the watch language tried on the archive, giving exactly the
//! articles a `[[watch]]` with that query would fire on.
//!
//! The query is parsed and checked as a watch's own (a query standing alone must require a
//! word) and compiled into a [`Watchlist`] of that one watch. The backend's index
//! ([`SearchIndex`]) narrows the archive to candidates, newest first; the watch is run on each
//! candidate's stored title, body, outlet and language and decides. The order is computed
//! here, never by a backend's ranking, so every backend gives the same results.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::query::{self, QueryError};
use crate::config::{Severity, Watch};
use crate::store::{ArchivedText, Candidate, SearchIndex, StoreError};
use crate::watch::narrow::{Narrow, narrow};
use crate::watch::{Field, Match, Subject, WatchError, Watchlist};

/// Candidates read and evaluated at a time.
const BATCH: usize = 64;

/// What a title match is worth against a body match in [`Sort::Relevance`]: a headline is
/// what the article is about.
const TITLE_WEIGHT: usize = 5;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("query, {0}")]
    Query(#[from] QueryError),
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The order of the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Publication time (fetch time when unknown), newest first, then the highest id.
    Newest,
    /// [`Found::score`], highest first, then as [`Sort::Newest`].
    Relevance,
}

/// An article the query matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub article: ArchivedText,
    /// What the watch shows: as `raqib match` reports them.
    pub matches: Vec<Match>,
    /// Title matches weighed [`TITLE_WEIGHT`] times a body match.
    pub score: usize,
    /// Publication time, else fetch time, in Unix seconds.
    pub at: i64,
}

impl Found {
    /// As `raqib search --format json` prints it and the HTTP API serves it.
    pub fn json(&self) -> serde_json::Value {
        let article = &self.article;
        serde_json::json!({
            "article": {
                "id": article.id,
                "url": article.url,
                "title": article.title,
                "outlet": article.outlet,
                "published_at": article.published_at,
                "lang": article.lang,
            },
            "story": article.story_id,
            "matches": self.matches,
        })
    }
}

/// A query ready to run.
pub struct Search {
    text: String,
    watchlist: Watchlist,
    narrow: Option<Narrow>,
}

impl Search {
    /// Parse and compile `text` as the query of a watch without aliases.
    pub fn new(text: &str) -> Result<Search, SearchError> {
        let expr = query::parse(text)?;
        query::check_standalone(&expr)?;
        let narrow = narrow(&expr);
        let watch = watch("search", expr);
        Ok(Search {
            text: text.to_string(),
            watchlist: Watchlist::compile(std::slice::from_ref(&watch))?,
            narrow,
        })
    }

    /// The query as a `[[watch]]` block of the configuration, named `name`.
    pub fn as_watch(&self, name: &str) -> String {
        let string = |s: &str| toml::Value::String(s.to_string()).to_string();
        format!(
            "[[watch]]\nname = {}\nquery = {}\n",
            string(name),
            string(&self.text)
        )
    }

    /// The stored articles the query matches, published (else fetched) at or after `now -
    /// since`, at most `limit` in `sort` order.
    pub async fn run(
        &self,
        index: &impl SearchIndex,
        since: Option<Duration>,
        limit: usize,
        sort: Sort,
        now: DateTime<Utc>,
    ) -> Result<Vec<Found>, SearchError> {
        self.run_before(index, since, limit, sort, None, now).await
    }

    /// As [`Search::run`], among the articles strictly older than `before` in the newest
    /// first order (its publication or fetch time in Unix seconds, then its id): the next
    /// page after the result `before` names.
    pub async fn run_before(
        &self,
        index: &impl SearchIndex,
        since: Option<Duration>,
        limit: usize,
        sort: Sort,
        before: Option<(i64, i64)>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Found>, SearchError> {
        let cutoff = since.map(|s| crate::date::earlier(now, s));
        let mut found = Vec::new();
        // Newest first, a page of candidates at a time, each four times the last (most are
        // confirmed, so one page usually does); relevance weighs every candidate.
        let mut want = match sort {
            Sort::Newest => BATCH,
            Sort::Relevance => usize::MAX,
        };
        let enough = match sort {
            Sort::Newest => limit,
            Sort::Relevance => usize::MAX,
        };
        // A page after the result `before` names starts where that result stood.
        let mut after = before.map(|(at, id)| Candidate { id, at });
        loop {
            let page = index
                .candidates(self.narrow.as_ref(), cutoff, after, want)
                .await?;
            let Some(&last) = page.last() else { break };
            self.evaluate_all(index, &page, enough, &mut found).await?;
            if page.len() < want || found.len() >= enough {
                break;
            }
            after = Some(last);
            want = want.saturating_mul(4);
        }
        if sort == Sort::Relevance {
            // Stable: among equal scores the candidates' order, newest first, stays.
            found.sort_by_key(|f| std::cmp::Reverse(f.score));
        }
        found.truncate(limit);
        Ok(found)
    }

    /// Evaluate `candidates` in order, a batch at a time, until `enough` are found.
    async fn evaluate_all(
        &self,
        index: &impl SearchIndex,
        candidates: &[Candidate],
        enough: usize,
        found: &mut Vec<Found>,
    ) -> Result<(), SearchError> {
        for batch in candidates.chunks(BATCH) {
            if found.len() >= enough {
                break;
            }
            let mut texts = index.texts(batch.iter().map(|c| c.id).collect()).await?;
            // The backend's order is the candidates'.
            texts.sort_by_key(|t| batch.iter().position(|c| c.id == t.id));
            for article in texts {
                let at = batch
                    .iter()
                    .find(|c| c.id == article.id)
                    .map_or(0, |c| c.at);
                if let Some(one) = self.evaluate(article, at) {
                    found.push(one);
                }
            }
        }
        Ok(())
    }

    fn evaluate(&self, article: ArchivedText, at: i64) -> Option<Found> {
        let hits = self.watchlist.scan(&Subject {
            title: &article.title,
            body: &article.body,
            outlet: &article.outlet,
            lang: article.lang.as_deref(),
        });
        let matches = hits.into_iter().next()?.matches;
        let score = matches
            .iter()
            .map(|m| match m.field {
                Field::Title => TITLE_WEIGHT,
                Field::Body => 1,
            })
            .sum();
        Some(Found {
            article,
            matches,
            score,
            at,
        })
    }
}

fn watch(name: &str, expr: query::Expr) -> Watch {
    Watch {
        name: name.to_string(),
        aliases: Vec::new(),
        query: Some(expr),
        query_text: None,
        context: Vec::new(),
        severity: Severity::Medium,
        sinks: Vec::new(),
        alert: Default::default(),
    }
}
