//! Driving a running `raqib run`: signals, bounded waits, stopping and reading its log.

#[path = "../support/http.rs"]
mod http;

use std::io::Read;
use std::process::{Child, Command};
use std::time::Duration;

/// Send signal `name` (e.g. "HUP") to the child; it must be alive to receive it.
pub fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

pub use super::wait::wait_for;

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

/// `raqib run` with `config` (logging at `info`), its standard error kept for [`stop`];
/// killed if the test fails first.
pub fn run(config: &std::path::Path) -> Guard {
    Guard::new(
        Command::new(env!("CARGO_BIN_EXE_raqib"))
            .args(["--config", config.to_str().unwrap(), "run"])
            .env("RUST_LOG", "info")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// `raqib run` with `config`, its standard error appended to the file `log`.
pub fn run_logged(config: &std::path::Path, log: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .stderr(std::process::Stdio::from(log))
        .spawn()
        .unwrap()
}

/// A running child killed when dropped, so that a failed assertion leaves no daemon behind.
pub struct Guard(Option<Child>);

impl Guard {
    pub fn new(child: Child) -> Guard {
        Guard(Some(child))
    }

    /// The child, no longer guarded (for [`stop`] or `wait_with_output`).
    pub fn release(mut self) -> Child {
        self.0
            .take()
            .expect("a guard holds its child until released")
    }
}

impl std::ops::Deref for Guard {
    type Target = Child;
    fn deref(&self) -> &Child {
        self.0
            .as_ref()
            .expect("a guard holds its child until released")
    }
}

impl std::ops::DerefMut for Guard {
    fn deref_mut(&mut self) -> &mut Child {
        self.0
            .as_mut()
            .expect("a guard holds its child until released")
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The peak resident memory of process `pid` so far, in MiB (`VmHWM`).
pub fn peak_rss_mib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// GET `path` from the daemon's `metrics_listen` address: the status and body, or status 0
/// when nothing answers within 5 s.
pub fn http_get(addr: &str, path: &str) -> (u16, String) {
    http::get(addr, path, Duration::from_secs(5))
}

/// A free port on 127.0.0.1 (free when asked; a test binds it soon after).
pub fn free_addr() -> String {
    let probe = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    probe.local_addr().unwrap().to_string()
}
