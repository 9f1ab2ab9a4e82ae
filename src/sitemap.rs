//! Sitemap text to entries: a `urlset` (plain, or a Google News sitemap) gives the entries a
//! feed would, a `sitemapindex` gives the sitemaps it lists.
//!
//! Read as a stream of XML events, never as a tree: what is kept is one `<url>` at a time (each
//! text capped at [`MAX_TEXT`]) and at most [`MAX_URLS`] results, whatever the document's size.
//! Names are matched by their local part, so `news:title` and `n:title` are the same, and by
//! their place, so an `image:loc` inside a `<url>` is never its `loc`.

use chrono::{DateTime, FixedOffset};
use chrono_tz::Tz;
use quick_xml::Reader;
use quick_xml::events::Event;
use url::Url;

use crate::feed::Entry;

/// URLs read from one sitemap at most: the sitemap protocol's own limit.
pub const MAX_URLS: usize = 50_000;

/// Bytes kept of one element's text: longer URLs and titles are not real ones.
pub const MAX_TEXT: usize = 4_096;

/// What a sitemap lists.
#[derive(Debug, Clone, PartialEq)]
pub enum Sitemap {
    /// `<urlset>`: the articles, as entries.
    Urls(Vec<Entry>),
    /// `<sitemapindex>`: other sitemaps.
    Index(Vec<Child>),
}

/// A sitemap an index lists.
#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    pub url: Url,
    pub lastmod: Option<DateTime<FixedOffset>>,
}

/// A parsed sitemap, and what kept it from being read whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub sitemap: Sitemap,
    /// Set when the document broke off (bad XML) or listed more than [`MAX_URLS`]: what came
    /// before is kept.
    pub cut: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SitemapError {
    #[error("not a sitemap: the document's root is {0}, not urlset or sitemapindex")]
    NotSitemap(String),
    #[error("not a sitemap: {0}")]
    Invalid(String),
}

/// The root element's local name, when the text is XML with one.
pub fn root(text: &str) -> Option<String> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => {
                return Some(e.local_name().as_ref().to_string());
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Whether `text` is a sitemap or a sitemap index (what `[[feed]]` without `type` asks).
pub fn is_sitemap(text: &str) -> bool {
    matches!(root(text).as_deref(), Some("urlset" | "sitemapindex"))
}

/// Which text of a `<url>` or `<sitemap>` an element holds, by its path below the root.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Field {
    Loc,
    Lastmod,
    NewsDate,
    NewsTitle,
    NewsLanguage,
}

fn field(path: &[String]) -> Option<Field> {
    let names: Vec<&str> = path.iter().map(String::as_str).collect();
    match names[..] {
        [_, "url" | "sitemap", "loc"] => Some(Field::Loc),
        [_, "url" | "sitemap", "lastmod"] => Some(Field::Lastmod),
        [_, "url", "news", "publication_date"] => Some(Field::NewsDate),
        [_, "url", "news", "title"] => Some(Field::NewsTitle),
        [_, "url", "news", "publication", "language"] => Some(Field::NewsLanguage),
        _ => None,
    }
}

/// The texts of one `<url>` or `<sitemap>`.
#[derive(Default)]
struct Item {
    loc: String,
    lastmod: String,
    news_date: String,
    news_title: String,
    news_language: String,
    /// A `loc` longer than [`MAX_TEXT`]: the item is dropped rather than read cut.
    loc_too_long: bool,
}

impl Item {
    fn text(&mut self, field: Field) -> &mut String {
        match field {
            Field::Loc => &mut self.loc,
            Field::Lastmod => &mut self.lastmod,
            Field::NewsDate => &mut self.news_date,
            Field::NewsTitle => &mut self.news_title,
            Field::NewsLanguage => &mut self.news_language,
        }
    }
}

/// Elements deeper than this are read past without their names: a sitemap's fields are at
/// depth 5 at most.
const MAX_PATH: usize = 8;

