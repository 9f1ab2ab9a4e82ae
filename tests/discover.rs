//! `raqib discover`: an outlet on 127.0.0.1 with a WordPress home page, a feed at a common
//! path, and a Yoast sitemap index with a news sitemap named in robots.txt; the real binary.

mod common;

use chrono::{Duration, Utc};
use common::{Resource, Server, raqib, stderr, stdout, write_config};

#[test]
fn discover_proposes_each_feed_and_sitemap_as_a_block_that_loads() {
    let server = Server::start();
    // One instant for what is served and what is expected.
    let now = Utc::now();
    let newest = (now - Duration::hours(1)).to_rfc3339();
    server.put(
        "/",
        Resource::new(
            "text/html; charset=utf-8",
            "<html><head><title>Outlet</title>\
             <link rel=\"alternate\" type=\"application/rss+xml\" title=\"Outlet &raquo; Flux\" href=\"/feed/\">\
             <link rel=\"alternate\" type=\"application/json+oembed\" href=\"/wp-json/oembed\">\
             </head><body><nav><a href=\"/politique/\">Politique</a></nav></body></html>",
        ),
    );
    let item = |n: u32| {
        format!(
            "<item><title>Article {n}</title><link>{}</link><pubDate>{}</pubDate></item>",
            server.url(&format!("/a/{n}/")),
            (now - Duration::hours(i64::from(n))).to_rfc2822()
        )
    };
    server.put(
        "/feed/",
        Resource::new(
            "application/rss+xml",
            format!(
                "<rss version=\"2.0\"><channel><title>Outlet</title>{}{}</channel></rss>",
                item(2),
                item(3)
            ),
        ),
    );
    // /feed redirects to /feed/: one feed, proposed once.
    server.put("/feed", Resource::redirect(&server.url("/feed/")));
    server.put(
        "/atom.xml",
        Resource::new(
            "application/atom+xml",
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Atom</title><entry><id>x</id><title>t</title><updated>2026-11-01T00:00:00Z</updated><link href=\"/x\"/></entry></feed>",
        ),
    );
    server.put(
        "/robots.txt",
        Resource::new(
            "text/plain",
            format!(
                "User-agent: *\nDisallow: /wp-admin/\n\nSitemap: {}\n",
                server.url("/sitemap_index.xml")
            ),
        ),
    );
    server.put(
        "/sitemap_index.xml",
        Resource::new(
            "application/xml",
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>{}</loc><lastmod>{newest}</lastmod></sitemap><sitemap><loc>{}</loc></sitemap></sitemapindex>",
                server.url("/post-sitemap.xml"),
                server.url("/news/sitemap.xml"),
            ),
        ),
    );
    server.put(
        "/news/sitemap.xml",
        Resource::new(
            "application/xml",
            format!(
                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\"><url><loc>{}</loc><news:news><news:publication><news:name>Outlet</news:name><news:language>fr</news:language></news:publication><news:publication_date>2026-11-29T10:15:00+01:00</news:publication_date><news:title>Le vote</news:title></news:news></url></urlset>",
                server.url("/a/2/")
            ),
        ),
    );
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        "[daemon]\ndatabase = \"raqib.db\"\nallow_private_networks = true\npoliteness_delay = \"0s\"\n",
    );
    let config = config.to_str().unwrap();
    let run = raqib(&["--config", config, "discover", &server.url("/")]);
    assert!(run.status.success(), "{}", stderr(&run));
    let out = stdout(&run);
    let comments: Vec<&str> = out.lines().filter(|l| l.starts_with('#')).collect();
    assert_eq!(
        comments,
        [
            format!(
                "# feed \"Outlet\": 2 entries, newest {}",
                chrono::DateTime::parse_from_rfc2822(&(now - Duration::hours(2)).to_rfc2822())
                    .unwrap()
                    .to_rfc3339()
            )
            .as_str(),
            "# feed \"Atom\": 1 entries, newest 2026-11-01T00:00:00+00:00",
            format!(
                "# sitemap index: 2 sitemaps listed, newest {}",
                chrono::DateTime::parse_from_rfc3339(&newest)
                    .unwrap()
                    .to_rfc3339()
            )
            .as_str(),
            "# news sitemap: 1 entries, newest 2026-11-29T10:15:00+01:00",
        ],
        "{out}"
    );
    // The blocks are a configuration as they are: check-config loads them.
    let proposed = dir.path().join("proposed.toml");
    std::fs::write(
        &proposed,
        format!("[daemon]\ndatabase = \"raqib.db\"\n\n{out}"),
    )
    .unwrap();
    let check = raqib(&["--config", proposed.to_str().unwrap(), "check-config"]);
    assert!(check.status.success(), "{}\n{out}", stderr(&check));
    assert!(out.contains(&format!("url = \"{}\"\n", server.url("/news/sitemap.xml"))));
    assert_eq!(out.matches("[[feed]]").count(), 4, "{out}");

    let empty = Server::start();
    empty.put(
        "/",
        Resource::new("text/html", "<html><body>Accueil</body></html>"),
    );
    let none = raqib(&["--config", config, "discover", &empty.url("/")]);
    assert_eq!(none.status.code(), Some(1), "{}", stdout(&none));
    assert!(stderr(&none).contains("no feed or sitemap found"));
}
