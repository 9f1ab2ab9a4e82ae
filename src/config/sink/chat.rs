//! The chat sinks' settings: `type = "telegram"`, `"ntfy"` and `"matrix"`, each with its
//! token given inline, as `<key>_env` or as `<key>_file` like every other secret.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;
use url::Url;

use super::{Checker, DEFAULT_WEBHOOK_TIMEOUT, RawSink, Secret, Spelled};

/// Where the Bot API is when `api_url` is not given.
pub const TELEGRAM_API: &str = "https://api.telegram.org";

/// `type = "telegram"`: `sendMessage` through a bot.
#[derive(Clone, PartialEq, Eq)]
pub struct Telegram {
    pub bot_token: Secret,
    pub chat_id: ChatId,
    /// The Bot API's base: the public one, or a local Bot API server.
    pub api_url: Url,
    pub timeout: Duration,
}

/// A Telegram chat: its numeric id (groups are negative) or a public channel's `@username`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum ChatId {
    Id(i64),
    Username(String),
}

/// `type = "ntfy"`: a message published to a topic.
#[derive(Clone, PartialEq, Eq)]
pub struct Ntfy {
    /// The server and the topic, e.g. `https://ntfy.sh/desk-alerts`.
    pub url: Url,
    /// A Bearer access token, for a protected topic.
    pub token: Option<Secret>,
    pub timeout: Duration,
}

/// `type = "matrix"`: an `m.room.message` sent to a room.
#[derive(Clone, PartialEq, Eq)]
pub struct Matrix {
    pub homeserver: Url,
    /// `!opaque:server`, the room's id (not an alias).
    pub room_id: String,
    pub access_token: Secret,
    pub timeout: Duration,
}

// Tokens stay out of logs: a Debug shows where a secret is not, let alone its value.
impl std::fmt::Debug for Telegram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Telegram")
            .field("chat_id", &self.chat_id)
            .field("api_url", &self.api_url.as_str())
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Ntfy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ntfy")
            .field("url", &self.url.as_str())
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl std::fmt::Debug for Matrix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matrix")
            .field("homeserver", &self.homeserver.as_str())
            .field("room_id", &self.room_id)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Ntfy {
    /// The topic: the URL's last path segment.
    pub fn topic(&self) -> &str {
        self.url
            .path_segments()
            .and_then(|mut s| s.next_back())
            .unwrap_or_default()
    }

    /// Where JSON messages are published: the URL without its topic.
    pub fn server(&self) -> Url {
        let mut server = self.url.clone();
        if let Ok(mut segments) = server.path_segments_mut() {
            segments.pop().push("");
        }
        server.set_query(None);
        server
    }
}

