//! One new entry: page fetch, extraction, matching, alerts, storage.

use chrono::{DateTime, Utc};

use super::Pipeline;
use crate::alert::{self, AlertArticle};
use crate::config::Feed;
use crate::extract::{self, RuleOutcome, learned};
use crate::feed::Entry;
use crate::fetch::Outcome;
use crate::store::{self, BodySource, NewAlert, NewArticle, StoreError};
use crate::story;

/// Articles whose story is looked for among those fetched this long ago.
const STORY_WINDOW: std::time::Duration = std::time::Duration::from_secs(48 * 3600);

impl Pipeline {
    /// Take one new entry through page fetch, extraction, matching and storage. Returns the
    /// number of alerts raised, or `None` when another poll stored it first.
    pub(super) async fn process_entry(
        &self,
        feed: &Feed,
        feed_id: i64,
        entry: Entry,
    ) -> Result<Option<usize>, StoreError> {
        let page = match (&entry.url, feed.scrape) {
            (Some(url), true) => Some(self.fetch_article(feed, feed_id, url).await),
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
        let now = self.now();
        let page = match page {
            Some(page) => Some(self.without_learned_boilerplate(feed, page, now).await?),
            None => None,
        };
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

    async fn fetch_article(
        &self,
        feed: &Feed,
        feed_id: i64,
        url: &url::Url,
    ) -> Result<extract::Article, String> {
        let document = match self
            .fetcher
            .get_page(url, self.now())
            .await
            .map_err(|e| e.to_string())?
        {
            Outcome::Fetched(document) => document,
            Outcome::NotModified { .. } => return Err(format!("{url}: unexpected 304")),
        };
        let rules = feed.rules.clone();
        let fetched_at = self.now();
        let (article, outcome) = tokio::task::spawn_blocking(move || {
            extract::extract_with(
                &document.text,
                Some(&document.url),
                &extract::Options {
                    rules: rules.as_ref(),
                    fetched_at: Some(fetched_at),
                },
            )
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("{url}: {e}"))?;
        if outcome != RuleOutcome::NoRules {
            let matched = outcome == RuleOutcome::Matched;
            if !matched {
                tracing::warn!(feed = %feed.url, url = %url, "the outlet's extract.body rule matched nothing on this page (redesign?); used the general extractor");
            }
            let now = self.now();
            if let Err(err) = self
                .with_store(move |s| s.record_rule_outcome(feed_id, matched, now))
                .await
            {
                tracing::error!(feed = %feed.url, error = %err, "cannot record the extraction rule outcome");
            }
        }
        Ok(article)
    }

    /// The page with the paragraphs its outlet repeats everywhere removed, and the fingerprints
    /// of all its paragraphs (which keep the counts learning).
    async fn without_learned_boilerplate(
        &self,
        feed: &Feed,
        mut page: extract::Article,
        now: DateTime<Utc>,
    ) -> Result<(extract::Article, Vec<i64>), StoreError> {
        let fingerprints = learned::fingerprints(&page.body);
        let (outlet, lookup) = (feed.outlet.clone(), fingerprints.clone());
        let boilerplate = self
            .with_store(move |s| s.learned_boilerplate(&outlet, &lookup, now))
            .await?;
        if !boilerplate.is_empty() {
            tracing::debug!(feed = %feed.url, paragraphs = boilerplate.len(), "dropped the outlet's learned boilerplate");
            page.body = learned::strip(&page.body, &boilerplate);
        }
        Ok((page, fingerprints))
    }

    fn new_article(
        &self,
        feed: &Feed,
        feed_id: i64,
        entry: &Entry,
        page: Option<(extract::Article, Vec<i64>)>,
        body_error: Option<String>,
    ) -> NewArticle {
        let url = entry.url.as_ref().map(|u| u.to_string());
        let entry_published = entry.published.map(|d| d.fixed_offset());
        match page {
            Some((page, fingerprints)) => NewArticle {
                outlet: feed.outlet.clone(),
                fingerprints,
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
                // The feed's own date beats one guessed from the page's URL or text.
                published_at: if page.published_guessed {
                    entry_published.or(page.published_at)
                } else {
                    page.published_at.or(entry_published)
                },
                matches: Vec::new(),
            },
            None => NewArticle {
                outlet: feed.outlet.clone(),
                fingerprints: Vec::new(),
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
}
