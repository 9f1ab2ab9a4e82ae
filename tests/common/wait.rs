//! Waiting for what a test expects to happen instead of for a fixed time: a condition polled
//! until a deadline, and a running child's standard error read while it is written.

use std::io::Read;
use std::process::Child;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How often a condition is looked at.
const POLL: Duration = Duration::from_millis(50);

/// Wait (bounded) until `done` holds; false if it never did.
pub fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if done() {
            return true;
        }
        std::thread::sleep(POLL);
    }
    done()
}

/// A child's standard error (it must have been spawned with `Stdio::piped()`), read by a
/// thread as the child writes it, so that a test can wait for a line and a chatty child never
/// blocks on a full pipe.
pub struct Stderr {
    text: Arc<Mutex<Vec<u8>>>,
    reader: JoinHandle<()>,
}

impl Stderr {
    pub fn capture(child: &mut Child) -> Stderr {
        let mut pipe = child
            .stderr
            .take()
            .expect("the child's standard error is piped");
        let text = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&text);
        let reader = std::thread::spawn(move || {
            let mut chunk = [0u8; 8192];
            while let Ok(n) = pipe.read(&mut chunk) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&chunk[..n]);
            }
        });
        Stderr { text, reader }
    }

    /// What the child wrote so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.text.lock().unwrap()).into_owned()
    }

    /// Wait (bounded) until the child has written `needle`; false if it never did.
    pub fn wait_for(&self, limit: Duration, needle: &str) -> bool {
        wait_for(limit, || self.text().contains(needle))
    }

    /// Everything the child wrote, once it has exited (its end of the pipe closed).
    pub fn finish(self) -> String {
        let _ = self.reader.join();
        String::from_utf8_lossy(&self.text.lock().unwrap()).into_owned()
    }
}
