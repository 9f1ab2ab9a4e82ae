//! Driving a running `raqib run`: signals, bounded waits, stopping and reading its log.

use std::io::Read;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

/// Send signal `name` (e.g. "HUP") to the child; it must be alive to receive it.
pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Wait (bounded) until `done` holds; false if it never did.
pub fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    false
}

/// SIGTERM, up to 30 s to exit (killed after that), and its standard error.
pub fn stop(mut child: Child) -> String {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    wait_for(Duration::from_secs(30), || {
        child.try_wait().unwrap().is_some()
    });
    let _ = child.kill();
    let mut log = String::new();
    if let Some(mut err) = child.stderr.take() {
        let _ = err.read_to_string(&mut log);
    }
    log
}
