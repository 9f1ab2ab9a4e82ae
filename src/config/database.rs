//! `[daemon] database`: a SQLite file (the default, `raqib.db`), or a PostgreSQL server named
//! by a `postgres://` or `postgresql://` URL, whose password comes from
//! `database_password_env` or `database_password_file` (as sinks' secrets), or from the URL
//! itself: accepted, as a sink's inline `secret` is, and `check-config` notes it, since the
//! file then holds a password.

use std::fmt;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::{Checker, Secret};

/// Where raqib keeps its archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database.
    Postgres(Postgres),
}

/// A PostgreSQL database and how to log in to it.
#[derive(Clone, PartialEq, Eq)]
pub struct Postgres {
    /// The URL as written (it may hold the password).
    pub url: String,
    /// The password when `database_password_env` or `database_password_file` names it.
    pub password: Option<Secret>,
    /// The URL itself holds a password.
    pub inline_password: bool,
}

impl fmt::Debug for Postgres {
    // The URL may hold the password: only its redacted form is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Postgres")
            .field("url", &super::postgres_url::redacted(&self.url))
            .field("password", &self.password.as_ref().map(|_| "…"))
            .finish()
    }
}

impl Postgres {
    /// The password named by `database_password_env` / `database_password_file`, read now;
    /// `None` when there is none to read (the URL holds it, or the server needs none).
    pub fn password(&self) -> Result<Option<String>, String> {
        let Some(secret) = &self.password else {
            return Ok(None);
        };
        let key = match secret {
            Secret::File(_) => "daemon.database_password_file",
            _ => "daemon.database_password_env",
        };
        secret
            .read()
            .map(Some)
            .map_err(|why| format!("{key}: {why}"))
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(pg) => f.write_str(&super::postgres_url::redacted(&pg.url)),
        }
    }
}

/// The `[daemon]` keys that say where the archive is.
pub(super) struct RawDatabase<'a> {
    pub database: Option<&'a Spanned<String>>,
    pub password_env: Option<&'a Spanned<String>>,
    pub password_file: Option<&'a Spanned<String>>,
}

