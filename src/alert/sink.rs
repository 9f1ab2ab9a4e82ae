//! Where alerts go: a structured log event, a line in a JSONL file, an HTTP POST, or an email
//! ([`super::email`]).
//!
//! Every delivery carries the alert id so that receivers can drop repeats: delivery is at
//! least once, and a crash between sending and recording sends again.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::format::{discord, teams, template::Template};
use super::signing::StandardKey;
use crate::config::{self, Secret, Signing, SinkKind, Webhook, WebhookFormat};

#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("sink {sink}: cannot append to {path}: {source}")]
    File {
        sink: String,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no sink named {0} is configured (removed from the config while alerts were pending?)")]
    Unknown(String),
    /// Retrying will not help: the receiver refused the alert (4xx other than 429, or a
    /// redirect).
    #[error("sink {sink}: {url} refused the alert: {detail}")]
    Rejected {
        sink: String,
        url: String,
        detail: String,
    },
    /// The receiver could not take it now (5xx, 429, no connection, timeout).
    #[error("sink {sink}: {url} unavailable: {detail}")]
    Unavailable {
        sink: String,
        url: String,
        detail: String,
        retry_after: Option<Duration>,
    },
    #[error("sink {sink}: cannot build its HTTP client: {detail}")]
    Client { sink: String, detail: String },
    #[error("sink {sink}: {detail}")]
    Secret { sink: String, detail: String },
    /// The sink's template cannot be read, compiled or rendered on a sample alert.
    #[error("sink {sink}: {detail}")]
    Template { sink: String, detail: String },
}

impl SinkError {
    /// Whether trying again cannot succeed (the delivery is dead at once).
    pub fn is_permanent(&self) -> bool {
        matches!(self, SinkError::Rejected { .. })
    }

