//! Counters and a histogram the daemon keeps, rendered in the Prometheus text format.
//!
//! A small registry of our own: a few dozen series, updated a few times per article, read
//! when Prometheus scrapes. Gauges that live in the database (feeds by state, the outbox, its
//! size) are read now and then off the writer (`daemon/gauges.rs`) and passed to
//! [`Metrics::render`].

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the fetch duration histogram, in seconds.
const FETCH_BUCKETS: [f64; 9] = [0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0];

/// A counter's name and its labels, as rendered.
type Series = (&'static str, Vec<(&'static str, String)>);

#[derive(Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<Series, u64>>,
    fetch_seconds: Mutex<Histogram>,
}

#[derive(Default)]
struct Histogram {
    buckets: [u64; FETCH_BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Values read from the database, last time the gauges were read.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    /// Feeds by health state (`new`, `ok`, `failing`, `stale`).
    pub feeds: BTreeMap<String, u64>,
    pub outbox_pending: u64,
    pub outbox_dead: u64,
    pub database_bytes: u64,
    /// Whether the database takes writes (false while polls are paused: a full disk, a
    /// server out of reach).
    pub database_up: bool,
    /// Unix time of the last successful poll, if any.
    pub last_success: Option<i64>,
    /// Alerts in the database, by watch.
    pub alerts: BTreeMap<String, u64>,
}

/// What each counter means, for `# HELP`.
const HELP: &[(&str, &str)] = &[
    (
        "raqib_fetches_total",
        "Feed polls by outcome (ok, not_modified, or the error class).",
    ),
    ("raqib_articles_stored_total", "Articles stored."),
    (
        "raqib_extraction_failures_total",
        "Article pages that could not be fetched or extracted (the feed's summary was kept).",
    ),
    ("raqib_matches_total", "Matches recorded, by watch."),
    (
        "raqib_deliveries_total",
        "Delivery attempts by sink and outcome (delivered, retry, dead).",
    ),
];

impl Metrics {
    pub fn count(&self, name: &'static str, labels: &[(&'static str, &str)], by: u64) {
        let labels = labels.iter().map(|(k, v)| (*k, v.to_string())).collect();
        *self
            .counters
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry((name, labels))
            .or_default() += by;
    }

    pub fn observe_fetch(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let mut h = self.fetch_seconds.lock().unwrap_or_else(|p| p.into_inner());
        for (bucket, bound) in h.buckets.iter_mut().zip(FETCH_BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    /// The text Prometheus scrapes.
    pub fn render(&self, snapshot: &Snapshot) -> String {
        let mut out = String::new();
        let counters = self.counters.lock().unwrap_or_else(|p| p.into_inner());
        // Every known counter, even before its first count, then any other.
        let mut names: Vec<&str> = HELP.iter().map(|(n, _)| *n).collect();
        names.extend(
            counters
                .keys()
                .map(|(n, _)| *n)
                .filter(|n| !HELP.iter().any(|(h, _)| h == n)),
        );
        names.dedup();
        for name in names {
            let help = HELP
                .iter()
                .find(|(n, _)| *n == name)
                .map_or(name, |(_, h)| *h);
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
            for ((series, labels), value) in counters.iter().filter(|((n, _), _)| *n == name) {
                let _ = writeln!(out, "{series}{} {value}", render_labels(labels));
            }
        }
        drop(counters);
        let h = self.fetch_seconds.lock().unwrap_or_else(|p| p.into_inner());
        let name = "raqib_fetch_duration_seconds";
        let _ = writeln!(
            out,
            "# HELP {name} Time to fetch a feed.\n# TYPE {name} histogram"
        );
        for (bound, count) in FETCH_BUCKETS.iter().zip(h.buckets) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", h.count);
        let _ = writeln!(out, "{name}_sum {}\n{name}_count {}", h.sum, h.count);
        drop(h);
        gauge_header(&mut out, "raqib_feeds", "Configured feeds by health state.");
        for (state, n) in &snapshot.feeds {
            let _ = writeln!(out, "raqib_feeds{{state=\"{}\"}} {n}", escape(state));
        }
        let gauges = [
            (
                "raqib_outbox_pending",
                "Deliveries waiting to be made.",
                snapshot.outbox_pending as f64,
            ),
            (
                "raqib_outbox_dead",
                "Deliveries given up on.",
                snapshot.outbox_dead as f64,
            ),
            (
                "raqib_database_bytes",
                "Database file and write-ahead log.",
                snapshot.database_bytes as f64,
            ),
            (
                "raqib_database_up",
                "1 while the database takes writes, 0 while polls and deliveries are paused (disk full, server unreachable).",
                f64::from(u8::from(snapshot.database_up)),
            ),
        ];
        for (name, help, value) in gauges {
            gauge_header(&mut out, name, help);
            let _ = writeln!(out, "{name} {value}");
        }
        gauge_header(
            &mut out,
            "raqib_alerts",
            "Alerts in the database, by watch.",
        );
        for (watch, n) in &snapshot.alerts {
            let _ = writeln!(out, "raqib_alerts{{watch=\"{}\"}} {n}", escape(watch));
        }
        if let Some(at) = snapshot.last_success {
            let name = "raqib_last_successful_poll_timestamp_seconds";
            gauge_header(&mut out, name, "When a feed was last polled successfully.");
            let _ = writeln!(out, "{name} {at}");
        }
        out
    }
}

fn gauge_header(out: &mut String, name: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge");
}

fn render_labels(labels: &[(&'static str, String)]) -> String {
    if labels.is_empty() {
        return String::new();
    }
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    format!("{{{}}}", inner.join(","))
}

/// Label values escape backslash, double quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_histogram_and_gauges_render_in_the_text_format() {
        let m = Metrics::default();
        m.count("raqib_alerts_total", &[("watch", "حموشي \"x\"")], 2);
        m.count("raqib_alerts_total", &[("watch", "حموشي \"x\"")], 1);
        m.count("raqib_fetches_total", &[("outcome", "ok")], 1);
        m.observe_fetch(Duration::from_millis(300));
        m.observe_fetch(Duration::from_secs(100));
        let text = m.render(&Snapshot {
            feeds: BTreeMap::from([("ok".to_string(), 3)]),
            outbox_pending: 4,
            last_success: Some(1_764_662_400),
            database_up: true,
            ..Snapshot::default()
        });
        assert!(
            text.contains("raqib_alerts_total{watch=\"حموشي \\\"x\\\"\"} 3\n"),
            "{text}"
        );
        assert!(text.contains("raqib_fetches_total{outcome=\"ok\"} 1\n"));
        assert!(text.contains("raqib_fetch_duration_seconds_bucket{le=\"0.25\"} 0\n"));
        assert!(text.contains("raqib_fetch_duration_seconds_bucket{le=\"0.5\"} 1\n"));
        assert!(text.contains("raqib_fetch_duration_seconds_bucket{le=\"+Inf\"} 2\n"));
        assert!(text.contains("raqib_fetch_duration_seconds_count 2\n"));
        assert!(text.contains("raqib_feeds{state=\"ok\"} 3\n"));
        assert!(text.contains("raqib_outbox_pending 4\n"));
        assert!(text.contains("raqib_database_up 1\n"));
        assert!(text.contains("raqib_last_successful_poll_timestamp_seconds 1764662400\n"));
        assert!(text.contains("# TYPE raqib_articles_stored_total counter\n"));
    }
}
