//! `raqib search` on a large archive: latency of a two-word Arabic query and of a NEAR query,
//! and the index's size against the text's.
//!
//! cargo bench --bench search [-- ARTICLES] [--postgres URL [--skip-sqlite]]     # default 100,000
//!
//! The articles are built from the seeds and the story fixtures (a base text's title and its
//! paragraphs rotated, with words of every base text and of a made-up rare vocabulary mixed
//! in) and written straight into the tables with their index rows, as the article
//! transaction would write them: storing a million through the pipeline would take hours.
//! The SQLite file is kept under `target/bench-search/` and reused by the next run of the
//! same size; a PostgreSQL database (given by URL, created empty) is filled once likewise.
//! Queries run through `Search::run` as `raqib search` runs them: newest first, 50 at most.

use std::path::{Path, PathBuf};
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use raqib::search::{Search, Sort};
use raqib::store::{Reader, SearchIndex, Store, postgres};
use raqib::text::index::article_tokens;

#[path = "../tests/support/xorshift.rs"]
mod xorshift;

use xorshift::Xorshift;

/// Articles written per transaction while filling.
const CHUNK: usize = 5_000;
/// Outlets the articles come from.
const OUTLETS: usize = 30;
/// Articles published a minute apart: a million span two years.
const GAP_SECONDS: i64 = 60;

struct Base {
    title: String,
    paragraphs: Vec<String>,
}

fn bases() -> Vec<Base> {
    let mut bases = Vec::new();
    for dir in ["tests/fixtures/seeds", "tests/fixtures/stories"] {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("fixtures")
            .map(|e| e.expect("entry").path())
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(path).expect("fixture");
            let mut lines = text.lines().filter(|l| !l.trim().is_empty());
            let title = lines.next().unwrap_or_default().trim().to_string();
            bases.push(Base {
                title,
                paragraphs: lines.map(str::to_string).collect(),
            });
        }
    }
    bases
}

fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.chars().count() >= 2)
}

/// The generated archive: every article from its number, the same on every run.
struct Archive {
    bases: Vec<Base>,
    vocabulary: Vec<String>,
    start: DateTime<Utc>,
    count: usize,
}

struct Generated {
    title: String,
    body: String,
    outlet: usize,
    published: Option<DateTime<Utc>>,
    fetched: DateTime<Utc>,
}

impl Archive {
    fn new(count: usize) -> Archive {
        let bases = bases();
        let mut vocabulary: Vec<String> = bases
            .iter()
            .flat_map(|b| b.paragraphs.iter().flat_map(|p| words(p)))
            .map(str::to_string)
            .collect();
        // A long tail of rare words, as a real archive's vocabulary has: names and places
        // made of Arabic syllables.
        let syllables = [
            "بو", "زي", "ما", "ري", "طا", "نو", "كا", "لي", "سا", "مو", "را", "دي", "فا", "جو",
        ];
        let mut rng = Xorshift::default();
        for _ in 0..30_000 {
            let length = 2 + (rng.draw() % 3) as usize;
            vocabulary.push(
                (0..length)
                    .map(|_| syllables[(rng.draw() % syllables.len() as u64) as usize])
                    .collect(),
            );
        }
        Archive {
            bases,
            vocabulary,
            start: Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap()
                - chrono::Duration::seconds(count as i64 * GAP_SECONDS),
            count,
        }
    }

    fn article(&self, i: usize) -> Generated {
        let mut rng = Xorshift::default();
        for _ in 0..(i % 7) + 1 {
            rng.draw();
        }
        let mut draw =
            |n: usize| ((rng.draw() ^ (i as u64).wrapping_mul(0x9E37_79B9)) % n as u64) as usize;
        let base = &self.bases[draw(self.bases.len())];
        let mut paragraphs = base.paragraphs.clone();
        let len = paragraphs.len().max(1);
        paragraphs.rotate_left(draw(len));
        paragraphs.truncate(6);
        let mixed: Vec<&str> = (0..120)
            .map(|_| self.vocabulary[draw(self.vocabulary.len())].as_str())
            .collect();
        paragraphs.push(mixed.join(" "));
        let title = format!(
            "{} {}",
            base.title,
            self.vocabulary[draw(self.vocabulary.len())]
        );
        let fetched = self.start + chrono::Duration::seconds(i as i64 * GAP_SECONDS);
        Generated {
            title,
            body: paragraphs.join("\n"),
            outlet: draw(OUTLETS),
            // One in ten without a date: ordered by its fetch.
            published: (i % 10 != 0).then(|| fetched - chrono::Duration::minutes(draw(600) as i64)),
            fetched,
        }
    }

