//! Folding of Arabic and Latin text into one comparable form.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;

/// Text after folding, with its one-byte form for the watch automaton and where in the
/// original each folded character came from.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// The folded text: lower case, no diacritics, one form per letter, single spaces.
    pub text: String,
    /// One byte per character of `text` (see [`super::compact`]); empty when folded without
    /// a map.
    pub compact: Vec<u8>,
    /// For each byte of `compact`, the byte offset of the original character it came from.
    origin: Vec<u32>,
    mapped: bool,
}

impl Folded {
    /// The byte range in `original` (the text this was folded from) covered by the range
    /// `range` of [`Folded::compact`].
    pub fn original_range(&self, original: &str, range: Range<usize>) -> Range<usize> {
        if range.start >= range.end || range.end > self.origin.len() {
            return 0..0;
        }
        let start = self.origin[range.start] as usize;
        let last = self.origin[range.end - 1] as usize;
        let end = last
            + original
                .get(last..)
                .and_then(|rest| rest.chars().next())
                .map_or(0, char::len_utf8);
        start..end.max(start)
    }

    fn push(&mut self, c: char, at: u32) {
        self.text.push(c);
        if self.mapped {
            self.compact.push(super::compact::byte(c));
            self.origin.push(at);
        }
    }

    fn pop(&mut self) {
        self.text.pop();
        if self.mapped {
            self.compact.pop();
            self.origin.pop();
        }
    }
}

/// Fold `original` for matching, with the one-byte form and the map back to the original.
pub fn fold(original: &str) -> Folded {
    fold_with(original, true)
}

fn fold_with(original: &str, mapped: bool) -> Folded {
    let capacity = if mapped { original.len() } else { 0 };
    let mut out = Folded {
        text: String::with_capacity(original.len()),
        compact: Vec::with_capacity(capacity),
        origin: Vec::with_capacity(capacity),
        mapped,
    };
    let mut last_was_space = true;
    for (offset, ch) in original.char_indices() {
        fold_char(&mut out, ch, offset as u32, &mut last_was_space, false);
    }
    if out.text.ends_with(' ') {
        out.pop();
    }
    out
}

/// Append the folded form of `ch`, found at byte `at` of the original. A character outside
/// the Arabic and ASCII tables is decomposed (é -> e + accent, ﷰ -> صلے, ﬁ -> fi) and each part
/// folded as if written alone, so that folding twice changes nothing.
fn fold_char(out: &mut Folded, ch: char, at: u32, last_was_space: &mut bool, decomposed: bool) {
    match classify(ch) {
        Fold::Drop => {}
        Fold::Space => {
            if !*last_was_space {
                out.push(' ', at);
                *last_was_space = true;
            }
        }
        Fold::One(c) => {
            out.push(c, at);
            *last_was_space = false;
        }
        Fold::Latin if !decomposed => {
            for part in std::iter::once(ch).nfkd() {
                fold_char(out, part, at, last_was_space, true);
            }
        }
        Fold::Latin => {
            for lower in ch.to_lowercase().filter(|c| !is_combining(*c)) {
                match lower {
                    'œ' => push_str(out, "oe", at),
                    'æ' => push_str(out, "ae", at),
                    'ß' => push_str(out, "ss", at),
                    c => out.push(c, at),
                }
                *last_was_space = false;
            }
        }
    }
}

/// Fold a string when no map back to the original is needed (watch terms, story words).
pub fn fold_str(original: &str) -> String {
    fold_with(original, false).text
}

fn push_str(out: &mut Folded, s: &str, at: u32) {
    for c in s.chars() {
        out.push(c, at);
    }
}

enum Fold {
    Drop,
    Space,
    One(char),
    Latin,
}

fn classify(ch: char) -> Fold {
    match ch {
        // Arabic diacritics (harakat, shadda, sukun, superscript alef), Quranic annotation
        // marks and tatweel: invisible to a reader's idea of the word.
        '\u{064B}'..='\u{065F}'
        | '\u{0670}'
        | '\u{06D6}'..='\u{06ED}'
        | '\u{0610}'..='\u{061A}' => Fold::Drop,
        '\u{0640}' => Fold::Drop,
        // Invisible formatting: zero-width characters, bidi marks and isolates, soft hyphen, BOM.
        '\u{200B}'..='\u{200F}'
        | '\u{061C}'
        | '\u{2066}'..='\u{2069}'
        | '\u{202A}'..='\u{202E}' => Fold::Drop,
        '\u{00AD}' | '\u{FEFF}' | '\u{2060}' => Fold::Drop,
        // Alef forms, hamza seats, alef maqsura, ta marbuta, Persian and Urdu letter forms.
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => Fold::One('ا'),
        'ى' | 'ئ' | 'ی' | 'ې' | 'ۍ' | 'ے' => Fold::One('ي'),
        'ة' | 'ہ' | 'ۀ' | 'ە' | 'ۃ' => Fold::One('ه'),
        'ؤ' => Fold::One('و'),
        'ک' | 'ڪ' => Fold::One('ك'),
        '٠'..='٩' => Fold::One(char::from(b'0' + (ch as u32 - 0x0660) as u8)),
        '۰'..='۹' => Fold::One(char::from(b'0' + (ch as u32 - 0x06F0) as u8)),
        // Arabic comma, semicolon and question mark read as their Latin counterparts.
        '،' => Fold::One(','),
        '؛' => Fold::One(';'),
        '؟' => Fold::One('?'),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => {
            Fold::One('\'')
        }
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => Fold::One('"'),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => Fold::One('-'),
        c if c.is_whitespace() => Fold::Space,
        c if c.is_ascii() => Fold::One(c.to_ascii_lowercase()),
        c if is_arabic_block(c) => Fold::One(c),
        _ => Fold::Latin,
    }
}

