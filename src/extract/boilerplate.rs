//! Boilerplate that readability keeps: interface text in Arabic, French and English.
//!
//! A paragraph is dropped when it is short and carries a known interface phrase (comment forms,
//! related lists, share bars, "back to top"), when it is a cookie or newsletter notice, or when
//! it is short and mostly link text. Phrases are compared folded (see [`crate::text`]), so
//! spelling variants such as اترك تعليقا / اترك تعليقاً are one phrase.

use std::sync::LazyLock;

use super::phrases::Phrases;
use crate::text::{fold_str, is_word_char};

/// Interface labels: a short paragraph made of nothing but these is dropped. Alone they are
/// ordinary words (الرئيسية is also "main", "accueil" also "reception"), so they never drop a
/// sentence that merely contains them.
const LABELS: &[&str] = &[
    "الرئيسية",
    "موافق",
    "التعليقات",
    "اقرأ أكثر",
    "اقرأ أيضا",
    "إقرأ أيضا",
    "اقرأ المزيد",
    "اظهر المزيد",
    "عرض المزيد",
    "اطلع على التفاصيل",
    "شارك",
    "طباعة",
    "الأكثر قراءة",
    "المزيد من الأخبار",
    "إعلان",
    "accueil",
    "voir plus",
    "afficher plus",
    "lire aussi",
    "à lire aussi",
    "lire la suite",
    "partager",
    "imprimer",
    "publicité",
    "read more",
    "read also",
    "show more",
    "load more",
    "advertisement",
    "share",
    "print",
    "home",
    "accept",
    "ok",
    "tags",
    "étiquettes",
    "الوسوم",
    "كلمات مفتاحية",
    "advert",
    "comments",
    "continue reading",
    "subscribe",
    "s'abonner",
    "abonnez-vous",
    "اشترك",
    "continue reading below",
    "don't miss",
    "warning",
    "lire la suite",
    "commentaires",
    // German, Spanish, Italian, Portuguese, Polish and Dutch: outlets in those languages carry
    // the same furniture, and a desk follows some of them.
    "mehr zum thema",
    "auch interessant",
    "lesen sie auch",
    "lesen sie mehr",
    "weiterlesen",
    "mehr lesen",
    "mehr anzeigen",
    "teilen",
    "jetzt teilen",
    "drucken",
    "anzeige",
    "werbung",
    "zurück",
    "nach oben",
    "startseite",
    "kommentare",
    "schlagwörter",
    "weitere themen",
    "weitere artikel",
    "empfohlene beiträge",
    "ähnliche beiträge",
    "verwandte artikel",
    "wird geladen",
    "leer más",
    "compartir",
    "imprimir",
    "publicidad",
    "comentarios",
    "etiquetas",
    "inicio",
    "más noticias",
    "te puede interesar",
    "leggi anche",
    "leggi di più",
    "condividi",
    "stampa",
    "pubblicità",
    "commenti",
    "leia mais",
    "leia também",
    "veja também",
    "compartilhe",
    "compartilhar",
    "publicidade",
    "comentários",
    "zobacz także",
    "zobacz też",
    "czytaj także",
    "czytaj też",
    "czytaj więcej",
    "udostępnij",
    "drukuj",
    "reklama",
    "komentarze",
    "polecamy",
    "więcej",
    "lees ook",
    "lees meer",
    "delen",
    "reacties", // Section headings over furniture: what follows them is a list of links, a bio or a
    // contact box, and the heading alone is no sentence of the article.
    "about the author",
    "further reading",
    "most read",
    "most popular",
    "table of contents",
    "external links",
    "see also",
    "à propos de l'auteur",
    "sommaire",
    "dans la même rubrique",
    "sur le même sujet",
    "les plus lus",
    "permalien",
    "عن الكاتب",
    "الأكثر مشاهدة",
    "الأكثر تداولا",
    "أخبار متعلقة",
    "مواضيع ذات صلة",
    "weiterführende links",
    "siehe auch",
    "zum weiterlesen",
    "meistgelesen",
    "meistgelesene artikel",
    "meistdiskutiert",
    "meistdiskutierte artikel",
    "mehr themen",
    "schon gelesen",
    "beiträge zum thema",
    "über den autor",
    "zur person",
    "inhaltsverzeichnis",
    "quellenangaben",
    "externer inhalt",
    "contenido relacionado",
    "notas relacionadas",
    "valora esta noticia",
    "más leídas",
];

