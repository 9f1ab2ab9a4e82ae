//! An alert as a chat message: read from its JSON, laid out as lines and quotes once, then
//! written in each service's markup (Telegram's HTML subset, Matrix's HTML, plain text, ntfy's
//! Markdown) within the service's length limit, cut cleanly: at a word, with "…", never inside
//! a tag or an entity, every tag opened closed again.
//!
//! Lines mostly in Arabic start with a right-to-left mark (U+200F): every client that lays out
//! a line by its first strong character (Telegram's, ntfy's, Element's `dir="auto"` bodies)
//! then sets them right to left, even when they begin with a Latin name or a number. Latin
//! lines, in Arabic alerts too (a French snippet, the other outlets), are left as they are.

use crate::watch::MARK;

/// The right-to-left mark.
const RLM: char = '\u{200F}';

/// Characters past which a "word" is no word: a cut may fall inside it.
const LONG_WORD: usize = 24;

/// One alert, as messages show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    pub id: String,
    pub watch: String,
    pub severity: String,
    pub title: String,
    /// The article's link, only when it is http(s).
    pub url: Option<String>,
    pub outlet: String,
    /// The matches' snippets, the match between [`MARK`]s.
    pub snippets: Vec<String>,
    pub other_outlets: Vec<String>,
}

/// What a payload holds: one alert, or a digest of a watch's alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    One(Shown),
    Digest { watch: String, alerts: Vec<Shown> },
}

impl Read {
    /// Read the alert `payload` (its JSON) whose id is `alert_id`.
    pub fn new(alert_id: &str, payload: &str) -> Read {
        let alert: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
        if super::digest::is_digest(&alert) {
            let alerts = alert["alerts"].as_array().cloned().unwrap_or_default();
            return Read::Digest {
                watch: text(&alert["watch"]),
                alerts: alerts.iter().map(shown).collect(),
            };
        }
        Read::One(Shown {
            id: alert_id.to_string(),
            ..shown(&alert)
        })
    }

    /// The severity messages are sent with: a digest's is its most severe alert's.
    pub fn severity(&self) -> &str {
        const ORDER: [&str; 5] = ["info", "low", "medium", "high", "critical"];
        let rank = |s: &str| ORDER.iter().position(|o| *o == s).unwrap_or(2);
        match self {
            Read::One(one) => &one.severity,
            Read::Digest { alerts, .. } => alerts
                .iter()
                .map(|a| a.severity.as_str())
                .max_by_key(|s| rank(s))
                .unwrap_or("medium"),
        }
    }

    /// A one-line title: the article's, or the digest's count.
    pub fn title(&self) -> String {
        match self {
            Read::One(one) => one.title.clone(),
            Read::Digest { watch, alerts } => digest_title(watch, alerts.len()),
        }
    }

    /// The message, line by line: with `heading` a first line says severity and watch (for
    /// services without a separate title).
    pub fn blocks(&self, heading: bool) -> Vec<Node> {
        let mut blocks = Vec::new();
        match self {
            Read::One(one) => {
                if heading {
                    blocks.push(Node::Line(vec![
                        Node::Bold(vec![Node::Text(one.severity.clone())]),
                        Node::Text(" · ".into()),
                        Node::Bold(vec![Node::Text(one.watch.clone())]),
                    ]));
                    blocks.push(line(vec![link(one, true)]));
                    blocks.push(line(vec![Node::Text(one.outlet.clone())]));
                } else {
                    blocks.push(line(vec![Node::Text(format!(
                        "{} · {} · {}",
                        one.severity, one.watch, one.outlet
                    ))]));
                }
                for snippet in &one.snippets {
                    blocks.push(quote(marked(snippet)));
                }
                if !one.other_outlets.is_empty() {
                    blocks.push(line(vec![Node::Text(format!(
                        "also reported by: {}",
                        one.other_outlets.join(", ")
                    ))]));
                }
            }
            Read::Digest { watch, alerts } => {
                if heading {
                    blocks.push(Node::Line(vec![Node::Bold(vec![Node::Text(
                        digest_title(watch, alerts.len()),
                    )])]));
                }
                for one in alerts {
                    blocks.push(line(vec![
                        Node::Bold(vec![Node::Text(one.severity.clone())]),
                        Node::Text(" · ".into()),
                        link(one, false),
                        Node::Text(format!(" ({})", one.outlet)),
                    ]));
                    if let Some(snippet) = one.snippets.first() {
                        blocks.push(quote(marked(snippet)));
                    }
                }
            }
        }
        blocks
    }
}

