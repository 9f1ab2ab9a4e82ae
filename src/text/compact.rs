//! A one-byte alphabet for folded text, the form the watch automaton reads.
//!
//! Folded Arabic takes two bytes per letter in UTF-8, and an Aho-Corasick automaton pays per
//! byte: with 10,000 terms it ran at half the speed it reaches on one byte per letter. After
//! folding, Arabic needs only a few dozen letters, so every folded character becomes one byte:
//!
//! - ASCII stays itself;
//! - the Arabic letters U+0621–U+064A take 0x80–0xA9, and the extra letters of Maghrebi,
//!   Persian and Urdu spelling (ڤ ڭ گ پ چ ژ …) take 0xAA–0xBF;
//! - any other letter or digit (Cyrillic, Greek, CJK, ø, ł …) takes 0xC0–0xDF and any other
//!   symbol 0xE0–0xFF, both by the low bits of its code point. These two ranges are *lossy*:
//!   a term containing such a character is confirmed against the folded text after a hit.
//!
//! Word boundaries and Arabic proclitics are read from these bytes directly.

/// Extra Arabic-script letters that survive folding, in the order of their bytes from 0xAA.
const EXTRA_LETTERS: [char; 22] = [
    'ٹ', 'پ', 'چ', 'ڈ', 'ڑ', 'ژ', 'ڤ', 'ڥ', 'ڨ', 'ڭ', 'گ', 'ں', 'ھ', 'ۆ', 'ۇ', 'ۈ', 'ۋ', 'ێ', 'ڵ',
    'ڕ', 'ڢ', 'ڧ',
];

/// The byte of one folded character.
pub fn byte(c: char) -> u8 {
    let code = c as u32;
    match code {
        0..=0x7F => code as u8,
        0x0621..=0x064A => 0x80 + (code - 0x0621) as u8,
        _ => match EXTRA_LETTERS.iter().position(|&l| l == c) {
            Some(i) => 0xAA + i as u8,
            None if c.is_alphanumeric() => 0xC0 | (code & 0x1F) as u8,
            None => 0xE0 | (code & 0x1F) as u8,
        },
    }
}

/// The bytes of a folded string.
pub fn encode(folded: &str) -> Vec<u8> {
    folded.chars().map(byte).collect()
}

/// A character that this byte stands for, the same for every character sharing it: Arabic
/// letters and ASCII as themselves, the lossy letters as a lower-case Cyrillic letter of their bucket,
/// the lossy symbols as a space.
pub fn letter(b: u8) -> char {
    match b {
        0..=0x7F => char::from(b),
        0x80..=0xA9 => char::from_u32(0x0621 + u32::from(b - 0x80)).unwrap_or(' '),
        0xAA..=0xBF => EXTRA_LETTERS[usize::from(b - 0xAA)],
        0xC0..=0xDF => char::from_u32(0x0440 + u32::from(b - 0xC0)).unwrap_or(' '),
        _ => ' ',
    }
}

/// Whether the byte stands for a letter or digit (of any script).
pub fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || (0x80..0xE0).contains(&b)
}

/// Whether the byte stands for exactly one character (so a match on it needs no check).
pub fn is_exact(b: u8) -> bool {
    b < 0xC0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_arabic(b: u8) -> bool {
        (0x80..0xC0).contains(&b)
    }

    #[test]
    fn arabic_letters_take_one_byte_each_and_stay_distinct() {
        let letters: Vec<char> = ('\u{0621}'..='\u{064A}').chain(EXTRA_LETTERS).collect();
        let mut bytes: Vec<u8> = letters.iter().map(|&c| byte(c)).collect();
        assert!(
            bytes
                .iter()
                .all(|&b| is_arabic(b) && is_word(b) && is_exact(b))
        );
        assert!(bytes.iter().zip(&letters).all(|(&b, &c)| letter(b) == c));
        bytes.sort_unstable();
        bytes.dedup();
        assert_eq!(bytes.len(), letters.len(), "two letters share a byte");
        assert_eq!(encode("حموشي dgsn").len(), "حموشي dgsn".chars().count());
    }

    #[test]
    fn other_scripts_are_words_but_not_exact() {
        for c in ['ж', 'ø', '中'] {
            assert!(
                is_word(byte(c)) && !is_exact(byte(c)) && !is_arabic(byte(c)),
                "{c}"
            );
        }
        for c in ['€', '—', '…'] {
            assert!(!is_word(byte(c)) && !is_exact(byte(c)), "{c}");
        }
        assert!(!is_word(b' ') && !is_word(b'\'') && is_word(b'7'));
        for b in 0xC0..=0xDF {
            assert_eq!(byte(letter(b)), b, "{b:#x}");
        }
    }
}
