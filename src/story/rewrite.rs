//! Rewrites: articles telling one event in other words.
//!
//! Outlets rewrite a press release; word 3-shingles then barely overlap (0.02–0.05 on the
//! seeds), so reprint hashing cannot see it. Here an article becomes a TF-IDF vector over its
//! folded words, Arabic proclitics cut (see [`crate::text::arabic`]) so that والمغرب and المغرب
//! count as one word, stopwords of Arabic, French and English dropped. Two articles are one
//! story when their vectors are close, or when they are fairly close *and* name the same
//! entities: the watches they hit and the proper nouns of Latin-script text. Topic alone is not
//! enough: every seed is about counter-terrorism and the head of the police, and only the
//! entities tell the Rabat meeting from the Vienna one.

use std::collections::HashMap;

use crate::text::{arabic, fold_str, is_word_char, stopwords};

/// Terms kept per article: its most distinctive ones.
pub const KEPT_TERMS: usize = 64;
/// Distinct words of one article counted in the document frequencies, the most frequent first.
pub const COUNTED_WORDS: usize = 256;
/// Of the kept terms, the most distinctive ones through which candidates are found.
pub const PROBE_TERMS: usize = 16;

/// Similar enough on words alone.
const SAME_WORDS: f32 = 0.5;
/// Below this, entities cannot make up for the words. Low: once months of one subject are
/// stored, the words two rewrites share are that subject's and weigh little (seeds 000 and
/// 001 fall to 0.15 after months of news about the same people), and the watches and names
/// they share decide; 0.2 split them.
const CLOSE_WORDS: f32 = 0.1;
/// Word similarity plus shared entities (weighted Jaccard) that make one story.
const SAME_WORDS_AND_ENTITIES: f32 = 0.6;

/// A word as a story term: an id (a hash of the folded, proclitic-free word), never 0.
pub type Term = i64;

/// Counts of an article's distinct words, the most frequent first, at most [`COUNTED_WORDS`];
/// `folded` is the title and body as [`fold_str`] gives them.
pub fn words(folded: &str) -> Vec<(Term, u32)> {
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for word in folded
        .split(|c: char| !is_word_char(c))
        .filter_map(normal_word)
    {
        *counts.entry(word).or_default() += 1;
    }
    let mut words: Vec<(&str, u32)> = counts.into_iter().collect();
    // Ties broken by the word itself so the same text always gives the same terms.
    words.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    words.truncate(COUNTED_WORDS);
    words.into_iter().map(|(w, n)| (term(w), n)).collect()
}

/// A folded word as it counts, proclitics cut; `None` for a stopword (with or without its
/// proclitics: وذلك, وكان), a number or a word too short to tell anything.
pub(crate) fn normal_word(word: &str) -> Option<&str> {
    if stopwords::is_stopword(word) {
        return None;
    }
    let word = arabic::split(word).stem;
    let telling = word.chars().count() >= 3
        && !word.chars().all(|c| c.is_ascii_digit())
        && !stopwords::is_stopword(word);
    telling.then_some(word)
}

pub(crate) fn term(word: &str) -> Term {
    // FNV-1a: stable across builds and platforms, unlike the std hasher.
    let hash = word.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    (hash | 1) as i64
}

/// An article's TF-IDF vector: its [`KEPT_TERMS`] heaviest terms, unit length, sorted by term.
/// `idf(term)` is the term's weight now (see [`super::prior::idf`]).
pub fn profile(words: &[(Term, u32)], idf: impl Fn(Term) -> f32) -> Vec<(Term, f32)> {
    let mut weighted: Vec<(Term, f32)> = words
        .iter()
        .map(|&(term, count)| (term, (1.0 + (count as f32).ln()) * idf(term)))
        .collect();
    weighted.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    weighted.truncate(KEPT_TERMS);
    let norm = weighted.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
    if norm > 0.0 {
        weighted.iter_mut().for_each(|(_, w)| *w /= norm);
    }
    weighted.sort_unstable_by_key(|&(term, _)| term);
    weighted
}

/// The terms through which an article's candidates are found: its heaviest.
pub fn probes(profile: &[(Term, f32)]) -> Vec<Term> {
    let mut heaviest = profile.to_vec();
    heaviest.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
    heaviest.truncate(PROBE_TERMS);
    heaviest.into_iter().map(|(t, _)| t).collect()
}

/// Cosine of two unit vectors sorted by term.
pub fn similarity(a: &[(Term, f32)], b: &[(Term, f32)]) -> f32 {
    let (mut i, mut j, mut dot) = (0, 0, 0.0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                dot += a[i].1 * b[j].1;
                i += 1;
                j += 1;
            }
        }
    }
    dot
}

