//! What operators ask of the database: totals (`raqib stats`) and a consistent copy while the
//! daemon runs (`raqib backup`).

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{GaugeReading, OutletStats, Reader, Result, Stats, Store, StoreError};

impl Reader {
    pub fn stats(&self) -> Result<Stats> {
        let path = self.path();
        let count = |sql: &str| -> Result<u64> {
            Ok(self.conn.query_row(sql, [], |r| r.get::<_, i64>(0))? as u64)
        };
        let text = |sql: &str| -> Result<Option<String>> {
            Ok(self.conn.query_row(sql, [], |r| r.get(0))?)
        };
        let mut outlets = self.conn.prepare(
            "SELECT f.outlet, count(a.id), max(a.fetched_at) FROM feed f
             LEFT JOIN article a ON a.feed_id = f.id GROUP BY f.outlet ORDER BY 2 DESC, 1",
        )?;
        let outlets = outlets
            .query_map([], |r| {
                Ok(OutletStats {
                    outlet: r.get(0)?,
                    articles: r.get::<_, i64>(1)? as u64,
                    last_fetched: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(Stats {
            database: path.display().to_string(),
            size_bytes: self.size_bytes(),
            feeds: count("SELECT count(*) FROM feed")?,
            articles: count("SELECT count(*) FROM article")?,
            stories: count("SELECT count(*) FROM story")?,
            matches: count("SELECT count(*) FROM \"match\"")?,
            alerts: count("SELECT count(*) FROM alert")?,
            deliveries_pending: count("SELECT count(*) FROM delivery WHERE state = 'pending'")?,
            deliveries_delivered: count("SELECT count(*) FROM delivery WHERE state = 'delivered'")?,
            deliveries_dead: count("SELECT count(*) FROM delivery WHERE state = 'dead'")?,
            oldest_article: text("SELECT min(fetched_at) FROM article")?,
            newest_article: text("SELECT max(fetched_at) FROM article")?,
            outlets,
        })
    }

    /// The database file and its write-ahead log, in bytes.
    pub fn size_bytes(&self) -> u64 {
        let path = self.path();
        let file_size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let mut wal = path.as_os_str().to_owned();
        wal.push("-wal");
        file_size(path) + file_size(Path::new(&wal))
    }

    /// Deliveries waiting to be made, and those given up on.
    pub fn outbox_counts(&self) -> Result<(u64, u64)> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT count(*) FROM delivery WHERE state = ?1")?;
        let mut count = |state: &str| -> Result<u64> {
            Ok(stmt.query_row([state], |r| r.get::<_, i64>(0))? as u64)
        };
        Ok((count("pending")?, count("dead")?))
    }

    /// What the `/metrics` gauges show, with the health of the feeds at `urls`.
    pub fn gauges(
        &self,
        urls: &[&str],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<GaugeReading> {
        let (outbox_pending, outbox_dead) = self.outbox_counts()?;
        Ok(GaugeReading {
            feeds: self.feed_healths(urls, now)?,
            outbox_pending,
            outbox_dead,
            alerts: self.alerts_by_watch()?,
            bytes: self.size_bytes(),
        })
    }

    /// Alerts in the database, by watch.
    pub fn alerts_by_watch(&self) -> Result<std::collections::BTreeMap<String, u64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT watch, count(*) FROM alert GROUP BY watch")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Copy the database to `to` with SQLite's online backup API, in one step: one read
    /// transaction, so the copy is consistent even while the daemon writes. The copy is
    /// written beside `to` and renamed into place; an existing `to` is refused.
    pub fn backup(&self, to: &Path) -> Result<()> {
        let refuse = |message: String| StoreError::Backup {
            path: to.to_path_buf(),
            message,
        };
        if to.exists() {
            return Err(refuse("exists already; choose a new file".into()));
        }
        let mut partial = to.as_os_str().to_owned();
        partial.push(".partial");
        let partial = PathBuf::from(partial);
        let _ = std::fs::remove_file(&partial);
        let mut copy = Connection::open(&partial).map_err(|e| refuse(e.to_string()))?;
        {
            use rusqlite::backup::{Backup, StepResult};
            let backup = Backup::new(&self.conn, &mut copy)?;
            // -1: every page in one step, one read transaction. Busy or locked (another
            // process holding the database): tried again for up to 30 s.
            let mut waits = 0;
            loop {
                match backup.step(-1)? {
                    StepResult::Done => break,
                    StepResult::More => {}
                    _ if waits < 600 => {
                        waits += 1;
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    _ => return Err(refuse("the database stayed locked for 30 s".into())),
                }
            }
        }
        drop(copy);
        std::fs::rename(&partial, to).map_err(|e| refuse(e.to_string()))
    }
}

impl Store {
    /// Write one row: fails when the database cannot take writes (disk full, read-only, locked).
    pub fn probe_write(&mut self, now: chrono::DateTime<chrono::Utc>) -> Result<()> {
        self.conn.execute(
            "INSERT INTO health (id, checked_at) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at",
            [super::timestamp(now)],
        )?;
        Ok(())
    }
}
