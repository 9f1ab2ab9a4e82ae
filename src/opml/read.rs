//! Reading an OPML file: a streaming walk over its outlines, strict about the XML (a broken
//! file is named with the line where it breaks) and lenient about what exporters add
//! (namespaced attributes, `head` contents, empty folders).

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use url::Url;

use super::Subscription;

/// Why an OPML file could not be read, with the line of the file where it shows.
#[derive(Debug, thiserror::Error)]
#[error("{}:{line}: {message}", path.display())]
pub struct OpmlError {
    pub path: PathBuf,
    pub line: usize,
    pub message: String,
}

/// The feeds `bytes`, the OPML file at `path`, lists, in the file's order.
pub fn read(path: &Path, bytes: &[u8]) -> Result<Vec<Subscription>, OpmlError> {
    let fail = |text: &str, offset: usize, message: String| OpmlError {
        path: path.to_path_buf(),
        line: line_of(text, offset),
        message,
    };
    let text = decode(bytes).map_err(|(offset, message)| OpmlError {
        path: path.to_path_buf(),
        line: line_of_bytes(bytes, offset),
        message,
    })?;
    let mut reader = Reader::from_str(&text);
    let mut walk = Walk::default();
    let mut lines = Lines::default();
    loop {
        let at = reader.buffer_position() as usize;
        walk.line = lines.at(&text, at);
        let event = reader.read_event().map_err(|err| {
            fail(
                &text,
                reader.error_position() as usize,
                format!("not well-formed XML: {err}"),
            )
        })?;
        let step = match event {
            Event::Start(element) => walk.open(&element, true),
            Event::Empty(element) => walk.open(&element, false),
            Event::End(_) => {
                walk.close();
                Ok(())
            }
            Event::Eof => break,
            _ => Ok(()),
        };
        step.map_err(|message| fail(&text, at, message))?;
    }
    let end = text.len();
    match walk.open.last() {
        _ if !walk.seen_root => Err(fail(
            &text,
            0,
            "not an OPML file: it holds no element".into(),
        )),
        Some(element) => Err(fail(
            &text,
            end,
            format!("the file ends inside <{}>: it is cut short", element.name),
        )),
        None => Ok(walk.feeds),
    }
}

/// Where the walk is: the elements open around it and the feeds found so far.
#[derive(Default)]
struct Walk {
    open: Vec<Open>,
    seen_root: bool,
    feeds: Vec<Subscription>,
    line: usize,
}

/// An element the walk is inside of, with what it inherits: whether it is in `<body>`, and
/// the innermost folder (an outline without `xmlUrl`) around or at it.
struct Open {
    name: String,
    in_body: bool,
    folder: Option<String>,
}

impl Walk {
    fn open(&mut self, element: &BytesStart, has_children: bool) -> Result<(), String> {
        let name = element.local_name().into_inner().to_string();
        if !self.seen_root {
            self.seen_root = true;
            if name != "opml" {
                return Err(format!(
                    "not an OPML file: its root element is <{name}>, not <opml>"
                ));
            }
        }
        let parent = self.open.last();
        let in_body = parent.is_some_and(|p| p.in_body || p.name == "body");
        let mut folder = parent.and_then(|p| p.folder.clone());
        if in_body && name == "outline" {
            let outline = Outline::of(element)?;
            match outline.xml_url {
                Some(url) => self.feeds.push(Subscription {
                    url: feed_url(&url)?,
                    category: folder.clone().or(outline.category),
                    outlet: outline.name,
                    kind: outline.kind,
                    line: self.line,
                }),
                None if outline.looks_like_a_feed => {
                    return Err(format!(
                        "the outline {} has no xmlUrl: which feed it stands for is unknown",
                        outline
                            .name
                            .map_or("without a name".into(), |n| format!("{n:?}"))
                    ));
                }
                None => folder = outline.name.or(folder),
            }
        }
        if has_children {
            self.open.push(Open {
                name,
                in_body,
                folder,
            });
        }
        Ok(())
    }

    fn close(&mut self) {
        self.open.pop();
    }
}

/// What an `<outline>` says, its attributes read case-insensitively (exporters disagree).
struct Outline {
    xml_url: Option<String>,
    kind: Option<String>,
    name: Option<String>,
    category: Option<String>,
    looks_like_a_feed: bool,
}

