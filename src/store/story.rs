//! Which story a new article joins: the candidates from the database, the decision from
//! [`crate::story`].

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::{Result, StoreError, StoredArticle, timestamp};
use crate::story::assign::{self, Choice};
use crate::story::candidates::{self, HOLDERS_PER_PROBE, Stored, Terms};
use crate::story::rewrite::{self, Candidate, Term};
use crate::story::{Signature, reprint, words_of};

/// The row of `term_df` that counts articles.
pub(super) const ARTICLES: Term = 0;

/// A new article's story and what to store with it.
pub(super) struct Assigned {
    pub story_id: i64,
    /// Its TF-IDF vector today, through whose heaviest terms later articles find it.
    pub profile: Vec<(Term, f32)>,
    /// The counts of the terms of [`Assigned::profile`]: what it is compared by later, weighed
    /// then.
    pub counts: Vec<(Term, u32)>,
    pub entities: Vec<String>,
}

/// Count the article's words, then find its story among the articles stored since `since`
/// (decided by [`assign::choose`]): a reprint, else a rewrite, else a new story titled `title`.
/// An article that rewrites two stories merges them into the earlier.
pub(super) fn assign(
    tx: &Connection,
    signature: &Signature,
    title: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Assigned> {
    let (mut df, articles) = count_words(tx, assign::counted_terms(signature))?;
    let weighed = assign::weigh(signature, &df, articles);
    let stories = match reprint_of(tx, signature.simhash, since)? {
        Some(story) => vec![story],
        None => {
            let candidates = rewrite_candidates(tx, &weighed.profile, since, &mut df, articles)?;
            rewrite::find(
                &weighed.profile,
                &weighed.entities,
                signature.weekdays,
                &candidates,
            )
        }
    };
    let story_id = match assign::choose(&stories) {
        Choice::Join { story, merged } => {
            for later in merged {
                merge(tx, later, story, now)?;
            }
            story
        }
        Choice::New => {
            tx.execute(
                "INSERT INTO story (first_seen_at, title) VALUES (?1, ?2)",
                params![timestamp(now), title],
            )?;
            tx.last_insert_rowid()
        }
    };
    Ok(Assigned {
        story_id,
        profile: weighed.profile,
        counts: weighed.counts,
        entities: signature.entities.clone(),
    })
}

/// Move the `later` story's articles and alerts to `earlier`, keeping one alert per watch and
/// story: an alert whose watch already alerted on `earlier` stays, with the articles recorded
/// against it, on the story it was raised on (whose row stays for it; an emptied story row with
/// no alert goes); `story_merge` says where that story went. Articles of the merged story after
/// this are recorded against the earlier story's alert.
fn merge(tx: &Connection, later: i64, earlier: i64, now: DateTime<Utc>) -> Result<()> {
    for statement in [
        "UPDATE alert SET story_id = ?2 WHERE story_id = ?1
           AND watch NOT IN (SELECT watch FROM alert WHERE story_id = ?2)",
        "UPDATE article SET story_id = ?2 WHERE story_id = ?1",
        "UPDATE article_story SET story_id = ?2 WHERE story_id = ?1",
    ] {
        tx.prepare_cached(statement)?
            .execute(params![later, earlier])?;
    }
    tx.prepare_cached(
        "DELETE FROM story WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM alert WHERE story_id = ?1)",
    )?
    .execute([later])?;
    tx.prepare_cached(
        "INSERT INTO story_merge (story_id, merged_into, merged_at) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![later, earlier, timestamp(now)])?;
    Ok(())
}

/// Store what the articles that come after this one compare themselves with.
pub(super) fn record(
    tx: &Connection,
    article: StoredArticle,
    assigned: &Assigned,
    weekdays: u8,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO article_story (article_id, story_id, weekdays, entities, term_counts)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        article.id,
        article.story_id,
        weekdays,
        assigned.entities.join("\n"),
        encode_counts(&assigned.counts)
    ])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO article_term (article_id, term, weight) VALUES (?1, ?2, ?3)",
    )?;
    for (term, weight) in &assigned.profile {
        insert.execute(params![article.id, term, f64::from(*weight)])?;
    }
    Ok(())
}

