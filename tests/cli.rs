//! The command line, through the real binary.

mod common;
#[path = "support/postgres.rs"]
mod support;

use common::skip;
use common::{lines, raqib, raqib_with_input, seed, stderr, stdout, wordpress_page, write_config};

const WATCHES: &str = r#"
[[watch]]
name = "hammouchi"
aliases = ["عبد اللطيف حموشي", "حموشي", "Hammouchi"]

[[watch]]
name = "unoct"
aliases = ["مكتب الأمم المتحدة لمكافحة الإرهاب", "UNOCT"]

[[sink]]
name = "log"
type = "log"
"#;

#[test]
fn check_config_accepts_the_example_config() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.toml");
    let output = raqib(&["--config", example, "check-config"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("ok ("), "{}", stdout(&output));
}

#[test]
fn check_config_lists_every_problem_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        "[daemon]\npoll_interval = \"often\"\n\n[[feed]]\nurl = \"not a url\"\n\n[[watch]]\nname = \"w\"\naliases = [\"x\"]\nseverity = \"high\"\nsinks = [\"missing\"]\n",
    );
    let output = raqib(&["--config", path.to_str().unwrap(), "check-config"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    let shown = path.display().to_string();
    for expected in [
        format!("{shown}:2:17: daemon.poll_interval"),
        format!("{shown}:5:7: feed url"),
        format!("{shown}:11:10: watch \"w\" names sink \"missing\""),
    ] {
        assert!(err.contains(&expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn check_config_reports_syntax_errors_and_unknown_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        "[[feed]]\nurl = \"https://x.ma/feed\"\nintervall = \"5m\"\n",
    );
    let output = raqib(&["--config", path.to_str().unwrap(), "check-config"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains(":3:1: unknown field `intervall`"),
        "{}",
        stderr(&output)
    );

    let path = write_config(dir.path(), "[daemon\n");
    let output = raqib(&["--config", path.to_str().unwrap(), "check-config"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains(":1:"), "{}", stderr(&output));

    let output = raqib(&[
        "--config",
        dir.path().join("absent.toml").to_str().unwrap(),
        "check-config",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("absent.toml"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_config_refuses_a_duration_beyond_its_range_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        "[daemon]\nretention = \"300000years\"\n\n[[feed]]\nurl = \"https://x.ma/feed\"\ninterval = \"300000years\"\n",
    );
    let output = raqib(&["--config", path.to_str().unwrap(), "check-config"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let err = stderr(&output);
    let shown = path.display().to_string();
    for expected in [
        format!(
            "{shown}:2:13: daemon.retention = \"300000years\" is out of range: allowed from 1day to 100years"
        ),
        format!(
            "{shown}:6:12: feed \"https://x.ma/feed\" interval = \"300000years\" is out of range: allowed from 1s to 30days"
        ),
    ] {
        assert!(err.contains(&expected), "missing {expected:?} in:\n{err}");
    }
}

#[test]
fn run_with_a_bad_config_exits_with_ex_config() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        "[[sink]]\nname = \"s\"\ntype = \"carrier-pigeon\"\n",
    );
    let output = raqib(&["--config", path.to_str().unwrap(), "run", "--once"]);
    assert_eq!(output.status.code(), Some(78));
    assert!(stderr(&output).contains("carrier-pigeon"));
    assert!(
        !dir.path().join("raqib.db").exists(),
        "nothing is created for a bad config"
    );
}

#[test]
fn match_reports_watches_with_offsets_and_follows_grep_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), WATCHES);
    let config = config.to_str().unwrap();
    let text = seed("004");
    let file = dir.path().join("article.txt");
    std::fs::write(&file, &text).unwrap();

    let output = raqib(&[
        "--config",
        config,
        "match",
        "--format",
        "json",
        file.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let hits: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 1, "only hammouchi fires on seed 004");
    assert_eq!(hits[0]["watch"], "hammouchi");
    let matches = hits[0]["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 4, "{matches:#?}");
    for m in matches {
        let (start, end) = (
            m["start"].as_u64().unwrap() as usize,
            m["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(
            &text[start..end],
            m["text"].as_str().unwrap(),
            "offsets point at the original text"
        );
        assert!(
            m["snippet"]
                .as_str()
                .unwrap()
                .contains(m["text"].as_str().unwrap())
        );
    }
    assert!(matches.iter().any(|m| m["text"] == "الحموشي"));

    let output = raqib_with_input(
        &["--config", config, "match", "-"],
        "Le temps sera ensoleillé demain.".as_bytes(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).is_empty());

    let output = raqib(&[
        "--config",
        config,
        "match",
        dir.path().join("nope.txt").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("nope.txt"));
}

#[test]
fn match_text_format_is_one_line_per_match() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), WATCHES);
    let output = raqib_with_input(
        &["--config", config.to_str().unwrap(), "match", "-"],
        "التقى الحموشي بمسؤولي UNOCT".as_bytes(),
    );
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    let rows: Vec<&str> = out.lines().collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert!(rows[0].starts_with("hammouchi\t") && rows[0].contains("الحموشي"));
    assert!(rows[1].starts_with("unoct\t") && rows[1].contains("UNOCT"));
}

#[test]
fn extract_prints_the_body_or_json_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let s003 = seed("003");
    let s003 = lines(&s003);
    let page = wordpress_page(
        s003[0],
        &s003[1..],
        Some("2025-05-08T12:00:00+01:00"),
        &["مقال آخر"],
    );
    let file = dir.path().join("page.html");
    std::fs::write(&file, &page).unwrap();

    let output = raqib(&[
        "--config",
        "/nonexistent/config.toml",
        "extract",
        file.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let body = stdout(&output);
    let paragraphs: Vec<&str> = body.trim_end().split("\n\n").collect();
    assert!(paragraphs.len() >= 15, "{paragraphs:#?}");
    assert!(
        paragraphs
            .iter()
            .any(|p| p.contains("قاد المدير العام للأمن الوطني"))
    );
    for junk in [
        "اظهر المزيد",
        "مقالات ذات صلة",
        "اترك تعليقاً",
        "لن يتم نشر",
        "زر الذهاب إلى الأعلى",
        "ملفات تعريف الارتباط",
        "الأكثر قراءة",
    ] {
        assert!(!body.contains(junk), "{junk} leaked");
    }

    let output = raqib_with_input(
        &[
            "extract",
            "--format",
            "json",
            "--url",
            "https://www.example.ma/2025/05/08/vienna",
            "-",
        ],
        page.as_bytes(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    for key in [
        "title",
        "body",
        "published_at",
        "author",
        "lang",
        "site_name",
        "canonical_url",
    ] {
        assert!(json.get(key).is_some(), "{key} missing: {json}");
    }
    assert_eq!(json["title"], s003[0]);
    assert_eq!(json["lang"], "ar");
    assert_eq!(json["published_at"], "2025-05-08T12:00:00+01:00");
    assert_eq!(
        json["canonical_url"],
        "https://www.example.ma/2025/05/08/vienna"
    );
    assert!(json["site_name"].is_null());
}

#[test]
fn extract_reads_windows_1256_pages() {
    let dir = tempfile::tempdir().unwrap();
    let s000 = seed("000");
    let s000 = lines(&s000);
    let page =
        wordpress_page(s000[0], &s000[1..], None, &[]).replace("<meta charset=\"utf-8\">", "");
    let (bytes, _, _) = encoding_rs::WINDOWS_1256.encode(&page);
    let file = dir.path().join("page.html");
    std::fs::write(&file, &bytes).unwrap();
    let output = raqib(&[
        "extract",
        "--url",
        "https://www.example.ma/a",
        file.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("عبد اللطيف حموشي"));
}

#[test]
fn extract_of_a_page_with_no_article_fails_clearly() {
    let output = raqib_with_input(
        &["extract", "-"],
        b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no article text"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn feeds_reports_each_configured_feed_in_text_and_json() {
    use common::{Resource, Server};
    let server = Server::start();
    server.put(
        "/ok",
        Resource::new(
            "application/rss+xml",
            format!(
                "<rss version=\"2.0\"><channel><title>t</title><item><title>a</title><guid>1</guid><pubDate>{}</pubDate></item></channel></rss>",
                chrono::Utc::now().to_rfc2822()
            ),
        ),
    );
    server.put("/down", Resource::status(503, "down"));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\
             [[feed]]\nurl = \"{}\"\noutlet = \"Good\"\nscrape = false\n\
             [[feed]]\nurl = \"{}\"\noutlet = \"Down\"\n\
             [[feed]]\nurl = \"http://127.0.0.1:1/feed\"\noutlet = \"Closed\"\n",
            server.url("/ok"),
            server.url("/down")
        ),
    );
    let config = config.to_str().unwrap();
    let once = raqib(&["--config", config, "run", "--once"]);
    assert!(once.status.success(), "{}", stderr(&once));

    let output = raqib(&["--config", config, "feeds", "--format", "json"]);
    assert!(output.status.success(), "{}", stderr(&output));
    let rows: Vec<serde_json::Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (rows[0]["outlet"].as_str(), rows[0]["status"].as_str()),
        (Some("Good"), Some("ok"))
    );
    assert_eq!(rows[0]["articles_7d"], 1);
    assert_eq!(rows[0]["encoding"], "UTF-8");
    assert_eq!(
        (
            rows[1]["status"].as_str(),
            rows[1]["consecutive_errors"].as_u64()
        ),
        (Some("failing"), Some(1))
    );
    assert!(rows[1]["last_error"].as_str().unwrap().contains("HTTP 503"));
    assert!(rows[1]["next_due_at"].is_string());
    assert_eq!(
        rows[2]["status"], "failing",
        "a closed port fails like any other error"
    );
    assert!(
        rows[2]["last_error"]
            .as_str()
            .unwrap()
            .contains("cannot connect"),
        "{}",
        rows[2]
    );

    let text = raqib(&["--config", config, "feeds"]);
    let out = stdout(&text);
    assert!(out.lines().next().unwrap().starts_with("OUTLET"));
    assert!(
        out.contains("last error:") && out.contains("HTTP 503"),
        "{out}"
    );
}

#[test]
fn hostile_pages_end_with_a_clear_error_or_a_body_never_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let deep = write(
        "deep.html",
        format!(
            "<html><body>{}<p>deep text</p>{}</body></html>",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        )
        .as_bytes(),
    );
    let spans = write(
        "spans.html",
        format!(
            "<p>{}deep{}</p>",
            "<span>".repeat(100_000),
            "</span>".repeat(100_000)
        )
        .as_bytes(),
    );
    let binary: Vec<u8> = (0..1_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    let binary = write("binary.html", &binary);
    let paragraph = "<p>Le directeur général de la DGSN a reçu à Rabat le responsable onusien pour une réunion de travail.</p>";
    let big = write(
        "big.html",
        format!("<html><body>{}</body></html>", paragraph.repeat(100_000)).as_bytes(),
    );
    let invalid = write("invalid.html", b"<html><body><p>Hammouchi \xff\xfe caf\xe9 \xc3\x28 a re\xe7u la d\xe9l\xe9gation onusienne.</p></body></html>");
    let empty = write("empty.html", b"");

    for (path, expected) in [
        (&deep, "more than 1000 deep"),
        (&spans, "more than 1000 deep"),
        (&binary, "not text"),
        (&empty, "no article text"),
    ] {
        let output = raqib(&["extract", path.to_str().unwrap()]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: {}",
            path.display(),
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(expected),
            "{}: {}",
            path.display(),
            stderr(&output)
        );
    }
    // Ten megabytes of one repeated paragraph: the repeats are dropped.
    assert!(std::fs::metadata(&big).unwrap().len() > 10_000_000);
    let output = raqib(&["extract", big.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout(&output).trim(),
        "Le directeur général de la DGSN a reçu à Rabat le responsable onusien pour une réunion de travail."
    );
    // Invalid UTF-8 is decoded as the legacy charset it most likely is.
    let output = raqib(&["extract", invalid.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("Hammouchi"));
}

#[test]
fn rescan_runs_a_new_watch_over_stored_articles_and_alerts_only_when_asked() {
    use common::Server;
    let server = Server::start();
    put_two_item_feed(&server);
    let dir = tempfile::tempdir().unwrap();
    let base = format!(
        "[daemon]\ndatabase = \"{db}\"\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\
         [[feed]]\nurl = \"{feed}\"\noutlet = \"Hespress\"\nscrape = false\n\
         [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"{alerts}\"\n\
         [[watch]]\nname = \"hammouchi\"\naliases = [\"حموشي\"]\n",
        db = dir.path().join("raqib.db").display(),
        feed = server.url("/feed"),
        alerts = dir.path().join("alerts.jsonl").display(),
    );
    let config = write_config(dir.path(), &base);
    let config = config.to_str().unwrap();
    assert!(
        raqib(&["--config", config, "run", "--once"])
            .status
            .success()
    );

    // The user adds a watch the stored articles never met.
    write_config(
        dir.path(),
        &format!("{base}[[watch]]\nname = \"zouev\"\nquery = 'زوييف AND outlet:hespress'\n"),
    );
    let output = raqib(&[
        "--config", config, "rescan", "--watch", "zouev", "--since", "30d",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("2 articles scanned, fired on 1, 2 matches recorded, 0 alerts"),
        "{}",
        stdout(&output)
    );
    let db = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    let count = |sql: &str| -> i64 { db.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(
        count("SELECT count(*) FROM \"match\" WHERE watch = 'zouev'"),
        2
    );
    assert_eq!(count("SELECT count(*) FROM alert WHERE watch = 'zouev'"), 0);

    // Run again with --alert: the matches are replaced, not doubled, and one alert is raised
    // once.
    for expected in [1, 0] {
        let output = raqib(&["--config", config, "rescan", "--watch", "zouev", "--alert"]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(
            stdout(&output).contains(&format!("{expected} alerts raised")),
            "{}",
            stdout(&output)
        );
    }
    assert_eq!(
        count("SELECT count(*) FROM \"match\" WHERE watch = 'zouev'"),
        2
    );
    assert!(
        raqib(&["--config", config, "run", "--once"])
            .status
            .success()
    );
    let delivered = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    let zouev: Vec<serde_json::Value> = delivered
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|a| a["watch"] == "zouev")
        .collect();
    assert_eq!(zouev.len(), 1, "{delivered}");
    assert!(
        zouev[0]["matches"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("**زوييف**")
    );

    let output = raqib(&["--config", config, "rescan", "--watch", "nobody"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no watch named \"nobody\""),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("hammouchi, zouev"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn stats_backup_and_systemd_directories() {
    use common::{Resource, Server};
    let server = Server::start();
    let items: String = (1..=3)
        .map(|i| format!("<item><title>Hammouchi {i}</title><guid>{i}</guid><description>Hammouchi visit number {i} to city {i}.</description></item>"))
        .collect();
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
        ),
    );
    let config_dir = tempfile::tempdir().unwrap();
    let state_dir = tempfile::tempdir().unwrap();
    write_config(
        config_dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\
             [[feed]]\nurl = \"{}\"\noutlet = \"Le360\"\nscrape = false\n\
             [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\nalert = \"article\"\n",
            server.url("/feed")
        ),
    );
    // As systemd runs it: no --config, the directories in the environment.
    let under_systemd = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_raqib"))
            .args(args)
            .env("CONFIGURATION_DIRECTORY", config_dir.path())
            .env("STATE_DIRECTORY", state_dir.path())
            .output()
            .unwrap()
    };
    let run = under_systemd(&["run", "--once"]);
    assert!(run.status.success(), "{}", stderr(&run));
    let db = state_dir.path().join("raqib.db");
    assert!(db.exists(), "the database goes to $STATE_DIRECTORY");
    assert!(state_dir.path().join("alerts.jsonl").exists());
    assert!(!config_dir.path().join("raqib.db").exists());

    let stats = under_systemd(&["stats", "--format", "json"]);
    assert!(stats.status.success(), "{}", stderr(&stats));
    let stats: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(stats["articles"], 3);
    assert_eq!(stats["alerts"], 3);
    assert_eq!(stats["deliveries_delivered"], 3);
    assert_eq!(stats["outlets"][0]["outlet"], "Le360");
    assert_eq!(stats["outlets"][0]["articles"], 3);
    assert!(stats["size_bytes"].as_u64().unwrap() > 0);
    let text = stdout(&under_systemd(&["stats"]));
    assert!(
        text.contains("articles   3") && text.contains("Le360"),
        "{text}"
    );

    let copy = config_dir.path().join("backup.db");
    let backup = under_systemd(&["backup", copy.to_str().unwrap()]);
    assert!(backup.status.success(), "{}", stderr(&backup));
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let articles: i64 = conn
        .query_row("SELECT count(*) FROM article", [], |r| r.get(0))
        .unwrap();
    assert_eq!(articles, 3);
    let again = under_systemd(&["backup", copy.to_str().unwrap()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );
}

/// Reading commands pointed at a database that is not there say so, and create nothing: not
/// the file, not its directory, not a migrated empty database to list from.
#[test]
fn read_only_commands_refuse_a_missing_database_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere").join("raqib.db");
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"{}\"\n[[feed]]\nurl = \"https://x.ma/feed\"\n",
            missing.display()
        ),
    );
    let copy = dir.path().join("copy.db");
    let config = config.to_str().unwrap();
    for command in [
        &["stats"][..],
        &["stats", "--format", "json"],
        &["feeds"],
        &["stories"],
        &["alerts"],
        &["backup", copy.to_str().unwrap()],
    ] {
        let output = raqib(&[&["--config", config][..], command].concat());
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {err}");
        assert!(
            err.contains(&format!("database {} does not exist", missing.display())),
            "{command:?}: {err}"
        );
        assert!(stdout(&output).is_empty(), "{command:?}");
        assert!(
            !dir.path().join("nowhere").exists(),
            "{command:?} created the database's directory"
        );
        assert!(!copy.exists(), "{command:?}");
    }
}

#[test]
fn json_logs_are_one_object_per_line_with_stable_field_names() {
    use common::{Resource, Server};
    let server = Server::start();
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><title>t</title><item><title>Hammouchi</title><guid>1</guid>\
             <description>Hammouchi met the delegation.</description></item></channel></rss>",
        ),
    );
    server.put("/broken", Resource::status(500, "down"));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\n[[feed]]\nurl = \"{}\"\nscrape = false\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\"]\n[[sink]]\nname = \"log\"\ntype = \"log\"\n",
            server.url("/feed"),
            server.url("/broken")
        ),
    );
    let output = raqib(&[
        "--config",
        config.to_str().unwrap(),
        "--log-format",
        "json",
        "run",
        "--once",
    ]);
    let events: Vec<serde_json::Value> = stderr(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let find = |message: &str| {
        events
            .iter()
            .find(|e| e["message"] == message)
            .unwrap_or_else(|| panic!("no {message:?} in {events:?}"))
    };
    assert!(
        find("polled feed")["feed"]
            .as_str()
            .unwrap()
            .ends_with("/feed")
    );
    let failed = find("feed poll failed");
    assert!(failed["feed"].as_str().unwrap().ends_with("/broken"));
    assert!(failed["error"].as_str().unwrap().contains("500"));
    let fired = find("watch fired");
    assert_eq!(fired["watch"], "h");
    assert_eq!(fired["alert_id"].as_str().unwrap().len(), 32);
    assert!(fired["story"].as_i64().is_some() && fired["url"].is_string());
    for event in &events {
        assert!(
            event["timestamp"].is_string() && event["level"].is_string(),
            "{event}"
        );
    }
}

/// The watchlist issue's own example: القاعدة is given only under `context`, so it counts only
/// with a context word nearby, while the watch's other aliases fire alone.
#[test]
fn an_alias_only_under_context_fires_only_near_its_words() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        r#"
[[watch]]
name = "al-qaeda"
aliases = ["تنظيم القاعدة", "Al-Qaïda", "AQMI"]
context = { alias = "القاعدة", near = ["تنظيم", "إرهاب*", "داعش", "الساحل"], within = 12 }
"#,
    );
    let config = config.to_str().unwrap();
    assert_eq!(
        raqib(&["--config", config, "check-config"]).status.code(),
        Some(0)
    );
    let fired = |text: &str| {
        let output = raqib_with_input(&["--config", config, "match", "-"], text.as_bytes());
        (output.status.code(), stdout(&output))
    };
    let (code, out) =
        fired("حذرت التقارير من تمدد الجماعات الإرهابية، ومنها القاعدة، في منطقة الساحل.");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("القاعدة"), "{out}");
    let (code, out) = fired("وحسب القاعدة القانونية المعمول بها، يحق للمتهم الطعن في الحكم.");
    assert_eq!(code, Some(1), "the rule of law is not al-Qaeda: {out}");
    let far = format!("القاعدة {} الساحل", "كلمة ".repeat(20));
    assert_eq!(
        fired(&far).0,
        Some(1),
        "a context word 21 words away is not near"
    );
    let (code, out) = fired("Le groupe AQMI a revendiqué l'attaque.");
    assert_eq!(code, Some(0), "{out}");
    assert!(out.contains("AQMI"), "{out}");
}

/// A config on a PostgreSQL server where nothing listens.
fn postgres_config(dir: &std::path::Path, daemon: &str) -> String {
    let path = write_config(
        dir,
        &format!(
            "[daemon]\ndatabase = \"postgres://raqib@127.0.0.1:9/raqib\"\n{daemon}\n\
             [[feed]]\nurl = \"http://127.0.0.1:9/feed\"\n{WATCHES}"
        ),
    );
    path.to_str().unwrap().to_string()
}

/// The archive commands on a PostgreSQL server out of reach: a clear error naming the server,
/// never its password, and nothing created anywhere.
#[test]
fn the_archive_commands_name_a_postgresql_server_out_of_reach() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.password"), "s3cret\n").unwrap();
    let config = postgres_config(dir.path(), "database_password_file = \"db.password\"");
    let backup = dir.path().join("copy.dump");
    for command in [
        &["feeds"][..],
        &["stories"],
        &["stats"],
        &["alerts"],
        &["backup", backup.to_str().unwrap()],
        &["rescan", "--watch", "hammouchi"],
    ] {
        let output = raqib(&[&["--config", config.as_str()][..], command].concat());
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {err}");
        assert!(
            err.contains(
                "database postgres://raqib@127.0.0.1:9/raqib: cannot connect to PostgreSQL"
            ),
            "{command:?}: {err}"
        );
        assert!(!err.contains("s3cret"), "{command:?}: {err}");
        assert!(stdout(&output).is_empty(), "{command:?}");
    }
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        files.len(),
        2,
        "nothing is created beside the config: {files:?}"
    );
    // What does not touch the archive still works.
    let matched = raqib_with_input(&["--config", &config, "match", "-"], "Hammouchi".as_bytes());
    assert_eq!(matched.status.code(), Some(0), "{}", stderr(&matched));
    let checked = raqib(&["--config", &config, "check-config"]);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
}

/// PostgreSQL out of reach at start: exit 69 (EX_UNAVAILABLE, systemd starts raqib again
/// later) with a message naming the server and never the password.
#[test]
fn run_exits_69_naming_the_server_when_postgresql_is_out_of_reach() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("db.password"), "s3cret\n").unwrap();
    let config = postgres_config(dir.path(), "database_password_file = \"db.password\"");
    for command in [&["run"][..], &["run", "--once"]] {
        let output = raqib(&[&["--config", config.as_str()][..], command].concat());
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(69), "{command:?}: {err}");
        assert!(
            err.contains(
                "database postgres://raqib@127.0.0.1:9/raqib: cannot connect to PostgreSQL"
            ),
            "{command:?}: {err}"
        );
        assert!(!err.contains("s3cret"), "{command:?}: {err}");
    }
    // A password that cannot be read is the config's problem, not the server's.
    let config = postgres_config(dir.path(), "database_password_file = \"missing.password\"");
    let output = raqib(&["--config", &config, "run", "--once"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(78), "{err}");
    assert!(
        err.contains("daemon.database_password_file: cannot read"),
        "{err}"
    );
}

