//! Extraction time per page, in-process, over the 181-page benchmark.
//!
//! cargo bench --bench extraction -- ../shared/bench/extraction
//!
//! Each page is extracted 5 times; the figure per page is its fastest run (the least disturbed
//! by the rest of the machine). Prints the median, p90, p99 and the slowest page.

use std::io::Read;
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn main() {
    let root = PathBuf::from(
        std::env::args()
            .skip(1)
            .find(|a| !a.starts_with("--"))
            .unwrap_or_else(|| "../shared/bench/extraction".into()),
    );
    let truth: serde_json::Value = match std::fs::read(root.join("ground-truth.json")) {
        Ok(bytes) => serde_json::from_slice(&bytes).expect("ground-truth.json is JSON"),
        Err(err) => {
            eprintln!(
                "cannot read {}: {err}",
                root.join("ground-truth.json").display()
            );
            std::process::exit(2);
        }
    };
    let pages = truth.as_object().expect("an object of pages");
    let mut times: Vec<(Duration, String)> = Vec::new();
    for (id, page) in pages {
        let mut html = Vec::new();
        let file = std::fs::File::open(root.join("html").join(format!("{id}.html.gz")))
            .expect("page file");
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut html)
            .expect("gzip");
        let url = page["url"].as_str().and_then(|u| url::Url::parse(u).ok());
        let (text, _) = raqib::fetch::charset::decode(&html, None, None);
        let fastest = (0..5)
            .map(|_| {
                let started = Instant::now();
                let _ = std::hint::black_box(raqib::extract::extract(&text, url.as_ref()));
                started.elapsed()
            })
            .min()
            .unwrap_or_default();
        times.push((fastest, page["url"].as_str().unwrap_or(id).to_string()));
    }
    times.sort();
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize].0;
    println!("pages   {}", times.len());
    println!("median  {:.2} ms", at(0.5).as_secs_f64() * 1e3);
    println!("p90     {:.2} ms", at(0.9).as_secs_f64() * 1e3);
    println!("p99     {:.2} ms", at(0.99).as_secs_f64() * 1e3);
    if let Some((slowest, url)) = times.last() {
        println!("slowest {:.2} ms  {url}", slowest.as_secs_f64() * 1e3);
    }
}
