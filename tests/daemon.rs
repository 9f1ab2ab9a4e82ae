//! The long-running daemon, through the real binary and real signals.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::daemon::{Guard, free_addr, http_get, signal, stop, wait_for};
use common::wait::Stderr;
use common::{Resource, Server, write_config};

#[test]
fn the_daemon_polls_delivers_survives_sighup_and_stops_cleanly_on_sigterm() {
    let server = Server::start();
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><title>t</title><item><title>Hammouchi receives UN delegation</title>\
             <guid>1</guid><description>Abdellatif Hammouchi met the UNOCT delegation in Rabat.</description></item></channel></rss>",
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\n[[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\n[[sink]]\nname = \"f\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n",
            server.url("/feed")
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Stderr::capture(&mut child);

    let alerts = dir.path().join("alerts.jsonl");
    let delivered = wait_for(Duration::from_secs(30), || {
        std::fs::read_to_string(&alerts).is_ok_and(|t| t.lines().count() == 1)
    });
    assert!(delivered, "the daemon delivered no alert");

    signal(&child, "HUP");
    assert!(
        stderr.wait_for(Duration::from_secs(30), "configuration reloaded"),
        "{}",
        stderr.text()
    );
    assert!(
        child.try_wait().unwrap().is_none(),
        "SIGHUP must not kill the daemon"
    );

    signal(&child, "TERM");
    let exited = wait_for(Duration::from_secs(20), || {
        child.try_wait().unwrap().is_some()
    });
    assert!(exited, "the daemon did not stop on SIGTERM");
    let output = child.wait_with_output().unwrap();
    let log = stderr.finish();
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert!(log.contains("configuration reloaded"), "{log}");
    assert!(
        log.contains("signal=\"SIGTERM\"") && log.contains("stopped"),
        "{log}"
    );
    assert_eq!(
        server.hits("/feed"),
        1,
        "polled once: the next poll is an hour away"
    );
    assert_eq!(std::fs::read_to_string(&alerts).unwrap().lines().count(), 1);
}

fn rss(items: &[(&str, &str)]) -> Resource {
    let items: String = items
        .iter()
        .map(|(guid, text)| format!("<item><title>{text}</title><guid>{guid}</guid><description>{text}</description></item>"))
        .collect();
    Resource::new(
        "application/rss+xml",
        format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
    )
}

fn alert_watches(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["watch"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn sighup_applies_a_new_config_and_keeps_the_old_one_when_the_new_is_broken() {
    let server = Server::start();
    server.put("/a", rss(&[("a1", "Hammouchi receives a delegation")]));
    server.put("/b", rss(&[("b1", "Zouev visits Rabat")]));
    let dir = tempfile::tempdir().unwrap();
    let head = "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\
                [[sink]]\nname = \"f\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n\
                [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"article\"\n";
    let feed = |path: &str| {
        format!(
            "[[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1s\"\n",
            server.url(path)
        )
    };
    let config = write_config(dir.path(), &format!("{head}{}", feed("/a")));
    let mut child = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = Stderr::capture(&mut child);
    let alerts = dir.path().join("alerts.jsonl");
    assert!(wait_for(Duration::from_secs(30), || alert_watches(&alerts) == ["h"]));

    // A new watch and a new feed; feed /a removed.
    write_config(
        dir.path(),
        &format!(
            "{head}{}[[watch]]\nname = \"z\"\naliases = [\"Zouev\"]\nalert = \"article\"\n",
            feed("/b")
        ),
    );
    signal(&child, "HUP");
    assert!(
        wait_for(Duration::from_secs(30), || alert_watches(&alerts)
            == ["h", "z"]),
        "the new watch fired on the new feed: {:?}",
        alert_watches(&alerts)
    );
    let polls_of_a = server.hits("/a");
    // That nothing happens can only be seen over time: three of the removed feed's intervals.
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        server.hits("/a") <= polls_of_a + 1,
        "the removed feed stopped"
    );

    // A broken file: the previous configuration stays in force.
    write_config(
        dir.path(),
        &format!("{head}[[watch]]\nname = \"z\"\naliases = \"Zouev\"\n"),
    );
    signal(&child, "HUP");
    assert!(
        stderr.wait_for(
            Duration::from_secs(30),
            "configuration not reloaded; the previous one stays in force"
        ),
        "{}",
        stderr.text()
    );
    server.put(
        "/b",
        rss(&[
            ("b1", "Zouev visits Rabat"),
            ("b2", "Zouev meets Hammouchi"),
        ]),
    );
    assert!(
        wait_for(Duration::from_secs(30), || alert_watches(&alerts).len()
            == 4),
        "the old watches still fire: {:?}",
        alert_watches(&alerts)
    );
    assert!(child.try_wait().unwrap().is_none(), "still running");

    signal(&child, "TERM");
    assert!(wait_for(Duration::from_secs(20), || child
        .try_wait()
        .unwrap()
        .is_some()));
    let output = child.wait_with_output().unwrap();
    let log = stderr.finish();
    assert_eq!(output.status.code(), Some(0), "{log}");
    for expected in [
        "configuration reloaded",
        "feed added: polling starts",
        "feed removed: polling stops",
        "configuration not reloaded; the previous one stays in force",
    ] {
        assert!(log.contains(expected), "{expected}\n{log}");
    }
    // The error names the file, line and column.
    assert!(
        log.contains("config.toml:14:11: invalid type: string \"Zouev\", expected a sequence"),
        "{log}"
    );
}

#[test]
fn systemd_hears_ready_status_watchdog_pings_and_stopping() {
    use std::os::unix::net::UnixDatagram;
    let server = Server::start();
    server.put("/a", rss(&[("a1", "Hammouchi receives a delegation")]));
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\n",
            server.url("/a")
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "400000")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut messages: Vec<String> = Vec::new();
    // Messages until `done` holds of them, for 30 s at most.
    let receive = |messages: &mut Vec<String>, done: &dyn Fn(&[String]) -> bool| {
        let start = Instant::now();
        let mut buffer = [0u8; 4096];
        while start.elapsed() < Duration::from_secs(30) && !done(messages) {
            if let Ok(n) = socket.recv(&mut buffer) {
                messages.push(String::from_utf8_lossy(&buffer[..n]).into_owned());
            }
        }
    };
    let count =
        |messages: &[String], what: &str| messages.iter().filter(|m| m.contains(what)).count();
    receive(&mut messages, &|m| {
        count(m, "READY=1") > 0
            && count(m, "WATCHDOG=1") >= 5
            && count(m, "last successful poll 20") > 0
    });
    let ready = messages
        .iter()
        .position(|m| m.contains("READY=1"))
        .expect("READY=1 sent");
    assert!(messages[ready].contains("STATUS=1 feeds;"), "{messages:?}");
    let pings = count(&messages, "WATCHDOG=1");
    assert!(pings >= 5, "pinged: {messages:?}");
    assert!(
        messages
            .iter()
            .any(|m| m.contains("last successful poll 20")),
        "STATUS tells the last poll: {messages:?}"
    );

    signal(&child, "TERM");
    receive(&mut messages, &|m| count(m, "STOPPING=1") > 0);
    assert!(wait_for(Duration::from_secs(20), || child
        .try_wait()
        .unwrap()
        .is_some()));
    assert!(
        messages.iter().any(|m| m.contains("STOPPING=1")),
        "{messages:?}"
    );
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn the_watchdog_is_not_pinged_while_the_database_cannot_be_written() {
    use std::os::unix::net::UnixDatagram;
    let server = Server::start();
    server.put("/a", rss(&[("a1", "Hammouchi receives a delegation")]));
    let dir = tempfile::tempdir().unwrap();
    let socket_path = dir.path().join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n",
            server.url("/a")
        ),
    );
    let child = Guard::new(
        Command::new(env!("CARGO_BIN_EXE_raqib"))
            .args(["--config", config.to_str().unwrap(), "run"])
            .env("RUST_LOG", "info")
            .env("NOTIFY_SOCKET", &socket_path)
            .env("WATCHDOG_USEC", "400000")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let pings_within = |window: Duration| {
        let start = Instant::now();
        let mut buffer = [0u8; 4096];
        let mut pings = 0;
        while start.elapsed() < window {
            if let Ok(n) = socket.recv(&mut buffer) {
                pings += usize::from(String::from_utf8_lossy(&buffer[..n]).contains("WATCHDOG=1"));
            }
        }
        pings
    };
    // Pings per window of time are what this test is about: the windows are fixed.
    let before = pings_within(Duration::from_secs(2));

    // Another process takes the write lock: the writer cannot write, the pings stop.
    let locker = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    pings_within(Duration::from_millis(500));
    let locked = pings_within(Duration::from_secs(3));
    locker.execute_batch("COMMIT").unwrap();
    // The writer waits out its busy timeout (5 s), then writes again.
    let after = pings_within(Duration::from_secs(8));
    let log = stop(child.release());

    assert!(before >= 5, "pinged every 0.2 s while healthy: {before}");
    assert_eq!(locked, 0, "no ping while the database is locked\n{log}");
    assert!(
        after >= 5,
        "pinged again once the lock is gone: {after}\n{log}"
    );
    assert!(log.contains("watchdog not pinged"), "{log}");
}

#[test]
fn sigterm_during_a_slow_poll_exits_within_the_grace_period_with_the_database_intact() {
    let server = Server::start();
    server.put("/fast", rss(&[("f1", "Hammouchi receives a delegation")]));
    server.put(
        "/slow",
        rss(&[("s1", "Zouev visits Rabat")]).with_delay(Duration::from_secs(20)),
    );
    let dir = tempfile::tempdir().unwrap();
    let feed = |path: &str| {
        format!(
            "[[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n",
            server.url(path)
        )
    };
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\nshutdown_grace = \"1s\"\n\
             {}{}[[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\n\
             [[sink]]\nname = \"f\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n",
            feed("/fast"),
            feed("/slow")
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for(Duration::from_secs(30), || {
        server.hits("/slow") == 1 && dir.path().join("alerts.jsonl").exists()
    }));
    let stopping = Instant::now();
    signal(&child, "TERM");
    assert!(wait_for(Duration::from_secs(10), || child
        .try_wait()
        .unwrap()
        .is_some()));
    let took = stopping.elapsed();
    let output = child.wait_with_output().unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert!(
        took < Duration::from_secs(5),
        "the 20 s poll was abandoned after 1 s: {took:?}"
    );
    assert!(log.contains("grace period over"), "{log}");
    let db = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    let integrity: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let stored: i64 = db
        .query_row("SELECT count(*) FROM article", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 1, "what was committed before the signal is there");
}

/// A daemon serving `/metrics` on `addr`, one feed on `server` with an article naming
/// Hammouchi, a watch for him, and `sinks` (TOML tables).
fn metrics_config(
    server: &Server,
    dir: &std::path::Path,
    addr: &str,
    sinks: &str,
) -> std::path::PathBuf {
    server.put("/a", rss(&[("a1", "Hammouchi receives a delegation")]));
    write_config(
        dir,
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\nmetrics_listen = \"{addr}\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\n{sinks}",
            server.url("/a")
        ),
    )
}

