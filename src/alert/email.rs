//! The email sink: one message per alert through an SMTP server (lettre), with a plain-text
//! part and an HTML part laid out right to left for Arabic.
//!
//! The message id is derived from the alert id, so a repeated delivery (at least once) can be
//! recognised by mail clients and filters as the same message.

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use super::sink::SinkError;
use crate::config::{Email, SmtpTls};

/// A message ready to send: subject and both bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// An SMTP connection setting and the addresses.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    to: Vec<Mailbox>,
    server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .finish()
    }
}

impl Mailer {
    /// Build the transport for sink `sink`, reading its password.
    pub fn new(sink: &str, email: &Email) -> Result<Mailer, SinkError> {
        let fail = |detail: String| SinkError::Client {
            sink: sink.to_string(),
            detail,
        };
        let builder = match email.tls {
            SmtpTls::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&email.host),
            SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&email.host),
            SmtpTls::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
                &email.host,
            )),
        }
        .map_err(|e| fail(e.to_string()))?;
        let mut builder = builder.port(email.port).timeout(Some(email.timeout));
        if let (Some(user), Some(password)) = (&email.username, &email.password) {
            let password = password.read().map_err(|detail| SinkError::Secret {
                sink: sink.to_string(),
                detail,
            })?;
            builder = builder.credentials(Credentials::new(user.clone(), password));
        }
        let mailbox = |a: &str| {
            a.parse::<Mailbox>()
                .map_err(|e| fail(format!("{a:?}: {e}")))
        };
        Ok(Mailer {
            transport: builder.build(),
            from: mailbox(&email.from)?,
            to: email
                .to
                .iter()
                .map(|a| mailbox(a))
                .collect::<Result<_, _>>()?,
            server: format!("smtp://{}:{}", email.host, email.port),
        })
    }

    /// Send the alert `payload` (its JSON) whose id is `alert_id`.
    pub async fn send(&self, sink: &str, alert_id: &str, payload: &str) -> Result<(), SinkError> {
        let rendered = render(payload);
        let mut message = Message::builder()
            .from(self.from.clone())
            .subject(rendered.subject)
            .message_id(Some(format!("<{alert_id}@raqib>")));
        for to in &self.to {
            message = message.to(to.clone());
        }
        let message = message
            .multipart(MultiPart::alternative_plain_html(
                rendered.text,
                rendered.html,
            ))
            .map_err(|e| SinkError::Rejected {
                sink: sink.to_string(),
                url: self.server.clone(),
                detail: format!("cannot build the message: {e}"),
            })?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            // 5xx: the server will not take it (a bad address, a refused sender).
            Err(e) if e.is_permanent() => Err(SinkError::Rejected {
                sink: sink.to_string(),
                url: self.server.clone(),
                detail: e.to_string(),
            }),
            Err(e) => Err(SinkError::Unavailable {
                sink: sink.to_string(),
                url: self.server.clone(),
                detail: e.to_string(),
                retry_after: None,
            }),
        }
    }
}

/// Subject and bodies of an alert. The subject says severity, watch and title; both bodies
/// give the article, its outlet and link, every match with its snippet, and the other outlets.
/// The HTML part is right to left when the article is Arabic.
pub fn render(payload: &str) -> Rendered {
    let alert: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    if super::digest::is_digest(&alert) {
        return render_digest(&alert);
    }
    render_one(&alert)
}

/// A digest: every alert of the period, one after another, under one subject.
fn render_digest(digest: &serde_json::Value) -> Rendered {
    let alerts = digest["alerts"].as_array().cloned().unwrap_or_default();
    let parts: Vec<Rendered> = alerts.iter().map(render_one).collect();
    let watch = digest["watch"].as_str().unwrap_or_default();
    let arabic = parts.iter().any(|p| p.html.contains("dir=\"rtl\""));
    let (dir, lang) = if arabic { ("rtl", "ar") } else { ("ltr", "") };
    let mut html = format!(
        "<!DOCTYPE html>\n<html dir=\"{dir}\" lang=\"{lang}\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family: sans-serif\">\n"
    );
    let mut text = String::new();
    for part in &parts {
        text.push_str(&part.text);
        text.push_str("\n----\n");
        let body = part
            .html
            .split_once("<body style=\"font-family: sans-serif\">\n");
        let body = body
            .map_or("", |(_, b)| b)
            .trim_end_matches("</body></html>\n");
        html.push_str(body);
        html.push_str("<hr>\n");
    }
    html.push_str("</body></html>\n");
    Rendered {
        subject: format!(
            "[raqib] digest · {watch}: {} alert{}",
            parts.len(),
            if parts.len() == 1 { "" } else { "s" }
        ),
        text,
        html,
    }
}

