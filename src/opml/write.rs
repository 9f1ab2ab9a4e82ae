//! Writing feeds out: the configured feeds as an OPML 2.0 file, and an OPML file's feeds as
//! `[[feed]]` blocks of raqib's config.

use std::fmt::Write;

use super::Subscription;
use crate::config::Feed;
use crate::text::xml::escape;

/// The feeds as an OPML 2.0 subscription list: one `type="rss"` outline each, under a parent
/// outline per category (in the order the categories first appear), uncategorised feeds last.
pub fn opml(feeds: &[Feed]) -> String {
    let mut categories: Vec<&str> = Vec::new();
    for category in feeds.iter().filter_map(|f| f.category.as_deref()) {
        if !categories.contains(&category) {
            categories.push(category);
        }
    }
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">\n  <head>\n    \
         <title>raqib feeds</title>\n  </head>\n  <body>\n",
    );
    for category in categories {
        let name = escape(category);
        let _ = writeln!(out, "    <outline text=\"{name}\" title=\"{name}\">");
        for feed in feeds
            .iter()
            .filter(|f| f.category.as_deref() == Some(category))
        {
            outline(&mut out, feed, "      ");
        }
        out.push_str("    </outline>\n");
    }
    for feed in feeds.iter().filter(|f| f.category.is_none()) {
        outline(&mut out, feed, "    ");
    }
    out.push_str("  </body>\n</opml>\n");
    out
}

fn outline(out: &mut String, feed: &Feed, indent: &str) {
    let name = escape(&feed.outlet);
    let _ = writeln!(
        out,
        "{indent}<outline type=\"rss\" text=\"{name}\" title=\"{name}\" xmlUrl=\"{}\"/>",
        escape(feed.url.as_str())
    );
}

/// `[[feed]]` blocks for the config, one per subscription, each after a blank line so the
/// text appends to a config file as it is.
pub fn feed_blocks(feeds: &[Subscription]) -> String {
    let mut out = String::new();
    for feed in feeds {
        let _ = writeln!(out, "\n[[feed]]\nurl = {}", toml_string(feed.url.as_str()));
        if let Some(outlet) = &feed.outlet {
            let _ = writeln!(out, "outlet = {}", toml_string(outlet));
        }
        if let Some(category) = &feed.category {
            let _ = writeln!(out, "category = {}", toml_string(category));
        }
    }
    out
}

fn toml_string(value: &str) -> String {
    toml::Value::String(value.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_strings_quote_and_escape() {
        let text = format!("x = {}", toml_string("Le \"360\" \\ \n"));
        let value: toml::Table = toml::from_str(&text).unwrap();
        assert_eq!(value["x"].as_str(), Some("Le \"360\" \\ \n"));
    }
}
