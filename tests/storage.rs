//! What every storage backend guarantees (ARCHITECTURE.md, "The storage seam"), asserted
//! through the seam's traits alone: each check is generic over the backend, and runs on
//! SQLite (a real file in a temporary directory) and on PostgreSQL (a database of its own on
//! the server `RAQIB_TEST_POSTGRES` names, see `support/postgres.rs`). The archive's listings
//! of the same rows, stored through the seam, are the same on both.

mod common;
#[path = "support/postgres.rs"]
mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::articles;
use common::skip;
use raqib::alert::NewAlert;
use raqib::alert::dispatch::Decision;
use raqib::config::AlertPolicy;
use raqib::store::{
    AlertEntry, AlertSummary, ArticleDetail, ClaimLimits, FeedHealth, Feeds, Listings, NewArticle,
    PollRecord, Postgres, Reader, RetriedPage, Sqlite, Stats, Storage, StoryDetail, StorySummary,
};
use raqib::watch::{Field, Match};
use support::TestDatabase;

const STORY_WINDOW: Duration = Duration::from_secs(48 * 3600);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn sqlite() -> (tempfile::TempDir, Arc<Sqlite>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Sqlite::open(&dir.path().join("raqib.db")).unwrap();
    (dir, Arc::new(store))
}

/// A migrated database of the test's own, or `None` when no server is configured.
async fn postgres() -> Option<(TestDatabase, Arc<Postgres>)> {
    let db = TestDatabase::create().await?;
    let store = Postgres::connect(&db.url, None, 8).await.expect("connect");
    Some((db, Arc::new(store)))
}

fn article(feed_id: i64, key: &str, url: &str, title: &str) -> NewArticle {
    let body = format!("{title}. The ministry confirmed the visit on Sunday evening.");
    articles::summary(feed_id, key, url, title, &body)
}

/// The id of the one feed a check stores through.
async fn feed(store: &impl Storage) -> i64 {
    let url = "http://127.0.0.1:9/feed".to_string();
    store
        .sync_feed(url, "Outlet".into(), t0())
        .await
        .unwrap()
        .id
}

fn alert(uid: &str, watch: &str, policy: AlertPolicy) -> NewAlert {
    NewAlert {
        uid: uid.into(),
        policy,
        watch: watch.into(),
        severity: "high".into(),
        payload: format!("{{\"id\":\"{uid}\"}}"),
        sinks: vec!["hook".into()],
    }
}

/// Eight writers store one article through four feeds at once, its URL spelt with a
/// fragment or a campaign parameter by some: one stores it, the others write nothing.
async fn one_article_per_url<S: Storage>(store: Arc<S>) {
    let mut feeds = Vec::new();
    for i in 0..4 {
        let url = format!("http://127.0.0.1:9/feed/{i}");
        feeds.push(
            store
                .sync_feed(url, format!("Outlet {i}"), t0())
                .await
                .unwrap()
                .id,
        );
    }
    let spellings = [
        "http://127.0.0.1:9/news/visit",
        "http://127.0.0.1:9/news/visit#top",
        "http://127.0.0.1:9/news/visit?utm_source=rss",
    ];
    let mut writers = tokio::task::JoinSet::new();
    for i in 0..8 {
        let store = Arc::clone(&store);
        let new = article(
            feeds[i % 4],
            &format!("guid:{i}"),
            spellings[i % 3],
            "Minister visits Rabat",
        );
        writers.spawn(async move {
            store
                .insert_article(new, t0(), STORY_WINDOW, |_, _| Vec::new())
                .await
                .unwrap()
        });
    }
    let stored: Vec<_> = writers.join_all().await.into_iter().flatten().collect();
    assert_eq!(stored.len(), 1, "{stored:?}");
    let known = store
        .known_entries(
            feeds[3],
            vec!["guid:other".into()],
            vec![spellings[0].into()],
        )
        .await
        .unwrap();
    assert!(known.contains(spellings[0]), "{known:?}");
}

