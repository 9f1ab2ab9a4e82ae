//! Watchlists: which watches fire on an article, and where.
//!
//! Every alias of every watch is folded (see [`crate::text`]) and compiled into one
//! Aho-Corasick automaton, so the cost per article barely depends on the number of terms. A raw
//! hit is kept only if it sits on word boundaries; for Arabic terms the left boundary may be a
//! chain of proclitics (و ف ب ك ل ال …), see [`boundary`].

mod boundary;
mod snippet;

use aho_corasick::{AhoCorasick, MatchKind};
use serde::Serialize;

use crate::config::Watch;
use crate::text::{self, Folded};

/// Which part of an article a match was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Title,
    Body,
}

impl Field {
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Title => "title",
            Field::Body => "body",
        }
    }
}

/// One occurrence of a watch term in a text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Match {
    /// The alias as the user wrote it.
    pub term: String,
    /// The words in the text, as published.
    pub text: String,
    pub field: Field,
    /// Byte offsets of `text` in the field's original text.
    pub start: usize,
    pub end: usize,
    /// The surrounding words, as published.
    pub snippet: String,
}

/// The matches of one watch in one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchHit {
    /// Index of the watch in the list the [`Watchlist`] was compiled from.
    pub watch: usize,
    pub matches: Vec<Match>,
}

/// A term could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("watch {watch:?}: alias {alias:?} has no letters or digits left after normalisation")]
    EmptyAlias { watch: String, alias: String },
    #[error("watchlist automaton could not be built: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
}

struct Term {
    watch: usize,
    /// The alias as written, for reports.
    alias: String,
    /// A trailing `*` lets the term take any suffix (topic words, not names).
    prefix: bool,
    /// Arabic terms accept proclitics on their first word.
    arabic: bool,
}

/// All watches compiled into one automaton.
pub struct Watchlist {
    automaton: AhoCorasick,
    /// Pattern id -> the terms that fold to that pattern (several watches may share one).
    patterns: Vec<Vec<Term>>,
    watches: usize,
}

