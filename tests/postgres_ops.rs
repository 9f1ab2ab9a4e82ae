//! The PostgreSQL store's feed, outbox, page-retry and maintenance operations against a real
//! server (`RAQIB_TEST_POSTGRES`, see `support/postgres.rs`): the same observable behaviour as
//! the SQLite tests of `src/store/tests.rs` and `src/store/outbox.rs`, and what several
//! instances on one database must hold: two claimers at once never get the same delivery, a
//! digest is never split between them, an expired claim is taken over.

#[path = "common/skip.rs"]
mod skip;
#[path = "support/postgres.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use raqib::alert::dispatch::Decision;
use raqib::fetch::Validators;
use raqib::store::postgres::{self, Pool};
use raqib::store::{ClaimLimits, PendingDelivery, PollRecord};
use support::TestDatabase;

const FEED: &str = "https://x.ma/feed";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 2, 9, 0, 0).unwrap()
}

async fn pool(db: &TestDatabase) -> Pool {
    Pool::connect(&db.url, None, 4).await.expect("pool")
}

async fn migrated(db: &TestDatabase) -> Pool {
    let pool = pool(db).await;
    postgres::migrate(&pool).await.unwrap();
    pool
}

/// `count` articles of the feed at `FEED` fetched at `fetched`, one story, each with an alert
/// of the watch `watch` to the sinks "file" and "log", first attempted at `due` and, for a
/// digest, gathered until `digest_until`; returns the feed's id.
async fn outbox(
    db: &TestDatabase,
    pool: &Pool,
    count: i32,
    watch: &str,
    due: DateTime<Utc>,
    digest_until: Option<DateTime<Utc>>,
) -> i64 {
    let feed = postgres::sync_feed(pool, FEED, "X", now()).await.unwrap();
    let client = db.client().await;
    client
        .execute(
            "INSERT INTO story (first_seen_at, title) SELECT $1, 't'
             WHERE NOT EXISTS (SELECT 1 FROM story)",
            &[&now()],
        )
        .await
        .unwrap();
    client
        .execute(
            "WITH new AS (
                 INSERT INTO article (feed_id, entry_key, url, title, body, body_source,
                     fetched_at, simhash, story_id)
                 SELECT $1, $2 || i, 'https://x.ma/' || $2 || i, 't', 'b', 'page', $3, 0,
                     (SELECT min(id) FROM story)
                 FROM generate_series(1, $4) AS i RETURNING id)
             INSERT INTO alert (uid, watch, severity, article_id, story_id, raised_at, payload)
             SELECT $2 || new.id, $2, 'high', new.id, (SELECT min(id) FROM story), $3, '{}'
             FROM new",
            &[&feed.id, &watch, &now(), &count],
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO delivery (alert_id, sink, next_attempt_at, created_at, digest_until)
             SELECT a.id, sink, $2, a.raised_at, $3
             FROM alert a, unnest(ARRAY['file', 'log']) AS sink WHERE a.watch = $1",
            &[&watch, &due, &digest_until],
        )
        .await
        .unwrap();
    feed.id
}

const LIMITS: ClaimLimits = ClaimLimits {
    alerts: 10,
    digests: 10,
};

/// The deliveries due at `at`, claimed for a minute as `claim`.
async fn claim(pool: &Pool, claim: i64, at: DateTime<Utc>) -> Vec<PendingDelivery> {
    postgres::claim_deliveries(pool, claim, at, at + chrono::Duration::minutes(1), LIMITS)
        .await
        .unwrap()
        .deliveries
}

fn ids(deliveries: &[PendingDelivery]) -> BTreeSet<i64> {
    deliveries.iter().map(|d| d.id).collect()
}

