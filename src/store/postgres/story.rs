//! Which story a new article joins, on PostgreSQL: the candidates read, the decision left to
//! [`crate::story`] as on SQLite, and what it decides written.
//!
//! Several instances store articles at once. A story decision read candidates that a write
//! not yet committed would have added to: two rewrites of one event stored at the same moment
//! would each find nothing and open two stories. The decision is therefore taken under a
//! transaction-level advisory lock ([`lock_stories`]), held from before the candidates are read
//! until the article's transaction ends; the next decision reads what it committed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use tokio_postgres::Transaction;

use super::Result;
use crate::store::StoredArticle;
use crate::store::story::{
    ARTICLES, Assigned, decode_counts, decode_profile, encode_counts, entity_names,
};
use crate::story::assign::{self, Choice};
use crate::story::candidates::{self, HOLDERS_PER_PROBE, Stored, Terms};
use crate::story::rewrite::{self, Candidate, Term};
use crate::story::{Signature, reprint};

/// The key of the story lock ("raqib_st"), beside the migrations' ("raqib_mg").
const STORY_LOCK: i64 = 0x7261_7169_625f_7374;

/// Take the story lock for the rest of `tx`: every write that reads or moves stories (a new
/// article, an alert placed on a story) takes it first.
pub(super) async fn lock_stories(tx: &Transaction<'_>) -> Result<()> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&STORY_LOCK])
        .await?;
    Ok(())
}

/// Find the article's story among the articles stored since `since` (decided by
/// [`assign::choose`]): a reprint, else a rewrite, else a new story titled `title`; an article
/// that rewrites two stories merges them into the earlier. Its words are then counted into the
/// document frequencies. The caller holds [`lock_stories`].
pub(super) async fn assign(
    tx: &Transaction<'_>,
    signature: &Signature,
    title: &str,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Assigned> {
    let counted: Vec<Term> = std::iter::once(ARTICLES)
        .chain(assign::counted_terms(signature))
        .collect();
    // Weighed as SQLite weighs it, the article itself counted; the counts are written after
    // the decision, so that the only thing ordering two decisions is the story lock.
    let mut df = frequencies_with(tx, &counted).await?;
    let articles = df.remove(&ARTICLES).unwrap_or(1);
    let weighed = assign::weigh(signature, &df, articles);
    let stories = match reprint_of(tx, signature.simhash, since).await? {
        Some(story) => vec![story],
        None => {
            let candidates =
                rewrite_candidates(tx, &weighed.profile, since, &mut df, articles).await?;
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
                merge(tx, later, story, now).await?;
            }
            story
        }
        Choice::New => tx
            .query_one(
                "INSERT INTO story (first_seen_at, title) VALUES ($1, $2) RETURNING id",
                &[&now, &title],
            )
            .await?
            .get(0),
    };
    count_terms(tx, &counted).await?;
    Ok(Assigned {
        story_id,
        profile: weighed.profile,
        counts: weighed.counts,
        entities: signature.entities.clone(),
    })
}

/// The document frequencies of `terms` once each holder in the list is counted (a term listed
/// twice counts twice), as SQLite's counting statement returns them.
async fn frequencies_with(tx: &Transaction<'_>, terms: &[Term]) -> Result<HashMap<Term, u64>> {
    let mut df = document_frequencies(tx, terms).await?;
    for term in terms {
        *df.entry(*term).or_default() += 1;
    }
    Ok(df)
}

/// One more holder for each of `terms` (a term listed twice counts twice). Rows are locked in
/// term order, so two writers counting overlapping terms cannot deadlock on them.
pub(super) async fn count_terms(tx: &Transaction<'_>, terms: &[Term]) -> Result<()> {
    tx.execute(
        "INSERT INTO term_df (term, df)
         SELECT term, count(*) FROM unnest($1::bigint[]) AS term GROUP BY term ORDER BY term
         ON CONFLICT (term) DO UPDATE SET df = term_df.df + excluded.df",
        &[&terms],
    )
    .await?;
    Ok(())
}