#[test]
fn metrics_count_the_work_and_healthz_answers() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let config = metrics_config(
        &server,
        dir.path(),
        &addr,
        "[[sink]]\nname = \"f\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n",
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The database's gauges are read every few seconds: wait for the reading after the work.
    let delivered = wait_for(Duration::from_secs(40), || {
        let metrics = http_get(&addr, "/metrics").1;
        metrics.contains("raqib_deliveries_total{sink=\"f\",outcome=\"delivered\"} 1")
            && metrics.contains("raqib_alerts{watch=\"h\"} 1")
            && metrics.contains("raqib_outbox_pending 0")
    });
    let (status, metrics) = http_get(&addr, "/metrics");
    let health = http_get(&addr, "/healthz");
    // Another process holding the database's write lock: /healthz reports it.
    let locker = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    locker.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let locked = http_get(&addr, "/healthz");
    locker.execute_batch("COMMIT").unwrap();
    let unlocked = wait_for(Duration::from_secs(15), || {
        http_get(&addr, "/healthz").0 == 200
    });
    signal(&child, "TERM");
    let stopped = wait_for(Duration::from_secs(20), || {
        child.try_wait().unwrap().is_some()
    });
    if !stopped {
        let _ = child.kill();
    }
    assert!(delivered, "{metrics}");
    assert_eq!(status, 200);
    for line in [
        "raqib_fetches_total{outcome=\"ok\"} 1",
        "raqib_articles_stored_total 1",
        "raqib_matches_total{watch=\"h\"} 2",
        "raqib_alerts{watch=\"h\"} 1",
        "raqib_feeds{state=\"ok\"} 1",
        "raqib_outbox_pending 0",
        "raqib_fetch_duration_seconds_count 1",
    ] {
        assert!(metrics.contains(line), "{line}\n{metrics}");
    }
    assert!(metrics.contains("raqib_last_successful_poll_timestamp_seconds 1"));
    assert_eq!(health, (200, "ok\n".to_string()));
    assert_eq!(locked.0, 503, "{locked:?}");
    assert!(
        locked.1.contains("did not answer") || locked.1.contains("cannot be written"),
        "{locked:?}"
    );
    assert!(unlocked, "healthy again once the lock is released");
    assert!(stopped);
}

