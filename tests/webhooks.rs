//! The webhook formats and delivery controls through the real binary, each against a receiver on
//! 127.0.0.1 holding raqib to the receiving service's documented contract: Discord's message
//! limits, `allowed_mentions` and its 429 answers; the shape Teams Workflows take; a user's
//! template; Standard Webhooks signatures verified as the specification says; and a sink's
//! `max_per_minute` folding the excess into one digest that survives a restart.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use base64ct::{Base64, Encoding};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use common::daemon::{stop, wait_for};
use common::receiver::{Received, Receiver, Reply};
use common::{Resource, Server, write_config};

/// Headlines as outlets write them: Arabic with quotes, a would-be ping, a very long one.
fn headlines() -> Vec<String> {
    vec![
        "حموشي يستقبل \"وفدا\" أمنيا @everyone".to_string(),
        format!("Hammouchi @here {}", "ح".repeat(400)),
        "Hammouchi reçoit l'office onusien & ses *experts*".to_string(),
    ]
}

/// A feed of `titles`, each an article linking to its own page (not fetched) naming Hammouchi.
fn feed(titles: &[String]) -> Server {
    let items: String = titles
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let escaped = title
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;");
            format!(
                "<item><title>{escaped}</title><link>https://news.example/{i}</link><guid>{i}</guid>\
                 <description>Abdellatif Hammouchi, report {i}. الحموشي</description></item>"
            )
        })
        .collect();
    let server = Server::start();
    server.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
        ),
    );
    server
}

/// A config with one feed, a per-article watch and `sink`.
fn config(dir: &Path, server: &Server, sink: &str) -> PathBuf {
    write_config(
        dir,
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\ndelivery_retry = \"1s\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\n\
             [[watch]]\nname = \"h\"\naliases = [\"Hammouchi\", \"حموشي\"]\nalert = \"article\"\n{sink}",
            server.url("/feed")
        ),
    )
}

