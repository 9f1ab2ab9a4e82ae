//! Language of a text from its letters and commonest words: Arabic, Persian and Urdu apart by
//! the letters only they use; French and English apart by stopwords.

use crate::text::stopwords::{Language, is_stopword_of};
use crate::text::{fold_str, is_word_char};

/// `ar`, `fa`, `ur`, `fr` or `en`, or `None` when the text is too short or mixed to tell.
pub fn detect(text: &str) -> Option<&'static str> {
    let mut arabic_script = 0usize;
    let mut latin = 0usize;
    let mut persian = 0usize;
    let mut urdu = 0usize;
    for c in text.chars() {
        match c {
            // پ چ ژ گ are Persian (and Urdu); ٹ ڈ ڑ ں ے ھ only Urdu.
            'پ' | 'چ' | 'ژ' | 'گ' => {
                persian += 1;
                arabic_script += 1;
            }
            'ٹ' | 'ڈ' | 'ڑ' | 'ں' | 'ے' | 'ھ' => {
                urdu += 1;
                arabic_script += 1;
            }
            '\u{0600}'..='\u{06FF}' if c.is_alphabetic() => arabic_script += 1,
            c if c.is_alphabetic() && (c.is_ascii() || ('\u{00C0}'..='\u{024F}').contains(&c)) => {
                latin += 1
            }
            _ => {}
        }
    }
    if arabic_script + latin < 20 {
        return None;
    }
    if arabic_script > latin {
        // Arabic uses none of these letters; a few per thousand mark another language.
        return Some(if urdu * 200 > arabic_script {
            "ur"
        } else if (persian + urdu) * 200 > arabic_script {
            "fa"
        } else {
            "ar"
        });
    }
    let (mut fr, mut en) = (0, 0);
    for word in fold_str(opening(text)).split(|c: char| !is_word_char(c)) {
        fr += usize::from(is_stopword_of(Language::French, word));
        en += usize::from(is_stopword_of(Language::English, word));
    }
    match fr.cmp(&en) {
        std::cmp::Ordering::Greater => Some("fr"),
        std::cmp::Ordering::Less => Some("en"),
        std::cmp::Ordering::Equal => None,
    }
}

/// How much of a text its stopwords are counted in: a few hundred words tell French from
/// English, and folding a whole long body for it cost more than the rest of the detection.
const STOPWORD_SAMPLE_BYTES: usize = 4096;

/// The text's first [`STOPWORD_SAMPLE_BYTES`], cut at a character boundary.
fn opening(text: &str) -> &str {
    if text.len() <= STOPWORD_SAMPLE_BYTES {
        return text;
    }
    let mut end = STOPWORD_SAMPLE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_is_sampled_at_a_character_boundary() {
        let long = format!("x{}", "é".repeat(3000));
        let sample = opening(&long);
        assert!(sample.len() <= STOPWORD_SAMPLE_BYTES && long.starts_with(sample));
        let french = "Le directeur général de la DGSN a reçu le responsable onusien à Rabat. ";
        assert_eq!(detect(&french.repeat(200)), Some("fr"));
    }

    #[test]
    fn tells_the_languages_apart() {
        assert_eq!(
            detect("استقبل المدير العام للأمن الوطني عبد اللطيف حموشي المسؤول الأممي"),
            Some("ar")
        );
        assert_eq!(
            detect("وزیر امور خارجه ایران گفت که پیشنهاد چین را بررسی می‌کنیم و گفتگو ادامه دارد"),
            Some("fa")
        );
        assert_eq!(
            detect("پاکستان کے وزیر اعظم نے کہا ہے کہ ملک میں امن و امان کی صورتحال بہتر ہے"),
            Some("ur")
        );
        assert_eq!(
            detect(
                "Le directeur général de la DGSN a reçu le responsable onusien à Rabat pour une réunion."
            ),
            Some("fr")
        );
        assert_eq!(
            detect(
                "The head of the national police met the UN official in Rabat on Monday for talks."
            ),
            Some("en")
        );
        assert_eq!(detect("Rabat"), None);
    }

    #[test]
    fn counts_the_stopwords_story_words_drop() {
        // Every stopword here was in the story list only, before the two lists became one.
        assert_eq!(
            detect("Mais ainsi, comme toujours, plus tard entre amis; tous leurs voisins aussi"),
            Some("fr")
        );
        assert_eq!(
            detect("Those who had been there before their arrival will also know"),
            Some("en")
        );
    }
}
