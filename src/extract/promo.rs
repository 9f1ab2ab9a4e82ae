//! The outlet talking about itself under the article: invitations to follow it on a platform
//! or install its app, paywall and subscription notices, and its comment policy. Each is an
//! invitation word and a thing invited to, in the same short paragraph, so a sentence of news
//! that mentions Facebook or an app store without inviting anyone stays.
//!
//! Words are compared folded and padded (see `boilerplate::words_only`): an entry with a space
//! at both ends is a whole word, one with a space in front only a word opening.

use std::sync::LazyLock;

use super::phrases::Phrases;
use crate::text::fold_str;

/// Promotions are short; a longer paragraph that names a platform is reporting.
pub const PROMO_CHARS: usize = 300;
/// Paywall and comment-policy notices run longer, but not to an article's length.
pub const NOTICE_CHARS: usize = 500;

/// Invitations anywhere in the paragraph: first- and second-person forms no report uses of
/// a platform ("follow us", "تابعونا").
const INVITE: &[&str] = &[
    " follow us ",
    " join us ",
    " join our ",
    " download our ",
    " install our ",
    " suivez nous ",
    " rejoignez nous ",
    " telechargez notre ",
    " siguenos ",
    " unete ",
    " folgen sie uns ",
    " seguici ",
    " siga nos ",
    " تابعونا ",
    " انضموا ",
    " اشتركوا ",
    " حملوا ",
    " نزلوا ",
    " لتحميل ",
    " للاشتراك ",
];

/// Imperatives that open a promotion ("Follow The Gleaner on Twitter", "Téléchargez
/// l'application"); inside a sentence the same words are reporting.
const OPENING: &[&str] = &[
    " follow ",
    " join ",
    " download ",
    " install ",
    " subscribe ",
    " suivez ",
    " rejoignez ",
    " telechargez ",
    " abonnez ",
    " descarga ",
    " descargue ",
    " folgen ",
    " laden ",
    " segui ",
    " baixe ",
    " obserwuj ",
    " pobierz ",
    " تابعوا ",
    " انضموا ",
    " حملوا ",
];

/// Platforms and app stores.
const PLATFORM: &[&str] = &[
    " twitter ",
    " facebook ",
    " instagram ",
    " telegram ",
    " whatsapp ",
    " youtube ",
    " tiktok ",
    " linkedin ",
    " threads ",
    " app store ",
    " google play ",
    " appgallery ",
    " our app ",
    " notre application ",
    " nuestra app ",
    " unsere app ",
    " فيسبوك ",
    " فيس بوك ",
    " تويتر ",
    " انستغرام ",
    " انستجرام ",
    " تلغرام ",
    " تيليجرام ",
    " واتساب ",
    " يوتيوب ",
    " تيك توك ",
    " جوجل بلاي ",
    " اب ستور ",
    " تطبيق ",
    " تطبيقنا ",
];

/// App stores: named with an install call, an app promo ("حمّلوا تطبيق … من App Store").
const STORES: &[&str] = &[
    " app store ",
    " appstore ",
    " google play ",
    " play store ",
    " appgallery ",
    " app gallery ",
    " اب ستور ",
    " جوجل بلاي ",
    " غوغل بلاي ",
    " قوقل بلاي ",
];

/// Calls to install an app, beside a store's name.
const INSTALL: &[&str] = &[
    " حمل تطبيق ",
    " حملوا تطبيق ",
    " حمل التطبيق ",
    " نزل تطبيق ",
    " نزلوا تطبيق ",
    " تحميل تطبيق ",
    " متاح على ",
    " متوفر على ",
    " download ",
    " get it on ",
    " available on ",
    " telecharge",
    " disponible sur ",
];

/// Paywalls: what a reader is asked to subscribe to or log in for.
const PAYWALL: &[&str] = &[
    " full story ",
    " already a subscriber ",
    " subscribers only ",
    " for subscribers ",
    " reserve aux abonnes ",
    " reservee aux abonnes ",
    " deja abonne ",
    " solo para suscriptores ",
    " hazte miembro ",
    " nur fur abonnenten ",
    " bereits abonnent ",
    " للمشتركين ",
    " مشترك بالفعل ",
];

/// Comment policies and the login a comment form asks for: phrases that say it alone …
const COMMENT_POLICY: &[&str] = &[
    " comments are moderated ",
    " comments will be moderated ",
    " logged in to post a comment ",
    " logged in to comment ",
    " les commentaires sont moderes ",
    " connecte pour commenter ",
    " los comentarios son moderados ",
    " para comentar debes ",
    " kommentare werden moderiert ",
    " nicht eingeloggt ",
    " التعليقات المنشوره ",
    " التعليقات لا تعبر ",
    " لا تعبر عن راي ",
    " تخضع التعليقات ",
];

