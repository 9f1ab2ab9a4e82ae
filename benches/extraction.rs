//! Extraction quality and time per page, in-process, over the 181-page benchmark, then quality
//! over trafilatura's evaluation set when it sits beside it.
//!
//! cargo bench --bench extraction -- ../shared/bench/extraction
//!
//! Prints precision, recall and F1 as the benchmark's `score.py` computes them, then timing:
//! each page is extracted 5 times and its figure is its fastest run (the least disturbed by the
//! rest of the machine); median, p90, p99 and the slowest page. Then the snippet precision,
//! recall and F1 over `../trafilatura-eval` as its `score.py` computes them.

#[path = "../tests/support/benchmark.rs"]
mod benchmark;
#[path = "../tests/support/trafilatura_eval.rs"]
mod trafilatura_eval;

use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let root = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .map(PathBuf::from)
        .unwrap_or_else(benchmark::default_root);
    let pages = match benchmark::load(&root) {
        Ok(pages) => pages,
        Err(why) => {
            eprintln!("{why}");
            std::process::exit(2);
        }
    };
    let mut times: Vec<(Duration, &str)> = Vec::new();
    let mut bodies = Vec::new();
    for page in &pages {
        let url = url::Url::parse(&page.url).ok();
        let mut body = String::new();
        let fastest = (0..5)
            .map(|_| {
                let started = Instant::now();
                let article =
                    std::hint::black_box(raqib::extract::extract(&page.html, url.as_ref()));
                let elapsed = started.elapsed();
                body = article.map(|a| a.body).unwrap_or_default();
                elapsed
            })
            .min()
            .unwrap_or_default();
        bodies.push(body);
        times.push((fastest, &page.url));
    }
    let score = benchmark::score(
        pages
            .iter()
            .zip(&bodies)
            .map(|(page, body)| (page.truth.as_str(), body.as_str())),
    );
    println!("pages     {}", pages.len());
    println!("F1        {:.3}", score.f1);
    println!("precision {:.3}", score.precision);
    println!("recall    {:.3}", score.recall);
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].0;
    println!("median    {:.2} ms", at(0.5).as_secs_f64() * 1e3);
    println!("p90       {:.2} ms", at(0.9).as_secs_f64() * 1e3);
    println!("p99       {:.2} ms", at(0.99).as_secs_f64() * 1e3);
    if let Some((slowest, url)) = times.last() {
        println!("slowest   {:.2} ms  {url}", slowest.as_secs_f64() * 1e3);
    }
    score_trafilatura_eval(&trafilatura_eval::beside(&root));
}

fn score_trafilatura_eval(root: &std::path::Path) {
    let pages = match trafilatura_eval::load(root) {
        Ok(pages) => pages,
        Err(why) => {
            println!("trafilatura-eval: not scored ({why})");
            return;
        }
    };
    let texts: Vec<String> = pages
        .iter()
        .map(|page| {
            let url = url::Url::parse(&page.url).ok();
            raqib::extract::extract(&page.html, url.as_ref())
                .map(|a| a.body)
                .unwrap_or_default()
        })
        .collect();
    let score = trafilatura_eval::score(pages.iter().zip(texts.iter().map(String::as_str)));
    println!("trafilatura-eval pages {}", pages.len());
    println!(
        "trafilatura-eval F1 {:.3}  precision {:.3}  recall {:.3}  (kept {}/{}, leaked {})",
        score.f1, score.precision, score.recall, score.kept, score.to_keep, score.leaked
    );
}