fn start(config: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn count(db: &Path, sql: &str) -> i64 {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap_or(-1)
}

fn accepted(received: &[Received]) -> Vec<Received> {
    received
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .cloned()
        .collect()
}

/// Run the daemon until the receiver has accepted `n` requests; the requests and the log.
fn deliver(
    config: &Path,
    receiver: &Receiver,
    n: usize,
    within: Duration,
) -> (Vec<Received>, String) {
    let child = start(config);
    let done = wait_for(within, || accepted(&receiver.received()).len() >= n);
    let log = stop(child);
    assert!(done, "{:?}\n{log}", receiver.received());
    (receiver.received(), log)
}

fn utf16(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Discord's documented limits on an execute-webhook body, as Discord answers 400 to a body
/// beyond them: what its receiver checks.
fn check_discord_message(body: &str) -> Value {
    let message: Value = serde_json::from_str(body).expect("JSON body");
    assert!(utf16(message["content"].as_str().unwrap_or_default()) <= 2000);
    assert_eq!(
        message["allowed_mentions"],
        serde_json::json!({"parse": []})
    );
    let embeds = message["embeds"].as_array().expect("embeds");
    assert!(!embeds.is_empty() && embeds.len() <= 10, "{body}");
    let mut total = 0;
    for embed in embeds {
        let text = |v: &Value| utf16(v.as_str().unwrap_or_default());
        assert!(text(&embed["title"]) <= 256, "title: {body}");
        assert!(text(&embed["description"]) <= 4096, "description: {body}");
        assert!(text(&embed["footer"]["text"]) <= 2048);
        total +=
            text(&embed["title"]) + text(&embed["description"]) + text(&embed["footer"]["text"]);
        let fields = embed["fields"].as_array().cloned().unwrap_or_default();
        assert!(fields.len() <= 25);
        for field in &fields {
            assert!(
                (1..=256).contains(&text(&field["name"])),
                "field name: {body}"
            );
            assert!(
                (1..=1024).contains(&text(&field["value"])),
                "field value: {body}"
            );
            total += text(&field["name"]) + text(&field["value"]);
        }
        if let Some(url) = embed["url"].as_str() {
            assert!(url.starts_with("https://") || url.starts_with("http://"));
        }
    }
    assert!(total <= 6000, "{total} characters in embeds: {body}");
    for ping in ["@everyone", "@here"] {
        assert!(!body.contains(ping), "{ping} would ping: {body}");
    }
    message
}

#[test]
fn discord_messages_keep_to_its_limits_ping_no_one_and_wait_out_its_429s() {
    let server = feed(&headlines());
    // Discord's rate limit answer: the wait in the JSON body (seconds, with a fraction) and,
    // rounded, in Retry-After. Then one server error, then success (204, no body).
    let receiver = Receiver::start(|n| match n {
        0 => 429,
        1 => 500,
        _ => 204,
    });
    receiver.reply_with(|n| match n {
        0 => Reply {
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                ("Retry-After".into(), "1".into()),
            ],
            body:
                r#"{"message": "You are being rate limited.", "retry_after": 3.2, "global": false}"#
                    .into(),
        },
        _ => Reply::default(),
    });
    let dir = tempfile::tempdir().unwrap();
    let sink = format!(
        "[[sink]]\nname = \"discord\"\ntype = \"webhook\"\nformat = \"discord\"\nurl = \"{}\"\n",
        receiver.url
    );
    let config = config(dir.path(), &server, &sink);
    let (received, log) = deliver(&config, &receiver, 3, Duration::from_secs(60));

    for request in &received {
        assert_eq!(request.headers["content-type"], "application/json");
        check_discord_message(&request.body);
    }
    let titles: Vec<String> = accepted(&received)
        .iter()
        .map(|r| {
            check_discord_message(&r.body)["embeds"][0]["title"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        titles.contains(&"حموشي يستقبل \"وفدا\" أمنيا @\u{200B}everyone".to_string()),
        "{titles:?}"
    );
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Hammouchi @\u{200B}here ح")
                && t.ends_with('…')
                && utf16(t) == 256),
        "{titles:?}"
    );

    // The rate-limited alert waited the body's 3.2 s (not the header's rounded 1 s, nor the
    // 1 s retry), and the one answered 500 was tried again; none was given up.
    let limited = &received[0];
    let again = received[1..]
        .iter()
        .find(|r| r.headers["x-raqib-alert-id"] == limited.headers["x-raqib-alert-id"])
        .expect("the rate-limited alert sent again");
    let waited = again.at - limited.at;
    assert!(
        waited >= Duration::from_millis(3000),
        "retried after {waited:?}\n{log}"
    );
    let db = dir.path().join("raqib.db");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state = 'delivered'"
        ),
        3
    );
    assert_eq!(
        count(&db, "SELECT count(*) FROM delivery WHERE state = 'dead'"),
        0
    );
}

#[test]
fn a_discord_refusal_is_dead_at_once() {
    let server = feed(&headlines()[..1]);
    let receiver = Receiver::start(|_| 400);
    let dir = tempfile::tempdir().unwrap();
    let sink = format!(
        "[[sink]]\nname = \"discord\"\ntype = \"webhook\"\nformat = \"discord\"\nurl = \"{}\"\n",
        receiver.url
    );
    let config = config(dir.path(), &server, &sink);
    let db = dir.path().join("raqib.db");
    let child = start(&config);
    let dead = wait_for(Duration::from_secs(30), || {
        count(&db, "SELECT count(*) FROM delivery WHERE state = 'dead'") == 1
    });
    let log = stop(child);
    assert!(dead, "{log}");
    assert_eq!(receiver.received().len(), 1, "a 400 is not retried");
}

