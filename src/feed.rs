//! Feed bytes to entries: sanitize, parse with feed-rs, give every entry a stable identity.
//!
//! feed-rs is strict XML: one bare `&`, one HTML entity or an `<rss>` without a version loses
//! the whole feed. [`sanitize`] repairs those first. feed-rs's own fallback entry id changes when
//! a title is edited and is random when there is no link, so ids are ours ([`Entry::key`]).
//! feed-rs can panic on some inputs; [`parse`] turns a panic into an error. feed-rs keeps dates
//! in UTC only; the offset each date was written with is noted while parsing and given back.

use std::borrow::Cow;
use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, Offset, Utc};
use chrono_tz::Tz;
use sha2::{Digest, Sha256};
use url::Url;

use crate::extract::text_of_fragment;

/// One item of a feed, as we keep it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Stable identity: `guid:…`, else `link:…`, else `hash:…` of title and date.
    pub key: String,
    pub url: Option<Url>,
    pub title: String,
    /// Text of the item's content or summary, tags removed: the body when the page is not
    /// fetched or cannot be.
    pub summary: String,
    /// With the offset the feed wrote, or the one its zone's clocks showed when it wrote none.
    pub published: Option<DateTime<FixedOffset>>,
    pub author: Option<String>,
    /// The language the source states for this item (a news sitemap's), lowercased.
    pub lang: Option<String>,
}

/// A parsed feed.
#[derive(Debug, Clone)]
pub struct ParsedFeed {
    pub title: Option<String>,
    /// RSS `<ttl>`: how long the outlet asks readers to wait between polls.
    pub ttl: Option<std::time::Duration>,
    pub entries: Vec<Entry>,
}

#[derive(Debug, thiserror::Error)]
pub enum FeedError {
    #[error("not a feed: {0}")]
    Invalid(String),
    #[error("the feed parser panicked on this input")]
    Panicked,
}

/// feed-rs calls this when an entry has no id; the marker tells us to derive our own.
const GENERATED_ID: &str = "\u{0}raqib-generated";

/// Parse `text`, a feed already decoded to UTF-8, fetched from `base`, written on the clocks of
/// `zone` (for dates without an offset).
pub fn parse(text: &str, base: &Url, zone: Tz) -> Result<ParsedFeed, FeedError> {
    let cleaned = sanitize(text);
    let offsets = Offsets::default();
    let noted = Arc::clone(&offsets);
    let parser = feed_rs::parser::Builder::new()
        .base_uri(Some(base.as_str()))
        .id_generator(|_, _, _| GENERATED_ID.to_string())
        .timestamp_parser(move |s| {
            let date = crate::date::parse(s, zone)?;
            let instant = date.with_timezone(&Utc);
            lock(&noted).entry(instant).or_insert(*date.offset());
            Some(instant)
        })
        .build();
    let parsed = catch_unwind(AssertUnwindSafe(|| parser.parse(cleaned.as_bytes())))
        .map_err(|_| FeedError::Panicked)?
        .map_err(|err| FeedError::Invalid(err.to_string()))?;
    Ok(ParsedFeed {
        title: parsed.title.map(|t| text_of_fragment(&t.content)),
        ttl: parsed
            .ttl
            .filter(|minutes| *minutes > 0)
            .map(|minutes| std::time::Duration::from_secs(u64::from(minutes) * 60)),
        entries: parsed
            .entries
            .into_iter()
            .map(|e| entry(e, base, &lock(&offsets)))
            .collect(),
    })
}

/// The offset each date of a feed was written with, by the instant it names.
type Offsets = Arc<Mutex<HashMap<DateTime<Utc>, FixedOffset>>>;

fn lock(offsets: &Offsets) -> std::sync::MutexGuard<'_, HashMap<DateTime<Utc>, FixedOffset>> {
    // Only ever filled by the parser: a panic there left nothing half-written.
    offsets.lock().unwrap_or_else(|p| p.into_inner())
}