/// A scrape reads no table through the writer: with another process holding the write lock
/// and the daemon's writer stuck waiting for it (a health probe), `/metrics` still answers at
/// once, with the gauges of its last reading.
#[test]
fn metrics_answer_while_the_writer_waits_for_a_lock() {
    let server = Server::start();
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let config = metrics_config(&server, dir.path(), &addr, "");
    let child = Guard::new(
        Command::new(env!("CARGO_BIN_EXE_raqib"))
            .args(["--config", config.to_str().unwrap(), "run"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let stored = wait_for(Duration::from_secs(40), || {
        http_get(&addr, "/metrics")
            .1
            .contains("raqib_alerts{watch=\"h\"} 1")
    });
    assert!(stored, "{}", stop(child.release()));
    let locker = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    locker.execute_batch("BEGIN IMMEDIATE").unwrap();
    // The probe gives up answering after 2 s but holds the writer until its 5 s busy wait ends.
    let probe = http_get(&addr, "/healthz");
    let asked = Instant::now();
    let (status, metrics) = http_get(&addr, "/metrics");
    let took = asked.elapsed();
    locker.execute_batch("COMMIT").unwrap();
    let log = stop(child.release());
    assert_eq!(probe.0, 503, "{probe:?}\n{log}");
    assert!(probe.1.contains("did not answer"), "{probe:?}");
    assert_eq!(status, 200, "{metrics}\n{log}");
    assert!(metrics.contains("raqib_alerts{watch=\"h\"} 1"), "{metrics}");
    assert!(
        took < Duration::from_secs(1),
        "the scrape waited {took:?} for the writer"
    );
}