/// Add the article to the document frequencies; the frequency of each of its words (itself
/// included) and the number of articles.
fn count_words(
    tx: &Connection,
    words: impl Iterator<Item = Term>,
) -> Result<(HashMap<Term, u64>, u64)> {
    let terms: Vec<Term> = std::iter::once(ARTICLES).chain(words).collect();
    let mut df = count_terms(tx, &terms)?;
    let articles = df.remove(&ARTICLES).unwrap_or(1);
    Ok((df, articles))
}

/// One more holder for each of `terms` (a term listed twice counts twice); their frequencies
/// after.
fn count_terms(tx: &Connection, terms: &[Term]) -> Result<HashMap<Term, u64>> {
    // One statement for all the words: a step per word cost more than the B-tree work itself.
    let list = serde_json::to_string(terms).map_err(|e| StoreError::Task(e.to_string()))?;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO term_df (term, df) SELECT value, 1 FROM json_each(?1) WHERE true
         ON CONFLICT (term) DO UPDATE SET df = df + 1 RETURNING term, df",
    )?;
    let mut df: HashMap<Term, u64> = HashMap::with_capacity(terms.len());
    for row in upsert.query_map([list], |r| Ok((r.get::<_, Term>(0)?, r.get::<_, i64>(1)?)))? {
        let (term, count) = row?;
        // A term listed twice (a word and an entity hashing alike) keeps its final count.
        let entry = df.entry(term).or_default();
        *entry = (*entry).max(count as u64);
    }
    Ok(df)
}

/// One holder fewer for each of `terms`; a word no stored article holds any more is dropped,
/// which keeps `term_df` as large as the vocabulary of what is kept, not of everything ever
/// read.
fn uncount_terms(tx: &Connection, terms: impl Iterator<Item = Term>) -> Result<()> {
    let mut decrement =
        tx.prepare_cached("UPDATE term_df SET df = df - 1 WHERE term = ?1 RETURNING df")?;
    let mut drop_term = tx.prepare_cached("DELETE FROM term_df WHERE term = ?1")?;
    for term in terms {
        let left: Option<i64> = decrement.query_row([term], |r| r.get(0)).optional()?;
        if term != ARTICLES && left.is_some_and(|df| df <= 0) {
            drop_term.execute([term])?;
        }
    }
    Ok(())
}

/// Take a pruned article out of the document frequencies: its words counted again from its
/// title and body, its entities read from its story row.
pub(super) fn uncount_article(tx: &Connection, article_id: i64) -> Result<()> {
    let row = tx
        .prepare_cached(
            "SELECT a.title, a.body, s.entities FROM article a
             JOIN article_story s ON s.article_id = a.id WHERE a.id = ?1",
        )?
        .query_row([article_id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
            ))
        })
        .optional()?;
    // Articles stored before story grouping were never counted.
    let Some((title, body, entities)) = row else {
        return Ok(());
    };
    uncount_terms(tx, counted_terms(&title, &body, &entities))
}

/// What a stored article counts in the document frequencies: its words, the entities its
/// story row keeps, and one article.
pub(super) fn counted_terms<'a>(
    title: &'a str,
    body: &'a str,
    entities: &'a str,
) -> impl Iterator<Item = Term> + 'a {
    words_of(title, body)
        .chain(entity_names(entities).map(rewrite::entity_term))
        .chain([ARTICLES])
}