fn entry(
    raw: feed_rs::model::Entry,
    base: &Url,
    offsets: &HashMap<DateTime<Utc>, FixedOffset>,
) -> Entry {
    let url = raw
        .links
        .iter()
        .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")))
        .or(raw.links.first())
        .and_then(|l| base.join(l.href.trim()).ok())
        // An RSS item whose only address is its GUID: a permalink by default (RSS 2.0).
        .or_else(|| Url::parse(raw.id.trim()).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|mut u| {
            u.set_fragment(None);
            u
        });
    let title = raw
        .title
        .map(|t| text_of_fragment(&t.content))
        .unwrap_or_default();
    let summary = raw
        .content
        .and_then(|c| c.body)
        .filter(|b| !b.trim().is_empty())
        .or(raw.summary.map(|s| s.content))
        .map(|html| text_of_fragment(&html))
        .unwrap_or_default();
    let published = raw.published.or(raw.updated).map(|instant| {
        let offset = offsets.get(&instant).copied().unwrap_or(Utc.fix());
        instant.with_timezone(&offset)
    });
    let guid = raw.id.trim();
    let key = if !guid.is_empty() && guid != GENERATED_ID {
        format!("guid:{guid}")
    } else if let Some(url) = &url {
        format!("link:{url}")
    } else {
        let mut hash = Sha256::new();
        hash.update(title.as_bytes());
        hash.update([0]);
        // In UTC, as before offsets were kept: the key of an entry stored then stays the same.
        hash.update(
            published
                .map(|d| d.with_timezone(&Utc).to_rfc3339())
                .unwrap_or_default(),
        );
        format!("hash:{:x}", hash.finalize())
    };
    Entry {
        key,
        url,
        title,
        summary,
        published,
        author: raw
            .authors
            .iter()
            .find_map(|a| a.name.as_deref().or(a.email.as_deref()))
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty()),
        lang: None,
    }
}

/// Repair what makes strict XML parsers drop a whole feed: bare ampersands, HTML named entities,
/// an encoding declaration that no longer fits (the text is UTF-8 by now), `<rss>` without a
/// version. CDATA sections are left as they are.
pub fn sanitize(text: &str) -> Cow<'_, str> {
    let body = text.trim_start_matches('\u{FEFF}').trim_start();
    if body.starts_with('{') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut rest = body;
    if rest.starts_with("<?xml") {
        if let Some(end) = rest.find("?>") {
            out.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
            rest = &rest[end + 2..];
        }
    }
    while let Some(pos) = rest.find(['&', '<']) {
        out.push_str(&rest[..pos]);
        rest = &rest[pos..];
        if rest.starts_with("<![CDATA[") {
            let end = rest.find("]]>").map_or(rest.len(), |i| i + 3);
            out.push_str(&rest[..end]);
            rest = &rest[end..];
        } else if rest.starts_with("<rss") && rss_lacks_version(rest) {
            out.push_str("<rss version=\"2.0\"");
            rest = &rest[4..];
        } else if rest.starts_with('<') {
            out.push('<');
            rest = &rest[1..];
        } else {
            let consumed = entity(rest, &mut out);
            rest = &rest[consumed..];
        }
    }
    out.push_str(rest);
    if out.contains(ATOM_03) {
        out = atom_03_as_atom_10(&out);
    }
    Cow::Owned(out)
}

const ATOM_03: &str = "http://purl.org/atom/ns#";

/// Atom 0.3, which feed-rs reads as an empty document, rewritten as the Atom 1.0 it became:
/// the namespace, the renamed elements (issued, modified, tagline, copyright), and content
/// types given as MIME types with a `mode` where 1.0 says text, html or xhtml.
fn atom_03_as_atom_10(xml: &str) -> String {
    let mut out = xml.replace(ATOM_03, "http://www.w3.org/2005/Atom");
    for (old, new) in [
        (" type=\"text/plain\"", " type=\"text\""),
        (" type=\"text/html\"", " type=\"html\""),
        (" type=\"application/xhtml+xml\"", " type=\"xhtml\""),
        (" mode=\"escaped\"", ""),
        (" mode=\"xml\"", ""),
    ] {
        out = out.replace(old, new);
    }
    for (old, new) in [
        ("issued", "published"),
        ("modified", "updated"),
        ("tagline", "subtitle"),
        ("copyright", "rights"),
    ] {
        out = out.replace(&format!("<{old}>"), &format!("<{new}>"));
        out = out.replace(&format!("<{old} "), &format!("<{new} "));
        out = out.replace(&format!("</{old}>"), &format!("</{new}>"));
    }
    out
}

