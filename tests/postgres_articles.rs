//! The article side of the PostgreSQL backend against a real server (`RAQIB_TEST_POSTGRES`, see
//! `support/postgres.rs`): what SQLite's store tests observe (one article per URL, stories of
//! reprints and rewrites, merges, alerts per policy, learned paragraphs, rescans), and what
//! only several instances on one database can break: two writes at the same moment.

#[path = "common/skip.rs"]
mod skip;
#[path = "support/postgres.rs"]
mod support;

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use raqib::alert::NewAlert;
use raqib::config::{AlertPolicy, Config};
use raqib::extract::learned::Seen;
use raqib::store::postgres::{self, Pool};
use raqib::store::{BodySource, Inserted, NewArticle, StoredArticle};
use raqib::story::Signature;
use raqib::watch::{Field, Match, Subject, Watchlist};
use support::TestDatabase;

const HOUR: Duration = Duration::from_secs(3600);
const TWO_DAYS: Duration = Duration::from_secs(48 * 3600);

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 12, 2, 9, 0, 0).unwrap()
}

fn minutes(n: i64) -> DateTime<Utc> {
    now() + chrono::Duration::minutes(n)
}

async fn migrated(db: &TestDatabase) -> Pool {
    let pool = Pool::connect(&db.url, None, 4).await.expect("pool");
    postgres::migrate(&pool).await.unwrap();
    pool
}

async fn feed(db: &TestDatabase, url: &str, outlet: &str) -> i64 {
    db.client()
        .await
        .query_one(
            "INSERT INTO feed (url, outlet, created_at) VALUES ($1, $2, $3) RETURNING id",
            &[&url, &outlet, &now()],
        )
        .await
        .unwrap()
        .get(0)
}

async fn count(db: &TestDatabase, sql: &str) -> i64 {
    db.client()
        .await
        .query_one(sql, &[])
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .get(0)
}

fn title_match() -> Match {
    Match {
        term: "حموشي".into(),
        text: "حموشي".into(),
        field: Field::Title,
        start: 0,
        end: 10,
        snippet: "حموشي يستقبل".into(),
    }
}

/// The article of SQLite's store tests.
fn article(feed_id: i64, key: &str) -> NewArticle {
    let title = "حموشي يستقبل زوييف".to_string();
    let body = format!("نص المقال {key}");
    NewArticle {
        feed_id,
        entry_key: key.to_string(),
        url: Some(format!("https://x.ma/{key}")),
        canonical_url: None,
        story: Signature::of(&title, &body, []),
        title,
        body,
        body_source: BodySource::Page,
        body_error: None,
        author: None,
        lang: Some("ar".into()),
        site_name: None,
        published_at: None,
        outlet: "X".into(),
        fingerprints: vec![1, 2],
        page_retry_at: None,
        matches: vec![("hammouchi".into(), title_match())],
        index_tokens: None,
    }
}

fn alert(uid: &str, policy: AlertPolicy) -> Vec<NewAlert> {
    vec![NewAlert {
        uid: uid.into(),
        policy,
        watch: "hammouchi".into(),
        severity: "high".into(),
        payload: "{}".into(),
        sinks: vec!["file".into(), "log".into()],
    }]
}

async fn insert(
    pool: &Pool,
    article: &NewArticle,
    at: DateTime<Utc>,
    alerts: Vec<NewAlert>,
) -> Option<Inserted> {
    postgres::insert_article(pool, article, at, TWO_DAYS, |_, _| alerts)
        .await
        .unwrap()
}

