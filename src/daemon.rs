//! The daemon: the only module that wires tasks, timers, channels and signals.
//!
//! Each feed has a task that sleeps until its feed is due, polls it, and schedules the next
//! poll ([`crate::schedule`]). A poll fetches the feed, parses it, and takes every entry not yet
//! stored through page fetch, extraction, matching and storage ([`Pipeline::poll`]). A
//! dispatcher task delivers the outbox. SIGTERM or SIGINT stops new work, lets work in flight
//! finish for a grace period, delivers what is due and exits.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::{Notify, Semaphore, watch};
use tokio::task::JoinSet;

use crate::alert::dispatch::{self, Dispatched};
use crate::alert::sink::Sink;
use crate::alert::{self, AlertArticle};
use crate::config::{Config, Feed};
use crate::extract;
use crate::feed::{self, Entry};
use crate::fetch::{self, Fetcher, Outcome};
use crate::schedule;
use crate::store::{self, BodySource, NewAlert, NewArticle, Store, StoreError};
use crate::story;
use crate::watch::{WatchError, Watchlist};

/// Articles whose story is looked for among those fetched this long ago.
const STORY_WINDOW: Duration = Duration::from_secs(48 * 3600);
/// Entries of one feed processed at the same time.
const ENTRY_CONCURRENCY: usize = 4;
/// How long work in flight may finish after a stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How often the dispatcher looks for deliveries due for a retry.
const DISPATCH_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    #[error("a background task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
    #[error("cannot listen for signals: {0}")]
    Signal(std::io::Error),
}

/// Why one poll of a feed failed.
#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    #[error("{url}: {source}")]
    Parse {
        url: String,
        source: feed::FeedError,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a pipeline task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// What one poll of one feed did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Polled {
    pub entries: usize,
    pub new_articles: usize,
    pub alerts: usize,
    pub not_modified: bool,
}

/// What `run --once` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OnceReport {
    pub feeds_ok: usize,
    pub feeds_failed: usize,
    pub new_articles: usize,
    pub alerts: usize,
    pub delivered: usize,
    pub delivery_failures: usize,
}

/// Everything a poll needs, shared by all feed tasks.
pub struct Pipeline {
    config: Config,
    store: Arc<Mutex<Store>>,
    fetcher: Fetcher,
    watchlist: Watchlist,
    sinks: Vec<Sink>,
    http_slots: Semaphore,
    alerts_raised: Notify,
}

impl Pipeline {
    /// Open the database, compile the watchlists, build the HTTP client.
    pub fn new(config: Config) -> Result<Pipeline, DaemonError> {
        let store = Store::open(&config.daemon.database)?;
        let watchlist = Watchlist::compile(&config.watches)?;
        let fetcher = Fetcher::new(&config.daemon)?;
        let sinks = config.sinks.iter().map(Sink::new).collect();
        let http_slots = Semaphore::new(config.daemon.concurrency);
        Ok(Pipeline {
            config,
            store: Arc::new(Mutex::new(store)),
            fetcher,
            watchlist,
            sinks,
            http_slots,
            alerts_raised: Notify::new(),
        })
    }

    /// Run `f` on the store in a blocking task: SQLite calls block.
    async fn with_store<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
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

    async fn http_get(
        &self,
        url: &url::Url,
        validators: Option<&fetch::Validators>,
    ) -> Result<Outcome, fetch::FetchError> {
        let _slot = self.http_slots.acquire().await;
        self.fetcher.get(url, validators).await
    }

