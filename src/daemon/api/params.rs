//! Query parameters, read by name: an unknown or unreadable one is refused naming it.

use std::collections::HashMap;
use std::time::Duration;

use base64ct::{Base64UrlUnpadded, Encoding};
use chrono::{DateTime, Utc};

use super::answer::Refusal;

/// How far back `since` reaches when not given: as `raqib stories` and `raqib alerts`.
const DEFAULT_SINCE: Duration = Duration::from_secs(24 * 3600);

pub(super) struct Params(HashMap<String, String>);

impl Params {
    /// The parameters of `query`, of which only `known` are accepted, each at most once.
    pub(super) fn read(query: Option<&str>, known: &[&str]) -> Result<Params, Refusal> {
        let mut found = HashMap::new();
        for (name, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let refuse = |why: &str| Refusal::Parameter {
                name: name.to_string(),
                why: why.to_string(),
            };
            if !known.contains(&name.as_ref()) {
                return Err(refuse(&format!(
                    "unknown; this endpoint takes {}",
                    known.join(", ")
                )));
            }
            if found.insert(name.to_string(), value.to_string()).is_some() {
                return Err(refuse("given twice"));
            }
        }
        Ok(Params(found))
    }

    pub(super) fn text(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// `since` as a period (`30d`, `12h`), when given.
    pub(super) fn period(&self) -> Result<Option<Duration>, Refusal> {
        self.text("since")
            .map(|text| {
                humantime::parse_duration(text).map_err(|err| Refusal::Parameter {
                    name: "since".into(),
                    why: format!("{text:?} is not a period such as 30d or 12h: {err}"),
                })
            })
            .transpose()
    }

    /// `since`: a period back from `now`, 24 hours when not given.
    pub(super) fn since(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, Refusal> {
        let period = self.period()?.unwrap_or(DEFAULT_SINCE);
        Ok(chrono::Duration::from_std(period)
            .ok()
            .and_then(|p| now.checked_sub_signed(p))
            .unwrap_or(DateTime::<Utc>::MIN_UTC))
    }
}

/// An id in a path: a positive integer.
pub(super) fn id(text: &str) -> Result<i64, Refusal> {
    text.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| Refusal::Parameter {
            name: "id".into(),
            why: format!("{text:?} is not an id (a positive integer)"),
        })
}

/// `limit`: how many results a page holds, `default` when not given, at most `max`.
pub(super) fn limit(params: &Params, default: usize, max: usize) -> Result<usize, Refusal> {
    let Some(text) = params.text("limit") else {
        return Ok(default);
    };
    text.parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| Refusal::Parameter {
            name: "limit".into(),
            why: format!("{text:?} is not a number from 1 to {max}"),
        })
}

/// Where a page of search results resumes: after the result of this (time, id), newest
/// first. Opaque to clients.
pub(super) fn cursor(at: i64, id: i64) -> String {
    Base64UrlUnpadded::encode_string(format!("{at}.{id}").as_bytes())
}

/// A cursor as [`cursor`] wrote it.
pub(super) fn read_cursor(params: &Params) -> Result<Option<(i64, i64)>, Refusal> {
    let Some(text) = params.text("cursor") else {
        return Ok(None);
    };
    Base64UrlUnpadded::decode_vec(text)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|pair| {
            let (at, id) = pair.split_once('.')?;
            Some((at.parse().ok()?, id.parse().ok()?))
        })
        .map(Some)
        .ok_or_else(|| Refusal::Parameter {
            name: "cursor".into(),
            why: "not a cursor this API gave (take \"next\" from the previous page)".into(),
        })
}
