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
    let to = range.end + end_of_first_words(after, CONTEXT_WORDS);
    let mut out = String::with_capacity(to - from + 2 * MARK.len() + 8);
    if !before[..from].trim().is_empty() {
        out.push('…');
    }
    push_collapsed(&mut out, before[from..].trim_start());
    out.push_str(MARK);
    push_collapsed(&mut out, &original[range.clone()]);
    out.push_str(MARK);
    push_collapsed(&mut out, original[range.end..to].trim_end());
    if !original[to..].trim().is_empty() {
        out.push('…');
    }
    out
}

/// Append `text` with every run of whitespace as one space.
fn push_collapsed(out: &mut String, text: &str) {
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut space = false;
    while i < bytes.len() {
        // Runs without whitespace are copied whole; only bytes that may start a whitespace
        // character are decoded (ASCII, and the lead bytes of U+0085, U+00A0, U+1680, U+2000…).
        let run = bytes[i..]
            .iter()
            .position(|&b| b.is_ascii_whitespace() || matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xE3))
            .map_or(bytes.len(), |n| i + n);
        if run > i {
            if space {
                out.push(' ');
                space = false;
            }
            out.push_str(&text[i..run]);
            i = run;
            continue;
        }
        let c = text[i..].chars().next().unwrap_or(' ');
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
        i += c.len_utf8();
    }
    if space {
        out.push(' ');
    }
}

/// Where the last `n` whitespace-separated words of `text` begin.
fn start_of_last_words(text: &str, n: usize) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices().rev() {
        if c.is_whitespace() {
            if in_word {
                words += 1;
                if words == n {
                    return i + c.len_utf8();
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    0
}

/// Where the first `n` whitespace-separated words of `text` end.
fn end_of_first_words(text: &str, n: usize) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if in_word {
                words += 1;
                if words == n {
                    return i;
                }
            }
            in_word = false;
        } else {
            in_word = true;
        }
    }
    text.len()
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
        push_collapsed(&mut out, "a\u{a0}\u{2009} b\u{2014}c ”د“\u{3000}é");
        assert_eq!(out, "a b\u{2014}c ”د“ é");
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