#[tokio::test]
async fn an_article_is_stored_once_with_its_matches_alert_and_deliveries() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = feed(&db, "https://x.ma/feed", "X").await;
    let mut first = article(feed, "a");
    let published = FixedOffset::east_opt(3600)
        .unwrap()
        .with_ymd_and_hms(2025, 12, 2, 8, 30, 0)
        .unwrap();
    first.published_at = Some(published);
    let stored = postgres::insert_article(&pool, &first, now(), HOUR, |_, _| {
        alert("u1", AlertPolicy::Article)
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(stored.alerts, 1);
    let again = postgres::insert_article(&pool, &first, now(), HOUR, |_, _| panic!("not called"))
        .await
        .unwrap();
    assert_eq!(again, None);
    assert_eq!(count(&db, "SELECT count(*) FROM article").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM alert").await, 1);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state = 'pending' AND digest_until IS NULL"
        )
        .await,
        2,
        "one per sink"
    );
    assert_eq!(
        postgres::match_count(&pool, stored.article.id, "hammouchi")
            .await
            .unwrap(),
        1
    );
    let read = postgres::articles_after(&pool, 0, Some(now()), 10)
        .await
        .unwrap();
    assert_eq!(read.len(), 1);
    assert_eq!(read[0].article, stored.article);
    assert_eq!(
        (read[0].feed_url.as_str(), read[0].outlet.as_str()),
        ("https://x.ma/feed", "X")
    );
    assert_eq!(
        read[0].published_at.as_deref(),
        Some("2025-12-02T08:30:00+01:00"),
        "the date in the offset its source wrote, as SQLite keeps it"
    );
    assert!(
        postgres::articles_after(&pool, 0, Some(minutes(1)), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        postgres::articles_after(&pool, stored.article.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn an_article_at_a_url_already_stored_through_another_feed_is_not_stored_again() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let main = feed(&db, "https://x.ma/feed", "X").await;
    let category = feed(&db, "https://x.ma/category/feed", "X").await;
    let first = article(main, "guid:1");
    let mut same = article(category, "guid:cat-1");
    same.url = Some("https://X.MA:443/guid:1#comments".into());
    let stored = insert(&pool, &first, now(), alert("u1", AlertPolicy::Article)).await;
    assert!(matches!(stored, Some(Inserted { alerts: 1, .. })));
    assert_eq!(
        insert(&pool, &same, now(), alert("u2", AlertPolicy::Article)).await,
        None
    );
    assert_eq!(count(&db, "SELECT count(*) FROM article").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM alert").await, 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM story").await,
        1,
        "the refused copy leaves no story behind"
    );
    assert_eq!(
        count(&db, "SELECT df FROM term_df WHERE term = 0").await,
        1,
        "nor counts"
    );
}

/// Hold the `match` table so that a write stops before its matches, until `writers` sessions
/// wait on a lock at once: the writes were in flight together. Then let them go.
async fn release_once_waiting(db: &TestDatabase, blocker: tokio_postgres::Client, writers: i64) {
    let watcher = db.client().await;
    for _ in 0..1500 {
        let waiting = watcher
            .query_one(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
                &[],
            )
            .await
            .unwrap()
            .get::<_, i64>(0);
        if waiting >= writers {
            blocker.batch_execute("COMMIT").await.unwrap();
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the {writers} writes never waited at the same time");
}

async fn hold_matches(db: &TestDatabase) -> tokio_postgres::Client {
    let blocker = db.client().await;
    blocker
        .batch_execute("BEGIN; LOCK TABLE \"match\" IN SHARE MODE")
        .await
        .unwrap();
    blocker
}

/// Store `articles` at the same moment, each through a pool of its own (an instance each), their
/// writes overlapping; what each returned.
async fn at_once(
    db: &TestDatabase,
    articles: Vec<(NewArticle, Vec<NewAlert>)>,
) -> Vec<Option<Inserted>> {
    let blocker = hold_matches(db).await;
    let writers = articles.len() as i64;
    let mut tasks = Vec::new();
    for (article, alerts) in articles {
        let pool = migrated(db).await;
        tasks.push(tokio::spawn(async move {
            postgres::insert_article(&pool, &article, now(), TWO_DAYS, |_, _| alerts)
                .await
                .unwrap()
        }));
    }
    release_once_waiting(db, blocker, writers).await;
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_storing_one_url_through_two_feeds_at_once_store_it_once() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    drop(migrated(&db).await);
    let main = feed(&db, "https://x.ma/feed", "X").await;
    let category = feed(&db, "https://x.ma/category/feed", "X").await;
    let first = article(main, "guid:1");
    let mut same = article(category, "guid:cat-1");
    same.url = Some("https://x.ma/guid:1".into());
    let results = at_once(
        &db,
        vec![
            (first, alert("u1", AlertPolicy::Article)),
            (same, alert("u2", AlertPolicy::Article)),
        ],
    )
    .await;
    assert_eq!(
        results.iter().filter(|r| r.is_some()).count(),
        1,
        "{results:?}"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM article").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM alert").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM story").await, 1);
}

#[tokio::test]
async fn a_reprint_joins_the_story_of_its_original() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = feed(&db, "https://x.ma/feed", "X").await;
    let a = insert(&pool, &article(feed, "a"), now(), Vec::new())
        .await
        .unwrap();
    let mut reprint = article(feed, "a2");
    reprint.story = article(feed, "a").story;
    let b = insert(&pool, &reprint, now(), Vec::new()).await.unwrap();
    let mut other = article(feed, "c");
    other.title = "Marathon de Rabat".into();
    other.body = "Les coureurs du marathon international ont traversé la ville dimanche.".into();
    other.story = Signature::of(&other.title, &other.body, []);
    let c = insert(&pool, &other, now(), Vec::new()).await.unwrap();
    assert_eq!(a.article.story_id, b.article.story_id);
    assert_ne!(a.article.story_id, c.article.story_id);
}

/// A seed article (tests/fixtures/seeds, its first line the title) as polled through `feed`,
/// its entities and matches those of the example config's watches.
fn seed(feed_id: i64, name: &str, watches: &(Watchlist, Vec<String>)) -> NewArticle {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let path = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
        .unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    let (title, body) = text.split_once('\n').unwrap();
    let (watchlist, names) = watches;
    let hits = watchlist.scan(&Subject {
        title,
        body,
        ..Subject::default()
    });
    let hit: Vec<&str> = hits.iter().map(|h| names[h.watch].as_str()).collect();
    let mut matches: Vec<(String, Match)> = hits
        .iter()
        .flat_map(|h| {
            h.matches
                .iter()
                .map(|m| (names[h.watch].clone(), m.clone()))
        })
        .collect();
    if matches.is_empty() {
        matches.push(("hammouchi".into(), title_match()));
    }
    NewArticle {
        feed_id,
        entry_key: name.to_string(),
        url: Some(format!("https://example.test/{name}")),
        canonical_url: None,
        title: title.to_string(),
        body: body.to_string(),
        body_source: BodySource::Page,
        body_error: None,
        author: None,
        lang: None,
        site_name: None,
        published_at: None,
        story: Signature::of(title, body, hit),
        outlet: "outlet".into(),
        fingerprints: Vec::new(),
        page_retry_at: None,
        matches,
        index_tokens: None,
    }
}

fn example_watches() -> (Watchlist, Vec<String>) {
    let config = Config::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("config.toml")).unwrap();
    let names = config.watches.iter().map(|w| w.name.clone()).collect();
    (Watchlist::compile(&config.watches).unwrap(), names)
}

async fn story_of(db: &TestDatabase, entry_key: &str) -> i64 {
    db.client()
        .await
        .query_one(
            "SELECT story_id FROM article WHERE entry_key = $1",
            &[&entry_key],
        )
        .await
        .unwrap()
        .get(0)
}

#[tokio::test]
async fn the_seed_rewrites_are_one_story_in_every_order_and_the_other_events_their_own() {
    let watches = example_watches();
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for order in orders {
        let Some(db) = TestDatabase::create().await else {
            return;
        };
        let pool = migrated(&db).await;
        let feed = feed(&db, "https://example.test/feed", "outlet").await;
        let rewrites = ["000", "001", "002"];
        let names = order.iter().map(|&i| rewrites[i]).chain(["003", "004"]);
        for (step, name) in names.enumerate() {
            let stored = insert(
                &pool,
                &seed(feed, name, &watches),
                minutes(20 * step as i64),
                Vec::new(),
            )
            .await;
            assert!(stored.is_some(), "{name}");
        }
        let mut stories = Vec::new();
        for name in ["000", "001", "002", "003", "004"] {
            stories.push(story_of(&db, name).await);
        }
        assert!(
            stories[1] == stories[0] && stories[2] == stories[0],
            "order {order:?}: {stories:?}"
        );
        assert!(
            stories[3] != stories[0] && stories[4] != stories[0] && stories[3] != stories[4],
            "003 (Vienna) and 004 (Haines) are other events, order {order:?}: {stories:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_storing_rewrites_of_one_event_at_once_end_in_one_story_and_one_alert() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    drop(migrated(&db).await);
    let watches = example_watches();
    let x = feed(&db, "https://x.ma/feed", "X").await;
    let y = feed(&db, "https://y.ma/feed", "Y").await;
    let results = at_once(
        &db,
        vec![
            (seed(x, "000", &watches), alert("u-000", AlertPolicy::Story)),
            (seed(y, "001", &watches), alert("u-001", AlertPolicy::Story)),
        ],
    )
    .await;
    let stored: Vec<Inserted> = results.into_iter().map(Option::unwrap).collect();
    assert_eq!(
        stored[0].article.story_id, stored[1].article.story_id,
        "{stored:?}"
    );
    assert_eq!(
        count(&db, "SELECT count(DISTINCT story_id) FROM article").await,
        1
    );
    assert_eq!(count(&db, "SELECT count(*) FROM story").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM alert").await, 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM alert_report").await,
        1,
        "the second outlet is recorded against the one alert"
    );
    assert_eq!(stored[0].alerts + stored[1].alerts, 1);
}

/// Two outlets publish one story (a reprint); each article's alert closure is given the
/// outlets that published the story before it.
async fn one_story_from_two_outlets(db: &TestDatabase, policy: AlertPolicy) -> Vec<Vec<String>> {
    let pool = migrated(db).await;
    let first = feed(db, "https://x.ma/feed", "X").await;
    let second = feed(db, "https://y.ma/feed", "Y").await;
    let mut seen = Vec::new();
    for (feed, url, uid) in [
        (first, "https://x.ma/a", "u1"),
        (second, "https://y.ma/a", "u2"),
    ] {
        let mut reprint = article(feed, "a");
        reprint.url = Some(url.into());
        let stored = postgres::insert_article(&pool, &reprint, now(), HOUR, |_, outlets| {
            seen.push(outlets.to_vec());
            alert(uid, policy)
        })
        .await
        .unwrap()
        .unwrap();
        let outlets = postgres::story_outlets(&pool, stored.article)
            .await
            .unwrap();
        assert_eq!(&outlets, seen.last().unwrap());
    }
    seen
}

#[tokio::test]
async fn a_story_raises_one_alert_and_records_the_other_outlets_against_it() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let seen = one_story_from_two_outlets(&db, AlertPolicy::Story).await;
    assert_eq!(seen, vec![Vec::<String>::new(), vec!["X".to_string()]]);
    assert_eq!(
        count(&db, "SELECT count(DISTINCT story_id) FROM article").await,
        1
    );
    assert_eq!(count(&db, "SELECT count(*) FROM alert").await, 1);
    assert_eq!(
        count(&db, "SELECT count(*) FROM delivery").await,
        2,
        "one per sink, once"
    );
    assert_eq!(count(&db, "SELECT count(*) FROM alert_report").await, 1);
}

#[tokio::test]
async fn per_article_alerts_are_raised_for_every_article_of_a_story() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    one_story_from_two_outlets(&db, AlertPolicy::Article).await;
    assert_eq!(count(&db, "SELECT count(*) FROM alert").await, 2);
    assert_eq!(count(&db, "SELECT count(*) FROM alert_report").await, 0);
}

/// An article telling the events of two stories at once merges them: the later story's
/// articles and alerts move to the earlier, the merge is recorded, no alert is raised again.
#[tokio::test]
async fn an_article_close_to_two_stories_merges_them_and_raises_no_new_alert() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = feed(&db, "https://x.ma/feed", "X").await;
    // Words no prior lists: two halves sharing nothing, and a whole that holds both.
    let words =
        |half: &str| -> Vec<String> { ('a'..='l').map(|c| format!("{half}{c}{c}")).collect() };
    let (left, right) = (words("zorvak").join(" "), words("quentil").join(" "));
    let texts = [
        ("left", left.clone()),
        ("right", right.clone()),
        ("both", format!("{left} {right}")),
    ];
    let mut stories = Vec::new();
    for (i, (key, body)) in texts.iter().enumerate() {
        let mut article = article(feed, key);
        article.body = body.clone();
        article.story = Signature::of("", body, ["hammouchi"]);
        let stored = insert(
            &pool,
            &article,
            minutes(20 * i as i64),
            alert(&format!("u-{key}"), AlertPolicy::Story),
        )
        .await
        .unwrap();
        stories.push(stored.article.story_id);
    }
    assert_ne!(stories[0], stories[1], "the halves are two stories");
    assert_eq!(stories[2], stories[0], "the whole joins the earlier");
    assert_eq!(
        count(&db, "SELECT count(DISTINCT story_id) FROM article").await,
        1
    );
    assert_eq!(
        count(&db, "SELECT count(DISTINCT story_id) FROM article_story").await,
        1
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM alert").await,
        2,
        "both alerts raised before the merge stay, and no third"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM (SELECT 1 FROM alert GROUP BY watch, story_id HAVING count(*) > 1) AS twice"
        )
        .await,
        0,
        "one alert per watch and story after the merge"
    );
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM alert WHERE uid = 'u-right' AND story_id = {}",
                stories[1]
            )
        )
        .await,
        1,
        "the later story's alert stays where it was raised"
    );
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM alert_report r JOIN alert a ON a.id = r.alert_id WHERE a.uid = 'u-left'"
        )
        .await,
        1,
        "the bridging article is recorded against the earlier story's alert"
    );
    assert_eq!(
        count(
            &db,
            &format!(
                "SELECT count(*) FROM story_merge WHERE story_id = {} AND merged_into = {}",
                stories[1], stories[0]
            )
        )
        .await,
        1
    );
}