/// Parse `text`, a sitemap decoded to UTF-8 fetched from `base`, whose dates without an offset
/// are on the clocks of `zone`.
pub fn parse(text: &str, base: &Url, zone: Tz) -> Result<Parsed, SitemapError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = false;
    let mut path: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let mut index = None;
    let mut item = Item::default();
    let mut entries = Vec::new();
    let mut children = Vec::new();
    let mut cut = None;
    loop {
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => {
                let at = reader.error_position();
                if index.is_none() {
                    return Err(SitemapError::Invalid(format!("{err} at byte {at}")));
                }
                cut = Some(format!("broken XML at byte {at}: {err}"));
                break;
            }
        };
        match event {
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if depth == 0 {
                    index = Some(is_index(&name)?);
                }
                depth += 1;
                if depth <= MAX_PATH {
                    path.push(name);
                }
                if depth == 2 {
                    item = Item::default();
                }
            }
            Event::Empty(e) if depth == 0 => {
                index = Some(is_index(e.local_name().as_ref())?);
                break;
            }
            Event::End(_) => {
                if depth == 2 {
                    let done = std::mem::take(&mut item);
                    match index {
                        Some(true) => children.extend(child(done, base, zone)),
                        _ => entries.extend(entry(done, base, zone)),
                    }
                    if entries.len() + children.len() >= MAX_URLS {
                        cut = Some(format!("more than {MAX_URLS} URLs; the rest is not read"));
                        break;
                    }
                }
                if depth <= MAX_PATH {
                    path.pop();
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) => push(&mut item, &path, depth, &t.xml10_content()),
            Event::CData(t) => push(&mut item, &path, depth, &t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => quick_xml::escape::resolve_predefined_entity(&r.xml10_content())
                        .map(str::to_string),
                };
                if let Some(text) = resolved {
                    push(&mut item, &path, depth, &text);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let Some(index) = index else {
        return Err(SitemapError::Invalid("no root element".to_string()));
    };
    let sitemap = if index {
        Sitemap::Index(children)
    } else {
        Sitemap::Urls(entries)
    };
    Ok(Parsed { sitemap, cut })
}

fn is_index(root: &str) -> Result<bool, SitemapError> {
    match root {
        "urlset" => Ok(false),
        "sitemapindex" => Ok(true),
        other => Err(SitemapError::NotSitemap(other.to_string())),
    }
}

fn push(item: &mut Item, path: &[String], depth: usize, text: &str) {
    if depth > path.len() {
        return;
    }
    let Some(field) = field(path) else { return };
    let kept = item.text(field);
    if kept.len() + text.len() <= MAX_TEXT {
        kept.push_str(text);
    } else if field == Field::Loc {
        item.loc_too_long = true;
    }
}

fn address(item: &Item, base: &Url) -> Option<Url> {
    let loc = item.loc.trim();
    if loc.is_empty() || item.loc_too_long {
        return None;
    }
    base.join(loc)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|mut u| {
            u.set_fragment(None);
            u
        })
}

fn child(item: Item, base: &Url, zone: Tz) -> Option<Child> {
    Some(Child {
        url: address(&item, base)?,
        lastmod: crate::date::parse(&item.lastmod, zone),
    })
}

