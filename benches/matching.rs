//! Matching throughput and watchlist compile time against the number of terms.
//!
//! cargo bench --bench matching
//!
//! The text is the five seed articles repeated to 8 MiB (Arabic with diacritics-free news
//! prose). Terms are word pairs and triples drawn from the seeds' own vocabulary (so many occur)
//! plus the real aliases of the example config.

use std::time::Instant;

use raqib::config::{Severity, Watch};
use raqib::watch::Watchlist;

fn seeds() -> String {
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
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn watches(terms: usize, vocabulary: &[&str]) -> Vec<Watch> {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut aliases: Vec<String> = vec![
        "عبد اللطيف حموشي".into(),
        "حموشي".into(),
        "مكتب الأمم المتحدة لمكافحة الإرهاب".into(),
        "أفريل هاينز".into(),
    ];
    while aliases.len() < terms {
        let words = 2 + (next() % 2) as usize;
        let alias: Vec<&str> = (0..words)
            .map(|_| vocabulary[(next() % vocabulary.len() as u64) as usize])
            .collect();
        aliases.push(alias.join(" "));
    }
    aliases
        .chunks(10)
        .enumerate()
        .map(|(i, chunk)| Watch {
            name: format!("w{i}"),
            aliases: chunk.to_vec(),
            severity: Severity::Medium,
            sinks: Vec::new(),
        })
        .collect()
}

fn main() {
    let seeds = seeds();
    let vocabulary: Vec<&str> = seeds
        .split_whitespace()
        .filter(|w| w.chars().count() > 3)
        .collect();
    let mut text = String::new();
    while text.len() < 8 * 1024 * 1024 {
        text.push_str(&seeds);
        text.push_str("\n\n");
    }
    let mb = text.len() as f64 / 1_048_576.0;
    println!("text: {mb:.1} MiB of seed articles");
    for terms in [10, 1_000, 10_000] {
        let watches = watches(terms, &vocabulary);
        let started = Instant::now();
        let list = Watchlist::compile(&watches).expect("compile");
        let compile = started.elapsed();
        let started = Instant::now();
        let hits = list.scan("", &text);
        let seconds = started.elapsed().as_secs_f64();
        let matches: usize = hits.iter().map(|h| h.matches.len()).sum();
        println!(
            "{terms:>6} terms: compile {:7.1} ms, scan {:6.1} MiB/s (one core), {matches} matches in {} watches",
            compile.as_secs_f64() * 1e3,
            mb / seconds,
            hits.len()
        );
    }
    let started = Instant::now();
    let folded = raqib::text::fold(&text);
    println!(
        "folding alone: {:.1} MiB/s ({} bytes folded)",
        mb / started.elapsed().as_secs_f64(),
        folded.text.len()
    );
}
