//! The words around a match, as published, for alerts and the `match` command.

use std::ops::Range;

/// Words of context kept on each side of a match: about 30 words in all.
const CONTEXT_WORDS: usize = 15;

/// Marks around the matched words: Markdown bold, which chat and webhook receivers render and
/// a plain-text reader still sees.
pub const MARK: &str = "**";

/// The match in `original` at `range` with up to [`CONTEXT_WORDS`] words on each side,
/// whitespace collapsed, the match between [`MARK`]s, "…" where text was cut.
pub fn around(original: &str, range: Range<usize>) -> String {
    let before = &original[..range.start];
    let after = &original[range.end..];
    // Only the words shown are looked at: an article may hold thousands of matches.
    let from = start_of_last_words(before, CONTEXT_WORDS);
    let mut out = String::with_capacity(before.len() - from + 2 * (range.len() + MARK.len()) + 8);
    if !before[..from].trim().is_empty() {
        out.push('…');
    }
    push_words(&mut out, before[from..].trim_start(), usize::MAX);
    out.push_str(MARK);
    push_words(&mut out, &original[range], usize::MAX);
    out.push_str(MARK);
    let to = push_words(&mut out, after, CONTEXT_WORDS);
    if after[to..].trim().is_empty() {
        out.truncate(out.trim_end().len());
    } else {
        out.push('…');
    }
    out
}

/// The length of the whitespace character starting at byte `i`, 0 if there is none.
///
/// Snippets are cut and collapsed on bytes: `char::is_whitespace` on every character cost more
/// than the automaton. A continuation byte (0x80–0xBF) never matches, so this only answers
/// at the start of a character.
#[inline(always)]
fn whitespace_at(bytes: &[u8], i: usize) -> usize {
    let first = bytes[i];
    // Arabic letters (0xD8–0xDB …) and continuation bytes leave here: almost every byte.
    if !MAY_START_WHITESPACE[first as usize] {
        0
    } else if first.is_ascii() {
        1
    } else {
        whitespace_from(bytes, i)
    }
}

/// The bytes that start a whitespace character in UTF-8, or may.
const MAY_START_WHITESPACE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = matches!(b as u8, b'\t'..=b'\r' | b' ' | 0xC2 | 0xE1 | 0xE2 | 0xE3);
        b += 1;
    }
    table
};

/// [`whitespace_at`] for the lead bytes of multi-byte spaces.
fn whitespace_from(bytes: &[u8], i: usize) -> usize {
    let next = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
    match bytes[i] {
        // U+0085, U+00A0
        0xC2 if matches!(next(1), 0x85 | 0xA0) => 2,
        // U+1680
        0xE1 if (next(1), next(2)) == (0x9A, 0x80) => 3,
        // U+2000–U+200A, U+2028, U+2029, U+202F, U+205F
        0xE2 => match (next(1), next(2)) {
            (0x80, 0x80..=0x8A | 0xA8 | 0xA9 | 0xAF) | (0x81, 0x9F) => 3,
            _ => 0,
        },
        // U+3000
        0xE3 if (next(1), next(2)) == (0x80, 0x80) => 3,
        _ => 0,
    }
}

/// Append `text` with every run of whitespace as one space, up to the end of its `words`-th
/// word; where it stopped (the text's length if it took everything).
fn push_words(out: &mut String, text: &str, words: usize) -> usize {
    let bytes = text.as_bytes();
    // `text[copied..i]` is pending: it needs no change and is copied in one piece.
    let mut copied = 0;
    let mut space = false;
    let mut in_word = false;
    let mut seen = 0;
    let mut i = 0;
    let flush = |out: &mut String, space: bool, range: Range<usize>| {
        if !range.is_empty() {
            if space {
                out.push(' ');
            }
            out.push_str(&text[range]);
        }
    };
    while i < bytes.len() {
        let width = whitespace_at(bytes, i);
        if width == 0 {
            in_word = true;
            i += 1;
            continue;
        }
        if std::mem::take(&mut in_word) {
            seen += 1;
            if seen == words {
                flush(out, space, copied..i);
                return i;
            }
        }
        // A lone ASCII space between two words is already what we want.
        if bytes[i] == b' ' && i > copied && i + 1 < bytes.len() && whitespace_at(bytes, i + 1) == 0
        {
            i += 1;
            continue;
        }
        flush(out, space, copied..i);
        space = true;
        i += width;
        copied = i;
    }
    flush(out, space, copied..bytes.len());
    if space && copied == bytes.len() {
        out.push(' ');
    }
    bytes.len()
}

