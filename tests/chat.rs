//! The chat sinks (Telegram, ntfy, Matrix) against services on 127.0.0.1 that hold raqib to
//! each API's documented contract: method and path, where the token goes, the body's shape and
//! limits, the markup (parsed back and checked), error shapes, 429 with its wait honoured, 5xx
//! retried, refusals dead at once; and `raqib test-sink` for every sink type.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::daemon::{run, stop, wait_for};
use common::service::{Call, Reply, Service};
use common::{Resource, Server, write_config};
use serde_json::json;

const BOT_TOKEN: &str = "123456:AAE-bot-token-for-tests";
const NTFY_TOKEN: &str = "tk_ntfytokenfortests";
const MATRIX_TOKEN: &str = "syt_matrix_token_for_tests";

/// A feed of two Arabic articles naming Hammouchi, a Latin name in each title.
fn feed_server() -> Server {
    let server = Server::start();
    let items: String = (1..=2)
        .map(|i| {
            format!(
                "<item><title>حموشي يستقبل Vladimir Voronkov رقم {i}</title><guid>{i}</guid>\
                 <link>{{base}}/a/{i}?x=1&amp;y=2</link>\
                 <description>استقبل عبد اللطيف حموشي الوفد رقم {i} &lt;بالرباط&gt;.</description></item>"
            )
        })
        .collect();
    let items = items.replace("{base}", &server.base);
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
        ),
    );
    server
}

/// A config with the feed, a watch of severity high and `sinks`.
fn config(dir: &Path, feeds: &Server, sinks: &str) -> PathBuf {
    write_config(
        dir,
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\ndelivery_retry = \"1s\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\nlang = \"ar\"\n\
             [[watch]]\nname = \"hammouchi\"\naliases = [\"حموشي\"]\nalert = \"article\"\nseverity = \"high\"\n{sinks}",
            feeds.url("/feed")
        ),
    )
}

fn secret_file(dir: &Path, name: &str, value: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("{value}\n")).unwrap();
    path.display().to_string()
}

/// Rows of `sql`; none while the daemon has not created its tables yet.
fn query(db: &Path, sql: &str) -> Vec<(String, String, i64, String)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let Ok(mut stmt) = conn.prepare(sql) else {
        return Vec::new();
    };
    stmt.query_map([], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get::<_, Option<String>>(3)?.unwrap_or_default(),
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// (alert uid, sink, attempts, last error) of every delivery in `state`.
fn deliveries(db: &Path, state: &str) -> Vec<(String, String, i64, String)> {
    query(
        db,
        &format!(
            "SELECT a.uid, d.sink, d.attempts, d.last_error FROM delivery d JOIN alert a ON a.id = d.alert_id \
             WHERE d.state = '{state}' ORDER BY a.uid, d.sink"
        ),
    )
}

fn alert_ids(db: &Path) -> BTreeSet<String> {
    query(db, "SELECT uid, '', 0, NULL FROM alert")
        .into_iter()
        .map(|r| r.0)
        .collect()
}

/// Run the daemon until every delivery is delivered or dead (`expected` of them), then stop
/// it: its log.
fn run_until_settled(config: &Path, expected: usize) -> String {
    let db = config.parent().unwrap().join("raqib.db");
    let daemon = run(config);
    let settled = wait_for(Duration::from_secs(60), || {
        db.exists()
            && deliveries(&db, "delivered").len() + deliveries(&db, "dead").len() == expected
    });
    let log = stop(daemon.release());
    assert!(settled, "deliveries never settled:\n{log}");
    log
}

/// The calls carrying alert `id` (found by `id_of`), in order.
fn calls_of<'a>(calls: &'a [Call], id_of: impl Fn(&Call) -> String, id: &str) -> Vec<&'a Call> {
    calls.iter().filter(|c| id_of(c) == id).collect()
}

