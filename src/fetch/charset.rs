//! Bytes to text: BOM, then the HTTP charset, then the document's own declaration, then a
//! detector told the top-level domain (windows-1256 and ISO-8859-6 Arabic pages still exist).

use encoding_rs::{Encoding, UTF_8};

/// Decode `bytes`, served with `content_type`, from a host ending in `tld`. Returns the text and
/// the name of the encoding used.
pub fn decode(
    bytes: &[u8],
    content_type: Option<&str>,
    tld: Option<&str>,
) -> (String, &'static str) {
    let encoding = Encoding::for_bom(bytes)
        .map(|(e, _)| e)
        .or_else(|| utf16_without_bom(bytes))
        .or_else(|| {
            content_type
                .and_then(charset_param)
                .and_then(|l| Encoding::for_label(l.as_bytes()))
        })
        .or_else(|| declared(bytes))
        .unwrap_or_else(|| detect(bytes, tld));
    // A UTF-16 label on bytes that are not UTF-16 (no BOM, no NUL pattern) is a lie.
    let encoding = if (encoding == encoding_rs::UTF_16LE || encoding == encoding_rs::UTF_16BE)
        && Encoding::for_bom(bytes).is_none()
        && utf16_without_bom(bytes).is_none()
    {
        UTF_8
    } else {
        encoding
    };
    let (text, used, _) = encoding.decode(bytes);
    (text.into_owned(), used.name())
}

/// UTF-16 without a BOM, recognised by the NUL bytes around a leading `<` (XML 1.0, appendix F).
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    match bytes {
        [0, b'<', 0, _, ..] => Some(encoding_rs::UTF_16BE),
        [b'<', 0, _, 0, ..] => Some(encoding_rs::UTF_16LE),
        _ => None,
    }
}

fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(['"', '\'']))
    })
}

/// How far into the document a `<meta>` declaration is looked for. The HTML prescan reads 1024
/// bytes, but a browser's parser still changes encoding on a later `<meta charset>` in the head,
/// and pages whose head opens with inline scripts (analytics, an archive's toolbar) carry it
/// there.
const META_WINDOW: usize = 64 * 1024;

/// The XML declaration's `encoding`, else the first `<meta>` tag with a charset (`<meta charset>`
/// or `<meta http-equiv content="…charset=…">`) before `<body>` within [`META_WINDOW`]. A
/// `charset` attribute on another tag (a `<script>`'s) names that resource's encoding, not the
/// page's.
fn declared(bytes: &[u8]) -> Option<&'static Encoding> {
    // Most pages declare within the prescan's 1024 bytes: only the others pay for the copy of
    // the larger window.
    let prescan = &bytes[..bytes.len().min(PRESCAN)];
    declared_within(prescan).or_else(|| {
        (bytes.len() > PRESCAN).then(|| declared_within(&bytes[..bytes.len().min(META_WINDOW)]))?
    })
}

/// The HTML prescan's window.
const PRESCAN: usize = 1024;

fn declared_within(window: &[u8]) -> Option<&'static Encoding> {
    let window = String::from_utf8_lossy(window).to_ascii_lowercase();
    let start = window.trim_start();
    if start.starts_with("<?xml") {
        let declaration = start.find("?>").map_or(start, |end| &start[..end]);
        if let Some(encoding) = labelled_after(declaration, "encoding=") {
            return Some(encoding);
        }
        // A feed's items may quote whole pages, `<meta charset>` and all: only an XHTML page's
        // own head declares its encoding so.
        if !is_xhtml(start) {
            return None;
        }
    }
    let head = window
        .find("<body")
        .map_or(window.as_str(), |end| &window[..end]);
    let mut rest = head;
    while let Some(at) = rest.find("<meta") {
        rest = &rest[at + "<meta".len()..];
        let tag = rest.find('>').map_or(rest, |end| &rest[..end]);
        if let Some(encoding) = labelled_after(tag, "charset=") {
            return Some(encoding);
        }
    }
    None
}

/// Whether an XML document's root is `<html>` rather than a feed's.
fn is_xhtml(document: &str) -> bool {
    let first = |tag: &str| document.find(tag).unwrap_or(usize::MAX);
    let html = first("<html");
    html != usize::MAX
        && ["<rss", "<feed", "<rdf:rdf", "<channel"]
            .iter()
            .all(|t| html < first(t))
}

