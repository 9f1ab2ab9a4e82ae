//! Where a load run stores: a SQLite file in the run's folder, or a database of its own on
//! the PostgreSQL server `--postgres` names (created for the run, dropped after it).

use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::runtime::Handle;

pub enum Database {
    Sqlite(PathBuf),
    Postgres {
        server: String,
        url: String,
        name: String,
        runtime: Handle,
    },
}

/// A read-only view for the bench's counts, once the daemon has created the schema.
pub enum Reader {
    Sqlite(rusqlite::Connection),
    Postgres(tokio_postgres::Client, Handle),
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|err| panic!("cannot connect to the PostgreSQL server: {err}"));
    tokio::spawn(connection);
    client
}

impl Database {
    pub fn sqlite(dir: &Path) -> Database {
        Database::Sqlite(dir.join("raqib.db"))
    }

    /// A new database on `server` (a `postgres://` URL with the rights to create one).
    pub fn postgres(server: &str, runtime: Handle, label: &str) -> Database {
        let name = format!("raqib_bench_{}_{label}", std::process::id());
        runtime.block_on(async {
            connect(server)
                .await
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap_or_else(|err| panic!("CREATE DATABASE {name}: {err}"))
        });
        let mut url = url::Url::parse(server).expect("--postgres takes a URL");
        url.set_path(&name);
        Database::Postgres {
            server: server.to_string(),
            url: url.to_string(),
            name,
            runtime,
        }
    }

    /// The value of `database` in the daemon's config.
    pub fn setting(&self) -> String {
        match self {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres { url, .. } => url.clone(),
        }
    }

    /// A reader, once the schema is there (waits for the daemon to create it).
    pub fn reader(&self) -> Reader {
        loop {
            let reader = match self {
                Database::Sqlite(path) => rusqlite::Connection::open_with_flags(
                    path,
                    rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
                )
                .ok()
                .map(Reader::Sqlite),
                Database::Postgres { url, runtime, .. } => Some(Reader::Postgres(
                    runtime.block_on(connect(url)),
                    runtime.clone(),
                )),
            };
            if let Some(reader) = reader {
                if reader.try_count("SELECT count(*) FROM article").is_some() {
                    return reader;
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Its size: the file and its WAL, or the server's `pg_database_size`.
    pub fn bytes(&self) -> u64 {
        match self {
            Database::Sqlite(path) => {
                let wal = PathBuf::from(format!("{}-wal", path.display()));
                [path.clone(), wal]
                    .iter()
                    .filter_map(|f| std::fs::metadata(f).ok())
                    .map(|m| m.len())
                    .sum()
            }
            Database::Postgres { .. } => self
                .reader()
                .count("SELECT pg_database_size(current_database())")
                .max(0) as u64,
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Database::Postgres {
            server,
            name,
            runtime,
            ..
        } = self
        {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            runtime.block_on(async {
                if let Err(err) = connect(server).await.batch_execute(&sql).await {
                    eprintln!("{sql}: {err}");
                }
            });
        }
    }
}

impl Reader {
    fn try_count(&self, sql: &str) -> Option<i64> {
        match self {
            Reader::Sqlite(conn) => conn.query_row(sql, [], |r| r.get(0)).ok(),
            Reader::Postgres(client, runtime) => runtime
                .block_on(client.query_one(sql, &[]))
                .ok()
                .map(|row| row.get(0)),
        }
    }

    /// The number `sql` selects (0 when it fails).
    pub fn count(&self, sql: &str) -> i64 {
        self.try_count(sql).unwrap_or(0)
    }

    /// The (id, text) rows `sql` selects (none when it fails).
    pub fn rows(&self, sql: &str) -> Vec<(i64, String)> {
        match self {
            Reader::Sqlite(conn) => conn
                .prepare(sql)
                .and_then(|mut s| {
                    s.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                        .collect::<Result<Vec<_>, _>>()
                })
                .unwrap_or_default(),
            Reader::Postgres(client, runtime) => runtime
                .block_on(client.query(sql, &[]))
                .map(|rows| rows.iter().map(|r| (r.get(0), r.get(1))).collect())
                .unwrap_or_default(),
        }
    }
}
