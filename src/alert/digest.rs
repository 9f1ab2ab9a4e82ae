//! Digests: the alerts of one watch over a period (`alert = "digest"`, `digest_every`),
//! delivered as one. Periods are aligned on multiples of `digest_every` since the Unix epoch,
//! so an hourly digest goes out on the hour, whenever the daemon started.

use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest as _, Sha256};

/// The end of the period holding `now`: the next multiple of `every` strictly after it.
pub fn period_end(now: DateTime<Utc>, every: std::time::Duration) -> DateTime<Utc> {
    let every = every.as_secs().max(1) as i64;
    let next = (now.timestamp().div_euclid(every) + 1) * every;
    DateTime::from_timestamp(next, 0).unwrap_or(now)
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
    use chrono::TimeZone;

    #[test]
    fn periods_end_on_multiples_of_their_length() {
        let at = Utc.with_ymd_and_hms(2025, 12, 2, 9, 15, 0).unwrap();
        let hour = std::time::Duration::from_secs(3600);
        assert_eq!(
            period_end(at, hour),
            Utc.with_ymd_and_hms(2025, 12, 2, 10, 0, 0).unwrap()
        );
        let on_the_hour = Utc.with_ymd_and_hms(2025, 12, 2, 10, 0, 0).unwrap();
        assert_eq!(
            period_end(on_the_hour, hour),
            Utc.with_ymd_and_hms(2025, 12, 2, 11, 0, 0).unwrap()
        );
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
