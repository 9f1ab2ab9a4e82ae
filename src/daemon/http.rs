//! `/metrics` (Prometheus text) and `/healthz` on `metrics_listen`, when configured, and on
//! `[http] listen` beside the API (`api`).
//!
//! `/metrics` renders the counters with the last reading of the database's gauges (`gauges`),
//! so a scrape never takes the writer.
//!
//! `/healthz` answers 200 when the scheduler moves and the database writer takes a write
//! within two seconds; polls paused (a full disk, a database server out of reach: the pause's
//! cause, since when and its error), a stuck scheduler (`progress`), a failed round of pruning
//! (until one succeeds), a stuck writer or a locked database fail it with 503. A runtime
//! too busy to run the feed tasks cannot answer at all, which a prober reads as failure too.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::sync::watch;

use super::Pipeline;
pub(super) use super::gauges::{self, Reading};
use crate::store::Storage;

/// How long `/healthz` waits for the writer.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);
/// How long a scrape right after start waits for the gauges' first reading.
const FIRST_READING: Duration = Duration::from_secs(5);

/// What the handlers share: the pipeline, and the last reading of the database's gauges.
struct App<S> {
    pipeline: Arc<Pipeline<S>>,
    gauges: watch::Receiver<Reading>,
}

// Derived, it would ask the backend to be Clone: only the Arc is cloned.
impl<S> Clone for App<S> {
    fn clone(&self) -> Self {
        App {
            pipeline: Arc::clone(&self.pipeline),
            gauges: self.gauges.clone(),
        }
    }
}

/// `/metrics` and `/healthz` of `pipeline`, rendering the gauges `gauges` receives.
pub(super) fn routes<S: Storage>(
    pipeline: Arc<Pipeline<S>>,
    gauges: watch::Receiver<Reading>,
) -> axum::Router {
    axum::Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(App { pipeline, gauges })
}

/// Serve `/metrics` and `/healthz` on `metrics_listen` until `stop`.
pub(super) async fn serve<S: Storage>(
    pipeline: Arc<Pipeline<S>>,
    addr: SocketAddr,
    stop: watch::Receiver<bool>,
) {
    let Some(listener) = bind(addr, "/metrics and /healthz").await else {
        return;
    };
    let (readings, gauges) = watch::channel(None);
    let reading = gauges::keep(Arc::clone(&pipeline), readings, stop.clone());
    let app = routes(pipeline, gauges);
    tokio::join!(serve_until(listener, app, stop), reading);
}

/// Listen on `addr` for `what`; a failure is logged (the daemon goes on without it).
pub(super) async fn bind(addr: SocketAddr, what: &str) -> Option<tokio::net::TcpListener> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => {
            tracing::info!(listen = %addr, "serving {what}");
            Some(listener)
        }
        Err(err) => {
            tracing::error!(listen = %addr, error = %err, "cannot listen for {what}");
            None
        }
    }
}

/// Serve `app` on `listener` until `stop`, letting requests in flight finish.
pub(super) async fn serve_until(
    listener: tokio::net::TcpListener,
    app: axum::Router,
    mut stop: watch::Receiver<bool>,
) {
    let stopping = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    if let Err(err) = axum::serve(listener, app)
        .with_graceful_shutdown(stopping)
        .await
    {
        tracing::error!(error = %err, "an HTTP server stopped");
    }
}

async fn metrics<S: Storage>(State(app): State<App<S>>) -> impl IntoResponse {
    let mut gauges = app.gauges.clone();
    // Only the first scrapes after start wait, for the first reading.
    let reading = tokio::time::timeout(FIRST_READING, gauges.wait_for(Option::is_some))
        .await
        .ok()
        .and_then(Result::ok)
        .and_then(|reading| reading.clone());
    match reading {
        Some(Ok(mut snapshot)) => {
            snapshot.last_success = app.pipeline.last_success().map(|t| t.timestamp());
            snapshot.database_up = app.pipeline.paused().borrow().is_none();
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                app.pipeline.metrics.render(&snapshot),
            )
        }
        Some(Err(err)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            format!("database: {err}\n"),
        ),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            format!("database: not read within {FIRST_READING:?} of start\n"),
        ),
    }
}

async fn healthz<S: Storage>(State(App { pipeline, .. }): State<App<S>>) -> impl IntoResponse {
    let paused = pipeline.paused().borrow().clone();
    if let Some(paused) = paused {
        return (StatusCode::SERVICE_UNAVAILABLE, format!("{paused}\n"));
    }
    if let Some(stuck) = pipeline.stuck() {
        return (StatusCode::SERVICE_UNAVAILABLE, format!("{stuck}\n"));
    }
    if let Some(failure) = pipeline.pruning_failure() {
        return (StatusCode::SERVICE_UNAVAILABLE, format!("{failure}\n"));
    }
    let now = pipeline.now();
    let probe = pipeline.noted(pipeline.store().probe_write(now));
    match tokio::time::timeout(HEALTH_TIMEOUT, probe).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n".to_string()),
        Ok(Err(err)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database cannot be written: {err}\n"),
        ),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("database writer did not answer within {HEALTH_TIMEOUT:?}\n"),
        ),
    }
}
