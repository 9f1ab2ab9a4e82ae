//! A fresh PostgreSQL database per test, on the server `RAQIB_TEST_POSTGRES` names (`.ci/run`
//! starts a throwaway cluster and sets it; `eval "$(.ci/postgres start)"` does the same for a
//! developer). The database is created under a unique name and dropped when the test ends.
//! Without a server, a test cannot check anything: under `CI=true` it fails, elsewhere it says
//! `skipped:` (see `common/skip.rs`).

use std::sync::atomic::{AtomicU32, Ordering};

use super::skip;

/// One test's own database; dropped with it.
pub struct TestDatabase {
    /// The URL of this database (with the server's credentials).
    pub url: String,
    server: String,
    name: String,
}

impl TestDatabase {
    /// A new, empty database, or `None` (after saying why) when no server is configured.
    pub async fn create() -> Option<TestDatabase> {
        let Some(server) = std::env::var("RAQIB_TEST_POSTGRES")
            .ok()
            .filter(|s| !s.is_empty())
        else {
            skip::unavailable(
                "the PostgreSQL storage",
                "RAQIB_TEST_POSTGRES is not set (start a server with `eval \"$(.ci/postgres start)\"`)",
            );
            return None;
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "raqib_test_{}_{nanos}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin(&server, &format!("CREATE DATABASE {name}")).await;
        let mut url = url::Url::parse(&server).expect("RAQIB_TEST_POSTGRES is a URL");
        url.set_path(&name);
        Some(TestDatabase {
            url: url.to_string(),
            server,
            name,
        })
    }

    /// A client of this database, for a test to set up rows and read them back.
    #[allow(dead_code)] // the storage checks read back through the seam alone
    pub async fn client(&self) -> tokio_postgres::Client {
        connect(&self.url).await
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime, which cannot block on another: a thread with
        // its own runtime drops the database (and the pools' sessions with it).
        let server = self.server.clone();
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(admin(&server, &sql));
        })
        .join();
        if dropped.is_err() && !std::thread::panicking() {
            panic!("cannot drop test database {}", self.name);
        }
    }
}

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap_or_else(|err| panic!("cannot connect to the test PostgreSQL server: {err}"));
    tokio::spawn(connection);
    client
}

async fn admin(server: &str, sql: &str) {
    connect(server)
        .await
        .batch_execute(sql)
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"));
}
