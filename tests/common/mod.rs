//! Real components for integration tests: an HTTP server on 127.0.0.1, outlet pages built from
//! the seed articles, config files in a temp dir, and the real binary.

#![allow(dead_code)] // each test binary uses its own part of this module

pub mod articles;
pub mod daemon;
pub mod desk;
pub mod outlet;
pub mod receiver;
pub mod service;
pub mod skip;
pub mod smtp;
pub mod wait;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::thread;

/// A canned response.
#[derive(Clone, Debug)]
pub struct Resource {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    pub etag: Option<String>,
    /// Extra response headers, e.g. `Location` or `Content-Encoding`.
    pub headers: Vec<(String, String)>,
    /// Wait this long before answering.
    pub delay: std::time::Duration,
    /// Send the body one byte at a time, this long apart (a slowloris server).
    pub dribble: Option<std::time::Duration>,
}

impl Resource {
    pub fn new(content_type: &str, body: impl Into<Vec<u8>>) -> Resource {
        Resource {
            status: 200,
            content_type: content_type.to_string(),
            body: body.into(),
            etag: None,
            headers: Vec::new(),
            delay: std::time::Duration::ZERO,
            dribble: None,
        }
    }

    /// A response with this status and body.
    pub fn status(status: u16, body: &str) -> Resource {
        let mut r = Resource::new("text/plain", body);
        r.status = status;
        r
    }

    pub fn with_dribble(mut self, every: std::time::Duration) -> Resource {
        self.dribble = Some(every);
        self
    }

    /// A redirect to `location`.
    pub fn redirect(location: &str) -> Resource {
        let mut r = Resource::new("text/plain", "");
        r.status = 302;
        r.headers.push(("Location".into(), location.into()));
        r
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Resource {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn with_delay(mut self, delay: std::time::Duration) -> Resource {
        self.delay = delay;
        self
    }

    pub fn with_etag(mut self, etag: &str) -> Resource {
        self.etag = Some(etag.to_string());
        self
    }
}

/// A response computed per request, from the number of earlier requests to its path.
type Respond = Arc<dyn Fn(usize) -> Resource + Send + Sync>;

#[derive(Default)]
struct State {
    routes: HashMap<String, Resource>,
    computed: HashMap<String, Respond>,
    hits: HashMap<String, usize>,
    requests: Vec<Request>,
}

/// One request a [`Server`] received.
#[derive(Clone, Debug)]
pub struct Request {
    pub path: String,
    /// Its `User-Agent` header (empty when it had none).
    pub agent: String,
    /// Whether its whole answer was written (false while it is in flight, or when the client
    /// went away first).
    pub answered: bool,
}

/// An HTTP/1.1 server on an ephemeral loopback port, one thread per connection.
#[derive(Clone)]
pub struct Server {
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let shared = Arc::clone(&state);
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = Arc::clone(&shared);
                thread::spawn(move || serve(stream, &state));
            }
        });
        Server { base, state }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn put(&self, path: &str, resource: Resource) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), resource);
    }

    /// Answer requests to `path` with `respond(n)`, `n` counting earlier requests from 0.
    pub fn put_fn(&self, path: &str, respond: impl Fn(usize) -> Resource + Send + Sync + 'static) {
        self.state
            .lock()
            .unwrap()
            .computed
            .insert(path.to_string(), Arc::new(respond));
    }

    /// Every request received so far, in order of arrival.
    pub fn requests(&self) -> Vec<Request> {
        self.state.lock().unwrap().requests.clone()
    }

    /// How many requests `path` has received (304s included).
    pub fn hits(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }
}

/// Read one request's line and headers: its path and its headers (names in lower case); None
/// when the connection ends first.
/// The six orders in which three articles can arrive.
pub const ORDERS_OF_THREE: [[usize; 3]; 6] = [
    [0, 1, 2],
    [0, 2, 1],
    [1, 0, 2],
    [1, 2, 0],
    [2, 0, 1],
    [2, 1, 0],
];

pub fn read_head(reader: &mut impl BufRead) -> Option<(String, HashMap<String, String>)> {
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).ok()? == 0 {
        return None;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("/")
        .to_string();
    let mut headers = HashMap::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            return Some((path, headers));
        }
        if let Some((name, value)) = line.split_once(':') {
            headers.insert(name.trim().to_ascii_lowercase(), value.trim().to_string());
        }
    }
}

