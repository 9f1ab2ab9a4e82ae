//! The daemon: the only module that wires tasks, timers, channels and signals.
//!
//! Each feed has a task that sleeps until its feed is due, polls it, and schedules the next
//! poll ([`crate::schedule`]). A poll fetches the feed, parses it, and takes every entry not yet
//! stored through page fetch, extraction, matching and storage ([`Pipeline::poll`]). A
//! dispatcher task delivers the outbox. SIGHUP re-reads the configuration ([`reload`]).
//! SIGTERM or SIGINT stops new work, lets work in flight finish for a grace period, delivers
//! what is due and exits.

mod api;
mod deliver;
mod entry;
mod gauges;
mod http;
mod paused;
mod pipeline;
mod progress;
mod reload;
mod source;
mod systemd;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::{Config, Database, Feed};
use crate::feed;
use crate::fetch;
use crate::store::{FeedState, Postgres, Storage, StoreError, postgres};
use crate::watch::WatchError;
use url::Url;

pub use pipeline::{Live, Pipeline};

/// Pruning: soon after start, then hourly, in batches of this many rows.
const PRUNE_FIRST: Duration = Duration::from_secs(60);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
const PRUNE_BATCH: usize = 500;
/// How often the dispatcher looks for deliveries due for a retry (more often when
/// `delivery_retry` is shorter).
const DISPATCH_EVERY: Duration = Duration::from_secs(5);
/// How often storage that cannot be written (a full disk, a server out of reach) is probed.
const PAUSED_PROBE_EVERY: Duration = Duration::from_secs(5);
/// Polls that a pause kept from being recorded are spread over this long once it ends.
const RESUME_SPREAD_MS: f64 = 3000.0;

/// Where the pipeline reads the time: the system clock in the daemon, a set one in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// [`Pipeline::new`] given a PostgreSQL `database` ([`Pipeline::on`] takes any backend).
    #[error("daemon.database names a PostgreSQL server, and this pipeline opens a SQLite file")]
    NotSqlite,
    /// The PostgreSQL database named (without its password) could not be opened.
    #[error("database {shown}: {source}")]
    Postgres {
        shown: String,
        source: postgres::Error,
    },
    /// The PostgreSQL password file or variable could not be read.
    #[error("{0}")]
    Password(String),
    /// The API's token could not be read (the message names the key).
    #[error("{0}")]
    Token(String),
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error(transparent)]
    Fetch(#[from] fetch::FetchError),
    #[error(transparent)]
    Sink(#[from] crate::alert::sink::SinkError),
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
    #[error(
        "{url}: the links selector matches nothing on the page (has the outlet changed its design?)"
    )]
    NoLinks { url: String },
    #[error("{url}: {source}")]
    Sitemap {
        url: String,
        source: crate::sitemap::SitemapError,
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
    /// The server answered 304.
    pub not_modified: bool,
    /// The body was the same as last time, so it was not parsed.
    pub unchanged: bool,
}

impl PollError {
    /// The server's `Retry-After`, if the poll failed with one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            PollError::Fetch(err) => err.retry_after(),
            _ => None,
        }
    }
}

/// What `run --once` did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct OnceReport {
    pub feeds_ok: usize,
    pub feeds_failed: usize,
    /// Feeds another instance sharing the database was polling: left to it.
    pub feeds_skipped: usize,
    pub new_articles: usize,
    pub alerts: usize,
    pub delivered: usize,
    pub delivery_failures: usize,
}

impl DaemonError {
    /// The database server could not be reached: worth starting again later.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, DaemonError::Postgres { source, .. } if source.is_unreachable())
    }
}

/// Connect to the PostgreSQL database of `config` and migrate it, with a pool as large as
/// the polls and deliveries that may write at once.
async fn connect(pg: &crate::config::Postgres, config: &Config) -> Result<Postgres, DaemonError> {
    let password = pg.password().map_err(DaemonError::Password)?;
    let connections = config.daemon.concurrency.max(1) + 4;
    Postgres::connect(&pg.url, password.as_deref(), connections)
        .await
        .map_err(|source| DaemonError::Postgres {
            shown: config.daemon.database.to_string(),
            source,
        })
}

