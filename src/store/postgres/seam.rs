//! The seam on PostgreSQL: every call one of the async functions of this module over the pool;
//! what SQLite's single writer serialises, the database enforces here (see each function).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Pool;
use crate::alert::NewAlert;
use crate::alert::dispatch::Decision;
use crate::extract::learned::Seen;
use crate::fetch::politeness::HostTurns;
use crate::store::seam::{Articles, Feeds, Gauges, Listings, Maintenance, Outbox};
use crate::store::{
    AlertEntry, AlertSummary, ArticleDetail, ClaimLimits, Claimed, FeedHealth, FeedState,
    GaugeReading, Inserted, NewArticle, PageRetry, PollRecord, Pruned, Result, RetriedPage, Stats,
    StoredArticle, StoredText, StoryDetail, StorySummary,
};
use crate::watch::Match;

/// The PostgreSQL backend: a pool of connections to one migrated database, and the feed
/// leases this process holds there.
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    /// Whom this process's leases name: drawn at connect, so a restarted process never
    /// renews what its previous life held.
    owner: String,
    /// The ids of the feeds leased now, by URL, and of those whose release failed (the
    /// server out of reach), given up before they are taken again.
    leased: Arc<Mutex<HashMap<String, i64>>>,
}

impl Postgres {
    /// Connect to the database `url` names (with `password` when the URL carries none) with at
    /// most `connections` at once, and migrate it.
    pub async fn connect(
        url: &str,
        password: Option<&str>,
        connections: usize,
    ) -> super::Result<Postgres> {
        let pool = Pool::connect(url, password, connections).await?;
        super::migrate(&pool).await?;
        Ok(Postgres::on(pool))
    }

    /// Connect to the database `url` names as [`Postgres::connect`] does, without creating or
    /// migrating anything: a database this raqib cannot read as it is (never migrated, older,
    /// newer) is refused. For the commands that read the archive.
    pub async fn open(
        url: &str,
        password: Option<&str>,
        connections: usize,
    ) -> super::Result<Postgres> {
        let pool = Pool::connect(url, password, connections).await?;
        super::check_schema(&pool).await?;
        Ok(Postgres::on(pool))
    }

    fn on(pool: Pool) -> Postgres {
        Postgres {
            pool,
            owner: format!("{:016x}", fastrand::u64(..)),
            leased: Arc::default(),
        }
    }

    /// The pool, for the operations outside the seam (leases, `raqib stats`).
    pub fn pool(&self) -> &Pool {
        &self.pool
    }
}

impl Feeds for Postgres {
    async fn sync_feed(
        &self,
        url: String,
        outlet: String,
        now: DateTime<Utc>,
    ) -> Result<FeedState> {
        Ok(super::sync_feed(&self.pool, &url, &outlet, now).await?)
    }

    async fn sync_unnamed_feed(
        &self,
        url: String,
        host: String,
        now: DateTime<Utc>,
    ) -> Result<FeedState> {
        Ok(super::sync_unnamed_feed(&self.pool, &url, &host, now).await?)
    }

    async fn record_feed_title(
        &self,
        feed_id: i64,
        title: Option<String>,
        outlet: String,
    ) -> Result<()> {
        Ok(super::record_feed_title(&self.pool, feed_id, title.as_deref(), &outlet).await?)
    }

    async fn known_entries(
        &self,
        feed_id: i64,
        keys: Vec<String>,
        urls: Vec<String>,
    ) -> Result<HashSet<String>> {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        Ok(super::known_entries(&self.pool, feed_id, &keys, &urls).await?)
    }

    async fn record_poll_success(
        &self,
        feed_id: i64,
        record: PollRecord,
        now: DateTime<Utc>,
        next_due: DateTime<Utc>,
    ) -> Result<()> {
        Ok(super::record_poll_success(&self.pool, feed_id, &record, now, next_due).await?)
    }

    async fn record_poll_failure(
        &self,
        feed_id: i64,
        error: String,
        now: DateTime<Utc>,
        next_due: DateTime<Utc>,
    ) -> Result<()> {
        Ok(super::record_poll_failure(&self.pool, feed_id, &error, now, next_due).await?)
    }

