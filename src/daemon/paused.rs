//! Why polls and deliveries are paused: the storage cannot be written, because its disk is
//! full or its database server is out of reach. Nothing a poll or a delivery does could be
//! recorded meanwhile (a delivery sent and not recorded would be sent again), so neither
//! starts until a probe write succeeds.

use std::fmt;

use chrono::{DateTime, Utc};

use crate::store::StoreError;

/// What keeps the storage from taking writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Cause {
    DiskFull,
    Unreachable,
}

impl Cause {
    /// The cause `err` shows, if it is one that pauses the daemon rather than failing one call.
    pub(super) fn of(err: &StoreError) -> Option<Cause> {
        if err.is_disk_full() {
            Some(Cause::DiskFull)
        } else if err.is_unavailable() {
            Some(Cause::Unreachable)
        } else {
            None
        }
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Cause::DiskFull => "database disk full",
            Cause::Unreachable => "database server unreachable",
        })
    }
}

/// The pause in force: its cause, since when, and the error that showed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Paused {
    pub cause: Cause,
    pub since: DateTime<Utc>,
    pub error: String,
}

impl fmt::Display for Paused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} since {}: polls and deliveries paused ({})",
            self.cause,
            self.since.format("%Y-%m-%d %H:%M:%S UTC"),
            self.error
        )
    }
}
