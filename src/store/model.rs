//! The values the storage seam takes and returns, the same for every backend.

use std::borrow::Cow;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, Utc};

use crate::fetch::Validators;
use crate::story::Signature;
use crate::watch::Match;

/// What polling needs to know about a feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedState {
    pub id: i64,
    pub validators: Validators,
    pub consecutive_errors: u32,
    pub next_due_at: Option<DateTime<Utc>>,
    /// The interval in force (adaptive feeds learn it).
    pub interval: Option<Duration>,
    /// Hash of the last body parsed.
    pub body_hash: Option<String>,
    /// Until when a process sharing the storage holds the feed (a PostgreSQL lease, this
    /// process's own included); `None` when nobody does, and always on SQLite.
    pub held_until: Option<DateTime<Utc>>,
    /// The feed's own title as last read, made an outlet name ([`crate::config::outlet_title`]).
    pub title: Option<String>,
}

/// What a successful poll learned.
#[derive(Debug, Clone, Default)]
pub struct PollRecord {
    /// New validators, when a body was received.
    pub validators: Option<Validators>,
    pub body_hash: Option<String>,
    pub encoding: Option<String>,
    pub interval: Duration,
    /// The newest entry seen, if any is dated.
    pub newest_entry: Option<DateTime<Utc>>,
}

/// A feed's health, for `raqib feeds`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct FeedHealth {
    pub url: String,
    pub outlet: String,
    pub last_success_at: Option<String>,
    pub last_polled_at: Option<String>,
    pub consecutive_errors: u32,
    pub last_error: Option<String>,
    pub next_due_at: Option<String>,
    pub interval_secs: Option<u64>,
    pub encoding: Option<String>,
    pub last_entry_at: Option<String>,
    /// Articles stored from this feed in the last 7 days.
    pub articles_7d: u64,
    /// Since when the outlet's body rule has not matched, if it does not.
    pub rule_missed_at: Option<String>,
    /// The feed's own title as last read: it names the outlet when the config does not.
    #[serde(skip)]
    pub title: Option<String>,
}

/// Where an article's body came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodySource {
    Page,
    Feed,
}

/// An article ready to be stored, with its matches.
#[derive(Debug, Clone)]
pub struct NewArticle {
    pub feed_id: i64,
    pub entry_key: String,
    pub url: Option<String>,
    pub canonical_url: Option<String>,
    pub title: String,
    pub body: String,
    pub body_source: BodySource,
    pub body_error: Option<String>,
    pub author: Option<String>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    pub published_at: Option<DateTime<FixedOffset>>,
    /// What finds its story: see [`crate::story`].
    pub story: Signature,
    /// The outlet, and the fingerprints of the paragraphs at the head and tail of the body,
    /// which count towards its learned boilerplate (see [`crate::extract::learned`]); empty for
    /// feed summaries.
    pub outlet: String,
    pub fingerprints: Vec<i64>,
    /// When to try the page again, for a body taken from the feed after the page failed.
    pub page_retry_at: Option<DateTime<Utc>>,
    /// (watch name, match).
    pub matches: Vec<(String, Match)>,
    /// The search index's tokens of the title and body ([`crate::text::index::article_tokens`]),
    /// computed before the single writer as the story signature is; `None`: the writer reads
    /// them off the title and body itself.
    pub index_tokens: Option<Vec<String>>,
}

impl NewArticle {
    /// [`NewArticle::index_tokens`], read off the title and body when not given.
    pub fn tokens_to_index(&self) -> Cow<'_, [String]> {
        match &self.index_tokens {
            Some(tokens) => Cow::Borrowed(tokens),
            None => Cow::Owned(crate::text::index::article_tokens(&self.title, &self.body)),
        }
    }
}

/// The ids an article got, which its alerts name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredArticle {
    pub id: i64,
    pub story_id: i64,
}

/// What storing an article wrote: its ids, and how many alerts it raised (an alert its watch
/// already raised on the story is not raised again).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Inserted {
    pub article: StoredArticle,
    pub alerts: usize,
}

/// An article whose page is due to be fetched again.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRetry {
    pub article: StoredArticle,
    pub url: String,
    pub entry_key: String,
    pub title: String,
    pub published_at: Option<DateTime<FixedOffset>>,
    pub attempts: u32,
}

/// What the page gave on a retry.
#[derive(Debug, Clone)]
pub struct RetriedPage {
    pub body: String,
    pub canonical_url: Option<String>,
    pub author: Option<String>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    /// (watch name, match) over the title and the new body.
    pub matches: Vec<(String, Match)>,
}

/// A delivery claimed to be attempted.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingDelivery {
    pub id: i64,
    pub sink: String,
    pub alert_uid: String,
    pub payload: String,
    pub attempts: u32,
    /// When its alert was raised: dead-lettering counts from here (from `digest_until` for a
    /// digest).
    pub created_at: DateTime<Utc>,
    /// The alert's watch.
    pub watch: String,
    /// For a digest watch, the end of the period whose deliveries go out together.
    pub digest_until: Option<DateTime<Utc>>,
    /// Held back by its sink's `max_per_minute`: it goes out in the sink's next flood digest.
    pub folded: bool,
}

/// What one claim takes at most: single alerts, and digests (each whole, however many alerts
/// its period holds).
#[derive(Debug, Clone, Copy)]
pub struct ClaimLimits {
    pub alerts: usize,
    pub digests: usize,
}

