//! Text for `raqib stories`, `raqib alerts` and `raqib stats`: one block per item, for people; `--format
//! json` prints the summaries themselves, one per line, for scripts.

use std::fmt::Write;

use crate::store::{AlertSummary, Stats, StorySummary};

/// One block per story: when, how many articles from which outlets, the first title, the
/// watches hit.
pub fn stories_text(stories: &[StorySummary]) -> String {
    let mut out = String::new();
    for s in stories {
        let _ = writeln!(
            out,
            "story {}  first seen {}  last {}  {} article{} from {}",
            s.id,
            s.first_seen_at,
            s.last_seen_at,
            s.articles,
            if s.articles == 1 { "" } else { "s" },
            s.outlets.join(", ")
        );
        let _ = writeln!(out, "  {}", s.title);
        if !s.watches.is_empty() {
            let _ = writeln!(out, "  watches: {}", s.watches.join(", "));
        }
    }
    if stories.is_empty() {
        out.push_str("no stories in this period\n");
    }
    out
}

/// One block per alert: watch, severity, the article, who else reported it, and each sink's
/// delivery state.
pub fn alerts_text(alerts: &[AlertSummary]) -> String {
    let mut out = String::new();
    for a in alerts {
        let _ = writeln!(
            out,
            "{}  {} ({})  story {}  {}  id {}",
            a.raised_at, a.watch, a.severity, a.story, a.outlet, a.id
        );
        let _ = writeln!(out, "  {}", a.title);
        if let Some(url) = &a.url {
            let _ = writeln!(out, "  {url}");
        }
        if !a.also_reported_by.is_empty() {
            let _ = writeln!(out, "  also reported by: {}", a.also_reported_by.join(", "));
        }
        for d in &a.deliveries {
            let _ = write!(
                out,
                "  → {}: {} after {} attempt(s)",
                d.sink, d.state, d.attempts
            );
            if let Some(err) = &d.last_error {
                let _ = write!(out, " ({err})");
            }
            out.push('\n');
        }
    }
    if alerts.is_empty() {
        out.push_str("no alerts in this period\n");
    }
    out
}

/// Totals first, then one line per outlet.
pub fn stats_text(stats: &Stats) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "database   {} ({:.1} MB)",
        stats.database,
        stats.size_bytes as f64 / 1e6
    );
    let _ = writeln!(out, "feeds      {}", stats.feeds);
    let _ = writeln!(
        out,
        "articles   {} (oldest {}, newest {})",
        stats.articles,
        stats.oldest_article.as_deref().unwrap_or("-"),
        stats.newest_article.as_deref().unwrap_or("-")
    );
    let _ = writeln!(out, "stories    {}", stats.stories);
    let _ = writeln!(out, "matches    {}", stats.matches);
    let _ = writeln!(
        out,
        "alerts     {} (deliveries: {} pending, {} delivered, {} dead)",
        stats.alerts, stats.deliveries_pending, stats.deliveries_delivered, stats.deliveries_dead
    );
    for outlet in &stats.outlets {
        let _ = writeln!(
            out,
            "  {:>8}  {}  (last {})",
            outlet.articles,
            outlet.outlet,
            outlet.last_fetched.as_deref().unwrap_or("-")
        );
    }
    out
}
