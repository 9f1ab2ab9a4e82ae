//! `raqib backup` on PostgreSQL: PostgreSQL's own `pg_dump`, in its custom format (what
//! `pg_restore` reads), since a server database is copied consistently by the server alone.
//!
//! The connection goes to pg_dump in libpq's environment variables, read from the URL as
//! raqib reads it: the password travels in `PGPASSWORD`, never on a command line another user
//! could list, nor in a message.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use tokio_postgres::config::{Host, SslMode};

use super::CONNECT_TIMEOUT;
use crate::config::postgres_url::connection_config;
use crate::store::{Result, StoreError};

/// libpq's variables that would otherwise reach pg_dump from raqib's own environment and
/// point it elsewhere than `database` does.
const INHERITED: &[&str] = &[
    "PGHOST",
    "PGHOSTADDR",
    "PGPORT",
    "PGUSER",
    "PGDATABASE",
    "PGPASSWORD",
    "PGOPTIONS",
    "PGSERVICE",
    "PGSSLMODE",
    "PGAPPNAME",
    "PGCONNECT_TIMEOUT",
];

/// Dump the database `url` names (with `password` when the URL carries none) to `to` with
/// `pg_dump -Fc`. The dump is written beside `to` and renamed into place once pg_dump
/// succeeded, so a failure leaves no file at `to`; an existing `to` is refused.
pub fn dump(url: &str, password: Option<&str>, to: &Path) -> Result<()> {
    let refuse = |message: String| StoreError::Backup {
        path: to.to_path_buf(),
        message,
    };
    if to.exists() {
        return Err(refuse("exists already; choose a new file".into()));
    }
    let mut partial = to.as_os_str().to_owned();
    partial.push(".partial");
    let partial = PathBuf::from(partial);
    let _ = std::fs::remove_file(&partial);
    let mut command = Command::new("pg_dump");
    command
        .arg("--format=custom")
        .arg("--no-password")
        .arg("--file")
        .arg(&partial)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    connection_env(&mut command, url, password).map_err(&refuse)?;
    let output = command.output().map_err(|err| {
        refuse(match err.kind() {
            std::io::ErrorKind::NotFound => "pg_dump is not on PATH: install PostgreSQL's client programs (Debian: postgresql-client) of the server's major version or newer, or run `pg_dump -Fc` yourself".into(),
            _ => format!("cannot run pg_dump: {err}"),
        })
    })?;
    if !output.status.success() {
        let _ = std::fs::remove_file(&partial);
        let said = String::from_utf8_lossy(&output.stderr);
        let said = said.trim();
        return Err(refuse(format!(
            "pg_dump failed ({}){}{said}; nothing was written",
            output.status,
            if said.is_empty() { "" } else { ": " },
        )));
    }
    std::fs::rename(&partial, to).map_err(|err| {
        let _ = std::fs::remove_file(&partial);
        refuse(err.to_string())
    })
}

/// Point `command` at the database `url` names, through libpq's environment.
fn connection_env(
    command: &mut Command,
    url: &str,
    password: Option<&str>,
) -> std::result::Result<(), String> {
    let config = connection_config(url)?;
    for name in INHERITED {
        command.env_remove(name);
    }
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            Host::Tcp(name) => name.clone(),
            Host::Unix(dir) => dir.display().to_string(),
        })
        .collect();
    let join = |items: Vec<String>| items.join(",");
    command.env("PGHOST", join(hosts));
    if !config.get_hostaddrs().is_empty() {
        let addrs = config.get_hostaddrs().iter().map(|a| a.to_string());
        command.env("PGHOSTADDR", join(addrs.collect()));
    }
    if !config.get_ports().is_empty() {
        let ports = config.get_ports().iter().map(|p| p.to_string());
        command.env("PGPORT", join(ports.collect()));
    }
    if let Some(user) = config.get_user() {
        command.env("PGUSER", user);
    }
    if let Some(dbname) = config.get_dbname() {
        command.env("PGDATABASE", dbname);
    }
    if let Some(options) = config.get_options() {
        command.env("PGOPTIONS", options);
    }
    let inline = config
        .get_password()
        .map(|p| String::from_utf8_lossy(p).into_owned());
    if let Some(password) = inline.as_deref().or(password) {
        command.env("PGPASSWORD", password);
    }
    let timeout = config.get_connect_timeout().unwrap_or(&CONNECT_TIMEOUT);
    command.env("PGCONNECT_TIMEOUT", timeout.as_secs().max(1).to_string());
    command.env(
        "PGAPPNAME",
        config.get_application_name().unwrap_or("raqib pg_dump"),
    );
    if config.get_ssl_mode() == SslMode::Disable {
        command.env("PGSSLMODE", "disable");
    }
    Ok(())
}
