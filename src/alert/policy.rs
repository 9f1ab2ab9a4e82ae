//! What a watch's `alert` policy makes of an alert its article earns: a new alert with its
//! deliveries, or a report against the alert the watch already raised on the story.
//!
//! Pure: the store fetches the story's alert (only when [`AlertPolicy::per_story`] says it
//! counts) and writes what [`place`] decides, inside the article's transaction.

use chrono::{DateTime, Utc};

use super::digest::period_end;
use crate::config::AlertPolicy;

/// Where an alert goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Raised: its deliveries are first attempted at `first_attempt`. A digest's wait for the
    /// end of its period (`digest_until`), when the period's alerts go together.
    Raise {
        first_attempt: DateTime<Utc>,
        digest_until: Option<DateTime<Utc>>,
    },
    /// Not raised again: the article is recorded against `alert`, the one its watch already
    /// raised on the story ("also reported by").
    Report { alert: i64 },
}

/// The placement of an alert under `policy` at `now`; `story_alert` is the first alert its
/// watch raised on the article's story, if any.
pub fn place(policy: AlertPolicy, story_alert: Option<i64>, now: DateTime<Utc>) -> Placement {
    match (policy, story_alert) {
        (AlertPolicy::Story | AlertPolicy::Digest { .. }, Some(alert)) => {
            Placement::Report { alert }
        }
        (AlertPolicy::Digest { every, zone }, None) => {
            let end = period_end(now, every, zone);
            Placement::Raise {
                first_attempt: end,
                digest_until: Some(end),
            }
        }
        (AlertPolicy::Story | AlertPolicy::Article, _) => Placement::Raise {
            first_attempt: now,
            digest_until: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use chrono::TimeZone;

    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 29, 10, 17, 5).unwrap()
    }

    fn raised_now() -> Placement {
        Placement::Raise {
            first_attempt: now(),
            digest_until: None,
        }
    }

    #[test]
    fn a_story_raises_once_and_reports_after() {
        assert_eq!(place(AlertPolicy::Story, None, now()), raised_now());
        assert_eq!(
            place(AlertPolicy::Story, Some(7), now()),
            Placement::Report { alert: 7 }
        );
    }

    #[test]
    fn every_article_raises_its_own() {
        assert_eq!(place(AlertPolicy::Article, Some(7), now()), raised_now());
    }

    #[test]
    fn a_digest_waits_for_its_period_end_on_the_daemon_s_clocks() {
        let hourly = AlertPolicy::Digest {
            every: Duration::from_secs(3600),
            zone: chrono_tz::Africa::Casablanca,
        };
        // 10:17 UTC is 11:17 in Casablanca (UTC+1): the period ends at 12:00 there.
        let end = Utc.with_ymd_and_hms(2026, 11, 29, 11, 0, 0).unwrap();
        assert_eq!(
            place(hourly, None, now()),
            Placement::Raise {
                first_attempt: end,
                digest_until: Some(end),
            }
        );
        assert_eq!(
            place(hourly, Some(3), now()),
            Placement::Report { alert: 3 }
        );
    }
}
