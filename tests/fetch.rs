//! The HTTP policy against a hostile local server: caps, bombs, loops, slow answers, 304.

mod common;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use common::{Resource, Server};
use raqib::config::Config;
use raqib::fetch::{FetchError, Fetcher, Outcome, Validators};

fn fetcher(daemon: &str) -> Fetcher {
    let config = Config::from_toml(
        Path::new("/tmp/config.toml"),
        &format!("[daemon]\nallow_private_networks = true\n{daemon}"),
    )
    .unwrap();
    Fetcher::new(&config.daemon).unwrap()
}

fn get(
    fetcher: &Fetcher,
    url: &str,
    validators: Option<&Validators>,
) -> Result<Outcome, FetchError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(fetcher.get(&url.parse().unwrap(), validators, chrono::Utc::now()))
}

#[test]
fn a_body_over_the_cap_is_refused() {
    let server = Server::start();
    server.put("/big", Resource::new("text/html", vec![b'a'; 64 * 1024]));
    let err = get(
        &fetcher("max_body_bytes = 16384"),
        &server.url("/big"),
        None,
    )
    .unwrap_err();
    assert!(
        matches!(err, FetchError::TooLarge { limit: 16384, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("/big"));
}

#[test]
fn a_gzip_bomb_stops_at_the_cap() {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&vec![b' '; 8 * 1024 * 1024]).unwrap();
    let compressed = encoder.finish().unwrap();
    assert!(
        compressed.len() < 64 * 1024,
        "the bomb is small on the wire"
    );
    let server = Server::start();
    server.put(
        "/bomb",
        Resource::new("text/html", compressed).with_header("Content-Encoding", "gzip"),
    );
    let err = get(
        &fetcher("max_body_bytes = 1048576"),
        &server.url("/bomb"),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, FetchError::TooLarge { .. }), "{err}");
}

#[test]
fn redirect_loops_end_with_a_clear_error() {
    let server = Server::start();
    server.put("/loop/a", Resource::redirect("/loop/b"));
    server.put("/loop/b", Resource::redirect("/loop/a"));
    let err = get(&fetcher(""), &server.url("/loop/a"), None).unwrap_err();
    assert!(matches!(err, FetchError::Redirects { .. }), "{err}");
    assert!(server.hits("/loop/a") + server.hits("/loop/b") <= 6);
}

#[test]
fn redirects_are_followed_and_the_final_address_kept() {
    let server = Server::start();
    server.put("/old", Resource::redirect("/new"));
    server.put(
        "/new",
        Resource::new("text/html; charset=utf-8", "<p>حموشي</p>"),
    );
    match get(&fetcher(""), &server.url("/old"), None).unwrap() {
        Outcome::Fetched(doc) => {
            assert_eq!(doc.url.path(), "/new");
            assert_eq!(doc.text, "<p>حموشي</p>");
        }
        Outcome::NotModified { .. } => panic!("not a 304"),
    }
}

#[test]
fn a_slow_server_times_out() {
    let server = Server::start();
    server.put(
        "/slow",
        Resource::new("text/html", "late").with_delay(Duration::from_secs(3)),
    );
    let err = get(
        &fetcher("fetch_timeout = \"1s\""),
        &server.url("/slow"),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, FetchError::Timeout { .. }), "{err}");
}

#[test]
fn conditional_get_returns_not_modified() {
    let server = Server::start();
    server.put(
        "/feed",
        Resource::new("application/rss+xml", "<rss/>").with_etag("\"v7\""),
    );
    let fetcher = fetcher("");
    let Outcome::Fetched(doc) = get(&fetcher, &server.url("/feed"), None).unwrap() else {
        panic!("expected a body")
    };
    assert_eq!(doc.validators.etag.as_deref(), Some("\"v7\""));
    let again = get(&fetcher, &server.url("/feed"), Some(&doc.validators)).unwrap();
    assert!(matches!(again, Outcome::NotModified { .. }));
}

#[test]
fn http_errors_name_the_status() {
    let server = Server::start();
    let err = get(&fetcher(""), &server.url("/absent"), None).unwrap_err();
    assert!(
        err.to_string().ends_with("/absent: HTTP 404 Not Found"),
        "{err}"
    );
}

#[test]
fn private_targets_are_refused_unless_allowed() {
    let config = Config::from_toml(Path::new("/tmp/config.toml"), "").unwrap();
    let fetcher = Fetcher::new(&config.daemon).unwrap();
    for url in [
        "http://127.0.0.1:9/x",
        "http://[::1]:9/x",
        "http://169.254.169.254/latest/meta-data",
        "http://[::ffff:10.0.0.1]/",
    ] {
        let err = get(&fetcher, url, None).unwrap_err();
        assert!(matches!(err, FetchError::Private { .. }), "{url}: {err}");
    }
}

#[test]
fn a_name_that_resolves_inside_is_refused_after_dns() {
    // `localhost` is a name: it passes the literal check and is refused by the resolver.
    let server = Server::start();
    server.put("/feed", Resource::new("application/rss+xml", "<rss/>"));
    let port = server.base.rsplit(':').next().unwrap().to_string();
    let config = Config::from_toml(Path::new("/tmp/config.toml"), "").unwrap();
    let err = get(
        &Fetcher::new(&config.daemon).unwrap(),
        &format!("http://localhost:{port}/feed"),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, FetchError::Private { .. }), "{err}");
    assert_eq!(server.hits("/feed"), 0);
    // The same request is allowed when private networks are.
    assert!(get(&fetcher(""), &format!("http://localhost:{port}/feed"), None).is_ok());
}
