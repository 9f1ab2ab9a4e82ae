//! The Matrix sink: one `m.room.message` per alert, sent with
//! `PUT /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}`. The transaction id is
//! derived from the alert id and the sink, so every retry of a delivery reuses it and the
//! homeserver, which answers a repeated transaction with the event it already sent, never
//! posts the alert twice.
//!
//! `m.text` rather than `m.notice`: the default push rules silence notices, and an alert is
//! meant to notify. The content carries a plain body and an `org.matrix.custom.html` one, and
//! the alert id as `raqib.alert_id`.

use sha2::{Digest, Sha256};

use super::message::{Measure, Node, Read, Style, write};
use super::reply::{Request, json_body, retry_after_header};
use super::sink::SinkError;
use crate::config::Matrix;

/// Bounds on the two bodies: together, JSON-escaped, well under the 65,536 bytes a Matrix
/// event may take.
const MAX_BODY_BYTES: usize = 16_000;
const MAX_HTML_BYTES: usize = 32_000;

/// The transaction id of the delivery of `alert_id` to sink `sink`: the same for every
/// attempt.
pub fn transaction_id(sink: &str, alert_id: &str) -> String {
    let digest = Sha256::digest(format!("raqib\0matrix\0{sink}\0{alert_id}").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The event content for the alert `payload` whose id is `alert_id`.
pub fn content(alert_id: &str, payload: &str) -> serde_json::Value {
    let read = Read::new(alert_id, payload);
    let blocks = read.blocks(true);
    let footer = [Node::Line(vec![Node::Code(alert_id.to_string())])];
    serde_json::json!({
        "msgtype": "m.text",
        "body": write(&blocks, &footer, Style::Plain, Measure::Bytes, MAX_BODY_BYTES),
        "format": "org.matrix.custom.html",
        "formatted_body": write(&blocks, &footer, Style::Html, Measure::Bytes, MAX_HTML_BYTES),
        "raqib.alert_id": alert_id,
    })
}

/// Send the alert to the room with the access token `token`.
pub(super) async fn send(
    client: &reqwest::Client,
    matrix: &Matrix,
    token: &str,
    sink: &str,
    alert_id: &str,
    payload: &str,
) -> Result<(), SinkError> {
    let mut url = matrix.homeserver.clone();
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend([
            "_matrix",
            "client",
            "v3",
            "rooms",
            &matrix.room_id,
            "send",
            "m.room.message",
            &transaction_id(sink, alert_id),
        ]);
    }
    let shown_url = url.to_string();
    let request = Request {
        sink,
        shown_url: &shown_url,
    };
    let response = client
        .put(url)
        .bearer_auth(token)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(content(alert_id, payload).to_string())
        .send()
        .await
        .map_err(|e| request.unanswered(&e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let header_wait = retry_after_header(response.headers());
    let answer = json_body(response).await;
    // Milliseconds, rounded up: waiting less than asked is answered with another 429.
    let retry_after = answer["retry_after_ms"]
        .as_u64()
        .map(|ms| std::time::Duration::from_secs(ms.div_ceil(1000)))
        .or(header_wait);
    let said = match (answer["errcode"].as_str(), answer["error"].as_str()) {
        (Some(code), Some(error)) => format!("{code}: {error}"),
        (Some(code), None) => code.to_string(),
        (None, Some(error)) => error.to_string(),
        (None, None) => String::new(),
    };
    Err(request.failed(status, &said, retry_after))
}