#[tokio::test]
async fn poll_health_is_recorded() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = postgres::sync_feed(&pool, FEED, "X", now()).await.unwrap();
    for _ in 0..2 {
        postgres::record_poll_failure(&pool, feed.id, "timed out", now(), now())
            .await
            .unwrap();
    }
    let again = postgres::sync_feed(&pool, FEED, "X", now()).await.unwrap();
    assert_eq!((again.id, again.consecutive_errors), (feed.id, 2));
    let health = postgres::feed_health(&pool, FEED, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (health.consecutive_errors, health.last_error.as_deref()),
        (2, Some("timed out"))
    );
    assert_eq!(health.last_success_at, None);

    let validators = Validators {
        etag: Some("\"v1\"".into()),
        last_modified: None,
    };
    let record = PollRecord {
        validators: Some(validators.clone()),
        body_hash: Some("abc".into()),
        encoding: Some("windows-1256".into()),
        interval: Duration::from_secs(600),
        newest_entry: Some(now() - chrono::Duration::hours(3)),
    };
    postgres::record_poll_success(&pool, feed.id, &record, now(), now())
        .await
        .unwrap();
    // A 304 later keeps the validators and does not move the newest entry back.
    let not_modified = PollRecord {
        interval: Duration::from_secs(900),
        newest_entry: Some(now() - chrono::Duration::hours(5)),
        ..PollRecord::default()
    };
    let next_due = now() + chrono::Duration::milliseconds(15_500);
    postgres::record_poll_success(&pool, feed.id, &not_modified, now(), next_due)
        .await
        .unwrap();
    let state = postgres::sync_feed(&pool, FEED, "X2", now()).await.unwrap();
    assert_eq!(
        (
            state.consecutive_errors,
            state.validators,
            state.body_hash.as_deref()
        ),
        (0, validators, Some("abc"))
    );
    assert_eq!(state.interval, Some(Duration::from_secs(900)));
    assert_eq!(
        state.next_due_at,
        Some(now() + chrono::Duration::seconds(15)),
        "whole seconds, as SQLite keeps them"
    );
    let health = postgres::feed_health(&pool, FEED, now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(health.outlet, "X2");
    assert_eq!(health.encoding.as_deref(), Some("windows-1256"));
    assert_eq!(
        health.last_entry_at.as_deref(),
        Some("2025-12-02T06:00:00Z")
    );
    assert_eq!(
        health.last_success_at.as_deref(),
        Some("2025-12-02T09:00:00Z")
    );
    assert_eq!(
        postgres::feed_health(&pool, "https://other.ma/feed", now())
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn an_unnamed_feed_keeps_its_title_as_outlet_until_the_config_names_it() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let outlet = async || -> String {
        let health = postgres::feed_health(&pool, FEED, now()).await.unwrap();
        health.unwrap().outlet
    };
    let feed = postgres::sync_unnamed_feed(&pool, FEED, "x.ma", now())
        .await
        .unwrap();
    assert_eq!((feed.title, outlet().await), (None, "x.ma".to_string()));
    postgres::record_feed_title(&pool, feed.id, Some("Akhbar X"), "Akhbar X")
        .await
        .unwrap();
    let again = postgres::sync_unnamed_feed(&pool, FEED, "x.ma", now())
        .await
        .unwrap();
    assert_eq!(again.title.as_deref(), Some("Akhbar X"));
    assert_eq!(outlet().await, "Akhbar X");
    let named = postgres::sync_feed(&pool, FEED, "X", now()).await.unwrap();
    assert_eq!(named.title.as_deref(), Some("Akhbar X"));
    assert_eq!(outlet().await, "X");
    postgres::record_feed_title(&pool, feed.id, None, "x.ma")
        .await
        .unwrap();
    postgres::sync_unnamed_feed(&pool, FEED, "x.ma", now())
        .await
        .unwrap();
    assert_eq!(outlet().await, "x.ma");
}

#[tokio::test]
async fn a_missed_body_rule_is_remembered_from_its_first_miss_until_a_match() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = postgres::sync_feed(&pool, FEED, "X", now()).await.unwrap();
    let missed_at = |pool: Pool| async move {
        postgres::feed_health(&pool, FEED, now())
            .await
            .unwrap()
            .unwrap()
            .rule_missed_at
    };
    for minutes in [0, 5] {
        let at = now() + chrono::Duration::minutes(minutes);
        postgres::record_rule_outcome(&pool, feed.id, false, at)
            .await
            .unwrap();
    }
    assert_eq!(
        missed_at(pool.clone()).await.as_deref(),
        Some("2025-12-02T09:00:00Z")
    );
    postgres::record_rule_outcome(&pool, feed.id, true, now())
        .await
        .unwrap();
    assert_eq!(missed_at(pool).await, None);
}

#[tokio::test]
async fn every_feed_s_health_counts_its_articles_of_the_week() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let x = outbox(&db, &pool, 0, "w", now(), None).await;
    let y = postgres::sync_feed(&pool, "https://y.ma/feed", "Y", now())
        .await
        .unwrap();
    postgres::record_poll_failure(&pool, y.id, "timed out", now(), now())
        .await
        .unwrap();
    // Two articles of x this week, one of y, and one of x too old to count.
    let client = db.client().await;
    for (feed, key, days_ago) in [(x, "a", 1), (x, "b", 2), (y.id, "c", 3), (x, "d", 8)] {
        client
            .execute(
                "INSERT INTO article (feed_id, entry_key, url, title, body, body_source,
                     fetched_at, simhash, story_id)
                 VALUES ($1, $2, NULL, 't', 'b', 'page', $3, 0, (SELECT min(id) FROM story))",
                &[&feed, &key, &(now() - chrono::Duration::days(days_ago))],
            )
            .await
            .unwrap();
    }
    let urls = [FEED, "https://none.ma/feed", "https://y.ma/feed"];
    let healths = postgres::feed_healths(&pool, &urls, now()).await.unwrap();
    let weekly: Vec<Option<u64>> = healths
        .iter()
        .map(|h| h.as_ref().map(|h| h.articles_7d))
        .collect();
    assert_eq!(weekly, [Some(2), None, Some(1)]);
    let one_by_one = [
        postgres::feed_health(&pool, urls[0], now()).await.unwrap(),
        postgres::feed_health(&pool, urls[1], now()).await.unwrap(),
        postgres::feed_health(&pool, urls[2], now()).await.unwrap(),
    ];
    assert_eq!(healths, one_by_one);
    assert_eq!(healths[2].as_ref().unwrap().consecutive_errors, 1);
}

