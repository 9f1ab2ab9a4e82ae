//! Dates as outlets write them: RFC 822 and its variants, ISO 8601 with or without a zone, and
//! the forms pages print (see [`scan`]): numeric, with month names in Arabic (each naming
//! system, paired or alone), French, English, German, Spanish, Italian and Portuguese.
//!
//! A date with no offset is read on the clocks of the zone it was written in (the feed's
//! `timezone`, UTC unless configured), with the offset those clocks showed then; the offset a
//! feed or a page gives is kept.

mod scan;
mod span;

use chrono::{
    DateTime, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone, Utc,
};
use chrono_tz::Tz;

pub use scan::DayOrder;
pub use span::{earlier, first, last, later};

/// Parse a date string from a feed or a page; one without an offset was written on the clocks
/// of `zone`.
pub fn parse(input: &str, zone: Tz) -> Option<DateTime<FixedOffset>> {
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
    rfc822_variants(s, zone)
        .or_else(|| iso_variants(s, zone))
        .or_else(|| written(s, zone))
}

/// A date as a page prints it, alone or first in a short string; day first unless its numbers
/// say otherwise.
fn written(s: &str, zone: Tz) -> Option<DateTime<FixedOffset>> {
    let found = scan::dates(s, s.len());
    let order = scan::order_shown(&found).unwrap_or(DayOrder::DayFirst);
    found
        .iter()
        .filter(|f| !f.month_only)
        .find_map(|f| f.resolve(order, zone))
}

/// `naive` as read on the clocks of `zone`, with the offset they showed. A time shown twice
/// (clocks set back) is the first; a time the clocks skipped is read with the offset in force
/// just before the jump.
pub fn local(naive: NaiveDateTime, zone: Tz) -> Option<DateTime<FixedOffset>> {
    match zone.from_local_datetime(&naive) {
        LocalResult::Single(d) | LocalResult::Ambiguous(d, _) => Some(d.fixed_offset()),
        LocalResult::None => {
            // The last minute the clocks showed before the jump (jumps are shorter than a day).
            let before = (1..=24 * 60)
                .filter_map(|m| naive.checked_sub_signed(chrono::Duration::minutes(m)))
                .find_map(|earlier| zone.from_local_datetime(&earlier).earliest())?
                .offset()
                .fix();
            naive
                .checked_sub_offset(before)
                .map(|utc| DateTime::from_naive_utc_and_offset(utc, before))
        }
    }
}

/// RFC 822 as found in the wild: missing weekday, zone names chrono does not know, no zone.
fn rfc822_variants(s: &str, zone: Tz) -> Option<DateTime<FixedOffset>> {
    let without_weekday = s.split_once(',').map_or(s, |(_, rest)| rest).trim();
    for name in ["UTC", "Z", "UT"] {
        if let Some(rest) = without_weekday.strip_suffix(name) {
            return rfc822_variants(&format!("{} +0000", rest.trim()), zone);
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
            return local(d, zone);
        }
    }
    None
}

fn iso_variants(s: &str, zone: Tz) -> Option<DateTime<FixedOffset>> {
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
            return local(d, zone);
        }
    }
    let date = s.get(..10)?;
    NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .and_then(|d| local(d.and_time(NaiveTime::MIN), zone))
}

const LEVANT_PAIRS: [(&str, &str); 6] = [
    ("كانون الثاني", "كانون_الثاني"),
    ("كانون الأول", "كانون_الاول"),
    ("كانون الاول", "كانون_الاول"),
    ("تشرين الأول", "تشرين_الاول"),
    ("تشرين الاول", "تشرين_الاول"),
    ("تشرين الثاني", "تشرين_الثاني"),
];

/// What a page says about reading the dates in its text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Page {
    /// The order its language implies for all-numeric dates (see [`DayOrder::of_language`]),
    /// when the page's own numbers do not show it.
    pub order: Option<DayOrder>,
    /// When it was fetched: relative dates count back from it, and no date is later.
    pub fetched_at: Option<DateTime<Utc>>,
    /// The zone of the outlet's clocks, for dates written without an offset.
    pub zone: Tz,
}

