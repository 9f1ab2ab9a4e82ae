//! What every storage backend guarantees (ARCHITECTURE.md, "The storage seam"), asserted
//! through the seam's traits alone: each check is generic over the backend, and runs on
//! SQLite (a real file in a temporary directory) and on PostgreSQL (a database of its own on
//! the server `RAQIB_TEST_POSTGRES` names, see `support/postgres.rs`).

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
use raqib::store::{ClaimLimits, Feeds, NewArticle, Postgres, RetriedPage, Sqlite, Storage};
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
