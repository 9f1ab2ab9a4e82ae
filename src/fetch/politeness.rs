//! Per-host limits: at most `per_host` requests in flight to one host, and at least `delay`
//! between the starts of two requests to it. Waiting for a busy host holds no global slot, so a
//! slow host never starves the others.
//!
//! Processes sharing one database share the delay too: each also takes its turn from
//! [`HostTurns`], which the storage backend provides when other processes may be fetching from
//! the same hosts (the concurrency limit stays per process).
//!
//! A host is forgotten once it is idle (nothing in flight or waiting, its delay elapsed): it
//! then behaves exactly as a host never seen, so forgetting it changes nothing but memory.
//! Idle hosts are swept at least every [`SWEEP_EVERY`], and whenever the map reaches
//! [`MAX_HOSTS`]; articles link to ever new hosts, and each used to stay for good.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

/// How often idle hosts are forgotten.
const SWEEP_EVERY: Duration = Duration::from_secs(600);
/// Hosts remembered before idle ones are swept whatever the time.
const MAX_HOSTS: usize = 4096;

/// Turns at hosts shared between processes: each request reserves the next start at its host,
/// `delay` after the one reserved before it by any process.
pub trait HostTurns: Send + Sync {
    /// Reserve a start at `host`; how long to wait for it (zero when it may start now, and
    /// when the reservation failed: politeness never stops a fetch).
    fn turn<'a>(
        &'a self,
        host: &'a str,
        delay: Duration,
    ) -> Pin<Box<dyn Future<Output = Duration> + Send + 'a>>;
}

pub struct HostGate {
    per_host: usize,
    delay: Duration,
    sweep_every: Duration,
    max_hosts: usize,
    hosts: Mutex<Hosts>,
}

struct Hosts {
    by_name: HashMap<String, Arc<Host>>,
    swept_at: Instant,
}

struct Host {
    slots: Arc<Semaphore>,
    /// When the next request to this host may start.
    next_start: tokio::sync::Mutex<Instant>,
}

impl HostGate {
    pub fn new(per_host: usize, delay: Duration) -> HostGate {
        HostGate::bounded(per_host, delay, SWEEP_EVERY, MAX_HOSTS)
    }

    fn bounded(
        per_host: usize,
        delay: Duration,
        sweep_every: Duration,
        max_hosts: usize,
    ) -> HostGate {
        HostGate {
            per_host: per_host.max(1),
            delay,
            sweep_every,
            max_hosts,
            hosts: Mutex::new(Hosts {
                by_name: HashMap::new(),
                swept_at: Instant::now(),
            }),
        }
    }

    /// The delay between the starts of two requests to one host.
    pub fn delay(&self) -> Duration {
        self.delay
    }

    /// Wait until a request to `host` may start; the permit holds its slot until dropped.
    pub async fn enter(&self, host: &str) -> Option<OwnedSemaphorePermit> {
        let entry = {
            let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
            let now = Instant::now();
            if hosts.by_name.len() >= self.max_hosts
                || now.duration_since(hosts.swept_at) >= self.sweep_every
            {
                hosts.by_name.retain(|_, h| !h.idle(self.per_host, now));
                hosts.swept_at = now;
            }
            Arc::clone(
                hosts
                    .by_name
                    .entry(host.to_ascii_lowercase())
                    .or_insert_with(|| {
                        Arc::new(Host {
                            slots: Arc::new(Semaphore::new(self.per_host)),
                            next_start: tokio::sync::Mutex::new(Instant::now()),
                        })
                    }),
            )
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

    /// Hosts remembered.
    #[cfg(test)]
    fn remembered(&self) -> usize {
        self.hosts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_name
            .len()
    }
}

impl Host {
    /// Nothing in flight, nobody waiting (the map holds the only reference) and the delay
    /// elapsed: a new entry would behave the same.
    fn idle(self: &Arc<Host>, per_host: usize, now: Instant) -> bool {
        Arc::strong_count(self) == 1
            && self.slots.available_permits() == per_host
            && self.next_start.try_lock().is_ok_and(|next| *next <= now)
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
    async fn idle_hosts_are_forgotten_after_the_sweep_interval_and_busy_ones_kept() {
        let gate = HostGate::bounded(1, Duration::from_secs(1), Duration::from_secs(60), 100);
        for host in ["a.ma", "b.ma", "c.ma"] {
            let _ = gate.enter(host).await;
        }
        let busy = gate.enter("busy.ma").await;
        tokio::time::advance(Duration::from_secs(30)).await;
        let _ = gate.enter("d.ma").await;
        assert_eq!(gate.remembered(), 5, "no sweep before the interval");
        tokio::time::advance(Duration::from_secs(31)).await;
        let _ = gate.enter("e.ma").await;
        assert_eq!(gate.remembered(), 2, "busy.ma, in flight, and e.ma");
        drop(busy);
        // busy.ma, kept while in flight, still spaces its requests.
        let start = Instant::now();
        let _ = gate.enter("busy.ma").await;
        assert_eq!(
            start.elapsed(),
            Duration::ZERO,
            "its delay had long elapsed"
        );
        let _ = gate.enter("busy.ma").await;
        assert_eq!(start.elapsed(), Duration::from_secs(1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_map_forgets_its_idle_hosts_but_not_a_delay_still_running() {
        let gate = HostGate::bounded(4, Duration::from_secs(10), Duration::from_secs(3600), 3);
        for host in ["a.ma", "b.ma", "c.ma"] {
            let _ = gate.enter(host).await;
        }
        let _ = gate.enter("d.ma").await;
        assert_eq!(
            gate.remembered(),
            4,
            "a, b and c wait out their delay: forgetting them would let the next request in early"
        );
        tokio::time::advance(Duration::from_secs(10)).await;
        let _ = gate.enter("e.ma").await;
        assert_eq!(gate.remembered(), 1, "at the cap, every idle host goes");
        let start = Instant::now();
        let _ = gate.enter("e.ma").await;
        assert_eq!(
            start.elapsed(),
            Duration::from_secs(10),
            "e.ma itself is spaced"
        );
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
