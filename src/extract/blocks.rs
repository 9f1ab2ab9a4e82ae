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
    let fragment = Html::parse_fragment(html);
    let root = fragment.root_element();
    let mut walker = Walker {
        total_chars: text_chars(root),
        ..Walker::default()
    };
    walker.walk(root, false, 0);
    walker.finish()
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
                    if is_skipped(name) {
                        continue;
                    }
                    let Some(child) = ElementRef::wrap(child) else {
                        continue;
                    };
                    // A wrapper named like furniture (`content-wrapper social`) may hold the
                    // article itself: only a small share of the text is furniture.
                    if is_boilerplate_container(el) && text_chars(child) * 3 < self.total_chars {
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
    "credit",
    "byline",
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
];

/// Whether an element's class or id names page furniture (`figure-caption`, `share-bar`, …).
fn is_boilerplate_container(el: &scraper::node::Element) -> bool {
    if matches!(el.name(), "figure" | "figcaption") {
        return true;
    }
    let names = el.attr("class").into_iter().chain(el.attr("id"));
    names
        .flat_map(|n| n.split(|c: char| c.is_whitespace() || c == '-' || c == '_'))
        .any(|word| FURNITURE.contains(&word.to_ascii_lowercase().as_str()))
}

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
    )
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
    fn blocks_split_paragraphs_and_inline_elements_do_not() {
        let blocks = paragraphs(
            "<div>One <b>bold</b>, <i>two</i><p>Three <a href='#'>link</a></p>tail<br>after</div>",
        );
        let texts: Vec<&str> = blocks.iter().map(|b| b.text.as_str()).collect();
        assert_eq!(texts, vec!["One bold, two", "Three link", "tail", "after"]);
        assert_eq!(blocks[1].link_chars, 4);
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
