//! A second opinion when readability keeps little, or little prose: the page's own article
//! container.
//!
//! readability picks the container with the best-scoring paragraphs. On a page whose article
//! is short, made of lists, or split by widgets, an author box, a login panel or a newsletter
//! pitch can outscore it; so can a long list of names or a table beside a letter. Most pages say
//! where their article is (`<article>`, `<main>`, `itemprop="articleBody"`, `entry-content`,
//! `post-body`, …); when readability's text is short or mostly short lines, and such a
//! container holds much more prose, the container's paragraphs are the body.

use scraper::{ElementRef, Html, Selector};

use super::blocks::{self, Block};

/// readability's pick shorter than this gets a second opinion.
const SHORT_BODY_CHARS: usize = 2000;
/// So does a pick of any length whose prose is less than this share of its text: a list of
/// names or a table's rows that outscored the article (an open letter's signatories).
const MIN_PROSE_SHARE: f64 = 1.0 / 3.0;
/// The container must hold this many times readability's prose to be preferred.
const MIN_GAIN: usize = 2;
/// A paragraph this long is prose; shorter ones are labels, counters and link rows.
const PROSE_CHARS: usize = 80;

/// Elements that name themselves as the page's article.
const CONTAINERS: &str = "article, main, [role=main], [itemprop=articleBody], \
    [class*=entry-content], [class*=post-content], [class*=article-body], \
    [class*=article-content], [class*=articleBody], [class*=story-body], [class*=post-body], \
    [class*=article__body], [class*=article-text], [class*=field--name-body], \
    [class*=node__content], [id*=article-body], [id*=content-body]";

/// Whether readability's pick `kept` is short, or mostly short lines, so that the page's own
/// article container may be the better body.
pub fn wants_second_opinion(kept: &[String]) -> bool {
    let chars: usize = kept.iter().map(|p| p.chars().count()).sum();
    let prose = prose_chars(kept.iter().map(String::as_str));
    chars < SHORT_BODY_CHARS || (prose as f64) < MIN_PROSE_SHARE * chars as f64
}

/// Characters of prose in `paragraphs`: what readability and a container are compared on.
pub fn prose_chars<'a>(paragraphs: impl IntoIterator<Item = &'a str>) -> usize {
    paragraphs
        .into_iter()
        .map(|p| p.chars().count())
        .filter(|&n| n >= PROSE_CHARS)
        .sum()
}

/// The paragraphs of the article container holding the most prose, if it holds at least
/// [`MIN_GAIN`] times the prose of readability's pick `kept`. `clean` is the extractor's
/// boilerplate filter.
pub fn better_than(
    document: &Html,
    kept: &[String],
    clean: impl Fn(Vec<Block>) -> Vec<Block>,
) -> Option<Vec<Block>> {
    let selector = Selector::parse(CONTAINERS).ok()?;
    let candidates: Vec<ElementRef<'_>> = document
        .select(&selector)
        .filter(|e| !inside_frame(*e) && !holds_articles(*e))
        .collect();
    let kept_prose = prose_chars(kept.iter().map(String::as_str));
    let (prose, best) = candidates
        .into_iter()
        .map(|e| {
            let found = clean(blocks::paragraphs_of_container(e));
            (prose_chars(found.iter().map(|b| b.text.as_str())), found)
        })
        .max_by_key(|(prose, _)| *prose)?;
    (prose >= MIN_GAIN * kept_prose.max(1) && prose >= PROSE_CHARS).then_some(best)
}

/// An `<article>` inside a sidebar or footer is a teaser, and one inside the comments is a
/// reader's comment, not the page's article.
fn inside_frame(element: ElementRef<'_>) -> bool {
    std::iter::once(element)
        .chain(element.ancestors().filter_map(ElementRef::wrap))
        .any(|a| blocks::is_frame(a.value()))
}

