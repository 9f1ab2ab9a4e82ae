//! Boilerplate learned per outlet: a paragraph an outlet sets at the head or tail of most of its
//! articles, whatever the story (a standing promo, a "follow us" line, a comment policy), is its
//! furniture, not news. A paragraph repeated in the middle of articles, in a minority of them,
//! or only within the rewrites of one story is text (a background paragraph, a quotation) and
//! is never dropped, however often it comes back.
//!
//! This module is the pure half: fingerprints, where a paragraph sits, and the rule
//! ([`is_furniture`]); the counts live in the database (`store`), so the daemon keeps learning
//! across restarts.

use std::collections::{HashMap, HashSet};

use sha2::{Digest, Sha256};

/// Paragraphs of text before a paragraph (or after it) for it to be at the body's head (or
/// tail): furniture sits before the lead or after the last paragraph of text, and a run of
/// learned furniture touching either end does not count, so the whole run is at the edge.
pub const EDGE: usize = 2;
/// Different stories an outlet must have carried a paragraph in: the same lines in the
/// rewrites of one story are a rewrite, not furniture.
pub const MIN_STORIES: u32 = 4;
/// Articles the outlet must have published since a paragraph first appeared before its share
/// means anything: a background paragraph closing a few articles in a row is not yet a habit.
pub const MIN_SAMPLE: u32 = 10;
/// A short line ("download our app", "follow us") is furniture when at least this share of the
/// outlet's articles since it first appeared carried it at an edge.
const SHORT_SHARE: f64 = 0.5;
/// Longer paragraphs read like text, so a longer one must be in nearly every article.
const LONG_SHARE: f64 = 0.8;
/// Up to this many characters a paragraph is a short line.
const SHORT_CHARS: usize = 200;
/// Longer paragraphs are article text even when repeated (a rewritten press release).
const MAX_CHARS: usize = 600;

/// What an outlet's recent articles say about one paragraph, before the article at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Seen {
    /// Articles that carried it at their head or tail.
    pub articles: u32,
    /// Different stories among those articles.
    pub stories: u32,
    /// Articles the outlet published since the paragraph first appeared, with it or without.
    pub outlet_articles: u32,
}

/// Whether a paragraph of `chars` characters with this record is the outlet's furniture.
pub fn is_furniture(seen: &Seen, chars: usize) -> bool {
    let needed = if chars <= SHORT_CHARS {
        SHORT_SHARE
    } else if chars <= MAX_CHARS {
        LONG_SHARE
    } else {
        return false;
    };
    seen.stories >= MIN_STORIES
        && seen.outlet_articles >= MIN_SAMPLE
        && f64::from(seen.articles) >= needed * f64::from(seen.outlet_articles)
}

/// Fingerprints of a body's paragraphs short enough to be furniture (folded, so spelling noise
/// does not split them): the ones whose record decides [`split`].
pub fn fingerprints(body: &str) -> Vec<i64> {
    let mut seen = HashSet::new();
    paragraphs(body)
        .filter_map(|(_, print, _)| print)
        .filter(|f| seen.insert(*f))
        .collect()
}

/// A body with its learned furniture removed, and the fingerprints of the paragraphs at its
/// edges (the furniture removed included), which keep the counts learning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    pub body: String,
    pub edges: Vec<i64>,
}

/// `body` without the furniture at its head and tail, as `records` (by fingerprint) decide;
/// paragraphs in the middle are always kept, and the body is kept whole if nothing would be
/// left.
pub fn split(body: &str, records: &HashMap<i64, Seen>) -> Split {
    let paragraphs: Vec<_> = paragraphs(body).collect();
    let learned: Vec<bool> = paragraphs
        .iter()
        .map(|(_, print, chars)| {
            print
                .and_then(|p| records.get(&p))
                .is_some_and(|seen| is_furniture(seen, *chars))
        })
        .collect();
    let head = at_edge(learned.iter().copied());
    let mut tail = at_edge(learned.iter().rev().copied());
    tail.reverse();
    let edge = |i: usize| head[i] || tail[i];
    let mut edges = Vec::new();
    for (i, (_, print, _)) in paragraphs.iter().enumerate() {
        if let Some(print) = print.filter(|p| edge(i) && !edges.contains(p)) {
            edges.push(print);
        }
    }
    let kept: Vec<&str> = paragraphs
        .iter()
        .enumerate()
        .filter(|(i, _)| !(learned[*i] && edge(*i)))
        .map(|(_, (text, _, _))| *text)
        .collect();
    let body = if kept.is_empty() {
        body.to_string()
    } else {
        kept.join("\n\n")
    };
    Split { body, edges }
}

/// For paragraphs in reading order (`true` for learned furniture), whether each has fewer than
/// [`EDGE`] paragraphs of text before it.
fn at_edge(learned: impl Iterator<Item = bool>) -> Vec<bool> {
    let mut text_before = 0;
    learned
        .map(|furniture| {
            let edge = text_before < EDGE;
            text_before += usize::from(!furniture);
            edge
        })
        .collect()
}

/// A body's paragraphs with their fingerprint (for those short enough to be furniture) and
/// length in characters.
fn paragraphs(body: &str) -> impl Iterator<Item = (&str, Option<i64>, usize)> {
    body.split("\n\n").map(|p| {
        let chars = p.chars().count();
        (p, (chars <= MAX_CHARS).then(|| fingerprint(p)), chars)
    })
}

