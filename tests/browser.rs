//! The web view in headless Chromium (Debian's `chromium` and `chromium-driver`): every page
//! loads without a console error, outlets' text runs in its own direction, the interface
//! follows Accept-Language, markup in an article stays text and runs nothing, matches are
//! marked. Skipped without Chromium, failing under CI=true.
//!
//! `RAQIB_SCREENSHOTS=docs cargo test --test browser` also saves the alerts, story and
//! article pages as PNG into that directory (the README shows them).

#[path = "support/browser.rs"]
mod browser;
#[path = "common/skip.rs"]
mod skip;
#[path = "support/web_archive.rs"]
mod web_archive;

use serde_json::json;

use raqib::web::router;
use web_archive::{ARABIC_ARTICLE, ENGLISH_ARTICLE, Fixture, HOSTILE_ARTICLE, STORY, serve};

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

/// The status the page was answered with, as the browser saw it.
const STATUS: &str = "return performance.getEntriesByType('navigation')[0].responseStatus;";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_view_in_chromium() {
    let Some(driver) = browser::start().await else {
        return;
    };
    let base = serve(router(Fixture::new())).await;
    let english = driver.session("en-US,en").await;

    for path in PAGES {
        english.open(&format!("{base}{path}")).await;
        assert_eq!(english.eval(STATUS).await, json!(200), "{path}");
        let errors = english.errors().await;
        assert!(errors.is_empty(), "{path}: console errors {errors:#?}");
        // The stylesheet applied: the CSP let it in.
        assert_eq!(
            english
                .eval("return getComputedStyle(document.querySelector('header')).display;")
                .await,
            json!("block"),
            "{path}"
        );
    }

    let direction =
        "return getComputedStyle(document.querySelector('article.reader p[dir]')).direction;";
    english
        .open(&format!("{base}/articles/{ARABIC_ARTICLE}"))
        .await;
    assert_eq!(english.eval(direction).await, json!("rtl"));
    assert_eq!(
        english
            .eval("return getComputedStyle(document.querySelector('article.reader h1')).direction;")
            .await,
        json!("rtl")
    );
    assert_eq!(
        english
            .eval("return document.documentElement.lang + ' ' + getComputedStyle(document.body).direction;")
            .await,
        json!("en ltr")
    );
    let marks = english
        .eval(
            "return [...document.querySelectorAll('article.reader mark')].map(m => m.textContent);",
        )
        .await;
    assert!(
        marks
            .as_array()
            .is_some_and(|m| m.iter().any(|t| t == "حموشي")),
        "{marks}"
    );

    english
        .open(&format!("{base}/articles/{ENGLISH_ARTICLE}"))
        .await;
    assert_eq!(english.eval(direction).await, json!("ltr"));
    let marks = english
        .eval(
            "return [...document.querySelectorAll('article.reader mark')].map(m => m.textContent);",
        )
        .await;
    assert!(
        marks
            .as_array()
            .is_some_and(|m| m.iter().any(|t| t == "Hammouchi")),
        "{marks}"
    );

    english
        .open(&format!("{base}/articles/{HOSTILE_ARTICLE}"))
        .await;
    assert_eq!(
        english.eval("return typeof window.raqibPwned;").await,
        json!("undefined")
    );
    assert_eq!(
        english
            .eval("return document.querySelectorAll('main script, main img').length;")
            .await,
        json!(0)
    );
    assert_eq!(
        english
            .eval("return document.querySelector('article.reader h1').textContent;")
            .await,
        json!(web_archive::HOSTILE_TITLE)
    );
    let errors = english.errors().await;
    assert!(errors.is_empty(), "{errors:#?}");
    english.close().await;

    let arabic = driver.session("ar").await;
    arabic.open(&format!("{base}/alerts")).await;
    assert_eq!(
        arabic
            .eval("return [document.documentElement.lang, getComputedStyle(document.body).direction, document.querySelector('h1').textContent];")
            .await,
        json!(["ar", "rtl", "التنبيهات"])
    );
    // Outlets' text keeps its own direction in the Arabic interface too.
    arabic
        .open(&format!("{base}/articles/{ENGLISH_ARTICLE}"))
        .await;
    assert_eq!(arabic.eval(direction).await, json!("ltr"));

    if let Ok(dir) = std::env::var("RAQIB_SCREENSHOTS") {
        let shots = [
            ("web-alerts.png", "/alerts".to_string()),
            ("web-story.png", format!("/stories/{STORY}")),
            ("web-article.png", format!("/articles/{ARABIC_ARTICLE}")),
        ];
        for (name, path) in shots {
            arabic.open(&format!("{base}{path}")).await;
            let png = arabic.screenshot().await;
            assert!(png.starts_with(b"\x89PNG"), "{name}");
            std::fs::write(std::path::Path::new(&dir).join(name), png).expect("the screenshot");
        }
    }
    let errors = arabic.errors().await;
    assert!(errors.is_empty(), "{errors:#?}");
    arabic.close().await;
}