/// Poll every feed once, deliver the alerts raised, and report, on the configured database.
pub async fn run_once(config: Config) -> Result<OnceReport, DaemonError> {
    match config.daemon.database.clone() {
        Database::Sqlite(_) => run_once_on(Pipeline::new(config)?).await,
        Database::Postgres(pg) => {
            let store = connect(&pg, &config).await?;
            run_once_on(Pipeline::on(store, config, Arc::new(Utc::now))?).await
        }
    }
}

/// Poll every feed once through `pipeline`, each under its lease as the daemon's polls are
/// (a feed another instance holds is skipped), deliver the alerts raised, and report.
async fn run_once_on<S: Storage>(pipeline: Pipeline<S>) -> Result<OnceReport, DaemonError> {
    let mut report = OnceReport::default();
    let live = pipeline.live();
    let mut polls = futures_util::stream::iter(&live.config.feeds)
        .map(|feed| async {
            // The lease is taken on the feed's row, made here for a feed never polled.
            match pipeline.feed_state(feed).await {
                Ok(_) => leased_poll(&pipeline, feed, Take::Now).await.0,
                Err(_) => Turn::Untaken,
            }
        })
        .buffer_unordered(live.config.daemon.concurrency.max(1));
    while let Some(turn) = polls.next().await {
        match turn {
            Turn::Polled(Ok(polled)) => {
                report.feeds_ok += 1;
                report.new_articles += polled.new_articles;
                report.alerts += polled.alerts;
            }
            Turn::Held => report.feeds_skipped += 1,
            Turn::Polled(Err(_)) | Turn::Untaken => report.feeds_failed += 1,
        }
    }
    drop(polls);
    let dispatched = pipeline.dispatch().await?;
    report.delivered = dispatched.delivered;
    report.delivery_failures = dispatched.failed;
    Ok(report)
}

/// Run until SIGTERM or SIGINT; SIGHUP re-reads the configuration at `config_path`.
pub async fn run(config: Config, config_path: PathBuf) -> Result<(), DaemonError> {
    use tokio::signal::unix::{SignalKind, signal};
    // Registered before anything else: SIGHUP's default action would kill the daemon.
    let terminate = signal(SignalKind::terminate()).map_err(DaemonError::Signal)?;
    let interrupt = signal(SignalKind::interrupt()).map_err(DaemonError::Signal)?;
    let hangup = signal(SignalKind::hangup()).map_err(DaemonError::Signal)?;
    let signals = Signals {
        terminate,
        interrupt,
        hangup,
    };
    let auth = match &config.http {
        Some(http) => Some(api::Auth::new(http).map_err(DaemonError::Token)?),
        None => None,
    };
    match config.daemon.database.clone() {
        Database::Sqlite(path) => {
            let api = auth.map(|auth| {
                (
                    auth,
                    api::Archive::Sqlite(Arc::new(api::Readers::new(path))),
                )
            });
            serve(Arc::new(Pipeline::new(config)?), config_path, signals, api).await
        }
        Database::Postgres(pg) => {
            let store = connect(&pg, &config).await?;
            let api = match auth {
                Some(auth) => Some((auth, api::Archive::Postgres(api_pool(&pg, &config).await?))),
                None => None,
            };
            let pipeline = Pipeline::on(store, config, Arc::new(Utc::now))?;
            serve(Arc::new(pipeline), config_path, signals, api).await
        }
    }
}

/// The API's own connections to the PostgreSQL database, so that its reads never take the
/// pipeline's.
async fn api_pool(pg: &crate::config::Postgres, config: &Config) -> Result<Postgres, DaemonError> {
    let password = pg.password().map_err(DaemonError::Password)?;
    Postgres::open(&pg.url, password.as_deref(), api::archive::POSTGRES_READERS)
        .await
        .map_err(|source| DaemonError::Postgres {
            shown: config.daemon.database.to_string(),
            source,
        })
}

