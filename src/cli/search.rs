//! `search`: the watch query language over the stored articles, on either backend.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use raqib::config::{Config, Database};
use raqib::search::{Found, Search, Sort};
use raqib::store::{Reader, SearchIndex, postgres};

use super::{Format, runtime};

#[derive(clap::Args)]
pub struct SearchArgs {
    /// Only articles published (fetched, when the date is unknown) within this long, e.g. 30d.
    #[arg(long, value_parser = humantime::parse_duration)]
    pub since: Option<std::time::Duration>,
    /// At most this many articles.
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    #[arg(long, value_enum, default_value_t = SortArg::Newest)]
    pub sort: SortArg,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print the query as a [[watch]] block named NAME for config.toml, and search nothing.
    #[arg(long, value_name = "NAME")]
    pub as_watch: Option<String>,
    /// The query, in the language of a watch's `query`.
    pub query: String,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum SortArg {
    /// Publication time, newest first.
    Newest,
    /// Title matches count five times a body match; then newest first.
    Relevance,
}

/// Exit 0 when an article matched, 1 when none did; errors exit 2 (in `main`).
pub fn search_command(config_path: &Path, args: &SearchArgs) -> anyhow::Result<ExitCode> {
    let search = Search::new(&args.query)?;
    if let Some(name) = &args.as_watch {
        print!("{}", search.as_watch(name));
        return Ok(ExitCode::SUCCESS);
    }
    let config = Config::load(config_path)?;
    let sort = match args.sort {
        SortArg::Newest => Sort::Newest,
        SortArg::Relevance => Sort::Relevance,
    };
    let now = chrono::Utc::now();
    let found = runtime()?.block_on(async {
        match &config.daemon.database {
            Database::Sqlite(path) => {
                let reader = Reader::open(path)?;
                run(&search, &reader, args, sort, now).await
            }
            Database::Postgres(pg) => {
                let password = pg.password().map_err(anyhow::Error::msg)?;
                let pool = postgres::Pool::connect(&pg.url, password.as_deref(), 2).await?;
                run(&search, &pool, args, sort, now).await
            }
        }
    })?;
    for one in &found {
        match args.format {
            Format::Json => println!("{}", serde_json::to_string(&one.json())?),
            Format::Text => println!("{}", text(one)),
        }
    }
    Ok(if found.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

async fn run(
    search: &Search,
    index: &impl SearchIndex,
    args: &SearchArgs,
    sort: Sort,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<Vec<Found>> {
    search
        .run(index, args.since, args.limit, sort, now)
        .await
        .context("search failed")
}

/// Date, outlet, title, address, then the first match's snippet on the next line.
fn text(found: &Found) -> String {
    let article = &found.article;
    let date = chrono::DateTime::from_timestamp(found.at, 0)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let mut line = format!(
        "{date}  {}  {}  {}",
        article.outlet,
        article.title,
        article.url.as_deref().unwrap_or("-")
    );
    if let Some(first) = found.matches.first() {
        line.push_str("\n    ");
        line.push_str(&first.snippet);
    }
    line
}