/// An alert is raised once per (watch, article); under the story policy a later article of
/// the story raises nothing, under the article policy it raises its own.
async fn alerts_once_per_watch_and_article<S: Storage>(store: Arc<S>) {
    let feed = feed(&*store).await;
    let title = "Minister visits Rabat for talks on water";
    let first = store
        .insert_article(
            article(feed, "guid:1", "http://127.0.0.1:9/news/1", title),
            t0(),
            STORY_WINDOW,
            |_, _| {
                vec![
                    alert("a-1", "minister", AlertPolicy::Article),
                    alert("a-1-again", "minister", AlertPolicy::Article),
                    alert("s-1", "water", AlertPolicy::Story),
                ]
            },
        )
        .await
        .unwrap()
        .expect("a new article");
    assert_eq!(first.alerts, 2, "one per watch");
    let later = t0() + chrono::Duration::minutes(10);
    let second = store
        .insert_article(
            article(feed, "guid:2", "http://127.0.0.1:9/news/2", title),
            later,
            STORY_WINDOW,
            |_, _| {
                vec![
                    alert("a-2", "minister", AlertPolicy::Article),
                    alert("s-2", "water", AlertPolicy::Story),
                ]
            },
        )
        .await
        .unwrap()
        .expect("a new article");
    assert_eq!(second.article.story_id, first.article.story_id, "a reprint");
    assert_eq!(
        second.alerts, 1,
        "the story's water alert is not raised again"
    );
    assert_eq!(store.pending_deliveries().await.unwrap(), 3);
}

/// A claimed delivery is the claimant's alone until its claim expires or its outcome is
/// recorded.
async fn a_claimed_delivery_is_its_claimant_s_alone<S: Storage>(store: Arc<S>) {
    let feed = feed(&*store).await;
    store
        .insert_article(
            article(
                feed,
                "guid:1",
                "http://127.0.0.1:9/news/1",
                "Minister visits Rabat",
            ),
            t0(),
            STORY_WINDOW,
            |_, _| vec![alert("a-1", "minister", AlertPolicy::Article)],
        )
        .await
        .unwrap()
        .expect("a new article");
    let limits = ClaimLimits {
        alerts: 500,
        digests: 50,
    };
    let now = t0() + chrono::Duration::seconds(1);
    let until = now + chrono::Duration::seconds(30);
    let (first, second) = tokio::join!(
        store.claim_deliveries(1, now, until, limits),
        store.claim_deliveries(2, now, until, limits),
    );
    let (first, second) = (first.unwrap().deliveries, second.unwrap().deliveries);
    assert_eq!(first.len() + second.len(), 1, "{first:?} {second:?}");
    let (holder, rows) = if first.is_empty() {
        (2, second)
    } else {
        (1, first)
    };
    let later = until + chrono::Duration::seconds(30);
    assert_eq!(store.renew_claim(holder, later).await.unwrap(), 1);
    let during = until + chrono::Duration::seconds(1);
    let taken = store.claim_deliveries(3, during, later, limits).await;
    assert!(taken.unwrap().deliveries.is_empty(), "renewed: still held");
    let expired = later + chrono::Duration::seconds(1);
    let retaken = store
        .claim_deliveries(4, expired, expired + chrono::Duration::seconds(30), limits)
        .await
        .unwrap()
        .deliveries;
    assert_eq!(retaken, rows, "an expired claim leaves the row to others");
    store
        .record_attempts(vec![(rows[0].id, Decision::Delivered)], expired)
        .await
        .unwrap();
    assert_eq!(store.pending_deliveries().await.unwrap(), 0);
    let after = expired + chrono::Duration::minutes(5);
    let claimed = store
        .claim_deliveries(5, after, after + chrono::Duration::seconds(30), limits)
        .await
        .unwrap();
    assert!(
        claimed.deliveries.is_empty(),
        "delivered: never claimed again"
    );
}

