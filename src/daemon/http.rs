//! `/metrics` (Prometheus text) and `/healthz` on `metrics_listen`, when configured.
//!
//! `/healthz` answers 200 when the scheduler moves and the database writer takes a write
//! within two seconds; a stuck scheduler (`progress`), a failed round of pruning (until one
//! succeeds), a stuck writer, a full disk or a locked database fail it with 503. A runtime
//! too busy to run the feed tasks cannot answer at all, which a prober reads as failure too.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use tokio::sync::watch;

use super::Pipeline;
use crate::metrics::Snapshot;

/// How long `/healthz` waits for the writer.
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

pub(super) async fn serve(
    pipeline: Arc<Pipeline>,
    addr: SocketAddr,
    mut stop: watch::Receiver<bool>,
) {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(err) => {
            tracing::error!(listen = %addr, error = %err, "cannot listen for /metrics and /healthz");
            return;
        }
    };
    tracing::info!(listen = %addr, "serving /metrics and /healthz");
    let app = axum::Router::new()
        .route("/metrics", get(metrics))
        .route("/healthz", get(healthz))
        .with_state(Arc::clone(&pipeline));
    let stopping = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    if let Err(err) = axum::serve(listener, app)
        .with_graceful_shutdown(stopping)
        .await
    {
        tracing::error!(error = %err, "the /metrics server stopped");
    }
}

async fn metrics(State(pipeline): State<Arc<Pipeline>>) -> impl IntoResponse {
    let live = pipeline.live();
    let now = pipeline.now();
    let config = live.config.clone();
    let read = pipeline
        .with_store(move |s| {
            let health = config
                .feeds
                .iter()
                .map(|f| s.feed_health(f.url.as_str(), now))
                .collect::<Result<Vec<_>, _>>()?;
            let mut feeds = BTreeMap::new();
            for report in crate::health::feed_reports(&config, &health, now) {
                let state = serde_json::to_value(report.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                *feeds.entry(state).or_default() += 1;
            }
            let stats = s.stats(&config.daemon.database)?;
            Ok(Snapshot {
                feeds,
                outbox_pending: stats.deliveries_pending,
                outbox_dead: stats.deliveries_dead,
                database_bytes: stats.size_bytes,
                last_success: None,
                alerts: s.alerts_by_watch()?,
            })
        })
        .await;
    match read {
        Ok(mut snapshot) => {
            snapshot.last_success = pipeline.last_success().map(|t| t.timestamp());
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                pipeline.metrics.render(&snapshot),
            )
        }
        Err(err) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain")],
            format!("database: {err}\n"),
        ),
    }
}

async fn healthz(State(pipeline): State<Arc<Pipeline>>) -> impl IntoResponse {
    if let Some(stuck) = pipeline.stuck() {
        return (StatusCode::SERVICE_UNAVAILABLE, format!("{stuck}\n"));
    }
    if let Some(failure) = pipeline.pruning_failure() {
        return (StatusCode::SERVICE_UNAVAILABLE, format!("{failure}\n"));
    }
    let now = pipeline.now();
    let probe = pipeline.with_store(move |s| s.probe_write(now));
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
