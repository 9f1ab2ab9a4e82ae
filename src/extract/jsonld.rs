//! The article body a page states in its JSON-LD (`"articleBody"`), for pages that render their
//! text with scripts: the markup holds an empty root element, the structured data the story.

use scraper::{Html, Selector};
use serde_json::Value;

/// Schema.org types whose `articleBody` is the article.
const ARTICLE_TYPES: &[&str] = &[
    "Article",
    "NewsArticle",
    "ReportageNews",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "BackgroundNewsArticle",
    "BlogPosting",
    "LiveBlogPosting",
    "Report",
];

/// The longest `articleBody` of an article object in the page's JSON-LD, as paragraphs.
pub fn article_body(document: &Html) -> Vec<String> {
    let Ok(selector) = Selector::parse("script[type='application/ld+json']") else {
        return Vec::new();
    };
    let mut best = String::new();
    for script in document.select(&selector) {
        let text: String = script.text().collect();
        let Ok(value) = serde_json::from_str::<Value>(text.trim()) else {
            continue;
        };
        visit(&value, 0, &mut |body| {
            if body.len() > best.len() {
                best = body.to_string();
            }
        });
    }
    // Outlets put the body in as text with line breaks, or as HTML.
    let text = if best.contains('<') {
        super::blocks::text_of_fragment(&best)
    } else {
        best
    };
    text.split('\n')
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// JSON-LD nests objects in `@graph`, arrays and properties; real pages stay shallow.
const MAX_DEPTH: usize = 8;

fn visit(value: &Value, depth: usize, found: &mut impl FnMut(&str)) {
    if depth > MAX_DEPTH {
        return;
    }
    match value {
        Value::Array(items) => items.iter().for_each(|v| visit(v, depth + 1, found)),
        Value::Object(object) => {
            let is_article = match object.get("@type") {
                Some(Value::String(t)) => ARTICLE_TYPES.contains(&t.as_str()),
                Some(Value::Array(types)) => types
                    .iter()
                    .any(|t| t.as_str().is_some_and(|t| ARTICLE_TYPES.contains(&t))),
                _ => false,
            };
            if let (true, Some(Value::String(body))) = (is_article, object.get("articleBody")) {
                found(body);
            }
            object.values().for_each(|v| visit(v, depth + 1, found));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stated_body_is_read_from_a_graph() {
        let page = r#"<html><head><script type="application/ld+json">
{"@context":"https://schema.org","@graph":[{"@type":"WebPage","name":"x"},
 {"@type":["NewsArticle"],"headline":"حموشي يستقبل زوييف",
  "articleBody":"استقبل عبد اللطيف حموشي ألكسندر زوييف بالرباط.\nوتناولت المباحثات التعاون الأمني."}]}
</script><script type="application/ld+json">{ not json</script></head><body><div id="root"></div></body></html>"#;
        let body = article_body(&Html::parse_document(page));
        assert_eq!(
            body,
            [
                "استقبل عبد اللطيف حموشي ألكسندر زوييف بالرباط.",
                "وتناولت المباحثات التعاون الأمني."
            ]
        );
    }

    #[test]
    fn other_types_and_html_bodies() {
        let page = r#"<script type="application/ld+json">[{"@type":"HowTo","articleBody":"not an article"},
{"@type":"Article","articleBody":"<p>First paragraph.</p><p>Second paragraph.</p>"}]</script>"#;
        let body = article_body(&Html::parse_document(page));
        assert_eq!(body, ["First paragraph.", "Second paragraph."]);
        assert!(article_body(&Html::parse_document("<p>none</p>")).is_empty());
    }
}
