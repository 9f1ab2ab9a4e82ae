//! End-to-end load: the real `raqib run` binary against outlets served from 127.0.1.x.
//!
//! ```text
//! cargo bench --bench load                       # both phases, default sizes
//! cargo bench --bench load -- --articles 5000 --feeds 100 --terms 1000 --latency-feeds 1000 --window 300
//! cargo bench --bench load -- --soak 3600        # the latency phase for an hour, RSS each minute
//! ```
//!
//! Articles are built from the seeds and the story fixtures (Arabic, French, English): their
//! paragraphs rotated, a few hundred words of their own vocabulary mixed in so that each is its
//! own article, inside a page with navigation, share buttons, related links and a footer.
//! The watchlist is the example's Hammouchi watch plus synthetic full names, W terms in all.
//!
//! Throughput: every article is in the feeds before the daemon starts; the figure is articles
//! stored (fetched, extracted, matched, grouped, alerts written) per second of wall time, and
//! CPU seconds of the daemon per article. Latency: articles appear at random moments in feeds
//! polled every 60 s; each raises an alert, and the bench notes when it can read it in the
//! database (polled every 100 ms). Peak RSS is the daemon's `VmHWM`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[path = "../tests/support/seeds.rs"]
mod support;

const HOSTS: usize = 200;
/// Items a feed shows at least, newest first (more when the throughput phase puts more
/// articles in each feed).
const FEED_ITEMS: usize = 50;

struct Args {
    articles: usize,
    feeds: usize,
    terms: usize,
    latency_feeds: usize,
    /// Seconds over which articles appear in the latency phase.
    window: u64,
    /// Articles appearing per second in the latency phase.
    rate: f64,
    soak: bool,
    phases: Vec<String>,
}

fn args() -> Args {
    let mut args = Args {
        articles: 5000,
        feeds: 100,
        terms: 1000,
        latency_feeds: 1000,
        window: 300,
        rate: 2.0,
        soak: false,
        phases: vec!["throughput".into(), "latency".into()],
    };
    let raw: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let mut i = 0;
    while i < raw.len() {
        let value = raw.get(i + 1).cloned().unwrap_or_default();
        let number = || value.parse::<f64>().expect("a number after the flag");
        match raw[i].as_str() {
            "--articles" => args.articles = number() as usize,
            "--feeds" => args.feeds = number() as usize,
            "--terms" => args.terms = number() as usize,
            "--latency-feeds" => args.latency_feeds = number() as usize,
            "--window" => args.window = number() as u64,
            "--rate" => args.rate = number(),
            "--soak" => {
                args.window = number() as u64;
                args.soak = true;
                args.phases = vec!["latency".into()];
            }
            "--only" => args.phases = vec![value.clone()],
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    args
}

/// One article as the outlet publishes it.
struct Article {
    feed: usize,
    title: String,
    page: String,
    summary: String,
    /// Seconds after the outlet started at which it appears in its feed.
    appears: f64,
}

struct Outlet {
    articles: Vec<Article>,
    /// Per feed, its articles' indexes in order of appearance.
    by_feed: Vec<Vec<usize>>,
    started: Instant,
    started_at: SystemTime,
    feed_items: usize,
}

type Shared = Arc<RwLock<Outlet>>;

fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// What the articles of one language are made of.
#[derive(Default)]
struct Pool {
    titles: Vec<String>,
    paragraphs: Vec<String>,
    words: Vec<String>,
}

fn language(text: &str) -> &'static str {
    if text.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c)) {
        "ar"
    } else if text.contains(" the ") {
        "en"
    } else {
        "fr"
    }
}

/// Base texts: the five seeds and the fourteen story fixtures, first line the title.
fn texts() -> Vec<String> {
    let mut texts = support::seeds();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/stories");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("story fixtures")
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    texts.extend(
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).expect("fixture")),
    );
    texts
}

