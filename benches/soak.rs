//! Months of storing with retention on, simulated: each day PER_DAY articles from five outlets
//! (each with its furniture line and a paragraph of its own at the edges, a few made-up names
//! no other article uses, one in ten first stored with its feed summary and completed by its
//! page later that day, one in twenty alerted), then a day's pruning; prints the row count of
//! every table after each day. Articles grow until `retention`, then every table stays flat.
//!
//! cargo bench --bench soak [-- DAYS [PER_DAY [RETENTION_DAYS]]]    # default 45 300 10

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use raqib::alert::NewAlert;
use raqib::config::AlertPolicy;
use raqib::store::{BodySource, RetriedPage, Store};

#[path = "support/filler.rs"]
mod filler;
#[path = "../tests/support/seeds.rs"]
mod support;

const OUTLETS: usize = 5;
const TABLES: [&str; 14] = [
    "article",
    "story",
    "story_merge",
    "match",
    "alert",
    "alert_report",
    "delivery",
    "term_df",
    "article_term",
    "article_story",
    "outlet_paragraph",
    "outlet_paragraph_story",
    "outlet_articles",
    "feed",
];

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let days = args.first().copied().unwrap_or(45);
    let per_day = args.get(1).copied().unwrap_or(300);
    let retention_days = args.get(2).copied().unwrap_or(10);
    let retention = Duration::from_secs(retention_days as u64 * 86_400);
    let alert_retention = retention * 3 / 2;
    let bodies = filler::bodies(per_day * 3);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("raqib.db");
    let mut store = Store::open(&path).expect("store");
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    let feeds: Vec<i64> = (0..OUTLETS)
        .map(|o| {
            store
                .sync_feed(&format!("https://outlet{o}.test/feed"), &outlet(o), start)
                .expect("feed")
                .id
        })
        .collect();
    println!(
        "{days} days of {per_day} articles, retention {retention_days} days (alerts {} days)",
        alert_retention.as_secs() / 86_400
    );
    println!("day  {}", TABLES.join("  "));
    let started = Instant::now();
    let mut n = 0_usize;
    for day in 0..days {
        let day_start = start + chrono::Duration::days(day as i64);
        for i in 0..per_day {
            let at = day_start + chrono::Duration::seconds((i * 86_400 / per_day) as i64);
            let o = n % OUTLETS;
            let body = format!(
                "{}\n{}\n{}\nمن تحرير {}",
                furniture(o),
                bodies[n % bodies.len()],
                names(n, "Zor"),
                outlet(o)
            );
            let summary = n % 10 == 3;
            let stored = if summary { names(n, "Kel") } else { body };
            let mut article =
                filler::article(feeds[o], &outlet(o), n, &stored, filler::signature(&stored));
            article.url = Some(format!("https://outlet{o}.test/{n}"));
            if summary {
                article.body_source = BodySource::Feed;
                article.page_retry_at = Some(at);
            } else {
                article.fingerprints = vec![o as i64, 1_000 + n as i64];
            }
            let alert = move |_, _: &[String]| {
                (n % 20 == 0)
                    .then(|| NewAlert {
                        uid: format!("alert-{n}"),
                        policy: AlertPolicy::Story,
                        watch: "w".into(),
                        severity: "high".into(),
                        payload: "{}".into(),
                        sinks: vec!["f".into()],
                    })
                    .into_iter()
                    .collect()
            };
            store
                .insert_article(&article, at, Duration::from_secs(48 * 3600), alert)
                .expect("insert");
            n += 1;
        }
        let evening = day_start + chrono::Duration::hours(23);
        for &feed in &feeds {
            for retry in store.pages_to_retry(feed, evening, 1_000).expect("retries") {
                let page = RetriedPage {
                    body: format!(
                        "{}\n{}",
                        bodies[retry.article.id as usize % bodies.len()],
                        names(retry.article.id as usize, "Mav")
                    ),
                    canonical_url: None,
                    author: None,
                    lang: Some("ar".into()),
                    site_name: None,
                    matches: Vec::new(),
                };
                store
                    .complete_page(&retry, &page, Vec::new(), evening)
                    .expect("page");
            }
        }
        let midnight = day_start + chrono::Duration::days(1);
        while !store
            .prune(midnight, retention, alert_retention, 500)
            .expect("prune")
            .is_empty()
        {}
        let counts: Vec<String> = TABLES.iter().map(|t| count(&path, t).to_string()).collect();
        println!("{:>3}  {}", day + 1, counts.join("  "));
    }
    println!("{n} articles in {:.0} s", started.elapsed().as_secs_f64());
}

fn outlet(o: usize) -> String {
    format!("outlet {o}")
}

/// The line an outlet closes every article with.
fn furniture(o: usize) -> String {
    format!("تابعونا على تطبيق الموقع {o}")
}

/// Made-up names only article `n` uses: its own words and entities.
fn names(n: usize, stem: &str) -> String {
    (0..4)
        .map(|k| {
            let mut v = n * 4 + k;
            let mut name = stem.to_string();
            loop {
                name.push(char::from(b'a' + (v % 26) as u8));
                v /= 26;
                if v == 0 {
                    break name;
                }
            }
        })
        .collect::<Vec<_>>()
        .join(" met ")
}

fn count(path: &std::path::Path, table: &str) -> i64 {
    rusqlite::Connection::open(path)
        .and_then(|db| {
            db.query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
                r.get(0)
            })
        })
        .expect("count")
}
