//! Each page as a pure function from the archive's values to HTML. maud escapes every value
//! spliced in; nothing from an outlet is ever written as markup. Text from outlets carries
//! `dir="auto"` so an Arabic headline runs right to left inside a French page and the reverse.

use maud::{DOCTYPE, Markup, html};

use super::i18n::{Key, Lang};
use super::marks;
use super::{AlertFilter, ArticleRef, ArticleView, SearchHit, StoryView, WatchView};
use crate::config::Severity;
use crate::health::{FeedReport, FeedStatus};
use crate::store::{AlertSummary, StorySummary};
use crate::watch::Field;

/// Where the stylesheet and the icon are served.
pub const STYLESHEET: &str = "/static/raqib.css";
pub const ICON: &str = "/static/raqib.svg";

/// The severities a watch can have, for the alerts filter.
const SEVERITIES: [Severity; 5] = [
    Severity::Info,
    Severity::Low,
    Severity::Medium,
    Severity::High,
    Severity::Critical,
];

/// The page around `main`: the interface's language and direction, the navigation.
fn layout(lang: Lang, title: &str, main: Markup) -> Markup {
    let t = |key| lang.text(key);
    html! {
        (DOCTYPE)
        html lang=(lang.code()) dir=(lang.dir()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t(Key::Raqib)) }
                link rel="stylesheet" href=(STYLESHEET);
                // Without one the browser asks for /favicon.ico, a 404 in its console.
                link rel="icon" type="image/svg+xml" href=(ICON);
            }
            body {
                header {
                    nav {
                        a.brand href="/alerts" { (t(Key::Raqib)) }
                        a href="/alerts" { (t(Key::Alerts)) }
                        a href="/stories" { (t(Key::Stories)) }
                        a href="/feeds" { (t(Key::Feeds)) }
                        a href="/watches" { (t(Key::Watches)) }
                        a href="/search" { (t(Key::Search)) }
                    }
                }
                main { (main) }
            }
        }
    }
}

/// A page whose heading is its title.
fn titled(lang: Lang, title: &str, main: Markup) -> Markup {
    layout(lang, title, html! { h1 { (title) } (main) })
}

/// An outlet's link, only when it is a web address: a `javascript:` URL from a feed must not
/// become a link.
fn web_link(url: Option<&str>) -> Option<&str> {
    url.filter(|u| {
        let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
        lower.starts_with("https://") || lower.starts_with("http://")
    })
}

/// A stored time as people read it (`2026-11-29 12:38`), in a `<time>` element.
fn when(time: Option<&str>, lang: Lang) -> Markup {
    match time {
        Some(t) => html! {
            time datetime=(t) { (t.get(..16).unwrap_or(t).replacen('T', " ", 1)) }
        },
        None => html! { (lang.text(Key::Never)) },
    }
}

fn nothing(lang: Lang) -> Markup {
    html! { p.empty { (lang.text(Key::Nothing)) } }
}

/// A line of an article in a list: headline, outlet, date.
fn article_line(article: &ArticleRef, lang: Lang) -> Markup {
    html! {
        a dir="auto" href={ "/articles/" (article.id) } { (article.title) }
        " "
        span.outlet dir="auto" { (article.outlet) }
        " "
        span.date { (when(article.published_at.as_deref(), lang)) }
    }
}

