//! Webhook bodies for receivers that want their own shape: Discord messages, Microsoft Teams
//! cards, and whatever a user's template renders. Each reads the alert's JSON (the same for
//! every sink) or a digest's; none of them can fail on a field an alert lacks.

pub mod discord;
pub mod teams;
pub mod template;

use serde_json::Value;

/// What a message shows of one alert.
struct Shown {
    id: String,
    watch: String,
    severity: String,
    title: String,
    /// Only an `http(s)` URL: receivers refuse a link of any other scheme.
    url: Option<String>,
    outlet: String,
    /// The first match in context, its words in Markdown bold.
    snippet: Option<String>,
    other_outlets: Vec<String>,
    raised_at: Option<String>,
}

impl Shown {
    fn of(alert: &Value) -> Shown {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_string();
        let article = &alert["article"];
        Shown {
            id: text(&alert["id"]),
            watch: text(&alert["watch"]),
            severity: text(&alert["severity"]),
            title: text(&article["title"]),
            url: article["url"]
                .as_str()
                .filter(|u| {
                    url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https"))
                })
                .map(str::to_string),
            outlet: text(&article["outlet"]),
            snippet: alert["matches"][0]["snippet"].as_str().map(str::to_string),
            other_outlets: alert["other_outlets"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|o| o.as_str())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            raised_at: alert["raised_at"].as_str().map(str::to_string),
        }
    }

    /// Whether the title or snippet is written right to left (Arabic script).
    fn right_to_left(&self) -> bool {
        is_right_to_left(&self.title) || self.snippet.as_deref().is_some_and(is_right_to_left)
    }
}

/// A digest's watch and alerts, or `None` for a single alert.
fn digest_of(alert: &Value) -> Option<(String, Vec<Shown>)> {
    if !super::digest::is_digest(alert) {
        return None;
    }
    let alerts = alert["alerts"]
        .as_array()
        .map(|a| a.iter().map(Shown::of).collect())
        .unwrap_or_default();
    Some((
        alert["watch"].as_str().unwrap_or_default().to_string(),
        alerts,
    ))
}

/// Whether the first strong letter of `text` is Arabic script.
pub fn is_right_to_left(text: &str) -> bool {
    text.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(|c| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF))
}

/// `text` cut to at most `max` UTF-16 code units (how Discord counts a string's length),
/// between characters, with an ellipsis when something was cut.
fn cut(text: &str, max: usize) -> String {
    if text.encode_utf16().count() <= max {
        return text.to_string();
    }
    let mut kept = String::new();
    let mut units = 0;
    for c in text.chars() {
        if units + c.len_utf16() > max.saturating_sub(1) {
            break;
        }
        units += c.len_utf16();
        kept.push(c);
    }
    kept.push('…');
    kept
}

/// Length as [`cut`] counts it.
fn units(text: &str) -> usize {
    text.encode_utf16().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_count_utf16_units_and_never_split_a_character() {
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("abcd", 3), "ab…");
        let arabic = "حموشي".repeat(100);
        assert_eq!(units(&cut(&arabic, 256)), 256);
        // Two units each: a cut keeps whole characters.
        let faces = "😀".repeat(10);
        let kept = cut(&faces, 6);
        assert_eq!(kept, "😀😀…");
        assert!(units(&kept) <= 6);
    }

    #[test]
    fn arabic_titles_are_right_to_left() {
        assert!(is_right_to_left("«حموشي» يستقبل"));
        assert!(!is_right_to_left("2026: Hammouchi reçoit"));
    }
}