impl Checker<'_> {
    pub(super) fn database(&mut self, base: &Path, raw: RawDatabase<'_>) -> Database {
        let Some(value) = raw.database else {
            self.password_needs_postgres(&raw);
            return Database::Sqlite(self.state.as_deref().unwrap_or(base).join("raqib.db"));
        };
        let text = value.get_ref();
        let scheme = text.split_once("://").map(|(scheme, _)| scheme);
        match scheme {
            Some("postgres" | "postgresql") => self.postgres(base, value, &raw),
            Some(scheme)
                if !scheme.is_empty()
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
            {
                self.problem(
                    value.span().start,
                    format!(
                        "daemon.database: {scheme}:// is not a database raqib knows; give a SQLite file path or a postgres:// URL"
                    ),
                );
                Database::Sqlite(base.join("raqib.db"))
            }
            _ => {
                self.password_needs_postgres(&raw);
                Database::Sqlite(self.state_path(base, value, "daemon.database"))
            }
        }
    }

    fn password_needs_postgres(&mut self, raw: &RawDatabase<'_>) {
        for (key, value) in [
            ("database_password_env", raw.password_env),
            ("database_password_file", raw.password_file),
        ] {
            if let Some(value) = value {
                self.problem(
                    value.span().start,
                    format!("daemon.{key} is for a PostgreSQL database (database = \"postgres://…\"), and database is a SQLite file"),
                );
            }
        }
    }

    fn postgres(
        &mut self,
        base: &Path,
        value: &Spanned<String>,
        raw: &RawDatabase<'_>,
    ) -> Database {
        let url = value.get_ref().clone();
        // The URL is not repeated in messages: it may hold a password.
        let inline_password = match super::postgres_url::inspect_url(&url) {
            Ok(facts) => facts.has_password,
            Err(why) => {
                self.problem(
                    value.span().start,
                    format!("daemon.database: the URL {why}"),
                );
                false
            }
        };
        let password = match (raw.password_env, raw.password_file) {
            (Some(_), Some(file)) => {
                self.problem(
                    file.span().start,
                    "daemon: give one of database_password_env, database_password_file",
                );
                None
            }
            (Some(var), None) => Some(Secret::Env(var.get_ref().clone())),
            (None, Some(file)) => Some(Secret::File(self.path(
                base,
                file,
                "daemon.database_password_file",
            ))),
            (None, None) => None,
        };
        if inline_password && password.is_some() {
            self.problem(
                value.span().start,
                "daemon.database holds a password and database_password_env or database_password_file names another: keep one",
            );
        }
        Database::Postgres(Postgres {
            url,
            password,
            inline_password,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{load, problems};
    use super::*;

    fn messages(source: &str) -> Vec<String> {
        problems(source).into_iter().map(|p| p.message).collect()
    }

    #[test]
    fn a_sqlite_file_stays_the_default() {
        let config = load("").unwrap();
        assert_eq!(
            config.daemon.database,
            Database::Sqlite("/etc/raqib/raqib.db".into())
        );
        let config = load("[daemon]\ndatabase = \"archive/raqib.db\"\n").unwrap();
        assert_eq!(
            config.daemon.database,
            Database::Sqlite("/etc/raqib/archive/raqib.db".into())
        );
    }

    #[test]
    fn postgres_urls_are_read_with_the_password_beside_them() {
        for scheme in ["postgres", "postgresql"] {
            let config = load(&format!(
                "[daemon]\ndatabase = \"{scheme}://raqib@db.example.org:5432/raqib\"\n\
                 database_password_file = \"db.password\"\n"
            ))
            .unwrap();
            let Database::Postgres(pg) = &config.daemon.database else {
                panic!("{:?}", config.daemon.database)
            };
            assert_eq!(
                pg.url,
                format!("{scheme}://raqib@db.example.org:5432/raqib")
            );
            assert!(pg.password == Some(Secret::File("/etc/raqib/db.password".into())));
            assert!(!pg.inline_password);
        }
        let config = load(
            "[daemon]\ndatabase = \"postgres://raqib@db/raqib\"\ndatabase_password_env = \"PGPASS\"\n",
        )
        .unwrap();
        let Database::Postgres(pg) = &config.daemon.database else {
            panic!()
        };
        assert!(pg.password == Some(Secret::Env("PGPASS".into())));
    }

    #[test]
    fn a_password_inside_the_url_is_accepted_and_never_shown() {
        let config =
            load("[daemon]\ndatabase = \"postgres://raqib:s3cret@db.example.org/raqib\"\n")
                .unwrap();
        let Database::Postgres(pg) = &config.daemon.database else {
            panic!()
        };
        assert!(pg.inline_password && pg.password.is_none());
        let shown = format!("{} {:?}", config.daemon.database, config.daemon);
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://raqib:***@db.example.org/raqib"),
            "{shown}"
        );
    }

    #[test]
    fn database_mistakes_are_reported_clearly_and_without_the_password() {
        assert_eq!(
            messages("[daemon]\ndatabase = \"mysql://raqib@db/raqib\"\n"),
            [
                "daemon.database: mysql:// is not a database raqib knows; give a SQLite file path or a postgres:// URL"
            ]
        );
        let found =
            messages("[daemon]\ndatabase = \"postgres://raqib:s3cret@db/raqib?sslmode=bogus\"\n");
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].starts_with("daemon.database: the URL is not a PostgreSQL URL"),
            "{found:?}"
        );
        assert!(!found[0].contains("s3cret"), "{found:?}");
        assert_eq!(
            messages("[daemon]\ndatabase = \"postgres:///raqib\"\n"),
            [
                "daemon.database: the URL names no host; write e.g. postgres://raqib@db.example.org:5432/raqib"
            ]
        );
        assert_eq!(
            messages(
                "[daemon]\ndatabase = \"postgres://raqib@db/raqib\"\ndatabase_password_env = \"A\"\ndatabase_password_file = \"b\"\n"
            ),
            ["daemon: give one of database_password_env, database_password_file"]
        );
        assert_eq!(
            messages(
                "[daemon]\ndatabase = \"postgres://raqib:x@db/raqib\"\ndatabase_password_env = \"A\"\n"
            ),
            [
                "daemon.database holds a password and database_password_env or database_password_file names another: keep one"
            ]
        );
        assert_eq!(
            messages("[daemon]\ndatabase_password_env = \"A\"\n"),
            [
                "daemon.database_password_env is for a PostgreSQL database (database = \"postgres://…\"), and database is a SQLite file"
            ]
        );
    }

    #[test]
    fn the_password_is_read_naming_its_key() {
        let config = load(
            "[daemon]\ndatabase = \"postgres://raqib@db/raqib\"\ndatabase_password_env = \"RAQIB_TEST_UNSET_PASSWORD\"\n",
        )
        .unwrap();
        let Database::Postgres(pg) = &config.daemon.database else {
            panic!()
        };
        assert_eq!(
            pg.password().unwrap_err(),
            "daemon.database_password_env: environment variable \"RAQIB_TEST_UNSET_PASSWORD\" is not set"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("pw"), "s3cret\n").unwrap();
        let config = super::super::Config::from_toml(
            &dir.path().join("config.toml"),
            "[daemon]\ndatabase = \"postgres://raqib@db/raqib\"\ndatabase_password_file = \"pw\"\n",
        )
        .unwrap();
        let Database::Postgres(pg) = &config.daemon.database else {
            panic!()
        };
        assert_eq!(pg.password().unwrap().as_deref(), Some("s3cret"));
    }
}
