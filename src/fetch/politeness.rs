//! Per-host limits: at most `per_host` requests in flight to one host, and at least `delay`
//! between the starts of two requests to it. Waiting for a busy host holds no global slot, so a
//! slow host never starves the others.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

pub struct HostGate {
    per_host: usize,
    delay: Duration,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
}

struct Host {
    slots: Arc<Semaphore>,
    /// When the next request to this host may start.
    next_start: tokio::sync::Mutex<Instant>,
}

impl HostGate {
    pub fn new(per_host: usize, delay: Duration) -> HostGate {
        HostGate {
            per_host: per_host.max(1),
            delay,
            hosts: Mutex::new(HashMap::new()),
        }
    }

    /// Wait until a request to `host` may start; the permit holds its slot until dropped.
    pub async fn enter(&self, host: &str) -> Option<OwnedSemaphorePermit> {
        let entry = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            Arc::clone(hosts.entry(host.to_ascii_lowercase()).or_insert_with(|| {
                Arc::new(Host {
                    slots: Arc::new(Semaphore::new(self.per_host)),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                })
            }))
        };
        let permit = Arc::clone(&entry.slots).acquire_owned().await.ok()?;
        if !self.delay.is_zero() {
            let mut next = entry.next_start.lock().await;
            let start = (*next).max(Instant::now());
            *next = start + self.delay;
            drop(next);
            tokio::time::sleep_until(start).await;
        }
        Some(permit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_to_one_host_are_spaced_and_other_hosts_are_not_held_up() {
        let gate = Arc::new(HostGate::new(4, Duration::from_secs(1)));
        let start = Instant::now();
        let mut starts = Vec::new();
        for _ in 0..3 {
            let _permit = gate.enter("a.ma").await;
            starts.push(start.elapsed().as_millis());
        }
        assert_eq!(starts, vec![0, 1000, 2000]);
        let before = start.elapsed();
        let _other = gate.enter("b.ma").await;
        assert_eq!(start.elapsed(), before, "another host starts at once");
    }

    #[tokio::test(start_paused = true)]
    async fn no_more_than_per_host_requests_are_in_flight() {
        let gate = HostGate::new(2, Duration::ZERO);
        let first = gate.enter("a.ma").await;
        let _second = gate.enter("a.ma").await;
        let third = tokio::time::timeout(Duration::from_secs(5), gate.enter("a.ma")).await;
        assert!(third.is_err(), "a third request waits");
        drop(first);
        assert!(gate.enter("a.ma").await.is_some());
    }
}