fn digest_title(watch: &str, count: usize) -> String {
    format!(
        "digest · {watch}: {count} alert{}",
        if count == 1 { "" } else { "s" }
    )
}

fn text(v: &serde_json::Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn shown(alert: &serde_json::Value) -> Shown {
    let article = &alert["article"];
    let title = text(&article["title"]);
    let list = |v: &serde_json::Value, f: fn(&serde_json::Value) -> String| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(f).collect())
            .unwrap_or_default()
    };
    Shown {
        id: text(&alert["id"]),
        watch: text(&alert["watch"]),
        severity: text(&alert["severity"]),
        title,
        url: article["url"]
            .as_str()
            .filter(|u| url::Url::parse(u).is_ok_and(|u| matches!(u.scheme(), "http" | "https")))
            .map(str::to_string),
        outlet: text(&article["outlet"]),
        snippets: list(&alert["matches"], |m| text(&m["snippet"])),
        other_outlets: list(&alert["other_outlets"], text),
    }
}

/// The title, as a link to the article when it has one.
fn link(one: &Shown, bold: bool) -> Node {
    let title = if bold {
        Node::Bold(vec![Node::Text(one.title.clone())])
    } else {
        Node::Text(one.title.clone())
    };
    match &one.url {
        Some(href) => Node::Link {
            href: href.clone(),
            text: vec![title],
        },
        None => title,
    }
}

fn line(nodes: Vec<Node>) -> Node {
    Node::Line(directed(nodes))
}

fn quote(nodes: Vec<Node>) -> Node {
    Node::Quote(directed(nodes))
}

/// `nodes`, after a right-to-left mark when they are mostly Arabic.
fn directed(mut nodes: Vec<Node>) -> Vec<Node> {
    let mut text = String::new();
    for node in &nodes {
        node.push_text(&mut text);
    }
    if mostly_arabic(&text) {
        nodes.insert(0, Node::Text(RLM.to_string()));
    }
    nodes
}

/// Whether `text` has more Arabic words than Latin ones. Words, not letters: a Latin name in
/// an Arabic sentence has more letters than the Arabic words around it.
pub fn mostly_arabic(text: &str) -> bool {
    let (mut arabic, mut latin) = (0, 0);
    for word in text.split_whitespace() {
        if word.chars().any(crate::text::is_arabic_letter) {
            arabic += 1;
        } else if word.chars().any(|c| c.is_ascii_alphabetic()) {
            latin += 1;
        }
    }
    arabic > latin
}

impl Node {
    /// The text `self` shows, appended to `out`.
    fn push_text(&self, out: &mut String) {
        match self {
            Node::Text(text) | Node::Code(text) => out.push_str(text),
            Node::Bold(nodes)
            | Node::Link { text: nodes, .. }
            | Node::Line(nodes)
            | Node::Quote(nodes) => nodes.iter().for_each(|n| n.push_text(out)),
        }
    }
}

/// A snippet with its match in bold.
fn marked(snippet: &str) -> Vec<Node> {
    snippet
        .split(MARK)
        .enumerate()
        .filter(|(_, part)| !part.is_empty())
        .map(|(i, part)| {
            let text = Node::Text(part.to_string());
            if i % 2 == 1 {
                Node::Bold(vec![text])
            } else {
                text
            }
        })
        .collect()
}

/// A piece of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Text(String),
    Bold(Vec<Node>),
    Link {
        href: String,
        text: Vec<Node>,
    },
    Code(String),
    /// A line of its own (a paragraph in HTML).
    Line(Vec<Node>),
    /// A quoted line.
    Quote(Vec<Node>),
}

