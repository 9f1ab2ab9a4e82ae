//! Furniture that news templates set around a story and readability keeps with it, recognised
//! by what it says and where it sits rather than by an outlet's markup: datelines with their
//! update stamps, reading-time badges and view or share counters (lines made of dates, numbers
//! and their labels), the header above the dateline, the headline repeated as the first
//! paragraph, next/previous teasers and tag lists cut into single words. Arabic, French and
//! English. App promos and comment policies are [`super::promo`]'s.
//!
//! It runs on the blocks of the chosen body before [`super::boilerplate`], because several
//! rules need a block's neighbours or its position, which a per-paragraph filter cannot see.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::blocks::Block;
use crate::text::{fold_str, is_word_char};

/// Words a dateline, a reading-time badge or a counter row is made of, besides numbers: month
/// and weekday names (Gregorian in its Mashriq, Maghreb and Levantine forms, Hijri), times of
/// day, and the labels such lines carry.
const META_WORDS: &[&str] = &[
    // Months.
    "يناير",
    "فبراير",
    "مارس",
    "أبريل",
    "ابريل",
    "إبريل",
    "مايو",
    "ماي",
    "يونيو",
    "يوليو",
    "يوليوز",
    "أغسطس",
    "غشت",
    "سبتمبر",
    "شتنبر",
    "أكتوبر",
    "نوفمبر",
    "نونبر",
    "ديسمبر",
    "دجنبر",
    "جانفي",
    "فيفري",
    "أفريل",
    "جوان",
    "جويلية",
    "أوت",
    "كانون",
    "شباط",
    "آذار",
    "نيسان",
    "أيار",
    "حزيران",
    "تموز",
    "آب",
    "أيلول",
    "تشرين",
    "الأول",
    "الثاني",
    "محرم",
    "صفر",
    "ربيع",
    "الآخر",
    "جمادى",
    "الأولى",
    "الآخرة",
    "رجب",
    "شعبان",
    "رمضان",
    "شوال",
    "ذو",
    "القعدة",
    "الحجة",
    "هـ",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "janvier",
    "fevrier",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "aout",
    "septembre",
    "octobre",
    "novembre",
    "decembre",
    // Weekdays.
    "الأحد",
    "الاثنين",
    "الإثنين",
    "الثلاثاء",
    "الأربعاء",
    "الخميس",
    "الجمعة",
    "السبت",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "mon",
    "tue",
    "wed",
    "thu",
    "fri",
    "sat",
    "sun",
    "lundi",
    "mardi",
    "mercredi",
    "jeudi",
    "vendredi",
    "samedi",
    "dimanche",
    // Times of day and zones.
    "ص",
    "م",
    "صباحا",
    "مساء",
    "مساءً",
    "ظهرا",
    "الساعة",
    "بتوقيت",
    "am",
    "pm",
    "h",
    "gmt",
    "utc",
    // Publication and update labels.
    "نشر",
    "نشرت",
    "النشر",
    "تاريخ",
    "تحديث",
    "التحديث",
    "آخر",
    "في",
    "منذ",
    "published",
    "updated",
    "update",
    "last",
    "posted",
    "on",
    "at",
    "le",
    "a",
    "mis",
    "jour",
    "publie",
    "modifie",
    "date",
    // Reading time.
    "قراءة",
    "القراءة",
    "للقراءة",
    "مدة",
    "وقت",
    "دقيقة",
    "دقائق",
    "دقيقتان",
    "دقيقتين",
    "min",
    "mins",
    "minute",
    "minutes",
    "read",
    "reading",
    "time",
    "temps",
    "de",
    "lecture",
    // Counters.
    "مشاهدة",
    "مشاهدات",
    "المشاهدات",
    "مشاركة",
    "مشاركات",
    "المشاركات",
    "تعليق",
    "تعليقات",
    "التعليقات",
    "قراءات",
    "views",
    "view",
    "shares",
    "comments",
    "likes",
    "vues",
    "partages",
    "commentaires",
    "lectures",
    "k",
];

/// Durations: with nothing but numbers beside them they are a recipe's or a route's time
/// ("15 – 30 Min"), not a reading-time badge, which says it is about reading.
const DURATIONS: &[&str] = &["دقيقة", "دقائق", "min", "mins", "minute", "minutes"];

/// Minute words that carry their number ("two minutes"), so a badge may hold no digit.
const NUMBERED_MINUTES: &[&str] = &["دقيقتان", "دقيقتين"];

/// A meta line is short …
const META_MAX_TOKENS: usize = 30;

