//! `raqib rescan`: run one watch, new or changed, over the articles already stored.
//!
//! Users add a watch and want to see what they missed. The watch's matches on each article
//! are replaced (a changed watch leaves no stale matches behind); alerts are raised only when
//! asked, through the same outbox as the daemon's, so a running daemon delivers them.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::alert::{About, AlertArticle, Draft};
use crate::config::Config;
use crate::store::{Store, StoreError};
use crate::watch::{Subject, WatchError, Watchlist};

/// Articles read from the database at a time.
const BATCH: usize = 500;

#[derive(Debug, thiserror::Error)]
pub enum RescanError {
    #[error("no watch named {name:?} in the configuration (watches: {known})")]
    UnknownWatch { name: String, known: String },
    #[error(transparent)]
    Watch(#[from] WatchError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    NotWired(#[from] crate::config::NotWired),
}

/// What a rescan did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RescanReport {
    pub articles: u64,
    /// Articles the watch fired on.
    pub matched: u64,
    pub matches: u64,
    pub alerts: u64,
}

/// Run watch `name` over the articles fetched in the last `since` (all when `None`).
pub fn rescan(
    config: &Config,
    name: &str,
    since: Option<Duration>,
    alert: bool,
    now: DateTime<Utc>,
) -> Result<RescanReport, RescanError> {
    let watch = config
        .watches
        .iter()
        .find(|w| w.name == name)
        .ok_or_else(|| RescanError::UnknownWatch {
            name: name.to_string(),
            known: config
                .watches
                .iter()
                .map(|w| w.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    let watchlist = Watchlist::compile(std::slice::from_ref(watch))?;
    let sinks: Vec<String> = config.sinks_of(watch).map(|s| s.name.clone()).collect();
    let cutoff = since.map(|s| crate::date::earlier(now, s));
    let mut store = Store::open(config.daemon.database.sqlite_file()?)?;
    let mut report = RescanReport::default();
    let mut after = 0;
    loop {
        let batch = store.articles_after(after, cutoff, BATCH)?;
        let Some(last) = batch.last() else {
            break;
        };
        after = last.article.id;
        for stored in batch {
            report.articles += 1;
            let hits = watchlist.scan(&Subject {
                title: &stored.title,
                body: &stored.body,
                outlet: &stored.outlet,
                lang: stored.lang.as_deref(),
            });
            let matches = hits
                .into_iter()
                .next()
                .map(|h| h.matches)
                .unwrap_or_default();
            if matches.is_empty() && store.match_count(stored.article.id, name)? == 0 {
                continue;
            }
            report.matched += u64::from(!matches.is_empty());
            report.matches += matches.len() as u64;
            let new_alert = match alert && !matches.is_empty() {
                true => {
                    let shown = AlertArticle {
                        id: stored.article.id,
                        url: stored.url.clone(),
                        title: stored.title.clone(),
                        feed: stored.feed_url.clone(),
                        outlet: stored.outlet.clone(),
                        published_at: stored.published_at.clone(),
                        lang: stored.lang.clone(),
                    };
                    let draft = Draft::new(
                        watch,
                        sinks.clone(),
                        About {
                            url: stored.url.as_deref(),
                            feed_url: &stored.feed_url,
                            entry_key: &stored.entry_key,
                        },
                        matches.clone(),
                    );
                    let outlets = store.story_outlets(stored.article)?;
                    Some(draft.finish(
                        stored.article.id,
                        stored.article.story_id,
                        &shown,
                        &outlets,
                        now,
                    ))
                }
                false => None,
            };
            if store.replace_matches(stored.article, name, &matches, new_alert, now)? {
                report.alerts += 1;
            }
        }
    }
    tracing::info!(
        watch = name,
        articles = report.articles,
        matched = report.matched,
        matches = report.matches,
        alerts = report.alerts,
        "rescan done"
    );
    Ok(report)
}