/// Interface phrases no article sentence uses: a paragraph of at most [`SHORT_CHARS`]
/// characters containing one is dropped.
const PHRASES: &[&str] = &[
    "اترك تعليقا",
    "اترك تعليق",
    "أضف تعليق",
    "اضف تعليقك",
    "لن يتم نشر عنوان بريدك الإلكتروني",
    "الحقول الإلزامية مشار إليها",
    "مقالات ذات صلة",
    "مقالات ذات علاقة",
    "أخبار ذات صلة",
    "زر الذهاب إلى الأعلى",
    "العودة إلى الأعلى",
    "شارك المقال",
    "شارك هذا المقال",
    "تابعونا على",
    "اشترك في النشرة",
    "جميع الحقوق محفوظة",
    "laisser un commentaire",
    "laissez un commentaire",
    "votre adresse e-mail ne sera pas publiée",
    "votre adresse email ne sera pas publiée",
    "les champs obligatoires sont indiqués",
    "articles similaires",
    "articles liés",
    "retour en haut",
    "partagez cet article",
    "inscrivez-vous à notre newsletter",
    "abonnez-vous à notre newsletter",
    "tous droits réservés",
    "leave a comment",
    "leave a reply",
    "your email address will not be published",
    "required fields are marked",
    "related articles",
    "related posts",
    "you may also like",
    "back to top",
    "share this article",
    "sign up for our newsletter",
    "subscribe to our newsletter",
    "all rights reserved",
    "privacy policy",
    "politique de confidentialité",
    "this slideshow requires javascript",
    "tell us what you think",
    "want more stories like this",
    "kommentare sind geschlossen",
    "kommentar verfassen",
    "kommentar schreiben",
    "kommentare schreiben",
    "keine kommentare",
    "e-mail-adresse wird nicht veröffentlicht",
    "erforderliche felder sind mit",
    "alle rechte vorbehalten",
    "datenschutzerklärung",
    "könnte sie auch interessieren",
    "könnte dich auch interessieren",
    "bloggern gefällt das",
    "artikel teilen",
    "newsletter abonnieren",
    "lade weitere inhalte",
    "noch keine bewertungen",
    "artículos relacionados",
    "noticias relacionadas",
    "también te puede interesar",
    "deja un comentario",
    "dejar un comentario",
    "no será publicada",
    "los campos obligatorios están marcados",
    "todos los derechos reservados",
    "política de privacidad",
    "articoli correlati",
    "potrebbe interessarti",
    "lascia un commento",
    "non sarà pubblicato",
    "i campi obbligatori sono contrassegnati",
    "tutti i diritti riservati",
    "artigos relacionados",
    "notícias relacionadas",
    "deixe um comentário",
    "não será publicado",
    "todos os direitos reservados",
    "podobne artykuły",
    "powiązane artykuły",
    "dodaj komentarz",
    "wszelkie prawa zastrzeżone",
    "gerelateerde artikelen",
    "laat een reactie achter",
    "alle rechten voorbehouden",
];

/// Cookie notices, long enough to pass for a paragraph: dropped up to [`NOTICE_CHARS`].
const NOTICES: &[&str] = &[
    "ملفات تعريف الارتباط",
    "نستخدم ملفات",
    "ملفات الكوكيز",
    "nous utilisons des cookies",
    "ce site utilise des cookies",
    "we use cookies",
    "this website uses cookies",
    "this site uses cookies",
    "verwendet cookies",
    "utiliza cookies",
    "utilizza cookie",
    "używa plików cookie",
    "wykorzystuje pliki cookie",
    "maakt gebruik van cookies",
    "verwendet akismet",
    "uses akismet",
    "utilise akismet",
];

/// How to reach or follow the author or the outlet: the note under an article, dropped up to
/// [`CAPTION_CHARS`].
const CONTACT: &[&str] = &[
    "follow him on",
    "follow her on",
    "follow them on",
    "follow us on",
    "may be reached at",
    "can be reached at",
    "suivez-nous sur",
    "retrouvez-nous sur",
    "تابعونا على",
    "تابعوا صفحتنا",
];

