//! An outlet's main feed and a category feed carrying the same articles, polled at the same
//! moment (as at every start): each article is stored once and alerted once, under one id,
//! whichever feed brought it first. The real binary, a server on 127.0.0.1, a real database.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{Resource, Server, raqib, stderr, write_config};

const ARTICLES: usize = 6;

/// What the category feed appends to each link.
const TRACKING: &str = "?utm_source=rss&utm_medium=category#from-category";

fn page(i: usize) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Delegation {i}</title></head>\
         <body><article><h1>Hammouchi receives delegation {i}</h1>\
         <p>Abdellatif Hammouchi received delegation number {i} in Rabat on Monday to discuss \
         cooperation on border security, the exchange of information and the training of officers.</p>\
         <p>The meeting, the {i}th of its kind this year, ended with a joint statement on the \
         cooperation between the two services in the months to come.</p></article></body></html>"
    )
}

/// The same articles in both feeds; the category feed marks its links for its own analytics
/// with campaign parameters and a fragment, neither of which is part of an article's URL.
fn feed(server: &Server, guid_prefix: &str, tracking: &str) -> Resource {
    let items: String = (1..=ARTICLES)
        .map(|i| {
            format!(
                "<item><title>Hammouchi receives delegation {i}</title><link>{}{tracking}</link>\
                 <guid isPermaLink=\"false\">{guid_prefix}{i}</guid>\
                 <description>Hammouchi received delegation {i}.</description></item>",
                server.url(&format!("/news/{i}.html"))
            )
        })
        .collect();
    Resource::new(
        "application/rss+xml",
        format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
    )
}

fn count(db: &std::path::Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

#[test]
fn two_feeds_polled_together_store_and_alert_each_article_once() {
    let server = Server::start();
    for i in 1..=ARTICLES {
        // Slow pages keep both polls' fetches in flight together.
        for path in [
            format!("/news/{i}.html"),
            format!("/news/{i}.html{}", TRACKING.split('#').next().unwrap()),
        ] {
            server.put(
                &path,
                Resource::new("text/html; charset=utf-8", page(i))
                    .with_delay(Duration::from_millis(300)),
            );
        }
    }
    server.put("/feed", feed(&server, "main-", ""));
    server.put("/category/feed", feed(&server, "cat-", TRACKING));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\nper_host_concurrency = 8\n\
             [[feed]]\nurl = \"{}\"\noutlet = \"Outlet\"\ninterval = \"1h\"\n\
             [[feed]]\nurl = \"{}\"\noutlet = \"Outlet\"\ninterval = \"1h\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"article\"\nsinks = [\"file\"]\n\
             [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n",
            server.url("/feed"),
            server.url("/category/feed"),
        ),
    );
    let run = raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");

    let db = dir.path().join("raqib.db");
    assert_eq!(
        count(&db, "SELECT count(*) FROM article"),
        ARTICLES as i64,
        "{log}"
    );
    assert_eq!(
        count(&db, "SELECT count(DISTINCT url) FROM article"),
        ARTICLES as i64
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM alert"),
        ARTICLES as i64,
        "{log}"
    );

    let jsonl = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    let alerts: Vec<serde_json::Value> = jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(alerts.len(), ARTICLES, "each alert delivered once: {jsonl}");
    let urls: BTreeSet<&str> = alerts
        .iter()
        .map(|a| a["article"]["url"].as_str().unwrap())
        .collect();
    assert_eq!(urls.len(), ARTICLES, "one alert per article: {jsonl}");
    let ids: BTreeSet<&str> = alerts.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), ARTICLES, "{jsonl}");

    // The report counts what was stored and raised, not what was attempted.
    let finished = log
        .lines()
        .find(|l| l.contains("run --once finished"))
        .unwrap_or_else(|| panic!("no report: {log}"));
    assert!(
        finished.contains(&format!("new_articles={ARTICLES}"))
            && finished.contains(&format!("alerts={ARTICLES}")),
        "{finished}"
    );
}
