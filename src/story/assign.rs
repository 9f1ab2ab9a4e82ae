//! Which story a new article joins, decided on what the store fetched.
//!
//! The store counts the article's [`counted_terms`] into the document frequencies, hands the
//! frequencies to [`weigh`], fetches the reprint and rewrite candidates, and writes what
//! [`choose`] decides, all in the article's transaction.

use std::collections::HashMap;

use super::Signature;
use super::prior;
use super::rewrite::{self, Term};

/// A new article as rewrite grouping compares it, weighed with today's document frequencies.
#[derive(Debug, Clone, PartialEq)]
pub struct Weighed {
    /// Its TF-IDF vector today, through whose heaviest terms later articles find it.
    pub profile: Vec<(Term, f32)>,
    /// The counts of the terms of [`Weighed::profile`]: what it is compared by later, weighed
    /// then.
    pub counts: Vec<(Term, u32)>,
    /// Its entities with their weights, sorted by name as [`rewrite::find`] wants them.
    pub entities: Vec<(String, f32)>,
}

/// The terms an article adds one holder to in the document frequencies: its words, then its
/// entities.
pub fn counted_terms(signature: &Signature) -> impl Iterator<Item = Term> + '_ {
    signature
        .words
        .iter()
        .map(|(term, _)| *term)
        .chain(signature.entities.iter().map(|e| rewrite::entity_term(e)))
}

/// The article weighed: `df` holds the document frequencies of its [`counted_terms`] (itself
/// counted) among the database's `articles`.
pub fn weigh(signature: &Signature, df: &HashMap<Term, u64>, articles: u64) -> Weighed {
    let profile = rewrite::profile(&signature.words, |t| {
        prior::idf(t, df.get(&t).copied().unwrap_or(1), articles)
    });
    let counts = profile
        .iter()
        .filter_map(|(term, _)| {
            let i = signature.words.iter().position(|(t, _)| t == term)?;
            Some(signature.words[i])
        })
        .collect();
    Weighed {
        profile,
        counts,
        entities: weigh_entities(&signature.entities, df, articles),
    }
}

/// Entities with their weights today, sorted by name as [`rewrite::find`] wants them.
pub fn weigh_entities(
    names: &[String],
    df: &HashMap<Term, u64>,
    articles: u64,
) -> Vec<(String, f32)> {
    let mut weighed: Vec<(String, f32)> = names
        .iter()
        .map(|e| {
            let df = df.get(&rewrite::entity_term(e)).copied().unwrap_or(1);
            (e.clone(), prior::entity_idf(e, df, articles))
        })
        .collect();
    weighed.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    weighed
}

/// Where a new article goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// A story of its own.
    New,
    /// The earliest of the stories it is close to; the others are merged into it.
    Join { story: i64, merged: Vec<i64> },
}

/// The choice among the stories the article is close to (its reprint's, else those it
/// rewrites, as [`super::reprint::find`] and [`rewrite::find`] give them): an article close
/// to two stories makes them one, under the earlier.
pub fn choose(stories: &[i64]) -> Choice {
    match stories.iter().min() {
        Some(&story) => Choice::Join {
            story,
            merged: stories.iter().copied().filter(|&s| s != story).collect(),
        },
        None => Choice::New,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_joins_the_earliest_story_and_merges_the_others() {
        assert_eq!(choose(&[]), Choice::New);
        assert_eq!(
            choose(&[9]),
            Choice::Join {
                story: 9,
                merged: Vec::new()
            }
        );
        assert_eq!(
            choose(&[12, 4, 7]),
            Choice::Join {
                story: 4,
                merged: vec![12, 7]
            }
        );
    }

    #[test]
    fn rare_terms_weigh_more_and_only_kept_terms_are_counted() {
        let signature = Signature::of(
            "",
            "cellule cellule démantelée tétouan tétouan tétouan",
            ["hammouchi"],
        );
        let counted: Vec<Term> = counted_terms(&signature).collect();
        assert_eq!(counted.len(), 4, "three words and one entity: {counted:?}");
        let cellule = rewrite::term("cellule");
        let tetouan = rewrite::term("tetouan");
        // "cellule" held by most of 1,000 articles, the others by one.
        let df = HashMap::from([(cellule, 900)]);
        let weighed = weigh(&signature, &df, 1_000);
        let weight = |t: Term| weighed.profile.iter().find(|(p, _)| *p == t).unwrap().1;
        assert!(weight(tetouan) > 2.0 * weight(cellule), "{weighed:?}");
        assert_eq!(weighed.counts.len(), weighed.profile.len());
        assert!(weighed.counts.contains(&(tetouan, 3)), "{weighed:?}");
        assert_eq!(weighed.entities.len(), 1);
        assert_eq!(weighed.entities[0].0, "watch:hammouchi");
    }

    #[test]
    fn entities_are_sorted_by_name_and_common_ones_weigh_less() {
        let names = ["zouev".to_string(), "dgsn".to_string()];
        let df = HashMap::from([(rewrite::entity_term("dgsn"), 500)]);
        let weighed = weigh_entities(&names, &df, 1_000);
        assert_eq!(weighed[0].0, "dgsn");
        assert_eq!(weighed[1].0, "zouev");
        assert!(weighed[0].1 < weighed[1].1, "{weighed:?}");
    }
}