/// The markup a message is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Telegram's HTML parse mode: `b`, `a`, `code`, `blockquote`; lines end with `\n`.
    Telegram,
    /// Matrix's `org.matrix.custom.html`: lines are paragraphs.
    Html,
    /// Plain text, the match between `**` as in every other sink's snippets.
    Plain,
    /// ntfy's Markdown: the text's own punctuation escaped.
    Markdown,
}

/// How a service counts a message's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// Characters of the text shown (markup not counted), in UTF-16 code units, as Telegram
    /// counts them.
    Shown,
    /// Bytes of the text sent, markup included.
    Bytes,
}

/// `blocks` then `footer` in `style`, at most `limit` long by `measure`: the footer always
/// whole, the blocks cut at the first that does not fit.
pub fn write(
    blocks: &[Node],
    footer: &[Node],
    style: Style,
    measure: Measure,
    limit: usize,
) -> String {
    let mut tail = Writer::new(style, measure, usize::MAX);
    tail.first = blocks.is_empty();
    for node in footer {
        tail.node(node);
    }
    let mut head = Writer::new(style, measure, limit.saturating_sub(usize::MAX - tail.left));
    for node in blocks {
        if !head.node(node) {
            break;
        }
    }
    head.out + &tail.out
}

struct Writer {
    style: Style,
    measure: Measure,
    out: String,
    left: usize,
    /// No line written yet (no separator needed before the next).
    first: bool,
}

impl Writer {
    fn new(style: Style, measure: Measure, limit: usize) -> Writer {
        Writer {
            style,
            measure,
            out: String::new(),
            left: limit,
            first: true,
        }
    }

    fn html(&self) -> bool {
        matches!(self.style, Style::Telegram | Style::Html)
    }

    /// The cost of writing `written`, which shows as `shown`.
    fn cost(&self, written: &str, shown: &str) -> usize {
        match self.measure {
            Measure::Shown => shown.encode_utf16().count(),
            Measure::Bytes => written.len(),
        }
    }

    /// The cost of markup: shown as it is, unless it is HTML.
    fn markup_cost(&self, markup: &str) -> usize {
        let shown = if self.html() { "" } else { markup };
        self.cost(markup, shown)
    }

    /// Write `written` (showing `shown`) if it fits.
    fn put(&mut self, written: &str, shown: &str) -> bool {
        let cost = self.cost(written, shown);
        if cost > self.left {
            return false;
        }
        self.left -= cost;
        self.out.push_str(written);
        true
    }

    fn escape(&self, text: &str) -> String {
        match self.style {
            Style::Telegram | Style::Html => escape_html(text),
            Style::Plain => text.to_string(),
            Style::Markdown => escape_markdown(text),
        }
    }

    /// Write `node`; false when it did not fit whole (what fitted is written, cut cleanly,
    /// and nothing more will be).
    fn node(&mut self, node: &Node) -> bool {
        match node {
            Node::Text(text) => self.text(text),
            Node::Code(text) => {
                let (open, close) = match self.style {
                    Style::Telegram | Style::Html => ("<code>", "</code>"),
                    Style::Plain => ("", ""),
                    Style::Markdown => ("`", "`"),
                };
                let written = format!("{open}{}{close}", self.escape(text));
                let shown = if self.html() {
                    text.clone()
                } else {
                    written.clone()
                };
                self.put(&written, &shown) || self.stop()
            }
            Node::Bold(nodes) => {
                let (open, close) = if self.html() {
                    ("<b>", "</b>")
                } else {
                    (MARK, MARK)
                };
                self.wrapped(open, close, nodes)
            }
            Node::Link { href, text } => match self.style {
                Style::Telegram | Style::Html => {
                    let open = format!("<a href=\"{}\">", escape_html(href));
                    self.wrapped(&open, "</a>", text)
                }
                Style::Markdown => {
                    let close = format!("]({})", href.replace('(', "%28").replace(')', "%29"));
                    self.wrapped("[", &close, text)
                }
                Style::Plain => {
                    let close = format!("\n{href}");
                    self.wrapped("", &close, text)
                }
            },
            Node::Line(nodes) => {
                let (open, close) = match self.style {
                    Style::Html => ("<p>", "</p>"),
                    _ => ("", ""),
                };
                self.block(open, close, nodes)
            }
            Node::Quote(nodes) => {
                let (open, close) = match self.style {
                    Style::Telegram | Style::Html => ("<blockquote>", "</blockquote>"),
                    Style::Plain | Style::Markdown => ("> ", ""),
                };
                self.block(open, close, nodes)
            }
        }
    }

