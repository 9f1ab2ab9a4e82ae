//! The daemon: the only module that wires tasks, timers, channels and signals.
//!
//! Each feed has a task that sleeps until its feed is due, polls it, and schedules the next
//! poll ([`crate::schedule`]). A poll fetches the feed, parses it, and takes every entry not yet
//! stored through page fetch, extraction, matching and storage ([`Pipeline::poll`]). A
//! dispatcher task delivers the outbox. SIGTERM or SIGINT stops new work, lets work in flight
//! finish for a grace period, delivers what is due and exits.

mod deliver;
mod entry;
mod pipeline;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::feed;
use crate::fetch;
use crate::store::StoreError;
use crate::watch::WatchError;

pub use pipeline::Pipeline;

/// How long work in flight may finish after a stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// How often the dispatcher looks for deliveries due for a retry (more often when
/// `delivery_retry` is shorter).
const DISPATCH_EVERY: Duration = Duration::from_secs(5);

/// Where the pipeline reads the time: the system clock in the daemon, a set one in tests.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum DaemonError {
    #[error(transparent)]
    Store(#[from] StoreError),
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
    pub new_articles: usize,
    pub alerts: usize,
    pub delivered: usize,
    pub delivery_failures: usize,
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
    let now = pipeline.now();
    for index in 0..pipeline.config.feeds.len() {
        let state = pipeline.feed_state(&pipeline.config.feeds[index]).await?;
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
            _ = tokio::time::sleep(DISPATCH_EVERY.min(pipeline.config.daemon.delivery_retry)) => {}
            _ = stop.changed() => return,
        }
        if let Err(err) = pipeline.dispatch().await {
            tracing::error!(error = %err, "delivery round failed");
        }
    }
}
