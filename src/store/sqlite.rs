//! The seam on SQLite: one [`Store`] (the single writer) behind a mutex, used from blocking
//! tasks since SQLite calls block; article writes queued while the writer is busy share one
//! transaction (group commit).

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::seam::{Articles, Feeds, Gauges, Maintenance, Outbox};
use super::{
    ClaimLimits, Claimed, FeedHealth, FeedState, GaugeReading, Inserted, NewArticle, PageRetry,
    PollRecord, Pruned, Reader, Result, RetriedPage, Store, StoreError, StoredArticle, StoredText,
};
use crate::alert::NewAlert;
use crate::alert::dispatch::Decision;
use crate::extract::learned::Seen;
use crate::watch::Match;

/// Room the database's file system needs before writes resume after a full disk: a few
/// write-ahead log checkpoints' worth.
const RESUME_FREE_BYTES: u64 = 8 << 20;

/// A write waiting for the next batch: it runs on the store (or not at all, when the batch
/// could not begin) and hands back how to tell its caller once the batch's commit succeeded
/// or failed.
type Queued = Box<dyn FnOnce(Option<&mut Store>) -> Reply + Send>;
type Reply = Box<dyn FnOnce(std::result::Result<(), &StoreError>) + Send>;

/// The SQLite backend.
pub struct Sqlite {
    path: PathBuf,
    store: Arc<Mutex<Store>>,
    /// Article writes waiting for the writer; whoever gets the writer next commits them all.
    queued: Arc<Mutex<Vec<Queued>>>,
    /// The gauges' read-only connection, beside the writer; opened again after a failure.
    reader: Arc<Mutex<Option<Reader>>>,
}

impl Sqlite {
    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path) -> Result<Sqlite> {
        Ok(Sqlite {
            path: path.to_path_buf(),
            store: Arc::new(Mutex::new(Store::open(path)?)),
            queued: Arc::default(),
            reader: Arc::default(),
        })
    }

    /// Run `f` on the store in a blocking task.
    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let store = Arc::clone(&self.store);
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock cannot leave SQLite half-written (transactions roll
            // back), so a poisoned lock is safe to keep using.
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .unwrap_or_else(|join| Err(StoreError::Task(join.to_string())))
    }

    /// Run `f` on the store with the other writes queued meanwhile, in one transaction: under
    /// load the articles of many polls share a commit. The result comes once the commit is
    /// done; a failed commit fails every write in it.
    async fn run_batched<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let queued: Queued = Box::new(move |store: Option<&mut Store>| {
            let result = store.map(f);
            Box::new(move |committed| {
                let _ = tx.send(match (committed, result) {
                    (Ok(()), Some(result)) => result,
                    (Err(err), _) => Err(err.duplicate()),
                    (Ok(()), None) => Err(StoreError::Task("a write was skipped".into())),
                });
            })
        });
        self.queued
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(queued);
        let (store, queue) = (Arc::clone(&self.store), Arc::clone(&self.queued));
        let written = tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            let mut batch = std::mem::take(&mut *queue.lock().unwrap_or_else(|p| p.into_inner()));
            if batch.is_empty() {
                // An earlier task took this write into its batch.
                return;
            }
            let mut replies = Vec::with_capacity(batch.len());
            let committed = guard.batch(|store| {
                for write in batch.drain(..) {
                    replies.push(write(Some(&mut *store)));
                }
            });
            // Left when the batch could not even begin (the database locked, the disk full).
            replies.extend(batch.into_iter().map(|write| write(None)));
            for reply in replies {
                reply(committed.as_ref().map(|_| ()));
            }
        })
        .await;
        match written {
            Ok(()) => rx
                .await
                .unwrap_or_else(|_| Err(StoreError::Task("a batch of writes was lost".into()))),
            Err(join) => Err(StoreError::Task(join.to_string())),
        }
    }
}

impl Feeds for Sqlite {
    async fn sync_feed(
        &self,
        url: String,
        outlet: String,
        now: DateTime<Utc>,
    ) -> Result<FeedState> {
        self.run(move |s| s.sync_feed(&url, &outlet, now)).await
    }

    async fn sync_unnamed_feed(
        &self,
        url: String,
        host: String,
        now: DateTime<Utc>,
    ) -> Result<FeedState> {
        self.run(move |s| s.sync_unnamed_feed(&url, &host, now))
            .await
    }

    async fn record_feed_title(
        &self,
        feed_id: i64,
        title: Option<String>,
        outlet: String,
    ) -> Result<()> {
        self.run(move |s| s.record_feed_title(feed_id, title.as_deref(), &outlet))
            .await
    }

    async fn known_entries(
        &self,
        feed_id: i64,
        keys: Vec<String>,
        urls: Vec<String>,
    ) -> Result<HashSet<String>> {
        self.run(move |s| {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
            s.known_entries(feed_id, &keys, &urls)
        })
        .await
    }

    async fn record_poll_success(
        &self,
        feed_id: i64,
        record: PollRecord,
        now: DateTime<Utc>,
        next_due: DateTime<Utc>,
    ) -> Result<()> {
        self.run(move |s| s.record_poll_success(feed_id, &record, now, next_due))
            .await
    }

    async fn record_poll_failure(
        &self,
        feed_id: i64,
        error: String,
        now: DateTime<Utc>,
        next_due: DateTime<Utc>,
    ) -> Result<()> {
        self.run(move |s| s.record_poll_failure(feed_id, &error, now, next_due))
            .await
    }

