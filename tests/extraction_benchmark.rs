//! A floor under extraction quality: the 181-page benchmark must keep scoring at least
//! [`F1_FLOOR`], trafilatura's evaluation set at least [`EVAL_F1_FLOOR`] with precision at least
//! [`EVAL_PRECISION_FLOOR`]. The figures themselves (0.976 and 0.915 when this was written) are
//! printed by `cargo bench --bench extraction` and recorded in BENCHMARKS.md; the 181-page floor
//! is the issue's, the other sits a little below the figure so that a real regression fails
//! while a one-page wobble does not.

#[path = "support/benchmark.rs"]
mod benchmark;
#[path = "common/skip.rs"]
mod skip;
#[path = "support/trafilatura_eval.rs"]
mod trafilatura_eval;

const F1_FLOOR: f64 = 0.975;
const EVAL_F1_FLOOR: f64 = 0.915;
const EVAL_PRECISION_FLOOR: f64 = 0.910;

#[test]
fn trafilatura_eval_stays_above_its_floor() {
    let root = trafilatura_eval::beside(&benchmark::default_root());
    let pages = match trafilatura_eval::load(&root) {
        Ok(pages) => pages,
        Err(why) => {
            skip::unavailable("the trafilatura-eval floor", &why);
            return;
        }
    };
    assert_eq!(pages.len(), 990, "the set has 990 pages");
    let texts = bodies(pages.iter().map(|p| (p.url.as_str(), p.html.as_str())));
    let score = trafilatura_eval::score(pages.iter().zip(texts.iter().map(String::as_str)));
    eprintln!(
        "trafilatura-eval: F1 {:.3}, precision {:.3}, recall {:.3} (kept {}/{}, leaked {})",
        score.f1, score.precision, score.recall, score.kept, score.to_keep, score.leaked
    );
    assert!(
        score.f1 >= EVAL_F1_FLOOR && score.precision >= EVAL_PRECISION_FLOOR,
        "F1 {:.4} (floor {EVAL_F1_FLOOR}), precision {:.4} (floor {EVAL_PRECISION_FLOOR}), recall {:.4}",
        score.f1,
        score.precision,
        score.recall
    );
}

#[test]
fn the_extraction_benchmark_stays_above_its_floor() {
    let root = benchmark::default_root();
    let pages = match benchmark::load(&root) {
        Ok(pages) => pages,
        Err(why) => {
            // The benchmark ships beside the repository, not in it.
            skip::unavailable("the extraction benchmark floor", &why);
            return;
        }
    };
    assert_eq!(pages.len(), 181, "the benchmark has 181 pages");
    let bodies = bodies(pages.iter().map(|p| (p.url.as_str(), p.html.as_str())));
    let score = benchmark::score(
        pages
            .iter()
            .zip(&bodies)
            .map(|(page, body)| (page.truth.as_str(), body.as_str())),
    );
    eprintln!(
        "extraction benchmark: F1 {:.3}, precision {:.3}, recall {:.3}",
        score.f1, score.precision, score.recall
    );
    assert!(
        score.f1 >= F1_FLOOR,
        "F1 {:.4} fell below the floor {F1_FLOOR} (precision {:.4}, recall {:.4})",
        score.f1,
        score.precision,
        score.recall
    );
}

/// The body raqib extracts from each `(url, html)` page; empty where it finds none.
fn bodies<'a>(pages: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    pages
        .map(|(url, html)| {
            let url = url::Url::parse(url).ok();
            raqib::extract::extract(html, url.as_ref())
                .map(|article| article.body)
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn the_scorer_counts_shingles_as_score_py_does() {
    let exact = benchmark::score([("one two three four five", "one two three four five")]);
    assert_eq!(exact.f1, 1.0);
    // Truth has 2 shingles; the extraction finds one of them and adds 2 of its own.
    let half = benchmark::score([("one two three four five", "one two three four x y")]);
    assert!((half.precision - 1.0 / 3.0).abs() < 1e-9, "{half:?}");
    assert!((half.recall - 1.0 / 2.0).abs() < 1e-9, "{half:?}");
    let empty = benchmark::score([("some words here", "")]);
    assert_eq!(empty.recall, 0.0);
}