    /// Poll feed number `index` of the config once, recording the outcome; returns it with the
    /// time the feed is next due.
    pub async fn poll(&self, index: usize) -> (Result<Polled, PollError>, DateTime<Utc>) {
        let feed = &self.config.feeds[index];
        let (url, outlet) = (feed.url.to_string(), feed.outlet.clone());
        let state = match self
            .with_store(move |s| s.sync_feed(&url, &outlet, Utc::now()))
            .await
        {
            Ok(state) => state,
            Err(err) => {
                tracing::error!(feed = %feed.url, error = %err, "cannot read feed state");
                return (
                    Err(err.into()),
                    schedule::next_due(Utc::now(), feed.interval, 1, fastrand::f64()),
                );
            }
        };
        let result = self.poll_feed(feed, &state).await;
        let now = Utc::now();
        let errors = if result.is_ok() {
            0
        } else {
            state.consecutive_errors.saturating_add(1)
        };
        let next = schedule::next_due(now, feed.interval, errors, fastrand::f64());
        let feed_id = state.id;
        let recorded = match &result {
            Ok((polled, validators)) => {
                tracing::info!(feed = %feed.url, entries = polled.entries, new = polled.new_articles, alerts = polled.alerts, not_modified = polled.not_modified, next_due = %next, "polled feed");
                let validators = validators.clone();
                self.with_store(move |s| {
                    s.record_poll_success(feed_id, validators.as_ref(), now, next)
                })
                .await
            }
            Err(err) => {
                let message = err.to_string();
                tracing::warn!(feed = %feed.url, error = %message, consecutive_errors = errors, next_due = %next, "feed poll failed");
                self.with_store(move |s| s.record_poll_failure(feed_id, &message, now, next))
                    .await
            }
        };
        if let Err(err) = recorded {
            tracing::error!(feed = %feed.url, error = %err, "cannot record poll outcome");
        }
        (result.map(|(polled, _)| polled), next)
    }

    async fn poll_feed(
        &self,
        feed: &Feed,
        state: &store::FeedState,
    ) -> Result<(Polled, Option<fetch::Validators>), PollError> {
        let document = match self.http_get(&feed.url, Some(&state.validators)).await? {
            Outcome::NotModified => {
                return Ok((
                    Polled {
                        not_modified: true,
                        ..Polled::default()
                    },
                    None,
                ));
            }
            Outcome::Fetched(document) => document,
        };
        let validators = document.validators.clone();
        let parsed =
            tokio::task::spawn_blocking(move || feed::parse(&document.text, &document.url))
                .await?
                .map_err(|source| PollError::Parse {
                    url: feed.url.to_string(),
                    source,
                })?;
        let entries = parsed.entries;
        let keys: Vec<String> = entries.iter().map(|e| e.key.clone()).collect();
        let urls: Vec<String> = entries
            .iter()
            .filter_map(|e| e.url.as_ref().map(|u| u.to_string()))
            .collect();
        let feed_id = state.id;
        let known: HashSet<String> = self
            .with_store(move |s| {
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
                s.known_entries(feed_id, &keys, &urls)
            })
            .await?;
        let mut polled = Polled {
            entries: entries.len(),
            ..Polled::default()
        };
        let fresh: Vec<Entry> = entries
            .into_iter()
            .filter(|e| {
                !known.contains(&e.key)
                    && !e.url.as_ref().is_some_and(|u| known.contains(u.as_str()))
            })
            .collect();
        let mut results = futures_util::stream::iter(fresh)
            .map(|entry| self.process_entry(feed, feed_id, entry))
            .buffer_unordered(ENTRY_CONCURRENCY);
        let mut store_failed = None;
        while let Some(result) = results.next().await {
            match result {
                Ok(Some(alerts)) => {
                    polled.new_articles += 1;
                    polled.alerts += alerts;
                }
                Ok(None) => {}
                Err(err) => store_failed = Some(err),
            }
        }
        if polled.alerts > 0 {
            self.alerts_raised.notify_one();
        }
        if let Some(err) = store_failed {
            // Keep the old validators: the next poll must see these entries again.
            return Err(err.into());
        }
        Ok((polled, Some(validators)))
    }