/// `run --once` on PostgreSQL: the schema migrated, the feed's articles stored there once,
/// the password read from `database_password_file`.
#[test]
fn run_once_on_postgresql_stores_the_feed_s_articles_there() {
    use common::Server;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    put_two_item_feed(&server);
    let dir = tempfile::tempdir().unwrap();
    let mut url = url::Url::parse(&db.url).unwrap();
    std::fs::write(dir.path().join("db.password"), url.password().unwrap_or("")).unwrap();
    url.set_password(None).unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"{url}\"\ndatabase_password_file = \"db.password\"\n\
             allow_private_networks = true\npoliteness_delay = \"0s\"\n\
             [[feed]]\nurl = \"{feed}\"\noutlet = \"Hespress\"\nscrape = false\n\
             [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"{alerts}\"\n\
             [[watch]]\nname = \"hammouchi\"\naliases = [\"حموشي\"]\n",
            feed = server.url("/feed"),
            alerts = dir.path().join("alerts.jsonl").display(),
        ),
    );
    let config = config.to_str().unwrap();
    for _ in 0..2 {
        let output = raqib(&["--config", config, "run", "--once"]);
        assert!(output.status.success(), "{}", stderr(&output));
    }
    let (articles, alerts, delivered) = runtime.block_on(async {
        let client = db.client().await;
        let count = async |sql: &str| -> i64 { client.query_one(sql, &[]).await.unwrap().get(0) };
        (
            count("SELECT count(*) FROM article").await,
            count("SELECT count(*) FROM alert WHERE watch = 'hammouchi'").await,
            count("SELECT count(*) FROM delivery WHERE state = 'delivered'").await,
        )
    });
    assert_eq!((articles, alerts, delivered), (2, 1, 1));
    let written = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    assert_eq!(written.lines().count(), 1, "{written}");
    assert!(
        !dir.path().join("raqib.db").exists(),
        "no SQLite file beside the config"
    );
}

