//! The HTTP API through real HTTP: the binary (`raqib run` with `[http] listen` on a free
//! loopback port) polling a feed served on 127.0.0.1, into a SQLite file or a PostgreSQL
//! database (`RAQIB_TEST_POSTGRES`, see `support/postgres.rs`): every endpoint's shape, the
//! refusals (400, 404, 405, 401), the headers of every response, authentication, and the
//! Atom feed read back by the feed parser raqib itself uses.

mod common;
#[path = "support/postgres.rs"]
mod support;

use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::daemon::{Guard, free_addr, stop, wait_for};
use common::{Resource, Server, raqib, skip, stderr, write_config};
use serde_json::Value;

const ARABIC_TITLE: &str = "حموشي يستقبل زوييف بالرباط";
const ARABIC_BODY: &str =
    "استقبل عبد اللطيف حموشي، المدير العام للأمن الوطني، ألكسندر زوييف بالرباط.";
const HOSTILE_TITLE: &str = "<script>alert(1)</script><img src=x onerror=alert(2)> حموشي";

/// One HTTP/1.1 exchange: status, headers (lower-case names) and body.
struct Answer {
    status: u16,
    headers: HashMap<String, String>,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {}", self.body))
    }
}

fn request(addr: &str, method: &str, path: &str, authorization: Option<&str>) -> Answer {
    let mut stream = std::net::TcpStream::connect(addr).expect("the API listens");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let auth = authorization.map_or(String::new(), |a| format!("Authorization: {a}\r\n"));
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Content-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).expect("UTF-8 answers");
    let (head, body) = raw.split_once("\r\n\r\n").expect("a head");
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        body: body.to_string(),
    }
}

fn get(addr: &str, path: &str) -> Answer {
    request(addr, "GET", path, None)
}

