//! PostgreSQL storage: the pool, the schema and its migrations, the feed leases by which
//! several instances share one database's feeds, and the article, story, feed, outbox, page
//! retry and maintenance operations with the SQLite store's semantics, as async functions over
//! the pool, put behind the storage seam's traits by [`Postgres`] (`seam.rs`); the archive's
//! listings, and its backup through `pg_dump`. Nothing outside `store/` sees a tokio-postgres
//! or deadpool type.

mod articles;
mod dump;
mod feeds;
mod learned;
mod lease;
mod listing;
mod lookup;
mod maintenance;
mod migrate;
mod outbox;
mod page_claims;
mod pages;
mod rescan;
mod retention;
mod seam;
mod search;
mod story;
mod turns;

use std::time::Duration;

use crate::config::postgres_url::{connection_config, redacted};
pub use articles::{insert_article, story_outlets};
pub use dump::dump;
pub use feeds::{
    feed_health, feed_healths, known_entries, record_feed_title, record_poll_failure,
    record_poll_success, record_rule_outcome, sync_feed, sync_unnamed_feed,
};
pub use learned::learned_records;
pub use lease::{LeasedFeed, claim_due_feeds, claim_feed, release_lease, renew_leases};
pub use listing::{alerts_since, stories_since};
pub use lookup::{alert_entries, article, story};
pub use maintenance::{alerts_by_watch, database_size, outbox_counts, probe_write, stats};
pub use migrate::{LATEST as SCHEMA_VERSION, check_schema, migrate};
pub use outbox::{claim_deliveries, pending_deliveries, record_attempts, renew_claim};
pub use pages::{complete_page, page_retry_failed, pages_to_retry};
pub use rescan::{articles_after, match_count, replace_matches};
pub use retention::prune;
pub use seam::Postgres;

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
    #[error("no raqib schema there: check `database` in [daemon] (`raqib run` creates it)")]
    Missing,
    #[error(
        "schema version {found}, this raqib reads {known}: start the daemon once to migrate it"
    )]
    Outdated { found: u32, known: u32 },
    #[error("PostgreSQL migration {name} failed: {}", chain(.source))]
    Migration {
        name: &'static str,
        source: tokio_postgres::Error,
    },
    #[error("PostgreSQL error: {}", chain(.0))]
    Sql(#[from] tokio_postgres::Error),
}

impl Error {
    /// Whether the server could not be reached at all (nothing listening, no route, no answer
    /// in time), as opposed to a server that answered and refused.
    pub fn is_unreachable(&self) -> bool {
        match self {
            Error::Connect(deadpool_postgres::PoolError::Backend(err)) => {
                err.as_db_error().is_none()
            }
            Error::Connect(_) => true,
            _ => false,
        }
    }

    /// Whether the server cannot be worked with now, and may be later: out of reach, its
    /// connection lost or closed (SQLSTATE class 08), shutting down or starting up (57P01 to
    /// 57P03), or no pooled connection to be had in time. Refusals (a constraint, a login
    /// refused, a statement error) are not.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Connect(deadpool_postgres::PoolError::Backend(err)) => {
                err.as_db_error().is_none() || connection_lost(err)
            }
            Error::Connect(_) => true,
            Error::Sql(err) => connection_lost(err),
            _ => false,
        }
    }

    /// Whether the server refused a write for want of disk space.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, Error::Sql(e) if e.code() == Some(&tokio_postgres::error::SqlState::DISK_FULL))
    }
}

/// Whether `err` says the connection to the server is gone or the server is not serving.
fn connection_lost(err: &tokio_postgres::Error) -> bool {
    use tokio_postgres::error::SqlState;
    if err.is_closed() {
        return true;
    }
    if let Some(code) = err.code() {
        return code.code().starts_with("08")
            || [
                SqlState::ADMIN_SHUTDOWN,
                SqlState::CRASH_SHUTDOWN,
                SqlState::CANNOT_CONNECT_NOW,
            ]
            .contains(code);
    }
    // A socket that failed under a query (reset, broken pipe) arrives as its I/O error.
    std::error::Error::source(err).is_some_and(|cause| cause.is::<std::io::Error>())
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

/// A time as the store keeps it: whole seconds, as SQLite's text holds them, so that both
/// backends compare and return the same times.
fn stored(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Utc> {
    chrono::SubsecRound::trunc_subsecs(at, 0)
}

/// Connections to one PostgreSQL database.
#[derive(Clone)]
pub struct Pool {
    inner: deadpool_postgres::Pool,
    /// The URL without its password, as `raqib stats` names the database.
    shown: String,
}

impl Pool {
    /// A pool of at most `size` connections to the database `url` names, with `password`
    /// when the URL carries none; one connection is opened now, so an unreachable server or
    /// refused login is reported here.
    pub async fn connect(url: &str, password: Option<&str>, size: usize) -> Result<Pool> {
        let mut config = connection_config(url).map_err(|detail| Error::Url {
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
        Ok(Pool {
            inner,
            shown: redacted(url),
        })
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        Ok(self.inner.get().await?)
    }
}
