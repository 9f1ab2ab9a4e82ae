//! `[[feed]] type`: what the URL serves. A feed (RSS, Atom, JSON Feed), a sitemap (a
//! `urlset`, a Google News sitemap, or an index of them), or an outlet's section page whose
//! article links a CSS selector picks; without `type` the fetched content decides between a
//! feed and a sitemap.

use scraper::Selector;
use toml::Spanned;

use super::{Checker, RawFeed};

/// What a `[[feed]]` URL serves.
#[derive(Debug, Clone, Default)]
pub enum Source {
    /// No `type`: a sitemap when the document's root is `urlset` or `sitemapindex`, else a feed.
    #[default]
    Detect,
    Rss,
    Sitemap,
    Page(PageRule),
}

/// `type = "page"`: where the article links of a section page are.
#[derive(Debug, Clone)]
pub struct PageRule {
    /// `links`: the article links (`a` elements, or elements holding one).
    pub links: Selector,
    /// `title`: the headline inside a link's card; the link's text when absent.
    pub title: Option<Selector>,
    /// `date`: the publication date inside a link's card (`datetime`, else its text).
    pub date: Option<Selector>,
    /// `links_other_hosts`: follow links to hosts other than the page's.
    pub other_hosts: bool,
}

impl Checker<'_> {
    /// The source a feed's keys describe; `scope` names the feed in problems.
    pub(super) fn source(&mut self, raw: &RawFeed, scope: &str) -> Source {
        let kind = raw
            .kind
            .as_ref()
            .map(|k| (k.get_ref().trim(), k.span().start));
        let source = match kind {
            None => Source::Detect,
            Some(("rss", _)) => Source::Rss,
            Some(("sitemap", _)) => Source::Sitemap,
            Some(("page", at)) => match self.page_rule(raw, scope, at) {
                Some(rule) => Source::Page(rule),
                None => Source::Detect,
            },
            Some((other, at)) => {
                self.problem(
                    at,
                    format!("{scope}type {other:?} is not one of \"rss\", \"sitemap\", \"page\""),
                );
                Source::Detect
            }
        };
        if !matches!(kind, Some(("page", _))) {
            let page_keys = [
                ("links", raw.links.as_ref().map(|s| s.span().start)),
                ("title", raw.title.as_ref().map(|s| s.span().start)),
                ("date", raw.date.as_ref().map(|s| s.span().start)),
                (
                    "links_other_hosts",
                    raw.links_other_hosts.as_ref().map(|s| s.span().start),
                ),
            ];
            for (key, at) in page_keys {
                if let Some(at) = at {
                    self.problem(
                        at,
                        format!("{scope}{key} is only read with type = \"page\""),
                    );
                }
            }
        }
        source
    }

    fn page_rule(&mut self, raw: &RawFeed, scope: &str, type_at: usize) -> Option<PageRule> {
        let Some(links) = &raw.links else {
            self.problem(
                type_at,
                format!(
                    "{scope}type = \"page\" needs links, a CSS selector for the article links (e.g. links = \"h2.entry-title a\")"
                ),
            );
            return None;
        };
        let links = self.page_selector(links, scope, "links");
        let title = raw
            .title
            .as_ref()
            .map(|s| self.page_selector(s, scope, "title"));
        let date = raw
            .date
            .as_ref()
            .map(|s| self.page_selector(s, scope, "date"));
        Some(PageRule {
            links: links?,
            title: title.map_or(Some(None), |s| s.map(Some))?,
            date: date.map_or(Some(None), |s| s.map(Some))?,
            other_hosts: raw.links_other_hosts.as_ref().is_some_and(|b| *b.get_ref()),
        })
    }

    fn page_selector(
        &mut self,
        text: &Spanned<String>,
        scope: &str,
        key: &str,
    ) -> Option<Selector> {
        crate::extract::selector(text.get_ref())
            .inspect_err(|err| self.problem(text.span().start, format!("{scope}{key}: {err}")))
            .ok()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load, problems};
    use super::*;

    fn feed(keys: &str) -> String {
        format!("[[feed]]\nurl = \"https://x.ma/news\"\n{keys}")
    }

    #[test]
    fn type_names_the_source_and_detection_is_the_default() {
        let sources: Vec<Source> = ["", "type = \"rss\"\n", "type = \"sitemap\"\n"]
            .iter()
            .map(|keys| load(&feed(keys)).unwrap().feeds.remove(0).source)
            .collect();
        assert!(matches!(
            sources[..],
            [Source::Detect, Source::Rss, Source::Sitemap]
        ));
        let config =
            load(&feed("type = \"page\"\nlinks = \"h2.entry-title a\"\ndate = \"time\"\nlinks_other_hosts = true\n"))
                .unwrap();
        let Source::Page(rule) = &config.feeds[0].source else {
            panic!("{:?}", config.feeds[0].source);
        };
        assert!(rule.other_hosts && rule.title.is_none() && rule.date.is_some());
    }

    #[test]
    fn problems_name_the_feed_and_the_key() {
        let found = problems(&feed("type = \"atom\"\n"));
        assert_eq!((found[0].line, found[0].column), (3, 8));
        assert_eq!(
            found[0].message,
            "feed \"https://x.ma/news\" type \"atom\" is not one of \"rss\", \"sitemap\", \"page\""
        );
        let found = problems(&feed("type = \"page\"\n"));
        assert!(
            found[0]
                .message
                .starts_with("feed \"https://x.ma/news\" type = \"page\" needs links"),
            "{}",
            found[0].message
        );
        let found = problems(&feed(
            "type = \"page\"\nlinks = \"h2..a\"\ntitle = \"h3[\"\n",
        ));
        let found: Vec<(usize, bool)> = found
            .iter()
            .map(|p| {
                (
                    p.line,
                    p.message.starts_with("feed \"https://x.ma/news\" ")
                        && (p.message.contains("links: invalid CSS selector \"h2..a\"")
                            || p.message.contains("title: invalid CSS selector \"h3[\"")),
                )
            })
            .collect();
        assert_eq!(found, [(4, true), (5, true)]);
        let found = problems(&feed("type = \"sitemap\"\nlinks = \"a\"\n"));
        assert_eq!(
            found[0].message,
            "feed \"https://x.ma/news\" links is only read with type = \"page\""
        );
    }
}
