//! Headless Chromium driven over WebDriver: Debian's `chromedriver` started on a free loopback
//! port, one session per interface language. The few WebDriver commands the tests use (open a
//! page, run a script, read the browser's log, take a screenshot) are plain JSON over the
//! HTTP client raqib already has.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A running chromedriver, killed when dropped.
pub struct Driver {
    child: Child,
    base: String,
    http: reqwest::Client,
}

/// Chromium and chromedriver, or `None` (after a `skipped:` line; a failure under CI) when
/// this machine lacks them.
pub async fn start() -> Option<Driver> {
    for program in [CHROMIUM, CHROMEDRIVER] {
        if !Path::new(program).exists() {
            crate::skip::unavailable(
                "the web view in Chromium",
                &format!("{program} is missing (apt-get install chromium chromium-driver)"),
            );
            return None;
        }
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let driver = Driver {
        child,
        base: format!("http://127.0.0.1:{port}"),
        http: reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(60))
            .build()
            .expect("an HTTP client"),
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let status = driver
            .http
            .get(format!("{}/status", driver.base))
            .send()
            .await;
        if let Ok(response) = status {
            let body = response.text().await.unwrap_or_default();
            let body: Value = serde_json::from_str(&body).unwrap_or_default();
            if body["value"]["ready"] == json!(true) {
                return Some(driver);
            }
        }
        assert!(Instant::now() < deadline, "chromedriver not ready in 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(body) = body {
            request = request
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        let response = request.send().await.expect("chromedriver answers");
        let status = response.status();
        let text = response.text().await.expect("chromedriver's answer");
        let body: Value = serde_json::from_str(&text).expect("chromedriver's JSON");
        assert!(status.is_success(), "{path}: {status} {body}");
        body["value"].clone()
    }

    /// A headless session whose requests ask for `accept_language`.
    pub async fn session(&self, accept_language: &str) -> Session<'_> {
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": CHROMIUM,
                    "args": [
                        "--headless=new",
                        // Tests run as root in CI, where Chromium's sandbox cannot start.
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--window-size=1100,760",
                        format!("--accept-lang={accept_language}"),
                        format!("--lang={accept_language}"),
                    ],
                    "prefs": { "intl.accept_languages": accept_language },
                },
                "goog:loggingPrefs": { "browser": "ALL" },
            }}
        });
        let value = self
            .call(reqwest::Method::POST, "/session", Some(capabilities))
            .await;
        let id = value["sessionId"]
            .as_str()
            .expect("a session id")
            .to_string();
        Session { driver: self, id }
    }
}

/// One browser window; closed by [`Session::close`].
pub struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl Session<'_> {
    async fn call(&self, method: reqwest::Method, command: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}/{command}", self.id);
        self.driver.call(method, &path, body).await
    }

    /// Opens `url` and waits for it to load.
    pub async fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "url", Some(json!({ "url": url })))
            .await;
    }

    /// The value of `script` (a function body: `return …`) run in the page.
    pub async fn eval(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    /// The browser's console and network errors since the last call.
    pub async fn errors(&self) -> Vec<String> {
        let entries = self
            .call(
                reqwest::Method::POST,
                "se/log",
                Some(json!({ "type": "browser" })),
            )
            .await;
        entries
            .as_array()
            .into_iter()
            .flatten()
            .filter(|e| e["level"] == "SEVERE" || e["level"] == "WARNING")
            .map(|e| e["message"].as_str().unwrap_or("").to_string())
            .collect()
    }

    /// The window as a PNG.
    pub async fn screenshot(&self) -> Vec<u8> {
        let encoded = self.call(reqwest::Method::GET, "screenshot", None).await;
        base64(encoded.as_str().expect("a base64 screenshot"))
    }

    pub async fn close(self) {
        self.driver
            .call(
                reqwest::Method::DELETE,
                &format!("/session/{}", self.id),
                None,
            )
            .await;
    }
}

/// Standard base64 (what WebDriver sends screenshots in).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | u32::from(*d) << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn base64_decodes_every_padding() {
    assert_eq!(base64("aGVsbG8="), b"hello");
    assert_eq!(base64("aGVsbG8h"), b"hello!");
    assert_eq!(base64("aGk="), b"hi");
    assert_eq!(base64("iVBORw0KGgo="), b"\x89PNG\r\n\x1a\n");
}
