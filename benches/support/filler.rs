//! The articles the storing benches write: the five seeds with their paragraphs rotated and a
//! few hundred words drawn from the seeds' vocabulary mixed in, so most are neither reprints
//! nor rewrites of each other and each brings new candidates.

use raqib::store::{BodySource, NewArticle};
use raqib::story::Signature;

use crate::support::seeds;
use xorshift::Xorshift;

#[path = "../../tests/support/xorshift.rs"]
mod xorshift;

/// `count` article bodies, the same on every run.
pub fn bodies(count: usize) -> Vec<String> {
    let seeds = seeds();
    let words: Vec<&str> = seeds.iter().flat_map(|s| s.split_whitespace()).collect();
    let mut rng = Xorshift::default();
    let mut next = move || rng.draw();
    (0..count)
        .map(|i| {
            let seed = &seeds[i % seeds.len()];
            let mut paragraphs: Vec<&str> = seed.lines().filter(|l| !l.trim().is_empty()).collect();
            let len = paragraphs.len().max(1);
            paragraphs.rotate_left(i % len);
            let mixed: Vec<&str> = (0..300)
                .map(|_| words[(next() % words.len() as u64) as usize])
                .collect();
            format!("{}\n{}", paragraphs.join("\n"), mixed.join(" "))
        })
        .collect()
}

/// The story signature of a body, as the daemon computes it before storing.
pub fn signature(body: &str) -> Signature {
    Signature::of("", body, ["hammouchi"])
}

/// Article number `i` of `outlet`'s feed `feed_id`, with a page body.
pub fn article(feed_id: i64, outlet: &str, i: usize, body: &str, story: Signature) -> NewArticle {
    NewArticle {
        feed_id,
        entry_key: i.to_string(),
        url: Some(format!("https://example.test/{i}")),
        canonical_url: None,
        title: format!("عنوان {i}"),
        body: body.to_string(),
        body_source: BodySource::Page,
        body_error: None,
        author: None,
        lang: Some("ar".into()),
        site_name: None,
        published_at: None,
        story,
        outlet: outlet.into(),
        fingerprints: Vec::new(),
        page_retry_at: None,
        matches: Vec::new(),
        index_tokens: None,
    }
}
