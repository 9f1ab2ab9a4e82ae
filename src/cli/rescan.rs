//! `rescan`: one watch over the articles already stored.

use std::path::Path;
use std::process::ExitCode;

use raqib::config::{Config, Database};
use raqib::rescan::Rescan;
use raqib::store::Sqlite;

pub fn rescan_command(
    config_path: &Path,
    watch: &str,
    since: Option<std::time::Duration>,
    alert: bool,
) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    let rescan = Rescan::new(&config, watch)?;
    let now = chrono::Utc::now();
    let report = super::runtime()?.block_on(async {
        anyhow::Ok(match &config.daemon.database {
            Database::Sqlite(path) => rescan.run(&Sqlite::open(path)?, since, alert, now).await?,
            // Opened as `run` opens it: the daemon and a rescan write the same way.
            Database::Postgres(pg) => {
                let store = super::postgres(pg, true).await?;
                rescan.run(&store, since, alert, now).await?
            }
        })
    })?;
    println!(
        "watch {watch:?}: {} articles scanned, fired on {}, {} matches recorded, {} alerts raised",
        report.articles, report.matched, report.matches, report.alerts
    );
    Ok(ExitCode::SUCCESS)
}
