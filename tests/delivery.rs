//! Alert delivery through webhooks, with the real binary, a feed server and a webhook receiver
//! on 127.0.0.1: receivers that fail for a while, receivers that never accept, and a daemon
//! killed while deliveries are pending. Nothing may be lost; repeats carry the same id.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::daemon::{stop, wait_for};
use common::receiver::{Received, Receiver};
use common::{Resource, Server, write_config};

const SECRET: &str = "s3cret-for-tests";

fn feed_server() -> Server {
    let server = Server::start();
    server.put("/feed", common::delegations_feed());
    server
}

/// A config with one feed, one per-article watch and the given sinks.
fn config(dir: &Path, server: &Server, daemon: &str, sinks: &str) -> std::path::PathBuf {
    write_config(
        dir,
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\ndelivery_retry = \"1s\"\n{daemon}\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"article\"\n{sinks}",
            server.url("/feed")
        ),
    )
}

fn webhook(name: &str, receiver: &Receiver) -> String {
    format!(
        "[[sink]]\nname = \"{name}\"\ntype = \"webhook\"\nurl = \"{}\"\nsecret_env = \"RAQIB_TEST_SECRET\"\n\
         headers = {{ Authorization = \"Bearer t0ken\" }}\n",
        receiver.url
    )
}

fn start(config: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .env("RAQIB_TEST_SECRET", SECRET)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Alert ids the receiver accepted (answered 2xx).
fn accepted(received: &[Received]) -> BTreeSet<String> {
    received
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .map(|r| r.headers["x-raqib-alert-id"].clone())
        .collect()
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
}

/// Every request is the alert's JSON, signed, with its id in the headers.
fn check_requests(received: &[Received]) {
    for r in received {
        let alert: serde_json::Value = serde_json::from_str(&r.body).expect("JSON body");
        let id = alert["id"].as_str().unwrap();
        assert_eq!(r.headers["x-raqib-alert-id"], id);
        assert_eq!(r.headers["idempotency-key"], id);
        assert_eq!(r.headers["authorization"], "Bearer t0ken");
        assert_eq!(
            r.headers["x-raqib-signature"],
            raqib::alert::sink::signature(SECRET, r.body.as_bytes())
        );
    }
}

#[test]
fn a_receiver_that_fails_for_a_while_gets_every_alert_with_the_same_ids() {
    let server = feed_server();
    let receiver = Receiver::start(|n| if n < 4 { 503 } else { 200 });
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, "", &webhook("hook", &receiver));
    let child = start(&config);
    let all = wait_for(Duration::from_secs(60), || {
        accepted(&receiver.received()).len() == 3
    });
    let log = stop(child);
    assert!(
        all,
        "not every alert arrived: {:?}\n{log}",
        receiver.received()
    );

    let received = receiver.received();
    check_requests(&received);
    let failed: BTreeSet<String> = received
        .iter()
        .filter(|r| r.status == 503)
        .map(|r| r.headers["x-raqib-alert-id"].clone())
        .collect();
    assert!(!failed.is_empty());
    assert!(
        failed.is_subset(&accepted(&received)),
        "repeats carry the same ids"
    );
    let db = dir.path().join("raqib.db");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state = 'delivered'"
        ),
        3
    );
    assert!(log.contains("will retry"), "{log}");
}

#[test]
fn deliveries_that_never_succeed_are_marked_dead_and_reported() {
    let server = feed_server();
    let down = Receiver::start(|_| 500);
    let refusing = Receiver::start(|_| 404);
    let dir = tempfile::tempdir().unwrap();
    let sinks = format!(
        "{}{}",
        webhook("down", &down),
        webhook("refusing", &refusing)
    );
    let config = config(dir.path(), &server, "delivery_dead_after = \"3s\"", &sinks);
    let db = dir.path().join("raqib.db");
    let child = start(&config);
    let dead = wait_for(Duration::from_secs(60), || {
        count(&db, "SELECT count(*) FROM delivery WHERE state = 'dead'") == 6
    });
    let log = stop(child);
    assert!(dead, "{log}");
    // Refused (404): dead at the first attempt. Down (500): retried until dead_after.
    assert_eq!(
        count(
            &db,
            "SELECT max(attempts) FROM delivery WHERE sink = 'refusing'"
        ),
        1
    );
    assert!(
        count(
            &db,
            "SELECT min(attempts) FROM delivery WHERE sink = 'down'"
        ) >= 2
    );
    assert!(log.contains("marked dead"), "{log}");
    assert_eq!(
        refusing.received().len(),
        3,
        "a refused alert is not sent again"
    );

    let listed = common::raqib(&[
        "--config",
        config.to_str().unwrap(),
        "alerts",
        "--format",
        "json",
    ]);
    let alerts: Vec<serde_json::Value> = common::lines(&common::stdout(&listed))
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), 3, "{}", common::stderr(&listed));
    for alert in &alerts {
        for delivery in alert["deliveries"].as_array().unwrap() {
            assert_eq!(delivery["state"], "dead", "{alert}");
            let error = delivery["last_error"].as_str().unwrap();
            assert!(error.contains("500") || error.contains("404"), "{error}");
        }
    }
}

