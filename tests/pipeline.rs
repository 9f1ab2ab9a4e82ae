//! End to end: three outlets on a local HTTP server, the real binary, a real SQLite file.

mod common;

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use common::{Resource, Server, lines, raqib, seed, stderr, wordpress_page, write_config};

fn rfc2822(age: Duration) -> String {
    (Utc::now() - age).to_rfc2822()
}

fn rfc3339(age: Duration) -> String {
    (Utc::now() - age).to_rfc3339()
}

fn rss_item(title: &str, link: &str, guid: Option<&str>, age: Duration, summary: &str) -> String {
    let guid = guid
        .map(|g| format!("<guid isPermaLink=\"false\">{g}</guid>"))
        .unwrap_or_default();
    format!(
        "<item><title>{title}</title><link>{link}</link>{guid}<pubDate>{}</pubDate><description><![CDATA[<p>{summary}</p>]]></description></item>\n",
        rfc2822(age)
    )
}

/// The outlets: a WordPress-style Arabic site (RSS 2.0, ETag), an Atom site, and a mixed
/// French/English/Arabic site (RSS 2.0 with a bare `&` in it).
fn publish(server: &Server) {
    let hour = Duration::hours(1);

    // Outlet A.
    let s000 = seed("000");
    let s000 = lines(&s000);
    server.put(
        "/a/2025/12/hammouchi-zouev.html",
        Resource::new(
            "text/html; charset=utf-8",
            wordpress_page(
                s000[0],
                &s000[1..],
                Some(&rfc3339(hour)),
                &["الأمن يوقف مروجا للمخدرات بطنجة"],
            ),
        ),
    );
    let s003 = seed("003");
    let s003 = lines(&s003);
    server.put(
        "/a/2025/05/vienna.html",
        Resource::new(
            "text/html; charset=utf-8",
            wordpress_page(s003[0], &s003[1..], None, &[]),
        ),
    );
    let football = [
        "فاز فريق الرجاء الرياضي على ضيفه الوداد بهدفين مقابل هدف واحد في المباراة التي جمعتهما مساء أمس بالملعب الكبير بالدار البيضاء، برسم الجولة العاشرة من البطولة الوطنية الاحترافية.",
        "وسجل هدفي الرجاء اللاعب المهاجم في الدقيقتين الثلاثين والسبعين، فيما قلص الوداد الفارق في الوقت بدل الضائع من ضربة جزاء أثارت احتجاجات لاعبي الفريق الأخضر.",
        "وبهذا الفوز يرتقي الرجاء إلى المركز الثاني في سبورة الترتيب، في انتظار ما ستسفر عنه باقي مباريات الجولة التي تتواصل نهاية الأسبوع الجاري.",
    ];
    // Its related list and sidebar name the police chief: boilerplate that must not alert.
    server.put(
        "/a/2025/12/raja-wydad.html",
        Resource::new(
            "text/html; charset=utf-8",
            wordpress_page(
                "الرجاء يفوز على الوداد",
                &football,
                None,
                &["عبد اللطيف حموشي يستقبل وفدا أمنيا", "زوييف في الرباط"],
            ),
        ),
    );
    let feed_a = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Outlet A</title><link>{base}/a</link>\n{}{}{}</channel></rss>",
        rss_item(
            "لقاء بين عبد اللطيف حموشي وألكسندر زوييف",
            &server.url("/a/2025/12/hammouchi-zouev.html"),
            Some("a-1"),
            hour,
            "استقبل المدير العام"
        ),
        rss_item(
            "المغرب يعزز دوره العالمي في مكافحة الإرهاب",
            &server.url("/a/2025/05/vienna.html"),
            Some("a-2"),
            hour,
            "فيينا"
        ),
        rss_item(
            "الرجاء يفوز على الوداد",
            &server.url("/a/2025/12/raja-wydad.html"),
            Some("a-3"),
            hour,
            "رياضة"
        ),
        base = server.base
    );
    server.put(
        "/a/feed",
        Resource::new("application/rss+xml", feed_a).with_etag("\"a-v1\""),
    );

    // Outlet B: Atom, no validators.
    let s001 = seed("001");
    let s001 = lines(&s001);
    server.put(
        "/b/zouev-rabat",
        Resource::new(
            "text/html; charset=utf-8",
            wordpress_page(s001[0], &s001[1..], None, &[]),
        ),
    );
    let s004 = seed("004");
    server.put(
        "/b/haines",
        Resource::new(
            "text/html; charset=utf-8",
            wordpress_page("حموشي وهاينز: التعاون الأمني", &lines(&s004), None, &[]),
        ),
    );
    let old = [
        "استقبل عبد اللطيف حموشي، المدير العام للأمن الوطني ومراقبة التراب الوطني، بمقر المديرية العامة بالرباط، وفدا أمنيا رفيع المستوى لبحث سبل تعزيز التعاون الثنائي في مجال مكافحة الجريمة العابرة للحدود وتبادل المعلومات.",
    ];
    server.put(
        "/b/old",
        Resource::new(
            "text/html; charset=utf-8",
            wordpress_page(
                "حموشي يستقبل وفدا أمنيا",
                &old,
                Some(&rfc3339(Duration::days(30))),
                &[],
            ),
        ),
    );
    let entry = |id: &str, title: &str, path: &str, age: Duration| {
        format!(
            "<entry><id>{id}</id><title>{title}</title><link rel=\"alternate\" href=\"{}\"/><updated>{}</updated><summary>{title}</summary></entry>\n",
            server.url(path),
            rfc3339(age)
        )
    };
    let feed_b = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Outlet B</title><id>urn:b</id><updated>{}</updated>\n{}{}{}</feed>",
        rfc3339(hour),
        entry("urn:b:1", "زيارة زوييف إلى الرباط", "/b/zouev-rabat", hour),
        entry("urn:b:2", "حموشي وهاينز", "/b/haines", hour),
        entry(
            "urn:b:3",
            "حموشي يستقبل وفدا أمنيا",
            "/b/old",
            Duration::days(30)
        ),
    );
    server.put("/b/atom", Resource::new("application/atom+xml", feed_b));

    // Outlet C: one bare `&` in the channel title, no GUIDs (ids come from links), one page
    // that is gone (its summary is all there is).
    let s002 = seed("002");
    server.put(
        "/c/unoct",
        Resource::new(
            "text/html; charset=utf-8",
            wordpress_page("تعاون أمني مع الأمم المتحدة", &lines(&s002), None, &[]),
        ),
    );
    let english = [
        "Morocco's intelligence chief Abdellatif Hammouchi received Alexander Zouev, the new UN Assistant Secretary-General at the United Nations Office of Counter-Terrorism (UNOCT), in Rabat on Monday.",
        "The two officials discussed the terrorist threat in the Sahel, the Horn of Africa, Syria and Afghanistan, and how to secure major sporting events that the kingdom will host.",
    ];
    server.put(
        "/c/en-unoct",
        Resource::new(
            "text/html; charset=utf-8",
            article_page_en("Hammouchi meets UN counter-terrorism chief", &english),
        ),
    );
    let french = [
        "La famille Hammouchiya a inauguré samedi une nouvelle boulangerie artisanale dans le quartier du Maârif, à Casablanca, en présence de nombreux voisins et commerçants.",
        "Les pains traditionnels et les msemen préparés sur place ont attiré une longue file d'attente dès les premières heures de la matinée, selon les organisateurs de l'événement.",
    ];
    server.put(
        "/c/fr-boulangerie",
        Resource::new(
            "text/html; charset=utf-8",
            article_page_en("Une boulangerie ouvre au Maârif", &french),
        ),
    );
    let feed_c = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Politique & Société</title>\n{}{}{}{}</channel></rss>",
        rss_item(
            "تعاون أمني مغربي أممي",
            &server.url("/c/unoct"),
            None,
            hour,
            "بلاغ"
        ),
        rss_item(
            "Hammouchi meets UN counter-terrorism chief",
            &server.url("/c/en-unoct"),
            None,
            hour,
            "Rabat"
        ),
        rss_item(
            "Une boulangerie ouvre au Maârif",
            &server.url("/c/fr-boulangerie"),
            None,
            hour,
            "Casablanca"
        ),
        rss_item(
            "زوييف يشيد بالتجربة المغربية",
            &server.url("/c/gone"),
            None,
            hour,
            "أشاد ألكسندر زوييف بالتجربة المغربية في مكافحة الإرهاب خلال زيارته إلى الرباط."
        ),
    );
    server.put("/c/feed", Resource::new("application/rss+xml", feed_c));
}

