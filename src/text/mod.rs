//! Text normalisation shared by matching, stories and (later) search.
//!
//! Matching never runs on the text as published: it runs on a *folded* copy in which every
//! spelling variant a reader treats as the same word is made identical (Arabic alef and hamza
//! seats, diacritics, tatweel, Latin case and accents, digits, invisible marks). The folded copy
//! keeps a map back to the original so that a match can be reported with the original words and
//! offsets.
//!
//! The rules every reader of folded text shares live here too: the Arabic proclitic chain
//! ([`arabic`]) and the stopwords of each language ([`stopwords`]).

pub mod arabic;
pub mod compact;
mod fold;
pub mod index;
pub mod stopwords;
pub mod xml;

pub use fold::{Folded, fold, fold_str, is_arabic_letter, is_word_char};
