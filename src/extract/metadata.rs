//! Article metadata from the whole page: `<meta>` tags, `<link rel=canonical>`, `<time>`,
//! JSON-LD is read by dom_smoothie; this covers the rest, and the date in the URL.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use scraper::{Html, Selector};
use url::Url;

#[derive(Debug, Default)]
pub struct Metadata {
    pub title: Option<String>,
    pub author: Option<String>,
    pub site_name: Option<String>,
    pub canonical_url: Option<String>,
    pub lang: Option<String>,
    pub published_at: Option<(DateTime<FixedOffset>, DateSource)>,
}

/// Where a publication date was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateSource {
    /// JSON-LD, meta tags or `<time>`: stated by the page.
    #[default]
    Markup,
    /// The URL path (`/2025/12/01/`): the day is the outlet's own, the time is not known.
    Url,
    /// The visible text: a guess, which may be a sidebar's or a related story's date.
    Text,
}

impl DateSource {
    /// Inferred rather than stated: a feed's own date is worth more.
    pub fn is_inferred(self) -> bool {
        self != DateSource::Markup
    }
}

/// Metadata of the page at `url`, fetched at `fetched_at` (for relative dates in the text), its
/// dates without an offset written on the clocks of `zone`.
pub fn read(
    doc: &Html,
    url: Option<&Url>,
    fetched_at: Option<DateTime<Utc>>,
    zone: chrono_tz::Tz,
) -> Metadata {
    let first_attr = |selectors: &[(&str, &str)]| -> Option<String> {
        selectors.iter().find_map(|(css, attr)| {
            let selector = Selector::parse(css).ok()?;
            doc.select(&selector)
                .filter_map(|el| el.value().attr(attr))
                .map(|v| v.split_whitespace().collect::<Vec<_>>().join(" "))
                .find(|v| !v.is_empty())
        })
    };
    let title = first_attr(&[
        ("meta[property='og:title']", "content"),
        ("meta[name='twitter:title']", "content"),
    ])
    .or_else(|| {
        let h1 = Selector::parse("h1").ok()?;
        let text = doc.select(&h1).next()?.text().collect::<String>();
        let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
        (!text.is_empty()).then_some(text)
    });
    let canonical_url = first_attr(&[
        ("link[rel='canonical']", "href"),
        ("meta[property='og:url']", "content"),
    ])
    .and_then(|href| match url {
        Some(base) => base.join(&href).ok().map(|u| u.to_string()),
        None => Url::parse(&href).ok().map(|u| u.to_string()),
    });
    let lang_tag = first_attr(&[
        ("html", "lang"),
        ("html", "xml:lang"),
        ("meta[http-equiv='content-language']", "content"),
        ("meta[property='og:locale']", "content"),
    ]);
    let lang = lang_tag.as_deref().and_then(|l| {
        let primary = l.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        (primary.len() == 2 || primary.len() == 3).then_some(primary)
    });
    let published_at = first_attr(&[
        ("meta[property='article:published_time']", "content"),
        ("meta[itemprop='datePublished']", "content"),
        ("meta[name='pubdate']", "content"),
        ("meta[name='date']", "content"),
        ("time[datetime]", "datetime"),
    ])
    .and_then(|d| crate::date::parse(&d, zone))
    .filter(|d| crate::date::plausible(d, fetched_at))
    .map(|d| (d, DateSource::Markup))
    .or_else(|| {
        url.and_then(|u| date_in_path(u, zone))
            .map(|d| (d, DateSource::Url))
    })
    .or_else(|| {
        let page = crate::date::Page {
            order: lang_tag
                .as_deref()
                .and_then(crate::date::DayOrder::of_language),
            fetched_at,
            zone,
        };
        visible_date(doc, &page).map(|d| (d, DateSource::Text))
    });
    Metadata {
        title,
        author: first_attr(&[
            ("meta[name='author']", "content"),
            ("meta[property='article:author']", "content"),
        ])
        .filter(|a| !a.starts_with("http")),
        site_name: first_attr(&[("meta[property='og:site_name']", "content")]),
        canonical_url,
        lang,
        published_at,
    }
}

