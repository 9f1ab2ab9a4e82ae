//! Turns at hosts shared by the instances on one database, so that `politeness_delay` holds
//! between them as it does inside one: each request reserves the next start at its host in
//! `host_turn`, one statement under the row's lock. The server's clock dates the turns, so
//! instances whose clocks differ a little still space their requests.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::{Pool, Result};
use crate::fetch::politeness::HostTurns;

/// The longest wait a turn may ask for: a queue of reservations that long means far more
/// requests to one host than its delay allows, and fetch timeouts will thin it.
const MAX_WAIT: Duration = Duration::from_secs(600);

pub(super) struct SharedTurns {
    pub(super) pool: Pool,
}

impl SharedTurns {
    async fn reserve(&self, host: &str, delay: Duration) -> Result<Duration> {
        let delay_ms = delay.as_secs_f64() * 1000.0;
        let row = self
            .pool
            .client()
            .await?
            .query_one(
                "INSERT INTO host_turn AS t (host, next_start)
                 VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
                 ON CONFLICT (host) DO UPDATE
                   SET next_start = greatest(t.next_start, clock_timestamp())
                                    + $2 * interval '1 millisecond'
                 RETURNING (extract(epoch FROM t.next_start - clock_timestamp()) * 1000)::float8",
                &[&host, &delay_ms],
            )
            .await?;
        // The row holds the start after this one: this one is a delay earlier.
        let wait = (row.get::<_, f64>(0) - delay_ms) / 1000.0;
        Ok(Duration::from_secs_f64(
            wait.clamp(0.0, MAX_WAIT.as_secs_f64()),
        ))
    }
}

impl HostTurns for SharedTurns {
    fn turn<'a>(
        &'a self,
        host: &'a str,
        delay: Duration,
    ) -> Pin<Box<dyn Future<Output = Duration> + Send + 'a>> {
        Box::pin(async move {
            self.reserve(host, delay).await.unwrap_or_else(|err| {
                tracing::debug!(host, error = %err, "no shared turn at the host; fetching on the local delay alone");
                Duration::ZERO
            })
        })
    }
}
