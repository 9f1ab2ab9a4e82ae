//! A section page to entries: the article links `links` picks, each with the title and date
//! found inside its card.
//!
//! A link's card is the largest element around it holding no other picked link: the teaser
//! block of a listing, whose headline and date belong to that link alone. Menus, related lists
//! and footers are left out by the selector, not guessed at.

use std::collections::{HashMap, HashSet};

use chrono_tz::Tz;
use scraper::{ElementRef, Html, Selector};
use url::Url;

use crate::config::PageRule;
use crate::feed::Entry;

/// Links read from one page at most.
pub const MAX_LINKS: usize = 500;

/// What a section page gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing {
    pub entries: Vec<Entry>,
    /// Elements `links` matched, usable or not: none means the selector no longer fits the page.
    pub matched: usize,
    /// Links to other hosts left out (`links_other_hosts = false`).
    pub other_hosts: usize,
}

/// The article links of `html`, a section page fetched from `base` (after redirects), picked
/// by `rule`; dates without an offset are on the clocks of `zone`.
pub fn parse(html: &str, base: &Url, rule: &PageRule, zone: Tz) -> Listing {
    let document = Html::parse_document(html);
    let links: Vec<ElementRef> = document.select(&rule.links).take(MAX_LINKS).collect();
    // How many picked links each element holds.
    let mut beneath = HashMap::new();
    for link in &links {
        for ancestor in link.ancestors() {
            *beneath.entry(ancestor.id()).or_insert(0usize) += 1;
        }
    }
    let mut seen = HashSet::new();
    let mut listing = Listing {
        entries: Vec::new(),
        matched: links.len(),
        other_hosts: 0,
    };
    for link in &links {
        let Some(url) = href(link).and_then(|h| address(h, base)) else {
            continue;
        };
        if !rule.other_hosts && !same_host(&url, base) {
            listing.other_hosts += 1;
            continue;
        }
        if !seen.insert(url.clone()) {
            continue;
        }
        // The card: climbing while no other picked link is inside.
        let mut card = *link;
        for ancestor in link.ancestors() {
            if beneath.get(&ancestor.id()).copied().unwrap_or(0) > 1 {
                break;
            }
            match ElementRef::wrap(ancestor) {
                Some(element) => card = element,
                None => break,
            }
        }
        let title = rule
            .title
            .as_ref()
            .and_then(|s| card.select(s).next())
            .map_or_else(|| text(link), |t| text(&t));
        let published = rule
            .date
            .as_ref()
            .and_then(|s| card.select(s).next())
            .and_then(|d| {
                let stated = d.value().attr("datetime").map(str::to_string);
                stated
                    .and_then(|s| crate::date::parse(&s, zone))
                    .or_else(|| crate::date::parse(&text(&d), zone))
            });
        listing.entries.push(Entry {
            key: format!("link:{url}"),
            url: Some(url),
            title,
            summary: String::new(),
            published,
            author: None,
            lang: None,
        });
    }
    listing
}

/// The link's own `href`, or that of the first link inside it (`links = "h2.entry-title"`).
fn href<'a>(element: &ElementRef<'a>) -> Option<&'a str> {
    element.value().attr("href").or_else(|| {
        let anchor = Selector::parse("a[href]").ok()?;
        element.select(&anchor).next()?.value().attr("href")
    })
}

/// As a feed entry's link: resolved, http(s) only, without its fragment.
fn address(href: &str, base: &Url) -> Option<Url> {
    base.join(href.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|mut u| {
            u.set_fragment(None);
            u
        })
}

/// One outlet's host, with or without `www.`.
fn same_host(url: &Url, base: &Url) -> bool {
    let bare = |u: &Url| {
        u.host_str()
            .map(|h| h.trim_start_matches("www.").to_ascii_lowercase())
    };
    bare(url) == bare(base)
}

fn text(element: &ElementRef) -> String {
    element
        .text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(links: &str, title: Option<&str>, date: Option<&str>, other_hosts: bool) -> PageRule {
        let selector = |s: &str| Selector::parse(s).unwrap();
        PageRule {
            links: selector(links),
            title: title.map(selector),
            date: date.map(selector),
            other_hosts,
        }
    }

    fn listing(rule: &PageRule) -> Listing {
        let html = std::fs::read_to_string(format!(
            "{}/tests/fixtures/page/listing.html",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        let base = Url::parse("https://outlet.test/politique/").unwrap();
        parse(&html, &base, rule, Tz::Europe__Paris)
    }

    #[test]
    fn the_cards_links_titles_and_dates_never_the_menus_or_related_links() {
        let found = listing(&rule(
            "h2.entry-title a",
            None,
            Some("time.entry-date"),
            false,
        ));
        assert_eq!((found.matched, found.other_hosts), (4, 1));
        let entries: Vec<(&str, &str, Option<String>)> = found
            .entries
            .iter()
            .map(|e| {
                (
                    e.url.as_ref().unwrap().as_str(),
                    e.title.as_str(),
                    e.published.map(|d| d.to_rfc3339()),
                )
            })
            .collect();
        assert_eq!(
            entries,
            [
                (
                    "https://outlet.test/2026/11/29/budget-vote/",
                    "Le budget adopté en séance",
                    Some("2026-11-29T10:15:00+01:00".to_string())
                ),
                (
                    "https://www.outlet.test/2026/11/28/hammouchi-delegation/?utm_source=home",
                    "Hammouchi reçoit une délégation",
                    Some("2026-11-28T18:00:00+01:00".to_string())
                ),
            ]
        );
        assert_eq!(
            found.entries[0].key,
            "link:https://outlet.test/2026/11/29/budget-vote/"
        );
    }

    #[test]
    fn a_title_selector_reads_the_card_and_other_hosts_are_taken_when_allowed() {
        let found = listing(&rule("h2.entry-title", Some(".excerpt"), None, true));
        let titles: Vec<&str> = found.entries.iter().map(|e| e.title.as_str()).collect();
        // Only the first card has an excerpt; the others fall back to the link's text.
        assert_eq!(
            titles,
            [
                "Les députés ont adopté…",
                "Hammouchi reçoit une délégation",
                "Offre partenaire"
            ]
        );
        assert_eq!(found.other_hosts, 0);
    }

    #[test]
    fn a_selector_that_no_longer_fits_matches_nothing() {
        let found = listing(&rule("h3.post-title a", None, None, false));
        assert_eq!(found.matched, 0);
        assert!(found.entries.is_empty());
    }
}
