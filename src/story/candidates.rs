//! Rewrite candidates: which stored articles to compare a new one with, and how they are
//! weighed, on what the store fetched.
//!
//! The store reads the most recent holders of each of the article's [`rewrite::probes`]
//! ([`HOLDERS_PER_PROBE`] each), [`shortlist`]s them, reads the shortlisted articles as
//! [`Stored`], fetches the document frequencies [`unweighed_terms`] names, and [`weigh`]s them
//! into the [`Candidate`]s [`rewrite::find`] compares.

use std::collections::HashMap;

use super::assign::weigh_entities;
use super::prior;
use super::rewrite::{self, Candidate, Term};

/// Candidates compared per article.
pub const REWRITE_CANDIDATES: usize = 64;
/// Holders of one probe term looked at, the most recent first: a term common enough to have
/// more within the story window says little about a story anyway.
pub const HOLDERS_PER_PROBE: usize = 512;
/// Probe terms a rewrite candidate must share with the new article.
pub const SHARED_PROBES: usize = 2;

/// The articles worth comparing, those sharing most probe terms first (the latest first among
/// equals); `shared` counts, per stored article, the probe terms it holds.
pub fn shortlist(shared: HashMap<i64, usize>) -> Vec<i64> {
    let mut ranked: Vec<(usize, i64)> = shared
        .into_iter()
        .filter(|(_, n)| *n >= SHARED_PROBES)
        .map(|(id, n)| (n, id))
        .collect();
    ranked.sort_unstable_by(|a, b| b.cmp(a));
    ranked
        .into_iter()
        .take(REWRITE_CANDIDATES)
        .map(|(_, id)| id)
        .collect()
}

/// A candidate as stored, before its terms are weighed.
#[derive(Debug, Clone, PartialEq)]
pub struct Stored {
    pub story: i64,
    pub terms: Terms,
    pub entities: Vec<String>,
    /// The [`rewrite::weekdays`] its whole story names.
    pub weekdays: u8,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Terms {
    /// Counts of its kept terms (migration 0014 on).
    Counts(Vec<(Term, u32)>),
    /// The vector weighed when it was stored, for articles stored before.
    Weighed(Vec<(Term, f32)>),
}

/// The terms of `stored` to be weighed whose document frequencies `df` lacks.
pub fn unweighed_terms(stored: &[Stored], df: &HashMap<Term, u64>) -> Vec<Term> {
    stored
        .iter()
        .flat_map(|c| {
            let counted = match &c.terms {
                Terms::Counts(counts) => counts.as_slice(),
                Terms::Weighed(_) => &[],
            };
            counted
                .iter()
                .map(|(t, _)| *t)
                .chain(c.entities.iter().map(|e| rewrite::entity_term(e)))
        })
        .filter(|t| !df.contains_key(t))
        .collect()
}

/// The candidates weighed with today's document frequencies `df` among `articles`; a vector
/// weighed when it was stored stays as it was.
pub fn weigh(stored: Vec<Stored>, df: &HashMap<Term, u64>, articles: u64) -> Vec<Candidate> {
    let df_of = |t: Term| df.get(&t).copied().unwrap_or(1);
    stored
        .into_iter()
        .map(|c| Candidate {
            story: c.story,
            profile: match c.terms {
                Terms::Counts(counts) => {
                    rewrite::profile(&counts, |t| prior::idf(t, df_of(t), articles))
                }
                Terms::Weighed(profile) => profile,
            },
            entities: weigh_entities(&c.entities, df, articles),
            weekdays: c.weekdays,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortlist_needs_two_shared_probes_and_ranks_by_how_many() {
        let shared = HashMap::from([(1, 1), (2, 2), (3, 5), (4, 2), (5, 0)]);
        assert_eq!(shortlist(shared), vec![3, 4, 2]);
    }

    #[test]
    fn the_shortlist_is_capped() {
        let shared: HashMap<i64, usize> = (0..200).map(|id| (id, 3)).collect();
        let kept = shortlist(shared);
        assert_eq!(kept.len(), REWRITE_CANDIDATES);
        assert_eq!(kept[0], 199, "the latest first");
    }

    fn stored(terms: Terms) -> Stored {
        Stored {
            story: 7,
            terms,
            entities: vec!["zouev".to_string()],
            weekdays: 0b10,
        }
    }

    #[test]
    fn counted_candidates_are_weighed_today_and_frozen_ones_kept() {
        let (a, b) = (rewrite::term("cellule"), rewrite::term("tetouan"));
        let counted = stored(Terms::Counts(vec![(a, 1), (b, 1)]));
        let frozen = stored(Terms::Weighed(vec![(a, 0.6), (b, 0.8)]));
        let known = HashMap::from([(a, 900)]);
        assert_eq!(
            unweighed_terms(&[counted.clone(), frozen.clone()], &known),
            vec![
                b,
                rewrite::entity_term("zouev"),
                rewrite::entity_term("zouev")
            ],
            "a frozen vector needs no frequencies, its entities do"
        );
        let weighed = weigh(vec![counted, frozen], &known, 1_000);
        let weight = |c: &Candidate, t: Term| c.profile.iter().find(|(p, _)| *p == t).unwrap().1;
        assert!(
            weight(&weighed[0], b) > weight(&weighed[0], a),
            "{weighed:?}"
        );
        assert_eq!(weighed[1].profile, vec![(a, 0.6), (b, 0.8)]);
        assert_eq!(weighed[1].story, 7);
        assert_eq!(weighed[1].weekdays, 0b10);
        assert_eq!(weighed[1].entities[0].0, "zouev");
    }
}
