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
