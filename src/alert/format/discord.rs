//! `format = "discord"`: a Discord webhook message. One embed per alert (title linking the
//! article, the snippet, watch, severity and outlet), a digest as one embed listing its alerts
//! as far as Discord's limits allow and counting the rest. `allowed_mentions` parses nothing,
//! and `@everyone`/`@here` in an outlet's text are broken with a zero-width space, so no alert
//! pings anyone.

use serde_json::{Value, json};

use super::{Shown, cut, digest_of, units};

/// Discord's documented limits (characters).
pub const CONTENT: usize = 2000;
pub const TITLE: usize = 256;
pub const DESCRIPTION: usize = 4096;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
/// Title, description, field names and values, footer and author of all embeds together.
pub const EMBEDS_TOTAL: usize = 6000;
pub const EMBEDS: usize = 10;

/// The message for an alert's (or a digest's) JSON.
pub fn message(payload: &str) -> String {
    let alert: Value = serde_json::from_str(payload).unwrap_or_default();
    let embed = match digest_of(&alert) {
        Some((watch, alerts)) => digest_embed(&watch, &alerts),
        None => alert_embed(&Shown::of(&alert)),
    };
    json!({
        "content": "",
        "embeds": [embed],
        "allowed_mentions": { "parse": [] },
    })
    .to_string()
}

fn alert_embed(alert: &Shown) -> Value {
    let mut description = alert
        .snippet
        .as_deref()
        .map(|s| format!("> {}", quiet(&escape_keeping_bold(s))))
        .unwrap_or_default();
    if !alert.other_outlets.is_empty() {
        description.push_str(&format!(
            "\nalso reported by {}",
            quiet(&escape(&alert.other_outlets.join(", ")))
        ));
    }
    // Discord refuses an empty field value or title: a missing one shows as a dash.
    let field = |name: &str, value: &str| {
        json!({
            "name": cut(name, FIELD_NAME),
            "value": cut(&quiet(&escape(or_dash(value))), FIELD_VALUE),
            "inline": true,
        })
    };
    let mut embed = json!({
        "title": cut(&quiet(or_dash(&alert.title)), TITLE),
        "color": colour(&alert.severity),
        "fields": [
            field("watch", &alert.watch),
            field("severity", &alert.severity),
            field("outlet", &alert.outlet),
        ],
        "footer": { "text": cut(&format!("raqib alert {}", alert.id), FOOTER) },
    });
    if !description.trim().is_empty() {
        embed["description"] = json!(cut(description.trim_start(), DESCRIPTION));
    }
    if let Some(url) = &alert.url {
        embed["url"] = json!(url);
    }
    if let Some(at) = &alert.raised_at {
        embed["timestamp"] = json!(at);
    }
    embed
}

/// One embed listing the digest's alerts, one line each, as many as fit in its description
/// and the message's total, then how many more there are.
fn digest_embed(watch: &str, alerts: &[Shown]) -> Value {
    let title = cut(
        &quiet(&format!(
            "digest · {watch}: {} alert{}",
            alerts.len(),
            if alerts.len() == 1 { "" } else { "s" }
        )),
        TITLE,
    );
    let footer = "raqib digest: every alert is in the outbox (raqib alerts)";
    // Room for the count line, whatever the number.
    let room = DESCRIPTION.min(EMBEDS_TOTAL - units(&title) - units(footer)) - 64;
    let mut description = String::new();
    let mut listed = 0;
    for alert in alerts {
        let line = digest_line(alert);
        let needed = units(&line) + usize::from(!description.is_empty());
        if units(&description) + needed > room {
            break;
        }
        if !description.is_empty() {
            description.push('\n');
        }
        description.push_str(&line);
        listed += 1;
    }
    if listed < alerts.len() {
        description.push_str(&format!(
            "\n… and {} more not shown here",
            alerts.len() - listed
        ));
    }
    json!({
        "title": title,
        "description": description,
        "color": colour(alerts.first().map_or("", |a| a.severity.as_str())),
        "footer": { "text": footer },
    })
}

/// `• **severity** · watch — [title](url) (outlet)`, each part bounded.
fn digest_line(alert: &Shown) -> String {
    let title = quiet(&escape(&cut(&alert.title, 200)));
    let link = match &alert.url {
        Some(url) => format!("[{title}]({})", url.replace(')', "%29")),
        None => title,
    };
    quiet(&format!(
        "• **{}** · {} — {link} ({})",
        escape(&alert.severity),
        escape(&cut(&alert.watch, 100)),
        escape(&cut(&alert.outlet, 100))
    ))
}

fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { "—" } else { text }
}

/// Severity as the embed's side colour.
fn colour(severity: &str) -> u32 {
    match severity {
        "critical" => 0xB0_00_20,
        "high" => 0xE8_59_0C,
        "medium" => 0xF2_C2_00,
        _ => 0x2F_80_ED,
    }
}

/// `@everyone` and `@here` broken with a zero-width space: Discord would otherwise show them
/// as pings even where `allowed_mentions` keeps them silent.
fn quiet(text: &str) -> String {
    text.replace("@everyone", "@\u{200B}everyone")
        .replace("@here", "@\u{200B}here")
}

/// Discord's Markdown characters escaped, so a headline shows as written.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '~' | '`' | '|' | '[' | ']' | '<' | '>' | '#'
        ) {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A snippet escaped, its `**` marks around the match kept as bold.
fn escape_keeping_bold(snippet: &str) -> String {
    snippet
        .split("**")
        .map(escape)
        .collect::<Vec<_>>()
        .join("**")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(title: &str) -> String {
        json!({
            "id": "a1", "watch": "hammouchi", "severity": "high",
            "raised_at": "2026-11-29T10:00:00Z",
            "article": {"url": "https://x.ma/a", "title": title, "outlet": "X @here"},
            "matches": [{"snippet": "قال **الحموشي** *إن*"}],
            "other_outlets": ["Y"],
        })
        .to_string()
    }

    #[test]
    fn an_alert_is_one_embed_pinging_no_one() {
        let message: Value =
            serde_json::from_str(&message(&alert("@everyone حموشي يستقبل"))).unwrap();
        assert_eq!(message["allowed_mentions"], json!({"parse": []}));
        let embed = &message["embeds"][0];
        assert_eq!(embed["title"], "@\u{200B}everyone حموشي يستقبل");
        assert_eq!(embed["url"], "https://x.ma/a");
        assert_eq!(
            embed["description"],
            "> قال **الحموشي** \\*إن\\*\nalso reported by Y"
        );
        assert_eq!(embed["fields"][2]["value"], "X @\u{200B}here");
        assert!(!message.to_string().contains("@everyone"));
    }

    #[test]
    fn an_alert_missing_fields_sends_no_empty_value_discord_refuses() {
        let message: Value = serde_json::from_str(&message(r#"{"id":"a1"}"#)).unwrap();
        let embed = &message["embeds"][0];
        assert!(embed.get("description").is_none(), "{embed}");
        assert!(!embed["title"].as_str().unwrap().is_empty());
        for field in embed["fields"].as_array().unwrap() {
            assert!(!field["value"].as_str().unwrap().is_empty(), "{field}");
        }
    }

    #[test]
    fn a_long_title_is_cut_to_discord_s_limit() {
        let message: Value = serde_json::from_str(&message(&alert(&"ح".repeat(1000)))).unwrap();
        assert_eq!(
            units(message["embeds"][0]["title"].as_str().unwrap()),
            TITLE
        );
    }
}