/// Every answer, whatever its status, keeps a browser from running or framing it.
fn assert_guarded(answer: &Answer, what: &str) {
    let csp = answer
        .headers
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP in {:?}", answer.headers));
    assert!(csp.contains("default-src 'none'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert_eq!(
        answer
            .headers
            .get("x-content-type-options")
            .map(String::as_str),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        answer.headers.get("referrer-policy").map(String::as_str),
        Some("no-referrer"),
        "{what}"
    );
}

fn feed() -> Resource {
    let now = chrono::Utc::now();
    let item = |guid: &str, title: &str, body: &str, ago: i64| {
        let date = (now - chrono::Duration::minutes(ago)).to_rfc2822();
        format!(
            "<item><title>{}</title><guid>{guid}</guid><link>http://127.0.0.1:9/{guid}</link>\
             <pubDate>{date}</pubDate><description>{}</description></item>",
            xml(title),
            xml(body)
        )
    };
    Resource::new(
        "application/rss+xml",
        format!(
            "<rss version=\"2.0\"><channel><title>t</title>{}{}{}</channel></rss>",
            item("ar", ARABIC_TITLE, ARABIC_BODY, 30),
            // Escaped until what survives the feed parser and the reading of its HTML is
            // the markup itself as text, as a hostile outlet can write it.
            item(
                "hostile",
                &xml(HOSTILE_TITLE),
                "نص قصير عن حموشي والأمن الوطني.",
                20
            ),
            item(
                "weather",
                "Sunny spells over Rabat",
                "Sunshine is expected tomorrow.",
                10
            ),
        ),
    )
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// `[daemon]` and `[[watch]]` of the tests, with `http` as the `[http]` section.
fn config(database: &str, feed: &str, http: &str) -> String {
    format!(
        "[daemon]\n{database}allow_private_networks = true\npoliteness_delay = \"0s\"\n\
         [[feed]]\nurl = \"{feed}\"\noutlet = \"Hespress\"\nscrape = false\ninterval = \"1h\"\n\
         [[watch]]\nname = \"hammouchi\"\naliases = [\"حموشي\"]\nseverity = \"high\"\n\
         [[watch]]\nname = \"weather\"\nquery = 'sunny OR sunshine'\nalert = \"article\"\n\
         [http]\n{http}"
    )
}

fn start(path: &std::path::Path) -> Guard {
    Guard::new(
        Command::new(env!("CARGO_BIN_EXE_raqib"))
            .args(["--config", path.to_str().unwrap(), "run"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    )
}

/// Wait until the API lists the three alerts (two of hammouchi, one of weather).
fn alerts(addr: &str) -> Vec<Value> {
    let mut listed = Vec::new();
    let ready = wait_for(Duration::from_secs(40), || {
        let answer = std::net::TcpStream::connect(addr)
            .is_ok()
            .then(|| get(addr, "/api/v1/alerts"));
        listed = answer
            .filter(|a| a.status == 200)
            .and_then(|a| a.json()["alerts"].as_array().cloned())
            .unwrap_or_default();
        listed.len() == 3
    });
    assert!(ready, "three alerts listed: {listed:?}");
    listed
}

/// Percent-encoded, for a query string.
fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Search through the API page by page (`limit` a page), as `raqib search --format json`
/// with the config at `config` lists it: the same objects, in its order, none twice, none
/// left out.
fn check_search(addr: &str, config: &std::path::Path) {
    let query = "حموشي OR sunny OR sunshine";
    let cli = raqib(&[
        "--config",
        config.to_str().unwrap(),
        "search",
        "--format",
        "json",
        query,
    ]);
    assert_eq!(cli.status.code(), Some(0), "{}", stderr(&cli));
    let expected: Vec<Value> = common::stdout(&cli)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(expected.len(), 3, "every article matches: {expected:?}");
    let mut paged = Vec::new();
    let mut next = format!("/api/v1/search?q={}&limit=1", encoded(query));
    for _ in 0..10 {
        let answer = get(addr, &next);
        assert_eq!(answer.status, 200, "{next}: {}", answer.body);
        let page = answer.json();
        let results = page["results"].as_array().unwrap();
        assert!(results.len() <= 1, "a page of at most limit: {page}");
        paged.extend(results.iter().cloned());
        match page["next"].as_str() {
            Some(cursor) => {
                next = format!(
                    "/api/v1/search?q={}&limit=1&cursor={cursor}",
                    encoded(query)
                )
            }
            None => break,
        }
    }
    assert_eq!(paged, expected, "pages joined are the whole list, in order");
    let one = get(
        addr,
        &format!("/api/v1/search?q={}&limit=500", encoded("حموشي")),
    )
    .json();
    assert_eq!(one["results"].as_array().unwrap().len(), 2);
    assert_eq!(one["next"], Value::Null);
    let first = &one["results"][0];
    for key in ["id", "url", "title", "outlet", "published_at", "lang"] {
        assert!(first["article"].get(key).is_some(), "{key} in {first}");
    }
    assert!(
        first["story"].is_i64() && first["matches"].is_array(),
        "{first}"
    );
    let far = get(addr, "/api/v1/search?q=sunny&since=1s").json();
    assert_eq!(
        far["results"],
        serde_json::json!([]),
        "published 10 minutes ago"
    );
    for (path, parameter) in [
        ("/api/v1/search", "q"),
        ("/api/v1/search?q=", "q"),
        ("/api/v1/search?q=sunny%20AND", "q"),
        ("/api/v1/search?q=NOT%20sunny", "q"),
        ("/api/v1/search?q=sunny&limit=0", "limit"),
        ("/api/v1/search?q=sunny&limit=501", "limit"),
        ("/api/v1/search?q=sunny&limit=ten", "limit"),
        ("/api/v1/search?q=sunny&cursor=bm9wZQ", "cursor"),
        ("/api/v1/search?q=sunny&cursor=%%%", "cursor"),
        ("/api/v1/search?q=sunny&since=soon", "since"),
    ] {
        let answer = get(addr, path);
        assert_eq!(answer.status, 400, "{path}: {}", answer.body);
        assert_eq!(answer.json()["parameter"], parameter, "{path}");
    }
}

/// Every endpoint of the API of a daemon at `addr` whose feed carried `feed()`.
fn check_endpoints(addr: &str, config: &std::path::Path) {
    let alerts = alerts(addr);
    check_search(addr, config);
    let by_url = |url: &str| {
        alerts
            .iter()
            .find(|a| a["url"] == url)
            .unwrap_or_else(|| panic!("an alert of {url} in {alerts:?}"))
    };
    let hammouchi = by_url("http://127.0.0.1:9/ar");
    let hostile = by_url("http://127.0.0.1:9/hostile");
    assert_eq!(hammouchi["severity"], "high");
    assert_eq!(hammouchi["outlet"], "Hespress");
    assert_eq!(
        hammouchi["title"], ARABIC_TITLE,
        "the first article raised it"
    );
    for key in [
        "id",
        "raised_at",
        "story",
        "url",
        "also_reported_by",
        "deliveries",
    ] {
        assert!(hammouchi.get(key).is_some(), "{key} in {hammouchi}");
    }
    let only = get(addr, "/api/v1/alerts?watch=weather&since=1h").json();
    let only = only["alerts"].as_array().unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["title"], "Sunny spells over Rabat");

    let stories = get(addr, "/api/v1/stories?since=2h").json();
    let stories = stories["stories"].as_array().unwrap().clone();
    assert!(!stories.is_empty());
    for key in [
        "id",
        "first_seen_at",
        "last_seen_at",
        "title",
        "articles",
        "outlets",
        "watches",
    ] {
        assert!(stories[0].get(key).is_some(), "{key} in {}", stories[0]);
    }

    let story = get(addr, &format!("/api/v1/stories/{}", hammouchi["story"])).json();
    assert_eq!(story["id"], hammouchi["story"]);
    let articles = story["articles"].as_array().unwrap();
    assert_eq!(articles[0]["title"], ARABIC_TITLE);
    assert_eq!(articles[0]["outlet"], "Hespress");
    let first = articles[0]["id"].as_i64().unwrap();

    let answer = get(addr, &format!("/api/v1/articles/{first}"));
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.headers.get("content-type").map(String::as_str),
        Some("application/json; charset=utf-8")
    );
    let article = answer.json();
    assert_eq!(article["title"], ARABIC_TITLE, "Arabic served intact");
    assert_eq!(article["body"], ARABIC_BODY, "Arabic served intact");
    assert!(answer.body.contains(ARABIC_BODY), "as UTF-8, not escaped");
    assert_eq!(article["story"], hammouchi["story"]);
    assert_eq!(article["outlet"], "Hespress");
    assert_eq!(article["url"], "http://127.0.0.1:9/ar");
    for key in ["published_at", "fetched_at", "lang"] {
        assert!(article.get(key).is_some(), "{key} in {article}");
    }
    let matches = article["matches"]["hammouchi"].as_array().unwrap();
    assert_eq!(matches[0]["text"], "حموشي");
    for key in ["term", "field", "start", "end", "snippet"] {
        assert!(matches[0].get(key).is_some(), "{key} in {}", matches[0]);
    }

    // The hostile headline: a JSON string, character for character, never markup.
    let story = get(addr, &format!("/api/v1/stories/{}", hostile["story"])).json();
    let answer = get(
        addr,
        &format!("/api/v1/articles/{}", story["articles"][0]["id"]),
    );
    assert_eq!(answer.json()["title"], HOSTILE_TITLE);
    assert_guarded(&answer, "the hostile article");

    let feeds = get(addr, "/api/v1/feeds").json();
    let feeds = feeds["feeds"].as_array().unwrap();
    assert_eq!(feeds.len(), 1);
    assert_eq!(feeds[0]["outlet"], "Hespress");

    let watches = get(addr, "/api/v1/watches").json();
    let watches = watches["watches"].as_array().unwrap().clone();
    assert_eq!(watches.len(), 2);
    assert_eq!(watches[0]["name"], "hammouchi");
    assert_eq!(watches[0]["aliases"], serde_json::json!(["حموشي"]));
    assert_eq!(watches[0]["query"], Value::Null);
    assert_eq!(watches[0]["severity"], "high");
    assert_eq!(watches[0]["alert"], "story");
    assert_eq!(watches[1]["query"], "sunny OR sunshine");
    assert_eq!(watches[1]["alert"], "article");
    assert!(watches[1]["sinks"].is_array());

    let stats = get(addr, "/api/v1/stats").json();
    assert_eq!(stats["articles"], 3);
    assert_eq!(stats["alerts"], 3);

    // Refusals: JSON naming what was wrong, guarded like the rest.
    for (path, parameter) in [
        ("/api/v1/stories?since=yesterday", "since"),
        ("/api/v1/alerts?sinse=1d", "sinse"),
        ("/api/v1/articles/abc", "id"),
        ("/api/v1/stories/-3", "id"),
    ] {
        let answer = get(addr, path);
        assert_eq!(answer.status, 400, "{path}: {}", answer.body);
        assert_eq!(answer.json()["parameter"], parameter, "{path}");
        assert_guarded(&answer, path);
    }
    for path in [
        "/api/v1/articles/999999",
        "/api/v1/stories/999999",
        "/feeds/watch/nobody.atom",
        "/feeds/watch/hammouchi.rss",
        "/api/v1/nothing",
    ] {
        let answer = get(addr, path);
        assert_eq!(answer.status, 404, "{path}: {}", answer.body);
        assert!(answer.json()["error"].is_string(), "{path}");
        assert_guarded(&answer, path);
    }
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let answer = request(addr, method, "/api/v1/stories", None);
        assert_eq!(answer.status, 405, "{method}");
        assert_eq!(
            answer.headers.get("allow").map(String::as_str),
            Some("GET, HEAD")
        );
        assert_guarded(&answer, method);
    }
    let head = request(addr, "HEAD", "/api/v1/stats", None);
    assert_eq!(head.status, 200);

    // The Atom feed, read back by the parser raqib polls feeds with.
    let answer = get(addr, "/feeds/watch/hammouchi.atom");
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.headers.get("content-type").map(String::as_str),
        Some("application/atom+xml; charset=utf-8")
    );
    assert_guarded(&answer, "atom");
    let atom = feed_rs::parser::parse(answer.body.as_bytes()).expect("valid Atom");
    assert_eq!(atom.feed_type, feed_rs::model::FeedType::Atom);
    assert_eq!(atom.title.unwrap().content, "raqib: hammouchi");
    assert_eq!(atom.entries.len(), 2);
    let entry = atom
        .entries
        .iter()
        .find(|e| e.links[0].href == "http://127.0.0.1:9/ar")
        .expect("the Arabic article's alert");
    assert_eq!(
        entry.id,
        format!("urn:raqib:alert:{}", hammouchi["id"].as_str().unwrap())
    );
    assert_eq!(entry.title.as_ref().unwrap().content, ARABIC_TITLE);
    let hostile_entry = atom
        .entries
        .iter()
        .find(|e| e.links[0].href == "http://127.0.0.1:9/hostile")
        .expect("the hostile headline's alert");
    assert_eq!(hostile_entry.title.as_ref().unwrap().content, HOSTILE_TITLE);
    assert!(!answer.body.contains("<script>"), "escaped in the XML");
    assert!(entry.updated.is_some());
    let summary = &entry.summary.as_ref().unwrap().content;
    assert!(summary.contains("**حموشي**"), "{summary}");

    // /metrics and /healthz beside the API.
    let metrics = get(addr, "/metrics");
    assert_eq!(metrics.status, 200);
    assert!(metrics.body.contains("raqib_"), "{}", metrics.body);
    assert_guarded(&metrics, "/metrics");
    assert_eq!(get(addr, "/healthz").status, 200);
}

