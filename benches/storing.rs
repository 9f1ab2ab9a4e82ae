//! Storing articles: the writer's cost per article with story grouping (document frequencies,
//! reprint and rewrite candidates, TF-IDF terms), and the story signature computed before it.
//!
//! cargo bench --bench storing [-- ARTICLES] [--tokens-in-writer | --without-index]
//!
//! Articles are those of `support/filler.rs`; all fall within one 48-hour story window.
//! `--without-index` stores them with the search index's tables swapped for views that drop
//! their rows: the writer's cost without the index, from the same binary.

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use raqib::store::{NewArticle, Store};
use raqib::story::Signature;
use raqib::text::index::article_tokens;

#[path = "support/filler.rs"]
mod filler;
#[path = "../tests/support/seeds.rs"]
mod support;

/// The search index's tables as views whose inserts are dropped.
const WITHOUT_INDEX: &str = "
    DROP TRIGGER article_search_forget; DROP TABLE article_search;
    DROP TRIGGER article_search_at_forget; DROP TABLE article_search_at;
    CREATE VIEW article_search AS SELECT NULL AS rowid, NULL AS terms, NULL AS at WHERE 0;
    CREATE TRIGGER article_search_dropped INSTEAD OF INSERT ON article_search BEGIN SELECT 1; END;
    CREATE VIEW article_search_at AS SELECT NULL AS article_id, NULL AS at WHERE 0;
    CREATE TRIGGER article_search_at_dropped INSTEAD OF INSERT ON article_search_at
        BEGIN SELECT 1; END;";

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5_000);
    let bodies = filler::bodies(count);

    let started = Instant::now();
    let signatures: Vec<Signature> = bodies.iter().map(|b| filler::signature(b)).collect();
    let signing = started.elapsed();

    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("raqib.db");
    if std::env::args().any(|a| a == "--without-index") {
        drop(Store::open(&path).expect("store"));
        rusqlite::Connection::open(&path)
            .expect("open")
            .execute_batch(WITHOUT_INDEX)
            .expect("views");
    }
    let mut store = Store::open(&path).expect("store");
    let start = Utc.with_ymd_and_hms(2025, 12, 2, 8, 0, 0).unwrap();
    let feed = store
        .sync_feed("https://example.test/feed", "outlet", start)
        .expect("feed")
        .id;
    // The search index's tokens are computed before the writer, as the pipeline does beside
    // the signature; `--tokens-in-writer` leaves them to the writer, as before, to compare.
    let in_writer = std::env::args().any(|a| a == "--tokens-in-writer");
    let started = Instant::now();
    let articles: Vec<NewArticle> = bodies
        .iter()
        .zip(signatures)
        .enumerate()
        .map(|(i, (body, story))| {
            let mut article = filler::article(feed, "outlet", i, body, story);
            if !in_writer {
                article.index_tokens = Some(article_tokens(&article.title, &article.body));
            }
            article
        })
        .collect();
    let tokenizing = started.elapsed();
    let mut slowest = Duration::ZERO;
    let started = Instant::now();
    let cpu_started = cpu_seconds();
    for (i, article) in articles.iter().enumerate() {
        // 2,000 articles an hour: the window holds a busy day and a half of them.
        let now = start + chrono::Duration::seconds(i as i64 * 2);
        let one = Instant::now();
        store
            .insert_article(article, now, Duration::from_secs(48 * 3600), |_, _| {
                Vec::new()
            })
            .expect("insert");
        slowest = slowest.max(one.elapsed());
    }
    let storing = started.elapsed();
    let cpu = cpu_seconds() - cpu_started;
    drop(store);
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0)
        + std::fs::metadata(path.with_extension("db-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    println!(
        "{count} articles of ~{} KB: signature {:.0} µs each, index tokens {:.0} µs; stored {:.0} articles/s ({:.2} ms each, slowest {:.1} ms; CPU {:.2} ms each); database {:.1} MB per 1,000 articles",
        bodies.iter().map(String::len).sum::<usize>() / count / 1000,
        signing.as_secs_f64() * 1e6 / count as f64,
        tokenizing.as_secs_f64() * 1e6 / count as f64,
        count as f64 / storing.as_secs_f64(),
        storing.as_secs_f64() * 1e3 / count as f64,
        slowest.as_secs_f64() * 1e3,
        cpu * 1e3 / count as f64,
        size as f64 / 1e6 / (count as f64 / 1000.0),
    );
}

/// The CPU time this process has used, user and system, in seconds: the writer's cost on a
/// machine whose other load moves the wall clock's figures by a third.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command's parenthesised name: fields 14 and 15 of the line, in clock ticks.
    let ticks: f64 = stat
        .rsplit_once(')')
        .map(|(_, rest)| {
            rest.split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|t| t.parse::<f64>().ok())
                .sum()
        })
        .unwrap_or(0.0);
    ticks / 100.0
}
