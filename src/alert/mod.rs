//! Alerts: what one is (its JSON), and how it reaches people (the outbox [`dispatch`]er and the
//! [`sink`]s).
//!
//! An alert is built when its article is stored, in the same transaction, with one delivery
//! row per sink; delivery happens afterwards and is retried until it succeeds.

pub mod digest;
pub mod dispatch;
pub mod email;
pub mod flood;
pub mod format;
pub mod matrix;
pub mod message;
pub mod ntfy;
pub mod policy;
mod reply;
pub mod sample;
pub mod signing;
pub mod sink;
pub mod telegram;

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::{AlertPolicy, Watch};
use crate::watch::Match;

/// An alert decided before its article is stored: it still lacks the ids the article and its
/// story will get in the same transaction.
#[derive(Debug, Clone)]
pub struct Draft {
    uid: String,
    watch: String,
    severity: &'static str,
    policy: AlertPolicy,
    sinks: Vec<String>,
    matches: Vec<Match>,
}

impl Draft {
    /// The alert of `watch` on the article `about`, for `sinks`.
    pub fn new(watch: &Watch, sinks: Vec<String>, about: About<'_>, matches: Vec<Match>) -> Draft {
        Draft {
            uid: uid(&watch.name, about),
            watch: watch.name.clone(),
            severity: watch.severity.as_str(),
            policy: watch.alert,
            sinks,
            matches,
        }
    }

    /// The alert as stored, once `article` has its id and its story's; `other_outlets` are
    /// those that published its story before.
    pub fn finish(
        self,
        article_id: i64,
        story_id: i64,
        article: &AlertArticle,
        other_outlets: &[String],
        raised_at: DateTime<Utc>,
    ) -> NewAlert {
        let shown = AlertArticle {
            id: article_id,
            ..article.clone()
        };
        let payload = self
            .payload(raised_at, story_id, &shown, other_outlets)
            .to_json();
        NewAlert {
            uid: self.uid,
            policy: self.policy,
            watch: self.watch,
            severity: self.severity.to_string(),
            payload,
            sinks: self.sinks,
        }
    }
}

/// An alert to write with its article, and the sinks it goes to.
#[derive(Debug, Clone)]
pub struct NewAlert {
    pub uid: String,
    /// Whether an alert this watch already raised on the story takes this one's place (see
    /// [`policy::place`]).
    pub policy: AlertPolicy,
    pub watch: String,
    pub severity: String,
    pub payload: String,
    pub sinks: Vec<String>,
}

/// The article an alert is about, as its JSON shows it (`id` is set by [`Draft::finish`]).
#[derive(Debug, Clone, Serialize)]
pub struct AlertArticle {
    pub id: i64,
    pub url: Option<String>,
    pub title: String,
    pub feed: String,
    pub outlet: String,
    pub published_at: Option<String>,
    pub lang: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
struct AlertMatch<'a> {
    term: &'a str,
    text: &'a str,
    field: &'static str,
    snippet: &'a str,
}

/// An alert's JSON, the same for every sink.
#[derive(Debug, Clone, Serialize)]
struct Payload<'a> {
    id: &'a str,
    watch: &'a str,
    severity: &'a str,
    raised_at: String,
    story: i64,
    article: &'a AlertArticle,
    matches: Vec<AlertMatch<'a>>,
    /// Outlets that published the story before this article, known when the alert was raised.
    other_outlets: &'a [String],
}

impl Draft {
    /// The alert's JSON, as raised at `raised_at` on `article` of `story`.
    fn payload<'a>(
        &'a self,
        raised_at: DateTime<Utc>,
        story: i64,
        article: &'a AlertArticle,
        other_outlets: &'a [String],
    ) -> Payload<'a> {
        Payload {
            id: &self.uid,
            watch: &self.watch,
            severity: self.severity,
            raised_at: raised_at.to_rfc3339_opts(SecondsFormat::Secs, true),
            story,
            article,
            matches: self
                .matches
                .iter()
                .map(|m| AlertMatch {
                    term: &m.term,
                    text: &m.text,
                    field: m.field.as_str(),
                    snippet: &m.snippet,
                })
                .collect(),
            other_outlets,
        }
    }
}