const SHORT_CHARS: usize = 120;
const NOTICE_CHARS: usize = 700;

/// Longest first, so "à lire aussi" goes whole before "lire aussi" could leave "à" behind.
static LABELS_FOLDED: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut labels = fold_all(LABELS);
    labels.sort_by_key(|l| std::cmp::Reverse(l.len()));
    labels
});
static PHRASES_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(fold_all(PHRASES)));
static NOTICES_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(fold_all(NOTICES)));
static CONTACT_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(fold_all(CONTACT)));

fn fold_all(list: &[&str]) -> Vec<String> {
    list.iter().map(|p| words_only(&fold_str(p))).collect()
}

/// Folded text reduced to its words, single-spaced, padded with a space at both ends so that
/// `contains(" phrase ")` finds whole words only.
fn words_only(folded: &str) -> String {
    let words: Vec<&str> = folded
        .split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
        .collect();
    format!(" {} ", words.join(" "))
}

/// Whether a paragraph of `text`, with `link_chars` characters of link text, is boilerplate.
pub fn is_boilerplate(text: &str, link_chars: usize) -> bool {
    let chars = text.chars().count();
    if chars == 0 {
        return true;
    }
    // A short block that is mostly links is navigation, a related list or a share bar.
    if chars <= 2 * SHORT_CHARS && link_chars * 2 > chars {
        return true;
    }
    if chars > NOTICE_CHARS {
        return false;
    }
    // A copyright line is furniture whatever else it says.
    if chars <= 3 * SHORT_CHARS && text.contains('©') {
        return true;
    }
    if chars <= CAPTION_CHARS && is_credited_caption(text) {
        return true;
    }
    let words = words_only(&fold_str(text));
    if words.trim().is_empty() || is_about_line(text, &words) {
        return true;
    }
    if NOTICES_FOLDED.in_words(&words) {
        return true;
    }
    if chars <= 2 * SHORT_CHARS && is_newsletter_pitch(&words) {
        return true;
    }
    if super::promo::is_promo(chars, &words) {
        return true;
    }
    if chars <= CAPTION_CHARS && CONTACT_FOLDED.in_words(&words) {
        return true;
    }
    if chars <= TEASER_CHARS && is_teaser(text, &words) {
        return true;
    }
    if chars > SHORT_CHARS {
        return false;
    }
    if PHRASES_FOLDED.in_words(&words) {
        return true;
    }
    let mut rest = words;
    for label in LABELS_FOLDED.iter() {
        while let Some(at) = rest.find(label.as_str()) {
            rest.replace_range(at..at + label.len() - 1, "");
        }
    }
    rest.trim().is_empty()
}

/// Word openings (folded, space before) of an invitation to subscribe …
const SUBSCRIBE: &[&str] = &[
    " subscri",
    " sign up ",
    " inscri",
    " abonn",
    " اشترك",
    " سجل ",
];
/// … and of what one subscribes to.
const LETTER: &[&str] = &[
    " newsletter",
    " inbox ",
    " lettre d information",
    " boite mail",
    " boite de reception",
    " النشره",
    " نشرتنا",
    " البريديه",
    " بريدك ",
];

/// "Sign up to our newsletter …", "Abonnez-vous à la newsletter", "اشترك في النشرة البريدية".
fn is_newsletter_pitch(words: &str) -> bool {
    SUBSCRIBE.iter().any(|w| words.contains(w)) && LETTER.iter().any(|w| words.contains(w))
}

/// A teaser for another article is a label and a headline: rarely longer than this.
const TEASER_CHARS: usize = 250;

