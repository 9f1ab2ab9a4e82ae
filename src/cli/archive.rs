//! The archive's listings: `feeds`, `stories`, `stats`, `backup` and `alerts`, on a read-only
//! connection beside the daemon's writer.

use std::path::Path;
use std::process::ExitCode;

use raqib::config::Config;

use super::Format;

pub fn feeds_command(config_path: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let reader = raqib::store::Reader::open(config.daemon.database.sqlite_file()?)?;
    let now = chrono::Utc::now();
    let urls: Vec<&str> = config.feeds.iter().map(|f| f.url.as_str()).collect();
    let health = reader.feed_healths(&urls, now)?;
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
    let reader = raqib::store::Reader::open(config.daemon.database.sqlite_file()?)?;
    let stories = reader.stories_since(since(period))?;
    match format {
        Format::Text => print!("{}", raqib::listing::stories_text(&stories)),
        Format::Json => print_json_lines(&stories)?,
    }
    Ok(ExitCode::SUCCESS)
}

pub fn stats_command(config_path: &Path, format: Format) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let reader = raqib::store::Reader::open(config.daemon.database.sqlite_file()?)?;
    let stats = reader.stats()?;
    match format {
        Format::Text => print!("{}", raqib::listing::stats_text(&stats)),
        Format::Json => println!("{}", serde_json::to_string(&stats)?),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn backup_command(config_path: &Path, to: &Path) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let reader = raqib::store::Reader::open(config.daemon.database.sqlite_file()?)?;
    let started = std::time::Instant::now();
    reader.backup(to)?;
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
    let reader = raqib::store::Reader::open(config.daemon.database.sqlite_file()?)?;
    let alerts = reader.alerts_since(since(period), watch)?;
    match format {
        Format::Text => print!("{}", raqib::listing::alerts_text(&alerts)),
        Format::Json => print_json_lines(&alerts)?,
    }
    Ok(ExitCode::SUCCESS)
}
