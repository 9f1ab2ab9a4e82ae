//! The words a search index holds for an article, and the tokens a query word looks for.
//!
//! The index only narrows: the watch evaluator decides on the stored text. So an article must
//! hold every token of every term the automaton could find in it, whatever the chain before
//! it: each word of the folded title and body is indexed as written and as each reading of a
//! proclitic chain at its start leaves it (بمكتب also as مكتب, وبالمغرب also as بالمغرب, المغرب
//! and مغرب), and after a chain ending in لل with the article restored (للقاعدة also as
//! القاعدة), which is how the automaton reads a term with its article there. Words are cut on
//! the one-byte alphabet the automaton reads (see [`super::compact`]), so two characters it
//! cannot tell apart are one token here too: the index never holds less than the automaton
//! sees.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::{arabic, compact, fold_str};

/// Characters a token keeps: longer words (run-together garbage, hostile pages) are indexed by
/// their start, and a query word that long is looked for as a prefix.
pub const MAX_TOKEN: usize = 64;

/// A token a query looks for: a whole indexed word, or any word starting with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Token {
    pub text: String,
    pub prefix: bool,
}

static CHAINS: LazyLock<Vec<(Vec<u8>, bool)>> = LazyLock::new(|| {
    let lam: Vec<&str> = arabic::lam_article_chains().collect();
    arabic::chains()
        .iter()
        .map(|c| (compact::encode(c), lam.contains(&c.as_str())))
        .collect()
});

static ARTICLE: LazyLock<Vec<u8>> = LazyLock::new(|| compact::encode("ال"));

/// The distinct tokens of an article's title and body, each at most [`MAX_TOKEN`]
/// characters, in the order first met.
pub fn article_tokens(title: &str, body: &str) -> Vec<String> {
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut tokens = Vec::new();
    let mut add = |form: &[u8]| {
        let form = &form[..form.len().min(MAX_TOKEN)];
        if !seen.contains(form) {
            seen.insert(form.to_vec());
            tokens.push(render(form));
        }
    };
    for text in [title, body] {
        let bytes = compact::encode(&fold_str(text));
        for word in words(&bytes) {
            add(word);
            for (chain, lam) in CHAINS.iter() {
                let Some(stem) = word.strip_prefix(chain.as_slice()) else {
                    continue;
                };
                if stem.len() < arabic::MIN_STEM {
                    continue;
                }
                add(stem);
                if *lam {
                    add(&[ARTICLE.as_slice(), stem].concat());
                }
            }
        }
    }
    tokens
}

/// The tokens an article holding a term (a query word or phrase as written, with its `*`) must
/// have; empty when the term has no letters or digits.
pub fn term_tokens(written: &str) -> Vec<Token> {
    let trimmed = written.trim();
    let (body, prefix) = match trimmed.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (trimmed, false),
    };
    let bytes = compact::encode(&fold_str(body));
    // A prefix term absorbs the rest of its last word only when the term ends inside a word.
    let open_end = prefix && bytes.last().is_some_and(|b| compact::is_word(*b));
    let words: Vec<&[u8]> = words(&bytes).collect();
    let last = words.len().saturating_sub(1);
    words
        .into_iter()
        .enumerate()
        .map(|(i, word)| Token {
            text: render(&word[..word.len().min(MAX_TOKEN)]),
            prefix: (i == last && open_end) || word.len() > MAX_TOKEN,
        })
        .collect()
}

fn words(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    bytes
        .split(|b| !compact::is_word(*b))
        .filter(|w| !w.is_empty())
}

/// A token as text an index stores: each byte of the one-byte alphabet as one letter.
fn render(word: &[u8]) -> String {
    word.iter().map(|&b| compact::letter(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(title: &str, body: &str, token: &str) -> bool {
        article_tokens(title, body).contains(&fold_str(token))
    }

    #[test]
    fn chains_are_read_off_every_word() {
        assert!(has("", "زار بمكتب الأمم", "مكتب"));
        assert!(has("", "وبالمغرب", "مغرب"));
        assert!(has("", "وبالمغرب", "المغرب"));
        assert!(has("", "وبالمغرب", "بالمغرب"));
        assert!(has("", "للقاعدة", "القاعدة"));
        assert!(has("", "وللقاعدة", "القاعده"));
        assert!(!has("", "ولد", "لد"), "a stem keeps three letters");
    }

    #[test]
    fn spelling_variants_are_one_token() {
        assert!(has("أحمد", "", "احمد"));
        assert!(has("", "مدرسة", "مدرسه"));
        assert!(has("", "حَمُّوشي", "حموشي"));
        assert!(has("", "Sécurité", "securite"));
    }

    #[test]
    fn a_term_gives_its_words_and_a_prefix_only_at_an_open_end() {
        let token = |text: &str, prefix| Token {
            text: fold_str(text),
            prefix,
        };
        assert_eq!(
            term_tokens("مكافحة الإرهاب*"),
            [token("مكافحه", false), token("الارهاب", true)]
        );
        assert_eq!(
            term_tokens("Al-Qaïda"),
            [token("al", false), token("qaida", false)]
        );
        assert_eq!(term_tokens("dgsn.*"), [token("dgsn", false)]);
        assert!(term_tokens("،").is_empty());
        let long = "a".repeat(MAX_TOKEN + 5);
        assert_eq!(term_tokens(&long), [token(&long[..MAX_TOKEN], true)]);
        assert!(has("", &long, &long[..MAX_TOKEN]));
    }

    #[test]
    fn letters_the_automaton_cannot_tell_apart_share_a_token() {
        assert_eq!(
            article_tokens("", "ж"),
            term_tokens("ж")
                .into_iter()
                .map(|t| t.text)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            compact::byte('ж'),
            compact::byte(article_tokens("", "ж")[0].chars().next().unwrap())
        );
    }
}
