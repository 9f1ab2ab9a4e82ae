//! Keeping a PostgreSQL database bounded, as `store/retention.rs` keeps SQLite's: the same
//! cutoffs and batches, one short transaction per batch. Instances sharing the database
//! prune one at a time: a batch runs under a transaction advisory lock, and an instance that
//! finds it held prunes nothing this time (the holder is doing the work). A batch also holds
//! the story lock, as story decisions do.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio_postgres::Transaction;

use super::{Pool, Result, stored};
use crate::store::learned::{MAX_PER_OUTLET, WINDOW_DAYS};
use crate::store::story::{ARTICLES, counted_terms};
use crate::store::{Pruned, cutoffs};

/// How long a host's turn or a page's claim outlives its time before pruning removes it.
const EXPIRED_KEPT: &str = "1 day";

/// The key of the advisory lock pruning runs under ("raqib_pr").
const PRUNE_LOCK: i64 = 0x7261_7169_625f_7072;

/// Remove at most `batch` alerts and `batch` articles past their retention; call again while
/// it removes something. Nothing is removed while another instance prunes.
pub async fn prune(
    pool: &Pool,
    now: DateTime<Utc>,
    retention: Duration,
    alert_retention: Duration,
    batch: usize,
) -> Result<Pruned> {
    let cutoff = cutoffs(now, retention, alert_retention);
    let limit = i64::try_from(batch).unwrap_or(i64::MAX);
    let mut client = pool.client().await?;
    let tx = client.transaction().await?;
    let held: bool = tx
        .query_one("SELECT pg_try_advisory_xact_lock($1)", &[&PRUNE_LOCK])
        .await?
        .get(0);
    if !held {
        return Ok(Pruned::default());
    }
    // Pruning takes words out of the document frequencies that story decisions count in, and
    // deletes stories: under the story lock, a batch and a decision never interleave (row
    // locks taken on `term_df` in two orders would deadlock, and a decision could pick a story
    // being deleted). Taken after the pruning lock, never before, as no other path holds both.
    super::story::lock_stories(&tx).await?;
    let alerts: Vec<i64> = tx
        .query(
            "SELECT id FROM alert WHERE raised_at < $1 ORDER BY id LIMIT $2",
            &[&stored(cutoff.alerts), &limit],
        )
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
    for table in ["delivery", "alert_report"] {
        tx.execute(
            &format!("DELETE FROM {table} WHERE alert_id = ANY($1)"),
            &[&alerts],
        )
        .await?;
    }
    tx.execute("DELETE FROM alert WHERE id = ANY($1)", &[&alerts])
        .await?;
    // Articles an alert still shows stay until the alert goes.
    let articles = tx
        .query(
            "SELECT a.id, a.title, a.body, s.entities FROM article a
             LEFT JOIN article_story s ON s.article_id = a.id
             WHERE a.fetched_at < $1 AND NOT EXISTS (SELECT 1 FROM alert WHERE article_id = a.id)
             ORDER BY a.fetched_at LIMIT $2",
            &[&stored(cutoff.articles), &limit],
        )
        .await?;
    // Articles stored before story grouping (no story row) were never counted.
    let terms: Vec<i64> = articles
        .iter()
        .filter_map(|r| {
            let entities: &str = r.get::<_, Option<&str>>(3)?;
            Some(counted_terms(r.get(1), r.get(2), entities).collect::<Vec<_>>())
        })
        .flatten()
        .collect();
    uncount_terms(&tx, &terms).await?;
    let ids: Vec<i64> = articles.iter().map(|r| r.get(0)).collect();
    // Matches, terms, story rows and reports go with them (ON DELETE CASCADE).
    tx.execute("DELETE FROM article WHERE id = ANY($1)", &[&ids])
        .await?;
    let stories = tx
        .execute(
            "DELETE FROM story WHERE id IN (
                 SELECT s.id FROM story s WHERE s.first_seen_at < $1
                   AND NOT EXISTS (SELECT 1 FROM article WHERE story_id = s.id)
                   AND NOT EXISTS (SELECT 1 FROM alert WHERE story_id = s.id)
                 LIMIT $2)",
            &[&stored(cutoff.stories), &limit],
        )
        .await?;
    // story_merge has no key: its rows are told apart by where they lie.
    let merges = tx
        .execute(
            "DELETE FROM story_merge WHERE ctid = ANY(ARRAY(
                 SELECT ctid FROM story_merge WHERE merged_at < $1 LIMIT $2))",
            &[&stored(cutoff.stories), &limit],
        )
        .await?;
    let paragraphs = prune_paragraphs(&tx, now, MAX_PER_OUTLET, batch).await?;
    // Hosts unvisited for long: their next turn is long past, so forgetting them changes
    // nothing but the table's size; likewise claims on pages left by instances that died.
    for table in ["host_turn WHERE next_start", "page_claim WHERE until"] {
        tx.execute(
            &format!(
                "DELETE FROM {table} < clock_timestamp() - interval '{}'",
                EXPIRED_KEPT
            ),
            &[],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(Pruned {
        articles: ids.len(),
        alerts: alerts.len(),
        stories: stories as usize,
        merges: merges as usize,
        paragraphs,
    })
}

/// Take pruned articles' terms out of the document frequencies, each as many times as it is
/// listed; a term no article holds any more goes (the article count stays).
pub(super) async fn uncount_terms(tx: &Transaction<'_>, terms: &[i64]) -> Result<()> {
    tx.execute(
        "UPDATE term_df t SET df = t.df - gone.n
         FROM (SELECT term, count(*) AS n FROM unnest($1::bigint[]) AS term GROUP BY term) gone
         WHERE t.term = gone.term",
        &[&terms],
    )
    .await?;
    tx.execute(
        "DELETE FROM term_df WHERE term = ANY($1) AND term <> $2 AND df <= 0",
        &[&terms, &ARTICLES],
    )
    .await?;
    Ok(())
}

/// Forget at most `batch` paragraphs of learned boilerplate: those not seen within the
/// window, then the least recently seen of each outlet holding more than `max_per_outlet`;
/// returns how many went.
async fn prune_paragraphs(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    max_per_outlet: usize,
    batch: usize,
) -> Result<usize> {
    let window_start = stored(now - chrono::Duration::days(WINDOW_DAYS));
    let stale = tx
        .query(
            "SELECT outlet, fingerprint FROM outlet_paragraph WHERE last_seen_at < $1 LIMIT $2",
            &[&window_start, &(batch as i64)],
        )
        .await?;
    let mut gone = forget(tx, &stale).await?;
    let crowded = tx
        .query(
            "SELECT outlet, count(*) FROM outlet_paragraph GROUP BY outlet HAVING count(*) > $1",
            &[&(max_per_outlet as i64)],
        )
        .await?;
    for row in crowded {
        let (outlet, held): (String, i64) = (row.get(0), row.get(1));
        let excess = (held as usize - max_per_outlet).min(batch - gone);
        if excess == 0 {
            break;
        }
        let least_seen = tx
            .query(
                "SELECT outlet, fingerprint FROM outlet_paragraph WHERE outlet = $1
                 ORDER BY last_seen_at, fingerprint LIMIT $2",
                &[&outlet, &(excess as i64)],
            )
            .await?;
        gone += forget(tx, &least_seen).await?;
    }
    Ok(gone)
}

/// Delete these (outlet, fingerprint) paragraphs and their stories; how many.
async fn forget(tx: &Transaction<'_>, paragraphs: &[tokio_postgres::Row]) -> Result<usize> {
    let outlets: Vec<&str> = paragraphs.iter().map(|r| r.get(0)).collect();
    let fingerprints: Vec<i64> = paragraphs.iter().map(|r| r.get(1)).collect();
    for table in ["outlet_paragraph_story", "outlet_paragraph"] {
        tx.execute(
            &format!(
                "DELETE FROM {table} p USING unnest($1::text[], $2::bigint[]) AS g(outlet, fingerprint)
                 WHERE p.outlet = g.outlet AND p.fingerprint = g.fingerprint"
            ),
            &[&outlets, &fingerprints],
        )
        .await?;
    }
    Ok(paragraphs.len())
}
