//! The PostgreSQL schema: `migrations/postgres/NNNN_name.sql`, compiled in, with the same
//! version numbers as SQLite's `migrations/` (a version names one schema on both backends).
//!
//! Instances started together migrate once: the runner holds a session advisory lock while it
//! reads the version and applies what is missing. The version is the one row of
//! `raqib_schema`; each migration runs in a transaction with its version (PostgreSQL's DDL is
//! transactional), so a crash leaves the database at a whole version.

use super::{Error, Pool, Result};

/// Every migration, in order, with the version the database is at once it is applied. The
/// first is a baseline at SQLite's version 16: no PostgreSQL database existed before it.
const MIGRATIONS: &[(u32, &str, &str)] = &[
    (
        16,
        "0016_baseline",
        include_str!("../../../migrations/postgres/0016_baseline.sql"),
    ),
    (
        17,
        "0017_host_turns",
        include_str!("../../../migrations/postgres/0017_host_turns.sql"),
    ),
    (
        18,
        SEARCH_INDEX,
        include_str!("../../../migrations/postgres/0018_search_index.sql"),
    ),
    (
        19,
        "0019_page_claims",
        include_str!("../../../migrations/postgres/0019_page_claims.sql"),
    ),
    (
        20,
        "0020_search_newest",
        include_str!("../../../migrations/postgres/0020_search_newest.sql"),
    ),
    (
        21,
        "0021_feed_title",
        include_str!("../../../migrations/postgres/0021_feed_title.sql"),
    ),
    (
        22,
        "0022_delivery_folds",
        include_str!("../../../migrations/postgres/0022_delivery_folds.sql"),
    ),
    (
        23,
        SEARCH_WRITTEN_WORDS,
        include_str!("../../../migrations/postgres/0023_search_written_words.sql"),
    ),
];

/// The migration creating the search index, after which the articles already stored are
/// indexed: their tokens are computed here, not in SQL.
const SEARCH_INDEX: &str = "0018_search_index";

/// The migration after which the search index holds each word once as written: every stored
/// article's tokens are computed again.
const SEARCH_WRITTEN_WORDS: &str = "0023_search_written_words";

/// The schema version this binary writes.
pub const LATEST: u32 = MIGRATIONS[MIGRATIONS.len() - 1].0;

/// The key of the advisory lock migrations run under ("raqib_mg"): other applications on the
/// same server would have to pick it by chance.
const LOCK: i64 = 0x7261_7169_625f_6d67;

const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS raqib_schema (
    one     BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one),
    version INTEGER NOT NULL
)";

/// Bring the database up to [`LATEST`], refusing one written by a newer raqib; the names of
/// the migrations this call applied (none when another instance had applied them).
pub async fn migrate(pool: &Pool) -> Result<Vec<&'static str>> {
    // The lock belongs to the session: the connection is taken out of the pool and closed
    // when done, so the lock is released whatever happens here, even on an error.
    let mut client = deadpool_postgres::Object::take(pool.client().await?);
    client
        .execute("SELECT pg_advisory_lock($1)", &[&LOCK])
        .await?;
    client.batch_execute(VERSION_TABLE).await?;
    let current = client
        .query_opt("SELECT version FROM raqib_schema", &[])
        .await?
        .map_or(0, |row| row.get::<_, i32>(0).max(0) as u32);
    if current > LATEST {
        return Err(Error::TooNew {
            found: current,
            known: LATEST,
        });
    }
    let mut applied = Vec::new();
    for &(version, name, sql) in MIGRATIONS.iter().filter(|(v, _, _)| *v > current) {
        let tx = client.transaction().await?;
        tx.batch_execute(sql)
            .await
            .map_err(|source| Error::Migration { name, source })?;
        if name == SEARCH_INDEX {
            super::search::index_stored(&tx).await?;
        }
        if name == SEARCH_WRITTEN_WORDS {
            super::search::reindex_stored(&tx).await?;
        }
        tx.execute(
            "INSERT INTO raqib_schema (version) VALUES ($1)
             ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version",
            &[&(version as i32)],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(migration = name, version, "applied PostgreSQL migration");
        applied.push(name);
    }
    Ok(applied)
}

/// Refuse a database this raqib cannot read as it is, without changing it: one never migrated
/// (no `raqib_schema`), one at an older version, one from a newer raqib.
pub async fn check_schema(pool: &Pool) -> Result<()> {
    let client = pool.client().await?;
    let versioned: bool = client
        .query_one("SELECT to_regclass('raqib_schema') IS NOT NULL", &[])
        .await?
        .get(0);
    if !versioned {
        return Err(Error::Missing);
    }
    let found = client
        .query_opt("SELECT version FROM raqib_schema", &[])
        .await?
        .ok_or(Error::Missing)?
        .get::<_, i32>(0)
        .max(0) as u32;
    if found > LATEST {
        return Err(Error::TooNew {
            found,
            known: LATEST,
        });
    }
    if found < LATEST {
        return Err(Error::Outdated {
            found,
            known: LATEST,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_postgres_schema_is_at_the_sqlite_version() {
        assert_eq!(LATEST, crate::store::SCHEMA_VERSION);
    }

    #[test]
    fn migrations_are_in_order_and_named_by_their_version() {
        for pair in MIGRATIONS.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{} before {}", pair[0].1, pair[1].1);
        }
        for (version, name, _) in MIGRATIONS {
            assert!(name.starts_with(&format!("{version:04}_")), "{name}");
        }
    }
}
