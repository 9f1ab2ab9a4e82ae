//! `run`, `run --once` and `check-config`.

use std::path::Path;
use std::process::ExitCode;

use raqib::config::{Config, ConfigError, Database};
use raqib::{daemon, watch};

use super::{CHECK_INVALID, EXIT_CONFIG, EXIT_UNAVAILABLE, load_config, runtime};

pub fn run(config_path: &Path, once: bool) -> anyhow::Result<ExitCode> {
    let config = match load_config(config_path) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let runtime = runtime()?;
    if once {
        let feeds = config.feeds.len();
        let report = match runtime.block_on(daemon::run_once(config)) {
            Ok(report) => report,
            Err(err) => return daemon_failed(err),
        };
        tracing::info!(
            feeds_ok = report.feeds_ok,
            feeds_failed = report.feeds_failed,
            feeds_skipped = report.feeds_skipped,
            new_articles = report.new_articles,
            alerts = report.alerts,
            delivered = report.delivered,
            delivery_failures = report.delivery_failures,
            "run --once finished"
        );
        // Exit 1 only when nothing could be polled at all; a feed another instance was
        // polling is no failure.
        return Ok(
            if feeds > 0 && report.feeds_ok == 0 && report.feeds_failed > 0 {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            },
        );
    }
    match runtime.block_on(daemon::run(config, config_path.to_path_buf())) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(err) => daemon_failed(err),
    }
}

/// A sink or database password that cannot be read is a configuration problem: exit 78 so
/// that systemd does not restart into the same failure. A database server out of reach is
/// not: exit 69, and systemd starts raqib again later.
fn daemon_failed(err: daemon::DaemonError) -> anyhow::Result<ExitCode> {
    match err {
        daemon::DaemonError::Sink(_)
        | daemon::DaemonError::Password(_)
        | daemon::DaemonError::Token(_) => {
            eprintln!("raqib: {err}");
            Ok(ExitCode::from(EXIT_CONFIG))
        }
        err if err.is_unavailable() => {
            eprintln!("raqib: {err}");
            Ok(ExitCode::from(EXIT_UNAVAILABLE))
        }
        other => Err(other.into()),
    }
}

pub fn check_config(path: &Path) -> anyhow::Result<ExitCode> {
    match Config::load(path) {
        Ok(config) => {
            if let Err(err) = watch::Watchlist::compile(&config.watches) {
                eprintln!("{}: {err}", path.display());
                return Ok(ExitCode::from(CHECK_INVALID));
            }
            // Secrets named by the config are read as the daemon will read them.
            let mut unreadable: Vec<String> = config
                .sinks
                .iter()
                .filter_map(|s| raqib::alert::sink::Sink::new(s).err())
                .map(|e| e.to_string())
                .collect();
            if let Database::Postgres(pg) = &config.daemon.database {
                if pg.inline_password {
                    eprintln!(
                        "{}: note: daemon.database holds its password; database_password_env or database_password_file keeps it out of the file",
                        path.display()
                    );
                }
                unreadable.extend(pg.password().err());
            }
            if let Some(http) = &config.http {
                unreadable.extend(http.read_token().err());
            }
            if !unreadable.is_empty() {
                for problem in unreadable {
                    eprintln!("{}: {problem}", path.display());
                }
                return Ok(ExitCode::from(CHECK_INVALID));
            }
            println!(
                "{}: ok ({} feeds, {} watches, {} sinks)",
                path.display(),
                config.feeds.len(),
                config.watches.len(),
                config.sinks.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(err @ (ConfigError::Invalid { .. } | ConfigError::Read { .. })) => {
            eprintln!("{err}");
            Ok(ExitCode::from(CHECK_INVALID))
        }
    }
}