fn entry(item: Item, base: &Url, zone: Tz) -> Option<Entry> {
    let url = address(&item, base)?;
    let published = crate::date::parse(&item.news_date, zone)
        .or_else(|| crate::date::parse(&item.lastmod, zone));
    let language = item.news_language.trim();
    Some(Entry {
        // As a feed item known only by its link: the same article in both is one entry.
        key: format!("link:{url}"),
        url: Some(url),
        title: item
            .news_title
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        summary: String::new(),
        published,
        author: None,
        lang: (!language.is_empty()).then(|| language.to_lowercase()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/sitemap/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap()
    }

    fn read(text: &str) -> Parsed {
        parse(
            text,
            &Url::parse("https://outlet.test/news-sitemap.xml").unwrap(),
            Tz::UTC,
        )
        .unwrap()
    }

    fn urls(parsed: &Parsed) -> &[Entry] {
        match &parsed.sitemap {
            Sitemap::Urls(entries) => entries,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_yoast_news_sitemap_gives_title_date_and_language_never_an_image_s() {
        let parsed = read(&fixture("yoast-news.xml"));
        let entries = urls(&parsed);
        assert_eq!(parsed.cut, None);
        assert_eq!(entries.len(), 2);
        let first = &entries[0];
        assert_eq!(
            first.url.as_ref().unwrap().as_str(),
            "https://outlet.test/2026/11/29/%d8%a7%d9%84%d9%85%d8%af%d9%8a%d8%b1%d9%8a%d8%a9/"
        );
        assert_eq!(first.key, format!("link:{}", first.url.as_ref().unwrap()));
        assert_eq!(first.title, "المديرية العامة للأمن الوطني");
        assert_eq!(first.lang.as_deref(), Some("ar"));
        assert_eq!(
            first.published.unwrap().to_rfc3339(),
            "2026-11-29T10:15:00+01:00"
        );
        assert_eq!(entries[1].title, "Budget & vote — la séance");
        assert_eq!(entries[1].lang.as_deref(), Some("fr"));
    }

    #[test]
    fn an_arc_news_sitemap_prefers_the_publication_date_to_lastmod() {
        let parsed = read(&fixture("arc-news.xml"));
        let entries = urls(&parsed);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].title, "Summit ends without a deal");
        assert_eq!(
            entries[0].published.unwrap().to_rfc3339(),
            "2026-11-29T09:30:00+00:00"
        );
        assert_eq!(
            entries[1].url.as_ref().unwrap().as_str(),
            "https://outlet.test/politics/2026/11/29/vote/"
        );
    }

    #[test]
    fn a_plain_sitemap_is_dated_by_lastmod() {
        let parsed = read(
            "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><url><loc> https://outlet.test/a </loc><lastmod>2026-11-02</lastmod></url><url><loc>javascript:alert(1)</loc></url><url><loc>https://outlet.test/b</loc></url></urlset>",
        );
        let entries = urls(&parsed);
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0].published.unwrap().date_naive().to_string(),
            "2026-11-02"
        );
        assert!(entries[0].title.is_empty() && entries[1].published.is_none());
    }

    #[test]
    fn indexes_list_their_children_resolved_with_lastmod() {
        let parsed = read(&fixture("yoast-index.xml"));
        let Sitemap::Index(children) = &parsed.sitemap else {
            panic!("{parsed:?}");
        };
        let found: Vec<(&str, Option<String>)> = children
            .iter()
            .map(|c| (c.url.as_str(), c.lastmod.map(|d| d.to_rfc3339())))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "https://outlet.test/post-sitemap.xml",
                    Some("2026-11-20T08:12:44+00:00".to_string())
                ),
                (
                    "https://outlet.test/post-sitemap2.xml",
                    Some("2026-11-29T09:41:02+00:00".to_string())
                ),
                (
                    "https://outlet.test/page-sitemap.xml",
                    Some("2024-01-03T10:00:00+00:00".to_string())
                ),
                ("https://outlet.test/category-sitemap.xml", None),
            ]
        );
    }

    #[test]
    fn feeds_and_pages_are_not_sitemaps() {
        assert!(is_sitemap(&fixture("arc-index.xml")));
        assert!(is_sitemap("<?xml version=\"1.0\"?>\n<!-- x --><urlset/>"));
        assert!(!is_sitemap("<rss version=\"2.0\"><channel/></rss>"));
        assert!(!is_sitemap(
            "{\"version\": \"https://jsonfeed.org/version/1.1\"}"
        ));
        let base = Url::parse("https://outlet.test/").unwrap();
        assert!(matches!(
            parse("<html><body>404</body></html>", &base, Tz::UTC),
            Err(SitemapError::NotSitemap(root)) if root == "html"
        ));
        assert!(matches!(
            parse("", &base, Tz::UTC),
            Err(SitemapError::Invalid(_))
        ));
    }

    #[test]
    fn more_than_the_cap_is_cut_and_said() {
        let mut text = String::from("<urlset>");
        for i in 0..MAX_URLS + 10 {
            text.push_str(&format!("<url><loc>https://outlet.test/{i}</loc></url>"));
        }
        text.push_str("</urlset>");
        let parsed = read(&text);
        assert_eq!(urls(&parsed).len(), MAX_URLS);
        assert!(
            parsed
                .cut
                .as_deref()
                .is_some_and(|c| c.contains("more than 50000"))
        );
    }

    #[test]
    fn broken_xml_keeps_what_came_before_and_huge_texts_are_dropped() {
        let long = "x".repeat(MAX_TEXT + 1);
        let parsed = read(&format!(
            "<urlset><url><loc>https://outlet.test/a</loc></url><url><loc>https://outlet.test/{long}</loc></url><url><loc>https://outlet.test/b</loc></url><url><loc>https://outlet.test/c</l"
        ));
        let found: Vec<&str> = urls(&parsed)
            .iter()
            .map(|e| e.url.as_ref().unwrap().as_str())
            .collect();
        assert_eq!(found, ["https://outlet.test/a", "https://outlet.test/b"]);
        assert!(parsed.cut.is_some(), "{parsed:?}");
    }
}