impl Checker<'_> {
    pub(super) fn telegram(
        &mut self,
        name: &str,
        at: usize,
        base: &Path,
        raw: &RawSink,
    ) -> Option<Telegram> {
        let spelled = Spelled {
            key: "bot_token",
            inline: &raw.bot_token,
            env: &raw.bot_token_env,
            file: &raw.bot_token_file,
        };
        let bot_token = self.required_secret(name, "telegram", at, base, spelled);
        let chat_id = match &raw.chat_id {
            None => {
                self.problem(
                    at,
                    format!("sink {name:?} of type \"telegram\" needs a chat_id"),
                );
                None
            }
            Some(id) => match id.get_ref() {
                ChatId::Username(text) => match text.trim().parse::<i64>() {
                    Ok(number) => Some(ChatId::Id(number)),
                    Err(_) if is_channel_username(text) => Some(ChatId::Username(text.clone())),
                    Err(_) => {
                        self.problem(
                            id.span().start,
                            format!(
                                "sink {name:?}: chat_id {text:?} is neither a chat's number nor a channel's @username"
                            ),
                        );
                        None
                    }
                },
                number => Some(number.clone()),
            },
        };
        let api_url = match &raw.api_url {
            Some(url) => self.http_url(name, "api_url", url),
            None => Url::parse(TELEGRAM_API).ok(),
        };
        let timeout = self.sink_timeout(name, raw);
        Some(Telegram {
            bot_token: bot_token?,
            chat_id: chat_id?,
            api_url: api_url?,
            timeout,
        })
    }

    pub(super) fn ntfy(
        &mut self,
        name: &str,
        at: usize,
        base: &Path,
        raw: &RawSink,
    ) -> Option<Ntfy> {
        let spelled = Spelled {
            key: "token",
            inline: &raw.token,
            env: &raw.token_env,
            file: &raw.token_file,
        };
        let token = self.secret_from(name, at, base, spelled);
        let Some(url) = &raw.url else {
            self.problem(
                at,
                format!("sink {name:?} of type \"ntfy\" needs a url (the server and the topic, e.g. https://ntfy.sh/desk-alerts)"),
            );
            return None;
        };
        let parsed = self.http_url(name, "url", url)?;
        let ntfy = Ntfy {
            url: parsed,
            token,
            timeout: self.sink_timeout(name, raw),
        };
        let topic = ntfy.topic();
        // ntfy's own rule for topic names.
        let valid = (1..=64).contains(&topic.len())
            && topic
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if !valid {
            self.problem(
                url.span().start,
                format!(
                    "sink {name:?}: url {:?} must end with a topic (1 to 64 letters, digits, - or _), e.g. https://ntfy.sh/desk-alerts",
                    url.get_ref()
                ),
            );
            return None;
        }
        Some(ntfy)
    }

    pub(super) fn matrix(
        &mut self,
        name: &str,
        at: usize,
        base: &Path,
        raw: &RawSink,
    ) -> Option<Matrix> {
        let spelled = Spelled {
            key: "access_token",
            inline: &raw.access_token,
            env: &raw.access_token_env,
            file: &raw.access_token_file,
        };
        let access_token = self.required_secret(name, "matrix", at, base, spelled);
        let homeserver = match &raw.homeserver {
            Some(url) => self.http_url(name, "homeserver", url),
            None => {
                self.problem(
                    at,
                    format!("sink {name:?} of type \"matrix\" needs a homeserver"),
                );
                None
            }
        };
        let room_id = match &raw.room_id {
            Some(id) if id.get_ref().starts_with('!') && id.get_ref().len() > 1 => {
                Some(id.get_ref().clone())
            }
            Some(id) => {
                self.problem(
                    id.span().start,
                    format!(
                        "sink {name:?}: room_id {:?} is not a room id: it starts with ! (an alias such as #desk:example.org is not one; the room's settings show its id)",
                        id.get_ref()
                    ),
                );
                None
            }
            None => {
                self.problem(
                    at,
                    format!("sink {name:?} of type \"matrix\" needs a room_id"),
                );
                None
            }
        };
        let timeout = self.sink_timeout(name, raw);
        Some(Matrix {
            homeserver: homeserver?,
            room_id: room_id?,
            access_token: access_token?,
            timeout,
        })
    }

    /// A secret the sink cannot work without.
    fn required_secret(
        &mut self,
        name: &str,
        kind: &str,
        at: usize,
        base: &Path,
        spelled: Spelled<'_>,
    ) -> Option<Secret> {
        let key = spelled.key;
        let secret = self.secret_from(name, at, base, spelled);
        let given = [
            spelled.inline.is_some(),
            spelled.env.is_some(),
            spelled.file.is_some(),
        ];
        if !given.contains(&true) {
            self.problem(
                at,
                format!("sink {name:?} of type {kind:?} needs {key}, {key}_env or {key}_file"),
            );
        }
        secret
    }

    /// The http(s) URL `value` of the sink's `key`.
    fn http_url(&mut self, name: &str, key: &str, value: &Spanned<String>) -> Option<Url> {
        match Url::parse(value.get_ref()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.has_host() => Some(u),
            Ok(_) | Err(_) => {
                self.problem(
                    value.span().start,
                    format!(
                        "sink {name:?}: {key} {:?} is not an http or https URL",
                        value.get_ref()
                    ),
                );
                None
            }
        }
    }

    fn sink_timeout(&mut self, name: &str, raw: &RawSink) -> Duration {
        self.duration(
            raw.timeout.as_ref(),
            &format!("sink {name:?} timeout"),
            DEFAULT_WEBHOOK_TIMEOUT,
            crate::config::bounds::TIMEOUT,
        )
    }
}