pub fn alerts(
    lang: Lang,
    alerts: &[AlertSummary],
    watches: &[WatchView],
    filter: &AlertFilter,
) -> Markup {
    let t = |key| lang.text(key);
    let chosen = |wanted: &Option<String>, value: &str| wanted.as_deref() == Some(value);
    let main = html! {
        form.filter method="get" action="/alerts" {
            label {
                (t(Key::Watch)) " "
                select name="watch" {
                    option value="" { (t(Key::Any)) }
                    @for w in watches {
                        option value=(w.name) selected[chosen(&filter.watch, &w.name)] dir="auto" { (w.name) }
                    }
                }
            }
            label {
                (t(Key::Severity)) " "
                select name="severity" {
                    option value="" { (t(Key::Any)) }
                    @for s in SEVERITIES.map(Severity::as_str) {
                        option value=(s) selected[chosen(&filter.severity, s)] { (s) }
                    }
                }
            }
            button type="submit" { (t(Key::Filter)) }
        }
        @if alerts.is_empty() { (nothing(lang)) }
        ol.list {
            @for a in alerts {
                li.alert {
                    span class={ "severity " (a.severity) } { (a.severity) }
                    " "
                    a dir="auto" href={ "/stories/" (a.story) } { (a.title) }
                    div.meta {
                        span.outlet dir="auto" { (a.outlet) }
                        " · "
                        span.watch dir="auto" { (a.watch) }
                        " · " (t(Key::Raised)) " " (when(Some(&a.raised_at), lang))
                        @if let Some(url) = web_link(a.url.as_deref()) {
                            " · " a href=(url) rel="noreferrer" { (t(Key::Original)) }
                        }
                    }
                    @if !a.also_reported_by.is_empty() {
                        div.meta {
                            (t(Key::AlsoReportedBy)) ": "
                            @for (i, outlet) in a.also_reported_by.iter().enumerate() {
                                @if i > 0 { ", " }
                                span.outlet dir="auto" { (outlet) }
                            }
                        }
                    }
                }
            }
        }
    };
    titled(lang, t(Key::Alerts), main)
}

pub fn stories(lang: Lang, stories: &[StorySummary]) -> Markup {
    let t = |key| lang.text(key);
    let main = html! {
        @if stories.is_empty() { (nothing(lang)) }
        ol.list {
            @for s in stories {
                li {
                    a dir="auto" href={ "/stories/" (s.id) } { (s.title) }
                    div.meta {
                        (s.articles) " " (t(Key::Articles)) " · "
                        @for (i, outlet) in s.outlets.iter().enumerate() {
                            @if i > 0 { " → " }
                            span.outlet dir="auto" { (outlet) }
                        }
                        " · " (t(Key::LastSeen)) " " (when(Some(&s.last_seen_at), lang))
                    }
                }
            }
        }
    };
    titled(lang, t(Key::Stories), main)
}

pub fn story(lang: Lang, story: &StoryView) -> Markup {
    let t = |key| lang.text(key);
    let s = &story.summary;
    let main = html! {
        p.headline dir="auto" { (s.title) }
        dl {
            dt { (t(Key::FirstSeen)) } dd { (when(Some(&s.first_seen_at), lang)) }
            dt { (t(Key::LastSeen)) } dd { (when(Some(&s.last_seen_at), lang)) }
            @if !s.watches.is_empty() {
                dt { (t(Key::Watches)) }
                dd { @for w in &s.watches { span.watch dir="auto" { (w) } " " } }
            }
        }
        h2 { (t(Key::Outlets)) }
        ol.list.outlets {
            @for article in &story.articles {
                li { (article_line(article, lang)) }
            }
        }
    };
    titled(lang, &format!("{} {}", t(Key::Story), s.id), main)
}

pub fn article(lang: Lang, view: &ArticleView) -> Markup {
    let t = |key| lang.text(key);
    let a = &view.article;
    let ranges = |field| {
        view.matches
            .iter()
            .filter(move |(_, m)| m.field == field)
            .map(|(_, m)| m.start..m.end)
    };
    let title_marks = marks::usable(&a.title, ranges(Field::Title));
    let body_marks = marks::usable(&view.body, ranges(Field::Body));
    let main = html! {
        article.reader lang=[a.lang.as_deref()] {
            h1 dir="auto" { (marks::marked(&a.title, 0..a.title.len(), &title_marks)) }
            p.meta {
                span.outlet dir="auto" { (a.outlet) }
                " · " (when(a.published_at.as_deref(), lang))
                " · " a href={ "/stories/" (view.story) } { (t(Key::Story)) " " (view.story) }
                @if let Some(url) = web_link(a.url.as_deref()) {
                    " · " a href=(url) rel="noreferrer" { (t(Key::Original)) }
                }
            }
            @for span in marks::paragraphs(&view.body) {
                p dir="auto" { (marks::marked(&view.body, span, &body_marks)) }
            }
        }
        @if !view.matches.is_empty() {
            h2 { (t(Key::Matches)) }
            ul.list {
                @for (watch, m) in &view.matches {
                    li {
                        span.watch dir="auto" { (watch) } ": "
                        mark dir="auto" { (m.text) }
                        " (" (m.field.as_str()) ")"
                    }
                }
            }
        }
    };
    layout(lang, &a.title, main)
}

