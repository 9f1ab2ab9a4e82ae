//! Watch matching on the forms the seed articles really contain, the traps that must not match,
//! and properties of folding that every match relies on.

mod common;

use proptest::prelude::*;
use raqib::config::{Severity, Watch};
use raqib::watch::Watchlist;

fn watchlist(aliases: &[&str]) -> Watchlist {
    let watch = Watch {
        name: "w".into(),
        aliases: aliases.iter().map(|a| a.to_string()).collect(),
        severity: Severity::Medium,
        sinks: Vec::new(),
    };
    Watchlist::compile(&[watch]).unwrap()
}

/// The texts matched in `body`, as published.
fn found(list: &Watchlist, body: &str) -> Vec<String> {
    list.scan("", body)
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
        for hit in list.scan(&body, &body) {
            for m in hit.matches {
                prop_assert!(body.is_char_boundary(m.start) && body.is_char_boundary(m.end));
                prop_assert_eq!(&body[m.start..m.end], m.text.as_str());
            }
        }
    }
}
