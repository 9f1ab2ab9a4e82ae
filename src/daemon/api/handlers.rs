//! The endpoints: each reads its parameters, asks the archive, and answers JSON (or Atom).

use std::sync::Arc;

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::Api;
use super::answer::{Refusal, json, ok};
use super::params::{Params, cursor, id, limit, read_cursor};
use crate::config::AlertPolicy;
use crate::search::{Found, Search, SearchError};

/// How many alerts a watch's Atom feed carries.
const ATOM_ENTRIES: usize = 100;

type Answer = Result<Response, Refusal>;

/// Search results a page holds when `limit` is not given, and at most.
const SEARCH_LIMIT: usize = 50;
const SEARCH_LIMIT_MAX: usize = 500;

/// `search?q=&since=&limit=&cursor=`: the articles the query (a watch's query language)
/// matches, newest first, a page at a time.
pub(super) async fn search(State(api): State<Arc<Api>>, RawQuery(query): RawQuery) -> Answer {
    let params = Params::read(query.as_deref(), &["q", "since", "limit", "cursor"])?;
    let refuse_q = |why: String| Refusal::Parameter {
        name: "q".into(),
        why,
    };
    let text = params
        .text("q")
        .filter(|q| !q.trim().is_empty())
        .ok_or_else(|| refuse_q("a query is required".into()))?;
    let search = Search::new(text).map_err(|err| refuse_q(err.to_string()))?;
    let since = params.period()?;
    let limit = limit(&params, SEARCH_LIMIT, SEARCH_LIMIT_MAX)?;
    let before = read_cursor(&params)?;
    // One more than the page tells whether another follows.
    let mut found = match api
        .archive
        .search(search, since, limit + 1, before, (api.now)())
        .await
    {
        Ok(found) => found,
        Err(SearchError::Store(err)) => return Err(Refusal::Database(err)),
        Err(err) => return Err(refuse_q(err.to_string())),
    };
    let next = (found.len() > limit).then(|| {
        found.truncate(limit);
        found.last().map(|last| cursor(last.at, last.article.id))
    });
    let results: Vec<_> = found.iter().map(Found::json).collect();
    ok(&serde_json::json!({ "results": results, "next": next.flatten() }))
}

pub(super) async fn stories(State(api): State<Arc<Api>>, RawQuery(query): RawQuery) -> Answer {
    let params = Params::read(query.as_deref(), &["since"])?;
    let since = params.since((api.now)())?;
    let stories = api.archive.stories_since(since).await?;
    ok(&serde_json::json!({ "stories": stories }))
}

pub(super) async fn story(
    State(api): State<Arc<Api>>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    Params::read(query.as_deref(), &[])?;
    let id = id(&raw)?;
    match api.archive.story(id).await? {
        Some(story) => ok(&story),
        None => Err(Refusal::NotFound(format!("story {id}"))),
    }
}

pub(super) async fn article(
    State(api): State<Arc<Api>>,
    Path(raw): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    Params::read(query.as_deref(), &[])?;
    let id = id(&raw)?;
    match api.archive.article(id).await? {
        Some(article) => ok(&article),
        None => Err(Refusal::NotFound(format!("article {id}"))),
    }
}

pub(super) async fn alerts(State(api): State<Arc<Api>>, RawQuery(query): RawQuery) -> Answer {
    let params = Params::read(query.as_deref(), &["since", "watch"])?;
    let since = params.since((api.now)())?;
    // Alerts of a watch since removed from the config are still listed, as `raqib alerts` does.
    let watch = params.text("watch").map(str::to_string);
    let alerts = api.archive.alerts_since(since, watch).await?;
    ok(&serde_json::json!({ "alerts": alerts }))
}

pub(super) async fn feeds(State(api): State<Arc<Api>>, RawQuery(query): RawQuery) -> Answer {
    Params::read(query.as_deref(), &[])?;
    let live = (api.live)();
    let now = (api.now)();
    let urls = live
        .config
        .feeds
        .iter()
        .map(|f| f.url.to_string())
        .collect();
    let health = api.archive.feed_healths(urls, now).await?;
    let reports = crate::health::feed_reports(&live.config, &health, now);
    ok(&serde_json::json!({ "feeds": reports }))
}

/// A configured watch, as the API shows it.
#[derive(Serialize)]
struct WatchView<'a> {
    name: &'a str,
    aliases: &'a [String],
    query: Option<&'a str>,
    severity: &'static str,
    /// `story`, `article` or `digest`.
    alert: &'static str,
    /// A digest's period (`1h`), `null` otherwise.
    digest_every: Option<String>,
    sinks: &'a [String],
}

pub(super) async fn watches(State(api): State<Arc<Api>>, RawQuery(query): RawQuery) -> Answer {
    Params::read(query.as_deref(), &[])?;
    let live = (api.live)();
    let watches: Vec<WatchView> = live
        .config
        .watches
        .iter()
        .map(|w| {
            let (alert, digest_every) = match w.alert {
                AlertPolicy::Story => ("story", None),
                AlertPolicy::Article => ("article", None),
                AlertPolicy::Digest { every, .. } => (
                    "digest",
                    Some(humantime::format_duration(every).to_string()),
                ),
            };
            WatchView {
                name: &w.name,
                aliases: &w.aliases,
                query: w.query_text.as_deref(),
                severity: w.severity.as_str(),
                alert,
                digest_every,
                sinks: &w.sinks,
            }
        })
        .collect();
    ok(&serde_json::json!({ "watches": watches }))
}

pub(super) async fn stats(State(api): State<Arc<Api>>, RawQuery(query): RawQuery) -> Answer {
    Params::read(query.as_deref(), &[])?;
    ok(&api.archive.stats().await?)
}

/// `/feeds/watch/{name}.atom`: the watch's latest alerts.
pub(super) async fn atom(
    State(api): State<Arc<Api>>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Answer {
    Params::read(query.as_deref(), &[])?;
    let known = file
        .strip_suffix(".atom")
        .filter(|name| (api.live)().config.watches.iter().any(|w| w.name == *name));
    let Some(name) = known else {
        return Err(Refusal::NotFound(format!("watch feed {file:?}")));
    };
    let entries = api
        .archive
        .alert_entries(name.to_string(), ATOM_ENTRIES)
        .await?;
    let now = crate::store::timestamp((api.now)());
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        super::atom::render(name, &entries, &now),
    )
        .into_response())
}

pub(super) async fn unknown() -> Response {
    json(
        StatusCode::NOT_FOUND,
        &serde_json::json!({"error": "no such endpoint"}),
    )
}
