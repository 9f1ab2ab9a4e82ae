//! Who may read: a bearer token, or HTTP Basic against argon2 password hashes. With either
//! configured every request on `[http] listen` authenticates, loopback included.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use base64ct::{Base64, Encoding};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Http;

/// Verified Basic credentials remembered (by digest), so that a browser sending them with
/// every request does not pay an argon2 hash each time.
const REMEMBERED: usize = 64;

pub(in crate::daemon) struct Auth {
    /// SHA-256 of the token: compared digest to digest, so neither its content nor its
    /// length shows in the time a comparison takes.
    token: Option<[u8; 32]>,
    users: Vec<(String, String)>,
    verified: Mutex<HashSet<[u8; 32]>>,
}

impl Auth {
    /// From `[http]`, reading the token where it is; the error names the key.
    pub(in crate::daemon) fn new(http: &Http) -> Result<Auth, String> {
        Ok(Auth {
            token: http.read_token()?.map(|token| digest(token.as_bytes())),
            users: http
                .users
                .iter()
                .map(|u| (u.name.clone(), u.password_hash.clone()))
                .collect(),
            verified: Mutex::new(HashSet::new()),
        })
    }

    pub(super) fn required(&self) -> bool {
        self.token.is_some() || !self.users.is_empty()
    }

    /// What a 401 asks for.
    pub(super) fn challenge(&self) -> &'static str {
        match (self.token.is_some(), self.users.is_empty()) {
            (true, false) => "Bearer realm=\"raqib\", Basic realm=\"raqib\", charset=\"UTF-8\"",
            (true, true) => "Bearer realm=\"raqib\"",
            _ => "Basic realm=\"raqib\", charset=\"UTF-8\"",
        }
    }

    /// Whether the request's credentials are good.
    pub(super) async fn allows(self: &Arc<Self>, headers: &HeaderMap) -> bool {
        let Some(given) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let (scheme, value) = given.split_once(' ').unwrap_or((given, ""));
        let value = value.trim();
        if scheme.eq_ignore_ascii_case("bearer") {
            return self
                .token
                .is_some_and(|token| bool::from(digest(value.as_bytes()).ct_eq(&token)));
        }
        if !scheme.eq_ignore_ascii_case("basic") || self.users.is_empty() {
            return false;
        }
        let Ok(decoded) = Base64::decode_vec(value) else {
            return false;
        };
        let remembered = digest(&decoded);
        if self
            .verified
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(&remembered)
        {
            return true;
        }
        let Some((name, password)) = std::str::from_utf8(&decoded)
            .ok()
            .and_then(|pair| pair.split_once(':'))
        else {
            return false;
        };
        let Some((_, hash)) = self.users.iter().find(|(n, _)| n == name) else {
            return false;
        };
        let (hash, password) = (hash.clone(), password.to_string());
        // Memory-hard on purpose: off the runtime's threads.
        let good = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&hash).is_ok_and(|hash| {
                argon2::Argon2::default()
                    .verify_password(password.as_bytes(), &hash)
                    .is_ok()
            })
        })
        .await
        .unwrap_or(false);
        if good {
            let mut verified = self.verified.lock().unwrap_or_else(|p| p.into_inner());
            if verified.len() >= REMEMBERED {
                verified.clear();
            }
            verified.insert(remembered);
        }
        good
    }
}

fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}