    async fn record_rule_outcome(
        &self,
        feed_id: i64,
        matched: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.run(move |s| s.record_rule_outcome(feed_id, matched, now))
            .await
    }

    async fn feed_health(&self, url: String, now: DateTime<Utc>) -> Result<Option<FeedHealth>> {
        self.run(move |s| s.feed_health(&url, now)).await
    }

    /// One process writes a SQLite file: its feeds are its own.
    async fn take_feed(&self, _url: String, _now: DateTime<Utc>, _lease: Duration) -> Result<bool> {
        Ok(true)
    }

    async fn hold_feed(&self, _url: String, _now: DateTime<Utc>, _lease: Duration) -> Result<bool> {
        Ok(true)
    }

    async fn renew_feed(
        &self,
        _url: String,
        _now: DateTime<Utc>,
        _lease: Duration,
    ) -> Result<bool> {
        Ok(true)
    }

    async fn release_feed(&self, _url: String) -> Result<()> {
        Ok(())
    }
}

impl Articles for Sqlite {
    async fn insert_article(
        &self,
        article: NewArticle,
        now: DateTime<Utc>,
        story_window: Duration,
        alerts: impl FnOnce(StoredArticle, &[String]) -> Vec<NewAlert> + Send + 'static,
    ) -> Result<Option<Inserted>> {
        self.run_batched(move |s| s.insert_article(&article, now, story_window, alerts))
            .await
    }

    async fn story_outlets(&self, article: StoredArticle) -> Result<Vec<String>> {
        self.run(move |s| s.story_outlets(article)).await
    }

    async fn pages_to_retry(
        &self,
        feed_id: i64,
        now: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<PageRetry>> {
        self.run(move |s| s.pages_to_retry(feed_id, now, limit))
            .await
    }

    async fn page_retry_failed(
        &self,
        retry: PageRetry,
        error: String,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.run(move |s| s.page_retry_failed(&retry, &error, retry_at))
            .await
    }

    async fn complete_page(
        &self,
        retry: PageRetry,
        page: RetriedPage,
        alerts: Vec<NewAlert>,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        self.run(move |s| s.complete_page(&retry, &page, alerts, now))
            .await
    }

    async fn learned_records(
        &self,
        outlet: String,
        fingerprints: Vec<i64>,
        now: DateTime<Utc>,
    ) -> Result<HashMap<i64, Seen>> {
        self.run(move |s| s.learned_records(&outlet, &fingerprints, now))
            .await
    }

    async fn articles_after(
        &self,
        after: i64,
        since: Option<DateTime<Utc>>,
        limit: usize,
    ) -> Result<Vec<StoredText>> {
        self.run(move |s| s.articles_after(after, since, limit))
            .await
    }

    async fn replace_matches(
        &self,
        article: StoredArticle,
        watch: String,
        matches: Vec<Match>,
        alert: Option<NewAlert>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.run(move |s| s.replace_matches(article, &watch, &matches, alert, now))
            .await
    }

    async fn match_count(&self, article_id: i64, watch: String) -> Result<u64> {
        self.run(move |s| s.match_count(article_id, &watch)).await
    }
}

impl Outbox for Sqlite {
    async fn claim_deliveries(
        &self,
        claim: i64,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        limits: ClaimLimits,
    ) -> Result<Claimed> {
        self.run(move |s| s.claim_deliveries(claim, now, until, limits))
            .await
    }

    async fn renew_claim(&self, claim: i64, until: DateTime<Utc>) -> Result<usize> {
        self.run(move |s| s.renew_claim(claim, until)).await
    }

    async fn record_attempts(
        &self,
        outcomes: Vec<(i64, Decision)>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.run(move |s| s.record_attempts(&outcomes, now)).await
    }

    async fn pending_deliveries(&self) -> Result<u64> {
        self.run(|s| s.pending_deliveries()).await
    }
}

impl Maintenance for Sqlite {
    async fn prune(
        &self,
        now: DateTime<Utc>,
        retention: Duration,
        alert_retention: Duration,
        batch: usize,
    ) -> Result<Pruned> {
        self.run(move |s| s.prune(now, retention, alert_retention, batch))
            .await
    }

    async fn probe_write(&self, now: DateTime<Utc>) -> Result<()> {
        self.run(move |s| s.probe_write(now)).await
    }

    fn has_room(&self) -> bool {
        free_bytes(&self.path).is_none_or(|free| free >= RESUME_FREE_BYTES)
    }
}

impl Gauges for Sqlite {
    async fn gauges(&self, urls: Vec<String>, now: DateTime<Utc>) -> Result<GaugeReading> {
        let (path, reader) = (self.path.clone(), Arc::clone(&self.reader));
        tokio::task::spawn_blocking(move || {
            let mut kept = reader.lock().unwrap_or_else(|p| p.into_inner());
            let open = match kept.take() {
                Some(open) => open,
                None => Reader::open(&path)?,
            };
            let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
            let reading = open.gauges(&urls, now)?;
            *kept = Some(open);
            Ok(reading)
        })
        .await
        .unwrap_or_else(|join| Err(StoreError::Task(join.to_string())))
    }
}

/// Bytes available to raqib on the file system holding `database`; None when unknown.
fn free_bytes(database: &Path) -> Option<u64> {
    let dir = match database.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let stats = rustix::fs::statvfs(dir).ok()?;
    Some(stats.f_bavail.saturating_mul(stats.f_frsize))
}
