//! `rescan`: one watch over the articles already stored.

use std::path::Path;
use std::process::ExitCode;

use raqib::config::Config;

pub fn rescan_command(
    config_path: &Path,
    watch: &str,
    since: Option<std::time::Duration>,
    alert: bool,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    // Refused before the watch is looked up: the database is the first thing it needs.
    config.daemon.database.sqlite_file()?;
    let report = raqib::rescan::rescan(&config, watch, since, alert, chrono::Utc::now())?;
    println!(
        "watch {watch:?}: {} articles scanned, fired on {}, {} matches recorded, {} alerts raised",
        report.articles, report.matched, report.matches, report.alerts
    );
    Ok(ExitCode::SUCCESS)
}
