//! Text written into XML (Atom feeds, OPML files).

/// `value` as XML character data or a double-quoted attribute value: markup escaped, line
/// breaks and tabs as character references (an attribute keeps them so, where a reader would
/// fold them to spaces), characters XML 1.0 cannot hold dropped.
pub fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if c < ' ' || matches!(c, '\u{FFFE}' | '\u{FFFF}') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_is_escaped_and_what_xml_cannot_hold_dropped() {
        assert_eq!(
            escape("Sport & \"Culture\" <été> l'an\n\t\u{1}\u{FFFF}حموشي"),
            "Sport &amp; &quot;Culture&quot; &lt;été&gt; l&apos;an&#10;&#9;حموشي"
        );
    }
}