fn article_page_en(title: &str, paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>")).collect();
    format!(
        "<html lang=\"en\"><head><title>{title}</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a></nav>\
         <div class=\"cookie-banner\">We use cookies to improve your experience. <a href=\"/p\">Privacy policy</a></div>\
         <article><h1>{title}</h1><div class=\"article-body\">{body}</div>\
         <div class=\"share\">Share this article</div></article>\
         <section class=\"related\"><h2>Related articles</h2><a href=\"/x\">Hammouchi visits Vienna</a></section>\
         <div class=\"comments\"><h3>Leave a Reply</h3><p>Your email address will not be published. Required fields are marked *</p></div></body></html>"
    )
}

/// Per-article alerts, so that the test knows each one; `stories_…` drops the line.
const WATCHES: &str = r#"
[[watch]]
name = "hammouchi"
alert = "article"
aliases = ["عبد اللطيف حموشي", "حموشي", "Abdellatif Hammouchi", "Hammouchi"]
severity = "high"

[[watch]]
name = "zouev"
alert = "article"
aliases = ["ألكسندر زوييف", "زوييف", "Alexander Zouev"]

[[watch]]
name = "unoct"
alert = "article"
aliases = ["مكتب الأمم المتحدة لمكافحة الإرهاب", "UNOCT", "Bureau des Nations unies de lutte contre le terrorisme"]

