//! `raqib search` through the real binary, on a SQLite file and on a PostgreSQL database
//! holding the same articles: exit codes, the JSON lines, the text lines, `--since`, `--limit`,
//! and `--as-watch` read back by `check-config` and `match`.

mod common;
#[path = "support/postgres.rs"]
mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{FixedOffset, Utc};
use common::{articles, raqib, skip, stderr, stdout, write_config};
use raqib::store::{Postgres, Sqlite, Storage};

const STORY_WINDOW: Duration = Duration::from_secs(48 * 3600);

/// Title, body, outlet and days since publication (`None`: unknown, fetched now).
const ARTICLES: &[(&str, &str, &str, Option<i64>)] = &[
    (
        "حموشي يستقبل زوييف",
        "استقبل عبد اللطيف حموشي بمكتبه ألكسندر زوييف لبحث مكافحة الإرهاب.",
        "Hespress",
        Some(2),
    ),
    (
        "اجتماع أمني بالرباط",
        "ناقش الاجتماع تهديدات للقاعدة في الساحل، وحضره ممثل عن حموشي.",
        "Le360",
        None,
    ),
    (
        "حموشي في طنجة",
        "زار المدير العام حموشي مدينة طنجة قبل سنة.",
        "Alyaoum24",
        Some(90),
    ),
    (
        "La DGSN à Tanger",
        "La DGSN renforce la sécurité à Tanger.",
        "Le360",
        Some(1),
    ),
];