/// The publication date in a page's visible text: the first date in its first
/// [`HEAD_SPAN`] bytes, such as the line under a headline (`الخميس 6 ماي 2025 - 10:30`,
/// `28/11/2026`, `Nov 28, 2026, 2:05 PM`), or, given the fetch time, a relative form
/// (`منذ ساعتين`, `il y a 2 heures`, `3 hours ago`). A date labelled as an update is taken only
/// when no other is shown, a paired month with a year alone only when no day is. The whole text
/// settles whether `03/04/2026` is day or month first.
pub fn find_in_text(text: &str, page: &Page) -> Option<DateTime<FixedOffset>> {
    let mut head_end = text.len().min(HEAD_SPAN);
    while !text.is_char_boundary(head_end) {
        head_end -= 1;
    }
    if let Some(date) = page
        .fetched_at
        .and_then(|now| relative(&text[..head_end], now, page.zone))
    {
        return Some(date);
    }
    let found = scan::dates(text, head_end);
    let order = scan::order_shown(&found)
        .or(page.order)
        .unwrap_or(DayOrder::DayFirst);
    let usable: Vec<(&scan::Found, DateTime<FixedOffset>)> = found
        .iter()
        .take_while(|f| f.at < head_end)
        .filter_map(|f| f.resolve(order, page.zone).map(|d| (f, d)))
        .filter(|(_, d)| plausible(d, page.fetched_at))
        .collect();
    let first = |month_only: bool, stamp: scan::Stamp| {
        usable
            .iter()
            .find(|(f, _)| f.month_only == month_only && f.stamp == stamp)
            .map(|(_, d)| *d)
    };
    first(false, scan::Stamp::Published)
        .or_else(|| first(false, scan::Stamp::Updated))
        .or_else(|| first(true, scan::Stamp::Published))
        .or_else(|| first(true, scan::Stamp::Updated))
}

/// Bytes of text searched for the publication date itself.
pub const HEAD_SPAN: usize = 4000;

/// Bytes of the longest month name above (`كانون_الثاني`), with a final dot.
const LONGEST_MONTH: usize = 24;

/// Whether `date` can be a publication date: not before the web's news sites, and not after the
/// page was fetched (a day's grace for clocks and zones). Placeholders such as 1970-01-01 or
/// 2099-12-31 and the dates of coming events are not.
pub fn plausible(date: &DateTime<FixedOffset>, fetched_at: Option<DateTime<Utc>>) -> bool {
    use chrono::Datelike;
    date.year() >= scan::MIN_YEAR
        && fetched_at.is_none_or(|now| date.with_timezone(&Utc) <= now + chrono::Duration::days(1))
}