#[test]
fn teams_gets_a_workflows_message_with_an_adaptive_card() {
    let server = feed(&headlines()[..1]);
    let receiver = Receiver::start(|_| 202);
    let dir = tempfile::tempdir().unwrap();
    let sink = format!(
        "[[sink]]\nname = \"teams\"\ntype = \"webhook\"\nformat = \"teams\"\nurl = \"{}\"\n",
        receiver.url
    );
    let config = config(dir.path(), &server, &sink);
    let (received, _) = deliver(&config, &receiver, 1, Duration::from_secs(30));
    let message: Value = serde_json::from_str(&received[0].body).unwrap();
    // The shape the Workflows template "post to a channel when a webhook request is
    // received" takes: a message whose attachments hold Adaptive Cards.
    assert_eq!(message["type"], "message");
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    assert_eq!(
        attachments[0]["contentType"],
        "application/vnd.microsoft.card.adaptive"
    );
    let card = &attachments[0]["content"];
    assert_eq!(
        card["$schema"],
        "http://adaptivecards.io/schemas/adaptive-card.json"
    );
    assert_eq!(card["type"], "AdaptiveCard");
    let version: f64 = card["version"].as_str().unwrap().parse().unwrap();
    assert!(version >= 1.4, "{version}");
    fn blocks(items: &Value, out: &mut Vec<Value>) {
        for item in items.as_array().into_iter().flatten() {
            match item["type"].as_str() {
                Some("TextBlock") => out.push(item.clone()),
                Some("Container") => blocks(&item["items"], out),
                other => panic!("unexpected element {other:?}"),
            }
        }
    }
    let mut text = Vec::new();
    blocks(&card["body"], &mut text);
    assert!(text.iter().all(|b| b["wrap"] == true), "{card}");
    assert!(text.iter().any(|b| b["text"] == headlines()[0]), "{card}");
    let arabic = card["body"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Container")
        .unwrap();
    assert_eq!(arabic["rtl"], true, "rtl needs 1.5: {card}");
    assert!(version >= 1.5);
    assert_eq!(
        card["actions"][0],
        serde_json::json!({"type": "Action.OpenUrl", "title": "Open the article", "url": "https://news.example/0"})
    );
}

#[test]
fn a_template_renders_valid_json_from_arabic_and_quotes() {
    let server = feed(&headlines());
    let receiver = Receiver::start(|_| 200);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("desk.json.j2"),
        "{% if digest %}{\"count\": {{ alert.count }}, \"headlines\": [\n\
         {% for a in alerts %}{{ a.article.title | json }}{% if not loop.last %}, {% endif %}{% endfor %}]}\n\
         {% else %}{\"headline\": {{ alert.article.title | json }}, \"link\": {{ alert.article.url | json }},\n\
         \"watch\": {{ alert.watch | json }}, \"sink\": {{ sink | json }}, \"digest\": {{ digest | json }}}{% endif %}\n",
    )
    .unwrap();
    let sink = format!(
        "[[sink]]\nname = \"desk\"\ntype = \"webhook\"\nformat = \"template\"\ntemplate = \"desk.json.j2\"\n\
         content_type = \"application/vnd.desk+json\"\nurl = \"{}\"\n",
        receiver.url
    );
    let config = config(dir.path(), &server, &sink);
    let check = common::raqib(&["--config", config.to_str().unwrap(), "check-config"]);
    assert!(check.status.success(), "{}", common::stderr(&check));
    let (received, _) = deliver(&config, &receiver, 3, Duration::from_secs(30));
    let mut got: Vec<String> = received
        .iter()
        .map(|r| {
            assert_eq!(r.headers["content-type"], "application/vnd.desk+json");
            let body: Value = serde_json::from_str(&r.body).expect("the template's JSON");
            assert_eq!(
                (body["watch"].as_str(), body["sink"].as_str()),
                (Some("h"), Some("desk"))
            );
            assert_eq!(body["digest"], false);
            assert!(
                body["link"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://news.example/")
            );
            body["headline"].as_str().unwrap().to_string()
        })
        .collect();
    got.sort();
    let mut expected = headlines();
    expected.sort();
    assert_eq!(got, expected);
}

#[test]
fn check_config_names_the_template_s_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let sink = |template: &str| {
        format!(
            "[[sink]]\nname = \"desk\"\ntype = \"webhook\"\nformat = \"template\"\ntemplate = \"{template}\"\nurl = \"https://desk.example/in\"\n"
        )
    };
    let check = |body: &str, template: &str, name: &str| {
        std::fs::write(dir.path().join(name), body).unwrap();
        let config = write_config(dir.path(), &sink(template));
        let out = common::raqib(&["--config", config.to_str().unwrap(), "check-config"]);
        assert_eq!(out.status.code(), Some(2), "{}", common::stdout(&out));
        common::stderr(&out)
    };
    let syntax = check("{\n  \"a\": {{ alert.id }\n}\n", "broken.j2", "broken.j2");
    assert!(
        syntax.contains("broken.j2, line ") && syntax.contains("syntax error"),
        "{syntax}"
    );
    let misspelt = check(
        "{\n\n  \"a\": {{ alerts[0].artcle.title | json }}\n}\n",
        "typo.j2",
        "typo.j2",
    );
    assert!(
        misspelt.contains("typo.j2, line 3: undefined value"),
        "{misspelt}"
    );
    assert!(misspelt.contains("sample alert"), "{misspelt}");
    let unquoted = check(
        "{\"a\": \"{{ alerts[0].article.title }}\"}",
        "quotes.j2",
        "quotes.j2",
    );
    assert!(
        unquoted.contains("quotes.j2 rendered invalid JSON"),
        "{unquoted}"
    );
    let missing = check("", "absent.j2", "other.j2");
    assert!(
        missing.contains("cannot read template") && missing.contains("absent.j2"),
        "{missing}"
    );
}

