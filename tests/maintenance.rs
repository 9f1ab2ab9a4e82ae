//! Pruning that fails, through the real binary and a real SQLite file: it must be seen.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::daemon::{Guard, free_addr, http_get, stop, wait_for};
use common::{Resource, Server, raqib, stderr, write_config};

#[test]
fn a_failed_round_of_pruning_is_logged_and_fails_healthz() {
    let server = Server::start();
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><title>t</title><item><title>Old news</title><guid>1</guid>\
             <description>Stored long ago.</description></item></channel></rss>",
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\nretention = \"1d\"\nmetrics_listen = \"{addr}\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n",
            server.url("/feed")
        ),
    );
    let config = config.to_str().unwrap();
    let once = raqib(&["--config", config, "run", "--once"]);
    assert!(once.status.success(), "{}", stderr(&once));
    // The article is past its retention, and deleting it fails.
    let db = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    db.execute_batch(
        "UPDATE article SET fetched_at = '2000-01-01T00:00:00Z';
         CREATE TRIGGER refuse_pruning BEFORE DELETE ON article
         BEGIN SELECT RAISE(ABORT, 'pruning refused by the test'); END;",
    )
    .unwrap();
    drop(db);

    let child = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config, "run"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let guard = Guard::new(child);
    let mut health = (0, String::new());
    // The first round of pruning starts a minute after the daemon.
    let reported = wait_for(Duration::from_secs(120), || {
        health = http_get(&addr, "/healthz");
        health.0 == 503
    });
    let log = stop(guard.release());
    assert!(reported, "healthz stayed {health:?}\n{log}");
    assert!(
        health.1.starts_with("pruning failed at ")
            && health.1.contains("pruning refused by the test"),
        "{health:?}"
    );
    assert!(
        log.contains("pruning old data failed") && log.contains("pruning refused by the test"),
        "{log}"
    );
}
