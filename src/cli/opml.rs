//! `raqib feeds import` and `raqib feeds export`: the desk's feed list in and out of other
//! readers, as OPML. Neither writes the database nor the config file: import prints what to
//! append, export prints the list (with the feeds' titles the database holds, when it can be
//! read).

use std::collections::HashSet;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use raqib::config::{Config, Feed};
use raqib::opml;
use raqib::store::Listings;

use super::archive::read;
use super::load_config;

/// Print `[[feed]]` blocks for the feeds `file` lists that the config at `config_path` does
/// not have yet; say on standard error what was left out and why.
pub fn import_command(config_path: &Path, file: &Path) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let listed = opml::read(file, &bytes)?;
    let configured: Vec<String> = if config_path.exists() {
        match load_config(config_path) {
            Ok(config) => config
                .feeds
                .iter()
                .map(|f| opml::same_feed_key(&f.url))
                .collect(),
            Err(code) => return Ok(code),
        }
    } else {
        eprintln!(
            "no config at {}: every feed of the file is printed",
            config_path.display()
        );
        Vec::new()
    };
    let configured: HashSet<String> = configured.into_iter().collect();
    let mut seen = HashSet::new();
    let (mut already, mut twice, mut not_feeds) = (0, 0, 0);
    let mut fresh = Vec::new();
    for feed in listed {
        let key = opml::same_feed_key(&feed.url);
        if !feed.is_feed() {
            not_feeds += 1;
            eprintln!(
                "{}:{}: skipped {}: its type {:?} is not a feed",
                file.display(),
                feed.line,
                feed.url,
                feed.kind.as_deref().unwrap_or_default()
            );
        } else if configured.contains(&key) {
            already += 1;
        } else if !seen.insert(key) {
            twice += 1;
        } else {
            fresh.push(feed);
        }
    }
    print!("{}", opml::feed_blocks(&fresh));
    eprintln!(
        "{} feed{} to add from {}; skipped {already} already in {} (the same feed URL, \
         http or https, with or without www. and a trailing /), {twice} listed twice in the \
         file, {not_feeds} not a feed",
        fresh.len(),
        if fresh.len() == 1 { "" } else { "s" },
        file.display(),
        config_path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Print the configured feeds as OPML 2.0, each under the outlet name alerts give it: the
/// feed's own title when the database has one and the config names no outlet.
pub fn export_command(config_path: &Path) -> anyhow::Result<ExitCode> {
    let config: Config = match load_config(config_path) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let urls: Vec<String> = config.feeds.iter().map(|f| f.url.to_string()).collect();
    let now = chrono::Utc::now();
    // A list exported before the first poll, or away from the database, still lists them all.
    let health = read(&config, async |archive| {
        archive.feed_healths(urls, now).await
    })
    .unwrap_or_else(|err| {
        eprintln!("{err:#}: an outlet the config does not name is given as its host");
        vec![None; config.feeds.len()]
    });
    let feeds: Vec<Feed> = config
        .feeds
        .iter()
        .zip(health)
        .map(|(feed, row)| Feed {
            outlet: feed.outlet_titled(row.and_then(|r| r.title).as_deref()),
            ..feed.clone()
        })
        .collect();
    print!("{}", opml::opml(&feeds));
    Ok(ExitCode::SUCCESS)
}
