//! SIGHUP: read the configuration again and put it in force without a restart.
//!
//! A valid file replaces the configuration, watchlist and sinks at once: articles already
//! being processed finish with the old watchlist, the next ones use the new; feeds added start,
//! feeds removed stop after any poll in flight, feeds changed poll with their new settings from
//! their next poll. An invalid file changes nothing: the error is logged with its lines and
//! columns and the previous configuration stays in force. The database path and the HTTP
//! client's settings are read once, at start.

use std::path::Path;
use std::sync::Arc;

use tokio::task::JoinSet;

use super::{FeedTasks, Live, Pipeline};
use crate::config::{Config, Daemon};
use crate::store::Storage;

pub(super) async fn reload<S: Storage>(
    pipeline: &Arc<Pipeline<S>>,
    path: &Path,
    feeds: &mut FeedTasks,
    tasks: &mut JoinSet<()>,
) {
    tracing::info!(config = %path.display(), "SIGHUP: reloading the configuration");
    let config = match Config::load(path) {
        Ok(config) => config,
        Err(err) => {
            tracing::error!(error = %err, "configuration not reloaded; the previous one stays in force");
            return;
        }
    };
    // Compiling a large watchlist takes tens of milliseconds: off the runtime's threads.
    let live = match tokio::task::spawn_blocking(move || Live::new(config)).await {
        Ok(Ok(live)) => live,
        Ok(Err(err)) => {
            tracing::error!(error = %err, "configuration not reloaded; the previous one stays in force");
            return;
        }
        Err(err) => {
            tracing::error!(error = %err, "configuration not reloaded; the previous one stays in force");
            return;
        }
    };
    let old = pipeline.replace(live);
    let new = pipeline.live();
    let needs_restart = restart_only(&old.config.daemon, &new.config.daemon);
    if !needs_restart.is_empty() {
        tracing::warn!(
            settings = needs_restart.join(", "),
            "these [daemon] settings changed and take effect at the next restart"
        );
    }
    let (mut added, mut removed) = (0, 0);
    for url in feeds.urls() {
        if new.feed(&url).is_none() {
            feeds.stop(&url);
            removed += 1;
            tracing::info!(feed = %url, "feed removed: polling stops");
        }
    }
    let running = feeds.urls();
    for feed in &new.config.feeds {
        if running.contains(&feed.url) {
            continue;
        }
        match feeds.start(pipeline, tasks, feed).await {
            Ok(()) => {
                added += 1;
                tracing::info!(feed = %feed.url, "feed added: polling starts");
            }
            Err(err) => {
                tracing::error!(feed = %feed.url, error = %err, "cannot start the new feed")
            }
        }
    }
    tracing::info!(
        feeds = new.config.feeds.len(),
        feeds_added = added,
        feeds_removed = removed,
        watches = new.config.watches.len(),
        sinks = new.sinks.len(),
        "configuration reloaded"
    );
}

/// The `[daemon]` settings that differ and are only read at start.
fn restart_only(old: &Daemon, new: &Daemon) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |name, differs: bool| {
        if differs {
            changed.push(name);
        }
    };
    check("database", old.database != new.database);
    check(
        "allow_private_networks",
        old.allow_private_networks != new.allow_private_networks,
    );
    check("user_agent", old.user_agent != new.user_agent);
    check("fetch_timeout", old.fetch_timeout != new.fetch_timeout);
    check("max_body_bytes", old.max_body_bytes != new.max_body_bytes);
    check("concurrency", old.concurrency != new.concurrency);
    check(
        "per_host_concurrency",
        old.per_host_concurrency != new.per_host_concurrency,
    );
    check(
        "politeness_delay",
        old.politeness_delay != new.politeness_delay,
    );
    check(
        "respect_robots_txt",
        old.respect_robots_txt != new.respect_robots_txt,
    );
    check("metrics_listen", old.metrics_listen != new.metrics_listen);
    changed
}
