//! The long-running daemon, through the real binary and real signals.

mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{Resource, Server, write_config};

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Wait (bounded) until `done` holds; false if it never did.
fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

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

    let alerts = dir.path().join("alerts.jsonl");
    let delivered = wait_for(Duration::from_secs(30), || {
        std::fs::read_to_string(&alerts).is_ok_and(|t| t.lines().count() == 1)
    });
    assert!(delivered, "the daemon delivered no alert");

    signal(&child, "HUP");
    std::thread::sleep(Duration::from_millis(300));
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
    let log = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{log}");
    assert!(log.contains("SIGHUP received"), "{log}");
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
