//! A `[[feed]]` URL read for its entries: a feed parsed as one, a section page's links picked,
//! a sitemap read and, when it is an index, followed to its children (the newest first, those
//! not changed since the newest entry already seen skipped, loops and nesting past
//! [`MAX_LEVELS`] cut with an error naming the URL). What comes out is entries, so the rest of
//! the poll is the same for all three.

use std::collections::{HashSet, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Pipeline, PollError};
use crate::config::{Feed, PageRule, Source};
use crate::feed::{self, Entry};
use crate::fetch::{Document, Outcome};
use crate::page;
use crate::sitemap::{self, Child, Sitemap};
use crate::store::Storage;

/// Documents read below a `[[feed]]` URL at most: an index, its children and theirs.
pub const MAX_LEVELS: usize = 3;

/// Sitemaps one poll fetches below an index at most.
pub const MAX_CHILDREN: usize = 50;

/// Entries one poll of a sitemap takes at most, the newest: a site's whole archive is listed
/// there, and a desk follows what is new.
pub const MAX_ENTRIES: usize = 500;

/// The entries of a poll and the feed's `<ttl>`.
pub(super) struct Read {
    pub entries: Vec<Entry>,
    pub ttl: Option<Duration>,
    /// The feed's own title (RSS and Atom; sitemaps and pages have none).
    pub title: Option<String>,
}

impl<S: Storage> Pipeline<S> {
    /// The entries `document`, fetched for `feed`, lists.
    pub(super) async fn read_source(
        &self,
        feed: &Feed,
        document: Document,
    ) -> Result<Read, PollError> {
        let is_sitemap = match &feed.source {
            Source::Sitemap => true,
            Source::Detect => sitemap::is_sitemap(&document.text),
            Source::Rss => false,
            Source::Page(rule) => {
                let entries = self.page_entries(feed, rule, document).await?;
                return Ok(Read {
                    entries,
                    ttl: None,
                    title: None,
                });
            }
        };
        if is_sitemap {
            let entries = self.sitemap_entries(feed, document).await?;
            return Ok(Read {
                entries,
                ttl: None,
                title: None,
            });
        }
        let zone = feed.timezone;
        let parsed =
            tokio::task::spawn_blocking(move || feed::parse(&document.text, &document.url, zone))
                .await?
                .map_err(|source| PollError::Parse {
                    url: feed.url.to_string(),
                    source,
                })?;
        Ok(Read {
            entries: parsed.entries,
            ttl: parsed.ttl,
            title: parsed.title,
        })
    }

    async fn sitemap_entries(
        &self,
        feed: &Feed,
        document: Document,
    ) -> Result<Vec<Entry>, PollError> {
        let mut read = HashSet::from([feed.url.clone(), document.url.clone()]);
        let root = self.parse_sitemap(feed, document).await?;
        let children = match root {
            Sitemap::Urls(entries) => return Ok(newest(entries)),
            Sitemap::Index(children) => children,
        };
        let seen = self.newest_seen(feed).await;
        let mut queue: VecDeque<(Child, usize)> =
            newest_first(children).into_iter().map(|c| (c, 2)).collect();
        let mut entries = Vec::new();
        let mut fetched = 0;
        let mut failure = None;
        while let Some((child, level)) = queue.pop_front() {
            if child
                .lastmod
                .zip(seen)
                .is_some_and(|(lastmod, seen)| lastmod.with_timezone(&Utc) < seen)
            {
                continue;
            }
            if !read.insert(child.url.clone()) {
                tracing::error!(feed = %feed.url, url = %child.url, "the sitemap index lists a sitemap already read in this poll (a loop); cut there");
                continue;
            }
            if level > MAX_LEVELS {
                tracing::error!(feed = %feed.url, url = %child.url, "the sitemap index nests deeper than {MAX_LEVELS} levels; cut there");
                continue;
            }
            if fetched == MAX_CHILDREN {
                tracing::warn!(feed = %feed.url, "the sitemap index lists more than {MAX_CHILDREN} changed sitemaps; the rest is read next poll");
                break;
            }
            fetched += 1;
            let document = match self.fetcher.get(&child.url, None, self.now()).await {
                Ok(Outcome::Fetched(document)) => document,
                Ok(Outcome::NotModified { .. }) => continue,
                Err(err) => {
                    tracing::warn!(feed = %feed.url, url = %child.url, error = %err, "cannot fetch a sitemap the index lists");
                    failure.get_or_insert(PollError::from(err));
                    continue;
                }
            };
            self.progress.moved(self.now());
            match self.parse_sitemap(feed, document).await {
                Ok(Sitemap::Urls(found)) => entries.extend(found),
                Ok(Sitemap::Index(children)) => {
                    queue.extend(newest_first(children).into_iter().map(|c| (c, level + 1)))
                }
                Err(err) => {
                    tracing::warn!(feed = %feed.url, url = %child.url, error = %err, "a sitemap the index lists is unreadable");
                    failure.get_or_insert(err);
                }
            }
        }
        // An index whose every changed sitemap failed is a failed poll, shown in health.
        match failure {
            Some(err) if entries.is_empty() => Err(err),
            _ => Ok(newest(entries)),
        }
    }

