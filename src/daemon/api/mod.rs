//! The read-only HTTP API on `[http] listen`: JSON under `/api/v1/`, each watch's alerts as
//! Atom under `/feeds/watch/`, the web view's pages (`pages`, rendered by [`crate::web`]),
//! and `/metrics` and `/healthz` as on `metrics_listen`.
//!
//! Every request is GET or HEAD (405 otherwise), authenticated when `[http]` names a token or
//! users, and every response carries headers that keep a browser from running or framing
//! anything it serves. Reads go through `archive` beside the writer, never through it; a
//! database that fails answers 503 and the daemon goes on.

mod answer;
pub(super) mod archive;
mod atom;
pub(super) mod auth;
mod handlers;
mod pages;
mod params;

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::Pipeline;
use super::http::{self, Reading, gauges};
use super::pipeline::Live;
use crate::config::Http;
use crate::store::Storage;
pub(super) use archive::{Archive, Readers};
pub(super) use auth::Auth;

/// A policy for JSON and Atom: nothing may load, run or frame. HTML pages set their own.
const CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// What the handlers share.
pub(super) struct Api {
    archive: Archive,
    live: Box<dyn Fn() -> Arc<Live> + Send + Sync>,
    now: Box<dyn Fn() -> DateTime<Utc> + Send + Sync>,
}

/// Serve the API of `pipeline` on `config`'s `listen` until `stop`.
pub(super) async fn serve<S: Storage>(
    pipeline: Arc<Pipeline<S>>,
    config: Http,
    archive: Archive,
    auth: Auth,
    stop: watch::Receiver<bool>,
) {
    let Some(listener) = http::bind(config.listen, "the HTTP API").await else {
        return;
    };
    let (readings, gauges) = watch::channel(None);
    let reading = gauges::keep(Arc::clone(&pipeline), readings, stop.clone());
    let app = router(Arc::clone(&pipeline), gauges, archive, auth);
    tokio::join!(http::serve_until(listener, app, stop), reading);
}

fn router<S: Storage>(
    pipeline: Arc<Pipeline<S>>,
    gauges: watch::Receiver<Reading>,
    archive: Archive,
    auth: Auth,
) -> axum::Router {
    let (live, now) = (Arc::clone(&pipeline), Arc::clone(&pipeline));
    let api = Arc::new(Api {
        archive,
        live: Box::new(move || live.live()),
        now: Box::new(move || now.now()),
    });
    let auth = Arc::new(auth);
    let pages = Arc::new(pages::Pages {
        api: Arc::clone(&api),
        gauges: gauges.clone(),
    });
    axum::Router::new()
        .route("/api/v1/search", get(handlers::search))
        .route("/api/v1/stories", get(handlers::stories))
        .route("/api/v1/stories/{id}", get(handlers::story))
        .route("/api/v1/articles/{id}", get(handlers::article))
        .route("/api/v1/alerts", get(handlers::alerts))
        .route("/api/v1/feeds", get(handlers::feeds))
        .route("/api/v1/watches", get(handlers::watches))
        .route("/api/v1/stats", get(handlers::stats))
        .route("/feeds/watch/{file}", get(handlers::atom))
        .with_state(api)
        .merge(crate::web::router(pages))
        .merge(http::routes(pipeline, gauges))
        .fallback(handlers::unknown)
        .layer(middleware::from_fn_with_state(auth, authenticate))
        .layer(middleware::from_fn(read_only))
        .layer(middleware::from_fn(guarded))
}

/// Only GET and HEAD: the API changes nothing.
async fn read_only(request: Request, next: Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let mut refused = answer::json(
        StatusCode::METHOD_NOT_ALLOWED,
        &serde_json::json!({"error": format!("method {} not allowed: the API is read-only", request.method())}),
    );
    refused
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    refused
}

async fn authenticate(
    axum::extract::State(auth): axum::extract::State<Arc<Auth>>,
    request: Request,
    next: Next,
) -> Response {
    if !auth.required() || auth.allows(request.headers()).await {
        return next.run(request).await;
    }
    let mut refused = answer::json(
        StatusCode::UNAUTHORIZED,
        &serde_json::json!({"error": "authentication required"}),
    );
    refused.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(auth.challenge()),
    );
    refused
}

/// The headers every response carries (a page that needs another policy sets its own).
async fn guarded(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await.into_response();
    let headers = response.headers_mut();
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}
