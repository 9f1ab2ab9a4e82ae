//! How a webhook proves a body came from raqib, unaltered: `signing = "raqib"` (the default,
//! `X-Raqib-Signature: sha256=<hex>`), or `signing = "standard"`, the Standard Webhooks
//! headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`), which receivers verify
//! with that specification's libraries.

use base64ct::{Base64, Encoding};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Standard Webhooks' secrets are written `whsec_` and the key in base64.
const SECRET_PREFIX: &str = "whsec_";

/// A Standard Webhooks signing key.
#[derive(Clone)]
pub struct StandardKey(Vec<u8>);

impl std::fmt::Debug for StandardKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StandardKey(…)")
    }
}

impl StandardKey {
    /// The key a secret names: `whsec_<base64>` is the base64-decoded key, as the
    /// specification has it; any other secret is used as its bytes.
    pub fn new(secret: &str) -> Result<StandardKey, String> {
        match secret.strip_prefix(SECRET_PREFIX) {
            Some(encoded) => match Base64::decode_vec(encoded.trim()) {
                Ok(key) if !key.is_empty() => Ok(StandardKey(key)),
                _ => Err(format!(
                    "its secret starts with {SECRET_PREFIX} but the rest is not base64"
                )),
            },
            None => Ok(StandardKey(secret.as_bytes().to_vec())),
        }
    }

    /// `v1,` and the base64 HMAC-SHA256 of `{id}.{timestamp}.{body}`.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let mut mac =
            Hmac::<Sha256>::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(format!("{id}.{timestamp}.").as_bytes());
        mac.update(body);
        format!("v1,{}", Base64::encode_string(&mac.finalize().into_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specification_s_test_vector() {
        let key = StandardKey::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        assert_eq!(
            key.sign(
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                br#"{"test": 2432232314}"#
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn a_prefixed_secret_that_is_not_base64_is_refused() {
        assert!(StandardKey::new("whsec_not base64!").is_err());
        assert!(StandardKey::new("plain secret").is_ok());
    }
}