/// The gap between the call answered `status` and the next call for the same alert.
fn wait_after(calls: &[Call], id_of: impl Fn(&Call) -> String + Copy, status: u16) -> Duration {
    let refused = calls
        .iter()
        .find(|c| c.status == status)
        .unwrap_or_else(|| panic!("no call answered {status}"));
    let same = calls_of(calls, id_of, &id_of(refused));
    let at = same.iter().position(|c| c.at == refused.at).unwrap();
    let next = same.get(at + 1).expect("the alert was sent again");
    next.at - refused.at
}

/// Checks markup as a service's parser would: only `allowed` tags (and `href` on `a`),
/// every tag closed in order, only the entities HTML's parsers know by name or number, no
/// bare `<`, `>` or `&`. Returns the text shown, entities decoded.
fn parse_html(html: &str, allowed: &[&str]) -> String {
    let mut shown = String::new();
    let mut open: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = rest
                    .find('>')
                    .unwrap_or_else(|| panic!("unclosed tag in {html}"));
                let tag = &rest[1..end];
                if let Some(name) = tag.strip_prefix('/') {
                    assert_eq!(
                        open.pop().as_deref(),
                        Some(name),
                        "misnested </{name}> in {html}"
                    );
                } else {
                    let name = tag.split(' ').next().unwrap();
                    assert!(
                        allowed.contains(&name),
                        "tag <{name}> not allowed in {html}"
                    );
                    let attrs = tag[name.len()..].trim();
                    if name == "a" {
                        let href = attrs
                            .strip_prefix("href=\"")
                            .and_then(|h| h.strip_suffix('"'))
                            .unwrap_or_else(|| panic!("<a> needs only href: {tag}"));
                        assert!(!href.contains('"') && !href.contains('<'), "{href}");
                        assert!(href.starts_with("http"), "{href}");
                    } else {
                        assert!(attrs.is_empty(), "attributes on <{name}>: {tag}");
                    }
                    open.push(name.to_string());
                }
                rest = &rest[end + 1..];
            }
            '&' => {
                let end = rest.find(';').unwrap_or_else(|| panic!("bare & in {html}"));
                shown.push(match &rest[1..end] {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    other => panic!("entity &{other}; in {html}"),
                });
                rest = &rest[end + 1..];
            }
            '>' => panic!("bare > in {html}"),
            c => {
                shown.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    assert!(open.is_empty(), "tags left open: {open:?} in {html}");
    shown
}

const TELEGRAM_TAGS: &[&str] = &["b", "i", "u", "s", "a", "code", "pre", "blockquote"];

fn telegram_sink(name: &str, service: &Service, token_file: &str, chat_id: &str) -> String {
    format!(
        "[[sink]]\nname = \"{name}\"\ntype = \"telegram\"\nbot_token_file = \"{token_file}\"\nchat_id = {chat_id}\napi_url = \"{}\"\n",
        service.base
    )
}

/// The alert id a Telegram message ends with.
fn telegram_id(call: &Call) -> String {
    let text = call.json()["text"].as_str().unwrap().to_string();
    let start = text
        .rfind("<code>")
        .expect("the message ends with the alert id")
        + 6;
    text[start..text.rfind("</code>").unwrap()].to_string()
}

