//! The PostgreSQL backend against a real server (`RAQIB_TEST_POSTGRES`, see
//! `support/postgres.rs`): the schema and its migration runner, and the feed leases several
//! instances share work by.

#[path = "common/skip.rs"]
mod skip;
#[path = "support/postgres.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use raqib::store::postgres::{
    self, LeasedFeed, Pool, claim_due_feeds, release_lease, renew_leases,
};
use support::TestDatabase;

/// Every PostgreSQL migration, as an empty database gets them.
const MIGRATIONS: [&str; 8] = [
    "0016_baseline",
    "0017_host_turns",
    "0018_search_index",
    "0019_page_claims",
    "0020_search_newest",
    "0021_feed_title",
    "0022_delivery_folds",
    "0023_search_written_words",
];

const LEASE: Duration = Duration::from_secs(120);
const HOUR: Duration = Duration::from_secs(3600);

async fn pool(db: &TestDatabase) -> Pool {
    Pool::connect(&db.url, None, 4).await.expect("pool")
}

/// Table → column names, as SQLite's latest schema has them.
fn sqlite_columns() -> BTreeMap<String, BTreeSet<String>> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("raqib.db");
    drop(raqib::store::Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables
        .into_iter()
        .map(|table| {
            let columns = conn
                .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
                .unwrap()
                .query_map([], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            (table, columns)
        })
        .collect()
}

async fn postgres_columns(db: &TestDatabase) -> BTreeMap<String, BTreeSet<String>> {
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for row in db
        .client()
        .await
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = 'public' AND table_name <> 'raqib_schema'",
            &[],
        )
        .await
        .unwrap()
    {
        tables.entry(row.get(0)).or_default().insert(row.get(1));
    }
    tables
}