/// Blocks at the head of the body searched for the dateline that closes the article header.
const HEAD_BLOCKS: usize = 6;
/// Header blocks (kicker, dek, byline) are shorter than this; a lead paragraph may be longer.
const HEADER_CHARS: usize = 300;

/// Labels of next/previous teasers, alone or opening the teaser's headline.
const TEASER_LABELS: &[&str] = &[
    "المقال التالي",
    "المقال السابق",
    "الخبر التالي",
    "الخبر السابق",
    "الموضوع التالي",
    "الموضوع السابق",
    "التالي",
    "السابق",
    "next article",
    "previous article",
    "next story",
    "previous story",
    "next post",
    "previous post",
    "article suivant",
    "article precedent",
];

/// A teaser headline is a short line, not a sentence.
const TEASER_WORDS: usize = 25;

/// Labels of tag lists.
const TAG_LABELS: &[&str] = &[
    "الوسوم",
    "الكلمات المفتاحية",
    "كلمات مفتاحية",
    "الكلمات الدالة",
    "الموضوعات المتعلقة",
    "tags",
    "topics",
    "mots cles",
    "etiquettes",
];

/// A tag is one or two words, three at most.
const TAG_WORDS: usize = 3;

static META: LazyLock<HashSet<String>> =
    LazyLock::new(|| META_WORDS.iter().map(|w| fold_str(w)).collect());
static MINUTES: LazyLock<Vec<String>> = LazyLock::new(|| fold_words(NUMBERED_MINUTES));
static DURATIONS_FOLDED: LazyLock<Vec<String>> = LazyLock::new(|| fold_words(DURATIONS));
static TEASERS_FOLDED: LazyLock<Vec<String>> = LazyLock::new(|| fold_phrases(TEASER_LABELS));
static TAGS_FOLDED: LazyLock<Vec<String>> = LazyLock::new(|| fold_phrases(TAG_LABELS));

fn fold_words(list: &[&str]) -> Vec<String> {
    list.iter().map(|w| fold_str(w)).collect()
}

fn fold_phrases(list: &[&str]) -> Vec<String> {
    list.iter().map(|p| padded(&tokens(p))).collect()
}

/// Folded words of `text`, digits cut from letters they are glued to ("عمران:09:45",
/// "2026آخر", "18h12").
fn tokens(text: &str) -> Vec<String> {
    let folded = fold_str(text);
    let mut out = Vec::new();
    for word in folded
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
    {
        let mut current = String::new();
        let mut digits = false;
        for c in word.chars() {
            let digit = c.is_ascii_digit();
            if !current.is_empty() && digit != digits {
                out.push(std::mem::take(&mut current));
            }
            digits = digit;
            current.push(c);
        }
        out.push(current);
    }
    out
}

/// Words joined by single spaces with a space at both ends, for whole-word `contains`.
fn padded(words: &[String]) -> String {
    format!(" {} ", words.join(" "))
}

/// The body's blocks without the furniture. `title` is the headline readability found: a
/// heading repeating it is gone already, a paragraph repeating it at the head goes here.
pub fn strip(blocks: Vec<Block>, title: Option<&str>) -> Vec<Block> {
    let title = title
        .map(|t| padded(&tokens(t)))
        .filter(|t| !t.trim().is_empty());
    let words: Vec<Vec<String>> = blocks.iter().map(|b| tokens(&b.text)).collect();
    let mut furniture = vec![false; blocks.len()];
    let header_end = header_end(&blocks, &words);
    for (i, block) in blocks.iter().enumerate() {
        let line = padded(&words[i]);
        furniture[i] = i < header_end
            || (i < HEAD_BLOCKS && title.as_ref() == Some(&line))
            || is_meta_line(&block.text, &words[i]);
    }
    keep_table_zeros(&blocks, &words, &mut furniture);
    mark_teasers(&blocks, &words, &mut furniture);
    mark_tag_lists(&words, &mut furniture);
    blocks
        .into_iter()
        .zip(furniture)
        .filter_map(|(block, furniture)| (!furniture).then_some(block))
        .collect()
}

/// Just past the last meta line (a dateline, most often) among the head blocks, when every
/// block before it is a short line that is not a sentence: the kicker, headline and byline set
/// above the dateline. A sentence there (a dek, a lead) is text.
fn header_end(blocks: &[Block], words: &[Vec<String>]) -> usize {
    let head = blocks.len().min(HEAD_BLOCKS);
    let Some(last) = (0..head)
        .rev()
        .find(|&i| is_meta_line(&blocks[i].text, &words[i]))
    else {
        return 0;
    };
    let header = blocks[..last]
        .iter()
        .all(|b| b.text.chars().count() < HEADER_CHARS && !is_sentence(&b.text));
    if header { last + 1 } else { 0 }
}

