//! A news desk's morning: seven outlets' feeds on one loopback server, their article pages as
//! outlets build them (WordPress around the seeds and the story fixtures, and the real outlet
//! templates of `tests/pages/arabic/`), in Arabic, French and English. Three outlets rewrite one
//! press release (seeds 000–002), three French and three English articles tell two other
//! events; the rest are their own stories. The watches mix both alert policies.

use std::path::Path;
use std::time::Duration;

use super::{Resource, Server, lines, seed, wordpress_page};

/// One published article: the path of its page and the story it tells (fixtures only; a real
/// outlet page is its own story as far as the test knows).
pub struct Article {
    pub path: String,
    pub story: Option<String>,
}

/// The outlets: feed path and the articles each carries (article sources are a seed number,
/// `stories/NAME` for a story fixture, or `pages/NAME` for an outlet template).
const OUTLETS: [(&str, &[&str]); 7] = [
    (
        "/hespress/feed",
        &["000", "pages/egypt_daily", "pages/jannah_security"],
    ),
    ("/alyaoum/feed", &["001", "004", "stories/ar-rain-weather"]),
    ("/lesiteinfo/feed", &["002", "pages/jnews_politics"]),
    (
        "/le360/feed",
        &[
            "stories/fr-tetouan-cell-1",
            "stories/fr-tetouan-cell-2",
            "pages/arcxp_french",
        ],
    ),
    (
        "/medias24/feed",
        &["stories/fr-tetouan-cell-3", "stories/fr-rabat-marathon"],
    ),
    (
        "/mwn/feed",
        &[
            "stories/en-tangier-cannabis-1",
            "stories/en-tangier-cannabis-2",
            "pages/levant_english",
        ],
    ),
    (
        "/hespress-en/feed",
        &["stories/en-tangier-cannabis-3", "stories/en-tangier-forum"],
    ),
];

/// Alerts per story for hammouchi, dgsn-dgst and terror-cells; per article for the others.
pub const WATCHES: &str = r#"
[[watch]]
name = "hammouchi"
aliases = ["عبد اللطيف حموشي", "حموشي", "Abdellatif Hammouchi", "Hammouchi"]
severity = "high"

[[watch]]
name = "dgsn-dgst"
aliases = ["المديرية العامة للأمن الوطني", "المديرية العامة لمراقبة التراب الوطني", "DGSN", "DGST", "Direction générale de la surveillance du territoire"]

[[watch]]
name = "unoct"
alert = "article"
aliases = ["مكتب الأمم المتحدة لمكافحة الإرهاب", "UNOCT", "United Nations Office of Counter-Terrorism"]

[[watch]]
name = "haines"
alert = "article"
aliases = ["أفريل هاينز", "Avril Haines"]

[[watch]]
name = "zouev"
alert = "article"
aliases = ["ألكسندر زوييف", "زوييف", "Alexander Zouev"]

[[watch]]
name = "bcij"
alert = "article"
aliases = ["المكتب المركزي للأبحاث القضائية", "BCIJ", "Bureau central d'investigations judiciaires"]

[[watch]]
name = "terror-cells"
aliases = ["خلية إرهابية", "cellule terroriste", "terrorist cell", "داعش", "Daech", "ISIS"]
severity = "critical"

[[watch]]
name = "bourita"
alert = "article"
aliases = ["ناصر بوريطة", "Bourita"]

[[watch]]
name = "cannabis"
alert = "article"
aliases = ["cannabis", "chira", "الشيرا"]
"#;

/// The watches alerting once per story.
pub const PER_STORY: [&str; 3] = ["hammouchi", "dgsn-dgst", "terror-cells"];

/// Publish the desk on `server`, each page answering after `page_delay` (so that polls
/// overlap); the feeds' URLs and the articles.
pub fn publish(server: &Server, page_delay: Duration) -> (Vec<String>, Vec<Article>) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let published = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc2822();
    let mut feeds = Vec::new();
    let mut articles = Vec::new();
    for (feed, sources) in OUTLETS {
        let outlet = feed.trim_end_matches("/feed");
        let mut items = String::new();
        for source in sources {
            let (title, page, story) = match source.split_once('/') {
                Some(("pages", name)) => {
                    let html =
                        std::fs::read_to_string(root.join(format!("pages/arabic/{name}.html")))
                            .unwrap();
                    (title_of(&html), html, None)
                }
                Some(("stories", name)) => {
                    let text =
                        std::fs::read_to_string(root.join(format!("fixtures/stories/{name}.txt")))
                            .unwrap();
                    let (title, body) = text.split_once('\n').unwrap();
                    let story = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '-');
                    (
                        title.to_string(),
                        article_page(title, &lines(body)),
                        Some(story.to_string()),
                    )
                }
                _ => {
                    let text = seed(source);
                    let text = lines(&text);
                    let story = match *source {
                        "000" | "001" | "002" => "ar-zouev-rabat",
                        other => other,
                    };
                    (
                        text[0].to_string(),
                        wordpress_page(text[0], &text[1..], None, &[]),
                        Some(story.to_string()),
                    )
                }
            };
            let name = source.rsplit('/').next().unwrap();
            let path = format!("{outlet}/{name}.html");
            server.put(
                &path,
                Resource::new("text/html; charset=utf-8", page).with_delay(page_delay),
            );
            items.push_str(&format!(
                "<item><title><![CDATA[{title}]]></title><link>{}</link><pubDate>{published}</pubDate></item>\n",
                server.url(&path)
            ));
            articles.push(Article { path, story });
        }
        server.put(
            feed,
            Resource::new(
                "application/rss+xml",
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{outlet}</title>\n{items}</channel></rss>"
                ),
            ),
        );
        feeds.push(server.url(feed));
    }
    (feeds, articles)
}

/// An outlet template's headline, from its `<title>` without the site's name.
fn title_of(html: &str) -> String {
    let start = html.find("<title>").unwrap() + "<title>".len();
    let end = start + html[start..].find("</title>").unwrap();
    let title = &html[start..end];
    title
        .rsplit_once(" | ")
        .or_else(|| title.rsplit_once(" - "))
        .map_or(title, |(headline, _)| headline)
        .trim()
        .to_string()
}

/// A French or English news page: navigation, cookie banner, share buttons, related links
/// and a comment form around the paragraphs.
fn article_page(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>{title}</title></head><body>\
         <nav><a href=\"/\">Accueil</a> <a href=\"/maroc\">Maroc</a> <a href=\"/monde\">Monde</a></nav>\
         <div class=\"cookie-banner\">Nous utilisons des cookies pour améliorer votre expérience. <a href=\"/p\">Politique de confidentialité</a></div>\
         <article><h1>{title}</h1><div class=\"article-body\">{body}</div>\
         <div class=\"share\">Partager cet article</div></article>\
         <section class=\"related\"><h2>Articles similaires</h2><a href=\"/x\">Hammouchi reçoit une délégation</a></section>\
         <div class=\"comments\"><h3>Laisser un commentaire</h3><p>Votre adresse e-mail ne sera pas publiée.</p></div></body></html>"
    )
}
