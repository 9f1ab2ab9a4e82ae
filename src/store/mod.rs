//! Storage: the seam the daemon writes through ([`seam`], its values in `model.rs`) and its
//! SQLite backend ([`Sqlite`]): the migrations runner, one writer connection, typed queries.
//!
//! Everything that belongs together is written in one transaction: an article, its story,
//! its matches, its alerts and their deliveries (the outbox). A crash therefore leaves either
//! all of it or none of it, and an alert can never be stored without the deliveries that will
//! carry it.

mod feeds;
mod learned;
mod listing;
mod lookup;
mod maintenance;
mod migrate;
mod model;
mod outbox;
mod pages;
pub mod postgres;
mod reader;
mod rescan;
mod retention;
pub mod seam;
pub(crate) mod search;
mod sqlite;
mod story;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use crate::alert::NewAlert;
use crate::alert::policy::{self, Placement};
use crate::feed::article_url;
use crate::watch::Match;

pub use migrate::LATEST as SCHEMA_VERSION;
pub use model::{
    AlertEntry, AlertSummary, ArticleDetail, BodySource, ClaimLimits, Claimed, DeliverySummary,
    FeedHealth, FeedState, GaugeReading, Inserted, NewArticle, OutletStats, PageRetry,
    PendingDelivery, PollRecord, Pruned, RetriedPage, Stats, StoredArticle, StoredText,
    StoryArticle, StoryDetail, StorySummary,
};
pub use postgres::Postgres;
pub use reader::Reader;
pub use retention::{Cutoffs, cutoffs};
pub use seam::{Articles, Feeds, Gauges, Listings, Maintenance, Outbox, Storage};
pub use search::{ArchivedText, Candidate, SearchIndex};
pub use sqlite::Sqlite;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open database {path}: {source}")]
    Open { path: PathBuf, source: SqlError },
    #[error(
        "database {path} does not exist: check `database` in [daemon] (`raqib run` creates it)"
    )]
    Missing { path: PathBuf },
    #[error(
        "database {path} has schema version {found}, this raqib reads {known}: start the daemon once to migrate it"
    )]
    Outdated {
        path: PathBuf,
        found: u32,
        known: u32,
    },
    #[error(
        "database schema version {found} is newer than this raqib understands ({known}); upgrade raqib or use another database file"
    )]
    TooNew { found: u32, known: u32 },
    #[error("database migration {name} failed: {source}")]
    Migration {
        name: &'static str,
        source: SqlError,
    },
    #[error("database error: {0}")]
    Sql(SqlError),
    #[error(transparent)]
    Postgres(PostgresError),
    #[error("database task failed: {0}")]
    Task(String),
    #[error("backup to {path}: {message}")]
    Backup { path: PathBuf, message: String },
}

/// An error of the SQLite library, opaque: the library's types stay inside `store`, so callers
/// (and a second backend) see only [`StoreError`].
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct SqlError(rusqlite::Error);

impl From<rusqlite::Error> for SqlError {
    fn from(error: rusqlite::Error) -> Self {
        SqlError(error)
    }
}

/// An error of the PostgreSQL side, opaque as [`SqlError`] is.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct PostgresError(postgres::Error);

impl From<postgres::Error> for StoreError {
    fn from(error: postgres::Error) -> Self {
        StoreError::Postgres(PostgresError(error))
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> Self {
        StoreError::Sql(SqlError(error))
    }
}

impl StoreError {
    /// The same error again, for each of the callers whose writes shared a failed commit.
    pub fn duplicate(&self) -> StoreError {
        match self {
            StoreError::Sql(SqlError(rusqlite::Error::SqliteFailure(code, message))) => {
                rusqlite::Error::SqliteFailure(*code, message.clone()).into()
            }
            other => StoreError::Task(other.to_string()),
        }
    }

    /// The disk (or the file system's quota) is full: writes fail until space returns, reads
    /// still work.
    pub fn is_disk_full(&self) -> bool {
        match self {
            StoreError::Sql(SqlError(rusqlite::Error::SqliteFailure(e, _))) => {
                e.code == rusqlite::ErrorCode::DiskFull
            }
            StoreError::Postgres(PostgresError(e)) => e.is_disk_full(),
            _ => false,
        }
    }

