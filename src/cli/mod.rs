//! The commands of the `raqib` binary, one module per kind: the daemon and its config
//! ([`daemon`]), an outlet's feeds and sitemaps found ([`discover`]), the archive's read-only
//! listings ([`archive`]), the text tools ([`text`]), the rescan of stored articles
//! ([`rescan`]), their search ([`search`]), feed lists in and out as OPML ([`opml`]) and the
//! test of a sink ([`sink`]). Each takes the parsed arguments and returns the exit code; `main`
//! only parses and dispatches.

pub mod archive;
pub mod daemon;
pub mod discover;
pub mod opml;
pub mod rescan;
pub mod search;
pub mod sink;
pub mod text;

use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;
use raqib::config::Config;
use raqib::config::postgres_url::redacted;
use raqib::store::Postgres;

/// Connections a command holds to a PostgreSQL database.
const COMMAND_CONNECTIONS: usize = 2;

/// The PostgreSQL database `pg` names, for a command: migrated as `run` does when `migrate`
/// (a command that writes), else opened as it is (one that reads). Errors name the database,
/// never its password.
pub async fn postgres(pg: &raqib::config::Postgres, migrate: bool) -> anyhow::Result<Postgres> {
    let password = postgres_password(pg)?;
    let password = password.as_deref();
    let opened = if migrate {
        Postgres::connect(&pg.url, password, COMMAND_CONNECTIONS).await
    } else {
        Postgres::open(&pg.url, password, COMMAND_CONNECTIONS).await
    };
    opened.map_err(|err| anyhow::anyhow!("database {}: {err}", redacted(&pg.url)))
}

/// The password `database_password_env` or `database_password_file` names, read now.
pub fn postgres_password(pg: &raqib::config::Postgres) -> anyhow::Result<Option<String>> {
    pg.password().map_err(anyhow::Error::msg)
}

/// EX_CONFIG from sysexits.h: systemd's RestartPreventExitStatus keeps a bad config from
/// turning into a restart loop.
pub const EXIT_CONFIG: u8 = 78;
/// EX_UNAVAILABLE: the database server is out of reach at start; systemd restarts raqib.
pub const EXIT_UNAVAILABLE: u8 = 69;
/// `check-config` on an invalid configuration: 2, as documented (and as a validator run from a
/// script expects), where `run` exits 78 for systemd.
pub const CHECK_INVALID: u8 = 2;

/// How a command prints what it found.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

pub fn load_config(path: &Path) -> Result<Config, ExitCode> {
    Config::load(path).map_err(|err| {
        eprintln!("{err}");
        ExitCode::from(EXIT_CONFIG)
    })
}

/// Blocking threads (extraction, SQLite): a few per core keep both busy; tokio's default of
/// 512 let hundreds of writes each hold a thread, and its memory, while waiting for the one
/// writer.
const BLOCKING_THREADS: usize = 16;

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .max_blocking_threads(BLOCKING_THREADS)
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

pub fn read_input(input: &str) -> anyhow::Result<Vec<u8>> {
    if input == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("cannot read standard input")?;
        Ok(bytes)
    } else {
        std::fs::read(input).with_context(|| format!("cannot read {input}"))
    }
}
