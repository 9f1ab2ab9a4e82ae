//! The search index (migration 0018): kept with each article's writes, and read by `raqib
//! search` through [`SearchIndex`], which both backends implement with the same order.
//!
//! The index holds the tokens [`crate::text::index`] reads off an article, so it narrows a
//! query to the articles that hold every token the query's words need; the watch evaluator
//! then decides on the stored text ([`crate::watch::narrow`] says why nothing it accepts is
//! left out). On SQLite it is a contentless FTS5 table without positions (`detail=none`):
//! only which article holds which token, plus the time it is ordered by.

use std::future::Future;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, params};

use super::{Reader, Result, parse_timestamp};
use crate::text::index::article_tokens;
use crate::watch::narrow::Narrow;

/// An article the index cannot rule out, with the time it is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub id: i64,
    /// Publication time, else fetch time, in Unix seconds.
    pub at: i64,
}

/// What a search reads of a candidate to evaluate and show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchivedText {
    pub id: i64,
    pub story_id: i64,
    pub url: Option<String>,
    pub title: String,
    pub body: String,
    pub outlet: String,
    pub lang: Option<String>,
    /// As the source wrote it (RFC 3339 with its offset).
    pub published_at: Option<String>,
}

/// The read side of the search index, the same on every backend.
pub trait SearchIndex {
    /// Articles `narrow` does not rule out (every one when `None`), at or after `since`,
    /// newest first (then highest id).
    fn candidates(
        &self,
        narrow: Option<&Narrow>,
        since: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<Vec<Candidate>>>;

    /// The texts of articles `ids`, in any order (an article pruned meanwhile is missing).
    fn texts(&self, ids: Vec<i64>) -> impl Future<Output = Result<Vec<ArchivedText>>>;
}

/// The time an article is searched by: its publication, else its fetch.
pub(super) fn ordered_at(published_at: Option<DateTime<Utc>>, fetched_at: DateTime<Utc>) -> i64 {
    published_at.unwrap_or(fetched_at).timestamp()
}

/// Index article `id` under `tokens` (its writer's transaction).
pub(super) fn index(conn: &Connection, id: i64, tokens: &[String], at: i64) -> Result<()> {
    conn.prepare_cached("INSERT INTO article_search (rowid, terms, at) VALUES (?1, ?2, ?3)")?
        .execute(params![id, tokens.join(" "), at])?;
    Ok(())
}

/// Index article `id` again from its stored row, after its body changed.
pub(super) fn reindex(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM article_search WHERE rowid = ?1")?
        .execute([id])?;
    let (title, body, published, fetched): (String, String, Option<String>, String) = conn
        .prepare_cached("SELECT title, body, published_at, fetched_at FROM article WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    let at = stored_at(published.as_deref(), &fetched);
    index(conn, id, &article_tokens(&title, &body), at)
}

fn stored_at(published: Option<&str>, fetched: &str) -> i64 {
    ordered_at(
        published.and_then(parse_timestamp),
        parse_timestamp(fetched).unwrap_or_default(),
    )
}

/// Index every stored article (the migration that creates the index, in its transaction).
pub(super) fn index_stored(conn: &Connection) -> Result<()> {
    let mut read =
        conn.prepare("SELECT id, title, body, published_at, fetched_at FROM article ORDER BY id")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let published: Option<String> = row.get(3)?;
        let fetched: String = row.get(4)?;
        index(
            conn,
            row.get(0)?,
            &article_tokens(&row.get::<_, String>(1)?, &row.get::<_, String>(2)?),
            stored_at(published.as_deref(), &fetched),
        )?;
    }
    Ok(())
}

/// `narrow` in FTS5's query syntax: each token quoted (the tokenizer keeps it whole).
fn fts_query(narrow: &Narrow) -> String {
    match narrow {
        Narrow::Token(token) => {
            format!("\"{}\"{}", token.text, if token.prefix { "*" } else { "" })
        }
        Narrow::All(parts) => join(parts, " AND "),
        Narrow::Any(parts) => join(parts, " OR "),
    }
}

fn join(parts: &[Narrow], operator: &str) -> String {
    let parts: Vec<String> = parts.iter().map(fts_query).collect();
    format!("({})", parts.join(operator))
}

impl Reader {
    fn search_candidates(
        &self,
        narrow: Option<&Narrow>,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<Candidate>> {
        let since = since.map_or(i64::MIN, |s| s.timestamp());
        let row = |r: &rusqlite::Row<'_>| {
            Ok(Candidate {
                id: r.get(0)?,
                at: r.get(1)?,
            })
        };
        let found = match narrow {
            Some(narrow) => self
                .conn
                .prepare_cached(
                    "SELECT rowid, at FROM article_search WHERE article_search MATCH ?1 AND at >= ?2
                     ORDER BY at DESC, rowid DESC",
                )?
                .query_map(params![fts_query(narrow), since], row)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            None => self
                .conn
                .prepare_cached(
                    "SELECT rowid, at FROM article_search WHERE at >= ?1 ORDER BY at DESC, rowid DESC",
                )?
                .query_map([since], row)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        Ok(found)
    }

    fn search_texts(&self, ids: &[i64]) -> Result<Vec<ArchivedText>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT a.id, a.story_id, a.url, a.title, a.body, f.outlet, a.lang, a.published_at
             FROM article a JOIN feed f ON f.id = a.feed_id WHERE a.id = ?1",
        )?;
        let mut texts = Vec::with_capacity(ids.len());
        for id in ids {
            let mut rows = stmt.query([id])?;
            if let Some(r) = rows.next()? {
                texts.push(ArchivedText {
                    id: r.get(0)?,
                    story_id: r.get(1)?,
                    url: r.get(2)?,
                    title: r.get(3)?,
                    body: r.get(4)?,
                    outlet: r.get(5)?,
                    lang: r.get(6)?,
                    published_at: r.get(7)?,
                });
            }
        }
        Ok(texts)
    }
}

impl SearchIndex for Reader {
    fn candidates(
        &self,
        narrow: Option<&Narrow>,
        since: Option<DateTime<Utc>>,
    ) -> impl Future<Output = Result<Vec<Candidate>>> {
        std::future::ready(self.search_candidates(narrow, since))
    }

    fn texts(&self, ids: Vec<i64>) -> impl Future<Output = Result<Vec<ArchivedText>>> {
        std::future::ready(self.search_texts(&ids))
    }
}