pub fn feeds(lang: Lang, feeds: &[FeedReport]) -> Markup {
    let t = |key| lang.text(key);
    let status = |s: FeedStatus| match s {
        FeedStatus::New => (t(Key::StatusNew), "new"),
        FeedStatus::Ok => (t(Key::StatusOk), "ok"),
        FeedStatus::Failing => (t(Key::StatusFailing), "failing"),
        FeedStatus::Stale => (t(Key::StatusStale), "stale"),
    };
    let main = html! {
        @if feeds.is_empty() { (nothing(lang)) }
        table {
            thead {
                tr {
                    th { (t(Key::Outlet)) }
                    th { (t(Key::Status)) }
                    th { (t(Key::LastSuccess)) }
                    th { (t(Key::Errors)) }
                    th { (t(Key::NextDue)) }
                    th { (t(Key::Interval)) }
                    th { (t(Key::Last7Days)) }
                }
            }
            tbody {
                @for f in feeds {
                    @let (word, class) = status(f.status);
                    @let h = &f.health;
                    tr {
                        td {
                            span.outlet dir="auto" { (h.outlet) }
                            div.url dir="ltr" { (h.url) }
                            @if let Some(error) = &h.last_error {
                                div.error dir="auto" { (error) }
                            }
                        }
                        td { span class={ "status " (class) } { (word) } }
                        td { (when(h.last_success_at.as_deref(), lang)) }
                        td { (h.consecutive_errors) }
                        td { (when(h.next_due_at.as_deref(), lang)) }
                        td { @if let Some(s) = h.interval_secs { (s / 60) " min" } @else { "-" } }
                        td { (h.articles_7d) }
                    }
                }
            }
        }
    };
    titled(lang, t(Key::Feeds), main)
}

pub fn watches(lang: Lang, watches: &[WatchView]) -> Markup {
    let t = |key| lang.text(key);
    let main = html! {
        @if watches.is_empty() { (nothing(lang)) }
        ul.list {
            @for w in watches {
                li {
                    a dir="auto" href={ "/alerts?watch=" (urlencode(&w.name)) } { (w.name) }
                    " "
                    span class={ "severity " (w.severity) } { (w.severity) }
                    " · " (w.alerts) " " (t(Key::Alerts))
                    @if !w.aliases.is_empty() {
                        div.meta {
                            (t(Key::Aliases)) ": "
                            @for (i, alias) in w.aliases.iter().enumerate() {
                                @if i > 0 { ", " }
                                span dir="auto" { (alias) }
                            }
                        }
                    }
                    @if let Some(query) = &w.query {
                        div.meta { (t(Key::Query)) ": " code dir="auto" { (query) } }
                    }
                }
            }
        }
    };
    titled(lang, t(Key::Watches), main)
}

