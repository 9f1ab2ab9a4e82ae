//! Schema migrations: `migrations/NNNN_name.sql`, compiled in, applied in order at start.
//!
//! The schema version is SQLite's `user_version`. Each migration runs in its own transaction
//! with the version bump, so a crash leaves the database at a whole version.

use rusqlite::{Connection, TransactionBehavior};

use super::StoreError;

/// Every migration, in order; the version after applying `MIGRATIONS[i]` is `i + 1`.
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_init", include_str!("../../migrations/0001_init.sql")),
    (
        "0002_feed_health",
        include_str!("../../migrations/0002_feed_health.sql"),
    ),
    (
        "0003_indexes",
        include_str!("../../migrations/0003_indexes.sql"),
    ),
    (
        "0004_extract_rules",
        include_str!("../../migrations/0004_extract_rules.sql"),
    ),
    (
        "0005_outlet_boilerplate",
        include_str!("../../migrations/0005_outlet_boilerplate.sql"),
    ),
    (
        "0006_page_retry",
        include_str!("../../migrations/0006_page_retry.sql"),
    ),
    (
        "0007_rewrites",
        include_str!("../../migrations/0007_rewrites.sql"),
    ),
    (
        "0008_alert_policy",
        include_str!("../../migrations/0008_alert_policy.sql"),
    ),
    (
        "0009_digests",
        include_str!("../../migrations/0009_digests.sql"),
    ),
    (
        "0010_health",
        include_str!("../../migrations/0010_health.sql"),
    ),
    (
        "0011_story_profile",
        include_str!("../../migrations/0011_story_profile.sql"),
    ),
    (
        "0012_story_covering",
        include_str!("../../migrations/0012_story_covering.sql"),
    ),
    (
        "0013_learned_furniture",
        include_str!("../../migrations/0013_learned_furniture.sql"),
    ),
    (
        "0014_story_counts",
        include_str!("../../migrations/0014_story_counts.sql"),
    ),
    (
        "0015_article_url_unique",
        include_str!("../../migrations/0015_article_url_unique.sql"),
    ),
    (
        "0016_delivery_claims",
        include_str!("../../migrations/0016_delivery_claims.sql"),
    ),
    (
        "0017_host_turns",
        include_str!("../../migrations/0017_host_turns.sql"),
    ),
    (
        SEARCH_INDEX,
        include_str!("../../migrations/0018_search_index.sql"),
    ),
    (
        "0019_page_claims",
        include_str!("../../migrations/0019_page_claims.sql"),
    ),
    (
        "0020_search_newest",
        include_str!("../../migrations/0020_search_newest.sql"),
    ),
    (
        "0021_feed_title",
        include_str!("../../migrations/0021_feed_title.sql"),
    ),
    (
        "0022_delivery_folds",
        include_str!("../../migrations/0022_delivery_folds.sql"),
    ),
    (
        SEARCH_WRITTEN_WORDS,
        include_str!("../../migrations/0023_search_written_words.sql"),
    ),
];

/// The migration creating the search index, after which the articles already stored are
/// indexed: their tokens are computed here, not in SQL.
const SEARCH_INDEX: &str = "0018_search_index";

/// The migration after which the search index holds each word once as written: every stored
/// article is indexed again.
const SEARCH_WRITTEN_WORDS: &str = "0023_search_written_words";

/// The schema version this binary writes.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// Bring the database up to [`LATEST`], refusing a database written by a newer raqib.
pub fn run(conn: &mut Connection) -> Result<(), StoreError> {
    let current: u32 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > LATEST {
        return Err(StoreError::TooNew {
            found: current,
            known: LATEST,
        });
    }
    for (index, (name, sql)) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let version = index as u32 + 1;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute_batch(sql)
            .map_err(|source| StoreError::Migration {
                name,
                source: source.into(),
            })?;
        if [SEARCH_INDEX, SEARCH_WRITTEN_WORDS].contains(name) {
            super::search::index_stored(&tx)?;
        }
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
        tracing::info!(migration = name, version, "applied database migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copies_of_an_article_stored_before_urls_were_unique_are_kept_and_marked() {
        let mut conn = Connection::open_in_memory().unwrap();
        let before = MIGRATIONS
            .iter()
            .position(|(name, _)| *name == "0015_article_url_unique")
            .unwrap();
        for (_, sql) in &MIGRATIONS[..before] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", before as u32)
            .unwrap();
        conn.execute_batch(
            "INSERT INTO feed (id, url, outlet, created_at) VALUES
                 (1, 'https://x.ma/feed', 'X', '2025-12-02T09:00:00Z'),
                 (2, 'https://x.ma/category/feed', 'X', '2025-12-02T09:00:00Z');
             INSERT INTO story (id, first_seen_at, title) VALUES (1, '2025-12-02T09:00:00Z', 't');
             INSERT INTO article (id, feed_id, entry_key, url, title, body, body_source, fetched_at, simhash, story_id)
             VALUES (1, 1, 'a', 'https://x.ma/a', 't', 'b', 'page', '2025-12-02T09:00:00Z', 0, 1),
                    (2, 2, 'a', 'https://x.ma/a', 't', 'b', 'page', '2025-12-02T09:00:00Z', 0, 1),
                    (3, 2, 'b', 'https://x.ma/b', 't', 'b', 'page', '2025-12-02T09:00:00Z', 0, 1),
                    (4, 1, 'n', NULL, 't', 'b', 'feed', '2025-12-02T09:00:00Z', 0, 1),
                    (5, 2, 'n', NULL, 't', 'b', 'feed', '2025-12-02T09:00:00Z', 0, 1);",
        )
        .unwrap();
        run(&mut conn).unwrap();
        let marked: Vec<(i64, Option<i64>)> = conn
            .prepare("SELECT id, duplicate_of FROM article ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            marked,
            [(1, None), (2, Some(1)), (3, None), (4, None), (5, None)]
        );
    }
}