/// Move the `later` story's articles and alerts to `earlier`, as SQLite's merge does: an alert
/// whose watch already alerted on `earlier` stays on the story it was raised on (whose row
/// stays for it); `story_merge` says where that story went.
async fn merge(tx: &Transaction<'_>, later: i64, earlier: i64, now: DateTime<Utc>) -> Result<()> {
    for statement in [
        "UPDATE alert SET story_id = $2 WHERE story_id = $1
           AND watch NOT IN (SELECT watch FROM alert WHERE story_id = $2)",
        "UPDATE article SET story_id = $2 WHERE story_id = $1",
        "UPDATE article_story SET story_id = $2 WHERE story_id = $1",
    ] {
        tx.execute(statement, &[&later, &earlier]).await?;
    }
    tx.execute(
        "DELETE FROM story WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM alert WHERE story_id = $1)",
        &[&later],
    )
    .await?;
    tx.execute(
        "INSERT INTO story_merge (story_id, merged_into, merged_at) VALUES ($1, $2, $3)",
        &[&later, &earlier, &now],
    )
    .await?;
    Ok(())
}

/// Store what the articles that come after this one compare themselves with.
pub(super) async fn record(
    tx: &Transaction<'_>,
    article: StoredArticle,
    assigned: &Assigned,
    weekdays: u8,
) -> Result<()> {
    tx.execute(
        "INSERT INTO article_story (article_id, story_id, weekdays, entities, term_counts)
         VALUES ($1, $2, $3, $4, $5)",
        &[
            &article.id,
            &article.story_id,
            &i64::from(weekdays),
            &assigned.entities.join("\n"),
            &encode_counts(&assigned.counts),
        ],
    )
    .await?;
    // A term twice in the profile keeps its last weight, as SQLite's INSERT OR REPLACE does.
    let weights: BTreeMap<Term, f64> = assigned
        .profile
        .iter()
        .map(|(term, weight)| (*term, f64::from(*weight)))
        .collect();
    let (terms, weights): (Vec<Term>, Vec<f64>) = weights.into_iter().unzip();
    tx.execute(
        "INSERT INTO article_term (article_id, term, weight)
         SELECT $1, term, weight FROM unnest($2::bigint[], $3::float8[]) AS t(term, weight)",
        &[&article.id, &terms, &weights],
    )
    .await?;
    Ok(())
}

async fn reprint_of(
    tx: &Transaction<'_>,
    simhash: u64,
    since: DateTime<Utc>,
) -> Result<Option<i64>> {
    // The expressions are those of the band indexes (article_band0 to 3).
    let [band0, band1, band2, band3] = reprint::bands(simhash);
    let rows = tx
        .query(
            "SELECT story_id, simhash FROM article
             WHERE ((simhash & 65535) = $2 OR ((simhash >> 16) & 65535) = $3
                    OR ((simhash >> 32) & 65535) = $4 OR ((simhash >> 48) & 65535) = $5)
               AND fetched_at >= $1
             LIMIT $6",
            &[
                &since,
                &band0,
                &band1,
                &band2,
                &band3,
                &(reprint::CANDIDATES as i64),
            ],
        )
        .await?;
    let candidates: Vec<(i64, u64)> = rows
        .iter()
        .map(|row| (row.get::<_, i64>(0), row.get::<_, i64>(1) as u64))
        .collect();
    Ok(reprint::find(simhash, &candidates))
}

