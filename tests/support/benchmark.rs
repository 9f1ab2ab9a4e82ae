//! The 181-page extraction benchmark in `../shared/bench/extraction`, scored in-process exactly
//! as its `score.py` does: word 4-gram shingles (tokens are runs of word characters), per-page
//! true/false positives and negatives normalised to sum to 1, precision and recall averaged
//! over pages, F1 from the two averages.
//!
//! Shared by the floor test (`tests/extraction_benchmark.rs`) and the timing bench
//! (`benches/extraction.rs`), so the figure CI prints and the figure the test guards are one.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One benchmark page: its URL, its HTML decoded as raqib decodes fetched pages, and the
/// hand-checked article body.
pub struct Page {
    pub url: String,
    pub html: String,
    pub truth: String,
}

/// Where the benchmark lives relative to the repository root.
/// `RAQIB_BENCH_EXTRACTION` when set (a checkout that does not sit beside `shared/`: a git
/// worktree, a clone elsewhere), else `../shared/bench/extraction` beside the checkout.
pub fn default_root() -> PathBuf {
    match std::env::var_os("RAQIB_BENCH_EXTRACTION") {
        Some(root) => PathBuf::from(root),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/bench/extraction"),
    }
}

/// Every page of the benchmark at `root`, or why it cannot be read.
pub fn load(root: &Path) -> Result<Vec<Page>, String> {
    let truth_path = root.join("ground-truth.json");
    let bytes = std::fs::read(&truth_path)
        .map_err(|e| format!("cannot read {}: {e}", truth_path.display()))?;
    let truth: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not JSON: {e}", truth_path.display()))?;
    let entries = truth
        .as_object()
        .ok_or_else(|| format!("{}: not an object of pages", truth_path.display()))?;
    let mut pages = Vec::with_capacity(entries.len());
    for (id, entry) in entries {
        let raw = read_gz(&root.join("html").join(format!("{id}.html.gz")))?;
        let (html, _) = raqib::fetch::charset::decode(&raw, None, None);
        pages.push(Page {
            url: entry["url"].as_str().unwrap_or_default().to_string(),
            html,
            truth: entry["articleBody"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        });
    }
    Ok(pages)
}

/// The bytes of a gzipped page, or why they cannot be read.
pub fn read_gz(path: &Path) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut raw = Vec::new();
    flate2::read::GzDecoder::new(file)
        .read_to_end(&mut raw)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(raw)
}

/// Precision, recall and F1 over a set of pages.
#[derive(Debug, Clone, Copy)]
pub struct Score {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

/// Scores `(truth, extracted)` pairs as `score.py` does.
pub fn score<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Score {
    let (mut precisions, mut recalls) = (Vec::new(), Vec::new());
    for (truth, extracted) in pairs {
        let (tp, fp, fn_) = page_counts(truth, extracted);
        if tp + fp > 0.0 {
            precisions.push(ratio(tp, fp, fn_, fp));
        }
        if tp + fn_ > 0.0 {
            recalls.push(ratio(tp, fp, fn_, fn_));
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (precision, recall) = (mean(&precisions), mean(&recalls));
    Score {
        precision,
        recall,
        f1: f1(precision, recall),
    }
}

/// The harmonic mean of precision and recall.
pub fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

/// `tp / (tp + miss)`, with score.py's conventions for empty pages.
fn ratio(tp: f64, fp: f64, fn_: f64, miss: f64) -> f64 {
    if fp == 0.0 && fn_ == 0.0 {
        1.0
    } else if tp == 0.0 && miss == 0.0 {
        0.0
    } else {
        tp / (tp + miss)
    }
}

fn page_counts(truth: &str, extracted: &str) -> (f64, f64, f64) {
    let (t, p) = (shingles(truth), shingles(extracted));
    let tp: usize = t
        .iter()
        .map(|(k, n)| (*n).min(p.get(k).copied().unwrap_or(0)))
        .sum();
    let fp = p.values().sum::<usize>() - tp;
    let fn_ = t.values().sum::<usize>() - tp;
    let total = (tp + fp + fn_) as f64;
    if total == 0.0 {
        (0.0, 0.0, 0.0)
    } else {
        (tp as f64 / total, fp as f64 / total, fn_ as f64 / total)
    }
}

/// Python's `\w`: letters and digits of any script, and `_` (not combining marks).
fn is_word(c: char) -> bool {
    c == '_' || (c.is_alphanumeric() && !is_mark(c))
}

fn is_mark(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x06D6..=0x06ED)
}

fn shingles(text: &str) -> HashMap<Vec<&str>, usize> {
    let tokens: Vec<&str> = text
        .split(|c: char| !is_word(c))
        .filter(|t| !t.is_empty())
        .collect();
    let mut grams = HashMap::new();
    if tokens.is_empty() {
        return grams;
    }
    for gram in tokens.windows(4.min(tokens.len())) {
        *grams.entry(gram.to_vec()).or_insert(0) += 1;
    }
    grams
}