fn fingerprint(paragraph: &str) -> i64 {
    let digest = Sha256::digest(crate::text::fold_str(paragraph).as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROMO: &str = "حمّلوا تطبيقنا على متجر آبل وغوغل بلاي";
    const BACKGROUND: &str = "ويشغل حموشي منصب المدير العام للأمن الوطني منذ سنة 2015.";

    /// A standing line: in every one of the outlet's articles, over many stories.
    const STANDING: Seen = Seen {
        articles: 10,
        stories: 9,
        outlet_articles: 10,
    };

    fn body(paragraphs: &[&str]) -> String {
        paragraphs.join("\n\n")
    }

    fn records(seen: &[(&str, Seen)]) -> HashMap<i64, Seen> {
        seen.iter().map(|(p, s)| (fingerprint(p), *s)).collect()
    }

    #[test]
    fn a_standing_line_at_the_tail_is_removed() {
        let text = body(&["استقبل حموشي وفدا أمنيا.", "وتناول اللقاء التعاون.", PROMO]);
        let split = split(&text, &records(&[(PROMO, STANDING)]));
        assert_eq!(
            split.body,
            "استقبل حموشي وفدا أمنيا.\n\nوتناول اللقاء التعاون."
        );
        assert!(
            split.edges.contains(&fingerprint(PROMO)),
            "it keeps learning"
        );
    }

    #[test]
    fn a_standing_line_after_the_first_paragraph_is_at_the_head() {
        let share = "شارك المقال عبر واتساب";
        let text = body(&["الرباط - متابعة", share, "الخبر.", "تفاصيل.", "خاتمة."]);
        let split = split(&text, &records(&[(share, STANDING)]));
        assert_eq!(
            split.body,
            body(&["الرباط - متابعة", "الخبر.", "تفاصيل.", "خاتمة."])
        );
    }

    #[test]
    fn a_run_of_furniture_touching_the_end_goes_whole_and_the_middle_stays() {
        let follow = "تابعونا على فيسبوك وتويتر";
        let text = body(&[
            "الفقرة الأولى.",
            "الفقرة الثانية.",
            PROMO,
            "الفقرة الثالثة.",
            "الفقرة الرابعة.",
            PROMO,
            follow,
        ]);
        let split = split(&text, &records(&[(PROMO, STANDING), (follow, STANDING)]));
        assert_eq!(
            split.body,
            body(&[
                "الفقرة الأولى.",
                "الفقرة الثانية.",
                PROMO,
                "الفقرة الثالثة.",
                "الفقرة الرابعة."
            ]),
            "the promo between paragraphs of text is kept"
        );
    }

    #[test]
    fn a_paragraph_in_the_middle_is_text_however_often_it_was_seen() {
        let text = body(&["الخبر.", "تفاصيل الخبر.", BACKGROUND, "تتمة.", "خاتمة."]);
        let split = split(&text, &records(&[(BACKGROUND, STANDING)]));
        assert_eq!(split.body, text);
        assert!(
            !split.edges.contains(&fingerprint(BACKGROUND)),
            "a middle paragraph is not counted"
        );
        assert_eq!(split.edges.len(), 4);
    }

    #[test]
    fn the_rule_weighs_share_spread_and_length() {
        assert!(is_furniture(&STANDING, 40));
        let minority = Seen {
            articles: 6,
            stories: 6,
            outlet_articles: 40,
        };
        assert!(!is_furniture(&minority, 40), "a background paragraph");
        let one_story = Seen {
            articles: 8,
            stories: 1,
            outlet_articles: 8,
        };
        assert!(!is_furniture(&one_story, 40), "the rewrites of one story");
        let few_stories = Seen {
            stories: MIN_STORIES - 1,
            ..STANDING
        };
        assert!(!is_furniture(&few_stories, 40));
        let in_a_row = Seen {
            articles: MIN_SAMPLE - 1,
            stories: MIN_SAMPLE - 1,
            outlet_articles: MIN_SAMPLE - 1,
        };
        assert!(!is_furniture(&in_a_row, 40), "too few articles to judge");
        let most = Seen {
            articles: 7,
            stories: 7,
            outlet_articles: 10,
        };
        assert!(is_furniture(&most, SHORT_CHARS), "a short line in most");
        assert!(!is_furniture(&most, SHORT_CHARS + 1), "a long one in most");
        assert!(is_furniture(&STANDING, MAX_CHARS));
        assert!(!is_furniture(&STANDING, MAX_CHARS + 1), "long is text");
        assert!(!is_furniture(&Seen::default(), 10));
    }

    #[test]
    fn spelling_noise_does_not_change_a_fingerprint() {
        assert_eq!(
            fingerprints("اقرأ أيضاً: حموشي"),
            fingerprints("اقرا ايضا: حموشي")
        );
    }

    #[test]
    fn a_body_made_only_of_furniture_is_kept() {
        let text = body(&[PROMO, "تابعونا"]);
        let split = split(&text, &records(&[(PROMO, STANDING), ("تابعونا", STANDING)]));
        assert_eq!(split.body, text);
    }

    #[test]
    fn long_paragraphs_are_never_learned() {
        let long = "نص ".repeat(400);
        assert!(fingerprints(&long).is_empty());
        let text = body(&["الخبر.", &long]);
        assert_eq!(split(&text, &HashMap::new()).edges.len(), 1);
    }
}
