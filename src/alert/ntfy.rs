//! The ntfy sink: one notification per alert, published as JSON to the server's root with its
//! topic in the body. JSON rather than headers: an HTTP header cannot carry UTF-8, so an
//! Arabic title would need RFC 2047 encoding that not every ntfy version decodes, while a
//! JSON body carries it as it is.
//!
//! The priority follows the alert's severity, the tags name it and the watch, a click opens
//! the article, and the message (ntfy's Markdown) quotes the snippets with the match in bold.
//! ntfy keeps no id of the publisher's: the message ends with the alert id.

use super::message::{Measure, Node, Read, Shown, Style, mostly_arabic, write};
use super::reply::{Request, json_body, retry_after_header};
use super::sink::SinkError;
use crate::config::Ntfy;

/// ntfy's default `message-size-limit`: a longer message becomes an attachment, or is refused.
pub const MAX_MESSAGE_BYTES: usize = 4096;
/// A title is one line in a notification.
const MAX_TITLE_BYTES: usize = 250;

/// ntfy's priority (1 min … 5 max) for an alert's severity.
pub fn priority(severity: &str) -> u8 {
    match severity {
        "info" => 1,
        "low" => 2,
        "high" => 4,
        "critical" => 5,
        _ => 3,
    }
}

/// The JSON message for the alert `payload` whose id is `alert_id`, to `topic`.
pub fn message(topic: &str, alert_id: &str, payload: &str) -> serde_json::Value {
    let read = Read::new(alert_id, payload);
    let mut title = read.title();
    if mostly_arabic(&title) {
        title.insert(0, '\u{200F}');
    }
    let title = write(
        &[Node::Text(title)],
        &[],
        Style::Plain,
        Measure::Bytes,
        MAX_TITLE_BYTES,
    );
    let footer = [Node::Line(vec![Node::Code(alert_id.to_string())])];
    let text = write(
        &read.blocks(false),
        &footer,
        Style::Markdown,
        Measure::Bytes,
        MAX_MESSAGE_BYTES,
    );
    let severity = read.severity();
    let emoji = match severity {
        "critical" => "rotating_light",
        "high" => "warning",
        _ => "newspaper",
    };
    let watch = match &read {
        Read::One(one) => one.watch.clone(),
        Read::Digest { watch, .. } => watch.clone(),
    };
    let mut message = serde_json::json!({
        "topic": topic,
        "title": title,
        "message": text,
        "markdown": true,
        "priority": priority(severity),
        "tags": [emoji, severity, watch],
    });
    if let Read::One(Shown { url: Some(url), .. }) = &read {
        message["click"] = serde_json::json!(url);
    }
    message
}

/// Publish the alert, with the access token `token` when the topic needs one.
pub(super) async fn send(
    client: &reqwest::Client,
    ntfy: &Ntfy,
    token: Option<&str>,
    sink: &str,
    alert_id: &str,
    payload: &str,
) -> Result<(), SinkError> {
    let server = ntfy.server();
    let shown_url = ntfy.url.to_string();
    let request = Request {
        sink,
        shown_url: &shown_url,
    };
    let mut post = client
        .post(server)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(message(ntfy.topic(), alert_id, payload).to_string());
    if let Some(token) = token {
        post = post.bearer_auth(token);
    }
    let response = post.send().await.map_err(|e| request.unanswered(&e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = retry_after_header(response.headers());
    let answer = json_body(response).await;
    let said = match (answer["error"].as_str(), answer["code"].as_i64()) {
        (Some(error), Some(code)) => format!("{error} (code {code})"),
        (Some(error), None) => error.to_string(),
        _ => String::new(),
    };
    Err(request.failed(status, &said, retry_after))
}
