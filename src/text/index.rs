//! The words a search index holds for an article, and the tokens a query word looks for.
//!
//! The index only narrows: the watch evaluator decides on the stored text. An article is
//! indexed under each word of its folded title and body as written, once; a query word is
//! looked for in every form the automaton would find it in (see [`crate::watch::boundary`]):
//! as written and after each proclitic chain (مكتب also as بمكتب, وبالمكتب, …), and a word
//! starting with the article also after a chain ending in لل that absorbed it (القاعدة also as
//! للقاعدة). Expanding the query rather than the stored words keeps the index to one token per
//! distinct word. Words are cut on the one-byte alphabet the automaton reads (see
//! [`super::compact`]), so two characters it cannot tell apart are one token here too: the
//! index never holds less than the automaton sees.

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

static CHAINS: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    arabic::chains()
        .iter()
        .map(|c| compact::encode(c))
        .collect()
});

static LAM_CHAINS: LazyLock<Vec<Vec<u8>>> =
    LazyLock::new(|| arabic::lam_article_chains().map(compact::encode).collect());

/// The distinct words of an article's title and body, each at most [`MAX_TOKEN`]
/// characters, in the order first met.
pub fn article_tokens(title: &str, body: &str) -> Vec<String> {
    let mut seen: HashSet<&[u8]> = HashSet::new();
    let mut tokens = Vec::new();
    let encoded = [title, body].map(|text| compact::encode(&fold_str(text)));
    for bytes in &encoded {
        for word in words(bytes) {
            let word = &word[..word.len().min(MAX_TOKEN)];
            if seen.insert(word) {
                tokens.push(render(word));
            }
        }
    }
    tokens
}

/// For each word of a term (a query word or phrase as written, with its `*`), the tokens an
/// article holding the term has one of; empty when the term has no letters or digits.
pub fn term_tokens(written: &str) -> Vec<Vec<Token>> {
    let trimmed = written.trim();
    let (body, prefix) = match trimmed.strip_suffix('*') {
        Some(stem) => (stem, true),
        None => (trimmed, false),
    };
    let folded = fold_str(body);
    let bytes = compact::encode(&folded);
    // A prefix term absorbs the rest of its last word only when the term ends inside a word.
    let open_end = prefix && bytes.last().is_some_and(|b| compact::is_word(*b));
    let term_words: Vec<&[u8]> = words(&bytes).collect();
    let last = term_words.len().saturating_sub(1);
    let token = |i: usize, form: &[u8]| Token {
        text: render(&form[..form.len().min(MAX_TOKEN)]),
        prefix: (i == last && open_end) || form.len() > MAX_TOKEN,
    };
    let mut tokens: Vec<Vec<Token>> = term_words
        .iter()
        .enumerate()
        .map(|(i, word)| vec![token(i, word)])
        .collect();
    // The automaton reads a chain before the term's first word only.
    if let Some(first) = tokens.first_mut()
        && arabic::takes_proclitics(&folded)
    {
        let word = term_words[0];
        first.extend(
            CHAINS
                .iter()
                .map(|chain| token(0, &[chain.as_slice(), word].concat())),
        );
        let after_lam = arabic::without_article(&folded).map(compact::encode);
        if let Some(stem) = after_lam.as_deref().and_then(|b| words(b).next()) {
            first.extend(
                LAM_CHAINS
                    .iter()
                    .map(|chain| token(0, &[chain.as_slice(), stem].concat())),
            );
        }
    }
    tokens
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

    /// Whether the index can find an article of `body` for `term`: each word of the term has
    /// a token the article holds.
    fn finds(term: &str, body: &str) -> bool {
        let held = article_tokens("", body);
        term_tokens(term).iter().all(|forms| {
            forms.iter().any(|t| {
                held.iter()
                    .any(|h| *h == t.text || (t.prefix && h.starts_with(&t.text)))
            })
        })
    }

    #[test]
    fn an_article_holds_each_word_once_as_written() {
        assert_eq!(
            article_tokens("بمكتب الأمم", "زار بمكتب الأمم وبالمغرب"),
            ["بمكتب", "الامم", "زار", "وبالمغرب"].map(fold_str)
        );
    }

    #[test]
    fn a_query_word_is_looked_for_after_every_chain() {
        for (term, body) in [
            ("مكتب", "زار بمكتب الأمم"),
            ("مغرب", "وبالمغرب"),
            ("المغرب", "وبالمغرب"),
            ("بالمغرب", "وبالمغرب"),
            ("القاعدة", "للقاعدة"),
            ("القاعده", "وللقاعدة"),
            ("حموشي", "قال الحموشي"),
            ("أفريل", "منذ لأفريل"),
            ("مكتب الأمم", "زار بمكتب الأمم"),
            ("إرهاب*", "لمكافحة والإرهابيين"),
        ] {
            assert!(finds(term, body), "{term} in {body}");
        }
        for (term, body) in [
            ("لد", "ولد"),
            ("مكتب", "سمكتب"),
            ("الأمم مكتب", "بمكتب الأمم"),
            ("مكتب الأمم", "مكتب للأمم"),
        ] {
            assert!(!finds(term, body), "{term} in {body}");
        }
    }

    #[test]
    fn a_long_word_is_looked_for_by_its_start_after_a_chain() {
        let long = "ب".repeat(MAX_TOKEN);
        assert!(finds(&long, &format!("و{long}")));
        assert!(finds(&long, &long));
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
        let forms = term_tokens("مكافحة الإرهاب*");
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[0][0], token("مكافحه", false));
        assert!(forms[0].contains(&token("بمكافحه", false)));
        assert_eq!(forms[1], [token("الارهاب", true)]);
        assert_eq!(
            term_tokens("Al-Qaïda"),
            [[token("al", false)], [token("qaida", false)]]
        );
        assert_eq!(term_tokens("dgsn.*"), [[token("dgsn", false)]]);
        assert!(term_tokens("،").is_empty());
        let long = "a".repeat(MAX_TOKEN + 5);
        assert_eq!(term_tokens(&long), [[token(&long[..MAX_TOKEN], true)]]);
        assert!(has("", &long, &long[..MAX_TOKEN]));
    }

    #[test]
    fn letters_the_automaton_cannot_tell_apart_share_a_token() {
        assert_eq!(
            article_tokens("", "ж"),
            term_tokens("ж")
                .into_iter()
                .flatten()
                .map(|t| t.text)
                .collect::<Vec<_>>()
        );
        assert_eq!(
            compact::byte('ж'),
            compact::byte(article_tokens("", "ж")[0].chars().next().unwrap())
        );
    }
}