/// Whether a block is nothing but numbers.
fn is_numbers(words: &[String]) -> bool {
    !words.is_empty() && words.iter().all(|w| w.chars().all(|c| c.is_ascii_digit()))
}

fn is_zero(words: &[String]) -> bool {
    is_numbers(words) && words.iter().all(|w| w.chars().all(|c| c == '0'))
}

/// Zeros among other numbers are a table's cells (a standings table's wins and poles), not
/// counters: a run of numeric blocks holding any other number keeps its zeros.
fn keep_table_zeros(blocks: &[Block], words: &[Vec<String>], furniture: &mut [bool]) {
    let mut start = 0;
    while start < words.len() {
        let end = (start..words.len())
            .find(|&i| !is_numbers(&words[i]))
            .unwrap_or(words.len());
        let table = (start..end).any(|i| !is_zero(&words[i]) && !is_numeric_stamp(&blocks[i].text));
        if table {
            for i in (start..end).filter(|&i| is_zero(&words[i])) {
                furniture[i] = false;
            }
        }
        start = end.max(start + 1);
    }
}

/// A dateline with its update stamp, a reading-time badge or a row of counters: a short line,
/// not a sentence, made of numbers, dates, times and their labels, holding a number.
fn is_meta_line(text: &str, words: &[String]) -> bool {
    if words.is_empty() || words.len() > META_MAX_TOKENS || is_sentence(text) {
        return false;
    }
    let numbered = words
        .iter()
        .any(|w| w.starts_with(|c: char| c.is_ascii_digit()) || MINUTES.contains(w));
    let labels = words.iter().filter(|w| META.contains(w.as_str())).count();
    let numbers = words
        .iter()
        .filter(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .count();
    // Numbers alone are a table's cells or a price, unless they are the zeros of counters
    // whose labels are icons, or a numeric date or time.
    if labels == 0 {
        return is_zero(words) || is_numeric_stamp(text);
    }
    let durations = words
        .iter()
        .filter(|w| DURATIONS_FOLDED.contains(w))
        .count();
    if durations == labels {
        return false;
    }
    // A byline ("كتب محمود عبد الراضي") or a city may share the line with the date.
    numbered && (labels + numbers) * 3 >= words.len() * 2
}

/// "23.10.2018", "28/11/2026 14:35", "2026-11-28", "19:49": digit groups joined by date and
/// time separators, with a year or a clock time among them.
fn is_numeric_stamp(text: &str) -> bool {
    let text = text.trim();
    if !text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '/' | '-' | ':' | ' ' | '|' | ','))
    {
        return false;
    }
    let groups: Vec<&str> = text
        .split(|c: char| !c.is_ascii_digit())
        .filter(|g| !g.is_empty())
        .collect();
    let year = groups
        .iter()
        .any(|g| g.len() == 4 && matches!(g.get(..2), Some("19" | "20")));
    // Minutes are two digits after the colon: "2:1" is a score.
    let clock = text.split(':').skip(1).any(|after| {
        let digits = after.chars().take_while(char::is_ascii_digit).count();
        digits == 2
    });
    groups.len() >= 2 && (year || clock)
}

fn is_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['.', '!', '?', '؟', '…'])
}

/// A teaser label alone takes the headline after it along; a label opening a short line is a
/// teaser whole.
fn mark_teasers(blocks: &[Block], words: &[Vec<String>], furniture: &mut [bool]) {
    for i in 0..blocks.len() {
        let line = padded(&words[i]);
        let Some(label) = TEASERS_FOLDED.iter().find(|l| line.starts_with(l.as_str())) else {
            continue;
        };
        if line.len() == label.len() {
            furniture[i] = true;
            if let Some(next) = blocks.get(i + 1)
                && is_headline(&next.text, &words[i + 1])
            {
                furniture[i + 1] = true;
            }
        } else if is_headline(&blocks[i].text, &words[i]) {
            furniture[i] = true;
        }
    }
}

fn is_headline(text: &str, words: &[String]) -> bool {
    words.len() <= TEASER_WORDS && !is_sentence(text)
}

