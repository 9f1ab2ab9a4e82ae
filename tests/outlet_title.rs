//! A feed's outlet, when the config names none, is the feed's own title: through the real
//! binary, a feed served on 127.0.0.1, its alerts and `raqib feeds`.

mod common;

use common::{Resource, Server, raqib, stderr, stdout, write_config};
use serde_json::Value;

fn rss(title: &str, item: &str, link: &str) -> Resource {
    Resource::new(
        "application/rss+xml",
        format!(
            "<rss version=\"2.0\"><channel><title>{title}</title><link>http://127.0.0.1/</link>\
             <item><title>{item}</title><link>{link}</link><guid>{link}</guid>\
             <description>{item}</description></item></channel></rss>"
        ),
    )
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Each feed's outlet in `raqib feeds --format json`, in config order.
fn listed_outlets(config: &str) -> Vec<String> {
    let output = raqib(&["--config", config, "feeds", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    json_lines(&stdout(&output))
        .iter()
        .map(|row| row["outlet"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn the_feed_title_names_the_outlet_the_config_leaves_unnamed() {
    let server = Server::start();
    server.put(
        "/titled",
        rss(
            "  Hespress &amp; Co \n  هسبريس ",
            "حموشي يستقبل الوفد",
            "http://127.0.0.1/a1",
        ),
    );
    server.put(
        "/named",
        rss("Le360 - Actualité", "حموشي في طنجة", "http://127.0.0.1/a2"),
    );
    server.put(
        "/blank",
        rss(" \n\t ", "حموشي في الرباط", "http://127.0.0.1/a3"),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"raqib.db\"\nallow_private_networks = true\n\
             politeness_delay = \"0s\"\n\
             [[feed]]\nurl = \"{titled}\"\nscrape = false\n\
             [[feed]]\nurl = \"{named}\"\noutlet = \"Le360\"\nscrape = false\n\
             [[feed]]\nurl = \"{blank}\"\noutlet = \"  \"\nscrape = false\n\
             [[watch]]\nname = \"hammouchi\"\naliases = [\"حموشي\"]\nsinks = [\"file\"]\n\
             [[watch]]\nname = \"by-outlet\"\nquery = 'حموشي AND outlet:hespress*'\nsinks = [\"file\"]\n\
             [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n",
            titled = server.url("/titled"),
            named = server.url("/named"),
            blank = server.url("/blank"),
        ),
    );
    let config = config.to_str().unwrap();
    let once = raqib(&["--config", config, "run", "--once"]);
    assert!(once.status.success(), "{}", stderr(&once));

    let alerts = json_lines(&std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap());
    let outlet_of = |link: &str, watch: &str| -> Vec<String> {
        alerts
            .iter()
            .filter(|a| a["article"]["url"] == link && a["watch"] == watch)
            .map(|a| a["article"]["outlet"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        outlet_of("http://127.0.0.1/a1", "hammouchi"),
        ["Hespress & Co هسبريس"]
    );
    assert_eq!(
        outlet_of("http://127.0.0.1/a1", "by-outlet"),
        ["Hespress & Co هسبريس"],
        "outlet: in a watch reads the title: {alerts:?}"
    );
    assert_eq!(outlet_of("http://127.0.0.1/a2", "hammouchi"), ["Le360"]);
    assert_eq!(outlet_of("http://127.0.0.1/a3", "hammouchi"), ["127.0.0.1"]);
    assert_eq!(alerts.len(), 4, "{alerts:?}");

    let expected = ["Hespress & Co هسبريس", "Le360", "127.0.0.1"];
    assert_eq!(listed_outlets(config), expected);
    let listed = raqib(&["--config", config, "alerts", "--format", "json"]);
    assert!(
        json_lines(&stdout(&listed))
            .iter()
            .any(|a| a["outlet"] == "Hespress & Co هسبريس"),
        "{}",
        stdout(&listed)
    );

    let export = raqib(&["--config", config, "feeds", "export"]);
    assert!(export.status.success(), "{}", stderr(&export));
    let opml = stdout(&export);
    for name in ["Hespress &amp; Co هسبريس", "Le360", "127.0.0.1"] {
        assert!(
            opml.contains(&format!(" text=\"{name}\" ")),
            "{name}: {opml}"
        );
    }

    // A poll that parses nothing (the same bytes) keeps the title as the outlet.
    let again = raqib(&["--config", config, "run", "--once"]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert_eq!(listed_outlets(config), expected);

    // The outlet renames itself: the next poll takes the new title.
    server.put(
        "/titled",
        rss("Hespress FR", "Rien de neuf", "http://127.0.0.1/a4"),
    );
    let renamed = raqib(&["--config", config, "run", "--once"]);
    assert!(renamed.status.success(), "{}", stderr(&renamed));
    assert_eq!(listed_outlets(config)[0], "Hespress FR");
}
