//! The web view through real HTTP on 127.0.0.1: every page, its headers, the interface
//! language, the filters, search against the watch, escaping and the answers without data.

#[path = "support/web_archive.rs"]
mod web_archive;

use std::sync::Arc;

use raqib::web::{CONTENT_SECURITY_POLICY, router};
use web_archive::{
    ARABIC_ARTICLE, Broken, ENGLISH_ARTICLE, FRENCH_ARTICLE, Fixture, HOSTILE_ARTICLE, STORY, serve,
};

struct Page {
    status: u16,
    content_type: String,
    csp: String,
    body: String,
}

async fn get(base: &str, path: &str, accept_language: Option<&str>) -> Page {
    let client = reqwest::Client::new();
    let mut request = client.get(format!("{base}{path}"));
    if let Some(lang) = accept_language {
        request = request.header("Accept-Language", lang);
    }
    let response = request.send().await.expect("the web view answers");
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    Page {
        status: response.status().as_u16(),
        content_type: header("content-type"),
        csp: header("content-security-policy"),
        body: response.text().await.expect("a body"),
    }
}

const PAGES: &[&str] = &[
    "/alerts",
    "/alerts?watch=hammouchi&severity=high",
    "/stories",
    "/stories/10",
    "/articles/1",
    "/articles/4",
    "/articles/5",
    "/articles/6",
    "/feeds",
    "/watches",
    "/search",
    "/search?q=%D8%AD%D9%85%D9%88%D8%B4%D9%8A",
];

#[tokio::test]
async fn every_page_is_html_under_the_strict_policy() {
    let base = serve(router(Fixture::new())).await;
    for path in PAGES {
        let page = get(&base, path, None).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert_eq!(page.content_type, "text/html; charset=utf-8", "{path}");
        assert_eq!(page.csp, CONTENT_SECURITY_POLICY, "{path}");
        assert!(page.body.starts_with("<!DOCTYPE html>"), "{path}");
        assert!(!page.body.contains("style="), "{path}: an inline style");
        assert!(!page.body.contains("<script"), "{path}: a script");
    }
    assert_eq!(
        CONTENT_SECURITY_POLICY,
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    );
    let css = get(&base, "/static/raqib.css", None).await;
    assert_eq!(css.status, 200);
    assert_eq!(css.content_type, "text/css; charset=utf-8");
    assert!(css.body.contains("margin-inline"), "{}", css.body);
    let root = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{base}/"))
        .send()
        .await
        .unwrap();
    assert_eq!(root.status().as_u16(), 303);
    assert_eq!(root.headers()["location"], "/alerts");
}

#[tokio::test]
async fn the_interface_speaks_the_language_asked_for() {
    let base = serve(router(Fixture::new())).await;
    let cases = [
        (None, "<html lang=\"en\" dir=\"ltr\">", "Alerts"),
        (Some("ar"), "<html lang=\"ar\" dir=\"rtl\">", "التنبيهات"),
        (
            Some("de-DE, fr;q=0.4, ar;q=0.8"),
            "<html lang=\"ar\" dir=\"rtl\">",
            "التنبيهات",
        ),
        (
            Some("fr-FR,fr;q=0.9,en;q=0.8"),
            "<html lang=\"fr\" dir=\"ltr\">",
            "Alertes",
        ),
        (Some("de, es"), "<html lang=\"en\" dir=\"ltr\">", "Alerts"),
    ];
    for (accept, html, word) in cases {
        let page = get(&base, "/alerts", accept).await;
        assert!(page.body.contains(html), "{accept:?}: {}", page.body);
        assert!(
            page.body.contains(&format!("<h1>{word}</h1>")),
            "{accept:?}: {}",
            page.body
        );
    }
}

#[tokio::test]
async fn alerts_are_filtered_by_watch_and_severity() {
    let base = serve(router(Fixture::new())).await;
    let count = |body: &str| body.matches("<li class=\"alert\">").count();
    let all = get(&base, "/alerts", None).await.body;
    let hammouchi = get(&base, "/alerts?watch=hammouchi", None).await.body;
    let terrorism = get(&base, "/alerts?watch=terrorism", None).await.body;
    let high = get(&base, "/alerts?severity=high", None).await.body;
    let none = get(&base, "/alerts?watch=terrorism&severity=high", None)
        .await
        .body;
    assert!(count(&hammouchi) > 0 && count(&terrorism) > 0, "{all}");
    assert_eq!(count(&all), count(&hammouchi) + count(&terrorism));
    assert_eq!(count(&high), count(&hammouchi));
    assert_eq!(count(&none), 0, "{none}");
    assert!(!terrorism.contains("<span class=\"watch\" dir=\"auto\">hammouchi"));
    // The form shows the filter in force.
    assert!(
        terrorism.contains("<option value=\"terrorism\" selected dir=\"auto\">"),
        "{terrorism}"
    );
}

#[tokio::test]
async fn a_story_lists_its_outlets_in_the_order_they_published() {
    let base = serve(router(Fixture::new())).await;
    let page = get(&base, &format!("/stories/{STORY}"), None).await.body;
    let at = |outlet: &str| {
        page.find(&format!(
            "<span class=\"outlet\" dir=\"auto\">{outlet}</span>"
        ))
        .unwrap_or_else(|| panic!("{outlet} missing: {page}"))
    };
    let order = [
        at("هسبريس"),
        at("العمق المغربي"),
        at("الأحداث المغربية"),
        at("Le Matin"),
        at("Morocco World News"),
    ];
    assert!(order.is_sorted(), "{order:?}");
}

