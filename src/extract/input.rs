//! Checks on a page before any parser sees it: the HTML parsers and readability recurse and
//! score along ancestor chains, so absurd nesting costs quadratic time and then the stack (a
//! stack overflow aborts the process; no `catch_unwind` stops it).

use super::ExtractError;

/// Container elements nested deeper than this refuse the page. Real pages nest 30 to 60 deep;
/// 1,000 levels still extract in about a tenth of a second.
pub const MAX_NESTING: usize = 1000;

/// Elements that are nearly always closed, so counting them estimates depth without a parser
/// (`<p>`, `<li>` and `<td>` are often left open and would inflate it).
const CONTAINERS: &[&str] = &[
    "div",
    "span",
    "section",
    "article",
    "main",
    "aside",
    "header",
    "footer",
    "nav",
    "ul",
    "ol",
    "table",
    "blockquote",
    "font",
    "center",
    "em",
    "strong",
    "b",
    "i",
    "u",
];

/// Characters at the start of a page that are checked for binary garbage.
const SAMPLE_CHARS: usize = 64 * 1024;

/// Refuse pages that are not text or that nest deeper than [`MAX_NESTING`].
pub fn check(html: &str) -> Result<(), ExtractError> {
    let (mut total, mut garbage) = (0usize, 0usize);
    for c in html.chars().take(SAMPLE_CHARS) {
        total += 1;
        if c == '\u{FFFD}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
            garbage += 1;
        }
    }
    if total > 0 && garbage * 10 > total {
        return Err(ExtractError::NotText);
    }
    if nesting(html) > MAX_NESTING {
        return Err(ExtractError::TooDeep(MAX_NESTING));
    }
    Ok(())
}

/// The deepest nesting of [`CONTAINERS`], from their opening and closing tags.
fn nesting(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut at = 0;
    while let Some(offset) = memchr::memchr(b'<', &bytes[at..]) {
        let tag = at + offset + 1;
        at = tag;
        let closing = bytes.get(tag) == Some(&b'/');
        let name_start = if closing { tag + 1 } else { tag };
        let name_len = bytes[name_start.min(bytes.len())..]
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        let Some(name) = html.get(name_start..name_start + name_len) else {
            continue;
        };
        // Script and style text is not markup: a script that builds HTML in strings would
        // otherwise count as nesting the parser never sees. Comments likewise.
        if !closing && (name.eq_ignore_ascii_case("script") || name.eq_ignore_ascii_case("style")) {
            let end = if name.len() == 6 {
                &b"</script"[..]
            } else {
                &b"</style"[..]
            };
            at = find_tag_end(bytes, at, end).unwrap_or(bytes.len());
            continue;
        }
        if bytes[tag..].starts_with(b"!--") {
            at = memchr::memmem::find(&bytes[at..], b"-->").map_or(bytes.len(), |i| at + i);
            continue;
        }
        if !CONTAINERS.iter().any(|c| c.eq_ignore_ascii_case(name)) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
            deepest = deepest.max(depth);
        }
    }
    deepest
}

/// Where `needle` (`</` and a lower-case ASCII name) next starts in `bytes` from `from`,
/// ignoring case.
fn find_tag_end(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    let mut at = from;
    while let Some(offset) = memchr::memmem::find(bytes.get(at..)?, b"</") {
        let start = at + offset;
        if bytes
            .get(start..start + needle.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        {
            return Some(start);
        }
        at = start + 2;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_estimated_from_container_tags() {
        assert_eq!(nesting("<div><div><p>x</p><span>y</span></div></div>"), 3);
        assert_eq!(
            nesting("<DIV><p><p><p><li><li></DIV>"),
            1,
            "often-unclosed tags do not count"
        );
        assert_eq!(nesting("<divx><div2>"), 0);
        assert_eq!(
            nesting("<div><script>var t = '<span><span><span>';</SCRIPT><!-- <div><div> --></div>"),
            1,
            "markup inside scripts and comments is not nesting"
        );
        assert_eq!(nesting("<div><script>never closed <div><div>"), 1);
        assert_eq!(nesting("<div><STYLE>p<b{}</style ><b>x</b></div>"), 2);
    }

    #[test]
    fn absurd_pages_are_refused_and_ordinary_ones_pass() {
        let deep = format!(
            "{}x{}",
            "<div>".repeat(MAX_NESTING + 1),
            "</div>".repeat(MAX_NESTING + 1)
        );
        assert!(matches!(check(&deep), Err(ExtractError::TooDeep(_))));
        let binary: String = (0..4096u32)
            .map(|i| char::from_u32(i % 32).unwrap_or(' '))
            .collect();
        assert!(matches!(check(&binary), Err(ExtractError::NotText)));
        assert!(check("<html><body><div><p>حموشي</p></div></body></html>").is_ok());
        assert!(check("").is_ok());
    }
}
