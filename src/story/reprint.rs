//! Reprints: near-identical bodies.
//!
//! A reprint is a body whose 64-bit SimHash over folded word 3-shingles differs in at most
//! [`MAX_DISTANCE`] bits from an article seen in the story window.

use sha2::{Digest, Sha256};

use crate::text::{fold_str, is_word_char};

/// Bits two reprints may differ in.
pub const MAX_DISTANCE: u32 = 3;

/// Candidates looked at: a burst of one wire story shares bands with every copy, and any few
/// hundred of them find its story.
pub const CANDIDATES: usize = 256;

/// The four 16-bit bands of a SimHash. Two hashes within [`MAX_DISTANCE`] bits share at least
/// one whole band (three differing bits touch three bands at most), so the candidates are the
/// articles sharing a band.
pub fn bands(hash: u64) -> [i64; 4] {
    std::array::from_fn(|i| ((hash >> (16 * i)) & 0xFFFF) as i64)
}

/// SimHash of a text's folded word 3-shingles.
pub fn simhash(text: &str) -> u64 {
    let folded = fold_str(text);
    let words: Vec<&str> = folded
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .collect();
    let mut weights = [0i32; 64];
    let mut add = |shingle: &[&str]| {
        let digest = Sha256::digest(shingle.join(" ").as_bytes());
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&digest[..8]);
        let hash = u64::from_le_bytes(bytes);
        for (bit, weight) in weights.iter_mut().enumerate() {
            *weight += if hash >> bit & 1 == 1 { 1 } else { -1 };
        }
    };
    if words.len() < 3 {
        add(&words);
    } else {
        words.windows(3).for_each(&mut add);
    }
    weights
        .iter()
        .enumerate()
        .filter(|(_, w)| **w > 0)
        .fold(0u64, |acc, (bit, _)| acc | 1 << bit)
}

/// The story of the closest candidate `(story id, simhash)` within [`MAX_DISTANCE`].
pub fn find(hash: u64, candidates: &[(i64, u64)]) -> Option<i64> {
    candidates
        .iter()
        .map(|(story, other)| (story, (hash ^ other).count_ones()))
        .filter(|(_, distance)| *distance <= MAX_DISTANCE)
        .min_by_key(|(_, distance)| *distance)
        .map(|(story, _)| *story)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed(name: &str) -> String {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/seeds");
        let path = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(name))
            .unwrap();
        std::fs::read_to_string(path).unwrap()
    }

    #[test]
    fn a_reprint_with_small_edits_joins_the_story() {
        let original = seed("000");
        let reprint = format!(
            "{}\nالمصدر: وكالات",
            original.replace("يوم الاثنين", "الاثنين")
        );
        let hash = simhash(&original);
        assert_eq!(find(simhash(&reprint), &[(7, hash)]), Some(7));
    }

    #[test]
    fn different_articles_do_not() {
        let candidates: Vec<(i64, u64)> = ["000", "001", "003", "004"]
            .iter()
            .enumerate()
            .map(|(i, s)| (i as i64, simhash(&seed(s))))
            .collect();
        for (i, (_, hash)) in candidates.iter().enumerate() {
            let others: Vec<(i64, u64)> = candidates
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| *c)
                .collect();
            assert_eq!(find(*hash, &others), None);
        }
    }

    #[test]
    fn hashes_within_the_distance_share_a_band() {
        let hash = simhash(&seed("000"));
        assert_eq!(bands(0x0004_0003_0002_0001), [1, 2, 3, 4]);
        for flips in [0b1, 0x0001_0001_0001, 0x8000_0000_0000_8000] {
            let near = hash ^ flips;
            let shared = bands(hash)
                .iter()
                .zip(bands(near))
                .filter(|(a, b)| **a == *b)
                .count();
            assert!(shared >= 1, "{flips:#x}");
        }
    }

    #[test]
    fn tiny_texts_hash_without_panicking() {
        assert_eq!(simhash(""), simhash(""));
        assert_ne!(simhash("a"), simhash("b"));
    }
}