#[test]
fn telegram_gets_html_messages_waits_out_429_retries_5xx_and_refusals_are_dead() {
    let feeds = feed_server();
    let bot = Service::start(|n, _| match n {
        0 => Reply::json(
            429,
            json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 2",
                   "parameters": {"retry_after": 2}}),
        ),
        1 => Reply::json(
            502,
            json!({"ok": false, "error_code": 502, "description": "Bad Gateway"}),
        ),
        n => Reply::json(200, json!({"ok": true, "result": {"message_id": n}})),
    });
    let gone = Service::start(|_, _| {
        Reply::json(
            400,
            json!({"ok": false, "error_code": 400, "description": "Bad Request: chat not found"}),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "bot.token", BOT_TOKEN);
    let sinks = format!(
        "{}{}",
        telegram_sink("desk", &bot, &token, "-1001234567890"),
        telegram_sink("gone", &gone, &token, "\"@old_desk\"")
    );
    let config = config(dir.path(), &feeds, &sinks);
    let log = run_until_settled(&config, 4);
    let db = dir.path().join("raqib.db");
    let ids = alert_ids(&db);
    assert_eq!(ids.len(), 2);

    let calls = bot.calls();
    for call in calls.iter().chain(gone.calls().iter()) {
        assert_eq!(call.method, "POST");
        assert_eq!(call.path, format!("/bot{BOT_TOKEN}/sendMessage"));
        assert_eq!(call.headers["content-type"], "application/json");
        let body = call.json();
        assert_eq!(body["parse_mode"], "HTML");
        assert_eq!(body["link_preview_options"], json!({"is_disabled": true}));
        let text = body["text"].as_str().unwrap();
        let shown = parse_html(text, TELEGRAM_TAGS);
        assert!(shown.encode_utf16().count() <= 4096);
        assert!(text.contains("<b>حموشي</b>"), "the match is bold: {text}");
        assert!(text.contains("&lt;بالرباط&gt;"), "text is escaped: {text}");
        assert!(
            text.contains("\u{200F}<a href=\""),
            "Arabic lines are right to left: {text}"
        );
        assert!(text.contains("?x=1&amp;y=2\">"), "{text}");
        assert!(ids.contains(&telegram_id(call)), "{text}");
    }
    assert_eq!(calls[0].json()["chat_id"], json!(-1001234567890_i64));
    assert_eq!(gone.calls()[0].json()["chat_id"], "@old_desk");

    let delivered = deliveries(&db, "delivered");
    assert_eq!(delivered.len(), 2, "{log}");
    assert!(delivered.iter().all(|d| d.1 == "desk"));
    assert!(
        wait_after(&calls, telegram_id, 429) >= Duration::from_secs(2),
        "a 429's retry_after is waited out"
    );
    assert!(wait_after(&calls, telegram_id, 502) > Duration::ZERO);

    let dead = deliveries(&db, "dead");
    assert_eq!(dead.len(), 2);
    for (_, sink, attempts, error) in &dead {
        assert_eq!((sink.as_str(), *attempts), ("gone", 1));
        assert!(error.contains("chat not found"), "{error}");
        assert!(!error.contains(BOT_TOKEN), "{error}");
    }
    assert_eq!(gone.calls().len(), 2, "a refused alert is not sent again");
    assert!(
        !log.contains(BOT_TOKEN),
        "the token is never logged:\n{log}"
    );
}

/// An alert far over Telegram's limit: a long title full of markup characters and many
/// matches.
fn huge_alert(id: &str) -> String {
    let title = "حموشي <يستقبل> & \"يودع\" ".repeat(40);
    let matches: Vec<serde_json::Value> = (0..80)
        .map(|i| {
            json!({"term": "حموشي", "text": "حموشي", "field": "body",
                   "snippet": format!("… رقم {i} &amp; <b>قال</b> **حموشي** إن التعاون Voronkov-{i}-{} …", "x".repeat(i))})
        })
        .collect();
    json!({"id": id, "watch": "hammouchi", "severity": "critical", "raised_at": "2026-11-29T12:00:00Z",
           "story": 1, "article": {"id": 1, "url": "https://x.ma/a?b=1&c=\"2\"", "title": title,
           "feed": "https://x.ma/feed", "outlet": "هسبريس", "published_at": null, "lang": "ar"},
           "matches": matches, "other_outlets": ["Le360"]})
    .to_string()
}

fn library_sink(toml: &str) -> raqib::alert::sink::Sink {
    let config = raqib::config::Config::from_toml(Path::new("/tmp/raqib-chat-test.toml"), toml)
        .expect("a valid config");
    raqib::alert::sink::Sink::new(&config.sinks[0]).unwrap()
}

#[tokio::test]
async fn telegram_messages_over_4096_characters_are_cut_cleanly() {
    let bot = Service::start(|_, _| Reply::json(200, json!({"ok": true, "result": {}})));
    let sink = library_sink(&format!(
        "[[sink]]\nname = \"desk\"\ntype = \"telegram\"\nbot_token = \"{BOT_TOKEN}\"\nchat_id = \"42\"\napi_url = \"{}/\"\n",
        bot.base
    ));
    let id = "0123456789abcdef0123456789abcdef";
    sink.deliver(id, &huge_alert(id)).await.unwrap();
    let one = raqib::alert::digest::digest(
        "hammouchi",
        chrono::Utc::now(),
        &vec![huge_alert("x").as_str(); 30],
    );
    sink.deliver(&one.id, &one.payload).await.unwrap();

    let calls = bot.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].path, format!("/bot{BOT_TOKEN}/sendMessage"));
    assert_eq!(calls[0].json()["chat_id"], 42);
    for (call, id) in calls.iter().zip([id, one.id.as_str()]) {
        let text = call.json()["text"].as_str().unwrap().to_string();
        let shown = parse_html(&text, TELEGRAM_TAGS);
        let length = shown.encode_utf16().count();
        assert!((3500..=4096).contains(&length), "{length} characters");
        assert!(shown.contains('…'), "cut with an ellipsis");
        assert!(
            text.ends_with(&format!("<code>{id}</code>")),
            "the id survives the cut: {text}"
        );
    }
}

