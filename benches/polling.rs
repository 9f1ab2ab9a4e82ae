//! Polling throughput and memory: N synthetic feeds served from 127.0.1.x, polled by the real
//! pipeline (fetch, charset, parse, known-entry lookup, store).
//!
//! cargo bench --bench polling -- 1000 10000
//!
//! Three passes per N: the first poll (every feed new: fetch, parse, store 5 entries each),
//! a poll where every body changed but its entries are known (fetch and parse), and a poll
//! answered 304 by every feed. Feeds are spread over 200 loopback hosts, as feeds of many
//! outlets are; the politeness delay is 0 (with a delay of d, one host's k feeds take k·d).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use futures_util::StreamExt;
use raqib::config::Config;
use raqib::daemon::Pipeline;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

const HOSTS: usize = 200;
const ITEMS: usize = 5;
const CONCURRENCY: usize = 64;

/// Bumped to make every feed's body (and ETag) change.
static VERSION: AtomicU64 = AtomicU64::new(1);

/// Words for synthetic summaries: each entry gets its own sequence, as real articles differ.
const WORDS: &[&str] = &[
    "الأمن",
    "الوطني",
    "المغرب",
    "التعاون",
    "الإرهاب",
    "الرباط",
    "حموشي",
    "وفد",
    "اجتماع",
    "التهديدات",
    "sécurité",
    "police",
    "coopération",
    "terrorisme",
    "Rabat",
    "délégation",
    "réunion",
    "security",
    "cooperation",
    "meeting",
    "officials",
    "border",
    "الساحل",
    "الصحراء",
    "الشرطة",
    "المديرية",
    "التراب",
    "مكافحة",
    "الجريمة",
    "الحدود",
    "enquête",
    "arrestation",
];

fn summary(seed: u64) -> String {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..40)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            WORDS[(state % WORDS.len() as u64) as usize]
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn feed_body(feed: usize, version: u64) -> String {
    let items: String = (0..ITEMS)
        .map(|i| {
            format!(
                "<item><title>Feed {feed} item {i}: المديرية العامة للأمن الوطني</title><link>https://outlet{feed}.example/{i}</link>\
                 <guid>https://outlet{feed}.example/{i}</guid><pubDate>Tue, 02 Dec 2025 {:02}:00:00 GMT</pubDate>\
                 <description>{} (version {version})</description></item>",
                i + 1,
                summary((feed * ITEMS + i) as u64)
            )
        })
        .collect();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\"><channel><title>Feed {feed}</title><ttl>1</ttl>{items}</channel></rss>"
    )
}

async fn serve(listener: TcpListener) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
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
                    if let Some(value) = header
                        .strip_prefix("if-none-match:")
                        .or_else(|| header.strip_prefix("If-None-Match:"))
                    {
                        if_none_match = Some(value.trim().to_string());
                    }
                }
                let feed: usize = path.trim_start_matches("/feed/").parse().unwrap_or(0);
                let version = VERSION.load(Ordering::Relaxed);
                let etag = format!("\"{version}-{feed}\"");
                let response = if if_none_match.as_deref() == Some(etag.as_str()) {
                    format!(
                        "HTTP/1.1 304 Not Modified\r\nETag: {etag}\r\nContent-Length: 0\r\n\r\n"
                    )
                } else {
                    let body = feed_body(feed, version);
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml; charset=utf-8\r\nETag: {etag}\r\nContent-Length: {}\r\n\r\n{body}",
                        body.len()
                    )
                };
                if write.write_all(response.as_bytes()).await.is_err() {
                    return;
                }
            }
        });
    }
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

async fn poll_all(pipeline: &Pipeline) -> (f64, usize) {
    let started = Instant::now();
    let live = pipeline.live();
    let failures = futures_util::stream::iter(&live.config.feeds)
        .map(|feed| pipeline.poll(feed))
        .buffer_unordered(CONCURRENCY)
        .filter(|(result, _)| std::future::ready(result.is_err()))
        .count()
        .await;
    (started.elapsed().as_secs_f64(), failures)
}

async fn run(n: usize, ports: &HashMap<usize, u16>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut toml = format!(
        "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\nconcurrency = {CONCURRENCY}\nper_host_concurrency = 4\nrespect_robots_txt = false\n"
    );
    for feed in 0..n {
        let host = feed % HOSTS;
        toml.push_str(&format!(
            "[[feed]]\nurl = \"http://127.0.1.{}:{}/feed/{feed}\"\nscrape = false\n",
            host + 1,
            ports[&host]
        ));
    }
    toml.push_str("[[watch]]\nname = \"h\"\naliases = [\"حموشي\"]\n[[sink]]\nname = \"log\"\ntype = \"log\"\n");
    let config = Config::from_toml(&dir.path().join("config.toml"), &toml).expect("bench config");
    let pipeline = Pipeline::new(config).expect("pipeline");

    let (first, failed_first) = poll_all(&pipeline).await;
    VERSION.fetch_add(1, Ordering::Relaxed);
    let (changed, failed_changed) = poll_all(&pipeline).await;
    let (not_modified, failed_304) = poll_all(&pipeline).await;
    let db = std::fs::metadata(dir.path().join("raqib.db"))
        .map(|m| m.len())
        .unwrap_or(0);
    println!(
        "N = {n} feeds ({ITEMS} entries each, {HOSTS} hosts, {CONCURRENCY} requests in flight)"
    );
    println!(
        "  first poll (fetch, parse, store)   {first:7.2} s  {:8.0} feeds/s  failures {failed_first}",
        n as f64 / first
    );
    println!(
        "  changed bodies (fetch, parse)      {changed:7.2} s  {:8.0} feeds/s  failures {failed_changed}",
        n as f64 / changed
    );
    println!(
        "  all 304                            {not_modified:7.2} s  {:8.0} feeds/s  failures {failed_304}",
        n as f64 / not_modified
    );
    println!(
        "  peak RSS so far {:.0} MiB (process, server included); database {:.1} MiB",
        peak_rss_mib(),
        db as f64 / 1_048_576.0
    );
}

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![1000, 10_000]
    } else {
        sizes
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut ports = HashMap::new();
        for host in 0..HOSTS {
            let listener = TcpListener::bind(format!("127.0.1.{}:0", host + 1))
                .await
                .expect("bind loopback");
            ports.insert(host, listener.local_addr().expect("address").port());
            tokio::spawn(serve(listener));
        }
        for n in sizes {
            run(n, &ports).await;
        }
    });
}