/// A container holding `<article>`s is a listing, or a story with teasers nested in it: its
/// own text is not one article.
fn holds_articles(element: ElementRef<'_>) -> bool {
    element
        .descendants()
        .skip(1)
        .filter_map(ElementRef::wrap)
        .any(|e| e.value().name() == "article" && !inside_frame(e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BIO: &str = "كاتب صحفي مختص في الشؤون الأمنية، عمل مراسلا لعدة منابر دولية قبل أن ينضم إلى \
        فريق التحرير سنة 2015، ويهتم بقضايا الهجرة ومكافحة الإرهاب في منطقة الساحل.";

    fn page(article: &str) -> Html {
        Html::parse_document(&format!(
            "<html><body><nav><a href='/'>الرئيسية</a></nav>{article}\
             <div class='author-box'><p>{BIO}</p></div>\
             <footer><p>{BIO} {BIO}</p></footer></body></html>"
        ))
    }

    fn kept() -> Vec<String> {
        vec![BIO.to_string()]
    }

    fn paragraphs(found: Option<Vec<Block>>) -> Vec<String> {
        found
            .unwrap_or_default()
            .into_iter()
            .map(|b| b.text)
            .collect()
    }

    const ARTICLE: &str = "<div class='entry-content'>\
        <p>أعلنت المديرية العامة للأمن الوطني، اليوم الاثنين، عن توقيف ثلاثة أشخاص بمدينة طنجة \
        للاشتباه في ارتباطهم بشبكة إجرامية تنشط في تهريب المخدرات عبر ميناء طنجة المتوسط.</p>\
        <ul><li>حجز 2.5 طن من مخدر الشيرا داخل شاحنة للنقل الدولي للبضائع.</li>\
        <li>حجز ثلاث سيارات ومبالغ مالية يشتبه في كونها من متحصلات النشاط الإجرامي.</li></ul>\
        <p>وقد تم الاحتفاظ بالمشتبه فيهم تحت تدبير الحراسة النظرية رهن إشارة البحث القضائي الذي \
        يجري تحت إشراف النيابة العامة المختصة، للكشف عن باقي الامتدادات المحتملة لهذا النشاط.</p>\
        </div>";

    #[test]
    fn the_marked_article_replaces_a_short_pick_outside_it() {
        let found = paragraphs(better_than(&page(ARTICLE), &kept(), |b| b));
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].starts_with("أعلنت المديرية"));
        assert!(!found.iter().any(|p| p.contains("كاتب صحفي")), "{found:#?}");
    }

    #[test]
    fn a_container_of_articles_is_a_listing_not_an_article() {
        let listing =
            format!("<main><article>{ARTICLE}</article><article>{ARTICLE}</article></main>");
        let found = paragraphs(better_than(&page(&listing), &kept(), |b| b));
        assert_eq!(found.len(), 4, "one article, not the listing: {found:#?}");
    }

    #[test]
    fn short_picks_and_picks_of_short_lines_get_a_second_opinion() {
        let prose = ARTICLE_SENTENCE.repeat(3);
        assert!(wants_second_opinion(std::slice::from_ref(&prose)), "short");
        let long: Vec<String> = (0..20).map(|_| prose.clone()).collect();
        assert!(!wants_second_opinion(&long), "long prose");
        let names: Vec<String> = (0..300)
            .map(|i| format!("Signatory {i}, University"))
            .collect();
        assert!(wants_second_opinion(&names), "a long list of names");
        let mixed: Vec<String> = long
            .iter()
            .cloned()
            .chain(names[..100].iter().cloned())
            .collect();
        assert!(!wants_second_opinion(&mixed), "prose with a list in it");
    }

    const ARTICLE_SENTENCE: &str = "The free exchange of information and ideas, the lifeblood of a \
        liberal society, is daily becoming more constricted in our institutions. ";

    #[test]
    fn a_container_with_little_more_prose_does_not_replace_the_pick() {
        let short = "<article><p>أوقفت الشرطة مشتبها فيه بطنجة صباح اليوم بعد بحث قصير دام أياما.</p></article>";
        assert!(better_than(&page(short), &kept(), |b| b).is_none());
    }
}