    /// Take one new entry through page fetch, extraction, matching and storage. Returns the
    /// number of alerts raised, or `None` when another poll stored it first.
    async fn process_entry(
        &self,
        feed: &Feed,
        feed_id: i64,
        entry: Entry,
    ) -> Result<Option<usize>, StoreError> {
        let page = match (&entry.url, feed.scrape) {
            (Some(url), true) => Some(self.fetch_article(url).await),
            _ => None,
        };
        let (page, body_error) = match page {
            Some(Ok(article)) => (Some(article), None),
            Some(Err(err)) => {
                tracing::warn!(feed = %feed.url, url = entry.url.as_ref().map(|u| u.as_str()).unwrap_or_default(), error = %err, "article page unusable; keeping the feed's summary");
                (None, Some(err))
            }
            None => (None, None),
        };
        let now = Utc::now();
        let article = self.new_article(feed, feed_id, &entry, page, body_error);
        let published = article.published_at.map(|d| d.with_timezone(&Utc));
        let alertable = published.is_none_or(|p| {
            now - p
                <= chrono::Duration::from_std(self.config.daemon.alert_max_age)
                    .unwrap_or(chrono::Duration::MAX)
        });
        let hits = self.watchlist.scan(&article.title, &article.body);
        let mut article = article;
        article.matches = hits
            .iter()
            .flat_map(|hit| {
                hit.matches
                    .iter()
                    .map(|m| (self.config.watches[hit.watch].name.clone(), m.clone()))
            })
            .collect();

        let drafts: Vec<alert::Draft> = if alertable {
            hits.iter()
                .map(|hit| {
                    let watch = &self.config.watches[hit.watch];
                    let sinks = self
                        .config
                        .sinks_of(watch)
                        .map(|s| s.name.clone())
                        .collect();
                    alert::Draft::new(watch, sinks, &feed.url, &entry.key, hit.matches.clone())
                })
                .collect()
        } else {
            Vec::new()
        };
        let shown = AlertArticle {
            id: 0,
            url: article.url.clone(),
            title: article.title.clone(),
            feed: feed.url.to_string(),
            outlet: feed.outlet.clone(),
            published_at: alert::published(article.published_at),
            lang: article.lang.clone(),
        };
        let alerts_for = move |stored: store::StoredArticle| -> Vec<NewAlert> {
            drafts
                .into_iter()
                .map(|draft| draft.finish(stored, &shown, now))
                .collect()
        };
        if !alertable && !hits.is_empty() {
            tracing::info!(feed = %feed.url, url = article.url.as_deref().unwrap_or_default(), published = ?published, "matched an entry older than alert_max_age: stored, no alert");
        }
        let alert_count = if alertable { hits.len() } else { 0 };
        let stored = self
            .with_store(move |s| s.insert_article(&article, now, STORY_WINDOW, alerts_for))
            .await?;
        Ok(stored.map(|_| alert_count))
    }

    async fn fetch_article(&self, url: &url::Url) -> Result<extract::Article, String> {
        let document = match self.http_get(url, None).await.map_err(|e| e.to_string())? {
            Outcome::Fetched(document) => document,
            Outcome::NotModified => return Err(format!("{url}: unexpected 304")),
        };
        tokio::task::spawn_blocking(move || extract::extract(&document.text, Some(&document.url)))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("{url}: {e}"))
    }

    fn new_article(
        &self,
        feed: &Feed,
        feed_id: i64,
        entry: &Entry,
        page: Option<extract::Article>,
        body_error: Option<String>,
    ) -> NewArticle {
        let url = entry.url.as_ref().map(|u| u.to_string());
        let entry_published = entry.published.map(|d| d.fixed_offset());
        match page {
            Some(page) => NewArticle {
                feed_id,
                entry_key: entry.key.clone(),
                url,
                canonical_url: page.canonical_url,
                // The feed's title is the outlet's own headline; the page's may carry the site name.
                title: if entry.title.is_empty() {
                    page.title
                } else {
                    entry.title.clone()
                },
                simhash: story::simhash(&page.body),
                body: page.body,
                body_source: BodySource::Page,
                body_error: None,
                author: page.author.or_else(|| entry.author.clone()),
                lang: page.lang.or_else(|| feed.lang.clone()),
                site_name: page.site_name,
                published_at: page.published_at.or(entry_published),
                matches: Vec::new(),
            },
            None => NewArticle {
                feed_id,
                entry_key: entry.key.clone(),
                url,
                canonical_url: None,
                title: entry.title.clone(),
                simhash: story::simhash(&entry.summary),
                lang: extract::detect_language(&format!("{} {}", entry.title, entry.summary))
                    .map(str::to_string)
                    .or_else(|| feed.lang.clone()),
                body: entry.summary.clone(),
                body_source: BodySource::Feed,
                body_error,
                author: entry.author.clone(),
                site_name: None,
                published_at: entry_published,
                matches: Vec::new(),
            },
        }
    }

    /// Deliver what is due.
    pub async fn dispatch(&self) -> Result<Dispatched, StoreError> {
        let sinks = self.sinks.clone();
        self.with_store(move |s| dispatch::dispatch_due(s, &sinks, Utc::now()))
            .await
    }
}