    /// A line: after a line break in the text styles (in HTML, paragraphs need none).
    fn block(&mut self, open: &str, close: &str, nodes: &[Node]) -> bool {
        let separator = if self.first || self.style == Style::Html {
            ""
        } else {
            "\n"
        };
        let cost =
            self.cost(separator, separator) + self.markup_cost(open) + self.markup_cost(close);
        if cost > self.left {
            return self.stop();
        }
        let start = self.out.len();
        self.left -= cost;
        self.out.push_str(separator);
        self.out.push_str(open);
        self.first = false;
        let whole = nodes.iter().all(|n| self.node(n));
        if whole || self.out.len() > start + separator.len() + open.len() {
            self.out.push_str(close);
        } else {
            self.out.truncate(start);
        }
        whole
    }

    /// Markup around `nodes`, both ends written or neither.
    fn wrapped(&mut self, open: &str, close: &str, nodes: &[Node]) -> bool {
        let cost = self.markup_cost(open) + self.markup_cost(close);
        if cost > self.left {
            return self.stop();
        }
        let start = self.out.len();
        self.left -= cost;
        self.out.push_str(open);
        let whole = nodes.iter().all(|n| self.node(n));
        if whole || self.out.len() > start + open.len() {
            self.out.push_str(close);
        } else {
            self.out.truncate(start);
        }
        whole
    }

    /// Text, cut at a word with "…" when it does not fit whole.
    fn text(&mut self, text: &str) -> bool {
        let written = self.escape(text);
        if self.put(&written, text) {
            return true;
        }
        let ellipsis = self.cost("…", "…");
        let room = self.left.saturating_sub(ellipsis);
        let mut end = 0;
        let mut used = 0;
        for (i, c) in text.char_indices() {
            let mut one = [0; 4];
            let c = c.encode_utf8(&mut one);
            let cost = self.cost(&self.escape(c), c);
            if used + cost > room {
                break;
            }
            used += cost;
            end = i + c.len();
        }
        let mut kept = &text[..end];
        if end < text.len() {
            kept = match kept.rfind(char::is_whitespace) {
                Some(space) => &kept[..space],
                // Only a word too long to be one (a URL, a run of symbols) is cut inside.
                None if text
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .chars()
                    .count()
                    > LONG_WORD =>
                {
                    kept
                }
                None => "",
            };
        }
        let kept = kept.trim_end();
        if !kept.is_empty() {
            let written = format!("{}…", self.escape(kept));
            self.out.push_str(&written);
        }
        self.stop()
    }

    /// Nothing more fits.
    fn stop(&mut self) -> bool {
        self.left = 0;
        false
    }
}

/// Text for HTML: `&`, `<`, `>` and `"` as entities (the only ones Telegram knows by name).
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
    out
}

