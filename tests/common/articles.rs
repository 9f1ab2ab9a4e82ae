//! Articles as the daemon hands them to the store, for tests that write through the store.

use raqib::store::{BodySource, NewArticle};
use raqib::story::Signature;

/// An English article stored with its feed's summary as the body, no watch matched.
pub fn summary(feed_id: i64, key: &str, url: &str, title: &str, body: &str) -> NewArticle {
    NewArticle {
        feed_id,
        entry_key: key.into(),
        url: Some(url.into()),
        canonical_url: None,
        story: Signature::of(title, body, []),
        title: title.into(),
        body: body.into(),
        body_source: BodySource::Feed,
        body_error: None,
        author: None,
        lang: Some("en".into()),
        site_name: None,
        published_at: None,
        outlet: "Outlet".into(),
        fingerprints: Vec::new(),
        page_retry_at: None,
        matches: Vec::new(),
        index_tokens: None,
    }
}