/// The article an alert is about, as its id names it.
#[derive(Debug, Clone, Copy)]
pub struct About<'a> {
    /// The article's URL: one article per URL, whichever feed carried it.
    pub url: Option<&'a str>,
    /// For an entry without a URL, which is only ever known through its own feed.
    pub feed_url: &'a str,
    pub entry_key: &'a str,
}

/// The stable id of the alert for `watch` on the article `about`: the same however often the
/// article is seen and whichever feed carried it, so receivers can drop repeats.
fn uid(watch: &str, about: About<'_>) -> String {
    let named = match about.url {
        Some(url) => format!("{watch}\0url\0{}", crate::feed::article_url(url)),
        None => format!("{watch}\0{}\0{}", about.feed_url, about.entry_key),
    };
    let digest = Sha256::digest(named.as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

impl<'a> Payload<'a> {
    fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "{}".to_string())
    }
}

/// A publication date as alerts show it: RFC 3339 with the outlet's own offset.
pub fn published(at: Option<DateTime<FixedOffset>>) -> Option<String> {
    at.map(|d| d.to_rfc3339_opts(SecondsFormat::Secs, true))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::Field;

    fn about<'a>(url: Option<&'a str>, feed_url: &'a str, entry_key: &'a str) -> About<'a> {
        About {
            url,
            feed_url,
            entry_key,
        }
    }

    #[test]
    fn uids_are_stable_and_distinct() {
        let entry = about(None, "f", "e");
        assert_eq!(uid("w", entry), uid("w", entry));
        assert_ne!(uid("w", entry), uid("w2", entry));
        assert_ne!(uid("w", entry), uid("w", about(None, "f2", "e")));
        assert_eq!(uid("w", entry).len(), 32);
    }

    #[test]
    fn an_article_s_alert_id_does_not_depend_on_the_feed_that_carried_it() {
        let main = about(Some("https://x.ma/a"), "https://x.ma/feed", "guid:1");
        let category = about(
            Some("https://X.ma:443/a#top"),
            "https://x.ma/category/feed",
            "link:https://x.ma/a",
        );
        assert_eq!(uid("w", main), uid("w", category));
        assert_ne!(
            uid("w", main),
            uid(
                "w",
                about(Some("https://x.ma/b"), "https://x.ma/feed", "guid:1")
            )
        );
    }

    #[test]
    fn payload_carries_the_documented_fields() {
        let article = AlertArticle {
            id: 3,
            url: Some("https://x.ma/a".into()),
            title: "T".into(),
            feed: "https://x.ma/feed".into(),
            outlet: "X".into(),
            published_at: Some("2025-12-01T18:30:00+01:00".into()),
            lang: Some("ar".into()),
        };
        let m = Match {
            term: "حموشي".into(),
            text: "الحموشي".into(),
            field: Field::Body,
            start: 1,
            end: 2,
            snippet: "s".into(),
        };
        let watch = crate::config::Watch {
            name: "h".into(),
            aliases: vec!["حموشي".into()],
            query: None,
            query_text: None,
            context: Vec::new(),
            severity: crate::config::Severity::High,
            sinks: Vec::new(),
            alert: AlertPolicy::Story,
        };
        let draft = Draft::new(
            &watch,
            Vec::new(),
            about(Some("https://x.ma/a"), "https://x.ma/feed", "e"),
            vec![m],
        );
        let outlets = ["Hespress".to_string()];
        let json: serde_json::Value =
            serde_json::from_str(&draft.payload(Utc::now(), 9, &article, &outlets).to_json())
                .unwrap();
        for key in [
            "id",
            "watch",
            "severity",
            "raised_at",
            "story",
            "article",
            "matches",
            "other_outlets",
        ] {
            assert!(json.get(key).is_some(), "{key}");
        }
        for key in ["url", "title", "feed", "outlet", "published_at", "lang"] {
            assert!(json["article"].get(key).is_some(), "article.{key}");
        }
        assert_eq!(json["matches"][0]["field"], "body");
        assert_eq!(json["matches"][0]["text"], "الحموشي");
        assert_eq!(json["story"], 9);
    }
}
