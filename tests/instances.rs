//! Several `raqib run` processes on one PostgreSQL database (`RAQIB_TEST_POSTGRES`, see
//! `support/postgres.rs`): they share its feeds through leases, so no feed is polled by two,
//! and together they store, group and alert what one instance would.

mod common;
#[path = "support/postgres.rs"]
mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::daemon::{Guard, run_logged, stop, wait_for};
use common::receiver::Receiver;
use common::{Resource, Server, desk, raqib, skip, stderr, write_config};

const FEEDS: usize = 8;

/// Two instances started together on one database, eight feeds due at once (each answering
/// slowly, so polls overlap): every feed is fetched once, its article stored once.
#[test]
fn two_instances_never_poll_one_feed_both() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    let now = chrono::Utc::now().to_rfc2822();
    let mut feeds = String::new();
    for i in 0..FEEDS {
        let body = format!(
            "<rss version=\"2.0\"><channel><title>t</title>\
             <item><title>Feed {i} reports on item {i}</title><guid>{i}</guid>\
             <link>{link}</link><pubDate>{now}</pubDate>\
             <description>Number {i} of the day's items.</description></item>\
             </channel></rss>",
            link = server.url(&format!("/news/{i}")),
        );
        server.put(
            &format!("/feed/{i}"),
            Resource::new("application/rss+xml", body).with_delay(Duration::from_millis(700)),
        );
        feeds.push_str(&format!(
            "[[feed]]\nurl = \"{}\"\noutlet = \"Outlet {i}\"\nscrape = false\n",
            server.url(&format!("/feed/{i}"))
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"{}\"\nallow_private_networks = true\n\
             politeness_delay = \"0s\"\nlease = \"30s\"\n{feeds}\
             [[watch]]\nname = \"items\"\naliases = [\"item\"]\n",
            db.url
        ),
    );
    let start = || {
        Guard::new(
            Command::new(env!("CARGO_BIN_EXE_raqib"))
                .args(["--config", config.to_str().unwrap(), "run"])
                .env("RUST_LOG", "info")
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        )
    };
    let (first, second) = (start(), start());
    let hits = || {
        (0..FEEDS)
            .map(|i| server.hits(&format!("/feed/{i}")))
            .collect::<Vec<_>>()
    };
    let all_polled = wait_for(Duration::from_secs(60), || hits().iter().all(|&n| n > 0));
    assert!(all_polled, "feeds polled: {:?}", hits());
    // Each instance spreads its first polls over three seconds: long enough for both to try.
    std::thread::sleep(Duration::from_secs(6));
    let logs = [stop(first.release()), stop(second.release())];
    assert_eq!(hits(), vec![1; FEEDS], "{logs:#?}");
    let articles: i64 = runtime.block_on(async {
        let client = db.client().await;
        client
            .query_one("SELECT count(*) FROM article", &[])
            .await
            .unwrap()
            .get(0)
    });
    assert_eq!(articles, FEEDS as i64);
}

/// What a run left in its database, with URLs as paths on the outlets' server.
#[derive(Debug, PartialEq)]
struct Outcome {
    /// Stories as the sets of their articles.
    stories: BTreeSet<BTreeSet<String>>,
    /// Each alert as its watch, its article (for a per-article watch) and its article's
    /// story, sorted; an alert once per story is the same whichever article raised it.
    alerts: Vec<(String, String, BTreeSet<String>)>,
}

impl Outcome {
    /// From rows of (article path, its story id) and (watch, article path, alert id).
    fn of(articles: &[(String, i64)], alerts: &[(String, String, String)]) -> Outcome {
        let mut by_story: BTreeMap<i64, BTreeSet<String>> = BTreeMap::new();
        for (path, story) in articles {
            by_story.entry(*story).or_default().insert(path.clone());
        }
        let story_of = |path: &str| {
            let story = articles.iter().find(|(p, _)| p == path).unwrap().1;
            by_story[&story].clone()
        };
        let mut keys: Vec<(String, String, BTreeSet<String>)> = alerts
            .iter()
            .map(|(watch, path, _)| {
                let article = if desk::PER_STORY.contains(&watch.as_str()) {
                    String::new()
                } else {
                    path.clone()
                };
                (watch.clone(), article, story_of(path))
            })
            .collect();
        keys.sort();
        Outcome {
            stories: by_story.into_values().collect(),
            alerts: keys,
        }
    }
}

fn desk_config(dir: &Path, database: &str, feeds: &[String], hook: &str) -> std::path::PathBuf {
    let feeds: String = feeds
        .iter()
        .map(|url| format!("[[feed]]\nurl = \"{url}\"\ninterval = \"1s\"\n"))
        .collect();
    write_config(
        dir,
        &format!(
            "[daemon]\ndatabase = \"{database}\"\nallow_private_networks = true\n\
             politeness_delay = \"0s\"\nper_host_concurrency = 16\nalert_max_age = \"30d\"\n\
             lease = \"10s\"\ndelivery_retry = \"1s\"\n{feeds}{}\
             [[sink]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{hook}\"\n",
            desk::WATCHES
        ),
    )
}

