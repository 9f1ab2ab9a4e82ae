//! Feed parsing over the feedparser test corpus: no panics, no hangs, how much parses.
//!
//! cargo bench --bench feed_corpus -- ../shared/corpus/feedparser
//!
//! Prints the figures and writes what was read from each file to
//! target/feed-corpus.jsonl, which benches/feedparser_expect.py checks against the corpus's
//! `Expect:` lines.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use raqib::feed::{self, FeedError};
use raqib::fetch::charset;

/// A parse taking longer than this is counted as a hang.
const HANG: Duration = Duration::from_secs(5);

fn files(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("xml" | "rss" | "atom" | "rdf" | "json")
            ) {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

fn main() {
    let root = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_else(|| "../shared/corpus/feedparser".to_string());
    let root = PathBuf::from(root);
    let paths = files(&root);
    if paths.is_empty() {
        eprintln!("no feeds under {}", root.display());
        std::process::exit(2);
    }
    let base = url::Url::parse("http://example.com/feed").expect("static URL");
    let (mut parsed, mut rejected, mut panicked, mut hung) =
        ([0usize; 2], [0usize; 2], Vec::new(), Vec::new());
    let mut lines = Vec::new();
    let started = Instant::now();
    for path in &paths {
        let bytes = std::fs::read(path).unwrap_or_default();
        let kind = usize::from(path.components().any(|c| c.as_os_str() == "illformed"));
        let (tx, rx) = mpsc::channel();
        let base = base.clone();
        std::thread::spawn(move || {
            let (text, _) = charset::decode(&bytes, None, None);
            let _ = tx.send(feed::parse(&text, &base, chrono_tz::Tz::UTC));
        });
        let relative = path
            .strip_prefix(&root)
            .unwrap_or(path)
            .display()
            .to_string();
        match rx.recv_timeout(HANG) {
            Ok(Ok(feed)) => {
                parsed[kind] += 1;
                let entries: Vec<serde_json::Value> = feed
                    .entries
                    .iter()
                    .map(|e| {
                        serde_json::json!({
                            "title": e.title,
                            "link": e.url.as_ref().map(|u| u.to_string()),
                            "id": e.key.strip_prefix("guid:"),
                            "published": e.published.map(|d| d.timestamp()),
                        })
                    })
                    .collect();
                lines.push(serde_json::json!({"file": relative, "ok": true, "title": feed.title, "entries": entries}));
            }
            Ok(Err(FeedError::Panicked)) => panicked.push(relative),
            Ok(Err(err)) => {
                rejected[kind] += 1;
                lines.push(
                    serde_json::json!({"file": relative, "ok": false, "error": err.to_string()}),
                );
            }
            Err(_) => hung.push(relative),
        }
    }
    let elapsed = started.elapsed();
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/feed-corpus.jsonl");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    if let Err(err) = std::fs::write(&out, text) {
        eprintln!("cannot write {}: {err}", out.display());
    }
    println!("files          {}", paths.len());
    println!(
        "well-formed    {} parsed, {} rejected",
        parsed[0], rejected[0]
    );
    println!(
        "ill-formed     {} parsed, {} rejected",
        parsed[1], rejected[1]
    );
    println!("panics         {} {:?}", panicked.len(), panicked);
    println!("hangs (>{}s)   {} {:?}", HANG.as_secs(), hung.len(), hung);
    println!(
        "time           {:.2} s ({:.0} µs per file, one thread)",
        elapsed.as_secs_f64(),
        elapsed.as_micros() as f64 / paths.len() as f64
    );
    println!("details        {}", out.display());
    if !panicked.is_empty() || !hung.is_empty() {
        std::process::exit(1);
    }
}
