//! Word boundaries that understand Arabic proclitics.
//!
//! Arabic writes conjunctions, prepositions and the article attached to the next word (see
//! [`crate::text::arabic`], whose rule this applies): a term that takes proclitics may be
//! preceded by a chain that itself starts on a word boundary. Positions are indexes into the
//! one-byte form of folded text (see [`crate::text::compact`]), where alef and hamza forms are
//! already one letter.

use std::sync::LazyLock;

use crate::text::{arabic, compact};

static CHAINS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    arabic::chains()
        .iter()
        .map(|c| compact::encode(c))
        .collect()
});

/// The longest chain, in bytes: a longer run of letters before a term is another word.
static LONGEST: LazyLock<usize> = LazyLock::new(|| CHAINS.iter().map(Vec::len).max().unwrap_or(0));

/// Where a match starting at `start` really begins, if it begins on a boundary: `start` itself
/// when a non-word character (or the text's start) precedes it, or the start of an accepted
/// proclitic chain for terms that take proclitics.
pub fn left_edge(text: &[u8], start: usize, takes_proclitics: bool) -> Option<usize> {
    let before = &text[..start];
    let word_len = before
        .iter()
        .rev()
        .take_while(|b| compact::is_word(**b))
        .count();
    if word_len == 0 {
        return Some(start);
    }
    if !takes_proclitics || word_len > *LONGEST {
        return None;
    }
    let chain = &before[start - word_len..];
    CHAINS
        .iter()
        .any(|c| c.as_slice() == chain)
        .then_some(start - word_len)
}

/// Chains that end in the preposition ل before a word whose article it absorbed (للقاعدة).
static LAM: LazyLock<Vec<Vec<u8>>> =
    LazyLock::new(|| arabic::lam_article_chains().map(compact::encode).collect());

/// Where a match of a term stripped of its article, starting at `start`, really begins: only
/// right after a chain ending in لل that starts on a word boundary.
pub fn left_edge_after_lam(text: &[u8], start: usize) -> Option<usize> {
    LAM.iter().find_map(|chain| {
        let from = start.checked_sub(chain.len())?;
        let starts_word = from == 0 || !compact::is_word(text[from - 1]);
        (text[from..start] == chain[..] && starts_word).then_some(from)
    })
}

/// Where a match ending at `end` really ends, if it ends on a boundary; a prefix term absorbs
/// the rest of its word.
pub fn right_edge(text: &[u8], end: usize, prefix: bool) -> Option<usize> {
    let word_len = text[end..]
        .iter()
        .take_while(|b| compact::is_word(**b))
        .count();
    match (word_len, prefix) {
        (0, _) => Some(end),
        (n, true) => Some(end + n),
        (_, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &[u8], word: &str) -> usize {
        let needle = compact::encode(word);
        text.windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
    }

    #[test]
    fn every_chain_is_accepted_and_others_are_not() {
        for chain in arabic::chains() {
            let text = compact::encode(&format!("قال {chain}مكتب"));
            let start = at(&text, "مكتب");
            assert_eq!(left_edge(&text, start, true), Some(4), "{chain}");
        }
        let text = compact::encode("قال سمكتب");
        assert_eq!(left_edge(&text, at(&text, "مكتب"), true), None);
    }

    #[test]
    fn an_article_absorbed_by_lam_is_found_after_lam_only() {
        for (text, found) in [
            ("عن للقاعدة", true),
            ("عن وللقاعدة", true),
            ("عن قاعدة", false),
            ("عن سللقاعدة", false),
        ] {
            let text = compact::encode(&crate::text::fold_str(text));
            let start = at(&text, "قاعده");
            assert_eq!(left_edge_after_lam(&text, start).is_some(), found);
        }
    }

    #[test]
    fn latin_terms_take_no_clitics() {
        assert_eq!(left_edge(b"xdgsn", 1, false), None);
        assert_eq!(left_edge(b"l'dgsn", 2, false), Some(2));
    }

    #[test]
    fn right_edge_respects_prefix_terms() {
        assert_eq!(right_edge(b"terrorisme x", 6, false), None);
        assert_eq!(right_edge(b"terrorisme x", 6, true), Some(10));
        assert_eq!(right_edge(b"terror x", 6, false), Some(6));
    }
}