/// A page replaces the body an article was counted from (its feed summary): the summary's
/// words leave the document frequencies and the page's come in, so that pruning the article
/// later takes out exactly what it holds. Its entities, kept on its story row, stay.
pub(super) fn recount_body(tx: &Connection, article_id: i64, body: &str) -> Result<()> {
    let row = tx
        .prepare_cached(
            "SELECT a.title, a.body FROM article a
             JOIN article_story s ON s.article_id = a.id WHERE a.id = ?1",
        )?
        .query_row([article_id], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?;
    let Some((title, before)) = row else {
        return Ok(());
    };
    uncount_terms(tx, words_of(&title, &before))?;
    count_terms(tx, &words_of(&title, body).collect::<Vec<_>>())?;
    Ok(())
}

fn reprint_of(tx: &Connection, simhash: u64, since: DateTime<Utc>) -> Result<Option<i64>> {
    // The expressions must match the indexes of migration 0007 exactly (they cover the query).
    let mut stmt = tx.prepare_cached(
        "SELECT story_id, simhash FROM article
         WHERE ((simhash & 65535) = ?2 OR ((simhash >> 16) & 65535) = ?3
                OR ((simhash >> 32) & 65535) = ?4 OR ((simhash >> 48) & 65535) = ?5)
           AND fetched_at >= ?1
         LIMIT ?6",
    )?;
    let [band0, band1, band2, band3] = reprint::bands(simhash);
    let candidates = stmt
        .query_map(
            params![
                timestamp(since),
                band0,
                band1,
                band2,
                band3,
                reprint::CANDIDATES as i64
            ],
            |row| Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)? as u64)),
        )?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(reprint::find(simhash, &candidates))
}

/// Articles stored since `since` that share at least [`candidates::SHARED_PROBES`] of the new
/// article's heaviest terms, with their vectors and entities weighed today; those sharing most
/// first. `df` holds the new article's document frequencies and gains those of the candidates'
/// terms.
fn rewrite_candidates(
    tx: &Connection,
    profile: &[(Term, f32)],
    since: DateTime<Utc>,
    df: &mut HashMap<Term, u64>,
    articles: u64,
) -> Result<Vec<Candidate>> {
    let probes = rewrite::probes(profile);
    if probes.is_empty() {
        return Ok(Vec::new());
    }
    let first: Option<i64> = tx
        .query_row(
            "SELECT min(id) FROM article WHERE fetched_at >= ?1",
            [timestamp(since)],
            |r| r.get(0),
        )
        .optional()?
        .flatten();
    let Some(first) = first else {
        return Ok(Vec::new());
    };
    // The most recent holders of each probe term, counted here: a GROUP BY over every holder
    // of all the probes made SQLite sort thousands of rows per article on the writer.
    let mut holders = tx.prepare_cached(
        "SELECT article_id FROM article_term WHERE term = ?1 AND article_id >= ?2
         ORDER BY article_id DESC LIMIT ?3",
    )?;
    let mut shared: HashMap<i64, usize> = HashMap::new();
    for probe in &probes {
        for id in holders.query_map(params![probe, first, HOLDERS_PER_PROBE as i64], |r| {
            r.get::<_, i64>(0)
        })? {
            *shared.entry(id?).or_default() += 1;
        }
    }
    let mut story_days: HashMap<i64, u8> = HashMap::new();
    let stored = candidates::shortlist(shared)
        .into_iter()
        .map(|id| stored_candidate(tx, id, &mut story_days))
        .collect::<Result<Vec<_>>>()?;
    let unknown = candidates::unweighed_terms(&stored, df);
    df.extend(document_frequencies(tx, &unknown)?);
    Ok(candidates::weigh(stored, df, articles))
}

/// Article `id` as a candidate; `story_days` keeps the weekdays of the stories already read.
fn stored_candidate(tx: &Connection, id: i64, story_days: &mut HashMap<i64, u8>) -> Result<Stored> {
    let (story, entities, counts, profile): (i64, String, Option<Vec<u8>>, Option<Vec<u8>>) = tx
        .prepare_cached(
            "SELECT story_id, entities, term_counts, profile FROM article_story
             WHERE article_id = ?1",
        )?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    // The days of the whole story: an article naming none must not bridge two days.
    let weekdays = match story_days.get(&story) {
        Some(&days) => days,
        None => {
            let days = tx
                .prepare_cached("SELECT weekdays FROM article_story WHERE story_id = ?1")?
                .query_map([story], |r| r.get::<_, u8>(0))?
                .try_fold(0, |acc, d| d.map(|d| acc | d))?;
            story_days.insert(story, days);
            days
        }
    };
    let terms = match (counts.as_deref().and_then(decode_counts), profile) {
        (Some(counts), _) => Terms::Counts(counts),
        (None, Some(profile)) => Terms::Weighed(decode_profile(&profile).unwrap_or_default()),
        (None, None) => Terms::Weighed(
            tx.prepare_cached(
                "SELECT term, weight FROM article_term WHERE article_id = ?1 ORDER BY term",
            )?
            .query_map([id], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, f64>(1)? as f32))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        ),
    };
    Ok(Stored {
        story,
        terms,
        entities: entity_names(&entities).map(str::to_string).collect(),
        weekdays,
    })
}