#[tokio::test]
async fn telegram_errors_name_the_service_s_reason_never_the_token() {
    let bot = Service::start(|n, _| match n {
        0 => Reply::json(
            401,
            json!({"ok": false, "error_code": 401, "description": "Unauthorized"}),
        ),
        1 => Reply::json(
            403,
            json!({"ok": false, "error_code": 403, "description": "Forbidden: bot was kicked from the group chat"}),
        ),
        2 => Reply::json(
            400,
            json!({"ok": false, "error_code": 400, "description": "Bad Request: group chat was upgraded to a supergroup chat",
                   "parameters": {"migrate_to_chat_id": -1009876543210_i64}}),
        ),
        _ => Reply::json(
            429,
            json!({"ok": false, "error_code": 429, "description": "Too Many Requests: retry after 7",
                                     "parameters": {"retry_after": 7}}),
        ),
    });
    let sink = library_sink(&format!(
        "[[sink]]\nname = \"desk\"\ntype = \"telegram\"\nbot_token = \"{BOT_TOKEN}\"\nchat_id = -42\napi_url = \"{}\"\n",
        bot.base
    ));
    let payload = huge_alert("a");
    for expected in [
        "Unauthorized",
        "bot was kicked",
        "set chat_id = -1009876543210",
    ] {
        let err = sink.deliver("a", &payload).await.unwrap_err();
        assert!(err.is_permanent(), "{err}");
        let text = err.to_string();
        assert!(
            text.contains(expected) && text.contains("sink desk"),
            "{text}"
        );
        assert!(!text.contains(BOT_TOKEN), "{text}");
    }
    let err = sink.deliver("a", &payload).await.unwrap_err();
    assert!(!err.is_permanent());
    assert_eq!(err.retry_after(), Some(Duration::from_secs(7)));
    assert!(!format!("{sink:?}").contains(BOT_TOKEN));
}

fn ntfy_id(call: &Call) -> String {
    let message = call.json()["message"].as_str().unwrap().to_string();
    let last = message.lines().last().unwrap();
    last.trim_matches('`').to_string()
}