fn page(title: &str, paragraphs: &[String], lang: &str) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>{title} | Outlet</title>
<meta property="og:title" content="{title}"><script>window.dataLayer=[];</script></head>
<body><header><nav><ul><li><a href="/">Accueil</a></li><li><a href="/c/1">Politique</a></li><li><a href="/c/2">Société</a></li><li><a href="/c/3">Sport</a></li></ul></nav></header>
<div class="cookie">Ce site utilise des cookies pour améliorer votre expérience. <a href="/privacy">En savoir plus</a></div>
<main><article><h1>{title}</h1><div class="meta">Rédaction</div>
<div class="share"><a href="https://facebook.com/sharer">Facebook</a> <a href="https://twitter.com/share">X</a></div>
<div class="entry-content">{body}</div></article>
<section class="related"><h3>À lire aussi</h3><ul><li><a href="/r/1">Les dernières nouvelles de la semaine</a></li><li><a href="/r/2">الطقس غدا في الرباط</a></li></ul></section></main>
<footer><p>© 2026 Outlet. Tous droits réservés.</p></footer></body></html>"#
    )
}

/// `count` articles over `feeds` feeds, appearing over `window` seconds (all at 0 when 0).
fn outlet(count: usize, feeds: usize, window: f64, tag: &str) -> Outlet {
    // Per language: the titles, the paragraphs and the words of its texts.
    let mut pools: HashMap<&str, Pool> = HashMap::new();
    for text in texts() {
        let lang = language(&text);
        let pool = pools.entry(lang).or_default();
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        pool.titles.extend(lines.next().map(str::to_string));
        pool.paragraphs.extend(lines.map(str::to_string));
        pool.words
            .extend(text.split_whitespace().map(str::to_string));
    }
    let langs = ["ar", "fr", "en"];
    let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ count as u64;
    let mut pick = |n: usize| (xorshift(&mut state) % n as u64) as usize;
    let mut articles = Vec::with_capacity(count);
    for i in 0..count {
        // Half Arabic, a quarter each French and English.
        let lang = langs[[0, 0, 1, 2][i % 4]];
        let Pool {
            titles,
            paragraphs,
            words,
        } = &pools[lang];
        // The tag stands as its own word: watches match whole words only.
        let title = format!("{} {tag} {i}", titles[pick(titles.len())]);
        // Four paragraphs of the language's texts and a few hundred of its words: articles on
        // the same topics in the same words, each its own, as a news flow is.
        let mut body: Vec<String> = (0..4)
            .map(|_| paragraphs[pick(paragraphs.len())].clone())
            .collect();
        let mixed: Vec<&str> = (0..250)
            .map(|_| words[pick(words.len())].as_str())
            .collect();
        body.push(mixed.join(" "));
        let appears = if window > 0.0 {
            pick(1_000_000) as f64 / 1_000_000.0 * window
        } else {
            0.0
        };
        articles.push(Article {
            feed: i % feeds,
            summary: body[0].chars().take(200).collect(),
            page: page(&title, &body, lang),
            title,
            appears,
        });
    }
    let mut by_feed = vec![Vec::new(); feeds];
    let mut order: Vec<usize> = (0..count).collect();
    order.sort_by(|a, b| articles[*a].appears.total_cmp(&articles[*b].appears));
    for i in order {
        by_feed[articles[i].feed].push(i);
    }
    Outlet {
        articles,
        by_feed,
        started: Instant::now(),
        started_at: SystemTime::now(),
        feed_items: FEED_ITEMS.max(count.div_ceil(feeds.max(1))),
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn feed_body(outlet: &Outlet, feed: usize, base: &str) -> (String, usize) {
    let now = outlet.started.elapsed().as_secs_f64();
    let visible: Vec<usize> = outlet.by_feed[feed]
        .iter()
        .copied()
        .filter(|i| outlet.articles[*i].appears <= now)
        .collect();
    let items: String = visible
        .iter()
        .rev()
        .take(outlet.feed_items)
        .map(|i| {
            let a = &outlet.articles[*i];
            let published = outlet.started_at + Duration::from_secs_f64(a.appears);
            format!(
                "<item><title>{}</title><link>{base}/a/{i}</link><guid>{base}/a/{i}</guid><pubDate>{}</pubDate><description>{}</description></item>",
                escape(&a.title),
                httpdate::fmt_http_date(published).replace("GMT", "+0000"),
                escape(&a.summary)
            )
        })
        .collect();
    (
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Feed {feed}</title>{items}</channel></rss>"
        ),
        visible.len(),
    )
}

async fn serve(listener: TcpListener, outlet: Shared) {
    let base = format!("http://{}", listener.local_addr().expect("address"));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (outlet, base) = (Arc::clone(&outlet), base.clone());
        tokio::spawn(async move {
            let (read, mut write) = stream.into_split();
            let mut reader = BufReader::new(read);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut if_none_match = None;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).await.unwrap_or(0) == 0 {
                        return;
                    }
                    if header.trim().is_empty() {
                        break;
                    }
                    if let Some((name, value)) = header.split_once(':') {
                        if name.eq_ignore_ascii_case("if-none-match") {
                            if_none_match = Some(value.trim().to_string());
                        }
                    }
                }
                let response = {
                    let outlet = outlet.read().expect("outlet");
                    respond(&outlet, &path, if_none_match.as_deref(), &base)
                };
                if write.write_all(&response).await.is_err() {
                    return;
                }
            }
        });
    }
}

