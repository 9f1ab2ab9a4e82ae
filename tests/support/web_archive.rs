//! An archive held in memory for the web view's tests: Arabic articles from the seeds, French
//! and English ones about the same meeting, and one whose headline and body are markup. Their
//! matches come from the real watch compiler and scanner, and a search is a watch compiled
//! from the query and run over them, as `raqib search` does on a database.

#![allow(dead_code)] // each test binary uses its own part of this module

use std::sync::Arc;

use raqib::config::{Severity, Watch, query};
use raqib::health::{FeedReport, FeedStatus};
use raqib::store::{AlertSummary, DeliverySummary, FeedHealth, StorySummary};
use raqib::watch::{Match, Subject, Watchlist};
use raqib::web::{
    AlertFilter, Archive, ArchiveError, ArticleRef, ArticleView, SearchHit, StoryView, WatchView,
};

/// The headline (and body) of the article made of markup.
pub const HOSTILE_TITLE: &str =
    "<script>window.raqibPwned = 1</script><img src=x onerror=\"window.raqibPwned = 2\">";

pub const ARABIC_ARTICLE: i64 = 1;
pub const FRENCH_ARTICLE: i64 = 4;
pub const ENGLISH_ARTICLE: i64 = 5;
pub const HOSTILE_ARTICLE: i64 = 6;
pub const STORY: i64 = 10;

struct Stored {
    article: ArticleRef,
    story: i64,
    body: String,
    matches: Vec<(String, Match)>,
}

pub struct Fixture {
    articles: Vec<Stored>,
    watches: Vec<Watch>,
}

fn watch(name: &str, aliases: &[&str], query_text: Option<&str>, severity: Severity) -> Watch {
    Watch {
        name: name.into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        query: query_text.map(|q| query::parse(q).expect("fixture query")),
        query_text: query_text.map(str::to_string),
        context: Vec::new(),
        severity,
        sinks: Vec::new(),
        alert: Default::default(),
    }
}

const WATCH_QUERIES: &[(&str, &str)] = &[("terrorism", "الإرهاب OR terrorisme OR terrorism")];

fn seed(n: usize) -> (String, String) {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seeds");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("seeds")
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    let text = std::fs::read_to_string(&paths[n]).expect("seed");
    let (title, body) = text
        .split_once('\n')
        .expect("a seed's first line is its title");
    (title.trim().to_string(), body.trim().to_string())
}

const FRENCH: (&str, &str) = (
    "Abdellatif Hammouchi reçoit Alexandre Zouev à Rabat",
    "Le directeur général de la Sûreté nationale et de la Surveillance du territoire, \
     Abdellatif Hammouchi, a reçu lundi à Rabat Alexandre Zouev, sous-secrétaire général des \
     Nations unies chargé des opérations de paix.\n\n\
     Les deux responsables ont évoqué la montée des menaces liées au terrorisme et la \
     coopération internationale dans la prévention et la sécurisation des grands événements.",
);

const ENGLISH: (&str, &str) = (
    "Hammouchi and UN official Zouev discuss security cooperation in Rabat",
    "Morocco's head of national security, Abdellatif Hammouchi, received Alexander Zouev, the \
     United Nations Assistant Secretary-General for Rule of Law and Security Institutions, on \
     Monday in Rabat.\n\n\
     The meeting covered rising terrorism threats and international cooperation in prevention \
     and in securing major events.",
);

impl Fixture {
    pub fn new() -> Arc<Fixture> {
        let watches = vec![
            watch("hammouchi", &["حموشي", "Hammouchi"], None, Severity::High),
            watch("terrorism", &[], Some(WATCH_QUERIES[0].1), Severity::Medium),
        ];
        let list = Watchlist::compile(&watches).expect("fixture watches");
        let arabic: Vec<_> = (0..3).map(seed).collect();
        let texts = [
            (
                arabic[0].clone(),
                "هسبريس",
                "ar",
                "2026-11-23T09:12:00+01:00",
                STORY,
            ),
            (
                arabic[1].clone(),
                "العمق المغربي",
                "ar",
                "2026-11-23T10:40:00+01:00",
                STORY,
            ),
            (
                arabic[2].clone(),
                "الأحداث المغربية",
                "ar",
                "2026-11-23T11:05:00+01:00",
                STORY,
            ),
            (
                (FRENCH.0.into(), FRENCH.1.into()),
                "Le Matin",
                "fr",
                "2026-11-23T12:30:00+01:00",
                STORY,
            ),
            (
                (ENGLISH.0.into(), ENGLISH.1.into()),
                "Morocco World News",
                "en",
                "2026-11-23T14:02:00+01:00",
                STORY,
            ),
            (
                (
                    HOSTILE_TITLE.into(),
                    format!("{HOSTILE_TITLE}\n\nHammouchi"),
                ),
                "<b>Outlet</b>",
                "en",
                "2026-11-24T08:00:00+01:00",
                11,
            ),
        ];
        let articles = texts
            .into_iter()
            .enumerate()
            .map(|(i, ((title, body), outlet, lang, published, story))| {
                let id = i as i64 + 1;
                let hits = list.scan(&Subject {
                    title: &title,
                    body: &body,
                    outlet,
                    lang: Some(lang),
                });
                let matches = hits
                    .into_iter()
                    .flat_map(|hit| {
                        let name = watches[hit.watch].name.clone();
                        hit.matches.into_iter().map(move |m| (name.clone(), m))
                    })
                    .collect();
                Stored {
                    article: ArticleRef {
                        id,
                        title,
                        outlet: outlet.into(),
                        url: Some(format!("https://news.example/{id}")),
                        lang: Some(lang.into()),
                        published_at: Some(published.into()),
                    },
                    story,
                    body,
                    matches,
                }
            })
            .collect();
        Arc::new(Fixture { articles, watches })
    }