#[tokio::test]
async fn edge_paragraphs_are_counted_with_their_stories_and_the_outlet_s_articles() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = feed(&db, "https://x.ma/feed", "X").await;
    assert!(
        postgres::learned_records(&pool, "X", &[1, 2], now())
            .await
            .unwrap()
            .is_empty()
    );
    let stories = [
        "حريق في غابة بإقليم شفشاون",
        "افتتاح معرض الكتاب بالرباط",
        "فيضانات في سهل الغرب",
    ];
    // Four articles: paragraph 1 in all (two of them rewrites of one story), paragraph 2 only
    // from the third on, and one feed summary, which counts for nothing.
    let carried: [(&str, &[i64], &str); 4] = [
        ("a", &[1], stories[0]),
        ("b", &[1], stories[0]),
        ("c", &[1, 2], stories[1]),
        ("d", &[1, 2], stories[2]),
    ];
    for (key, prints, story) in carried {
        let mut article = article(feed, key);
        article.fingerprints = prints.to_vec();
        article.story = Signature::of(story, &format!("{story} {story}"), []);
        insert(&pool, &article, now(), Vec::new()).await.unwrap();
    }
    let mut summary = article(feed, "e");
    summary.body_source = BodySource::Feed;
    summary.fingerprints = Vec::new();
    insert(&pool, &summary, now(), Vec::new()).await.unwrap();

    let records = postgres::learned_records(&pool, "X", &[1, 2, 3], now())
        .await
        .unwrap();
    assert_eq!(
        records.get(&1),
        Some(&Seen {
            articles: 4,
            stories: 3,
            outlet_articles: 4
        })
    );
    assert_eq!(
        records.get(&2),
        Some(&Seen {
            articles: 2,
            stories: 2,
            outlet_articles: 2
        }),
        "the share counts the outlet's articles since the paragraph first appeared"
    );
    assert_eq!(records.len(), 2);
    let much_later = now() + chrono::Duration::days(45);
    assert!(
        postgres::learned_records(&pool, "X", &[1, 2], much_later)
            .await
            .unwrap()
            .is_empty(),
        "counts expire"
    );
}

