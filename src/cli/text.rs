//! The text tools: `extract` a page's article, `match` the watches over a text.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use raqib::config::Config;
use raqib::{extract, fetch, watch};

use super::{Format, read_input, runtime};

/// What `match` reads: the text, and what its queries may ask of it.
#[derive(clap::Args)]
pub struct MatchArgs {
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// The article's title, for `title:` in queries.
    #[arg(long, default_value = "")]
    pub title: String,
    /// The outlet name, for `outlet:` in queries.
    #[arg(long, default_value = "")]
    pub outlet: String,
    /// The language code, for `lang:` in queries (detected from the text when not given).
    #[arg(long)]
    pub lang: Option<String>,
    /// The article body: a text file, or - for standard input.
    pub input: String,
}

pub fn extract_command(
    config_path: &Path,
    url: Option<url::Url>,
    format: Format,
    input: &str,
) -> anyhow::Result<ExitCode> {
    let (html, page_url) = match url::Url::parse(input)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
    {
        Some(address) => {
            // Fetch with the configured policy when there is a config, the defaults otherwise.
            let config = if config_path.exists() {
                Config::load(config_path)?
            } else {
                Config::from_toml(config_path, "")?
            };
            let fetcher = fetch::Fetcher::new(&config.daemon)?;
            let outcome = runtime()?.block_on(fetcher.get(&address, None, chrono::Utc::now()))?;
            match outcome {
                fetch::Outcome::Fetched(document) => (document.text, Some(document.url)),
                fetch::Outcome::NotModified { .. } => bail!("{address}: unexpected 304"),
            }
        }
        None => {
            let bytes = read_input(input)?;
            let tld = url
                .as_ref()
                .and_then(|u| u.host_str())
                .and_then(|h| h.rsplit('.').next())
                .map(str::to_string);
            (fetch::charset::decode(&bytes, None, tld.as_deref()).0, url)
        }
    };
    let options = extract::Options {
        fetched_at: Some(chrono::Utc::now()),
        ..extract::Options::default()
    };
    let (article, _) = extract::extract_with(&html, page_url.as_ref(), &options)
        .with_context(|| input.to_string())?;
    match format {
        Format::Text => println!("{}", article.body),
        Format::Json => println!("{}", serde_json::to_string(&article)?),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn match_command(config_path: &Path, article: &MatchArgs) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let watchlist = watch::Watchlist::compile(&config.watches)?;
    let bytes = read_input(&article.input)?;
    let text = fetch::charset::decode(&bytes, None, None).0;
    let lang = article
        .lang
        .clone()
        .or_else(|| extract::detect_language(&text).map(str::to_string));
    let hits = watchlist.scan(&watch::Subject {
        title: &article.title,
        body: &text,
        outlet: &article.outlet,
        lang: lang.as_deref(),
    });
    for hit in &hits {
        let name = &config.watches[hit.watch].name;
        match article.format {
            Format::Json => {
                let matches: Vec<_> = hit
                    .matches
                    .iter()
                    .map(|m| serde_json::json!({"term": m.term, "text": m.text, "field": m.field, "start": m.start, "end": m.end, "snippet": m.snippet}))
                    .collect();
                println!("{}", serde_json::json!({"watch": name, "matches": matches}));
            }
            Format::Text => {
                for m in &hit.matches {
                    println!(
                        "{name}\t{} {}..{}\t{}\t{}\t{}",
                        m.field.as_str(),
                        m.start,
                        m.end,
                        m.term,
                        m.text,
                        m.snippet
                    );
                }
            }
        }
    }
    Ok(if hits.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
