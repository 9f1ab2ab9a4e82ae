//! systemd's notify protocol: READY=1 once the database is open and the feeds are scheduled,
//! STATUS= lines an operator sees in `systemctl status`, STOPPING=1 on shutdown, and the
//! watchdog. Without `NOTIFY_SOCKET` every call here does nothing.
//!
//! The watchdog is pinged only while the scheduler moves (`progress`) and the database writer
//! takes a write: a writer stuck in a transaction (a hung disk, a lock never released) or feed
//! tasks that stopped making progress stop the pings, and systemd restarts the process. A
//! blocked runtime stops them too, since this loop runs on it. While polls are paused (a full
//! disk, a database server out of reach) the pings go on and STATUS says why: a restart would
//! not mend either, and work resumes by itself when the storage takes writes again.

use std::sync::Arc;
use std::time::Duration;

use sd_notify::NotifyState;
use tokio::sync::watch;

use super::Pipeline;
use crate::store::Storage;

/// How often STATUS is refreshed when no watchdog asks for more.
const STATUS_EVERY: Duration = Duration::from_secs(30);

pub(super) fn notify(states: &[NotifyState<'_>]) {
    if let Err(err) = sd_notify::notify(states) {
        tracing::warn!(error = %err, "cannot notify systemd");
    }
}

/// Whether systemd listens at all.
pub(super) fn listening() -> bool {
    std::env::var_os("NOTIFY_SOCKET").is_some()
}

/// Ping the watchdog (at half its period) while the writer answers, and refresh STATUS.
pub(super) async fn watch_loop<S: Storage>(
    pipeline: Arc<Pipeline<S>>,
    mut stop: watch::Receiver<bool>,
) {
    let watchdog = sd_notify::watchdog_enabled();
    let every = watchdog.map_or(STATUS_EVERY, |w| (w / 2).max(Duration::from_millis(100)));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
        let paused = pipeline.paused().borrow().clone();
        if let Some(paused) = paused {
            let status = status(&pipeline, 0);
            tracing::debug!(%paused, "watchdog pinged while paused");
            if watchdog.is_some() {
                notify(&[NotifyState::Watchdog, NotifyState::Status(&status)]);
            } else {
                notify(&[NotifyState::Status(&status)]);
            }
            continue;
        }
        if let Some(stuck) = pipeline.stuck() {
            tracing::error!(error = %stuck, "watchdog not pinged");
            continue;
        }
        let now = pipeline.now();
        let answered = tokio::time::timeout(every, async {
            pipeline.noted(pipeline.store().probe_write(now)).await?;
            pipeline.noted(pipeline.store().pending_deliveries()).await
        })
        .await;
        let pending = match answered {
            Ok(Ok(pending)) => pending,
            // A full disk or a server out of reach is not a hung writer: a restart would not
            // help, and polls resume by themselves when the storage takes writes again.
            Ok(Err(err)) if err.is_disk_full() || err.is_unavailable() => 0,
            Ok(Err(err)) => {
                tracing::error!(error = %err, "the database does not answer; watchdog not pinged");
                continue;
            }
            Err(_) => {
                tracing::error!(waited = ?every, "the database writer is stuck; watchdog not pinged");
                continue;
            }
        };
        let status = status(&pipeline, pending);
        if watchdog.is_some() {
            notify(&[NotifyState::Watchdog, NotifyState::Status(&status)]);
        } else {
            notify(&[NotifyState::Status(&status)]);
        }
    }
}

/// `STATUS=` for `systemctl status`: feeds, the last successful poll, the outbox.
pub(super) fn status<S: Storage>(pipeline: &Pipeline<S>, pending: u64) -> String {
    let feeds = pipeline.live().config.feeds.len();
    let last = pipeline.last_success().map_or("none yet".to_string(), |t| {
        t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
    });
    if let Some(paused) = &*pipeline.paused().borrow() {
        let since = paused.since.format("%Y-%m-%d %H:%M:%S UTC");
        return format!(
            "{}: polls paused since {since}; {feeds} feeds; last successful poll {last}",
            paused.cause
        );
    }
    format!("{feeds} feeds; last successful poll {last}; {pending} deliveries pending")
}