    /// The ids of the articles `watch` matched, in id order.
    pub fn matched_by(&self, watch: &str) -> Vec<i64> {
        self.articles
            .iter()
            .filter(|a| a.matches.iter().any(|(w, _)| w == watch))
            .map(|a| a.article.id)
            .collect()
    }

    fn story_ids(&self) -> Vec<i64> {
        let mut ids: Vec<_> = self.articles.iter().map(|a| a.story).collect();
        ids.dedup();
        ids
    }

    fn summary(&self, story: i64) -> Option<StorySummary> {
        let articles: Vec<_> = self.articles.iter().filter(|a| a.story == story).collect();
        let first = articles.first()?;
        let mut watches: Vec<String> = articles
            .iter()
            .flat_map(|a| a.matches.iter().map(|(w, _)| w.clone()))
            .collect();
        watches.sort();
        watches.dedup();
        Some(StorySummary {
            id: story,
            first_seen_at: first.article.published_at.clone().unwrap_or_default(),
            last_seen_at: articles[articles.len() - 1]
                .article
                .published_at
                .clone()
                .unwrap_or_default(),
            title: first.article.title.clone(),
            articles: articles.len() as u64,
            outlets: articles.iter().map(|a| a.article.outlet.clone()).collect(),
            watches,
        })
    }

    /// One alert per watch and story, raised by its first matching article; the later ones
    /// are recorded against it.
    fn all_alerts(&self) -> Vec<AlertSummary> {
        let mut alerts = Vec::new();
        for w in &self.watches {
            for story in self.story_ids() {
                let matching: Vec<_> = self
                    .articles
                    .iter()
                    .filter(|a| a.story == story && a.matches.iter().any(|(n, _)| *n == w.name))
                    .collect();
                let Some(first) = matching.first() else {
                    continue;
                };
                alerts.push(AlertSummary {
                    id: format!("{}-{}", w.name, first.article.id),
                    watch: w.name.clone(),
                    severity: w.severity.as_str().into(),
                    raised_at: first.article.published_at.clone().unwrap_or_default(),
                    story,
                    title: first.article.title.clone(),
                    url: first.article.url.clone(),
                    outlet: first.article.outlet.clone(),
                    also_reported_by: matching[1..]
                        .iter()
                        .map(|a| a.article.outlet.clone())
                        .collect(),
                    deliveries: vec![DeliverySummary {
                        sink: "log".into(),
                        state: "delivered".into(),
                        attempts: 1,
                        last_error: None,
                    }],
                });
            }
        }
        alerts.sort_by(|a, b| b.raised_at.cmp(&a.raised_at));
        alerts
    }
}

impl Archive for Fixture {
    async fn alerts(&self, filter: AlertFilter) -> Result<Vec<AlertSummary>, ArchiveError> {
        Ok(self
            .all_alerts()
            .into_iter()
            .filter(|a| filter.watch.as_ref().is_none_or(|w| *w == a.watch))
            .filter(|a| filter.severity.as_ref().is_none_or(|s| *s == a.severity))
            .collect())
    }

    async fn stories(&self) -> Result<Vec<StorySummary>, ArchiveError> {
        let mut stories: Vec<_> = self
            .story_ids()
            .into_iter()
            .filter_map(|id| self.summary(id))
            .collect();
        stories.reverse();
        Ok(stories)
    }

    async fn story(&self, id: i64) -> Result<Option<StoryView>, ArchiveError> {
        Ok(self.summary(id).map(|summary| StoryView {
            summary,
            articles: self
                .articles
                .iter()
                .filter(|a| a.story == id)
                .map(|a| a.article.clone())
                .collect(),
        }))
    }

