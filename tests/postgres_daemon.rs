//! `raqib run` on PostgreSQL (`RAQIB_TEST_POSTGRES`, see `support/postgres.rs`) serves the same
//! metrics and health, and reloads its config, as on a SQLite file.

mod common;
#[path = "support/postgres.rs"]
mod support;

use std::time::Duration;

use common::daemon::{free_addr, http_get, run, signal, stop, wait_for};
use common::{Resource, Server, skip, write_config};

fn rss(guid: &str, title: &str) -> Resource {
    Resource::new(
        "application/rss+xml",
        format!(
            "<rss version=\"2.0\"><channel><title>t</title><item><title>{title}</title>\
             <guid>{guid}</guid><description>{title}</description></item></channel></rss>"
        ),
    )
}

/// An article page naming the watched person.
fn delegation() -> Resource {
    Resource::new(
        "text/html; charset=utf-8",
        "<html><head><title>Hammouchi receives a delegation</title></head><body><article>\
         <h1>Hammouchi receives a delegation</h1><p>The director general received a \
         delegation of the counter-terrorism office on Monday in Rabat, the statement \
         said, to discuss cooperation between the two services.</p></article></body></html>",
    )
}

fn config(db: &str, addr: &str, feeds: &[String]) -> String {
    let mut text = format!(
        "[daemon]\ndatabase = \"{db}\"\nallow_private_networks = true\n\
         politeness_delay = \"0s\"\nmetrics_listen = \"{addr}\"\n"
    );
    for url in feeds {
        text.push_str(&format!(
            "[[feed]]\nurl = \"{url}\"\nscrape = false\ninterval = \"1h\"\n"
        ));
    }
    text.push_str("[[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\n");
    text
}

fn count(runtime: &tokio::runtime::Runtime, db: &support::TestDatabase, sql: &str) -> i64 {
    runtime.block_on(async { db.client().await.query_one(sql, &[]).await.unwrap().get(0) })
}

#[test]
fn metrics_health_and_reload_work_on_postgresql_as_on_sqlite() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    server.put("/a", rss("a1", "Hammouchi receives a delegation"));
    server.put("/b", rss("b1", "Hammouchi visits the new headquarters"));
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let path = write_config(dir.path(), &config(&db.url, &addr, &[server.url("/a")]));
    let child = run(&path);
    // The gauges come from the database, read every few seconds: wait for the reading after
    // the work.
    let counted = wait_for(Duration::from_secs(40), || {
        let metrics = http_get(&addr, "/metrics").1;
        metrics.contains("raqib_alerts{watch=\"h\"} 1")
            && metrics.contains("raqib_feeds{state=\"ok\"} 1")
            && metrics.contains("raqib_outbox_pending 0")
    });
    let metrics = http_get(&addr, "/metrics").1;
    assert!(counted, "{metrics}");
    let size = metrics
        .lines()
        .find_map(|l| l.strip_prefix("raqib_database_bytes "))
        .and_then(|v| v.parse::<f64>().ok());
    assert!(size.is_some_and(|s| s > 0.0), "{metrics}");
    assert_eq!(http_get(&addr, "/healthz"), (200, "ok\n".to_string()));

    // A session holding the row every health probe writes: the probe cannot finish, and
    // /healthz says so instead of waiting.
    let blocked = runtime.block_on(async {
        let mut client = db.client().await;
        let tx = client.transaction().await.unwrap();
        tx.execute("SELECT 1 FROM health WHERE id = 1 FOR UPDATE", &[])
            .await
            .unwrap();
        let answer = tokio::task::spawn_blocking({
            let addr = addr.clone();
            move || http_get(&addr, "/healthz")
        })
        .await
        .unwrap();
        tx.rollback().await.unwrap();
        answer
    });
    assert_eq!(blocked.0, 503, "{blocked:?}");
    let healthy = wait_for(Duration::from_secs(15), || {
        http_get(&addr, "/healthz").0 == 200
    });
    assert!(healthy, "healthy again once the row is free");

    // A feed added and SIGHUP: polled from the reload on, into the same database.
    std::fs::write(
        &path,
        config(&db.url, &addr, &[server.url("/a"), server.url("/b")]),
    )
    .unwrap();
    signal(&child, "HUP");
    let polled = wait_for(Duration::from_secs(30), || server.hits("/b") > 0);
    let stored = wait_for(Duration::from_secs(10), || {
        count(&runtime, &db, "SELECT count(*) FROM article") == 2
    });
    let log = stop(child.release());
    assert!(polled && stored, "{log}");
    assert!(log.contains("configuration reloaded"), "{log}");
    assert_eq!(server.hits("/a"), 1, "{log}");
    assert_eq!(count(&runtime, &db, "SELECT count(*) FROM alert"), 2);
}

