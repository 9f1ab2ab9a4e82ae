//! Watch matching on the forms the seed articles really contain, the traps that must not match,
//! and properties of folding that every match relies on.

mod common;

use proptest::prelude::*;
use raqib::config::query;
use raqib::config::{Context, Severity, Watch};
use raqib::watch::{Subject, Watchlist};

fn watch(aliases: &[&str]) -> Watch {
    Watch {
        name: "w".into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        query: None,
        query_text: None,
        context: Vec::new(),
        severity: Severity::Medium,
        sinks: Vec::new(),
        alert: Default::default(),
    }
}

fn watchlist(aliases: &[&str]) -> Watchlist {
    Watchlist::compile(&[watch(aliases)]).unwrap()
}

fn body(text: &str) -> Subject<'_> {
    Subject {
        body: text,
        ..Subject::default()
    }
}

/// The texts matched in `body`, as published.
fn found(list: &Watchlist, text: &str) -> Vec<String> {
    list.scan(&body(text))
        .into_iter()
        .flat_map(|hit| hit.matches)
        .map(|m| m.text)
        .collect()
}

#[test]
fn every_form_in_the_seeds_matches() {
    // (alias, seed, the form as published in that seed)
    let cases = [
        ("حموشي", "004", "الحموشي"),
        ("حموشي", "000", "حموشي"),
        ("أفريل هاينز", "004", "لأفريل هاينز"),
        ("أفريل هاينز", "004", "وأفريل هاينز"),
        (
            "مكتب الأمم المتحدة لمكافحة الإرهاب",
            "000",
            "بمكتب الأمم المتحدة لمكافحة الإرهاب",
        ),
        (
            "مكتب الأمم المتحدة لمكافحة الإرهاب",
            "000",
            "لمكتب الأمم المتحدة لمكافحة الإرهاب",
        ),
        (
            "مكتب الأمم المتحدة لمكافحة الإرهاب",
            "002",
            "ومكتب الأمم المتحدة لمكافحة الإرهاب",
        ),
        ("داعش", "003", "داعش"),
        ("القاعدة", "003", "القاعدة"),
        ("ألكسندر زوييف", "001", "ألكسندر زوييف"),
        (
            "المكتب المركزي للأبحاث القضائية",
            "003",
            "المكتب المركزي للأبحاث القضائية",
        ),
        ("BCIJ", "003", "BCIJ"),
    ];
    for (alias, seed, form) in cases {
        let text = common::seed(seed);
        assert!(text.contains(form), "seed {seed} has {form}");
        let texts = found(&watchlist(&[alias]), &text);
        assert!(
            texts.iter().any(|t| t == form),
            "{alias} should find {form} in seed {seed}; found {texts:?}"
        );
    }
}

#[test]
fn quotes_tatweel_nbsp_and_diacritics_inside_the_text_do_not_hide_a_name() {
    let list = watchlist(&["داعش", "القاعدة", "عبد اللطيف حموشي"]);
    for body in [
        "تنظيمي ”داعش“ و”القاعدة” في الساحل",
        "قال عبد\u{a0}اللطيف\u{a0}حموشي",
        "قال عبد اللطيف حمـــوشي",
        "قال عَبْدُ اللَّطِيفِ حَمُّوشِي",
        "قال عبد\u{200f} اللطيف حموشي",
    ] {
        assert!(!found(&list, body).is_empty(), "{body}");
    }
}

#[test]
fn traps_do_not_match() {
    // A term inside a longer word, a Latin name inside another, Persian text that only looks alike.
    assert!(found(&watchlist(&["حموشي"]), "الحموشيين يجتمعون").is_empty());
    assert!(found(&watchlist(&["داعش"]), "الداعشيون").is_empty());
    assert!(found(&watchlist(&["Hammouchi"]), "Hammouchiya family").is_empty());
    assert!(
        found(&watchlist(&["أمن"]), "الأمني والأمنية").is_empty(),
        "adjectives are other words"
    );
    assert!(
        found(&watchlist(&["وجدة"]), "وجد الباحثون").is_empty(),
        "no stemming of names"
    );
    assert!(
        found(&watchlist(&["باريس"]), "سفر به پاریس").is_empty(),
        "Persian پ is not Arabic ب"
    );
}

#[test]
fn the_rule_and_the_coast_need_their_context() {
    let mut aq = watch(&["تنظيم القاعدة", "AQMI", "القاعدة"]);
    aq.context = vec![Context {
        alias: "القاعدة".into(),
        near: ["تنظيم", "إرهاب*", "داعش", "الساحل"]
            .map(String::from)
            .to_vec(),
        within: 12,
    }];
    let list = Watchlist::compile(&[aq]).unwrap();
    assert!(
        !found(&list, &common::seed("003")).is_empty(),
        "seed 003: ”داعش“ و”القاعدة”"
    );
    for rule in [
        "وحسب القاعدة القانونية المعمول بها، يحق للمتهم الطعن في الحكم.",
        "القاعدة الذهبية في الطبخ هي الصبر.",
    ] {
        assert!(found(&list, rule).is_empty(), "{rule}");
    }
}

#[test]
fn queries_over_the_seeds() {
    // (query, seed, fires)
    let cases = [
        (
            "\"مكتب الأمم المتحدة لمكافحة الإرهاب\" AND حموشي",
            "000",
            true,
        ),
        ("داعش NEAR/2 القاعدة", "003", true),
        ("داعش ONEAR/2 القاعدة", "003", true),
        ("القاعدة ONEAR/2 داعش", "003", false),
        ("إرهاب* AND NOT داعش", "000", true),
        ("إرهاب* AND NOT داعش", "003", false),
        ("\"أفريل هاينز\" OR (Haines AND Hammouchi)", "004", true),
        ("(هاينز OR زوييف) AND NOT حموشي", "004", false),
    ];
    for (text, seed, fires) in cases {
        let mut w = watch(&[]);
        w.query = Some(query::parse(text).unwrap());
        let list = Watchlist::compile(&[w]).unwrap();
        let hits = list.scan(&body(&common::seed(seed)));
        assert_eq!(!hits.is_empty(), fires, "{text} on seed {seed}");
        for m in hits.iter().flat_map(|h| &h.matches) {
            assert!(m.snippet.contains(&format!("**{}**", m.text)), "{m:?}");
        }
    }
}

proptest! {
    #[test]
    fn folding_is_idempotent(text in "\\PC{0,200}") {
        let once = raqib::text::fold_str(&text);
        prop_assert_eq!(raqib::text::fold_str(&once), once);
    }

    #[test]
    fn match_offsets_land_on_character_boundaries(
        prefix in "[\\u{0600}-\\u{06FF} a-zé\\u{00A0}\\u{200F}\\u{0640}]{0,40}",
        suffix in "[\\u{0600}-\\u{06FF} a-zé\\u{00A0}\\u{200F}\\u{0640}]{0,40}",
        clitic in prop::sample::select(vec!["", "و", "ب", "ال", "وال", "لل"]),
    ) {
        let body = format!("{prefix} {clitic}حَمُّوشِي {suffix}");
        let list = watchlist(&["حموشي", "a", "é"]);
        let subject = Subject { title: &body, body: &body, ..Subject::default() };
        for hit in list.scan(&subject) {
            for m in hit.matches {
                prop_assert!(body.is_char_boundary(m.start) && body.is_char_boundary(m.end));
                prop_assert_eq!(&body[m.start..m.end], m.text.as_str());
            }
        }
    }
}
