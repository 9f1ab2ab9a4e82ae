//! `[[sink]]`: where alerts are delivered, and the secrets sinks need.
//!
//! A secret (a webhook's signing key) may be written in the file (`secret`), or named:
//! `secret_env` reads an environment variable, `secret_file` a file (systemd's
//! `LoadCredential=` puts them under `$CREDENTIALS_DIRECTORY`), so `config.toml` need not
//! hold it. Named secrets are read when a sink is built (the daemon's start, `check-config`),
//! not by every command: `raqib alerts` works from a shell that lacks the service's secrets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::Checker;

mod chat;
pub use chat::{ChatId, Matrix, Ntfy, TELEGRAM_API, Telegram};

/// `[[sink]]`: where alerts are delivered.
#[derive(Debug, Clone)]
pub struct Sink {
    pub name: String,
    pub kind: SinkKind,
    /// `max_per_minute`: at most this many messages a minute; the alerts beyond it are folded
    /// into one digest sent when the minute allows.
    pub max_per_minute: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkKind {
    /// A structured tracing event.
    Log,
    /// One JSON object per line, appended to a file.
    Jsonl { path: PathBuf },
    /// An HTTP POST per alert.
    Webhook(Webhook),
    /// A message per alert through an SMTP server.
    Email(Email),
    /// A message per alert from a Telegram bot.
    Telegram(Telegram),
    /// A notification per alert published to an ntfy topic.
    Ntfy(Ntfy),
    /// A message per alert in a Matrix room.
    Matrix(Matrix),
}

/// `type = "email"`.
#[derive(Clone, PartialEq, Eq)]
pub struct Email {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    /// Login, with its password.
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// `From:`, e.g. `raqib <raqib@example.org>`.
    pub from: String,
    pub to: Vec<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Email")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("from", &self.from)
            .field("to", &self.to)
            .finish()
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (port 587), required.
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only to a server on this machine.
    None,
}

/// `type = "webhook"`.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: Url,
    pub format: WebhookFormat,
    /// Extra request headers (an `Authorization` token, say).
    pub headers: BTreeMap<String, String>,
    /// The signing key, if any.
    pub secret: Option<Secret>,
    /// Which headers carry the signature.
    pub signing: Signing,
    /// For `format = "template"`: the template file and what its output is.
    pub template: Option<PathBuf>,
    pub content_type: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for Webhook {
    // Secrets and header values (tokens) stay out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("url", &self.url.as_str())
            .field("format", &self.format)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("secret", &self.secret.as_ref().map(|_| "…"))
            .field("signing", &self.signing)
            .field("template", &self.template)
            .field("content_type", &self.content_type)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Where a secret is.
#[derive(Clone, PartialEq, Eq)]
pub enum Secret {
    Inline(String),
    Env(String),
    File(PathBuf),
}

impl Secret {
    /// The secret itself, or why it cannot be read (naming the variable or file, not the key:
    /// sinks and the database name their own).
    pub fn read(&self) -> Result<String, String> {
        match self {
            Secret::Inline(value) => Ok(value.clone()),
            Secret::Env(var) => match std::env::var(var) {
                Ok(value) if !value.is_empty() => Ok(value),
                _ => Err(format!("environment variable {var:?} is not set")),
            },
            Secret::File(path) => match std::fs::read_to_string(path) {
                Ok(value) if !value.trim().is_empty() => {
                    Ok(value.trim_end_matches(['\n', '\r']).to_string())
                }
                Ok(_) => Err(format!("{} is empty", path.display())),
                Err(err) => Err(format!("cannot read {}: {err}", path.display())),
            },
        }
    }
}

/// The body a webhook receives.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookFormat {
    /// The alert's JSON, as every sink has it.
    #[default]
    Json,
    /// `{"text": "…"}`, which Slack and Mattermost incoming webhooks render.
    Slack,
    /// A Discord webhook message: embeds within Discord's limits, mentioning no one.
    Discord,
    /// A Microsoft Teams Workflows message carrying an Adaptive Card.
    Teams,
    /// Whatever the sink's `template` renders from the alert.
    Template,
}

/// How a webhook's body is signed (`signing`), when it has a secret.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Signing {
    /// `X-Raqib-Signature: sha256=<hex HMAC-SHA256 of the body>`.
    #[default]
    Raqib,
    /// Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    Standard,
}

