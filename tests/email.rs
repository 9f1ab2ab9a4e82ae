//! The email sink in a real SMTP conversation: the real binary, a feed server and an SMTP
//! server on 127.0.0.1 that refuses the first message for a while (451), then takes them.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::smtp::{SmtpServer, decode};
use common::{Resource, Server, write_config};

/// The decoded body of the MIME part of type `content_type`.
fn part(data: &str, content_type: &str) -> String {
    let start = data
        .find(&format!("Content-Type: {content_type}"))
        .unwrap_or_else(|| panic!("no {content_type} part in:\n{data}"));
    let rest = &data[start..];
    let (head, body) = rest.split_once("\n\n").unwrap();
    let body = body.split("\n--").next().unwrap();
    if head.contains("base64") {
        decode(&body.replace('\n', ""))
    } else if head.contains("quoted-printable") {
        let joined = body.replace("=\n", "");
        let mut bytes = Vec::new();
        let raw = joined.as_bytes();
        let mut i = 0;
        while i < raw.len() {
            if raw[i] == b'=' && i + 2 < raw.len() {
                bytes.push(u8::from_str_radix(&joined[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                bytes.push(raw[i]);
                i += 1;
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        body.to_string()
    }
}

/// The `Subject:` header, its RFC 2047 words decoded.
fn subject(data: &str) -> String {
    let mut header = String::new();
    let mut lines = data.lines().skip_while(|l| !l.starts_with("Subject:"));
    header.push_str(lines.next().unwrap().trim_start_matches("Subject:"));
    for line in lines.take_while(|l| l.starts_with(' ') || l.starts_with('\t')) {
        header.push_str(line);
    }
    // Whitespace between two encoded words is not part of the text (RFC 2047, 6.2).
    let mut decoded = String::new();
    let mut after_encoded = false;
    for word in header.split_whitespace() {
        let encoded = word
            .strip_prefix("=?utf-8?b?")
            .and_then(|w| w.strip_suffix("?="));
        let joined = after_encoded && encoded.is_some();
        if !decoded.is_empty() && !joined {
            decoded.push(' ');
        }
        decoded.push_str(&encoded.map_or_else(|| word.to_string(), decode));
        after_encoded = encoded.is_some();
    }
    decoded
}

#[test]
fn alerts_arrive_by_email_in_arabic_right_to_left_after_a_refusal() {
    let feeds = Server::start();
    let items: String = (1..=2)
        .map(|i| {
            format!(
                "<item><title>حموشي يستقبل الوفد رقم {i}</title><guid>{i}</guid>\
                 <description>استقبل عبد اللطيف حموشي الوفد رقم {i} بمدينة رقم {i}.</description></item>"
            )
        })
        .collect();
    feeds.put(
        "/feed",
        Resource::new(
            "application/rss+xml",
            format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
        ),
    );
    let smtp = SmtpServer::start(1);
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "[daemon]\nallow_private_networks = true\npoliteness_delay = \"0s\"\ndelivery_retry = \"1s\"\n\
             [[feed]]\nurl = \"{}\"\nscrape = false\ninterval = \"1h\"\nlang = \"ar\"\n\
             [[watch]]\nname = \"hammouchi\"\naliases = [\"حموشي\"]\nalert = \"article\"\nseverity = \"high\"\n\
             [[sink]]\nname = \"desk\"\ntype = \"email\"\nsmtp_host = \"127.0.0.1\"\nsmtp_port = {}\ntls = \"none\"\n\
             username = \"raqib\"\npassword_env = \"RAQIB_TEST_SMTP_PASSWORD\"\n\
             from = \"raqib <raqib@example.test>\"\nto = [\"desk@example.test\", \"chief@example.test\"]\n",
            feeds.url("/feed"),
            smtp.port
        ),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(["--config", config.to_str().unwrap(), "run"])
        .env("RUST_LOG", "info")
        .env("RAQIB_TEST_SMTP_PASSWORD", "pa55")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    common::daemon::wait_for(Duration::from_secs(60), || smtp.mails().len() >= 2);
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    let mut log = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(status.success(), "{log}");

    let mails = smtp.mails();
    assert_eq!(mails.len(), 2, "{log}");
    assert!(log.contains("will retry"), "the 451 was retried:\n{log}");
    let db = rusqlite::Connection::open(dir.path().join("raqib.db")).unwrap();
    let ids: Vec<String> = db
        .prepare("SELECT uid FROM alert ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for mail in &mails {
        assert_eq!(mail.user.as_deref(), Some("raqib"));
        assert_eq!(mail.from, "<raqib@example.test>");
        assert_eq!(mail.to, ["<desk@example.test>", "<chief@example.test>"]);
        let subject = subject(&mail.data);
        assert!(
            subject.starts_with("[raqib] high · hammouchi: حموشي يستقبل الوفد رقم"),
            "{subject}"
        );
        assert!(
            ids.iter()
                .any(|id| mail.data.contains(&format!("Message-ID: <{id}@raqib>"))),
            "{}",
            mail.data
        );
        let html = part(&mail.data, "text/html");
        assert!(html.contains("<html dir=\"rtl\" lang=\"ar\">"), "{html}");
        assert!(html.contains("<mark>حموشي</mark>"), "{html}");
        let text = part(&mail.data, "text/plain");
        assert!(text.contains("watch: hammouchi (high)"), "{text}");
    }
}