/// A delivery held back by its sink's `max_per_minute` waits until it is let go, counts no
/// attempt, and is claimed then marked folded (and stays so after a failed attempt), so that
/// it goes out in its sink's digest, whichever process claims it.
async fn a_held_delivery_waits_folded<S: Storage>(store: Arc<S>) {
    let feed = feed(&*store).await;
    store
        .insert_article(
            article(
                feed,
                "guid:1",
                "http://127.0.0.1:9/news/1",
                "Minister visits Rabat",
            ),
            t0(),
            STORY_WINDOW,
            |_, _| vec![alert("a-1", "minister", AlertPolicy::Article)],
        )
        .await
        .unwrap()
        .expect("a new article");
    let limits = ClaimLimits {
        alerts: 500,
        digests: 50,
    };
    let claim = |n: i64, at: DateTime<Utc>| {
        let store = store.clone();
        async move {
            store
                .claim_deliveries(n, at, at + chrono::Duration::seconds(30), limits)
                .await
                .unwrap()
                .deliveries
        }
    };
    let now = t0() + chrono::Duration::seconds(1);
    let rows = claim(1, now).await;
    assert_eq!(rows.len(), 1);
    assert!(!rows[0].folded);
    let until = now + chrono::Duration::seconds(60);
    store
        .record_attempts(vec![(rows[0].id, Decision::Held { until })], now)
        .await
        .unwrap();
    assert!(
        claim(2, until - chrono::Duration::seconds(1))
            .await
            .is_empty(),
        "held"
    );
    let let_go = claim(3, until).await;
    assert_eq!(let_go.len(), 1);
    assert!(let_go[0].folded);
    assert_eq!(let_go[0].attempts, 0, "holding is no attempt");
    let retry = Decision::Retry {
        at: until + chrono::Duration::seconds(5),
        error: "HTTP 503".into(),
    };
    store
        .record_attempts(vec![(rows[0].id, retry)], until)
        .await
        .unwrap();
    let again = claim(4, until + chrono::Duration::seconds(5)).await;
    assert!(again[0].folded && again[0].attempts == 1, "{again:?}");
}