/// Text for Markdown: the punctuation that would start emphasis, code, links, quotes,
/// headings or HTML, backslash-escaped.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '|' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(t: &str) -> Node {
        Node::Text(t.into())
    }

    /// The text Telegram shows for `html` (tags dropped, the four entities decoded), checking
    /// that every tag closes in order.
    fn shown(html: &str) -> String {
        let mut out = String::new();
        let mut open = Vec::new();
        let mut rest = html;
        while let Some(c) = rest.chars().next() {
            if c == '<' {
                let end = rest.find('>').expect("tags end");
                let tag = &rest[1..end];
                match tag.strip_prefix('/') {
                    Some(name) => assert_eq!(open.pop(), Some(name.to_string()), "{html}"),
                    None => open.push(tag.split(' ').next().unwrap().to_string()),
                }
                rest = &rest[end + 1..];
            } else if c == '&' {
                let end = rest.find(';').expect("entities end");
                out.push(match &rest[1..end] {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    other => panic!("&{other};"),
                });
                rest = &rest[end + 1..];
            } else {
                assert_ne!(c, '>', "{html}");
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        assert!(open.is_empty(), "{html}");
        out
    }

    #[test]
    fn cuts_fall_between_words_and_close_what_they_opened() {
        let blocks = [
            Node::Line(vec![Node::Bold(vec![text("high")]), text(" · watch")]),
            Node::Quote(vec![
                text("قال <المدير> & "),
                Node::Bold(vec![text("حموشي")]),
                text(" إن التعاون مستمر مع الشركاء"),
            ]),
        ];
        let footer = [Node::Line(vec![Node::Code("id".into())])];
        let whole = write(&blocks, &footer, Style::Telegram, Measure::Shown, 4096);
        assert_eq!(
            whole,
            "<b>high</b> · watch\n<blockquote>قال &lt;المدير&gt; &amp; <b>حموشي</b> إن التعاون مستمر مع الشركاء</blockquote>\n<code>id</code>"
        );
        let full = shown(&whole).encode_utf16().count();
        for limit in 0..full {
            let cut = write(&blocks, &footer, Style::Telegram, Measure::Shown, limit);
            let text = shown(&cut);
            assert!(
                text.encode_utf16().count() <= limit.max(3),
                "{limit}: {cut}"
            );
            if limit >= 3 {
                assert!(cut.ends_with("<code>id</code>"), "{limit}: {cut}");
            }
            let body = text.trim_end_matches("id").trim_end();
            if let Some(before) = body.strip_suffix('…') {
                assert!(
                    whole_words(before, &shown(&whole)),
                    "{limit}: cut inside a word: {cut}"
                );
            }
        }
    }

    /// Whether `prefix` of `text` ends at a word's end.
    fn whole_words(prefix: &str, text: &str) -> bool {
        text.starts_with(prefix)
            && text[prefix.len()..]
                .chars()
                .next()
                .is_none_or(|c| c.is_whitespace() || !c.is_alphanumeric())
    }

    #[test]
    fn a_word_longer_than_the_room_is_cut_at_a_character() {
        let blocks = [Node::Line(vec![text(&"x".repeat(100))])];
        let cut = write(&blocks, &[], Style::Html, Measure::Bytes, 30);
        assert!(cut.len() <= 30, "{cut}");
        assert!(cut.starts_with("<p>xxx") && cut.ends_with("…</p>"), "{cut}");
    }

    #[test]
    fn a_line_is_arabic_by_its_words() {
        assert!(mostly_arabic("حموشي يستقبل Vladimir Voronkov رقم 2"));
        assert!(!mostly_arabic("le DG Hammouchi reçoit الحموشي"));
        assert!(!mostly_arabic("2026 · 12"));
    }

    #[test]
    fn markdown_escapes_the_text_and_keeps_its_own_marks() {
        let blocks = [Node::Quote(vec![
            text("a *b* [c](d) <e> _f_ #g"),
            Node::Bold(vec![text("حموشي")]),
        ])];
        assert_eq!(
            write(&blocks, &[], Style::Markdown, Measure::Bytes, 4096),
            "> a \\*b\\* \\[c\\](d) \\<e\\> \\_f\\_ \\#g**حموشي**"
        );
    }

    #[test]
    fn arabic_lines_are_marked_right_to_left_and_latin_ones_are_not() {
        let read = Read::new(
            "id",
            r#"{"watch":"w","severity":"high","article":{"title":"DGSN: حموشي يستقبل الوفد","outlet":"Le360","url":"javascript:alert(1)"},
                "matches":[{"snippet":"قال **حموشي** إن"},{"snippet":"le DG **Hammouchi** a reçu"}],"other_outlets":["Hespress"]}"#,
        );
        let text = write(&read.blocks(true), &[], Style::Plain, Measure::Bytes, 4096);
        assert_eq!(
            text,
            "**high** · **w**\n\u{200F}**DGSN: حموشي يستقبل الوفد**\nLe360\n> \u{200F}قال **حموشي** إن\n> le DG **Hammouchi** a reçu\nalso reported by: Hespress"
        );
    }
}
