//! Extraction on Arabic outlet layouts built from the seed articles: every paragraph of the
//! article once, no boilerplate, metadata from the page.

mod common;

use common::{lines, seed};
use raqib::extract::{Article, extract};

/// The seed's own lines that are article text (the scrapers kept some boilerplate in them).
fn article_lines(text: &str) -> Vec<String> {
    const SCRAPED_JUNK: &[&str] = &[
        "اترك تعليقاً",
        "لن يتم نشر",
        "الرئيسية",
        "اظهر المزيد",
        "مقالات ذات صلة",
        "زر الذهاب",
        "موافق",
        "نحن نستخدم ملفات",
        "اطّلع على التفاصيل",
    ];
    let mut seen = std::collections::HashSet::new();
    lines(text)
        .into_iter()
        .filter(|l| !SCRAPED_JUNK.iter().any(|j| l.starts_with(j)))
        .filter(|l| l.chars().count() > 40)
        // The extractor collapses runs of whitespace (the seeds hold NBSPs and double spaces).
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| seen.insert(l.clone()))
        .collect()
}

const JUNK: &[&str] = &[
    "اشترك في النشرة",
    "اقرأ أيضا",
    "مقالات ذات صلة",
    "اترك تعليق",
    "لن يتم نشر",
    "ملفات تعريف الارتباط",
    "زر الذهاب إلى الأعلى",
    "جميع الحقوق محفوظة",
    "فيسبوك",
    "تويتر",
    "الأكثر قراءة",
    "Le360 ©",
    "قبول",
];

fn assert_clean(article: &Article, expected: &[String]) {
    for line in expected {
        let count = article.body.matches(line.as_str()).count();
        assert_eq!(
            count, 1,
            "paragraph {line:?} appears {count} times in:\n{}",
            article.body
        );
    }
    for junk in JUNK {
        assert!(
            !article.body.contains(junk),
            "{junk:?} leaked into:\n{}",
            article.body
        );
    }
}

/// An Arc XP page (as Le360 runs): JSON-LD metadata, deep `div` nesting, a newsletter box and a
/// "read also" box inside the body, related stories and a footer.
fn arc_page(title: &str, paragraphs: &[String]) -> String {
    let mut body = String::new();
    for (i, p) in paragraphs.iter().enumerate() {
        body.push_str(&format!(
            "<p class=\"c-paragraph\" data-index=\"{i}\">{p}</p>\n"
        ));
        if i == 1 {
            body.push_str("<div class=\"c-newsletter\"><p>اشترك في النشرة الإخبارية لتصلك آخر الأخبار</p><form><input type=\"email\"></form></div>\n");
        }
        if i == 3 {
            body.push_str("<aside class=\"c-read-also\"><span>اقرأ أيضا</span> <a href=\"/x\">حموشي يترأس حفل تخرج</a></aside>\n");
        }
    }
    format!(
        r##"<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title} | Le360</title>
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{title}","datePublished":"2025-12-02T10:15:00+01:00","author":[{{"@type":"Person","name":"محمد الإدريسي"}}],"publisher":{{"@type":"Organization","name":"Le360"}}}}</script>
<meta property="og:site_name" content="Le360"></head>
<body><div id="fusion-app"><div class="layout"><header class="c-header"><nav><a href="/">الرئيسية</a> <a href="/politique">سياسة</a> <a href="/economie">اقتصاد</a></nav></header>
<div class="c-cookie-banner">نستخدم ملفات تعريف الارتباط لتحسين تجربتك على الموقع. <button>قبول</button></div>
<main><div class="b-article-wrap"><div class="b-article"><article>
<h1 class="c-heading">{title}</h1>
<div class="c-share"><a href="#">شارك</a> <a href="#">فيسبوك</a> <a href="#">تويتر</a></div>
<div class="article-body-wrapper"><div class="article-body">
{body}</div></div>
<div class="c-tags"><a href="/tag/1">الأمن</a> <a href="/tag/2">الإرهاب</a></div>
</article></div></div>
<section class="related-stories"><h2>مقالات ذات صلة</h2><ul><li><a href="/r1">زيارة حموشي إلى فيينا</a></li><li><a href="/r2">تفكيك خلية إرهابية بطنجة</a></li></ul></section>
<section class="most-read"><h2>الأكثر قراءة</h2><ol><li><a href="/m1">عنوان</a></li></ol></section>
</main><footer class="c-footer"><p>Le360 © 2025 جميع الحقوق محفوظة</p></footer></div></div></body></html>"##
    )
}

#[test]
fn arc_pages_with_json_ld_are_clean_and_dated() {
    for name in ["000", "003", "004"] {
        let text = seed(name);
        let expected = article_lines(&text);
        let page = arc_page("عنوان المقال", &expected);
        let url = url::Url::parse("https://ar.le360.ma/politique/article_abc/").unwrap();
        let article = extract(&page, Some(&url)).unwrap();
        assert_clean(&article, &expected);
        assert_eq!(
            article.published_at.unwrap().to_rfc3339(),
            "2025-12-02T10:15:00+01:00",
            "seed {name}"
        );
        assert_eq!(article.lang.as_deref(), Some("ar"));
        assert_eq!(article.site_name.as_deref(), Some("Le360"));
    }
}

#[test]
fn wordpress_pages_of_every_seed_are_clean() {
    for name in ["000", "001", "002", "003", "004"] {
        let text = seed(name);
        let expected = article_lines(&text);
        let all = lines(&text);
        let page = common::wordpress_page("عنوان", &all, None, &["مقال آخر عن الأمن", "خبر ثان"]);
        let article = extract(&page, None).unwrap();
        assert_clean(&article, &expected);
    }
}

#[test]
fn a_windows_1256_page_reads_as_arabic() {
    let text = seed("003");
    let expected = article_lines(&text);
    let page = arc_page("المغرب يعزز دوره", &expected).replace("<meta charset=\"utf-8\">", "");
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&page);
    let (decoded, encoding) = raqib::fetch::charset::decode(&bytes, Some("text/html"), Some("ma"));
    assert_eq!(encoding, "windows-1256");
    assert_clean(&extract(&decoded, None).unwrap(), &expected);
}