/// Labels that open a teaser for another article inside the body ("Read also: …", "اقرأ أيضا:
/// …"); the headline after them names people the article may not be about.
const TEASER_LABELS: &[&str] = &[
    "read more",
    "read also",
    "also read",
    "see also",
    "related",
    "lire aussi",
    "à lire aussi",
    "a lire aussi",
    "lire également",
    "voir aussi",
    "à voir aussi",
    "اقرأ أيضا",
    "إقرأ أيضا",
    "اقرأ كذلك",
    "اقرأ المزيد",
    "طالع أيضا",
    "شاهد أيضا",
    "اقرأ",
    "طالع",
    "شاهد",
    "مواضيع ذات صلة",
    "lesen sie auch",
    "lesen sie hier",
    "auch lesen",
    "mehr zum thema",
    "lea también",
    "lea más",
    "lea",
    "le puede interesar",
    "te puede interesar",
    "vea también",
    "puedes ver",
    "mira",
    "mire",
    "leia também",
    "leia mais",
    "veja também",
    "leggi anche",
    "czytaj też",
    "czytaj także",
    "zobacz też",
    "zobacz także",
    "dowiedz się więcej",
    "lees ook",
];

/// Labels of a taxonomy row under the article ("Tags: police, Tanger", "الوسوم: …"): the terms
/// after them are the outlet's index, not the article's text.
const TAXONOMY_LABELS: &[&str] = &[
    "tags",
    "tagged",
    "topics",
    "category",
    "categories",
    "filed under",
    "mots-clés",
    "mots clés",
    "thèmes",
    "catégorie",
    "catégories",
    "الوسوم",
    "وسوم",
    "كلمات مفتاحية",
    "كلمات دلالية",
    "الكلمات المفتاحية",
    "التصنيف",
    "تصنيف",
    "schlagwörter",
    "stichwörter",
    "themen",
    "kategorie",
    "kategorien",
    "etiquetas",
    "temas",
    "categoría",
    "categorías",
    "argomenti",
    "categoria",
    "tagi",
    "kategoria",
];

/// Terms a taxonomy row lists at most; more words after the label make a sentence.
const TAXONOMY_WORDS: usize = 20;

static TAXONOMY_FOLDED: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(TAXONOMY_LABELS));

static TEASER_FOLDED: LazyLock<Vec<String>> = LazyLock::new(|| fold_all(TEASER_LABELS));

/// Whether a short paragraph is a teaser: a teaser label, then a separator (`:`, `»`, `>>`,
/// `|`, a dash), then another headline; or a taxonomy row. (Previous/next-article links,
/// which need no separator, are [`super::furniture`]'s: it sees the block after a label.)
fn is_teaser(text: &str, words: &str) -> bool {
    labelled(text, words, &TEASER_FOLDED, HEADLINE_WORDS)
        || labelled(text, words, &TAXONOMY_FOLDED, TAXONOMY_WORDS)
}

/// Whether `text` opens with one of `labels`, then a separator, then at most `max_words`.
fn labelled(text: &str, words: &str, labels: &[String], max_words: usize) -> bool {
    let Some(label) = labels
        .iter()
        .filter(|l| words.starts_with(l.as_str()))
        .max_by_key(|l| l.len())
    else {
        return false;
    };
    // The label's words in the original text end where its last word does; what follows must
    // be a separator, so that "Read more about the plan in our report." stays a sentence.
    let label_words = label.split_whitespace().count();
    let mut rest = text.trim_start_matches(|c: char| !c.is_alphanumeric());
    for _ in 0..label_words {
        rest = rest.trim_start_matches(|c: char| !c.is_alphanumeric() || c.is_whitespace());
        let word_end = rest
            .find(|c: char| !(c.is_alphanumeric() || is_mark_char(c) || c == '\'' || c == '’'))
            .unwrap_or(rest.len());
        rest = &rest[word_end..];
    }
    let rest = rest.trim_start();
    rest.starts_with([':', '：', '»', '|', '–', '—', '-', '>', '…'])
        && (1..=max_words).contains(&rest.split_whitespace().count())
}

/// A headline is at most this many words; a longer text after "Related:" is a sentence.
const HEADLINE_WORDS: usize = 20;

/// Arabic vowel marks and other combining marks inside a word.
fn is_mark_char(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x0610..=0x061A | 0x064B..=0x065F | 0x0670)
}

/// Image captions are rarely longer than this.
const CAPTION_CHARS: usize = 300;

/// Words that, inside a closing parenthesis, make a line an image caption:
/// "… outside a Home Depot. (AP Photo/Alan Diaz, File)", "… (Image: GETTY)".
const CREDIT_WORDS: &[&str] = &[
    " photo ",
    " photos ",
    " image ",
    " images ",
    " picture ",
    " credit ",
    " getty ",
    " صوره ",
    " الصوره ",
];

