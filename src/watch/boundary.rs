//! Word boundaries that understand Arabic proclitics.
//!
//! Arabic writes conjunctions, prepositions and the article attached to the next word: the UN
//! office appears as بمكتب, لمكتب and ومكتب, and the police chief as الحموشي. A stemmer would
//! handle that but also cuts proper names (وجدة -> جد), so instead a term may be preceded by a
//! chain of proclitics that itself starts on a word boundary. Positions are byte offsets into
//! folded text (see [`crate::text`]), where alef and hamza forms are already one letter.

use crate::text::is_word_char;

/// Proclitic chains accepted before an Arabic term: an optional conjunction (و ف), an optional
/// preposition (ب ك ل), an optional article (ال). ل followed by ال is written لل.
const CLITIC_CHAINS: &[&str] = &[
    "و", "ف", "ب", "ك", "ل", "ال", "وب", "وك", "ول", "فب", "فك", "فل", "وال", "فال", "بال", "كال",
    "لل", "وبال", "وكال", "ولل", "فبال", "فكال", "فلل",
];

/// Where a match starting at `start` really begins, if it begins on a boundary: `start` itself
/// when a non-word character (or the text's start) precedes it, or the start of an accepted
/// proclitic chain for Arabic terms.
pub fn left_edge(haystack: &str, start: usize, arabic: bool) -> Option<usize> {
    let before = &haystack[..start];
    let word_start = before
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map_or(start, |(i, _)| i);
    if word_start == start {
        return Some(start);
    }
    (arabic && CLITIC_CHAINS.contains(&&before[word_start..])).then_some(word_start)
}

/// Where a match ending at `end` really ends, if it ends on a boundary; a prefix term absorbs
/// the rest of its word.
pub fn right_edge(haystack: &str, end: usize, prefix: bool) -> Option<usize> {
    let after = &haystack[end..];
    let word_len: usize = after
        .chars()
        .take_while(|c| is_word_char(*c))
        .map(char::len_utf8)
        .sum();
    match (word_len, prefix) {
        (0, _) => Some(end),
        (n, true) => Some(end + n),
        (_, false) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chain_is_accepted_and_others_are_not() {
        for chain in CLITIC_CHAINS {
            let text = format!("قال {chain}مكتب");
            let start = text.find("مكتب").unwrap();
            assert_eq!(left_edge(&text, start, true), Some("قال ".len()), "{chain}");
        }
        let text = "قال سمكتب";
        assert_eq!(left_edge(text, text.find("مكتب").unwrap(), true), None);
    }

    #[test]
    fn latin_terms_take_no_clitics() {
        let text = "xdgsn";
        assert_eq!(left_edge(text, 1, false), None);
        assert_eq!(left_edge("l'dgsn", 2, false), Some(2));
    }

    #[test]
    fn right_edge_respects_prefix_terms() {
        assert_eq!(right_edge("terrorisme x", 6, false), None);
        assert_eq!(right_edge("terrorisme x", 6, true), Some(10));
        assert_eq!(right_edge("terror x", 6, false), Some(6));
    }
}
