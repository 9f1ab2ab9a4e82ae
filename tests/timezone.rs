//! Dates without an offset, read on the clocks of the configured zone, through the real binary
//! and a real SQLite file; offsets the outlet wrote are kept.

mod common;

use chrono::{SecondsFormat, TimeZone};
use chrono_tz::Tz;
use common::{Resource, Server, lines, raqib, seed, stderr, wordpress_page, write_config};

/// `y-m-d h:min` on the clocks of `zone`, as the store writes it: the offset is whatever the
/// IANA database says for that moment, not one written here.
fn on_clocks_of(zone: Tz, (y, m, d, h, min): (i32, u32, u32, u32, u32)) -> String {
    zone.with_ymd_and_hms(y, m, d, h, min, 0)
        .single()
        .unwrap()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn item(guid: &str, link: &str, date: Option<&str>) -> String {
    let date = date
        .map(|d| format!("<pubDate>{d}</pubDate>"))
        .unwrap_or_default();
    format!(
        "<item><title>{guid}</title><link>{link}</link><guid isPermaLink=\"false\">{guid}</guid>{date}</item>"
    )
}

#[test]
fn zoneless_feed_and_page_dates_are_stored_with_the_offset_of_the_configured_zone() {
    let server = Server::start();
    let text = seed("000");
    let paragraphs = lines(&text);
    let page = |published: Option<&str>| {
        Resource::new(
            "text/html; charset=utf-8",
            wordpress_page("عنوان", &paragraphs, published, &[]),
        )
    };
    server.put("/a.html", page(None));
    server.put("/b.html", page(Some("2025-12-03T10:30:00")));
    server.put("/c.html", page(None));
    server.put("/u.html", page(None));
    let rss = |items: &[String]| {
        Resource::new(
            "application/rss+xml",
            format!(
                "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>T</title>{}</channel></rss>",
                items.concat()
            ),
        )
    };
    server.put(
        "/feed",
        rss(&[
            item("a", &server.url("/a.html"), Some("2025-12-02 09:15:00")),
            item("b", &server.url("/b.html"), None),
            item(
                "c",
                &server.url("/c.html"),
                Some("Tue, 02 Dec 2025 09:15:00 -0500"),
            ),
        ]),
    );
    server.put(
        "/utc/feed",
        rss(&[item(
            "u",
            &server.url("/u.html"),
            Some("2025-12-02 09:15:00"),
        )]),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"raqib.db\"\nallow_private_networks = true\npoliteness_delay = \"0s\"\ntimezone = \"Africa/Casablanca\"\n\n\
             [[feed]]\nurl = \"{}\"\n\n[[feed]]\nurl = \"{}\"\ntimezone = \"UTC\"\n",
            server.url("/feed"),
            server.url("/utc/feed"),
        ),
    );
    let run = raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
    assert!(run.status.success(), "{}", stderr(&run));

    let db = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    let published = |path: &str| -> String {
        db.query_row(
            "SELECT published_at FROM article WHERE url = ?1",
            [server.url(path)],
            |r| r.get(0),
        )
        .unwrap()
    };
    let casablanca = Tz::Africa__Casablanca;
    assert_eq!(
        published("/a.html"),
        on_clocks_of(casablanca, (2025, 12, 2, 9, 15)),
        "a feed date without an offset"
    );
    assert_eq!(
        published("/b.html"),
        on_clocks_of(casablanca, (2025, 12, 3, 10, 30)),
        "a page date without an offset"
    );
    assert_eq!(
        published("/c.html"),
        "2025-12-02T09:15:00-05:00",
        "the offset the feed wrote"
    );
    assert_eq!(
        published("/u.html"),
        "2025-12-02T09:15:00Z",
        "a feed's own zone beats the daemon's"
    );
}
