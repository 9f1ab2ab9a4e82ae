//! `[http]`: the read-only HTTP API (and `/metrics`, `/healthz`) on `listen`, and who may read
//! it. A listener beyond the loopback interface without authentication is refused: the
//! archive is not for anyone on the network.

use std::net::SocketAddr;

use argon2::password_hash::PasswordHash;
use serde::Deserialize;
use toml::Spanned;

use super::{Checker, Secret};

/// `[http]`, validated.
#[derive(Clone, PartialEq, Eq)]
pub struct Http {
    pub listen: SocketAddr,
    /// A bearer token (`token_env` or `token_file`), read when the daemon starts.
    pub token: Option<Secret>,
    /// `[[http.user]]`: HTTP Basic against argon2 password hashes.
    pub users: Vec<User>,
}

impl Http {
    /// Whether requests must authenticate: whenever a token or a user is configured, loopback
    /// included.
    pub fn requires_auth(&self) -> bool {
        self.token.is_some() || !self.users.is_empty()
    }

    /// The bearer token, read where `token_env` or `token_file` says; the error names the key.
    pub fn read_token(&self) -> Result<Option<String>, String> {
        let Some(secret) = &self.token else {
            return Ok(None);
        };
        let key = match secret {
            Secret::File(_) => "http.token_file",
            _ => "http.token_env",
        };
        secret
            .read()
            .map(Some)
            .map_err(|why| format!("{key}: {why}"))
    }
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("listen", &self.listen)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .field(
                "users",
                &self.users.iter().map(|u| &u.name).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// A `[[http.user]]`: a name and its password's argon2 hash in PHC form.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub password_hash: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawHttp {
    listen: Option<Spanned<String>>,
    token_env: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    #[serde(default)]
    user: Vec<Spanned<RawUser>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUser {
    name: Spanned<String>,
    password_hash: Spanned<String>,
}

impl Checker<'_> {
    /// `[http]`: `None` when absent or without `listen` (the server is off).
    pub(super) fn http(
        &mut self,
        base: &std::path::Path,
        section: Option<Spanned<RawHttp>>,
    ) -> Option<Http> {
        let section = section?;
        let at = section.span().start;
        let raw = section.into_inner();
        let Some(listen) = raw.listen else {
            if raw.token_env.is_some() || raw.token_file.is_some() || !raw.user.is_empty() {
                self.problem(at, "http: authentication is set but http.listen is not");
            }
            return None;
        };
        let token = match (raw.token_env, raw.token_file) {
            (Some(_), Some(file)) => {
                self.problem(file.span().start, "http: give one of token_env, token_file");
                None
            }
            (Some(var), None) => Some(Secret::Env(var.get_ref().clone())),
            (None, Some(file)) => Some(Secret::File(self.path(base, &file, "http.token_file"))),
            (None, None) => None,
        };
        let mut users: Vec<User> = Vec::new();
        for user in raw.user {
            let user = user.into_inner();
            let name = user.name.get_ref().clone();
            if name.is_empty() || name.contains(':') {
                self.problem(
                    user.name.span().start,
                    "http.user name must be non-empty and without ':' (HTTP Basic splits there)",
                );
                continue;
            }
            if users.iter().any(|u| u.name == name) {
                self.problem(
                    user.name.span().start,
                    format!("http.user {name:?} is defined twice"),
                );
                continue;
            }
            let hash = user.password_hash.get_ref();
            match PasswordHash::new(hash) {
                Ok(parsed) if parsed.algorithm.as_str().starts_with("argon2") => {}
                _ => {
                    self.problem(
                        user.password_hash.span().start,
                        format!(
                            "http.user {name:?}: password_hash is not an argon2 hash in PHC form (\"$argon2id$v=19$m=…,t=…,p=…$salt$hash\")"
                        ),
                    );
                    continue;
                }
            }
            users.push(User {
                name,
                password_hash: hash.clone(),
            });
        }
        let addr: SocketAddr = match listen.get_ref().parse() {
            Ok(addr) => addr,
            Err(_) => {
                self.problem(
                    listen.span().start,
                    format!(
                        "http.listen {:?} is not an address and port; write e.g. \"127.0.0.1:8080\"",
                        listen.get_ref()
                    ),
                );
                return None;
            }
        };
        let http = Http {
            listen: addr,
            token,
            users,
        };
        if !addr.ip().is_loopback() && !http.requires_auth() {
            self.problem(
                listen.span().start,
                format!(
                    "http.listen {addr} is not a loopback address: set http.token_env, http.token_file or [[http.user]] so that readers authenticate"
                ),
            );
        }
        Some(http)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use std::path::Path;

    const HASH: &str =
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$TbmLvCZ0zh1dWqYkKj9dxHUmTQ+UVDPyOIdYOHH0zbo";

    fn load(http: &str) -> Result<Config, String> {
        let source = format!("[daemon]\ndatabase = \"/tmp/raqib.db\"\n{http}");
        Config::from_toml(Path::new("/etc/raqib/config.toml"), &source).map_err(|e| e.to_string())
    }

    #[test]
    fn absent_or_without_listen_is_off() {
        assert!(load("").unwrap().http.is_none());
        assert!(load("[http]\n").unwrap().http.is_none());
    }

    #[test]
    fn loopback_needs_no_authentication() {
        let http = load("[http]\nlisten = \"127.0.0.1:8080\"\n")
            .unwrap()
            .http
            .unwrap();
        assert_eq!(http.listen, "127.0.0.1:8080".parse().unwrap());
        assert!(!http.requires_auth());
        let http = load("[http]\nlisten = \"[::1]:8080\"\n")
            .unwrap()
            .http
            .unwrap();
        assert!(!http.requires_auth());
    }

    #[test]
    fn elsewhere_without_authentication_is_refused_naming_the_key() {
        let err = load("[http]\nlisten = \"0.0.0.0:8080\"\n").unwrap_err();
        assert!(
            err.contains("http.listen 0.0.0.0:8080 is not a loopback address"),
            "{err}"
        );
        assert!(err.contains(":4:"), "placed on the line of listen: {err}");
    }

    #[test]
    fn a_token_or_a_user_allows_any_address() {
        let http = load("[http]\nlisten = \"0.0.0.0:8080\"\ntoken_file = \"api.token\"\n")
            .unwrap()
            .http
            .unwrap();
        assert!(http.token == Some(Secret::File("/etc/raqib/api.token".into())));
        let users = format!(
            "[http]\nlisten = \"0.0.0.0:8080\"\n[[http.user]]\nname = \"amina\"\npassword_hash = \"{HASH}\"\n"
        );
        let http = load(&users).unwrap().http.unwrap();
        assert_eq!(http.users.len(), 1);
        assert!(http.requires_auth());
    }

    #[test]
    fn hashes_that_are_not_argon2_are_refused() {
        for hash in ["plain", "$2b$12$abcdefghijklmnopqrstuv"] {
            let users = format!(
                "[http]\nlisten = \"127.0.0.1:8080\"\n[[http.user]]\nname = \"amina\"\npassword_hash = \"{hash}\"\n"
            );
            let err = load(&users).unwrap_err();
            assert!(err.contains("password_hash is not an argon2 hash"), "{err}");
        }
    }

    #[test]
    fn one_place_for_the_token_and_a_parseable_address() {
        let err =
            load("[http]\nlisten = \"127.0.0.1:8080\"\ntoken_env = \"T\"\ntoken_file = \"t\"\n")
                .unwrap_err();
        assert!(err.contains("give one of token_env, token_file"), "{err}");
        let err = load("[http]\nlisten = \"localhost\"\n").unwrap_err();
        assert!(
            err.contains("http.listen \"localhost\" is not an address"),
            "{err}"
        );
    }
}