#[tokio::test]
async fn the_reader_marks_what_the_watches_found() {
    let fixture = Fixture::new();
    let base = serve(router(Arc::clone(&fixture))).await;
    for (id, marked) in [
        (ARABIC_ARTICLE, "<mark>حموشي</mark>"),
        (FRENCH_ARTICLE, "<mark>Hammouchi</mark>"),
        (ENGLISH_ARTICLE, "<mark>terrorism</mark>"),
    ] {
        let page = get(&base, &format!("/articles/{id}"), None).await.body;
        assert!(page.contains(marked), "article {id}: {page}");
        assert!(
            page.contains(&format!("href=\"https://news.example/{id}\"")),
            "{page}"
        );
    }
}

#[tokio::test]
async fn markup_in_an_article_is_shown_as_text() {
    let base = serve(router(Fixture::new())).await;
    let page = get(&base, &format!("/articles/{HOSTILE_ARTICLE}"), None)
        .await
        .body;
    assert!(
        page.contains(
            "<h1 dir=\"auto\">&lt;script&gt;window.raqibPwned = 1&lt;/script&gt;&lt;img src=x \
             onerror=&quot;window.raqibPwned = 2&quot;&gt;</h1>"
        ),
        "{page}"
    );
    assert!(
        !page.contains("<script") && !page.contains("<img"),
        "{page}"
    );
    assert!(page.contains("&lt;b&gt;Outlet&lt;/b&gt;"), "{page}");
    for listing in ["/alerts", "/stories", "/search?q=Hammouchi"] {
        let body = get(&base, listing, None).await.body;
        assert!(
            body.contains("&lt;script&gt;window.raqibPwned"),
            "{listing}: {body}"
        );
        assert!(
            !body.contains("<script") && !body.contains("<img"),
            "{listing}"
        );
    }
}

#[tokio::test]
async fn search_finds_what_the_watch_finds() {
    let fixture = Fixture::new();
    let base = serve(router(Arc::clone(&fixture))).await;
    let found = |body: &str| {
        let mut ids: Vec<i64> = body
            .split("href=\"/articles/")
            .skip(1)
            .map(|rest| rest[..rest.find('"').unwrap()].parse().unwrap())
            .collect();
        ids.sort();
        ids
    };
    let page = get(
        &base,
        "/search?q=%D8%AD%D9%85%D9%88%D8%B4%D9%8A+OR+Hammouchi",
        None,
    )
    .await;
    assert_eq!(page.status, 200);
    let expected = fixture.matched_by("hammouchi");
    assert!(expected.len() >= 4, "{expected:?}");
    assert_eq!(found(&page.body), expected, "{}", page.body);
    assert!(page.body.contains("<mark>"), "{}", page.body);
    let terrorism = get(
        &base,
        "/search?q=%D8%A7%D9%84%D8%A5%D8%B1%D9%87%D8%A7%D8%A8+OR+terrorisme+OR+terrorism",
        None,
    )
    .await;
    assert_eq!(found(&terrorism.body), fixture.matched_by("terrorism"));
    let nothing = get(&base, "/search?q=Zanzibar", None).await;
    assert_eq!((nothing.status, found(&nothing.body)), (200, vec![]));
    // The query typed stays in the box.
    assert!(
        nothing.body.contains("value=\"Zanzibar\""),
        "{}",
        nothing.body
    );
}

#[tokio::test]
async fn a_query_that_cannot_be_read_says_why() {
    let base = serve(router(Fixture::new())).await;
    let page = get(&base, "/search?q=%22unclosed", None).await;
    assert_eq!(page.status, 400, "{}", page.body);
    assert!(
        page.body.contains("The query cannot be read:"),
        "{}",
        page.body
    );
    assert!(page.body.contains("column"), "{}", page.body);
}

#[tokio::test]
async fn missing_and_unreadable_things_are_answered_not_panicked() {
    let base = serve(router(Fixture::new())).await;
    for path in [
        "/articles/999",
        "/articles/abc",
        "/articles/-1",
        "/articles/99999999999999999999999",
        "/stories/0",
        "/stories/%3Cscript%3E",
    ] {
        let page = get(&base, path, Some("fr")).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(page.body.contains("Introuvable."), "{path}: {}", page.body);
        assert_eq!(page.csp, CONTENT_SECURITY_POLICY, "{path}");
    }
}

#[tokio::test]
async fn a_storage_error_is_logged_not_shown() {
    let base = serve(router(Arc::new(Broken))).await;
    for path in [
        "/alerts",
        "/stories",
        "/stories/1",
        "/articles/1",
        "/feeds",
        "/watches",
        "/search?q=x",
    ] {
        let page = get(&base, path, None).await;
        assert_eq!(page.status, 503, "{path}");
        assert!(
            page.body.contains("The archive cannot be read right now."),
            "{path}"
        );
        assert!(!page.body.contains("secret.db"), "{path}: {}", page.body);
    }
}
