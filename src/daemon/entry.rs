//! One new entry: page fetch, extraction, matching, alerts, storage.

use chrono::{DateTime, FixedOffset, Utc};

use super::Pipeline;
use crate::alert::NewAlert;
use crate::alert::{self, About, AlertArticle};
use crate::config::Feed;
use crate::extract::{self, DateSource, RuleOutcome, learned};
use crate::feed::Entry;
use crate::fetch::Outcome;
use crate::schedule::page_retry;
use crate::store::{self, BodySource, NewArticle, RetriedPage, Storage, StoreError};
use crate::story::Signature;
use crate::watch::{Match, Subject};

/// Failed pages of one feed fetched again per poll, at most.
const PAGE_RETRIES_PER_POLL: usize = 8;

/// Articles whose story is looked for among those fetched this long ago.
const STORY_WINDOW: std::time::Duration = std::time::Duration::from_secs(48 * 3600);

impl<S: Storage> Pipeline<S> {
    /// Take one new entry through page fetch, extraction, matching and storage. Returns the
    /// number of alerts raised, or `None` when another poll (of this feed or another carrying
    /// the same article) stored it first.
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
                self.metrics
                    .count("raqib_extraction_failures_total", &[], 1);
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
        // A date guessed from the page's text may be a sidebar's: it is stored, but only a date
        // the feed, the markup or the URL states can make an article too old to alert.
        let dated_in_text_only = entry.published.is_none()
            && page
                .as_ref()
                .is_some_and(|(p, _)| p.published_from == DateSource::Text);
        let mut article = self.new_article(feed, feed_id, &entry, page, body_error, now);
        let (matches, drafts) = self.matches_and_drafts(
            feed,
            About {
                url: article.url.as_deref(),
                feed_url: feed.url.as_str(),
                entry_key: &entry.key,
            },
            &Subject {
                title: &article.title,
                body: &article.body,
                outlet: &feed.outlet,
                lang: article.lang.as_deref(),
            },
            article.published_at.filter(|_| !dated_in_text_only),
            now,
        );
        article.matches = matches;
        // Computed here, off the database writer; the watches hit count as entities.
        let mut hit: Vec<&str> = article.matches.iter().map(|(w, _)| w.as_str()).collect();
        hit.dedup();
        article.story = Signature::of(&article.title, &article.body, hit);
        article.index_tokens = Some(crate::text::index::article_tokens(
            &article.title,
            &article.body,
        ));
        let shown = AlertArticle {
            id: 0,
            url: article.url.clone(),
            title: article.title.clone(),
            feed: feed.url.to_string(),
            outlet: feed.outlet.clone(),
            published_at: alert::published(article.published_at),
            lang: article.lang.clone(),
        };
        let alerts_for = move |stored: store::StoredArticle, outlets: &[String]| -> Vec<NewAlert> {
            drafts
                .into_iter()
                .map(|draft| draft.finish(stored.id, stored.story_id, &shown, outlets, now))
                .collect()
        };
        let stored = self
            .noted(
                self.store()
                    .insert_article(article, now, STORY_WINDOW, alerts_for),
            )
            .await?;
        if stored.is_some() {
            self.metrics.count("raqib_articles_stored_total", &[], 1);
        }
        Ok(stored.map(|inserted| inserted.alerts))
    }

    async fn fetch_article(
        &self,
        feed: &Feed,
        feed_id: i64,
        url: &url::Url,
    ) -> Result<extract::Article, String> {
        let fetched = self.fetcher.get_page(url, self.now()).await;
        self.progress.moved(self.now());
        let document = match fetched.map_err(|e| e.to_string())? {
            Outcome::Fetched(document) => document,
            Outcome::NotModified { .. } => return Err(format!("{url}: unexpected 304")),
        };
        let rules = feed.rules.clone();
        let zone = feed.timezone;
        let fetched_at = self.now();
        let (article, outcome) = tokio::task::spawn_blocking(move || {
            extract::extract_with(
                &document.text,
                Some(&document.url),
                &extract::Options {
                    rules: rules.as_ref(),
                    fetched_at: Some(fetched_at),
                    zone,
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
                .noted(self.store().record_rule_outcome(feed_id, matched, now))
                .await
            {
                tracing::error!(feed = %feed.url, error = %err, "cannot record the extraction rule outcome");
            }
        }
        Ok(article)
    }

    /// The watches found in an article's title and body, and the alerts they raise: none when
    /// `published_at` (a stated date, the caller's choice) is more than `alert_max_age` ago.
    fn matches_and_drafts(
        &self,
        feed: &Feed,
        about: About<'_>,
        subject: &Subject<'_>,
        published_at: Option<DateTime<FixedOffset>>,
        now: DateTime<Utc>,
    ) -> (Vec<(String, Match)>, Vec<alert::Draft>) {
        // One configuration for the whole article, even if a reload happens meanwhile.
        let live = self.live();
        let hits = live.watchlist.scan(subject);
        for hit in &hits {
            let watch = live.config.watches[hit.watch].name.as_str();
            self.metrics.count(
                "raqib_matches_total",
                &[("watch", watch)],
                hit.matches.len() as u64,
            );
        }
        let matches = hits
            .iter()
            .flat_map(|hit| {
                hit.matches
                    .iter()
                    .map(|m| (live.config.watches[hit.watch].name.clone(), m.clone()))
            })
            .collect();
        let max_age = chrono::Duration::from_std(live.config.daemon.alert_max_age)
            .unwrap_or(chrono::Duration::MAX);
        let alertable = published_at.is_none_or(|p| now - p.with_timezone(&Utc) <= max_age);
        if !alertable && !hits.is_empty() {
            tracing::info!(feed = %feed.url, entry = about.entry_key, published = ?published_at, "matched an entry older than alert_max_age: stored, no alert");
            return (matches, Vec::new());
        }
        let drafts = hits
            .iter()
            .map(|hit| {
                let watch = &live.config.watches[hit.watch];
                let sinks = live
                    .config
                    .sinks_of(watch)
                    .map(|s| s.name.clone())
                    .collect();
                alert::Draft::new(watch, sinks, about, hit.matches.clone())
            })
            .collect();
        (matches, drafts)
    }

    /// Fetch again the pages of `feed` that failed before and are due: a page that arrives
    /// replaces its article's summary and may raise the alerts its full text calls for.
    /// Returns the number of new alerts.
    pub(super) async fn retry_pages(&self, feed: &Feed, feed_id: i64) -> Result<usize, StoreError> {
        let now = self.now();
        let due = self
            .noted(
                self.store()
                    .pages_to_retry(feed_id, now, PAGE_RETRIES_PER_POLL),
            )
            .await?;
        let mut alerts = 0;
        for retry in due {
            let Ok(url) = url::Url::parse(&retry.url) else {
                continue;
            };
            let page = match self.fetch_article(feed, feed_id, &url).await {
                Ok(page) => page,
                Err(err) => {
                    tracing::info!(feed = %feed.url, url = %url, attempt = retry.attempts + 1, error = %err, "article page still unusable");
                    let retry_at = page_retry(retry.attempts + 1, self.now());
                    self.noted(self.store().page_retry_failed(retry, err, retry_at))
                        .await?;
                    continue;
                }
            };
            let now = self.now();
            let (page, _) = self.without_learned_boilerplate(feed, page, now).await?;
            let published_at = retry.published_at.or(page.published_at);
            // As for a new entry: a date read in the text alone does not make it too old.
            let stated_at = retry.published_at.or(page
                .published_at
                .filter(|_| page.published_from != DateSource::Text));
            let (matches, drafts) = self.matches_and_drafts(
                feed,
                About {
                    url: Some(&retry.url),
                    feed_url: feed.url.as_str(),
                    entry_key: &retry.entry_key,
                },
                &Subject {
                    title: &retry.title,
                    body: &page.body,
                    outlet: &feed.outlet,
                    lang: page.lang.as_deref().or(feed.lang.as_deref()),
                },
                stated_at,
                now,
            );
            let shown = AlertArticle {
                id: retry.article.id,
                url: Some(retry.url.clone()),
                title: retry.title.clone(),
                feed: feed.url.to_string(),
                outlet: feed.outlet.clone(),
                published_at: alert::published(published_at),
                lang: page.lang.clone(),
            };
            let article = retry.article;
            let outlets = self.noted(self.store().story_outlets(article)).await?;
            let new_alerts: Vec<NewAlert> = drafts
                .into_iter()
                .map(|d| {
                    d.finish(
                        retry.article.id,
                        retry.article.story_id,
                        &shown,
                        &outlets,
                        now,
                    )
                })
                .collect();
            let completed = RetriedPage {
                body: page.body,
                canonical_url: page.canonical_url,
                author: page.author,
                lang: page.lang,
                site_name: page.site_name,
                matches,
            };
            let raised = self
                .noted(
                    self.store()
                        .complete_page(retry, completed, new_alerts, now),
                )
                .await?;
            tracing::info!(feed = %feed.url, url = %url, new_alerts = raised, "article page fetched on retry");
            alerts += raised;
        }
        Ok(alerts)
    }

    /// The page with its outlet's learned furniture removed from the head and tail of its body,
    /// and the fingerprints of the paragraphs at those edges (which keep the counts learning).
    async fn without_learned_boilerplate(
        &self,
        feed: &Feed,
        mut page: extract::Article,
        now: DateTime<Utc>,
    ) -> Result<(extract::Article, Vec<i64>), StoreError> {
        let fingerprints = learned::fingerprints(&page.body);
        let outlet = feed.outlet.clone();
        let records = self
            .noted(self.store().learned_records(outlet, fingerprints, now))
            .await?;
        let split = learned::split(&page.body, &records);
        if split.body.len() != page.body.len() {
            tracing::debug!(feed = %feed.url, "dropped the outlet's learned boilerplate");
            page.body = split.body;
        }
        Ok((page, split.edges))
    }

    fn new_article(
        &self,
        feed: &Feed,
        feed_id: i64,
        entry: &Entry,
        page: Option<(extract::Article, Vec<i64>)>,
        body_error: Option<String>,
        now: DateTime<Utc>,
    ) -> NewArticle {
        let url = entry.url.as_ref().map(|u| u.to_string());
        let entry_published = entry.published;
        match page {
            Some((page, fingerprints)) => NewArticle {
                outlet: feed.outlet.clone(),
                fingerprints,
                page_retry_at: None,
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
                story: Signature::default(),
                body: page.body,
                body_source: BodySource::Page,
                body_error: None,
                author: page.author.or_else(|| entry.author.clone()),
                lang: page
                    .lang
                    .or_else(|| entry.lang.clone())
                    .or_else(|| feed.lang.clone()),
                site_name: page.site_name,
                // The feed's own date beats one guessed from the page's URL or text.
                published_at: if page.published_from.is_inferred() {
                    entry_published.or(page.published_at)
                } else {
                    page.published_at.or(entry_published)
                },
                matches: Vec::new(),
                index_tokens: None,
            },
            None => NewArticle {
                outlet: feed.outlet.clone(),
                fingerprints: Vec::new(),
                // A page that failed is tried again later; one never fetched is not.
                page_retry_at: body_error.as_ref().and_then(|_| page_retry(1, now)),
                feed_id,
                entry_key: entry.key.clone(),
                url,
                canonical_url: None,
                title: entry.title.clone(),
                story: Signature::default(),
                lang: entry.lang.clone().or_else(|| {
                    extract::detect_language(&format!("{} {}", entry.title, entry.summary))
                        .map(str::to_string)
                        .or_else(|| feed.lang.clone())
                }),
                body: entry.summary.clone(),
                body_source: BodySource::Feed,
                body_error,
                author: entry.author.clone(),
                site_name: None,
                published_at: entry_published,
                matches: Vec::new(),
                index_tokens: None,
            },
        }
    }
}