[[watch]]
name = "haines"
alert = "article"
aliases = ["أفريل هاينز", "Avril Haines"]
sinks = ["journal"]

[[watch]]
name = "daech"
alert = "article"
aliases = ["داعش", "Daech", "ISIS"]

[[watch]]
name = "bourita"
alert = "article"
aliases = ["ناصر بوريطة", "Bourita"]

[[sink]]
name = "alerts-file"
type = "jsonl"
path = "alerts.jsonl"

[[sink]]
name = "journal"
type = "log"
"#;

fn alert_pairs(jsonl: &str, base: &str) -> BTreeSet<(String, String)> {
    jsonl
        .lines()
        .map(|line| {
            let alert: serde_json::Value = serde_json::from_str(line).expect("each line is JSON");
            let url = alert["article"]["url"]
                .as_str()
                .unwrap()
                .trim_start_matches(base)
                .to_string();
            (alert["watch"].as_str().unwrap().to_string(), url)
        })
        .collect()
}

fn config_for(server: &Server, watches: &str) -> String {
    format!(
        "[daemon]\ndatabase = \"state/raqib.db\"\nallow_private_networks = true\npoliteness_delay = \"0s\"\nalert_max_age = \"7d\"\n\n\
         [[feed]]\nurl = \"{}\"\noutlet = \"Outlet A\"\nlang = \"ar\"\n\n\
         [[feed]]\nurl = \"{}\"\n\n\
         [[feed]]\nurl = \"{}\"\noutlet = \"Outlet C\"\n{watches}",
        server.url("/a/feed"),
        server.url("/b/atom"),
        server.url("/c/feed"),
    )
}

