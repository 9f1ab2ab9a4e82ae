//! The search index on PostgreSQL (migration 0018), as SQLite's `store/search.rs`: the same
//! tokens in a tsvector under a GIN index, kept in the article's transaction, removed with the
//! article (`ON DELETE CASCADE`), read in the same order.

use chrono::{DateTime, Utc};
use tokio_postgres::Transaction;

use super::{Pool, Result};
use crate::store::search::ordered_at;
use crate::store::{ArchivedText, Candidate, SearchIndex, StoreError};
use crate::text::index::article_tokens;
use crate::watch::narrow::Narrow;

/// The lexeme bytes a tsvector holds (PostgreSQL's MAXSTRPOS, 1 MiB less a margin).
const TSVECTOR_BYTES: usize = 1_000_000;

/// Index article `id` under `tokens` in the transaction that writes it.
pub(super) async fn index(tx: &Transaction<'_>, id: i64, tokens: &[String], at: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO article_search (article_id, at, terms)
         VALUES ($1, $2, CASE WHEN $4 THEN array_to_tsvector($3::text[]) END)",
        &[&id, &at, &tokens, &fits(tokens)],
    )
    .await?;
    Ok(())
}

/// Whether `tokens` fit in a tsvector.
fn fits(tokens: &[String]) -> bool {
    tokens.iter().map(String::len).sum::<usize>() < TSVECTOR_BYTES
}

/// Index article `id` again from its stored row, after its body changed.
pub(super) async fn reindex(tx: &Transaction<'_>, id: i64) -> Result<()> {
    tx.execute("DELETE FROM article_search WHERE article_id = $1", &[&id])
        .await?;
    let row = tx
        .query_one(
            "SELECT title, body, published_at, fetched_at FROM article WHERE id = $1",
            &[&id],
        )
        .await?;
    let at = ordered_at(row.get(2), row.get(3));
    index(tx, id, &article_tokens(row.get(0), row.get(1)), at).await
}

/// Index every stored article (the migration that creates the index, in its transaction).
pub(super) async fn index_stored(tx: &Transaction<'_>) -> Result<()> {
    let rows = tx
        .query(
            "SELECT id, title, body, published_at, fetched_at FROM article ORDER BY id",
            &[],
        )
        .await?;
    for row in rows {
        let at = ordered_at(row.get(3), row.get(4));
        let tokens = article_tokens(row.get(1), row.get(2));
        index(tx, row.get(0), &tokens, at).await?;
    }
    Ok(())
}

/// Compute every indexed article's tokens again (migration 0021, in its transaction).
pub(super) async fn reindex_stored(tx: &Transaction<'_>) -> Result<()> {
    let rows = tx
        .query("SELECT id, title, body FROM article ORDER BY id", &[])
        .await?;
    let update = tx
        .prepare(
            "UPDATE article_search SET terms = CASE WHEN $3 THEN array_to_tsvector($2::text[]) END
             WHERE article_id = $1",
        )
        .await?;
    for row in rows {
        let tokens = article_tokens(row.get(1), row.get(2));
        tx.execute(&update, &[&row.get::<_, i64>(0), &tokens, &fits(&tokens)])
            .await?;
    }
    Ok(())
}

/// `narrow` as a tsquery, each lexeme quoted as stored.
fn tsquery(narrow: &Narrow) -> String {
    match narrow {
        Narrow::Token(token) => {
            format!("'{}'{}", token.text, if token.prefix { ":*" } else { "" })
        }
        Narrow::All(parts) => join(parts, " & "),
        Narrow::Any(parts) => join(parts, " | "),
    }
}

fn join(parts: &[Narrow], operator: &str) -> String {
    let parts: Vec<String> = parts.iter().map(tsquery).collect();
    format!("({})", parts.join(operator))
}

async fn candidates(
    pool: &Pool,
    narrow: Option<&Narrow>,
    since: Option<DateTime<Utc>>,
    after: Option<Candidate>,
    count: usize,
) -> Result<Vec<Candidate>> {
    let since = since.map_or(i64::MIN, |s| s.timestamp());
    let (at, id) = after.map_or((i64::MAX, i64::MAX), |c| (c.at, c.id));
    let count = i64::try_from(count).unwrap_or(i64::MAX);
    let client = pool.client().await?;
    let rows = match narrow {
        Some(narrow) => {
            client
                .query(
                    "SELECT article_id, at FROM article_search
                     WHERE (terms @@ CAST($1::text AS tsquery) OR terms IS NULL) AND at >= $2
                       AND (at, article_id) < ($3, $4)
                     ORDER BY at DESC, article_id DESC LIMIT $5",
                    &[&tsquery(narrow), &since, &at, &id, &count],
                )
                .await?
        }
        None => {
            client
                .query(
                    "SELECT article_id, at FROM article_search
                     WHERE at >= $1 AND (at, article_id) < ($2, $3)
                     ORDER BY at DESC, article_id DESC LIMIT $4",
                    &[&since, &at, &id, &count],
                )
                .await?
        }
    };
    Ok(rows
        .iter()
        .map(|r| Candidate {
            id: r.get(0),
            at: r.get(1),
        })
        .collect())
}

async fn texts(pool: &Pool, ids: Vec<i64>) -> Result<Vec<ArchivedText>> {
    let rows = pool
        .client()
        .await?
        .query(
            "SELECT a.id, a.story_id, a.url, a.title, a.body, f.outlet, a.lang,
                    a.published_at, a.published_offset
             FROM article a JOIN feed f ON f.id = a.feed_id WHERE a.id = ANY($1)",
            &[&ids],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| ArchivedText {
            id: r.get(0),
            story_id: r.get(1),
            url: r.get(2),
            title: r.get(3),
            body: r.get(4),
            outlet: r.get(5),
            lang: r.get(6),
            published_at: super::rescan::published_text(r.get(7), r.get(8)),
        })
        .collect())
}

impl SearchIndex for Pool {
    async fn candidates(
        &self,
        narrow: Option<&Narrow>,
        since: Option<DateTime<Utc>>,
        after: Option<Candidate>,
        count: usize,
    ) -> std::result::Result<Vec<Candidate>, StoreError> {
        Ok(candidates(self, narrow, since, after, count).await?)
    }

    async fn texts(&self, ids: Vec<i64>) -> std::result::Result<Vec<ArchivedText>, StoreError> {
        Ok(texts(self, ids).await?)
    }
}