#[test]
fn a_digest_watch_delivers_its_period_s_alerts_as_one() {
    let server = Server::start();
    let items = [
        (
            "Hammouchi receives the UN counter-terrorism office",
            "Hammouchi met Alexander Zouev in Rabat on Monday.",
        ),
        (
            "Hammouchi in Vienna for talks on drug trafficking",
            "Hammouchi led a delegation to Vienna in May.",
        ),
        (
            "US intelligence director visits Hammouchi",
            "Avril Haines was received by Hammouchi on Thursday.",
        ),
    ]
    .iter()
    .enumerate()
    .map(|(i, (title, text))| {
        format!(
            "<item><title>{title}</title><guid>{i}</guid><description>{text}</description></item>"
        )
    })
    .collect::<String>();
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\ndelivery_retry = \"1s\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"digest\"\ndigest_every = \"3s\"\n\
             [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n",
            server.url("/feed")
        ),
    );
    let db = dir.path().join("raqib.db");
    let child = start(&config);
    let delivered = wait_for(Duration::from_secs(30), || {
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state = 'delivered'",
        ) == 3
    });
    let log = stop(child);
    assert!(delivered, "{log}");
    assert_eq!(count(&db, "SELECT count(*) FROM alert"), 3, "three stories");
    let jsonl = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    let digests: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // One digest, or two if the alerts straddled the end of a period.
    assert!((1..=2).contains(&digests.len()), "{jsonl}");
    let mut ids = BTreeSet::new();
    for digest in &digests {
        assert_eq!(digest["kind"], "digest");
        assert_eq!(digest["watch"], "h");
        for alert in digest["alerts"].as_array().unwrap() {
            ids.insert(alert["id"].as_str().unwrap().to_string());
        }
    }
    assert_eq!(ids.len(), 3, "every alert once: {jsonl}");
}

#[test]
fn slack_format_posts_a_text_message() {
    let server = feed_server();
    let receiver = Receiver::start(|_| 200);
    let dir = tempfile::tempdir().unwrap();
    let sink = format!(
        "[[sink]]\nname = \"chat\"\ntype = \"webhook\"\nformat = \"slack\"\nurl = \"{}\"\n",
        receiver.url
    );
    let config = config(dir.path(), &server, "", &sink);
    let run = common::raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
    assert!(run.status.success(), "{}", common::stderr(&run));
    let received = receiver.received();
    assert_eq!(received.len(), 3);
    for r in &received {
        let message: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let text = message["text"].as_str().unwrap();
        assert!(text.starts_with("*medium* · *h* — "), "{text}");
        assert!(text.contains("Hammouchi meets delegation"), "{text}");
        assert!(
            !r.headers.contains_key("x-raqib-signature"),
            "no secret, no signature"
        );
    }
}

#[test]
fn a_missing_secret_stops_the_daemon_with_exit_78_and_check_config_names_it() {
    let server = feed_server();
    let receiver = Receiver::start(|_| 200);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, "", &webhook("hook", &receiver));
    let config = config.to_str().unwrap();
    let run = common::raqib(&["--config", config, "run", "--once"]);
    assert_eq!(run.status.code(), Some(78), "{}", common::stderr(&run));
    assert!(common::stderr(&run).contains("RAQIB_TEST_SECRET"));
    let check = common::raqib(&["--config", config, "check-config"]);
    assert_eq!(check.status.code(), Some(2));
    assert!(
        common::stderr(&check).contains("sink hook"),
        "{}",
        common::stderr(&check)
    );
    // Commands that deliver nothing do not need it.
    let listed = common::raqib(&["--config", config, "alerts"]);
    assert!(listed.status.success(), "{}", common::stderr(&listed));
}

#[test]
fn alerts_pending_when_the_daemon_is_killed_arrive_after_a_restart() {
    let server = feed_server();
    let receiver = Receiver::start(|_| 503);
    let dir = tempfile::tempdir().unwrap();
    let config = config(dir.path(), &server, "", &webhook("hook", &receiver));
    let db = dir.path().join("raqib.db");
    let mut child = start(&config);
    let pending = wait_for(Duration::from_secs(30), || {
        count(&db, "SELECT count(*) FROM delivery WHERE state = 'pending'") == 3
            && !receiver.received().is_empty()
    });
    child.kill().unwrap();
    let _ = child.wait();
    assert!(pending, "alerts were not stored before the kill");

    receiver.answer_with(|_| 200);
    let child = start(&config);
    let all = wait_for(Duration::from_secs(60), || {
        accepted(&receiver.received()).len() == 3
    });
    let log = stop(child);
    assert!(all, "{log}");
    check_requests(&receiver.received());
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state = 'delivered'"
        ),
        3
    );
    let conn = rusqlite::Connection::open(&db).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
}
