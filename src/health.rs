//! Feed health as operators read it: `raqib feeds` (pure: rows in, report out).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::store::FeedHealth;

/// How a feed is doing, in one word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FeedStatus {
    /// Configured but never polled yet.
    New,
    Ok,
    /// The last poll failed.
    Failing,
    /// Polls succeed but nothing was published for `stale_after`.
    Stale,
}

/// One line of `raqib feeds`: the feed's stored health and what it amounts to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeedReport {
    pub status: FeedStatus,
    pub stale: bool,
    #[serde(flatten)]
    pub health: FeedHealth,
}

/// The report for every configured feed, in config order; `health[i]` is feed `i`'s row.
pub fn feed_reports(
    config: &Config,
    health: &[Option<FeedHealth>],
    now: DateTime<Utc>,
) -> Vec<FeedReport> {
    config
        .feeds
        .iter()
        .zip(health)
        .map(|(feed, row)| {
            // The config names the outlet, else the feed's title as last read; a feed never
            // polled has no row yet.
            let row = row.clone().unwrap_or_default();
            let health = FeedHealth {
                url: feed.url.to_string(),
                outlet: feed.outlet_titled(row.title.as_deref()),
                ..row
            };
            let stale = is_stale(
                health.last_entry_at.as_deref(),
                config.daemon.stale_after,
                now,
            );
            let status = if health.consecutive_errors > 0 {
                FeedStatus::Failing
            } else if stale {
                FeedStatus::Stale
            } else if health.last_success_at.is_some() {
                FeedStatus::Ok
            } else {
                FeedStatus::New
            };
            FeedReport {
                status,
                stale,
                health,
            }
        })
        .collect()
}

/// Whether a feed whose newest entry is `last_entry_at` has been quiet longer than `limit`.
pub fn is_stale(last_entry_at: Option<&str>, limit: Duration, now: DateTime<Utc>) -> bool {
    last_entry_at
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .is_some_and(|t| quiet_longer_than(t.with_timezone(&Utc), limit, now))
}

/// Whether nothing was published between `newest` and `now` for longer than `limit`.
pub fn quiet_longer_than(newest: DateTime<Utc>, limit: Duration, now: DateTime<Utc>) -> bool {
    (now - newest).to_std().unwrap_or_default() > limit
}

/// The report as a table, one feed per line, with the last error under a failing feed.
pub fn render_text(reports: &[FeedReport], now: DateTime<Utc>) -> String {
    let mut rows = vec![[
        "OUTLET".to_string(),
        "STATUS".to_string(),
        "LAST SUCCESS".to_string(),
        "ERRORS".to_string(),
        "NEXT DUE".to_string(),
        "INTERVAL".to_string(),
        "7D".to_string(),
        "URL".to_string(),
    ]];
    for report in reports {
        let r = &report.health;
        rows.push([
            r.outlet.clone(),
            format!("{:?}", report.status).to_lowercase(),
            r.last_success_at
                .as_deref()
                .map_or("never".into(), |t| relative(t, now)),
            r.consecutive_errors.to_string(),
            r.next_due_at
                .as_deref()
                .map_or("-".into(), |t| relative(t, now)),
            r.interval_secs
                .map_or("-".into(), |s| span(Duration::from_secs(s))),
            r.articles_7d.to_string(),
            r.url.clone(),
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|c| {
            rows.iter()
                .map(|row| row[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        let Some(report) = i.checked_sub(1).map(|r| &reports[r]) else {
            continue;
        };
        if let Some(error) = &report.health.last_error {
            out.push_str(&format!("    last error: {error}\n"));
        }
        if let Some(since) = &report.health.rule_missed_at {
            out.push_str(&format!(
                "    extract.body rule matches nothing since {since}: the general extractor is used\n"
            ));
        }
    }
    out
}

/// "5m ago", "in 2h", from a stored RFC 3339 time.
fn relative(at: &str, now: DateTime<Utc>) -> String {
    let Ok(at) = DateTime::parse_from_rfc3339(at) else {
        return at.to_string();
    };
    let delta = at.with_timezone(&Utc) - now;
    let magnitude = span(delta.abs().to_std().unwrap_or_default());
    if delta.num_seconds() >= 0 {
        format!("in {magnitude}")
    } else {
        format!("{magnitude} ago")
    }
}

fn span(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{}h", s / 86_400, s % 86_400 / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use std::path::Path;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 12, 10, 12, 0, 0).unwrap()
    }

    fn row(errors: u32, last_entry: &str) -> FeedHealth {
        FeedHealth {
            url: "https://x.ma/feed".into(),
            outlet: "X".into(),
            last_success_at: Some("2025-12-10T11:55:00Z".into()),
            last_polled_at: Some("2025-12-10T11:55:00Z".into()),
            consecutive_errors: errors,
            last_error: (errors > 0)
                .then(|| "https://x.ma/feed: HTTP 503 Service Unavailable".into()),
            next_due_at: Some("2025-12-10T12:10:00Z".into()),
            interval_secs: Some(900),
            encoding: Some("UTF-8".into()),
            last_entry_at: Some(last_entry.into()),
            articles_7d: 12,
            rule_missed_at: None,
            title: None,
        }
    }

    #[test]
    fn statuses_and_staleness() {
        let config = Config::from_toml(
            Path::new("/c.toml"),
            "[[feed]]\nurl = \"https://x.ma/feed\"\n[[feed]]\nurl = \"https://y.ma/feed\"\n[[feed]]\nurl = \"https://z.ma/feed\"\n[[feed]]\nurl = \"https://w.ma/feed\"\n",
        )
        .unwrap();
        let health = [
            Some(row(0, "2025-12-10T10:00:00Z")),
            Some(row(2, "2025-12-10T10:00:00Z")),
            Some(row(0, "2025-11-20T10:00:00Z")),
            None,
        ];
        let reports = feed_reports(&config, &health, now());
        let statuses: Vec<FeedStatus> = reports.iter().map(|r| r.status).collect();
        assert_eq!(
            statuses,
            vec![
                FeedStatus::Ok,
                FeedStatus::Failing,
                FeedStatus::Stale,
                FeedStatus::New
            ]
        );
        assert_eq!(reports[3].health.url, "https://w.ma/feed");

        let text = render_text(&reports, now());
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].starts_with("OUTLET"));
        assert!(
            lines[1].contains("ok")
                && lines[1].contains("5m ago")
                && lines[1].contains("in 10m")
                && lines[1].contains("15m"),
            "{text}"
        );
        assert!(
            lines[3]
                .trim_start()
                .starts_with("last error: https://x.ma/feed: HTTP 503"),
            "{text}"
        );
        assert!(text.contains("never"));
    }
}
