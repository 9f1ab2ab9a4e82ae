//! Stopwords: the commonest words of Arabic, French and English, too common to tell events
//! apart (story words drop them) and common enough to tell French from English (language
//! detection counts them). Written as a reader spells them; compared folded.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::fold_str;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    Arabic,
    French,
    English,
}

const ARABIC: &[&str] = &[
    "على",
    "إلى",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "التي",
    "الذي",
    "الذين",
    "كما",
    "كان",
    "كانت",
    "بين",
    "خلال",
    "حول",
    "عند",
    "بعد",
    "قبل",
    "أيضا",
    "حيث",
    "منذ",
    "غير",
    "إذا",
    "لقد",
    "وقد",
    "عبر",
    "ضمن",
    "دون",
    "أمس",
    "اليوم",
    "يوم",
    "قال",
    "أكد",
    "أضاف",
    "وذلك",
    "فيها",
    "فيه",
];

const FRENCH: &[&str] = &[
    "le", "la", "les", "des", "du", "de", "et", "est", "une", "un", "dans", "pour", "que", "qui",
    "sur", "au", "aux", "par", "avec", "ont", "été", "sont", "cette", "ce", "ces", "il", "elle",
    "lors", "selon", "son", "ses", "leur", "leurs", "plus", "entre", "mais", "ainsi", "être",
    "fait", "aussi", "comme", "tout", "tous",
];

const ENGLISH: &[&str] = &[
    "the", "and", "of", "to", "in", "is", "that", "for", "with", "on", "was", "were", "has",
    "have", "had", "by", "this", "these", "those", "it", "its", "from", "at", "an", "be", "are",
    "been", "said", "which", "who", "his", "her", "their", "they", "also", "after", "before",
    "into", "over", "about", "than", "but", "not", "will",
];

fn folded(words: &[&str]) -> HashSet<String> {
    words.iter().map(|w| fold_str(w)).collect()
}

static FOLDED: LazyLock<[HashSet<String>; 3]> =
    LazyLock::new(|| [folded(ARABIC), folded(FRENCH), folded(ENGLISH)]);

/// Whether a folded word is a stopword of `language`.
pub fn is_stopword_of(language: Language, folded_word: &str) -> bool {
    FOLDED[language as usize].contains(folded_word)
}

/// Whether a folded word is a stopword of any language.
pub fn is_stopword(folded_word: &str) -> bool {
    FOLDED.iter().any(|words| words.contains(folded_word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stopwords_are_compared_folded() {
        assert!(is_stopword_of(Language::Arabic, &fold_str("إلى")));
        assert!(is_stopword_of(Language::Arabic, "الي"));
        assert!(is_stopword_of(Language::French, "ete"));
        assert!(is_stopword_of(Language::English, "the"));
        assert!(!is_stopword_of(Language::English, "ete"));
        assert!(is_stopword("etre") && !is_stopword("hammouchi"));
    }
}
