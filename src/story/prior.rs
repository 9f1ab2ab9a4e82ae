//! What a word weighs before the database has seen enough articles to say.
//!
//! A young database's document frequencies cannot weigh words: after three articles every word
//! of the first is "rare", and its profile leans on words any news article holds. The prior
//! is the share of articles expected to hold each of the 12,000 most frequent words of Arabic,
//! French and English (`data/df-prior/`, made by `scripts/df_prior.py` from the word lists of
//! wordfreq, CC BY-SA 4.0). It counts as [`PRIOR_ARTICLES`] articles beside the database's
//! own: on a fresh database the prior decides, after a few hundred articles the database does.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::rewrite::{self, Term};
use crate::text::{fold_str, is_word_char};

/// How many articles the prior counts as. Weighed as 1,000, it spread word weights so far
/// apart that the rewrite thresholds (set on the database's own frequencies) split the seed
/// rewrites; 30 and 50 keep `tests/stories.rs` at its figures, 100 joins one hard negative.
pub const PRIOR_ARTICLES: f32 = 50.0;

/// `word<TAB>share` lines, one file per language.
const LISTS: [&str; 3] = [
    include_str!("../../data/df-prior/ar.tsv"),
    include_str!("../../data/df-prior/fr.tsv"),
    include_str!("../../data/df-prior/en.tsv"),
];

/// The share of articles expected to hold the term; 0 for a word outside the lists.
pub fn share(term: Term) -> f32 {
    shares().get(&term).copied().unwrap_or(0.0)
}

/// The weight of a term held by `df` of the database's `articles` articles, the prior blended
/// in: rare ones weigh more.
pub fn idf(term: Term, df: u64, articles: u64) -> f32 {
    let holders = df as f32 + share(term) * PRIOR_ARTICLES;
    ((articles as f32 + PRIOR_ARTICLES + 1.0) / (holders + 1.0)).ln() + 1.0
}

/// The weight of an entity (a watch name or a Latin proper noun), as [`idf`]: a proper noun
/// that is also a common word (Rabat is not, Maroc is) borrows that word's prior.
pub fn entity_idf(entity: &str, df: u64, articles: u64) -> f32 {
    let word = rewrite::term(entity);
    let holders = df as f32 + share(word) * PRIOR_ARTICLES;
    ((articles as f32 + PRIOR_ARTICLES + 1.0) / (holders + 1.0)).ln() + 1.0
}

fn shares() -> &'static HashMap<Term, f32> {
    static SHARES: OnceLock<HashMap<Term, f32>> = OnceLock::new();
    SHARES.get_or_init(|| {
        let mut shares = HashMap::new();
        for line in LISTS.iter().flat_map(|list| list.lines()) {
            let Some((word, share)) = line.split_once('\t') else {
                continue;
            };
            let Ok(share) = share.parse::<f32>() else {
                continue;
            };
            // Folded and cut as article text is: a list word may fold onto another (with and
            // without hamza) or hold two words (aujourd'hui); each keeps the largest share.
            let folded = fold_str(word);
            for piece in folded.split(|c: char| !is_word_char(c)) {
                if let Some(normal) = rewrite::normal_word(piece) {
                    let entry = shares.entry(rewrite::term(normal)).or_insert(0.0);
                    *entry = f32::max(*entry, share.clamp(0.0, 1.0));
                }
            }
        }
        shares
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weight(word: &str) -> f32 {
        idf(rewrite::term(word), 1, 3)
    }

    #[test]
    fn common_words_weigh_less_than_names_on_a_fresh_database() {
        for (common, rare) in [
            ("اجتماع", "حموشي"),
            ("police", "zouev"),
            ("government", "algeciras"),
        ] {
            assert!(share(rewrite::term(common)) > 0.0, "{common} is listed");
            assert!(weight(common) < weight(rare), "{common} against {rare}");
        }
    }

    #[test]
    fn the_database_outweighs_the_prior_as_it_grows() {
        // Common in news at large, rare in a database of other news once it has its own say.
        let police = rewrite::term("police");
        assert!(idf(police, 1, 3) + 2.0 < idf(police, 10, 100_000));
        assert!(idf(police, 1, 3) < weight("zouev"));
    }
}
