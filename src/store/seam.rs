//! The seam between the daemon and its storage: what the pipeline (and `raqib rescan`) asks
//! of a backend, per concern, as async calls on a shared `&self`; the read side the daemon
//! needs is [`Gauges`], the one the archive commands list is [`Listings`].
//!
//! A backend decides how it serialises writes: SQLite behind one writer connection
//! ([`super::Sqlite`]), a server database through a pool. What every backend guarantees, whatever
//! the timing of the callers:
//! - one article per entry of a feed and one per URL (as [`crate::feed::article_url`] writes
//!   it), decided inside the write that stores it: a second copy writes nothing;
//! - an article is stored with its story, matches, alerts and deliveries, all or nothing;
//! - alerts unique per (watch, article), and placed by [`crate::alert::policy::place`];
//! - a claimed delivery is attempted by its claimant alone until the claim expires.
//!
//! Arguments are owned: a backend may move them to another thread.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{
    AlertEntry, AlertSummary, ArticleDetail, ClaimLimits, Claimed, FeedHealth, FeedState,
    GaugeReading, Inserted, NewArticle, PageRetry, PollRecord, Pruned, Result, RetriedPage, Stats,
    StoredArticle, StoredText, StoryDetail, StorySummary,
};
use crate::alert::NewAlert;
use crate::alert::dispatch::Decision;
use crate::extract::learned::Seen;
use crate::fetch::politeness::HostTurns;
use crate::watch::Match;