#[tokio::test]
async fn known_entries_are_found_by_key_or_by_url_through_any_feed() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = outbox(&db, &pool, 2, "k", now(), None).await;
    let other = postgres::sync_feed(&pool, "https://x.ma/sport", "X", now())
        .await
        .unwrap();
    db.client()
        .await
        .execute(
            "UPDATE article SET canonical_url = 'https://x.ma/canonical' WHERE entry_key = 'k2'",
            &[],
        )
        .await
        .unwrap();
    let known = |feed: i64, keys: &'static [&'static str], urls: &'static [&'static str]| {
        let pool = pool.clone();
        async move {
            let mut found: Vec<String> = postgres::known_entries(&pool, feed, keys, urls)
                .await
                .unwrap()
                .into_iter()
                .collect();
            found.sort();
            found
        }
    };
    assert_eq!(known(feed, &["k1", "k9"], &[]).await, ["k1"]);
    assert_eq!(known(other.id, &["k1"], &[]).await, Vec::<String>::new());
    // Through another feed of the outlet, by its URL or its canonical URL.
    assert_eq!(
        known(
            other.id,
            &[],
            &[
                "https://x.ma/k1",
                "https://x.ma/canonical",
                "https://x.ma/new"
            ]
        )
        .await,
        ["https://x.ma/canonical", "https://x.ma/k1"]
    );
}

#[tokio::test]
async fn two_dispatchers_never_hold_the_same_delivery_and_an_expired_claim_is_taken_over() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let (first, second) = (migrated(&db).await, pool(&db).await);
    outbox(&db, &first, 6, "w", now(), None).await;
    let limits = ClaimLimits {
        alerts: 5,
        digests: 5,
    };
    let minute = chrono::Duration::minutes(1);
    let a = postgres::claim_deliveries(&first, 1, now(), now() + minute, limits)
        .await
        .unwrap();
    assert_eq!((a.deliveries.len(), a.full), (5, true));
    let b = claim(&second, 2, now()).await;
    assert_eq!(b.len(), 7);
    assert!(ids(&a.deliveries).is_disjoint(&ids(&b)));
    assert!(claim(&first, 3, now()).await.is_empty(), "all held");
    let delivery = &a.deliveries[0];
    assert_eq!(
        (
            delivery.sink.as_str(),
            delivery.watch.as_str(),
            delivery.payload.as_str(),
            delivery.attempts,
            delivery.created_at,
            delivery.digest_until,
        ),
        ("file", "w", "{}", 0, now(), None)
    );

    // A claim renewed while its attempts run holds; one left to expire is taken over.
    let later = now() + chrono::Duration::minutes(2);
    assert_eq!(
        postgres::renew_claim(&first, 1, later + minute)
            .await
            .unwrap(),
        5
    );
    let taken_over = claim(&second, 4, later).await;
    assert_eq!(ids(&taken_over), ids(&b));
    assert_eq!(postgres::renew_claim(&second, 2, later).await.unwrap(), 0);
    // Recorded outcomes drop the claim: a retry is claimed again when it is due.
    let retry = Decision::Retry {
        at: later,
        error: "down".into(),
    };
    let outcomes: Vec<(i64, Decision)> =
        a.deliveries.iter().map(|d| (d.id, retry.clone())).collect();
    postgres::record_attempts(&first, &outcomes, now())
        .await
        .unwrap();
    let retried = claim(&second, 5, later).await;
    assert_eq!(ids(&retried), ids(&a.deliveries));
    assert!(retried.iter().all(|d| d.attempts == 1));
}

#[tokio::test]
async fn outcomes_move_deliveries_out_of_the_pending_count() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    outbox(&db, &pool, 2, "w", now(), None).await;
    let due = claim(&pool, 1, now()).await;
    assert_eq!(due.len(), 4);
    assert_eq!(postgres::pending_deliveries(&pool).await.unwrap(), 4);
    let outcomes = [
        (due[0].id, Decision::Delivered),
        (
            due[1].id,
            Decision::Dead {
                error: "gone".into(),
            },
        ),
        (
            due[2].id,
            Decision::Retry {
                at: now() + chrono::Duration::hours(1),
                error: "down".into(),
            },
        ),
    ];
    postgres::record_attempts(&pool, &outcomes, now())
        .await
        .unwrap();
    assert_eq!(postgres::pending_deliveries(&pool).await.unwrap(), 2);
    assert_eq!(postgres::outbox_counts(&pool).await.unwrap(), (2, 1));
    let rows: Vec<(String, i64, Option<String>)> = db
        .client()
        .await
        .query(
            "SELECT state, attempts, last_error FROM delivery ORDER BY id",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let row = |state: &str, attempts, error: Option<&str>| {
        (state.to_string(), attempts, error.map(str::to_string))
    };
    assert_eq!(
        rows,
        [
            row("delivered", 1, None),
            row("dead", 1, Some("gone")),
            row("pending", 1, Some("down")),
            row("pending", 0, None),
        ]
    );
    // The one left claimed is not claimed again before its claim ends; the retry not before
    // it is due.
    assert!(claim(&pool, 2, now()).await.is_empty());
    assert_eq!(
        ids(&claim(&pool, 3, now() + chrono::Duration::minutes(1)).await),
        BTreeSet::from([due[3].id])
    );
}

