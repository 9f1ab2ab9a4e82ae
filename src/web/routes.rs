//! The pages' routes over an [`Archive`], each answer with the strict security headers.

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use maud::Markup;

use super::i18n::{Key, Lang, negotiate};
use super::pages::{self, ICON, STYLESHEET, Searched};
use super::{AlertFilter, Archive, ArchiveError};

/// No script, no inline style, nothing from elsewhere, no framing: article text that slipped
/// through as markup could still do nothing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'self'; img-src 'self'; \
     form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLE: &str = include_str!("raqib.css");
const ICON_SVG: &str = include_str!("raqib.svg");

/// The web view's routes: `/alerts`, `/stories`, `/stories/{id}`, `/articles/{id}`, `/feeds`,
/// `/watches`, `/search?q=`, the stylesheet and the icon; `/` leads to the alerts.
pub fn router<A: Archive>(archive: Arc<A>) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/alerts") }))
        .route("/alerts", get(alerts::<A>))
        .route("/stories", get(stories::<A>))
        .route("/stories/{id}", get(story::<A>))
        .route("/articles/{id}", get(article::<A>))
        .route("/feeds", get(feeds::<A>))
        .route("/watches", get(watches::<A>))
        .route("/search", get(search::<A>))
        .route(STYLESHEET, get(stylesheet))
        .route(ICON, get(icon))
        .with_state(archive)
}

fn lang(headers: &HeaderMap) -> Lang {
    negotiate(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    )
}

/// The value of `name` in a query string, if given and not empty.
fn param(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
        .filter(|value| !value.is_empty())
}

fn secured(status: StatusCode, content_type: &'static str, body: String) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    let set = [
        (header::CONTENT_TYPE, content_type),
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::VARY, "Accept-Language"),
    ];
    for (name, value) in set {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

fn page(status: StatusCode, markup: Markup) -> Response {
    secured(status, "text/html; charset=utf-8", markup.into_string())
}

/// A page, or the page saying why there is none.
fn answer<T>(
    lang: Lang,
    found: Result<Option<T>, ArchiveError>,
    render: impl FnOnce(T) -> Markup,
) -> Response {
    match found {
        Ok(Some(value)) => page(StatusCode::OK, render(value)),
        Ok(None) => page(StatusCode::NOT_FOUND, pages::message(lang, Key::NotFound)),
        Err(e) => failed(lang, "", e),
    }
}

/// The page for an archive that gave no answer: a refused query is the reader's to mend and
/// shown; a storage error is logged and not shown (it may name files or servers).
fn failed(lang: Lang, query: &str, error: ArchiveError) -> Response {
    match error {
        ArchiveError::Query(why) => page(
            StatusCode::BAD_REQUEST,
            pages::search(lang, query, Searched::Refused(&why)),
        ),
        ArchiveError::Storage(why) => {
            tracing::error!(error = %why, "web view: the archive could not be read");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                pages::message(lang, Key::Unavailable),
            )
        }
    }
}

async fn alerts<A: Archive>(
    State(archive): State<Arc<A>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let lang = lang(&headers);
    let filter = AlertFilter {
        watch: param(query.as_deref(), "watch"),
        severity: param(query.as_deref(), "severity"),
    };
    let found = match archive.watches().await {
        Ok(watches) => archive
            .alerts(filter.clone())
            .await
            .map(|alerts| Some((alerts, watches))),
        Err(e) => Err(e),
    };
    answer(lang, found, |(alerts, watches)| {
        pages::alerts(lang, &alerts, &watches, &filter)
    })
}

async fn stories<A: Archive>(State(archive): State<Arc<A>>, headers: HeaderMap) -> Response {
    let lang = lang(&headers);
    let found = archive.stories().await.map(Some);
    answer(lang, found, |stories| pages::stories(lang, &stories))
}

async fn story<A: Archive>(
    State(archive): State<Arc<A>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let lang = lang(&headers);
    let found = match id.parse() {
        Ok(id) => archive.story(id).await,
        Err(_) => Ok(None),
    };
    answer(lang, found, |story| pages::story(lang, &story))
}

async fn article<A: Archive>(
    State(archive): State<Arc<A>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let lang = lang(&headers);
    let found = match id.parse() {
        Ok(id) => archive.article(id).await,
        Err(_) => Ok(None),
    };
    answer(lang, found, |article| pages::article(lang, &article))
}

async fn feeds<A: Archive>(State(archive): State<Arc<A>>, headers: HeaderMap) -> Response {
    let lang = lang(&headers);
    let found = archive.feeds().await.map(Some);
    answer(lang, found, |feeds| pages::feeds(lang, &feeds))
}

async fn watches<A: Archive>(State(archive): State<Arc<A>>, headers: HeaderMap) -> Response {
    let lang = lang(&headers);
    let found = archive.watches().await.map(Some);
    answer(lang, found, |watches| pages::watches(lang, &watches))
}

async fn search<A: Archive>(
    State(archive): State<Arc<A>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let lang = lang(&headers);
    let Some(query) = param(raw.as_deref(), "q") else {
        return page(StatusCode::OK, pages::search(lang, "", Searched::Form));
    };
    match archive.search(query.clone()).await {
        Ok(hits) => page(
            StatusCode::OK,
            pages::search(lang, &query, Searched::Hits(&hits)),
        ),
        Err(e) => failed(lang, &query, e),
    }
}

async fn stylesheet() -> Response {
    secured(StatusCode::OK, "text/css; charset=utf-8", STYLE.to_string())
}

async fn icon() -> Response {
    secured(StatusCode::OK, "image/svg+xml", ICON_SVG.to_string())
}