#[test]
fn check_config_reads_the_database_password_and_notes_one_inside_the_url() {
    let dir = tempfile::tempdir().unwrap();
    let config = postgres_config(dir.path(), "database_password_file = \"missing.password\"");
    let output = raqib(&["--config", &config, "check-config"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("daemon.database_password_file: cannot read"),
        "{}",
        stderr(&output)
    );
    let path = write_config(
        dir.path(),
        "[daemon]\ndatabase = \"postgresql://raqib:s3cret@127.0.0.1:9/raqib\"\nlease = \"5s\"\n",
    );
    let output = raqib(&["--config", path.to_str().unwrap(), "check-config"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("daemon.lease = \"5s\" is out of range"),
        "{err}"
    );
    std::fs::write(
        &path,
        "[daemon]\ndatabase = \"postgresql://raqib:s3cret@127.0.0.1:9/raqib\"\nlease = \"90s\"\n",
    )
    .unwrap();
    let output = raqib(&["--config", path.to_str().unwrap(), "check-config"]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(
        err.contains("note: daemon.database holds its password"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}

/// `run --once` beside a running instance on one PostgreSQL database takes feed leases as
/// `run` does: a feed the other holds is skipped, and said to be; the others are polled
/// whatever their next due time, as `run --once` always polls.
#[test]
fn run_once_on_postgresql_skips_a_feed_another_instance_holds() {
    use common::{Resource, Server};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    put_two_item_feed(&server);
    server.put(
        "/other",
        Resource::new(
            "application/rss+xml",
            "<rss version=\"2.0\"><channel><title>t</title>\
             <item><title>Other</title><guid>o1</guid><description>Other news.</description></item>\
             </channel></rss>",
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\ndatabase = \"{}\"\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\n[[feed]]\nurl = \"{}\"\nscrape = false\n",
            db.url,
            server.url("/feed"),
            server.url("/other"),
        ),
    );
    let config = config.to_str().unwrap();
    let first = raqib(&["--config", config, "run", "--once"]);
    assert!(first.status.success(), "{}", stderr(&first));
    // Another instance (a daemon beside) is polling /feed now.
    runtime.block_on(async {
        db.client()
            .await
            .execute(
                "UPDATE feed SET leased_by = 'daemon', leased_until = now() + interval '1 hour'
                 WHERE url = $1",
                &[&server.url("/feed")],
            )
            .await
            .unwrap()
    });
    let second = raqib(&["--config", config, "run", "--once"]);
    let log = stderr(&second);
    assert!(second.status.success(), "{log}");
    assert_eq!(server.hits("/feed"), 1, "{log}");
    assert_eq!(server.hits("/other"), 2, "{log}");
    assert!(
        log.contains("feeds_ok=1") && log.contains("feeds_skipped=1"),
        "{log}"
    );
    let holder: String = runtime.block_on(async {
        db.client()
            .await
            .query_one(
                "SELECT leased_by FROM feed WHERE url = $1",
                &[&server.url("/feed")],
            )
            .await
            .unwrap()
            .get(0)
    });
    assert_eq!(holder, "daemon", "the holder's lease is left alone");
}

/// `/feed` on `server`: two items dated now, one naming حموشي, one about the weather.
fn put_two_item_feed(server: &common::Server) {
    use common::Resource;
    let now = chrono::Utc::now().to_rfc2822();
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            format!(
                "<rss version=\"2.0\"><channel><title>t</title>\
                 <item><title>حموشي يستقبل زوييف</title><guid>1</guid><pubDate>{now}</pubDate>\
                 <description>استقبل عبد اللطيف حموشي ألكسندر زوييف بالرباط.</description></item>\
                 <item><title>طقس</title><guid>2</guid><pubDate>{now}</pubDate>\
                 <description>أجواء مشمسة غدا في معظم المناطق.</description></item>\
                 </channel></rss>"
            ),
        ),
    );
}

/// A runtime for a test's own PostgreSQL database.
fn postgres_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `database` in `[daemon]` for `db`, its password in `dir/db.password` (as a deployment keeps
/// it), and the URL shown in messages.
fn postgres_database(db: &support::TestDatabase, dir: &std::path::Path) -> (String, String) {
    let mut url = url::Url::parse(&db.url).unwrap();
    std::fs::write(dir.join("db.password"), url.password().unwrap_or("")).unwrap();
    url.set_password(None).unwrap();
    (
        format!("database = \"{url}\"\ndatabase_password_file = \"db.password\"\n"),
        url.to_string(),
    )
}

/// The password of the test server, which no output may show.
fn postgres_password(db: &support::TestDatabase) -> String {
    url::Url::parse(&db.url)
        .unwrap()
        .password()
        .unwrap_or("no password")
        .to_string()
}

/// A config storing `server`'s two-item feed in `database`, with the jsonl sink and the
/// hammouchi watch; `extra` appended.
fn two_item_config(
    dir: &std::path::Path,
    database: &str,
    server: &common::Server,
    extra: &str,
) -> std::path::PathBuf {
    write_config(
        dir,
        &format!(
            "[daemon]\n{database}\nallow_private_networks = true\npoliteness_delay = \"0s\"\n\
             [[feed]]\nurl = \"{feed}\"\noutlet = \"Hespress\"\nscrape = false\n\
             [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"{alerts}\"\n\
             [[watch]]\nname = \"hammouchi\"\naliases = [\"حموشي\"]\n{extra}",
            feed = server.url("/feed"),
            alerts = dir.join("alerts.jsonl").display(),
        ),
    )
}

/// The JSON lines a command printed, after checking it succeeded.
fn json_lines(config: &str, command: &[&str]) -> Vec<serde_json::Value> {
    let output = raqib(&[&["--config", config][..], command, &["--format", "json"]].concat());
    assert!(output.status.success(), "{command:?}: {}", stderr(&output));
    stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The text a command printed, after checking it succeeded.
fn text_of(config: &str, command: &[&str]) -> String {
    let output = raqib(&[&["--config", config][..], command].concat());
    assert!(output.status.success(), "{command:?}: {}", stderr(&output));
    stdout(&output)
}

/// The field names of a JSON object and of the objects it holds, recursively.
fn shape(value: &serde_json::Value) -> Vec<String> {
    let mut names = Vec::new();
    match value {
        serde_json::Value::Object(fields) => {
            for (name, field) in fields {
                names.push(name.clone());
                names.extend(shape(field).into_iter().map(|n| format!("{name}.{n}")));
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                names.extend(shape(item));
            }
            names.sort();
            names.dedup();
        }
        _ => {}
    }
    names
}

/// `feeds`, `stories`, `alerts` and `stats` on PostgreSQL list what `run --once` stored there,
/// in text and JSON, in the shapes SQLite's listings have.
#[test]
fn the_archive_commands_list_on_postgresql_what_run_once_stored_there() {
    let runtime = postgres_runtime();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = common::Server::start();
    put_two_item_feed(&server);
    let dir = tempfile::tempdir().unwrap();
    let (database, shown) = postgres_database(&db, dir.path());
    let config = two_item_config(dir.path(), &database, &server, "");
    let config = config.to_str().unwrap();
    let once = raqib(&["--config", config, "run", "--once"]);
    assert!(once.status.success(), "{}", stderr(&once));

    let feeds = json_lines(config, &["feeds"]);
    assert_eq!(feeds.len(), 1, "{feeds:?}");
    assert_eq!(
        (
            &feeds[0]["outlet"],
            &feeds[0]["status"],
            &feeds[0]["articles_7d"]
        ),
        (&"Hespress".into(), &"ok".into(), &2.into())
    );
    let text = text_of(config, &["feeds"]);
    assert!(
        text.starts_with("OUTLET") && text.contains("Hespress"),
        "{text}"
    );

    let stories = json_lines(config, &["stories"]);
    let mut titles: Vec<_> = stories
        .iter()
        .map(|s| s["title"].as_str().unwrap())
        .collect();
    titles.sort();
    assert_eq!(titles, ["حموشي يستقبل زوييف", "طقس"], "{stories:?}");
    let hammouchi = stories.iter().find(|s| s["title"] == "حموشي يستقبل زوييف");
    let hammouchi = hammouchi.unwrap();
    assert_eq!(hammouchi["watches"], serde_json::json!(["hammouchi"]));
    assert_eq!(hammouchi["outlets"], serde_json::json!(["Hespress"]));
    assert_eq!(hammouchi["articles"], 1);
    let text = text_of(config, &["stories"]);
    assert!(
        text.contains("حموشي يستقبل زوييف") && text.contains("طقس"),
        "{text}"
    );

    let alerts = json_lines(config, &["alerts", "--watch", "hammouchi"]);
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["outlet"], "Hespress");
    assert_eq!(alerts[0]["story"], hammouchi["id"]);
    assert_eq!(
        alerts[0]["deliveries"],
        serde_json::json!([{"sink": "file", "state": "delivered", "attempts": 1, "last_error": null}])
    );
    let text = text_of(config, &["alerts"]);
    assert!(
        text.contains("hammouchi") && text.contains("حموشي"),
        "{text}"
    );

    let stats = json_lines(config, &["stats"]);
    let stats = &stats[0];
    assert_eq!(
        (&stats["articles"], &stats["stories"], &stats["alerts"]),
        (&2.into(), &2.into(), &1.into())
    );
    assert_eq!(stats["deliveries_delivered"], 1);
    assert_eq!(stats["outlets"][0]["outlet"], "Hespress");
    assert_eq!(stats["database"], shown.as_str());
    assert!(stats["size_bytes"].as_u64().unwrap() > 0);
    let text = text_of(config, &["stats"]);
    assert!(
        text.contains("articles   2") && text.contains(&shown),
        "{text}"
    );
    let password = postgres_password(&db);
    for command in ["feeds", "stories", "alerts", "stats"] {
        assert!(
            !text_of(config, &[command]).contains(&password),
            "{command}"
        );
    }

    // The same feed stored on SQLite: every listing has the same fields.
    let sqlite_dir = tempfile::tempdir().unwrap();
    let sqlite = two_item_config(
        sqlite_dir.path(),
        &format!(
            "database = \"{}\"",
            sqlite_dir.path().join("raqib.db").display()
        ),
        &server,
        "",
    );
    let sqlite = sqlite.to_str().unwrap();
    assert!(
        raqib(&["--config", sqlite, "run", "--once"])
            .status
            .success()
    );
    for command in [&["feeds"][..], &["stories"], &["alerts"], &["stats"]] {
        let on = |config: &str| {
            json_lines(config, command)
                .iter()
                .flat_map(shape)
                .collect::<std::collections::BTreeSet<_>>()
        };
        assert_eq!(on(config), on(sqlite), "{command:?}");
    }
}

/// `rescan` on PostgreSQL: a new watch's matches recorded there, its alert raised once with
/// `--alert` and delivered by the next run.
#[test]
fn rescan_runs_on_postgresql() {
    let runtime = postgres_runtime();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = common::Server::start();
    put_two_item_feed(&server);
    let dir = tempfile::tempdir().unwrap();
    let (database, _) = postgres_database(&db, dir.path());
    let config = two_item_config(dir.path(), &database, &server, "");
    let config = config.to_str().unwrap();
    assert!(
        raqib(&["--config", config, "run", "--once"])
            .status
            .success()
    );
    two_item_config(
        dir.path(),
        &database,
        &server,
        "[[watch]]\nname = \"zouev\"\nquery = 'زوييف AND outlet:hespress'\n",
    );
    let rescan = |args: &[&str]| {
        let output = raqib(
            &[
                &["--config", config, "rescan", "--watch", "zouev"][..],
                args,
            ]
            .concat(),
        );
        assert!(output.status.success(), "{}", stderr(&output));
        stdout(&output)
    };
    let out = rescan(&["--since", "30d"]);
    assert!(
        out.contains("2 articles scanned, fired on 1, 2 matches recorded, 0 alerts raised"),
        "{out}"
    );
    for expected in [1, 0] {
        let out = rescan(&["--alert"]);
        assert!(out.contains(&format!("{expected} alerts raised")), "{out}");
    }
    let (matches, alerts) = runtime.block_on(async {
        let client = db.client().await;
        let count = async |sql: &str| -> i64 { client.query_one(sql, &[]).await.unwrap().get(0) };
        (
            count("SELECT count(*) FROM \"match\" WHERE watch = 'zouev'").await,
            count("SELECT count(*) FROM alert WHERE watch = 'zouev'").await,
        )
    });
    assert_eq!((matches, alerts), (2, 1));
    assert!(
        raqib(&["--config", config, "run", "--once"])
            .status
            .success()
    );
    let delivered = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    let zouev = delivered
        .lines()
        .filter(|l| l.contains("\"watch\":\"zouev\""))
        .count();
    assert_eq!(zouev, 1, "{delivered}");
}

/// A PostgreSQL database raqib never migrated: the commands that read refuse it, as they
/// refuse a missing SQLite file, and create nothing in it.
#[test]
fn the_archive_commands_refuse_a_postgresql_database_never_migrated() {
    let runtime = postgres_runtime();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (database, shown) = postgres_database(&db, dir.path());
    let config = write_config(
        dir.path(),
        &format!("[daemon]\n{database}\n[[feed]]\nurl = \"https://x.ma/feed\"\n"),
    );
    let config = config.to_str().unwrap();
    let copy = dir.path().join("copy.dump");
    for command in [
        &["stats"][..],
        &["stats", "--format", "json"],
        &["feeds"],
        &["stories"],
        &["alerts"],
        &["backup", copy.to_str().unwrap()],
    ] {
        let output = raqib(&[&["--config", config][..], command].concat());
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{command:?}: {err}");
        assert!(
            err.contains(&format!(
                "database {shown}: no raqib schema there: check `database` in [daemon]"
            )),
            "{command:?}: {err}"
        );
        assert!(stdout(&output).is_empty(), "{command:?}");
        assert!(!copy.exists(), "{command:?}");
    }
    let tables: i64 = runtime.block_on(async {
        let client = db.client().await;
        client
            .query_one(
                "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'",
                &[],
            )
            .await
            .unwrap()
            .get(0)
    });
    assert_eq!(tables, 0, "nothing created");
}

/// `backup` on PostgreSQL: pg_dump's custom format, which pg_restore reads, the password
/// passed in its environment; a pg_dump missing or failing is named and leaves no file.
#[test]
fn backup_on_postgresql_runs_pg_dump() {
    let runtime = postgres_runtime();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = common::Server::start();
    put_two_item_feed(&server);
    let dir = tempfile::tempdir().unwrap();
    let (database, shown) = postgres_database(&db, dir.path());
    let config = two_item_config(dir.path(), &database, &server, "");
    let config = config.to_str().unwrap();
    assert!(
        raqib(&["--config", config, "run", "--once"])
            .status
            .success()
    );
    let password = postgres_password(&db);
    let copy = dir.path().join("archive.dump");
    let partial = dir.path().join("archive.dump.partial");
    let backup = |path: Option<&std::path::Path>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_raqib"));
        command.args(["--config", config, "backup", copy.to_str().unwrap()]);
        if let Some(path) = path {
            command.env("PATH", path);
        }
        command.output().unwrap()
    };

    // No pg_dump on PATH.
    let empty = tempfile::tempdir().unwrap();
    let output = backup(Some(empty.path()));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("pg_dump is not on PATH"), "{err}");
    assert!(!copy.exists() && !partial.exists());

    // A pg_dump that fails midway, having written part of the dump: it is named, with what it
    // said, and nothing is left. It also records how it was called.
    let failing = tempfile::tempdir().unwrap();
    let calls = failing.path().join("calls");
    let script = failing.path().join("pg_dump");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > {calls}\nprintf 'PGPASSWORD=%s\\n' \"$PGPASSWORD\" >> {calls}\n\
             next=\nfor a in \"$@\"; do [ -n \"$next\" ] && printf 'PGDMP partial' > \"$a\"; \
             next=; [ \"$a\" = --file ] && next=1; done\n\
             echo 'pg_dump: error: query failed: server closed the connection unexpectedly' >&2\nexit 1\n",
            calls = calls.display()
        ),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let output = backup(Some(failing.path()));
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(
        err.contains("pg_dump failed") && err.contains("server closed the connection"),
        "{err}"
    );
    assert!(!err.contains(&password), "{err}");
    assert!(!copy.exists() && !partial.exists(), "no half-written dump");
    let called = std::fs::read_to_string(&calls).unwrap();
    let (args, env) = called.split_once("PGPASSWORD=").unwrap();
    assert!(args.contains("--format=custom"), "{called}");
    assert!(
        !args.contains(&password),
        "the password on the command line: {args}"
    );
    assert_eq!(
        env.trim(),
        password,
        "the password in pg_dump's environment"
    );

    // The real pg_dump.
    if std::process::Command::new("pg_dump")
        .arg("--version")
        .output()
        .is_err()
    {
        skip::unavailable("backup through pg_dump", "pg_dump is not on PATH");
        return;
    }
    let output = backup(None);
    assert!(output.status.success(), "{}", stderr(&output));
    let line = stdout(&output);
    assert!(
        line.starts_with(&format!("{shown} -> {}", copy.display())) && line.contains(" MB in "),
        "{line}"
    );
    assert!(!line.contains(&password) && !stderr(&output).contains(&password));
    let listed = std::process::Command::new("pg_restore")
        .arg("--list")
        .arg(&copy)
        .output()
        .unwrap();
    assert!(listed.status.success(), "{}", stderr(&listed));
    let contents = stdout(&listed);
    for table in ["article", "alert", "delivery", "raqib_schema"] {
        assert!(
            contents.contains(&format!("TABLE DATA public {table} ")),
            "{table}: {contents}"
        );
    }
    let again = backup(None);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("exists already"),
        "{}",
        stderr(&again)
    );
}