/// Claim with `pool` as `owner` until nothing is left, each claim attempted and delivered;
/// every claim's deliveries.
async fn drain(
    pool: Pool,
    owner: i64,
    limits: ClaimLimits,
    start: Arc<tokio::sync::Barrier>,
) -> Vec<Vec<PendingDelivery>> {
    let mut claims = Vec::new();
    start.wait().await;
    for round in 0.. {
        let due = postgres::claim_deliveries(
            &pool,
            owner * 1000 + round,
            now(),
            now() + chrono::Duration::minutes(1),
            limits,
        )
        .await
        .unwrap()
        .deliveries;
        if due.is_empty() {
            break;
        }
        let delivered: Vec<(i64, Decision)> =
            due.iter().map(|d| (d.id, Decision::Delivered)).collect();
        postgres::record_attempts(&pool, &delivered, now())
            .await
            .unwrap();
        claims.push(due);
    }
    claims
}

/// Two instances draining the outbox at once; their claims, or `None` when one of them
/// claimed nothing (it did not run beside the other). The deliveries are made pending again.
async fn race(db: &TestDatabase, limits: ClaimLimits) -> Option<[Vec<Vec<PendingDelivery>>; 2]> {
    let (a, b) = (pool(db).await, pool(db).await);
    let start = Arc::new(tokio::sync::Barrier::new(2));
    let (first, second) = tokio::join!(
        tokio::spawn(drain(a, 1, limits, start.clone())),
        tokio::spawn(drain(b, 2, limits, start))
    );
    let claims = [first.unwrap(), second.unwrap()];
    db.client()
        .await
        .execute(
            "UPDATE delivery SET state = 'pending', attempts = 0, claimed_by = NULL,
                 claimed_until = NULL",
            &[],
        )
        .await
        .unwrap();
    claims.iter().all(|c| !c.is_empty()).then_some(claims)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatchers_racing_on_one_database_attempt_each_delivery_once() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    outbox(&db, &pool, 150, "w", now(), None).await;
    let limits = ClaimLimits {
        alerts: 7,
        digests: 7,
    };
    // A round where one dispatcher took everything before the other began proves nothing
    // about two at once: such a round is run again.
    for _ in 0..5 {
        let Some(claims) = race(&db, limits).await else {
            continue;
        };
        let all: Vec<i64> = claims.iter().flatten().flatten().map(|d| d.id).collect();
        let once: BTreeSet<i64> = all.iter().copied().collect();
        assert_eq!(once.len(), 300, "every delivery attempted");
        assert_eq!(all.len(), 300, "none attempted twice");
        return;
    }
    panic!("in five rounds the two dispatchers never ran at the same time");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatchers_racing_never_split_a_digest() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    // 40 periods of 5 alerts each, all ended: 80 digests (two sinks) of 5 deliveries.
    for period in 0..40 {
        let end = now() - chrono::Duration::hours(period);
        outbox(&db, &pool, 5, &format!("p{period}_"), end, Some(end)).await;
    }
    let limits = ClaimLimits {
        alerts: 3,
        digests: 3,
    };
    for _ in 0..5 {
        let Some(claims) = race(&db, limits).await else {
            continue;
        };
        // Each digest (sink, watch, period) whole in one claim of one dispatcher.
        let mut digests: BTreeMap<(String, String), usize> = BTreeMap::new();
        for claim in claims.iter().flatten() {
            let mut in_claim: BTreeMap<(String, String), usize> = BTreeMap::new();
            for d in claim {
                *in_claim
                    .entry((d.sink.clone(), d.watch.clone()))
                    .or_default() += 1;
            }
            for (digest, rows) in in_claim {
                assert_eq!(rows, 5, "{digest:?} split");
                assert!(digests.insert(digest, rows).is_none(), "claimed twice");
            }
        }
        assert_eq!(digests.len(), 80);
        return;
    }
    panic!("in five rounds the two dispatchers never ran at the same time");
}

