//! The outbox through the real binary: a digest goes out whole under its one id, a shutdown
//! while a slow receiver holds a delivery does not send it again, and check-config refuses a
//! digest period that would outlive `delivery_dead_after`. Receivers and feeds on 127.0.0.1.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, DurationRound, TimeZone, Utc};
use common::articles;
use common::daemon::{Guard, stop, wait_for};
use common::receiver::{Received, Receiver};
use common::{Resource, Server, raqib, stderr, write_config};
use raqib::alert::NewAlert;
use raqib::config::{AlertPolicy, Config};
use raqib::daemon::Pipeline;
use raqib::store::Store;

fn rss(items: &str) -> Resource {
    Resource::new(
        "application/rss+xml",
        format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
    )
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

/// Requests the receiver took, by alert id.
fn by_id(received: &[Received]) -> BTreeMap<String, usize> {
    let mut ids = BTreeMap::new();
    for r in received {
        *ids.entry(r.headers["x-raqib-alert-id"].clone())
            .or_default() += 1;
    }
    ids
}

/// `alerts` alerts of the hourly digest watch "h" to the sink "hook", raised a second apart
/// from `period_start`, each on an article of its own story, stored as the daemon stores them.
fn digest_alerts(db: &Path, feed_url: &str, period_start: DateTime<Utc>, alerts: usize) {
    let mut store = Store::open(db).unwrap();
    let feed = store
        .sync_feed(feed_url, "Outlet", period_start)
        .unwrap()
        .id;
    for i in 0..alerts {
        let title = format!("Hammouchi receives delegation {i}");
        let body = format!("Delegation {i} was received.");
        let url = format!("{feed_url}/news/{i}");
        let article = articles::summary(feed, &format!("guid:{i}"), &url, &title, &body);
        let at = period_start + chrono::Duration::seconds(i as i64);
        // No story window: every article its own story, so each raises its alert.
        store
            .insert_article(&article, at, Duration::ZERO, |_, _| {
                vec![NewAlert {
                    uid: format!("alert-{i}"),
                    policy: AlertPolicy::Digest {
                        every: Duration::from_secs(3600),
                        zone: chrono_tz::UTC,
                    },
                    watch: "h".into(),
                    severity: "medium".into(),
                    payload: format!("{{\"id\":\"alert-{i}\"}}"),
                    sinks: vec!["hook".into()],
                }]
            })
            .unwrap()
            .unwrap();
    }
}

#[test]
fn a_digest_of_more_than_500_alerts_is_one_delivery_with_one_id() {
    const ALERTS: usize = 620;
    let server = Server::start();
    server.put("/feed", rss(""));
    let receiver = Receiver::start(|_| 200);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqib.db");
    // The alerts of the last whole hour.
    let period_start = Utc::now()
        .duration_trunc(chrono::Duration::hours(1))
        .unwrap()
        - chrono::Duration::hours(1);
    digest_alerts(&db, &server.url("/feed"), period_start, ALERTS);
    assert_eq!(count(&db, "SELECT count(*) FROM delivery"), ALERTS as i64);
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\n\
             [[feed]]\nurl = \"{}\"\ninterval = \"1h\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"digest\"\ndigest_every = \"1h\"\n\
             [[sink]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
            server.url("/feed"),
            receiver.url
        ),
    );
    let run = raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
    assert!(run.status.success(), "{}", stderr(&run));

    let received = receiver.received();
    let ids = by_id(&received);
    assert_eq!(ids.len(), 1, "one digest: {ids:?}");
    assert_eq!(received.len(), 1, "sent once, whole: {ids:?}");
    let digest: serde_json::Value = serde_json::from_str(&received[0].body).unwrap();
    assert_eq!(digest["kind"], "digest");
    assert_eq!(digest["count"], ALERTS);
    assert_eq!(digest["alerts"].as_array().unwrap().len(), ALERTS);
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state = 'delivered'"
        ),
        ALERTS as i64
    );
}