    async fn record_rule_outcome(
        &self,
        feed_id: i64,
        matched: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Ok(super::record_rule_outcome(&self.pool, feed_id, matched, now).await?)
    }

    async fn feed_health(&self, url: String, now: DateTime<Utc>) -> Result<Option<FeedHealth>> {
        Ok(super::feed_health(&self.pool, &url, now).await?)
    }

    async fn take_feed(&self, url: String, now: DateTime<Utc>, lease: Duration) -> Result<bool> {
        self.release_unreleased(&url).await?;
        let taken = super::claim_due_feeds(&self.pool, &self.owner, &[&url], now, lease, 1).await?;
        Ok(self.keep(url, taken))
    }

    async fn hold_feed(&self, url: String, now: DateTime<Utc>, lease: Duration) -> Result<bool> {
        self.release_unreleased(&url).await?;
        let taken = super::claim_feed(&self.pool, &self.owner, &url, now, lease).await?;
        Ok(self.keep(url, taken.into_iter().collect()))
    }

    async fn renew_feed(&self, url: String, now: DateTime<Utc>, lease: Duration) -> Result<bool> {
        let Some(id) = self.held().get(&url).copied() else {
            return Ok(false);
        };
        let renewed = super::renew_leases(&self.pool, &self.owner, &[id], now, lease).await?;
        Ok(renewed.contains(&id))
    }

    async fn release_feed(&self, url: String) -> Result<()> {
        let Some(id) = self.held().get(&url).copied() else {
            return Ok(());
        };
        // Kept in the map when this fails: the lease is still this process's until it ends,
        // and `take_feed` gives it up first rather than wait for its end.
        super::release_lease(&self.pool, &self.owner, id).await?;
        self.held().remove(&url);
        Ok(())
    }

    async fn claim_pages(&self, urls: Vec<String>, lease: Duration) -> Result<HashSet<String>> {
        Ok(super::page_claims::claim_pages(&self.pool, &urls, lease).await?)
    }

    async fn release_pages(&self, urls: Vec<String>) -> Result<()> {
        Ok(super::page_claims::release_pages(&self.pool, &urls).await?)
    }

    fn host_turns(&self) -> Option<Arc<dyn HostTurns>> {
        Some(Arc::new(super::turns::SharedTurns {
            pool: self.pool.clone(),
        }))
    }
}

impl Postgres {
    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<String, i64>> {
        // A map of ids cannot be left half-written by a panic.
        self.leased.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Give up a lease on `url` left from a poll whose release failed: one feed task polls
    /// a feed at a time in this process, so none of its polls holds it now.
    async fn release_unreleased(&self, url: &str) -> Result<()> {
        let Some(id) = self.held().get(url).copied() else {
            return Ok(());
        };
        super::release_lease(&self.pool, &self.owner, id).await?;
        self.held().remove(url);
        Ok(())
    }

    /// Note the feed taken, if it was; whether it was.
    fn keep(&self, url: String, taken: Vec<super::LeasedFeed>) -> bool {
        let Some(feed) = taken.into_iter().next() else {
            return false;
        };
        self.held().insert(url, feed.id);
        true
    }
}

impl Articles for Postgres {
    async fn insert_article(
        &self,
        article: NewArticle,
        now: DateTime<Utc>,
        story_window: Duration,
        alerts: impl FnOnce(StoredArticle, &[String]) -> Vec<NewAlert> + Send + 'static,
    ) -> Result<Option<Inserted>> {
        Ok(super::insert_article(&self.pool, &article, now, story_window, alerts).await?)
    }

    async fn story_outlets(&self, article: StoredArticle) -> Result<Vec<String>> {
        Ok(super::story_outlets(&self.pool, article).await?)
    }

