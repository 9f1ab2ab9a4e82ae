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

/// `[[sink]]`: where alerts are delivered.
#[derive(Debug, Clone)]
pub struct Sink {
    pub name: String,
    pub kind: SinkKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkKind {
    /// A structured tracing event.
    Log,
    /// One JSON object per line, appended to a file.
    Jsonl { path: PathBuf },
    /// An HTTP POST per alert.
    Webhook(Webhook),
}

/// `type = "webhook"`.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    pub url: Url,
    pub format: WebhookFormat,
    /// Extra request headers (an `Authorization` token, say).
    pub headers: BTreeMap<String, String>,
    /// Key of the `X-Raqib-Signature` HMAC-SHA256 header, if any.
    pub secret: Option<Secret>,
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
    /// The secret itself, or why it cannot be read.
    pub fn read(&self) -> Result<String, String> {
        match self {
            Secret::Inline(value) => Ok(value.clone()),
            Secret::Env(var) => match std::env::var(var) {
                Ok(value) if !value.is_empty() => Ok(value),
                _ => Err(format!(
                    "environment variable {var:?} (secret_env) is not set"
                )),
            },
            Secret::File(path) => match std::fs::read_to_string(path) {
                Ok(value) if !value.trim().is_empty() => {
                    Ok(value.trim_end_matches(['\n', '\r']).to_string())
                }
                Ok(_) => Err(format!("secret_file {} is empty", path.display())),
                Err(err) => Err(format!("cannot read secret_file {}: {err}", path.display())),
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
}

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
    #[serde(default)]
    headers: BTreeMap<String, String>,
    secret: Option<String>,
    secret_env: Option<Spanned<String>>,
    secret_file: Option<Spanned<String>>,
    timeout: Option<Spanned<String>>,
}

impl Checker<'_> {
    pub(super) fn sinks(&mut self, base: &Path, raw: Vec<Spanned<RawSink>>) -> Vec<Sink> {
        let mut sinks: Vec<Sink> = Vec::new();
        for raw in raw {
            let span = raw.span();
            let raw = raw.into_inner();
            let name = raw.name.get_ref().trim().to_string();
            if name.is_empty() {
                self.problem(raw.name.span().start, "sink name must not be empty");
                continue;
            }
            if sinks.iter().any(|s| s.name == name) {
                self.problem(
                    raw.name.span().start,
                    format!("sink {name:?} is defined twice"),
                );
                continue;
            }
            let kind = match raw.kind.get_ref().as_str() {
                "log" => SinkKind::Log,
                "jsonl" => match &raw.path {
                    Some(path) => SinkKind::Jsonl {
                        path: self.path(base, path, "sink path"),
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
                other => {
                    self.problem(
                        raw.kind.span().start,
                        format!(
                            "sink {name:?} has unknown type {other:?}; expected \"log\", \"jsonl\" or \"webhook\""
                        ),
                    );
                    continue;
                }
            };
            sinks.push(Sink { name, kind });
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
        Some(Webhook {
            url: parsed,
            format: raw.format.unwrap_or_default(),
            headers: raw.headers.clone(),
            secret,
            timeout: self.duration(
                raw.timeout.as_ref(),
                &format!("sink {name:?} timeout"),
                DEFAULT_WEBHOOK_TIMEOUT,
            ),
        })
    }

    /// Where the sink's secret is: `secret`, `secret_env` or `secret_file` (one at most).
    fn secret(&mut self, name: &str, at: usize, base: &Path, raw: &RawSink) -> Option<Secret> {
        let given = [
            raw.secret.is_some(),
            raw.secret_env.is_some(),
            raw.secret_file.is_some(),
        ];
        if given.iter().filter(|g| **g).count() > 1 {
            self.problem(
                at,
                format!("sink {name:?}: give one of secret, secret_env, secret_file"),
            );
            return None;
        }
        if let Some(secret) = &raw.secret {
            return Some(Secret::Inline(secret.clone()));
        }
        if let Some(var) = &raw.secret_env {
            return Some(Secret::Env(var.get_ref().clone()));
        }
        let file = raw.secret_file.as_ref()?;
        Some(Secret::File(self.path(base, file, "secret_file")))
    }
}