fn respond(outlet: &Outlet, path: &str, if_none_match: Option<&str>, base: &str) -> Vec<u8> {
    let ok = |kind: &str, body: &str, etag: Option<String>| {
        let etag = etag.map(|e| format!("ETag: {e}\r\n")).unwrap_or_default();
        format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {kind}; charset=utf-8\r\n{etag}Content-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    };
    if let Some(feed) = path
        .strip_prefix("/feed/")
        .and_then(|f| f.parse::<usize>().ok())
    {
        if feed < outlet.by_feed.len() {
            let (body, visible) = feed_body(outlet, feed, base);
            let etag = format!("\"{feed}-{visible}\"");
            if if_none_match == Some(etag.as_str()) {
                return format!(
                    "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n"
                )
                .into_bytes();
            }
            return ok("application/rss+xml", &body, Some(etag));
        }
    }
    if let Some(article) = path
        .strip_prefix("/a/")
        .and_then(|a| a.parse::<usize>().ok())
    {
        if let Some(a) = outlet.articles.get(article) {
            return ok("text/html", &a.page, None);
        }
    }
    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec()
}

/// The example watch and synthetic names: `terms` aliases in all, two per watch.
fn watchlist(terms: usize, latency_tag: Option<&str>) -> String {
    const FIRST: &[&str] = &[
        "محمد",
        "أحمد",
        "يوسف",
        "كريم",
        "سعيد",
        "ليلى",
        "فاطمة",
        "نادية",
        "Karim",
        "Nadia",
        "Youssef",
        "Samir",
        "Leila",
        "Omar",
        "Hassan",
        "Amina",
    ];
    const LAST: &[&str] = &[
        "بنعلي",
        "الإدريسي",
        "العلوي",
        "التازي",
        "الفاسي",
        "بنجلون",
        "Bennani",
        "Alaoui",
        "Tazi",
        "Idrissi",
        "Fassi",
        "Berrada",
        "Chraibi",
        "Lahlou",
        "Sefrioui",
        "Kettani",
    ];
    let mut toml = String::from(
        "[[watch]]\nname = \"hammouchi\"\naliases = [\"عبد اللطيف حموشي\", \"حموشي\", \"Abdellatif Hammouchi\", \"Hammouchi\"]\n",
    );
    if let Some(tag) = latency_tag {
        toml.push_str(&format!(
            "[[watch]]\nname = \"latency\"\naliases = [\"{tag}\"]\nalert = \"article\"\nsinks = [\"file\"]\n"
        ));
    }
    for w in 0..terms.saturating_sub(4) / 2 {
        let first = FIRST[w % FIRST.len()];
        let last = LAST[(w / FIRST.len()) % LAST.len()];
        toml.push_str(&format!(
            "[[watch]]\nname = \"person-{w}\"\naliases = [\"{first} {last} {w}\", \"{last} {first} {w}\"]\n"
        ));
    }
    toml
}