/// The names of the `entities` column, one a line. Rows stored before 0014 keep a weight
/// after a tab: the name is what counts now.
pub(super) fn entity_names(column: &str) -> impl Iterator<Item = &str> {
    column
        .lines()
        .filter_map(|line| line.split('\t').next())
        .filter(|name| !name.is_empty())
}

/// The database's document frequencies of these terms (those it does not count are left out).
fn document_frequencies(tx: &Connection, terms: &[Term]) -> Result<HashMap<Term, u64>> {
    if terms.is_empty() {
        return Ok(HashMap::new());
    }
    let list = serde_json::to_string(terms).map_err(|e| StoreError::Task(e.to_string()))?;
    let mut select = tx.prepare_cached(
        "SELECT term, df FROM term_df WHERE term IN (SELECT value FROM json_each(?1))",
    )?;
    let found = select
        .query_map([list], |r| {
            Ok((r.get::<_, Term>(0)?, r.get::<_, i64>(1)?.max(0) as u64))
        })?
        .collect::<rusqlite::Result<HashMap<_, _>>>()?;
    Ok(found)
}

/// Term counts as the `term_counts` column keeps them: (term, count) pairs, little-endian.
pub(super) fn encode_counts(counts: &[(Term, u32)]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(counts.len() * 12);
    for (term, count) in counts {
        bytes.extend_from_slice(&term.to_le_bytes());
        bytes.extend_from_slice(&count.to_le_bytes());
    }
    bytes
}

/// The counts back; `None` when the bytes are not whole pairs.
pub(super) fn decode_counts(bytes: &[u8]) -> Option<Vec<(Term, u32)>> {
    if bytes.len() % 12 != 0 {
        return None;
    }
    bytes
        .chunks_exact(12)
        .map(|pair| {
            let term = Term::from_le_bytes(pair[..8].try_into().ok()?);
            let count = u32::from_le_bytes(pair[8..].try_into().ok()?);
            Some((term, count))
        })
        .collect()
}

/// A vector as the `profile` column of 0011 keeps it: (term, weight) pairs, little-endian;
/// `None` when the bytes are not whole pairs.
pub(super) fn decode_profile(bytes: &[u8]) -> Option<Vec<(Term, f32)>> {
    decode_counts(bytes).map(|pairs| {
        pairs
            .into_iter()
            .map(|(term, bits)| (term, f32::from_bits(bits)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_round_trip_and_torn_bytes_are_refused() {
        let counts = vec![(-5_i64, 1_u32), (7, 3), (i64::MAX, u32::MAX)];
        assert_eq!(decode_counts(&encode_counts(&counts)), Some(counts));
        assert_eq!(decode_counts(&[]), Some(Vec::new()));
        assert_eq!(decode_counts(&[1, 2, 3]), None);
    }

    #[test]
    fn profiles_of_0011_are_read() {
        let mut bytes = Vec::new();
        for (term, weight) in [(-5_i64, 0.25_f32), (7, 0.5)] {
            bytes.extend_from_slice(&term.to_le_bytes());
            bytes.extend_from_slice(&weight.to_le_bytes());
        }
        assert_eq!(decode_profile(&bytes), Some(vec![(-5, 0.25), (7, 0.5)]));
    }
}