/// Verify a request as the Standard Webhooks specification tells receivers to: the key is the
/// base64 after `whsec_`; the signed content is `{id}.{timestamp}.{body}`; the header holds
/// space-separated `v1,<base64>` signatures, one of which must match; the timestamp must be
/// within five minutes of now.
fn verify_standard(secret: &str, request: &Received) -> Result<(), String> {
    let id = request.headers.get("webhook-id").ok_or("no webhook-id")?;
    let timestamp = request
        .headers
        .get("webhook-timestamp")
        .ok_or("no webhook-timestamp")?;
    let signatures = request
        .headers
        .get("webhook-signature")
        .ok_or("no webhook-signature")?;
    let at: i64 = timestamp.parse().map_err(|_| "timestamp not an integer")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if (now - at).abs() > 300 {
        return Err(format!("timestamp {at} too far from {now}"));
    }
    let key = Base64::decode_vec(secret.strip_prefix("whsec_").unwrap()).unwrap();
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.{}", request.body).as_bytes());
    let expected = Base64::encode_string(&mac.finalize().into_bytes());
    signatures
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
        .then_some(())
        .ok_or_else(|| format!("no signature matches {signatures}"))
}

#[test]
fn standard_webhooks_signatures_verify_and_keep_their_id_on_retry() {
    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let server = feed(&headlines()[..1]);
    let receiver = Receiver::start(|n| if n == 0 { 503 } else { 200 });
    let dir = tempfile::tempdir().unwrap();
    let sink = format!(
        "[[sink]]\nname = \"signed\"\ntype = \"webhook\"\nurl = \"{}\"\nsigning = \"standard\"\nsecret_env = \"RAQIB_TEST_WHSEC\"\n",
        receiver.url
    );
    let config = config(dir.path(), &server, &sink);
    let child = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RAQIB_TEST_WHSEC", SECRET)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let done = wait_for(Duration::from_secs(30), || {
        accepted(&receiver.received()).len() == 1
    });
    let log = stop(child);
    assert!(done, "{log}");
    let received = receiver.received();
    assert_eq!(received.len(), 2);
    for request in &received {
        verify_standard(SECRET, request).unwrap();
        assert!(!request.headers.contains_key("x-raqib-signature"));
    }
    let alert: Value = serde_json::from_str(&received[1].body).unwrap();
    assert_eq!(
        received[0].headers["webhook-id"],
        alert["id"].as_str().unwrap()
    );
    assert_eq!(
        received[0].headers["webhook-id"], received[1].headers["webhook-id"],
        "the same id on retry"
    );

    // A body altered on the way, or another key, fails verification.
    let mut altered = received[1].clone();
    altered.body = altered.body.replacen("Hammouchi", "Hammouchl", 1);
    assert!(verify_standard(SECRET, &altered).is_err());
    assert!(verify_standard("whsec_c2VjcmV0LW9mLWFub3RoZXItc2luaw==", &received[1]).is_err());
}

