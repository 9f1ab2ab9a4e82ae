//! HTML to paragraphs: every block-level element ends a paragraph, and each paragraph knows how
//! much of its text sits inside links (a related list or a share bar is mostly links).

use scraper::{ElementRef, Html, Node, Selector};

/// A paragraph of text and how many of its characters are link text.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub text: String,
    pub link_chars: usize,
}

/// Paragraphs of an HTML fragment (readability's output).
pub fn paragraphs(html: &str) -> Vec<Block> {
    let html = rows_in_a_table(html);
    let mut fragment = Html::parse_fragment(&html);
    drop_listed_teasers(&mut fragment);
    let root = fragment.root_element();
    let mut walker = Walker {
        total_chars: text_chars(root),
        ..Walker::default()
    };
    walker.walk(root, false, 0);
    walker.finish()
}

/// readability retags the table body it picks as a `<div>`, leaving `<tr>`s outside any table:
/// an HTML parser drops such row and cell tags, and every row ran into one paragraph. The rows
/// are put back in a table so that each stays a line of its own.
fn rows_in_a_table(html: &str) -> std::borrow::Cow<'_, str> {
    let first_row = html.match_indices("<tr").map(|(at, _)| at).find(|&at| {
        matches!(
            html.as_bytes().get(at + 3),
            Some(b'>' | b' ' | b'\t' | b'\n' | b'\r')
        )
    });
    match (first_row, html.rfind("</tr>")) {
        (Some(first), Some(last)) if !html[..first].contains("<table") => {
            let end = last + "</tr>".len();
            format!(
                "{}<table>{}</table>{}",
                &html[..first],
                &html[first..end],
                &html[end..]
            )
            .into()
        }
        _ => html.into(),
    }
}

/// Text an `<article>` must hold to be taken for the story of a listing page.
const STORY_CHARS: usize = 200;

/// On a page that lists several `<article>`s (the story, then teasers for others), readability
/// often keeps their common parent. The first article with real text is the story; the others
/// are dropped, unless they enclose it.
fn drop_listed_teasers(fragment: &mut Html) {
    let Ok(selector) = Selector::parse("article") else {
        return;
    };
    let articles: Vec<ElementRef<'_>> = fragment.select(&selector).collect();
    if articles.len() < 2 {
        return;
    }
    let long: Vec<ElementRef<'_>> = articles
        .iter()
        .copied()
        .filter(|a| text_chars(*a) >= STORY_CHARS)
        .collect();
    // The innermost long article: a wrapper `<article>` around the story is not the story.
    let Some(story) = long
        .iter()
        .find(|a| !long.iter().any(|b| b.ancestors().any(|x| x.id() == a.id())))
    else {
        return;
    };
    let enclosing: Vec<_> = story.ancestors().map(|a| a.id()).collect();
    let teasers: Vec<_> = articles
        .iter()
        .map(|a| a.id())
        .filter(|id| *id != story.id() && !enclosing.contains(id))
        .collect();
    for id in teasers {
        if let Some(mut node) = fragment.tree.get_mut(id) {
            node.detach();
        }
    }
}

/// Paragraphs of one element of a parsed page (an outlet rule's body).
pub fn paragraphs_of_element(element: ElementRef<'_>) -> Vec<Block> {
    let mut walker = Walker {
        total_chars: text_chars(element),
        ..Walker::default()
    };
    walker.walk(element, false, 0);
    walker.finish()
}

/// Paragraphs of a container the page marks as its article, without the navigation, asides,
/// footers and comment threads it may hold.
pub fn paragraphs_of_container(element: ElementRef<'_>) -> Vec<Block> {
    let mut walker = Walker {
        framed: true,
        total_chars: text_chars(element),
        ..Walker::default()
    };
    walker.walk(element, false, 0);
    walker.finish()
}

/// Paragraphs of a whole page's `<body>`, for pages readability cannot handle.
pub fn paragraphs_of_body(document: &Html) -> Vec<Block> {
    let Ok(body) = Selector::parse("body") else {
        return Vec::new();
    };
    document
        .select(&body)
        .next()
        .map(paragraphs_of_element)
        .unwrap_or_default()
}

