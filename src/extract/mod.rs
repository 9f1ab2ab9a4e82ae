//! Page HTML to article: body text, title, date, author, language, canonical URL.
//!
//! The general extractor is dom_smoothie (a port of readability.js). Its output still carries
//! what readability keeps on Arabic news markup, so our own layers run on top, each testable
//! alone:
//! - [`blocks`] turns HTML into paragraphs, measuring how much of each is link text;
//! - [`boilerplate`] drops cookie notices, comment forms, related lists, share bars and
//!   "back to top" buttons in Arabic, French and English, and link-dense fragments;
//! - [`furniture`] drops what news templates set around a story (datelines, counters,
//!   reading-time badges, the repeated headline, app promos, teasers, tag lists);
//! - repeated paragraphs are kept once (scrapers often see a body twice);
//! - [`metadata`] reads title, date, author, language and canonical URL from the whole page.

mod blocks;
mod boilerplate;
mod container;
mod dateline;
mod furniture;
mod input;
mod jsonld;
mod lang;
pub mod learned;
mod metadata;
mod phrases;
mod promo;
mod rules;

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use chrono::{DateTime, FixedOffset, Utc};
use serde::Serialize;
use url::Url;

pub use blocks::text_of_fragment;
pub use lang::detect as detect_language;
pub use metadata::DateSource;
pub use rules::{RuleError, RuleOutcome, Rules, selector};

/// What extraction found on a page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    pub title: String,
    /// Paragraphs separated by a blank line.
    pub body: String,
    pub published_at: Option<DateTime<FixedOffset>>,
    /// Where `published_at` was read: stated in the page's markup, or inferred from its URL or
    /// its visible text (a feed's own date is worth more than either; a date read in the text
    /// may be a sidebar's, and is never enough to call an article too old to alert).
    #[serde(skip)]
    pub published_from: DateSource,
    pub author: Option<String>,
    pub lang: Option<String>,
    pub site_name: Option<String>,
    pub canonical_url: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    #[error("no article text found on the page")]
    Empty,
    #[error("the HTML parser panicked on this page")]
    Panicked,
    #[error("the page is not text (binary data served as HTML?)")]
    NotText,
    #[error("the page nests elements more than {0} deep")]
    TooDeep(usize),
}

/// A page must yield at least this many characters of body for the readability result to be
/// trusted; below it the whole page body is used, filtered.
const MIN_BODY_CHARS: usize = 200;

/// Extract the article from `html`, the page at `url` (used to resolve links and read dates
/// from the path).
pub fn extract(html: &str, url: Option<&Url>) -> Result<Article, ExtractError> {
    extract_with(html, url, &Options::default()).map(|(article, _)| article)
}

/// [`extract`] with an outlet's rules, reporting whether its body rule matched.
pub fn extract_with(
    html: &str,
    url: Option<&Url>,
    options: &Options<'_>,
) -> Result<(Article, RuleOutcome), ExtractError> {
    input::check(html)?;
    catch_unwind(AssertUnwindSafe(|| extract_inner(html, url, options)))
        .map_err(|_| ExtractError::Panicked)?
}

/// What the daemon knows about a page beyond its HTML.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// The outlet's `[feed.extract]` rules.
    pub rules: Option<&'a Rules>,
    /// When the page was fetched: relative dates ("منذ ساعتين") count back from it.
    pub fetched_at: Option<DateTime<Utc>>,
    /// The zone of the outlet's clocks, for dates written without an offset.
    pub zone: chrono_tz::Tz,
}