    /// The database server is out of reach or not serving (a PostgreSQL server stopped,
    /// restarting, or its connection lost): every call fails until it returns, and nothing
    /// more can be learned from a failed call than that. Never true on SQLite, whose file is
    /// always there.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, StoreError::Postgres(PostgresError(e)) if e.is_unavailable())
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Time as stored: RFC 3339, UTC, whole seconds.
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(crate) fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// The database, through its one writer connection.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Open (creating if needed) and migrate the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |source: rusqlite::Error| StoreError::Open {
            path: path.to_path_buf(),
            source: source.into(),
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|e| {
                open_err(rusqlite::Error::InvalidPath(PathBuf::from(format!(
                    "{}: {e}",
                    parent.display()
                ))))
            })?;
        }
        let mut conn = Connection::open(path).map_err(open_err)?;
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        // Before the first table exists (a new database): let pruning return freed pages to the
        // filesystem. An older database keeps reusing them instead.
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(open_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_err)?;
        // Story grouping reads the term index of the last two days for every article: with
        // SQLite's default 2 MB cache those pages came back through read() each time.
        conn.pragma_update(None, "cache_size", -32_768)
            .map_err(open_err)?;
        migrate::run(&mut conn)?;
        Ok(Store { conn })
    }

    /// Which of `keys` (entry keys of the feed) or `urls` are already stored.
    pub fn known_entries(
        &self,
        feed_id: i64,
        keys: &[&str],
        urls: &[&str],
    ) -> Result<HashSet<String>> {
        let mut known = HashSet::new();
        let mut by_key = self
            .conn
            .prepare_cached("SELECT 1 FROM article WHERE feed_id = ?1 AND entry_key = ?2")?;
        for key in keys {
            if by_key.exists(params![feed_id, key])? {
                known.insert(key.to_string());
            }
        }
        // The same article may come through two feeds of one outlet (main and category feeds).
        let mut by_url = self.conn.prepare_cached(
            "SELECT 1 FROM article WHERE url = ?1 AND duplicate_of IS NULL
             UNION ALL SELECT 1 FROM article WHERE canonical_url = ?1",
        )?;
        for url in urls {
            if by_url.exists([article_url(url)])? {
                known.insert(url.to_string());
            }
        }
        Ok(known)
    }

    /// Run `f` in one write transaction (`BEGIN IMMEDIATE` … `COMMIT`), so that the writes of
    /// several calls share one commit: the pages they all touch (the document frequencies,
    /// the indexes) go to the write-ahead log once, not once per article. A call that fails
    /// inside `f` rolls back its own savepoint only; the others are committed.
    pub fn batch<T>(&mut self, f: impl FnOnce(&mut Store) -> T) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let out = f(self);
        if let Err(err) = self.conn.execute_batch("COMMIT") {
            // SQLite may have rolled back already (a full disk); make sure nothing is left open.
            if !self.conn.is_autocommit() {
                let _ = self.conn.execute_batch("ROLLBACK");
            }
            return Err(err.into());
        }
        Ok(out)
    }

    /// Store an article with its story, matches, alerts and deliveries, all or nothing (its own
    /// transaction, or a savepoint inside a [`Store::batch`]). `alerts` builds the alerts once
    /// the article's ids and the other outlets of its story are known. Returns `None` when the
    /// entry, or an article at its URL (through whatever feed), was already stored: nothing is
    /// written then. Decided here, inside the write transaction, so that two feeds carrying
    /// the same article and polled at the same moment store it once.
    pub fn insert_article(
        &mut self,
        article: &NewArticle,
        now: DateTime<Utc>,
        story_window: Duration,
        alerts: impl FnOnce(StoredArticle, &[String]) -> Vec<NewAlert>,
    ) -> Result<Option<Inserted>> {
        if self.conn.is_autocommit() {
            return self
                .batch(|store| store.insert_article(article, now, story_window, alerts))
                .and_then(|inserted| inserted);
        }
        let url = article.url.as_deref().map(article_url);
        let tx = self.conn.savepoint()?;
        let exists = tx
            .query_row(
                "SELECT 1 FROM article WHERE feed_id = ?1 AND entry_key = ?2
                 UNION ALL SELECT 1 FROM article WHERE url = ?3 AND duplicate_of IS NULL",
                params![article.feed_id, article.entry_key, url],
                |_| Ok(()),
            )
            .optional()?
            .is_some();
        if exists {
            return Ok(None);
        }
        let since = now
            - chrono::Duration::from_std(story_window)
                .unwrap_or_else(|_| chrono::Duration::days(2));
        let assigned = story::assign(&tx, &article.story, &article.title, since, now)?;
        let story_id = assigned.story_id;
        tx.execute(
            "INSERT INTO article (feed_id, entry_key, url, canonical_url, title, body, body_source, body_error,
                 author, lang, site_name, published_at, fetched_at, simhash, story_id,
                 page_attempts, page_retry_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
            params![
                article.feed_id,
                article.entry_key,
                url,
                article.canonical_url,
                article.title,
                article.body,
                match article.body_source {
                    BodySource::Page => "page",
                    BodySource::Feed => "feed",
                },
                article.body_error,
                article.author,
                article.lang,
                article.site_name,
                article.published_at.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true)),
                timestamp(now),
                article.story.simhash as i64,
                story_id,
                i64::from(article.page_retry_at.is_some()),
                article.page_retry_at.map(timestamp),
            ],
        )?;
        learned::record(&tx, article, story_id, now)?;
        let stored = StoredArticle {
            id: tx.last_insert_rowid(),
            story_id,
        };
        let at = search::ordered_at(article.published_at.map(|d| d.to_utc()), now);
        search::index(&tx, stored.id, &article.tokens_to_index(), at)?;
        story::record(&tx, stored, &assigned, article.story.weekdays)?;
        insert_matches(&tx, stored.id, &article.matches)?;
        let outlets = story_outlets(&tx, stored)?;
        let raised = insert_alerts(&tx, stored, alerts(stored, &outlets), now)?;
        tx.commit()?;
        Ok(Some(Inserted {
            article: stored,
            alerts: raised,
        }))
    }

    /// The outlets, other than the article's own, that published articles of its story.
    pub fn story_outlets(&self, article: StoredArticle) -> Result<Vec<String>> {
        story_outlets(&self.conn, article)
    }
}