async fn fill(store: &impl Storage) {
    let now = Utc::now();
    let zone = FixedOffset::east_opt(3600).unwrap();
    for (i, (title, body, outlet, days)) in ARTICLES.iter().enumerate() {
        let feed = store
            .sync_feed(
                format!("http://127.0.0.1:9/{outlet}"),
                outlet.to_string(),
                now,
            )
            .await
            .unwrap()
            .id;
        let mut article = articles::summary(
            feed,
            &format!("guid:{i}"),
            &format!("http://127.0.0.1:9/{i}"),
            title,
            body,
        );
        article.outlet = outlet.to_string();
        article.lang = raqib::extract::detect_language(body).map(str::to_string);
        article.published_at = days.map(|d| (now - chrono::Duration::days(d)).with_timezone(&zone));
        store
            .insert_article(article, now, STORY_WINDOW, |_, _| Vec::new())
            .await
            .unwrap()
            .expect("stored");
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// A config naming a SQLite file holding [`ARTICLES`].
fn sqlite_config(dir: &Path) -> PathBuf {
    let db = dir.join("raqib.db");
    runtime().block_on(fill(&Sqlite::open(&db).unwrap()));
    write_config(dir, &format!("[daemon]\ndatabase = \"{}\"\n", db.display()))
}

/// A config file in a directory of its own under `dir`.
fn config_in(dir: &Path, name: &str, text: &str) -> PathBuf {
    let dir = dir.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    write_config(&dir, text)
}

fn search(config: &Path, args: &[&str]) -> std::process::Output {
    let mut all = vec!["--config", config.to_str().unwrap(), "search"];
    all.extend_from_slice(args);
    raqib(&all)
}

fn json_lines(output: &std::process::Output) -> Vec<serde_json::Value> {
    stdout(output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn titles(lines: &[serde_json::Value]) -> Vec<&str> {
    lines
        .iter()
        .map(|l| l["article"]["title"].as_str().unwrap())
        .collect()
}

/// What every backend's binary answers, the same way.
fn answers(config: &Path) -> Vec<Vec<serde_json::Value>> {
    let mut seen = Vec::new();
    for query in [
        "حموشي",
        "مكتب*",
        "القاعدة",
        "dgsn OR حموشي",
        "حموشي NEAR/3 زوييف",
    ] {
        let out = search(config, &["--format", "json", query]);
        assert_eq!(out.status.code(), Some(0), "{query}: {}", stderr(&out));
        seen.push(json_lines(&out));
    }
    seen
}

#[test]
fn search_on_sqlite_answers_as_documented() {
    let dir = tempfile::tempdir().unwrap();
    let config = sqlite_config(dir.path());

    let out = search(&config, &["--format", "json", "حموشي"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let lines = json_lines(&out);
    // Newest first; the article of unknown date counts from its fetch, now.
    assert_eq!(
        titles(&lines),
        ["اجتماع أمني بالرباط", "حموشي يستقبل زوييف", "حموشي في طنجة"]
    );
    let first = &lines[1];
    let keys: Vec<&str> = first
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["article", "matches", "story"]);
    let article: Vec<&str> = first["article"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        article,
        ["id", "lang", "outlet", "published_at", "title", "url"]
    );
    assert_eq!(first["article"]["outlet"], "Hespress");
    assert_eq!(first["article"]["lang"], "ar");
    assert!(
        first["article"]["published_at"]
            .as_str()
            .unwrap()
            .ends_with("+01:00")
    );
    assert!(first["story"].as_i64().unwrap() > 0);
    assert!(lines[0]["article"]["published_at"].is_null());

    // The matches are those `raqib match --format json` gives for the watch it stands for.
    let block = stdout(&search(&config, &["--as-watch", "probe", "حموشي"]));
    let watch_config = config_in(
        dir.path(),
        "watch",
        &format!("[daemon]\ndatabase = \"x.db\"\n{block}"),
    );
    let checked = raqib(&["--config", watch_config.to_str().unwrap(), "check-config"]);
    assert_eq!(
        checked.status.code(),
        Some(0),
        "{block}: {}",
        stderr(&checked)
    );
    let body = dir.path().join("body.txt");
    std::fs::write(&body, ARTICLES[0].1).unwrap();
    let matched = raqib(&[
        "--config",
        watch_config.to_str().unwrap(),
        "match",
        "--format",
        "json",
        "--title",
        ARTICLES[0].0,
        "--outlet",
        ARTICLES[0].2,
        body.to_str().unwrap(),
    ]);
    assert_eq!(matched.status.code(), Some(0), "{}", stderr(&matched));
    let matched: serde_json::Value = serde_json::from_str(stdout(&matched).trim()).unwrap();
    assert_eq!(matched["watch"], "probe");
    assert_eq!(first["matches"], matched["matches"]);

    // --since on publication (fetch when unknown), --limit.
    let out = search(&config, &["--format", "json", "--since", "30d", "حموشي"]);
    assert_eq!(
        titles(&json_lines(&out)),
        ["اجتماع أمني بالرباط", "حموشي يستقبل زوييف"]
    );
    let out = search(&config, &["--format", "json", "--limit", "1", "حموشي"]);
    assert_eq!(titles(&json_lines(&out)), ["اجتماع أمني بالرباط"]);
    let out = search(
        &config,
        &["--format", "json", "--sort", "relevance", "حموشي"],
    );
    assert_eq!(
        titles(&json_lines(&out))[..2],
        ["حموشي يستقبل زوييف", "حموشي في طنجة"],
        "title matches first"
    );

    // Text: date, outlet, title, address, then the first snippet.
    let out = search(&config, &["--since", "3d", "dgsn"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    let day = (Utc::now() - chrono::Duration::days(1))
        .format("%Y-%m-%d")
        .to_string();
    assert!(lines[0].starts_with(&day), "{text}");
    assert!(
        lines[0].contains("Le360") && lines[0].contains("La DGSN à Tanger"),
        "{text}"
    );
    assert!(lines[0].ends_with("http://127.0.0.1:9/3"), "{text}");
    assert!(lines[1].contains("**DGSN**"), "{text}");

    // Nothing found: 1; a bad query: 2, naming the column; no database: 2.
    let out = search(&config, &["شفشاون"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let out = search(&config, &["حموشي AND (طنجة OR"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("query, column 19"),
        "{}",
        stderr(&out)
    );
    let out = search(&config, &["NOT حموشي"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("must require at least one word"),
        "{}",
        stderr(&out)
    );
    let missing = config_in(
        dir.path(),
        "missing",
        &format!(
            "[daemon]\ndatabase = \"{}\"\n",
            dir.path().join("none.db").display()
        ),
    );
    let out = search(&missing, &["حموشي"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("does not exist"), "{}", stderr(&out));
}

#[test]
fn search_on_postgresql_answers_as_on_sqlite() {
    let runtime = runtime();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    runtime.block_on(async {
        let store = Postgres::connect(&db.url, None, 2).await.unwrap();
        fill(&store).await;
    });
    let dir = tempfile::tempdir().unwrap();
    let mut url = url::Url::parse(&db.url).unwrap();
    std::fs::write(dir.path().join("db.password"), url.password().unwrap_or("")).unwrap();
    url.set_password(None).unwrap();
    let config = write_config(
        dir.path(),
        &format!("[daemon]\ndatabase = \"{url}\"\ndatabase_password_file = \"db.password\"\n"),
    );
    let sqlite_dir = tempfile::tempdir().unwrap();
    let on_sqlite = answers(&sqlite_config(sqlite_dir.path()));
    let on_postgres = answers(&config);
    // The two databases were filled moments apart: compare all but the dates.
    let strip = |runs: Vec<Vec<serde_json::Value>>| -> Vec<Vec<serde_json::Value>> {
        runs.into_iter()
            .map(|lines| {
                lines
                    .into_iter()
                    .map(|mut l| {
                        l["article"]["published_at"] =
                            l["article"]["published_at"].is_null().into();
                        l
                    })
                    .collect()
            })
            .collect()
    };
    assert_eq!(strip(on_postgres), strip(on_sqlite));
    let out = search(&config, &["شفشاون"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let out = search(&config, &["(حموشي"]);
    assert_eq!(out.status.code(), Some(2));
}
