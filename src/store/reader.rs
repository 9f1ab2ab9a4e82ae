//! Read-only connections: listings, `raqib stats`, backups and the `/metrics` gauges read the
//! database beside the writer (WAL lets readers and the writer proceed together), never
//! through it, and never create or migrate a database.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use super::{Result, StoreError, migrate};

/// A read-only connection to an existing database of the schema this raqib writes.
pub struct Reader {
    pub(super) conn: Connection,
    path: PathBuf,
}

impl Reader {
    /// Open the database at `path` read-only; a missing file is refused, not created.
    pub fn open(path: &Path) -> Result<Reader> {
        if !path.is_file() {
            return Err(StoreError::Missing {
                path: path.to_path_buf(),
            });
        }
        let open_err = |source: rusqlite::Error| StoreError::Open {
            path: path.to_path_buf(),
            source: source.into(),
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        // A reader waits out the writer's checkpoint and WAL recovery, never a write.
        conn.busy_timeout(Duration::from_secs(5))
            .map_err(open_err)?;
        let found: u32 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(open_err)?;
        if found > migrate::LATEST {
            return Err(StoreError::TooNew {
                found,
                known: migrate::LATEST,
            });
        }
        if found < migrate::LATEST {
            return Err(StoreError::Outdated {
                path: path.to_path_buf(),
                found,
                known: migrate::LATEST,
            });
        }
        Ok(Reader {
            conn,
            path: path.to_path_buf(),
        })
    }

    /// The database file it reads.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
