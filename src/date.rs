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
    // Two-word Levantine month names become one word so that a day, a month and a year are
    // always three words.
    let mut joined = s.to_string();
    for (two, one) in LEVANT_PAIRS {
        joined = joined.replace(two, one);
    }
    let words: Vec<&str> = joined
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '،' | '-' | '/' | '|'))
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
        let Some(date) = NaiveDate::from_ymd_opt(year as i32, month, day) else {
            continue;
        };
        let rest_start = words.iter().position(|w| std::ptr::eq(*w, window[2]))? + 1;
        let time = words
            .iter()
            .skip(rest_start)
            .take(3)
            .find_map(|t| NaiveTime::parse_from_str(t, "%H:%M").ok())
            .unwrap_or(NaiveTime::MIN);
        return Some(utc(date.and_time(time)));
    }
    None
}

const LEVANT_PAIRS: [(&str, &str); 6] = [
    ("كانون الثاني", "كانون_الثاني"),
    ("كانون الأول", "كانون_الاول"),
    ("كانون الاول", "كانون_الاول"),
    ("تشرين الأول", "تشرين_الاول"),
    ("تشرين الاول", "تشرين_الاول"),
    ("تشرين الثاني", "تشرين_الثاني"),
];

/// The first date in running text, such as the line under a headline: a day, a month name and
/// a year ("الخميس 6 ماي 2025 - 10:30", "12 décembre 2025", "15 كانون الثاني 2025"), or, given the
/// time the page was fetched, a relative form ("منذ ساعتين", "il y a 2 heures", "3 hours ago").
pub fn find_in_text(
    text: &str,
    fetched_at: Option<DateTime<Utc>>,
) -> Option<DateTime<FixedOffset>> {
    fetched_at
        .and_then(|now| relative(text, now))
        .or_else(|| named_month(text))
}

/// "منذ ساعتين", "منذ 3 أيام", "il y a une heure", "2 hours ago", against `now`.
fn relative(text: &str, now: DateTime<Utc>) -> Option<DateTime<FixedOffset>> {
    let folded = crate::text::fold_str(text);
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let amount = |w: &str| -> Option<i64> {
        match w {
            "un" | "une" | "a" | "an" | "one" => Some(1),
            _ => w.parse().ok(),
        }
    };
    for (i, word) in words.iter().enumerate() {
        let found = match *word {
            // Arabic: منذ [N] unit, the dual (ساعتين) meaning two.
            "منذ" => {
                let (count, unit) = match words.get(i + 1).and_then(|w| amount(w)) {
                    Some(n) => (n, words.get(i + 2)),
                    None => (1, words.get(i + 1)),
                };
                unit.and_then(|u| arabic_unit(u))
                    .map(|(seconds, dual)| if dual { 2 * seconds } else { count * seconds })
            }
            // French: il y a N unit.
            "il" if words.get(i + 1) == Some(&"y") && words.get(i + 2) == Some(&"a") => {
                let count = words.get(i + 3).and_then(|w| amount(w));
                count
                    .zip(words.get(i + 4).and_then(|u| latin_unit(u)))
                    .map(|(n, s)| n * s)
            }
            // English: N unit ago.
            "ago" if i >= 2 => {
                let count = amount(words[i - 2]);
                count.zip(latin_unit(words[i - 1])).map(|(n, s)| n * s)
            }
            _ => None,
        };
        if let Some(seconds) = found.filter(|s| *s > 0) {
            return Some((now - chrono::Duration::seconds(seconds)).fixed_offset());
        }
    }
    None
}

/// Seconds in an Arabic time unit (folded), and whether the word is a dual.
fn arabic_unit(word: &str) -> Option<(i64, bool)> {
    Some(match word {
        "دقيقه" | "دقايق" => (60, false),
        "دقيقتين" | "دقيقتان" => (60, true),
        "ساعه" | "ساعات" => (3600, false),
        "ساعتين" | "ساعتان" => (3600, true),
        "يوم" | "ايام" | "يوما" => (86_400, false),
        "يومين" | "يومان" => (86_400, true),
        "اسبوع" | "اسابيع" => (7 * 86_400, false),
        "اسبوعين" | "اسبوعان" => (7 * 86_400, true),
        _ => return None,
    })
}

fn latin_unit(word: &str) -> Option<i64> {
    Some(match word.trim_end_matches('s') {
        "minute" | "min" => 60,
        "heure" | "hour" | "h" => 3600,
        "jour" | "day" => 86_400,
        "semaine" | "week" => 7 * 86_400,
        _ => return None,
    })
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
            "كانون_الثاني",
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
        &["octobre", "october", "oct", "اكتوبر", "تشرين_الاول"],
        &[
            "novembre",
            "november",
            "nov",
            "نونبر",
            "نوفمبر",
            "تشرين_الثاني",
        ],
        &[
            "decembre",
            "december",
            "dec",
            "دجنبر",
            "ديسمبر",
            "كانون_الاول",
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
    fn dates_in_running_text() {
        let found = |s: &str| {
            find_in_text(s, None)
                .map(|d| d.with_timezone(&Utc).to_rfc3339())
                .unwrap_or_default()
        };
        assert_eq!(
            found("الرباط - الخميس 6 ماي 2025 - 10:30 | هسبريس"),
            "2025-05-06T10:30:00+00:00"
        );
        assert_eq!(
            found("نشر في 15 كانون الثاني 2025"),
            "2025-01-15T00:00:00+00:00"
        );
        assert_eq!(
            found("le 32 mai 2025 ou plutôt le 2 juin 2025"),
            "2025-06-02T00:00:00+00:00"
        );
        assert_eq!(
            found("آخر تحديث: ٢ دجنبر ٢٠٢٥"),
            "2025-12-02T00:00:00+00:00"
        );
        assert_eq!(found("Rabat, sans date"), "");
    }

    #[test]
    fn relative_dates_count_back_from_the_fetch() {
        use chrono::TimeZone;
        let now = Utc.with_ymd_and_hms(2025, 12, 2, 12, 0, 0).unwrap();
        let ago = |s: &str| {
            find_in_text(s, Some(now)).map(|d| (now - d.with_timezone(&Utc)).num_minutes())
        };
        assert_eq!(ago("نشر منذ ساعتين"), Some(120));
        assert_eq!(ago("منذ 3 ساعات"), Some(180));
        assert_eq!(ago("منذ ٥ دقائق"), Some(5));
        assert_eq!(ago("منذ يومين"), Some(2 * 1440));
        assert_eq!(ago("منذ ساعة"), Some(60));
        assert_eq!(ago("Publié il y a 2 heures"), Some(120));
        assert_eq!(ago("il y a une heure"), Some(60));
        assert_eq!(ago("Posted 3 hours ago"), Some(180));
        assert_eq!(ago("an hour ago"), Some(60));
        assert_eq!(ago("منذ البداية"), None);
        assert_eq!(
            find_in_text("منذ ساعتين", None),
            None,
            "no fetch time, no relative date"
        );
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