/// What names an event: the watches an article hit (`watch:NAME`) and the proper nouns of its
/// Latin-script text (capitalised words not starting a sentence, and acronyms), folded, sorted.
pub fn entities<'a>(
    title: &str,
    body: &str,
    watches: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut found: Vec<String> = watches.into_iter().map(|w| format!("watch:{w}")).collect();
    for line in title.lines().chain(body.lines()) {
        let words: Vec<&str> = line
            .split_whitespace()
            .map(|t| t.trim_matches(|c: char| !c.is_alphanumeric()))
            .filter(|w| w.chars().count() >= 3)
            .collect();
        // A headline in Title Case capitalises every word: there only acronyms count.
        let capitalised = words
            .iter()
            .filter(|w| w.starts_with(char::is_uppercase))
            .count();
        let headline = words.len() >= 3 && capitalised * 10 >= words.len() * 6;
        let mut sentence_start = true;
        for token in line.split_whitespace() {
            let word = token.trim_matches(|c: char| !c.is_alphanumeric());
            let capital = word.starts_with(char::is_uppercase) && !headline && !sentence_start;
            let acronym = word.len() >= 2 && word.chars().all(|c| c.is_ascii_uppercase());
            if word.chars().count() >= 3 && (acronym || capital) {
                found.push(fold_str(word));
            }
            sentence_start = token.ends_with(['.', '!', '?', ':', '؟']);
        }
    }
    found.sort_unstable();
    found.dedup();
    found
}

/// The term that counts how many articles name an entity.
pub fn entity_term(entity: &str) -> Term {
    term(&format!("\u{1}{entity}"))
}

/// Names two articles must share before their names count: one shared name is what a desk's
/// whole flow has in common (the person it watches, named in every report of the outlets
/// following him), not what identifies an event. Six reports of six events, each with one
/// background paragraph on the watched man, were otherwise grouped as one story and raised one
/// alert; the seed rewrites of one meeting share three to five.
const MIN_SHARED_ENTITIES: usize = 2;

/// Weighted Jaccard similarity of two entity lists sorted by name: the weight they share over
/// the weight either names; 0 when they share fewer than [`MIN_SHARED_ENTITIES`]. Unshared
/// rare names (Oujda against Tétouan) weigh against, which an overlap with the smaller list
/// would ignore.
fn shared_entities(a: &[(String, f32)], b: &[(String, f32)]) -> f32 {
    let total = |x: &[(String, f32)]| x.iter().map(|(_, w)| w).sum::<f32>();
    let (count, shared) = a
        .iter()
        .filter_map(|(e, w)| {
            b.binary_search_by(|(f, _)| f.as_str().cmp(e))
                .ok()
                .map(|i| w.min(b[i].1))
        })
        .fold((0, 0.0_f32), |(n, sum), w| (n + 1, sum + w));
    if count < MIN_SHARED_ENTITIES {
        return 0.0;
    }
    let union = total(a) + total(b) - shared;
    if union > 0.0 { shared / union } else { 0.0 }
}

/// Days of the week, folded, Monday first: Arabic (without its article), French, English.
const WEEKDAYS: [[&str; 3]; 7] = [
    ["اثنين", "lundi", "monday"],
    ["ثلاثاء", "mardi", "tuesday"],
    ["اربعاء", "mercredi", "wednesday"],
    ["خميس", "jeudi", "thursday"],
    ["جمعه", "vendredi", "friday"],
    ["سبت", "samedi", "saturday"],
    ["احد", "dimanche", "sunday"],
];

/// The days of the week an article names, one bit per day from Monday; `folded` as for
/// [`words`].
///
/// Within a story window, rewrites of one press release tell of the same day; two reports of
/// one kind of event on different days (a cell dismantled on Tuesday in Tétouan, another on
/// Thursday in Oujda) share every word but the places and the day.
pub fn weekdays(folded: &str) -> u8 {
    let mut days = 0;
    for word in folded.split(|c: char| !is_word_char(c)) {
        // An Arabic day takes its article (الخميس, وبالخميس, للخميس): bare, اثنين is "two"
        // and احد "one".
        let split = arabic::split(word);
        let named = |names: &[&str; 3]| {
            (split.has_article() && names[0] == split.stem) || names[1..].contains(&word)
        };
        if let Some(day) = WEEKDAYS.iter().position(named) {
            days |= 1 << day;
        }
    }
    days
}

