//! OPML subscription lists, the format feed readers trade their feeds in: [`read`] takes them
//! as Miniflux, FreshRSS, Feedly, Inoreader and others export them (OPML 1.0 or 2.0, folders as
//! parent outlines or `category` attributes); [`write`] gives the configured feeds back as
//! OPML 2.0, and the `[[feed]]` blocks `raqib feeds import` prints.

mod read;
mod write;

use url::Url;

pub use read::{OpmlError, read};
pub use write::{feed_blocks, opml};

/// One feed an OPML file lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub url: Url,
    /// The outline's `title`, else its `text`.
    pub outlet: Option<String>,
    /// The folder the outline sits in, else its `category` attribute.
    pub category: Option<String>,
    /// The outline's `type`, when it has one.
    pub kind: Option<String>,
    /// Where the outline starts in the file (1-based).
    pub line: usize,
}

impl Subscription {
    /// Whether the outline is a feed raqib can poll: untyped, or typed as a feed. Readers list
    /// other sources too (FreshRSS's `HTML+XPath` pages to scrape).
    pub fn is_feed(&self) -> bool {
        self.kind.as_deref().is_none_or(|kind| {
            ["rss", "atom", "rdf", "feed"]
                .iter()
                .any(|k| kind.eq_ignore_ascii_case(k))
        })
    }
}

/// What makes two feed URLs the same feed for a desk: the host without `www.`, the port,
/// the path without a trailing `/` and the query; not the scheme (lists carry `http://` for
/// feeds long moved to `https://`) nor the fragment.
pub fn same_feed_key(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    let host = host.strip_prefix("www.").unwrap_or(host);
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    format!("{host}{port}{path}{query}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(url: &str) -> String {
        same_feed_key(&Url::parse(url).unwrap())
    }

    #[test]
    fn the_same_feed_written_differently_has_one_key() {
        assert_eq!(
            key("http://WWW.Hespress.com/feed/#top"),
            key("https://hespress.com/feed")
        );
        assert_ne!(
            key("https://hespress.com/feed"),
            key("https://hespress.com/feed?cat=2")
        );
        assert_ne!(
            key("https://hespress.com/feed"),
            key("https://hespress.com:8443/feed")
        );
        assert_ne!(
            key("https://hespress.com/feed"),
            key("https://fr.hespress.com/feed")
        );
    }
}
