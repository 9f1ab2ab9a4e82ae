//! Query parameters, read by name: an unknown or unreadable one is refused naming it.

use std::collections::HashMap;
use std::time::Duration;

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

    /// `since`: a period back from `now` (`30d`, `12h`), 24 hours when not given.
    pub(super) fn since(&self, now: DateTime<Utc>) -> Result<DateTime<Utc>, Refusal> {
        let period = match self.text("since") {
            None => DEFAULT_SINCE,
            Some(text) => humantime::parse_duration(text).map_err(|err| Refusal::Parameter {
                name: "since".into(),
                why: format!("{text:?} is not a period such as 30d or 12h: {err}"),
            })?,
        };
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