/// The desk polled by one `raqib run --once` on SQLite: what one instance makes of it.
fn one_instance() -> Outcome {
    let server = Server::start();
    let (feeds, _) = desk::publish(&server, Duration::ZERO);
    let receiver = Receiver::start(|_| 200);
    let dir = tempfile::tempdir().unwrap();
    let config = desk_config(dir.path(), "raqib.db", &feeds, &receiver.url);
    let run = raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let db = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    let path = |url: String| url.trim_start_matches(&server.base).to_string();
    let articles: Vec<(String, i64)> = db
        .prepare("SELECT url, story_id FROM article")
        .unwrap()
        .query_map([], |r| Ok((path(r.get(0)?), r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let alerts: Vec<(String, String, String)> = db
        .prepare("SELECT a.watch, r.url, a.uid FROM alert a JOIN article r ON r.id = a.article_id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, path(r.get(1)?), r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(receiver.received().len(), alerts.len());
    Outcome::of(&articles, &alerts)
}

/// Three `raqib run` on one PostgreSQL database polling seven outlets (pages answering
/// slowly, so polls overlap and feeds fall to different instances): every page fetched once,
/// every article stored once, the alerts one instance raises raised once and delivered once
/// under their ids, and the stories one instance groups grouped alike.
#[test]
fn three_instances_store_group_and_alert_as_one() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let expected = one_instance();

    let server = Server::start();
    let (feeds, articles) = desk::publish(&server, Duration::from_millis(300));
    let receiver = Receiver::start(|_| 200);
    let dir = tempfile::tempdir().unwrap();
    let config = desk_config(dir.path(), &db.url, &feeds, &receiver.url);
    let logs: Vec<_> = (0..3)
        .map(|i| dir.path().join(format!("raqib-{i}.log")))
        .collect();
    let instances: Vec<Guard> = logs
        .iter()
        .map(|log| Guard::new(run_logged(&config, log)))
        .collect();

    // -1 until the instances have migrated the database.
    let count = |sql: &str| -> i64 {
        runtime
            .block_on(async { db.client().await.query_one(sql, &[]).await })
            .map_or(-1, |row| row.get(0))
    };
    let settled = wait_for(Duration::from_secs(60), || {
        count("SELECT count(*) FROM article") == articles.len() as i64
            && count("SELECT count(*) FROM delivery WHERE state <> 'delivered'") == 0
            && receiver.received().len() >= expected.alerts.len()
    });
    // A few more rounds of polls (every second) must fetch nothing again.
    std::thread::sleep(Duration::from_secs(3));
    for instance in instances {
        stop(instance.release());
    }
    let log = |i: usize| std::fs::read_to_string(&logs[i]).unwrap();
    let trouble = |i: usize| {
        let log = log(i);
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(25)..].join("\n")
    };
    assert!(
        settled,
        "did not settle: {} articles of {}, {} deliveries pending, {} received of {}; \
         their logs end:\n{}\n{}\n{}",
        count("SELECT count(*) FROM article"),
        articles.len(),
        count("SELECT count(*) FROM delivery WHERE state <> 'delivered'"),
        receiver.received().len(),
        expected.alerts.len(),
        trouble(0),
        trouble(1),
        trouble(2)
    );
    for i in 0..3 {
        assert!(!log(i).contains("panicked"), "{}", log(i));
    }

    for article in &articles {
        assert_eq!(
            server.hits(&article.path),
            1,
            "{} fetched once",
            article.path
        );
    }
    let (stored, alerts) = runtime.block_on(async {
        let client = db.client().await;
        let path = |url: String| url.trim_start_matches(&server.base).to_string();
        let stored: Vec<(String, i64)> = client
            .query("SELECT url, story_id FROM article", &[])
            .await
            .unwrap()
            .iter()
            .map(|r| (path(r.get(0)), r.get(1)))
            .collect();
        let alerts: Vec<(String, String, String)> = client
            .query(
                "SELECT a.watch, r.url, a.uid FROM alert a JOIN article r ON r.id = a.article_id",
                &[],
            )
            .await
            .unwrap()
            .iter()
            .map(|r| (r.get(0), path(r.get(1)), r.get(2)))
            .collect();
        (stored, alerts)
    });
    let paths: BTreeSet<&String> = stored.iter().map(|(p, _)| p).collect();
    assert_eq!(
        paths.len(),
        stored.len(),
        "an article stored twice: {stored:?}"
    );
    assert_eq!(paths, articles.iter().map(|a| &a.path).collect());
    assert_eq!(Outcome::of(&stored, &alerts), expected);

    // The press release rewritten by three outlets is one story, as are the two other events.
    let outcome = Outcome::of(&stored, &alerts);
    for story in ["ar-zouev-rabat", "fr-tetouan-cell", "en-tangier-cannabis"] {
        let told: BTreeSet<String> = articles
            .iter()
            .filter(|a| a.story.as_deref() == Some(story))
            .map(|a| a.path.clone())
            .collect();
        assert!(
            outcome.stories.contains(&told),
            "{story}: {:#?}",
            outcome.stories
        );
    }

    // Each alert reached the receiver once, under its own id.
    let mut received: BTreeMap<String, usize> = BTreeMap::new();
    for r in receiver.received() {
        *received
            .entry(r.headers["x-raqib-alert-id"].clone())
            .or_default() += 1;
    }
    let ids: BTreeSet<String> = alerts.iter().map(|(_, _, id)| id.clone()).collect();
    assert_eq!(received.keys().cloned().collect::<BTreeSet<_>>(), ids);
    assert!(received.values().all(|&n| n == 1), "{received:?}");

    // The work was shared: more than one instance stored articles.
    let storing = (0..3)
        .filter(|&i| {
            log(i)
                .lines()
                .any(|l| l.contains("polled feed") && !l.contains(" new=0 "))
        })
        .count();
    assert!(storing >= 2, "instances that stored articles: {storing}");
}

/// The story lock's key (`store/postgres/story.rs`).
const STORY_LOCK: i64 = 0x7261_7169_625f_7374;

/// Every pooled connection of an instance waits for the story lock (held here) while its
/// polls' leases fall due for renewal: a renewal waiting for a connection must not stop its
/// poll, whose transaction, once granted the lock, frees the connections. Before the fix the
/// poll was not polled while its renewal waited, and the instance stalled for good.
#[test]
fn a_lease_renewal_waiting_for_a_connection_does_not_stall_its_poll() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    let now = chrono::Utc::now().to_rfc2822();
    let mut feeds = String::new();
    for f in 0..2 {
        let items: String = (0..4)
            .map(|i| {
                format!(
                    "<item><title>Report {f}-{i} on the harbour works</title><guid>{f}-{i}</guid>\
                     <pubDate>{now}</pubDate><description>Item {i} of feed {f}.</description></item>"
                )
            })
            .collect();
        server.put(
            &format!("/feed/{f}"),
            Resource::new(
                "application/rss+xml",
                format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
            ),
        );
        feeds.push_str(&format!(
            "[[feed]]\nurl = \"{}\"\nscrape = false\n",
            server.url(&format!("/feed/{f}"))
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    // One request at a time: a pool of five connections, fewer than the eight entries.
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"{}\"\nallow_private_networks = true\n\
             politeness_delay = \"0s\"\nconcurrency = 1\nlease = \"10s\"\n{feeds}",
            db.url
        ),
    );
    let (holder, waiting, stored) = runtime.block_on(async {
        let holder = db.client().await;
        holder
            .execute("SELECT pg_advisory_lock($1)", &[&STORY_LOCK])
            .await
            .unwrap();
        (holder, db.client().await, db.client().await)
    });
    let log_path = dir.path().join("raqib.log");
    let instance = Guard::new(run_logged(&config, &log_path));
    let count = |client: &tokio_postgres::Client, sql: &str| -> i64 {
        runtime
            .block_on(client.query_one(sql, &[]))
            .map_or(-1, |row| row.get(0))
    };
    let exhausted = wait_for(Duration::from_secs(30), || {
        count(
            &waiting,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted",
        ) >= 5
    });
    assert!(
        exhausted,
        "the pool never waited whole: {}",
        std::fs::read_to_string(&log_path).unwrap()
    );
    // The renewals (every third of the lease) fall due while every connection waits.
    std::thread::sleep(Duration::from_secs(5));
    runtime
        .block_on(holder.execute("SELECT pg_advisory_unlock($1)", &[&STORY_LOCK]))
        .unwrap();
    let all_stored = wait_for(Duration::from_secs(30), || {
        count(&stored, "SELECT count(*) FROM article") == 8
    });
    stop(instance.release());
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        all_stored,
        "{} of 8 articles stored: {log}",
        count(&stored, "SELECT count(*) FROM article")
    );
}

/// A feed whose holder died mid-poll (its lease running, its next due time past) is taken by
/// another instance once that lease ends, not a whole `lease` of the other's later.
#[test]
fn a_feed_held_by_a_dead_instance_is_taken_when_its_lease_ends() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><title>t</title><item><title>One item</title>\
             <guid>1</guid><description>An item.</description></item></channel></rss>",
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"{}\"\nallow_private_networks = true\n\
             politeness_delay = \"0s\"\nlease = \"10m\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n",
            db.url,
            server.url("/feed")
        ),
    );
    let once = raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
    assert!(once.status.success(), "{}", stderr(&once));
    // Another instance took the feed when it fell due and died while polling it: its lease
    // ends in four seconds.
    runtime.block_on(async {
        db.client()
            .await
            .execute(
                "UPDATE feed SET next_due_at = now() - interval '1 minute',
                     leased_by = 'dead', leased_until = now() + interval '4 seconds'",
                &[],
            )
            .await
            .unwrap();
    });
    let child = common::daemon::run(&config);
    // Well within the 10-minute lease this instance would otherwise wait.
    let taken = wait_for(Duration::from_secs(30), || server.hits("/feed") >= 2);
    let log = stop(child.release());
    assert!(taken, "polled {} times\n{log}", server.hits("/feed"));
}