/// Whether a line ends with a photo credit in parentheses.
fn is_credited_caption(text: &str) -> bool {
    let Some(inside) = text
        .trim_end()
        .strip_suffix([')', '）'])
        .and_then(|rest| rest.rsplit_once(['(', '（']))
        .map(|(_, inside)| words_only(&fold_str(inside)))
    else {
        return false;
    };
    CREDIT_WORDS.iter().any(|w| inside.contains(w))
}

/// Openings of short lines about the article rather than of it: bylines, update stamps,
/// photo credits (folded, padded with spaces).
const ABOUT_OPENINGS: &[&str] = &[
    " by ",
    " par ",
    " بقلم ",
    " updated ",
    " last updated ",
    " published ",
    " posted ",
    " mis a jour ",
    " publie le ",
    " publie ",
    " اخر تحديث ",
    " تم التحديث ",
    " نشر في ",
    " photo ",
    " photos ",
    " credit ",
    " image ",
    " video ",
    " الصوره ",
    " صوره ",
    " المصدر ",
    " source ",
    " sources ",
    " credits ",
    " von ",
    " quelle ",
    " foto ",
    " fotos ",
    " bild ",
    " titelbild ",
    " beitragsbild ",
    " bildquelle ",
    " aktualisiert ",
    " veroffentlicht ",
    " fuente ",
    " fonte ",
    " publicado ",
    " actualizado ",
    " pubblicato ",
    " aggiornato ",
    " zrodło ",
    " opublikowano ",
    " autor ",
];

/// Picture agencies: a short line naming one is a photo credit ("Natalie Naccache | Bloomberg |
/// Getty Images").
const AGENCY_CREDITS: &[&str] = &[
    " getty images ",
    " shutterstock ",
    " istock ",
    " afp photo ",
];