#[tokio::test]
async fn a_digest_is_claimed_whole_whatever_the_limits() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let period_end = now() + chrono::Duration::minutes(30);
    outbox(&db, &pool, 4, "d", period_end, Some(period_end)).await;
    assert!(
        claim(&pool, 1, period_end - chrono::Duration::seconds(1))
            .await
            .is_empty(),
        "not before its period ends"
    );
    // One of its rows waits for a retry: it still goes out with the others.
    db.client()
        .await
        .execute(
            "UPDATE delivery SET next_attempt_at = $1 WHERE id = (SELECT max(id) FROM delivery)",
            &[&(period_end + chrono::Duration::hours(1))],
        )
        .await
        .unwrap();
    let limits = ClaimLimits {
        alerts: 1,
        digests: 1,
    };
    let claimed = postgres::claim_deliveries(
        &pool,
        2,
        period_end,
        period_end + chrono::Duration::minutes(1),
        limits,
    )
    .await
    .unwrap();
    // Two sinks: two digests, one taken this round with its four alerts.
    assert_eq!(claimed.deliveries.len(), 4, "{:?}", claimed.deliveries);
    assert!(claimed.full);
    assert!(
        claimed
            .deliveries
            .iter()
            .all(|d| d.digest_until == Some(period_end))
    );
    let sinks: BTreeSet<&str> = claimed.deliveries.iter().map(|d| d.sink.as_str()).collect();
    assert_eq!(sinks.len(), 1);
    let rest = claim(&pool, 3, period_end).await;
    assert_eq!(rest.len(), 4);
    assert!(ids(&rest).is_disjoint(&ids(&claimed.deliveries)));
}

#[tokio::test]
async fn pages_due_for_a_retry_come_oldest_first_with_their_publication_offset() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = outbox(&db, &pool, 4, "r", now(), None).await;
    let client = db.client().await;
    // r1 due last, r2 first, r3 not yet, r4 never (its page arrived).
    for (key, minutes) in [("r1", -1), ("r2", -30), ("r3", 10)] {
        client
            .execute(
                "UPDATE article SET page_retry_at = $2, page_attempts = 1 WHERE entry_key = $1",
                &[&key, &(now() + chrono::Duration::minutes(minutes))],
            )
            .await
            .unwrap();
    }
    let casablanca = chrono::FixedOffset::east_opt(3600).unwrap();
    let published = casablanca.with_ymd_and_hms(2025, 12, 2, 8, 30, 0).unwrap();
    client
        .execute(
            "UPDATE article SET published_at = $1, published_offset = 3600 WHERE entry_key = 'r2'",
            &[&published.with_timezone(&Utc)],
        )
        .await
        .unwrap();
    let due = postgres::pages_to_retry(&pool, feed, now(), 10)
        .await
        .unwrap();
    let keys: Vec<&str> = due.iter().map(|r| r.entry_key.as_str()).collect();
    assert_eq!(keys, ["r2", "r1"]);
    let first = &due[0];
    assert_eq!(
        (first.url.as_str(), first.attempts, first.published_at),
        ("https://x.ma/r2", 1, Some(published))
    );
    assert_eq!(first.published_at.unwrap().offset(), &casablanca);
    assert_eq!(due[1].published_at, None);
    assert_eq!(
        postgres::pages_to_retry(&pool, feed, now(), 1)
            .await
            .unwrap()
            .len(),
        1
    );

    // A failed attempt counts and moves the retry, or ends the retries.
    postgres::page_retry_failed(
        &pool,
        first,
        "HTTP 503",
        Some(now() + chrono::Duration::hours(1)),
    )
    .await
    .unwrap();
    postgres::page_retry_failed(&pool, &due[1], "HTTP 404", None)
        .await
        .unwrap();
    assert!(
        postgres::pages_to_retry(&pool, feed, now(), 10)
            .await
            .unwrap()
            .is_empty()
    );
    let later = postgres::pages_to_retry(&pool, feed, now() + chrono::Duration::hours(1), 10)
        .await
        .unwrap();
    let later: Vec<(&str, u32)> = later
        .iter()
        .map(|r| (r.entry_key.as_str(), r.attempts))
        .collect();
    assert_eq!(later, [("r3", 1), ("r2", 2)]);
    let error: Option<String> = client
        .query_one("SELECT body_error FROM article WHERE entry_key = 'r1'", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(error.as_deref(), Some("HTTP 404"));
}

#[tokio::test]
async fn stats_count_what_the_database_holds_and_name_it_without_its_password() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    outbox(&db, &pool, 3, "a", now(), None).await;
    outbox(&db, &pool, 1, "b", now(), None).await;
    postgres::sync_feed(&pool, "https://y.ma/feed", "Y", now())
        .await
        .unwrap();
    let due = claim(&pool, 1, now()).await;
    postgres::record_attempts(
        &pool,
        &[
            (due[0].id, Decision::Delivered),
            (
                due[1].id,
                Decision::Dead {
                    error: "gone".into(),
                },
            ),
        ],
        now(),
    )
    .await
    .unwrap();
    let stats = postgres::stats(&pool).await.unwrap();
    assert_eq!(
        (
            stats.feeds,
            stats.articles,
            stats.stories,
            stats.alerts,
            stats.matches
        ),
        (2, 4, 1, 4, 0)
    );
    assert_eq!(
        (
            stats.deliveries_pending,
            stats.deliveries_delivered,
            stats.deliveries_dead
        ),
        (6, 1, 1)
    );
    assert_eq!(
        stats.oldest_article.as_deref(),
        Some("2025-12-02T09:00:00Z")
    );
    let outlets: Vec<(&str, u64)> = stats
        .outlets
        .iter()
        .map(|o| (o.outlet.as_str(), o.articles))
        .collect();
    assert_eq!(outlets, [("X", 4), ("Y", 0)]);
    assert!(stats.size_bytes > 0);
    let shown = &stats.database;
    let password = url::Url::parse(&db.url)
        .unwrap()
        .password()
        .unwrap()
        .to_string();
    assert!(!shown.contains(&password), "{shown}");
    assert!(shown.starts_with("postgres://"), "{shown}");
    assert_eq!(
        postgres::alerts_by_watch(&pool).await.unwrap(),
        BTreeMap::from([("a".to_string(), 3), ("b".to_string(), 1)])
    );
}

