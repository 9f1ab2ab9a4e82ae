//! Dates in running text, as pages print them: `28/11/2026` alone in a table cell, `2026/11/28`,
//! `28.11.2026 14:05`, `الجمعة 28 نوفمبر 2026 - 14:05`, `Nov 28, 2026, 2:05 PM`, paired month
//! names (`كانون الثاني/يناير 2024`, `نوفمبر (تشرين الثاني)`), and datelines carrying an update
//! stamp (`آخر تحديث: …`, `mis à jour le …`, `Updated: …`), whose publication date is the one kept.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// How a page writes an all-numeric date whose first two numbers could both be a month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOrder {
    /// `03/04/2026` is the 3rd of April: Arabic, French and most of the world.
    DayFirst,
    /// `03/04/2026` is March 4th: pages in US English.
    MonthFirst,
}

impl DayOrder {
    /// The order a language tag implies: month first in US English, day first in every other
    /// language and region; English with no region says nothing.
    pub fn of_language(tag: &str) -> Option<DayOrder> {
        let mut parts = tag.split(['-', '_']);
        let primary = parts.next().unwrap_or_default();
        let region = parts.next();
        if !primary.eq_ignore_ascii_case("en") {
            Some(DayOrder::DayFirst)
        } else {
            match region {
                Some(r) if r.eq_ignore_ascii_case("us") => Some(DayOrder::MonthFirst),
                Some(_) => Some(DayOrder::DayFirst),
                None => None,
            }
        }
    }
}

/// Whether a dateline labels a date as the publication or as a later update.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stamp {
    Published,
    Updated,
}

/// A date found in text, its day and month perhaps still waiting for the page's order.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    /// Byte offset in the text.
    pub at: usize,
    pub stamp: Stamp,
    /// Whether only a month and a year were given (a paired month name and a year).
    pub month_only: bool,
    year: i32,
    /// Day and month when the page's order is known; the two numbers as written otherwise.
    first: u32,
    second: u32,
    /// How to read `first` and `second`; `None` while the page must settle it.
    order: Option<DayOrder>,
    /// The order an all-numeric date shows by a 13 to 31 in first or second place.
    shows: Option<DayOrder>,
    time: NaiveTime,
    /// The offset written after the time, if any.
    offset: Option<FixedOffset>,
}

impl Found {
    /// The date, ambiguous numbers read in `order`, on the clocks of `zone` unless an offset
    /// was written.
    pub fn resolve(&self, order: DayOrder, zone: Tz) -> Option<DateTime<FixedOffset>> {
        let (day, month) = match self.order.unwrap_or(order) {
            DayOrder::DayFirst => (self.first, self.second),
            DayOrder::MonthFirst => (self.second, self.first),
        };
        let naive = NaiveDate::from_ymd_opt(self.year, month, day)?.and_time(self.time);
        match self.offset {
            Some(offset) => offset.from_local_datetime(&naive).single(),
            None => super::local(naive, zone),
        }
    }
}

/// The order the page's numbers show (a 13 to 31 in first or second place), or `None` when
/// they show none or contradict each other.
pub fn order_shown(found: &[Found]) -> Option<DayOrder> {
    let mut shown = found.iter().filter_map(|f| f.shows);
    let first = shown.next()?;
    shown.all(|o| o == first).then_some(first)
}

/// Every date in `text`, in the order written; past byte `named_until` only the all-numeric ones
/// (reading month names costs more, and far from the headline they only serve to show the
/// page's order).
pub fn dates(text: &str, named_until: usize) -> Vec<Found> {
    let normal = normalise(text);
    let tokens = tokenise(&normal);
    let mut found = Vec::new();
    let mut i = 0;
    let mut after_previous = 0;
    while i < tokens.len() {
        let named_here = || {
            (tokens[i].start < named_until)
                .then(|| named(&tokens, i))
                .flatten()
        };
        let Some((mut date, next)) = numeric(&tokens, i).or_else(named_here) else {
            i += 1;
            continue;
        };
        let (time, offset, next) = time_after(&tokens, next);
        if let Some(time) = time {
            date.time = time;
        }
        if offset.is_some() {
            date.offset = offset;
        }
        let start = tokens[i].start;
        date.at = start;
        date.stamp = stamp(&normal[after_previous..start]);
        after_previous = tokens[next - 1].end;
        found.push(date);
        i = next;
    }
    found
}

/// Arabic-Indic digits as ASCII and two-word Levantine month names as one word, so that a
/// date's parts are single tokens.
fn normalise(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| match c {
            '٠'..='٩' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '۰'..='۹' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            c => c,
        })
        .collect();
    for (two, one) in super::LEVANT_PAIRS {
        if out.contains(two) {
            out = out.replace(two, one);
        }
    }
    out
}