/// A date written near the top of the page's visible text (under the headline, usually); the
/// dates further down settle how to read an ambiguous one.
fn visible_date(doc: &Html, page: &crate::date::Page) -> Option<DateTime<FixedOffset>> {
    use scraper::Node;
    let body = Selector::parse("body").ok()?;
    let mut text = String::new();
    // Depth first, in document order, without recursion (nesting is deep on hostile pages).
    let mut stack = vec![*doc.select(&body).next()?];
    while let Some(node) = stack.pop() {
        match node.value() {
            // Their dates are code, not what the reader sees.
            Node::Element(el) if INVISIBLE.contains(&el.name()) => continue,
            // A date inside a sentence of the story is the date of what it reports ("from 6 to
            // 8 May 2025"), not of the page: only lines short enough to be a dateline, a cell or
            // a label count.
            Node::Text(chunk) if chunk.trim().chars().count() > PROSE_CHARS => text.push_str(" . "),
            Node::Text(chunk) => {
                text.push_str(chunk.trim());
                text.push(' ');
                if text.len() > VISIBLE_TEXT_SPAN {
                    break;
                }
            }
            _ => {}
        }
        stack.extend(node.children().rev());
    }
    crate::date::find_in_text(&text, page)
}

/// A text longer than this is prose, whose dates are not the page's.
const PROSE_CHARS: usize = 120;

/// Elements whose text the reader does not see.
const INVISIBLE: [&str; 4] = ["script", "style", "noscript", "template"];

/// Bytes of visible text read for dates: past the head (see [`crate::date::HEAD_SPAN`]) only
/// to learn the page's day and month order.
const VISIBLE_TEXT_SPAN: usize = 65_536;

