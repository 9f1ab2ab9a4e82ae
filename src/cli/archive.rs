//! The archive's listings: `feeds`, `stories`, `stats`, `backup` and `alerts`, through the
//! seam's [`Listings`]: on SQLite a read-only connection beside the daemon's writer, on
//! PostgreSQL the database opened without creating or migrating it.

use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use raqib::config::{Config, Database};
use raqib::store::{
    AlertEntry, AlertSummary, ArticleDetail, FeedHealth, Listings, Postgres, Reader, Stats,
    StoryDetail, StorySummary, postgres,
};

use super::Format;

/// The archive a command reads, on the backend `database` names.
pub(super) enum Archive {
    Sqlite(Reader),
    Postgres(Postgres),
}

impl Archive {
    /// Open the archive; one that does not exist, or is not at this raqib's schema, is
    /// refused and left as it is.
    async fn open(database: &Database) -> anyhow::Result<Archive> {
        Ok(match database {
            Database::Sqlite(path) => Archive::Sqlite(Reader::open(path)?),
            Database::Postgres(pg) => Archive::Postgres(super::postgres(pg, false).await?),
        })
    }
}

impl Listings for Archive {
    async fn feed_healths(
        &self,
        urls: Vec<String>,
        now: DateTime<Utc>,
    ) -> raqib::store::Result<Vec<Option<FeedHealth>>> {
        match self {
            Archive::Sqlite(reader) => Listings::feed_healths(reader, urls, now).await,
            Archive::Postgres(store) => store.feed_healths(urls, now).await,
        }
    }

    async fn stories_since(&self, since: DateTime<Utc>) -> raqib::store::Result<Vec<StorySummary>> {
        match self {
            Archive::Sqlite(reader) => Listings::stories_since(reader, since).await,
            Archive::Postgres(store) => store.stories_since(since).await,
        }
    }

    async fn alerts_since(
        &self,
        since: DateTime<Utc>,
        watch: Option<String>,
    ) -> raqib::store::Result<Vec<AlertSummary>> {
        match self {
            Archive::Sqlite(reader) => Listings::alerts_since(reader, since, watch).await,
            Archive::Postgres(store) => store.alerts_since(since, watch).await,
        }
    }

    async fn stats(&self) -> raqib::store::Result<Stats> {
        match self {
            Archive::Sqlite(reader) => Listings::stats(reader).await,
            Archive::Postgres(store) => store.stats().await,
        }
    }

    async fn article(&self, id: i64) -> raqib::store::Result<Option<ArticleDetail>> {
        match self {
            Archive::Sqlite(reader) => Listings::article(reader, id).await,
            Archive::Postgres(store) => store.article(id).await,
        }
    }

    async fn story(&self, id: i64) -> raqib::store::Result<Option<StoryDetail>> {
        match self {
            Archive::Sqlite(reader) => Listings::story(reader, id).await,
            Archive::Postgres(store) => store.story(id).await,
        }
    }

    async fn alert_entries(
        &self,
        watch: String,
        limit: usize,
    ) -> raqib::store::Result<Vec<AlertEntry>> {
        match self {
            Archive::Sqlite(reader) => Listings::alert_entries(reader, watch, limit).await,
            Archive::Postgres(store) => store.alert_entries(watch, limit).await,
        }
    }
}

/// What `list` asks of the archive of `config`, read on a runtime of its own.
pub(super) fn read<T>(
    config: &Config,
    list: impl AsyncFnOnce(&Archive) -> raqib::store::Result<T>,
) -> anyhow::Result<T> {
    super::runtime()?.block_on(async {
        let archive = Archive::open(&config.daemon.database).await?;
        Ok(list(&archive).await?)
    })
}

pub fn feeds_command(config_path: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let now = chrono::Utc::now();
    let urls: Vec<String> = config.feeds.iter().map(|f| f.url.to_string()).collect();
    let health = read(&config, async |archive| {
        archive.feed_healths(urls, now).await
    })?;
    let reports = raqib::health::feed_reports(&config, &health, now);
    match format {
        Format::Text => print!("{}", raqib::health::render_text(&reports, now)),
        Format::Json => {
            for report in &reports {
                println!("{}", serde_json::to_string(report)?);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The start of a `--since` period.
fn since(period: std::time::Duration) -> chrono::DateTime<chrono::Utc> {
    let now = chrono::Utc::now();
    chrono::Duration::from_std(period)
        .ok()
        .and_then(|p| now.checked_sub_signed(p))
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
}

fn print_json_lines<T: serde::Serialize>(items: &[T]) -> anyhow::Result<()> {
    for item in items {
        println!("{}", serde_json::to_string(item)?);
    }
    Ok(())
}

pub fn stories_command(
    config_path: &Path,
    period: std::time::Duration,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let stories = read(&config, async |archive| {
        archive.stories_since(since(period)).await
    })?;
    match format {
        Format::Text => print!("{}", raqib::listing::stories_text(&stories)),
        Format::Json => print_json_lines(&stories)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats_command(config_path: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let stats = read(&config, async |archive| archive.stats().await)?;
    match format {
        Format::Text => print!("{}", raqib::listing::stats_text(&stats)),
        Format::Json => println!("{}", serde_json::to_string(&stats)?),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn backup_command(config_path: &Path, to: &Path) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let started = std::time::Instant::now();
    match &config.daemon.database {
        Database::Sqlite(path) => Reader::open(path)?.backup(to)?,
        Database::Postgres(pg) => {
            // Refused as the listings are (and the server reached) before pg_dump runs.
            super::runtime()?.block_on(super::postgres(pg, false))?;
            let password = super::postgres_password(pg)?;
            postgres::dump(&pg.url, password.as_deref(), to)?;
        }
    }
    let size = std::fs::metadata(to).map(|m| m.len()).unwrap_or(0);
    println!(
        "{} -> {} ({:.1} MB in {:.1} s)",
        config.daemon.database,
        to.display(),
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn alerts_command(
    config_path: &Path,
    period: std::time::Duration,
    watch: Option<&str>,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    if let Some(name) = watch.filter(|n| !config.watches.iter().any(|w| w.name == *n)) {
        // Alerts of a watch since removed from the config are still listed; say so.
        eprintln!(
            "raqib: note: no watch named {name:?} in {}",
            config_path.display()
        );
    }
    let watch = watch.map(str::to_string);
    let alerts = read(&config, async |archive| {
        archive.alerts_since(since(period), watch).await
    })?;
    match format {
        Format::Text => print!("{}", raqib::listing::alerts_text(&alerts)),
        Format::Json => print_json_lines(&alerts)?,
    }
    Ok(ExitCode::SUCCESS)
}