fn rss_lacks_version(tag: &str) -> bool {
    let end = tag.find('>').unwrap_or(tag.len());
    let head = &tag[..end];
    head.len() >= 4
        && head[4..].starts_with(|c: char| c.is_whitespace() || c == '>' || c == '/')
        && !head.contains("version")
        || head == "<rss"
}

/// Write the entity at the start of `s` (which starts with `&`) to `out` in a form XML accepts;
/// returns how many bytes of `s` it used.
fn entity(s: &str, out: &mut String) -> usize {
    let name_len = s[1..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .unwrap_or(s.len() - 1);
    let name = &s[1..1 + name_len];
    let terminated = s[1 + name_len..].starts_with(';');
    if !terminated || name.is_empty() {
        out.push_str("&amp;");
        return 1;
    }
    let used = name_len + 2;
    if matches!(name, "amp" | "lt" | "gt" | "quot" | "apos") {
        out.push_str(&s[..used]);
    } else if let Some(num) = name.strip_prefix('#') {
        let valid = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok(),
            None => num.parse().ok(),
        }
        .and_then(char::from_u32)
        .is_some();
        if valid {
            out.push_str(&s[..used]);
        } else {
            out.push_str("&amp;");
            return 1;
        }
    } else if let Some(c) = html_entity(name) {
        out.push_str(&format!("&#{};", c as u32));
    } else {
        out.push_str("&amp;");
        return 1;
    }
    used
}

/// The HTML named entities that turn up in feeds.
fn html_entity(name: &str) -> Option<char> {
    Some(match name {
        "nbsp" => '\u{A0}',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "hellip" => '…',
        "mdash" => '—',
        "ndash" => '–',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "bull" => '•',
        "middot" => '·',
        "deg" => '°',
        "euro" => '€',
        "pound" => '£',
        "times" => '×',
        "eacute" => 'é',
        "Eacute" => 'É',
        "egrave" => 'è',
        "Egrave" => 'È',
        "ecirc" => 'ê',
        "euml" => 'ë',
        "agrave" => 'à',
        "Agrave" => 'À',
        "acirc" => 'â',
        "ccedil" => 'ç',
        "Ccedil" => 'Ç',
        "icirc" => 'î',
        "iuml" => 'ï',
        "ocirc" => 'ô',
        "ouml" => 'ö',
        "ugrave" => 'ù',
        "ucirc" => 'û',
        "uuml" => 'ü',
        "oelig" => 'œ',
        "aelig" => 'æ',
        "szlig" => 'ß',
        "zwnj" => '\u{200C}',
        "zwj" => '\u{200D}',
        "lrm" => '\u{200E}',
        "rlm" => '\u{200F}',
        _ => return None,
    })
}

/// An article's URL as stored and compared: as the URL parser writes it (scheme and host in
/// lower case, default port and dot segments dropped), without its fragment, which only
/// points inside the page, and without campaign-tracking parameters, which outlets add per
/// feed (`?utm_source=rss&utm_medium=politique`) to one article. Text that does not parse is
/// kept as given.
pub fn article_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            parsed.set_fragment(None);
            if parsed.query_pairs().any(|(name, _)| is_tracking(&name)) {
                let kept: Vec<(String, String)> = parsed
                    .query_pairs()
                    .filter(|(name, _)| !is_tracking(name))
                    .map(|(name, value)| (name.into_owned(), value.into_owned()))
                    .collect();
                if kept.is_empty() {
                    parsed.set_query(None);
                } else {
                    parsed.query_pairs_mut().clear().extend_pairs(kept);
                }
            }
            parsed.into()
        }
        Err(_) => url.to_string(),
    }
}

