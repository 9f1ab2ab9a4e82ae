//! PostgreSQL storage, in progress: the pool, the schema and its migrations, and
//! the feed leases by which several instances share one database's feeds. Nothing outside
//! `store/` sees a tokio-postgres or deadpool type. The daemon does not run on it yet: the
//! storage seam between the pipeline and either backend comes first.

mod lease;
mod migrate;

use std::time::Duration;

pub use lease::{LeasedFeed, claim_due_feeds, release_lease, renew_leases};
pub use migrate::{LATEST as SCHEMA_VERSION, migrate};

/// How long opening one connection may take when the URL sets no `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("database {shown} {detail}")]
    Url { shown: String, detail: String },
    #[error("cannot connect to PostgreSQL: {}", chain(.0))]
    Connect(#[from] deadpool_postgres::PoolError),
    #[error(
        "PostgreSQL schema version {found} is newer than this raqib understands ({known}); upgrade raqib or use another database"
    )]
    TooNew { found: u32, known: u32 },
    #[error("PostgreSQL migration {name} failed: {}", chain(.source))]
    Migration {
        name: &'static str,
        source: tokio_postgres::Error,
    },
    #[error("PostgreSQL error: {}", chain(.0))]
    Sql(#[from] tokio_postgres::Error),
}

/// An error with its causes: tokio-postgres says "db error" and keeps the server's message
/// in its source.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

pub type Result<T> = std::result::Result<T, Error>;

/// Connections to one PostgreSQL database.
#[derive(Clone)]
pub struct Pool {
    inner: deadpool_postgres::Pool,
}

/// What a `postgres://` or `postgresql://` URL says, once its syntax is accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrlFacts {
    /// The URL carries a password itself (in its user part or as `?password=`).
    pub has_password: bool,
}

/// Whether `url` names a PostgreSQL database raqib can connect to, as the connection will
/// read it; the reason otherwise (without the URL, which may hold a password).
pub fn inspect_url(url: &str) -> std::result::Result<UrlFacts, String> {
    let config = parse(url)?;
    if config.get_hosts().is_empty() {
        return Err("names no host; write e.g. postgres://raqib@db.example.org:5432/raqib".into());
    }
    if config.get_ssl_mode() == tokio_postgres::config::SslMode::Require {
        return Err(
            "sslmode=require: raqib does not speak TLS to PostgreSQL yet; reach the server on a private network or a Unix socket".into(),
        );
    }
    Ok(UrlFacts {
        has_password: config.get_password().is_some(),
    })
}

fn parse(url: &str) -> std::result::Result<tokio_postgres::Config, String> {
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        return Err("must start with postgres:// or postgresql://".into());
    }
    url.parse::<tokio_postgres::Config>()
        .map_err(|err| format!("is not a PostgreSQL URL ({err})"))
}

impl Pool {
    /// A pool of at most `size` connections to the database `url` names, with `password`
    /// when the URL carries none; one connection is opened now, so an unreachable server or
    /// refused login is reported here.
    pub async fn connect(url: &str, password: Option<&str>, size: usize) -> Result<Pool> {
        let mut config = parse(url).map_err(|detail| Error::Url {
            shown: redacted(url),
            detail,
        })?;
        if let Some(password) = password.filter(|_| config.get_password().is_none()) {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_application_name().is_none() {
            config.application_name("raqib");
        }
        let manager = deadpool_postgres::Manager::from_config(
            config,
            tokio_postgres::NoTls,
            deadpool_postgres::ManagerConfig {
                recycling_method: deadpool_postgres::RecyclingMethod::Fast,
            },
        );
        let inner = deadpool_postgres::Pool::builder(manager)
            .max_size(size.max(1))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .create_timeout(Some(CONNECT_TIMEOUT))
            .build()
            .map_err(|err| Error::Url {
                shown: redacted(url),
                detail: format!("cannot be pooled: {err}"),
            })?;
        drop(inner.get().await?);
        Ok(Pool { inner })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        Ok(self.inner.get().await?)
    }
}

/// `url` with its password replaced by `***`, for messages and logs.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            let kept: Vec<(String, String)> = parsed
                .query_pairs()
                .filter(|(key, _)| key != "password")
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            parsed.set_query(None);
            if !kept.is_empty() {
                parsed.query_pairs_mut().extend_pairs(kept);
            }
            parsed.to_string()
        }
        // What the URL parser refuses, the connection may still read: the user part (where a
        // password would be) is left out.
        Err(_) => match url.split_once("://") {
            Some((scheme, rest)) => {
                let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
                let host = host.split_once('?').map_or(host, |(host, _)| host);
                format!("{scheme}://…@{host}")
            }
            None => "(not a URL)".to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_inspected_as_the_connection_reads_them() {
        for url in [
            "postgres://raqib@db.example.org:5432/raqib",
            "postgresql://raqib@db.example.org/raqib",
            "postgres://raqib@%2Frun%2Fpostgresql/raqib",
        ] {
            assert_eq!(
                inspect_url(url),
                Ok(UrlFacts {
                    has_password: false
                }),
                "{url}"
            );
        }
        for url in [
            "postgres://raqib:s3cret@db.example.org/raqib",
            "postgres://raqib@db.example.org/raqib?password=s3cret",
        ] {
            assert_eq!(
                inspect_url(url),
                Ok(UrlFacts { has_password: true }),
                "{url}"
            );
        }
        let refused = |url: &str| inspect_url(url).unwrap_err();
        assert!(refused("mysql://x@h/db").contains("postgres://"));
        assert!(refused("postgres:///raqib").contains("names no host"));
        assert!(refused("postgres://h/db?sslmode=require").contains("TLS"));
        assert!(refused("postgres://h/db?sslmode=bogus").contains("not a PostgreSQL URL"));
    }

    #[test]
    fn a_password_never_reaches_a_message() {
        assert_eq!(
            redacted("postgres://raqib:s3cret@[bad/db?password=p2"),
            "postgres://…@[bad/db"
        );
        assert_eq!(
            redacted("postgres://raqib:s3cret@h:5432/db?password=p2&sslmode=disable"),
            "postgres://raqib:***@h:5432/db?sslmode=disable"
        );
    }
}