#[test]
fn run_once_alerts_exactly_the_expected_articles_and_never_twice() {
    let server = Server::start();
    publish(&server);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &config_for(&server, WATCHES));
    let config_arg = config.to_str().unwrap();

    let first = raqib(&["--config", config_arg, "run", "--once"]);
    let log = stderr(&first);
    assert!(first.status.success(), "run --once failed:\n{log}");

    let expected: BTreeSet<(String, String)> = [
        ("hammouchi", "/a/2025/12/hammouchi-zouev.html"),
        ("hammouchi", "/a/2025/05/vienna.html"),
        ("hammouchi", "/b/zouev-rabat"),
        ("hammouchi", "/b/haines"),
        ("hammouchi", "/c/en-unoct"),
        ("zouev", "/a/2025/12/hammouchi-zouev.html"),
        ("zouev", "/b/zouev-rabat"),
        ("zouev", "/c/en-unoct"),
        ("zouev", "/c/gone"),
        ("unoct", "/a/2025/12/hammouchi-zouev.html"),
        ("unoct", "/b/zouev-rabat"),
        ("unoct", "/c/unoct"),
        ("unoct", "/c/en-unoct"),
        ("daech", "/a/2025/05/vienna.html"),
    ]
    .into_iter()
    .map(|(w, u)| (w.to_string(), u.to_string()))
    .collect();
    let alerts_path = dir.path().join("alerts.jsonl");
    let jsonl = std::fs::read_to_string(&alerts_path).expect("alerts.jsonl written");
    assert_eq!(alert_pairs(&jsonl, &server.base), expected, "log:\n{log}");
    assert_eq!(jsonl.lines().count(), expected.len(), "one line per alert");

    // The haines watch goes to the log sink only, as a structured event.
    assert!(!jsonl.contains("\"haines\""));
    let haines_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("watch fired") && l.contains("watch=\"haines\""))
        .collect();
    assert_eq!(haines_lines.len(), 1, "log:\n{log}");
    assert!(haines_lines[0].contains("/b/haines"));

    // Alerts carry the documented shape, with the original spelling in the match.
    let unoct_seed002 = jsonl.lines().find(|l| l.contains("/c/unoct")).unwrap();
    let alert: serde_json::Value = serde_json::from_str(unoct_seed002).unwrap();
    assert_eq!(alert["severity"], "medium");
    assert_eq!(alert["article"]["outlet"], "Outlet C");
    assert_eq!(alert["article"]["lang"], "ar");
    assert!(alert["id"].as_str().unwrap().len() == 32);
    assert!(alert["story"].as_i64().is_some());
    assert!(
        alert["matches"][0]["text"]
            .as_str()
            .unwrap()
            .starts_with("ومكتب"),
        "{alert}"
    );
    assert_eq!(alert["matches"][0]["field"], "body");
    let hammouchi_b2 = jsonl.lines().find(|l| l.contains("/b/haines")).unwrap();
    assert!(
        hammouchi_b2.contains("\"text\":\"الحموشي\""),
        "{hammouchi_b2}"
    );

    // Everything is stored, including what raised no alert; the old article is matched but
    // not alerted; the missing page fell back to the feed's summary.
    let db = rusqlite::Connection::open(dir.path().join("state/raqib.db")).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM article"), 10);
    assert_eq!(count("SELECT count(*) FROM alert"), 15);
    // 14 alerts go to both sinks, the haines alert to the log only.
    assert_eq!(
        count("SELECT count(*) FROM delivery WHERE state = 'delivered'"),
        14 * 2 + 1
    );
    assert_eq!(
        count("SELECT count(*) FROM delivery WHERE state <> 'delivered'"),
        0
    );
    let old_matches = "SELECT group_concat(field) FROM \"match\" m JOIN article a ON a.id = m.article_id WHERE a.url LIKE '%/b/old'";
    let fields: String = db.query_row(old_matches, [], |r| r.get(0)).unwrap();
    assert_eq!(fields, "title,body");
    assert_eq!(
        count(
            "SELECT count(*) FROM alert a JOIN article r ON r.id = a.article_id WHERE r.url LIKE '%/b/old'"
        ),
        0
    );
    assert_eq!(
        count("SELECT count(*) FROM article WHERE body_source = 'feed' AND url LIKE '%/c/gone'"),
        1
    );
    assert_eq!(
        count(
            "SELECT count(*) FROM article WHERE body LIKE '%اترك تعليق%' OR body LIKE '%ملفات تعريف الارتباط%' OR body LIKE '%Leave a Reply%'"
        ),
        0
    );
    // Seed 002 repeats its paragraphs; the body keeps each once.
    let body_002: String = db
        .query_row(
            "SELECT body FROM article WHERE url LIKE '%/c/unoct'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(body_002.matches("وتبادل الطرفان وجهات النظر").count(), 1);

    // A second run stores and alerts nothing new, answers 304 where the outlet allows it,
    // and fetches no article page again.
    let pages_before = server.hits("/a/2025/12/hammouchi-zouev.html")
        + server.hits("/b/haines")
        + server.hits("/c/unoct");
    let second = raqib(&["--config", config_arg, "run", "--once"]);
    assert!(second.status.success(), "{}", stderr(&second));
    assert_eq!(
        std::fs::read_to_string(&alerts_path).unwrap(),
        jsonl,
        "no new alert lines"
    );
    assert_eq!(count("SELECT count(*) FROM article"), 10);
    assert_eq!(
        server.hits("/a/2025/12/hammouchi-zouev.html")
            + server.hits("/b/haines")
            + server.hits("/c/unoct"),
        pages_before
    );
    assert!(
        stderr(&second).contains("not_modified=true"),
        "{}",
        stderr(&second)
    );
}

