//! End-to-end load: the real `raqib run` binary against outlets served from 127.0.1.x.
//!
//! ```text
//! cargo bench --bench load                       # both phases, default sizes
//! cargo bench --bench load -- --articles 5000 --feeds 100 --terms 1000 --latency-feeds 1000 --window 300
//! cargo bench --bench load -- --soak 3600        # the latency phase for an hour, RSS each minute
//! cargo bench --bench load -- --postgres URL --instances 3   # N instances on one PostgreSQL
//! cargo bench --bench load -- --postgres URL --only failover --instances 3 --kills 3
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
//!
//! With `--postgres URL` (a server where the bench may create databases) each phase runs on a
//! database of its own there, with `--instances N` processes sharing it (user and system time
//! summed, the largest peak RSS). Failover (PostgreSQL only): the latency phase's outlet,
//! feeds answering after 250 ms as a remote outlet does; one instance is SIGKILLed while it
//! fetches a feed, and the figure is the time until every feed it was fetching is fetched by
//! another instance (its leases, `--lease` seconds, must end first).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant, SystemTime};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[path = "support/database.rs"]
mod database;
#[path = "../tests/support/seeds.rs"]
mod support;

use database::{Database, Reader};

const HOSTS: usize = 200;
/// Items a feed shows at least, newest first (more when the throughput phase puts more
/// articles in each feed).
const FEED_ITEMS: usize = 50;
/// How long a feed takes to answer in the failover phase.
const FEED_DELAY: Duration = Duration::from_millis(250);

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
    /// A PostgreSQL server to run on instead of SQLite.
    postgres: Option<String>,
    instances: usize,
    /// Failover: how many times an instance is killed.
    kills: usize,
    /// The feeds' lease, in seconds (PostgreSQL).
    lease: u64,
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
        postgres: None,
        instances: 1,
        kills: 3,
        lease: 10,
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
            "--postgres" => args.postgres = Some(value.clone()),
            "--instances" => args.instances = (number() as usize).max(1),
            "--kills" => args.kills = number() as usize,
            "--lease" => args.lease = number() as u64,
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
    /// How long a feed takes to answer.
    feed_delay: Duration,
}

type Shared = Arc<RwLock<Outlet>>;

/// One request for a feed: which, by whom (the instance's user agent), from when to when.
struct FeedRequest {
    feed: usize,
    agent: String,
    start: Instant,
    end: Option<Instant>,
}

/// Every feed request the outlet has received.
type Requests = Arc<Mutex<Vec<FeedRequest>>>;

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
        feed_delay: Duration::ZERO,
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

async fn serve(listener: TcpListener, outlet: Shared, requests: Requests) {
    let base = format!("http://{}", listener.local_addr().expect("address"));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let (outlet, base) = (Arc::clone(&outlet), base.clone());
        let requests = Arc::clone(&requests);
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
                let mut agent = String::new();
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
                        } else if name.eq_ignore_ascii_case("user-agent") {
                            agent = value.trim().to_string();
                        }
                    }
                }
                let feed = path
                    .strip_prefix("/feed/")
                    .and_then(|f| f.parse::<usize>().ok());
                let request = feed.map(|feed| {
                    let mut requests = requests.lock().expect("requests");
                    requests.push(FeedRequest {
                        feed,
                        agent: agent.clone(),
                        start: Instant::now(),
                        end: None,
                    });
                    requests.len() - 1
                });
                let delay = outlet.read().expect("outlet").feed_delay;
                if feed.is_some() && !delay.is_zero() {
                    // A remote outlet's answer takes time: what the failover phase kills into.
                    tokio::time::sleep(delay).await;
                }
                let response = {
                    let outlet = outlet.read().expect("outlet");
                    respond(&outlet, &path, if_none_match.as_deref(), &base)
                };
                if write.write_all(&response).await.is_err() {
                    return;
                }
                if let Some(request) = request {
                    requests.lock().expect("requests")[request].end = Some(Instant::now());
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

/// What the phases share: the outlet, the feed requests it saw, the hosts' ports, and the
/// runtime serving them (where PostgreSQL clients run too).
struct Bench {
    args: Args,
    ports: HashMap<usize, u16>,
    outlet: Shared,
    requests: Requests,
    runtime: tokio::runtime::Handle,
}

/// A user agent per process, so that the outlet can tell who fetched a feed.
fn agent(n: usize) -> String {
    format!("raqib-bench/{n}")
}

fn config(
    bench: &Bench,
    dir: &Path,
    database: &Database,
    feeds: usize,
    watches: &str,
    n: usize,
) -> PathBuf {
    let mut toml = format!(
        "[daemon]\ndatabase = \"{}\"\nallow_private_networks = true\npoliteness_delay = \"0s\"\nrespect_robots_txt = false\nconcurrency = 64\nper_host_concurrency = 4\nlease = \"{}s\"\nuser_agent = \"{}\"\n",
        database.setting(),
        bench.args.lease,
        agent(n)
    );
    for feed in 0..feeds {
        let host = feed % HOSTS;
        toml.push_str(&format!(
            "[[feed]]\nurl = \"http://127.0.1.{}:{}/feed/{feed}\"\ninterval = \"60s\"\n",
            host + 1,
            bench.ports[&host]
        ));
    }
    toml.push_str(watches);
    toml.push_str("[[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n");
    let dir = dir.join(format!("instance-{n}"));
    std::fs::create_dir_all(&dir).expect("instance folder");
    let path = dir.join("config.toml");
    std::fs::write(&path, toml).expect("config");
    path
}

/// `raqib run` processes on one database, numbered from 0.
struct Instances<'a> {
    bench: &'a Bench,
    dir: PathBuf,
    database: &'a Database,
    feeds: usize,
    watches: String,
    running: Vec<(usize, Child)>,
    started: usize,
    /// CPU seconds of the processes gone.
    cpu_gone: f64,
    peak: f64,
}

