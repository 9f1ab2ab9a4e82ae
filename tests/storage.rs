//! What every storage backend guarantees (ARCHITECTURE.md, "The storage seam"), asserted
//! through the seam's traits alone: each check is generic over the backend, and runs here on
//! SQLite (a real file in a temporary directory). A second backend runs the same checks.

mod common;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use common::articles;
use raqib::alert::NewAlert;
use raqib::alert::dispatch::Decision;
use raqib::config::AlertPolicy;
use raqib::store::{ClaimLimits, NewArticle, Sqlite, Storage};

const STORY_WINDOW: Duration = Duration::from_secs(48 * 3600);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
}

fn sqlite() -> (tempfile::TempDir, Arc<Sqlite>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Sqlite::open(&dir.path().join("raqib.db")).unwrap();
    (dir, Arc::new(store))
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_stores_one_article_per_url() {
    let (_dir, store) = sqlite();
    one_article_per_url(store).await;
}

#[tokio::test]
async fn sqlite_raises_alerts_once_per_watch_and_article() {
    let (_dir, store) = sqlite();
    alerts_once_per_watch_and_article(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_leaves_a_claimed_delivery_to_its_claimant() {
    let (_dir, store) = sqlite();
    a_claimed_delivery_is_its_claimant_s_alone(store).await;
}
