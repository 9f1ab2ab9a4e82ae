//! `raqib rescan`: run one watch, new or changed, over the articles already stored.
//!
//! Users add a watch and want to see what they missed. The watch's matches on each article
//! are replaced (a changed watch leaves no stale matches behind); alerts are raised only when
//! asked, through the same outbox as the daemon's, so a running daemon delivers them.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::alert::{About, AlertArticle, Draft};
use crate::config::{Config, Watch};
use crate::store::{Articles, StoreError};
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

/// One watch ready to run over stored articles.
pub struct Rescan<'a> {
    watch: &'a Watch,
    watchlist: Watchlist,
    sinks: Vec<String>,
}

impl<'a> Rescan<'a> {
    /// Watch `name` of `config` compiled, before any storage is opened.
    pub fn new(config: &'a Config, name: &str) -> Result<Rescan<'a>, RescanError> {
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
        Ok(Rescan {
            watch,
            watchlist,
            sinks,
        })
    }

    /// Run the watch over the articles in `store` fetched in the last `since` (all when
    /// `None`).
    pub async fn run(
        &self,
        store: &impl Articles,
        since: Option<Duration>,
        alert: bool,
        now: DateTime<Utc>,
    ) -> Result<RescanReport, RescanError> {
        let Rescan {
            watch,
            watchlist,
            sinks,
        } = self;
        let name = watch.name.as_str();
        let cutoff = since.map(|s| crate::date::earlier(now, s));
        let mut report = RescanReport::default();
        let mut after = 0;
        loop {
            let batch = store.articles_after(after, cutoff, BATCH).await?;
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
                if matches.is_empty()
                    && store.match_count(stored.article.id, name.into()).await? == 0
                {
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
                        let outlets = store.story_outlets(stored.article).await?;
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
                if store
                    .replace_matches(stored.article, name.into(), matches, new_alert, now)
                    .await?
                {
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
}