/// Articles stored since `since` that share at least [`candidates::SHARED_PROBES`] of the new
/// article's heaviest terms, with their vectors and entities weighed today; those sharing most
/// first. `df` holds the new article's document frequencies and gains those of the candidates'
/// terms.
async fn rewrite_candidates(
    tx: &Transaction<'_>,
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
        .query_one(
            "SELECT min(id) FROM article WHERE fetched_at >= $1",
            &[&since],
        )
        .await?
        .get(0);
    let Some(first) = first else {
        return Ok(Vec::new());
    };
    // The most recent holders of each probe term, in one round trip.
    let holders = tx
        .query(
            "SELECT h.article_id FROM unnest($1::bigint[]) AS p(term)
             CROSS JOIN LATERAL (
                 SELECT article_id FROM article_term WHERE term = p.term AND article_id >= $2
                 ORDER BY article_id DESC LIMIT $3) AS h",
            &[&probes, &first, &(HOLDERS_PER_PROBE as i64)],
        )
        .await?;
    let mut shared: HashMap<i64, usize> = HashMap::new();
    for row in &holders {
        *shared.entry(row.get(0)).or_default() += 1;
    }
    let shortlist = candidates::shortlist(shared);
    let stored = stored_candidates(tx, &shortlist).await?;
    let unknown = candidates::unweighed_terms(&stored, df);
    df.extend(document_frequencies(tx, &unknown).await?);
    Ok(candidates::weigh(stored, df, articles))
}

/// A candidate's row of `article_story`: its term counts, or before those its frozen vector.
struct StoryRow {
    story: i64,
    entities: String,
    counts: Option<Vec<u8>>,
    profile: Option<Vec<u8>>,
}

/// The articles `ids` as candidates, in that order; the weekdays of each one's whole story, so
/// that an article naming none does not bridge two days.
async fn stored_candidates(tx: &Transaction<'_>, ids: &[i64]) -> Result<Vec<Stored>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = tx
        .query(
            "SELECT article_id, story_id, entities, term_counts, profile FROM article_story
             WHERE article_id = ANY($1)",
            &[&ids],
        )
        .await?;
    let mut by_id: HashMap<i64, StoryRow> = rows
        .iter()
        .map(|row| {
            let read = StoryRow {
                story: row.get(1),
                entities: row.get(2),
                counts: row.get(3),
                profile: row.get(4),
            };
            (row.get(0), read)
        })
        .collect();
    let stories: Vec<i64> = by_id.values().map(|row| row.story).collect();
    let story_days: HashMap<i64, u8> = tx
        .query(
            "SELECT story_id, bit_or(weekdays) FROM article_story WHERE story_id = ANY($1)
             GROUP BY story_id",
            &[&stories],
        )
        .await?
        .iter()
        .map(|row| (row.get(0), row.get::<_, i64>(1) as u8))
        .collect();
    let mut stored = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(StoryRow {
            story,
            entities,
            counts,
            profile,
        }) = by_id.remove(id)
        else {
            continue;
        };
        let terms = match (counts.as_deref().and_then(decode_counts), profile) {
            (Some(counts), _) => Terms::Counts(counts),
            (None, Some(profile)) => Terms::Weighed(decode_profile(&profile).unwrap_or_default()),
            (None, None) => Terms::Weighed(
                tx.query(
                    "SELECT term, weight FROM article_term WHERE article_id = $1 ORDER BY term",
                    &[id],
                )
                .await?
                .iter()
                .map(|row| (row.get::<_, i64>(0), row.get::<_, f64>(1) as f32))
                .collect(),
            ),
        };
        stored.push(Stored {
            story,
            terms,
            entities: entity_names(&entities).map(str::to_string).collect(),
            weekdays: story_days.get(&story).copied().unwrap_or(0),
        });
    }
    Ok(stored)
}

/// The database's document frequencies of these terms (those it does not count are left out).
async fn document_frequencies(tx: &Transaction<'_>, terms: &[Term]) -> Result<HashMap<Term, u64>> {
    if terms.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = tx
        .query(
            "SELECT term, df FROM term_df WHERE term = ANY($1)",
            &[&terms],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| (row.get(0), row.get::<_, i64>(1).max(0) as u64))
        .collect())
}
