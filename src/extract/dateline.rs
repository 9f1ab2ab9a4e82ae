//! Datelines: a line that says only when the article was published or updated
//! ("Published Tue, Nov 19 2019 7:05 AM EST", "Aktualisiert: 03.04.2020", "نشر في: الجمعة 28
//! نوفمبر 2026 - 14:05 | آخر تحديث: …"). The date is read into the article's metadata; in the
//! body it is furniture, and every outlet prints one.

use std::collections::HashSet;
use std::sync::LazyLock;

use crate::text::{fold_str, is_word_char};

/// A dateline is short; a sentence that happens to hold a date is longer.
const MAX_CHARS: usize = 100;

/// Calendar and dateline words, folded, per language: months (with their abbreviations and, for
/// Polish, their genitive), weekdays, and the labels around a date. A line made only of these,
/// numbers and time-zone names is a dateline.
const WORDS: &[&str] = &[
    // English
    "january february march april may june july august september october november december \
     jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday wednesday thursday friday \
     saturday sunday mon tue tues wed thu thur thurs fri sat sun published updated posted \
     last modified on at am pm by date",
    // French
    "janvier fevrier mars avril mai juin juillet aout septembre octobre novembre decembre janv \
     fevr avr juil sept oct nov dec lundi mardi mercredi jeudi vendredi samedi dimanche publie \
     mis a jour le la les du h modifie",
    // German
    "januar jänner februar märz april mai juni juli august september oktober november \
     dezember montag dienstag mittwoch donnerstag freitag samstag sonntag veroffentlicht \
     aktualisiert erstellt geandert zuletzt am um uhr stand vom",
    // Spanish, Portuguese, Italian
    "enero febrero marzo abril mayo junio julio agosto septiembre setiembre octubre noviembre \
     diciembre lunes martes miercoles jueves viernes sabado domingo publicado actualizado \
     actualizacion de del el las janeiro fevereiro marco maio junho julho setembro outubro \
     novembro dezembro segunda terca quarta quinta sexta feira atualizado atualizacao em as \
     gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre lunedi martedi \
     mercoledi giovedi venerdi sabato pubblicato aggiornato ultima modifica il alle ore",
    // Polish, Dutch
    "styczen stycznia luty lutego marzec marca kwiecien kwietnia maj maja czerwiec czerwca \
     lipiec lipca sierpien sierpnia wrzesien wrzesnia pazdziernik pazdziernika listopad \
     listopada grudzien grudnia opublikowano aktualizacja aktualizowano dnia godz \
     januari februari maart mei juni juli augustus oktober gepubliceerd bijgewerkt op om",
    // Arabic (Maghreb, Egypt and the Gulf, the Levant): months, weekdays, labels
    "يناير فبراير مارس ابريل افريل ماي مايو يونيو يونيه يوليوز يوليو يوليه غشت اغسطس سبتمبر \
     شتنبر اكتوبر نونبر نوفمبر دجنبر ديسمبر جانفي فيفري جوان جويليه اوت كانون الثاني الاول \
     شباط اذار نيسان ايار حزيران تموز اب ايلول تشرين الاثنين الثلاثاء الاربعاء الخميس الجمعه \
     السبت الاحد نشر في اخر تحديث محدث بتاريخ الساعه صباحا مساء ص م تاريخ النشر",
    // Time zones
    "utc gmt est edt cst cdt pst pdt cet cest bst ist wet west",
];

/// The words of [`WORDS`] that name a month or a day, as opposed to labels.
static MONTHS_AND_DAYS: LazyLock<HashSet<String>> = LazyLock::new(|| {
    WORDS
        .iter()
        .flat_map(|line| line.split_whitespace())
        .filter(|w| !LABELS.contains(w))
        .map(fold_str)
        .collect()
});

