//! An outlet that keeps publishing: feeds that grow, one page per article built from the seeds
//! with a unique closing sentence, and titles that name the watched person two times in three.

use std::time::Duration;

use super::{Resource, Server, lines, seed, wordpress_page};

/// Feeds of an [`Outlet`]; article `n` goes to feed `n % FEEDS`.
pub const FEEDS: usize = 4;
const SEEDS: [&str; 5] = ["000", "001", "002", "003", "004"];

/// An outlet server whose feeds grow: article `n` goes to feed `n % FEEDS`, with its page.
pub struct Outlet {
    pub server: Server,
    pub published: Vec<Published>,
    seeds: Vec<String>,
}

#[derive(Clone)]
pub struct Published {
    pub url: String,
    pub title: String,
    /// Whether the title names the watched person ("Hammouchi").
    pub alerts: bool,
}

impl Outlet {
    pub fn start() -> Outlet {
        let outlet = Outlet {
            server: Server::start(),
            published: Vec::new(),
            seeds: SEEDS.iter().map(|s| seed(s)).collect(),
        };
        for feed in 0..FEEDS {
            outlet.put_feed(feed);
        }
        outlet
    }

    pub fn feed_url(&self, feed: usize) -> String {
        self.server.url(&format!("/feed/{feed}.xml"))
    }

    /// Publish the next article; its page answers after `delay`, spreading a life's work so
    /// that kills land in the middle of it.
    pub fn publish(&mut self, delay: Duration) {
        self.publish_padded(delay, 0);
    }

    /// As [`Outlet::publish`], with about `padding` more bytes of text unique to the article.
    pub fn publish_padded(&mut self, delay: Duration, padding: usize) {
        let n = self.published.len();
        let alerts = n % 3 != 0;
        let title = if alerts {
            format!("Hammouchi receives delegation {n}")
        } else {
            format!("Weather bulletin {n}")
        };
        let seed = &self.seeds[n % self.seeds.len()];
        let mut paragraphs: Vec<String> = lines(seed)
            .into_iter()
            .filter(|l| l.chars().count() > 60)
            .take(8)
            .map(str::to_string)
            .collect();
        // Unique text, so that no two pages are the same article.
        paragraphs.push(format!(
            "This is dispatch number {n} of the crash test, written for article {n} alone."
        ));
        let mut written = 0;
        while written < padding {
            let line = format!(
                "Paragraph {} of the long report {n} goes on about item {n}-{written} in detail.",
                paragraphs.len()
            );
            written += line.len();
            paragraphs.push(line);
        }
        let paragraphs: Vec<&str> = paragraphs.iter().map(String::as_str).collect();
        let path = format!("/p/{n}.html");
        self.server.put(
            &path,
            Resource::new(
                "text/html; charset=utf-8",
                wordpress_page(&title, &paragraphs, None, &[]),
            )
            .with_delay(delay),
        );
        self.published.push(Published {
            url: self.server.url(&path),
            title,
            alerts,
        });
        self.put_feed(n % FEEDS);
    }

    fn put_feed(&self, feed: usize) {
        let items: String = self
            .published
            .iter()
            .enumerate()
            .filter(|(n, _)| n % FEEDS == feed)
            .map(|(n, p)| {
                format!(
                    "<item><title>{}</title><link>{}</link><guid>article-{n}</guid></item>",
                    p.title, p.url
                )
            })
            .collect();
        self.server.put(
            &format!("/feed/{feed}.xml"),
            Resource::new(
                "application/rss+xml",
                format!("<rss version=\"2.0\"><channel><title>feed {feed}</title>{items}</channel></rss>"),
            ),
        );
    }
}