async fn schema_version(db: &TestDatabase) -> i32 {
    db.client()
        .await
        .query_one("SELECT version FROM raqib_schema", &[])
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn an_empty_database_is_migrated_to_the_sqlite_schema_at_the_same_version() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = pool(&db).await;
    assert_eq!(postgres::migrate(&pool).await.unwrap(), MIGRATIONS);
    assert_eq!(
        schema_version(&db).await,
        raqib::store::SCHEMA_VERSION as i32
    );
    let mut expected = sqlite_columns();
    // The search index: an FTS5 table on SQLite (its rowid the article's id, its own tables
    // beside it), a table keyed by the article on PostgreSQL.
    expected.retain(|table, _| !table.starts_with("article_search_"));
    // What only PostgreSQL keeps: feed leases, turns at hosts and pages in flight shared by
    // instances, and the offset SQLite keeps inside the text of a publication date.
    for (table, column) in [
        ("feed", "leased_by"),
        ("feed", "leased_until"),
        ("article", "published_offset"),
        ("host_turn", "host"),
        ("host_turn", "next_start"),
        ("page_claim", "url"),
        ("page_claim", "until"),
        ("article_search", "article_id"),
    ] {
        expected
            .entry(table.to_string())
            .or_default()
            .insert(column.to_string());
    }
    assert_eq!(postgres_columns(&db).await, expected);
    // Started again: nothing to do.
    assert!(postgres::migrate(&pool).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_baseline_keeps_the_partial_and_expression_indexes() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    postgres::migrate(&pool(&db).await).await.unwrap();
    let client = db.client().await;
    client
        .batch_execute(
            "INSERT INTO feed (id, url, outlet, created_at) VALUES (1, 'https://x.ma/feed', 'X', now());
             INSERT INTO story (id, first_seen_at, title) VALUES (1, now(), 't');
             INSERT INTO article (feed_id, entry_key, url, title, body, body_source, fetched_at, simhash, story_id)
             VALUES (1, 'a', 'https://x.ma/a', 't', 'b', 'page', now(), -1, 1),
                    (1, 'n1', NULL, 't', 'b', 'feed', now(), 0, 1),
                    (1, 'n2', NULL, 't', 'b', 'feed', now(), 0, 1);",
        )
        .await
        .unwrap();
    // One article per URL, as SQLite's 0015 index holds (articles without a URL are many).
    let again = client
        .execute(
            "INSERT INTO article (feed_id, entry_key, url, title, body, body_source, fetched_at, simhash, story_id)
             VALUES (1, 'b', 'https://x.ma/a', 't', 'b', 'page', now(), 0, 1)",
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(
        again.as_db_error().and_then(|e| e.constraint()),
        Some("article_url"),
        "{again:?}"
    );
    // A SimHash band reads the same 16 bits as SQLite's, sign and all.
    let band: i64 = client
        .query_one(
            "SELECT (simhash >> 48) & 65535 FROM article WHERE entry_key = 'a'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(band, 65535);
    let indexes: BTreeSet<String> = client
        .query(
            "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public'",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    for index in [
        "article_url",
        "article_page_retry",
        "article_band0",
        "article_band3",
        "article_term_by_term",
        "delivery_pending",
        "outlet_paragraph_last_seen",
    ] {
        assert!(indexes.contains(index), "{index} missing from {indexes:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_starting_together_migrate_once() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    // Five rounds on an emptied schema: a race the lock failed to prevent shows in one.
    for _ in 0..5 {
        let (a, b) = (pool(&db).await, pool(&db).await);
        let (first, second) = tokio::join!(
            tokio::spawn(async move { postgres::migrate(&a).await }),
            tokio::spawn(async move { postgres::migrate(&b).await })
        );
        let (first, second) = (first.unwrap().unwrap(), second.unwrap().unwrap());
        // One applies every migration, the other finds nothing left to do.
        assert!(
            first.is_empty() != second.is_empty(),
            "{first:?} and {second:?}"
        );
        assert_eq!(
            [first.as_slice(), second.as_slice()].concat(),
            MIGRATIONS,
            "{first:?} and {second:?}"
        );
        db.client()
            .await
            .batch_execute(
                "DROP SCHEMA public CASCADE; CREATE SCHEMA public; GRANT ALL ON SCHEMA public TO public",
            )
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_database_from_a_newer_raqib_is_refused() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = pool(&db).await;
    postgres::migrate(&pool).await.unwrap();
    let newer = raqib::store::SCHEMA_VERSION as i32 + 1;
    db.client()
        .await
        .execute("UPDATE raqib_schema SET version = $1", &[&newer])
        .await
        .unwrap();
    let err = postgres::migrate(&pool).await.unwrap_err();
    assert!(
        matches!(err, postgres::Error::TooNew { found, known }
            if found == newer as u32 && known == raqib::store::SCHEMA_VERSION),
        "{err}"
    );
    assert!(err.to_string().contains("upgrade raqib"), "{err}");
    assert_eq!(schema_version(&db).await, newer);
}

#[tokio::test]
async fn a_refused_login_is_an_error_naming_no_password() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_password(Some("wrong-password")).unwrap();
    let Err(err) = Pool::connect(url.as_str(), None, 1).await else {
        panic!("a wrong password was accepted");
    };
    let text = err.to_string();
    assert!(text.contains("password authentication failed"), "{text}");
    assert!(!text.contains("wrong-password"), "{text}");
    // A password given beside the URL is used when the URL has none.
    let password = url::Url::parse(&db.url)
        .unwrap()
        .password()
        .unwrap()
        .to_string();
    url.set_password(None).unwrap();
    Pool::connect(url.as_str(), Some(&password), 1)
        .await
        .unwrap();
}

fn at(minutes: i64, seconds: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 9, 0, 0).unwrap()
        + chrono::Duration::minutes(minutes)
        + chrono::Duration::seconds(seconds)
}

/// A migrated database with `count` feeds, all due at `at(0, 0)`; their URLs.
async fn with_feeds(db: &TestDatabase, count: usize) -> (Pool, Vec<String>) {
    let pool = pool(db).await;
    postgres::migrate(&pool).await.unwrap();
    let urls: Vec<String> = (0..count)
        .map(|i| format!("https://outlet{i}.ma/feed"))
        .collect();
    db.client()
        .await
        .execute(
            "INSERT INTO feed (url, outlet, created_at, next_due_at)
             SELECT u, 'outlet', $2, $2 FROM unnest($1::text[]) AS u",
            &[&urls, &at(0, 0)],
        )
        .await
        .unwrap();
    (pool, urls)
}

fn refs(urls: &[String]) -> Vec<&str> {
    urls.iter().map(String::as_str).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_claimers_never_get_the_same_feed() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let (_, urls) = with_feeds(&db, 1000).await;
    let (pool_a, pool_b) = (pool(&db).await, pool(&db).await);
    // A round where one claimer took every feed before the other began proves nothing about
    // two at once: such a round is run again, with every lease dropped.
    for _ in 0..5 {
        let start = std::sync::Arc::new(tokio::sync::Barrier::new(2));
        let claimer = |owner: &'static str, pool: Pool| {
            let (start, urls) = (start.clone(), urls.clone());
            tokio::spawn(async move {
                let mut got = Vec::new();
                start.wait().await;
                loop {
                    let batch = claim_due_feeds(&pool, owner, &refs(&urls), at(1, 0), LEASE, 5)
                        .await
                        .unwrap();
                    if batch.is_empty() {
                        return got;
                    }
                    got.extend(batch.into_iter().map(|f| f.url));
                }
            })
        };
        let (a, b) = tokio::join!(claimer("a", pool_a.clone()), claimer("b", pool_b.clone()));
        let (a, b) = (a.unwrap(), b.unwrap());
        let a_set: BTreeSet<&String> = a.iter().collect();
        let b_set: BTreeSet<&String> = b.iter().collect();
        assert_eq!(a_set.len(), a.len(), "a claimed a feed twice");
        assert_eq!(b_set.len(), b.len(), "b claimed a feed twice");
        let both: Vec<_> = a_set.intersection(&b_set).collect();
        assert!(
            both.is_empty(),
            "{} feeds claimed by both, e.g. {:?}",
            both.len(),
            &both[..both.len().min(3)]
        );
        assert_eq!(a.len() + b.len(), urls.len(), "every due feed is claimed");
        if !a.is_empty() && !b.is_empty() {
            return;
        }
        db.client()
            .await
            .execute("UPDATE feed SET leased_by = NULL, leased_until = NULL", &[])
            .await
            .unwrap();
    }
    panic!("in five rounds the two claimers never ran at the same time");
}

#[tokio::test]
async fn only_due_configured_feeds_are_claimed_earliest_first() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let (pool, urls) = with_feeds(&db, 4).await;
    let client = db.client().await;
    client
        .execute(
            "UPDATE feed SET next_due_at = $2 WHERE url = $1",
            &[&urls[1], &at(5, 0)],
        )
        .await
        .unwrap();
    client
        .execute(
            "UPDATE feed SET next_due_at = NULL WHERE url = $1",
            &[&urls[3]],
        )
        .await
        .unwrap();
    // urls[2] is no longer in the config.
    let configured = [urls[0].as_str(), urls[1].as_str(), urls[3].as_str()];
    let claimed = claim_due_feeds(&pool, "a", &configured, at(1, 0), HOUR, 1)
        .await
        .unwrap();
    assert_eq!(
        claimed.iter().map(|f| f.url.as_str()).collect::<Vec<_>>(),
        [urls[3].as_str()],
        "a feed never polled goes first"
    );
    let claimed = claim_due_feeds(&pool, "a", &configured, at(1, 0), HOUR, 10)
        .await
        .unwrap();
    assert_eq!(
        claimed.iter().map(|f| f.url.as_str()).collect::<Vec<_>>(),
        [urls[0].as_str()]
    );
    let claimed = claim_due_feeds(&pool, "b", &configured, at(5, 0), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(
        claimed.iter().map(|f| f.url.as_str()).collect::<Vec<_>>(),
        [urls[1].as_str()],
        "due now, and the others are leased"
    );
}

#[tokio::test]
async fn an_expired_lease_is_taken_over_and_its_old_owner_told() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let (pool, urls) = with_feeds(&db, 1).await;
    let urls = refs(&urls);
    let held = claim_due_feeds(&pool, "a", &urls, at(0, 0), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    let id = held[0].id;
    assert!(
        claim_due_feeds(&pool, "b", &urls, at(1, 59), LEASE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let taken = claim_due_feeds(&pool, "b", &urls, at(2, 0), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(taken, held, "the lease ended at 2m: b takes the feed");
    assert!(
        renew_leases(&pool, "a", &[id], at(2, 1), LEASE)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        !release_lease(&pool, "a", id).await.unwrap(),
        "a no longer holds it"
    );
    let (by, until): (String, DateTime<Utc>) = {
        let row = db
            .client()
            .await
            .query_one(
                "SELECT leased_by, leased_until FROM feed WHERE id = $1",
                &[&id],
            )
            .await
            .unwrap();
        (row.get(0), row.get(1))
    };
    assert_eq!((by.as_str(), until), ("b", at(4, 0)));
}

#[tokio::test]
async fn renewing_extends_the_lease_and_releasing_frees_the_feed() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let (pool, urls) = with_feeds(&db, 2).await;
    let urls = refs(&urls);
    let held: Vec<LeasedFeed> = claim_due_feeds(&pool, "a", &urls, at(0, 0), LEASE, 10)
        .await
        .unwrap();
    let ids: Vec<i64> = held.iter().map(|f| f.id).collect();
    assert_eq!(ids.len(), 2);
    assert_eq!(
        renew_leases(&pool, "a", &ids, at(1, 30), LEASE)
            .await
            .unwrap(),
        ids
    );
    assert!(
        renew_leases(&pool, "b", &ids, at(1, 30), LEASE)
            .await
            .unwrap()
            .is_empty(),
        "only the owner renews"
    );
    assert!(
        claim_due_feeds(&pool, "b", &urls, at(3, 29), LEASE, 10)
            .await
            .unwrap()
            .is_empty(),
        "renewed at 1m30s, the lease runs to 3m30s"
    );
    assert!(release_lease(&pool, "a", ids[0]).await.unwrap());
    let freed = claim_due_feeds(&pool, "b", &urls, at(3, 29), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(freed, held[..1]);
    let rest = claim_due_feeds(&pool, "b", &urls, at(3, 30), LEASE, 10)
        .await
        .unwrap();
    assert_eq!(rest, held[1..]);
}