fn is_arabic_block(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}')
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}')
}

/// Whether `c` belongs to a word (for boundaries): letters and digits of any script.
pub fn is_word_char(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' => true,
        c if c.is_ascii() => false,
        // The Arabic letters: `is_alphanumeric` takes a slow table search for each of them,
        // which was a fifth of computing a story signature.
        '\u{0621}'..='\u{064A}' => true,
        c => c.is_alphanumeric(),
    }
}

#[cfg(test)]
#[test]
fn word_chars_are_the_alphanumeric_ones() {
    for c in (0..=0x10FFFF).filter_map(char::from_u32) {
        assert_eq!(is_word_char(c), c.is_alphanumeric(), "U+{:04X}", c as u32);
    }
}

/// Whether `c` is an Arabic-script letter (where clitics attach).
pub fn is_arabic_letter(c: char) -> bool {
    is_arabic_block(c) && c.is_alphabetic()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_variants_fold_to_one_form() {
        assert_eq!(fold_str("أفريل"), fold_str("افريل"));
        assert_eq!(fold_str("إرهاب"), "ارهاب");
        assert_eq!(fold_str("مكتبة"), "مكتبه");
        assert_eq!(fold_str("مصطفى"), "مصطفي");
        assert_eq!(fold_str("مسؤول"), "مسوول");
        assert_eq!(fold_str("هيئة"), "هييه");
        assert_eq!(fold_str("ایران کشور"), "ايران كشور");
    }

    #[test]
    fn diacritics_tatweel_and_invisible_marks_vanish() {
        assert_eq!(fold_str("حَمُّوشِي"), "حموشي");
        assert_eq!(fold_str("حمـــوشي"), "حموشي");
        assert_eq!(fold_str("حمو\u{200C}شي\u{200F}"), "حموشي");
        assert_eq!(fold_str("a\u{00A0}\u{00A0}b"), "a b");
    }

    #[test]
    fn presentation_forms_and_ligatures_fold_to_letters() {
        assert_eq!(fold_str("ﷰ"), "صلي");
        assert_eq!(fold_str("ﻻ"), "لا");
        assert_eq!(fold_str("ﬁn"), "fin");
        assert_eq!(fold_str("İstanbul"), "istanbul");
    }

    #[test]
    fn digits_of_every_script_become_ascii() {
        assert_eq!(fold_str("٢٠٢٥ ۱۴"), "2025 14");
    }

    #[test]
    fn latin_case_accents_ligatures_and_quotes() {
        assert_eq!(fold_str("Sécurité À l’ŒUVRE"), "securite a l'oeuvre");
        assert_eq!(fold_str("“DGSN”"), "\"dgsn\"");
        assert_eq!(fold_str("Straße"), "strasse");
    }

    #[test]
    fn offsets_map_back_to_the_original_words() {
        let at = |folded: &Folded, word: &str| {
            let needle = super::super::compact::encode(word);
            let start = folded
                .compact
                .windows(needle.len())
                .position(|w| w == needle)
                .unwrap();
            start..start + needle.len()
        };
        let original = "قال الحَمُّوشي، اليوم";
        let folded = fold(original);
        let range = folded.original_range(original, at(&folded, "الحموشي"));
        assert_eq!(&original[range], "الحَمُّوشي");

        let original = "À l’ÉCOLE";
        let folded = fold(original);
        let range = folded.original_range(original, at(&folded, "ecole"));
        assert_eq!(&original[range], "ÉCOLE");
        assert_eq!(folded.compact.len(), folded.text.chars().count());
    }

    #[test]
    fn whitespace_runs_collapse_and_edges_trim() {
        let folded = fold("  a \n\t b  ");
        assert_eq!(folded.text, "a b");
    }
}