/// After a tag-list label, the run of one-to-three-word blocks that follows it.
fn mark_tag_lists(words: &[Vec<String>], furniture: &mut [bool]) {
    for i in 0..words.len() {
        if !TAGS_FOLDED.contains(&padded(&words[i])) {
            continue;
        }
        furniture[i] = true;
        for j in i + 1..words.len() {
            if words[j].is_empty() || words[j].len() > TAG_WORDS {
                break;
            }
            furniture[j] = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(text: &str) -> Block {
        Block {
            text: text.to_string(),
            link_chars: 0,
        }
    }

    fn kept(texts: &[&str], titles: &[&str]) -> Vec<String> {
        strip(
            texts.iter().map(|t| block(t)).collect(),
            titles.first().copied(),
        )
        .into_iter()
        .map(|b| b.text)
        .collect()
    }

    const STORY: &str = "استقبل المدير العام للأمن الوطني، يوم الاثنين بالرباط، وفدا أمنيا رفيعا لبحث سبل تعزيز التعاون في مكافحة الإرهاب.";

    #[test]
    fn datelines_badges_and_counters_go() {
        for line in [
            "الأحد، 29 نوفمبر 2026 10:00 ص آخر تحديث: الأحد، 29 نوفمبر 2026 12:30 م",
            "كتب - علاء عمران:09:45 م السبت 28 نوفمبر 2026آخر تحديث: 05:20 م",
            "Le 28/11/2026 à 18h12, mis à jour le 28/11/2026 à 19h40",
            "Published: 28 November 2026 11:40 AM",
            "28-11-2026 | 14:35 | آخر تحديث: 28-11-2026 | 16:02",
            "3 دقائق قراءة",
            "مدة القراءة: دقيقتان",
            "Temps de lecture : 3 min",
            "0",
            "0 0 0",
            "23.10.2018",
            "19:49",
            "0 views 0 comments 0 shares",
            "الجمعة 12 ربيع الآخر 1448 هـ",
        ] {
            assert!(kept(&[STORY, line], &[]) == [STORY], "{line}");
        }
    }

    #[test]
    fn zeros_in_a_table_stay() {
        let row = [STORY, "Ryan Blaney", "2339", "1", "0", "0", "18"];
        assert_eq!(kept(&row, &[]), row);
        assert_eq!(kept(&[STORY, "0", "0", "0"], &[]), [STORY]);
    }

    #[test]
    fn sentences_with_dates_and_numbers_stay() {
        for text in [
            "وقعت الحادثة يوم 28 نوفمبر 2026 على الساعة 10:00 صباحا.",
            "Le 28 novembre, 3 suspects ont été arrêtés à Tanger",
            "The ministry said 1,200 officers would be deployed on 12 December at 6 am",
            "225.86",
            "-5.44%",
            "1٬204",
            "2:1",
            "15 – 30 Min",
        ] {
            assert_eq!(kept(&[STORY, text], &[]), [STORY, text], "{text}");
        }
    }

    #[test]
    fn the_header_above_the_dateline_goes_with_it() {
        let body = kept(
            &[
                "الداخلية تضبط تشكيلا عصابيا",
                "كتب محمود عبد الراضي",
                "الأحد، 29 نوفمبر 2026 10:00 ص",
                STORY,
            ],
            &[],
        );
        assert_eq!(body, [STORY]);
        let body = kept(&[STORY, "الأحد، 29 نوفمبر 2026 10:00 ص", STORY], &[]);
        assert_eq!(body, [STORY, STORY], "a sentence above a date is text");
        let title = "Cybercriminalité: la DGSN démantèle un réseau";
        let dek = "Cinq suspects ont été interpellés après plusieurs mois d'enquête.";
        let body = kept(&["Société", dek, "Le 28/11/2026 à 18h12", STORY], &[title]);
        assert_eq!(
            body,
            ["Société", dek, STORY],
            "a dek is text, and so is what is above it"
        );
    }

    #[test]
    fn the_headline_repeated_at_the_head_goes() {
        let title = "حموشي يستقبل وفدا أمنيا إسبانيا";
        assert_eq!(
            kept(&["حموشي يستقبل وفداً أمنياً إسبانياً", STORY], &[title]),
            [STORY]
        );
        let mut late = vec![STORY; HEAD_BLOCKS];
        late.push(title);
        assert_eq!(
            kept(&late, &[title]).len(),
            HEAD_BLOCKS + 1,
            "only at the head"
        );
    }

    #[test]
    fn teasers_and_tag_lists_go() {
        let body = kept(
            &[
                STORY,
                "الوسوم",
                "الأمن",
                "طنجة",
                "مراقبة التراب",
                "المقال التالي",
                "عبد اللطيف حموشي يوشح موظفي الشرطة",
                "Next article Hammouchi meets FBI director in Rabat",
            ],
            &[],
        );
        assert_eq!(body, [STORY]);
    }
}