/// The web view's pages, on the same listener, read from the daemon's database.
fn check_pages(addr: &str) {
    let html = |path: &str| {
        let answer = get(addr, path);
        assert_eq!(answer.status, 200, "{path}: {}", answer.body);
        assert!(
            answer.headers["content-type"].starts_with("text/html"),
            "{path}: {:?}",
            answer.headers
        );
        assert!(
            answer.headers["content-security-policy"].contains("style-src 'self'"),
            "{path}: the pages' own policy: {:?}",
            answer.headers
        );
        answer.body
    };
    let alerts = html("/alerts");
    assert!(alerts.contains("Sunny spells over Rabat"), "{alerts}");
    assert!(
        alerts.contains("&lt;script&gt;"),
        "markup shown as text: {alerts}"
    );
    assert!(!alerts.contains("<script>alert"), "{alerts}");
    let found = get(addr, &format!("/api/v1/search?q={}", encoded("زوييف"))).json();
    let result = &found["results"][0];
    let (article, story) = (
        result["article"]["id"].as_i64().unwrap(),
        result["story"].as_i64().unwrap(),
    );
    let reader = html(&format!("/articles/{article}"));
    assert!(reader.contains(ARABIC_TITLE), "{reader}");
    assert!(
        reader.contains("<mark"),
        "the watch's matches marked: {reader}"
    );
    assert!(reader.contains("dir=\"auto\""), "{reader}");
    let story = html(&format!("/stories/{story}"));
    assert!(
        story.contains("Hespress") && story.contains("hammouchi"),
        "{story}"
    );
    let search = html(&format!("/search?q={}", encoded("sunny OR sunshine")));
    assert!(search.contains("Sunny spells over Rabat"), "{search}");
    let watches = html("/watches");
    assert!(watches.contains("sunny OR sunshine"), "{watches}");
    html("/feeds");
    assert_eq!(get(addr, "/articles/999999").status, 404);
}

