//! Watchlists: which watches fire on an article, and where.
//!
//! Every word of every watch (aliases, query words, context words) is folded (see
//! [`crate::text`]) and compiled into one Aho-Corasick automaton over the one-byte form of
//! folded text, so the cost per article barely depends on the number of terms. A raw hit is
//! kept only if it sits on word boundaries; for Arabic terms the left boundary may be a chain
//! of proclitics (و ف ب ك ل ال …), see [`boundary`]. Then each watch that has hits evaluates its
//! rule: its aliases (any one, each perhaps with context words required nearby) AND its query
//! (see [`crate::config::query`] for the language, [`eval`] for the evaluation).

mod boundary;
mod compile;
mod eval;
pub mod narrow;
mod snippet;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use serde::Serialize;

use crate::config::Watch;
use crate::text::{self, Folded};
use compile::Builder;
use eval::{Context, Node, Occ, Words};

pub use snippet::MARK;

/// Which part of an article a match was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Field {
    Title = 0,
    Body = 1,
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
    /// The alias, query word or context word as the user wrote it.
    pub term: String,
    /// The words in the text, as published.
    pub text: String,
    pub field: Field,
    /// Byte offsets of `text` in the field's original text.
    pub start: usize,
    pub end: usize,
    /// About 30 words around the match, as published, the match between [`MARK`]s.
    pub snippet: String,
}

/// The matches of one watch in one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchHit {
    /// Index of the watch in the list the [`Watchlist`] was compiled from.
    pub watch: usize,
    pub matches: Vec<Match>,
}

/// What a watch looks at in an article.
#[derive(Debug, Clone, Copy, Default)]
pub struct Subject<'a> {
    pub title: &'a str,
    pub body: &'a str,
    /// The outlet name of the article's feed, for `outlet:`.
    pub outlet: &'a str,
    /// The article's language code, for `lang:`.
    pub lang: Option<&'a str>,
}

/// A term could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("watch {watch:?}: {term:?} has no letters or digits left after normalisation")]
    EmptyTerm { watch: String, term: String },
    #[error("watchlist automaton could not be built: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
}

/// Up to this many pattern bytes the automaton is a full DFA: one table lookup per byte of text,
/// about 1.5 times as fast as the compact NFA at 10,000 terms, but ~250 bytes of table per
/// pattern byte (37 MiB for 10,000 names). Longer lists get the NFA (~1 MiB per 10,000 names).
const DFA_PATTERN_BYTES: usize = 256 * 1024;

/// Reported matches per watch and article: enough to show, bounded on hostile pages.
pub const MAX_MATCHES: usize = 50;

struct Term {
    watch: usize,
    /// As written, for reports.
    written: String,
    /// A trailing `*` lets the term take any suffix (topic words, not names).
    prefix: bool,
    /// Arabic terms whose first word is a stem accept proclitics on it.
    takes_proclitics: bool,
    /// The folded term, when its one-byte form is lossy and a hit must be confirmed.
    confirm: Option<String>,
}

/// How a pattern spells a term.
#[derive(Debug, Clone, Copy)]
struct Reading {
    term: u32,
    /// The pattern is the term without its article: ل + القاعدة is written للقاعدة, so القاعدة
    /// is also looked for as قاعدة right after لل.
    after_lam: bool,
}

/// The size of a compiled watchlist, for logs and benchmarks.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub watches: usize,
    /// Distinct words and phrases over all watches.
    pub terms: usize,
    /// Distinct folded spellings in the automaton.
    pub patterns: usize,
    /// Whether the automaton is a full DFA (see [`DFA_PATTERN_BYTES`]).
    pub dfa: bool,
    pub automaton_bytes: usize,
}

/// All watches compiled into one automaton.
pub struct Watchlist {
    automaton: AhoCorasick,
    /// Pattern id -> the terms that fold to that pattern (several watches may share one).
    patterns: Vec<Vec<Reading>>,
    terms: Vec<Term>,
    /// Per watch, its rule.
    rules: Vec<Node>,
}