/// The signals the daemon answers, listened for from its start.
struct Signals {
    terminate: tokio::signal::unix::Signal,
    interrupt: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

/// Run `pipeline` until SIGTERM or SIGINT.
async fn serve<S: Storage>(
    pipeline: Arc<Pipeline<S>>,
    config_path: PathBuf,
    signals: Signals,
    api: Option<(api::Auth, api::Archive)>,
) -> Result<(), DaemonError> {
    let Signals {
        mut terminate,
        mut interrupt,
        mut hangup,
    } = signals;
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut feeds = FeedTasks::new(stop_rx.clone());
    for feed in &pipeline.live().config.feeds {
        feeds.start(&pipeline, &mut tasks, feed).await?;
    }
    tasks.spawn(dispatch_loop(Arc::clone(&pipeline), stop_rx.clone()));
    tasks.spawn(prune_loop(Arc::clone(&pipeline), stop_rx.clone()));
    tasks.spawn(paused_loop(Arc::clone(&pipeline), stop_rx.clone()));
    if let Some(listen) = pipeline.live().config.daemon.metrics_listen {
        tasks.spawn(http::serve(Arc::clone(&pipeline), listen, stop_rx.clone()));
    }
    if let (Some(config), Some((auth, archive))) = (pipeline.live().config.http.clone(), api) {
        tasks.spawn(api::serve(
            Arc::clone(&pipeline),
            config,
            archive,
            auth,
            stop_rx.clone(),
        ));
    }
    if systemd::listening() {
        tasks.spawn(systemd::watch_loop(Arc::clone(&pipeline), stop_rx.clone()));
    }
    let live = pipeline.live();
    tracing::info!(feeds = live.config.feeds.len(), watches = live.config.watches.len(), sinks = live.sinks.len(), database = %live.config.daemon.database, "raqib running");
    drop(live);
    systemd::notify(&[
        sd_notify::NotifyState::Ready,
        sd_notify::NotifyState::Status(&systemd::status(&pipeline, 0)),
    ]);

    let signal_name = loop {
        tokio::select! {
            _ = terminate.recv() => break "SIGTERM",
            _ = interrupt.recv() => break "SIGINT",
            _ = hangup.recv() => {
                systemd::notify(&[sd_notify::NotifyState::Reloading]);
                reload::reload(&pipeline, &config_path, &mut feeds, &mut tasks).await;
                systemd::notify(&[sd_notify::NotifyState::Ready]);
            }
        }
    };
    systemd::notify(&[
        sd_notify::NotifyState::Stopping,
        sd_notify::NotifyState::Status("stopping"),
    ]);
    let grace = pipeline.live().config.daemon.shutdown_grace;
    tracing::info!(signal = signal_name, grace = ?grace, "stopping: no new polls, letting work in flight finish");
    let _ = stop_tx.send(true);
    let drained = async { while tasks.join_next().await.is_some() {} };
    let forced = tokio::select! {
        _ = drained => false,
        _ = tokio::time::sleep(grace) => {
            tracing::warn!("grace period over: abandoning fetches in flight");
            false
        }
        _ = terminate.recv() => true,
        _ = interrupt.recv() => true,
    };
    if forced {
        // Everything committed stays committed; pending deliveries wait for the next start.
        tracing::warn!("second signal: exiting now, without a last delivery round");
        return Ok(());
    }
    // Waits for a delivery round still running (its deliveries are not sent twice); a second
    // signal leaves the rest to the next start.
    let last_round = tokio::select! {
        done = pipeline.dispatch() => Some(done),
        _ = terminate.recv() => None,
        _ = interrupt.recv() => None,
    };
    let Some(last_round) = last_round else {
        tracing::warn!(
            "second signal: exiting now, during the last delivery round; what it did not record is sent at the next start"
        );
        return Ok(());
    };
    match last_round {
        Ok(done) => tracing::info!(
            delivered = done.delivered,
            failed = done.failed,
            "final delivery round"
        ),
        Err(err) => {
            tracing::error!(error = %err, "final delivery round failed; pending alerts stay in the outbox")
        }
    }
    if let Ok(pending) = pipeline.noted(pipeline.store().pending_deliveries()).await {
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

/// One task per configured feed, by URL, each with its own stop switch (a reload removing the
/// feed flips it) besides the daemon's.
struct FeedTasks {
    stop: watch::Receiver<bool>,
    running: HashMap<Url, watch::Sender<bool>>,
}

impl FeedTasks {
    fn new(stop: watch::Receiver<bool>) -> FeedTasks {
        FeedTasks {
            stop,
            running: HashMap::new(),
        }
    }

    /// Start polling `feed`: at its recorded next due time, or within a few seconds.
    async fn start<S: Storage>(
        &mut self,
        pipeline: &Arc<Pipeline<S>>,
        tasks: &mut JoinSet<()>,
        feed: &Feed,
    ) -> Result<(), StoreError> {
        let now = pipeline.now();
        let state = pipeline.feed_state(feed).await?;
        // Spread the first polls over a few seconds; a feed already scheduled keeps its time.
        let first = state.next_due_at.unwrap_or(now).max(now)
            + chrono::Duration::milliseconds((fastrand::f64() * 3000.0) as i64);
        let (own_tx, own_rx) = watch::channel(false);
        self.running.insert(feed.url.clone(), own_tx);
        tasks.spawn(feed_loop(
            Arc::clone(pipeline),
            feed.url.clone(),
            first,
            self.stop.clone(),
            own_rx,
        ));
        Ok(())
    }

    /// Stop polling the feed at `url`; a poll in flight finishes.
    fn stop(&mut self, url: &Url) {
        if let Some(own) = self.running.remove(url) {
            let _ = own.send(true);
        }
    }

    fn urls(&self) -> Vec<Url> {
        self.running.keys().cloned().collect()
    }
}

async fn feed_loop<S: Storage>(
    pipeline: Arc<Pipeline<S>>,
    url: Url,
    mut due: DateTime<Utc>,
    mut stop: watch::Receiver<bool>,
    mut removed: watch::Receiver<bool>,
) {
    loop {
        pipeline.progress.due(&url, due);
        tokio::select! {
            _ = sleep_until(due) => {}
            _ = stop.changed() => break,
            _ = removed.changed() => break,
        }
        if *stop.borrow() || *removed.borrow() {
            break;
        }
        if !wait_writable(&pipeline, &mut stop, &mut removed).await {
            break;
        }
        // The feed's settings as configured now: a reload may have changed them.
        let Some(feed) = pipeline.live().feed(&url).cloned() else {
            break;
        };
        due = leased_poll(&pipeline, &feed, Take::WhenDue).await.1;
        if pipeline.paused().borrow().is_some() {
            // The pause may have cut this poll short: its entries were not stored, and are
            // taken again as soon as the storage takes writes.
            due = pipeline.now()
                + chrono::Duration::milliseconds((fastrand::f64() * RESUME_SPREAD_MS) as i64);
        }
    }
    pipeline.progress.forget(&url);
}

/// When a poll takes its feed: once it is due (the daemon's feed loop), or now whatever its
/// next due time (`run --once`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Take {
    WhenDue,
    Now,
}

/// What became of a feed's turn to be polled.
enum Turn {
    /// This process held the feed and polled it.
    Polled(Result<Polled, PollError>),
    /// Another process sharing the database holds it, or polled it already.
    Held,
    /// The feed could not be taken: the storage failed.
    Untaken,
}

/// Poll `feed` if this process can hold it (another sharing the database may be polling it,
/// or have polled it already), renewing the hold while the poll runs; what came of it, and
/// the next due time.
async fn leased_poll<S: Storage>(
    pipeline: &Pipeline<S>,
    feed: &Feed,
    take: Take,
) -> (Turn, DateTime<Utc>) {
    let lease = pipeline.live().config.daemon.lease;
    let url = feed.url.to_string();
    let now = pipeline.now();
    let later = crate::date::later(now, lease);
    let store = pipeline.store();
    let taken = match take {
        Take::WhenDue => {
            pipeline
                .noted(store.take_feed(url.clone(), now, lease))
                .await
        }
        Take::Now => {
            pipeline
                .noted(store.hold_feed(url.clone(), now, lease))
                .await
        }
    };
    match taken {
        Ok(true) => {}
        Ok(false) => {
            let due = match pipeline.feed_state(feed).await {
                Ok(state) => retry_held(&state, now, later),
                Err(_) => later,
            };
            return (Turn::Held, due);
        }
        Err(err) => {
            if !err.is_unavailable() {
                tracing::error!(feed = %feed.url, error = %err, "cannot take the feed's lease");
            }
            return (Turn::Untaken, later);
        }
    }
    // The renewals run beside the poll, never in its place: a renewal waiting for a pooled
    // connection must not stop the poll, whose transaction may hold the lock the pool's
    // other connections wait for.
    let renewing = async {
        let mut renew = tokio::time::interval(lease / 3);
        renew.tick().await;
        loop {
            renew.tick().await;
            let renewed = pipeline
                .noted(store.renew_feed(url.clone(), pipeline.now(), lease))
                .await;
            // A failed renewal is tried again at the next tick, the lease still running; a
            // lost one stops the poll, since another process polls the feed now.
            if let Ok(false) = renewed {
                tracing::warn!(feed = %feed.url, "lost the feed's lease to another instance: poll stopped");
                return crate::date::later(pipeline.now(), lease);
            }
        }
    };
    let (result, due) = tokio::select! {
        (result, due) = pipeline.poll(feed) => (Some(result), due),
        due = renewing => (None, due),
    };
    if let Err(err) = pipeline.noted(store.release_feed(url)).await {
        tracing::warn!(feed = %feed.url, error = %err, "cannot release the feed's lease; it ends by itself");
    }
    (result.map_or(Turn::Held, Turn::Polled), due)
}

/// When to try again to take a feed another process holds: when it is next due, once its
/// holder has recorded that; until then when the holder's lease ends, as the holder may have
/// died (a live one renews it, and the next try reads the new end); never later than one
/// `lease` from `now`.
fn retry_held(state: &FeedState, now: DateTime<Utc>, later: DateTime<Utc>) -> DateTime<Utc> {
    match state.next_due_at.filter(|at| *at > now) {
        Some(due) => due,
        None => state
            .held_until
            .filter(|end| *end > now)
            .map_or(later, |end| end.min(later)),
    }
}

/// Wait until the database takes writes (at once, unless polls are paused); false when told
/// to stop meanwhile.
async fn wait_writable<S: Storage>(
    pipeline: &Pipeline<S>,
    stop: &mut watch::Receiver<bool>,
    removed: &mut watch::Receiver<bool>,
) -> bool {
    let mut paused = pipeline.paused();
    tokio::select! {
        ok = paused.wait_for(Option::is_none) => ok.is_ok(),
        _ = stop.changed() => false,
        _ = removed.changed() => false,
    }
}

/// While polls and deliveries are paused, probe now and then whether the storage takes
/// writes again.
async fn paused_loop<S: Storage>(pipeline: Arc<Pipeline<S>>, mut stop: watch::Receiver<bool>) {
    let mut paused = pipeline.paused();
    loop {
        tokio::select! {
            pause = paused.wait_for(Option::is_some) => if pause.is_err() { return },
            _ = stop.changed() => return,
        }
        loop {
            tokio::select! {
                _ = tokio::time::sleep(PAUSED_PROBE_EVERY) => {}
                _ = stop.changed() => return,
            }
            if pipeline.probe_writable().await {
                break;
            }
        }
    }
}

/// Prune old data now and then, in batches, never holding the writer for long.
async fn prune_loop<S: Storage>(pipeline: Arc<Pipeline<S>>, mut stop: watch::Receiver<bool>) {
    let mut wait = PRUNE_FIRST;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
        }
        wait = PRUNE_EVERY;
        let daemon = pipeline.live().config.daemon.clone();
        let mut total = crate::store::Pruned::default();
        loop {
            let now = pipeline.now();
            let (keep, keep_alerts) = (daemon.retention, daemon.alert_retention);
            let batch = pipeline
                .noted(pipeline.store().prune(now, keep, keep_alerts, PRUNE_BATCH))
                .await;
            match batch {
                Ok(pruned) if pruned.is_empty() => {
                    pipeline.pruning_ended(None);
                    break;
                }
                Ok(pruned) => total.add(pruned),
                Err(err) => {
                    // A panic in the blocking task arrives here too, as an error naming it.
                    tracing::error!(error = %err, "pruning old data failed; /healthz reports it until a round succeeds, tried again in an hour");
                    let at = now.format("%Y-%m-%d %H:%M:%S");
                    pipeline.pruning_ended(Some(format!("pruning failed at {at}: {err}")));
                    break;
                }
            }
            if *stop.borrow() {
                return;
            }
            // Let polls and deliveries have the writer between batches.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if !total.is_empty() {
            tracing::info!(
                articles = total.articles,
                alerts = total.alerts,
                stories = total.stories,
                merges = total.merges,
                paragraphs = total.paragraphs,
                "pruned data past its retention"
            );
        }
    }
}

async fn dispatch_loop<S: Storage>(pipeline: Arc<Pipeline<S>>, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = pipeline.alerts_raised.notified() => {}
            _ = tokio::time::sleep(DISPATCH_EVERY.min(pipeline.live().config.daemon.delivery_retry)) => {}
            _ = stop.changed() => return,
        }
        if pipeline.paused().borrow().is_some() {
            // A delivery sent now could not be recorded, and would be sent again.
            continue;
        }
        if let Err(err) = pipeline.dispatch().await {
            tracing::error!(error = %err, "delivery round failed");
        }
    }
}
