//! Boilerplate learned per outlet: a paragraph that appears in several recent articles of one
//! outlet is the outlet's furniture (a standing teaser, a signature, an "about us"), not news.
//! This module is the pure half: paragraph fingerprints and their removal; the counts live in
//! the database (`store`), so the daemon keeps learning across restarts.

use std::collections::HashSet;

use sha2::{Digest, Sha256};

/// A paragraph seen in this many articles of one outlet is boilerplate from then on.
pub const LEARN_AFTER: u32 = 3;
/// Longer paragraphs are article text even when repeated (a rewritten press release).
const MAX_CHARS: usize = 600;

/// Fingerprints of a body's paragraphs (folded, so spelling noise does not split them), for
/// the paragraphs short enough to be furniture.
pub fn fingerprints(body: &str) -> Vec<i64> {
    let mut seen = HashSet::new();
    body.split("\n\n")
        .filter(|p| p.chars().count() <= MAX_CHARS)
        .map(fingerprint)
        .filter(|f| seen.insert(*f))
        .collect()
}

fn fingerprint(paragraph: &str) -> i64 {
    let digest = Sha256::digest(crate::text::fold_str(paragraph).as_bytes());
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_le_bytes(bytes)
}

/// `body` without the paragraphs whose fingerprint is in `boilerplate`; the body is kept whole
/// if nothing would be left.
pub fn strip(body: &str, boilerplate: &HashSet<i64>) -> String {
    if boilerplate.is_empty() {
        return body.to_string();
    }
    let kept: Vec<&str> = body
        .split("\n\n")
        .filter(|p| p.chars().count() > MAX_CHARS || !boilerplate.contains(&fingerprint(p)))
        .collect();
    if kept.is_empty() {
        body.to_string()
    } else {
        kept.join("\n\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str =
        "استقبل حموشي وفدا أمنيا.\n\nاقرأ أيضا: حموشي يترأس حفل التخرج\n\nتابعونا على فيسبوك";

    #[test]
    fn learned_paragraphs_are_removed_and_others_kept() {
        let prints = fingerprints(BODY);
        assert_eq!(prints.len(), 3);
        let learned: HashSet<i64> = prints[1..].iter().copied().collect();
        assert_eq!(strip(BODY, &learned), "استقبل حموشي وفدا أمنيا.");
        assert_eq!(strip(BODY, &HashSet::new()), BODY);
    }

    #[test]
    fn spelling_noise_does_not_change_a_fingerprint() {
        assert_eq!(
            fingerprints("اقرأ أيضاً: حموشي"),
            fingerprints("اقرا ايضا: حموشي")
        );
    }

    #[test]
    fn a_body_made_only_of_learned_paragraphs_is_kept() {
        let learned: HashSet<i64> = fingerprints(BODY).into_iter().collect();
        assert_eq!(strip(BODY, &learned), BODY);
    }

    #[test]
    fn long_paragraphs_are_never_learned() {
        let long = "نص ".repeat(400);
        assert!(fingerprints(&long).is_empty());
    }
}