#[test]
fn a_flood_sends_the_limit_then_one_digest_of_the_rest_even_across_a_restart() {
    let titles: Vec<String> = (0..5)
        .map(|i| format!("Hammouchi receives delegation {i} \"{}\"", "ب".repeat(i)))
        .collect();
    let server = feed(&titles);
    let receiver = Receiver::start(|_| 200);
    let dir = tempfile::tempdir().unwrap();
    let sink = format!(
        "[[sink]]\nname = \"desk\"\ntype = \"webhook\"\nurl = \"{}\"\nmax_per_minute = 2\n\
         [[sink]]\nname = \"file\"\ntype = \"jsonl\"\npath = \"alerts.jsonl\"\n",
        receiver.url
    );
    let config = config(dir.path(), &server, &sink);
    let db = dir.path().join("raqib.db");
    let started = std::time::Instant::now();
    let child = start(&config);
    // Two go at once; three are held, folded, in the outbox.
    let held = wait_for(Duration::from_secs(30), || {
        receiver.received().len() == 2
            && count(
                &db,
                "SELECT count(*) FROM delivery WHERE sink = 'desk' AND folded_at IS NOT NULL AND state = 'pending'",
            ) == 3
    });
    assert!(held, "{:?}", receiver.received());
    // Killed mid-window: what it held is in the outbox, not in memory.
    let mut child = child;
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(50),
        "the test needs the minute unspent"
    );
    assert_eq!(
        receiver.received().len(),
        2,
        "nothing beyond the limit within the minute"
    );

    let restarted = start(&config);
    let digest_came = wait_for(Duration::from_secs(90), || receiver.received().len() >= 3);
    // Nothing else follows the digest.
    let settled = wait_for(Duration::from_secs(10), || {
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state <> 'delivered'",
        ) == 0
    });
    let log = stop(restarted);
    assert!(digest_came && settled, "{:?}\n{log}", receiver.received());
    let received = receiver.received();
    assert_eq!(received.len(), 3, "two alerts and one digest: {received:?}");
    let first_minute = received[2].at - received[0].at;
    assert!(
        first_minute >= Duration::from_secs(59),
        "the digest waited for the minute: {first_minute:?}"
    );

    let singles: Vec<Value> = received[..2]
        .iter()
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    let digest: Value = serde_json::from_str(&received[2].body).unwrap();
    assert_eq!(digest["kind"], "digest");
    assert_eq!(digest["reason"], "max_per_minute");
    assert_eq!(digest["count"], 3);
    assert_eq!(
        received[2].headers["x-raqib-alert-id"],
        digest["id"].as_str().unwrap()
    );
    let mut shown: Vec<String> = singles
        .iter()
        .chain(digest["alerts"].as_array().unwrap())
        .map(|a| {
            assert_eq!(a["watch"], "h");
            assert!(
                a["article"]["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://news.example/")
            );
            a["article"]["title"].as_str().unwrap().to_string()
        })
        .collect();
    shown.sort();
    let mut expected = titles.clone();
    expected.sort();
    assert_eq!(
        shown, expected,
        "every alert once, the digest naming the three held"
    );

    // The other sink had no limit: all five, one line each.
    let lines = std::fs::read_to_string(dir.path().join("alerts.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 5, "{lines}");
}

#[test]
fn a_discord_digest_lists_what_fits_and_counts_the_rest() {
    // A flood digest of 60 alerts with long headlines through the Discord format.
    let titles: Vec<String> = (0..60)
        .map(|i| format!("Hammouchi {i} {}", "خبر ".repeat(60)))
        .collect();
    let server = feed(&titles);
    let receiver = Receiver::start(|_| 204);
    let dir = tempfile::tempdir().unwrap();
    let sink = format!(
        "[[sink]]\nname = \"discord\"\ntype = \"webhook\"\nformat = \"discord\"\nurl = \"{}\"\nmax_per_minute = 1\n",
        receiver.url
    );
    let config = config(dir.path(), &server, &sink);
    let (received, _) = deliver(&config, &receiver, 2, Duration::from_secs(120));
    assert_eq!(received.len(), 2);
    let digest = check_discord_message(&received[1].body);
    let description = digest["embeds"][0]["description"].as_str().unwrap();
    let listed = description.lines().filter(|l| l.starts_with("• ")).count();
    assert!(listed >= 5, "{description}");
    assert!(
        description.ends_with(&format!("… and {} more not shown here", 59 - listed)),
        "{description}"
    );
    assert_eq!(digest["embeds"][0]["title"], "digest · h: 59 alerts");
    let db = dir.path().join("raqib.db");
    assert_eq!(
        count(
            &db,
            "SELECT count(*) FROM delivery WHERE state = 'delivered'"
        ),
        60,
        "none lost"
    );
}