impl Instances<'_> {
    fn start(&mut self) {
        let n = self.started;
        self.started += 1;
        let config = config(
            self.bench,
            &self.dir,
            self.database,
            self.feeds,
            &self.watches,
            n,
        );
        let log = std::fs::File::create(self.dir.join(format!("raqib-{n}.log"))).expect("log");
        let child = Command::new(env!("CARGO_BIN_EXE_raqib"))
            .args(["--config", config.to_str().expect("path"), "run"])
            .env("RUST_LOG", "warn")
            .stderr(Stdio::from(log))
            .spawn()
            .expect("raqib");
        self.running.push((n, child));
    }

    /// SIGKILL process `n`.
    fn kill(&mut self, n: usize) {
        let at = self
            .running
            .iter()
            .position(|(m, _)| *m == n)
            .expect("running");
        let (_, mut child) = self.running.remove(at);
        self.note(child.id());
        let _ = child.kill();
        let _ = child.wait();
    }

    fn note(&mut self, pid: u32) {
        self.cpu_gone += cpu_seconds(pid);
        self.peak = self.peak.max(memory(pid).1);
    }

    /// User and system seconds of every process so far.
    fn cpu(&self) -> f64 {
        self.cpu_gone
            + self
                .running
                .iter()
                .map(|(_, c)| cpu_seconds(c.id()))
                .sum::<f64>()
    }

    /// The largest peak RSS of a process so far, in MiB.
    fn peak(&self) -> f64 {
        self.running
            .iter()
            .map(|(_, c)| memory(c.id()).1)
            .fold(self.peak, f64::max)
    }

    fn rss(&self) -> f64 {
        self.running.iter().map(|(_, c)| memory(c.id()).0).sum()
    }

    /// SIGTERM to every process, and wait for them.
    fn stop(&mut self) {
        for (_, child) in &self.running {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
        }
        for (_, mut child) in self.running.drain(..) {
            let _ = child.wait();
        }
    }
}

fn database(bench: &Bench, dir: &Path, label: &str) -> Database {
    match &bench.args.postgres {
        Some(server) => Database::postgres(server, bench.runtime.clone(), label),
        None => Database::sqlite(dir),
    }
}

