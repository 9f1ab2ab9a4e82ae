//! The few words around a match, as published, for alerts and the `match` command.

use std::ops::Range;

/// Characters of context kept on each side of a match.
const CONTEXT_CHARS: usize = 60;

/// The match in `original` at `range` with about [`CONTEXT_CHARS`] characters of context on
/// each side, cut at word boundaries, whitespace collapsed, "…" where text was cut.
pub fn around(original: &str, range: Range<usize>) -> String {
    let before = &original[..range.start];
    let after = &original[range.end..];
    let mut start = before
        .char_indices()
        .rev()
        .nth(CONTEXT_CHARS - 1)
        .map_or(0, |(i, _)| i);
    let mut end = after
        .char_indices()
        .nth(CONTEXT_CHARS)
        .map_or(original.len(), |(i, _)| range.end + i);
    // Do not start or end in the middle of a word.
    if start > 0 {
        if let Some(space) = original[start..range.start].find(char::is_whitespace) {
            start += space;
        }
    }
    if end < original.len() {
        if let Some(space) = original[range.end..end].rfind(char::is_whitespace) {
            end = range.end + space;
        }
    }
    let body = original[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let lead = if start > 0 { "…" } else { "" };
    let tail = if end < original.len() { "…" } else { "" };
    format!("{lead}{body}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_texts_are_whole() {
        let text = "la DGSN\na   dit";
        let start = text.find("DGSN").unwrap();
        assert_eq!(around(text, start..start + 4), "la DGSN a dit");
    }

    #[test]
    fn long_texts_are_cut_on_words() {
        let text = format!("{} DGSN {}", "mot ".repeat(40), "fin ".repeat(40));
        let start = text.find("DGSN").unwrap();
        let snippet = around(&text, start..start + 4);
        assert!(snippet.starts_with("…mot"));
        assert!(snippet.ends_with("fin…"));
        assert!(snippet.contains("DGSN"));
        assert!(snippet.chars().count() < 2 * CONTEXT_CHARS + 10);
    }
}