/// What a template's output is declared as when `content_type` is not given.
pub const DEFAULT_TEMPLATE_CONTENT_TYPE: &str = "application/json";

/// How long an SMTP exchange may take when `timeout` is not given.
pub const DEFAULT_EMAIL_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a webhook may take to answer when `timeout` is not given.
pub const DEFAULT_WEBHOOK_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSink {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    path: Option<Spanned<String>>,
    url: Option<Spanned<String>>,
    format: Option<WebhookFormat>,
    template: Option<Spanned<String>>,
    content_type: Option<Spanned<String>>,
    signing: Option<Spanned<Signing>>,
    max_per_minute: Option<Spanned<i64>>,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    secret: Option<String>,
    secret_env: Option<Spanned<String>>,
    secret_file: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
    smtp_host: Option<Spanned<String>>,
    smtp_port: Option<u16>,
    tls: Option<SmtpTls>,
    username: Option<String>,
    password: Option<String>,
    password_env: Option<Spanned<String>>,
    password_file: Option<Spanned<String>>,
    from: Option<Spanned<String>>,
    to: Option<Vec<Spanned<String>>>,
    bot_token: Option<String>,
    bot_token_env: Option<Spanned<String>>,
    bot_token_file: Option<Spanned<String>>,
    chat_id: Option<Spanned<ChatId>>,
    api_url: Option<Spanned<String>>,
    token: Option<String>,
    token_env: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    homeserver: Option<Spanned<String>>,
    room_id: Option<Spanned<String>>,
    access_token: Option<String>,
    access_token_env: Option<Spanned<String>>,
    access_token_file: Option<Spanned<String>>,
}

/// The three ways one secret setting can be written.
#[derive(Clone, Copy)]
struct Spelled<'a> {
    key: &'a str,
    inline: &'a Option<String>,
    env: &'a Option<Spanned<String>>,
    file: &'a Option<Spanned<String>>,
}

