//! Digests: the alerts of one watch over a period (`alert = "digest"`, `digest_every`),
//! delivered as one. Periods are aligned on multiples of `digest_every` since 1970-01-01 00:00
//! on the clocks of the daemon's `timezone`, so an hourly digest goes out on the hour and a
//! daily one at local midnight, whenever the daemon started.

use chrono::{DateTime, LocalResult, SecondsFormat, TimeZone, Utc};
use chrono_tz::Tz;
use sha2::{Digest as _, Sha256};

/// The end of the period holding `now`: the next multiple of `every` strictly after it, on the
/// clocks of `zone`. An end the clocks show twice (set back) is the second; one they skip
/// (set forward) is read with the offset before the jump.
pub fn period_end(now: DateTime<Utc>, every: std::time::Duration, zone: Tz) -> DateTime<Utc> {
    let every = every.as_secs().max(1) as i64;
    let wall = now.with_timezone(&zone).naive_local().and_utc().timestamp();
    wall.div_euclid(every)
        .checked_add(1)
        .and_then(|n| n.checked_mul(every))
        .and_then(|next| DateTime::from_timestamp(next, 0))
        .and_then(|next| match zone.from_local_datetime(&next.naive_utc()) {
            LocalResult::Single(end) | LocalResult::Ambiguous(_, end) => Some(end.fixed_offset()),
            LocalResult::None => crate::date::local(next.naive_utc(), zone),
        })
        .map_or(now, |end| end.with_timezone(&Utc))
}

/// A digest ready to deliver: its stable id (the same for every retry and every sink) and its
/// JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Digest {
    pub id: String,
    pub payload: String,
}

/// The digest of `watch`'s alerts (their JSON, oldest first) for the period ending `until`.
pub fn digest(watch: &str, until: DateTime<Utc>, alerts: &[&str]) -> Digest {
    let until = until.to_rfc3339_opts(SecondsFormat::Secs, true);
    let hash = Sha256::digest(format!("digest\0{watch}\0{until}").as_bytes());
    let id: String = hash[..16].iter().map(|b| format!("{b:02x}")).collect();
    let alerts: Vec<serde_json::Value> = alerts
        .iter()
        .map(|a| serde_json::from_str(a).unwrap_or_default())
        .collect();
    let payload = serde_json::json!({
        "id": id,
        "kind": "digest",
        "watch": watch,
        "until": until,
        "count": alerts.len(),
        "alerts": alerts,
    })
    .to_string();
    Digest { id, payload }
}

/// Whether an alert JSON is a digest.
pub fn is_digest(alert: &serde_json::Value) -> bool {
    alert["kind"] == "digest"
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

    #[test]
    fn periods_end_on_multiples_of_their_length() {
        let at = Utc.with_ymd_and_hms(2025, 12, 2, 9, 15, 0).unwrap();
        assert_eq!(
            period_end(at, HOUR, Tz::UTC),
            Utc.with_ymd_and_hms(2025, 12, 2, 10, 0, 0).unwrap()
        );
        let on_the_hour = Utc.with_ymd_and_hms(2025, 12, 2, 10, 0, 0).unwrap();
        assert_eq!(
            period_end(on_the_hour, HOUR, Tz::UTC),
            Utc.with_ymd_and_hms(2025, 12, 2, 11, 0, 0).unwrap()
        );
    }

    #[test]
    fn days_end_at_midnight_on_the_daemon_s_clocks() {
        let zone = Tz::Africa__Casablanca;
        let local = |d, h| {
            zone.with_ymd_and_hms(2025, 12, d, h, 0, 0)
                .single()
                .unwrap()
                .with_timezone(&Utc)
        };
        let at = local(2, 23) + chrono::Duration::minutes(30);
        assert_eq!(period_end(at, 24 * HOUR, zone), local(3, 0));
        assert_eq!(period_end(at, 6 * HOUR, zone), local(3, 0));
        assert_eq!(period_end(local(3, 0), 6 * HOUR, zone), local(3, 6));
        assert_ne!(
            period_end(at, 24 * HOUR, zone),
            period_end(at, 24 * HOUR, Tz::UTC),
            "Casablanca's midnight is not UTC's"
        );
    }

    #[test]
    fn periods_end_after_now_across_the_clocks_changes() {
        let every = 30 * std::time::Duration::from_secs(60);
        for zone in [Tz::Africa__Casablanca, Tz::Europe__Paris] {
            // Every minute of 2025 and 2026 around the times clocks change.
            for day in 0..730 {
                let start = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
                    + chrono::Duration::days(day);
                let noon = start + chrono::Duration::hours(12);
                let offset = |t: DateTime<Utc>| {
                    t.with_timezone(&zone)
                        .fixed_offset()
                        .offset()
                        .local_minus_utc()
                };
                if offset(start) == offset(start + chrono::Duration::days(1)) {
                    continue;
                }
                for minute in 0..(48 * 60) {
                    let now =
                        noon - chrono::Duration::hours(24) + chrono::Duration::minutes(minute);
                    let end = period_end(now, every, zone);
                    assert!(
                        end > now && end - now <= chrono::Duration::minutes(90),
                        "{zone} at {now}: {end}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_digest_holds_its_alerts_under_a_stable_id() {
        let until = Utc.with_ymd_and_hms(2025, 12, 2, 10, 0, 0).unwrap();
        let a = digest("h", until, &[r#"{"id":"1"}"#, r#"{"id":"2"}"#]);
        assert_eq!(a.id, digest("h", until, &[]).id);
        assert_ne!(a.id, digest("other", until, &[]).id);
        let json: serde_json::Value = serde_json::from_str(&a.payload).unwrap();
        assert!(is_digest(&json));
        assert_eq!(json["count"], 2);
        assert_eq!(json["alerts"][1]["id"], "2");
        assert_eq!(json["until"], "2025-12-02T10:00:00Z");
    }
}
