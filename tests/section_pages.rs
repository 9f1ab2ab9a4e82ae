//! Outlets followed through a section page (`type = "page"`): the cards' links among menus,
//! related lists and other hosts' links, robots.txt, and a selector that stops fitting shown
//! by `raqib feeds`; the real binary, a real SQLite file, a server on 127.0.0.1.

mod common;

use common::{Resource, Server, lines, raqib, seed, stderr, stdout, wordpress_page, write_config};

/// A category page: a menu, three cards (one to another host), a sidebar, a related list.
fn listing(server: &Server) -> String {
    let other = server.url("/offer").replace("127.0.0.1", "localhost");
    format!(
        r#"<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Politique</title></head><body>
<header><nav class="main-menu"><a href="/">Accueil</a> <a href="/politique/">Politique</a> <a href="/2026/11/menu-story/">À la une</a></nav></header>
<main><div class="posts">
<article class="post"><a class="thumb" href="/2026/11/a/"><img src="/a.jpg" alt=""></a>
  <h2 class="entry-title"><a href="/2026/11/a/#comments">Hammouchi reçoit une délégation</a></h2>
  <time datetime="{today}">aujourd'hui</time></article>
<article class="post"><h2 class="entry-title"><a href="{b}?utm_medium=listing">Le budget adopté</a></h2>
  <time datetime="{today}">aujourd'hui</time></article>
<article class="post sponsored"><h2 class="entry-title"><a href="{other}">Offre partenaire</a></h2></article>
</div></main>
<aside class="sidebar"><h3>Les plus lus</h3><a href="/2026/10/old/">Une vieille histoire</a></aside>
<section class="related"><a href="/2026/11/related/">Article lié</a></section>
</body></html>"#,
        today = chrono::Utc::now().to_rfc3339(),
        b = server.url("/2026/11/b/"),
    )
}

#[test]
fn a_section_page_gives_its_cards_articles_and_a_selector_that_stops_fitting_is_shown() {
    let server = Server::start();
    server.put(
        "/politique/",
        Resource::new("text/html; charset=utf-8", listing(&server)),
    );
    for (path, seed_name, title) in [
        ("/2026/11/a/", "000", "Hammouchi reçoit une délégation"),
        ("/2026/11/b/", "001", "Le budget adopté"),
    ] {
        let text = seed(seed_name);
        let text = lines(&text);
        server.put(
            path,
            Resource::new(
                "text/html; charset=utf-8",
                wordpress_page(title, &text[1..], None, &[]),
            ),
        );
    }
    server.put(
        "/robots.txt",
        Resource::new("text/plain", "User-agent: *\nDisallow: /prive/\n"),
    );
    server.put(
        "/prive/",
        Resource::new("text/html; charset=utf-8", listing(&server)),
    );
    server.put(
        "/redesigned/",
        Resource::new(
            "text/html; charset=utf-8",
            "<html><body><div class=\"card\"><h3><a href=\"/2026/11/a/\">x</a></h3></div></body></html>",
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let feed = |path: &str| {
        format!(
            "\n[[feed]]\nurl = \"{}\"\noutlet = \"Outlet\"\ntype = \"page\"\nlinks = \"h2.entry-title a\"\ndate = \"time\"\n",
            server.url(path)
        )
    };
    let config = format!(
        "[daemon]\ndatabase = \"state/raqib.db\"\nallow_private_networks = true\npoliteness_delay = \"0s\"\n{}{}{}\n[[watch]]\nname = \"hammouchi\"\naliases = [\"Hammouchi\"]\n",
        feed("/politique/"),
        feed("/prive/"),
        feed("/redesigned/"),
    );
    let config = write_config(dir.path(), &config);
    let config = config.to_str().unwrap();
    let run = raqib(&["--config", config, "run", "--once"]);
    let log = stderr(&run);
    assert!(run.status.success(), "{log}");

    let db = rusqlite::Connection::open(dir.path().join("state/raqib.db")).unwrap();
    let urls: Vec<String> = db
        .prepare("SELECT url FROM article ORDER BY url")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        urls,
        [server.url("/2026/11/a/"), server.url("/2026/11/b/")],
        "{log}"
    );
    let title: String = db
        .query_row("SELECT title FROM article WHERE url LIKE '%/a/'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(title, "Hammouchi reçoit une délégation");
    for never in [
        "/2026/11/menu-story/",
        "/2026/10/old/",
        "/2026/11/related/",
        "/offer",
        "/prive/",
    ] {
        assert_eq!(server.hits(never), 0, "{never} fetched:\n{log}");
    }
    assert_eq!(server.hits("/2026/11/a/"), 1);

    let feeds = raqib(&["--config", config, "feeds"]);
    let health = stdout(&feeds);
    let error_of = |path: &str| {
        let url = server.url(path);
        let at = health
            .lines()
            .position(|l| l.trim_end().ends_with(&url))
            .unwrap_or_else(|| panic!("{url} not in\n{health}"));
        health.lines().nth(at + 1).unwrap_or_default().to_string()
    };
    assert!(
        error_of("/redesigned/").contains("the links selector matches nothing on the page"),
        "{health}"
    );
    assert!(
        error_of("/prive/").contains("disallowed by robots.txt"),
        "{health}"
    );
    assert!(!error_of("/politique/").contains("last error"), "{health}");
}