    /// Two-word Arabic queries and NEAR queries, drawn from the base texts.
    fn queries(&self) -> (Vec<String>, Vec<String>) {
        let mut rng = Xorshift::default();
        let mut draw = |n: usize| (rng.draw() % n as u64) as usize;
        let (mut pairs, mut nears) = (Vec::new(), Vec::new());
        while pairs.len() < 20 || nears.len() < 20 {
            let base = &self.bases[draw(self.bases.len())];
            let paragraph = &base.paragraphs[draw(base.paragraphs.len())];
            let words: Vec<&str> = words(paragraph)
                .filter(|w| w.chars().count() >= 4 && w.starts_with(raqib::text::is_arabic_letter))
                .collect();
            if words.len() < 8 {
                continue;
            }
            let at = draw(words.len() - 1);
            let query = if pairs.len() < 20 {
                let other = draw(words.len());
                format!("{} {}", words[at], words[other])
            } else {
                format!("{} NEAR/5 {}", words[at], words[at + 1])
            };
            if Search::new(&query).is_err() {
                continue;
            }
            if pairs.len() < 20 {
                pairs.push(query);
            } else {
                nears.push(query);
            }
        }
        (pairs, nears)
    }
}

fn sqlite_archive(archive: &Archive) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-search");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let path = dir.join(format!("search-{}.db", archive.count));
    let done = path.with_extension("done");
    if done.exists() {
        return path;
    }
    let _ = std::fs::remove_file(&path);
    drop(Store::open(&path).expect("store"));
    let mut conn = rusqlite::Connection::open(&path).expect("open");
    conn.pragma_update(None, "synchronous", "OFF")
        .expect("pragma");
    let started = Instant::now();
    let tx = conn.transaction().expect("tx");
    for outlet in 0..OUTLETS {
        tx.execute(
            "INSERT INTO feed (id, url, outlet, created_at) VALUES (?1, ?2, ?3, '2024-01-01T00:00:00Z')",
            rusqlite::params![outlet as i64 + 1, format!("https://outlet{outlet}.test/feed"), format!("Outlet {outlet}")],
        )
        .expect("feed");
    }
    tx.commit().expect("commit");
    for chunk in (0..archive.count).collect::<Vec<_>>().chunks(CHUNK) {
        let tx = conn.transaction().expect("tx");
        {
            let mut story = tx
                .prepare("INSERT INTO story (id, first_seen_at, title) VALUES (?1, ?2, ?3)")
                .expect("story");
            let mut article = tx
                .prepare(
                    "INSERT INTO article (id, feed_id, entry_key, url, title, body, body_source, lang,
                         published_at, fetched_at, simhash, story_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'page', 'ar', ?7, ?8, 0, ?1)",
                )
                .expect("article");
            let mut index = tx
                .prepare("INSERT INTO article_search (rowid, terms, at) VALUES (?1, ?2, ?3)")
                .expect("index");
            let mut newest = tx
                .prepare("INSERT INTO article_search_at (article_id, at) VALUES (?1, ?2)")
                .expect("newest");
            for &i in chunk {
                let one = archive.article(i);
                let id = i as i64 + 1;
                let stamp = |d: DateTime<Utc>| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
                story
                    .execute(rusqlite::params![id, stamp(one.fetched), one.title])
                    .expect("story row");
                article
                    .execute(rusqlite::params![
                        id,
                        one.outlet as i64 + 1,
                        i.to_string(),
                        format!("https://outlet{}.test/{i}", one.outlet),
                        one.title,
                        one.body,
                        one.published.map(stamp),
                        stamp(one.fetched),
                    ])
                    .expect("article row");
                let at = one.published.unwrap_or(one.fetched).timestamp();
                index
                    .execute(rusqlite::params![
                        id,
                        article_tokens(&one.title, &one.body).join(" "),
                        at
                    ])
                    .expect("index row");
                newest
                    .execute(rusqlite::params![id, at])
                    .expect("newest row");
            }
        }
        tx.commit().expect("commit");
        eprint!("\r{} articles written", chunk[chunk.len() - 1] + 1);
    }
    eprintln!(" in {:.0} s", started.elapsed().as_secs_f64());
    std::fs::write(&done, "").expect("marker");
    path
}