/// Poll every feed once, deliver the alerts raised, and report.
pub async fn run_once(config: Config) -> Result<OnceReport, DaemonError> {
    let pipeline = Pipeline::new(config)?;
    let mut report = OnceReport::default();
    let feeds = pipeline.config.feeds.len();
    let mut polls = futures_util::stream::iter(0..feeds)
        .map(|i| pipeline.poll(i))
        .buffer_unordered(pipeline.config.daemon.concurrency.max(1));
    while let Some((result, _)) = polls.next().await {
        match result {
            Ok(polled) => {
                report.feeds_ok += 1;
                report.new_articles += polled.new_articles;
                report.alerts += polled.alerts;
            }
            Err(_) => report.feeds_failed += 1,
        }
    }
    drop(polls);
    let dispatched = pipeline.dispatch().await?;
    report.delivered = dispatched.delivered;
    report.delivery_failures = dispatched.failed;
    Ok(report)
}

/// Run until SIGTERM or SIGINT.
pub async fn run(config: Config) -> Result<(), DaemonError> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate()).map_err(DaemonError::Signal)?;
    let mut interrupt = signal(SignalKind::interrupt()).map_err(DaemonError::Signal)?;
    // SIGHUP's default action would kill the daemon; until reload exists it is only reported.
    let mut hangup = signal(SignalKind::hangup()).map_err(DaemonError::Signal)?;

    let pipeline = Arc::new(Pipeline::new(config)?);
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let now = Utc::now();
    for index in 0..pipeline.config.feeds.len() {
        let feed = &pipeline.config.feeds[index];
        let (url, outlet) = (feed.url.to_string(), feed.outlet.clone());
        let state = pipeline
            .with_store(move |s| s.sync_feed(&url, &outlet, now))
            .await?;
        // Spread the first polls over a few seconds; a feed already scheduled keeps its time.
        let first = state.next_due_at.unwrap_or(now).max(now)
            + chrono::Duration::milliseconds((fastrand::f64() * 3000.0) as i64);
        tasks.spawn(feed_loop(
            Arc::clone(&pipeline),
            index,
            first,
            stop_rx.clone(),
        ));
    }
    tasks.spawn(dispatch_loop(Arc::clone(&pipeline), stop_rx.clone()));
    tracing::info!(feeds = pipeline.config.feeds.len(), watches = pipeline.config.watches.len(), sinks = pipeline.sinks.len(), database = %pipeline.config.daemon.database.display(), "raqib running");

    let signal_name = loop {
        tokio::select! {
            _ = terminate.recv() => break "SIGTERM",
            _ = interrupt.recv() => break "SIGINT",
            _ = hangup.recv() => tracing::warn!("SIGHUP received: this version cannot reload its configuration; restart raqib to apply changes"),
        }
    };
    tracing::info!(signal = signal_name, grace = ?SHUTDOWN_GRACE, "stopping: no new polls, letting work in flight finish");
    let _ = stop_tx.send(true);
    let drained = async { while tasks.join_next().await.is_some() {} };
    tokio::select! {
        _ = drained => {}
        _ = tokio::time::sleep(SHUTDOWN_GRACE) => tracing::warn!("grace period over: abandoning fetches in flight"),
        _ = terminate.recv() => tracing::warn!("second signal: exiting now"),
        _ = interrupt.recv() => tracing::warn!("second signal: exiting now"),
    }
    match pipeline.dispatch().await {
        Ok(done) => tracing::info!(
            delivered = done.delivered,
            failed = done.failed,
            "final delivery round"
        ),
        Err(err) => {
            tracing::error!(error = %err, "final delivery round failed; pending alerts stay in the outbox")
        }
    }
    if let Ok(pending) = pipeline.with_store(|s| s.pending_deliveries()).await {
        if pending > 0 {
            tracing::warn!(
                pending,
                "deliveries left in the outbox; they are retried at the next start"
            );
        }
    }
    tracing::info!("stopped");
    Ok(())
}

async fn sleep_until(at: DateTime<Utc>) {
    let wait = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
    tokio::time::sleep(wait).await;
}

async fn feed_loop(
    pipeline: Arc<Pipeline>,
    index: usize,
    mut due: DateTime<Utc>,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            _ = sleep_until(due) => {}
            _ = stop.changed() => return,
        }
        if *stop.borrow() {
            return;
        }
        // Errors are logged and recorded by `poll`; the feed is simply tried again later.
        (_, due) = pipeline.poll(index).await;
    }
}

async fn dispatch_loop(pipeline: Arc<Pipeline>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = pipeline.alerts_raised.notified() => {}
            _ = tokio::time::sleep(DISPATCH_EVERY) => {}
            _ = stop.changed() => return,
        }
        if let Err(err) = pipeline.dispatch().await {
            tracing::error!(error = %err, "delivery round failed");
        }
    }
}