impl Watchlist {
    /// Compile the aliases of `watches`.
    pub fn compile(watches: &[Watch]) -> Result<Self, WatchError> {
        let mut folded_patterns: Vec<String> = Vec::new();
        let mut patterns: Vec<Vec<Term>> = Vec::new();
        for (index, watch) in watches.iter().enumerate() {
            for alias in &watch.aliases {
                let (body, prefix) = match alias.trim().strip_suffix('*') {
                    Some(stem) => (stem, true),
                    None => (alias.trim(), false),
                };
                let folded = text::fold_str(body);
                if !folded.chars().any(text::is_word_char) {
                    return Err(WatchError::EmptyAlias {
                        watch: watch.name.clone(),
                        alias: alias.clone(),
                    });
                }
                let arabic = folded.chars().next().is_some_and(text::is_arabic_letter);
                let term = Term {
                    watch: index,
                    alias: alias.clone(),
                    prefix,
                    arabic,
                };
                match folded_patterns.iter().position(|p| *p == folded) {
                    Some(id) => patterns[id].push(term),
                    None => {
                        folded_patterns.push(folded);
                        patterns.push(vec![term]);
                    }
                }
            }
        }
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&folded_patterns)?;
        Ok(Watchlist {
            automaton,
            patterns,
            watches: watches.len(),
        })
    }

    /// Find every watch that fires on an article's title and body.
    pub fn scan(&self, title: &str, body: &str) -> Vec<WatchHit> {
        let mut per_watch: Vec<Vec<Match>> = vec![Vec::new(); self.watches];
        for (field, original) in [(Field::Title, title), (Field::Body, body)] {
            let folded = text::fold(original);
            self.scan_field(field, original, &folded, &mut per_watch);
        }
        per_watch
            .into_iter()
            .enumerate()
            .filter(|(_, matches)| !matches.is_empty())
            .map(|(watch, matches)| WatchHit { watch, matches })
            .collect()
    }

    fn scan_field(
        &self,
        field: Field,
        original: &str,
        folded: &Folded,
        per_watch: &mut [Vec<Match>],
    ) {
        let haystack = folded.text.as_str();
        let mut found: Vec<(usize, usize, usize, &Term)> = Vec::new();
        for hit in self.automaton.find_overlapping_iter(haystack) {
            for term in &self.patterns[hit.pattern().as_usize()] {
                let Some(end) = boundary::right_edge(haystack, hit.end(), term.prefix) else {
                    continue;
                };
                let Some(start) = boundary::left_edge(haystack, hit.start(), term.arabic) else {
                    continue;
                };
                // The reported words include a clitic chain or suffix the term absorbed.
                found.push((term.watch, start, end, term));
            }
        }
        // A hit inside a longer hit of the same watch adds nothing ("حموشي" inside
        // "عبد اللطيف حموشي"): keep the longest.
        found.sort_by_key(|&(watch, start, end, _)| (watch, start, std::cmp::Reverse(end)));
        let mut kept_until: Vec<usize> = vec![0; per_watch.len()];
        for (watch, start, end, term) in found {
            if end <= kept_until[watch] {
                continue;
            }
            kept_until[watch] = end;
            let range = folded.original_range(original, start..end);
            per_watch[watch].push(Match {
                term: term.alias.clone(),
                text: original[range.clone()].to_string(),
                field,
                start: range.start,
                end: range.end,
                snippet: snippet::around(original, range),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Severity, Watch};

    fn watch(name: &str, aliases: &[&str]) -> Watch {
        Watch {
            name: name.to_string(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            severity: Severity::Medium,
            sinks: Vec::new(),
        }
    }

    fn texts(list: &Watchlist, body: &str) -> Vec<(usize, String)> {
        list.scan("", body)
            .into_iter()
            .flat_map(|hit| hit.matches.into_iter().map(move |m| (hit.watch, m.text)))
            .collect()
    }

    #[test]
    fn clitics_and_article_attach_to_arabic_names() {
        let list = Watchlist::compile(&[watch("h", &["حموشي"])]).unwrap();
        assert_eq!(
            texts(&list, "التقى الحموشي وحموشي ثم بالحموشي"),
            vec![
                (0, "الحموشي".to_string()),
                (0, "وحموشي".to_string()),
                (0, "بالحموشي".to_string())
            ]
        );
        assert!(texts(&list, "الحموشيين وحموشيه").is_empty());
        assert!(texts(&list, "مثلحموشي").is_empty());
    }

    #[test]
    fn seed_spellings_of_the_un_office_and_haines_match() {
        let list = Watchlist::compile(&[
            watch("unoct", &["مكتب الأمم المتحدة لمكافحة الإرهاب"]),
            watch("haines", &["أفريل هاينز"]),
        ])
        .unwrap();
        for form in ["بمكتب", "لمكتب", "ومكتب", "مكتب"] {
            let body = format!("بين المغرب {form} الأمم المتحدة لمكافحة الإرهاب، اليوم");
            assert_eq!(texts(&list, &body).len(), 1, "{form}");
        }
        assert_eq!(texts(&list, "استقبال لأفريل هاينز ثم وأفريل هاينز").len(), 2);
        assert!(texts(&list, "مكتب برنامج الأمم المتحدة لمكافحة الإرهاب").is_empty());
    }

    #[test]
    fn latin_terms_match_whole_words_in_any_case() {
        let list = Watchlist::compile(&[watch("h", &["Hammouchi", "DGSN"])]).unwrap();
        assert_eq!(
            texts(&list, "HAMMOUCHI met; Hammouchi's office, la DGSN."),
            vec![
                (0, "HAMMOUCHI".to_string()),
                (0, "Hammouchi".to_string()),
                (0, "DGSN".to_string())
            ]
        );
        assert!(texts(&list, "Hammouchiya and DGSNX and bDGSN").is_empty());
    }

    #[test]
    fn star_allows_suffixes_and_clitics() {
        let list = Watchlist::compile(&[watch("t", &["إرهاب*", "terror*"])]).unwrap();
        assert_eq!(
            texts(&list, "الإرهابية والإرهابيين terrorisme").len(),
            3,
            "prefix terms take suffixes"
        );
    }

    #[test]
    fn the_longest_overlapping_alias_of_a_watch_is_reported_once() {
        let list = Watchlist::compile(&[watch("h", &["عبد اللطيف حموشي", "حموشي"])]).unwrap();
        let hits = list.scan("", "استقبل عبد اللطيف حموشي أمس");
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].matches.len(), 1);
        assert_eq!(hits[0].matches[0].term, "عبد اللطيف حموشي");
    }

    #[test]
    fn offsets_and_snippets_show_the_original_text() {
        let list = Watchlist::compile(&[watch("h", &["حموشي"])]).unwrap();
        let body = "قال الحَمُّوشي إن التعاون مستمر";
        let hits = list.scan("عنوان", body);
        let m = &hits[0].matches[0];
        assert_eq!(m.field, Field::Body);
        assert_eq!(&body[m.start..m.end], "الحَمُّوشي");
        assert!(m.snippet.contains("الحَمُّوشي إن التعاون"));
    }

    #[test]
    fn an_alias_without_letters_is_refused() {
        let err = Watchlist::compile(&[watch("bad", &["ـــ"])]).err().unwrap();
        assert!(err.to_string().contains("bad"));
    }
}