/// Label and filler words of [`WORDS`]: alone with a number they do not make a date.
const LABELS: &[&str] = &[
    "published",
    "updated",
    "posted",
    "last",
    "modified",
    "on",
    "at",
    "am",
    "pm",
    "by",
    "date",
    "publie",
    "mis",
    "a",
    "jour",
    "le",
    "la",
    "les",
    "du",
    "h",
    "modifie",
    "veroffentlicht",
    "aktualisiert",
    "erstellt",
    "geandert",
    "zuletzt",
    "am",
    "um",
    "uhr",
    "stand",
    "vom",
    "publicado",
    "actualizado",
    "actualizacion",
    "de",
    "del",
    "el",
    "las",
    "atualizado",
    "atualizacao",
    "em",
    "as",
    "pubblicato",
    "aggiornato",
    "ultima",
    "modifica",
    "il",
    "alle",
    "ore",
    "opublikowano",
    "aktualizacja",
    "aktualizowano",
    "dnia",
    "godz",
    "gepubliceerd",
    "bijgewerkt",
    "op",
    "om",
    "نشر",
    "في",
    "اخر",
    "تحديث",
    "محدث",
    "بتاريخ",
    "الساعه",
    "صباحا",
    "مساء",
    "ص",
    "م",
    "تاريخ",
    "النشر",
    "utc",
    "gmt",
    "est",
    "edt",
    "cst",
    "cdt",
    "pst",
    "pdt",
    "cet",
    "cest",
    "bst",
    "ist",
    "wet",
    "west",
    "feira",
];

static CALENDAR: LazyLock<HashSet<String>> = LazyLock::new(|| {
    WORDS
        .iter()
        .flat_map(|line| line.split_whitespace())
        .map(fold_str)
        .collect()
});

/// Whether `text` says nothing but a date or time of publication or update.
pub fn is_dateline(text: &str) -> bool {
    if text.chars().count() > MAX_CHARS || !text.chars().any(|c| c.is_numeric()) {
        return false;
    }
    let folded = fold_str(text);
    let (mut numbers, mut named) = (0, false);
    for word in folded
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
    {
        if word.chars().all(|c| c.is_numeric()) || is_clock(word) {
            numbers += 1;
        } else if CALENDAR.contains(word) {
            named |= MONTHS_AND_DAYS.contains(word);
        } else {
            return false;
        }
    }
    // Numbers alone are a price, a score or a phone number unless they are shaped as a date.
    numbers > 0 && (named || has_numeric_date(text))
}

/// `28/11/2026`, `03.04.2020`, `2026-11-28`, `14:05`: digits joined by date or time separators.
fn has_numeric_date(text: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || c == ',')
        .any(|token| {
            let token = token.trim_matches(|c: char| !c.is_numeric());
            let clock = token.contains(':');
            let parts: Vec<&str> = token.split(['/', '.', '-', ':']).collect();
            // A clock is two numbers, a date three: two numbers and a dot are a price.
            parts.len() == if clock { 2 } else { 3 }
                && parts
                    .iter()
                    .all(|p| (1..=4).contains(&p.len()) && p.chars().all(|c| c.is_numeric()))
                && parts.iter().filter(|p| p.len() > 2).count() <= 1
        })
}

/// `14h05`, `7pm`, `2019年`: digits with a unit letter.
fn is_clock(word: &str) -> bool {
    let digits = word.chars().take_while(|c| c.is_numeric()).count();
    let rest: String = word.chars().skip(digits).collect();
    digits > 0
        && (matches!(
            rest.as_str(),
            "h" | "am" | "pm" | "st" | "nd" | "rd" | "th" | "er"
        ) || rest.starts_with('h') && rest[1..].chars().all(|c| c.is_numeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datelines_in_every_language_are_recognised() {
        for line in [
            "Published Tue, Nov 19 2019 7:05 AM EST Updated Tue, Nov 19 2019 7:16 AM EST",
            "Aktualisiert: 03.04.2020, 10:12 Uhr",
            "23.06.2016",
            "Publié le 28/11/2026 à 14h05, mis à jour le 29/11/2026 à 09h12",
            "opublikowano: 7 marca 2021",
            "نشر في: الجمعة 28 نوفمبر 2026 - 14:05 | آخر تحديث: السبت 29 نوفمبر 2026 - 09:12",
            "الثلاثاء 2 دجنبر 2025 - 09:45",
            "12 تشرين الأول 2023",
        ] {
            assert!(is_dateline(line), "{line}");
        }
    }

    #[test]
    fn sentences_and_lines_without_a_date_are_kept() {
        for line in [
            "Published by Penguin in 2019, the book sold a million copies.",
            "استقبل حموشي يوم الجمعة 28 نوفمبر 2026 وفدا أمنيا.",
            "Le 28 novembre, la DGSN a interpellé trois suspects.",
            "Updated",
            "Chapter 19",
            "Mercredi",
            "+81 158-23-2012",
            "286,35 €",
            "1 23 45 2019",
            "225.86",
        ] {
            assert!(!is_dateline(line), "{line}");
        }
    }
}
