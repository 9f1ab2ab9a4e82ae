//! The search index (migration 0018): kept with each article's writes, and read by `raqib
//! search` through [`SearchIndex`], which both backends implement with the same order.
//!
//! The index holds the tokens [`crate::text::index`] reads off an article, so it narrows a
//! query to the articles that hold every token the query's words need; the watch evaluator
//! then decides on the stored text ([`crate::watch::narrow`] says why nothing it accepts is
//! left out). On SQLite it is a contentless FTS5 table without positions (`detail=none`):
//! only which article holds which token, plus the time it is ordered by.

use std::collections::HashSet;
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
    /// Up to `count` articles `narrow` does not rule out (every one when `None`), at or after
    /// `since`, newest first (then highest id), coming after `after` in that order.
    fn candidates(
        &self,
        narrow: Option<&Narrow>,
        since: Option<DateTime<Utc>>,
        after: Option<Candidate>,
        count: usize,
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
    index_terms(conn, id, tokens, at)?;
    conn.prepare_cached("INSERT INTO article_search_at (article_id, at) VALUES (?1, ?2)")?
        .execute(params![id, at])?;
    Ok(())
}

/// The FTS5 row of [`index`], all migration 0018 had (0020 copies `at` from there).
fn index_terms(conn: &Connection, id: i64, tokens: &[String], at: i64) -> Result<()> {
    conn.prepare_cached("INSERT INTO article_search (rowid, terms, at) VALUES (?1, ?2, ?3)")?
        .execute(params![id, tokens.join(" "), at])?;
    Ok(())
}