fn render_one(alert: &serde_json::Value) -> Rendered {
    let text_of = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let article = &alert["article"];
    let (watch, severity) = (text_of(&alert["watch"]), text_of(&alert["severity"]));
    let (title, outlet, url) = (
        text_of(&article["title"]),
        text_of(&article["outlet"]),
        text_of(&article["url"]),
    );
    let arabic =
        article["lang"].as_str() == Some("ar") || title.chars().any(crate::text::is_arabic_letter);
    let snippets: Vec<String> = alert["matches"]
        .as_array()
        .map(|m| m.iter().map(|m| text_of(&m["snippet"])).collect())
        .unwrap_or_default();
    let others: Vec<String> = alert["other_outlets"]
        .as_array()
        .map(|o| o.iter().map(text_of).collect())
        .unwrap_or_default();

    let mut text = format!("{title}\n{outlet}  {url}\n\nwatch: {watch} ({severity})\n");
    for snippet in &snippets {
        text.push_str(&format!("\n> {snippet}\n"));
    }
    if !others.is_empty() {
        text.push_str(&format!("\nalso reported by: {}\n", others.join(", ")));
    }

    let (dir, lang) = if arabic { ("rtl", "ar") } else { ("ltr", "") };
    let mut html = format!(
        "<!DOCTYPE html>\n<html dir=\"{dir}\" lang=\"{lang}\"><head><meta charset=\"utf-8\"></head>\
         <body style=\"font-family: sans-serif\">\n<h2><a href=\"{}\">{}</a></h2>\n<p>{} · {} ({})</p>\n",
        escape(&url),
        escape(&title),
        escape(&outlet),
        escape(&watch),
        escape(&severity)
    );
    for snippet in &snippets {
        html.push_str(&format!("<blockquote>{}</blockquote>\n", marked(snippet)));
    }
    if !others.is_empty() {
        html.push_str(&format!(
            "<p>also reported by: {}</p>\n",
            escape(&others.join(", "))
        ));
    }
    html.push_str("</body></html>\n");
    Rendered {
        subject: format!("[raqib] {severity} · {watch}: {title}"),
        text,
        html,
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A snippet with its `**match**` as `<mark>match</mark>`.
fn marked(snippet: &str) -> String {
    escape(snippet)
        .split(crate::watch::MARK)
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<mark>{part}</mark>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_alerts_render_right_to_left_with_the_match_marked() {
        let payload = r#"{"watch":"hammouchi","severity":"high","article":{"url":"https://x.ma/a?b=1&c=2","title":"حموشي يستقبل زوييف","outlet":"هسبريس","lang":"ar"},
            "matches":[{"snippet":"قال **الحموشي** إن <التعاون>"}],"other_outlets":["Le360"]}"#;
        let r = render(payload);
        assert_eq!(r.subject, "[raqib] high · hammouchi: حموشي يستقبل زوييف");
        assert!(
            r.html.contains("<html dir=\"rtl\" lang=\"ar\">"),
            "{}",
            r.html
        );
        assert!(
            r.html.contains("<mark>الحموشي</mark> إن &lt;التعاون&gt;"),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"https://x.ma/a?b=1&amp;c=2\""));
        assert!(r.text.contains("> قال **الحموشي** إن <التعاون>"));
        assert!(r.text.contains("also reported by: Le360"));
    }

    #[test]
    fn a_digest_is_one_message_with_every_alert() {
        let one = r#"{"watch":"h","severity":"low","article":{"title":"حموشي","lang":"ar"},"matches":[]}"#;
        let digest = super::super::digest::digest("h", chrono::Utc::now(), &[one, one, one]);
        let r = render(&digest.payload);
        assert_eq!(r.subject, "[raqib] digest · h: 3 alerts");
        assert_eq!(r.html.matches("<h2>").count(), 3);
        assert!(r.html.starts_with("<!DOCTYPE html>\n<html dir=\"rtl\""));
        assert_eq!(r.text.matches("watch: h (low)").count(), 3);
    }

    #[test]
    fn other_alerts_render_left_to_right() {
        let r = render(r#"{"watch":"w","article":{"title":"DGSN","lang":"fr"},"matches":[]}"#);
        assert!(r.html.contains("dir=\"ltr\""));
    }
}
