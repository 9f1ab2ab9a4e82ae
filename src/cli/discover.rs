//! `raqib discover URL`: an outlet's home page read for its feeds and sitemaps, each candidate
//! fetched with the configured policy (caps, private-network guard, politeness; robots.txt for
//! the home page) and proposed as a ready `[[feed]]` block with what it yielded.

use std::collections::VecDeque;
use std::process::ExitCode;

use anyhow::bail;
use chrono::Utc;
use raqib::config::Config;
use raqib::discover::{self, Found};
use raqib::fetch::{Document, Fetcher, Outcome};
use url::Url;

use super::runtime;

/// Sitemaps with news in their address an index lists, examined at most.
const NEWS_CHILDREN: usize = 3;

pub fn discover_command(config_path: &std::path::Path, home: &Url) -> anyhow::Result<ExitCode> {
    if !matches!(home.scheme(), "http" | "https") {
        bail!("{home}: discover reads http or https addresses");
    }
    // The configured policy when there is a config, the defaults otherwise.
    let config = if config_path.exists() {
        Config::load(config_path)?
    } else {
        Config::from_toml(config_path, "")?
    };
    let fetcher = Fetcher::new(&config.daemon)?;
    let zone = config.daemon.timezone;
    let found = runtime()?.block_on(async {
        let page = match fetcher.get_page(home, Utc::now()).await? {
            Outcome::Fetched(page) => page,
            Outcome::NotModified { .. } => bail!("{home}: unexpected 304"),
        };
        let mut candidates: VecDeque<Url> = discover::alternates(&page.text, &page.url).into();
        for path in discover::COMMON_PATHS {
            candidates.extend(page.url.join(path).ok());
        }
        if let Ok(robots) = page.url.join("/robots.txt") {
            if let Some(robots) = fetched(&fetcher, &robots).await {
                candidates.extend(discover::robots_sitemaps(&robots.text, &robots.url));
            }
        }
        let mut found: Vec<Found> = Vec::new();
        let mut tried: Vec<Url> = Vec::new();
        while let Some(candidate) = candidates.pop_front() {
            if tried.contains(&candidate) {
                continue;
            }
            tried.push(candidate.clone());
            let Some(document) = fetched(&fetcher, &candidate).await else {
                continue;
            };
            // A path that redirects to a feed found already (/feed → /feed/) is that feed.
            if found.iter().any(|f| f.url == document.url) {
                continue;
            }
            let Some(result) = discover::examine(&document.text, &document.url, zone) else {
                continue;
            };
            candidates.extend(result.news_children.iter().take(NEWS_CHILDREN).cloned());
            found.push(result);
        }
        Ok(found)
    })?;
    let outlet = home
        .host_str()
        .unwrap_or_default()
        .trim_start_matches("www.")
        .to_string();
    if found.is_empty() {
        eprintln!("{home}: no feed or sitemap found");
        return Ok(ExitCode::from(1));
    }
    let blocks: Vec<String> = found.iter().map(|f| discover::block(f, &outlet)).collect();
    print!("{}", blocks.join("\n"));
    Ok(ExitCode::SUCCESS)
}

/// `url` fetched, when it answers with a body; a failure is a candidate that is not there.
async fn fetched(fetcher: &Fetcher, url: &Url) -> Option<Document> {
    match fetcher.get(url, None, Utc::now()).await {
        Ok(Outcome::Fetched(document)) => Some(document),
        Ok(Outcome::NotModified { .. }) => None,
        Err(err) => {
            tracing::debug!(url = %url, error = %err, "not a feed");
            None
        }
    }
}