#[tokio::test]
async fn a_write_probe_keeps_one_row_with_the_last_check() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    for minutes in [0, 1] {
        postgres::probe_write(&pool, now() + chrono::Duration::minutes(minutes))
            .await
            .unwrap();
    }
    let rows: Vec<DateTime<Utc>> = db
        .client()
        .await
        .query("SELECT checked_at FROM health", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(rows, [now() + chrono::Duration::minutes(1)]);
    // A database that refuses writes fails the probe.
    let name = url::Url::parse(&db.url).unwrap().path()[1..].to_string();
    db.client()
        .await
        .batch_execute(&format!(
            "ALTER DATABASE {name} SET default_transaction_read_only = on"
        ))
        .await
        .unwrap();
    let read_only = Pool::connect(&db.url, None, 1).await.unwrap();
    let err = postgres::probe_write(&read_only, now()).await.unwrap_err();
    assert!(err.to_string().contains("read-only"), "{err}");
}

const DAY: chrono::Duration = chrono::Duration::days(1);
const YEAR: Duration = Duration::from_secs(365 * 86_400);
const TWO_YEARS: Duration = Duration::from_secs(730 * 86_400);

/// An article of `feed` fetched at `at`, alone in its story first seen then, with a match and
/// its words counted in the document frequencies, as storing it on SQLite leaves it; its id.
async fn counted_article(
    client: &tokio_postgres::Client,
    feed: i64,
    key: &str,
    at: DateTime<Utc>,
) -> i64 {
    let (title, body) = (format!("حموشي يستقبل {key}"), format!("نص المقال {key}"));
    let story: i64 = client
        .query_one(
            "INSERT INTO story (first_seen_at, title) VALUES ($1, $2) RETURNING id",
            &[&at, &title],
        )
        .await
        .unwrap()
        .get(0);
    let article: i64 = client
        .query_one(
            "INSERT INTO article (feed_id, entry_key, url, title, body, body_source, fetched_at,
                 simhash, story_id)
             VALUES ($1, $2, NULL, $3, $4, 'page', $5, 0, $6) RETURNING id",
            &[&feed, &key, &title, &body, &at, &story],
        )
        .await
        .unwrap()
        .get(0);
    client
        .execute(
            "INSERT INTO article_story (article_id, story_id, weekdays, entities)
             VALUES ($1, $2, 0, '')",
            &[&article, &story],
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO \"match\" (article_id, watch, term, text, field, start, \"end\", snippet)
             VALUES ($1, 'w', 't', 't', 'title', 0, 1, 's')",
            &[&article],
        )
        .await
        .unwrap();
    let terms: Vec<i64> = raqib::story::words_of(&title, &body).chain([0]).collect();
    client
        .execute(
            "INSERT INTO term_df (term, df) SELECT term, count(*) FROM unnest($1::bigint[]) AS term
             GROUP BY term ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df",
            &[&terms],
        )
        .await
        .unwrap();
    article
}

async fn count(client: &tokio_postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).await.unwrap().get(0)
}

/// Prune with `pool` at `at` until nothing is left; what went.
async fn prune_all(pool: &Pool, at: DateTime<Utc>, batch: usize) -> raqib::store::Pruned {
    let mut total = raqib::store::Pruned::default();
    loop {
        let pruned = postgres::prune(pool, at, YEAR, TWO_YEARS, batch)
            .await
            .unwrap();
        if pruned.is_empty() {
            return total;
        }
        total.add(pruned);
    }
}