/// Write an article's matches.
fn insert_matches(tx: &Connection, article_id: i64, matches: &[(String, Match)]) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO \"match\" (article_id, watch, term, text, field, start, \"end\", snippet)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (watch, m) in matches {
        stmt.execute(params![
            article_id,
            watch,
            m.term,
            m.text,
            m.field.as_str(),
            m.start as i64,
            m.end as i64,
            m.snippet
        ])?;
    }
    Ok(())
}

/// The outlets of the other articles of `article`'s story, in the order they first appeared.
fn story_outlets(conn: &Connection, article: StoredArticle) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT f.outlet FROM article a JOIN feed f ON f.id = a.feed_id
         WHERE a.story_id = ?1 AND a.id <> ?2 AND f.outlet <> (
             SELECT f2.outlet FROM article a2 JOIN feed f2 ON f2.id = a2.feed_id WHERE a2.id = ?2)
         GROUP BY f.outlet ORDER BY min(a.id)",
    )?;
    let outlets = stmt
        .query_map(params![article.story_id, article.id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(outlets)
}

/// Write alerts and one delivery per sink for each, placed by their watch's policy
/// ([`policy::place`]). An alert the article already has (same watch or id) is skipped.
/// Returns how many were new.
fn insert_alerts(
    tx: &Connection,
    stored: StoredArticle,
    alerts: Vec<NewAlert>,
    now: DateTime<Utc>,
) -> Result<usize> {
    let mut new = 0;
    for alert in alerts {
        let story_alert: Option<i64> = if alert.policy.per_story() {
            tx.query_row(
                "SELECT id FROM alert WHERE watch = ?1 AND story_id = ?2 ORDER BY id LIMIT 1",
                params![alert.watch, stored.story_id],
                |r| r.get(0),
            )
            .optional()?
        } else {
            None
        };
        let (first_attempt, digest_until) = match policy::place(alert.policy, story_alert, now) {
            Placement::Report { alert: alert_id } => {
                tx.execute(
                    "INSERT OR IGNORE INTO alert_report (alert_id, article_id, reported_at)
                     SELECT ?1, ?2, ?3 WHERE NOT EXISTS
                         (SELECT 1 FROM alert WHERE id = ?1 AND article_id = ?2)",
                    params![alert_id, stored.id, timestamp(now)],
                )?;
                continue;
            }
            Placement::Raise {
                first_attempt,
                digest_until,
            } => (first_attempt, digest_until),
        };
        let inserted = tx.execute(
            "INSERT OR IGNORE INTO alert (uid, watch, severity, article_id, story_id, raised_at, payload)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![alert.uid, alert.watch, alert.severity, stored.id, stored.story_id, timestamp(now), alert.payload],
        )?;
        if inserted == 0 {
            continue;
        }
        new += 1;
        let alert_id = tx.last_insert_rowid();
        for sink in &alert.sinks {
            tx.execute(
                "INSERT INTO delivery (alert_id, sink, next_attempt_at, created_at, digest_until)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    alert_id,
                    sink,
                    timestamp(first_attempt),
                    timestamp(now),
                    digest_until.map(timestamp)
                ],
            )?;
        }
    }
    Ok(new)
}

#[cfg(test)]
mod tests;
