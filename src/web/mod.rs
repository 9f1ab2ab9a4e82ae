//! The web view: the archive's pages rendered on the server, read-only and usable without
//! JavaScript. Pages are pure functions from the archive's values to HTML (`pages`); the
//! router asks an [`Archive`] for those values, so any storage backend serves them through a
//! small adapter.

mod i18n;
mod marks;
mod pages;
mod routes;

use std::future::Future;

pub use routes::{CONTENT_SECURITY_POLICY, router};

use crate::health::FeedReport;
use crate::store::{AlertSummary, StorySummary};
use crate::watch::Match;

/// What the pages read: the archive, on whatever backend.
pub trait Archive: Send + Sync + 'static {
    /// Alerts, the most recent first, filtered as asked.
    fn alerts(
        &self,
        filter: AlertFilter,
    ) -> impl Future<Output = Result<Vec<AlertSummary>, ArchiveError>> + Send;

    /// Stories, the most recently active first.
    fn stories(&self) -> impl Future<Output = Result<Vec<StorySummary>, ArchiveError>> + Send;

    fn story(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<StoryView>, ArchiveError>> + Send;

    fn article(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<ArticleView>, ArchiveError>> + Send;

    /// Every configured feed with its health, in config order.
    fn feeds(&self) -> impl Future<Output = Result<Vec<FeedReport>, ArchiveError>> + Send;

    fn watches(&self) -> impl Future<Output = Result<Vec<WatchView>, ArchiveError>> + Send;

    /// The articles a watch with this query would match, the newest first.
    fn search(
        &self,
        query: String,
    ) -> impl Future<Output = Result<Vec<SearchHit>, ArchiveError>> + Send;
}

/// Why the archive gave no answer.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ArchiveError {
    /// The search query is not the watch query language: the reader sees why.
    #[error("{0}")]
    Query(String),
    /// Storage failed: logged, never shown (it may name files or servers).
    #[error("{0}")]
    Storage(String),
}

/// Which alerts to list; `None` lists all.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlertFilter {
    pub watch: Option<String>,
    pub severity: Option<String>,
}

/// An article as lists show it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleRef {
    pub id: i64,
    pub title: String,
    pub outlet: String,
    pub url: Option<String>,
    pub lang: Option<String>,
    /// RFC 3339, when known.
    pub published_at: Option<String>,
}

/// A story and its articles in the order they were published.
#[derive(Debug, Clone, PartialEq)]
pub struct StoryView {
    pub summary: StorySummary,
    pub articles: Vec<ArticleRef>,
}

/// An article to read: its clean text and what the watches found in it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleView {
    pub article: ArticleRef,
    pub story: i64,
    /// The extracted text, paragraphs separated by line breaks.
    pub body: String,
    /// (watch name, match), offsets into the title or the body.
    pub matches: Vec<(String, Match)>,
}

/// A configured watch.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchView {
    pub name: String,
    pub severity: String,
    pub aliases: Vec<String>,
    /// The `query` as written in the config, if any.
    pub query: Option<String>,
    /// Alerts it raised, stored.
    pub alerts: u64,
}

/// An article a search found, with the matches that made it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub article: ArticleRef,
    pub story: i64,
    pub matches: Vec<Match>,
}