impl Checker<'_> {
    pub(super) fn sinks(&mut self, base: &Path, raw: Vec<Spanned<RawSink>>) -> Vec<Sink> {
        let mut sinks: Vec<Sink> = Vec::new();
        for raw in raw {
            let span = raw.span();
            let raw = raw.into_inner();
            let Some(name) =
                self.unique_name("sink", &raw.name, sinks.iter().map(|s| s.name.as_str()))
            else {
                continue;
            };
            let kind = match raw.kind.get_ref().as_str() {
                "log" => SinkKind::Log,
                "jsonl" => match &raw.path {
                    Some(path) => SinkKind::Jsonl {
                        path: self.state_path(base, path, "sink path"),
                    },
                    None => {
                        self.problem(
                            span.start,
                            format!("sink {name:?} of type \"jsonl\" needs a path"),
                        );
                        continue;
                    }
                },
                "webhook" => match self.webhook(&name, span.start, base, &raw) {
                    Some(webhook) => SinkKind::Webhook(webhook),
                    None => continue,
                },
                "email" => match self.email(&name, span.start, base, &raw) {
                    Some(email) => SinkKind::Email(email),
                    None => continue,
                },
                "telegram" => match self.telegram(&name, span.start, base, &raw) {
                    Some(telegram) => SinkKind::Telegram(telegram),
                    None => continue,
                },
                "ntfy" => match self.ntfy(&name, span.start, base, &raw) {
                    Some(ntfy) => SinkKind::Ntfy(ntfy),
                    None => continue,
                },
                "matrix" => match self.matrix(&name, span.start, base, &raw) {
                    Some(matrix) => SinkKind::Matrix(matrix),
                    None => continue,
                },
                other => {
                    self.problem(
                        raw.kind.span().start,
                        format!(
                            "sink {name:?} has unknown type {other:?}; expected \"log\", \"jsonl\", \"webhook\", \"email\", \"telegram\", \"ntfy\" or \"matrix\""
                        ),
                    );
                    continue;
                }
            };
            let max_per_minute = self.max_per_minute(&name, raw.max_per_minute.as_ref());
            sinks.push(Sink {
                name,
                kind,
                max_per_minute,
            });
        }
        sinks
    }

    fn webhook(&mut self, name: &str, at: usize, base: &Path, raw: &RawSink) -> Option<Webhook> {
        let Some(url) = &raw.url else {
            self.problem(at, format!("sink {name:?} of type \"webhook\" needs a url"));
            return None;
        };
        let parsed = match Url::parse(url.get_ref()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            Ok(u) => {
                self.problem(
                    url.span().start,
                    format!(
                        "sink {name:?}: url must be http or https, not {:?}",
                        u.scheme()
                    ),
                );
                return None;
            }
            Err(err) => {
                self.problem(
                    url.span().start,
                    format!(
                        "sink {name:?}: url {:?} is not a URL ({err})",
                        url.get_ref()
                    ),
                );
                return None;
            }
        };
        for (header, value) in &raw.headers {
            let valid_name = reqwest::header::HeaderName::from_bytes(header.as_bytes()).is_ok();
            if !valid_name || reqwest::header::HeaderValue::from_str(value).is_err() {
                self.problem(
                    at,
                    format!("sink {name:?}: header {header:?} is not a valid HTTP header"),
                );
            }
        }
        let secret = self.secret(name, at, base, raw);
        let format = raw.format.unwrap_or_default();
        let signing = match &raw.signing {
            Some(signing) if secret.is_none() => {
                self.problem(
                    signing.span().start,
                    format!("sink {name:?}: signing needs a secret, secret_env or secret_file"),
                );
                *signing.get_ref()
            }
            Some(signing) => *signing.get_ref(),
            None => Signing::default(),
        };
        let template = match (&raw.template, format) {
            (Some(template), WebhookFormat::Template) => {
                Some(self.path(base, template, &format!("sink {name:?} template")))
            }
            (None, WebhookFormat::Template) => {
                self.problem(
                    at,
                    format!("sink {name:?}: format = \"template\" needs a template file"),
                );
                return None;
            }
            (Some(template), _) => {
                self.problem(
                    template.span().start,
                    format!("sink {name:?}: template is read only with format = \"template\""),
                );
                None
            }
            (None, _) => None,
        };
        let content_type = match &raw.content_type {
            Some(given) if format != WebhookFormat::Template => {
                self.problem(
                    given.span().start,
                    format!(
                        "sink {name:?}: content_type is set only with format = \"template\" (the other formats are JSON)"
                    ),
                );
                DEFAULT_TEMPLATE_CONTENT_TYPE.to_string()
            }
            Some(given) => {
                if reqwest::header::HeaderValue::from_str(given.get_ref()).is_err()
                    || !given.get_ref().contains('/')
                {
                    self.problem(
                        given.span().start,
                        format!(
                            "sink {name:?}: content_type {:?} is not a media type",
                            given.get_ref()
                        ),
                    );
                }
                given.get_ref().clone()
            }
            None => DEFAULT_TEMPLATE_CONTENT_TYPE.to_string(),
        };
        Some(Webhook {
            url: parsed,
            format,
            headers: raw.headers.clone(),
            secret,
            signing,
            template,
            content_type,
            timeout: self.duration(
                raw.timeout.as_ref(),
                &format!("sink {name:?} timeout"),
                DEFAULT_WEBHOOK_TIMEOUT,
                super::bounds::TIMEOUT,
            ),
        })
    }

    /// `max_per_minute`: a positive whole number.
    fn max_per_minute(&mut self, name: &str, raw: Option<&Spanned<i64>>) -> Option<u32> {
        let raw = raw?;
        match u32::try_from(*raw.get_ref()) {
            Ok(limit) if limit > 0 => Some(limit),
            _ => {
                self.problem(
                    raw.span().start,
                    format!(
                        "sink {name:?}: max_per_minute must be a whole number from 1 to {}, not {}",
                        u32::MAX,
                        raw.get_ref()
                    ),
                );
                None
            }
        }
    }

    /// Where the sink's secret is: `secret`, `secret_env` or `secret_file` (one at most).
    fn secret(&mut self, name: &str, at: usize, base: &Path, raw: &RawSink) -> Option<Secret> {
        let spelled = Spelled {
            key: "secret",
            inline: &raw.secret,
            env: &raw.secret_env,
            file: &raw.secret_file,
        };
        self.secret_from(name, at, base, spelled)
    }

    /// A secret given inline, as `<key>_env` or as `<key>_file` (one at most).
    fn secret_from(
        &mut self,
        name: &str,
        at: usize,
        base: &Path,
        spelled: Spelled<'_>,
    ) -> Option<Secret> {
        let Spelled {
            key,
            inline,
            env,
            file,
        } = spelled;
        let given = [inline.is_some(), env.is_some(), file.is_some()];
        if given.iter().filter(|g| **g).count() > 1 {
            self.problem(
                at,
                format!("sink {name:?}: give one of {key}, {key}_env, {key}_file"),
            );
            return None;
        }
        if let Some(value) = inline {
            return Some(Secret::Inline(value.clone()));
        }
        if let Some(var) = env {
            return Some(Secret::Env(var.get_ref().clone()));
        }
        let file = file.as_ref()?;
        Some(Secret::File(self.path(base, file, &format!("{key}_file"))))
    }

    fn email(&mut self, name: &str, at: usize, base: &Path, raw: &RawSink) -> Option<Email> {
        let mut missing = Vec::new();
        if raw.smtp_host.is_none() {
            missing.push("smtp_host");
        }
        if raw.from.is_none() {
            missing.push("from");
        }
        if raw.to.as_ref().is_none_or(Vec::is_empty) {
            missing.push("to");
        }
        if !missing.is_empty() {
            self.problem(
                at,
                format!(
                    "sink {name:?} of type \"email\" needs {}",
                    missing.join(", ")
                ),
            );
            return None;
        }
        let host = raw.smtp_host.as_ref()?;
        let tls = raw.tls.unwrap_or_default();
        let loopback = matches!(host.get_ref().as_str(), "localhost" | "127.0.0.1" | "::1");
        if tls == SmtpTls::None && !loopback {
            self.problem(
                host.span().start,
                format!(
                    "sink {name:?}: tls = \"none\" is only for an SMTP server on this machine; use \"starttls\" or \"tls\" for {:?}",
                    host.get_ref()
                ),
            );
        }
        let mut addresses = vec![raw.from.as_ref()?];
        addresses.extend(raw.to.iter().flatten());
        for address in addresses {
            if address
                .get_ref()
                .parse::<lettre::message::Mailbox>()
                .is_err()
            {
                self.problem(
                    address.span().start,
                    format!(
                        "sink {name:?}: {:?} is not an email address",
                        address.get_ref()
                    ),
                );
            }
        }
        let spelled = Spelled {
            key: "password",
            inline: &raw.password,
            env: &raw.password_env,
            file: &raw.password_file,
        };
        let password = self.secret_from(name, at, base, spelled);
        if password.is_some() != raw.username.is_some() {
            self.problem(
                at,
                format!("sink {name:?}: username and a password go together"),
            );
        }
        Some(Email {
            host: host.get_ref().clone(),
            port: raw.smtp_port.unwrap_or(match tls {
                SmtpTls::Starttls => 587,
                SmtpTls::Tls => 465,
                SmtpTls::None => 25,
            }),
            tls,
            username: raw.username.clone(),
            password,
            from: raw.from.as_ref()?.get_ref().clone(),
            to: raw
                .to
                .iter()
                .flatten()
                .map(|t| t.get_ref().clone())
                .collect(),
            timeout: self.duration(
                raw.timeout.as_ref(),
                &format!("sink {name:?} timeout"),
                DEFAULT_EMAIL_TIMEOUT,
                super::bounds::TIMEOUT,
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Config, ConfigError};
    use super::*;

    fn load(sinks: &str) -> Result<Config, ConfigError> {
        Config::from_toml(Path::new("/etc/raqib/config.toml"), sinks)
    }

    fn problems(sinks: &str) -> String {
        load(sinks).unwrap_err().to_string()
    }

    #[test]
    fn webhooks_and_email_read_with_their_defaults() {
        let config = load(
            r#"
[[sink]]
name = "hook"
type = "webhook"
url = "https://hooks.example.org/x"
secret_file = "webhook.key"
[[sink]]
name = "mail"
type = "email"
smtp_host = "smtp.example.org"
username = "raqib"
password_env = "SMTP_PASSWORD"
from = "raqib <raqib@example.org>"
to = ["desk@example.org"]
"#,
        )
        .unwrap();
        let SinkKind::Webhook(hook) = &config.sinks[0].kind else {
            panic!("webhook")
        };
        assert_eq!(hook.format, WebhookFormat::Json);
        assert_eq!(hook.timeout, DEFAULT_WEBHOOK_TIMEOUT);
        assert!(hook.secret == Some(Secret::File("/etc/raqib/webhook.key".into())));
        let SinkKind::Email(mail) = &config.sinks[1].kind else {
            panic!("email")
        };
        assert_eq!((mail.tls, mail.port), (SmtpTls::Starttls, 587));
        assert!(mail.password == Some(Secret::Env("SMTP_PASSWORD".into())));
        assert!(!format!("{mail:?}{hook:?}").contains("SMTP_PASSWORD"));
    }

    #[test]
    fn sink_mistakes_are_reported_with_the_sink_named() {
        let text = problems(
            r#"
[[sink]]
name = "hook"
type = "webhook"
url = "ftp://x"
[[sink]]
name = "two"
type = "webhook"
url = "https://x.example"
secret = "a"
secret_env = "B"
[[sink]]
name = "mail"
type = "email"
smtp_host = "smtp.example.org"
tls = "none"
from = "not an address"
to = ["desk@example.org"]
username = "raqib"
[[sink]]
name = "empty"
type = "email"
"#,
        );
        for expected in [
            "sink \"hook\": url must be http or https",
            "sink \"two\": give one of secret, secret_env, secret_file",
            "sink \"mail\": tls = \"none\" is only for an SMTP server on this machine",
            "sink \"mail\": \"not an address\" is not an email address",
            "sink \"mail\": username and a password go together",
            "sink \"empty\" of type \"email\" needs smtp_host, from, to",
        ] {
            assert!(text.contains(expected), "{expected}\nin:\n{text}");
        }
    }

    #[test]
    fn webhook_formats_signing_and_flood_keys_are_checked() {
        let config = load(
            r#"
[[sink]]
name = "discord"
type = "webhook"
url = "https://discord.example/api/webhooks/1/x"
format = "discord"
max_per_minute = 20
[[sink]]
name = "custom"
type = "webhook"
url = "https://x.example/in"
format = "template"
template = "custom.json.j2"
content_type = "text/plain; charset=utf-8"
secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
signing = "standard"
"#,
        )
        .unwrap();
        assert_eq!(config.sinks[0].max_per_minute, Some(20));
        let SinkKind::Webhook(custom) = &config.sinks[1].kind else {
            panic!("webhook")
        };
        assert_eq!(custom.format, WebhookFormat::Template);
        assert_eq!(custom.signing, Signing::Standard);
        assert_eq!(
            custom.template.as_deref(),
            Some(Path::new("/etc/raqib/custom.json.j2"))
        );
        assert_eq!(custom.content_type, "text/plain; charset=utf-8");

        let text = problems(
            r#"
[[sink]]
name = "no-file"
type = "webhook"
url = "https://x.example"
format = "template"
[[sink]]
name = "stray"
type = "webhook"
url = "https://x.example"
template = "t.j2"
content_type = "text/plain"
signing = "standard"
[[sink]]
name = "flood"
type = "log"
max_per_minute = 0
"#,
        );
        for expected in [
            "sink \"no-file\": format = \"template\" needs a template file",
            "sink \"stray\": template is read only with format = \"template\"",
            "sink \"stray\": content_type is set only with format = \"template\"",
            "sink \"stray\": signing needs a secret",
            "sink \"flood\": max_per_minute must be a whole number from 1",
        ] {
            assert!(text.contains(expected), "{expected}\nin:\n{text}");
        }
        let odd = problems(
            "[[sink]]\nname = \"odd\"\ntype = \"webhook\"\nurl = \"https://x.example\"\nsigning = \"hmac\"\n",
        );
        assert!(
            odd.contains("unknown variant `hmac`, expected `raqib` or `standard`"),
            "{odd}"
        );
    }
}
