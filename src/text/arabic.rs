//! Arabic proclitics: the conjunctions, prepositions and article written attached to the next
//! word. The UN office appears as بمكتب, لمكتب and ومكتب, the police chief as الحموشي, Morocco
//! as فبالمغرب.
//!
//! One rule, used by matching (a term may follow a chain), story words (a word counts without
//! its chain) and story weekdays (a day is named with its article): a chain is an optional
//! conjunction (و ف), then an optional preposition (ب ك ل), then an optional article (ال), ل
//! followed by ال being written لل; what follows it must keep at least [`MIN_STEM`] letters.
//!
//! Before a known term (a watch's), every chain is read: بمكتب is ب + مكتب when the watch names
//! مكتب. A word read blind ([`split`]) loses a preposition only with the article after it: ب, ك
//! and ل are the commonest first letters of stems themselves (بلاد, كتاب, لبنان, لقاء), and
//! cutting them in story words merged the Rabat and Vienna visits of the seeds (precision on the
//! example watchlist 0.950 -> 0.835 in `tests/stories.rs`), as light stemmers for Arabic
//! retrieval found before. A stemmer would also cut suffixes and proper names (وجدة -> جد); this
//! cuts only the chain. Words are folded (see [`crate::text::fold`]): alef and hamza forms are
//! already one letter.

use std::sync::LazyLock;

use super::is_arabic_letter;

/// Letters a word keeps once its chain is cut: ولد (a boy) and بلد (a country) are words, not
/// و + لد and ب + لد.
pub const MIN_STEM: usize = 3;

const CONJUNCTIONS: [&str; 2] = ["و", "ف"];
const PREPOSITIONS: [&str; 3] = ["ب", "ك", "ل"];
const ARTICLE: &str = "ال";
/// ل followed by the article, its alef dropped (للقاعدة).
const LAM_ARTICLE: &str = "لل";

/// Every chain, longest first: 23 of them, from و to فبال.
static CHAINS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let optional = |options: &[&'static str]| {
        let mut all = vec![""];
        all.extend_from_slice(options);
        all
    };
    let mut chains = Vec::new();
    for conjunction in optional(&CONJUNCTIONS) {
        for preposition in optional(&PREPOSITIONS) {
            for article in optional(&[ARTICLE]) {
                let chain = match (preposition, article) {
                    ("ل", ARTICLE) => format!("{conjunction}{LAM_ARTICLE}"),
                    _ => format!("{conjunction}{preposition}{article}"),
                };
                if !chain.is_empty() {
                    chains.push(chain);
                }
            }
        }
    }
    chains.sort_by_key(|c| std::cmp::Reverse(c.chars().count()));
    chains
});

/// The chains [`split`] cuts from a word read blind: those not ending in a bare preposition.
static BLIND_CHAINS: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    CHAINS
        .iter()
        .map(String::as_str)
        .filter(|c| !ends_in_bare_preposition(c))
        .collect()
});

fn ends_with_article(chain: &str) -> bool {
    chain.ends_with(ARTICLE) || chain.ends_with(LAM_ARTICLE)
}

fn ends_in_bare_preposition(chain: &str) -> bool {
    !ends_with_article(chain) && PREPOSITIONS.iter().any(|p| chain.ends_with(p))
}

/// Every proclitic chain, longest first: what may precede a known term.
pub fn chains() -> &'static [String] {
    &CHAINS
}

/// Chains that end in the preposition ل having absorbed the article of the word after it.
pub fn lam_article_chains() -> impl Iterator<Item = &'static str> {
    CHAINS
        .iter()
        .map(String::as_str)
        .filter(|c| c.ends_with(LAM_ARTICLE))
}

/// A folded word cut into its proclitic chain (possibly empty) and what follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split<'a> {
    pub proclitics: &'a str,
    pub stem: &'a str,
}

impl Split<'_> {
    /// Whether the chain ends in the article (ال, or لل where ل absorbed it).
    pub fn has_article(&self) -> bool {
        ends_with_article(self.proclitics)
    }
}