fn config(dir: &Path, feeds: usize, ports: &HashMap<usize, u16>, watches: &str) -> PathBuf {
    let mut toml = String::from(
        "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\nrespect_robots_txt = false\nconcurrency = 64\nper_host_concurrency = 4\n",
    );
    for feed in 0..feeds {
        let host = feed % HOSTS;
        toml.push_str(&format!(
            "[[feed]]\nurl = \"http://127.0.1.{}:{}/feed/{feed}\"\ninterval = \"60s\"\n",
            host + 1,
            ports[&host]
        ));
    }
    toml.push_str(watches);
    toml.push_str("[[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n");
    let path = dir.join("config.toml");
    std::fs::write(&path, toml).expect("config");
    path
}

fn start(config: &Path, dir: &Path) -> Child {
    let log = std::fs::File::create(dir.join("raqib.log")).expect("log");
    Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().expect("path"), "run"])
        .env("RUST_LOG", "warn")
        .stderr(Stdio::from(log))
        .spawn()
        .expect("raqib")
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// (VmRSS, VmHWM) in MiB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 1024.0
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// User plus system CPU seconds of `pid` (clock ticks of 1/100 s, Linux's USER_HZ).
fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn count(conn: &rusqlite::Connection, sql: &str) -> i64 {
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(0)
}