    async fn article(&self, id: i64) -> Result<Option<ArticleView>, ArchiveError> {
        Ok(self
            .articles
            .iter()
            .find(|a| a.article.id == id)
            .map(|a| ArticleView {
                article: a.article.clone(),
                story: a.story,
                body: a.body.clone(),
                matches: a.matches.clone(),
            }))
    }

    async fn feeds(&self) -> Result<Vec<FeedReport>, ArchiveError> {
        let healthy = FeedHealth {
            url: "https://www.hespress.com/feed".into(),
            outlet: "هسبريس".into(),
            last_success_at: Some("2026-11-29T12:20:00+00:00".into()),
            last_polled_at: Some("2026-11-29T12:20:00+00:00".into()),
            next_due_at: Some("2026-11-29T12:35:00+00:00".into()),
            interval_secs: Some(900),
            articles_7d: 212,
            ..FeedHealth::default()
        };
        let failing = FeedHealth {
            url: "https://lematin.ma/rss".into(),
            outlet: "Le Matin".into(),
            consecutive_errors: 3,
            last_error: Some("http: 503 Service Unavailable".into()),
            interval_secs: Some(1800),
            articles_7d: 40,
            ..healthy.clone()
        };
        Ok(vec![
            FeedReport {
                status: FeedStatus::Ok,
                stale: false,
                health: healthy,
            },
            FeedReport {
                status: FeedStatus::Failing,
                stale: false,
                health: failing,
            },
        ])
    }

    async fn watches(&self) -> Result<Vec<WatchView>, ArchiveError> {
        let alerts = self.all_alerts();
        Ok(self
            .watches
            .iter()
            .map(|w| WatchView {
                name: w.name.clone(),
                severity: w.severity.as_str().into(),
                aliases: w.aliases.clone(),
                query: WATCH_QUERIES
                    .iter()
                    .find(|(name, _)| *name == w.name)
                    .map(|(_, q)| q.to_string()),
                alerts: alerts.iter().filter(|a| a.watch == w.name).count() as u64,
            })
            .collect())
    }

    async fn search(&self, query_text: String) -> Result<Vec<SearchHit>, ArchiveError> {
        let parsed = query::parse(&query_text)
            .map_err(|e| ArchiveError::Query(format!("column {}: {}", e.column, e.message)))?;
        let searched = Watch {
            query: Some(parsed),
            ..watch("search", &[], None, Severity::Info)
        };
        let list =
            Watchlist::compile(&[searched]).map_err(|e| ArchiveError::Query(e.to_string()))?;
        let mut hits: Vec<_> = self
            .articles
            .iter()
            .filter_map(|a| {
                let found = list.scan(&Subject {
                    title: &a.article.title,
                    body: &a.body,
                    outlet: &a.article.outlet,
                    lang: a.article.lang.as_deref(),
                });
                let hit = found.into_iter().next()?;
                Some(SearchHit {
                    article: a.article.clone(),
                    story: a.story,
                    matches: hit.matches,
                })
            })
            .collect();
        hits.reverse();
        Ok(hits)
    }
}

/// An archive whose storage fails, naming a file the reader must not see.
pub struct Broken;

const BROKEN: &str = "/var/lib/raqib/secret.db: disk I/O error";

impl Archive for Broken {
    async fn alerts(&self, _: AlertFilter) -> Result<Vec<AlertSummary>, ArchiveError> {
        Err(ArchiveError::Storage(BROKEN.into()))
    }
    async fn stories(&self) -> Result<Vec<StorySummary>, ArchiveError> {
        Err(ArchiveError::Storage(BROKEN.into()))
    }
    async fn story(&self, _: i64) -> Result<Option<StoryView>, ArchiveError> {
        Err(ArchiveError::Storage(BROKEN.into()))
    }
    async fn article(&self, _: i64) -> Result<Option<ArticleView>, ArchiveError> {
        Err(ArchiveError::Storage(BROKEN.into()))
    }
    async fn feeds(&self) -> Result<Vec<FeedReport>, ArchiveError> {
        Err(ArchiveError::Storage(BROKEN.into()))
    }
    async fn watches(&self) -> Result<Vec<WatchView>, ArchiveError> {
        Err(ArchiveError::Storage(BROKEN.into()))
    }
    async fn search(&self, _: String) -> Result<Vec<SearchHit>, ArchiveError> {
        Err(ArchiveError::Storage(BROKEN.into()))
    }
}

/// Serves `router` on a free loopback port until the test ends; its base URL.
pub async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}")
}