/// A folded word read blind: without its longest chain that leaves [`MIN_STEM`] letters and
/// does not end in a bare preposition; a word not in Arabic script keeps everything.
pub fn split(word: &str) -> Split<'_> {
    let whole = Split {
        proclitics: "",
        stem: word,
    };
    if !word.starts_with(is_arabic_letter) {
        return whole;
    }
    BLIND_CHAINS
        .iter()
        .find_map(|chain| {
            let stem = word.strip_prefix(chain)?;
            (stem.chars().count() >= MIN_STEM).then_some(Split {
                proclitics: &word[..chain.len()],
                stem,
            })
        })
        .unwrap_or(whole)
}

/// Whether a folded term may follow a chain: it is Arabic and its first word is long enough
/// to be a stem.
pub fn takes_proclitics(folded_term: &str) -> bool {
    let first = first_word(folded_term);
    first.starts_with(is_arabic_letter) && first.chars().count() >= MIN_STEM
}

/// A folded term without its article, when its first word is the article and a stem: the
/// spelling it takes after ل (القاعدة -> للقاعدة).
pub fn without_article(folded_term: &str) -> Option<&str> {
    let first = first_word(folded_term);
    (split(first).proclitics == ARTICLE).then(|| &folded_term[ARTICLE.len()..])
}

fn first_word(folded_term: &str) -> &str {
    folded_term
        .split(|c: char| !super::is_word_char(c))
        .next()
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold_str;

    #[test]
    fn the_chain_is_cut_and_a_short_stem_is_not() {
        for (written, proclitics, stem) in [
            ("الحموشي", "ال", "حموشي"),
            ("والمغرب", "وال", "مغرب"),
            ("فبالمغرب", "فبال", "مغرب"),
            ("وبالمغرب", "وبال", "مغرب"),
            ("كالمغرب", "كال", "مغرب"),
            ("للقاعدة", "لل", "قاعده"),
            ("وللقاعدة", "ولل", "قاعده"),
            ("ومكتب", "و", "مكتب"),
            ("فمكتب", "ف", "مكتب"),
            // A bare preposition is read before a known term only: blind, it may be the stem's.
            ("لأفريل", "", "لافريل"),
            ("بمكتب", "", "بمكتب"),
            ("ولمكتب", "و", "لمكتب"),
            ("كتاب", "", "كتاب"),
            ("بلاد", "", "بلاد"),
            // Too short once cut: a word of its own.
            ("ولد", "", "ولد"),
            ("بلد", "", "بلد"),
            ("فيه", "", "فيه"),
            ("الله", "", "الله"),
            // The longest chain that leaves a stem: و only, ال would leave two letters.
            ("والد", "و", "الد"),
            ("Maroc", "", "Maroc"),
            ("", "", ""),
        ] {
            let folded = fold_str(written);
            assert_eq!(
                split(&folded),
                Split {
                    proclitics: &folded[..proclitics.len()],
                    stem: &folded[proclitics.len()..],
                },
                "{written}"
            );
            assert_eq!(split(&folded).stem, fold_str(stem), "{written}");
        }
    }

    #[test]
    fn the_grammar_gives_every_chain_once() {
        let chains = chains();
        assert_eq!(chains.len(), 3 * 4 * 2 - 1);
        let mut distinct = chains.to_vec();
        distinct.sort();
        distinct.dedup();
        assert_eq!(distinct.len(), chains.len());
        for chain in ["و", "بال", "لل", "فلل", "وكال", "فبال"] {
            assert!(chains.iter().any(|c| c == chain), "{chain}");
        }
        assert!(!chains.iter().any(|c| c == "لال" || c == "وف"));
        assert_eq!(
            lam_article_chains().collect::<Vec<_>>(),
            ["ولل", "فلل", "لل"]
        );
    }

    #[test]
    fn articles_are_told_apart_from_other_chains() {
        assert!(split("وبالخميس").has_article());
        assert!(split("للخميس").has_article());
        assert!(!split("بخميس").has_article());
        assert!(!split("احد").has_article());
    }

    #[test]
    fn only_arabic_terms_of_a_stem_take_proclitics() {
        assert!(takes_proclitics("مكتب الامم"));
        assert!(!takes_proclitics("لد"));
        assert!(!takes_proclitics("dgsn"));
        assert_eq!(without_article("القاعده"), Some("قاعده"));
        assert_eq!(without_article("الام المتحده"), None, "ام is no stem");
        assert_eq!(without_article("بالمغرب"), None);
    }
}
