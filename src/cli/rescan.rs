//! `rescan`: one watch over the articles already stored.

use std::path::Path;
use std::process::ExitCode;

use raqib::config::Config;
use raqib::rescan::Rescan;
use raqib::store::Sqlite;

pub fn rescan_command(
    config_path: &Path,
    watch: &str,
    since: Option<std::time::Duration>,
    alert: bool,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    // Refused before the watch is looked up: the database is the first thing it needs.
    let database = config.daemon.database.sqlite_file()?.to_path_buf();
    let rescan = Rescan::new(&config, watch)?;
    let report = super::runtime()?.block_on(async {
        let store = Sqlite::open(&database)?;
        rescan.run(&store, since, alert, chrono::Utc::now()).await
    })?;
    println!(
        "watch {watch:?}: {} articles scanned, fired on {}, {} matches recorded, {} alerts raised",
        report.articles, report.matched, report.matches, report.alerts
    );
    Ok(ExitCode::SUCCESS)
}