fn extract_inner(
    html: &str,
    url: Option<&Url>,
    options: &Options<'_>,
) -> Result<(Article, RuleOutcome), ExtractError> {
    // One parse serves the metadata, the outlet's rules and the whole-page fallback.
    let mut document = scraper::Html::parse_document(html);
    let meta = metadata::read(&document, url, options.fetched_at, options.zone);
    let (pruned, ruled) = match options.rules {
        Some(rules) => {
            let pruned = rules.prune(&mut document).then(|| document.html());
            (pruned, rules.has_body().then(|| rules.body(&document)))
        }
        None => (None, None),
    };
    let ruled_paragraphs = ruled.map(|body| body.map(clean).filter(|p| !p.is_empty()));
    let outcome = match &ruled_paragraphs {
        None => RuleOutcome::NoRules,
        Some(Some(_)) => RuleOutcome::Matched,
        Some(None) => RuleOutcome::Missed,
    };
    let html = pruned.as_deref().unwrap_or(html);
    // Classes are kept so that our block walk can recognise captions, share bars and the like.
    let config = dom_smoothie::Config {
        keep_classes: true,
        ..dom_smoothie::Config::default()
    };
    // readability refuses addresses it cannot resolve links against (`urn:`, a scheme of
    // one's own); the page's text does not depend on them.
    let readable = dom_smoothie::Readability::new(html, url.map(Url::as_str), Some(config.clone()))
        .or_else(|_| dom_smoothie::Readability::new(html, None, Some(config)))
        .ok()
        .and_then(|mut r| r.parse().ok());

    // Readability has already dropped a heading that repeats its title; the same title set
    // again as the first paragraph is left to us.
    let title = readable.as_ref().map(|a| a.title.as_str());
    let mut paragraphs = readable
        .as_ref()
        .map(|article| {
            clean(furniture::strip(
                blocks::paragraphs(&article.content),
                title,
            ))
        })
        .unwrap_or_default();
    if let Some(Some(ruled)) = ruled_paragraphs {
        paragraphs = ruled;
    } else if char_count(&paragraphs) < MIN_BODY_CHARS {
        let whole = clean(furniture::strip(
            blocks::paragraphs_of_body(&document),
            title,
        ));
        if char_count(&whole) > char_count(&paragraphs) {
            paragraphs = whole;
        }
    } else if container::wants_second_opinion(&paragraphs) {
        let clean_page = |raw| clean_blocks(furniture::strip(raw, title));
        if let Some(found) = container::better_than(&document, &paragraphs, clean_page) {
            paragraphs = found.into_iter().map(|b| b.text).collect();
        }
    }
    if char_count(&paragraphs) < MIN_BODY_CHARS {
        // A page rendered by scripts may still state its body in its structured data.
        let stated = jsonld::article_body(&document);
        if char_count(&stated) > char_count(&paragraphs) {
            paragraphs = stated;
        }
    }
    if paragraphs.is_empty() {
        return Err(ExtractError::Empty);
    }
    let body = paragraphs.join("\n\n");

    let title = meta
        .title
        .or_else(|| readable.as_ref().map(|a| a.title.trim().to_string()))
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| paragraphs[0].chars().take(120).collect());
    let (published_at, published_from) = match readable
        .as_ref()
        .and_then(|a| a.published_time.as_deref())
        .and_then(|d| crate::date::parse(d, options.zone))
        .filter(|d| crate::date::plausible(d, options.fetched_at))
    {
        Some(stated) => (Some(stated), DateSource::Markup),
        None => match meta.published_at {
            Some((date, source)) => (Some(date), source),
            None => (None, DateSource::Markup),
        },
    };
    let lang = lang::detect(&body).map(str::to_string).or(meta.lang);
    Ok((
        Article {
            title,
            body,
            published_at,
            published_from,
            author: meta
                .author
                .or_else(|| readable.as_ref().and_then(|a| a.byline.clone()))
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty()),
            lang,
            site_name: meta
                .site_name
                .or_else(|| readable.as_ref().and_then(|a| a.site_name.clone())),
            canonical_url: meta.canonical_url.or_else(|| url.map(Url::to_string)),
        },
        outcome,
    ))
}

/// Our layers over raw paragraphs: boilerplate out, repeats out.
fn clean(raw: Vec<blocks::Block>) -> Vec<String> {
    clean_blocks(raw)
        .into_iter()
        .map(|block| block.text)
        .collect()
}

fn clean_blocks(raw: Vec<blocks::Block>) -> Vec<blocks::Block> {
    let mut seen = HashSet::new();
    raw.into_iter()
        .filter(|block| {
            !boilerplate::is_boilerplate(&block.text, block.link_chars)
                && !dateline::is_dateline(&block.text)
        })
        .filter(|block| {
            is_list_item(&block.text) || seen.insert(crate::text::fold_str(&block.text))
        })
        .collect()
}