/// Whether a short line is a byline, a time stamp, a credit or a gallery counter. `words` is
/// the line folded by [`words_only`]. Sentences (ending in a full stop) are never such lines.
fn is_about_line(text: &str, words: &str) -> bool {
    let count = words.split_whitespace().count();
    let trimmed = text.trim_end();
    let sentence = trimmed.ends_with(['.', '!', '?', '؟'])
        && !trimmed.ends_with(" a.m.")
        && !trimmed.ends_with(" p.m.");
    if count > 14 || sentence {
        return false;
    }
    if ABOUT_OPENINGS.iter().any(|o| words.starts_with(o))
        || AGENCY_CREDITS.iter().any(|c| words.contains(c))
    {
        return true;
    }
    // "Image 3 of 8", "1 / 12".
    let tokens: Vec<&str> = words.split_whitespace().collect();
    tokens.windows(3).any(|w| {
        w[0].chars().all(|c| c.is_ascii_digit())
            && w[1] == "of"
            && w[2].chars().all(|c| c.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_boilerplate_is_recognised() {
        for junk in [
            "اترك تعليقاً",
            "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *",
            "مقالات ذات صلة",
            "زر الذهاب إلى الأعلى",
            "اظهر المزيد",
            "اطّلع على التفاصيل اقرأ أكثر",
            "موافق",
            "الرئيسية",
            "نحن نستخدم ملفات تعريف الارتباط لتخصيص المحتوى والإعلانات، وذلك لتوفير ميزات الشبكات الاجتماعية وتحليل الزيارات الواردة إلينا.",
            "Leave a Reply",
            "Nous utilisons des cookies pour améliorer votre expérience.",
            "À lire aussi",
            "— Accueil —",
            "Partager Imprimer",
            "By Justine Coleman - 11/18/19 11:04 PM EST",
            "Updated 5:27 am CST, Wednesday, November 20, 2019",
            "Photo: Hau Dinh, AP",
            "Image 1 of / 8",
            "Image 3 of 8",
            "Par Mohammed Jaabouk",
            "بقلم: هيئة التحرير",
            "آخر تحديث: 2 ديسمبر 2025 - 10:15",
            "The contents of this site are ©2019 Capitol Hill Publishing Corp.",
            "Updated at 1:23 p.m.",
            "Tags",
            "Natalie Naccache | Bloomberg | Getty Images",
            "Have a tip? Amy Kuperinsky may be reached at akuperinsky@njadvancemedia.com. Follow her on Twitter @AmyKup or on Facebook.",
            "Suivez-nous sur Facebook et Twitter pour ne rien rater de l'actualité.",
            "Get the latest updates right in your inbox. Subscribe to NJ.com’s newsletters.",
            "There was a problem subscribing you to the newsletter. Double check your email and try again.",
            "Inscrivez-vous pour recevoir notre lettre d'information chaque matin.",
            "اشترك في نشرتنا البريدية لتصلك آخر الأخبار",
            "Subscribe",
            "Vicente Aguiar loads garage door trims into his pickup truck outside a Home Depot in Hialeah, Fla. (AP Photo/Alan Diaz, File)",
            "The protests kicked off in June and have strengthened in size (Image: GETTY )",
            "عبد اللطيف حموشي خلال استقباله ألكسندر زوييف بالرباط (الصورة: و.م.ع)",
        ] {
            assert!(is_boilerplate(junk, 0), "{junk}");
        }
    }

    #[test]
    fn teasers_for_other_articles_are_dropped_without_their_links() {
        for teaser in [
            "اقرأ أيضا: حموشي يترأس حفل تخرج الفوج الجديد من ضباط الشرطة بالقنيطرة",
            "إقرأ أيضاً | توقيف ثلاثة أشخاص للاشتباه في ارتباطهم بشبكة للهجرة السرية",
            "À lire aussi » Hammouchi reçoit le directeur du FBI à Rabat",
            "Read more: Morocco and Spain sign a new security cooperation agreement",
            "Lea también: Marruecos refuerza la seguridad en la frontera",
            "الوسوم: حموشي، الأمن الوطني، الإرهاب",
            "Tags: DGSN, Tanger, drogue",
            "Kategorie: News",
        ] {
            assert!(is_boilerplate(teaser, 0), "{teaser}");
        }
        for sentence in [
            "Read more about the plan in the ministry's annual report, published on Monday.",
            "اقرأ الخبر كاملا في موقعنا",
            "Mira Nair presented her new film in Marrakech on Saturday evening.",
            "Related: the suspects were arrested in Fes and Meknes after months of surveillance by the DGST, which had followed their messages since the spring and alerted the prosecutor in Rabat.",
        ] {
            assert!(!is_boilerplate(sentence, 0), "{sentence}");
        }
    }

    #[test]
    fn article_sentences_are_kept_even_when_they_mention_reading() {
        for text in [
            "وأكد البلاغ أن اللقاء يأتي في إطار التزام قطب الأمن الوطني ومراقبة التراب الوطني بتقوية آليات التعاون الثنائي ومتعدد الأطراف، تجسيدًا للدور المتنامي للمغرب كشريك موثوق.",
            "Les enquêteurs ont pu lire aussi les messages échangés par les suspects pendant des mois, selon une source sécuritaire proche du dossier citée par l'agence.",
            "زيارة زوييف إلى الرباط… لماذا يتحول المغرب إلى مركز ثقل دولي؟",
            "وزار الوفد المدن الرئيسية بالمملكة.",
            "L'accueil des délégations a eu lieu à Rabat.",
            "Share of voice rose sharply.",
            "By the end of the year, the ministry had opened 12 new police stations.",
            "Photo opportunities were rare during the visit.",
            "The ministry published the figures (see the image in our previous report) on Monday.",
            "Les chiffres du ministère (photo ci-dessus) montrent une baisse.",
            "Disney+ signed up ten million subscribers on its first day, the company said.",
            "Getty Images shares fell on Monday after the agency reported weaker sales in Europe and Asia.",
            "Le budget de la sûreté nationale a augmenté (de 12 % sur un an)",
        ] {
            assert!(!is_boilerplate(text, 0), "{text}");
        }
    }

    #[test]
    fn link_dense_short_blocks_are_dropped() {
        assert!(is_boilerplate("الأمن يوقف مروجا للمخدرات بطنجة", 30));
        assert!(!is_boilerplate("الأمن يوقف مروجا للمخدرات بطنجة", 5));
    }
}
