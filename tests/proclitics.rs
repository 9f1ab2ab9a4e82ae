//! Matching, story words and story weekdays read Arabic proclitics by one rule
//! (`raqib::text::arabic`): where stories count a word as a stem, a watch on that stem finds
//! the word; a bare preposition (ب ك ل) is read only before a watch's term, as a word's own
//! first letter is as likely; and a day named with its article and any chain before it is that
//! day everywhere.

use raqib::config::{Severity, Watch};
use raqib::story::rewrite::{weekdays, words};
use raqib::text::fold_str;
use raqib::watch::{Subject, Watchlist};

/// (the word as published, a stem, whether a watch on the stem finds the word, whether stories
/// count the word as the stem)
const WORDS: &[(&str, &str, bool, bool)] = &[
    ("الحموشي", "حموشي", true, true),
    ("وأفريل", "أفريل", true, true),
    ("فمكتب", "مكتب", true, true),
    ("والمغرب", "المغرب", true, true),
    ("والمغرب", "مغرب", true, true),
    ("فبالمغرب", "مغرب", true, true),
    ("وكالمغرب", "مغرب", true, true),
    ("للقاعدة", "القاعدة", true, true),
    ("وللقاعدة", "قاعدة", true, true),
    // A bare preposition: بلاد and كتاب start the same way.
    ("لأفريل", "أفريل", true, false),
    ("بمكتب", "مكتب", true, false),
    ("ولمكتب", "مكتب", true, false),
    // Two letters are no stem: a boy and a country, not و or ب before لد.
    ("ولد", "لد", false, false),
    ("بلد", "لد", false, false),
];

fn matched(stem: &str, word: &str) -> bool {
    let watch = Watch {
        name: "w".into(),
        aliases: vec![stem.to_string()],
        query: None,
        query_text: None,
        context: Vec::new(),
        severity: Severity::Medium,
        sinks: Vec::new(),
        alert: Default::default(),
    };
    let text = format!("قال {word} اليوم");
    let subject = Subject {
        body: &text,
        ..Subject::default()
    };
    !Watchlist::compile(&[watch])
        .unwrap()
        .scan(&subject)
        .is_empty()
}

fn same_story_word(word: &str, stem: &str) -> bool {
    let stem = fold_str(stem);
    let stem = stem.strip_prefix("ال").unwrap_or(&stem);
    words(&fold_str(word)) == words(stem)
}

#[test]
fn what_stories_cut_matching_reads_and_short_stems_stay_whole() {
    let disagreements: Vec<String> = WORDS
        .iter()
        .filter_map(|&(word, stem, found, counted)| {
            let (matching, story) = (matched(stem, word), same_story_word(word, stem));
            (matching != found || story != counted).then(|| {
                format!(
                    "{word} as {stem}: matching {matching} (expected {found}), \
                     story words {story} (expected {counted})"
                )
            })
        })
        .collect();
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}

#[test]
fn a_day_is_read_behind_any_chain_ending_in_the_article() {
    const THURSDAY: u8 = 1 << 3;
    const SUNDAY: u8 = 1 << 6;
    let disagreements: Vec<String> = [
        ("الخميس", THURSDAY),
        ("بالخميس", THURSDAY),
        ("وبالخميس", THURSDAY),
        ("فالخميس", THURSDAY),
        ("للخميس", THURSDAY),
        ("وللخميس", THURSDAY),
        ("الأحد", SUNDAY),
        ("وللأحد", SUNDAY),
        // Without the article: "one" and "two", not Sunday and Monday.
        ("أحد", 0),
        ("وأحد", 0),
        ("اثنين", 0),
    ]
    .iter()
    .filter_map(|&(word, day)| {
        let read = weekdays(&fold_str(word));
        let matching = matched("الخميس", word);
        (read != day || matching != (day == THURSDAY)).then(|| {
            format!(
                "{word}: expected {day:#b}, story weekdays {read:#b}, matching الخميس {matching}"
            )
        })
    })
    .collect();
    assert!(disagreements.is_empty(), "{disagreements:#?}");
}