/// Query parameters that say how a reader arrived, never which article: Google Analytics'
/// `utm_*`, click ids of ad networks, Mailchimp's and AT Internet's (`xtor`, common on French
/// outlets) campaign tags.
fn is_tracking(name: &str) -> bool {
    const NAMES: &[&str] = &[
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "xtor",
        "at_medium",
        "at_campaign",
        "ocid",
        "_ga",
    ];
    name.starts_with("utm_") || NAMES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("https://outlet.example/feed").unwrap()
    }

    const RSS: &str = r#"<?xml version="1.0" encoding="windows-1256"?>
<rss><channel><title>Sport & Culture &eacute;t&eacute;</title><ttl>90</ttl>
<item><title>حموشي &amp; زوييف</title><link>/2025/12/a.html</link><guid>id-1</guid>
<pubDate>Tue, 02 Dec 2025 09:15:00 +0100</pubDate>
<description><![CDATA[<p>Le <b>DGSN</b> & co</p>]]></description></item>
<item><title>Sans guid</title><link>https://outlet.example/b.html#top</link></item>
<item><title>Ni lien ni guid</title><pubDate>02 Dec 2025 10:00:00 GMT</pubDate></item>
</channel></rss>"#;

    #[test]
    fn a_sloppy_rss_feed_parses_whole() {
        let feed = parse(RSS, &base(), Tz::UTC).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Sport & Culture été"));
        assert_eq!(feed.entries.len(), 3);
        assert_eq!(feed.ttl, Some(std::time::Duration::from_secs(90 * 60)));
        let first = &feed.entries[0];
        assert_eq!(first.key, "guid:id-1");
        assert_eq!(first.title, "حموشي & زوييف");
        assert_eq!(
            first.url.as_ref().unwrap().as_str(),
            "https://outlet.example/2025/12/a.html"
        );
        assert_eq!(first.summary, "Le DGSN & co");
        assert_eq!(
            first.published.unwrap().to_rfc3339(),
            "2025-12-02T09:15:00+01:00",
            "the feed's offset is kept"
        );
    }

    #[test]
    fn dates_without_an_offset_are_read_on_the_feed_s_clocks() {
        use chrono::{NaiveDate, TimeZone};
        let rss = r#"<rss version="2.0"><channel><title>T</title>
<item><title>A</title><guid>a</guid><pubDate>2025-12-02 09:15:00</pubDate></item>
<item><title>B</title><guid>b</guid><pubDate>Tue, 02 Dec 2025 09:15:00 -0500</pubDate></item>
</channel></rss>"#;
        let zone = Tz::Africa__Casablanca;
        let naive = NaiveDate::from_ymd_opt(2025, 12, 2)
            .unwrap()
            .and_hms_opt(9, 15, 0)
            .unwrap();
        let expected = zone.from_local_datetime(&naive).unwrap().fixed_offset();
        let feed = parse(rss, &base(), zone).unwrap();
        assert_eq!(feed.entries[0].published, Some(expected));
        assert_eq!(
            feed.entries[0].published.unwrap().naive_local(),
            naive,
            "the time as written"
        );
        assert_eq!(
            feed.entries[1].published.unwrap().to_rfc3339(),
            "2025-12-02T09:15:00-05:00",
            "a written offset wins over the zone"
        );
        let utc = parse(rss, &base(), Tz::UTC).unwrap();
        assert_eq!(
            utc.entries[0].published.unwrap().to_rfc3339(),
            "2025-12-02T09:15:00+00:00"
        );
    }

    #[test]
    fn entry_keys_fall_back_to_link_then_hash() {
        let feed = parse(RSS, &base(), Tz::UTC).unwrap();
        assert_eq!(feed.entries[1].key, "link:https://outlet.example/b.html");
        assert!(feed.entries[2].key.starts_with("hash:"));
        let again = parse(RSS, &base(), Tz::UTC).unwrap();
        assert_eq!(feed.entries[2].key, again.entries[2].key, "keys are stable");
    }

    #[test]
    fn a_guid_that_is_a_url_serves_as_the_link() {
        let rss = "<rss version=\"2.0\"><channel><title>t</title><item><title>x</title><guid>https://x.ma/permalink</guid></item>\
                   <item><title>y</title><guid isPermaLink=\"false\">post-7</guid></item></channel></rss>";
        let feed = parse(rss, &base(), Tz::UTC).unwrap();
        assert_eq!(
            feed.entries[0].url.as_ref().unwrap().as_str(),
            "https://x.ma/permalink"
        );
        assert_eq!(feed.entries[1].url, None);
    }

    #[test]
    fn atom_and_json_feed_parse() {
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>
<entry><id>urn:a:1</id><title>T</title><link href="https://outlet.example/x"/>
<updated>2025-12-02T09:00:00Z</updated><content type="html">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"#;
        let feed = parse(atom, &base(), Tz::UTC).unwrap();
        assert_eq!(feed.entries[0].key, "guid:urn:a:1");
        assert_eq!(feed.entries[0].summary, "Body");
        let json = r#"{"version":"https://jsonfeed.org/version/1.1","title":"J","items":[{"id":"7","url":"https://outlet.example/7","content_text":"Hi"}]}"#;
        assert_eq!(
            parse(json, &base(), Tz::UTC).unwrap().entries[0].key,
            "guid:7"
        );
    }

    #[test]
    fn sanitize_leaves_valid_xml_and_cdata_alone() {
        let xml =
            "<rss version=\"2.0\"><a>x &amp; y &#233; &#x41;</a><![CDATA[a & b &nbsp;]]></rss>";
        assert_eq!(sanitize(xml), xml);
    }

    #[test]
    fn sanitize_repairs_entities_and_versions() {
        assert_eq!(
            sanitize("<rss><t>a & b &nbsp; &bogus; &#xZZ;</t></rss>"),
            "<rss version=\"2.0\"><t>a &amp; b &#160; &amp;bogus; &amp;#xZZ;</t></rss>"
        );
        assert_eq!(sanitize("<rss>"), "<rss version=\"2.0\">");
    }

    #[test]
    fn atom_0_3_reads_as_atom_1_0() {
        let atom03 = r#"<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Old</title>
<entry><title>E</title><id>tag:x,2004:1</id><link rel="alternate" href="https://x.ma/e"/>
<issued>2004-01-01T19:48:21Z</issued><modified>2004-01-02T10:00:00Z</modified></entry></feed>"#;
        let feed = parse(atom03, &base(), Tz::UTC).unwrap();
        assert_eq!(feed.title.as_deref(), Some("Old"));
        assert_eq!(feed.entries.len(), 1);
        assert_eq!(feed.entries[0].key, "guid:tag:x,2004:1");
        assert_eq!(
            feed.entries[0].published.unwrap().to_rfc3339(),
            "2004-01-01T19:48:21+00:00"
        );
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for input in [
            "",
            "hello",
            "<html><body>not a feed</body></html>",
            "<rss><channel><item>",
            "{\"x\":",
        ] {
            assert!(parse(input, &base(), Tz::UTC).is_err(), "{input:?}");
        }
    }

    #[test]
    fn article_urls_drop_fragments_and_tracking_but_keep_what_names_the_article() {
        assert_eq!(
            article_url(
                "HTTPS://Example.ma:443/a/b/../story?id=42&utm_source=rss&utm_medium=politique#top"
            ),
            "https://example.ma/a/story?id=42"
        );
        assert_eq!(
            article_url("https://www.lemonde.fr/afrique/article/2026/11/28/x.html?xtor=RSS-3208"),
            "https://www.lemonde.fr/afrique/article/2026/11/28/x.html"
        );
        assert_eq!(
            article_url("https://x.ma/news.php?id=7&page=2"),
            "https://x.ma/news.php?id=7&page=2",
            "parameters that name the article stay, in their order"
        );
        assert_eq!(article_url("not a url"), "not a url");
    }
}