fn describe(bench: &Bench) -> String {
    match bench.args.postgres {
        Some(_) => format!("PostgreSQL, {} instance(s)", bench.args.instances),
        None => "SQLite".to_string(),
    }
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

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn throughput(bench: &Bench) {
    let args = &bench.args;
    *bench.outlet.write().expect("outlet") = self::outlet(args.articles, args.feeds, 0.0, "n");
    let dir = tempfile::tempdir().expect("temp dir");
    let database = database(bench, dir.path(), "throughput");
    let mut instances = Instances {
        bench,
        dir: dir.path().to_path_buf(),
        database: &database,
        feeds: args.feeds,
        watches: watchlist(args.terms, None),
        running: Vec::new(),
        started: 0,
        cpu_gone: 0.0,
        peak: 0.0,
    };
    let started = Instant::now();
    for _ in 0..args.instances {
        instances.start();
    }
    let reader = database.reader();
    let mut first = None;
    let limit = Duration::from_secs(600);
    let stored = loop {
        let stored = reader.count("SELECT count(*) FROM article") as usize;
        if stored > 0 && first.is_none() {
            first = Some(started.elapsed());
        }
        if stored >= args.articles || started.elapsed() > limit {
            break stored;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let wall = started.elapsed();
    let cpu = instances.cpu();
    let peak = instances.peak();
    let alerts = reader.count("SELECT count(*) FROM alert");
    let stories = reader.count("SELECT count(DISTINCT story_id) FROM article");
    drop(reader);
    instances.stop();
    let bytes = database.bytes();
    let steady = wall - first.unwrap_or_default();
    println!(
        "throughput ({}): {} articles on {} feeds, W = {} terms ({} alerts, {} stories)",
        describe(bench),
        stored,
        args.feeds,
        args.terms,
        alerts,
        stories
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

/// Latencies (seconds from appearing to alert) of the `latency` watch's alerts after `last_id`.
fn new_latencies(reader: &Reader, outlet: &Shared, last_id: &mut i64, now: f64) -> Vec<f64> {
    let rows = reader.rows(&format!(
        "SELECT a.id, ar.url FROM alert a JOIN article ar ON ar.id = a.article_id WHERE a.watch = 'latency' AND a.id > {last_id}"
    ));
    let mut latencies = Vec::new();
    for (id, url) in rows {
        *last_id = (*last_id).max(id);
        let index: usize = url
            .rsplit('/')
            .next()
            .and_then(|i| i.parse().ok())
            .unwrap_or(usize::MAX);
        if let Some(article) = outlet.read().expect("outlet").articles.get(index) {
            latencies.push(now - article.appears);
        }
    }
    latencies
}

fn latency(bench: &Bench) {
    let args = &bench.args;
    let count_articles = (args.rate * args.window as f64).round() as usize;
    let tag = "raqibbenchmark";
    let dir = tempfile::tempdir().expect("temp dir");
    let database = database(bench, dir.path(), "latency");
    *bench.outlet.write().expect("outlet") =
        self::outlet(count_articles, args.latency_feeds, args.window as f64, tag);
    let started = bench.outlet.read().expect("outlet").started;
    let mut instances = Instances {
        bench,
        dir: dir.path().to_path_buf(),
        database: &database,
        feeds: args.latency_feeds,
        watches: watchlist(args.terms, Some(tag)),
        running: Vec::new(),
        started: 0,
        cpu_gone: 0.0,
        peak: 0.0,
    };
    for _ in 0..args.instances {
        instances.start();
    }
    let reader = database.reader();
    let mut samples: Vec<(u64, f64)> = Vec::new();
    let end = Duration::from_secs(args.window + 75);
    let mut next_sample = Duration::ZERO;
    let mut last_id = 0i64;
    let mut latencies = Vec::new();
    while started.elapsed() < end {
        let now = started.elapsed().as_secs_f64();
        latencies.extend(new_latencies(&reader, &bench.outlet, &mut last_id, now));
        if started.elapsed() >= next_sample {
            samples.push((started.elapsed().as_secs(), instances.rss()));
            next_sample += Duration::from_secs(if args.soak { 60 } else { 10 });
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let cpu = instances.cpu();
    let peak = instances.peak();
    let stored = reader.count("SELECT count(*) FROM article");
    drop(reader);
    instances.stop();
    latencies.sort_by(f64::total_cmp);
    println!(
        "latency ({}): {} feeds polled every 60 s, {count_articles} articles appearing over {} s, W = {} terms",
        describe(bench),
        args.latency_feeds,
        args.window,
        args.terms
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
        database.bytes() as f64 / 1_048_576.0
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

/// The feeds process `victim` is fetching now.
fn fetching(requests: &Requests, victim: &str) -> Vec<usize> {
    requests
        .lock()
        .expect("requests")
        .iter()
        .filter(|r| r.agent == victim && r.end.is_none())
        .map(|r| r.feed)
        .collect()
}

/// When `feed` was first requested by another process than `victim` after `since`.
fn taken_over(requests: &Requests, feed: usize, victim: &str, since: Instant) -> Option<Instant> {
    requests
        .lock()
        .expect("requests")
        .iter()
        .find(|r| r.feed == feed && r.agent != victim && r.start > since)
        .map(|r| r.start)
}

fn failover(bench: &Bench) {
    let args = &bench.args;
    assert!(
        args.postgres.is_some(),
        "the failover phase needs --postgres URL"
    );
    let processes = args.instances.max(2);
    let lease = Duration::from_secs(args.lease);
    // Long enough for every kill to be taken over, with articles appearing throughout.
    let window = 20 + args.kills as u64 * (3 * args.lease + 10);
    let count_articles = (args.rate * window as f64).round() as usize;
    let tag = "raqibbenchmark";
    let dir = tempfile::tempdir().expect("temp dir");
    let database = database(bench, dir.path(), "failover");
    let mut outlet = self::outlet(count_articles, args.latency_feeds, window as f64, tag);
    outlet.feed_delay = FEED_DELAY;
    *bench.outlet.write().expect("outlet") = outlet;
    let mut instances = Instances {
        bench,
        dir: dir.path().to_path_buf(),
        database: &database,
        feeds: args.latency_feeds,
        watches: watchlist(args.terms, Some(tag)),
        running: Vec::new(),
        started: 0,
        cpu_gone: 0.0,
        peak: 0.0,
    };
    for _ in 0..processes {
        instances.start();
    }
    drop(database.reader());
    // Every feed polled once (first polls are spread over three seconds), pages fetched.
    std::thread::sleep(Duration::from_secs(10));
    let mut times = Vec::new();
    for kill in 0..args.kills {
        let victim = instances.running[kill % instances.running.len()].0;
        let name = agent(victim);
        let mut held = Vec::new();
        let limit = Instant::now() + Duration::from_secs(120);
        while held.is_empty() && Instant::now() < limit {
            held = fetching(&bench.requests, &name);
            if held.is_empty() {
                std::thread::sleep(Duration::from_millis(2));
            }
        }
        let killed_at = Instant::now();
        instances.kill(victim);
        let limit = killed_at + 6 * lease + Duration::from_secs(60);
        let mut taken = Vec::new();
        while Instant::now() < limit {
            taken = held
                .iter()
                .filter_map(|&feed| taken_over(&bench.requests, feed, &name, killed_at))
                .collect();
            if taken.len() == held.len() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let after: Vec<f64> = taken
            .iter()
            .map(|t| t.duration_since(killed_at).as_secs_f64())
            .collect();
        let slowest = after.iter().copied().fold(0.0, f64::max);
        println!(
            "  kill {}: process {victim} fetching {} feed(s); taken over by another after {} s",
            kill + 1,
            held.len(),
            after
                .iter()
                .map(|s| format!("{s:.1}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if taken.len() < held.len() {
            println!(
                "  INCOMPLETE: {} of {} feeds taken over",
                taken.len(),
                held.len()
            );
        }
        times.push(slowest);
        instances.start();
    }
    let cpu = instances.cpu();
    instances.stop();
    times.sort_by(f64::total_cmp);
    println!(
        "failover ({processes} instances on PostgreSQL, lease {} s): {} feeds polled every 60 s, {} kills",
        args.lease, args.latency_feeds, args.kills
    );
    println!(
        "  kill -> its feeds polled by another  median {:.1} s  max {:.1} s  (CPU {cpu:.1} s)",
        percentile(&times, 0.5),
        times.last().copied().unwrap_or(f64::NAN)
    );
}

fn main() {
    let args = args();
    let outlet: Shared = Arc::new(RwLock::new(outlet(0, 1, 0.0, "")));
    let requests: Requests = Arc::default();
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
            tokio::spawn(serve(listener, Arc::clone(&outlet), Arc::clone(&requests)));
        }
    });
    assert!(
        args.instances == 1 || args.postgres.is_some(),
        "--instances above 1 needs --postgres URL"
    );
    let phases = args.phases.clone();
    let bench = Bench {
        args,
        ports,
        outlet,
        requests,
        runtime: runtime.handle().clone(),
    };
    // The server runs on the runtime's worker while the measurements block this thread.
    for phase in &phases {
        match phase.as_str() {
            "throughput" => throughput(&bench),
            "latency" => latency(&bench),
            "failover" => failover(&bench),
            other => panic!("unknown phase {other}"),
        }
    }
    drop(bench);
    drop(runtime);
}