impl Watchlist {
    /// Compile the aliases, queries and context words of `watches`.
    pub fn compile(watches: &[Watch]) -> Result<Self, WatchError> {
        let mut builder = Builder::default();
        let rules = watches
            .iter()
            .enumerate()
            .map(|(index, watch)| builder.rule(watch, index))
            .collect::<Result<Vec<_>, _>>()?;
        let pattern_bytes: usize = builder.patterns.iter().map(Vec::len).sum();
        let kind = if pattern_bytes <= DFA_PATTERN_BYTES {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(&builder.patterns)?;
        Ok(Watchlist {
            automaton,
            patterns: builder.by_pattern,
            terms: builder.terms,
            rules,
        })
    }

    pub fn stats(&self) -> Stats {
        Stats {
            watches: self.rules.len(),
            terms: self.terms.len(),
            patterns: self.patterns.len(),
            dfa: self.automaton.kind() == AhoCorasickKind::DFA,
            automaton_bytes: self.automaton.memory_usage(),
        }
    }

    /// Find every watch that fires on an article.
    pub fn scan(&self, subject: &Subject<'_>) -> Vec<WatchHit> {
        let folded = [text::fold(subject.title), text::fold(subject.body)];
        self.scan_folded(subject, &folded)
    }

    /// [`Watchlist::scan`] for a caller that already folded the title and the body (with
    /// [`text::fold`]).
    pub fn scan_folded(&self, subject: &Subject<'_>, folded: &[Folded; 2]) -> Vec<WatchHit> {
        let originals = [subject.title, subject.body];
        let mut occs = Vec::new();
        for field in [Field::Title, Field::Body] {
            let index = field as usize;
            self.occurrences(field, originals[index], &folded[index], &mut occs);
        }
        // Group by watch; within a watch they stay by field and position (where they end), as
        // found.
        occs.sort_by_key(|o| o.watch);
        let outlet = text::fold_str(subject.outlet);
        let words = Words::default();
        let mut hits = Vec::new();
        let mut rest = occs.as_slice();
        while let Some(first) = rest.first() {
            let watch = first.watch;
            let len = rest.iter().take_while(|o| o.watch == watch).count();
            let (mine, others) = rest.split_at(len);
            rest = others;
            let context = Context::new(
                mine,
                [&folded[0], &folded[1]],
                &outlet,
                subject.lang,
                &words,
            );
            if let Some(witnesses) = context.eval(&self.rules[watch as usize]) {
                let matches = self.report(mine, witnesses, &originals, folded);
                if !matches.is_empty() {
                    hits.push(WatchHit {
                        watch: watch as usize,
                        matches,
                    });
                }
            }
        }
        hits
    }

    /// Every term occurrence on word boundaries in one field.
    fn occurrences(&self, field: Field, original: &str, folded: &Folded, occs: &mut Vec<Occ>) {
        let haystack = folded.compact.as_slice();
        for hit in self.automaton.find_overlapping_iter(haystack) {
            for reading in &self.patterns[hit.pattern().as_usize()] {
                let id = reading.term;
                let term = &self.terms[id as usize];
                let Some(end) = boundary::right_edge(haystack, hit.end(), term.prefix) else {
                    continue;
                };
                let start = if reading.after_lam {
                    boundary::left_edge_after_lam(haystack, hit.start())
                } else {
                    boundary::left_edge(haystack, hit.start(), term.takes_proclitics)
                };
                let Some(start) = start else {
                    continue;
                };
                if let Some(expected) = term.confirm.as_ref().filter(|_| !reading.after_lam) {
                    let range = folded.original_range(original, hit.start()..hit.end());
                    if text::fold_str(&original[range]) != *expected {
                        continue;
                    }
                }
                // The reported words include a clitic chain or suffix the term absorbed.
                occs.push(Occ {
                    watch: term.watch as u32,
                    term: id,
                    field,
                    start: start as u32,
                    end: end as u32,
                });
            }
        }
    }

    /// The matches an alert shows: the witnesses, a hit inside a longer one dropped
    /// ("حموشي" inside "عبد اللطيف حموشي"), at most [`MAX_MATCHES`].
    fn report(
        &self,
        occs: &[Occ],
        mut witnesses: Vec<usize>,
        originals: &[&str; 2],
        folded: &[Folded; 2],
    ) -> Vec<Match> {
        witnesses.sort_by_key(|&i| {
            (
                occs[i].field as u8,
                occs[i].start,
                std::cmp::Reverse(occs[i].end),
            )
        });
        witnesses.dedup();
        let mut matches = Vec::new();
        let mut kept: Option<(Field, u32)> = None;
        for i in witnesses {
            let occ = occs[i];
            if kept.is_some_and(|(field, end)| field == occ.field && occ.end <= end) {
                continue;
            }
            kept = Some((occ.field, occ.end));
            let index = occ.field as usize;
            let original = originals[index];
            let range =
                folded[index].original_range(original, occ.start as usize..occ.end as usize);
            matches.push(Match {
                term: self.terms[occ.term as usize].written.clone(),
                text: original[range.clone()].to_string(),
                field: occ.field,
                start: range.start,
                end: range.end,
                snippet: snippet::around(original, range),
            });
            if matches.len() == MAX_MATCHES {
                break;
            }
        }
        matches
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Severity, Watch, query};

    fn watch(name: &str, aliases: &[&str]) -> Watch {
        Watch {
            name: name.to_string(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            query: None,
            query_text: None,
            context: Vec::new(),
            severity: Severity::Medium,
            sinks: Vec::new(),
            alert: Default::default(),
        }
    }

    fn query(text: &str) -> Watch {
        Watch {
            query: Some(query::parse(text).unwrap()),
            query_text: None,
            ..watch("q", &[])
        }
    }

    fn body(body: &str) -> Subject<'_> {
        Subject {
            body,
            ..Subject::default()
        }
    }

    /// Whether a lone query fires on `subject`.
    fn fires(text: &str, subject: &Subject<'_>) -> bool {
        !Watchlist::compile(&[query(text)])
            .unwrap()
            .scan(subject)
            .is_empty()
    }

    fn texts(list: &Watchlist, text: &str) -> Vec<(usize, String)> {
        list.scan(&body(text))
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
        let hits = list.scan(&body("استقبل عبد اللطيف حموشي أمس"));
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].matches.len(), 1);
        assert_eq!(hits[0].matches[0].term, "عبد اللطيف حموشي");
    }

    #[test]
    fn offsets_and_snippets_show_the_original_text() {
        let list = Watchlist::compile(&[watch("h", &["حموشي"])]).unwrap();
        let body = "قال الحَمُّوشي إن التعاون مستمر";
        let hits = list.scan(&Subject {
            title: "عنوان",
            body,
            ..Subject::default()
        });
        let m = &hits[0].matches[0];
        assert_eq!(m.field, Field::Body);
        assert_eq!(&body[m.start..m.end], "الحَمُّوشي");
        assert_eq!(m.snippet, "قال **الحَمُّوشي** إن التعاون مستمر");
    }

    #[test]
    fn queries_combine_words_with_and_or_not() {
        let text = body("Le DGSN et la police de Tanger ont saisi 2 tonnes de cannabis.");
        assert!(fires("DGSN AND Tanger", &text));
        assert!(fires("DGSN Tanger", &text));
        assert!(!fires("DGSN AND Rabat", &text));
        assert!(fires("Rabat OR Tanger", &text));
        assert!(!fires("DGSN NOT cannabis", &text));
        assert!(fires("DGSN AND NOT (Rabat OR Casablanca)", &text));
        assert!(fires("\"police de Tanger\"", &text));
        assert!(!fires("\"police de Rabat\"", &text));
        assert!(fires("canna*", &text));
    }

    #[test]
    fn near_counts_words_in_either_order_and_onear_in_one() {
        let text = body("تأمين جميع التظاهرات الرياضية الكبرى التي تستعد المملكة لاحتضانها");
        assert!(fires("\"تأمين\" NEAR/3 \"التظاهرات الرياضية\"", &text));
        assert!(fires("تأمين NEAR/1 التظاهرات", &text));
        assert!(!fires("تأمين NEAR/0 التظاهرات", &text));
        assert!(fires("التظاهرات NEAR/1 تأمين", &text));
        assert!(!fires("التظاهرات ONEAR/1 تأمين", &text));
        assert!(fires("تأمين ONEAR/1 التظاهرات", &text));
        assert!(fires(
            "(تأمين NEAR/1 التظاهرات) NEAR/5 (المملكة OR المغرب)",
            &text
        ));
        assert!(!fires("تأمين NEAR/3 المملكة", &text));
        // Clitics do not count as words: لاحتضانها is one word.
        assert!(fires("المملكة NEAR/0 احتضانها*", &text));
    }

    #[test]
    fn the_issue_query_fires_in_french_and_arabic() {
        let q = r#"("تأمين" NEAR/3 "التظاهرات الرياضية") OR (sécurité NEAR/5 (CAN OR "Coupe du monde"))"#;
        assert!(fires(
            q,
            &body("Le dispositif de sécurité prévu pour la CAN 2025 a été présenté.")
        ));
        assert!(fires(
            q,
            &body("la sécurité de la future Coupe du Monde 2030")
        ));
        assert!(!fires(
            q,
            &body(
                "La sécurité routière progresse partout au Maroc selon le ministère; la CAN commence demain."
            )
        ));
        assert!(fires(q, &body("وتأمين التظاهرات الرياضية")));
    }

    #[test]
    fn fields_restrict_words_and_read_the_outlet_and_language() {
        let subject = Subject {
            title: "Hammouchi reçoit Zouev",
            body: "La DGSN a accueilli le responsable onusien.",
            outlet: "Le360",
            lang: Some("fr"),
        };
        assert!(fires("title:Hammouchi", &subject));
        assert!(!fires("body:Hammouchi", &subject));
        assert!(fires("body:DGSN title:Zouev", &subject));
        assert!(fires("DGSN outlet:le360", &subject));
        assert!(!fires("DGSN outlet:Hespress", &subject));
        assert!(fires("DGSN lang:fr", &subject));
        assert!(!fires("DGSN lang:ar", &subject));
        assert!(fires("DGSN NOT lang:ar", &subject));
        let hits = Watchlist::compile(&[query("Hammouchi OR DGSN")])
            .unwrap()
            .scan(&subject);
        let fields: Vec<Field> = hits[0].matches.iter().map(|m| m.field).collect();
        assert_eq!(fields, [Field::Title, Field::Body]);
    }

    #[test]
    fn aliases_and_query_are_both_required() {
        let list = Watchlist::compile(&[Watch {
            query: Some(query::parse("lang:ar OR الرباط").unwrap()),
            query_text: None,
            ..watch("h", &["حموشي"])
        }])
        .unwrap();
        assert_eq!(texts(&list, "استقبل حموشي في الرباط").len(), 2);
        assert!(texts(&list, "استقبل حموشي في طنجة").is_empty());
        assert!(texts(&list, "الرباط").is_empty());
    }

    #[test]
    fn an_ambiguous_alias_needs_its_context_words() {
        let list = Watchlist::compile(&[Watch {
            context: vec![crate::config::Context {
                alias: "القاعدة".into(),
                near: vec![
                    "تنظيم".into(),
                    "إرهاب*".into(),
                    "داعش".into(),
                    "الساحل".into(),
                ],
                within: 12,
            }],
            ..watch("aq", &["تنظيم القاعدة", "AQMI", "القاعدة"])
        }])
        .unwrap();
        assert!(texts(&list, "وأكد أن القاعدة القانونية واضحة في هذا الشأن").is_empty());
        assert!(!texts(&list, "خلايا مرتبطة بـ”القاعدة“ في منطقة الساحل").is_empty());
        assert!(!texts(&list, "عناصر إرهابية موالية للقاعدة").is_empty());
        assert!(
            !texts(&list, "AQMI").is_empty(),
            "other aliases need no context"
        );
        let far = format!("القاعدة {} الساحل", "كلمة ".repeat(13));
        assert!(texts(&list, &far).is_empty());
    }

    #[test]
    fn terms_in_other_scripts_are_confirmed_after_the_lossy_byte_form() {
        let list = Watchlist::compile(&[watch("ru", &["Москва"])]).unwrap();
        assert_eq!(texts(&list, "визит в Москва сегодня").len(), 1);
        // Same length, letters in the same one-byte buckets, different word.
        let lookalike: String = "Москва"
            .chars()
            .map(|c| char::from_u32(c as u32 ^ 0x20).unwrap())
            .collect();
        assert!(
            texts(&list, &format!("в {lookalike} сегодня")).is_empty(),
            "{lookalike}"
        );
    }

    #[test]
    fn a_watchlist_too_long_for_a_dfa_finds_the_same() {
        let seeds = "استقبل عبد اللطيف حموشي بالرباط أفريل هاينز";
        let watches = vec![
            watch("h", &["حموشي", "عبد اللطيف حموشي"]),
            watch("a", &["أفريل هاينز"]),
        ];
        let small = Watchlist::compile(&watches).unwrap();
        let filler: Vec<String> = (0..3)
            .map(|i| format!("{} {i}", "كلمة".repeat(DFA_PATTERN_BYTES / 10)))
            .collect();
        let mut long = watches.clone();
        long.push(Watch {
            aliases: filler,
            ..watch("filler", &[])
        });
        let long = Watchlist::compile(&long).unwrap();
        assert!(small.stats().dfa);
        assert!(!long.stats().dfa);
        assert_eq!(small.scan(&body(seeds)), long.scan(&body(seeds)));
        assert_eq!(small.scan(&body(seeds)).len(), 2);
    }

    #[test]
    fn an_alias_without_letters_is_refused() {
        let err = Watchlist::compile(&[watch("bad", &["ـــ"])]).err().unwrap();
        assert!(err.to_string().contains("bad"));
    }
}