#[test]
fn ntfy_gets_json_notifications_with_priority_click_and_arabic_titles() {
    let feeds = feed_server();
    let server = Service::start(|n, _| match n {
        0 => Reply::json(
            503,
            json!({"code": 50301, "http": 503, "error": "service unavailable"}),
        ),
        1 => Reply::json(
            429,
            json!({"code": 42901, "http": 429, "error": "limit reached: too many requests"}),
        )
        .with_header("Retry-After", "2"),
        _ => Reply::json(200, json!({"id": "x", "event": "message"})),
    });
    let locked = Service::start(|_, _| {
        Reply::json(
            403,
            json!({"code": 40301, "http": 403, "error": "forbidden", "link": "https://docs"}),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "ntfy.token", NTFY_TOKEN);
    let sinks = format!(
        "[[sink]]\nname = \"phones\"\ntype = \"ntfy\"\nurl = \"{}/desk-alerts\"\ntoken_file = \"{token}\"\n\
         [[sink]]\nname = \"locked\"\ntype = \"ntfy\"\nurl = \"{}/other_topic\"\n",
        server.base, locked.base
    );
    let config = config(dir.path(), &feeds, &sinks);
    let log = run_until_settled(&config, 4);
    let db = dir.path().join("raqib.db");
    let ids = alert_ids(&db);

    let calls = server.calls();
    for call in &calls {
        assert_eq!((call.method.as_str(), call.path.as_str()), ("POST", "/"));
        assert_eq!(
            call.headers["authorization"],
            format!("Bearer {NTFY_TOKEN}")
        );
        let body = call.json();
        assert_eq!(body["topic"], "desk-alerts");
        let title = body["title"].as_str().unwrap();
        assert!(
            title.starts_with("\u{200F}حموشي يستقبل Vladimir Voronkov رقم"),
            "{title}"
        );
        assert_eq!(body["priority"], 4, "high is ntfy's 4");
        assert_eq!(body["markdown"], true);
        let tags: Vec<&str> = body["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(tags, ["warning", "high", "hammouchi"]);
        let click = body["click"].as_str().unwrap();
        assert!(
            click.starts_with(&feeds.base) && click.contains("/a/"),
            "{click}"
        );
        let message = body["message"].as_str().unwrap();
        assert!(message.len() <= 4096);
        assert!(
            message.contains("**حموشي**"),
            "the match is bold: {message}"
        );
        assert!(
            message.contains("\\<بالرباط\\>"),
            "Markdown is escaped: {message}"
        );
        assert!(ids.contains(&ntfy_id(call)), "{message}");
    }
    assert_eq!(deliveries(&db, "delivered").len(), 2, "{log}");
    assert!(wait_after(&calls, ntfy_id, 429) >= Duration::from_secs(2));
    assert!(wait_after(&calls, ntfy_id, 503) > Duration::ZERO);
    assert!(!locked.calls()[0].headers.contains_key("authorization"));
    let dead = deliveries(&db, "dead");
    assert_eq!(dead.len(), 2);
    for (_, sink, attempts, error) in &dead {
        assert_eq!((sink.as_str(), *attempts), ("locked", 1));
        assert!(
            error.contains("403") && error.contains("forbidden (code 40301)"),
            "{error}"
        );
    }
    assert!(!log.contains(NTFY_TOKEN), "{log}");
}

const MATRIX_TAGS: &[&str] = &["p", "b", "a", "code", "blockquote"];

fn matrix_sink(name: &str, service: &Service, token_file: &str) -> String {
    format!(
        "[[sink]]\nname = \"{name}\"\ntype = \"matrix\"\nhomeserver = \"{}\"\nroom_id = \"!desk:example.test\"\naccess_token_file = \"{token_file}\"\n",
        service.base
    )
}

fn matrix_id(call: &Call) -> String {
    call.json()["raqib.alert_id"].as_str().unwrap().to_string()
}

#[test]
fn matrix_gets_html_messages_and_retries_reuse_their_transaction_id() {
    let feeds = feed_server();
    let homeserver = Service::start(|n, _| match n {
        0 => Reply::json(
            500,
            json!({"errcode": "M_UNKNOWN", "error": "Internal server error"}),
        ),
        1 => Reply::json(
            429,
            json!({"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests", "retry_after_ms": 1500}),
        ),
        n => Reply::json(200, json!({"event_id": format!("$event{n}")})),
    });
    let closed = Service::start(|_, _| {
        Reply::json(
            403,
            json!({"errcode": "M_FORBIDDEN", "error": "User @raqib:example.test not in room"}),
        )
    });
    let dir = tempfile::tempdir().unwrap();
    let token = secret_file(dir.path(), "matrix.token", MATRIX_TOKEN);
    let sinks = format!(
        "{}{}",
        matrix_sink("room", &homeserver, &token),
        matrix_sink("closed", &closed, &token)
    );
    let config = config(dir.path(), &feeds, &sinks);
    let log = run_until_settled(&config, 4);
    let db = dir.path().join("raqib.db");
    let ids = alert_ids(&db);

    let calls = homeserver.calls();
    let mut transactions: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for call in calls.iter().chain(closed.calls().iter()) {
        assert_eq!(call.method, "PUT");
        let txn = call
            .path
            .strip_prefix("/_matrix/client/v3/rooms/!desk:example.test/send/m.room.message/")
            .unwrap_or_else(|| panic!("{}", call.path));
        assert!(!txn.is_empty() && !txn.contains('/'));
        assert_eq!(
            call.headers["authorization"],
            format!("Bearer {MATRIX_TOKEN}")
        );
        let body = call.json();
        assert_eq!(body["msgtype"], "m.text");
        assert_eq!(body["format"], "org.matrix.custom.html");
        let html = body["formatted_body"].as_str().unwrap();
        parse_html(html, MATRIX_TAGS);
        assert!(html.contains("<b>حموشي</b>"), "{html}");
        assert!(html.contains("<p>\u{200F}<a href=\""), "{html}");
        let plain = body["body"].as_str().unwrap();
        assert!(
            plain.contains("**حموشي**") && plain.contains("<بالرباط>"),
            "{plain}"
        );
        let id = matrix_id(call);
        assert!(ids.contains(&id));
        if call.status != 403 {
            transactions.entry(id).or_default().insert(txn.to_string());
        }
    }
    assert_eq!(transactions.len(), 2);
    for (id, txns) in &transactions {
        assert_eq!(
            txns.len(),
            1,
            "every attempt of {id} reuses its txnId: {txns:?}"
        );
    }
    let all: BTreeSet<&String> = transactions.values().flatten().collect();
    assert_eq!(all.len(), 2, "alerts have transaction ids of their own");
    assert!(
        wait_after(&calls, matrix_id, 429) >= Duration::from_millis(1500),
        "retry_after_ms is waited out"
    );
    assert!(wait_after(&calls, matrix_id, 500) > Duration::ZERO);
    assert_eq!(deliveries(&db, "delivered").len(), 2, "{log}");
    let dead = deliveries(&db, "dead");
    assert_eq!(dead.len(), 2);
    for (_, sink, attempts, error) in &dead {
        assert_eq!((sink.as_str(), *attempts), ("closed", 1));
        assert!(
            error.contains("M_FORBIDDEN: User @raqib:example.test not in room"),
            "{error}"
        );
    }
    assert!(!log.contains(MATRIX_TOKEN), "{log}");
}

fn test_sink(config: &Path, name: &str) -> std::process::Output {
    common::raqib(&["--config", config.to_str().unwrap(), "test-sink", name])
}

#[test]
fn test_sink_sends_a_sample_through_every_kind_of_sink() {
    let hook = common::receiver::Receiver::start(|_| 200);
    let smtp = common::smtp::SmtpServer::start(0);
    let bot = Service::start(|_, _| Reply::json(200, json!({"ok": true, "result": {}})));
    let busy = Service::start(|_, _| {
        Reply::json(
            429,
            json!({"code": 42901, "http": 429, "error": "limit reached"}),
        )
        .with_header("Retry-After", "30")
    });
    let homeserver = Service::start(|_, _| Reply::json(200, json!({"event_id": "$e"})));
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("alerts.jsonl");
    let token = secret_file(dir.path(), "token", "t0ken");
    let config = write_config(
        dir.path(),
        &format!(
            "[[sink]]\nname = \"log\"\ntype = \"log\"\n\
             [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"{}\"\n\
             [[sink]]\nname = \"hook\"\ntype = \"webhook\"\nurl = \"{}\"\n\
             [[sink]]\nname = \"mail\"\ntype = \"email\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\ntls = \"none\"\n\
             from = \"raqib <raqib@example.test>\"\nto = [\"desk@example.test\"]\n\
             {}\
             [[sink]]\nname = \"phones\"\ntype = \"ntfy\"\nurl = \"{}/desk\"\n\
             {}",
            jsonl.display(),
            hook.url,
            smtp.port,
            telegram_sink("bot", &bot, &token, "42"),
            busy.base,
            matrix_sink("room", &homeserver, &token),
        ),
    );
    for name in ["log", "file", "hook", "mail", "bot", "room"] {
        let out = test_sink(&config, name);
        assert!(
            out.status.success(),
            "{name}: {}{}",
            common::stdout(&out),
            common::stderr(&out)
        );
        assert!(
            common::stdout(&out).starts_with(&format!("sink {name}: delivered the sample alert ")),
            "{}",
            common::stdout(&out)
        );
    }
    let line = std::fs::read_to_string(&jsonl).unwrap();
    let alert: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert!(
        alert["article"]["title"]
            .as_str()
            .unwrap()
            .contains("حموشي يستقبل Vladimir Voronkov")
    );
    assert!(
        alert["matches"][1]["snippet"]
            .as_str()
            .unwrap()
            .contains("**Hammouchi**")
    );
    assert_eq!(hook.received().len(), 1);
    assert_eq!(
        hook.received()[0].headers["x-raqib-alert-id"],
        alert_id_of(&hook.received()[0].body)
    );
    assert_eq!(smtp.mails().len(), 1);
    let text = bot.calls()[0].json()["text"].as_str().unwrap().to_string();
    parse_html(&text, TELEGRAM_TAGS);
    assert!(
        text.contains("<b>Hammouchi</b>") && text.contains("<b>حموشي</b>"),
        "{text}"
    );
    assert_eq!(homeserver.calls().len(), 1);

    let out = test_sink(&config, "phones");
    assert_eq!(out.status.code(), Some(1));
    let err = common::stderr(&out);
    assert!(
        err.contains("try again in 30s") && err.contains("429"),
        "{err}"
    );
    assert_eq!(busy.calls().len(), 1, "one attempt only");

    let out = test_sink(&config, "pager");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        common::stderr(&out).contains(
            "no sink named \"pager\"; configured sinks: log, file, hook, mail, bot, phones, room"
        ),
        "{}",
        common::stderr(&out)
    );
}

fn alert_id_of(body: &str) -> String {
    serde_json::from_str::<serde_json::Value>(body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn check_config_and_test_sink_name_an_unreadable_token_file() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[[sink]]\nname = \"bot\"\ntype = \"telegram\"\nbot_token_file = \"missing.token\"\nchat_id = 42\n",
    );
    for out in [
        common::raqib(&["--config", config.to_str().unwrap(), "check-config"]),
        test_sink(&config, "bot"),
    ] {
        assert_eq!(out.status.code(), Some(2));
        let err = common::stderr(&out);
        assert!(
            err.contains("sink bot: bot_token_file: cannot read") && err.contains("missing.token"),
            "{err}"
        );
    }
}
