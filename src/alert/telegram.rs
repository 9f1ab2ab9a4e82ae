//! The Telegram sink: `sendMessage` through a bot, in Telegram's HTML parse mode (only the
//! tags it accepts, every text escaped), at most 4096 characters as Telegram counts them
//! after parsing the markup, link previews off. The Bot API has no field for the alert id:
//! the message ends with it.

use super::message::{Measure, Node, Read, Style, write};
use super::reply::{Request, json_body, retry_after_header};
use super::sink::SinkError;
use crate::config::{ChatId, Telegram};

/// `sendMessage`'s limit on a message's text, after entities parsing.
pub const MAX_CHARS: usize = 4096;

/// The message's text (HTML) for the alert `payload` whose id is `alert_id`.
pub fn render(alert_id: &str, payload: &str) -> String {
    let read = Read::new(alert_id, payload);
    let footer = [Node::Line(vec![Node::Code(alert_id.to_string())])];
    write(
        &read.blocks(true),
        &footer,
        Style::Telegram,
        Measure::Shown,
        MAX_CHARS,
    )
}

/// Send the alert with the bot whose token is `token`.
pub(super) async fn send(
    client: &reqwest::Client,
    telegram: &Telegram,
    token: &str,
    sink: &str,
    alert_id: &str,
    payload: &str,
) -> Result<(), SinkError> {
    let read = Read::new(alert_id, payload);
    let chat_id = match &telegram.chat_id {
        ChatId::Id(id) => serde_json::json!(id),
        ChatId::Username(name) => serde_json::json!(name),
    };
    let body = serde_json::json!({
        "chat_id": chat_id,
        "text": render(alert_id, payload),
        "parse_mode": "HTML",
        "link_preview_options": { "is_disabled": true },
        // Low-severity alerts arrive without a sound.
        "disable_notification": matches!(read.severity(), "info" | "low"),
    });
    let base = telegram.api_url.as_str().trim_end_matches('/');
    // The token is part of the path: errors show the URL without it.
    let shown_url = format!("{base}/bot…/sendMessage");
    let request = Request {
        sink,
        shown_url: &shown_url,
    };
    let response = client
        .post(format!("{base}/bot{token}/sendMessage"))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| request.unanswered(&e))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let header_wait = retry_after_header(response.headers());
    let answer = json_body(response).await;
    let parameters = &answer["parameters"];
    let retry_after = parameters["retry_after"]
        .as_u64()
        .map(std::time::Duration::from_secs)
        .or(header_wait);
    let mut said = answer["description"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    if let Some(new_id) = parameters["migrate_to_chat_id"].as_i64() {
        said.push_str(&format!(
            " (the group is now a supergroup: set chat_id = {new_id})"
        ));
    }
    Err(request.failed(status, &said, retry_after))
}