#[test]
fn a_digest_is_retried_for_delivery_dead_after_from_its_period_s_end() {
    let receiver = Receiver::start(|_| 503);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("raqib.db");
    let period_start = Utc.with_ymd_and_hms(2025, 12, 2, 8, 0, 0).unwrap();
    digest_alerts(&db, "https://outlet.example/feed", period_start, 3);
    let source = format!(
        "[daemon]\ndelivery_dead_after = \"90m\"\nallow_private_networks = true\n\
         [[feed]]\nurl = \"https://outlet.example/feed\"\n\
         [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"digest\"\ndigest_every = \"1h\"\n\
         [[sink]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n",
        receiver.url
    );
    let config = write_config(dir.path(), &source);
    let config = Config::from_toml(&config, &source).unwrap();
    // 61 minutes after the period's end: its first alert is 121 minutes old.
    let at = period_start + chrono::Duration::minutes(121);
    let pipeline = Pipeline::with_clock(config, Arc::new(move || at)).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let done = runtime.block_on(pipeline.dispatch()).unwrap();
    assert_eq!((done.failed, done.dead), (3, 0), "{done:?}");
    assert_eq!(receiver.received().len(), 1, "one digest");
    assert_eq!(
        count(&db, "SELECT count(*) FROM delivery WHERE state = 'pending'"),
        3
    );
}

#[test]
fn a_shutdown_while_a_slow_receiver_holds_a_delivery_sends_each_alert_once() {
    let server = Server::start();
    server.put("/feed", common::delegations_feed());
    let receiver = Receiver::start(|_| 200);
    // Longer than the grace period: the round is still sending when the grace ends.
    receiver.hold(Duration::from_secs(4));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\nshutdown_grace = \"1s\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"article\"\n\
             [[sink]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\ntimeout = \"20s\"\n",
            server.url("/feed"),
            receiver.url
        ),
    );
    let child = Guard::new(
        Command::new(env!("CARGO_BIN_EXE_raqib"))
            .args(["--config", config.to_str().unwrap(), "run"])
            .env("RUST_LOG", "info")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let sending = wait_for(Duration::from_secs(30), || !receiver.received().is_empty());
    let log = stop(child.release());
    assert!(sending, "no delivery started: {log}");

    let ids = by_id(&receiver.received());
    assert_eq!(ids.len(), 3, "{ids:?}\n{log}");
    assert!(
        ids.values().all(|&n| n == 1),
        "an alert sent twice: {ids:?}\n{log}"
    );
    let db = dir.path().join("raqib.db");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state = 'delivered'"
        ),
        3,
        "{log}"
    );
}

#[test]
fn check_config_refuses_a_digest_period_not_shorter_than_delivery_dead_after() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[daemon]\ndelivery_dead_after = \"2h\"\n\
         [[feed]]\nurl = \"https://outlet.example/feed\"\n\
         [[watch]]\nname = \"weekly\"\naliases = [\"Hammouchi\"]\nalert = \"digest\"\ndigest_every = \"1d\"\nsinks = [\"file\"]\n\
         [[watch]]\nname = \"hourly\"\naliases = [\"Zouev\"]\nalert = \"digest\"\ndigest_every = \"1h\"\nsinks = [\"file\"]\n\
         [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n",
    );
    let check = raqib(&["--config", config.to_str().unwrap(), "check-config"]);
    let err = stderr(&check);
    assert_eq!(check.status.code(), Some(2), "{err}");
    let problem = err
        .lines()
        .find(|l| l.contains("digest_every"))
        .unwrap_or_else(|| panic!("{err}"));
    for named in ["\"weekly\"", "delivery_dead_after", "sink \"file\""] {
        assert!(problem.contains(named), "{named} in {problem}");
    }
    assert!(!err.contains("\"hourly\""), "{err}");
}