/// Where the last `n` whitespace-separated words of `text` begin.
fn start_of_last_words(text: &str, n: usize) -> usize {
    let bytes = text.as_bytes();
    let mut words = 0;
    // Where the word being walked through (backwards) starts, if inside one.
    let mut word_start = None;
    for i in (0..bytes.len()).rev() {
        if (0x80..0xC0).contains(&bytes[i]) {
            continue;
        }
        if whitespace_at(bytes, i) > 0 {
            if word_start.take().is_some() {
                words += 1;
                if words == n {
                    return i + whitespace_at(bytes, i);
                }
            }
        } else {
            word_start = Some(i);
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_whole_with_the_match_marked() {
        let text = "la DGSN\na   dit";
        let start = text.find("DGSN").unwrap();
        assert_eq!(around(text, start..start + 4), "la **DGSN** a dit");
        let text = "قال الحموشي، اليوم";
        let start = text.find("الحموشي").unwrap();
        assert_eq!(
            around(text, start..start + "الحموشي".len()),
            "قال **الحموشي**، اليوم"
        );
    }

    #[test]
    fn unicode_spaces_collapse_and_other_characters_survive() {
        let mut out = String::new();
        push_words(
            &mut out,
            "a\u{a0}\u{2009} b\u{2014}c ”د“\u{3000}é",
            usize::MAX,
        );
        assert_eq!(out, "a b\u{2014}c ”د“ é");
    }

    #[test]
    fn whitespace_is_read_off_the_bytes_as_rust_reads_characters() {
        let mut buffer = [0; 4];
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            let bytes = c.encode_utf8(&mut buffer).as_bytes();
            let expected = if c.is_whitespace() { bytes.len() } else { 0 };
            assert_eq!(whitespace_at(bytes, 0), expected, "U+{:04X}", c as u32);
            for i in 1..bytes.len() {
                assert_eq!(whitespace_at(bytes, i), 0, "U+{:04X} byte {i}", c as u32);
            }
        }
    }

    /// Whitespace collapsed as `split_whitespace` sees it, for comparison.
    fn reference_collapsed(text: &str) -> String {
        let mut expected = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.starts_with(char::is_whitespace) && !expected.is_empty() {
            expected.insert(0, ' ');
        }
        if text.ends_with(char::is_whitespace) {
            expected.push(' ');
        }
        expected
    }

    /// Word cuts as `char::is_whitespace` sees them, for comparison.
    fn reference_cuts(text: &str, n: usize) -> (usize, usize) {
        let after_space = |i: usize| {
            text[..i]
                .chars()
                .next_back()
                .is_none_or(char::is_whitespace)
        };
        let starts: Vec<usize> = text
            .char_indices()
            .filter(|&(i, c)| !c.is_whitespace() && after_space(i))
            .map(|(i, _)| i)
            .collect();
        let ends: Vec<usize> = text
            .char_indices()
            .filter(|&(i, c)| c.is_whitespace() && !after_space(i))
            .map(|(i, _)| i)
            .collect();
        // Where the n-th word from the end starts; 0 when there are fewer words.
        let start = starts.len().checked_sub(n).map_or(0, |k| starts[k]);
        let end = ends.get(n - 1).copied().unwrap_or(text.len());
        (start, end)
    }

    proptest::proptest! {
        #[test]
        fn cuts_and_collapsing_agree_with_char_is_whitespace(
            text in "[a\u{0628}\u{00e9} \t\n\u{a0}\u{2009}\u{3000}\u{202f}«»“]{0,40}",
            n in 1usize..5,
        ) {
            let mut collapsed = String::new();
            push_words(&mut collapsed, &text, usize::MAX);
            proptest::prop_assert_eq!(collapsed, reference_collapsed(&text));
            let (start, end) = reference_cuts(&text, n);
            proptest::prop_assert_eq!(start_of_last_words(&text, n), start);
            let mut first = String::new();
            proptest::prop_assert_eq!(push_words(&mut first, &text, n), end);
            proptest::prop_assert_eq!(first, reference_collapsed(&text[..end]));
        }
    }

    #[test]
    fn long_texts_keep_fifteen_words_each_side() {
        let text = format!("{} DGSN {}", "mot ".repeat(40), "fin ".repeat(40));
        let start = text.find("DGSN").unwrap();
        let snippet = around(&text, start..start + 4);
        assert!(snippet.starts_with("…mot"), "{snippet}");
        assert!(snippet.ends_with("fin…"), "{snippet}");
        assert_eq!(snippet.split_whitespace().count(), 31, "{snippet}");
    }
}
