//! What a chat service's HTTP answer makes of a delivery, the way the webhook's does: 2xx
//! delivered; 5xx, 429 and no answer retried (after the wait the service asks for); any other
//! answer refused, and the delivery dead at once.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use super::sink::SinkError;

/// The longest piece of a service's error text kept in a delivery's last error.
const DETAIL_CHARS: usize = 300;

/// A failed request: the sink, where it went (without secrets), and why.
pub(super) struct Request<'a> {
    pub sink: &'a str,
    pub shown_url: &'a str,
}

impl Request<'_> {
    /// No answer: the connection failed or timed out.
    pub fn unanswered(&self, err: &reqwest::Error) -> SinkError {
        SinkError::Unavailable {
            sink: self.sink.to_string(),
            url: self.shown_url.to_string(),
            detail: super::sink::describe(err),
            retry_after: None,
        }
    }

    /// An answer other than 2xx: `said` is the service's own explanation.
    pub fn failed(
        &self,
        status: StatusCode,
        said: &str,
        retry_after: Option<Duration>,
    ) -> SinkError {
        let said: String = said.trim().chars().take(DETAIL_CHARS).collect();
        let detail = if said.is_empty() {
            format!("HTTP {status}")
        } else {
            format!("HTTP {status}: {said}")
        };
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            SinkError::Unavailable {
                sink: self.sink.to_string(),
                url: self.shown_url.to_string(),
                detail,
                retry_after,
            }
        } else {
            SinkError::Rejected {
                sink: self.sink.to_string(),
                url: self.shown_url.to_string(),
                detail,
            }
        }
    }
}

/// A `Retry-After` header in seconds.
pub(super) fn retry_after_header(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// The longest answer read: the services' errors are a few hundred bytes.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The answer's body as JSON (`Null` when it is not, or is longer than any error the
/// services send).
pub(super) async fn json_body(mut response: reqwest::Response) -> serde_json::Value {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_ANSWER_BYTES {
            return serde_json::Value::Null;
        }
    }
    serde_json::from_slice(&body).unwrap_or_default()
}