#[derive(Debug)]
struct Token<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    /// No space between this token and the one before.
    glued: bool,
}

impl Token<'_> {
    fn number(&self) -> Option<(u32, usize)> {
        if self.text.len() > 4 || !self.text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        self.text.parse().ok().map(|n| (n, self.text.len()))
    }

    fn is(&self, punctuation: &str) -> bool {
        self.text.chars().count() == 1 && punctuation.contains(self.text)
    }
}

/// Runs of letters and digits are words; any other visible character is a token of its own.
fn tokenise<'a>(text: &'a str) -> Vec<Token<'a>> {
    let mut tokens = Vec::new();
    let mut word: Option<usize> = None;
    let mut glued = false;
    let push = |tokens: &mut Vec<Token<'a>>, start: usize, end: usize, glued: bool| {
        tokens.push(Token {
            text: &text[start..end],
            start,
            end,
            glued,
        });
    };
    for (at, c) in text.char_indices() {
        let in_word = c.is_alphanumeric() || c == '_';
        if let Some(start) = word.filter(|_| !in_word) {
            push(&mut tokens, start, at, glued);
            word = None;
            glued = true;
        }
        if in_word {
            if word.is_none() {
                word = Some(at);
            }
        } else if c.is_whitespace() {
            glued = false;
        } else {
            push(&mut tokens, at, at + c.len_utf8(), glued);
            glued = true;
        }
    }
    if let Some(start) = word {
        push(&mut tokens, start, text.len(), glued);
    }
    tokens
}

/// A year as pages write one in a date, `2026` or, in Arabic, `2026م` (of the Common Era).
fn year(token: &Token<'_>) -> Option<i32> {
    let digits = token.text.strip_suffix('م').unwrap_or(token.text);
    match (digits.len(), digits.parse::<i32>()) {
        (4, Ok(y)) if (MIN_YEAR..=MAX_YEAR).contains(&y) => Some(y),
        _ => None,
    }
}

/// Years outside this range are not publication dates of anything raqib reads.
pub const MIN_YEAR: i32 = 1990;
const MAX_YEAR: i32 = 2100;

fn blank(year: i32, first: u32, second: u32, order: Option<DayOrder>) -> Found {
    Found {
        at: 0,
        stamp: Stamp::Published,
        month_only: false,
        year,
        first,
        second,
        order,
        shows: None,
        time: NaiveTime::MIN,
        offset: None,
    }
}