#[tokio::test]
async fn pruning_removes_old_articles_in_batches_and_keeps_what_alerts_show() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let client = db.client().await;
    let long_ago = now() - DAY * 400;
    // Five old articles without alerts, one old with an alert, one recent.
    let feed = outbox(&db, &pool, 0, "w", now(), None).await;
    for i in 0..5 {
        counted_article(&client, feed, &format!("old{i}"), long_ago).await;
    }
    let alerted = counted_article(&client, feed, "alerted", long_ago).await;
    counted_article(&client, feed, "recent", now()).await;
    client
        .batch_execute(&format!(
            "INSERT INTO alert (uid, watch, severity, article_id, story_id, raised_at, payload)
                 SELECT 'u-old', 'w', 'high', id, story_id, fetched_at, '{{}}'
                 FROM article WHERE id = {alerted};
             INSERT INTO delivery (alert_id, sink, next_attempt_at, created_at)
                 SELECT id, sink, raised_at, raised_at FROM alert, unnest(ARRAY['file', 'log']) sink;
             INSERT INTO story_merge (story_id, merged_into, merged_at) VALUES
                 (100, 1, '2024-10-01Z'), (101, 1, '2025-12-01Z');
             INSERT INTO outlet_paragraph (outlet, fingerprint, outlet_before, first_seen_at,
                 last_seen_at) VALUES
                 ('X', 1, 0, '2025-10-01Z', '2025-10-01Z'), ('X', 2, 0, '2025-12-01Z', '2025-12-01Z');
             INSERT INTO outlet_paragraph_story VALUES ('X', 1, 1), ('X', 2, 1);"
        ))
        .await
        .unwrap();

    let first = postgres::prune(&pool, now(), YEAR, TWO_YEARS, 2)
        .await
        .unwrap();
    assert_eq!(first.articles, 2, "one batch");
    let mut total = first;
    total.add(prune_all(&pool, now(), 2).await);
    assert_eq!(
        (
            total.articles,
            total.alerts,
            total.stories,
            total.merges,
            total.paragraphs
        ),
        (5, 0, 5, 1, 1)
    );
    // The document frequencies count what is kept: the article row and every word's count.
    assert_eq!(
        count(&client, "SELECT df FROM term_df WHERE term = 0").await,
        count(&client, "SELECT count(*) FROM article_story").await
    );
    let word = raqib::story::words_of("حموشي", "").next().unwrap();
    let df: i64 = client
        .query_one("SELECT df FROM term_df WHERE term = $1", &[&word])
        .await
        .unwrap()
        .get(0);
    assert_eq!(df, 2, "a title word of the two articles kept");
    assert_eq!(
        count(&client, "SELECT count(*) FROM term_df WHERE df <= 0").await,
        0
    );
    assert_eq!(
        count(&client, "SELECT count(*) FROM article").await,
        2,
        "the alerted and the recent"
    );
    assert_eq!(count(&client, "SELECT count(*) FROM \"match\"").await, 2);
    assert_eq!(
        count(&client, "SELECT count(*) FROM outlet_paragraph_story").await,
        1
    );

    // Once its alert is past alert_retention, the alert, its deliveries and its article go.
    let gone = prune_all(&pool, now() + DAY * 400, 100).await;
    assert_eq!(gone.alerts, 1);
    for table in ["alert", "delivery", "article", "story", "article_story"] {
        let sql = format!("SELECT count(*) FROM {table}");
        assert_eq!(count(&client, &sql).await, 0, "{table}");
    }
    assert_eq!(
        count(&client, "SELECT count(*) FROM term_df WHERE term != 0").await,
        0,
        "no term outlives the articles that held it"
    );
    assert_eq!(
        count(&client, "SELECT df FROM term_df WHERE term = 0").await,
        0
    );
}