/// Feed rows: their state between polls, the outcomes of polls, their health.
pub trait Feeds {
    /// Make sure a feed has a row, its outlet named `outlet` (outlet names may change in the
    /// config), and return it.
    fn sync_feed(
        &self,
        url: String,
        outlet: String,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<FeedState>> + Send;

    /// Make sure a feed whose outlet the config does not name has a row and return it: its
    /// outlet is the feed's own title once one was read, else `host`.
    fn sync_unnamed_feed(
        &self,
        url: String,
        host: String,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<FeedState>> + Send;

    /// The feed's own title as just read (`None`: it has none), and the outlet name it gives.
    fn record_feed_title(
        &self,
        feed_id: i64,
        title: Option<String>,
        outlet: String,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Which of `keys` (entry keys of the feed) or `urls` (through any feed) are stored.
    fn known_entries(
        &self,
        feed_id: i64,
        keys: Vec<String>,
        urls: Vec<String>,
    ) -> impl Future<Output = Result<HashSet<String>>> + Send;

    fn record_poll_success(
        &self,
        feed_id: i64,
        record: PollRecord,
        now: DateTime<Utc>,
        next_due: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    fn record_poll_failure(
        &self,
        feed_id: i64,
        error: String,
        now: DateTime<Utc>,
        next_due: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Whether the outlet's extraction rule matched a page of the feed.
    fn record_rule_outcome(
        &self,
        feed_id: i64,
        matched: bool,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Health of the feed at `url`, `None` if it was never polled.
    fn feed_health(
        &self,
        url: String,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<FeedHealth>>> + Send;

    /// Hold the feed at `url` for one poll by this process, for `lease` from `now`: false when
    /// it is not due by `now` or another process sharing the storage holds it. A backend one
    /// process owns always gives it.
    fn take_feed(
        &self,
        url: String,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Hold the feed at `url` for one poll by this process whatever its next due time
    /// (`raqib run --once`), for `lease` from `now`: false when another process sharing the
    /// storage holds it. A backend one process owns always gives it.
    fn hold_feed(
        &self,
        url: String,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Keep holding the feed at `url` while its poll runs; false when it was lost (its lease
    /// ended and another process took it): the poll must stop.
    fn renew_feed(
        &self,
        url: String,
        now: DateTime<Utc>,
        lease: Duration,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// The poll of the feed at `url` is over: others may take it when it is next due.
    fn release_feed(&self, url: String) -> impl Future<Output = Result<()>> + Send;

    /// Claim for this process's poll, for `lease`, the article pages at `urls` (as
    /// [`crate::feed::article_url`] writes them) that no other process sharing the storage is
    /// fetching: the ones it got. A backend one process owns gives them all.
    fn claim_pages(
        &self,
        urls: Vec<String>,
        _lease: Duration,
    ) -> impl Future<Output = Result<HashSet<String>>> + Send {
        async move { Ok(urls.into_iter().collect()) }
    }

    /// The pages at `urls` are stored, or given up: others may fetch them again.
    fn release_pages(&self, _urls: Vec<String>) -> impl Future<Output = Result<()>> + Send {
        async { Ok(()) }
    }

    /// Turns at hosts shared with the other processes of this storage, so that the politeness
    /// delay holds across them; `None` for a backend one process owns.
    fn host_turns(&self) -> Option<Arc<dyn HostTurns>> {
        None
    }
}

/// Articles with their stories, matches and alerts; pages fetched again; learned boilerplate.
pub trait Articles {
    /// Store an article with its story, matches, alerts and deliveries, all or nothing.
    /// `alerts` builds the alerts once the article's ids and the other outlets of its story
    /// are known. `None` when the entry or its URL was already stored: nothing is written.
    fn insert_article(
        &self,
        article: NewArticle,
        now: DateTime<Utc>,
        story_window: Duration,
        alerts: impl FnOnce(StoredArticle, &[String]) -> Vec<NewAlert> + Send + 'static,
    ) -> impl Future<Output = Result<Option<Inserted>>> + Send;

    /// The outlets, other than the article's own, that published articles of its story.
    fn story_outlets(
        &self,
        article: StoredArticle,
    ) -> impl Future<Output = Result<Vec<String>>> + Send;

    /// The feed's articles stored with its summary whose page is due to be fetched again.
    fn pages_to_retry(
        &self,
        feed_id: i64,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<PageRetry>>> + Send;

    /// The page failed again: try at `retry_at`, or never when `None`.
    fn page_retry_failed(
        &self,
        retry: PageRetry,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The page arrived: its body, matches and new alerts replace the summary's, all or
    /// nothing. Returns how many alerts were new.
    fn complete_page(
        &self,
        retry: PageRetry,
        page: RetriedPage,
        alerts: Vec<NewAlert>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize>> + Send;

    /// What `outlet`'s articles so far say about each of `fingerprints` still remembered.
    fn learned_records(
        &self,
        outlet: String,
        fingerprints: Vec<i64>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<HashMap<i64, Seen>>> + Send;

    /// Up to `limit` articles with ids above `after`, fetched at or after `since`, by id.
    fn articles_after(
        &self,
        after: i64,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<StoredText>>> + Send;

    /// Replace `watch`'s matches on `article` with `matches`, and raise `alert` unless the
    /// article has one of that watch already, all or nothing. True when the alert was new.
    fn replace_matches(
        &self,
        article: StoredArticle,
        watch: String,
        matches: Vec<Match>,
        alert: Option<NewAlert>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// How many stored matches `watch` has on article `article_id`.
    fn match_count(
        &self,
        article_id: i64,
        watch: String,
    ) -> impl Future<Output = Result<u64>> + Send;
}

/// The deliveries of alerts to sinks.
pub trait Outbox {
    /// Claim the deliveries due at `now` for `claim` until `until` (a digest with every row of
    /// its period); rows another claim holds are skipped.
    fn claim_deliveries(
        &self,
        claim: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limits: ClaimLimits,
    ) -> impl Future<Output = Result<Claimed>> + Send;

    /// Extend `claim` to `until`; returns the rows it holds.
    fn renew_claim(
        &self,
        claim: i64,
        until: DateTime<Utc>,
    ) -> impl Future<Output = Result<usize>> + Send;

    /// Record what each attempted delivery came to, and drop its claim.
    fn record_attempts(
        &self,
        outcomes: Vec<(i64, Decision)>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Deliveries still to make.
    fn pending_deliveries(&self) -> impl Future<Output = Result<u64>> + Send;
}

/// Upkeep: pruning, and proof that the storage takes writes.
pub trait Maintenance {
    /// One batch of pruning of what is past its retention.
    fn prune(
        &self,
        now: DateTime<Utc>,
        retention: Duration,
        alert_retention: Duration,
        batch: usize,
    ) -> impl Future<Output = Result<Pruned>> + Send;

    /// A real write, which health checks and the watchdog count on.
    fn probe_write(&self, now: DateTime<Utc>) -> impl Future<Output = Result<()>> + Send;

    /// After a write found the disk full: whether there is room for more than a probe (a
    /// tiny write may fit while an article does not).
    fn has_room(&self) -> bool;
}

/// The read side the daemon needs: its `/metrics` gauges, read beside the writes, never
/// waiting for them.
pub trait Gauges {
    /// The gauges, with the health of the feeds at `urls`.
    fn gauges(
        &self,
        urls: Vec<String>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<GaugeReading>> + Send;
}

/// What the archive commands (`feeds`, `stories`, `alerts`, `stats`) list, the same on every
/// backend: SQLite's read-only [`super::Reader`] beside the writer, or a PostgreSQL database
/// opened without migrating it. A command waits for each answer before it prints, so these
/// futures need not be `Send` (the SQLite reader answers on the calling thread).
pub trait Listings {
    /// The health of each feed at `urls`, in their order (`None` for one never polled).
    fn feed_healths(
        &self,
        urls: Vec<String>,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Option<FeedHealth>>>>;

    /// Stories that gained an article since `since`, the most recent first.
    fn stories_since(
        &self,
        since: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<StorySummary>>>;

    /// Alerts raised since `since` (of `watch` alone, if given), the most recent first.
    fn alerts_since(
        &self,
        since: DateTime<Utc>,
        watch: Option<String>,
    ) -> impl Future<Output = Result<Vec<AlertSummary>>>;

    /// Totals, per outlet counts, size and age of the data.
    fn stats(&self) -> impl Future<Output = Result<Stats>>;

    /// The article `id` with its matches by watch; `None` when there is none.
    fn article(&self, id: i64) -> impl Future<Output = Result<Option<ArticleDetail>>>;

    /// The story `id` with its articles in the order outlets published them; `None` when
    /// there is none.
    fn story(&self, id: i64) -> impl Future<Output = Result<Option<StoryDetail>>>;

    /// `watch`'s latest `limit` alerts, the most recent first, each with its snippet.
    fn alert_entries(
        &self,
        watch: String,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<AlertEntry>>>;
}

/// A backend: every concern of the seam, shareable between the daemon's tasks.
pub trait Storage:
    Feeds + Articles + Outbox + Maintenance + Gauges + Send + Sync + 'static
{
}

impl<T: Feeds + Articles + Outbox + Maintenance + Gauges + Send + Sync + 'static> Storage for T {}