impl Outline {
    fn of(element: &BytesStart) -> Result<Outline, String> {
        let (mut xml_url, mut title, mut text, mut category, mut kind) =
            (None, None, None, None, None);
        let mut looks_like_a_feed = false;
        for attribute in element.attributes() {
            let attribute = attribute.map_err(|err| format!("a bad attribute: {err}"))?;
            if attribute.key.prefix().is_some() {
                continue;
            }
            let key = attribute.key.local_name().into_inner().to_lowercase();
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| format!("the attribute {key}: {err}"))?;
            let value = Some(value.trim().to_string()).filter(|v| !v.is_empty());
            match key.as_str() {
                "xmlurl" => xml_url = value,
                "title" => title = value,
                "text" => text = value,
                "category" => category = value.as_deref().and_then(first_category),
                "htmlurl" => looks_like_a_feed = true,
                "type" => {
                    looks_like_a_feed |= value
                        .as_deref()
                        .is_some_and(|t| matches!(t.to_lowercase().as_str(), "rss" | "atom"));
                    kind = value;
                }
                _ => {}
            }
        }
        Ok(Outline {
            xml_url,
            kind,
            name: title.or(text),
            category,
            looks_like_a_feed,
        })
    }
}

/// The first of an OPML 2.0 `category` list ("/Maroc/Politique,/Sport"): the folder a
/// reader keeps the feed in.
fn first_category(list: &str) -> Option<String> {
    list.split(',')
        .map(|c| c.trim().trim_matches('/').trim())
        .find(|c| !c.is_empty())
        .map(str::to_string)
}

/// `xmlUrl` as a feed raqib can poll.
fn feed_url(value: &str) -> Result<Url, String> {
    match Url::parse(value) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host_str().is_some() => Ok(url),
        Ok(_) => Err(format!("xmlUrl {value:?} is not an http or https URL")),
        Err(err) => Err(format!("xmlUrl {value:?} is not a valid URL: {err}")),
    }
}

/// The file's text: UTF-8 (a byte order mark dropped), UTF-16 with its mark, or the encoding
/// its XML declaration names. `Err` carries the byte offset of the first undecodable byte.
fn decode(bytes: &[u8]) -> Result<Cow<'_, str>, (usize, String)> {
    if let Some((encoding, mark)) = encoding_rs::Encoding::for_bom(bytes) {
        return strict(encoding, &bytes[mark..])
            .ok_or((mark, format!("not valid {}", encoding.name())));
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Cow::Borrowed(text)),
        Err(err) => {
            let invalid = (
                err.valid_up_to(),
                "not valid UTF-8 and no other encoding declared".to_string(),
            );
            let encoding = declared_encoding(bytes)
                .filter(|e| *e != encoding_rs::UTF_8)
                .ok_or(invalid.clone())?;
            strict(encoding, bytes).ok_or((invalid.0, format!("not valid {}", encoding.name())))
        }
    }
}

fn strict<'a>(encoding: &'static encoding_rs::Encoding, bytes: &'a [u8]) -> Option<Cow<'a, str>> {
    encoding.decode_without_bom_handling_and_without_replacement(bytes)
}

/// The encoding `<?xml … encoding="…"?>` names, if the file starts with a declaration.
fn declared_encoding(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(200)];
    let head = String::from_utf8_lossy(head);
    let declaration = head.strip_prefix("<?xml")?.split("?>").next()?;
    let after = declaration
        .split("encoding")
        .nth(1)?
        .trim_start()
        .strip_prefix('=')?;
    let after = after.trim_start();
    let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
    let label = after[1..].split(quote).next()?;
    encoding_rs::Encoding::for_label(label.as_bytes())
}

/// Line numbers of offsets met in increasing order, counted once through the text.
#[derive(Default)]
struct Lines {
    offset: usize,
    line: usize,
}

impl Lines {
    fn at(&mut self, text: &str, offset: usize) -> usize {
        let offset = offset.clamp(self.offset, text.len());
        self.line += text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        self.offset = offset;
        self.line + 1
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    line_of_bytes(text.as_bytes(), offset)
}

fn line_of_bytes(bytes: &[u8], offset: usize) -> usize {
    let offset = offset.min(bytes.len());
    bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1
}
