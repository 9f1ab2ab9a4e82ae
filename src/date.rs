//! Dates as outlets write them: RFC 822 and its variants, ISO 8601 with or without a zone,
//! and day-month-year with French or Arabic month names.
//!
//! A date with no zone is taken as UTC; the offset a page gives is kept.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Parse a date string from a feed or a page.
pub fn parse(input: &str) -> Option<DateTime<FixedOffset>> {
    let s = input.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d);
    }
    rfc822_variants(s)
        .or_else(|| iso_variants(s))
        .or_else(|| named_month(s))
}

fn utc(naive: NaiveDateTime) -> DateTime<FixedOffset> {
    Utc.from_utc_datetime(&naive).fixed_offset()
}

/// RFC 822 as found in the wild: missing weekday, zone names chrono does not know, no zone.
fn rfc822_variants(s: &str) -> Option<DateTime<FixedOffset>> {
    let without_weekday = s.split_once(',').map_or(s, |(_, rest)| rest).trim();
    for zone in ["UTC", "Z", "UT"] {
        if let Some(rest) = without_weekday.strip_suffix(zone) {
            return rfc822_variants(&format!("{} +0000", rest.trim()));
        }
    }
    for format in [
        "%d %b %Y %H:%M:%S %z",
        "%d %b %Y %H:%M %z",
        "%d %B %Y %H:%M:%S %z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(without_weekday, format) {
            return Some(d);
        }
    }
    for format in ["%d %b %Y %H:%M:%S", "%d %b %Y %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(without_weekday, format) {
            return Some(utc(d));
        }
    }
    None
}

fn iso_variants(s: &str) -> Option<DateTime<FixedOffset>> {
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f%z",
        "%Y-%m-%d %H:%M:%S%.f%z",
        "%Y-%m-%dT%H:%M%z",
    ] {
        if let Ok(d) = DateTime::parse_from_str(s, format) {
            return Some(d);
        }
    }
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, format) {
            return Some(utc(d));
        }
    }
    let date = s.get(..10)?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .map(|d| utc(d.and_time(NaiveTime::MIN)))
}

/// "2 ديسمبر 2025", "6 ماي 2025 10:30", "12 décembre 2025".
fn named_month(s: &str) -> Option<DateTime<FixedOffset>> {
    let words: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',' || c == '،')
        .filter(|w| !w.is_empty())
        .collect();
    let digits = |w: &str| -> Option<u32> {
        let ascii: String = w
            .chars()
            .map(|c| match c {
                '٠'..='٩' => char::from(b'0' + (c as u32 - 0x0660) as u8),
                c => c,
            })
            .collect();
        ascii.parse().ok()
    };
    for window in words.windows(3) {
        let (Some(day), Some(month), Some(year)) = (
            digits(window[0]),
            month_number(window[1]),
            digits(window[2]),
        ) else {
            continue;
        };
        let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
        let rest_start = words.iter().position(|w| std::ptr::eq(*w, window[2]))? + 1;
        let time = words
            .get(rest_start)
            .and_then(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
            .unwrap_or(NaiveTime::MIN);
        return Some(utc(date.and_time(time)));
    }
    None
}

/// Month names in French, English and the Arabic naming systems (Moroccan, Maghreb, Levant,
/// Egyptian/Gulf).
fn month_number(word: &str) -> Option<u32> {
    let word = crate::text::fold_str(word.trim_end_matches('.'));
    const MONTHS: [&[&str]; 12] = [
        &[
            "janvier",
            "january",
            "jan",
            "janv",
            "يناير",
            "جانفي",
            "كانون الثاني",
        ],
        &[
            "fevrier",
            "february",
            "feb",
            "fevr",
            "فبراير",
            "فيفري",
            "شباط",
        ],
        &["mars", "march", "mar", "مارس", "اذار"],
        &["avril", "april", "apr", "avr", "ابريل", "افريل", "نيسان"],
        &["mai", "may", "ماي", "مايو", "ايار"],
        &["juin", "june", "jun", "يونيو", "يونيه", "جوان", "حزيران"],
        &[
            "juillet",
            "july",
            "jul",
            "juil",
            "يوليوز",
            "يوليو",
            "يوليه",
            "جويليه",
            "تموز",
        ],
        &["aout", "august", "aug", "غشت", "اغسطس", "اوت", "اب"],
        &[
            "septembre",
            "september",
            "sep",
            "sept",
            "شتنبر",
            "سبتمبر",
            "ايلول",
        ],
        &["octobre", "october", "oct", "اكتوبر", "تشرين الاول"],
        &[
            "novembre",
            "november",
            "nov",
            "نونبر",
            "نوفمبر",
            "تشرين الثاني",
        ],
        &[
            "decembre",
            "december",
            "dec",
            "دجنبر",
            "ديسمبر",
            "كانون الاول",
        ],
    ];
    MONTHS
        .iter()
        .position(|names| names.contains(&word.as_str()))
        .map(|i| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc_string(s: &str) -> String {
        parse(s)
            .map(|d| d.with_timezone(&Utc).to_rfc3339())
            .unwrap_or_default()
    }

    #[test]
    fn rfc_formats_and_their_variants() {
        assert_eq!(
            utc_string("Tue, 02 Dec 2025 09:15:00 +0100"),
            "2025-12-02T08:15:00+00:00"
        );
        assert_eq!(
            utc_string("02 Dec 2025 09:15:00 GMT"),
            "2025-12-02T09:15:00+00:00"
        );
        assert_eq!(
            utc_string("Tue, 02 Dec 2025 09:15:00 UTC"),
            "2025-12-02T09:15:00+00:00"
        );
        assert_eq!(
            utc_string("2025-12-02T09:15:00+01:00"),
            "2025-12-02T08:15:00+00:00"
        );
        assert_eq!(
            utc_string("2025-12-02 09:15:00"),
            "2025-12-02T09:15:00+00:00"
        );
        assert_eq!(utc_string("2025-12-02"), "2025-12-02T00:00:00+00:00");
    }

    #[test]
    fn the_page_offset_is_kept() {
        assert_eq!(
            parse("2025-12-02T09:15:00+01:00")
                .unwrap()
                .offset()
                .local_minus_utc(),
            3600
        );
    }

    #[test]
    fn month_names_in_arabic_and_french() {
        assert_eq!(utc_string("2 ديسمبر 2025"), "2025-12-02T00:00:00+00:00");
        assert_eq!(utc_string("6 ماي 2025 10:30"), "2025-05-06T10:30:00+00:00");
        assert_eq!(utc_string("١٢ غشت ٢٠٢٤"), "2024-08-12T00:00:00+00:00");
        assert_eq!(utc_string("12 décembre 2025"), "2025-12-12T00:00:00+00:00");
        assert_eq!(utc_string("3 جويلية 2025"), "2025-07-03T00:00:00+00:00");
    }

    #[test]
    fn nonsense_is_none() {
        for s in [
            "",
            "yesterday",
            "32 December 2025",
            "2025-13-01",
            "99 ماي 2025",
        ] {
            assert!(parse(s).is_none(), "{s}");
        }
    }
}