    async fn pages_to_retry(
        &self,
        feed_id: i64,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<PageRetry>> {
        Ok(super::pages_to_retry(&self.pool, feed_id, now, limit).await?)
    }

    async fn page_retry_failed(
        &self,
        retry: PageRetry,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        Ok(super::page_retry_failed(&self.pool, &retry, &error, retry_at).await?)
    }

    async fn complete_page(
        &self,
        retry: PageRetry,
        page: RetriedPage,
        alerts: Vec<NewAlert>,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        Ok(super::complete_page(&self.pool, &retry, &page, alerts, now).await?)
    }

    async fn learned_records(
        &self,
        outlet: String,
        fingerprints: Vec<i64>,
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, Seen>> {
        Ok(super::learned_records(&self.pool, &outlet, &fingerprints, now).await?)
    }

    async fn articles_after(
        &self,
        after: i64,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<StoredText>> {
        Ok(super::articles_after(&self.pool, after, since, limit).await?)
    }

    async fn replace_matches(
        &self,
        article: StoredArticle,
        watch: String,
        matches: Vec<Match>,
        alert: Option<NewAlert>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        Ok(super::replace_matches(&self.pool, article, &watch, &matches, alert, now).await?)
    }

    async fn match_count(&self, article_id: i64, watch: String) -> Result<u64> {
        Ok(super::match_count(&self.pool, article_id, &watch).await?)
    }
}

impl Outbox for Postgres {
    async fn claim_deliveries(
        &self,
        claim: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limits: ClaimLimits,
    ) -> Result<Claimed> {
        Ok(super::claim_deliveries(&self.pool, claim, now, until, limits).await?)
    }

    async fn renew_claim(&self, claim: i64, until: DateTime<Utc>) -> Result<usize> {
        Ok(super::renew_claim(&self.pool, claim, until).await?)
    }

    async fn record_attempts(
        &self,
        outcomes: Vec<(i64, Decision)>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        Ok(super::record_attempts(&self.pool, &outcomes, now).await?)
    }

    async fn pending_deliveries(&self) -> Result<u64> {
        Ok(super::pending_deliveries(&self.pool).await?)
    }
}

impl Maintenance for Postgres {
    async fn prune(
        &self,
        now: DateTime<Utc>,
        retention: Duration,
        alert_retention: Duration,
        batch: usize,
    ) -> Result<Pruned> {
        Ok(super::prune(&self.pool, now, retention, alert_retention, batch).await?)
    }

    async fn probe_write(&self, now: DateTime<Utc>) -> Result<()> {
        Ok(super::probe_write(&self.pool, now).await?)
    }

    /// The server's disk is not ours to measure: writes resume when a probe goes through.
    fn has_room(&self) -> bool {
        true
    }
}

impl Gauges for Postgres {
    async fn gauges(&self, urls: Vec<String>, now: DateTime<Utc>) -> Result<GaugeReading> {
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        let feeds = super::feed_healths(&self.pool, &urls, now).await?;
        let (outbox_pending, outbox_dead) = super::outbox_counts(&self.pool).await?;
        Ok(GaugeReading {
            feeds,
            outbox_pending,
            outbox_dead,
            alerts: super::alerts_by_watch(&self.pool).await?,
            bytes: super::database_size(&self.pool).await?,
        })
    }
}

impl Listings for Postgres {
    async fn feed_healths(
        &self,
        urls: Vec<String>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Option<FeedHealth>>> {
        let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
        Ok(super::feed_healths(&self.pool, &urls, now).await?)
    }

    async fn stories_since(&self, since: DateTime<Utc>) -> Result<Vec<StorySummary>> {
        Ok(super::stories_since(&self.pool, since).await?)
    }

    async fn alerts_since(
        &self,
        since: DateTime<Utc>,
        watch: Option<String>,
    ) -> Result<Vec<AlertSummary>> {
        Ok(super::alerts_since(&self.pool, since, watch.as_deref()).await?)
    }

    async fn stats(&self) -> Result<Stats> {
        Ok(super::stats(&self.pool).await?)
    }

    async fn article(&self, id: i64) -> Result<Option<ArticleDetail>> {
        Ok(super::article(&self.pool, id).await?)
    }

    async fn story(&self, id: i64) -> Result<Option<StoryDetail>> {
        Ok(super::story(&self.pool, id).await?)
    }

    async fn alert_entries(&self, watch: String, limit: usize) -> Result<Vec<AlertEntry>> {
        Ok(super::alert_entries(&self.pool, &watch, limit).await?)
    }
}