/// A page fetched late replaces the summary: its body, its matches (the summary's go), and
/// its alerts, raised once even when the page completes twice.
async fn a_page_fetched_late_completes_its_article<S: Storage>(store: Arc<S>) {
    let feed = feed(&*store).await;
    let mut summary = article(
        feed,
        "guid:1",
        "http://127.0.0.1:9/news/1",
        "Minister visits Rabat",
    );
    summary.page_retry_at = Some(t0());
    summary.matches = vec![("minister".into(), hit("Minister", Field::Title, 0))];
    let stored = store
        .insert_article(summary, t0(), STORY_WINDOW, |_, _| Vec::new())
        .await
        .unwrap()
        .expect("a new article");
    let later = t0() + chrono::Duration::minutes(5);
    let retries = store.pages_to_retry(feed, later, 10).await.unwrap();
    assert_eq!(retries.len(), 1, "{retries:?}");
    assert_eq!(retries[0].article, stored.article);
    let body = "The minister met the king of Morocco. The minister spoke of water.";
    let page = RetriedPage {
        body: body.into(),
        canonical_url: None,
        author: Some("A. Writer".into()),
        lang: Some("en".into()),
        site_name: None,
        matches: vec![
            ("water".into(), hit("water", Field::Body, 60)),
            ("minister".into(), hit("minister", Field::Body, 4)),
            ("minister".into(), hit("minister", Field::Body, 42)),
        ],
    };
    let alerts = || {
        vec![
            alert("p-1", "minister", AlertPolicy::Article),
            alert("p-2", "water", AlertPolicy::Article),
        ]
    };
    let new = store
        .complete_page(retries[0].clone(), page.clone(), alerts(), later)
        .await
        .unwrap();
    assert_eq!(new, 2);
    let again = store
        .complete_page(retries[0].clone(), page, alerts(), later)
        .await
        .unwrap();
    assert_eq!(again, 0, "alerts raised once");
    let id = stored.article.id;
    assert_eq!(store.match_count(id, "minister".into()).await.unwrap(), 2);
    assert_eq!(store.match_count(id, "water".into()).await.unwrap(), 1);
    assert!(
        store
            .pages_to_retry(feed, later, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let texts = store.articles_after(0, None, 10).await.unwrap();
    assert_eq!(texts.len(), 1);
    assert_eq!(texts[0].body, body);
    assert_eq!(store.pending_deliveries().await.unwrap(), 2);
}

fn hit(text: &str, field: Field, start: usize) -> Match {
    Match {
        term: text.to_lowercase(),
        text: text.into(),
        field,
        start,
        end: start + text.len(),
        snippet: text.into(),
    }
}

/// Each check on both backends: `$check` on SQLite as `$sqlite`, on PostgreSQL as `$postgres`.
macro_rules! on_both {
    ($check:ident, $workers:literal, $sqlite:ident, $postgres:ident) => {
        #[tokio::test(flavor = "multi_thread", worker_threads = $workers)]
        async fn $sqlite() {
            let (_dir, store) = sqlite();
            $check(store).await;
        }

        #[tokio::test(flavor = "multi_thread", worker_threads = $workers)]
        async fn $postgres() {
            let Some((_db, store)) = postgres().await else {
                return;
            };
            $check(store).await;
        }
    };
}

on_both!(
    one_article_per_url,
    4,
    sqlite_stores_one_article_per_url,
    postgres_stores_one_article_per_url
);
on_both!(
    alerts_once_per_watch_and_article,
    1,
    sqlite_raises_alerts_once_per_watch_and_article,
    postgres_raises_alerts_once_per_watch_and_article
);
on_both!(
    a_claimed_delivery_is_its_claimant_s_alone,
    2,
    sqlite_leaves_a_claimed_delivery_to_its_claimant,
    postgres_leaves_a_claimed_delivery_to_its_claimant
);
on_both!(
    a_held_delivery_waits_folded,
    1,
    sqlite_holds_a_delivery_folded,
    postgres_holds_a_delivery_folded
);
on_both!(
    a_page_fetched_late_completes_its_article,
    1,
    sqlite_completes_a_page_fetched_late,
    postgres_completes_a_page_fetched_late
);

/// Two processes on one PostgreSQL database: a due feed is given to one of them at a time,
/// renewed by its holder alone, and given to the other once released (SQLite, which one
/// process writes, always gives it).
#[tokio::test]
async fn postgres_gives_a_feed_to_one_process_at_a_time() {
    let Some((db, first)) = postgres().await else {
        return;
    };
    let second = Postgres::connect(&db.url, None, 2).await.expect("connect");
    let url = "http://127.0.0.1:9/feed".to_string();
    feed(&*first).await;
    let lease = Duration::from_secs(60);
    let now = t0();
    assert!(first.take_feed(url.clone(), now, lease).await.unwrap());
    assert!(!second.take_feed(url.clone(), now, lease).await.unwrap());
    assert!(first.renew_feed(url.clone(), now, lease).await.unwrap());
    assert!(!second.renew_feed(url.clone(), now, lease).await.unwrap());
    first.release_feed(url.clone()).await.unwrap();
    assert!(second.take_feed(url.clone(), now, lease).await.unwrap());
    assert!(!first.renew_feed(url.clone(), now, lease).await.unwrap());
    // A lease not renewed ends: the feed goes to whoever asks next.
    let ended = now + chrono::Duration::seconds(61);
    assert!(first.take_feed(url.clone(), ended, lease).await.unwrap());
    assert!(!second.renew_feed(url, ended, lease).await.unwrap());
}

/// What the archive commands list of one archive.
#[derive(Debug, PartialEq)]
struct Listed {
    feeds: Vec<Option<FeedHealth>>,
    stories: Vec<StorySummary>,
    alerts: Vec<AlertSummary>,
    water: Vec<AlertSummary>,
    stats: Stats,
    story: Option<StoryDetail>,
    article: Option<ArticleDetail>,
    entries: Vec<AlertEntry>,
    missing: (Option<ArticleDetail>, Option<StoryDetail>),
}

const FEED_A: &str = "http://127.0.0.1:9/feed/a";
const FEED_B: &str = "http://127.0.0.1:9/feed/b";
const FEED_C: &str = "http://127.0.0.1:9/feed/c";
const FEED_D: &str = "http://127.0.0.1:9/feed/d";

/// Four outlets (named so that byte order and a dictionary's order differ), three articles in
/// two stories, a story alert the second outlet also reported, an article alert, deliveries
/// delivered, retried and pending.
async fn store_an_archive<S: Storage>(store: &S) {
    let a = store
        .sync_feed(FEED_A.into(), "ahram".into(), t0())
        .await
        .unwrap()
        .id;
    let b = store
        .sync_feed(FEED_B.into(), "Le360".into(), t0())
        .await
        .unwrap()
        .id;
    for (url, outlet) in [(FEED_C, "alyaoum"), (FEED_D, "Zaman")] {
        store
            .sync_feed(url.into(), outlet.into(), t0())
            .await
            .unwrap();
    }
    let title = "Minister visits Rabat for talks on water";
    let mut first = article(a, "guid:1", "http://127.0.0.1:9/news/1", title);
    // Published before the reprint, in an offset whose text sorts after the reprint's.
    first.published_at =
        Some(chrono::DateTime::parse_from_rfc3339("2026-03-01T08:30:00+01:00").unwrap());
    first.lang = Some("ar".into());
    first.body = "وزير الماء يزور الرباط. <script>alert(1)</script>".into();
    first.matches = vec![
        ("Water".into(), hit("water", Field::Title, 36)),
        ("minister".into(), hit("Minister", Field::Title, 0)),
    ];
    let with_sinks = |mut alert: NewAlert| {
        alert.sinks = vec!["file".into(), "Hook".into()];
        alert
    };
    store
        .insert_article(first, t0(), STORY_WINDOW, move |_, _| {
            vec![with_sinks(alert("s-1", "Water", AlertPolicy::Story))]
        })
        .await
        .unwrap()
        .expect("a new article");
    let mut reprint = article(b, "guid:2", "http://127.0.0.1:9/news/2", title);
    reprint.published_at =
        Some(chrono::DateTime::parse_from_rfc3339("2026-03-01T07:45:00Z").unwrap());
    reprint.matches = vec![("Water".into(), hit("water", Field::Title, 36))];
    let later = t0() + chrono::Duration::minutes(10);
    store
        .insert_article(reprint, later, STORY_WINDOW, |_, _| {
            vec![alert("s-2", "Water", AlertPolicy::Story)]
        })
        .await
        .unwrap()
        .expect("a new article");
    let other = article(
        b,
        "guid:3",
        "http://127.0.0.1:9/news/3",
        "Storms close the port of Tangier for a second day",
    );
    let latest = t0() + chrono::Duration::minutes(20);
    store
        .insert_article(other, latest, STORY_WINDOW, |_, _| {
            vec![alert("a-3", "port", AlertPolicy::Article)]
        })
        .await
        .unwrap()
        .expect("a new article");
    let at = latest + chrono::Duration::minutes(1);
    let limits = ClaimLimits {
        alerts: 500,
        digests: 50,
    };
    let claimed = store
        .claim_deliveries(1, at, at + chrono::Duration::seconds(30), limits)
        .await
        .unwrap()
        .deliveries;
    let outcomes = claimed
        .iter()
        .filter(|d| d.alert_uid == "s-1")
        .map(|d| {
            let decision = if d.sink == "Hook" {
                Decision::Delivered
            } else {
                Decision::Retry {
                    at: at + chrono::Duration::minutes(5),
                    error: "disk full".into(),
                }
            };
            (d.id, decision)
        })
        .collect();
    store.record_attempts(outcomes, at).await.unwrap();
    let record = PollRecord {
        validators: Some(raqib::fetch::Validators {
            etag: Some("\"v1\"".into()),
            last_modified: None,
        }),
        encoding: Some("UTF-8".into()),
        interval: Duration::from_secs(600),
        newest_entry: Some(latest),
        ..PollRecord::default()
    };
    store
        .record_poll_success(a, record, at, at + chrono::Duration::minutes(10))
        .await
        .unwrap();
    store
        .record_poll_failure(b, "HTTP 503".into(), at, at + chrono::Duration::minutes(2))
        .await
        .unwrap();
}

/// Everything the archive commands list.
async fn list(listings: &impl Listings) -> Listed {
    let now = t0() + chrono::Duration::hours(1);
    let since = t0() - chrono::Duration::hours(1);
    let urls = [FEED_A, FEED_B, "http://127.0.0.1:9/never"];
    let stories = listings.stories_since(since).await.unwrap();
    let story = listings.story(stories[1].id).await.unwrap();
    let first = story.as_ref().map_or(0, |s| s.articles[0].id);
    Listed {
        story,
        article: listings.article(first).await.unwrap(),
        entries: listings.alert_entries("Water".into(), 10).await.unwrap(),
        missing: (
            listings.article(i64::MAX).await.unwrap(),
            listings.story(i64::MAX).await.unwrap(),
        ),
        feeds: listings
            .feed_healths(urls.map(String::from).to_vec(), now)
            .await
            .unwrap(),
        stories,
        alerts: listings.alerts_since(since, None).await.unwrap(),
        water: listings
            .alerts_since(since, Some("Water".into()))
            .await
            .unwrap(),
        stats: listings.stats().await.unwrap(),
    }
}

/// What `store_an_archive` stored, as every backend lists it.
fn assert_listed(listed: &Listed) {
    let feeds: Vec<_> = listed
        .feeds
        .iter()
        .map(|f| {
            f.as_ref()
                .map(|f| (f.outlet.as_str(), f.consecutive_errors, f.articles_7d))
        })
        .collect();
    assert_eq!(feeds, [Some(("ahram", 0, 1)), Some(("Le360", 1, 2)), None]);
    let a = listed.feeds[0].as_ref().unwrap();
    assert_eq!(a.last_success_at.as_deref(), Some("2026-03-01T09:21:00Z"));
    assert_eq!(a.encoding.as_deref(), Some("UTF-8"));
    assert_eq!(a.interval_secs, Some(600));
    let b = listed.feeds[1].as_ref().unwrap();
    assert_eq!(b.last_error.as_deref(), Some("HTTP 503"));
    assert_eq!(b.next_due_at.as_deref(), Some("2026-03-01T09:23:00Z"));

    let stories: Vec<_> = listed
        .stories
        .iter()
        .map(|s| {
            (
                s.title.as_str(),
                s.articles,
                s.first_seen_at.as_str(),
                s.last_seen_at.as_str(),
                s.outlets.clone(),
                s.watches.clone(),
            )
        })
        .collect();
    assert_eq!(
        stories,
        [
            (
                "Storms close the port of Tangier for a second day",
                1,
                "2026-03-01T09:20:00Z",
                "2026-03-01T09:20:00Z",
                vec!["Le360".to_string()],
                vec![],
            ),
            (
                "Minister visits Rabat for talks on water",
                2,
                "2026-03-01T09:00:00Z",
                "2026-03-01T09:10:00Z",
                vec!["ahram".to_string(), "Le360".to_string()],
                vec!["Water".to_string(), "minister".to_string()],
            ),
        ]
    );

    let alerts: Vec<_> = listed
        .alerts
        .iter()
        .map(|a| {
            (
                a.id.as_str(),
                a.watch.as_str(),
                a.raised_at.as_str(),
                a.outlet.as_str(),
                a.also_reported_by.clone(),
            )
        })
        .collect();
    assert_eq!(
        alerts,
        [
            ("a-3", "port", "2026-03-01T09:20:00Z", "Le360", vec![]),
            (
                "s-1",
                "Water",
                "2026-03-01T09:00:00Z",
                "ahram",
                vec!["Le360".to_string()]
            ),
        ]
    );
    assert_eq!(listed.alerts[1].story, listed.stories[1].id);
    assert_eq!(
        listed.alerts[1].url.as_deref(),
        Some("http://127.0.0.1:9/news/1")
    );
    let deliveries: Vec<_> = listed.alerts[1]
        .deliveries
        .iter()
        .map(|d| {
            (
                d.sink.as_str(),
                d.state.as_str(),
                d.attempts,
                d.last_error.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        deliveries,
        [
            ("Hook", "delivered", 1, None),
            ("file", "pending", 1, Some("disk full")),
        ]
    );
    assert_eq!(listed.water, listed.alerts[1..]);

    let stats = &listed.stats;
    assert_eq!(
        (
            stats.feeds,
            stats.articles,
            stats.stories,
            stats.matches,
            stats.alerts
        ),
        (4, 3, 2, 3, 2)
    );
    assert_eq!(
        (
            stats.deliveries_pending,
            stats.deliveries_delivered,
            stats.deliveries_dead
        ),
        (2, 1, 0)
    );
    assert_eq!(
        stats.oldest_article.as_deref(),
        Some("2026-03-01T09:00:00Z")
    );
    assert_eq!(
        stats.newest_article.as_deref(),
        Some("2026-03-01T09:20:00Z")
    );
    let outlets: Vec<_> = stats
        .outlets
        .iter()
        .map(|o| (o.outlet.as_str(), o.articles))
        .collect();
    assert_eq!(
        outlets,
        [("Le360", 2), ("ahram", 1), ("Zaman", 0), ("alyaoum", 0)]
    );
    assert!(stats.size_bytes > 0);

    let story = listed
        .story
        .as_ref()
        .expect("the story listed is found by its id");
    assert_eq!(story.id, listed.stories[1].id);
    assert_eq!(story.title, "Minister visits Rabat for talks on water");
    assert_eq!(story.first_seen_at, "2026-03-01T09:00:00Z");
    let articles: Vec<_> = story
        .articles
        .iter()
        .map(|a| {
            (
                a.outlet.as_str(),
                a.published_at.as_deref(),
                a.fetched_at.as_str(),
            )
        })
        .collect();
    assert_eq!(
        articles,
        [
            (
                "ahram",
                Some("2026-03-01T08:30:00+01:00"),
                "2026-03-01T09:00:00Z"
            ),
            (
                "Le360",
                Some("2026-03-01T07:45:00Z"),
                "2026-03-01T09:10:00Z"
            ),
        ],
        "in the order published, as instants"
    );
    let article = listed.article.as_ref().expect("an article of the story");
    assert_eq!(article.id, story.articles[0].id);
    assert_eq!(article.story, story.id);
    assert_eq!(
        article.body,
        "وزير الماء يزور الرباط. <script>alert(1)</script>"
    );
    assert_eq!(article.lang.as_deref(), Some("ar"));
    assert_eq!(article.url.as_deref(), Some("http://127.0.0.1:9/news/1"));
    let matches: Vec<_> = article
        .matches
        .iter()
        .map(|(watch, found)| (watch.as_str(), found.clone()))
        .collect();
    assert_eq!(
        matches,
        [
            ("Water", vec![hit("water", Field::Title, 36)]),
            ("minister", vec![hit("Minister", Field::Title, 0)]),
        ]
    );
    let entries: Vec<_> = listed
        .entries
        .iter()
        .map(|e| {
            (
                e.id.as_str(),
                e.article,
                e.outlet.as_str(),
                e.snippet.as_deref(),
            )
        })
        .collect();
    assert_eq!(entries, [("s-1", article.id, "ahram", Some("water"))]);
    assert_eq!(listed.missing, (None, None));
}

/// The SQLite archive, stored through the seam and listed by the read-only reader.
async fn sqlite_listed() -> Listed {
    let (dir, store) = sqlite();
    store_an_archive(&*store).await;
    let reader = Reader::open(&dir.path().join("raqib.db")).unwrap();
    list(&reader).await
}

#[tokio::test]
async fn sqlite_lists_the_archive() {
    assert_listed(&sqlite_listed().await);
}

/// The same rows stored on PostgreSQL are listed as on SQLite, by a connection that opened
/// the database without migrating it; only the database's name and size differ.
#[tokio::test]
async fn postgres_lists_the_archive_as_sqlite_does() {
    let Some((db, store)) = postgres().await else {
        return;
    };
    // Names in a dictionary's order, as in a database whose cluster took the system's locale
    // (initdb's default): "ahram" before "Le360", where SQLite has bytes' order.
    db.client()
        .await
        .batch_execute(
            "ALTER TABLE feed ALTER COLUMN outlet TYPE TEXT COLLATE \"en-x-icu\";
             ALTER TABLE \"match\" ALTER COLUMN watch TYPE TEXT COLLATE \"en-x-icu\";
             ALTER TABLE delivery ALTER COLUMN sink TYPE TEXT COLLATE \"en-x-icu\";",
        )
        .await
        .expect("ICU collations (Debian's PostgreSQL is built with ICU)");
    store_an_archive(&*store).await;
    let reader = Postgres::open(&db.url, None, 2).await.expect("open");
    let mut listed = list(&reader).await;
    assert_listed(&listed);
    assert!(listed.stats.database.starts_with("postgres://"));
    assert!(!listed.stats.database.contains(&password(&db.url)));
    let sqlite = sqlite_listed().await;
    listed.stats.database = sqlite.stats.database.clone();
    listed.stats.size_bytes = sqlite.stats.size_bytes;
    assert_eq!(listed, sqlite);
}

fn password(url: &str) -> String {
    url::Url::parse(url)
        .unwrap()
        .password()
        .unwrap_or("no password")
        .to_string()
}

/// A database the commands cannot read as it is stays as it is: never migrated, at an older
/// version, from a newer raqib.
#[tokio::test]
async fn postgres_listings_refuse_a_database_not_at_this_schema() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let refusal = async || match Postgres::open(&db.url, None, 2).await {
        Ok(_) => panic!("opened"),
        Err(err) => err.to_string(),
    };
    assert_eq!(
        refusal().await,
        "no raqib schema there: check `database` in [daemon] (`raqib run` creates it)"
    );
    let client = db.client().await;
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(tables, 0, "nothing created");
    drop(Postgres::connect(&db.url, None, 2).await.expect("migrate"));
    let known = raqib::store::SCHEMA_VERSION as i32;
    for (version, refused) in [
        (
            known - 1,
            format!(
                "schema version {}, this raqib reads {known}: start the daemon once to migrate it",
                known - 1
            ),
        ),
        (
            known + 1,
            format!(
                "PostgreSQL schema version {} is newer than this raqib understands ({known}); upgrade raqib or use another database",
                known + 1
            ),
        ),
    ] {
        client
            .execute("UPDATE raqib_schema SET version = $1", &[&version])
            .await
            .unwrap();
        assert_eq!(refusal().await, refused);
        let kept: i32 = client
            .query_one("SELECT version FROM raqib_schema", &[])
            .await
            .unwrap()
            .get(0);
        assert_eq!(kept, version, "left as it was");
    }
}