fn open(db: &Path) -> rusqlite::Connection {
    loop {
        if let Ok(conn) =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        {
            if conn
                .query_row("SELECT count(*) FROM article", [], |_| Ok(()))
                .is_ok()
            {
                return conn;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn database_bytes(dir: &Path) -> u64 {
    ["raqib.db", "raqib.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn throughput(args: &Args, ports: &HashMap<usize, u16>, outlet: &Shared) {
    *outlet.write().expect("outlet") = self::outlet(args.articles, args.feeds, 0.0, "n");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(dir.path(), args.feeds, ports, &watchlist(args.terms, None));
    let started = Instant::now();
    let child = start(&config, dir.path());
    let pid = child.id();
    let conn = open(&dir.path().join("raqib.db"));
    let mut first = None;
    let limit = Duration::from_secs(600);
    let stored = loop {
        let stored = count(&conn, "SELECT count(*) FROM article") as usize;
        if stored > 0 && first.is_none() {
            first = Some(started.elapsed());
        }
        if stored >= args.articles || started.elapsed() > limit {
            break stored;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let wall = started.elapsed();
    let cpu = cpu_seconds(pid);
    let (_, peak) = memory(pid);
    let alerts = count(&conn, "SELECT count(*) FROM alert");
    let stories = count(&conn, "SELECT count(DISTINCT story_id) FROM article");
    drop(conn);
    stop(child);
    let bytes = database_bytes(dir.path());
    let steady = wall - first.unwrap_or_default();
    println!(
        "throughput: {} articles on {} feeds, W = {} terms ({} alerts, {} stories)",
        stored, args.feeds, args.terms, alerts, stories
    );
    println!(
        "  end to end      {:7.1} articles/s over {:.1} s from start ({:.1} articles/s from the first stored)",
        stored as f64 / wall.as_secs_f64(),
        wall.as_secs_f64(),
        stored as f64 / steady.as_secs_f64()
    );
    println!(
        "  CPU             {:7.2} ms per article ({:.1} s user+system for the daemon)",
        cpu * 1000.0 / stored as f64,
        cpu
    );
    println!("  peak RSS        {peak:7.1} MiB");
    println!(
        "  database        {:7.2} MiB per 1,000 articles ({:.1} MiB)",
        bytes as f64 / 1_048_576.0 / stored as f64 * 1000.0,
        bytes as f64 / 1_048_576.0
    );
    if stored < args.articles {
        println!(
            "  INCOMPLETE: {stored} of {} stored within {limit:?}",
            args.articles
        );
    }
}

fn latency(args: &Args, ports: &HashMap<usize, u16>, outlet: &Shared) {
    let count_articles = (args.rate * args.window as f64).round() as usize;
    let tag = "raqibbenchmark";
    let dir = tempfile::tempdir().expect("temp dir");
    let config = config(
        dir.path(),
        args.latency_feeds,
        ports,
        &watchlist(args.terms, Some(tag)),
    );
    *outlet.write().expect("outlet") =
        self::outlet(count_articles, args.latency_feeds, args.window as f64, tag);
    let started = outlet.read().expect("outlet").started;
    let child = start(&config, dir.path());
    let pid = child.id();
    let conn = open(&dir.path().join("raqib.db"));
    let mut samples: Vec<(u64, f64)> = Vec::new();
    let end = Duration::from_secs(args.window + 75);
    let mut next_sample = Duration::ZERO;
    let mut statement = conn
        .prepare("SELECT a.id, ar.url FROM alert a JOIN article ar ON ar.id = a.article_id WHERE a.watch = 'latency' AND a.id > ?1")
        .expect("query");
    let mut last_id = 0i64;
    let mut latencies = Vec::new();
    while started.elapsed() < end {
        let now = started.elapsed().as_secs_f64();
        let rows: Vec<(i64, String)> = statement
            .query_map([last_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .unwrap_or_default();
        for (id, url) in rows {
            last_id = last_id.max(id);
            let index: usize = url
                .rsplit('/')
                .next()
                .and_then(|i| i.parse().ok())
                .unwrap_or(usize::MAX);
            if let Some(article) = outlet.read().expect("outlet").articles.get(index) {
                latencies.push(now - article.appears);
            }
        }
        if started.elapsed() >= next_sample {
            samples.push((started.elapsed().as_secs(), memory(pid).0));
            next_sample += Duration::from_secs(if args.soak { 60 } else { 10 });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let cpu = cpu_seconds(pid);
    let (_, peak) = memory(pid);
    let stored = count(&conn, "SELECT count(*) FROM article");
    drop(statement);
    drop(conn);
    stop(child);
    latencies.sort_by(f64::total_cmp);
    println!(
        "latency: {} feeds polled every 60 s, {count_articles} articles appearing over {} s, W = {} terms",
        args.latency_feeds, args.window, args.terms
    );
    println!(
        "  appear -> alert  p50 {:.1} s  p99 {:.1} s  max {:.1} s  ({} of {count_articles} alerts seen, {stored} articles stored)",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        latencies.last().copied().unwrap_or(f64::NAN),
        latencies.len()
    );
    println!(
        "  peak RSS {peak:.1} MiB; CPU {cpu:.1} s over {:.0} s; database {:.1} MiB",
        end.as_secs_f64(),
        database_bytes(dir.path()) as f64 / 1_048_576.0
    );
    let series: Vec<String> = samples
        .iter()
        .map(|(t, rss)| format!("{t}s:{rss:.0}"))
        .collect();
    println!("  RSS MiB over time: {}", series.join(" "));
    // Percentiles over the alerts seen say nothing of the ones never raised.
    if latencies.len() < count_articles {
        eprintln!(
            "latency: only {} of {count_articles} articles were alerted; the figures above are incomplete",
            latencies.len()
        );
        std::process::exit(1);
    }
}

fn main() {
    let args = args();
    let outlet: Shared = Arc::new(RwLock::new(outlet(0, 1, 0.0, "")));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let mut ports = HashMap::new();
    runtime.block_on(async {
        for host in 0..HOSTS {
            let listener = TcpListener::bind(format!("127.0.1.{}:0", host + 1))
                .await
                .expect("bind loopback");
            ports.insert(host, listener.local_addr().expect("address").port());
            tokio::spawn(serve(listener, Arc::clone(&outlet)));
        }
    });
    // The server runs on the runtime's worker while the measurements block this thread.
    for phase in &args.phases {
        match phase.as_str() {
            "throughput" => throughput(&args, &ports, &outlet),
            "latency" => latency(&args, &ports, &outlet),
            other => panic!("unknown phase {other}"),
        }
    }
    drop(runtime);
}