/// The text of an HTML fragment (a feed summary, a title), paragraphs separated by a blank line.
pub fn text_of_fragment(html: &str) -> String {
    paragraphs(html)
        .into_iter()
        .map(|b| b.text)
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[derive(Default)]
struct Walker {
    /// Walking a container of the page rather than readability's pick: navigation, asides,
    /// footers and comment threads inside it are the page's frame, never its article.
    framed: bool,
    current: String,
    current_links: usize,
    space: bool,
    /// Characters of text under the walk's root.
    total_chars: usize,
    done: Vec<Block>,
}

impl Walker {
    fn walk(&mut self, element: ElementRef<'_>, in_link: bool, depth: usize) {
        // Text nested deeper than any real page nests is dropped rather than risking the stack.
        if depth > MAX_DEPTH {
            return;
        }
        for child in element.children() {
            match child.value() {
                Node::Text(text) => self.push_text(text, in_link),
                Node::Element(el) => {
                    let name = el.name();
                    if is_skipped(name) || self.framed && is_frame(el) {
                        continue;
                    }
                    let Some(child) = ElementRef::wrap(child) else {
                        continue;
                    };
                    // A wrapper named like furniture (`content-wrapper social`) may hold the
                    // article itself: only a small share of the text is furniture.
                    if is_boilerplate_container(el) && text_chars(child) * 3 < self.total_chars
                        || is_hover_card(child)
                    {
                        continue;
                    }
                    let block = is_block(name);
                    if block {
                        self.flush();
                    }
                    self.walk(child, in_link || name == "a", depth + 1);
                    if block {
                        self.flush();
                    }
                }
                _ => {}
            }
        }
    }

    fn push_text(&mut self, text: &str, in_link: bool) {
        // Inline elements split text into nodes; a space survives only where the source had one.
        if text.starts_with(char::is_whitespace) {
            self.space = true;
        }
        for word in text.split_whitespace() {
            if self.space && !self.current.is_empty() {
                self.current.push(' ');
            }
            self.current.push_str(word);
            if in_link {
                self.current_links += word.chars().count();
            }
            self.space = true;
        }
        self.space = text.ends_with(char::is_whitespace);
    }

    fn flush(&mut self) {
        let text = self.current.trim();
        if !text.is_empty() {
            self.done.push(Block {
                text: text.to_string(),
                link_chars: self.current_links,
            });
        }
        self.current.clear();
        self.current_links = 0;
        self.space = false;
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush();
        self.done
    }
}

fn text_chars(element: ElementRef<'_>) -> usize {
    element.text().map(|t| t.trim().chars().count()).sum()
}

/// Deeper than this, markup is not walked.
const MAX_DEPTH: usize = 256;

/// Class and id words that mark page furniture rather than article text.
const FURNITURE: &[&str] = &[
    "caption",
    "legend",
    "credit",
    "credits",
    "byline",
    "authors",
    "share",
    "social",
    "related",
    "newsletter",
    "promo",
    "advert",
    "sponsor",
    "footer",
    "copyright",
    "breadcrumb",
    "sidebar",
    "cookie",
    "outbrain",
    "taboola",
    // Category and tag lists, post metadata lines, star ratings, sign-up, subscription and
    // login prompts, calls to action, downloads, licence lines and site notices: on both
    // benchmarks no checked body text sits under these names.
    "taxonomy",
    "categories",
    "metadata",
    "postmetadata",
    "utility",
    "rating",
    "signup",
    "subscribe",
    "subscription",
    "login",
    "cta",
    "download",
    "license",
    "licence",
    "notice",
];

/// Words that, beside `author` in one class or id, name the box about the writer that themes
/// set under a story (`author-bio`, `authorbox`, `about-author`, `AuthorBox`): a portrait, a
/// biography and links to the writer's other articles, none of it the story.
const AUTHOR_BOX: &[&str] = &[
    "bio",
    "biography",
    "box",
    "info",
    "description",
    "desc",
    "card",
    "about",
    "profile",
    "details",
];

/// Whether one class or id of the element names an author box.
fn is_author_box(el: &scraper::node::Element) -> bool {
    let mut names = el
        .attr("class")
        .into_iter()
        .flat_map(str::split_whitespace)
        .chain(el.attr("id"));
    names.any(|name| {
        // Most names hold no `author`: the test costs no allocation for them.
        if !name
            .as_bytes()
            .windows("author".len())
            .any(|w| w.eq_ignore_ascii_case(b"author"))
        {
            return false;
        }
        let words: Vec<String> = name
            .split(['-', '_'])
            .flat_map(camel_humps)
            .map(str::to_ascii_lowercase)
            .collect();
        // `authorbox`, `postauthorbio`: the two words written as one.
        let joined = |w: &String| {
            w.find("author")
                .map(|at| &w[at + "author".len()..])
                .is_some_and(|rest| AUTHOR_BOX.contains(&rest))
        };
        let author = words.iter().any(|w| w == "author" || joined(w));
        let about = words
            .iter()
            .any(|w| AUTHOR_BOX.contains(&w.as_str()) || joined(w));
        author && about
    })
}

/// Whether an element's class or id names page furniture (`figure-caption`, `share-bar`,
/// `newsCaption`, an author box, …).
fn is_boilerplate_container(el: &scraper::node::Element) -> bool {
    if matches!(el.name(), "figure" | "figcaption") || is_author_box(el) {
        return true;
    }
    // An embedded post (`social-media-embed`) is a quote the article makes, not a share bar.
    has_class_word(el, FURNITURE) && !has_class_word(el, &["embed", "embedded"])
}

/// Class words of cards that pop up over a link (a person's recent articles on hover).
const HOVER: &[&str] = &["tooltip", "popover", "hovercard", "rollover", "popup"];

/// A hover card hidden inside a paragraph: named like one, holding links or an image, and not
/// starting with the link that opens it (that link is the article's own text).
fn is_hover_card(element: ElementRef<'_>) -> bool {
    if !has_class_word(element.value(), HOVER) {
        return false;
    }
    let opens_with_link = element
        .children()
        .filter_map(ElementRef::wrap)
        .next()
        .is_some_and(|first| first.value().name() == "a");
    let furnished = element
        .descendants()
        .filter_map(ElementRef::wrap)
        .filter(|e| matches!(e.value().name(), "a" | "img"))
        .nth(1)
        .is_some();
    furnished && !opens_with_link
}

/// Whether a word of the element's class or id (split at `-`, `_` and camelCase humps) is one
/// of `words`.
fn has_class_word(el: &scraper::node::Element, words: &[&str]) -> bool {
    let names = el.attr("class").into_iter().chain(el.attr("id"));
    names
        .flat_map(|n| n.split(|c: char| c.is_whitespace() || c == '-' || c == '_'))
        .flat_map(camel_humps)
        .any(|word| words.iter().any(|w| w.eq_ignore_ascii_case(word)))
}

/// `newsCaption` → `news`, `Caption`; `caption` and `CAPTION` stay whole.
fn camel_humps(word: &str) -> impl Iterator<Item = &str> {
    let bytes = word.as_bytes();
    let mut cuts: Vec<usize> = (1..bytes.len())
        .filter(|&i| bytes[i].is_ascii_uppercase() && bytes[i - 1].is_ascii_lowercase())
        .collect();
    cuts.push(word.len());
    let mut start = 0;
    cuts.into_iter().map(move |end| {
        let hump = &word[start..end];
        start = end;
        hump
    })
}

/// Ruby annotations (`rt`, `rp`) are skipped too: furigana over Japanese kanji is a reading aid,
/// and kept inline it splits every annotated word in two.
fn is_skipped(name: &str) -> bool {
    matches!(
        name,
        "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "iframe"
            | "button"
            | "select"
            | "textarea"
            | "input"
            | "form"
            | "head"
            | "rt"
            | "rp"
    )
}

/// Comment threads are named so (`comments`, `comment-list`, WordPress's `respond`).
const COMMENTS: &[&str] = &["comment", "comments", "respond"];

pub fn is_frame(el: &scraper::node::Element) -> bool {
    matches!(el.name(), "nav" | "aside" | "footer") || has_class_word(el, COMMENTS)
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "address"
            | "article"
            | "aside"
            | "blockquote"
            | "br"
            | "dd"
            | "details"
            | "div"
            | "dl"
            | "dt"
            | "figcaption"
            | "figure"
            | "footer"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "header"
            | "hr"
            | "li"
            | "main"
            | "nav"
            | "ol"
            | "p"
            | "pre"
            | "section"
            | "summary"
            | "table"
            | "td"
            | "th"
            | "tr"
            | "ul"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_a_table_body_retagged_as_a_div_stay_lines() {
        let rows = "<div class=\"page\"><div> <tr><th>Constituency</th><th>Member</th></tr> \
            <tr><td>Aberconwy</td><td>Robin Millar</td></tr> \
            <tr><td>Aldershot</td><td>Leo Docherty</td></tr> </div><p>Source: parliament</p></div>";
        let texts: Vec<String> = paragraphs(rows).into_iter().map(|b| b.text).collect();
        assert_eq!(
            texts,
            [
                "Constituency",
                "Member",
                "Aberconwy",
                "Robin Millar",
                "Aldershot",
                "Leo Docherty",
                "Source: parliament"
            ],
            "each cell a block, as in any table"
        );
        let media = "<div><video><track src=\"a.vtt\"></video><p>Un texte.</p></div>";
        assert_eq!(rows_in_a_table(media), media, "<track> is not a row");
    }

    #[test]
    fn blocks_split_paragraphs_and_inline_elements_do_not() {
        let blocks = paragraphs(
            "<div>One <b>bold</b>, <i>two</i><p>Three <a href='#'>link</a></p>tail<br>after</div>",
        );
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, vec!["One bold, two", "Three link", "tail", "after"]);
        assert_eq!(blocks[1].link_chars, 4);
    }

    #[test]
    fn teasers_listed_after_the_story_are_dropped() {
        let story = "Le directeur général a reçu la délégation onusienne à Rabat. ".repeat(5);
        let html = format!(
            "<div><article><p>{story}</p></article>\
             <article><p>Autre article, un résumé qui se termine par…</p></article>\
             <section><article><p>Encore un résumé</p></article></section></div>"
        );
        let texts: Vec<String> = paragraphs(&html).into_iter().map(|b| b.text).collect();
        assert_eq!(texts, vec![story.trim().to_string()]);
    }

    #[test]
    fn an_article_enclosing_the_story_is_kept() {
        let story = "Le directeur général a reçu la délégation onusienne à Rabat. ".repeat(5);
        let html = format!(
            "<article><h1>Titre</h1><article><p>{story}</p></article><p>Fin.</p></article>"
        );
        let texts: Vec<String> = paragraphs(&html).into_iter().map(|b| b.text).collect();
        assert_eq!(texts.len(), 3, "{texts:?}");
    }

    #[test]
    fn camel_case_class_names_are_read_word_by_word() {
        let text = text_of_fragment(
            "<div><p>Les protestations ont commencé en juin et se sont amplifiées depuis, \
             selon les organisateurs et plusieurs observateurs présents sur place.</p>\
             <p><span class='newsCaption'>Des manifestants à Hong Kong</span></p></div>",
        );
        assert!(!text.contains("manifestants"), "{text}");
        assert_eq!(
            camel_humps("newsCaption").collect::<Vec<_>>(),
            ["news", "Caption"]
        );
        assert_eq!(camel_humps("CAPTION").collect::<Vec<_>>(), ["CAPTION"]);
    }

    #[test]
    fn author_boxes_go_however_the_theme_names_them() {
        let story = "<p>أعلنت المديرية العامة للأمن الوطني، اليوم الاثنين، عن توقيف ثلاثة أشخاص \
            بمدينة طنجة للاشتباه في ارتباطهم بشبكة إجرامية تنشط في تهريب المخدرات.</p>\
            <p>وقد تم الاحتفاظ بالمشتبه فيهم تحت تدبير الحراسة النظرية رهن إشارة البحث القضائي.</p>";
        let bio =
            "<p>صحفي مختص في الشؤون الأمنية، عمل مراسلا لعدة منابر قبل أن ينضم إلى فريق التحرير.</p>";
        for class in [
            "jeg_authorbox",
            "author-bio",
            "about-author",
            "TestReport__AuthorBox",
            "entry-author__description",
            "postauthorinfo",
        ] {
            let text = text_of_fragment(&format!(
                "<div>{story}<div class='{class}'>{bio}</div></div>"
            ));
            assert!(
                text.starts_with("أعلنت") && text.contains("رهن إشارة"),
                "{class}: {text}"
            );
            assert!(!text.contains("صحفي مختص"), "{class}: {text}");
        }
        for class in [
            "author",
            "byline-authors",
            "mtbnews-comment-authorinfocontainer",
        ] {
            let el = scraper::Html::parse_fragment(&format!("<div class='{class}'></div>"));
            let div = el.select(&Selector::parse("div").unwrap()).next().unwrap();
            assert!(!is_author_box(div.value()), "{class} is not an author box");
        }
    }

    #[test]
    fn tag_lists_ratings_and_prompts_are_furniture() {
        let text = text_of_fragment(
            "<div><p>Le directeur général a reçu la délégation onusienne à Rabat, lundi, pour un \
             entretien consacré à la coopération en matière de lutte contre le terrorisme.</p>\
             <div class='post-categories'><a href='/c/1'>Sécurité</a> <a href='/c/2'>Maroc</a></div>\
             <div class='field--type-taxonomy-term'>Terrorisme</div>\
             <div class='article-rating'>Notez cet article</div>\
             <div class='login-prompt'>Connectez-vous pour commenter</div>\
             <p class='image-legend'>Le directeur général, lundi à Rabat.</p></div>",
        );
        assert!(text.starts_with("Le directeur général a reçu"), "{text}");
        for furniture in [
            "Sécurité",
            "Terrorisme",
            "Notez",
            "Connectez",
            "lundi à Rabat",
        ] {
            assert!(!text.contains(furniture), "{furniture}: {text}");
        }
    }

    #[test]
    fn a_wrapper_named_after_the_author_that_holds_the_story_stays() {
        let story = "<p>Le directeur général a reçu la délégation onusienne à Rabat, lundi, pour un \
            entretien consacré à la coopération en matière de lutte contre le terrorisme.</p>";
        let text = text_of_fragment(&format!(
            "<div class='layout-with-author-profile'>{story}{story}</div><div>Fin.</div>"
        ));
        assert!(text.contains("délégation onusienne"), "{text}");
    }

    #[test]
    fn embedded_posts_are_quotes_not_share_bars() {
        let text = text_of_fragment(
            "<div><p>Beaucoup ont réagi sur les réseaux sociaux.</p>\
             <div class='social-media-embed'><blockquote class='twitter-tweet'>\
             <p>Le ministère a dépensé un demi-million pour cette campagne.</p></blockquote></div>\
             <div class='social-share'><a href='#'>Facebook</a></div></div>",
        );
        assert!(text.contains("demi-million"), "{text}");
        assert!(!text.contains("Facebook"), "{text}");
    }

    #[test]
    fn hover_cards_go_and_the_link_that_opens_them_stays() {
        let text = text_of_fragment(
            "<p>Un homme menaçait la députée <span class='rollover-people'>\
             <a href='/p/omar'>Ilhan Omar</a><span class='rollover-people-block'><img src='o.jpg'>\
             <a href='/p/omar'>Ilhan Omar</a><a href='/a/1'>Autre article sur elle</a></span>\
             </span> selon le parquet.</p>",
        );
        assert_eq!(
            text,
            "Un homme menaçait la députée Ilhan Omar selon le parquet."
        );
    }

    #[test]
    fn scripts_and_forms_are_not_text() {
        assert_eq!(
            text_of_fragment(
                "<p>a<script>var x=1</script></p><form>Email <input></form><style>p{}</style>"
            ),
            "a"
        );
    }

    #[test]
    fn entities_and_plain_text_survive() {
        assert_eq!(text_of_fragment("Sport &amp; Culture"), "Sport & Culture");
        assert_eq!(text_of_fragment("a & b"), "a & b");
    }
}