#[tokio::test]
async fn a_retention_beyond_what_a_date_holds_keeps_everything() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = outbox(&db, &pool, 0, "w", now(), None).await;
    counted_article(&db.client().await, feed, "a", now() - DAY * 400).await;
    for keep in [Duration::from_secs(300_000 * 365 * 86_400), Duration::MAX] {
        assert_eq!(
            postgres::prune(&pool, now(), keep, keep, 10).await.unwrap(),
            raqib::store::Pruned::default()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_pruning_at_once_prune_once() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = outbox(&db, &pool, 0, "w", now(), None).await;
    let client = db.client().await;
    for i in 0..3 {
        counted_article(&client, feed, &format!("old{i}"), now() - DAY * 400).await;
    }
    // Learned boilerplate unseen for the window: its upkeep is part of pruning.
    client
        .execute(
            "INSERT INTO outlet_paragraph (outlet, fingerprint, outlet_before, first_seen_at,
                 last_seen_at)
             SELECT 'Hespress', f, 0, $1, $1 FROM generate_series(1, 4) AS f",
            &[&(now() - DAY * 60)],
        )
        .await
        .unwrap();
    // Hold the article count's row, so that the first pruner waits midway, holding whatever
    // it holds, while the second starts.
    let mut blocker = db.client().await;
    let hold = blocker.transaction().await.unwrap();
    hold.execute("SELECT 1 FROM term_df WHERE term = 0 FOR UPDATE", &[])
        .await
        .unwrap();
    let waiting = || async {
        count(
            &client,
            "SELECT count(*) FROM pg_stat_activity
             WHERE datname = current_database() AND wait_event_type = 'Lock'",
        )
        .await
    };
    let prune = |pool: Pool| {
        tokio::spawn(async move { postgres::prune(&pool, now(), YEAR, TWO_YEARS, 10).await })
    };
    let first = prune(pool.clone());
    while waiting().await < 1 {
        tokio::task::yield_now().await;
    }
    let second = prune(Pool::connect(&db.url, None, 1).await.unwrap());
    while !second.is_finished() && waiting().await < 2 {
        tokio::task::yield_now().await;
    }
    hold.commit().await.unwrap();
    let (first, second) = (
        first.await.unwrap().unwrap(),
        second.await.unwrap().unwrap(),
    );
    assert_eq!(
        (first.articles, second.articles),
        (3, 0),
        "{first:?} {second:?}"
    );
    assert_eq!(
        (first.paragraphs, second.paragraphs),
        (4, 0),
        "{first:?} {second:?}"
    );
    assert_eq!(
        count(&client, "SELECT df FROM term_df WHERE term = 0").await,
        0
    );
    assert_eq!(count(&client, "SELECT count(*) FROM term_df").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pruning_waits_for_a_story_decision_in_progress() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = outbox(&db, &pool, 0, "w", now(), None).await;
    let client = db.client().await;
    for i in 0..2 {
        counted_article(&client, feed, &format!("old{i}"), now() - DAY * 400).await;
    }
    // A story decision in progress holds the story lock ("raqib_st") until its article's
    // transaction ends; pruning changes what it counts, so it must wait.
    let mut decision = db.client().await;
    let held = decision.transaction().await.unwrap();
    held.execute(
        "SELECT pg_advisory_xact_lock($1)",
        &[&0x7261_7169_625f_7374_i64],
    )
    .await
    .unwrap();
    let pruning = {
        let pool = pool.clone();
        tokio::spawn(async move { postgres::prune(&pool, now(), YEAR, TWO_YEARS, 10).await })
    };
    while count(
        &client,
        "SELECT count(*) FROM pg_stat_activity
         WHERE datname = current_database() AND wait_event = 'advisory'",
    )
    .await
        < 1
    {
        assert!(
            !pruning.is_finished(),
            "pruning ran beside a story decision: {:?}",
            pruning.await
        );
        tokio::task::yield_now().await;
    }
    assert_eq!(
        count(&client, "SELECT count(*) FROM article").await,
        2,
        "nothing pruned while the decision holds the lock"
    );
    held.commit().await.unwrap();
    assert_eq!(pruning.await.unwrap().unwrap().articles, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_take_turns_at_a_host_a_politeness_delay_apart() {
    use raqib::store::seam::Feeds;
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let instances = [
        postgres::Postgres::connect(&db.url, None, 2).await.unwrap(),
        postgres::Postgres::connect(&db.url, None, 2).await.unwrap(),
    ];
    let turns: Vec<_> = instances
        .iter()
        .map(|i| i.host_turns().expect("PostgreSQL shares turns"))
        .collect();
    let delay = Duration::from_millis(400);
    // Three requests from each instance to one host, reserved at once; each starts when its
    // wait, counted from the moment its answer came, is over.
    let origin = std::time::Instant::now();
    let reserved = futures_util::future::join_all((0..6).map(|i| {
        let turns = &turns[i % 2];
        async move {
            let wait = turns.turn("news.example.ma", delay).await;
            (origin.elapsed() + wait).as_secs_f64()
        }
    }))
    .await;
    let mut starts = reserved;
    starts.sort_by(f64::total_cmp);
    // The server's clock dates the turns: a start is late by the time its answer took to
    // come back, never early.
    for pair in starts.windows(2) {
        assert!(
            pair[1] - pair[0] > 0.3,
            "starts a delay apart, whichever instance asks: {starts:?}"
        );
    }
    assert!(
        starts[5] - starts[0] < 5.0 * 0.4 + 1.0,
        "no more waiting than the turns ask: {starts:?}"
    );
    let other = turns[1].turn("other.example.ma", delay).await;
    assert!(
        other < Duration::from_millis(100),
        "another host waits for nobody: {other:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_claimed_by_one_instance_is_left_to_it_until_released_or_expired() {
    use raqib::store::seam::Feeds;
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let (first, second) = (
        postgres::Postgres::connect(&db.url, None, 2).await.unwrap(),
        postgres::Postgres::connect(&db.url, None, 2).await.unwrap(),
    );
    let urls = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .map(|n| format!("https://news.example.ma/{n}"))
            .collect()
    };
    let set =
        |names: &[&str]| -> std::collections::HashSet<String> { urls(names).into_iter().collect() };
    let minute = Duration::from_secs(60);
    // Claimed at once from both sides, in opposite orders: each page goes to one.
    let (a, b) = tokio::join!(
        first.claim_pages(urls(&["a", "b", "c"]), minute),
        second.claim_pages(urls(&["c", "b", "d"]), minute)
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert!(a.is_disjoint(&b), "{a:?} {b:?}");
    assert_eq!(
        a.union(&b)
            .cloned()
            .collect::<std::collections::HashSet<_>>(),
        set(&["a", "b", "c", "d"])
    );
    // Released: the other may claim them.
    first
        .release_pages(a.iter().cloned().collect())
        .await
        .unwrap();
    let again = second
        .claim_pages(a.iter().cloned().collect(), minute)
        .await
        .unwrap();
    assert_eq!(again, a);
    // A claim whose process died ends by itself.
    let short = first
        .claim_pages(urls(&["e"]), Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(short, set(&["e"]));
    assert!(
        second
            .claim_pages(urls(&["e"]), minute)
            .await
            .unwrap()
            .is_empty()
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        second.claim_pages(urls(&["e"]), minute).await.unwrap(),
        set(&["e"])
    );
}