async fn postgres_archive(archive: &Archive, url: &str) -> postgres::Pool {
    let pool = postgres::Pool::connect(url, None, 2)
        .await
        .expect("connect");
    postgres::migrate(&pool).await.expect("migrate");
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(connection);
    let stored: i64 = client
        .query_one("SELECT count(*) FROM article", &[])
        .await
        .expect("count")
        .get(0);
    if stored as usize == archive.count {
        return pool;
    }
    assert_eq!(stored, 0, "a database of another size: give an empty one");
    let started = Instant::now();
    for outlet in 0..OUTLETS {
        client
            .execute(
                "INSERT INTO feed (id, url, outlet, created_at) VALUES ($1, $2, $3, now())",
                &[
                    &(outlet as i64 + 1),
                    &format!("https://outlet{outlet}.test/feed"),
                    &format!("Outlet {outlet}"),
                ],
            )
            .await
            .expect("feed");
    }
    for chunk in (0..archive.count).collect::<Vec<_>>().chunks(1_000) {
        let (mut ids, mut feeds, mut keys, mut urls, mut titles, mut bodies) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut published, mut offsets, mut fetched, mut ats, mut terms) =
            (vec![], vec![], vec![], vec![], vec![]);
        for &i in chunk {
            let one = archive.article(i);
            ids.push(i as i64 + 1);
            feeds.push(one.outlet as i64 + 1);
            keys.push(i.to_string());
            urls.push(format!("https://outlet{}.test/{i}", one.outlet));
            ats.push(one.published.unwrap_or(one.fetched).timestamp());
            terms.push(article_tokens(&one.title, &one.body));
            titles.push(one.title);
            bodies.push(one.body);
            offsets.push(one.published.map(|_| 0_i32));
            published.push(one.published);
            fetched.push(one.fetched);
        }
        client
            .execute(
                "INSERT INTO story (id, first_seen_at, title)
                 SELECT id, f, t FROM unnest($1::bigint[], $2::timestamptz[], $3::text[]) AS u(id, f, t)",
                &[&ids, &fetched, &titles],
            )
            .await
            .expect("stories");
        client
            .execute(
                "INSERT INTO article (id, feed_id, entry_key, url, title, body, body_source, lang,
                     published_at, published_offset, fetched_at, simhash, story_id)
                 SELECT id, feed, k, u, t, b, 'page', 'ar', p, o, f, 0, id
                 FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                             $6::text[], $7::timestamptz[], $8::int[], $9::timestamptz[])
                      AS x(id, feed, k, u, t, b, p, o, f)",
                &[
                    &ids, &feeds, &keys, &urls, &titles, &bodies, &published, &offsets, &fetched,
                ],
            )
            .await
            .expect("articles");
        let joined: Vec<String> = terms.iter().map(|t| t.join(" ")).collect();
        client
            .execute(
                "INSERT INTO article_search (article_id, at, terms)
                 SELECT id, at, array_to_tsvector(string_to_array(t, ' '))
                 FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS x(id, at, t)",
                &[&ids, &ats, &joined],
            )
            .await
            .expect("index");
        eprint!("\r{} articles written", chunk[chunk.len() - 1] + 1);
    }
    client
        .batch_execute("VACUUM ANALYZE")
        .await
        .expect("vacuum");
    eprintln!(" in {:.0} s", started.elapsed().as_secs_f64());
    pool
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