/// Paragraphs this short ("Meal 2", "Pre-Workout Snack") legitimately recur in tables and
/// day-by-day plans; a scraper's doubled body repeats whole sentences.
const REPEATABLE_WORDS: usize = 4;

fn is_list_item(text: &str) -> bool {
    text.split_whitespace().count() <= REPEATABLE_WORDS
}

fn char_count(paragraphs: &[String]) -> usize {
    paragraphs.iter().map(|p| p.chars().count()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = r##"<!doctype html><html lang="ar" dir="rtl"><head>
<title>حموشي يستقبل زوييف | هسبريس</title>
<meta property="og:title" content="حموشي يستقبل زوييف">
<meta property="og:site_name" content="هسبريس">
<meta property="article:published_time" content="2025-12-01T18:30:00+01:00">
<link rel="canonical" href="https://www.hespress.com/hammouchi-zouev-1.html">
</head><body>
<nav><a href="/">الرئيسية</a> <a href="/politique">سياسة</a> <a href="/sport">رياضة</a></nav>
<div class="cookie">نحن نستخدم ملفات تعريف الارتباط لتحسين تجربتك. <button>موافق</button></div>
<article class="post"><h1>حموشي يستقبل زوييف</h1>
<div class="share"><a href="#">فيسبوك</a> <a href="#">تويتر</a></div>
<div class="entry-content">
<p>استقبل المدير العام للأمن الوطني ومراقبة التراب الوطني، عبد اللطيف حموشي، يوم الاثنين بالرباط، ألكسندر زوييف، الأمين العام المساعد لمكتب الأمم المتحدة لمكافحة الإرهاب.</p>
<p>وتناولت المباحثات التهديدات الإرهابية في منطقة الساحل والصحراء، وسبل تعزيز التعاون في تأمين التظاهرات الرياضية الكبرى التي تستعد المملكة لاحتضانها.</p>
<p>وتناولت المباحثات التهديدات الإرهابية في منطقة الساحل والصحراء، وسبل تعزيز التعاون في تأمين التظاهرات الرياضية الكبرى التي تستعد المملكة لاحتضانها.</p>
<p>وأشاد المسؤول الأممي بالتجربة المغربية في مجال مكافحة الإرهاب والتطرف العنيف، معتبرا إياها نموذجا يحتذى به على المستوى الدولي.</p>
</div>
<div class="related"><h3>مقالات ذات صلة</h3><ul><li><a href="/a">الأمن يوقف مروجا للمخدرات بطنجة</a></li><li><a href="/b">توقيف شخص بالدار البيضاء</a></li></ul></div>
<div id="respond"><h3>اترك تعليقاً</h3><p>لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *</p></div>
</article>
<a href="#top">زر الذهاب إلى الأعلى</a>
<footer>جميع الحقوق محفوظة © 2025</footer>
</body></html>"##;

    fn article() -> Article {
        extract(
            PAGE,
            Some(&Url::parse("https://www.hespress.com/hammouchi-zouev-1.html?utm=x").unwrap()),
        )
        .unwrap()
    }

    #[test]
    fn body_holds_each_paragraph_once_and_no_boilerplate() {
        let article = article();
        let paragraphs: Vec<&str> = article.body.split("\n\n").collect();
        assert_eq!(paragraphs.len(), 3, "{paragraphs:#?}");
        assert!(paragraphs[0].starts_with("استقبل المدير العام"));
        assert!(paragraphs[2].starts_with("وأشاد المسؤول"));
        for junk in [
            "ملفات تعريف الارتباط",
            "مقالات ذات صلة",
            "اترك تعليقاً",
            "بريدك",
            "الأعلى",
            "الحقوق",
            "مروجا",
            "فيسبوك",
        ] {
            assert!(!article.body.contains(junk), "{junk} leaked into the body");
        }
    }

    #[test]
    fn metadata_comes_from_the_page() {
        let article = article();
        assert_eq!(article.title, "حموشي يستقبل زوييف");
        assert_eq!(article.site_name.as_deref(), Some("هسبريس"));
        assert_eq!(article.lang.as_deref(), Some("ar"));
        assert_eq!(
            article.canonical_url.as_deref(),
            Some("https://www.hespress.com/hammouchi-zouev-1.html")
        );
        let published = article.published_at.unwrap();
        assert_eq!(published.to_rfc3339(), "2025-12-01T18:30:00+01:00");
    }

    #[test]
    fn a_date_read_from_the_text_is_marked_as_guessed() {
        let text_dated = PAGE
            .replace(
                "<meta property=\"article:published_time\" content=\"2025-12-01T18:30:00+01:00\">",
                "",
            )
            .replace(
                "<article class=\"post\">",
                "<article class=\"post\"><span>الاثنين 1 دجنبر 2025</span>",
            );
        let (article, _) = extract_with(&text_dated, None, &Options::default()).unwrap();
        assert_eq!(
            article.published_at.unwrap().to_rfc3339(),
            "2025-12-01T00:00:00+00:00"
        );
        assert_eq!(article.published_from, DateSource::Text);
        assert_eq!(
            self::tests::article().published_from,
            DateSource::Markup,
            "a meta tag is stated, not guessed"
        );
    }

    #[test]
    fn repeated_sentences_go_but_repeated_list_items_stay() {
        let sentence = "La DGSN a annoncé l'arrestation de trois suspects à Tanger lundi soir.";
        let page = format!(
            "<html><body><article><p>{sentence}</p><h3>Jour 1</h3><p>Petit-déjeuner protéiné</p>\
             <h3>Jour 2</h3><p>Petit-déjeuner protéiné</p><p>{sentence}</p>\
             <p>Les enquêteurs poursuivent leurs investigations sous la supervision du parquet.</p>\
             </article></body></html>"
        );
        let body = extract(&page, None).unwrap().body;
        assert_eq!(body.matches(sentence).count(), 1, "{body}");
        assert_eq!(body.matches("Petit-déjeuner protéiné").count(), 2, "{body}");
    }

    #[test]
    fn an_address_readability_refuses_does_not_change_the_body() {
        let without = extract(PAGE, None).unwrap().body;
        let odd = Url::parse("urn:x-outlet:hammouchi-zouev-1").unwrap();
        assert_eq!(extract(PAGE, Some(&odd)).unwrap().body, without);
    }

    #[test]
    fn pages_without_article_text_are_an_error() {
        assert!(matches!(
            extract(
                "<html><body><nav><a href='/'>Home</a></nav></body></html>",
                None
            ),
            Err(ExtractError::Empty)
        ));
        assert!(extract("", None).is_err());
    }

    #[test]
    fn a_page_rendered_by_scripts_yields_the_body_its_structured_data_states() {
        let body = "استقبل المدير العام للأمن الوطني ومراقبة التراب الوطني عبد اللطيف حموشي بالرباط \
                    ألكسندر زوييف، الأمين العام المساعد لمكتب الأمم المتحدة لمكافحة الإرهاب.\n\
                    وتناولت المباحثات التهديدات الإرهابية في منطقة الساحل وسبل تعزيز التعاون.";
        let data = serde_json::json!({"@type": "NewsArticle", "articleBody": body});
        let page = format!(
            r#"<html><head><script type="application/ld+json">{data}</script></head>
<body><div id="__next"><nav><a href="/">الرئيسية</a></nav></div><script src="/app.js"></script></body></html>"#
        );
        let article = extract(&page, None).unwrap();
        assert_eq!(article.body.split("\n\n").count(), 2, "{}", article.body);
        assert!(article.body.contains("زوييف"));
    }

    #[test]
    fn short_plain_pages_still_yield_their_text() {
        let article = extract("<html><body><p>Abdellatif Hammouchi met Avril Haines in Rabat on Monday to discuss counter-terrorism cooperation.</p></body></html>", None).unwrap();
        assert!(article.body.contains("Avril Haines"));
        assert_eq!(article.lang.as_deref(), Some("en"));
    }
}