/// `/2025/12/02/` in a URL path: midnight on the outlet's clocks.
fn date_in_path(url: &Url, zone: chrono_tz::Tz) -> Option<DateTime<FixedOffset>> {
    let parts: Vec<&str> = url.path_segments()?.collect();
    parts.windows(3).find_map(|w| {
        let (y, m, d) = (w[0].parse().ok()?, w[1].parse().ok()?, w[2].parse().ok()?);
        if !(1990..=2100).contains(&y) || w[0].len() != 4 {
            return None;
        }
        let date = NaiveDate::from_ymd_opt(y, m, d)?;
        crate::date::local(date.and_time(NaiveTime::MIN), zone)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use chrono_tz::Tz;

    fn read_now(html: &str, url: Option<&Url>) -> Metadata {
        read(&Html::parse_document(html), url, None, Tz::UTC)
    }

    #[test]
    fn a_date_in_the_visible_text_is_the_last_resort() {
        let now = Utc.with_ymd_and_hms(2025, 12, 2, 12, 0, 0).unwrap();
        let page = "<html><body><nav>الرئيسية</nav><h1>حموشي يستقبل وفدا</h1><span>منذ ساعتين</span><p>نص</p></body></html>";
        assert_eq!(
            read(&Html::parse_document(page), None, Some(now), Tz::UTC)
                .published_at
                .unwrap()
                .0
                .to_rfc3339(),
            "2025-12-02T10:00:00+00:00"
        );
        let page = "<html><body><h1>عنوان</h1><div class='date'>الثلاثاء 2 دجنبر 2025 - 09:45</div></body></html>";
        assert_eq!(
            read(&Html::parse_document(page), None, None, Tz::UTC)
                .published_at
                .unwrap()
                .0
                .to_rfc3339(),
            "2025-12-02T09:45:00+00:00"
        );
    }

    #[test]
    fn a_date_inside_a_sentence_of_the_story_is_not_the_page_date() {
        let lead = "وأوضح البلاغ أن وفدا أمنيا رفيع المستوى حل بالعاصمة النمساوية فيينا، خلال \
                    الفترة من 6 إلى 8 ماي 2025، في إطار زيارة عمل لتعزيز التعاون الأمني الثنائي.";
        let page = format!("<html><body><h1>حموشي في فيينا</h1><p>{lead}</p></body></html>");
        assert_eq!(read_now(&page, None).published_at, None);
        let dated = format!(
            "<html><body><h1>حموشي في فيينا</h1><span class='date'>الجمعة 9 ماي 2025</span><p>{lead}</p></body></html>"
        );
        let found = read_now(&dated, None).published_at.unwrap().0;
        assert_eq!(found.to_rfc3339(), "2025-05-09T00:00:00+00:00");
    }

    #[test]
    fn reads_time_elements_and_url_dates() {
        let meta = read_now(
            "<html lang='fr-FR'><body><h1> Titre </h1><time datetime='2025-05-06T10:00:00+01:00'>6 mai</time></body></html>",
            None,
        );
        assert_eq!(meta.title.as_deref(), Some("Titre"));
        assert_eq!(meta.lang.as_deref(), Some("fr"));
        assert_eq!(
            meta.published_at.unwrap().0.to_rfc3339(),
            "2025-05-06T10:00:00+01:00"
        );
        let url = Url::parse("https://x.ma/2025/12/02/slug").unwrap();
        assert_eq!(
            read_now("<p>x</p>", Some(&url))
                .published_at
                .unwrap()
                .0
                .to_rfc3339(),
            "2025-12-02T00:00:00+00:00"
        );
    }

    #[test]
    fn numeric_dates_in_cells_and_spans_read_in_the_page_order() {
        let date = |html: &str| {
            read_now(html, None)
                .published_at
                .map(|(d, source)| (d.to_rfc3339(), source))
        };
        let guessed = |s: &str| Some((s.to_string(), DateSource::Text));
        assert_eq!(
            date(
                "<html lang='ar'><body><h1>عنوان</h1><table><tr><td>٢٨/١١/٢٠٢٦</td></tr></table></body></html>"
            ),
            guessed("2026-11-28T00:00:00+00:00")
        );
        assert_eq!(
            date(
                "<html lang='en-US'><body><h1>T</h1><span class=\"date\">03/04/2026</span></body></html>"
            ),
            guessed("2026-03-04T00:00:00+00:00")
        );
        assert_eq!(
            date(
                "<html lang='fr'><body><h1>T</h1><span class=\"date\">03/04/2026</span></body></html>"
            ),
            guessed("2026-04-03T00:00:00+00:00")
        );
        // A script's dates are code, not the page's dateline.
        assert_eq!(
            date(
                "<html><body><script>var built = '01/02/2020';</script><h1>T</h1><p>28.11.2026 14:05 GMT+1</p></body></html>"
            ),
            guessed("2026-11-28T14:05:00+01:00")
        );
        // A placeholder in the markup gives way to the visible date.
        assert_eq!(
            date(
                "<html><head><meta property='article:published_time' content='1970-01-01T00:00:00Z'></head><body><p>28/11/2026</p></body></html>"
            ),
            guessed("2026-11-28T00:00:00+00:00")
        );
    }

    #[test]
    fn page_dates_without_an_offset_are_read_on_the_outlet_s_clocks() {
        let zone = Tz::Africa__Casablanca;
        let on_its_clocks = |y, m, d, h, min| {
            zone.with_ymd_and_hms(y, m, d, h, min, 0)
                .single()
                .unwrap()
                .fixed_offset()
        };
        let date = |html: &str, url: Option<&Url>| {
            read(&Html::parse_document(html), url, None, zone)
                .published_at
                .unwrap()
                .0
        };
        assert_eq!(
            date(
                "<html><head><meta property='article:published_time' content='2025-12-02T09:15:00'></head></html>",
                None
            ),
            on_its_clocks(2025, 12, 2, 9, 15)
        );
        assert_eq!(
            date(
                "<html><body><h1>عنوان</h1><div class='date'>الثلاثاء 2 دجنبر 2025 - 09:45</div></body></html>",
                None
            ),
            on_its_clocks(2025, 12, 2, 9, 45)
        );
        let url = Url::parse("https://x.ma/2025/12/02/slug").unwrap();
        assert_eq!(
            date("<p>x</p>", Some(&url)),
            on_its_clocks(2025, 12, 2, 0, 0)
        );
        assert_eq!(
            date(
                "<html><body><time datetime='2025-05-06T10:00:00+02:00'>6 mai</time></body></html>",
                None
            )
            .to_rfc3339(),
            "2025-05-06T10:00:00+02:00",
            "a written offset is kept"
        );
    }

    #[test]
    fn relative_canonical_links_are_resolved() {
        let url = Url::parse("https://x.ma/a?utm=1").unwrap();
        let meta = read_now("<link rel=canonical href='/a'>", Some(&url));
        assert_eq!(meta.canonical_url.as_deref(), Some("https://x.ma/a"));
    }
}