#[test]
fn every_endpoint_answers_on_sqlite() {
    let server = Server::start();
    server.put("/feed", feed());
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let path = write_config(
        dir.path(),
        &config(
            "database = \"raqib.db\"\n",
            &server.url("/feed"),
            &format!("listen = \"{addr}\"\n"),
        ),
    );
    let child = start(&path);
    check_endpoints(&addr, &path);
    check_pages(&addr);
    stop(child.release());
}

#[test]
fn every_endpoint_answers_on_postgresql() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let Some(db) = runtime.block_on(support::TestDatabase::create()) else {
        return;
    };
    let server = Server::start();
    server.put("/feed", feed());
    let dir = tempfile::tempdir().unwrap();
    let addr = free_addr();
    let path = write_config(
        dir.path(),
        &config(
            &format!("database = \"{}\"\n", db.url),
            &server.url("/feed"),
            &format!("listen = \"{addr}\"\n"),
        ),
    );
    let child = start(&path);
    check_endpoints(&addr, &path);
    check_pages(&addr);
    stop(child.release());
}

/// An argon2id hash of `password`, as an operator makes one.
fn argon2_hash(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::encode_b64(b"raqib-test-salt!").unwrap();
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

fn basic(user: &str, password: &str) -> String {
    use base64ct::{Base64, Encoding};
    format!(
        "Basic {}",
        Base64::encode_string(format!("{user}:{password}").as_bytes())
    )
}

#[test]
fn a_token_or_an_argon2_user_is_required_once_configured() {
    let server = Server::start();
    server.put("/feed", feed());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("api.token"), "s3cret-token-0123456789\n").unwrap();
    let addr = free_addr();
    let http = format!(
        "listen = \"{addr}\"\ntoken_file = \"api.token\"\n\
         [[http.user]]\nname = \"amina\"\npassword_hash = \"{}\"\n",
        argon2_hash("correct horse")
    );
    let path = write_config(
        dir.path(),
        &config("database = \"raqib.db\"\n", &server.url("/feed"), &http),
    );
    let child = start(&path);
    let listening = wait_for(Duration::from_secs(20), || {
        std::net::TcpStream::connect(&addr).is_ok()
    });
    assert!(listening);
    for path in ["/api/v1/stats", "/feeds/watch/hammouchi.atom", "/metrics"] {
        for wrong in [
            None,
            Some("Bearer s3cret-token-012345678"),
            Some("Bearer s3cret-token-0123456789x"),
            Some("s3cret-token-0123456789"),
            Some(basic("amina", "wrong horse").as_str()),
            Some(basic("omar", "correct horse").as_str()),
        ] {
            let answer = request(&addr, "GET", path, wrong);
            assert_eq!(answer.status, 401, "{path} with {wrong:?}");
            assert!(
                answer
                    .headers
                    .get("www-authenticate")
                    .is_some_and(|c| c.contains("Bearer") && c.contains("Basic")),
                "{:?}",
                answer.headers
            );
            assert_guarded(&answer, "401");
        }
        let right = request(&addr, "GET", path, Some("Bearer s3cret-token-0123456789"));
        assert_eq!(right.status, 200, "{path}: {}", right.body);
        let basic = request(&addr, "GET", path, Some(&basic("amina", "correct horse")));
        assert_eq!(basic.status, 200, "{path}: {}", basic.body);
    }
    stop(child.release());
}