    /// The receiver's `Retry-After`, if it gave one.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            SinkError::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// A configured sink, ready to deliver.
#[derive(Clone)]
pub struct Sink {
    name: String,
    kind: SinkKind,
    max_per_minute: Option<u32>,
    /// For the sinks that speak HTTP.
    client: Option<reqwest::Client>,
    /// The secret the config names, read: the webhook's signing key (`signing = "raqib"`), the
    /// Telegram bot's token, the ntfy or Matrix access token.
    secret: Option<String>,
    /// The same key for `signing = "standard"`.
    standard: Option<StandardKey>,
    /// For `format = "template"`.
    template: Option<Arc<Template>>,
    /// For email.
    mailer: Option<super::email::Mailer>,
}

impl std::fmt::Debug for Sink {
    // The secret stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Headers every webhook request carries.
pub const ALERT_ID_HEADER: &str = "X-Raqib-Alert-Id";
pub const SIGNATURE_HEADER: &str = "X-Raqib-Signature";

impl Sink {
    /// Build the sink, reading its secret: fails when the secret cannot be read.
    pub fn new(config: &config::Sink) -> Result<Sink, SinkError> {
        let read = |key: &str, secret: &Secret| {
            secret.read().map_err(|detail| SinkError::Secret {
                sink: config.name.clone(),
                detail: format!("{}: {detail}", secret_key(key, secret)),
            })
        };
        let secret = match &config.kind {
            SinkKind::Webhook(Webhook {
                secret: Some(secret),
                ..
            }) => Some(read("secret", secret)?),
            SinkKind::Telegram(telegram) => Some(read("bot_token", &telegram.bot_token)?),
            SinkKind::Ntfy(ntfy) => ntfy
                .token
                .as_ref()
                .map(|token| read("token", token))
                .transpose()?,
            SinkKind::Matrix(matrix) => Some(read("access_token", &matrix.access_token)?),
            _ => None,
        };
        let refused = |detail: String| SinkError::Secret {
            sink: config.name.clone(),
            detail,
        };
        let (secret, standard) = match (&config.kind, secret) {
            (
                SinkKind::Webhook(Webhook {
                    signing: Signing::Standard,
                    ..
                }),
                Some(secret),
            ) => (None, Some(StandardKey::new(&secret).map_err(refused)?)),
            (_, secret) => (secret, None),
        };
        let template = match &config.kind {
            SinkKind::Webhook(Webhook {
                template: Some(path),
                content_type,
                ..
            }) => {
                let unusable = |detail: String| SinkError::Template {
                    sink: config.name.clone(),
                    detail,
                };
                let template = Template::load(path, content_type).map_err(unusable)?;
                template.check(&config.name).map_err(unusable)?;
                Some(Arc::new(template))
            }
            _ => None,
        };
        let timeout = match &config.kind {
            SinkKind::Webhook(webhook) => Some(webhook.timeout),
            SinkKind::Telegram(telegram) => Some(telegram.timeout),
            SinkKind::Ntfy(ntfy) => Some(ntfy.timeout),
            SinkKind::Matrix(matrix) => Some(matrix.timeout),
            _ => None,
        };
        let client = match timeout {
            Some(timeout) => Some(
                reqwest::Client::builder()
                    .timeout(timeout)
                    // A receiver that moved is a configuration to fix, not a place to follow
                    // with the alert, its signature or a token.
                    .redirect(reqwest::redirect::Policy::none())
                    .user_agent(concat!("raqib/", env!("CARGO_PKG_VERSION")))
                    .build()
                    .map_err(|e| SinkError::Client {
                        sink: config.name.clone(),
                        detail: e.to_string(),
                    })?,
            ),
            None => None,
        };
        Ok(Sink {
            name: config.name.clone(),
            kind: config.kind.clone(),
            max_per_minute: config.max_per_minute,
            client,
            secret,
            standard,
            template,
            mailer: match &config.kind {
                SinkKind::Email(email) => Some(super::email::Mailer::new(&config.name, email)?),
                _ => None,
            },
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many messages it may send a minute, if it is limited.
    pub fn max_per_minute(&self) -> Option<u32> {
        self.max_per_minute
    }

    /// Deliver one alert's JSON (`payload`), whose id is `alert_id`.
    pub async fn deliver(&self, alert_id: &str, payload: &str) -> Result<(), SinkError> {
        match &self.kind {
            SinkKind::Log => {
                log_alert(&self.name, alert_id, payload);
                Ok(())
            }
            SinkKind::Jsonl { path } => {
                let (name, path, line) = (self.name.clone(), path.clone(), format!("{payload}\n"));
                tokio::task::spawn_blocking(move || append_line(&name, &path, &line))
                    .await
                    .unwrap_or_else(|e| {
                        Err(SinkError::File {
                            sink: self.name.clone(),
                            path: PathBuf::new(),
                            source: std::io::Error::other(e.to_string()),
                        })
                    })
            }
            SinkKind::Email(_) => match &self.mailer {
                Some(mailer) => mailer.send(&self.name, alert_id, payload).await,
                None => Err(SinkError::Client {
                    sink: self.name.clone(),
                    detail: "no mailer".into(),
                }),
            },
            SinkKind::Webhook(webhook) => {
                self.post(self.client()?, webhook, alert_id, payload).await
            }
            SinkKind::Telegram(telegram) => {
                let token = self.secret.as_deref().unwrap_or_default();
                let client = self.client()?;
                super::telegram::send(client, telegram, token, &self.name, alert_id, payload).await
            }
            SinkKind::Ntfy(ntfy) => {
                let token = self.secret.as_deref();
                let client = self.client()?;
                super::ntfy::send(client, ntfy, token, &self.name, alert_id, payload).await
            }
            SinkKind::Matrix(matrix) => {
                let token = self.secret.as_deref().unwrap_or_default();
                let client = self.client()?;
                super::matrix::send(client, matrix, token, &self.name, alert_id, payload).await
            }
        }
    }

    fn client(&self) -> Result<&reqwest::Client, SinkError> {
        self.client.as_ref().ok_or_else(|| SinkError::Client {
            sink: self.name.clone(),
            detail: "no client".into(),
        })
    }

    async fn post(
        &self,
        client: &reqwest::Client,
        webhook: &Webhook,
        alert_id: &str,
        payload: &str,
    ) -> Result<(), SinkError> {
        let url = webhook.url.to_string();
        let unavailable = |detail: String, retry_after| SinkError::Unavailable {
            sink: self.name.clone(),
            url: url.clone(),
            detail,
            retry_after,
        };
        let (body, content_type) = match (webhook.format, &self.template) {
            (WebhookFormat::Json, _) => (payload.to_string(), "application/json"),
            (WebhookFormat::Slack, _) => (
                serde_json::json!({ "text": slack_text(payload) }).to_string(),
                "application/json",
            ),
            (WebhookFormat::Discord, _) => (discord::message(payload), "application/json"),
            (WebhookFormat::Teams, _) => (teams::message(payload), "application/json"),
            // A template that fails on this alert is the config's to fix: retried, so a
            // corrected template (SIGHUP) still delivers it.
            (WebhookFormat::Template, Some(template)) => (
                template
                    .render(&self.name, payload)
                    .map_err(|e| unavailable(e, None))?,
                webhook.content_type.as_str(),
            ),
            (WebhookFormat::Template, None) => {
                return Err(SinkError::Client {
                    sink: self.name.clone(),
                    detail: "no template".into(),
                });
            }
        };
        let mut request = client
            .post(webhook.url.clone())
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header(ALERT_ID_HEADER, alert_id)
            .header("Idempotency-Key", alert_id);
        for (name, value) in &webhook.headers {
            request = request.header(name, value);
        }
        if let Some(secret) = &self.secret {
            request = request.header(SIGNATURE_HEADER, signature(secret, body.as_bytes()));
        }
        if let Some(key) = &self.standard {
            // The alert id is the message id: the same on every retry, so a receiver drops
            // repeats; the timestamp is the attempt's.
            let timestamp = chrono::Utc::now().timestamp();
            request = request
                .header("webhook-id", alert_id)
                .header("webhook-timestamp", timestamp.to_string())
                .header(
                    "webhook-signature",
                    key.sign(alert_id, timestamp, body.as_bytes()),
                );
        }
        let response = request
            .body(body)
            .send()
            .await
            .map_err(|e| unavailable(describe(&e), None))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        let header = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let retry_after = if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            header.max(retry_after_in_body(response).await)
        } else {
            header
        };
        let detail = format!("HTTP {status}");
        if status.is_server_error() || status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            Err(unavailable(detail, retry_after))
        } else {
            Err(SinkError::Rejected {
                sink: self.name.clone(),
                url,
                detail,
            })
        }
    }
}

/// The key a secret was given with: `key`, `key_env` or `key_file`.
fn secret_key(key: &str, secret: &Secret) -> String {
    match secret {
        Secret::Inline(_) => key.to_string(),
        Secret::Env(_) => format!("{key}_env"),
        Secret::File(_) => format!("{key}_file"),
    }
}

/// The wait a 429's JSON body asks for: Discord's `retry_after`, in seconds with a fraction,
/// rounded up. Only the body's first 16 KiB are read.
async fn retry_after_in_body(mut response: reqwest::Response) -> Option<Duration> {
    const READ: usize = 16 * 1024;
    let mut body = Vec::new();
    while body.len() < READ {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    let answer: serde_json::Value = serde_json::from_slice(&body).ok()?;
    let seconds = answer["retry_after"].as_f64()?;
    (seconds.is_finite() && seconds >= 0.0)
        .then(|| Duration::from_secs(seconds.ceil().min(86_400.0) as u64))
}

/// What went wrong with a request, without reqwest's repetition of the URL.
pub(super) fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        return "no answer within the sink's timeout".to_string();
    }
    let kind = if err.is_connect() {
        "cannot connect"
    } else {
        "request failed"
    };
    std::iter::once(kind.to_string())
        .chain(crate::fetch::causes(err))
        .collect::<Vec<_>>()
        .join(": ")
}

fn log_alert(sink: &str, alert_id: &str, payload: &str) {
    let summary: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    if super::digest::is_digest(&summary) {
        tracing::warn!(
            target: "raqib::alert",
            sink,
            alert_id,
            watch = summary["watch"].as_str().unwrap_or_default(),
            count = summary["count"].as_u64().unwrap_or_default(),
            alert = payload,
            "watch digest"
        );
        return;
    }
    tracing::warn!(
        target: "raqib::alert",
        sink,
        alert_id,
        watch = summary["watch"].as_str().unwrap_or_default(),
        severity = summary["severity"].as_str().unwrap_or_default(),
        story = summary["story"].as_i64().unwrap_or_default(),
        url = summary["article"]["url"].as_str().unwrap_or_default(),
        title = summary["article"]["title"].as_str().unwrap_or_default(),
        outlet = summary["article"]["outlet"].as_str().unwrap_or_default(),
        alert = payload,
        "watch fired"
    );
}

/// Append one whole line: one write to a file opened for appending, so concurrent writers and
/// a crash leave whole lines, never torn ones.
fn append_line(sink: &str, path: &Path, line: &str) -> Result<(), SinkError> {
    let file_err = |source| SinkError::File {
        sink: sink.to_string(),
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(file_err)?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(file_err)?;
    file.write_all(line.as_bytes()).map_err(file_err)?;
    file.sync_data().map_err(file_err)
}

/// `sha256=` and the hex HMAC-SHA256 of `body` under `secret`: receivers recompute it to know
/// the alert came from us, unaltered.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// An alert as a Slack/Mattermost message: severity and watch, the article as a link, the
/// first snippet quoted, the other outlets.
fn slack_text(payload: &str) -> String {
    let alert: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    if super::digest::is_digest(&alert) {
        let alerts = alert["alerts"].as_array().cloned().unwrap_or_default();
        let mut text = format!(
            "*digest* · *{}*: {} alert{}",
            escape_slack(alert["watch"].as_str().unwrap_or_default()),
            alerts.len(),
            if alerts.len() == 1 { "" } else { "s" }
        );
        for one in &alerts {
            text.push_str("\n• ");
            text.push_str(&slack_line(one));
        }
        return text;
    }
    let mut text = slack_line(&alert);
    if let Some(snippet) = alert["matches"][0]["snippet"].as_str() {
        // Our snippets mark the match in Markdown bold; Slack's bold is a single star.
        text.push_str(&format!("\n> {}", escape_slack(snippet).replace("**", "*")));
    }
    let others: Vec<&str> = alert["other_outlets"]
        .as_array()
        .map(|a| a.iter().filter_map(|o| o.as_str()).collect())
        .unwrap_or_default();
    if !others.is_empty() {
        text.push_str(&format!(
            "\nalso reported by {}",
            escape_slack(&others.join(", "))
        ));
    }
    text
}

/// `*severity* · *watch* — <url|title> (outlet)`.
fn slack_line(alert: &serde_json::Value) -> String {
    let field = |v: &serde_json::Value| escape_slack(v.as_str().unwrap_or_default());
    let article = &alert["article"];
    let title = field(&article["title"]);
    let link = match article["url"].as_str() {
        Some(url) => format!("<{}|{title}>", escape_slack(url)),
        None => title,
    };
    format!(
        "*{}* · *{}* — {link} ({})",
        field(&alert["severity"]),
        field(&alert["watch"]),
        field(&article["outlet"])
    )
}

/// Slack's three control characters.
fn escape_slack(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn jsonl_appends_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out/alerts.jsonl");
        let sink = Sink::new(&config::Sink {
            name: "f".into(),
            kind: SinkKind::Jsonl { path: path.clone() },
            max_per_minute: None,
        })
        .unwrap();
        sink.deliver("a", r#"{"id":"a"}"#).await.unwrap();
        sink.deliver("b", r#"{"id":"b"}"#).await.unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "{\"id\":\"a\"}\n{\"id\":\"b\"}\n"
        );
    }

    #[tokio::test]
    async fn an_unwritable_file_is_an_error_naming_the_sink() {
        let dir = tempfile::tempdir().unwrap();
        let sink = Sink::new(&config::Sink {
            name: "f".into(),
            kind: SinkKind::Jsonl {
                path: dir.path().to_path_buf(),
            },
            max_per_minute: None,
        })
        .unwrap();
        let err = sink.deliver("a", "{}").await.unwrap_err();
        assert!(err.to_string().contains("sink f"), "{err}");
        assert!(!err.is_permanent());
    }

    #[test]
    fn a_sink_s_debug_never_shows_its_secret() {
        let sink = Sink::new(&config::Sink {
            name: "hook".into(),
            kind: SinkKind::Webhook(Webhook {
                url: "https://hooks.example.org/x".parse().unwrap(),
                format: WebhookFormat::Json,
                headers: Default::default(),
                secret: Some(Secret::Inline("s3cret-key".into())),
                timeout: Duration::from_secs(1),
                signing: Signing::Raqib,
                template: None,
                content_type: "application/json".into(),
            }),
            max_per_minute: None,
        })
        .unwrap();
        let shown = format!("{sink:?}");
        assert!(
            shown.contains("hook") && !shown.contains("s3cret-key"),
            "{shown}"
        );
    }

    #[test]
    fn signatures_are_hmac_sha256_in_hex() {
        // RFC 4231, test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn slack_digests_list_their_alerts() {
        let one = r#"{"watch":"h","severity":"low","article":{"url":"https://x.ma/1","title":"A","outlet":"X"}}"#;
        let digest = super::super::digest::digest("h", chrono::Utc::now(), &[one, one]);
        assert_eq!(
            slack_text(&digest.payload),
            "*digest* · *h*: 2 alerts\n• *low* · *h* — <https://x.ma/1|A> (X)\n• *low* · *h* — <https://x.ma/1|A> (X)"
        );
    }

    #[test]
    fn slack_messages_link_the_article_and_quote_the_snippet() {
        let payload = r#"{"watch":"hammouchi","severity":"high","article":{"url":"https://x.ma/a?b=1&c=2","title":"حموشي <يستقبل>","outlet":"X"},
            "matches":[{"snippet":"قال **الحموشي** إن"}],"other_outlets":["Y","Z"]}"#;
        assert_eq!(
            slack_text(payload),
            "*high* · *hammouchi* — <https://x.ma/a?b=1&amp;c=2|حموشي &lt;يستقبل&gt;> (X)\n> قال *الحموشي* إن\nalso reported by Y, Z"
        );
    }
}