/// What a search gave: nothing asked yet, hits, or the query's error.
pub enum Searched<'a> {
    Form,
    Hits(&'a [SearchHit]),
    Refused(&'a str),
}

pub fn search(lang: Lang, query: &str, searched: Searched) -> Markup {
    let t = |key| lang.text(key);
    let main = html! {
        form.search method="get" action="/search" role="search" {
            input type="search" name="q" value=(query) dir="auto" aria-label=(t(Key::Query));
            button type="submit" { (t(Key::Search)) }
            p.help { (t(Key::SearchHelp)) }
        }
        @match searched {
            Searched::Form => {}
            Searched::Refused(why) => {
                p.error { (t(Key::BadQuery)) " " span dir="auto" { (why) } }
            }
            Searched::Hits(hits) => {
                h2 { (t(Key::Results)) " (" (hits.len()) ")" }
                @if hits.is_empty() { (nothing(lang)) }
                ol.list {
                    @for hit in hits {
                        li {
                            (article_line(&hit.article, lang))
                            @for m in &hit.matches {
                                p.snippet dir="auto" { (marks::snippet(&m.snippet)) }
                            }
                        }
                    }
                }
            }
        }
    };
    titled(lang, t(Key::Search), main)
}

/// A page that only says something: not found, unreadable archive.
pub fn message(lang: Lang, key: Key) -> Markup {
    titled(lang, lang.text(key), html! {})
}

fn urlencode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::Match;

    const HOSTILE_TITLE: &str = "<script>alert(1)</script> Hammouchi";
    const HOSTILE_BODY: &str =
        "<img src=x onerror=\"alert(2)\">\n\n<a href=\"javascript:alert(3)\">click</a> Hammouchi";

    fn hostile() -> ArticleView {
        let at = HOSTILE_BODY.find("Hammouchi").unwrap();
        ArticleView {
            article: ArticleRef {
                id: 7,
                title: HOSTILE_TITLE.into(),
                outlet: "<b>Outlet</b>".into(),
                url: Some("javascript:alert(4)".into()),
                lang: Some("en\" onload=\"x".into()),
                published_at: Some("2026-11-29T10:00:00+00:00".into()),
            },
            story: 3,
            body: HOSTILE_BODY.into(),
            matches: vec![(
                "security".into(),
                Match {
                    term: "Hammouchi".into(),
                    text: "Hammouchi".into(),
                    field: Field::Body,
                    start: at,
                    end: at + "Hammouchi".len(),
                    snippet: "**Hammouchi**".into(),
                },
            )],
        }
    }

    #[test]
    fn article_text_is_text_never_markup() {
        let html = article(Lang::En, &hostile()).into_string();
        for markup in ["<script", "<img", "<b>", "href=\"javascript:", "onload=\""] {
            assert!(!html.contains(markup), "{markup} written as markup: {html}");
        }
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("&lt;img src=x onerror=&quot;alert(2)&quot;&gt;"),
            "{html}"
        );
        assert!(html.contains("<mark>Hammouchi</mark>"), "{html}");
    }

    #[test]
    fn outlet_text_runs_in_its_own_direction_inside_the_interface_s() {
        let html = article(Lang::Ar, &hostile()).into_string();
        assert!(html.contains("<html lang=\"ar\" dir=\"rtl\">"), "{html}");
        assert!(html.contains("<h1 dir=\"auto\">"), "{html}");
        assert!(html.contains("<p dir=\"auto\">"), "{html}");
        assert!(
            html.contains("<span class=\"outlet\" dir=\"auto\">"),
            "{html}"
        );
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(web_link(Some("HTTPS://x.ma/a")), Some("HTTPS://x.ma/a"));
        assert_eq!(web_link(Some("http://x.ma/a")), Some("http://x.ma/a"));
        assert_eq!(web_link(Some(" javascript:alert(1)")), None);
        assert_eq!(web_link(Some("data:text/html,x")), None);
        assert_eq!(web_link(Some("http")), None);
        assert_eq!(web_link(None), None);
    }

    /// The declarations of a stylesheet with a physical property (left, right, top, bottom,
    /// width, height) or value (left, right): they would not turn round for Arabic.
    /// (`vertical-align: top` has no logical form.)
    fn physical(css: &str) -> Vec<String> {
        let mut code = String::new();
        let mut rest = css;
        while let Some(at) = rest.find("/*") {
            code.push_str(&rest[..at]);
            rest = rest[at..]
                .find("*/")
                .map_or("", |end| &rest[at + end + 2..]);
        }
        code.push_str(rest);
        let sides = ["left", "right", "top", "bottom"];
        let sizes = ["width", "height"];
        code.split(['{', '}', ';'])
            .filter_map(|declaration| declaration.split_once(':'))
            .filter(|(property, value)| {
                let parts: Vec<_> = property.trim().split('-').collect();
                // `line-height` and `border-width` are not physical; `max-width` and `left` are.
                let size =
                    matches!(parts.as_slice(), [s] | ["min" | "max", s] if sizes.contains(s));
                size || parts.iter().any(|p| sides.contains(p))
                    || value
                        .split_whitespace()
                        .any(|v| ["left", "right"].contains(&v))
            })
            .map(|(property, value)| format!("{}: {}", property.trim(), value.trim()))
            .collect()
    }

    #[test]
    fn the_stylesheet_uses_logical_properties_only() {
        assert_eq!(physical(include_str!("raqib.css")), Vec::<String>::new());
        assert_eq!(
            physical(
                "/* left */ a { margin-left: 1px; inline-size: 2px }\nb { float: right; text-align: start }\nc { max-width: 3rem; line-height: 1 }\nd { border-top: 0; height: 1px }"
            ),
            [
                "margin-left: 1px",
                "float: right",
                "max-width: 3rem",
                "border-top: 0",
                "height: 1px"
            ]
        );
    }
}
