//! `raqib discover`, pure half: where an outlet's feeds and sitemaps may be (its home page's
//! `<link rel="alternate">`, the usual paths, its robots.txt's `Sitemap:` lines), what a
//! fetched candidate turns out to be, and the `[[feed]]` block proposed for it.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use scraper::{Html, Selector};
use url::Url;

use crate::sitemap::{self, Sitemap};

/// Where feeds and sitemaps usually are, tried on every outlet.
pub const COMMON_PATHS: &[&str] = &[
    "/feed",
    "/feed/",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/sitemap.xml",
    "/sitemap_index.xml",
    "/news-sitemap.xml",
    "/sitemap-news.xml",
];

/// What a candidate turned out to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Feed,
    /// A sitemap whose URLs state a title: a Google News sitemap.
    NewsSitemap,
    Sitemap,
    SitemapIndex,
}

/// A feed or sitemap found, with what it yielded.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub url: Url,
    pub kind: Kind,
    pub title: Option<String>,
    /// Entries, or the sitemaps an index lists.
    pub entries: usize,
    pub newest: Option<DateTime<FixedOffset>>,
    /// The sitemaps an index lists whose address names news, to be examined too.
    pub news_children: Vec<Url>,
}

/// The feeds a home page announces (`<link rel="alternate">` of a feed type), resolved.
pub fn alternates(html: &str, base: &Url) -> Vec<Url> {
    let Ok(links) = Selector::parse("link[rel~=alternate][href]") else {
        return Vec::new();
    };
    let document = Html::parse_document(html);
    let mut found: Vec<Url> = Vec::new();
    for link in document.select(&links) {
        let kind = link
            .value()
            .attr("type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !["rss", "atom", "feed+json", "rdf"]
            .iter()
            .any(|k| kind.contains(k))
        {
            continue;
        }
        let url = link
            .value()
            .attr("href")
            .and_then(|h| base.join(h.trim()).ok());
        if let Some(url) = url.filter(|u| matches!(u.scheme(), "http" | "https")) {
            if !found.contains(&url) {
                found.push(url);
            }
        }
    }
    found
}

/// The `Sitemap:` lines of a robots.txt, resolved.
pub fn robots_sitemaps(robots: &str, base: &Url) -> Vec<Url> {
    robots
        .lines()
        .filter_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim().eq_ignore_ascii_case("sitemap").then_some(value)
        })
        .filter_map(|value| base.join(value.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .collect()
}

/// What `text`, fetched from `url`, is: a feed, a sitemap or an index, or nothing usable.
pub fn examine(text: &str, url: &Url, zone: Tz) -> Option<Found> {
    if sitemap::is_sitemap(text) {
        let parsed = sitemap::parse(text, url, zone).ok()?;
        return Some(match parsed.sitemap {
            Sitemap::Urls(entries) => Found {
                url: url.clone(),
                kind: if entries.iter().any(|e| !e.title.is_empty()) {
                    Kind::NewsSitemap
                } else {
                    Kind::Sitemap
                },
                title: None,
                entries: entries.len(),
                newest: entries.iter().filter_map(|e| e.published).max(),
                news_children: Vec::new(),
            },
            Sitemap::Index(children) => Found {
                url: url.clone(),
                kind: Kind::SitemapIndex,
                title: None,
                entries: children.len(),
                newest: children.iter().filter_map(|c| c.lastmod).max(),
                news_children: children
                    .iter()
                    .filter(|c| c.url.as_str().to_ascii_lowercase().contains("news"))
                    .map(|c| c.url.clone())
                    .collect(),
            },
        });
    }
    let parsed = crate::feed::parse(text, url, zone).ok()?;
    Some(Found {
        url: url.clone(),
        kind: Kind::Feed,
        title: parsed.title.filter(|t| !t.trim().is_empty()),
        entries: parsed.entries.len(),
        newest: parsed.entries.iter().filter_map(|e| e.published).max(),
        news_children: Vec::new(),
    })
}

/// The `[[feed]]` block proposed for `found`, with a comment saying what it yielded.
pub fn block(found: &Found, outlet: &str) -> String {
    let (what, kind) = match found.kind {
        Kind::Feed => ("feed", "rss"),
        Kind::NewsSitemap => ("news sitemap", "sitemap"),
        Kind::Sitemap => ("sitemap", "sitemap"),
        Kind::SitemapIndex => ("sitemap index", "sitemap"),
    };
    let counted = if found.kind == Kind::SitemapIndex {
        "sitemaps listed"
    } else {
        "entries"
    };
    let title = found
        .title
        .as_deref()
        .map(|t| format!(" {:?}", t.replace('\n', " ")))
        .unwrap_or_default();
    let newest = found.newest.map_or("no dates".to_string(), |d| {
        format!("newest {}", d.to_rfc3339())
    });
    let quote = |s: &str| toml::Value::String(s.to_string()).to_string();
    format!(
        "# {what}{title}: {} {counted}, {newest}\n[[feed]]\nurl = {}\noutlet = {}\ntype = \"{kind}\"\n",
        found.entries,
        quote(found.url.as_str()),
        quote(outlet),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://outlet.test/").unwrap()
    }

    #[test]
    fn a_home_page_s_feeds_are_its_alternate_links_of_feed_types() {
        let html = r#"<html><head>
<link rel="alternate" type="application/rss+xml" title="Outlet &raquo; Flux" href="https://outlet.test/feed/">
<link rel="alternate" type="application/rss+xml" title="Commentaires" href="/comments/feed/">
<link rel="alternate" hreflang="fr" href="https://outlet.test/fr/">
<link rel="alternate" type="application/json+oembed" href="/wp-json/oembed">
<link rel="stylesheet" type="application/rss+xml" href="/not-a-feed">
<link rel="alternate" type="application/atom+xml" href="/feed/">
</head></html>"#;
        let found: Vec<String> = alternates(html, &base())
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "https://outlet.test/feed/",
                "https://outlet.test/comments/feed/"
            ]
        );
    }

    #[test]
    fn robots_txt_sitemap_lines_in_any_case() {
        let robots = "User-agent: *\nDisallow: /wp-admin/\nSitemap: https://outlet.test/sitemap_index.xml\nsitemap:/news-sitemap.xml\n# Sitemap: /commented.xml\n";
        let found: Vec<String> = robots_sitemaps(robots, &base())
            .iter()
            .map(Url::to_string)
            .collect();
        assert_eq!(
            found,
            [
                "https://outlet.test/sitemap_index.xml",
                "https://outlet.test/news-sitemap.xml"
            ]
        );
    }

    #[test]
    fn candidates_are_told_apart_and_proposed_as_blocks_that_load() {
        let news = std::fs::read_to_string(format!(
            "{}/tests/fixtures/sitemap/yoast-news.xml",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let url = Url::parse("https://outlet.test/news-sitemap.xml").unwrap();
        let found = examine(&news, &url, Tz::UTC).unwrap();
        assert_eq!((found.kind, found.entries), (Kind::NewsSitemap, 2));
        assert_eq!(
            block(&found, "outlet.test"),
            "# news sitemap: 2 entries, newest 2026-11-29T10:15:00+01:00\n[[feed]]\nurl = \"https://outlet.test/news-sitemap.xml\"\noutlet = \"outlet.test\"\ntype = \"sitemap\"\n"
        );
        let feed = "<rss version=\"2.0\"><channel><title>Outlet \"Info\"</title><item><link>https://outlet.test/a</link></item></channel></rss>";
        let found = examine(feed, &base(), Tz::UTC).unwrap();
        assert_eq!((found.kind, found.entries), (Kind::Feed, 1));
        let proposed = block(&found, "outlet.test");
        assert!(
            proposed.starts_with("# feed \"Outlet \\\"Info\\\"\": 1 entries, no dates\n"),
            "{proposed}"
        );
        assert!(
            crate::config::Config::from_toml(std::path::Path::new("/x/config.toml"), &proposed)
                .is_ok()
        );
        assert_eq!(
            examine("<html><body>Accueil</body></html>", &base(), Tz::UTC),
            None
        );
    }
}