/// Index article `id` again from its stored row, after its body changed.
pub(super) fn reindex(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("DELETE FROM article_search WHERE rowid = ?1")?
        .execute([id])?;
    conn.prepare_cached("DELETE FROM article_search_at WHERE article_id = ?1")?
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

/// Index every stored article (migration 0018, which creates the index, in its transaction).
pub(super) fn index_stored(conn: &Connection) -> Result<()> {
    let mut read =
        conn.prepare("SELECT id, title, body, published_at, fetched_at FROM article ORDER BY id")?;
    let mut rows = read.query([])?;
    while let Some(row) = rows.next()? {
        let published: Option<String> = row.get(3)?;
        let fetched: String = row.get(4)?;
        index_terms(
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

/// Candidates up to which each one's time is looked up and the lot sorted; above, the
/// articles are walked newest first and kept when the index holds them, which reads about
/// `count × articles / candidates` rows: at most 250 per candidate wanted at 1,000,000.
const LOOKED_UP: usize = 4_000;

/// The keyset bound of a page: articles strictly after `after`, newest first.
fn bound(after: Option<Candidate>) -> (i64, i64) {
    after.map_or((i64::MAX, i64::MAX), |c| (c.at, c.id))
}

/// Of articles `ids` (those the index cannot rule out), up to `count` at or after `since`
/// and after `after`, newest first; each one's time looked up when there are at most
/// `looked_up` of them, else the articles walked newest first.
fn newest(
    conn: &Connection,
    ids: Vec<i64>,
    since: i64,
    after: Option<Candidate>,
    count: usize,
    looked_up: usize,
) -> Result<Vec<Candidate>> {
    let (at, id) = bound(after);
    if ids.len() <= looked_up {
        let mut read =
            conn.prepare_cached("SELECT at FROM article_search_at WHERE article_id = ?1")?;
        let mut found = Vec::with_capacity(ids.len());
        for candidate in ids {
            let mut rows = read.query([candidate])?;
            if let Some(row) = rows.next()? {
                let one = Candidate {
                    id: candidate,
                    at: row.get(0)?,
                };
                if one.at >= since && (one.at, one.id) < (at, id) {
                    found.push(one);
                }
            }
        }
        found.sort_unstable_by_key(|c| std::cmp::Reverse((c.at, c.id)));
        found.truncate(count);
        return Ok(found);
    }
    let held: HashSet<i64> = ids.into_iter().collect();
    let mut walk = conn.prepare_cached(
        "SELECT article_id, at FROM article_search_at
         WHERE at >= ?1 AND (at, article_id) < (?2, ?3) ORDER BY at DESC, article_id DESC",
    )?;
    let mut rows = walk.query(params![since, at, id])?;
    let mut found = Vec::new();
    while found.len() < count {
        let Some(row) = rows.next()? else { break };
        let one = Candidate {
            id: row.get(0)?,
            at: row.get(1)?,
        };
        if held.contains(&one.id) {
            found.push(one);
        }
    }
    Ok(found)
}

impl Reader {
    fn search_candidates(
        &self,
        narrow: Option<&Narrow>,
        since: Option<DateTime<Utc>>,
        after: Option<Candidate>,
        count: usize,
    ) -> Result<Vec<Candidate>> {
        let since = since.map_or(i64::MIN, |s| s.timestamp());
        let Some(narrow) = narrow else {
            let (at, id) = bound(after);
            return Ok(self
                .conn
                .prepare_cached(
                    "SELECT article_id, at FROM article_search_at
                     WHERE at >= ?1 AND (at, article_id) < (?2, ?3)
                     ORDER BY at DESC, article_id DESC LIMIT ?4",
                )?
                .query_map(
                    params![since, at, id, i64::try_from(count).unwrap_or(i64::MAX)],
                    |r| {
                        Ok(Candidate {
                            id: r.get(0)?,
                            at: r.get(1)?,
                        })
                    },
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?);
        };
        // Only the ids: reading each one's time through FTS5 is what made a large candidate
        // set slow to order.
        let ids = self
            .conn
            .prepare_cached("SELECT rowid FROM article_search WHERE article_search MATCH ?1")?
            .query_map([fts_query(narrow)], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        newest(&self.conn, ids, since, after, count, LOOKED_UP)
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
        after: Option<Candidate>,
        count: usize,
    ) -> impl Future<Output = Result<Vec<Candidate>>> {
        std::future::ready(self.search_candidates(narrow, since, after, count))
    }

    fn texts(&self, ids: Vec<i64>) -> impl Future<Output = Result<Vec<ArchivedText>>> {
        std::future::ready(self.search_texts(&ids))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages of `count` through `ids`, each after the last one's final candidate.
    fn paged(conn: &Connection, ids: &[i64], since: i64, looked_up: usize) -> Vec<Candidate> {
        let mut all = Vec::new();
        loop {
            let page =
                newest(conn, ids.to_vec(), since, all.last().copied(), 7, looked_up).unwrap();
            assert!(page.len() <= 7);
            let done = page.len() < 7;
            all.extend(page);
            if done {
                return all;
            }
        }
    }

    #[test]
    fn looking_times_up_and_walking_newest_first_give_the_same_pages() {
        let mut conn = Connection::open_in_memory().unwrap();
        super::super::migrate::run(&mut conn).unwrap();
        // Times out of the ids' order, many shared: the keyset must break ties by id.
        let at = |id: i64| (id * 7919) % 53;
        for id in 1..=400 {
            conn.execute(
                "INSERT INTO article_search_at (article_id, at) VALUES (?1, ?2)",
                params![id, at(id)],
            )
            .unwrap();
        }
        let ids: Vec<i64> = (1..=400).filter(|id| id % 3 == 0 || id % 7 == 1).collect();
        for since in [i64::MIN, 20] {
            let mut expected: Vec<Candidate> = ids
                .iter()
                .map(|&id| Candidate { id, at: at(id) })
                .filter(|c| c.at >= since)
                .collect();
            expected.sort_by_key(|c| std::cmp::Reverse((c.at, c.id)));
            assert!(expected.len() > 50);
            assert_eq!(paged(&conn, &ids, since, usize::MAX), expected, "looked up");
            assert_eq!(paged(&conn, &ids, since, 0), expected, "walked");
        }
    }
}