/// The first encoding label that follows `marker` in `text` (already lower-cased).
fn labelled_after(text: &str, marker: &str) -> Option<&'static Encoding> {
    let mut rest = text;
    while let Some(at) = rest.find(marker) {
        rest = &rest[at + marker.len()..];
        let value: String = rest
            .trim_start_matches(['"', '\'', ' '])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
            .collect();
        if let Some(encoding) = Encoding::for_label(value.as_bytes()) {
            return Some(encoding);
        }
    }
    None
}

fn detect(bytes: &[u8], tld: Option<&str>) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(bytes, true);
    detector.guess(tld.map(str::as_bytes), true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ARABIC: &str = "استقبل المدير العام للأمن الوطني ومراقبة التراب الوطني، عبد اللطيف حموشي، يوم الاثنين، ألكسندر زوييف، الأمين العام المساعد لمكتب الأمم المتحدة لمكافحة الإرهاب.";

    #[test]
    fn http_charset_wins_over_the_document() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(ARABIC);
        let (text, used) = decode(&bytes, Some("text/html; charset=\"windows-1256\""), None);
        assert_eq!(text, ARABIC);
        assert_eq!(used, "windows-1256");
    }

    #[test]
    fn undeclared_windows_1256_is_detected() {
        let text = ARABIC.repeat(3);
        let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&text);
        let (text, used) = decode(&bytes, Some("text/xml"), Some("ma"));
        assert_eq!(used, "windows-1256");
        assert!(text.starts_with("استقبل"));
    }

    #[test]
    fn declarations_and_boms_are_read() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1252
            .encode("<?xml version='1.0' encoding='ISO-8859-1'?><t>été</t>");
        assert_eq!(
            decode(&bytes, None, None).0,
            "<?xml version='1.0' encoding='ISO-8859-1'?><t>été</t>"
        );
        let mut bom = vec![0xEF, 0xBB, 0xBF];
        bom.extend_from_slice("حموشي".as_bytes());
        assert_eq!(
            decode(&bom, Some("text/html; charset=iso-8859-1"), None),
            ("حموشي".to_string(), "UTF-8")
        );
    }

    #[test]
    fn a_late_meta_in_the_head_is_read_but_not_a_script_charset_nor_a_meta_in_the_body() {
        let script = format!(
            "<script src=\"/toolbar.js\" charset=\"utf-8\"></script><script>{}</script>",
            "var analytics = 1;\n".repeat(80)
        );
        let page = |meta_in_head: bool| {
            let meta = "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\">";
            let (head_meta, body_meta) = if meta_in_head { (meta, "") } else { ("", meta) };
            let html = format!(
                "<html><head>{script}{head_meta}</head><body>{body_meta}<p>一个约定，信守十五年。</p></body></html>"
            );
            encoding_rs::GBK.encode(&html).0.into_owned()
        };
        assert_eq!(declared(&page(true)), Some(encoding_rs::GBK));
        let (text, used) = decode(&page(true), None, None);
        assert_eq!(used, "GBK");
        assert!(text.contains("一个约定，信守十五年。"));
        assert_ne!(
            declared(&page(false)),
            Some(encoding_rs::GBK),
            "a meta inside the body does not declare the page's encoding"
        );
    }

    #[test]
    fn a_page_quoted_in_a_feed_does_not_declare_the_feed_encoding() {
        let feed = "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><item><description><![CDATA[\
            <html><head><meta charset=\"windows-1256\"></head><body>x</body></html>]]>\
            </description></item></channel></rss>";
        assert_eq!(declared(feed.as_bytes()), None);
        let xhtml = "<?xml version=\"1.0\"?><html xmlns=\"http://www.w3.org/1999/xhtml\"><head>\
            <meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1256\"/></head></html>";
        assert_eq!(declared(xhtml.as_bytes()), Some(encoding_rs::WINDOWS_1256));
    }

    #[test]
    fn utf16_without_a_bom_is_recognised() {
        let xml = "<?xml version='1.0' encoding='utf-16'?><rss/>";
        let be: Vec<u8> = xml.encode_utf16().flat_map(u16::to_be_bytes).collect();
        let le: Vec<u8> = xml.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode(&be, None, None), (xml.to_string(), "UTF-16BE"));
        assert_eq!(decode(&le, None, None), (xml.to_string(), "UTF-16LE"));
        assert_eq!(
            decode(xml.as_bytes(), None, None).1,
            "UTF-8",
            "a false utf-16 label is ignored"
        );
    }
}