/// Each query once to warm the caches, then three timed rounds; p50 and p95 in ms, and the
/// mean number of articles found.
async fn latencies(
    index: &impl SearchIndex,
    queries: &[String],
    now: DateTime<Utc>,
) -> (f64, f64, f64) {
    let mut times = Vec::new();
    let mut found = 0;
    for round in 0..4 {
        for query in queries {
            let search = Search::new(query).expect("query");
            let started = Instant::now();
            let results = search
                .run(index, None, 50, Sort::Newest, now)
                .await
                .expect("search");
            if round > 0 {
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                found += results.len();
            }
        }
    }
    times.sort_by(f64::total_cmp);
    (
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        found as f64 / times.len() as f64,
    )
}

fn report(backend: &str, count: usize, pairs: (f64, f64, f64), nears: (f64, f64, f64)) {
    println!(
        "{backend}, {count} articles: two-word Arabic query p50 {:.1} ms, p95 {:.1} ms ({:.0} found); NEAR/5 p50 {:.1} ms, p95 {:.1} ms ({:.0} found)",
        pairs.0, pairs.1, pairs.2, nears.0, nears.1, nears.2
    );
}

/// Fill (once) and query the SQLite archive.
fn sqlite(
    archive: &Archive,
    pairs: &[String],
    nears: &[String],
    now: DateTime<Utc>,
    runtime: &tokio::runtime::Runtime,
) {
    let count = archive.count;
    let path = sqlite_archive(archive);
    let reader = Reader::open(&path).expect("reader");
    let p = runtime.block_on(latencies(&reader, pairs, now));
    let n = runtime.block_on(latencies(&reader, nears, now));
    report("SQLite", count, p, n);
    let conn = rusqlite::Connection::open(&path).expect("open");
    let index: i64 = conn
        .query_row(
            "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'article_search%'",
            [],
            |r| r.get(0),
        )
        .expect("dbstat");
    let text: i64 = conn
        .query_row(
            "SELECT sum(length(CAST(title AS BLOB)) + length(CAST(body AS BLOB))) FROM article",
            [],
            |r| r.get(0),
        )
        .expect("text size");
    println!(
        "SQLite: index {:.1} MB, text {:.1} MB: {:.0} %",
        index as f64 / 1e6,
        text as f64 / 1e6,
        index as f64 * 100.0 / text as f64
    );
    let relevance = runtime.block_on(async {
        let started = Instant::now();
        Search::new(&pairs[0])
            .expect("query")
            .run(&reader, None, 50, Sort::Relevance, now)
            .await
            .expect("search");
        started.elapsed()
    });
    println!(
        "SQLite: {:?} sorted by relevance: {} ms (every candidate evaluated)",
        pairs[0],
        relevance.as_millis()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let count = args.iter().find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let postgres_url = args
        .iter()
        .position(|a| a == "--postgres")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let archive = Archive::new(count);
    let (pairs, nears) = archive.queries();
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 0, 0, 0).unwrap();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");

    if !args.iter().any(|a| a == "--skip-sqlite") {
        sqlite(&archive, &pairs, &nears, now, &runtime);
    }

    if let Some(url) = postgres_url {
        runtime.block_on(async {
            let pool = postgres_archive(&archive, &url).await;
            let p = latencies(&pool, &pairs, now).await;
            let n = latencies(&pool, &nears, now).await;
            report("PostgreSQL", count, p, n);
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("connect");
            tokio::spawn(connection);
            let row = client
                .query_one(
                    "SELECT pg_total_relation_size('article_search'),
                            pg_relation_size('article_search_terms'),
                            (SELECT sum(octet_length(title) + octet_length(body)) FROM article)::bigint",
                    &[],
                )
                .await
                .expect("sizes");
            let (all, gin, text): (i64, i64, i64) = (row.get(0), row.get(1), row.get(2));
            println!(
                "PostgreSQL: index {:.1} MB (GIN {:.1} MB, table and its tsvectors {:.1} MB), text {:.1} MB: {:.0} %",
                all as f64 / 1e6,
                gin as f64 / 1e6,
                (all - gin) as f64 / 1e6,
                text as f64 / 1e6,
                all as f64 * 100.0 / text as f64
            );
        });
    }
}