/// A public channel's or group's `@username`: 5 to 32 letters, digits or underscores.
fn is_channel_username(text: &str) -> bool {
    text.strip_prefix('@').is_some_and(|name| {
        (5..=32).contains(&name.len())
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::super::{Config, SinkKind};
    use super::*;

    fn load(sinks: &str) -> Result<Config, crate::config::ConfigError> {
        Config::from_toml(Path::new("/etc/raqib/config.toml"), sinks)
    }

    #[test]
    fn chat_sinks_read_with_their_defaults_and_keep_tokens_out_of_debug() {
        let config = load(
            r#"
[[sink]]
name = "bot"
type = "telegram"
bot_token = "123:SECRET"
chat_id = "-1001234567890"
[[sink]]
name = "channel"
type = "telegram"
bot_token_env = "BOT"
chat_id = "@desk_alerts"
api_url = "http://127.0.0.1:8081"
[[sink]]
name = "phones"
type = "ntfy"
url = "https://ntfy.example.org/desk-alerts"
token_file = "ntfy.token"
[[sink]]
name = "room"
type = "matrix"
homeserver = "https://matrix.example.org"
room_id = "!abc:example.org"
access_token = "syt_SECRET"
"#,
        )
        .unwrap();
        let SinkKind::Telegram(bot) = &config.sinks[0].kind else {
            panic!("telegram")
        };
        assert_eq!(bot.chat_id, ChatId::Id(-1001234567890));
        assert_eq!(bot.api_url.as_str(), "https://api.telegram.org/");
        let SinkKind::Telegram(channel) = &config.sinks[1].kind else {
            panic!("telegram")
        };
        assert_eq!(channel.chat_id, ChatId::Username("@desk_alerts".into()));
        let SinkKind::Ntfy(ntfy) = &config.sinks[2].kind else {
            panic!("ntfy")
        };
        assert_eq!(ntfy.topic(), "desk-alerts");
        assert_eq!(ntfy.server().as_str(), "https://ntfy.example.org/");
        assert!(ntfy.token == Some(Secret::File("/etc/raqib/ntfy.token".into())));
        let SinkKind::Matrix(room) = &config.sinks[3].kind else {
            panic!("matrix")
        };
        assert_eq!(room.timeout, DEFAULT_WEBHOOK_TIMEOUT);
        assert!(!format!("{:?}", config.sinks).contains("SECRET"));
    }

    #[test]
    fn chat_sink_mistakes_name_the_sink_and_the_key() {
        let text = load(
            r##"
[[sink]]
name = "no-chat"
type = "telegram"
bot_token = "1:a"
[[sink]]
name = "bad-chat"
type = "telegram"
bot_token = "1:a"
chat_id = "desk"
[[sink]]
name = "no-token"
type = "telegram"
chat_id = 1
api_url = "127.0.0.1:8081"
[[sink]]
name = "no-topic"
type = "ntfy"
url = "https://ntfy.sh/"
[[sink]]
name = "ftp"
type = "ntfy"
url = "ftp://ntfy.sh/desk"
[[sink]]
name = "alias"
type = "matrix"
homeserver = "https://matrix.example.org"
room_id = "#desk:example.org"
access_token = "t"
access_token_env = "T"
[[sink]]
name = "bare"
type = "matrix"
"##,
        )
        .unwrap_err()
        .to_string();
        for expected in [
            "sink \"no-chat\" of type \"telegram\" needs a chat_id",
            "sink \"bad-chat\": chat_id \"desk\" is neither a chat's number nor a channel's @username",
            "sink \"no-token\" of type \"telegram\" needs bot_token, bot_token_env or bot_token_file",
            "sink \"no-token\": api_url \"127.0.0.1:8081\" is not an http or https URL",
            "sink \"no-topic\": url \"https://ntfy.sh/\" must end with a topic",
            "sink \"ftp\": url \"ftp://ntfy.sh/desk\" is not an http or https URL",
            "sink \"alias\": room_id \"#desk:example.org\" is not a room id",
            "sink \"alias\": give one of access_token, access_token_env, access_token_file",
            "sink \"bare\" of type \"matrix\" needs a homeserver",
            "sink \"bare\" of type \"matrix\" needs a room_id",
            "sink \"bare\" of type \"matrix\" needs access_token, access_token_env or access_token_file",
        ] {
            assert!(text.contains(expected), "{expected}\nin:\n{text}");
        }
    }
}