fn serve(stream: TcpStream, state: &Mutex<State>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut stream = stream;
    loop {
        let Some((path, headers)) = read_head(&mut reader) else {
            return;
        };
        let if_none_match = headers.get("if-none-match").cloned();
        let (resource, computed, request) = {
            let mut state = state.lock().unwrap();
            let hits = state.hits.entry(path.clone()).or_default();
            *hits += 1;
            let earlier = *hits - 1;
            let computed = state.computed.get(&path).cloned().map(|f| (f, earlier));
            state.requests.push(Request {
                path: path.clone(),
                agent: headers.get("user-agent").cloned().unwrap_or_default(),
                answered: false,
            });
            let request = state.requests.len() - 1;
            (state.routes.get(&path).cloned(), computed, request)
        };
        // Computed outside the lock: a slow or large answer must not hold up other requests.
        let resource = computed.map(|(respond, n)| respond(n)).or(resource);
        let response = match resource {
            Some(r) if r.etag.is_some() && r.etag == if_none_match => format!(
                "HTTP/1.1 304 Not Modified\r\nETag: {}\r\nContent-Length: 0\r\n\r\n",
                r.etag.unwrap()
            )
            .into_bytes(),
            Some(r) => {
                // A slow server: the delay is what the test is about.
                std::thread::sleep(r.delay);
                let mut head = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\n",
                    r.status,
                    r.content_type,
                    r.body.len()
                );
                if let Some(etag) = &r.etag {
                    head.push_str(&format!("ETag: {etag}\r\n"));
                }
                for (name, value) in &r.headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if let Some(every) = r.dribble {
                    if stream.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    for byte in &r.body {
                        // A slowloris server: the pace is what the test is about.
                        std::thread::sleep(every);
                        if stream.write_all(&[*byte]).is_err() {
                            return;
                        }
                    }
                    state.lock().unwrap().requests[request].answered = true;
                    continue;
                }
                let mut bytes = head.into_bytes();
                bytes.extend_from_slice(&r.body);
                bytes
            }
            None => b"HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nnot found".to_vec(),
        };
        if stream.write_all(&response).is_err() {
            return;
        }
        state.lock().unwrap().requests[request].answered = true;
    }
}

/// An RSS feed of three summaries, each naming Hammouchi: three alerts of a per-article watch.
pub fn delegations_feed() -> Resource {
    let items: String = (1..=3)
        .map(|i| {
            format!(
                "<item><title>Hammouchi meets delegation {i}</title><guid>{i}</guid>\
                 <description>Abdellatif Hammouchi received delegation number {i} in city {i}.</description></item>"
            )
        })
        .collect();
    Resource::new(
        "application/rss+xml",
        format!("<rss version=\"2.0\"><channel><title>t</title>{items}</channel></rss>"),
    )
}

/// The text of seed article `prefix` (e.g. "000").
pub fn seed(prefix: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/seeds");
    let path = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .unwrap_or_else(|| panic!("no seed {prefix}"));
    std::fs::read_to_string(path).unwrap()
}

/// An Arabic WordPress-style article page: the paragraphs inside `.entry-content`, surrounded by
/// navigation, share buttons, a cookie banner, a related list, a comment form and a footer.
/// `related` are the titles in the related list (they must not reach the body).
pub fn wordpress_page(
    title: &str,
    paragraphs: &[&str],
    published: Option<&str>,
    related: &[&str],
) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    let related: String = related
        .iter()
        .enumerate()
        .map(|(i, t)| format!("<li><a href=\"/related/{i}\">{t}</a></li>"))
        .collect();
    let published = published
        .map(|p| format!("<meta property=\"article:published_time\" content=\"{p}\">"))
        .unwrap_or_default();
    format!(
        r##"<!DOCTYPE html>
<html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{title} - الموقع</title>
<meta property="og:title" content="{title}">{published}
<script>window.dataLayer = [];</script><style>.x{{color:red}}</style></head>
<body class="single-post">
<header><nav class="main-menu"><ul><li><a href="/">الرئيسية</a></li><li><a href="/c/politique">سياسة</a></li><li><a href="/c/societe">مجتمع</a></li><li><a href="/c/sport">رياضة</a></li><li><a href="/c/monde">دولي</a></li></ul></nav></header>
<div id="cookie-notice">نحن نستخدم ملفات تعريف الارتباط لتخصيص المحتوى والإعلانات وتحليل الزيارات. <a href="/privacy">اطّلع على التفاصيل</a> <button>موافق</button></div>
<main><article class="post">
<h1 class="entry-title">{title}</h1>
<div class="post-meta"><span class="author">هيئة التحرير</span></div>
<div class="share-buttons"><a href="https://facebook.com/sharer">فيسبوك</a> <a href="https://twitter.com/share">تويتر</a> <a href="https://wa.me/">واتساب</a></div>
<div class="entry-content">
{body}</div>
<div class="post-tags"><a href="/tag/1">الأمن</a> <a href="/tag/2">المغرب</a></div>
</article>
<section class="related-posts"><h3>مقالات ذات صلة</h3><ul>{related}</ul></section>
<div id="respond" class="comment-respond"><h3>اترك تعليقاً</h3>
<p class="comment-notes">لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *</p>
<form><textarea name="comment"></textarea><input type="submit" value="إرسال التعليق"></form></div>
</main>
<aside class="sidebar"><h3>الأكثر قراءة</h3><ul><li><a href="/m/1">حموشي يترأس حفل تخرج أفواج الشرطة</a></li><li><a href="/m/2">الطقس غدا</a></li></ul></aside>
<a href="#" class="go-to-top">زر الذهاب إلى الأعلى</a>
<footer><p>جميع الحقوق محفوظة © 2025</p></footer>
</body></html>"##
    )
}

/// The non-empty lines of a seed.
pub fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// Write `config` to `dir/config.toml` and return its path.
pub fn write_config(dir: &Path, config: &str) -> PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, config).unwrap();
    path
}

/// Run the real `raqib` binary.
pub fn raqib(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(args)
        .env("RUST_LOG", "info")
        .output()
        .expect("run raqib")
}

/// Run the real `raqib` binary with `stdin` as its standard input.
pub fn raqib_with_input(args: &[&str], stdin: &[u8]) -> Output {
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_raqib"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run raqib");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}