#[test]
fn two_instances_space_their_requests_to_one_host_by_the_politeness_delay() {
    const FEEDS: usize = 6;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    let starts = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut feeds = String::new();
    for i in 0..FEEDS {
        let starts = std::sync::Arc::clone(&starts);
        server.put_fn(&format!("/feed/{i}"), move |_| {
            starts.lock().unwrap().push(std::time::Instant::now());
            rss(&format!("g{i}"), &format!("Item {i} of the day"))
        });
        feeds.push_str(&format!(
            "[[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n",
            server.url(&format!("/feed/{i}"))
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"{}\"\nallow_private_networks = true\n\
             politeness_delay = \"1s\"\n{feeds}",
            db.url
        ),
    );
    let start = || run(&path);
    let instances = [start(), start()];
    let polled = wait_for(Duration::from_secs(60), || {
        starts.lock().unwrap().len() >= FEEDS
    });
    let logs: Vec<String> = instances.into_iter().map(|i| stop(i.release())).collect();
    assert!(polled, "{logs:#?}");
    let mut starts = starts.lock().unwrap().clone();
    starts.sort();
    let gaps: Vec<f64> = starts
        .windows(2)
        .map(|w| (w[1] - w[0]).as_secs_f64())
        .collect();
    // The server's clock sees each request a little after its start: allow for that jitter.
    assert!(
        gaps.iter().all(|&g| g > 0.8),
        "requests to one host a delay apart across instances: {gaps:?}\n{logs:#?}"
    );
}

#[test]
fn a_page_carried_by_feeds_of_two_instances_is_fetched_once() {
    const FEEDS: usize = 6;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    // One article in six feeds (an outlet's main feed and its sections), its page slow enough
    // that the instances' polls of these feeds overlap.
    let page = server.url("/2026/11/29/delegation");
    server.put(
        "/2026/11/29/delegation",
        delegation().with_delay(Duration::from_secs(4)),
    );
    // Each instance is given half the feeds (their configs differ only there), so that both
    // poll feeds carrying the page at once.
    let mut feeds = [String::new(), String::new()];
    for i in 0..FEEDS {
        server.put(
            &format!("/feed/{i}"),
            Resource::new(
                "application/rss+xml",
                format!(
                    "<rss version=\"2.0\"><channel><title>Section {i}</title><item>\
                     <title>Hammouchi receives a delegation</title><link>{page}</link>\
                     <guid>{i}-delegation</guid></item></channel></rss>"
                ),
            ),
        );
        feeds[i % 2].push_str(&format!(
            "[[feed]]\nurl = \"{}\"\ninterval = \"1h\"\n",
            server.url(&format!("/feed/{i}"))
        ));
    }
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let start = |half: usize| {
        let path = write_config(
            dirs[half].path(),
            &format!(
                "[daemon]\ndatabase = \"{}\"\nallow_private_networks = true\n\
                 politeness_delay = \"0s\"\n{}",
                db.url, feeds[half]
            ),
        );
        run(&path)
    };
    let instances = [start(0), start(1)];
    let polled = wait_for(Duration::from_secs(60), || {
        (0..FEEDS).all(|i| server.hits(&format!("/feed/{i}")) > 0)
    });
    // The page's fetch (4 s) and its storing, wherever it started.
    let stored = wait_for(Duration::from_secs(30), || {
        count(&runtime, &db, "SELECT count(*) FROM article") == 1
    });
    let logs: Vec<String> = instances.into_iter().map(|i| stop(i.release())).collect();
    assert!(polled && stored, "{logs:#?}");
    assert_eq!(
        server.hits("/2026/11/29/delegation"),
        1,
        "the page fetched by one instance alone\n{logs:#?}"
    );
}

#[test]
fn a_page_left_to_an_instance_that_died_is_fetched_when_its_claim_ends() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    let page = server.url("/2026/11/29/delegation");
    server.put("/2026/11/29/delegation", delegation());
    // The feed never changes: only its first read lists the page.
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            format!(
                "<rss version=\"2.0\"><channel><title>News</title><item>\
                 <title>Hammouchi receives a delegation</title><link>{page}</link>\
                 <guid>delegation</guid></item></channel></rss>"
            ),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"{}\"\nallow_private_networks = true\n\
             politeness_delay = \"0s\"\n[[feed]]\nurl = \"{}\"\ninterval = \"1s\"\n",
            db.url,
            server.url("/feed")
        ),
    );
    // The claim of an instance killed while it fetched the page, before this one starts.
    runtime.block_on(async {
        let store = raqib::store::postgres::Postgres::connect(&db.url, None, 1)
            .await
            .unwrap();
        raqib::store::postgres::migrate(store.pool()).await.unwrap();
        db.client()
            .await
            .execute(
                "INSERT INTO page_claim (url, until) VALUES ($1, now() + interval '4 seconds')",
                &[&page],
            )
            .await
            .unwrap();
    });
    let child = run(&path);
    let left = wait_for(Duration::from_secs(20), || server.hits("/feed") >= 2);
    let stored = wait_for(Duration::from_secs(20), || {
        count(&runtime, &db, "SELECT count(*) FROM article") == 1
    });
    let logs = stop(child.release());
    assert!(left, "{logs}");
    assert!(
        stored,
        "the page is fetched once the dead instance's claim ends\n{logs}"
    );
}
