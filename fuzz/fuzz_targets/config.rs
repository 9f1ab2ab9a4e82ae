//! Config TOML through parsing and validation (every problem located, never a panic), then
//! every loaded config through the time arithmetic its values drive: next due times, backoffs,
//! prune cutoffs, digest periods, delivery retries, staleness.
#![no_main]

use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use raqib::config::{AlertPolicy, Config};
use raqib::schedule::{self, Hints};

fuzz_target!(|bytes: &[u8]| {
    let Ok(source) = std::str::from_utf8(bytes) else {
        return;
    };
    let Ok(config) = Config::from_toml(std::path::Path::new("/fuzz/config.toml"), source) else {
        return;
    };
    let _ = raqib::watch::Watchlist::compile(&config.watches);
    for now in [Utc::now(), raqib::date::first(), raqib::date::last()] {
        clocks(&config, now);
    }
});

fn clocks(config: &Config, now: DateTime<Utc>) {
    let daemon = &config.daemon;
    let longest = daemon.max_interval.max(daemon.poll_interval);
    let hints = Hints {
        ttl: Some(longest),
        max_age: Some(daemon.min_interval),
        expires_in: Some(daemon.stale_after),
        retry_after: Some(daemon.alert_max_age),
    };
    let entry_times = [now, raqib::date::first(), raqib::date::last()];
    for feed in &config.feeds {
        for (previous, times) in [(None, None), (Some(longest), Some(&entry_times[..]))] {
            let interval = schedule::interval(&feed.schedule, previous, times, &hints, now);
            for errors in [0, 1, 16, u32::MAX] {
                for draw in [0.0, 0.5, 1.0] {
                    let _ = schedule::after(now, schedule::delay(interval, errors, draw));
                    let delay = schedule::failure_delay(interval, errors, hints.retry_after, draw);
                    let _ = schedule::after(now, delay);
                }
            }
        }
    }
    let _ = raqib::store::cutoffs(now, daemon.retention, daemon.alert_retention);
    for watch in &config.watches {
        if let AlertPolicy::Digest { every, zone } = watch.alert {
            let _ = raqib::alert::digest::period_end(now, every, zone);
        }
    }
    for attempts in [1, 2, 16, u32::MAX] {
        let _ = raqib::alert::dispatch::retry_at(now, attempts, daemon.delivery_retry, 0.5);
    }
    let _ = raqib::health::quiet_longer_than(raqib::date::first(), daemon.stale_after, now);
    let _ = raqib::date::earlier(now, daemon.alert_max_age);
    let _ = raqib::date::later(
        now,
        daemon.shutdown_grace.saturating_add(daemon.fetch_timeout),
    );
}
