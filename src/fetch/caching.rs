//! What response headers say about asking again: `Cache-Control: max-age`, `Expires` and
//! `Retry-After` (pure: the current time is passed in).

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

/// `max-age` of a `Cache-Control` header (`s-maxage` is for shared caches, not us).
pub fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|directive| {
        let (name, value) = directive.split_once('=')?;
        name.trim().eq_ignore_ascii_case("max-age").then(|| {
            value
                .trim()
                .trim_matches('"')
                .parse()
                .ok()
                .map(Duration::from_secs)
        })?
    })
}

/// How long from now an `Expires` date is, measured against the response's `Date` when it has
/// one (the server's clock may differ from ours).
pub fn expires_in(expires: &str, date: Option<&str>, now: DateTime<Utc>) -> Option<Duration> {
    let expires = http_date(expires)?;
    let reference = date.and_then(http_date).unwrap_or(now);
    (expires - reference).to_std().ok().filter(|d| !d.is_zero())
}

/// A `Retry-After` value: delay-seconds or an HTTP date.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    (http_date(value)? - now).to_std().ok()
}

fn http_date(value: &str) -> Option<DateTime<Utc>> {
    let at: SystemTime = httpdate::parse_http_date(value.trim()).ok()?;
    Some(DateTime::<Utc>::from(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 12, 2, 12, 0, 0).unwrap()
    }

    #[test]
    fn max_age_is_read_among_other_directives() {
        assert_eq!(
            max_age("public, max-age=600, must-revalidate"),
            Some(Duration::from_secs(600))
        );
        assert_eq!(max_age("MAX-AGE=\"60\""), Some(Duration::from_secs(60)));
        assert_eq!(max_age("no-cache, s-maxage=300"), None);
        assert_eq!(max_age("max-age=soon"), None);
    }

    #[test]
    fn expires_is_measured_against_the_server_date() {
        let expires = "Tue, 02 Dec 2025 13:00:00 GMT";
        assert_eq!(
            expires_in(expires, Some("Tue, 02 Dec 2025 12:30:00 GMT"), now()),
            Some(Duration::from_secs(1800))
        );
        assert_eq!(
            expires_in(expires, None, now()),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(expires_in("0", None, now()), None);
        assert_eq!(
            expires_in("Tue, 02 Dec 2025 11:00:00 GMT", None, now()),
            None,
            "already expired"
        );
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date() {
        assert_eq!(retry_after("120", now()), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Tue, 02 Dec 2025 14:00:00 GMT", now()),
            Some(Duration::from_secs(7200))
        );
        assert_eq!(retry_after("Tue, 02 Dec 2025 10:00:00 GMT", now()), None);
        assert_eq!(retry_after("later", now()), None);
        assert_eq!(retry_after("-5", now()), None);
    }
}
