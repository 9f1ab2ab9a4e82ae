//! `/metrics` on a large database: the time of a scrape of a running daemon whose database
//! holds ARTICLES articles (40,000 by default) from 50 feeds, one in ten with an alert, and
//! what one reading of the database's gauges and `raqib stats` cost a reader.
//!
//! cargo bench --bench scrape [-- ARTICLES]
//! RAQIB_BIN=old/raqib:new/raqib cargo bench --bench scrape    # other builds, in turn, on one database
//!
//! Feeds point at an address the daemon refuses to fetch (loopback, private networks not
//! allowed): no traffic leaves the machine, and each feed records its failure at start.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use chrono::Utc;
use raqib::alert::NewAlert;
use raqib::config::AlertPolicy;
use raqib::store::{Reader, Store};

#[path = "support/filler.rs"]
mod filler;
#[path = "../tests/support/http.rs"]
mod http;
#[path = "../tests/support/seeds.rs"]
mod support;

const FEEDS: usize = 50;
const SCRAPES: usize = 40;
/// A scrape through the old build's writer took up to 0.7 s under load: wait long enough.
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(30);

fn main() {
    let count: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(40_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("raqib.db");
    fill(&path, count);

    let reader = Reader::open(&path).expect("reader");
    let now = Utc::now();
    let urls: Vec<String> = (0..FEEDS).map(feed_url).collect();
    let urls: Vec<&str> = urls.iter().map(String::as_str).collect();
    // The first reading on a new connection also reads the schema and the write-ahead log.
    let readings: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            reader.feed_healths(&urls, now).expect("health");
            reader.outbox_counts().expect("outbox");
            reader.alerts_by_watch().expect("alerts");
            started.elapsed()
        })
        .collect();
    let started = Instant::now();
    reader.stats().expect("stats");
    let stats = started.elapsed();
    drop(reader);

    let addr = {
        let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        probe.local_addr().expect("addr").to_string()
    };
    let feeds: String = (0..FEEDS)
        .map(|i| {
            format!(
                "[[feed]]\nurl = \"{}\"\noutlet = \"outlet {i}\"\n",
                feed_url(i)
            )
        })
        .collect();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[daemon]\ndatabase = \"{}\"\nmetrics_listen = \"{addr}\"\n{feeds}\
             [[watch]]\nname = \"w0\"\naliases = [\"Hammouchi\"]\n",
            path.display()
        ),
    )
    .expect("config");
    let binaries =
        std::env::var("RAQIB_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_raqib").into());
    println!(
        "{count} articles, {FEEDS} feeds; on a reader: a reading of the gauges {:.0} ms (the first {:.0} ms), raqib stats {:.0} ms",
        ms(readings[readings.len() - 1]),
        ms(readings[0]),
        ms(stats),
    );
    for binary in binaries.split(':') {
        let mut times = scrapes(binary, &config, &addr);
        times.sort();
        println!(
            "{binary}: /metrics scrape median {:.1} ms, max {:.1} ms ({SCRAPES} scrapes)",
            ms(times[SCRAPES / 2]),
            ms(times[SCRAPES - 1]),
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Start `binary` as the daemon and time [`SCRAPES`] scrapes once it answers.
fn scrapes(binary: &str, config: &std::path::Path, addr: &str) -> Vec<Duration> {
    let mut daemon = Command::new(binary)
        .args(["--config", config.to_str().expect("utf-8 path"), "run"])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::null())
        .spawn()
        .expect("start the daemon");
    let up = Instant::now();
    while http::get(addr, "/metrics", SCRAPE_TIMEOUT).0 != 200 {
        assert!(up.elapsed() < Duration::from_secs(120), "no /metrics");
        std::thread::sleep(Duration::from_millis(100));
    }
    let times = (0..SCRAPES)
        .map(|_| {
            let asked = Instant::now();
            let (status, _) = http::get(addr, "/metrics", SCRAPE_TIMEOUT);
            assert_eq!(status, 200);
            asked.elapsed()
        })
        .collect();
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    times
}

fn feed_url(i: usize) -> String {
    format!("http://127.0.0.1:9/feed/{i}")
}

/// Store `count` articles, 2,000 an hour up to now, every tenth with an alert whose delivery
/// went out.
fn fill(path: &std::path::Path, count: usize) {
    let bodies = filler::bodies(count);
    let mut store = Store::open(path).expect("store");
    let now = Utc::now();
    let start = now - chrono::Duration::seconds(count as i64 * 2);
    let feeds: Vec<i64> = (0..FEEDS)
        .map(|i| {
            store
                .sync_feed(&feed_url(i), &format!("outlet {i}"), start)
                .expect("feed")
                .id
        })
        .collect();
    for (chunk, bodies) in bodies.chunks(100).enumerate() {
        store
            .batch(|store| {
                for (j, body) in bodies.iter().enumerate() {
                    let i = chunk * 100 + j;
                    let article = filler::article(
                        feeds[i % FEEDS],
                        &format!("outlet {}", i % FEEDS),
                        i,
                        body,
                        filler::signature(body),
                    );
                    let at = start + chrono::Duration::seconds(i as i64 * 2);
                    let alert = move |_, _: &[String]| {
                        (i % 10 == 0)
                            .then(|| NewAlert {
                                uid: format!("alert-{i}"),
                                policy: AlertPolicy::Article,
                                watch: format!("w{}", i % 5),
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
                }
            })
            .expect("batch");
    }
    drop(store);
    rusqlite::Connection::open(path)
        .and_then(|db| db.execute("UPDATE delivery SET state = 'delivered'", []))
        .expect("deliveries");
}