/// Folding drops the padding that marks word edges: it is put back.
/// … and disclaimers that do beside a comment word ("التعليقات … تعبر عن آراء أصحابها").
const COMMENT_WORDS: &[&str] = &[
    " تعليق ",
    " تعليقات ",
    " التعليقات ",
    " تعليقك ",
    " comment ",
    " comments ",
    " commentaire ",
    " commentaires ",
];
const DISCLAIMERS: &[&str] = &[
    " عن اراء اصحابها ",
    " عن راي اصحابها ",
    " عن ارائهم ",
    " عن راي كاتبها ",
    " لا تعبر بالضروره ",
    " تخضع للمراجعه ",
    " تخضع للمراقبه ",
    " بعد المراجعه ",
    " سياسه التعليق ",
    " شروط التعليق ",
    " سياسه النشر ",
    " are moderated ",
    " will appear after ",
    " not responsible for the views ",
    " views expressed by readers ",
    " sont moderes ",
    " n engagent que leurs auteurs ",
];

fn folded(list: &[&str]) -> Vec<String> {
    list.iter()
        .map(|w| {
            let edge = |on: bool| if on { " " } else { "" };
            let (front, back) = (w.starts_with(' '), w.ends_with(' '));
            format!("{}{}{}", edge(front), fold_str(w.trim()), edge(back))
        })
        .collect()
}

static INVITE_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(folded(INVITE)));
static OPENING_FOLDED: LazyLock<Vec<String>> = LazyLock::new(|| folded(OPENING));
static PLATFORM_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(folded(PLATFORM)));
static PAYWALL_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(folded(PAYWALL)));
static COMMENT_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(folded(COMMENT_POLICY)));
static STORES_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(folded(STORES)));
static INSTALL_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(folded(INSTALL)));
static COMMENT_WORDS_FOLDED: LazyLock<Phrases> =
    LazyLock::new(|| Phrases::new(folded(COMMENT_WORDS)));
static DISCLAIMERS_FOLDED: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(folded(DISCLAIMERS)));

/// Whether a paragraph of `chars` characters, whose folded padded words are `words`, is the
/// outlet's own promotion or notice.
pub fn is_promo(chars: usize, words: &str) -> bool {
    let invites = INVITE_FOLDED.in_words(words)
        || OPENING_FOLDED.iter().any(|w| words.starts_with(w.as_str()));
    let app = STORES_FOLDED.in_words(words) && INSTALL_FOLDED.in_words(words);
    if chars <= PROMO_CHARS && (app || invites && PLATFORM_FOLDED.in_words(words)) {
        return true;
    }
    let policy = COMMENT_FOLDED.in_words(words)
        || COMMENT_WORDS_FOLDED.in_words(words) && DISCLAIMERS_FOLDED.in_words(words);
    chars <= NOTICE_CHARS && (PAYWALL_FOLDED.in_words(words) || policy)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> String {
        let folded = fold_str(text);
        let words: Vec<&str> = folded
            .split(|c: char| !crate::text::is_word_char(c))
            .filter(|w| !w.is_empty())
            .collect();
        format!(" {} ", words.join(" "))
    }

    fn promo(text: &str) -> bool {
        is_promo(text.chars().count(), &words(text))
    }

    #[test]
    fn the_outlet_promoting_itself_is_recognised() {
        for text in [
            "حملوا تطبيق هسبريس على متجر جوجل بلاي وآب ستور",
            "تابعونا على فيسبوك وتويتر وإنستغرام",
            "Téléchargez notre application sur l'App Store et Google Play",
            "¿Ya sabías que tenemos canal de Telegram? Únete desde aquí.",
            "Follow The Gleaner on Twitter and Instagram",
            "To view the full story, please subscribe to The Times.",
            "Please understand that comments are moderated and it is not always possible to publish every one.",
            "التعليقات المنشورة لا تعبر عن رأي الموقع وإنما عن رأي أصحابها.",
            "جميع التعليقات تخضع للمراجعة قبل نشرها، وتعبر عن آراء أصحابها.",
            "Téléchargez l'application, disponible sur l'App Store.",
            "حمّل تطبيق اليوم الجديد على أندرويد وآيفون من جوجل بلاي و آب ستور",
            "Get the latest news on the go: download the Roya News app on the App Store and Google Play.",
            "Téléchargez l'application pour suivre l'actualité, disponible sur Google Play",
            "التعليقات المنشورة تعبر عن آراء أصحابها ولا تعبر بالضرورة عن رأي الموقع.",
            "Comments are moderated and will appear after approval.",
        ] {
            assert!(promo(text), "{text}");
        }
    }

    #[test]
    fn news_that_names_a_platform_is_kept() {
        for text in [
            "He went to get the tattoo after the artist advertised the design on Instagram.",
            "تابع المجلس الأمني تطورات الوضع عبر تطبيق خاص بالمراسلات المشفرة.",
            "Facebook will join the European code of practice against disinformation next year.",
            "La DGSN a démantelé un réseau qui recrutait sur Telegram des jeunes de Tanger.",
            "Apple removed the messaging app from its App Store in China on Monday, the company said.",
        ] {
            assert!(!promo(text), "{text}");
        }
    }
}