#[tokio::test]
async fn a_rescan_replaces_a_watch_s_matches_and_raises_its_alert_once() {
    let Some(db) = TestDatabase::create().await else {
        return;
    };
    let pool = migrated(&db).await;
    let feed = feed(&db, "https://x.ma/feed", "X").await;
    let stored = insert(&pool, &article(feed, "a"), now(), Vec::new())
        .await
        .unwrap();
    let article: StoredArticle = stored.article;
    let twice = [title_match(), title_match()];
    let new_alert = || alert("u-rescan", AlertPolicy::Story).pop();
    assert!(
        postgres::replace_matches(&pool, article, "hammouchi", &twice, new_alert(), now())
            .await
            .unwrap()
    );
    assert_eq!(
        postgres::match_count(&pool, article.id, "hammouchi")
            .await
            .unwrap(),
        2
    );
    assert!(
        !postgres::replace_matches(&pool, article, "hammouchi", &[], new_alert(), now())
            .await
            .unwrap(),
        "the article has its alert already"
    );
    assert_eq!(
        postgres::match_count(&pool, article.id, "hammouchi")
            .await
            .unwrap(),
        0
    );
    assert_eq!(count(&db, "SELECT count(*) FROM alert").await, 1);
    assert_eq!(count(&db, "SELECT count(*) FROM delivery").await, 2);
}