/// "منذ ساعتين", "منذ 3 أيام", "il y a une heure", "2 hours ago", against `now`, with the
/// offset of `zone` then.
fn relative(text: &str, now: DateTime<Utc>, zone: Tz) -> Option<DateTime<FixedOffset>> {
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
            return now
                .checked_sub_signed(chrono::Duration::seconds(seconds))
                .map(|d| d.with_timezone(&zone).fixed_offset());
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

/// Month names in the Arabic naming systems (Moroccan, Maghreb, Levantine, Egyptian/Gulf),
/// French, English, German, Spanish, Italian and Portuguese, folded (see
/// [`crate::text::fold_str`]).
fn month_number(word: &str) -> Option<u32> {
    if word.len() > LONGEST_MONTH || !word.starts_with(char::is_alphabetic) {
        return None;
    }
    let word = crate::text::fold_str(word.trim_end_matches('.'));
    const MONTHS: [&[&str]; 12] = [
        &[
            "janvier",
            "january",
            "jan",
            "janv",
            "januar",
            "janner",
            "enero",
            "gennaio",
            "janeiro",
            "يناير",
            "جانفي",
            "كانون_الثاني",
        ],
        &[
            "fevrier",
            "february",
            "feb",
            "fevr",
            "februar",
            "febrero",
            "febbraio",
            "fevereiro",
            "فبراير",
            "فيفري",
            "شباط",
        ],
        &[
            "mars", "march", "mar", "marz", "maerz", "marzo", "marco", "مارس", "اذار",
        ],
        &[
            "avril",
            "april",
            "apr",
            "avr",
            "abril",
            "aprile",
            "ابريل",
            "افريل",
            "نيسان",
        ],
        &[
            "mai", "may", "mayo", "maggio", "maio", "ماي", "مايو", "ايار",
        ],
        &[
            "juin",
            "june",
            "jun",
            "juni",
            "junio",
            "giugno",
            "junho",
            "يونيو",
            "يونيه",
            "جوان",
            "حزيران",
        ],
        &[
            "juillet",
            "july",
            "jul",
            "juil",
            "juli",
            "julio",
            "luglio",
            "julho",
            "يوليوز",
            "يوليو",
            "يوليه",
            "جويليه",
            "تموز",
        ],
        &[
            "aout",
            "august",
            "aug",
            "agosto",
            "غشت",
            "اغسطس",
            "اوت",
            "اب",
        ],
        &[
            "septembre",
            "september",
            "sep",
            "sept",
            "septiembre",
            "setiembre",
            "settembre",
            "setembro",
            "شتنبر",
            "سبتمبر",
            "ايلول",
        ],
        &[
            "octobre",
            "october",
            "oct",
            "oktober",
            "okt",
            "octubre",
            "ottobre",
            "outubro",
            "اكتوبر",
            "تشرين_الاول",
        ],
        &[
            "novembre",
            "november",
            "nov",
            "noviembre",
            "novembro",
            "نونبر",
            "نوفمبر",
            "تشرين_الثاني",
        ],
        &[
            "decembre",
            "december",
            "dec",
            "dezember",
            "dez",
            "diciembre",
            "dicembre",
            "dezembro",
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

    /// A date written on UTC clocks, as every outlet's is unless configured.
    fn parse(s: &str) -> Option<DateTime<FixedOffset>> {
        super::parse(s, Tz::UTC)
    }

    #[test]
    fn local_times_the_clocks_skip_or_repeat_still_name_one_instant() {
        use chrono::{NaiveDate, Timelike};
        let zone = Tz::Europe__Paris;
        let at = |d, h, m| {
            NaiveDate::from_ymd_opt(2025, 3, d)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
        };
        // 2025-03-30 02:00 in Paris does not exist: read with the offset of 01:59.
        let before = zone
            .from_local_datetime(&at(30, 1, 59))
            .unwrap()
            .offset()
            .fix();
        let skipped = local(at(30, 2, 30), zone).unwrap();
        assert_eq!(*skipped.offset(), before);
        assert_eq!((skipped.hour(), skipped.minute()), (2, 30));
        let ordinary = local(at(29, 2, 30), zone).unwrap();
        assert_eq!(*ordinary.offset(), before);
        assert_eq!(
            local(at(31, 2, 30), zone).map(|d| d.naive_local()),
            Some(at(31, 2, 30))
        );
    }

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
            find_in_text(s, &Page::default())
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
            find_in_text(
                s,
                &Page {
                    fetched_at: Some(now),
                    ..Page::default()
                },
            )
            .map(|d| (now - d.with_timezone(&Utc)).num_minutes())
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
            find_in_text("منذ ساعتين", &Page::default()),
            None,
            "no fetch time, no relative date"
        );
    }

    fn in_text(s: &str, order: Option<DayOrder>) -> String {
        let page = Page {
            order,
            fetched_at: Some(Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap()),
            zone: Tz::UTC,
        };
        find_in_text(s, &page)
            .map(|d| d.to_rfc3339())
            .unwrap_or_default()
    }

    #[test]
    fn numeric_dates_alone_and_with_a_time() {
        for (written, expected) in [
            ("28/11/2026", "2026-11-28T00:00:00+00:00"),
            ("28-11-2026", "2026-11-28T00:00:00+00:00"),
            ("28.11.2026 14:05", "2026-11-28T14:05:00+00:00"),
            ("2026/11/28 10:30", "2026-11-28T10:30:00+00:00"),
            ("2026-11-28", "2026-11-28T00:00:00+00:00"),
            ("٢٨/١١/٢٠٢٦", "2026-11-28T00:00:00+00:00"),
            ("3/4/2026", "2026-04-03T00:00:00+00:00"),
        ] {
            assert_eq!(in_text(written, None), expected, "{written}");
        }
        assert_eq!(
            parse("28/11/2026 - 14:05").map(|d| d.to_rfc3339()),
            Some("2026-11-28T14:05:00+00:00".into())
        );
    }

    #[test]
    fn the_page_settles_which_of_day_and_month_comes_first() {
        let us = DayOrder::of_language("en-US");
        let fr = DayOrder::of_language("fr-FR");
        assert_eq!(us, Some(DayOrder::MonthFirst));
        assert_eq!(DayOrder::of_language("ar"), Some(DayOrder::DayFirst));
        assert_eq!(DayOrder::of_language("en_GB"), Some(DayOrder::DayFirst));
        assert_eq!(DayOrder::of_language("en"), None);
        assert_eq!(
            in_text("Posted 03/04/2026", us),
            "2026-03-04T00:00:00+00:00"
        );
        assert_eq!(
            in_text("Publié le 03/04/2026", fr),
            "2026-04-03T00:00:00+00:00"
        );
        assert_eq!(in_text("03/04/2026", None), "2026-04-03T00:00:00+00:00");
        // A 13 to 31 in either place settles it, whatever the language says.
        assert_eq!(in_text("11/28/2026", fr), "2026-11-28T00:00:00+00:00");
        assert_eq!(in_text("28/11/2026", us), "2026-11-28T00:00:00+00:00");
        // An unambiguous date elsewhere on the page settles the ambiguous one.
        let page = "03/04/2026 | Comments: 11/28/2026, 11/29/2026";
        assert_eq!(in_text(page, fr), "2026-03-04T00:00:00+00:00");
        let page = "03/04/2026 | Commentaires : 28/11/2026";
        assert_eq!(in_text(page, us), "2026-04-03T00:00:00+00:00");
        // Named dates show nothing: an embedded post may be from anywhere.
        let page = "03/04/2026 · Related: Nov 28, 2026";
        assert_eq!(in_text(page, None), "2026-04-03T00:00:00+00:00");
    }

    #[test]
    fn numbers_that_are_not_dates() {
        for s in [
            "version 1.2.2026.5",
            "192.168.10.2024",
            "32/11/2026",
            "13/13/2026",
            "0/11/2026",
            "28/11/26",
            "28/11/1789",
            "tel 05/22/6650",
        ] {
            assert_eq!(in_text(s, None), "", "{s}");
        }
    }

    #[test]
    fn paired_month_names_agree_or_are_no_date() {
        for (written, expected) in [
            ("آب/أغسطس 2013", "2013-08-01T00:00:00+00:00"),
            ("كانون الثاني/يناير 2024", "2024-01-01T00:00:00+00:00"),
            ("12 تشرين الأول/أكتوبر 2023", "2023-10-12T00:00:00+00:00"),
            ("5 نوفمبر/تشرين الثاني 2026", "2026-11-05T00:00:00+00:00"),
            ("5 نوفمبر (تشرين الثاني) 2026", "2026-11-05T00:00:00+00:00"),
            (
                "الأحد 15 أيار (مايو) 2022 - 10:30",
                "2022-05-15T10:30:00+00:00",
            ),
        ] {
            assert_eq!(in_text(written, None), expected, "{written}");
        }
        assert_eq!(in_text("5 نوفمبر/كانون الثاني 2026", None), "");
        // A month and a year in plain words are the subject of a sentence, not a dateline;
        // next to a day they are not needed.
        assert_eq!(in_text("في مارس 2020 أغلقت الحدود", None), "");
        assert_eq!(
            in_text("العدد 45، آب/أغسطس 2013 | 3 أيلول 2013", None),
            "2013-09-03T00:00:00+00:00"
        );
    }

    #[test]
    fn datelines_give_the_publication_not_the_update() {
        for (written, expected) in [
            (
                "الجمعة 28 نوفمبر 2026 - 14:05 | آخر تحديث: السبت 29 نوفمبر 2026 - 09:12",
                "2026-11-28T14:05:00+00:00",
            ),
            (
                "آخر تحديث: السبت 29 نوفمبر 2026 - 09:12 | نشر في: 28 نوفمبر 2026 - 14:05",
                "2026-11-28T14:05:00+00:00",
            ),
            (
                "Publié le 28/11/2026 à 14h05, mis à jour le 29/11/2026 à 09h12",
                "2026-11-28T14:05:00+00:00",
            ),
            (
                "Published: Nov 28, 2026, 2:05 PM · Updated: Nov 29, 2026, 9:12 AM",
                "2026-11-28T14:05:00+00:00",
            ),
            (
                "Mis à jour le 29/11/2026 à 09h12",
                "2026-11-29T09:12:00+00:00",
            ),
            ("28 novembre 2026 à 14h", "2026-11-28T14:00:00+00:00"),
            (
                "28. November 2026 um 12:30 Uhr",
                "2026-11-28T12:30:00+00:00",
            ),
            ("3 de mayo de 2022, 10:15", "2022-05-03T10:15:00+00:00"),
            ("28 نوفمبر 2026م - 12:05 م", "2026-11-28T12:05:00+00:00"),
            ("November 28, 2026 12:05 a.m.", "2026-11-28T00:05:00+00:00"),
        ] {
            assert_eq!(in_text(written, None), expected, "{written}");
        }
    }

    #[test]
    fn the_offset_a_page_gives_is_kept() {
        for (written, expected) in [
            ("28/11/2026 14:05 GMT+1", "2026-11-28T14:05:00+01:00"),
            (
                "28 نوفمبر 2026 - 14:05 (GMT+03:00)",
                "2026-11-28T14:05:00+03:00",
            ),
            ("Nov 28, 2026 2:05 PM -0500", "2026-11-28T14:05:00-05:00"),
            ("2026/11/28 14:05 UTC", "2026-11-28T14:05:00+00:00"),
            ("28.11.2026 14:05 +01:00", "2026-11-28T14:05:00+01:00"),
        ] {
            assert_eq!(in_text(written, None), expected, "{written}");
        }
    }

    #[test]
    fn dates_after_the_fetch_or_before_the_web_are_not_publications() {
        assert_eq!(in_text("Concert le 20/12/2026", None), "");
        assert_eq!(
            in_text("Match le 20/12/2026 · Publié le 28/11/2026", None),
            "2026-11-28T00:00:00+00:00"
        );
        let now = Some(Utc.with_ymd_and_hms(2026, 11, 30, 12, 0, 0).unwrap());
        for placeholder in ["1970-01-01T00:00:00Z", "2099-12-31T00:00:00Z"] {
            assert!(
                !plausible(&parse(placeholder).unwrap(), now),
                "{placeholder}"
            );
        }
        assert!(plausible(&parse("2026-11-30T20:00:00+00:00").unwrap(), now));
    }

    #[test]
    fn hostile_text_finds_nothing_and_never_panics() {
        let long = "١/".repeat(10_000) + &"28.".repeat(5_000) + "٢٠٢٦";
        for s in [
            long.as_str(),
            "28/11/",
            "28/11/2026 14:",
            "Nov",
            "28 نوفمبر",
            "28 نوفمبر/",
            "نوفمبر (",
            "14h99",
            "99:99",
            "28/11/2026 25:00 GMT+99",
            "28/11/2026 10:00 GMT+",
            "2026/11/28 10:30 p.",
            "ـ/ـ/ـ",
            &"28/11/2026 14:05 ((((".repeat(20_000),
        ] {
            let _ = in_text(s, None);
            let _ = parse(s);
        }
        assert_eq!(
            in_text("28/11/2026 25:00", None),
            "2026-11-28T00:00:00+00:00"
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
