//! What the API reads, on the daemon's backend, without ever waiting for its writer: on
//! SQLite a few read-only connections answering in blocking tasks (the `Reader`'s
//! `Listings` answer on the calling thread), on PostgreSQL a pool of its own.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::Semaphore;

use crate::search::{Found, Search, SearchError, Sort};
use crate::store::{
    AlertEntry, AlertSummary, ArticleDetail, FeedHealth, Listings, Postgres, Reader, Result, Stats,
    StoryDetail, StorySummary,
};

/// Read-only SQLite connections: at most this many queries at once, each in a blocking task.
const SQLITE_READERS: usize = 4;
/// PostgreSQL connections of the API's pool.
pub(in crate::daemon) const POSTGRES_READERS: usize = 4;

pub(in crate::daemon) enum Archive {
    Sqlite(Arc<Readers>),
    Postgres(Postgres),
}

/// Read-only connections to one SQLite file, opened when first needed and kept.
pub(in crate::daemon) struct Readers {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    turns: Semaphore,
}

impl Readers {
    pub(in crate::daemon) fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
            turns: Semaphore::new(SQLITE_READERS),
        }
    }

    /// Run `query` on an idle connection (or a new one) in a blocking task.
    async fn read<T: Send + 'static>(
        self: &Arc<Self>,
        query: impl FnOnce(&Reader) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        // The semaphore is never closed.
        let _turn = self.turns.acquire().await.ok();
        let readers = Arc::clone(self);
        let answer = tokio::task::spawn_blocking(move || {
            let idle = readers.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let reader = match idle {
                Some(reader) => reader,
                None => Reader::open(&readers.path)?,
            };
            let answer = query(&reader);
            // A connection that failed is dropped: the next query opens a fresh one.
            if answer.is_ok() {
                readers
                    .idle
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(reader);
            }
            answer
        })
        .await;
        match answer {
            Ok(answer) => answer,
            Err(err) => std::panic::resume_unwind(err.into_panic()),
        }
    }
}

/// A `Listings` answer from the SQLite reader: its futures are ready at once.
fn now<T>(answer: impl Future<Output = T>) -> T {
    let mut answer = std::pin::pin!(answer);
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match answer.as_mut().poll(&mut context) {
        std::task::Poll::Ready(value) => value,
        std::task::Poll::Pending => unreachable!("the SQLite reader answers on the calling thread"),
    }
}

impl Archive {
    /// `search`'s page of at most `limit` results older than `before`, newest first.
    pub(super) async fn search(
        &self,
        search: Search,
        since: Option<Duration>,
        limit: usize,
        before: Option<(i64, i64)>,
        at: DateTime<Utc>,
    ) -> std::result::Result<Vec<Found>, SearchError> {
        match self {
            Archive::Sqlite(readers) => {
                let page = move |r: &Reader| {
                    Ok(now(search.run_before(
                        r,
                        since,
                        limit,
                        Sort::Newest,
                        before,
                        at,
                    )))
                };
                readers.read(page).await.map_err(SearchError::Store)?
            }
            Archive::Postgres(store) => {
                search
                    .run_before(store.pool(), since, limit, Sort::Newest, before, at)
                    .await
            }
        }
    }

    pub(super) async fn feed_healths(
        &self,
        urls: Vec<String>,
        at: DateTime<Utc>,
    ) -> Result<Vec<Option<FeedHealth>>> {
        match self {
            Archive::Sqlite(readers) => {
                readers
                    .read(move |r| now(Listings::feed_healths(r, urls, at)))
                    .await
            }
            Archive::Postgres(store) => store.feed_healths(urls, at).await,
        }
    }

    pub(super) async fn stories_since(&self, since: DateTime<Utc>) -> Result<Vec<StorySummary>> {
        match self {
            Archive::Sqlite(readers) => {
                readers
                    .read(move |r| now(Listings::stories_since(r, since)))
                    .await
            }
            Archive::Postgres(store) => store.stories_since(since).await,
        }
    }

    pub(super) async fn alerts_since(
        &self,
        since: DateTime<Utc>,
        watch: Option<String>,
    ) -> Result<Vec<AlertSummary>> {
        match self {
            Archive::Sqlite(readers) => {
                readers
                    .read(move |r| now(Listings::alerts_since(r, since, watch)))
                    .await
            }
            Archive::Postgres(store) => store.alerts_since(since, watch).await,
        }
    }

    pub(super) async fn stats(&self) -> Result<Stats> {
        match self {
            Archive::Sqlite(readers) => readers.read(|r| now(Listings::stats(r))).await,
            Archive::Postgres(store) => store.stats().await,
        }
    }

    pub(super) async fn article(&self, id: i64) -> Result<Option<ArticleDetail>> {
        match self {
            Archive::Sqlite(readers) => readers.read(move |r| now(Listings::article(r, id))).await,
            Archive::Postgres(store) => store.article(id).await,
        }
    }

    pub(super) async fn story(&self, id: i64) -> Result<Option<StoryDetail>> {
        match self {
            Archive::Sqlite(readers) => readers.read(move |r| now(Listings::story(r, id))).await,
            Archive::Postgres(store) => store.story(id).await,
        }
    }

    pub(super) async fn alert_entries(
        &self,
        watch: String,
        limit: usize,
    ) -> Result<Vec<AlertEntry>> {
        match self {
            Archive::Sqlite(readers) => {
                readers
                    .read(move |r| now(Listings::alert_entries(r, watch, limit)))
                    .await
            }
            Archive::Postgres(store) => store.alert_entries(watch, limit).await,
        }
    }
}
