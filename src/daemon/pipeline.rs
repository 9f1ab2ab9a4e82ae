//! One poll of one feed, from the HTTP request to the recorded outcome and next due time.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, RwLock};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::Notify;

use super::paused::{Cause, Paused};
use super::{Clock, DaemonError, PollError, Polled};
use crate::alert::sink::Sink;
use crate::config::{self, Config, Database, Feed, Source};
use crate::feed::Entry;
use crate::fetch::{Fetcher, Outcome};
use crate::schedule::{self, Hints};
use crate::store::{FeedState, PollRecord, Sqlite, Storage, StoreError};
use crate::watch::Watchlist;

/// Entries of one feed processed at the same time.
const ENTRY_CONCURRENCY: usize = 4;

/// What a configuration reload replaces: the configuration, its compiled watchlist and its
/// sinks. Work in flight keeps the one it started with.
pub struct Live {
    pub config: Config,
    pub watchlist: Watchlist,
    pub sinks: Vec<Sink>,
}

impl Live {
    /// Compile the watchlist and build the sinks (reading their secrets).
    pub fn new(config: Config) -> Result<Live, DaemonError> {
        let watchlist = Watchlist::compile(&config.watches)?;
        let stats = watchlist.stats();
        tracing::info!(
            watches = stats.watches,
            terms = stats.terms,
            patterns = stats.patterns,
            automaton = if stats.dfa { "dfa" } else { "nfa" },
            automaton_kib = stats.automaton_bytes / 1024,
            "watchlist compiled"
        );
        let sinks = config
            .sinks
            .iter()
            .map(Sink::new)
            .collect::<Result<_, _>>()?;
        Ok(Live {
            config,
            watchlist,
            sinks,
        })
    }

    /// The configured feed at `url`, if it is still configured.
    pub fn feed(&self, url: &url::Url) -> Option<&Feed> {
        self.config.feeds.iter().find(|f| &f.url == url)
    }
}

/// Everything a poll needs, shared by all feed tasks, on the storage backend `S`.
pub struct Pipeline<S = Sqlite> {
    live: RwLock<Arc<Live>>,
    store: S,
    /// URLs of the articles some poll is fetching and storing now: another feed carrying the
    /// same article at the same moment leaves it to that poll instead of fetching it twice (the
    /// store would refuse the second copy anyway).
    in_flight: Arc<Mutex<HashSet<String>>>,
    pub(super) fetcher: Fetcher,
    pub(super) alerts_raised: Notify,
    /// Held by the dispatch round in progress: one at a time.
    pub(super) dispatching: tokio::sync::Mutex<()>,
    /// The messages each sink with a `max_per_minute` was sent in the last minute, by name
    /// (kept across reloads).
    pub(super) floods: Mutex<HashMap<String, crate::alert::flood::Window>>,
    pub(super) metrics: crate::metrics::Metrics,
    pub(super) progress: super::progress::Progress,
    /// Set from a write that found the disk full or the database server out of reach until a
    /// probe write succeeds: no polls and no deliveries meanwhile, since nothing they do could
    /// be recorded.
    paused: tokio::sync::watch::Sender<Option<Paused>>,
    /// When a feed was last polled successfully, for STATUS and health.
    last_success: Mutex<Option<DateTime<Utc>>>,
    /// Why the last round of pruning failed (a panic included), until a round succeeds.
    pruning_failed: Mutex<Option<String>>,
    clock: Clock,
    rng: Mutex<fastrand::Rng>,
}

/// What a successful poll learned, before it is recorded.
struct Learned {
    polled: Polled,
    record: PollRecord,
    /// Publication times of the entries, when the feed was parsed.
    entry_times: Option<Vec<DateTime<Utc>>>,
    hints: Hints,
}

impl Pipeline<Sqlite> {
    /// Open the database, compile the watchlists, build the HTTP client; time from the system.
    pub fn new(config: Config) -> Result<Pipeline, DaemonError> {
        Pipeline::with_clock(config, Arc::new(Utc::now))
    }

    /// As [`Pipeline::new`], reading the time from `clock` (tests set it).
    pub fn with_clock(config: Config, clock: Clock) -> Result<Pipeline, DaemonError> {
        let Database::Sqlite(path) = &config.daemon.database else {
            return Err(DaemonError::NotSqlite);
        };
        let store = Sqlite::open(path)?;
        Pipeline::on(store, config, clock)
    }
}