/// The deliveries one claim took, and whether it stopped at a limit (more may be due).
#[derive(Debug, Clone, Default)]
pub struct Claimed {
    pub deliveries: Vec<PendingDelivery>,
    pub full: bool,
}

/// What one batch removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Pruned {
    pub articles: usize,
    pub alerts: usize,
    pub stories: usize,
    /// Records of stories merged into others, past retention.
    pub merges: usize,
    /// Learned-boilerplate paragraphs no longer seen, or least recently seen beyond the cap.
    pub paragraphs: usize,
}

impl Pruned {
    pub fn is_empty(&self) -> bool {
        *self == Pruned::default()
    }

    pub fn add(&mut self, other: Pruned) {
        self.articles += other.articles;
        self.alerts += other.alerts;
        self.stories += other.stories;
        self.merges += other.merges;
        self.paragraphs += other.paragraphs;
    }
}

/// A stored article with what a watch and an alert need.
#[derive(Debug, Clone)]
pub struct StoredText {
    pub article: StoredArticle,
    pub feed_url: String,
    pub outlet: String,
    pub entry_key: String,
    pub url: Option<String>,
    pub title: String,
    pub body: String,
    pub lang: Option<String>,
    pub published_at: Option<String>,
}

/// What the `/metrics` gauges show of the storage, read beside the writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GaugeReading {
    /// The health of each feed asked about, in its order (`None` for one never polled).
    pub feeds: Vec<Option<FeedHealth>>,
    pub outbox_pending: u64,
    pub outbox_dead: u64,
    /// Alerts stored, by watch.
    pub alerts: std::collections::BTreeMap<String, u64>,
    /// The storage's size on disk.
    pub bytes: u64,
}

/// A story with activity in the period asked for.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StorySummary {
    pub id: i64,
    pub first_seen_at: String,
    pub last_seen_at: String,
    /// The title of its first article.
    pub title: String,
    pub articles: u64,
    /// Outlets in the order they published it.
    pub outlets: Vec<String>,
    /// Watches that matched any of its articles.
    pub watches: Vec<String>,
}

/// An alert with what became of it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertSummary {
    pub id: String,
    pub watch: String,
    pub severity: String,
    pub raised_at: String,
    pub story: i64,
    pub title: String,
    pub url: Option<String>,
    pub outlet: String,
    /// Outlets whose later articles of the story were recorded against this alert.
    pub also_reported_by: Vec<String>,
    pub deliveries: Vec<DeliverySummary>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DeliverySummary {
    pub sink: String,
    /// `pending`, `delivered` or `dead`.
    pub state: String,
    pub attempts: u32,
    pub last_error: Option<String>,
}

/// Totals, per outlet counts, size and age of the data.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Stats {
    /// A SQLite file's path, or a PostgreSQL URL without its password.
    pub database: String,
    /// SQLite: the database file and its write-ahead log; PostgreSQL: the server's size of
    /// the whole database (`pg_database_size`).
    pub size_bytes: u64,
    pub feeds: u64,
    pub articles: u64,
    pub stories: u64,
    pub matches: u64,
    pub alerts: u64,
    pub deliveries_pending: u64,
    pub deliveries_delivered: u64,
    pub deliveries_dead: u64,
    pub oldest_article: Option<String>,
    pub newest_article: Option<String>,
    pub outlets: Vec<OutletStats>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OutletStats {
    pub outlet: String,
    pub articles: u64,
    pub last_fetched: Option<String>,
}

/// One stored article as the API reads it, with its matches by watch.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ArticleDetail {
    pub id: i64,
    pub title: String,
    pub url: Option<String>,
    pub outlet: String,
    /// RFC 3339 in the offset the source wrote, when it said.
    pub published_at: Option<String>,
    pub fetched_at: String,
    pub lang: Option<String>,
    /// The clean text, paragraphs separated by blank lines.
    pub body: String,
    pub story: i64,
    /// Each watch's matches, as `raqib match` gives them.
    pub matches: std::collections::BTreeMap<String, Vec<Match>>,
}

/// An article of a story, as a story lists it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoryArticle {
    pub id: i64,
    pub title: String,
    pub url: Option<String>,
    pub outlet: String,
    pub published_at: Option<String>,
    pub fetched_at: String,
    pub lang: Option<String>,
}

/// A story with its articles in the order outlets published them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StoryDetail {
    pub id: i64,
    pub title: String,
    pub first_seen_at: String,
    pub articles: Vec<StoryArticle>,
}

impl StoryDetail {
    /// Put `articles` in the order their outlets published them: publication time (fetch
    /// time when unknown), compared as instants whatever offset each source wrote, then id.
    pub fn in_publication_order(mut articles: Vec<StoryArticle>) -> Vec<StoryArticle> {
        let when = |a: &StoryArticle| {
            a.published_at
                .as_deref()
                .or(Some(a.fetched_at.as_str()))
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
        };
        articles.sort_by_key(|a| (when(a), a.id));
        articles
    }
}

/// An alert as a watch's Atom feed shows it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AlertEntry {
    /// The alert's stable id.
    pub id: String,
    pub raised_at: String,
    pub article: i64,
    pub title: String,
    pub url: Option<String>,
    pub outlet: String,
    /// Around the watch's first match in the article, the match between `**`.
    pub snippet: Option<String>,
}
