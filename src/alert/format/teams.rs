//! `format = "teams"`: a message for a Microsoft Teams Workflows webhook ("post to a channel
//! when a webhook request is received"): one Adaptive Card attachment. Office 365 connectors,
//! which took `MessageCard`s, are retired; Workflows take this shape.
//!
//! Version 1.5 for `rtl`: an Arabic headline and snippet sit in a right-to-left container.

use serde_json::{Value, json};

use super::{Shown, digest_of};

pub const CARD_TYPE: &str = "application/vnd.microsoft.card.adaptive";
pub const SCHEMA: &str = "http://adaptivecards.io/schemas/adaptive-card.json";
pub const VERSION: &str = "1.5";
/// Teams refuses messages over about 28 KB: a digest lists alerts up to this much text.
const DIGEST_TEXT: usize = 20_000;

/// The message for an alert's (or a digest's) JSON.
pub fn message(payload: &str) -> String {
    let alert: Value = serde_json::from_str(payload).unwrap_or_default();
    let (body, actions) = match digest_of(&alert) {
        Some((watch, alerts)) => (digest_body(&watch, &alerts), Vec::new()),
        None => {
            let shown = Shown::of(&alert);
            let actions = shown
                .url
                .iter()
                .map(|url| json!({"type": "Action.OpenUrl", "title": "Open the article", "url": url}))
                .collect();
            (alert_body(&shown), actions)
        }
    };
    json!({
        "type": "message",
        "attachments": [{
            "contentType": CARD_TYPE,
            "contentUrl": null,
            "content": {
                "$schema": SCHEMA,
                "type": "AdaptiveCard",
                "version": VERSION,
                "body": body,
                "actions": actions,
            },
        }],
    })
    .to_string()
}

fn alert_body(alert: &Shown) -> Vec<Value> {
    let mut told = vec![text_block(
        &alert.title,
        &[("size", "Large"), ("weight", "Bolder")],
    )];
    if let Some(snippet) = &alert.snippet {
        told.push(text_block(snippet, &[]));
    }
    let mut about = alert.outlet.clone();
    if !alert.other_outlets.is_empty() {
        about.push_str(&format!(
            " · also reported by {}",
            alert.other_outlets.join(", ")
        ));
    }
    vec![
        heading(&alert.severity, &alert.watch),
        container(alert.right_to_left(), told, None),
        text_block(&about, &[("isSubtle", "true"), ("size", "Small")]),
        text_block(
            &format!("raqib alert {}", alert.id),
            &[("isSubtle", "true"), ("size", "Small")],
        ),
    ]
}

/// The digest's alerts one container each (a click opens the article), as many as fit.
fn digest_body(watch: &str, alerts: &[Shown]) -> Vec<Value> {
    let mut body = vec![text_block(
        &format!(
            "digest · {watch}: {} alert{}",
            alerts.len(),
            if alerts.len() == 1 { "" } else { "s" }
        ),
        &[("weight", "Bolder")],
    )];
    let mut size = 0;
    let mut listed = 0;
    for alert in alerts {
        let entry = container(
            alert.right_to_left(),
            vec![
                text_block(&alert.title, &[("weight", "Bolder")]),
                text_block(
                    &format!("{} · {} · {}", alert.severity, alert.watch, alert.outlet),
                    &[("isSubtle", "true"), ("size", "Small")],
                ),
            ],
            alert.url.as_deref(),
        );
        size += entry.to_string().len();
        if size > DIGEST_TEXT {
            break;
        }
        body.push(entry);
        listed += 1;
    }
    if listed < alerts.len() {
        body.push(text_block(
            &format!(
                "… and {} more not shown here (raqib alerts lists them)",
                alerts.len() - listed
            ),
            &[("isSubtle", "true")],
        ));
    }
    body
}

/// `SEVERITY · watch`, in the severity's colour.
fn heading(severity: &str, watch: &str) -> Value {
    let colour = match severity {
        "critical" | "high" => "Attention",
        "medium" => "Warning",
        _ => "Accent",
    };
    let mut block = text_block(
        &format!("{} · {watch}", severity.to_uppercase()),
        &[("weight", "Bolder"), ("size", "Small")],
    );
    block["color"] = json!(colour);
    block
}

/// A TextBlock that wraps (Teams cuts unwrapped text at one line).
fn text_block(text: &str, style: &[(&str, &str)]) -> Value {
    let mut block = json!({"type": "TextBlock", "text": text, "wrap": true});
    for (key, value) in style {
        block[*key] = match *value {
            "true" => json!(true),
            other => json!(other),
        };
    }
    block
}

fn container(right_to_left: bool, items: Vec<Value>, opens: Option<&str>) -> Value {
    let mut container = json!({"type": "Container", "items": items});
    if right_to_left {
        container["rtl"] = json!(true);
    }
    if let Some(url) = opens {
        container["selectAction"] = json!({"type": "Action.OpenUrl", "url": url});
    }
    container
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arabic_alert_is_a_right_to_left_card_opening_the_article() {
        let payload = json!({
            "id": "a1", "watch": "hammouchi", "severity": "high",
            "article": {"url": "https://x.ma/a", "title": "حموشي يستقبل", "outlet": "X"},
            "matches": [{"snippet": "قال **الحموشي**"}],
        });
        let message: Value = serde_json::from_str(&message(&payload.to_string())).unwrap();
        let card = &message["attachments"][0]["content"];
        assert_eq!(card["type"], "AdaptiveCard");
        assert_eq!(card["body"][1]["rtl"], true);
        assert_eq!(card["body"][1]["items"][0]["text"], "حموشي يستقبل");
        assert_eq!(
            card["actions"][0],
            json!({"type": "Action.OpenUrl", "title": "Open the article", "url": "https://x.ma/a"})
        );
    }
}