#[test]
fn listening_beyond_loopback_without_authentication_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_config(
        dir.path(),
        &config(
            "database = \"raqib.db\"\n",
            "http://127.0.0.1:9/feed",
            "listen = \"0.0.0.0:8080\"\n",
        ),
    );
    let run = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", path.to_str().unwrap(), "run"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(78), "{}", stderr(&run));
    assert!(
        stderr(&run).contains("http.listen 0.0.0.0:8080 is not a loopback address"),
        "{}",
        stderr(&run)
    );
    assert!(
        !dir.path().join("raqib.db").exists(),
        "refused before opening anything"
    );
    let check = raqib(&["--config", path.to_str().unwrap(), "check-config"]);
    assert_eq!(check.status.code(), Some(2));
    assert!(stderr(&check).contains("http.listen"), "{}", stderr(&check));

    // A token named but unreadable: a configuration problem too, named by its key.
    let path = write_config(
        dir.path(),
        &config(
            "database = \"raqib.db\"\n",
            "http://127.0.0.1:9/feed",
            "listen = \"0.0.0.0:8080\"\ntoken_file = \"missing.token\"\n",
        ),
    );
    let run = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", path.to_str().unwrap(), "run"])
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(78), "{}", stderr(&run));
    assert!(stderr(&run).contains("http.token_file"), "{}", stderr(&run));
}
