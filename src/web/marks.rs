//! Matched words shown in `<mark>`: in an article's text by the matches' byte offsets, and in
//! snippets by their [`MARK`]s. Every piece is escaped text; only `<mark>` is markup.

use std::ops::Range;

use maud::{Markup, html};

use crate::watch::MARK;

/// The ranges that can be marked in `text`, sorted and merged: those past its end, empty or
/// cutting a character are dropped (offsets come from storage, which may be older than the
/// text it holds).
pub fn usable(text: &str, ranges: impl IntoIterator<Item = Range<usize>>) -> Vec<Range<usize>> {
    let mut ranges: Vec<_> = ranges
        .into_iter()
        .filter(|r| {
            r.start < r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
        })
        .collect();
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// `text[span]` with the parts inside `marks` (as [`usable`] gives them) in `<mark>`.
pub fn marked(text: &str, span: Range<usize>, marks: &[Range<usize>]) -> Markup {
    let mut pieces = Vec::new();
    let mut at = span.start;
    for r in marks {
        let start = r.start.max(span.start);
        let end = r.end.min(span.end);
        if start >= end {
            continue;
        }
        pieces.push((&text[at..start], false));
        pieces.push((&text[start..end], true));
        at = end;
    }
    pieces.push((&text[at..span.end], false));
    html! {
        @for (piece, mark) in pieces {
            @if mark { mark { (piece) } } @else { (piece) }
        }
    }
}

/// The paragraphs of `body` (its non-blank lines) as byte ranges, without their surrounding
/// whitespace.
pub fn paragraphs(body: &str) -> Vec<Range<usize>> {
    let mut found = Vec::new();
    let mut start = 0;
    for line in body.split('\n') {
        let lead = line.len() - line.trim_start().len();
        let trimmed = line.trim();
        if !trimmed.is_empty() {
            found.push(start + lead..start + lead + trimmed.len());
        }
        start += line.len() + 1;
    }
    found
}

/// A snippet with its matched words (between [`MARK`]s) in `<mark>`.
pub fn snippet(snippet: &str) -> Markup {
    html! {
        @for (i, piece) in snippet.split(MARK).enumerate() {
            @if i % 2 == 1 { mark { (piece) } } @else { (piece) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_merge_and_hostile_offsets_are_dropped() {
        let text = "قال الوزير في الرباط";
        let ranges = usable(text, [4..11, 9..15, 1..3, 30..40, 5..5, 2..3]);
        // 1..3 and 2..3 cut characters (Arabic letters are two bytes), 30..40 is past the end.
        assert_eq!(ranges, vec![4..15]);
    }

    #[test]
    fn marked_text_is_escaped_around_the_mark() {
        let text = "<b>Hammouchi</b> met Zuev";
        let marks = usable(text, std::iter::once(3..12));
        let html = marked(text, 0..text.len(), &marks).into_string();
        assert_eq!(
            html, "&lt;b&gt;<mark>Hammouchi</mark>&lt;/b&gt; met Zuev",
            "{html}"
        );
    }

    #[test]
    fn a_mark_across_paragraphs_is_cut_at_each() {
        let body = "  first line\n\nsecond line  \n";
        let spans = paragraphs(body);
        assert_eq!(
            spans.iter().map(|s| &body[s.clone()]).collect::<Vec<_>>(),
            ["first line", "second line"]
        );
        let marks = usable(body, std::iter::once(8..20));
        let first = marked(body, spans[0].clone(), &marks).into_string();
        let second = marked(body, spans[1].clone(), &marks).into_string();
        assert_eq!(first, "first <mark>line</mark>");
        assert_eq!(second, "<mark>second</mark> line");
    }

    #[test]
    fn snippets_mark_between_marks_and_escape_the_rest() {
        let html = snippet("…a <i>x</i> **Hammouchi** said").into_string();
        assert_eq!(html, "…a &lt;i&gt;x&lt;/i&gt; <mark>Hammouchi</mark> said");
    }
}
