//! Several `raqib run` processes on one PostgreSQL database (`RAQIB_TEST_POSTGRES`, see
//! `support/postgres.rs`): they share its feeds through leases, so no feed is polled by two.

mod common;
#[path = "support/postgres.rs"]
mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::daemon::{Guard, stop, wait_for};
use common::{Resource, Server, skip, write_config};

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