/// An article already stored, as a candidate story for a new one.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub story: i64,
    pub profile: Vec<(Term, f32)>,
    /// Entities with their weights, sorted by name.
    pub entities: Vec<(String, f32)>,
    /// The [`weekdays`] its whole story names.
    pub weekdays: u8,
}

/// The stories the new article rewrites, the best first: that of the closest candidate (words
/// and entities) among those close enough, then the others it bridges to. A story joins the
/// list only when the days of the week it names agree with those of the stories before it:
/// an article naming no day would otherwise merge a Tuesday's event with a Thursday's.
pub fn find(
    profile: &[(Term, f32)],
    entities: &[(String, f32)],
    weekdays: u8,
    candidates: &[Candidate],
) -> Vec<i64> {
    let mut close: Vec<(&Candidate, f32)> = candidates
        .iter()
        .filter(|c| weekdays == 0 || c.weekdays == 0 || weekdays & c.weekdays != 0)
        .map(|c| {
            (
                c,
                similarity(profile, &c.profile),
                shared_entities(entities, &c.entities),
            )
        })
        .filter(|&(_, words, shared)| {
            words >= SAME_WORDS
                || (words >= CLOSE_WORDS && words + shared >= SAME_WORDS_AND_ENTITIES)
        })
        .map(|(c, words, shared)| (c, words + shared))
        .collect();
    close.sort_unstable_by(|a, b| b.1.total_cmp(&a.1).then(a.0.story.cmp(&b.0.story)));
    let mut stories: Vec<i64> = Vec::with_capacity(close.len());
    let mut days = weekdays;
    for (candidate, _) in close {
        let agrees = days == 0 || candidate.weekdays == 0 || days & candidate.weekdays != 0;
        if agrees && !stories.contains(&candidate.story) {
            stories.push(candidate.story);
            days |= candidate.weekdays;
        }
    }
    stories
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An article's title and body folded, as `Signature::of` gives them to `words`.
    fn folded(title: &str, body: &str) -> String {
        fold_str(&format!("{title}\n{body}"))
    }

    fn words(title: &str, body: &str) -> Vec<(Term, u32)> {
        super::words(&folded(title, body))
    }

    fn weekdays(title: &str, body: &str) -> u8 {
        super::weekdays(&folded(title, body))
    }

    #[test]
    fn one_shared_name_does_not_make_two_events_one() {
        let named = |names: &[&str]| -> Vec<(String, f32)> {
            names.iter().map(|n| (n.to_string(), 3.0)).collect()
        };
        let watched = named(&["watch:hammouchi"]);
        assert_eq!(shared_entities(&watched, &watched), 0.0);
        assert_eq!(
            shared_entities(&watched, &named(&["watch:dgsn-dgst", "watch:hammouchi"])),
            0.0
        );
        let meeting = named(&["watch:hammouchi", "watch:unoct", "watch:zouev"]);
        let rewrite = named(&[
            "watch:dgsn-dgst",
            "watch:hammouchi",
            "watch:unoct",
            "watch:zouev",
        ]);
        assert!((shared_entities(&meeting, &rewrite) - 0.75).abs() < 1e-6);
    }

    #[test]
    fn proclitics_and_function_words_do_not_count() {
        let a = words("", "والمغرب المغرب بالمغرب في من the");
        assert_eq!(a, vec![(term("مغرب"), 3)]);
        assert_eq!(normal_word("ولد"), Some("ولد"), "too short once stripped");
    }

    #[test]
    fn entities_are_watches_and_latin_proper_nouns() {
        let found = entities(
            "Hammouchi reçoit Zouev",
            "Le DGSN a reçu Alexandre Zouev. Cette visite suit celle de Vienne.",
            ["hammouchi"],
        );
        assert_eq!(
            found,
            vec!["alexandre", "dgsn", "vienne", "watch:hammouchi", "zouev"]
        );
    }

    #[test]
    fn weekdays_are_read_in_three_languages() {
        assert_eq!(weekdays("", "استقبل يوم الاثنين ثم بالخميس"), 0b1001);
        assert_eq!(weekdays("Le BCIJ a agi mardi", "and on Sunday"), 0b100_0010);
        assert_eq!(weekdays("", "الجمعية والاحدث"), 0, "not days");
    }

    #[test]
    fn similarity_of_a_vector_with_itself_is_one() {
        let w = words("", "cellule terroriste démantelée à Tétouan par le BCIJ");
        let p = profile(&w, |_| 2.0);
        assert!((similarity(&p, &p) - 1.0).abs() < 1e-5);
        let q = profile(&words("", "match de football à Rabat"), |_| 2.0);
        assert_eq!(similarity(&p, &q), 0.0);
    }
}