#[test]
fn stories_raise_one_alert_per_watch_and_the_rest_are_recorded_against_it() {
    let server = Server::start();
    publish(&server);
    let dir = tempfile::tempdir().unwrap();
    let watches = WATCHES.replace("alert = \"article\"\n", "");
    let config = write_config(dir.path(), &config_for(&server, &watches));
    let run = raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
    assert!(run.status.success(), "{}", stderr(&run));

    let db = rusqlite::Connection::open(dir.path().join("state/raqib.db")).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count(
            "SELECT count(*) FROM (SELECT 1 FROM alert GROUP BY watch, story_id HAVING count(*) > 1)"
        ),
        0,
        "at most one alert per watch and story"
    );
    // Every article that matched is either the one that raised its story's alert or recorded
    // against it: per watch, the same articles as with per-article alerts (see the test above).
    for (watch, articles) in [
        ("hammouchi", 5),
        ("zouev", 4),
        ("unoct", 4),
        ("daech", 1),
        ("haines", 1),
    ] {
        let alerted = count(&format!(
            "SELECT (SELECT count(*) FROM alert WHERE watch = '{watch}')
                  + (SELECT count(*) FROM alert_report r JOIN alert a ON a.id = r.alert_id WHERE a.watch = '{watch}')"
        ));
        assert_eq!(alerted, articles, "{watch}");
    }
    // Seeds 000 and 001, rewrites of one meeting by outlets A and B, are one story.
    assert!(count("SELECT count(*) FROM alert_report") >= 2);
    let jsonl = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    assert_eq!(
        jsonl.lines().count() as i64,
        count("SELECT count(*) FROM alert WHERE watch <> 'haines'")
    );

    // `raqib stories` and `raqib alerts` show the same.
    let config_arg = config.to_str().unwrap();
    let listed = raqib(&["--config", config_arg, "stories", "--format", "json"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let stories: Vec<serde_json::Value> = lines(&String::from_utf8_lossy(&listed.stdout))
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Every story with articles (a story merged into another keeps its row only for an alert
    // raised on it before the merge).
    assert_eq!(
        stories.len() as i64,
        count("SELECT count(DISTINCT story_id) FROM article")
    );
    let articles: i64 = stories
        .iter()
        .map(|s| s["articles"].as_i64().unwrap())
        .sum();
    assert_eq!(articles, 10);
    // The meeting, seeds 000 and 001 (Zouev's watch fires on them), is one story told by two
    // outlets. Other stories may be too: which articles a concurrent poll stores first varies,
    // and so may their grouping; the English report of the meeting is a story of its own.
    let told_by_two = |s: &&serde_json::Value| s["outlets"].as_array().unwrap().len() >= 2;
    assert!(
        stories
            .iter()
            .filter(told_by_two)
            .any(|s| s["watches"].as_array().unwrap().contains(&"zouev".into())),
        "{stories:#?}"
    );

    let listed = raqib(&[
        "--config", config_arg, "alerts", "--format", "json", "--watch", "zouev",
    ]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    let alerts: Vec<serde_json::Value> = lines(&String::from_utf8_lossy(&listed.stdout))
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        alerts.len() as i64,
        count("SELECT count(*) FROM alert WHERE watch = 'zouev'")
    );
    assert!(alerts.iter().all(|a| a["watch"] == "zouev"));
    assert!(
        alerts
            .iter()
            .any(|a| !a["also_reported_by"].as_array().unwrap().is_empty())
    );
    assert!(
        alerts
            .iter()
            .flat_map(|a| a["deliveries"].as_array().unwrap())
            .all(|d| d["state"] == "delivered"),
        "{alerts:?}"
    );
    let text = raqib(&["--config", config_arg, "alerts"]);
    assert!(String::from_utf8_lossy(&text.stdout).contains("also reported by:"));
}

#[test]
fn private_addresses_are_refused_by_default_and_the_run_reports_it() {
    let server = Server::start();
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><title>x</title></channel></rss>",
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!("[[feed]]\nurl = \"{}\"\n", server.url("/feed")),
    );
    let output = raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
    assert_eq!(output.status.code(), Some(1), "nothing could be polled");
    assert!(
        stderr(&output).contains("allow_private_networks"),
        "{}",
        stderr(&output)
    );
    assert_eq!(server.hits("/feed"), 0, "no request reached the server");
}

#[test]
fn one_broken_feed_does_not_stop_the_others() {
    let server = Server::start();
    server.put("/good", Resource::new("application/rss+xml", format!(
        "<rss version=\"2.0\"><channel><title>g</title><item><title>Hammouchi in Rabat</title><link>{}</link><description>Abdellatif Hammouchi met officials.</description></item></channel></rss>",
        server.url("/gone")
    )));
    server.put(
        "/garbage",
        Resource::new(
            "application/rss+xml",
            "<html><body>this is not a feed</body></html>",
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\n[[feed]]\nurl = \"{}\"\n[[feed]]\nurl = \"{}\"\n[[feed]]\nurl = \"{}\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\n[[sink]]\nname = \"f\"\ntype = \"jsonl\"\npath = \"a.jsonl\"\n",
            server.url("/garbage"),
            server.url("/missing"),
            server.url("/good")
        ),
    );
    let output = raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
    let log = stderr(&output);
    assert!(output.status.success(), "{log}");
    assert!(
        log.contains(&server.url("/garbage")) && log.contains("feed poll failed"),
        "{log}"
    );
    assert!(log.contains("HTTP 404"), "{log}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.jsonl"))
            .unwrap()
            .lines()
            .count(),
        1
    );
    let db = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    let errors: i64 = db
        .query_row("SELECT sum(consecutive_errors) FROM feed", [], |r| r.get(0))
        .unwrap();
    assert_eq!(errors, 2);
}