impl<S: Storage> Pipeline<S> {
    /// A pipeline storing into `store`.
    pub fn on(store: S, config: Config, clock: Clock) -> Result<Pipeline<S>, DaemonError> {
        let mut fetcher = Fetcher::new(&config.daemon)?;
        if let Some(turns) = store.host_turns() {
            fetcher.share_turns(turns);
        }
        let live = Live::new(config)?;
        let started = clock();
        Ok(Pipeline {
            progress: super::progress::Progress::new(started),
            paused: tokio::sync::watch::Sender::new(None),
            live: RwLock::new(Arc::new(live)),
            store,
            in_flight: Arc::default(),
            fetcher,
            alerts_raised: Notify::new(),
            dispatching: tokio::sync::Mutex::new(()),
            floods: Mutex::default(),
            last_success: Mutex::new(None),
            pruning_failed: Mutex::new(None),
            metrics: crate::metrics::Metrics::default(),
            clock,
            rng: Mutex::new(fastrand::Rng::new()),
        })
    }

    /// The configuration in force, with its watchlist and sinks.
    pub fn live(&self) -> Arc<Live> {
        Arc::clone(&self.live.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// When a feed was last polled successfully by this process.
    pub fn last_success(&self) -> Option<DateTime<Utc>> {
        *self.last_success.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Put `live` in force; returns the one it replaces.
    pub fn replace(&self, live: Live) -> Arc<Live> {
        let mut current = self.live.write().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *current, Arc::new(live))
    }

    /// Note how a round of pruning ended: a failure is reported by `/healthz` until a later
    /// round succeeds, as a database that is no longer pruned grows without bound.
    pub(super) fn pruning_ended(&self, failure: Option<String>) {
        *self
            .pruning_failed
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = failure;
    }

    pub(super) fn pruning_failure(&self) -> Option<String> {
        self.pruning_failed
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// What keeps the daemon from being healthy, beside the database: a stuck scheduler.
    pub(super) fn stuck(&self) -> Option<super::progress::Stuck> {
        let limit = super::progress::stuck_after(self.live().config.daemon.fetch_timeout);
        self.progress.stuck(self.now(), limit)
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub(super) fn draw(&self) -> f64 {
        self.rng.lock().unwrap_or_else(|p| p.into_inner()).f64()
    }

    /// The storage backend.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The outcome of a call to the storage, a full disk or an unreachable server noted.
    pub(super) async fn noted<T>(
        &self,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        call.await.inspect_err(|err| self.observe(err))
    }

    /// Note a full disk or a database server out of reach: polls and deliveries pause until
    /// a probe write succeeds. Only the first error of a pause is logged.
    fn observe(&self, err: &StoreError) {
        let Some(cause) = Cause::of(err) else {
            return;
        };
        let since = self.now();
        let paused = self.paused.send_if_modified(|paused| {
            if paused.is_some() {
                return false;
            }
            *paused = Some(Paused {
                cause,
                since,
                error: err.to_string(),
            });
            true
        });
        if !paused {
            return;
        }
        match cause {
            Cause::DiskFull => {
                tracing::error!(error = %err, "the database's disk is full: polls and deliveries paused until a write succeeds; nothing stored is lost")
            }
            Cause::Unreachable => {
                tracing::error!(error = %err, "the database server is out of reach: polls and deliveries paused until it answers; nothing stored is lost, and entries a poll could not store are taken again")
            }
        }
    }

    /// Why polls and deliveries are paused, if they are, as far as the last write and probe
    /// know.
    pub(super) fn paused(&self) -> tokio::sync::watch::Receiver<Option<Paused>> {
        self.paused.subscribe()
    }

    /// Probe the storage while paused; true once it takes writes again: a probe write
    /// succeeds and, after a full disk, its file system has room again (a tiny write may fit
    /// while an article does not).
    pub(super) async fn probe_writable(&self) -> bool {
        let Some(paused) = self.paused.borrow().clone() else {
            return true;
        };
        if paused.cause == Cause::DiskFull && !self.store.has_room() {
            return false;
        }
        if self
            .noted(self.store.probe_write(self.now()))
            .await
            .is_err()
        {
            return false;
        }
        if self.paused.send_replace(None).is_some() {
            let now = self.now();
            // Feeds overdue because of the pause do not make the scheduler stuck.
            self.progress.moved(now);
            let down = (now - paused.since).num_seconds().max(0);
            tracing::info!(was = %paused.cause, down_secs = down, "the database takes writes again: polls and deliveries resumed");
        }
        true
    }

    /// The feed's row, created if needed.
    pub(super) async fn feed_state(&self, feed: &Feed) -> Result<FeedState, StoreError> {
        let (url, outlet, now) = (feed.url.to_string(), feed.outlet.clone(), self.now());
        if feed.outlet_configured {
            self.noted(self.store.sync_feed(url, outlet, now)).await
        } else {
            self.noted(self.store.sync_unnamed_feed(url, outlet, now))
                .await
        }
    }

    /// Poll `feed` once and record the outcome; returns it with the time the feed is next due.
    pub async fn poll(&self, feed: &Feed) -> (Result<Polled, PollError>, DateTime<Utc>) {
        let state = match self.feed_state(feed).await {
            Ok(state) => state,
            Err(err) => {
                tracing::error!(feed = %feed.url, error = %err, "cannot read feed state");
                let delay = schedule::delay(
                    feed.schedule.fixed.unwrap_or(feed.schedule.initial),
                    1,
                    self.draw(),
                );
                return (Err(err.into()), schedule::after(self.now(), delay));
            }
        };
        // The feed's own title, read on an earlier poll, names an outlet the config does not.
        let feed = &Feed {
            outlet: feed.outlet_titled(state.title.as_deref()),
            ..feed.clone()
        };
        let mut result = self.poll_feed(feed, &state).await;
        if let (Ok(learned), true) = (&mut result, feed.scrape) {
            match self.retry_pages(feed, state.id).await {
                Ok(0) => {}
                Ok(raised) => {
                    learned.polled.alerts += raised;
                    self.alerts_raised.notify_one();
                }
                Err(err) => {
                    tracing::error!(feed = %feed.url, error = %err, "cannot retry article pages")
                }
            }
        }
        let now = self.now();
        let previous = state.interval.or(feed.schedule.fixed);
        let feed_id = state.id;
        let (next, recorded) = match &result {
            Ok(learned) => {
                let interval = schedule::interval(
                    &feed.schedule,
                    previous,
                    learned.entry_times.as_deref(),
                    &learned.hints,
                    now,
                );
                let next = schedule::after(now, schedule::delay(interval, 0, self.draw()));
                let polled = learned.polled;
                tracing::info!(
                    feed = %feed.url,
                    entries = polled.entries,
                    new = polled.new_articles,
                    alerts = polled.alerts,
                    not_modified = polled.not_modified,
                    unchanged = polled.unchanged,
                    interval_secs = interval.as_secs(),
                    next_due = %next,
                    "polled feed"
                );
                let stale_since = learned.record.newest_entry.filter(|newest| {
                    let stale_after = self.live().config.daemon.stale_after;
                    crate::health::quiet_longer_than(*newest, stale_after, now)
                });
                if let Some(newest) = stale_since {
                    tracing::warn!(feed = %feed.url, newest_entry = %newest, "feed is stale: nothing published for longer than daemon.stale_after");
                }
                let record = PollRecord {
                    interval,
                    ..learned.record.clone()
                };
                *self.last_success.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
                (
                    next,
                    self.noted(self.store.record_poll_success(feed_id, record, now, next))
                        .await,
                )
            }
            Err(err) => {
                let errors = state.consecutive_errors.saturating_add(1);
                let interval = previous.unwrap_or(feed.schedule.initial);
                let delay =
                    schedule::failure_delay(interval, errors, err.retry_after(), self.draw());
                let next = schedule::after(now, delay);
                let message = err.to_string();
                tracing::warn!(feed = %feed.url, error = %message, consecutive_errors = errors, next_due = %next, "feed poll failed");
                (
                    next,
                    self.noted(self.store.record_poll_failure(feed_id, message, now, next))
                        .await,
                )
            }
        };
        if let Err(err) = recorded {
            tracing::error!(feed = %feed.url, error = %err, "cannot record poll outcome");
        }
        let outcome = match &result {
            Ok(learned) if learned.polled.not_modified => "not_modified",
            Ok(_) => "ok",
            Err(PollError::Fetch(err)) => err.class(),
            Err(PollError::Parse { .. } | PollError::Sitemap { .. }) => "parse",
            Err(PollError::NoLinks { .. }) => "no_links",
            Err(PollError::Store(_)) => "store",
            Err(PollError::Task(_)) => "task",
        };
        self.metrics
            .count("raqib_fetches_total", &[("outcome", outcome)], 1);
        (result.map(|learned| learned.polled), next)
    }

    async fn poll_feed(&self, feed: &Feed, state: &FeedState) -> Result<Learned, PollError> {
        let started = std::time::Instant::now();
        let validators = Some(&state.validators);
        let fetched = match feed.source {
            Source::Page(_) => {
                self.fetcher
                    .get_listing(&feed.url, validators, self.now())
                    .await
            }
            _ => self.fetcher.get(&feed.url, validators, self.now()).await,
        };
        self.metrics.observe_fetch(started.elapsed());
        self.progress.moved(self.now());
        let mut document = match fetched? {
            Outcome::NotModified { hints } => {
                return Ok(Learned {
                    polled: Polled {
                        not_modified: true,
                        ..Polled::default()
                    },
                    record: PollRecord::default(),
                    entry_times: None,
                    hints,
                });
            }
            Outcome::Fetched(document) => document,
        };
        let mut record = PollRecord {
            validators: Some(document.validators.clone()),
            body_hash: Some(document.body_hash.clone()),
            encoding: Some(document.encoding.to_string()),
            ..PollRecord::default()
        };
        let index = super::source::is_index(feed, &document);
        if index {
            // Its children change while it may not: an index is fetched and read every poll.
            record.validators = Some(crate::fetch::Validators::default());
            record.body_hash = None;
        }
        if !index && state.body_hash.as_deref() == Some(document.body_hash.as_str()) {
            // Same bytes as last time (an outlet without validators): nothing to parse.
            return Ok(Learned {
                polled: Polled {
                    unchanged: true,
                    ..Polled::default()
                },
                record,
                entry_times: None,
                hints: document.hints,
            });
        }
        let mut hints = std::mem::take(&mut document.hints);
        let read = self.read_source(feed, document).await?;
        hints.ttl = read.ttl;
        let title = read.title.as_deref().and_then(config::outlet_title);
        let retitled;
        let feed = if title == state.title {
            feed
        } else {
            let outlet = feed.outlet_titled(title.as_deref());
            self.noted(
                self.store
                    .record_feed_title(state.id, title, outlet.clone()),
            )
            .await?;
            retitled = Feed {
                outlet,
                ..feed.clone()
            };
            &retitled
        };
        let entries = read.entries;
        let entry_times: Vec<DateTime<Utc>> = entries
            .iter()
            .filter_map(|e| e.published.map(|d| d.with_timezone(&Utc)))
            .collect();
        record.newest_entry = entry_times.iter().max().copied().map(|t| t.min(self.now()));

        let keys: Vec<String> = entries.iter().map(|e| e.key.clone()).collect();
        let urls: Vec<String> = entries
            .iter()
            .filter_map(|e| e.url.as_ref().map(|u| u.to_string()))
            .collect();
        let feed_id = state.id;
        let known: HashSet<String> = self
            .noted(self.store.known_entries(feed_id, keys, urls))
            .await?;
        let mut polled = Polled {
            entries: entries.len(),
            ..Polled::default()
        };
        let mut fresh: Vec<(Entry, InFlight)> = entries
            .into_iter()
            .filter(|e| {
                !known.contains(&e.key)
                    && !e.url.as_ref().is_some_and(|u| known.contains(u.as_str()))
            })
            .filter_map(|e| self.take(e))
            .collect();
        // Pages another process sharing the storage is fetching are left to it, as those
        // another poll of this process has are.
        let pages: Vec<String> = fresh.iter().filter_map(|(_, t)| t.url.clone()).collect();
        let lease = self.live().config.daemon.lease;
        let claimed = self.noted(self.store.claim_pages(pages, lease)).await?;
        let listed = fresh.len();
        fresh.retain(|(_, t)| t.url.as_ref().is_none_or(|u| claimed.contains(u)));
        if fresh.len() < listed {
            // Should the process fetching them die before storing them, only this feed's next
            // read finds them again: it must not be taken for the same feed as this one.
            record.validators = Some(crate::fetch::Validators::default());
            record.body_hash = None;
        }
        let mut results = futures_util::stream::iter(fresh)
            .map(|(entry, taken)| async move {
                let stored = self.process_entry(feed, feed_id, entry).await;
                drop(taken);
                stored
            })
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
        drop(results);
        let claimed: Vec<String> = claimed.into_iter().collect();
        if let Err(err) = self.noted(self.store.release_pages(claimed)).await {
            tracing::warn!(feed = %feed.url, error = %err, "cannot give up the claims on the poll's pages; they end by themselves");
        }
        if polled.alerts > 0 {
            self.alerts_raised.notify_one();
        }
        if let Some(err) = store_failed {
            // Keep the old validators and hash: the next poll must see these entries again.
            return Err(err.into());
        }
        if record.newest_entry.is_none() && polled.new_articles > 0 {
            record.newest_entry = Some(self.now());
        }
        Ok(Learned {
            polled,
            record,
            entry_times: Some(entry_times),
            hints,
        })
    }
}

/// An article URL taken by one poll until it is stored (or has failed).
struct InFlight {
    taken: Arc<Mutex<HashSet<String>>>,
    url: Option<String>,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        if let Some(url) = self.url.take() {
            self.taken
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&url);
        }
    }
}

impl<S: Storage> Pipeline<S> {
    /// The entry with its URL taken for this poll; `None` when another poll has it.
    fn take(&self, entry: Entry) -> Option<(Entry, InFlight)> {
        let url = entry
            .url
            .as_ref()
            .map(|u| crate::feed::article_url(u.as_str()));
        if let Some(url) = &url {
            let mut taken = self.in_flight.lock().unwrap_or_else(|p| p.into_inner());
            if !taken.insert(url.clone()) {
                return None;
            }
        }
        let taken = InFlight {
            taken: Arc::clone(&self.in_flight),
            url,
        };
        Some((entry, taken))
    }
}