/// `28/11/2026`, `28-11-2026`, `28.11.2026`, `2026/11/28`: three numbers glued by one separator,
/// not part of a longer run (a version, an address, a phone number).
fn numeric(tokens: &[Token<'_>], i: usize) -> Option<(Found, usize)> {
    let t = tokens.get(i..i + 5)?;
    let separator = t[1].text;
    if !t[1].is("/-.") || t[3].text != separator || !t[1..].iter().all(|t| t.glued) {
        return None;
    }
    let glued_run = |t: Option<&Token<'_>>| t.is_some_and(|t| t.glued && t.is("/-.:"));
    if (t[0].glued && i > 0 && glued_run(tokens.get(i - 1)))
        || (glued_run(tokens.get(i + 5))
            && tokens
                .get(i + 6)
                .is_some_and(|n| n.glued && n.number().is_some()))
    {
        return None;
    }
    let (a, a_len) = t[0].number()?;
    let (b, b_len) = t[2].number()?;
    let (c, c_len) = t[4].number()?;
    if a_len == 4 {
        let y = year(&t[0])?;
        (b_len <= 2 && c_len <= 2).then(|| (blank(y, c, b, Some(DayOrder::DayFirst)), i + 5))
    } else {
        let y = year(&t[4])?;
        if a_len > 2 || b_len > 2 || a == 0 || b == 0 {
            return None;
        }
        let shown = match (a > 12, b > 12) {
            (true, false) => Some(DayOrder::DayFirst),
            (false, true) => Some(DayOrder::MonthFirst),
            (true, true) => return None,
            (false, false) => None,
        };
        let mut found = blank(y, a, b, shown);
        found.shows = shown;
        Some((found, i + 5))
    }
}

/// A day of the month as a token: `28`, or `28.` as German and Scandinavian pages write it.
fn day(tokens: &[Token<'_>], j: usize) -> Option<(u32, usize)> {
    match tokens.get(j)?.number()? {
        (d, 1..=2) if (1..=31).contains(&d) => {
            let dotted = tokens.get(j + 1).is_some_and(|t| t.glued && t.is("."));
            Some((d, j + 1 + usize::from(dotted)))
        }
        _ => None,
    }
}

/// A month name, or two names of one month paired (`آب/أغسطس`, `نوفمبر (تشرين الثاني)`):
/// its number, whether it was a pair, and the next token. Two names of different months are
/// no month.
fn month(tokens: &[Token<'_>], j: usize) -> Option<(u32, bool, usize)> {
    let m = super::month_number(tokens.get(j)?.text)?;
    let mut next = j + 1;
    if tokens.get(next).is_some_and(|t| t.glued && t.is(".")) {
        next += 1;
    }
    let paired = match tokens.get(next..next + 2) {
        Some([slash, other]) if slash.is("/") => Some((other, next + 2)),
        Some([open, other]) if open.is("(") => tokens
            .get(next + 2)
            .filter(|close| close.is(")"))
            .map(|_| (other, next + 3)),
        _ => None,
    };
    match paired {
        Some((other, after)) => match super::month_number(other.text) {
            Some(m2) if m2 == m => Some((m, true, after)),
            Some(_) => None,
            None => Some((m, false, next)),
        },
        None => Some((m, false, next)),
    }
}

/// Skips one comma, or the `de` of Spanish and Portuguese (`3 de mayo de 2022`), between the
/// parts of a named date.
fn comma(tokens: &[Token<'_>], j: usize) -> usize {
    j + usize::from(
        tokens
            .get(j)
            .is_some_and(|t| t.is(",،") || t.text == "de" || t.text == "del"),
    )
}

/// `28 نوفمبر 2026`, `28. November 2026`, `Nov 28, 2026`, and a paired month with its year
/// alone (`آب/أغسطس 2013`).
fn named(tokens: &[Token<'_>], i: usize) -> Option<(Found, usize)> {
    if let Some((d, j)) = day(tokens, i)
        && let Some((m, _, j)) = month(tokens, comma(tokens, j))
    {
        let j = comma(tokens, j);
        let y = year(tokens.get(j)?)?;
        return Some((blank(y, d, m, Some(DayOrder::DayFirst)), j + 1));
    }
    let (m, paired, j) = month(tokens, i)?;
    if let Some((d, k)) = day(tokens, j) {
        let k = comma(tokens, k);
        let y = year(tokens.get(k)?)?;
        return Some((blank(y, d, m, Some(DayOrder::DayFirst)), k + 1));
    }
    // A month and a year alone are a date only as a deliberate pair of names: in plain words
    // ("in March 2020") they are the story's subject, not its dateline.
    let y = year(tokens.get(comma(tokens, j))?).filter(|_| paired)?;
    let mut found = blank(y, 1, m, Some(DayOrder::DayFirst));
    found.month_only = true;
    Some((found, comma(tokens, j) + 1))
}

/// Words and marks between a date and its time: `- 14:05`, `à 14h05`, `, 2:05 PM`, `um 13:22`.
const BEFORE_TIME: [&str; 7] = ["a", "à", "at", "um", "kl", "الساعة", "alle"];

/// The time (and zone) written after a date, and the next token.
fn time_after(
    tokens: &[Token<'_>],
    mut j: usize,
) -> (Option<NaiveTime>, Option<FixedOffset>, usize) {
    let start = j;
    for _ in 0..2 {
        match tokens.get(j) {
            Some(t)
                if t.is("-|,،–—·@") || BEFORE_TIME.contains(&t.text.to_lowercase().as_str()) =>
            {
                j += 1
            }
            _ => break,
        }
    }
    let Some((time, mut j)) = clock(tokens, j) else {
        return (None, None, start);
    };
    let (time, after) = meridiem(tokens, j, time);
    j = after;
    match zone(tokens, j) {
        Some((offset, after)) => (Some(time), Some(offset), after),
        None => (Some(time), None, j),
    }
}

/// `14:05`, `14:05:30`, `14h05`, `14h`.
fn clock(tokens: &[Token<'_>], j: usize) -> Option<(NaiveTime, usize)> {
    let t = tokens.get(j)?;
    if let Some((h, m)) = t.text.split_once(['h', 'H']) {
        let hour: u32 = h.parse().ok().filter(|_| h.len() <= 2)?;
        let minute: u32 = if m.is_empty() {
            0
        } else {
            m.parse().ok().filter(|_| m.len() == 2)?
        };
        return Some((NaiveTime::from_hms_opt(hour, minute, 0)?, j + 1));
    }
    let (hour, hour_len) = t.number()?;
    let colon = tokens.get(j + 1)?;
    let minutes = tokens.get(j + 2)?;
    if hour_len > 2 || !colon.glued || !colon.is(":") || !minutes.glued {
        return None;
    }
    // "2:05PM" is one token after the colon.
    let digits = minutes
        .text
        .trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let minute: u32 = digits.parse().ok().filter(|_| digits.len() == 2)?;
    let mut next = j + 3;
    let mut second = 0;
    if digits.len() == minutes.text.len()
        && let (Some(colon), Some(s)) = (tokens.get(next), tokens.get(next + 1))
        && colon.glued
        && colon.is(":")
        && s.glued
        && let Some((s, 2)) = s.number()
    {
        second = s;
        next += 2;
    }
    let time = NaiveTime::from_hms_opt(hour, minute, second)?;
    match minutes.text[digits.len()..].to_ascii_lowercase().as_str() {
        "" => Some((time, next)),
        suffix => Some((to_24h(time, suffix)?, next)),
    }
}

/// `PM`, `p.m.`, `م` (evening) after a 12-hour time.
fn meridiem(tokens: &[Token<'_>], j: usize, time: NaiveTime) -> (NaiveTime, usize) {
    let Some(word) = tokens.get(j) else {
        return (time, j);
    };
    let mut next = j + 1;
    let mut text = word.text.to_lowercase();
    // "p.m." is four tokens.
    if text.len() == 1
        && let Some([dot, letter]) = tokens.get(next..next + 2)
        && dot.is(".")
        && letter.text.eq_ignore_ascii_case("m")
    {
        text.push('m');
        next += 2;
        if tokens.get(next).is_some_and(|t| t.glued && t.is(".")) {
            next += 1;
        }
    }
    match to_24h(time, &text) {
        Some(time) => (time, next),
        None => (time, j),
    }
}

fn to_24h(time: NaiveTime, meridiem: &str) -> Option<NaiveTime> {
    use chrono::Timelike;
    let hour = time.hour();
    let evening = match meridiem {
        "am" | "ص" | "صباحا" => false,
        "pm" | "م" | "مساء" | "مساءا" => true,
        _ => return None,
    };
    if !(1..=12).contains(&hour) {
        return None;
    }
    let hour = match (evening, hour) {
        (false, 12) => 0,
        (true, 12) => 12,
        (true, h) => h + 12,
        (false, h) => h,
    };
    time.with_hour(hour)
}

/// `GMT`, `UTC+1`, `(GMT+01:00)`, `+0100`, `+01:00` after a time.
fn zone(tokens: &[Token<'_>], j: usize) -> Option<(FixedOffset, usize)> {
    if tokens.get(j)?.is("(") {
        let (offset, next) = bare_zone(tokens, j + 1)?;
        let closed = tokens.get(next).is_some_and(|t| t.is(")"));
        return Some((offset, next + usize::from(closed)));
    }
    bare_zone(tokens, j)
}

fn bare_zone(tokens: &[Token<'_>], j: usize) -> Option<(FixedOffset, usize)> {
    let t = tokens.get(j)?;
    let named = ["gmt", "utc", "z"].contains(&t.text.to_ascii_lowercase().as_str());
    let sign_at = if named { j + 1 } else { j };
    let signed = tokens
        .get(sign_at)
        .filter(|s| s.is("+-") && (!named || s.glued));
    let Some(sign) = signed else {
        let zero = FixedOffset::east_opt(0)?;
        return named.then_some((zero, j + 1));
    };
    let hours = tokens.get(sign_at + 1).filter(|h| h.glued)?;
    let (mut minutes, mut next) = (0, sign_at + 2);
    let hours = match hours.number()? {
        (hhmm, 4) => {
            minutes = hhmm % 100;
            hhmm / 100
        }
        (h, 1..=2) => {
            if let Some([colon, m]) = tokens.get(next..next + 2)
                && colon.glued
                && colon.is(":")
                && m.glued
                && let Some((m, 2)) = m.number()
            {
                minutes = m;
                next += 2;
            }
            h
        }
        _ => return None,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    let seconds = (hours * 3600 + minutes * 60) as i32;
    let offset = if sign.text == "-" {
        FixedOffset::west_opt(seconds)?
    } else {
        FixedOffset::east_opt(seconds)?
    };
    Some((offset, next))
}

/// Words that mark the date after them as an update, folded (see [`crate::text::fold_str`]).
const UPDATE_WORDS: [&str; 10] = [
    "تحديث",
    "محدث",
    "mis a jour",
    "mise a jour",
    "modifie",
    "actualise",
    "updated",
    "modified",
    "aktualisiert",
    "geandert",
];

/// Whether the text just before a date labels it as an update. Only the words nearest the
/// date count: a dateline's label sits right before its date.
fn stamp(before: &str) -> Stamp {
    let mut from = before.len().saturating_sub(LABEL_SPAN);
    while !before.is_char_boundary(from) {
        from += 1;
    }
    let label = crate::text::fold_str(&before[from..]);
    if UPDATE_WORDS.iter().any(|w| label.contains(w)) {
        Stamp::Updated
    } else {
        Stamp::Published
    }
}

/// Bytes before a date searched for its label.
const LABEL_SPAN: usize = 48;
