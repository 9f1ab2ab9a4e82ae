//! trafilatura's evaluation set in `../shared/bench/trafilatura-eval`: 990 pages in a dozen
//! languages, each with snippets an extractor must keep and snippets it must drop, scored as
//! its `score.py` does (a kept snippet found is a true positive, a dropped one found a false
//! positive; whitespace collapsed on both sides). Used beside `benchmark.rs`, whose gz reader it
//! shares.

use std::path::{Path, PathBuf};

/// One page: its URL, its HTML decoded as `raqib extract` decodes a file, and its snippets.
pub struct Page {
    pub url: String,
    pub html: String,
    pub with: Vec<String>,
    pub without: Vec<String>,
}

/// Where the set lives beside the 181-page benchmark at `extraction_root`.
pub fn beside(extraction_root: &Path) -> PathBuf {
    extraction_root.join("../trafilatura-eval")
}

/// Every page of the set at `root`, or why it cannot be read.
pub fn load(root: &Path) -> Result<Vec<Page>, String> {
    let index = root.join("pages.json");
    let bytes =
        std::fs::read(&index).map_err(|e| format!("cannot read {}: {e}", index.display()))?;
    let entries: serde_json::Map<String, serde_json::Value> = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not an object of pages: {e}", index.display()))?;
    let strings = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|s| s.as_str().map(str::to_string))
            .collect()
    };
    let mut pages = Vec::with_capacity(entries.len());
    for (id, entry) in &entries {
        let raw = super::benchmark::read_gz(&root.join("html").join(format!("{id}.html.gz")))?;
        let url = entry["url"].as_str().unwrap_or_default().to_string();
        let tld = url::Url::parse(&url).ok().and_then(|u| {
            u.host_str()
                .and_then(|h| h.rsplit('.').next())
                .map(str::to_string)
        });
        let (html, _) = raqib::fetch::charset::decode(&raw, None, tld.as_deref());
        pages.push(Page {
            url,
            html,
            with: strings(&entry["with"]),
            without: strings(&entry["without"]),
        });
    }
    Ok(pages)
}

/// Snippet precision, recall and F1, and the counts behind them.
#[derive(Debug, Clone, Copy)]
pub struct Score {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub kept: usize,
    pub to_keep: usize,
    pub leaked: usize,
}

/// Scores `(page, extracted text)` pairs as `score.py` does.
pub fn score<'a>(pairs: impl IntoIterator<Item = (&'a Page, &'a str)>) -> Score {
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let (mut kept, mut to_keep, mut leaked) = (0, 0, 0);
    for (page, text) in pairs {
        let text = norm(text);
        to_keep += page.with.len();
        kept += page.with.iter().filter(|s| text.contains(&norm(s))).count();
        leaked += page
            .without
            .iter()
            .filter(|s| text.contains(&norm(s)))
            .count();
    }
    let ratio = |a: usize, b: usize| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    let (precision, recall) = (ratio(kept, kept + leaked), ratio(kept, to_keep));
    Score {
        precision,
        recall,
        f1: super::benchmark::f1(precision, recall),
        kept,
        to_keep,
        leaked,
    }
}
