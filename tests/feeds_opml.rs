//! `raqib feeds import` and `raqib feeds export` through the real binary: OPML as Miniflux,
//! FreshRSS, Feedly and Inoreader export it, broken files, and the round trip back to OPML.

mod common;

use std::path::{Path, PathBuf};

use common::{raqib, stderr, stdout, write_config};

/// A feed as the config (or the import's output) has it: url, outlet, category.
type Block = (String, Option<String>, Option<String>);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/opml")
        .join(name)
}

/// The `[[feed]]` blocks of `toml`, which must parse.
fn blocks(toml: &str) -> Vec<Block> {
    let table: toml::Table = toml::from_str(toml).unwrap_or_else(|e| panic!("{e}\n{toml}"));
    let Some(feeds) = table.get("feed") else {
        return Vec::new();
    };
    let text =
        |feed: &toml::Value, key: &str| feed.get(key).map(|v| v.as_str().unwrap().to_string());
    feeds
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                text(f, "url").unwrap(),
                text(f, "outlet"),
                text(f, "category"),
            )
        })
        .collect()
}

fn block(url: &str, outlet: &str, category: Option<&str>) -> Block {
    (
        url.into(),
        Some(outlet.into()),
        category.map(str::to_string),
    )
}

/// `raqib feeds import FILE` against `config`: the blocks printed and what standard error says.
fn import(config: &Path, file: &Path) -> (Vec<Block>, String) {
    let output = raqib(&[
        "--config",
        config.to_str().unwrap(),
        "feeds",
        "import",
        file.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    (blocks(&stdout(&output)), stderr(&output))
}

#[test]
fn exports_of_four_readers_import_with_outlets_and_categories() {
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("absent.toml");
    let cases: [(&str, Vec<Block>); 4] = [
        (
            "miniflux.opml",
            vec![
                block("https://www.hespress.com/feed", "هسبريس", Some("Maroc")),
                block(
                    "https://fr.le360.ma/rss?cat=sport&lang=fr",
                    "Le360 & Sport",
                    Some("Maroc"),
                ),
                block(
                    "https://medias24.com/feed/",
                    "Médias24 \"Éco\"",
                    Some("Maroc"),
                ),
                block(
                    "https://www.lemonde.fr/afrique/rss_full.xml",
                    "Le Monde Afrique",
                    Some("Monde"),
                ),
            ],
        ),
        (
            "freshrss.opml",
            vec![
                block(
                    "https://www.akhbarona.com/feed/index.rss",
                    "Akhbarona",
                    Some("Uncategorized"),
                ),
                block("https://ledesk.ma/feed/", "Le Desk", Some("Sécurité")),
            ],
        ),
        (
            "feedly.opml",
            vec![
                block(
                    "https://fr.hespress.com/feed",
                    "Hespress Français",
                    Some("Maroc"),
                ),
                block("https://telquel.ma/feed", "TelQuel", Some("Maroc")),
                block(
                    "https://www.barlamane.com/feed/",
                    "Barlamane",
                    Some("Sécurité"),
                ),
            ],
        ),
        (
            "inoreader.opml",
            vec![
                block("https://alyaoum24.com/feed", "اليوم 24", Some("أخبار")),
                block("https://www.goud.ma/feed/", "Goud", Some("أخبار")),
                block("https://lematin.ma/rss", "Le Matin", None),
            ],
        ),
    ];
    for (name, expected) in cases {
        let (found, said) = import(&none, &fixture(name));
        assert_eq!(found, expected, "{name}: {said}");
    }
    let (_, feedly) = import(&none, &fixture("feedly.opml"));
    assert!(feedly.contains("1 listed twice in the file"), "{feedly}");
    let (_, freshrss) = import(&none, &fixture("freshrss.opml"));
    assert!(
        freshrss.contains("freshrss.opml:13: skipped https://www.dgsn.gov.ma/ar/communiques")
            && freshrss.contains("\"HTML+XPath\" is not a feed"),
        "{freshrss}"
    );
}

#[test]
fn a_byte_order_mark_and_the_category_attribute_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("absent.toml");
    let resaved = dir.path().join("resaved.opml");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(std::fs::read(fixture("inoreader.opml")).unwrap());
    std::fs::write(&resaved, bytes).unwrap();
    assert_eq!(import(&none, &resaved).0.len(), 3);

    let tagged = dir.path().join("tagged.opml");
    std::fs::write(
        &tagged,
        "<?xml version=\"1.0\"?>\n<opml version=\"2.0\"><head/><body>\n\
         <outline text=\"SNRTnews\" type=\"rss\" xmlUrl=\"https://snrtnews.com/rss\" \
         category=\"/Maroc/Audiovisuel, /Arabe\"/>\n</body></opml>",
    )
    .unwrap();
    assert_eq!(
        import(&none, &tagged).0,
        [block(
            "https://snrtnews.com/rss",
            "SNRTnews",
            Some("Maroc/Audiovisuel")
        )]
    );
}

#[test]
fn imported_feeds_append_to_the_config_and_are_skipped_next_time() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[daemon]\ndatabase = \"raqib.db\"\n\n[[feed]]\nurl = \"http://hespress.com/feed/\"\noutlet = \"Hespress\"",
    );
    let miniflux = fixture("miniflux.opml");
    let output = raqib(&[
        "--config",
        config.to_str().unwrap(),
        "feeds",
        "import",
        miniflux.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let said = stderr(&output);
    assert!(
        said.contains("3 feeds to add") && said.contains("skipped 1 already in"),
        "the configured Hespress (http, no www., a trailing /) is the file's: {said}"
    );
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(&stdout(&output));
    std::fs::write(&config, &text).unwrap();

    let check = raqib(&["--config", config.to_str().unwrap(), "check-config"]);
    assert!(check.status.success(), "{}\n{text}", stderr(&check));
    assert!(stdout(&check).contains("4 feeds"), "{}", stdout(&check));

    let (again, said) = import(&config, &miniflux);
    assert_eq!(again, []);
    assert!(
        said.contains("0 feeds to add") && said.contains("skipped 4 already in"),
        "{said}"
    );
}

#[test]
fn a_broken_file_is_named_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let none = dir.path().join("absent.toml");
    let feedly = std::fs::read_to_string(fixture("feedly.opml")).unwrap();
    let cut = &feedly[..feedly.find("Barlamane").unwrap()];
    let cases = [
        (
            "not-xml.opml",
            "{\"feeds\": []}\n".to_string(),
            1,
            "not an OPML file",
        ),
        ("truncated.opml", cut.to_string(), 14, "not well-formed XML"),
        (
            "cut-between-tags.opml",
            feedly[..feedly.find("        <outline text=\"Sécurité\"").unwrap()].to_string(),
            12,
            "ends inside <body>",
        ),
        (
            "no-xmlurl.opml",
            feedly.replace("xmlUrl=\"https://www.barlamane.com/feed/\" ", ""),
            14,
            "the outline \"Barlamane\" has no xmlUrl",
        ),
        (
            "rss.opml",
            "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel/></rss>\n".to_string(),
            2,
            "its root element is <rss>, not <opml>",
        ),
        (
            "mismatched.opml",
            feedly.replace("</body>", "</bdy>"),
            16,
            "not well-formed XML",
        ),
        (
            "bad-url.opml",
            feedly.replace("https://telquel.ma/feed", "ftp://telquel.ma/feed"),
            10,
            "is not an http or https URL",
        ),
    ];
    for (name, text, line, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = raqib(&[
            "--config",
            none.to_str().unwrap(),
            "feeds",
            "import",
            path.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(2), "{name}");
        assert_eq!(stdout(&output), "", "{name}");
        let err = stderr(&output);
        assert!(
            err.contains(&format!("{}:{line}: ", path.display())) && err.contains(message),
            "{name}: {err}"
        );
    }
    let latin1 = dir.path().join("latin1.opml");
    std::fs::write(
        &latin1,
        b"<opml>\n<body>\n<outline text=\"Caf\xE9\" xmlUrl=\"https://x.ma/feed\"/>\n</body></opml>",
    )
    .unwrap();
    let output = raqib(&["feeds", "import", latin1.to_str().unwrap()]);
    assert!(
        stderr(&output).contains(&format!("{}:3: not valid UTF-8", latin1.display())),
        "{}",
        stderr(&output)
    );
    let declared = dir.path().join("declared.opml");
    std::fs::write(
        &declared,
        b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<opml><body>\n<outline text=\"Caf\xE9\" xmlUrl=\"https://x.ma/feed\"/>\n</body></opml>",
    )
    .unwrap();
    assert_eq!(
        import(&none, &declared).0,
        [block("https://x.ma/feed", "Café", None)]
    );
}

#[test]
fn export_is_opml_2_that_reads_back_with_arabic_french_and_ampersands() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[daemon]\ndatabase = \"raqib.db\"\n\
         [[feed]]\nurl = \"https://www.hespress.com/feed?lang=ar&cat=1\"\noutlet = \"هسبريس\"\ncategory = \"Maroc\"\n\
         [[feed]]\nurl = \"https://lematin.ma/rss\"\noutlet = \"Le Matin <Éco> & \\\"Société\\\"\"\n\
         [[feed]]\nurl = \"https://medias24.com/feed/\"\noutlet = \"Médias24 — l'Économie\"\ncategory = \"Économie & Finance\"\n\
         [[feed]]\nurl = \"https://fr.le360.ma/rss\"\noutlet = \"Le360\"\ncategory = \"Maroc\"\n",
    );
    let output = raqib(&["--config", config.to_str().unwrap(), "feeds", "export"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let opml = stdout(&output);
    assert!(opml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<opml version=\"2.0\">"));
    assert!(
        opml.contains("xmlUrl=\"https://www.hespress.com/feed?lang=ar&amp;cat=1\"")
            && opml.contains("text=\"Le Matin &lt;Éco&gt; &amp; &quot;Société&quot;\"")
            && opml.contains(
                "<outline text=\"Économie &amp; Finance\" title=\"Économie &amp; Finance\">"
            ),
        "{opml}"
    );
    assert_well_formed(&opml);

    let file = dir.path().join("export.opml");
    std::fs::write(&file, &opml).unwrap();
    let (back, _) = import(&dir.path().join("absent.toml"), &file);
    assert_eq!(
        back,
        [
            block(
                "https://www.hespress.com/feed?lang=ar&cat=1",
                "هسبريس",
                Some("Maroc")
            ),
            block("https://fr.le360.ma/rss", "Le360", Some("Maroc")),
            block(
                "https://medias24.com/feed/",
                "Médias24 — l'Économie",
                Some("Économie & Finance")
            ),
            block(
                "https://lematin.ma/rss",
                "Le Matin <Éco> & \"Société\"",
                None
            ),
        ],
        "categories as parent outlines, in the order they first appear; the rest after"
    );
}

/// Every event of `xml` parses with a strict XML reader, and its tags balance.
fn assert_well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0i32;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(err) => panic!(
                "not well-formed at {}: {err}\n{xml}",
                reader.error_position()
            ),
        }
    }
    assert_eq!(depth, 0, "{xml}");
}