/// Seeds 000, 001 and 002, three outlets' rewrites of one meeting, reach a fresh database one
/// per poll, in every order: one story, and one alert of a watch alerting once per story.
#[test]
fn the_seed_rewrites_polled_one_at_a_time_raise_one_alert_in_every_order() {
    // The example watches, each alerting once per story.
    let watches = WATCHES.replace("alert = \"article\"\n", "");
    for order in common::ORDERS_OF_THREE {
        let server = Server::start();
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(
            dir.path(),
            &format!(
                "[daemon]\ndatabase = \"state/raqib.db\"\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\n\
                 [[feed]]\nurl = \"{}\"\noutlet = \"Outlet A\"\nlang = \"ar\"\n{watches}",
                server.url("/a/feed")
            ),
        );
        let mut items = String::new();
        for &i in &order {
            let text = seed(["000", "001", "002"][i]);
            let text = lines(&text);
            let path = format!("/a/seed-{i}.html");
            server.put(
                &path,
                Resource::new(
                    "text/html; charset=utf-8",
                    wordpress_page(text[0], &text[1..], None, &[]),
                ),
            );
            items.push_str(&rss_item(
                text[0],
                &server.url(&path),
                None,
                Duration::minutes(10),
                text[1],
            ));
            server.put(
                "/a/feed",
                Resource::new(
                    "application/rss+xml",
                    format!(
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Outlet A</title>\n{items}</channel></rss>"
                    ),
                ),
            );
            let run = raqib(&["--config", config.to_str().unwrap(), "run", "--once"]);
            assert!(run.status.success(), "{}", stderr(&run));
        }
        let db = rusqlite::Connection::open(dir.path().join("state/raqib.db")).unwrap();
        let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
        assert_eq!(count("SELECT count(*) FROM article"), 3, "order {order:?}");
        // Seed 002 names neither man: it raises no alert and, sharing no watch with the
        // others, joins their story only when its words alone are close enough.
        let stories: Vec<(String, i64)> = db
            .prepare("SELECT url, story_id FROM article ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let story_of = |seed: &str| {
            stories
                .iter()
                .find(|(url, _)| url.ends_with(&format!("seed-{seed}.html")))
                .unwrap()
                .1
        };
        assert_eq!(story_of("0"), story_of("1"), "order {order:?}: {stories:?}");
        assert_eq!(
            count("SELECT count(*) FROM alert WHERE watch = 'hammouchi'"),
            1,
            "order {order:?}: {stories:?}"
        );
        let jsonl = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
        assert_eq!(
            jsonl
                .lines()
                .filter(
                    |l| serde_json::from_str::<serde_json::Value>(l).unwrap()["watch"]
                        == "hammouchi"
                )
                .count(),
            1,
            "order {order:?}"
        );
    }
}