    /// The article links of a section page; a page where `links` matches nothing fails the
    /// poll, so `raqib feeds` shows the selector no longer fits (a redesign).
    async fn page_entries(
        &self,
        feed: &Feed,
        rule: &PageRule,
        document: Document,
    ) -> Result<Vec<Entry>, PollError> {
        let (rule, zone) = (rule.clone(), feed.timezone);
        let listing = tokio::task::spawn_blocking(move || {
            page::parse(&document.text, &document.url, &rule, zone)
        })
        .await?;
        if listing.matched == 0 {
            return Err(PollError::NoLinks {
                url: feed.url.to_string(),
            });
        }
        if listing.other_hosts > 0 {
            tracing::debug!(feed = %feed.url, refused = listing.other_hosts, "links to other hosts left out (links_other_hosts = false)");
        }
        Ok(listing.entries)
    }

    /// A sitemap's text parsed off the runtime; a document cut short is logged, its URLs kept.
    async fn parse_sitemap(&self, feed: &Feed, document: Document) -> Result<Sitemap, PollError> {
        let zone = feed.timezone;
        let url = document.url.clone();
        let parsed = tokio::task::spawn_blocking(move || {
            sitemap::parse(&document.text, &document.url, zone)
        })
        .await?
        .map_err(|source| PollError::Sitemap {
            url: url.to_string(),
            source,
        })?;
        if let Some(cut) = &parsed.cut {
            tracing::warn!(feed = %feed.url, url = %url, "sitemap read in part: {cut}");
        }
        Ok(parsed.sitemap)
    }

    /// The newest entry already seen through `feed`, as its health records it.
    async fn newest_seen(&self, feed: &Feed) -> Option<DateTime<Utc>> {
        let health = self
            .noted(self.store().feed_health(feed.url.to_string(), self.now()))
            .await
            .ok()
            .flatten()?;
        DateTime::parse_from_rfc3339(health.last_entry_at.as_deref()?)
            .ok()
            .map(|d| d.with_timezone(&Utc))
    }
}

/// Whether `document`, fetched for `feed`, is a sitemap index.
pub(super) fn is_index(feed: &Feed, document: &Document) -> bool {
    matches!(feed.source, Source::Detect | Source::Sitemap)
        && sitemap::root(&document.text).as_deref() == Some("sitemapindex")
}

/// Children by `lastmod`, the newest first, those without one last in the index's order.
fn newest_first(mut children: Vec<Child>) -> Vec<Child> {
    children.sort_by_key(|c| std::cmp::Reverse(c.lastmod.map(|d| d.with_timezone(&Utc))));
    children
}

/// At most [`MAX_ENTRIES`] entries, the newest, undated ones after the dated in their order.
fn newest(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.sort_by_key(|e| std::cmp::Reverse(e.published.map(|d| d.with_timezone(&Utc))));
    entries.truncate(MAX_ENTRIES);
    entries
}
