//! Matching throughput and watchlist compile time against the number of terms.
//!
//! cargo bench --bench matching
//!
//! The articles are the five seed articles (Arabic news prose), scanned one by one until 8 MiB
//! of text has gone through. Terms are word pairs and triples drawn from the seeds' own
//! vocabulary (so many occur: a harder case than a real watchlist, whose terms are mostly
//! absent) plus the real aliases of the example config. Each size runs twice: aliases only, then
//! with one watch in ten also carrying a NEAR query of two single common words (every one of
//! which occurs in nearly every article: the costly case for rule evaluation).
//! Folding is timed apart from matching: matching runs over the folded text, which an article
//! is folded into once.

use std::time::Instant;

use raqib::config::{Severity, Watch};
use raqib::watch::{Subject, Watchlist, query};

fn seeds() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seeds");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("seeds")
        .flatten()
        .map(|e| e.path())
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("seed"))
        .collect()
}

fn watches(terms: usize, vocabulary: &[&str], queries: bool) -> Vec<Watch> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut pick = || vocabulary[(next() % vocabulary.len() as u64) as usize];
    let mut aliases: Vec<String> = vec![
        "عبد اللطيف حموشي".into(),
        "حموشي".into(),
        "مكتب الأمم المتحدة لمكافحة الإرهاب".into(),
        "أفريل هاينز".into(),
    ];
    while aliases.len() < terms {
        let words = 2 + aliases.len() % 2;
        let alias: Vec<&str> = (0..words).map(|_| pick()).collect();
        aliases.push(alias.join(" "));
    }
    let near: Vec<String> = (0..terms / 10)
        .map(|_| format!("\"{}\" NEAR/5 \"{}\"", pick(), pick()))
        .collect();
    aliases
        .chunks(10)
        .enumerate()
        .map(|(i, chunk)| Watch {
            name: format!("w{i}"),
            aliases: chunk.to_vec(),
            query: (queries && i % 10 == 0)
                .then(|| query::parse(&format!("{} OR lang:ar", near[i / 10])).expect("query")),
            context: Vec::new(),
            severity: Severity::Medium,
            sinks: Vec::new(),
        })
        .collect()
}

fn main() {
    let seeds = seeds();
    let vocabulary: Vec<&str> = seeds
        .iter()
        .flat_map(|s| s.split_whitespace())
        .filter(|w| w.chars().count() > 3 && w.chars().all(char::is_alphabetic))
        .collect();
    let seed_bytes: usize = seeds.iter().map(String::len).sum();
    let rounds = (8 * 1024 * 1024) / seed_bytes + 1;
    let original_mb = (rounds * seed_bytes) as f64 / 1e6;

    let started = Instant::now();
    let mut folded = Vec::new();
    for _ in 0..rounds {
        folded.clear();
        folded.extend(
            seeds
                .iter()
                .map(|s| [raqib::text::fold(""), raqib::text::fold(s)]),
        );
    }
    let fold_seconds = started.elapsed().as_secs_f64();
    let folded_mb = (rounds * folded.iter().map(|f| f[1].text.len()).sum::<usize>()) as f64 / 1e6;
    println!(
        "articles: {} seeds x {rounds} = {original_mb:.1} MB as published, {folded_mb:.1} MB folded",
        seeds.len()
    );
    println!(
        "folding: {:.0} MB/s of published text",
        original_mb / fold_seconds
    );

    // `cargo bench --bench matching -- 10000` runs one size only (for profiling).
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let sizes = if sizes.is_empty() {
        vec![10, 1_000, 10_000]
    } else {
        sizes
    };
    for (terms, queries) in sizes.iter().flat_map(|&n| [(n, false), (n, true)]) {
        let watches = watches(terms, &vocabulary, queries);
        let started = Instant::now();
        let list = Watchlist::compile(&watches).expect("compile");
        let compile = started.elapsed();
        let mut matches = 0;
        let mut fired = 0;
        let started = Instant::now();
        for _ in 0..rounds {
            for (seed, folded) in seeds.iter().zip(&folded) {
                let subject = Subject {
                    title: "",
                    body: seed,
                    outlet: "bench",
                    lang: Some("ar"),
                };
                let hits = list.scan_folded(&subject, folded);
                fired += hits.len();
                matches += hits.iter().map(|h| h.matches.len()).sum::<usize>();
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let shape = if queries {
            "+ NEAR queries"
        } else {
            "aliases only  "
        };
        println!(
            "{terms:>6} terms, {shape}: compile {:6.1} ms; matching {:6.1} MB/s of folded text, \
             fold + match {:6.1} MB/s of published text (one core); {} watches fired per article, {} matches",
            compile.as_secs_f64() * 1e3,
            folded_mb / seconds,
            original_mb / (seconds + fold_seconds),
            fired / (rounds * seeds.len()),
            matches / (rounds * seeds.len()),
        );
    }
}
