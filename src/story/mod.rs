//! Stories: the articles that tell one event.
//!
//! Two tiers. [`reprint`]: bodies whose SimHash over folded word 3-shingles is within a few
//! bits of each other (agency copy, light edits). [`rewrite`]: the same event in other words,
//! found by TF-IDF similarity over folded words, helped by shared entities, the words weighed
//! when compared by the database's document frequencies blended with a shipped [`prior`].
//! Both look only at
//! articles stored within the story window (48 hours by default): a story is an event, and a
//! press release is rewritten within hours.
//!
//! Everything here is pure: the store fetches the candidates and keeps the document
//! frequencies (`src/store/story.rs`), the decisions are made here ([`assign`],
//! [`candidates`]).

pub mod assign;
pub mod candidates;
pub mod prior;
pub mod reprint;
pub mod rewrite;

pub use reprint::simhash;

use rewrite::Term;

/// What an article offers for grouping, computed before it reaches the database.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signature {
    /// Of the body, for [`reprint`]s.
    pub simhash: u64,
    /// Counts of the title's and body's distinct words, for [`rewrite`]s.
    pub words: Vec<(Term, u32)>,
    /// Watches hit and proper nouns, for [`rewrite`]s.
    pub entities: Vec<String>,
    /// Days of the week named, for [`rewrite`]s.
    pub weekdays: u8,
}

impl Signature {
    /// The signature of an article with this title and body that hit these watches.
    pub fn of<'a>(title: &str, body: &str, watches: impl IntoIterator<Item = &'a str>) -> Self {
        // Folded once for the words and the weekdays.
        let folded = crate::text::fold_str(&format!("{title}\n{body}"));
        Signature {
            simhash: simhash(body),
            words: rewrite::words(&folded),
            entities: rewrite::entities(title, body, watches),
            weekdays: rewrite::weekdays(&folded),
        }
    }
}

/// The words of an article's title and body, as [`Signature::of`] counts them.
pub fn words_of(title: &str, body: &str) -> impl Iterator<Item = Term> {
    let folded = crate::text::fold_str(&format!("{title}\n{body}"));
    rewrite::words(&folded).into_iter().map(|(term, _)| term)
}
