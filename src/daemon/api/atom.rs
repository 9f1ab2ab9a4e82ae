//! A watch's alerts as an Atom 1.0 feed (RFC 4287), so any feed reader is an alert client.
//! Every text is escaped, and characters XML 1.0 forbids are dropped: titles come from
//! outlets.

use std::fmt::Write;

use crate::store::AlertEntry;
use crate::text::xml::escape;

/// The Atom document of `watch`'s `entries` (the most recent first); `updated` is the newest
/// entry's time, or `now` for a watch without alerts.
pub(super) fn render(watch: &str, entries: &[AlertEntry], now: &str) -> String {
    let name = urlencoded(watch);
    let updated = entries.first().map_or(now, |e| e.raised_at.as_str());
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    out.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\">\n");
    let _ = writeln!(out, "  <id>urn:raqib:watch:{}</id>", escape(&name));
    let _ = writeln!(out, "  <title>raqib: {}</title>", escape(watch));
    let _ = writeln!(out, "  <updated>{}</updated>", escape(updated));
    let _ = writeln!(
        out,
        "  <link rel=\"self\" href=\"/feeds/watch/{}.atom\"/>",
        escape(&name)
    );
    out.push_str("  <author><name>raqib</name></author>\n");
    out.push_str("  <generator>raqib</generator>\n");
    for entry in entries {
        let link = entry
            .url
            .clone()
            .unwrap_or_else(|| format!("/api/v1/articles/{}", entry.article));
        out.push_str("  <entry>\n");
        let _ = writeln!(
            out,
            "    <id>urn:raqib:alert:{}</id>",
            escape(&urlencoded(&entry.id))
        );
        let _ = writeln!(
            out,
            "    <title type=\"text\">{}</title>",
            escape(&entry.title)
        );
        let _ = writeln!(
            out,
            "    <link rel=\"alternate\" href=\"{}\"/>",
            escape(&link)
        );
        let _ = writeln!(out, "    <updated>{}</updated>", escape(&entry.raised_at));
        let _ = writeln!(
            out,
            "    <author><name>{}</name></author>",
            escape(&entry.outlet)
        );
        if let Some(snippet) = &entry.snippet {
            let _ = writeln!(
                out,
                "    <summary type=\"text\">{}</summary>",
                escape(snippet)
            );
        }
        out.push_str("  </entry>\n");
    }
    out.push_str("</feed>\n");
    out
}

/// A name in a URN or path: everything but unreserved characters percent-encoded.
fn urlencoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, title: &str, snippet: Option<&str>) -> AlertEntry {
        AlertEntry {
            id: id.into(),
            raised_at: "2026-03-01T09:00:00Z".into(),
            article: 7,
            title: title.into(),
            url: Some("https://example.org/a?x=1&y=2".into()),
            outlet: "Hespress".into(),
            snippet: snippet.map(str::to_string),
        }
    }

    #[test]
    fn markup_and_forbidden_characters_are_text() {
        let feed = render(
            "DGSN & co",
            &[entry(
                "abc",
                "<script>alert(1)</script>\u{1}",
                Some("<img src=x onerror=alert(1)>"),
            )],
            "2026-03-01T10:00:00Z",
        );
        assert!(!feed.contains("<script>"), "{feed}");
        assert!(!feed.contains("<img"), "{feed}");
        assert!(!feed.contains('\u{1}'), "{feed}");
        assert!(
            feed.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{feed}"
        );
        assert!(
            feed.contains("href=\"https://example.org/a?x=1&amp;y=2\""),
            "{feed}"
        );
        assert!(
            feed.contains("<id>urn:raqib:watch:DGSN%20%26%20co</id>"),
            "{feed}"
        );
        let parsed = feed_rs::parser::parse(feed.as_bytes()).expect("valid Atom");
        assert_eq!(parsed.entries.len(), 1);
        assert_eq!(
            parsed.entries[0].title.as_ref().unwrap().content,
            "<script>alert(1)</script>"
        );
        assert_eq!(
            parsed.entries[0].summary.as_ref().unwrap().content,
            "<img src=x onerror=alert(1)>"
        );
    }

    #[test]
    fn a_watch_without_alerts_is_a_feed_updated_now() {
        let feed = render("quiet", &[], "2026-03-01T10:00:00Z");
        let parsed = feed_rs::parser::parse(feed.as_bytes()).expect("valid Atom");
        assert!(parsed.entries.is_empty());
        assert_eq!(parsed.title.unwrap().content, "raqib: quiet");
        assert!(feed.contains("<updated>2026-03-01T10:00:00Z</updated>"));
    }
}
